//! Conversions of C arguments and results: pointers to references, pointer +
//! length to `&str`, Rust strings to owned C strings. All the raw-pointer
//! checks of the crate are here, so entry points only chain conversions.

use std::ffi::{CString, c_char};

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
    ptr: *const u8,
    len: usize,
    name: &'static str,
) -> Result<&'a str, FfiError> {
    if ptr.is_null() {
        return Err(FfiError::NullArgument(name));
    }
    // SAFETY: non-null, and the caller guarantees `len` readable bytes.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
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
