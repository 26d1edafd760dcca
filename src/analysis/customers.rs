//! Accumulating the customer survey (gap 5) and the management survey (M), one row at a time.
//!
//! Accumulators hold sums, never rows, and can be merged, so memory depends on the
//! number of items and segments only.

use super::stats::{AlphaAccumulator, Moments, WholeAlpha, WholeMoments};
use crate::definition::Audit;
use crate::sources::survey::{
    ChunkSums, Respondent, SurveySums, WholeAnswers, WholeCell, WholeRespondent,
};

/// Sums for one item of the customer survey (`M` is [`WholeMoments`] in a chunk's sums).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemSums<M = Moments> {
    /// E over respondents who answered both E and P.
    pub expected: M,
    /// P over the same respondents.
    pub perceived: M,
    /// d = P - E over the same respondents.
    pub gap: M,
    /// P - A over respondents who answered both (measure of service adequacy).
    pub msa: M,
    /// P - D over respondents who answered both (measure of service superiority).
    pub mss: M,
    /// A over the respondents of `msa`.
    pub adequate: M,
    /// D over the respondents of `mss`.
    pub desired: M,
}

impl ItemSums {
    /// Adds the whole-number sums of a chunk.
    fn merge_whole(&mut self, whole: &ItemSums<WholeMoments>) {
        self.expected.merge_whole(&whole.expected);
        self.perceived.merge_whole(&whole.perceived);
        self.gap.merge_whole(&whole.gap);
        self.msa.merge_whole(&whole.msa);
        self.mss.merge_whole(&whole.mss);
        self.adequate.merge_whole(&whole.adequate);
        self.desired.merge_whole(&whole.desired);
    }
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
            log: Vec::new(),
            gaps: Vec::with_capacity(audit.items.len()),
            dimension_items,
        }
    }

    /// Adds one respondent.
    pub fn add(&mut self, r: &Respondent) {
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
        let mut log = std::mem::take(&mut self.log);
        for (d, items) in self.dimension_items.iter().enumerate() {
            self.scratch.clear();
            let gaps = &self.gaps;
            self.scratch
                .extend(items.iter().filter_map(|&i| gaps.get(i).copied().flatten()));
            let dim = &mut self.dimensions[d];
            if self.scratch.len() == items.len() && !items.is_empty() {
                dim.alpha.add(&self.scratch);
            }
            log.push(
                (!self.scratch.is_empty())
                    .then(|| self.scratch.iter().sum::<f64>() / self.scratch.len() as f64),
            );
        }
        // Importance is a constant sum, checked by the reader: all dimensions or none.
        let importance = (r.importance.iter().all(Option::is_some) && !r.importance.is_empty())
            .then_some(r.importance);
        for (dim, w) in self
            .dimensions
            .iter_mut()
            .zip(importance.into_iter().flatten())
        {
            dim.importance.add(w.unwrap_or(0.0));
        }
        let points = importance.map(|points| points.iter().map(|w| w.unwrap_or(0.0)));
        log_weighted(&mut log, self.dimension_items.len(), points);
        self.replay(&mut log);
        self.log = log;
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

    /// Adds everything `other` has seen (for segments and threads).
    pub fn merge(&mut self, other: &CustomerAccumulator) {
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
            a.score.merge(&b.score);
        }
        self.weighted_per_respondent
            .merge(&other.weighted_per_respondent);
    }
}

/// Logs the weighted score of the row whose dimension scores end `log` (the last
/// `dims` entries): Σ_d G_rd · W_rd / 100, summed in dimension order, or `None` without
/// importance points or without a score on some dimension. One function for both ways
/// of reading, so that the float operations are the same.
fn log_weighted(
    log: &mut Vec<Option<f64>>,
    dims: usize,
    points: Option<impl Iterator<Item = f64>>,
) {
    let scores = log.len().saturating_sub(dims);
    let weighted = points.and_then(|points| {
        let mut weighted = Some(0.0);
        for (g, w) in log.get(scores..).unwrap_or_default().iter().zip(points) {
            weighted = weighted.zip(*g).map(|(acc, g)| acc + g * w / 100.0);
        }
        weighted
    });
    log.push(weighted);
}

/// Reads a survey into one [`CustomerAccumulator`]; chunks are [`CustomerChunk`]s.
impl SurveySums for CustomerAccumulator {
    type Chunk = CustomerChunk;

    fn add(&mut self, r: &Respondent) {
        CustomerAccumulator::add(self, r);
    }

    fn chunk(&self) -> CustomerChunk {
        CustomerChunk {
            respondents: 0,
            items: vec![ItemSums::default(); self.items.len()],
            alpha: self
                .dimension_items
                .iter()
                .map(|items| WholeAlpha::new(items.len()))
                .collect(),
            importance: vec![WholeMoments::default(); self.dimensions.len()],
            log: Vec::new(),
            dimension_items: self.dimension_items.clone(),
            gaps: vec![0; self.items.len()],
            both: vec![0; self.items.len()],
        }
    }

    fn merge_chunk(&mut self, mut chunk: CustomerChunk) {
        self.respondents += chunk.respondents;
        for (sums, whole) in self.items.iter_mut().zip(&chunk.items) {
            sums.merge_whole(whole);
        }
        for ((dim, alpha), importance) in self
            .dimensions
            .iter_mut()
            .zip(&chunk.alpha)
            .zip(&chunk.importance)
        {
            dim.alpha.merge_whole(alpha);
            dim.importance.merge_whole(importance);
        }
        self.replay(&mut chunk.log);
    }
}

/// The customer sums of one chunk of rows with whole-number answers: integer sums (exact,
/// merged in any order) and, per row, the dimension scores and weighted score, which are
/// fractions and are added to the totals in file order.
#[derive(Debug, Clone)]
pub struct CustomerChunk {
    respondents: u64,
    items: Vec<ItemSums<WholeMoments>>,
    alpha: Vec<WholeAlpha>,
    importance: Vec<WholeMoments>,
    /// As [`CustomerAccumulator::replay`] takes it.
    log: Vec<Option<f64>>,
    dimension_items: Vec<Vec<usize>>,
    /// P - E per item of the row being added, 0 unless both answered.
    gaps: Vec<i64>,
    /// 1 where the row answered both E and P of an item, else 0.
    both: Vec<i64>,
}

impl ChunkSums for CustomerChunk {
    fn add(&mut self, r: &WholeRespondent) {
        self.respondents += 1;
        // Branch-free: an unanswered cell is added with weight 0 (see `WholeMoments`).
        match (r.expected, r.perceived) {
            (Some(e), Some(p)) => {
                // Slices of one length, indexed: the bounds checks go, and the loop is
                // tighter than a zip of five iterators.
                let n = [self.gaps.len(), self.both.len(), e.0.len(), p.0.len()]
                    .into_iter()
                    .fold(self.items.len(), usize::min);
                let (items, e, p) = (&mut self.items[..n], &e.0[..n], &p.0[..n]);
                let (gaps, both) = (&mut self.gaps[..n], &mut self.both[..n]);
                for i in 0..n {
                    let (ev, pv) = (i64::from(e[i].value), i64::from(p[i].value));
                    let answered = i64::from(e[i].answered & p[i].answered);
                    both[i] = answered;
                    gaps[i] = (pv - ev) * answered;
                    items[i].expected.add_if(ev, answered);
                    items[i].perceived.add_if(pv, answered);
                    items[i].gap.add_if(pv - ev, answered);
                }
                // Items past the answers (none in a row the reader makes) are unanswered.
                if n < self.items.len() {
                    self.gaps.iter_mut().skip(n).for_each(|g| *g = 0);
                    self.both.iter_mut().skip(n).for_each(|b| *b = 0);
                }
            }
            _ => {
                self.gaps.fill(0);
                self.both.fill(0);
            }
        }
        if let (Some(p), Some(a)) = (r.perceived, r.adequate) {
            for (sums, ((p, has_p), (a, has_a))) in self.items.iter_mut().zip(pairs(p, a)) {
                sums.msa.add_if(p - a, has_p & has_a);
                sums.adequate.add_if(a, has_p & has_a);
            }
        }
        if let (Some(p), Some(d)) = (r.perceived, r.desired) {
            for (sums, ((p, has_p), (d, has_d))) in self.items.iter_mut().zip(pairs(p, d)) {
                sums.mss.add_if(p - d, has_p & has_d);
                sums.desired.add_if(d, has_p & has_d);
            }
        }
        for (items, alpha) in self.dimension_items.iter().zip(&mut self.alpha) {
            let (mut total, mut answered) = (0, 0);
            for &i in items {
                total += self.gaps.get(i).copied().unwrap_or(0);
                answered += self.both.get(i).copied().unwrap_or(0);
            }
            let complete = i64::from(answered == items.len() as i64 && !items.is_empty());
            let gaps = items
                .iter()
                .map(|&i| self.gaps.get(i).copied().unwrap_or(0));
            alpha.add_if(gaps, complete);
            // The sum of whole numbers is exact: the same float the sequential mean gives.
            self.log
                .push((answered > 0).then(|| total as f64 / answered as f64));
        }
        let dims = self.dimension_items.len();
        let importance = r
            .importance
            .filter(|points| !points.0.is_empty() && points.0.iter().all(|c| c.answered == 1));
        if let Some(points) = importance {
            for (sums, w) in self.importance.iter_mut().zip(points.0) {
                sums.add_if(i64::from(w.value), 1);
            }
        }
        let points = importance.map(|points| points.0.iter().map(|w| f64::from(w.value)));
        log_weighted(&mut self.log, dims, points);
    }
}

/// Two kinds of answers item by item: ((value, answered), (value, answered)).
fn pairs<'a>(
    a: WholeAnswers<'a>,
    b: WholeAnswers<'a>,
) -> impl Iterator<Item = ((i64, i64), (i64, i64))> + 'a {
    let cell = |c: &WholeCell| (i64::from(c.value), i64::from(c.answered));
    a.0.iter().map(cell).zip(b.0.iter().map(cell))
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

/// Reads the management survey; its chunks are [`ManagementChunk`]s.
impl SurveySums for ManagementAccumulator {
    type Chunk = ManagementChunk;

    fn add(&mut self, r: &Respondent) {
        ManagementAccumulator::add(self, r);
    }

    fn chunk(&self) -> ManagementChunk {
        ManagementChunk {
            respondents: 0,
            items: vec![WholeMoments::default(); self.items.len()],
        }
    }

    fn merge_chunk(&mut self, chunk: ManagementChunk) {
        self.respondents += chunk.respondents;
        for (a, b) in self.items.iter_mut().zip(&chunk.items) {
            a.merge_whole(b);
        }
    }
}

/// The management sums of one chunk: M per item, as integers (nothing is order-bound).
#[derive(Debug)]
pub struct ManagementChunk {
    respondents: u64,
    items: Vec<WholeMoments>,
}

impl ChunkSums for ManagementChunk {
    fn add(&mut self, r: &WholeRespondent) {
        self.respondents += 1;
        if let Some(m) = r.management {
            for (sums, m) in self.items.iter_mut().zip(m.0) {
                sums.add_if(i64::from(m.value), i64::from(m.answered));
            }
        }
    }
}
