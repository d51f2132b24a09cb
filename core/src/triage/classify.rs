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
    /// When the SLA runs out: the earlier of the due date and created + the
    /// SLA of the class it had on arrival.
    pub deadline: DateTime<Utc>,
}

/// The hours in a class's SLA.
pub(crate) fn sla(config: &TriageConfig, class: Class) -> Duration {
    let h = config.sla_hours.get(class.index()).copied().unwrap_or(24);
    Duration::hours(i64::from(h))
}

fn class_of(product: u32, config: &TriageConfig) -> Class {
    if product >= config.p1_threshold {
        Class::P1
    } else if product >= config.p2_threshold {
        Class::P2
    } else if product >= config.p3_threshold {
        Class::P3
    } else {
        Class::P4
    }
}

/// Classifies `r` at `now`. `now` must not be before `r.created` (the caller
/// checks); a negative age counts as zero.
pub(crate) fn score(r: &Request, config: &TriageConfig, now: DateTime<Utc>) -> Scored {
    let impact = impact(r, config);
    let urgency = Urgency::of(r.due, now);
    let base = class_of(impact * urgency.points(), config);
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
    // The SLA clock runs from arrival with the class the request had then, so
    // neither a nearing due date nor aging moves it.
    let on_arrival = class_of(impact * Urgency::of(r.due, r.created).points(), config);
    let sla_end = r.created + sla(config, on_arrival);
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

/// The order within a class is: higher cost of delay per minute first
/// (this function), then earlier due (none last), earlier created, smaller id.
///
/// Higher `cod / minutes` first, compared exactly by cross-multiplying
/// (cod ≤ 7 × 4 × 100 000 and minutes ≤ 10 080, so the products fit in u64).
pub(crate) fn ratio_order(cod_a: u64, min_a: u64, cod_b: u64, min_b: u64) -> Ordering {
    let lhs = cod_a.saturating_mul(min_b);
    let rhs = cod_b.saturating_mul(min_a);
    rhs.cmp(&lhs)
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

/// Writes "tier 2, day of action, reach 450".
pub(crate) fn write_impact(out: &mut String, r: &Request, config: &TriageConfig) {
    out.push_str(match r.tier {
        Tier::Urgent => "tier 1",
        Tier::CampaignEvent => "tier 2",
        Tier::Menu => "tier 3",
    });
    if r.day_of_action {
        out.push_str(", day of action");
    }
    if config.reach_threshold > 0 && r.reach >= config.reach_threshold {
        out.push_str(", reach ");
        write_u64(out, u64::from(r.reach));
    }
}

/// Writes "due in 2 days", "due in 5 hours", "overdue by 3 hours" or "no due date".
pub(crate) fn write_due(out: &mut String, due: Option<DateTime<Utc>>, now: DateTime<Utc>) {
    let Some(d) = due else {
        out.push_str("no due date");
        return;
    };
    let left = d - now;
    if left < Duration::zero() {
        let late = now - d;
        out.push_str("overdue by ");
        if late < Duration::hours(48) {
            write_plural(out, late.num_hours().max(1), "hour");
        } else {
            write_plural(out, late.num_days(), "day");
        }
    } else if left < Duration::hours(24) {
        out.push_str("due in ");
        write_plural(out, left.num_hours().max(1), "hour");
    } else {
        out.push_str("due in ");
        write_plural(out, left.num_days(), "day");
    }
}

/// Writes "1 day" or "3 days".
pub(crate) fn write_plural(out: &mut String, n: i64, unit: &str) {
    if n < 0 {
        out.push('-');
    }
    write_u64(out, n.unsigned_abs());
    out.push(' ');
    out.push_str(unit);
    if n != 1 {
        out.push('s');
    }
}

/// Writes "×1.3" for 1300 permille (rounded down to a tenth).
pub(crate) fn write_factor(out: &mut String, pm: u64) {
    out.push('×');
    write_u64(out, pm / 1000);
    out.push('.');
    write_u64(out, (pm % 1000) / 100);
}

/// Writes a number without the formatting machinery (rows are many).
pub(crate) fn write_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(b) = buf.get_mut(i) {
            *b = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for &b in buf.get(i..).unwrap_or(&[]) {
        out.push(char::from(b));
    }
}

/// Writes "19 Nov 14:00" (UTC).
pub(crate) fn write_when(out: &mut String, t: DateTime<Utc>) {
    use chrono::{Datelike, Timelike};
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    write_u64(out, u64::from(t.day()));
    out.push(' ');
    out.push_str(MONTHS.get(t.month0() as usize).copied().unwrap_or("?"));
    out.push(' ');
    let (h, m) = (t.hour(), t.minute());
    if h < 10 {
        out.push('0');
    }
    write_u64(out, u64::from(h));
    out.push(':');
    if m < 10 {
        out.push('0');
    }
    write_u64(out, u64::from(m));
}
