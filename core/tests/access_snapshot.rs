//! Loading the snapshot's `policy`, `people` and `grants` sections: typed
//! records, clear errors naming the item, warnings, canonical save.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chapterhouse::access::Policy;
use chapterhouse::{ErrorKind, Network};
use serde_json::{Value, json};

fn doc() -> Value {
    json!({
        "format": "chapterhouse/1",
        "organization": {"id": "org", "name": "Org", "slug": "org",
            "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:00:00Z"},
        "nodes": [
            {"id": "ne", "kind": "region", "parent": "org", "name": "Northeast", "slug": "ne",
             "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:00:00Z"},
            {"id": "ch-boston", "kind": "chapter", "parent": "ne", "name": "Boston", "slug": "boston",
             "tags": ["water-quality"], "group_kind": "local", "status": "active",
             "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:00:00Z"}
        ],
        "people": [
            {"id": "p-0001", "name": "Ana Ruiz", "attestations": ["data_protection_training", "data_agreement"], "suspended": false},
            {"id": "p-0002", "name": "Ben Okafor"}
        ],
        "grants": [
            {"id": "g-0001", "person": "p-0001", "role": "chapter_leader", "scope": {"node": "ch-boston"},
             "valid_from": "2025-01-01T00:00:00Z", "valid_until": "2027-01-01T00:00:00Z"},
            {"id": "g-0002", "person": "p-0002", "role": "mentor", "scope": {"tag": "water-quality"},
             "valid_from": "2025-01-01T00:00:00Z"}
        ]
    })
}

fn load(v: &Value) -> Result<Network, chapterhouse::SnapshotError> {
    Network::from_json(&v.to_string())
}

fn err(v: &Value) -> (ErrorKind, String) {
    let e = load(v).unwrap_err();
    (e.kind(), e.to_string())
}

#[test]
fn the_sample_shapes_load_and_save_canonically() {
    let net = load(&doc()).unwrap();
    assert_eq!(net.people().count(), 2);
    assert_eq!(net.grants().count(), 2);
    // attestations are kept sorted
    assert_eq!(
        net.person("p-0001").unwrap().attestations,
        ["data_agreement", "data_protection_training"]
    );
    assert!(!net.has_own_policy());
    let text = net.to_json();
    assert!(!text.contains("\"policy\""));
    assert!(text.contains("\n  {\"id\":\"g-0002\",\"person\":\"p-0002\",\"role\":\"mentor\",\"scope\":{\"tag\":\"water-quality\"},\"valid_from\":\"2025-01-01T00:00:00Z\"}"), "{text}");
    let again = Network::from_json(&text).unwrap();
    assert_eq!(again, net);
    assert_eq!(again.to_json(), text);
    assert!(
        net.access_warnings().is_empty(),
        "{:?}",
        net.access_warnings()
    );
}

#[test]
fn an_explicit_policy_is_saved_one_item_per_line() {
    let mut d = doc();
    d["policy"] = serde_json::from_str(&Policy::default().to_json()).unwrap();
    let net = load(&d).unwrap();
    assert!(net.has_own_policy());
    let text = net.to_json();
    assert!(
        text.contains("\"policy\": {\n  \"capabilities\": [\n    {\"name\":\"chapter.view\""),
        "{text}"
    );
    let again = Network::from_json(&text).unwrap();
    assert_eq!(again.to_json(), text);
    assert_eq!(again.policy(), &Policy::default());
}

#[test]
fn grant_errors_name_the_grant() {
    let cases = [
        (
            "role",
            json!("chief"),
            ErrorKind::InvalidPolicy,
            "role \"chief\" that the policy does not define",
        ),
        (
            "scope",
            json!({"node": "nowhere"}),
            ErrorKind::InvalidPolicy,
            "unknown node \"nowhere\"",
        ),
        (
            "person",
            json!("p-9"),
            ErrorKind::InvalidPolicy,
            "unknown person \"p-9\"",
        ),
        (
            "valid_until",
            json!("2024-01-01T00:00:00Z"),
            ErrorKind::InvalidValue,
            "ends (2024-01-01T00:00:00+00:00) before it starts",
        ),
        (
            "scope",
            json!({"node": "ne"}),
            ErrorKind::InvalidPolicy,
            "role chapter_leader at region level",
        ),
    ];
    for (field, value, kind, text) in cases {
        let mut d = doc();
        d["grants"][0][field] = value;
        let (k, msg) = err(&d);
        assert_eq!(k, kind, "{msg}");
        assert!(msg.starts_with("grants[0]: "), "{msg}");
        assert!(msg.contains("g-0001"), "{msg}");
        assert!(msg.contains(text), "{msg}");
    }
    let mut d = doc();
    d["grants"][1]["id"] = json!("g-0001");
    let (k, msg) = err(&d);
    assert_eq!(k, ErrorKind::AlreadyExists);
    assert!(msg.starts_with("grants[1]: "), "{msg}");
}

#[test]
fn malformed_records_name_the_field() {
    let mut d = doc();
    d["grants"][1]["scope"] = json!({"region": "ne"});
    let (k, msg) = err(&d);
    assert_eq!(k, ErrorKind::Parse);
    assert!(msg.contains("grants[1].scope"), "{msg}");
    let mut d = doc();
    d["people"][1]["email"] = json!("x@example.org");
    let (k, msg) = err(&d);
    assert_eq!(k, ErrorKind::Parse);
    assert!(msg.contains("people[1]"), "{msg}");
}

#[test]
fn people_errors_name_the_person() {
    let mut d = doc();
    d["people"][1]["id"] = json!("p-0001");
    let (k, msg) = err(&d);
    assert_eq!(k, ErrorKind::AlreadyExists);
    assert!(msg.starts_with("people[1]: "), "{msg}");
    let mut d = doc();
    d["people"][0]["attestations"] = json!(["Data Agreement"]);
    let (k, msg) = err(&d);
    assert_eq!(k, ErrorKind::InvalidValue);
    assert!(msg.starts_with("people[0]: "), "{msg}");
}

#[test]
fn policy_errors_name_the_entry() {
    let base: Value = serde_json::from_str(&Policy::default().to_json()).unwrap();
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut p = base.clone();
    p["roles"][1]["capabilities"] = json!(["chapter.view", "chapter.fly"]);
    cases.push((
        p,
        "roles[1] (member): names an unknown capability \"chapter.fly\"",
    ));
    let mut p = base.clone();
    p["roles"][4]["capabilities"] = json!(["chapter.view", "chapter.approve"]);
    cases.push((p, "roles[4] (chapter_leader): is granted only at chapter level but claims capabilities reserved to central (chapter.approve)"));
    let mut p = base.clone();
    p["capabilities"][1]["name"] = json!("chapter.view");
    cases.push((p, "capabilities[1] (chapter.view): is defined twice"));
    let mut p = base.clone();
    p["forbid"][2]["attestation"] = json!("blood_oath");
    cases.push((
        p,
        "forbid[2] (data_agreement): requires the attestation \"blood_oath\"",
    ));
    let mut p = base.clone();
    p["capabilities"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["name"] != "policy.edit");
    for r in p["roles"].as_array_mut().unwrap() {
        r["capabilities"]
            .as_array_mut()
            .unwrap()
            .retain(|c| c != "policy.edit");
    }
    cases.push((
        p,
        "capabilities: must define the built-in capability policy.edit",
    ));
    let mut p = base.clone();
    p["applicant_role"] = json!("regional_coordinator");
    cases.push((
        p,
        "applicant_role: role \"regional_coordinator\" cannot be granted at chapter level",
    ));
    for (policy, text) in cases {
        let mut d = doc();
        d["policy"] = policy;
        let (k, msg) = err(&d);
        assert_eq!(k, ErrorKind::InvalidPolicy, "{msg}");
        assert!(msg.starts_with("policy: "), "{msg}");
        assert!(msg.contains(text), "{msg}");
    }
}

#[test]
fn warnings_name_the_item() {
    let mut d = doc();
    d["grants"][1]["scope"] = json!({"tag": "housing"});
    d["people"][1]["attestations"] = json!(["first_aid"]);
    let mut p: Value = serde_json::from_str(&Policy::default().to_json()).unwrap();
    p["roles"][5]["capabilities"] = json!(["chapter.view", "chapter.approve"]); // mentor: region, chapter, tag
    d["policy"] = p;
    let net = load(&d).unwrap();
    let w: Vec<String> = net
        .access_warnings()
        .iter()
        .map(|w| w.to_string())
        .collect();
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(
        w[0].starts_with(
            "roles[5] (mentor): claims capabilities reserved to central (chapter.approve)"
        ),
        "{w:?}"
    );
    assert!(
        w[1].starts_with("people[1] (p-0002): holds the attestation \"first_aid\""),
        "{w:?}"
    );
    assert!(
        w[2].starts_with("grants[1] (g-0002): is scoped to the tag housing, which no node carries"),
        "{w:?}"
    );
    // the mentor's tag grant does not confer the reserved capability
    let now = "2026-01-01T00:00:00Z".parse().unwrap();
    assert!(
        !net.check("p-0002", "chapter.approve", "ch-boston", now)
            .unwrap()
            .is_allowed()
    );
}

#[test]
fn a_future_policy_field_is_refused_with_its_path() {
    let mut d = doc();
    let mut p: Value = serde_json::from_str(&Policy::default().to_json()).unwrap();
    p["roles"][0]["inherits"] = json!(["member"]);
    d["policy"] = p;
    let (k, msg) = err(&d);
    assert_eq!(k, ErrorKind::Parse);
    assert!(msg.contains("policy.roles[0]"), "{msg}");
}
