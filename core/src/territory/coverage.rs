//! Coverage: territories that overlap each other, and reference areas (for
//! example all US counties) that no chapter covers.
//!
//! Invariant: two territories overlap when the area their interiors share
//! is more than [`MIN_OVERLAP_M2`]; sharing a border is not an overlap. A
//! reference area is a gap when no chapter passing the filter overlaps it.

use std::collections::BTreeMap;

use geo::BooleanOps;
use serde::Serialize;

use super::Filter;
use super::geometry::ring_area;
use super::index::{ChapterFinder, Part, PartGeom};

/// Shared areas at or below this many square metres are taken as rounding
/// along a shared border, not an overlap.
pub const MIN_OVERLAP_M2: f64 = 1.0;

/// Sides of the polygon that stands for a service circle in overlap tests.
const CIRCLE_SIDES: usize = 72;

/// Two chapters whose territories overlap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlap {
    /// The more specific chapter (see [`ChapterFinder::entries`]).
    pub a: String,
    /// The other chapter.
    pub b: String,
    /// The shared area in square metres (spherical; circles drawn as
    /// 72-sided polygons).
    pub area_m2: f64,
    /// The shared area as a share of `a`'s area (1 when `a` lies within `b`,
    /// as a city chapter inside a county chapter does).
    pub share_of_a: f64,
    /// The shared area as a share of `b`'s area.
    pub share_of_b: f64,
}

/// A reference area that no chapter covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// The reference area's id (a county's FIPS code, say).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its area in square metres.
    pub area_m2: f64,
}

/// Where territories overlap and which reference areas have no chapter.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CoverageReport {
    /// Pairs of chapters whose territories overlap, by chapter order.
    pub overlaps: Vec<Overlap>,
    /// Reference areas that no chapter overlaps, in reference order.
    pub gaps: Vec<Gap>,
    /// How many reference areas were checked.
    pub reference_areas: usize,
    /// How many of them some chapter overlaps.
    pub covered_areas: usize,
}

impl ChapterFinder {
    /// The pairs of entries passing `filter` whose territories overlap.
    pub fn overlaps(&self, filter: &Filter) -> Vec<Overlap> {
        let masks = filter.masks();
        let ok = |p: &Part| masks.matches(p.attr) && self.tags_match(p.entry, filter);
        let mut shared: BTreeMap<(u32, u32), f64> = BTreeMap::new();
        for p in &self.parts {
            if !ok(p) {
                continue;
            }
            let Some(gp) = self.part_polygon(p) else {
                continue;
            };
            let mut near = Vec::new();
            self.tree.search(p.bbox, |qi| near.push(qi));
            for qi in near {
                let Some(q) = self.parts.get(qi as usize) else {
                    continue;
                };
                // Each pair of entries once; two shifted copies meet only
                // where their originals already did.
                if q.entry <= p.entry || !ok(q) || (shift_of(p) != 0.0 && shift_of(q) != 0.0) {
                    continue;
                }
                let Some(gq) = self.part_polygon(q) else {
                    continue;
                };
                let area = shared_area(&gp, &gq);
                if area > 0.0 {
                    *shared.entry((p.entry, q.entry)).or_insert(0.0) += area;
                }
            }
        }
        shared
            .into_iter()
            .filter(|(_, a)| *a > MIN_OVERLAP_M2)
            .filter_map(|((a, b), area_m2)| {
                let (ea, eb) = (self.entry(a)?, self.entry(b)?);
                let share = |e: &super::ChapterEntry| {
                    if e.area_m2 > 0.0 {
                        (area_m2 / e.area_m2).min(1.0)
                    } else {
                        0.0
                    }
                };
                Some(Overlap {
                    a: ea.id.clone(),
                    b: eb.id.clone(),
                    area_m2,
                    share_of_a: share(ea),
                    share_of_b: share(eb),
                })
            })
            .collect()
    }

    /// Overlaps between the entries passing `filter`, and the areas of
    /// `reference` (every entry of it, whatever its status) that none of
    /// those entries overlaps: where to recruit leaders.
    pub fn coverage(&self, reference: &ChapterFinder, filter: &Filter) -> CoverageReport {
        let masks = filter.masks();
        let mut report = CoverageReport {
            overlaps: self.overlaps(filter),
            reference_areas: reference.len(),
            ..CoverageReport::default()
        };
        let mut covered = vec![false; reference.len()];
        for r in &reference.parts {
            if covered.get(r.entry as usize).copied().unwrap_or(true) {
                continue;
            }
            let Some(gr) = reference.part_polygon(r) else {
                continue;
            };
            let mut near = Vec::new();
            self.tree.search(r.bbox, |qi| near.push(qi));
            let hit = near.into_iter().any(|qi| {
                let Some(q) = self.parts.get(qi as usize) else {
                    return false;
                };
                if !masks.matches(q.attr)
                    || !self.tags_match(q.entry, filter)
                    || (shift_of(r) != 0.0 && shift_of(q) != 0.0)
                {
                    return false;
                }
                self.part_polygon(q)
                    .is_some_and(|gq| shared_area(&gr, &gq) > MIN_OVERLAP_M2)
            });
            if let Some(c) = covered.get_mut(r.entry as usize).filter(|_| hit) {
                *c = true;
            }
        }
        // Report gaps in the reference's own order of ids.
        let mut gaps: Vec<(usize, &super::ChapterEntry)> = reference
            .entries
            .iter()
            .enumerate()
            .filter(|(i, _)| !covered.get(*i).copied().unwrap_or(false))
            .collect();
        gaps.sort_by(|a, b| a.1.id.cmp(&b.1.id));
        report.covered_areas = reference.len() - gaps.len();
        report.gaps = gaps
            .into_iter()
            .map(|(_, e)| Gap {
                id: e.id.clone(),
                name: e.name.clone(),
                area_m2: e.area_m2,
            })
            .collect();
        report
    }

    /// A part as a `geo` polygon in its own (possibly shifted) frame.
    fn part_polygon(&self, part: &Part) -> Option<geo::Polygon<f64>> {
        let ls = |ring: &[[f64; 2]], shift: f64| {
            geo::LineString::from(
                ring.iter()
                    .map(|p| geo::Coord {
                        x: p[0] + shift,
                        y: p[1],
                    })
                    .collect::<Vec<_>>(),
            )
        };
        match &part.geom {
            PartGeom::Poly { .. } => {
                let (rings, shift) = self.part_rings(part)?;
                let (ext, holes) = rings.split_first()?;
                Some(geo::Polygon::new(
                    ls(ext, shift),
                    holes.iter().map(|h| ls(h, shift)).collect(),
                ))
            }
            PartGeom::Circle(c) => {
                use geo::Destination;
                let shift = shift_of(part);
                let mut ring = Vec::with_capacity(CIRCLE_SIDES + 1);
                for i in 0..CIRCLE_SIDES {
                    let bearing = 360.0 * i as f64 / CIRCLE_SIDES as f64;
                    let q = geo::Geodesic.destination(
                        geo::Point::new(c.lon, c.lat),
                        bearing,
                        c.radius_m,
                    );
                    let mut x = q.x();
                    // keep the ring continuous around the centre
                    while x - c.lon > 180.0 {
                        x -= 360.0;
                    }
                    while c.lon - x > 180.0 {
                        x += 360.0;
                    }
                    ring.push([x, q.y()]);
                }
                if let Some(first) = ring.first().copied() {
                    ring.push(first);
                }
                Some(geo::Polygon::new(ls(&ring, shift), Vec::new()))
            }
        }
    }
}

/// The longitude shift of a part's copy (0 for the original).
fn shift_of(part: &Part) -> f64 {
    match &part.geom {
        PartGeom::Poly { shift, .. } => *shift,
        PartGeom::Circle(c) => {
            let mid = (part.bbox[0] + part.bbox[2]) / 2.0;
            ((mid - c.lon) / 360.0).round() * 360.0
        }
    }
}

/// Spherical area (m²) shared by two polygons.
fn shared_area(a: &geo::Polygon<f64>, b: &geo::Polygon<f64>) -> f64 {
    use geo::BoundingRect;
    let (Some(ra), Some(rb)) = (a.bounding_rect(), b.bounding_rect()) else {
        return 0.0;
    };
    if ra.max().x < rb.min().x
        || rb.max().x < ra.min().x
        || ra.max().y < rb.min().y
        || rb.max().y < ra.min().y
    {
        return 0.0;
    }
    let inter = a.intersection(b);
    let mut area = 0.0;
    for p in inter.iter() {
        let ring = |ls: &geo::LineString<f64>| {
            let pts: Vec<[f64; 2]> = ls.coords().map(|c| [c.x, c.y]).collect();
            ring_area(&pts).abs()
        };
        let holes: f64 = p.interiors().iter().map(ring).sum();
        area += (ring(p.exterior()) - holes).max(0.0);
    }
    area
}
