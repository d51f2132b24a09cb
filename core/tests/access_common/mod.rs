//! Shared by the access tests: a generator of random networks with people
//! and grants, and a reference model of the permission rule written
//! separately from the engine — it walks the tree and scans every grant.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chapterhouse::access::{AppliesTo, Condition, Grant, Policy, Role, Scope, ScopeLevel};
use chapterhouse::{ChapterStatus, Network, Node, NodeLevel};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};

pub const TAGS: [&str; 3] = ["water", "housing", "transit"];
pub const ATTESTATIONS: [&str; 2] = ["data_agreement", "data_protection_training"];

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// Time `i` of a small grid (days from t0), so intervals overlap often.
pub fn at(i: u8) -> DateTime<Utc> {
    t0() + Duration::days(i64::from(i) * 30)
}

/// The default policy plus a mixed-level role that claims reserved
/// capabilities (dropped at chapter level), to exercise masking.
pub fn test_policy() -> Policy {
    let mut p = Policy::default();
    p.roles.push(Role {
        name: "organizer".into(),
        description: None,
        levels: vec![ScopeLevel::Region, ScopeLevel::Chapter, ScopeLevel::Tag],
        capabilities: vec![
            "chapter.view".into(),
            "chapter.approve".into(),
            "members.view".into(),
            "event.create".into(),
            "leaders.appoint".into(),
        ],
    });
    p
}

#[derive(Debug, Clone)]
pub struct Spec {
    /// parent choice for each region (index into org + earlier regions)
    pub regions: Vec<usize>,
    /// (parent choice among org+regions, status 0..4, tag mask)
    pub chapters: Vec<(usize, u8, u8)>,
    /// (suspended, attestation mask)
    pub people: Vec<(bool, u8)>,
    /// (person, role index, scope choice, tag-scope?, from, until (0 = open))
    pub grants: Vec<(usize, usize, usize, bool, u8, u8)>,
    pub own_policy: bool,
    pub now: u8,
}

pub fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(0usize..8, 0..5),
        prop::collection::vec((0usize..8, 0u8..6, 0u8..8), 1..12),
        prop::collection::vec((prop::bool::weighted(0.15), 0u8..4), 1..6),
        prop::collection::vec(
            (
                0usize..6,
                0usize..11,
                0usize..20,
                prop::bool::weighted(0.15),
                0u8..5,
                0u8..6,
            ),
            0..28,
        ),
        any::<bool>(),
        0u8..6,
    )
        .prop_map(
            |(regions, chapters, people, grants, own_policy, now)| Spec {
                regions,
                chapters,
                people,
                grants,
                own_policy,
                now,
            },
        )
}

fn status(i: u8) -> &'static str {
    // active twice as likely
    match i {
        0 | 1 => "active",
        2 => "applied",
        3 => "archived",
        4 => "rejected",
        _ => "active",
    }
}

/// Builds the snapshot text of a spec. Grants whose role may not be given
/// at the chosen scope are left out (the loader would refuse them).
pub fn snapshot(s: &Spec) -> String {
    let policy = if s.own_policy {
        test_policy()
    } else {
        Policy::default()
    };
    let mut nodes: Vec<Value> = Vec::new();
    let mut ids: Vec<(String, NodeLevel)> = vec![("org".into(), NodeLevel::Organization)];
    for (i, &p) in s.regions.iter().enumerate() {
        let parent = &ids[p % ids.len()].0.clone();
        let id = format!("r{i}");
        nodes.push(
            json!({"id": id, "kind": "region", "parent": parent, "name": id, "slug": id,
            "tags": if i % 3 == 0 { vec!["transit"] } else { vec![] },
            "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:00:00Z"}),
        );
        ids.push((id, NodeLevel::Region));
    }
    let containers = ids.len();
    for (i, &(p, st, tags)) in s.chapters.iter().enumerate() {
        let parent = ids[p % containers].0.clone();
        let id = format!("c{i}");
        let tags: Vec<&str> = TAGS
            .iter()
            .enumerate()
            .filter(|(b, _)| tags & (1 << b) != 0)
            .map(|(_, t)| *t)
            .collect();
        nodes.push(
            json!({"id": id, "kind": "chapter", "parent": parent, "name": id, "slug": id,
            "tags": tags, "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:00:00Z",
            "group_kind": "issue", "status": status(st)}),
        );
        ids.push((id, NodeLevel::Chapter));
    }
    let people: Vec<Value> = s
        .people
        .iter()
        .enumerate()
        .map(|(i, &(susp, att))| {
            let a: Vec<&str> = ATTESTATIONS.iter().enumerate().filter(|(b, _)| att & (1 << b) != 0).map(|(_, a)| *a).collect();
            json!({"id": format!("p{i}"), "name": format!("Person {i}"), "attestations": a, "suspended": susp})
        })
        .collect();
    let present_tags: Vec<&str> = TAGS.to_vec();
    let mut grants: Vec<Value> = Vec::new();
    for (i, &(p, r, sc, tag, from, until)) in s.grants.iter().enumerate() {
        let role = &policy.roles[r % policy.roles.len()];
        let (scope, level) = if tag {
            (
                json!({"tag": present_tags[sc % present_tags.len()]}),
                ScopeLevel::Tag,
            )
        } else {
            let (id, lvl) = &ids[sc % ids.len()];
            let level = match lvl {
                NodeLevel::Organization => ScopeLevel::Organization,
                NodeLevel::Region => ScopeLevel::Region,
                NodeLevel::Chapter => ScopeLevel::Chapter,
            };
            (json!({"node": id}), level)
        };
        if !role.levels.contains(&level) {
            continue;
        }
        let mut g = json!({"id": format!("g{i}"), "person": format!("p{}", p % s.people.len()),
            "role": role.name, "scope": scope, "valid_from": at(from)});
        if until > 0 {
            let u = from.saturating_add(until);
            g["valid_until"] = json!(at(u));
        }
        grants.push(g);
    }
    let mut doc = json!({
        "format": "chapterhouse/1",
        "organization": {"id": "org", "name": "Org", "slug": "org", "tags": ["water"],
            "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:00:00Z"},
        "nodes": nodes,
        "people": people,
        "grants": grants,
    });
    if s.own_policy {
        doc["policy"] = serde_json::from_str(&policy.to_json()).unwrap();
    }
    doc.to_string()
}

pub fn build(s: &Spec) -> Network {
    Network::from_json(&snapshot(s)).expect("generated snapshot loads")
}

/// A decision reduced to what both engines must agree on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub code: &'static str,
    pub grant: Option<String>,
    pub rule: Option<String>,
}

/// The reference model. Deliberately naive: path from the root, every
/// grant scanned, every rule re-evaluated from the policy document.
pub struct Reference<'a> {
    pub net: &'a Network,
    pub policy: &'a Policy,
    pub grants: Vec<&'a Grant>,
}

impl<'a> Reference<'a> {
    pub fn new(net: &'a Network) -> Self {
        Reference {
            net,
            policy: net.policy(),
            grants: net.grants().collect(),
        }
    }

    fn level_of(&self, g: &Grant) -> Option<ScopeLevel> {
        match &g.scope {
            Scope::Tag(_) => Some(ScopeLevel::Tag),
            Scope::Node(id) => self.net.node(id.as_str()).map(|n| match n.level() {
                NodeLevel::Organization => ScopeLevel::Organization,
                NodeLevel::Region => ScopeLevel::Region,
                NodeLevel::Chapter => ScopeLevel::Chapter,
            }),
        }
    }

    /// Does the grant's role give `cap` at the grant's level?
    fn confers(&self, g: &Grant, cap: &str) -> bool {
        let Some(role) = self.policy.role(&g.role) else {
            return false;
        };
        if !role.capabilities.iter().any(|c| c == cap) {
            return false;
        }
        let reserved = self.policy.capability(cap).is_some_and(|c| c.reserved);
        let central = matches!(
            self.level_of(g),
            Some(ScopeLevel::Organization | ScopeLevel::Region | ScopeLevel::Tag)
        );
        !reserved || central
    }

    fn role_lists(&self, g: &Grant, cap: &str) -> bool {
        self.policy
            .role(&g.role)
            .is_some_and(|r| r.capabilities.iter().any(|c| c == cap))
    }

    /// Depth (index in the root path) of the grant's anchor for `node`, if it covers it.
    fn anchor(&self, g: &Grant, path: &[&Node]) -> Option<usize> {
        match &g.scope {
            Scope::Node(id) => path.iter().position(|n| n.id == *id),
            Scope::Tag(t) => path.iter().rposition(|n| n.tags.contains(t)),
        }
    }

    fn valid(g: &Grant, now: DateTime<Utc>) -> bool {
        g.valid_from <= now && g.valid_until.is_none_or(|u| now < u)
    }

    fn rule_covers(&self, r: &chapterhouse::access::ForbidRule, cap: &str) -> bool {
        let c = self.policy.capability(cap).unwrap();
        let base = match r.applies_to {
            AppliesTo::All => true,
            AppliesTo::Writes => c.writes,
            AppliesTo::PersonalData => c.personal_data,
            AppliesTo::Listed => r.capabilities.iter().any(|x| x == cap),
            _ => unreachable!(),
        };
        base && !r.except.iter().any(|x| x == cap)
    }

    fn rule_fires(&self, r: &chapterhouse::access::ForbidRule, person: &str, node: &Node) -> bool {
        let p = self.net.person(person);
        let status = node.chapter().map(|c| c.status);
        match r.when {
            Condition::PersonSuspended => p.is_some_and(|p| p.suspended),
            Condition::MissingAttestation => p.is_some_and(|p| {
                !p.attestations
                    .iter()
                    .any(|a| Some(a.as_str()) == r.attestation.as_deref())
            }),
            Condition::NodeArchived => status == Some(ChapterStatus::Archived),
            Condition::NodeNotActive => status.is_some_and(|s| s != ChapterStatus::Active),
            _ => unreachable!(),
        }
    }

    pub fn first_rule(
        &self,
        person: &str,
        cap: &str,
        node: &Node,
    ) -> Option<&'a chapterhouse::access::ForbidRule> {
        self.policy
            .forbid
            .iter()
            .find(|r| self.rule_covers(r, cap) && self.rule_fires(r, person, node))
    }

    fn tree_distance(&self, a: &str, b: &str) -> usize {
        let pa = self.net.path_from_root(a).unwrap();
        let pb = self.net.path_from_root(b).unwrap();
        let common = pa.iter().zip(&pb).take_while(|(x, y)| x.id == y.id).count();
        pa.len() + pb.len() - 2 * common
    }

    pub fn decide(&self, person: &str, cap: &str, node: &str, now: DateTime<Utc>) -> Verdict {
        let path = self.net.path_from_root(node).unwrap();
        let target = *path.last().unwrap();
        let mine: Vec<(usize, &Grant)> = self
            .grants
            .iter()
            .enumerate()
            .filter(|(_, g)| g.person.as_str() == person)
            .map(|(i, g)| (i, *g))
            .collect();
        // best by (deepest anchor, then first added)
        let pick = |cands: Vec<(usize, usize, &'a Grant)>| -> Option<&'a Grant> {
            cands
                .into_iter()
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
                .map(|c| c.2)
        };
        let allowing: Vec<(usize, usize, &Grant)> = mine
            .iter()
            .filter(|(_, g)| Self::valid(g, now) && self.confers(g, cap))
            .filter_map(|&(i, g)| self.anchor(g, &path).map(|d| (d, i, g)))
            .collect();
        if let Some(g) = pick(allowing) {
            return match self.first_rule(person, cap, target) {
                Some(r) => Verdict {
                    code: if r.when == Condition::NodeNotActive {
                        "node_not_active"
                    } else {
                        "forbidden"
                    },
                    grant: Some(g.id.to_string()),
                    rule: Some(r.id.clone()),
                },
                None => Verdict {
                    code: "allow",
                    grant: Some(g.id.to_string()),
                    rule: None,
                },
            };
        }
        let timed: Vec<(usize, usize, &Grant)> = mine
            .iter()
            .filter(|(_, g)| !Self::valid(g, now) && self.confers(g, cap))
            .filter_map(|&(i, g)| self.anchor(g, &path).map(|d| (d, i, g)))
            .collect();
        if let Some(g) = pick(timed) {
            let code = if now < g.valid_from {
                "not_yet_valid"
            } else {
                "expired"
            };
            return Verdict {
                code,
                grant: Some(g.id.to_string()),
                rule: None,
            };
        }
        let covering_valid: Vec<(usize, usize, &Grant)> = mine
            .iter()
            .filter(|(_, g)| Self::valid(g, now))
            .filter_map(|&(i, g)| self.anchor(g, &path).map(|d| (d, i, g)))
            .collect();
        let reserved = self.policy.capability(cap).unwrap().reserved;
        let any_central = covering_valid.iter().any(|(_, _, g)| {
            matches!(
                self.level_of(g),
                Some(ScopeLevel::Organization | ScopeLevel::Region | ScopeLevel::Tag)
            )
        });
        if reserved && !covering_valid.is_empty() && !any_central {
            let listed: Vec<_> = covering_valid
                .into_iter()
                .filter(|(_, _, g)| self.role_lists(g, cap))
                .collect();
            return Verdict {
                code: "reserved_to_central",
                grant: pick(listed).map(|g| g.id.to_string()),
                rule: None,
            };
        }
        let mut near: Option<(usize, usize, &Grant)> = None;
        for &(i, g) in &mine {
            if let Scope::Node(n) = &g.scope
                && Self::valid(g, now)
                && self.confers(g, cap)
            {
                let d = self.tree_distance(n.as_str(), node);
                if near.is_none_or(|(bd, bi, _)| (d, i) < (bd, bi)) {
                    near = Some((d, i, g));
                }
            }
        }
        if near.is_none() {
            near = mine
                .iter()
                .find(|(_, g)| {
                    matches!(g.scope, Scope::Tag(_)) && Self::valid(g, now) && self.confers(g, cap)
                })
                .map(|&(i, g)| (usize::MAX, i, g));
        }
        Verdict {
            code: "no_grant",
            grant: near.map(|n| n.2.id.to_string()),
            rule: None,
        }
    }
}

pub fn verdict(d: &chapterhouse::access::Decision<'_>) -> Verdict {
    use chapterhouse::access::Decision;
    match d {
        Decision::Allow(a) => Verdict {
            code: "allow",
            grant: Some(a.grant.id.to_string()),
            rule: None,
        },
        Decision::Deny(x) => Verdict {
            code: x.reason.code(),
            grant: x.nearest.map(|g| g.id.to_string()),
            rule: x.reason.rule().map(|r| r.id.clone()),
        },
        _ => unreachable!(),
    }
}

pub fn capability_names(net: &Network) -> Vec<String> {
    net.policy()
        .capabilities
        .iter()
        .map(|c| c.name.clone())
        .collect()
}

pub fn node_ids(net: &Network) -> Vec<String> {
    net.subtree(net.root().id.as_str())
        .unwrap()
        .map(|n| n.id.to_string())
        .collect()
}

pub fn person_ids(net: &Network) -> Vec<String> {
    let mut v: Vec<String> = net.people().map(|p| p.id.to_string()).collect();
    v.push("stranger".into());
    v
}
