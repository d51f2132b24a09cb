//! Territory benchmarks on the 3,231 US counties (examples/data):
//! index build, single lookups, nearest, and bulk assignment of 1M points.
//!
//! Points are drawn deterministically inside random counties' bounding
//! boxes (so denser where counties are small, like population). The
//! side-by-side run against shapely, geopandas and which-polygon on
//! jittered ZIP centroids lives in benches/territory/ (see its README).
#![allow(clippy::indexing_slicing, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use chapterhouse::territory::{ChapterFinder, Filter};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

const COUNTIES: &str = include_str!("../../examples/data/us-counties.geojson");

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
}

fn bboxes(fc: &serde_json::Value) -> Vec<[f64; 4]> {
    let mut out = Vec::new();
    for f in fc["features"].as_array().into_iter().flatten() {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        let mut stack = vec![&f["geometry"]["coordinates"]];
        while let Some(v) = stack.pop() {
            match v.as_array() {
                Some(a) if a.first().is_some_and(|x| x.is_number()) => {
                    let (x, y) = (a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0));
                    b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
                }
                Some(a) => stack.extend(a.iter()),
                None => {}
            }
        }
        // Skip the null geometry and Aleutians West's globe-wide box.
        if b[0] <= b[2] && b[2] - b[0] < 90.0 {
            out.push(b);
        }
    }
    out
}

fn points(b: &[[f64; 4]], n: usize, seed: u64) -> Vec<[f64; 2]> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            let c = b[(rng.next() % b.len() as u64) as usize];
            [
                c[0] + rng.f64() * (c[2] - c[0]),
                c[1] + rng.f64() * (c[3] - c[1]),
            ]
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let fc: serde_json::Value = serde_json::from_str(COUNTIES).expect("counties parse");
    let finder = ChapterFinder::from_geojson(&fc).expect("counties load");
    let boxes = bboxes(&fc);
    let filter = Filter::default();

    let mut g = c.benchmark_group("territory");
    g.sample_size(10);
    g.bench_function("build_counties_index", |b| {
        b.iter(|| ChapterFinder::from_geojson(black_box(&fc)).expect("build"))
    });

    let pts = points(&boxes, 1 << 16, 1);
    g.sample_size(50);
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    g.bench_function("first_single_point", |b| {
        b.iter(|| {
            i = (i + 1) & (pts.len() - 1);
            let p = pts[i];
            finder.first(black_box(p[0]), black_box(p[1]), &filter)
        })
    });
    let mut buf = Vec::with_capacity(8);
    g.bench_function("lookup_into_single_point", |b| {
        b.iter(|| {
            i = (i + 1) & (pts.len() - 1);
            let p = pts[i];
            finder
                .lookup_into(black_box(p[0]), black_box(p[1]), &filter, &mut buf)
                .expect("valid point");
            buf.len()
        })
    });
    g.bench_function("nearest_5", |b| {
        b.iter(|| {
            i = (i + 1) & (pts.len() - 1);
            let p = pts[i];
            finder
                .nearest(black_box(p[0] - 0.5), black_box(p[1]), 5, &filter)
                .map(|v| v.len())
        })
    });

    let million = points(&boxes, 1_000_000, 2);
    g.sample_size(10);
    g.throughput(Throughput::Elements(million.len() as u64));
    g.bench_function("assign_1m_one_thread", |b| {
        b.iter(|| finder.assign_sequential(black_box(&million), &filter))
    });
    g.bench_function("assign_1m_parallel", |b| {
        b.iter(|| finder.assign(black_box(&million), &filter))
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("reference_coverage_counties", |b| {
        b.iter_batched(
            || (),
            |()| finder.coverage(&finder, &filter).gaps.len(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
