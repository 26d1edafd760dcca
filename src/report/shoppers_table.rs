//! The terminal layout of the five-gap table by item and of the mystery-shopper section.

use comfy_table::{Cell, Color, Table};

use super::table::{gap_cell, header, num, right};
use super::{RenderOptions, Report};
use crate::analysis::shoppers::{QuestionResult, ShopperReport};
use crate::i18n::tr;
use crate::output::new_table;

/// How many questions "missed most" lists.
const MISSED_LISTED: usize = 10;

/// A shopper whose answers sit further than this from the others' (0..1 units, i.e.
/// 10 percentage points) is marked in the calibration table.
pub const CALIBRATION_MARK: f64 = 0.10;

/// The five gaps per item, with the levels they compare.
pub(super) fn item_five_gap_table(report: &Report, options: &RenderOptions) -> Table {
    let lang = options.lang;
    let mut table = new_table(options.color);
    header(
        &mut table,
        &[
            tr(lang, "Item", "题项"),
            "E",
            "M",
            "S",
            "D",
            "C",
            "P",
            tr(lang, "Merged", "综合感知"),
            "1",
            "2",
            "3",
            "4",
            "5",
        ],
        options.color,
    );
    for it in &report.items {
        let r = &it.result;
        let mut row = vec![
            Cell::new(&r.id),
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

/// The mystery-shopper section: summary, site ranking, questions missed most, calibration.
pub(super) fn render(s: &ShopperReport, options: &RenderOptions) -> String {
    let lang = options.lang;
    let mut out = String::new();
    out.push_str(&format!(
        "{}: {} · {} {} · {} {}{} · {} {} ({})\n",
        tr(lang, "Mystery shopping", "神秘顾客"),
        s.form.title.get(lang),
        s.visits,
        tr(lang, "visits", "次走访"),
        tr(lang, "mean score", "平均得分"),
        pct(s.mean_score),
        s.ci95
            .map(|[lo, hi]| format!(" [{} … {}]", pct(Some(lo)), pct(Some(hi))))
            .unwrap_or_default(),
        tr(lang, "critical failures", "关键项不合格"),
        s.critical_failures,
        match s.form.critical {
            "zero" => tr(lang, "a failed visit scores 0", "不合格走访记 0 分"),
            _ => tr(lang, "flagged, score kept", "仅标记，保留得分"),
        },
    ));

    out.push_str(tr(lang, "Sites by mean visit score", "各网点走访得分排名"));
    out.push('\n');
    let mut sites = new_table(options.color);
    header(
        &mut sites,
        &[
            tr(lang, "Rank", "排名"),
            tr(lang, "Site", "网点"),
            tr(lang, "Visits", "走访"),
            tr(lang, "Score %", "得分 %"),
            tr(lang, "95% CI", "95% 置信区间"),
            tr(lang, "Critical failures", "关键项不合格"),
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
            Cell::new(&site.site),
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
            tr(
                lang,
                "Sites without a rank have fewer visits than the minimum:",
                "无排名的网点走访次数少于最低要求："
            ),
            s.min_visits
        ));
    }

    out.push('\n');
    out.push_str(tr(lang, "Questions missed most", "失分最多的问题"));
    out.push('\n');
    let mut missed: Vec<&QuestionResult> =
        s.questions.iter().filter(|q| q.score.is_some()).collect();
    // Stable sort: equal scores keep form order.
    missed.sort_by(|a, b| a.score.unwrap_or(1.0).total_cmp(&b.score.unwrap_or(1.0)));
    let mut questions = new_table(options.color);
    header(
        &mut questions,
        &[
            tr(lang, "Question", "问题"),
            tr(lang, "Section", "环节"),
            tr(lang, "Maps to", "对应"),
            tr(lang, "Weight", "权重"),
            tr(lang, "Critical", "关键"),
            tr(lang, "Answered", "作答"),
            "N/A",
            tr(lang, "Score %", "得分 %"),
        ],
        options.color,
    );
    for q in missed.iter().take(MISSED_LISTED) {
        questions.add_row(vec![
            Cell::new(&q.id),
            Cell::new(&q.section),
            Cell::new(q.item.as_deref().unwrap_or(&q.dimension)),
            right(format!("{}", q.weight)),
            Cell::new(if q.critical {
                format!("{} ({})", tr(lang, "yes", "是"), q.failures)
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
    out.push_str(tr(
        lang,
        "Shopper calibration (points from the other shoppers at the same sites; + lenient, − harsh)",
        "神秘顾客校准（与同一网点其他神秘顾客相比的分差；正为宽松，负为严格）",
    ));
    out.push('\n');
    let mut calibration = new_table(options.color);
    header(
        &mut calibration,
        &[
            tr(lang, "Shopper", "神秘顾客"),
            tr(lang, "Visits", "走访"),
            tr(lang, "Shared sites", "共同网点"),
            tr(lang, "Answers compared", "比较答案数"),
            tr(lang, "Deviation", "偏差"),
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
            Cell::new(&b.shopper),
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
    out.push_str(tr(
        lang,
        "⚠ more than 10 points from the others: check the shopper's briefing before trusting their scores.",
        "⚠ 与他人相差超过 10 分：采信其评分前请核查该神秘顾客的培训与说明。",
    ));
    out.push('\n');
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
