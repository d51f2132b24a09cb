//! Any bytes as a JSON-lines log of operations applied to the sample network:
//! after each line the invariants hold, and a rejected line changes nothing.
#![no_main]

use chapterhouse::{Actor, Network, Op};
use libfuzzer_sys::fuzz_target;

const SAMPLE: &str = include_str!("../../examples/data/network.json");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut net = Network::from_json(SAMPLE).expect("sample loads");
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
