//! Territories on synthetic shapes and on the sample network: holes,
//! multipolygons, boundaries, the antimeridian, circles, filters, the
//! public view, errors, and property tests against a brute-force oracle.

// Helpers outside `#[test]` functions are test code too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use chapterhouse::territory::{ChapterFinder, Filter, Territory, TerritoryError};
use chapterhouse::{Actor, ChapterStatus, ErrorKind, GroupKind, Network, Op, Visibility};
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};

const SAMPLE: &str = include_str!("../../examples/data/network.json");
const PLACES: &str = include_str!("../../examples/data/places.json");

fn now() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

fn square(x0: f64, y0: f64, s: f64) -> Value {
    json!([
        [x0, y0],
        [x0 + s, y0],
        [x0 + s, y0 + s],
        [x0, y0 + s],
        [x0, y0]
    ])
}

fn feature(id: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "id": id, "properties": {"name": id}, "geometry": geometry})
}

fn finder(features: Vec<Value>) -> ChapterFinder {
    ChapterFinder::from_geojson(&json!({"type": "FeatureCollection", "features": features}))
        .unwrap()
}

fn ids(f: &ChapterFinder, lon: f64, lat: f64) -> Vec<String> {
    f.lookup(lon, lat, &Filter::default())
        .unwrap()
        .iter()
        .map(|e| e.id.clone())
        .collect()
}

// ---- shapes ----------------------------------------------------------------

#[test]
fn holes_are_not_covered_but_their_edges_are() {
    let f = finder(vec![feature(
        "ring",
        json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 4.0), square(1.0, 1.0, 2.0)]}),
    )]);
    assert_eq!(ids(&f, 0.5, 0.5), ["ring"]);
    assert!(ids(&f, 2.0, 2.0).is_empty(), "inside the hole");
    assert_eq!(ids(&f, 1.0, 2.0), ["ring"], "on the hole's edge");
    assert_eq!(ids(&f, 3.0, 3.0), ["ring"], "on a hole's vertex");
    assert_eq!(ids(&f, 4.0, 4.0), ["ring"], "on the outer vertex");
    assert_eq!(ids(&f, 4.0, 1.5), ["ring"], "on the outer edge");
    assert!(ids(&f, 4.000001, 1.5).is_empty());
}

#[test]
fn multipolygons_cover_each_part() {
    let f = finder(vec![feature(
        "islands",
        json!({"type": "MultiPolygon", "coordinates": [[square(0.0, 0.0, 1.0)], [square(5.0, 5.0, 1.0)]]}),
    )]);
    assert_eq!(ids(&f, 0.5, 0.5), ["islands"]);
    assert_eq!(ids(&f, 5.5, 5.5), ["islands"]);
    assert!(ids(&f, 3.0, 3.0).is_empty());
    // a part touching another at a corner: the corner is reported once
    let g = finder(vec![feature(
        "two",
        json!({"type": "MultiPolygon", "coordinates": [[square(0.0, 0.0, 1.0)], [square(1.0, 1.0, 1.0)]]}),
    )]);
    assert_eq!(ids(&g, 1.0, 1.0), ["two"]);
}

#[test]
fn shared_borders_cover_both_most_specific_first() {
    let f = finder(vec![
        feature(
            "big",
            json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 2.0)]}),
        ),
        feature(
            "west",
            json!({"type": "Polygon", "coordinates": [square(-1.0, 0.0, 1.0)]}),
        ),
        feature(
            "inner",
            json!({"type": "Polygon", "coordinates": [square(0.5, 0.5, 1.0)]}),
        ),
    ]);
    assert_eq!(
        ids(&f, 0.0, 0.5),
        ["west", "big"],
        "on the shared edge, smaller first"
    );
    assert_eq!(
        ids(&f, 1.0, 1.0),
        ["inner", "big"],
        "nested: the smaller first"
    );
    let first = f.first(1.0, 1.0, &Filter::default()).unwrap();
    assert_eq!(f.entry(first).unwrap().id, "inner");
    assert_eq!(
        f.assign(&[[1.0, 1.0], [-0.5, 0.5], [9.0, 9.0]], &Filter::default())
            .len(),
        3
    );
}

#[test]
fn equal_areas_order_by_depth_then_id() {
    let sq = json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 1.0)]});
    let mk = |id: &str, depth: u32| json!({"type": "Feature", "id": id, "properties": {"depth": depth}, "geometry": sq});
    let f = finder(vec![mk("b", 1), mk("a", 1), mk("deep", 3)]);
    assert_eq!(ids(&f, 0.5, 0.5), ["deep", "a", "b"]);
}

#[test]
fn antimeridian_shapes_work_every_way_they_are_written() {
    // beyond 180, an edge jumping across, and two parts split at 180
    let beyond = json!({"type": "Polygon", "coordinates": [[[170, 50], [190, 50], [190, 60], [170, 60], [170, 50]]]});
    let jump = json!({"type": "Polygon", "coordinates": [[[170, 50], [-170, 50], [-170, 60], [170, 60], [170, 50]]]});
    let split = json!({"type": "MultiPolygon", "coordinates": [
        [[[170, 50], [180, 50], [180, 60], [170, 60], [170, 50]]],
        [[[-180, 50], [-170, 50], [-170, 60], [-180, 60], [-180, 50]]]
    ]});
    for (name, g) in [("beyond", beyond), ("jump", jump), ("split", split)] {
        let f = finder(vec![feature(name, g)]);
        for lon in [175.0, -175.0, 180.0, -180.0, 535.0, -185.0] {
            assert_eq!(ids(&f, lon, 55.0), [name], "{name} at {lon}");
        }
        for lon in [0.0, 165.0, -165.0] {
            assert!(ids(&f, lon, 55.0).is_empty(), "{name} at {lon}");
        }
        // nearest across the line: from 179 E at 45 N the shape is 5 degrees north
        let near = f.nearest(-179.0, 45.0, 1, &Filter::default()).unwrap();
        assert!(
            (near[0].distance_m - 555_000.0).abs() < 3_000.0,
            "{name}: {}",
            near[0].distance_m
        );
        let area = f.entries()[0].area_m2;
        // R² · 20° · (sin 60° − sin 50°)
        assert!((area / 1e6 - 1_416_600.0).abs() < 1_000.0, "{name}: {area}");
    }
}

#[test]
fn service_circles_use_geodesic_distance() {
    use geo::Destination;
    let centre = geo::Point::new(179.95, 10.0);
    let f = finder(vec![feature(
        "circle",
        json!({"type": "Point", "coordinates": [179.95, 10.0], "radius_m": 20_000}),
    )]);
    for bearing in [0.0, 45.0, 90.0, 200.0, 270.0] {
        let inside = geo::Geodesic.destination(centre, bearing, 19_999.0);
        let outside = geo::Geodesic.destination(centre, bearing, 20_001.0);
        assert_eq!(
            ids(&f, inside.x(), inside.y()),
            ["circle"],
            "bearing {bearing}"
        );
        assert!(
            ids(&f, outside.x(), outside.y()).is_empty(),
            "bearing {bearing}"
        );
        let near = f
            .nearest(outside.x(), outside.y(), 1, &Filter::default())
            .unwrap();
        assert!((near[0].distance_m - 1.0).abs() < 0.01);
    }
    // east of the centre lies across the antimeridian
    let east = geo::Geodesic.destination(centre, 90.0, 10_000.0);
    assert!(east.x() < -179.0);
}

#[test]
fn nearest_orders_by_distance_and_is_zero_inside() {
    let f = finder(vec![
        feature(
            "a",
            json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 1.0)]}),
        ),
        feature(
            "b",
            json!({"type": "Polygon", "coordinates": [square(3.0, 0.0, 1.0)]}),
        ),
        feature(
            "c",
            json!({"type": "Point", "coordinates": [10.0, 0.5], "radius_m": 1000}),
        ),
    ]);
    let near = f.nearest(0.5, 0.5, 3, &Filter::default()).unwrap();
    let got: Vec<(&str, bool)> = near
        .iter()
        .map(|n| (n.chapter.id.as_str(), n.distance_m == 0.0))
        .collect();
    assert_eq!(got, [("a", true), ("b", false), ("c", false)]);
    // to b's west edge: 2.5 degrees of longitude at the equator
    assert!(
        (near[1].distance_m - 278_300.0).abs() < 1_000.0,
        "{}",
        near[1].distance_m
    );
    assert!(
        f.nearest(0.5, 0.5, 0, &Filter::default())
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        f.nearest(0.5, 0.5, 10, &Filter::default()).unwrap().len(),
        3
    );
}

// ---- errors ------------------------------------------------------------------

#[test]
fn bad_points_are_errors_or_unassigned() {
    let f = finder(vec![feature(
        "a",
        json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 1.0)]}),
    )]);
    for (lon, lat) in [
        (f64::NAN, 0.0),
        (0.0, f64::NAN),
        (0.0, 90.5),
        (f64::INFINITY, 0.0),
    ] {
        let e = f.lookup(lon, lat, &Filter::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(matches!(e, TerritoryError::InvalidPoint { .. }));
        assert!(f.nearest(lon, lat, 1, &Filter::default()).is_err());
        assert_eq!(f.first(lon, lat, &Filter::default()), None);
    }
    let many: Vec<[f64; 2]> = (0..5000)
        .map(|i| {
            if i % 2 == 0 {
                [0.5, 0.5]
            } else {
                [f64::NAN, 0.5]
            }
        })
        .collect();
    let got = f.assign(&many, &Filter::default());
    assert!(
        got.iter()
            .enumerate()
            .all(|(i, a)| a.is_some() == (i % 2 == 0))
    );
    let mut out = vec![None; 2];
    let e = f
        .assign_into(&[0.5, 0.5], &[0.5], &Filter::default(), &mut out)
        .unwrap_err();
    assert!(e.to_string().contains("2 longitudes, 1 latitudes"));
    f.assign_into(&[0.5, 9.0], &[0.5, 9.0], &Filter::default(), &mut out)
        .unwrap();
    assert_eq!(out, [Some(0), None]);
}

#[test]
fn bad_collections_name_the_feature() {
    let poly = json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 1.0)]});
    let cases = [
        (
            json!({"type": "Feature"}),
            "expected a GeoJSON FeatureCollection",
        ),
        (
            json!({"type": "FeatureCollection"}),
            "features: must be an array",
        ),
        (
            json!({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": poly}]}),
            "features[0]: a feature needs an \"id\"",
        ),
        (
            json!({"type": "FeatureCollection", "features": [feature("x", poly.clone()), feature("x", poly.clone())]}),
            "feature x: the id is used by another feature",
        ),
        (
            json!({"type": "FeatureCollection", "features": [{"type": "Feature", "id": "k", "properties": {"kind": "club"}, "geometry": poly}]}),
            "feature k, property \"kind\"",
        ),
        (
            json!({"type": "FeatureCollection", "features": [feature("06037", json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}))]}),
            "invalid territory of 06037 at ring 0: ring 0 is not closed",
        ),
        (
            json!({"type": "FeatureCollection", "features": [feature("m", json!({"type": "MultiPolygon", "coordinates": [[square(0.0, 0.0, 1.0)], [[[0, 0], [1, 0], [1, "x"], [0, 0]]]]}))]}),
            "invalid territory of m at polygon 1, ring 0, position 2",
        ),
    ];
    for (fc, want) in cases {
        let e = ChapterFinder::from_geojson(&fc).unwrap_err();
        assert!(e.to_string().contains(want), "{e} (wanted {want:?})");
    }
    // numeric ids and null geometries are fine
    let f = ChapterFinder::from_geojson(&json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 12, "properties": null, "geometry": poly},
        {"type": "Feature", "id": "none", "properties": {}, "geometry": null},
    ]}))
    .unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f.entries()[0].id, "12");
}

#[test]
fn territory_errors_through_ops_and_snapshots() {
    let mut net =
        Network::new("org".parse().unwrap(), "Org", "org".parse().unwrap(), now()).unwrap();
    let op: Result<Op, _> = serde_json::from_value(json!({
        "op": "apply_chapter", "id": "x", "parent": "org", "name": "X", "slug": "x", "group_kind": "local",
        "territory": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 95], [0, 0]]]}
    }));
    let e = op.unwrap_err().to_string();
    assert!(e.contains("latitude 95 is out of range"), "{e}");
    // Territory::with_id names the chapter for hosts that validate first
    let e = Territory::from_geojson(json!({"type": "Point", "coordinates": [0, 0]}))
        .unwrap_err()
        .with_id("ch-1");
    assert!(
        e.to_string().starts_with("invalid territory of ch-1"),
        "{e}"
    );
    assert_eq!(e.kind(), ErrorKind::InvalidGeometry);
    let _ = net.finder();
    assert!(net.lookup(0.0, 0.0, &Filter::default()).unwrap().is_empty());
    let _ = &mut net;
}

// ---- networks ----------------------------------------------------------------

fn add(
    net: &mut Network,
    id: &str,
    parent: &str,
    kind: &str,
    territory: Option<Value>,
    extra: Value,
) {
    let mut op = json!({"op": "apply_chapter", "id": id, "parent": parent, "name": id.to_uppercase(),
                        "slug": id, "group_kind": kind});
    if let Some(t) = territory {
        op["territory"] = t;
    }
    if kind == "campaign" {
        op["campaign_end"] = json!("2026-06-01T00:00:00Z");
    }
    for (k, v) in extra.as_object().unwrap() {
        op[k] = v.clone();
    }
    net.apply(serde_json::from_value(op).unwrap(), &Actor::Host, now())
        .unwrap();
}

fn approve(net: &mut Network, id: &str) {
    net.apply(
        serde_json::from_value(json!({"op": "approve", "id": id})).unwrap(),
        &Actor::Host,
        now(),
    )
    .unwrap();
}

fn sq(x0: f64, y0: f64, s: f64) -> Option<Value> {
    Some(json!({"type": "Polygon", "coordinates": [square(x0, y0, s)]}))
}

fn small_network() -> Network {
    let mut net =
        Network::new("org".parse().unwrap(), "Org", "org".parse().unwrap(), now()).unwrap();
    net.apply(
        serde_json::from_value(json!({"op": "add_region", "id": "r", "parent": "org", "name": "Region R", "slug": "r"})).unwrap(),
        &Actor::Host,
        now(),
    )
    .unwrap();
    add(
        &mut net,
        "county",
        "r",
        "local",
        sq(0.0, 0.0, 2.0),
        json!({"tags": ["water"], "description": "d", "cohort": "secret-cohort"}),
    );
    add(&mut net, "city", "r", "local", sq(0.5, 0.5, 0.5), json!({}));
    add(
        &mut net,
        "camp",
        "org",
        "campaign",
        sq(0.0, 0.0, 1.0),
        json!({"tags": ["water"]}),
    );
    add(
        &mut net,
        "hidden",
        "r",
        "local",
        sq(0.0, 0.0, 2.0),
        json!({"visibility": "hidden"}),
    );
    add(
        &mut net,
        "pending",
        "r",
        "local",
        sq(0.0, 0.0, 2.0),
        json!({}),
    );
    add(&mut net, "issue", "org", "issue", None, json!({}));
    for id in ["county", "city", "camp", "hidden", "issue"] {
        approve(&mut net, id);
    }
    net
}

fn node_ids(nodes: Vec<&chapterhouse::Node>) -> Vec<&str> {
    nodes.iter().map(|n| n.id.as_str()).collect()
}

#[test]
fn filters_choose_status_visibility_kind_and_tag() {
    let net = small_network();
    let at = |f: &Filter| node_ids(net.lookup(0.7, 0.7, f).unwrap());
    assert_eq!(at(&Filter::default()), ["city", "camp", "county"]);
    let everything = Filter::all();
    assert_eq!(
        at(&everything),
        ["city", "camp", "county", "hidden", "pending"]
    );
    let locals = Filter {
        kinds: vec![GroupKind::Local],
        ..Filter::default()
    };
    assert_eq!(at(&locals), ["city", "county"]);
    let water = Filter {
        tags: vec!["water".into()],
        ..Filter::default()
    };
    assert_eq!(at(&water), ["camp", "county"]);
    let applied = Filter {
        statuses: vec![ChapterStatus::Applied],
        ..Filter::all()
    };
    assert_eq!(at(&applied), ["pending"]);
    let hidden = Filter {
        visibilities: vec![Visibility::Hidden],
        ..Filter::default()
    };
    assert_eq!(at(&hidden), ["hidden"]);
    let none = Filter {
        statuses: vec![],
        ..Filter::default()
    };
    assert!(at(&none).is_empty());
    // filters serialize for bindings
    let f: Filter = serde_json::from_value(json!({"kinds": ["campaign"]})).unwrap();
    assert_eq!(at(&f), ["camp"]);
    assert!(serde_json::from_value::<Filter>(json!({"kind": ["campaign"]})).is_err());
    // same depth, equal areas: "hidden" and "pending" and "county" share a square, by id
    let n = net.nearest(3.0, 0.7, 2, &Filter::default()).unwrap();
    assert_eq!(n[0].0.id.as_str(), "county");
    assert!((n[0].1 - 111_300.0).abs() < 1_000.0);
}

#[test]
fn the_cached_finder_follows_every_change() {
    let mut net = small_network();
    assert_eq!(
        node_ids(net.lookup(5.5, 5.5, &Filter::default()).unwrap()),
        Vec::<&str>::new()
    );
    net.apply(
        serde_json::from_value(json!({"op": "set_territory", "id": "city", "territory": {"type": "Polygon", "coordinates": [square(5.0, 5.0, 1.0)]}})).unwrap(),
        &Actor::Host,
        now(),
    )
    .unwrap();
    assert_eq!(
        node_ids(net.lookup(5.5, 5.5, &Filter::default()).unwrap()),
        ["city"]
    );
    net.apply(
        serde_json::from_value(json!({"op": "archive", "id": "city", "reason": "quiet"})).unwrap(),
        &Actor::Host,
        now(),
    )
    .unwrap();
    assert!(
        net.lookup(5.5, 5.5, &Filter::default()).unwrap().is_empty(),
        "archived chapters are not returned"
    );
    let assigned = net.assign(&[[0.7, 0.7], [5.5, 5.5], [9.0, 9.0]], &Filter::default());
    let got: Vec<Option<&str>> = assigned.iter().map(|n| n.map(|n| n.id.as_str())).collect();
    assert_eq!(got, [Some("camp"), None, None]);
}

#[test]
fn the_public_view_holds_listed_chapters_and_public_fields_only() {
    let net = small_network();
    let view = net.public_view();
    let feats = view["features"].as_array().unwrap();
    let ids: Vec<&str> = feats.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["county", "city", "camp", "issue"]);
    let county = &feats[0];
    assert_eq!(county["properties"]["region"], "Region R");
    assert_eq!(county["properties"]["kind"], "local");
    assert_eq!(county["properties"]["status"], "active");
    assert_eq!(county["properties"]["tags"], json!(["water"]));
    assert_eq!(county["properties"]["description"], "d");
    assert_eq!(
        county["geometry"],
        json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 2.0)]})
    );
    assert!(feats[3]["geometry"].is_null());
    let text = view.to_string();
    assert!(
        !text.contains("secret-cohort"),
        "no cohorts in the public view"
    );
    let mut keys: Vec<&String> = county["properties"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "depth",
            "description",
            "join_url",
            "kind",
            "name",
            "region",
            "slug",
            "status",
            "tags"
        ]
    );
    assert_eq!(chapterhouse::territory::public_view(&net), view);
}

#[test]
fn a_finder_from_the_public_view_answers_as_the_network_does() {
    let net = Network::from_json(SAMPLE).unwrap();
    let public = ChapterFinder::from_geojson(&net.public_view()).unwrap();
    let own = net.finder();
    let places: Vec<Value> = serde_json::from_str(PLACES).unwrap();
    let mut pts: Vec<[f64; 2]> = places
        .iter()
        .map(|p| [p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap()])
        .collect();
    let mut s = 5u64;
    for _ in 0..20_000 {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let a = (s >> 11) as f64 / (1u64 << 53) as f64;
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let b = (s >> 11) as f64 / (1u64 << 53) as f64;
        pts.push([-125.0 + 60.0 * a, 25.0 + 25.0 * b]);
    }
    let f = Filter::default();
    let mut hits = 0;
    for p in &pts {
        let a: Vec<&str> = own
            .lookup(p[0], p[1], &f)
            .unwrap()
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        let b: Vec<&str> = public
            .lookup(p[0], p[1], &f)
            .unwrap()
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(a, b, "at {p:?}");
        hits += usize::from(!a.is_empty());
    }
    assert!(hits > 30, "{hits}");
    for p in pts.iter().take(40) {
        let a: Vec<(String, f64)> = own
            .nearest(p[0], p[1], 3, &f)
            .unwrap()
            .into_iter()
            .map(|n| (n.chapter.id.clone(), n.distance_m))
            .collect();
        let b: Vec<(String, f64)> = public
            .nearest(p[0], p[1], 3, &f)
            .unwrap()
            .into_iter()
            .map(|n| (n.chapter.id.clone(), n.distance_m))
            .collect();
        assert_eq!(a, b);
    }
}

#[test]
fn sample_places_resolve_as_the_tour_says() {
    let net = Network::from_json(SAMPLE).unwrap();
    let f = Filter::default();
    let at = |lon: f64, lat: f64| node_ids(net.lookup(lon, lat, &f).unwrap());
    // Harvard Square: the Cambridge circle is smaller than Middlesex county
    assert_eq!(at(-71.1189, 42.3733).first(), Some(&"ch-cambridge"));
    // Attu Island, east of the antimeridian, belongs to the Aleutians chapter
    assert_eq!(at(173.18, 52.86), ["ch-aleutians"]);
    // Gulf of Maine: no chapter, the nearest is a few tens of km away
    assert!(at(-68.5, 42.8).is_empty());
    let near = net.nearest(-68.5, 42.8, 1, &f).unwrap();
    assert!(
        near[0].1 > 10_000.0 && near[0].1 < 200_000.0,
        "{}",
        near[0].1
    );
    // the Boston–Norfolk line point is on both counties' border
    assert_eq!(at(-71.11318, 42.258786).len(), 2);
}

// ---- property tests ------------------------------------------------------------

fn orient(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    robust::orient2d(
        robust::Coord { x: a[0], y: a[1] },
        robust::Coord { x: b[0], y: b[1] },
        robust::Coord { x: p[0], y: p[1] },
    )
}

/// Brute force: on an edge, or an odd number of crossings over all rings.
fn oracle_polygon(rings: &[Vec<[f64; 2]>], p: [f64; 2]) -> bool {
    let mut odd = false;
    for ring in rings {
        for w in ring.windows(2) {
            let (a, b) = (w[0], w[1]);
            let o = orient(a, b, p);
            if o == 0.0
                && a[0].min(b[0]) <= p[0]
                && p[0] <= a[0].max(b[0])
                && a[1].min(b[1]) <= p[1]
                && p[1] <= a[1].max(b[1])
            {
                return true;
            }
            if (a[1] <= p[1] && b[1] > p[1] && o > 0.0) || (b[1] <= p[1] && a[1] > p[1] && o < 0.0)
            {
                odd = !odd;
            }
        }
    }
    odd
}

/// A ring through grid points (so vertices and edges are hit exactly).
fn ring_strategy(cx: i32, cy: i32) -> impl Strategy<Value = Vec<[f64; 2]>> {
    prop::collection::vec((-6i32..=6, -6i32..=6), 3..12).prop_map(move |pts| {
        let mut r: Vec<[f64; 2]> = pts
            .iter()
            .map(|(x, y)| [f64::from(cx + x), f64::from(cy + y)])
            .collect();
        r.dedup();
        while r.len() < 3 {
            let last = r.last().copied().unwrap_or([f64::from(cx), f64::from(cy)]);
            r.push([last[0] + 1.0, last[1] + r.len() as f64]);
        }
        r.push(r[0]);
        r
    })
}

fn shape_strategy() -> impl Strategy<Value = Vec<Vec<Vec<[f64; 2]>>>> {
    // 1-3 polygons of 1-2 rings each, around a few centres
    prop::collection::vec(
        ((-3i32..=3), (-3i32..=3))
            .prop_flat_map(|(cx, cy)| prop::collection::vec(ring_strategy(cx * 2, cy * 2), 1..3)),
        1..4,
    )
}

fn to_geojson(polys: &[Vec<Vec<[f64; 2]>>]) -> Value {
    json!({"type": "MultiPolygon", "coordinates": polys})
}

/// The point grid's edges: an empty finder, the origin, the poles, both
/// antimeridians, a territory over nearly the whole world and a single
/// service circle all answer as brute force says.
#[test]
fn point_grid_edges_of_the_world() {
    let empty = finder(vec![]);
    for (x, y) in [(0.0, 0.0), (180.0, 90.0), (-180.0, -90.0)] {
        assert!(ids(&empty, x, y).is_empty());
        assert_eq!(empty.first(x, y, &Filter::default()), None);
    }
    let world = json!({"type": "Polygon", "coordinates": [[[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]]]});
    let dot = json!({"type": "Point", "coordinates": [0.5, 0.5], "radius_m": 1000.0});
    let f = finder(vec![feature("world", world), feature("dot", dot)]);
    for (x, y, want) in [
        (0.0, 0.0, vec!["world"]),
        (0.5, 0.5, vec!["dot", "world"]),
        (180.0, 0.0, vec!["world"]),
        (-180.0, 85.0, vec!["world"]),
        (179.999_999, -84.999_999, vec!["world"]),
        (0.0, 85.000_001, vec![]),
        (0.0, 90.0, vec![]),
        (-180.0, -90.0, vec![]),
    ] {
        assert_eq!(ids(&f, x, y), want, "at ({x}, {y})");
        assert_eq!(
            f.first(x, y, &Filter::default()),
            f.first_via_tree(x, y, &Filter::default())
        );
    }
}

/// A finder read from text finds its warnings when asked: the same
/// warnings, in the same order, as validating each territory up front (the
/// us-atlas counties have self-touching and crossing rings).
#[test]
fn warnings_found_on_demand_equal_those_found_up_front() {
    let text = include_str!("../../examples/data/us-counties.geojson");
    let value: Value = serde_json::from_str(text).unwrap();
    let eager = ChapterFinder::from_geojson(&value).unwrap();
    let lazy = ChapterFinder::from_geojson_str(text).unwrap();
    assert!(eager.warnings().len() > 10, "{}", eager.warnings().len());
    assert_eq!(lazy.warnings(), eager.warnings());
}

/// A finder is built lazily: queries build the layers they reach. A cold
/// finder shared by the threads of a parallel `assign` gives the answers of
/// one built up front, and is `Send + Sync`.
#[test]
fn a_cold_finder_under_parallel_assign_equals_a_built_one() {
    fn shared<T: Send + Sync>(_: &T) {}
    let text = include_str!("../../examples/data/us-counties.geojson");
    let cold = ChapterFinder::from_geojson_str(text).unwrap();
    let built = ChapterFinder::from_geojson_str(text).unwrap();
    built.build_all();
    shared(&cold);
    // Points over the contiguous US and Alaska, from a fixed-seed LCG.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let pts: Vec<[f64; 2]> = (0..200_000)
        .map(|i| {
            if i % 10 == 0 {
                [-180.0 + 50.0 * next(), 51.0 + 21.0 * next()]
            } else {
                [-125.0 + 58.0 * next(), 24.0 + 26.0 * next()]
            }
        })
        .collect();
    let all = Filter::all();
    let got = cold.assign(&pts, &all);
    let want = built.assign_sequential(&pts, &all);
    assert_eq!(got, want);
    assert!(want.iter().filter(|a| a.is_some()).count() > 100_000);
    for p in pts.iter().step_by(97) {
        assert_eq!(
            cold.first(p[0], p[1], &all),
            built.first_via_tree(p[0], p[1], &all)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Layers built on first use answer as layers built up front: lookups,
    /// most specific answers and nearest searches, whatever the order of
    /// the queries that built them.
    #[test]
    fn lazy_equals_eager(shapes in prop::collection::vec(shape_strategy(), 1..4),
                         circle in prop::option::of((-10.0f64..10.0, -10.0f64..10.0, 1.0f64..300_000.0)),
                         order in Just((0..625usize).collect::<Vec<_>>()).prop_shuffle()) {
        let mut features: Vec<Value> = shapes.iter().enumerate().map(|(i, s)| feature(&format!("t{i}"), to_geojson(s))).collect();
        if let Some((x, y, r)) = circle {
            features.push(feature("c", json!({"type": "Point", "coordinates": [x, y], "radius_m": r})));
        }
        let lazy = finder(features.clone());
        let eager = finder(features);
        eager.build_all();
        let at = |k: usize| (f64::from((k % 25) as i32 - 12) / 2.0 + 0.05, f64::from((k / 25) as i32 - 12) / 2.0);
        for &k in &order {
            let (x, y) = at(k);
            prop_assert_eq!(ids(&lazy, x, y), ids(&eager, x, y));
            prop_assert_eq!(lazy.first(x, y, &Filter::default()), eager.first(x, y, &Filter::default()));
            if k % 7 == 0 {
                let a: Vec<(String, f64)> = lazy.nearest(x, y, 3, &Filter::default()).unwrap().iter().map(|n| (n.chapter.id.clone(), n.distance_m)).collect();
                let b: Vec<(String, f64)> = eager.nearest(x, y, 3, &Filter::default()).unwrap().iter().map(|n| (n.chapter.id.clone(), n.distance_m)).collect();
                prop_assert_eq!(a, b);
            }
        }
    }

    /// lookup agrees with brute force on random (often self-intersecting)
    /// shapes at grid points, half-grid points and random points.
    #[test]
    fn lookup_matches_brute_force(shapes in prop::collection::vec(shape_strategy(), 1..4),
                                  probes in prop::collection::vec((-24i32..=24, -24i32..=24, 0u8..3), 60)) {
        let features: Vec<Value> = shapes.iter().enumerate().map(|(i, s)| feature(&format!("t{i}"), to_geojson(s))).collect();
        let f = finder(features);
        for (x, y, kind) in probes {
            let p = match kind {
                0 => [f64::from(x) / 2.0, f64::from(y) / 2.0],
                1 => [f64::from(x) / 2.0 + 0.25, f64::from(y) / 2.0],
                _ => [f64::from(x) / 3.0, f64::from(y) / 7.0],
            };
            let mut want: Vec<String> = shapes.iter().enumerate()
                .filter(|(_, s)| s.iter().any(|poly| oracle_polygon(poly, p)))
                .map(|(i, _)| format!("t{i}")).collect();
            want.sort();
            let mut got = ids(&f, p[0], p[1]);
            // most specific first: areas never decrease along the answer
            let areas: Vec<f64> = got.iter().map(|id| f.entry(f.position(id).unwrap()).unwrap().area_m2).collect();
            prop_assert!(areas.windows(2).all(|w| w[0] <= w[1]));
            let first = f.first(p[0], p[1], &Filter::default()).map(|i| f.entry(i).unwrap().id.clone());
            prop_assert_eq!(first.as_ref(), got.first());
            got.sort();
            prop_assert_eq!(got, want, "at {:?}", p);
            // a point is covered exactly when its nearest territory is 0 m away
            let near = f.nearest(p[0], p[1], 1, &Filter::default()).unwrap();
            prop_assert_eq!(near[0].distance_m == 0.0, f.first(p[0], p[1], &Filter::default()).is_some());
        }
    }

    /// The point grid agrees with the R-tree path and with brute force when
    /// shapes are small enough for whole-degree cells to be split, with
    /// vertices, edges and probes on the lines of the split lattice (scaled
    /// so that half-units are 1/64° and cell borders fall on vertices).
    #[test]
    fn point_grid_matches_tree_and_brute_force_on_fine_lattices(
        shapes in prop::collection::vec(shape_strategy(), 1..5),
        scale in prop::sample::select(vec![1.0 / 32.0, 1.0 / 16.0, 1.0 / 8.0]),
        origin in (-3i32..=3, -3i32..=3),
        probes in prop::collection::vec((-30i32..=30, -30i32..=30, 0u8..3), 120),
    ) {
        let shift = |q: [f64; 2]| [q[0] * scale + f64::from(origin.0) + 0.5, q[1] * scale + f64::from(origin.1) + 0.5];
        let shapes: Vec<Vec<Vec<Vec<[f64; 2]>>>> = shapes.iter().map(|s| s.iter().map(|poly| poly.iter().map(|r| r.iter().map(|q| shift(*q)).collect()).collect()).collect()).collect();
        let features: Vec<Value> = shapes.iter().enumerate().map(|(i, s)| feature(&format!("t{i}"), to_geojson(s))).collect();
        let f = finder(features);
        let all = Filter::default();
        for (x, y, kind) in probes {
            let q = match kind {
                0 => [f64::from(x) / 2.0, f64::from(y) / 2.0],
                1 => [f64::from(x) / 2.0 + 0.25, f64::from(y) / 4.0],
                _ => [f64::from(x) / 3.0, f64::from(y) / 7.0],
            };
            let p = shift(q);
            let mut want: Vec<String> = shapes.iter().enumerate()
                .filter(|(_, s)| s.iter().any(|poly| oracle_polygon(poly, p)))
                .map(|(i, _)| format!("t{i}")).collect();
            want.sort();
            let first = f.first(p[0], p[1], &all);
            prop_assert_eq!(first, f.first_via_tree(p[0], p[1], &all), "at {:?}", p);
            let mut got = ids(&f, p[0], p[1]);
            let first_id = first.map(|i| f.entry(i).unwrap().id.clone());
            prop_assert_eq!(first_id.as_ref(), got.first());
            got.sort();
            prop_assert_eq!(got, want, "at {:?}", p);
        }
    }

    /// The text reader accepts and rejects exactly what the general reader
    /// does, with the same errors, and builds the same finder: on valid
    /// collections and on ones with a member changed to something odd.
    #[test]
    fn text_reader_equals_value_reader(
        shapes in prop::collection::vec(shape_strategy(), 1..4),
        circle in prop::option::of((-170.0f64..170.0, -60.0f64..60.0, 1.0f64..50_000.0)),
        third in any::<bool>(),
        odd in prop::option::of((0usize..12, 0usize..3)),
    ) {
        let mut features: Vec<Value> = shapes.iter().enumerate().map(|(i, s)| {
            let mut g = to_geojson(s);
            if third {
                // positions with a third number, as GeoJSON allows
                for poly in g["coordinates"].as_array_mut().unwrap() {
                    for ring in poly.as_array_mut().unwrap() {
                        for p in ring.as_array_mut().unwrap() {
                            p.as_array_mut().unwrap().push(json!(12.5));
                        }
                    }
                }
            }
            feature(&format!("t{i}"), g)
        }).collect();
        if let Some((x, y, r)) = circle {
            features.push(json!({"type": "Feature", "id": 7, "properties": {"kind": "campaign"},
                "geometry": {"type": "Point", "coordinates": [x, y], "radius_m": r}}));
        }
        features.push(json!({"type": "Feature", "id": "none", "properties": null, "geometry": null}));
        let mut fc = json!({"type": "FeatureCollection", "features": features});
        if let Some((what, which)) = odd {
            let f = &mut fc["features"][which.min(shapes.len() - 1)];
            match what {
                0 => f["geometry"]["type"] = json!("LineString"),
                1 => f["geometry"]["coordinates"][0][0][0] = json!("x"),
                2 => f["geometry"]["coordinates"][0][0] = json!([[0, 0], [1, 0], [0, 0]]),
                3 => f["geometry"]["coordinates"][0][0][1] = json!([200, 95]),
                4 => f["id"] = json!("t0"),
                5 => f["properties"]["status"] = json!("dormant"),
                6 => f["type"] = json!("Thing"),
                7 => f["geometry"]["coordinates"] = json!([]),
                8 => f["geometry"]["coordinates"][0] = json!([]),
                9 => f["properties"] = json!("not an object"),
                10 => f["id"] = Value::Null,
                _ => fc["type"] = json!("GeometryCollection"),
            }
        }
        let text = serde_json::to_string(&fc).unwrap();
        let slow = ChapterFinder::from_geojson(&fc);
        let fast = ChapterFinder::from_geojson_str(&text);
        match (slow, fast) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.entries(), b.entries());
                prop_assert_eq!(a.warnings(), b.warnings());
                prop_assert_eq!(a.index_size(), b.index_size());
                for y in -12..=12 {
                    for x in -12..=12 {
                        let (x, y) = (f64::from(x) / 2.0 + 0.1, f64::from(y) / 2.0);
                        prop_assert_eq!(a.first(x, y, &Filter::default()), b.first(x, y, &Filter::default()));
                    }
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "readers disagree: {:?} vs {:?}", a.map(|f| f.len()), b.map(|f| f.len())),
        }
    }

    /// Longitudes are circular: lon, lon ± 360 give the same answer.
    #[test]
    fn longitude_wraps(shape in shape_strategy(), x in -24i32..=24, y in -24i32..=24, turns in -1i32..=1) {
        let g = to_geojson(&shape);
        let f = finder(vec![feature("t", g)]);
        let p = [f64::from(x) / 2.0, f64::from(y) / 2.0];
        prop_assert_eq!(ids(&f, p[0], p[1]), ids(&f, p[0] + 360.0 * f64::from(turns), p[1]));
        // and a shape moved across the antimeridian covers the moved point
        let moved: Vec<Vec<Vec<[f64; 2]>>> = shape.iter().map(|poly| poly.iter().map(|r| r.iter().map(|q| [q[0] + 180.0, q[1]]).collect()).collect()).collect();
        let m = finder(vec![feature("t", to_geojson(&moved))]);
        prop_assert_eq!(ids(&f, p[0], p[1]), ids(&m, p[0] + 180.0, p[1]));
    }

    /// Bulk assignment equals one lookup per point, in order, sequential or not.
    #[test]
    fn assign_equals_first(shapes in prop::collection::vec(shape_strategy(), 1..4),
                           pts in prop::collection::vec((-12.0f64..12.0, -12.0f64..12.0), 2100..2300)) {
        let features: Vec<Value> = shapes.iter().enumerate().map(|(i, s)| feature(&format!("t{i}"), to_geojson(s))).collect();
        let f = finder(features);
        let pts: Vec<[f64; 2]> = pts.into_iter().map(|(x, y)| [x, y]).collect();
        let want: Vec<Option<u32>> = pts.iter().map(|p| f.first(p[0], p[1], &Filter::default())).collect();
        prop_assert_eq!(&f.assign(&pts, &Filter::default()), &want);
        prop_assert_eq!(&f.assign_sequential(&pts, &Filter::default()), &want);
    }

    /// Territories serialize back exactly as given, and no JSON panics.
    #[test]
    fn territories_round_trip_and_never_panic(shape in shape_strategy(), junk in junk_json()) {
        let g = to_geojson(&shape);
        let t = Territory::from_geojson(g.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&t).unwrap(), g);
        let _ = Territory::from_geojson(junk.clone());
        let _ = ChapterFinder::from_geojson(&json!({"type": "FeatureCollection", "features": [{"type": "Feature", "id": "j", "geometry": junk}]}));
    }
}

fn junk_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<f64>().prop_map(|x| json!(x)),
        (-400i32..400).prop_map(|x| json!(x)),
        Just(json!("Polygon")),
        Just(json!("MultiPolygon")),
        Just(json!("Point")),
    ];
    let tree = leaf.prop_recursive(5, 64, 6, |inner| {
        prop::collection::vec(inner, 0..6).prop_map(Value::Array)
    });
    (
        prop_oneof![
            Just("Polygon"),
            Just("MultiPolygon"),
            Just("Point"),
            Just("Line")
        ],
        tree,
        prop::option::of(-10.0f64..1e7),
    )
        .prop_map(|(t, c, r)| {
            let mut g = json!({"type": t, "coordinates": c});
            if let Some(r) = r {
                g["radius_m"] = json!(r);
            }
            g
        })
}
