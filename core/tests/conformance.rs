//! Runs every shared vector in `tests/conformance/` against the core.
//! The C, WASM and Python suites run the same files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use chapterhouse::{Actor, Network, Op};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance")
}

fn snapshot_text(case: &Value) -> String {
    match (case.get("snapshot"), case.get("snapshot_text")) {
        (Some(v), None) => v.to_string(),
        (None, Some(Value::String(s))) => s.clone(),
        _ => panic!("a case needs exactly one of snapshot / snapshot_text"),
    }
}

fn run_step(net: &mut Network, step: &Value, name: &str) {
    let expect = &step["expect"];
    if let Some(op) = step.get("apply") {
        let op: Op =
            serde_json::from_value(op.clone()).unwrap_or_else(|e| panic!("{name}: bad op: {e}"));
        let actor: Actor = serde_json::from_value(step["actor"].clone()).unwrap();
        let now = step["now"].as_str().unwrap().parse().unwrap();
        let before = net.to_json();
        match (net.apply(op, &actor, now), expect.get("error")) {
            (Ok(change), None) => {
                if let Some(s) = expect.get("summary") {
                    assert_eq!(change.summary, s.as_str().unwrap(), "{name}");
                }
            }
            (Err(e), Some(kind)) => {
                assert_eq!(e.kind().as_str(), kind.as_str().unwrap(), "{name}: {e}");
                assert_eq!(
                    net.to_json(),
                    before,
                    "{name}: a rejected step changed the network"
                );
            }
            (Ok(c), Some(kind)) => panic!("{name}: expected {kind}, got change {:?}", c.summary),
            (Err(e), None) => panic!("{name}: unexpected error {e}"),
        }
        return;
    }
    let query = step["query"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: step is neither apply nor query"));
    let got = match query {
        "subtree" => {
            let ids: Vec<&str> = net
                .subtree(step["id"].as_str().unwrap())
                .unwrap()
                .map(|n| n.id.as_str())
                .collect();
            serde_json::to_value(ids).unwrap()
        }
        "status" => {
            let n = net.node(step["id"].as_str().unwrap()).unwrap();
            Value::String(n.chapter().unwrap().status.as_str().into())
        }
        "is_ancestor" => Value::Bool(
            net.is_ancestor(
                step["ancestor"].as_str().unwrap(),
                step["node"].as_str().unwrap(),
            )
            .unwrap(),
        ),
        other => panic!("{name}: unknown query {other:?}; every runner must know every step kind"),
    };
    assert_eq!(&got, expect, "{name}: query {query}");
}

#[test]
fn all_vectors_pass() {
    let mut files: Vec<_> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 8,
        "conformance vectors missing: {}",
        files.len()
    );
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let loaded = Network::from_json(&snapshot_text(&case));
        match (loaded, case.get("load_error")) {
            (Ok(mut net), None) => {
                for step in case["steps"].as_array().unwrap() {
                    run_step(&mut net, step, &name);
                }
            }
            (Err(e), Some(kind)) => {
                assert_eq!(e.kind().as_str(), kind.as_str().unwrap(), "{name}: {e}")
            }
            (Ok(_), Some(kind)) => panic!("{name}: expected load error {kind}"),
            (Err(e), None) => panic!("{name}: unexpected load error {e}"),
        }
    }
}
