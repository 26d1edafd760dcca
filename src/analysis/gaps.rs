//! The five gaps and the customer-gap statistics, per item and per dimension.
//!
//! Inputs are the accumulated sums; the output structs are what every report format
//! shows (and, serialised, the `items` and `dimensions` of the JSON report).

use serde::Serialize;

use super::customers::{gap1_ci95, CustomerAccumulator, ManagementAccumulator};
use super::stats::{around_mean_half_width, mean_of, mean_test, Moments};
use crate::definition::{Audit, Weights};

/// The five gaps of one item or dimension; `None` where not measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Gaps {
    /// Gap 1, knowledge: M - E.
    #[serde(rename = "1")]
    pub knowledge: Option<f64>,
    /// Gap 2, standards: S - M.
    #[serde(rename = "2")]
    pub standards: Option<f64>,
    /// Gap 3, delivery: D - S.
    #[serde(rename = "3")]
    pub delivery: Option<f64>,
    /// Gap 4, communication: D - C.
    #[serde(rename = "4")]
    pub communication: Option<f64>,
    /// Gap 5, customer gap: P - E.
    #[serde(rename = "5")]
    pub customer: Option<f64>,
}

impl Gaps {
    /// Gap `n` (1..=5).
    pub fn get(&self, n: u8) -> Option<f64> {
        match n {
            1 => self.knowledge,
            2 => self.standards,
            3 => self.delivery,
            4 => self.communication,
            5 => self.customer,
            _ => None,
        }
    }

    /// Computes the gaps from the levels that were measured.
    pub fn from_levels(levels: &Levels) -> Gaps {
        let diff = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
        Gaps {
            knowledge: diff(levels.management, levels.expected),
            standards: diff(levels.standard, levels.management),
            delivery: diff(levels.shopper, levels.standard),
            communication: diff(levels.shopper, levels.promise),
            customer: levels.gap5,
        }
    }
}

/// 95% intervals of the five gaps (JSON `gaps_ci95`, keys "1".."5"): `null` where a
/// gap is not measured or its data give no interval. Gaps 3 and 4 take the interval of
/// D from the visits (S and C are fixed); gap 5 is the customer gap's; gap 1 is Welch's
/// interval of M against E, gap 2 the managers' interval of M turned round (S fixed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct GapIntervals {
    /// Gap 1, M - E.
    #[serde(rename = "1")]
    pub knowledge: Option<[f64; 2]>,
    /// Gap 2, S - M.
    #[serde(rename = "2")]
    pub standards: Option<[f64; 2]>,
    /// Gap 3, D - S.
    #[serde(rename = "3")]
    pub delivery: Option<[f64; 2]>,
    /// Gap 4, D - C.
    #[serde(rename = "4")]
    pub communication: Option<[f64; 2]>,
    /// Gap 5, P - E.
    #[serde(rename = "5")]
    pub customer: Option<[f64; 2]>,
}

impl GapIntervals {
    /// The interval of gap `n` (1..5).
    pub fn get(&self, n: u8) -> Option<[f64; 2]> {
        match n {
            1 => self.knowledge,
            2 => self.standards,
            3 => self.delivery,
            4 => self.communication,
            5 => self.customer,
            _ => None,
        }
    }
}

/// Adds the intervals of gaps 3 and 4 from the precision of D in the visits: an item's
/// D interval minus its S (gap 3) or C (gap 4); a dimension's gap ± the half-width of
/// its pooled D interval.
pub fn attach_delivery_intervals(
    items: &mut [ItemResult],
    dimensions: &mut [DimensionResult],
    intervals: &crate::analysis::shoppers::LevelIntervals,
) {
    let shift = |d: Option<[f64; 2]>, level: Option<f64>, gap: Option<f64>| {
        gap?;
        let [lo, hi] = d?;
        let level = level?;
        Some([lo - level, hi - level])
    };
    for (it, d) in items.iter_mut().zip(&intervals.items) {
        it.gaps_ci95.delivery = shift(*d, it.standard, it.gaps.delivery);
        it.gaps_ci95.communication = shift(*d, it.promise, it.gaps.communication);
    }
    let around = |gap: Option<f64>, half: Option<f64>| Some([gap? - half?, gap? + half?]);
    for (dim, half) in dimensions.iter_mut().zip(&intervals.dimensions) {
        dim.gaps_ci95.delivery = around(dim.gaps.delivery, *half);
        dim.gaps_ci95.communication = around(dim.gaps.communication, *half);
    }
}

/// The levels on the scale that the gaps compare.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Levels {
    /// mean(E).
    pub expected: Option<f64>,
    /// mean(P).
    pub perceived: Option<f64>,
    /// mean(M).
    pub management: Option<f64>,
    /// S.
    pub standard: Option<f64>,
    /// C.
    pub promise: Option<f64>,
    /// D.
    pub shopper: Option<f64>,
    /// mean(P - E) over pairwise-complete respondents.
    pub gap5: Option<f64>,
}

/// Everything measured about one item.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ItemResult {
    /// Item id.
    pub id: String,
    /// Dimension id.
    pub dimension: String,
    /// Respondents who answered both E and P.
    pub n: u64,
    /// mean(E) over those respondents.
    pub expected: Option<f64>,
    /// mean(P) over those respondents.
    pub perceived: Option<f64>,
    /// mean(M).
    pub management: Option<f64>,
    /// Managers who answered.
    pub management_n: u64,
    /// Service standard S.
    pub standard: Option<f64>,
    /// Promised level C.
    pub promise: Option<f64>,
    /// Delivered level D from mystery shoppers.
    pub shopper: Option<f64>,
    /// Merged perception w_c·P + w_s·D.
    pub merged: Option<f64>,
    /// |P - D| exceeds the divergence threshold.
    pub divergent: bool,
    /// The five gaps.
    pub gaps: Gaps,
    /// 95% intervals of the gaps, where their data are samples.
    pub gaps_ci95: GapIntervals,
    /// Sample sd of d = P - E.
    pub sd: Option<f64>,
    /// 95% confidence interval of the customer gap.
    pub ci95: Option<[f64; 2]>,
    /// Paired t statistic.
    pub t: Option<f64>,
    /// Two-sided p-value of the paired t.
    pub p: Option<f64>,
    /// Correlation of the item's gap scores with the sum of the other items' of its
    /// dimension (respondents complete on the dimension).
    pub item_total_r: Option<f64>,
    /// Cronbach's alpha of its dimension without the item.
    pub alpha_if_deleted: Option<f64>,
    /// mean(A), adequate service level.
    pub adequate: Option<f64>,
    /// mean(D), desired service level (zone of tolerance).
    pub desired: Option<f64>,
    /// Measure of service adequacy, mean(P) - mean(A).
    pub msa: Option<f64>,
    /// Measure of service superiority, mean(P) - mean(D).
    pub mss: Option<f64>,
    /// Negatively worded item (answers were reverse-scored).
    pub reverse: bool,
    /// P - S, the perception against the standard, in a SERVPERF audit (else `None`).
    pub perceived_vs_standard: Option<f64>,
}

/// Everything measured about one dimension.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DimensionResult {
    /// Dimension id.
    pub id: String,
    /// Weight in the weighted SERVQUAL score (0..1), if any.
    pub weight: Option<f64>,
    /// Respondents with at least one E/P pair in the dimension.
    pub n: u64,
    /// Mean of the item means of E.
    pub expected: Option<f64>,
    /// Mean of the item means of P.
    pub perceived: Option<f64>,
    /// Mean of the item means of M.
    pub management: Option<f64>,
    /// Mean of the item standards.
    pub standard: Option<f64>,
    /// Mean of the item promises.
    pub promise: Option<f64>,
    /// Mean of the item D.
    pub shopper: Option<f64>,
    /// Merged perception.
    pub merged: Option<f64>,
    /// |P - D| exceeds the divergence threshold.
    pub divergent: bool,
    /// Mean of the item gaps, per gap.
    pub gaps: Gaps,
    /// 95% intervals of the gaps, where their data are samples.
    pub gaps_ci95: GapIntervals,
    /// Sample sd of the respondents' dimension gap scores.
    pub sd: Option<f64>,
    /// 95% interval around the dimension's customer gap.
    pub ci95: Option<[f64; 2]>,
    /// Cronbach's alpha of the item gap scores.
    pub alpha: Option<f64>,
    /// Feldt's 95% interval of alpha.
    pub alpha_ci95: Option<[f64; 2]>,
    /// Respondents complete on every item of the dimension (alpha's n).
    pub alpha_n: u64,
    /// Mean of the item MSA.
    pub msa: Option<f64>,
    /// Mean of the item MSS.
    pub mss: Option<f64>,
    /// P - S of the dimension (its mean P against its mean S) in a SERVPERF audit.
    pub perceived_vs_standard: Option<f64>,
}

/// The overall SERVQUAL scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServqualScore {
    /// Mean of the dimension customer gaps.
    pub unweighted: Option<f64>,
    /// Σ w_d · gap_d.
    pub weighted: Option<f64>,
    /// Mean over respondents of Σ_d G_rd · w_rd / 100 (survey weights only).
    pub weighted_per_respondent: Option<f64>,
    /// Where the weights came from: `yaml`, `survey` or `null`.
    pub weights_source: Option<&'static str>,
}

/// Per-item shopper evidence the gap table needs (D on the scale).
pub type ShopperLevels = Vec<Option<f64>>;

/// How the customer survey measures service quality (JSON `method`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Expectations and perceptions: the customer gap P - E.
    #[default]
    Servqual,
    /// Perceptions only (SERVPERF, Cronin & Taylor 1992): P is the measure, gap 5 is
    /// not measured (docs/formulas.md#servperf).
    Servperf,
}

impl Method {
    /// The method of a customer survey's sums: SERVPERF when no respondent answered an
    /// E and P pair but the survey has perceptions alone (or no E columns).
    pub fn of(customers: Option<&CustomerAccumulator>) -> Method {
        match customers.is_some_and(CustomerAccumulator::is_perception_only) {
            true => Method::Servperf,
            false => Method::Servqual,
        }
    }
}

/// Everything the gap analysis of one survey (or segment) gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Per item, in the audit's order.
    pub items: Vec<ItemResult>,
    /// Per dimension, in the audit's order.
    pub dimensions: Vec<DimensionResult>,
    /// The SERVQUAL scores (all `None` in a SERVPERF audit).
    pub servqual: ServqualScore,
    /// SERVQUAL or SERVPERF.
    pub method: Method,
    /// The SERVPERF scores: the same forms over the dimensions' mean P; `None` in a
    /// SERVQUAL audit.
    pub servperf: Option<ServqualScore>,
}

/// Computes items, dimensions and SERVQUAL scores from the accumulated sources.
pub fn analyse(
    audit: &Audit,
    customers: Option<&CustomerAccumulator>,
    management: Option<&ManagementAccumulator>,
    shopper_items: Option<&ShopperLevels>,
) -> (Vec<ItemResult>, Vec<DimensionResult>, ServqualScore) {
    let a = analyse_survey(audit, customers, management, shopper_items);
    (a.items, a.dimensions, a.servqual)
}

/// Computes items, dimensions, the method and its scores from the accumulated sources.
/// In a SERVPERF audit the customer statistics (`n`, `perceived`, `sd`, `ci95`, alpha
/// and the item diagnostics) are those of P, and gap 5, `t` and `p` are not measured.
pub fn analyse_survey(
    audit: &Audit,
    customers: Option<&CustomerAccumulator>,
    management: Option<&ManagementAccumulator>,
    shopper_items: Option<&ShopperLevels>,
) -> Analysis {
    let method = Method::of(customers);
    let servperf = method == Method::Servperf;
    // Importance points (survey weights) come from every respondent.
    let weighing = customers;
    let customers = match servperf {
        true => customers.and_then(|c| c.perception_only.as_deref()),
        false => customers,
    };
    let (w_customers, w_shoppers) = audit.merge;
    let reliability = customers.map_or_else(Vec::new, |c| c.item_reliability());
    let mut items: Vec<ItemResult> = audit
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let sums = customers.map(|c| &c.items[i]);
            let zone = customers.and_then(|c| c.zone.get(i));
            let zone_mean =
                |f: fn(&super::customers::ZoneSums) -> &Moments| zone.and_then(|s| f(s).mean());
            let gap = sums.map(|s| mean_test(&s.gap));
            let mean =
                |f: fn(&super::customers::ItemSums) -> &Moments| sums.and_then(|s| f(s).mean());
            let levels = Levels {
                expected: mean(|s| &s.expected).filter(|_| !servperf),
                perceived: mean(|s| &s.perceived),
                management: management.and_then(|m| m.items[i].mean()),
                standard: audit.standards.for_item(audit, i),
                promise: audit.promises.for_item(audit, i),
                shopper: shopper_items.and_then(|s| s[i]),
                gap5: gap.and_then(|g| g.mean).filter(|_| !servperf),
            };
            let (merged, divergent) = merge(
                levels.perceived,
                levels.shopper,
                w_customers,
                w_shoppers,
                audit.thresholds.divergence,
            );
            ItemResult {
                id: item.id.clone(),
                dimension: audit.dimensions[item.dimension].id.clone(),
                n: gap.map_or(0, |g| g.n),
                expected: levels.expected,
                perceived: levels.perceived,
                management: levels.management,
                management_n: management.map_or(0, |m| m.items[i].n),
                standard: levels.standard,
                promise: levels.promise,
                shopper: levels.shopper,
                merged,
                divergent,
                gaps: Gaps::from_levels(&levels),
                gaps_ci95: GapIntervals {
                    customer: gap
                        .and_then(|g| g.ci95)
                        .map(|(lo, hi)| [lo, hi])
                        .filter(|_| !servperf),
                    ..GapIntervals::default()
                },
                sd: gap.and_then(|g| g.sd),
                ci95: gap.and_then(|g| g.ci95).map(|(lo, hi)| [lo, hi]),
                // A t test of mean P = 0 says nothing: no t or p for perceptions.
                t: gap.and_then(|g| g.t).filter(|_| !servperf),
                p: gap.and_then(|g| g.p).filter(|_| !servperf),
                item_total_r: reliability.get(i).and_then(|r| r.item_total_r),
                alpha_if_deleted: reliability.get(i).and_then(|r| r.alpha_if_deleted),
                adequate: zone_mean(|s| &s.adequate),
                desired: zone_mean(|s| &s.desired),
                msa: zone_mean(|s| &s.msa),
                mss: zone_mean(|s| &s.mss),
                reverse: item.reverse,
                perceived_vs_standard: difference(levels.perceived, levels.standard)
                    .filter(|_| servperf),
            }
        })
        .collect();

    let fixed_weight = |d: usize| match &audit.weights {
        Weights::Fixed(w) => w.get(d).copied(),
        Weights::Survey => weighing
            .and_then(|c| c.dimensions[d].importance.mean())
            .map(|w| w / 100.0),
        Weights::None => None,
    };
    let mut dimensions: Vec<DimensionResult> = audit
        .dimensions
        .iter()
        .enumerate()
        .map(|(d, dim)| {
            let members: Vec<&ItemResult> = audit.items_of(d).map(|i| &items[i]).collect();
            let avg = |f: fn(&ItemResult) -> Option<f64>| mean_of(members.iter().map(|it| f(it)));
            let gap_avg = |n: u8| mean_of(members.iter().map(|it| it.gaps.get(n)));
            let gaps = Gaps {
                knowledge: gap_avg(1),
                standards: gap_avg(2),
                delivery: gap_avg(3),
                communication: gap_avg(4),
                customer: gap_avg(5),
            };
            let sums = customers.map(|c| &c.dimensions[d]);
            let score = sums.map(|s| mean_test(&s.score));
            let perceived = avg(|it| it.perceived);
            // The interval is centred on the reported gap (mean of item gaps), or in a
            // SERVPERF audit the reported P; its width comes from the spread of
            // respondents' dimension scores.
            let centre = if servperf { perceived } else { gaps.customer };
            let ci95 = match (
                centre,
                score.and_then(|s| s.ci95),
                score.and_then(|s| s.mean),
            ) {
                (Some(g), Some((lo, _)), Some(m)) => Some([g - (m - lo), g + (m - lo)]),
                _ => None,
            };
            let shopper = avg(|it| it.shopper);
            let (merged, divergent) = merge(
                perceived,
                shopper,
                w_customers,
                w_shoppers,
                audit.thresholds.divergence,
            );
            DimensionResult {
                id: dim.id.clone(),
                weight: fixed_weight(d),
                n: score.map_or(0, |s| s.n),
                expected: avg(|it| it.expected),
                perceived,
                management: avg(|it| it.management),
                standard: avg(|it| it.standard),
                promise: avg(|it| it.promise),
                shopper,
                merged,
                divergent,
                gaps,
                gaps_ci95: GapIntervals {
                    customer: ci95.filter(|_| !servperf),
                    ..GapIntervals::default()
                },
                sd: score.and_then(|s| s.sd),
                ci95,
                alpha: sums.and_then(|s| s.alpha.alpha()),
                alpha_ci95: sums
                    .and_then(|s| s.alpha.feldt_ci95())
                    .map(|(lo, hi)| [lo, hi]),
                alpha_n: sums.map_or(0, |s| s.alpha.n()),
                msa: avg(|it| it.msa),
                mss: avg(|it| it.mss),
                perceived_vs_standard: difference(perceived, avg(|it| it.standard))
                    .filter(|_| servperf),
            }
        })
        .collect();

    if let (Some(customers), Some(management)) = (customers, management) {
        attach_knowledge_intervals(audit, customers, management, &mut items, &mut dimensions);
    }
    let per_respondent = customers.and_then(|c| c.weighted_per_respondent.mean());
    let gaps5 = dimensions.iter().map(|d| d.gaps.customer);
    let servqual_per_respondent = per_respondent.filter(|_| !servperf);
    let servqual = overall_scores(audit, &dimensions, gaps5, servqual_per_respondent);
    let perceived = dimensions.iter().map(|d| d.perceived);
    let servperf = servperf.then(|| overall_scores(audit, &dimensions, perceived, per_respondent));
    Analysis {
        items,
        dimensions,
        servqual,
        method,
        servperf,
    }
}

/// a - b where both are measured.
fn difference(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? - b?)
}

/// The overall scores of one value per dimension (gap 5, or P in a SERVPERF audit):
/// their mean, Σ w_d · value_d with the dimensions' weights, and the per-respondent
/// form with survey weights; each `None` unless every dimension has the value (and a
/// weight) (docs/formulas.md#servqual-scores).
fn overall_scores(
    audit: &Audit,
    dimensions: &[DimensionResult],
    values: impl Iterator<Item = Option<f64>>,
    per_respondent: Option<f64>,
) -> ServqualScore {
    let values: Option<Vec<f64>> = values.collect();
    let unweighted = values
        .as_ref()
        .filter(|g| !g.is_empty())
        .map(|g| g.iter().sum::<f64>() / g.len() as f64);
    let weights: Option<Vec<f64>> = dimensions.iter().map(|d| d.weight).collect();
    let weighted = values
        .zip(weights)
        .map(|(g, w)| g.iter().zip(&w).map(|(g, w)| g * w).sum());
    ServqualScore {
        unweighted,
        weighted,
        weighted_per_respondent: match audit.weights {
            Weights::Survey => per_respondent,
            _ => None,
        },
        weights_source: match audit.weights {
            Weights::Fixed(_) => Some("yaml"),
            Weights::Survey => Some("survey"),
            Weights::None => None,
        },
    }
}

/// Adds the intervals of gap 1 (docs/formulas.md#gap-1-interval): an item's is Welch's
/// interval of mean(M) - mean(E); a dimension's is its gap ± the mean half-width of its
/// measured items' intervals (`null` if one of them has none).
fn attach_knowledge_intervals(
    audit: &Audit,
    customers: &CustomerAccumulator,
    management: &ManagementAccumulator,
    items: &mut [ItemResult],
    dimensions: &mut [DimensionResult],
) {
    for (i, item) in items.iter_mut().enumerate() {
        item.gaps_ci95.knowledge = item.gaps.knowledge.and(gap1_ci95(customers, management, i));
        // Gap 2 is S - mean(M), S fixed: M's one-sample interval, turned round.
        item.gaps_ci95.standards = item.gaps.standards.and_then(|_| {
            let standard = item.standard?;
            let (lo, hi) = crate::analysis::stats::mean_test(management.items.get(i)?).ci95?;
            Some([standard - hi, standard - lo])
        });
    }
    for (d, dim) in dimensions.iter_mut().enumerate() {
        let measured = audit.items_of(d).map(|i| &items[i]);
        let measured = measured.filter(|it| it.gaps.knowledge.is_some());
        let intervals = measured.map(|it| it.gaps_ci95.knowledge);
        dim.gaps_ci95.knowledge = around_mean_half_width(dim.gaps.knowledge, intervals);
        let measured = audit.items_of(d).map(|i| &items[i]);
        let measured = measured.filter(|it| it.gaps.standards.is_some());
        let intervals = measured.map(|it| it.gaps_ci95.standards);
        dim.gaps_ci95.standards = around_mean_half_width(dim.gaps.standards, intervals);
    }
}

/// The merged perception and whether customers and shoppers diverge (docs/formulas.md#merged-perception).
///
/// Weights are renormalised when one side is missing, so the merged value is then
/// simply the side that was measured.
pub fn merge(
    perceived: Option<f64>,
    shopper: Option<f64>,
    w_customers: f64,
    w_shoppers: f64,
    threshold: f64,
) -> (Option<f64>, bool) {
    match (perceived, shopper) {
        (Some(p), Some(d)) => {
            let total = w_customers + w_shoppers;
            let merged = if total > 0.0 {
                (w_customers * p + w_shoppers * d) / total
            } else {
                (p + d) / 2.0
            };
            (Some(merged), (p - d).abs() > threshold)
        }
        (Some(p), None) => (Some(p), false),
        (None, Some(d)) => (Some(d), false),
        (None, None) => (None, false),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn delivery_intervals_move_with_the_standard_and_the_promise() {
        use crate::analysis::shoppers::LevelIntervals;
        // D = 5.0 with interval 4.4..5.6; S = 6.0, C = 5.5: gap 3 -1.0 in -1.6..-0.4,
        // gap 4 -0.5 in -1.1..0.1. The dimension: its gaps ± the half-width 0.3.
        let mut item = ItemResult {
            standard: Some(6.0),
            promise: Some(5.5),
            shopper: Some(5.0),
            gaps: Gaps {
                delivery: Some(-1.0),
                communication: Some(-0.5),
                ..Gaps::default()
            },
            ..ItemResult::default()
        };
        item.id = "R1".into();
        let mut dim = DimensionResult {
            gaps: Gaps {
                delivery: Some(-1.0),
                communication: None,
                ..Gaps::default()
            },
            ..DimensionResult::default()
        };
        let intervals = LevelIntervals {
            items: vec![Some([4.4, 5.6])],
            dimensions: vec![Some(0.3)],
        };
        let mut items = vec![item];
        attach_delivery_intervals(&mut items, std::slice::from_mut(&mut dim), &intervals);
        let close = |a: Option<[f64; 2]>, b: [f64; 2]| {
            let a = a.expect("an interval");
            assert!(
                (a[0] - b[0]).abs() < 1e-12 && (a[1] - b[1]).abs() < 1e-12,
                "{a:?}"
            );
        };
        close(items[0].gaps_ci95.delivery, [-1.6, -0.4]);
        close(items[0].gaps_ci95.communication, [-1.1, 0.1]);
        close(dim.gaps_ci95.delivery, [-1.3, -0.7]);
        // Not measured, no interval.
        assert_eq!(dim.gaps_ci95.communication, None);
    }

    use super::*;

    #[test]
    fn gaps_have_the_documented_signs() {
        // E 6, P 5, M 5.5, S 6, D 4.5, C 6.5: every gap is a shortfall except gap 2.
        let g = Gaps::from_levels(&Levels {
            expected: Some(6.0),
            perceived: Some(5.0),
            management: Some(5.5),
            standard: Some(6.0),
            promise: Some(6.5),
            shopper: Some(4.5),
            gap5: Some(-1.0),
        });
        assert_eq!(g.knowledge, Some(-0.5));
        assert_eq!(g.standards, Some(0.5));
        assert_eq!(g.delivery, Some(-1.5));
        assert_eq!(g.communication, Some(-2.0));
        assert_eq!(g.customer, Some(-1.0));
    }

    #[test]
    fn missing_data_gives_not_measured_never_zero() {
        let g = Gaps::from_levels(&Levels {
            expected: Some(6.0),
            perceived: Some(5.0),
            gap5: Some(-1.0),
            ..Levels::default()
        });
        assert_eq!(g.knowledge, None);
        assert_eq!(g.standards, None);
        assert_eq!(g.delivery, None);
        assert_eq!(g.communication, None);
    }

    #[test]
    fn merge_weights_and_divergence() {
        // 0.6·5 + 0.4·3 = 4.2; |5 - 3| = 2 > 1.0.
        let (m, div) = merge(Some(5.0), Some(3.0), 0.6, 0.4, 1.0);
        assert!((m.unwrap() - 4.2).abs() < 1e-12);
        assert!(div);
        // One side missing: the other side alone, no divergence.
        assert_eq!(merge(None, Some(3.0), 0.6, 0.4, 1.0), (Some(3.0), false));
        assert_eq!(merge(Some(5.0), None, 0.6, 0.4, 1.0), (Some(5.0), false));
        // |5 - 4.5| = 0.5 is within the threshold.
        assert!(!merge(Some(5.0), Some(4.5), 0.5, 0.5, 1.0).1);
    }

    /// Two dimensions: d1 with X and Y, d2 with Z alone; fixed weights 70 / 30.
    fn servperf_audit() -> Audit {
        let yaml = "audit: {id: a, title: A, period: {start: 2026-01-01, end: 2026-01-31}}\n\
scale: {min: 1, max: 5}\n\
dimensions: [{id: d1, label: {en: D1}}, {id: d2, label: {en: D2}}]\n\
items: [{id: X, dimension: d1, text: {en: x}}, {id: Y, dimension: d1, text: {en: y}, reverse: true},\n\
        {id: Z, dimension: d2, text: {en: z}}]\n\
weights: {d1: 70, d2: 30}\n\
standards: {items: {X: 5}}\n\
sources: {customers: {file: c.csv}}\n";
        match crate::definition::load_str(std::path::Path::new("a.yaml"), yaml) {
            Ok(a) => a,
            Err(p) => panic!("{p}"),
        }
    }

    /// Adds a respondent with perceptions `p` (as the reader hands them: reverse-scored)
    /// and expectations `e` (`None`: the file has no E columns).
    fn add(acc: &mut CustomerAccumulator, e: Option<[Option<f64>; 3]>, p: [Option<f64>; 3]) {
        acc.add(&crate::sources::survey::Respondent {
            expected: e.as_ref().map(|e| e.as_slice()),
            perceived: Some(&p),
            adequate: None,
            desired: None,
            management: None,
            importance: None,
            extra: "",
            period: None,
        });
    }

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("a value");
        assert!((a - b).abs() < 1e-5, "{a} != {b}");
    }

    #[test]
    fn a_perception_only_survey_gives_p_statistics_and_servperf_scores() {
        let audit = servperf_audit();
        let mut acc = CustomerAccumulator::new(&audit);
        // Y is reverse-scored: raw answers 3, 1, 2 arrive as 3, 5, 4. Z is answered
        // once (r3); X and Y by all three.
        add(&mut acc, None, [Some(4.0), Some(3.0), None]);
        add(&mut acc, None, [Some(5.0), Some(5.0), None]);
        add(&mut acc, None, [Some(3.0), Some(4.0), Some(2.0)]);
        let a = analyse_survey(&audit, Some(&acc), None, None);
        assert_eq!(a.method, Method::Servperf);
        let (x, y, z) = (&a.items[0], &a.items[1], &a.items[2]);
        // X: 4, 5, 3: mean 4, sd 1, 4 ± t(0.975, 2) · 1/√3 = 4 ± 4.302653 · 0.577350.
        assert_eq!(x.n, 3);
        close(x.perceived, 4.0);
        close(x.sd, 1.0);
        close(x.ci95.map(|c| c[0]), 1.515862);
        close(x.ci95.map(|c| c[1]), 6.484138);
        // Gap 5 and its tests are not measured, never 0; nor is E.
        assert_eq!(
            (x.gaps.customer, x.t, x.p, x.expected),
            (None, None, None, None)
        );
        assert_eq!(x.gaps_ci95.customer, None);
        // P - S = 4 - 5 for X, which has a standard; Y has none.
        close(x.perceived_vs_standard, -1.0);
        assert_eq!(y.perceived_vs_standard, None);
        // Y: 3, 5, 4, mean 4, sd 1. r(X, Y) = cov 0.5 / (1 · 1).
        close(y.perceived, 4.0);
        close(x.item_total_r, 0.5);
        // Z: one answer: a mean, no sd and no interval.
        assert_eq!((z.n, z.perceived, z.sd, z.ci95), (1, Some(2.0), None, None));
        let (d1, d2) = (&a.dimensions[0], &a.dimensions[1]);
        // d1: P = (4 + 4) / 2; respondent means 3.5, 5, 3.5: sd √0.75, interval
        // 4 ± 4.302653 · 0.866025 / √3 = 4 ± 2.151327.
        assert_eq!(d1.n, 3);
        close(d1.perceived, 4.0);
        close(d1.sd, 0.75f64.sqrt());
        close(d1.ci95.map(|c| c[0]), 1.848673);
        close(d1.ci95.map(|c| c[1]), 6.151327);
        // Alpha on P: var X 1, var Y 1, var(X + Y) = var(7, 10, 7) = 3: 2 · (1 - 2/3).
        close(d1.alpha, 2.0 / 3.0);
        assert_eq!(d1.alpha_n, 3);
        assert_eq!(d1.gaps.customer, None);
        // d2: one item, one answer: no alpha, no sd.
        assert_eq!(
            (d2.n, d2.perceived, d2.sd, d2.alpha),
            (1, Some(2.0), None, None)
        );
        // SERVPERF: (4 + 2) / 2 = 3 unweighted, 0.7 · 4 + 0.3 · 2 = 3.4 weighted.
        let score = a.servperf.expect("SERVPERF scores");
        close(score.unweighted, 3.0);
        close(score.weighted, 3.4);
        assert_eq!((a.servqual.unweighted, a.servqual.weighted), (None, None));
    }

    #[test]
    fn empty_e_columns_are_perception_only_and_one_e_p_pair_is_servqual() {
        let audit = servperf_audit();
        let none = Some([None, None, None]);
        // E columns that nobody answered: perception-only.
        let mut acc = CustomerAccumulator::new(&audit);
        add(&mut acc, none, [Some(4.0), Some(3.0), None]);
        add(&mut acc, none, [Some(5.0), Some(5.0), Some(2.0)]);
        let a = analyse_survey(&audit, Some(&acc), None, None);
        assert_eq!(a.method, Method::Servperf);
        close(a.items[0].perceived, 4.5);
        // One respondent with an E and P pair: SERVQUAL on the pairs, as before.
        add(
            &mut acc,
            Some([Some(5.0), None, None]),
            [Some(3.0), Some(4.0), None],
        );
        let a = analyse_survey(&audit, Some(&acc), None, None);
        assert_eq!(a.method, Method::Servqual);
        assert_eq!(a.servperf, None);
        assert_eq!(a.items[0].n, 1);
        close(a.items[0].gaps.customer, -2.0);
        assert_eq!(a.items[0].perceived_vs_standard, None);
        // No rows, and no sign of a perception-only file: SERVQUAL.
        let empty = CustomerAccumulator::new(&audit);
        assert_eq!(Method::of(Some(&empty)), Method::Servqual);
        // A file without E columns is perception-only even with no rows.
        let mut empty = empty;
        empty.expect_perception_only();
        assert_eq!(Method::of(Some(&empty)), Method::Servperf);
    }
}
