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

/// Computes items, dimensions and SERVQUAL scores from the accumulated sources.
pub fn analyse(
    audit: &Audit,
    customers: Option<&CustomerAccumulator>,
    management: Option<&ManagementAccumulator>,
    shopper_items: Option<&ShopperLevels>,
) -> (Vec<ItemResult>, Vec<DimensionResult>, ServqualScore) {
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
                expected: mean(|s| &s.expected),
                perceived: mean(|s| &s.perceived),
                management: management.and_then(|m| m.items[i].mean()),
                standard: audit.standards.for_item(audit, i),
                promise: audit.promises.for_item(audit, i),
                shopper: shopper_items.and_then(|s| s[i]),
                gap5: gap.and_then(|g| g.mean),
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
                    customer: gap.and_then(|g| g.ci95).map(|(lo, hi)| [lo, hi]),
                    ..GapIntervals::default()
                },
                sd: gap.and_then(|g| g.sd),
                ci95: gap.and_then(|g| g.ci95).map(|(lo, hi)| [lo, hi]),
                t: gap.and_then(|g| g.t),
                p: gap.and_then(|g| g.p),
                item_total_r: reliability.get(i).and_then(|r| r.item_total_r),
                alpha_if_deleted: reliability.get(i).and_then(|r| r.alpha_if_deleted),
                adequate: zone_mean(|s| &s.adequate),
                desired: zone_mean(|s| &s.desired),
                msa: zone_mean(|s| &s.msa),
                mss: zone_mean(|s| &s.mss),
                reverse: item.reverse,
            }
        })
        .collect();

    let fixed_weight = |d: usize| match &audit.weights {
        Weights::Fixed(w) => w.get(d).copied(),
        Weights::Survey => customers
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
            // The interval is centred on the reported gap (mean of item gaps); its width
            // comes from the spread of respondents' dimension scores.
            let ci95 = match (
                gaps.customer,
                score.and_then(|s| s.ci95),
                score.and_then(|s| s.mean),
            ) {
                (Some(g), Some((lo, _)), Some(m)) => Some([g - (m - lo), g + (m - lo)]),
                _ => None,
            };
            let perceived = avg(|it| it.perceived);
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
                    customer: ci95,
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
            }
        })
        .collect();

    if let (Some(customers), Some(management)) = (customers, management) {
        attach_knowledge_intervals(audit, customers, management, &mut items, &mut dimensions);
    }
    let all_gaps: Option<Vec<f64>> = dimensions.iter().map(|d| d.gaps.customer).collect();
    let unweighted = all_gaps
        .as_ref()
        .filter(|g| !g.is_empty())
        .map(|g| g.iter().sum::<f64>() / g.len() as f64);
    let weights: Option<Vec<f64>> = dimensions.iter().map(|d| d.weight).collect();
    let weighted = all_gaps
        .zip(weights)
        .map(|(g, w)| g.iter().zip(&w).map(|(g, w)| g * w).sum());
    let servqual = ServqualScore {
        unweighted,
        weighted,
        weighted_per_respondent: match audit.weights {
            Weights::Survey => customers.and_then(|c| c.weighted_per_respondent.mean()),
            _ => None,
        },
        weights_source: match audit.weights {
            Weights::Fixed(_) => Some("yaml"),
            Weights::Survey => Some("survey"),
            Weights::None => None,
        },
    };
    (items, dimensions, servqual)
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
}
