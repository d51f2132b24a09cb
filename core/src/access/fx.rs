//! A small, fast, deterministic hasher for the access indexes (the
//! multiply-rotate hash of Firefox and rustc, with a final avalanche step). Ids come from the host, not
//! from anonymous users, so resistance to crafted collisions is not needed;
//! the speed is: `check` does two id lookups.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            if let Some(dst) = w.get_mut(..rest.len()) {
                dst.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The multiply leaves the low bits (which pick the bucket) depending
    /// only on the low bytes of the input, and ids such as `u-000123` share
    /// those; a final mix spreads the high bits down.
    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// An id of at most 24 bytes stored inline, so a lookup compares three
/// words instead of following a pointer and calling `memcmp`.
#[derive(Clone, Copy)]
pub(crate) struct Inline {
    words: [u64; 3],
    len: u8,
}

/// Word by word in scalar registers: a key just built on the stack with
/// word stores, read back by a 16-byte vector compare, would stall on
/// store forwarding.
#[inline]
pub(crate) fn same_words(a: [u64; 3], b: [u64; 3]) -> bool {
    ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2])) == 0
}

/// The high and low halves of the full product, folded (as foldhash and
/// wyhash do): one multiply mixes every input bit into every output bit.
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The hash of an inline id: two folded multiplies, about half the latency
/// of three multiply-rotate rounds and a finalizer (the ids are looked up
/// three per `check`).
#[inline]
pub(crate) fn mix([a, b, c]: [u64; 3]) -> u64 {
    const K: [u64; 3] = [
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
    ];
    fold(fold(a ^ K[0], b ^ K[1]) ^ c, K[2])
}

impl Inline {
    /// Reads whole words straight from the string (a copy through a stack
    /// buffer stalls the loads that follow); the last partial word comes
    /// from one overlapping load of the string's last eight bytes, or, for
    /// strings shorter than a word, from two overlapping smaller loads.
    #[inline]
    pub(crate) fn new(s: &str) -> Option<Inline> {
        let b = s.as_bytes();
        let len = b.len();
        if len > 24 {
            return None;
        }
        // each word in a register (an array indexed by the length would
        // go through the stack, and a loop here becomes a call to memcpy)
        let word = |i: usize| b.get(i..i + 8).map(read_u64).unwrap_or(0);
        // the last partial word: the last eight bytes, shifted down
        let tail = || match len % 8 {
            0 => 0,
            rest => word(len - 8) >> (8 * (8 - rest)),
        };
        let words = match len {
            0..8 => [read_short(b), 0, 0],
            8..16 => [word(0), tail(), 0],
            16..24 => [word(0), word(8), tail()],
            _ => [word(0), word(8), word(16)],
        };
        Some(Inline {
            words,
            len: len as u8,
        })
    }

    /// The id's bytes as three zero-padded little-endian words.
    #[inline]
    pub(crate) fn words(&self) -> [u64; 3] {
        self.words
    }

    /// The id's length in bytes (at most 24).
    #[inline]
    pub(crate) fn len(&self) -> u8 {
        self.len
    }
}

/// Eight bytes as a little-endian word (zero when fewer).
#[inline]
pub(crate) fn read_u64(c: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    if let Some(src) = c.get(..8) {
        a.copy_from_slice(src);
    }
    u64::from_le_bytes(a)
}

/// A string of 0–7 bytes as a little-endian word, zero-padded.
#[inline]
fn read_short(b: &[u8]) -> u64 {
    let len = b.len();
    let at = |i: usize| u64::from(b.get(i).copied().unwrap_or(0));
    if len >= 4 {
        let mut lo = [0u8; 4];
        let mut hi = [0u8; 4];
        if let (Some(l), Some(h)) = (b.get(..4), b.get(len - 4..)) {
            lo.copy_from_slice(l);
            hi.copy_from_slice(h);
        }
        u64::from(u32::from_le_bytes(lo)) | (u64::from(u32::from_le_bytes(hi)) << (8 * (len - 4)))
    } else if len > 0 {
        // bytes 0, len/2 and len-1 cover all of a 1–3 byte string
        at(0) | (at(len / 2) << (8 * (len / 2))) | (at(len - 1) << (8 * (len - 1)))
    } else {
        0
    }
}

/// A map from ids (strings) to dense indexes: short ids inline in an
/// open-addressing table (one tag byte a slot beside the slots, linear
/// probing, at most 7/8 full), long ones boxed in a plain map. A lookup
/// hashes the id's words once and usually reads one tag and one slot.
///
/// Invariants: `tags` and `slots` have the same length, zero or a power of
/// two; a slot is empty iff its tag is `EMPTY`; every entry is reachable
/// from its home slot by probing over occupied slots (removal shifts the
/// entries after it back, so no tombstones).
#[derive(Clone, Default)]
pub(crate) struct IdMap {
    tags: Vec<u8>,
    slots: Vec<IdSlot>,
    short: usize,
    long: FxMap<Box<str>, u32>,
}

#[derive(Clone, Copy, Default)]
struct IdSlot {
    key: [u64; 3],
    value: u32,
    len: u8,
}

const EMPTY: u8 = 0;

/// A slot's tag: the hash's top byte, never `EMPTY`.
#[inline]
fn tag_of(h: u64) -> u8 {
    let t = (h >> 56) as u8;
    t | u8::from(t == EMPTY)
}

impl std::fmt::Debug for IdMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdMap({} ids)", self.len())
    }
}

impl IdMap {
    #[inline(always)]
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        match Inline::new(id) {
            Some(k) => self
                .find(&k)
                .and_then(|at| self.slots.get(at))
                .map(|s| s.value),
            None => self.get_long(id),
        }
    }

    /// An id too long to keep inline.
    #[cold]
    #[inline(never)]
    fn get_long(&self, id: &str) -> Option<u32> {
        self.long.get(id).copied()
    }

    /// The slot holding `k`.
    #[inline(always)]
    fn find(&self, k: &Inline) -> Option<usize> {
        let h = mix(k.words);
        let tag = tag_of(h);
        let mask = self.tags.len().wrapping_sub(1);
        let mut at = (h as usize) & mask;
        // at most a full turn: the load factor keeps empty slots
        for _ in 0..self.tags.len() {
            let t = *self.tags.get(at)?;
            if t == EMPTY {
                return None;
            }
            if t == tag
                && let Some(s) = self.slots.get(at)
                && same_words(s.key, k.words) & (s.len == k.len)
            {
                return Some(at);
            }
            at = (at + 1) & mask;
        }
        None
    }

    pub(crate) fn contains_key(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Inserts, returning the previous index.
    pub(crate) fn insert(&mut self, id: &str, ix: u32) -> Option<u32> {
        let Some(k) = Inline::new(id) else {
            return self.long.insert(id.into(), ix);
        };
        if let Some(s) = self.find(&k).and_then(|at| self.slots.get_mut(at)) {
            return Some(std::mem::replace(&mut s.value, ix));
        }
        self.reserve(1);
        self.place(IdSlot {
            key: k.words,
            value: ix,
            len: k.len,
        });
        self.short += 1;
        None
    }

    /// Puts an entry not in the table in the first empty slot from its
    /// home (there is one: the caller reserved room).
    fn place(&mut self, slot: IdSlot) {
        let h = mix(slot.key);
        let mask = self.tags.len().wrapping_sub(1);
        let mut at = (h as usize) & mask;
        for _ in 0..self.tags.len() {
            if let (Some(t), Some(s)) = (self.tags.get_mut(at), self.slots.get_mut(at))
                && *t == EMPTY
            {
                *t = tag_of(h);
                *s = slot;
                return;
            }
            at = (at + 1) & mask;
        }
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<u32> {
        let Some(k) = Inline::new(id) else {
            return self.long.remove(id);
        };
        let mut hole = self.find(&k)?;
        let value = self.slots.get(hole)?.value;
        self.short -= 1;
        // shift back each entry after the hole that may live there (its
        // home is not between the hole and it), until an empty slot
        let mask = self.tags.len().wrapping_sub(1);
        let mut at = (hole + 1) & mask;
        for _ in 0..self.tags.len() {
            let (Some(&t), Some(&s)) = (self.tags.get(at), self.slots.get(at)) else {
                break;
            };
            if t == EMPTY {
                break;
            }
            let home = (mix(s.key) as usize) & mask;
            if (at.wrapping_sub(home) & mask) >= (at.wrapping_sub(hole) & mask) {
                if let (Some(ht), Some(hs)) = (self.tags.get_mut(hole), self.slots.get_mut(hole)) {
                    *ht = t;
                    *hs = s;
                }
                hole = at;
            }
            at = (at + 1) & mask;
        }
        if let Some(t) = self.tags.get_mut(hole) {
            *t = EMPTY;
        }
        Some(value)
    }

    /// Makes room for `more` short ids at a load factor of at most 7/8,
    /// or 1/2 while the table would stay within 64 KiB (a small map, such
    /// as the capabilities', then finds most ids at the first probe).
    pub(crate) fn reserve(&mut self, more: usize) {
        let need = self.short + more;
        let roomy = |size: usize| size * std::mem::size_of::<IdSlot>() <= 64 << 10;
        let fits = |size: usize| {
            if roomy(size) {
                need * 2 <= size
            } else {
                need * 8 <= size * 7
            }
        };
        if fits(self.tags.len()) {
            return;
        }
        let mut size = (need * 8 / 7 + 1).next_power_of_two().max(8);
        if !fits(size) {
            size *= 2;
        }
        let old_tags = std::mem::replace(&mut self.tags, vec![EMPTY; size]);
        let old = std::mem::replace(&mut self.slots, vec![IdSlot::default(); size]);
        for (t, s) in old_tags.into_iter().zip(old) {
            if t != EMPTY {
                self.place(s);
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.short + self.long.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_keys_spread_over_buckets_and_tags() {
        let mut low = std::collections::HashSet::new();
        let mut top = std::collections::HashSet::new();
        let n = 100_000;
        for i in 0..n {
            let h = mix(Inline::new(&format!("u-{i:06}")).unwrap().words());
            low.insert(h & 0x1_ffff);
            top.insert(h >> 57);
        }
        // a random hash fills 131,072 * (1 - e^(-100,000/131,072)) ≈ 69,950
        // buckets; the plain multiply-rotate hash fills far fewer
        assert!(low.len() > 66_000, "{}", low.len());
        assert_eq!(top.len(), 128);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    /// The plain definition: the bytes, zero-padded, read as words.
    fn reference(s: &str) -> Option<([u64; 3], u8)> {
        if s.len() > 24 {
            return None;
        }
        let mut buf = [0u8; 24];
        buf[..s.len()].copy_from_slice(s.as_bytes());
        let w = |i: usize| u64::from_le_bytes(buf[i * 8..i * 8 + 8].try_into().unwrap());
        Some(([w(0), w(1), w(2)], s.len() as u8))
    }

    proptest! {
        /// The table answers as a `HashMap` through any inserts, removals
        /// and lookups (removal shifts entries back; nothing gets lost).
        #[test]
        fn the_id_map_is_a_map(
            ops in prop::collection::vec((0u8..3, "[a-d]{1,3}|[a-z0-9-]{20,30}", any::<u32>()), 0..400),
        ) {
            let mut m = IdMap::default();
            let mut reference = std::collections::HashMap::new();
            for (op, id, v) in &ops {
                match op {
                    0 => prop_assert_eq!(m.insert(id, *v), reference.insert(id.clone(), *v)),
                    1 => prop_assert_eq!(m.remove(id), reference.remove(id)),
                    _ => prop_assert_eq!(m.get(id), reference.get(id).copied()),
                }
                prop_assert_eq!(m.len(), reference.len());
            }
            for (id, v) in &reference {
                prop_assert_eq!(m.get(id), Some(*v));
            }
        }

        #[test]
        fn inline_keys_are_the_zero_padded_bytes(s in "[a-z0-9:_.-]{0,30}") {
            let got = Inline::new(&s).map(|k| (k.words(), k.len()));
            prop_assert_eq!(got, reference(&s));
        }
    }
}
