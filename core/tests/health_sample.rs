//! The sample network's groups land in the statuses their activity was
//! generated for (scripts/sample/activity.mjs; `node activity.mjs --expected`
//! prints the list below).

// Test code: unwrap and indexing are allowed (clippy.toml covers only #[test] bodies).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use chapterhouse::health::{
    ActivityTable, Component, Facts, HealthModel, HealthReport, Intervention, Scorer, Status,
};

const ACTIVITY: &str = include_str!("../../examples/data/activity.csv");
const GROUPS: &str = include_str!("../../examples/data/groups.json");

/// Scores the sample as the tour does: calibrated on the network's own history.
fn sample_report() -> (HealthReport, Vec<String>) {
    let now = "2026-11-01T00:00:00Z".parse().unwrap();
    let facts = Facts::from_json(GROUPS).unwrap();
    let table = ActivityTable::from_csv(ACTIVITY).unwrap();
    let mut scorer = Scorer::new(&HealthModel::default(), &facts, now).unwrap();
    scorer.add_table(&table).unwrap();
    let cal = scorer.calibrate();
    scorer.set_calibration(cal.calibration).unwrap();
    (scorer.report(None), cal.notes)
}

const EXPECTED: &[(&str, Status)] = &[
    ("ch-albemarle", Status::Steady),
    ("ch-albuquerque", Status::New),
    ("ch-aleutians", Status::Thriving),
    ("ch-anchorage", Status::Steady),
    ("ch-asheville", Status::Thriving),
    ("ch-atlanta", Status::AtRisk),
    ("ch-austin", Status::Dormant),
    ("ch-baltimore", Status::Steady),
    ("ch-boise", Status::Thriving),
    ("ch-boston", Status::Steady),
    ("ch-bronx", Status::AtRisk),
    ("ch-brooklyn", Status::Steady),
    ("ch-burlington-vt", Status::AtRisk),
    ("ch-cambridge", Status::Steady),
    ("ch-charleston", Status::New),
    ("ch-charlotte", Status::AtRisk),
    ("ch-colorado-river-compact", Status::Thriving),
    ("ch-dc", Status::Dormant),
    ("ch-denver", Status::AtRisk),
    ("ch-drought-ready-west", Status::New),
    ("ch-fairbanks", Status::Thriving),
    ("ch-green-infrastructure-nyc", Status::Dormant),
    ("ch-hartford", Status::Steady),
    ("ch-honolulu", Status::Steady),
    ("ch-houston", Status::AtRisk),
    ("ch-jackson-water-justice", Status::Steady),
    ("ch-juneau", Status::AtRisk),
    ("ch-lead-free-schools", Status::Thriving),
    ("ch-lead-pipes-south", Status::AtRisk),
    ("ch-los-angeles", Status::Thriving),
    ("ch-louisville", Status::Dormant),
    ("ch-manchester-nh", Status::Thriving),
    ("ch-manhattan", Status::Thriving),
    ("ch-miami", Status::Thriving),
    ("ch-middlesex", Status::Steady),
    ("ch-mississippi-river-keepers", Status::Steady),
    ("ch-mystic-river-cleanup", Status::Dormant),
    ("ch-new-orleans", Status::Dormant),
    ("ch-newark", Status::Dormant),
    ("ch-no-pipeline-in-the-pines", Status::Thriving),
    ("ch-norfolk", Status::Steady),
    ("ch-north-shore", Status::Thriving),
    ("ch-oakland", Status::AtRisk),
    ("ch-pfas-action-west", Status::Dormant),
    ("ch-pfas-free-new-england", Status::Dormant),
    ("ch-philadelphia", Status::Thriving),
    ("ch-phoenix", Status::Thriving),
    ("ch-pittsburgh", Status::Steady),
    ("ch-portland-me", Status::Thriving),
    ("ch-portland-or", Status::Steady),
    ("ch-providence", Status::Steady),
    ("ch-puget-sound-outfall", Status::New),
    ("ch-queens", Status::Steady),
    ("ch-red-hill-fuel-leak", Status::Steady),
    ("ch-replace-every-lead-line", Status::Thriving),
    ("ch-river-rights-ballot", Status::New),
    ("ch-rivers-of-the-northeast", Status::Thriving),
    ("ch-salmon-rivers", Status::AtRisk),
    ("ch-salt-lake", Status::Steady),
    ("ch-san-francisco", Status::Thriving),
    ("ch-save-the-charles", Status::Steady),
    ("ch-seattle", Status::Steady),
    ("ch-spokane", Status::Steady),
    ("ch-stormwater-solutions", Status::Steady),
    ("ch-students-for-clean-water", Status::New),
    ("ch-tap-water-testers", Status::Thriving),
    ("ch-tucson", Status::New),
    ("ch-water-affordability", Status::AtRisk),
    ("ch-wetlands-gulf-coast", Status::AtRisk),
];

#[test]
fn every_sample_group_lands_where_it_was_generated_for() {
    let (report, notes) = sample_report();
    let mut table = String::new();
    let mut wrong = Vec::new();
    for g in report.by_score() {
        let want = EXPECTED
            .iter()
            .find(|(id, _)| *id == g.group)
            .map(|(_, s)| *s);
        table.push_str(&format!(
            "{:<32} {:>5.1} {:<9} want {:<9} prev {:<9} {}\n",
            g.group,
            g.score,
            g.status.as_str(),
            want.map_or("-", Status::as_str),
            g.previous_status.map_or("-", Status::as_str),
            g.components
                .iter()
                .map(|c| format!("{:.0}", c.score))
                .collect::<Vec<_>>()
                .join(" "),
        ));
        if want != Some(g.status) {
            wrong.push(format!(
                "{} is {:?}, generated for {:?}",
                g.group, g.status, want
            ));
        }
    }
    assert_eq!(report.groups.len(), EXPECTED.len());
    assert!(
        wrong.is_empty(),
        "{}\n\n{table}\n{}",
        wrong.join("\n"),
        notes.join("\n")
    );
    for status in Status::ALL {
        assert!(
            report.groups.iter().any(|g| g.status == status),
            "no {status} group in the sample"
        );
    }
}

#[test]
fn the_sample_stories_explain_themselves() {
    let (report, notes) = sample_report();
    let g = |id: &str| report.group(id).unwrap();
    // Calibrated on the network's own history.
    assert!(
        notes.iter().any(|n| n.starts_with("activity: k = ")),
        "{notes:?}"
    );
    // Held in thriving by hysteresis, below the level for entering it.
    let holding = g("ch-aleutians");
    assert_eq!(holding.status, Status::Thriving);
    assert!(holding.score < 70.0);
    assert!(
        holding
            .status_reason
            .contains("the level for leaving thriving")
    );
    // A 1,800-person day of action is capped.
    let spike = g("ch-no-pipeline-in-the-pines")
        .component(Component::Activity)
        .unwrap();
    assert!(
        spike.facts.contains("above the attendance cap"),
        "{}",
        spike.facts
    );
    // Staff check-ins and posts do not revive a dormant group.
    let propped = g("ch-newark");
    assert_eq!(propped.status, Status::Dormant);
    assert_eq!(propped.excluded.staff, 6);
    assert_eq!(propped.intervention, Intervention::CallForNewLeader);
    // Moves since the last run.
    let moved = |from: Status, to: Status| {
        report
            .metrics
            .status_moves
            .iter()
            .find(|m| m.from == from && m.to == to)
            .map_or(0, |m| m.groups)
    };
    assert_eq!(moved(Status::Steady, Status::AtRisk), 2);
    assert_eq!(moved(Status::AtRisk, Status::Dormant), 1);
    assert_eq!(moved(Status::AtRisk, Status::Steady), 1);
    assert_eq!(moved(Status::Steady, Status::Thriving), 1);
    // Every group's explanation adds up and names an intervention.
    for g in &report.groups {
        let sum: f64 = g.components.iter().map(|c| c.contribution).sum();
        assert_eq!(sum, g.score);
        assert_eq!(g.intervention_text, g.intervention.text());
        assert_eq!(g.onboarding.is_some(), g.status == Status::New);
    }
    let m = &report.metrics;
    assert_eq!(m.groups, 69);
    assert!(m.staff_members > 0 && m.per_staff.is_some());
    assert_eq!(m.active_chapters, 69 - m.groups_by_status.dormant);
}
