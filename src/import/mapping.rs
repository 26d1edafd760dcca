//! Which export column fills which column of the data file: the map file first, then the
//! tools' usual names, then the question text matched against the audit's items (English
//! or Chinese), exactly after normalisation and then, conservatively, by similarity.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use super::presets::{ExportColumn, Preset};
use super::rows::{IdPart, IdRule};
use super::target::{Role, Target};
use super::values::{format_number, Labels};
use crate::problem::{shorten, Problem, Problems};
use crate::yaml::nearest;

/// The optional `--map` file.
///
/// Every key is a field here (serde rejects unknown keys, with "did you mean"). Keys about
/// which column is which are resolved by [`map_columns`]; keys about reading the export
/// itself (its encoding, the order of its dates) belong here too, each an `Option` read
/// by `import::run` before the export is opened.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MapFile {
    /// Export column(s) holding the response or visit id, or `content`.
    #[serde(default)]
    pub(crate) id: Option<IdColumns>,
    /// Put before every id, to keep the ids of two surveys apart.
    #[serde(default)]
    pub(crate) id_prefix: Option<String>,
    /// Export column holding the site.
    #[serde(default)]
    pub(crate) site: Option<String>,
    /// Export column holding the date.
    #[serde(default)]
    pub(crate) date: Option<String>,
    /// Export column holding the region.
    #[serde(default)]
    pub(crate) region: Option<String>,
    /// How the export writes dates: `dmy`, `mdy`, `ymd` or a chrono format (`%d/%m/%Y`).
    #[serde(default)]
    pub(crate) date_format: Option<String>,
    /// Export column holding the shopper.
    #[serde(default)]
    pub(crate) shopper: Option<String>,
    /// Export column (key or question text) -> data-file column (`E_T1`, `RC1`).
    #[serde(default)]
    pub(crate) columns: BTreeMap<String, String>,
    /// Export columns to leave out without a drift warning.
    #[serde(default)]
    pub(crate) ignore: Vec<String>,
    /// Answer labels -> values, added to (and replacing) the default table.
    #[serde(default)]
    pub(crate) labels: BTreeMap<String, LabelValue>,
    /// Export column -> the value(s) a row must have there to be imported.
    #[serde(default)]
    pub(crate) keep: BTreeMap<String, KeepValues>,
    /// The export's encoding (a label such as `euc-kr`); `--encoding` overrides it.
    #[serde(default)]
    pub(crate) encoding: Option<String>,
}

/// `id:` in the map file: one column, or several whose cells together are the id.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum IdColumns {
    /// One column (or `content`).
    One(String),
    /// A composite key; `content` may be one of its parts.
    Several(Vec<String>),
}

/// The word that, as `id:` or one of its parts, stands for the row's content.
pub(crate) const CONTENT_ID: &str = "content";

/// A value of `keep:`: one, or a list of which any will do.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum KeepValues {
    /// One value.
    One(Scalar),
    /// Any of these.
    Several(Vec<Scalar>),
}

/// A YAML scalar as the text a cell would hold (`True` unquoted is a boolean in YAML).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Scalar {
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// Text.
    Text(String),
}

impl Scalar {
    /// The scalar as a cell's text.
    fn text(&self) -> String {
        match self {
            Scalar::Bool(b) => b.to_string(),
            Scalar::Number(x) => format_number(*x),
            Scalar::Text(t) => t.clone(),
        }
    }
}

/// A label's value in the map file: a number, or a word such as `yes`, `no`, `N/A`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum LabelValue {
    /// A point on the scale.
    Number(f64),
    /// A word.
    Word(String),
}

impl MapFile {
    /// Reads the map file.
    pub(crate) fn read(path: &Path) -> Result<MapFile, Problems> {
        Ok(crate::yaml::read(path)?.0)
    }

    /// The label table: defaults for the scale, then the map's own labels.
    pub(crate) fn labels(&self, mut labels: Labels) -> Labels {
        for (label, value) in &self.labels {
            let value = match value {
                LabelValue::Number(x) => format_number(*x),
                LabelValue::Word(w) => w.clone(),
            };
            labels.set(label, value);
        }
        labels
    }
}

/// What each export column becomes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Use {
    /// Fills target column `usize`.
    Fill(usize),
    /// Part of the id only (see [`Mapping::id`]).
    Id,
    /// A column of the tool itself, or ignored by the map.
    Skip,
    /// A question the audit does not have (drift: added).
    Unknown,
}

/// By which rule an export column got its use, for `-v` and `--suggest-map`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum How {
    /// The map file names it.
    Map,
    /// The source's own column name, or the name the tool gives that column.
    ToolName,
    /// A usual name of the site column, or a question asking for the site.
    SiteWords,
    /// Its key is a data-file column name.
    ColumnName,
    /// Its question text is an item's statement or a form question.
    SameText,
    /// Its question text is similar to one, this many per cent alike.
    SimilarText(u8),
    /// One of the tool's own columns.
    ToolColumn,
    /// `ignore:` in the map file.
    Ignored,
    /// Nothing matched it.
    Unmatched,
}

/// Differences between the export's questions and the audit's.
#[derive(Debug, Default)]
pub(crate) struct Drift {
    /// Export columns that match nothing and are not ignored (their labels).
    pub(crate) added: Vec<String>,
    /// Data columns the audit asks for that no export column fills.
    pub(crate) missing: Vec<String>,
    /// Columns matched by similar text only: (label, data column, how alike).
    pub(crate) reworded: Vec<(String, String, u8)>,
}

/// How many names of each kind the compact drift summary shows.
const DRIFT_SHOWN: usize = 5;

/// How long a column label may be in the compact drift summary.
const LABEL_SHOWN: usize = 60;

impl Drift {
    /// Whether the export asks what the audit asks.
    pub(crate) fn is_empty(&self) -> bool {
        self.added.is_empty() && self.missing.is_empty() && self.reworded.is_empty()
    }

    /// The differences as lines: for each kind, a line per column when there are few
    /// (or `full`), else one line with the first few and the count.
    pub(crate) fn lines(&self, full: bool) -> Vec<String> {
        let mut out = Vec::new();
        let few = |n: usize| full || n <= DRIFT_SHOWN;
        // "a, b, c, d, e and 7 more (12 columns": the first names and the count.
        let first = |names: Vec<String>, n: usize, what: &str| {
            let more = n.saturating_sub(names.len());
            format!("{} and {more} more ({n} {what}", names.join(", "))
        };
        let short = |label: &str| shorten(label, LABEL_SHOWN).into_owned();
        if few(self.added.len()) {
            for label in &self.added {
                out.push(format!(
                    "added: the export has {label} which the audit does not ask; it is not imported"
                ));
            }
        } else {
            let names = self
                .added
                .iter()
                .take(DRIFT_SHOWN)
                .map(|l| short(l))
                .collect();
            out.push(format!(
                "added: the export has {}, not asked by the audit); they are not imported",
                first(names, self.added.len(), "columns")
            ));
        }
        if few(self.missing.len()) {
            if !self.missing.is_empty() {
                out.push(format!(
                    "missing: the export has no column for {} (left empty)",
                    self.missing.join(", ")
                ));
            }
        } else {
            let names = self.missing.iter().take(DRIFT_SHOWN).cloned().collect();
            out.push(format!(
                "missing: the export has no column for {}, left empty)",
                first(names, self.missing.len(), "data columns")
            ));
        }
        if few(self.reworded.len()) {
            for (label, name, alike) in &self.reworded {
                out.push(format!(
                    "reworded: {label} matches {name} only by similar text ({alike}% alike); check it or name it in the map file"
                ));
            }
        } else {
            let names = self
                .reworded
                .iter()
                .take(DRIFT_SHOWN)
                .map(|(l, n, a)| format!("{} -> {n} ({a}% alike)", short(l)))
                .collect();
            out.push(format!(
                "reworded: {}) match only by similar text; check them or name them in the map file",
                first(names, self.reworded.len(), "columns")
            ));
        }
        out
    }

    /// Whether [`Drift::lines`] leaves names out unless `full`.
    pub(crate) fn is_cut(&self) -> bool {
        [self.added.len(), self.missing.len(), self.reworded.len()]
            .iter()
            .any(|&n| n > DRIFT_SHOWN)
    }
}

/// The result of mapping an export onto a target.
#[derive(Debug)]
pub(crate) struct Mapping {
    /// Per export column.
    pub(crate) uses: Vec<Use>,
    /// Per export column, the rule that decided its use.
    pub(crate) hows: Vec<How>,
    /// How a row's id is made (its prefix is set by the caller).
    pub(crate) id: IdRule,
    /// The target column of the id.
    id_target: Option<usize>,
    /// `keep:`: export column -> the values (any of them) a row must have there.
    pub(crate) keep: Vec<(usize, Vec<String>)>,
    /// Differences between the export's questions and the audit's.
    pub(crate) drift: Drift,
    /// Things worth telling before any row is read (a site column the tool could not
    /// choose, ...).
    pub(crate) notes: Vec<String>,
    /// Export columns whose text matches an item but not which of its data columns (E or
    /// P): (export column, the data columns it may be).
    pub(crate) undecided: Vec<(usize, Vec<usize>)>,
    /// The export was read as a perception-only survey: its statements' columns are P.
    pub(crate) perception_only: bool,
}

impl Mapping {
    /// The export column filling target column `t` (for the id: its one column, when the
    /// id is one column's cell as it is).
    pub(crate) fn source_of(&self, t: usize) -> Option<usize> {
        if Some(t) == self.id_target {
            return self.id.single();
        }
        self.uses.iter().position(|u| *u == Use::Fill(t))
    }

    /// `rule` for column `e`, saying why it is a P column when the export was read as a
    /// perception-only survey.
    pub(crate) fn with_part_rule(&self, e: usize, rule: String) -> String {
        if self.perception_only && matches!(self.hows[e], How::SameText | How::SimilarText(_)) {
            format!("{rule}; P, as the export asks perceptions only")
        } else {
            rule
        }
    }

    /// Each export column, how it was matched and to what: the `-v` listing.
    pub(crate) fn listing(&self, columns: &[ExportColumn], target: &Target) -> Vec<String> {
        columns
            .iter()
            .enumerate()
            .map(|(e, c)| {
                let mut to: Vec<&str> = Vec::new();
                if self.id.columns().any(|s| s == e) {
                    to.push(
                        self.id_target
                            .map_or("id", |t| target.columns[t].name.as_str()),
                    );
                }
                if let Use::Fill(t) = self.uses[e] {
                    to.push(target.columns[t].name.as_str());
                }
                let rule = match &self.hows[e] {
                    How::Map => "map file".to_string(),
                    How::ToolName => "the tool's name for it".to_string(),
                    How::SiteWords => "a usual name or question for the site".to_string(),
                    How::ColumnName => "data column name".to_string(),
                    How::SameText => "item text, the same".to_string(),
                    How::SimilarText(a) => format!("item text, similar ({a}% alike)"),
                    How::ToolColumn => "the tool's own column, not imported".to_string(),
                    How::Ignored => "ignored by the map file".to_string(),
                    How::Unmatched => "matches no question of the audit, not imported".to_string(),
                };
                let rule = self.with_part_rule(e, rule);
                let label = shorten(&c.label(), 2 * LABEL_SHOWN).into_owned();
                let mut line = if to.is_empty() {
                    format!("column {} {label}: {rule}", e + 1)
                } else {
                    format!("column {} {label} -> {} ({rule})", e + 1, to.join(" and "))
                };
                if let Some((_, values)) = self.keep.iter().find(|(k, _)| *k == e) {
                    line.push_str(&format!("; rows kept: {}", values.join(" or ")));
                }
                line
            })
            .collect()
    }
}

/// Lower-case letters and digits only (any script), so punctuation, quotes and spacing
/// that tools add or drop do not matter.
pub(crate) fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The pieces of a column text that may be an item statement, each with the text around
/// it (which may say "expectation" or "perception"): the whole text, the part after a
/// ` - ` or `:` (Qualtrics and SurveyMonkey matrices), the part in `[...]` (Google Forms
/// grids).
fn statement_candidates(text: &str) -> Vec<(String, String)> {
    let mut out = vec![(text.to_string(), String::new())];
    for sep in [" - ", " – ", ": ", "：", " | "] {
        if let Some((before, after)) = text.rsplit_once(sep) {
            out.push((after.to_string(), before.to_string()));
        }
    }
    if let (Some(open), Some(close)) = (text.rfind('['), text.rfind(']')) {
        if open < close {
            out.push((
                text[open + 1..close].to_string(),
                format!("{}{}", &text[..open], &text[close + 1..]),
            ));
        }
    }
    out
}

/// Words for "expectation" beyond English and Chinese (German, French, Italian, Korean,
/// Japanese; Spanish `expectativa` has `expect`), lower case.
const EXPECTATION_WORDS: &[&str] = &["erwart", "attente", "aspettativ", "기대", "期待"];

/// Words for "perception" or "experience" beyond English and Chinese (German, Korean,
/// Japanese; French, Spanish and Italian have `percep`/`percez`), lower case.
const PERCEPTION_WORDS: &[&str] = &[
    "wahrnehm",
    "erfahrung",
    "percez",
    "인식",
    "경험",
    "実際",
    "実感",
];

/// Which part of a customer survey (E, P, A, D) the words around a statement point to.
fn part_from_context(context: &str) -> Vec<char> {
    let c = context.to_lowercase();
    let mut parts = Vec::new();
    let has = |words: &[&str]| words.iter().any(|w| c.contains(w));
    if has(&["expect", "should", "期望", "应该", "应当"]) || has(EXPECTATION_WORDS) {
        parts.push('E');
    }
    if has(&["percep", "actual", "感知", "实际"]) || has(PERCEPTION_WORDS) {
        parts.push('P');
    }
    if has(&["adequate", "minimum", "最低"]) {
        parts.push('A');
    }
    if has(&["desired", "ideal", "理想"]) {
        parts.push('D');
    }
    parts
}

/// The smallest similarity for a fuzzy match, and the lead it needs over the runner-up:
/// strict, because a wrong match silently puts answers under the wrong item.
const FUZZY_MIN: f64 = 0.85;
const FUZZY_LEAD: f64 = 0.05;

/// The words of a heading as map keys are compared: trimmed, in lower case, every run of
/// whitespace (tabs, no-break spaces, ideographic spaces) one space, zero-width
/// characters dropped.
pub(crate) fn heading_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        let word: String = word
            .chars()
            .filter(|c| !matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'))
            .flat_map(char::to_lowercase)
            .collect();
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
    }
    out
}

/// Why a map key names no one column.
#[derive(Debug, PartialEq)]
enum Lookup {
    /// No column has that key or text (the nearest key, if one is close).
    Missing(Option<String>),
    /// Several columns have it (their indexes).
    Several(Vec<usize>),
}

/// The export's columns by their normalised keys and texts ([`heading_key`]), built once
/// so that each map key is found without going through every column.
struct Headings<'a> {
    columns: &'a [ExportColumn],
    by_key: HashMap<String, Vec<usize>>,
    by_text: HashMap<String, Vec<usize>>,
}

impl<'a> Headings<'a> {
    /// The index of `columns`.
    fn new(columns: &'a [ExportColumn]) -> Headings<'a> {
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_text: HashMap<String, Vec<usize>> = HashMap::new();
        for (e, c) in columns.iter().enumerate() {
            by_key.entry(heading_key(&c.key)).or_default().push(e);
            let mut texts: Vec<String> = c.texts.iter().map(|t| heading_key(t)).collect();
            texts.dedup();
            for t in texts {
                let list = by_text.entry(t).or_default();
                if list.last() != Some(&e) {
                    list.push(e);
                }
            }
        }
        Headings {
            columns,
            by_key,
            by_text,
        }
    }

    /// The columns whose key is `name` (normalised) or, when none is, whose text is.
    fn named(&self, name: &str) -> &[usize] {
        let want = heading_key(name);
        self.by_key
            .get(&want)
            .or_else(|| self.by_text.get(&want))
            .map_or(&[], Vec::as_slice)
    }

    /// The one export column a map key names: by key, else by text, compared after
    /// [`heading_key`]; `HEADING#N` is the N-th of the columns with that heading.
    fn find(&self, name: &str) -> Result<usize, Lookup> {
        let found = self.named(name);
        match found {
            [e] => return Ok(*e),
            [] => {}
            _ => return Err(Lookup::Several(found.to_vec())),
        }
        if let Some((base, n)) = name.trim().rsplit_once('#') {
            if let Ok(n) = n.trim().parse::<usize>() {
                let found = self.named(base);
                if let Some(&e) = n.checked_sub(1).and_then(|i| found.get(i)) {
                    return Ok(e);
                }
                if found.len() > 1 {
                    return Err(Lookup::Several(found.to_vec()));
                }
            }
        }
        let candidates = self.columns.iter().flat_map(|c| {
            std::iter::once(c.key.as_str()).chain(c.texts.iter().map(String::as_str))
        });
        Err(Lookup::Missing(nearest(name.trim(), candidates)))
    }
}

/// What a map key that names no one column should name instead.
fn lookup_expected(columns: &[ExportColumn], name: &str, why: &Lookup) -> String {
    match why {
        Lookup::Missing(Some(hint)) => {
            // Shown with plain spaces: the key matches the heading written so.
            let hint = hint.split_whitespace().collect::<Vec<_>>().join(" ");
            format!("a column key or question text of the export (did you mean `{hint}`?)")
        }
        Lookup::Missing(None) => "a column key or question text of the export".to_string(),
        Lookup::Several(found) => {
            let base = name.trim().rsplit_once('#').map_or(name.trim(), |(b, _)| b);
            format!(
                "one column, but {} columns have this heading: {}; name one as `{base}#1`, `{base}#2`, ... (in the order of the export)",
                found.len(),
                found
                    .iter()
                    .map(|&e| format!("column {} ({})", e + 1, columns[e].label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// The usual names of a site column, in the languages of the tool's users.
const SITE_WORDS: &[&str] = &[
    "branch", "store", "location", "outlet", "site", "filiale", "sucursal",
];

/// Chinese names of a site, matched at the end of a short heading (您办理业务的网点).
const SITE_WORDS_ZH: &[&str] = &["网点", "门店"];

/// Words that may stand around a site word in a heading or question without changing
/// what it asks ("Which branch did you visit?", "Store name", "¿Qué sucursal visitó?").
const SITE_FILLERS: &[&str] = &[
    "which", "what", "where", "did", "do", "you", "your", "visit", "visited", "the", "a", "an",
    "of", "name", "was", "is", "this", "at", "in", "today", "welche", "welcher", "haben", "sie",
    "besucht", "qué", "que", "cuál", "cual", "visitó", "visito", "usted", "nombre", "de", "la",
    "el",
];

/// Whether `text` asks for the site: after its filler words, exactly one site word is
/// left ("Branch", "Which branch did you visit?"), or it is a short Chinese heading
/// naming 网点 or 门店 (名称 after it allowed). Conservative: "The store is clean" is not.
fn is_site_heading(text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let left: Vec<&String> = words
        .iter()
        .filter(|w| !SITE_FILLERS.contains(&w.as_str()))
        .collect();
    if let [word] = left[..] {
        if SITE_WORDS.contains(&word.as_str()) {
            return true;
        }
    }
    // Chinese: the word alone, or after a short clause that ends in 的 or 所在 ("the
    // branch where you did business"), so that 您如何评价该网点 (rate the branch) is not.
    let n = normalise(text);
    let n = n.strip_suffix("名称").unwrap_or(&n);
    n.chars().count() <= 12
        && SITE_WORDS_ZH.iter().any(|w| {
            n.strip_suffix(w).is_some_and(|before| {
                before.is_empty() || before.ends_with('的') || before.ends_with("所在")
            })
        })
}

/// Maps `columns` of an export onto `target`: the mapping as far as it goes, and the
/// problems that stop an import (`--suggest-map` shows them as comments instead).
pub(crate) fn map_columns(
    columns: &[ExportColumn],
    preset: Preset,
    target: &Target,
    map: &MapFile,
    map_path: Option<&Path>,
) -> (Mapping, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut uses = vec![Use::Unknown; columns.len()];
    let mut hows = vec![How::Unmatched; columns.len()];
    let mut drift = Drift::default();
    let mut notes = Vec::new();
    let mut undecided = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut id = IdRule::default();
    let mut keep = Vec::new();
    let map_problem = |message: &str, field: &str, found: &str, expected: String| {
        let mut p = Problem::new(message)
            .field(field)
            .found(found)
            .expected(expected);
        if let Some(path) = map_path {
            p = p.file(path);
        }
        p
    };
    let missing_column = |field: &str, name: &str, why: Lookup| {
        let message = match why {
            Lookup::Missing(_) => "the map names a column the export does not have",
            Lookup::Several(_) => "the map names a heading several columns of the export have",
        };
        map_problem(message, field, name, lookup_expected(columns, name, &why))
    };
    let role_column =
        |target: &Target, role: &Role| target.columns.iter().position(|c| &c.role == role);
    let id_target = role_column(target, &Role::Id);
    let headings = Headings::new(columns);

    // 1. The map file.
    for name in &map.ignore {
        match headings.find(name) {
            Ok(e) => {
                uses[e] = Use::Skip;
                hows[e] = How::Ignored;
            }
            Err(Lookup::Missing(hint)) => problems.push(map_problem(
                "the map ignores a column the export does not have",
                "ignore",
                name,
                lookup_expected(columns, name, &Lookup::Missing(hint)),
            )),
            Err(why) => problems.push(missing_column("ignore", name, why)),
        }
    }
    if let Some(ids) = &map.id {
        let names: Vec<&str> = match ids {
            IdColumns::One(name) => vec![name.as_str()],
            IdColumns::Several(names) => names.iter().map(String::as_str).collect(),
        };
        if names.is_empty() {
            problems.push(map_problem(
                "the map's id names no column",
                "id",
                "[]",
                "a column, a list of columns, or `content`".into(),
            ));
        }
        let alone = names.len() == 1;
        for name in names {
            if name.trim() == CONTENT_ID {
                // `id: content` alone keeps the tool's own id cell in front, if it has one.
                if alone {
                    if let Some(e) = tool_id_column(columns, preset, target, &uses) {
                        id.parts.push(IdPart::Column(e));
                        uses[e] = Use::Id;
                        hows[e] = How::ToolName;
                    }
                }
                id.parts.push(IdPart::Content);
                continue;
            }
            match headings.find(name) {
                Ok(e) => {
                    id.parts.push(IdPart::Column(e));
                    uses[e] = Use::Id;
                    hows[e] = How::Map;
                }
                Err(why) => problems.push(missing_column("id", name, why)),
            }
        }
    }
    let roles = [
        ("site", &map.site, Role::Site),
        ("date", &map.date, Role::Date),
        ("region", &map.region, Role::Region),
        ("shopper", &map.shopper, Role::Shopper),
    ];
    for (key, name, role) in &roles {
        let Some(name) = name else { continue };
        let Some(t) = role_column(target, role) else {
            problems.push(map_problem(
                "this source has no such column",
                key,
                name,
                format!("no `{key}:` for the {} source", target.source),
            ));
            continue;
        };
        match headings.find(name) {
            Ok(e) => {
                if let Use::Fill(other) = uses[e] {
                    problems.push(map_problem(
                        "the map gives one export column two data columns",
                        key,
                        name,
                        format!(
                            "one data column per export column (it fills {} already; only the id may share a column)",
                            target.columns[other].name
                        ),
                    ));
                }
                uses[e] = Use::Fill(t);
                hows[e] = How::Map;
            }
            Err(why) => problems.push(missing_column(key, name, why)),
        }
    }
    for (from, to) in &map.columns {
        let e = match headings.find(from) {
            Ok(e) => e,
            Err(why) => {
                problems.push(missing_column(&format!("columns.{from}"), from, why));
                continue;
            }
        };
        let t = match target.column(to) {
            Some(t) => t,
            None => {
                let hint = nearest(to, target.columns.iter().map(|c| c.name.as_str()));
                problems.push(map_problem(
                    "the map names a column the data file does not have",
                    &format!("columns.{from}"),
                    to,
                    match hint {
                        Some(h) => {
                            format!("a column of the {} data (did you mean {h}?)", target.source)
                        }
                        None => format!(
                            "a column of the {} data, e.g. {}",
                            target.source,
                            target
                                .columns
                                .get(target.fixed)
                                .map_or("", |c| c.name.as_str())
                        ),
                    },
                ));
                continue;
            }
        };
        hows[e] = How::Map;
        if Some(t) == id_target && map.id.is_none() {
            id.parts = vec![IdPart::Column(e)];
            uses[e] = Use::Id;
        } else {
            uses[e] = Use::Fill(t);
        }
    }
    for (name, values) in &map.keep {
        match headings.find(name) {
            Ok(e) => {
                let values = match values {
                    KeepValues::One(v) => vec![v.text()],
                    KeepValues::Several(vs) => vs.iter().map(Scalar::text).collect(),
                };
                keep.push((e, values));
            }
            Err(why) => problems.push(missing_column(&format!("keep.{name}"), name, why)),
        }
    }

    // 2. Id, site, date, ... by the names the tools use.
    if id.parts.is_empty() {
        if let Some(e) = tool_id_column(columns, preset, target, &uses) {
            id.parts.push(IdPart::Column(e));
            uses[e] = Use::Id;
            hows[e] = How::ToolName;
        }
    }
    for role in [Role::Site, Role::Date, Role::Region, Role::Shopper] {
        let Some(t) = role_column(target, &role) else {
            continue;
        };
        if uses.contains(&Use::Fill(t)) {
            continue;
        }
        let own = target.columns[t].name.clone();
        let mut names = vec![own.as_str()];
        if role == Role::Date {
            names.extend(preset.date_names());
        }
        // A column may give the id and one more thing (Google Forms' timestamp: the date).
        let free = |e: usize| matches!(uses[e], Use::Unknown | Use::Id);
        let by_name = names
            .iter()
            .find_map(|n| (0..columns.len()).find(|&e| free(e) && columns[e].is_named(n)));
        if let Some(e) = by_name {
            uses[e] = Use::Fill(t);
            if hows[e] == How::Unmatched {
                hows[e] = How::ToolName;
            }
            continue;
        }
        if role != Role::Site {
            continue;
        }
        let sites: Vec<usize> = (0..columns.len())
            .filter(|&e| {
                uses[e] == Use::Unknown
                    && (is_site_heading(&columns[e].key)
                        || columns[e].texts.iter().any(|x| is_site_heading(x)))
            })
            .collect();
        match sites[..] {
            [] => {}
            [e] => {
                uses[e] = Use::Fill(t);
                hows[e] = How::SiteWords;
            }
            _ => notes.push(format!(
                "several columns look like the site, so none is taken: {}; name one with `site:` in the map file",
                sites
                    .iter()
                    .map(|&e| format!("column {} ({})", e + 1, columns[e].label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    for (i, c) in columns.iter().enumerate() {
        if uses[i] == Use::Unknown && preset.meta_names().iter().any(|m| c.is_named(m)) {
            uses[i] = Use::Skip;
            hows[i] = How::ToolColumn;
        }
    }

    // 3. Column keys that are data-file column names (`E_T1`, LimeSurvey `E[T1]`).
    for (i, c) in columns.iter().enumerate() {
        if uses[i] != Use::Unknown {
            continue;
        }
        let key = c.key.replace('[', "_").replace(']', "");
        if let Some(t) = target
            .columns
            .iter()
            .position(|tc| tc.name.eq_ignore_ascii_case(&key) && matches!(tc.role, Role::Value(_)))
        {
            uses[i] = Use::Fill(t);
            hows[i] = How::ColumnName;
        }
    }

    // 4. Question text against item statements and form questions.
    let texts: Vec<(usize, String)> = target
        .columns
        .iter()
        .enumerate()
        .filter_map(|(t, c)| c.text.as_ref().map(|x| (t, x)))
        .flat_map(|(t, x)| x.all().map(move |text| (t, normalise(text))))
        .collect();
    for (i, c) in columns.iter().enumerate() {
        if uses[i] != Use::Unknown || texts.is_empty() {
            continue;
        }
        let mut exact: Option<(usize, String)> = None;
        let mut best: Vec<(f64, usize, String)> = Vec::new();
        for (k, text) in c.texts.iter().enumerate() {
            for (statement, around) in statement_candidates(text) {
                let n = normalise(&statement);
                if n.chars().count() < 8 {
                    continue;
                }
                let others: Vec<&str> = c
                    .texts
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != k)
                    .map(|(_, s)| s.as_str())
                    .collect();
                let context = format!("{} {around} {}", c.key, others.join(" "));
                for (t, tn) in &texts {
                    if *tn == n && exact.is_none() {
                        exact = Some((*t, context.clone()));
                    }
                    let score = strsim::normalized_levenshtein(&n, tn);
                    best.push((score, *t, context.clone()));
                }
            }
        }
        let (hit, how) = if let Some((t, context)) = exact {
            ((t, context), How::SameText)
        } else {
            best.sort_by(|a, b| b.0.total_cmp(&a.0));
            let Some(top) = best.first().cloned() else {
                continue;
            };
            let same_statement = |t: usize| target.columns[t].text == target.columns[top.1].text;
            let runner_up = best
                .iter()
                .find(|b| !same_statement(b.1))
                .map_or(0.0, |b| b.0);
            if top.0 < FUZZY_MIN || top.0 - runner_up < FUZZY_LEAD {
                continue;
            }
            // Rounded down, so that 84.6% alike never shows as the 85% the rule needs.
            let alike = (top.0 * 100.0).floor() as u8;
            ((top.1, top.2), How::SimilarText(alike))
        };
        // Several data columns share a statement (E_T1 and P_T1): the words around it decide.
        let text = target.columns[hit.0].text.clone();
        let siblings: Vec<usize> = target
            .columns
            .iter()
            .enumerate()
            .filter(|(_, tc)| tc.text == text && !matches!(tc.part, 'W'))
            .map(|(t, _)| t)
            .collect();
        let chosen = if siblings.len() == 1 {
            Some(siblings[0])
        } else {
            let parts = part_from_context(&hit.1);
            let fits: Vec<usize> = siblings
                .iter()
                .copied()
                .filter(|&t| parts.contains(&target.columns[t].part))
                .collect();
            (fits.len() == 1).then(|| fits[0])
        };
        match chosen {
            Some(t) => {
                uses[i] = Use::Fill(t);
                if let How::SimilarText(alike) = how {
                    drift
                        .reworded
                        .push((c.label(), target.columns[t].name.clone(), alike));
                }
                hows[i] = how;
            }
            None => pending.push(Pending {
                column: i,
                siblings,
                how,
                worded: !part_from_context(&hit.1).is_empty(),
            }),
        }
    }
    // A perception-only survey (most satisfaction surveys) asks each statement once, with
    // no words for expectation or perception around it: its columns are the P columns.
    let perceived = perception_only(&pending, &uses, target);
    let read_as_perception_only = perceived.is_some();
    if let Some(perceived) = perceived {
        for (p, t) in pending.iter().zip(perceived) {
            uses[p.column] = Use::Fill(t);
            if let How::SimilarText(alike) = p.how {
                drift.reworded.push((
                    columns[p.column].label(),
                    target.columns[t].name.clone(),
                    alike,
                ));
            }
            hows[p.column] = p.how.clone();
        }
        notes.push(format!(
            "each statement is asked once and no question asks for expectations: read as a perception-only survey, {} columns into P (name them under `columns:` in a map file if that is wrong)",
            pending.len()
        ));
    } else {
        for p in pending {
            let c = &columns[p.column];
            problems.push(
                Problem::new("the question matches an item, but not whether it asks for expectation or perception")
                    .field(c.key.clone())
                    .found(c.texts.first().cloned().unwrap_or_default())
                    .expected(format!(
                        "one of {} named for this column under `columns:` in a map file (--map)",
                        p.siblings.iter().map(|&t| target.columns[t].name.as_str()).collect::<Vec<_>>().join(", ")
                    )),
            );
            undecided.push((p.column, p.siblings));
        }
    }

    // Two export columns for one data column would make one answer vanish.
    for t in 0..target.columns.len() {
        let from: Vec<usize> = (0..uses.len())
            .filter(|&e| uses[e] == Use::Fill(t))
            .collect();
        if from.len() > 1 {
            problems.push(
                Problem::new("several export columns map to the same data column")
                    .field(target.columns[t].name.clone())
                    .found(
                        from.iter()
                            .map(|&e| columns[e].label())
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                    .expected(
                        "one column per data column (use `ignore:` in the map file for the others)",
                    ),
            );
        }
    }
    if id_target.is_some() && id.parts.is_empty() {
        problems.push(
            Problem::new("no column of the export holds the response id").expected(format!(
                "a column named {} or `id:` in a map file (one column, a list of columns, or `content`), so that rows are not imported twice",
                preset.id_names().join(" or ")
            )),
        );
    }
    if !uses
        .iter()
        .any(|u| matches!(u, Use::Fill(t) if matches!(target.columns[*t].role, Role::Value(_))))
    {
        problems.push(
            Problem::new("no column of the export matches a question of the audit")
                .expected("column names like the data file's, question texts like the items', or a map file (--map)"),
        );
    }

    for (i, c) in columns.iter().enumerate() {
        if uses[i] == Use::Unknown && !c.key.is_empty() {
            drift.added.push(c.label());
        }
    }
    let expected_parts: &[char] = match target.source.as_str() {
        "customers" => &['E', 'P'],
        "management" => &['M'],
        _ => &['Q'],
    };
    drift.missing = target
        .columns
        .iter()
        .enumerate()
        .filter(|(t, c)| expected_parts.contains(&c.part) && !uses.contains(&Use::Fill(*t)))
        .map(|(_, c)| c.name.clone())
        .collect();
    let mapping = Mapping {
        uses,
        hows,
        id,
        id_target,
        keep,
        drift,
        notes,
        undecided,
        perception_only: read_as_perception_only,
    };
    (mapping, problems)
}

/// An export column whose text matches an item that several data columns share (E_T1,
/// P_T1), with no words that choose one.
struct Pending {
    column: usize,
    siblings: Vec<usize>,
    how: How,
    /// Words around the statement name some part, though not one of the item's alone.
    worded: bool,
}

/// The P column of each pending column when the export reads as a perception-only
/// survey: a customer survey where no column is (or is worded as) an expectation,
/// desired or adequate level, each statement comes once, and its P column is free.
fn perception_only(pending: &[Pending], uses: &[Use], target: &Target) -> Option<Vec<usize>> {
    if pending.is_empty() || target.source != "customers" || pending.iter().any(|p| p.worded) {
        return None;
    }
    let filled_other_part = uses.iter().any(|u| {
        matches!(u, Use::Fill(t) if matches!(target.columns[*t].role, Role::Value(_))
            && matches!(target.columns[*t].part, 'E' | 'A' | 'D'))
    });
    if filled_other_part {
        return None;
    }
    let mut perceived = Vec::with_capacity(pending.len());
    for p in pending {
        let t = p
            .siblings
            .iter()
            .copied()
            .find(|&t| target.columns[t].part == 'P')?;
        if perceived.contains(&t) || uses.contains(&Use::Fill(t)) {
            return None;
        }
        perceived.push(t);
    }
    Some(perceived)
}

/// The column with the source's own id name or the name the tool gives its response id,
/// if one is still free.
fn tool_id_column(
    columns: &[ExportColumn],
    preset: Preset,
    target: &Target,
    uses: &[Use],
) -> Option<usize> {
    let own = target
        .columns
        .iter()
        .find(|c| c.role == Role::Id)
        .map(|c| c.name.as_str())?;
    std::iter::once(own)
        .chain(preset.id_names().iter().copied())
        .find_map(|n| {
            (0..columns.len()).find(|&e| uses[e] == Use::Unknown && columns[e].is_named(n))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_drops_punctuation_and_case() {
        assert_eq!(
            normalise("The company's  equipment!"),
            "thecompanysequipment"
        );
        assert_eq!(
            normalise("该公司的设备，运转良好。"),
            "该公司的设备运转良好"
        );
    }

    #[test]
    fn statement_pieces_and_parts() {
        let c = statement_candidates("Expectations - The company is reliable.");
        assert!(c.contains(&("The company is reliable.".into(), "Expectations".into())));
        let g = statement_candidates("Perception [The company is reliable.]");
        assert!(g.contains(&("The company is reliable.".into(), "Perception ".into())));
        assert_eq!(
            part_from_context("What an excellent bank should offer"),
            vec!['E']
        );
        assert_eq!(part_from_context("感知"), vec!['P']);
        assert_eq!(part_from_context("Q1_1"), Vec::<char>::new());
    }

    #[test]
    fn headings_compare_without_case_or_odd_spaces() {
        assert_eq!(
            heading_key(" Which\u{a0}branch \t did  you\u{200b} visit? "),
            "which branch did you visit?"
        );
        assert_eq!(
            heading_key("Response ID"),
            heading_key("response\u{3000}id")
        );
        assert_ne!(heading_key("ResponseId"), heading_key("Response ID"));
    }

    #[test]
    fn site_headings_are_recognised_conservatively() {
        for yes in [
            "Branch",
            "Store name",
            "Which branch did you visit?",
            "Location",
            "Filiale",
            "Welche Filiale haben Sie besucht?",
            "¿Qué sucursal visitó?",
            "门店",
            "您办理业务的网点",
            "网点名称",
            "所在网点",
        ] {
            assert!(is_site_heading(yes), "{yes}");
        }
        for no in [
            "The store is clean and bright.",
            "LocationLatitude",
            "Branch manager",
            "How far is the branch from your home?",
            "网点的环境整洁舒适，让人愿意停留。",
            "您如何评价该网点",
            "",
        ] {
            assert!(!is_site_heading(no), "{no}");
        }
    }

    fn column(key: &str, text: &str) -> ExportColumn {
        ExportColumn {
            key: key.into(),
            texts: vec![text.into()],
        }
    }

    #[test]
    fn map_keys_find_one_column_or_say_why_not() {
        let find_column = |cols: &[ExportColumn], name: &str| Headings::new(cols).find(name);
        let cols = [
            column("Q1", "Branch\u{a0}visited"),
            column("Comments", "Comments"),
            column("Q2", "Age"),
            column("comments ", "comments "),
        ];
        assert_eq!(find_column(&cols, "branch visited"), Ok(0));
        assert_eq!(find_column(&cols, "q2"), Ok(2));
        assert_eq!(
            find_column(&cols, "Comments"),
            Err(Lookup::Several(vec![1, 3]))
        );
        assert_eq!(find_column(&cols, "Comments#2"), Ok(3));
        assert_eq!(find_column(&cols, "COMMENTS #1"), Ok(1));
        assert_eq!(
            find_column(&cols, "Comments#3"),
            Err(Lookup::Several(vec![1, 3]))
        );
        assert_eq!(
            find_column(&cols, "Branch visted"),
            Err(Lookup::Missing(Some("Branch\u{a0}visited".into())))
        );
        assert_eq!(find_column(&cols, "Income"), Err(Lookup::Missing(None)));
    }
}
