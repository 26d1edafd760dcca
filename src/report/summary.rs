//! What a reader sees first: the summary (period, headline scores and their change, the
//! gate, the most urgent findings in a sentence each) and the site league table
//! (docs/json.md#summary).

use serde::Serialize;

use super::checklist::{finding_name, Entry};
use super::gate;
use super::labels::{fill, label};
use super::{num, Period};
use crate::analysis::checklist::FindingKind;
use crate::analysis::gaps::ServqualScore;
use crate::analysis::segments::Segments;
use crate::analysis::shoppers::ShopperReport;
use crate::analysis::trend::Trend;
use crate::definition::Audit;
use crate::i18n::Lang;

/// Most urgent findings the summary names (one per checklist group).
pub const SUMMARY_FINDINGS: usize = 5;

/// The summary of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The period reported on.
    pub period: Period,
    /// The baseline's period (`--baseline`); `null` without one or when it names none.
    pub previous_period: Option<Period>,
    /// Whether a previous period was given to compare with.
    pub has_previous: bool,
    /// The headline scores.
    pub scores: Headline,
    /// Their change since the previous period; `null` without a baseline.
    pub change: Option<HeadlineChange>,
    /// Ids of the most urgent findings, most urgent first (one per checklist group).
    pub findings: Vec<String>,
    /// One plain sentence per finding of `findings`, in the report language.
    pub sentences: Vec<String>,
}

/// The headline scores of a period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Headline {
    /// Unweighted SERVQUAL score.
    pub unweighted: Option<f64>,
    /// Weighted SERVQUAL score.
    pub weighted: Option<f64>,
    /// Mean mystery-shopper visit score in percent; `null` without visits.
    pub shopper_score: Option<f64>,
    /// Visits failing a critical question; `null` without visits.
    pub critical_failures: Option<u64>,
}

/// Changes of the headline scores since the previous period (current − previous).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeadlineChange {
    /// Change of the unweighted SERVQUAL score.
    pub unweighted: Option<f64>,
    /// Change of the weighted SERVQUAL score.
    pub weighted: Option<f64>,
}

/// The gate's verdict as the report carries it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gate {
    /// No measured rule failed (the run exits 0).
    pub passed: bool,
    /// Every rule, the audit's first.
    pub rules: Vec<GateRule>,
}

/// One gate rule and what it found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateRule {
    /// The rule as written, e.g. `weighted < -1.0`.
    pub rule: String,
    /// The metric's value; `null` when not measured. For a `site.` rule, the value of
    /// the site furthest on the rule's side.
    pub value: Option<f64>,
    /// `pass`, `fail` or `unmeasured`.
    pub status: GateStatus,
    /// For a `site.` rule, the sites that breach it (by name); empty otherwise.
    pub sites: Vec<String>,
}

/// The outcome of one gate rule: pass, fail or unmeasured.
pub use super::gate::Status as GateStatus;

impl Gate {
    /// The report form of the gate's outcomes; an unmeasured rule fails the gate unless
    /// `allow_unmeasured`.
    pub fn of(outcomes: &[gate::Outcome], allow_unmeasured: bool) -> Gate {
        let rules: Vec<GateRule> = outcomes
            .iter()
            .map(|o| GateRule {
                rule: o.rule.text.clone(),
                value: o.value,
                status: o.status,
                sites: o.sites.iter().map(|(site, _)| site.clone()).collect(),
            })
            .collect();
        let fails = |r: &GateRule| match r.status {
            GateStatus::Fail => true,
            GateStatus::Unmeasured => !allow_unmeasured,
            GateStatus::Pass => false,
        };
        Gate {
            passed: !rules.iter().any(fails),
            rules,
        }
    }
}

/// One site of the league table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteRow {
    /// The site's name.
    pub site: String,
    /// Customer survey respondents at the site (`--by site`); `null` without segments.
    pub respondents: Option<u64>,
    /// Customer gap: the weighted SERVQUAL score, or the unweighted where there are no
    /// weights; `null` without segments by site.
    pub customer_gap: Option<f64>,
    /// Mean mystery-shopper visit score in percent.
    pub shopper_score: Option<f64>,
    /// Mystery-shopper visits.
    pub visits: Option<u64>,
    /// Visits failing a critical question.
    pub critical_failures: Option<u64>,
    /// Rank, 1 = best, by `ranked_by`; `null` when the site has too little data.
    pub rank: Option<u32>,
}

/// The site league table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct League {
    /// What the rank orders by: `customer_gap` (when every site has one) or `shopper_score`.
    pub ranked_by: &'static str,
    /// Whether customer gaps per site are in (the report was segmented by site).
    pub customer_gaps: bool,
    /// Sites, ranked first in rank order, then the rest by name.
    pub sites: Vec<SiteRow>,
}

/// The league table of the shopper sites and, with `--by site`, the survey's sites.
/// `None` when neither is there.
pub fn league(shoppers: Option<&ShopperReport>, segments: Option<&Segments>) -> Option<League> {
    let by_site = segments.filter(|s| s.by == "site");
    let mut sites: Vec<SiteRow> = Vec::new();
    for s in by_site.iter().flat_map(|s| &s.segments) {
        sites.push(SiteRow {
            site: s.name.clone(),
            respondents: Some(s.respondents),
            customer_gap: s
                .ranked
                .then(|| s.servqual.weighted.or(s.servqual.unweighted))
                .flatten(),
            shopper_score: None,
            visits: None,
            critical_failures: None,
            rank: None,
        });
    }
    for v in shoppers.iter().flat_map(|s| &s.by_site) {
        let row = match sites.iter_mut().position(|r| r.site == v.site) {
            Some(i) => &mut sites[i],
            None => {
                sites.push(SiteRow {
                    site: v.site.clone(),
                    respondents: by_site.map(|_| 0),
                    customer_gap: None,
                    shopper_score: None,
                    visits: None,
                    critical_failures: None,
                    rank: None,
                });
                sites.last_mut()?
            }
        };
        row.visits = Some(v.visits);
        row.critical_failures = Some(v.critical_failures);
        // Only sites the shopper ranking ranks (enough visits) have a score to compare.
        row.shopper_score = v.rank.and(v.mean_score);
    }
    if sites.is_empty() {
        return None;
    }
    let gap_everywhere = by_site.is_some() && sites.iter().all(|s| s.customer_gap.is_some());
    let ranked_by = if gap_everywhere {
        "customer_gap"
    } else {
        "shopper_score"
    };
    let key = |s: &SiteRow| {
        if gap_everywhere {
            s.customer_gap
        } else {
            s.shopper_score
        }
    };
    sites.sort_by(|a, b| a.site.cmp(&b.site));
    let mut ranked: Vec<usize> = (0..sites.len())
        .filter(|&i| key(&sites[i]).is_some())
        .collect();
    // Higher is better for both keys; equal values share a rank, ties by name.
    ranked.sort_by(|&a, &b| {
        key(&sites[b])
            .partial_cmp(&key(&sites[a]))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut previous: Option<(f64, u32)> = None;
    for (n, &i) in ranked.iter().enumerate() {
        let value = key(&sites[i]).unwrap_or(f64::NAN);
        let rank = match previous {
            Some((v, r)) if v == value => r,
            _ => u32::try_from(n + 1).unwrap_or(u32::MAX),
        };
        sites[i].rank = Some(rank);
        previous = Some((value, rank));
    }
    sites.sort_by_key(|s| s.rank.unwrap_or(u32::MAX));
    Some(League {
        ranked_by,
        customer_gaps: by_site.is_some(),
        sites,
    })
}

/// Everything the summary is made from.
pub struct SummaryInputs<'a> {
    /// The audit (period, owners, labels).
    pub audit: &'a Audit,
    /// The period reported on.
    pub period: &'a Period,
    /// Overall SERVQUAL scores.
    pub servqual: &'a ServqualScore,
    /// Mystery-shopper results.
    pub shoppers: Option<&'a ShopperReport>,
    /// Changes since the baseline.
    pub trend: Option<&'a Trend>,
    /// The worded checklist in priority order.
    pub checklist: &'a [Entry],
    /// Language of the sentences.
    pub lang: Lang,
}

/// The summary: headline scores, their change, the most urgent findings.
pub fn summary(inputs: &SummaryInputs) -> Summary {
    let leaders = urgent(inputs.checklist);
    Summary {
        period: inputs.period.clone(),
        previous_period: inputs
            .trend
            .and_then(|t| t.audit.as_ref())
            .and_then(|a| a.period.as_ref())
            .and_then(|p| {
                Some(Period {
                    start: p.start.clone()?,
                    end: p.end.clone()?,
                })
            }),
        has_previous: inputs.trend.is_some(),
        scores: Headline {
            unweighted: inputs.servqual.unweighted,
            weighted: inputs.servqual.weighted,
            shopper_score: inputs.shoppers.and_then(|s| s.mean_score),
            critical_failures: inputs.shoppers.map(|s| s.critical_failures),
        },
        change: inputs.trend.map(|t| HeadlineChange {
            unweighted: t.servqual.unweighted.delta,
            weighted: t.servqual.weighted.delta,
        }),
        findings: leaders.iter().map(|(e, _)| e.id.clone()).collect(),
        sentences: leaders
            .iter()
            .map(|(e, others)| sentence(inputs.audit, e, *others, inputs.lang))
            .collect(),
    }
}

/// The most urgent current entry of each of the first groups, with how many more
/// entries its group holds.
fn urgent(checklist: &[Entry]) -> Vec<(&Entry, usize)> {
    let mut out: Vec<(&Entry, usize)> = Vec::new();
    for e in checklist.iter().filter(|e| e.current) {
        if let Some((_, n)) = out.iter_mut().find(|(l, _)| l.group == e.group) {
            *n += 1;
        } else if out.len() < SUMMARY_FINDINGS {
            out.push((e, 0));
        }
    }
    out
}

/// One plain sentence: what, where, how big, who owns it and by when.
fn sentence(audit: &Audit, e: &Entry, others: usize, lang: Lang) -> String {
    let place = e
        .site
        .clone()
        .unwrap_or_else(|| label(lang, "all_sites").to_string());
    let what = match (e.kind, &e.question) {
        (FindingKind::Critical, Some(q)) => fill(
            lang,
            "summary_critical",
            &[
                ("question", &question_words(q, e)),
                (
                    "failures",
                    &e.evidence.figures.failures.unwrap_or(0).to_string(),
                ),
                (
                    "visits",
                    &e.evidence.figures.visits.unwrap_or(0).to_string(),
                ),
                ("place", &place),
            ],
        ),
        _ => {
            let dimension = e
                .dimension
                .as_deref()
                .and_then(|d| audit.dimension_index(d))
                .map_or_else(String::new, |d| {
                    audit.dimensions[d].label.get(lang).to_string()
                });
            let subject = match e.item.as_deref().and_then(|i| audit.item_index(i)) {
                Some(i) => {
                    let item = &audit.items[i];
                    fill(
                        lang,
                        "summary_subject",
                        &[
                            ("item", &item.id),
                            ("short", item.short_label().get(lang)),
                            ("dimension", &dimension),
                        ],
                    )
                }
                None => dimension,
            };
            fill(
                lang,
                "summary_shortfall",
                &[
                    ("subject", &subject),
                    ("gap", finding_name(&e.id, e.gap, lang)),
                    ("size", &num(e.evidence.figures.value.map(f64::abs))),
                ],
            )
        }
    };
    let mut text = what;
    if others > 0 {
        text.push_str(&fill(lang, "summary_more", &[("n", &others.to_string())]));
    }
    text.push_str(&fill(
        lang,
        "summary_owner",
        &[
            ("owner", e.owner.as_deref().unwrap_or("–")),
            ("due", &e.due.format("%Y-%m-%d").to_string()),
        ],
    ));
    text
}

/// A critical question as the sentence names it: its id and its short label, which the
/// entry's title carries after the id.
fn question_words(question: &str, e: &Entry) -> String {
    match &e.short {
        Some(short) => format!("{question} “{short}”"),
        None => question.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::gate::rules;
    use crate::report::gate::Outcome;

    #[test]
    fn the_gate_passes_unless_a_rule_fails_or_is_unmeasured_without_leave() {
        let audit = crate::definition::load_str(
            std::path::Path::new("a.yaml"),
            "audit: {id: a, title: A, period: {start: 2026-01-01, end: 2026-01-31}}\n\
             instrument: servqual-22\nsources: {}\n",
        )
        .expect("the audit");
        let rules =
            rules(&audit, &["weighted < -1".into(), "unweighted < -1".into()]).expect("rules");
        let outcome = |i: usize, value: Option<f64>, status: GateStatus| Outcome {
            rule: rules[i].clone(),
            value,
            breached: status == GateStatus::Fail,
            status,
            sites: Vec::new(),
        };
        let outcomes = [
            outcome(0, None, GateStatus::Unmeasured),
            outcome(1, Some(-0.5), GateStatus::Pass),
        ];
        let gate = Gate::of(&outcomes, true);
        assert!(gate.passed);
        assert_eq!(gate.rules[0].status, GateStatus::Unmeasured);
        assert_eq!(gate.rules[1].status, GateStatus::Pass);
        assert!(!Gate::of(&outcomes, false).passed);
        let gate = Gate::of(&[outcome(0, Some(-1.2), GateStatus::Fail)], true);
        assert!(!gate.passed);
        assert_eq!(gate.rules[0].status, GateStatus::Fail);
        assert_eq!(gate.rules[0].rule, "weighted < -1");
    }
}
