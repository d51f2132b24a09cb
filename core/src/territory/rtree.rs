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
/// Enough stack for a depth-first walk: at most `NODE_SIZE` entries per
/// level, and 2^32 items need fewer than 9 levels of 16.
const STACK: usize = NODE_SIZE * 10;

/// Axis-aligned box `[min_x, min_y, max_x, max_y]`.
pub(crate) type BBox = [f64; 4];

#[derive(Debug, Clone, Default)]
pub(crate) struct PackedTree {
    boxes: Vec<BBox>,
    index: Vec<u32>,
    /// End position (exclusive) of each level in `boxes`, leaves first.
    level_end: Vec<usize>,
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
        PackedTree {
            boxes,
            index,
            level_end,
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
    /// included). `q` may be a point (`[x, y, x, y]`).
    #[inline]
    pub(crate) fn search(&self, q: BBox, mut f: impl FnMut(u32)) {
        let Some(root) = self.root() else { return };
        if !intersects(self.bbox(root), q) {
            return;
        }
        let mut stack = [(0usize, 0usize); STACK];
        if let Some(first) = stack.first_mut() {
            *first = (root.pos, root.level);
        }
        let mut top = 1;
        while top > 0 {
            top -= 1;
            let Some(&(pos, level)) = stack.get(top) else {
                break;
            };
            let (lo, hi) = self.child_range(NodeRef { pos, level });
            let Some(kids) = self.boxes.get(lo..hi) else {
                continue;
            };
            for (k, b) in kids.iter().enumerate() {
                if !intersects(*b, q) {
                    continue;
                }
                let child = lo + k;
                if level == 1 {
                    if let Some(&item) = self.index.get(child) {
                        f(item);
                    }
                } else if let Some(slot) = stack.get_mut(top) {
                    *slot = (child, level - 1);
                    top += 1;
                }
            }
        }
    }
}

#[inline]
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
