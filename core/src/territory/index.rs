//! The territory index. Four layers, each built once per network version
//! (the finer ones on first use, see [`ChapterFinder::build_all`]):
//!
//! 0. the point grid ([`super::pointgrid`]): whole-degree cells, split
//!    finer where a boundary crosses, each listing the parts that can
//!    cover its points, most specific first, and marking those that cover
//!    all of it; a point in a cell wholly inside one territory (most
//!    points) is answered from one 8-byte slot;
//! 1. a packed Hilbert R-tree over the boxes of polygon parts and service
//!    circles (each part of a MultiPolygon boxed on its own, antimeridian
//!    shapes indexed once more shifted by 360°), see [`super::rtree`], for
//!    nearest-chapter searches, coverage and box queries;
//! 2. per polygon part, a coarse grid whose cells are marked inside,
//!    outside or crossed by an edge: most points are answered from one byte;
//! 3. per polygon part, y-slabs listing the edges that reach each band of
//!    latitude: a point in a crossed cell is tested exactly (robust
//!    orientation, even-odd over the part's rings, boundary included)
//!    against the edges of its slab only.
//!
//! Invariants: entries are stored most specific first (area ascending, then
//! depth descending, then id), so an entry's index is its rank; every edge
//! of a part is listed in each slab its latitude range touches, so the slab
//! of a query latitude holds every edge that can cross the query's ray; a
//! grid cell is marked inside or outside only when no edge's box reaches it.
//! A layer built on first use is built once (behind a `OnceLock`), from
//! the finder's own data only, so answers never depend on which queries
//! came first or on which thread.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use super::geometry::{
    EARTH_RADIUS_M, Shape, ShapeInfo, Warnings, normalize_lon, orient, polygon_warnings,
};
use super::pointgrid::{Class, Hit, PartBox, PointGrid, PointParts};
use super::rtree::PackedTree;
use super::{Filter, Masks, TerritoryError, attr_bits};
use crate::network::{ChapterStatus, GroupKind, Visibility};

/// One chapter (or reference area) in a [`ChapterFinder`], with the public
/// fields a lookup answer shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChapterEntry {
    /// The chapter's (or feature's) id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// URL slug, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Local, issue or campaign group.
    pub kind: GroupKind,
    /// Lifecycle status.
    pub status: ChapterStatus,
    /// Listing visibility.
    pub visibility: Visibility,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// The name of the region the chapter sits in, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Depth in the hierarchy (0 when unknown).
    pub depth: u32,
    /// Territory area in square metres (see [`Territory::area_m2`]).
    pub area_m2: f64,
    /// Arena index of the node, when built from a network.
    #[serde(skip)]
    pub(crate) node: Option<u32>,
}

/// A warning about one territory (see [`Territory::warnings`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerritoryWarning {
    /// The chapter or feature.
    pub id: String,
    /// What is wrong, in plain words.
    pub message: String,
}

/// Edges per slab the index aims for.
const EDGES_PER_SLAB: usize = 2;
/// The most slabs one part gets.
const MAX_SLABS: usize = 1 << 16;

#[derive(Debug, Clone)]
pub(crate) enum PartGeom {
    /// A polygon (exterior and holes), shifted by `shift` degrees of
    /// longitude from its shape's coordinates.
    Poly {
        /// Index of the polygon in the shape.
        polygon: u32,
        shift: f64,

        inv_h: f64,
        nslabs: usize,
        /// Cells over the part's box, each inside, outside or crossed
        /// (the cells themselves are in the part's [`PartIndex`]).
        grid: Grid,
    },
    /// A service circle.
    Circle(Circle),
}

/// A coarse grid over a polygon part. A cell that no edge touches is
/// wholly inside or wholly outside, so most points are answered from one
/// byte; the others go to the slab test. Invariant: every boundary point
/// maps to a cell marked [`CELL_EDGE`] (cells are found with the same
/// monotone arithmetic when marking and when querying).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid {
    x0: f64,
    y0: f64,
    inv_w: f64,
    inv_h: f64,
    nx: usize,
    ny: usize,
    /// The box's width and height.
    w: f64,
    h: f64,
}

const CELL_OUT: u8 = 0;
const CELL_IN: u8 = 1;
const CELL_EDGE: u8 = 2;
/// Grid cells per edge of a part the index aims for, and the limits.
const CELLS_PER_EDGE: usize = 4;
const MIN_CELLS: usize = 16;
const MAX_CELLS: usize = 1 << 14;
const MAX_CELLS_PER_AXIS: usize = 256;

impl Grid {
    #[inline]
    fn col(&self, x: f64) -> usize {
        (((x - self.x0) * self.inv_w) as usize).min(self.nx - 1)
    }

    #[inline]
    fn row(&self, y: f64) -> usize {
        (((y - self.y0) * self.inv_h) as usize).min(self.ny - 1)
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Circle {
    pub(crate) lon: f64,
    pub(crate) lat: f64,
    pub(crate) radius_m: f64,
    sin_lat: f64,
    cos_lat: f64,
    /// Cosine of the angle surely inside (spherical, with a margin).
    cos_in: f64,
    /// Cosine of the angle surely outside.
    cos_out: f64,
}

impl Circle {
    fn new(lon: f64, lat: f64, radius_m: f64) -> Circle {
        let (sin_lat, cos_lat) = lat.to_radians().sin_cos();
        // The sphere and the ellipsoid disagree by less than 0.6%.
        let a_in = radius_m * 0.99 / EARTH_RADIUS_M;
        let a_out = radius_m * 1.01 / EARTH_RADIUS_M;
        Circle {
            lon,
            lat,
            radius_m,
            sin_lat,
            cos_lat,
            cos_in: a_in.cos(),
            cos_out: a_out.cos(),
        }
    }

    #[inline]
    fn covers(&self, lon: f64, lat: f64) -> bool {
        let (s, c) = lat.to_radians().sin_cos();
        let cos_a = self.sin_lat * s + self.cos_lat * c * (lon - self.lon).to_radians().cos();
        if cos_a >= self.cos_in {
            return true;
        }
        if cos_a < self.cos_out {
            return false;
        }
        geodesic_m(self.lon, self.lat, lon, lat) <= self.radius_m
    }

    /// Latitude/longitude box of the circle (with a margin), unshifted.
    fn bbox(&self) -> [f64; 4] {
        let dlat = (self.radius_m * 1.02 / EARTH_RADIUS_M).to_degrees();
        let lat0 = (self.lat - dlat).max(-90.0);
        let lat1 = (self.lat + dlat).min(90.0);
        let far = lat0.abs().max(lat1.abs()).to_radians().cos();
        let dlon = if far > 1e-9 {
            (dlat / far).min(180.0)
        } else {
            180.0
        };
        [self.lon - dlon, lat0, self.lon + dlon, lat1]
    }
}

/// Geodesic distance on WGS84 in metres.
pub(crate) fn geodesic_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    use geo::Distance;
    geo::Geodesic.distance(geo::Point::new(lon1, lat1), geo::Point::new(lon2, lat2))
}

/// What the point query needs of a part: its numbers in one cache line,
/// its exact-test layers (built on first use) in the next, so that the
/// second comes with the first.
#[derive(Debug, Clone)]
#[repr(C, align(128))]
pub(crate) struct Hot {
    x0: f64,
    y0: f64,
    inv_w: f64,
    inv_h: f64,
    slab_inv_h: f64,
    entry: u32,
    /// The part's index in `parts` (polygons) or in `circles`.
    base: u32,
    nslabs: u32,
    nx: u16,
    ny: u16,
    attr: u16,
    circle: bool,
    /// The part's cell grid and edge slabs (polygons; empty for circles).
    exact: OnceLock<PartIndex>,
}

impl Hot {
    fn new(part: &Part, part_ix: u32, circle_ix: u32) -> Hot {
        let mut h = Hot {
            x0: 0.0,
            y0: 0.0,
            inv_w: 0.0,
            inv_h: 0.0,
            slab_inv_h: 0.0,
            entry: part.entry,
            base: circle_ix,
            nslabs: 1,
            nx: 1,
            ny: 1,
            attr: part.attr,
            circle: true,
            exact: OnceLock::new(),
        };
        if let PartGeom::Poly {
            inv_h,
            nslabs,
            grid,
            ..
        } = &part.geom
        {
            h.x0 = grid.x0;
            h.y0 = grid.y0;
            h.inv_w = grid.inv_w;
            h.inv_h = grid.inv_h;
            h.slab_inv_h = *inv_h;
            h.base = part_ix;
            h.nslabs = u32::try_from(*nslabs).unwrap_or(u32::MAX);
            h.nx = u16::try_from(grid.nx).unwrap_or(u16::MAX);
            h.ny = u16::try_from(grid.ny).unwrap_or(u16::MAX);
            h.circle = false;
        }
        h
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub(crate) entry: u32,
    pub(crate) attr: u16,
    pub(crate) bbox: [f64; 4],
    pub(crate) geom: PartGeom,
}

/// The territory index of a network or of a public view: answers "which
/// chapters cover this point", "which are nearest", bulk assignment and
/// coverage reports. Build it once per network version (a [`Network`]
/// caches one, see [`Network::finder`]) or from a public view
/// ([`ChapterFinder::from_geojson`]), so a website ships only public shapes.
///
/// Building reads and validates the territories and indexes their boxes;
/// the finer layers (the point grid's cells, each part's cell grid and
/// edge slabs) are built by the first query that reaches them, once, and
/// shared by every thread. [`ChapterFinder::build_all`] builds them all
/// up front, for servers that want every query equally fast.
///
/// [`Network`]: crate::Network
/// [`Network::finder`]: crate::Network::finder
#[derive(Debug, Clone, Default)]
pub struct ChapterFinder {
    pub(crate) entries: Vec<ChapterEntry>,
    pub(crate) shapes: Vec<Arc<Shape>>,
    pub(crate) parts: Vec<Part>,
    hot: Vec<Hot>,
    circles: Vec<Circle>,
    /// Edges of all polygon parts (antimeridian copies counted again).
    n_edges: usize,
    pub(crate) tree: PackedTree,
    /// The point layer over everything (`None` only past its size limits:
    /// queries then walk the tree).
    grid: Option<PointGrid>,
    /// Per entry with warnings (or whose warnings are found on demand),
    /// in entry order.
    warned: Vec<(u32, Warnings)>,
    /// The warnings, once asked for.
    warnings: OnceLock<Vec<TerritoryWarning>>,
    by_id: HashMap<String, u32>,
}

/// The exact-test layers of one polygon part: the cells of its [`Grid`]
/// and its edges by latitude slab (slab `s` holds
/// `edges[slab_offsets[s]..slab_offsets[s + 1]]`).
#[derive(Debug, Clone, Default)]
struct PartIndex {
    cells: Box<[u8]>,
    slab_offsets: Box<[u32]>,
    edges: Box<[[f64; 4]]>,
}

impl PartIndex {
    #[inline]
    fn slab_test(&self, x: f64, y: f64, y0: f64, inv_h: f64, nslabs: usize) -> bool {
        let s = slab_of(y, y0, inv_h, nslabs);
        let lo = self.slab_offsets.get(s).copied().unwrap_or(0) as usize;
        let hi = self.slab_offsets.get(s + 1).copied().unwrap_or(0) as usize;
        let edges = self.edges.get(lo..hi).unwrap_or_default();
        point_in_edges(edges, x, y)
    }
}

impl ChapterFinder {
    /// Builds the index from entries and their territories.
    pub(crate) fn build(mut items: Vec<(ChapterEntry, ShapeInfo)>) -> ChapterFinder {
        items.sort_by(|(a, _), (b, _)| {
            a.area_m2
                .total_cmp(&b.area_m2)
                .then(b.depth.cmp(&a.depth))
                .then_with(|| a.id.cmp(&b.id))
        });
        let mut f = ChapterFinder::default();
        for (ix, (entry, territory)) in items.into_iter().enumerate() {
            let ix = u32::try_from(ix).unwrap_or(u32::MAX);
            match territory.warnings {
                Warnings::Known(w) if w.is_empty() => {}
                w => f.warned.push((ix, w)),
            }
            let attr = attr_bits(entry.status, entry.visibility, entry.kind);
            let shape = territory.shape;
            match &*shape {
                Shape::Polygons(polys) => {
                    for (pi, poly) in polys.iter().enumerate() {
                        let bbox = poly_bbox(poly);
                        for shift in shifts(bbox) {
                            f.add_poly(ix, attr, pi as u32, poly, bbox, shift);
                        }
                    }
                }
                Shape::Circle { lon, lat, radius_m } => {
                    let c = Circle::new(*lon, *lat, *radius_m);
                    let bbox = c.bbox();
                    for shift in shifts(bbox) {
                        f.parts.push(Part {
                            entry: ix,
                            attr,
                            bbox: [bbox[0] + shift, bbox[1], bbox[2] + shift, bbox[3]],
                            geom: PartGeom::Circle(c),
                        });
                    }
                }
            }
            f.by_id.insert(entry.id.clone(), ix);
            f.entries.push(entry);
            f.shapes.push(shape);
        }
        for i in 0..f.parts.len() {
            let Some(part) = f.parts.get(i) else { break };
            let mut circle_ix = 0;
            if let PartGeom::Circle(c) = &part.geom {
                circle_ix = u32::try_from(f.circles.len()).unwrap_or(u32::MAX);
                f.circles.push(*c);
            }
            let hot = Hot::new(part, u32::try_from(i).unwrap_or(u32::MAX), circle_ix);
            f.hot.push(hot);
        }
        let boxes: Vec<[f64; 4]> = f.parts.iter().map(|p| p.bbox).collect();
        f.tree = PackedTree::new(&boxes);
        let part_boxes: Vec<PartBox> = f
            .parts
            .iter()
            .map(|p| PartBox {
                bbox: p.bbox,
                entry: p.entry,
                attr: p.attr,
            })
            .collect();
        f.grid = PointGrid::new(part_boxes);
        f
    }

    /// Builds every layer that queries would otherwise build on first use
    /// (the point grid's cells, each part's cell grid and edge slabs), so
    /// that no later query pays for it. Answers are the same either way.
    ///
    /// ```
    /// use chapterhouse::territory::{ChapterFinder, Filter};
    /// let fc = serde_json::json!({"type": "FeatureCollection", "features": [
    ///     {"type": "Feature", "id": "sq", "properties": {},
    ///      "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]});
    /// let finder = ChapterFinder::from_geojson(&fc)?;
    /// finder.build_all();
    /// assert_eq!(finder.first(0.5, 0.5, &Filter::default()), finder.position("sq"));
    /// # Ok::<(), chapterhouse::territory::TerritoryError>(())
    /// ```
    pub fn build_all(&self) {
        for pi in 0..self.parts.len() {
            let _ = self.part_index(pi);
        }
        if let Some(grid) = &self.grid {
            grid.build_all(self);
        }
    }

    /// The cell grid and edge slabs of polygon part `pi`, built on first use.
    #[inline]
    fn part_index(&self, pi: usize) -> Option<&PartIndex> {
        self.hot
            .get(pi)
            .map(|h| h.exact.get_or_init(|| self.build_part_index(pi)))
    }

    #[cold]
    #[inline(never)]
    fn build_part_index(&self, pi: usize) -> PartIndex {
        let Some(part) = self.parts.get(pi) else {
            return PartIndex::default();
        };
        let (
            Some((poly, shift)),
            PartGeom::Poly {
                inv_h,
                nslabs,
                grid,
                ..
            },
        ) = (self.part_rings(part), &part.geom)
        else {
            return PartIndex::default();
        };
        let mut ix = slabs(poly, shift, part.bbox[1], *inv_h, *nslabs);
        ix.cells = grid_cells(poly, shift, grid, &ix, *inv_h, *nslabs);
        ix
    }
}

impl PointParts for ChapterFinder {
    /// How part `pi` relates to each cell of a lattice of `1/n`-degree
    /// cells from `origin`, over the range `[gx0, gy0, gx1, gy1]`
    /// (row-major into `out`). Cells that an edge reaches (with a margin)
    /// are `Edge`; along a row, the cells between two such cells are all
    /// inside or all outside (no boundary point lies between them), so one
    /// exact test at the first cell's centre classifies the run.
    fn raster(&self, pi: usize, origin: [f64; 2], n: usize, r: [usize; 4], out: &mut Vec<Class>) {
        const MARGIN: f64 = 1e-9;
        const UNKNOWN: Class = Class::Out;
        let wide = r[2] - r[0] + 1;
        let high = r[3] - r[1] + 1;
        out.clear();
        let (Some(part), Some(h)) = (self.parts.get(pi), self.hot.get(pi)) else {
            out.resize(wide * high, Class::Edge);
            return;
        };
        let Some((rings, shift)) = self.part_rings(part) else {
            // Circles are tested exactly wherever they reach.
            out.resize(wide * high, Class::Edge);
            return;
        };
        out.resize(wide * high, UNKNOWN);
        let nf = n as f64;
        let [ox, oy] = origin;
        // Clamped into the (non-negative) range first, so truncation is
        // the floor (and needs no libm call on wasm and baseline x86).
        let (col_lo, col_hi) = (r[0] as f64, r[2] as f64);
        let col = |x: f64| ((x - ox) * nf).clamp(col_lo, col_hi) as usize;
        let row_lo = r[1] as f64;
        let row_hi = r[3] as f64;
        for_each_edge(rings, |a, b| {
            let (ax, bx) = (a[0] + shift, b[0] + shift);
            let (ay, by) = (a[1], b[1]);
            // Edges that reach no row of the range mark nothing (cell
            // `g` holds the scaled values in [g, g + 1)).
            let fy_lo = (ay.min(by) - MARGIN - oy) * nf;
            let fy_hi = (ay.max(by) + MARGIN - oy) * nf;
            if !(fy_hi >= row_lo && fy_lo < row_hi + 1.0) {
                return;
            }
            let y_lo = fy_lo.clamp(row_lo, row_hi) as usize;
            let y_hi = fy_hi.clamp(row_lo, row_hi) as usize;
            let inv_dy = 1.0 / (by - ay);
            for gy in y_lo..=y_hi {
                let (x0, x1) = if y_lo == y_hi || ay == by {
                    (ax.min(bx), ax.max(bx))
                } else {
                    let band0 = oy + gy as f64 / nf - MARGIN;
                    let band1 = oy + (gy + 1) as f64 / nf + MARGIN;
                    let t0 = ((band0 - ay) * inv_dy).clamp(0.0, 1.0);
                    let t1 = ((band1 - ay) * inv_dy).clamp(0.0, 1.0);
                    let (xa, xb) = (ax + t0 * (bx - ax), ax + t1 * (bx - ax));
                    (xa.min(xb), xa.max(xb))
                };
                let (fx0, fx1) = ((x0 - MARGIN - ox) * nf, (x1 + MARGIN - ox) * nf);
                if !(fx1 >= col_lo && fx0 < col_hi + 1.0) {
                    continue;
                }
                let c0 = col(x0 - MARGIN);
                let c1 = col(x1 + MARGIN);
                let at = (gy - r[1]) * wide;
                if let Some(cells) = out.get_mut(at + c0 - r[0]..=at + c1 - r[0]) {
                    cells.fill(Class::Edge);
                }
            }
        });
        for gy in r[1]..=r[3] {
            let at = (gy - r[1]) * wide;
            let y = oy + (gy as f64 + 0.5) / nf;
            let mut run: Option<Class> = None;
            for gx in r[0]..=r[2] {
                let Some(cell) = out.get_mut(at + gx - r[0]) else {
                    break;
                };
                if *cell == Class::Edge {
                    run = None;
                    continue;
                }
                let state = *run.get_or_insert_with(|| {
                    let x = ox + (gx as f64 + 0.5) / nf;
                    if self.part_covers(h, x, y) {
                        Class::In
                    } else {
                        Class::Out
                    }
                });
                *cell = state;
            }
        }
    }

    /// How part `pi` relates to a rectangle, from its box and its own grid
    /// (see the invariants of [`PointGrid`]).
    fn classify(&self, pi: usize, r: [f64; 4]) -> Class {
        let (Some(part), Some(h)) = (self.parts.get(pi), self.hot.get(pi)) else {
            return Class::Edge;
        };
        let b = part.bbox;
        if r[2] < b[0] || r[0] > b[2] || r[3] < b[1] || r[1] > b[3] {
            return Class::Out;
        }
        if h.circle {
            return Class::Edge;
        }
        let Some(ix) = self.part_index(pi) else {
            return Class::Edge;
        };
        let (nx, ny) = (usize::from(h.nx), usize::from(h.ny));
        let col = |x: f64| (((x - h.x0) * h.inv_w) as usize).min(nx - 1);
        let row = |y: f64| (((y - h.y0) * h.inv_h) as usize).min(ny - 1);
        let (c0, c1) = (col(r[0].max(b[0])), col(r[2].min(b[2])));
        let (r0, r1) = (row(r[1].max(b[1])), row(r[3].min(b[3])));
        let (mut any_in, mut any_out) = (false, false);
        for y in r0..=r1 {
            let from = y * nx;
            for &cell in ix.cells.get(from + c0..=from + c1).unwrap_or_default() {
                match cell {
                    CELL_IN => any_in = true,
                    CELL_OUT => any_out = true,
                    _ => return Class::Edge,
                }
            }
        }
        let within = r[0] >= b[0] && r[2] <= b[2] && r[1] >= b[1] && r[3] <= b[3];
        match (any_in, any_out) {
            (false, _) => Class::Out,
            (true, false) if within => Class::In,
            _ => Class::Edge,
        }
    }
}

impl ChapterFinder {
    /// Adds a polygon part: its box and the sizes of its grid and slabs
    /// (the layers themselves are built on first use, see
    /// [`ChapterFinder::build_part_index`]).
    fn add_poly(
        &mut self,
        entry: u32,
        attr: u16,
        polygon: u32,
        poly: &[Vec<[f64; 2]>],
        bbox: [f64; 4],
        shift: f64,
    ) {
        let n_edges: usize = poly.iter().map(|r| r.len().saturating_sub(1)).sum();
        self.n_edges += n_edges;
        let nslabs = (n_edges / EDGES_PER_SLAB).clamp(1, MAX_SLABS);
        let (y0, y1) = (bbox[1], bbox[3]);
        let inv_h = if y1 > y0 {
            nslabs as f64 / (y1 - y0)
        } else {
            0.0
        };
        let (w, h) = (bbox[2] - bbox[0], bbox[3] - bbox[1]);
        let target = (n_edges * CELLS_PER_EDGE).clamp(MIN_CELLS, MAX_CELLS) as f64;
        let aspect = if w > 0.0 && h > 0.0 { w / h } else { 1.0 };
        let nx = ((target * aspect).sqrt().round() as usize).clamp(1, MAX_CELLS_PER_AXIS);
        let ny = ((target / nx as f64).round() as usize).clamp(1, MAX_CELLS_PER_AXIS);
        let grid = Grid {
            x0: bbox[0] + shift,
            y0: bbox[1],
            inv_w: if w > 0.0 { nx as f64 / w } else { 0.0 },
            inv_h: if h > 0.0 { ny as f64 / h } else { 0.0 },
            nx,
            ny,
            w,
            h,
        };
        self.parts.push(Part {
            entry,
            attr,
            bbox: [bbox[0] + shift, bbox[1], bbox[2] + shift, bbox[3]],
            geom: PartGeom::Poly {
                polygon,
                shift,
                inv_h,
                nslabs,
                grid,
            },
        });
    }
}

/// The edges of a polygon (shifted by `shift`) by latitude slab: each edge
/// is listed in every slab its latitude range touches.
fn slabs(poly: &[Vec<[f64; 2]>], shift: f64, y0: f64, inv_h: f64, nslabs: usize) -> PartIndex {
    let slab = |y: f64| slab_of(y, y0, inv_h, nslabs);
    // Count, then fill (CSR layout).
    let mut counts = vec![0u32; nslabs + 1];
    for_each_edge(poly, |a, b| {
        let (s0, s1) = (slab(a[1].min(b[1])), slab(a[1].max(b[1])));
        for s in s0..=s1 {
            if let Some(c) = counts.get_mut(s + 1) {
                *c += 1;
            }
        }
    });
    let mut acc = 0u32;
    for c in counts.iter_mut() {
        acc += *c;
        *c = acc;
    }
    // counts[s] is now the start of slab s.
    let mut edges = vec![[0.0; 4]; acc as usize];
    let mut cursor = counts.clone();
    for_each_edge(poly, |a, b| {
        let e = [a[0] + shift, a[1], b[0] + shift, b[1]];
        let (s0, s1) = (slab(a[1].min(b[1])), slab(a[1].max(b[1])));
        for s in s0..=s1 {
            if let Some(c) = cursor.get_mut(s) {
                if let Some(slot) = edges.get_mut(*c as usize) {
                    *slot = e;
                }
                *c += 1;
            }
        }
    });
    PartIndex {
        cells: Box::default(),
        slab_offsets: counts.into_boxed_slice(),
        edges: edges.into_boxed_slice(),
    }
}

/// The cells of a part's grid: marks the cells that edges touch, then
/// classifies the others by an exact test (over `slabs`) at their centre.
fn grid_cells(
    poly: &[Vec<[f64; 2]>],
    shift: f64,
    grid: &Grid,
    slabs: &PartIndex,
    inv_h: f64,
    nslabs: usize,
) -> Box<[u8]> {
    let (nx, ny, w, h) = (grid.nx, grid.ny, grid.w, grid.h);
    let mut cells = vec![CELL_OUT; nx * ny];
    for_each_edge(poly, |a, b| {
        let (ax, bx) = (a[0] + shift, b[0] + shift);
        let (c0, c1) = (grid.col(ax.min(bx)), grid.col(ax.max(bx)));
        let (r0, r1) = (grid.row(a[1].min(b[1])), grid.row(a[1].max(b[1])));
        for r in r0..=r1 {
            if let Some(row) = cells.get_mut(r * nx + c0..=r * nx + c1) {
                row.fill(CELL_EDGE);
            }
        }
    });
    // Along a row, the cells between two edge cells are all inside or
    // all outside (a boundary point between them would have marked
    // one), so one exact test at the first cell's centre settles a run.
    for r in 0..ny {
        let mut run: Option<u8> = None;
        for c in 0..nx {
            let Some(&state) = cells.get(r * nx + c) else {
                continue;
            };
            if state == CELL_EDGE {
                run = None;
                continue;
            }
            let x = grid.x0 + (c as f64 + 0.5) * w / nx as f64;
            let y = grid.y0 + (r as f64 + 0.5) * h / ny as f64;
            let new = if grid.col(x) != c || grid.row(y) != r {
                // The centre does not map back to its cell (rounding
                // on a degenerate box): test every point of it.
                run = None;
                CELL_EDGE
            } else {
                *run.get_or_insert_with(|| {
                    if slabs.slab_test(x, y, grid.y0, inv_h, nslabs) {
                        CELL_IN
                    } else {
                        CELL_OUT
                    }
                })
            };
            if let Some(cell) = cells.get_mut(r * nx + c) {
                *cell = new;
            }
        }
    }
    cells.into_boxed_slice()
}

impl ChapterFinder {
    // ---- accessors ------------------------------------------------------

    /// All entries, most specific first; an entry's position is the index
    /// that [`ChapterFinder::lookup_into`] and [`ChapterFinder::assign`]
    /// return.
    pub fn entries(&self) -> &[ChapterEntry] {
        &self.entries
    }

    /// The entry at an index.
    pub fn entry(&self, ix: u32) -> Option<&ChapterEntry> {
        self.entries.get(ix as usize)
    }

    /// The index of the entry with this id.
    pub fn position(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// The number of entries (chapters with a territory).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no chapter has a territory.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Warnings about the territories (self-intersections, degenerate rings).
    ///
    /// A finder read from GeoJSON text finds them on the first call (the
    /// self-intersection sweep over every polygon), not when it is built.
    pub fn warnings(&self) -> &[TerritoryWarning] {
        self.warnings.get_or_init(|| {
            let mut out = Vec::new();
            for (ix, w) in &self.warned {
                let (Some(entry), Some(shape)) = (
                    self.entries.get(*ix as usize),
                    self.shapes.get(*ix as usize),
                ) else {
                    continue;
                };
                let messages = match w {
                    Warnings::Known(m) => m.clone(),
                    Warnings::Later { multi } => polygon_warnings(shape, *multi),
                };
                out.extend(messages.into_iter().map(|message| TerritoryWarning {
                    id: entry.id.clone(),
                    message,
                }));
            }
            out
        })
    }

    /// The number of indexed parts (polygons, their antimeridian copies,
    /// and circles) and of their edges (a copy's edges counted again), for
    /// sizing reports. Both are known once the finder is built, whatever
    /// the queries have built since.
    pub fn index_size(&self) -> (usize, usize) {
        (self.parts.len(), self.n_edges)
    }

    // ---- point queries --------------------------------------------------

    /// Calls `f` with each covering part's entry (an entry may come more
    /// than once, from several parts). `skip(entry)` lets the caller skip
    /// parts whose entry cannot matter before the exact test.
    #[inline]
    fn visit<S: Fn(u32) -> bool, F: FnMut(u32)>(
        &self,
        lon: f64,
        lat: f64,
        filter: &Filter,
        masks: Masks,
        skip: &S,
        f: &mut F,
    ) {
        let lon = normalize_lon(lon);
        self.visit_at(lon, lat, filter, masks, skip, f);
        // The antimeridian itself is both -180 and 180.
        if lon == 180.0 {
            self.visit_at(-180.0, lat, filter, masks, skip, f);
        } else if lon == -180.0 {
            self.visit_at(180.0, lat, filter, masks, skip, f);
        }
    }

    #[inline]
    fn visit_at<S: Fn(u32) -> bool, F: FnMut(u32)>(
        &self,
        lon: f64,
        lat: f64,
        filter: &Filter,
        masks: Masks,
        skip: &S,
        f: &mut F,
    ) {
        let Some(grid) = &self.grid else {
            return self.visit_tree(lon, lat, filter, masks, skip, f);
        };
        let cands = match grid.hit(lon, lat, self) {
            Hit::None => return,
            Hit::Tree => return self.visit_tree(lon, lat, filter, masks, skip, f),
            Hit::Inside(entry, attr) => {
                if masks.matches(attr) && !skip(entry) && self.tags_match(entry, filter) {
                    f(entry);
                }
                return;
            }
            Hit::Cands(cands) => cands,
        };
        for c in cands {
            if masks.matches(c.attr)
                && !skip(c.entry)
                && self.tags_match(c.entry, filter)
                && (c.inside
                    || self
                        .hot
                        .get(c.part as usize)
                        .is_some_and(|h| self.part_covers(h, lon, lat)))
            {
                f(c.entry);
            }
        }
    }

    /// [`ChapterFinder::visit_at`] through the R-tree (when there is no
    /// point grid, and in tests as the reference for it).
    #[inline]
    pub(crate) fn visit_tree<S: Fn(u32) -> bool, F: FnMut(u32)>(
        &self,
        lon: f64,
        lat: f64,
        filter: &Filter,
        masks: Masks,
        skip: &S,
        f: &mut F,
    ) {
        self.tree.search([lon, lat, lon, lat], |pi| {
            if let Some(part) = self.hot.get(pi as usize)
                && masks.matches(part.attr)
                && !skip(part.entry)
                && self.tags_match(part.entry, filter)
                && self.part_covers(part, lon, lat)
            {
                f(part.entry);
            }
        });
    }

    #[inline]
    pub(crate) fn tags_match(&self, entry: u32, filter: &Filter) -> bool {
        if filter.tags.is_empty() {
            return true;
        }
        self.entries.get(entry as usize).is_some_and(|e| {
            filter
                .tags
                .iter()
                .all(|t| e.tags.binary_search_by(|x| x.as_str().cmp(t)).is_ok())
        })
    }

    /// Exact test of one part (boundary included).
    #[inline]
    fn part_covers(&self, h: &Hot, x: f64, y: f64) -> bool {
        if h.circle {
            return self
                .circles
                .get(h.base as usize)
                .is_some_and(|c| c.covers(x, y));
        }
        // Points well outside the part's box are not covered. (Those just
        // outside land on cells of the grid's border, which are never
        // marked inside: a boundary point reaches each of them.)
        let (gx, gy) = ((x - h.x0) * h.inv_w, (y - h.y0) * h.inv_h);
        const SLACK: f64 = 1e-6;
        if !(gx > -SLACK
            && gy > -SLACK
            && gx < f64::from(h.nx) + SLACK
            && gy < f64::from(h.ny) + SLACK)
        {
            return false;
        }
        let cx = (gx as usize).min(usize::from(h.nx) - 1);
        let cy = (gy as usize).min(usize::from(h.ny) - 1);
        let ix = h
            .exact
            .get_or_init(|| self.build_part_index(h.base as usize));
        match ix.cells.get(cy * usize::from(h.nx) + cx) {
            Some(&CELL_IN) => true,
            Some(&CELL_OUT) => false,
            _ => ix.slab_test(x, y, h.y0, h.slab_inv_h, h.nslabs as usize),
        }
    }

    /// Writes into `out` the indexes of the entries whose territory covers
    /// the point and that pass `filter`, most specific first. Allocates
    /// nothing once `out` has room for the answer.
    pub fn lookup_into(
        &self,
        lon: f64,
        lat: f64,
        filter: &Filter,
        out: &mut Vec<u32>,
    ) -> Result<(), TerritoryError> {
        out.clear();
        check_point(lon, lat)?;
        let masks = filter.masks();
        self.visit(lon, lat, filter, masks, &|_| false, &mut |e| {
            if !out.contains(&e) {
                out.push(e);
            }
        });
        out.sort_unstable();
        Ok(())
    }

    /// The entries whose territory covers the point and that pass
    /// `filter`, most specific first (smallest area, then deepest, then id).
    pub fn lookup(
        &self,
        lon: f64,
        lat: f64,
        filter: &Filter,
    ) -> Result<Vec<&ChapterEntry>, TerritoryError> {
        let mut ix = Vec::new();
        self.lookup_into(lon, lat, filter, &mut ix)?;
        Ok(ix.iter().filter_map(|&i| self.entry(i)).collect())
    }

    /// The most specific covering entry, or `None` (also for an invalid
    /// point). Allocates nothing.
    #[inline]
    pub fn first(&self, lon: f64, lat: f64, filter: &Filter) -> Option<u32> {
        if check_point(lon, lat).is_err() {
            return None;
        }
        self.first_masked(lon, lat, filter, filter.masks())
    }

    /// As [`ChapterFinder::first`], but a point that is not a place (NaN,
    /// infinite, latitude beyond ±90) is an error rather than `None`, so a
    /// caller can tell "no chapter here" from "not a valid point".
    /// Allocates nothing unless it fails.
    ///
    /// ```
    /// use chapterhouse::territory::{ChapterFinder, Filter};
    /// let fc = serde_json::json!({"type": "FeatureCollection", "features": [
    ///     {"type": "Feature", "id": "sq", "properties": {},
    ///      "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]});
    /// let finder = ChapterFinder::from_geojson(&fc)?;
    /// let all = Filter::default();
    /// assert_eq!(finder.try_first(0.5, 0.5, &all)?, finder.position("sq"));
    /// assert_eq!(finder.try_first(5.0, 5.0, &all)?, None);
    /// assert!(finder.try_first(f64::NAN, 0.5, &all).is_err());
    /// # Ok::<(), chapterhouse::territory::TerritoryError>(())
    /// ```
    #[inline]
    pub fn try_first(
        &self,
        lon: f64,
        lat: f64,
        filter: &Filter,
    ) -> Result<Option<u32>, TerritoryError> {
        check_point(lon, lat)?;
        Ok(self.first_masked(lon, lat, filter, filter.masks()))
    }

    /// [`ChapterFinder::first`] through the R-tree instead of the point
    /// grid: the same answer, the older path, kept for benchmarks and tests.
    #[doc(hidden)]
    pub fn first_via_tree(&self, lon: f64, lat: f64, filter: &Filter) -> Option<u32> {
        check_point(lon, lat).ok()?;
        let masks = filter.masks();
        let best = std::cell::Cell::new(u32::MAX);
        let lon = normalize_lon(lon);
        let mut keep = |e: u32| {
            if e < best.get() {
                best.set(e);
            }
        };
        let skip = |e: u32| e >= best.get();
        self.visit_tree(lon, lat, filter, masks, &skip, &mut keep);
        if lon == 180.0 {
            self.visit_tree(-180.0, lat, filter, masks, &skip, &mut keep);
        } else if lon == -180.0 {
            self.visit_tree(180.0, lat, filter, masks, &skip, &mut keep);
        }
        let b = best.get();
        (b != u32::MAX).then_some(b)
    }

    #[inline]
    fn first_masked(&self, lon: f64, lat: f64, filter: &Filter, masks: Masks) -> Option<u32> {
        let best = std::cell::Cell::new(u32::MAX);
        self.visit(lon, lat, filter, masks, &|e| e >= best.get(), &mut |e| {
            if e < best.get() {
                best.set(e);
            }
        });
        let b = best.get();
        (b != u32::MAX).then_some(b)
    }

    /// Assigns each `[lon, lat]` point to its most specific covering entry
    /// (an index into [`ChapterFinder::entries`]), `None` when nothing
    /// covers it or the point is invalid (NaN, latitude beyond ±90).
    ///
    /// Points are visited in a space-filling-curve order (so consecutive
    /// lookups touch the same part of the index) and the answers are
    /// returned in input order. Runs in parallel on native targets,
    /// sequentially on wasm. Extra memory: about 24 bytes per point.
    pub fn assign(&self, points: &[[f64; 2]], filter: &Filter) -> Vec<Option<u32>> {
        self.assign_by(points.len(), |i| points.get(i).copied(), filter, true)
    }

    /// As [`ChapterFinder::assign`], over columns of longitudes and
    /// latitudes, writing into `out` (all three the same length).
    pub fn assign_into(
        &self,
        lons: &[f64],
        lats: &[f64],
        filter: &Filter,
        out: &mut [Option<u32>],
    ) -> Result<(), TerritoryError> {
        if lons.len() != lats.len() || lons.len() != out.len() {
            return Err(TerritoryError::LengthMismatch {
                what: format!(
                    "{} longitudes, {} latitudes and {} output slots",
                    lons.len(),
                    lats.len(),
                    out.len()
                ),
            });
        }
        let res = self.assign_by(
            lons.len(),
            |i| Some([*lons.get(i)?, *lats.get(i)?]),
            filter,
            true,
        );
        out.copy_from_slice(&res);
        Ok(())
    }

    /// As [`ChapterFinder::assign`], on the calling thread only.
    pub fn assign_sequential(&self, points: &[[f64; 2]], filter: &Filter) -> Vec<Option<u32>> {
        self.assign_by(points.len(), |i| points.get(i).copied(), filter, false)
    }

    fn assign_by<P: Fn(usize) -> Option<[f64; 2]> + Sync>(
        &self,
        n: usize,
        point: P,
        filter: &Filter,
        parallel: bool,
    ) -> Vec<Option<u32>> {
        let masks = filter.masks();
        let one = |i: usize| {
            let p = point(i)?;
            check_point(p[0], p[1]).ok()?;
            self.first_masked(p[0], p[1], filter, masks)
        };
        if n < SORT_MIN || u32::try_from(n).is_err() {
            return (0..n).map(one).collect();
        }
        // (curve key << 32 | input index), sorted by key.
        let mut order: Vec<u64> = (0..n)
            .map(|i| {
                let key = point(i).map_or(u32::MAX, |p| curve_key(p[0], p[1]));
                (u64::from(key) << 32) | i as u64
            })
            .collect();
        radix_sort_by_high_half(&mut order);
        let mut sorted: Vec<Option<u32>> = vec![None; n];
        let run = |os: &[u64], rs: &mut [Option<u32>]| {
            // Gather the points first: independent loads overlap their
            // cache misses, which loads inside the lookup loop cannot.
            let pts: Vec<Option<[f64; 2]>> = os
                .iter()
                .map(|o| point((*o & 0xFFFF_FFFF) as usize))
                .collect();
            for (p, r) in pts.iter().zip(rs.iter_mut()) {
                *r = p.and_then(|p| {
                    check_point(p[0], p[1]).ok()?;
                    self.first_masked(p[0], p[1], filter, masks)
                });
            }
        };
        #[cfg(not(target_arch = "wasm32"))]
        if parallel {
            use rayon::prelude::*;
            order
                .par_chunks(CHUNK)
                .zip(sorted.par_chunks_mut(CHUNK))
                .for_each(|(os, rs)| run(os, rs));
        } else {
            for (os, rs) in order.chunks(CHUNK).zip(sorted.chunks_mut(CHUNK)) {
                run(os, rs);
            }
        }
        #[cfg(target_arch = "wasm32")]
        {
            let _ = parallel;
            for (os, rs) in order.chunks(CHUNK).zip(sorted.chunks_mut(CHUNK)) {
                run(os, rs);
            }
        }
        let mut out = vec![None; n];
        for (o, r) in order.iter().zip(sorted) {
            if let Some(slot) = out.get_mut((*o & 0xFFFF_FFFF) as usize) {
                *slot = r;
            }
        }
        out
    }

    /// The polygon rings of a part, in its (possibly shifted) frame.
    pub(crate) fn part_rings<'a>(&'a self, part: &Part) -> Option<(&'a [Vec<[f64; 2]>], f64)> {
        match &part.geom {
            PartGeom::Poly { polygon, shift, .. } => {
                match self.shapes.get(part.entry as usize).map(|s| &**s) {
                    Some(Shape::Polygons(polys)) => {
                        polys.get(*polygon as usize).map(|p| (p.as_slice(), *shift))
                    }
                    _ => None,
                }
            }
            PartGeom::Circle(_) => None,
        }
    }
}

/// Points per task in `assign`.
const CHUNK: usize = 4096;

/// Below this many points `assign` does not reorder them.
const SORT_MIN: usize = 2048;

/// A Morton (Z-order) key of a point: 16 bits of longitude and latitude
/// interleaved. Invalid points sort last.
fn curve_key(lon: f64, lat: f64) -> u32 {
    if !lon.is_finite() || !lat.is_finite() {
        return u32::MAX;
    }
    let x = ((normalize_lon(lon) + 180.0) * (65535.0 / 360.0)) as u32 & 0xFFFF;
    let y = ((lat.clamp(-90.0, 90.0) + 90.0) * (65535.0 / 180.0)) as u32 & 0xFFFF;
    spread(x) | (spread(y) << 1)
}

fn spread(v: u32) -> u32 {
    let mut v = v & 0xFFFF;
    v = (v | (v << 8)) & 0x00FF_00FF;
    v = (v | (v << 4)) & 0x0F0F_0F0F;
    v = (v | (v << 2)) & 0x3333_3333;
    (v | (v << 1)) & 0x5555_5555
}

/// LSD radix sort of `u64`s by their upper 32 bits (stable).
fn radix_sort_by_high_half(v: &mut Vec<u64>) {
    let mut tmp = vec![0u64; v.len()];
    for pass in 0..4u32 {
        let shift = 32 + 8 * pass;
        let mut counts = [0usize; 257];
        for x in v.iter() {
            let b = ((x >> shift) & 0xFF) as usize;
            if let Some(c) = counts.get_mut(b + 1) {
                *c += 1;
            }
        }
        for i in 1..257 {
            let prev = counts.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = counts.get_mut(i) {
                *c += prev;
            }
        }
        for x in v.iter() {
            let b = ((x >> shift) & 0xFF) as usize;
            if let Some(c) = counts.get_mut(b) {
                if let Some(slot) = tmp.get_mut(*c) {
                    *slot = *x;
                }
                *c += 1;
            }
        }
        std::mem::swap(v, &mut tmp);
    }
}

pub(crate) fn check_point(lon: f64, lat: f64) -> Result<(), TerritoryError> {
    if lon.is_finite() && (-90.0..=90.0).contains(&lat) {
        Ok(())
    } else {
        Err(TerritoryError::InvalidPoint { lon, lat })
    }
}

/// The slab holding latitude `y` (monotone in `y`, clamped).
#[inline]
fn slab_of(y: f64, y0: f64, inv_h: f64, nslabs: usize) -> usize {
    let s = ((y - y0) * inv_h) as usize; // saturating: negative and NaN give 0
    s.min(nslabs - 1)
}

fn for_each_edge(poly: &[Vec<[f64; 2]>], mut f: impl FnMut([f64; 2], [f64; 2])) {
    for ring in poly {
        for w in ring.windows(2) {
            if let [a, b] = w {
                f(*a, *b);
            }
        }
    }
}

pub(crate) fn poly_bbox(poly: &[Vec<[f64; 2]>]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for p in poly.iter().flatten() {
        b[0] = b[0].min(p[0]);
        b[1] = b[1].min(p[1]);
        b[2] = b[2].max(p[0]);
        b[3] = b[3].max(p[1]);
    }
    b
}

/// The longitude shifts under which a box must be indexed so that every
/// query longitude in [-180, 180] finds it.
fn shifts(bbox: [f64; 4]) -> impl Iterator<Item = f64> {
    let mut s = [Some(0.0), None, None];
    if bbox[0] < -180.0 {
        s[1] = Some(360.0);
    }
    if bbox[2] > 180.0 {
        s[2] = Some(-360.0);
    }
    s.into_iter().flatten()
}

/// Even-odd point-in-polygon over the edges of one slab, boundary included.
/// The same rule as GEOS's ray-crossing counter: an edge counts when one end
/// is strictly above the point and the other is not, and the point lies
/// strictly on the side of the edge that the ray (towards +x) crosses.
#[inline]
fn point_in_edges(edges: &[[f64; 4]], x: f64, y: f64) -> bool {
    let mut inside = false;
    for &[ax, ay, bx, by] in edges {
        if (ay > y) != (by > y) {
            if x < ax.min(bx) {
                inside = !inside;
                continue;
            }
            if x > ax.max(bx) {
                continue;
            }
            let o = orient([ax, ay], [bx, by], [x, y]);
            if o == 0.0 {
                return true;
            }
            if (o > 0.0) == (by > ay) {
                inside = !inside;
            }
        } else if ay == y || by == y {
            // Touching the point's latitude: a vertex or a horizontal edge.
            if (ay == y && ax == x)
                || (by == y && bx == x)
                || (ay == by && ax.min(bx) <= x && x <= ax.max(bx))
            {
                return true;
            }
        }
    }
    inside
}
