//! The audit's `kano:` key: which items customers take for granted (Kano must-be).
//!
//! Only the key as written and checked lives here; `kano::link` analyses the Kano file
//! it names, since that is Kano analysis (docs/checklist.md).

use std::path::PathBuf;

/// The audit's `kano:` key, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KanoLink {
    /// Declared must-be item and dimension ids (dimension ids canonical).
    pub must_be: Vec<String>,
    /// A Kano definition YAML, resolved against the audit's folder.
    pub file: Option<PathBuf>,
    /// The file as written in the audit.
    pub file_as_written: Option<String>,
}

/// Checks the ids of `must_be` against the audit's `items` and `dimensions`; returns the
/// link and one `(index, id, expected)` per unknown id for the caller to place.
pub fn check(
    must_be: &[String],
    file: Option<(&str, PathBuf)>,
    items: &[&str],
    dimensions: &[&str],
) -> (KanoLink, Vec<(usize, String, String)>) {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for (i, raw) in must_be.iter().enumerate() {
        let id = raw.trim();
        let dim = crate::definition::canonical_dimension_id(id);
        if items.contains(&id) {
            ids.push(id.to_string());
        } else if dimensions.contains(&dim) {
            ids.push(dim.to_string());
        } else {
            let all = items.iter().chain(dimensions.iter()).copied();
            let expected = match crate::yaml::nearest(id, all) {
                Some(h) => format!("an item or dimension id of the audit (did you mean `{h}`?)"),
                None => "an item or dimension id of the audit".to_string(),
            };
            unknown.push((i, raw.clone(), expected));
        }
    }
    let (file_as_written, file) = match file {
        Some((w, p)) => (Some(w.to_string()), Some(p)),
        None => (None, None),
    };
    (
        KanoLink {
            must_be: ids,
            file,
            file_as_written,
        },
        unknown,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_and_dimensions_made_canonical() {
        let (link, unknown) = check(
            &[
                "R1".into(),
                "assurance".into(),
                "R9".into(),
                "emapthy".into(),
            ],
            None,
            &["R1", "R2"],
            &["reliability", "professionalism", "empathy"],
        );
        assert_eq!(link.must_be, vec!["R1", "professionalism"]);
        assert_eq!(unknown.len(), 2);
        assert_eq!(unknown[0].0, 2);
        assert_eq!(unknown[1].1, "emapthy");
        assert!(
            unknown[1].2.contains("did you mean `empathy`"),
            "{unknown:?}"
        );
    }
}
