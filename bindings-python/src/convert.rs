//! Conversions of plain values at the Python boundary: times, JSON
//! documents (given as text or as Python dicts and lists) and results
//! handed back as Python dicts.

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::PyString;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{invalid_value, parse_error};

/// Reads `now` (or another time argument): RFC 3339 text, as the Python
/// layer passes every datetime.
pub(crate) fn time(name: &str, text: &str) -> PyResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            invalid_value(format!(
                "{name}: {:?} is not an RFC 3339 time (like 2026-11-01T00:00:00Z)",
                text.chars().take(80).collect::<String>()
            ))
        })
}

/// The JSON text of `obj`: a `str` as given, anything else through
/// `json.dumps` (dicts, lists, numbers).
pub(crate) fn json_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    let json = obj.py().import("json")?;
    json.call_method1("dumps", (obj,))?.extract()
}

/// Reads a typed value from JSON text or a Python object; errors name the
/// JSON path, prefixed with `what`.
pub(crate) fn from_json<T: DeserializeOwned>(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<T> {
    let text = json_text(obj)?;
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        parse_error(format!("{what} at {path}: {}", e.inner()))
    })
}

/// A serializable value as Python objects (dicts, lists, strings, numbers).
pub(crate) fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| parse_error(format!("cannot convert a result: {e}")))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// A point in time from Python: RFC 3339 text, a ``datetime`` (naive ones
/// are read as UTC), a ``date`` (midnight UTC), a pandas ``Timestamp`` or a
/// NumPy ``datetime64``.
pub(crate) struct When(pub(crate) DateTime<Utc>);

impl<'a, 'py> FromPyObject<'a, 'py> for When {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(s) = obj.cast::<PyString>() {
            return time("time", &s.to_cow()?).map(When);
        }
        let type_name = obj.get_type().name()?.to_string();
        if type_name == "datetime64" {
            let us = obj
                .call_method1("astype", ("datetime64[us]",))?
                .call_method0("item")?;
            return us.extract::<When>();
        }
        if obj.hasattr("isoformat")? {
            let iso: String = obj.call_method0("isoformat")?.extract()?;
            let text = if !obj.hasattr("hour")? {
                format!("{iso}T00:00:00+00:00")
            } else if obj.getattr("tzinfo")?.is_none() {
                format!("{iso}+00:00")
            } else {
                iso
            };
            return time("time", &text).map(When);
        }
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "expected a datetime, a date or RFC 3339 text, not {type_name}"
        )))
    }
}
