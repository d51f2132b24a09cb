//! Priority class, SLA deadline, aging and the cost-of-delay key of a request.
//!
//! Invariant: for a waiting request, class and key never decrease as `now`
//! advances (urgency only rises as the due date nears, promotions only add up,
//! the aging factor only grows).

use std::cmp::Ordering;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::config::TriageConfig;
use super::input::{Request, Tier};

/// A priority class. P1 is the most urgent. Ordered so that `P1 < P2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Class {
    /// Must be done today: high impact and due very soon.
    P1,
    /// High impact or soon due.
    P2,
    /// Normal.
    P3,
    /// Can wait.
    P4,
}

impl Class {
    /// All classes, P1 first.
    pub const ALL: [Class; 4] = [Class::P1, Class::P2, Class::P3, Class::P4];

    /// `"P1"` … `"P4"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::P1 => "P1",
            Class::P2 => "P2",
            Class::P3 => "P3",
            Class::P4 => "P4",
        }
    }

    /// 0 for P1 … 3 for P4.
    pub fn index(self) -> usize {
        match self {
            Class::P1 => 0,
            Class::P2 => 1,
            Class::P3 => 2,
            Class::P4 => 3,
        }
    }

    /// The next class up, never P1 (aging stops at P2).
    fn promoted(self) -> Class {
        match self {
            Class::P4 => Class::P3,
            Class::P3 | Class::P2 => Class::P2,
            Class::P1 => Class::P1,
        }
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How soon a request is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Overdue or due within 24 hours (4 points).
    Day,
    /// Due within 3 days (3 points).
    ThreeDays,
    /// Due within 7 days (2 points).
    Week,
    /// Due later, or no due date (1 point).
    Later,
}

impl Urgency {
    /// The urgency of a request due at `due`, seen at `now`.
    pub fn of(due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Urgency {
        match due {
            None => Urgency::Later,
            Some(d) => {
                let left = d - now;
                if left <= Duration::hours(24) {
                    Urgency::Day
                } else if left <= Duration::hours(72) {
                    Urgency::ThreeDays
                } else if left <= Duration::hours(168) {
                    Urgency::Week
                } else {
                    Urgency::Later
                }
            }
        }
    }

    /// Points used in impact × urgency: 4, 3, 2 or 1.
    pub fn points(self) -> u32 {
        match self {
            Urgency::Day => 4,
            Urgency::ThreeDays => 3,
            Urgency::Week => 2,
            Urgency::Later => 1,
        }
    }
}

/// Impact points of a request: tier 1 → 4, tier 2 → 2, tier 3 → 1; +2 for a
/// day of action; +1 when reach is at least the configured threshold.
pub(crate) fn impact(r: &Request, config: &TriageConfig) -> u32 {
    let tier = match r.tier {
        Tier::Urgent => 4,
        Tier::CampaignEvent => 2,
        Tier::Menu => 1,
    };
    let doa = if r.day_of_action { 2 } else { 0 };
    let reach = u32::from(config.reach_threshold > 0 && r.reach >= config.reach_threshold);
    tier + doa + reach
}

/// Everything triage derives from one request at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scored {
    /// The class from impact × urgency alone.
    pub base: Class,
    /// The class after aging (never P1 unless `base` is).
    pub class: Class,
    /// Days waited when the last promotion happened (0 when none).
    pub promoted_after_days: i64,
    pub impact: u32,
    pub urgency: Urgency,
    /// The aging factor in permille (1000 = not aged).
    pub aging_pm: u64,
    /// Cost of delay: impact × urgency points × aging permille.
    pub cod: u64,
    /// When the SLA runs out: the earlier of the due date and created + SLA.
    pub deadline: DateTime<Utc>,
}

/// The hours in a class's SLA.
pub(crate) fn sla(config: &TriageConfig, class: Class) -> Duration {
    let h = config.sla_hours.get(class.index()).copied().unwrap_or(24);
    Duration::hours(i64::from(h))
}

/// Classifies `r` at `now`. `now` must not be before `r.created` (the caller
/// checks); a negative age counts as zero.
pub(crate) fn score(r: &Request, config: &TriageConfig, now: DateTime<Utc>) -> Scored {
    let impact = impact(r, config);
    let urgency = Urgency::of(r.due, now);
    let product = impact * urgency.points();
    let base = if product >= config.p1_threshold {
        Class::P1
    } else if product >= config.p2_threshold {
        Class::P2
    } else if product >= config.p3_threshold {
        Class::P3
    } else {
        Class::P4
    };
    let age = (now - r.created).max(Duration::zero());
    // Each SLA waited promotes one class; the thresholds add up from the base.
    let mut class = base;
    let mut waited = Duration::zero();
    let mut promoted_after_days = 0;
    while class > Class::P2 {
        waited += sla(config, class);
        if age >= waited {
            class = class.promoted();
            promoted_after_days = waited.num_days();
        } else {
            break;
        }
    }
    let age_hours = u64::try_from(age.num_hours()).unwrap_or(0);
    let grown = u64::from(config.aging_permille_per_day).saturating_mul(age_hours) / 24;
    let aging_pm = 1000u64
        .saturating_add(grown)
        .min(u64::from(config.aging_cap_permille));
    let cod = u64::from(impact) * u64::from(urgency.points()) * aging_pm;
    let sla_end = r.created + sla(config, class);
    let deadline = match r.due {
        Some(d) if d < sla_end => d,
        _ => sla_end,
    };
    Scored {
        base,
        class,
        promoted_after_days,
        impact,
        urgency,
        aging_pm,
        cod,
        deadline,
    }
}

/// The order within a class: higher cost of delay per minute first
/// (cross-multiplied, exact), then earlier due (none last), earlier created,
/// smaller id. `Less` means `a` goes first.
pub(crate) fn key_order(a: (&Request, &Scored), b: (&Request, &Scored)) -> Ordering {
    let (ra, sa) = a;
    let (rb, sb) = b;
    let lhs = u128::from(sa.cod) * u128::from(rb.minutes);
    let rhs = u128::from(sb.cod) * u128::from(ra.minutes);
    rhs.cmp(&lhs)
        .then_with(|| due_order(ra.due, rb.due))
        .then_with(|| ra.created.cmp(&rb.created))
        .then_with(|| ra.id.cmp(&rb.id))
}

/// Earlier due first; no due date last.
pub(crate) fn due_order(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// "tier 2, day of action, reach 450"
pub(crate) fn impact_words(r: &Request, config: &TriageConfig) -> String {
    let mut s = format!("tier {}", r.tier.number());
    if r.day_of_action {
        s.push_str(", day of action");
    }
    if config.reach_threshold > 0 && r.reach >= config.reach_threshold {
        s.push_str(&format!(", reach {}", r.reach));
    }
    s
}

/// "due in 2 days", "due in 5 hours", "overdue by 3 hours", "no due date"
pub(crate) fn due_words(due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(d) = due else {
        return "no due date".into();
    };
    let left = d - now;
    if left < Duration::zero() {
        let late = now - d;
        if late < Duration::hours(48) {
            format!("overdue by {}", plural(late.num_hours().max(1), "hour"))
        } else {
            format!("overdue by {}", plural(late.num_days(), "day"))
        }
    } else if left < Duration::hours(48) {
        if left < Duration::hours(24) {
            format!("due in {}", plural(left.num_hours().max(1), "hour"))
        } else {
            "due in 1 day".into()
        }
    } else {
        format!("due in {}", plural(left.num_days(), "day"))
    }
}

pub(crate) fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// "×1.3" for 1300 permille (rounded down to a tenth).
pub(crate) fn factor_words(pm: u64) -> String {
    format!("×{}.{}", pm / 1000, (pm % 1000) / 100)
}
