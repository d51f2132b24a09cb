//! Errors at the Python boundary: `chapterhouse.Error` and one subclass per
//! core `ErrorKind`, each with a class attribute `code` (the kind's stable
//! snake_case name, as in the other bindings).

use chapterhouse::ErrorKind;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyType;

create_exception!(
    chapterhouse,
    Error,
    PyException,
    "Base class of every error chapterhouse raises."
);
create_exception!(
    chapterhouse,
    ParseError,
    Error,
    "Input could not be parsed: malformed JSON or CSV, wrong value types."
);
create_exception!(
    chapterhouse,
    UnsupportedVersionError,
    Error,
    "A snapshot declares a format version this library does not read."
);
create_exception!(
    chapterhouse,
    NotFoundError,
    Error,
    "An id (node, person, role, capability, tag, request) does not exist."
);
create_exception!(
    chapterhouse,
    AlreadyExistsError,
    Error,
    "An id is already taken."
);
create_exception!(
    chapterhouse,
    InvalidValueError,
    Error,
    "A field's value is malformed or out of range."
);
create_exception!(
    chapterhouse,
    InvalidStructureError,
    Error,
    "The change would break the tree: a cycle, a second root, a wrong parent."
);
create_exception!(
    chapterhouse,
    InvalidTransitionError,
    Error,
    "The chapter status machine does not allow this transition."
);
create_exception!(
    chapterhouse,
    InvalidGeometryError,
    Error,
    "A territory's geometry is invalid."
);
create_exception!(
    chapterhouse,
    InvalidPolicyError,
    Error,
    "The policy (roles, capabilities, rules, grants) is inconsistent."
);
create_exception!(
    chapterhouse,
    PermissionDeniedError,
    Error,
    "The acting person may not do this."
);
create_exception!(
    chapterhouse,
    LimitExceededError,
    Error,
    "Input exceeds a configured limit."
);

/// The exception class of an error kind (the base class for a kind newer
/// than this binding).
fn exception_type(py: Python<'_>, kind: ErrorKind) -> Bound<'_, PyType> {
    match kind {
        ErrorKind::Parse => py.get_type::<ParseError>(),
        ErrorKind::UnsupportedVersion => py.get_type::<UnsupportedVersionError>(),
        ErrorKind::NotFound => py.get_type::<NotFoundError>(),
        ErrorKind::AlreadyExists => py.get_type::<AlreadyExistsError>(),
        ErrorKind::InvalidValue => py.get_type::<InvalidValueError>(),
        ErrorKind::InvalidStructure => py.get_type::<InvalidStructureError>(),
        ErrorKind::InvalidTransition => py.get_type::<InvalidTransitionError>(),
        ErrorKind::InvalidGeometry => py.get_type::<InvalidGeometryError>(),
        ErrorKind::InvalidPolicy => py.get_type::<InvalidPolicyError>(),
        ErrorKind::PermissionDenied => py.get_type::<PermissionDeniedError>(),
        ErrorKind::LimitExceeded => py.get_type::<LimitExceededError>(),
        _ => py.get_type::<Error>(),
    }
}

/// Adds the exception classes to the module and gives each its `code`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<Error>();
    base.setattr("code", py.None())?;
    m.add("Error", base)?;
    for kind in ErrorKind::ALL {
        let ty = exception_type(py, kind);
        ty.setattr("code", kind.as_str())?;
        m.add(ty.name()?, ty)?;
    }
    Ok(())
}

/// A library error on its way to becoming a Python exception.
pub(crate) struct PyFailure(chapterhouse::Error);

impl From<chapterhouse::Error> for PyFailure {
    fn from(e: chapterhouse::Error) -> Self {
        PyFailure(e)
    }
}

/// Each module's error converts through the crate-wide `Error`.
macro_rules! via_core_error {
    ($($t:ty),*) => {$(
        impl From<$t> for PyFailure {
            fn from(e: $t) -> Self {
                PyFailure(e.into())
            }
        }
    )*};
}

via_core_error!(
    chapterhouse::SnapshotError,
    chapterhouse::NetworkError,
    chapterhouse::access::AccessError,
    chapterhouse::territory::TerritoryError,
    chapterhouse::health::HealthError,
    chapterhouse::triage::TriageError
);

/// A `ParseError` raised by the binding itself: a table without a needed
/// column, a column of the wrong type, JSON of the wrong shape.
pub(crate) fn parse_error(message: String) -> PyErr {
    ParseError::new_err(message)
}

/// An `InvalidValueError` raised by the binding itself: a missing value, a
/// time that is not RFC 3339.
pub(crate) fn invalid_value(message: String) -> PyErr {
    InvalidValueError::new_err(message)
}

impl From<PyFailure> for PyErr {
    fn from(PyFailure(e): PyFailure) -> Self {
        Python::attach(|py| PyErr::from_type(exception_type(py, e.kind()), e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_subclass_of_error() {
        Python::initialize();
        Python::attach(|py| {
            let base = py.get_type::<Error>();
            let mut names = std::collections::HashSet::new();
            for kind in ErrorKind::ALL {
                let ty = exception_type(py, kind);
                assert!(ty.is_subclass(&base).unwrap(), "{kind}");
                assert!(!ty.is(&base), "{kind} has no class of its own");
                assert!(
                    names.insert(ty.name().unwrap().to_string()),
                    "{kind} shares a class"
                );
            }
        });
    }

    #[test]
    fn a_core_parse_error_becomes_parse_error() {
        Python::initialize();
        let core = chapterhouse::Network::from_json("{").unwrap_err();
        let err = PyErr::from(PyFailure::from(core.clone()));
        Python::attach(|py| {
            assert!(err.is_instance_of::<ParseError>(py));
            assert!(err.is_instance_of::<Error>(py));
            assert_eq!(err.value(py).to_string(), core.to_string());
        });
    }
}
