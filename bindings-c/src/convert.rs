//! Conversions of C arguments and results: pointers to references, pointer +
//! length to `&str`, Rust strings to owned C strings. All the raw-pointer
//! checks of the crate are here, so entry points only chain conversions.

use std::ffi::{CString, c_char};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::FfiError;

/// A required input reference.
///
/// # Safety
///
/// `ptr` is NULL or valid for reads of a `T` for the lifetime `'a`.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, name: &'static str) -> Result<&'a T, FfiError> {
    // SAFETY: the caller guarantees `ptr` is NULL or valid.
    unsafe { ptr.as_ref() }.ok_or(FfiError::NullArgument(name))
}

/// A required UTF-8 string given as pointer + length (no NUL terminator needed).
///
/// # Safety
///
/// `ptr` is NULL or valid for reads of `len` bytes for the lifetime `'a`.
pub(crate) unsafe fn arg_str<'a>(
    ptr: *const c_char,
    len: usize,
    name: &'static str,
) -> Result<&'a str, FfiError> {
    if ptr.is_null() {
        return Err(FfiError::NullArgument(name));
    }
    // SAFETY: non-null, and the caller guarantees `len` readable bytes.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|e| FfiError::InvalidUtf8 {
        argument: name,
        valid_up_to: e.valid_up_to(),
    })
}

/// A required out-parameter. It is cleared (set to its empty value) at once,
/// so a failed call always leaves it empty, and written on success.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Checks `ptr` and clears it with `empty`.
    ///
    /// # Safety
    ///
    /// `ptr` is NULL or valid for writes of a `T` until the call returns.
    pub(crate) unsafe fn new(ptr: *mut T, name: &'static str, empty: T) -> Result<Self, FfiError> {
        if ptr.is_null() {
            return Err(FfiError::NullArgument(name));
        }
        // SAFETY: non-null, and the caller guarantees it is writable.
        unsafe { ptr.write(empty) };
        Ok(Out(ptr))
    }

    /// Checks `ptr` without writing to it (for results with no empty value,
    /// such as an enum; they are written only on success).
    ///
    /// # Safety
    ///
    /// `ptr` is NULL or valid for writes of a `T` until the call returns.
    pub(crate) unsafe fn unset(ptr: *mut T, name: &'static str) -> Result<Self, FfiError> {
        if ptr.is_null() {
            return Err(FfiError::NullArgument(name));
        }
        Ok(Out(ptr))
    }

    /// Writes the result.
    pub(crate) fn set(self, value: T) {
        // SAFETY: checked non-null and writable in `new`.
        unsafe { self.0.write(value) }
    }
}

/// An optional out-parameter (NULL means "not wanted").
pub(crate) struct OptOut<T>(*mut T);

impl<T> OptOut<T> {
    /// # Safety
    ///
    /// `ptr` is NULL or valid for writes of a `T` until the call returns.
    pub(crate) unsafe fn new(ptr: *mut T) -> Self {
        OptOut(ptr)
    }

    /// True when the caller asked for this result.
    pub(crate) fn wanted(&self) -> bool {
        !self.0.is_null()
    }

    /// Writes an empty value now, so a failed call leaves it empty.
    pub(crate) fn clear(&self, empty: T) {
        if !self.0.is_null() {
            // SAFETY: non-null, and writable per `new`'s contract.
            unsafe { self.0.write(empty) }
        }
    }

    /// Writes the result if it was wanted.
    pub(crate) fn set(self, value: T) {
        if !self.0.is_null() {
            // SAFETY: non-null, and writable per `new`'s contract.
            unsafe { self.0.write(value) }
        }
    }
}

/// Moves a value to the heap for the caller to own (freed by its `*_free`).
pub(crate) fn owned<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Turns a string into an owned NUL-terminated C string (freed by
/// `ch_string_free`) and its length in bytes.
pub(crate) fn owned_string(
    s: String,
    what: &'static str,
) -> Result<(*mut c_char, usize), FfiError> {
    let len = s.len();
    let c = CString::new(s).map_err(|_| FfiError::InteriorNul(what))?;
    Ok((c.into_raw(), len))
}

/// Frees a value made by [`owned`]. NULL is a no-op.
///
/// # Safety
///
/// `ptr` is NULL or came from [`owned`] and was not freed before.
pub(crate) unsafe fn free_owned<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: per the contract, a live pointer from Box::into_raw.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// An optional UTF-8 string given as pointer + length: NULL means absent.
///
/// # Safety
///
/// As [`arg_str`].
pub(crate) unsafe fn arg_opt_str<'a>(
    ptr: *const c_char,
    len: usize,
    name: &'static str,
) -> Result<Option<&'a str>, FfiError> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { arg_str(ptr, len, name) }.map(Some)
    }
}

/// A required RFC 3339 time given as pointer + length (`2026-11-01T09:00:00Z`).
///
/// # Safety
///
/// As [`arg_str`].
pub(crate) unsafe fn arg_time(
    ptr: *const c_char,
    len: usize,
    name: &'static str,
) -> Result<DateTime<Utc>, FfiError> {
    // SAFETY: forwarded contract.
    let text = unsafe { arg_str(ptr, len, name) }?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| FfiError::InvalidArgument {
            argument: name,
            reason: format!(
                "{:?} is not an RFC 3339 time (like 2026-11-01T09:00:00Z)",
                text.chars().take(80).collect::<String>()
            ),
        })
}

/// A required mutable reference (an in-out argument).
///
/// # Safety
///
/// `ptr` is NULL or valid for reads and writes of a `T`, not aliased, for `'a`.
pub(crate) unsafe fn arg_mut<'a, T>(
    ptr: *mut T,
    name: &'static str,
) -> Result<&'a mut T, FfiError> {
    // SAFETY: the caller guarantees `ptr` is NULL or valid and unaliased.
    unsafe { ptr.as_mut() }.ok_or(FfiError::NullArgument(name))
}

/// Reads a JSON argument into a core data shape; errors give the JSON path,
/// line and column.
pub(crate) fn from_json<T: DeserializeOwned>(
    text: &str,
    name: &'static str,
) -> Result<T, FfiError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        // serde_json appends " at line L column C"; the position is given apart.
        let message = match message.rfind(" at line ") {
            Some(cut) => message.get(..cut).unwrap_or(&message).to_owned(),
            None => message,
        };
        FfiError::Json {
            argument: name,
            path: if path.is_empty() { ".".into() } else { path },
            line: inner.line(),
            column: inner.column(),
            message,
        }
    })
}

/// Writes a core data shape as compact JSON.
pub(crate) fn to_json<T: Serialize + ?Sized>(
    value: &T,
    what: &'static str,
) -> Result<String, FfiError> {
    serde_json::to_string(value).map_err(|_| FfiError::Serialize(what))
}

/// The pair of out-parameters of a string result: the string (required) and
/// its length in bytes (optional). Both are cleared at once.
pub(crate) struct StringOut {
    text: Out<*mut c_char>,
    len: OptOut<usize>,
}

impl StringOut {
    /// # Safety
    ///
    /// `text` and `len` are NULL or valid for writes until the call returns.
    pub(crate) unsafe fn new(
        text: *mut *mut c_char,
        len: *mut usize,
        name: &'static str,
    ) -> Result<Self, FfiError> {
        // SAFETY: forwarded contract.
        let len = unsafe { OptOut::new(len) };
        len.clear(0);
        Ok(StringOut {
            // SAFETY: forwarded contract.
            text: unsafe { Out::new(text, name, std::ptr::null_mut()) }?,
            len,
        })
    }

    /// Hands the string to the caller (freed with `ch_string_free`).
    pub(crate) fn set(self, s: String, what: &'static str) -> Result<(), FfiError> {
        let (ptr, len) = owned_string(s, what)?;
        self.len.set(len);
        self.text.set(ptr);
        Ok(())
    }
}
