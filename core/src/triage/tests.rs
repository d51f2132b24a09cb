//! Unit tests for triage internals: the class table, aging, the round robin,
//! the carried state, P4's minimum, extra weight, mentor stickiness, words.

use chrono::{DateTime, Duration, Utc};

use super::classify::{self, Class, score};
use super::drr::{self, ChapterQueue};
use super::*;

fn now() -> DateTime<Utc> {
    "2026-11-01T09:00:00Z".parse().unwrap()
}

fn req(
    id: &str,
    chapter: &str,
    tier: u8,
    created_h: i64,
    due_h: Option<i64>,
    minutes: u32,
) -> Request {
    Request {
        id: id.parse().unwrap(),
        kind: RequestKind::EventApproval,
        chapter: chapter.parse().unwrap(),
        tier: Tier::try_from(tier).unwrap(),
        created: now() - Duration::hours(created_h),
        due: due_h.map(|h| now() + Duration::hours(h)),
        minutes,
        safety_legal: false,
        day_of_action: false,
        reach: 0,
        title: None,
    }
}

fn staff(id: &str, minutes: u32) -> Staff {
    Staff {
        id: id.parse().unwrap(),
        name: None,
        minutes,
        cohorts: vec![],
        mentoring_minutes: 0,
    }
}

#[test]
fn class_table() {
    let c = TriageConfig::default();
    let class = |r: &Request| score(r, &c, now()).class;
    assert_eq!(class(&req("a", "x", 1, 1, Some(5), 30)), Class::P1); // 4 × 4
    assert_eq!(class(&req("a", "x", 1, 1, Some(60), 30)), Class::P1); // 4 × 3
    assert_eq!(class(&req("a", "x", 1, 1, Some(100), 30)), Class::P2); // 4 × 2
    assert_eq!(class(&req("a", "x", 2, 1, Some(48), 30)), Class::P2); // 2 × 3
    assert_eq!(class(&req("a", "x", 2, 1, None, 30)), Class::P4); // 2 × 1
    assert_eq!(class(&req("a", "x", 3, 1, Some(20), 30)), Class::P3); // 1 × 4
    assert_eq!(class(&req("a", "x", 3, 1, None, 30)), Class::P4);
    let mut doa = req("a", "x", 2, 1, Some(48), 30);
    doa.day_of_action = true;
    assert_eq!(class(&doa), Class::P1); // (2 + 2) × 3
    doa.due = Some(now() + Duration::days(5));
    assert_eq!(class(&doa), Class::P2); // 4 × 2
    doa.reach = 500;
    assert_eq!(class(&doa), Class::P2); // 5 × 2
}

#[test]
fn aging_promotes_but_never_into_p1() {
    let c = TriageConfig::default();
    let at = |days: i64| score(&req("a", "x", 3, 24 * days, None, 30), &c, now());
    assert_eq!(at(13).class, Class::P4);
    let s = at(14);
    assert_eq!(
        (s.class, s.base, s.promoted_after_days),
        (Class::P3, Class::P4, 14)
    );
    assert_eq!(at(20).class, Class::P3);
    assert_eq!(at(21).class, Class::P2);
    assert_eq!(at(400).class, Class::P2);
    // +10 % a day, capped at ×5.
    assert_eq!(at(3).aging_pm, 1300);
    assert_eq!(at(400).aging_pm, 5000);
    assert_eq!(at(400).cod, 5000); // impact 1 × urgency 1 × 5000
}

#[test]
fn sla_clock_runs_from_the_class_on_arrival() {
    let c = TriageConfig::default();
    // Tier 2 due in 10 days when it arrived 3 days ago: P4 on arrival (2 × 1),
    // 14-day SLA; now due in 7 days, it is P3, but the deadline stays put.
    let r = req("a", "x", 2, 72, Some(24 * 7), 30);
    let s = score(&r, &c, now());
    assert_eq!(s.class, Class::P3);
    assert_eq!(s.deadline, r.due.unwrap());
    let r = req("b", "x", 3, 72, None, 30);
    assert_eq!(
        score(&r, &c, now()).deadline,
        r.created + Duration::days(14)
    );
}

#[test]
fn round_robin_alternates_and_honours_carried_deficits() {
    let sizes = [30u64, 30, 30, 30, 30, 30];
    let q = |items: Vec<u32>, deficit| ChapterQueue {
        quantum: 30,
        deficit,
        items,
    };
    let order = |queues: &[ChapterQueue], start| -> Vec<u32> {
        drr::order(queues, start, |i| sizes[i as usize])
            .iter()
            .map(|e| e.item)
            .collect()
    };
    let fresh = [q(vec![0, 1, 2], 0), q(vec![3, 4, 5], 0)];
    assert_eq!(order(&fresh, 0), vec![0, 3, 1, 4, 2, 5]);
    // Starting after the first chapter (the resume pointer).
    assert_eq!(order(&fresh, 1), vec![3, 0, 4, 1, 5, 2]);
    // A chapter carrying a full request's deficit sends two in its first turn.
    let carried = [q(vec![0, 1, 2], 0), q(vec![3, 4, 5], 30)];
    assert_eq!(order(&carried, 0), vec![0, 3, 4, 1, 5, 2]);
    // Big requests wait whole rounds without stalling others.
    let big = [30u64, 100, 30, 30];
    let queues = [q(vec![1, 0], 0), q(vec![2, 3], 0)];
    let got: Vec<u32> = drr::order(&queues, 0, |i| big[i as usize])
        .iter()
        .map(|e| e.item)
        .collect();
    assert_eq!(got, vec![2, 3, 1, 0]);
}

fn one_class_input(per_chapter: &[(&str, usize)], minutes: u32) -> TriageInput {
    let mut requests = Vec::new();
    for (ch, n) in per_chapter {
        for k in 0..*n {
            requests.push(req(&format!("{ch}-{k:02}"), ch, 3, 1, None, minutes));
        }
    }
    TriageInput {
        requests,
        staff: vec![staff("s", 150)],
        ..TriageInput::default()
    }
}

#[test]
fn fairness_state_carries_the_round_robin_to_tomorrow() {
    // 120 queue minutes a day (150 less 20 %), 30-minute P4 requests.
    let input = one_class_input(&[("a", 6), ("b", 6), ("c", 6)], 30);
    let c = TriageConfig {
        quantum_minutes: 30,
        ..TriageConfig::default()
    };
    let day1 = plan(&input, &c, now()).unwrap();
    let served1: Vec<&str> = day1
        .rows
        .iter()
        .filter(|r| r.today)
        .map(|r| r.chapter.as_str())
        .collect();
    assert_eq!(served1, ["a", "b", "c", "a"]);
    let state = day1.fairness.class(Class::P4).unwrap();
    assert_eq!(state.resume_after.as_ref().map(|x| x.as_str()), Some("a"));
    for d in state.deficits.values() {
        assert!(*d <= 30 + 30, "deficit {d} above quantum + largest request");
    }
    // Tomorrow, with yesterday's requests done, the round robin resumes after a.
    let mut next = input.clone();
    let done: Vec<_> = day1
        .rows
        .iter()
        .filter(|r| r.today)
        .map(|r| r.request.clone())
        .collect();
    next.requests.retain(|r| !done.contains(&r.id));
    next.fairness = day1.fairness.clone();
    let day2 = plan(&next, &c, now() + Duration::days(1)).unwrap();
    let served2: Vec<&str> = day2
        .rows
        .iter()
        .filter(|r| r.today)
        .map(|r| r.chapter.as_str())
        .collect();
    assert_eq!(served2, ["b", "c", "a", "b"]);
    // Without the carried state, a would go first again.
    next.fairness = FairnessState::default();
    let fresh = plan(&next, &c, now() + Duration::days(1)).unwrap();
    assert_eq!(fresh.rows[0].chapter.as_str(), "a");
    assert!(
        day2.rows[0].reason.contains("chapter"),
        "{}",
        day2.rows[0].reason
    );
}

#[test]
fn extra_weight_gives_new_and_at_risk_chapters_more_turns() {
    let mut input = one_class_input(&[("a", 10), ("b", 10)], 30);
    input.staff.clear();
    input.chapters = vec![ChapterInfo {
        id: "b".parse().unwrap(),
        cohort: None,
        health: ChapterHealth::New,
        mentor: None,
    }];
    let even_config = TriageConfig {
        quantum_minutes: 30,
        ..TriageConfig::default()
    };
    let c = TriageConfig {
        extra_weight_permille: 1000,
        ..even_config.clone()
    };
    let p = plan(&input, &c, now()).unwrap();
    let first6: Vec<&str> = p.rows.iter().take(6).map(|r| r.chapter.as_str()).collect();
    assert_eq!(
        first6.iter().filter(|c| **c == "b").count(),
        4,
        "{first6:?}"
    );
    let even = plan(&input, &even_config, now()).unwrap();
    let first6: Vec<&str> = even
        .rows
        .iter()
        .take(6)
        .map(|r| r.chapter.as_str())
        .collect();
    assert_eq!(
        first6.iter().filter(|c| **c == "b").count(),
        3,
        "{first6:?}"
    );
}

#[test]
fn p4_keeps_its_minimum_when_p2_would_take_everything() {
    let mut requests = Vec::new();
    for k in 0..20 {
        requests.push(req(
            &format!("p2-{k:02}"),
            &format!("c{k}"),
            2,
            1,
            Some(48),
            30,
        ));
    }
    requests.push(req("p4", "z", 3, 1, None, 30));
    let input = TriageInput {
        requests,
        staff: vec![staff("s", 250)],
        ..TriageInput::default()
    };
    // 200 queue minutes; P4's share (1/10) is 20 min, less than one request.
    let p = plan(&input, &TriageConfig::default(), now()).unwrap();
    let p4 = p.rows.iter().find(|r| r.request.as_str() == "p4").unwrap();
    assert!(p4.today, "{}", p4.reason);
    let without = TriageConfig {
        p4_minimum_minutes: 0,
        ..TriageConfig::default()
    };
    let p = plan(&input, &without, now()).unwrap();
    assert!(
        !p.rows
            .iter()
            .find(|r| r.request.as_str() == "p4")
            .unwrap()
            .today
    );
}

#[test]
fn escalations_come_first_from_the_reserve() {
    let mut input = one_class_input(&[("a", 3)], 30);
    let mut flagged = req("safety", "b", 3, 1, None, 25);
    flagged.safety_legal = true;
    input.requests.push(flagged);
    let p = plan(&input, &TriageConfig::default(), now()).unwrap();
    let first = &p.rows[0];
    assert_eq!(first.request.as_str(), "safety");
    assert_eq!(first.lane, Lane::EscalateNow);
    assert_eq!(first.class, Class::P1);
    assert!(first.reason.starts_with("escalate now: safety/legal flag"));
    // 150 min: 30 reserve covers the 25-minute escalation; 120 stay for the queue.
    assert_eq!(p.line.capacity_minutes, 120);
    assert_eq!(p.line.escalated_minutes, 25);
    assert!(matches!(p.alerts[0], Alert::EscalateNow { .. }));
}

#[test]
fn mentors_move_only_on_a_status_change_across_a_large_gap() {
    let mentor = |id: &str, minutes: u32| Staff {
        mentoring_minutes: minutes,
        ..staff(id, 300)
    };
    let chapter = |id: &str, health| ChapterInfo {
        id: id.parse().unwrap(),
        cohort: None,
        health,
        mentor: None,
    };
    let staff = [mentor("m1", 300), mentor("m2", 300)];
    let config = MentorConfig::default();
    let before = vec![
        chapter("a", ChapterHealth::Steady),
        chapter("b", ChapterHealth::Steady),
    ];
    let first = assign_mentors(&before, &staff, &[], &config).unwrap();
    assert_ne!(first.mentor_of("a"), first.mentor_of("b"));
    // a turns AtRisk (30 → 90 min): its mentor has 210 min of room against
    // the other's 270 - 90 = 180 after a move; no move.
    let after = vec![
        chapter("a", ChapterHealth::AtRisk),
        chapter("b", ChapterHealth::Steady),
    ];
    let second = assign_mentors(&after, &staff, &first.assignments, &config).unwrap();
    assert_eq!(second.mentor_of("a"), first.mentor_of("a"));
    assert_eq!(second.assignments[0].change, MentorChange::Kept);
    // With a lopsided load the status change moves it.
    let staff = [mentor("m1", 300), mentor("m2", 1000)];
    let lopsided = MentorPlan {
        assignments: vec![
            MentorAssignment {
                chapter: "a".parse().unwrap(),
                mentor: "m1".parse().unwrap(),
                health: ChapterHealth::Steady,
                minutes: 30,
                change: MentorChange::New,
            },
            MentorAssignment {
                chapter: "b".parse().unwrap(),
                mentor: "m1".parse().unwrap(),
                health: ChapterHealth::Steady,
                minutes: 30,
                change: MentorChange::New,
            },
        ],
        loads: vec![],
        unassigned: vec![],
    };
    let third = assign_mentors(&after, &staff, &lopsided.assignments, &config).unwrap();
    assert_eq!(third.mentor_of("a").map(|m| m.as_str()), Some("m2"));
    assert_eq!(third.assignments[0].change, MentorChange::StatusChanged);
    assert_eq!(third.mentor_of("b").map(|m| m.as_str()), Some("m1"));
}

#[test]
fn words() {
    let mut s = String::new();
    classify::write_due(&mut s, Some(now() + Duration::hours(5)), now());
    assert_eq!(s, "due in 5 hours");
    s.clear();
    classify::write_due(&mut s, Some(now() - Duration::days(3)), now());
    assert_eq!(s, "overdue by 3 days");
    s.clear();
    classify::write_due(&mut s, Some(now() + Duration::hours(30)), now());
    assert_eq!(s, "due in 1 day");
    s.clear();
    classify::write_when(&mut s, "2026-11-19T14:05:00Z".parse().unwrap());
    assert_eq!(s, "19 Nov 14:05");
    s.clear();
    classify::write_factor(&mut s, 1380);
    assert_eq!(s, "×1.3");
    s.clear();
    classify::write_u64(&mut s, 0);
    classify::write_u64(&mut s, 1_234_567);
    assert_eq!(s, "01234567");
}

#[test]
fn config_and_fairness_are_checked() {
    let bad = TriageConfig {
        p2_threshold: 20,
        ..TriageConfig::default()
    };
    assert_eq!(
        bad.validate().unwrap_err().kind(),
        crate::ErrorKind::InvalidValue
    );
    let state = FairnessState {
        classes: vec![ClassFairness {
            class: Class::P1,
            resume_after: None,
            deficits: Default::default(),
        }],
    };
    let input = TriageInput {
        fairness: state,
        ..TriageInput::default()
    };
    assert!(plan(&input, &TriageConfig::default(), now()).is_err());
}

#[test]
fn alerts_for_no_staff_and_escalations_beyond_the_reserve() {
    let mut input = one_class_input(&[("a", 2)], 30);
    input.staff.clear();
    let p = plan(&input, &TriageConfig::default(), now()).unwrap();
    assert_eq!(p.alerts[0], Alert::NoCapacity);
    assert!(matches!(
        p.alerts[1],
        Alert::SlaBreachAhead { count: 2, .. }
    ));
    assert!(
        p.rows
            .iter()
            .all(|r| !r.today && r.projected.is_none() && r.sla_breach)
    );
    assert_eq!(p.line.after_rank, 0);

    let mut input = one_class_input(&[("a", 2)], 30);
    let mut big = req("safety", "b", 2, 1, None, 100);
    big.safety_legal = true;
    input.requests.push(big);
    let p = plan(&input, &TriageConfig::default(), now()).unwrap();
    // 30 min reserve; the other 70 come out of the queue's 120.
    assert!(p.alerts.contains(&Alert::EscalationsExceedReserve {
        escalated_minutes: 100,
        reserve_minutes: 30
    }));
    assert_eq!(p.line.capacity_minutes, 50);
    assert_eq!(p.line.planned_minutes, 30);
}
