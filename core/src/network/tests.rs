use super::*;
use crate::error::ErrorKind;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn now() -> DateTime<Utc> {
    t("2026-03-01T12:00:00Z")
}

fn op(json: &str) -> Op {
    serde_json::from_str(json).unwrap()
}

/// org ─ ne ─ ne-boston (active local)
///     │    └ ne-lead (applied issue)
///     └ west ─ west-camp (active campaign)
fn sample() -> Network {
    let mut net =
        Network::new("org".parse().unwrap(), "Org", "org".parse().unwrap(), now()).unwrap();
    for o in [
        r#"{"op":"add_region","id":"ne","parent":"org","name":"Northeast","slug":"ne"}"#,
        r#"{"op":"add_region","id":"west","parent":"org","name":"West","slug":"west"}"#,
        r#"{"op":"apply_chapter","id":"ne-boston","parent":"ne","name":"Boston","slug":"boston","group_kind":"local","tags":["rivers","lead-pipes"]}"#,
        r#"{"op":"approve","id":"ne-boston"}"#,
        r#"{"op":"apply_chapter","id":"ne-lead","parent":"ne","name":"Lead Free","slug":"lead-free","group_kind":"issue"}"#,
        r#"{"op":"apply_chapter","id":"west-camp","parent":"west","name":"Dam Campaign","slug":"dam","group_kind":"campaign","campaign_end":"2026-12-31T00:00:00Z"}"#,
        r#"{"op":"approve","id":"west-camp"}"#,
    ] {
        net.apply(op(o), &Actor::Host, now()).unwrap();
    }
    net
}

fn status(net: &Network, id: &str) -> ChapterStatus {
    net.node(id).unwrap().chapter().unwrap().status
}

#[test]
fn hierarchy_queries() {
    let net = sample();
    assert_eq!(net.len(), 6);
    assert!(net.is_ancestor("org", "ne-boston").unwrap());
    assert!(net.is_ancestor("ne", "ne-boston").unwrap());
    assert!(!net.is_ancestor("west", "ne-boston").unwrap());
    assert!(!net.is_ancestor("ne", "ne").unwrap());
    let under: Vec<_> = net.subtree("ne").unwrap().map(|n| n.id.as_str()).collect();
    assert_eq!(under, ["ne", "ne-boston", "ne-lead"]);
    assert_eq!(net.depth("ne-boston").unwrap(), 2);
    let path: Vec<_> = net
        .path_from_root("west-camp")
        .unwrap()
        .iter()
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(path, ["org", "west", "west-camp"]);
    assert_eq!(
        net.node("ne-boston")
            .unwrap()
            .tags
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>(),
        ["lead-pipes", "rivers"]
    );
    assert_eq!(
        net.is_ancestor("nope", "ne").unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn lifecycle_transitions() {
    let mut net = sample();
    let c = net
        .apply(
            op(r#"{"op":"archive","id":"ne-boston","reason":"leaders moved away"}"#),
            &Actor::Host,
            now(),
        )
        .unwrap();
    assert_eq!(
        c.summary,
        "archived chapter ne-boston (active → archived): leaders moved away"
    );
    assert_eq!(status(&net, "ne-boston"), ChapterStatus::Archived);
    net.apply(
        op(r#"{"op":"restore","id":"ne-boston"}"#),
        &Actor::Host,
        now(),
    )
    .unwrap();
    assert_eq!(status(&net, "ne-boston"), ChapterStatus::Active);
    net.apply(
        op(r#"{"op":"reject","id":"ne-lead","reason":"duplicate of an existing group"}"#),
        &Actor::Host,
        now(),
    )
    .unwrap();
    assert_eq!(status(&net, "ne-lead"), ChapterStatus::Rejected);
    let err = net
        .apply(
            op(r#"{"op":"approve","id":"ne-lead"}"#),
            &Actor::Host,
            now(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidTransition);
    assert_eq!(
        err.to_string(),
        "chapter \"ne-lead\" cannot approve while rejected"
    );
    let err = net
        .apply(op(r#"{"op":"approve","id":"ne"}"#), &Actor::Host, now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidStructure);
}

#[test]
fn campaign_conversion() {
    let mut net = sample();
    let err = net
        .apply(
            op(r#"{"op":"convert_campaign","id":"ne-boston","to":"issue"}"#),
            &Actor::Host,
            now(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    net.apply(
        op(r#"{"op":"convert_campaign","id":"west-camp","to":"local"}"#),
        &Actor::Host,
        now(),
    )
    .unwrap();
    let c = net.node("west-camp").unwrap().chapter().unwrap();
    assert_eq!(c.group_kind, GroupKind::Local);
    assert_eq!(c.campaign_end, None);

    let mut net = sample();
    net.apply(
        op(r#"{"op":"convert_campaign","id":"west-camp","to":"dissolve"}"#),
        &Actor::Host,
        now(),
    )
    .unwrap();
    assert_eq!(status(&net, "west-camp"), ChapterStatus::Archived);
}

#[test]
fn campaign_needs_end_and_issue_has_no_territory() {
    let mut net = sample();
    let before = net.clone();
    let err = net
        .apply(
            op(r#"{"op":"apply_chapter","id":"c2","parent":"ne","name":"C","slug":"c2","group_kind":"campaign"}"#),
            &Actor::Host,
            now(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("campaign_end"), "{err}");
    let err = net
        .apply(
            op(r#"{"op":"apply_chapter","id":"i2","parent":"ne","name":"I","slug":"i2","group_kind":"issue","territory":{"type":"Point","coordinates":[0,0],"radius_m":100}}"#),
            &Actor::Host,
            now(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("territory"), "{err}");
    assert_eq!(net, before);
}

#[test]
fn structural_errors_name_the_ids() {
    let mut net = sample();
    let before = net.clone();
    let cases = [
        (
            r#"{"op":"add_region","id":"ne","parent":"org","name":"X","slug":"x"}"#,
            ErrorKind::AlreadyExists,
            "\"ne\"",
        ),
        (
            r#"{"op":"add_region","id":"x","parent":"org","name":"X","slug":"boston"}"#,
            ErrorKind::AlreadyExists,
            "\"ne-boston\"",
        ),
        (
            r#"{"op":"add_region","id":"x","parent":"mars","name":"X","slug":"x"}"#,
            ErrorKind::NotFound,
            "\"mars\"",
        ),
        (
            r#"{"op":"add_region","id":"x","parent":"ne-boston","name":"X","slug":"x"}"#,
            ErrorKind::InvalidStructure,
            "\"ne-boston\"",
        ),
        (
            r#"{"op":"move","id":"org","parent":"ne"}"#,
            ErrorKind::InvalidStructure,
            "\"org\"",
        ),
        (
            r#"{"op":"move","id":"ne","parent":"ne"}"#,
            ErrorKind::InvalidStructure,
            "\"ne\"",
        ),
        (
            r#"{"op":"add_region","id":"x","parent":"org","name":"  ","slug":"x"}"#,
            ErrorKind::InvalidValue,
            "name",
        ),
        (
            r#"{"op":"update_profile","id":"ne"}"#,
            ErrorKind::InvalidValue,
            "names no field",
        ),
        (
            r#"{"op":"update_profile","id":"ne","visibility":"hidden"}"#,
            ErrorKind::InvalidStructure,
            "not a chapter",
        ),
    ];
    for (json, kind, needle) in cases {
        let err = net.apply(op(json), &Actor::Host, now()).unwrap_err();
        assert_eq!(err.kind(), kind, "{json}: {err}");
        assert!(err.to_string().contains(needle), "{json}: {err}");
        assert_eq!(net, before, "{json} changed the network");
        assert_eq!(net.revision(), before.revision());
    }
}

#[test]
fn move_region_with_its_subtree() {
    let mut net = sample();
    net.apply(
        op(r#"{"op":"move","id":"ne","parent":"west"}"#),
        &Actor::Host,
        now(),
    )
    .unwrap();
    assert!(net.is_ancestor("west", "ne-boston").unwrap());
    assert_eq!(net.depth("ne-boston").unwrap(), 3);
    let err = net
        .apply(
            op(r#"{"op":"move","id":"west","parent":"ne"}"#),
            &Actor::Host,
            now(),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        crate::Error::Network(NetworkError::MoveIntoSubtree { .. })
    ));
    check_numbering(&net);
}

#[test]
fn profile_update_and_slug_uniqueness() {
    let mut net = sample();
    net.apply(
        op(r#"{"op":"update_profile","id":"ne-boston","name":"Greater Boston","slug":"greater-boston","cohort":"2026-spring","join_url":"https://example.org/join"}"#),
        &Actor::Host,
        t("2026-04-01T00:00:00Z"),
    )
    .unwrap();
    let n = net.node("ne-boston").unwrap();
    assert_eq!(n.name, "Greater Boston");
    assert_eq!(n.updated, t("2026-04-01T00:00:00Z"));
    assert_eq!(n.chapter().unwrap().cohort.as_deref(), Some("2026-spring"));
    // the old slug is free again, the new one is taken
    net.apply(
        op(r#"{"op":"add_region","id":"x","parent":"org","name":"X","slug":"boston"}"#),
        &Actor::Host,
        now(),
    )
    .unwrap();
    let err = net
        .apply(
            op(r#"{"op":"add_region","id":"y","parent":"org","name":"Y","slug":"greater-boston"}"#),
            &Actor::Host,
            now(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    net.apply(
        op(r#"{"op":"update_profile","id":"ne-boston","cohort":null}"#),
        &Actor::Host,
        now(),
    )
    .unwrap();
    assert_eq!(
        net.node("ne-boston").unwrap().chapter().unwrap().cohort,
        None
    );
}

#[test]
fn ops_round_trip_through_json() {
    let json = r#"{"op":"update_profile","id":"a","cohort":null,"name":"N"}"#;
    let o = op(json);
    let back: Op = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
    assert_eq!(back, o);
    let err = serde_json::from_str::<Op>(r#"{"op":"approve","id":"a","extra":1}"#).unwrap_err();
    assert!(err.to_string().contains("extra"), "{err}");
    let err = serde_json::from_str::<Op>(
        r#"{"op":"add_region","id":"a","parent":"b","name":"n","slug":"s","colour":"red"}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("colour"), "{err}");
    assert!(serde_json::from_str::<Op>(r#"{"op":"teleport","id":"a"}"#).is_err());
}

/// Checks the preorder numbering against a direct walk of parent links.
pub(crate) fn check_numbering(net: &Network) {
    net.check_invariants().unwrap();
    let n = net.len();
    assert_eq!(net.order.len(), n);
    for (pos, &ix) in net.order.iter().enumerate() {
        assert_eq!(net.tin(ix) as usize, pos);
    }
    for a in 0..n as u32 {
        for b in 0..n as u32 {
            let mut x = Some(b);
            let mut walked = false;
            while let Some(i) = x {
                if i == a {
                    walked = true;
                    break;
                }
                x = net.parent_ix(i);
            }
            assert_eq!(net.covers_ix(a, b), walked, "covers({a},{b})");
        }
    }
    for (i, node) in net.nodes.iter().enumerate() {
        let p = net
            .parent_ix(i as u32)
            .map(|p| net.nodes[p as usize].id.clone());
        assert_eq!(node.parent, p);
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        Region(usize),
        Chapter(usize, u8),
        Move(usize, usize),
        Status(usize, u8),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            any::<usize>().prop_map(Step::Region),
            (any::<usize>(), any::<u8>()).prop_map(|(a, k)| Step::Chapter(a, k)),
            (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Step::Move(a, b)),
            (any::<usize>(), any::<u8>()).prop_map(|(a, k)| Step::Status(a, k)),
        ]
    }

    fn to_op(net: &Network, i: usize, s: &Step) -> Op {
        let pick = |k: usize| net.nodes[k % net.len()].id.clone();
        match s {
            Step::Region(p) => Op::AddRegion(RegionSpec {
                id: format!("r{i}").parse().unwrap(),
                parent: pick(*p),
                name: format!("Region {i}"),
                slug: format!("r{i}").parse().unwrap(),
                tags: vec![],
            }),
            Step::Chapter(p, k) => Op::ApplyChapter(ChapterApplication {
                id: format!("c{i}").parse().unwrap(),
                parent: pick(*p),
                name: format!("Chapter {i}"),
                slug: format!("c{i}").parse().unwrap(),
                group_kind: [GroupKind::Local, GroupKind::Issue, GroupKind::Campaign]
                    [*k as usize % 3],
                tags: vec![],
                cohort: None,
                visibility: Visibility::Public,
                territory: None,
                campaign_end: (*k % 3 == 2 || *k > 200).then(now),
                description: None,
                join_url: None,
            }),
            Step::Move(a, b) => Op::Move {
                id: pick(*a),
                parent: pick(*b),
            },
            Step::Status(a, k) => {
                let id = pick(*a);
                match k % 4 {
                    0 => Op::Approve { id },
                    1 => Op::Reject {
                        id,
                        reason: "no".into(),
                    },
                    2 => Op::Archive {
                        id,
                        reason: "quiet".into(),
                    },
                    _ => Op::Restore { id },
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Any sequence of operations keeps the tree invariants; a rejected
        /// operation leaves the network (and its snapshot) unchanged; the
        /// snapshot of any reachable network round-trips to an equal network
        /// and identical bytes.
        #[test]
        fn random_ops_keep_invariants(steps in proptest::collection::vec(step(), 1..40)) {
            let mut net = Network::new("org".parse().unwrap(), "Org", "org".parse().unwrap(), now()).unwrap();
            for (i, s) in steps.iter().enumerate() {
                let o = to_op(&net, i, s);
                let before = net.to_json();
                let rev = net.revision();
                match net.apply(o, &Actor::Host, now()) {
                    Ok(c) => prop_assert_eq!(c.revision, rev + 1),
                    Err(_) => {
                        prop_assert_eq!(net.to_json(), before);
                        prop_assert_eq!(net.revision(), rev);
                    }
                }
                check_numbering(&net);
            }
            let saved = net.to_json();
            let loaded = Network::from_json(&saved).unwrap();
            prop_assert_eq!(&loaded, &net);
            prop_assert_eq!(loaded.to_json(), saved);
            check_numbering(&loaded);
        }

        /// Data safety: a mutation applied to a network saved and loaded again
        /// has exactly the result it has in memory, success or error.
        #[test]
        fn mutations_after_reload_match_memory(steps in proptest::collection::vec(step(), 1..40)) {
            let mut net = Network::new("org".parse().unwrap(), "Org", "org".parse().unwrap(), now()).unwrap();
            for (i, s) in steps.iter().enumerate() {
                let o = to_op(&net, i, s);
                let mut reloaded = Network::from_json(&net.to_json()).unwrap();
                let a = net.apply(o.clone(), &Actor::Host, now());
                let b = reloaded.apply(o, &Actor::Host, now());
                match (a, b) {
                    (Ok(x), Ok(y)) => prop_assert_eq!(x.summary, y.summary),
                    (Err(x), Err(y)) => prop_assert_eq!(x, y),
                    (x, y) => prop_assert!(false, "memory {:?} vs reloaded {:?}", x, y),
                }
                prop_assert_eq!(net.to_json(), reloaded.to_json());
            }
        }

        /// Replaying the change log onto a fresh network rebuilds it exactly.
        #[test]
        fn change_log_replays(steps in proptest::collection::vec(step(), 1..30)) {
            let fresh = || Network::new("org".parse().unwrap(), "Org", "org".parse().unwrap(), now()).unwrap();
            let mut net = fresh();
            let mut log = Vec::new();
            for (i, s) in steps.iter().enumerate() {
                if let Ok(c) = net.apply(to_op(&net, i, s), &Actor::Host, now()) {
                    log.push(serde_json::to_string(&c).unwrap());
                }
            }
            let mut replay = fresh();
            for line in &log {
                let c: Change = serde_json::from_str(line).unwrap();
                replay.apply(c.op, &c.actor, c.at).unwrap();
            }
            prop_assert_eq!(replay.to_json(), net.to_json());
        }
    }
}
