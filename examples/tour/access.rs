//! Tour section: permission decisions with their explanations, and the audit
//! of who can export member data.

use std::fmt::Write as _;

use chapterhouse::access::{Grant, Scope};
use chapterhouse::{Network, NodeLevel};

/// The grants in force whose role is `role` and whose node has this level.
fn grants_of<'a>(
    net: &'a Network,
    role: &'a str,
    level: NodeLevel,
    now: chrono::DateTime<chrono::Utc>,
) -> impl Iterator<Item = &'a Grant> + 'a {
    net.grants().filter(move |g| {
        g.role == role
            && g.is_valid_at(now)
            && matches!(&g.scope, Scope::Node(n) if net.node(n.as_str()).is_some_and(|n| n.level() == level))
    })
}

/// The access section of the tour.
pub fn section(net: &Network) -> String {
    let mut out = String::new();
    // The tour's "today": the latest change in the sample.
    let now = net
        .nodes()
        .map(|n| n.updated)
        .max()
        .unwrap_or_else(|| net.root().created);
    let _ = writeln!(
        out,
        "{} people, {} grants; policy: {} ({} capabilities, {} roles, {} forbid rules)\n",
        net.people().count(),
        net.grants().count(),
        if net.has_own_policy() {
            "the network's own"
        } else {
            "the default"
        },
        net.policy().capabilities.len(),
        net.policy().roles.len(),
        net.policy().forbid.len()
    );
    let ask = |out: &mut String, person: &str, capability: &str, node: &str| {
        let _ = writeln!(out, "May {person} use {capability} at {node}?");
        match net.check(person, capability, node, now) {
            Ok(d) => {
                let _ = writeln!(out, "  {d}\n");
            }
            Err(e) => {
                let _ = writeln!(out, "  error: {e}\n");
            }
        }
    };

    // 1. Allowed through a regional grant: a coordinator at a chapter of their region.
    if let Some(g) = grants_of(net, "regional_coordinator", NodeLevel::Region, now).next()
        && let Scope::Node(region) = &g.scope
        && let Ok(mut chapters) = net.chapters_under(region.as_str())
        && let Some(ch) = chapters.find(|c| c.is_active())
    {
        ask(
            &mut out,
            g.person.as_str(),
            "members.export",
            ch.id.as_str(),
        );
    }

    // 2. Denied, reserved to central: a chapter leader approving chapters.
    if let Some(g) = grants_of(net, "chapter_leader", NodeLevel::Chapter, now).next()
        && let Scope::Node(ch) = &g.scope
    {
        ask(&mut out, g.person.as_str(), "chapter.approve", ch.as_str());
    }

    // 3. Denied, personal data without the attestations.
    let unattested = grants_of(net, "co_leader", NodeLevel::Chapter, now)
        .chain(grants_of(net, "chapter_leader", NodeLevel::Chapter, now))
        .find(|g| {
            net.person(g.person.as_str())
                .is_some_and(|p| !p.suspended && p.attestations.len() < 2)
        });
    if let Some(g) = unattested
        && let Scope::Node(ch) = &g.scope
    {
        ask(&mut out, g.person.as_str(), "members.view", ch.as_str());
    }

    // 4. Who to notify to approve an application.
    if let Some(applied) = net.nodes().find(|n| {
        n.chapter()
            .is_some_and(|c| c.status == chapterhouse::ChapterStatus::Applied)
    }) && let Ok(who) = net.who_can("chapter.approve", applied.id.as_str(), now)
    {
        let names: Vec<String> = who
            .iter()
            .map(|a| {
                format!(
                    "{} (grant {} at {})",
                    a.person.id, a.grant.id, a.grant.scope
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "Who can approve the application of {}? {}\n",
            applied.id,
            names.join(", ")
        );
    }

    // 5. The data officer's view: who can export member data.
    match net.audit("members.export", now) {
        Ok(entries) => {
            let blocked = entries.iter().filter(|e| e.blocked_by.is_some()).count();
            let _ = writeln!(
                out,
                "Audit of members.export: {} holders, {} of them currently blocked by a rule",
                entries.len(),
                blocked
            );
            for e in entries.iter().take(8) {
                let _ = writeln!(out, "  {e}");
            }
            if entries.len() > 8 {
                let _ = writeln!(out, "  … and {} more, among them:", entries.len() - 8);
                for e in entries.iter().skip(8).filter(|e| e.blocked_by.is_some()) {
                    let _ = writeln!(out, "  {e}");
                }
            }
        }
        Err(e) => {
            let _ = writeln!(out, "audit failed: {e}");
        }
    }
    let warnings = net.access_warnings();
    if !warnings.is_empty() {
        let _ = writeln!(out, "\nPolicy warnings:");
        for w in warnings {
            let _ = writeln!(out, "  {w}");
        }
    }
    out
}
