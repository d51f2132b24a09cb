//! `territory-build`: times building a `ChapterFinder` from GeoJSON text
//! (what a web page does with a fetched public view), then the layers that
//! queries would build on first use, then the warnings.
//!
//! Usage: territory-build [COUNTIES.geojson] [ROUNDS]
//!
//! Prints the best and median wall time of ROUNDS (default 15) rounds of
//! each step. With ROUNDS 0 it only builds the finder once (for
//! `valgrind --tool=callgrind`, which counts the instructions).

use std::time::Instant;

use chapterhouse::territory::ChapterFinder;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "examples/data/us-counties.geojson".to_owned());
    let rounds: usize = args.next().map_or(Ok(15), |r| r.parse())?;
    let text = std::fs::read_to_string(&path)?;
    if rounds == 0 {
        let finder = ChapterFinder::from_geojson_str(&text)?;
        println!("{path}: {} territories", finder.len());
        return Ok(());
    }
    let (mut build, mut all, mut warn) = (Vec::new(), Vec::new(), Vec::new());
    let mut summary = String::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let finder = ChapterFinder::from_geojson_str(&text)?;
        build.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        finder.build_all();
        all.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let warnings = finder.warnings().len();
        warn.push(t.elapsed().as_secs_f64() * 1e3);
        let (parts, edges) = finder.index_size();
        summary = format!(
            "{} territories, {parts} parts, {edges} edges, {warnings} warnings",
            finder.len()
        );
    }
    println!("{path}: {summary}; {} rounds (ms)", build.len());
    for (what, times) in [
        ("ChapterFinder::from_geojson_str", &mut build),
        ("then build_all", &mut all),
        ("then warnings", &mut warn),
    ] {
        times.sort_by(f64::total_cmp);
        let best = times.first().copied().unwrap_or(f64::NAN);
        let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
        println!("  {what:<32} best {best:7.2}  median {median:7.2}");
    }
    Ok(())
}
