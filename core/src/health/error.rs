//! The health module's error type.

use crate::error::ErrorKind;

/// An error in health input, facts or model configuration.
///
/// Messages are lowercase plain words naming the offending field, group,
/// row (a 0-based index into the columns given) or CSV line and column.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HealthError {
    /// A model setting is out of range or inconsistent with another.
    #[error("invalid health model: {field} {reason}")]
    InvalidModel {
        /// The setting, as a JSON path (`weights.activity`).
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A model, facts or report document is not valid JSON of the right shape.
    #[error("cannot read {what} at {path} (line {line}, column {column}): {message}")]
    Json {
        /// What was being read: `"health model"`, `"group facts"`.
        what: &'static str,
        /// The JSON path of the offending value (`groups[2].created`).
        path: String,
        /// 1-based line in the JSON text.
        line: usize,
        /// 1-based column in the JSON text.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// A group's facts are invalid.
    #[error("invalid facts for group {group:?}: {field} {reason}")]
    InvalidFacts {
        /// The group id.
        group: String,
        /// The field (`pauses[1]`, `leaders`).
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The same group appears twice in the facts.
    #[error("group {group:?} appears twice in the facts")]
    DuplicateGroup {
        /// The repeated group id.
        group: String,
    },
    /// Columns of one batch have different lengths.
    #[error("column {column} has {found} rows, but column group has {expected}")]
    ColumnLength {
        /// The column whose length differs.
        column: &'static str,
        /// The number of rows in the group column.
        expected: usize,
        /// The number of rows in this column.
        found: usize,
    },
    /// One row of an activity batch is invalid; nothing of the batch was added.
    #[error("row {row}, column {column}: {reason}")]
    InvalidRow {
        /// 0-based index of the row in the batch.
        row: usize,
        /// The column: `group`, `time`, `kind`, `value` or `actor`.
        column: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// A kind name that is not one of the activity kinds.
    #[error(
        "unknown activity kind {found:?} (expected one of event_held, member_joined, member_left, leader_action, post, petition_started, action_reported, win)"
    )]
    UnknownKind {
        /// The text found (cut to 80 characters).
        found: String,
    },
    /// The CSV header is not `group,time,kind,value,actor`.
    #[error("csv header: {reason}")]
    CsvHeader {
        /// What is missing or unexpected.
        reason: String,
    },
    /// A CSV cell or line is invalid; `line` is 1-based and counts the header.
    #[error("csv line {line}, column {column}: {reason}")]
    Csv {
        /// 1-based line number in the file (the header is line 1).
        line: u64,
        /// The column name (`time`), or `"*"` when the line itself is malformed.
        column: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// More distinct groups or people than the scorer can index (2^32 - 1).
    #[error("too many distinct {what} (the limit is 4294967294)")]
    TooMany {
        /// `"groups"` or `"people"`.
        what: &'static str,
    },
    /// The input exceeds a configured limit (bytes or rows).
    #[error(transparent)]
    Limit(#[from] crate::LimitError),
}

impl HealthError {
    /// The stable classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            HealthError::InvalidModel { .. }
            | HealthError::InvalidFacts { .. }
            | HealthError::ColumnLength { .. }
            | HealthError::InvalidRow { .. }
            | HealthError::UnknownKind { .. } => ErrorKind::InvalidValue,
            HealthError::Json { .. } | HealthError::CsvHeader { .. } | HealthError::Csv { .. } => {
                ErrorKind::Parse
            }
            HealthError::DuplicateGroup { .. } => ErrorKind::AlreadyExists,
            HealthError::TooMany { .. } | HealthError::Limit(_) => ErrorKind::LimitExceeded,
        }
    }

    pub(crate) fn model(field: impl Into<String>, reason: impl Into<String>) -> HealthError {
        HealthError::InvalidModel {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn row(row: usize, column: &'static str, reason: impl Into<String>) -> HealthError {
        HealthError::InvalidRow {
            row,
            column,
            reason: reason.into(),
        }
    }

    pub(crate) fn json(what: &'static str, path: String, e: &serde_json::Error) -> HealthError {
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(cut) => message.get(..cut).unwrap_or(&message).to_owned(),
            None => message,
        };
        HealthError::Json {
            what,
            path: if path.is_empty() { ".".into() } else { path },
            line: e.line(),
            column: e.column(),
            message,
        }
    }
}

/// Cuts user text to 80 characters for an error message.
pub(crate) fn cut(s: &str) -> String {
    s.chars().take(80).collect()
}
