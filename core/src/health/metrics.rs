//! Network-wide metrics: the seed measures of a distributed program.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::report::{GroupReport, Status};

/// How many groups are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    /// New groups.
    pub new: u64,
    /// Thriving groups.
    pub thriving: u64,
    /// Steady groups.
    pub steady: u64,
    /// At-risk groups.
    pub at_risk: u64,
    /// Dormant groups.
    pub dormant: u64,
}

impl StatusCounts {
    /// The count for `s`.
    pub fn get(&self, s: Status) -> u64 {
        match s {
            Status::New => self.new,
            Status::Thriving => self.thriving,
            Status::Steady => self.steady,
            Status::AtRisk => self.at_risk,
            Status::Dormant => self.dormant,
        }
    }

    fn bump(&mut self, s: Status) {
        let slot = match s {
            Status::New => &mut self.new,
            Status::Thriving => &mut self.thriving,
            Status::Steady => &mut self.steady,
            Status::AtRisk => &mut self.at_risk,
            Status::Dormant => &mut self.dormant,
        };
        *slot += 1;
    }

    /// The total over all statuses.
    pub fn total(&self) -> u64 {
        Status::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

/// The share of groups in each status (0 to 1; they sum to 1 up to rounding).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusShares {
    /// Share of new groups.
    pub new: f64,
    /// Share of thriving groups.
    pub thriving: f64,
    /// Share of steady groups.
    pub steady: f64,
    /// Share of at-risk groups.
    pub at_risk: f64,
    /// Share of dormant groups.
    pub dormant: f64,
}

impl StatusShares {
    /// The share for `s`.
    pub fn get(&self, s: Status) -> f64 {
        match s {
            Status::New => self.new,
            Status::Thriving => self.thriving,
            Status::Steady => self.steady,
            Status::AtRisk => self.at_risk,
            Status::Dormant => self.dormant,
        }
    }
}

/// Signed changes per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusDeltas {
    /// Change in new groups.
    pub new: i64,
    /// Change in thriving groups.
    pub thriving: i64,
    /// Change in steady groups.
    pub steady: i64,
    /// Change in at-risk groups.
    pub at_risk: i64,
    /// Change in dormant groups.
    pub dormant: i64,
}

/// Groups that moved from one status to another since the previous run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusMove {
    /// The previous status.
    pub from: Status,
    /// The status now.
    pub to: Status,
    /// How many groups moved so.
    pub groups: u64,
}

/// Metrics divided by the number of staff members.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PerStaff {
    /// Active chapters per staff member.
    pub active_chapters: f64,
    /// Actions completed per staff member.
    pub actions_completed: f64,
    /// Supporters engaged per staff member.
    pub supporters_engaged: f64,
}

/// Changes since a previous run's metrics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MetricsChange {
    /// When the previous run was.
    pub since: DateTime<Utc>,
    /// Change in groups per status.
    pub groups_by_status: StatusDeltas,
    /// Change in active chapters.
    pub active_chapters: i64,
    /// Change in actions completed.
    pub actions_completed: i64,
    /// Change in supporters engaged.
    pub supporters_engaged: i64,
}

/// Network-wide metrics of one run.
///
/// Counts over a window use plain calendar time (the last
/// `metrics_window_days` before `as_of`), not a group's paused clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkMetrics {
    /// The time of the run.
    pub as_of: DateTime<Utc>,
    /// The window of the counts below, in days.
    pub window_days: u32,
    /// Groups scored.
    pub groups: u64,
    /// Groups per status.
    pub groups_by_status: StatusCounts,
    /// Share of groups per status (0 to 1).
    pub share_by_status: StatusShares,
    /// Groups not dormant.
    pub active_chapters: u64,
    /// Events held, actions reported back and petitions started in the window.
    pub actions_completed: u64,
    /// Wins in the window.
    pub wins: u64,
    /// Distinct people (not staff) with a counted fact in the window.
    pub supporters_engaged: u64,
    /// Total recorded attendance at events in the window.
    pub attendance: f64,
    /// Staff members (the size of the facts' staff list).
    pub staff_members: u64,
    /// The metrics per staff member (`None` without staff).
    pub per_staff: Option<PerStaff>,
    /// Groups whose status changed since the previous run (from the facts'
    /// previous statuses), largest moves first.
    pub status_moves: Vec<StatusMove>,
    /// Changes since the previous run's metrics, when given.
    pub change: Option<MetricsChange>,
}

/// The window totals the scorer gathers for the metrics.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WindowTotals {
    pub(crate) actions: u64,
    pub(crate) wins: u64,
    pub(crate) supporters: u64,
    pub(crate) attendance: f64,
}

#[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)] // counts far below 2^52
pub(crate) fn build(
    as_of: DateTime<Utc>,
    window_days: u32,
    groups: &[GroupReport],
    totals: WindowTotals,
    staff_members: u64,
    previous: Option<&NetworkMetrics>,
) -> NetworkMetrics {
    let mut by_status = StatusCounts::default();
    let mut moves: Vec<StatusMove> = Vec::new();
    for g in groups {
        by_status.bump(g.status);
        if let Some(p) = g.previous_status.filter(|p| *p != g.status) {
            match moves.iter_mut().find(|m| m.from == p && m.to == g.status) {
                Some(m) => m.groups += 1,
                None => moves.push(StatusMove {
                    from: p,
                    to: g.status,
                    groups: 1,
                }),
            }
        }
    }
    moves.sort_by(|a, b| {
        b.groups
            .cmp(&a.groups)
            .then(a.from.cmp(&b.from))
            .then(a.to.cmp(&b.to))
    });
    let total = by_status.total();
    let share = |s: Status| {
        if total == 0 {
            0.0
        } else {
            by_status.get(s) as f64 / total as f64
        }
    };
    let share_by_status = StatusShares {
        new: share(Status::New),
        thriving: share(Status::Thriving),
        steady: share(Status::Steady),
        at_risk: share(Status::AtRisk),
        dormant: share(Status::Dormant),
    };
    let active = total - by_status.dormant;
    let per_staff = (staff_members > 0).then(|| {
        let n = staff_members as f64;
        PerStaff {
            active_chapters: active as f64 / n,
            actions_completed: totals.actions as f64 / n,
            supporters_engaged: totals.supporters as f64 / n,
        }
    });
    let delta = |a: u64, b: u64| a as i64 - b as i64;
    let change = previous.map(|p| MetricsChange {
        since: p.as_of,
        groups_by_status: StatusDeltas {
            new: delta(by_status.new, p.groups_by_status.new),
            thriving: delta(by_status.thriving, p.groups_by_status.thriving),
            steady: delta(by_status.steady, p.groups_by_status.steady),
            at_risk: delta(by_status.at_risk, p.groups_by_status.at_risk),
            dormant: delta(by_status.dormant, p.groups_by_status.dormant),
        },
        active_chapters: delta(active, p.active_chapters),
        actions_completed: delta(totals.actions, p.actions_completed),
        supporters_engaged: delta(totals.supporters, p.supporters_engaged),
    });
    NetworkMetrics {
        as_of,
        window_days,
        groups: total,
        groups_by_status: by_status,
        share_by_status,
        active_chapters: active,
        actions_completed: totals.actions,
        wins: totals.wins,
        supporters_engaged: totals.supporters,
        attendance: totals.attendance,
        staff_members,
        per_staff,
        status_moves: moves,
        change,
    }
}

impl NetworkMetrics {
    /// The metrics in plain words, a few lines.
    pub fn explain(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let c = self.groups_by_status;
        let pct = |s: Status| self.share_by_status.get(s) * 100.0;
        let _ = writeln!(
            s,
            "{} groups: {} thriving ({:.0}%), {} steady ({:.0}%), {} at risk ({:.0}%), {} dormant ({:.0}%), {} new ({:.0}%)",
            self.groups,
            c.thriving,
            pct(Status::Thriving),
            c.steady,
            pct(Status::Steady),
            c.at_risk,
            pct(Status::AtRisk),
            c.dormant,
            pct(Status::Dormant),
            c.new,
            pct(Status::New)
        );
        let _ = write!(
            s,
            "last {} days: {} active chapters, {} actions completed, {} wins, {} supporters engaged, {} attendees",
            self.window_days,
            self.active_chapters,
            self.actions_completed,
            self.wins,
            self.supporters_engaged,
            super::report::num(self.attendance)
        );
        if let Some(p) = self.per_staff {
            let _ = write!(
                s,
                "\nper staff member ({}): {:.1} active chapters, {:.1} actions, {:.1} supporters",
                self.staff_members, p.active_chapters, p.actions_completed, p.supporters_engaged
            );
        }
        if !self.status_moves.is_empty() {
            let moves: Vec<String> = self
                .status_moves
                .iter()
                .map(|m| format!("{} {} → {}", m.groups, m.from.label(), m.to.label()))
                .collect();
            let _ = write!(s, "\nsince the last run: {}", moves.join(", "));
        }
        if let Some(ch) = self.change {
            let d = ch.groups_by_status;
            let _ = write!(
                s,
                "\nchange since {}: thriving {:+}, steady {:+}, at risk {:+}, dormant {:+}, new {:+}; active chapters {:+}, actions {:+}, supporters {:+}",
                ch.since.format("%Y-%m-%d"),
                d.thriving,
                d.steady,
                d.at_risk,
                d.dormant,
                d.new,
                ch.active_chapters,
                ch.actions_completed,
                ch.supporters_engaged
            );
        }
        s
    }
}
