//! Health scoring over a large activity log: 10 million rows over 10,000
//! groups, from columns (the Arrow/NumPy path), on every core (rows are
//! counted in one part per core; `RAYON_NUM_THREADS=1` for one thread).
//!
//! Build: `cargo bench -p chapterhouse-benches --bench health --no-run`, then
//! run the printed executable with `--bench`. The goal (DESIGN.md) is ≤ 1 s.
//! `HEALTH_BENCH_QUICK=1` prints three timed runs and skips criterion.

// criterion_group! defines an undocumented function; bench code may unwrap and index.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use chapterhouse::health::{
    Columns, Facts, GroupFacts, HealthModel, Kind, KindColumn, Scorer, StrColumn, Strings,
    TimeColumn,
};
use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ROWS: usize = 10_000_000;
const GROUPS: usize = 10_000;
const PEOPLE: usize = 200_000;

/// splitmix64: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Log {
    group_names: Vec<String>,
    people: Vec<String>,
    group: Vec<u32>,
    time: Vec<i64>,
    kind: Vec<u8>,
    value: Vec<f64>,
    actor: Vec<u32>,
    facts: Facts,
    now: DateTime<Utc>,
}

impl Log {
    fn columns(&self) -> (Vec<&str>, Vec<&str>) {
        (
            self.group_names.iter().map(String::as_str).collect(),
            self.people.iter().map(String::as_str).collect(),
        )
    }
}

fn generate() -> Log {
    let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    let now_s = now.timestamp();
    let mut rng = Rng(42);
    let group_names: Vec<String> = (0..GROUPS).map(|i| format!("chapter-{i:05}")).collect();
    let people: Vec<String> = (0..PEOPLE).map(|i| format!("person-{i:06}")).collect();
    // Each group has 1-3 leaders drawn from its own pool of people.
    let mut facts = Facts {
        staff: (0..20).map(|i| people[i].parse().unwrap()).collect(),
        groups: Vec::with_capacity(GROUPS),
    };
    for (g, name) in group_names.iter().enumerate() {
        let mut f = GroupFacts::new(name.parse().unwrap());
        f.created = Some(now - chrono::Duration::days(30 + (g as i64 * 7) % 1500));
        f.cohort = Some(format!("cohort-{}", g % 12));
        let n = 1 + g % 3;
        f.leaders = Some(
            (0..n)
                .map(|j| people[(g * 20 + j) % PEOPLE].parse().unwrap())
                .collect(),
        );
        facts.groups.push(f);
    }
    // Kind mix: posts 45%, leader actions 15%, events 10%, joins 10%,
    // report-backs 8%, petitions 5%, leaves 4%, wins 3%.
    let table: [(u64, Kind); 8] = [
        (45, Kind::Post),
        (15, Kind::LeaderAction),
        (10, Kind::EventHeld),
        (10, Kind::MemberJoined),
        (8, Kind::ActionReported),
        (5, Kind::PetitionStarted),
        (4, Kind::MemberLeft),
        (3, Kind::Win),
    ];
    let mut log = Log {
        group_names,
        people,
        group: Vec::with_capacity(ROWS),
        time: Vec::with_capacity(ROWS),
        kind: Vec::with_capacity(ROWS),
        value: Vec::with_capacity(ROWS),
        actor: Vec::with_capacity(ROWS),
        facts,
        now,
    };
    for _ in 0..ROWS {
        let g = rng.below(GROUPS as u64) as usize;
        let mut pick = rng.below(100);
        let mut kind = Kind::Post;
        for (w, k) in table {
            if pick < w {
                kind = k;
                break;
            }
            pick -= w;
        }
        // Two years of history, weighted towards recent activity.
        let a = rng.below(730 * 86_400) as i64;
        let b = rng.below(730 * 86_400) as i64;
        let ago = a.min(b) - 3 * 86_400; // a few rows in the future
        let actor = match kind {
            Kind::LeaderAction => ((g * 20 + rng.below(4) as usize) % PEOPLE) as u32,
            _ => ((g * 20 + rng.below(60) as usize) % PEOPLE) as u32,
        };
        let value = match kind {
            Kind::EventHeld => {
                (5 + rng.below(60) + if rng.below(100) == 0 { 2000 } else { 0 }) as f64
            }
            Kind::MemberJoined | Kind::MemberLeft => (1 + rng.below(3)) as f64,
            _ => f64::NAN,
        };
        log.group.push(g as u32);
        log.time.push(now_s - ago);
        log.kind.push(kind.code());
        log.value.push(value);
        log.actor.push(actor);
    }
    log
}

fn score(log: &Log, groups: &[&str], people: &[&str], model: &HealthModel) -> usize {
    let cols = Columns {
        group: StrColumn::Dict {
            keys: &log.group,
            values: Strings::Slice(groups),
        },
        time: TimeColumn::Seconds(&log.time),
        kind: KindColumn::Codes(&log.kind),
        value: Some(&log.value),
        actor: Some(StrColumn::Dict {
            keys: &log.actor,
            values: Strings::Slice(people),
        }),
        actor_valid: None,
    };
    let mut scorer = Scorer::new(model, &log.facts, log.now).unwrap();
    scorer.add_columns(&cols).unwrap();
    let report = scorer.report(None);
    report.groups.len()
}

/// Prints the CPU time of each phase: set-up, adding the columns, reporting.
fn phases(log: &Log, groups: &[&str], people: &[&str], model: &HealthModel) {
    let cols = Columns {
        group: StrColumn::Dict {
            keys: &log.group,
            values: Strings::Slice(groups),
        },
        time: TimeColumn::Seconds(&log.time),
        kind: KindColumn::Codes(&log.kind),
        value: Some(&log.value),
        actor: Some(StrColumn::Dict {
            keys: &log.actor,
            values: Strings::Slice(people),
        }),
        actor_valid: None,
    };
    let c0 = cpu_seconds().unwrap_or(0.0);
    let mut scorer = Scorer::new(model, &log.facts, log.now).unwrap();
    let c1 = cpu_seconds().unwrap_or(0.0);
    scorer.add_columns(&cols).unwrap();
    let c2 = cpu_seconds().unwrap_or(0.0);
    let report = black_box(scorer.report(None));
    let c3 = cpu_seconds().unwrap_or(0.0);
    eprintln!(
        "phases (cpu s): new {:.2}, add_columns {:.2}, report {:.2} ({} groups)",
        c1 - c0,
        c2 - c1,
        c3 - c2,
        report.groups.len()
    );
}

/// User + system CPU seconds of this process (Linux), 10 ms resolution.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn bench(c: &mut Criterion) {
    let t = Instant::now();
    let log = generate();
    eprintln!(
        "generated {ROWS} rows over {GROUPS} groups in {:.2?}",
        t.elapsed()
    );
    let (groups, people) = log.columns();
    let model = HealthModel::default();

    // Three timed runs up front, so the figure and rows/s are printed plainly,
    // with the process CPU time (wall time is inflated on a shared machine).
    let runs = if std::env::var_os("HEALTH_BENCH_QUICK").is_some() {
        6
    } else {
        3
    };
    for _ in 0..runs {
        let cpu = cpu_seconds();
        let t = Instant::now();
        let n = score(&log, &groups, &people, &model);
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds().zip(cpu).map(|(b, a)| b - a);
        eprintln!(
            "one run: {n} group reports from {ROWS} rows in {secs:.3} s wall ({}) = {:.1} M rows/s",
            cpu.map_or("cpu time unknown".into(), |c| format!("{c:.2} s cpu")),
            ROWS as f64 / secs / 1e6
        );
    }
    if std::env::var_os("HEALTH_BENCH_QUICK").is_some() {
        phases(&log, &groups, &people, &model);
        return;
    }

    let mut g = c.benchmark_group("health");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("score_10m_rows_10k_groups", |b| {
        b.iter(|| black_box(score(&log, &groups, &people, &model)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
