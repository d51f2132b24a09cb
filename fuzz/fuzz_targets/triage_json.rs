//! Any bytes into the triage reader; a batch that reads is planned with the
//! default config at a fixed time. Never a panic, and the plan's invariants
//! hold: every request appears exactly once, ranks run 1..n, queue minutes
//! above the line never exceed the capacity, every P1 comes before every
//! non-P1, and the plan does not depend on the order of the input.
#![no_main]

use std::collections::BTreeMap;

use chapterhouse::triage::{self, Class, Lane, TriageConfig, TriageInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(input) = TriageInput::from_json(text) else {
        return;
    };
    let now = "2026-11-01T09:00:00Z".parse().expect("time");
    let config = TriageConfig::default();
    let Ok(plan) = triage::plan(&input, &config, now) else {
        return;
    };

    let mut want: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &input.requests {
        *want.entry(r.id.as_str()).or_default() += 1;
    }
    let mut got: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &plan.rows {
        *got.entry(row.request.as_str()).or_default() += 1;
    }
    assert_eq!(got, want, "every request appears once");
    for (i, row) in plan.rows.iter().enumerate() {
        assert_eq!(row.rank as usize, i + 1, "ranks run 1..n");
        assert!(
            row.minutes_today <= row.minutes,
            "{}: more done than asked",
            row.request.as_str()
        );
        if !row.today {
            assert_eq!(
                row.minutes_today,
                0,
                "{}: minutes below the line",
                row.request.as_str()
            );
        }
    }
    let queue_today: u64 = plan
        .rows
        .iter()
        .filter(|r| r.today && r.lane == Lane::Queue)
        .map(|r| u64::from(r.minutes_today))
        .sum();
    assert!(
        queue_today <= plan.line.capacity_minutes,
        "queue minutes above the line {queue_today} > capacity {}",
        plan.line.capacity_minutes
    );
    assert!(plan.line.planned_minutes <= plan.line.capacity_minutes);
    if let Some(first_other) = plan.rows.iter().position(|r| r.class != Class::P1) {
        assert!(
            plan.rows
                .iter()
                .skip(first_other)
                .all(|r| r.class != Class::P1),
            "every P1 comes before every non-P1"
        );
    }
    serde_json::to_string(&plan).expect("a plan serializes");

    // Any input order gives the same plan.
    let mut reversed = input.clone();
    reversed.requests.reverse();
    reversed.staff.reverse();
    reversed.chapters.reverse();
    let again = triage::plan(&reversed, &config, now).expect("the same batch, reordered, plans");
    assert!(again == plan, "the plan depends on the input order");
});
