//! The daily review queue: action tiers, capacity, fairness and mentors.

use chapterhouse::triage::{self, TriageConfig, TriageInput};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::convert::{TriageConfigArg, json_text, opt_from_js, optional, time, to_js};
use crate::error::JsFailure;

#[allow(dead_code)] // the macro below copies its text, so rustc sees no use
const TS_TRIAGE_TEXT: &str = r#"
/** A batch of open requests with the chapter facts, staff and carried fairness state. */
export interface TriageInput {
  as_of?: string;
  chapters?: Array<{
    id: string; cohort?: string;
    health?: "new" | "thriving" | "steady" | "at_risk" | "dormant"; mentor?: string;
  }>;
  requests?: Array<{
    id: string;
    kind: "event_approval" | "leader_application" | "campaign_review" | "support_request";
    chapter: string; tier: 1 | 2 | 3; created: string; due?: string; minutes: number;
    safety_legal?: boolean; day_of_action?: boolean; reach?: number; title?: string;
  }>;
  staff?: Array<{ id: string; name?: string; minutes: number; cohorts?: string[]; mentoring_minutes?: number }>;
  /** The previous plan's `fairness`. */
  fairness?: Record<string, unknown>;
}

/** Triage settings (every field optional; left out: the library's defaults). */
export type TriageConfig = Record<string, unknown>;

/** One request in the plan, in its strict order. */
export interface PlanRow {
  rank: number;
  request: string;
  chapter: string;
  kind: string;
  title?: string;
  tier: 1 | 2 | 3;
  lane: "escalate_now" | "queue";
  class: "P1" | "P2" | "P3" | "P4" | string;
  base_class: string;
  assignee?: string;
  assignment?: "mentor" | "most_spare" | "started" | "over_capacity";
  cost_of_delay: number;
  minutes: number;
  minutes_today: number;
  cumulative_minutes: number;
  /** True above the line. */
  today: boolean;
  projected?: string;
  deadline: string;
  sla_breach: boolean;
  /** Why the row is where it is, in words. */
  reason: string;
}

/** Today's plan. */
export interface Plan {
  now: string;
  rows: PlanRow[];
  line: {
    after_rank: number; capacity_minutes: number; planned_minutes: number;
    left_minutes: number; escalated_minutes: number;
  };
  alerts: Array<Record<string, unknown>>;
  metrics: Record<string, unknown>;
  staff: Array<Record<string, unknown>>;
  /** Pass to tomorrow's plan as the input's `fairness`. */
  fairness: Record<string, unknown>;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_TRIAGE: &str = TS_TRIAGE_TEXT;

/// Plans today's review queue: escalations first, then classes P1–P4 by
/// impact × urgency with aging, fair shares across chapters, and the line
/// of what today's staff minutes can do. Every row's `reason` says why.
///
/// `input` and `config` are objects or JSON text. Throws `parse` for
/// malformed input, `invalid_value` naming the request (or chapter, or
/// staff member) and field, `already_exists` for a repeated id.
#[wasm_bindgen(js_name = triagePlan, unchecked_return_type = "Plan")]
pub fn triage_plan(
    #[wasm_bindgen(unchecked_param_type = "TriageInput | string")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Time")] now: JsValue,
    config: Option<TriageConfigArg>,
) -> Result<JsValue, JsValue> {
    let input =
        TriageInput::from_json(&json_text(&input, "triage input")?).map_err(JsFailure::from)?;
    let now = time(&now, "now")?;
    let config: TriageConfig = opt_from_js(&optional(config), "triage config")?.unwrap_or_default();
    let plan = triage::plan(&input, &config, now).map_err(JsFailure::from)?;
    Ok(to_js(&plan)?)
}
