//! The territory index against brute force on the real US counties
//! (examples/data/us-counties.geojson: 3,231 Census counties from us-atlas).

// Helpers outside `#[test]` functions are test code too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use chapterhouse::territory::{ChapterFinder, Filter};
use serde_json::Value;

const COUNTIES: &str = include_str!("../../examples/data/us-counties.geojson");

/// SplitMix64: deterministic test randomness.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

type Ring = Vec<[f64; 2]>;

struct County {
    id: String,
    polygons: Vec<Vec<Ring>>,
    bbox: [f64; 4],
}

fn counties() -> (Value, Vec<County>) {
    let fc: Value = serde_json::from_str(COUNTIES).unwrap();
    let mut out = Vec::new();
    for f in fc["features"].as_array().unwrap() {
        let g = &f["geometry"];
        if g.is_null() {
            continue;
        }
        let polys: Vec<Value> = match g["type"].as_str().unwrap() {
            "Polygon" => vec![g["coordinates"].clone()],
            _ => g["coordinates"].as_array().unwrap().clone(),
        };
        let polygons: Vec<Vec<Ring>> = polys
            .iter()
            .map(|p| {
                p.as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        r.as_array()
                            .unwrap()
                            .iter()
                            .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for p in polygons.iter().flatten().flatten() {
            bbox = [
                bbox[0].min(p[0]),
                bbox[1].min(p[1]),
                bbox[2].max(p[0]),
                bbox[3].max(p[1]),
            ];
        }
        out.push(County {
            id: f["id"].as_str().unwrap().to_owned(),
            polygons,
            bbox,
        });
    }
    (fc, out)
}

fn orient(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    robust::orient2d(
        robust::Coord { x: a[0], y: a[1] },
        robust::Coord { x: b[0], y: b[1] },
        robust::Coord { x: p[0], y: p[1] },
    )
}

/// Plain point-in-polygon over every edge: on an edge, or an odd number of
/// crossings of the rightward ray over all rings of the polygon.
fn oracle_polygon(poly: &[Ring], p: [f64; 2]) -> bool {
    let mut crossings = 0;
    for ring in poly {
        for w in ring.windows(2) {
            let (a, b) = (w[0], w[1]);
            let o = orient(a, b, p);
            let in_box = a[0].min(b[0]) <= p[0]
                && p[0] <= a[0].max(b[0])
                && a[1].min(b[1]) <= p[1]
                && p[1] <= a[1].max(b[1]);
            if o == 0.0 && in_box {
                return true;
            }
            let up = a[1] <= p[1] && b[1] > p[1];
            let down = b[1] <= p[1] && a[1] > p[1];
            if (up && o > 0.0) || (down && o < 0.0) {
                crossings += 1;
            }
        }
    }
    crossings % 2 == 1
}

fn oracle(counties: &[County], p: [f64; 2]) -> Vec<String> {
    let mut ids: Vec<String> = counties
        .iter()
        .filter(|c| {
            c.bbox[0] <= p[0] && p[0] <= c.bbox[2] && c.bbox[1] <= p[1] && p[1] <= c.bbox[3]
        })
        .filter(|c| c.polygons.iter().any(|poly| oracle_polygon(poly, p)))
        .map(|c| c.id.clone())
        .collect();
    ids.sort();
    ids
}

fn found(finder: &ChapterFinder, p: [f64; 2]) -> Vec<String> {
    let mut ids: Vec<String> = finder
        .lookup(p[0], p[1], &Filter::default())
        .unwrap()
        .into_iter()
        .map(|e| e.id.clone())
        .collect();
    ids.sort();
    ids
}

#[test]
fn lookups_match_brute_force_on_random_points() {
    let (fc, counties) = counties();
    let finder = ChapterFinder::from_geojson(&fc).unwrap();
    assert_eq!(
        finder.len(),
        3230,
        "3,231 counties, Falls Church has no geometry"
    );
    let mut rng = Rng(7);
    let mut covered = 0;
    let mut multi = 0;
    for i in 0..40_000 {
        // Points in a random county's box: inside, outside and near borders.
        let c = &counties[rng.below(counties.len())];
        let p = if i % 4 == 0 {
            // a vertex (exactly on the boundary) or an edge midpoint
            let poly = &c.polygons[rng.below(c.polygons.len())];
            let ring = &poly[rng.below(poly.len())];
            let k = rng.below(ring.len() - 1);
            if i % 8 == 0 {
                ring[k]
            } else {
                [
                    (ring[k][0] + ring[k + 1][0]) / 2.0,
                    (ring[k][1] + ring[k + 1][1]) / 2.0,
                ]
            }
        } else {
            [
                c.bbox[0] + rng.f64() * (c.bbox[2] - c.bbox[0]),
                c.bbox[1] + rng.f64() * (c.bbox[3] - c.bbox[1]),
            ]
        };
        let want = oracle(&counties, p);
        let got = found(&finder, p);
        assert_eq!(got, want, "point {p:?}");
        covered += usize::from(!got.is_empty());
        multi += usize::from(got.len() > 1);
        // assign picks the first of the ordered lookup
        let first = finder.first(p[0], p[1], &Filter::default());
        let ordered = finder.lookup(p[0], p[1], &Filter::default()).unwrap();
        assert_eq!(
            first.and_then(|i| finder.entry(i)),
            ordered.first().copied()
        );
    }
    assert!(covered > 30_000, "{covered}");
    assert!(
        multi > 1_000,
        "shared borders and vertices are in several counties: {multi}"
    );
}

#[test]
fn lookups_match_geo_on_valid_counties() {
    use geo::CoordinatePosition;
    use geo::coordinate_position::CoordPos;
    let (fc, counties) = counties();
    let finder = ChapterFinder::from_geojson(&fc).unwrap();
    let invalid: std::collections::HashSet<&str> = GEOS_INVALID.iter().copied().collect();
    let mut rng = Rng(11);
    for _ in 0..20_000 {
        let c = &counties[rng.below(counties.len())];
        if invalid.contains(c.id.as_str()) {
            continue;
        }
        let p = [
            c.bbox[0] + rng.f64() * (c.bbox[2] - c.bbox[0]),
            c.bbox[1] + rng.f64() * (c.bbox[3] - c.bbox[1]),
        ];
        let geo_says = c.polygons.iter().any(|poly| {
            let ls = |r: &Ring| {
                geo::LineString::from(r.iter().map(|q| (q[0], q[1])).collect::<Vec<_>>())
            };
            let gp = geo::Polygon::new(ls(&poly[0]), poly[1..].iter().map(ls).collect());
            gp.coordinate_position(&geo::coord! {x: p[0], y: p[1]}) != CoordPos::Outside
        });
        let ours = found(&finder, p).contains(&c.id);
        assert_eq!(ours, geo_says, "county {} at {p:?}", c.id);
    }
}

/// The counties GEOS (shapely 2.2) calls invalid in this file: 13
/// "Self-intersection" and 8 "Ring Self-intersection".
const GEOS_INVALID: [&str; 21] = [
    "02105", "06001", "06099", "17069", "22067", "24039", "24045", "41037", "42109", "45057",
    "45091", "48037", "48423", "48499", "51093", "51620", "53007", "53037", "56029", "56039",
    "72083",
];

#[test]
fn warnings_name_exactly_the_counties_geos_calls_invalid() {
    let (fc, _) = counties();
    let finder = ChapterFinder::from_geojson(&fc).unwrap();
    let mut warned: Vec<&str> = finder.warnings().iter().map(|w| w.id.as_str()).collect();
    warned.dedup();
    assert_eq!(
        warned.len(),
        finder.warnings().len(),
        "one warning per county"
    );
    warned.sort();
    assert_eq!(warned, GEOS_INVALID);
}

#[test]
fn aleutians_west_spans_the_antimeridian() {
    let (fc, _) = counties();
    let finder = ChapterFinder::from_geojson(&fc).unwrap();
    let f = Filter::default();
    // Attu Island (east of 180) and Unalaska (west of it) are both in 02016.
    let attu = finder.lookup(173.18, 52.86, &f).unwrap();
    assert_eq!(attu.len(), 1);
    assert_eq!(attu[0].id, "02016");
    assert_eq!(attu[0].name, "Aleutians West");
    let unalaska = finder.lookup(-166.5422, 53.8898, &f).unwrap();
    assert_eq!(unalaska[0].id, "02016");
    // The same place written with a longitude beyond 180.
    assert_eq!(
        finder.lookup(173.18 - 360.0, 52.86, &f).unwrap()[0].id,
        "02016"
    );
    // Nearest from the sea just west of the antimeridian finds the eastern islands.
    let near = finder.nearest(-179.9, 51.5, 1, &f).unwrap();
    assert_eq!(near[0].chapter.id, "02016");
    assert!(
        near[0].distance_m > 0.0 && near[0].distance_m < 100_000.0,
        "{}",
        near[0].distance_m
    );
    // The index boxes each island on its own, not one box around the globe.
    assert!(finder.lookup(0.0, 52.0, &f).unwrap().is_empty());
}

#[test]
fn nearest_agrees_with_an_exhaustive_search() {
    let (fc, counties) = counties();
    let finder = ChapterFinder::from_geojson(&fc).unwrap();
    let f = Filter::default();
    let mut rng = Rng(3);
    for _ in 0..40 {
        // Offshore and inland points around the US.
        let p = [-125.0 + rng.f64() * 60.0, 24.0 + rng.f64() * 26.0];
        let all = finder.nearest(p[0], p[1], finder.len(), &f).unwrap();
        assert_eq!(all.len(), finder.len());
        assert!(all.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));
        let top = finder.nearest(p[0], p[1], 5, &f).unwrap();
        let d_all: Vec<f64> = all.iter().take(5).map(|n| n.distance_m).collect();
        let d_top: Vec<f64> = top.iter().map(|n| n.distance_m).collect();
        assert_eq!(d_top, d_all, "pruned search at {p:?}");
        let inside = !found(&finder, p).is_empty();
        assert_eq!(top[0].distance_m == 0.0, inside);
        // Never farther than the nearest vertex of the county.
        let c = counties.iter().find(|c| c.id == top[0].chapter.id).unwrap();
        let vertex = c
            .polygons
            .iter()
            .flatten()
            .flatten()
            .map(|v| {
                use geo::Distance;
                geo::Geodesic.distance(geo::Point::new(p[0], p[1]), geo::Point::new(v[0], v[1]))
            })
            .fold(f64::INFINITY, f64::min);
        assert!(
            top[0].distance_m <= vertex + 1.0,
            "{} > {vertex}",
            top[0].distance_m
        );
    }
}

#[test]
fn counties_cover_themselves_and_overlap_only_in_two_slivers() {
    let (fc, _) = counties();
    let finder = ChapterFinder::from_geojson(&fc).unwrap();
    let report = finder.coverage(&finder, &Filter::default());
    assert_eq!(report.reference_areas, 3230);
    assert_eq!(report.covered_areas, 3230);
    assert!(report.gaps.is_empty());
    // The 10m topology is not perfect: two triples of counties really share
    // a sliver (shapely finds the same: its point queries in those slivers
    // return all three counties), two of the six pairs involving a county
    // whose ring crosses itself.
    let pairs: Vec<(&str, &str)> = report
        .overlaps
        .iter()
        .map(|o| (o.a.as_str(), o.b.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("22083", "22073"),
            ("22083", "22067"),
            ("22073", "22067"),
            ("06001", "06085"),
            ("06001", "06077"),
            ("06085", "06077"),
        ],
        "{:?}",
        report.overlaps
    );
    assert!((report.overlaps[0].area_m2 - 307_640.0).abs() < 1_000.0);
    for (p, ids) in [
        (
            [-91.90887677058971, 32.5106065],
            ["22067", "22073", "22083"],
        ),
        (
            [-121.47113029245483, 37.4819855],
            ["06001", "06077", "06085"],
        ),
    ] {
        assert_eq!(found(&finder, p), ids);
    }
    // Against one chapter for Massachusetts' Suffolk county: every other county is a gap.
    let one: Value = serde_json::json!({"type": "FeatureCollection", "features": [
        fc["features"].as_array().unwrap().iter().find(|f| f["id"] == "25025").unwrap()
    ]});
    let boston = ChapterFinder::from_geojson(&one).unwrap();
    let report = boston.coverage(&finder, &Filter::default());
    assert_eq!(report.covered_areas, 1);
    assert_eq!(report.gaps.len(), 3229);
    assert!(report.gaps.iter().all(|g| g.id != "25025"));
}
