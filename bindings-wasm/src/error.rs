//! Errors at the JS boundary: every library error becomes a JS `Error` with
//! `name` `"ChapterhouseError"` and a stable `code`, the core's
//! `ErrorKind::as_str` (`"not_found"`, `"parse"`, …), so that JS code can
//! branch on `err.code` rather than on message text.
//!
//! Two sources: an error of the core, and an argument that does not convert
//! (a value that is not JSON, a time that is not RFC 3339, an index out of
//! range), which the binding classifies with the same kinds.

use chapterhouse::ErrorKind;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

/// The `name` of every error this package throws.
pub(crate) const ERROR_NAME: &str = "ChapterhouseError";

/// TypeScript declarations of the errors, added to the generated `.d.ts`
/// (wasm builds only).
#[allow(dead_code)] // the macro below copies its text, so rustc sees no use
const TS_ERRORS_TEXT: &str = r#"
/** The stable code of a ChapterhouseError: one per kind of library error. */
export type ErrorCode =
  | "parse"
  | "unsupported_version"
  | "not_found"
  | "already_exists"
  | "invalid_value"
  | "invalid_structure"
  | "invalid_transition"
  | "invalid_geometry"
  | "invalid_policy"
  | "permission_denied"
  | "limit_exceeded";

/** What every function of this package throws on bad input. */
export interface ChapterhouseError extends Error {
  name: "ChapterhouseError";
  code: ErrorCode;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_ERRORS: &str = TS_ERRORS_TEXT;

/// A failure on its way to JS.
#[derive(Debug)]
pub(crate) enum JsFailure {
    /// An error of the library.
    Core(chapterhouse::Error),
    /// An argument that did not convert.
    Argument {
        /// How to classify it.
        kind: ErrorKind,
        /// What was wrong, in plain words, naming the argument.
        message: String,
    },
}

impl JsFailure {
    /// An argument that did not convert.
    pub(crate) fn argument(kind: ErrorKind, message: impl Into<String>) -> JsFailure {
        JsFailure::Argument {
            kind,
            message: message.into(),
        }
    }

    /// The stable classification.
    pub(crate) fn kind(&self) -> ErrorKind {
        match self {
            JsFailure::Core(e) => e.kind(),
            JsFailure::Argument { kind, .. } => *kind,
        }
    }

    /// The message in plain words.
    pub(crate) fn message(&self) -> String {
        match self {
            JsFailure::Core(e) => e.to_string(),
            JsFailure::Argument { message, .. } => message.clone(),
        }
    }
}

/// Each error type of the core, through the crate-wide `Error`.
macro_rules! from_core {
    ($($t:ty),*) => {$(
        impl From<$t> for JsFailure {
            fn from(e: $t) -> Self {
                JsFailure::Core(e.into())
            }
        }
    )*};
}

from_core!(
    chapterhouse::Error,
    chapterhouse::SnapshotError,
    chapterhouse::NetworkError,
    chapterhouse::access::AccessError,
    chapterhouse::territory::TerritoryError,
    chapterhouse::health::HealthError,
    chapterhouse::triage::TriageError
);

impl From<JsFailure> for JsValue {
    fn from(f: JsFailure) -> Self {
        let err = js_sys::Error::new(&f.message());
        err.set_name(ERROR_NAME);
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&err, &"code".into(), &f.kind().as_str().into());
        err.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typescript_codes_are_exactly_the_error_kinds() {
        let listed: Vec<&str> = TS_ERRORS_TEXT
            .lines()
            .filter_map(|l| l.trim().strip_prefix("| \""))
            .map(|l| l.trim_end_matches(['"', ';']))
            .collect();
        let kinds: Vec<&str> = chapterhouse::ErrorKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(listed, kinds);
    }

    #[test]
    fn core_errors_keep_their_kind_and_message() {
        let e = chapterhouse::territory::TerritoryError::InvalidPoint {
            lon: f64::NAN,
            lat: 0.0,
        };
        let f = JsFailure::from(e.clone());
        assert_eq!(f.kind(), ErrorKind::InvalidValue);
        assert_eq!(f.message(), e.to_string());
        let a = JsFailure::argument(ErrorKind::NotFound, "no chapter at index 9");
        assert_eq!(a.kind(), ErrorKind::NotFound);
        assert_eq!(a.message(), "no chapter at index 9");
    }
}
