//! Territory benchmarks on the 3,231 US counties (examples/data):
//! index build, single lookups, nearest, and bulk assignment of 1M points.
//!
//! Points are drawn deterministically inside random counties' bounding
//! boxes (so denser where counties are small, like population). The
//! side-by-side run against shapely, geopandas and which-polygon on
//! jittered ZIP centroids lives in benches/territory/ (see its README).
//!
//! The `territory` group measures the CPU time of the benchmarking thread
//! (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`, nanoseconds) rather than wall
//! time, so that figures taken on a shared, busy machine count only the
//! time the code ran (cache contention from other processes still shows). The parallel
//! assignment is in `territory_wall`, in wall time.
#![allow(clippy::indexing_slicing, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use chapterhouse::territory::{ChapterFinder, Filter};
use std::time::Instant;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

/// CPU time of the calling thread, in nanoseconds.
struct CpuTime;

fn thread_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

impl Measurement for CpuTime {
    type Intermediate = (Option<u64>, Instant);
    type Value = f64;
    fn start(&self) -> Self::Intermediate {
        (thread_cpu_ns(), Instant::now())
    }
    fn end(&self, (cpu, wall): Self::Intermediate) -> f64 {
        match (cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => b.saturating_sub(a) as f64,
            _ => wall.elapsed().as_nanos() as f64,
        }
    }
    fn add(&self, a: &f64, b: &f64) -> f64 {
        a + b
    }
    fn zero(&self) -> f64 {
        0.0
    }
    fn to_f64(&self, v: &f64) -> f64 {
        *v
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &NsFormatter
    }
}

struct NsFormatter;

impl ValueFormatter for NsFormatter {
    fn scale_values(&self, ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if ns < 1e3 {
            (1.0, "ns (cpu)")
        } else if ns < 1e6 {
            (1e-3, "µs (cpu)")
        } else if ns < 1e9 {
            (1e-6, "ms (cpu)")
        } else {
            (1e-9, "s (cpu)")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }
    fn scale_throughputs(&self, typical: f64, t: &Throughput, values: &mut [f64]) -> &'static str {
        let n = match t {
            Throughput::Elements(n) | Throughput::Bytes(n) | Throughput::BytesDecimal(n) => {
                *n as f64
            }
        };
        let per_s = n * 1e9 / typical;
        let (div, unit) = if per_s >= 1e6 {
            (1e6, "Melem/cpu-s")
        } else if per_s >= 1e3 {
            (1e3, "Kelem/cpu-s")
        } else {
            (1.0, "elem/cpu-s")
        };
        values.iter_mut().for_each(|v| *v = n * 1e9 / *v / div);
        unit
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

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

/// Single lookups through the point grid and through the R-tree, in the same
/// run: the minimum over batches of 65,536 random points (the least
/// disturbed batch on a shared machine), after asserting equal answers.
fn grid_vs_tree(finder: &ChapterFinder, boxes: &[[f64; 4]], filter: &Filter) {
    let pts = points(boxes, 1 << 16, 7);
    for p in &pts {
        assert_eq!(
            finder.first(p[0], p[1], filter),
            finder.first_via_tree(p[0], p[1], filter)
        );
    }
    let time = |f: &dyn Fn(f64, f64) -> Option<u32>| {
        let mut best = f64::INFINITY;
        for _ in 0..40 {
            let t0 = thread_cpu_ns().unwrap_or(0);
            let mut hits = 0usize;
            for p in &pts {
                hits += usize::from(f(black_box(p[0]), black_box(p[1])).is_some());
            }
            black_box(hits);
            let dt = thread_cpu_ns().unwrap_or(0).saturating_sub(t0) as f64;
            best = best.min(dt / pts.len() as f64);
        }
        best
    };
    let grid = time(&|x, y| finder.first(x, y, filter));
    let tree = time(&|x, y| finder.first_via_tree(x, y, filter));
    println!(
        "single lookup, min of 40 batches of 65,536 random points (cpu): point grid {grid:.1} ns, R-tree {tree:.1} ns"
    );
}

fn bench(c: &mut Criterion<CpuTime>) {
    let fc: serde_json::Value = serde_json::from_str(COUNTIES).expect("counties parse");
    let finder = ChapterFinder::from_geojson(&fc).expect("counties load");
    let boxes = bboxes(&fc);
    let filter = Filter::default();

    grid_vs_tree(&finder, &boxes, &filter);

    let mut g = c.benchmark_group("territory");
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
    g.throughput(Throughput::Elements(1));
    g.bench_function("reference_coverage_counties", |b| {
        b.iter_batched(
            || (),
            |()| finder.coverage(&finder, &filter).gaps.len(),
            BatchSize::SmallInput,
        )
    });
    // Builds last: churning the heap first leaves the lookups' index
    // colder than a long-lived finder's (lookups measured about twice as
    // slow after the builds than before them).
    g.sample_size(10);
    g.bench_function("build_counties_index", |b| {
        b.iter(|| ChapterFinder::from_geojson(black_box(&fc)).expect("build"))
    });
    g.bench_function("build_counties_index_from_text", |b| {
        b.iter(|| ChapterFinder::from_geojson_str(black_box(COUNTIES)).expect("build"))
    });
    g.finish();
}

fn bench_wall(c: &mut Criterion) {
    let fc: serde_json::Value = serde_json::from_str(COUNTIES).expect("counties parse");
    let finder = ChapterFinder::from_geojson(&fc).expect("counties load");
    let million = points(&bboxes(&fc), 1_000_000, 2);
    let filter = Filter::default();
    let mut g = c.benchmark_group("territory_wall");
    g.sample_size(10);
    g.throughput(Throughput::Elements(million.len() as u64));
    g.bench_function("assign_1m_parallel", |b| {
        b.iter(|| finder.assign(black_box(&million), &filter))
    });
    g.finish();
}

criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(CpuTime);
    targets = bench
}
criterion_group!(wall, bench_wall);
criterion_main!(cpu, wall);
