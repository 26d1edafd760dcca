//! The terminal report: the gap tables laid out with comfy-table.

use comfy_table::{Attribute, Cell, CellAlignment, Color, Table};

use super::{Exporter, RenderOptions, Report};
use crate::i18n::{tr, Lang};
use crate::output::new_table;

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
            tr(lang, "period", "期间"),
            a.period.start,
            a.period.end,
            tr(lang, "customers", "顾客"),
            report.respondents.customers,
            tr(lang, "managers", "管理者"),
            report.respondents.management,
        ));

        out.push_str(tr(
            lang,
            "Customer gap (gap 5) by dimension",
            "各维度顾客差距（差距5）",
        ));
        out.push('\n');
        out.push_str(&dimension_table(report, options).to_string());
        out.push('\n');
        let s = &report.servqual;
        out.push_str(&format!(
            "{}: {}   {}: {}",
            tr(
                lang,
                "SERVQUAL score, unweighted",
                "SERVQUAL 得分（未加权）"
            ),
            num(s.unweighted),
            tr(lang, "weighted", "加权"),
            num(s.weighted),
        ));
        if s.weighted_per_respondent.is_some() {
            out.push_str(&format!(
                "   {}: {}",
                tr(lang, "weighted per respondent", "按受访者加权"),
                num(s.weighted_per_respondent)
            ));
        }
        out.push_str("\n\n");

        if has_other_gaps(report) {
            out.push_str(tr(lang, "Five gaps by dimension", "各维度五差距"));
            out.push('\n');
            out.push_str(&five_gap_table(report, options).to_string());
            out.push('\n');
            out.push_str(legend(lang));
            out.push('\n');
            out.push('\n');
            out.push_str(tr(lang, "Five gaps by item", "各题项五差距"));
            out.push('\n');
            out.push_str(&super::shoppers_table::item_five_gap_table(report, options).to_string());
            out.push('\n');
        }
        if let Some(shoppers) = &report.shoppers {
            out.push('\n');
            out.push_str(&super::shoppers_table::render(shoppers, options));
            out.push('\n');
        }

        out.push_str(tr(lang, "Items", "题项"));
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
        tr(lang, "Dimension", "维度"),
        tr(lang, "Weight", "权重"),
        "n",
        tr(lang, "E", "期望 E"),
        tr(lang, "P", "感知 P"),
        tr(lang, "Gap P-E", "差距 P-E"),
        tr(lang, "95% CI", "95% 置信区间"),
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

fn five_gap_table(report: &Report, options: &RenderOptions) -> Table {
    let lang = options.lang;
    let mut table = new_table(options.color);
    header(
        &mut table,
        &[
            tr(lang, "Dimension", "维度"),
            "E",
            "M",
            "S",
            "D",
            "C",
            "P",
            tr(lang, "Merged", "综合感知"),
            tr(lang, "1 knowledge", "1 认知"),
            tr(lang, "2 standards", "2 标准"),
            tr(lang, "3 delivery", "3 交付"),
            tr(lang, "4 communication", "4 沟通"),
            tr(lang, "5 customer", "5 顾客"),
        ],
        options.color,
    );
    for d in &report.dimensions {
        let r = &d.result;
        let mut row = vec![
            Cell::new(d.label.get(lang)),
            right(num(r.expected)),
            right(num(r.management)),
            right(num(r.standard)),
            right(num(r.shopper)),
            right(num(r.promise)),
            right(num(r.perceived)),
            right(format!(
                "{}{}",
                num(r.merged),
                if r.divergent { " ⚠" } else { "" }
            )),
        ];
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
            tr(lang, "Item", "题项"),
            tr(lang, "Dimension", "维度"),
            "n",
            "E",
            "P",
            tr(lang, "Gap P-E", "差距 P-E"),
            "sd",
            tr(lang, "95% CI", "95% 置信区间"),
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

/// Two decimals, or `-` where not measured.
pub(crate) fn num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.2}");
            // "-0.00" reads as a shortfall that is not there.
            if s == "-0.00" {
                "0.00".into()
            } else {
                s
            }
        }
        _ => "-".into(),
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
    tr(
        lang,
        "Gaps (negative = shortfall) and what closes them:
  1 knowledge      M - E  managers misjudge what customers expect: customer research, complaint analysis
  2 standards      S - M  standards below what managers know customers want: measurable standards
  3 delivery       D - S  service falls short of the standard: monitoring, training, empowerment
  4 communication  D - C  delivery falls short of what was promised: align promises with delivery
  5 customer       P - E  customers get less than they expect: close gaps 1-4, recover failures
  ⚠ customers and mystery shoppers disagree by more than the divergence threshold
",
        "差距（负值为不足）及其对策：
  1 认知  M - E  管理者误判顾客期望：顾客调研、投诉分析
  2 标准  S - M  标准低于管理者所知的顾客期望：制定可衡量的标准
  3 交付  D - S  服务未达标准：绩效监控、培训、授权
  4 沟通  D - C  交付未达对外承诺：使承诺与交付一致
  5 顾客  P - E  顾客所得低于期望：弥合差距1-4，做好服务补救
  ⚠ 顾客与神秘顾客的评价差异超过阈值
",
    )
}
