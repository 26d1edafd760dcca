//! Exporters: one per output format, each rendering the finished [`Report`] model.
//!
//! An exporter only lays out what the model holds: it computes no statistic and reads
//! no file (docs/cli.md#formats says what each format shows).

mod checklist_view;
mod csv;
mod html;
mod json;
mod markdown;
mod scorecards;
mod servperf_view;
mod shoppers_table;
pub mod status;
pub mod svg;
mod table;
pub mod view;

use crate::i18n::Lang;
use crate::report::Report;

pub use checklist_view::markdown as checklist_markdown;
pub use csv::{checklist_csv, CsvExporter};
pub use html::HtmlExporter;
pub use json::Json;
pub use markdown::MarkdownExporter;
pub use table::TableExporter;

/// How an exporter should render.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Language of labels and texts.
    pub lang: Lang,
    /// Whether to use terminal colours.
    pub color: bool,
    /// Columns the terminal tables must fit in.
    pub width: usize,
    /// Add a scorecard per site (HTML: one printed page each).
    pub scorecards: bool,
}

/// Terminal tables fit this many columns when nothing else says.
pub const DEFAULT_WIDTH: usize = 80;
/// The narrowest width tables are laid out for.
pub const MIN_WIDTH: usize = 60;

/// The width terminal tables fit: `--width`, else `COLUMNS`, else the terminal's width
/// when standard output is one, else 80.
pub fn terminal_width(requested: Option<usize>, to_stdout: bool) -> usize {
    let from_env = || {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
    };
    let from_terminal = || {
        use std::io::IsTerminal;
        if !to_stdout || !std::io::stdout().is_terminal() {
            return None;
        }
        comfy_table::Table::new().width().map(usize::from)
    };
    requested
        .or_else(from_env)
        .or_else(from_terminal)
        .filter(|w| *w > 0)
        .unwrap_or(DEFAULT_WIDTH)
        .max(MIN_WIDTH)
}

/// User text made safe for a terminal or a Markdown file: control characters (escape
/// sequences, backspace, bell ...) are shown as `\u{..}` instead of acting; tabs and
/// line breaks become spaces.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One output format.
pub trait Exporter {
    /// Renders `report` to bytes.
    fn render(&self, report: &Report, options: &RenderOptions) -> anyhow::Result<Vec<u8>>;
}

/// The output formats of `servqual report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for a terminal.
    Table,
    /// The JSON report (schema servqual.report/v1).
    Json,
    /// GitHub-flavoured Markdown: tables and the `- [ ]` checklist.
    Markdown,
    /// CSV: one row per dimension or item and gap.
    Csv,
    /// One self-contained HTML file with inline SVG charts.
    Html,
}

impl Format {
    /// The exporter for this format.
    pub fn exporter(self) -> Box<dyn Exporter> {
        match self {
            Format::Table => Box::new(TableExporter),
            Format::Json => Box::new(Json),
            Format::Markdown => Box::new(MarkdownExporter),
            Format::Csv => Box::new(CsvExporter),
            Format::Html => Box::new(HtmlExporter),
        }
    }
}

/// One dimension's reliability as the human formats show it: alpha, its interval, and
/// the item with the lowest corrected item-total correlation.
pub(crate) struct ReliabilityRow {
    /// Index into `report.dimensions`.
    pub dimension: usize,
    /// Cronbach's alpha of the gap scores.
    pub alpha: Option<f64>,
    /// Its Feldt 95% interval.
    pub alpha_ci95: Option<[f64; 2]>,
    /// Index into `report.items` of the dimension's weakest item, if any has an r.
    pub weakest: Option<usize>,
}

/// The reliability rows of `report`, one per dimension in instrument order (picked
/// here once, so every format shows the same weakest item).
pub(crate) fn reliability_rows(report: &Report) -> Vec<ReliabilityRow> {
    report
        .dimensions
        .iter()
        .enumerate()
        .map(|(d, dim)| {
            let weakest = report
                .items
                .iter()
                .enumerate()
                .filter(|(_, it)| it.result.dimension == dim.result.id)
                .filter_map(|(i, it)| Some((i, it.result.item_total_r?)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i);
            ReliabilityRow {
                dimension: d,
                alpha: dim.result.alpha,
                alpha_ci95: dim.result.alpha_ci95,
                weakest,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! Every label key the exporters and templates name exists in the report model's
    //! table (checked here, since the model must not know its exporters).
    use super::view;
    use crate::report::labels::LABELS;

    /// The keys named as literals in `label(lang, "key")` and `fill(lang, "key", ...)`.
    fn keys_named_in(source: &str) -> Vec<&str> {
        let mut keys = Vec::new();
        for call in ["label(", "fill("] {
            for part in source.split(call).skip(1) {
                let Some((lang, rest)) = part.split_once(',') else {
                    continue;
                };
                let lang = lang.trim();
                if lang.is_empty() || !lang.chars().all(|c| c.is_alphanumeric() || c == ':') {
                    continue;
                }
                if let Some(rest) = rest.trim_start().strip_prefix('"') {
                    if let Some(end) = rest.find('"') {
                        keys.push(&rest[..end]);
                    }
                }
            }
        }
        keys
    }

    #[test]
    fn every_label_the_code_names_exists() {
        let sources = [
            include_str!("../report/checklist.rs"),
            include_str!("../report/summary.rs"),
            include_str!("checklist_view.rs"),
            include_str!("csv.rs"),
            include_str!("html.rs"),
            include_str!("shoppers_table.rs"),
            include_str!("svg.rs"),
            include_str!("table.rs"),
            include_str!("view.rs"),
        ];
        let named: Vec<&str> = sources.iter().flat_map(|s| keys_named_in(s)).collect();
        // The scan finds the calls (a broken scan would pass vacuously).
        assert!(named.len() > 100, "{}", named.len());
        for key in named {
            assert!(LABELS.iter().any(|(k, _, _)| *k == key), "{key}");
        }
    }

    #[test]
    fn control_characters_in_user_text_are_shown_not_obeyed() {
        assert_eq!(super::visible("Old Town"), "Old Town");
        assert_eq!(
            super::visible("Air\u{1b}[31mport\u{7}\tA"),
            "Air\\u{1b}[31mport\\u{7} A"
        );
    }

    #[test]
    fn the_width_is_the_flag_then_columns_then_80_and_never_below_the_minimum() {
        assert_eq!(super::terminal_width(Some(120), false), 120);
        assert_eq!(super::terminal_width(Some(10), false), super::MIN_WIDTH);
    }

    #[test]
    fn every_role_has_a_label() {
        for (_, key) in view::ROLE_LABELS {
            assert!(LABELS.iter().any(|(k, _, _)| k == key), "{key}");
        }
    }

    #[test]
    fn every_label_a_template_names_exists() {
        for source in [view::MARKDOWN, view::HTML] {
            for part in source.split("L.").skip(1) {
                let key: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(LABELS.iter().any(|(k, _, _)| *k == key), "L.{key}");
            }
        }
    }
}
