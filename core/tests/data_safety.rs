//! Data safety for every kind of mutation: on generated networks with
//! policies, people and grants, a mutation (by the host or by a person, so
//! authorization is exercised too) has the same result on a network saved and
//! loaded again as in memory, and a rejected one changes nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod access_common;

use access_common::*;
use chapterhouse::{Actor, Network, Op};
use proptest::prelude::*;
use serde_json::{Value, json};

const ROLES: [&str; 6] = [
    "member",
    "host",
    "co_leader",
    "chapter_leader",
    "mentor",
    "regional_coordinator",
];
const KINDS: [&str; 3] = ["local", "issue", "campaign"];

/// One mutation of any kind, built from a few numbers against the current network.
fn mutation(net: &Network, i: usize, sel: u8, a: usize, b: usize) -> Value {
    let nodes = node_ids(net);
    let people = person_ids(net);
    let node = |k: usize| nodes[k % nodes.len()].clone();
    let person = |k: usize| {
        people
            .get(k % people.len().max(1))
            .cloned()
            .unwrap_or_else(|| "nobody".into())
    };
    let grants: Vec<String> = serde_json::from_str::<Value>(&net.to_json()).unwrap()["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_owned())
        .collect();
    match sel % 12 {
        0 => {
            json!({"op":"grant","id":format!("g-new-{i}"),"person":person(a),"role":ROLES[b % ROLES.len()],"scope":{"node":node(b)}})
        }
        1 => {
            json!({"op":"revoke","id":grants.get(a % grants.len().max(1)).cloned().unwrap_or_else(|| "g-none".into())})
        }
        2 => {
            json!({"op":"suspend","person":person(a),"suspended":b.is_multiple_of(2),"reason":"conduct review"})
        }
        3 => {
            json!({"op":"attest","person":person(a),"attestation":(["data_agreement","data_protection_training"][b % 2]),"held":!b.is_multiple_of(3)})
        }
        4 => json!({"op":"set_person","id":format!("p-new-{}", a % 4),"name":"New Volunteer"}),
        5 => json!({"op":"approve","id":node(a)}),
        6 => json!({"op":"archive","id":node(a),"reason":"quiet"}),
        7 => json!({"op":"restore","id":node(a)}),
        8 => json!({"op":"move","id":node(a),"parent":node(b)}),
        9 => {
            let kind = KINDS[b % 3];
            let mut v = json!({"op":"apply_chapter","id":format!("c-new-{i}"),"parent":node(a),"name":"New","slug":format!("c-new-{i}"),"group_kind":kind});
            if kind == "campaign" {
                v["campaign_end"] = json!("2027-01-01T00:00:00Z");
            }
            v
        }
        10 => json!({"op":"update_profile","id":node(a),"tags":[(["rivers","lead"][b % 2])]}),
        _ => json!({"op":"reject","id":node(a),"reason":"duplicate"}),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_mutation_is_the_same_after_save_and_load(
        s in spec(),
        steps in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), 0usize..8), 1..16),
    ) {
        let mut net = build(&s);
        let now = at(s.now);
        for (i, (sel, a, b, who)) in steps.into_iter().enumerate() {
            let v = mutation(&net, i, sel, a, b);
            let Ok(op) = serde_json::from_value::<Op>(v.clone()) else {
                continue; // an id the generator made malformed: nothing to apply
            };
            let people = person_ids(&net);
            let actor = match people.get(who) {
                Some(p) if who < 6 => Actor::Person(p.parse().unwrap()),
                _ => Actor::Host,
            };
            let saved = net.to_json();
            let mut reloaded = Network::from_json(&saved).unwrap();
            let in_memory = net.apply(op.clone(), &actor, now);
            let after_load = reloaded.apply(op, &actor, now);
            match (&in_memory, &after_load) {
                (Ok(x), Ok(y)) => prop_assert_eq!(&x.summary, &y.summary),
                (Err(x), Err(y)) => {
                    prop_assert_eq!(x, y);
                    prop_assert_eq!(net.to_json(), saved.clone(), "rejected {} changed the network", v);
                }
                _ => prop_assert!(false, "{}: memory {:?} vs reloaded {:?}", v, in_memory, after_load),
            }
            prop_assert_eq!(net.to_json(), reloaded.to_json());
            net.check_invariants().unwrap();
        }
    }
}
