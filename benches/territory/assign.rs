//! `territory-assign`: assigns a file of points to US counties with
//! chapterhouse and writes every match, so `compare.py` can check each
//! assignment against shapely and time both in one run.
//!
//! Usage: territory-assign COUNTIES.geojson POINTS.f64 OUT_DIR
//!
//! POINTS.f64 holds little-endian f64 pairs (lon, lat). Writes to OUT_DIR:
//! - `rust_pairs.u32`: (point index, feature index) pairs of every county
//!   covering each point, sorted — the shape of shapely's `STRtree.query`;
//! - `rust_first.i32`: per point, the feature index of the most specific
//!   county (smallest area), or -1;
//! - prints a JSON summary (timings, memory) on stdout.

#![allow(clippy::indexing_slicing)] // a benchmark tool over its own data

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use chapterhouse::territory::{ChapterFinder, Filter};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, counties, points, out] = args.as_slice() else {
        return Err("usage: territory-assign COUNTIES.geojson POINTS.f64 OUT_DIR".into());
    };
    let text = std::fs::read_to_string(counties)?;
    let fc: serde_json::Value = serde_json::from_str(&text)?;
    let feature_ix: HashMap<String, u32> = fc["features"]
        .as_array()
        .ok_or("no features")?
        .iter()
        .enumerate()
        .filter_map(|(i, f)| Some((f["id"].as_str()?.to_owned(), i as u32)))
        .collect();

    let t = Instant::now();
    let finder = ChapterFinder::from_geojson(&fc)?;
    let build_s = t.elapsed().as_secs_f64();
    // The layers that queries would build on first use, built now, so the
    // assignment timings below are of the whole index.
    let t = Instant::now();
    finder.build_all();
    let build_all_s = t.elapsed().as_secs_f64();
    let to_feature: Vec<u32> = finder
        .entries()
        .iter()
        .map(|e| feature_ix.get(&e.id).copied().unwrap_or(u32::MAX))
        .collect();

    let bytes = std::fs::read(points)?;
    let pts: Vec<[f64; 2]> = bytes
        .chunks_exact(16)
        .map(|c| {
            let mut x = [0u8; 8];
            let mut y = [0u8; 8];
            x.copy_from_slice(&c[..8]);
            y.copy_from_slice(&c[8..]);
            [f64::from_le_bytes(x), f64::from_le_bytes(y)]
        })
        .collect();
    let n = pts.len();
    let filter = Filter::default();

    // Profiling aid: `REPEAT=5 territory-assign ...` only assigns, 5 times,
    // on one thread (for `perf stat`).
    if let Some(r) = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse::<usize>().ok())
    {
        let mut best = f64::INFINITY;
        for _ in 0..r {
            let c = cpu_s();
            let _ = finder.assign_sequential(&pts, &filter);
            best = best.min(cpu_s() - c);
        }
        println!("best of {r}: {best:.3} cpu s for {n} points");
        let mut best = f64::INFINITY;
        for _ in 0..r {
            let c = cpu_s();
            let mut hits = 0usize;
            for p in &pts {
                hits += usize::from(finder.first(p[0], p[1], &filter).is_some());
            }
            best = best.min(cpu_s() - c);
            std::hint::black_box(hits);
        }
        println!(
            "single lookups in input order: {:.0} ns each (best of {r})",
            best / n as f64 * 1e9
        );
        return Ok(());
    }

    // Warm up (page in the index), then measure.
    let _ = finder.assign_sequential(&pts[..n.min(10_000)], &filter);

    let rss_before = status_kib("VmRSS");
    reset_peak();
    let (t, c) = (Instant::now(), cpu_s());
    let seq = finder.assign_sequential(&pts, &filter);
    let (seq_s, seq_cpu) = (t.elapsed().as_secs_f64(), cpu_s() - c);
    let peak_seq = status_kib("VmHWM");

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (t, c) = (Instant::now(), cpu_s());
    let par = finder.assign(&pts, &filter);
    let (par_s, par_cpu) = (t.elapsed().as_secs_f64(), cpu_s() - c);
    let peak_par = status_kib("VmHWM");
    assert_eq!(seq, par, "parallel and sequential assignments differ");

    // Every match, for the comparison with shapely.
    let t = Instant::now();
    let mut buf = Vec::with_capacity(8);
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(n + n / 50);
    for (i, p) in pts.iter().enumerate() {
        finder.lookup_into(p[0], p[1], &filter, &mut buf)?;
        for &e in &buf {
            pairs.push((i as u32, to_feature[e as usize]));
        }
    }
    let all_s = t.elapsed().as_secs_f64();
    pairs.sort_unstable();

    std::fs::create_dir_all(out)?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(format!("{out}/rust_pairs.u32"))?);
    for (p, f) in &pairs {
        w.write_all(&p.to_le_bytes())?;
        w.write_all(&f.to_le_bytes())?;
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(format!("{out}/rust_first.i32"))?);
    for a in &seq {
        let v: i32 = a.map_or(-1, |e| to_feature[e as usize] as i32);
        w.write_all(&v.to_le_bytes())?;
    }
    w.flush()?;

    let (parts, edges) = finder.index_size();
    let summary = serde_json::json!({
        "points": n,
        "counties_indexed": finder.len(),
        "parts": parts,
        "edges": edges,
        "build_s": build_s,
        "build_all_s": build_all_s,
        "assign_1_thread_s": seq_s,
        "assign_1_thread_points_per_s": n as f64 / seq_s,
        "assign_1_thread_cpu_s": seq_cpu,
        "assign_points_per_cpu_s": n as f64 / seq_cpu,
        "assign_parallel_cpu_s": par_cpu,
        "assign_parallel_s": par_s,
        "assign_parallel_points_per_s": n as f64 / par_s,
        "threads": threads,
        "lookup_all_matches_s": all_s,
        "rss_before_assign_mib": rss_before as f64 / 1024.0,
        "extra_peak_mib_1_thread": (peak_seq.saturating_sub(rss_before)) as f64 / 1024.0,
        "extra_peak_mib_parallel": (peak_par.saturating_sub(rss_before)) as f64 / 1024.0,
        "matched_points": seq.iter().filter(|a| a.is_some()).count(),
        "pairs": pairs.len(),
    });
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}

/// A `/proc/self/status` field in KiB (0 where unavailable).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) of this process so far, in seconds (10 ms
/// resolution): unlike wall time, it does not count waiting for a core on
/// a shared machine.
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Resets the peak RSS (VmHWM) to the current RSS (Linux).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
