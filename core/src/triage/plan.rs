//! The daily plan: lanes, classes, round robin, class shares, capacity and
//! mentor routing, and the explained rows.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::hash::BuildHasherDefault;

use chrono::{DateTime, Days, Duration, Utc};

use super::TriageError;
use super::classify::{self, Class, Scored};
use super::config::TriageConfig;
use super::drr::{self, ChapterQueue, ClassFairness, Emit, FairnessState};
use super::input::{ChapterHealth, Fnv, Request, Staff, Tier, TriageInput};
use super::output::{
    Alert, Assignment, Capacity, ChapterMinutes, ClassMinutes, Lane, Line, Metrics, OldestWaiting,
    Plan, Row, StaffDay, TierMinutes,
};
use crate::id::NodeId;

/// One chapter as the planner sees it.
struct ChapterView<'a> {
    id: &'a NodeId,
    health: ChapterHealth,
    mentor: Option<usize>,
    /// Staff who may take its queue work (by index into the sorted staff).
    eligible: Vec<usize>,
}

/// One request as the planner sees it.
struct Item<'a> {
    r: &'a Request,
    s: Scored,
    chapter: usize,
    escalated: bool,
    /// The class it is planned in (P1 for escalations).
    class: Class,
    minutes: u64,
    /// Position among all requests by key alone.
    key_pos: usize,
}

/// Where an item ended up today.
#[derive(Clone, Copy, Default)]
struct Placed {
    staff: Option<usize>,
    how: Option<Assignment>,
    minutes_today: u32,
    /// It was passed over because nobody eligible had room for it whole.
    passed_over: bool,
}

/// Staff minutes as the day is planned.
struct Desk {
    reserve_left: Vec<u64>,
    spare: Vec<u64>,
    escalated: Vec<u64>,
    planned: Vec<u64>,
}

impl Desk {
    fn spare(&self, s: usize) -> u64 {
        self.spare.get(s).copied().unwrap_or(0)
    }

    fn room(&self, s: usize) -> u64 {
        self.spare(s) + self.reserve_left.get(s).copied().unwrap_or(0)
    }

    /// The staff member among `among` with the most spare minutes (first by id on ties).
    fn max_spare(&self, among: &[usize]) -> Option<(usize, u64)> {
        let mut best: Option<(usize, u64)> = None;
        for &s in among {
            let v = self.spare(s);
            if best.is_none_or(|(_, b)| v > b) {
                best = Some((s, v));
            }
        }
        best
    }

    fn take(&mut self, s: usize, minutes: u64) {
        if let Some(x) = self.spare.get_mut(s) {
            *x = x.saturating_sub(minutes);
        }
        if let Some(x) = self.planned.get_mut(s) {
            *x += minutes;
        }
    }

    /// An escalation: from the reserve first, then from queue minutes.
    fn take_escalation(&mut self, s: usize, minutes: u64) {
        let mut rest = minutes;
        if let Some(r) = self.reserve_left.get_mut(s) {
            let from = rest.min(*r);
            *r -= from;
            rest -= from;
        }
        if let Some(x) = self.spare.get_mut(s) {
            *x = x.saturating_sub(rest);
        }
        if let Some(x) = self.escalated.get_mut(s) {
            *x += minutes;
        }
    }
}

fn reserve_of(minutes: u32, config: &TriageConfig) -> u64 {
    u64::from(minutes) * u64::from(config.interruption_reserve_permille) / 1000
}

/// Plans today's review queue.
///
/// Validates the config and input (see [`TriageInput::validate`]; a request
/// created after `now` is also refused), then orders every open request once
/// and draws the line of what today's staff minutes can do. See the module
/// docs for the rules; every row's `reason` says which applied.
pub fn plan(
    input: &TriageInput,
    config: &TriageConfig,
    now: DateTime<Utc>,
) -> Result<Plan, TriageError> {
    config.validate()?;
    input.validate()?;
    if let Some(r) = input.requests.iter().find(|r| r.created > now) {
        return Err(TriageError::InvalidRequest {
            request: r.id.to_string(),
            field: "created".into(),
            reason: "is after now".into(),
        });
    }

    // Sorted views make the plan independent of input order.
    let mut staff: Vec<&Staff> = input.staff.iter().collect();
    staff.sort_by(|a, b| a.id.cmp(&b.id));
    let staff_ix: BTreeMap<&str, usize> = staff
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let all_staff: Vec<usize> = (0..staff.len()).collect();
    let info: BTreeMap<&str, _> = input.chapters.iter().map(|c| (c.id.as_str(), c)).collect();

    // Requests stay in input order: every ordering below ends in a total
    // order (key rank, which ends in the unique id), so input order never shows.
    let requests: Vec<&Request> = input.requests.iter().collect();

    // Chapters get dense indices in id order.
    let mut first_seen: HashMap<&str, usize, BuildHasherDefault<Fnv>> = HashMap::default();
    let mut seen_ids: Vec<&NodeId> = Vec::new();
    let mut request_chapter: Vec<usize> = Vec::with_capacity(requests.len());
    for r in &requests {
        let next = seen_ids.len();
        let ix = *first_seen.entry(r.chapter.as_str()).or_insert(next);
        if ix == next {
            seen_ids.push(&r.chapter);
        }
        request_chapter.push(ix);
    }
    let mut by_id: Vec<usize> = (0..seen_ids.len()).collect();
    by_id.sort_by(|&a, &b| seen_ids.get(a).cmp(&seen_ids.get(b)));
    let mut remap = vec![0usize; seen_ids.len()];
    for (new, &old) in by_id.iter().enumerate() {
        if let Some(x) = remap.get_mut(old) {
            *x = new;
        }
    }
    let chapter_ids: Vec<&NodeId> = by_id
        .iter()
        .filter_map(|&i| seen_ids.get(i).copied())
        .collect();
    let mut chapters = Vec::with_capacity(chapter_ids.len());
    let mut eligible_cache: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for id in &chapter_ids {
        let ci = info.get(id.as_str());
        let cohort = ci.and_then(|c| c.cohort.as_deref());
        let eligible = eligible_cache
            .entry(cohort)
            .or_insert_with(|| {
                let v: Vec<usize> = staff
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.serves(cohort))
                    .map(|(i, _)| i)
                    .collect();
                if v.is_empty() { all_staff.clone() } else { v }
            })
            .clone();
        chapters.push(ChapterView {
            id,
            health: ci.map(|c| c.health).unwrap_or_default(),
            mentor: ci
                .and_then(|c| c.mentor.as_ref())
                .and_then(|m| staff_ix.get(m.as_str()).copied()),
            eligible,
        });
    }

    let mut items: Vec<Item> = requests
        .iter()
        .zip(&request_chapter)
        .map(|(r, &seen)| {
            let s = classify::score(r, config, now);
            let escalated = r.safety_legal;
            let class = if escalated { Class::P1 } else { s.class };
            Item {
                r,
                s,
                chapter: remap.get(seen).copied().unwrap_or(0),
                escalated,
                class,
                minutes: u64::from(r.minutes),
                key_pos: 0,
            }
        })
        .collect();
    let n = items.len();
    // One sort by key; every later ordering compares these ranks.
    let mut keys: Vec<SortKey> = items
        .iter()
        .enumerate()
        .map(|(i, it)| SortKey {
            cod: it.s.cod,
            minutes: it.minutes,
            due: it.r.due,
            created: it.r.created,
            index: i,
        })
        .collect();
    keys.sort_unstable_by(|a, b| {
        classify::ratio_order(a.cod, a.minutes, b.cod, b.minutes)
            .then_with(|| classify::due_order(a.due, b.due))
            .then_with(|| a.created.cmp(&b.created))
            .then_with(|| by_item(&items, a.index, b.index, |x, y| x.r.id.cmp(&y.r.id)))
    });
    let by_key: Vec<usize> = keys.iter().map(|k| k.index).collect();
    drop(keys);
    for (k, &i) in by_key.iter().enumerate() {
        if let Some(it) = items.get_mut(i) {
            it.key_pos = k;
        }
    }

    // Staff minutes.
    let mut desk = Desk {
        reserve_left: staff
            .iter()
            .map(|s| reserve_of(s.minutes, config))
            .collect(),
        spare: staff
            .iter()
            .map(|s| u64::from(s.minutes) - reserve_of(s.minutes, config))
            .collect(),
        escalated: vec![0; staff.len()],
        planned: vec![0; staff.len()],
    };
    let staff_minutes: u64 = staff.iter().map(|s| u64::from(s.minutes)).sum();
    let reserve_minutes: u64 = desk.reserve_left.iter().sum();
    let day_capacity: u64 = desk.spare.iter().sum();
    let mut placed = vec![Placed::default(); n];

    // 1. Escalate now: earliest deadline first, from the reserve first.
    let mut escalations: Vec<usize> = (0..n)
        .filter(|&i| items.get(i).is_some_and(|it| it.escalated))
        .collect();
    escalations.sort_by(|&a, &b| {
        by_item(&items, a, b, |x, y| {
            x.s.deadline
                .cmp(&y.s.deadline)
                .then(x.key_pos.cmp(&y.key_pos))
        })
    });
    let mut escalated_minutes = 0u64;
    for &i in &escalations {
        let (Some(it), Some(p)) = (items.get(i), placed.get_mut(i)) else {
            continue;
        };
        escalated_minutes += it.minutes;
        let mentor = chapter_mentor(&chapters, it).filter(|&s| desk.room(s) >= it.minutes);
        let most = all_staff
            .iter()
            .copied()
            .fold(None, |best: Option<usize>, s| match best {
                Some(b) if desk.room(b) >= desk.room(s) => Some(b),
                _ => Some(s),
            });
        p.minutes_today = it.r.minutes;
        if let Some(s) = mentor.or(most) {
            p.staff = Some(s);
            p.how = Some(if mentor.is_some() {
                Assignment::Mentor
            } else if desk.room(s) >= it.minutes {
                Assignment::MostSpare
            } else {
                Assignment::OverCapacity
            });
            desk.take_escalation(s, it.minutes);
        }
    }
    let queue_capacity: u64 = desk.spare.iter().sum();

    // 2. P1: earliest due first; anyone may take it; started when nobody has room.
    let mut p1: Vec<usize> = (0..n)
        .filter(|&i| {
            items
                .get(i)
                .is_some_and(|it| it.class == Class::P1 && !it.escalated)
        })
        .collect();
    p1.sort_by(|&a, &b| {
        by_item(&items, a, b, |x, y| {
            classify::due_order(x.r.due, y.r.due).then(x.key_pos.cmp(&y.key_pos))
        })
    });
    let p1_demand: u64 = p1
        .iter()
        .filter_map(|&i| items.get(i))
        .map(|it| it.minutes)
        .sum();
    for &i in &p1 {
        let (Some(it), Some(p)) = (items.get(i), placed.get_mut(i)) else {
            continue;
        };
        let m = it.minutes;
        let choice = match chapter_mentor(&chapters, it).filter(|&s| desk.spare(s) >= m) {
            Some(s) => Some((s, Assignment::Mentor, m)),
            None => match desk.max_spare(&all_staff) {
                Some((s, v)) if v >= m => Some((s, Assignment::MostSpare, m)),
                Some((s, v)) if v > 0 => Some((s, Assignment::Started, v)),
                _ => None,
            },
        };
        if let Some((s, how, take)) = choice {
            desk.take(s, take);
            *p = Placed {
                staff: Some(s),
                how: Some(how),
                minutes_today: u32::try_from(take).unwrap_or(0),
                passed_over: false,
            };
        }
    }
    let after_p1: u64 = desk.spare.iter().sum();

    // Small per-request arrays for the passes that visit requests out of
    // input order (a 100-byte item per visit would miss the cache each time).
    let mins: Vec<u32> = items.iter().map(|it| it.r.minutes).collect();
    let cls: Vec<Class> = items.iter().map(|it| it.class).collect();
    let chap: Vec<u32> = items
        .iter()
        .map(|it| u32::try_from(it.chapter).unwrap_or(u32::MAX))
        .collect();
    let soon = now + Duration::days(1);
    let late: Vec<bool> = items.iter().map(|it| it.s.deadline <= soon).collect();
    let size_of = |i: usize| u64::from(mins.get(i).copied().unwrap_or(0));

    // 3. P2–P4: round robin across chapters within each class.
    let mut queue_keys: Vec<(Class, u32, u32, u32)> = items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.class != Class::P1)
        .map(|(i, it)| {
            (
                it.class,
                u32::try_from(it.chapter).unwrap_or(u32::MAX),
                u32::try_from(it.key_pos).unwrap_or(u32::MAX),
                u32::try_from(i).unwrap_or(u32::MAX),
            )
        })
        .collect();
    queue_keys.sort_unstable();
    // Position of each request within its class by key alone, in one pass.
    let mut key_rank = vec![0u32; n];
    let mut next_rank = [0u32; 4];
    for &i in &by_key {
        if let (Some(c), Some(r)) = (cls.get(i), key_rank.get_mut(i))
            && let Some(k) = next_rank.get_mut(c.index())
        {
            *r = *k;
            *k += 1;
        }
    }
    let mut stream_pos = vec![0u32; n];
    let mut streams: Vec<Stream> = Vec::with_capacity(3);
    for class in [Class::P2, Class::P3, Class::P4] {
        let start = queue_keys.partition_point(|k| k.0 < class);
        let end = queue_keys.partition_point(|k| k.0 <= class);
        let slice = queue_keys.get(start..end).unwrap_or(&[]);
        let carried = input.fairness.class(class);
        let mut queues: Vec<ChapterQueue> = Vec::new();
        let mut queue_chapter: Vec<usize> = Vec::new();
        for &(_, ch, _, i) in slice {
            let ch = ch as usize;
            if queue_chapter.last() != Some(&ch) {
                let Some(view) = chapters.get(ch) else {
                    continue;
                };
                let extra = if view.health.needs_extra() {
                    u64::from(config.extra_weight_permille)
                } else {
                    0
                };
                let quantum = (u64::from(config.quantum_minutes) * (1000 + extra) / 1000).max(1);
                let deficit = carried
                    .and_then(|c| c.deficits.get(view.id.as_str()))
                    .copied()
                    .unwrap_or(0);
                queues.push(ChapterQueue {
                    quantum,
                    deficit,
                    items: Vec::new(),
                });
                queue_chapter.push(ch);
            }
            if let Some(q) = queues.last_mut() {
                q.items.push(i);
            }
        }
        let start_at = resume_index(&queue_chapter, &chapters, carried);
        let emits = drr::order(&queues, start_at, |i| size_of(i as usize));
        for (p, e) in emits.iter().enumerate() {
            if let Some(x) = stream_pos.get_mut(e.item as usize) {
                *x = u32::try_from(p).unwrap_or(u32::MAX);
            }
        }
        streams.push(Stream {
            class,
            queues,
            queue_chapter,
            emits,
        });
    }

    // 4. Class shares: merge the streams by weighted virtual finish time, so
    // each class gets its share of any prefix, unused share flows to the
    // others, and P4 keeps its minimum of today's minutes.
    let order = merge_by_share(&streams, config, after_p1);

    // 5. Fill today: mentor if they have room, else the eligible staff member
    // with the most spare minutes; pass over what fits nobody, except that a
    // request whose SLA runs out within a day is started with what is left.
    let mut global_max = desk.spare.iter().copied().max().unwrap_or(0);
    for &i in &order {
        if global_max == 0 {
            break;
        }
        let m = size_of(i);
        let late = late.get(i).copied().unwrap_or(false);
        if m > global_max && !late {
            if let Some(p) = placed.get_mut(i) {
                p.passed_over = true;
            }
            continue;
        }
        let ch = chap.get(i).map_or(usize::MAX, |&c| c as usize);
        let Some(p) = placed.get_mut(i) else {
            continue;
        };
        let choice = {
            let mentor = chapters.get(ch).and_then(|c| c.mentor);
            match mentor.filter(|&s| desk.spare(s) >= m) {
                Some(s) => Some((s, Assignment::Mentor, m)),
                None => {
                    let eligible = chapters.get(ch).map_or(&[][..], |c| &c.eligible);
                    let most = desk.max_spare(eligible);
                    // The mentor may take work from any cohort.
                    let most = match (most, mentor) {
                        (Some((_, v)), Some(x)) if desk.spare(x) > v => Some((x, desk.spare(x))),
                        (None, Some(x)) => Some((x, desk.spare(x))),
                        (most, _) => most,
                    };
                    match most {
                        Some((s, v)) if v >= m => Some((s, Assignment::MostSpare, m)),
                        // Its SLA runs out within a day and it is too big for
                        // anyone's rest of the day: start it with what is left
                        // rather than let it starve.
                        Some((s, v)) if late && v > 0 => Some((s, Assignment::Started, v)),
                        _ => None,
                    }
                }
            }
        };
        match choice {
            Some((s, how, take)) => {
                desk.take(s, take);
                *p = Placed {
                    staff: Some(s),
                    how: Some(how),
                    minutes_today: u32::try_from(take).unwrap_or(0),
                    passed_over: false,
                };
                global_max = desk.spare.iter().copied().max().unwrap_or(0);
            }
            None => p.passed_over = true,
        }
    }

    // 6. Rows: today first, then the rest; projected days at today's pace.
    // The plan order visits requests at random, so that pass reads only
    // small arrays; rows are then built in input order, where memory is read
    // in sequence, and dropped into their ranked slots.
    let done: Vec<u32> = placed.iter().map(|p| p.minutes_today).collect();
    let is_today = |i: usize| done.get(i).is_some_and(|&d| d > 0);
    let mut sequence: Vec<usize> = Vec::with_capacity(n);
    sequence.extend(escalations.iter().copied());
    sequence.extend(p1.iter().copied().filter(|&i| is_today(i)));
    sequence.extend(order.iter().copied().filter(|&i| is_today(i)));
    let above = sequence.len();
    sequence.extend(p1.iter().copied().filter(|&i| !is_today(i)));
    sequence.extend(order.iter().copied().filter(|&i| !is_today(i)));

    let left_of = |i: usize| {
        u64::from(mins.get(i).copied().unwrap_or(0))
            .saturating_sub(u64::from(done.get(i).copied().unwrap_or(0)))
    };
    let carry_over: u64 = sequence.iter().take(above).map(|&i| left_of(i)).sum();
    // Days from today until done: 0 today, none without staff time.
    let days_until = |ahead: u64| -> Option<u64> {
        (day_capacity > 0).then(|| 1 + (ahead.max(1) - 1) / day_capacity)
    };
    let mut rank_of = vec![0u32; n];
    let mut cumulative_of = vec![0u64; n];
    let mut days_of: Vec<Option<u64>> = vec![None; n];
    let mut cumulative = 0u64;
    let mut remainders = 0u64;
    let mut below_ahead = carry_over;
    for (pos, &i) in sequence.iter().enumerate() {
        let today = pos < above;
        let minutes = u64::from(mins.get(i).copied().unwrap_or(0));
        let today_minutes = u64::from(done.get(i).copied().unwrap_or(0));
        let days = if today {
            if today_minutes < minutes {
                remainders += minutes - today_minutes;
                days_until(remainders)
            } else {
                Some(0)
            }
        } else {
            below_ahead += minutes;
            days_until(below_ahead)
        };
        cumulative += if today {
            today_minutes
        } else if pos == above {
            carry_over + minutes
        } else {
            minutes
        };
        if let (Some(r), Some(c), Some(d)) = (
            rank_of.get_mut(i),
            cumulative_of.get_mut(i),
            days_of.get_mut(i),
        ) {
            *r = u32::try_from(pos + 1).unwrap_or(u32::MAX);
            *c = cumulative;
            *d = days;
        }
    }

    let today_date = now.date_naive();
    // Dates by day offset, made once: rows share a few dozen of them.
    let max_days = days_of.iter().flatten().copied().max().unwrap_or(0);
    let dates: Vec<Option<chrono::NaiveDate>> = (0..=max_days.min(100_000))
        .map(|d| today_date.checked_add_days(Days::new(d)))
        .collect();
    let today_ce = i64::from(chrono::Datelike::num_days_from_ce(&today_date));
    let day_of_ce = |t: DateTime<Utc>| {
        // Days since 0001-01-01 (CE), from the Unix day of `t`.
        t.timestamp().div_euclid(86_400) + 719_163
    };
    let mut slots: Vec<Option<Row>> = Vec::with_capacity(n);
    slots.resize_with(n, || None);
    for (i, (it, p)) in items.iter().zip(&placed).enumerate() {
        let rank = rank_of.get(i).copied().unwrap_or(0);
        let today = usize::try_from(rank).is_ok_and(|r| r >= 1 && r <= above);
        let days = days_of.get(i).copied().flatten();
        let projected = days.and_then(|d| {
            usize::try_from(d)
                .ok()
                .and_then(|d| dates.get(d).copied().flatten())
                .or_else(|| today_date.checked_add_days(Days::new(d)))
        });
        let sla_breach = it.s.deadline < now
            || days.is_none_or(|d| {
                today_ce + i64::try_from(d).unwrap_or(i64::MAX / 2) > day_of_ce(it.s.deadline)
            });
        let mut reason = String::with_capacity(160);
        let moved = (
            key_rank.get(i).copied().unwrap_or(0),
            stream_pos.get(i).copied().unwrap_or(0),
        );
        write_reason(&mut reason, it, p, moved, &chapters, &staff, config, now);
        if sla_breach {
            reason.push_str("; projected past its SLA (");
            classify::write_when(&mut reason, it.s.deadline);
            reason.push(')');
        }
        let row = Row {
            rank,
            request: it.r.id.clone(),
            chapter: chapters
                .get(it.chapter)
                .map_or_else(|| it.r.chapter.clone(), |c| c.id.clone()),
            kind: it.r.kind,
            title: it.r.title.clone(),
            tier: it.r.tier,
            lane: if it.escalated {
                Lane::EscalateNow
            } else {
                Lane::Queue
            },
            class: it.class,
            base_class: it.s.base,
            assignee: p.staff.and_then(|s| staff.get(s)).map(|s| s.id.clone()),
            assignment: p.how,
            cost_of_delay: it.s.cod,
            minutes: it.r.minutes,
            minutes_today: p.minutes_today,
            cumulative_minutes: cumulative_of.get(i).copied().unwrap_or(0),
            today,
            projected,
            deadline: it.s.deadline,
            sla_breach,
            reason,
        };
        if let Some(slot) = usize::try_from(rank)
            .ok()
            .and_then(|r| r.checked_sub(1))
            .and_then(|r| slots.get_mut(r))
        {
            *slot = Some(row);
        }
    }
    // `filter_map` collects in place, reusing the slots' memory.
    #[allow(clippy::filter_map_identity)]
    let rows: Vec<Row> = slots.into_iter().filter_map(|row| row).collect();

    let planned_minutes: u64 = desk.planned.iter().sum();
    let left_minutes: u64 = desk.spare.iter().sum();
    let line = Line {
        after_rank: u32::try_from(above).unwrap_or(u32::MAX),
        capacity_minutes: queue_capacity,
        planned_minutes,
        left_minutes,
        escalated_minutes,
    };

    // 7. Alerts.
    let mut alerts = Vec::new();
    if staff_minutes == 0 && n > 0 {
        alerts.push(Alert::NoCapacity);
    }
    if !escalations.is_empty() {
        alerts.push(Alert::EscalateNow {
            requests: escalations
                .iter()
                .filter_map(|&i| items.get(i))
                .map(|it| it.r.id.clone())
                .collect(),
            minutes: escalated_minutes,
        });
        if escalated_minutes > reserve_minutes {
            alerts.push(Alert::EscalationsExceedReserve {
                escalated_minutes,
                reserve_minutes,
            });
        }
    }
    if p1_demand > 0 && p1_demand * 2 > queue_capacity {
        alerts.push(Alert::ScopeAlert {
            p1_minutes: p1_demand,
            capacity_minutes: queue_capacity,
        });
    }
    let mut late: [(u32, Option<&Row>); 4] = [(0, None); 4];
    for row in rows.iter().filter(|r| r.sla_breach) {
        if let Some((count, first)) = late.get_mut(row.class.index()) {
            *count += 1;
            if first.is_none_or(|f| (row.deadline, &row.request) < (f.deadline, &f.request)) {
                *first = Some(row);
            }
        }
    }
    for (class, (count, first)) in Class::ALL.iter().zip(late) {
        if let Some(first) = first {
            alerts.push(Alert::SlaBreachAhead {
                class: *class,
                count,
                first: first.request.clone(),
                first_deadline: first.deadline,
            });
        }
    }
    let mut backlog = vec![(0u64, 0u32); chapters.len()];
    for it in &items {
        if let Some(b) = backlog.get_mut(it.chapter) {
            b.0 += it.minutes;
            b.1 += 1;
        }
    }
    let median = |mut v: Vec<u64>| {
        v.sort_unstable();
        v.get(v.len().saturating_sub(1) / 2).copied()
    };
    let median_minutes = median(backlog.iter().map(|b| b.0).collect());
    let median_count = median(backlog.iter().map(|b| u64::from(b.1)).collect());
    if let (Some(median), Some(median_count)) = (median_minutes, median_count) {
        let factor = u64::from(config.flood_factor);
        let mut floods: Vec<(usize, u64, u32)> = backlog
            .iter()
            .enumerate()
            .filter(|(_, b)| b.0 > median * factor && u64::from(b.1) > median_count * factor)
            .map(|(c, b)| (c, b.0, b.1))
            .collect();
        floods.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (c, minutes, count) in floods {
            if let Some(view) = chapters.get(c) {
                alerts.push(Alert::Flooding {
                    chapter: view.id.clone(),
                    requests: count,
                    backlog_minutes: minutes,
                    median_minutes: median,
                });
            }
        }
    }
    let day_of = |s: usize| {
        staff
            .get(s)
            .map_or(0, |x| u64::from(x.minutes) - reserve_of(x.minutes, config))
    };
    let largest_any = all_staff.iter().map(|&s| day_of(s)).max().unwrap_or(0);
    if staff_minutes > 0 {
        let largest_for: Vec<u64> = chapters
            .iter()
            .map(|c| c.eligible.iter().map(|&s| day_of(s)).max().unwrap_or(0))
            .collect();
        let mut too_large: Vec<(u32, Alert)> = Vec::new();
        for (it, &rank) in items.iter().zip(&rank_of) {
            if it.escalated {
                continue;
            }
            let largest = if it.class == Class::P1 {
                largest_any
            } else {
                largest_for.get(it.chapter).copied().unwrap_or(0)
            };
            if it.minutes > largest {
                too_large.push((
                    rank,
                    Alert::TooLargeForOneDay {
                        request: it.r.id.clone(),
                        minutes: it.r.minutes,
                        largest_day_minutes: largest,
                    },
                ));
            }
        }
        too_large.sort_by_key(|(rank, _)| *rank);
        alerts.extend(too_large.into_iter().map(|(_, a)| a));
    }

    // 8. Metrics.
    let mut by_tier: Vec<TierMinutes> = Tier::ALL
        .iter()
        .map(|&tier| TierMinutes {
            tier,
            today: 0,
            waiting: 0,
        })
        .collect();
    let mut by_class: Vec<ClassMinutes> = Class::ALL
        .iter()
        .map(|&class| ClassMinutes {
            class,
            today: 0,
            waiting: 0,
        })
        .collect();
    let mut by_chapter: Vec<ChapterMinutes> = chapters
        .iter()
        .zip(&backlog)
        .map(|(c, b)| ChapterMinutes {
            chapter: c.id.clone(),
            requests: b.1,
            today: 0,
            waiting: 0,
        })
        .collect();
    let mut oldest: Option<&Item> = None;
    for (it, p) in items.iter().zip(&placed) {
        let done = u64::from(p.minutes_today);
        let wait = it.minutes - done;
        let tier = usize::from(it.r.tier.number()).saturating_sub(1);
        for x in [
            by_tier
                .get_mut(tier)
                .map(|x| (&mut x.today, &mut x.waiting)),
            by_class
                .get_mut(it.class.index())
                .map(|x| (&mut x.today, &mut x.waiting)),
            by_chapter
                .get_mut(it.chapter)
                .map(|x| (&mut x.today, &mut x.waiting)),
        ]
        .into_iter()
        .flatten()
        {
            *x.0 += done;
            *x.1 += wait;
        }
        if wait > 0 && oldest.is_none_or(|o| (it.r.created, &it.r.id) < (o.r.created, &o.r.id)) {
            oldest = Some(it);
        }
    }
    let on_time = rows.iter().filter(|r| !r.sla_breach).count();
    let metrics = Metrics {
        requests: u32::try_from(n).unwrap_or(u32::MAX),
        today: u32::try_from(above).unwrap_or(u32::MAX),
        capacity: Capacity {
            staff_minutes,
            reserve_minutes,
            escalated_minutes,
            queue_minutes: queue_capacity,
            planned_minutes,
            p1_demand_minutes: p1_demand,
        },
        by_tier,
        by_class,
        by_chapter,
        oldest_waiting: oldest.map(|it| OldestWaiting {
            request: it.r.id.clone(),
            chapter: it.r.chapter.clone(),
            created: it.r.created,
            days_waiting: (now - it.r.created).num_days(),
        }),
        sla_attainment_permille: (on_time * 1000)
            .checked_div(n)
            .map_or(1000, |x| u32::try_from(x).unwrap_or(1000)),
    };

    let staff_days = staff
        .iter()
        .enumerate()
        .map(|(s, x)| {
            let get = |v: &Vec<u64>| u32::try_from(v.get(s).copied().unwrap_or(0)).unwrap_or(0);
            StaffDay {
                staff: x.id.clone(),
                minutes: x.minutes,
                reserve: u32::try_from(reserve_of(x.minutes, config)).unwrap_or(0),
                escalated: get(&desk.escalated),
                planned: get(&desk.planned),
                left: get(&desk.spare),
            }
        })
        .collect();

    // 9. Fairness state for tomorrow.
    let mut fairness = FairnessState::default();
    for stream in &streams {
        let state = carry(
            stream,
            &chapters,
            input.fairness.class(stream.class),
            &is_today,
            &size_of,
        );
        if state.resume_after.is_some() || !state.deficits.is_empty() {
            fairness.classes.push(state);
        }
    }

    Ok(Plan {
        now,
        rows,
        line,
        alerts,
        metrics,
        staff: staff_days,
        fairness,
    })
}

/// The fields of the within-class order, copied out so the sort reads memory
/// in sequence.
struct SortKey {
    cod: u64,
    minutes: u64,
    due: Option<DateTime<Utc>>,
    created: DateTime<Utc>,
    index: usize,
}

/// Compares two items by index with `f`; indices are always in range.
fn by_item(items: &[Item], a: usize, b: usize, f: impl Fn(&Item, &Item) -> Ordering) -> Ordering {
    match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => f(x, y),
        _ => a.cmp(&b),
    }
}

fn chapter_mentor(chapters: &[ChapterView], it: &Item) -> Option<usize> {
    chapters.get(it.chapter).and_then(|c| c.mentor)
}

/// Where the first round starts: the first chapter after `resume_after`.
fn resume_index(
    queue_chapter: &[usize],
    chapters: &[ChapterView],
    carried: Option<&ClassFairness>,
) -> usize {
    match carried.and_then(|c| c.resume_after.as_ref()) {
        None => 0,
        Some(after) => {
            queue_chapter.partition_point(|&ch| chapters.get(ch).is_some_and(|c| c.id <= after))
        }
    }
}

/// One class's round robin: its chapter queues and the order they produced.
struct Stream {
    class: Class,
    queues: Vec<ChapterQueue>,
    /// The chapter (index into the chapter views) of each queue.
    queue_chapter: Vec<usize>,
    emits: Vec<Emit>,
}

/// A virtual finish time `num / den`, compared exactly.
#[derive(Clone, Copy)]
struct Finish {
    num: u128,
    den: u128,
}

impl Finish {
    fn before(self, other: Finish) -> bool {
        self.num * other.den < other.num * self.den
    }
}

/// Merges the class streams (P2, P3, P4) by weighted virtual finish time:
/// each backlogged class gets its share of any prefix, a class without demand
/// leaves its share to the others, and when P4's share of `today_minutes`
/// would be below `p4_minimum_minutes`, its first minimum's worth is spread
/// over today's window instead. Ties go to the higher class.
fn merge_by_share(streams: &[Stream], config: &TriageConfig, today_minutes: u64) -> Vec<usize> {
    let [w2, w3, w4] = config.class_shares.map(|x| u128::from(x.max(1)));
    let weights = [w2, w3, w4];
    let sum_w = w2 + w3 + w4;
    let r = u128::from(today_minutes);
    let m4 = u128::from(config.p4_minimum_minutes);
    let boost_p4 = m4 > 0 && r > 0 && r * w4 < m4 * sum_w;
    let finish = |k: usize, cum: u128| -> Finish {
        if k == 2 && boost_p4 {
            if cum <= m4 {
                Finish {
                    num: cum * r,
                    den: sum_w * m4,
                }
            } else {
                Finish {
                    num: r * w4 + (cum - m4) * sum_w,
                    den: sum_w * w4,
                }
            }
        } else {
            Finish {
                num: cum,
                den: weights.get(k).copied().unwrap_or(1),
            }
        }
    };
    let total: usize = streams.iter().map(|s| s.emits.len()).sum();
    let mut out = Vec::with_capacity(total);
    let mut pos = [0usize; 3];
    let mut cum = [0u128; 3];
    loop {
        let mut best: Option<(usize, Finish, usize, u128)> = None;
        for (k, stream) in streams.iter().enumerate().take(3) {
            let (Some(&p), Some(&c)) = (pos.get(k), cum.get(k)) else {
                continue;
            };
            let Some(e) = stream.emits.get(p) else {
                continue;
            };
            let item = e.item as usize;
            let next = c + u128::from(e.minutes);
            let f = finish(k, next);
            if best.is_none_or(|(_, b, _, _)| f.before(b)) {
                best = Some((k, f, item, next));
            }
        }
        let Some((k, _, item, next)) = best else {
            break;
        };
        out.push(item);
        if let (Some(p), Some(c)) = (pos.get_mut(k), cum.get_mut(k)) {
            *p += 1;
            *c = next;
        }
    }
    out
}

/// The round robin state after today's service: each waiting chapter keeps
/// what it earned up to the last request of the class served today, minus
/// what it was served; requests passed over (too big for anyone's minutes)
/// are credited back; deficits are capped at one quantum plus the chapter's
/// largest waiting request, so a chapter cannot hoard.
fn carry(
    stream: &Stream,
    chapters: &[ChapterView],
    carried: Option<&ClassFairness>,
    today: &dyn Fn(usize) -> bool,
    minutes_of: &dyn Fn(usize) -> u64,
) -> ClassFairness {
    let mut state = ClassFairness {
        class: stream.class,
        resume_after: None,
        deficits: BTreeMap::new(),
    };
    let chapter_id = |q: usize| {
        stream
            .queue_chapter
            .get(q)
            .and_then(|&ch| chapters.get(ch))
            .map(|c| c.id.clone())
    };
    let Some(cut) = stream.emits.iter().rposition(|e| today(e.item as usize)) else {
        // Nothing of this class was served today: the round robin did not move.
        state.resume_after = carried.and_then(|c| c.resume_after.clone());
        for (q, queue) in stream.queues.iter().enumerate() {
            if let (true, Some(id)) = (queue.deficit > 0, chapter_id(q)) {
                state.deficits.insert(id, queue.deficit);
            }
        }
        return state;
    };
    let Some(last) = stream.emits.get(cut) else {
        return state;
    };
    let m = stream.queues.len().max(1);
    let start = resume_index(&stream.queue_chapter, chapters, carried);
    let cyc = |q: usize| (q + m - start % m) % m;
    let last_q = last.queue as usize;
    let mut served = vec![0u64; m];
    let mut emitted_by_cut = vec![0usize; m];
    for (p, e) in stream.emits.iter().enumerate() {
        let q = e.queue as usize;
        let i = e.item as usize;
        if today(i)
            && let Some(x) = served.get_mut(q)
        {
            *x += minutes_of(i);
        }
        if p <= cut
            && let Some(x) = emitted_by_cut.get_mut(q)
        {
            *x += 1;
        }
    }
    for (q, queue) in stream.queues.iter().enumerate() {
        let mut waiting_sum = 0u64;
        let mut largest = 0u64;
        for &i in &queue.items {
            let i = i as usize;
            if !today(i) {
                waiting_sum += minutes_of(i);
                largest = largest.max(minutes_of(i));
            }
        }
        if waiting_sum == 0 {
            continue;
        }
        let d = if emitted_by_cut.get(q).copied().unwrap_or(0) == queue.items.len() {
            // Its queue ran dry in the round robin; only passed-over requests remain.
            waiting_sum
        } else {
            let visits = if cyc(q) <= cyc(last_q) {
                last.round + 1
            } else {
                last.round
            };
            (queue.deficit + queue.quantum.saturating_mul(visits))
                .saturating_sub(served.get(q).copied().unwrap_or(0))
        };
        let d = d.min(queue.quantum + largest);
        if let (true, Some(id)) = (d > 0, chapter_id(q)) {
            state.deficits.insert(id, d);
        }
    }
    state.resume_after = chapter_id(last_q);
    state
}

/// Writes why the row is where it is.
#[allow(clippy::too_many_arguments)]
fn write_reason(
    out: &mut String,
    it: &Item,
    p: &Placed,
    (k, s): (u32, u32),
    chapters: &[ChapterView],
    staff: &[&Staff],
    config: &TriageConfig,
    now: DateTime<Utc>,
) {
    if it.escalated {
        out.push_str("escalate now: safety/legal flag (");
        out.push_str(it.s.base.as_str());
        out.push_str(": ");
    } else if it.s.class != it.s.base {
        out.push_str(it.s.class.as_str());
        out.push_str(" (from ");
        out.push_str(it.s.base.as_str());
        out.push_str(" after ");
        classify::write_plural(out, it.s.promoted_after_days, "day");
        out.push_str(" waiting): ");
    } else {
        out.push_str(it.s.class.as_str());
        out.push_str(": ");
    }
    classify::write_impact(out, it.r, config);
    out.push_str(" × ");
    classify::write_due(out, it.r.due, now);
    if it.escalated {
        out.push(')');
    }
    if it.s.aging_pm >= 1100 {
        out.push_str("; aged ");
        classify::write_factor(out, it.s.aging_pm);
    }
    if it.class == Class::P1 && !it.escalated {
        out.push_str("; P1 goes first, earliest due first");
    } else if !it.escalated {
        if s > k {
            out.push_str("; held back ");
            write_places(out, u64::from(s - k));
            out.push_str(" — chapter at its fair share");
        } else if k > s {
            out.push_str("; moved up ");
            write_places(out, u64::from(k - s));
            out.push_str(" — chapter below its fair share");
        }
    }
    let mentor = chapter_mentor(chapters, it);
    let name = |s: Option<usize>| {
        s.and_then(|s| staff.get(s))
            .map_or("?", |x| x.display_name())
    };
    match p.how {
        Some(Assignment::Mentor) => out.push_str("; to the chapter's mentor"),
        Some(Assignment::MostSpare) => {
            if mentor.is_some() {
                let _ = write!(out, "; mentor {} has no room", name(mentor));
            }
            let _ = write!(out, "; to {} (most spare)", name(p.staff));
        }
        Some(Assignment::Started) => {
            let _ = write!(
                out,
                "; nobody has {} min left: started with {}, continues tomorrow",
                it.r.minutes, p.minutes_today
            );
            if it.class != Class::P1 {
                out.push_str(" (its SLA runs out within a day)");
            }
        }
        Some(Assignment::OverCapacity) => out.push_str("; beyond everyone's minutes today"),
        None if p.passed_over => {
            let _ = write!(
                out,
                "; needs {} min, more than anyone who can take it has left today",
                it.r.minutes
            );
        }
        None => {}
    }
}

fn write_places(out: &mut String, n: u64) {
    classify::write_plural(out, i64::try_from(n).unwrap_or(i64::MAX), "place");
}
