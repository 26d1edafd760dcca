//! Pure statistics formulas for SERVQUAL gap analysis: running moments,
//! one-sample and Welch t tests, Student's t tail and quantile, Cronbach's alpha.
//!
//! Everything here is mergeable and free of I/O so that files can be split across
//! threads and the partial results combined.

use std::fmt::Debug;

use statrs::function::beta::checked_beta_reg;
use statrs::function::gamma::checked_gamma_ur;

use crate::sources::answers::Number;

/// Running sums of one variable: mergeable, constant memory.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    /// Number of values added.
    pub n: u64,
    /// Sum of the values.
    pub sum: f64,
    /// Sum of the squared values.
    pub sum_sq: f64,
}

impl Moments {
    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// The sums of `n` values with this mean and sample standard deviation, as
    /// recovered from a summary (e.g. a baseline report): sum = n·mean and
    /// sum_sq = (n - 1)·sd² + n·mean².
    pub fn from_summary(n: u64, mean: f64, sd: f64) -> Self {
        let nf = n as f64;
        let sum_sq = if n < 2 {
            nf * mean * mean
        } else {
            (nf - 1.0) * sd * sd + nf * mean * mean
        };
        Moments {
            n,
            sum: nf * mean,
            sum_sq,
        }
    }

    /// Adds the values summarised by `other`, as if they had been added one by one.
    pub fn merge(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// Arithmetic mean; `None` when no value was added.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// Sample variance (divisor n - 1); `None` when fewer than two values were added.
    pub fn variance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        // Computed from the raw sums rather than with Welford's update on purpose:
        // survey answers are integers, so `sum`, `sum_sq` and the numerator are exact
        // in f64 (below 2^53), which makes the result bit-identical whatever the order
        // rows are added or accumulators merged (files are split across threads).
        let v = (n * self.sum_sq - self.sum * self.sum) / (n * (n - 1.0));
        // With non-integer data rounding can push a zero variance slightly below 0.
        // `if` rather than `max` so that a NaN (non-finite input) is not hidden.
        Some(if v < 0.0 { 0.0 } else { v })
    }

    /// Sample standard deviation, the square root of [`Moments::variance`].
    pub fn sd(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }
}

/// Running sums of whole numbers, kept as integers: exact, so they add up to the same
/// [`Moments`] in any order (chunks of a file are summed on several threads this way).
///
/// Branch-free: [`WholeMoments::add_if`] takes a 0/1 weight instead of a condition, so a
/// row with unanswered cells costs what a full row costs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WholeMoments {
    /// Number of values added.
    pub n: i64,
    /// Sum of the values.
    pub sum: i64,
    /// Sum of the squared values.
    pub sum_sq: i64,
}

impl WholeMoments {
    /// Adds `x` if `counted` is 1, nothing if it is 0.
    #[inline]
    pub fn add_if(&mut self, x: i64, counted: i64) {
        let x = x * counted;
        self.n += counted;
        self.sum += x;
        self.sum_sq += x * x;
    }
}

impl Moments {
    /// Adds the values summarised by `whole`. Bit-identical to adding them one by one as
    /// long as every sum stays below 2^53, where f64 holds whole numbers exactly.
    pub fn merge_whole(&mut self, whole: &WholeMoments) {
        // `as` is exact for integers below 2^53, the bound of the whole premise.
        self.n += whole.n as u64;
        self.sum += whole.sum as f64;
        self.sum_sq += whole.sum_sq as f64;
    }
}

/// A [`Number`] with running sums: `f64` into [`Moments`], whole numbers (`i64`) into
/// [`WholeMoments`]. Accumulators written over it have one formula for both readers.
pub trait Summed: Number {
    /// Running sums of values of this type.
    type Moments: Copy + Default + Debug + PartialEq + Send + Sync;
    /// Adds `x` to `sums` if `counted` is 1, nothing if it is 0.
    fn add_if(sums: &mut Self::Moments, x: Self, counted: Self::Weight);
    /// Adds the values summarised by `part` to `total`, as if added one by one.
    fn merge_into(total: &mut Moments, part: &Self::Moments);
    /// Adds `x·y` to `sum` if `counted` is 1, nothing if it is 0.
    fn add_product_if(sum: &mut Self, x: Self, y: Self, counted: Self::Weight);
}

impl Summed for f64 {
    type Moments = Moments;
    #[inline]
    fn add_if(sums: &mut Moments, x: f64, counted: bool) {
        if counted {
            sums.add(x);
        }
    }
    fn merge_into(total: &mut Moments, part: &Moments) {
        total.merge(part);
    }
    #[inline]
    fn add_product_if(sum: &mut f64, x: f64, y: f64, counted: bool) {
        if counted {
            *sum += x * y;
        }
    }
}

impl Summed for i64 {
    type Moments = WholeMoments;
    #[inline]
    fn add_if(sums: &mut WholeMoments, x: i64, counted: i64) {
        sums.add_if(x, counted);
    }
    fn merge_into(total: &mut Moments, part: &WholeMoments) {
        total.merge_whole(part);
    }
    #[inline]
    fn add_product_if(sum: &mut i64, x: i64, y: i64, counted: i64) {
        *sum += x * (y * counted);
    }
}

/// Result of a one-sample (paired-difference) t test of mean = 0, with a 95% CI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MeanTest {
    /// Number of values.
    pub n: u64,
    /// Mean; `None` when n == 0.
    pub mean: Option<f64>,
    /// Sample standard deviation; `None` when n < 2.
    pub sd: Option<f64>,
    /// 95% confidence interval of the mean; `None` when n < 2.
    pub ci95: Option<(f64, f64)>,
    /// t statistic of mean = 0; `None` when n < 2 or the sd is 0.
    pub t: Option<f64>,
    /// Two-sided p value of t with n - 1 df; `None` when `t` is `None`.
    pub p: Option<f64>,
}

/// One-sample t test of mean = 0 with a 95% CI, from the moments of the values.
pub(crate) fn mean_test(m: &Moments) -> MeanTest {
    let mut out = MeanTest {
        n: m.n,
        mean: m.mean(),
        sd: m.sd(),
        ci95: None,
        t: None,
        p: None,
    };
    let (Some(mean), Some(sd)) = (out.mean, out.sd) else {
        return out;
    };
    if sd == 0.0 {
        // All values equal: the interval collapses and t would divide by zero.
        out.ci95 = Some((mean, mean));
        return out;
    }
    let df = (m.n - 1) as f64;
    let se = sd / (m.n as f64).sqrt();
    out.ci95 = t_critical_975(df).map(|q| (mean - q * se, mean + q * se));
    let t = mean / se;
    if t.is_finite() {
        out.t = Some(t);
        out.p = two_sided_p(t, df);
    }
    out
}

/// Two-sided tail probability wanted by [`t_critical_975`].
const ALPHA: f64 = 0.05;

/// Above this df the t tail comes from a normal approximation instead of statrs'
/// incomplete beta, whose relative error (vs mpmath) grows with df: ~1e-13 at
/// df 100, ~1e-9 at 1e6, 2e-3 at 1e12. Abramowitz & Stegun 26.7.8 is within
/// ~1e-9 from 1e6 up for |t| <= 5 (2e-8 at t = 9, where p is ~1e-19).
const LARGE_DF: f64 = 1e6;

/// Quantile 0.975 of Student's t with `df` degrees of freedom; `None` if df <= 0 or not finite.
pub(crate) fn t_critical_975(df: f64) -> Option<f64> {
    if !df.is_finite() || df <= 0.0 {
        return None;
    }
    // statrs' `StudentsT::inverse_cdf` is not used: in 0.18 it does not return
    // for df >= 1e8, is off by 1e-4 at df = 1e6 and is wrong for df < 0.5.
    // Instead solve ln p(e^u) = ln 0.05 for u = ln q (close to linear, even in
    // the heavy tails of small df) by Illinois regula falsi, always bracketed.
    let g = |u: f64| two_sided_p(u.exp(), df).map(|p| p.ln() - ALPHA.ln());
    // p(1.9) > 0.05 for every df: the t quantile is never below the normal 1.95996...
    let (mut a, mut fa) = (1.9_f64.ln(), g(1.9_f64.ln())?);
    let (mut b, mut fb) = (a, fa);
    while fb > 0.0 {
        (a, fa) = (b, fb);
        b += std::f64::consts::LN_2;
        if b > f64::MAX.ln() {
            return None;
        }
        fb = g(b)?;
    }
    let mut side = 0;
    for _ in 0..200 {
        if b - a <= 4.0 * f64::EPSILON * b.abs().max(1.0) {
            break;
        }
        let secant = b - fb * (b - a) / (fb - fa);
        // Falls back to bisection when the secant is unusable (ln 0 = -inf).
        let c = if secant > a && secant < b {
            secant
        } else {
            0.5 * (a + b)
        };
        let fc = g(c)?;
        if fc > 0.0 {
            (a, fa) = (c, fc);
            if side == 1 {
                fb *= 0.5;
            }
            side = 1;
        } else {
            (b, fb) = (c, fc);
            if side == -1 {
                fa *= 0.5;
            }
            side = -1;
        }
    }
    let q = b.exp();
    // For tiny df (e.g. 0.001) the tail can no longer be evaluated in f64 near
    // the quantile (x underflows) and the search ends at a false step; reject it.
    let p = two_sided_p(q, df)?;
    ((p / ALPHA - 1.0).abs() < 1e-6).then_some(q)
}

/// Two-sided p value 2·P(T > |t|) of Student's t with `df` df; `None` if df <= 0 (or NaN) or t is not finite.
pub(crate) fn two_sided_p(t: f64, df: f64) -> Option<f64> {
    if df.is_nan() || df <= 0.0 || !t.is_finite() {
        return None;
    }
    let t = t.abs();
    if t == 0.0 {
        return Some(1.0);
    }
    let p = if df > LARGE_DF {
        // Abramowitz & Stegun 26.7.8 (also what R's pt uses for large df):
        // z = t(1 - 1/(4 df)) / sqrt(1 + t²/(2 df)) is nearly standard normal.
        // `hypot` keeps the square root from overflowing for huge t; df = +inf
        // gives z = t, the normal limit.
        let z = t * (1.0 - 0.25 / df) / 1.0_f64.hypot(t / (2.0 * df).sqrt());
        normal_two_sided_p(z)?
    } else {
        // 2·P(T > t) = I_x(df/2, 1/2) with x = df/(df + t²), the regularized
        // incomplete beta. Evaluating the small tail directly (never 1 - cdf)
        // keeps full relative precision for large t. x is formed without
        // squaring t when t is large so that it cannot overflow.
        let x = if t * t <= df {
            1.0 / (1.0 + t * t / df)
        } else {
            let r2 = (df.sqrt() / t).powi(2);
            r2 / (1.0 + r2)
        };
        checked_beta_reg(df / 2.0, 0.5, x).ok()?
    };
    // Guards against rounding just outside [0, 1]; a NaN stays a failure.
    p.is_finite().then(|| p.clamp(0.0, 1.0))
}

/// Two-sided standard normal tail 2·Φ(-z) for z > 0, as the regularized upper
/// incomplete gamma Q(1/2, z²/2). statrs' `erfc` is used neither here nor via
/// `Normal`: in 0.18 it is only accurate to ~1e-10, Q is good to ~1e-14.
fn normal_two_sided_p(z: f64) -> Option<f64> {
    let half_z2 = 0.5 * z * z;
    if half_z2 > 745.0 {
        // exp(-745) is below the smallest subnormal: the tail underflows to 0.
        return Some(0.0);
    }
    if half_z2 <= 0.0 {
        return Some(1.0);
    }
    checked_gamma_ur(0.5, half_z2).ok()
}

/// Welch's unequal-variance t test of mean(a) - mean(b).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct WelchTest {
    /// mean(a) - mean(b).
    pub diff: f64,
    /// Welch's t statistic.
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p value.
    pub p: f64,
}

/// Welch's t test of mean(a) - mean(b); `None` if either n < 2 or both variances are 0.
pub(crate) fn welch_test(a: &Moments, b: &Moments) -> Option<WelchTest> {
    let (diff, se2, df) = welch_parts(a, b)?;
    if se2 == 0.0 {
        return None;
    }
    let t = diff / se2.sqrt();
    let p = two_sided_p(t, df)?;
    Some(WelchTest { diff, t, df, p })
}

/// Welch's 95% interval of mean(a) - mean(b) for independent samples: the difference
/// ± t(0.975, df)·√(s_a²/n_a + s_b²/n_b), df by Welch–Satterthwaite; `None` if either
/// n < 2. With both variances 0 the interval is the difference itself.
pub(crate) fn welch_ci95(a: &Moments, b: &Moments) -> Option<(f64, f64)> {
    let (diff, se2, df) = welch_parts(a, b)?;
    if se2 == 0.0 {
        return Some((diff, diff));
    }
    let half = t_critical_975(df)? * se2.sqrt();
    Some((diff - half, diff + half))
}

/// mean(a) - mean(b), its squared standard error s_a²/n_a + s_b²/n_b and the
/// Welch–Satterthwaite df (NaN when the error is 0); `None` if either n < 2.
fn welch_parts(a: &Moments, b: &Moments) -> Option<(f64, f64, f64)> {
    let (va, vb) = (a.variance()?, b.variance()?);
    let (na, nb) = (a.n as f64, b.n as f64);
    let (sa, sb) = (va / na, vb / nb);
    let se2 = sa + sb;
    let diff = a.mean()? - b.mean()?;
    // Welch–Satterthwaite: df = (sa + sb)² / (sa²/(na-1) + sb²/(nb-1)), written
    // with the shares sa/se2 and sb/se2 so that tiny or huge variances cannot
    // underflow or overflow the squares.
    let (wa, wb) = (sa / se2, sb / se2);
    let df = 1.0 / (wa * wa / (na - 1.0) + wb * wb / (nb - 1.0));
    Some((diff, se2, df))
}

/// Cronbach's alpha over k items, on cases complete on all k items (mergeable), with the
/// sums its Feldt interval and item diagnostics need. `N` is what the values are summed
/// as (see [`Summed`]); alpha itself comes from `f64` sums.
#[derive(Debug, Clone, PartialEq)]
pub struct AlphaAccumulator<N: Summed = f64> {
    items: Vec<N::Moments>,
    total: N::Moments,
    /// Per item, Σ dᵢ·T with T the case's total: with the moments it gives cov(dᵢ, T).
    /// Whole numbers in a chunk are exact: |dᵢ·T| is at most the largest T², whose sum
    /// the readers keep below 2^53.
    item_total: Vec<N>,
}

impl<N: Summed> AlphaAccumulator<N> {
    /// Empty accumulator for `k` items.
    pub fn new(k: usize) -> Self {
        Self {
            items: vec![N::Moments::default(); k],
            total: N::Moments::default(),
            item_total: vec![N::default(); k],
        }
    }

    /// Number of items.
    pub fn k(&self) -> usize {
        self.items.len()
    }

    /// Adds `row` (k values) whose sum is `total` as a complete case if `complete` is 1,
    /// nothing if it is 0. The caller has the sum already (it adds the row up for the
    /// dimension score): passing it keeps the row to one pass, branch-free for `i64`.
    #[inline]
    pub fn add_if(&mut self, row: impl Iterator<Item = N> + Clone, total: N, complete: N::Weight) {
        debug_assert!(
            row.clone().fold(N::default(), |t, x| t + x) == total,
            "total must be the sum of the row"
        );
        for ((m, product), x) in self.items.iter_mut().zip(&mut self.item_total).zip(row) {
            N::add_if(m, x, complete);
            N::add_product_if(product, x, total, complete);
        }
        N::add_if(&mut self.total, total, complete);
    }
}

/// Corrected item-total correlation and alpha if deleted of one item of a dimension.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ItemReliability {
    /// Correlation of the item with the sum of the other items.
    pub item_total_r: Option<f64>,
    /// Alpha of the other k - 1 items.
    pub alpha_if_deleted: Option<f64>,
}

impl AlphaAccumulator {
    /// Number of complete cases added.
    pub fn n(&self) -> u64 {
        self.total.n
    }

    /// Adds one complete case; `row.len()` must equal k (a row of another length is ignored in release builds).
    pub fn add(&mut self, row: &[f64]) {
        debug_assert_eq!(row.len(), self.k(), "row length must equal k");
        // Skipping rather than truncating keeps items and total consistent.
        if row.len() != self.k() {
            return;
        }
        let total = row.iter().fold(0.0, |t, x| t + x);
        self.add_if(row.iter().copied(), total, true);
    }

    /// Adds the cases summarised by `other`, float sums or a chunk's whole-number sums
    /// (same k; another k is ignored).
    pub fn merge<M: Summed>(&mut self, other: &AlphaAccumulator<M>) {
        if self.k() != other.k() {
            return;
        }
        for (m, o) in self.items.iter_mut().zip(&other.items) {
            M::merge_into(m, o);
        }
        M::merge_into(&mut self.total, &other.total);
        for (p, o) in self.item_total.iter_mut().zip(&other.item_total) {
            *p += o.to_f64();
        }
    }

    /// k/(k-1)·(1 - Σ var_i / var_total); `None` if k < 2, n < 2, or var_total == 0.
    pub fn alpha(&self) -> Option<f64> {
        if self.k() < 2 {
            return None;
        }
        let var_total = self.total.variance()?;
        let sum_var = self
            .items
            .iter()
            .map(Moments::variance)
            .sum::<Option<f64>>()?;
        alpha_of(self.k(), sum_var, var_total)
    }

    /// Feldt's 95% interval of [`AlphaAccumulator::alpha`]; `None` where alpha is.
    pub fn feldt_ci95(&self) -> Option<(f64, f64)> {
        feldt_ci95(self.alpha()?, self.n(), self.k())
    }

    /// The corrected item-total correlation and alpha if deleted of every item, in item
    /// order; `None` where fewer than two cases are complete or a variance is 0 (alpha
    /// if deleted also needs k >= 3).
    pub fn item_reliability(&self) -> Vec<ItemReliability> {
        let k = self.k();
        let n = self.n() as f64;
        if self.n() < 2 {
            return vec![ItemReliability::default(); k];
        }
        // Sums of cross-products about the mean, n·Σxy - Σx·Σy (n(n-1) times the
        // covariance): with whole answers every one is a whole number, exact in f64, so
        // a variance of 0 is exactly 0. R = T - dᵢ is the sum of the other items.
        let spread = |m: &Moments| n * m.sum_sq - m.sum * m.sum;
        let items: Vec<f64> = self.items.iter().map(spread).collect();
        let total = spread(&self.total);
        (0..k)
            .map(|i| {
                let item = &self.items[i];
                let with_total = n * self.item_total[i] - item.sum * self.total.sum;
                let rest = total - 2.0 * with_total + items[i];
                let with_rest = with_total - items[i];
                let item_total_r = (items[i] > 0.0 && rest > 0.0)
                    .then(|| (with_rest / (items[i] * rest).sqrt()).clamp(-1.0, 1.0));
                let others: f64 = (0..k).filter(|&j| j != i).map(|j| items[j]).sum();
                ItemReliability {
                    item_total_r,
                    alpha_if_deleted: alpha_of(k - 1, others, rest),
                }
            })
            .collect()
    }
}

/// k/(k-1)·(1 - Σ var_i / var_total) for k items (the variances may all be scaled by
/// one factor); `None` if k < 2 or var_total is not positive.
fn alpha_of(k: usize, sum_var: f64, var_total: f64) -> Option<f64> {
    if k < 2 || var_total.is_nan() || var_total <= 0.0 {
        return None;
    }
    let k = k as f64;
    Some(k / (k - 1.0) * (1.0 - sum_var / var_total))
}

/// Feldt's 95% interval of a Cronbach's alpha from `n` cases and `k` items:
/// (1 - α)/(1 - α̂) follows F(n - 1, (n - 1)(k - 1)), so the interval is
/// 1 - (1 - α̂)·F(q) for q = 0.975 (low end) and q = 0.025 (high end), F(q) the lower-tail
/// quantile; `None` if n < 2 or k < 2.
pub(crate) fn feldt_ci95(alpha: f64, n: u64, k: usize) -> Option<(f64, f64)> {
    if n < 2 || k < 2 {
        return None;
    }
    let df_cases = (n - 1) as f64;
    let df_error = df_cases * (k - 1) as f64;
    let upper_f = f_quantile(0.975, df_cases, df_error)?;
    let lower_f = f_quantile(0.025, df_cases, df_error)?;
    Some((1.0 - (1.0 - alpha) * upper_f, 1.0 - (1.0 - alpha) * lower_f))
}

/// Quantile `p` of the F distribution with `d1` and `d2` degrees of freedom; `None`
/// unless 0 < p < 1 and both df are positive and finite.
pub(crate) fn f_quantile(p: f64, d1: f64, d2: f64) -> Option<f64> {
    let valid = |x: f64| x.is_finite() && x > 0.0;
    if !(p > 0.0 && p < 1.0 && valid(d1) && valid(d2)) {
        return None;
    }
    // P(F <= x) = I_y(d1/2, d2/2) with y = d1·x/(d1·x + d2), increasing in y: bisect for
    // y on (0, 1) until no double lies between the ends (about 60 steps), then map back.
    // statrs' `FisherSnedecor::inverse_cdf` panics outside [0, 1] and is less exact
    // for large df (3e-10 at 10^6 against 2e-11 here).
    let (a, b) = (d1 / 2.0, d2 / 2.0);
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..1100 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if checked_beta_reg(a, b, mid).ok()? < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let y = 0.5 * (lo + hi);
    let x = d2 * y / (d1 * (1.0 - y));
    x.is_finite().then_some(x)
}

/// The interval `center` ± the mean half-width of `parts`: `None` without a center,
/// without parts, or if a part has no interval. (By the triangle inequality the sd of a
/// mean of estimates is at most the mean of their sds, whatever their correlation, so
/// this errs on the wide side.)
pub(crate) fn around_mean_half_width(
    center: Option<f64>,
    parts: impl IntoIterator<Item = Option<[f64; 2]>>,
) -> Option<[f64; 2]> {
    let center = center?;
    let mut half_widths = parts
        .into_iter()
        .map(|part| part.map(|[lo, hi]| (hi - lo) / 2.0));
    let (count, sum) =
        half_widths.try_fold((0_u32, 0.0), |(n, sum), half| Some((n + 1, sum + half?)))?;
    (count > 0).then(|| {
        let half = sum / f64::from(count);
        [center - half, center + half]
    })
}

/// Mean of the values that are Some; None if there are none.
pub(crate) fn mean_of(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    let (n, sum) = values
        .into_iter()
        .flatten()
        .fold((0_u64, 0.0), |(n, sum), x| (n + 1, sum + x));
    (n > 0).then(|| sum / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values for Student's t marked "mpmath" were computed with
    // mpmath 1.3.0 at 40 digits: p = betainc(df/2, 1/2, 0, df/(df+t²), regularized)
    // cross-checked by numerically integrating the t density; quantiles by
    // findroot on that p. Table values are the published 3-7 digit ones.

    fn moments(xs: &[f64]) -> Moments {
        let mut m = Moments::default();
        for &x in xs {
            m.add(x);
        }
        m
    }

    fn close(actual: f64, expected: f64, tol: f64) {
        assert!(
            (actual - expected).abs() <= tol,
            "actual {actual:e}, expected {expected:e}, tolerance {tol:e}"
        );
    }

    #[test]
    fn moments_of_1_to_4() {
        // n = 4, sum = 10, sum_sq = 1 + 4 + 9 + 16 = 30.
        // mean = 10/4 = 2.5; variance = (4·30 - 10²)/(4·3) = 20/12 = 5/3.
        let m = moments(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(
            m,
            Moments {
                n: 4,
                sum: 10.0,
                sum_sq: 30.0
            }
        );
        assert_eq!(m.mean(), Some(2.5));
        // Exact: 20/12 and 5/3 round to the same double.
        assert_eq!(m.variance(), Some(5.0 / 3.0));
        close(m.sd().unwrap(), (5.0_f64 / 3.0).sqrt(), 1e-15);
    }

    #[test]
    fn moments_merge_equals_adding_all() {
        let all = moments(&[1.0, 2.0, 3.0, 4.0]);
        let mut first = moments(&[1.0, 2.0]);
        first.merge(&moments(&[3.0, 4.0]));
        assert_eq!(first, all);
        // Merging into an empty accumulator is the identity.
        let mut empty = Moments::default();
        empty.merge(&all);
        assert_eq!(empty, all);
    }

    #[test]
    fn moments_bit_identical_whatever_the_order() {
        // Integer answers on a 1-7 scale: sums are exact, so any order or split
        // gives bit-identical results.
        let xs: Vec<f64> = (0..1000).map(|i| ((i * 37 + 11) % 7 + 1) as f64).collect();
        let forward = moments(&xs);
        let reversed: Vec<f64> = xs.iter().rev().copied().collect();
        let backward = moments(&reversed);
        let mut split = Moments::default();
        for chunk in xs.chunks(77).rev() {
            split.merge(&moments(chunk));
        }
        assert_eq!(forward, backward);
        assert_eq!(forward, split);
        assert_eq!(
            forward.variance().unwrap().to_bits(),
            split.variance().unwrap().to_bits()
        );
    }

    #[test]
    fn whole_moments_merge_to_the_same_bits_as_adding_one_by_one() {
        // Reverse-scored and negative values (gaps) included; weight 0 adds nothing.
        let xs: Vec<i64> = (0..1000).map(|i| (i * 37 + 11) % 13 - 6).collect();
        let one_by_one = moments(&xs.iter().map(|&x| x as f64).collect::<Vec<_>>());
        let mut whole = WholeMoments::default();
        for &x in &xs {
            whole.add_if(x, 1);
            whole.add_if(x + 100, 0);
        }
        assert_eq!(whole.n, 1000);
        let mut merged = Moments::default();
        merged.merge_whole(&whole);
        assert_eq!(merged, one_by_one);
        assert_eq!(merged.sum.to_bits(), one_by_one.sum.to_bits());
        // By hand: 1, -2 and 3 give n 3, sum 2, sum of squares 14.
        let mut small = WholeMoments::default();
        for x in [1, -2, 3] {
            small.add_if(x, 1);
        }
        assert_eq!((small.n, small.sum, small.sum_sq), (3, 2, 14));
    }

    #[test]
    fn moments_too_few_values() {
        let empty = Moments::default();
        assert_eq!(empty.mean(), None);
        assert_eq!(empty.variance(), None);
        assert_eq!(empty.sd(), None);
        let one = moments(&[3.0]);
        assert_eq!(one.mean(), Some(3.0));
        assert_eq!(one.variance(), None);
        assert_eq!(one.sd(), None);
    }

    #[test]
    fn moments_rounding_never_gives_negative_variance() {
        // Equal non-integer values: the numerator may round below 0; it is clamped.
        let m = moments(&[0.1, 0.1, 0.1]);
        let v = m.variance().unwrap();
        assert!((0.0..1e-15).contains(&v), "{v:e}");
    }

    #[test]
    fn mean_test_paired_differences() {
        // d = [-1, -2, 0, -1, -1]: n = 5, sum = -5, sum_sq = 1 + 4 + 0 + 1 + 1 = 7.
        // mean = -1; variance = (5·7 - 25)/(5·4) = 10/20 = 0.5;
        // sd = sqrt(0.5) = 0.7071067811865476; se = sd/sqrt(5) = sqrt(0.1) = 0.31622776601683794;
        // t = -1/se = -sqrt(10) = -3.1622776601683795.
        // t_crit(0.975, df 4) = 2.7764451051977944 (mpmath; tables: 2.776445);
        // half width = 2.7764451051977944 · 0.31622776601683794 = 0.8779890330850831.
        // p: closed form for df = 4, p = 1 - sqrt(x)(1 + (1 - x)/2) with
        // x = t²/(t² + 4) = 10/14 = 5/7, so p = 1 - (8/7)·sqrt(5/7)
        // = 0.034109423167409626 (same to 40 digits from mpmath betainc and quadrature).
        let r = mean_test(&moments(&[-1.0, -2.0, 0.0, -1.0, -1.0]));
        assert_eq!(r.n, 5);
        assert_eq!(r.mean, Some(-1.0));
        // sqrt(0.5) = 1/sqrt(2).
        close(r.sd.unwrap(), std::f64::consts::FRAC_1_SQRT_2, 1e-12);
        close(r.t.unwrap(), -3.1622776601683795, 1e-12);
        let (lo, hi) = r.ci95.unwrap();
        close(lo, -1.0 - 0.8779890330850831, 1e-9);
        close(hi, -1.0 + 0.8779890330850831, 1e-9);
        let closed_form = 1.0 - 8.0 / 7.0 * (5.0_f64 / 7.0).sqrt();
        close(closed_form, 0.03410942316740963, 1e-15);
        close(r.p.unwrap(), 0.03410942316740963, 1e-9);
    }

    #[test]
    fn mean_test_zero_variance() {
        // [2, 2, 2]: variance (3·12 - 36)/6 = 0 exactly.
        let r = mean_test(&moments(&[2.0, 2.0, 2.0]));
        assert_eq!(r.mean, Some(2.0));
        assert_eq!(r.sd, Some(0.0));
        assert_eq!(r.ci95, Some((2.0, 2.0)));
        assert_eq!(r.t, None);
        assert_eq!(r.p, None);
    }

    #[test]
    fn mean_test_too_few_values() {
        let none = mean_test(&Moments::default());
        assert_eq!(
            none,
            MeanTest {
                n: 0,
                mean: None,
                sd: None,
                ci95: None,
                t: None,
                p: None
            }
        );
        let one = mean_test(&moments(&[4.0]));
        assert_eq!(one.n, 1);
        assert_eq!(one.mean, Some(4.0));
        assert_eq!((one.sd, one.ci95, one.t, one.p), (None, None, None, None));
    }

    #[test]
    fn t_critical_matches_tables() {
        // Published two-sided 5% table values (and mpmath to more digits):
        // df 1: 12.7062047 (12.706204736174705), df 2: 4.30265273 (4.3026527297494639),
        // df 4: 2.77644511 (2.7764451051977944), df 10: 2.22813885 (2.2281388519862747),
        // df 30: 2.04227246 (2.0422724563012383).
        for (df, table, mpmath) in [
            (1.0, 12.7062047, 12.706204736174705),
            (2.0, 4.30265273, 4.302652729749464),
            (4.0, 2.77644511, 2.7764451051977943),
            (10.0, 2.22813885, 2.228138851986275),
            (30.0, 2.04227246, 2.042272456301238),
        ] {
            let q = t_critical_975(df).unwrap();
            close(q, table, 1e-7);
            close(q, mpmath, 1e-9);
        }
    }

    #[test]
    fn t_critical_large_df_tends_to_normal() {
        // Normal quantile 0.975 = 1.959963984540054 (table 1.95996398).
        // mpmath: df 1e6 -> 1.959966356814107, df 1e12 -> 1.959963984542427.
        close(t_critical_975(1e6).unwrap(), 1.959966356814107, 1e-9);
        close(t_critical_975(1e12).unwrap(), 1.959963984542427, 1e-9);
        close(t_critical_975(1e300).unwrap(), 1.959963984540054, 1e-9);
        // Monotone decreasing in df across the switch to the normal approximation.
        let qs: Vec<f64> = [1e5, 5e5, 1e6, 1.000001e6, 2e6, 1e8]
            .iter()
            .map(|&df| t_critical_975(df).unwrap())
            .collect();
        assert!(qs.windows(2).all(|w| w[0] >= w[1]), "{qs:?}");
    }

    #[test]
    fn t_critical_invalid_df() {
        for df in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(t_critical_975(df), None, "df {df}");
        }
    }

    #[test]
    fn t_critical_tiny_df_never_panics() {
        // Fractional df below 1 give enormous quantiles; they must either come
        // back consistent with p = 0.05 or be None, never panic or hang.
        for df in [1e-300, 1e-3, 0.01, 0.05, 0.1, 0.5, 0.9] {
            if let Some(q) = t_critical_975(df) {
                close(two_sided_p(q, df).unwrap(), 0.05, 1e-7);
            }
        }
        // mpmath: df 0.5 -> 164.55767348048853, df 0.1 -> 1682362288745.0255.
        close(t_critical_975(0.5).unwrap(), 164.55767348048852, 1e-6);
    }

    #[test]
    fn two_sided_p_known_values() {
        // t = 2.228138852 is the tabled 5% critical value for df 10
        // (mpmath: p = 0.04999999999883651).
        close(two_sided_p(2.228138852, 10.0).unwrap(), 0.05, 1e-9);
        close(two_sided_p(-2.228138852, 10.0).unwrap(), 0.05, 1e-9);
        assert_eq!(two_sided_p(0.0, 10.0), Some(1.0));
        assert_eq!(two_sided_p(0.0, 1e9), Some(1.0));
        // df 2 closed form: p = 1 - sqrt(t²/(t² + 2)); t = 1 -> 1 - sqrt(1/3).
        close(
            two_sided_p(1.0, 2.0).unwrap(),
            1.0 - (1.0_f64 / 3.0).sqrt(),
            1e-12,
        );
        // df 1 (Cauchy): p = 1 - 2·atan(t)/π; t = 1 -> 0.5.
        close(two_sided_p(1.0, 1.0).unwrap(), 0.5, 1e-12);
    }

    #[test]
    fn two_sided_p_tail_has_relative_precision() {
        // mpmath references; 1 - cdf would give 0 or noise for all of these.
        for (t, df, expected) in [
            (10.0, 100.0, 9.901688984594139e-17),
            (20.0, 10.0, 2.146062317204252e-09),
            (38.0, 10.0, 3.797753962466695e-12),
            (10.0, 1e4, 1.9632807428663828e-23),
            (5.0, 1e7, 5.733128075008539e-7),
            (10.0, 1e8, 1.5240094630247841e-23),
        ] {
            let p = two_sided_p(t, df).unwrap();
            assert!(
                ((p - expected) / expected).abs() < 1e-7,
                "t {t} df {df}: {p:e} vs {expected:e}"
            );
        }
    }

    #[test]
    fn two_sided_p_extremes_stay_in_range() {
        for df in [
            1e-300,
            1e-3,
            0.5,
            1.0,
            4.0,
            1e5,
            1e6,
            1.5e6,
            1e300,
            f64::INFINITY,
        ] {
            for t in [1e-300, 1e-8, 1.0, 1e3, 1e10, 1e200, f64::MAX, -f64::MAX] {
                let p = two_sided_p(t, df).unwrap();
                assert!((0.0..=1.0).contains(&p), "t {t} df {df}: {p}");
            }
        }
        let huge = two_sided_p(1e10, 5.0).unwrap();
        assert!((0.0..1e-40).contains(&huge), "{huge:e}");
        assert_eq!(two_sided_p(1e6, 1e9), Some(0.0));
    }

    #[test]
    fn two_sided_p_invalid_input() {
        assert_eq!(two_sided_p(1.0, 0.0), None);
        assert_eq!(two_sided_p(1.0, -3.0), None);
        assert_eq!(two_sided_p(1.0, f64::NAN), None);
        assert_eq!(two_sided_p(f64::NAN, 5.0), None);
        assert_eq!(two_sided_p(f64::INFINITY, 5.0), None);
    }

    #[test]
    fn welch_hand_worked() {
        // a = [1, 2, 3, 4, 5]: mean 3, var (5·55 - 225)/20 = 2.5, va/na = 0.5.
        // b = [2, 4, 6, 8, 10]: mean 6, var (5·220 - 900)/20 = 10, vb/nb = 2.
        // diff = -3; se² = 0.5 + 2 = 2.5; t = -3/sqrt(2.5) = -1.8973665961010276.
        // df = 2.5² / (0.5²/4 + 2²/4) = 6.25 / 1.0625 = 100/17 = 5.882352941176471.
        // p (df 100/17, not an integer) = 0.10753119493062724 (mpmath, both methods).
        let a = moments(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let b = moments(&[2.0, 4.0, 6.0, 8.0, 10.0]);
        let w = welch_test(&a, &b).unwrap();
        assert_eq!(w.diff, -3.0);
        close(w.t, -1.8973665961010275, 1e-12);
        close(w.df, 100.0 / 17.0, 1e-12);
        close(w.p, 0.10753119493062724, 1e-9);
        // Swapping the groups flips the sign only.
        let s = welch_test(&b, &a).unwrap();
        assert_eq!((s.diff, s.t, s.df, s.p), (-w.diff, -w.t, w.df, w.p));
    }

    #[test]
    fn welch_one_group_constant() {
        // a = [1, 1, 1]: var 0; b = [1, 2, 3]: mean 2, var 1, vb/nb = 1/3.
        // diff = -1, t = -1/sqrt(1/3) = -sqrt(3); df = (1/3)² / ((1/3)²/2) = 2.
        // df 2 closed form: p = 1 - sqrt(t²/(t² + 2)) = 1 - sqrt(3/5) = 0.2254033307585166.
        let w = welch_test(&moments(&[1.0, 1.0, 1.0]), &moments(&[1.0, 2.0, 3.0])).unwrap();
        assert_eq!(w.diff, -1.0);
        close(w.t, -(3.0_f64).sqrt(), 1e-12);
        close(w.df, 2.0, 1e-12);
        close(w.p, 1.0 - (0.6_f64).sqrt(), 1e-12);
    }

    #[test]
    fn welch_degenerate_inputs() {
        let ok = moments(&[1.0, 2.0, 3.0]);
        assert_eq!(welch_test(&moments(&[1.0]), &ok), None);
        assert_eq!(welch_test(&ok, &moments(&[1.0])), None);
        assert_eq!(welch_test(&Moments::default(), &ok), None);
        // Both variances 0 (even with different means): t is undefined.
        assert_eq!(
            welch_test(&moments(&[1.0, 1.0]), &moments(&[4.0, 4.0, 4.0])),
            None
        );
    }

    // 4 respondents × 3 items:
    //   r1: 1 2 2   total  5
    //   r2: 2 3 3   total  8
    //   r3: 3 3 4   total 10
    //   r4: 4 4 5   total 13
    // item 1 [1,2,3,4]: mean 2.5, deviations ±1.5, ±0.5, SS 5, var 5/3
    // item 2 [2,3,3,4]: mean 3,   deviations -1,0,0,1, SS 2, var 2/3
    // item 3 [2,3,4,5]: mean 3.5, SS 5, var 5/3
    // Σ var_i = 12/3 = 4
    // total [5,8,10,13]: mean 9, deviations -4,-1,1,4, SS 34, var 34/3
    // alpha = 3/2 · (1 - 4/(34/3)) = 3/2 · (1 - 12/34) = 3/2 · 22/34 = 33/34
    //       = 0.9705882352941176
    const ALPHA_ROWS: [[f64; 3]; 4] = [
        [1.0, 2.0, 2.0],
        [2.0, 3.0, 3.0],
        [3.0, 3.0, 4.0],
        [4.0, 4.0, 5.0],
    ];

    #[test]
    fn alpha_hand_worked() {
        let mut acc = AlphaAccumulator::new(3);
        for row in &ALPHA_ROWS {
            acc.add(row);
        }
        assert_eq!(acc.k(), 3);
        assert_eq!(acc.n(), 4);
        close(acc.alpha().unwrap(), 33.0 / 34.0, 1e-12);
    }

    #[test]
    fn alpha_merge_equals_all_at_once() {
        let mut all = AlphaAccumulator::new(3);
        for row in &ALPHA_ROWS {
            all.add(row);
        }
        let mut first = AlphaAccumulator::new(3);
        let mut second = AlphaAccumulator::new(3);
        for row in &ALPHA_ROWS[..1] {
            first.add(row);
        }
        for row in &ALPHA_ROWS[1..] {
            second.add(row);
        }
        // Merged in the opposite order on purpose.
        second.merge(&first);
        assert_eq!(second, all);
        assert_eq!(second.alpha(), all.alpha());
    }

    #[test]
    fn whole_alpha_merges_to_the_same_sums_as_adding_cases() {
        let mut cases = AlphaAccumulator::new(3);
        for row in &ALPHA_ROWS {
            cases.add(row);
        }
        let mut whole = AlphaAccumulator::<i64>::new(3);
        for row in &ALPHA_ROWS {
            let total = row.iter().sum::<f64>() as i64;
            whole.add_if(row.iter().map(|&x| x as i64), total, 1);
            // An incomplete case is added with weight 0: nothing changes.
            whole.add_if([9, 9, 9].into_iter(), 27, 0);
        }
        let mut merged = AlphaAccumulator::new(3);
        merged.merge(&whole);
        assert_eq!(merged, cases);
        close(merged.alpha().unwrap(), 33.0 / 34.0, 1e-12);
        // Another number of items is ignored.
        merged.merge(&AlphaAccumulator::<i64>::new(2));
        assert_eq!(merged, cases);
    }

    #[test]
    fn alpha_undefined_cases() {
        // k < 2.
        let mut one_item = AlphaAccumulator::new(1);
        one_item.add(&[1.0]);
        one_item.add(&[3.0]);
        assert_eq!(one_item.alpha(), None);
        assert_eq!(AlphaAccumulator::new(0).alpha(), None);
        // n < 2.
        let mut one_case = AlphaAccumulator::new(3);
        one_case.add(&ALPHA_ROWS[0]);
        assert_eq!(one_case.alpha(), None);
        assert_eq!(AlphaAccumulator::new(3).alpha(), None);
        // Item variances 2 each but totals [4, 4]: var_total = 0.
        let mut flat_total = AlphaAccumulator::new(2);
        flat_total.add(&[1.0, 3.0]);
        flat_total.add(&[3.0, 1.0]);
        assert_eq!(flat_total.alpha(), None);
    }

    #[test]
    fn alpha_can_be_negative() {
        // Items that move against each other: [1,2] and [3,1] -> totals [4,3].
        // var_1 = 0.5, var_2 = 2, var_total = 0.5; alpha = 2·(1 - 2.5/0.5) = -8.
        let mut acc = AlphaAccumulator::new(2);
        acc.add(&[1.0, 3.0]);
        acc.add(&[2.0, 1.0]);
        close(acc.alpha().unwrap(), -8.0, 1e-12);
    }

    #[test]
    fn item_reliability_hand_worked() {
        // ALPHA_ROWS, each item against the sum R of the other two:
        // item 1 [1,2,3,4] (deviations ∓1.5, ∓0.5), R [4,6,7,9] (mean 6.5, deviations
        //   ∓2.5, ∓0.5): cross products 3.75 + 0.25 + 0.25 + 3.75 = 8, SS 5 and 13,
        //   r = 8/√65 = 0.99227787671366765; without it var 2/3 + 5/3 = 7/3 against
        //   var(R) 13/3: alpha = 2·(1 - 7/13) = 12/13.
        // item 2 [2,3,3,4] (-1, 0, 0, 1), R [3,5,7,9] (-3, -1, 1, 3): cross 6, SS 2 and
        //   20, r = 6/√40 = 0.9486832980505138; without it 2·(1 - (10/3)/(20/3)) = 1.
        // item 3 [2,3,4,5], R [3,5,6,8]: as item 1, r = 8/√65, alpha 12/13.
        let mut acc = AlphaAccumulator::new(3);
        for row in &ALPHA_ROWS {
            acc.add(row);
        }
        let got = acc.item_reliability();
        let expected = [
            (0.9922778767136676, 12.0 / 13.0),
            (0.9486832980505138, 1.0),
            (0.9922778767136676, 12.0 / 13.0),
        ];
        for (i, (r, deleted)) in expected.into_iter().enumerate() {
            close(got[i].item_total_r.unwrap(), r, 1e-12);
            close(got[i].alpha_if_deleted.unwrap(), deleted, 1e-12);
        }
        // Independently: alpha of the rows with the item left out.
        for (i, reliability) in got.iter().enumerate() {
            let mut without = AlphaAccumulator::new(2);
            for row in &ALPHA_ROWS {
                let rest: Vec<f64> = (0..3).filter(|&j| j != i).map(|j| row[j]).collect();
                without.add(&rest);
            }
            close(
                reliability.alpha_if_deleted.unwrap(),
                without.alpha().unwrap(),
                1e-12,
            );
        }
    }

    #[test]
    fn item_reliability_of_two_items_and_undefined_cases() {
        // [1,3] and [2,1]: two cases are always on a line, here a falling one: r = -1;
        // one item left is no scale, so no alpha if deleted.
        let mut two = AlphaAccumulator::new(2);
        two.add(&[1.0, 3.0]);
        two.add(&[2.0, 1.0]);
        for reliability in two.item_reliability() {
            assert_eq!(reliability.item_total_r, Some(-1.0));
            assert_eq!(reliability.alpha_if_deleted, None);
        }
        // One complete case: nothing.
        let mut one = AlphaAccumulator::new(3);
        one.add(&ALPHA_ROWS[0]);
        assert_eq!(one.item_reliability(), vec![ItemReliability::default(); 3]);
        // An item every case answers alike has no correlation; the others lose it
        // from their rest but keep theirs. Items [1,2,3], [4,4,4], [2,2,5].
        let mut flat = AlphaAccumulator::new(3);
        for row in [[1.0, 4.0, 2.0], [2.0, 4.0, 2.0], [3.0, 4.0, 5.0]] {
            flat.add(&row);
        }
        let got = flat.item_reliability();
        assert_eq!(got[1].item_total_r, None);
        // Item 1 against R = [6,6,9]: deviations (-1,0,1) and (-1,-1,2): cross 3, SS 2
        // and 6, r = 3/√12 = √3/2. Without item 2 alpha is that of [1,2,3], [2,2,5]:
        // vars 1 and 3, totals [3,4,8] var 7: 2·(1 - 4/7) = 6/7.
        close(got[0].item_total_r.unwrap(), 3.0_f64.sqrt() / 2.0, 1e-12);
        close(got[1].alpha_if_deleted.unwrap(), 6.0 / 7.0, 1e-12);
        assert_eq!(AlphaAccumulator::new(0).item_reliability(), vec![]);
    }

    #[test]
    fn whole_item_products_merge_to_the_float_sums() {
        // Gaps of both signs; rows with weight 0 change nothing.
        let rows: Vec<[i64; 3]> = (0..200)
            .map(|r| [(r * 7 % 13) - 6, (r * 5 % 11) - 5, (r * 3 % 7) - 3])
            .collect();
        let mut floats = AlphaAccumulator::new(3);
        let mut chunks = [AlphaAccumulator::<i64>::new(3), AlphaAccumulator::new(3)];
        for (r, row) in rows.iter().enumerate() {
            floats.add(&row.map(|x| x as f64));
            let chunk = &mut chunks[r % 2];
            chunk.add_if(row.iter().copied(), row.iter().sum(), 1);
            chunk.add_if([5, 5, 5].into_iter(), 15, 0);
        }
        let mut merged = AlphaAccumulator::new(3);
        for chunk in &chunks {
            merged.merge(chunk);
        }
        assert_eq!(merged, floats);
        assert_eq!(merged.item_reliability(), floats.item_reliability());
    }

    #[test]
    fn f_quantiles_match_tables() {
        // Published tables (upper 2.5% points): F(10, 20) 2.774, F(5, 10) 4.236,
        // F(3, 6) 6.599, F(1, 1) 647.79; F(2, 2) = p/(1 - p) in closed form. More digits
        // and the lower 2.5% points from mpmath (betainc, bisection at 40 digits).
        for (d1, d2, table, upper, lower) in [
            (10.0, 20.0, 2.774, 2.773671375199082, 0.29252223798395915),
            (5.0, 10.0, 4.236, 4.236085668188634, 0.15107670102998202),
            (3.0, 6.0, 6.599, 6.598798521956474, 0.06786692300241533),
            (1.0, 1.0, 647.79, 647.7890114778453, 0.001543712508674131),
            (2.0, 2.0, 39.0, 39.0, 0.02564102564102564),
            (99.0, 396.0, 1.347, 1.3472089791033026, 0.7205662566700354),
        ] {
            let high = f_quantile(0.975, d1, d2).unwrap();
            let low = f_quantile(0.025, d1, d2).unwrap();
            close(high, table, 5e-4 * table);
            close(high, upper, 1e-10 * upper);
            close(low, lower, 1e-10 * lower);
        }
    }

    #[test]
    fn f_quantiles_for_large_samples() {
        // mpmath, by quadrature of the beta density (15 digits): 10^5 and 10^6 cases.
        for (d1, d2, upper, lower) in [
            (99999.0, 399996.0, 1.0098333417313, 0.990233488378496),
            (999999.0, 20999979.0, 1.00283920684938, 0.99716513306282),
        ] {
            close(f_quantile(0.975, d1, d2).unwrap(), upper, 1e-10);
            close(f_quantile(0.025, d1, d2).unwrap(), lower, 1e-10);
        }
    }

    #[test]
    fn f_quantile_invalid_input() {
        for p in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
            assert_eq!(f_quantile(p, 3.0, 6.0), None, "p {p}");
        }
        for df in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(f_quantile(0.5, df, 6.0), None, "d1 {df}");
            assert_eq!(f_quantile(0.5, 3.0, df), None, "d2 {df}");
        }
    }

    #[test]
    fn feldt_interval_matches_published_examples() {
        // Evans' worked example of Feldt's interval: alpha 0.913, 873 cases, 20 items
        // gives 0.9044024 to 0.9211588. The cocron example (0.83, 100 cases, 20 items)
        // and all digits from mpmath.
        let (lo, hi) = feldt_ci95(0.913, 873, 20).unwrap();
        close(lo, 0.9044024, 1e-7);
        close(hi, 0.9211588, 1e-7);
        close(lo, 0.9044023977343786, 1e-12);
        close(hi, 0.9211588422338362, 1e-12);
        let (lo, hi) = feldt_ci95(0.83, 100, 20).unwrap();
        close(lo, 0.7776475975636127, 1e-12);
        close(hi, 0.8748042686081048, 1e-12);
        assert_eq!(feldt_ci95(0.8, 1, 20), None);
        assert_eq!(feldt_ci95(0.8, 100, 1), None);
    }

    #[test]
    fn feldt_interval_of_the_hand_worked_alpha() {
        // alpha 33/34 from 4 cases and 3 items: F(3, 6) at 0.975 is 6.5987985219564736
        // and at 0.025 0.067866923002415324, so 1 - (1/34)·F gives 0.80591769053069195
        // to 0.99800391402934073 (mpmath).
        let mut acc = AlphaAccumulator::new(3);
        for row in &ALPHA_ROWS {
            acc.add(row);
        }
        let (lo, hi) = acc.feldt_ci95().unwrap();
        close(lo, 0.805917690530692, 1e-12);
        close(hi, 0.9980039140293407, 1e-12);
        let mut one_case = AlphaAccumulator::new(3);
        one_case.add(&ALPHA_ROWS[0]);
        assert_eq!(one_case.feldt_ci95(), None);
    }

    #[test]
    fn welch_interval_hand_worked() {
        // As welch_hand_worked: diff -3, se² 2.5, df 100/17; t(0.975, 100/17) =
        // 2.4588237096991468 (mpmath), half-width 2.4588237096991468·√2.5 = 3.8877416437369762.
        let a = moments(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let b = moments(&[2.0, 4.0, 6.0, 8.0, 10.0]);
        let (lo, hi) = welch_ci95(&a, &b).unwrap();
        close(lo, -3.0 - 3.8877416437369763, 1e-9);
        close(hi, -3.0 + 3.8877416437369763, 1e-9);
        // One group constant: df 2, t 4.3026527297494637, se √(1/3): half 2.484137711750331.
        let (lo, hi) = welch_ci95(&moments(&[1.0, 1.0, 1.0]), &moments(&[1.0, 2.0, 3.0])).unwrap();
        close(lo, -1.0 - 2.484137711750331, 1e-9);
        close(hi, -1.0 + 2.484137711750331, 1e-9);
        // Both constant: the difference itself; too few values: none.
        let flat = welch_ci95(&moments(&[1.0, 1.0]), &moments(&[4.0, 4.0, 4.0]));
        assert_eq!(flat, Some((-3.0, -3.0)));
        assert_eq!(welch_ci95(&moments(&[1.0]), &b), None);
        assert_eq!(welch_ci95(&a, &Moments::default()), None);
    }

    #[test]
    fn interval_around_the_mean_half_width() {
        // Half-widths 0.5 and 1.5: ± 1 around the center.
        let parts = [Some([-1.5, -0.5]), Some([0.0, 3.0])];
        assert_eq!(around_mean_half_width(Some(-0.2), parts), Some([-1.2, 0.8]));
        assert_eq!(around_mean_half_width(None, parts), None);
        assert_eq!(
            around_mean_half_width(Some(1.0), [Some([0.0, 1.0]), None]),
            None
        );
        assert_eq!(around_mean_half_width(Some(1.0), []), None);
    }

    #[test]
    fn mean_of_skips_missing() {
        // (1 + 4 + 7)/3 = 4.
        assert_eq!(
            mean_of([Some(1.0), None, Some(4.0), None, Some(7.0)]),
            Some(4.0)
        );
        assert_eq!(mean_of([None, None]), None);
        assert_eq!(mean_of(std::iter::empty()), None);
        assert_eq!(mean_of(vec![Some(-2.5)]), Some(-2.5));
    }
}

#[cfg(test)]
mod welch_tests {
    use super::*;

    #[test]
    fn welch_matches_hand_arithmetic() {
        // a: n 10, mean 0, sd 1 -> va = 1/10 = 0.1; b: n 20, mean 1, sd 2 -> vb = 4/20 = 0.2.
        // t = 1 / sqrt(0.3) = 1.825742; df = 0.09 / (0.01/9 + 0.04/19)
        //   = 0.09 / (0.0011111 + 0.0021053) = 0.09 / 0.0032164 = 27.9818.
        let w = welch_test(
            &Moments::from_summary(20, 1.0, 2.0),
            &Moments::from_summary(10, 0.0, 1.0),
        )
        .unwrap();
        assert!((w.t - 1.825742).abs() < 1e-6);
        assert!((w.df - 27.9818).abs() < 1e-3);
        // Two-sided p for t 1.826 on ~28 df is a little under 0.08 (t_0.975 = 2.048).
        assert!(w.p > 0.07 && w.p < 0.08, "p = {}", w.p);
    }

    #[test]
    fn welch_is_undefined_without_spread_or_sample() {
        assert_eq!(
            welch_test(
                &Moments::from_summary(10, 2.0, 0.0),
                &Moments::from_summary(10, 1.0, 0.0)
            ),
            None
        );
        assert_eq!(
            welch_test(
                &Moments::from_summary(10, 2.0, 1.0),
                &Moments::from_summary(1, 1.0, 1.0)
            ),
            None
        );
    }
}
