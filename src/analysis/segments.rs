//! Segments (`--by site|region|<column>`): the customer gaps per segment, and a ranking.
//!
//! One [`CustomerAccumulator`] per segment value with only the sums a segment's table
//! shows (`Extent::Segment`: no alpha, no zone of tolerance), a few kB each, so memory
//! grows with the number of segments, never with rows; the whole audit is summed beside
//! them, in file order, exactly as without segments.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use super::customers::{CustomerAccumulator, CustomerChunk, Extent};
use super::gaps::{self, Gaps, ServqualScore};
use super::stats::Summed;
use crate::definition::{Audit, SurveySource};
use crate::sources::survey::{ChunkSums, Respondent, SurveySums, WholeRespondent};

/// The column of `source` that `--by by` names: `site` and `region` follow the
/// audit's column mapping, anything else is a column name of the file.
pub(crate) fn segment_column(source: &SurveySource, by: &str) -> String {
    match by {
        "site" => source.site_column.clone(),
        "region" => source.region_column.clone(),
        other => other.to_string(),
    }
}

/// One [`CustomerAccumulator`] per segment value, summed as `N` (`i64` in a chunk's sums,
/// [`SegmentChunk`]), in order of first appearance. Only the order of rows within a
/// segment matters, so each segment is summed as the whole audit is.
#[derive(Debug, Clone)]
pub(crate) struct SegmentSums<N: Summed = f64> {
    /// A new segment's sums.
    empty: CustomerAccumulator<N>,
    /// Position of each segment value in `segments`. foldhash: looked up for every row,
    /// and (as for the visits' names) SipHash's guard against crafted keys is not needed.
    index: HashMap<String, usize, foldhash::fast::RandomState>,
    segments: Vec<(String, CustomerAccumulator<N>)>,
}

/// The segments' sums of one chunk of a survey file.
pub(crate) type SegmentChunk = SegmentSums<i64>;

impl<N: Summed> SegmentSums<N> {
    /// No segments yet; a new one starts from `empty`.
    fn new(empty: CustomerAccumulator<N>) -> Self {
        SegmentSums {
            empty,
            index: HashMap::default(),
            segments: Vec::new(),
        }
    }

    /// The sums of segment `name` (new ones empty).
    #[inline]
    fn segment(&mut self, name: &str) -> &mut CustomerAccumulator<N> {
        let k = match self.index.get(name) {
            Some(&k) => k,
            None => {
                let k = self.segments.len();
                self.segments.push((name.to_string(), self.empty.clone()));
                self.index.insert(name.to_string(), k);
                k
            }
        };
        &mut self.segments[k].1
    }
}

/// Running sums per segment value, and of all respondents together.
#[derive(Debug, Clone)]
pub struct SegmentAccumulators {
    /// What the segments are (`site`, `region` or a column name).
    pub by: String,
    /// Every respondent, in file order: the whole audit's sums.
    total: CustomerAccumulator,
    sums: SegmentSums,
}

/// The sums of one chunk: the whole audit's and the segments'.
pub(crate) type SegmentsChunk = (CustomerChunk, SegmentChunk);

impl SegmentAccumulators {
    /// No segments yet.
    pub fn new(audit: &Audit, by: &str) -> Self {
        SegmentAccumulators {
            by: by.to_string(),
            total: CustomerAccumulator::new(audit),
            sums: SegmentSums::new(CustomerAccumulator::with_extent(audit, Extent::Segment)),
        }
    }

    /// Adds a respondent to the whole audit and to the segment of its `extra` value.
    pub(crate) fn add(&mut self, r: &Respondent) {
        self.total.add(r);
        self.sums.segment(r.extra).add(r);
    }

    /// Each segment's value and sums, in byte order of the value.
    pub fn segments(&self) -> Vec<(&str, &CustomerAccumulator)> {
        let mut segments: Vec<_> = self
            .sums
            .segments
            .iter()
            .map(|(name, acc)| (name.as_str(), acc))
            .collect();
        segments.sort_unstable_by(|a, b| a.0.cmp(b.0));
        segments
    }

    /// All respondents together, summed in file order as without segments.
    pub fn total(&self) -> CustomerAccumulator {
        self.total.clone()
    }

    /// Each segment's value and sums, in byte order of the value, consumed.
    fn into_segments(self) -> Vec<(String, CustomerAccumulator)> {
        let mut segments = self.sums.segments;
        segments.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        segments
    }
}

/// Chunked reading: the whole audit's and each segment's sums are built as
/// [`CustomerAccumulator`]'s are.
impl SurveySums for SegmentAccumulators {
    type Chunk = SegmentsChunk;

    fn add(&mut self, r: &Respondent) {
        SegmentAccumulators::add(self, r);
    }

    fn chunk(&self) -> SegmentsChunk {
        (
            self.total.chunk(),
            SegmentSums::new(self.sums.empty.chunk()),
        )
    }

    fn merge_chunk(&mut self, (total, segments): SegmentsChunk) {
        self.total.merge(&total);
        for (name, part) in &segments.segments {
            self.sums.segment(name).merge(part);
        }
    }
}

impl ChunkSums for SegmentsChunk {
    fn add(&mut self, r: &WholeRespondent) {
        self.0.add_answers(r);
        self.1.segment(r.extra).add_answers(r);
    }
}

/// One row (dimension or item) of a segment's gap table: small, as there is one per item
/// and segment (the id is shared by every segment's row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentRow {
    /// Dimension or item id.
    #[serde(serialize_with = "shared_id")]
    pub id: Arc<str>,
    /// Respondents measured.
    pub n: u64,
    /// mean(E).
    pub expected: Option<f64>,
    /// mean(P).
    pub perceived: Option<f64>,
    /// The gaps measurable from the customer survey alone (gap 5; S-based gaps need
    /// management and shopper data, which are not segmented).
    pub gaps: SegmentGaps,
    /// Sample sd of the gap scores.
    pub sd: Option<f64>,
    /// 95% interval of the customer gap.
    pub ci95: Option<[f64; 2]>,
}

/// An id shared between rows, written as the string it is.
fn shared_id<S: serde::Serializer>(id: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(id)
}

/// A segment row's gaps: gap 5 alone, written as the five gaps with 1 to 4 `null`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SegmentGaps {
    /// Gap 5, customer gap: P - E.
    pub customer: Option<f64>,
}

impl SegmentGaps {
    /// The five gaps, 1 to 4 not measured.
    pub fn all(&self) -> Gaps {
        Gaps {
            customer: self.customer,
            ..Gaps::default()
        }
    }
}

impl Serialize for SegmentGaps {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.all().serialize(s)
    }
}

/// One segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// The segment value (e.g. the site name; empty when the cell was empty).
    pub name: String,
    /// Respondents in the segment.
    pub respondents: u64,
    /// Whether the segment has enough respondents to be ranked.
    pub ranked: bool,
    /// Rank by unweighted SERVQUAL score, 1 = best; `null` when not ranked.
    pub rank: Option<u32>,
    /// SERVQUAL scores of the segment.
    pub servqual: ServqualScore,
    /// SERVPERF scores of a perception-only segment (docs/formulas.md#servperf), else `None`.
    pub servperf: Option<ServqualScore>,
    /// Dimension gaps.
    pub dimensions: Vec<SegmentRow>,
    /// Item gaps.
    pub items: Vec<SegmentRow>,
}

/// The segment analysis of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segments {
    /// What the segments are.
    pub by: String,
    /// Segments with fewer respondents are shown but not ranked.
    pub min_n: u32,
    /// Segments in order of their value.
    pub segments: Vec<Segment>,
}

/// Analyses every segment and ranks those with at least `min_segment_n` respondents;
/// each segment's sums are dropped once analysed.
pub(crate) fn analyse(audit: &Audit, acc: SegmentAccumulators) -> Segments {
    let min_n = audit.thresholds.min_segment_n;
    let by = acc.by.clone();
    let ids = |ids: Vec<&String>| -> Vec<Arc<str>> {
        ids.into_iter().map(|id| Arc::from(id.as_str())).collect()
    };
    let dimension_ids = ids(audit.dimensions.iter().map(|d| &d.id).collect());
    let item_ids = ids(audit.items.iter().map(|i| &i.id).collect());
    let shared = |ids: &[Arc<str>], k: usize, id: String| {
        ids.get(k).cloned().unwrap_or_else(|| Arc::from(id))
    };
    let mut segments: Vec<Segment> = acc
        .into_segments()
        .into_iter()
        .map(|(name, customers)| {
            let gaps::Analysis {
                items,
                dimensions,
                servqual,
                servperf,
                ..
            } = gaps::analyse_survey(audit, Some(&customers), None, None);
            let score = ranking_score(&servqual, servperf.as_ref());
            // Rows of their own size: collected in place, they would keep the larger
            // allocation of the results they come from, for every segment.
            let mut dimension_rows = Vec::with_capacity(dimensions.len());
            dimension_rows.extend(dimensions.into_iter().enumerate().map(|(k, d)| SegmentRow {
                id: shared(&dimension_ids, k, d.id),
                n: d.n,
                expected: d.expected,
                perceived: d.perceived,
                gaps: SegmentGaps {
                    customer: d.gaps.customer,
                },
                sd: d.sd,
                ci95: d.ci95,
            }));
            let mut item_rows = Vec::with_capacity(items.len());
            item_rows.extend(items.into_iter().enumerate().map(|(k, i)| SegmentRow {
                id: shared(&item_ids, k, i.id),
                n: i.n,
                expected: i.expected,
                perceived: i.perceived,
                gaps: SegmentGaps {
                    customer: i.gaps.customer,
                },
                sd: i.sd,
                ci95: i.ci95,
            }));
            Segment {
                name,
                respondents: customers.respondents,
                ranked: customers.respondents >= u64::from(min_n) && score.is_some(),
                rank: None,
                servqual,
                servperf,
                dimensions: dimension_rows,
                items: item_rows,
            }
        })
        .collect();
    // Best (least negative) unweighted score first; ties keep the order of the names.
    let mut order: Vec<usize> = (0..segments.len())
        .filter(|&i| segments[i].ranked)
        .collect();
    order.sort_by(|&a, &b| {
        let score = |i: usize| {
            let s = &segments[i];
            ranking_score(&s.servqual, s.servperf.as_ref()).unwrap_or(f64::NEG_INFINITY)
        };
        score(b).total_cmp(&score(a))
    });
    for (rank, i) in order.into_iter().enumerate() {
        segments[i].rank = Some(rank as u32 + 1);
    }
    Segments {
        by,
        min_n,
        segments,
    }
}

/// What a segment is ranked by: its unweighted SERVQUAL score, or its unweighted
/// SERVPERF score in a perception-only audit (higher is better for both).
fn ranking_score(servqual: &ServqualScore, servperf: Option<&ServqualScore>) -> Option<f64> {
    servperf.map_or(servqual.unweighted, |s| s.unweighted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit(min_n: u32) -> Audit {
        let yaml = format!(
            "audit: {{id: a, title: A, period: {{start: 2026-01-01, end: 2026-01-31}}}}\n\
scale: {{min: 1, max: 7}}\n\
dimensions: [{{id: d, label: {{en: D}}}}]\n\
items: [{{id: X, dimension: d, text: {{en: x}}}}]\n\
sources: {{customers: {{file: c.csv}}}}\nthresholds: {{min_segment_n: {min_n}}}\n"
        );
        match crate::definition::load_str(std::path::Path::new("a.yaml"), &yaml) {
            Ok(a) => a,
            Err(p) => panic!("{p}"),
        }
    }

    fn add(acc: &mut SegmentAccumulators, site: &str, e: f64, p: f64) {
        let (ev, pv) = ([Some(e)], [Some(p)]);
        acc.add(&Respondent {
            expected: Some(&ev),
            perceived: Some(&pv),
            adequate: None,
            desired: None,
            management: None,
            importance: None,
            extra: site,
            period: None,
        });
    }

    #[test]
    fn segments_are_analysed_ranked_and_merged() {
        let a = audit(2);
        let mut acc = SegmentAccumulators::new(&a, "site");
        // North: gaps -1, -3 -> mean -2. South: gaps 0, -1 -> mean -0.5. West: one row, gap 1.
        add(&mut acc, "North", 6.0, 5.0);
        add(&mut acc, "North", 7.0, 4.0);
        add(&mut acc, "South", 5.0, 5.0);
        add(&mut acc, "South", 6.0, 5.0);
        add(&mut acc, "West", 4.0, 5.0);
        // A segment keeps only what its table shows: no zone of tolerance, no alpha items.
        let (_, north) = acc.segments()[0];
        assert!(north.zone.is_empty() && north.dimensions[0].alpha.k() == 0);
        assert_eq!(acc.total().zone.len(), 1);
        let total = acc.total();
        let s = analyse(&a, acc);
        let got: Vec<(&str, u64, Option<f64>, Option<u32>)> = s
            .segments
            .iter()
            .map(|g| {
                (
                    g.name.as_str(),
                    g.respondents,
                    g.dimensions[0].gaps.customer,
                    g.rank,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("North", 2, Some(-2.0), Some(2)),
                ("South", 2, Some(-0.5), Some(1)),
                // Below min_n 2: shown, not ranked, although its gap is the best.
                ("West", 1, Some(1.0), None),
            ]
        );
        // Total: gaps -1, -3, 0, -1, 1 -> mean -4/5 = -0.8 over 5 respondents.
        assert_eq!(total.respondents, 5);
        assert_eq!(total.items[0].gap.mean(), Some(-0.8));
    }
}
