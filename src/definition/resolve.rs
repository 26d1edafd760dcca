//! From the raw YAML to a checked [`Audit`]: defaults, instruments, and every check.

use crate::provenance::FileDigest;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::builtin;
use super::period::{Cadence, Period, Schedule};
use super::raw::{RawAudit, RawColumns, RawLevels, RawPatterns, RawSurveySource, RawWeights};
use super::{
    canonical_dimension_id, Audit, Dimension, Item, Levels, Locator, Meta, Patterns, Scale,
    ShopperSource, SurveySource, Thresholds, Weights,
};
use crate::i18n::Text;
use crate::problem::{thousands, Problem, Problems};
use crate::yaml;

/// The five SERVQUAL dimensions: id, English label, Chinese label.
pub const DEFAULT_DIMENSIONS: [(&str, &str, &str); 5] = [
    ("tangibles", "Tangibles", "有形度"),
    ("reliability", "Reliability", "信赖度"),
    ("responsiveness", "Responsiveness", "反应度"),
    ("professionalism", "Professionalism", "专业度"),
    ("empathy", "Empathy", "同理度"),
];

/// The most items an audit may have: far more than any questionnaire, and every check
/// stays fast below it (docs/files.md#limits).
pub const MAX_ITEMS: usize = 10_000;

/// The most dimensions an audit may have (each needs items of its own).
pub const MAX_DIMENSIONS: usize = 1_000;

/// How many unknown ids of one list get a "did you mean" hint; each costs a comparison
/// with every known id.
const MAX_HINTS: usize = 50;

/// Reads, checks and resolves the audit at `path`.
pub fn load(path: &Path) -> Result<Audit, Problems> {
    let text = yaml::read_text(path)?;
    load_str(path, &text)
}

/// Checks and resolves audit YAML `text` read from `path`.
pub fn load_str(path: &Path, text: &str) -> Result<Audit, Problems> {
    let raw: RawAudit = yaml::from_str(path, text)?;
    let mut ctx = Checker {
        path,
        locator: Locator::new(text),
        problems: Vec::new(),
        digest: FileDigest::of_bytes("audit", path.display().to_string(), text.as_bytes()),
    };
    let audit = ctx.resolve(raw);
    Problems::check(ctx.problems)?;
    audit.ok_or_else(|| Problems::one(Problem::new("the audit is incomplete").file(path)))
}

/// Collects problems while resolving, each placed at its key in the file.
struct Checker<'a> {
    path: &'a Path,
    locator: Locator,
    problems: Vec<Problem>,
    /// The audit file's digest, for the report's provenance.
    digest: FileDigest,
}

impl Checker<'_> {
    /// Records a problem at the YAML key path `at`.
    fn report(&mut self, at: &str, message: impl Into<String>) -> &mut Problem {
        let mut p = Problem::new(message).file(self.path).field(at);
        if let Some((line, column)) = self.locator.find(at) {
            p = p.at(line, column);
        }
        self.problems.push(p);
        let last = self.problems.len() - 1;
        &mut self.problems[last]
    }

    fn resolve(&mut self, raw: RawAudit) -> Option<Audit> {
        if !self.within_limits(&raw) {
            return None;
        }
        let meta = self.meta(&raw);
        let scale = self.scale(&raw);
        let dimensions = self.dimensions(&raw);
        let items = self.items(&raw, &dimensions);
        let weights = self.weights(&raw, &dimensions);
        let customers = raw
            .sources
            .customers
            .as_ref()
            .map(|s| self.survey("sources.customers", s));
        let management = raw
            .sources
            .management
            .as_ref()
            .map(|s| self.survey("sources.management", s));
        let shoppers = raw.sources.shoppers.as_ref().map(|s| {
            let columns = &s.columns;
            ShopperSource {
                file: self.relative(&s.file),
                file_as_written: s.file.clone(),
                form: s.form.clone(),
                encoding: self.encoding("sources.shoppers.encoding", s.encoding.as_deref()),
                delimiter: self.delimiter("sources.shoppers.delimiter", s.delimiter.as_deref()),
                id_column: column(&columns.id, "visit"),
                shopper_column: column(&columns.shopper, "shopper"),
                site_column: column(&columns.site, "site"),
                date_column: column(&columns.date, "date"),
            }
        });
        let standards = self.levels("standards", &raw.standards, &dimensions, &items, scale);
        let promises = self.levels("promises", &raw.promises, &dimensions, &items, scale);
        let merge = self.merge(&raw);
        let thresholds = self.thresholds(&raw);
        self.owners(&raw, &dimensions);
        let actions = self.actions(&raw, &dimensions);
        let kano = self.kano(&raw, &dimensions, &items);
        Some(Audit {
            digest: self.digest.clone(),
            path: self.path.to_path_buf(),
            meta: meta?,
            scale: scale?,
            dimensions,
            items,
            weights,
            customers,
            management,
            shoppers,
            standards,
            promises,
            merge,
            thresholds,
            // `assurance` is stored under its canonical id, where the checklist looks.
            owners: raw
                .owners
                .iter()
                .map(|(k, v)| (canonical_dimension_id(k).to_string(), v.clone()))
                .collect(),
            actions,
            kano,
        })
    }

    /// Checks the `kano:` key: must-be ids name items or dimensions of the audit.
    fn kano(
        &mut self,
        raw: &RawAudit,
        dimensions: &[Dimension],
        items: &[Item],
    ) -> Option<super::kano_link::KanoLink> {
        let k = raw.kano.as_ref()?;
        let item_ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
        let dim_ids: Vec<&str> = dimensions.iter().map(|d| d.id.as_str()).collect();
        let file = k.file.as_deref().map(|w| (w, self.relative(w)));
        let (link, unknown) = super::kano_link::check(&k.must_be, file, &item_ids, &dim_ids);
        for (i, found, expected) in unknown {
            let p = self.report(&format!("kano.must_be[{i}]"), "unknown item or dimension");
            p.found = Some(found);
            p.expected = Some(expected);
        }
        Some(link)
    }

    /// Reads the audit's own action library, if it names one.
    fn actions(
        &mut self,
        raw: &RawAudit,
        dimensions: &[Dimension],
    ) -> Option<super::actions::ActionsSource> {
        let written = raw.actions.as_ref()?;
        let ids: Vec<&str> = dimensions.iter().map(|d| d.id.as_str()).collect();
        match super::actions::load_override(&self.relative(written), written, &ids) {
            Ok(source) => Some(source),
            Err(problems) => {
                self.problems.extend(problems.0);
                None
            }
        }
    }

    fn meta(&mut self, raw: &RawAudit) -> Option<Meta> {
        let m = &raw.audit;
        if m.id.trim().is_empty() {
            self.report("audit.id", "the audit id is empty").expected =
                Some("a short stable id, e.g. bank-2026-q3".into());
        }
        let schedule = self.schedule(m);
        let fixed = match &m.period {
            Some(period) => Some(self.fixed_period(period)?),
            // A schedule written but wrong is already a problem of its own.
            None if m.schedule.is_some() => None,
            None => {
                self.report("audit", "the audit has no period").expected = Some(
                    "`period: {start: YYYY-MM-DD, end: YYYY-MM-DD}`, or `schedule: monthly` (quarterly, yearly)"
                        .into(),
                );
                return None;
            }
        };
        // Until a run picks its period (`Audit::for_period`), a scheduled audit is about
        // the period of today.
        let today = chrono::Utc::now().date_naive();
        let current = match (&fixed, &schedule) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(s)) => s.period_of(today),
            (None, None) => None,
        }?;
        Some(Meta {
            id: m.id.clone(),
            title: m.title.clone(),
            organisation: m.organisation.clone(),
            period_start: current.start,
            period_end: current.end,
            period_name: current.name,
            fixed_period: fixed,
            schedule,
            earlier_periods: Vec::new(),
        })
    }

    /// `audit.period`: both days valid, the end not before the start.
    fn fixed_period(&mut self, period: &super::raw::RawPeriod) -> Option<Period> {
        let start = self.date("audit.period.start", &period.start);
        let end = self.date("audit.period.end", &period.end);
        let (start, end) = (start?, end?);
        if end < start {
            let p = self.report("audit.period.end", "the period ends before it starts");
            p.found = Some(period.end.clone());
            p.expected = Some(format!("a date on or after {}", period.start));
            return None;
        }
        Period::range(&format!("{start}..{end}"))
    }

    /// `audit.schedule` and `audit.year_starts`.
    fn schedule(&mut self, m: &super::raw::RawMeta) -> Option<Schedule> {
        let year_starts = match m.year_starts {
            None => Some(1),
            Some(month @ 1..=12) => u32::try_from(month).ok(),
            Some(month) => {
                let p = self.report("audit.year_starts", "not a month");
                p.found = Some(month.to_string());
                p.expected = Some("the month the fiscal year starts in, 1 to 12".into());
                None
            }
        };
        let Some(word) = &m.schedule else {
            if m.year_starts.is_some() {
                let p = self.report("audit.year_starts", "a fiscal year needs a schedule");
                p.expected = Some("`schedule: yearly` (or quarterly, monthly) beside it".into());
            }
            return None;
        };
        let Some(cadence) = Cadence::parse(word) else {
            let p = self.report("audit.schedule", "unknown schedule");
            p.found = Some(word.clone());
            p.expected = Some("monthly, quarterly or yearly".into());
            return None;
        };
        Some(Schedule {
            cadence,
            year_starts: year_starts?,
        })
    }

    fn date(&mut self, at: &str, value: &str) -> Option<chrono::NaiveDate> {
        let parsed = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok();
        if parsed.is_none() {
            let p = self.report(at, "not a date");
            p.found = Some(value.to_string());
            p.expected = Some("a date as YYYY-MM-DD".into());
        }
        parsed
    }

    /// Whether the lists are within [`MAX_ITEMS`] and [`MAX_DIMENSIONS`]; a problem for
    /// each that is not.
    fn within_limits(&mut self, raw: &RawAudit) -> bool {
        let dimensions = raw.dimensions.as_ref().map_or(0, Vec::len);
        let mut within = true;
        let lists = [
            ("items", raw.items.len(), MAX_ITEMS),
            ("dimensions", dimensions, MAX_DIMENSIONS),
        ];
        for (key, count, limit) in lists {
            if count > limit {
                // Not placed by the locator: parsing a file this large twice is what
                // the limit spares.
                let limit = thousands(limit as u64);
                self.problems.push(
                    Problem::new(format!("more {key} than the limit of {limit}"))
                        .file(self.path)
                        .field(key)
                        .found(format!("{} {key}", thousands(count as u64)))
                        .expected(format!("at most {limit} {key}")),
                );
                within = false;
            }
        }
        within
    }

    fn scale(&mut self, raw: &RawAudit) -> Option<Scale> {
        let Some(s) = &raw.scale else {
            return Some(Scale { min: 1.0, max: 7.0 });
        };
        if !(s.min.is_finite() && s.max.is_finite() && s.min < s.max) {
            let p = self.report("scale", "the scale is empty");
            p.found = Some(format!("{}..{}", s.min, s.max));
            p.expected = Some("min below max, e.g. 1..7".into());
            return None;
        }
        Some(Scale {
            min: s.min,
            max: s.max,
        })
    }

    fn dimensions(&mut self, raw: &RawAudit) -> Vec<Dimension> {
        let Some(list) = &raw.dimensions else {
            return DEFAULT_DIMENSIONS
                .iter()
                .map(|(id, en, zh)| Dimension {
                    id: id.to_string(),
                    label: Text::new(*en, *zh),
                })
                .collect();
        };
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (i, d) in list.iter().enumerate() {
            let id = canonical_dimension_id(&d.id).to_string();
            if !is_id(&id) {
                let p = self.report(&format!("dimensions[{i}].id"), "not a valid id");
                p.found = Some(d.id.clone());
                p.expected = Some("letters, digits, `-` or `_`".into());
            } else if !seen.insert(id.clone()) {
                let p = self.report(&format!("dimensions[{i}].id"), "duplicate dimension id");
                p.found = Some(d.id.clone());
                p.expected = Some("each dimension once".into());
            }
            out.push(Dimension {
                id,
                label: d.label.clone(),
            });
        }
        if out.is_empty() {
            self.report("dimensions", "no dimensions").expected = Some(
                "at least one dimension, or no `dimensions:` key for the five SERVQUAL dimensions"
                    .into(),
            );
        }
        out
    }

    /// Looks up a dimension id (or alias) and reports it at `at` if unknown.
    fn dimension_ref(&mut self, at: &str, id: &str, dimensions: &[Dimension]) -> Option<usize> {
        let canonical = canonical_dimension_id(id);
        let found = dimensions.iter().position(|d| d.id == canonical);
        if found.is_none() {
            let ids: Vec<&str> = dimensions.iter().map(|d| d.id.as_str()).collect();
            let hint = yaml::nearest(id, ids.iter().copied());
            let p = self.report(at, "unknown dimension");
            p.found = Some(id.to_string());
            p.expected = Some(match hint {
                Some(h) => format!("one of {} (did you mean `{h}`?)", ids.join(", ")),
                None => format!("one of {}", ids.join(", ")),
            });
        }
        found
    }

    fn items(&mut self, raw: &RawAudit, dimensions: &[Dimension]) -> Vec<Item> {
        let mut items: Vec<Item> = Vec::new();
        if let Some(name) = &raw.instrument {
            match builtin::instrument(name) {
                Some(instrument) => {
                    for it in &instrument.items {
                        // An audit with its own dimension set may reuse an instrument
                        // only if the dimensions match.
                        if let Some(d) = self.dimension_ref("instrument", &it.dimension, dimensions)
                        {
                            items.push(Item {
                                id: it.id.clone(),
                                dimension: d,
                                text: it.text.clone(),
                                short: it.short.clone(),
                                reverse: it.reverse,
                            });
                        }
                    }
                }
                None => {
                    let names: Vec<&str> = builtin::TEMPLATES
                        .iter()
                        .filter(|t| t.kind == builtin::Kind::Instrument)
                        .map(|t| t.name)
                        .collect();
                    let p = self.report("instrument", "unknown instrument");
                    p.found = Some(name.clone());
                    p.expected = Some(format!(
                        "a built-in instrument ({}); see `servqual templates`",
                        names.join(", ")
                    ));
                }
            }
        }
        let from_instrument = items.len();
        let mut seen = HashSet::new();
        for (i, it) in raw.items.iter().enumerate() {
            let at = format!("items[{i}]");
            if !is_id(&it.id) {
                let p = self.report(&format!("{at}.id"), "not a valid item id");
                p.found = Some(it.id.clone());
                p.expected = Some("letters, digits, `-` or `_`, e.g. R3".into());
                continue;
            }
            if !seen.insert(it.id.clone()) {
                let p = self.report(&format!("{at}.id"), "duplicate item id");
                p.found = Some(it.id.clone());
                p.expected = Some("each item id once".into());
                continue;
            }
            let dimension = match &it.dimension {
                Some(d) => self.dimension_ref(&format!("{at}.dimension"), d, dimensions),
                None => None,
            };
            let existing = items[..from_instrument].iter().position(|x| x.id == it.id);
            match existing {
                Some(k) => {
                    let target = &mut items[k];
                    if let Some(d) = dimension {
                        target.dimension = d;
                    }
                    if let Some(t) = &it.text {
                        target.text = t.clone();
                        // The instrument's short label named the old statement.
                        target.short = None;
                    }
                    if let Some(t) = &it.short {
                        target.short = Some(t.clone());
                    }
                    if let Some(r) = it.reverse {
                        target.reverse = r;
                    }
                }
                None => {
                    if it.dimension.is_none() {
                        self.report(&at, "a new item needs a dimension").expected =
                            Some("`dimension:` (the id is not in the instrument)".into());
                    }
                    if it.text.is_none() {
                        self.report(&at, "a new item needs a text").expected = Some(
                            "`text: {en: ..., zh: ...}` (any language code: ko, ja, de, ...)"
                                .into(),
                        );
                    }
                    if let (Some(d), Some(text)) = (dimension, &it.text) {
                        items.push(Item {
                            id: it.id.clone(),
                            dimension: d,
                            text: text.clone(),
                            short: it.short.clone(),
                            reverse: it.reverse.unwrap_or(false),
                        });
                    }
                }
            }
        }
        if items.is_empty() && self.problems.is_empty() {
            self.report("items", "the audit has no items").expected =
                Some("`instrument: servqual-22` or a list under `items:`".into());
        }
        if !items.is_empty() {
            let mut has_items = vec![false; dimensions.len()];
            for it in &items {
                if let Some(slot) = has_items.get_mut(it.dimension) {
                    *slot = true;
                }
            }
            for (d, dim) in dimensions.iter().enumerate() {
                if !has_items[d] {
                    let p = self.report("items", "a dimension has no items");
                    p.found = Some(dim.id.clone());
                    p.expected = Some("at least one item per dimension (or leave the dimension out of `dimensions:`)".into());
                }
            }
        }
        items
    }

    fn weights(&mut self, raw: &RawAudit, dimensions: &[Dimension]) -> Weights {
        match &raw.weights {
            None => Weights::None,
            Some(RawWeights::Keyword(k)) if k == "survey" => {
                if raw.sources.customers.is_none() {
                    self.report("weights", "survey weights need a customer survey")
                        .expected = Some("`sources.customers` with W_<dimension> columns".into());
                }
                Weights::Survey
            }
            Some(RawWeights::Keyword(k)) => {
                let p = self.report("weights", "unknown weights keyword");
                p.found = Some(k.clone());
                p.expected = Some("`survey`, or percentages per dimension summing to 100".into());
                Weights::None
            }
            Some(RawWeights::Percent(map)) => {
                let mut w = vec![None; dimensions.len()];
                for (key, value) in map {
                    let at = format!("weights.{key}");
                    let Some(d) = self.dimension_ref(&at, key, dimensions) else {
                        continue;
                    };
                    if !(value.is_finite() && *value >= 0.0) {
                        let p = self.report(&at, "a weight must be a percentage");
                        p.found = Some(value.to_string());
                        p.expected = Some("a number from 0 to 100".into());
                    }
                    if w[d].is_some() {
                        let p = self.report(&at, "the dimension is weighted twice");
                        p.found = Some(key.clone());
                        p.expected =
                            Some("each dimension once (`assurance` is `professionalism`)".into());
                    }
                    w[d] = Some(*value);
                }
                let missing: Vec<&str> = dimensions
                    .iter()
                    .zip(&w)
                    .filter(|(_, w)| w.is_none())
                    .map(|(d, _)| d.id.as_str())
                    .collect();
                if !missing.is_empty() {
                    let p = self.report("weights", "dimensions without a weight");
                    p.found = Some(missing.join(", "));
                    p.expected = Some("a weight for every dimension".into());
                }
                let sum: f64 = w.iter().flatten().sum();
                if (sum - 100.0).abs() > 1e-9 {
                    let p = self.report("weights", "weights do not sum to 100");
                    p.found = Some(format!("{sum}"));
                    p.expected = Some("percentages summing to 100".into());
                }
                Weights::Fixed(w.iter().map(|x| x.unwrap_or(0.0) / 100.0).collect())
            }
        }
    }

    fn relative(&self, file: &str) -> std::path::PathBuf {
        let base = self.path.parent().unwrap_or(Path::new(""));
        base.join(file)
    }

    fn encoding(&mut self, at: &str, label: Option<&str>) -> Option<String> {
        let label = label?;
        if crate::encoding::encoding_for_label(label).is_none() {
            let p = self.report(at, "unknown encoding");
            p.found = Some(label.to_string());
            p.expected = Some(crate::encoding::unknown_label_expected(label));
        }
        Some(label.to_string())
    }

    fn delimiter(&mut self, at: &str, value: Option<&str>) -> Option<u8> {
        let value = value?;
        let byte = yaml::delimiter(value);
        if byte.is_none() {
            let p = self.report(at, "not a delimiter");
            p.found = Some(value.to_string());
            p.expected = Some("\",\", \";\", \"|\" or \"tab\"".into());
        }
        byte
    }

    fn survey(&mut self, at: &str, s: &RawSurveySource) -> SurveySource {
        let patterns = self.patterns(&format!("{at}.patterns"), &s.patterns);
        let columns: &RawColumns = &s.columns;
        SurveySource {
            file: self.relative(&s.file),
            file_as_written: s.file.clone(),
            encoding: self.encoding(&format!("{at}.encoding"), s.encoding.as_deref()),
            delimiter: self.delimiter(&format!("{at}.delimiter"), s.delimiter.as_deref()),
            id_column: column(&columns.id, "id"),
            site_column: column(&columns.site, "site"),
            date_column: column(&columns.date, "date"),
            region_column: column(&columns.region, "region"),
            patterns,
        }
    }

    fn patterns(&mut self, at: &str, raw: &RawPatterns) -> Patterns {
        let mut p = Patterns::default();
        let fields: [(&str, &Option<String>, &mut String, &str); 6] = [
            ("expected", &raw.expected, &mut p.expected, "{item}"),
            ("perceived", &raw.perceived, &mut p.perceived, "{item}"),
            ("adequate", &raw.adequate, &mut p.adequate, "{item}"),
            ("desired", &raw.desired, &mut p.desired, "{item}"),
            (
                "importance",
                &raw.importance,
                &mut p.importance,
                "{dimension}",
            ),
            ("management", &raw.management, &mut p.management, "{item}"),
        ];
        let mut bad = Vec::new();
        for (name, given, slot, placeholder) in fields {
            if let Some(g) = given {
                if !g.contains(placeholder) {
                    bad.push((name, g.clone(), placeholder));
                }
                *slot = g.clone();
            }
        }
        for (name, found, placeholder) in bad {
            let problem = self.report(&format!("{at}.{name}"), "the pattern has no placeholder");
            problem.found = Some(found);
            problem.expected = Some(format!(
                "a column name containing {placeholder}, e.g. E_{placeholder}"
            ));
        }
        p
    }

    fn levels(
        &mut self,
        at: &str,
        raw: &RawLevels,
        dimensions: &[Dimension],
        items: &[Item],
        scale: Option<Scale>,
    ) -> Levels {
        let mut out = Levels::default();
        for (key, value) in &raw.dimensions {
            let here = format!("{at}.dimensions.{key}");
            if let Some(d) = self.dimension_ref(&here, key, dimensions) {
                self.check_level(&here, *value, scale);
                out.dimensions.insert(d, *value);
            }
        }
        let by_id: HashMap<&str, usize> = items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id.as_str(), i))
            .collect();
        let mut hints = 0;
        for (key, value) in &raw.items {
            let here = format!("{at}.items.{key}");
            match by_id.get(key.as_str()) {
                Some(&i) => {
                    self.check_level(&here, *value, scale);
                    out.items.insert(i, *value);
                }
                None => {
                    // A hint compares with every item: given for the first few only.
                    hints += 1;
                    let hint = if hints <= MAX_HINTS {
                        yaml::nearest(key, items.iter().map(|it| it.id.as_str()))
                    } else {
                        None
                    };
                    let p = self.report(&here, "unknown item");
                    p.found = Some(key.clone());
                    p.expected = Some(match hint {
                        Some(h) => format!("an item id of the audit (did you mean `{h}`?)"),
                        None => "an item id of the audit".into(),
                    });
                }
            }
        }
        out
    }

    fn check_level(&mut self, at: &str, value: f64, scale: Option<Scale>) {
        if let Some(s) = scale {
            if !s.contains(value) {
                let p = self.report(at, "level outside the scale");
                p.found = Some(value.to_string());
                p.expected = Some(format!("a level from {} to {}", s.min, s.max));
            }
        }
    }

    fn merge(&mut self, raw: &RawAudit) -> (f64, f64) {
        let Some(m) = &raw.merge else {
            return (0.5, 0.5);
        };
        let ok = m.customers >= 0.0
            && m.shoppers >= 0.0
            && (m.customers + m.shoppers - 1.0).abs() < 1e-9;
        if !ok {
            let p = self.report("merge", "merge weights must be non-negative and sum to 1");
            p.found = Some(format!(
                "customers {} + shoppers {}",
                m.customers, m.shoppers
            ));
            p.expected = Some("e.g. customers: 0.6, shoppers: 0.4".into());
        }
        (m.customers, m.shoppers)
    }

    fn thresholds(&mut self, raw: &RawAudit) -> Thresholds {
        let t = &raw.thresholds;
        let mut out = Thresholds::default();
        if let Some(c) = t.checklist {
            out.checklist = c;
        }
        if let Some(d) = t.divergence {
            if !(d.is_finite() && d > 0.0) {
                let p = self.report(
                    "thresholds.divergence",
                    "the divergence threshold must be positive",
                );
                p.found = Some(d.to_string());
                p.expected = Some("scale points, e.g. 1.0".into());
            }
            out.divergence = d;
        }
        if let Some(v) = t.min_visits {
            if v == 0 {
                let p = self.report(
                    "thresholds.min_visits",
                    "the minimum number of visits must be at least 1",
                );
                p.found = Some("0".into());
            }
            out.min_visits = v;
        }
        if let Some(n) = t.min_segment_n {
            out.min_segment_n = n;
        }
        out.fail = t.fail.clone();
        out
    }

    fn owners(&mut self, raw: &RawAudit, dimensions: &[Dimension]) {
        let gaps = [
            "gap1", "gap2", "gap3", "gap4", "gap5", "critical", "default",
        ];
        let owners: &BTreeMap<String, String> = &raw.owners;
        if owners.contains_key("assurance") && owners.contains_key("professionalism") {
            let p = self.report("owners.assurance", "two owners for one dimension");
            p.found = Some("assurance and professionalism".into());
            p.expected = Some("one of them (assurance is another name for professionalism)".into());
        }
        for key in owners.keys() {
            let known = gaps.contains(&key.as_str())
                || dimensions
                    .iter()
                    .any(|d| d.id == canonical_dimension_id(key));
            if !known {
                let valid: Vec<&str> = dimensions
                    .iter()
                    .map(|d| d.id.as_str())
                    .chain(gaps.iter().copied())
                    .collect();
                let hint = yaml::nearest(key, valid.iter().copied());
                let p = self.report(&format!("owners.{key}"), "unknown owner key");
                p.found = Some(key.clone());
                p.expected = Some(match hint {
                    Some(h) => format!(
                        "a dimension id, gap1..gap5, critical or default (did you mean `{h}`?)"
                    ),
                    None => "a dimension id, gap1..gap5, critical or default".into(),
                });
            }
        }
    }
}

fn column(given: &Option<String>, default: &str) -> String {
    given.clone().unwrap_or_else(|| default.to_string())
}

/// Ids are used in column names and file names, so keep them plain.
fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUDIT: &str =
        "audit:\n  id: a\n  title: A\n  period: {start: 2026-10-01, end: 2026-10-31}\n\
        dimensions:\n  - {id: professionalism, label: {en: Professionalism}}\n\
        items:\n  - {id: P1, dimension: assurance, text: {en: Competent staff}}\n\
        sources:\n  customers: {file: c.csv}\n";

    #[test]
    fn item_texts_in_any_language_code() {
        let text = "audit:\n  id: a\n  title: A\n  period: {start: 2026-10-01, end: 2026-10-31}\n\
            instrument: servqual-22\n\
            items:\n  - {id: P9, dimension: assurance, text: {ko: 직원이 유능하다}}\n\
            \x20 - {id: T1, text: {en: Modern equipment, ja: 設備が新しい}}\n\
            sources:\n  customers: {file: c.csv}\n";
        let audit = load_str(Path::new("audit.yaml"), text).unwrap();
        let item = |id: &str| audit.items.iter().find(|i| i.id == id).unwrap();
        // Korean only: reports show it in either language.
        assert_eq!(
            item("P9").text.get(crate::i18n::Lang::En),
            "직원이 유능하다"
        );
        assert_eq!(
            item("T1").text.all().collect::<Vec<_>>(),
            ["Modern equipment", "設備が新しい"]
        );
        let bad = text.replace("ja:", "japanese:");
        let problems = load_str(Path::new("audit.yaml"), &bad).unwrap_err();
        assert!(problems.to_string().contains("japanese"), "{problems}");
    }

    #[test]
    fn owners_under_the_assurance_alias_are_found_under_professionalism() {
        let text = format!("{AUDIT}owners: {{assurance: Training lead}}\n");
        let audit = load_str(Path::new("audit.yaml"), &text).unwrap();
        assert_eq!(
            audit.owners.get("professionalism").map(String::as_str),
            Some("Training lead")
        );
        assert!(!audit.owners.contains_key("assurance"));
    }

    #[test]
    fn an_owner_under_both_names_is_a_problem() {
        let text = format!("{AUDIT}owners: {{assurance: A, professionalism: B}}\n");
        let problems = load_str(Path::new("audit.yaml"), &text).unwrap_err();
        assert_eq!(problems.0.len(), 1, "{problems}");
        assert_eq!(problems.0[0].field.as_deref(), Some("owners.assurance"));
        assert_eq!(problems.0[0].line, Some(11), "{problems}");
    }

    fn with_meta(meta: &str) -> String {
        AUDIT.replace(
            "  period: {start: 2026-10-01, end: 2026-10-31}\n",
            &format!("{meta}\n"),
        )
    }

    #[test]
    fn a_schedule_serves_every_period_and_a_fixed_period_is_the_default() {
        let text = with_meta("  schedule: quarterly\n  year_starts: 4");
        let audit = load_str(Path::new("audit.yaml"), &text).unwrap();
        let schedule = audit.meta.schedule.unwrap();
        assert_eq!(schedule.year_starts, 4);
        assert_eq!(audit.meta.fixed_period, None);
        let q2 = schedule.parse("FY2027-Q2").unwrap();
        let run = audit.for_period(&q2);
        assert_eq!(run.meta.period(), q2);
        assert_eq!(run.meta.period_end.to_string(), "2026-09-30");
        let both = with_meta("  schedule: monthly\n  period: {start: 2026-10-01, end: 2026-10-31}");
        let audit = load_str(Path::new("audit.yaml"), &both).unwrap();
        let fixed = audit.meta.fixed_period.clone().unwrap();
        assert_eq!(fixed.name, "2026-10-01..2026-10-31");
        assert_eq!(audit.meta.period(), fixed);
    }

    #[test]
    fn bad_schedules_and_missing_periods_are_placed_problems() {
        let cases = [
            (
                "  schedule: weekly",
                "audit.schedule",
                "unknown schedule",
                4,
            ),
            (
                "  schedule: yearly\n  year_starts: 13",
                "audit.year_starts",
                "not a month",
                5,
            ),
            (
                "  period: {start: 2026-10-01, end: 2026-10-31}\n  year_starts: 4",
                "audit.year_starts",
                "a fiscal year needs a schedule",
                5,
            ),
            ("", "audit", "the audit has no period", 1),
        ];
        for (meta, field, message, line) in cases {
            let problems = load_str(Path::new("audit.yaml"), &with_meta(meta)).unwrap_err();
            assert_eq!(problems.0.len(), 1, "{problems}");
            let p = &problems.0[0];
            assert_eq!(p.field.as_deref(), Some(field), "{problems}");
            assert_eq!(p.message, message, "{problems}");
            assert_eq!(p.line, Some(line), "{problems}");
        }
    }
}
