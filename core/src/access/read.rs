//! A one-pass reader for a snapshot's `people` and `grants` arrays in the
//! plain form `Network::to_json` writes: strings without escapes, the
//! fields serde knows, each at most once. It builds the same values as the
//! serde path without an intermediate tree, and interns role and
//! attestation names (so a long name is shared, not copied per grant).
//!
//! Invariant: when a reader answers, the serde path answers the same
//! values (property tested on generated and mutated snapshots); anything
//! unusual (an escape, an unknown or repeated field, a value of another
//! type, an invalid id) makes it answer `None`, and the caller reads the
//! text through serde, whose errors name the path.

use chrono::{DateTime, Utc};

use super::fx::{IdMap, below, bytes_equal, read_u64, windows};
use super::model::{Attestations, Grant, GrantId, Person, Scope, stamp};
use crate::id::{NodeId, PersonId, Tag};
use crate::small::Name;

/// A position in JSON text.
pub(crate) struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Cursor<'a> {
        Cursor { text, at: 0 }
    }

    /// The whole text.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))] // reads ahead on native targets only
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// The current offset in the text.
    pub(crate) fn position(&self) -> usize {
        self.at
    }

    /// Moves to an offset (one a reader of the same text ended at).
    pub(crate) fn seek(&mut self, at: usize) {
        self.at = at;
    }

    /// The text from the current position.
    pub(crate) fn rest(&self) -> &'a str {
        self.text.get(self.at..).unwrap_or_default()
    }

    /// Moves on by `n` bytes (a value read from [`Cursor::rest`]).
    pub(crate) fn advance(&mut self, n: usize) {
        self.at += n;
    }

    #[inline]
    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Skips JSON whitespace and returns the next byte.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        while let Some(c) = self.byte() {
            if matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
                self.at += 1;
            } else {
                return Some(c);
            }
        }
        None
    }

    /// Consumes `c` (after whitespace).
    #[inline]
    pub(crate) fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.at += 1)
    }

    /// Consumes a literal such as `true` (after whitespace).
    fn literal(&mut self, word: &str) -> Option<()> {
        self.peek()?;
        self.rest().starts_with(word).then(|| self.at += word.len())
    }

    /// A string without escapes or control characters, borrowed.
    #[inline]
    pub(crate) fn str(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let (s, end) = self.plain_from(self.at)?;
        self.at = end;
        Some(s)
    }

    /// The plain string (no escapes or control characters) whose text
    /// starts at `start`, after its opening quote, and the offset after
    /// its closing quote.
    #[inline]
    fn plain_from(&self, start: usize) -> Option<(&'a str, usize)> {
        let b = self.text.as_bytes();
        let mut end = start;
        // eight bytes at a time while eight remain, then byte by byte
        loop {
            let Some(w) = b.get(end..end + 8) else {
                while b.get(end).is_some_and(|&c| !ends_string(c)) {
                    end += 1;
                }
                break;
            };
            let hit = string_stops(read_u64(w));
            if hit != 0 {
                end += (hit.trailing_zeros() / 8) as usize;
                break;
            }
            end += 8;
        }
        if b.get(end) != Some(&b'"') {
            return None;
        }
        Some((self.text.get(start..end)?, end + 1))
    }

    /// Moves past `lit` when the text goes on with it.
    #[inline(always)]
    fn then(&mut self, lit: &[u8]) -> bool {
        let here = self.text.as_bytes().get(self.at..self.at + lit.len()) == Some(lit);
        if here {
            self.at += lit.len();
        }
        here
    }

    /// After [`Cursor::then`] of a literal ending in an opening quote: the
    /// plain string, the cursor after its closing quote.
    #[inline(always)]
    fn plain(&mut self) -> Option<&'a str> {
        let (s, end) = self.plain_from(self.at)?;
        self.at = end;
        Some(s)
    }

    /// The next member's key and its colon, as an index into `keys`: a key
    /// from `keys[*next..]` written as `"key":` is recognised by comparing
    /// two words (`to_json` writes the keys in order, skipping absent
    /// ones); any other is read as a string and looked up. `None` for an
    /// unknown key or malformed text. `next` becomes the index after the
    /// key read.
    #[inline]
    fn member(&mut self, keys: &[Key], next: &mut usize) -> Option<usize> {
        self.peek()?;
        if let Some(x) = self.text.as_bytes().get(self.at..self.at + 16) {
            let w = [read_u64(x), read_u64(x.get(8..).unwrap_or_default())];
            for (i, k) in keys.iter().enumerate().skip(*next) {
                if (w[0] & k.mask[0]) == k.word[0] && (w[1] & k.mask[1]) == k.word[1] {
                    self.at += k.len;
                    *next = i + 1;
                    return Some(i);
                }
            }
        }
        let key = self.key()?;
        let i = keys.iter().position(|k| k.name == key)?;
        *next = i + 1;
        Some(i)
    }

    /// After a member or element: `true` when another follows (`,`),
    /// `false` at the closing `close`.
    #[inline]
    fn more(&mut self, close: u8) -> Option<bool> {
        match self.peek()? {
            b',' => {
                self.at += 1;
                Some(true)
            }
            c if c == close => {
                self.at += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// `[` then either `]` (false) or the first element's start (true).
    fn open_array(&mut self) -> Option<bool> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.at += 1;
            return Some(false);
        }
        Some(true)
    }

    /// `{` then either `}` (false) or the first member's start (true).
    fn open_object(&mut self) -> Option<bool> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(false);
        }
        Some(true)
    }

    /// A member's key and the colon after it.
    #[inline]
    fn key(&mut self) -> Option<&'a str> {
        let k = self.str()?;
        self.eat(b':')?;
        Some(k)
    }

    /// A time; the last few texts are remembered (a snapshot repeats them).
    fn time(&mut self, seen: &mut Times<'a>) -> Option<DateTime<Utc>> {
        let s = self.str()?;
        seen.of(s)
    }
}

/// The high bit of each byte of `w` that ends a plain string (`"`, `\\`
/// or a control character); exact for the lowest such byte.
#[inline]
fn string_stops(w: u64) -> u64 {
    bytes_equal(w, b'"') | bytes_equal(w, b'\\') | below(w, 0x20)
}

/// `c` ends a plain string.
#[inline]
fn ends_string(c: u8) -> bool {
    c == b'"' || c == b'\\' || c < 0x20
}

/// How often a byte turns up in a snapshot's text, roughly (higher:
/// more often): punctuation, digits and the common letters of names.
fn commonness(c: u8) -> u8 {
    match c {
        b'"' | b',' | b':' | b' ' | b'{' | b'}' => 9,
        b'0'..=b'9' => 8,
        b'e' | b't' | b'a' | b'i' | b'n' | b'o' | b's' | b'r' => 7,
        b'd' | b'l' | b'u' | b'c' | b'_' | b'-' | b'p' | b'm' => 6,
        b'a'..=b'z' => 4,
        _ => 2,
    }
}

/// The offset of the first occurrence of `needle` (one to eight bytes)
/// in `text` at or after `from`: candidates are the offsets where the
/// needle's least common byte (in a snapshot) matches, sixteen offsets at
/// a time, each then compared whole.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // reads ahead on native targets only
pub(crate) fn find_short(text: &str, from: usize, needle: &[u8]) -> Option<usize> {
    let b = text.as_bytes();
    let n = needle.len();
    if n > 8 || n == 0 {
        return None;
    }
    let p = (0..n).min_by_key(|&i| needle.get(i).map_or(u8::MAX, |&c| commonness(c)))?;
    let x = *needle.get(p)?;
    // a candidate compared as one word where eight bytes remain
    let mut padded = [0u8; 8];
    padded.get_mut(..n)?.copy_from_slice(needle);
    let word = u64::from_le_bytes(padded);
    let mask = u64::MAX >> (8 * (8 - n));
    let at_is = |i: usize| match b.get(i..i + 8) {
        Some(s) => read_u64(s) & mask == word,
        None => b.get(i..i + n) == Some(needle),
    };
    let mut at = from;
    while let Some(w) = b.get(at + p..at + p + 16) {
        let (lo, hi) = w.split_at(8);
        let (lo, hi) = (bytes_equal(read_u64(lo), x), bytes_equal(read_u64(hi), x));
        if (lo | hi) != 0 {
            for (base, mut m) in [(at, lo), (at + 8, hi)] {
                while m != 0 {
                    let i = base + (m.trailing_zeros() / 8) as usize;
                    if at_is(i) {
                        return Some(i);
                    }
                    m &= m - 1;
                }
            }
        }
        at += 16;
    }
    (at..b.len()).find(|&i| at_is(i))
}

/// Names seen so far, so each distinct one is stored once: the last one
/// of each length first (a repeated name costs one comparison), then all;
/// and attestation lists seen so far, shared the same way.
#[derive(Default)]
struct Names {
    all: Vec<Name>,
    /// The last name of each length, with its place in `all` plus one (0
    /// when not there).
    by_len: [Option<(Name, u8)>; 16],
    lists: Vec<Attestations>,
    /// Lists read straight through, by the places of their names in `all`
    /// (a byte each, plus one), so finding a list compares one word.
    keyed: Vec<(u64, Attestations)>,
    /// The list being read (kept to reuse its room).
    list: Vec<Name>,
    /// Node ids read so far, and their places in `nodes` by text (a node
    /// is named by many grants; a copy costs less than checking the text
    /// again).
    nodes: Vec<NodeId>,
    node_ix: IdMap,
}

/// Times read so far, with their text.
#[derive(Default)]
struct Times<'a>(Vec<(&'a str, DateTime<Utc>)>);

impl<'a> Times<'a> {
    /// The time a text says; the last few texts are remembered (a
    /// snapshot repeats them).
    #[inline]
    fn of(&mut self, s: &'a str) -> Option<DateTime<Utc>> {
        if let Some((_, t)) = self.0.iter().find(|(text, _)| same_text(text, s)) {
            return Some(*t);
        }
        let t = stamp::parse(s)?;
        if self.0.len() < 8 {
            self.0.push((s, t));
        }
        Some(t)
    }
}

/// `a == b`, for short texts by comparing words (a call to `memcmp` per
/// comparison cost more than the comparison).
#[inline(always)]
fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    match (windows(a), windows(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

impl Names {
    /// The shared list with these names.
    fn list_of(&mut self, names: &[Name]) -> Attestations {
        let same = |l: &[Name]| {
            l.len() == names.len()
                && l.iter()
                    .zip(names)
                    .all(|(a, b)| same_text(a.as_str(), b.as_str()))
        };
        if let Some(l) = self.lists.iter().find(|l| same(l)) {
            return l.clone();
        }
        let l = Attestations::from(names);
        if self.lists.len() < 16 {
            self.lists.push(l.clone());
        }
        l
    }

    #[inline]
    fn get(&mut self, s: &str) -> Name {
        self.get_placed(s).0
    }

    /// The shared name, and its place in `all` plus one (0 when not there).
    #[inline]
    fn get_placed(&mut self, s: &str) -> (Name, u8) {
        let Some(last) = self.by_len.get_mut(s.len() % 16) else {
            return (Name::from(s), 0);
        };
        if let Some(n) = last.as_ref().filter(|(n, _)| same_text(n.as_str(), s)) {
            return n.clone();
        }
        let n = match self.all.iter().position(|n| same_text(n.as_str(), s)) {
            Some(i) => (
                self.all.get(i).cloned().unwrap_or_else(|| Name::from(s)),
                i as u8 + 1,
            ),
            None => {
                let n = Name::from(s);
                if self.all.len() < 32 {
                    self.all.push(n.clone());
                    (n, self.all.len() as u8)
                } else {
                    (n, 0)
                }
            }
        };
        *last = Some(n.clone());
        n
    }

    /// The shared list of the names in `v`, whose places in `all` make
    /// `key` (`None` when a name has none, or more than eight).
    fn list_by_key(&mut self, key: Option<u64>, v: &[Name]) -> Attestations {
        let Some(key) = key else {
            return self.list_of(v);
        };
        if let Some((_, l)) = self.keyed.iter().find(|(k, _)| *k == key) {
            return l.clone();
        }
        let l = self.list_of(v);
        if self.keyed.len() < 16 {
            self.keyed.push((key, l.clone()));
        }
        l
    }

    /// The node id with this text, remembered.
    #[inline]
    fn node(&mut self, s: &str) -> Option<NodeId> {
        if let Some(id) = self.node_ix.get(s).and_then(|i| self.nodes.get(i as usize)) {
            return Some(id.clone());
        }
        let id = s.parse::<NodeId>().ok()?;
        self.node_ix.insert(s, self.nodes.len() as u32);
        self.nodes.push(id.clone());
        Some(id)
    }
}

/// Sets a field once; a second occurrence makes the reader give up (serde
/// refuses duplicate fields).
#[inline]
fn once<T>(slot: &mut Option<T>, v: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(v);
    Some(())
}

/// A member key as written, `"name":`, as two zero-padded little-endian
/// words and the masks of their bytes (keys of up to 13 bytes).
struct Key {
    name: &'static str,
    word: [u64; 2],
    mask: [u64; 2],
    /// The bytes of `"name":`.
    len: usize,
}

impl Key {
    // evaluated at compile time, where an index out of bounds fails the build
    #[allow(clippy::indexing_slicing)]
    const fn new(name: &'static str) -> Key {
        let b = name.as_bytes();
        let len = b.len() + 3;
        assert!(len <= 16, "a member key of up to 13 bytes");
        let (mut word, mut mask) = ([0u64; 2], [0u64; 2]);
        let mut i = 0;
        while i < len {
            let c = if i == 0 || i == len - 2 {
                b'"'
            } else if i == len - 1 {
                b':'
            } else {
                b[i - 1]
            };
            word[i / 8] |= (c as u64) << (8 * (i % 8));
            mask[i / 8] |= 0xff << (8 * (i % 8));
            i += 1;
        }
        Key {
            name,
            word,
            mask,
            len,
        }
    }
}

/// A person's keys, in the order `to_json` writes them.
const PERSON_KEYS: [Key; 4] = [
    Key::new("id"),
    Key::new("name"),
    Key::new("attestations"),
    Key::new("suspended"),
];

/// A grant's keys, in the order `to_json` writes them.
const GRANT_KEYS: [Key; 6] = [
    Key::new("id"),
    Key::new("person"),
    Key::new("role"),
    Key::new("scope"),
    Key::new("valid_from"),
    Key::new("valid_until"),
];

/// A scope's keys.
const SCOPE_KEYS: [Key; 2] = [Key::new("node"), Key::new("tag")];

/// The item at the cursor read straight through when written exactly as
/// `to_json` writes it (no spaces, the keys in its order): one comparison
/// a literal instead of a key to recognise and a value to check once per
/// member. `None`, the cursor where it was, for anything else, which the
/// general reader then reads (the same values when it answers: tested).
fn as_written<'a, T>(
    c: &mut Cursor<'a>,
    read: impl FnOnce(&mut Cursor<'a>) -> Option<T>,
) -> Option<T> {
    let start = c.position();
    let item = read(c);
    if item.is_none() {
        c.seek(start);
    }
    item
}

/// A person as `to_json` writes one: `{"id":"…"` then, each when
/// present, `"name"` (a string), `"attestations"` and `"suspended"`.
fn person_through(c: &mut Cursor<'_>, names: &mut Names) -> Option<Person> {
    if !c.then(br#"{"id":""#) {
        return None;
    }
    let id = c.plain()?;
    let name = if c.then(br#","name":""#) {
        Some(c.plain()?.to_owned())
    } else {
        None
    };
    let attestations = if c.then(br#","attestations":["#) {
        let mut v = std::mem::take(&mut names.list);
        v.clear();
        let list = names_through(c, names, &mut v);
        names.list = v;
        list?
    } else {
        Attestations::default()
    };
    let suspended = c.then(br#","suspended":true"#);
    if !suspended {
        c.then(br#","suspended":false"#);
    }
    if !c.then(b"}") {
        return None;
    }
    Some(Person {
        id: id.parse::<PersonId>().ok()?,
        name,
        attestations,
        suspended,
    })
}

/// The names of a list after its `[`, up to its `]`, as written
/// (`"a","b"`), gathered in `v`, as a shared list.
fn names_through(c: &mut Cursor<'_>, names: &mut Names, v: &mut Vec<Name>) -> Option<Attestations> {
    let mut key = Some(0u64);
    if !c.then(b"]") {
        loop {
            if !c.then(b"\"") {
                return None;
            }
            let (name, place) = names.get_placed(c.plain()?);
            v.push(name);
            key = key
                .filter(|&k| place != 0 && k >> 56 == 0)
                .map(|k| k << 8 | u64::from(place));
            if c.then(b"]") {
                break;
            }
            if !c.then(b",") {
                return None;
            }
        }
    }
    Some(names.list_by_key(key, v))
}

/// A grant as `to_json` writes one: id, person, role, a node scope,
/// `valid_from` and, when present, `valid_until`, each a string.
fn grant_through<'a>(
    c: &mut Cursor<'a>,
    names: &mut Names,
    times: &mut Times<'a>,
) -> Option<Grant> {
    if !c.then(br#"{"id":""#) {
        return None;
    }
    let id = c.plain()?;
    if !c.then(br#","person":""#) {
        return None;
    }
    let person = c.plain()?;
    if !c.then(br#","role":""#) {
        return None;
    }
    let role = c.plain()?;
    if !c.then(br#","scope":{"node":""#) {
        return None;
    }
    let node = c.plain()?;
    if !c.then(br#"},"valid_from":""#) {
        return None;
    }
    let from = c.plain()?;
    let until = if c.then(br#","valid_until":""#) {
        Some(c.plain()?)
    } else {
        None
    };
    if !c.then(b"}") {
        return None;
    }
    Some(Grant {
        id: id.parse::<GrantId>().ok()?,
        person: person.parse::<PersonId>().ok()?,
        role: names.get(role),
        scope: Scope::Node(names.node(node)?),
        valid_from: times.of(from)?,
        valid_until: match until {
            Some(u) => Some(times.of(u)?),
            None => None,
        },
    })
}

fn person<'a>(c: &mut Cursor<'a>, names: &mut Names, _: &mut Times<'a>) -> Option<Person> {
    c.peek()?;
    if let Some(p) = as_written(c, |c| person_through(c, names)) {
        return Some(p);
    }
    person_by_members(c, names)
}

/// A person, member by member.
fn person_by_members(c: &mut Cursor<'_>, names: &mut Names) -> Option<Person> {
    let (mut id, mut name, mut attestations, mut suspended) = (None, None, None, None);
    let mut next = 0;
    if c.open_object()? {
        loop {
            match c.member(&PERSON_KEYS, &mut next)? {
                0 /* id */ => once(&mut id, c.str()?.parse::<PersonId>().ok()?)?,
                1 /* name */ => {
                    let v = if c.peek()? == b'n' {
                        c.literal("null")?;
                        None
                    } else {
                        Some(c.str()?.to_owned())
                    };
                    once(&mut name, v)?;
                }
                2 /* attestations */ => {
                    let mut v = std::mem::take(&mut names.list);
                    v.clear();
                    if c.open_array()? {
                        loop {
                            v.push(names.get(c.str()?));
                            if !c.more(b']')? {
                                break;
                            }
                        }
                    }
                    let list = names.list_of(&v);
                    names.list = v;
                    once(&mut attestations, list)?;
                }
                3 /* suspended */ => {
                    let v = match c.peek()? {
                        b't' => c.literal("true").map(|()| true)?,
                        b'f' => c.literal("false").map(|()| false)?,
                        _ => return None,
                    };
                    once(&mut suspended, v)?;
                }
                _ => return None,
            }
            if !c.more(b'}')? {
                break;
            }
        }
    }
    Some(Person {
        id: id?,
        name: name.flatten(),
        attestations: attestations.unwrap_or_default(),
        suspended: suspended.unwrap_or(false),
    })
}

fn scope(c: &mut Cursor<'_>) -> Option<Scope> {
    if !c.open_object()? {
        return None;
    }
    let s = match c.member(&SCOPE_KEYS, &mut 0)? {
        0 => Scope::Node(c.str()?.parse::<NodeId>().ok()?),
        1 => Scope::Tag(c.str()?.parse::<Tag>().ok()?),
        _ => return None,
    };
    c.eat(b'}')?;
    Some(s)
}

fn grant<'a>(c: &mut Cursor<'a>, names: &mut Names, times: &mut Times<'a>) -> Option<Grant> {
    c.peek()?;
    if let Some(g) = as_written(c, |c| grant_through(c, names, times)) {
        return Some(g);
    }
    grant_by_members(c, names, times)
}

/// A grant, member by member.
fn grant_by_members<'a>(
    c: &mut Cursor<'a>,
    names: &mut Names,
    times: &mut Times<'a>,
) -> Option<Grant> {
    let (mut id, mut person, mut role, mut sc) = (None, None, None, None);
    let (mut from, mut until) = (None, None);
    let mut next = 0;
    if c.open_object()? {
        loop {
            match c.member(&GRANT_KEYS, &mut next)? {
                0 /* id */ => once(&mut id, c.str()?.parse::<GrantId>().ok()?)?,
                1 /* person */ => once(&mut person, c.str()?.parse::<PersonId>().ok()?)?,
                2 /* role */ => once(&mut role, names.get(c.str()?))?,
                3 /* scope */ => once(&mut sc, scope(c)?)?,
                4 /* valid_from */ => once(&mut from, c.time(times)?)?,
                5 /* valid_until */ => {
                    let v = if c.peek()? == b'n' {
                        c.literal("null")?;
                        None
                    } else {
                        Some(c.time(times)?)
                    };
                    once(&mut until, v)?;
                }
                _ => return None,
            }
            if !c.more(b'}')? {
                break;
            }
        }
    }
    Some(Grant {
        id: id?,
        person: person?,
        role: role?,
        scope: sc?,
        valid_from: from?,
        valid_until: until.flatten(),
    })
}

/// An array of items read by `item`, in a vector that keeps the room
/// reserved for it on native targets (see [`array_until`]); on wasm32,
/// where the vector grew from nothing, the excess of its last doubling is
/// handed back.
fn array<'a, T>(
    c: &mut Cursor<'a>,
    item: fn(&mut Cursor<'a>, &mut Names, &mut Times<'a>) -> Option<T>,
) -> Option<Vec<T>> {
    let mut out = array_until(c, item, usize::MAX)?.0;
    if cfg!(target_arch = "wasm32") {
        out.shrink_to_fit();
    }
    Some(out)
}

/// [`array`], stopping early (true) where an item starts at offset `stop`
/// after a comma; the vector keeps its room (the caller may extend it,
/// then shrinks it: shrunk first, it would be moved to grow again).
fn array_until<'a, T>(
    c: &mut Cursor<'a>,
    item: fn(&mut Cursor<'a>, &mut Names, &mut Times<'a>) -> Option<T>,
    stop: usize,
) -> Option<(Vec<T>, bool)> {
    // Room for about as many items as the rest of the text could hold (a
    // person or grant as written takes more than 48 bytes; a smaller one
    // only grows the vector), so the vector seldom moves, and kept: pages
    // never written are never touched, and the block's size depends on
    // the text alone. Handing the excess back (`shrink_to_fit`) made the
    // block the allocator frees smaller than the next load asks for:
    // glibc then maps every load's vectors afresh and the kernel faults
    // in each page written (for 100,000 people and grants, about 5,000
    // faults and 11-20 ms of system time a load; 600-1,900 faults and
    // 1.5-3.5 ms once the sizes repeat: benches/access/README.md). Not
    // on wasm32, where reserved memory is memory taken for good.
    let hint = if cfg!(target_arch = "wasm32") {
        0
    } else {
        c.rest().len().min(stop.saturating_sub(c.position())) / 48
    };
    let mut out = Vec::with_capacity(hint);
    let mut stopped = false;
    if c.open_array()? {
        stopped = items(c, item, &mut out, stop)?;
    }
    Some((out, stopped))
}

/// The items of an array from the one at the cursor to the closing `]`
/// (false), or up to offset `stop` when an item starts there after a comma
/// (true, the cursor at that item).
fn items<'a, T>(
    c: &mut Cursor<'a>,
    item: fn(&mut Cursor<'a>, &mut Names, &mut Times<'a>) -> Option<T>,
    out: &mut Vec<T>,
    stop: usize,
) -> Option<bool> {
    let mut names = Names::default();
    let mut times = Times::default();
    loop {
        out.push(item(c, &mut names, &mut times)?);
        if !c.more(b']')? {
            return Some(false);
        }
        c.peek()?;
        if c.position() == stop {
            return Some(true);
        }
    }
}

/// The `people` array at the cursor, as serde would read it.
pub(crate) fn people(c: &mut Cursor<'_>) -> Option<Vec<Person>> {
    array(c, person)
}

/// The `grants` array at the cursor, as serde would read it.
pub(crate) fn grants(c: &mut Cursor<'_>) -> Option<Vec<Grant>> {
    array(c, grant)
}

/// [`grants`], the same answer, with the items from a guessed item start
/// in about the last tenth of the text read meanwhile on another thread
/// (native targets only): the thread reading people ends sooner than the
/// one reading grants, and takes this part over (for 100,000 people and
/// grants, reading the people and building their table costs about 125 M
/// instructions; finding the grants key and reading the grants, about
/// 150 M; a tenth of the grants, about 13 M, evens them). The part is
/// used only when reading from the start reaches an item at that very
/// offset, so a wrong guess costs time, never a different answer.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn grants_in_parts(c: &mut Cursor<'_>) -> Option<Vec<Grant>> {
    let text = c.text();
    let from = c.position();
    let guess = from + (text.len() - from) / 10 * 9;
    let Some(stop) = find_short(text, guess, b"{\"id\":\"") else {
        return grants(c);
    };
    let mut tail = Cursor::new(text);
    tail.seek(stop);
    let (head, rest) = rayon::join(
        || array_until(c, grant, stop),
        || {
            // room as in `array_until` (growing from nothing moved the
            // vector four times)
            let mut out = Vec::with_capacity(text.len().saturating_sub(stop) / 48);
            items(&mut tail, grant, &mut out, usize::MAX)?;
            Some(out)
        },
    );
    // the head keeps its room for the tail (its hint counts the text up
    // to `stop` at 48 bytes an item, far more than the items there), so
    // the tail is copied once and the head never moves (shrunk before, it
    // was copied whole into a block twice its size); the excess is kept,
    // as in `array_until`
    let (mut head, stopped) = head?;
    if stopped {
        // reading on from `stop` is what the other thread did
        head.extend(rest?);
        c.seek(tail.position());
    }
    Some(head)
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `find_short` finds what `str::find` finds.
        #[test]
        fn find_short_is_find(
            text in "[\"grants:a ]{0,80}",
            from in 0usize..90,
            needle in "[\"grants:a ]{1,8}",
        ) {
            let from = from.min(text.len());
            let want = text[from..].find(needle.as_str()).map(|i| i + from);
            prop_assert_eq!(find_short(&text, from, needle.as_bytes()), want);
        }
    }

    proptest! {
        /// Reading grants in two parts gives what reading them in one
        /// does, wherever the guessed split falls (between items, inside
        /// one, in text after the array), errors included.
        #[test]
        fn grants_in_parts_are_grants(
            n in 0usize..12,
            ws in prop::sample::select(vec!["", "\n  ", " "]),
            after in prop::sample::select(vec!["", r#","people":[{"id":"p"}]"#, r#","x":{"id":"q"}"#]),
            broken in prop::option::of(0usize..12),
        ) {
            let items: Vec<String> = (0..n)
                .map(|i| {
                    let role = if broken == Some(i) { "5" } else { r#""member""# };
                    format!(r#"{{"id":"g-{i}","person":"p","role":{role},"scope":{{"node":"c"}},"valid_from":"2025-01-01T00:00:00Z"}}"#)
                })
                .collect();
            let text = format!("[{ws}{}{ws}]{after}}}", items.join(&format!(",{ws}")));
            let (mut one, mut two) = (Cursor::new(&text), Cursor::new(&text));
            let a = grants(&mut one);
            let b = grants_in_parts(&mut two);
            prop_assert_eq!(format!("{a:?}"), format!("{b:?}"));
            if a.is_some() {
                prop_assert_eq!(one.position(), two.position());
            }
        }
    }

    /// Items as `to_json` writes them are read straight through, to the
    /// values the member-by-member reader reads; other forms are left to it.
    #[test]
    fn items_as_written_are_read_straight_through() {
        let people = [
            r#"{"id":"p-1"}"#,
            r#"{"id":"p-2","name":"Ana","attestations":["a","b_c"],"suspended":true}"#,
            r#"{"id":"p-3","attestations":[],"suspended":false}"#,
            r#"{"id":"an-id-well-over-twenty-four-bytes","attestations":["a"]}"#,
        ];
        for text in people {
            let (mut a, mut b) = (Cursor::new(text), Cursor::new(text));
            let through = person_through(&mut a, &mut Names::default());
            assert!(through.is_some(), "{text}");
            let members = person_by_members(&mut b, &mut Names::default());
            assert_eq!(format!("{through:?}"), format!("{members:?}"));
            assert_eq!(a.position(), text.len());
        }
        // one reader's names over many people: lists shared by the places
        // of their names, the same lists as read member by member
        let (mut n1, mut n2) = (Names::default(), Names::default());
        let lists = [
            "",
            r#""a""#,
            r#""a","b""#,
            r#""b","a""#,
            r#""a""#,
            r#""a","b""#,
            r#""b""#,
            r#""a","b","c","d","e","f","g","h","i""#,
            r#""a","b","c","d","e","f","g","h","i""#,
        ];
        for round in 0..3 {
            for (i, l) in lists.iter().enumerate() {
                let text = format!(r#"{{"id":"p-{round}-{i}","attestations":[{l}]}}"#);
                let (mut a, mut b) = (Cursor::new(&text), Cursor::new(&text));
                let through = person_through(&mut a, &mut n1);
                assert!(through.is_some(), "{text}");
                let members = person_by_members(&mut b, &mut n2);
                assert_eq!(format!("{through:?}"), format!("{members:?}"));
            }
        }
        let grants = [
            r#"{"id":"g-1","person":"p-1","role":"member","scope":{"node":"ch-1"},"valid_from":"2025-01-01T00:00:00Z"}"#,
            r#"{"id":"g-3","person":"p-1","role":"member","scope":{"node":"ch-1"},"valid_from":"2025-01-01T00:00:00Z"}"#,
            r#"{"id":"g-4","person":"p-1","role":"member","scope":{"node":"a-node-id-of-over-24-bytes"},"valid_from":"2025-01-01T00:00:00Z"}"#,
            r#"{"id":"g-2","person":"p-2","role":"r","scope":{"node":"r"},"valid_from":"2025-01-01T00:00:00.5Z","valid_until":"2026-02-03T04:05:06+01:00"}"#,
        ];
        let mut names = Names::default();
        for text in grants {
            let (mut a, mut b) = (Cursor::new(text), Cursor::new(text));
            let through = grant_through(&mut a, &mut names, &mut Times::default());
            assert!(through.is_some(), "{text}");
            let members = grant_by_members(&mut b, &mut Names::default(), &mut Times::default());
            assert_eq!(format!("{through:?}"), format!("{members:?}"));
            assert_eq!(a.position(), text.len());
        }
        // another order, a space, a null, a tag scope, an escape: left to
        // the general reader, the cursor where it was
        for text in [
            r#"{"attestations":[],"id":"p-1"}"#,
            r#"{"id": "p-1"}"#,
            r#"{"id":"p-1","name":null}"#,
            r#"{"id":"p-\u0031"}"#,
        ] {
            let mut c = Cursor::new(text);
            assert!(as_written(&mut c, |c| person_through(c, &mut Names::default())).is_none());
            assert_eq!(c.position(), 0);
        }
        for text in [
            r#"{"id":"g","person":"p","role":"m","scope":{"tag":"t"},"valid_from":"2025-01-01T00:00:00Z"}"#,
            r#"{"id":"g","person":"p","role":"m","scope":{"node":"c"},"valid_from":"2025-01-01T00:00:00Z","valid_until":null}"#,
        ] {
            let mut c = Cursor::new(text);
            let mut names = Names::default();
            let mut times = Times::default();
            assert!(as_written(&mut c, |c| grant_through(c, &mut names, &mut times)).is_none());
            assert_eq!(c.position(), 0);
        }
    }

    /// Texts compared by words equal as `==` says.
    #[test]
    fn same_text_is_equality() {
        let texts = [
            "",
            "a",
            "abcdefg",
            "abcdefgh",
            "abcdefgi",
            "2025-01-01T00:00:00Z",
            "2025-01-01T00:00:01Z",
            "x2025-01-01T00:00:00Z",
            "data_protection_training",
            "data_protection_trainin",
            "data_protection_trainingx",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(same_text(a, b), a == b, "{a} {b}");
            }
        }
    }

    #[test]
    fn member_keys_are_recognised_as_written() {
        let mut c = Cursor::new(r#" "valid_until" :1, "valid_until":2,"id":3,"bogus":4"#);
        let mut next = 0;
        // with a space before the colon: read as a string
        assert_eq!(c.member(&GRANT_KEYS, &mut next), Some(5));
        assert_eq!(next, 6);
        c.seek(c.position() + 3);
        assert_eq!(c.member(&GRANT_KEYS, &mut 0), Some(5));
        c.seek(c.position() + 2);
        assert_eq!(c.member(&GRANT_KEYS, &mut 3), Some(0));
        c.seek(c.position() + 2);
        assert_eq!(c.member(&GRANT_KEYS, &mut 0), None);
    }
}
