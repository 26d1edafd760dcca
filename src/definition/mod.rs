//! The audit definition: reading, checking and resolving an audit YAML file.
//!
//! [`load`] reads the YAML (`raw`), fills in defaults and built-in instruments, checks
//! everything it can (collecting every problem, with line and column from `locate`),
//! and returns an [`Audit`] that the rest of the pipeline trusts.

pub mod actions;
pub mod baseline;
pub mod builtin;
pub mod checklist_state;
pub mod form;
pub mod gate;
pub mod kano_link;
mod locate;
pub mod period;
pub(crate) mod raw;
mod resolve;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::i18n::Text;

pub(crate) use locate::Locator;
pub use resolve::{load, load_str, DEFAULT_DIMENSIONS, MAX_DIMENSIONS, MAX_ITEMS};

/// The answer scale, `min..max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Lowest answer.
    pub min: f64,
    /// Highest answer.
    pub max: f64,
}

impl Scale {
    /// Whether `x` is a valid answer on this scale.
    pub fn contains(&self, x: f64) -> bool {
        x >= self.min && x <= self.max
    }

    /// The reverse-scored value of `x`: `min + max - x`.
    pub fn reverse(&self, x: f64) -> f64 {
        self.min + self.max - x
    }

    /// Maps a fraction 0..1 onto the scale.
    pub fn from_fraction(&self, f: f64) -> f64 {
        self.min + f * (self.max - self.min)
    }
}

/// A dimension of the instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    /// Stable id, e.g. `reliability`.
    pub id: String,
    /// Label in English and Chinese.
    pub label: Text,
}

/// One statement of the instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Stable id, e.g. `R3`.
    pub id: String,
    /// Index into [`Audit::dimensions`].
    pub dimension: usize,
    /// The statement.
    pub text: Text,
    /// A short label as written (`short:`); [`Item::short_label`] derives one otherwise.
    pub short: Option<Text>,
    /// Negatively worded: answers are reverse-scored.
    pub reverse: bool,
}

impl Item {
    /// The short label shown beside the id: `short:` or the first words of the text.
    pub fn short_label(&self) -> Text {
        self.short
            .clone()
            .unwrap_or_else(|| derive_short(&self.text))
    }
}

/// Columns a derived short label may take (a CJK character counts as two).
const SHORT_WIDTH: usize = 28;

/// A short label from a text: its first words, cut at a word boundary, in each language.
pub fn derive_short(text: &Text) -> Text {
    Text {
        en: first_words(&text.en, SHORT_WIDTH),
        zh: text.zh.as_deref().map(|t| first_words(t, SHORT_WIDTH)),
        ..Text::default()
    }
}

/// The start of `text` within `width` columns: whole words where there are spaces,
/// else up to the first punctuation mark (Chinese text has no spaces).
fn first_words(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let text = text.trim();
    let mut out = String::new();
    let mut used = 0;
    let mut last_break = None;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        if c.is_whitespace() {
            last_break = Some(out.len());
        }
        // A clause ends at these marks; the label stops there when it has to be cut.
        if matches!(
            c,
            '，' | '。' | '、' | '；' | '：' | '？' | '（' | ',' | ';' | ':' | '?' | '('
        ) {
            last_break = Some(out.len());
        }
        out.push(c);
        used += w;
    }
    if out.len() == text.len() {
        return out.trim_end_matches(['.', '。', '?', '？']).to_string();
    }
    let cut = match last_break {
        Some(at) if at > 0 => &out[..at],
        _ => out.as_str(),
    };
    cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:(，、；：（".contains(c))
        .to_string()
}

/// How the weighted SERVQUAL score weighs the dimensions.
#[derive(Debug, Clone, PartialEq)]
pub enum Weights {
    /// No weights declared: the weighted score is not computed.
    None,
    /// Fixed weights from the YAML, one per dimension, summing to 1.
    Fixed(Vec<f64>),
    /// Weights from the respondents' importance points (`W_<dimension>` columns).
    Survey,
}

/// Where the columns of a survey are and how the file is encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveySource {
    /// The file, resolved against the audit's folder.
    pub file: PathBuf,
    /// The file as written in the audit (for messages and provenance).
    pub file_as_written: String,
    /// Declared encoding label, if any.
    pub encoding: Option<String>,
    /// Declared delimiter, if any.
    pub delimiter: Option<u8>,
    /// Respondent id column.
    pub id_column: String,
    /// Site column (segments, shopper matching).
    pub site_column: String,
    /// Date column.
    pub date_column: String,
    /// Region column (segments).
    pub region_column: String,
    /// Column patterns: `{item}` / `{dimension}` is replaced by the id.
    pub patterns: Patterns,
}

/// Column patterns of a survey.
#[derive(Debug, Clone, PartialEq)]
pub struct Patterns {
    /// Expectation, default `E_{item}`.
    pub expected: String,
    /// Perception, default `P_{item}`.
    pub perceived: String,
    /// Adequate service level, default `A_{item}`.
    pub adequate: String,
    /// Desired service level, default `D_{item}`.
    pub desired: String,
    /// Importance points, default `W_{dimension}`.
    pub importance: String,
    /// Management's estimate of expectations, default `M_{item}`.
    pub management: String,
}

impl Default for Patterns {
    fn default() -> Self {
        Patterns {
            expected: "E_{item}".into(),
            perceived: "P_{item}".into(),
            adequate: "A_{item}".into(),
            desired: "D_{item}".into(),
            importance: "W_{dimension}".into(),
            management: "M_{item}".into(),
        }
    }
}

/// Fills a column pattern with an item or dimension id.
pub fn column_name(pattern: &str, id: &str) -> String {
    pattern.replace("{item}", id).replace("{dimension}", id)
}

/// The mystery-shopper source.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopperSource {
    /// The visits CSV, resolved against the audit's folder.
    pub file: PathBuf,
    /// The file as written in the audit.
    pub file_as_written: String,
    /// The form: a path resolved against the audit's folder, or a built-in template name.
    pub form: String,
    /// Declared encoding label.
    pub encoding: Option<String>,
    /// Declared delimiter.
    pub delimiter: Option<u8>,
    /// Visit id column.
    pub id_column: String,
    /// Shopper column.
    pub shopper_column: String,
    /// Site column.
    pub site_column: String,
    /// Date column.
    pub date_column: String,
}

/// Target levels on the scale per dimension and per item (standards S or promises C).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Levels {
    /// By dimension index.
    pub dimensions: BTreeMap<usize, f64>,
    /// By item index.
    pub items: BTreeMap<usize, f64>,
}

impl Levels {
    /// The level for item `i`: its own, else its dimension's.
    pub fn for_item(&self, audit: &Audit, i: usize) -> Option<f64> {
        self.items
            .get(&i)
            .or_else(|| self.dimensions.get(&audit.items[i].dimension))
            .copied()
    }
}

/// Thresholds of the audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// A gap below this makes a checklist entry (default -0.5).
    pub checklist: f64,
    /// |P - D| above this flags a divergence (default 1.0).
    pub divergence: f64,
    /// Sites with fewer visits are listed but not ranked (default 3).
    pub min_visits: u32,
    /// Segments with fewer respondents are not ranked (default 10).
    pub min_segment_n: u32,
    /// CI gate expressions; any that holds fails the run (exit 1).
    pub fail: Vec<String>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            checklist: -0.5,
            divergence: 1.0,
            min_visits: 3,
            min_segment_n: 10,
            fail: Vec::new(),
        }
    }
}

/// Audit metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Stable id of the audit.
    pub id: String,
    /// Title.
    pub title: String,
    /// The audited organisation.
    pub organisation: Option<String>,
    /// First day of the period of this run (due dates are counted from its end).
    pub period_start: chrono::NaiveDate,
    /// Last day of the period of this run.
    pub period_end: chrono::NaiveDate,
    /// The name of the period of this run (`2026-10`, `2026-Q3`, `START..END`).
    pub period_name: String,
    /// `audit.period` as written, if it was.
    pub fixed_period: Option<period::Period>,
    /// `audit.schedule` (with `year_starts`), if given.
    pub schedule: Option<period::Schedule>,
    /// The periods just before this run's that it reads too (`--history`), oldest
    /// first; empty for a run of one period.
    pub earlier_periods: Vec<period::Period>,
}

impl Meta {
    /// The period of this run.
    pub fn period(&self) -> period::Period {
        period::Period {
            name: self.period_name.clone(),
            start: self.period_start,
            end: self.period_end,
        }
    }
}

/// A checked audit definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    /// The audit file.
    pub path: PathBuf,
    /// The audit file's SHA-256, first in every report's provenance.
    pub digest: crate::provenance::FileDigest,
    /// Metadata.
    pub meta: Meta,
    /// Answer scale.
    pub scale: Scale,
    /// Dimension set.
    pub dimensions: Vec<Dimension>,
    /// Items in instrument order.
    pub items: Vec<Item>,
    /// Dimension weights.
    pub weights: Weights,
    /// Customer survey.
    pub customers: Option<SurveySource>,
    /// Management survey.
    pub management: Option<SurveySource>,
    /// Mystery-shopper visits.
    pub shoppers: Option<ShopperSource>,
    /// Service standards (S).
    pub standards: Levels,
    /// Promises in external communications (C).
    pub promises: Levels,
    /// Weights of customers and shoppers in the merged perception (sum 1).
    pub merge: (f64, f64),
    /// Thresholds.
    pub thresholds: Thresholds,
    /// Owners by dimension id or `gap1`..`gap5`.
    pub owners: BTreeMap<String, String>,
    /// The audit's own action library (`actions:`), merged over the built-in one.
    pub actions: Option<actions::ActionsSource>,
    /// Kano must-be items for the checklist (`kano:`).
    pub kano: Option<kano_link::KanoLink>,
}

impl Audit {
    /// The same audit, run for `period`: rows are read, and due dates counted, for it.
    pub fn for_period(&self, period: &period::Period) -> Audit {
        let mut audit = self.clone();
        audit.meta.period_start = period.start;
        audit.meta.period_end = period.end;
        audit.meta.period_name = period.name.clone();
        audit.meta.earlier_periods.clear();
        audit
    }

    /// The same audit run for the last of `periods` (consecutive, oldest first), whose
    /// readers also hand on the rows of the periods before it (`--history`).
    pub fn for_periods(&self, periods: &[period::Period]) -> Audit {
        match periods.split_last() {
            Some((last, earlier)) => {
                let mut audit = self.for_period(last);
                audit.meta.earlier_periods = earlier.to_vec();
                audit
            }
            None => self.clone(),
        }
    }

    /// The folder paths in the audit are relative to.
    pub fn base_dir(&self) -> &Path {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }

    /// Index of the item with `id`.
    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|i| i.id == id)
    }

    /// Index of the dimension with `id` (accepting the alias `assurance`).
    pub fn dimension_index(&self, id: &str) -> Option<usize> {
        let id = canonical_dimension_id(id);
        self.dimensions.iter().position(|d| d.id == id)
    }

    /// Every file the audit names (itself, its sources, a form file, the action
    /// library, a Kano file), so that nothing the tool writes replaces one of them.
    pub fn input_files(&self) -> Vec<PathBuf> {
        let mut files = vec![self.path.clone()];
        files.extend(self.customers.iter().map(|s| s.file.clone()));
        files.extend(self.management.iter().map(|s| s.file.clone()));
        if let Some(shoppers) = &self.shoppers {
            files.push(shoppers.file.clone());
            files.push(self.base_dir().join(&shoppers.form));
        }
        files.extend(self.actions.iter().map(|a| a.file.clone()));
        files.extend(self.kano.iter().filter_map(|k| k.file.clone()));
        files
    }

    /// Item indices of dimension `d`.
    pub fn items_of(&self, d: usize) -> impl Iterator<Item = usize> + '_ {
        self.items
            .iter()
            .enumerate()
            .filter(move |(_, it)| it.dimension == d)
            .map(|(i, _)| i)
    }
}

/// Maps the alias `assurance` to `professionalism`; other ids are returned as they are.
pub fn canonical_dimension_id(id: &str) -> &str {
    if id == "assurance" {
        "professionalism"
    } else {
        id
    }
}

#[cfg(test)]
mod short_label_tests {
    use super::*;

    #[test]
    fn a_derived_short_label_is_the_first_words_cut_at_a_word_boundary() {
        let text = Text::new(
            "Staff at the company are always willing to help you.",
            "该公司员工总是乐于帮助您，从不推诿。",
        );
        let short = derive_short(&text);
        // 28 columns: "Staff at the company are alw" would cut a word.
        assert_eq!(short.en, "Staff at the company are");
        // Chinese has no spaces: cut at the first comma (each character takes 2 columns).
        assert_eq!(short.zh.as_deref(), Some("该公司员工总是乐于帮助您"));
        // A short text is kept whole, without its final full stop.
        assert_eq!(first_words("Right first time.", 28), "Right first time");
        // One long word is cut by width.
        assert_eq!(first_words(&"x".repeat(40), 28), "x".repeat(28));
    }
}
