//! Tour section: group health of the sample network — every active chapter
//! scored from its activity log, calibrated on the network's own history,
//! with status, where the score can gain most, what staff should do, and the
//! network metrics.

use std::fmt::Write;

use chapterhouse::Network;
use chapterhouse::health::{ActivityTable, Facts, HealthModel, Scorer, Status};

/// The sample activity log and per-group facts (scripts/sample/activity.mjs).
const ACTIVITY: &str = include_str!("../data/activity.csv");
const GROUPS: &str = include_str!("../data/groups.json");
const NOW: &str = "2026-11-01T00:00:00Z";

/// The health section's text.
pub fn section(net: &Network) -> String {
    match run(net) {
        Ok(text) => text,
        Err(e) => format!("the sample activity could not be scored: {e}\n"),
    }
}

fn run(net: &Network) -> Result<String, Box<dyn std::error::Error>> {
    let now = NOW.parse()?;
    let facts = Facts::from_json(GROUPS)?;
    let table = ActivityTable::from_csv(ACTIVITY)?;
    let model = HealthModel::default();
    let mut scorer = Scorer::new(&model, &facts, now)?;
    scorer.add_table(&table)?;
    let calibration = scorer.calibrate();
    scorer.set_calibration(calibration.calibration.clone())?;
    let report = scorer.report(None);

    let mut out = String::new();
    writeln!(
        out,
        "{} groups scored from {} activity rows as of {}, calibrated on the network's own history:",
        report.groups.len(),
        table.len(),
        &NOW[..10]
    )?;
    for note in calibration.notes.iter().filter(|n| !n.contains("cohort")) {
        writeln!(out, "  {note}")?;
    }
    writeln!(out)?;
    let t = model.thresholds;
    writeln!(
        out,
        "{:>5}  {:<22} {:<30} {:<20} what to do",
        "score", "status", "group", "most headroom"
    )?;
    for g in report.by_score() {
        let name = net
            .node(&g.group)
            .map_or(g.group.as_str(), |n| n.name.as_str());
        let mut status = g.status.label().to_owned();
        match g.previous_status {
            Some(p) if p != g.status => write!(status, " (was {})", p.label())?,
            _ if g.status == Status::Thriving && g.score < t.thriving_enter => {
                status.push_str(" (held)")
            }
            _ if g.status == Status::AtRisk && g.score >= t.at_risk_enter => {
                status.push_str(" (held)")
            }
            _ => {}
        }
        let headroom = g.top_headroom().map_or(String::new(), |c| {
            format!(
                "{} +{:.1}",
                c.component.as_str(),
                (c.headroom * 10.0).floor() / 10.0
            )
        });
        let mut todo = g.intervention_text.clone();
        if g.bus_factor && g.status != Status::Dormant {
            todo.push_str(" [one active leader]");
        }
        writeln!(
            out,
            "{:>5.1}  {:<22} {:<30} {:<20} {}",
            (g.score * 10.0).floor() / 10.0,
            status,
            truncate(name, 30),
            headroom,
            todo
        )?;
    }
    writeln!(out, "\nNetwork metrics\n{}", report.metrics.explain())?;

    // Two groups in full, as an organizer reads them.
    let worst_at_risk = report
        .by_score()
        .into_iter()
        .rev()
        .find(|g| g.status == Status::AtRisk);
    let held = report
        .by_score()
        .into_iter()
        .rev()
        .find(|g| g.status == Status::Thriving);
    for g in [worst_at_risk, held].into_iter().flatten() {
        writeln!(out, "\n{}", g.explain())?;
    }
    Ok(out)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
