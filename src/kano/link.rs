//! The audit's `kano:` key: which items customers take for granted (Kano must-be), so
//! the checklist can raise a shortfall on them (SPEC §6, §9).
//!
//! ```yaml
//! kano:
//!   must_be: [R1, reliability]   # item ids, or dimension ids meaning all their items
//!   file: kano/branch.yaml       # a Kano definition (see `servqual kano`): features with
//!                                # `item:` whose category is must-be count as well
//! ```
//!
//! Both are optional and add up. The file is analysed as `servqual kano FILE` would; a
//! feature counts when its category is M, or a tie led by M (`M/O`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::definition::Audit;
use crate::problem::{Problem, Problems};
use crate::sources::hashing::{sha256_hex, FileDigest};
use crate::sources::text::TextOptions;

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

/// The items of `audit` that are Kano must-be features, and the digests of the Kano
/// files read (definition, then responses) for the report's provenance.
///
/// Declared dimension ids stand for all their items. A bad Kano file is a problem
/// (exit 2), checked before anything is written.
pub fn must_be_items(audit: &Audit) -> Result<(BTreeSet<String>, Vec<FileDigest>), Problems> {
    let mut set = BTreeSet::new();
    let mut files = Vec::new();
    let Some(link) = &audit.kano else {
        return Ok((set, files));
    };
    for id in &link.must_be {
        match audit.dimension_index(id) {
            Some(d) => set.extend(audit.items_of(d).map(|i| audit.items[i].id.clone())),
            None => {
                set.insert(id.clone());
            }
        }
    }
    if let Some(path) = &link.file {
        let (report, digests) = analyse_file(path)?;
        set.extend(super::must_be_items(&report, audit));
        files.extend(digests);
    }
    Ok((set, files))
}

/// Analyses the Kano definition at `path` (its `data:` CSV, features, labels).
fn analyse_file(path: &Path) -> Result<(super::KanoReport, Vec<FileDigest>), Problems> {
    let def = super::definition::load_definition(path)?;
    let Some(data) = def.data.clone() else {
        return Err(Problems::one(
            Problem::new("missing key")
                .file(path)
                .field("data")
                .expected("the responses CSV, relative to this file"),
        ));
    };
    let options = TextOptions {
        encoding: def.encoding.clone(),
        delimiter: def.delimiter,
    };
    let tally = super::responses::read_responses(&data, &options, &def.labels)?;
    let report = super::analyse(
        tally,
        &def.features,
        def.title.clone(),
        def.resolve_ties,
        Some(path),
    )?;
    let digest = |role: &str, p: &Path| -> Result<FileDigest, Problems> {
        let bytes = std::fs::read(p)
            .map_err(|e| Problems::one(Problem::new(format!("cannot read file: {e}")).file(p)))?;
        Ok(FileDigest {
            role: role.into(),
            path: p.display().to_string(),
            sha256: sha256_hex(&bytes),
        })
    };
    let files = vec![digest("kano", path)?, digest("kano-responses", &data)?];
    Ok((report, files))
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
