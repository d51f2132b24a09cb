//! Action tiers and the daily review queue: capacity, fairness, aging, mentors.
//!
//! Invariants: [`plan`] is a pure function of its input, config and `now`
//! (any input order gives the same plan); queue minutes above the line never
//! exceed the plannable capacity, and no waiting item below the line would
//! fit in what is left; every P1 comes before every non-P1.
//!
//! # The daily plan in brief
//!
//! 1. Requests flagged safety/legal go to the **escalate now** lane (shown
//!    first, drawn from the interruption reserve, class P1).
//! 2. Every other request gets a class P1–P4 from impact (tier, day of action,
//!    reach) × urgency (time to due), each class with an SLA. Waiting promotes a
//!    request one class each time it has waited its class's SLA, never into P1.
//! 3. Within a class, requests are ordered by cost of delay over effort
//!    (integer arithmetic, cross-multiplied), ties by due, created, id; then a
//!    deficit round robin across chapters (deficits carried to the next day in
//!    [`FairnessState`]) keeps one chapter from taking everyone's share.
//! 4. Capacity: staff minutes minus a reserve for interruptions. P1 first,
//!    earliest due first (a P1 that fits nobody whole is started with what is
//!    left); the rest is shared P2:P3:P4 (6:3:1 by default, unused share flows
//!    on, P4 keeps a minimum when it has demand), each request routed to its
//!    chapter's mentor when they have room, else to the eligible staff member
//!    with the most spare minutes.
//!
//! ```
//! use chapterhouse::triage::{plan, TriageConfig, TriageInput};
//! let input = TriageInput::from_json(r#"{
//!   "chapters": [{"id": "ch-1", "cohort": "north", "health": "new"}],
//!   "staff": [{"id": "ana", "minutes": 300, "cohorts": ["north"]}],
//!   "requests": [
//!     {"id": "r-1", "kind": "event_approval", "chapter": "ch-1", "tier": 2,
//!      "created": "2026-10-30T09:00:00Z", "due": "2026-11-02T12:00:00Z", "minutes": 45}
//!   ]
//! }"#).unwrap();
//! let now = "2026-11-01T09:00:00Z".parse().unwrap();
//! let plan = plan(&input, &TriageConfig::default(), now).unwrap();
//! assert_eq!(plan.rows[0].request.as_str(), "r-1");
//! assert!(plan.rows[0].today);
//! assert!(plan.rows[0].reason.starts_with("P2: tier 2 × due in 1 day"));
//! ```

mod classify;
mod config;
mod drr;
mod input;
mod mentor;
mod output;
mod plan;

#[cfg(test)]
mod tests;

pub use classify::{Class, Urgency};
pub use config::{MentorConfig, TriageConfig};
pub use drr::{ClassFairness, FairnessState};
pub use input::{
    ChapterHealth, ChapterInfo, MAX_REQUEST_MINUTES, MAX_REQUESTS, Request, RequestId, RequestKind,
    Staff, StaffRoster, Tier, TriageInput,
};
pub use mentor::{MentorAssignment, MentorChange, MentorLoad, MentorPlan, assign_mentors};
pub use output::{
    Alert, Assignment, Capacity, ChapterMinutes, ClassMinutes, Lane, Line, Metrics, OldestWaiting,
    Plan, Row, StaffDay, TierMinutes,
};
pub use plan::plan;

use crate::error::ErrorKind;

/// An error in triage input or configuration. Messages name the offending
/// request, chapter or staff member and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TriageError {
    /// The JSON could not be read, or a value has the wrong shape outside any
    /// request, chapter or staff record.
    #[error("malformed triage input at {path} (line {line}, column {column}): {message}")]
    Malformed {
        /// JSON path of the offending value (`.` for the document).
        path: String,
        /// 1-based line, 0 when unknown.
        line: usize,
        /// 1-based column, 0 when unknown.
        column: usize,
        /// What was wrong, in plain words.
        message: String,
    },
    /// A request has a missing, malformed or out-of-range field.
    #[error("request {request}: field {field}: {reason}")]
    InvalidRequest {
        /// The request's id (or `#N`, its position, when it has no usable id).
        request: String,
        /// The field (`minutes`, `due`, `tier`, …).
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Two requests share an id.
    #[error("request {request} appears more than once")]
    DuplicateRequest {
        /// The repeated id.
        request: String,
    },
    /// A chapter record has a missing, malformed or out-of-range field.
    #[error("chapter {chapter}: field {field}: {reason}")]
    InvalidChapter {
        /// The chapter's id (or `#N`).
        chapter: String,
        /// The field.
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Two chapter records share an id.
    #[error("chapter {chapter} appears more than once")]
    DuplicateChapter {
        /// The repeated id.
        chapter: String,
    },
    /// A staff record has a missing, malformed or out-of-range field.
    #[error("staff member {staff}: field {field}: {reason}")]
    InvalidStaff {
        /// The staff member's id (or `#N`).
        staff: String,
        /// The field.
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Two staff records share an id.
    #[error("staff member {staff} appears more than once")]
    DuplicateStaff {
        /// The repeated id.
        staff: String,
    },
    /// A chapter names a mentor who is not on the staff list.
    #[error("chapter {chapter} names mentor {mentor}, who is not on the staff list")]
    UnknownMentor {
        /// The chapter.
        chapter: String,
        /// The missing staff member.
        mentor: String,
    },
    /// The carried fairness state is inconsistent.
    #[error("fairness state: {reason}")]
    InvalidFairness {
        /// What is wrong, naming the class and chapter.
        reason: String,
    },
    /// A configuration value is out of range.
    #[error("invalid triage config: field {field}: {reason}")]
    InvalidConfig {
        /// The config field.
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// More requests than [`MAX_REQUESTS`].
    #[error("too many requests: {count}; the limit is {limit}")]
    TooManyRequests {
        /// How many were given.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

impl TriageError {
    /// The stable classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            TriageError::Malformed { .. } => ErrorKind::Parse,
            TriageError::InvalidRequest { .. }
            | TriageError::InvalidChapter { .. }
            | TriageError::InvalidStaff { .. }
            | TriageError::InvalidFairness { .. }
            | TriageError::InvalidConfig { .. } => ErrorKind::InvalidValue,
            TriageError::DuplicateRequest { .. }
            | TriageError::DuplicateChapter { .. }
            | TriageError::DuplicateStaff { .. } => ErrorKind::AlreadyExists,
            TriageError::UnknownMentor { .. } => ErrorKind::NotFound,
            TriageError::TooManyRequests { .. } => ErrorKind::LimitExceeded,
        }
    }
}
