//! Accumulating the customer survey (gap 5) and the management survey (M), one row at a time.
//!
//! Accumulators hold sums, never rows, and can be merged, so memory depends on the
//! number of items and segments only.

use super::stats::{AlphaAccumulator, Moments};
use crate::definition::Audit;
use crate::sources::survey::{Respondent, SurveySums};

/// Sums for one item of the customer survey.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemSums {
    /// E over respondents who answered both E and P.
    pub expected: Moments,
    /// P over the same respondents.
    pub perceived: Moments,
    /// d = P - E over the same respondents.
    pub gap: Moments,
    /// P - A over respondents who answered both (measure of service adequacy).
    pub msa: Moments,
    /// P - D over respondents who answered both (measure of service superiority).
    pub mss: Moments,
    /// A over the respondents of `msa`.
    pub adequate: Moments,
    /// D over the respondents of `mss`.
    pub desired: Moments,
}

/// Sums for one dimension of the customer survey.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionSums {
    /// Cronbach's alpha on the gap scores of respondents complete on the dimension.
    pub alpha: AlphaAccumulator,
    /// Each respondent's dimension gap score: the mean of their item gaps in it.
    pub score: Moments,
    /// Importance points given to the dimension.
    pub importance: Moments,
}

/// Running state of the customer survey for one segment (or the whole audit).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerAccumulator {
    /// Rows seen.
    pub respondents: u64,
    /// Per item.
    pub items: Vec<ItemSums>,
    /// Per dimension.
    pub dimensions: Vec<DimensionSums>,
    /// Σ_d G_rd · W_rd / 100 per respondent (the per-respondent weighted score).
    pub weighted_per_respondent: Moments,
    dimension_items: Vec<Vec<usize>>,
    scratch: Vec<f64>,
    scores: Vec<Option<f64>>,
    /// Reused by [`CustomerAccumulator::add`] (always empty between calls).
    log: Vec<Option<f64>>,
    /// P - E per item of the row being added (`None` unless both answered).
    gaps: Vec<Option<f64>>,
}

impl CustomerAccumulator {
    /// An empty accumulator for `audit`'s items and dimensions.
    pub fn new(audit: &Audit) -> Self {
        let dimension_items: Vec<Vec<usize>> = (0..audit.dimensions.len())
            .map(|d| audit.items_of(d).collect())
            .collect();
        CustomerAccumulator {
            respondents: 0,
            items: vec![ItemSums::default(); audit.items.len()],
            dimensions: dimension_items
                .iter()
                .map(|items| DimensionSums {
                    alpha: AlphaAccumulator::new(items.len()),
                    score: Moments::default(),
                    importance: Moments::default(),
                })
                .collect(),
            weighted_per_respondent: Moments::default(),
            scratch: Vec::new(),
            scores: vec![None; dimension_items.len()],
            log: Vec::new(),
            gaps: Vec::with_capacity(audit.items.len()),
            dimension_items,
        }
    }

    /// Adds one respondent.
    pub fn add(&mut self, r: &Respondent) {
        let mut log = std::mem::take(&mut self.log);
        self.add_part(r, &mut log);
        self.replay(&mut log);
        self.log = log;
    }

    /// Adds the order-free part of a respondent (sums of whole numbers, for whole-number
    /// answers) and logs the dimension scores and weighted score, whose sums depend on
    /// the order they are added in.
    fn add_part(&mut self, r: &Respondent, log: &mut Vec<Option<f64>>) {
        self.respondents += 1;
        self.gaps.clear();
        let answers = r
            .expected
            .iter()
            .zip(r.perceived)
            .zip(r.adequate.iter().zip(r.desired));
        for (sums, ((&e, &p), (&a, &d))) in self.items.iter_mut().zip(answers) {
            let mut gap = None;
            if let (Some(e), Some(p)) = (e, p) {
                sums.expected.add(e);
                sums.perceived.add(p);
                gap = Some(p - e);
                sums.gap.add(p - e);
            }
            self.gaps.push(gap);
            if let (Some(p), Some(a)) = (p, a) {
                sums.msa.add(p - a);
                sums.adequate.add(a);
            }
            if let (Some(p), Some(d)) = (p, d) {
                sums.mss.add(p - d);
                sums.desired.add(d);
            }
        }
        for (d, items) in self.dimension_items.iter().enumerate() {
            self.scratch.clear();
            let gaps = &self.gaps;
            self.scratch
                .extend(items.iter().filter_map(|&i| gaps.get(i).copied().flatten()));
            let dim = &mut self.dimensions[d];
            if self.scratch.len() == items.len() && !items.is_empty() {
                dim.alpha.add(&self.scratch);
            }
            self.scores[d] = (!self.scratch.is_empty())
                .then(|| self.scratch.iter().sum::<f64>() / self.scratch.len() as f64);
            log.push(self.scores[d]);
        }
        let mut weighted_score = None;
        // Importance is a constant sum, checked by the reader: all dimensions or none.
        if r.importance.iter().all(Option::is_some) && !r.importance.is_empty() {
            let mut weighted = Some(0.0);
            for (d, w) in r.importance.iter().enumerate() {
                let w = w.unwrap_or(0.0);
                self.dimensions[d].importance.add(w);
                weighted = weighted
                    .zip(self.scores[d])
                    .map(|(acc, g)| acc + g * w / 100.0);
            }
            weighted_score = weighted;
        }
        log.push(weighted_score);
    }

    /// Adds logged rows (one score per dimension, then the weighted score), in order.
    fn replay(&mut self, log: &mut Vec<Option<f64>>) {
        let width = self.dimensions.len() + 1;
        for row in log.chunks(width) {
            for (dim, score) in self.dimensions.iter_mut().zip(row) {
                if let Some(score) = score {
                    dim.score.add(*score);
                }
            }
            if let Some(Some(value)) = row.get(width - 1) {
                self.weighted_per_respondent.add(*value);
            }
        }
        log.clear();
    }

    /// Adds the order-free part of what `other` has seen.
    fn merge_part(&mut self, other: &CustomerAccumulator) {
        self.respondents += other.respondents;
        for (a, b) in self.items.iter_mut().zip(&other.items) {
            a.expected.merge(&b.expected);
            a.perceived.merge(&b.perceived);
            a.gap.merge(&b.gap);
            a.msa.merge(&b.msa);
            a.mss.merge(&b.mss);
            a.adequate.merge(&b.adequate);
            a.desired.merge(&b.desired);
        }
        for (a, b) in self.dimensions.iter_mut().zip(&other.dimensions) {
            a.alpha.merge(&b.alpha);
            a.importance.merge(&b.importance);
        }
    }

    /// Adds everything `other` has seen (for segments and threads).
    pub fn merge(&mut self, other: &CustomerAccumulator) {
        self.merge_part(other);
        for (a, b) in self.dimensions.iter_mut().zip(&other.dimensions) {
            a.score.merge(&b.score);
        }
        self.weighted_per_respondent
            .merge(&other.weighted_per_respondent);
    }
}

/// Chunks of a survey file are summed in parts on several threads (see
/// [`crate::sources::survey::read_survey_into`]); the log holds, per respondent, one
/// score per dimension and the weighted score.
impl SurveySums for CustomerAccumulator {
    type Log = Vec<Option<f64>>;

    fn add_part(&mut self, r: &Respondent, log: &mut Self::Log) {
        CustomerAccumulator::add_part(self, r, log);
    }

    fn replay(&mut self, log: &mut Self::Log) {
        CustomerAccumulator::replay(self, log);
    }

    fn merge_part(&mut self, other: &Self) {
        CustomerAccumulator::merge_part(self, other);
    }
}

/// Running state of the management survey: M per item.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagementAccumulator {
    /// Managers who answered.
    pub respondents: u64,
    /// M per item.
    pub items: Vec<Moments>,
}

impl ManagementAccumulator {
    /// An empty accumulator for `audit`'s items.
    pub fn new(audit: &Audit) -> Self {
        ManagementAccumulator {
            respondents: 0,
            items: vec![Moments::default(); audit.items.len()],
        }
    }

    /// Adds one manager's answers.
    pub fn add(&mut self, r: &Respondent) {
        self.respondents += 1;
        for (sums, m) in self.items.iter_mut().zip(r.management) {
            if let Some(m) = m {
                sums.add(*m);
            }
        }
    }
}

/// M answers are whole numbers on the scale: everything is summed in parts, nothing logged.
impl SurveySums for ManagementAccumulator {
    type Log = ();

    fn add_part(&mut self, r: &Respondent, _log: &mut ()) {
        self.add(r);
    }

    fn replay(&mut self, _log: &mut ()) {}

    fn merge_part(&mut self, other: &Self) {
        self.respondents += other.respondents;
        for (a, b) in self.items.iter_mut().zip(&other.items) {
            a.merge(b);
        }
    }
}
