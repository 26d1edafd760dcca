//! The terminal report: the gap tables laid out with comfy-table.

use comfy_table::{Attribute, Cell, CellAlignment, Color, Table};

use super::{Exporter, RenderOptions, Report};
use crate::i18n::Lang;
use crate::output::new_table;
use crate::report::labels::label;
pub(crate) use crate::report::num;

/// Exporter for `--format table`.
pub struct TableExporter;

impl Exporter for TableExporter {
    fn render(&self, report: &Report, options: &RenderOptions) -> anyhow::Result<Vec<u8>> {
        let lang = options.lang;
        let mut out = String::new();
        let a = &report.audit;
        out.push_str(&a.title);
        out.push('\n');
        if let Some(org) = &a.organisation {
            out.push_str(org);
            out.push_str(" · ");
        }
        out.push_str(&format!(
            "{} {} – {} · {} {} · {} {}\n\n",
            label(lang, "period_word"),
            a.period.start,
            a.period.end,
            label(lang, "customers_word"),
            report.respondents.customers,
            label(lang, "managers_word"),
            report.respondents.management,
        ));

        out.push_str(label(lang, "gap5_by_dimension"));
        out.push('\n');
        out.push_str(&dimension_table(report, options).to_string());
        out.push('\n');
        let s = &report.servqual;
        out.push_str(&format!(
            "{}: {}   {}: {}",
            label(lang, "servqual_unweighted"),
            num(s.unweighted),
            label(lang, "weighted"),
            num(s.weighted),
        ));
        if s.weighted_per_respondent.is_some() {
            out.push_str(&format!(
                "   {}: {}",
                label(lang, "weighted_per_respondent"),
                num(s.weighted_per_respondent)
            ));
        }
        out.push_str("\n\n");

        if has_other_gaps(report) {
            out.push_str(label(lang, "five_gaps"));
            out.push('\n');
            out.push_str(&five_gap_table(report, options, false).to_string());
            out.push('\n');
            out.push_str(legend(lang));
            out.push('\n');
            out.push('\n');
            out.push_str(label(lang, "five_gaps_by_item"));
            out.push('\n');
            out.push_str(&five_gap_table(report, options, true).to_string());
            out.push('\n');
        }
        if let Some(shoppers) = &report.shoppers {
            out.push('\n');
            out.push_str(&super::shoppers_table::render(shoppers, options));
            out.push('\n');
        }

        out.push_str(label(lang, "items"));
        out.push('\n');
        out.push_str(&item_table(report, options).to_string());
        out.push('\n');
        out.push_str(&super::checklist_view::ipa_section(report, options));
        out.push_str(&super::checklist_view::checklist_section(report, options));
        Ok(out.into_bytes())
    }
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
    let mut table = new_table(options.color);
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
            Cell::new(d.label.get(lang)),
            right(percent(r.weight)),
            right(r.n.to_string()),
            right(num(r.expected)),
            right(num(r.perceived)),
            gap_cell(r.gaps.customer, r.ci95, options.color),
            right(ci(r.ci95)),
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

/// One row of a five-gap table: the levels compared and the gaps between them.
struct FiveGapRow<'a> {
    label: &'a str,
    /// E, M, S, D, C, P in that order.
    levels: [Option<f64>; 6],
    merged: Option<f64>,
    divergent: bool,
    gaps: &'a crate::analysis::gaps::Gaps,
}

/// The five gaps per dimension (`by_item` false) or per item, with the levels they compare.
fn five_gap_table(report: &Report, options: &RenderOptions, by_item: bool) -> Table {
    let lang = options.lang;
    let mut table = new_table(options.color);
    let first = if by_item {
        label(lang, "item")
    } else {
        label(lang, "dimension")
    };
    header(
        &mut table,
        &[
            first,
            "E",
            "M",
            "S",
            "D",
            "C",
            "P",
            label(lang, "merged"),
            label(lang, "col_gap1"),
            label(lang, "col_gap2"),
            label(lang, "col_gap3"),
            label(lang, "col_gap4"),
            label(lang, "col_gap5"),
        ],
        options.color,
    );
    let rows: Vec<FiveGapRow> = if by_item {
        report
            .items
            .iter()
            .map(|it| {
                let r = &it.result;
                FiveGapRow {
                    label: &r.id,
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
            })
            .collect()
    } else {
        report
            .dimensions
            .iter()
            .map(|d| {
                let r = &d.result;
                FiveGapRow {
                    label: d.label.get(lang),
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
            })
            .collect()
    };
    for r in rows {
        let mut row = vec![Cell::new(r.label)];
        row.extend(r.levels.iter().map(|&x| right(num(x))));
        row.push(right(format!(
            "{}{}",
            num(r.merged),
            if r.divergent { " ⚠" } else { "" }
        )));
        for n in 1..=5 {
            row.push(gap_cell(r.gaps.get(n), None, options.color));
        }
        table.add_row(row);
    }
    table
}

fn item_table(report: &Report, options: &RenderOptions) -> Table {
    let lang = options.lang;
    let mut table = new_table(options.color);
    header(
        &mut table,
        &[
            label(lang, "item"),
            label(lang, "dimension"),
            "n",
            "E",
            "P",
            label(lang, "col_gap_pe"),
            "sd",
            label(lang, "ci95"),
            "t",
            "p",
        ],
        options.color,
    );
    for it in &report.items {
        let r = &it.result;
        let label = report
            .dimensions
            .iter()
            .find(|d| d.result.id == r.dimension)
            .map_or(r.dimension.as_str(), |d| d.label.get(lang));
        let id = if r.reverse {
            format!("{} (R)", r.id)
        } else {
            r.id.clone()
        };
        table.add_row(vec![
            Cell::new(id),
            Cell::new(label),
            right(r.n.to_string()),
            right(num(r.expected)),
            right(num(r.perceived)),
            gap_cell(r.gaps.customer, r.ci95, options.color),
            right(num(r.sd)),
            right(ci(r.ci95)),
            right(num(r.t)),
            right(p_value(r.p)),
        ]);
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

fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "<0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => "-".into(),
    }
}

fn legend(lang: Lang) -> &'static str {
    label(lang, "gap_table_legend")
}
