//! Per-group facts that the activity log does not carry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::HealthError;
use super::report::Status;
use crate::id::{NodeId, PersonId};

/// What the scorer needs to know besides the activity log: the staff (whose
/// activity is excluded) and, per group, its creation time, leaders, pauses,
/// cohort and last status.
///
/// Groups may appear in the log without facts, and in the facts without
/// activity (they are scored too, usually as dormant).
///
/// ```
/// use chapterhouse::health::Facts;
/// let facts = Facts::from_json(r#"{
///   "staff": ["staff-1"],
///   "groups": [{"group": "ch-1", "created": "2024-03-01T00:00:00Z",
///               "leaders": ["ana", "bo"], "previous_status": "steady",
///               "pauses": [{"from": "2026-07-01T00:00:00Z", "until": "2026-09-01T00:00:00Z"}]}]
/// }"#)?;
/// assert_eq!(facts.groups[0].leaders.as_ref().map(Vec::len), Some(2));
/// # Ok::<(), chapterhouse::health::HealthError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// Staff person ids; their activity rows are excluded from every score.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub staff: Vec<PersonId>,
    /// Facts per group (each group at most once).
    #[serde(default)]
    pub groups: Vec<GroupFacts>,
}

/// The facts about one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFacts {
    /// The group id, as in the activity log.
    pub group: NodeId,
    /// When the group was founded; when missing, its first counted activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// The staff support cohort (selects the cohort's attendance cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
    /// The current leaders. When given, only their `leader_action` rows
    /// count for leadership; when missing, everyone with a `leader_action`
    /// row counts as a leader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaders: Option<Vec<PersonId>>,
    /// Seasonal breaks, during which ages stop advancing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<Pause>,
    /// The status of the previous run (for hysteresis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<Status>,
}

impl GroupFacts {
    /// Facts with only the group id set.
    pub fn new(group: NodeId) -> GroupFacts {
        GroupFacts {
            group,
            created: None,
            cohort: None,
            leaders: None,
            pauses: Vec::new(),
            previous_status: None,
        }
    }
}

/// A pause window `[from, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pause {
    /// First instant of the pause.
    pub from: DateTime<Utc>,
    /// First instant after the pause.
    pub until: DateTime<Utc>,
}

impl Facts {
    /// Reads facts from JSON; errors name the JSON path, line and column.
    pub fn from_json(text: &str) -> Result<Facts, HealthError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let facts: Facts = serde_path_to_error::deserialize(de)
            .map_err(|e| HealthError::json("group facts", e.path().to_string(), e.inner()))?;
        facts.validate()?;
        Ok(facts)
    }

    /// Serializes the facts as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks that no group appears twice and every pause ends after it starts.
    pub fn validate(&self) -> Result<(), HealthError> {
        let mut ids: Vec<&str> = self.groups.iter().map(|g| g.group.as_str()).collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w.first() == w.last()) {
            return Err(HealthError::DuplicateGroup {
                group: w.first().copied().unwrap_or_default().to_owned(),
            });
        }
        for g in &self.groups {
            for (i, p) in g.pauses.iter().enumerate() {
                if p.until <= p.from {
                    return Err(HealthError::InvalidFacts {
                        group: g.group.to_string(),
                        field: format!("pauses[{i}]"),
                        reason: "ends before it starts".into(),
                    });
                }
            }
            if let Some(c) = &g.cohort
                && (c.is_empty() || c.len() > crate::id::MAX_ID_LEN)
            {
                return Err(HealthError::InvalidFacts {
                    group: g.group.to_string(),
                    field: "cohort".into(),
                    reason: "must be 1 to 200 bytes".into(),
                });
            }
        }
        Ok(())
    }
}
