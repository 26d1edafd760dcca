//! Rendering the report templates (templates/report.*.j2) with minijinja.
//!
//! Templates see the report as its JSON form (`r`), so sections other modules add to
//! the [`Report`] (shoppers, checklist, ...) render by their JSON field names (docs/json.md) as soon
//! as they are filled, and stay hidden while they are `null` or empty. User text is
//! escaped on output: HTML escaping for the HTML report, Markdown escaping for the
//! Markdown report; only the SVG charts this crate builds are marked safe.

use std::collections::BTreeMap;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{escape_formatter, AutoEscape, Environment, Value};

use super::table::num;
use super::{RenderOptions, Report};
use crate::i18n::Lang;
use crate::report::checklist::{severity_label, status_label};
use crate::report::labels::{label, labels};

/// The Markdown report template.
pub const MARKDOWN: &str = include_str!("../../templates/report.md.j2");
/// The HTML report template.
pub const HTML: &str = include_str!("../../templates/report.html.j2");

/// How a template's output is escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// HTML escaping of every value not marked safe.
    Html,
    /// Markdown escaping (table pipes, emphasis, raw HTML) of every string.
    Markdown,
}

/// Renders template `source` over `report`, with `extra` context (e.g. charts).
pub fn render(
    source: &str,
    escape: Escape,
    report: &Report,
    options: &RenderOptions,
    extra: BTreeMap<&'static str, Value>,
) -> anyhow::Result<String> {
    let env = environment(escape, options.lang)?;
    let mut context: BTreeMap<&'static str, Value> = extra;
    context.insert("r", Value::from(Serde(report)));
    context.insert("L", Value::from(Serde(labels(options.lang))));
    context.insert(
        "lang",
        Value::from(match options.lang {
            Lang::En => "en",
            Lang::Zh => "zh",
        }),
    );
    context.insert("facts", Value::from(Serde(Facts::of(report, options.lang))));
    if options.scorecards {
        context.insert(
            "scorecards",
            Value::from(Serde(super::scorecards::scorecards(report, options.lang))),
        );
    }
    context.insert(
        "cl",
        Value::from(Serde(super::checklist_view::digest(
            report,
            options.lang,
            super::checklist_view::SHOWN_ENTRIES,
        ))),
    );
    let name = match escape {
        Escape::Html => "report.html",
        Escape::Markdown => "report.md",
    };
    let template = env.template_from_named_str(name, source)?;
    let mut out = template.render(Value::from(context))?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// What templates would find awkward to work out: lookups and presence flags.
#[derive(Debug, serde::Serialize)]
struct Facts {
    /// Dimension label by id, in the report language.
    dims: BTreeMap<String, String>,
    /// Any gap other than gap 5 measured.
    other_gaps: bool,
    /// Any zone-of-tolerance value measured.
    zone: bool,
    /// Trend rows by dimension id.
    trend_dims: BTreeMap<String, serde_json::Value>,
    /// Trend rows by item id.
    trend_items: BTreeMap<String, serde_json::Value>,
    /// Severity and status of each checklist entry in the report language, in order.
    checklist: Vec<EntryWords>,
    /// Indexes of the segments in ranking order: ranked by rank, then the unranked.
    segment_order: Vec<usize>,
    /// Alpha and the weakest item per dimension; empty when no dimension has an alpha.
    reliability: Vec<ReliabilityWords>,
}

/// One dimension's reliability row, in the report language.
#[derive(Debug, serde::Serialize)]
struct ReliabilityWords {
    dimension: String,
    alpha: Option<f64>,
    alpha_ci95: Option<[f64; 2]>,
    /// The weakest item's id and short label, r and alpha without it.
    item: Option<String>,
    short: Option<String>,
    item_total_r: Option<f64>,
    alpha_if_deleted: Option<f64>,
}

/// The words of one checklist entry that the JSON form keeps as codes.
#[derive(Debug, serde::Serialize)]
struct EntryWords {
    severity: &'static str,
    status: String,
    /// Ticked in the task list (done or resolved).
    closed: bool,
}

impl Facts {
    fn of(report: &Report, lang: Lang) -> Facts {
        let by_id = |rows: Option<&Vec<crate::analysis::trend::TrendRow>>| {
            rows.into_iter()
                .flatten()
                .map(|r| {
                    (
                        r.id.clone(),
                        serde_json::to_value(r).unwrap_or(serde_json::Value::Null),
                    )
                })
                .collect()
        };
        Facts {
            dims: report
                .dimensions
                .iter()
                .map(|d| (d.result.id.clone(), d.label.get(lang).to_string()))
                .collect(),
            other_gaps: report
                .dimensions
                .iter()
                .any(|d| (1..=4).any(|n| d.result.gaps.get(n).is_some())),
            zone: report
                .items
                .iter()
                .any(|i| i.result.adequate.is_some() || i.result.desired.is_some()),
            trend_dims: by_id(report.trend.as_ref().map(|t| &t.dimensions)),
            trend_items: by_id(report.trend.as_ref().map(|t| &t.items)),
            checklist: report
                .checklist
                .iter()
                .map(|e| EntryWords {
                    severity: severity_label(e.severity, lang),
                    status: if e.overdue {
                        format!(
                            "{} ({})",
                            status_label(e.status, lang),
                            label(lang, "overdue")
                        )
                    } else {
                        status_label(e.status, lang).to_string()
                    },
                    closed: e.status.is_closed(),
                })
                .collect(),
            segment_order: report
                .segments
                .as_ref()
                .map(|s| segment_order(&s.segments))
                .unwrap_or_default(),
            reliability: reliability_words(report, lang),
        }
    }
}

/// The reliability rows every format shows, worded; empty without any alpha.
fn reliability_words(report: &Report, lang: Lang) -> Vec<ReliabilityWords> {
    let rows = super::reliability_rows(report);
    if rows.iter().all(|r| r.alpha.is_none()) {
        return Vec::new();
    }
    rows.into_iter()
        .map(|row| {
            let weakest = row.weakest.and_then(|i| report.items.get(i));
            ReliabilityWords {
                dimension: report
                    .dimensions
                    .get(row.dimension)
                    .map_or(String::new(), |d| d.label.get(lang).to_string()),
                alpha: row.alpha,
                alpha_ci95: row.alpha_ci95,
                item: weakest.map(|it| it.result.id.clone()),
                short: weakest.map(|it| it.short.get(lang).to_string()),
                item_total_r: weakest.and_then(|it| it.result.item_total_r),
                alpha_if_deleted: weakest.and_then(|it| it.result.alpha_if_deleted),
            }
        })
        .collect()
}

/// Ranked segments by rank, then the unranked ones in their own (name) order.
pub(crate) fn segment_order(segments: &[crate::analysis::segments::Segment]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..segments.len()).collect();
    // Stable sort: unranked segments keep their order after all ranked ones.
    order.sort_by_key(|&i| segments[i].rank.unwrap_or(u32::MAX));
    order
}

fn environment(escape: Escape, lang: Lang) -> anyhow::Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    match escape {
        Escape::Html => env.set_auto_escape_callback(|_| AutoEscape::Html),
        Escape::Markdown => {
            env.set_auto_escape_callback(|_| AutoEscape::None);
            env.set_formatter(|out, state, value| match value.as_str() {
                Some(s) if !value.is_safe() => out
                    .write_str(&markdown_escape(s))
                    .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure)),
                _ => escape_formatter(out, state, value),
            });
        }
    }
    env.add_filter("num", |v: Value| num(float(&v)));
    env.add_filter("signed", |v: Value| signed(float(&v)));
    // A shopper's calibration deviation (a fraction of the scale) in points of 100,
    // one decimal, with its sign.
    env.add_filter("points", |v: Value| match float(&v) {
        Some(x) => format!("{:+.1}", x * 100.0),
        None => "–".into(),
    });
    env.add_filter("pct", |v: Value| match float(&v) {
        Some(x) => format!("{:.0}%", x * 100.0),
        None => "–".into(),
    });
    // Values already in percent (visit scores 0..100), not fractions.
    env.add_filter("percent", |v: Value| match float(&v) {
        Some(x) => format!("{x:.0}%"),
        None => "–".into(),
    });
    env.add_filter("ci_percent", |v: Value| match ci(&v) {
        Some((lo, hi)) => format!("{lo:.0} … {hi:.0}%"),
        None => "–".into(),
    });
    env.add_filter("ci", |v: Value| match ci(&v) {
        Some((lo, hi)) => format!("{} … {}", num(Some(lo)), num(Some(hi))),
        None => "–".into(),
    });
    env.add_filter("pval", |v: Value| p_value(float(&v)));
    env.add_filter("arrow", |row: Value| arrow(&row));
    env.add_filter("hist", |row: Value| history_cell(&row));
    env.add_filter("t", move |v: Value| text(&v, lang));
    env.add_filter("seg", move |v: Value| match v.as_str() {
        Some("") | None => label(lang, "blank").to_string(),
        Some(s) => s.to_string(),
    });
    // A file's role (`audit`, `customers`, ...) in the report language.
    env.add_filter("role", move |v: Value| {
        let role = v.as_str().unwrap_or_default().to_string();
        match ROLE_LABELS.iter().find(|(r, _)| *r == role) {
            Some((_, key)) => label(lang, key).to_string(),
            None => role,
        }
    });
    env.add_filter("yesno", move |v: Value| {
        label(lang, if v.is_true() { "yes" } else { "no" }).to_string()
    });
    Ok(env)
}

/// Provenance roles and their label keys.
pub(crate) const ROLE_LABELS: &[(&str, &str)] = &[
    ("audit", "role_audit"),
    ("customers", "role_customers"),
    ("management", "role_management"),
    ("shoppers", "role_shoppers"),
    ("form", "role_form"),
    ("actions", "role_actions"),
    ("baseline", "role_baseline"),
];

/// A number from a template value; `None` for null, undefined and non-numbers.
pub(crate) fn float(v: &Value) -> Option<f64> {
    if v.is_none() || v.is_undefined() {
        return None;
    }
    f64::try_from(v.clone()).ok().filter(|x| x.is_finite())
}

fn ci(v: &Value) -> Option<(f64, f64)> {
    let lo = float(&v.get_item_by_index(0).ok()?)?;
    let hi = float(&v.get_item_by_index(1).ok()?)?;
    Some((lo, hi))
}

/// A p value as the human formats write it: `<0.001`, `0.042`, or `–`.
pub(crate) fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "<0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => "–".into(),
    }
}

/// A change with its sign, `+0.12`, or `–` where not measured.
pub(crate) fn signed(x: Option<f64>) -> String {
    match x {
        Some(v) if v > 0.0 && num(Some(v)) != "0.00" => format!("+{}", num(Some(v))),
        other => num(other),
    }
}

/// `▲ +0.12*`: the direction of a trend row's change, its size, `*` if significant.
fn arrow(row: &Value) -> String {
    let delta = row.get_attr("delta").ok().and_then(|d| float(&d));
    let significant = row.get_attr("significant").is_ok_and(|s| s.is_true());
    trend_mark(delta, significant)
}

/// `-0.33▲*`: a gap of the history and the direction of its change against the period
/// before (`*` if significant); the gap alone for the first period, `-` unmeasured.
pub(crate) fn history_mark(gap: Option<f64>, change: Option<(f64, bool)>) -> String {
    match change {
        Some((delta, significant)) => {
            let mark = trend_mark(Some(delta), significant);
            let arrow = mark.split(' ').next().unwrap_or_default();
            let star = if significant { "*" } else { "" };
            format!("{}{arrow}{star}", num(gap))
        }
        None => num(gap),
    }
}

/// [`history_mark`] of a dimension of the history in its JSON form.
fn history_cell(row: &Value) -> String {
    let gap = row
        .get_attr("gaps")
        .and_then(|g| g.get_item(&Value::from("5")))
        .ok();
    let change = row.get_attr("change").ok().filter(|c| !c.is_none());
    let change = change.and_then(|c| {
        let delta = float(&c.get_attr("delta").ok()?)?;
        Some((delta, c.get_attr("significant").is_ok_and(|s| s.is_true())))
    });
    history_mark(gap.and_then(|g| float(&g)), change)
}

/// `▲ +0.12*`, `▼ -0.30`, `= 0.00` or `–`: a change, its direction and whether it is
/// significant, as every human format writes it.
pub(crate) fn trend_mark(delta: Option<f64>, significant: bool) -> String {
    match delta {
        None => "–".into(),
        Some(d) => {
            let mark = if num(Some(d.abs())) == "0.00" {
                "="
            } else if d > 0.0 {
                "▲"
            } else {
                "▼"
            };
            format!(
                "{mark} {}{}",
                signed(Some(d)),
                if significant { "*" } else { "" }
            )
        }
    }
}

/// A `{en, zh}` text in `lang` (English where Chinese is missing); strings as they are.
fn text(v: &Value, lang: Lang) -> String {
    if let Some(s) = v.as_str() {
        return s.to_string();
    }
    let pick = |key: &str| {
        v.get_attr(key)
            .ok()
            .and_then(|s| s.as_str().map(str::to_string))
    };
    let zh = if lang == Lang::Zh { pick("zh") } else { None };
    zh.or_else(|| pick("en")).unwrap_or_default()
}

/// Escapes text for a Markdown table cell or line: no pipes, emphasis, links or raw HTML.
pub(crate) fn markdown_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' | '\t' => out.push(' '),
            // Other control characters (escape sequences, bell) are shown, not obeyed.
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escape_neutralises_tables_and_html() {
        assert_eq!(
            markdown_escape("a|b <script>*x*\nnext"),
            r"a\|b &lt;script&gt;\*x\* next"
        );
    }

    #[test]
    fn markdown_escape_shows_control_characters() {
        assert_eq!(markdown_escape("Old\u{1b}[2JTown"), "Old\\u{1b}\\[2JTown");
    }

    #[test]
    fn arrows_show_direction_size_and_significance() {
        let row =
            |d: f64, s: bool| Value::from(Serde(serde_json::json!({"delta": d, "significant": s})));
        assert_eq!(arrow(&row(0.123, true)), "▲ +0.12*");
        assert_eq!(arrow(&row(-0.5, false)), "▼ -0.50");
        assert_eq!(arrow(&row(0.001, false)), "= 0.00");
        assert_eq!(arrow(&Value::from(())), "–");
    }
}
