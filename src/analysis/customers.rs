//! Accumulating the customer survey (gap 5) and the management survey (M), one row at a time.
//!
//! Accumulators hold sums, never rows, and can be merged, so memory depends on the
//! number of items and segments only.
//!
//! Each accumulator's `add` is written once, over the `Cell`s of either reader: `f64`
//! sums for the sequential reader, `i64` sums for a chunk of the chunked reader (see
//! `SurveySums`). Why a file read in chunks gives the same bits as one read front to
//! back:
//! - A chunk only takes whole answers up to 100, so its integer sums (counts, sums and
//!   sums of squares of E, P, gaps, alpha rows, points, and each alpha item's products with
//!   its row's total) are exact, and so is each one's
//!   conversion to `f64` when a chunk is merged; the `f64` sums of the sequential reader
//!   hold the same whole numbers exactly (every sum stays below 2^53, see `survey/fast.rs`),
//!   so adding them in another order changes no bit.
//! - What is a fraction (each dimension's mean gap score per respondent, the weighted
//!   score) is order-bound: `CustomerAccumulator::add_answers` only logs it, the same
//!   float operations in both readers, and it is added to the totals in file order: at
//!   once by the sequential reader, and when chunks are merged (in file order) by the
//!   chunked one.
//! - Both give the same float for a score: `f64` sums of whole gaps are exact, so
//!   `total / answered` is the same division. An unanswered cell is added as 0 with
//!   weight 0, which changes no sum (at most the sign of a zero, which adding it to a
//!   running sum that starts at +0 removes).

use super::stats::{welch_ci95, AlphaAccumulator, ItemReliability, Moments, Summed};
use crate::definition::Audit;
use crate::sources::survey::{Answers, Cell, ChunkSums, Respondent, SurveySums, WholeRespondent};

/// Sums for one item of the customer survey, summed as `N` (see [`Summed`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemSums<N: Summed = f64> {
    /// E over respondents who answered both E and P.
    pub expected: N::Moments,
    /// P over the same respondents.
    pub perceived: N::Moments,
    /// d = P - E over the same respondents.
    pub gap: N::Moments,
}

/// The zone-of-tolerance sums of one item (A and D columns), summed as `N`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZoneSums<N: Summed = f64> {
    /// P - A over respondents who answered both (measure of service adequacy).
    pub msa: N::Moments,
    /// P - D over respondents who answered both (measure of service superiority).
    pub mss: N::Moments,
    /// A over the respondents of `msa`.
    pub adequate: N::Moments,
    /// D over the respondents of `mss`.
    pub desired: N::Moments,
}

impl ItemSums {
    /// Adds the sums of `other` (float sums, or a chunk's whole-number sums).
    fn merge<M: Summed>(&mut self, other: &ItemSums<M>) {
        M::merge_into(&mut self.expected, &other.expected);
        M::merge_into(&mut self.perceived, &other.perceived);
        M::merge_into(&mut self.gap, &other.gap);
    }
}

impl ZoneSums {
    /// Adds the sums of `other` (float sums, or a chunk's whole-number sums).
    fn merge<M: Summed>(&mut self, other: &ZoneSums<M>) {
        M::merge_into(&mut self.msa, &other.msa);
        M::merge_into(&mut self.mss, &other.mss);
        M::merge_into(&mut self.adequate, &other.adequate);
        M::merge_into(&mut self.desired, &other.desired);
    }
}

/// Sums for one dimension of the customer survey.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionSums<N: Summed = f64> {
    /// Cronbach's alpha on the gap scores of respondents complete on the dimension.
    pub alpha: AlphaAccumulator<N>,
    /// Each respondent's dimension gap score: the mean of their item gaps in it. (Added
    /// in file order from the log: always empty in a chunk's sums.)
    pub score: Moments,
    /// Importance points given to the dimension.
    pub importance: N::Moments,
}

/// What an accumulator sums: everything (the whole audit), or what a segment's table
/// shows (a segment of `--by`: no alpha, no zone of tolerance), so that thousands of
/// segments cost a few kB each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extent {
    /// Every sum.
    Full,
    /// The sums of gap 5, the dimension scores and the weights only.
    Segment,
}

/// Running state of the customer survey for one segment (or the whole audit), summed as
/// `N`: `f64` (the default) when read sequentially, `i64` for a chunk (`CustomerChunk`).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerAccumulator<N: Summed = f64> {
    /// Rows seen.
    pub respondents: u64,
    /// Per item.
    pub items: Vec<ItemSums<N>>,
    /// Per item, the zone of tolerance; empty in a segment's sums.
    pub zone: Vec<ZoneSums<N>>,
    /// Per dimension.
    pub dimensions: Vec<DimensionSums<N>>,
    /// Σ_d G_rd · W_rd / 100 per respondent (the per-respondent weighted score; from the
    /// log, as `score`).
    pub weighted_per_respondent: Moments,
    /// The items of each dimension, shared by every segment's sums.
    dimension_items: std::sync::Arc<[Vec<usize>]>,
    extent: Extent,
    /// Per row, the dimension scores then the weighted score (fractions, so added in file
    /// order by [`CustomerAccumulator::replay`]); a chunk keeps its rows' until it is
    /// merged, sequential reading replays each row's at once.
    log: Vec<Option<f64>>,
    /// P - E per item of the row being added, 0 unless both answered.
    gaps: Vec<N>,
    /// 1 where the row being added answered both E and P of an item, else 0.
    both: Vec<N::Weight>,
    /// The rows that answered P and not one E, summed with P in the place of d = P - E:
    /// the perception-only (SERVPERF) sums (docs/formulas.md#servperf), built on the
    /// first such row. The report takes them when no row answered an E and P pair.
    pub perception_only: Option<Box<CustomerAccumulator<N>>>,
    /// Whether these are perception-only sums (P read as d, E never read).
    perception: bool,
}

/// The customer sums of one chunk of rows with whole-number answers: integer sums, and
/// the log of what is a fraction (see the module comment).
pub(crate) type CustomerChunk = CustomerAccumulator<i64>;

impl<N: Summed> CustomerAccumulator<N> {
    /// Empty sums of `extent` for `items` items, grouped by dimension as
    /// `dimension_items` says.
    fn empty(items: usize, dimension_items: std::sync::Arc<[Vec<usize>]>, extent: Extent) -> Self {
        let full = extent == Extent::Full;
        CustomerAccumulator {
            respondents: 0,
            items: vec![ItemSums::default(); items],
            zone: vec![ZoneSums::default(); if full { items } else { 0 }],
            dimensions: dimension_items
                .iter()
                .map(|items| DimensionSums {
                    alpha: AlphaAccumulator::new(if full { items.len() } else { 0 }),
                    score: Moments::default(),
                    importance: N::Moments::default(),
                })
                .collect(),
            weighted_per_respondent: Moments::default(),
            log: Vec::new(),
            gaps: vec![N::default(); items],
            both: vec![N::weight(false); items],
            dimension_items,
            perception_only: None,
            perception: false,
            extent,
        }
    }

    /// Empty perception-only sums of the same shape (see [`Self::perception_only`]).
    fn empty_perception(&self) -> Box<Self> {
        let mut sums =
            CustomerAccumulator::empty(self.items.len(), self.dimension_items.clone(), self.extent);
        sums.perception = true;
        Box::new(sums)
    }

    /// Adds one respondent's answers: every sum, and the row's dimension scores and
    /// weighted score to the log (see [`CustomerAccumulator::replay`]).
    ///
    /// Written once for both readers. For whole numbers it is branch-free: an unanswered
    /// cell is added with weight 0.
    #[inline]
    pub(crate) fn add_answers<C: Cell<Value = N>>(&mut self, r: &Answers<C>) {
        self.respondents += 1;
        // E answers in the row: a row without any goes to the perception-only sums too.
        let mut expectations = 0i64;
        match (r.expected, r.perceived) {
            (Some(e), Some(p)) if !self.perception => {
                // Slices of one length, indexed: the bounds checks go, and the loop is
                // tighter than a zip of five iterators.
                let n = [self.gaps.len(), self.both.len(), e.len(), p.len()]
                    .into_iter()
                    .fold(self.items.len(), usize::min);
                let (items, e, p) = (&mut self.items[..n], &e[..n], &p[..n]);
                let (gaps, both) = (&mut self.gaps[..n], &mut self.both[..n]);
                for i in 0..n {
                    let (ev, pv) = (e[i].value(), p[i].value());
                    expectations += N::count(e[i].answered());
                    let answered = e[i].answered() & p[i].answered();
                    both[i] = answered;
                    gaps[i] = (pv - ev).weigh(answered);
                    N::add_if(&mut items[i].expected, ev, answered);
                    N::add_if(&mut items[i].perceived, pv, answered);
                    N::add_if(&mut items[i].gap, pv - ev, answered);
                }
                // Items past the answers (none in a row the readers make) are unanswered.
                if n < self.items.len() {
                    self.gaps.iter_mut().skip(n).for_each(|g| *g = N::default());
                    self.both
                        .iter_mut()
                        .skip(n)
                        .for_each(|b| *b = N::weight(false));
                }
            }
            // Perception-only sums: P stands for d, so every sum below is of P.
            (_, Some(p)) if self.perception => {
                let n = [self.gaps.len(), self.both.len(), p.len()]
                    .into_iter()
                    .fold(self.items.len(), usize::min);
                let (items, p) = (&mut self.items[..n], &p[..n]);
                let (gaps, both) = (&mut self.gaps[..n], &mut self.both[..n]);
                for i in 0..n {
                    let (pv, answered) = (p[i].value(), p[i].answered());
                    both[i] = answered;
                    gaps[i] = pv.weigh(answered);
                    N::add_if(&mut items[i].perceived, pv, answered);
                    N::add_if(&mut items[i].gap, pv, answered);
                }
                self.gaps.iter_mut().skip(n).for_each(|g| *g = N::default());
                let unanswered = N::weight(false);
                self.both.iter_mut().skip(n).for_each(|b| *b = unanswered);
            }
            _ => {
                self.gaps.fill(N::default());
                self.both.fill(N::weight(false));
            }
        }
        if let (Some(p), Some(a)) = (r.perceived, r.adequate) {
            add_level(&mut self.zone, p, a, |s| (&mut s.msa, &mut s.adequate));
        }
        if let (Some(p), Some(d)) = (r.perceived, r.desired) {
            add_level(&mut self.zone, p, d, |s| (&mut s.mss, &mut s.desired));
        }
        let (gaps, both) = (&self.gaps, &self.both);
        for (items, dim) in self.dimension_items.iter().zip(&mut self.dimensions) {
            let (mut total, mut answered) = (N::default(), 0);
            for &i in items {
                total = total + gaps.get(i).copied().unwrap_or_default();
                answered += both.get(i).map_or(0, |&b| N::count(b));
            }
            let complete = answered == items.len() as i64 && !items.is_empty();
            // A segment's alpha has no items (the zip in `add_if` stops at once): only
            // its complete cases' totals are summed.
            let row = items
                .iter()
                .map(|&i| gaps.get(i).copied().unwrap_or_default());
            dim.alpha.add_if(row, total, N::weight(complete));
            // The sum of whole numbers is exact: the same float in both readers.
            self.log
                .push((answered > 0).then(|| total.to_f64() / answered as f64));
        }
        // Importance is a constant sum, checked by the readers: all dimensions or none.
        let points = r.importance.filter(|points| {
            !points.is_empty() && points.iter().all(|w| N::count(w.answered()) == 1)
        });
        if let Some(points) = points {
            for (dim, w) in self.dimensions.iter_mut().zip(points) {
                N::add_if(&mut dim.importance, w.value(), N::weight(true));
            }
        }
        let points = points.map(|points| points.iter().map(|w| w.value().to_f64()));
        log_weighted(&mut self.log, self.dimension_items.len(), points);
        if !self.perception && expectations == 0 && r.perceived.is_some() {
            if self.perception_only.is_none() {
                self.perception_only = Some(self.empty_perception());
            }
            if let Some(sums) = self.perception_only.as_deref_mut() {
                sums.add_answers(r);
            }
        }
    }

    /// Adds logged rows (one score per dimension, then the weighted score), in order.
    fn replay(&mut self, log: &[Option<f64>]) {
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
    }
}

/// Adds P - L and L per item, over respondents who answered both, for a level L (A or D)
/// whose sums `sums_of` picks.
#[inline]
fn add_level<N: Summed, C: Cell<Value = N>>(
    items: &mut [ZoneSums<N>],
    perceived: &[C],
    level: &[C],
    sums_of: impl Fn(&mut ZoneSums<N>) -> (&mut N::Moments, &mut N::Moments),
) {
    for (sums, (p, l)) in items.iter_mut().zip(perceived.iter().zip(level)) {
        let answered = p.answered() & l.answered();
        let (difference, level) = sums_of(sums);
        N::add_if(difference, p.value() - l.value(), answered);
        N::add_if(level, l.value(), answered);
    }
}

impl CustomerAccumulator {
    /// An empty accumulator for `audit`'s items and dimensions.
    pub fn new(audit: &Audit) -> Self {
        CustomerAccumulator::with_extent(audit, Extent::Full)
    }

    /// An empty accumulator of `extent` for `audit`'s items and dimensions.
    pub(crate) fn with_extent(audit: &Audit, extent: Extent) -> Self {
        let dimension_items = (0..audit.dimensions.len())
            .map(|d| audit.items_of(d).collect())
            .collect();
        CustomerAccumulator::empty(audit.items.len(), dimension_items, extent)
    }

    /// Each item's corrected item-total correlation and alpha if deleted within its
    /// dimension (docs/formulas.md#item-diagnostics), in item order.
    pub fn item_reliability(&self) -> Vec<ItemReliability> {
        let mut out = vec![ItemReliability::default(); self.items.len()];
        for (items, dim) in self.dimension_items.iter().zip(&self.dimensions) {
            for (&i, reliability) in items.iter().zip(dim.alpha.item_reliability()) {
                if let Some(slot) = out.get_mut(i) {
                    *slot = reliability;
                }
            }
        }
        out
    }

    /// Adds one respondent, in file order.
    pub(crate) fn add(&mut self, r: &Respondent) {
        self.add_answers(r);
        self.replay_own_log();
    }

    /// Adds what the last row logged, here and in the perception-only sums.
    fn replay_own_log(&mut self) {
        let log = std::mem::take(&mut self.log);
        self.replay(&log);
        self.log = log;
        self.log.clear();
        if let Some(sums) = self.perception_only.as_deref_mut() {
            sums.replay_own_log();
        }
    }

    /// Whether the survey is perception-only (SERVPERF): no respondent answered an E
    /// and P pair, and there are perception-only sums (rows with P and no E, or a file
    /// without E columns, see [`Self::expect_perception_only`]).
    pub fn is_perception_only(&self) -> bool {
        self.perception_only.is_some() && self.items.iter().all(|s| s.gap.n == 0)
    }

    /// Marks the survey as one without E columns: perception-only even with no row.
    pub fn expect_perception_only(&mut self) {
        if self.perception_only.is_none() {
            self.perception_only = Some(self.empty_perception());
        }
    }

    /// Adds everything `other` has seen: another accumulator's sums (for segments), or a
    /// chunk's (chunks in file order; its log is added after what was added before).
    pub fn merge<M: Summed>(&mut self, other: &CustomerAccumulator<M>) {
        self.respondents += other.respondents;
        for (a, b) in self.items.iter_mut().zip(&other.items) {
            a.merge(b);
        }
        for (a, b) in self.zone.iter_mut().zip(&other.zone) {
            a.merge(b);
        }
        for (a, b) in self.dimensions.iter_mut().zip(&other.dimensions) {
            a.alpha.merge(&b.alpha);
            M::merge_into(&mut a.importance, &b.importance);
            a.score.merge(&b.score);
        }
        self.weighted_per_respondent
            .merge(&other.weighted_per_respondent);
        self.replay(&other.log);
        if let Some(theirs) = other.perception_only.as_deref() {
            if self.perception_only.is_none() {
                self.perception_only = Some(self.empty_perception());
            }
            if let Some(ours) = self.perception_only.as_deref_mut() {
                ours.merge(theirs);
            }
        }
    }
}

/// Logs the weighted score of the row whose dimension scores end `log` (the last
/// `dims` entries): Σ_d G_rd · W_rd / 100, summed in dimension order, or `None` without
/// importance points or without a score on some dimension.
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
        CustomerAccumulator::empty(self.items.len(), self.dimension_items.clone(), self.extent)
    }

    fn merge_chunk(&mut self, chunk: CustomerChunk) {
        self.merge(&chunk);
    }
}

impl ChunkSums for CustomerChunk {
    fn add(&mut self, r: &WholeRespondent) {
        self.add_answers(r);
    }
}

/// Running state of the management survey: M per item, summed as `N` (`i64` in a
/// chunk's sums, `ManagementChunk`).
#[derive(Debug, Clone, PartialEq)]
pub struct ManagementAccumulator<N: Summed = f64> {
    /// Managers who answered.
    pub respondents: u64,
    /// M per item.
    pub items: Vec<N::Moments>,
}

/// The management sums of one chunk: M per item, as integers (nothing is order-bound).
pub(crate) type ManagementChunk = ManagementAccumulator<i64>;

impl<N: Summed> ManagementAccumulator<N> {
    /// Empty sums for `items` items.
    fn empty(items: usize) -> Self {
        ManagementAccumulator {
            respondents: 0,
            items: vec![N::Moments::default(); items],
        }
    }

    /// Adds one manager's answers (written once for both readers).
    #[inline]
    pub(crate) fn add_answers<C: Cell<Value = N>>(&mut self, r: &Answers<C>) {
        self.respondents += 1;
        if let Some(m) = r.management {
            for (sums, m) in self.items.iter_mut().zip(m) {
                N::add_if(sums, m.value(), m.answered());
            }
        }
    }
}

impl ManagementAccumulator {
    /// An empty accumulator for `audit`'s items.
    pub fn new(audit: &Audit) -> Self {
        ManagementAccumulator::empty(audit.items.len())
    }

    /// Adds one manager's answers.
    pub(crate) fn add(&mut self, r: &Respondent) {
        self.add_answers(r);
    }
}

/// The 95% interval of `item`'s gap 1, mean(M) - mean(E): Welch's interval, managers and
/// customers being independent samples, with E over the respondents gap 1 takes it from
/// (docs/formulas.md#gap-1-interval); `None` with fewer than two answers on either side.
pub fn gap1_ci95(
    customers: &CustomerAccumulator,
    management: &ManagementAccumulator,
    item: usize,
) -> Option<[f64; 2]> {
    let expected = &customers.items.get(item)?.expected;
    welch_ci95(management.items.get(item)?, expected).map(|(lo, hi)| [lo, hi])
}

/// Reads the management survey; its chunks are [`ManagementChunk`]s.
impl SurveySums for ManagementAccumulator {
    type Chunk = ManagementChunk;

    fn add(&mut self, r: &Respondent) {
        ManagementAccumulator::add(self, r);
    }

    fn chunk(&self) -> ManagementChunk {
        ManagementAccumulator::empty(self.items.len())
    }

    fn merge_chunk(&mut self, chunk: ManagementChunk) {
        self.respondents += chunk.respondents;
        for (a, b) in self.items.iter_mut().zip(&chunk.items) {
            a.merge_whole(b);
        }
    }
}

impl ChunkSums for ManagementChunk {
    fn add(&mut self, r: &WholeRespondent) {
        self.add_answers(r);
    }
}
