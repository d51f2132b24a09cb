//! The people table: open addressing whose slots are the people's compact
//! cards ([`Quick`]), so finding the usual person and reading what `check`
//! needs about them touch half a 64-byte line (beside a one-byte tag per
//! slot, 128 KiB for 100,000 people). The full cards ([`Card`]) of the
//! people a compact card cannot describe (long ids, several grants, ...)
//! sit in a side vector that their compact card points into: a load writes
//! 4 MiB of compact cards, not 8 MiB of cards beside them.
//!
//! Invariants: `quick` has `tags.size()` slots, zero or a power of two; a
//! slot is empty iff its tag is `EMPTY`; an occupied slot's compact card
//! holds its person's index, and `pos[ix]` is the slot of person `ix`;
//! every occupied slot is reachable from its home slot by linear probing
//! over occupied slots (entries are never removed); at most 7/8 of the
//! slots are occupied, so probing for an absent id ends early. A compact
//! card that says `SHAPE_GENERAL` holds in `from` the index of its
//! person's card in `side` (which holds that person's index); every other
//! person's card is the one their compact card reads as; `free` lists the
//! side cards no one points to.

use chrono::{DateTime, Datelike, Timelike, Utc};

use super::fx::{FxMap, Inline, Tags, mix, mix_word, same_words, short_word, tag_of};
use super::model::Person;
use super::state::{Entry, PersonFlags, TagEntry, both, far_future};

/// What `check` needs about a person in one 64-byte line: the id (to
/// confirm the table's candidate), the person's index, the rule flags and,
/// for the common person with a single node-scoped grant and no tag grant,
/// that grant with its validity in whole seconds. Other shapes send `check`
/// to the general path over the person's row.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(64))]
pub(crate) struct Card {
    key: [u64; 3],
    pub(crate) attest: u64,
    /// [`time_key`]s; the grant is valid from `from` (included) to `until`
    /// (excluded; `i64::MAX` when open-ended).
    pub(crate) from: i64,
    pub(crate) until: i64,
    pub(crate) node: u32,
    pub(crate) slot: u32,
    /// The person's index.
    ix: u32,
    pub(crate) role: u16,
    /// The id's length, or `LONG_KEY` for an id kept in the long map.
    key_len: u8,
    /// The shape (`SHAPE_*`, low two bits) and the `CARD_*` flags.
    bits: u8,
}

/// A time to the second as a number that orders as the times do: the
/// year, the day of the year, then the second of the day (a few shifts,
/// where Unix seconds take a division by 400 years). For a whole-second
/// `t`, `t <= now` iff `time_key(t) <= time_key(now)`, and `now < t` iff
/// `time_key(now) < time_key(t)`: what the card's validity test needs.
#[inline]
pub(crate) fn time_key(t: DateTime<Utc>) -> i64 {
    let t = t.naive_utc();
    let d = t.date();
    (i64::from(d.year()) << 26)
        + (i64::from(d.ordinal()) << 17)
        + i64::from(t.time().num_seconds_from_midnight())
}

const LONG_KEY: u8 = u8::MAX;
/// No grant at all, node-scoped or tag-scoped.
pub(crate) const SHAPE_EMPTY: u8 = 0;
/// Exactly one node-scoped grant, whole-second validity, no tag grant.
pub(crate) const SHAPE_ONE: u8 = 1;
/// Anything else: read the person's row.
pub(crate) const SHAPE_GENERAL: u8 = 2;
const SHAPE_MASK: u8 = 3;
const CARD_SUSPENDED: u8 = 4;
/// The grant is anchored at the organization or a region.
const CARD_CENTRAL: u8 = 8;

/// What the bits of a card, of a [`One`] and of a compact card say alike.
pub(crate) trait CardBits {
    fn bits(&self) -> u8;

    /// `SHAPE_EMPTY`, `SHAPE_ONE` or `SHAPE_GENERAL`.
    #[inline]
    fn shape(&self) -> u8 {
        self.bits() & SHAPE_MASK
    }

    /// The single grant is anchored at the organization or a region.
    #[inline]
    fn central(&self) -> bool {
        self.bits() & CARD_CENTRAL != 0
    }

    #[inline]
    fn suspended(&self) -> bool {
        self.bits() & CARD_SUSPENDED != 0
    }
}

impl CardBits for Card {
    #[inline]
    fn bits(&self) -> u8 {
        self.bits
    }
}

impl Card {
    pub(crate) fn set_flags(&mut self, f: PersonFlags) {
        self.attest = f.attest;
        self.bits = (self.bits & !CARD_SUSPENDED) | if f.suspended { CARD_SUSPENDED } else { 0 };
    }

    /// Records the person's flags and grants, writing the card without
    /// reading it (while a table is built, its card is seldom in cache).
    pub(crate) fn set_all(&mut self, f: PersonFlags, entries: &[Entry], tags: &[TagEntry]) {
        self.attest = f.attest;
        self.bits = if f.suspended { CARD_SUSPENDED } else { 0 };
        self.set_grants(entries, tags);
    }

    /// Records the person's grants (sorted entries and tag entries).
    pub(crate) fn set_grants(&mut self, entries: &[Entry], tags: &[TagEntry]) {
        let mut shape = SHAPE_GENERAL;
        let mut central = false;
        match (entries, tags.is_empty()) {
            ([], true) => shape = SHAPE_EMPTY,
            ([e], true) => {
                let whole = |t: DateTime<Utc>| t.timestamp_subsec_nanos() == 0;
                let open = e.until == far_future();
                if whole(e.from) && (open || whole(e.until)) {
                    shape = SHAPE_ONE;
                    self.from = time_key(e.from);
                    self.until = if open { i64::MAX } else { time_key(e.until) };
                    self.node = e.node;
                    self.slot = e.slot;
                    self.role = e.role;
                    central = e.central;
                }
            }
            _ => {}
        }
        self.bits = (self.bits & CARD_SUSPENDED) | shape | if central { CARD_CENTRAL } else { 0 };
    }
}

/// What a decision reads about a person whose grants fit in a card: the
/// card's or the compact card's fields, in registers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct One {
    pub(crate) attest: u64,
    /// [`time_key`]s, as in [`Card`].
    pub(crate) from: i64,
    pub(crate) until: i64,
    pub(crate) node: u32,
    pub(crate) slot: u32,
    pub(crate) role: u16,
    bits: u8,
}

impl CardBits for One {
    #[inline]
    fn bits(&self) -> u8 {
        self.bits
    }
}

impl One {
    #[inline]
    pub(crate) fn flags(&self) -> PersonFlags {
        PersonFlags {
            suspended: self.suspended(),
            attest: self.attest,
        }
    }

    /// What a decision reads of a card of `SHAPE_EMPTY` or `SHAPE_ONE`
    /// (times as [`time_key`]s).
    #[inline(always)]
    pub(crate) fn single(&self) -> Single {
        Single {
            empty: self.shape() == SHAPE_EMPTY,
            central: self.central(),
            role: self.role,
            node: self.node,
            slot: self.slot,
            from: self.from,
            until: self.until,
            flags: self.flags(),
        }
    }
}

/// A person of no grant or one node grant as a decision reads them, from
/// their card ([`One::single`]) or their compact card ([`Quick::single`]);
/// the times on the scale of the source (compare them with `now` on the
/// same: [`time_key`] or [`quick_now`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Single {
    /// No grant at all.
    pub(crate) empty: bool,
    /// The grant is anchored at the organization or a region.
    pub(crate) central: bool,
    pub(crate) role: u16,
    pub(crate) node: u32,
    pub(crate) slot: u32,
    pub(crate) from: i64,
    pub(crate) until: i64,
    pub(crate) flags: PersonFlags,
}

impl Card {
    #[inline]
    fn one(&self) -> One {
        One {
            attest: self.attest,
            from: self.from,
            until: self.until,
            node: self.node,
            slot: self.slot,
            role: self.role,
            bits: self.bits,
        }
    }
}

/// A card in 32 bytes, beside it in the table, for the person whose id
/// has at most 8 bytes, whose attestations are among the policy's first
/// eight and whose grant (if any) runs between 2000 and 2063 in whole
/// seconds: `check` finds such a person and decides reading only this
/// (4 MiB for 131,072 slots, where the cards take 8). Anyone else's
/// compact card still holds the id (when short) and says `SHAPE_GENERAL`:
/// read the full card.
///
/// Invariant: `quick[i] == Quick::of(&card, side)` for every slot, of its
/// person's card and the index of its side card.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C, align(32))]
pub(crate) struct Quick {
    /// The id's bytes, zero-padded (ids of up to 8 bytes).
    key: u64,
    /// The person's index.
    pub(crate) ix: u32,
    node: u32,
    slot: u32,
    /// [`time_key`] minus [`QUICK_EPOCH`]; `u32::MAX` when open-ended.
    from: u32,
    until: u32,
    role: u16,
    attest: u8,
    /// The card's `bits` (low four) and the id's length (high four; 15
    /// for an id not kept here).
    bits: u8,
}

/// The [`time_key`] of 2000-01-01T00:00:00Z.
const QUICK_EPOCH: i64 = 2000 << 26;
const QUICK_LONG: u8 = 15 << 4;

/// `now` as the compact cards' times compare it: its [`time_key`] minus
/// [`QUICK_EPOCH`], at most `u32::MAX - 1` (a card's `until` is at most
/// that, or `u32::MAX` when open-ended, so every comparison with a card's
/// times comes out as with the full key).
#[inline]
pub(crate) fn quick_now(now: DateTime<Utc>) -> i64 {
    (time_key(now) - QUICK_EPOCH).min(i64::from(u32::MAX) - 1)
}

/// (The high four bits hold the id's length, apart from the card's.)
impl CardBits for Quick {
    #[inline]
    fn bits(&self) -> u8 {
        self.bits
    }
}

impl Quick {
    /// Whether this compact card says it all (else its card goes in the
    /// side vector): never for an id of more than 8 bytes.
    #[inline]
    pub(crate) fn says_all(&self) -> bool {
        self.bits & SHAPE_MASK <= SHAPE_ONE
    }

    /// What a decision reads of a compact card that says it all (times
    /// on the scale of [`quick_now`]).
    #[inline(always)]
    pub(crate) fn single(&self) -> Single {
        Single {
            empty: self.shape() == SHAPE_EMPTY,
            central: self.central(),
            role: self.role,
            node: self.node,
            slot: self.slot,
            from: i64::from(self.from),
            until: i64::from(self.until),
            flags: PersonFlags {
                suspended: self.suspended(),
                attest: u64::from(self.attest),
            },
        }
    }

    /// Whether the compact form of this card says it all.
    #[cfg(test)]
    pub(crate) fn describes(c: &Card) -> bool {
        Quick::of(c, 0).says_all()
    }

    /// The compact form of a card, pointing to its side card `side` when
    /// it cannot describe it.
    #[inline]
    pub(crate) fn of(c: &Card, side: u32) -> Quick {
        let len = if c.key_len <= 8 {
            c.key_len << 4
        } else {
            QUICK_LONG
        };
        let mut q = Quick {
            key: c.key[0],
            ix: c.ix,
            node: c.node,
            slot: c.slot,
            from: 0,
            until: 0,
            role: c.role,
            attest: 0,
            bits: len | (c.bits & !SHAPE_MASK) | SHAPE_GENERAL,
        };
        if len == QUICK_LONG {
            // found by its side card's id
            q.from = side;
            return q;
        }
        let short = |t: i64| {
            t.checked_sub(QUICK_EPOCH)
                .and_then(|t| u32::try_from(t).ok())
                .filter(|&t| t != u32::MAX)
        };
        let times = match c.shape() {
            SHAPE_ONE => short(c.from).zip(if c.until == i64::MAX {
                Some(u32::MAX)
            } else {
                short(c.until)
            }),
            _ => Some((0, 0)),
        };
        if let (Ok(attest), Some((from, until)), true) =
            (u8::try_from(c.attest), times, c.shape() <= SHAPE_ONE)
        {
            q.attest = attest;
            q.from = from;
            q.until = until;
            q.bits = len | c.bits;
        } else {
            q.from = side;
        }
        q
    }

    /// The card this compact card says it all of (for one that does).
    fn card(&self) -> Card {
        let (from, until) = self.times();
        Card {
            key: [self.key, 0, 0],
            attest: u64::from(self.attest),
            from,
            until,
            node: self.node,
            slot: self.slot,
            ix: self.ix,
            role: self.role,
            key_len: self.len(),
            bits: self.bits & 0x0f,
        }
    }

    /// The grant's validity as [`time_key`]s (`until` is `i64::MAX` when
    /// open-ended), for a compact card that says it all.
    #[inline]
    fn times(&self) -> (i64, i64) {
        let wide = |t: u32| i64::from(t) + QUICK_EPOCH;
        let until = if self.until == u32::MAX {
            i64::MAX
        } else {
            wide(self.until)
        };
        (wide(self.from), until)
    }

    /// The id's length, or 15 for an id not kept here.
    #[inline]
    fn len(&self) -> u8 {
        self.bits >> 4
    }

    #[inline]
    fn one(&self) -> One {
        let (from, until) = self.times();
        One {
            attest: u64::from(self.attest),
            from,
            until,
            node: self.node,
            slot: self.slot,
            role: self.role,
            bits: self.bits & 0x0f,
        }
    }
}

/// The hash that places a card: its id's, or for a long id (found through
/// the long map, never by probing) its index's, which only spreads them.
fn hash_of(c: &Card) -> u64 {
    if c.key_len == LONG_KEY {
        mix([u64::from(c.ix), 0, 0])
    } else {
        id_hash(c.key, c.key_len)
    }
}

/// The hash of an inline id of `len` bytes: one word's for the usual
/// short id, else all three words'.
#[inline(always)]
fn id_hash(words: [u64; 3], len: u8) -> u64 {
    if len <= 8 {
        mix_word(words[0])
    } else {
        mix(words)
    }
}

/// The card a compact card stands for (its side card, or the card it
/// describes), and the index of its side card, if any.
fn card_of(q: &Quick, side: &[Card]) -> Option<(Card, Option<u32>)> {
    if q.says_all() {
        return Some((q.card(), None));
    }
    let c = *side.get(q.from as usize)?;
    Some((c, Some(q.from)))
}

/// People by id, their compact cards in the table's slots; ids over 24
/// bytes are found through a plain map to their index, then `pos`.
#[derive(Debug, Clone, Default)]
pub(crate) struct PeopleIx {
    tags: Tags,
    /// `Quick::of` each person's card, slot by slot.
    quick: Vec<Quick>,
    /// The cards of the people whose compact card cannot describe them.
    side: Vec<Card>,
    /// Side cards no compact card points to (reused first).
    free: Vec<u32>,
    /// Per person index: the slot of their card.
    pos: Vec<u32>,
    long: FxMap<Box<str>, u32>,
}

impl PeopleIx {
    /// The person with this id: their index and what a decision reads
    /// about them (from the compact card when it has it all).
    #[inline(always)]
    pub(crate) fn find(&self, id: &str) -> Option<(u32, One)> {
        self.find_quick(id).and_then(|q| self.of_quick(q))
    }

    /// The compact card of the person with this id (found by reading it,
    /// so what a decision reads of it next is already loading).
    #[inline(always)]
    pub(crate) fn find_quick(&self, id: &str) -> Option<&Quick> {
        // an id of up to eight bytes (the usual one) read as one word:
        // its inline key, the other words known zero; it is in the compact
        // card, and the full card is read only for a person it cannot
        // describe (the tag first: comparing the home slot's compact card
        // first, without its tag, touched a second line for a displaced
        // person and waited on that card to find out, measured slower).
        // The first slot holding the tag is taken without a branch on the
        // tags (`first_tagged`), then slot by slot if the id is not there:
        // random checks mispredict less (callgrind's model: 1.9 branches
        // a check to 0.7, with the node's lookup done the same way)
        if let Some(w) = short_word(id.as_bytes()) {
            let len = id.len() as u8;
            let h = mix_word(w);
            if let Some(q) = self.tags.first_tagged(h).and_then(|at| self.quick.get(at))
                && (q.key == w) & (q.len() == len)
            {
                return Some(q);
            }
            return self.tags.find_map(h, |at| {
                self.quick
                    .get(at)
                    .filter(|q| (q.key == w) & (q.len() == len))
            });
        }
        self.find_longer(id)
    }

    /// [`PeopleIx::find_quick`] for an id of nine bytes or more (out of
    /// line, so the usual lookup holds fewer values where it is inlined).
    #[inline(never)]
    fn find_longer(&self, id: &str) -> Option<&Quick> {
        let Some(k) = Inline::new(id) else {
            return self.find_long(id);
        };
        let words = k.words();
        let len = k.len();
        let h = mix(words);
        // a longer id is on its side card (its compact card says so)
        self.tags.find_map(h, |at| {
            self.quick.get(at).filter(|q| {
                q.len() == 15
                    && self
                        .side
                        .get(q.from as usize)
                        .is_some_and(|c| same_words(c.key, words) & (c.key_len == len))
            })
        })
    }

    /// The index of the person of this compact card and what a decision
    /// reads about them.
    #[inline(always)]
    pub(crate) fn of_quick(&self, q: &Quick) -> Option<(u32, One)> {
        if q.says_all() {
            return Some((q.ix, q.one()));
        }
        self.side.get(q.from as usize).map(|c| (c.ix, c.one()))
    }

    /// The index of the person in slot `at` and what a decision reads
    /// about them.
    #[inline(always)]
    pub(crate) fn in_slot(&self, at: usize) -> Option<(u32, One)> {
        self.of_quick(self.quick.get(at)?)
    }

    /// The card of the person in slot `at` (their side card, or the card
    /// their compact card describes), and the index of their side card.
    fn card_at(&self, at: usize) -> Option<(Card, Option<u32>)> {
        card_of(self.quick.get(at)?, &self.side)
    }

    /// Writes `card` to slot `at`: its compact card, and its side card
    /// when that cannot describe it (in `side`, the person's side card
    /// until now, if any; freed when no longer needed).
    fn store(&mut self, at: usize, card: Card, side: Option<u32>) {
        let mut q = Quick::of(&card, 0);
        if q.says_all() {
            if let Some(s) = side {
                self.free.push(s);
            }
        } else {
            let s = match side.or_else(|| self.free.pop()) {
                Some(s) => s,
                None => {
                    self.side.push(Card::default());
                    (self.side.len() - 1) as u32
                }
            };
            if let Some(c) = self.side.get_mut(s as usize) {
                *c = card;
            }
            // (`Quick::of` puts the side card's index there)
            q.from = s;
        }
        if let Some(slot) = self.quick.get_mut(at) {
            *slot = q;
        }
    }

    /// What a decision reads about the person in slot `at`.
    #[inline(always)]
    fn one_at(&self, at: usize) -> Option<One> {
        self.in_slot(at).map(|(_, one)| one)
    }

    /// [`PeopleIx::find_quick`] for an id too long to keep inline.
    #[cold]
    #[inline(never)]
    fn find_long(&self, id: &str) -> Option<&Quick> {
        let ix = *self.long.get(id)?;
        self.quick.get(*self.pos.get(ix as usize)? as usize)
    }

    #[inline]
    pub(crate) fn get(&self, id: &str) -> Option<u32> {
        self.find(id).map(|(ix, _)| ix)
    }

    #[cfg(test)]
    pub(crate) fn contains_key(&self, id: &str) -> bool {
        self.find(id).is_some()
    }

    /// The number of people.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.pos.len()
    }

    /// Adds the next person (index = the number of people so far), not yet
    /// in the table.
    pub(crate) fn push(&mut self, id: &str, flags: PersonFlags) {
        let ix = self.pos.len() as u32;
        let mut card = Card {
            ix,
            ..Card::default()
        };
        match Inline::new(id) {
            Some(k) => {
                card.key = k.words();
                card.key_len = k.len();
            }
            None => {
                card.key_len = LONG_KEY;
                self.long.insert(id.into(), ix);
            }
        }
        card.set_flags(flags);
        self.reserve(1);
        let slot = self.place(card, None);
        self.pos.push(slot);
    }

    /// A table of these people's ids (flags and grants left blank, for
    /// [`AccessState::load`](super::state::AccessState::load) to fill in),
    /// or the index of the first person whose id came before.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))] // built ahead on native targets only
    pub(crate) fn of_people(people: &[Person]) -> Result<PeopleIx, usize> {
        let mut t = PeopleIx::default();
        t.reserve(people.len());
        for (i, p) in people.iter().enumerate() {
            if !t.push_new(p.id.as_str(), PersonFlags::default()) {
                return Err(i);
            }
        }
        Ok(t)
    }

    /// [`PeopleIx::push`] unless the id is already in the table (false),
    /// in one probe.
    pub(crate) fn push_new(&mut self, id: &str, flags: PersonFlags) -> bool {
        let Some(k) = Inline::new(id) else {
            if self.long.contains_key(id) {
                return false;
            }
            self.push(id, flags);
            return true;
        };
        self.reserve(1);
        let ix = self.pos.len() as u32;
        let mut card = Card {
            ix,
            key: k.words(),
            key_len: k.len(),
            ..Card::default()
        };
        card.set_flags(flags);
        let h = id_hash(card.key, card.key_len);
        let (quick, side) = (&self.quick, &self.side);
        let probe = self.tags.find_or_empty(h, |at| {
            quick.get(at).is_some_and(|q| {
                if card.key_len <= 8 {
                    (q.key == card.key[0]) & (q.len() == card.key_len)
                } else {
                    q.len() == 15
                        && side.get(q.from as usize).is_some_and(|c| {
                            same_words(c.key, card.key) & (c.key_len == card.key_len)
                        })
                }
            })
        });
        // `None` is unreachable: `reserve` keeps an eighth of the slots empty
        let Some(Err(at)) = probe else {
            return false;
        };
        // the usual new person (short id, no grant yet): a compact card
        // only, written here (the general `store` costs the load's hottest
        // loop about 3.7 M instructions more)
        let q = Quick::of(&card, 0);
        match self.quick.get_mut(at) {
            Some(slot) if q.says_all() => *slot = q,
            _ => self.store(at, card, None),
        }
        self.tags.set(at, tag_of(h));
        self.pos.push(at as u32);
        true
    }

    /// Puts a card in the first empty slot from its home (there is one:
    /// the caller reserved room), returning the slot; `side` is its side
    /// card, if it has one.
    fn place(&mut self, card: Card, side: Option<u32>) -> u32 {
        let h = hash_of(&card);
        let Some(at) = self.tags.first_empty(h) else {
            // unreachable: `reserve` keeps an eighth of the slots empty
            return u32::MAX;
        };
        self.store(at, card, side);
        self.tags.set(at, tag_of(h));
        at as u32
    }

    /// Makes room for `more` people at a load factor of at most 7/8.
    pub(crate) fn reserve(&mut self, more: usize) {
        let need = self.pos.len() + more;
        if need * 8 <= self.tags.size() * 7 {
            return;
        }
        let size = (need * 8 / 7 + 1).next_power_of_two().max(16);
        let old = PeopleIx {
            tags: std::mem::replace(&mut self.tags, Tags::new(size)),
            quick: std::mem::replace(&mut self.quick, vec![Quick::default(); size]),
            ..PeopleIx::default()
        };
        let mut pos = std::mem::take(&mut self.pos);
        pos.reserve(more);
        for slot in pos.iter_mut() {
            // the side cards stay where they are
            let found = old
                .quick
                .get(*slot as usize)
                .and_then(|q| card_of(q, &self.side));
            if let Some((card, side)) = found {
                *slot = self.place(card, side);
            }
        }
        self.pos = pos;
    }

    /// What a decision reads about person `p`.
    #[inline]
    pub(crate) fn one(&self, p: u32) -> Option<One> {
        let slot = *self.pos.get(p as usize)?;
        self.one_at(slot as usize)
    }

    /// Person `p`'s card.
    #[cfg(test)]
    pub(crate) fn card(&self, p: u32) -> Option<Card> {
        let slot = *self.pos.get(p as usize)?;
        self.card_at(slot as usize).map(|(c, _)| c)
    }

    /// The slot of person `p`'s card (valid while the table does not change).
    pub(crate) fn slot(&self, p: u32) -> Option<u32> {
        self.pos.get(p as usize).copied()
    }

    /// What a decision reads about the person in a slot given by
    /// [`PeopleIx::slot`].
    #[inline]
    pub(crate) fn one_in(&self, slot: u32) -> Option<One> {
        self.one_at(slot as usize)
    }

    /// Writes each person's card with `fill(person index, card)`, and its
    /// compact card from it, person by person: on native targets the two
    /// halves of the table side by side when `parallel` (each half's
    /// compact cards are its own; each goes through every person and
    /// writes those whose slot is in its half). In person order, `fill`
    /// reads its input in order and the writes go at random (they need no
    /// answer, so many are on their way at once); in slot order, the input
    /// was read at random, each read waited for. The cards that need a
    /// side card (few) are gathered in each half and written after, the
    /// first half's first.
    pub(crate) fn fill_cards(&mut self, parallel: bool, fill: impl Fn(u32, &mut Card) + Sync) {
        let mid = self.quick.len() / 2;
        let pos = &self.pos;
        let side = &self.side;
        let Some((quick_a, quick_b)) = self.quick.split_at_mut_checked(mid) else {
            return;
        };
        let run = |from: usize, quick: &mut [Quick]| {
            let mut sided = Vec::new();
            for (ix, &slot) in pos.iter().enumerate() {
                let at = (slot as usize).wrapping_sub(from);
                let Some(q) = quick.get_mut(at) else {
                    continue;
                };
                let Some((mut card, had)) = card_of(q, side) else {
                    continue;
                };
                fill(ix as u32, &mut card);
                let new = Quick::of(&card, 0);
                if had.is_none() && new.says_all() {
                    *q = new;
                } else {
                    sided.push((slot, card, had));
                }
            }
            sided
        };
        let (a, b) = both(parallel, || run(0, quick_a), || run(mid, quick_b));
        for (slot, card, had) in a.into_iter().chain(b) {
            self.store(slot as usize, card, had);
        }
    }

    /// Every compact card is its card's (the invariant), and every side
    /// card is pointed to by one compact card or listed free.
    #[cfg(test)]
    pub(crate) fn quick_in_sync(&self) -> bool {
        let mut used = vec![false; self.side.len()];
        for &s in &self.free {
            match used.get_mut(s as usize) {
                Some(u) if !*u => *u = true,
                _ => return false,
            }
        }
        for (ix, &at) in self.pos.iter().enumerate() {
            let Some((card, side)) = self.card_at(at as usize) else {
                return false;
            };
            if let Some(s) = side {
                match used.get_mut(s as usize) {
                    Some(u) if !*u => *u = true,
                    _ => return false,
                }
            }
            let needs = !Quick::describes(&card);
            if card.ix != ix as u32
                || needs != side.is_some()
                || self.quick.get(at as usize) != Some(&Quick::of(&card, side.unwrap_or(0)))
            {
                return false;
            }
        }
        used.iter().all(|&u| u)
    }

    /// Changes person `p`'s card (and its compact form with it).
    pub(crate) fn update(&mut self, p: u32, change: impl FnOnce(&mut Card)) {
        let Some(&slot) = self.pos.get(p as usize) else {
            return;
        };
        if let Some((mut card, side)) = self.card_at(slot as usize) {
            change(&mut card);
            self.store(slot as usize, card, side);
        }
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_table_finds_every_person_and_nothing_else(
            ids in prop::collection::hash_set("[a-z0-9-]{0,30}", 0..300),
            absent in prop::collection::vec("[A-Z]{1,30}", 0..50),
            reserve_first in any::<bool>(),
        ) {
            let ids: Vec<String> = ids.into_iter().collect();
            let mut t = PeopleIx::default();
            if reserve_first {
                t.reserve(ids.len());
            }
            for (i, id) in ids.iter().enumerate() {
                let flags = PersonFlags { suspended: i % 3 == 0, attest: i as u64 };
                t.push(id, flags);
            }
            prop_assert_eq!(t.len(), ids.len());
            for (i, id) in ids.iter().enumerate() {
                let (ix, one) = t.find(id).unwrap();
                prop_assert_eq!(ix, i as u32);
                prop_assert_eq!(one.attest, i as u64);
                prop_assert_eq!(one.flags().suspended, i % 3 == 0);
                prop_assert_eq!(one.shape(), SHAPE_EMPTY);
                // by index, the same
                prop_assert!(same(t.one(i as u32).unwrap(), one));
                prop_assert!(same(t.card(i as u32).unwrap().one(), one));
            }
            // every slot's compact card is its card's
            prop_assert!(t.quick_in_sync());
            for a in &absent {
                prop_assert_eq!(t.find(a).map(|(ix, _)| ix), None);
            }
            prop_assert!(t.card(ids.len() as u32).is_none());
        }
    }

    proptest! {
        /// `push_new` is `push` after `contains_key`, in one probe.
        #[test]
        fn push_new_refuses_exactly_the_known_ids(
            ids in prop::collection::vec("[a-c]{1,3}|[a-z0-9-]{25,30}", 0..200),
        ) {
            let mut one = PeopleIx::default();
            let mut two = PeopleIx::default();
            for id in &ids {
                let flags = PersonFlags::default();
                let known = two.contains_key(id);
                if !known {
                    two.push(id, flags);
                }
                prop_assert_eq!(one.push_new(id, flags), !known);
            }
            prop_assert_eq!(one.len(), two.len());
            for id in &ids {
                prop_assert_eq!(one.get(id), two.get(id));
            }
        }
    }

    proptest! {
        /// The card's time keys order whole-second times against any time
        /// as the times themselves order.
        #[test]
        fn time_keys_order_as_times(
            a in -2_000_000_000_000i64..2_000_000_000_000,
            b in -2_000_000_000_000i64..2_000_000_000_000,
            nanos in 0u32..2_000_000_000,
        ) {
            let whole = DateTime::from_timestamp(a, 0).unwrap();
            let Some(now) = DateTime::from_timestamp(b, nanos % 1_000_000_000) else { return Ok(()) };
            prop_assert_eq!(whole <= now, time_key(whole) <= time_key(now));
            prop_assert_eq!(now < whole, time_key(now) < time_key(whole));
            let near = DateTime::from_timestamp(a + i64::from(nanos % 3) - 1, nanos % 1_000_000_000).unwrap();
            prop_assert_eq!(whole <= near, time_key(whole) <= time_key(near));
            prop_assert_eq!(near < whole, time_key(near) < time_key(whole));
        }
    }

    /// The same decision inputs: shape and flags, and the grant for a
    /// single grant.
    fn same(a: One, b: One) -> bool {
        (a.shape(), a.central(), a.flags().suspended, a.attest)
            == (b.shape(), b.central(), b.flags().suspended, b.attest)
            && (a.shape() != SHAPE_ONE
                || (a.from, a.until, a.node, a.slot, a.role)
                    == (b.from, b.until, b.node, b.slot, b.role))
    }

    proptest! {
        /// A compact card that says it has it all reads as its card.
        #[test]
        fn a_compact_card_reads_as_its_card(
            key in prop::array::uniform3(any::<u64>()),
            key_len in 0u8..26,
            attest in prop::sample::select(vec![0u64, 1, 3, 255, 256, u64::MAX]),
            from in prop::sample::select(vec![i64::MIN, QUICK_EPOCH - 1, QUICK_EPOCH, QUICK_EPOCH + 12345, QUICK_EPOCH + i64::from(u32::MAX) - 1, QUICK_EPOCH + i64::from(u32::MAX), i64::MAX]),
            until in prop::sample::select(vec![QUICK_EPOCH, QUICK_EPOCH + 99_999, QUICK_EPOCH + i64::from(u32::MAX), i64::MAX]),
            bits in 0u8..16,
            node in any::<u32>(),
            slot in any::<u32>(),
            role in any::<u16>(),
        ) {
            let shape = bits & SHAPE_MASK;
            prop_assume!(shape != 3);
            let c = Card { key, attest, from, until, node, slot, ix: 7, role, key_len, bits };
            let q = Quick::of(&c, 5);
            prop_assert_eq!(q.ix, 7);
            if key_len <= 8 {
                prop_assert_eq!((q.key, q.len()), (key[0], key_len));
            } else {
                prop_assert_eq!(q.len(), 15);
            }
            let fits = q.bits & SHAPE_MASK <= SHAPE_ONE;
            prop_assert!(!fits || shape <= SHAPE_ONE);
            if fits {
                prop_assert!(same(q.one(), c.one()));
                // and turns back into a card of the same compact card
                if key_len <= 8 {
                    prop_assert_eq!(Quick::of(&q.card(), 5), q);
                    prop_assert!(same(q.card().one(), c.one()));
                }
            } else {
                prop_assert!(key_len > 8 || shape == SHAPE_GENERAL || attest > 255 || (shape == SHAPE_ONE && (from < QUICK_EPOCH || from >= QUICK_EPOCH + i64::from(u32::MAX) || (until != i64::MAX && until >= QUICK_EPOCH + i64::from(u32::MAX)))));
            }
        }
    }

    #[test]
    fn a_compact_card_is_half_a_line() {
        assert_eq!(std::mem::size_of::<Quick>(), 32);
    }

    #[test]
    fn a_card_is_one_line() {
        assert_eq!(std::mem::size_of::<Card>(), 64);
    }

    /// A person whose card stops needing its side card frees it, and the
    /// next person who needs one takes it; the compact cards follow.
    #[test]
    fn side_cards_are_freed_and_reused() {
        let mut t = PeopleIx::default();
        for id in ["p-1", "p-2", "p-3"] {
            t.push(id, PersonFlags::default());
        }
        assert!(t.side.is_empty());
        let general = |c: &mut Card| c.bits = (c.bits & !SHAPE_MASK) | SHAPE_GENERAL;
        let empty = |c: &mut Card| c.bits &= !SHAPE_MASK;
        t.update(0, general);
        assert_eq!((t.side.len(), t.free.len()), (1, 0));
        assert_eq!(
            t.find("p-1").map(|(ix, one)| (ix, one.shape())),
            Some((0, SHAPE_GENERAL))
        );
        t.update(0, empty);
        assert_eq!((t.side.len(), t.free.len()), (1, 1));
        assert_eq!(
            t.find("p-1").map(|(ix, one)| (ix, one.shape())),
            Some((0, SHAPE_EMPTY))
        );
        t.update(2, general);
        assert_eq!((t.side.len(), t.free.len()), (1, 0));
        assert_eq!(
            t.find("p-3").map(|(ix, one)| (ix, one.shape())),
            Some((2, SHAPE_GENERAL))
        );
        // an id longer than a compact card holds has its side card from the start
        t.push(
            "a-long-person-id",
            PersonFlags {
                suspended: true,
                attest: 3,
            },
        );
        assert_eq!(t.side.len(), 2);
        assert_eq!(
            t.find("a-long-person-id").map(|(ix, one)| (ix, one.attest)),
            Some((3, 3))
        );
        assert!(t.quick_in_sync());
        for (i, id) in ["p-1", "p-2", "p-3", "a-long-person-id"].iter().enumerate() {
            assert_eq!(t.get(id), Some(i as u32));
        }
    }

    #[test]
    fn an_empty_table_finds_nobody() {
        let t = PeopleIx::default();
        assert_eq!(t.get(""), None);
        assert_eq!(t.get("p-1"), None);
        assert_eq!(t.get(&"x".repeat(40)), None);
    }
}
