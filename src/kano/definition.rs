//! The Kano definition YAML, feature lists and answer labels.
//!
//! A definition names the responses CSV (`data`, relative to the YAML file), how to read
//! it (`encoding`, `delimiter`), the features (id, text, related audit item) and the
//! survey's own words for the five answers (`labels`). A `--features` or `--labels` file
//! may be a bare list / mapping or a whole definition; only the relevant part is used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Answer;
use crate::i18n::Text;
use crate::problem::{thousands, Problem, Problems};

/// A service feature asked about in the questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// The id: the part after `F_` / `D_` in the CSV column names.
    pub id: String,
    /// The feature's description; its id when none was given.
    pub text: Text,
    /// The audit item the feature relates to, if any.
    pub item: Option<String>,
}

impl Feature {
    /// A feature known only by its id (the id is its text).
    pub fn bare(id: &str) -> Self {
        Feature {
            id: id.to_string(),
            text: Text {
                en: id.to_string(),
                ..Text::default()
            },
            item: None,
        }
    }
}

/// What one CSV cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// A valid answer.
    Answered(Answer),
    /// Empty, `NA` or `N/A`: not answered.
    Missing,
    /// Anything else.
    Invalid,
}

/// Words accepted for the five answers: codes, built-in English words and the survey's
/// own labels. Matching ignores case and surrounding space; `_` and inner spaces count as `-`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labels {
    /// Normalised custom label -> answer.
    custom: BTreeMap<String, Answer>,
    /// Custom labels as written, in declaration order (for messages).
    written: Vec<String>,
}

/// Built-in words (normalised) for each answer.
const BUILTIN: &[(&str, Answer)] = &[
    ("1", Answer::Like),
    ("like", Answer::Like),
    ("i-like-it", Answer::Like),
    ("2", Answer::MustBe),
    ("must-be", Answer::MustBe),
    ("mustbe", Answer::MustBe),
    ("expect", Answer::MustBe),
    ("i-expect-it", Answer::MustBe),
    ("it-must-be-that-way", Answer::MustBe),
    ("3", Answer::Neutral),
    ("neutral", Answer::Neutral),
    ("i-am-neutral", Answer::Neutral),
    ("4", Answer::LiveWith),
    ("live-with", Answer::LiveWith),
    ("i-can-live-with-it", Answer::LiveWith),
    ("5", Answer::Dislike),
    ("dislike", Answer::Dislike),
    ("i-dislike-it", Answer::Dislike),
];

/// Marks a respondent or a tool may leave after an answer word ("당연하다.", "喜欢！").
const TRAILING_MARKS: &[char] = &['.', '。', '!', '！', '．', '｡'];

/// Lower case, trimmed (trailing full stops and exclamation marks too), runs of spaces and
/// `_` turned into `-`; full-width digits to ASCII.
fn normalise(value: &str) -> String {
    let lower = value
        .trim()
        .trim_end_matches(|c: char| c.is_whitespace() || TRAILING_MARKS.contains(&c))
        .to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut pending_dash = false;
    for ch in lower.chars() {
        if ch.is_whitespace() || ch == '_' {
            pending_dash = true;
            continue;
        }
        if pending_dash && !out.is_empty() {
            out.push('-');
        }
        pending_dash = false;
        let ch = match ch {
            '０'..='９' => char::from_u32(ch as u32 - '０' as u32 + '0' as u32).unwrap_or(ch),
            other => other,
        };
        out.push(ch);
    }
    out
}

fn is_missing(normalised: &str) -> bool {
    matches!(normalised, "" | "na" | "n/a")
}

fn builtin(normalised: &str) -> Option<Answer> {
    if let Some(&(_, answer)) = BUILTIN.iter().find(|(word, _)| *word == normalised) {
        return Some(answer);
    }
    // Numbers written as decimals by spreadsheets: "2.0".
    match normalised.parse::<f64>() {
        Ok(x) if x.fract() == 0.0 && (1.0..=5.0).contains(&x) => Answer::from_code(x as u8),
        _ => None,
    }
}

impl Labels {
    /// No custom labels: codes and built-in words only.
    pub fn new() -> Self {
        Labels::default()
    }

    /// Adds a custom label for `answer`; the error says why it cannot be used.
    pub fn add(&mut self, label: &str, answer: Answer) -> Result<(), String> {
        let key = normalise(label);
        if is_missing(&key) {
            return Err("a label cannot be empty, NA or N/A".to_string());
        }
        if let Some(other) = builtin(&key) {
            if other != answer {
                return Err(format!(
                    "already means `{}` (built in), cannot also mean `{}`",
                    other.word(),
                    answer.word()
                ));
            }
            return Ok(());
        }
        match self.custom.get(&key) {
            Some(&other) if other != answer => Err(format!(
                "already a label for `{}`, cannot also mean `{}`",
                other.word(),
                answer.word()
            )),
            Some(_) => Ok(()),
            None => {
                self.custom.insert(key, answer);
                self.written.push(label.trim().to_string());
                Ok(())
            }
        }
    }

    /// Whether there are no custom labels.
    pub fn is_empty(&self) -> bool {
        self.custom.is_empty()
    }

    /// Reads one CSV cell.
    pub fn parse(&self, value: &str) -> Cell {
        let key = normalise(value);
        if is_missing(&key) {
            return Cell::Missing;
        }
        match builtin(&key).or_else(|| self.custom.get(&key).copied()) {
            Some(answer) => Cell::Answered(answer),
            None => Cell::Invalid,
        }
    }

    /// What a cell may hold, for error messages.
    pub fn expected(&self) -> String {
        let mut text = String::from("1-5 or like, must-be (expect), neutral, live-with, dislike");
        if !self.written.is_empty() {
            const SHOWN: usize = 10;
            let mut shown: Vec<&str> = self
                .written
                .iter()
                .take(SHOWN)
                .map(String::as_str)
                .collect();
            if self.written.len() > SHOWN {
                shown.push("...");
            }
            text.push_str(&format!(", a label ({})", shown.join(", ")));
        }
        text.push_str(", or empty/NA");
        text
    }
}

/// A Kano definition file.
#[derive(Debug, Clone, PartialEq)]
pub struct KanoDefinition {
    /// The YAML file itself.
    pub path: PathBuf,
    /// The title, if any.
    pub title: Option<Text>,
    /// The responses CSV, resolved relative to the YAML file.
    pub data: Option<PathBuf>,
    /// Declared encoding of the CSV.
    pub encoding: Option<String>,
    /// Declared delimiter of the CSV.
    pub delimiter: Option<u8>,
    /// Resolve ties M > O > A > I > R > Q.
    pub resolve_ties: bool,
    /// The features, in the order listed.
    pub features: Vec<Feature>,
    /// The survey's own answer words.
    pub labels: Labels,
}

/// A text written as a plain string or as `{en, zh}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawText {
    Plain(String),
    Both(Text),
}

impl RawText {
    fn into_text(self) -> Text {
        match self {
            RawText::Plain(en) => Text {
                en,
                ..Text::default()
            },
            RawText::Both(text) => text,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeature {
    id: String,
    #[serde(default)]
    text: Option<RawText>,
    #[serde(default)]
    item: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabels {
    #[serde(default)]
    like: Option<OneOrMany>,
    #[serde(default, rename = "must-be", alias = "must_be", alias = "expect")]
    must_be: Option<OneOrMany>,
    #[serde(default)]
    neutral: Option<OneOrMany>,
    #[serde(default, rename = "live-with", alias = "live_with")]
    live_with: Option<OneOrMany>,
    #[serde(default)]
    dislike: Option<OneOrMany>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    #[serde(default)]
    #[allow(dead_code)]
    template: Option<serde_yaml::Value>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    title: Option<RawText>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<serde_yaml::Value>,
    #[serde(default)]
    data: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    delimiter: Option<String>,
    #[serde(default)]
    resolve_ties: Option<bool>,
    #[serde(default)]
    features: Option<Vec<RawFeature>>,
    #[serde(default)]
    labels: Option<RawLabels>,
}

/// The most features a Kano definition may list (each is two columns of the responses).
pub const MAX_FEATURES: usize = 5_000;

fn convert_features(
    path: &Path,
    raw: Vec<RawFeature>,
    problems: &mut Vec<Problem>,
) -> Vec<Feature> {
    if raw.len() > MAX_FEATURES {
        problems.push(
            Problem::new(format!(
                "more features than the limit of {}",
                thousands(MAX_FEATURES as u64)
            ))
            .file(path)
            .field("features")
            .found(format!("{} features", thousands(raw.len() as u64)))
            .expected(format!(
                "at most {} features",
                thousands(MAX_FEATURES as u64)
            )),
        );
        return Vec::new();
    }
    let mut features: Vec<Feature> = Vec::with_capacity(raw.len());
    let mut seen = std::collections::HashSet::with_capacity(raw.len());
    for (index, f) in raw.into_iter().enumerate() {
        let id = f.id.trim().to_string();
        if id.is_empty() || id.chars().any(char::is_whitespace) {
            problems.push(
                Problem::new("invalid feature id")
                    .file(path)
                    .field(format!("features[{index}].id"))
                    .found(f.id.clone())
                    .expected("a non-empty id without spaces (the <id> of F_<id> / D_<id>)"),
            );
            continue;
        }
        if !seen.insert(id.clone()) {
            problems.push(
                Problem::new("duplicate feature id")
                    .file(path)
                    .field(format!("features[{index}].id"))
                    .found(id.clone())
                    .expected("each feature listed once"),
            );
            continue;
        }
        let text = f
            .text
            .map(RawText::into_text)
            .filter(|t| !t.en.trim().is_empty())
            .unwrap_or_else(|| Feature::bare(&id).text);
        let item = f
            .item
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        features.push(Feature { id, text, item });
    }
    features
}

fn convert_labels(path: &Path, raw: RawLabels, problems: &mut Vec<Problem>) -> Labels {
    let mut labels = Labels::new();
    let groups = [
        ("like", Answer::Like, raw.like),
        ("must-be", Answer::MustBe, raw.must_be),
        ("neutral", Answer::Neutral, raw.neutral),
        ("live-with", Answer::LiveWith, raw.live_with),
        ("dislike", Answer::Dislike, raw.dislike),
    ];
    for (key, answer, words) in groups {
        for word in words.map(OneOrMany::into_vec).unwrap_or_default() {
            if let Err(why) = labels.add(&word, answer) {
                problems.push(
                    Problem::new(format!("unusable label: {why}"))
                        .file(path)
                        .field(format!("labels.{key}"))
                        .found(word)
                        .expected("a word not used for another answer"),
                );
            }
        }
    }
    labels
}

/// Loads a Kano definition YAML; `data` is optional here (the caller requires it when
/// the definition is the input).
pub fn load_definition(path: &Path) -> Result<KanoDefinition, Problems> {
    let text = crate::yaml::read_text(path)?;
    let raw: RawDefinition = crate::yaml::from_str(path, &text)?;
    let mut problems = Vec::new();
    if let Some(kind) = &raw.kind {
        if kind.trim() != "kano" {
            problems.push(
                Problem::new("not a Kano definition")
                    .file(path)
                    .field("kind")
                    .found(kind.clone())
                    .expected("kano"),
            );
        }
    }
    let base = path.parent().unwrap_or_else(|| Path::new(""));
    let data = match raw.data.as_deref().map(str::trim) {
        Some("") => {
            problems.push(
                Problem::new("empty data path")
                    .file(path)
                    .field("data")
                    .expected("the responses CSV, relative to this file"),
            );
            None
        }
        Some(d) => Some(base.join(d)),
        None => None,
    };
    let delimiter = match raw.delimiter.as_deref() {
        Some(d) => {
            let byte = crate::yaml::delimiter(d);
            if byte.is_none() {
                problems.push(
                    Problem::new("invalid delimiter")
                        .file(path)
                        .field("delimiter")
                        .found(d)
                        .expected("one character such as \",\", \";\", \"|\" or \"tab\""),
                );
            }
            byte
        }
        None => None,
    };
    let encoding = raw
        .encoding
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty());
    let features = convert_features(path, raw.features.unwrap_or_default(), &mut problems);
    let labels = match raw.labels {
        Some(l) => convert_labels(path, l, &mut problems),
        None => Labels::new(),
    };
    Problems::check(problems)?;
    Ok(KanoDefinition {
        path: path.to_path_buf(),
        title: raw.title.map(RawText::into_text),
        data,
        encoding,
        delimiter,
        resolve_ties: raw.resolve_ties.unwrap_or(false),
        features,
        labels,
    })
}

/// Whether the YAML text's top level is a mapping with key `key`.
fn has_top_key(text: &str, key: &str) -> bool {
    match serde_yaml::from_str::<serde_yaml::Value>(text) {
        Ok(serde_yaml::Value::Mapping(map)) => map.contains_key(key),
        _ => false,
    }
}

/// Loads a features file: a list of `{id, text, item}`, or a definition with `features:`.
pub fn load_features(path: &Path) -> Result<Vec<Feature>, Problems> {
    let text = crate::yaml::read_text(path)?;
    if has_top_key(&text, "features") {
        return Ok(load_definition(path)?.features);
    }
    let raw: Vec<RawFeature> = crate::yaml::from_str(path, &text)?;
    let mut problems = Vec::new();
    let features = convert_features(path, raw, &mut problems);
    Problems::check(problems)?;
    Ok(features)
}

/// Loads a labels file: a mapping like/must-be/neutral/live-with/dislike to words, or a
/// definition with `labels:`.
pub fn load_labels(path: &Path) -> Result<Labels, Problems> {
    let text = crate::yaml::read_text(path)?;
    if has_top_key(&text, "labels") {
        return Ok(load_definition(path)?.labels);
    }
    let raw: RawLabels = crate::yaml::from_str(path, &text)?;
    let mut problems = Vec::new();
    let labels = convert_labels(path, raw, &mut problems);
    Problems::check(problems)?;
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_words_and_codes() {
        let labels = Labels::new();
        let cases = [
            ("1", Cell::Answered(Answer::Like)),
            (" Like ", Cell::Answered(Answer::Like)),
            ("I like it", Cell::Answered(Answer::Like)),
            ("2", Cell::Answered(Answer::MustBe)),
            ("Must-Be", Cell::Answered(Answer::MustBe)),
            ("must be", Cell::Answered(Answer::MustBe)),
            ("must_be", Cell::Answered(Answer::MustBe)),
            ("EXPECT", Cell::Answered(Answer::MustBe)),
            ("3", Cell::Answered(Answer::Neutral)),
            ("neutral", Cell::Answered(Answer::Neutral)),
            ("4.0", Cell::Answered(Answer::LiveWith)),
            ("live with", Cell::Answered(Answer::LiveWith)),
            ("５", Cell::Answered(Answer::Dislike)),
            ("dislike", Cell::Answered(Answer::Dislike)),
            ("", Cell::Missing),
            ("  ", Cell::Missing),
            ("NA", Cell::Missing),
            ("n/a", Cell::Missing),
            ("7", Cell::Invalid),
            ("0", Cell::Invalid),
            ("2.5", Cell::Invalid),
            ("maybe", Cell::Invalid),
            ("NaN", Cell::Invalid),
            ("inf", Cell::Invalid),
        ];
        for (value, expected) in cases {
            assert_eq!(labels.parse(value), expected, "{value:?}");
        }
    }

    #[test]
    fn words_match_after_trailing_marks() {
        let mut labels = Labels::new();
        labels.add("당연하다", Answer::MustBe).unwrap();
        labels.add("좋다。", Answer::Like).unwrap();
        for (cell, answer) in [
            ("당연하다.", Answer::MustBe),
            (" 당연하다 . ", Answer::MustBe),
            ("좋다", Answer::Like),
            ("좋다!", Answer::Like),
            ("I like it.", Answer::Like),
            ("2.", Answer::MustBe),
        ] {
            assert_eq!(labels.parse(cell), Cell::Answered(answer), "{cell}");
        }
        assert_eq!(labels.parse("?"), Cell::Invalid);
    }

    #[test]
    fn custom_labels_and_conflicts() {
        let mut labels = Labels::new();
        assert!(labels.add("我喜欢", Answer::Like).is_ok());
        assert!(labels.add("理所当然", Answer::MustBe).is_ok());
        assert!(labels.add("like", Answer::Like).is_ok());
        assert!(labels.add("我喜欢", Answer::Like).is_ok());
        assert!(labels.add("我喜欢", Answer::Dislike).is_err());
        assert!(labels.add("dislike", Answer::Like).is_err());
        assert!(labels.add("NA", Answer::Like).is_err());
        assert!(labels.add("", Answer::Like).is_err());
        assert_eq!(labels.parse(" 我喜欢 "), Cell::Answered(Answer::Like));
        assert_eq!(labels.parse("理所当然"), Cell::Answered(Answer::MustBe));
        assert_eq!(labels.parse("无所谓"), Cell::Invalid);
        assert!(labels.expected().contains("我喜欢"));
    }

    #[test]
    fn loads_the_template_shape() {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("kano.yaml");
        let yaml = "template: kano\nkind: kano\ntitle: {en: T, zh: 题}\n\
                    description: {en: D, zh: 说明}\ndata: sub/kano-responses.csv\n\
                    encoding: gbk\ndelimiter: \";\"\nresolve_ties: true\n\
                    features:\n  - id: queue_sms\n    text: {en: SMS, zh: 短信}\n    item: S2\n\
                    \x20 - id: wifi\n    text: Wi-Fi\n\
                    labels:\n  like: [\"我喜欢\", \"喜欢\"]\n  must-be: 理所当然\n";
        if let Err(e) = std::fs::write(&path, yaml) {
            panic!("{e}");
        }
        let def = match load_definition(&path) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(def.data, Some(dir.path().join("sub/kano-responses.csv")));
        assert_eq!(def.encoding.as_deref(), Some("gbk"));
        assert_eq!(def.delimiter, Some(b';'));
        assert!(def.resolve_ties);
        assert_eq!(def.title.map(|t| t.en), Some("T".to_string()));
        assert_eq!(def.features.len(), 2);
        assert_eq!(def.features[0].item.as_deref(), Some("S2"));
        assert_eq!(def.features[0].text.zh.as_deref(), Some("短信"));
        assert_eq!(def.features[1].text.en, "Wi-Fi");
        assert_eq!(def.labels.parse("喜欢"), Cell::Answered(Answer::Like));
        assert_eq!(def.labels.parse("理所当然"), Cell::Answered(Answer::MustBe));

        // A definition also serves as a --features or --labels file.
        assert_eq!(load_features(&path).map(|f| f.len()), Ok(2));
        assert_eq!(
            load_labels(&path).map(|l| l.parse("我喜欢")),
            Ok(Cell::Answered(Answer::Like))
        );
    }

    #[test]
    fn unknown_keys_are_errors_with_a_place() {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("kano.yaml");
        if let Err(e) = std::fs::write(
            &path,
            "data: x.csv\nfeatures:\n  - id: a\n    colour: red\n",
        ) {
            panic!("{e}");
        }
        let Err(Problems(list)) = load_definition(&path) else {
            panic!("expected a problem")
        };
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].line, Some(4));
        assert!(list[0].message.contains("colour"), "{}", list[0].message);
    }
}
