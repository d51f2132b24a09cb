//! The daily review queue: a triage plan from JSON in to JSON out.

use std::ffi::c_char;

use chapterhouse::triage::{self, TriageConfig, TriageInput};

use crate::convert::{StringOut, arg_opt_str, arg_str, arg_time, from_json, to_json};
use crate::error::{ch_error, ch_status, guard};

/// Plans today's review queue: one strict order of the open requests with a
/// reason per row, the line of what fits today's staff minutes, and alerts.
///
/// @param input_json The batch, `input_len` bytes of UTF-8 JSON:
///   `{"chapters": [{"id": "ch-1", "cohort": "north", "health": "new"}],
///   "staff": [{"id": "ana", "minutes": 300, "cohorts": ["north"]}],
///   "requests": [{"id": "r-1", "kind": "event_approval", "chapter": "ch-1",
///   "tier": 2, "created": "...", "due": "...", "minutes": 45}],
///   "fairness": {...}}` (every member optional; `fairness` is the state the
///   previous plan returned).
/// @param input_len Its length in bytes.
/// @param config_json Optional (NULL: the defaults): the plan's knobs, e.g.
///   `{"interruption_reserve_permille": 200, "sla_hours": [4, 24, 72, 168]}`.
/// @param config_len Its length in bytes.
/// @param now The time of planning, RFC 3339.
/// @param now_len Its length in bytes.
/// @param out_plan Receives the plan as JSON on success (NULL on failure):
///   `{"rows": [{"request": "r-1", "today": true, "reason": "P2: ...", ...}],
///   "line": {...}, "alerts": [...], "fairness": {...}, ...}`. The caller
///   frees it with ch_string_free().
/// @param out_len Optional; receives its length in bytes.
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_PARSE for malformed JSON (the message
///   gives the path); CH_STATUS_INVALID_VALUE for a request, chapter, staff
///   record or config field out of range (named in the message);
///   CH_STATUS_ALREADY_EXISTS for a repeated id; CH_STATUS_NOT_FOUND for a
///   mentor not on the staff list; CH_STATUS_LIMIT_EXCEEDED;
///   CH_STATUS_NULL_ARGUMENT; CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// Each string is NULL or valid for reads of its length; out-parameters are
/// NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_triage_plan(
    input_json: *const c_char,
    input_len: usize,
    config_json: *const c_char,
    config_len: usize,
    now: *const c_char,
    now_len: usize,
    out_plan: *mut *mut c_char,
    out_len: *mut usize,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = StringOut::new(out_plan, out_len, "out_plan")?;
            let input = TriageInput::from_json(arg_str(input_json, input_len, "input_json")?)?;
            let config: TriageConfig = arg_opt_str(config_json, config_len, "config_json")?
                .map(|text| from_json(text, "config_json"))
                .transpose()?
                .unwrap_or_default();
            let plan = triage::plan(&input, &config, arg_time(now, now_len, "now")?)?;
            out.set(to_json(&plan, "plan")?, "plan")
        })
    }
}
