//! Trends (`--baseline PREVIOUS.json`): the change of each gap since an earlier report.
//!
//! The baseline is read leniently (only the fields a trend needs, anything else
//! ignored) so that any `servqual.report/v1` file works, whatever was added since.
//! Each change is tested with Welch's t on the two periods' n, mean and sd.

use serde::Serialize;

use super::gaps::{DimensionResult, ItemResult, ServqualScore};
use super::stats::{welch_test, Moments, WelchTest};
use crate::definition::baseline::{Baseline, BaselineAudit, BaselineRow};
use crate::provenance::FileDigest;

/// p below this marks a change as significant.
pub const ALPHA: f64 = 0.05;

/// The change of one customer gap between the periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    /// Dimension or item id.
    pub id: String,
    /// Gap 5 in the baseline.
    pub previous: Option<f64>,
    /// Gap 5 now.
    pub current: Option<f64>,
    /// current - previous (positive = the gap narrowed, i.e. better).
    pub delta: Option<f64>,
    /// Respondents in the baseline.
    pub previous_n: u64,
    /// Respondents now.
    pub n: u64,
    /// Welch's t.
    pub t: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: Option<f64>,
    /// Two-sided p of the change.
    pub p: Option<f64>,
    /// p < 0.05.
    pub significant: bool,
}

/// A change of a SERVQUAL score (no test: the scores have no sd in the report).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreChange {
    /// Baseline value.
    pub previous: Option<f64>,
    /// Current value.
    pub current: Option<f64>,
    /// current - previous.
    pub delta: Option<f64>,
}

/// SERVQUAL score changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServqualChange {
    /// Unweighted score.
    pub unweighted: ScoreChange,
    /// Weighted score.
    pub weighted: ScoreChange,
}

/// The trend section of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The baseline file.
    pub baseline: FileDigest,
    /// The baseline's audit id and period.
    pub audit: Option<BaselineAudit>,
    /// Significance level of `significant`.
    pub alpha: f64,
    /// SERVQUAL score changes.
    pub servqual: ServqualChange,
    /// Per dimension, in the current report's order.
    pub dimensions: Vec<TrendRow>,
    /// Per item, in the current report's order.
    pub items: Vec<TrendRow>,
}

fn row(id: &str, n: u64, gap: Option<f64>, sd: Option<f64>, before: &[BaselineRow]) -> TrendRow {
    let prev = before.iter().find(|r| r.id == id);
    let previous = prev.and_then(|r| r.gaps.get("5").copied().flatten());
    let previous_n = prev.map_or(0, |r| r.n);
    let test = match (previous, gap) {
        (Some(m0), Some(m1)) => {
            gap_change_test((previous_n, m0, prev.and_then(|r| r.sd)), (n, m1, sd))
        }
        _ => None,
    };
    TrendRow {
        id: id.to_string(),
        previous,
        current: gap,
        delta: gap.zip(previous).map(|(c, p)| c - p),
        previous_n,
        n,
        t: test.map(|w| w.t),
        df: test.map(|w| w.df),
        p: test.map(|w| w.p),
        significant: test.is_some_and(|w| w.p < ALPHA),
    }
}

/// Welch's test of the change of a gap from `before` to `now`, each `(n, gap, sd)`:
/// the one test of the baseline trend and the history (docs/formulas.md#trend).
pub(crate) fn gap_change_test(
    (n0, m0, s0): (u64, f64, Option<f64>),
    (n1, m1, s1): (u64, f64, Option<f64>),
) -> Option<WelchTest> {
    welch_test(
        &Moments::from_summary(n1, m1, s1?),
        &Moments::from_summary(n0, m0, s0?),
    )
}

fn change(previous: Option<f64>, current: Option<f64>) -> ScoreChange {
    ScoreChange {
        previous,
        current,
        delta: current.zip(previous).map(|(c, p)| c - p),
    }
}

/// Compares the current results with `baseline`.
pub fn compare(
    baseline: &Baseline,
    digest: FileDigest,
    dimensions: &[DimensionResult],
    items: &[ItemResult],
    servqual: &ServqualScore,
) -> Trend {
    let before = baseline.servqual.as_ref();
    Trend {
        baseline: digest,
        audit: baseline.audit.clone(),
        alpha: ALPHA,
        servqual: ServqualChange {
            unweighted: change(before.and_then(|s| s.unweighted), servqual.unweighted),
            weighted: change(before.and_then(|s| s.weighted), servqual.weighted),
        },
        dimensions: dimensions
            .iter()
            .map(|d| row(&d.id, d.n, d.gaps.customer, d.sd, &baseline.dimensions))
            .collect(),
        items: items
            .iter()
            .map(|i| row(&i.id, i.n, i.gaps.customer, i.sd, &baseline.items))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_pair_by_id_and_test_the_change() {
        let before = vec![BaselineRow {
            id: "R1".into(),
            n: 10,
            gaps: [("5".to_string(), Some(-1.0))].into_iter().collect(),
            sd: Some(1.0),
        }];
        // Now -1 + 1 = 0 with n 20, sd 2: the Welch numbers of stats::welch_tests
        // (t = 1/sqrt(0.1 + 0.2) = 1.8257), delta +1.0, p ≈ 0.079: not significant.
        let r = row("R1", 20, Some(0.0), Some(2.0), &before);
        assert_eq!(r.previous, Some(-1.0));
        assert_eq!(r.delta, Some(1.0));
        assert!((r.t.unwrap() - 1.825742).abs() < 1e-6);
        assert!(!r.significant);
        // An id the baseline does not have: no previous value, no test.
        let r = row("R9", 20, Some(0.0), Some(2.0), &before);
        assert_eq!((r.previous, r.delta, r.p), (None, None, None));
    }
}
