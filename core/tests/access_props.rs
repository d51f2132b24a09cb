//! Property tests of the invariants the access module states.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod access_common;

use access_common::*;
use chapterhouse::access::{Decision, Policy, Role, Scope, ScopeLevel};
use chapterhouse::{Actor, Network, NodeLevel, Op};
use proptest::prelude::*;
use serde_json::json;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    }
}

/// Every (person, capability, node) allowed at `now`.
fn allowed(net: &Network, now: chrono::DateTime<chrono::Utc>) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for p in person_ids(net) {
        for c in capability_names(net) {
            for n in node_ids(net) {
                if net.check(&p, &c, &n, now).unwrap().is_allowed() {
                    out.push((p.clone(), c.clone(), n.clone()));
                }
            }
        }
    }
    out
}

fn op(v: serde_json::Value) -> Op {
    serde_json::from_value(v).unwrap()
}

proptest! {
    #![proptest_config(config())]

    /// Adding a grant never removes access.
    #[test]
    fn adding_a_grant_never_removes_access(
        s in spec(),
        person in 0usize..6,
        role in 0usize..11,
        node in 0usize..20,
        from in 0u8..5,
    ) {
        let mut net = build(&s);
        let now = at(s.now);
        let before = allowed(&net, now);
        let nodes = node_ids(&net);
        let node = nodes[node % nodes.len()].clone();
        let role = net.policy().roles[role % net.policy().roles.len()].name.clone();
        let person = format!("p{}", person % s.people.len());
        let g = op(json!({"op": "grant", "id": "g-new", "person": person, "role": role,
            "scope": {"node": node}, "valid_from": at(from)}));
        if net.apply(g, &Actor::Host, now).is_ok() {
            let after = allowed(&net, now);
            for a in &before {
                prop_assert!(after.contains(a), "lost {:?}", a);
            }
        }
    }

    /// A forbid always wins: a suspended person is denied everything, and a
    /// person without the attestations is denied all personal data.
    #[test]
    fn a_forbid_always_wins(s in spec(), person in 0usize..6, suspend in any::<bool>()) {
        let mut net = build(&s);
        let now = at(s.now);
        let person = format!("p{}", person % s.people.len());
        let change = if suspend {
            op(json!({"op": "suspend", "person": person}))
        } else {
            op(json!({"op": "attest", "person": person, "attestation": "data_agreement", "held": false}))
        };
        net.apply(change, &Actor::Host, now).unwrap();
        for c in net.policy().capabilities.clone() {
            if !suspend && !c.personal_data {
                continue;
            }
            for n in node_ids(&net) {
                let d = net.check(&person, &c.name, &n, now).unwrap();
                prop_assert!(!d.is_allowed(), "{}", d);
            }
            prop_assert!(net.nodes_where(&person, &c.name, now, None, 100).unwrap().nodes.is_empty());
            prop_assert!(net.capabilities_at(&person, "org", now).unwrap().iter().all(|a| a.capability.name != c.name));
        }
    }

    /// Moving a chapter moves inherited access with it: a grant at the new
    /// parent now covers it, and access through the old ancestors that are
    /// not ancestors of the new parent is gone.
    #[test]
    fn moving_a_chapter_moves_inherited_access(s in spec(), pick in 0usize..20, dest in 0usize..8) {
        let mut net = build(&s);
        let now = at(s.now);
        let chapters: Vec<String> = net.nodes().filter(|n| n.level() == NodeLevel::Chapter).map(|n| n.id.to_string()).collect();
        let containers: Vec<String> = net.nodes().filter(|n| n.level() != NodeLevel::Chapter).map(|n| n.id.to_string()).collect();
        let ch = chapters[pick % chapters.len()].clone();
        let to = containers[dest % containers.len()].clone();
        net.apply(op(json!({"op": "set_person", "id": "watcher"})), &Actor::Host, now).unwrap();
        let level = if to == "org" { "admin" } else { "regional_coordinator" };
        net.apply(op(json!({"op": "grant", "id": "g-watch", "person": "watcher", "role": level,
            "scope": {"node": to}, "valid_from": at(0)})), &Actor::Host, now).unwrap();
        let old_parent = net.parent(&ch).unwrap().unwrap().id.to_string();
        net.apply(op(json!({"op": "move", "id": ch, "parent": to})), &Actor::Host, now).unwrap();
        // the watcher at the new parent sees the moved chapter
        let d = net.check("watcher", "chapter.view", &ch, now).unwrap();
        prop_assert!(d.is_allowed(), "{}", d);
        if let Decision::Allow(a) = &d {
            let path = a.path.ids();
            prop_assert_eq!(path.first().map(|p| p.to_string()), Some(to.clone()));
        }
        // and everything still matches the reference on the moved tree
        let reference = Reference::new(&net);
        for p in person_ids(&net) {
            for c in capability_names(&net) {
                prop_assert_eq!(verdict(&net.check(&p, &c, &ch, now).unwrap()), reference.decide(&p, &c, &ch, now));
            }
        }
        // a grant only at the old parent no longer covers the chapter
        if !net.is_ancestor(&old_parent, &ch).unwrap() {
            for g in net.grants() {
                if g.scope == Scope::Node(old_parent.parse().unwrap()) {
                    for c in capability_names(&net) {
                        if let Decision::Allow(a) = net.check(g.person.as_str(), &c, &ch, now).unwrap() {
                            prop_assert_ne!(&a.grant.id, &g.id);
                        }
                    }
                }
            }
        }
    }

    /// Status changes through operations reach the node rules at once.
    #[test]
    fn status_changes_are_seen_by_the_rules(s in spec(), picks in prop::collection::vec((0usize..20, 0u8..4), 1..6)) {
        let mut net = build(&s);
        let now = at(s.now);
        let chapters: Vec<String> = net.nodes().filter(|n| n.level() == NodeLevel::Chapter).map(|n| n.id.to_string()).collect();
        for (pick, action) in picks {
            let id = &chapters[pick % chapters.len()];
            let o = match action {
                0 => json!({"op": "approve", "id": id}),
                1 => json!({"op": "archive", "id": id, "reason": "test"}),
                2 => json!({"op": "restore", "id": id}),
                _ => json!({"op": "reject", "id": id, "reason": "test"}),
            };
            let _ = net.apply(op(o), &Actor::Host, now);
            let reference = Reference::new(&net);
            for p in person_ids(&net) {
                for c in capability_names(&net) {
                    prop_assert_eq!(verdict(&net.check(&p, &c, id, now).unwrap()), reference.decide(&p, &c, id, now));
                }
            }
        }
    }

    /// Grants not in force confer nothing: revoking them changes no decision.
    #[test]
    fn expired_grants_confer_nothing(s in spec()) {
        let mut net = build(&s);
        let now = at(s.now);
        let before = allowed(&net, now);
        let lapsed: Vec<String> = net.grants().filter(|g| !g.is_valid_at(now)).map(|g| g.id.to_string()).collect();
        for id in lapsed {
            net.apply(op(json!({"op": "revoke", "id": id})), &Actor::Host, now).unwrap();
        }
        prop_assert_eq!(allowed(&net, now), before);
    }

    /// Reserved capabilities never reach chapter-level grants.
    #[test]
    fn reserved_capabilities_never_reach_chapter_level(s in spec()) {
        let net = build(&s);
        let now = at(s.now);
        for c in net.policy().capabilities.iter().filter(|c| c.reserved) {
            for p in person_ids(&net) {
                for n in node_ids(&net) {
                    if let Decision::Allow(a) = net.check(&p, &c.name, &n, now).unwrap()
                        && let Scope::Node(id) = &a.grant.scope
                    {
                        let level = net.node(id.as_str()).unwrap().level();
                        prop_assert!(level != NodeLevel::Chapter, "{}", a);
                    }
                }
            }
            for e in net.audit(&c.name, now).unwrap() {
                prop_assert!(!matches!(&e.grant.scope, Scope::Node(id) if net.node(id.as_str()).unwrap().level() == NodeLevel::Chapter));
            }
        }
    }

    /// Save is canonical and lossless: load → save → load → save gives the
    /// same bytes and an equal network, with typed people and grants.
    #[test]
    fn snapshots_round_trip(s in spec()) {
        let net = build(&s);
        let text = net.to_json();
        let again = Network::from_json(&text).unwrap();
        prop_assert_eq!(&again, &net);
        prop_assert_eq!(again.to_json(), text);
    }
}

#[test]
fn a_role_granted_only_at_chapter_level_may_not_claim_reserved_capabilities() {
    let mut p = Policy::default();
    p.roles.push(Role {
        name: "local_boss".into(),
        description: None,
        levels: vec![ScopeLevel::Chapter],
        capabilities: vec!["chapter.view".into(), "comms.send_network".into()],
    });
    let err = p.validate().unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("roles[10] (local_boss)"), "{msg}");
    assert!(msg.contains("comms.send_network"), "{msg}");
    assert_eq!(err.kind(), chapterhouse::ErrorKind::InvalidPolicy);
}
