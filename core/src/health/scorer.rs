//! The scorer: folds activity into per-group accumulators, then reports.
//!
//! Every sum is an integer in fixed point (see `decay`), every maximum and
//! minimum is exact, and capped posts are chosen by a total order on
//! (author, day, age), so the result does not depend on the order rows
//! arrive in, bit for bit. A batch is counted block by block: each block's
//! rows are gathered into buckets of consecutive groups (in one piece of
//! rows per core on native targets; wasm counts in one), then the buckets
//! are counted straight into their groups, in parallel, each bucket's group
//! state staying in cache. By the same token as above, neither the pieces
//! nor the buckets' order change the result. Groups are reported in
//! parallel too.

use std::ops::Range;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::decay::{self, Clock, HalfLife};
use super::error::HealthError;
use super::facts::Facts;
use super::input::{
    ActivityRow, ActivityTable, Columns, Interner, Kind, KindColumn, MAX_MS, MIN_MS, NULL_KEY,
    StrColumn, Strings, check_group, check_person, check_value, first_where, ms_of_nanos,
};
use super::metrics::{self, NetworkMetrics, WindowTotals};
use super::model::{Calibration, Component, DAY_MS, HealthModel, days_to_ms};
use super::report::{
    ComponentReport, Excluded, GroupReport, HealthReport, Intervention, LeaderRecency, Milestone,
    Onboarding, Status, Trend, TrendDirection, num, push_count, push_count_num, push_days_ago,
    push_num, push_tenths, push_u64,
};

const NEVER: u64 = u64::MAX;
/// A dictionary entry not yet looked at.
const UNRESOLVED: u32 = u32::MAX - 1;
/// Fraction bits of values in fixed point.
const VALUE_BITS: u32 = 20;
/// Decayed terms keep 62 + 20 - 50 = 32 fraction bits.
const TERM_SHIFT: u32 = 50;
const VALUE_ONE: u64 = 1 << VALUE_BITS;
const MISSING: u64 = u64::MAX;
/// A post's key: author << `POST_AGE_BITS` | plain age in ms, for authors
/// below `POST_NO_AUTHOR` and ages below 2^40 ms (34 years); other posts
/// keep a wide key (author << 96 | biased day << 64 | age).
const POST_AGE_BITS: u32 = 40;
/// The narrow author field of a post without an author.
const POST_NO_AUTHOR: u32 = (1 << (64 - POST_AGE_BITS)) - 1;

#[allow(clippy::cast_precision_loss)]
const S_SCALE: f64 = (1u64 << 32) as f64;
#[allow(clippy::cast_precision_loss)]
const V_SCALE: f64 = VALUE_ONE as f64;
/// Rows are counted a block at a time … (small in unit tests, to cross blocks)
const BLOCK_ROWS: usize = if cfg!(test) { 1000 } else { 1 << 21 };
/// … partitioned into buckets of this many consecutive groups. A bucket of
/// a block holds as many rows as one of 256 groups in a block of 2^20 rows
/// (they still fit in the second-level cache), but each (group, kind) run
/// is twice as long: what starting and closing a run costs is spread over
/// twice the rows.
const BUCKET_GROUPS: usize = 128;

/// One row, gathered for counting (the bucket it is gathered into gives
/// the rest of its group): time in ms, value, actor, the group's place in
/// its bucket and the kind.
trait Row: Copy + Default + Send + Sync {
    /// Every value is missing or below 2^16, so a value in fixed point is
    /// below 2^36 and the sums of one run (at most a block, 2^21 rows) stay
    /// below 2^57: they need no saturation.
    const SMALL_VALUES: bool;
    fn new(t: i64, v: f64, a: u32, g: u8, k: u8) -> Self;
    fn t(&self) -> i64;
    fn v(&self) -> f64;
    fn a(&self) -> u32;
    fn g(&self) -> u8;
    fn k(&self) -> u8;
    /// The value in fixed point ([`fx`]), or [`MISSING`] when missing.
    #[inline(always)]
    fn v_fx(&self) -> u64 {
        let v = self.v();
        if v.is_nan() { MISSING } else { fx(v) }
    }
    /// The row's place among a bucket's (group, kind) pairs.
    #[inline(always)]
    fn key(&self) -> usize {
        usize::from(self.g()) * 8 + usize::from(self.k() & 7)
    }
}

/// Any row: 24 bytes.
#[derive(Debug, Clone, Copy, Default)]
struct Rec {
    t: i64,
    v: f64,
    a: u32,
    g: u8,
    k: u8,
}

/// A row whose value is missing or a whole number below [`NO_VALUE`]:
/// 16 bytes, so a third less to move in the two counting sorts. Values of
/// activity logs are mostly counts or missing. The fields besides the time
/// are packed in one word, `w`: actor (bits 0..32), value (32..48), kind
/// (48..51) and the group's place (51..59), so that a row is written with
/// two stores (not five: the scatters are bound by their stores) and its
/// sort key is one shift.
#[derive(Debug, Clone, Copy, Default)]
struct Rec16 {
    t: i64,
    w: u64,
}

const REC16_KEY_SHIFT: u32 = 48;

/// A missing value in a [`Rec16`].
const NO_VALUE: u16 = u16::MAX;

/// 2^52: the sum of it and a number in [0, 2^52) is rounded to a whole
/// number, held in the low bits of the sum's representation.
const WHOLE: f64 = 4_503_599_627_370_496.0;

// A group's place in its bucket fits in a row's `g`.
const _: () = assert!(BUCKET_GROUPS <= 256);

/// The accessors both row layouts share (their fields have the same names).
macro_rules! shared_fields {
    () => {
        #[inline(always)]
        fn t(&self) -> i64 {
            self.t
        }
        #[inline(always)]
        fn a(&self) -> u32 {
            self.a
        }
        #[inline(always)]
        fn g(&self) -> u8 {
            self.g
        }
        #[inline(always)]
        fn k(&self) -> u8 {
            self.k
        }
    };
}

impl Row for Rec {
    const SMALL_VALUES: bool = false;
    #[inline(always)]
    fn new(t: i64, v: f64, a: u32, g: u8, k: u8) -> Self {
        Rec { t, v, a, g, k }
    }
    #[inline(always)]
    fn v(&self) -> f64 {
        self.v
    }
    shared_fields!();
}

impl Row for Rec16 {
    const SMALL_VALUES: bool = true;
    /// `v` must be NaN or fit (see [`fits_rec16`]): a whole number below
    /// 2^16 is the low bits of `v + WHOLE` (no saturating conversion).
    #[inline(always)]
    fn new(t: i64, v: f64, a: u32, g: u8, k: u8) -> Self {
        let whole = (v + WHOLE).to_bits() & 0xffff;
        let v = if v.is_nan() {
            u64::from(NO_VALUE)
        } else {
            whole
        };
        let key = (u64::from(g) << 3) | u64::from(k & 7);
        Rec16 {
            t,
            w: u64::from(a) | (v << 32) | (key << REC16_KEY_SHIFT),
        }
    }
    #[inline(always)]
    #[allow(clippy::cast_possible_truncation)]
    fn v(&self) -> f64 {
        let v = (self.w >> 32) as u16;
        if v == NO_VALUE {
            f64::NAN
        } else {
            f64::from(v)
        }
    }
    /// A whole number below 2^16 in fixed point is the number shifted: no
    /// conversion through a float (`fx` of it is exact).
    #[inline(always)]
    #[allow(clippy::cast_possible_truncation)]
    fn v_fx(&self) -> u64 {
        let v = (self.w >> 32) as u16;
        if v == NO_VALUE {
            MISSING
        } else {
            u64::from(v) << VALUE_BITS
        }
    }
    #[inline(always)]
    fn t(&self) -> i64 {
        self.t
    }
    #[inline(always)]
    #[allow(clippy::cast_possible_truncation)]
    fn a(&self) -> u32 {
        self.w as u32
    }
    #[inline(always)]
    #[allow(clippy::cast_possible_truncation)]
    fn g(&self) -> u8 {
        (self.w >> (REC16_KEY_SHIFT + 3)) as u8
    }
    #[inline(always)]
    #[allow(clippy::cast_possible_truncation)]
    fn k(&self) -> u8 {
        (self.w >> REC16_KEY_SHIFT) as u8 & 7
    }
    #[inline(always)]
    #[allow(clippy::cast_possible_truncation)]
    fn key(&self) -> usize {
        (self.w >> REC16_KEY_SHIFT) as usize & (BUCKET_GROUPS * 8 - 1)
    }
}

/// Whether every value is missing or a whole number a [`Rec16`] holds
/// exactly (checked with the values' validity, in the same pass).
fn fits_rec16(values: &[f64]) -> bool {
    // Branch-free and without conversions to integers, so it vectorizes:
    // `x + WHOLE - WHOLE` is `x` rounded to a whole number.
    values.iter().fold(true, |all, &x| {
        all & (x.is_nan() | ((x >= 0.0) & (x < f64::from(NO_VALUE)) & (x + WHOLE - WHOLE == x)))
    })
}

/// `$body` with `$k` bound to the keys' slice, whichever their width.
macro_rules! with_keys {
    ($keys:expr, $k:ident => $body:expr) => {
        match $keys {
            Keys::U32($k) => $body,
            Keys::I16($k) => $body,
        }
    };
}

/// Blocks are gathered across cores in pieces of at least this many rows.
#[cfg(not(target_arch = "wasm32"))]
const MIN_PIECE_ROWS: usize = 1 << 16;

/// How many pieces to gather a block of `rows` rows in: one per core (on
/// native targets), each of at least `MIN_PIECE_ROWS` rows.
fn piece_count(rows: usize) -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        rayon::current_num_threads()
            .min(rows / MIN_PIECE_ROWS)
            .max(1)
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = rows;
        1
    }
}

/// `f` of each block of `0..n` (blocks of `1 << 16`), combined in order
/// with `join`; on every core on native targets. `None` when `n` is 0.
fn blocks<T: Send>(
    n: usize,
    f: impl Fn(Range<usize>) -> T + Sync + Send,
    join: impl Fn(T, T) -> T + Sync + Send,
) -> Option<T> {
    const BLOCK: usize = 1 << 16;
    let block = move |b: usize| b * BLOCK..(b * BLOCK + BLOCK).min(n);
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        (0..n.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| f(block(b)))
            .reduce_with(join)
    }
    #[cfg(target_arch = "wasm32")]
    {
        (0..n.div_ceil(BLOCK)).map(|b| f(block(b))).reduce(join)
    }
}

/// The first index in `0..n` where `bad` holds, looked for on every core.
fn first_bad(n: usize, bad: impl Fn(usize) -> bool + Sync + Send) -> Option<usize> {
    blocks(n, |mut r| r.find(|&i| bad(i)), Option::or).flatten()
}

/// The first of the `n` rows of kind `leader_action` without an actor.
fn first_leaderless(n: usize, kind: &KindRes<'_>, actor: &Res<'_>) -> Option<usize> {
    let no_actor = actor.null_entries();
    let leader = Kind::LeaderAction.code();
    let leaderless = |i: usize| kind.get(i) == leader && actor.is_null(i, &no_actor);
    match (kind, actor) {
        // Kind codes and a dictionary without an entry that means "no
        // actor" (a missing key is then the only way to have none): each
        // block is first tested without a branch, and only a block with
        // such a row is searched.
        (KindRes::Codes(codes), Res::Dict { keys, .. }) if no_actor.iter().all(|&w| w == 0) => {
            with_keys!(keys, k => blocks(
                n,
                |r| {
                    let codes = codes.get(r.clone()).unwrap_or_default();
                    let keys = k.get(r.clone()).unwrap_or_default();
                    let any = codes.iter().zip(keys).fold(false, |any, (&c, &k)| {
                        any | ((c == leader) & (k.entry() == NULL_KEY))
                    });
                    if any { r.into_iter().find(|&i| leaderless(i)) } else { None }
                },
                Option::or,
            ))
            .flatten()
        }
        _ => first_bad(n, leaderless),
    }
}

/// Reusable sort space for [`Scorer::measure`].
#[derive(Debug, Default)]
struct Scratch {
    /// Narrow post keys of crowded slots, to sort.
    suspects: Vec<u64>,
    /// Wide post keys, to sort.
    wide: Vec<u128>,
    /// Posts per slot of a hash of (author, day), saturating (a full slot
    /// is sorted).
    slots: Vec<u16>,
    /// Each post's slot.
    homes: Vec<u32>,
    /// Authors of counted posts in the window.
    authors: Authors,
    /// The number of slots as a power of two, when a test sets it (0: one
    /// slot, so every bucket is sorted).
    slot_bits: Option<u32>,
}

/// The counted posts of a group: their decayed sum and counts by window.
#[derive(Debug)]
struct PostTally {
    decay: HalfLife,
    win: u64,
    recent: u64,
    base: u64,
    s: u128,
    n_win: u64,
    n_recent: u64,
    n_base: u64,
}

impl PostTally {
    /// Counts one post (`authors` collects the window's authors). Inlined,
    /// so that the sums stay in registers through the loop over posts.
    #[inline(always)]
    fn take(&mut self, authors: &mut Authors, author: u32, age: u64) {
        self.s += term(self.decay.weight(age), VALUE_ONE);
        if age <= self.win {
            self.n_win += 1;
            authors.add(author);
        }
        self.n_recent += u64::from(age <= self.recent);
        self.n_base += u64::from(age <= self.base);
    }
}

/// The distinct authors of a group's counted posts in the window (no
/// author, [`NULL_KEY`], is one of them): one bit per person, so that each
/// is listed once as it comes, where sorting the list of every post's
/// author to count them took longer.
#[derive(Debug, Default)]
struct Authors {
    /// Per person, one bit: listed.
    seen: Vec<u64>,
    /// The people listed, to clear their bits.
    list: Vec<u32>,
    /// A post without an author was counted.
    nobody: bool,
}

impl Authors {
    /// Ready for a group, with room for the bits of `people` people.
    fn start(&mut self, people: usize) {
        for &a in &self.list {
            if let Some(w) = self.seen.get_mut(a as usize / 64) {
                *w = 0;
            }
        }
        self.list.clear();
        self.nobody = false;
        let words = people.div_ceil(64);
        if self.seen.len() < words {
            self.seen.resize(words, 0);
        }
    }

    #[inline(always)]
    fn add(&mut self, a: u32) {
        if a == NULL_KEY {
            self.nobody = true;
        } else if let Some(w) = self.seen.get_mut(a as usize / 64) {
            let bit = 1 << (a % 64);
            if *w & bit == 0 {
                *w |= bit;
                self.list.push(a);
            }
        } else if !self.list.contains(&a) {
            // Not an interned person: listed all the same (never, in
            // practice: authors are interned).
            self.list.push(a);
        }
    }

    fn count(&self) -> u64 {
        self.list.len() as u64 + u64::from(self.nobody)
    }
}

/// [`DAY_MS`] as a `u64`.
const DAY_MS_U64: u64 = DAY_MS.unsigned_abs();

/// The ms from `now_ms` to the last ms of its day.
fn day_end_gap(now_ms: i64) -> u64 {
    u64::try_from(DAY_MS - 1 - now_ms.rem_euclid(DAY_MS)).unwrap_or(0)
}

/// How many days the day of `now_ms - raw` is before the day of `now_ms`
/// (`gap` is [`day_end_gap`] of `now_ms`): one unsigned division by a
/// constant, where [`post_day`] takes a signed one and its correction.
fn days_back(raw: u64, gap: u64) -> u64 {
    (raw + gap) / DAY_MS_U64
}

/// The day of `t` (ms), counted from the first day of year 1.
fn post_day(t: i64) -> u64 {
    u64::try_from(t.div_euclid(DAY_MS) - MIN_MS.div_euclid(DAY_MS)).unwrap_or(0)
}

/// A post's wide key: author << 96 | biased day << 64 | age.
fn wide_post(author: u32, t: i64, age: u64) -> u128 {
    (u128::from(author) << 96) | (u128::from(post_day(t)) << 64) | u128::from(age)
}

/// Turns counts into running sums in place (for the counting sorts: with
/// each count one slot to the right of its key, each key's start).
fn running_sum<T: Copy + std::ops::AddAssign>(counts: &mut [T]) {
    let mut sum = None;
    for c in counts {
        if let Some(s) = sum {
            *c += s;
        }
        sum = Some(*c);
    }
}

fn bit(bits: &[u64], i: u32) -> bool {
    bits.get(i as usize / 64)
        .is_some_and(|w| (w >> (i % 64)) & 1 == 1)
}

fn set_bit(bits: &mut [u64], i: u32) {
    if let Some(w) = bits.get_mut(i as usize / 64) {
        *w |= 1 << (i % 64);
    }
}

/// A value in fixed point (values are validated to at most 10^12 here).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn fx(v: f64) -> u64 {
    // v ≥ 0, so truncating v + 0.5 rounds half up (and avoids a libm call).
    // At most 10^12 · 2^20 < 2^63: the signed conversion (one instruction,
    // where the unsigned one takes two and a choice) truncates the same
    // way, and a negative or missing number still gives 0.
    ((v * V_SCALE + 0.5) as i64).max(0) as u64
}

#[allow(clippy::cast_precision_loss)]
fn unfx(v: u128) -> f64 {
    v as f64 / V_SCALE
}

fn term(w: u64, v: u64) -> u128 {
    (u128::from(w) * u128::from(v)) >> TERM_SHIFT
}

/// A decayed term, saturated to 64 bits (2^32 units: far beyond any `k`).
/// Saturating sums of non-negative terms are still order-independent.
fn term64(w: u64, v: u64) -> u64 {
    u64::try_from(term(w, v)).unwrap_or(u64::MAX)
}

#[allow(clippy::cast_precision_loss)]
fn s_value(s: u128) -> f64 {
    s as f64 / S_SCALE
}

/// Which component each kind feeds (by index into `Component::ALL`).
fn component_of(kind: Kind) -> usize {
    match kind {
        Kind::EventHeld => 0,
        Kind::LeaderAction => 1,
        Kind::PetitionStarted | Kind::ActionReported | Kind::Win => 2,
        Kind::MemberJoined | Kind::MemberLeft => 3,
        Kind::Post => 4,
    }
}

/// Counts and sums of one kind in one group: one cache line. Counts and
/// sums saturate (saturating sums of non-negative numbers do not depend on
/// their order).
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
struct KindStats {
    n: u32,
    n_win: u32,
    n_recent: u32,
    n_base: u32,
    n_metrics: u32,
    /// The oldest counted row's plain age in whole seconds.
    oldest_s: u32,
    last_age: u64,
    v: u64,
    v_win: u64,
    v_metrics: u64,
    /// The decayed sum (growth and impact kinds), 32 fraction bits.
    decayed: u64,
}

impl Default for KindStats {
    fn default() -> Self {
        KindStats {
            n: 0,
            n_win: 0,
            n_recent: 0,
            n_base: 0,
            n_metrics: 0,
            oldest_s: 0,
            last_age: NEVER,
            v: 0,
            v_win: 0,
            v_metrics: 0,
            decayed: 0,
        }
    }
}

impl KindStats {
    /// Adds the counts of `run` (rows counted from zero) to these.
    fn merge(&mut self, run: &KindStats) {
        self.n = self.n.saturating_add(run.n);
        self.n_win = self.n_win.saturating_add(run.n_win);
        self.n_recent = self.n_recent.saturating_add(run.n_recent);
        self.n_base = self.n_base.saturating_add(run.n_base);
        self.n_metrics = self.n_metrics.saturating_add(run.n_metrics);
        self.oldest_s = self.oldest_s.max(run.oldest_s);
        self.last_age = self.last_age.min(run.last_age);
        self.v = self.v.saturating_add(run.v);
        self.v_win = self.v_win.saturating_add(run.v_win);
        self.v_metrics = self.v_metrics.saturating_add(run.v_metrics);
        self.decayed = self.decayed.saturating_add(run.decayed);
    }
}

/// What a group's rows add up to. A row touches the header line and its
/// kind's line.
#[derive(Debug, Clone)]
#[repr(C)]
struct GroupAcc {
    hot: Hot,
    kinds: [KindStats; 8],
    /// (person, age of last counted action or NEVER).
    leaders: Vec<(u32, u64)>,
    excluded: Excluded,
    /// Wide post keys: author << 96 | biased day << 64 | age.
    posts_wide: Vec<u128>,
}

/// The per-row part of a group's header: one cache line.
#[derive(Debug, Clone)]
#[repr(C, align(64))]
struct Hot {
    /// `now` on the group's clock.
    eff_now: i64,
    /// No pauses: effective time is plain time.
    plain: bool,
    leaders_listed: bool,
    /// (age, attendance in fixed point or MISSING).
    events: Vec<(u64, u64)>,
    /// Narrow post keys (see `POST_AGE_BITS`).
    posts: Vec<u64>,
}

impl GroupAcc {
    fn new(eff_now: i64) -> Self {
        GroupAcc {
            hot: Hot {
                eff_now,
                plain: true,
                leaders_listed: false,
                events: Vec::new(),
                posts: Vec::new(),
            },
            kinds: [KindStats::default(); 8],
            leaders: Vec::new(),
            excluded: Excluded::default(),
            posts_wide: Vec::new(),
        }
    }
}

/// What a group's facts say (read once per row only for paused groups).
#[derive(Debug, Clone)]
struct GroupMeta {
    created_ms: Option<i64>,
    cohort: Option<String>,
    clock: Clock,
    previous: Option<Status>,
}

/// Windows and half-lives in ms.
#[derive(Debug, Clone, Copy)]
struct Spans {
    half_life: [u64; 5],
    decay: [HalfLife; 5],
    recent: u64,
    base: u64,
    metrics: u64,
    active_leader: u64,
    dormant_leader: u64,
    dormant_event: u64,
    new_group: u64,
    established: u64,
}

impl Spans {
    fn of(m: &HealthModel) -> Spans {
        let d = |days: u32| u64::from(days) * DAY_MS.unsigned_abs();
        Spans {
            half_life: Component::ALL.map(|c| days_to_ms(m.half_lives_days.get(c))),
            decay: Component::ALL.map(|c| HalfLife::new(days_to_ms(m.half_lives_days.get(c)))),
            recent: d(m.trend_recent_days),
            base: d(m.trend_baseline_days),
            metrics: d(m.metrics_window_days),
            active_leader: d(m.active_leader_days),
            dormant_leader: d(m.dormant_leader_days),
            dormant_event: d(m.dormant_event_days),
            new_group: d(m.new_group_days),
            established: d(m.established_days),
        }
    }

    fn window(&self, kind: Kind) -> u64 {
        self.half_life.get(component_of(kind)).copied().unwrap_or(0)
    }
}

/// Scores group health from an activity log.
///
/// Build it with the model, the facts and the time to score at; add
/// activity in any number of batches (rows, columns, or a table) in any
/// order; optionally [`calibrate`](Scorer::calibrate); then
/// [`report`](Scorer::report). A call that returns an error adds nothing.
///
/// ```
/// use chapterhouse::health::{ActivityTable, Facts, HealthModel, Scorer, Status};
/// let now = "2026-11-01T00:00:00Z".parse().unwrap();
/// let csv = "group,time,kind,value,actor\n\
///            ch-1,2026-10-20T18:00:00Z,event_held,25,ana\n\
///            ch-1,2026-10-28T09:00:00Z,leader_action,,ana\n\
///            ch-1,2026-10-29T09:00:00Z,leader_action,,bo\n\
///            ch-1,2026-10-30T09:00:00Z,member_joined,4,\n";
/// let facts = Facts::from_json(r#"{"groups": [{"group": "ch-1",
///     "created": "2025-01-01T00:00:00Z", "leaders": ["ana", "bo"]}]}"#)?;
/// let mut scorer = Scorer::new(&HealthModel::default(), &facts, now)?;
/// scorer.add_table(&ActivityTable::from_csv(csv)?)?;
/// let report = scorer.report(None);
/// let g = report.group("ch-1").unwrap();
/// let sum: f64 = g.components.iter().map(|c| c.contribution).sum();
/// assert_eq!(sum, g.score);
/// assert_eq!(g.status, Status::Steady);
/// println!("{}", g.explain());
/// # Ok::<(), chapterhouse::health::HealthError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scorer {
    model: HealthModel,
    now: DateTime<Utc>,
    now_ms: i64,
    spans: Spans,
    groups: Interner,
    meta: Vec<GroupMeta>,
    acc: Vec<GroupAcc>,
    actors: Interner,
    /// Per person, one bit: staff (their rows are not counted).
    staff_bits: Vec<u64>,
    /// Per person, one bit: a counted row within the metrics window.
    engaged_bits: Vec<u64>,
    staff_members: u64,
    /// The model's impact value per kind code (0 for other kinds).
    impact_per: [f64; 8],
}

/// A calibration fitted to a network's history, with what it was based on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationResult {
    /// The fitted constants; pass to [`Scorer::set_calibration`] or store in
    /// a [`HealthModel`].
    pub calibration: Calibration,
    /// How many established groups the saturation constants came from.
    pub established_groups: u64,
    /// What was fitted and from what, in plain words.
    pub notes: Vec<String>,
}

fn ms_in_range(ms: i64) -> bool {
    (MIN_MS..=MAX_MS).contains(&ms)
}

impl Scorer {
    /// A scorer for `now` with no activity yet. Validates the model and the
    /// facts.
    pub fn new(
        model: &HealthModel,
        facts: &Facts,
        now: DateTime<Utc>,
    ) -> Result<Scorer, HealthError> {
        model.validate()?;
        facts.validate()?;
        let now_ms = now.timestamp_millis();
        if !ms_in_range(now_ms) {
            return Err(HealthError::model(
                "now",
                "must be within the years 1 to 9999",
            ));
        }
        let mut s = Scorer {
            model: model.clone(),
            now,
            now_ms,
            spans: Spans::of(model),
            groups: Interner::default(),
            meta: Vec::new(),
            acc: Vec::new(),
            actors: Interner::default(),
            staff_bits: Vec::new(),
            engaged_bits: Vec::new(),
            staff_members: 0,
            impact_per: Kind::ALL.map(|k| match k {
                Kind::PetitionStarted => model.impact_values.petition_started,
                Kind::ActionReported => model.impact_values.action_reported,
                Kind::Win => model.impact_values.win,
                _ => 0.0,
            }),
        };
        for p in &facts.staff {
            let a = s.intern_actor(p.as_str())?;
            if !bit(&s.staff_bits, a) {
                s.staff_members += 1;
                set_bit(&mut s.staff_bits, a);
            }
        }
        for gf in &facts.groups {
            let gid = gf.group.as_str();
            let bad = |field: &str, reason: &str| HealthError::InvalidFacts {
                group: gid.to_owned(),
                field: field.to_owned(),
                reason: reason.to_owned(),
            };
            let created_ms = match gf.created {
                Some(c) => {
                    let ms = c.timestamp_millis();
                    if !ms_in_range(ms) {
                        return Err(bad("created", "is outside the years 1 to 9999"));
                    }
                    Some(ms)
                }
                None => None,
            };
            let mut windows = Vec::with_capacity(gf.pauses.len());
            for (i, p) in gf.pauses.iter().enumerate() {
                let (a, b) = (p.from.timestamp_millis(), p.until.timestamp_millis());
                if !ms_in_range(a) || !ms_in_range(b) {
                    return Err(bad(
                        &format!("pauses[{i}]"),
                        "is outside the years 1 to 9999",
                    ));
                }
                windows.push((a, b));
            }
            let clock = Clock::new(windows);
            let mut leaders = Vec::new();
            if let Some(list) = &gf.leaders {
                for p in list {
                    let a = s.intern_actor(p.as_str())?;
                    if !leaders.iter().any(|(x, _)| *x == a) {
                        leaders.push((a, NEVER));
                    }
                }
            }
            let g = s.groups.intern(gid, "groups")?;
            s.push_group();
            if let (Some(meta), Some(acc)) = (s.meta.get_mut(g as usize), s.acc.get_mut(g as usize))
            {
                meta.created_ms = created_ms;
                meta.cohort.clone_from(&gf.cohort);
                acc.hot.leaders_listed = gf.leaders.is_some();
                acc.hot.eff_now = clock.eff(now_ms);
                acc.hot.plain = clock.is_plain();
                meta.clock = clock;
                meta.previous = gf.previous_status;
                acc.leaders = leaders;
            }
        }
        Ok(s)
    }

    fn intern_actor(&mut self, id: &str) -> Result<u32, HealthError> {
        let a = self.actors.intern(id, "people")?;
        self.sync_actors();
        Ok(a)
    }

    fn sync_actors(&mut self) {
        let words = self.actors.len().div_ceil(64);
        self.staff_bits.resize(words, 0);
        self.engaged_bits.resize(words, 0);
    }

    fn push_group(&mut self) {
        let more = self.groups.len().saturating_sub(self.meta.len());
        self.meta.reserve(more);
        self.acc.reserve(more);
        while self.meta.len() < self.groups.len() {
            self.meta.push(GroupMeta {
                created_ms: None,
                cohort: None,
                clock: Clock::default(),
                previous: None,
            });
            self.acc.push(GroupAcc::new(self.now_ms));
        }
    }

    /// The time the scorer scores at.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The model in use (with its current calibration).
    pub fn model(&self) -> &HealthModel {
        &self.model
    }

    /// The number of distinct groups seen (in the facts or the log).
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// Adds rows. The rows are checked and gathered first, so on error
    /// nothing is added. For millions of rows, prefer [`Scorer::add_columns`].
    pub fn add_rows<'a, I>(&mut self, rows: I) -> Result<(), HealthError>
    where
        I: IntoIterator<Item = ActivityRow<'a>>,
    {
        let mut table = ActivityTable::new();
        for row in rows {
            table.push(row)?;
        }
        self.add_table(&table)
    }

    /// Adds an owned table (from CSV or rows).
    pub fn add_table(&mut self, table: &ActivityTable) -> Result<(), HealthError> {
        self.add_columns(&table.columns())
    }

    /// Adds a batch of columns. Every row is checked before any is counted,
    /// so on error nothing is added; the error names the row (0-based) and
    /// column.
    pub fn add_columns(&mut self, cols: &Columns<'_>) -> Result<(), HealthError> {
        let n = cols.len();
        let lens = [
            ("time", cols.time.len()),
            ("kind", cols.kind.len()),
            ("value", cols.value.map_or(n, <[f64]>::len)),
            ("actor", cols.actor.as_ref().map_or(n, StrColumn::len)),
        ];
        if let Some((column, found)) = lens.into_iter().find(|(_, l)| *l != n) {
            return Err(HealthError::ColumnLength {
                column,
                expected: n,
                found,
            });
        }
        if let Some(valid) = cols.actor_valid
            && valid.len() < n.div_ceil(8)
        {
            return Err(HealthError::ColumnLength {
                column: "actor validity bitmap (bits)",
                expected: n,
                found: valid.len() * 8,
            });
        }
        let (g_len, a_len) = (self.groups.len(), self.actors.len());
        match self.resolve(cols) {
            Ok(res) => {
                self.push_group();
                self.sync_actors();
                self.accumulate(cols, &res);
                Ok(())
            }
            Err(e) => {
                self.groups.truncate(g_len);
                self.actors.truncate(a_len);
                Err(e)
            }
        }
    }

    fn resolve<'a>(&mut self, cols: &Columns<'a>) -> Result<Resolved<'a>, HealthError> {
        let n = cols.len();
        if let Some(i) = cols.time.first_out_of_range() {
            return Err(HealthError::row(
                i,
                "time",
                "is outside the years 1 to 9999",
            ));
        }
        let mut small_values = true;
        if let Some(values) = cols.value {
            // NaN (missing) passes; so does any value in [0, MAX_VALUE]. The
            // same pass finds whether every value fits a 16-byte row, a few
            // thousand values at a time (read once from memory).
            const CHUNK: usize = 4096;
            let bad = |v: f64| !(v.is_nan() || (0.0..=super::input::MAX_VALUE).contains(&v));
            let in_block = |r: Range<usize>| {
                let start = r.start;
                let mut fits = true;
                for (c, chunk) in values.get(r).unwrap_or_default().chunks(CHUNK).enumerate() {
                    // A chunk that fits a 16-byte row holds only valid values
                    // (missing or whole numbers in [0, 2^16)): only the
                    // others are checked for bad ones.
                    if fits_rec16(chunk) {
                        continue;
                    }
                    if let Some(i) = first_where(chunk, bad) {
                        return (Some(start + c * CHUNK + i), false);
                    }
                    fits = false;
                }
                (None, fits)
            };
            let join =
                |a: (Option<usize>, bool), b: (Option<usize>, bool)| (a.0.or(b.0), a.1 & b.1);
            let (first, fits) = blocks(values.len(), in_block, join).unwrap_or((None, true));
            small_values = fits;
            if let Some(i) = first {
                let v = values.get(i).copied().unwrap_or(f64::NAN);
                let reason = check_value(v).err().unwrap_or("is invalid");
                return Err(HealthError::row(i, "value", reason));
            }
        }
        let kind = resolve_kinds(&cols.kind)?;
        let group = resolve_strings(&cols.group, None, &mut self.groups, Target::Group)?;
        let actor = match &cols.actor {
            Some(col) => resolve_strings(col, cols.actor_valid, &mut self.actors, Target::Actor)?,
            None => Res::Absent,
        };
        let first = first_leaderless(n, &kind, &actor);
        if let Some(i) = first {
            return Err(HealthError::row(
                i,
                "actor",
                "is required for leader_action",
            ));
        }
        Ok(Resolved {
            group,
            kind,
            actor,
            small_values,
        })
    }

    /// Counts a validated batch straight into the groups. Every sum is a
    /// saturating integer sum, every maximum and minimum exact and every
    /// list sorted before it is read, so neither how the rows are split
    /// across cores nor the order they are counted in changes any result.
    fn accumulate(&mut self, cols: &Columns<'_>, res: &Resolved<'_>) {
        self.accumulate_in(cols, res, piece_count(BLOCK_ROWS.min(cols.len())));
    }

    /// [`Scorer::accumulate`], each block gathered in `pieces` pieces.
    ///
    /// Rows are taken a block at a time and sorted by (group, kind) in two
    /// counting sorts. First each piece of the block (one per core) gathers
    /// its rows into buckets of `BUCKET_GROUPS` consecutive groups. Then the
    /// buckets are counted, one per task and in parallel (each owns its
    /// groups): a bucket's rows from every piece are sorted by group and
    /// kind, and each run of one kind in one group is counted by a loop made
    /// for that kind, with the group's counts in the first-level cache.
    fn accumulate_in(&mut self, cols: &Columns<'_>, res: &Resolved<'_>, pieces: usize) {
        if res.small_values {
            self.accumulate_rows::<Rec16>(cols, res, pieces);
        } else {
            self.accumulate_rows::<Rec>(cols, res, pieces);
        }
    }

    /// [`Scorer::accumulate_in`] with rows gathered as `R`.
    fn accumulate_rows<R: Row>(&mut self, cols: &Columns<'_>, res: &Resolved<'_>, pieces: usize) {
        let n = cols.len();
        if n == 0 {
            return;
        }
        let block = BLOCK_ROWS.min(n);
        let pieces = pieces.clamp(1, block);
        let buckets = self.acc.len().div_ceil(BUCKET_GROUPS).max(1);
        // Each group's events and posts in this batch get their room at
        // once (one allocation per list, not one per block).
        let room = room(self.acc.len(), res, n, pieces);
        let reserve = |(acc, &[events, posts]): (&mut GroupAcc, &[u32; 2])| {
            acc.hot.events.reserve_exact(events as usize);
            acc.hot.posts.reserve_exact(posts as usize);
        };
        // The large buffers are allocated and first written on every core
        // (their page faults and zeroing are not left to the calling thread).
        let new_piece = |_| Piece::<R>::new(block.div_ceil(pieces), buckets);
        #[cfg(not(target_arch = "wasm32"))]
        let mut gathered = {
            use rayon::prelude::*;
            self.acc.par_iter_mut().zip(&room).for_each(reserve);
            (0..pieces)
                .into_par_iter()
                .map(new_piece)
                .collect::<Vec<Piece<R>>>()
        };
        #[cfg(target_arch = "wasm32")]
        let mut gathered = {
            self.acc.iter_mut().zip(&room).for_each(reserve);
            (0..pieces).map(new_piece).collect::<Vec<Piece<R>>>()
        };
        drop(room);
        let Scorer {
            acc,
            meta,
            spans,
            staff_bits,
            engaged_bits,
            now_ms,
            impact_per,
            ..
        } = self;
        let ctx = Ctx {
            meta,
            spans,
            staff: staff_bits.iter().any(|&w| w != 0),
            staff_bits,
            now_ms: *now_ms,
            impact_per,
        };
        let words = engaged_bits.len();
        // The counting tasks' buffers, kept from block to block: a task
        // takes one (or makes one, the first time) and gives it back after
        // the block, so its buffer is neither allocated nor zeroed again.
        #[cfg(not(target_arch = "wasm32"))]
        let pool: std::sync::Mutex<Vec<Counter<R>>> = std::sync::Mutex::new(Vec::new());
        #[cfg(target_arch = "wasm32")]
        let mut counter = Counter::new(words);
        let mut start = 0;
        while start < n {
            let len = block.min(n - start);
            let piece_rows = |p: usize| start + len * p / pieces..start + len * (p + 1) / pieces;
            let gather =
                |(p, piece): (usize, &mut Piece<R>)| piece.gather(cols, res, piece_rows(p));
            #[cfg(not(target_arch = "wasm32"))]
            {
                use rayon::prelude::*;
                gathered.par_iter_mut().enumerate().for_each(gather);
            }
            #[cfg(target_arch = "wasm32")]
            gathered.iter_mut().enumerate().for_each(gather);
            // Each bucket's rows from every piece are sorted into the
            // counting task's own buffer, reused from bucket to bucket (so
            // it stays in cache, where fresh memory for every bucket did not).
            let pieces_ref = &gathered;
            let ctx = &ctx;
            let count = |mut counter: Counter<R>, (b, groups): (usize, &mut [GroupAcc])| {
                counter.bucket(ctx, pieces_ref, b, groups);
                counter
            };
            #[cfg(not(target_arch = "wasm32"))]
            {
                use rayon::prelude::*;
                let take = || {
                    pool.lock()
                        .ok()
                        .and_then(|mut p| p.pop())
                        .unwrap_or_else(|| Counter::new(words))
                };
                let used = acc
                    .par_chunks_mut(BUCKET_GROUPS)
                    .enumerate()
                    .fold(take, count)
                    .map(|c| vec![c])
                    .reduce_with(|mut a, mut b| {
                        a.append(&mut b);
                        a
                    })
                    .unwrap_or_default();
                let mut back = pool.lock().ok();
                for mut c in used {
                    c.engaged_into(engaged_bits);
                    if let Some(p) = back.as_mut() {
                        p.push(c);
                    }
                }
            }
            #[cfg(target_arch = "wasm32")]
            {
                counter = acc
                    .chunks_mut(BUCKET_GROUPS)
                    .enumerate()
                    .fold(counter, count);
                counter.engaged_into(engaged_bits);
            }
            start += len;
        }
    }
}

/// How many event rows and post rows each of `groups` groups has among the
/// `n` rows of a validated batch (rows that will not count included),
/// counted in `pieces` pieces of rows on every core.
fn room(groups: usize, res: &Resolved<'_>, n: usize, pieces: usize) -> Vec<[u32; 2]> {
    // Every kind is counted (no branch on the kind); the two needed are
    // taken at the end.
    // A piece's counts cannot pass u32::MAX when it has fewer rows (then
    // they are plain increments; otherwise they saturate).
    let plain = u32::try_from(n).is_ok_and(|n| n < u32::MAX);
    let count = |p: usize| {
        let mut counts = vec![[0u32; 8]; groups];
        let (mut gs, mut ks) = (vec![0u32; SUB], vec![0u8; SUB]);
        let mut at = n * p / pieces;
        let end = n * (p + 1) / pieces;
        while at < end {
            let len = SUB.min(end - at);
            let (gs, ks) = (
                gs.get_mut(..len).unwrap_or_default(),
                ks.get_mut(..len).unwrap_or_default(),
            );
            res.group.fill(at, gs);
            res.kind.fill(at, ks);
            let flat = counts.as_flattened_mut();
            if plain {
                for (&g, &k) in gs.iter().zip(ks.iter()) {
                    if let Some(c) =
                        flat.get_mut((g as usize).saturating_mul(8) | usize::from(k & 7))
                    {
                        *c += 1;
                    }
                }
            } else {
                for (&g, &k) in gs.iter().zip(ks.iter()) {
                    if let Some(c) =
                        flat.get_mut((g as usize).saturating_mul(8) | usize::from(k & 7))
                    {
                        *c = c.saturating_add(1);
                    }
                }
            }
            at += len;
        }
        counts
    };
    let add = |mut a: Vec<[u32; 8]>, b: Vec<[u32; 8]>| {
        for (x, y) in a.iter_mut().zip(&b) {
            for (x, y) in x.iter_mut().zip(y) {
                *x = x.saturating_add(*y);
            }
        }
        a
    };
    #[cfg(not(target_arch = "wasm32"))]
    let counts = {
        use rayon::prelude::*;
        (0..pieces).into_par_iter().map(count).reduce_with(add)
    };
    #[cfg(target_arch = "wasm32")]
    let counts = (0..pieces).map(count).reduce(add);
    let of = |c: &[u32; 8], kind: Kind| c.get(kind as usize).copied().unwrap_or(0);
    counts
        .unwrap_or_default()
        .iter()
        .map(|c| [of(c, Kind::EventHeld), of(c, Kind::Post)])
        .collect()
}

/// Rows of a batch per piece of a block are decoded this many at a time.
const SUB: usize = 1024;

/// One piece of a block: its rows gathered and grouped by bucket.
struct Piece<R> {
    recs: Vec<R>,
    /// After [`Piece::gather`], `ends[b]` is the end of bucket b's rows.
    ends: Vec<usize>,
    gs: Vec<u32>,
    a: Vec<u32>,
    k: Vec<u8>,
    t: Vec<i64>,
    /// Values for a batch without a value column.
    missing: Vec<f64>,
}

impl<R: Row> Piece<R> {
    fn new(rows: usize, buckets: usize) -> Piece<R> {
        Piece {
            recs: vec![R::default(); rows],
            ends: vec![0; buckets + 1],
            gs: vec![0; rows],
            a: vec![NULL_KEY; SUB],
            k: vec![0; SUB],
            t: vec![0; SUB],
            missing: vec![f64::NAN; SUB],
        }
    }

    /// Bucket `b`'s rows, after [`Piece::gather`].
    fn bucket(&self, b: usize) -> &[R] {
        let from = match b.checked_sub(1) {
            Some(p) => self.ends.get(p).copied().unwrap_or(0),
            None => 0,
        };
        let to = self.ends.get(b).copied().unwrap_or(from);
        self.recs.get(from..to).unwrap_or_default()
    }

    /// Gathers rows `rows` (at most the piece's size) of a validated batch
    /// into `recs`, bucket after bucket. Columns are decoded a few rows at a
    /// time, one column after another, so each decoding loop runs over one
    /// layout.
    fn gather(&mut self, cols: &Columns<'_>, res: &Resolved<'_>, rows: Range<usize>) {
        let gs = self.gs.get_mut(..rows.len()).unwrap_or_default();
        res.group.fill(rows.start, gs);
        // Counts one slot to the right, summed into starts, then moved on
        // to the ends by the scatter.
        let ends = &mut self.ends;
        ends.fill(0);
        for &g in gs.iter() {
            if let Some(c) = ends.get_mut(g as usize / BUCKET_GROUPS + 1) {
                *c += 1;
            }
        }
        running_sum(ends);
        for (sub, gs) in gs.chunks(SUB).enumerate() {
            let at = rows.start + sub * SUB;
            let n = gs.len();
            let (a, k, t) = (
                self.a.get_mut(..n).unwrap_or_default(),
                self.k.get_mut(..n).unwrap_or_default(),
                self.t.get_mut(..n).unwrap_or_default(),
            );
            res.actor.fill(at, a);
            res.kind.fill(at, k);
            // Values are read in place (`missing` is all NaN).
            let missing = self.missing.get(..n).unwrap_or_default();
            let v = cols
                .value
                .and_then(|v| v.get(at..at + n))
                .unwrap_or(missing);
            let recs = &mut self.recs;
            // Nanoseconds from 1970 on (pandas' times) are turned into ms in
            // the scatter loop, not in a pass of their own.
            if let Some(ns) = cols.time.nanos_from_1970(at, n) {
                scatter(recs, ends, gs, a, k, ns, v, ms_of_nanos);
            } else {
                cols.time.fill_millis(at, t);
                scatter(recs, ends, gs, a, k, t, v, |t| t);
            }
        }
    }
}

/// Writes each row (group `gs`, actor `a`, kind `k`, time `t` in ms after
/// `ms`, value `v`) to the next place of its bucket (`ends`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn scatter<R: Row>(
    recs: &mut [R],
    ends: &mut [usize],
    gs: &[u32],
    a: &[u32],
    k: &[u8],
    t: &[i64],
    v: &[f64],
    ms: impl Fn(i64) -> i64,
) {
    for ((((&g, &a), &k), &t), &v) in gs.iter().zip(a).zip(k).zip(t).zip(v) {
        let Some(slot) = ends.get_mut(g as usize / BUCKET_GROUPS) else {
            continue;
        };
        if let Some(r) = recs.get_mut(*slot) {
            *r = R::new(ms(t), v, a, (g as usize % BUCKET_GROUPS) as u8, k);
        }
        *slot += 1;
    }
}

/// What counting a row reads besides its group's own state.
struct Ctx<'s> {
    meta: &'s [GroupMeta],
    spans: &'s Spans,
    /// Some person is staff (most logs come without a staff list).
    staff: bool,
    staff_bits: &'s [u64],
    now_ms: i64,
    impact_per: &'s [f64; 8],
}

/// A bucket's (group, kind) pairs: one run of rows each.
const RUNS: usize = BUCKET_GROUPS * 8;

/// One task's space for counting buckets, and the people it saw active.
struct Counter<R> {
    /// One counter per (group in the bucket, kind), then run ends.
    runs: Box<[u32; RUNS + 1]>,
    /// Per person, one bit: a counted row within the metrics window.
    engaged: Vec<u64>,
    /// A bucket's rows sorted by group and kind (reused for each bucket).
    sorted: Vec<R>,
}

impl<R: Row> Counter<R> {
    fn new(words: usize) -> Counter<R> {
        Counter {
            runs: Box::new([0; RUNS + 1]),
            engaged: vec![0; words],
            sorted: Vec::new(),
        }
    }

    /// Moves the people seen active into `all` (word by word), leaving
    /// none here.
    fn engaged_into(&mut self, all: &mut Vec<u64>) {
        if all.len() < self.engaged.len() {
            all.resize(self.engaged.len(), 0);
        }
        for (a, e) in all.iter_mut().zip(self.engaged.iter_mut()) {
            *a |= std::mem::take(e);
        }
    }

    /// Counts bucket `b` (whose groups are `groups`) from every piece's rows,
    /// sorting them by group and kind first.
    fn bucket(&mut self, ctx: &Ctx<'_>, pieces: &[Piece<R>], b: usize, groups: &mut [GroupAcc]) {
        let first = b * BUCKET_GROUPS;
        let size: usize = pieces.iter().map(|p| p.bucket(b).len()).sum();
        if self.sorted.len() < size {
            // With room for the next buckets, which are about as large.
            self.sorted.resize(size + size / 8, R::default());
        }
        let out = self.sorted.get_mut(..size).unwrap_or_default();
        // A key is below `RUNS` (see `Row::key`), so neither loop checks
        // its index against the array's length.
        let runs = &mut *self.runs;
        runs.fill(0);
        for piece in pieces {
            for r in piece.bucket(b) {
                if let Some(c) = runs.get_mut((r.key() & (RUNS - 1)) + 1) {
                    *c += 1;
                }
            }
        }
        running_sum(runs.as_mut_slice());
        for piece in pieces {
            for r in piece.bucket(b) {
                if let Some(slot) = runs.get_mut(r.key() & (RUNS - 1)) {
                    if let Some(s) = out.get_mut(*slot as usize) {
                        *s = *r;
                    }
                    *slot += 1;
                }
            }
        }
        // `runs[i]` is now the end of run i's rows.
        let mut at = 0usize;
        for (g, (acc, ends)) in groups.iter_mut().zip(runs.chunks_exact(8)).enumerate() {
            let meta = ctx.meta.get(first + g);
            for (kind, &end) in ends.iter().enumerate() {
                let end = end as usize;
                if end == at {
                    continue;
                }
                let run = out.get(at..end).unwrap_or_default();
                at = end;
                count_run(ctx, acc, meta, &mut self.engaged, kind, run);
            }
        }
    }
}

/// What a run's rows are compared with, read once per run.
#[derive(Clone, Copy)]
struct Limits {
    now_ms: i64,
    /// The window of the run kind's component.
    win: u64,
    recent: u64,
    base: u64,
    metrics: u64,
    /// [`Ctx::staff`].
    staff: bool,
}

/// Counts one run of rows of one group and one kind (`kind` is a [`Kind`]
/// code below 8): one loop per kind, so the compiler knows the kind inside
/// each. The kind's counts live in a local for the run (registers, not the
/// group's cache line after every row) and are stored once at its end.
fn count_run<R: Row>(
    ctx: &Ctx<'_>,
    acc: &mut GroupAcc,
    meta: Option<&GroupMeta>,
    engaged: &mut [u64],
    kind: usize,
    run: &[R],
) {
    let Some(k) = Kind::ALL.get(kind).copied() else {
        return;
    };
    let sp = ctx.spans;
    let lim = Limits {
        now_ms: ctx.now_ms,
        win: sp.window(k),
        recent: sp.recent,
        base: sp.base,
        metrics: sp.metrics,
        staff: ctx.staff,
    };
    // The run's own counts, from zero: a run is at most a block's rows, so
    // its counts cannot overflow (see `Row::SMALL_VALUES` for its sums).
    let mut ks = KindStats::default();
    // The oldest row's plain age in ms: seconds are taken once, at the end
    // (the largest floor of a division is the floor of the largest).
    let mut oldest_ms = 0u64;
    // A group without pauses whose clock reads `now` at `now` (every group
    // without pauses): a row's age is its plain age.
    let plain = acc.hot.plain && acc.hot.eff_now == ctx.now_ms;
    macro_rules! rows {
        ($plain:literal, $kind:expr) => {
            for r in run {
                count_one::<R, $plain>(
                    ctx,
                    lim,
                    acc,
                    &mut ks,
                    &mut oldest_ms,
                    meta,
                    engaged,
                    r,
                    $kind,
                );
            }
        };
    }
    macro_rules! each {
        ($kind:expr) => {{
            // Most logs come without a staff list: then no row is checked
            // against it.
            if plain && !ctx.staff {
                rows!(true, $kind)
            } else {
                rows!(false, $kind)
            }
        }};
    }
    match k {
        Kind::EventHeld => each!(Kind::EventHeld),
        Kind::MemberJoined => each!(Kind::MemberJoined),
        Kind::MemberLeft => each!(Kind::MemberLeft),
        Kind::LeaderAction => each!(Kind::LeaderAction),
        Kind::Post => each!(Kind::Post),
        Kind::PetitionStarted => each!(Kind::PetitionStarted),
        Kind::ActionReported => each!(Kind::ActionReported),
        Kind::Win => each!(Kind::Win),
    }
    ks.oldest_s = u32::try_from(oldest_ms / 1000).unwrap_or(u32::MAX);
    if let Some(slot) = acc.kinds.get_mut(kind) {
        slot.merge(&ks);
    }
}

/// Which of a [`KindStats`]' fields are read for a kind (the report, the
/// trend and the network metrics read no others). A kind's counting loop
/// keeps only these: the others stay at their defaults. `n`, the oldest
/// row and the engaged bit are kept for every kind.
#[derive(Clone, Copy)]
struct Kept {
    n_win: bool,
    v_win: bool,
    /// `n_recent` and `n_base` (the trend's observations).
    trend: bool,
    n_metrics: bool,
    v_metrics: bool,
    last_age: bool,
    v: bool,
}

impl Kept {
    #[inline(always)]
    const fn of(kind: Kind) -> Kept {
        let none = Kept {
            n_win: false,
            v_win: false,
            trend: false,
            n_metrics: false,
            v_metrics: false,
            last_age: false,
            v: false,
        };
        match kind {
            // Counted posts are tallied from the posts themselves.
            Kind::Post => Kept {
                last_age: true,
                ..none
            },
            Kind::LeaderAction => Kept {
                trend: true,
                ..none
            },
            Kind::EventHeld => Kept {
                n_win: true,
                trend: true,
                n_metrics: true,
                v_metrics: true,
                last_age: true,
                ..none
            },
            Kind::MemberJoined => Kept {
                n_win: true,
                v_win: true,
                trend: true,
                last_age: true,
                v: true,
                ..none
            },
            Kind::MemberLeft => Kept {
                n_win: true,
                v_win: true,
                trend: true,
                ..none
            },
            Kind::PetitionStarted | Kind::ActionReported | Kind::Win => Kept {
                n_win: true,
                trend: true,
                n_metrics: true,
                last_age: true,
                ..none
            },
        }
    }
}

/// Counts one row of kind `kind` into its group's `acc`, the kind's counts
/// `ks` and the run's oldest plain age `oldest_ms`; `PLAIN` when a row's
/// age in the group is its plain age and nobody is staff (see `count_run`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn count_one<R: Row, const PLAIN: bool>(
    ctx: &Ctx<'_>,
    lim: Limits,
    acc: &mut GroupAcc,
    ks: &mut KindStats,
    oldest_ms: &mut u64,
    meta: Option<&GroupMeta>,
    engaged: &mut [u64],
    r: &R,
    kind: Kind,
) {
    let GroupAcc {
        hot,
        leaders,
        excluded,
        posts_wide,
        ..
    } = acc;
    let (t, a) = (r.t(), r.a());
    if t > lim.now_ms {
        excluded.future += 1;
        return;
    }
    if !PLAIN && lim.staff && a != NULL_KEY && bit(ctx.staff_bits, a) {
        excluded.staff += 1;
        return;
    }
    // `t <= now` here.
    let raw_age = lim.now_ms.abs_diff(t);
    let age = if PLAIN {
        raw_age
    } else {
        let age = match meta {
            Some(meta) => hot.eff_now.saturating_sub(meta.clock.eff(t)),
            None => 0,
        };
        u64::try_from(age).unwrap_or(0)
    };
    let spans = ctx.spans;
    let mut decayed = 0;
    // The value in fixed point, or MISSING (values are at most 10^12, so
    // no value's is MISSING).
    let vx = r.v_fx();
    let v_fx = match kind {
        Kind::EventHeld => {
            hot.events.push((age, vx));
            if vx == MISSING { 0 } else { vx }
        }
        Kind::LeaderAction => {
            match leaders.iter_mut().find(|(p, _)| *p == a) {
                Some(l) => l.1 = l.1.min(age),
                None if hot.leaders_listed => {
                    excluded.not_leader += 1;
                    return;
                }
                None => leaders.push((a, age)),
            }
            VALUE_ONE
        }
        Kind::Post => {
            let author = if a == NULL_KEY { POST_NO_AUTHOR } else { a };
            if (a == NULL_KEY || a < POST_NO_AUTHOR) && raw_age < 1 << POST_AGE_BITS {
                hot.posts
                    .push((u64::from(author) << POST_AGE_BITS) | raw_age);
            } else {
                posts_wide.push(wide_post(a, t, age));
            }
            VALUE_ONE
        }
        Kind::MemberJoined => {
            let vf = if vx == MISSING { VALUE_ONE } else { vx };
            decayed = term64(spans.decay[3].weight(age), vf);
            vf
        }
        Kind::MemberLeft => {
            if vx == MISSING {
                VALUE_ONE
            } else {
                vx
            }
        }
        Kind::PetitionStarted | Kind::ActionReported | Kind::Win => {
            let per = ctx.impact_per.get(kind as usize).copied().unwrap_or(0.0);
            let v = r.v();
            let n = if v.is_nan() { 1.0 } else { v };
            decayed = term64(spans.decay[2].weight(age), fx(n * per));
            if vx == MISSING { VALUE_ONE } else { vx }
        }
    };
    let in_metrics = raw_age <= lim.metrics;
    // Without a branch on the window (rows in and out of it are mixed).
    if let Some(w) = engaged.get_mut(a as usize / 64) {
        *w |= u64::from(in_metrics & (a != NULL_KEY)) << (a % 64);
    }
    // A run's counts start from zero and it has at most a block's rows
    // (below 2^32): its counts wrap never. Its sums wrap never either when
    // the values are small; other sums saturate (as the merge does).
    let sum = |s: u64, x: u64| {
        if R::SMALL_VALUES {
            s.wrapping_add(x)
        } else {
            s.saturating_add(x)
        }
    };
    let kept = Kept::of(kind);
    *oldest_ms = (*oldest_ms).max(raw_age);
    ks.n = ks.n.wrapping_add(1);
    ks.decayed = ks.decayed.saturating_add(decayed);
    if kept.v {
        ks.v = sum(ks.v, v_fx);
    }
    if kept.n_win {
        ks.n_win = ks.n_win.wrapping_add(u32::from(age <= lim.win));
    }
    if kept.v_win {
        ks.v_win = sum(ks.v_win, if age <= lim.win { v_fx } else { 0 });
    }
    if kept.trend {
        ks.n_recent = ks.n_recent.wrapping_add(u32::from(age <= lim.recent));
        ks.n_base = ks.n_base.wrapping_add(u32::from(age <= lim.base));
    }
    if kept.last_age {
        ks.last_age = ks.last_age.min(age);
    }
    if kept.n_metrics {
        ks.n_metrics = ks.n_metrics.wrapping_add(u32::from(in_metrics));
    }
    if kept.v_metrics {
        ks.v_metrics = sum(ks.v_metrics, if in_metrics { v_fx } else { 0 });
    }
}

impl Scorer {
    /// Replaces the model's calibration (saturation constants and attendance
    /// caps), after checking it.
    pub fn set_calibration(&mut self, calibration: Calibration) -> Result<(), HealthError> {
        let mut m = self.model.clone();
        m.calibration = calibration;
        m.validate()?;
        self.model = m;
        Ok(())
    }

    /// Fits the calibration to this log: each cohort's attendance cap is the
    /// model's `attendance_percentile` of its events' attendance, and each
    /// saturation constant `k` is the median decayed count of the established
    /// groups (old enough, not dormant), so the median established group
    /// scores 50 on each saturated component. Where there is too little data
    /// the model's values are kept; the notes say which.
    ///
    /// Does not change the scorer; apply with [`Scorer::set_calibration`].
    pub fn calibrate(&self) -> CalibrationResult {
        let m = &self.model;
        let mut cal = m.calibration.clone();
        let mut notes = Vec::new();
        // Attendance caps.
        let mut by_cohort: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
        let mut all = Vec::new();
        for (meta, acc) in self.meta.iter().zip(&self.acc) {
            for &(_, att) in &acc.hot.events {
                if att == MISSING {
                    continue;
                }
                let a = unfx(u128::from(att));
                all.push(a);
                if let Some(c) = &meta.cohort {
                    by_cohort.entry(c.as_str()).or_default().push(a);
                }
            }
        }
        let min_events = m.min_cap_events as usize;
        let pct = m.attendance_percentile;
        let pct_label = num(pct * 100.0);
        match percentile(&mut all, pct) {
            Some(cap) if all.len() >= min_events && cap > 0.0 => {
                cal.attendance_cap = cap;
                notes.push(format!(
                    "attendance cap {} for the network: the {}th percentile of {} events",
                    num(cap),
                    pct_label,
                    all.len()
                ));
            }
            _ => notes.push(format!(
                "attendance cap kept at {}: {} events with attendance, {} needed",
                num(cal.attendance_cap),
                all.len(),
                min_events
            )),
        }
        cal.cohort_attendance_caps.clear();
        for (cohort, mut values) in by_cohort {
            match percentile(&mut values, pct) {
                Some(cap) if values.len() >= min_events && cap > 0.0 => {
                    cal.cohort_attendance_caps.insert(cohort.to_owned(), cap);
                    notes.push(format!(
                        "attendance cap {} for cohort {}: the {}th percentile of {} events",
                        num(cap),
                        cohort,
                        pct_label,
                        values.len()
                    ));
                }
                _ => notes.push(format!(
                    "cohort {} uses the network's attendance cap: {} events with attendance, {} needed",
                    cohort,
                    values.len(),
                    min_events
                )),
            }
        }
        // Saturation constants, from established groups under the new caps.
        let mut scratch = Scratch::default();
        let mut samples: [Vec<f64>; 5] = Default::default();
        for g in 0..self.acc.len() {
            let ms = self.measure(g, &cal, &mut scratch);
            let established = ms
                .age_eff
                .is_some_and(|a| a >= i64::try_from(self.spans.established).unwrap_or(i64::MAX));
            if established && !ms.dormant_evidence(&self.spans) {
                for (c, sample) in samples.iter_mut().enumerate() {
                    sample.push(ms.s.get(c).copied().unwrap_or(0.0));
                }
            }
        }
        let established = samples.first().map_or(0, Vec::len);
        for (ci, c) in Component::ALL.into_iter().enumerate() {
            let Some(old) = cal.k.get(c) else { continue };
            let Some(values) = samples.get_mut(ci) else {
                continue;
            };
            if established < m.min_established_groups as usize {
                notes.push(format!(
                    "{c}: k kept at {}: {} established groups, {} needed",
                    num3(old),
                    established,
                    m.min_established_groups
                ));
                continue;
            }
            match percentile_median(values) {
                Some(k) if k > 0.0 => {
                    cal.k.set(c, k);
                    notes.push(format!(
                        "{c}: k = {}, the median of {} established groups",
                        num3(k),
                        established
                    ));
                }
                _ => notes.push(format!(
                    "{c}: k kept at {}: the median of {} established groups is 0",
                    num3(old),
                    established
                )),
            }
        }
        CalibrationResult {
            calibration: cal,
            established_groups: established as u64,
            notes,
        }
    }

    /// Scores every group and computes the network metrics. `previous` is the
    /// previous run's metrics, for the change since then.
    pub fn report(&self, previous: Option<&NetworkMetrics>) -> HealthReport {
        let mut order: Vec<usize> = (0..self.acc.len()).collect();
        order.sort_unstable_by(|a, b| {
            self.groups
                .name(u32::try_from(*a).unwrap_or(0))
                .cmp(self.groups.name(u32::try_from(*b).unwrap_or(0)))
        });
        // Groups are independent: on native targets they are reported on
        // every core (the order of `order` is kept).
        #[cfg(not(target_arch = "wasm32"))]
        let groups: Vec<GroupReport> = {
            use rayon::prelude::*;
            order
                .into_par_iter()
                .map_init(Scratch::default, |scratch, g| self.group_report(g, scratch))
                .collect()
        };
        #[cfg(target_arch = "wasm32")]
        let groups: Vec<GroupReport> = {
            let mut scratch = Scratch::default();
            order
                .into_iter()
                .map(|g| self.group_report(g, &mut scratch))
                .collect()
        };
        let totals = self.window_totals();
        let metrics = metrics::build(
            self.now,
            self.model.metrics_window_days,
            &groups,
            totals,
            self.staff_members,
            previous,
        );
        HealthReport {
            as_of: self.now,
            groups,
            metrics,
        }
    }

    fn window_totals(&self) -> WindowTotals {
        let mut actions = 0;
        let mut wins = 0;
        let mut attendance: u128 = 0;
        for acc in &self.acc {
            let k = |kind: Kind| acc.kinds.get(kind as usize).copied().unwrap_or_default();
            actions += u64::from(k(Kind::EventHeld).n_metrics)
                + u64::from(k(Kind::ActionReported).n_metrics)
                + u64::from(k(Kind::PetitionStarted).n_metrics);
            wins += u64::from(k(Kind::Win).n_metrics);
            attendance += u128::from(k(Kind::EventHeld).v_metrics);
        }
        let supporters = self
            .engaged_bits
            .iter()
            .zip(&self.staff_bits)
            .map(|(e, s)| u64::from((e & !s).count_ones()))
            .sum();
        WindowTotals {
            actions,
            wins,
            supporters,
            attendance: unfx(attendance),
        }
    }

    fn measure(&self, g: usize, cal: &Calibration, scratch: &mut Scratch) -> Measures {
        let mut ms = Measures {
            last_leader_age: NEVER,
            last_event_age: NEVER,
            ..Measures::default()
        };
        let (Some(meta), Some(acc)) = (self.meta.get(g), self.acc.get(g)) else {
            return ms;
        };
        let sp = &self.spans;
        let h = |c: usize| sp.half_life.get(c).copied().unwrap_or(1);
        let kind = |k: Kind| acc.kinds.get(k as usize).copied().unwrap_or_default();
        // Activity: events weighted by capped attendance.
        let cap = cal.attendance_cap_for(meta.cohort.as_deref());
        let aw = self.model.attendance_weight;
        let mut s_act: u128 = 0;
        let mut att_win: u128 = 0;
        for &(age, att) in &acc.hot.events {
            let v = if att == MISSING {
                VALUE_ONE
            } else {
                let a = unfx(u128::from(att));
                fx(1.0 + aw * (a.min(cap) / cap))
            };
            s_act += term(sp.decay[0].weight(age), v);
            if age <= h(0) {
                if att == MISSING {
                    ms.events_no_att += 1;
                } else {
                    att_win += u128::from(att);
                    if unfx(u128::from(att)) > cap {
                        ms.events_over_cap += 1;
                    }
                }
            }
        }
        ms.cap = cap;
        ms.attendance_win = unfx(att_win);
        // Leadership: L = sum of each leader's recency.
        let mut l_fx: u128 = 0;
        for &(p, age) in &acc.leaders {
            if age != NEVER {
                l_fx += u128::from(sp.decay[1].weight(age));
                ms.leaders_acted += 1;
                if age <= h(1) {
                    ms.leaders_win += 1;
                }
                if age <= sp.active_leader {
                    ms.active_leaders += 1;
                }
                ms.last_leader_age = ms.last_leader_age.min(age);
            }
            ms.leaders.push((p, age));
        }
        // By age, then by id (names are read where they are written).
        let name = |p: u32| self.actors.name(p);
        ms.leaders
            .sort_by(|a, b| a.1.cmp(&b.1).then_with(|| name(a.0).cmp(name(b.0))));
        ms.l_fx = l_fx;
        // Conversation: the latest posts of each author and day, up to the cap.
        // Keys sort by author, then day, then age (narrow keys: by author,
        // then plain age, which orders days and, within a day, ages the same
        // way: the group's clock never runs backwards).
        let cap_posts = u64::from(self.model.posts_per_author_per_day);
        let Scratch {
            suspects,
            wide,
            slots,
            homes,
            authors,
            slot_bits,
        } = scratch;
        // The authors of counted posts in the window, each listed once.
        authors.start(self.actors.len());
        let mut tally = PostTally {
            decay: sp.decay[4],
            win: h(4),
            recent: sp.recent,
            base: sp.base,
            s: 0,
            n_win: 0,
            n_recent: 0,
            n_base: 0,
        };
        // A group without pauses whose clock reads `now` at `now`: a post's
        // age is its plain age.
        let plain = acc.hot.plain && acc.hot.eff_now == self.now_ms;
        // Only the slots use a post's days back from today (the sorted
        // buckets use `post_day`).
        let gap = day_end_gap(self.now_ms);
        let days_back = |key: u64| days_back(key & ((1 << POST_AGE_BITS) - 1), gap);
        let narrow = |key: u64| {
            let raw = key & ((1 << POST_AGE_BITS) - 1);
            #[allow(clippy::cast_possible_truncation)] // 24 bits
            let author = match (key >> POST_AGE_BITS) as u32 {
                POST_NO_AUTHOR => NULL_KEY,
                a => a,
            };
            let t = self.now_ms - i64::try_from(raw).unwrap_or(0);
            if plain {
                return (author, t, raw);
            }
            let age = if acc.hot.plain {
                acc.hot.eff_now.saturating_sub(t)
            } else {
                acc.hot.eff_now.saturating_sub(meta.clock.eff(t))
            };
            (author, t, u64::try_from(age).unwrap_or(0))
        };
        let narrow_keys = acc.posts_wide.is_empty();
        if narrow_keys {
            // Posts are counted by a hash of (author, day) into a few slots
            // first. Every post of a bucket lands in the same slot, so a post
            // whose slot holds at most `cap_posts` posts is in a bucket of at
            // most that many, and counts. Only the posts of fuller slots are
            // sorted, to find each bucket's latest.
            let posts = &acc.hot.posts;
            let bits = slot_bits.unwrap_or_else(|| {
                (posts.len() * 4)
                    .next_power_of_two()
                    .trailing_zeros()
                    .clamp(6, 16)
            });
            slots.clear();
            slots.resize(1 << bits, 0u16);
            let slot = |key: u64| {
                let h = ((key >> POST_AGE_BITS << 32) ^ days_back(key))
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15);
                u32::try_from(h.checked_shr(64 - bits).unwrap_or(0)).unwrap_or(0)
            };
            homes.clear();
            homes.extend(posts.iter().map(|&key| {
                let home = slot(key);
                if let Some(c) = slots.get_mut(home as usize) {
                    *c = c.saturating_add(1);
                }
                home
            }));
            suspects.clear();
            for (&key, &home) in posts.iter().zip(homes.iter()) {
                match slots.get(home as usize) {
                    Some(&c) if c < u16::MAX && u64::from(c) <= cap_posts => {
                        let (author, _, age) = narrow(key);
                        tally.take(authors, author, age);
                    }
                    _ => suspects.push(key),
                }
            }
            suspects.sort_unstable();
        } else {
            wide.clear();
            wide.extend(acc.hot.posts.iter().map(|&key| {
                let (author, t, age) = narrow(key);
                wide_post(author, t, age)
            }));
            wide.extend_from_slice(&acc.posts_wide);
            wide.sort_unstable();
        }
        // The sorted posts, bucket by bucket.
        let (mut bucket, mut taken, mut over_cap) = (None, 0u64, 0u64);
        let mut take = |b: u128, author: u32, age: u64| {
            if bucket != Some(b) {
                bucket = Some(b);
                taken = 0;
            }
            taken += 1;
            if taken <= cap_posts {
                tally.take(authors, author, age);
            } else if age <= h(4) {
                over_cap += 1;
            }
        };
        if narrow_keys {
            for &key in suspects.iter() {
                let (author, t, age) = narrow(key);
                take(
                    (u128::from(author) << 64) | u128::from(post_day(t)),
                    author,
                    age,
                );
            }
        } else {
            #[allow(clippy::cast_possible_truncation)] // masked fields
            for &key in wide.iter() {
                take(key >> 64, (key >> 96) as u32, key as u64);
            }
        }
        ms.posts_win = tally.n_win;
        ms.posts_recent = tally.n_recent;
        ms.posts_base = tally.n_base;
        let s_conv = tally.s;
        ms.posts_over_cap = over_cap;
        ms.authors_win = authors.count();
        ms.s = [
            s_value(s_act),
            l_to_f64(l_fx),
            s_value(
                u128::from(kind(Kind::PetitionStarted).decayed)
                    + u128::from(kind(Kind::ActionReported).decayed)
                    + u128::from(kind(Kind::Win).decayed),
            ),
            s_value(u128::from(kind(Kind::MemberJoined).decayed)),
            s_value(s_conv),
        ];
        ms.last_event_age = kind(Kind::EventHeld).last_age;
        for k in Kind::ALL {
            if k != Kind::Post {
                ms.obs_recent += u64::from(kind(k).n_recent);
                ms.obs_base += u64::from(kind(k).n_base);
            }
        }
        ms.obs_recent += ms.posts_recent;
        ms.obs_base += ms.posts_base;
        let oldest = acc
            .kinds
            .iter()
            .filter(|k| k.n > 0)
            .map(|k| i64::from(k.oldest_s))
            .max();
        let first_ms = oldest.map(|s| self.now_ms - s * 1000);
        let created = meta.created_ms.or(first_ms);
        ms.created_from_activity = meta.created_ms.is_none() && created.is_some();
        ms.age_eff = created.map(|c| acc.hot.eff_now.saturating_sub(meta.clock.eff(c)));
        ms
    }

    #[allow(clippy::cast_precision_loss, clippy::too_many_lines)]
    fn group_report(&self, g: usize, scratch: &mut Scratch) -> GroupReport {
        let m = &self.model;
        let sp = &self.spans;
        let ms = self.measure(g, &m.calibration, scratch);
        let (Some(meta), Some(acc)) = (self.meta.get(g), self.acc.get(g)) else {
            return empty_report(self.groups.name(u32::try_from(g).unwrap_or(0)));
        };
        let kind = |k: Kind| acc.kinds.get(k as usize).copied().unwrap_or_default();
        let shares = m.shares();
        let mut components = Vec::with_capacity(5);
        let mut score = 0.0;
        for (ci, c) in Component::ALL.into_iter().enumerate() {
            let decayed = ms.s.get(ci).copied().unwrap_or(0.0);
            let k = m.calibration.k.get(c);
            let comp_score = match k {
                Some(k) => 100.0 - 100.0 * (k / (decayed + k)),
                None => 100.0 * (1.0 - decay::to_unit(decay::exp2_neg(ms.l_fx))),
            };
            let comp_score = comp_score.clamp(0.0, 100.0);
            let share = shares.get(ci).copied().unwrap_or(0.0);
            let contribution = (share * comp_score * 1024.0).floor() / 1024.0;
            let max = (share * 100.0 * 1024.0).floor() / 1024.0;
            score += contribution;
            components.push(ComponentReport {
                component: c,
                score: comp_score,
                weight: share,
                contribution,
                headroom: max - contribution,
                decayed,
                k,
                facts: self.component_facts(c, &ms, acc),
            });
        }
        let previous = meta.previous;
        let age_days = ms
            .age_eff
            .map(|a| u32::try_from(a.max(0) / DAY_MS).unwrap_or(u32::MAX));
        let is_new = ms
            .age_eff
            .is_some_and(|a| a < i64::try_from(sp.new_group).unwrap_or(i64::MAX));
        let t = m.thresholds;
        // The reason is written piece by piece (no formatting machinery).
        let mut reason = String::with_capacity(96);
        let r = &mut reason;
        let status = if is_new {
            let d = age_days.unwrap_or(0);
            r.push_str(if ms.created_from_activity {
                "first activity "
            } else {
                "created "
            });
            push_days_ago(r, u64::from(d));
            r.push_str("; groups younger than ");
            push_u64(r, u64::from(m.new_group_days));
            r.push_str(" days are judged on onboarding, not on score");
            Status::New
        } else if ms.dormant_evidence(sp) {
            let since = |r: &mut String, age: u64, what: &str| {
                r.push_str("no ");
                r.push_str(what);
                if age == NEVER {
                    r.push_str(" on record");
                } else {
                    r.push_str(" for ");
                    push_u64(r, age / DAY_MS.unsigned_abs());
                    r.push_str(" days");
                }
            };
            since(r, ms.last_leader_age, "leader action");
            r.push_str(" and ");
            since(r, ms.last_event_age, "event");
            Status::Dormant
        } else {
            let st = t.status_for(previous, score);
            r.push_str("score ");
            push_tenths(r, super::report::floor1(score), 0);
            let level = |r: &mut String, before: &str, v: f64, after: &str| {
                r.push_str(before);
                push_num(r, v);
                r.push_str(after);
            };
            match (st, previous) {
                (Status::Thriving, Some(Status::Thriving)) if score < t.thriving_enter => level(
                    r,
                    " stays at or above ",
                    t.thriving_leave,
                    ", the level for leaving thriving",
                ),
                (Status::Thriving, _) => level(
                    r,
                    " is at or above ",
                    t.thriving_enter,
                    ", the level for thriving",
                ),
                (Status::AtRisk, Some(Status::AtRisk)) if score >= t.at_risk_enter => level(
                    r,
                    " is still below ",
                    t.at_risk_leave,
                    ", the level for leaving at risk",
                ),
                (Status::AtRisk, _) => {
                    level(r, " is below ", t.at_risk_enter, ", the level for at risk")
                }
                (_, Some(Status::Thriving)) => level(
                    r,
                    " fell below ",
                    t.thriving_leave,
                    ", the level for leaving thriving",
                ),
                (_, Some(Status::AtRisk)) => level(
                    r,
                    " rose to ",
                    t.at_risk_leave,
                    " or more, the level for leaving at risk",
                ),
                _ => {
                    level(r, " is between ", t.at_risk_enter, " and ");
                    push_num(r, t.thriving_enter);
                }
            }
            st
        };
        let onboarding = (status == Status::New).then(|| {
            let reached: Vec<Milestone> = Milestone::ALL
                .into_iter()
                .filter(|ml| match ml {
                    Milestone::LeaderActive => ms.leaders_acted >= 1,
                    Milestone::FirstEvent => kind(Kind::EventHeld).n > 0,
                    Milestone::FiveMembers => kind(Kind::MemberJoined).v >= 5 * VALUE_ONE,
                    Milestone::SecondLeader => ms.leaders_acted >= 2,
                })
                .collect();
            let next = Milestone::ALL.into_iter().find(|ml| !reached.contains(ml));
            Onboarding { reached, next }
        });
        if let Some(ob) = &onboarding {
            reason.push_str("; onboarding ");
            push_u64(&mut reason, ob.reached.len() as u64);
            reason.push_str(" of 4");
            if let Some(next) = ob.next {
                reason.push_str(", next: ");
                reason.push_str(next.label());
            }
        }
        let bus_factor = ms.active_leaders <= 1;
        let intervention = Intervention::for_status(status, bus_factor);
        let ratio = (ms.obs_base > 0).then(|| {
            (ms.obs_recent as f64 / f64::from(m.trend_recent_days))
                / (ms.obs_base as f64 / f64::from(m.trend_baseline_days))
        });
        let low_data = ms.obs_base < u64::from(m.low_data_observations);
        let direction = match ratio {
            _ if low_data => TrendDirection::Unclear,
            Some(r) if r >= 1.25 => TrendDirection::Rising,
            Some(r) if r <= 0.75 => TrendDirection::Falling,
            Some(_) => TrendDirection::Flat,
            None => TrendDirection::Unclear,
        };
        let to_u32 = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        let paused = meta
            .clock
            .windows()
            .any(|(a, b)| (a..b).contains(&self.now_ms));
        GroupReport {
            group: self.groups.name(u32::try_from(g).unwrap_or(0)).to_owned(),
            score,
            status,
            previous_status: previous,
            status_reason: reason,
            intervention,
            intervention_text: intervention.text().to_owned(),
            components,
            trend: Trend {
                recent_days: m.trend_recent_days,
                baseline_days: m.trend_baseline_days,
                recent: to_u32(ms.obs_recent),
                baseline: to_u32(ms.obs_base),
                ratio,
                direction,
            },
            leaders: ms
                .leaders
                .iter()
                .map(|&(p, age)| LeaderRecency {
                    person: self.actors.name(p).to_owned(),
                    days_since_action: (age != NEVER).then(|| to_u32(age / DAY_MS.unsigned_abs())),
                })
                .collect(),
            active_leaders: to_u32(ms.active_leaders),
            bus_factor,
            low_data,
            age_days,
            paused,
            paused_days: u32::try_from((self.now_ms - acc.hot.eff_now).max(0) / DAY_MS)
                .unwrap_or(u32::MAX),
            onboarding,
            excluded: acc.excluded,
        }
    }

    /// A component's facts in plain words, written piece by piece (without
    /// the formatting machinery: this runs five times for every group).
    #[allow(clippy::too_many_lines)]
    fn component_facts(&self, c: Component, ms: &Measures, acc: &GroupAcc) -> String {
        let m = &self.model;
        let kind = |k: Kind| acc.kinds.get(k as usize).copied().unwrap_or_default();
        let day = DAY_MS.unsigned_abs();
        let half_life = m.half_lives_days.get(c);
        let mut s = String::with_capacity(128);
        let w = &mut s;
        // " in the last {window} days"
        let in_window = |w: &mut String| {
            w.push_str(" in the last ");
            push_num(w, half_life);
            w.push_str(" days");
        };
        let last = |w: &mut String, age: u64| push_days_ago(w, age / day);
        match c {
            Component::Activity => {
                let ev = kind(Kind::EventHeld);
                if ev.n == 0 {
                    w.push_str("no events on record");
                } else if ev.n_win == 0 {
                    w.push_str("no events");
                    in_window(w);
                    w.push_str("; last one ");
                    last(w, ev.last_age);
                } else {
                    push_count(w, u64::from(ev.n_win), "event", "events");
                    in_window(w);
                    let with_att = u64::from(ev.n_win).saturating_sub(ms.events_no_att);
                    if with_att > 0 {
                        w.push_str(", ");
                        push_count_num(w, ms.attendance_win, "person", "people");
                        w.push_str(" attending in all");
                    }
                    if ms.events_over_cap > 0 {
                        w.push_str(" (");
                        push_u64(w, ms.events_over_cap);
                        w.push_str(" above the attendance cap of ");
                        push_num(w, ms.cap);
                        w.push_str(", counted as ");
                        push_num(w, ms.cap);
                        w.push(')');
                    }
                    if ms.events_no_att > 0 {
                        w.push_str(" (attendance not recorded for ");
                        push_u64(w, ms.events_no_att);
                        w.push(')');
                    }
                    w.push_str(", last one ");
                    last(w, ev.last_age);
                }
            }
            Component::Leadership => {
                if ms.leaders.is_empty() {
                    w.push_str("no leaders listed and no leader actions on record");
                } else {
                    push_u64(w, ms.leaders_win);
                    w.push_str(" of ");
                    push_count(w, ms.leaders.len() as u64, "leader", "leaders");
                    w.push_str(" acted");
                    in_window(w);
                    w.push_str(": ");
                    for (i, &(p, age)) in ms.leaders.iter().take(4).enumerate() {
                        if i > 0 {
                            w.push_str(", ");
                        }
                        w.push_str(self.actors.name(p));
                        if age == NEVER {
                            w.push_str(" never");
                        } else {
                            w.push(' ');
                            last(w, age);
                        }
                    }
                    let more = ms.leaders.len().saturating_sub(4);
                    if more > 0 {
                        w.push_str(" and ");
                        push_u64(w, more as u64);
                        w.push_str(" more");
                    }
                }
                if acc.excluded.not_leader > 0 {
                    w.push_str("; ");
                    push_count(
                        w,
                        acc.excluded.not_leader,
                        "leader action",
                        "leader actions",
                    );
                    w.push_str(" by people not listed as leaders not counted");
                }
            }
            Component::Impact => {
                let p = kind(Kind::PetitionStarted);
                let r = kind(Kind::ActionReported);
                let wn = kind(Kind::Win);
                let last_age = p.last_age.min(r.last_age).min(wn.last_age);
                if p.n + r.n + wn.n == 0 {
                    w.push_str("no petitions, report-backs or wins on record");
                    return s;
                }
                let parts = [
                    (p.n_win, "petition started", "petitions started"),
                    (r.n_win, "action reported back", "actions reported back"),
                    (wn.n_win, "win", "wins"),
                ];
                let shown = parts.iter().filter(|(n, _, _)| *n > 0).count();
                if shown == 0 {
                    w.push_str("no petitions, report-backs or wins");
                    in_window(w);
                    w.push_str("; last one ");
                    last(w, last_age);
                    return s;
                }
                // "a", "a and b", "a, b and c"
                for (i, &(n, one, many)) in parts.iter().filter(|(n, _, _)| *n > 0).enumerate() {
                    if i > 0 {
                        w.push_str(if i + 1 == shown { " and " } else { ", " });
                    }
                    push_count(w, u64::from(n), one, many);
                }
                in_window(w);
                w.push_str(", last one ");
                last(w, last_age);
            }
            Component::Growth => {
                let j = kind(Kind::MemberJoined);
                let l = kind(Kind::MemberLeft);
                let left = |w: &mut String| {
                    if l.n_win > 0 {
                        w.push_str(" (");
                        push_num(w, unfx(u128::from(l.v_win)));
                        w.push_str(" left)");
                    }
                };
                if j.n == 0 {
                    w.push_str("no new members on record");
                    left(w);
                } else if j.n_win == 0 {
                    w.push_str("no new members");
                    in_window(w);
                    left(w);
                    w.push_str("; last joined ");
                    last(w, j.last_age);
                } else {
                    push_count_num(w, unfx(u128::from(j.v_win)), "new member", "new members");
                    in_window(w);
                    left(w);
                    w.push_str(", last joined ");
                    last(w, j.last_age);
                }
            }
            Component::Conversation => {
                let p = kind(Kind::Post);
                if p.n == 0 {
                    w.push_str("no posts on record");
                    return s;
                }
                if ms.posts_win == 0 {
                    w.push_str("no posts");
                } else {
                    push_count(w, ms.posts_win, "post", "posts");
                    w.push_str(" by ");
                    push_count(w, ms.authors_win, "author", "authors");
                }
                in_window(w);
                if ms.posts_over_cap > 0 {
                    w.push_str(" (");
                    push_u64(w, ms.posts_over_cap);
                    w.push_str(" more above ");
                    push_u64(w, u64::from(m.posts_per_author_per_day));
                    w.push_str(" per author per day not counted)");
                }
                w.push_str(if ms.posts_win == 0 { ";" } else { "," });
                w.push_str(" last one ");
                last(w, p.last_age);
            }
        }
        s
    }
}

/// 2^-L's argument as a float (for the report's `decayed`).
fn l_to_f64(l: u128) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let v = l as f64 / decay::ONE as f64;
    v
}

/// `v` rounded down to tenths, as text ("12.3").
#[cfg(test)]
pub(crate) fn floor1_text(v: f64) -> String {
    let mut s = String::new();
    super::report::push_tenths(&mut s, super::report::floor1(v), 0);
    s
}

fn num3(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

fn empty_report(group: &str) -> GroupReport {
    GroupReport {
        group: group.to_owned(),
        score: 0.0,
        status: Status::Dormant,
        previous_status: None,
        status_reason: String::new(),
        intervention: Intervention::CallForNewLeader,
        intervention_text: Intervention::CallForNewLeader.text().to_owned(),
        components: Vec::new(),
        trend: Trend {
            recent_days: 0,
            baseline_days: 0,
            recent: 0,
            baseline: 0,
            ratio: None,
            direction: TrendDirection::Unclear,
        },
        leaders: Vec::new(),
        active_leaders: 0,
        bus_factor: true,
        low_data: true,
        age_days: None,
        paused: false,
        paused_days: 0,
        onboarding: None,
        excluded: Excluded::default(),
    }
}

/// Nearest-rank percentile (sorts `values`).
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let rank = (p * values.len() as f64).ceil() as usize;
    values.get(rank.clamp(1, values.len()) - 1).copied()
}

fn percentile_median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    let hi = values.get(n / 2).copied()?;
    if n % 2 == 1 {
        Some(hi)
    } else {
        let lo = values.get(n / 2 - 1).copied()?;
        Some(lo / 2.0 + hi / 2.0)
    }
}

#[derive(Debug, Default)]
struct Measures {
    s: [f64; 5],
    l_fx: u128,
    cap: f64,
    attendance_win: f64,
    events_over_cap: u64,
    events_no_att: u64,
    /// (person, age of last action or NEVER), most recent first.
    leaders: Vec<(u32, u64)>,
    leaders_acted: u64,
    leaders_win: u64,
    active_leaders: u64,
    last_leader_age: u64,
    last_event_age: u64,
    posts_win: u64,
    posts_over_cap: u64,
    authors_win: u64,
    posts_recent: u64,
    posts_base: u64,
    obs_recent: u64,
    obs_base: u64,
    age_eff: Option<i64>,
    created_from_activity: bool,
}

impl Measures {
    fn dormant_evidence(&self, sp: &Spans) -> bool {
        let young = self
            .age_eff
            .is_some_and(|a| a < i64::try_from(sp.new_group).unwrap_or(i64::MAX));
        !young && self.last_leader_age > sp.dormant_leader && self.last_event_age > sp.dormant_event
    }
}

// ---- resolution of a batch's string and kind columns ----

struct Resolved<'a> {
    group: Res<'a>,
    kind: KindRes<'a>,
    actor: Res<'a>,
    /// Every value is missing or fits a [`Rec16`] (see [`fits_rec16`]).
    small_values: bool,
}

/// A dictionary key as a column stores it.
trait Key: Copy + Send + Sync {
    /// The key as an entry number; [`NULL_KEY`] for a missing value.
    fn entry(self) -> u32;
}

impl Key for u32 {
    #[inline(always)]
    fn entry(self) -> u32 {
        self
    }
}

impl Key for i16 {
    /// Negative keys are missing values.
    #[inline(always)]
    fn entry(self) -> u32 {
        u32::try_from(self).unwrap_or(NULL_KEY)
    }
}

/// The keys of a dictionary column, in the width it stores them.
#[derive(Clone, Copy)]
enum Keys<'a> {
    U32(&'a [u32]),
    I16(&'a [i16]),
}

impl<'a> From<&'a [u32]> for Keys<'a> {
    fn from(k: &'a [u32]) -> Self {
        Keys::U32(k)
    }
}

impl<'a> From<&'a [i16]> for Keys<'a> {
    fn from(k: &'a [i16]) -> Self {
        Keys::I16(k)
    }
}

impl Keys<'_> {
    /// Row `i`'s entry ([`NULL_KEY`] when missing or past the end).
    #[inline]
    fn entry(&self, i: usize) -> u32 {
        with_keys!(self, k => k.get(i).map_or(NULL_KEY, |&k| k.entry()))
    }

    /// The entries of rows `start..start + out.len()`.
    fn fill(&self, start: usize, out: &mut [u32]) {
        with_keys!(self, k => {
            for (o, &k) in out.iter_mut().zip(k.get(start..).unwrap_or_default()) {
                *o = k.entry();
            }
        });
    }
}

enum Res<'a> {
    /// Dictionary keys and each entry's id; `identity` when every entry's
    /// id is its own key (then a key is its id: no lookup per row).
    Dict {
        keys: Keys<'a>,
        map: Vec<u32>,
        identity: bool,
    },
    Rows(Vec<u32>),
    Absent,
}

impl<'a> Res<'a> {
    fn dict(keys: Keys<'a>, map: Vec<u32>) -> Res<'a> {
        let identity = map.iter().enumerate().all(|(k, &id)| id as usize == k);
        Res::Dict {
            keys,
            map,
            identity,
        }
    }

    /// For a dictionary: a bitset of the entries that mean "no actor".
    fn null_entries(&self) -> Vec<u64> {
        match self {
            Res::Dict { map, .. } => {
                let mut bits = vec![0u64; map.len().div_ceil(64)];
                for (k, &v) in map.iter().enumerate() {
                    if v == NULL_KEY {
                        set_bit(&mut bits, u32::try_from(k).unwrap_or(u32::MAX));
                    }
                }
                bits
            }
            _ => Vec::new(),
        }
    }

    /// True when row `i` has no value, without reading the dictionary map.
    #[inline]
    fn is_null(&self, i: usize, null_entries: &[u64]) -> bool {
        match self {
            Res::Dict { keys, .. } => {
                let k = keys.entry(i);
                k == NULL_KEY || bit(null_entries, k)
            }
            _ => self.get(i) == NULL_KEY,
        }
    }

    /// The ids of rows `start..start + out.len()`.
    fn fill(&self, start: usize, out: &mut [u32]) {
        match self {
            Res::Dict {
                keys,
                identity: true,
                ..
            } => {
                // Keys are checked against the dictionary before counting:
                // each is an entry or missing.
                keys.fill(start, out);
            }
            Res::Dict { keys, map, .. } => with_keys!(keys, keys => {
                let keys = keys.get(start..).unwrap_or_default();
                for (o, &k) in out.iter_mut().zip(keys) {
                    *o = map.get(k.entry() as usize).copied().unwrap_or(NULL_KEY);
                }
            }),
            Res::Rows(v) => {
                let v = v.get(start..).unwrap_or_default();
                for (o, &x) in out.iter_mut().zip(v) {
                    *o = x;
                }
            }
            Res::Absent => out.fill(NULL_KEY),
        }
    }

    #[inline]
    fn get(&self, i: usize) -> u32 {
        match self {
            Res::Dict { keys, map, .. } => match keys.entry(i) {
                NULL_KEY => NULL_KEY,
                k => map.get(k as usize).copied().unwrap_or(NULL_KEY),
            },
            Res::Rows(v) => v.get(i).copied().unwrap_or(NULL_KEY),
            Res::Absent => NULL_KEY,
        }
    }
}

enum KindRes<'a> {
    Codes(&'a [u8]),
    Dict { keys: Keys<'a>, map: Vec<u8> },
    Rows(Vec<u8>),
}

impl KindRes<'_> {
    /// The kind codes of rows `start..start + out.len()`.
    fn fill(&self, start: usize, out: &mut [u8]) {
        match self {
            KindRes::Codes(c) => {
                let c = c.get(start..).unwrap_or_default();
                for (o, &x) in out.iter_mut().zip(c) {
                    *o = x;
                }
            }
            KindRes::Dict { keys, map } => with_keys!(keys, keys => {
                let keys = keys.get(start..).unwrap_or_default();
                for (o, &k) in out.iter_mut().zip(keys) {
                    *o = map.get(k.entry() as usize).copied().unwrap_or(0);
                }
            }),
            KindRes::Rows(v) => {
                let v = v.get(start..).unwrap_or_default();
                for (o, &x) in out.iter_mut().zip(v) {
                    *o = x;
                }
            }
        }
    }

    #[inline]
    fn get(&self, i: usize) -> u8 {
        match self {
            KindRes::Codes(c) => c.get(i).copied().unwrap_or(0),
            KindRes::Dict { keys, map } => map.get(keys.entry(i) as usize).copied().unwrap_or(0),
            KindRes::Rows(v) => v.get(i).copied().unwrap_or(0),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Group,
    Actor,
}

impl Target {
    fn column(self) -> &'static str {
        match self {
            Target::Group => "group",
            Target::Actor => "actor",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Target::Group => "groups",
            Target::Actor => "people",
        }
    }
}

/// Looks up (or checks and interns) one string. Empty actors are no actor.
fn lookup(
    s: &str,
    interner: &mut Interner,
    target: Target,
    row: usize,
) -> Result<u32, HealthError> {
    if let Some(i) = interner.get(s) {
        return Ok(i);
    }
    if target == Target::Actor && s.is_empty() {
        return Ok(NULL_KEY);
    }
    let check = match target {
        Target::Group => check_group(s),
        Target::Actor => check_person(s),
    };
    check.map_err(|r| {
        HealthError::row(
            row,
            target.column(),
            format!("{:?} {r}", super::error::cut(s)),
        )
    })?;
    let i = interner.insert_new(s, target.what())?;
    if i >= UNRESOLVED {
        return Err(HealthError::TooMany {
            what: target.what(),
        });
    }
    Ok(i)
}

/// Marks the dictionary entries `keys` use: `marks[e]` for entry `e`,
/// `marks[entries]` when a key is missing and `marks[entries + 1]` when
/// one lies outside the dictionary. One store a key and no branch on
/// the key, on every core: a missing key ([`NULL_KEY`]) and one outside
/// both mark `marks[entries]` first, and only when that is marked are the
/// keys read again to tell the two apart.
fn mark_entries<K: Key>(keys: &[K], entries: usize) -> Vec<u8> {
    let (missing, outside) = (entries, entries + 1);
    let mark = |mut marks: Vec<u8>, keys: &[K]| {
        for &k in keys {
            if let Some(m) = marks.get_mut((k.entry() as usize).min(missing)) {
                *m = 1;
            }
        }
        marks
    };
    let mut marks = mark_all(keys, entries, mark);
    if marks.get(missing).is_some_and(|&m| m != 0) {
        // A key of `entries` or more (not missing) is outside the
        // dictionary, as the row-by-row path says.
        let (none, out) = keys.iter().fold((false, false), |(none, out), &k| {
            let e = k.entry();
            let is_none = e == NULL_KEY;
            (none | is_none, out | (!is_none & (e as usize >= entries)))
        });
        for (at, m) in [(missing, none), (outside, out)] {
            if let Some(slot) = marks.get_mut(at) {
                *slot = u8::from(m);
            }
        }
    }
    marks
}

/// `mark` of `keys` into `entries + 2` marks, a piece at a time on every
/// core on native targets.
fn mark_all<K: Key>(
    keys: &[K],
    entries: usize,
    mark: impl Fn(Vec<u8>, &[K]) -> Vec<u8> + Sync + Send,
) -> Vec<u8> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        keys.par_chunks(1 << 16)
            .fold(|| vec![0u8; entries + 2], mark)
            .reduce_with(|mut a, b| {
                for (x, y) in a.iter_mut().zip(&b) {
                    *x |= y;
                }
                a
            })
            .unwrap_or_else(|| vec![0u8; entries + 2])
    }
    #[cfg(target_arch = "wasm32")]
    {
        mark(vec![0u8; entries + 2], keys)
    }
}

/// A dictionary column without a validity bitmap, quickly: which entries
/// the rows use is found on every core, then those entries are interned in
/// dictionary order. `None`, with the interner as it was, when a row or an
/// entry is wrong: the row-by-row path then names the first such row.
fn resolve_dict<'a, K: Key>(
    keys: &'a [K],
    values: &Strings<'a>,
    interner: &mut Interner,
    target: Target,
) -> Option<Res<'a>>
where
    Keys<'a>: From<&'a [K]>,
{
    let entries = values.len();
    let seen = mark_entries(keys, entries);
    let marked = |e: usize| seen.get(e).is_some_and(|&m| m != 0);
    if marked(entries + 1) || (target == Target::Group && marked(entries)) {
        return None;
    }
    // The entries in use, hashed and checked on every core, then interned
    // in dictionary order.
    let used: Vec<usize> = seen
        .get(..entries)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|&(_, &m)| m != 0)
        .map(|(k, _)| k)
        .collect();
    let prepare = |&k: &usize| -> Option<(&'a str, u64, bool)> {
        let s = values.get(k).ok()?;
        let fine = match target {
            Target::Group => check_group(s).is_ok(),
            Target::Actor => s.is_empty() || check_person(s).is_ok(),
        };
        Some((s, interner.hash(s), fine))
    };
    #[cfg(not(target_arch = "wasm32"))]
    let prepared: Vec<Option<(&str, u64, bool)>> = {
        use rayon::prelude::*;
        used.par_iter().with_min_len(1024).map(prepare).collect()
    };
    #[cfg(target_arch = "wasm32")]
    let prepared: Vec<Option<(&str, u64, bool)>> = used.iter().map(prepare).collect();
    let before = interner.len();
    interner.reserve(used.len());
    let mut map = vec![UNRESOLVED; entries];
    for (&k, entry) in used.iter().zip(prepared) {
        // As `lookup` does; any error goes to the row-by-row path.
        let id = entry.and_then(|(s, h, fine)| match interner.find(s, h) {
            Some(i) => Some(i),
            None if target == Target::Actor && s.is_empty() => Some(NULL_KEY),
            None if fine => interner
                .insert_hashed(s, h, target.what())
                .ok()
                .filter(|&i| i < UNRESOLVED),
            None => None,
        });
        match (id, map.get_mut(k)) {
            (Some(id), Some(slot)) => *slot = id,
            _ => {
                interner.truncate(before);
                return None;
            }
        }
    }
    Some(Res::dict(keys.into(), map))
}

fn resolve_strings<'a>(
    col: &StrColumn<'a>,
    valid: Option<&[u8]>,
    interner: &mut Interner,
    target: Target,
) -> Result<Res<'a>, HealthError> {
    let column = target.column();
    let present = |i: usize| {
        valid.is_none_or(|bits| bits.get(i / 8).is_some_and(|b| (b >> (i % 8)) & 1 == 1))
    };
    let get = |values: &Strings<'a>, i: usize, row: usize| {
        values.get(i).map_err(|r| HealthError::row(row, column, r))
    };
    match *col {
        StrColumn::Dict { keys, values } => resolve_keys(keys, values, valid, interner, target),
        StrColumn::Dict16 { keys, values } => resolve_keys(keys, values, valid, interner, target),
        StrColumn::Values(values) => {
            let mut rows = Vec::with_capacity(values.len());
            for row in 0..values.len() {
                if !present(row) {
                    if target == Target::Group {
                        return Err(HealthError::row(row, column, "is missing"));
                    }
                    rows.push(NULL_KEY);
                    continue;
                }
                let s = get(&values, row, row)?;
                rows.push(lookup(s, interner, target, row)?);
            }
            Ok(Res::Rows(rows))
        }
    }
}

/// [`resolve_strings`] of a dictionary column.
fn resolve_keys<'a, K: Key>(
    keys: &'a [K],
    values: Strings<'a>,
    valid: Option<&[u8]>,
    interner: &mut Interner,
    target: Target,
) -> Result<Res<'a>, HealthError>
where
    Keys<'a>: From<&'a [K]>,
{
    let column = target.column();
    let present = |i: usize| {
        valid.is_none_or(|bits| bits.get(i / 8).is_some_and(|b| (b >> (i % 8)) & 1 == 1))
    };
    let get = |values: &Strings<'a>, i: usize, row: usize| {
        values.get(i).map_err(|r| HealthError::row(row, column, r))
    };
    if valid.is_none()
        && let Some(res) = resolve_dict(keys, &values, interner, target)
    {
        return Ok(res);
    }
    interner.reserve(values.len().min(keys.len()));
    let mut map = vec![UNRESOLVED; values.len()];
    // Which keys were seen: a bitset small enough to stay in cache.
    let mut seen = vec![0u64; values.len().div_ceil(64)];
    for (row, &k) in keys.iter().enumerate() {
        let k = k.entry();
        if k == NULL_KEY || !present(row) {
            if target == Target::Group {
                return Err(HealthError::row(row, column, "is missing"));
            }
            continue;
        }
        if bit(&seen, k) {
            continue;
        }
        let slot = map.get_mut(k as usize).ok_or_else(|| {
            HealthError::row(
                row,
                column,
                format!(
                    "dictionary key {k} is outside the dictionary of {} entries",
                    values.len()
                ),
            )
        })?;
        let s = get(&values, k as usize, row)?;
        *slot = lookup(s, interner, target, row)?;
        set_bit(&mut seen, k);
    }
    if valid.is_some() {
        // Nulls are marked in the bitmap: resolve per row.
        let rows = keys
            .iter()
            .enumerate()
            .map(|(row, &k)| {
                let k = k.entry();
                if k == NULL_KEY || !present(row) {
                    NULL_KEY
                } else {
                    map.get(k as usize).copied().unwrap_or(NULL_KEY)
                }
            })
            .collect();
        return Ok(Res::Rows(rows));
    }
    Ok(Res::dict(keys.into(), map))
}

fn parse_kind(s: &str, row: usize) -> Result<u8, HealthError> {
    Kind::ALL
        .into_iter()
        .find(|k| k.as_str() == s)
        .map(Kind::code)
        .ok_or_else(|| {
            HealthError::row(
                row,
                "kind",
                format!("{:?} is not an activity kind", super::error::cut(s)),
            )
        })
}

fn resolve_kinds<'a>(col: &KindColumn<'a>) -> Result<KindRes<'a>, HealthError> {
    match *col {
        KindColumn::Codes(codes) => {
            if let Some(row) = first_where(codes, |c| c > 7) {
                let c = codes.get(row).copied().unwrap_or(0);
                return Err(HealthError::row(
                    row,
                    "kind",
                    format!("code {c} is not an activity kind (0 to 7)"),
                ));
            }
            Ok(KindRes::Codes(codes))
        }
        KindColumn::Names(StrColumn::Dict { keys, values }) => kind_keys(keys, values),
        KindColumn::Names(StrColumn::Dict16 { keys, values }) => kind_keys(keys, values),
        KindColumn::Names(StrColumn::Values(values)) => {
            let mut rows = Vec::with_capacity(values.len());
            for row in 0..values.len() {
                let s = values
                    .get(row)
                    .map_err(|r| HealthError::row(row, "kind", r))?;
                rows.push(parse_kind(s, row)?);
            }
            Ok(KindRes::Rows(rows))
        }
    }
}

/// [`resolve_kinds`] of a dictionary column of kind names.
fn kind_keys<'a, K: Key>(keys: &'a [K], values: Strings<'a>) -> Result<KindRes<'a>, HealthError>
where
    Keys<'a>: From<&'a [K]>,
{
    let mut map: Vec<Option<u8>> = vec![None; values.len()];
    for (row, &k) in keys.iter().enumerate() {
        let k = k.entry();
        if k == NULL_KEY {
            return Err(HealthError::row(row, "kind", "is missing"));
        }
        let slot = map.get_mut(k as usize).ok_or_else(|| {
            HealthError::row(
                row,
                "kind",
                format!(
                    "dictionary key {k} is outside the dictionary of {} entries",
                    values.len()
                ),
            )
        })?;
        if slot.is_none() {
            let s = values
                .get(k as usize)
                .map_err(|r| HealthError::row(row, "kind", r))?;
            *slot = Some(parse_kind(s, row)?);
        }
    }
    Ok(KindRes::Dict {
        keys: keys.into(),
        map: map.into_iter().map(|c| c.unwrap_or(0)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;

    #[test]
    fn percentile_is_nearest_rank() {
        let mut v = vec![5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(percentile(&mut v, 0.95), Some(5.0));
        assert_eq!(percentile(&mut v, 0.5), Some(3.0));
        assert_eq!(percentile(&mut v, 0.2), Some(1.0));
        assert_eq!(percentile(&mut [], 0.5), None);
        assert_eq!(percentile_median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    /// Rows of a small random log: several hundred groups (some with
    /// pauses or listed leaders via `facts`), every kind, some staff and
    /// future rows, values missing or not.
    fn random_log(seed: u64, n: usize, names: &[String]) -> Vec<crate::health::ActivityRow<'_>> {
        use crate::health::ActivityRow;
        let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ActivityRow {
                    group: &names[(x >> 33) as usize % names.len()],
                    time: now - chrono::Duration::minutes((x >> 20) as i64 % (300 * 1440) - 600),
                    kind: Kind::ALL[(x >> 13) as usize % 8],
                    value: (!(x >> 7).is_multiple_of(5)).then_some(((x >> 45) % 50) as f64),
                    actor: Some(["a", "b", "c", "d", "staff-1"][(x >> 40) as usize % 5]),
                }
            })
            .collect()
    }

    fn random_facts() -> crate::health::Facts {
        crate::health::Facts::from_json(
            r#"{"staff": ["staff-1"], "groups": [
                {"group": "g1", "leaders": ["a", "b"]},
                {"group": "g2", "pauses": [{"from": "2026-06-01T00:00:00Z", "until": "2026-07-01T00:00:00Z"}]},
                {"group": "g3", "leaders": [], "created": "2025-01-01T00:00:00Z"}]}"#,
        )
        .unwrap()
    }

    fn report_in_parts(
        rows: &[crate::health::ActivityRow<'_>],
        parts: usize,
        reverse: bool,
        wide: bool,
    ) -> String {
        use crate::health::HealthModel;
        let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let mut table = ActivityTable::new();
        if reverse {
            rows.iter().rev().for_each(|r| table.push(*r).unwrap());
        } else {
            rows.iter().for_each(|r| table.push(*r).unwrap());
        }
        let mut scorer = Scorer::new(&HealthModel::default(), &random_facts(), now).unwrap();
        let mut cols = table.columns();
        // With `wide`, the group and actor keys are 16-bit ones as well.
        let narrow = |c: &StrColumn<'_>| -> Option<Vec<i16>> {
            match c {
                StrColumn::Dict { keys, .. } => Some(
                    keys.iter()
                        .map(|&k| {
                            if k == NULL_KEY {
                                -1
                            } else {
                                i16::try_from(k).unwrap()
                            }
                        })
                        .collect(),
                ),
                _ => None,
            }
        };
        let (group16, actor16) = (narrow(&cols.group), cols.actor.as_ref().and_then(narrow));
        if wide {
            let (StrColumn::Dict { values: gv, .. }, Some(StrColumn::Dict { values: av, .. })) =
                (cols.group, cols.actor)
            else {
                unreachable!("a table's columns are dictionaries")
            };
            cols.group = StrColumn::Dict16 {
                keys: group16.as_deref().unwrap(),
                values: gv,
            };
            cols.actor = Some(StrColumn::Dict16 {
                keys: actor16.as_deref().unwrap(),
                values: av,
            });
        }
        let res = scorer.resolve(&cols).unwrap();
        scorer.push_group();
        scorer.sync_actors();
        if wide {
            scorer.accumulate_rows::<Rec>(&cols, &res, parts);
        } else {
            scorer.accumulate_in(&cols, &res, parts);
        }
        scorer.report(None).to_json()
    }

    #[test]
    fn parts_and_batches_do_not_change_the_result() {
        use crate::health::{Facts, HealthModel};
        let names: Vec<String> = (0..600).map(|i| format!("g{i}")).collect();
        let rows = random_log(7, 5000, &names);
        let one = report_in_parts(&rows, 1, false, false);
        for parts in [1, 2, 3, 7, 64] {
            assert_eq!(
                one,
                report_in_parts(&rows, parts, false, false),
                "{parts} parts"
            );
            assert_eq!(
                one,
                report_in_parts(&rows, parts, true, false),
                "{parts} parts, reversed"
            );
            // 24-byte rows count as 16-byte ones; 16-bit keys as 32-bit ones.
            assert_eq!(
                one,
                report_in_parts(&rows, parts, false, true),
                "{parts} parts, wide rows"
            );
        }
        // Batches of rows in reverse order, each counted in its own parts.
        let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let mut many = Scorer::new(&HealthModel::default(), &random_facts(), now).unwrap();
        for chunk in rows.rchunks(7) {
            many.add_rows(chunk.iter().rev().copied()).unwrap();
        }
        assert_eq!(one, many.report(None).to_json());
        let _ = Facts::default();
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]
        /// Counting in any number of parts (in parallel) gives the same
        /// report, bit for bit, as counting sequentially in one, whatever
        /// the order of the rows, the rows' layout and the keys' width.
        #[test]
        fn parallel_parts_are_bit_identical(seed in proptest::prelude::any::<u64>(),
                                            n in 0usize..3000, groups in 1usize..400,
                                            parts in 2usize..9, reverse in proptest::prelude::any::<bool>(),
                                            wide in proptest::prelude::any::<bool>()) {
            let names: Vec<String> = (0..groups).map(|i| format!("g{i}")).collect();
            let rows = random_log(seed, n, &names);
            let one = report_in_parts(&rows, 1, false, false);
            proptest::prop_assert_eq!(one, report_in_parts(&rows, parts, reverse, wide));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]
        /// A kind's counting loop drops the counts `Kept` says are never
        /// read for that kind: whatever those fields hold, the report (its
        /// texts, trends, milestones and the network metrics) is the same.
        #[test]
        fn counts_a_kind_does_not_keep_are_never_read(seed in proptest::prelude::any::<u64>(),
                                                     n in 0usize..3000, groups in 1usize..300,
                                                     junk in proptest::prelude::any::<u64>()) {
            use crate::health::HealthModel;
            let names: Vec<String> = (0..groups).map(|i| format!("g{i}")).collect();
            let rows = random_log(seed, n, &names);
            let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
            let mut scorer = Scorer::new(&HealthModel::default(), &random_facts(), now).unwrap();
            scorer.add_rows(rows.iter().copied()).unwrap();
            let before = scorer.report(None).to_json();
            let (j32, j64) = (junk as u32, junk);
            for acc in &mut scorer.acc {
                for (ks, kind) in acc.kinds.iter_mut().zip(Kind::ALL) {
                    let kept = Kept::of(kind);
                    if !kept.n_win { ks.n_win = j32; }
                    if !kept.v_win { ks.v_win = j64; }
                    if !kept.trend { ks.n_recent = j32; ks.n_base = j32.rotate_left(7); }
                    if !kept.n_metrics { ks.n_metrics = j32.rotate_left(3); }
                    if !kept.v_metrics { ks.v_metrics = j64.rotate_left(5); }
                    if !kept.last_age { ks.last_age = j64.rotate_left(11); }
                    if !kept.v { ks.v = j64.rotate_left(13); }
                }
            }
            proptest::prop_assert_eq!(before, scorer.report(None).to_json());
        }
    }

    proptest::proptest! {
        /// The fixed point of any number below 2^43 (far above 10^12) is
        /// the unsigned conversion's, and so is that of a missing or
        /// negative one.
        #[test]
        fn fixed_point_is_the_unsigned_conversion(v in 0.0..8.0e12f64, bits in proptest::prelude::any::<u64>()) {
            let unsigned = |v: f64| (v * V_SCALE + 0.5) as u64;
            let whole = v.trunc();
            for x in [v, whole, whole + 0.5, -v, f64::NAN, -0.0, f64::from_bits(bits) % 8.0e12] {
                proptest::prop_assert_eq!(fx(x), unsigned(x), "{}", x);
            }
        }
    }

    #[test]
    fn sixteen_byte_rows_hold_counts_and_missing_values() {
        let fits = fits_rec16;
        assert!(fits(&[]));
        assert!(fits(&[0.0, -0.0, 1.0, 14.0, f64::NAN, 65534.0]));
        for bad in [0.5, 65535.0, 65536.0, 1e12, -1.0, f64::INFINITY, 1e-300] {
            assert!(!fits(&[1.0, bad]), "{bad}");
        }
        for v in [0.0, 1.0, 14.0, 65534.0] {
            let r = Rec16::new(5, v, 7, 3, 2);
            assert_eq!((r.t(), r.v(), r.a(), r.g(), r.k()), (5, v, 7, 3, 2));
        }
        assert!(Rec16::new(5, f64::NAN, 7, 3, 2).v().is_nan());
        assert_eq!(std::mem::size_of::<Rec16>(), 16);
        assert_eq!(std::mem::size_of::<Rec>(), 24);
    }

    proptest::proptest! {
        /// A packed row gives back each field it was made of, and its sort
        /// key is its group's place and kind.
        #[test]
        fn packed_rows_give_back_their_fields(t in proptest::prelude::any::<i64>(),
                                              a in proptest::prelude::any::<u32>(),
                                              g in 0..BUCKET_GROUPS as u8, k in 0u8..8,
                                              v in 0u16..NO_VALUE, missing in proptest::prelude::any::<bool>()) {
            let value = if missing { f64::NAN } else { f64::from(v) };
            for r in [Rec16::new(t, value, a, g, k), Rec16::new(t, value, a, (BUCKET_GROUPS - 1) as u8, 7), Rec16::new(t, value, u32::MAX, 0, 0)] {
                proptest::prop_assert_eq!(r.key(), usize::from(r.g()) * 8 + usize::from(r.k()));
                proptest::prop_assert_eq!(r.t(), t);
                proptest::prop_assert_eq!(r.v().to_bits(), value.to_bits());
            }
            let r = Rec16::new(t, value, a, g, k);
            proptest::prop_assert_eq!((r.a(), r.g(), r.k()), (a, g, k));
            // The value in fixed point without a float is the one through
            // it, as a 24-byte row gives it.
            let want = if missing { MISSING } else { fx(value) };
            proptest::prop_assert_eq!(r.v_fx(), want);
            proptest::prop_assert_eq!(Rec::new(t, value, a, g, k).v_fx(), want);
        }
    }

    /// Each group's room is its number of event and post rows, however
    /// many pieces count them.
    #[test]
    fn room_counts_each_groups_events_and_posts() {
        let names: Vec<String> = (0..37).map(|i| format!("g{i}")).collect();
        let rows = random_log(11, 5000, &names);
        let mut table = ActivityTable::new();
        for row in &rows {
            table.push(*row).unwrap();
        }
        let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let mut scorer = Scorer::new(&HealthModel::default(), &random_facts(), now).unwrap();
        let cols = table.columns();
        let res = scorer.resolve(&cols).unwrap();
        let groups = scorer.groups.len();
        let mut expected = vec![[0u32; 2]; groups];
        for row in &rows {
            let g = scorer.groups.get(row.group).unwrap() as usize;
            match row.kind {
                Kind::EventHeld => expected[g][0] += 1,
                Kind::Post => expected[g][1] += 1,
                _ => {}
            }
        }
        for pieces in [1, 2, 3, 7] {
            assert_eq!(
                room(groups, &res, rows.len(), pieces),
                expected,
                "{pieces} pieces"
            );
        }
    }

    /// The validity pass over the values also finds whether they all fit
    /// 16-byte rows, wherever the first that does not fit is (the values'
    /// errors are tested with the columns).
    #[test]
    fn values_are_checked_and_sized_in_one_pass() {
        let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let n = 70_000;
        for (at, odd) in [
            (None, ""),
            (Some(0), "0.5"),
            (Some(4_095), "65535"),
            (Some(4_096), "0.25"),
            (Some(66_000), "1e9"),
            (Some(69_999), "70000"),
        ] {
            let mut csv = String::from("group,time,kind,value,actor\n");
            for i in 0..n {
                let value = match at {
                    Some(a) if a == i => odd.to_owned(),
                    _ if i % 3 == 0 => String::new(),
                    _ => (i % 40).to_string(),
                };
                csv.push_str(&format!("g{},2026-10-01T00:00:00Z,win,{value},\n", i % 7));
            }
            let table = ActivityTable::from_csv(&csv).unwrap();
            let cols = table.columns();
            let mut scorer = Scorer::new(&HealthModel::default(), &Facts::default(), now).unwrap();
            let res = scorer.resolve(&cols).unwrap();
            assert_eq!(res.small_values, at.is_none(), "{odd}");
            assert_eq!(res.small_values, fits_rec16(cols.value.unwrap()), "{odd}");
        }
    }

    proptest::proptest! {
        /// The vectorized test of a value is the plain one.
        #[test]
        fn sixteen_byte_rows_take_exactly_whole_values_below_the_mark(
            x in proptest::prop_oneof![
                proptest::prelude::any::<f64>(),
                -2.0f64..70000.0,
                (0u32..70000).prop_map(f64::from),
                (0u32..70000).prop_map(|n| f64::from(n) + 0.5),
            ]
        ) {
            let plain = x.is_nan() || ((0.0..65535.0).contains(&x) && x.fract() == 0.0);
            proptest::prop_assert_eq!(fits_rec16(&[x]), plain);
            // The value check skips values that fit: they are all valid.
            if fits_rec16(&[x]) {
                proptest::prop_assert!(check_value(x).is_ok());
            }
        }

        /// Entries in use are marked as one key at a time marks them, with
        /// missing keys and keys outside the dictionary told apart, for keys
        /// of either width, in one block and several.
        #[test]
        fn entries_are_marked_as_key_by_key(
            keys in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => 0u32..20,
                    1 => proptest::prelude::Just(NULL_KEY),
                    1 => 20u32..70_000,
                    // a key equal to the dictionary's length is outside it
                    1 => 0u32..24,
                ],
                0..300,
            ),
            entries in 0usize..24,
            repeat in proptest::prop_oneof![1usize..2, 300usize..600],
        ) {
            let keys: Vec<u32> = keys.iter().copied().cycle().take(keys.len() * repeat).collect();
            let key_by_key = |keys: &mut dyn Iterator<Item = u32>| {
                let mut marks = vec![0u8; entries + 2];
                for e in keys {
                    let at = if e == NULL_KEY {
                        entries
                    } else if e as usize >= entries {
                        entries + 1
                    } else {
                        e as usize
                    };
                    marks[at] = 1;
                }
                marks
            };
            proptest::prop_assert_eq!(mark_entries(&keys, entries), key_by_key(&mut keys.iter().copied()));
            let narrow: Vec<i16> = keys.iter().map(|&k| i16::try_from(k).unwrap_or(-1)).collect();
            proptest::prop_assert_eq!(
                mark_entries(&narrow, entries),
                key_by_key(&mut narrow.iter().map(|&k| k.entry())),
            );
        }

        /// The first leader action without an actor is the row the plain
        /// search finds, with keys of either width, missing keys and
        /// dictionaries with or without an entry meaning "no actor" (the
        /// branch-free test and the plain search), across blocks.
        #[test]
        fn leaderless_rows_are_found_as_by_the_plain_search(
            seed in proptest::prelude::any::<u64>(),
            n in proptest::prop_oneof![0usize..300, 60_000usize..200_000],
            missing_per_million in proptest::prop_oneof![0u64..3, 0u64..200, 0u64..1_000_000],
            null_entry in proptest::prelude::any::<bool>(),
            narrow in proptest::prelude::any::<bool>(),
        ) {
            let mut x = seed | 1;
            let mut next = move || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            let codes: Vec<u8> = (0..n).map(|_| (next() % 8) as u8).collect();
            let keys: Vec<u32> = (0..n)
                .map(|_| if next() % 1_000_000 < missing_per_million { NULL_KEY } else { (next() % 5) as u32 })
                .collect();
            let narrow_keys: Vec<i16> = keys.iter().map(|&k| if k == NULL_KEY { -1 } else { k as i16 }).collect();
            // Entry 4 means "no actor" (an empty name) when `null_entry`.
            let map: Vec<u32> = (0..5).map(|e| if null_entry && e == 4 { NULL_KEY } else { e }).collect();
            let actor = if narrow {
                Res::dict(Keys::from(&narrow_keys[..]), map)
            } else {
                Res::dict(Keys::from(&keys[..]), map)
            };
            let kind = KindRes::Codes(&codes);
            let no_actor = actor.null_entries();
            let leader = Kind::LeaderAction.code();
            let want = (0..n).find(|&i| kind.get(i) == leader && actor.is_null(i, &no_actor));
            proptest::prop_assert_eq!(first_leaderless(n, &kind, &actor), want);
        }
    }

    /// A group with one post too old for a narrow key is measured from wide
    /// keys: the same capped posts, authors and windows as without it.
    #[test]
    fn wide_post_keys_count_as_narrow_ones() {
        use crate::health::ActivityRow;
        let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let facts = Facts::default();
        let model = HealthModel::default();
        let at = |days: i64, minutes: i64| {
            now - chrono::Duration::days(days) + chrono::Duration::minutes(minutes)
        };
        let post = |group, time, actor| ActivityRow {
            group,
            time,
            kind: Kind::Post,
            value: None,
            actor,
        };
        let mut rows = Vec::new();
        for group in ["g-narrow", "g-wide"] {
            // Five posts by one author on one day (three count), posts by
            // others and without an author, some outside the windows.
            for m in 0..5 {
                rows.push(post(group, at(3, -600 + m), Some("ana")));
            }
            for (d, actor) in [
                (1, Some("bo")),
                (2, None),
                (2, None),
                (40, Some("cy")),
                (200, Some("ana")),
            ] {
                rows.push(post(group, at(d, 0), actor));
            }
        }
        // 40 years ago: past 2^40 ms, so g-wide's posts take wide keys.
        rows.push(post("g-wide", at(40 * 365, 0), Some("bo")));
        let mut scorer = Scorer::new(&model, &facts, now).unwrap();
        scorer.add_rows(rows).unwrap();
        let g = |name: &str| usize::try_from(scorer.groups.get(name).unwrap()).unwrap();
        assert!(scorer.acc[g("g-wide")].posts_wide.len() == 1);
        assert!(scorer.acc[g("g-narrow")].posts_wide.is_empty());
        let cal = &scorer.model.calibration;
        let (a, b) = (
            scorer.measure(g("g-narrow"), cal, &mut Scratch::default()),
            scorer.measure(g("g-wide"), cal, &mut Scratch::default()),
        );
        assert_eq!(a.posts_over_cap, 2);
        assert_eq!(
            (
                a.posts_win,
                a.posts_over_cap,
                a.authors_win,
                a.posts_recent,
                a.posts_base
            ),
            (
                b.posts_win,
                b.posts_over_cap,
                b.authors_win,
                b.posts_recent,
                b.posts_base
            )
        );
        assert_eq!(a.s[4].to_bits(), b.s[4].to_bits());
    }

    proptest::proptest! {
        /// A post's days back from today are the difference of the two
        /// days, for any `now` and age (before and after 1970).
        #[test]
        fn days_back_is_the_difference_of_days(now in MIN_MS..=MAX_MS, raw in 0u64..1 << POST_AGE_BITS) {
            let t = now - i64::try_from(raw).unwrap();
            proptest::prop_assume!(t >= MIN_MS);
            proptest::prop_assert_eq!(
                days_back(raw, day_end_gap(now)),
                post_day(now) - post_day(t)
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Posts taken straight from uncrowded slots count as sorting every
        /// bucket counts them (one slot sorts them all; four slots crowd
        /// most), with one scratch reused over every group.
        #[test]
        fn posts_from_slots_count_as_sorted_buckets(
            seed in proptest::prelude::any::<u64>(),
            cap in 1u32..4,
            authors in 1usize..6,
            into_day in 0i64..DAY_MS,
        ) {
            use crate::health::ActivityRow;
            let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
                + chrono::Duration::milliseconds(into_day);
            let names: Vec<String> = (0..authors).map(|i| format!("p{i}")).collect();
            let groups = ["g0", "g1", "g2", "g3"];
            let mut x = seed;
            let rows: Vec<ActivityRow<'_>> = (0..600)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ActivityRow {
                        group: groups[(x >> 60) as usize % groups.len()],
                        // A few days, so buckets overflow the cap.
                        time: now - chrono::Duration::minutes((x >> 20) as i64 % (6 * 1440)),
                        kind: Kind::Post,
                        value: None,
                        actor: ((x >> 8) % 7 != 0)
                            .then(|| names[(x >> 40) as usize % names.len()].as_str()),
                    }
                })
                .collect();
            let model = HealthModel {
                posts_per_author_per_day: cap,
                ..HealthModel::default()
            };
            let mut scorer = Scorer::new(&model, &Facts::default(), now).unwrap();
            scorer.add_rows(rows.iter().copied()).unwrap();
            let cal = scorer.model.calibration.clone();
            let fields = |m: &Measures| {
                (m.s[4].to_bits(), m.posts_win, m.posts_over_cap, m.authors_win, m.posts_recent, m.posts_base)
            };
            let mut scratches = [None, Some(0), Some(2)].map(|slot_bits| Scratch {
                slot_bits,
                ..Scratch::default()
            });
            // Every post is within the window (six days of fourteen), and each
            // author's latest post of a day counts: the window's authors are
            // the group's distinct authors (no author being one).
            let authors_of = |g: usize| {
                let name = scorer.groups.name(u32::try_from(g).unwrap());
                let mut seen: Vec<Option<&str>> =
                    rows.iter().filter(|r| r.group == name).map(|r| r.actor).collect();
                seen.sort_unstable();
                seen.dedup();
                seen.len() as u64
            };
            for g in 0..scorer.acc.len() {
                let [a, b, c] = &mut scratches;
                let sorted = fields(&scorer.measure(g, &cal, b));
                proptest::prop_assert_eq!(sorted.3, authors_of(g));
                proptest::prop_assert_eq!(fields(&scorer.measure(g, &cal, a)), sorted);
                proptest::prop_assert_eq!(fields(&scorer.measure(g, &cal, c)), sorted);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// The people engaged are the distinct people with a counted row in
        /// the metrics window, whatever the words their bits fall in.
        #[test]
        fn engaged_people_are_counted_once_each(seed in proptest::prelude::any::<u64>(), people in 1usize..400) {
            use crate::health::{ActivityRow, HealthModel};
            let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
            let names: Vec<String> = (0..people).map(|i| format!("p{i}")).collect();
            let groups: Vec<String> = (0..40).map(|i| format!("g{i}")).collect();
            let mut x = seed;
            let rows: Vec<ActivityRow<'_>> = (0..3000)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let group = (x >> 50) as usize % groups.len();
                    // Mostly the group's own people, numbered together.
                    let person = if (x >> 12) % 4 == 0 {
                        (x >> 20) as usize % people
                    } else {
                        (group * 8 + (x >> 20) as usize % 8) % people
                    };
                    let kind = Kind::ALL[(x >> 8) as usize % 8];
                    let no_actor = kind != Kind::LeaderAction && (x >> 4) % 9 == 0;
                    ActivityRow {
                        group: &groups[group],
                        time: now - chrono::Duration::hours((x >> 30) as i64 % (200 * 24) - 24),
                        kind,
                        value: None,
                        actor: (!no_actor).then(|| names[person].as_str()),
                    }
                })
                .collect();
            let model = HealthModel::default();
            let window = chrono::Duration::days(i64::from(model.metrics_window_days));
            let want: std::collections::BTreeSet<&str> = rows
                .iter()
                .filter(|r| r.time <= now && now - r.time <= window)
                .filter_map(|r| r.actor)
                .collect();
            let mut scorer = Scorer::new(&model, &Facts::default(), now).unwrap();
            scorer.add_rows(rows.iter().copied()).unwrap();
            proptest::prop_assert_eq!(
                scorer.report(None).metrics.supporters_engaged,
                want.len() as u64
            );
        }
    }

    /// The impact facts join their parts as "a", "a and b", "a, b and c".
    #[test]
    fn impact_parts_are_joined_in_words() {
        use crate::health::ActivityRow;
        let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let row = |group, days: i64, kind| ActivityRow {
            group,
            time: now - chrono::Duration::days(days),
            kind,
            value: None,
            actor: Some("a"),
        };
        let rows = [
            row("one", 3, Kind::Win),
            row("two", 5, Kind::PetitionStarted),
            row("two", 4, Kind::PetitionStarted),
            row("two", 9, Kind::Win),
            row("three", 7, Kind::PetitionStarted),
            row("three", 6, Kind::ActionReported),
            row("three", 8, Kind::ActionReported),
            row("three", 2, Kind::Win),
            row("old", 200, Kind::Win),
        ];
        let mut scorer = Scorer::new(&HealthModel::default(), &Facts::default(), now).unwrap();
        scorer.add_rows(rows.iter().copied()).unwrap();
        let report = scorer.report(None);
        let facts = |g: &str| {
            report
                .group(g)
                .and_then(|r| r.component(Component::Impact))
                .map(|c| c.facts.clone())
                .unwrap()
        };
        assert_eq!(
            facts("one"),
            "1 win in the last 60 days, last one 3 days ago"
        );
        assert_eq!(
            facts("two"),
            "2 petitions started and 1 win in the last 60 days, last one 4 days ago"
        );
        assert_eq!(
            facts("three"),
            "1 petition started, 2 actions reported back and 1 win in the last 60 days, \
             last one 2 days ago"
        );
        assert_eq!(
            facts("old"),
            "no petitions, report-backs or wins in the last 60 days; last one 200 days ago"
        );
    }

    #[test]
    fn words() {
        assert_eq!(num3(2.5), "2.5");
        assert_eq!(num3(3.0), "3");
        assert_eq!(floor1_text(69.97), "69.9");
    }
}
