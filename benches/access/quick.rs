//! The access benchmark's chapterhouse figures without the Cedar fixture
//! (quick to build and run while working on the engine): load from JSON
//! (best of N), check with ids as strings and with handles (random and 64
//! hot queries, least time per op over batches) and `nodes_where` for a
//! regional coordinator. The side-by-side figures come from
//! `benches/access.rs`.
//!
//! `cargo run --release -p chapterhouse-benches --bin access-quick [load|check|all] [N]`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use chapterhouse::Network;
use chapterhouse::access::Policy;
use chapterhouse_benches::access_org::{self, ADMINS, NOW, Packed, QUERIES, min_per_op, user_id};
use chrono::{DateTime, Utc};

/// CPU time in seconds of this thread (`CLOCK_THREAD_CPUTIME_ID`) or of
/// the whole process, every thread (`CLOCK_PROCESS_CPUTIME_ID`): on a
/// shared machine, the part of a wall-clock figure that is this program's
/// own work (the load reads on two threads, so its wall time on a quiet
/// machine lies between half the process's CPU time and all of it).
fn cpu_seconds(clock: libc::clockid_t) -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// The system allocator, counting calls and bytes (for `loadstats`: how
/// many blocks a load asks for and how big; a relaxed add a call).
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static ALLOC_BYTES: AtomicU64 = AtomicU64::new(0);
static REALLOCS: AtomicU64 = AtomicU64::new(0);
static REALLOC_BYTES: AtomicU64 = AtomicU64::new(0);
/// The sizes of the first blocks of 256 KiB or more (allocations and
/// reallocations), in the order asked.
static BIG: [AtomicU64; 64] = [const { AtomicU64::new(0) }; 64];
static BIGS: AtomicU64 = AtomicU64::new(0);

fn note_big(size: usize, realloc: bool) {
    if size >= 256 << 10 {
        let i = BIGS.fetch_add(1, Relaxed) as usize;
        if let Some(b) = BIG.get(i) {
            b.store(size as u64 | u64::from(realloc) << 63, Relaxed);
        }
    }
}

// SAFETY: every call is passed on to `System` unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOC_BYTES.fetch_add(layout.size() as u64, Relaxed);
        note_big(layout.size(), false);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        ALLOC_BYTES.fetch_add(layout.size() as u64, Relaxed);
        note_big(layout.size(), false);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        REALLOCS.fetch_add(1, Relaxed);
        REALLOC_BYTES.fetch_add(new_size as u64, Relaxed);
        note_big(new_size, true);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (user CPU s, system CPU s, minor page faults) of the whole process.
fn usage() -> (f64, f64, i64) {
    // SAFETY: an all-zero rusage is a valid value to overwrite.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    (s(ru.ru_utime), s(ru.ru_stime), ru.ru_minflt)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "all".to_owned());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    let users = access_org::users();
    let snapshot = access_org::snapshot(&users);
    eprintln!("snapshot {:.1} MB", snapshot.len() as f64 / 1e6);
    if what == "load" || what == "all" {
        let mut best = f64::INFINITY;
        let mut best_cpu = f64::INFINITY;
        let mut best_process = f64::INFINITY;
        let mut all = Vec::new();
        let thread = || cpu_seconds(libc::CLOCK_THREAD_CPUTIME_ID);
        let process = || cpu_seconds(libc::CLOCK_PROCESS_CPUTIME_ID);
        for _ in 0..n {
            let (t, c, pc) = (Instant::now(), thread(), process());
            let net = black_box(Network::from_json(&snapshot).unwrap());
            let s = t.elapsed().as_secs_f64();
            best_cpu = best_cpu.min(thread() - c);
            best_process = best_process.min(process() - pc);
            // dropped after the clocks are read, as in the criterion bench
            drop(net);
            all.push(s * 1e3);
            best = best.min(s);
        }
        all.sort_by(f64::total_cmp);
        eprintln!(
            "access-quick: load from JSON (parse and build; the drop after): best {:.1} ms, median {:.1} ms of {n}; least CPU time {:.1} ms (this thread), {:.1} ms (all threads)",
            best * 1e3,
            all[all.len() / 2],
            best_cpu * 1e3,
            best_process * 1e3
        );
    }
    if what == "loadstats" {
        // per load: wall, user and system CPU, minor page faults, blocks
        // and bytes asked of the allocator
        for _ in 0..n {
            let (a0, b0) = (ALLOCS.load(Relaxed), ALLOC_BYTES.load(Relaxed));
            let (r0, rb0) = (REALLOCS.load(Relaxed), REALLOC_BYTES.load(Relaxed));
            BIGS.store(0, Relaxed);
            let (u0, s0, f0) = usage();
            let t = Instant::now();
            let net = black_box(Network::from_json(&snapshot).unwrap());
            let w = t.elapsed().as_secs_f64();
            let (u1, s1, f1) = usage();
            drop(net);
            eprintln!(
                "access-quick: load {:.1} ms wall, {:.1} ms user, {:.1} ms system, {} minor faults, {} allocations ({:.1} MB), {} reallocations (to {:.1} MB)",
                w * 1e3,
                (u1 - u0) * 1e3,
                (s1 - s0) * 1e3,
                f1 - f0,
                ALLOCS.load(Relaxed) - a0,
                (ALLOC_BYTES.load(Relaxed) - b0) as f64 / 1e6,
                REALLOCS.load(Relaxed) - r0,
                (REALLOC_BYTES.load(Relaxed) - rb0) as f64 / 1e6,
            );
            let big: Vec<String> = BIG
                .iter()
                .take(BIGS.load(Relaxed) as usize)
                .map(|b| {
                    let v = b.load(Relaxed);
                    let r = if v >> 63 == 1 { "re " } else { "" };
                    format!("{r}{:.2}", (v & !(1 << 63)) as f64 / 1e6)
                })
                .collect();
            eprintln!(
                "  blocks of 256 KiB or more (MB, in order): {}",
                big.join(", ")
            );
        }
        return;
    }
    if what == "loadonly" {
        // for perf record: load repeatedly
        for _ in 0..n {
            black_box(Network::from_json(&snapshot).unwrap().len());
        }
        return;
    }
    if what == "check" || what == "all" || what == "checkonly" {
        let net = Network::from_json(&snapshot).unwrap();
        let now: DateTime<Utc> = NOW.parse().unwrap();
        let caps: Vec<String> = Policy::default()
            .capabilities
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let queries = access_org::queries(&users, &caps);
        let packed = Packed::new(&queries);
        let slices = packed.slices();
        if what == "checkonly" {
            let mut allowed = 0usize;
            for i in 0..n * 1_000_000 {
                let [u, c, nd] = slices[i % QUERIES];
                allowed += usize::from(net.check(u, c, nd, now).unwrap().is_allowed());
            }
            eprintln!("{allowed}");
            return;
        }
        let hs: Vec<_> = queries
            .iter()
            .map(|(u, c, nd)| {
                (
                    net.person_handle(u).unwrap(),
                    net.capability_handle(c).unwrap(),
                    net.node_handle(nd).unwrap(),
                )
            })
            .collect();
        let ours = |hot: usize| {
            min_per_op(400, 1000, |i| {
                let [u, c, nd] = slices[i % hot];
                black_box(net.check(u, c, nd, now).unwrap().is_allowed());
            })
        };
        let by_handle = |hot: usize| {
            min_per_op(400, 1000, |i| {
                let (p, c, nd) = hs[i % hot];
                black_box(net.check_handles(p, c, nd, now).unwrap().is_allowed());
            })
        };
        for hot in [QUERIES, 64] {
            eprintln!(
                "access-quick: check, {hot} queries (min of batches): {:.1} ns (ids as strings), {:.1} ns (handles)",
                ours(hot) * 1e9,
                by_handle(hot) * 1e9
            );
        }
        let coord = user_id(ADMINS);
        let nw = min_per_op(200, 100, |_| {
            black_box(
                net.nodes_where(&coord, "chapter.view", now, None, 1000)
                    .unwrap()
                    .nodes
                    .len(),
            );
        });
        eprintln!(
            "access-quick: nodes_where for a regional coordinator (min of batches): {:.0} ns",
            nw * 1e9
        );
    }
}
