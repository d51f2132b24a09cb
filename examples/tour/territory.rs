//! Tour section: which chapter covers this place, the nearest one when none
//! does, points on a border, and where the organization has no chapter yet.

use std::fmt::Write;

use chapterhouse::Network;
use chapterhouse::territory::{ChapterFinder, Filter};

/// Addresses' coordinates to look up (examples/data/places.json).
const PLACES: &str = include_str!("../data/places.json");
/// The 3,231 US counties, as reference areas for coverage gaps.
const COUNTIES: &str = include_str!("../data/us-counties.geojson");

/// The territory section of the tour, as text.
pub fn section(net: &Network) -> String {
    let mut out = String::new();
    let _ = write_section(net, &mut out);
    out
}

fn write_section(net: &Network, out: &mut String) -> std::fmt::Result {
    let filter = Filter::default(); // active, public chapters
    let finder = net.finder();
    writeln!(
        out,
        "{} chapters have a territory; a lookup returns active, public ones, most specific first.",
        finder.len()
    )?;
    let places: Vec<serde_json::Value> = match serde_json::from_str(PLACES) {
        Ok(p) => p,
        Err(e) => return writeln!(out, "places.json did not parse: {e}"),
    };
    writeln!(out)?;
    for place in &places {
        let name = place["name"].as_str().unwrap_or("?");
        let (Some(lon), Some(lat)) = (place["lon"].as_f64(), place["lat"].as_f64()) else {
            continue;
        };
        let here = match net.lookup(lon, lat, &filter) {
            Ok(h) => h,
            Err(e) => {
                writeln!(out, "  {name}: {e}")?;
                continue;
            }
        };
        let names: Vec<&str> = here.iter().map(|n| n.name.as_str()).collect();
        match names.as_slice() {
            [] => {
                let near = net.nearest(lon, lat, 1, &filter).unwrap_or_default();
                match near.first() {
                    Some((n, d)) => writeln!(
                        out,
                        "  {name} ({lon}, {lat}): no group here yet. The nearest is {}, {:.1} km away, or start one.",
                        n.name,
                        d / 1000.0
                    )?,
                    None => writeln!(out, "  {name}: no group anywhere yet")?,
                }
            }
            [one] => writeln!(out, "  {name} ({lon}, {lat}): {one}")?,
            [first, rest @ ..] if on_border(net, lon, lat) => writeln!(
                out,
                "  {name} ({lon}, {lat}): on the border of {first} and {} (a border point belongs to both)",
                rest.join(", ")
            )?,
            [first, rest @ ..] => writeln!(
                out,
                "  {name} ({lon}, {lat}): {first} (inside {}, which is larger)",
                rest.join(", ")
            )?,
        }
    }

    // The same answers from the public view a website ships.
    let view = net.public_view();
    let shipped = view
        .get("features")
        .and_then(|f| f.as_array())
        .map_or(0, Vec::len);
    let bytes = view.to_string().len();
    writeln!(
        out,
        "\nThe public view a website ships: {shipped} listed chapters, {} KiB of GeoJSON, no people or grants.",
        bytes / 1024
    )?;

    // Coverage: where should the organization recruit leaders?
    let counties: serde_json::Value = match serde_json::from_str(COUNTIES) {
        Ok(c) => c,
        Err(e) => return writeln!(out, "us-counties.geojson did not parse: {e}"),
    };
    let reference = match ChapterFinder::from_geojson(&counties) {
        Ok(r) => r,
        Err(e) => return writeln!(out, "the counties did not load: {e}"),
    };
    let report = net.coverage(&reference, &filter);
    writeln!(
        out,
        "\nCoverage against the {} US counties: {} have an active chapter, {} do not.",
        report.reference_areas,
        report.covered_areas,
        report.gaps.len()
    )?;
    let mut largest: Vec<_> = report.gaps.iter().collect();
    largest.sort_by(|a, b| b.area_m2.total_cmp(&a.area_m2));
    let state = |id: &str| {
        counties
            .get("features")
            .and_then(|f| f.as_array())
            .and_then(|fs| fs.iter().find(|f| f.get("id").is_some_and(|v| v == id)))
            .and_then(|f| f.pointer("/properties/state"))
            .and_then(|s| s.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let names: Vec<String> = largest
        .iter()
        .take(5)
        .map(|g| format!("{} {} ({:.0} km²)", g.name, state(&g.id), g.area_m2 / 1e6))
        .collect();
    writeln!(out, "  largest counties without one: {}", names.join(", "))?;
    if report.overlaps.is_empty() {
        writeln!(out, "  no two active territories overlap")?;
    } else {
        writeln!(out, "  overlapping territories:")?;
        for o in report.overlaps.iter().take(8) {
            let name = |id: &str| net.node(id).map_or(id.to_owned(), |n| n.name.clone());
            let how = if o.share_of_a > 0.99 {
                format!("{} lies within {}", name(&o.a), name(&o.b))
            } else {
                format!(
                    "{} and {} share {:.0}% of {}",
                    name(&o.a),
                    name(&o.b),
                    o.share_of_a * 100.0,
                    name(&o.a)
                )
            };
            writeln!(out, "    {how} ({:.1} km²)", o.area_m2 / 1e6)?;
        }
    }
    if let Some(w) = finder.warnings().first() {
        writeln!(
            out,
            "  {} territory warnings, e.g. {}: {}",
            finder.warnings().len(),
            w.id,
            w.message
        )?;
    }
    Ok(())
}

/// True when the point lies on the boundary of more than one territory
/// rather than inside nested ones: nudging it a little east or west leaves
/// one of them.
fn on_border(net: &Network, lon: f64, lat: f64) -> bool {
    let f = Filter::default();
    let count = |x: f64| net.lookup(x, lat, &f).map_or(0, |v| v.len());
    let here = count(lon);
    count(lon + 1e-6) < here || count(lon - 1e-6) < here
}
