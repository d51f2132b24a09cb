//! What the scorer returns: one explained report per group.

use std::fmt::{self, Write as _};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::HealthError;
use super::metrics::NetworkMetrics;
use super::model::Component;

/// A group's health status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Younger than the model's `new_group_days`; judged on onboarding
    /// milestones, never at risk or dormant by score.
    New,
    /// Scoring at or above the thriving level.
    Thriving,
    /// Between the at-risk and thriving levels.
    Steady,
    /// Scoring below the at-risk level.
    AtRisk,
    /// No leader action and no event for a long time (by evidence, not score).
    Dormant,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 5] = [
        Status::New,
        Status::Thriving,
        Status::Steady,
        Status::AtRisk,
        Status::Dormant,
    ];

    /// The snake_case name (`"at_risk"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Thriving => "thriving",
            Status::Steady => "steady",
            Status::AtRisk => "at_risk",
            Status::Dormant => "dormant",
        }
    }

    /// The name in plain words (`"at risk"`).
    pub fn label(self) -> &'static str {
        match self {
            Status::AtRisk => "at risk",
            other => other.as_str(),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What staff should do for a group, by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intervention {
    /// New: an onboarding call and a mentor.
    OnboardingCall,
    /// Thriving: recognition, and buddying with a newer group.
    RecognitionAndBuddying,
    /// Steady: a monthly check-in.
    MonthlyCheckIn,
    /// Steady with one active leader: check-in, and ease a member into hosting an event.
    CheckInAndGrowHost,
    /// At risk: the mentor contacts the leader within 7 days.
    MentorContact,
    /// Dormant: call for a new leader, then archive (reversibly).
    CallForNewLeader,
}

impl Intervention {
    /// The snake_case code (`"mentor_contact"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Intervention::OnboardingCall => "onboarding_call",
            Intervention::RecognitionAndBuddying => "recognition_and_buddying",
            Intervention::MonthlyCheckIn => "monthly_check_in",
            Intervention::CheckInAndGrowHost => "check_in_and_grow_host",
            Intervention::MentorContact => "mentor_contact",
            Intervention::CallForNewLeader => "call_for_new_leader",
        }
    }

    /// What to do, in plain words.
    pub fn text(self) -> &'static str {
        match self {
            Intervention::OnboardingCall => "onboarding call and a mentor",
            Intervention::RecognitionAndBuddying => "recognition, and buddy it with a newer group",
            Intervention::MonthlyCheckIn => "monthly check-in",
            Intervention::CheckInAndGrowHost => {
                "monthly check-in; ease a member into hosting one event"
            }
            Intervention::MentorContact => "mentor contacts the leader within 7 days",
            Intervention::CallForNewLeader => {
                "call for a new leader, then archive (reversibly) if no one steps up"
            }
        }
    }

    /// The intervention for a status (`bus_factor`: at most one active leader).
    pub fn for_status(status: Status, bus_factor: bool) -> Intervention {
        match status {
            Status::New => Intervention::OnboardingCall,
            Status::Thriving => Intervention::RecognitionAndBuddying,
            Status::Steady if bus_factor => Intervention::CheckInAndGrowHost,
            Status::Steady => Intervention::MonthlyCheckIn,
            Status::AtRisk => Intervention::MentorContact,
            Status::Dormant => Intervention::CallForNewLeader,
        }
    }
}

/// Recent activity against the longer run: shown, never scored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// The recent window in days (14 by default).
    pub recent_days: u32,
    /// The long window in days (90 by default).
    pub baseline_days: u32,
    /// Counted facts in the recent window (posts after the daily cap).
    pub recent: u32,
    /// Counted facts in the long window.
    pub baseline: u32,
    /// Recent daily rate over the long window's daily rate (`None` without data).
    pub ratio: Option<f64>,
    /// The ratio in words.
    pub direction: TrendDirection,
}

/// Which way a group's activity is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendDirection {
    /// Recent rate at least 1.25 times the long-run rate.
    Rising,
    /// Within a quarter of the long-run rate.
    Flat,
    /// Recent rate at most 0.75 times the long-run rate.
    Falling,
    /// Too few facts to say.
    Unclear,
}

impl TrendDirection {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TrendDirection::Rising => "rising",
            TrendDirection::Flat => "flat",
            TrendDirection::Falling => "falling",
            TrendDirection::Unclear => "unclear",
        }
    }
}

/// One component of a group's score, explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentReport {
    /// Which component.
    pub component: Component,
    /// The component's own score, 0 to 100.
    pub score: f64,
    /// Its weight as a share of the total weight (0 to 1).
    pub weight: f64,
    /// Points it adds to the group score; a multiple of 1/1024, so the
    /// contributions add up to the score exactly in any order.
    pub contribution: f64,
    /// Points the group score would gain if this component were at 100.
    pub headroom: f64,
    /// The decayed count `S` (for leadership: `L`, the sum of leader recencies).
    pub decayed: f64,
    /// The saturation constant (`None` for leadership).
    pub k: Option<f64>,
    /// The raw facts in words.
    pub facts: String,
}

/// A group's onboarding milestones (new groups only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Onboarding {
    /// Milestones reached, in order.
    pub reached: Vec<Milestone>,
    /// The next milestone to reach (`None` when all are reached).
    pub next: Option<Milestone>,
}

/// An onboarding milestone of a new group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// A leader has acted.
    LeaderActive,
    /// The first event was held.
    FirstEvent,
    /// Five members joined.
    FiveMembers,
    /// A second leader has acted.
    SecondLeader,
}

impl Milestone {
    /// Every milestone, in the order a group usually reaches them.
    pub const ALL: [Milestone; 4] = [
        Milestone::LeaderActive,
        Milestone::FirstEvent,
        Milestone::FiveMembers,
        Milestone::SecondLeader,
    ];

    /// In plain words.
    pub fn label(self) -> &'static str {
        match self {
            Milestone::LeaderActive => "a leader active",
            Milestone::FirstEvent => "a first event",
            Milestone::FiveMembers => "five members",
            Milestone::SecondLeader => "a second leader",
        }
    }
}

/// One leader's recency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderRecency {
    /// The leader's person id.
    pub person: String,
    /// Whole days since their last counted action (pauses excluded); `None`
    /// if they never acted.
    pub days_since_action: Option<u32>,
}

/// Rows that were not counted, so nothing is dropped silently.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    /// Rows by staff.
    pub staff: u64,
    /// Rows dated after `now`.
    pub future: u64,
    /// `leader_action` rows by people not listed as the group's leaders.
    pub not_leader: u64,
}

/// The explained health of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupReport {
    /// The group id.
    pub group: String,
    /// Health score, 0 to 100: the sum of the contributions.
    pub score: f64,
    /// Status.
    pub status: Status,
    /// The status of the previous run, if known.
    pub previous_status: Option<Status>,
    /// Why the group has this status, in plain words.
    pub status_reason: String,
    /// What staff should do.
    pub intervention: Intervention,
    /// The intervention in plain words.
    pub intervention_text: String,
    /// The components, in [`Component::ALL`] order.
    pub components: Vec<ComponentReport>,
    /// Recent activity against the longer run.
    pub trend: Trend,
    /// Each current leader's recency, most recent first.
    pub leaders: Vec<LeaderRecency>,
    /// Leaders who acted within the model's `active_leader_days`.
    pub active_leaders: u32,
    /// At most one active leader.
    pub bus_factor: bool,
    /// Too few counted facts to judge with confidence.
    pub low_data: bool,
    /// Whole days since the group was created (pauses excluded), if known.
    pub age_days: Option<u32>,
    /// True when `now` falls inside one of the group's pauses.
    pub paused: bool,
    /// Whole days of pauses before `now` that ages skip.
    pub paused_days: u32,
    /// Onboarding milestones (new groups only).
    pub onboarding: Option<Onboarding>,
    /// Rows not counted.
    pub excluded: Excluded,
}

impl GroupReport {
    /// The component with the most headroom: where the score can gain most.
    /// Ties go to the earlier component.
    pub fn top_headroom(&self) -> Option<&ComponentReport> {
        self.components.iter().fold(None, |best, c| match best {
            Some(b) if b.headroom >= c.headroom => Some(b),
            _ => Some(c),
        })
    }

    /// The component report for `c`: found at its place in
    /// [`Component::ALL`] order, else by search.
    pub fn component(&self, c: Component) -> Option<&ComponentReport> {
        let place = Component::ALL.iter().position(|&x| x == c);
        match place.and_then(|i| self.components.get(i)) {
            Some(r) if r.component == c => Some(r),
            _ => self.components.iter().find(|r| r.component == c),
        }
    }

    /// The whole report in plain words, as an organizer would read it.
    pub fn explain(&self) -> String {
        let mut s = String::with_capacity(1024);
        self.explain_into(&mut s);
        s
    }

    /// [`GroupReport::explain`]'s text, appended to `s` (so that one buffer
    /// can hold many groups' texts).
    pub fn explain_into(&self, s: &mut String) {
        // Written piece by piece, without the formatting machinery: this
        // text is written for every group of every run.
        s.push_str(&self.group);
        s.push_str(": ");
        s.push_str(self.status.label());
        if let Some(p) = self.previous_status
            && p != self.status
        {
            s.push_str(" (was ");
            s.push_str(p.label());
            s.push(')');
        }
        // Scores are shown rounded down, as in the status reason, so that
        // "below 70" is never printed next to "70.0".
        s.push_str(", score ");
        push_tenths(s, floor1(self.score), 0);
        s.push_str(" of 100\n  why: ");
        s.push_str(&self.status_reason);
        s.push_str("\n  do:  ");
        s.push_str(&self.intervention_text);
        s.push('\n');
        for c in &self.components {
            s.push_str("  ");
            let name = c.component.as_str();
            s.push_str(name);
            push_spaces(s, 13usize.saturating_sub(name.chars().count()));
            push_tenths(s, floor1(c.contribution), 5);
            s.push_str(" of ");
            push_tenths(s, floor1(c.contribution + c.headroom), 4);
            s.push_str(" points (component ");
            push_whole(s, c.score.floor(), 3);
            s.push_str("/100): ");
            s.push_str(&c.facts);
            s.push('\n');
        }
        let t = &self.trend;
        s.push_str("  trend: ");
        push_count(s, u64::from(t.recent), "fact", "facts");
        s.push_str(" in the last ");
        push_u64(s, u64::from(t.recent_days));
        s.push_str(" days, ");
        push_u64(s, u64::from(t.baseline));
        s.push_str(" in the last ");
        push_u64(s, u64::from(t.baseline_days));
        s.push_str(" (");
        s.push_str(t.direction.as_str());
        s.push(')');
        let mut flags = 0;
        let mut flag = |s: &mut String| {
            s.push_str(if flags == 0 { "\n  flags: " } else { "; " });
            flags += 1;
        };
        if self.bus_factor {
            flag(s);
            s.push_str("bus factor (");
            push_u64(s, u64::from(self.active_leaders));
            s.push_str(if self.active_leaders == 1 {
                " active leader)"
            } else {
                " active leaders)"
            });
        }
        if self.low_data {
            flag(s);
            s.push_str("low data");
        }
        if self.paused {
            flag(s);
            s.push_str("paused now");
        }
        if self.paused_days > 0 {
            flag(s);
            s.push_str("ages skip ");
            push_count(s, u64::from(self.paused_days), "day", "days");
            s.push_str(" of pauses");
        }
        let ex = self.excluded;
        if ex.staff + ex.future + ex.not_leader > 0 {
            s.push_str("\n  not counted: ");
            push_u64(s, ex.staff);
            s.push_str(" staff rows, ");
            push_u64(s, ex.future);
            s.push_str(" future rows, ");
            push_u64(s, ex.not_leader);
            s.push_str(" leader actions by non-leaders");
        }
    }
}

/// The result of a scoring run: every group's report and the network metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthReport {
    /// The time the scores are for.
    pub as_of: DateTime<Utc>,
    /// One report per group, sorted by group id.
    pub groups: Vec<GroupReport>,
    /// Network-wide metrics.
    pub metrics: NetworkMetrics,
}

impl HealthReport {
    /// The report of one group.
    pub fn group(&self, id: &str) -> Option<&GroupReport> {
        self.groups
            .binary_search_by(|g| g.group.as_str().cmp(id))
            .ok()
            .and_then(|i| self.groups.get(i))
    }

    /// The groups by score, highest first (ties by group id).
    pub fn by_score(&self) -> Vec<&GroupReport> {
        let mut v: Vec<&GroupReport> = self.groups.iter().collect();
        v.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.group.cmp(&b.group)));
        v
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a report written by [`HealthReport::to_json`].
    pub fn from_json(text: &str) -> Result<HealthReport, HealthError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de)
            .map_err(|e| HealthError::json("health report", e.path().to_string(), e.inner()))
    }
}

/// `v` rounded down to one decimal.
pub(crate) fn floor1(v: f64) -> f64 {
    (v * 10.0).floor() / 10.0
}

/// `{v:.1}` from the integer, for non-negative values that are (within
/// rounding) a whole number of tenths below 10^15 tenths; `None` for others.
fn tenths_digits(v: f64) -> Option<Digits> {
    let tenths = v * 10.0;
    let near = tenths.round();
    // Only where the value is (within rounding) a whole number of tenths
    // is the integer's text sure to be `{:.1}`'s.
    if (0.0..1e15).contains(&near) && !v.is_sign_negative() && (tenths - near).abs() < 1e-6 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let t = near as u64;
        let mut buf = Digits::new();
        buf.push_digits(t % 10);
        buf.push(b'.');
        buf.push_digits(t / 10);
        Some(buf)
    } else {
        None
    }
}

/// `{v:.0}` from the integer, for whole numbers in `-10^15..10^15`.
fn whole_digits(v: f64) -> Option<Digits> {
    if v.fract() != 0.0 || v.abs() >= 1e15 {
        return None;
    }
    let mut buf = Digits::new();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    buf.push_digits(v.abs() as u64);
    if v.is_sign_negative() {
        buf.push(b'-');
    }
    Some(buf)
}

/// A short number's text, written from its last character back (no
/// allocation): room for a sign, 20 digits, a point and a fraction digit.
struct Digits {
    buf: [u8; 24],
    at: usize,
}

impl Digits {
    fn new() -> Digits {
        Digits {
            buf: [b'0'; 24],
            at: 24,
        }
    }

    fn push(&mut self, c: u8) {
        self.at = self.at.saturating_sub(1);
        if let Some(b) = self.buf.get_mut(self.at) {
            *b = c;
        }
    }

    /// `n`'s decimal digits, before what is written so far.
    #[allow(clippy::cast_possible_truncation)] // a digit
    fn push_digits(&mut self, mut n: u64) {
        loop {
            self.push(b'0' + (n % 10) as u8);
            n /= 10;
            if n == 0 {
                return;
            }
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(self.buf.get(self.at..).unwrap_or_default()).unwrap_or_default()
    }
}

/// "today", "1 day ago", "12 days ago".
#[cfg(test)]
pub(crate) fn days_ago(days: u64) -> String {
    let mut s = String::new();
    push_days_ago(&mut s, days);
    s
}

/// "1 event", "3 events".
#[cfg(test)]
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    let mut s = String::new();
    push_count(&mut s, n, one, many);
    s
}

/// A number without a trailing ".0" when it is whole.
pub(crate) fn num(v: f64) -> String {
    let mut s = String::new();
    push_num(&mut s, v);
    s
}

// Text written straight into a buffer: the report's words are written
// several times for every group, so without the formatting machinery and
// without temporary strings. Each writes what the `format!` named beside
// it writes (property tests below).

/// `n` as `{n}` writes it.
pub(crate) fn push_u64(s: &mut String, n: u64) {
    let mut digits = Digits::new();
    digits.push_digits(n);
    s.push_str(digits.as_str());
}

/// [`days_ago`]'s text.
pub(crate) fn push_days_ago(s: &mut String, days: u64) {
    match days {
        0 => s.push_str("today"),
        1 => s.push_str("1 day ago"),
        n => {
            push_u64(s, n);
            s.push_str(" days ago");
        }
    }
}

/// [`count`]'s text.
pub(crate) fn push_count(s: &mut String, n: u64, one: &str, many: &str) {
    push_counted(s, n == 1, |s| push_u64(s, n), one, many);
}

/// [`push_count`] of a count that may be fractional (decayed counts),
/// written as [`push_num`] writes it.
pub(crate) fn push_count_num(s: &mut String, v: f64, one: &str, many: &str) {
    push_counted(s, v == 1.0, |s| push_num(s, v), one, many);
}

/// "1 `one`", or the number `push` writes and `many`.
#[inline]
fn push_counted(
    s: &mut String,
    is_one: bool,
    push: impl FnOnce(&mut String),
    one: &str,
    many: &str,
) {
    if is_one {
        s.push_str("1 ");
        s.push_str(one);
    } else {
        push(s);
        s.push(' ');
        s.push_str(many);
    }
}

/// [`num`]'s text: `{v:.0}` when `v` is whole, else `{v:.1}`.
pub(crate) fn push_num(s: &mut String, v: f64) {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        // Whole and below 2^53: the integer prints the same digits, without
        // the exact float formatting (only -0 keeps its sign that way).
        if v.is_sign_negative() {
            s.push('-');
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        push_u64(s, v.abs() as u64);
    } else {
        let _ = write!(s, "{v:.1}");
    }
}

/// `n` spaces.
fn push_spaces(s: &mut String, n: usize) {
    for _ in 0..n {
        s.push(' ');
    }
}

/// `text` right-aligned in `width` characters (all ASCII here).
fn push_right(s: &mut String, text: &str, width: usize) {
    push_spaces(s, width.saturating_sub(text.len()));
    s.push_str(text);
}

/// `{v:>width$.1}`: tenths in `0..10^15` printed from the integer,
/// without the exact float formatting `{:.1}` runs.
pub(crate) fn push_tenths(s: &mut String, v: f64, width: usize) {
    match tenths_digits(v) {
        Some(d) => push_right(s, d.as_str(), width),
        None => push_right(s, &format!("{v:.1}"), width),
    }
}

/// `{v:>width$.0}`: whole numbers in `-10^15..10^15` printed from the
/// integer, without the exact float formatting `{:.0}` runs.
pub(crate) fn push_whole(s: &mut String, v: f64, width: usize) {
    match whole_digits(v) {
        Some(d) => push_right(s, d.as_str(), width),
        None => push_right(s, &format!("{v:.0}"), width),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// [`push_tenths`]'s text alone.
    fn tenths(v: f64, width: usize) -> String {
        let mut s = String::new();
        push_tenths(&mut s, v, width);
        s
    }

    /// [`push_whole`]'s text alone.
    fn whole_text(v: f64, width: usize) -> String {
        let mut s = String::new();
        push_whole(&mut s, v, width);
        s
    }

    proptest! {
        /// The integer paths print what the float formatting prints.
        #[test]
        fn numbers_print_as_float_formatting_does(v in -1e3f64..1e16, whole in -1e15f64..1e15) {
            let shown = floor1(v);
            prop_assert_eq!(tenths(shown, 0), format!("{shown:.1}"));
            prop_assert_eq!(tenths(shown, 7), format!("{shown:>7.1}"));
            prop_assert_eq!(tenths(v, 0), format!("{v:.1}"));
            let whole = whole.trunc();
            prop_assert_eq!(num(whole), format!("{whole:.0}"));
            prop_assert_eq!(whole_text(whole, 3), format!("{whole:>3.0}"));
            prop_assert_eq!(whole_text(v.floor(), 3), format!("{:>3.0}", v.floor()));
            prop_assert_eq!(whole_text(v, 0), format!("{v:.0}"));
            prop_assert_eq!(super::super::scorer::floor1_text(v), format!("{shown:.1}"));
        }
    }

    proptest! {
        /// Counted words read as the formatting machinery writes them.
        #[test]
        fn counts_read_as_formatted(n in prop_oneof![0u64..3, any::<u64>()]) {
            let days = match n {
                0 => "today".to_owned(),
                1 => "1 day ago".to_owned(),
                n => format!("{n} days ago"),
            };
            prop_assert_eq!(days_ago(n), days);
            let facts = if n == 1 { "1 fact".to_owned() } else { format!("{n} facts") };
            prop_assert_eq!(count(n, "fact", "facts"), facts);
        }

        /// Fractional (decayed) counts: "1 person" only for exactly one,
        /// else the number as `num` writes it.
        #[test]
        fn fractional_counts_read_as_formatted(v in prop_oneof![Just(1.0), Just(0.0), 0.0f64..3.0, -1e3f64..1e16]) {
            let mut s = String::new();
            push_count_num(&mut s, v, "person", "people");
            let expected = if v == 1.0 { "1 person".to_owned() } else { format!("{} people", num(v)) };
            prop_assert_eq!(s, expected);
        }
    }

    /// The explanation as the formatting machinery wrote it (the reference
    /// for [`GroupReport::explain_into`]).
    fn explain_by_format(r: &GroupReport) -> String {
        let mut s = String::new();
        let was = match r.previous_status {
            Some(p) if p != r.status => format!(" (was {})", p.label()),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "{}: {}{}, score {:.1} of 100",
            r.group,
            r.status.label(),
            was,
            floor1(r.score)
        );
        let _ = writeln!(s, "  why: {}", r.status_reason);
        let _ = writeln!(s, "  do:  {}", r.intervention_text);
        for c in &r.components {
            let _ = writeln!(
                s,
                "  {:<13}{:>5.1} of {:>4.1} points (component {:>3.0}/100): {}",
                c.component.as_str(),
                floor1(c.contribution),
                floor1(c.contribution + c.headroom),
                c.score.floor(),
                c.facts
            );
        }
        let t = &r.trend;
        let facts = if t.recent == 1 {
            "1 fact".to_owned()
        } else {
            format!("{} facts", t.recent)
        };
        let _ = write!(
            s,
            "  trend: {facts} in the last {} days, {} in the last {} ({})",
            t.recent_days,
            t.baseline,
            t.baseline_days,
            t.direction.as_str()
        );
        let mut flags = Vec::new();
        if r.bus_factor {
            flags.push(format!(
                "bus factor ({} active {})",
                r.active_leaders,
                if r.active_leaders == 1 {
                    "leader"
                } else {
                    "leaders"
                }
            ));
        }
        if r.low_data {
            flags.push("low data".to_owned());
        }
        if r.paused {
            flags.push("paused now".to_owned());
        }
        if r.paused_days > 0 {
            let days = if r.paused_days == 1 {
                "1 day".to_owned()
            } else {
                format!("{} days", r.paused_days)
            };
            flags.push(format!("ages skip {days} of pauses"));
        }
        if !flags.is_empty() {
            let _ = write!(s, "\n  flags: {}", flags.join("; "));
        }
        let ex = r.excluded;
        if ex.staff + ex.future + ex.not_leader > 0 {
            let _ = write!(
                s,
                "\n  not counted: {} staff rows, {} future rows, {} leader actions by non-leaders",
                ex.staff, ex.future, ex.not_leader
            );
        }
        s
    }

    fn a_status() -> impl Strategy<Value = Status> {
        prop::sample::select(Status::ALL.to_vec())
    }

    /// Scores as the scorer makes them (multiples of 1/1024 in 0..=100),
    /// and any float now and then.
    fn a_score() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => (0u32..=102_400).prop_map(|n| f64::from(n) / 1024.0),
            1 => any::<f64>(),
            1 => prop::sample::select(vec![0.0, -0.0, 99.95, 100.0, 1e15, f64::NAN, f64::INFINITY]),
        ]
    }

    prop_compose! {
        fn a_report()(
            status in a_status(),
            previous in prop::option::of(a_status()),
            score in a_score(),
            parts in prop::collection::vec((a_score(), a_score(), a_score(), "[a-z ,()]{0,30}"), 0..=5),
            counts in (any::<u32>(), prop_oneof![0u32..3, any::<u32>()], any::<u32>(), any::<u32>()),
            flags in (any::<bool>(), any::<bool>(), any::<bool>(), prop_oneof![0u32..3, any::<u32>()]),
            leaders in prop_oneof![0u32..3, any::<u32>()],
            excluded in prop_oneof![Just((0u64, 0u64, 0u64)), (0u64..5, 0u64..5, 0u64..5), (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(a, b, c)| (u64::from(a), u64::from(b), u64::from(c)))],
            direction in prop::sample::select(vec![TrendDirection::Rising, TrendDirection::Flat, TrendDirection::Falling, TrendDirection::Unclear]),
        ) -> GroupReport {
            GroupReport {
                group: "g-1".into(),
                score,
                status,
                previous_status: previous,
                status_reason: "because".into(),
                intervention: Intervention::for_status(status, flags.0),
                intervention_text: Intervention::for_status(status, flags.0).text().into(),
                components: parts
                    .into_iter()
                    .zip(Component::ALL)
                    .map(|((contribution, headroom, score, facts), component)| ComponentReport {
                        component,
                        score,
                        weight: 0.25,
                        contribution,
                        headroom,
                        decayed: 0.0,
                        k: None,
                        facts,
                    })
                    .collect(),
                trend: Trend {
                    recent_days: counts.0,
                    baseline_days: counts.2,
                    recent: counts.1,
                    baseline: counts.3,
                    ratio: None,
                    direction,
                },
                leaders: Vec::new(),
                active_leaders: leaders,
                bus_factor: flags.0,
                low_data: flags.1,
                age_days: None,
                paused: flags.2,
                paused_days: flags.3,
                onboarding: None,
                excluded: Excluded { staff: excluded.0, future: excluded.1, not_leader: excluded.2 },
            }
        }
    }

    proptest! {
        /// The explanation written piece by piece reads as the formatting
        /// machinery wrote it.
        #[test]
        fn explanations_read_as_formatted(r in a_report()) {
            prop_assert_eq!(r.explain(), explain_by_format(&r));
            let mut two = "before\n".to_owned();
            r.explain_into(&mut two);
            prop_assert_eq!(two, format!("before\n{}", explain_by_format(&r)));
        }

        /// Each number written into a buffer reads as its `format!`.
        #[test]
        fn pushed_numbers_read_as_formatted(
            v in prop_oneof![a_score(), -1e3f64..1e16, (-1e15f64..1e15).prop_map(f64::trunc)],
            n in prop_oneof![0u64..3, any::<u64>()],
            width in 0usize..8,
        ) {
            let pushed = |f: &dyn Fn(&mut String)| {
                let mut s = "x".to_owned();
                f(&mut s);
                s
            };
            prop_assert_eq!(pushed(&|s| push_u64(s, n)), format!("x{n}"));
            prop_assert_eq!(pushed(&|s| push_tenths(s, v, width)), format!("x{v:>width$.1}"));
            let shown = floor1(v);
            prop_assert_eq!(pushed(&|s| push_tenths(s, shown, width)), format!("x{shown:>width$.1}"));
            let whole = v.floor();
            prop_assert_eq!(pushed(&|s| push_whole(s, whole, width)), format!("x{whole:>width$.0}"));
            prop_assert_eq!(pushed(&|s| push_whole(s, v, width)), format!("x{v:>width$.0}"));
            let num_ref = if v.fract() == 0.0 && v.abs() < 1e15 { format!("{v:.0}") } else { format!("{v:.1}") };
            prop_assert_eq!(pushed(&|s| push_num(s, v)), format!("x{num_ref}"));
            let days = match n { 0 => "today".to_owned(), 1 => "1 day ago".to_owned(), n => format!("{n} days ago") };
            prop_assert_eq!(pushed(&|s| push_days_ago(s, n)), format!("x{days}"));
        }
    }

    #[test]
    fn numbers_at_the_edges() {
        for v in [
            0.0,
            -0.0,
            0.05,
            0.15,
            99.95,
            100.0,
            1e15,
            1e-300,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(tenths(v, 0), format!("{v:.1}"), "{v}");
            assert_eq!(tenths(floor1(v), 0), format!("{:.1}", floor1(v)), "{v}");
            assert_eq!(
                super::super::scorer::floor1_text(v),
                format!("{:.1}", floor1(v)),
                "{v}"
            );
            if v.fract() == 0.0 && v.abs() < 1e15 {
                assert_eq!(num(v), format!("{v:.0}"), "{v}");
            }
            for w in [v, -v, v.floor(), -v.floor()] {
                assert_eq!(whole_text(w, 0), format!("{w:.0}"), "{w}");
                assert_eq!(whole_text(w, 3), format!("{w:>3.0}"), "{w}");
            }
        }
    }
}
