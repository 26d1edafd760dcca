//! The terminal report: the gap tables laid out with comfy-table.

use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use super::{visible, Exporter, RenderOptions, Report};
use crate::i18n::Lang;
use crate::output::new_table;
use crate::report::labels::{fill, label};
pub(crate) use crate::report::num;
use crate::report::summary::GateStatus;

/// At least this many columns show the items table with its dimension, sd and t;
/// narrower terminals get it without those columns.
const WIDE: usize = 118;
/// At least this many columns show a five-gap table whole (levels and gaps side by
/// side, items with their short labels); narrower terminals get it in two parts.
const FIVE_GAPS_WHOLE: usize = 132;

/// A table in the report's style that wraps its cells to fit `options.width` columns.
pub(super) fn fitted(options: &RenderOptions) -> Table {
    let mut table = new_table(options.color);
    table
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(u16::try_from(options.width).unwrap_or(u16::MAX));
    table
}

/// Text cut to `width` columns at a character boundary, `…` marking the cut.
pub(super) fn clip(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `text` wrapped at spaces (or anywhere in CJK text) to lines of `width` columns, each
/// after `indent`.
pub(super) fn wrapped(text: &str, width: usize, indent: &str) -> String {
    use unicode_width::UnicodeWidthChar;
    let width = width.saturating_sub(indent.chars().count()).max(20);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split_inclusive(' ') {
        let w: usize = word.chars().map(|c| c.width().unwrap_or(0)).sum();
        if used + w > width && used > 0 {
            lines.push(line.trim_end().to_string());
            line = String::new();
            used = 0;
        }
        // A word longer than a line (CJK text has no spaces) is cut by width.
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > width {
                lines.push(line.trim_end().to_string());
                line = String::new();
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
        .iter()
        .map(|l| format!("{indent}{l}\n"))
        .collect::<String>()
}

/// The summary: period and comparison, headline scores, the gate, the most urgent
/// findings; then the site league table.
fn summary_section(report: &Report, options: &RenderOptions) -> String {
    let lang = options.lang;
    let s = &report.summary;
    let mut out = String::new();
    let compared = match (&s.previous_period, s.has_previous) {
        (Some(p), _) => fill(
            lang,
            "change_since",
            &[("period", &format!("{} – {}", p.start, p.end))],
        ),
        (None, true) => label(lang, "change_since_baseline").to_string(),
        (None, false) => label(lang, "no_previous").to_string(),
    };
    out.push_str(&format!(
        "{} · {} {} – {} · {compared}\n",
        label(lang, "summary"),
        label(lang, "period_word"),
        s.period.start,
        s.period.end
    ));
    let change = |d: Option<f64>| match (&s.change, d) {
        (Some(_), Some(v)) => format!(" ({})", super::view::signed(Some(v))),
        _ => String::new(),
    };
    let mut scores = vec![
        format!(
            "{} {}{}",
            label(lang, "servqual_unweighted"),
            num(s.scores.unweighted),
            change(s.change.and_then(|c| c.unweighted))
        ),
        format!(
            "{} {}{}",
            label(lang, "weighted"),
            num(s.scores.weighted),
            change(s.change.and_then(|c| c.weighted))
        ),
    ];
    if super::servperf_view::is_servperf(report) {
        scores = super::servperf_view::summary_scores(report, options);
    }
    if let Some(v) = s.scores.shopper_score {
        scores.push(format!("{} {v:.0}%", label(lang, "shopper_score")));
    }
    if let Some(n) = s.scores.critical_failures {
        scores.push(format!("{} {n}", label(lang, "critical_failures")));
    }
    out.push_str(&wrapped(&scores.join(" · "), options.width, "  "));
    let gate = &report.gate;
    let mut verdict = if gate.rules.is_empty() {
        label(lang, "gate_none").to_string()
    } else if gate.passed {
        label(lang, "gate_passed").to_string()
    } else {
        label(lang, "gate_failed").to_string()
    };
    for r in &gate.rules {
        let status = match r.status {
            GateStatus::Pass => format!("✓ {}", label(lang, "gate_pass")),
            GateStatus::Fail => format!("✗ {}", label(lang, "gate_fail")),
            GateStatus::Unmeasured => format!("? {}", label(lang, "gate_unmeasured")),
        };
        let value = r
            .value
            .map(|v| format!(" ({})", num(Some(v))))
            .unwrap_or_default();
        verdict.push_str(&format!("; `{}` {status}{value}", visible(&r.rule)));
    }
    let colon = label(lang, "colon");
    out.push_str(&wrapped(
        &format!("{}{colon}{verdict}", label(lang, "gate")),
        options.width,
        "  ",
    ));
    out.push_str(&format!(
        "  {}{}\n",
        label(lang, "urgent"),
        colon.trim_end()
    ));
    if s.sentences.is_empty() {
        let nothing = match super::servperf_view::nothing_compared(report) {
            true => label(lang, "servperf_no_standards"),
            false => label(lang, "nothing_urgent"),
        };
        out.push_str(&wrapped(nothing, options.width, "    "));
    }
    for (i, sentence) in s.sentences.iter().enumerate() {
        let text = wrapped(&visible(sentence), options.width, "      ");
        out.push_str(&format!("  {:>2}. {}", i + 1, &text[6..]));
    }
    if let Some(league) = &report.league {
        out.push('\n');
        out.push_str(label(lang, "league"));
        out.push('\n');
        let mut table = fitted(options);
        header(
            &mut table,
            &[
                label(lang, "rank"),
                label(lang, "site"),
                label(lang, "respondents"),
                label(lang, "customer_gap"),
                label(lang, "shopper_score"),
                label(lang, "critical_failures_col"),
            ],
            options.color,
        );
        let dash = || "-".to_string();
        for site in &league.sites {
            table.add_row(vec![
                right(site.rank.map_or_else(dash, |r| r.to_string())),
                Cell::new(visible(&site.site)),
                right(site.respondents.map_or_else(dash, |n| n.to_string())),
                gap_cell(site.customer_gap, None, options.color),
                right(site.shopper_score.map_or_else(dash, |v| format!("{v:.1}"))),
                right(site.critical_failures.map_or_else(dash, |n| n.to_string())),
            ]);
        }
        out.push_str(&format!("{table}\n"));
        let mut note = label(
            lang,
            if league.ranked_by == "customer_gap" {
                "league_by_gap"
            } else {
                "league_by_shopper"
            },
        )
        .to_string();
        if !league.customer_gaps {
            note.push(' ');
            note.push_str(label(lang, "league_no_gaps"));
        }
        out.push_str(&wrapped(&note, options.width, ""));
    }
    out.push('\n');
    out
}

/// Exporter for `--format table`.
pub struct TableExporter;

impl Exporter for TableExporter {
    fn render(&self, report: &Report, options: &RenderOptions) -> anyhow::Result<Vec<u8>> {
        let lang = options.lang;
        let mut out = String::new();
        let a = &report.audit;
        out.push_str(&visible(&a.title));
        out.push('\n');
        if let Some(org) = &a.organisation {
            out.push_str(&visible(org));
            out.push_str(" · ");
        }
        // A named period (2026-Q3) is given by its name and its days; a range by its days.
        let period = report.period.words();
        out.push_str(&format!(
            "{} {period} · {} {} · {} {}\n\n",
            label(lang, "period_word"),
            label(lang, "customers_word"),
            report.respondents.customers,
            label(lang, "managers_word"),
            report.respondents.management,
        ));
        out.push_str(&left_out_line(report, lang));
        if super::servperf_view::is_servperf(report) {
            out.push_str(&super::servperf_view::lead(options));
        }
        out.push_str(&summary_section(report, options));

        // A perception-only audit has perception tables instead of the customer gap's.
        let servperf = super::servperf_view::is_servperf(report);
        if servperf {
            out.push_str(&super::servperf_view::perception_sections(report, options));
        } else {
            out.push_str(label(lang, "gap5_by_dimension"));
            out.push('\n');
            out.push_str(&dimension_table(report, options).to_string());
            out.push('\n');
            let s = &report.servqual;
            let mut line = format!(
                "{}: {}   {}: {}",
                label(lang, "servqual_unweighted"),
                num(s.unweighted),
                label(lang, "weighted"),
                num(s.weighted),
            );
            if s.weighted_per_respondent.is_some() {
                line.push_str(&format!(
                    "   {}: {}",
                    label(lang, "weighted_per_respondent"),
                    num(s.weighted_per_respondent)
                ));
            }
            out.push_str(fit_lines(&line, options.width).trim_end());
            out.push_str("\n\n");
        }

        if has_other_gaps(report) {
            out.push_str(label(lang, "five_gaps"));
            out.push('\n');
            for table in five_gap_tables(report, options, false) {
                out.push_str(&table.to_string());
                out.push('\n');
            }
            out.push_str(&fit_lines(legend(lang), options.width));
            out.push('\n');
            out.push_str(label(lang, "five_gaps_by_item"));
            out.push('\n');
            for table in five_gap_tables(report, options, true) {
                out.push_str(&table.to_string());
                out.push('\n');
            }
        }
        if let Some(shoppers) = &report.shoppers {
            out.push('\n');
            out.push_str(&super::shoppers_table::render(shoppers, options));
            out.push('\n');
        }

        if !servperf {
            out.push_str(label(lang, "items"));
            out.push('\n');
            out.push_str(&item_table(report, options).to_string());
            out.push('\n');
        }
        if let Some(section) = segments_section(report, options) {
            out.push_str(&section);
        }
        if let Some(section) = trend_section(report, options) {
            out.push_str(&section);
        }
        if let Some(section) = history_section(report, options) {
            out.push_str(&section);
        }
        if let Some(table) = reliability_table(report, options) {
            out.push('\n');
            out.push_str(label(
                lang,
                match servperf {
                    true => "reliability_perceptions",
                    false => "reliability",
                },
            ));
            out.push('\n');
            out.push_str(&table.to_string());
            out.push('\n');
            out.push_str(&fit_lines(label(lang, "reliability_note"), options.width));
            out.push('\n');
        }
        out.push_str(&super::checklist_view::ipa_section(report, options));
        out.push_str(&super::checklist_view::checklist_section(report, options));
        if options.scorecards {
            out.push_str(&scorecard_section(report, options));
        }
        Ok(out.into_bytes())
    }
}

/// The site scorecards as text blocks: the site's scores beside the whole audit's, its
/// own findings and its visits.
fn scorecard_section(report: &Report, options: &RenderOptions) -> String {
    let lang = options.lang;
    let mut out = String::new();
    for card in super::scorecards::scorecards(report, lang) {
        let rank = card
            .rank
            .map(|r| format!(" ({} {r})", label(lang, "rank")))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n{}: {}{rank}\n",
            label(lang, "scorecard"),
            visible(&card.site)
        ));
        let mut table = fitted(options);
        header(
            &mut table,
            &["", label(lang, "this_site"), label(lang, "whole_audit")],
            options.color,
        );
        let rows = card.scores.iter().chain(&card.dimensions).cloned();
        for [what, here, all] in rows {
            table.add_row(vec![Cell::new(what), right(here), right(all)]);
        }
        out.push_str(&format!("{table}\n"));
        out.push_str(&format!("{}:\n", label(lang, "site_findings")));
        if card.findings.is_empty() {
            out.push_str(&wrapped(
                label(lang, "site_no_findings"),
                options.width,
                "  ",
            ));
        }
        for [_, severity, title, numbers] in &card.findings {
            let line = format!("{severity} · {}: {numbers}", visible(title));
            out.push_str(&wrapped(&line, options.width, "  "));
        }
        if !card.visits.is_empty() {
            let mut line = card.visits.clone();
            if !card.failed.is_empty() {
                line.push_str(&format!(
                    " · {}: {}",
                    label(lang, "critical_failures"),
                    card.failed.join(", ")
                ));
            }
            out.push_str(&wrapped(&line, options.width, ""));
        }
    }
    out
}

/// Whether anything beyond the customer survey was measured.
fn has_other_gaps(report: &Report) -> bool {
    report
        .dimensions
        .iter()
        .any(|d| (1..=4).any(|n| d.result.gaps.get(n).is_some()))
}

pub(super) fn header(table: &mut Table, cells: &[&str], color: bool) {
    table.set_header(cells.iter().map(|c| {
        let cell = Cell::new(c);
        if color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
}

fn dimension_table(report: &Report, options: &RenderOptions) -> Table {
    let lang = options.lang;
    let zone = report
        .dimensions
        .iter()
        .any(|d| d.result.msa.is_some() || d.result.mss.is_some());
    let mut table = fitted(options);
    let mut cols = vec![
        label(lang, "dimension"),
        label(lang, "weight"),
        "n",
        label(lang, "col_expected"),
        label(lang, "col_perceived"),
        label(lang, "col_gap_pe"),
        label(lang, "ci95"),
        "α",
    ];
    if zone {
        cols.extend(["MSA", "MSS"]);
    }
    header(&mut table, &cols, options.color);
    for d in &report.dimensions {
        let r = &d.result;
        let mut row = vec![
            Cell::new(visible(d.label.get(lang))),
            right(percent(r.weight)),
            right(r.n.to_string()),
            right(num(r.expected)),
            right(num(r.perceived)),
            gap_cell(r.gaps.customer, r.ci95, options.color),
            right(ci_in(r.ci95, options.width)),
            right(num(r.alpha)),
        ];
        if zone {
            row.push(gap_cell(r.msa, None, options.color));
            row.push(gap_cell(r.mss, None, options.color));
        }
        table.add_row(row);
    }
    table
}

/// A [`FiveGapRow`] of an item or a dimension result: the two result types have the
/// same level and gap fields, but no common type.
macro_rules! five_gap_row {
    ($label:expr, $result:expr) => {{
        let r = &$result;
        FiveGapRow {
            label: $label,
            levels: [
                r.expected,
                r.management,
                r.standard,
                r.shopper,
                r.promise,
                r.perceived,
            ],
            merged: r.merged,
            divergent: r.divergent,
            gaps: &r.gaps,
        }
    }};
}

/// One row of a five-gap table: the levels compared and the gaps between them.
struct FiveGapRow<'a> {
    label: String,
    /// E, M, S, D, C, P in that order.
    levels: [Option<f64>; 6],
    merged: Option<f64>,
    divergent: bool,
    gaps: &'a crate::analysis::gaps::Gaps,
}

/// The five gaps per dimension (`by_item` false) or per item, with the levels they
/// compare: one table where the terminal is wide enough, else the levels and the gaps
/// The gaps per segment (`--by`): rank, respondents, the SERVQUAL scores, and each
/// dimension's gap 5 where the terminal is wide enough.
fn segments_section(report: &Report, options: &RenderOptions) -> Option<String> {
    let lang = options.lang;
    let segments = report.segments.as_ref()?;
    let wide = options.width >= WIDE;
    let mut table = fitted(options);
    let mut cols = vec![
        label(lang, "rank"),
        label(lang, "segment"),
        label(lang, "respondents"),
        label(lang, "unweighted"),
        label(lang, "weighted"),
    ];
    if wide {
        cols.extend(report.dimensions.iter().map(|d| d.label.get(lang)));
    }
    header(&mut table, &cols, options.color);
    for i in super::view::segment_order(&segments.segments) {
        let s = &segments.segments[i];
        let name = match s.name.as_str() {
            "" => label(lang, "blank").to_string(),
            name => visible(name).into_owned(),
        };
        let mut row = vec![
            right(s.rank.map_or("–".to_string(), |r| r.to_string())),
            Cell::new(name),
            right(s.respondents.to_string()),
            right(num(super::servperf_view::segment_scores(s).unweighted)),
            right(num(super::servperf_view::segment_scores(s).weighted)),
        ];
        if wide {
            let value = |d| super::servperf_view::segment_value(s, d);
            row.extend(s.dimensions.iter().map(|d| right(num(value(d)))));
        }
        table.add_row(row);
    }
    let min = segments.min_n.to_string();
    Some(format!(
        "\n{} ({} {})\n{table}\n{}\n",
        label(lang, "segments"),
        label(lang, "by"),
        visible(&segments.by),
        fit_lines(&fill(lang, "not_ranked", &[("min", &min)]), options.width).trim_end()
    ))
}

/// The change of each dimension's gap 5 since the baseline (`--baseline`).
fn trend_section(report: &Report, options: &RenderOptions) -> Option<String> {
    let lang = options.lang;
    let trend = report.trend.as_ref()?;
    let mut table = fitted(options);
    let cols = [
        label(lang, "dimension"),
        label(lang, "previous"),
        label(lang, "current"),
        label(lang, "change"),
        "p",
    ];
    header(&mut table, &cols, options.color);
    for t in &trend.dimensions {
        let name = report
            .dimensions
            .iter()
            .find(|d| d.result.id == t.id)
            .map_or(t.id.as_str(), |d| d.label.get(lang));
        table.add_row(vec![
            Cell::new(name),
            right(num(t.previous)),
            right(num(t.current)),
            right(super::view::trend_mark(t.delta, t.significant)),
            right(super::view::p_value(t.p)),
        ]);
    }
    let s = &trend.servqual;
    Some(format!(
        "\n{}: {}\n{table}\n{}: {} {} · {} {}\n{}\n",
        label(lang, "trend"),
        visible(&trend.baseline.path),
        label(lang, "servqual"),
        label(lang, "unweighted"),
        super::view::trend_mark(s.unweighted.delta, false),
        label(lang, "weighted"),
        super::view::trend_mark(s.weighted.delta, false),
        fit_lines(label(lang, "trend_legend"), options.width).trim_end()
    ))
}

/// The history (`--history`): a row per period, oldest first, with its respondents, the
/// unweighted SERVQUAL score and each dimension's gap 5 marked with its change.
fn history_section(report: &Report, options: &RenderOptions) -> Option<String> {
    let lang = options.lang;
    let history = report.history.as_ref()?;
    let mut table = fitted(options);
    let mut cols = vec![
        label(lang, "period"),
        label(lang, "n"),
        label(lang, "servqual"),
    ];
    cols.extend(report.dimensions.iter().map(|d| d.label.get(lang)));
    header(&mut table, &cols, options.color);
    for p in history {
        let mut row = vec![
            Cell::new(&p.period.name),
            right(p.respondents.customers.to_string()),
            right(num(p.servqual.unweighted)),
        ];
        row.extend(p.dimensions.iter().map(|d| {
            let change = d.change.map(|c| (c.delta, c.significant));
            right(super::view::history_mark(d.gaps.customer, change))
        }));
        table.add_row(row);
    }
    Some(format!(
        "\n{}\n{table}\n{}\n",
        label(lang, "history"),
        fit_lines(label(lang, "history_legend"), options.width).trim_end()
    ))
}

/// Cronbach's alpha per dimension with its Feldt interval, and the dimension's weakest
/// item (lowest corrected item-total r) with alpha if it were deleted; `None` when no
/// dimension has an alpha.
fn reliability_table(report: &Report, options: &RenderOptions) -> Option<Table> {
    let lang = options.lang;
    let rows = super::reliability_rows(report);
    if rows.iter().all(|r| r.alpha.is_none()) {
        return None;
    }
    let mut table = fitted(options);
    let cols = [
        label(lang, "dimension"),
        label(lang, "alpha"),
        label(lang, "alpha_ci95"),
        label(lang, "weakest_item"),
        label(lang, "item_total_r"),
        label(lang, "alpha_if_deleted"),
    ];
    header(&mut table, &cols, options.color);
    for row in rows {
        let dimension = report.dimensions.get(row.dimension);
        let name = dimension.map_or("", |d| d.label.get(lang));
        let weakest = row.weakest.and_then(|i| report.items.get(i));
        // The short label only where there is room: the id names the item anyway.
        let item = weakest.map_or("-".to_string(), |it| match options.width >= WIDE {
            true => format!("{} {}", it.result.id, visible(it.short.get(lang))),
            false => it.result.id.clone(),
        });
        let result = weakest.map(|it| &it.result);
        table.add_row(vec![
            Cell::new(name),
            right(num(row.alpha)),
            right(ci(row.alpha_ci95)),
            Cell::new(item),
            right(num(result.and_then(|r| r.item_total_r))),
            right(num(result.and_then(|r| r.alpha_if_deleted))),
        ]);
    }
    Some(table)
}

/// in two tables.
fn five_gap_tables(report: &Report, options: &RenderOptions, by_item: bool) -> Vec<Table> {
    let lang = options.lang;
    let first = if by_item {
        label(lang, "item")
    } else {
        label(lang, "dimension")
    };
    let levels = [first, "E", "M", "S", "D", "C", "P", label(lang, "merged")];
    let gaps = [
        label(lang, "col_gap1"),
        label(lang, "col_gap2"),
        label(lang, "col_gap3"),
        label(lang, "col_gap4"),
        label(lang, "col_gap5"),
    ];
    let whole = options.width >= FIVE_GAPS_WHOLE;
    let mut table = fitted(options);
    let mut second = fitted(options);
    if whole {
        let cols: Vec<&str> = levels.iter().chain(&gaps).copied().collect();
        header(&mut table, &cols, options.color);
    } else {
        header(&mut table, &levels, options.color);
        let cols: Vec<&str> = std::iter::once(first).chain(gaps).collect();
        header(&mut second, &cols, options.color);
    }
    // Items carry their short label where the width leaves room for it.
    let label_width = if options.width >= WIDE { 28 } else { 20 };
    let rows: Vec<FiveGapRow> = if by_item {
        report
            .items
            .iter()
            .map(|it| {
                let label = format!("{} {}", it.result.id, visible(it.short.get(lang)));
                five_gap_row!(clip(&label, label_width), it.result)
            })
            .collect()
    } else {
        report
            .dimensions
            .iter()
            .map(|d| five_gap_row!(visible(d.label.get(lang)).into_owned(), d.result))
            .collect()
    };
    for r in rows {
        let mut row = vec![Cell::new(&r.label)];
        row.extend(r.levels.iter().map(|&x| right(num(x))));
        row.push(right(format!(
            "{}{}",
            num(r.merged),
            if r.divergent { " ⚠" } else { "" }
        )));
        let gap_cells = (1..=5).map(|n| gap_cell(r.gaps.get(n), None, options.color));
        if whole {
            row.extend(gap_cells);
        } else {
            let mut other = vec![Cell::new(&r.label)];
            other.extend(gap_cells);
            second.add_row(other);
        }
        table.add_row(row);
    }
    if whole {
        vec![table]
    } else {
        vec![table, second]
    }
}

fn item_table(report: &Report, options: &RenderOptions) -> Table {
    let lang = options.lang;
    let wide = options.width >= WIDE;
    let mut table = fitted(options);
    let mut cols = vec![label(lang, "item")];
    if wide {
        cols.push(label(lang, "dimension"));
    }
    cols.extend(["n", "E", "P", label(lang, "col_gap_pe")]);
    if wide {
        cols.push("sd");
    }
    cols.push(label(lang, "ci95"));
    if wide {
        cols.push("t");
    }
    cols.push("p");
    header(&mut table, &cols, options.color);
    for it in &report.items {
        let r = &it.result;
        let dimension = report
            .dimensions
            .iter()
            .find(|d| d.result.id == r.dimension)
            .map_or(r.dimension.as_str(), |d| d.label.get(lang));
        let id = if r.reverse {
            format!("{} (R)", r.id)
        } else {
            r.id.clone()
        };
        let short = visible(it.short.get(lang));
        let mut row = vec![Cell::new(clip(&format!("{id} {short}"), 28))];
        if wide {
            row.push(Cell::new(visible(dimension)));
        }
        row.extend([
            right(r.n.to_string()),
            right(num(r.expected)),
            right(num(r.perceived)),
            gap_cell(r.gaps.customer, r.ci95, options.color),
        ]);
        if wide {
            row.push(right(num(r.sd)));
        }
        row.push(right(ci_in(r.ci95, options.width)));
        if wide {
            row.push(right(num(r.t)));
        }
        row.push(right(p_value(r.p)));
        table.add_row(row);
    }
    table
}

pub(super) fn right(text: impl Into<String>) -> Cell {
    Cell::new(text.into()).set_alignment(CellAlignment::Right)
}

/// A gap, red when it is a shortfall whose interval excludes 0 (colour only).
pub(super) fn gap_cell(gap: Option<f64>, ci95: Option<[f64; 2]>, color: bool) -> Cell {
    let cell = right(num(gap));
    match gap {
        Some(g) if color && g < 0.0 => {
            let significant = ci95.is_none_or(|[_, hi]| hi < 0.0);
            if significant {
                cell.fg(Color::Red)
            } else {
                cell.fg(Color::Yellow)
            }
        }
        Some(g) if color && g > 0.0 => cell.fg(Color::Green),
        _ => cell,
    }
}

fn percent(x: Option<f64>) -> String {
    x.map_or("-".into(), |w| format!("{:.0}%", w * 100.0))
}

fn ci(x: Option<[f64; 2]>) -> String {
    x.map_or("-".into(), |[lo, hi]| {
        format!("{} … {}", num(Some(lo)), num(Some(hi)))
    })
}

/// An interval, without spaces around the `…` in a narrow terminal.
fn ci_in(x: Option<[f64; 2]>, width: usize) -> String {
    if width >= FIVE_GAPS_WHOLE {
        return ci(x);
    }
    x.map_or("-".into(), |[lo, hi]| {
        format!("{}…{}", num(Some(lo)), num(Some(hi)))
    })
}

fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "<0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => "-".into(),
    }
}

/// Lines of fixed text rewrapped to `width` columns, continuation lines indented two
/// more than their line.
pub(super) fn fit_lines(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut out = String::new();
    for line in text.lines() {
        if line.width() <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let first = wrapped(line.trim_start(), width - indent, "");
        for (i, l) in first.lines().enumerate() {
            let pad = if i == 0 { indent } else { indent + 2 };
            out.push_str(&" ".repeat(pad));
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

fn legend(lang: Lang) -> &'static str {
    label(lang, "gap_table_legend")
}

/// The invalid rows each source left out with `--skip-invalid`, as a line under the
/// header, or nothing when none were.
fn left_out_line(report: &Report, lang: Lang) -> String {
    let sources = report.sources.iter();
    let left_out: Vec<String> = sources
        .filter_map(|(name, rows)| {
            let n = rows.skipped.filter(|&n| n > 0)?;
            Some(format!("{} {n}", label(lang, &format!("role_{name}"))))
        })
        .collect();
    match left_out.is_empty() {
        true => String::new(),
        false => format!("{}: {}\n\n", label(lang, "left_out"), left_out.join(" · ")),
    }
}
