//! The must-be items of an audit's `kano:` key (checked in `definition::kano_link`), so
//! the checklist can raise a shortfall on them (docs/checklist.md#kano-must-be-items).
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
use std::path::Path;

use crate::definition::Audit;
use crate::problem::{Problem, Problems};
use crate::provenance::FileDigest;
use crate::sources::text::TextOptions;

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
        Ok(FileDigest::of_bytes(role, p.display().to_string(), &bytes))
    };
    let files = vec![digest("kano", path)?, digest("kano-responses", &data)?];
    Ok((report, files))
}
