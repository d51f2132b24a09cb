//! The point grid: the first layer a point query meets. It sends a point
//! straight to the parts that can cover it, each already marked "covers
//! the whole cell" or "needs the exact test", without walking a tree.
//!
//! Layout: whole-degree cells over the box of all parts; a cell that some
//! part's boundary crosses is split into `n × n` fine cells (`n` a power of
//! two chosen from the size of the parts), the others stay whole. Every
//! (fine) cell lists its candidate parts in part order, which is entry
//! order, so the first candidate that covers a point is the most specific.
//! Building the grid only lists, per whole cell, the parts whose box
//! reaches it; a whole cell is classified and split by the first query
//! that lands in it (once, behind a `OnceLock`, so concurrent queries
//! share the work and see the same cell).
//!
//! Invariants (a cell's rectangle is taken with a margin of [`EPS`], wider
//! than any rounding in the arithmetic that maps a point to its cell):
//! - a part that can cover some point of a cell is among the cell's
//!   candidates (parts dropped are those whose box misses the rectangle or
//!   whose own grid marks every cell under the rectangle as outside);
//! - a candidate marked `inside` covers every point of the rectangle (the
//!   rectangle lies within the part's box and only on cells of the part's
//!   own grid marked inside, which no boundary point reaches).

use std::sync::OnceLock;

/// Margin, in degrees, added around a cell's rectangle when it is
/// classified. Mapping a point to its cell rounds by less than 1e-13°.
const EPS: f64 = 1e-9;

/// The most fine cells the grid may hold (8 bytes each, plus candidates).
const MAX_FINE: usize = 1 << 22;

/// The finest split of a degree.
const MAX_SPLIT: usize = 64;

/// How a part relates to a cell's rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// The part covers no point of the rectangle.
    Out,
    /// The part covers every point of the rectangle.
    In,
    /// Some points may be covered: test each exactly.
    Edge,
}

/// One candidate part of a cell.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub(crate) struct Cand {
    pub(crate) part: u32,
    pub(crate) entry: u32,
    pub(crate) attr: u16,
    pub(crate) inside: bool,
}

/// What the grid needs to know of a part.
#[derive(Debug, Clone)]
pub(crate) struct PartBox {
    pub(crate) bbox: [f64; 4],
    pub(crate) entry: u32,
    pub(crate) attr: u16,
}

/// What the grid asks of the parts when it builds a cell; both answers
/// must be conservative (`Edge` when unsure).
pub(crate) trait PointParts {
    /// How part `part` relates to the rectangle `[x0, y0, x1, y1]`.
    fn classify(&self, part: usize, rect: [f64; 4]) -> Class;
    /// Fills `out` (row-major) with how part `part` relates to each cell
    /// `(gx, gy)` of the lattice of `1/n`-degree cells from `origin` in
    /// the range `[gx0, gy0, gx1, gy1]`.
    fn raster(
        &self,
        part: usize,
        origin: [f64; 2],
        n: usize,
        range: [usize; 4],
        out: &mut Vec<Class>,
    );
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PointGrid {
    x0: f64,
    y0: f64,
    w: usize,
    h: usize,
    /// Fine cells per side of a split whole cell (a power of two).
    n: usize,
    parts: Vec<PartBox>,
    /// Per whole-degree cell `c`, the parts whose box reaches it:
    /// `lists[start[c]..start[c + 1]]`, in part order.
    start: Vec<u32>,
    lists: Vec<u32>,
    /// Per whole-degree cell, its slots once a query has reached it.
    cells: Vec<OnceLock<Cell>>,
}

/// A whole-degree cell: no slot (nothing reaches it), one (no boundary
/// crosses it) or `n × n` (split), and the candidate lists its slots
/// point into.
#[derive(Debug, Clone, Default)]
struct Cell {
    slots: Box<[u64]>,
    cands: Box<[Cand]>,
    /// The cell could not be built within the grid's limits: queries in
    /// it walk the tree.
    tree: bool,
}

/// A fine cell's slot: its one candidate inline when that candidate covers
/// the whole cell (most cells: one memory access answers the query), or
/// a range of the cell's candidates.
///
/// Bits 62–63: 0 nothing, 1 inline (`entry` in bits 0–31, `attr` in
/// 32–47), 2 list (`start` in bits 0–31, `len` in 32–61).
struct Slot;

impl Slot {
    const INLINE: u64 = 1 << 62;
    const LIST: u64 = 2 << 62;
    const LEN_MASK: u64 = (1 << 30) - 1;
}

/// What a point's cell holds.
pub(crate) enum Hit<'a> {
    /// Nothing can cover the point.
    None,
    /// This entry (with these attribute bits) covers the point.
    Inside(u32, u16),
    /// These candidates, in order.
    Cands(&'a [Cand]),
    /// Ask the tree (the cell is past the grid's limits).
    Tree,
}

impl PointGrid {
    /// The grid over these parts: its extent, its split and, per whole
    /// cell, the parts whose box reaches it. `None` past the size limits.
    pub(crate) fn new(parts: Vec<PartBox>) -> Option<PointGrid> {
        let mut g = PointGrid::default();
        let mut dom = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in &parts {
            let b = clip(p.bbox);
            if b[0] > b[2] || b[1] > b[3] {
                continue;
            }
            dom = [
                dom[0].min(b[0]),
                dom[1].min(b[1]),
                dom[2].max(b[2]),
                dom[3].max(b[3]),
            ];
        }
        if u32::try_from(parts.len()).is_err() {
            return None;
        }
        if dom[0] > dom[2] || dom[1] > dom[3] {
            return Some(g);
        }
        g.x0 = dom[0].floor();
        g.y0 = dom[1].floor();
        g.w = ((dom[2].ceil() - g.x0) as usize).max(1);
        g.h = ((dom[3].ceil() - g.y0) as usize).max(1);
        let ncoarse = g.w * g.h;

        // Parts per whole-degree cell (CSR: count, then fill).
        let ranges: Vec<Option<[usize; 4]>> =
            parts.iter().map(|p| g.coarse_range(clip(p.bbox))).collect();
        let mut start = vec![0u32; ncoarse + 1];
        for r in ranges.iter().flatten() {
            for cy in r[1]..=r[3] {
                for cx in r[0]..=r[2] {
                    if let Some(s) = start.get_mut(cy * g.w + cx + 1) {
                        *s += 1;
                    }
                }
            }
        }
        let mut reached = 0usize;
        for i in 1..start.len() {
            let prev = start.get(i - 1).copied().unwrap_or(0);
            if let Some(s) = start.get_mut(i) {
                reached += usize::from(*s > 0);
                *s = s.checked_add(prev)?;
            }
        }
        let mut lists = vec![0u32; start.last().copied().unwrap_or(0) as usize];
        let mut cursor = start.clone();
        for (pi, r) in ranges.iter().enumerate() {
            let Some(r) = r else { continue };
            for cy in r[1]..=r[3] {
                for cx in r[0]..=r[2] {
                    if let Some(c) = cursor.get_mut(cy * g.w + cx) {
                        if let Some(slot) = lists.get_mut(*c as usize) {
                            *slot = pi as u32;
                        }
                        *c += 1;
                    }
                }
            }
        }
        // Every cell that a box reaches might be split: the split is
        // chosen so that even then the fine cells stay within budget.
        g.n = split_for(&parts, reached);
        g.parts = parts;
        g.start = start;
        g.lists = lists;
        g.cells = (0..ncoarse).map(|_| OnceLock::new()).collect();
        Some(g)
    }

    /// Builds every cell (see [`ChapterFinder::build_all`]).
    ///
    /// [`ChapterFinder::build_all`]: super::ChapterFinder::build_all
    pub(crate) fn build_all<P: PointParts>(&self, parts: &P) {
        for (c, lock) in self.cells.iter().enumerate() {
            lock.get_or_init(|| self.build_cell(c, parts));
        }
    }

    /// Classifies the parts that reach whole cell `c` and, when a boundary
    /// crosses it, splits it and rasters each crossing part over it.
    #[cold]
    #[inline(never)]
    fn build_cell<P: PointParts>(&self, c: usize, parts: &P) -> Cell {
        let n = self.n;
        let (cx, cy) = (c % self.w, c / self.w);
        let rect = self.rect(cx, cy, 0, 0, 1);
        let (s, e) = (
            self.start.get(c).copied().unwrap_or(0) as usize,
            self.start.get(c + 1).copied().unwrap_or(0) as usize,
        );
        let mut whole: Vec<(Cand, Class)> = Vec::new();
        let mut split = false;
        for &pi in self.lists.get(s..e).unwrap_or_default() {
            let Some(p) = self.parts.get(pi as usize) else {
                continue;
            };
            let class = parts.classify(pi as usize, rect);
            split |= class == Class::Edge;
            if class != Class::Out {
                let cand = Cand {
                    part: pi,
                    entry: p.entry,
                    attr: p.attr,
                    inside: class == Class::In,
                };
                whole.push((cand, class));
            }
        }
        let mut cell = CellBuilder::default();
        if whole.is_empty() {
            return Cell::default();
        }
        if !split {
            let cands: Vec<Cand> = whole.iter().map(|(cand, _)| *cand).collect();
            return cell
                .push(&cands)
                .map_or_else(Cell::too_big, |()| cell.finish());
        }
        // A split cell's fine cells from the parts covering all of it and
        // the rasters of those crossing it, grouped by fine cell (a stable
        // counting sort keeps part order, the list being in part order).
        let nf = n as f64;
        let mut local: Vec<(u32, Cand)> = Vec::new();
        let mut states: Vec<Class> = Vec::new();
        for (cand, class) in &whole {
            match class {
                Class::In => local.extend((0..n * n).map(|f| (f as u32, *cand))),
                Class::Out => {}
                Class::Edge => {
                    let Some(p) = self.parts.get(cand.part as usize) else {
                        continue;
                    };
                    let b = clip(p.bbox);
                    let fine = |v: f64, o: f64, len: usize| {
                        (((v - o) * nf).max(0.0) as usize).min(len * n - 1)
                    };
                    // The part's fine cells within this whole cell.
                    let r = [
                        fine(b[0] - EPS, self.x0, self.w).max(cx * n),
                        fine(b[1] - EPS, self.y0, self.h).max(cy * n),
                        fine(b[2] + EPS, self.x0, self.w).min(cx * n + n - 1),
                        fine(b[3] + EPS, self.y0, self.h).min(cy * n + n - 1),
                    ];
                    if r[0] > r[2] || r[1] > r[3] {
                        continue;
                    }
                    parts.raster(cand.part as usize, [self.x0, self.y0], n, r, &mut states);
                    let wide = r[2] - r[0] + 1;
                    for gy in r[1]..=r[3] {
                        let row = (gy - r[1]) * wide;
                        for gx in r[0]..=r[2] {
                            let state = states.get(row + gx - r[0]).copied().unwrap_or(Class::Edge);
                            if state != Class::Out {
                                let f = (gy - cy * n) * n + (gx - cx * n);
                                let inside = state == Class::In;
                                local.push((f as u32, Cand { inside, ..*cand }));
                            }
                        }
                    }
                }
            }
        }
        let mut counts = vec![0usize; n * n + 1];
        for (f, _) in &local {
            if let Some(k) = counts.get_mut(*f as usize + 1) {
                *k += 1;
            }
        }
        for i in 1..counts.len() {
            let prev = counts.get(i - 1).copied().unwrap_or(0);
            if let Some(k) = counts.get_mut(i) {
                *k += prev;
            }
        }
        let blank = Cand {
            part: 0,
            entry: 0,
            attr: 0,
            inside: false,
        };
        let mut cands = vec![blank; local.len()];
        let mut cursor = counts.clone();
        for (f, cand) in &local {
            if let Some(k) = cursor.get_mut(*f as usize) {
                if let Some(slot) = cands.get_mut(*k) {
                    *slot = *cand;
                }
                *k += 1;
            }
        }
        cell.slots.reserve_exact(n * n);
        for (s, e) in counts.iter().zip(counts.iter().skip(1)) {
            if cell.push(cands.get(*s..*e).unwrap_or_default()).is_none() {
                return Cell::too_big();
            }
        }
        cell.finish()
    }

    /// The candidates of the cell holding the point (longitude normalized
    /// to [-180, 180], latitude in [-90, 90]), building the cell if no
    /// query has reached it yet.
    #[inline]
    pub(crate) fn hit<P: PointParts>(&self, lon: f64, lat: f64, parts: &P) -> Hit<'_> {
        let x = lon - self.x0;
        let y = lat - self.y0;
        if self.w == 0
            || self.h == 0
            || !(x >= 0.0 && y >= 0.0 && x <= self.w as f64 && y <= self.h as f64)
        {
            return Hit::None;
        }
        let cx = (x as usize).min(self.w - 1);
        let cy = (y as usize).min(self.h - 1);
        let c = cy * self.w + cx;
        let Some(lock) = self.cells.get(c) else {
            return Hit::None;
        };
        let cell = lock.get_or_init(|| self.build_cell(c, parts));
        let slot = match cell.slots.len() {
            0 => return if cell.tree { Hit::Tree } else { Hit::None },
            1 => cell.slots.first().copied().unwrap_or(0),
            _ => {
                let n = self.n;
                let fx = (((x - cx as f64) * n as f64) as usize).min(n - 1);
                let fy = (((y - cy as f64) * n as f64) as usize).min(n - 1);
                cell.slots.get(fy * n + fx).copied().unwrap_or(0)
            }
        };
        match slot >> 62 {
            1 => Hit::Inside(slot as u32, (slot >> 32) as u16),
            2 => {
                let start = (slot as u32) as usize;
                let len = ((slot >> 32) & Slot::LEN_MASK) as usize;
                Hit::Cands(cell.cands.get(start..start + len).unwrap_or_default())
            }
            _ => Hit::None,
        }
    }

    /// The rectangle (with margin) of fine cell `(fx, fy)` of an `n × n`
    /// split of whole cell `(cx, cy)`.
    fn rect(&self, cx: usize, cy: usize, fx: usize, fy: usize, n: usize) -> [f64; 4] {
        let s = 1.0 / n as f64;
        let x = self.x0 + cx as f64 + fx as f64 * s;
        let y = self.y0 + cy as f64 + fy as f64 * s;
        [x - EPS, y - EPS, x + s + EPS, y + s + EPS]
    }

    /// The whole cells a box (clipped to the world) reaches, with margin.
    fn coarse_range(&self, b: [f64; 4]) -> Option<[usize; 4]> {
        if b[0] > b[2] || b[1] > b[3] {
            return None;
        }
        let cell = |v: f64, o: f64, len: usize| ((v - o).max(0.0) as usize).min(len - 1);
        Some([
            cell(b[0] - EPS, self.x0, self.w),
            cell(b[1] - EPS, self.y0, self.h),
            cell(b[2] + EPS, self.x0, self.w),
            cell(b[3] + EPS, self.y0, self.h),
        ])
    }
}

/// A box clipped to the world.
fn clip(b: [f64; 4]) -> [f64; 4] {
    [
        b[0].max(-180.0),
        b[1].max(-90.0),
        b[2].min(180.0),
        b[3].min(90.0),
    ]
}

impl Cell {
    fn too_big() -> Cell {
        Cell {
            tree: true,
            ..Cell::default()
        }
    }
}

/// The slots and candidates of one cell, as they are pushed.
#[derive(Default)]
struct CellBuilder {
    slots: Vec<u64>,
    cands: Vec<Cand>,
}

impl CellBuilder {
    /// Appends the slot of a (fine) cell with these candidates.
    fn push(&mut self, cands: &[Cand]) -> Option<()> {
        let slot = match cands {
            [] => 0,
            [one] if one.inside => {
                Slot::INLINE | u64::from(one.entry) | (u64::from(one.attr) << 32)
            }
            _ => {
                let start = u32::try_from(self.cands.len()).ok()?;
                let len = u64::try_from(cands.len())
                    .ok()
                    .filter(|l| *l <= Slot::LEN_MASK)?;
                self.cands.extend_from_slice(cands);
                Slot::LIST | u64::from(start) | (len << 32)
            }
        };
        self.slots.push(slot);
        Some(())
    }

    fn finish(self) -> Cell {
        Cell {
            slots: self.slots.into_boxed_slice(),
            cands: self.cands.into_boxed_slice(),
            tree: false,
        }
    }
}

/// How finely a whole cell crossed by a boundary is split: about eight
/// fine cells across the median part, within [`MAX_SPLIT`] and the
/// [`MAX_FINE`] budget.
fn split_for(parts: &[PartBox], n_split: usize) -> usize {
    if n_split == 0 {
        return 1;
    }
    let mut dims: Vec<f64> = parts
        .iter()
        .map(|p| (p.bbox[2] - p.bbox[0]).max(p.bbox[3] - p.bbox[1]))
        .filter(|d| d.is_finite() && *d > 0.0)
        .collect();
    let median = if dims.is_empty() {
        1.0
    } else {
        let mid = dims.len() / 2;
        dims.select_nth_unstable_by(mid, f64::total_cmp);
        dims.get(mid).copied().unwrap_or(1.0)
    };
    let want = (8.0 / median).clamp(1.0, MAX_SPLIT as f64);
    let mut n = (want as usize).next_power_of_two().min(MAX_SPLIT);
    while n > 1 && n_split.saturating_mul(n * n) > MAX_FINE {
        n /= 2;
    }
    n
}
