//! The knobs of a triage plan, with defaults that match the design.

use serde::{Deserialize, Serialize};

use super::TriageError;

/// Configuration of a triage plan. `TriageConfig::default()` is the design's
/// default; every field can be changed and is checked by [`TriageConfig::validate`].
///
/// Class rule: impact points (tier 1 → 4, tier 2 → 2, tier 3 → 1; +2 for a
/// day of action; +1 when reach ≥ `reach_threshold`) times urgency points
/// (due within 24 h or overdue → 4, within 3 days → 3, within 7 days → 2,
/// later or no due date → 1). A product ≥ `p1_threshold` is P1, ≥
/// `p2_threshold` P2, ≥ `p3_threshold` P3, else P4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriageConfig {
    /// Share of every staff member's minutes kept for interruptions, in
    /// permille (200 = 20 %). Escalations draw on it first.
    pub interruption_reserve_permille: u32,
    /// Smallest impact × urgency product for P1.
    pub p1_threshold: u32,
    /// Smallest product for P2.
    pub p2_threshold: u32,
    /// Smallest product for P3.
    pub p3_threshold: u32,
    /// SLA of each class in hours, P1 to P4.
    pub sla_hours: [u32; 4],
    /// Reach (people) from which a request gains one impact point.
    pub reach_threshold: u32,
    /// Share weights of P2, P3 and P4 in the capacity left after P1.
    pub class_shares: [u32; 3],
    /// Minutes P4 keeps today when it has demand, even when its share is smaller.
    pub p4_minimum_minutes: u32,
    /// How much a waiting request's cost of delay grows per day waited, in
    /// permille of its value (100 = +10 % a day).
    pub aging_permille_per_day: u32,
    /// The largest aging factor, in permille (5000 = ×5).
    pub aging_cap_permille: u32,
    /// Deficit round robin quantum: minutes a chapter earns per round.
    pub quantum_minutes: u32,
    /// Extra quantum for New and AtRisk chapters, in permille (0 = off; 500 = ×1.5).
    pub extra_weight_permille: u32,
    /// A chapter floods the queue when its backlog is more than this many
    /// times the median chapter backlog.
    pub flood_factor: u32,
    /// Mentor assignment settings.
    pub mentor: MentorConfig,
}

impl Default for TriageConfig {
    fn default() -> Self {
        TriageConfig {
            interruption_reserve_permille: 200,
            p1_threshold: 12,
            p2_threshold: 6,
            p3_threshold: 3,
            sla_hours: [24, 72, 168, 336],
            reach_threshold: 200,
            class_shares: [6, 3, 1],
            p4_minimum_minutes: 60,
            aging_permille_per_day: 100,
            aging_cap_permille: 5000,
            quantum_minutes: 60,
            extra_weight_permille: 0,
            flood_factor: 3,
            mentor: MentorConfig::default(),
        }
    }
}

/// Mentor assignment settings: weekly minutes a chapter needs by health, and
/// when to move a chapter to another mentor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MentorConfig {
    /// Weekly mentoring minutes for a New chapter.
    pub new_minutes: u32,
    /// … for a Thriving chapter.
    pub thriving_minutes: u32,
    /// … for a Steady chapter.
    pub steady_minutes: u32,
    /// … for an AtRisk chapter.
    pub at_risk_minutes: u32,
    /// … for a Dormant chapter.
    pub dormant_minutes: u32,
    /// A chapter whose status changed moves only when its mentor's load
    /// exceeds the least-loaded eligible mentor's by more than this many
    /// weekly minutes (after the move).
    pub reassign_gap_minutes: u32,
}

impl Default for MentorConfig {
    fn default() -> Self {
        MentorConfig {
            new_minutes: 90,
            thriving_minutes: 15,
            steady_minutes: 30,
            at_risk_minutes: 90,
            dormant_minutes: 30,
            reassign_gap_minutes: 60,
        }
    }
}

impl MentorConfig {
    /// Weekly minutes a chapter of this health needs.
    pub fn minutes_for(&self, health: super::ChapterHealth) -> u32 {
        use super::ChapterHealth::*;
        match health {
            New => self.new_minutes,
            Thriving => self.thriving_minutes,
            Steady => self.steady_minutes,
            AtRisk => self.at_risk_minutes,
            Dormant => self.dormant_minutes,
        }
    }
}

impl TriageConfig {
    /// Checks every field's range; the error names the field.
    pub fn validate(&self) -> Result<(), TriageError> {
        let bad = |field: &str, reason: &str| TriageError::InvalidConfig {
            field: field.into(),
            reason: reason.into(),
        };
        if self.interruption_reserve_permille > 1000 {
            return Err(bad("interruption_reserve_permille", "must be at most 1000"));
        }
        if !(self.p1_threshold > self.p2_threshold
            && self.p2_threshold > self.p3_threshold
            && self.p3_threshold >= 1)
        {
            return Err(bad(
                "p1_threshold",
                "thresholds must fall strictly from p1 to p3, and p3 must be at least 1",
            ));
        }
        if self.p1_threshold > 1000 {
            return Err(bad("p1_threshold", "must be at most 1000"));
        }
        if self.sla_hours.iter().any(|&h| h == 0 || h > 24 * 365) {
            return Err(bad("sla_hours", "each must be between 1 and 8760"));
        }
        if self.class_shares.iter().any(|&w| w == 0 || w > 1000) {
            return Err(bad("class_shares", "each must be between 1 and 1000"));
        }
        if self.p4_minimum_minutes > 100_000 {
            return Err(bad("p4_minimum_minutes", "must be at most 100000"));
        }
        if self.aging_permille_per_day > 100_000 {
            return Err(bad("aging_permille_per_day", "must be at most 100000"));
        }
        if !(1000..=100_000).contains(&self.aging_cap_permille) {
            return Err(bad("aging_cap_permille", "must be between 1000 and 100000"));
        }
        if !(1..=10_080).contains(&self.quantum_minutes) {
            return Err(bad("quantum_minutes", "must be between 1 and 10080"));
        }
        if self.extra_weight_permille > 10_000 {
            return Err(bad("extra_weight_permille", "must be at most 10000"));
        }
        if self.flood_factor == 0 || self.flood_factor > 1000 {
            return Err(bad("flood_factor", "must be between 1 and 1000"));
        }
        let m = &self.mentor;
        if [
            m.new_minutes,
            m.thriving_minutes,
            m.steady_minutes,
            m.at_risk_minutes,
            m.dormant_minutes,
        ]
        .iter()
        .any(|&x| x > 10_080)
        {
            return Err(bad("mentor", "weekly minutes must be at most 10080"));
        }
        Ok(())
    }
}
