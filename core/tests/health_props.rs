//! Property tests of the invariants the health module states.

// Test code: unwrap and indexing are allowed (clippy.toml covers only #[test] bodies).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use chapterhouse::health::{
    self, ActivityRow, ActivityTable, Columns, Component, Facts, GroupFacts, GroupReport,
    HealthModel, HealthReport, Kind, KindColumn, Pause, Scorer, Status, StrColumn, Strings,
    Thresholds, TimeColumn,
};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

const GROUPS: [&str; 4] = ["g0", "g1", "g2", "g3"];
const PEOPLE: [&str; 7] = ["p0", "p1", "p2", "p3", "p4", "p5", "staff"];
const DAY: i64 = 86_400;

fn now() -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

/// A generated row: group, seconds before `now` (negative: in the future),
/// kind, value, actor.
#[derive(Debug, Clone, Copy)]
struct GenRow {
    group: usize,
    ago: i64,
    kind: Kind,
    value: Option<f64>,
    actor: Option<usize>,
}

impl GenRow {
    fn row(&self, at: DateTime<Utc>) -> ActivityRow<'static> {
        ActivityRow {
            group: GROUPS[self.group],
            time: at - Duration::seconds(self.ago),
            kind: self.kind,
            value: self.value,
            actor: self.actor.map(|a| PEOPLE[a]),
        }
    }
}

fn arb_row(min_ago: i64) -> impl Strategy<Value = GenRow> {
    (
        0..GROUPS.len(),
        // Spread over 400 days, or clustered in a few days so that daily
        // post caps and same-day buckets are exercised.
        prop_oneof![min_ago..400 * DAY, min_ago.max(0)..3 * DAY],
        (0u8..8).prop_map(|c| Kind::from_code(c).unwrap()),
        prop::option::of(prop_oneof![(0u32..200).prop_map(f64::from), 0.0..500.0f64]),
        prop::option::of(0..PEOPLE.len()),
    )
        .prop_map(|(group, ago, kind, value, actor)| GenRow {
            group,
            ago,
            kind,
            value,
            actor: if kind == Kind::LeaderAction {
                Some(actor.unwrap_or(0))
            } else {
                actor
            },
        })
}

fn arb_rows(min_ago: i64, max: usize) -> impl Strategy<Value = Vec<GenRow>> {
    prop::collection::vec(arb_row(min_ago), 0..max)
}

/// Dense activity: one group, two authors, two days, so daily caps bind.
fn arb_dense_rows(max: usize) -> impl Strategy<Value = Vec<GenRow>> {
    let row = (
        0i64..2 * DAY,
        prop::sample::select(vec![
            Kind::Post,
            Kind::Post,
            Kind::EventHeld,
            Kind::LeaderAction,
        ]),
        0usize..2,
    )
        .prop_map(|(ago, kind, actor)| GenRow {
            group: 0,
            ago,
            kind,
            value: Some(10.0),
            actor: Some(actor),
        });
    prop::collection::vec(row, 0..max)
}

fn arb_status() -> impl Strategy<Value = Status> {
    prop::sample::select(Status::ALL.to_vec())
}

fn arb_group_facts(i: usize) -> impl Strategy<Value = Option<GroupFacts>> {
    prop::option::weighted(
        0.8,
        (
            prop::option::of(0i64..900),
            prop::option::of(prop::sample::subsequence(PEOPLE[..6].to_vec(), 0..4)),
            prop::option::of((0i64..300, 1i64..120)),
            prop::option::of(arb_status()),
        )
            .prop_map(move |(created, leaders, pause, previous)| {
                let mut g = GroupFacts::new(GROUPS[i].parse().unwrap());
                g.created = created.map(|d| now() - Duration::days(d));
                g.leaders = leaders.map(|l| l.iter().map(|p| p.parse().unwrap()).collect());
                if let Some((start_ago, len)) = pause {
                    let from = now() - Duration::days(start_ago);
                    g.pauses.push(Pause {
                        from,
                        until: from + Duration::days(len),
                    });
                }
                g.previous_status = previous;
                g
            }),
    )
}

fn arb_facts() -> impl Strategy<Value = Facts> {
    (
        arb_group_facts(0),
        arb_group_facts(1),
        arb_group_facts(2),
        arb_group_facts(3),
        any::<bool>(),
    )
        .prop_map(|(a, b, c, d, staff)| Facts {
            staff: if staff {
                vec!["staff".parse().unwrap()]
            } else {
                vec![]
            },
            groups: [a, b, c, d].into_iter().flatten().collect(),
        })
}

fn score_at(
    facts: &Facts,
    rows: &[GenRow],
    base: DateTime<Utc>,
    at: DateTime<Utc>,
) -> HealthReport {
    health::score(
        &HealthModel::default(),
        facts,
        rows.iter().map(|r| r.row(base)),
        at,
    )
    .unwrap()
}

fn score(facts: &Facts, rows: &[GenRow]) -> HealthReport {
    score_at(facts, rows, now(), now())
}

fn comp(g: &GroupReport, c: Component) -> f64 {
    g.component(c).unwrap().score
}

fn in_range(v: f64) -> bool {
    (0.0..=100.0).contains(&v)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn values_are_bounded_and_contributions_sum_exactly(facts in arb_facts(), rows in arb_rows(-5 * DAY, 80)) {
        let r = score(&facts, &rows);
        for g in &r.groups {
            prop_assert!(in_range(g.score), "score {}", g.score);
            let mut sum = 0.0;
            for c in &g.components {
                prop_assert!(in_range(c.score) && in_range(c.contribution) && in_range(c.headroom));
                prop_assert!(c.decayed >= 0.0);
                sum += c.contribution;
            }
            prop_assert_eq!(sum, g.score);
            // In any order, too.
            let rev: f64 = g.components.iter().rev().map(|c| c.contribution).sum();
            prop_assert_eq!(rev, g.score);
            prop_assert!(g.trend.ratio.is_none_or(|x| x >= 0.0));
        }
        let shares: f64 = Status::ALL.iter().map(|s| r.metrics.share_by_status.get(*s)).sum();
        prop_assert!(r.groups.is_empty() || (shares - 1.0).abs() < 1e-12);
    }

    #[test]
    fn an_item_aged_exactly_one_half_life_counts_half(
        h in 0.05f64..400.0,
        which in 0usize..5,
        now_shift in 0i64..10_000_000,
    ) {
        let mut model = HealthModel::default();
        let c = Component::ALL[which];
        match c {
            Component::Activity => model.half_lives_days.activity = h,
            Component::Leadership => model.half_lives_days.leadership = h,
            Component::Impact => model.half_lives_days.impact = h,
            Component::Growth => model.half_lives_days.growth = h,
            Component::Conversation => model.half_lives_days.conversation = h,
        }
        let at = now() + Duration::seconds(now_shift);
        let h_ms = (h * 86_400_000.0).round() as i64;
        let kind = match c {
            Component::Activity => Kind::EventHeld,
            Component::Leadership => Kind::LeaderAction,
            Component::Impact => Kind::PetitionStarted,
            Component::Growth => Kind::MemberJoined,
            Component::Conversation => Kind::Post,
        };
        for (age, want) in [(h_ms, 0.5), (2 * h_ms, 0.25), (0, 1.0)] {
            let row = ActivityRow {
                group: "g",
                time: at - Duration::milliseconds(age),
                kind,
                value: None,
                actor: Some("ana"),
            };
            let r = health::score(&model, &Facts::default(), [row], at).unwrap();
            prop_assert_eq!(r.groups[0].component(c).unwrap().decayed, want);
        }
    }

    #[test]
    fn adding_activity_never_lowers_a_component_or_the_score(
        facts in arb_facts(),
        rows in arb_rows(-5 * DAY, 60),
        extra in arb_rows(0, 20),
    ) {
        let before = score(&facts, &rows);
        let mut all = rows.clone();
        all.extend(extra);
        let after = score(&facts, &all);
        for g in &before.groups {
            let a = after.group(&g.group).unwrap();
            prop_assert!(a.score >= g.score, "{}: {} -> {}", g.group, g.score, a.score);
            for c in Component::ALL {
                prop_assert!(comp(a, c) >= comp(g, c), "{} {c}", g.group);
            }
        }
    }

    #[test]
    fn adding_dense_activity_never_lowers_a_component(
        rows in arb_dense_rows(30),
        extra in arb_dense_rows(10),
    ) {
        let before = score(&Facts::default(), &rows);
        let mut all = rows.clone();
        all.extend(extra);
        let after = score(&Facts::default(), &all);
        for g in &before.groups {
            let a = after.group(&g.group).unwrap();
            prop_assert!(a.score >= g.score);
            for c in Component::ALL {
                prop_assert!(comp(a, c) >= comp(g, c), "{c}");
            }
        }
    }

    #[test]
    fn without_new_data_the_score_never_rises_as_time_passes(
        facts in arb_facts(),
        rows in arb_rows(0, 60),
        later in 0i64..400 * DAY,
    ) {
        let t1 = score_at(&facts, &rows, now(), now());
        let t2 = score_at(&facts, &rows, now(), now() + Duration::seconds(later));
        for g in &t1.groups {
            let h = t2.group(&g.group).unwrap();
            prop_assert!(h.score <= g.score, "{}: {} -> {}", g.group, g.score, h.score);
            for c in Component::ALL {
                prop_assert!(comp(h, c) <= comp(g, c));
            }
        }
    }

    #[test]
    fn nothing_changes_during_a_pause(
        rows in arb_rows(0, 60),
        began in 0i64..60,
        later in 0i64..(30 * DAY),
        previous in prop::option::of(arb_status()),
    ) {
        let mut g = GroupFacts::new("g0".parse().unwrap());
        g.created = Some(now() - Duration::days(400));
        g.previous_status = previous;
        g.pauses.push(Pause { from: now() - Duration::days(began), until: now() + Duration::days(31) });
        let facts = Facts { staff: vec![], groups: vec![g] };
        let t1 = score_at(&facts, &rows, now(), now());
        let t2 = score_at(&facts, &rows, now(), now() + Duration::seconds(later));
        let (mut a, mut b) = (t1.group("g0").unwrap().clone(), t2.group("g0").unwrap().clone());
        // Only the count of paused days moves (up); everything else is flat.
        prop_assert!(b.paused_days >= a.paused_days);
        a.paused_days = 0;
        b.paused_days = 0;
        prop_assert_eq!(a, b);
    }

    #[test]
    fn input_order_never_changes_the_output(
        facts in arb_facts(),
        (rows, shuffled) in arb_rows(-5 * DAY, 80).prop_flat_map(|r| (Just(r.clone()), Just(r).prop_shuffle())),
        split in 0usize..80,
    ) {
        let a = score(&facts, &rows).to_json();
        let b = score(&facts, &shuffled).to_json();
        prop_assert_eq!(&a, &b);
        // Two batches, and the columns path, give the same bytes.
        let mut s = Scorer::new(&HealthModel::default(), &facts, now()).unwrap();
        let cut = split.min(shuffled.len());
        s.add_rows(shuffled[cut..].iter().map(|r| r.row(now()))).unwrap();
        let mut table = ActivityTable::new();
        for r in &shuffled[..cut] {
            table.push(r.row(now())).unwrap();
        }
        s.add_table(&table).unwrap();
        prop_assert_eq!(&a, &s.report(None).to_json());
        let groups: Vec<&str> = shuffled.iter().map(|r| GROUPS[r.group]).collect();
        let secs: Vec<i64> = shuffled.iter().map(|r| now().timestamp() - r.ago).collect();
        let codes: Vec<u8> = shuffled.iter().map(|r| r.kind.code()).collect();
        let values: Vec<f64> = shuffled.iter().map(|r| r.value.unwrap_or(f64::NAN)).collect();
        let actors: Vec<&str> = shuffled.iter().map(|r| r.actor.map_or("", |a| PEOPLE[a])).collect();
        let cols = Columns {
            group: StrColumn::Values(Strings::Slice(&groups)),
            time: TimeColumn::Seconds(&secs),
            kind: KindColumn::Codes(&codes),
            value: Some(&values),
            actor: Some(StrColumn::Values(Strings::Slice(&actors))),
            actor_valid: None,
        };
        let c = health::score_columns(&HealthModel::default(), &facts, &cols, now()).unwrap();
        prop_assert_eq!(&a, &c.to_json());
    }

    #[test]
    fn a_group_does_not_depend_on_other_groups(facts in arb_facts(), rows in arb_rows(-5 * DAY, 80)) {
        let full = score(&facts, &rows);
        let own: Vec<GenRow> = rows.iter().copied().filter(|r| r.group == 0).collect();
        let own_facts = Facts {
            staff: facts.staff.clone(),
            groups: facts.groups.iter().filter(|g| g.group.as_str() == "g0").cloned().collect(),
        };
        let alone = score(&own_facts, &own);
        prop_assert_eq!(full.group("g0"), alone.group("g0"));
    }

    #[test]
    fn adding_an_active_co_leader_never_lowers_leadership(
        rows in arb_rows(0, 60),
        leaders in prop::sample::subsequence(PEOPLE[..6].to_vec(), 0..4),
        acted in prop::option::of(0i64..200 * DAY),
    ) {
        let facts_with = |extra: bool| {
            let mut g = GroupFacts::new("g0".parse().unwrap());
            g.created = Some(now() - Duration::days(500));
            let mut list: Vec<_> = leaders.iter().map(|p| p.parse().unwrap()).collect();
            if extra {
                list.push("newbie".parse().unwrap());
            }
            g.leaders = Some(list);
            Facts { staff: vec![], groups: vec![g] }
        };
        let before = score(&facts_with(false), &rows);
        let mut s = Scorer::new(&HealthModel::default(), &facts_with(true), now()).unwrap();
        s.add_rows(rows.iter().map(|r| r.row(now()))).unwrap();
        if let Some(ago) = acted {
            s.add_rows([ActivityRow {
                group: "g0",
                time: now() - Duration::seconds(ago),
                kind: Kind::LeaderAction,
                value: None,
                actor: Some("newbie"),
            }]).unwrap();
        }
        let after = s.report(None);
        let lb = before.group("g0").map_or(0.0, |g| comp(g, Component::Leadership));
        let la = comp(after.group("g0").unwrap(), Component::Leadership);
        prop_assert!(la >= lb, "{lb} -> {la}");
        if acted.is_none() {
            prop_assert_eq!(la, lb);
        }
    }

    #[test]
    fn a_young_group_is_never_at_risk_or_dormant(
        rows in arb_rows(-5 * DAY, 60),
        created in 0i64..(90 * DAY),
        previous in prop::option::of(arb_status()),
        pause in prop::option::of((0i64..80, 1i64..60)),
    ) {
        let mut g = GroupFacts::new("g0".parse().unwrap());
        g.created = Some(now() - Duration::seconds(created));
        g.previous_status = previous;
        if let Some((ago, len)) = pause {
            let from = now() - Duration::days(ago);
            g.pauses.push(Pause { from, until: from + Duration::days(len) });
        }
        let r = score(&Facts { staff: vec![], groups: vec![g] }, &rows);
        let g0 = r.group("g0").unwrap();
        prop_assert_eq!(g0.status, Status::New);
        prop_assert!(g0.onboarding.is_some());
    }

    #[test]
    fn a_score_oscillating_inside_a_band_keeps_its_status(
        mut levels in prop::collection::vec(0.0f64..=100.0, 4),
        start in prop::sample::select(vec![Status::Thriving, Status::Steady, Status::AtRisk]),
        wobble in prop::collection::vec(0.0f64..1.0, 1..30),
    ) {
        levels.sort_by(f64::total_cmp);
        let t = Thresholds {
            at_risk_enter: levels[0],
            at_risk_leave: levels[1],
            thriving_leave: levels[2],
            thriving_enter: levels[3],
        };
        let model = HealthModel { thresholds: t, ..HealthModel::default() };
        prop_assert!(model.validate().is_ok());
        // The band a status holds in: [low, high).
        let (low, high) = match start {
            Status::Thriving => (t.thriving_leave, 100.0 + 1e-9),
            Status::Steady => (t.at_risk_enter, t.thriving_enter),
            _ => (0.0, t.at_risk_leave),
        };
        prop_assume!(high > low);
        let mut status = start;
        for w in wobble {
            let s = (low + w * (high - low)).min(100.0);
            prop_assume!(s >= low && s < high);
            status = t.status_for(Some(status), s);
            prop_assert_eq!(status, start, "score {} in [{}, {})", s, low, high);
        }
    }
}
