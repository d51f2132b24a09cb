//! Every conversion between JS values and the core's types, in one place.
//!
//! In: structured arguments (ops, filters, facts, configs) are taken as a
//! plain object or as its JSON text and read with the core's own JSON forms,
//! so JS, the snapshot and the conformance vectors share one schema. Times
//! are a `Date` or an RFC 3339 string. Out: results become plain JS objects
//! (serde-wasm-bindgen, JSON-compatible: objects, not `Map`s; numbers, not
//! `BigInt`s), with the field names of the library's JSON.

use chapterhouse::ErrorKind;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::error::JsFailure;

#[wasm_bindgen]
extern "C" {
    /// An optional argument's JS type, so that the `.d.ts` says `arg?: T`.
    #[wasm_bindgen(typescript_type = "Filter")]
    pub type FilterArg;
}

#[cfg(feature = "network")]
#[wasm_bindgen]
extern "C" {
    /// See [`FilterArg`].
    #[wasm_bindgen(typescript_type = "HealthModel | string")]
    pub type HealthModelArg;
    /// See [`FilterArg`].
    #[wasm_bindgen(typescript_type = "NetworkMetrics | string")]
    pub type MetricsArg;
    /// See [`FilterArg`].
    #[wasm_bindgen(typescript_type = "TriageConfig | string")]
    pub type TriageConfigArg;
}

/// An optional typed argument as a plain JS value (`undefined` when left out).
pub(crate) fn optional<T: Into<JsValue>>(v: Option<T>) -> JsValue {
    v.map_or(JsValue::UNDEFINED, Into::into)
}

/// True for `undefined` and `null`: an optional argument left out.
pub(crate) fn is_absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
extern "C" {
    /// The platform's `TextEncoder` (browsers and Node).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(
        this: &TextEncoder,
        text: &js_sys::JsString,
        into: &js_sys::Uint8Array,
    ) -> EncodeIntoResult;
    /// What `encodeInto` did: UTF-16 units read, bytes written.
    type EncodeIntoResult;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeIntoResult) -> u32;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeIntoResult) -> u32;
}

/// Strings at least this long (in UTF-16 units) cross into WASM memory by
/// one `TextEncoder.encodeInto` call; shorter ones by wasm-bindgen's own
/// path, whose per-character loop in JS is quick for short strings but
/// takes milliseconds for a public view of megabytes.
#[cfg(target_arch = "wasm32")]
const LARGE_STRING: u32 = 4096;

/// A JS string as a Rust `String` (`None` for anything else).
pub(crate) fn string_of(v: &JsValue) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        if let Some(s) = v.dyn_ref::<js_sys::JsString>()
            && s.length() >= LARGE_STRING
            && let Some(text) = encode_large(s)
        {
            return Some(text);
        }
    }
    v.as_string()
}

/// A long JS string encoded by `TextEncoder.encodeInto` straight into the
/// bytes of a `Vec` in WASM memory: room for the rest as ASCII first,
/// then again for whatever did not fit (each round reads at least a third
/// of what is left), then checked as UTF-8 like any other input.
#[cfg(target_arch = "wasm32")]
fn encode_large(s: &js_sys::JsString) -> Option<String> {
    use wasm_bindgen::JsCast;
    let encoder = TextEncoder::new();
    let mut rest = s.clone();
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let units = rest.length();
        if units == 0 {
            break;
        }
        let at = buf.len();
        // Four more bytes than units, so that any one character fits.
        buf.resize(at + units as usize + 4, 0);
        // The view is made after the resize (growing memory would detach
        // it) and used at once.
        let memory = wasm_bindgen::memory()
            .dyn_into::<js_sys::WebAssembly::Memory>()
            .ok()?;
        let start = u32::try_from(buf.as_ptr() as usize + at).ok()?;
        let view =
            js_sys::Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), start, units + 4);
        let done = encoder.encode_into(&rest, &view);
        buf.truncate(at + done.written() as usize);
        if done.read() >= units {
            break;
        }
        if done.read() == 0 {
            return None;
        }
        rest = rest.slice(done.read(), units);
    }
    String::from_utf8(buf).ok()
}

/// The JSON text of an argument: a string as it is, anything else through
/// `JSON.stringify`. `what` names the argument in errors.
pub(crate) fn json_text(v: &JsValue, what: &str) -> Result<String, JsFailure> {
    if let Some(s) = string_of(v) {
        return Ok(s);
    }
    if is_absent(v) {
        return Err(JsFailure::argument(
            ErrorKind::InvalidValue,
            format!("{what} is missing"),
        ));
    }
    js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| string_of(&s))
        .ok_or_else(|| {
            JsFailure::argument(
                ErrorKind::Parse,
                format!("{what} cannot be written as JSON (a cycle, a BigInt or a function?)"),
            )
        })
}

/// An argument read with serde from its JSON form (see [`json_text`]).
pub(crate) fn from_js<T: DeserializeOwned>(v: &JsValue, what: &str) -> Result<T, JsFailure> {
    let text = json_text(v, what)?;
    serde_json::from_str(&text)
        .map_err(|e| JsFailure::argument(ErrorKind::Parse, format!("invalid {what}: {e}")))
}

#[cfg(feature = "network")]
/// An argument read with serde from the JS value itself, where a string is
/// a value of its own (the actor `"host"`), not JSON text.
pub(crate) fn from_value<T: DeserializeOwned>(v: &JsValue, what: &str) -> Result<T, JsFailure> {
    if is_absent(v) {
        return Err(JsFailure::argument(
            ErrorKind::InvalidValue,
            format!("{what} is missing"),
        ));
    }
    let text = js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            JsFailure::argument(
                ErrorKind::Parse,
                format!("{what} cannot be written as JSON"),
            )
        })?;
    serde_json::from_str(&text)
        .map_err(|e| JsFailure::argument(ErrorKind::Parse, format!("invalid {what}: {e}")))
}

/// An optional argument read with serde; `undefined` or `null` gives `None`.
pub(crate) fn opt_from_js<T: DeserializeOwned>(
    v: &JsValue,
    what: &str,
) -> Result<Option<T>, JsFailure> {
    if is_absent(v) {
        return Ok(None);
    }
    from_js(v, what).map(Some)
}

#[cfg(feature = "network")]
/// An optional argument read by a core `from_json`; absent gives `T::default()`.
pub(crate) fn opt_with<T: Default, E>(
    v: &JsValue,
    what: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, JsFailure>
where
    JsFailure: From<E>,
{
    if is_absent(v) {
        return Ok(T::default());
    }
    Ok(parse(&json_text(v, what)?)?)
}

#[cfg(feature = "network")]
/// A time: a `Date`, or an RFC 3339 string (`"2026-11-01T00:00:00Z"`).
pub(crate) fn time(v: &JsValue, what: &str) -> Result<chrono::DateTime<chrono::Utc>, JsFailure> {
    use wasm_bindgen::JsCast;
    let bad = |shown: &str| {
        JsFailure::argument(
            ErrorKind::InvalidValue,
            format!(
                "{what}: {shown} is not a valid time (a Date, or RFC 3339 like 2026-11-01T00:00:00Z)"
            ),
        )
    };
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        let ms = d.get_time();
        // `toISOString` throws on an invalid date, so never call it on one;
        // whole milliseconds since 1970 convert without it.
        if !ms.is_finite() || ms.fract() != 0.0 || ms.abs() > 8.64e15 {
            return Err(bad("an invalid Date"));
        }
        return chrono::DateTime::from_timestamp_millis(ms as i64).ok_or_else(|| bad("this Date"));
    }
    match v.as_string() {
        Some(s) => s.parse().map_err(|_| bad(&format!("{s:?}"))),
        None => Err(bad("a value that is neither a Date nor a string")),
    }
}

/// A result as a plain JS object.
pub(crate) fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsFailure> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            JsFailure::argument(
                ErrorKind::InvalidValue,
                format!("the result could not be converted: {e}"),
            )
        })
}

/// An optional result: the object, or `undefined` (not `null`) for none.
pub(crate) fn opt_to_js<T: Serialize>(v: Option<T>) -> Result<JsValue, JsFailure> {
    v.map_or(Ok(JsValue::UNDEFINED), |v| to_js(&v))
}

/// An entry index as JS sees it: the index, or -1 for none.
#[inline]
pub(crate) fn index_out(ix: Option<u32>) -> i32 {
    ix.and_then(|i| i32::try_from(i).ok()).unwrap_or(-1)
}

/// An entry index from JS: a non-negative whole number.
pub(crate) fn index_in(ix: f64) -> Option<u32> {
    (ix >= 0.0 && ix.fract() == 0.0 && ix <= f64::from(u32::MAX)).then_some(ix as u32)
}

/// Interleaved `[lon0, lat0, lon1, lat1, …]` as points.
pub(crate) fn points(coords: &[f64]) -> Result<&[[f64; 2]], JsFailure> {
    let (pairs, rest) = coords.as_chunks::<2>();
    if rest.is_empty() {
        Ok(pairs)
    } else {
        Err(JsFailure::argument(
            ErrorKind::InvalidValue,
            format!(
                "coordinates must come in lon, lat pairs; got {} numbers",
                coords.len()
            ),
        ))
    }
}

#[cfg(feature = "network")]
/// Nodes as their ids.
pub(crate) fn ids<'a>(nodes: impl IntoIterator<Item = &'a chapterhouse::Node>) -> Vec<String> {
    nodes.into_iter().map(|n| n.id.to_string()).collect()
}

#[cfg(feature = "network")]
/// A page of `nodes_where` with node ids.
#[derive(Serialize)]
pub(crate) struct NodesPageOut {
    nodes: Vec<String>,
    next: Option<String>,
}

#[cfg(feature = "network")]
impl From<&chapterhouse::access::NodesPage<'_>> for NodesPageOut {
    fn from(p: &chapterhouse::access::NodesPage<'_>) -> Self {
        NodesPageOut {
            nodes: ids(p.nodes.iter().copied()),
            next: p.next.as_ref().map(|n| n.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_cross_as_minus_one_or_the_index() {
        assert_eq!(index_out(None), -1);
        assert_eq!(index_out(Some(7)), 7);
        assert_eq!(index_in(3.0), Some(3));
        assert_eq!(index_in(-1.0), None);
        assert_eq!(index_in(1.5), None);
        assert_eq!(index_in(f64::NAN), None);
    }

    #[test]
    fn coordinates_pair_up_or_fail() {
        let Ok(p) = points(&[1.0, 2.0, 3.0, 4.0]) else {
            panic!("even length should pair up")
        };
        assert_eq!(p, &[[1.0, 2.0], [3.0, 4.0]]);
        assert!(points(&[1.0, 2.0, 3.0]).is_err());
        assert!(points(&[]).is_ok_and(|p| p.is_empty()));
    }
}
