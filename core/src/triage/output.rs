//! The shape of a plan: rows in one strict order, the line, alerts, metrics
//! and the fairness state for tomorrow.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::classify::Class;
use super::drr::FairnessState;
use super::input::{RequestId, RequestKind, Tier};
use crate::id::{NodeId, PersonId};

/// Today's plan. Rows above the line (`today`) come first, in priority order;
/// then the rest, in the order they are projected to be served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// When the plan was made.
    pub now: DateTime<Utc>,
    /// Every open request, once, in one strict order.
    pub rows: Vec<Row>,
    /// Where today's capacity ends.
    pub line: Line,
    /// Things a reviewer must see first.
    pub alerts: Vec<Alert>,
    /// Minutes by tier, class and chapter; oldest waiting; SLA attainment.
    pub metrics: Metrics,
    /// Each staff member's day.
    pub staff: Vec<StaffDay>,
    /// The state to pass to tomorrow's plan.
    pub fairness: FairnessState,
}

/// The lane a row is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    /// Safety or legal: handle now, from the interruption reserve.
    EscalateNow,
    /// The ordinary queue.
    Queue,
}

/// How a row's assignee was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    /// The chapter's mentor had room.
    Mentor,
    /// The mentor had no room (or there is none): the eligible staff member
    /// with the most spare minutes.
    MostSpare,
    /// Nobody had room for the whole request (a P1, or a request whose SLA
    /// runs out within a day): started with what was left, to finish tomorrow.
    Started,
    /// Escalated beyond everyone's minutes today.
    OverCapacity,
}

/// One request in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// 1-based position in the plan.
    pub rank: u32,
    /// The request.
    pub request: RequestId,
    /// Its chapter.
    pub chapter: NodeId,
    /// What is asked.
    pub kind: RequestKind,
    /// Its title, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The action tier.
    pub tier: Tier,
    /// The lane.
    pub lane: Lane,
    /// The class after aging (escalations are P1).
    pub class: Class,
    /// The class from impact × urgency alone.
    pub base_class: Class,
    /// Who does it today (rows above the line only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<PersonId>,
    /// How the assignee was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    /// Cost of delay: impact points × urgency points × aging permille. Within
    /// a class, rows are keyed by `cost_of_delay / minutes`.
    pub cost_of_delay: u64,
    /// The request's estimate.
    pub minutes: u32,
    /// Minutes of it done today (all of it above the line, part of it when
    /// `Started`, none below).
    pub minutes_today: u32,
    /// Running total of work up to and including this row: today's minutes
    /// above the line, then the remaining minutes below it.
    pub cumulative_minutes: u64,
    /// True above the line.
    pub today: bool,
    /// The day it is projected to be finished (none when there is no staff time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projected: Option<NaiveDate>,
    /// When its SLA runs out: the earlier of its due date and created + the
    /// SLA of the class it had on arrival.
    pub deadline: DateTime<Utc>,
    /// True when the projected day is after the deadline's day (or it is already late).
    pub sla_breach: bool,
    /// Why the row is where it is, in words.
    pub reason: String,
}

/// The line: what fits today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The rank of the last row above the line (0 when nothing fits).
    pub after_rank: u32,
    /// Queue minutes today: staff minutes less the interruption reserve and
    /// any escalations beyond it.
    pub capacity_minutes: u64,
    /// Queue minutes planned above the line (≤ capacity).
    pub planned_minutes: u64,
    /// Minutes left unplanned (each smaller than every waiting request its
    /// holder could take).
    pub left_minutes: u64,
    /// Minutes of escalations today (from the reserve first).
    pub escalated_minutes: u64,
}

/// Something the reviewer must see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "alert", rename_all = "snake_case")]
pub enum Alert {
    /// Requests flagged safety or legal, to handle now.
    EscalateNow {
        /// The escalated requests, in order.
        requests: Vec<RequestId>,
        /// Their minutes.
        minutes: u64,
    },
    /// Escalations need more than the interruption reserve.
    EscalationsExceedReserve {
        /// Minutes escalated.
        escalated_minutes: u64,
        /// The reserve.
        reserve_minutes: u64,
    },
    /// P1 needs more than half the capacity: the scope is blowing up.
    ScopeAlert {
        /// Minutes P1 needs.
        p1_minutes: u64,
        /// Queue capacity today.
        capacity_minutes: u64,
    },
    /// Requests of a class are projected to miss their SLA.
    SlaBreachAhead {
        /// The class.
        class: Class,
        /// How many.
        count: u32,
        /// The one with the earliest deadline.
        first: RequestId,
        /// Its deadline.
        first_deadline: DateTime<Utc>,
    },
    /// A chapter has more than `flood_factor` × the median chapter backlog,
    /// both in requests and in minutes.
    Flooding {
        /// The chapter.
        chapter: NodeId,
        /// Its open requests.
        requests: u32,
        /// Their minutes.
        backlog_minutes: u64,
        /// The median backlog of chapters with open requests, in minutes.
        median_minutes: u64,
    },
    /// A request is larger than any eligible staff member's queue minutes in a
    /// day: it will not fit whole; split it.
    TooLargeForOneDay {
        /// The request.
        request: RequestId,
        /// Its minutes.
        minutes: u32,
        /// The most queue minutes an eligible staff member has in a day.
        largest_day_minutes: u64,
    },
    /// No staff minutes today: nothing can be planned.
    NoCapacity,
}

impl Alert {
    /// The alert in one line of plain words.
    pub fn message(&self) -> String {
        match self {
            Alert::EscalateNow { requests, minutes } => format!(
                "escalate now: {} safety/legal request{} ({minutes} min): {}",
                requests.len(),
                if requests.len() == 1 { "" } else { "s" },
                join(requests.iter().map(RequestId::as_str))
            ),
            Alert::EscalationsExceedReserve {
                escalated_minutes,
                reserve_minutes,
            } => format!(
                "escalations need {escalated_minutes} min, more than the {reserve_minutes} min interruption reserve; the queue gives up the difference"
            ),
            Alert::ScopeAlert {
                p1_minutes,
                capacity_minutes,
            } => format!(
                "scope alert: P1 needs {p1_minutes} min, more than half of today's {capacity_minutes} min"
            ),
            Alert::SlaBreachAhead {
                class,
                count,
                first,
                first_deadline,
            } => format!(
                "SLA breach ahead: {count} {class} request{} projected late, first {first} (deadline {})",
                if *count == 1 { "" } else { "s" },
                first_deadline.format("%-d %b %H:%M")
            ),
            Alert::Flooding {
                chapter,
                requests,
                backlog_minutes,
                median_minutes,
            } => format!(
                "chapter {chapter} is flooding the queue: {requests} requests, {backlog_minutes} min against a median chapter backlog of {median_minutes} min"
            ),
            Alert::TooLargeForOneDay {
                request,
                minutes,
                largest_day_minutes,
            } => format!(
                "request {request} needs {minutes} min, more than anyone who can take it has in a day ({largest_day_minutes} min): split it"
            ),
            Alert::NoCapacity => "no staff minutes today: nothing can be planned".into(),
        }
    }
}

fn join<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let mut s = String::new();
    for (i, x) in it.enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(x);
    }
    s
}

/// Today's capacity, in minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    /// All staff minutes today.
    pub staff_minutes: u64,
    /// Kept for interruptions.
    pub reserve_minutes: u64,
    /// Used by escalations.
    pub escalated_minutes: u64,
    /// Left for the queue.
    pub queue_minutes: u64,
    /// Planned above the line.
    pub planned_minutes: u64,
    /// Minutes P1 needs in all.
    pub p1_demand_minutes: u64,
}

/// Minutes of one tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierMinutes {
    /// The tier.
    pub tier: Tier,
    /// Minutes done today.
    pub today: u64,
    /// Minutes still waiting after today.
    pub waiting: u64,
}

/// Minutes of one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassMinutes {
    /// The class.
    pub class: Class,
    /// Minutes done today.
    pub today: u64,
    /// Minutes still waiting after today.
    pub waiting: u64,
}

/// Minutes of one chapter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChapterMinutes {
    /// The chapter.
    pub chapter: NodeId,
    /// Open requests.
    pub requests: u32,
    /// Minutes done today.
    pub today: u64,
    /// Minutes still waiting after today.
    pub waiting: u64,
}

/// The request that has waited longest and is still waiting after today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldestWaiting {
    /// The request.
    pub request: RequestId,
    /// Its chapter.
    pub chapter: NodeId,
    /// When it came in.
    pub created: DateTime<Utc>,
    /// Whole days waited so far.
    pub days_waiting: i64,
}

/// Plan metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    /// Open requests.
    pub requests: u32,
    /// Rows above the line.
    pub today: u32,
    /// Capacity and its use.
    pub capacity: Capacity,
    /// Per tier, 1 to 3.
    pub by_tier: Vec<TierMinutes>,
    /// Per class, P1 to P4.
    pub by_class: Vec<ClassMinutes>,
    /// Per chapter with open requests, by chapter id.
    pub by_chapter: Vec<ChapterMinutes>,
    /// The oldest request still waiting after today.
    pub oldest_waiting: Option<OldestWaiting>,
    /// Share of open requests projected to finish within their SLA, in permille.
    pub sla_attainment_permille: u32,
}

/// One staff member's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffDay {
    /// The staff member.
    pub staff: PersonId,
    /// Minutes available.
    pub minutes: u32,
    /// Of which kept for interruptions.
    pub reserve: u32,
    /// Minutes of escalations they take.
    pub escalated: u32,
    /// Queue minutes assigned.
    pub planned: u32,
    /// Queue minutes left unplanned.
    pub left: u32,
}
