//! Structured sequences of mutations (add, apply, move, status changes,
//! profile updates) on a growing network: invariants hold after each step,
//! a rejected step leaves the snapshot byte-identical, and the final
//! snapshot round-trips.
#![no_main]

use chapterhouse::{Actor, Network, Op};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let now = "2026-01-01T00:00:00Z".parse().expect("time");
    let mut net = Network::new(
        "org".parse().expect("id"),
        "Org",
        "org".parse().expect("slug"),
        now,
    )
    .expect("network");
    for (i, chunk) in data.chunks_exact(3).take(200).enumerate() {
        let (sel, a, b) = (chunk[0], chunk[1] as usize, chunk[2] as usize);
        let ids: Vec<String> = net.nodes().map(|n| n.id.to_string()).collect();
        let pick = |k: usize| ids[k % ids.len()].clone();
        let kinds = ["local", "issue", "campaign"];
        let op = match sel % 9 {
            0 => {
                json!({"op":"add_region","id":format!("r{i}"),"parent":pick(a),"name":"R","slug":format!("r{i}")})
            }
            1 => {
                let mut v = json!({"op":"apply_chapter","id":format!("c{i}"),"parent":pick(a),"name":"C","slug":format!("c{i}"),"group_kind":kinds[b % 3]});
                if b % 3 == 2 || b > 250 {
                    v["campaign_end"] = json!("2027-01-01T00:00:00Z");
                }
                v
            }
            2 => json!({"op":"move","id":pick(a),"parent":pick(b)}),
            3 => json!({"op":"approve","id":pick(a)}),
            4 => json!({"op":"reject","id":pick(a),"reason":"r"}),
            5 => json!({"op":"archive","id":pick(a),"reason":"r"}),
            6 => json!({"op":"restore","id":pick(a)}),
            7 => json!({"op":"update_profile","id":pick(a),"slug":format!("s{}", b % 7)}),
            _ => {
                json!({"op":"convert_campaign","id":pick(a),"to":(["dissolve","local","issue"][b % 3])})
            }
        };
        let op: Op = serde_json::from_value(op).expect("op shape");
        let before = net.to_json();
        let rev = net.revision();
        if net.apply(op, &Actor::Host, now).is_err() {
            assert_eq!(net.to_json(), before);
            assert_eq!(net.revision(), rev);
        }
        net.check_invariants().unwrap();
    }
    let saved = net.to_json();
    let again = Network::from_json(&saved).expect("saved snapshot loads");
    assert_eq!(again.to_json(), saved);
});
