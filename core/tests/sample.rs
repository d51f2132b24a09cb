//! The sample network (examples/data/network.json, written by
//! scripts/sample/network.mjs): it loads, it is in canonical form (load → save
//! gives the same bytes), and it has the shape every example relies on.

// Helpers outside `#[test]` functions are test code too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};

use chapterhouse::{ChapterStatus, GroupKind, Network, NodeLevel, Visibility};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

const SAMPLE: &str = include_str!("../../examples/data/network.json");
const COUNTIES: &str = include_str!("../../examples/data/us-counties.geojson");
const PLACES: &str = include_str!("../../examples/data/places.json");

/// The sample's "now" (scripts/sample/lib.mjs `NOW`).
fn now() -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

fn sample() -> Network {
    Network::from_json(SAMPLE).unwrap()
}

fn raw() -> Value {
    serde_json::from_str(SAMPLE).unwrap()
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn sample_round_trips_byte_for_byte() {
    let net = sample();
    let saved = net.to_json();
    if saved != SAMPLE {
        let (a, b): (Vec<_>, Vec<_>) = (saved.lines().collect(), SAMPLE.lines().collect());
        let at = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        panic!(
            "network.json is not in canonical form; first difference at line {}:\n saved: {}\n  file: {}",
            at + 1,
            a.get(at).unwrap_or(&"<end>"),
            b.get(at).unwrap_or(&"<end>"),
        );
    }
    assert_eq!(Network::from_json(&saved).unwrap(), net);
}

#[test]
fn sample_has_the_expected_counts() {
    let net = sample();
    assert_eq!(net.root().id.as_str(), "cwa");
    assert_eq!(net.root().name, "Clean Water Alliance");
    let regions: Vec<_> = net
        .nodes()
        .filter(|n| n.level() == NodeLevel::Region)
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(
        regions,
        ["northeast", "new-england", "south", "west", "pacific"]
    );
    let mut kinds = BTreeMap::new();
    let mut statuses = BTreeMap::new();
    let mut visibilities = BTreeMap::new();
    let mut chapters = 0;
    for c in net.nodes().filter_map(|n| n.chapter()) {
        chapters += 1;
        *kinds.entry(c.group_kind).or_insert(0) += 1;
        *statuses.entry(c.status).or_insert(0) += 1;
        *visibilities.entry(c.visibility).or_insert(0) += 1;
    }
    assert_eq!(chapters, 84);
    assert!((60..=150).contains(&chapters));
    assert_eq!(
        kinds,
        BTreeMap::from([
            (GroupKind::Local, 53),
            (GroupKind::Issue, 19),
            (GroupKind::Campaign, 12)
        ])
    );
    assert_eq!(
        statuses,
        BTreeMap::from([
            (ChapterStatus::Applied, 8),
            (ChapterStatus::Active, 69),
            (ChapterStatus::Rejected, 2),
            (ChapterStatus::Archived, 5),
        ])
    );
    assert_eq!(
        visibilities,
        BTreeMap::from([
            (Visibility::Public, 76),
            (Visibility::Unlisted, 5),
            (Visibility::Hidden, 3)
        ])
    );
    // Every kind, status and visibility occurs (also spelled out, so a new
    // variant added to the library shows up here as a missing case).
    for k in [GroupKind::Local, GroupKind::Issue, GroupKind::Campaign] {
        assert!(kinds.get(&k).is_some_and(|&n| n > 0), "{k:?}");
    }
    for s in [
        ChapterStatus::Applied,
        ChapterStatus::Active,
        ChapterStatus::Rejected,
        ChapterStatus::Archived,
    ] {
        assert!(statuses.get(&s).is_some_and(|&n| n > 0), "{s:?}");
    }
    for v in [Visibility::Public, Visibility::Unlisted, Visibility::Hidden] {
        assert!(visibilities.get(&v).is_some_and(|&n| n > 0), "{v:?}");
    }
}

#[test]
fn sample_hierarchy_is_nested() {
    let net = sample();
    assert!(net.is_ancestor("northeast", "new-england").unwrap());
    assert!(net.is_ancestor("northeast", "ch-boston").unwrap());
    assert!(net.is_ancestor("west", "ch-aleutians").unwrap());
    assert!(!net.is_ancestor("new-england", "ch-brooklyn").unwrap());
    assert_eq!(net.depth("ch-boston").unwrap(), 3);
    assert_eq!(net.chapters_under("new-england").unwrap().count(), 14);
    // some chapters sit directly under the organization (national groups)
    assert!(net.children("cwa").unwrap().any(|n| {
        n.chapter()
            .is_some_and(|c| c.group_kind == GroupKind::Issue)
    }));
}

#[test]
fn sample_chapter_fields_follow_the_rules() {
    let net = sample();
    let mut new_groups = 0;
    for n in net.nodes() {
        let Some(c) = n.chapter() else { continue };
        assert!(n.created <= n.updated && n.updated <= now(), "{}", n.id);
        let from: DateTime<Utc> = "2023-01-01T00:00:00Z".parse().unwrap();
        assert!(n.created >= from, "{}", n.id);
        match c.group_kind {
            GroupKind::Issue => {
                assert!(c.territory.is_none() && !n.tags.is_empty(), "{}", n.id)
            }
            GroupKind::Campaign => assert!(c.campaign_end.is_some(), "{}", n.id),
            GroupKind::Local => {}
        }
        match c.status {
            ChapterStatus::Archived | ChapterStatus::Rejected => {
                assert!(c.status_reason.is_some(), "{}", n.id)
            }
            ChapterStatus::Active => assert!(c.cohort.is_some(), "{}", n.id),
            ChapterStatus::Applied => assert!(now() - n.created < Duration::days(60), "{}", n.id),
        }
        if c.status == ChapterStatus::Active && now() - n.created < Duration::days(90) {
            new_groups += 1;
        }
    }
    assert!(new_groups >= 5, "{new_groups} new groups");
    let cohorts: BTreeSet<_> = net
        .nodes()
        .filter_map(|n| n.chapter()?.cohort.clone())
        .collect();
    assert!(cohorts.contains("2025-spring"), "{cohorts:?}");
    // some campaigns ended before now and are still active (awaiting conversion)
    assert!(net.nodes().filter_map(|n| n.chapter()).any(|c| {
        c.status == ChapterStatus::Active && c.campaign_end.is_some_and(|e| e < now())
    }));
}

fn county_geometries() -> BTreeMap<String, Value> {
    let fc: Value = serde_json::from_str(COUNTIES).unwrap();
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 3231);
    features
        .iter()
        .map(|f| (f["id"].as_str().unwrap().to_owned(), f["geometry"].clone()))
        .collect()
}

fn territory(net: &Network, id: &str) -> Value {
    let c = net.node(id).unwrap().chapter().unwrap();
    c.territory.as_ref().unwrap().to_geojson().clone()
}

#[test]
fn county_territories_are_real_county_shapes() {
    let counties = county_geometries();
    let aw = &counties["02016"];
    assert_eq!(aw["type"], "MultiPolygon");
    let net = sample();
    for (chapter, fips) in [
        ("ch-boston", "25025"),
        ("ch-norfolk", "25021"),
        ("ch-brooklyn", "36047"),
        ("ch-albemarle", "51003"),
        ("ch-aleutians", "02016"),
        ("ch-los-angeles", "06037"),
    ] {
        assert_eq!(territory(&net, chapter), counties[fips], "{chapter}");
    }
    // Albemarle has holes (independent cities), Aleutians West spans the
    // antimeridian with parts on both sides.
    let alb = territory(&net, "ch-albemarle");
    let alb_rings = match alb["type"].as_str().unwrap() {
        "Polygon" => alb["coordinates"].as_array().unwrap().len(),
        _ => alb["coordinates"][0].as_array().unwrap().len(),
    };
    assert!(alb_rings >= 2);
    let aleut = territory(&net, "ch-aleutians");
    let lons: Vec<f64> = aleut["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|poly| poly[0][0][0].as_f64().unwrap())
        .collect();
    assert!(lons.iter().any(|&x| x > 170.0) && lons.iter().any(|&x| x < -170.0));
    // every other territory is a county shape or a service circle
    let mut circles = 0;
    for n in net.nodes() {
        let Some(t) = n.chapter().and_then(|c| c.territory.as_ref()) else {
            continue;
        };
        let g = t.to_geojson();
        if g["type"] == "Point" {
            circles += 1;
            assert!(g["radius_m"].as_f64().unwrap() > 0.0, "{}", n.id);
        } else {
            assert!(counties.values().any(|c| c == g), "{}", n.id);
        }
    }
    assert!(circles >= 6);
}

#[test]
fn county_file_is_well_formed() {
    let counties = county_geometries();
    let mut ring_count = 0;
    for (id, g) in &counties {
        assert_eq!(id.len(), 5, "{id}");
        let polys: Vec<&Value> = match g["type"].as_str() {
            Some("Polygon") => vec![g],
            Some("MultiPolygon") => g["coordinates"].as_array().unwrap().iter().collect(),
            _ => {
                // Falls Church VA collapses to a line at this resolution
                assert_eq!((id.as_str(), g), ("51610", &Value::Null));
                continue;
            }
        };
        for p in polys {
            let rings = if p.is_array() { p } else { &p["coordinates"] };
            for r in rings.as_array().unwrap() {
                let r = r.as_array().unwrap();
                ring_count += 1;
                assert!(r.len() >= 4, "{id}");
                assert_eq!(r.first(), r.last(), "{id}: ring not closed");
            }
        }
    }
    assert!(ring_count > 3231);
    let fc: Value = serde_json::from_str(COUNTIES).unwrap();
    let aw = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "02016")
        .unwrap();
    assert_eq!(aw["properties"]["name"], "Aleutians West");
    assert_eq!(aw["properties"]["state"], "AK");
    assert_eq!(aw["properties"]["state_name"], "Alaska");
}

const ROLES: [&str; 10] = [
    "supporter",
    "member",
    "host",
    "co_leader",
    "chapter_leader",
    "mentor",
    "regional_coordinator",
    "staff",
    "data_officer",
    "admin",
];

#[test]
fn sample_people_and_grants_are_consistent() {
    let net = sample();
    let doc = raw();
    assert!(
        doc.get("policy").is_none(),
        "the sample uses the default policy"
    );
    let people = doc["people"].as_array().unwrap();
    let grants = doc["grants"].as_array().unwrap();
    let person_ids: BTreeSet<&str> = people.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(person_ids.len(), people.len(), "duplicate person id");
    let grant_ids: BTreeSet<&str> = grants.iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert_eq!(grant_ids.len(), grants.len(), "duplicate grant id");
    let by_id: BTreeMap<&str, &Value> = people
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();

    let mut roles = BTreeSet::new();
    let mut expired = 0;
    let mut tag_scoped = 0;
    let mut leaders: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for g in grants {
        let role = g["role"].as_str().unwrap();
        assert!(ROLES.contains(&role), "{role}");
        roles.insert(role);
        assert!(person_ids.contains(g["person"].as_str().unwrap()));
        let from = time(&g["valid_from"]);
        if let Some(until) = g.get("valid_until") {
            assert!(time(until) > from);
            if time(until) <= now() {
                expired += 1;
            }
        }
        match (g["scope"].get("node"), g["scope"].get("tag")) {
            (Some(node), None) => {
                assert!(net.node(node.as_str().unwrap()).is_some(), "{g}");
                if matches!(role, "chapter_leader" | "co_leader")
                    && g.get("valid_until").is_none_or(|u| time(u) > now())
                {
                    leaders
                        .entry(node.as_str().unwrap())
                        .or_default()
                        .push(g["person"].as_str().unwrap());
                }
            }
            (None, Some(tag)) => {
                tag_scoped += 1;
                let tag = tag.as_str().unwrap();
                assert!(net.nodes().any(|n| n.has_tag(tag)), "{tag}");
            }
            _ => panic!("bad scope in {g}"),
        }
    }
    assert_eq!(roles.len(), ROLES.len(), "every role is granted: {roles:?}");
    assert_eq!(expired, 1);
    assert!(tag_scoped >= 2);

    // every active chapter has 1–3 current leaders; some have only one
    let mut single = 0;
    for n in net.nodes() {
        let Some(c) = n.chapter() else { continue };
        if c.status != ChapterStatus::Active {
            continue;
        }
        let l = leaders.get(n.id.as_str()).map_or(0, Vec::len);
        assert!((1..=3).contains(&l), "{}: {l} leaders", n.id);
        single += usize::from(l == 1);
    }
    assert!(single >= 5, "{single} chapters with one leader");

    let suspended: Vec<_> = people
        .iter()
        .filter(|p| p.get("suspended") == Some(&Value::Bool(true)))
        .collect();
    assert_eq!(suspended.len(), 1);
    let has = |p: &Value, a: &str| {
        p.get("attestations")
            .and_then(Value::as_array)
            .is_some_and(|v| v.iter().any(|x| x == a))
    };
    let unattested_leaders = leaders
        .values()
        .flatten()
        .filter(|p| !has(by_id[*p], "data_agreement"))
        .count();
    assert_eq!(unattested_leaders, 1);
    let staff = grants.iter().filter(|g| g["role"] == "staff").count();
    assert_eq!(staff, 6);
}

#[test]
fn sample_places_are_well_formed() {
    let places: Value = serde_json::from_str(PLACES).unwrap();
    let places = places.as_array().unwrap();
    assert!((12..=20).contains(&places.len()));
    for p in places {
        let (lon, lat) = (p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap());
        assert!((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
        assert!(!p["name"].as_str().unwrap().is_empty());
    }
    // the border place is a vertex of both neighbouring chapters' territories
    let border = places
        .iter()
        .find(|p| p["name"] == "Boston–Norfolk county line")
        .unwrap();
    let v = serde_json::json!([border["lon"], border["lat"]]);
    let net = sample();
    for id in ["ch-boston", "ch-norfolk"] {
        let t = territory(&net, id);
        let text = serde_json::to_string(&t["coordinates"]).unwrap();
        assert!(text.contains(&v.to_string()), "{id} has no vertex {v}");
    }
}
