//! Group health: explained scores, statuses and network metrics from an
//! activity log (CSV) and per-group facts.

use chapterhouse::health::{self, ActivityTable, Calibration, Facts, HealthModel, NetworkMetrics};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::convert::{
    HealthModelArg, MetricsArg, from_js, opt_from_js, opt_with, optional, time, to_js,
};
use crate::error::JsFailure;

#[allow(dead_code)] // the macro below copies its text, so rustc sees no use
const TS_HEALTH_TEXT: &str = r#"
/** A group's health status. */
export type HealthStatus = "new" | "thriving" | "steady" | "at_risk" | "dormant";

/** What the scorer knows besides the activity log. */
export interface Facts {
  /** Staff person ids; their rows are not counted. */
  staff?: string[];
  groups?: Array<{
    group: string;
    created?: string;
    cohort?: string;
    leaders?: string[];
    pauses?: Array<{ from: string; until: string }>;
    previous_status?: HealthStatus;
  }>;
}

/**
 * A health model document (every field optional; left out: the library's
 * defaults). See the core's `HealthModel` for the fields.
 */
export type HealthModel = Record<string, unknown>;

/** One component of a group's score, explained. */
export interface ComponentReport {
  component: "activity" | "leadership" | "growth" | "engagement" | "impact" | string;
  score: number;
  weight: number;
  contribution: number;
  headroom: number;
  decayed: number;
  k: number | null;
  /** The raw facts in words. */
  facts: string;
}

/** The explained health of one group. */
export interface GroupReport {
  group: string;
  /** 0 to 100: the sum of the contributions. */
  score: number;
  status: HealthStatus;
  previous_status: HealthStatus | null;
  status_reason: string;
  intervention: string;
  intervention_text: string;
  components: ComponentReport[];
  trend: {
    recent_days: number; baseline_days: number; recent: number; baseline: number;
    ratio: number | null; direction: "rising" | "flat" | "falling" | "unclear";
  };
  leaders: Array<{ person: string; days_since_action: number | null }>;
  active_leaders: number;
  bus_factor: boolean;
  low_data: boolean;
  age_days: number | null;
  paused: boolean;
  /** Whole days of pauses before `now` that ages skip. */
  paused_days: number;
  onboarding: { reached: string[]; next: string | null } | null;
  excluded: { staff: number; future: number; not_leader: number };
}

/** Network-wide metrics of one run (pass to the next run as `previous`). */
export interface NetworkMetrics {
  as_of: string;
  window_days: number;
  groups: number;
  groups_by_status: Record<HealthStatus, number>;
  share_by_status: number[];
  active_chapters: number;
  actions_completed: number;
  wins: number;
  supporters_engaged: number;
  attendance: number;
  [field: string]: unknown;
}

/** The result of a scoring run. */
export interface HealthReport {
  as_of: string;
  /** Sorted by group id. */
  groups: GroupReport[];
  metrics: NetworkMetrics;
}

/** A calibration fitted to a network's own history. */
export interface CalibrationResult {
  calibration: Record<string, unknown>;
  established_groups: number;
  notes: string[];
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_HEALTH: &str = TS_HEALTH_TEXT;

/// Scores an activity log in one call with the model as given (no
/// calibration): every group's explained report and the network metrics.
///
/// `csv` is the activity log with the columns `group,time,kind,value,actor`; `facts` and
/// `model` are objects or JSON text (left out: none, and the default model).
/// Throws `parse` for a malformed CSV line (the message names the line and
/// column) and `invalid_value` for a bad fact or model field.
#[wasm_bindgen(js_name = healthReport, unchecked_return_type = "HealthReport")]
pub fn health_report(
    csv: &str,
    #[wasm_bindgen(unchecked_param_type = "Facts | string | undefined")] facts: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Time")] now: JsValue,
    model: Option<HealthModelArg>,
) -> Result<JsValue, JsValue> {
    let facts = opt_with(&facts, "facts", Facts::from_json)?;
    let now = time(&now, "now")?;
    let model = opt_with(&optional(model), "model", HealthModel::from_json)?;
    let table = ActivityTable::from_csv(csv).map_err(JsFailure::from)?;
    let report =
        health::score_columns(&model, &facts, &table.columns(), now).map_err(JsFailure::from)?;
    Ok(to_js(&report)?)
}

/// A scoring run in steps: add activity, fit the calibration to the
/// network's own history, score (as the library's `Scorer`).
#[wasm_bindgen]
pub struct HealthScorer(health::Scorer);

#[wasm_bindgen]
impl HealthScorer {
    /// A scorer for `now` with no activity yet. Throws `invalid_value` for
    /// a bad fact or model field.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Facts | string | undefined")] facts: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Time")] now: JsValue,
        model: Option<HealthModelArg>,
    ) -> Result<HealthScorer, JsValue> {
        let facts = opt_with(&facts, "facts", Facts::from_json)?;
        let now = time(&now, "now")?;
        let model = opt_with(&optional(model), "model", HealthModel::from_json)?;
        Ok(HealthScorer(
            health::Scorer::new(&model, &facts, now).map_err(JsFailure::from)?,
        ))
    }

    /// Adds an activity log (CSV: `group,time,kind,value,actor`).
    #[wasm_bindgen(js_name = addCsv)]
    pub fn add_csv(&mut self, csv: &str) -> Result<(), JsValue> {
        let table = ActivityTable::from_csv(csv).map_err(JsFailure::from)?;
        Ok(self.0.add_table(&table).map_err(JsFailure::from)?)
    }

    /// Fits the calibration (attendance caps, saturation constants) to the
    /// activity added so far. Does not change the scorer: apply the result's
    /// `calibration` with `setCalibration`.
    #[wasm_bindgen(unchecked_return_type = "CalibrationResult")]
    pub fn calibrate(&self) -> Result<JsValue, JsValue> {
        Ok(to_js(&self.0.calibrate())?)
    }

    /// Replaces the model's calibration, after checking it.
    #[wasm_bindgen(js_name = setCalibration)]
    pub fn set_calibration(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | string")]
        calibration: JsValue,
    ) -> Result<(), JsValue> {
        let calibration: Calibration = from_js(&calibration, "calibration")?;
        Ok(self
            .0
            .set_calibration(calibration)
            .map_err(JsFailure::from)?)
    }

    /// Scores every group. `previous` is the previous run's `metrics`, for
    /// the change since then.
    #[wasm_bindgen(unchecked_return_type = "HealthReport")]
    pub fn report(&self, previous: Option<MetricsArg>) -> Result<JsValue, JsValue> {
        let previous: Option<NetworkMetrics> =
            opt_from_js(&optional(previous), "previous metrics")?;
        Ok(to_js(&self.0.report(previous.as_ref()))?)
    }

    /// The number of groups seen so far (in the facts or the log).
    #[wasm_bindgen(getter, js_name = groupCount)]
    pub fn group_count(&self) -> usize {
        self.0.group_count()
    }
}
