//! Activity input: kinds, rows, zero-copy columns, and an owned table.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{HealthError, cut};

/// What an activity row records.
///
/// The code ([`Kind::code`]) is the row's value in a kind-code column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An event took place; the value is its attendance (missing if unknown).
    EventHeld = 0,
    /// Members joined; the value is how many (1 when missing).
    MemberJoined = 1,
    /// Members left; the value is how many (1 when missing). Shown, not scored.
    MemberLeft = 2,
    /// A leader did something for the group; the actor (required) is the leader.
    LeaderAction = 3,
    /// A post in the group's conversation; the actor is the author.
    Post = 4,
    /// A petition was started; the value is how many (1 when missing).
    PetitionStarted = 5,
    /// An action was reported back; the value is how many (1 when missing).
    ActionReported = 6,
    /// A win (a campaign demand met); the value is how many (1 when missing).
    Win = 7,
}

impl Kind {
    /// Every kind, in code order.
    pub const ALL: [Kind; 8] = [
        Kind::EventHeld,
        Kind::MemberJoined,
        Kind::MemberLeft,
        Kind::LeaderAction,
        Kind::Post,
        Kind::PetitionStarted,
        Kind::ActionReported,
        Kind::Win,
    ];

    /// The kind's code in a kind-code column (0 to 7, in [`Kind::ALL`] order).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The kind with this code.
    pub fn from_code(code: u8) -> Option<Kind> {
        Kind::ALL.get(usize::from(code)).copied()
    }

    /// The snake_case name (`"event_held"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::EventHeld => "event_held",
            Kind::MemberJoined => "member_joined",
            Kind::MemberLeft => "member_left",
            Kind::LeaderAction => "leader_action",
            Kind::Post => "post",
            Kind::PetitionStarted => "petition_started",
            Kind::ActionReported => "action_reported",
            Kind::Win => "win",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl FromStr for Kind {
    type Err = HealthError;
    fn from_str(s: &str) -> Result<Kind, HealthError> {
        Kind::parse(s).ok_or_else(|| HealthError::UnknownKind { found: cut(s) })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One activity fact, borrowing its strings (the scorer copies each distinct
/// group and person id once).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivityRow<'a> {
    /// The group (chapter) id.
    pub group: &'a str,
    /// When it happened.
    pub time: DateTime<Utc>,
    /// What happened.
    pub kind: Kind,
    /// Attendance for `event_held`, a count for the countable kinds; `None`
    /// when missing. Ignored for `leader_action` and `post`.
    pub value: Option<f64>,
    /// Who did it (the leader, the author); `None` when unknown.
    pub actor: Option<&'a str>,
}

/// A column of strings, in one of the layouts callers already have.
#[derive(Debug, Clone, Copy)]
pub enum Strings<'a> {
    /// A slice of string slices.
    Slice(&'a [&'a str]),
    /// A slice of owned strings.
    Owned(&'a [String]),
    /// Arrow `Utf8` layout: value `i` is `data[offsets[i]..offsets[i + 1]]`.
    Utf8 {
        /// `len + 1` offsets into `data`.
        offsets: &'a [i32],
        /// The concatenated UTF-8 bytes.
        data: &'a [u8],
    },
    /// Arrow `LargeUtf8` layout (64-bit offsets).
    LargeUtf8 {
        /// `len + 1` offsets into `data`.
        offsets: &'a [i64],
        /// The concatenated UTF-8 bytes.
        data: &'a [u8],
    },
}

impl<'a> Strings<'a> {
    /// The number of strings.
    pub fn len(&self) -> usize {
        match self {
            Strings::Slice(s) => s.len(),
            Strings::Owned(s) => s.len(),
            Strings::Utf8 { offsets, .. } => offsets.len().saturating_sub(1),
            Strings::LargeUtf8 { offsets, .. } => offsets.len().saturating_sub(1),
        }
    }

    /// True when there are no strings.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// String `i`, or a reason why it cannot be read.
    pub(crate) fn get(&self, i: usize) -> Result<&'a str, &'static str> {
        fn slice(data: &[u8], a: i64, b: i64) -> Result<&str, &'static str> {
            let (Ok(a), Ok(b)) = (usize::try_from(a), usize::try_from(b)) else {
                return Err("has a negative offset");
            };
            let bytes = data.get(a..b).ok_or("has an offset outside its data")?;
            std::str::from_utf8(bytes).map_err(|_| "is not valid UTF-8")
        }
        match *self {
            Strings::Slice(s) => s.get(i).copied().ok_or("is missing"),
            Strings::Owned(s) => s.get(i).map(String::as_str).ok_or("is missing"),
            Strings::Utf8 { offsets, data } => {
                let a = offsets.get(i).ok_or("is missing")?;
                let b = offsets.get(i + 1).ok_or("is missing")?;
                slice(data, i64::from(*a), i64::from(*b))
            }
            Strings::LargeUtf8 { offsets, data } => {
                let a = offsets.get(i).ok_or("is missing")?;
                let b = offsets.get(i + 1).ok_or("is missing")?;
                slice(data, *a, *b)
            }
        }
    }
}

/// A string column: plain values or dictionary-encoded.
#[derive(Debug, Clone, Copy)]
pub enum StrColumn<'a> {
    /// One string per row.
    Values(Strings<'a>),
    /// Row `i` is `values[keys[i]]`; the key [`NULL_KEY`] marks a missing
    /// value (allowed only in the actor column).
    Dict {
        /// One key per row.
        keys: &'a [u32],
        /// The dictionary.
        values: Strings<'a>,
    },
    /// [`StrColumn::Dict`] with 16-bit signed keys, as pandas stores the
    /// codes of a categorical of up to 32,767 categories (read in place,
    /// not widened): a negative key marks a missing value.
    Dict16 {
        /// One key per row.
        keys: &'a [i16],
        /// The dictionary.
        values: Strings<'a>,
    },
}

impl StrColumn<'_> {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            StrColumn::Values(v) => v.len(),
            StrColumn::Dict { keys, .. } => keys.len(),
            StrColumn::Dict16 { keys, .. } => keys.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The dictionary key that marks a missing value.
pub const NULL_KEY: u32 = u32::MAX;

/// A time column: integers since 1970-01-01T00:00:00Z in one unit.
#[derive(Debug, Clone, Copy)]
pub enum TimeColumn<'a> {
    /// Seconds.
    Seconds(&'a [i64]),
    /// Milliseconds.
    Millis(&'a [i64]),
    /// Microseconds.
    Micros(&'a [i64]),
    /// Nanoseconds (pandas' default).
    Nanos(&'a [i64]),
}

impl TimeColumn<'_> {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            TimeColumn::Seconds(v)
            | TimeColumn::Millis(v)
            | TimeColumn::Micros(v)
            | TimeColumn::Nanos(v) => v.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first row outside the years 1 to 9999, if any (a loop the
    /// compiler can vectorize).
    pub(crate) fn first_out_of_range(&self) -> Option<usize> {
        let (v, lo, hi) = match *self {
            TimeColumn::Seconds(v) => (v, MIN_MS.div_euclid(1000), MAX_MS.div_euclid(1000)),
            TimeColumn::Millis(v) => (v, MIN_MS, MAX_MS),
            TimeColumn::Micros(v) => (v, MIN_MS * 1000, MAX_MS * 1000 + 999),
            // Every i64 of nanoseconds is within the years 1677 to 2262.
            TimeColumn::Nanos(_) => return None,
        };
        first_where(v, |x| x < lo || x > hi)
    }

    /// Rows `start..start + out.len()` in milliseconds, for a column already
    /// checked with [`TimeColumn::first_out_of_range`] (rows past the end
    /// are left as they are). One loop per unit, so each vectorizes.
    pub(crate) fn fill_millis(&self, start: usize, out: &mut [i64]) {
        fn rows(v: &[i64], start: usize) -> &[i64] {
            v.get(start..).unwrap_or_default()
        }
        match *self {
            TimeColumn::Seconds(v) => {
                for (o, &x) in out.iter_mut().zip(rows(v, start)) {
                    *o = x.saturating_mul(1000);
                }
            }
            TimeColumn::Millis(v) => {
                for (o, &x) in out.iter_mut().zip(rows(v, start)) {
                    *o = x;
                }
            }
            TimeColumn::Micros(v) => floor_div(rows(v, start), out, 1000),
            TimeColumn::Nanos(v) => floor_div(rows(v, start), out, 1_000_000),
        }
    }
}

impl<'a> TimeColumn<'a> {
    /// Rows `start..start + len` of a nanosecond column when every one of
    /// them is from 1970 on (each row's ms is then its value divided by
    /// 10^6, unsigned: what [`TimeColumn::fill_millis`] writes), so that a
    /// loop can convert a row where it reads it. `None` for other units,
    /// other rows or rows out of range.
    pub(crate) fn nanos_from_1970(&self, start: usize, len: usize) -> Option<&'a [i64]> {
        match *self {
            TimeColumn::Nanos(v) => v
                .get(start..start.checked_add(len)?)
                .filter(|v| all_from_1970(v)),
            _ => None,
        }
    }
}

/// Milliseconds of a time in ns from 1970 on (see
/// [`TimeColumn::nanos_from_1970`]): the division `floor_div` takes there.
#[inline(always)]
pub(crate) fn ms_of_nanos(x: i64) -> i64 {
    unsigned_div(x, 1_000_000)
}

/// Every value is 0 or more (a time from 1970 on): one branch-free fold,
/// which the compiler vectorizes.
#[inline(always)]
fn all_from_1970(v: &[i64]) -> bool {
    v.iter().fold(true, |all, &x| all & (x >= 0))
}

/// `x.div_euclid(d)` for `x >= 0`, by the unsigned division (half the cost).
#[inline(always)]
fn unsigned_div(x: i64, d: u64) -> i64 {
    (x.unsigned_abs() / d).cast_signed()
}

/// `out[i] = v[i].div_euclid(d)` (`d > 0`) for the rows both have. Rows
/// from 1970 on (all of them, usually) take an unsigned division, which
/// is the same there and costs half as much.
#[inline(always)]
fn floor_div(v: &[i64], out: &mut [i64], d: u64) {
    let v = v.get(..out.len()).unwrap_or(v);
    if all_from_1970(v) {
        for (o, &x) in out.iter_mut().zip(v) {
            *o = unsigned_div(x, d);
        }
    } else {
        let d = d.cast_signed();
        for (o, &x) in out.iter_mut().zip(v) {
            *o = x.div_euclid(d);
        }
    }
}

/// The first index where `bad` holds. Each block is first tested with a
/// branch-free fold, which the compiler vectorizes.
pub(crate) fn first_where<T: Copy>(v: &[T], bad: impl Fn(T) -> bool) -> Option<usize> {
    const BLOCK: usize = 4096;
    for (b, chunk) in v.chunks(BLOCK).enumerate() {
        if chunk.iter().fold(false, |acc, &x| acc | bad(x)) {
            return chunk.iter().position(|&x| bad(x)).map(|p| b * BLOCK + p);
        }
    }
    None
}

/// 0001-01-01T00:00:00Z in ms.
pub(crate) const MIN_MS: i64 = -62_135_596_800_000;
/// 9999-12-31T23:59:59.999Z in ms.
pub(crate) const MAX_MS: i64 = 253_402_300_799_999;

/// A kind column: codes or names.
#[derive(Debug, Clone, Copy)]
pub enum KindColumn<'a> {
    /// [`Kind::code`] per row.
    Codes(&'a [u8]),
    /// Kind names (`"event_held"`) per row, plain or dictionary-encoded.
    Names(StrColumn<'a>),
}

impl KindColumn<'_> {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            KindColumn::Codes(c) => c.len(),
            KindColumn::Names(n) => n.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A batch of activity as columns (a struct of slices), so a binding can pass
/// Arrow or NumPy buffers without building a struct per row.
///
/// ```
/// use chapterhouse::health::{Columns, KindColumn, Kind, Strings, StrColumn, TimeColumn};
/// let groups = ["ch-1", "ch-2"];
/// let cols = Columns {
///     group: StrColumn::Dict { keys: &[0, 1, 1], values: Strings::Slice(&groups) },
///     time: TimeColumn::Seconds(&[1_790_000_000, 1_790_000_100, 1_790_000_200]),
///     kind: KindColumn::Codes(&[Kind::EventHeld.code(), Kind::Post.code(), Kind::Win.code()]),
///     value: Some(&[12.0, f64::NAN, 1.0]),
///     actor: None,
///     actor_valid: None,
/// };
/// assert_eq!(cols.len(), 3);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    /// Group ids.
    pub group: StrColumn<'a>,
    /// Times.
    pub time: TimeColumn<'a>,
    /// Kinds.
    pub kind: KindColumn<'a>,
    /// Values; `NaN` marks a missing value; `None` means all missing.
    pub value: Option<&'a [f64]>,
    /// Actor (person) ids; an empty string or [`NULL_KEY`] is no actor;
    /// `None` means no actors at all.
    pub actor: Option<StrColumn<'a>>,
    /// An Arrow validity bitmap for the actor column (bit `i % 8` of byte
    /// `i / 8`, set = present); `None` means every row is present.
    pub actor_valid: Option<&'a [u8]>,
}

impl Columns<'_> {
    /// The number of rows (the length of the group column).
    pub fn len(&self) -> usize {
        self.group.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Interns strings to dense indices, copying each distinct string once into
/// one arena (no allocation per string). Strings are found by their keyed
/// SipHash value (std's `RandomState`, so crafted ids cannot force
/// collisions), with a chain for the rare equal hashes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    state: RandomState,
    /// Hash → the newest index with that hash.
    heads: HashMap<u64, u32, BuildHasherDefault<HashIsKey>>,
    /// Index → the previous index with the same hash (`NULL_KEY`: none).
    prev: Vec<u32>,
    hashes: Vec<u64>,
    arena: String,
    /// Index → its end in the arena (its start is the previous end).
    ends: Vec<usize>,
}

/// A hasher for keys that are already hashes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HashIsKey(u64);

impl Hasher for HashIsKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

impl Interner {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn hash(&self, s: &str) -> u64 {
        self.state.hash_one(s)
    }

    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        self.find(s, self.hash(s))
    }

    pub(crate) fn find(&self, s: &str, h: u64) -> Option<u32> {
        let mut i = *self.heads.get(&h)?;
        loop {
            if self.name(i) == s {
                return Some(i);
            }
            i = self.prev.get(i as usize).copied().unwrap_or(NULL_KEY);
            if i == NULL_KEY {
                return None;
            }
        }
    }

    pub(crate) fn name(&self, i: u32) -> &str {
        let i = i as usize;
        let end = self.ends.get(i).copied().unwrap_or(0);
        let start = match i.checked_sub(1) {
            Some(p) => self.ends.get(p).copied().unwrap_or(0),
            None => 0,
        };
        self.arena.get(start..end).unwrap_or("")
    }

    /// Room for `n` more strings.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.heads.reserve(n);
        self.prev.reserve(n);
        self.hashes.reserve(n);
        self.ends.reserve(n);
    }

    /// The index of `s`, inserting it (as the next index) if new.
    pub(crate) fn intern(&mut self, s: &str, what: &'static str) -> Result<u32, HealthError> {
        let h = self.hash(s);
        match self.find(s, h) {
            Some(i) => Ok(i),
            None => self.insert_hashed(s, h, what),
        }
    }

    /// Inserts `s`, which the caller has just looked up and not found.
    pub(crate) fn insert_new(&mut self, s: &str, what: &'static str) -> Result<u32, HealthError> {
        let h = self.hash(s);
        self.insert_hashed(s, h, what)
    }

    /// Inserts `s`, whose hash is `h`, which the caller has just looked up
    /// and not found.
    pub(crate) fn insert_hashed(
        &mut self,
        s: &str,
        h: u64,
        what: &'static str,
    ) -> Result<u32, HealthError> {
        let i = u32::try_from(self.len())
            .ok()
            .filter(|&i| i < NULL_KEY - 1)
            .ok_or(HealthError::TooMany { what })?;
        let prev = self.heads.insert(h, i).unwrap_or(NULL_KEY);
        self.prev.push(prev);
        self.hashes.push(h);
        self.arena.push_str(s);
        self.ends.push(self.arena.len());
        Ok(i)
    }

    /// Forgets every string interned since the interner had `len` entries.
    pub(crate) fn truncate(&mut self, len: usize) {
        while self.len() > len {
            let i = self.len() - 1;
            let h = self.hashes.get(i).copied().unwrap_or(0);
            match self.prev.get(i).copied().unwrap_or(NULL_KEY) {
                NULL_KEY => self.heads.remove(&h),
                p => self.heads.insert(h, p),
            };
            self.prev.pop();
            self.hashes.pop();
            self.ends.pop();
            let end = self.ends.last().copied().unwrap_or(0);
            self.arena.truncate(end);
        }
    }
}

/// An owned activity table in column form: what [`ActivityTable::from_csv`]
/// returns and what [`ActivityTable::push`] builds from rows. Group and actor
/// ids are dictionary-encoded.
#[derive(Debug, Clone, Default)]
pub struct ActivityTable {
    groups: Interner,
    actors: Interner,
    group_keys: Vec<u32>,
    times: Vec<i64>,
    kinds: Vec<u8>,
    values: Vec<f64>,
    actor_keys: Vec<u32>,
    group_names: Vec<String>,
    actor_names: Vec<String>,
}

impl ActivityTable {
    /// An empty table.
    pub fn new() -> ActivityTable {
        ActivityTable::default()
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Appends a row after checking it; on error nothing is added.
    ///
    /// The group must be a valid node id; the actor, if any, a valid person
    /// id; a value must be finite, zero or more, and at most 10^9; a
    /// `leader_action` needs an actor.
    pub fn push(&mut self, row: ActivityRow<'_>) -> Result<(), HealthError> {
        let at = self.len();
        let ms = row.time.timestamp_millis();
        if !(MIN_MS..=MAX_MS).contains(&ms) {
            return Err(HealthError::row(
                at,
                "time",
                "is outside the years 1 to 9999",
            ));
        }
        let value = match row.value {
            Some(v) => {
                check_value(v).map_err(|r| HealthError::row(at, "value", r))?;
                v
            }
            None => f64::NAN,
        };
        let actor = row.actor.filter(|a| !a.is_empty());
        if row.kind == Kind::LeaderAction && actor.is_none() {
            return Err(HealthError::row(
                at,
                "actor",
                "is required for leader_action",
            ));
        }
        check_group(row.group).map_err(|r| HealthError::row(at, "group", r))?;
        if let Some(a) = actor {
            check_person(a).map_err(|r| HealthError::row(at, "actor", r))?;
        }
        let (g_len, a_len) = (self.groups.len(), self.actors.len());
        let g = self.groups.intern(row.group, "groups")?;
        let a = match actor {
            Some(a) => match self.actors.intern(a, "people") {
                Ok(a) => a,
                Err(e) => {
                    self.groups.truncate(g_len);
                    return Err(e);
                }
            },
            None => NULL_KEY,
        };
        if self.groups.len() > g_len {
            self.group_names.push(row.group.to_owned());
        }
        if self.actors.len() > a_len
            && let Some(a) = actor
        {
            self.actor_names.push(a.to_owned());
        }
        self.group_keys.push(g);
        self.times.push(ms);
        self.kinds.push(row.kind.code());
        self.values.push(value);
        self.actor_keys.push(a);
        Ok(())
    }

    /// The table as columns (group and actor dictionary-encoded, times in ms).
    pub fn columns(&self) -> Columns<'_> {
        Columns {
            group: StrColumn::Dict {
                keys: &self.group_keys,
                values: Strings::Owned(&self.group_names),
            },
            time: TimeColumn::Millis(&self.times),
            kind: KindColumn::Codes(&self.kinds),
            value: Some(&self.values),
            actor: Some(StrColumn::Dict {
                keys: &self.actor_keys,
                values: Strings::Owned(&self.actor_names),
            }),
            actor_valid: None,
        }
    }

    /// Reads an activity log from CSV text with the header
    /// `group,time,kind,value,actor` (columns in any order, each exactly
    /// once). Times are RFC 3339 (`2026-10-01T18:00:00Z`); `value` and
    /// `actor` may be empty. Errors name the 1-based line and the column.
    ///
    /// ```
    /// use chapterhouse::health::ActivityTable;
    /// let csv = "group,time,kind,value,actor\n\
    ///            ch-1,2026-10-01T18:00:00Z,event_held,14,ana\n\
    ///            ch-1,2026-10-02T09:00:00Z,post,,bo\n";
    /// let table = ActivityTable::from_csv(csv)?;
    /// assert_eq!(table.len(), 2);
    /// let err = ActivityTable::from_csv("group,time,kind,value,actor\nch-1,yesterday,post,,\n")
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(),
    ///     "csv line 2, column time: \"yesterday\" is not an RFC 3339 time (like 2026-10-01T18:00:00Z)");
    /// # Ok::<(), chapterhouse::health::HealthError>(())
    /// ```
    pub fn from_csv(text: &str) -> Result<ActivityTable, HealthError> {
        ActivityTable::from_csv_with(text, &crate::Limits::default())
    }

    /// [`ActivityTable::from_csv`] with explicit limits: the text's size
    /// (`max_input_bytes`) and its number of lines (`max_activity_rows`, the
    /// header excluded) are checked before any row is read.
    pub fn from_csv_with(text: &str, limits: &crate::Limits) -> Result<ActivityTable, HealthError> {
        crate::Limits::check(
            "activity CSV",
            text.len(),
            limits.max_input_bytes,
            "max_input_bytes",
        )?;
        // data lines: every line break ends a line; the header is not a row
        let breaks = text.bytes().filter(|&b| b == b'\n').count();
        let rows = if text.ends_with('\n') {
            breaks.saturating_sub(1)
        } else {
            breaks
        };
        crate::Limits::check(
            "activity rows",
            rows,
            limits.max_activity_rows,
            "max_activity_rows",
        )?;
        const NAMES: [&str; 5] = ["group", "time", "kind", "value", "actor"];
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header = reader.headers().map_err(|e| HealthError::CsvHeader {
            reason: csv_reason(&e),
        })?;
        let mut pos = [usize::MAX; 5];
        for (i, name) in header.iter().enumerate() {
            let name = name.trim_start_matches('\u{feff}');
            let Some(slot) = NAMES.iter().position(|n| *n == name) else {
                return Err(HealthError::CsvHeader {
                    reason: format!(
                        "unknown column {:?} (expected group,time,kind,value,actor)",
                        cut(name)
                    ),
                });
            };
            let p = pos.get_mut(slot).ok_or(HealthError::CsvHeader {
                reason: "unreadable".into(),
            })?;
            if *p != usize::MAX {
                return Err(HealthError::CsvHeader {
                    reason: format!("column {name} appears twice"),
                });
            }
            *p = i;
        }
        if let Some(missing) = NAMES
            .iter()
            .zip(pos)
            .find(|(_, p)| *p == usize::MAX)
            .map(|(n, _)| n)
        {
            return Err(HealthError::CsvHeader {
                reason: format!(
                    "column {missing} is missing (expected group,time,kind,value,actor)"
                ),
            });
        }
        let [pg, pt, pk, pv, pa] = pos;
        let mut table = ActivityTable::new();
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Err(HealthError::Csv {
                        line,
                        column: "*",
                        reason: csv_reason(&e),
                    });
                }
            }
            let line = record.position().map_or(0, |p| p.line());
            let field = |i: usize| record.get(i).unwrap_or("");
            let bad = |column: &'static str, reason: String| HealthError::Csv {
                line,
                column,
                reason,
            };
            let group = field(pg);
            check_group(group).map_err(|r| bad("group", format!("{:?} {r}", cut(group))))?;
            let time_text = field(pt);
            let time = DateTime::parse_from_rfc3339(time_text)
                .map_err(|_| {
                    bad(
                        "time",
                        format!(
                            "{:?} is not an RFC 3339 time (like 2026-10-01T18:00:00Z)",
                            cut(time_text)
                        ),
                    )
                })?
                .with_timezone(&Utc);
            let kind_text = field(pk);
            let kind = Kind::parse(kind_text).ok_or_else(|| {
                bad(
                    "kind",
                    format!(
                        "{:?} is not an activity kind (expected one of event_held, member_joined, member_left, leader_action, post, petition_started, action_reported, win)",
                        cut(kind_text)
                    ),
                )
            })?;
            let value_text = field(pv);
            let value = if value_text.is_empty() {
                None
            } else {
                let v: f64 = value_text
                    .parse()
                    .map_err(|_| bad("value", format!("{:?} is not a number", cut(value_text))))?;
                check_value(v).map_err(|r| bad("value", format!("{:?} {r}", cut(value_text))))?;
                Some(v)
            };
            let actor = Some(field(pa)).filter(|a| !a.is_empty());
            if let Some(a) = actor {
                check_person(a).map_err(|r| bad("actor", format!("{:?} {r}", cut(a))))?;
            } else if kind == Kind::LeaderAction {
                return Err(bad("actor", "is required for leader_action".into()));
            }
            table
                .push(ActivityRow {
                    group,
                    time,
                    kind,
                    value,
                    actor,
                })
                .map_err(|e| match e {
                    HealthError::InvalidRow { column, reason, .. } => bad(column, reason),
                    other => other,
                })?;
        }
        Ok(table)
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".into(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} fields, expected {expected_len}"),
        _ => {
            let s = e.to_string();
            s.split(": ").last().unwrap_or(&s).to_lowercase()
        }
    }
}

/// The largest value accepted in a value column.
pub const MAX_VALUE: f64 = 1e9;

pub(crate) fn check_value(v: f64) -> Result<(), &'static str> {
    if !v.is_finite() {
        Err("is not a finite number")
    } else if v < 0.0 {
        Err("is negative")
    } else if v > MAX_VALUE {
        Err("is larger than 1000000000")
    } else {
        Ok(())
    }
}

pub(crate) fn check_group(s: &str) -> Result<(), &'static str> {
    check_id(s)
}

pub(crate) fn check_person(s: &str) -> Result<(), &'static str> {
    check_id(s)
}

fn check_id(s: &str) -> Result<(), &'static str> {
    if s.is_empty() {
        Err("is empty")
    } else if s.len() > crate::id::MAX_ID_LEN {
        Err("is longer than 200 bytes")
    } else if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err("contains whitespace or control characters")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "group,time,kind,value,actor\n";

    proptest::proptest! {
        /// Times in ms are floors, before 1970 and after, whichever loop
        /// a block takes.
        #[test]
        fn times_in_ms_are_floors(v in proptest::collection::vec(proptest::prelude::any::<i64>(), 0..40),
                                  after_1970 in proptest::prelude::any::<bool>()) {
            let v: Vec<i64> = v.into_iter().map(|x| if after_1970 { x.saturating_abs() } else { x }).collect();
            let mut out = vec![7; v.len()];
            TimeColumn::Nanos(&v).fill_millis(0, &mut out);
            let want: Vec<i64> = v.iter().map(|x| x.div_euclid(1_000_000)).collect();
            proptest::prop_assert_eq!(&out, &want);
            TimeColumn::Micros(&v).fill_millis(0, &mut out);
            let want: Vec<i64> = v.iter().map(|x| x.div_euclid(1000)).collect();
            proptest::prop_assert_eq!(&out, &want);
        }

        /// Nanoseconds are read in place only when every row asked for is
        /// from 1970 on, and then each row's ms is what `fill_millis` writes.
        #[test]
        fn nanos_from_1970_in_place_are_ms_as_filled(
            v in proptest::collection::vec(proptest::prelude::any::<i64>(), 0..40),
            after_1970 in proptest::prelude::any::<bool>(),
            start in 0usize..45, len in 0usize..45,
        ) {
            let v: Vec<i64> = v.into_iter().map(|x| if after_1970 { x.saturating_abs() } else { x }).collect();
            let col = TimeColumn::Nanos(&v);
            let rows = v.get(start..start + len);
            match col.nanos_from_1970(start, len) {
                Some(ns) => {
                    proptest::prop_assert_eq!(Some(ns), rows);
                    proptest::prop_assert!(ns.iter().all(|&x| x >= 0));
                    let mut out = vec![7; len];
                    col.fill_millis(start, &mut out);
                    let got: Vec<i64> = ns.iter().map(|&x| ms_of_nanos(x)).collect();
                    proptest::prop_assert_eq!(got, out);
                }
                None => proptest::prop_assert!(rows.is_none_or(|r| r.iter().any(|&x| x < 0))),
            }
            proptest::prop_assert_eq!(TimeColumn::Millis(&v).nanos_from_1970(0, v.len()), None);
        }
    }

    #[test]
    fn kinds_round_trip_by_code_and_name() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), k);
        }
        assert_eq!(Kind::from_code(8), None);
        assert!("meeting".parse::<Kind>().is_err());
    }

    #[test]
    fn csv_reads_columns_in_any_order() {
        let t = ActivityTable::from_csv(
            "actor,kind,group,value,time\nana,event_held,ch-1,12,2026-10-01T18:00:00+02:00\n,post,ch-2,,2026-10-02T00:00:00Z\n",
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t.times[0], 1_790_812_800_000 + 16 * 3_600_000);
        assert_eq!(t.actor_keys[1], NULL_KEY);
        assert!(t.values[1].is_nan());
        assert_eq!(t.group_names, vec!["ch-1", "ch-2"]);
    }

    #[test]
    fn csv_errors_name_line_and_column() {
        let cases = [
            (
                "group,time,kind,value\n",
                "csv header: column actor is missing",
            ),
            (
                "group,time,kind,value,actor,x\n",
                "csv header: unknown column \"x\"",
            ),
            ("group,time,kind,value,actor\n", ""),
        ];
        for (text, want) in cases {
            match ActivityTable::from_csv(text) {
                Ok(t) => assert!(want.is_empty() && t.is_empty()),
                Err(e) => assert!(e.to_string().starts_with(want), "{e}"),
            }
        }
        let rows = [
            (
                "ch 1,2026-10-01T00:00:00Z,post,,",
                "csv line 3, column group:",
            ),
            ("ch-1,2026-10-01,post,,", "csv line 3, column time:"),
            (
                "ch-1,2026-10-01T00:00:00Z,meet,,",
                "csv line 3, column kind:",
            ),
            (
                "ch-1,2026-10-01T00:00:00Z,win,-1,",
                "csv line 3, column value: \"-1\" is negative",
            ),
            (
                "ch-1,2026-10-01T00:00:00Z,win,abc,",
                "csv line 3, column value: \"abc\" is not a number",
            ),
            (
                "ch-1,2026-10-01T00:00:00Z,win,NaN,",
                "csv line 3, column value: \"NaN\" is not a finite number",
            ),
            (
                "ch-1,2026-10-01T00:00:00Z,leader_action,,",
                "csv line 3, column actor: is required",
            ),
            (
                "ch-1,2026-10-01T00:00:00Z,post,",
                "csv line 3, column *: has 4 fields, expected 5",
            ),
        ];
        for (row, want) in rows {
            let text = format!("{HEAD}ch-1,2026-10-01T00:00:00Z,post,,ana\n{row}\n");
            let e = ActivityTable::from_csv(&text).unwrap_err();
            assert!(e.to_string().starts_with(want), "{row}: {e}");
            assert_eq!(e.kind(), crate::ErrorKind::Parse);
        }
    }

    #[test]
    fn push_is_atomic() {
        let mut t = ActivityTable::new();
        let time = "2026-10-01T00:00:00Z".parse().unwrap();
        let bad = ActivityRow {
            group: "new-group",
            time,
            kind: Kind::Win,
            value: Some(f64::INFINITY),
            actor: Some("x"),
        };
        assert!(t.push(bad).is_err());
        assert!(t.is_empty());
        assert_eq!(t.groups.len(), 0);
        assert_eq!(t.actors.len(), 0);
    }

    #[test]
    fn interner_finds_rolls_back_and_chains_equal_hashes() {
        let mut t = Interner::default();
        assert_eq!(t.intern("a", "x").unwrap(), 0);
        assert_eq!(t.intern("bb", "x").unwrap(), 1);
        assert_eq!(t.intern("a", "x").unwrap(), 0);
        assert_eq!((t.name(0), t.name(1), t.name(7)), ("a", "bb", ""));
        // Two strings forced onto one hash are told apart by the chain.
        let h = t.hash("bb");
        assert_eq!(t.insert_hashed("cc", h, "x").unwrap(), 2);
        assert_eq!(t.find("bb", h), Some(1));
        assert_eq!(t.find("cc", h), Some(2));
        assert_eq!(t.find("dd", h), None);
        t.truncate(2);
        assert_eq!(t.find("cc", h), None);
        assert_eq!(t.find("bb", h), Some(1));
        t.truncate(1);
        assert_eq!((t.len(), t.get("bb"), t.get("a")), (1, None, Some(0)));
        assert_eq!(t.intern("bb", "x").unwrap(), 1);
        assert_eq!(t.name(1), "bb");
    }

    #[test]
    fn arrow_strings_are_checked() {
        let s = Strings::Utf8 {
            offsets: &[0, 2, 5, 4],
            data: b"abcde",
        };
        assert_eq!(s.len(), 3);
        assert_eq!(s.get(0), Ok("ab"));
        assert_eq!(s.get(1), Ok("cde"));
        assert!(s.get(2).is_err());
        let bad = Strings::LargeUtf8 {
            offsets: &[0, 2],
            data: &[0xff, 0xfe],
        };
        assert_eq!(bad.get(0), Err("is not valid UTF-8"));
    }
}
