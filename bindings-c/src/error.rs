//! Statuses and errors at the C boundary: every conversion from a Rust error
//! to a `ch_status` / `ch_error` lives here, and so does the panic guard.

use std::any::Any;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use chapterhouse::ErrorKind;

/// The outcome of a call: `CH_STATUS_OK`, one status per library error kind
/// (the same kinds as the `code` of the other bindings), or a status of the C
/// boundary itself (`CH_STATUS_NULL_ARGUMENT`, `CH_STATUS_INVALID_UTF8`,
/// `CH_STATUS_PANIC`). Values are stable across versions; new ones may be added.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ch_status {
    /// Success.
    CH_STATUS_OK = 0,
    /// Input could not be parsed: malformed JSON or CSV, wrong value types (code `parse`).
    CH_STATUS_PARSE = 1,
    /// A snapshot declares a format version this library does not read (`unsupported_version`).
    CH_STATUS_UNSUPPORTED_VERSION = 2,
    /// An id does not exist (`not_found`).
    CH_STATUS_NOT_FOUND = 3,
    /// An id is already taken (`already_exists`).
    CH_STATUS_ALREADY_EXISTS = 4,
    /// A field's value is malformed or out of range (`invalid_value`).
    CH_STATUS_INVALID_VALUE = 5,
    /// The change would break the tree: a cycle, a second root (`invalid_structure`).
    CH_STATUS_INVALID_STRUCTURE = 6,
    /// The chapter status machine does not allow this transition (`invalid_transition`).
    CH_STATUS_INVALID_TRANSITION = 7,
    /// A territory's geometry is invalid (`invalid_geometry`).
    CH_STATUS_INVALID_GEOMETRY = 8,
    /// The policy is inconsistent (`invalid_policy`).
    CH_STATUS_INVALID_POLICY = 9,
    /// The acting person may not do this (`permission_denied`).
    CH_STATUS_PERMISSION_DENIED = 10,
    /// Input exceeds a configured limit (`limit_exceeded`).
    CH_STATUS_LIMIT_EXCEEDED = 11,
    /// An error of a kind newer than this header; its message says what (`other`).
    CH_STATUS_OTHER = 99,
    /// A required pointer argument was NULL (`null_argument`).
    CH_STATUS_NULL_ARGUMENT = 100,
    /// A string argument was not valid UTF-8 (`invalid_utf8`).
    CH_STATUS_INVALID_UTF8 = 101,
    /// The library panicked; this is a bug, please report it (`panic`).
    CH_STATUS_PANIC = 102,
}

impl From<ErrorKind> for ch_status {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Parse => ch_status::CH_STATUS_PARSE,
            ErrorKind::UnsupportedVersion => ch_status::CH_STATUS_UNSUPPORTED_VERSION,
            ErrorKind::NotFound => ch_status::CH_STATUS_NOT_FOUND,
            ErrorKind::AlreadyExists => ch_status::CH_STATUS_ALREADY_EXISTS,
            ErrorKind::InvalidValue => ch_status::CH_STATUS_INVALID_VALUE,
            ErrorKind::InvalidStructure => ch_status::CH_STATUS_INVALID_STRUCTURE,
            ErrorKind::InvalidTransition => ch_status::CH_STATUS_INVALID_TRANSITION,
            ErrorKind::InvalidGeometry => ch_status::CH_STATUS_INVALID_GEOMETRY,
            ErrorKind::InvalidPolicy => ch_status::CH_STATUS_INVALID_POLICY,
            ErrorKind::PermissionDenied => ch_status::CH_STATUS_PERMISSION_DENIED,
            ErrorKind::LimitExceeded => ch_status::CH_STATUS_LIMIT_EXCEEDED,
            _ => ch_status::CH_STATUS_OTHER,
        }
    }
}

impl ch_status {
    /// The stable snake_case code: the core's `ErrorKind::as_str` for library
    /// errors (the `code` of the JS and Python bindings), and a name of its own
    /// for the statuses of the C boundary.
    fn code(self) -> &'static std::ffi::CStr {
        match self {
            ch_status::CH_STATUS_OK => c"ok",
            ch_status::CH_STATUS_PARSE => c"parse",
            ch_status::CH_STATUS_UNSUPPORTED_VERSION => c"unsupported_version",
            ch_status::CH_STATUS_NOT_FOUND => c"not_found",
            ch_status::CH_STATUS_ALREADY_EXISTS => c"already_exists",
            ch_status::CH_STATUS_INVALID_VALUE => c"invalid_value",
            ch_status::CH_STATUS_INVALID_STRUCTURE => c"invalid_structure",
            ch_status::CH_STATUS_INVALID_TRANSITION => c"invalid_transition",
            ch_status::CH_STATUS_INVALID_GEOMETRY => c"invalid_geometry",
            ch_status::CH_STATUS_INVALID_POLICY => c"invalid_policy",
            ch_status::CH_STATUS_PERMISSION_DENIED => c"permission_denied",
            ch_status::CH_STATUS_LIMIT_EXCEEDED => c"limit_exceeded",
            ch_status::CH_STATUS_OTHER => c"other",
            ch_status::CH_STATUS_NULL_ARGUMENT => c"null_argument",
            ch_status::CH_STATUS_INVALID_UTF8 => c"invalid_utf8",
            ch_status::CH_STATUS_PANIC => c"panic",
        }
    }
}

/// Everything that can go wrong in a call, before it becomes a status.
#[derive(Debug)]
pub(crate) enum FfiError {
    /// An error from the library.
    Core(chapterhouse::Error),
    /// A required pointer argument was NULL.
    NullArgument(&'static str),
    /// A string argument was not UTF-8.
    InvalidUtf8 {
        argument: &'static str,
        valid_up_to: usize,
    },
    /// A string result contained a NUL byte and cannot cross as a C string.
    InteriorNul(&'static str),
    /// A JSON argument is malformed or has the wrong shape.
    Json {
        /// The argument (`op_json`).
        argument: &'static str,
        /// JSON path of the offending value (`.` for the document).
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// A plain argument is out of range or malformed (a time, a number).
    InvalidArgument {
        /// The argument.
        argument: &'static str,
        /// Why, in plain words.
        reason: String,
    },
    /// A result could not be written as JSON.
    Serialize(&'static str),
    /// A panic was caught.
    Panic(String),
}

impl FfiError {
    fn status(&self) -> ch_status {
        match self {
            FfiError::Core(e) => e.kind().into(),
            FfiError::NullArgument(_) => ch_status::CH_STATUS_NULL_ARGUMENT,
            FfiError::InvalidUtf8 { .. } => ch_status::CH_STATUS_INVALID_UTF8,
            FfiError::InteriorNul(_) => ch_status::CH_STATUS_INVALID_VALUE,
            FfiError::Json { .. } => ch_status::CH_STATUS_PARSE,
            FfiError::InvalidArgument { .. } => ch_status::CH_STATUS_INVALID_VALUE,
            FfiError::Serialize(_) => ch_status::CH_STATUS_INVALID_VALUE,
            FfiError::Panic(_) => ch_status::CH_STATUS_PANIC,
        }
    }

    fn message(&self) -> String {
        match self {
            FfiError::Core(e) => e.to_string(),
            FfiError::NullArgument(arg) => format!("argument {arg} is null"),
            FfiError::InvalidUtf8 {
                argument,
                valid_up_to,
            } => format!("argument {argument} is not valid utf-8 (at byte {valid_up_to})"),
            FfiError::InteriorNul(what) => format!("{what} contains a nul byte"),
            FfiError::Json {
                argument,
                path,
                line,
                column,
                message,
            } => {
                format!("malformed {argument} at {path} (line {line}, column {column}): {message}")
            }
            FfiError::InvalidArgument { argument, reason } => {
                format!("argument {argument} {reason}")
            }
            FfiError::Serialize(what) => format!("{what} cannot be written as json"),
            FfiError::Panic(msg) => format!("internal error (panic): {msg}"),
        }
    }
}

impl From<chapterhouse::Error> for FfiError {
    fn from(e: chapterhouse::Error) -> Self {
        FfiError::Core(e)
    }
}

/// Every error of the core's areas becomes the crate-wide error (and so its
/// `ErrorKind`, hence its status).
macro_rules! from_core_error {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for FfiError {
            fn from(e: $t) -> Self {
                FfiError::Core(e.into())
            }
        }
    )*};
}

from_core_error!(
    chapterhouse::SnapshotError,
    chapterhouse::NetworkError,
    chapterhouse::access::AccessError,
    chapterhouse::territory::TerritoryError,
    chapterhouse::health::HealthError,
    chapterhouse::triage::TriageError,
);

impl From<chapterhouse::IdError> for FfiError {
    fn from(e: chapterhouse::IdError) -> Self {
        FfiError::Core(chapterhouse::NetworkError::from(e).into())
    }
}

/// An error returned through a `ch_error **out_error` argument: a status and
/// a message. Owned by the caller, freed with ch_error_free().
#[derive(Debug)]
pub struct ch_error {
    status: ch_status,
    message: CString,
}

impl From<FfiError> for ch_error {
    fn from(e: FfiError) -> Self {
        // A message never holds a NUL in practice; if one did, cut it there.
        let mut bytes = e.message().into_bytes();
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            bytes.truncate(nul);
        }
        ch_error {
            status: e.status(),
            message: CString::new(bytes).unwrap_or_default(),
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Runs the body of an exported function: catches panics, turns an error into
/// its status and, when `out_error` is not NULL, into an owned `ch_error`.
///
/// # Safety
///
/// `out_error` is NULL or valid for writing one pointer.
pub(crate) unsafe fn guard(
    out_error: *mut *mut ch_error,
    body: impl FnOnce() -> Result<(), FfiError>,
) -> ch_status {
    if !out_error.is_null() {
        // SAFETY: the caller guarantees `out_error` is valid for writes.
        unsafe { out_error.write(std::ptr::null_mut()) };
    }
    // A panic cannot leave shared state half-changed: core mutations validate
    // before they write, and nothing here is observed after an unwind.
    let result = catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|payload| Err(FfiError::Panic(panic_message(payload.as_ref()))));
    match result {
        Ok(()) => ch_status::CH_STATUS_OK,
        Err(e) => {
            let status = e.status();
            if !out_error.is_null() {
                let boxed = Box::into_raw(Box::new(ch_error::from(e)));
                // SAFETY: as above.
                unsafe { out_error.write(boxed) };
            }
            status
        }
    }
}

/// The error's message: lowercase plain words naming the offending id, field
/// or position.
///
/// Ownership: borrowed from `error`, valid until ch_error_free(error).
/// Returns NULL when `error` is NULL.
///
/// # Safety
///
/// `error` is NULL or a live `ch_error` from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_error_message(error: *const ch_error) -> *const c_char {
    // SAFETY: the caller guarantees `error` is NULL or live.
    match unsafe { error.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => std::ptr::null(),
    }
}

/// The error's status (never CH_STATUS_OK for an error the library returned).
/// Returns CH_STATUS_NULL_ARGUMENT when `error` is NULL.
///
/// # Safety
///
/// `error` is NULL or a live `ch_error` from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_error_kind(error: *const ch_error) -> ch_status {
    // SAFETY: the caller guarantees `error` is NULL or live.
    match unsafe { error.as_ref() } {
        Some(e) => e.status,
        None => ch_status::CH_STATUS_NULL_ARGUMENT,
    }
}

/// The error's stable snake_case code, the same string as the `code` of the
/// JS and Python bindings (`"not_found"`, `"parse"`, …; `"null_argument"`,
/// `"invalid_utf8"`, `"panic"` for the C boundary's own statuses).
///
/// Ownership: a static string; never free it. Returns NULL when `error` is NULL.
///
/// # Safety
///
/// `error` is NULL or a live `ch_error` from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_error_code(error: *const ch_error) -> *const c_char {
    // SAFETY: the caller guarantees `error` is NULL or live.
    match unsafe { error.as_ref() } {
        Some(e) => e.status.code().as_ptr(),
        None => std::ptr::null(),
    }
}

/// Frees an error returned through an `out_error` argument. NULL is a no-op.
///
/// # Safety
///
/// `error` is NULL or a `ch_error` from this library not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_error_free(error: *mut ch_error) {
    if !error.is_null() {
        // SAFETY: the caller guarantees ownership of a live error from Box::into_raw.
        drop(unsafe { Box::from_raw(error) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_status_and_the_same_code() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let status = ch_status::from(kind);
            assert_ne!(status, ch_status::CH_STATUS_OTHER, "{kind} has no status");
            assert!(seen.insert(status as i32), "{kind} shares a status");
            assert_eq!(status.code().to_str().unwrap(), kind.as_str());
        }
    }

    #[test]
    fn guard_turns_a_panic_into_a_status_and_an_error() {
        let mut err: *mut ch_error = std::ptr::null_mut();
        let status = unsafe { guard(&mut err, || panic!("boom")) };
        assert_eq!(status, ch_status::CH_STATUS_PANIC);
        assert!(!err.is_null());
        let msg = unsafe { std::ffi::CStr::from_ptr(ch_error_message(err)) };
        assert_eq!(msg.to_str().unwrap(), "internal error (panic): boom");
        unsafe { ch_error_free(err) };
    }
}
