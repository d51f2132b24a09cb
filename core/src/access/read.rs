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
        let start = self.at;
        let rest = self.text.as_bytes().get(start..)?;
        let len = string_end(rest)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        self.text.get(start..start + len)
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
        if let Some((_, t)) = seen.0.iter().find(|(text, _)| *text == s) {
            return Some(*t);
        }
        let t = stamp::parse(s)?;
        if seen.0.len() < 8 {
            seen.0.push((s, t));
        }
        Some(t)
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is below `n` (`n` at most 128);
/// exact for the lowest such byte, which is all a scan needs.
#[inline]
fn below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS
}

/// The offset of the first `"`, `\\` or control character, eight bytes at
/// a time.
#[inline]
fn string_end(b: &[u8]) -> Option<usize> {
    let mut at = 0;
    let mut words = b.chunks_exact(8);
    for c in &mut words {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        let w = u64::from_le_bytes(a);
        let hit = below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20);
        if hit != 0 {
            return Some(at + (hit.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = words.remainder();
    tail.iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|i| at + i)
}

/// Names seen so far, so each distinct one is stored once: the last one
/// of each length first (a repeated name costs one comparison), then all;
/// and attestation lists seen so far, shared the same way.
#[derive(Default)]
struct Names {
    all: Vec<Name>,
    by_len: [Option<Name>; 16],
    lists: Vec<Attestations>,
    /// The list being read (kept to reuse its room).
    list: Vec<Name>,
}

/// Times read so far, with their text.
#[derive(Default)]
struct Times<'a>(Vec<(&'a str, DateTime<Utc>)>);

impl Names {
    /// The shared list with these names.
    fn list_of(&mut self, names: &[Name]) -> Attestations {
        if let Some(l) = self.lists.iter().find(|l| ***l == *names) {
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
        let Some(last) = self.by_len.get_mut(s.len() % 16) else {
            return Name::from(s);
        };
        if let Some(n) = last.as_ref().filter(|n| n.as_str() == s) {
            return n.clone();
        }
        let n = match self.all.iter().find(|n| n.as_str() == s) {
            Some(n) => n.clone(),
            None => {
                let n = Name::from(s);
                if self.all.len() < 32 {
                    self.all.push(n.clone());
                }
                n
            }
        };
        *last = Some(n.clone());
        n
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

fn person<'a>(c: &mut Cursor<'a>, names: &mut Names, _: &mut Times<'a>) -> Option<Person> {
    let (mut id, mut name, mut attestations, mut suspended) = (None, None, None, None);
    if c.open_object()? {
        loop {
            match c.key()? {
                "id" => once(&mut id, c.str()?.parse::<PersonId>().ok()?)?,
                "name" => {
                    let v = if c.peek()? == b'n' {
                        c.literal("null")?;
                        None
                    } else {
                        Some(c.str()?.to_owned())
                    };
                    once(&mut name, v)?;
                }
                "attestations" => {
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
                "suspended" => {
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
    let s = match c.key()? {
        "node" => Scope::Node(c.str()?.parse::<NodeId>().ok()?),
        "tag" => Scope::Tag(c.str()?.parse::<Tag>().ok()?),
        _ => return None,
    };
    c.eat(b'}')?;
    Some(s)
}

fn grant<'a>(c: &mut Cursor<'a>, names: &mut Names, times: &mut Times<'a>) -> Option<Grant> {
    let (mut id, mut person, mut role, mut sc) = (None, None, None, None);
    let (mut from, mut until) = (None, None);
    if c.open_object()? {
        loop {
            match c.key()? {
                "id" => once(&mut id, c.str()?.parse::<GrantId>().ok()?)?,
                "person" => once(&mut person, c.str()?.parse::<PersonId>().ok()?)?,
                "role" => once(&mut role, names.get(c.str()?))?,
                "scope" => once(&mut sc, scope(c)?)?,
                "valid_from" => once(&mut from, c.time(times)?)?,
                "valid_until" => {
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

/// An array of items read by `item`.
fn array<'a, T>(
    c: &mut Cursor<'a>,
    item: fn(&mut Cursor<'a>, &mut Names, &mut Times<'a>) -> Option<T>,
) -> Option<Vec<T>> {
    let mut names = Names::default();
    let mut times = Times::default();
    // Room for about as many items as the rest of the text could hold (a
    // person or grant as written takes more than 48 bytes; a smaller one
    // only grows the vector): pages never written are never touched, the
    // excess is handed back at the end, and the vector seldom moves. Not
    // on wasm32, where reserved memory is memory taken for good.
    let hint = if cfg!(target_arch = "wasm32") {
        0
    } else {
        c.rest().len() / 48
    };
    let mut out = Vec::with_capacity(hint);
    if c.open_array()? {
        loop {
            out.push(item(c, &mut names, &mut times)?);
            if !c.more(b']')? {
                break;
            }
        }
    }
    out.shrink_to_fit();
    Some(out)
}

/// The `people` array at the cursor, as serde would read it.
pub(crate) fn people(c: &mut Cursor<'_>) -> Option<Vec<Person>> {
    array(c, person)
}

/// The `grants` array at the cursor, as serde would read it.
pub(crate) fn grants(c: &mut Cursor<'_>) -> Option<Vec<Grant>> {
    array(c, grant)
}
