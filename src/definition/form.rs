//! Mystery-shop forms: sections with weights, questions mapped to the audit's items or
//! dimensions, and the critical-failure policy (docs/files.md#form-file).
//!
//! A form is a YAML file next to the audit or a built-in template (`form-retail`,
//! `form-call-centre`). It is checked against the audit it is used in, because its
//! questions name the audit's items and dimensions.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::resolve::MAX_ITEMS;
use super::{canonical_dimension_id, Audit, Locator, ShopperSource};
use crate::definition::builtin::{self, Kind};
use crate::i18n::Text;
use crate::problem::{thousands, Problem, Problems};
use crate::provenance::FileDigest;
use crate::yaml;

/// What a failed critical question does to the visit score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriticalPolicy {
    /// The visit score becomes 0.
    Zero,
    /// The visit is marked failed; its score stands.
    Flag,
}

impl CriticalPolicy {
    /// The keyword as written in the form.
    pub fn as_str(self) -> &'static str {
        match self {
            CriticalPolicy::Zero => "zero",
            CriticalPolicy::Flag => "flag",
        }
    }
}

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QuestionType {
    /// yes = 1, no = 0.
    YesNo,
    /// A number on the question's own scale, normalised to 0..1.
    Scale {
        /// Lowest answer.
        min: f64,
        /// Highest answer.
        max: f64,
    },
}

impl QuestionType {
    /// The keyword as written in the form.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionType::YesNo => "yesno",
            QuestionType::Scale { .. } => "scale",
        }
    }
}

/// What a question measures in the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An item, by index into [`Audit::items`].
    Item(usize),
    /// A dimension, by index into [`Audit::dimensions`].
    Dimension(usize),
}

impl Target {
    /// The dimension the target belongs to.
    pub fn dimension(self, audit: &Audit) -> usize {
        match self {
            Target::Item(i) => audit.items[i].dimension,
            Target::Dimension(d) => d,
        }
    }
}

/// One question of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Stable id; also the column name in the visits CSV.
    pub id: String,
    /// The question.
    pub text: Text,
    /// A short label as written (`short:`); [`Question::short_label`] derives one otherwise.
    pub short: Option<Text>,
    /// Index into [`Form::sections`].
    pub section: usize,
    /// Yes/no or scale.
    pub kind: QuestionType,
    /// Weight within its section (> 0).
    pub weight: f64,
    /// A failed answer fails the visit.
    pub critical: bool,
    /// The item or dimension it measures.
    pub target: Target,
}

impl Question {
    /// The short label shown beside the id: `short:` or the first words of the text.
    pub fn short_label(&self) -> Text {
        self.short
            .clone()
            .unwrap_or_else(|| super::derive_short(&self.text))
    }
}

/// One section of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Weight in the visit score (> 0).
    pub weight: f64,
}

/// A checked mystery-shop form.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// The form as named in the audit (file or built-in name).
    pub name: String,
    /// Title.
    pub title: Text,
    /// What a failed critical question does.
    pub critical: CriticalPolicy,
    /// The declared sum of the section weights.
    pub total_weight: f64,
    /// Sections in form order.
    pub sections: Vec<Section>,
    /// Every question in form order (sections in turn).
    pub questions: Vec<Question>,
}

/// The form file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForm {
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    title: Text,
    #[serde(default)]
    description: Option<Text>,
    #[serde(default)]
    critical: Option<String>,
    #[serde(default)]
    total_weight: Option<f64>,
    #[serde(default)]
    sections: Vec<RawSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: String,
    title: Text,
    weight: f64,
    #[serde(default)]
    questions: Vec<RawQuestion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    text: Text,
    #[serde(default)]
    short: Option<Text>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    weight: Option<f64>,
    #[serde(default)]
    critical: bool,
    #[serde(default)]
    item: Option<String>,
    #[serde(default)]
    dimension: Option<String>,
}

/// The declared total when a form does not say (section weights in percent).
pub const DEFAULT_TOTAL_WEIGHT: f64 = 100.0;

/// Loads and checks the form of `source`: a file relative to the audit, or else a
/// built-in form template. Returns the form and its provenance.
pub fn load_form(audit: &Audit, source: &ShopperSource) -> Result<(Form, FileDigest), Problems> {
    let path = audit.base_dir().join(&source.form);
    if path.is_file() {
        let text = yaml::read_text(&path)?;
        let form = parse_form(audit, &path, &source.form, &text)?;
        let digest = FileDigest::of_bytes("form", source.form.clone(), text.as_bytes());
        return Ok((form, digest));
    }
    if let Some(template) = builtin::find(&source.form).filter(|t| t.kind == Kind::Form) {
        let shown = PathBuf::from(format!("(built-in form {})", template.name));
        let form = parse_form(audit, &shown, template.name, template.source)?;
        let path = format!("builtin:{}", template.name);
        let digest = FileDigest::of_bytes("form", path, template.source.as_bytes());
        return Ok((form, digest));
    }
    if path.exists() {
        // A folder, FIFO or device of that name: say what it is, not "does not exist".
        return Err(yaml::read_text(&path).err().unwrap_or_else(|| {
            Problem::new("form not found")
                .file(&path)
                .expected("a regular file")
                .into_problems()
        }));
    }
    let forms: Vec<&str> = builtin::TEMPLATES
        .iter()
        .filter(|t| t.kind == Kind::Form)
        .map(|t| t.name)
        .collect();
    let hint = yaml::nearest(&source.form, forms.iter().copied())
        .map(|h| format!(" (did you mean `{h}`?)"))
        .unwrap_or_default();
    Err(Problem::new("form not found")
        .file(&audit.path)
        .field("sources.shoppers.form")
        .found(source.form.clone())
        .expected(format!(
            "a form file relative to the audit ({} does not exist), or a built-in form: {}{hint}",
            path.display(),
            forms.join(", ")
        ))
        .into_problems())
}

/// Checks form YAML `text` (read from `path`, named `name` in the audit) against `audit`.
pub fn parse_form(audit: &Audit, path: &Path, name: &str, text: &str) -> Result<Form, Problems> {
    let raw: RawForm = yaml::from_str(path, text)?;
    let questions: usize = raw.sections.iter().map(|s| s.questions.len()).sum();
    if questions > MAX_ITEMS {
        return Err(Problem::new(format!(
            "more questions than the limit of {}",
            thousands(MAX_ITEMS as u64)
        ))
        .file(path)
        .field("sections")
        .found(format!("{} questions", thousands(questions as u64)))
        .expected(format!("at most {} questions", thousands(MAX_ITEMS as u64)))
        .into_problems());
    }
    let mut checker = FormChecker {
        path,
        locator: Locator::new(text),
        problems: Vec::new(),
    };
    let form = checker.resolve(audit, name, raw);
    Problems::check(checker.problems)?;
    Ok(form)
}

/// Collects problems while checking a form, each placed at its key in the file.
struct FormChecker<'a> {
    path: &'a Path,
    locator: Locator,
    problems: Vec<Problem>,
}

impl FormChecker<'_> {
    fn report(&mut self, at: &str, message: &str, found: Option<String>, expected: &str) {
        let mut p = Problem::new(message)
            .file(self.path)
            .field(at)
            .expected(expected);
        p.found = found;
        if let Some((line, column)) = self.locator.find(at) {
            p = p.at(line, column);
        }
        self.problems.push(p);
    }

    fn resolve(&mut self, audit: &Audit, name: &str, raw: RawForm) -> Form {
        if let Some(kind) = raw.kind.as_deref().filter(|k| *k != "form") {
            self.report(
                "kind",
                "not a mystery-shop form",
                Some(kind.to_string()),
                "`kind: form` (or no `kind:`)",
            );
        }
        // `template` and `description` are documentation for people; nothing to check.
        let _ = (&raw.template, &raw.description);
        let any_critical = raw
            .sections
            .iter()
            .flat_map(|s| &s.questions)
            .any(|q| q.critical);
        let critical = match raw.critical.as_deref() {
            Some("zero") => CriticalPolicy::Zero,
            Some("flag") => CriticalPolicy::Flag,
            // A form without critical questions has nothing for the policy to act on.
            None if !any_critical => CriticalPolicy::Flag,
            other => {
                self.report(
                    "critical",
                    if other.is_some() {
                        "unknown critical-failure policy"
                    } else {
                        "the form has critical questions but no `critical:` policy"
                    },
                    other.map(str::to_string),
                    "`critical: zero` (a failed critical question sets the visit score to 0) or `critical: flag` (it only marks the visit failed)",
                );
                CriticalPolicy::Flag
            }
        };
        let total_weight = raw.total_weight.unwrap_or(DEFAULT_TOTAL_WEIGHT);
        if !(total_weight.is_finite() && total_weight > 0.0) {
            self.report(
                "total_weight",
                "the total weight must be positive",
                Some(total_weight.to_string()),
                "the sum of the section weights, e.g. 100",
            );
        }
        if raw.sections.is_empty() {
            self.report(
                "sections",
                "the form has no sections",
                None,
                "a list of sections, each with questions",
            );
        }
        let mut sections = Vec::new();
        let mut questions = Vec::new();
        let mut section_ids = HashSet::new();
        let mut question_ids = HashSet::new();
        let mut weight_sum = 0.0;
        for (s, rs) in raw.sections.iter().enumerate() {
            let at = format!("sections[{s}]");
            if !is_id(&rs.id) {
                self.report(
                    &format!("{at}.id"),
                    "not a valid section id",
                    Some(rs.id.clone()),
                    "letters, digits, `-` or `_`",
                );
            } else if !section_ids.insert(rs.id.clone()) {
                self.report(
                    &format!("{at}.id"),
                    "duplicate section id",
                    Some(rs.id.clone()),
                    "each section id once",
                );
            }
            if !(rs.weight.is_finite() && rs.weight > 0.0) {
                self.report(
                    &format!("{at}.weight"),
                    "a section weight must be positive",
                    Some(rs.weight.to_string()),
                    "a number above 0",
                );
            } else {
                weight_sum += rs.weight;
            }
            if rs.questions.is_empty() {
                self.report(
                    &format!("{at}.questions"),
                    "the section has no questions",
                    Some(rs.id.clone()),
                    "at least one question",
                );
            }
            for (q, rq) in rs.questions.iter().enumerate() {
                let at = format!("{at}.questions[{q}]");
                if !question_ids.insert(rq.id.clone()) {
                    self.report(
                        &format!("{at}.id"),
                        "duplicate question id",
                        Some(rq.id.clone()),
                        "each question id once in the form (it names a column of the visits file)",
                    );
                    continue;
                }
                if let Some(question) = self.question(audit, &at, sections.len(), rq) {
                    questions.push(question);
                }
            }
            sections.push(Section {
                id: rs.id.clone(),
                title: rs.title.clone(),
                weight: rs.weight,
            });
        }
        let tolerance = 1e-9 * total_weight.abs().max(1.0);
        if !raw.sections.is_empty() && (weight_sum - total_weight).abs() > tolerance {
            let at = if raw.total_weight.is_some() {
                "total_weight"
            } else {
                "sections"
            };
            self.report(
                at,
                "section weights do not sum to the declared total",
                Some(format!("{weight_sum}")),
                &format!(
                    "section weights summing to total_weight {total_weight}{}",
                    if raw.total_weight.is_none() {
                        " (the default when the form declares none)"
                    } else {
                        ""
                    }
                ),
            );
        }
        Form {
            name: name.to_string(),
            title: raw.title,
            critical,
            total_weight,
            sections,
            questions,
        }
    }

    fn question(
        &mut self,
        audit: &Audit,
        at: &str,
        section: usize,
        rq: &RawQuestion,
    ) -> Option<Question> {
        let before = self.problems.len();
        if !is_id(&rq.id) {
            self.report(
                &format!("{at}.id"),
                "not a valid question id",
                Some(rq.id.clone()),
                "letters, digits, `-` or `_` (it is the column name in the visits file)",
            );
        }
        let kind = match rq.kind.as_str() {
            "yesno" => {
                if rq.min.is_some() || rq.max.is_some() {
                    self.report(
                        &format!("{at}.type"),
                        "a yes/no question has no min or max",
                        Some("yesno with min/max".into()),
                        "`type: scale` for a numeric answer, or no min/max",
                    );
                }
                Some(QuestionType::YesNo)
            }
            "scale" => match (rq.min, rq.max) {
                (Some(min), Some(max)) if min.is_finite() && max.is_finite() && min < max => {
                    Some(QuestionType::Scale { min, max })
                }
                (Some(min), Some(max)) => {
                    self.report(
                        &format!("{at}.min"),
                        "the question's scale is empty",
                        Some(format!("{min}..{max}")),
                        "min below max, e.g. min: 1, max: 5",
                    );
                    None
                }
                _ => {
                    self.report(
                        at,
                        "a scale question needs min and max",
                        None,
                        "`min:` and `max:`, e.g. 1 and 5",
                    );
                    None
                }
            },
            other => {
                let hint = yaml::nearest(other, ["yesno", "scale"].into_iter())
                    .map(|h| format!(" (did you mean `{h}`?)"))
                    .unwrap_or_default();
                self.report(
                    &format!("{at}.type"),
                    "unknown question type",
                    Some(other.to_string()),
                    &format!("`yesno` or `scale`{hint}"),
                );
                None
            }
        };
        let weight = rq.weight.unwrap_or(1.0);
        if !(weight.is_finite() && weight > 0.0) {
            self.report(
                &format!("{at}.weight"),
                "a question weight must be positive",
                Some(weight.to_string()),
                "a number above 0 (default 1)",
            );
        }
        let target = match (&rq.item, &rq.dimension) {
            (Some(item), None) => match audit.item_index(item) {
                Some(i) => Some(Target::Item(i)),
                None => {
                    let hint = yaml::nearest(item, audit.items.iter().map(|it| it.id.as_str()))
                        .map(|h| format!(" (did you mean `{h}`?)"))
                        .unwrap_or_default();
                    self.report(
                        &format!("{at}.item"),
                        "unknown item",
                        Some(item.clone()),
                        &format!("an item id of the audit{hint}"),
                    );
                    None
                }
            },
            (None, Some(dimension)) => match audit.dimension_index(dimension) {
                Some(d) => Some(Target::Dimension(d)),
                None => {
                    let ids: Vec<&str> = audit.dimensions.iter().map(|d| d.id.as_str()).collect();
                    let hint =
                        yaml::nearest(canonical_dimension_id(dimension), ids.iter().copied())
                            .map(|h| format!(" (did you mean `{h}`?)"))
                            .unwrap_or_default();
                    self.report(
                        &format!("{at}.dimension"),
                        "unknown dimension",
                        Some(dimension.clone()),
                        &format!("one of {}{hint}", ids.join(", ")),
                    );
                    None
                }
            },
            (Some(_), Some(_)) => {
                self.report(
                    at,
                    "a question maps to both an item and a dimension",
                    Some(rq.id.clone()),
                    "exactly one of `item:` or `dimension:`",
                );
                None
            }
            (None, None) => {
                self.report(
                    at,
                    "a question maps to no item or dimension",
                    Some(rq.id.clone()),
                    "exactly one of `item:` (an item id of the audit) or `dimension:`",
                );
                None
            }
        };
        if self.problems.len() > before {
            return None;
        }
        Some(Question {
            id: rq.id.clone(),
            text: rq.text.clone(),
            short: rq.short.clone(),
            section,
            kind: kind?,
            weight,
            critical: rq.critical,
            target: target?,
        })
    }
}

/// Question ids are column names, so keep them plain.
fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit() -> Audit {
        let yaml = "audit: {id: t, title: T, period: {start: 2026-01-01, end: 2026-03-31}}\ninstrument: servqual-22\n";
        crate::definition::load_str(Path::new("audit.yaml"), yaml).unwrap()
    }

    fn parse(text: &str) -> Result<Form, Problems> {
        parse_form(&audit(), Path::new("form.yaml"), "form.yaml", text)
    }

    const GOOD: &str = "title: {en: Visit}\ncritical: zero\ntotal_weight: 10\nsections:\n  - id: a\n    title: {en: A}\n    weight: 4\n    questions:\n      - {id: Q1, text: {en: q}, type: yesno, item: T1, critical: true}\n      - {id: Q2, text: {en: q}, type: scale, min: 1, max: 5, weight: 2, dimension: assurance}\n  - id: b\n    title: {en: B}\n    weight: 6\n    questions:\n      - {id: Q3, text: {en: q}, type: yesno, item: R1}\n";

    #[test]
    fn a_good_form_resolves() {
        let form = parse(GOOD).unwrap();
        assert_eq!(form.critical, CriticalPolicy::Zero);
        assert_eq!(form.sections.len(), 2);
        assert_eq!(form.questions.len(), 3);
        assert_eq!(form.questions[0].target, Target::Item(0));
        // `assurance` is the alias of professionalism, dimension index 3.
        assert_eq!(form.questions[1].target, Target::Dimension(3));
        assert_eq!(
            form.questions[1].kind,
            QuestionType::Scale { min: 1.0, max: 5.0 }
        );
        assert_eq!(form.questions[2].section, 1);
    }

    #[test]
    fn weights_that_do_not_sum_are_an_error_at_total_weight() {
        let text = GOOD.replace("weight: 6", "weight: 5");
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("form.yaml:3:1: total_weight: section weights do not sum"),
            "{err}"
        );
        assert!(err.contains("found \"9\""), "{err}");
    }

    #[test]
    fn every_problem_is_listed_with_its_place() {
        let text = GOOD
            .replace("item: T1", "item: T11")
            .replace("critical: zero", "critical: fail")
            .replace("type: scale, min: 1, max: 5", "type: scale, min: 5, max: 1")
            .replace("id: Q3", "id: Q1");
        let err = parse(&text).unwrap_err();
        let all = err.to_string();
        assert!(
            all.contains("critical: unknown critical-failure policy: found \"fail\""),
            "{all}"
        );
        assert!(
            all.contains("sections[0].questions[0].item: unknown item"),
            "{all}"
        );
        assert!(all.contains("did you mean `T1`?"), "{all}");
        assert!(all.contains("the question's scale is empty"), "{all}");
        assert!(all.contains("duplicate question id"), "{all}");
        assert_eq!(err.0.len(), 4, "{all}");
    }

    #[test]
    fn the_critical_policy_is_required_only_with_critical_questions() {
        let without = GOOD.replace("critical: zero\n", "");
        let err = parse(&without).unwrap_err().to_string();
        assert!(
            err.contains("critical questions but no `critical:` policy"),
            "{err}"
        );
        let plain = without.replace(", critical: true", "");
        assert_eq!(parse(&plain).unwrap().critical, CriticalPolicy::Flag);
    }

    #[test]
    fn a_question_maps_to_exactly_one_target() {
        let both = GOOD.replace("item: R1", "item: R1, dimension: reliability");
        assert!(parse(&both)
            .unwrap_err()
            .to_string()
            .contains("both an item and a dimension"));
        let none = GOOD.replace(", item: R1", "");
        assert!(parse(&none)
            .unwrap_err()
            .to_string()
            .contains("no item or dimension"));
    }

    #[test]
    fn builtin_forms_fit_the_servqual_22_instrument() {
        for name in ["form-retail", "form-call-centre"] {
            let t = builtin::find(name).unwrap();
            let form = parse_form(&audit(), Path::new(name), name, t.source).unwrap();
            let sum: f64 = form.sections.iter().map(|s| s.weight).sum();
            assert_eq!(sum, form.total_weight);
            assert!(form.questions.iter().any(|q| q.critical));
        }
    }
}
