//! Permission rules: capabilities, roles, grants, forbid rules and explained decisions.

use chrono::{DateTime, Utc};

use crate::error::{Error, ErrorKind};
use crate::network::{Actor, Network, Op};

/// An error from policy loading, grant mutations or permission queries.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// Placeholder until the access module lands.
    #[error("unknown role {0:?}")]
    UnknownRole(String),
}

impl AccessError {
    /// The stable classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            AccessError::UnknownRole(_) => ErrorKind::NotFound,
        }
    }
}

/// The policy, people and grants of a network (placeholder: kept as given).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct AccessState {
    pub(crate) policy: Option<serde_json::Value>,
    pub(crate) people: Vec<serde_json::Value>,
    pub(crate) grants: Vec<serde_json::Value>,
}

/// Checks that `actor` may apply `op` (placeholder: everything is allowed).
pub(crate) fn authorize_op(
    _net: &Network,
    _op: &Op,
    _actor: &Actor,
    _now: DateTime<Utc>,
) -> Result<(), Error> {
    Ok(())
}
