//! Tour section: the hierarchy as a tree, a few lifecycle operations with
//! their change records, and a rejected operation with its error.

use std::fmt::Write;

use chapterhouse::{Actor, ChapterStatus, GroupKind, Network, Node, NodeBody, Op};

fn label(node: &Node) -> String {
    match &node.body {
        NodeBody::Organization => format!("{} ({})", node.name, node.id),
        NodeBody::Region => format!("{} [region {}]", node.name, node.id),
        NodeBody::Chapter(c) => {
            let mut s = format!(
                "{} — {} group, {}",
                node.name,
                c.group_kind.as_str(),
                c.status.as_str()
            );
            if c.visibility != chapterhouse::Visibility::Public {
                let _ = write!(s, ", {}", c.visibility.as_str());
            }
            if !node.tags.is_empty() {
                let tags: Vec<&str> = node.tags.iter().map(|t| t.as_str()).collect();
                let _ = write!(s, " #{}", tags.join(" #"));
            }
            s
        }
    }
}

fn tree(net: &Network, node: &Node, prefix: &str, out: &mut String) {
    let kids: Vec<&Node> = net
        .children(node.id.as_str())
        .into_iter()
        .flatten()
        .collect();
    for (i, kid) in kids.iter().enumerate() {
        let last = i + 1 == kids.len();
        let _ = writeln!(
            out,
            "{prefix}{}{}",
            if last { "└── " } else { "├── " },
            label(kid)
        );
        let deeper = format!("{prefix}{}", if last { "    " } else { "│   " });
        tree(net, kid, &deeper, out);
    }
}

fn first(net: &Network, pred: impl Fn(&Node) -> bool) -> Option<&Node> {
    net.nodes().find(|n| pred(n))
}

fn chapter_with(status: ChapterStatus, kind: Option<GroupKind>) -> impl Fn(&Node) -> bool {
    move |n| {
        n.chapter()
            .is_some_and(|c| c.status == status && kind.is_none_or(|k| c.group_kind == k))
    }
}

/// The network section of the tour.
pub fn section(net: &Network) -> String {
    let mut out = String::new();
    let chapters = net.nodes().filter(|n| n.chapter().is_some()).count();
    let regions = net
        .nodes()
        .filter(|n| matches!(n.body, NodeBody::Region))
        .count();
    let _ = writeln!(out, "{} regions, {chapters} chapters\n", regions);
    let _ = writeln!(out, "{}", label(net.root()));
    tree(net, net.root(), "", &mut out);

    // Lifecycle operations on a copy of the sample, as a host would apply them.
    let mut net = net.clone();
    let now = net
        .nodes()
        .map(|n| n.updated)
        .max()
        .unwrap_or_else(|| net.root().created);
    let mut ops: Vec<Op> = Vec::new();
    if let Some(n) = first(&net, chapter_with(ChapterStatus::Applied, None)) {
        ops.push(Op::Approve { id: n.id.clone() });
    }
    if let Some(n) = first(
        &net,
        chapter_with(ChapterStatus::Active, Some(GroupKind::Local)),
    ) {
        ops.push(Op::Archive {
            id: n.id.clone(),
            reason: "both leaders stepped down".into(),
        });
        ops.push(Op::Restore { id: n.id.clone() });
    }
    let regions: Vec<&Node> = net
        .nodes()
        .filter(|n| matches!(n.body, NodeBody::Region))
        .collect();
    if let (Some(n), Some(to)) = (
        first(
            &net,
            chapter_with(ChapterStatus::Active, Some(GroupKind::Issue)),
        ),
        regions.last(),
    ) && n.parent.as_ref() != Some(&to.id)
    {
        ops.push(Op::Move {
            id: n.id.clone(),
            parent: to.id.clone(),
        });
    }
    if let Some(n) = first(
        &net,
        chapter_with(ChapterStatus::Active, Some(GroupKind::Campaign)),
    ) {
        ops.push(Op::ConvertCampaign {
            id: n.id.clone(),
            to: chapterhouse::Conversion::Local,
        });
    }
    let _ = writeln!(out, "\nLifecycle operations, each with its change record:");
    let mut last_change = None;
    for op in ops {
        match net.apply(op, &Actor::Host, now) {
            Ok(change) => {
                let _ = writeln!(
                    out,
                    "  r{:<4} {}  by {}: {}",
                    change.revision,
                    change.at.format("%Y-%m-%d %H:%M"),
                    change.actor,
                    change.summary
                );
                last_change = Some(change);
            }
            Err(e) => {
                let _ = writeln!(out, "  refused ({}): {e}", e.kind());
            }
        }
    }
    if let Some(change) = last_change
        && let Ok(json) = serde_json::to_string(&change)
    {
        let _ = writeln!(out, "\nThe last change as a host stores it:\n  {json}");
    }

    // A bad operation: approving a chapter that was rejected.
    let _ = writeln!(out, "\nA bad operation is refused and changes nothing:");
    let bad = first(&net, chapter_with(ChapterStatus::Rejected, None))
        .map(|n| Op::Approve { id: n.id.clone() })
        .unwrap_or_else(|| Op::Move {
            id: net.root().id.clone(),
            parent: net.root().id.clone(),
        });
    let before = net.revision();
    let _ = writeln!(out, "  {}", serde_json::to_string(&bad).unwrap_or_default());
    match net.apply(bad, &Actor::Host, now) {
        Ok(change) => {
            let _ = writeln!(out, "  unexpectedly applied: {}", change.summary);
        }
        Err(e) => {
            let _ = writeln!(out, "  → error [{}]: {e}", e.kind());
            let _ = writeln!(out, "  → revision still {} (was {before})", net.revision());
        }
    }
    out
}
