//! Group-health scoring from an activity log given as CSV or JSON text.

use std::ffi::c_char;

use chapterhouse::health::{self, ActivityTable, Facts, HealthModel};

use crate::convert::{StringOut, arg_opt_str, arg_str, arg_time};
use crate::error::{FfiError, ch_error, ch_status, guard};

/// The arguments both scoring entry points share, converted.
struct ScoreArgs {
    facts: Facts,
    model: HealthModel,
    now: chrono::DateTime<chrono::Utc>,
}

/// # Safety
///
/// Each string is NULL or valid for reads of its length.
unsafe fn score_args(
    facts_json: *const c_char,
    facts_len: usize,
    model_json: *const c_char,
    model_len: usize,
    now: *const c_char,
    now_len: usize,
) -> Result<ScoreArgs, FfiError> {
    unsafe {
        Ok(ScoreArgs {
            facts: arg_opt_str(facts_json, facts_len, "facts_json")?
                .map(Facts::from_json)
                .transpose()?
                .unwrap_or_default(),
            model: arg_opt_str(model_json, model_len, "model_json")?
                .map(HealthModel::from_json)
                .transpose()?
                .unwrap_or_default(),
            now: arg_time(now, now_len, "now")?,
        })
    }
}

/// Scores every group of an activity log given as CSV, with the header
/// `group,time,kind,value,actor` (columns in any order; `value` and `actor`
/// may be empty; times RFC 3339). Kinds: `event_held` (value = attendance),
/// `member_joined`, `member_left`, `leader_action` (actor = the leader),
/// `post`, `petition_started`, `action_reported`, `win`.
///
/// @param activity_csv The log, `activity_len` bytes of UTF-8.
/// @param activity_len Its length in bytes.
/// @param facts_json Optional (NULL: none): per-group facts and staff,
///   `{"staff": ["p-1"], "groups": [{"group": "ch-1", "created": "...",
///   "cohort": "...", "leaders": ["p-9"], "pauses": [{"from": "...", "until":
///   "..."}], "previous_status": "steady"}]}`.
/// @param facts_len Its length in bytes.
/// @param model_json Optional (NULL: the default model): weights,
///   half-lives, thresholds, as the README's health section describes.
/// @param model_len Its length in bytes.
/// @param calibrate When true, the model's saturation constants and
///   attendance caps are first calibrated on the log's own history (what the
///   tour does); when false the model is used as given.
/// @param now The time the scores are for, RFC 3339.
/// @param now_len Its length in bytes.
/// @param out_report Receives the report as JSON on success (NULL on
///   failure): `{"as_of": "...", "groups": [{"group": "ch-1", "score": 71.5,
///   "status": "steady", "components": [...], "intervention": "...", ...}],
///   "metrics": {...}}`, groups sorted by id. The caller frees it with
///   ch_string_free().
/// @param out_len Optional; receives its length in bytes.
/// @param out_error Optional; receives an error on failure.
/// @return CH_STATUS_OK; CH_STATUS_PARSE for a malformed CSV line or JSON
///   (the message names the line and column, or the JSON path);
///   CH_STATUS_INVALID_VALUE for a row or fact out of range;
///   CH_STATUS_ALREADY_EXISTS for a group listed twice in the facts;
///   CH_STATUS_LIMIT_EXCEEDED; CH_STATUS_NULL_ARGUMENT; CH_STATUS_INVALID_UTF8.
///
/// # Safety
///
/// Each string is NULL or valid for reads of its length; out-parameters are
/// NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_health_score_csv(
    activity_csv: *const c_char,
    activity_len: usize,
    facts_json: *const c_char,
    facts_len: usize,
    model_json: *const c_char,
    model_len: usize,
    calibrate: bool,
    now: *const c_char,
    now_len: usize,
    out_report: *mut *mut c_char,
    out_len: *mut usize,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = StringOut::new(out_report, out_len, "out_report")?;
            let table =
                ActivityTable::from_csv(arg_str(activity_csv, activity_len, "activity_csv")?)?;
            let a = score_args(facts_json, facts_len, model_json, model_len, now, now_len)?;
            let report = health::score_table(&a.model, &a.facts, &table, a.now, calibrate)?;
            out.set(report.to_json(), "report")
        })
    }
}

/// As ch_health_score_csv(), with the activity log as a JSON array of rows:
/// `[{"group": "ch-1", "time": "2026-10-01T18:00:00Z", "kind": "event_held",
/// "value": 14, "actor": "p-9"}, ...]` (`value` and `actor` optional or
/// null).
///
/// # Safety
///
/// As ch_health_score_csv().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ch_health_score_json(
    activity_json: *const c_char,
    activity_len: usize,
    facts_json: *const c_char,
    facts_len: usize,
    model_json: *const c_char,
    model_len: usize,
    calibrate: bool,
    now: *const c_char,
    now_len: usize,
    out_report: *mut *mut c_char,
    out_len: *mut usize,
    out_error: *mut *mut ch_error,
) -> ch_status {
    unsafe {
        guard(out_error, || {
            let out = StringOut::new(out_report, out_len, "out_report")?;
            let table =
                ActivityTable::from_json(arg_str(activity_json, activity_len, "activity_json")?)?;
            let a = score_args(facts_json, facts_len, model_json, model_len, now, now_len)?;
            let report = health::score_table(&a.model, &a.facts, &table, a.now, calibrate)?;
            out.set(report.to_json(), "report")
        })
    }
}
