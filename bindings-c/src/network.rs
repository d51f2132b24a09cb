//! `ch_network`: a chapter network loaded from a `chapterhouse/1` snapshot.

use std::ffi::c_char;

use chapterhouse::Network;

use crate::convert::{OptOut, Out, arg_ref, arg_str, free_owned, owned, owned_string};
use crate::error::{ch_error, ch_status, guard};

/// An opaque chapter network. Created by ch_network_from_json(), freed with
/// ch_network_free().
///
/// Thread safety: a network that no call is mutating may be read (every
/// function taking `const ch_network *`) from several threads at once.
pub struct ch_network(Network);

/// The library version, e.g. `"0.1.0"`.
///
/// Ownership: a static string; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn ch_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Loads a network from a `chapterhouse/1` snapshot.
///
/// @param json The snapshot: `json_len` bytes of UTF-8 JSON (no NUL needed).
/// @param json_len Its length in bytes.
/// @param out_network Receives the network on success (NULL on failure). The
///   caller owns it and frees it with ch_network_free().
/// @param out_error Optional; receives an error on failure (see the header's
///   conventions).
/// @return CH_STATUS_OK; CH_STATUS_PARSE for malformed JSON or a value of the
///   wrong shape (the message gives the JSON path, line and column);
///   CH_STATUS_UNSUPPORTED_VERSION for another snapshot format; a structure or
///   value status for a snapshot that breaks a rule of the network;
///   CH_STATUS_NULL_ARGUMENT; CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// `json` is NULL or valid for reads of `json_len` bytes; `out_network` and
/// `out_error` are NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_from_json(
    json: *const u8,
    json_len: usize,
    out_network: *mut *mut ch_network,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = Out::new(out_network, "out_network", std::ptr::null_mut())?;
            let network = Network::from_json(arg_str(json, json_len, "json")?)?;
            out.set(owned(ch_network(network)));
            Ok(())
        })
    }
}

/// Saves a network as a canonical `chapterhouse/1` snapshot.
///
/// @param network The network (not modified).
/// @param out_json Receives the snapshot as a NUL-terminated UTF-8 string on
///   success (NULL on failure). The caller owns it and frees it with
///   ch_string_free().
/// @param out_len Optional; receives the snapshot's length in bytes, without
///   the NUL.
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK or CH_STATUS_NULL_ARGUMENT.
///
/// # Safety
///
/// `network` is NULL or a live network; `out_json`, `out_len` and `out_error`
/// are NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_to_json(
    network: *const ch_network,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = Out::new(out_json, "out_json", std::ptr::null_mut())?;
            let (json, len) = owned_string(arg_ref(network, "network")?.0.to_json(), "snapshot")?;
            OptOut::new(out_len).set(len);
            out.set(json);
            Ok(())
        })
    }
}

/// The number of nodes in the network, the organization included.
///
/// @param network The network.
/// @param out_len Receives the count on success.
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK or CH_STATUS_NULL_ARGUMENT.
///
/// # Safety
///
/// `network` is NULL or a live network; `out_len` and `out_error` are NULL or
/// valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_len(
    network: *const ch_network,
    out_len: *mut usize,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = Out::new(out_len, "out_len", 0)?;
            out.set(arg_ref(network, "network")?.0.len());
            Ok(())
        })
    }
}

/// Frees a network. NULL is a no-op.
///
/// # Safety
///
/// `network` is NULL or a network from this library not freed before, and no
/// other thread is using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_free(network: *mut ch_network) {
    unsafe { free_owned(network) }
}

/// Frees a string returned by this library (e.g. by ch_network_to_json()).
/// NULL is a no-op.
///
/// # Safety
///
/// `s` is NULL or a string from this library not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: per the contract, a live pointer from CString::into_raw.
        drop(unsafe { std::ffi::CString::from_raw(s) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ch_error_code, ch_error_free, ch_error_kind, ch_error_message};
    use std::ffi::CStr;
    use std::ptr::null_mut;

    const SNAPSHOT: &str = r#"{"format":"chapterhouse/1","organization":{"id":"org","name":"Org","slug":"org","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"},"nodes":[]}"#;

    #[test]
    fn version_is_the_core_version() {
        let v = unsafe { CStr::from_ptr(ch_version()) };
        assert_eq!(v.to_str().unwrap(), chapterhouse::VERSION);
    }

    #[test]
    fn load_save_and_len_round_trip() {
        let mut net = null_mut();
        let st = unsafe {
            ch_network_from_json(SNAPSHOT.as_ptr(), SNAPSHOT.len(), &mut net, null_mut())
        };
        assert_eq!(st, ch_status::CH_STATUS_OK);
        let mut n = 0;
        assert_eq!(
            unsafe { ch_network_len(net, &mut n, null_mut()) },
            ch_status::CH_STATUS_OK
        );
        assert_eq!(n, 1);
        let (mut json, mut len) = (null_mut(), 0);
        let st = unsafe { ch_network_to_json(net, &mut json, &mut len, null_mut()) };
        assert_eq!(st, ch_status::CH_STATUS_OK);
        let text = unsafe { CStr::from_ptr(json) }.to_str().unwrap().to_owned();
        assert_eq!(text.len(), len);
        assert_eq!(text, Network::from_json(SNAPSHOT).unwrap().to_json());
        unsafe {
            ch_string_free(json);
            ch_network_free(net);
        }
    }

    #[test]
    fn malformed_json_is_a_parse_error_with_a_message() {
        let bad = b"{\"format\":";
        let (mut net, mut err) = (null_mut(), null_mut());
        let st = unsafe { ch_network_from_json(bad.as_ptr(), bad.len(), &mut net, &mut err) };
        assert_eq!(st, ch_status::CH_STATUS_PARSE);
        assert!(net.is_null());
        assert_eq!(unsafe { ch_error_kind(err) }, ch_status::CH_STATUS_PARSE);
        let code = unsafe { CStr::from_ptr(ch_error_code(err)) };
        assert_eq!(code.to_str().unwrap(), "parse");
        let msg = unsafe { CStr::from_ptr(ch_error_message(err)) };
        assert!(msg.to_str().unwrap().contains("line 1"), "{msg:?}");
        unsafe { ch_error_free(err) };
    }

    #[test]
    fn null_and_bad_utf8_have_their_own_statuses() {
        let mut net = null_mut();
        let st = unsafe { ch_network_from_json(std::ptr::null(), 0, &mut net, null_mut()) };
        assert_eq!(st, ch_status::CH_STATUS_NULL_ARGUMENT);
        let bad = b"{\"format\":\"\xff\"}";
        let st = unsafe { ch_network_from_json(bad.as_ptr(), bad.len(), &mut net, null_mut()) };
        assert_eq!(st, ch_status::CH_STATUS_INVALID_UTF8);
        assert!(net.is_null());
    }
}
