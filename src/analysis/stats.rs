//! Statistics formulas (interim version; replaced by the tested module).

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Running sums of one variable: mergeable, constant memory.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    /// Count.
    pub n: u64,
    /// Σx.
    pub sum: f64,
    /// Σx².
    pub sum_sq: f64,
}

impl Moments {
    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }
    /// Adds another accumulator.
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }
    /// Mean.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
    /// Sample variance.
    pub fn variance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        Some(((n * self.sum_sq - self.sum * self.sum) / (n * (n - 1.0))).max(0.0))
    }
    /// Sample sd.
    pub fn sd(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }
}

/// One-sample t test of mean = 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanTest {
    /// n.
    pub n: u64,
    /// mean.
    pub mean: Option<f64>,
    /// sd.
    pub sd: Option<f64>,
    /// 95% CI.
    pub ci95: Option<(f64, f64)>,
    /// t.
    pub t: Option<f64>,
    /// p.
    pub p: Option<f64>,
}

/// The test.
pub fn mean_test(m: &Moments) -> MeanTest {
    let mean = m.mean();
    let sd = m.sd();
    let mut out = MeanTest {
        n: m.n,
        mean,
        sd,
        ci95: None,
        t: None,
        p: None,
    };
    if let (Some(mean), Some(sd)) = (mean, sd) {
        let df = m.n as f64 - 1.0;
        if sd == 0.0 {
            out.ci95 = Some((mean, mean));
        } else {
            let se = sd / (m.n as f64).sqrt();
            if let Some(tc) = t_critical_975(df) {
                out.ci95 = Some((mean - tc * se, mean + tc * se));
            }
            out.t = Some(mean / se);
            out.p = two_sided_p(mean / se, df);
        }
    }
    out
}

/// t quantile 0.975.
pub fn t_critical_975(df: f64) -> Option<f64> {
    if !(df.is_finite() && df > 0.0) {
        return None;
    }
    Some(StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(0.975))
}

/// Two-sided p.
pub fn two_sided_p(t: f64, df: f64) -> Option<f64> {
    if !(df.is_finite() && df > 0.0 && t.is_finite()) {
        return None;
    }
    Some(2.0 * StudentsT::new(0.0, 1.0, df).ok()?.cdf(-t.abs()))
}

/// Mean of the values that are Some.
pub fn mean_of(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    let (mut n, mut s) = (0usize, 0.0);
    for v in values.into_iter().flatten() {
        n += 1;
        s += v;
    }
    (n > 0).then(|| s / n as f64)
}

/// Cronbach's alpha accumulator.
#[derive(Debug, Clone, PartialEq)]
pub struct AlphaAccumulator {
    items: Vec<Moments>,
    total: Moments,
}

impl AlphaAccumulator {
    /// New for k items.
    pub fn new(k: usize) -> Self {
        AlphaAccumulator {
            items: vec![Moments::default(); k],
            total: Moments::default(),
        }
    }
    /// k.
    pub fn k(&self) -> usize {
        self.items.len()
    }
    /// n.
    pub fn n(&self) -> u64 {
        self.total.n
    }
    /// Adds a complete row.
    pub fn add(&mut self, row: &[f64]) {
        for (m, x) in self.items.iter_mut().zip(row) {
            m.add(*x);
        }
        self.total.add(row.iter().sum());
    }
    /// Merge.
    pub fn merge(&mut self, o: &AlphaAccumulator) {
        for (a, b) in self.items.iter_mut().zip(&o.items) {
            a.merge(b);
        }
        self.total.merge(&o.total);
    }
    /// Alpha.
    pub fn alpha(&self) -> Option<f64> {
        let k = self.k() as f64;
        if self.k() < 2 {
            return None;
        }
        let vt = self.total.variance()?;
        if vt == 0.0 {
            return None;
        }
        let sum: f64 = self
            .items
            .iter()
            .map(|m| m.variance())
            .sum::<Option<f64>>()?;
        Some(k / (k - 1.0) * (1.0 - sum / vt))
    }
}

/// Welch's two-sample t test from summary statistics (unequal variances).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WelchTest {
    /// t = (mean_b - mean_a) / sqrt(sd_a²/n_a + sd_b²/n_b).
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// Welch's t test of `b` against `a`, each given as (n, mean, sd).
///
/// `None` when either sample has fewer than two observations, or both have no spread
/// (the statistic is then undefined, not infinitely significant).
pub fn welch_test(a: (u64, f64, f64), b: (u64, f64, f64)) -> Option<WelchTest> {
    let ((na, ma, sa), (nb, mb, sb)) = (a, b);
    if na < 2 || nb < 2 {
        return None;
    }
    let va = sa * sa / na as f64;
    let vb = sb * sb / nb as f64;
    let se2 = va + vb;
    if !(se2.is_finite() && se2 > 0.0) {
        return None;
    }
    let t = (mb - ma) / se2.sqrt();
    let df = se2 * se2 / (va * va / (na as f64 - 1.0) + vb * vb / (nb as f64 - 1.0));
    let p = two_sided_p(t, df)?;
    Some(WelchTest { t, df, p })
}

#[cfg(test)]
mod welch_tests {
    use super::*;

    #[test]
    fn welch_matches_hand_arithmetic() {
        // a: n 10, mean 0, sd 1 -> va = 1/10 = 0.1; b: n 20, mean 1, sd 2 -> vb = 4/20 = 0.2.
        // t = 1 / sqrt(0.3) = 1.825742; df = 0.09 / (0.01/9 + 0.04/19)
        //   = 0.09 / (0.0011111 + 0.0021053) = 0.09 / 0.0032164 = 27.9818.
        let w = welch_test((10, 0.0, 1.0), (20, 1.0, 2.0)).unwrap();
        assert!((w.t - 1.825742).abs() < 1e-6);
        assert!((w.df - 27.9818).abs() < 1e-3);
        // Two-sided p for t 1.826 on ~28 df is a little under 0.08 (t_0.975 = 2.048).
        assert!(w.p > 0.07 && w.p < 0.08, "p = {}", w.p);
    }

    #[test]
    fn welch_is_undefined_without_spread_or_sample() {
        assert_eq!(welch_test((10, 1.0, 0.0), (10, 2.0, 0.0)), None);
        assert_eq!(welch_test((1, 1.0, 1.0), (10, 2.0, 1.0)), None);
    }
}
