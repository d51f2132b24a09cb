use crate::error::ErrorKind;

/// An error from policy loading, grant mutations or permission queries.
///
/// Messages are lowercase plain words naming the offending item: a policy
/// entry (`roles[3] (host)`), a grant, a person, a capability.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// A role name that the policy does not define.
    #[error("unknown role {0:?}")]
    UnknownRole(String),
    /// A capability name that the policy does not define.
    #[error("unknown capability {0:?}")]
    UnknownCapability(String),
    /// A person id that is not in the network's people.
    #[error("unknown person {0:?}")]
    UnknownPerson(String),
    /// A node id that is not in the network.
    #[error("unknown node {0:?}")]
    UnknownNode(String),
    /// A tag that no node carries.
    #[error("unknown tag {0:?}: no node carries it")]
    UnknownTag(String),
    /// A grant id that does not exist.
    #[error("unknown grant {0:?}")]
    UnknownGrant(String),
    /// An attestation the policy does not declare.
    #[error("unknown attestation {0:?}: the policy does not declare it")]
    UnknownAttestation(String),
    /// A grant id that is already taken.
    #[error("a grant with id {0:?} already exists")]
    DuplicateGrant(String),
    /// A person id that appears twice.
    #[error("person {0:?} appears more than once")]
    DuplicatePerson(String),
    /// The policy document is inconsistent.
    #[error("{item}: {reason}")]
    InvalidPolicy {
        /// The policy entry: `roles[3] (host)`, `forbid[1] (suspended)`, `capabilities`.
        item: String,
        /// What is wrong, in plain words.
        reason: String,
    },
    /// A grant breaks a rule of the policy or the network.
    #[error("grant {id:?}: {reason}")]
    InvalidGrant {
        /// The grant.
        id: String,
        /// What is wrong, in plain words.
        reason: String,
    },
    /// A grant whose validity ends before (or when) it starts.
    #[error("grant {id:?} ends ({until}) before it starts ({from})")]
    InvertedValidity {
        /// The grant.
        id: String,
        /// Its `valid_from`, RFC 3339.
        from: String,
        /// Its `valid_until`, RFC 3339.
        until: String,
    },
    /// A name (role, capability, rule, attestation, grant id) is malformed.
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidName {
        /// What was being named: `"capability"`, `"role"`, `"grant id"`.
        what: &'static str,
        /// The rejected text (cut to 80 characters).
        value: String,
        /// Why, in plain words.
        reason: &'static str,
    },
    /// A person record is invalid.
    #[error("person {id:?}: {reason}")]
    InvalidPerson {
        /// The person.
        id: String,
        /// What is wrong, in plain words.
        reason: String,
    },
    /// The policy defines more items than the engine supports.
    #[error("the policy defines {count} {what}; at most {max} are supported")]
    TooMany {
        /// `"capabilities"` or `"attestations"`.
        what: &'static str,
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The acting person may not perform the operation.
    #[error("person {person:?} may not {op}: {explanation}")]
    Denied {
        /// The acting person.
        person: String,
        /// The operation (`"approve ch-12"`).
        op: String,
        /// Why, in plain words (the decision's explanation).
        explanation: String,
    },
}

impl AccessError {
    /// The stable classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            AccessError::UnknownRole(_)
            | AccessError::UnknownCapability(_)
            | AccessError::UnknownPerson(_)
            | AccessError::UnknownNode(_)
            | AccessError::UnknownTag(_)
            | AccessError::UnknownGrant(_)
            | AccessError::UnknownAttestation(_) => ErrorKind::NotFound,
            AccessError::DuplicateGrant(_) | AccessError::DuplicatePerson(_) => {
                ErrorKind::AlreadyExists
            }
            AccessError::InvalidPolicy { .. } | AccessError::InvalidGrant { .. } => {
                ErrorKind::InvalidPolicy
            }
            AccessError::InvertedValidity { .. }
            | AccessError::InvalidName { .. }
            | AccessError::InvalidPerson { .. } => ErrorKind::InvalidValue,
            AccessError::TooMany { .. } => ErrorKind::LimitExceeded,
            AccessError::Denied { .. } => ErrorKind::PermissionDenied,
        }
    }
}

/// Something in a policy, its people or grants that is allowed but probably
/// a mistake (a role whose reserved capabilities are dropped at chapter
/// level, a grant on a tag no node carries, an undeclared attestation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccessWarning {
    /// Where: `roles[4] (mentor)`, `grants[7] (g-0008)`, `people[2] (p-0003)`.
    pub item: String,
    /// What, in plain words.
    pub message: String,
}

impl std::fmt::Display for AccessWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.item, self.message)
    }
}
