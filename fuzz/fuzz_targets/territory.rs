//! Any bytes as GeoJSON: a geometry goes through `Territory::from_geojson`, a
//! FeatureCollection through `ChapterFinder::from_geojson`. When the input is
//! valid, a finder over it answers points derived from the input (its own
//! vertices, midpoints, nudged vertices) without panicking, and `lookup`
//! agrees with `nearest`: a chapter covers the point exactly when its
//! nearest distance is 0.
#![no_main]

use chapterhouse::territory::{ChapterFinder, Filter, Territory};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// Every `[x, y, ...]` pair of numbers under `coordinates` (at most `max`).
fn positions(v: &Value, out: &mut Vec<[f64; 2]>, max: usize) {
    if out.len() >= max {
        return;
    }
    match v {
        Value::Array(a) => {
            if let (Some(x), Some(y)) = (
                a.first().and_then(Value::as_f64),
                a.get(1).and_then(Value::as_f64),
            ) {
                out.push([x, y]);
            } else {
                for item in a {
                    positions(item, out, max);
                }
            }
        }
        Value::Object(o) => {
            for (k, item) in o {
                if k == "coordinates" || k == "geometry" || k == "features" {
                    positions(item, out, max);
                }
            }
        }
        _ => {}
    }
}

fn probe(finder: &ChapterFinder, points: &[[f64; 2]], salt: &[u8]) {
    let filter = Filter::all();
    let n = finder.len();
    let mut queries: Vec<[f64; 2]> = Vec::new();
    for (i, p) in points.iter().enumerate() {
        queries.push(*p);
        if let Some(q) = points.get(i + 1) {
            queries.push([(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0]);
        }
        let s = f64::from(salt.get(i % salt.len().max(1)).copied().unwrap_or(0));
        queries.push([p[0] + (s - 128.0) * 1e-3, p[1] - (s - 128.0) * 1e-3]);
        queries.push([p[0] + 360.0, p[1]]);
    }
    for [lon, lat] in queries.into_iter().take(24) {
        let covering = finder.lookup(lon, lat, &filter);
        let near = finder.nearest(lon, lat, n, &filter);
        let (covering, near) = match (covering, near) {
            (Ok(c), Ok(n)) => (c, n),
            (Err(_), Err(_)) => continue,
            (c, n) => panic!("lookup and nearest disagree on ({lon}, {lat}): {c:?} vs {n:?}"),
        };
        assert_eq!(
            finder
                .first(lon, lat, &filter)
                .and_then(|i| finder.entry(i)),
            covering.first().copied(),
            "first is the most specific of lookup at ({lon}, {lat})"
        );
        assert_eq!(near.len(), n, "nearest with k = all lists every entry");
        let mut last = 0.0;
        for m in &near {
            assert!(m.distance_m >= last, "nearest is sorted at ({lon}, {lat})");
            last = m.distance_m;
        }
        let mut zero: Vec<&str> = near
            .iter()
            .filter(|m| m.distance_m == 0.0)
            .map(|m| m.chapter.id.as_str())
            .collect();
        let mut covers: Vec<&str> = covering.iter().map(|e| e.id.as_str()).collect();
        zero.sort_unstable();
        covers.sort_unstable();
        assert_eq!(
            covers, zero,
            "lookup vs nearest at distance 0 at ({lon}, {lat})"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let mut points = Vec::new();
    positions(&value, &mut points, 8);
    let finder = if value.get("type").and_then(Value::as_str) == Some("FeatureCollection") {
        match ChapterFinder::from_geojson(&value) {
            Ok(f) => f,
            Err(_) => return,
        }
    } else {
        let Ok(t) = Territory::from_geojson(value) else {
            return;
        };
        assert!(
            t.area_m2() >= 0.0 && !t.area_m2().is_nan(),
            "area {}",
            t.area_m2()
        );
        // Its GeoJSON reads back as the same territory.
        let again = Territory::from_geojson(t.to_geojson().clone())
            .expect("a territory's geometry reads back");
        assert_eq!(again.to_geojson(), t.to_geojson());
        let fc = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": "t", "properties": {"depth": 2}, "geometry": t.to_geojson()},
            {"type": "Feature", "id": "u", "properties": {"status": "archived"},
             "geometry": {"type": "Point", "coordinates": points.first().copied().unwrap_or([0.0, 0.0]), "radius_m": 1000}},
        ]});
        match ChapterFinder::from_geojson(&fc) {
            Ok(f) => f,
            // the circle may be refused (a centre beyond ±90): the territory alone
            Err(_) => {
                ChapterFinder::from_geojson(&json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": "t", "geometry": t.to_geojson()}]}))
                .expect("a valid territory makes a finder")
            }
        }
    };
    probe(&finder, &points, data);
});
