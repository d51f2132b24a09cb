//! Permissions: may this person do this here, and why; where may they; who
//! may; who holds a capability anywhere.

use std::ffi::c_char;

use chapterhouse::access::{AuditEntry, AuditReport, Decision, DecisionReport};

use crate::convert::{
    OptOut, Out, StringOut, arg_opt_str, arg_ref, arg_str, arg_time, owned_string, to_json,
};
use crate::error::{ch_error, ch_status, guard};
use crate::id_array::{ch_id_array, ids_out};
use crate::network::ch_network;

/// The answer of ch_network_check(). Its explanation says why.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ch_decision {
    /// Denied (also what a failed call leaves in `out_decision`).
    CH_DECISION_DENY = 0,
    /// Allowed.
    CH_DECISION_ALLOW = 1,
}

impl From<&Decision<'_>> for ch_decision {
    fn from(d: &Decision<'_>) -> Self {
        match d.is_allowed() {
            true => ch_decision::CH_DECISION_ALLOW,
            false => ch_decision::CH_DECISION_DENY,
        }
    }
}

/// May `person` use `capability` at `node` at time `now`, and why (not)?
///
/// @param network The network.
/// @param person The person's id, `person_len` bytes. An unknown person is
///   denied (no grant), not an error.
/// @param person_len Its length in bytes.
/// @param capability The capability (`members.export`), `capability_len` bytes.
/// @param capability_len Its length in bytes.
/// @param node The node's id, `node_len` bytes.
/// @param node_len Its length in bytes.
/// @param now The time of the question, RFC 3339 (grants lapse and start).
/// @param now_len Its length in bytes.
/// @param out_decision Receives CH_DECISION_ALLOW or CH_DECISION_DENY on
///   success; CH_DECISION_DENY on failure, so a caller that ignores the
///   status fails closed.
/// @param out_explanation Optional (NULL when not wanted, and then nothing
///   is allocated): receives the explanation in plain words, e.g.
///   `"allowed: p-2 may members.export at ch-boston, through grant g-2
///   (regional_coordinator at ne), which covers it along ne → ma →
///   ch-boston; members.export reveals personal data"`, or `"denied: ..."`.
///   NULL on failure. The caller owns it and frees it with ch_string_free().
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK whether allowed or denied; CH_STATUS_NOT_FOUND for
///   an unknown capability or node; CH_STATUS_INVALID_VALUE for a malformed
///   `now`; CH_STATUS_NULL_ARGUMENT; CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// `network` is NULL or a live network; each string is NULL or valid for
/// reads of its length; out-parameters are NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_check(
    network: *const ch_network,
    person: *const c_char,
    person_len: usize,
    capability: *const c_char,
    capability_len: usize,
    node: *const c_char,
    node_len: usize,
    now: *const c_char,
    now_len: usize,
    out_decision: *mut ch_decision,
    out_explanation: *mut *mut c_char,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = Out::new(out_decision, "out_decision", ch_decision::CH_DECISION_DENY)?;
            let explanation = OptOut::new(out_explanation);
            explanation.clear(std::ptr::null_mut());
            let net = arg_ref(network, "network")?;
            let decision = net.0.check(
                arg_str(person, person_len, "person")?,
                arg_str(capability, capability_len, "capability")?,
                arg_str(node, node_len, "node")?,
                arg_time(now, now_len, "now")?,
            )?;
            if explanation.wanted() {
                explanation.set(owned_string(decision.to_string(), "explanation")?.0);
            }
            out.set((&decision).into());
            Ok(())
        })
    }
}

/// ch_network_check() as JSON, with everything behind the decision:
/// `{"allowed": false, "person": "p-7", "capability": "chapter.approve",
/// "node": "ch-1", "personal_data": false, "code": "reserved_to_central",
/// "grant": "g-9", "path": [], "rule": null, "explanation": "denied: ..."}`.
/// `code` is `allow` or the reason of a denial (`no_grant`, `expired`,
/// `not_yet_valid`, `reserved_to_central`, `forbidden`, `node_not_active`);
/// `grant` is the allowing grant, or for a denial the nearest grant that
/// would have allowed; `path` runs from the grant's node down to `node`.
///
/// Arguments and statuses as ch_network_check(); the report is written to
/// `out_json` (freed with ch_string_free(); NULL on failure) and its length
/// to the optional `out_len`.
///
/// # Safety
///
/// As ch_network_check().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_explain(
    network: *const ch_network,
    person: *const c_char,
    person_len: usize,
    capability: *const c_char,
    capability_len: usize,
    node: *const c_char,
    node_len: usize,
    now: *const c_char,
    now_len: usize,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = StringOut::new(out_json, out_len, "out_json")?;
            let net = arg_ref(network, "network")?;
            let report = net
                .0
                .check(
                    arg_str(person, person_len, "person")?,
                    arg_str(capability, capability_len, "capability")?,
                    arg_str(node, node_len, "node")?,
                    arg_time(now, now_len, "now")?,
                )?
                .report();
            out.set(to_json(&report, "decision")?, "decision")
        })
    }
}

/// Every node where `person` may use `capability` at `now`, in preorder,
/// `limit` at a time. Exact: a node is listed if and only if
/// ch_network_check() allows it. Never truncated silently: `out_next` is set
/// while more remain.
///
/// @param network The network.
/// @param person The person's id (unknown: an empty answer).
/// @param person_len Its length in bytes.
/// @param capability The capability.
/// @param capability_len Its length in bytes.
/// @param now RFC 3339 time.
/// @param now_len Its length in bytes.
/// @param after NULL for the first page; else the `out_next` of the previous
///   page (`after_len` bytes).
/// @param after_len Its length in bytes (ignored when `after` is NULL).
/// @param limit The most nodes to return in this page.
/// @param out_ids An array from ch_id_array_new(); it is emptied, then filled
///   with this page's node ids (empty on failure).
/// @param out_next Receives, when more nodes remain, the cursor to pass as
///   `after` for the next page (the caller owns it and frees it with
///   ch_string_free()); NULL when this is the last page, and on failure.
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_NOT_FOUND for an unknown capability or
///   `after` node; CH_STATUS_INVALID_VALUE for a malformed `now`;
///   CH_STATUS_NULL_ARGUMENT; CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// `network` is NULL or a live network; each string is NULL or valid for
/// reads of its length; `out_ids` is NULL or a live array no other thread
/// uses; other out-parameters are NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_nodes_where(
    network: *const ch_network,
    person: *const c_char,
    person_len: usize,
    capability: *const c_char,
    capability_len: usize,
    now: *const c_char,
    now_len: usize,
    after: *const c_char,
    after_len: usize,
    limit: usize,
    out_ids: *mut ch_id_array,
    out_next: *mut *mut c_char,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let next = Out::new(out_next, "out_next", std::ptr::null_mut())?;
            let ids = ids_out(out_ids, "out_ids")?;
            let net = arg_ref(network, "network")?;
            let page = net.0.nodes_where(
                arg_str(person, person_len, "person")?,
                arg_str(capability, capability_len, "capability")?,
                arg_time(now, now_len, "now")?,
                arg_opt_str(after, after_len, "after")?,
                limit,
            )?;
            for node in &page.nodes {
                ids.push(node.id.as_str(), f64::NAN);
            }
            if let Some(cursor) = page.next {
                next.set(owned_string(cursor.into_string(), "cursor")?.0);
            }
            Ok(())
        })
    }
}

/// Everyone who may use `capability` at `node` at `now` (for example, who to
/// notify to approve an event), nearest grant first, then by person id, as a
/// JSON array of the reports ch_network_explain() gives:
/// `[{"allowed": true, "person": "p-2", "grant": "g-2", "path": ["ne", "ma",
/// "ch-boston"], "explanation": "allowed: ...", ...}, ...]`.
///
/// @param network The network.
/// @param capability The capability.
/// @param capability_len Its length in bytes.
/// @param node The node's id.
/// @param node_len Its length in bytes.
/// @param now RFC 3339 time.
/// @param now_len Its length in bytes.
/// @param out_json Receives the array on success (NULL on failure); the
///   caller frees it with ch_string_free().
/// @param out_len Optional; receives its length in bytes.
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_NOT_FOUND for an unknown capability or
///   node; CH_STATUS_INVALID_VALUE for a malformed `now`;
///   CH_STATUS_NULL_ARGUMENT; CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// `network` is NULL or a live network; each string is NULL or valid for
/// reads of its length; out-parameters are NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_who_can(
    network: *const ch_network,
    capability: *const c_char,
    capability_len: usize,
    node: *const c_char,
    node_len: usize,
    now: *const c_char,
    now_len: usize,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = StringOut::new(out_json, out_len, "out_json")?;
            let net = arg_ref(network, "network")?;
            let reports: Vec<DecisionReport> = net
                .0
                .who_can(
                    arg_str(capability, capability_len, "capability")?,
                    arg_str(node, node_len, "node")?,
                    arg_time(now, now_len, "now")?,
                )?
                .into_iter()
                .map(|allowed| allowed.report())
                .collect();
            out.set(to_json(&reports, "who_can")?, "who_can")
        })
    }
}

/// Everyone who holds `capability` anywhere at `now`, through which grant, in
/// grant order: the data officer's view of who can export member data. A
/// JSON array: `[{"person": "p-2", "grant": "g-2", "role": "data_officer",
/// "scope": {"node": "cwa"}, "valid_until": null, "blocked_by": null,
/// "explanation": "p-2 holds it through grant g-2 (data_officer at cwa)"},
/// ...]`; `blocked_by` names a person rule (suspension, missing attestation)
/// that stops the grant for now.
///
/// @param network The network.
/// @param capability The capability.
/// @param capability_len Its length in bytes.
/// @param now RFC 3339 time.
/// @param now_len Its length in bytes.
/// @param out_json Receives the array on success (NULL on failure); the
///   caller frees it with ch_string_free().
/// @param out_len Optional; receives its length in bytes.
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_NOT_FOUND for an unknown capability;
///   CH_STATUS_INVALID_VALUE for a malformed `now`; CH_STATUS_NULL_ARGUMENT;
///   CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// `network` is NULL or a live network; each string is NULL or valid for
/// reads of its length; out-parameters are NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_network_audit(
    network: *const ch_network,
    capability: *const c_char,
    capability_len: usize,
    now: *const c_char,
    now_len: usize,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = StringOut::new(out_json, out_len, "out_json")?;
            let net = arg_ref(network, "network")?;
            let reports: Vec<AuditReport> = net
                .0
                .audit(
                    arg_str(capability, capability_len, "capability")?,
                    arg_time(now, now_len, "now")?,
                )?
                .iter()
                .map(AuditEntry::report)
                .collect();
            out.set(to_json(&reports, "audit")?, "audit")
        })
    }
}
