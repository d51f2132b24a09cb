//! The health model: weights, half-lives, saturation constants, thresholds.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::HealthError;
use super::report::Status;

/// One of the five parts of a health score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// Events held, weighted by (capped) attendance.
    Activity,
    /// How recently each current leader acted.
    Leadership,
    /// Petitions started, actions reported back, wins.
    Impact,
    /// New members.
    Growth,
    /// Posts, capped per author per day.
    Conversation,
}

impl Component {
    /// Every component, in report order.
    pub const ALL: [Component; 5] = [
        Component::Activity,
        Component::Leadership,
        Component::Impact,
        Component::Growth,
        Component::Conversation,
    ];

    /// The snake_case name (`"activity"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Activity => "activity",
            Component::Leadership => "leadership",
            Component::Impact => "impact",
            Component::Growth => "growth",
            Component::Conversation => "conversation",
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One number per component.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerComponent {
    /// Activity.
    pub activity: f64,
    /// Leadership.
    pub leadership: f64,
    /// Impact.
    pub impact: f64,
    /// Growth.
    pub growth: f64,
    /// Conversation.
    pub conversation: f64,
}

impl PerComponent {
    /// The value for `c`.
    pub fn get(&self, c: Component) -> f64 {
        match c {
            Component::Activity => self.activity,
            Component::Leadership => self.leadership,
            Component::Impact => self.impact,
            Component::Growth => self.growth,
            Component::Conversation => self.conversation,
        }
    }
}

/// The saturation constants `k` of the saturated components: a component
/// whose decayed count equals its `k` scores 50.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Saturation {
    /// Activity (event units; an event counts 1, plus up to 1 for attendance).
    pub activity: f64,
    /// Impact (petitions, report-backs and wins, by their values).
    pub impact: f64,
    /// Growth (new members).
    pub growth: f64,
    /// Conversation (posts).
    pub conversation: f64,
}

impl Saturation {
    /// The constant for `c` (`None` for leadership, which is not saturated).
    pub fn get(&self, c: Component) -> Option<f64> {
        match c {
            Component::Activity => Some(self.activity),
            Component::Leadership => None,
            Component::Impact => Some(self.impact),
            Component::Growth => Some(self.growth),
            Component::Conversation => Some(self.conversation),
        }
    }

    pub(crate) fn set(&mut self, c: Component, k: f64) {
        match c {
            Component::Activity => self.activity = k,
            Component::Leadership => {}
            Component::Impact => self.impact = k,
            Component::Growth => self.growth = k,
            Component::Conversation => self.conversation = k,
        }
    }
}

/// The part of a model that is fitted to a network's own history
/// (see [`Scorer::calibrate`](super::Scorer::calibrate)): saturation
/// constants and attendance caps. Scores are comparable only within one
/// calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Calibration {
    /// Saturation constants.
    pub k: Saturation,
    /// The attendance cap for groups whose cohort has no cap of its own.
    pub attendance_cap: f64,
    /// Attendance caps per cohort.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cohort_attendance_caps: BTreeMap<String, f64>,
}

impl Default for Calibration {
    fn default() -> Calibration {
        Calibration {
            k: Saturation {
                activity: 2.5,
                impact: 1.5,
                growth: 4.0,
                conversation: 8.0,
            },
            attendance_cap: 60.0,
            cohort_attendance_caps: BTreeMap::new(),
        }
    }
}

impl Calibration {
    /// The attendance cap for a cohort.
    pub fn attendance_cap_for(&self, cohort: Option<&str>) -> f64 {
        cohort
            .and_then(|c| self.cohort_attendance_caps.get(c))
            .copied()
            .unwrap_or(self.attendance_cap)
    }
}

/// Values of the impact kinds, per row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactValues {
    /// A petition started.
    pub petition_started: f64,
    /// An action reported back.
    pub action_reported: f64,
    /// A win.
    pub win: f64,
}

/// Score thresholds with hysteresis: a group enters a status at one level and
/// leaves it at another, so a score wobbling near a line does not flip its
/// status every run.
///
/// Must satisfy `0 ≤ at_risk_enter ≤ at_risk_leave ≤ thriving_leave ≤
/// thriving_enter ≤ 100`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// A group not yet thriving becomes thriving at this score or more.
    pub thriving_enter: f64,
    /// A thriving group stays thriving at this score or more.
    pub thriving_leave: f64,
    /// A group not yet at risk becomes at risk below this score.
    pub at_risk_enter: f64,
    /// An at-risk group stays at risk below this score.
    pub at_risk_leave: f64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            thriving_enter: 70.0,
            thriving_leave: 62.0,
            at_risk_enter: 30.0,
            at_risk_leave: 38.0,
        }
    }
}

impl Thresholds {
    /// The score-based status (thriving, steady or at risk) for `score` given
    /// the previous status.
    ///
    /// ```
    /// use chapterhouse::health::{Status, Thresholds};
    /// let t = Thresholds::default();
    /// assert_eq!(t.status_for(Some(Status::Steady), 66.0), Status::Steady);
    /// assert_eq!(t.status_for(Some(Status::Thriving), 66.0), Status::Thriving);
    /// assert_eq!(t.status_for(None, 29.0), Status::AtRisk);
    /// ```
    pub fn status_for(&self, previous: Option<Status>, score: f64) -> Status {
        let thriving = match previous {
            Some(Status::Thriving) => score >= self.thriving_leave,
            _ => score >= self.thriving_enter,
        };
        let at_risk = match previous {
            Some(Status::AtRisk) => score < self.at_risk_leave,
            _ => score < self.at_risk_enter,
        };
        if thriving {
            Status::Thriving
        } else if at_risk {
            Status::AtRisk
        } else {
            Status::Steady
        }
    }
}

/// How group health is scored. Every field has a default (the values of
/// DESIGN.md); an organization can change any of them, and the model
/// serializes to and from JSON.
///
/// ```
/// use chapterhouse::health::HealthModel;
/// let m = HealthModel::from_json(r#"{"weights": {"activity": 40, "leadership": 25,
///     "impact": 15, "growth": 10, "conversation": 10}}"#)?;
/// assert_eq!(m.half_lives_days.activity, 45.0);
/// let err = HealthModel::from_json(r#"{"posts_per_author_per_day": 0}"#).unwrap_err();
/// assert_eq!(err.to_string(), "invalid health model: posts_per_author_per_day must be at least 1");
/// # Ok::<(), chapterhouse::health::HealthError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthModel {
    /// Relative weights of the components (any scale; zero drops a component).
    pub weights: PerComponent,
    /// Half-lives in days: an item this old counts half.
    pub half_lives_days: PerComponent,
    /// Saturation constants and attendance caps.
    pub calibration: Calibration,
    /// How much a full-capacity event adds to its own 1 (0 ignores attendance).
    pub attendance_weight: f64,
    /// The cohort percentile (0 to 1) that calibration uses as attendance cap.
    pub attendance_percentile: f64,
    /// Values of petitions, report-backs and wins.
    pub impact_values: ImpactValues,
    /// At most this many posts per author per day count (the latest ones).
    pub posts_per_author_per_day: u32,
    /// Status thresholds.
    pub thresholds: Thresholds,
    /// Groups younger than this are `New`.
    pub new_group_days: u32,
    /// Dormant when no leader action for this many days …
    pub dormant_leader_days: u32,
    /// … and no event for this many days.
    pub dormant_event_days: u32,
    /// A leader is active if they acted within this many days (bus factor).
    pub active_leader_days: u32,
    /// Fewer counted facts than this in the trend's long window flags low data.
    pub low_data_observations: u32,
    /// The trend's recent window in days.
    pub trend_recent_days: u32,
    /// The trend's long window in days.
    pub trend_baseline_days: u32,
    /// The window of the network metrics, in days.
    pub metrics_window_days: u32,
    /// Calibration counts groups at least this old as established.
    pub established_days: u32,
    /// Calibration keeps the model's constants with fewer established groups.
    pub min_established_groups: u32,
    /// Calibration keeps the default attendance cap for a cohort with fewer events.
    pub min_cap_events: u32,
}

impl Default for HealthModel {
    fn default() -> HealthModel {
        HealthModel {
            weights: PerComponent {
                activity: 30.0,
                leadership: 25.0,
                impact: 20.0,
                growth: 15.0,
                conversation: 10.0,
            },
            half_lives_days: PerComponent {
                activity: 45.0,
                leadership: 21.0,
                impact: 60.0,
                growth: 60.0,
                conversation: 14.0,
            },
            calibration: Calibration::default(),
            attendance_weight: 1.0,
            attendance_percentile: 0.95,
            impact_values: ImpactValues {
                petition_started: 1.0,
                action_reported: 1.0,
                win: 2.0,
            },
            posts_per_author_per_day: 3,
            thresholds: Thresholds::default(),
            new_group_days: 90,
            dormant_leader_days: 60,
            dormant_event_days: 90,
            active_leader_days: 30,
            low_data_observations: 5,
            trend_recent_days: 14,
            trend_baseline_days: 90,
            metrics_window_days: 90,
            established_days: 180,
            min_established_groups: 5,
            min_cap_events: 20,
        }
    }
}

/// The longest half-life or window accepted, in days (100 years).
pub const MAX_DAYS: f64 = 36_525.0;

impl HealthModel {
    /// Reads a model from JSON (missing fields take their defaults) and
    /// validates it.
    pub fn from_json(text: &str) -> Result<HealthModel, HealthError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let model: HealthModel = serde_path_to_error::deserialize(de)
            .map_err(|e| HealthError::json("health model", e.path().to_string(), e.inner()))?;
        model.validate()?;
        Ok(model)
    }

    /// Serializes the model as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks every setting; the error names the first bad one.
    pub fn validate(&self) -> Result<(), HealthError> {
        let mut total = 0.0;
        for c in Component::ALL {
            let w = self.weights.get(c);
            if !w.is_finite() || !(0.0..=1e6).contains(&w) {
                return Err(HealthError::model(
                    format!("weights.{c}"),
                    "must be a number from 0 to 1000000",
                ));
            }
            total += w;
            let h = self.half_lives_days.get(c);
            if !h.is_finite() || !(1.0 / 24.0..=MAX_DAYS).contains(&h) {
                return Err(HealthError::model(
                    format!("half_lives_days.{c}"),
                    "must be from 1 hour (0.0417) to 36525 days",
                ));
            }
            if let Some(k) = self.calibration.k.get(c)
                && (!k.is_finite() || k <= 0.0 || k > 1e12)
            {
                return Err(HealthError::model(
                    format!("calibration.k.{c}"),
                    "must be a number above 0",
                ));
            }
        }
        if total <= 0.0 {
            return Err(HealthError::model("weights", "must not all be zero"));
        }
        let cap_ok = |v: f64| v.is_finite() && v > 0.0 && v <= 1e9;
        if !cap_ok(self.calibration.attendance_cap) {
            return Err(HealthError::model(
                "calibration.attendance_cap",
                "must be a number above 0",
            ));
        }
        for (cohort, cap) in &self.calibration.cohort_attendance_caps {
            if !cap_ok(*cap) {
                return Err(HealthError::model(
                    format!("calibration.cohort_attendance_caps.{cohort}"),
                    "must be a number above 0",
                ));
            }
        }
        if !self.attendance_weight.is_finite() || !(0.0..=1000.0).contains(&self.attendance_weight)
        {
            return Err(HealthError::model(
                "attendance_weight",
                "must be a number from 0 to 1000",
            ));
        }
        if !(self.attendance_percentile > 0.0 && self.attendance_percentile <= 1.0) {
            return Err(HealthError::model(
                "attendance_percentile",
                "must be above 0 and at most 1",
            ));
        }
        let iv = self.impact_values;
        for (name, v) in [
            ("petition_started", iv.petition_started),
            ("action_reported", iv.action_reported),
            ("win", iv.win),
        ] {
            if !v.is_finite() || !(0.0..=1000.0).contains(&v) {
                return Err(HealthError::model(
                    format!("impact_values.{name}"),
                    "must be a number from 0 to 1000",
                ));
            }
        }
        if self.posts_per_author_per_day == 0 {
            return Err(HealthError::model(
                "posts_per_author_per_day",
                "must be at least 1",
            ));
        }
        let t = self.thresholds;
        let order = [
            ("thresholds.at_risk_enter", t.at_risk_enter),
            ("thresholds.at_risk_leave", t.at_risk_leave),
            ("thresholds.thriving_leave", t.thriving_leave),
            ("thresholds.thriving_enter", t.thriving_enter),
        ];
        for (name, v) in order {
            if !v.is_finite() || !(0.0..=100.0).contains(&v) {
                return Err(HealthError::model(name, "must be from 0 to 100"));
            }
        }
        for pair in order.windows(2) {
            if let [(a, va), (b, vb)] = pair
                && va > vb
            {
                return Err(HealthError::model(*b, format!("must not be below {a}")));
            }
        }
        let days = [
            ("new_group_days", self.new_group_days),
            ("dormant_leader_days", self.dormant_leader_days),
            ("dormant_event_days", self.dormant_event_days),
            ("active_leader_days", self.active_leader_days),
            ("trend_recent_days", self.trend_recent_days),
            ("trend_baseline_days", self.trend_baseline_days),
            ("metrics_window_days", self.metrics_window_days),
            ("established_days", self.established_days),
        ];
        for (name, d) in days {
            if d == 0 || f64::from(d) > MAX_DAYS {
                return Err(HealthError::model(name, "must be from 1 to 36525 days"));
            }
        }
        if self.trend_recent_days > self.trend_baseline_days {
            return Err(HealthError::model(
                "trend_recent_days",
                "must not exceed trend_baseline_days",
            ));
        }
        Ok(())
    }

    /// Each component's weight as a share of the total weight (sums to 1).
    pub(crate) fn shares(&self) -> [f64; 5] {
        let total: f64 = Component::ALL.iter().map(|c| self.weights.get(*c)).sum();
        Component::ALL.map(|c| self.weights.get(c) / total)
    }
}

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// A validated half-life in days as whole milliseconds (at least 1).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // validated range
pub(crate) fn days_to_ms(days: f64) -> u64 {
    ((days * DAY_MS as f64).round() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_and_validates() {
        let m = HealthModel::default();
        m.validate().unwrap();
        let back = HealthModel::from_json(&m.to_json()).unwrap();
        assert_eq!(back, m);
        assert_eq!(HealthModel::from_json("{}").unwrap(), m);
    }

    #[test]
    fn bad_models_name_the_field() {
        let cases = [
            (
                r#"{"weights":{"activity":-1,"leadership":1,"impact":1,"growth":1,"conversation":1}}"#,
                "weights.activity",
            ),
            (
                r#"{"weights":{"activity":0,"leadership":0,"impact":0,"growth":0,"conversation":0}}"#,
                "weights must not all be zero",
            ),
            (
                r#"{"half_lives_days":{"activity":0,"leadership":1,"impact":1,"growth":1,"conversation":1}}"#,
                "half_lives_days.activity",
            ),
            (
                r#"{"thresholds":{"thriving_enter":60,"thriving_leave":62,"at_risk_enter":30,"at_risk_leave":38}}"#,
                "thresholds.thriving_enter must not be below thresholds.thriving_leave",
            ),
            (
                r#"{"calibration":{"k":{"activity":0,"impact":1,"growth":1,"conversation":1}}}"#,
                "calibration.k.activity",
            ),
            (r#"{"attendance_percentile":1.5}"#, "attendance_percentile"),
            (
                r#"{"trend_recent_days":100}"#,
                "trend_recent_days must not exceed",
            ),
        ];
        for (json, want) in cases {
            let e = HealthModel::from_json(json).unwrap_err();
            assert!(e.to_string().contains(want), "{json}: {e}");
            assert_eq!(e.kind(), crate::ErrorKind::InvalidValue);
        }
        let e = HealthModel::from_json(r#"{"weight": 1}"#).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Parse);
        assert!(e.to_string().contains("unknown field `weight`"), "{e}");
    }

    #[test]
    fn hysteresis_needs_the_enter_level_to_change() {
        let t = Thresholds::default();
        assert_eq!(t.status_for(None, 70.0), Status::Thriving);
        assert_eq!(t.status_for(Some(Status::Steady), 69.9), Status::Steady);
        assert_eq!(t.status_for(Some(Status::Thriving), 62.0), Status::Thriving);
        assert_eq!(t.status_for(Some(Status::Thriving), 61.9), Status::Steady);
        assert_eq!(t.status_for(Some(Status::Thriving), 10.0), Status::AtRisk);
        assert_eq!(t.status_for(Some(Status::AtRisk), 37.9), Status::AtRisk);
        assert_eq!(t.status_for(Some(Status::AtRisk), 38.0), Status::Steady);
        assert_eq!(t.status_for(Some(Status::AtRisk), 90.0), Status::Thriving);
        assert_eq!(t.status_for(Some(Status::Steady), 30.0), Status::Steady);
    }
}
