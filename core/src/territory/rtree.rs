//! A static, packed R-tree (the flatbush layout): items sorted along a
//! Hilbert curve, grouped [`NODE_SIZE`] to a node, levels stored one after
//! the other in flat arrays. Built once; queries walk it with a fixed-size
//! stack, so they allocate nothing and touch few cache lines.
//!
//! Invariants: `boxes[..n]` are the items' boxes in Hilbert order and
//! `index[i]` is the item id for `i < n`; for a node at position `p` in
//! level `l > 0`, its children are `boxes[index[p] .. min(index[p] +
//! NODE_SIZE, level_end[l - 1])]` and its box is the union of theirs.

/// Children per node.
pub(crate) const NODE_SIZE: usize = 16;

/// Axis-aligned box `[min_x, min_y, max_x, max_y]`.
pub(crate) type BBox = [f64; 4];

#[derive(Debug, Clone, Default)]
pub(crate) struct PackedTree {
    boxes: Vec<BBox>,
    index: Vec<u32>,
    /// End position (exclusive) of each level in `boxes`, leaves first.
    level_end: Vec<usize>,
    /// For each node (position `n + i`), its children's boxes in f32,
    /// rounded outwards, one array per side: the search tests all of them
    /// at once without branches.
    blocks: Vec<Block>,
}

/// The children's boxes of one node, structure-of-arrays, padded with
/// empty boxes (min = +inf, max = -inf) that nothing intersects.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Block {
    min_x: [f32; NODE_SIZE],
    min_y: [f32; NODE_SIZE],
    max_x: [f32; NODE_SIZE],
    max_y: [f32; NODE_SIZE],
}

impl Block {
    fn new(kids: &[BBox]) -> Block {
        let mut b = Block {
            min_x: [f32::INFINITY; NODE_SIZE],
            min_y: [f32::INFINITY; NODE_SIZE],
            max_x: [f32::NEG_INFINITY; NODE_SIZE],
            max_y: [f32::NEG_INFINITY; NODE_SIZE],
        };
        for (i, k) in kids.iter().take(NODE_SIZE).enumerate() {
            if let (Some(a), Some(c), Some(d), Some(e)) = (
                b.min_x.get_mut(i),
                b.min_y.get_mut(i),
                b.max_x.get_mut(i),
                b.max_y.get_mut(i),
            ) {
                *a = down(k[0]);
                *c = down(k[1]);
                *d = up(k[2]);
                *e = up(k[3]);
            }
        }
        b
    }

    /// Bit `i` set when child `i`'s box meets `q` (already rounded: f32 is
    /// monotone, so a box that meets the exact query meets the rounded one).
    #[inline]
    fn mask(&self, q: [f32; 4]) -> u32 {
        let mut m = 0u32;
        let sides = self
            .min_x
            .iter()
            .zip(&self.min_y)
            .zip(&self.max_x)
            .zip(&self.max_y);
        for (i, (((&x0, &y0), &x1), &y1)) in sides.enumerate() {
            let hit = (x0 <= q[2]) & (q[0] <= x1) & (y0 <= q[3]) & (q[1] <= y1);
            m |= u32::from(hit) << i;
        }
        m
    }
}

/// The largest f32 not above `v`.
fn down(v: f64) -> f32 {
    let f = v as f32;
    if f64::from(f) > v { f.next_down() } else { f }
}

/// The smallest f32 not below `v`.
fn up(v: f64) -> f32 {
    let f = v as f32;
    if f64::from(f) < v { f.next_up() } else { f }
}

/// A node (or item) of the tree, for best-first walks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeRef {
    pos: usize,
    level: usize,
}

impl PackedTree {
    /// Builds the tree over item boxes; item ids are their positions.
    pub(crate) fn new(items: &[BBox]) -> PackedTree {
        let n = items.len();
        if n == 0 {
            return PackedTree::default();
        }
        let mut ext = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for b in items {
            ext = union(ext, *b);
        }
        let (w, h) = (
            (ext[2] - ext[0]).max(f64::MIN_POSITIVE),
            (ext[3] - ext[1]).max(f64::MIN_POSITIVE),
        );
        let mut order: Vec<(u32, u32)> = items
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let cx = ((b[0] + b[2]) / 2.0 - ext[0]) / w * 65535.0;
                let cy = ((b[1] + b[3]) / 2.0 - ext[1]) / h * 65535.0;
                (hilbert(cx as u32, cy as u32), i as u32)
            })
            .collect();
        order.sort_unstable();
        let mut boxes: Vec<BBox> = Vec::with_capacity(n + n / (NODE_SIZE - 1) + 2);
        let mut index: Vec<u32> = Vec::with_capacity(boxes.capacity());
        for &(_, i) in &order {
            boxes.push(items.get(i as usize).copied().unwrap_or(ext));
            index.push(i);
        }
        let mut level_end = vec![n];
        let mut start = 0;
        // At least one node above the items, so the root is never an item.
        while boxes.len() - start > 1 || level_end.len() == 1 {
            let end = boxes.len();
            let mut pos = start;
            while pos < end {
                let stop = (pos + NODE_SIZE).min(end);
                let b = boxes.get(pos..stop).unwrap_or_default().iter().fold(
                    [
                        f64::INFINITY,
                        f64::INFINITY,
                        f64::NEG_INFINITY,
                        f64::NEG_INFINITY,
                    ],
                    |a, b| union(a, *b),
                );
                boxes.push(b);
                index.push(pos as u32);
                pos = stop;
            }
            level_end.push(boxes.len());
            start = end;
        }
        let mut blocks = Vec::with_capacity(boxes.len().saturating_sub(n));
        for pos in n..boxes.len() {
            let level = level_end.iter().position(|&e| pos < e).unwrap_or(0);
            let lo = index.get(pos).copied().unwrap_or(0) as usize;
            let end = level_end.get(level.saturating_sub(1)).copied().unwrap_or(0);
            let kids = boxes.get(lo..(lo + NODE_SIZE).min(end)).unwrap_or_default();
            blocks.push(Block::new(kids));
        }
        PackedTree {
            boxes,
            index,
            level_end,
            blocks,
        }
    }

    /// The root, if the tree has items.
    pub(crate) fn root(&self) -> Option<NodeRef> {
        (!self.boxes.is_empty()).then(|| NodeRef {
            pos: self.boxes.len() - 1,
            level: self.level_end.len() - 1,
        })
    }

    /// The box of a node or item.
    pub(crate) fn bbox(&self, node: NodeRef) -> BBox {
        self.boxes.get(node.pos).copied().unwrap_or([0.0; 4])
    }

    /// The item id if `node` is an item (a leaf entry).
    pub(crate) fn item(&self, node: NodeRef) -> Option<u32> {
        if node.level == 0 {
            self.index.get(node.pos).copied()
        } else {
            None
        }
    }

    /// The children of a node (nothing for an item).
    pub(crate) fn children(&self, node: NodeRef) -> impl Iterator<Item = NodeRef> + '_ {
        let (lo, hi) = self.child_range(node);
        (lo..hi).map(move |pos| NodeRef {
            pos,
            level: node.level.saturating_sub(1),
        })
    }

    fn child_range(&self, node: NodeRef) -> (usize, usize) {
        if node.level == 0 {
            return (0, 0);
        }
        let lo = self.index.get(node.pos).copied().unwrap_or(0) as usize;
        let end = self.level_end.get(node.level - 1).copied().unwrap_or(0);
        (lo, (lo + NODE_SIZE).min(end))
    }

    /// Calls `f` with every item whose box intersects `q` (boundaries
    /// included), and possibly with a few whose box misses `q` by less than
    /// f32 rounding: callers test items exactly. `q` may be a point
    /// (`[x, y, x, y]`). Recursion depth is the tree's height (at most 9
    /// for 2^32 items).
    #[inline]
    pub(crate) fn search(&self, q: BBox, mut f: impl FnMut(u32)) {
        let Some(root) = self.root() else { return };
        let q32 = [q[0] as f32, q[1] as f32, q[2] as f32, q[3] as f32];
        self.walk(root.pos, root.level, q32, &mut f);
    }

    fn walk(&self, pos: usize, level: usize, q: [f32; 4], f: &mut impl FnMut(u32)) {
        let n = self.level_end.first().copied().unwrap_or(0);
        let Some(block) = self.blocks.get(pos.wrapping_sub(n)) else {
            return;
        };
        let lo = self.index.get(pos).copied().unwrap_or(0) as usize;
        let mut m = block.mask(q);
        while m != 0 {
            let k = m.trailing_zeros() as usize;
            m &= m - 1;
            if level == 1 {
                if let Some(&item) = self.index.get(lo + k) {
                    f(item);
                }
            } else {
                self.walk(lo + k, level - 1, q, f);
            }
        }
    }
}

#[cfg(test)]
fn intersects(a: BBox, b: BBox) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

fn union(a: BBox, b: BBox) -> BBox {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

/// Position along a Hilbert curve of a point on a 2^16 grid
/// (Fast Hilbert curve generation, rawrunprotected.org, as in flatbush).
fn hilbert(x: u32, y: u32) -> u32 {
    let (x, y) = (x.min(0xFFFF), y.min(0xFFFF));
    let mut a = x ^ y;
    let mut b = 0xFFFF ^ a;
    let mut c = 0xFFFF ^ (x | y);
    let mut d = x & (y ^ 0xFFFF);

    let mut aa = a | (b >> 1);
    let mut bb = (a >> 1) ^ a;
    let mut cc = ((c >> 1) ^ (b & (d >> 1))) ^ c;
    let mut dd = ((a & (c >> 1)) ^ (d >> 1)) ^ d;

    a = aa;
    b = bb;
    c = cc;
    d = dd;
    aa = (a & (a >> 2)) ^ (b & (b >> 2));
    bb = (a & (b >> 2)) ^ (b & ((a ^ b) >> 2));
    cc ^= (a & (c >> 2)) ^ (b & (d >> 2));
    dd ^= (b & (c >> 2)) ^ ((a ^ b) & (d >> 2));

    a = aa;
    b = bb;
    c = cc;
    d = dd;
    aa = (a & (a >> 4)) ^ (b & (b >> 4));
    bb = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4));
    cc ^= (a & (c >> 4)) ^ (b & (d >> 4));
    dd ^= (b & (c >> 4)) ^ ((a ^ b) & (d >> 4));

    a = aa;
    b = bb;
    c = cc;
    d = dd;
    cc ^= (a & (c >> 8)) ^ (b & (d >> 8));
    dd ^= (b & (c >> 8)) ^ ((a ^ b) & (d >> 8));

    a = cc ^ (cc >> 1);
    b = dd ^ (dd >> 1);

    let mut i0 = x ^ y;
    let mut i1 = b | (0xFFFF ^ (i0 | a));

    i0 = (i0 | (i0 << 8)) & 0x00FF_00FF;
    i0 = (i0 | (i0 << 4)) & 0x0F0F_0F0F;
    i0 = (i0 | (i0 << 2)) & 0x3333_3333;
    i0 = (i0 | (i0 << 1)) & 0x5555_5555;

    i1 = (i1 | (i1 << 8)) & 0x00FF_00FF;
    i1 = (i1 | (i1 << 4)) & 0x0F0F_0F0F;
    i1 = (i1 | (i1 << 2)) & 0x3333_3333;
    i1 = (i1 | (i1 << 1)) & 0x5555_5555;

    (i1 << 1) | i0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_matches_a_scan() {
        let mut boxes = Vec::new();
        let mut s = 1u64;
        let mut r = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..1000 {
            let (x, y) = (r() * 100.0, r() * 50.0);
            boxes.push([x, y, x + r() * 5.0, y + r() * 5.0]);
        }
        let tree = PackedTree::new(&boxes);
        for _ in 0..500 {
            let (x, y) = (r() * 100.0, r() * 50.0);
            let q = [x, y, x + r(), y];
            let mut got = Vec::new();
            tree.search(q, |i| got.push(i));
            got.sort();
            let want: Vec<u32> = (0..boxes.len() as u32)
                .filter(|&i| intersects(boxes[i as usize], q))
                .collect();
            assert_eq!(got, want);
        }
        // a box edge counts
        let mut got = Vec::new();
        tree.search([boxes[7][2], boxes[7][3], boxes[7][2], boxes[7][3]], |i| {
            got.push(i)
        });
        assert!(got.contains(&7));
        assert!(PackedTree::new(&[]).root().is_none());
        let one = PackedTree::new(&[[0.0, 0.0, 1.0, 1.0]]);
        let mut got = Vec::new();
        one.search([0.5, 0.5, 0.5, 0.5], |i| got.push(i));
        assert_eq!(got, [0]);
    }
}
