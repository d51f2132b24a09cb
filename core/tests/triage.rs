//! Properties of the triage plan on generated queues, and a 30-day simulation.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};

use chapterhouse::triage::{
    self, Assignment, ChapterHealth, ChapterInfo, Class, FairnessState, Lane, MentorConfig, Plan,
    Request, RequestKind, Staff, Tier, TriageConfig, TriageInput,
};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    "2026-11-01T09:00:00Z".parse().unwrap()
}

/// SplitMix64: a small deterministic generator for building queues from a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const COHORTS: [&str; 3] = ["north", "south", "west"];
const HEALTH: [ChapterHealth; 5] = [
    ChapterHealth::New,
    ChapterHealth::Thriving,
    ChapterHealth::Steady,
    ChapterHealth::AtRisk,
    ChapterHealth::Dormant,
];
const KINDS: [RequestKind; 4] = [
    RequestKind::EventApproval,
    RequestKind::LeaderApplication,
    RequestKind::CampaignReview,
    RequestKind::SupportRequest,
];

struct Shape {
    chapters: u64,
    staff: u64,
    requests: u64,
    max_minutes: u64,
    safety_percent: u64,
}

fn request(rng: &mut Rng, id: String, chapter: u64, at: DateTime<Utc>, shape: &Shape) -> Request {
    let created = at - Duration::hours(rng.below(24 * 25) as i64);
    let due = if rng.chance(70) {
        Some(created + Duration::hours(rng.below(24 * 20) as i64))
    } else {
        None
    };
    Request {
        id: id.parse().unwrap(),
        kind: KINDS[rng.below(4) as usize],
        chapter: format!("c{chapter}").parse().unwrap(),
        tier: Tier::ALL[rng.below(3) as usize],
        created,
        due,
        minutes: 1 + rng.below(shape.max_minutes) as u32,
        safety_legal: rng.chance(shape.safety_percent),
        day_of_action: rng.chance(10),
        reach: if rng.chance(30) {
            rng.below(1000) as u32
        } else {
            0
        },
        title: None,
    }
}

fn generate(seed: u64, shape: &Shape) -> TriageInput {
    let mut rng = Rng(seed);
    let staff: Vec<Staff> = (0..shape.staff)
        .map(|i| Staff {
            id: format!("s{i}").parse().unwrap(),
            name: None,
            minutes: rng.below(481) as u32,
            cohorts: COHORTS
                .iter()
                .filter(|_| rng.chance(40))
                .map(|c| c.to_string())
                .collect(),
            mentoring_minutes: rng.below(300) as u32,
        })
        .collect();
    let listed: Vec<u64> = (0..shape.chapters).filter(|_| rng.chance(90)).collect();
    let chapters: Vec<ChapterInfo> = listed
        .into_iter()
        .map(|i| ChapterInfo {
            id: format!("c{i}").parse().unwrap(),
            cohort: if rng.chance(80) {
                Some(COHORTS[rng.below(3) as usize].to_string())
            } else {
                None
            },
            health: HEALTH[rng.below(5) as usize],
            mentor: if !staff.is_empty() && rng.chance(60) {
                Some(staff[rng.below(staff.len() as u64) as usize].id.clone())
            } else {
                None
            },
        })
        .collect();
    let requests = (0..shape.requests)
        .map(|i| {
            let ch = rng.below(shape.chapters.max(1));
            request(&mut rng, format!("r{i}"), ch, now(), shape)
        })
        .collect();
    TriageInput {
        as_of: None,
        chapters,
        requests,
        staff,
        fairness: FairnessState::default(),
    }
}

fn small(seed: u64) -> TriageInput {
    generate(
        seed,
        &Shape {
            chapters: 6,
            staff: 3,
            requests: 10 + seed % 50,
            max_minutes: 240,
            safety_percent: 4,
        },
    )
}

fn plan(input: &TriageInput) -> Plan {
    triage::plan(input, &TriageConfig::default(), now()).unwrap()
}

/// Staff who may take `chapter`'s queue work, as the plan documents it.
fn eligible<'a>(input: &'a TriageInput, chapter: &str) -> Vec<&'a Staff> {
    let info = input.chapters.iter().find(|c| c.id.as_str() == chapter);
    let cohort = info.and_then(|c| c.cohort.as_deref());
    let v: Vec<&Staff> = input.staff.iter().filter(|s| s.serves(cohort)).collect();
    if v.is_empty() {
        input.staff.iter().collect()
    } else {
        v
    }
}

fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

/// Rows of one class in plan order, for plans without staff (the order is
/// then exactly the priority order).
fn class_rows(plan: &Plan, class: Class) -> Vec<&triage::Row> {
    plan.rows
        .iter()
        .filter(|r| r.class == class && r.lane == Lane::Queue)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn same_plan_for_any_input_order(seed in any::<u64>()) {
        let input = small(seed);
        let expected = serde_json::to_string(&plan(&input)).unwrap();
        let mut rng = Rng(seed ^ 0x5555);
        let mut shuffled = input.clone();
        shuffle(&mut shuffled.requests, &mut rng);
        shuffle(&mut shuffled.staff, &mut rng);
        shuffle(&mut shuffled.chapters, &mut rng);
        prop_assert_eq!(serde_json::to_string(&plan(&shuffled)).unwrap(), expected);
    }

    #[test]
    fn capacity_is_never_exceeded(seed in any::<u64>()) {
        let input = small(seed);
        let p = plan(&input);
        let queue_today: u64 = p.rows.iter()
            .filter(|r| r.today && r.lane == Lane::Queue)
            .map(|r| u64::from(r.minutes_today))
            .sum();
        prop_assert_eq!(queue_today, p.line.planned_minutes);
        prop_assert!(p.line.planned_minutes <= p.line.capacity_minutes);
        prop_assert_eq!(p.line.planned_minutes + p.line.left_minutes, p.line.capacity_minutes);
        for day in &p.staff {
            let reserve = u64::from(day.minutes) * 200 / 1000;
            let queue = u64::from(day.minutes) - reserve;
            let from_queue = u64::from(day.escalated).saturating_sub(reserve).min(queue);
            prop_assert!(u64::from(day.planned) + from_queue <= queue);
        }
        // Rows above the line come first, and the line sits after them.
        let above = p.rows.iter().take_while(|r| r.today).count();
        prop_assert_eq!(above as u32, p.line.after_rank);
        prop_assert!(p.rows.iter().skip(above).all(|r| !r.today));
    }

    #[test]
    fn nothing_below_the_line_would_fit_what_is_left(seed in any::<u64>()) {
        let input = small(seed);
        let p = plan(&input);
        let left: BTreeMap<&str, u64> =
            p.staff.iter().map(|d| (d.staff.as_str(), u64::from(d.left))).collect();
        for row in p.rows.iter().filter(|r| !r.today) {
            let m = u64::from(row.minutes);
            if row.class == Class::P1 {
                prop_assert!(left.values().all(|&l| l < m), "P1 {} fits", row.request);
                continue;
            }
            let mentor = input.chapters.iter()
                .find(|c| c.id == row.chapter)
                .and_then(|c| c.mentor.as_ref());
            if let Some(mentor) = mentor {
                prop_assert!(left[mentor.as_str()] < m, "{} fits its mentor", row.request);
            }
            for s in eligible(&input, row.chapter.as_str()) {
                prop_assert!(left[s.id.as_str()] < m, "{} fits {}", row.request, s.id);
            }
        }
    }

    #[test]
    fn every_p1_comes_before_every_other_row(seed in any::<u64>()) {
        let p = plan(&small(seed));
        let first_other = p.rows.iter().position(|r| r.class != Class::P1).unwrap_or(p.rows.len());
        prop_assert!(p.rows.iter().skip(first_other).all(|r| r.class != Class::P1));
        // Escalations come first of all.
        let first_queue = p.rows.iter().position(|r| r.lane == Lane::Queue).unwrap_or(p.rows.len());
        prop_assert!(p.rows.iter().skip(first_queue).all(|r| r.lane == Lane::Queue));
    }

    #[test]
    fn class_and_key_never_fall_with_age(seed in any::<u64>(), hours in 1i64..24 * 40) {
        let mut input = small(seed);
        input.staff.clear();
        for c in &mut input.chapters { c.mentor = None; }
        let config = TriageConfig::default();
        let before = triage::plan(&input, &config, now()).unwrap();
        let after = triage::plan(&input, &config, now() + Duration::hours(hours)).unwrap();
        let later: BTreeMap<_, _> = after.rows.iter().map(|r| (r.request.clone(), r)).collect();
        for row in &before.rows {
            let aged = later[&row.request];
            prop_assert!(aged.class <= row.class, "{} fell from {} to {}", row.request, row.class, aged.class);
            prop_assert!(aged.cost_of_delay >= row.cost_of_delay);
            // Aging never promotes into P1.
            if aged.class == Class::P1 {
                prop_assert!(aged.base_class == Class::P1 || aged.lane == Lane::EscalateNow);
            }
        }
    }

    #[test]
    fn round_robin_keeps_backlogged_chapters_within_one_quantum_and_request(seed in any::<u64>()) {
        // Without staff the plan's order is the priority order.
        let mut input = generate(seed, &Shape {
            chapters: 5, staff: 0, requests: 80, max_minutes: 120, safety_percent: 0,
        });
        input.chapters.clear();
        let config = TriageConfig::default();
        let p = triage::plan(&input, &config, now()).unwrap();
        let q = u64::from(config.quantum_minutes);
        for class in [Class::P2, Class::P3, Class::P4] {
            let rows = class_rows(&p, class);
            let biggest = rows.iter().map(|r| u64::from(r.minutes)).max().unwrap_or(0);
            let mut left: BTreeMap<&str, usize> = BTreeMap::new();
            for r in &rows {
                *left.entry(r.chapter.as_str()).or_default() += 1;
            }
            let mut served: BTreeMap<&str, u64> = left.keys().map(|&k| (k, 0)).collect();
            for r in &rows {
                *served.get_mut(r.chapter.as_str()).unwrap() += u64::from(r.minutes);
                *left.get_mut(r.chapter.as_str()).unwrap() -= 1;
                let backlogged: Vec<u64> = left.iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(c, _)| served[c])
                    .collect();
                if let (Some(lo), Some(hi)) = (backlogged.iter().min(), backlogged.iter().max()) {
                    prop_assert!(hi - lo <= q + biggest, "{class}: {hi} vs {lo}");
                }
            }
        }
    }

    #[test]
    fn weighted_round_robin_keeps_shares_per_quantum(seed in any::<u64>(), extra in 1u32..2000) {
        // New and AtRisk chapters earn a larger quantum; service per quantum
        // still stays within one round plus one request of each other.
        let mut input = generate(seed, &Shape {
            chapters: 5, staff: 0, requests: 80, max_minutes: 120, safety_percent: 0,
        });
        for c in &mut input.chapters { c.mentor = None; }
        let config = TriageConfig { extra_weight_permille: extra, ..TriageConfig::default() };
        let p = triage::plan(&input, &config, now()).unwrap();
        let quantum = |chapter: &str| {
            let health = input.chapters.iter().find(|c| c.id.as_str() == chapter)
                .map_or(ChapterHealth::Steady, |c| c.health);
            let extra = if health.needs_extra() { u64::from(extra) } else { 0 };
            u64::from(config.quantum_minutes) * (1000 + extra) / 1000
        };
        for class in [Class::P2, Class::P3, Class::P4] {
            let rows = class_rows(&p, class);
            let biggest = rows.iter().map(|r| u64::from(r.minutes)).max().unwrap_or(0);
            let mut left: BTreeMap<&str, usize> = BTreeMap::new();
            for r in &rows {
                *left.entry(r.chapter.as_str()).or_default() += 1;
            }
            let mut served: BTreeMap<&str, u64> = left.keys().map(|&k| (k, 0)).collect();
            for r in &rows {
                *served.get_mut(r.chapter.as_str()).unwrap() += u64::from(r.minutes);
                *left.get_mut(r.chapter.as_str()).unwrap() -= 1;
                let waiting: Vec<&str> = left.iter().filter(|(_, n)| **n > 0).map(|(c, _)| *c).collect();
                for a in &waiting {
                    for b in &waiting {
                        let (qa, qb) = (quantum(a), quantum(b));
                        let gap = (served[a] * qb).abs_diff(served[b] * qa);
                        prop_assert!(gap <= qa * qb + biggest * (qa + qb),
                            "{class}: {a} {} (q {qa}) vs {b} {} (q {qb})", served[a], served[b]);
                    }
                }
            }
        }
    }

    #[test]
    fn a_flood_delays_other_chapters_by_less_than_one_request(seed in any::<u64>(), extra in 1u64..40) {
        let shape = Shape { chapters: 4, staff: 0, requests: 50, max_minutes: 120, safety_percent: 0 };
        let mut input = generate(seed, &shape);
        input.chapters.clear();
        // Everything in one class: fresh, no due date, tier 3 (P4).
        let tidy = |r: &mut Request| {
            r.created = now();
            r.due = None;
            r.tier = Tier::Menu;
            r.day_of_action = false;
            r.reach = 0;
        };
        input.requests.iter_mut().for_each(tidy);
        let mut flooded = input.clone();
        let mut rng = Rng(seed ^ 0xF00D);
        for i in 0..extra {
            let mut r = request(&mut rng, format!("x{i}"), 0, now(), &shape);
            tidy(&mut r);
            flooded.requests.push(r);
        }
        let a = triage::plan(&input, &TriageConfig::default(), now()).unwrap();
        let b = triage::plan(&flooded, &TriageConfig::default(), now()).unwrap();
        let largest = flooded.requests.iter()
            .filter(|r| r.chapter.as_str() == "c0")
            .map(|r| u64::from(r.minutes)).max().unwrap_or(0);
        let offsets = |p: &Plan| {
            let mut at = 0u64;
            let mut out = BTreeMap::new();
            for r in class_rows(p, Class::P4) {
                out.insert(r.request.clone(), at);
                at += u64::from(r.minutes);
            }
            out
        };
        let (oa, ob) = (offsets(&a), offsets(&b));
        // While c0 is still waiting in the original plan, every other request
        // moves by less than one of c0's requests.
        let rows = class_rows(&a, Class::P4);
        let last_c0 = rows.iter().rposition(|r| r.chapter.as_str() == "c0");
        if let Some(last) = last_c0 {
            for r in rows.iter().take(last).filter(|r| r.chapter.as_str() != "c0") {
                let shift = ob[&r.request].abs_diff(oa[&r.request]);
                prop_assert!(shift < largest, "{} moved {shift} min", r.request);
            }
        }
    }

    #[test]
    fn raising_value_or_urgency_never_moves_a_request_later(seed in any::<u64>(), pick in any::<usize>(), how in 0u8..3) {
        let mut input = small(seed);
        input.staff.clear();
        for c in &mut input.chapters { c.mentor = None; }
        let config = TriageConfig::default();
        let before = triage::plan(&input, &config, now()).unwrap();
        let candidates: Vec<&triage::Row> = before.rows.iter()
            .filter(|r| r.lane == Lane::Queue && r.class != Class::P1).collect();
        if candidates.is_empty() {
            return Ok(());
        }
        let target = candidates[pick % candidates.len()].clone();
        let mut raised = input.clone();
        let r = raised.requests.iter_mut().find(|r| r.id == target.request).unwrap();
        match how {
            0 => r.day_of_action = true,
            1 => r.reach = r.reach.max(config.reach_threshold),
            _ => {
                let sooner = now() + Duration::hours(30);
                r.due = Some(match r.due { Some(d) if d < sooner => d, _ => sooner.max(r.created) });
            }
        }
        let after = triage::plan(&raised, &config, now()).unwrap();
        let row = after.rows.iter().find(|x| x.request == target.request).unwrap();
        // Only a change within the class is covered; a class change moves it by design.
        if row.class != target.class {
            return Ok(());
        }
        prop_assert!(row.rank <= target.rank, "{} moved from {} to {}", target.request, target.rank, row.rank);
    }

    #[test]
    fn classes_share_the_queue_six_three_one(seed in any::<u64>()) {
        let mut input = generate(seed, &Shape {
            chapters: 6, staff: 0, requests: 120, max_minutes: 90, safety_percent: 0,
        });
        input.chapters.clear();
        let p = plan(&input);
        let queue: Vec<&triage::Row> = p.rows.iter().filter(|r| r.class != Class::P1).collect();
        let biggest = queue.iter().map(|r| u64::from(r.minutes)).max().unwrap_or(0);
        let mut left = [0usize; 4];
        for r in &queue { left[r.class as usize] += 1; }
        let weights = [0u64, 6, 3, 1];
        let mut served = [0u64; 4];
        for r in &queue {
            served[r.class as usize] += u64::from(r.minutes);
            left[r.class as usize] -= 1;
            // For every two classes still waiting, service per weight differs
            // by at most one request per weight of each.
            for a in 1..4 {
                for b in 1..4 {
                    if a != b && left[a] > 0 && left[b] > 0 {
                        let gap = (served[a] * weights[b]).abs_diff(served[b] * weights[a]);
                        prop_assert!(gap <= biggest * (weights[a] + weights[b]),
                            "P{} {} vs P{} {}", a + 1, served[a], b + 1, served[b]);
                    }
                }
            }
        }
    }

    #[test]
    fn no_mentor_overloaded_while_another_has_room(seed in any::<u64>()) {
        let input = generate(seed, &Shape { chapters: 30, staff: 5, requests: 0, max_minutes: 1, safety_percent: 0 });
        let mut rng = Rng(seed);
        let previous_plan = triage::assign_mentors(&input.chapters, &input.staff, &[], &MentorConfig::default()).unwrap();
        // Health changes between runs.
        let mut chapters = input.chapters.clone();
        for c in &mut chapters {
            if rng.chance(30) { c.health = HEALTH[rng.below(5) as usize]; }
        }
        let config = MentorConfig::default();
        for previous in [&[][..], &previous_plan.assignments[..]] {
            let plan = triage::assign_mentors(&chapters, &input.staff, previous, &config).unwrap();
            let load: BTreeMap<&str, (u64, u64)> = plan.loads.iter()
                .map(|l| (l.staff.as_str(), (l.minutes, l.capacity))).collect();
            for a in &plan.assignments {
                let (minutes, capacity) = load[a.mentor.as_str()];
                if minutes <= capacity || a.minutes == 0 { continue; }
                let info = chapters.iter().find(|c| c.id == a.chapter).unwrap();
                let mentors: Vec<&Staff> = input.staff.iter().filter(|s| s.mentoring_minutes > 0).collect();
                let mut eligible: Vec<&&Staff> = mentors.iter().filter(|s| s.serves(info.cohort.as_deref())).collect();
                if eligible.is_empty() { eligible = mentors.iter().collect(); }
                for other in eligible.iter().filter(|s| s.id != a.mentor) {
                    let (m, c) = load[other.id.as_str()];
                    prop_assert!(m + u64::from(a.minutes) > c, "{} overloaded while {} has room", a.mentor, other.id);
                }
            }
            // Every chapter is assigned when anyone mentors.
            if !load.is_empty() {
                prop_assert_eq!(plan.assignments.len(), chapters.len());
            }
            let total: u64 = plan.assignments.iter().map(|a| u64::from(a.minutes)).sum();
            prop_assert_eq!(total, plan.loads.iter().map(|l| l.minutes).sum::<u64>());
        }
        // Without any change, nothing moves.
        let again = triage::assign_mentors(&input.chapters, &input.staff, &previous_plan.assignments, &config).unwrap();
        for (a, b) in again.assignments.iter().zip(&previous_plan.assignments) {
            prop_assert_eq!(&a.mentor, &b.mentor);
        }
    }

    #[test]
    fn plans_never_fail_on_valid_input(seed in any::<u64>()) {
        let input = generate(seed, &Shape { chapters: 20, staff: 6, requests: 150, max_minutes: 600, safety_percent: 10 });
        let p = plan(&input);
        prop_assert_eq!(p.rows.len(), input.requests.len());
        let ids: BTreeSet<_> = p.rows.iter().map(|r| r.request.clone()).collect();
        prop_assert_eq!(ids.len(), input.requests.len());
        for (i, r) in p.rows.iter().enumerate() {
            prop_assert_eq!(r.rank as usize, i + 1);
            prop_assert!(!r.reason.is_empty());
        }
    }
}

/// Thirty days of arrivals below capacity (one chapter flooding): every
/// request is served, within its class's SLA plus a day, and the queue does
/// not grow.
#[test]
fn thirty_day_simulation_serves_everyone() {
    for seed in 0..20u64 {
        let mut rng = Rng(seed);
        let staff: Vec<Staff> = (0..4)
            .map(|i| Staff {
                id: format!("s{i}").parse().unwrap(),
                name: None,
                minutes: 360,
                cohorts: vec![COHORTS[i % 3].to_string()],
                mentoring_minutes: 0,
            })
            .collect();
        let chapters: Vec<ChapterInfo> = (0..12)
            .map(|i| ChapterInfo {
                id: format!("c{i}").parse().unwrap(),
                cohort: Some(COHORTS[i % 3].to_string()),
                health: HEALTH[i % 5],
                mentor: Some(staff[i % 4].id.clone()),
            })
            .collect();
        // Queue capacity per day: 4 × 288 = 1152 min. Arrivals ≈ 70 % of it,
        // with chapter c0 sending three times as much as any other.
        let config = TriageConfig::default();
        let mut open: Vec<Request> = Vec::new();
        let mut fairness = FairnessState::default();
        let mut created_at: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
        let mut served_at: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
        let mut first_class: BTreeMap<String, Class> = BTreeMap::new();
        let start = now();
        let mut next_id = 0;
        for day in 0..40 {
            let today = start + Duration::days(day);
            if day < 30 {
                let mut budget = 800i64;
                while budget > 0 {
                    let chapter = if rng.chance(25) { 0 } else { rng.below(12) };
                    let minutes = 10 + rng.below(110) as u32;
                    let created = today - Duration::hours(rng.below(12) as i64);
                    let due = rng
                        .chance(60)
                        .then(|| created + Duration::hours(6 + rng.below(24 * 10) as i64));
                    let r = Request {
                        id: format!("d{day}-{next_id}").parse().unwrap(),
                        kind: KINDS[rng.below(4) as usize],
                        chapter: format!("c{chapter}").parse().unwrap(),
                        tier: Tier::ALL[rng.below(3) as usize],
                        created,
                        due,
                        minutes,
                        safety_legal: rng.chance(2),
                        day_of_action: rng.chance(5),
                        reach: rng.below(400) as u32,
                        title: None,
                    };
                    next_id += 1;
                    budget -= i64::from(minutes);
                    created_at.insert(r.id.to_string(), r.created);
                    open.push(r);
                }
            }
            let input = TriageInput {
                as_of: Some(today),
                chapters: chapters.clone(),
                requests: open.clone(),
                staff: staff.clone(),
                fairness: fairness.clone(),
            };
            let p = triage::plan(&input, &config, today).unwrap();
            if std::env::var("SIM_TRACE").is_ok() {
                eprintln!(
                    "day {day}: open {} planned {} left {}",
                    open.len(),
                    p.line.planned_minutes,
                    p.line.left_minutes
                );
                if let Some(r) = p
                    .rows
                    .iter()
                    .find(|r| r.request.as_str() == std::env::var("SIM_TRACE").unwrap())
                {
                    eprintln!(
                        "   {} {} {} today={} {} {}",
                        r.rank, r.class, r.chapter, r.today, r.minutes, r.reason
                    );
                }
            }
            for r in &p.rows {
                first_class.entry(r.request.to_string()).or_insert(r.class);
            }
            let done: BTreeMap<_, _> = p
                .rows
                .iter()
                .filter(|r| r.today)
                .map(|r| (r.request.to_string(), r.minutes_today))
                .collect();
            open.retain_mut(|r| match done.get(r.id.as_str()) {
                Some(&m) if m >= r.minutes => {
                    served_at.insert(r.id.to_string(), today);
                    false
                }
                Some(&m) => {
                    r.minutes -= m;
                    true
                }
                None => true,
            });
            fairness = p.fairness;
            assert!(
                open.iter().map(|r| u64::from(r.minutes)).sum::<u64>() < 4000,
                "seed {seed} day {day}: backlog keeps growing"
            );
        }
        assert!(open.is_empty(), "seed {seed}: {} never served", open.len());
        // Each request is served within the SLA of the class it first had,
        // plus one day (a late request is started with what is left).
        let sla_days = [1, 3, 7, 14];
        for (id, created) in &created_at {
            let waited = served_at[id] - *created;
            let class = first_class[id];
            let bound = Duration::days(sla_days[class as usize] + 1);
            assert!(
                waited <= bound,
                "seed {seed}: {id} ({class}) waited {} hours",
                waited.num_hours()
            );
        }
    }
}

#[test]
fn started_p1_and_scope_alert() {
    let input = TriageInput::from_json(
        r#"{
      "staff": [{"id": "ana", "minutes": 100}],
      "requests": [
        {"id": "big", "kind": "event_approval", "chapter": "c1", "tier": 1,
         "created": "2026-11-01T08:00:00Z", "due": "2026-11-01T18:00:00Z", "minutes": 120},
        {"id": "small", "kind": "support_request", "chapter": "c2", "tier": 3,
         "created": "2026-11-01T08:00:00Z", "minutes": 10}
      ]}"#,
    )
    .unwrap();
    let p = plan(&input);
    let big = &p.rows[0];
    assert_eq!(big.request.as_str(), "big");
    assert_eq!(big.class, Class::P1);
    assert!(big.today);
    assert_eq!(big.assignment, Some(Assignment::Started));
    assert_eq!(big.minutes_today, 80);
    assert!(big.reason.contains("started with 80"), "{}", big.reason);
    assert!(!p.rows[1].today);
    assert_eq!(p.line.left_minutes, 0);
    assert!(
        p.alerts
            .iter()
            .any(|a| matches!(a, triage::Alert::ScopeAlert { .. }))
    );
}

#[test]
fn errors_name_the_request_and_field() {
    let bad = r#"{"requests": [
        {"id": "ok", "kind": "event_approval", "chapter": "c1", "tier": 2, "created": "2026-11-01T08:00:00Z", "minutes": 30},
        {"id": "r-17", "kind": "event_approval", "chapter": "c1", "tier": 5, "created": "2026-11-01T08:00:00Z", "minutes": 30}
    ]}"#;
    let err = TriageInput::from_json(bad).unwrap_err();
    assert_eq!(err.kind(), chapterhouse::ErrorKind::InvalidValue);
    let msg = err.to_string();
    assert!(msg.contains("r-17") && msg.contains("tier"), "{msg}");

    let missing = r#"{"requests": [{"id": "r-2", "kind": "event_approval", "chapter": "c1", "tier": 2, "created": "2026-11-01T08:00:00Z"}]}"#;
    let msg = TriageInput::from_json(missing).unwrap_err().to_string();
    assert!(msg.contains("r-2") && msg.contains("minutes"), "{msg}");

    let zero = r#"{"requests": [{"id": "r-3", "kind": "event_approval", "chapter": "c1", "tier": 2, "created": "2026-11-01T08:00:00Z", "minutes": 0}]}"#;
    let msg = TriageInput::from_json(zero).unwrap_err().to_string();
    assert_eq!(
        msg,
        "request r-3: field minutes: must be between 1 and 10080, not 0"
    );

    let dup = r#"{"requests": [
        {"id": "r-4", "kind": "event_approval", "chapter": "c1", "tier": 2, "created": "2026-11-01T08:00:00Z", "minutes": 3},
        {"id": "r-4", "kind": "event_approval", "chapter": "c1", "tier": 2, "created": "2026-11-01T08:00:00Z", "minutes": 3}]}"#;
    let err = TriageInput::from_json(dup).unwrap_err();
    assert_eq!(err.kind(), chapterhouse::ErrorKind::AlreadyExists);

    let syntax = TriageInput::from_json("{\"requests\": [").unwrap_err();
    assert_eq!(syntax.kind(), chapterhouse::ErrorKind::Parse);

    let future = TriageInput::from_json(
        r#"{"requests": [{"id": "r-5", "kind": "event_approval", "chapter": "c1", "tier": 2, "created": "2026-12-01T08:00:00Z", "minutes": 3}]}"#,
    )
    .unwrap();
    let msg = triage::plan(&future, &TriageConfig::default(), now())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("r-5") && msg.contains("created"), "{msg}");

    let unknown_mentor = r#"{"chapters": [{"id": "c1", "mentor": "ghost"}]}"#;
    let err = TriageInput::from_json(unknown_mentor).unwrap_err();
    assert_eq!(err.kind(), chapterhouse::ErrorKind::NotFound);

    let config = TriageConfig {
        class_shares: [6, 0, 1],
        ..TriageConfig::default()
    };
    let err = triage::plan(&TriageInput::default(), &config, now()).unwrap_err();
    assert!(err.to_string().contains("class_shares"));
}

#[test]
fn input_round_trips_through_json() {
    let input = small(7);
    let back = TriageInput::from_json(&input.to_json()).unwrap();
    assert_eq!(back, input);
    let p = plan(&input);
    let text = serde_json::to_string(&p).unwrap();
    let again: Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(again, p);
}
