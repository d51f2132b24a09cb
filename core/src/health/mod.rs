//! Group-health scoring: explainable scores, statuses with hysteresis, interventions.

use crate::error::ErrorKind;

/// An error in health input or model configuration.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HealthError {
    /// Placeholder until the health module lands.
    #[error("invalid health model: {0}")]
    InvalidModel(String),
}

impl HealthError {
    /// The stable classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            HealthError::InvalidModel(_) => ErrorKind::InvalidValue,
        }
    }
}
