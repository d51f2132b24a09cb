//! Group-health scoring: explainable scores, statuses with hysteresis,
//! interventions and network metrics.
//!
//! Invariants: every score, component score, contribution and headroom is in
//! `[0, 100]`; a group's contributions add up to its score exactly (each is a
//! multiple of 1/1024); the output does not depend on the order of the input
//! rows, bit for bit (sums are fixed-point integers, decay is computed without
//! the platform's `exp2`); with a fixed model, a group's report depends only
//! on its own rows and facts.
//!
//! # The model
//!
//! Each fact decays with its component's half-life `H`: an item aged `t`
//! counts `v · 2^(-t/H)`. A component's decayed count `S` is saturated as
//! `100 · S / (S + k)`; leadership is `100 · (1 − 2^(−L))` where `L` sums each
//! current leader's recency `2^(-t/H)` (one leader who acted today: 50; two:
//! 75). The score is the weighted mean of the five components. Ages skip a
//! group's pause windows. Staff rows are not counted; posts count at most
//! `posts_per_author_per_day` per author per day (the latest); an event
//! counts `1 + attendance_weight · min(attendance, cap) / cap`, with the cap
//! a high percentile of the cohort's attendance ([`Scorer::calibrate`]).
//!
//! # Use
//!
//! ```
//! use chapterhouse::health::{self, ActivityRow, Facts, HealthModel, Kind};
//! let now = "2026-11-01T00:00:00Z".parse().unwrap();
//! let t = |s: &str| s.parse().unwrap();
//! let rows = [
//!     ActivityRow { group: "ch-1", time: t("2026-10-25T18:00:00Z"), kind: Kind::EventHeld,
//!                   value: Some(18.0), actor: Some("ana") },
//!     ActivityRow { group: "ch-1", time: t("2026-10-30T09:00:00Z"), kind: Kind::LeaderAction,
//!                   value: None, actor: Some("ana") },
//! ];
//! let report = health::score(&HealthModel::default(), &Facts::default(), rows, now)?;
//! let g = report.group("ch-1").unwrap();
//! assert!(g.score > 0.0 && g.bus_factor);
//! assert_eq!(g.component(health::Component::Activity).unwrap().facts,
//!            "1 event in the last 45 days, 18 people attending in all, last one 6 days ago");
//! # Ok::<(), chapterhouse::health::HealthError>(())
//! ```

mod decay;
mod error;
mod facts;
mod input;
mod metrics;
mod model;
mod report;
mod scorer;

use chrono::{DateTime, Utc};

pub use error::HealthError;
pub use facts::{Facts, GroupFacts, Pause};
pub use input::{
    ActivityRow, ActivityTable, Columns, Kind, KindColumn, MAX_VALUE, NULL_KEY, StrColumn, Strings,
    TimeColumn,
};
pub use metrics::{
    MetricsChange, NetworkMetrics, PerStaff, StatusCounts, StatusDeltas, StatusMove, StatusShares,
};
pub use model::{
    Calibration, Component, HealthModel, ImpactValues, MAX_DAYS, PerComponent, Saturation,
    Thresholds,
};
pub use report::{
    ComponentReport, Excluded, GroupReport, HealthReport, Intervention, LeaderRecency, Milestone,
    Onboarding, Status, Trend, TrendDirection,
};
pub use scorer::{CalibrationResult, Scorer};

/// Scores rows in one call with the model as given (no calibration).
pub fn score<'a, I>(
    model: &HealthModel,
    facts: &Facts,
    rows: I,
    now: DateTime<Utc>,
) -> Result<HealthReport, HealthError>
where
    I: IntoIterator<Item = ActivityRow<'a>>,
{
    let mut scorer = Scorer::new(model, facts, now)?;
    scorer.add_rows(rows)?;
    Ok(scorer.report(None))
}

/// Scores a batch of columns in one call with the model as given.
pub fn score_columns(
    model: &HealthModel,
    facts: &Facts,
    columns: &Columns<'_>,
    now: DateTime<Utc>,
) -> Result<HealthReport, HealthError> {
    let mut scorer = Scorer::new(model, facts, now)?;
    scorer.add_columns(columns)?;
    Ok(scorer.report(None))
}

/// One row of an activity log in JSON (see [`ActivityTable::from_json`]).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRow {
    group: String,
    time: DateTime<Utc>,
    kind: Kind,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    actor: Option<String>,
}

impl ActivityTable {
    /// Reads an activity log from JSON: an array of rows
    /// `{"group": "ch-1", "time": "2026-10-01T18:00:00Z", "kind": "event_held",
    /// "value": 14, "actor": "ana"}` (`value` and `actor` optional or `null`),
    /// the same columns as [`ActivityTable::from_csv`]. Malformed JSON names
    /// the path, line and column; an invalid row names its index and column.
    ///
    /// ```
    /// use chapterhouse::health::ActivityTable;
    /// let table = ActivityTable::from_json(r#"[
    ///   {"group": "ch-1", "time": "2026-10-01T18:00:00Z", "kind": "event_held", "value": 14, "actor": "ana"},
    ///   {"group": "ch-1", "time": "2026-10-02T09:00:00Z", "kind": "post", "actor": "bo"}
    /// ]"#)?;
    /// assert_eq!(table.len(), 2);
    /// let err = ActivityTable::from_json(r#"[{"group": "ch-1", "time": "2026-10-01T18:00:00Z", "kind": "lunch"}]"#)
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("[0].kind"), "{err}");
    /// # Ok::<(), chapterhouse::health::HealthError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<ActivityTable, HealthError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let rows: Vec<JsonRow> = serde_path_to_error::deserialize(de)
            .map_err(|e| HealthError::json("activity log", e.path().to_string(), e.inner()))?;
        let mut table = ActivityTable::new();
        for r in &rows {
            table.push(ActivityRow {
                group: &r.group,
                time: r.time,
                kind: r.kind,
                value: r.value,
                actor: r.actor.as_deref(),
            })?;
        }
        Ok(table)
    }
}

/// Scores an activity table in one call: with `calibrate`, the model's
/// saturation constants and attendance caps are first calibrated on the
/// table's own history ([`Scorer::calibrate`]), as the tour does; without it
/// the model is used as given. This is the bindings' one-call entry point.
///
/// ```
/// use chapterhouse::health::{self, ActivityTable, Facts, HealthModel};
/// let table = ActivityTable::from_csv("group,time,kind,value,actor\n\
///     ch-1,2026-10-25T18:00:00Z,event_held,18,ana\n\
///     ch-1,2026-10-30T09:00:00Z,leader_action,,ana\n")?;
/// let now = "2026-11-01T00:00:00Z".parse().unwrap();
/// let report = health::score_table(&HealthModel::default(), &Facts::default(), &table, now, true)?;
/// assert_eq!(report.groups.len(), 1);
/// # Ok::<(), chapterhouse::health::HealthError>(())
/// ```
pub fn score_table(
    model: &HealthModel,
    facts: &Facts,
    table: &ActivityTable,
    now: DateTime<Utc>,
    calibrate: bool,
) -> Result<HealthReport, HealthError> {
    let mut scorer = Scorer::new(model, facts, now)?;
    scorer.add_table(table)?;
    if calibrate {
        let result = scorer.calibrate();
        scorer.set_calibration(result.calibration)?;
    }
    Ok(scorer.report(None))
}
