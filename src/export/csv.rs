//! The CSV report: one row per dimension or item and gap, for spreadsheets and scripts.
//!
//! Rows: `servqual` scores, then per `dimension` and `item` one row per measured gap,
//! `segment` rows (with `--by`), `shoppers` and `shopper_site` scores, `checklist`
//! entries (rank = priority), `tool` and `provenance` (file role, path, SHA-256).
//! The `level` and `id` columns are codes for scripts and stay the same in every
//! language; headers and labels follow `--lang`.
//!
//! Formula neutralising: every *text* cell (ids, labels, site names, paths, owners)
//! that starts with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so a spreadsheet
//! shows it instead of running it. *Numeric* cells are numbers this exporter formats
//! itself (`-0.52` stays `-0.52`), so they are never touched.

use std::collections::BTreeMap;

use super::{Exporter, RenderOptions, Report};
use crate::analysis::gaps::Gaps;
use crate::analysis::trend::TrendRow;
use crate::i18n::Lang;
use crate::report::labels::label;
use crate::report::{DimensionRow, ItemRow};

/// Exporter for `--format csv`.
pub struct CsvExporter;

/// Column keys; the English header is the key itself, the Chinese one its label.
const COLUMNS: [&str; 18] = [
    "segment",
    "level",
    "id",
    "dimension",
    "label",
    "gap",
    "value",
    "n",
    "sd",
    "ci_low",
    "ci_high",
    "t",
    "p",
    "previous",
    "delta",
    "p_change",
    "rank",
    "sha256",
];

/// A text cell a spreadsheet will not run: `=`, `+`, `-`, `@`, tab or CR first gets a `'`.
pub(crate) fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn number(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite())
        .map_or(String::new(), |v| v.to_string())
}

/// One row, by column key.
#[derive(Default)]
struct Row(BTreeMap<&'static str, String>);

impl Row {
    fn text(mut self, key: &'static str, value: &str) -> Self {
        self.0.insert(key, neutralise(value));
        self
    }
    fn num(mut self, key: &'static str, value: Option<f64>) -> Self {
        self.0.insert(key, number(value));
        self
    }
    fn int(mut self, key: &'static str, value: u64) -> Self {
        self.0.insert(key, value.to_string());
        self
    }
    fn cells(&self) -> Vec<&str> {
        COLUMNS
            .iter()
            .map(|k| self.0.get(k).map_or("", String::as_str))
            .collect()
    }
}

/// What a gap row needs, from a whole-audit or a segment row.
struct GapSource<'a> {
    segment: &'a str,
    level: &'static str,
    id: &'a str,
    dimension: &'a str,
    label: &'a str,
    n: u64,
    gaps: &'a Gaps,
    sd: Option<f64>,
    ci95: Option<[f64; 2]>,
    t: Option<f64>,
    p: Option<f64>,
    trend: Option<&'a TrendRow>,
}

impl<'a> GapSource<'a> {
    /// The whole audit's row of a dimension, with its trend if any.
    fn dimension(d: &'a DimensionRow, lang: Lang, trend: Option<&'a TrendRow>) -> Self {
        let r = &d.result;
        GapSource {
            segment: "",
            level: "dimension",
            id: &r.id,
            dimension: &r.id,
            label: d.label.get(lang),
            n: r.n,
            gaps: &r.gaps,
            sd: r.sd,
            ci95: r.ci95,
            t: None,
            p: None,
            trend,
        }
    }

    /// A row with the columns that say what it is about: segment, level, id, dimension
    /// and label.
    fn row(&self) -> Row {
        Row::default()
            .text("segment", self.segment)
            .text("level", self.level)
            .text("id", self.id)
            .text("dimension", self.dimension)
            .text("label", self.label)
    }

    /// The whole audit's row of an item, with its trend if any.
    fn item(it: &'a ItemRow, lang: Lang, trend: Option<&'a TrendRow>) -> Self {
        let r = &it.result;
        GapSource {
            segment: "",
            level: "item",
            id: &r.id,
            dimension: &r.dimension,
            label: it.text.get(lang),
            n: r.n,
            gaps: &r.gaps,
            sd: r.sd,
            ci95: r.ci95,
            t: r.t,
            p: r.p,
            trend,
        }
    }
}

fn gap_rows(src: &GapSource, out: &mut Vec<Row>) {
    for gap in 1..=5u8 {
        let Some(value) = src.gaps.get(gap) else {
            continue;
        };
        let mut row = src
            .row()
            .int("gap", u64::from(gap))
            .num("value", Some(value));
        // n, spread, interval and tests belong to the customer gap.
        if gap == 5 {
            row = row
                .int("n", src.n)
                .num("sd", src.sd)
                .num("ci_low", src.ci95.map(|c| c[0]))
                .num("ci_high", src.ci95.map(|c| c[1]))
                .num("t", src.t)
                .num("p", src.p);
            if let Some(t) = src.trend {
                row = row
                    .num("previous", t.previous)
                    .num("delta", t.delta)
                    .num("p_change", t.p);
            }
        }
        out.push(row);
    }
}

/// The rows of a perception-only (SERVPERF) audit: `method` (`servperf`, with the
/// sentence saying what that means), the `servperf` scores, and per dimension and item
/// a row of gap `P` (mean P with its n, sd and interval) and, where a standard is set,
/// one of gap `P-S`. Nothing for a SERVQUAL audit.
fn servperf_rows(report: &Report, lang: Lang, out: &mut Vec<Row>) {
    let Some(servperf) = &report.servperf else {
        return;
    };
    out.push(
        Row::default()
            .text("level", "method")
            .text("id", "servperf")
            .text("label", label(lang, "servperf_audit")),
    );
    out.extend(score_rows(
        "servperf",
        [servperf.score.unweighted, servperf.score.weighted],
        lang,
    ));
    let dimensions = report.dimensions.iter().map(|d| {
        let r = &d.result;
        (
            GapSource::dimension(d, lang, None),
            r.perceived,
            r.perceived_vs_standard,
        )
    });
    let items = report.items.iter().map(|it| {
        let r = &it.result;
        (
            GapSource::item(it, lang, None),
            r.perceived,
            r.perceived_vs_standard,
        )
    });
    for (src, perceived, against_standard) in dimensions.chain(items) {
        out.push(perception_row(&src, perceived));
        if against_standard.is_some() {
            out.push(standard_row(&src, against_standard));
        }
    }
}

/// A row of gap `P`: mean P with its n, sd and interval (a perception-only audit).
fn perception_row(src: &GapSource, perceived: Option<f64>) -> Row {
    src.row()
        .text("gap", "P")
        .num("value", perceived)
        .int("n", src.n)
        .num("sd", src.sd)
        .num("ci_low", src.ci95.map(|c| c[0]))
        .num("ci_high", src.ci95.map(|c| c[1]))
}

/// A row of gap `P-S`: the perception against the standard.
fn standard_row(src: &GapSource, value: Option<f64>) -> Row {
    src.row().text("gap", "P-S").num("value", value)
}

/// The rows of a score's two forms, `[unweighted, weighted]`, at `level`.
fn score_rows(level: &str, [unweighted, weighted]: [Option<f64>; 2], lang: Lang) -> [Row; 2] {
    [("unweighted", unweighted), ("weighted", weighted)].map(|(key, value)| {
        Row::default()
            .text("level", level)
            .text("id", key)
            .text("label", label(lang, key))
            .num("value", value)
    })
}

/// The history (`--history`): per period (its name in `segment`, oldest first) a
/// `history_servqual` row per score, then a `history` row per dimension and measured gap,
/// gap 5 with the change against the period before in `previous`, `delta`, `p_change`.
fn history_rows(
    history: &[crate::analysis::history::HistoryPeriod],
    lang: Lang,
    dim_label: &dyn Fn(&str) -> String,
    rows: &mut Vec<Row>,
) {
    let mut before: Option<&crate::analysis::history::HistoryPeriod> = None;
    for p in history {
        rows.extend(
            score_rows(
                "history_servqual",
                [p.servqual.unweighted, p.servqual.weighted],
                lang,
            )
            .map(|row| {
                row.text("segment", &p.period.name)
                    .int("n", p.respondents.customers)
            }),
        );
        for d in &p.dimensions {
            let previous = before.and_then(|b| b.dimensions.iter().find(|x| x.id == d.id));
            let change = d.change.map(|c| TrendRow {
                id: d.id.clone(),
                previous: previous.and_then(|b| b.gaps.customer),
                current: d.gaps.customer,
                delta: Some(c.delta),
                previous_n: previous.map_or(0, |b| b.n),
                n: d.n,
                t: c.t,
                df: c.df,
                p: c.p,
                significant: c.significant,
            });
            gap_rows(
                &GapSource {
                    segment: &p.period.name,
                    level: "history",
                    id: &d.id,
                    dimension: &d.id,
                    label: &dim_label(&d.id),
                    n: d.n,
                    gaps: &d.gaps,
                    sd: None,
                    ci95: None,
                    t: None,
                    p: None,
                    trend: change.as_ref(),
                },
                rows,
            );
        }
        before = Some(p);
    }
}

impl Exporter for CsvExporter {
    fn render(&self, report: &Report, options: &RenderOptions) -> anyhow::Result<Vec<u8>> {
        let lang = options.lang;
        let mut rows: Vec<Row> = Vec::new();
        fn trend_of<'a>(list: Option<&'a Vec<TrendRow>>, id: &str) -> Option<&'a TrendRow> {
            list.and_then(|l| l.iter().find(|t| t.id == id))
        }
        let trend_dims = report.trend.as_ref().map(|t| &t.dimensions);
        let trend_items = report.trend.as_ref().map(|t| &t.items);
        let dim_label = |id: &str| {
            report
                .dimensions
                .iter()
                .find(|d| d.result.id == id)
                .map_or(id.to_string(), |d| d.label.get(lang).to_string())
        };
        rows.extend(score_rows(
            "servqual",
            [report.servqual.unweighted, report.servqual.weighted],
            lang,
        ));
        servperf_rows(report, lang, &mut rows);
        for d in &report.dimensions {
            let trend = trend_of(trend_dims, &d.result.id);
            gap_rows(&GapSource::dimension(d, lang, trend), &mut rows);
        }
        for it in &report.items {
            let trend = trend_of(trend_items, &it.result.id);
            gap_rows(&GapSource::item(it, lang, trend), &mut rows);
        }
        if let Some(segments) = &report.segments {
            for s in &segments.segments {
                let mut row = Row::default()
                    .text("segment", &s.name)
                    .text("level", "segment")
                    .text("id", &segments.by)
                    .num("value", super::servperf_view::segment_scores(s).unweighted)
                    .int("n", s.respondents);
                if let Some(rank) = s.rank {
                    row = row.int("rank", u64::from(rank));
                }
                rows.push(row);
                for (level, list) in [("dimension", &s.dimensions), ("item", &s.items)] {
                    for r in list {
                        let dimension = if level == "dimension" {
                            r.id.to_string()
                        } else {
                            report
                                .items
                                .iter()
                                .find(|i| *i.result.id == *r.id)
                                .map_or(String::new(), |i| i.result.dimension.clone())
                        };
                        let text = if level == "dimension" {
                            dim_label(&r.id)
                        } else {
                            report
                                .items
                                .iter()
                                .find(|i| *i.result.id == *r.id)
                                .map_or(String::new(), |i| i.text.get(lang).to_string())
                        };
                        let source = GapSource {
                            segment: &s.name,
                            level,
                            id: &r.id,
                            dimension: &dimension,
                            label: &text,
                            n: r.n,
                            gaps: &r.gaps.all(),
                            sd: r.sd,
                            ci95: r.ci95,
                            t: None,
                            p: None,
                            trend: None,
                        };
                        gap_rows(&source, &mut rows);
                        // A perception-only segment: its P instead of a gap.
                        if s.servperf.is_some() {
                            rows.push(perception_row(&source, r.perceived));
                        }
                    }
                }
            }
        }
        if let Some(history) = &report.history {
            history_rows(history, lang, &dim_label, &mut rows);
        }
        if let Some(sh) = &report.shoppers {
            rows.push(
                Row::default()
                    .text("level", "shoppers")
                    .text("id", "mean_score")
                    .text("label", label(lang, "mean_score"))
                    .num("value", sh.mean_score)
                    .int("n", sh.visits)
                    .num("ci_low", sh.ci95.map(|c| c[0]))
                    .num("ci_high", sh.ci95.map(|c| c[1])),
            );
            for site in &sh.by_site {
                let mut row = Row::default()
                    .text("segment", &site.site)
                    .text("level", "shopper_site")
                    .text("id", "mean_score")
                    .text("label", label(lang, "mean_score"))
                    .num("value", site.mean_score)
                    .int("n", site.visits)
                    .num("ci_low", site.ci95.map(|c| c[0]))
                    .num("ci_high", site.ci95.map(|c| c[1]));
                if let Some(rank) = site.rank {
                    row = row.int("rank", u64::from(rank));
                }
                rows.push(row);
            }
        }
        for e in &report.checklist {
            let mut row = Row::default()
                .text("segment", e.site.as_deref().unwrap_or_default())
                .text("level", "checklist")
                .text("id", &e.id)
                .text("dimension", e.dimension.as_deref().unwrap_or_default())
                .text("label", &e.evidence.text)
                .int("gap", u64::from(e.gap))
                .num("value", e.evidence.figures.value)
                .int("rank", u64::from(e.priority));
            if let Some(n) = e.evidence.figures.n {
                row = row.int("n", n);
            }
            rows.push(row);
        }
        let p = &report.provenance;
        rows.push(
            Row::default()
                .text("level", "tool")
                .text("id", p.tool)
                .text("label", p.tool_version),
        );
        if let Some(at) = &p.generated_at {
            rows.push(
                Row::default()
                    .text("level", "generated_at")
                    .text("label", at),
            );
        }
        for f in &p.files {
            rows.push(
                Row::default()
                    .text("level", "provenance")
                    .text("id", &f.role)
                    .text("label", &f.path)
                    .text("sha256", &f.sha256),
            );
        }
        let mut writer = csv::Writer::from_writer(Vec::new());
        let header: Vec<&str> = COLUMNS
            .iter()
            .map(|k| match lang {
                Lang::En => *k,
                Lang::Zh => label(Lang::Zh, k),
            })
            .collect();
        writer.write_record(&header)?;
        for row in &rows {
            writer.write_record(row.cells())?;
        }
        Ok(writer.into_inner().map_err(|e| e.into_error())?)
    }
}

/// Columns of the checklist CSV (`--checklist-only --format csv`), the fields an issue
/// tracker or a spreadsheet of actions needs; codes stay codes in every language.
pub const CHECKLIST_COLUMNS: [&str; 17] = [
    "id",
    "severity",
    "priority",
    "group",
    "gap",
    "dimension",
    "item",
    "title",
    "evidence",
    "owner",
    "due",
    "status",
    "question",
    "site",
    "covers",
    "overdue",
    "actions",
];

/// The checklist as CSV: one row per entry, every entry (current and carried over), in
/// priority order; text cells neutralised, actions joined by ` | `.
pub fn checklist_csv(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CHECKLIST_COLUMNS)?;
    for e in &report.checklist {
        let text = |s: &str| neutralise(s);
        let opt = |s: &Option<String>| neutralise(s.as_deref().unwrap_or_default());
        writer.write_record([
            text(&e.id),
            e.severity.word().to_string(),
            e.priority.to_string(),
            text(&e.group),
            e.gap.to_string(),
            opt(&e.dimension),
            opt(&e.item),
            text(&e.title),
            text(&e.evidence.text),
            opt(&e.owner),
            e.due.format("%Y-%m-%d").to_string(),
            e.status.word().to_string(),
            opt(&e.question),
            opt(&e.site),
            text(&e.covers.join(" ")),
            e.overdue.to_string(),
            text(&e.actions.join(" | ")),
        ])?;
    }
    Ok(writer.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        for s in ["+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(neutralise("North"), "North");
        // Numbers this exporter writes itself are not text cells and stay negative.
        assert_eq!(number(Some(-0.5)), "-0.5");
    }
}
