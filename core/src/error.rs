//! The crate-wide error type and its stable classification.
//!
//! Each area has its own error enum with structured fields (`NetworkError`,
//! `SnapshotError`, `access::PolicyError`, …). [`Error`] wraps them all, and
//! [`Error::kind`] reduces any of them to a small [`ErrorKind`] that every
//! binding maps to its own error type (a C status, a JS `code`, a Python
//! exception class). Messages are lowercase plain words that name the
//! offending id, field or position.

use crate::network::NetworkError;
use crate::snapshot::SnapshotError;

/// A stable, binding-friendly classification of every error the library returns.
///
/// New kinds may be added in later versions; bindings map unknown kinds to a
/// generic error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// Input could not be parsed: malformed JSON or CSV, wrong value types.
    Parse,
    /// A snapshot declares a format version this library does not read.
    UnsupportedVersion,
    /// An id (node, person, role, capability, tag, request) does not exist.
    NotFound,
    /// An id is already taken.
    AlreadyExists,
    /// A field's value is malformed or out of range (an id, a slug, a date).
    InvalidValue,
    /// The change would break the tree: a cycle, a second root, a wrong parent.
    InvalidStructure,
    /// The status machine does not allow this transition.
    InvalidTransition,
    /// A territory's geometry is invalid.
    InvalidGeometry,
    /// The policy (roles, capabilities, rules, grants) is inconsistent.
    InvalidPolicy,
    /// The acting person may not do this.
    PermissionDenied,
    /// Input exceeds a configured limit (bytes, nodes, vertices, depth, rows).
    LimitExceeded,
}

impl ErrorKind {
    /// Every kind, in declaration order (for bindings that build a table).
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::Parse,
        ErrorKind::UnsupportedVersion,
        ErrorKind::NotFound,
        ErrorKind::AlreadyExists,
        ErrorKind::InvalidValue,
        ErrorKind::InvalidStructure,
        ErrorKind::InvalidTransition,
        ErrorKind::InvalidGeometry,
        ErrorKind::InvalidPolicy,
        ErrorKind::PermissionDenied,
        ErrorKind::LimitExceeded,
    ];

    /// The stable snake_case name of the kind (`"not_found"`), used as the
    /// `code` in JS and in conformance vectors.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Parse => "parse",
            ErrorKind::UnsupportedVersion => "unsupported_version",
            ErrorKind::NotFound => "not_found",
            ErrorKind::AlreadyExists => "already_exists",
            ErrorKind::InvalidValue => "invalid_value",
            ErrorKind::InvalidStructure => "invalid_structure",
            ErrorKind::InvalidTransition => "invalid_transition",
            ErrorKind::InvalidGeometry => "invalid_geometry",
            ErrorKind::InvalidPolicy => "invalid_policy",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::LimitExceeded => "limit_exceeded",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Any error the library returns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A network mutation or query was rejected.
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// A snapshot could not be read.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// A policy, grant or permission error.
    #[error(transparent)]
    Access(#[from] crate::access::AccessError),
    /// A territory's geometry was rejected.
    #[error(transparent)]
    Territory(#[from] crate::territory::TerritoryError),
    /// Health input or model was rejected.
    #[error(transparent)]
    Health(#[from] crate::health::HealthError),
    /// Triage input or configuration was rejected.
    #[error(transparent)]
    Triage(#[from] crate::triage::TriageError),
    /// An input exceeded a configured limit.
    #[error(transparent)]
    Limit(#[from] crate::limits::LimitError),
}

impl Error {
    /// The stable classification of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Network(e) => e.kind(),
            Error::Snapshot(e) => e.kind(),
            Error::Access(e) => e.kind(),
            Error::Territory(e) => e.kind(),
            Error::Health(e) => e.kind(),
            Error::Triage(e) => e.kind(),
            Error::Limit(e) => e.kind(),
        }
    }
}

/// Shorthand for results whose error is the crate-wide [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
