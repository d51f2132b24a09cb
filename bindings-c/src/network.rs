//! `ch_network`: a chapter network loaded from a `chapterhouse/1` snapshot.

use std::ffi::c_char;

use chapterhouse::{Actor, ChapterStatus, Network, Op};

use crate::convert::{
    Out, StringOut, arg_mut, arg_opt_str, arg_ref, arg_str, arg_time, free_owned, from_json, owned,
    to_json,
};
use crate::error::{ch_error, ch_status, guard};
use crate::id_array::{ch_id_array, ids_out};

/// An opaque chapter network. Created by ch_network_from_json(), freed with
/// ch_network_free().
///
/// Thread safety: every function taking a `const ch_network *` only reads it,
/// so one network may be queried from several threads at once (the territory
/// index is built on first use under a lock). ch_network_apply() takes a
/// `ch_network *` and must not run while any other call uses the network;
/// ch_network_free() likewise.
pub struct ch_network(pub(crate) Network);

// Shared reads from several threads rely on this.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Network>();
};

/// A chapter's lifecycle status (see ch_network_chapter_status()).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ch_chapter_status {
    /// In the moderation queue (`applied`).
    CH_CHAPTER_APPLIED = 0,
    /// Approved and running (`active`).
    CH_CHAPTER_ACTIVE = 1,
    /// The application was turned down (`rejected`).
    CH_CHAPTER_REJECTED = 2,
    /// No longer running, history kept (`archived`).
    CH_CHAPTER_ARCHIVED = 3,
}

impl From<ChapterStatus> for ch_chapter_status {
    fn from(s: ChapterStatus) -> Self {
        match s {
            ChapterStatus::Applied => ch_chapter_status::CH_CHAPTER_APPLIED,
            ChapterStatus::Active => ch_chapter_status::CH_CHAPTER_ACTIVE,
            ChapterStatus::Rejected => ch_chapter_status::CH_CHAPTER_REJECTED,
            ChapterStatus::Archived => ch_chapter_status::CH_CHAPTER_ARCHIVED,
        }
    }
}

/// The acting person of a mutation: none (NULL) is the host application.
fn actor(person: Option<&str>) -> Result<Actor, crate::error::FfiError> {
    Ok(match person {
        None => Actor::Host,
        Some(p) => Actor::Person(p.parse()?),
    })
}

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
    json: *const c_char,
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
            let out = StringOut::new(out_json, out_len, "out_json")?;
            out.set(arg_ref(network, "network")?.0.to_json(), "snapshot")
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

/// Applies one mutation completely, or not at all: on any error the network
/// is unchanged.
///
/// @param network The network to change. No other call may use it meanwhile.
/// @param op_json The operation as JSON, tagged by `"op"`:
///   `{"op": "approve", "id": "ch-12"}`. The operations are `add_region`,
///   `apply_chapter`, `approve`, `reject`, `archive`, `restore`, `move`,
///   `update_profile`, `set_territory`, `convert_campaign`, `grant`, `revoke`,
///   `set_person`, `suspend`, `attest` and `set_policy` (fields in the
///   README's network and access sections).
/// @param op_len Its length in bytes.
/// @param person The acting person's id, checked against the policy; NULL for
///   the host application itself (trusted, not checked). `person_len` bytes.
/// @param person_len Its length in bytes (ignored when `person` is NULL).
/// @param now The time recorded on the change, RFC 3339
///   (`2026-11-01T09:00:00Z`); the library never reads a clock.
/// @param now_len Its length in bytes.
/// @param out_change Receives the change record as JSON on success:
///   `{"revision": 3, "actor": "host", "at": "...", "op": {...}, "summary":
///   "approved chapter ch-12 (applied → active)"}`; NULL on failure. The
///   caller owns it and frees it with ch_string_free().
/// @param out_change_len Optional; receives its length in bytes.
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_PARSE for malformed `op_json`;
///   CH_STATUS_NOT_FOUND for an unknown node, person or grant;
///   CH_STATUS_INVALID_TRANSITION, CH_STATUS_INVALID_STRUCTURE,
///   CH_STATUS_ALREADY_EXISTS, CH_STATUS_INVALID_VALUE,
///   CH_STATUS_INVALID_GEOMETRY, CH_STATUS_INVALID_POLICY for a change the
///   network refuses; CH_STATUS_PERMISSION_DENIED when `person` may not do
///   it; CH_STATUS_NULL_ARGUMENT; CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// `network` is NULL or a live network used by no other call meanwhile;
/// each string is NULL or valid for reads of its length; out-parameters are
/// NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_apply(
    network: *mut ch_network,
    op_json: *const c_char,
    op_len: usize,
    person: *const c_char,
    person_len: usize,
    now: *const c_char,
    now_len: usize,
    out_change: *mut *mut c_char,
    out_change_len: *mut usize,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = StringOut::new(out_change, out_change_len, "out_change")?;
            let net = arg_mut(network, "network")?;
            let op: Op = from_json(arg_str(op_json, op_len, "op_json")?, "op_json")?;
            let actor = actor(arg_opt_str(person, person_len, "person")?)?;
            let now = arg_time(now, now_len, "now")?;
            let change = net.0.apply(op, &actor, now)?;
            out.set(to_json(&change, "change")?, "change")
        })
    }
}

/// One node as JSON, in the form of a snapshot's `nodes` entry:
/// `{"id": "ch-boston", "kind": "chapter", "parent": "ma", "name": "...",
/// "slug": "...", "status": "active", ...}`.
///
/// @param network The network.
/// @param id The node's id, `id_len` bytes.
/// @param id_len Its length in bytes.
/// @param out_json Receives the node on success (NULL on failure). The
///   caller owns it and frees it with ch_string_free().
/// @param out_len Optional; receives its length in bytes.
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_NOT_FOUND for an unknown id;
///   CH_STATUS_NULL_ARGUMENT; CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// `network` is NULL or a live network; `id` is NULL or valid for reads of
/// `id_len` bytes; out-parameters are NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_node_json(
    network: *const ch_network,
    id: *const c_char,
    id_len: usize,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = StringOut::new(out_json, out_len, "out_json")?;
            let net = arg_ref(network, "network")?;
            let json = net.0.node_json(arg_str(id, id_len, "id")?)?;
            out.set(json, "node")
        })
    }
}

/// A chapter's lifecycle status.
///
/// @param network The network.
/// @param id The chapter's id, `id_len` bytes.
/// @param id_len Its length in bytes.
/// @param out_status Receives the status on success (left as it was on failure).
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_NOT_FOUND for an unknown id;
///   CH_STATUS_INVALID_STRUCTURE when the node is a region or the
///   organization; CH_STATUS_NULL_ARGUMENT; CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// `network` is NULL or a live network; `id` is NULL or valid for reads of
/// `id_len` bytes; out-parameters are NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_chapter_status(
    network: *const ch_network,
    id: *const c_char,
    id_len: usize,
    out_status: *mut ch_chapter_status,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = Out::unset(out_status, "out_status")?;
            let net = arg_ref(network, "network")?;
            out.set(net.0.chapter(arg_str(id, id_len, "id")?)?.status.into());
            Ok(())
        })
    }
}

/// The node and everything below it, in preorder (a node before its
/// descendants).
///
/// @param network The network.
/// @param id The node's id, `id_len` bytes.
/// @param id_len Its length in bytes.
/// @param out_ids An array from ch_id_array_new(); it is emptied, then filled
///   with the node ids (empty on failure).
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_NOT_FOUND for an unknown id;
///   CH_STATUS_NULL_ARGUMENT; CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// `network` is NULL or a live network; `id` is NULL or valid for reads of
/// `id_len` bytes; `out_ids` is NULL or a live array no other thread uses;
/// `out_error` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_subtree(
    network: *const ch_network,
    id: *const c_char,
    id_len: usize,
    out_ids: *mut ch_id_array,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let ids = ids_out(out_ids, "out_ids")?;
            let net = arg_ref(network, "network")?;
            for node in net.0.subtree(arg_str(id, id_len, "id")?)? {
                ids.push(node.id.as_str(), f64::NAN);
            }
            Ok(())
        })
    }
}

/// Whether `ancestor` is a strict ancestor of `node` (a node is not its own
/// ancestor). Constant time.
///
/// @param network The network.
/// @param ancestor The would-be ancestor's id, `ancestor_len` bytes.
/// @param ancestor_len Its length in bytes.
/// @param node The node's id, `node_len` bytes.
/// @param node_len Its length in bytes.
/// @param out_result Receives the answer on success (false on failure).
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_NOT_FOUND when either id is unknown;
///   CH_STATUS_NULL_ARGUMENT; CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// `network` is NULL or a live network; each string is NULL or valid for
/// reads of its length; out-parameters are NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_is_ancestor(
    network: *const ch_network,
    ancestor: *const c_char,
    ancestor_len: usize,
    node: *const c_char,
    node_len: usize,
    out_result: *mut bool,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = Out::new(out_result, "out_result", false)?;
            let net = arg_ref(network, "network")?;
            out.set(net.0.is_ancestor(
                arg_str(ancestor, ancestor_len, "ancestor")?,
                arg_str(node, node_len, "node")?,
            )?);
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
            ch_network_from_json(
                SNAPSHOT.as_ptr().cast(),
                SNAPSHOT.len(),
                &mut net,
                null_mut(),
            )
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
        let st =
            unsafe { ch_network_from_json(bad.as_ptr().cast(), bad.len(), &mut net, &mut err) };
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
        let st =
            unsafe { ch_network_from_json(bad.as_ptr().cast(), bad.len(), &mut net, null_mut()) };
        assert_eq!(st, ch_status::CH_STATUS_INVALID_UTF8);
        assert!(net.is_null());
    }
}
