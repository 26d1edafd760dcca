//! The checklist and the importance-performance grid laid out for people: table sections
//! for `--format table` and the Markdown task list of `--checklist-only`.

use comfy_table::{Cell, CellAlignment};
use unicode_width::UnicodeWidthChar;

use super::table::num;
use super::{RenderOptions, Report};
use crate::analysis::checklist::Entry;
use crate::i18n::{tr, Lang};
use crate::output::new_table;

/// The importance-performance section (empty without weights).
pub(crate) fn ipa_section(report: &Report, options: &RenderOptions) -> String {
    let lang = options.lang;
    let Some(ipa) = &report.ipa else {
        return String::new();
    };
    let mut table = new_table(options.color);
    table.set_header(vec![
        tr(lang, "Dimension", "维度"),
        tr(lang, "Importance", "重要性"),
        tr(lang, "Performance P", "绩效 P"),
        tr(lang, "Quadrant", "象限"),
    ]);
    for p in &ipa.dimensions {
        let label = report
            .dimensions
            .iter()
            .find(|d| d.result.id == p.id)
            .map_or(p.id.as_str(), |d| d.label.get(lang));
        table.add_row(vec![
            Cell::new(label),
            right(format!("{:.0}%", p.importance * 100.0)),
            right(num(Some(p.performance))),
            Cell::new(p.quadrant.label(lang)),
        ]);
    }
    let c = &ipa.crosshair;
    let crosshair = match lang {
        Lang::En => format!(
            "Crosshair: mean importance {:.1}%, mean performance {} (a dimension on a line counts as high)",
            c.importance * 100.0,
            num(Some(c.performance))
        ),
        Lang::Zh => format!(
            "分界线：平均重要性 {:.1}%，平均绩效 {}（恰在分界线上的维度计为高）",
            c.importance * 100.0,
            num(Some(c.performance))
        ),
    };
    format!(
        "\n{}\n{table}\n{crosshair}\n",
        tr(lang, "Importance-performance analysis", "重要性-绩效分析")
    )
}

/// The checklist section of the table report.
pub(crate) fn checklist_section(report: &Report, options: &RenderOptions) -> String {
    let lang = options.lang;
    let heading = tr(lang, "Improvement checklist", "改进清单");
    if report.checklist.is_empty() {
        return format!(
            "\n{heading}\n{}\n",
            tr(
                lang,
                "No gap below the checklist threshold and no critical failure.",
                "没有低于清单阈值的差距，也没有关键问题不合格。"
            )
        );
    }
    let mut table = new_table(options.color);
    table.set_header(vec![
        "id",
        "#",
        tr(lang, "Severity", "严重程度"),
        tr(lang, "Gap", "差距"),
        tr(lang, "Dimension / item", "维度 / 题项"),
        tr(lang, "Evidence", "依据"),
        tr(lang, "Owner", "负责人"),
        tr(lang, "Due", "期限"),
        tr(lang, "Status", "状态"),
        tr(lang, "First action", "首要措施"),
    ]);
    for e in &report.checklist {
        table.add_row(vec![
            Cell::new(&e.id),
            right(e.priority.to_string()),
            Cell::new(e.severity.label(lang)),
            right(e.gap.to_string()),
            Cell::new(subject(report, e, lang)),
            Cell::new(truncate(&e.evidence.text, 90)),
            Cell::new(e.owner.as_deref().unwrap_or("-")),
            Cell::new(e.due.format("%Y-%m-%d").to_string()),
            Cell::new(status(e, lang)),
            Cell::new(e.actions.first().map_or("-".into(), |a| truncate(a, 60))),
        ]);
    }
    format!("\n{heading}\n{table}\n{}\n", due_legend(lang))
}

fn due_legend(lang: Lang) -> &'static str {
    tr(
        lang,
        "Due: period end + 14 days (critical), 30 (high), 60 (medium), 90 (watch). Full evidence and actions: --checklist-only or --format json.",
        "期限：期末 + 14 天（严重）、30 天（高）、60 天（中）、90 天（观察）。完整依据与措施：--checklist-only 或 --format json。",
    )
}

fn status(e: &Entry, lang: Lang) -> String {
    if e.overdue {
        format!(
            "{} ({})",
            e.status.label(lang),
            tr(lang, "overdue", "已逾期")
        )
    } else {
        e.status.label(lang).to_string()
    }
}

/// "Reliability" or "R3 (Reliability)" or "Q7 (Central)".
fn subject(report: &Report, e: &Entry, lang: Lang) -> String {
    let dim = e.dimension.as_deref().map(|id| {
        report
            .dimensions
            .iter()
            .find(|d| d.result.id == id)
            .map_or(id.to_string(), |d| d.label.get(lang).to_string())
    });
    match (&e.question, &e.item, dim) {
        (Some(q), _, _) => match &e.site {
            Some(s) => format!("{q} ({s})"),
            None => q.clone(),
        },
        (None, Some(item), Some(d)) => format!("{item} ({d})"),
        (None, Some(item), None) => item.clone(),
        (None, None, Some(d)) => d,
        (None, None, None) => "-".into(),
    }
}

/// Cuts `text` to at most `width` terminal columns, ending in `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width.saturating_sub(1) {
            out.push('…');
            return out;
        }
        used += w;
        out.push(c);
    }
    out
}

/// The checklist as a Markdown task list (`--checklist-only`), for an issue tracker.
pub fn markdown(report: &Report, lang: Lang) -> String {
    let mut out = format!(
        "# {} — {}\n\n",
        tr(lang, "Improvement checklist", "改进清单"),
        report.audit.title
    );
    if report.checklist.is_empty() {
        out.push_str(tr(
            lang,
            "No gap below the checklist threshold and no critical failure.\n",
            "没有低于清单阈值的差距，也没有关键问题不合格。\n",
        ));
        return out;
    }
    for e in &report.checklist {
        let mark = if e.status.is_closed() { "x" } else { " " };
        out.push_str(&format!(
            "- [{mark}] **{}. {}** `{}` — {} · {}\n",
            e.priority,
            e.title,
            e.id,
            e.severity.label(lang),
            status(e, lang)
        ));
        out.push_str(&format!(
            "  - {}: {}\n",
            tr(lang, "Evidence", "依据"),
            e.evidence.text
        ));
        out.push_str(&format!(
            "  - {}: {}\n",
            tr(lang, "Owner", "负责人"),
            e.owner.as_deref().unwrap_or("-")
        ));
        out.push_str(&format!(
            "  - {}: {}\n",
            tr(lang, "Due", "期限"),
            e.due.format("%Y-%m-%d")
        ));
        if let Some(n) = &e.notes {
            out.push_str(&format!(
                "  - {}: {}\n",
                tr(lang, "Notes", "备注"),
                n.trim()
            ));
        }
        if !e.actions.is_empty() {
            out.push_str(&format!("  - {}:\n", tr(lang, "Actions", "措施")));
            for a in &e.actions {
                out.push_str(&format!("    - {a}\n"));
            }
        }
    }
    out
}

fn right(text: impl Into<String>) -> Cell {
    Cell::new(text.into()).set_alignment(CellAlignment::Right)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_counts_wide_characters() {
        assert_eq!(truncate("abcdef", 10), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
        // Each Chinese character is two columns: 5 columns hold two and the ellipsis.
        assert_eq!(truncate("改进清单", 5), "改进…");
    }
}
