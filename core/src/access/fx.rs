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
/// three per `check`). (One multiply for ids of up to eight bytes left
/// node ids such as `ch-0123` in clusters: 13% of them eight or more
/// slots from home, against 2%.)
#[inline]
pub(crate) fn mix([a, b, c]: [u64; 3]) -> u64 {
    fold(fold(a ^ K[0], b ^ K[1]) ^ c, K[2])
}

const K: [u64; 3] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
];

/// The hash of one word (an id of up to eight bytes): one folded
/// multiply, half the wait of [`mix`] (the people's lookup waits on it
/// before the tag and the card it reads). The product's high half holds
/// every input bit, its low half the low bytes, so both ends of the
/// hash (the slot and the tag) spread (tested on the bench's ids).
#[inline]
pub(crate) fn mix_word(a: u64) -> u64 {
    fold(a ^ K[0], K[1])
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
        let word = |i: usize| {
            b.get(i..)
                .and_then(<[u8]>::first_chunk::<8>)
                .map_or(0, |w| u64::from_le_bytes(*w))
        };
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

/// An id of at most eight bytes as [`Inline::new`] reads it: its first
/// word (the others are zero). `None` for a longer id.
#[inline(always)]
pub(crate) fn short_word(b: &[u8]) -> Option<u64> {
    match b.len() {
        0..8 => Some(read_short(b)),
        8 => b.first_chunk::<8>().map(|w| u64::from_le_bytes(*w)),
        _ => None,
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

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is below `n` (`n` at most 128),
/// and perhaps of some bytes above one that is: exact for the lowest, and
/// none at all when no byte is (a borrow starts only at such a byte).
#[inline(always)]
pub(crate) fn below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS
}

/// The high bit of every byte of `w` equal to `c` (as [`below`]: exact
/// for the lowest).
#[inline(always)]
pub(crate) fn bytes_equal(w: u64, c: u8) -> u64 {
    below(w ^ (ONES * u64::from(c)), 1)
}

/// The tag of an empty slot.
pub(crate) const EMPTY: u8 = 0;

/// A slot's tag: the hash's top seven bits under a set high bit, so never
/// `EMPTY`, and the empty slots of a word of tags are the bytes whose high
/// bit is clear.
#[inline(always)]
pub(crate) fn tag_of(h: u64) -> u8 {
    ((h >> 57) as u8) | 0x80
}

/// The high bit of each empty slot's byte in a word of tags (exact).
#[inline(always)]
fn empties(w: u64) -> u64 {
    !w & HIGHS
}

/// The tag bytes of an open-addressing table with linear probing, one a
/// slot: the probe loop of every table of ids (the tables keep their
/// entries beside, in slots of their own shape).
///
/// A lookup ([`Tags::find`]) reads the tags one by one, so the key's slot
/// is read, on a guess, while its tag loads; an insert
/// ([`Tags::find_or_empty`], [`Tags::first_empty`]) reads them eight at a
/// time, as one word, its matches tried in order.
///
/// Invariants: the number of slots is zero or a power of two; `bytes`
/// holds the slots' tags, then (when there are slots) a copy of the first
/// `GROUP - 1` of them (the last word read from a slot near the end wraps
/// around); there are `GROUP` slots or more.
#[derive(Clone, Default)]
pub(crate) struct Tags {
    bytes: Vec<u8>,
    /// The number of slots minus one (0 when there are none).
    mask: usize,
}

/// The tags read at a time.
const GROUP: usize = 8;

impl std::fmt::Debug for Tags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tags({} slots)", self.size())
    }
}

impl Tags {
    /// `size` empty slots (rounded up to a power of two, and at least
    /// `GROUP`, so a word of tags never wraps around more than once).
    pub(crate) fn new(size: usize) -> Tags {
        let size = size.next_power_of_two().max(GROUP);
        Tags {
            bytes: vec![EMPTY; size + GROUP - 1],
            mask: size - 1,
        }
    }

    /// The number of slots.
    #[inline(always)]
    pub(crate) fn size(&self) -> usize {
        if self.bytes.is_empty() {
            0
        } else {
            self.mask + 1
        }
    }

    /// Slot `i`'s tag (`EMPTY` past the end).
    #[inline]
    pub(crate) fn get(&self, i: usize) -> u8 {
        if i >= self.size() {
            return EMPTY;
        }
        self.bytes.get(i).copied().unwrap_or(EMPTY)
    }

    /// Sets slot `i`'s tag (and its copy past the end).
    #[inline]
    pub(crate) fn set(&mut self, i: usize, tag: u8) {
        let size = self.size();
        if i >= size {
            return;
        }
        if let Some(t) = self.bytes.get_mut(i) {
            *t = tag;
        }
        if i < GROUP - 1
            && let Some(t) = self.bytes.get_mut(size + i)
        {
            *t = tag;
        }
    }

    /// The tags of slots `at` to `at + 7` (wrapping around), as a word.
    #[inline(always)]
    fn group(&self, at: usize) -> u64 {
        match self.bytes.get(at..).and_then(<[u8]>::first_chunk::<GROUP>) {
            Some(w) => u64::from_le_bytes(*w),
            None => 0,
        }
    }

    /// The first slot of the eight from `h`'s home that holds `h`'s tag
    /// (perhaps past an empty one), chosen without a branch on the tags:
    /// the first guess of a lookup whose keys come at random. Where the
    /// key sits in that slot (nearly always: another key with the same
    /// tag comes first in one probe of 128 a slot), the lookup takes no
    /// branch that depends on where its key sits, where probing slot by
    /// slot ([`Tags::find_map`]) branches on each tag and, a random key
    /// being at its home slot about half the time, mispredicts about one
    /// lookup in two. The slot waits for the word of tags, though, so a
    /// lookup repeated until the predictor knows it is slower this way.
    #[inline(always)]
    pub(crate) fn first_tagged(&self, h: u64) -> Option<usize> {
        let home = (h as usize) & self.mask;
        let m = bytes_equal(self.group(home), tag_of(h));
        if m == 0 {
            return None;
        }
        Some((home + (m.trailing_zeros() / 8) as usize) & self.mask)
    }

    /// The slot, among those holding `h`'s tag from its home slot up to
    /// the first empty one, for which `is` holds (`is` holds for at most
    /// one slot of the table: the one holding the key sought).
    ///
    /// Slot by slot, where [`Tags::find_or_empty`] reads a word of tags:
    /// the processor guesses the home slot's tag matches and reads the
    /// key's slot (from the hash alone) while the tag loads, where a slot
    /// chosen from the word's matches waits for the tags first. Measured
    /// on random and repeated checks, this is the faster of the two,
    /// though callgrind's simple branch predictor counts its loop's exit
    /// as mispredicted more often. The lookups of `check` try the slot
    /// [`Tags::first_tagged`] gives before this loop (see there).
    #[inline(always)]
    pub(crate) fn find(&self, h: u64, mut is: impl FnMut(usize) -> bool) -> Option<usize> {
        self.find_map(h, |at| is(at).then_some(at))
    }

    /// [`Tags::find`] giving what `found` gives for the slot sought (the
    /// slot's entry, read once where the slot's index would be checked
    /// against its table again).
    #[inline(always)]
    pub(crate) fn find_map<T>(
        &self,
        h: u64,
        mut found: impl FnMut(usize) -> Option<T>,
    ) -> Option<T> {
        let tag = tag_of(h);
        let mask = self.mask;
        let home = (h as usize) & mask;
        // the tags from home to the end and the copies past it, walked
        // as a slice (no bound to check a step); nearly every probe ends
        // there
        let run = self.bytes.get(home..).unwrap_or_default();
        for (i, &t) in run.iter().enumerate() {
            if t == tag
                && let Some(v) = found((home + i) & mask)
            {
                return Some(v);
            }
            if t == EMPTY {
                return None;
            }
        }
        let mut at = (home + run.len()) & mask;
        // then at most a full turn; none for a table of no slots
        for _ in 0..self.bytes.len() {
            let t = self.bytes.get(at).copied().unwrap_or(EMPTY);
            if t == tag
                && let Some(v) = found(at)
            {
                return Some(v);
            }
            if t == EMPTY {
                return None;
            }
            at = (at + 1) & mask;
        }
        None
    }

    /// [`Tags::find`], or else the empty slot where the probe ended (where
    /// an entry with hash `h` goes), in one probe.
    #[inline(always)]
    pub(crate) fn find_or_empty(
        &self,
        h: u64,
        mut is: impl FnMut(usize) -> bool,
    ) -> Option<Result<usize, usize>> {
        let tag = tag_of(h);
        let mask = self.mask;
        let mut at = (h as usize) & mask;
        // at most a full turn (more than one: one a slot is a cheaper
        // bound to keep, and the load factor keeps empty slots anyway);
        // none for a table of no slots
        for _ in 0..self.bytes.len() {
            let w = self.group(at);
            let mut m = bytes_equal(w, tag);
            while m != 0 {
                let i = (at + (m.trailing_zeros() / 8) as usize) & mask;
                if is(i) {
                    return Some(Ok(i));
                }
                m &= m - 1;
            }
            // the key, if here, lies before the first empty slot (keys
            // are unique, so a match past it was never the key)
            let empty = empties(w);
            if empty != 0 {
                return Some(Err((at + (empty.trailing_zeros() / 8) as usize) & mask));
            }
            at = (at + GROUP) & mask;
        }
        None
    }

    /// The first empty slot from `h`'s home slot on.
    #[inline]
    pub(crate) fn first_empty(&self, h: u64) -> Option<usize> {
        let mask = self.mask;
        let mut at = (h as usize) & mask;
        for _ in 0..self.bytes.len() {
            let empty = empties(self.group(at));
            if empty != 0 {
                return Some((at + (empty.trailing_zeros() / 8) as usize) & mask);
            }
            at = (at + GROUP) & mask;
        }
        None
    }
}

/// A map from ids (strings) to dense indexes: ids of up to 11 bytes with
/// their index in a 16-byte slot, ids of 12 to 23 bytes in a 32-byte one,
/// longer ones boxed in a plain map. A lookup hashes the id's words once
/// and usually reads one tag and one slot.
///
/// The narrow slots keep the node map of 5,051 nodes in 128 KiB, where
/// slots of three words, a value and a length took 256 KiB: it stays in
/// L2 beside the people's cards that stream through on random checks.
#[derive(Clone, Default)]
pub(crate) struct IdMap {
    narrow: Table<Narrow>,
    wide: Table<Wide>,
    long: FxMap<Box<str>, u32>,
}

/// A slot of a [`Table`]: a key and its value.
trait Slot: Copy + Default {
    type Key: Copy;
    /// The key of an inline id (one that fits this kind of slot).
    fn key(k: &Inline) -> Self::Key;
    fn hash(key: &Self::Key) -> u64;
    fn new(key: Self::Key, value: u32) -> Self;
    fn key_of(&self) -> Self::Key;
    fn holds(&self, key: &Self::Key) -> bool;
    fn value(&self) -> u32;
    fn set_value(&mut self, value: u32);
}

/// An id of at most 11 bytes and its value: the id's first eight bytes,
/// then its other three, its length and the value, zero-padded.
#[derive(Clone, Copy, Default)]
struct Narrow([u64; 2]);

/// The longest id in a [`Narrow`] slot.
const NARROW: u8 = 11;

impl Slot for Narrow {
    /// The id's first word, then its next three bytes and its length
    /// (in the fourth byte).
    type Key = (u64, u32);

    #[inline(always)]
    fn key(k: &Inline) -> (u64, u32) {
        (
            k.words[0],
            (k.words[1] as u32 & 0x00ff_ffff) | (u32::from(k.len) << 24),
        )
    }

    #[inline(always)]
    fn hash(&(a, b): &(u64, u32)) -> u64 {
        mix([a, u64::from(b), 0])
    }

    #[inline(always)]
    fn new((a, b): (u64, u32), value: u32) -> Narrow {
        Narrow([a, u64::from(b) | (u64::from(value) << 32)])
    }

    #[inline(always)]
    fn key_of(&self) -> (u64, u32) {
        (self.0[0], self.0[1] as u32)
    }

    #[inline(always)]
    fn holds(&self, &(a, b): &(u64, u32)) -> bool {
        ((self.0[0] ^ a) | ((self.0[1] as u32 ^ b) as u64)) == 0
    }

    #[inline(always)]
    fn value(&self) -> u32 {
        (self.0[1] >> 32) as u32
    }

    #[inline(always)]
    fn set_value(&mut self, value: u32) {
        self.0[1] = (self.0[1] & 0xffff_ffff) | (u64::from(value) << 32);
    }
}

/// An id of at most 23 bytes (its bytes zero-padded, its length in the
/// top byte of the last word) and its value.
#[derive(Clone, Copy, Default)]
struct Wide {
    key: [u64; 3],
    value: u32,
}

/// The longest id kept inline.
const WIDE: u8 = 23;

impl Slot for Wide {
    type Key = [u64; 3];

    #[inline(always)]
    fn key(k: &Inline) -> [u64; 3] {
        let [a, b, c] = k.words;
        [a, b, c | (u64::from(k.len) << 56)]
    }

    #[inline(always)]
    fn hash(key: &[u64; 3]) -> u64 {
        mix(*key)
    }

    #[inline(always)]
    fn new(key: [u64; 3], value: u32) -> Wide {
        Wide { key, value }
    }

    #[inline(always)]
    fn key_of(&self) -> [u64; 3] {
        self.key
    }

    #[inline(always)]
    fn holds(&self, key: &[u64; 3]) -> bool {
        same_words(self.key, *key)
    }

    #[inline(always)]
    fn value(&self) -> u32 {
        self.value
    }

    #[inline(always)]
    fn set_value(&mut self, value: u32) {
        self.value = value;
    }
}

/// Open-addressing slots (one tag byte a slot beside, linear probing, at
/// most 7/8 full).
///
/// Invariants: `slots` has `tags.size()` slots, zero or a power of two; a
/// slot is empty iff its tag is `EMPTY`; every entry is reachable from
/// its home slot by probing over occupied slots (removal shifts the
/// entries after it back, so no tombstones); `len` counts the occupied
/// slots.
#[derive(Clone, Default)]
struct Table<S> {
    tags: Tags,
    slots: Vec<S>,
    len: usize,
}

impl<S: Slot> Table<S> {
    /// The slot holding `key`.
    #[inline(always)]
    fn find(&self, key: &S::Key) -> Option<usize> {
        self.tags.find(S::hash(key), |at| {
            self.slots.get(at).is_some_and(|s| s.holds(key))
        })
    }

    /// The value of `key`: first at [`Tags::first_tagged`], else probing
    /// slot by slot.
    #[inline(always)]
    fn get(&self, key: &S::Key) -> Option<u32> {
        let h = S::hash(key);
        if let Some(s) = self.tags.first_tagged(h).and_then(|at| self.slots.get(at))
            && s.holds(key)
        {
            return Some(s.value());
        }
        self.tags.find_map(h, |at| {
            self.slots.get(at).filter(|s| s.holds(key)).map(S::value)
        })
    }

    fn insert(&mut self, key: S::Key, ix: u32) -> Option<u32> {
        // room first, so the empty slot found stays where the id goes
        self.reserve(1);
        let h = S::hash(&key);
        let slots = &self.slots;
        let probe = self
            .tags
            .find_or_empty(h, |at| slots.get(at).is_some_and(|s| s.holds(&key)));
        match probe? {
            Ok(at) => self.slots.get_mut(at).map(|s| {
                let old = s.value();
                s.set_value(ix);
                old
            }),
            Err(at) => {
                if let Some(s) = self.slots.get_mut(at) {
                    *s = S::new(key, ix);
                    self.tags.set(at, tag_of(h));
                    self.len += 1;
                }
                None
            }
        }
    }

    /// Puts an entry not in the table in the first empty slot from its
    /// home (there is one: the caller reserved room).
    fn place(&mut self, slot: S) {
        let h = S::hash(&slot.key_of());
        if let Some(at) = self.tags.first_empty(h)
            && let Some(s) = self.slots.get_mut(at)
        {
            *s = slot;
            self.tags.set(at, tag_of(h));
        }
    }

    fn remove(&mut self, key: &S::Key) -> Option<u32> {
        let mut hole = self.find(key)?;
        let value = self.slots.get(hole)?.value();
        self.len -= 1;
        // shift back each entry after the hole that may live there (its
        // home is not between the hole and it), until an empty slot
        let mask = self.tags.size().wrapping_sub(1);
        let mut at = (hole + 1) & mask;
        for _ in 0..self.tags.size() {
            let t = self.tags.get(at);
            let Some(&s) = self.slots.get(at) else {
                break;
            };
            if t == EMPTY {
                break;
            }
            let home = (S::hash(&s.key_of()) as usize) & mask;
            if (at.wrapping_sub(home) & mask) >= (at.wrapping_sub(hole) & mask) {
                if let Some(hs) = self.slots.get_mut(hole) {
                    *hs = s;
                }
                self.tags.set(hole, t);
                hole = at;
            }
            at = (at + 1) & mask;
        }
        self.tags.set(hole, EMPTY);
        Some(value)
    }

    /// Makes room for `more` keys at a load factor of at most 7/8, or 1/2
    /// while the table would stay within 64 KiB (a small map, such as the
    /// roles', then finds most ids at the first probe).
    fn reserve(&mut self, more: usize) {
        let need = self.len + more;
        let roomy = |size: usize| size * std::mem::size_of::<S>() <= 64 << 10;
        let fits = |size: usize| {
            if roomy(size) {
                need * 2 <= size
            } else {
                need * 8 <= size * 7
            }
        };
        if fits(self.tags.size()) {
            return;
        }
        let mut size = (need * 8 / 7 + 1).next_power_of_two().max(8);
        if !fits(size) {
            size *= 2;
        }
        let old_tags = std::mem::replace(&mut self.tags, Tags::new(size));
        let old = std::mem::replace(&mut self.slots, vec![S::default(); self.tags.size()]);
        for (i, s) in old.into_iter().enumerate() {
            if old_tags.get(i) != EMPTY {
                self.place(s);
            }
        }
    }
}

impl std::fmt::Debug for IdMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdMap({} ids)", self.len())
    }
}

impl IdMap {
    #[inline(always)]
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        // an id of up to eight bytes (the usual node id) read as one word,
        // its key `Narrow::key` of it with the other words known zero
        if let Some(w) = short_word(id.as_bytes()) {
            return self.narrow.get(&(w, (id.len() as u32) << 24));
        }
        self.get_longer(id)
    }

    /// An id of nine bytes or more (out of line, so the usual lookup
    /// holds fewer values where it is inlined).
    #[inline(never)]
    fn get_longer(&self, id: &str) -> Option<u32> {
        match Inline::new(id) {
            Some(k) if k.len <= NARROW => self.narrow.get(&Narrow::key(&k)),
            _ => self.get_wide(id),
        }
    }

    /// An id of 12 bytes or more.
    #[cold]
    #[inline(never)]
    fn get_wide(&self, id: &str) -> Option<u32> {
        match Inline::new(id) {
            Some(k) if k.len <= WIDE => self.wide.get(&Wide::key(&k)),
            _ => self.long.get(id).copied(),
        }
    }

    pub(crate) fn contains_key(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Inserts, returning the previous index; one probe finds the id or
    /// the empty slot where it goes.
    pub(crate) fn insert(&mut self, id: &str, ix: u32) -> Option<u32> {
        match Inline::new(id) {
            Some(k) if k.len <= NARROW => self.narrow.insert(Narrow::key(&k), ix),
            Some(k) if k.len <= WIDE => self.wide.insert(Wide::key(&k), ix),
            _ => self.long.insert(id.into(), ix),
        }
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<u32> {
        match Inline::new(id) {
            Some(k) if k.len <= NARROW => self.narrow.remove(&Narrow::key(&k)),
            Some(k) if k.len <= WIDE => self.wide.remove(&Wide::key(&k)),
            _ => self.long.remove(id),
        }
    }

    /// Makes room for `more` ids of up to 11 bytes (the usual kind; the
    /// others' tables grow as they come).
    pub(crate) fn reserve(&mut self, more: usize) {
        self.narrow.reserve(more);
    }

    pub(crate) fn len(&self) -> usize {
        self.narrow.len + self.wide.len + self.long.len()
    }
}

/// A fixed set of names, each found with one slot read and no probe loop:
/// the policy's capabilities (a few dozen), which `check` looks up by
/// name. A name of 8 to 24 bytes is read as three overlapping words (its
/// first, middle and last eight bytes cover it whole, without a branch on
/// its length) and placed by a multiply-shift hash whose multiplier is
/// chosen, when the table is built, so that no two names share a slot.
/// Other names, or all of them when no multiplier is found, go through an
/// [`IdMap`].
///
/// Invariants: `slots` is empty or has `1 << (64 - shift)` slots; each
/// name of 8 to 24 bytes is in its slot (and not in `rest`) when `slots`
/// is not empty, in `rest` otherwise; an empty slot has `len` 0.
#[derive(Clone, Default)]
pub(crate) struct Names {
    slots: Vec<NameSlot>,
    seed: u64,
    shift: u32,
    rest: IdMap,
}

#[derive(Clone, Copy, Default)]
struct NameSlot {
    key: [u64; 3],
    len: u32,
    value: u32,
}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Names({} slots, {} others)",
            self.slots.len(),
            self.rest.len()
        )
    }
}

/// The first, middle and last eight bytes of a name of 8 to 24 bytes,
/// which together hold all of it.
#[inline(always)]
pub(crate) fn windows(b: &[u8]) -> Option<[u64; 3]> {
    let len = b.len();
    if !(8..=24).contains(&len) {
        return None;
    }
    let mid = len / 2 - 4;
    let word = |w: &[u8; 8]| u64::from_le_bytes(*w);
    Some([
        word(b.first_chunk()?),
        word(b.get(mid..)?.first_chunk()?),
        word(b.last_chunk()?),
    ])
}

/// The slot of a name's windows for a multiplier: the top bits of one
/// product.
#[inline(always)]
fn name_slot([a, m, z]: [u64; 3], len: usize, seed: u64, shift: u32) -> usize {
    let x = a ^ m.rotate_left(21) ^ z.rotate_left(42) ^ (len as u64);
    (x.wrapping_mul(seed) >> shift) as usize
}

impl Names {
    /// The table of these names and their values (each name once).
    pub(crate) fn new<'a>(names: impl IntoIterator<Item = (&'a str, u32)>) -> Names {
        Names::with_tries(names, 64)
    }

    /// [`Names::new`], trying `tries` multipliers at each table size.
    fn with_tries<'a>(names: impl IntoIterator<Item = (&'a str, u32)>, tries: u64) -> Names {
        let mut t = Names::default();
        let mut keyed = Vec::new();
        for (name, value) in names {
            match windows(name.as_bytes()) {
                Some(key) => keyed.push((key, name.len(), value)),
                None => {
                    t.rest.insert(name, value);
                }
            }
        }
        if keyed.is_empty() {
            return t;
        }
        // 8 slots a name, then twice and four times that; a random
        // multiplier leaves no two names in a slot with probability
        // about e^(-n/16) at the first size, so a few dozen tries do
        let first = (keyed.len() * 8).next_power_of_two().trailing_zeros();
        for bits in first..first + 3 {
            let shift = 64 - bits;
            for k in 0..tries {
                let seed = 0x9e37_79b9_7f4a_7c15_u64
                    .wrapping_add(k.wrapping_mul(0xd1b5_4a32_d192_ed03))
                    | 1;
                let mut slots = vec![NameSlot::default(); 1 << bits];
                let placed = keyed.iter().all(|&(key, len, value)| {
                    match slots.get_mut(name_slot(key, len, seed, shift)) {
                        Some(s) if s.len == 0 => {
                            *s = NameSlot {
                                key,
                                len: len as u32,
                                value,
                            };
                            true
                        }
                        _ => false,
                    }
                });
                if placed {
                    t.slots = slots;
                    t.seed = seed;
                    t.shift = shift;
                    return t;
                }
            }
        }
        // no multiplier separates them: every name through the map
        for (key, len, value) in keyed {
            let mut bytes = [0u8; 24];
            for (i, w) in [(0, key[0]), (len / 2 - 4, key[1]), (len - 8, key[2])] {
                if let Some(d) = bytes.get_mut(i..i + 8) {
                    d.copy_from_slice(&w.to_le_bytes());
                }
            }
            if let Some(name) = bytes.get(..len).and_then(|b| std::str::from_utf8(b).ok()) {
                t.rest.insert(name, value);
            }
        }
        t
    }

    /// The value of `name`.
    #[inline(always)]
    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        // (no slots when no multiplier was found: every slot is in the
        // table when there are some)
        let slot = windows(name.as_bytes()).and_then(|key| {
            Some((
                key,
                self.slots
                    .get(name_slot(key, name.len(), self.seed, self.shift))?,
            ))
        });
        match slot {
            Some((key, s)) => {
                (same_words(s.key, key) & (s.len as usize == name.len())).then_some(s.value)
            }
            None => self.get_rest(name),
        }
    }

    /// A name of another length, or any name when no multiplier was found.
    #[cold]
    #[inline(never)]
    fn get_rest(&self, name: &str) -> Option<u32> {
        self.rest.get(name)
    }

    /// Whether every name of 8 to 24 bytes is found in one slot read.
    #[cfg(test)]
    pub(crate) fn is_direct(&self) -> bool {
        !self.slots.is_empty()
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

    /// Ids of up to eight bytes in common shapes (sequential, prefixed,
    /// hex, suffixed) fill the slots and the tags as a random hash would.
    #[test]
    fn one_word_keys_spread_over_buckets_and_tags() {
        for id in [
            |i: u32| format!("u-{i:06}"),
            |i: u32| format!("p{i}"),
            |i: u32| format!("{i:08}"),
            |i: u32| format!("g-{i:06}"),
            |i: u32| format!("ch-{i:05}"),
            |i: u32| format!("{i:08x}"),
            |i: u32| format!("{i:x}"),
            |i: u32| format!("m{}", i * 7 + 3),
            |i: u32| format!("{i:06}-x"),
        ] {
            let mut low = std::collections::HashSet::new();
            let mut top = std::collections::HashSet::new();
            for i in 0..100_000 {
                let k = Inline::new(&id(i)).unwrap();
                assert!(k.len() <= 8 && k.words()[1] == 0);
                let h = mix_word(k.words()[0]);
                low.insert(h & 0x1_ffff);
                top.insert(h >> 57);
            }
            assert!(low.len() > 66_000, "{}: {}", id(0), low.len());
            assert_eq!(top.len(), 128);
        }
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Tags probed a word at a time find what probing one slot at a
        /// time finds, however crowded the homes (runs longer than a word,
        /// runs that wrap around the end, tables of 8 to 32 slots).
        #[test]
        fn tags_probe_as_slot_by_slot(
            bits in 3u32..6,
            keys in prop::collection::vec((0u64..40, any::<u8>()), 0..32),
            sought in prop::collection::vec((0u64..40, any::<u8>()), 0..16),
        ) {
            let size = 1usize << bits;
            let mut t = Tags::new(size);
            prop_assert_eq!(t.size(), size);
            // a hash with a chosen home and tag; each (home, tag) once
            let hash = |(home, tag): (u64, u8)| home | (u64::from(tag) << 56);
            let mut slots: Vec<Option<(u64, u8)>> = vec![None; size];
            for &k in &keys {
                let full = slots.iter().filter(|s| s.is_some()).count() + 1 >= size;
                if full || slots.contains(&Some(k)) {
                    continue;
                }
                let at = t.first_empty(hash(k)).unwrap();
                // slot by slot: the first empty slot from home
                let mut want = (k.0 as usize) % size;
                while slots[want].is_some() {
                    want = (want + 1) % size;
                }
                prop_assert_eq!(at, want);
                prop_assert_eq!(t.find_or_empty(hash(k), |i| slots[i] == Some(k)), Some(Err(at)));
                slots[at] = Some(k);
                t.set(at, tag_of(hash(k)));
            }
            for k in keys.iter().chain(&sought) {
                let want = slots.iter().position(|s| *s == Some(*k));
                prop_assert_eq!(t.find(hash(*k), |i| slots[i] == Some(*k)), want);
                // the first of the eight slots from home holding the tag
                let tag = tag_of(hash(*k));
                let first = (0..8)
                    .map(|i| (k.0 as usize + i) % size)
                    .find(|&at| slots[at].is_some_and(|s| tag_of(hash(s)) == tag));
                prop_assert_eq!(t.first_tagged(hash(*k)), first);
            }
            for i in 0..size + 8 {
                let want = match slots.get(i) {
                    Some(Some(k)) => tag_of(hash(*k)),
                    _ => EMPTY,
                };
                prop_assert_eq!(t.get(i), want);
            }
        }
    }

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
            ops in prop::collection::vec((0u8..3, "[a-d]{1,3}|[a-z0-9-]{4,8}|[a-z0-9-]{9,14}|[a-z0-9-]{20,30}", any::<u32>()), 0..400),
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

        /// The name table answers as a `HashMap` for its names, names
        /// of every length and names it does not hold.
        #[test]
        fn the_name_table_is_a_map(
            names in prop::collection::hash_set("[a-z._]{0,30}", 0..80),
            absent in prop::collection::vec("[a-z._]{0,30}", 0..40),
        ) {
            let names: Vec<String> = names.into_iter().collect();
            let t = Names::new(names.iter().enumerate().map(|(i, n)| (n.as_str(), i as u32)));
            for (i, n) in names.iter().enumerate() {
                prop_assert_eq!(t.get(n), Some(i as u32));
            }
            for a in &absent {
                prop_assert_eq!(t.get(a), names.iter().position(|n| n == a).map(|i| i as u32));
            }
            // with no multiplier tried, every name goes through the map
            let all = Names::with_tries(names.iter().enumerate().map(|(i, n)| (n.as_str(), i as u32)), 0);
            prop_assert!(!all.is_direct());
            for (i, n) in names.iter().enumerate() {
                prop_assert_eq!(all.get(n), Some(i as u32));
            }
            for a in &absent {
                prop_assert_eq!(all.get(a), names.iter().position(|n| n == a).map(|i| i as u32));
            }
        }

        #[test]
        fn inline_keys_are_the_zero_padded_bytes(s in "[a-z0-9:_.-]{0,30}") {
            let got = Inline::new(&s).map(|k| (k.words(), k.len()));
            prop_assert_eq!(got, reference(&s));
        }

        /// An id of up to eight bytes read as one word is its inline key.
        #[test]
        fn short_words_are_the_inline_keys(s in "[a-z0-9:_.-]{0,12}") {
            let want = reference(&s).filter(|(_, len)| *len <= 8).map(|(w, _)| {
                prop_assert_eq!((w[1], w[2]), (0, 0));
                Ok(w[0])
            }).transpose()?;
            prop_assert_eq!(short_word(s.as_bytes()), want);
        }
    }
}
