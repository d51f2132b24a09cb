//! Triage plan over 100,000 requests from 5,000 chapters (goal: ≤ 100 ms).
//!
//! Run: `cargo bench -p chapterhouse-benches --bench triage --no-run`, then the
//! printed executable with `--bench`. It first prints the plan's on-CPU time
//! (Linux schedstat), which stays meaningful when other work shares the
//! machine, then criterion's wall-clock figures.

// criterion_group! defines an undocumented function; bench code may unwrap and index.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

use std::fmt::Write as _;
use std::hint::black_box;

use chapterhouse::triage::{TriageConfig, TriageInput, plan};
use criterion::{Criterion, criterion_group, criterion_main};

/// SplitMix64, so the queue is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const KINDS: [&str; 4] = [
    "event_approval",
    "leader_application",
    "campaign_review",
    "support_request",
];
const HEALTH: [&str; 5] = ["new", "thriving", "steady", "at_risk", "dormant"];

/// 100,000 requests over 5,000 chapters in 20 cohorts, 80 staff; created in
/// October 2026, due in October or November; one in 500 flagged safety/legal.
fn queue(requests: usize, chapters: u64) -> String {
    let mut rng = Rng(42);
    let mut s = String::with_capacity(requests * 220);
    s.push_str("{\"as_of\": \"2026-11-01T09:00:00Z\",\n\"staff\": [");
    for i in 0..80 {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "{{\"id\": \"staff-{i}\", \"minutes\": {}, \"cohorts\": [\"k{}\", \"k{}\"], \"mentoring_minutes\": 600}}",
            240 + rng.below(240),
            i % 20,
            (i + 7) % 20
        );
    }
    s.push_str("],\n\"chapters\": [");
    for c in 0..chapters {
        if c > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            "{{\"id\": \"ch-{c}\", \"cohort\": \"k{}\", \"health\": \"{}\", \"mentor\": \"staff-{}\"}}",
            c % 20,
            HEALTH[rng.below(5) as usize],
            (c % 20 + 20 * rng.below(4)) % 80
        );
    }
    s.push_str("],\n\"requests\": [");
    for r in 0..requests {
        if r > 0 {
            s.push_str(",\n");
        }
        // One chapter in fifty sends ten times as much.
        let chapter = if rng.below(10) == 0 {
            rng.below(chapters / 50) * 50
        } else {
            rng.below(chapters)
        };
        let _ = write!(
            s,
            "{{\"id\": \"req-{r}\", \"kind\": \"{}\", \"chapter\": \"ch-{chapter}\", \"tier\": {}, \"created\": \"2026-10-{:02}T{:02}:00:00Z\", \"minutes\": {}",
            KINDS[rng.below(4) as usize],
            1 + rng.below(3),
            1 + rng.below(31),
            rng.below(24),
            5 + rng.below(175)
        );
        if rng.below(10) < 7 {
            let _ = write!(
                s,
                ", \"due\": \"2026-11-{:02}T{:02}:00:00Z\"",
                1 + rng.below(30),
                rng.below(24)
            );
        }
        if rng.below(500) == 0 {
            s.push_str(", \"safety_legal\": true");
        }
        if rng.below(20) == 0 {
            s.push_str(", \"day_of_action\": true");
        }
        if rng.below(4) == 0 {
            let _ = write!(s, ", \"reach\": {}", rng.below(1000));
        }
        s.push('}');
    }
    s.push_str("]}");
    s
}

/// This thread's on-CPU and run-queue wait time in ns (Linux schedstat), so a
/// figure can be told apart from time lost to other processes on a busy machine.
fn schedstat() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let mut it = text.split_whitespace().map(|x| x.parse::<u64>().ok());
    Some((it.next()??, it.next()??))
}

fn bench(c: &mut Criterion) {
    let text = queue(100_000, 5_000);
    let input = TriageInput::from_json(&text).unwrap();
    let now = input.as_of.unwrap();
    let config = TriageConfig::default();
    let sample = plan(&input, &config, now).unwrap();
    eprintln!(
        "triage: {} requests, {} chapters, {} staff; {} rows above the line, {} alerts",
        input.requests.len(),
        input.chapters.len(),
        input.staff.len(),
        sample.line.after_rank,
        sample.alerts.len()
    );
    // On-CPU time of the plan alone (each plan is dropped outside the window).
    let runs = 10u32;
    let (mut cpu, mut wait, mut wall) = (0u64, 0u64, 0f64);
    for _ in 0..runs {
        let (Some((c0, w0)), start) = (schedstat(), std::time::Instant::now()) else {
            break;
        };
        let p = plan(black_box(&input), black_box(&config), now).unwrap();
        let elapsed = start.elapsed().as_secs_f64();
        if let Some((c1, w1)) = schedstat() {
            cpu += c1 - c0;
            wait += w1 - w0;
            wall += elapsed;
        }
        drop(black_box(p));
    }
    if cpu > 0 {
        eprintln!(
            "triage: plan on-CPU {:.1} ms (wall {:.1} ms, of which waiting for a CPU {:.1} ms), mean of {runs}",
            cpu as f64 / 1e6 / f64::from(runs),
            wall * 1000.0 / f64::from(runs),
            wait as f64 / 1e6 / f64::from(runs),
        );
    }
    let mut group = c.benchmark_group("triage");
    group.sample_size(20);
    // The plan is dropped outside the timed loop: freeing 100,000 rows is the
    // caller's cost, measured separately below.
    group.bench_function("plan_100k_requests_5k_chapters", |b| {
        b.iter_with_large_drop(|| plan(black_box(&input), black_box(&config), now).unwrap())
    });
    group.bench_function("plan_and_drop_100k_requests", |b| {
        b.iter(|| plan(black_box(&input), black_box(&config), now).unwrap())
    });
    group.bench_function("read_json_100k_requests", |b| {
        b.iter(|| TriageInput::from_json(black_box(&text)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
