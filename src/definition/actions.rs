//! The action library: concrete actions per gap, per dimension and for critical failures.
//!
//! The built-in library is `templates/actions.yaml`; an audit may name its own file
//! (`actions: FILE.yaml`, same format) whose entries are merged over the built-in ones,
//! so a company can use its own wording or add actions for its own dimensions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::builtin;
use crate::definition::Locator;
use crate::i18n::{Lang, Text};
use crate::problem::{Problem, Problems};
use crate::provenance::sha256_hex;

/// A title and a list of actions (one gap, one dimension, or critical failures).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionGroup {
    /// What the group is about, e.g. "Knowledge gap: ...".
    #[serde(default)]
    pub title: Option<Text>,
    /// The actions; `None` in an override keeps the built-in list, `[]` clears it.
    #[serde(default)]
    pub actions: Option<Vec<Text>>,
}

impl ActionGroup {
    /// The actions (none when not given).
    pub fn list(&self) -> &[Text] {
        self.actions.as_deref().unwrap_or(&[])
    }

    /// Overrides this group's title and actions with those given in `other`.
    fn merge(&mut self, other: &ActionGroup) {
        if other.title.is_some() {
            self.title.clone_from(&other.title);
        }
        if other.actions.is_some() {
            self.actions.clone_from(&other.actions);
        }
    }
}

/// An action library file (built-in or an audit's own).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionLibrary {
    /// Template name (built-in only).
    #[serde(default)]
    pub template: Option<String>,
    /// `actions`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Title of the library.
    #[serde(default)]
    pub title: Option<Text>,
    /// Description of the library.
    #[serde(default)]
    pub description: Option<Text>,
    /// Actions per gap, keyed 1..=5.
    #[serde(default)]
    pub gaps: BTreeMap<u8, ActionGroup>,
    /// Actions per dimension id.
    #[serde(default)]
    pub dimensions: BTreeMap<String, ActionGroup>,
    /// Actions for a failed critical mystery-shop question.
    #[serde(default)]
    pub critical: Option<ActionGroup>,
}

impl ActionLibrary {
    /// The built-in library (`templates/actions.yaml`).
    pub fn builtin() -> ActionLibrary {
        builtin::find("actions")
            .filter(|t| t.kind == builtin::Kind::Actions)
            // The built-in file is checked by a unit test, so a parse failure cannot ship.
            .and_then(|t| serde_yaml::from_str(t.source).ok())
            .unwrap_or_default()
    }

    /// This library with `other`'s entries merged over it (given keys replace, new keys add).
    pub fn merged(mut self, other: &ActionLibrary) -> ActionLibrary {
        for (gap, group) in &other.gaps {
            self.gaps.entry(*gap).or_default().merge(group);
        }
        for (dim, group) in &other.dimensions {
            self.dimensions.entry(dim.clone()).or_default().merge(group);
        }
        if let Some(group) = &other.critical {
            self.critical
                .get_or_insert_with(Default::default)
                .merge(group);
        }
        self
    }

    /// The actions for gap `n`, in `lang`.
    pub fn gap_actions(&self, n: u8, lang: Lang) -> Vec<String> {
        texts(self.gaps.get(&n), lang)
    }

    /// The actions for dimension `id`, in `lang`.
    pub fn dimension_actions(&self, id: &str, lang: Lang) -> Vec<String> {
        texts(self.dimensions.get(id), lang)
    }

    /// The actions for a failed critical question, in `lang`.
    pub fn critical_actions(&self, lang: Lang) -> Vec<String> {
        texts(self.critical.as_ref(), lang)
    }

    /// The title of gap `n`, in `lang`.
    pub fn gap_title(&self, n: u8, lang: Lang) -> Option<String> {
        self.gaps
            .get(&n)
            .and_then(|g| g.title.as_ref())
            .map(|t| t.get(lang).to_string())
    }
}

fn texts(group: Option<&ActionGroup>, lang: Lang) -> Vec<String> {
    group.map_or_else(Vec::new, |g| {
        g.list().iter().map(|t| t.get(lang).to_string()).collect()
    })
}

/// An audit's own action file, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionsSource {
    /// The file, resolved against the audit's folder.
    pub file: PathBuf,
    /// The file as written in the audit.
    pub file_as_written: String,
    /// Its SHA-256, for the report's provenance.
    pub sha256: String,
    /// Its entries (merged over the built-in library when used).
    pub library: ActionLibrary,
}

impl ActionsSource {
    /// The built-in library with this file merged over it.
    pub fn effective(&self) -> ActionLibrary {
        ActionLibrary::builtin().merged(&self.library)
    }
}

/// The library an audit uses: the built-in one, with the audit's own file merged over it.
pub fn library_for(source: Option<&ActionsSource>) -> ActionLibrary {
    match source {
        Some(s) => s.effective(),
        None => ActionLibrary::builtin(),
    }
}

/// Reads and checks an audit's action file; gap keys must be 1..5 and dimension keys ids
/// of the audit (`dimensions`).
pub(crate) fn load_override(
    file: &Path,
    file_as_written: &str,
    dimensions: &[&str],
) -> Result<ActionsSource, Problems> {
    let text = crate::yaml::read_text(file)?;
    let library: ActionLibrary = crate::yaml::from_str(file, &text)?;
    let locator = Locator::new(&text);
    let mut problems = Vec::new();
    let place = |at: String, message: &str| {
        let mut p = Problem::new(message).file(file).field(at.clone());
        if let Some((line, column)) = locator.find(&at) {
            p = p.at(line, column);
        }
        p
    };
    for gap in library.gaps.keys() {
        if !(1..=5).contains(gap) {
            problems.push(
                place(format!("gaps.{gap}"), "unknown gap")
                    .found(gap.to_string())
                    .expected("a gap number from 1 to 5"),
            );
        }
    }
    for dim in library.dimensions.keys() {
        let id = crate::definition::canonical_dimension_id(dim);
        if !dimensions.contains(&id) {
            let hint = crate::yaml::nearest(dim, dimensions.iter().copied());
            let expected = match hint {
                Some(h) => format!(
                    "a dimension id of the audit: {} (did you mean `{h}`?)",
                    dimensions.join(", ")
                ),
                None => format!("a dimension id of the audit: {}", dimensions.join(", ")),
            };
            problems.push(
                place(format!("dimensions.{dim}"), "unknown dimension")
                    .found(dim.clone())
                    .expected(expected),
            );
        }
    }
    if let Some(kind) = &library.kind {
        if kind != "actions" {
            problems.push(
                place("kind".into(), "not an action library")
                    .found(kind.clone())
                    .expected("`kind: actions` (or no `kind:`)"),
            );
        }
    }
    Problems::check(problems)?;
    // `assurance` is stored under its canonical id so that lookups find it.
    let mut library = library;
    library.dimensions = std::mem::take(&mut library.dimensions)
        .into_iter()
        .map(|(k, v)| (crate::definition::canonical_dimension_id(&k).to_string(), v))
        .collect();
    Ok(ActionsSource {
        file: file.to_path_buf(),
        file_as_written: file_as_written.to_string(),
        sha256: sha256_hex(text.as_bytes()),
        library,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_library_covers_every_gap_and_dimension_in_both_languages() {
        let lib = ActionLibrary::builtin();
        for n in 1..=5 {
            assert!(lib.gap_actions(n, Lang::En).len() >= 3, "gap {n}");
            assert!(lib.gaps[&n].list().iter().all(|t| t.zh.is_some()));
        }
        for (id, _, _) in crate::definition::DEFAULT_DIMENSIONS {
            assert!(lib.dimension_actions(id, Lang::Zh).len() >= 3, "{id}");
            assert!(lib.dimensions[id].list().iter().all(|t| t.zh.is_some()));
        }
        assert!(!lib.critical_actions(Lang::En).is_empty());
    }

    #[test]
    fn override_replaces_given_lists_and_adds_new_keys() {
        let own: ActionLibrary = serde_yaml::from_str(
            "gaps:\n  5:\n    actions:\n      - en: Call back every detractor\n        zh: 回访\n\
             dimensions:\n  digital:\n    actions:\n      - en: Fix the app\n",
        )
        .unwrap();
        let lib = ActionLibrary::builtin().merged(&own);
        assert_eq!(
            lib.gap_actions(5, Lang::En),
            vec!["Call back every detractor"]
        );
        assert_eq!(lib.gap_actions(5, Lang::Zh), vec!["回访"]);
        // The title was not given, so the built-in one stays.
        assert!(lib
            .gap_title(5, Lang::En)
            .unwrap()
            .starts_with("Customer gap"));
        // Chinese falls back to English where the file has none.
        assert_eq!(
            lib.dimension_actions("digital", Lang::Zh),
            vec!["Fix the app"]
        );
        // Untouched keys keep the built-in actions.
        assert_eq!(
            lib.gap_actions(1, Lang::En),
            ActionLibrary::builtin().gap_actions(1, Lang::En)
        );
    }

    #[test]
    fn override_with_unknown_keys_is_a_problem_with_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("own.yaml");
        std::fs::write(
            &path,
            "gaps:\n  7:\n    actions: []\ndimensions:\n  reliabilty:\n    actions: []\n",
        )
        .unwrap();
        let err = load_override(&path, "own.yaml", &["reliability", "empathy"]).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.0.len(), 2, "{text}");
        assert!(text.contains("own.yaml:2:3: gaps.7: unknown gap"), "{text}");
        assert!(text.contains(":5:3: dimensions.reliabilty"), "{text}");
        assert!(text.contains("did you mean `reliability`"), "{text}");
    }
}
