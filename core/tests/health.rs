//! Scenario tests of group-health scoring.

// Test code: unwrap and indexing are allowed (clippy.toml covers only #[test] bodies).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use chapterhouse::ErrorKind;
use chapterhouse::health::{
    self, ActivityRow, ActivityTable, Columns, Component, Facts, GroupFacts, HealthError,
    HealthModel, HealthReport, Intervention, Kind, KindColumn, Milestone, NULL_KEY, Pause, Scorer,
    Status, StrColumn, Strings, TimeColumn, TrendDirection,
};
use chrono::{DateTime, Duration, Utc};

fn now() -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

fn days(d: f64) -> Duration {
    Duration::milliseconds((d * 86_400_000.0) as i64)
}

/// An owned row: (group, days ago, kind, value, actor).
type Row = (&'static str, f64, Kind, Option<f64>, Option<&'static str>);

fn rows(list: &[Row]) -> Vec<ActivityRow<'static>> {
    list.iter()
        .map(|&(group, ago, kind, value, actor)| ActivityRow {
            group,
            time: now() - days(ago),
            kind,
            value,
            actor,
        })
        .collect()
}

fn facts(json: &str) -> Facts {
    Facts::from_json(json).unwrap()
}

fn run(model: &HealthModel, facts: &Facts, list: &[Row]) -> HealthReport {
    health::score(model, facts, rows(list), now()).unwrap()
}

fn established(group: &str) -> String {
    format!(r#"{{"group": "{group}", "created": "2024-01-01T00:00:00Z"}}"#)
}

#[test]
fn an_item_aged_one_half_life_counts_half() {
    let m = HealthModel::default();
    let list: Vec<Row> = vec![
        ("g", 45.0, Kind::EventHeld, None, None),
        ("g", 21.0, Kind::LeaderAction, None, Some("ana")),
        ("g", 60.0, Kind::PetitionStarted, None, None),
        ("g", 60.0, Kind::MemberJoined, Some(1.0), None),
        ("g", 14.0, Kind::Post, None, Some("bo")),
    ];
    let r = run(&m, &Facts::default(), &list);
    let g = r.group("g").unwrap();
    for c in Component::ALL {
        assert_eq!(g.component(c).unwrap().decayed, 0.5, "{c}");
    }
    // Leadership: 100 · (1 − 2^−0.5).
    let lead = g.component(Component::Leadership).unwrap().score;
    assert!(
        (lead - 100.0 * (1.0 - 0.5f64.sqrt())).abs() < 1e-6,
        "{lead}"
    );
    // Saturated: 100 · S / (S + k).
    let k = m.calibration.k.activity;
    let act = g.component(Component::Activity).unwrap().score;
    assert!((act - 100.0 * 0.5 / (0.5 + k)).abs() < 1e-9);
}

#[test]
fn leadership_is_one_minus_two_to_the_minus_l() {
    let m = HealthModel::default();
    let one = run(
        &m,
        &Facts::default(),
        &[("g", 0.0, Kind::LeaderAction, None, Some("a"))],
    );
    let two = run(
        &m,
        &Facts::default(),
        &[
            ("g", 0.0, Kind::LeaderAction, None, Some("a")),
            ("g", 0.0, Kind::LeaderAction, None, Some("b")),
        ],
    );
    let lead = |r: &HealthReport| r.groups[0].component(Component::Leadership).unwrap().score;
    assert_eq!(lead(&one), 50.0);
    assert_eq!(lead(&two), 75.0);
    assert!(one.groups[0].bus_factor);
    assert!(!two.groups[0].bus_factor);
}

#[test]
fn contributions_add_up_and_explain_themselves() {
    let f = facts(
        r#"{"groups": [{"group": "g", "created": "2024-01-01T00:00:00Z", "leaders": ["ana", "bo", "cy"]}]}"#,
    );
    let list: Vec<Row> = vec![
        ("g", 12.0, Kind::EventHeld, Some(20.0), Some("ana")),
        ("g", 30.0, Kind::EventHeld, Some(14.0), Some("ana")),
        ("g", 100.0, Kind::EventHeld, Some(9.0), Some("ana")),
        ("g", 3.0, Kind::LeaderAction, None, Some("ana")),
        ("g", 40.0, Kind::LeaderAction, None, Some("bo")),
        ("g", 5.0, Kind::LeaderAction, None, Some("dee")),
        ("g", 20.0, Kind::Win, None, None),
        ("g", 50.0, Kind::PetitionStarted, None, None),
        ("g", 4.0, Kind::MemberJoined, Some(3.0), None),
        ("g", 10.0, Kind::MemberLeft, None, None),
        ("g", 1.0, Kind::Post, None, Some("ana")),
        ("g", 1.0, Kind::Post, None, Some("bo")),
    ];
    let r = run(&HealthModel::default(), &f, &list);
    let g = r.group("g").unwrap();
    let sum: f64 = g.components.iter().map(|c| c.contribution).sum();
    assert_eq!(sum, g.score);
    let facts_of = |c| g.component(c).unwrap().facts.clone();
    assert_eq!(
        facts_of(Component::Activity),
        "2 events in the last 45 days, 34 people attending in all, last one 12 days ago"
    );
    assert_eq!(
        facts_of(Component::Leadership),
        "1 of 3 leaders acted in the last 21 days: ana 3 days ago, bo 40 days ago, cy never; \
         1 leader action by people not listed as leaders not counted"
    );
    assert_eq!(
        facts_of(Component::Impact),
        "1 petition started and 1 win in the last 60 days, last one 20 days ago"
    );
    assert_eq!(
        facts_of(Component::Growth),
        "3 new members in the last 60 days (1 left), last joined 4 days ago"
    );
    assert_eq!(
        facts_of(Component::Conversation),
        "2 posts by 2 authors in the last 14 days, last one 1 day ago"
    );
    assert_eq!(g.excluded.not_leader, 1);
    assert_eq!(g.leaders[0].person, "ana");
    assert_eq!(g.leaders[2].days_since_action, None);
    assert_eq!(g.active_leaders, 1);
    assert!(g.bus_factor);
    let text = g.explain();
    assert!(text.starts_with("g: "), "{text}");
    assert!(text.contains("do:  "), "{text}");
    // Headroom is what the score would gain at 100.
    for c in &g.components {
        assert!((c.contribution + c.headroom - c.weight * 100.0).abs() < 1.0 / 512.0);
    }
}

#[test]
fn staff_and_future_rows_are_excluded_and_counted() {
    let f = facts(r#"{"staff": ["staffer"], "groups": []}"#);
    let base: Vec<Row> = vec![("g", 2.0, Kind::EventHeld, Some(10.0), Some("ana"))];
    let mut more = base.clone();
    more.push(("g", 1.0, Kind::EventHeld, Some(50.0), Some("staffer")));
    more.push(("g", 1.0, Kind::Post, None, Some("staffer")));
    more.push(("g", -3.0, Kind::EventHeld, Some(50.0), Some("ana")));
    let m = HealthModel::default();
    let a = run(&m, &f, &base);
    let b = run(&m, &f, &more);
    assert_eq!(a.groups[0].score, b.groups[0].score);
    assert_eq!(a.groups[0].components, b.groups[0].components);
    assert_eq!(b.groups[0].excluded.staff, 2);
    assert_eq!(b.groups[0].excluded.future, 1);
    assert_eq!(b.metrics.supporters_engaged, 1);
}

#[test]
fn posts_are_capped_per_author_per_day_keeping_the_latest() {
    let m = HealthModel::default();
    let mut spam: Vec<Row> = Vec::new();
    let mut varied: Vec<Row> = Vec::new();
    const AUTHORS: [&str; 10] = ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"];
    for (i, author) in AUTHORS.iter().enumerate() {
        // All on the same UTC day (2026-10-30), hours apart.
        let ago = 1.5 + (i as f64) / 48.0;
        spam.push(("g", ago, Kind::Post, None, Some("a0")));
        varied.push(("g", ago, Kind::Post, None, Some(author)));
    }
    let s = run(&m, &Facts::default(), &spam);
    let v = run(&m, &Facts::default(), &varied);
    let conv = |r: &HealthReport| {
        r.groups[0]
            .component(Component::Conversation)
            .unwrap()
            .clone()
    };
    assert_eq!(
        conv(&s).facts,
        "3 posts by 1 author in the last 14 days (7 more above 3 per author per day not counted), last one 1 day ago"
    );
    assert!(conv(&v).decayed > 3.0 * conv(&s).decayed);
    // The three latest count: the same as posting only those three.
    let latest = run(&m, &Facts::default(), &spam[..3]);
    assert_eq!(conv(&latest).decayed, conv(&s).decayed);
}

#[test]
fn attendance_is_capped() {
    let mut m = HealthModel::default();
    m.calibration.attendance_cap = 40.0;
    let at_cap = run(
        &m,
        &Facts::default(),
        &[("g", 1.0, Kind::EventHeld, Some(40.0), None)],
    );
    let spike = run(
        &m,
        &Facts::default(),
        &[("g", 1.0, Kind::EventHeld, Some(5000.0), None)],
    );
    let none = run(
        &m,
        &Facts::default(),
        &[("g", 1.0, Kind::EventHeld, None, None)],
    );
    let act = |r: &HealthReport| r.groups[0].component(Component::Activity).unwrap().clone();
    assert_eq!(act(&at_cap).decayed, act(&spike).decayed);
    assert!(
        act(&spike)
            .facts
            .contains("(1 above the attendance cap of 40, counted as 40)")
    );
    assert!(act(&none).decayed < act(&at_cap).decayed);
    assert!(act(&none).facts.contains("attendance not recorded for 1"));
}

#[test]
fn dormant_is_by_evidence_not_score() {
    let f = facts(&format!(
        r#"{{"groups": [{}, {}]}}"#,
        established("quiet"),
        established("chatty")
    ));
    let mut list: Vec<Row> = vec![
        ("quiet", 70.0, Kind::LeaderAction, None, Some("ana")),
        ("quiet", 100.0, Kind::EventHeld, Some(10.0), None),
        ("chatty", 70.0, Kind::LeaderAction, None, Some("bo")),
        ("chatty", 80.0, Kind::EventHeld, Some(10.0), None),
    ];
    for i in 0..40 {
        list.push(("quiet", (i % 10) as f64, Kind::Post, None, Some("zed")));
        list.push(("quiet", (i % 20) as f64, Kind::MemberJoined, None, None));
    }
    let r = run(&HealthModel::default(), &f, &list);
    let q = r.group("quiet").unwrap();
    assert_eq!(q.status, Status::Dormant);
    assert_eq!(
        q.status_reason,
        "no leader action for 70 days and no event for 100 days"
    );
    assert_eq!(q.intervention, Intervention::CallForNewLeader);
    // An event 80 days ago is within 90: not dormant.
    assert_ne!(r.group("chatty").unwrap().status, Status::Dormant);
}

#[test]
fn new_groups_are_judged_on_onboarding() {
    let f = facts(
        r#"{"groups": [{"group": "fresh", "created": "2026-09-01T00:00:00Z", "previous_status": "at_risk"},
                       {"group": "empty", "created": "2026-10-20T00:00:00Z"}]}"#,
    );
    let list: Vec<Row> = vec![
        ("fresh", 20.0, Kind::LeaderAction, None, Some("ana")),
        ("fresh", 10.0, Kind::EventHeld, Some(6.0), None),
        ("fresh", 10.0, Kind::MemberJoined, Some(6.0), None),
    ];
    let r = run(&HealthModel::default(), &f, &list);
    let fresh = r.group("fresh").unwrap();
    assert_eq!(fresh.status, Status::New);
    assert_eq!(fresh.intervention, Intervention::OnboardingCall);
    let ob = fresh.onboarding.as_ref().unwrap();
    assert_eq!(
        ob.reached,
        vec![
            Milestone::LeaderActive,
            Milestone::FirstEvent,
            Milestone::FiveMembers
        ]
    );
    assert_eq!(ob.next, Some(Milestone::SecondLeader));
    assert!(
        fresh.status_reason.contains("next: a second leader"),
        "{}",
        fresh.status_reason
    );
    let empty = r.group("empty").unwrap();
    assert_eq!(empty.status, Status::New);
    assert_eq!(empty.score, 0.0);
    assert!(empty.low_data);
    assert_eq!(empty.age_days, Some(12));
}

#[test]
fn a_group_without_facts_or_activity_history_uses_its_first_activity() {
    let r = run(
        &HealthModel::default(),
        &Facts::default(),
        &[("g", 30.0, Kind::EventHeld, None, None)],
    );
    assert_eq!(r.groups[0].status, Status::New);
    assert_eq!(r.groups[0].age_days, Some(30));
    assert!(
        r.groups[0]
            .status_reason
            .starts_with("first activity 30 days ago")
    );
}

fn steady_rows(group: &'static str) -> Vec<Row> {
    let mut list: Vec<Row> = Vec::new();
    for i in 0..6 {
        list.push((
            group,
            5.0 + 12.0 * i as f64,
            Kind::EventHeld,
            Some(15.0),
            Some("ana"),
        ));
        list.push((
            group,
            2.0 + 9.0 * i as f64,
            Kind::LeaderAction,
            None,
            Some("ana"),
        ));
    }
    list.push((group, 20.0, Kind::MemberJoined, Some(2.0), None));
    list
}

#[test]
fn hysteresis_uses_the_previous_status() {
    let m = HealthModel::default();
    let base = run(
        &m,
        &facts(&format!(r#"{{"groups": [{}]}}"#, established("g"))),
        &steady_rows("g"),
    );
    let s = base.groups[0].score;
    // Choose thresholds around the observed score so both readings are possible.
    let mut m2 = m.clone();
    m2.thresholds.thriving_enter = s + 4.0;
    m2.thresholds.thriving_leave = s - 4.0;
    m2.thresholds.at_risk_leave = s - 10.0;
    m2.thresholds.at_risk_enter = s - 15.0;
    let with_prev = |prev: &str| {
        let f = facts(&format!(
            r#"{{"groups": [{{"group": "g", "created": "2024-01-01T00:00:00Z", "previous_status": "{prev}"}}]}}"#
        ));
        run(&m2, &f, &steady_rows("g")).groups[0].clone()
    };
    let was_thriving = with_prev("thriving");
    let was_steady = with_prev("steady");
    assert_eq!(was_thriving.status, Status::Thriving);
    assert!(
        was_thriving
            .status_reason
            .contains("the level for leaving thriving")
    );
    assert_eq!(was_steady.status, Status::Steady);
    assert_eq!(was_steady.score, was_thriving.score);
    // One active leader: the steady intervention grows a second host.
    assert!(was_steady.bus_factor);
    assert_eq!(was_steady.intervention, Intervention::CheckInAndGrowHost);
    assert_eq!(
        was_steady.intervention_text,
        "monthly check-in; ease a member into hosting one event"
    );
}

#[test]
fn pauses_stop_ages() {
    let f = facts(
        r#"{"groups": [{"group": "g", "created": "2024-01-01T00:00:00Z",
            "pauses": [{"from": "2026-08-01T00:00:00Z", "until": "2026-10-01T00:00:00Z"}]}]}"#,
    );
    // Event 2026-07-21 (103 days before now); 61 of those days are paused.
    let list: Vec<Row> = vec![("g", 103.0, Kind::EventHeld, None, None)];
    let r = run(&HealthModel::default(), &f, &list);
    let act = r.groups[0].component(Component::Activity).unwrap();
    assert_eq!(
        act.facts,
        "1 event in the last 45 days (attendance not recorded for 1), last one 42 days ago"
    );
    assert!(!r.groups[0].paused);
    assert_eq!(r.groups[0].paused_days, 61);
    assert!(
        r.groups[0]
            .explain()
            .contains("ages skip 61 days of pauses")
    );
}

fn sample_columns_reports(cols: &Columns<'_>) -> HealthReport {
    health::score_columns(&HealthModel::default(), &Facts::default(), cols, now()).unwrap()
}

#[test]
fn every_column_layout_gives_the_same_report() {
    let t0 = now().timestamp() - 86_400 * 3;
    let secs = [t0, t0 + 3600, t0 + 7200, t0 + 10_800];
    let millis: Vec<i64> = secs.iter().map(|s| s * 1000).collect();
    let nanos: Vec<i64> = secs.iter().map(|s| s * 1_000_000_000).collect();
    let codes = [
        Kind::EventHeld.code(),
        Kind::LeaderAction.code(),
        Kind::Post.code(),
        Kind::Win.code(),
    ];
    let kind_names = ["event_held", "leader_action", "post", "win"];
    let values = [12.0, f64::NAN, f64::NAN, 2.0];
    let groups = ["g1", "g2"];
    let actors = ["ana", "bo"];
    let a = sample_columns_reports(&Columns {
        group: StrColumn::Dict {
            keys: &[0, 1, 0, 1],
            values: Strings::Slice(&groups),
        },
        time: TimeColumn::Seconds(&secs),
        kind: KindColumn::Codes(&codes),
        value: Some(&values),
        actor: Some(StrColumn::Dict {
            keys: &[NULL_KEY, 1, 0, NULL_KEY],
            values: Strings::Slice(&actors),
        }),
        actor_valid: None,
    });
    // Arrow layout: plain Utf8 groups, kind names in a dictionary, a validity bitmap.
    let b = sample_columns_reports(&Columns {
        group: StrColumn::Values(Strings::Utf8 {
            offsets: &[0, 2, 4, 6, 8],
            data: b"g1g2g1g2",
        }),
        time: TimeColumn::Nanos(&nanos),
        kind: KindColumn::Names(StrColumn::Dict {
            keys: &[0, 1, 2, 3],
            values: Strings::Slice(&kind_names),
        }),
        value: Some(&values),
        actor: Some(StrColumn::Values(Strings::LargeUtf8 {
            offsets: &[0, 3, 5, 8, 8],
            data: b"xxxboanaxx",
        })),
        actor_valid: Some(&[0b0110]),
    });
    let owned: Vec<String> = ["g1", "g2", "g1", "g2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let c = sample_columns_reports(&Columns {
        group: StrColumn::Values(Strings::Owned(&owned)),
        time: TimeColumn::Millis(&millis),
        kind: KindColumn::Names(StrColumn::Values(Strings::Slice(&kind_names))),
        value: Some(&values),
        actor: Some(StrColumn::Values(Strings::Slice(&["", "bo", "ana", ""]))),
        actor_valid: None,
    });
    // Dictionaries whose entries are not the scorer's ids in order (an
    // unused entry first, names in another order): keys are looked up.
    let d = sample_columns_reports(&Columns {
        group: StrColumn::Dict {
            keys: &[2, 1, 2, 1],
            values: Strings::Slice(&["unused", "g2", "g1"]),
        },
        time: TimeColumn::Seconds(&secs),
        kind: KindColumn::Codes(&codes),
        value: Some(&values),
        actor: Some(StrColumn::Dict {
            keys: &[NULL_KEY, 0, 2, NULL_KEY],
            values: Strings::Slice(&["bo", "nobody", "ana"]),
        }),
        actor_valid: None,
    });
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(a.to_json(), c.to_json());
    // 16-bit keys (pandas' codes), a negative one a missing actor; kind
    // names in such a dictionary too.
    let e = sample_columns_reports(&Columns {
        group: StrColumn::Dict16 {
            keys: &[2, 1, 2, 1],
            values: Strings::Slice(&["unused", "g2", "g1"]),
        },
        time: TimeColumn::Seconds(&secs),
        kind: KindColumn::Names(StrColumn::Dict16 {
            keys: &[3, 0, 1, 2],
            values: Strings::Slice(&["leader_action", "post", "win", "event_held"]),
        }),
        value: Some(&values),
        actor: Some(StrColumn::Dict16 {
            keys: &[-1, 0, 2, -1],
            values: Strings::Slice(&["bo", "nobody", "ana"]),
        }),
        actor_valid: None,
    });
    assert_eq!(a.to_json(), d.to_json());
    assert_eq!(a.to_json(), e.to_json());
    assert_eq!(a.groups.len(), 2);
}

#[test]
fn bad_batches_are_rejected_whole_with_row_and_column() {
    let m = HealthModel::default();
    let mut s = Scorer::new(&m, &Facts::default(), now()).unwrap();
    s.add_rows(rows(&[(
        "ok",
        1.0,
        Kind::EventHeld,
        Some(3.0),
        Some("ana"),
    )]))
    .unwrap();
    let before = s.report(None).to_json();
    let groups = ["ok", "new-group", "bad group"];
    let secs = [0i64, 0, 0];
    let actors = ["ana", ""];
    let cases: Vec<(Columns<'_>, &str, ErrorKind)> = vec![
        (
            Columns {
                group: StrColumn::Dict {
                    keys: &[0, 1, 2],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&secs),
                kind: KindColumn::Codes(&[0, 0, 0]),
                value: None,
                actor: None,
                actor_valid: None,
            },
            "row 2, column group: \"bad group\" contains whitespace or control characters",
            ErrorKind::InvalidValue,
        ),
        (
            Columns {
                group: StrColumn::Dict {
                    keys: &[0, 1, 7],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&secs),
                kind: KindColumn::Codes(&[0, 0, 0]),
                value: None,
                actor: None,
                actor_valid: None,
            },
            "row 2, column group: dictionary key 7 is outside the dictionary of 3 entries",
            ErrorKind::InvalidValue,
        ),
        (
            Columns {
                group: StrColumn::Dict16 {
                    keys: &[0, 1, 7],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&secs),
                kind: KindColumn::Codes(&[0, 0, 0]),
                value: None,
                actor: None,
                actor_valid: None,
            },
            "row 2, column group: dictionary key 7 is outside the dictionary of 3 entries",
            ErrorKind::InvalidValue,
        ),
        (
            Columns {
                group: StrColumn::Dict16 {
                    keys: &[0, -1, 1],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&secs),
                kind: KindColumn::Codes(&[0, 0, 0]),
                value: None,
                actor: None,
                actor_valid: None,
            },
            "row 1, column group: is missing",
            ErrorKind::InvalidValue,
        ),
        (
            Columns {
                group: StrColumn::Dict {
                    keys: &[0, 1, 1],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&secs),
                kind: KindColumn::Codes(&[0, 3, 0]),
                value: None,
                actor: None,
                actor_valid: None,
            },
            "row 1, column actor: is required for leader_action",
            ErrorKind::InvalidValue,
        ),
        (
            Columns {
                group: StrColumn::Dict {
                    keys: &[0, 1, 1],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&secs),
                kind: KindColumn::Codes(&[3, 0, 3]),
                value: None,
                actor: Some(StrColumn::Dict {
                    keys: &[0, 0, 1],
                    values: Strings::Slice(&actors),
                }),
                actor_valid: None,
            },
            "row 2, column actor: is required for leader_action",
            ErrorKind::InvalidValue,
        ),
        (
            Columns {
                group: StrColumn::Dict {
                    keys: &[0, 1, 1],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&secs),
                kind: KindColumn::Codes(&[0, 9, 0]),
                value: None,
                actor: None,
                actor_valid: None,
            },
            "row 1, column kind: code 9 is not an activity kind (0 to 7)",
            ErrorKind::InvalidValue,
        ),
        // A key equal to the dictionary's length is outside it (not a
        // missing value), for the group and for the actor, whose missing
        // values are allowed.
        (
            Columns {
                group: StrColumn::Dict {
                    keys: &[0, 3, 1],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&secs),
                kind: KindColumn::Codes(&[0, 0, 0]),
                value: None,
                actor: None,
                actor_valid: None,
            },
            "row 1, column group: dictionary key 3 is outside the dictionary of 3 entries",
            ErrorKind::InvalidValue,
        ),
        (
            Columns {
                group: StrColumn::Dict {
                    keys: &[0, 1, 1],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&secs),
                kind: KindColumn::Codes(&[0, 0, 3]),
                value: None,
                actor: Some(StrColumn::Dict16 {
                    keys: &[0, -1, 2],
                    values: Strings::Slice(&actors),
                }),
                actor_valid: None,
            },
            "row 2, column actor: dictionary key 2 is outside the dictionary of 2 entries",
            ErrorKind::InvalidValue,
        ),
        (
            Columns {
                group: StrColumn::Dict {
                    keys: &[0, 1, 1],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&[0, i64::MAX, 0]),
                kind: KindColumn::Codes(&[0, 0, 0]),
                value: None,
                actor: None,
                actor_valid: None,
            },
            "row 1, column time: is outside the years 1 to 9999",
            ErrorKind::InvalidValue,
        ),
        (
            Columns {
                group: StrColumn::Dict {
                    keys: &[0, 1, 1],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&secs),
                kind: KindColumn::Codes(&[0, 0, 0]),
                value: Some(&[1.0, -2.0, 1.0]),
                actor: None,
                actor_valid: None,
            },
            "row 1, column value: is negative",
            ErrorKind::InvalidValue,
        ),
        (
            Columns {
                group: StrColumn::Dict {
                    keys: &[0, 1, 1],
                    values: Strings::Slice(&groups),
                },
                time: TimeColumn::Seconds(&secs),
                kind: KindColumn::Codes(&[0, 0]),
                value: None,
                actor: None,
                actor_valid: None,
            },
            "column kind has 2 rows, but column group has 3",
            ErrorKind::InvalidValue,
        ),
    ];
    for (cols, want, kind) in cases {
        let e = s.add_columns(&cols).unwrap_err();
        assert_eq!(e.to_string(), want);
        assert_eq!(e.kind(), kind);
        assert_eq!(
            s.report(None).to_json(),
            before,
            "state changed after: {want}"
        );
        assert_eq!(s.group_count(), 1);
    }
}

#[test]
fn bad_facts_are_rejected() {
    let e = Facts::from_json(r#"{"groups": [{"group": "a"}, {"group": "a"}]}"#).unwrap_err();
    assert_eq!(e, HealthError::DuplicateGroup { group: "a".into() });
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    let e = Facts::from_json(
        r#"{"groups": [{"group": "a", "pauses": [{"from": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}]}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid facts for group \"a\": pauses[0] ends before it starts"
    );
    let e =
        Facts::from_json(r#"{"groups": [{"group": "a", "created": "yesterday"}]}"#).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot read group facts at groups[0].created (line 1"),
        "{e}"
    );
    assert_eq!(e.kind(), ErrorKind::Parse);
    let e = Facts::from_json(r#"{"groups": [{"group": "has space"}]}"#).unwrap_err();
    assert!(e.to_string().contains("groups[0].group"), "{e}");
}

#[test]
fn calibration_puts_the_median_established_group_at_fifty() {
    let mut json = String::from(r#"{"groups": ["#);
    let names: Vec<String> = (0..9).map(|i| format!("g{i}")).collect();
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&established(n));
    }
    json.push_str("]}");
    let f = facts(&json);
    let mut table = ActivityTable::new();
    for (i, n) in names.iter().enumerate() {
        for e in 0..=i {
            table
                .push(ActivityRow {
                    group: n,
                    time: now() - days(2.0 + 7.0 * e as f64),
                    kind: Kind::EventHeld,
                    value: Some(10.0 + 5.0 * i as f64),
                    actor: Some("lead"),
                })
                .unwrap();
            table
                .push(ActivityRow {
                    group: n,
                    time: now() - days(1.0 + e as f64),
                    kind: Kind::LeaderAction,
                    value: None,
                    actor: Some("lead"),
                })
                .unwrap();
        }
    }
    let model = HealthModel {
        min_cap_events: 10,
        ..HealthModel::default()
    };
    let mut s = Scorer::new(&model, &f, now()).unwrap();
    s.add_table(&table).unwrap();
    let cal = s.calibrate();
    assert_eq!(cal.established_groups, 9);
    // 45 events with attendance 10, 15 (2), 20 (3), … 50 (9): the 95th percentile is 50.
    assert_eq!(cal.calibration.attendance_cap, 50.0);
    assert!(
        cal.notes[0].starts_with("attendance cap 50 for the network"),
        "{:?}",
        cal.notes
    );
    // Impact has no data: k kept.
    assert_eq!(cal.calibration.k.impact, model.calibration.k.impact);
    assert!(cal.notes.iter().any(|n| n.starts_with("impact: k kept")));
    s.set_calibration(cal.calibration.clone()).unwrap();
    let r = s.report(None);
    let act = r
        .group("g4")
        .unwrap()
        .component(Component::Activity)
        .unwrap();
    assert!((act.score - 50.0).abs() < 1e-9, "{}", act.score);
    // Calibrations serialize inside a model.
    let mut m2 = model.clone();
    m2.calibration = cal.calibration;
    assert_eq!(HealthModel::from_json(&m2.to_json()).unwrap(), m2);
    // A calibration that is not valid is refused and leaves the scorer as it was.
    let mut bad = m2.calibration.clone();
    bad.k.activity = 0.0;
    assert!(s.set_calibration(bad).is_err());
    assert_eq!(s.model().calibration, m2.calibration);
}

#[test]
fn trend_compares_recent_to_long_run() {
    let mut list: Vec<Row> = Vec::new();
    for d in 0..14 {
        list.push(("up", d as f64, Kind::Post, None, Some("a")));
    }
    list.push(("up", 60.0, Kind::Post, None, Some("a")));
    for d in 0..14 {
        list.push((
            "down",
            20.0 + 4.0 * d as f64,
            Kind::MemberJoined,
            None,
            None,
        ));
    }
    let r = run(&HealthModel::default(), &Facts::default(), &list);
    assert_eq!(
        r.group("up").unwrap().trend.direction,
        TrendDirection::Rising
    );
    let down = r.group("down").unwrap().trend;
    assert_eq!((down.recent, down.baseline), (0, 14));
    assert_eq!(down.direction, TrendDirection::Falling);
}

#[test]
fn metrics_count_statuses_actions_supporters_and_change() {
    let f = facts(
        r#"{"staff": ["s1", "s2"], "groups": [
            {"group": "a", "created": "2024-01-01T00:00:00Z", "previous_status": "steady"},
            {"group": "b", "created": "2024-01-01T00:00:00Z", "previous_status": "steady"},
            {"group": "c", "created": "2026-10-01T00:00:00Z"}]}"#,
    );
    let list: Vec<Row> = vec![
        ("a", 10.0, Kind::EventHeld, Some(30.0), Some("p1")),
        ("a", 10.0, Kind::ActionReported, None, Some("p2")),
        ("a", 100.0, Kind::EventHeld, Some(30.0), Some("p3")),
        ("a", 5.0, Kind::Win, None, None),
        ("a", 5.0, Kind::LeaderAction, None, Some("p1")),
        ("c", 5.0, Kind::PetitionStarted, None, Some("p4")),
        ("c", 5.0, Kind::Post, None, Some("s1")),
    ];
    let r = run(&HealthModel::default(), &f, &list);
    let m = &r.metrics;
    assert_eq!(m.groups, 3);
    assert_eq!(m.groups_by_status.dormant, 1, "{:?}", m.groups_by_status);
    assert_eq!(m.groups_by_status.new, 1);
    assert_eq!(m.active_chapters, 2);
    assert_eq!(m.actions_completed, 3);
    assert_eq!(m.wins, 1);
    assert_eq!(m.supporters_engaged, 3);
    assert_eq!(m.attendance, 30.0);
    assert_eq!(m.staff_members, 2);
    assert_eq!(m.per_staff.unwrap().active_chapters, 1.0);
    let sh = m.share_by_status;
    assert_eq!(
        sh.new + sh.thriving + sh.steady + sh.at_risk + sh.dormant,
        1.0
    );
    let a = r.group("a").unwrap().status;
    let moved = usize::from(a != Status::Steady) + 1;
    assert_eq!(m.status_moves.len(), moved);
    assert!(
        m.status_moves
            .iter()
            .any(|mv| mv.from == Status::Steady && mv.to == Status::Dormant && mv.groups == 1)
    );
    assert!(m.change.is_none());
    let mut prev = m.clone();
    prev.groups_by_status.dormant = 0;
    prev.active_chapters = 3;
    prev.supporters_engaged = 10;
    let r2 = health::score(&HealthModel::default(), &f, rows(&list), now());
    let mut s = Scorer::new(&HealthModel::default(), &f, now()).unwrap();
    s.add_rows(rows(&list)).unwrap();
    let r3 = s.report(Some(&prev));
    let ch = r3.metrics.change.unwrap();
    assert_eq!(ch.groups_by_status.dormant, 1);
    assert_eq!(ch.active_chapters, -1);
    assert_eq!(ch.supporters_engaged, -7);
    assert_eq!(r2.unwrap().groups, r3.groups);
    let text = r3.metrics.explain();
    assert!(text.contains("3 groups:"), "{text}");
    assert!(text.contains("per staff member (2)"), "{text}");
}

#[test]
fn reports_round_trip_through_json() {
    let r = run(
        &HealthModel::default(),
        &Facts::default(),
        &steady_rows("g"),
    );
    let back = HealthReport::from_json(&r.to_json()).unwrap();
    assert_eq!(back, r);
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["groups"][0]["components"][0]["component"], "activity");
    assert!(v["groups"][0]["status"].is_string());
}

#[test]
fn facts_round_trip_and_groups_without_rows_are_reported() {
    let mut g = GroupFacts::new("lonely".parse().unwrap());
    g.created = Some("2025-01-01T00:00:00Z".parse().unwrap());
    g.pauses.push(Pause {
        from: "2026-10-15T00:00:00Z".parse().unwrap(),
        until: "2026-12-01T00:00:00Z".parse().unwrap(),
    });
    let f = Facts {
        staff: vec![],
        groups: vec![g],
    };
    assert_eq!(Facts::from_json(&f.to_json()).unwrap(), f);
    let r = run(&HealthModel::default(), &f, &[]);
    let lonely = r.group("lonely").unwrap();
    assert_eq!(lonely.status, Status::Dormant);
    assert_eq!(
        lonely.status_reason,
        "no leader action on record and no event on record"
    );
    assert!(lonely.paused && lonely.low_data);
}
