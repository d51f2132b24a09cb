//! The plain inputs of a triage plan and their JSON forms.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::TriageError;
use super::drr::FairnessState;
use crate::id::{NodeId, PersonId};

/// The largest estimate a single request may carry, in minutes (one week).
pub const MAX_REQUEST_MINUTES: u32 = 10_080;

/// The most requests one plan takes.
pub const MAX_REQUESTS: usize = 10_000_000;

/// The longest free-text field (title, name, cohort) accepted, in bytes.
const MAX_TEXT: usize = 500;

/// The host's id for a request: 1–200 bytes, no whitespace.
///
/// ```
/// use chapterhouse::triage::RequestId;
/// let id: RequestId = "crm:req:17".parse().unwrap();
/// assert_eq!(id.as_str(), "crm:req:17");
/// assert!("has space".parse::<RequestId>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RequestId(String);

impl RequestId {
    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn id_problem(s: &str) -> Option<&'static str> {
    if s.is_empty() {
        Some("must not be empty")
    } else if s.len() > crate::id::MAX_ID_LEN {
        Some("is longer than 200 bytes")
    } else if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("must not contain whitespace or control characters")
    } else {
        None
    }
}

impl FromStr for RequestId {
    type Err = TriageError;
    fn from_str(s: &str) -> Result<Self, TriageError> {
        match id_problem(s) {
            Some(reason) => Err(TriageError::InvalidRequest {
                request: s.chars().take(80).collect(),
                field: "id".into(),
                reason: reason.into(),
            }),
            None => Ok(RequestId(s.to_owned())),
        }
    }
}

impl TryFrom<&str> for RequestId {
    type Error = TriageError;
    fn try_from(s: &str) -> Result<Self, TriageError> {
        s.parse()
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match id_problem(&s) {
            Some(reason) => Err(serde::de::Error::custom(reason)),
            None => Ok(RequestId(s)),
        }
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the chapter is asking central staff for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// An event that needs approval.
    EventApproval,
    /// A leader application to review.
    LeaderApplication,
    /// A campaign to review.
    CampaignReview,
    /// A chapter asks for help.
    SupportRequest,
}

impl RequestKind {
    /// The snake_case name (`"event_approval"`).
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::EventApproval => "event_approval",
            RequestKind::LeaderApplication => "leader_application",
            RequestKind::CampaignReview => "campaign_review",
            RequestKind::SupportRequest => "support_request",
        }
    }

    /// Plain words (`"event approval"`).
    pub fn words(self) -> &'static str {
        match self {
            RequestKind::EventApproval => "event approval",
            RequestKind::LeaderApplication => "leader application",
            RequestKind::CampaignReview => "campaign review",
            RequestKind::SupportRequest => "support request",
        }
    }
}

/// The action tier: 1 urgent, 2 campaign event, 3 from the action menu.
/// In JSON it is the number `1`, `2` or `3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Tier {
    /// Tier 1: urgent (rapid response).
    Urgent,
    /// Tier 2: a campaign event.
    CampaignEvent,
    /// Tier 3: an action from the menu.
    Menu,
}

impl Tier {
    /// 1, 2 or 3.
    pub fn number(self) -> u8 {
        match self {
            Tier::Urgent => 1,
            Tier::CampaignEvent => 2,
            Tier::Menu => 3,
        }
    }

    /// All tiers, 1 to 3.
    pub const ALL: [Tier; 3] = [Tier::Urgent, Tier::CampaignEvent, Tier::Menu];
}

impl TryFrom<u8> for Tier {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, String> {
        match n {
            1 => Ok(Tier::Urgent),
            2 => Ok(Tier::CampaignEvent),
            3 => Ok(Tier::Menu),
            _ => Err(format!("tier must be 1, 2 or 3, not {n}")),
        }
    }
}

impl From<Tier> for u8 {
    fn from(t: Tier) -> u8 {
        t.number()
    }
}

/// One request that needs central staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The host's id.
    pub id: RequestId,
    /// What is asked.
    pub kind: RequestKind,
    /// The chapter asking.
    pub chapter: NodeId,
    /// The action tier.
    pub tier: Tier,
    /// When the request came in.
    pub created: DateTime<Utc>,
    /// When it must be done, if there is a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<Utc>>,
    /// Estimated staff minutes, 1 to [`MAX_REQUEST_MINUTES`].
    pub minutes: u32,
    /// A safety or legal concern: goes to the escalate-now lane.
    #[serde(default, skip_serializing_if = "is_false")]
    pub safety_legal: bool,
    /// Part of a day of action (raises impact).
    #[serde(default, skip_serializing_if = "is_false")]
    pub day_of_action: bool,
    /// People the action is expected to reach (0 when unknown).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reach: u32,
    /// A short title for the reviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A chapter's health status, as a plain input (the `health` module computes
/// it; triage only reads it). New and AtRisk chapters may get extra fairness
/// weight ([`TriageConfig::extra_weight_permille`](super::TriageConfig)) and
/// more mentoring minutes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ChapterHealth {
    /// Younger than 90 days, judged on onboarding milestones.
    New,
    /// Doing well.
    Thriving,
    /// Doing fine (the default when unknown).
    #[default]
    Steady,
    /// Needs a mentor's attention.
    AtRisk,
    /// No leader action and no events for a long time.
    Dormant,
}

impl ChapterHealth {
    /// The snake_case name (`"at_risk"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChapterHealth::New => "new",
            ChapterHealth::Thriving => "thriving",
            ChapterHealth::Steady => "steady",
            ChapterHealth::AtRisk => "at_risk",
            ChapterHealth::Dormant => "dormant",
        }
    }

    /// True for New and AtRisk, the groups that get extra weight.
    pub fn needs_extra(self) -> bool {
        matches!(self, ChapterHealth::New | ChapterHealth::AtRisk)
    }
}

/// What triage needs to know about a chapter. A request's chapter need not be
/// listed; unlisted chapters have no cohort, health `steady` and no mentor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChapterInfo {
    /// The chapter's node id.
    pub id: NodeId,
    /// The staff support cohort it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
    /// Its health status.
    #[serde(default)]
    pub health: ChapterHealth,
    /// Its staff mentor, if one is assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentor: Option<PersonId>,
}

/// A staff member available today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    /// Their person id.
    pub id: PersonId,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Minutes available today (before the interruption reserve).
    pub minutes: u32,
    /// The cohorts they support; empty means a generalist who takes any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cohorts: Vec<String>,
    /// Minutes a week they can give to mentoring chapters (0: not a mentor).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mentoring_minutes: u32,
}

impl Staff {
    /// The name if given, else the id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(self.id.as_str())
    }

    /// True when this staff member takes work for chapters of `cohort`.
    pub fn serves(&self, cohort: Option<&str>) -> bool {
        match cohort {
            _ if self.cohorts.is_empty() => true,
            Some(c) => self.cohorts.iter().any(|x| x == c),
            None => false,
        }
    }
}

/// The staff file: `{"staff": [ ... ]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StaffRoster {
    /// The staff members.
    pub staff: Vec<Staff>,
}

impl StaffRoster {
    /// Reads `{"staff": [...]}`; errors name the staff member and field.
    pub fn from_json(text: &str) -> Result<StaffRoster, TriageError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            #[serde(default)]
            staff: Vec<serde_json::Value>,
        }
        let raw: Raw = read_document(text)?;
        let staff = parse_staff(raw.staff)?;
        Ok(StaffRoster { staff })
    }
}

/// Everything a plan reads besides the config and `now`: the open requests,
/// chapter facts, staff and the fairness state carried from the previous plan.
///
/// In JSON (`requests.json`):
/// `{"as_of": ..., "chapters": [...], "requests": [...], "staff": [...], "fairness": {...}}`,
/// every member optional. `as_of` is when the batch was exported; the plan
/// still takes `now` as an argument.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TriageInput {
    /// When the batch was exported (informational).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<DateTime<Utc>>,
    /// Facts about chapters (cohort, health, mentor).
    pub chapters: Vec<ChapterInfo>,
    /// The open requests.
    pub requests: Vec<Request>,
    /// Staff available today.
    pub staff: Vec<Staff>,
    /// Deficits carried from the previous plan.
    pub fairness: FairnessState,
}

impl TriageInput {
    /// Reads a request batch. Malformed records give an error naming the
    /// request (or chapter, or staff member) and the field.
    pub fn from_json(text: &str) -> Result<TriageInput, TriageError> {
        // Fast path: read the typed records directly. Only when that fails is
        // the document read again record by record, to name the bad one.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Typed {
            #[serde(default)]
            as_of: Option<DateTime<Utc>>,
            #[serde(default)]
            chapters: Vec<ChapterInfo>,
            #[serde(default)]
            requests: Vec<Request>,
            #[serde(default)]
            staff: Vec<Staff>,
            #[serde(default)]
            fairness: FairnessState,
        }
        if let Ok(t) = serde_json::from_str::<Typed>(text) {
            let input = TriageInput {
                as_of: t.as_of,
                chapters: t.chapters,
                requests: t.requests,
                staff: t.staff,
                fairness: t.fairness,
            };
            input.validate()?;
            return Ok(input);
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            #[serde(default)]
            as_of: Option<DateTime<Utc>>,
            #[serde(default)]
            chapters: Vec<serde_json::Value>,
            #[serde(default)]
            requests: Vec<serde_json::Value>,
            #[serde(default)]
            staff: Vec<serde_json::Value>,
            #[serde(default)]
            fairness: Option<serde_json::Value>,
        }
        let raw: Raw = read_document(text)?;
        if raw.requests.len() > MAX_REQUESTS {
            return Err(TriageError::TooManyRequests {
                count: raw.requests.len(),
                limit: MAX_REQUESTS,
            });
        }
        let mut requests = Vec::with_capacity(raw.requests.len());
        for (i, v) in raw.requests.into_iter().enumerate() {
            let label = label_of(&v, i);
            let r: Request =
                from_value(v).map_err(|(field, reason)| TriageError::InvalidRequest {
                    request: label,
                    field,
                    reason,
                })?;
            requests.push(r);
        }
        let mut chapters = Vec::with_capacity(raw.chapters.len());
        for (i, v) in raw.chapters.into_iter().enumerate() {
            let label = label_of(&v, i);
            let c: ChapterInfo =
                from_value(v).map_err(|(field, reason)| TriageError::InvalidChapter {
                    chapter: label,
                    field,
                    reason,
                })?;
            chapters.push(c);
        }
        let staff = parse_staff(raw.staff)?;
        let fairness = match raw.fairness {
            None => FairnessState::default(),
            Some(v) => from_value(v).map_err(|(field, reason)| TriageError::InvalidFairness {
                reason: format!("field {field}: {reason}"),
            })?,
        };
        let input = TriageInput {
            as_of: raw.as_of,
            chapters,
            requests,
            staff,
            fairness,
        };
        input.validate()?;
        Ok(input)
    }

    /// The input as JSON in the form [`TriageInput::from_json`] reads.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks every record: ids unique, minutes in range, due not before
    /// created, texts short, mentors on the staff list. `plan` calls it too.
    pub fn validate(&self) -> Result<(), TriageError> {
        if self.requests.len() > MAX_REQUESTS {
            return Err(TriageError::TooManyRequests {
                count: self.requests.len(),
                limit: MAX_REQUESTS,
            });
        }
        let mut ids: HashSet<&str, BuildHasherDefault<Fnv>> =
            HashSet::with_capacity_and_hasher(self.requests.len(), BuildHasherDefault::default());
        for r in &self.requests {
            if !ids.insert(r.id.as_str()) {
                return Err(TriageError::DuplicateRequest {
                    request: r.id.to_string(),
                });
            }
            let bad = |field: &str, reason: String| TriageError::InvalidRequest {
                request: r.id.to_string(),
                field: field.into(),
                reason,
            };
            if r.minutes == 0 || r.minutes > MAX_REQUEST_MINUTES {
                return Err(bad(
                    "minutes",
                    format!(
                        "must be between 1 and {MAX_REQUEST_MINUTES}, not {}",
                        r.minutes
                    ),
                ));
            }
            if let Some(due) = r.due
                && due < r.created
            {
                return Err(bad("due", "is earlier than created".into()));
            }
            if let Some(t) = &r.title
                && t.len() > MAX_TEXT
            {
                return Err(bad("title", "is longer than 500 bytes".into()));
            }
        }
        let mut staff_ids = BTreeSet::new();
        for s in &self.staff {
            check_staff(s)?;
            if !staff_ids.insert(s.id.as_str()) {
                return Err(TriageError::DuplicateStaff {
                    staff: s.id.to_string(),
                });
            }
        }
        let mut chapter_ids = BTreeSet::new();
        for c in &self.chapters {
            if !chapter_ids.insert(c.id.as_str()) {
                return Err(TriageError::DuplicateChapter {
                    chapter: c.id.to_string(),
                });
            }
            if let Some(cohort) = &c.cohort
                && (cohort.is_empty() || cohort.len() > MAX_TEXT)
            {
                return Err(TriageError::InvalidChapter {
                    chapter: c.id.to_string(),
                    field: "cohort".into(),
                    reason: "must be 1 to 500 bytes".into(),
                });
            }
            if let Some(m) = &c.mentor
                && !staff_ids.contains(m.as_str())
            {
                return Err(TriageError::UnknownMentor {
                    chapter: c.id.to_string(),
                    mentor: m.to_string(),
                });
            }
        }
        self.fairness.validate()
    }
}

fn check_staff(s: &Staff) -> Result<(), TriageError> {
    let bad = |field: &str, reason: &str| TriageError::InvalidStaff {
        staff: s.id.to_string(),
        field: field.into(),
        reason: reason.into(),
    };
    if s.minutes > 24 * 60 {
        return Err(bad("minutes", "must be at most 1440 (one day)"));
    }
    if s.mentoring_minutes > 7 * 24 * 60 {
        return Err(bad("mentoring_minutes", "must be at most 10080 (one week)"));
    }
    if s.name.as_ref().is_some_and(|n| n.len() > MAX_TEXT) {
        return Err(bad("name", "is longer than 500 bytes"));
    }
    if s.cohorts.iter().any(|c| c.is_empty() || c.len() > MAX_TEXT) {
        return Err(bad("cohorts", "each cohort must be 1 to 500 bytes"));
    }
    Ok(())
}

fn parse_staff(values: Vec<serde_json::Value>) -> Result<Vec<Staff>, TriageError> {
    let mut staff = Vec::with_capacity(values.len());
    for (i, v) in values.into_iter().enumerate() {
        let label = label_of(&v, i);
        let s: Staff = from_value(v).map_err(|(field, reason)| TriageError::InvalidStaff {
            staff: label,
            field,
            reason,
        })?;
        check_staff(&s)?;
        staff.push(s);
    }
    Ok(staff)
}

/// The record's `id` when it is a usable string, else `#index`.
fn label_of(v: &serde_json::Value, index: usize) -> String {
    match v.get("id").and_then(serde_json::Value::as_str) {
        Some(id) if id_problem(id).is_none() => id.to_owned(),
        _ => format!("#{index}"),
    }
}

/// Deserializes one record, giving the failing field's path and the reason.
fn from_value<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let reason = e.inner().to_string();
        let field = if path == "." {
            // A missing field is reported at the record; name it from the message.
            reason
                .strip_prefix("missing field `")
                .and_then(|r| r.split('`').next())
                .map(str::to_owned)
                .unwrap_or_else(|| ".".into())
        } else {
            path
        };
        (field, reason.replace('`', ""))
    })
}

fn read_document<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, TriageError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        let message = inner.to_string();
        let message = match message.rfind(" at line ") {
            Some(cut) => message.get(..cut).unwrap_or(&message).to_owned(),
            None => message,
        };
        TriageError::Malformed {
            path: if path.is_empty() { ".".into() } else { path },
            line: inner.line(),
            column: inner.column(),
            message: message.replace('`', ""),
        }
    })
}

/// FNV-1a: a fixed hasher, so the planner draws no random seeds.
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
