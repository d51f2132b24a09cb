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
        "check" | "nodes_where" | "who_can" | "lookup" | "nearest" => {
            match query_step(net, step, query) {
                Ok(v) => v,
                Err(kind) => serde_json::json!({ "error": kind }),
            }
        }
        other => panic!("{name}: unknown query {other:?}; every runner must know every step kind"),
    };
    if query == "nearest" {
        // distances agree to the metre (geodesic arithmetic may differ in the last bits)
        let (got, want) = (got.as_array().unwrap(), expect.as_array().unwrap());
        assert_eq!(got.len(), want.len(), "{name}: nearest {got:?}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g["id"], w["id"], "{name}: nearest");
            let (g, w) = (
                g["distance_m"].as_f64().unwrap(),
                w["distance_m"].as_f64().unwrap(),
            );
            assert!((g - w).abs() <= 1.0, "{name}: nearest distance {g} vs {w}");
        }
        return;
    }
    assert_eq!(&got, expect, "{name}: query {query}");
}

fn time(step: &Value) -> chrono::DateTime<chrono::Utc> {
    step["now"].as_str().unwrap().parse().unwrap()
}

/// Permission and territory queries; `Err` carries the error kind's code.
fn query_step(net: &Network, step: &Value, query: &str) -> Result<Value, &'static str> {
    let s = |k: &str| step[k].as_str().unwrap_or_default();
    let f = |k: &str| step[k].as_f64().unwrap();
    match query {
        "check" => {
            let d = net
                .check(s("person"), s("capability"), s("node"), time(step))
                .map_err(|e| e.kind().as_str())?;
            let mut out = serde_json::json!({ "allowed": d.is_allowed(), "code": d.code() });
            if let Some(g) = d.grant() {
                out["grant"] = Value::String(g.id.to_string());
            }
            Ok(out)
        }
        "nodes_where" => {
            let mut ids = Vec::new();
            let mut after: Option<String> = None;
            loop {
                // pages of 2, so every vector exercises pagination
                let page = net
                    .nodes_where(
                        s("person"),
                        s("capability"),
                        time(step),
                        after.as_deref(),
                        2,
                    )
                    .map_err(|e| e.kind().as_str())?;
                ids.extend(page.nodes.iter().map(|n| n.id.to_string()));
                match page.next {
                    Some(n) => after = Some(n.to_string()),
                    None => break,
                }
            }
            Ok(serde_json::to_value(ids).unwrap())
        }
        "who_can" => {
            let mut ids: Vec<String> = net
                .who_can(s("capability"), s("node"), time(step))
                .map_err(|e| e.kind().as_str())?
                .iter()
                .map(|a| a.person.id.to_string())
                .collect();
            ids.sort();
            Ok(serde_json::to_value(ids).unwrap())
        }
        "lookup" => {
            let found = net
                .lookup(f("lon"), f("lat"), &Default::default())
                .map_err(|e| e.kind().as_str())?;
            Ok(
                serde_json::to_value(found.iter().map(|n| n.id.as_str()).collect::<Vec<_>>())
                    .unwrap(),
            )
        }
        "nearest" => {
            let k = step["k"].as_u64().unwrap() as usize;
            let found = net
                .nearest(f("lon"), f("lat"), k, &Default::default())
                .map_err(|e| e.kind().as_str())?;
            Ok(Value::Array(
                found
                    .iter()
                    .map(|(n, d)| serde_json::json!({ "id": n.id.as_str(), "distance_m": d }))
                    .collect(),
            ))
        }
        _ => unreachable!(),
    }
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
