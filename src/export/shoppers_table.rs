//! The terminal layout of the mystery-shopper section.

use comfy_table::{Cell, Color};

use super::table::{fit_lines, fitted, header, right};
use super::{visible, RenderOptions};
use crate::analysis::shoppers::{QuestionResult, ShopperReport};
use crate::report::labels::label;

/// How many questions "missed most" lists.
const MISSED_LISTED: usize = 10;

/// A shopper whose answers sit further than this from the others' (0..1 units, i.e.
/// 10 percentage points) is marked in the calibration table.
pub(crate) const CALIBRATION_MARK: f64 = 0.10;

/// The mystery-shopper section: summary, site ranking, questions missed most, calibration.
pub(super) fn render(s: &ShopperReport, options: &RenderOptions) -> String {
    let lang = options.lang;
    let mut out = String::new();
    let lead = format!(
        "{}: {}\n{} {} · {} {}%{} · {} {} ({})",
        label(lang, "shoppers_form"),
        s.form.title.get(lang),
        s.visits,
        label(lang, "visits_word"),
        label(lang, "mean_score_word"),
        pct(s.mean_score),
        s.ci95
            .map(|[lo, hi]| format!(" (95% CI {} … {})", pct(Some(lo)), pct(Some(hi))))
            .unwrap_or_default(),
        label(lang, "visits_failing_critical"),
        s.critical_failures,
        match s.form.critical {
            "zero" => label(lang, "critical_scores_zero"),
            _ => label(lang, "critical_flagged"),
        },
    );
    out.push_str(&fit_lines(&lead, options.width));
    out.push('\n');
    out.push_str(label(lang, "sites_by_score"));
    out.push('\n');
    let mut sites = fitted(options);
    header(
        &mut sites,
        &[
            label(lang, "rank"),
            label(lang, "site"),
            label(lang, "visits_col"),
            label(lang, "score_percent"),
            label(lang, "ci95"),
            label(lang, "critical_failures_col"),
        ],
        options.color,
    );
    for site in &s.by_site {
        let failures = right(site.critical_failures.to_string());
        let failures = if options.color && site.critical_failures > 0 {
            failures.fg(Color::Red)
        } else {
            failures
        };
        sites.add_row(vec![
            right(site.rank.map_or("-".into(), |r| r.to_string())),
            Cell::new(visible(&site.site)),
            right(site.visits.to_string()),
            right(pct(site.mean_score)),
            right(site.ci95.map_or("-".into(), |[lo, hi]| {
                format!("{} … {}", pct(Some(lo)), pct(Some(hi)))
            })),
            failures,
        ]);
    }
    out.push_str(&sites.to_string());
    out.push('\n');
    if s.by_site.iter().any(|x| x.rank.is_none()) {
        out.push_str(&format!(
            "{} {}\n",
            label(lang, "sites_unranked"),
            s.min_visits
        ));
    }

    out.push('\n');
    out.push_str(label(lang, "questions_missed"));
    out.push('\n');
    let mut missed: Vec<&QuestionResult> =
        s.questions.iter().filter(|q| q.score.is_some()).collect();
    // Stable sort: equal scores keep form order.
    missed.sort_by(|a, b| a.score.unwrap_or(1.0).total_cmp(&b.score.unwrap_or(1.0)));
    let mut questions = fitted(options);
    header(
        &mut questions,
        &[
            label(lang, "question"),
            label(lang, "section"),
            label(lang, "maps_to"),
            label(lang, "weight"),
            label(lang, "critical"),
            label(lang, "answered_col"),
            "N/A",
            label(lang, "score_percent"),
        ],
        options.color,
    );
    for q in missed.iter().take(MISSED_LISTED) {
        questions.add_row(vec![
            Cell::new(format!("{} {}", q.id, visible(q.short.get(lang)))),
            Cell::new(&q.section),
            Cell::new(q.item.as_deref().unwrap_or(&q.dimension)),
            right(format!("{}", q.weight)),
            Cell::new(if q.critical {
                format!(
                    "{}, {} {}",
                    label(lang, "yes"),
                    q.failures,
                    label(lang, "failed_word")
                )
            } else {
                String::new()
            }),
            right(q.answered.to_string()),
            right(q.not_applicable.to_string()),
            right(pct(q.score.map(|x| x * 100.0))),
        ]);
    }
    out.push_str(&questions.to_string());
    out.push('\n');

    out.push('\n');
    out.push_str(&fit_lines(label(lang, "calibration_title"), options.width));
    let mut calibration = fitted(options);
    header(
        &mut calibration,
        &[
            label(lang, "shopper_col"),
            label(lang, "visits_col"),
            label(lang, "shared_sites"),
            label(lang, "answers_compared"),
            label(lang, "deviation"),
        ],
        options.color,
    );
    for b in &s.calibration.shoppers {
        let mark = if b.deviation.is_some_and(|d| d.abs() > CALIBRATION_MARK) {
            " ⚠"
        } else {
            ""
        };
        calibration.add_row(vec![
            Cell::new(visible(&b.shopper)),
            right(b.visits.to_string()),
            right(b.sites.to_string()),
            right(b.n.to_string()),
            right(
                b.deviation
                    .map_or("-".into(), |d| format!("{}{mark}", points(d))),
            ),
        ]);
    }
    out.push_str(&calibration.to_string());
    out.push('\n');
    out.push_str(&fit_lines(label(lang, "calibration_legend"), options.width));
    out
}

/// A percent with one decimal, or `-`.
fn pct(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v:.1}"),
        _ => "-".into(),
    }
}

/// A deviation in percentage points with its sign; never "-0.0".
fn points(d: f64) -> String {
    let rounded = (d * 1000.0).round() / 10.0;
    if rounded == 0.0 {
        "0.0".into()
    } else {
        format!("{rounded:+.1}")
    }
}
