//! Replays every input under `fuzz/regressions/` with the fuzz targets'
//! assertions, so an input that once crashed stays fixed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use chapterhouse::{Actor, Network, Op};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn snapshot_inputs() {
    let files = inputs("snapshot");
    assert!(!files.is_empty());
    let mut loaded = 0;
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        if let Ok(net) = Network::from_json(text) {
            loaded += 1;
            net.check_invariants().unwrap();
            let saved = net.to_json();
            let again =
                Network::from_json(&saved).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(again.to_json(), saved, "{}", path.display());
        }
    }
    // the minimal territory case loads; the others are refused
    assert_eq!(loaded, 1);
}

#[test]
fn op_json_inputs() {
    let sample = include_str!("../../examples/data/network.json");
    for path in inputs("op_json") {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut net = Network::from_json(sample).unwrap();
        let now = "2026-11-01T00:00:00Z".parse().unwrap();
        for line in text.lines().take(64) {
            let Ok(op) = serde_json::from_str::<Op>(line) else {
                continue;
            };
            let before = net.to_json();
            if net.apply(op, &Actor::Host, now).is_err() {
                assert_eq!(net.to_json(), before, "{}", path.display());
            }
            net.check_invariants().unwrap();
        }
    }
}
