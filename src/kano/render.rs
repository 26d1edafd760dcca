//! Kano results as JSON (`servqual.kano/v1`) and as a terminal table.

use comfy_table::{Attribute, Cell, CellAlignment, Color};
use serde::Serialize;

use super::{Class, FeatureResult, KanoReport};
use crate::i18n::{tr, Lang};
use crate::problem::{shorten, MAX_QUOTED_CHARS};

/// The JSON schema name.
pub const SCHEMA: &str = "servqual.kano/v1";

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    features: Vec<JsonFeature<'a>>,
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct JsonCounts {
    A: u64,
    O: u64,
    M: u64,
    I: u64,
    R: u64,
    Q: u64,
}

#[derive(Serialize)]
struct JsonFeature<'a> {
    id: &'a str,
    text: &'a str,
    item: Option<&'a str>,
    n: u64,
    counts: JsonCounts,
    category: Option<String>,
    better: Option<f64>,
    worse: Option<f64>,
    total_strength: Option<f64>,
    guidance: Option<&'static str>,
    guidance_text: Option<&'static str>,
}

fn json_feature(f: &FeatureResult, lang: Lang) -> JsonFeature<'_> {
    let c = &f.counts;
    let guidance = f.guidance();
    JsonFeature {
        id: &f.feature.id,
        text: f.feature.text.get(lang),
        item: f.feature.item.as_deref(),
        n: c.n(),
        counts: JsonCounts {
            A: c.a,
            O: c.o,
            M: c.m,
            I: c.i,
            R: c.r,
            Q: c.q,
        },
        category: f.category.as_ref().map(ToString::to_string),
        better: c.better(),
        worse: c.worse(),
        total_strength: c.total_strength(),
        guidance: guidance.map(|g| g.word()),
        guidance_text: guidance.map(|g| g.text(lang)),
    }
}

/// The report as pretty JSON with a final newline; texts in `lang`, numbers unrounded.
pub fn render_json(report: &KanoReport, lang: Lang) -> anyhow::Result<String> {
    let doc = JsonReport {
        schema: SCHEMA,
        features: report
            .features
            .iter()
            .map(|f| json_feature(f, lang))
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}

/// Width the table is wrapped to.
const TABLE_WIDTH: u16 = 120;

/// The part of a guidance sentence before its colon.
fn headline(text: &str) -> &str {
    text.split([':', '：']).next().unwrap_or(text)
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |x| format!("{x:.3}"))
}

fn class_color(class: Class) -> Color {
    match class {
        Class::M => Color::Red,
        Class::O => Color::Yellow,
        Class::A => Color::Green,
        Class::I => Color::DarkGrey,
        Class::R | Class::Q => Color::Magenta,
    }
}

fn feature_label(f: &FeatureResult, lang: Lang) -> String {
    let text = f.feature.text.get(lang);
    let mut label = if text == f.feature.id {
        text.to_string()
    } else {
        format!("{text} ({})", f.feature.id)
    };
    if let Some(item) = &f.feature.item {
        label.push_str(&format!(" [{item}]"));
    }
    label
}

/// The report as a table (numbers to 3 decimals), with a title and a legend; ANSI
/// styling only if `color`.
pub fn render_table(report: &KanoReport, lang: Lang, color: bool) -> String {
    let mut table = crate::output::new_table(color);
    // Feature texts are long: wrap them so the table fits a terminal of TABLE_WIDTH
    // columns (a fixed width, so the output does not depend on the terminal).
    table
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_width(TABLE_WIDTH);
    let headers = [
        tr(lang, "feature", "功能"),
        "n",
        "A",
        "O",
        "M",
        "I",
        "R",
        "Q",
        tr(lang, "category", "类别"),
        "Better",
        "Worse",
        tr(lang, "strength", "总强度"),
        tr(lang, "guidance", "建议"),
    ];
    table.set_header(headers.iter().map(|h| {
        let cell = Cell::new(h);
        if color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }));
    for f in &report.features {
        let c = &f.counts;
        let category = match &f.category {
            None => Cell::new("-"),
            Some(cat) => {
                // The letter only; the legend below names the classes.
                let text = cat.to_string();
                let cell = Cell::new(text);
                if color {
                    cell.fg(class_color(cat.primary()))
                } else {
                    cell
                }
            }
        };
        // The headline of the guidance ("invest first"); the sentences follow the table.
        let guidance = f.guidance().map_or("-", |g| headline(g.text(lang)));
        table.add_row(vec![
            // Cut: laying out a cell costs more than its length, and nobody reads a page.
            Cell::new(shorten(&feature_label(f, lang), MAX_QUOTED_CHARS)),
            Cell::new(c.n()),
            Cell::new(c.a),
            Cell::new(c.o),
            Cell::new(c.m),
            Cell::new(c.i),
            Cell::new(c.r),
            Cell::new(c.q),
            category,
            Cell::new(number(c.better())),
            Cell::new(number(c.worse())),
            Cell::new(number(c.total_strength())),
            Cell::new(guidance),
        ]);
    }
    // Give the feature text room, and keep a guidance headline ("differentiate") whole
    // (widths include the padding).
    for (index, width) in [(0, 28), (12, 15)] {
        if let Some(column) = table.column_mut(index) {
            column.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(
                comfy_table::Width::Fixed(width),
            ));
        }
    }
    for index in 1..=11 {
        if index == 8 {
            continue;
        }
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }

    let mut out = String::new();
    if let Some(title) = &report.title {
        out.push_str(title.get(lang));
        out.push('\n');
    }
    out.push_str(&table.to_string());
    out.push('\n');
    let legend: Vec<String> = [Class::A, Class::O, Class::M, Class::I, Class::R, Class::Q]
        .iter()
        .map(|c| format!("{} {}", c.letter(), c.name(lang)))
        .collect();
    out.push_str(&legend.join(tr(lang, ", ", "，")));
    out.push('\n');
    let mut seen = Vec::new();
    for g in report.features.iter().filter_map(|f| f.guidance()) {
        if !seen.contains(&g) {
            seen.push(g);
            out.push_str(&format!("  {}\n", g.text(lang)));
        }
    }
    out.push_str(tr(
        lang,
        "Better = (A+O)/(A+O+M+I); Worse = -(O+M)/(A+O+M+I); strength = (A+O+M)/n\n",
        "Better（满意系数）= (A+O)/(A+O+M+I)；Worse（不满意系数）= -(O+M)/(A+O+M+I)；总强度 = (A+O+M)/n\n",
    ));
    out
}
