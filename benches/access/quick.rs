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

use std::hint::black_box;
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
            black_box(Network::from_json(&snapshot).unwrap().len());
            let s = t.elapsed().as_secs_f64();
            best_cpu = best_cpu.min(thread() - c);
            best_process = best_process.min(process() - pc);
            all.push(s * 1e3);
            best = best.min(s);
        }
        all.sort_by(f64::total_cmp);
        eprintln!(
            "access-quick: load from JSON (parse, build, drop): best {:.1} ms, median {:.1} ms of {n}; least CPU time {:.1} ms (this thread), {:.1} ms (all threads)",
            best * 1e3,
            all[all.len() / 2],
            best_cpu * 1e3,
            best_process * 1e3
        );
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
        if what == "checkonly" {
            let mut allowed = 0usize;
            for i in 0..n * 1_000_000 {
                let (u, c, nd) = packed.get(i % QUERIES);
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
                let (u, c, nd) = packed.get(i % hot);
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
