//! What the human formats show of a perception-only (SERVPERF) audit: the lead line
//! saying so, and in the terminal the perception tables that stand in for the customer
//! gap tables (docs/formulas.md#servperf). Markdown and HTML lay out the same in their
//! templates.

use comfy_table::Cell;

use super::table::{fit_lines, fitted, header, right, wrapped};
use super::{visible, RenderOptions};
use crate::analysis::gaps::{Method, ServqualScore};
use crate::analysis::segments::{Segment, SegmentRow};
use crate::report::labels::label;
use crate::report::{num, Report};

/// At least this many columns show the item table with its longer short labels.
const WIDE: usize = 100;
/// Narrower terminals get the dimension table without its weight and sd columns.
const FULL_DIMENSIONS: usize = 80;

/// Whether `report` is of a perception-only audit.
pub(super) fn is_servperf(report: &Report) -> bool {
    report.method == Method::Servperf
}

/// Whether the checklist of `report` can compare nothing: a SERVPERF audit without
/// standards has no customer finding to make.
pub(super) fn nothing_compared(report: &Report) -> bool {
    report.servperf.as_ref().is_some_and(|s| !s.standards)
}

/// The headline scores of a SERVPERF audit, as the summary lists them.
pub(super) fn summary_scores(report: &Report, options: &RenderOptions) -> Vec<String> {
    let lang = options.lang;
    let score = report.servperf.as_ref().map(|s| &s.score);
    vec![
        format!(
            "{} {}",
            label(lang, "servperf_unweighted"),
            num(score.and_then(|s| s.unweighted))
        ),
        format!(
            "{} {}",
            label(lang, "weighted"),
            num(score.and_then(|s| s.weighted))
        ),
    ]
}

/// The lead line: this is a perception-only audit, and what that means.
pub(super) fn lead(options: &RenderOptions) -> String {
    let mut out = wrapped(label(options.lang, "servperf_audit"), options.width, "");
    out.push('\n');
    out
}

/// The perception tables of the terminal report: per dimension (weight, n, P, sd, 95%
/// CI, α, and S and P - S where a standard is set), the SERVPERF scores, gap 5 "not
/// measured", then per item.
pub(super) fn perception_sections(report: &Report, options: &RenderOptions) -> String {
    let lang = options.lang;
    let standards = report.items.iter().any(|it| it.result.standard.is_some());
    let mut out = String::new();
    out.push_str(label(lang, "servperf_by_dimension"));
    out.push('\n');
    let full = options.width >= FULL_DIMENSIONS;
    let mut table = fitted(options);
    let mut cols = vec![label(lang, "dimension")];
    if full {
        cols.push(label(lang, "weight"));
    }
    cols.extend(["n", "P"]);
    if full {
        cols.push("sd");
    }
    cols.extend([label(lang, "ci95"), "α"]);
    if standards {
        cols.extend(["S", "P-S"]);
    }
    header(&mut table, &cols, options.color);
    for d in &report.dimensions {
        let r = &d.result;
        let weight = r
            .weight
            .map_or("-".into(), |w| format!("{:.0}%", w * 100.0));
        let mut row = vec![Cell::new(visible(d.label.get(lang)))];
        if full {
            row.push(right(weight));
        }
        row.extend([right(r.n.to_string()), right(num(r.perceived))]);
        if full {
            row.push(right(num(r.sd)));
        }
        row.extend([right(interval(r.ci95)), right(num(r.alpha))]);
        if standards {
            row.push(right(num(r.standard)));
            row.push(right(num(r.perceived_vs_standard)));
        }
        table.add_row(row);
    }
    out.push_str(&format!("{table}\n"));
    let score = report.servperf.as_ref().map(|s| &s.score);
    let mut line = format!(
        "{}: {}   {}: {}",
        label(lang, "servperf_unweighted"),
        num(score.and_then(|s| s.unweighted)),
        label(lang, "weighted"),
        num(score.and_then(|s| s.weighted)),
    );
    if let Some(v) = score.and_then(|s| s.weighted_per_respondent) {
        line.push_str(&format!(
            "   {}: {}",
            label(lang, "weighted_per_respondent"),
            num(Some(v))
        ));
    }
    line.push_str(&format!(
        "\n{}: {}",
        label(lang, "gap_name5"),
        label(lang, "gap5_not_measured")
    ));
    out.push_str(fit_lines(&line, options.width).trim_end());
    out.push_str("\n\n");
    out.push_str(label(lang, "items"));
    out.push('\n');
    out.push_str(&item_table(report, options, standards));
    out.push('\n');
    out
}

/// Per item: n, P, sd, 95% CI, and S and P - S where a standard is set.
fn item_table(report: &Report, options: &RenderOptions, standards: bool) -> String {
    let lang = options.lang;
    let wide = options.width >= WIDE;
    let with_sd = options.width >= FULL_DIMENSIONS;
    let label_width = match (wide, with_sd) {
        (true, _) => 28,
        (false, true) => 24,
        (false, false) => 18,
    };
    let mut table = fitted(options);
    let mut cols = vec![label(lang, "item"), "n", "P"];
    if with_sd {
        cols.push("sd");
    }
    cols.push(label(lang, "ci95"));
    if standards {
        cols.extend(["S", "P-S"]);
    }
    header(&mut table, &cols, options.color);
    for it in &report.items {
        let r = &it.result;
        let id = match r.reverse {
            true => format!("{} (R)", r.id),
            false => r.id.clone(),
        };
        let name = format!("{id} {}", visible(it.short.get(lang)));
        let mut row = vec![
            Cell::new(super::table::clip(&name, label_width)),
            right(r.n.to_string()),
            right(num(r.perceived)),
        ];
        if with_sd {
            row.push(right(num(r.sd)));
        }
        row.push(right(interval(r.ci95)));
        if standards {
            row.push(right(num(r.standard)));
            row.push(right(num(r.perceived_vs_standard)));
        }
        table.add_row(row);
    }
    format!("{table}")
}

/// The scores a segment is shown with: SERVPERF's in a perception-only segment, else
/// SERVQUAL's.
pub(super) fn segment_scores(segment: &Segment) -> &ServqualScore {
    segment.servperf.as_ref().unwrap_or(&segment.servqual)
}

/// What a segment's dimension or item row shows: P in a perception-only segment, else
/// its gap 5.
pub(super) fn segment_value(segment: &Segment, row: &SegmentRow) -> Option<f64> {
    match segment.servperf {
        Some(_) => row.perceived,
        None => row.gaps.customer,
    }
}

/// An interval as `low…high`, or `-`.
fn interval(x: Option<[f64; 2]>) -> String {
    x.map_or("-".into(), |[lo, hi]| {
        format!("{}…{}", num(Some(lo)), num(Some(hi)))
    })
}
