//! The point grid: the first layer a point query meets. It sends a point
//! straight to the parts that can cover it, each already marked "covers
//! the whole cell" or "needs the exact test", without walking a tree.
//!
//! Layout: whole-degree cells over the box of all parts; a cell that some
//! part's boundary crosses is split into `n × n` fine cells (`n` a power of
//! two chosen from the size of the parts), the others stay whole. Every
//! (fine) cell lists its candidate parts in part order, which is entry
//! order, so the first candidate that covers a point is the most specific.
//!
//! Invariants (a cell's rectangle is taken with a margin of [`EPS`], wider
//! than any rounding in the arithmetic that maps a point to its cell):
//! - a part that can cover some point of a cell is among the cell's
//!   candidates (parts dropped are those whose box misses the rectangle or
//!   whose own grid marks every cell under the rectangle as outside);
//! - a candidate marked `inside` covers every point of the rectangle (the
//!   rectangle lies within the part's box and only on cells of the part's
//!   own grid marked inside, which no boundary point reaches).

/// Margin, in degrees, added around a cell's rectangle when it is
/// classified. Mapping a point to its cell rounds by less than 1e-13°.
const EPS: f64 = 1e-9;

/// The most fine cells the grid holds (8 bytes each, plus candidates).
const MAX_FINE: usize = 1 << 22;

/// The finest split of a degree.
const MAX_SPLIT: usize = 64;

const EMPTY: u32 = u32::MAX;
const SHIFT_BITS: u32 = 27;
const BASE_MASK: u32 = (1 << SHIFT_BITS) - 1;

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

/// What the grid needs to know of a part to build.
pub(crate) struct PartBox {
    pub(crate) bbox: [f64; 4],
    pub(crate) entry: u32,
    pub(crate) attr: u16,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PointGrid {
    x0: f64,
    y0: f64,
    w: usize,
    h: usize,
    /// Per whole-degree cell: [`EMPTY`], or `log2(n) << 27 | first fine cell`.
    coarse: Vec<u32>,
    /// Per fine cell, see [`Slot`].
    slots: Vec<u64>,
    /// The candidate lists of cells with more than one candidate, or one
    /// that needs the exact test.
    cands: Vec<Cand>,
}

/// A fine cell's slot: its one candidate inline when that candidate covers
/// the whole cell (most cells: one memory access answers the query), or
/// a range of [`PointGrid::cands`].
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
}

impl PointGrid {
    /// Builds the grid. `classify(part, rect)` tells how part `part`
    /// relates to the rectangle `[x0, y0, x1, y1]`, and
    /// `raster(part, origin, n, [gx0, gy0, gx1, gy1], out)` fills `out`
    /// (row-major) with how it relates to each cell `(gx, gy)` of the
    /// lattice of `1/n`-degree cells from `origin` in that range; both must
    /// be conservative (answer `Edge` when unsure).
    pub(crate) fn build(
        parts: &[PartBox],
        classify: impl Fn(usize, [f64; 4]) -> Class,
        mut raster: impl FnMut(usize, [f64; 2], usize, [usize; 4], &mut Vec<Class>),
    ) -> Option<PointGrid> {
        let mut g = PointGrid::default();
        let clip = |b: [f64; 4]| {
            [
                b[0].max(-180.0),
                b[1].max(-90.0),
                b[2].min(180.0),
                b[3].min(90.0),
            ]
        };
        let mut dom = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in parts {
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
        let mut start = vec![0usize; ncoarse + 1];
        for r in ranges.iter().flatten() {
            for cy in r[1]..=r[3] {
                for cx in r[0]..=r[2] {
                    if let Some(s) = start.get_mut(cy * g.w + cx + 1) {
                        *s += 1;
                    }
                }
            }
        }
        for i in 1..start.len() {
            let prev = start.get(i - 1).copied().unwrap_or(0);
            if let Some(s) = start.get_mut(i) {
                *s += prev;
            }
        }
        let mut lists = vec![0u32; start.last().copied().unwrap_or(0)];
        let mut cursor = start.clone();
        for (pi, r) in ranges.iter().enumerate() {
            let Some(r) = r else { continue };
            for cy in r[1]..=r[3] {
                for cx in r[0]..=r[2] {
                    if let Some(c) = cursor.get_mut(cy * g.w + cx) {
                        if let Some(slot) = lists.get_mut(*c) {
                            *slot = pi as u32;
                        }
                        *c += 1;
                    }
                }
            }
        }

        // Classify each part against each whole cell: cells that no
        // boundary crosses stay whole.
        let mut whole: Vec<Vec<(Cand, Class)>> = vec![Vec::new(); ncoarse];
        let mut split = vec![false; ncoarse];
        let mut n_split = 0usize;
        for (c, (s, e)) in start.iter().zip(start.iter().skip(1)).enumerate() {
            let (cx, cy) = (c % g.w, c / g.w);
            let rect = g.rect(cx, cy, 0, 0, 1);
            let (Some(list), Some(flag)) = (whole.get_mut(c), split.get_mut(c)) else {
                break;
            };
            for &pi in lists.get(*s..*e).unwrap_or_default() {
                let Some(p) = parts.get(pi as usize) else {
                    continue;
                };
                let class = classify(pi as usize, rect);
                *flag |= class == Class::Edge;
                if class != Class::Out {
                    let cand = Cand {
                        part: pi,
                        entry: p.entry,
                        attr: p.attr,
                        inside: class == Class::In,
                    };
                    list.push((cand, class));
                }
            }
            n_split += usize::from(*flag);
        }
        let n = split_for(parts, n_split);
        let log2 = n.trailing_zeros();

        // Slots: n × n per split cell, one per other non-empty cell.
        g.coarse = vec![EMPTY; ncoarse];
        let mut n_slots = 0usize;
        for (c, list) in whole.iter().enumerate() {
            let is_split = split.get(c).copied().unwrap_or(false);
            if list.is_empty() && !is_split {
                continue;
            }
            let base = u32::try_from(n_slots).ok().filter(|b| *b <= BASE_MASK)?;
            if let Some(code) = g.coarse.get_mut(c) {
                *code = if is_split {
                    (log2 << SHIFT_BITS) | base
                } else {
                    base
                };
            }
            n_slots += if is_split { n * n } else { 1 };
        }

        // Raster each part that a boundary crosses in a split cell, once,
        // over its whole range of fine cells.
        let nf = n as f64;
        let mut crossing = vec![false; parts.len()];
        for (list, is_split) in whole.iter().zip(&split) {
            if *is_split {
                for (cand, class) in list {
                    if *class == Class::Edge
                        && let Some(f) = crossing.get_mut(cand.part as usize)
                    {
                        *f = true;
                    }
                }
            }
        }
        let mut rastered: Vec<Option<(usize, [usize; 4])>> = vec![None; parts.len()];
        let mut states: Vec<Class> = Vec::new();
        let mut buf = Vec::new();
        for (pi, p) in parts.iter().enumerate() {
            if !crossing.get(pi).copied().unwrap_or(false) {
                continue;
            }
            let b = clip(p.bbox);
            let cell =
                |v: f64, o: f64, len: usize| (((v - o) * nf).max(0.0) as usize).min(len * n - 1);
            let r = [
                cell(b[0] - EPS, g.x0, g.w),
                cell(b[1] - EPS, g.y0, g.h),
                cell(b[2] + EPS, g.x0, g.w),
                cell(b[3] + EPS, g.y0, g.h),
            ];
            raster(pi, [g.x0, g.y0], n, r, &mut buf);
            if let Some(slot) = rastered.get_mut(pi) {
                *slot = Some((states.len(), r));
            }
            states.extend_from_slice(&buf);
        }

        // Then the slots, cell by cell: a whole cell's list as it is; a
        // split cell's fine cells from the parts covering all of it and the
        // rasters of those crossing it, grouped by fine cell (a stable
        // counting sort keeps part order, the lists being in part order).
        g.slots.reserve_exact(n_slots);
        let mut local: Vec<(u32, Cand)> = Vec::new();
        let mut counts: Vec<usize> = Vec::new();
        let mut cands: Vec<Cand> = Vec::new();
        let blank = Cand {
            part: 0,
            entry: 0,
            attr: 0,
            inside: false,
        };
        for (c, list) in whole.iter().enumerate() {
            if g.coarse.get(c).copied().unwrap_or(EMPTY) == EMPTY {
                continue;
            }
            if !split.get(c).copied().unwrap_or(false) {
                cands.clear();
                cands.extend(list.iter().map(|(cand, _)| *cand));
                g.push_cell(&cands)?;
                continue;
            }
            let (cx, cy) = (c % g.w, c / g.w);
            local.clear();
            for (cand, class) in list {
                match class {
                    Class::In => local.extend((0..n * n).map(|f| (f as u32, *cand))),
                    Class::Out => {}
                    Class::Edge => {
                        let Some(Some((at, r))) = rastered.get(cand.part as usize) else {
                            continue;
                        };
                        let wide = r[2] - r[0] + 1;
                        let (x0, x1) = (r[0].max(cx * n), r[2].min(cx * n + n - 1));
                        let (y0, y1) = (r[1].max(cy * n), r[3].min(cy * n + n - 1));
                        for gy in y0..=y1 {
                            let row = at + (gy - r[1]) * wide;
                            for gx in x0..=x1 {
                                let state =
                                    states.get(row + gx - r[0]).copied().unwrap_or(Class::Edge);
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
            counts.clear();
            counts.resize(n * n + 1, 0);
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
            cands.clear();
            cands.resize(local.len(), blank);
            let mut cursor = counts.clone();
            for (f, cand) in &local {
                if let Some(k) = cursor.get_mut(*f as usize) {
                    if let Some(slot) = cands.get_mut(*k) {
                        *slot = *cand;
                    }
                    *k += 1;
                }
            }
            for (s, e) in counts.iter().zip(counts.iter().skip(1)) {
                g.push_cell(cands.get(*s..*e).unwrap_or_default())?;
            }
        }
        g.coarse.shrink_to_fit();
        g.cands.shrink_to_fit();
        Some(g)
    }

    /// Appends the slot of a cell with these candidates.
    fn push_cell(&mut self, cands: &[Cand]) -> Option<()> {
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

    /// The candidates of the cell holding the point (longitude normalized
    /// to [-180, 180], latitude in [-90, 90]).
    #[inline]
    pub(crate) fn hit(&self, lon: f64, lat: f64) -> Hit<'_> {
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
        let code = self.coarse.get(cy * self.w + cx).copied().unwrap_or(EMPTY);
        if code == EMPTY {
            return Hit::None;
        }
        let log2 = code >> SHIFT_BITS;
        let n = 1usize << log2;
        let fx = (((x - cx as f64) * n as f64) as usize).min(n - 1);
        let fy = (((y - cy as f64) * n as f64) as usize).min(n - 1);
        let i = (code & BASE_MASK) as usize + fy * n + fx;
        let slot = self.slots.get(i).copied().unwrap_or(0);
        match slot >> 62 {
            1 => Hit::Inside(slot as u32, (slot >> 32) as u16),
            2 => {
                let start = (slot as u32) as usize;
                let len = ((slot >> 32) & Slot::LEN_MASK) as usize;
                Hit::Cands(self.cands.get(start..start + len).unwrap_or_default())
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
