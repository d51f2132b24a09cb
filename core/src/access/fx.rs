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

impl PartialEq for Inline {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        same_words(self.words, other.words) & (self.len == other.len)
    }
}

impl Eq for Inline {}

impl std::hash::Hash for Inline {
    /// The three words only, mixed into one: ids never contain NUL (control
    /// characters are refused), so the zero padding already tells lengths
    /// apart, and equality compares `len` anyway.
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(mix(self.words));
    }
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

/// A hasher that passes on the one word [`Inline`] writes (already mixed).
#[derive(Default, Clone, Copy)]
pub(crate) struct PassHasher(u64);

impl Hasher for PassHasher {
    fn write(&mut self, bytes: &[u8]) {
        // only reached by keys other than `Inline`; mix them properly
        let mut h = FxHasher { hash: self.0 };
        h.write(bytes);
        self.0 = h.finish();
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 ^= i;
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
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
        let mut words = [0u64; 3];
        if len >= 8 {
            let full = len / 8;
            for (w, c) in words.iter_mut().zip(b.chunks_exact(8)) {
                *w = read_u64(c);
            }
            let rest = len % 8;
            if rest > 0
                && let (Some(tail), Some(w)) = (b.get(len - 8..), words.get_mut(full))
            {
                *w = read_u64(tail) >> (8 * (8 - rest));
            }
        } else {
            words[0] = read_short(b);
        }
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

#[inline]
fn read_u64(c: &[u8]) -> u64 {
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

/// A map from ids (strings) to dense indexes: short ids inline, long ones boxed.
#[derive(Clone, Default)]
pub(crate) struct IdMap {
    short: HashMap<Inline, u32, BuildHasherDefault<PassHasher>>,
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
        let b = BuildHasherDefault::<PassHasher>::default();
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
        #[test]
        fn inline_keys_are_the_zero_padded_bytes(s in "[a-z0-9:_.-]{0,30}") {
            let got = Inline::new(&s).map(|k| (k.words(), k.len()));
            prop_assert_eq!(got, reference(&s));
        }
    }
}
