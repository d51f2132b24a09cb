//! Errors at the JS boundary: every library error becomes a JS `Error` with
//! `name` `"ChapterhouseError"` and a stable `code`, the core's
//! `ErrorKind::as_str` (`"not_found"`, `"parse"`, …), so that JS code can
//! branch on `err.code` rather than on message text.

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

/// A library error as a JS `Error` with `name` and `code`.
pub(crate) struct JsFailure(pub(crate) chapterhouse::Error);

impl From<chapterhouse::Error> for JsFailure {
    fn from(e: chapterhouse::Error) -> Self {
        JsFailure(e)
    }
}

impl From<chapterhouse::SnapshotError> for JsFailure {
    fn from(e: chapterhouse::SnapshotError) -> Self {
        JsFailure(e.into())
    }
}

impl From<JsFailure> for JsValue {
    fn from(JsFailure(e): JsFailure) -> Self {
        let err = js_sys::Error::new(&e.to_string());
        err.set_name(ERROR_NAME);
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&err, &"code".into(), &e.kind().as_str().into());
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
}
