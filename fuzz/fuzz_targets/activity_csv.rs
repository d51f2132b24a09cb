//! Any bytes into the activity CSV reader; a table that parses is scored
//! with the default model and no facts, with and without calibration: never
//! a panic, and the module's invariants hold (every score, component score,
//! contribution and headroom within 0–100, contributions adding up to the
//! score exactly, one report per group, sorted by id).
#![no_main]

use chapterhouse::health::{self, ActivityTable, Facts, HealthModel};
use libfuzzer_sys::fuzz_target;

fn in_range(what: &str, v: f64) {
    assert!((0.0..=100.0).contains(&v), "{what} {v} is outside 0–100");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(table) = ActivityTable::from_csv(text) else {
        return;
    };
    let now = "2026-11-01T00:00:00Z".parse().expect("time");
    let model = HealthModel::default();
    let facts = Facts::default();
    for calibrate in [false, true] {
        let Ok(report) = health::score_table(&model, &facts, &table, now, calibrate) else {
            continue;
        };
        assert!(report.groups.len() <= table.len());
        assert!(
            report.groups.windows(2).all(|w| w[0].group < w[1].group),
            "groups sorted by id, each once"
        );
        for g in &report.groups {
            in_range("score", g.score);
            let mut sum = 0.0;
            for c in &g.components {
                in_range("component score", c.score);
                in_range("contribution", c.contribution);
                in_range("headroom", c.headroom);
                sum += c.contribution;
            }
            assert_eq!(
                sum, g.score,
                "{}: contributions add up to the score",
                g.group
            );
        }
        serde_json::to_string(&report).expect("a report serializes");
    }
});
