//! Nearest chapters: best-first search over the R-tree with a spherical
//! lower bound per box, then the distance to each candidate's edges.
//!
//! Invariant: the reported distance is 0 exactly when the territory covers
//! the point (an uncovered point is at least a nanometre away); otherwise it is the WGS84 geodesic distance from the point to
//! the closest point of the territory's edges (each edge followed as the
//! straight lon/lat line it is in GeoJSON, within about a metre), or to the
//! service circle.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use serde::Serialize;

use super::geometry::normalize_lon;
use super::index::{ChapterEntry, ChapterFinder, Part, PartGeom, check_point, geodesic_m};
use super::rtree::NodeRef;
use super::{Filter, TerritoryError};

/// A chapter and its distance from a query point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nearest<'a> {
    /// The chapter (or area).
    pub chapter: &'a ChapterEntry,
    /// Geodesic distance in metres to its territory (0 when inside).
    pub distance_m: f64,
}

/// A radius safely below every radius of curvature of the WGS84 ellipsoid
/// (the smallest is 6,335 km), so that `angle × this` bounds geodesic
/// distances from below.
const LOWER_BOUND_RADIUS_M: f64 = 6_300_000.0;
/// Slack for great-circle arcs bulging out of their lon/lat box.
const LOWER_BOUND_SLACK_M: f64 = 10.0;
/// Edges longer than this (degrees of longitude) are followed in pieces.
const PIECE_DEG: f64 = 0.1;
/// The distance reported for a point outside a territory yet closer to it
/// than can be measured (a nanometre).
const MIN_OUTSIDE_M: f64 = 1e-9;
/// The most edge pieces one part's distance follows before giving up on
/// splitting long edges.
const MAX_PIECES: usize = 1 << 20;
/// Relative slack between spherical and ellipsoidal distances.
const SPHERE_SLACK: f64 = 1.007;

struct Queued {
    bound_m: f64,
    node: NodeRef,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.bound_m.total_cmp(&other.bound_m) == Ordering::Equal
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    // Reversed: BinaryHeap is a max-heap and we want the nearest first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.bound_m.total_cmp(&self.bound_m)
    }
}

impl ChapterFinder {
    /// The `k` nearest entries passing `filter`, nearest first (ties by
    /// specificity), with the geodesic distance in metres from the point to
    /// each territory's edge or service circle; 0 when the point is inside.
    ///
    /// For "no group here yet — the nearest is 12 km away".
    pub fn nearest(
        &self,
        lon: f64,
        lat: f64,
        k: usize,
        filter: &Filter,
    ) -> Result<Vec<Nearest<'_>>, TerritoryError> {
        check_point(lon, lat)?;
        if k == 0 || self.entries.is_empty() {
            return Ok(Vec::new());
        }
        let lon = normalize_lon(lon);
        let mut best: Vec<(u32, f64)> = Vec::new();
        let mut covering = Vec::new();
        self.lookup_into(lon, lat, filter, &mut covering)?;
        for &e in &covering {
            best.push((e, 0.0));
        }
        let masks = filter.masks();
        let p = unit(lon, lat);
        let mut heap = BinaryHeap::new();
        if let Some(root) = self.tree.root() {
            heap.push(Queued {
                bound_m: self.node_bound(root, lon, lat),
                node: root,
            });
        }
        // The k-th best distance so far (infinite until k entries are known).
        let mut limit = kth(&best, k);
        while let Some(Queued { bound_m, node }) = heap.pop() {
            if bound_m > limit {
                break;
            }
            match self.tree.item(node) {
                None => {
                    for child in self.tree.children(node) {
                        let b = self.node_bound(child, lon, lat);
                        if b <= limit {
                            heap.push(Queued {
                                bound_m: b,
                                node: child,
                            });
                        }
                    }
                }
                Some(pi) => {
                    let Some(part) = self.parts.get(pi as usize) else {
                        continue;
                    };
                    if !masks.matches(part.attr) || !self.tags_match(part.entry, filter) {
                        continue;
                    }
                    if best.iter().any(|&(e, d)| e == part.entry && d == 0.0) {
                        continue;
                    }
                    // Not covered (covering entries are already in `best`
                    // at 0), so never 0: a point off an edge by less than
                    // floating point can resolve is still outside.
                    let d = self.part_distance(part, p, lon, lat).max(MIN_OUTSIDE_M);
                    match best.iter_mut().find(|(e, _)| *e == part.entry) {
                        Some(slot) => slot.1 = slot.1.min(d),
                        None => best.push((part.entry, d)),
                    }
                    limit = kth(&best, k);
                }
            }
        }
        best.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        best.truncate(k);
        Ok(best
            .into_iter()
            .filter_map(|(e, d)| {
                self.entry(e).map(|chapter| Nearest {
                    chapter,
                    distance_m: d,
                })
            })
            .collect())
    }

    /// Geodesic distance from the point to a part's edges or circle.
    pub(crate) fn part_distance(&self, part: &Part, p: [f64; 3], lon: f64, lat: f64) -> f64 {
        if let PartGeom::Circle(c) = &part.geom {
            return (geodesic_m(c.lon, c.lat, lon, lat) - c.radius_m).max(0.0);
        }
        let Some((rings, shift)) = self.part_rings(part) else {
            return f64::INFINITY;
        };
        // Closest points of every edge piece on the sphere; the sphere and
        // the ellipsoid disagree by under 0.7%, so every piece within that
        // of the spherical minimum gets its geodesic distance measured.
        let mut cands: Vec<(f64, [f64; 2])> = Vec::new();
        let mut min_ang = f64::INFINITY;
        let mut budget: usize = MAX_PIECES;
        for ring in rings {
            for w in ring.windows(2) {
                let [a, b] = w else { continue };
                let (a, b) = ([a[0] + shift, a[1]], [b[0] + shift, b[1]]);
                let pieces = ((b[0] - a[0]).abs() / PIECE_DEG).ceil().max(1.0);
                // Past a budget, long edges are followed as single arcs, so a
                // hostile shape cannot make one query arbitrarily slow.
                let n = if budget > 0 {
                    pieces.min(4096.0) as usize
                } else {
                    1
                };
                budget = budget.saturating_sub(n);
                let mut prev_u = unit(a[0], a[1]);
                for i in 1..=n {
                    let t = i as f64 / n as f64;
                    let next = if i == n {
                        b
                    } else {
                        [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
                    };
                    let next_u = unit(next[0], next[1]);
                    let (ang, q) = arc_distance(p, prev_u, next_u);
                    if ang <= min_ang * SPHERE_SLACK + 1e-9 {
                        min_ang = min_ang.min(ang);
                        cands.push((ang, q));
                    }
                    prev_u = next_u;
                }
            }
        }
        cands
            .iter()
            .filter(|(ang, _)| *ang <= min_ang * SPHERE_SLACK + 1e-9)
            .map(|(_, [qlon, qlat])| geodesic_m(lon, lat, *qlon, *qlat))
            .fold(f64::INFINITY, f64::min)
    }
}

/// The k-th smallest distance found so far (infinite while fewer than k).
fn kth(best: &[(u32, f64)], k: usize) -> f64 {
    if best.len() < k || k == 0 {
        return f64::INFINITY;
    }
    let mut d: Vec<f64> = best.iter().map(|b| b.1).collect();
    let (_, kth, _) = d.select_nth_unstable_by(k - 1, f64::total_cmp);
    *kth
}

impl ChapterFinder {
    /// A lower bound, in metres, of the distance from the point to anything
    /// inside the node's box.
    fn node_bound(&self, node: NodeRef, lon: f64, lat: f64) -> f64 {
        let ang = rect_angle(lon, lat, self.tree.bbox(node));
        (ang * LOWER_BOUND_RADIUS_M - LOWER_BOUND_SLACK_M).max(0.0)
    }
}

/// Smallest great-circle angle (radians) from a point to a lon/lat box.
pub(crate) fn rect_angle(lon: f64, lat: f64, b: [f64; 4]) -> f64 {
    let w = b[2] - b[0];
    let gap = if w >= 360.0 {
        0.0
    } else {
        let d = (lon - b[0]).rem_euclid(360.0);
        if d <= w { 0.0 } else { (d - w).min(360.0 - d) }
    };
    if gap == 0.0 {
        return (b[1] - lat).max(lat - b[3]).max(0.0).to_radians();
    }
    let phi = lat.to_radians();
    let g = gap.min(180.0).to_radians();
    let a = phi.sin();
    let bb = phi.cos() * g.cos();
    let (lat0, lat1) = (b[1].to_radians(), b[3].to_radians());
    let star = a.atan2(bb).clamp(lat0, lat1);
    let f = |psi: f64| a * psi.sin() + bb * psi.cos();
    let c = f(star).max(f(lat0)).max(f(lat1));
    c.clamp(-1.0, 1.0).acos()
}

/// Unit vector of a lon/lat point.
pub(crate) fn unit(lon: f64, lat: f64) -> [f64; 3] {
    let (sl, cl) = lat.to_radians().sin_cos();
    let (so, co) = lon.to_radians().sin_cos();
    [cl * co, cl * so, sl]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

fn angle(a: [f64; 3], b: [f64; 3]) -> f64 {
    norm(cross(a, b)).atan2(dot(a, b))
}

fn to_lon_lat(v: [f64; 3]) -> [f64; 2] {
    let lat = v[2].atan2(v[0].hypot(v[1])).to_degrees();
    let lon = v[1].atan2(v[0]).to_degrees();
    [lon, lat]
}

/// Angle from `p` to the great-circle arc `a`–`b`, and the closest point.
fn arc_distance(p: [f64; 3], a: [f64; 3], b: [f64; 3]) -> (f64, [f64; 2]) {
    let ends = || {
        let (da, db) = (angle(p, a), angle(p, b));
        if da <= db {
            (da, to_lon_lat(a))
        } else {
            (db, to_lon_lat(b))
        }
    };
    let n = cross(a, b);
    let nn = norm(n);
    if nn < 1e-15 {
        return ends();
    }
    let n = [n[0] / nn, n[1] / nn, n[2] / nn];
    let d = dot(p, n);
    let q = [p[0] - d * n[0], p[1] - d * n[1], p[2] - d * n[2]];
    let qn = norm(q);
    if qn < 1e-15 {
        return ends();
    }
    let q = [q[0] / qn, q[1] / qn, q[2] / qn];
    if dot(cross(a, q), n) >= 0.0 && dot(cross(q, b), n) >= 0.0 {
        (d.abs().atan2(qn), to_lon_lat(q))
    } else {
        ends()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rect_angle_bounds() {
        // inside
        assert_eq!(rect_angle(1.0, 1.0, [0.0, 0.0, 2.0, 2.0]), 0.0);
        // due north: the latitude difference
        let a = rect_angle(1.0, 3.0, [0.0, 0.0, 2.0, 2.0]);
        assert!((a - 1f64.to_radians()).abs() < 1e-12);
        // across the antimeridian: 179.5 to a box starting at -179.5 is 1 degree of longitude
        let a = rect_angle(179.5, 0.0, [-179.5, -1.0, -170.0, 1.0]);
        assert!((a - 1f64.to_radians()).abs() < 1e-9, "{a}");
        // never more than the distance to any corner
        let corner = angle(unit(10.0, 50.0), unit(2.0, 2.0));
        assert!(rect_angle(10.0, 50.0, [0.0, 0.0, 2.0, 2.0]) <= corner + 1e-12);
    }

    #[test]
    fn arc_distance_projects_inside_the_arc() {
        let (ang, q) = arc_distance(unit(0.5, 1.0), unit(0.0, 0.0), unit(1.0, 0.0));
        assert!((ang - 1f64.to_radians()).abs() < 1e-6);
        assert!((q[0] - 0.5).abs() < 1e-9 && q[1].abs() < 1e-3);
        let (ang, q) = arc_distance(unit(3.0, 0.0), unit(0.0, 0.0), unit(1.0, 0.0));
        assert!((ang - 2f64.to_radians()).abs() < 1e-12);
        assert_eq!(q, [1.0, 0.0]);
    }
}
