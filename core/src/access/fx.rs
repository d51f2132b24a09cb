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
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Inline {
    words: [u64; 3],
    len: u8,
}

impl std::hash::Hash for Inline {
    /// The three words only: ids never contain NUL (control characters are
    /// refused), so the zero padding already tells lengths apart, and
    /// equality compares `len` anyway.
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        let [a, b, c] = self.words;
        state.write_u64(a);
        state.write_u64(b);
        state.write_u64(c);
    }
}

impl Inline {
    /// Reads whole words straight from the string (a copy through a stack
    /// buffer stalls the loads that follow), the tail byte by byte.
    #[inline]
    fn new(s: &str) -> Option<Inline> {
        let b = s.as_bytes();
        if b.len() > 24 {
            return None;
        }
        let mut words = [0u64; 3];
        let mut chunks = b.chunks_exact(8);
        for (w, c) in words.iter_mut().zip(&mut chunks) {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            *w = u64::from_le_bytes(a);
        }
        let full = b.len() / 8;
        if let Some(w) = words.get_mut(full) {
            for (i, &byte) in chunks.remainder().iter().enumerate() {
                *w |= u64::from(byte) << (8 * i);
            }
        }
        Some(Inline {
            words,
            len: b.len() as u8,
        })
    }
}

/// A map from ids (strings) to dense indexes: short ids inline, long ones boxed.
#[derive(Clone, Default)]
pub(crate) struct IdMap {
    short: FxMap<Inline, u32>,
    long: FxMap<Box<str>, u32>,
}

impl std::fmt::Debug for IdMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdMap({} ids)", self.len())
    }
}

impl IdMap {
    #[inline]
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        match Inline::new(id) {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(id).copied(),
        }
    }

    pub(crate) fn contains_key(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Inserts, returning the previous index.
    pub(crate) fn insert(&mut self, id: &str, ix: u32) -> Option<u32> {
        match Inline::new(id) {
            Some(k) => self.short.insert(k, ix),
            None => self.long.insert(id.into(), ix),
        }
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<u32> {
        match Inline::new(id) {
            Some(k) => self.short.remove(&k),
            None => self.long.remove(id),
        }
    }

    pub(crate) fn reserve(&mut self, n: usize) {
        self.short.reserve(n);
    }

    pub(crate) fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn inline_keys_spread_over_buckets_and_tags() {
        let b = BuildHasherDefault::<FxHasher>::default();
        let mut low = std::collections::HashSet::new();
        let mut top = std::collections::HashSet::new();
        let n = 100_000;
        for i in 0..n {
            let k = Inline::new(&format!("u-{i:06}")).unwrap();
            let h = b.hash_one(k);
            low.insert(h & 0x1_ffff);
            top.insert(h >> 57);
        }
        // a random hash fills 131,072 * (1 - e^(-100,000/131,072)) ≈ 69,950
        // buckets; the plain multiply-rotate hash fills far fewer
        assert!(low.len() > 66_000, "{}", low.len());
        assert_eq!(top.len(), 128);
    }
}
