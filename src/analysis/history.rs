//! History (`--history N`): the N periods ending with the report's, oldest first, from
//! the same read of each file.
//!
//! The readers hand on the rows of every period of the span (`DateBounds`), each with
//! its period's index; [`PeriodSums`] gives each period an accumulator of its own, so the
//! history is a segmentation by period of the one-pass accumulators, and memory grows
//! with the periods, never with the rows. The report's own period is the last, summed
//! exactly as it is without `--history`.

use serde::Serialize;

use super::gaps::{DimensionResult, Gaps, ServqualScore};
use super::trend::{self, ALPHA};
use crate::definition::period::Period;
use crate::sources::survey::{ChunkSums, Respondent, SurveySums, WholeRespondent};

/// The most periods `--history` reads: ten years of months.
pub const MAX_PERIODS: usize = 120;

/// One accumulator per period of the span: `E` for each earlier period, oldest first,
/// and `S` for the run's own (the last), which may be richer (segments with `--by`: a
/// history of segments would cost periods × segments). A row goes to the accumulator of
/// its period, a row of a file without a date column to every one.
#[derive(Debug, Clone)]
pub(crate) struct PeriodSums<E, S> {
    earlier: Vec<E>,
    reported: S,
}

impl<E: Clone, S> PeriodSums<E, S> {
    /// `periods` accumulators: the earlier ones from `earlier`, the last `reported`.
    pub fn new(earlier: E, reported: S, periods: usize) -> Self {
        PeriodSums {
            earlier: vec![earlier; periods.saturating_sub(1)],
            reported,
        }
    }
}

impl<E, S> PeriodSums<E, S> {
    /// The earlier periods' sums, oldest first, and the run's own period's.
    pub fn split(self) -> (Vec<E>, S) {
        (self.earlier, self.reported)
    }

    /// Hands a row of `period` (`None`: every period) to `add_earlier` or `add`.
    #[inline]
    fn each(
        &mut self,
        period: Option<usize>,
        mut add_earlier: impl FnMut(&mut E),
        mut add: impl FnMut(&mut S),
    ) {
        let earlier = self.earlier.len();
        match period {
            Some(k) if k == earlier => add(&mut self.reported),
            Some(k) => {
                if let Some(sums) = self.earlier.get_mut(k) {
                    add_earlier(sums);
                }
            }
            None => {
                self.earlier.iter_mut().for_each(add_earlier);
                add(&mut self.reported);
            }
        }
    }
}

/// Each period's sums are built as its accumulator's are; a chunk holds a chunk of each.
impl<E: SurveySums, S: SurveySums> SurveySums for PeriodSums<E, S> {
    type Chunk = PeriodSums<E::Chunk, S::Chunk>;

    fn add(&mut self, r: &Respondent) {
        self.each(r.period, |sums| sums.add(r), |sums| sums.add(r));
    }

    fn chunk(&self) -> Self::Chunk {
        PeriodSums {
            earlier: self.earlier.iter().map(E::chunk).collect(),
            reported: self.reported.chunk(),
        }
    }

    fn merge_chunk(&mut self, chunk: Self::Chunk) {
        for (sums, part) in self.earlier.iter_mut().zip(chunk.earlier) {
            sums.merge_chunk(part);
        }
        self.reported.merge_chunk(chunk.reported);
    }
}

impl<E: ChunkSums, S: ChunkSums> ChunkSums for PeriodSums<E, S> {
    fn add(&mut self, r: &WholeRespondent) {
        self.each(r.period, |sums| sums.add(r), |sums| sums.add(r));
    }
}

/// A period of the history, by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryPeriodName {
    /// `2026-10`, `2026-Q3`, `FY2026`.
    pub name: String,
    /// First day, YYYY-MM-DD.
    pub start: String,
    /// Last day, YYYY-MM-DD.
    pub end: String,
}

/// Data rows of the period in each survey.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HistoryRespondents {
    /// Customer survey rows.
    pub customers: u64,
    /// Management survey rows.
    pub management: u64,
}

/// The period's SERVQUAL scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HistoryScores {
    /// Mean of the dimension customer gaps.
    pub unweighted: Option<f64>,
    /// Σ w_d · gap_d.
    pub weighted: Option<f64>,
}

/// The change of a dimension's gap 5 against the period before, tested with Welch's t
/// as the baseline trend is (docs/formulas.md#history).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    /// Gap 5 now minus gap 5 in the period before (positive = narrowed, better).
    pub delta: f64,
    /// Welch's t; `null` when both periods' scores have no spread.
    pub t: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: Option<f64>,
    /// Two-sided p of the change.
    pub p: Option<f64>,
    /// p < 0.05.
    pub significant: bool,
}

/// One dimension in one period of the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryDimension {
    /// Dimension id.
    pub id: String,
    /// Respondents with at least one E/P pair in the dimension.
    pub n: u64,
    /// The five gaps.
    pub gaps: Gaps,
    /// Against the period before; `null` for the first period, or where either period
    /// has fewer than two respondents or no gap 5.
    pub change: Option<Change>,
}

/// The period's mystery-shopper headline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HistoryShoppers {
    /// Mean visit score in percent.
    pub mean_score: Option<f64>,
    /// Visits with a failed critical question.
    pub critical_failures: u64,
}

/// One period of the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryPeriod {
    /// The period.
    pub period: HistoryPeriodName,
    /// Survey rows of the period.
    pub respondents: HistoryRespondents,
    /// Visits of the period (0 without a shoppers source).
    pub visits: u64,
    /// SERVQUAL scores.
    pub servqual: HistoryScores,
    /// Per dimension, in the audit's order.
    pub dimensions: Vec<HistoryDimension>,
    /// `null` without a shoppers source.
    pub shoppers: Option<HistoryShoppers>,
}

/// What analysis found in one period, ready for [`history`].
#[derive(Debug, Clone)]
pub struct PeriodResults {
    /// The period.
    pub period: Period,
    /// Survey rows of the period.
    pub respondents: HistoryRespondents,
    /// Visits of the period.
    pub visits: u64,
    /// Dimension results.
    pub dimensions: Vec<DimensionResult>,
    /// SERVQUAL scores.
    pub servqual: ServqualScore,
    /// Shopper headline, with a shoppers source.
    pub shoppers: Option<HistoryShoppers>,
}

/// The history from each period's results (oldest first), each dimension's gap 5
/// compared with the period before.
pub fn history(periods: &[PeriodResults]) -> Vec<HistoryPeriod> {
    let mut before: Option<&PeriodResults> = None;
    let mut out = Vec::with_capacity(periods.len());
    for p in periods {
        let dimensions = p
            .dimensions
            .iter()
            .map(|d| {
                let previous = before.and_then(|b| b.dimensions.iter().find(|x| x.id == d.id));
                HistoryDimension {
                    id: d.id.clone(),
                    n: d.n,
                    gaps: d.gaps,
                    change: previous.and_then(|b| change(b, d)),
                }
            })
            .collect();
        out.push(HistoryPeriod {
            period: HistoryPeriodName {
                name: p.period.name.clone(),
                start: p.period.start.to_string(),
                end: p.period.end.to_string(),
            },
            respondents: p.respondents,
            visits: p.visits,
            servqual: HistoryScores {
                unweighted: p.servqual.unweighted,
                weighted: p.servqual.weighted,
            },
            dimensions,
            shoppers: p.shoppers,
        });
        before = Some(p);
    }
    out
}

/// The change of gap 5 from `before` to `now`; `None` where either has fewer than two
/// respondents or no gap 5.
fn change(before: &DimensionResult, now: &DimensionResult) -> Option<Change> {
    if before.n < 2 || now.n < 2 {
        return None;
    }
    let (m0, m1) = (before.gaps.customer?, now.gaps.customer?);
    let test = trend::gap_change_test((before.n, m0, before.sd), (now.n, m1, now.sd));
    Some(Change {
        delta: m1 - m0,
        t: test.map(|w| w.t),
        df: test.map(|w| w.df),
        p: test.map(|w| w.p),
        significant: test.is_some_and(|w| w.p < ALPHA),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dimension(n: u64, gap: f64, sd: f64) -> DimensionResult {
        let mut d = DimensionResult {
            id: "reliability".into(),
            n,
            sd: Some(sd),
            ..DimensionResult::default()
        };
        d.gaps.customer = Some(gap);
        d
    }

    fn period(name: &str, dims: Vec<DimensionResult>) -> PeriodResults {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        PeriodResults {
            period: Period {
                name: name.into(),
                start: day,
                end: day,
            },
            respondents: HistoryRespondents {
                customers: 0,
                management: 0,
            },
            visits: 0,
            dimensions: dims,
            servqual: ServqualScore {
                unweighted: None,
                weighted: None,
                weighted_per_respondent: None,
                weights_source: None,
            },
            shoppers: None,
        }
    }

    #[test]
    fn a_row_goes_to_its_periods_sums_and_an_undated_one_to_every_period() {
        use crate::analysis::customers::CustomerAccumulator;
        let yaml = "audit: {id: a, title: A, schedule: monthly}\nscale: {min: 1, max: 7}\n\
dimensions: [{id: d, label: {en: D}}]\nitems: [{id: X, dimension: d, text: {en: x}}]\n\
sources: {customers: {file: c.csv}}\n";
        let audit = match crate::definition::load_str(std::path::Path::new("a.yaml"), yaml) {
            Ok(a) => a,
            Err(p) => panic!("{p}"),
        };
        let empty = CustomerAccumulator::new(&audit);
        let mut sums = PeriodSums::new(empty.clone(), empty, 3);
        let (e, p) = ([Some(6.0)], [Some(5.0)]);
        for period in [Some(0), Some(2), None, Some(7)] {
            SurveySums::add(
                &mut sums,
                &Respondent {
                    expected: Some(&e),
                    perceived: Some(&p),
                    adequate: None,
                    desired: None,
                    management: None,
                    importance: None,
                    extra: "",
                    period,
                },
            );
        }
        let (earlier, reported) = sums.split();
        let counts: Vec<u64> = earlier.iter().map(|a| a.respondents).collect();
        // Period 7 is past the span (the readers never hand such a row on): nowhere.
        assert_eq!((counts, reported.respondents), (vec![2, 1], 2));
    }

    #[test]
    fn each_period_is_compared_with_the_one_before() {
        // -1 (n 10, sd 1) to 0 (n 20, sd 2): t = 1/sqrt(1/10 + 4/20) = 1.825742,
        // df = 0.09 / (0.01/9 + 0.04/19) = 27.9818, p ≈ 0.079: not significant.
        let periods = [
            period("2026-01", vec![dimension(10, -1.0, 1.0)]),
            period("2026-02", vec![dimension(20, 0.0, 2.0)]),
            period("2026-03", vec![dimension(1, 0.5, 0.0)]),
        ];
        let h = history(&periods);
        assert_eq!(h[0].dimensions[0].change, None);
        let c = h[1].dimensions[0]
            .change
            .unwrap_or_else(|| panic!("a change"));
        assert_eq!(c.delta, 1.0);
        assert!((c.t.unwrap_or_default() - 1.825742).abs() < 1e-6);
        assert!((c.df.unwrap_or_default() - 27.981818).abs() < 1e-6, "{c:?}");
        assert!((c.p.unwrap_or_default() - 0.0786).abs() < 1e-3, "{c:?}");
        assert!(!c.significant);
        // One respondent: no change.
        assert_eq!(h[2].dimensions[0].change, None);
    }
}
