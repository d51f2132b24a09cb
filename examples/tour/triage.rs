//! Tour section: today's review queue for the sample network.
//!
//! Reads the sample queue (`examples/data/requests.json`) and staff
//! (`examples/data/staff.json`), assigns mentors by cohort, plans the day and
//! prints it the way a staff member reads it at the daily review: the rows
//! above the line with who does what and why, the line, what waits and when
//! it is projected, the alerts, and a few metrics.

use std::fmt::Write as _;

use chapterhouse::Network;
use chapterhouse::triage::{
    Alert, Assignment, Lane, Plan, Row, StaffRoster, TriageConfig, TriageInput, assign_mentors,
    plan,
};

const REQUESTS: &str = include_str!("../data/requests.json");
const STAFF: &str = include_str!("../data/staff.json");

/// How many rows below the line to show.
const BELOW: usize = 14;

/// Today's queue for the sample network, as text.
pub fn section(net: &Network) -> String {
    match build(net) {
        Ok(text) => text,
        Err(e) => format!("the sample triage data did not load: {e}\n"),
    }
}

fn build(net: &Network) -> Result<String, chapterhouse::Error> {
    let mut input = TriageInput::from_json(REQUESTS)?;
    input.staff = StaffRoster::from_json(STAFF)?.staff;
    let config = TriageConfig::default();
    let now = input.as_of.unwrap_or_else(|| net.root().updated);

    // Mentors by cohort, balanced by weekly load; the plan routes to them first.
    let mentors = assign_mentors(&input.chapters, &input.staff, &[], &config.mentor)?;
    for c in &mut input.chapters {
        c.mentor = mentors.mentor_of(c.id.as_str()).cloned();
    }
    let day = plan(&input, &config, now)?;

    let name_of_staff = |id: &str| {
        input
            .staff
            .iter()
            .find(|s| s.id.as_str() == id)
            .map_or(id.to_owned(), |s| s.display_name().to_owned())
    };
    let name_of_chapter = |id: &str| net.node(id).map_or(id.to_owned(), |n| n.name.clone());

    let mut s = String::new();
    let c = &day.metrics.capacity;
    let _ = writeln!(
        s,
        "{} — {} open requests from {} chapters; {} staff with {} min, {} kept for interruptions.",
        now.format("%A %-d %B %Y, %H:%M UTC"),
        day.metrics.requests,
        day.metrics.by_chapter.len(),
        input.staff.len(),
        c.staff_minutes,
        c.reserve_minutes,
    );
    let _ = writeln!(
        s,
        "Mentors: {} chapters over {} staff, weekly load {}.",
        mentors.assignments.len(),
        mentors.loads.len(),
        mentors
            .loads
            .iter()
            .map(|l| format!(
                "{} {}/{}",
                first_name(&name_of_staff(l.staff.as_str())),
                l.minutes,
                l.capacity
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:>3}  {:<9} {:<22} {:<4} {:>4} {:>7} {:>6}  {:<17} when",
        "#", "request", "chapter", "cls", "tier", "min", "cum", "who"
    );
    let mut below = 0;
    for row in &day.rows {
        if !row.today {
            if below == 0 {
                write_line(&mut s, &day);
            }
            if below == BELOW {
                let _ = writeln!(
                    s,
                    "     … {} more below the line",
                    day.rows.len() - usize::try_from(row.rank).unwrap_or(1) + 1
                );
                break;
            }
            below += 1;
        }
        write_row(&mut s, row, &name_of_chapter, &name_of_staff);
    }
    if day.rows.iter().all(|r| r.today) {
        write_line(&mut s, &day);
    }

    let _ = writeln!(s, "\nAlerts");
    for a in &day.alerts {
        let text = match a {
            Alert::Flooding { chapter, .. } => a
                .message()
                .replace(chapter.as_str(), &name_of_chapter(chapter.as_str())),
            _ => a.message(),
        };
        let _ = writeln!(s, "  ! {text}");
    }

    let m = &day.metrics;
    let _ = writeln!(s, "\nMetrics");
    let _ = writeln!(
        s,
        "  minutes today by tier: {}",
        m.by_tier
            .iter()
            .map(|t| format!(
                "tier {} {} (waiting {})",
                t.tier.number(),
                t.today,
                t.waiting
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "  minutes today by class: {}",
        m.by_class
            .iter()
            .map(|t| format!("{} {} (waiting {})", t.class, t.today, t.waiting))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut busiest: Vec<_> = m.by_chapter.iter().collect();
    busiest.sort_by_key(|c| std::cmp::Reverse(c.today + c.waiting));
    let _ = writeln!(
        s,
        "  largest backlogs: {}",
        busiest
            .iter()
            .take(3)
            .map(|c| format!(
                "{} {} min in {} request{} ({} today)",
                name_of_chapter(c.chapter.as_str()),
                c.today + c.waiting,
                c.requests,
                if c.requests == 1 { "" } else { "s" },
                c.today
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    if let Some(o) = &m.oldest_waiting {
        let _ = writeln!(
            s,
            "  oldest still waiting: {} from {}, {} days",
            o.request,
            name_of_chapter(o.chapter.as_str()),
            o.days_waiting
        );
    }
    let _ = writeln!(
        s,
        "  projected SLA attainment: {}.{}%",
        m.sla_attainment_permille / 10,
        m.sla_attainment_permille % 10
    );
    let _ = writeln!(
        s,
        "  fairness state carried to tomorrow: {} classes, {} chapters with a deficit",
        day.fairness.classes.len(),
        day.fairness
            .classes
            .iter()
            .map(|c| c.deficits.len())
            .sum::<usize>()
    );
    Ok(s)
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

fn write_line(s: &mut String, day: &Plan) {
    let l = &day.line;
    let _ = writeln!(
        s,
        "──── the line: {} of {} queue minutes planned, {} left over; {} min of escalations from the reserve ────",
        l.planned_minutes, l.capacity_minutes, l.left_minutes, l.escalated_minutes
    );
}

fn write_row(
    s: &mut String,
    row: &Row,
    chapter_name: &dyn Fn(&str) -> String,
    staff_name: &dyn Fn(&str) -> String,
) {
    let class = match row.lane {
        Lane::EscalateNow => "ESC".to_owned(),
        Lane::Queue => row.class.to_string(),
    };
    let minutes = if row.today && row.minutes_today < row.minutes {
        format!("{}/{}", row.minutes_today, row.minutes)
    } else {
        row.minutes.to_string()
    };
    let who = match (&row.assignee, row.assignment) {
        (Some(a), Some(Assignment::Mentor)) => {
            format!("{} (mentor)", first_name(&staff_name(a.as_str())))
        }
        (Some(a), _) => staff_name(a.as_str()),
        (None, _) => "-".to_owned(),
    };
    let when = match row.projected {
        Some(_) if row.today && row.minutes_today == row.minutes => "today".to_owned(),
        Some(d) => d.format("%a %-d %b").to_string(),
        None => "-".to_owned(),
    };
    let mut chapter = chapter_name(row.chapter.as_str());
    if chapter.chars().count() > 22 {
        chapter = chapter.chars().take(21).collect::<String>() + "…";
    }
    let _ = writeln!(
        s,
        "{:>3}  {:<9} {:<22} {:<4} {:>4} {:>7} {:>6}  {:<17} {}{}",
        row.rank,
        row.request.as_str(),
        chapter,
        class,
        row.tier.number(),
        minutes,
        row.cumulative_minutes,
        who,
        when,
        if row.sla_breach { "  LATE" } else { "" }
    );
    let title = row.title.as_deref().unwrap_or(row.kind.words());
    let _ = writeln!(s, "     {title} — {}", row.reason);
}
