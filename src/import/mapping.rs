//! Which export column fills which column of the data file: the map file first, then the
//! tools' usual names, then the question text matched against the audit's items (English
//! or Chinese), exactly after normalisation and then, conservatively, by similarity.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::presets::{ExportColumn, Preset};
use super::target::{Role, Target};
use super::values::{format_number, Labels};
use crate::problem::{Problem, Problems};
use crate::yaml::nearest;

/// The optional `--map` file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MapFile {
    /// Export column holding the response or visit id.
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// Export column holding the site.
    #[serde(default)]
    pub(crate) site: Option<String>,
    /// Export column holding the date.
    #[serde(default)]
    pub(crate) date: Option<String>,
    /// Export column holding the region.
    #[serde(default)]
    pub(crate) region: Option<String>,
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
    /// The export's encoding (a label such as `euc-kr`); `--encoding` overrides it.
    #[serde(default)]
    pub(crate) encoding: Option<String>,
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
    /// A column of the tool itself, or ignored by the map.
    Skip,
    /// A question the audit does not have (drift: added).
    Unknown,
}

/// The result of mapping an export onto a target.
#[derive(Debug)]
pub(crate) struct Mapping {
    /// Per export column.
    pub(crate) uses: Vec<Use>,
    /// How columns were matched by text (for the user to check).
    pub(crate) matched: Vec<String>,
    /// Differences between the export's questions and the audit's.
    pub(crate) drift: Vec<String>,
    /// An export column that gives the date as well as filling another column.
    pub(crate) shared_date: Option<(usize, usize)>,
}

impl Mapping {
    /// The export column filling target column `t`.
    pub(crate) fn source_of(&self, t: usize) -> Option<usize> {
        self.uses
            .iter()
            .position(|u| *u == Use::Fill(t))
            .or_else(|| self.shared_date.filter(|s| s.1 == t).map(|s| s.0))
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

/// Which part of a customer survey (E, P, A, D) the words around a statement point to.
fn part_from_context(context: &str) -> Vec<char> {
    let c = context.to_lowercase();
    let mut parts = Vec::new();
    let has = |words: &[&str]| words.iter().any(|w| c.contains(w));
    if has(&["expect", "should", "期望", "应该", "应当"]) {
        parts.push('E');
    }
    if has(&["percep", "actual", "感知", "实际"]) {
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

/// Maps `columns` of an export onto `target`.
pub(crate) fn map_columns(
    columns: &[ExportColumn],
    preset: Preset,
    target: &Target,
    map: &MapFile,
    map_path: Option<&Path>,
) -> Result<Mapping, Problems> {
    let mut problems = Vec::new();
    let mut uses = vec![Use::Unknown; columns.len()];
    let mut matched = Vec::new();
    let mut drift = Vec::new();
    let mut shared_date = None;
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
    let find_export = |name: &str| columns.iter().position(|c| c.is_named(name));
    let role_column =
        |target: &Target, role: &Role| target.columns.iter().position(|c| &c.role == role);

    // 1. The map file.
    for name in &map.ignore {
        match find_export(name) {
            Some(e) => uses[e] = Use::Skip,
            None => problems.push(map_problem(
                "the map ignores a column the export does not have",
                "ignore",
                name,
                "a column key or question text of the export".into(),
            )),
        }
    }
    let roles = [
        ("id", &map.id, Role::Id),
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
        match find_export(name) {
            Some(e) => uses[e] = Use::Fill(t),
            None => problems.push(map_problem(
                "the map names a column the export does not have",
                key,
                name,
                "a column key or question text of the export".into(),
            )),
        }
    }
    for (from, to) in &map.columns {
        let Some(e) = find_export(from) else {
            problems.push(map_problem(
                "the map names a column the export does not have",
                &format!("columns.{from}"),
                from,
                "a column key or question text of the export".into(),
            ));
            continue;
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
        uses[e] = Use::Fill(t);
    }

    // 2. Id, site, date, ... by the names the tools use.
    for role in [
        Role::Id,
        Role::Site,
        Role::Date,
        Role::Region,
        Role::Shopper,
    ] {
        let Some(t) = role_column(target, &role) else {
            continue;
        };
        if uses.contains(&Use::Fill(t)) {
            continue;
        }
        let own = target.columns[t].name.clone();
        let mut names = vec![own.as_str()];
        match role {
            Role::Id => names.extend(preset.id_names()),
            Role::Date => names.extend(preset.date_names()),
            _ => {}
        }
        let free = names.iter().find_map(|n| {
            (0..columns.len()).find(|&e| uses[e] == Use::Unknown && columns[e].is_named(n))
        });
        if let Some(e) = free {
            uses[e] = Use::Fill(t);
        } else if role == Role::Date {
            // Google Forms: the timestamp is both the id and the date.
            let id_column = role_column(target, &Role::Id);
            shared_date = names
                .iter()
                .find_map(|n| {
                    (0..columns.len()).find(|&e| {
                        columns[e].is_named(n)
                            && id_column.is_some_and(|id| uses[e] == Use::Fill(id))
                    })
                })
                .map(|e| (e, t));
            if let Some((e, _)) = shared_date {
                matched.push(format!(
                    "{} gives both the id and the date",
                    columns[e].label()
                ));
            }
        }
    }
    for (i, c) in columns.iter().enumerate() {
        if uses[i] == Use::Unknown && preset.meta_names().iter().any(|m| c.is_named(m)) {
            uses[i] = Use::Skip;
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
        }
    }

    // 4. Question text against item statements and form questions.
    let texts: Vec<(usize, String)> = target
        .columns
        .iter()
        .enumerate()
        .filter_map(|(t, c)| c.text.as_ref().map(|x| (t, x)))
        .flat_map(|(t, x)| {
            let mut v = vec![(t, normalise(&x.en))];
            if let Some(zh) = &x.zh {
                v.push((t, normalise(zh)));
            }
            v
        })
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
            ((t, context), "same text".to_string())
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
            (
                (top.1, top.2),
                format!("similar text ({:.0}% alike)", top.0 * 100.0),
            )
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
                matched.push(format!("{} -> {} ({how})", c.label(), target.columns[t].name));
                if how != "same text" {
                    drift.push(format!(
                        "reworded: {} matches {} only by {how}; check it or name it in the map file",
                        c.label(),
                        target.columns[t].name
                    ));
                }
            }
            None => problems.push(
                Problem::new("the question matches an item, but not whether it asks for expectation or perception")
                    .field(c.key.clone())
                    .found(c.texts.first().cloned().unwrap_or_default())
                    .expected(format!(
                        "one of {} named for this column under `columns:` in a map file (--map)",
                        siblings.iter().map(|&t| target.columns[t].name.as_str()).collect::<Vec<_>>().join(", ")
                    )),
            ),
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
    if role_column(target, &Role::Id).is_none_or(|t| !uses.contains(&Use::Fill(t))) {
        problems.push(
            Problem::new("no column of the export holds the response id").expected(format!(
                "a column named {} or `id:` in a map file, so that rows are not imported twice",
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
    Problems::check(problems)?;

    for (i, c) in columns.iter().enumerate() {
        if uses[i] == Use::Unknown && !c.key.is_empty() {
            drift.push(format!(
                "added: the export has {} which the audit does not ask; it is not imported",
                c.label()
            ));
        }
    }
    let expected_parts: &[char] = match target.source.as_str() {
        "customers" => &['E', 'P'],
        "management" => &['M'],
        _ => &['Q'],
    };
    let missing: Vec<&str> = target
        .columns
        .iter()
        .enumerate()
        .filter(|(t, c)| expected_parts.contains(&c.part) && !uses.contains(&Use::Fill(*t)))
        .map(|(_, c)| c.name.as_str())
        .collect();
    if !missing.is_empty() {
        drift.push(format!(
            "missing: the export has no column for {} (left empty)",
            missing.join(", ")
        ));
    }
    Ok(Mapping {
        uses,
        matched,
        drift,
        shared_date,
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
}
