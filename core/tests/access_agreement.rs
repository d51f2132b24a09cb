//! Agreement suite: on generated networks, `check` matches the reference
//! model, and `nodes_where`, `who_can`, `capabilities_at`, `audit` and the
//! explanations agree with `check`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod access_common;

use std::collections::BTreeSet;

use access_common::*;
use chapterhouse::access::Decision;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 96,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn check_matches_the_reference_model(s in spec()) {
        let net = build(&s);
        let now = at(s.now);
        let reference = Reference::new(&net);
        for p in person_ids(&net) {
            for c in capability_names(&net) {
                for n in node_ids(&net) {
                    let d = net.check(&p, &c, &n, now).unwrap();
                    let want = reference.decide(&p, &c, &n, now);
                    prop_assert_eq!(verdict(&d), want, "{} {} {}: {}", p, c, n, d);
                }
            }
        }
    }

    #[test]
    fn queries_agree_with_check(s in spec(), limit in 1usize..5) {
        let net = build(&s);
        let now = at(s.now);
        let nodes = node_ids(&net);
        let people = person_ids(&net);
        for c in capability_names(&net) {
            for p in &people {
                // nodes_where, read page by page, is exactly the allowed nodes in preorder
                let want: Vec<String> = nodes
                    .iter()
                    .filter(|n| net.check(p, &c, n, now).unwrap().is_allowed())
                    .cloned()
                    .collect();
                let mut got = Vec::new();
                let mut after: Option<String> = None;
                loop {
                    let page = net.nodes_where(p, &c, now, after.as_deref(), limit).unwrap();
                    prop_assert!(page.nodes.len() <= limit);
                    got.extend(page.nodes.iter().map(|n| n.id.to_string()));
                    match page.next {
                        Some(next) => {
                            prop_assert_eq!(page.nodes.len(), limit);
                            after = Some(next.to_string());
                        }
                        None => break,
                    }
                }
                prop_assert_eq!(&got, &want, "nodes_where {} {}", p, c);
            }
            for n in &nodes {
                // who_can is exactly the people check allows, citing the same grant
                let want: BTreeSet<(String, String)> = people
                    .iter()
                    .filter_map(|p| match net.check(p, &c, n, now).unwrap() {
                        Decision::Allow(a) => Some((p.clone(), a.grant.id.to_string())),
                        _ => None,
                    })
                    .collect();
                let who = net.who_can(&c, n, now).unwrap();
                let got: BTreeSet<(String, String)> =
                    who.iter().map(|a| (a.person.id.to_string(), a.grant.id.to_string())).collect();
                prop_assert_eq!(got.len(), who.len(), "who_can lists a person twice");
                prop_assert_eq!(got, want, "who_can {} {}", c, n);
            }
            // audit: anyone allowed somewhere holds it in the audit, unblocked
            let audit = net.audit(&c, now).unwrap();
            let unblocked: BTreeSet<String> = audit
                .iter()
                .filter(|e| e.blocked_by.is_none())
                .map(|e| e.person.id.to_string())
                .collect();
            for p in &people {
                let anywhere = !net.nodes_where(p, &c, now, None, 1).unwrap().nodes.is_empty();
                if anywhere {
                    prop_assert!(unblocked.contains(p), "audit {} misses {}", c, p);
                }
            }
            for e in &audit {
                prop_assert!(e.grant.is_valid_at(now));
                if let chapterhouse::access::Scope::Node(id) = &e.grant.scope
                    && e.blocked_by.is_none()
                {
                    let d = net.check(e.person.id.as_str(), &c, id.as_str(), now).unwrap();
                    // allowed at the grant's own node unless a node rule stops it there
                    prop_assert!(d.is_allowed() || d.code() == "node_not_active" || d.code() == "forbidden", "{}", d);
                }
            }
        }
        for p in &people {
            for n in &nodes {
                let want: Vec<(String, String)> = capability_names(&net)
                    .into_iter()
                    .filter_map(|c| match net.check(p, &c, n, now).unwrap() {
                        Decision::Allow(a) => Some((c, a.grant.id.to_string())),
                        _ => None,
                    })
                    .collect();
                let got: Vec<(String, String)> = net
                    .capabilities_at(p, n, now)
                    .unwrap()
                    .iter()
                    .map(|a| (a.capability.name.clone(), a.grant.id.to_string()))
                    .collect();
                prop_assert_eq!(got, want, "capabilities_at {} {}", p, n);
            }
        }
    }

    #[test]
    fn explanations_agree_with_decisions(s in spec()) {
        let net = build(&s);
        let now = at(s.now);
        for p in person_ids(&net) {
            for c in capability_names(&net) {
                for n in node_ids(&net) {
                    let d = net.check(&p, &c, &n, now).unwrap();
                    let text = d.to_string();
                    let report = d.report();
                    prop_assert_eq!(&net.explain(&p, &c, &n, now).unwrap(), &report);
                    prop_assert_eq!(report.allowed, d.is_allowed());
                    prop_assert_eq!(report.explanation.as_str(), text.as_str());
                    prop_assert_eq!(text.starts_with("allowed:"), d.is_allowed(), "{}", text);
                    prop_assert!(text.contains(c.as_str()) || matches!(&d, Decision::Deny(x) if x.person.is_none()), "{}", text);
                    if let Some(g) = d.grant() {
                        prop_assert!(text.contains(g.id.as_str()), "{}", text);
                    }
                    if let Some(r) = &report.rule {
                        prop_assert!(text.contains(r.as_str()), "{}", text);
                    }
                    prop_assert_eq!(text.contains("reveals personal data"), d.personal_data(), "{}", text);
                    if let Decision::Allow(a) = &d {
                        // the path runs from the grant's anchor down to the node
                        let ids = a.path.ids();
                        prop_assert_eq!(ids.last().map(|i| i.to_string()), Some(n.clone()));
                        if let chapterhouse::access::Scope::Node(g) = &a.grant.scope {
                            prop_assert_eq!(ids.first(), Some(g));
                        }
                        prop_assert!(a.grant.is_valid_at(now));
                    }
                }
            }
        }
    }
}
