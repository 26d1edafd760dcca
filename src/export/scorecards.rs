//! Site scorecards (`--scorecards`): one section per site of the league table for its
//! manager, with the site's scores beside the whole audit's, its own most urgent
//! findings and its visits.

use serde::Serialize;

use super::checklist_view::entry_numbers;
use super::Report;
use crate::i18n::Lang;
use crate::report::checklist::severity_label;
use crate::report::num;

/// Findings a scorecard lists at most.
const SITE_FINDINGS: usize = 5;

/// One site's scorecard.
#[derive(Debug, Serialize)]
pub(crate) struct Scorecard {
    /// The site.
    pub site: String,
    /// Its rank in the league table.
    pub rank: Option<u32>,
    /// Rows of (what, this site, whole audit).
    pub scores: Vec<[String; 3]>,
    /// Customer gap (P in a perception-only audit) per dimension: (what, this site, whole
    /// audit), what being e.g. "Customer gap: Service"; empty without segments by site.
    pub dimensions: Vec<[String; 3]>,
    /// Its own findings, most urgent first: (severity code, severity word, title, numbers).
    pub findings: Vec<[String; 4]>,
    /// Visits, mean score and interval, in words.
    pub visits: String,
    /// Critical questions failed at the site, with their counts.
    pub failed: Vec<String>,
}

/// The scorecards of every site in the league table, in league order.
pub(crate) fn scorecards(report: &Report, lang: Lang) -> Vec<Scorecard> {
    let Some(league) = &report.league else {
        return Vec::new();
    };
    let label = |key| crate::report::labels::label(lang, key);
    let whole_gap = report.servqual.weighted.or(report.servqual.unweighted);
    // A perception-only audit has SERVPERF scores and P where the customer gap would be.
    let servperf = super::servperf_view::is_servperf(report);
    let whole_gap = match &report.servperf {
        Some(s) => s.score.weighted.or(s.score.unweighted),
        None => whole_gap,
    };
    let (score_word, dimension_word) = match servperf {
        true => (label("servperf"), label("perceived")),
        false => (label("customer_gap"), label("customer_gap")),
    };
    let shoppers = report.shoppers.as_ref();
    let segments = report.segments.as_ref().filter(|s| s.by == "site");
    let percent = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.0}%"));
    let count = |x: Option<u64>| x.map_or("–".to_string(), |v| v.to_string());
    league
        .sites
        .iter()
        .map(|row| {
            let visits_of = shoppers.and_then(|s| s.by_site.iter().find(|v| v.site == row.site));
            let site_segment =
                segments.and_then(|s| s.segments.iter().find(|x| x.name == row.site));
            let site_score = match site_segment.and_then(|s| s.servperf.as_ref()) {
                Some(s) => s.weighted.or(s.unweighted),
                None => row.customer_gap,
            };
            let mut scores = vec![[score_word.to_string(), num(site_score), num(whole_gap)]];
            if shoppers.is_some() {
                scores.push([
                    label("shopper_score").to_string(),
                    percent(visits_of.and_then(|v| v.mean_score)),
                    percent(shoppers.and_then(|s| s.mean_score)),
                ]);
                scores.push([
                    label("critical_failures").to_string(),
                    count(row.critical_failures),
                    count(shoppers.map(|s| s.critical_failures)),
                ]);
            }
            let dimensions = site_segment
                .map(|seg| {
                    seg.dimensions
                        .iter()
                        .map(|d| {
                            let whole = report.dimensions.iter().find(|w| *w.result.id == *d.id);
                            let name =
                                whole.map_or(d.id.to_string(), |w| w.label.get(lang).to_string());
                            let whole_value = whole.and_then(|w| match servperf {
                                true => w.result.perceived,
                                false => w.result.gaps.customer,
                            });
                            [
                                format!("{dimension_word}: {name}"),
                                num(super::servperf_view::segment_value(seg, d)),
                                num(whole_value),
                            ]
                        })
                        .collect()
                })
                .unwrap_or_default();
            let findings = report
                .checklist
                .iter()
                .filter(|e| e.current && e.site.as_deref() == Some(row.site.as_str()))
                .take(SITE_FINDINGS)
                .map(|e| {
                    [
                        e.severity.word().to_string(),
                        severity_label(e.severity, lang).to_string(),
                        e.title.clone(),
                        entry_numbers(e, lang),
                    ]
                })
                .collect();
            let visits = match visits_of {
                Some(v) => format!(
                    "{} {} · {} {}{}",
                    label("visits"),
                    v.visits,
                    label("mean_score"),
                    percent(v.mean_score),
                    v.ci95
                        .map(|[lo, hi]| format!(" (95% CI {lo:.0} … {hi:.0}%)"))
                        .unwrap_or_default()
                ),
                None => String::new(),
            };
            let failed = visits_of
                .map(|v| {
                    v.failed_critical
                        .iter()
                        .map(|q| {
                            let short = shoppers
                                .and_then(|s| s.questions.iter().find(|x| x.id == q.question))
                                .map(|x| format!(" “{}”", x.short.get(lang)))
                                .unwrap_or_default();
                            format!("{}{short} × {}", q.question, q.failures)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Scorecard {
                site: row.site.clone(),
                rank: row.rank,
                scores,
                dimensions,
                findings,
                visits,
                failed,
            }
        })
        .collect()
}
