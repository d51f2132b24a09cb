//! Exponential decay in fixed point, bit-identical on every platform.
//!
//! `2^(-x)` is never taken from the platform's `exp2` (its last bit differs
//! between libms): a table of `2^(-j/1024)` is built at compile time from
//! integer square roots, and values between table entries are interpolated
//! in integers. The result is monotone non-increasing in the age and exactly
//! half of [`ONE`] at an age of one half-life.

/// The weight of an item aged zero: 1.0 in fixed point with 62 fraction bits.
pub(crate) const ONE: u64 = 1 << 62;

const STEP_BITS: u32 = 10;
const STEPS: usize = 1 << STEP_BITS;

/// `TABLE[j] = 2^62 · 2^(-j/1024)` for `j` in `0..=1024`, strictly decreasing.
static TABLE: [u64; STEPS + 1] = build_table();

// Evaluated at compile time: an out-of-range index would fail the build.
#[allow(clippy::cast_possible_truncation, clippy::indexing_slicing)]
const fn build_table() -> [u64; STEPS + 1] {
    // roots[i] = 2^62 · 2^(-1/2^(i+1)), by repeated integer square roots.
    let mut roots = [0u64; STEP_BITS as usize];
    let mut prev: u128 = 1u128 << 61; // 2^(-1) in fixed point
    let mut i = 0;
    while i < STEP_BITS as usize {
        let r = (prev << 62).isqrt();
        roots[i] = r as u64;
        prev = r;
        i += 1;
    }
    let mut table = [0u64; STEPS + 1];
    let mut j = 0;
    while j < STEPS {
        // j/1024 = Σ bit_b(j) · 2^(b-10); bit 9 is 1/2, i.e. roots[0].
        let mut acc: u128 = 1u128 << 62;
        let mut i = 0;
        while i < STEP_BITS as usize {
            if (j >> (STEP_BITS as usize - 1 - i)) & 1 == 1 {
                acc = (acc * roots[i] as u128 + (1u128 << 61)) >> 62;
            }
            i += 1;
        }
        table[j] = acc as u64;
        j += 1;
    }
    table[STEPS] = 1u64 << 61;
    table
}

fn entry(j: usize) -> u64 {
    TABLE.get(j).copied().unwrap_or(0)
}

/// `2^(-age/half_life)` scaled by [`ONE`]. `half_life` must be at least 1.
///
/// Monotone non-increasing in `age`; `weight(0, h) == ONE` and
/// `weight(h, h) == ONE / 2` exactly.
#[cfg(test)]
pub(crate) fn weight(age: u64, half_life: u64) -> u64 {
    HalfLife::new(half_life).weight(age)
}

/// A half-life in ms, with a reciprocal for dividing ages by it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HalfLife {
    h: u64,
    /// `ceil(2^shift / h)`: `(age · magic) >> (shift - 22)` is
    /// `floor(age · 2^22 / h)` exactly for every `age < 2^AGE_BITS`.
    magic: u128,
    shift: u32,
    /// Ages below this take the multiply (0 when `h` is too large for it).
    limit: u64,
    /// `ceil(2^(64 + short_shift) / h) < 2^64`: the high word of
    /// `age · 2^22 · short_magic`, shifted right by `short_shift`, is
    /// `floor(age · 2^22 / h)` exactly for every `age < 2^SHORT_AGE_BITS`.
    short_magic: u64,
    short_shift: u32,
    /// Ages below this take the one-word multiply (0 when `h` is too small
    /// or too large for it).
    short_limit: u64,
}

const FRAC_BITS: u32 = 22;
const REM_BITS: u32 = FRAC_BITS - STEP_BITS;
/// Ages below `2^AGE_BITS` ms (over 17,000 years) take the multiply.
const AGE_BITS: u32 = 49;
/// Ages below `2^SHORT_AGE_BITS` ms (over 34 years: nearly every age an
/// activity log has) take a multiply of one word by one word, whose
/// quotient is the high word of the product: a third of the instructions
/// of the multiply by a magic number of more than 64 bits.
const SHORT_AGE_BITS: u32 = 40;

impl HalfLife {
    /// A half-life of `ms` milliseconds (at least 1).
    pub(crate) fn new(ms: u64) -> HalfLife {
        let h = ms.max(1);
        // With dividends X = age · 2^22 < 2^N (N = AGE_BITS + 22) and
        // shift = N + ceil(log2 h), m = ceil(2^shift / h) = (2^shift + e) / h
        // with 0 <= e < h, so X·m / 2^shift = X/h + X·e / (h·2^shift), whose
        // second term is below 2^N / 2^shift <= 1/h: too small to move
        // floor(X/h) past the next integer. With h <= 2^MAX_LOG, m < 2^72 + 1
        // and the product stays below 2^49 · (2^72 + 1) < 2^128.
        const MAX_LOG: u32 = 42; // half-lives up to 139 years
        let log = u64::BITS - (h - 1).leading_zeros(); // ceil(log2 h)
        if log > MAX_LOG {
            return HalfLife {
                h,
                magic: 0,
                shift: FRAC_BITS,
                limit: 0,
                short_magic: 0,
                short_shift: 0,
                short_limit: 0,
            };
        }
        let shift = AGE_BITS + FRAC_BITS + log;
        let magic = (1u128 << shift).div_ceil(u128::from(h));
        // The same bound with N = SHORT_AGE_BITS + 22 = 62: X · e < 2^62 · h
        // <= 2^shift, so X·m / 2^shift is X/h plus less than 1/h. With
        // h > 2^(log - 1), m <= 2^shift / h + 1 <= 2^63: one word. A shift
        // of at least 64 (log >= 2) makes the quotient the product's high
        // word, shifted.
        let (short_magic, short_shift, short_limit) = if log >= 2 {
            let shift = SHORT_AGE_BITS + FRAC_BITS + log;
            let m = (1u128 << shift).div_ceil(u128::from(h));
            (
                u64::try_from(m).unwrap_or(0),
                shift - 64,
                if m >> 64 == 0 { 1 << SHORT_AGE_BITS } else { 0 },
            )
        } else {
            (0, 0, 0)
        };
        HalfLife {
            h,
            magic,
            shift,
            limit: 1 << AGE_BITS,
            short_magic,
            short_shift,
            short_limit,
        }
    }

    /// `2^(-age/h)` scaled by [`ONE`]: monotone non-increasing in `age`,
    /// [`ONE`] at 0 and exactly half of it at `h`. Integer arithmetic only.
    #[allow(clippy::cast_possible_truncation)] // quotients below are < 2^22
    #[inline]
    pub(crate) fn weight(self, age: u64) -> u64 {
        let (n, frac) = if age < self.short_limit {
            // floor(age · 2^22 / h) from the high word of one product.
            let q = ((u128::from(age << FRAC_BITS) * u128::from(self.short_magic)) >> 64) as u64
                >> self.short_shift;
            (q >> FRAC_BITS, q & ((1 << FRAC_BITS) - 1))
        } else if age < self.limit {
            // floor(age · 2^22 / h): whole half-lives above, the fraction of
            // one in the low 22 bits (the same as dividing the remainder).
            let q = (u128::from(age) * self.magic) >> (self.shift - FRAC_BITS);
            ((q >> FRAC_BITS) as u64, (q as u64) & ((1 << FRAC_BITS) - 1))
        } else {
            self.divide(age)
        };
        if n >= 63 {
            return 0;
        }
        Self::interpolate(n, frac)
    }

    /// Whole half-lives in `age` and the fraction of the next in 22 bits,
    /// by division.
    #[allow(clippy::cast_possible_truncation)] // r < h, so the quotient is < 2^22
    fn divide(self, age: u64) -> (u64, u64) {
        let h = self.h;
        let n = age / h;
        let r = age - n * h;
        let frac = if h < (1 << (64 - FRAC_BITS)) {
            (r << FRAC_BITS) / h
        } else {
            ((u128::from(r) << FRAC_BITS) / u128::from(h)) as u64
        };
        (n, frac)
    }

    /// The weight by division only (the reference for the multiply).
    #[cfg(test)]
    fn weight_by_division(self, age: u64) -> u64 {
        let (n, frac) = self.divide(age);
        if n >= 63 {
            return 0;
        }
        Self::interpolate(n, frac)
    }

    #[allow(clippy::cast_possible_truncation)] // frac < 2^22
    #[inline]
    fn interpolate(n: u64, frac: u64) -> u64 {
        let j = (frac >> REM_BITS) as usize;
        let rem = frac & ((1 << REM_BITS) - 1);
        let hi = entry(j);
        let lo = entry(j + 1);
        // hi - lo < 2^52, rem < 2^12: the product fits in 64 bits.
        let t = hi - ((hi.saturating_sub(lo) * rem) >> REM_BITS);
        t >> n
    }
}

/// `2^(-x)` scaled by [`ONE`], for `x` given in fixed point with 62 fraction
/// bits. Monotone non-increasing in `x`.
#[allow(clippy::cast_possible_truncation)] // masked values fit in u64
pub(crate) fn exp2_neg(x: u128) -> u64 {
    let n = x >> 62;
    if n >= 63 {
        return 0;
    }
    let frac = (x & u128::from(ONE - 1)) as u64;
    let shift = 62 - STEP_BITS;
    let j = (frac >> shift) as usize;
    let rem = u128::from(frac & ((1u64 << shift) - 1));
    let hi = entry(j);
    let lo = entry(j + 1);
    let drop = (u128::from(hi.saturating_sub(lo)) * rem) >> shift;
    let t = u128::from(hi).saturating_sub(drop);
    (t >> n) as u64
}

/// A fixed-point weight as a float in `[0, 1]` (exact: a power-of-two scale).
#[allow(clippy::cast_precision_loss)]
pub(crate) fn to_unit(w: u64) -> f64 {
    w as f64 / ONE as f64
}

/// The effective clock of one group: time with its pause windows cut out,
/// so ages do not advance during a pause.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    /// Merged, sorted pauses: (start, end, total paused before start), in ms.
    pauses: Vec<(i64, i64, i64)>,
}

impl Clock {
    /// A clock from pause windows `[start, end)` in ms (any order, may overlap).
    pub(crate) fn new(mut windows: Vec<(i64, i64)>) -> Clock {
        windows.retain(|(s, e)| e > s);
        windows.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(windows.len());
        for (s, e) in windows {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        let mut before = 0i64;
        let pauses = merged
            .into_iter()
            .map(|(s, e)| {
                let p = (s, e, before);
                before = before.saturating_add(e - s);
                p
            })
            .collect();
        Clock { pauses }
    }

    /// True when the group has no pauses.
    pub(crate) fn is_plain(&self) -> bool {
        self.pauses.is_empty()
    }

    /// The effective time of `t`: `t` minus all paused time before it.
    /// Monotone non-decreasing and constant inside a pause.
    pub(crate) fn eff(&self, t: i64) -> i64 {
        if self.pauses.is_empty() {
            return t;
        }
        let idx = self.pauses.partition_point(|p| p.0 < t);
        let Some(&(start, end, before)) = idx.checked_sub(1).and_then(|i| self.pauses.get(i))
        else {
            return t;
        };
        if t < end {
            start - before
        } else {
            t - (before + (end - start))
        }
    }

    /// The pause windows, merged and sorted (ms).
    pub(crate) fn windows(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.pauses.iter().map(|&(s, e, _)| (s, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_strictly_decreasing_and_accurate() {
        for j in 0..STEPS {
            assert!(TABLE[j] > TABLE[j + 1], "table not decreasing at {j}");
            let exact = 2f64.powf(-(j as f64) / 1024.0);
            let got = TABLE[j] as f64 / ONE as f64;
            assert!((got - exact).abs() < 1e-15, "entry {j}: {got} vs {exact}");
        }
        assert_eq!(TABLE[0], ONE);
    }

    #[test]
    fn weight_halves_each_half_life() {
        let h = 45 * 86_400_000;
        assert_eq!(weight(0, h), ONE);
        assert_eq!(weight(h, h), ONE / 2);
        assert_eq!(weight(2 * h, h), ONE / 4);
        assert_eq!(weight(200 * h, h), 0);
        let w = to_unit(weight(h / 3, h));
        assert!((w - 2f64.powf(-1.0 / 3.0)).abs() < 1e-7);
    }

    proptest::proptest! {
        #[test]
        fn multiply_matches_division(age in 0u64..(1 << AGE_BITS), h in 1u64..(1 << 43),
                                     small in 0u64..1_000_000, hs in 1u64..5_000) {
            let short = age % (1 << SHORT_AGE_BITS);
            for (age, h) in [(age, h), (small, hs), (age, hs), (small, h), (h, h), (h - 1, h),
                             (age - age % h, h), ((1 << AGE_BITS) - 1, h), (short, h), (short, hs),
                             ((1 << SHORT_AGE_BITS) - 1, h), (1 << SHORT_AGE_BITS, h)] {
                let hl = HalfLife::new(h);
                proptest::prop_assert_eq!(hl.weight(age), hl.weight_by_division(age), "age {} h {}", age, h);
            }
        }
    }

    #[test]
    fn multiply_matches_division_at_the_edges() {
        for h in [
            1,
            2,
            3,
            4,
            5,
            7,
            1 << 20,
            (1 << 20) + 1,
            3_888_000_000,
            (1 << 42) - 1,
            1 << 42,
            u64::MAX,
        ] {
            let hl = HalfLife::new(h);
            for age in [
                0,
                1,
                (1 << SHORT_AGE_BITS) - 1,
                1 << SHORT_AGE_BITS,
                (1 << SHORT_AGE_BITS) + 1,
                h.saturating_sub(1),
                h,
                h.saturating_add(1),
                62 * h.min(1 << 40),
                (1 << AGE_BITS) - 1,
                1 << AGE_BITS,
                u64::MAX,
            ] {
                assert_eq!(
                    hl.weight(age),
                    hl.weight_by_division(age),
                    "age {age} h {h}"
                );
            }
        }
    }

    #[test]
    fn weight_is_monotone_near_segment_edges() {
        let h = 1_000_003;
        let mut prev = ONE;
        for age in (0..3 * h).step_by(97) {
            let w = weight(age, h);
            assert!(w <= prev, "weight rose at {age}");
            prev = w;
        }
    }

    #[test]
    fn exp2_neg_matches_float() {
        for x in [0.0, 0.25, 0.5, 1.0, 1.7, 3.0, 10.5] {
            let fx = (x * ONE as f64) as u128;
            let got = to_unit(exp2_neg(fx));
            assert!((got - 2f64.powf(-x)).abs() < 1e-7, "{x}: {got}");
        }
        assert_eq!(exp2_neg(u128::from(ONE)), ONE / 2);
    }

    #[test]
    fn clock_skips_pauses() {
        let c = Clock::new(vec![(100, 200), (150, 250), (400, 500)]);
        assert_eq!(c.eff(50), 50);
        assert_eq!(c.eff(100), 100);
        assert_eq!(c.eff(180), 100);
        assert_eq!(c.eff(250), 100);
        assert_eq!(c.eff(300), 150);
        assert_eq!(c.eff(450), 250);
        assert_eq!(c.eff(600), 350);
        assert!(Clock::new(vec![]).is_plain());
    }
}
