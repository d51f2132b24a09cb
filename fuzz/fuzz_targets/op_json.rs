//! Any bytes as a JSON-lines log of operations applied to the sample network:
//! after each line the invariants hold, and a rejected line changes nothing.
#![no_main]

use std::sync::OnceLock;

use chapterhouse::{Actor, Network, Op};
use libfuzzer_sys::fuzz_target;

const SAMPLE: &str = include_str!("../../examples/data/network.json");

/// The sample network without its (large) county geometries, so each run
/// clones a small network; territories have a target of their own.
fn base() -> Network {
    let mut doc: serde_json::Value = serde_json::from_str(SAMPLE).expect("sample parses");
    if let Some(nodes) = doc.get_mut("nodes").and_then(|n| n.as_array_mut()) {
        for node in nodes {
            if let Some(obj) = node.as_object_mut() {
                obj.remove("territory");
            }
        }
    }
    Network::from_json(&doc.to_string()).expect("sample loads")
}

static BASE: OnceLock<Network> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut net = BASE.get_or_init(base).clone();
    let now = "2026-11-01T00:00:00Z".parse().expect("time");
    for line in text.lines().take(64) {
        let Ok(op) = serde_json::from_str::<Op>(line) else {
            continue;
        };
        let before = net.clone();
        if net.apply(op, &Actor::Host, now).is_err() {
            assert!(net == before, "a rejected op changed the network");
            assert_eq!(net.revision(), before.revision());
        }
        net.check_invariants().unwrap();
    }
});
