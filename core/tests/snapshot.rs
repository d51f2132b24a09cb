//! Loading hostile and broken snapshots: clear errors, never a panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chapterhouse::{ErrorKind, Network, SnapshotError};

const ORG: &str = r#""organization":{"id":"org","name":"Org","slug":"org","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}"#;

fn doc(nodes: &str) -> String {
    format!(r#"{{"format":"chapterhouse/1",{ORG},"nodes":[{nodes}]}}"#)
}

fn region(id: &str, parent: &str) -> String {
    format!(
        r#"{{"id":"{id}","kind":"region","parent":"{parent}","name":"{id}","slug":"{id}","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}}"#
    )
}

#[test]
fn cycle_names_its_nodes() {
    let text = doc(&[
        region("a", "c"),
        region("b", "a"),
        region("c", "b"),
        region("d", "org"),
    ]
    .join(","));
    let err = Network::from_json(&text).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidStructure);
    let msg = err.to_string();
    assert!(msg.starts_with("nodes: nodes form a cycle: "), "{msg}");
    for id in ["a ", "b ", "c "] {
        assert!(msg.contains(id), "{msg}");
    }
    assert!(
        !msg.contains(" d ") && !msg.ends_with(" d"),
        "the cycle names only its members: {msg}"
    );
}

#[test]
fn duplicate_and_unknown_parent_name_the_node_position() {
    let err =
        Network::from_json(&doc(&[region("a", "org"), region("a", "org")].join(","))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    assert!(err.to_string().starts_with("nodes[1]:"), "{err}");

    let err = Network::from_json(&doc(&region("a", "nowhere"))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        err.to_string(),
        "nodes[0]: node \"a\" names an unknown parent \"nowhere\""
    );
}

#[test]
fn second_root_is_refused() {
    let second = r#"{"id":"o2","kind":"organization","name":"Other","slug":"o2","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}"#;
    let err = Network::from_json(&doc(second)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidStructure);
    assert!(err.to_string().contains("second organization"), "{err}");
}

#[test]
fn truncated_json_gives_position() {
    let full = doc(&region("a", "org"));
    for cut in [1, 10, full.len() / 2, full.len() - 1] {
        let err = Network::from_json(&full[..cut]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse, "cut at {cut}");
        match err {
            SnapshotError::Malformed { line, column, .. } => assert!(line >= 1 && column >= 1),
            other => panic!("unexpected {other}"),
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let err = Network::from_json(&deep).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert_eq!(
        err.to_string(),
        "JSON nesting in snapshot exceeds the limit: 65 > 64 (max_json_depth)"
    );
    // with the cap raised past the parser's own recursion limit, the parser
    // still refuses it cleanly
    let lax = chapterhouse::Limits {
        max_json_depth: 1_000_000,
        ..Default::default()
    };
    let err = Network::from_json_with(&deep, &lax).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.to_string().contains("recursion limit"), "{err}");

    // deep nesting inside an otherwise valid snapshot, in a territory
    let nested = format!(
        r#"{{"format":"chapterhouse/1",{ORG},"nodes":[{{"id":"c","kind":"chapter","parent":"org","name":"C","slug":"c","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","group_kind":"local","status":"active","territory":{}}}]}}"#,
        "[".repeat(100_000) + &"]".repeat(100_000)
    );
    let err = Network::from_json(&nested).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    let err = Network::from_json_with(&nested, &lax).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
}

#[test]
fn node_count_cap() {
    let limits = chapterhouse::Limits {
        max_nodes: 2,
        ..Default::default()
    };
    let two = doc(&region("a", "org"));
    assert!(Network::from_json_with(&two, &limits).is_ok());
    let three = doc(&[region("a", "org"), region("b", "org")].join(","));
    let err = Network::from_json_with(&three, &limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "nodes exceeds the limit: 3 > 2 (max_nodes)"
    );
}

#[test]
fn wrong_types_and_unknown_fields_name_the_path() {
    let err = Network::from_json(&doc(
        &region("a", "org").replace(r#""name":"a""#, r#""name":7"#)
    ))
    .unwrap_err();
    assert!(err.to_string().contains("nodes[0].name"), "{err}");
    let err = Network::from_json(&doc(
        &region("a", "org").replace(r#""slug":"a""#, r#""slug":"a","colour":"blue""#)
    ))
    .unwrap_err();
    assert!(err.to_string().contains("colour"), "{err}");
    let err = Network::from_json(&doc(
        &region("a", "org").replace(r#""slug":"a""#, r#""slug":"A B""#)
    ))
    .unwrap_err();
    assert!(err.to_string().contains("nodes[0].slug"), "{err}");
    let err = Network::from_json(r#"{"organization":{}}"#).unwrap_err();
    assert!(
        err.to_string().contains("\"format\" member is missing"),
        "{err}"
    );
    let err = Network::from_json("").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
}

#[test]
fn chapter_fields_on_a_region_are_refused() {
    let text = doc(&region("a", "org").replace(r#""slug":"a""#, r#""slug":"a","status":"active""#));
    let err = Network::from_json(&text).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert!(err.to_string().contains("status"), "{err}");
}

#[test]
fn bad_territory_is_invalid_geometry_naming_the_chapter() {
    let node = r#"{"id":"ch-x","kind":"chapter","parent":"org","name":"X","slug":"x","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","group_kind":"local","status":"active","territory":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1]]]}}"#;
    let err = Network::from_json(&doc(node)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidGeometry);
    let msg = err.to_string();
    assert!(
        msg.starts_with("nodes[0]:") && msg.contains("ch-x"),
        "{msg}"
    );
}

#[test]
fn territory_vertex_cap_names_the_chapter() {
    let node = r#"{"id":"ch-x","kind":"chapter","parent":"org","name":"X","slug":"x","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","group_kind":"local","status":"active","territory":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#;
    let text = doc(node);
    assert!(Network::from_json(&text).is_ok());
    let limits = chapterhouse::Limits {
        max_vertices_per_territory: 3,
        ..Default::default()
    };
    let err = Network::from_json_with(&text, &limits).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert_eq!(
        err.to_string(),
        "nodes[0]: territory of ch-x: territory vertices exceeds the limit: 4 > 3 (max_vertices_per_territory)"
    );
}

#[test]
fn activity_row_cap() {
    use chapterhouse::health::ActivityTable;
    let csv = "group,time,kind,value,actor\nch-1,2026-10-01T18:00:00Z,post,,a\nch-1,2026-10-02T18:00:00Z,post,,b\n";
    let two = chapterhouse::Limits {
        max_activity_rows: 2,
        ..Default::default()
    };
    assert_eq!(ActivityTable::from_csv_with(csv, &two).unwrap().len(), 2);
    let one = chapterhouse::Limits {
        max_activity_rows: 1,
        ..Default::default()
    };
    let err = ActivityTable::from_csv_with(csv, &one).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert_eq!(
        err.to_string(),
        "activity rows exceeds the limit: 2 > 1 (max_activity_rows)"
    );
    // without a final line break the count is the same
    let err = ActivityTable::from_csv_with(csv.trim_end(), &one).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
}
