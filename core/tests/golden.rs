//! Snapshots written by earlier versions load and save back byte for byte.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use chapterhouse::Network;

#[test]
fn golden_snapshots_load_and_save_identically() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let net = Network::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        net.check_invariants().unwrap();
        assert!(
            net.to_json() == text,
            "{} no longer saves identically",
            path.display()
        );
        n += 1;
    }
    assert!(n >= 1, "no golden snapshots found");
}
