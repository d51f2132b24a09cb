use super::*;

#[test]
fn default_policy_is_valid_and_quiet() {
    let p = Policy::default();
    let warnings = p.validate().unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    for (name, _) in BUILT_IN_CAPABILITIES {
        assert!(p.capability(name).is_some(), "{name}");
    }
}

#[test]
fn policy_json_round_trips_canonically() {
    let p = Policy::default();
    let text = p.to_json();
    let (back, _) = Policy::from_json(&text).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.to_json(), text);
}

#[test]
fn the_hasher_spreads_similar_ids_over_buckets() {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let b = BuildHasherDefault::<super::fx::FxHasher>::default();
    let mut low: std::collections::HashSet<u64> = std::collections::HashSet::new();
    for i in 0..4096 {
        low.insert(b.hash_one(format!("u-{i:06}")) & 0xfff);
    }
    // 4096 ids over 4096 low-bit buckets: a good hash fills most of them
    assert!(low.len() > 2000, "{}", low.len());
}

#[test]
fn inline_ids_find_exactly_their_own_entry() {
    let mut m = super::fx::IdMap::default();
    let ids: Vec<String> = (0..40)
        .map(|n| {
            "abcdefghijklmnopqrstuvwxyz0123456789-_.:ABCD"
                .chars()
                .take(n)
                .collect()
        })
        .collect();
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(m.insert(id, i as u32), None);
    }
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(m.get(id), Some(i as u32), "{id:?}");
    }
    assert_eq!(m.get("abcdefghX"), None);
    assert_eq!(m.remove("abc"), Some(3));
    assert_eq!(m.get("abc"), None);
    assert_eq!(m.len(), 39);
}

#[test]
fn the_role_capability_bytes_are_the_role_masks() {
    use super::policy::{CAP_RESERVED, Compiled, ROLE_GIVES_LOCAL, ROLE_LISTS};
    let p = Policy::default();
    let (c, _) = Compiled::new(&p).unwrap();
    assert!(!c.roles.is_empty());
    for (r, role) in c.roles.iter().enumerate() {
        for cap in 0..128u8 {
            let bit = 1u128 << cap;
            let v = c.role_cap(r as u16, cap).unwrap();
            assert_eq!(v & ROLE_LISTS != 0, role.caps & bit != 0);
            assert_eq!(
                v & ROLE_GIVES_LOCAL != 0,
                role.caps & !c.reserved & bit != 0
            );
            assert_eq!(v & CAP_RESERVED != 0, c.reserved & bit != 0);
        }
    }
    assert_eq!(c.role_cap(c.roles.len() as u16, 0), None);
}

#[test]
fn the_default_capabilities_are_found_in_one_read() {
    let p = Policy::default();
    let (c, _) = super::policy::Compiled::new(&p).unwrap();
    assert!(c.cap_names.is_direct());
    for (i, cap) in p.capabilities.iter().enumerate() {
        assert_eq!(c.cap(&cap.name), Some(i as u8), "{}", cap.name);
    }
    assert_eq!(c.cap("chapter.vie"), None);
    assert_eq!(c.cap("chapter.viewx"), None);
}

mod card_path {
    //! `decide` answers from a person's card when their grants fit in it;
    //! the answer, explanation included, must be the general path's.

    use crate::access::people::quick_now;
    use crate::network::Network;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    const STATUSES: [&str; 3] = ["active", "applied", "archived"];
    const ATTEST: [&str; 2] = ["data_agreement", "data_protection_training"];

    /// Times around a boundary: whole seconds and a half second after them.
    fn time(i: u8) -> String {
        let secs = i / 2;
        if i.is_multiple_of(2) {
            format!("2026-01-01T00:00:0{secs}Z")
        } else {
            format!("2026-01-01T00:00:0{secs}.5Z")
        }
    }

    type GrantSpec = (usize, usize, usize, bool, u8, Option<u8>);

    fn snapshot(
        chapters: &[(usize, usize, bool)],
        people: &[(bool, u8)],
        grants: &[GrantSpec],
    ) -> String {
        let policy = super::Policy::default();
        let mut nodes: Vec<Value> = Vec::new();
        let mut ids = vec![("org".to_owned(), super::ScopeLevel::Organization)];
        for r in 0..2 {
            let id = format!("r{r}");
            nodes.push(
                json!({"id": id, "kind": "region", "parent": "org", "name": id, "slug": id,
                "tags": if r == 1 { vec!["t"] } else { vec![] },
                "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:00:00Z"}),
            );
            ids.push((id, super::ScopeLevel::Region));
        }
        for (i, &(parent, status, tagged)) in chapters.iter().enumerate() {
            let id = format!("c{i}");
            nodes.push(
                json!({"id": id, "kind": "chapter", "parent": format!("r{}", parent % 2),
                "name": id, "slug": id, "tags": if tagged { vec!["t"] } else { vec![] },
                "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:00:00Z",
                "group_kind": "local", "status": STATUSES[status % 3]}),
            );
            ids.push((id, super::ScopeLevel::Chapter));
        }
        let people: Vec<Value> = people
            .iter()
            .enumerate()
            .map(|(i, &(suspended, att))| {
                let a: Vec<&str> = ATTEST
                    .iter()
                    .enumerate()
                    .filter(|(b, _)| att & (1 << b) != 0)
                    .map(|(_, a)| *a)
                    .collect();
                json!({"id": format!("p{i}"), "attestations": a, "suspended": suspended})
            })
            .collect();
        let mut out = Vec::new();
        for (i, &(person, role, scope, tag, from, until)) in grants.iter().enumerate() {
            let role = &policy.roles[role % policy.roles.len()];
            let (scope, level) = if tag {
                (json!({"tag": "t"}), super::ScopeLevel::Tag)
            } else {
                let (id, level) = &ids[scope % ids.len()];
                (json!({"node": id}), *level)
            };
            if !role.levels.contains(&level) || until.is_some_and(|u| u <= from) {
                continue;
            }
            let mut g = json!({"id": format!("g{i}"), "person": format!("p{}", person % people.len()),
                "role": role.name, "scope": scope, "valid_from": time(from)});
            if let Some(u) = until {
                g["valid_until"] = json!(time(u));
            }
            out.push(g);
        }
        json!({"format": "chapterhouse/1",
            "organization": {"id": "org", "name": "Org", "slug": "org",
                "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:00:00Z"},
            "nodes": nodes, "people": people, "grants": out})
        .to_string()
    }

    /// The card path's decision for `id` is the general path's, for every
    /// capability and node.
    fn card_path_agrees(
        net: &Network,
        id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), TestCaseError> {
        let acc = &net.access;
        let p = acc.ix.people.get(id);
        // the compact card's path, also at times before and after the
        // span its times can hold (2000 to 2063)
        let quick = acc.ix.people.find_quick(id).filter(|q| q.says_all());
        let far: [chrono::DateTime<chrono::Utc>; 2] = [
            "1999-12-31T23:59:59Z".parse().unwrap(),
            "2100-01-01T00:00:00Z".parse().unwrap(),
        ];
        for c in 0..acc.policy.capabilities.len() as u8 {
            for n in 0..net.len() as u32 {
                let fast = acc.decide(net, id, p, c, n, now).map(|d| d.report());
                let general = acc
                    .decide_general(net, id, p, c, n, now)
                    .map(|d| d.report());
                prop_assert_eq!(&fast, &general);
                if let Some(q) = quick {
                    for t in std::iter::once(now).chain(far) {
                        let by_quick = acc
                            .decide_single(net, id, q.ix, q.single(), c, n, quick_now(t))
                            .map(|d| d.report());
                        let general = acc.decide_general(net, id, p, c, n, t).map(|d| d.report());
                        prop_assert_eq!(by_quick, general);
                    }
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn the_card_path_gives_the_general_decision(
            chapters in prop::collection::vec((0usize..2, 0usize..3, prop::bool::weighted(0.3)), 1..5),
            people in prop::collection::vec((prop::bool::weighted(0.15), 0u8..4), 1..5),
            grants in prop::collection::vec(
                (0usize..5, 0usize..10, 0usize..8, prop::bool::weighted(0.1), 0u8..8,
                 prop::option::weighted(0.4, 0u8..8)),
                0..8),
            now in 0u8..8,
        ) {
            let net = Network::from_json(&snapshot(&chapters, &people, &grants)).unwrap();
            let now = time(now).parse().unwrap();
            let acc = &net.access;
            let mut ids: Vec<String> = acc.people.iter().map(|p| p.id.to_string()).collect();
            ids.push("nobody".into());
            for id in &ids {
                card_path_agrees(&net, id, now)?;
            }
            // resolved handles give check's decision
            for id in &ids {
                let Some(who) = net.person_handle(id) else {
                    prop_assert_eq!(id.as_str(), "nobody");
                    continue;
                };
                for cap in &acc.policy.capabilities {
                    let c = net.capability_handle(&cap.name).unwrap();
                    for node in net.nodes() {
                        let n = net.node_handle(node.id.as_str()).unwrap();
                        let by_handle = net.check_handles(who, c, n, now).unwrap().report();
                        let by_id = net.check(id, &cap.name, node.id.as_str(), now).unwrap().report();
                        prop_assert_eq!(by_handle, by_id);
                    }
                }
            }
            prop_assert!(acc.ix.people.quick_in_sync());
            // the rows and cards built in two halves side by side (as for a
            // large network) are the ones built in one pass
            let mut split = acc.clone();
            split.rebuild_with(&net, true);
            let mut whole = acc.clone();
            whole.rebuild_with(&net, false);
            prop_assert_eq!(format!("{:?}", split.ix.rows), format!("{:?}", whole.ix.rows));
            prop_assert_eq!(format!("{:?}", split.ix.people), format!("{:?}", whole.ix.people));
            prop_assert_eq!(format!("{:?}", acc.ix.rows), format!("{:?}", whole.ix.rows));
            prop_assert_eq!(format!("{:?}", acc.ix.people), format!("{:?}", whole.ix.people));
            prop_assert!(split.ix.people.quick_in_sync());
            // after changes to people and grants, the compact cards follow
            let mut net = net;
            let first = ids[0].clone();
            let mut applied = 0;
            for op in [
                json!({"op": "suspend", "person": first, "suspended": true}),
                json!({"op": "grant", "id": "g-new", "person": first, "role": "member", "scope": {"node": "c0"}}),
                json!({"op": "suspend", "person": first, "suspended": false}),
                json!({"op": "set_person", "id": "p-new", "name": "New"}),
                json!({"op": "grant", "id": "g-new2", "person": "p-new", "role": "member", "scope": {"node": "c0"}}),
            ] {
                let op: crate::Op = serde_json::from_value(op).unwrap();
                // an op the network refuses (say, a grant on an archived chapter) changes nothing
                applied += usize::from(net.apply(op, &crate::Actor::Host, now).is_ok());
                let acc = &net.access;
                prop_assert!(acc.ix.people.quick_in_sync());
                for id in [first.as_str(), "p-new"] {
                    card_path_agrees(&net, id, now)?;
                }
            }
            // the suspensions and the new person at least
            prop_assert!(applied >= 3, "{}", applied);
        }
    }

    #[test]
    fn a_handle_from_another_network_is_refused() {
        let text = snapshot(
            &[(0, 0, false)],
            &[(false, 3)],
            &[(0, 3, 3, false, 0, None)],
        );
        let a = Network::from_json(&text).unwrap();
        let b = Network::from_json(&text).unwrap();
        let now = "2026-06-01T00:00:00Z".parse().unwrap();
        let (p, c, n) = (
            b.person_handle("p0").unwrap(),
            a.capability_handle("chapter.view").unwrap(),
            a.node_handle("c0").unwrap(),
        );
        let err = a.check_handles(p, c, n, now).unwrap_err();
        assert_eq!(err, super::AccessError::UnknownPerson("p0".into()));
        let p = a.person_handle("p0").unwrap();
        assert!(a.check_handles(p, c, n, now).is_ok());
        let n = b.node_handle("c0").unwrap();
        assert_eq!(
            a.check_handles(p, c, n, now).unwrap_err(),
            super::AccessError::UnknownNode("c0".into())
        );
    }
}

/// Loading reports the first bad grant in order, a repeated id before an
/// unknown person at the same grant (the id map and the placements are
/// built apart, side by side for many grants).
#[test]
fn loading_names_the_first_bad_grant() {
    let grants = |gs: &[(&str, &str)]| {
        let gs: Vec<String> = gs
            .iter()
            .map(|(id, person)| {
                format!(
                    r#"{{"id":"{id}","person":"{person}","role":"member","scope":{{"node":"c"}},"valid_from":"2025-01-01T00:00:00Z"}}"#
                )
            })
            .collect();
        format!(
            r#"{{"format":"chapterhouse/1","organization":{{"id":"org","name":"Org","slug":"org","created":"2025-01-01T00:00:00Z","updated":"2025-01-01T00:00:00Z"}},"nodes":[{{"id":"c","kind":"chapter","parent":"org","name":"C","slug":"c","created":"2025-01-01T00:00:00Z","updated":"2025-01-01T00:00:00Z","group_kind":"local","status":"active"}}],"people":[{{"id":"p"}}],"grants":[{}]}}"#,
            gs.join(",")
        )
    };
    let err = |gs: &[(&str, &str)]| {
        crate::Network::from_json(&grants(gs))
            .unwrap_err()
            .to_string()
    };
    let e = err(&[("g1", "p"), ("g2", "nobody"), ("g1", "p")]);
    assert!(e.starts_with("grants[1]:"), "{e}");
    let e = err(&[("g1", "p"), ("g1", "p"), ("g2", "nobody")]);
    assert!(e.starts_with("grants[1]:") && e.contains("g1"), "{e}");
    let e = err(&[("g1", "p"), ("g1", "nobody")]);
    assert!(
        e.starts_with("grants[1]:") && e.contains("g1") && !e.contains("nobody"),
        "{e}"
    );
    // many grants: built side by side, same answers
    let many: Vec<(String, &str)> = (0..5000).map(|i| (format!("g{i}"), "p")).collect();
    let mut gs: Vec<(&str, &str)> = many.iter().map(|(i, p)| (i.as_str(), *p)).collect();
    gs[4000] = ("g10", "p");
    gs[4500].1 = "nobody";
    let e = err(&gs);
    assert!(e.starts_with("grants[4000]:") && e.contains("g10"), "{e}");
    gs[4000] = ("g4000", "p");
    let e = err(&gs);
    assert!(
        e.starts_with("grants[4500]:") && e.contains("nobody"),
        "{e}"
    );
    // the placements are split at 3/10 (1500 here): an error in the
    // first part comes before one in the second, and before a repeated id
    // further on
    gs[100].1 = "nobody";
    let e = err(&gs);
    assert!(e.starts_with("grants[100]:") && e.contains("nobody"), "{e}");
    gs[4000] = ("g10", "p");
    let e = err(&gs);
    assert!(e.starts_with("grants[100]:") && e.contains("nobody"), "{e}");
    gs[100].1 = "p";
    gs[4000] = ("g4000", "p");
    gs[1500].1 = "nobody";
    let e = err(&gs);
    assert!(
        e.starts_with("grants[1500]:") && e.contains("nobody"),
        "{e}"
    );
    gs[1500].1 = "p";
    gs[4500] = ("g4500", "p");
    assert!(crate::Network::from_json(&grants(&gs)).is_ok());
}

/// Loading many people normalizes them in two halves side by side: the
/// first bad person in order is still the one named, whichever half
/// holds it, and a repeated id and a bad attestation keep their order.
#[test]
fn loading_names_the_first_bad_person() {
    let snapshot = |people: &[String]| {
        format!(
            r#"{{"format":"chapterhouse/1","organization":{{"id":"org","name":"Org","slug":"org","created":"2025-01-01T00:00:00Z","updated":"2025-01-01T00:00:00Z"}},"nodes":[],"people":[{}],"grants":[]}}"#,
            people.join(",")
        )
    };
    let good = |i: usize| format!(r#"{{"id":"p{i}","attestations":["data_agreement"]}}"#);
    let bad = |i: usize| format!(r#"{{"id":"p{i}","attestations":["Not A Word"]}}"#);
    let err = |people: &[String]| {
        crate::Network::from_json(&snapshot(people))
            .unwrap_err()
            .to_string()
    };
    let mut people: Vec<String> = (0..5000).map(good).collect();
    assert!(crate::Network::from_json(&snapshot(&people)).is_ok());
    // a repeated id in the second half, a bad attestation in the first
    people[4000] = good(10);
    people[100] = bad(100);
    let e = err(&people);
    assert!(e.starts_with("people[100]:"), "{e}");
    people[100] = good(100);
    let e = err(&people);
    assert!(e.starts_with("people[4000]:") && e.contains("p10"), "{e}");
    // a repeated id in the first half, a bad attestation in the second
    people[4000] = good(4000);
    people[2000] = good(7);
    people[3000] = bad(3000);
    let e = err(&people);
    assert!(e.starts_with("people[2000]:") && e.contains("p7"), "{e}");
    people[2000] = good(2000);
    let e = err(&people);
    assert!(e.starts_with("people[3000]:"), "{e}");
    // the same person both repeated and bad: the bad attestation first
    people[3000] = good(3000);
    people[4999] = bad(1);
    let e = err(&people);
    assert!(
        e.starts_with("people[4999]:") && e.contains("Not A Word"),
        "{e}"
    );
}
