//! Action tiers and the daily review queue.

use crate::error::ErrorKind;

/// An error in triage input or configuration.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TriageError {
    /// Placeholder until the triage module lands.
    #[error("invalid triage config: {0}")]
    InvalidConfig(String),
}

impl TriageError {
    /// The stable classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            TriageError::InvalidConfig(_) => ErrorKind::InvalidValue,
        }
    }
}
