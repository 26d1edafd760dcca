//! `servqual import`: bring an export from a survey tool or a spreadsheet into an audit's
//! data file without losing or doubling a row.
//!
//! The export is opened ([`export`]) with its tool's header layout ([`presets`]), its
//! columns are mapped to the data file's ([`mapping`]), every cell is converted and checked
//! ([`values`]), and the rows not yet in the file are appended atomically under a lock
//! ([`store`]). Rows stream; only the ids already in the file (with a 16-byte digest of
//! their answers, to tell a duplicate from a conflict) are held in memory.

// `Problem` is the crate-wide input error (see sources::text); it is only built on failure.
#![allow(clippy::result_large_err)]

pub mod export;
pub mod mapping;
pub mod presets;
pub mod store;
pub mod target;
pub mod values;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::definition::Audit;
use crate::problem::{Problem, Problems};
use crate::sources::text::TextOptions;
use export::Export;
use mapping::{map_columns, MapFile, Mapping, Use};
use presets::Preset;
use store::{Appender, Existing, Lock, Rejects};
use target::{Role, Target, TargetColumn};
use values::{convert, convert_date, Labels};

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Request {
    /// `customers`, `management` or `shoppers`.
    pub source: String,
    /// The export file.
    pub file: PathBuf,
    /// The export's layout; detected when `None`.
    pub preset: Option<Preset>,
    /// The map file.
    pub map: Option<PathBuf>,
    /// Check and summarise, write nothing.
    pub dry_run: bool,
    /// Import the valid rows and write the others to the rejects file.
    pub skip_invalid: bool,
    /// Show a progress bar (the caller decides: a terminal and not `-q`).
    pub progress: bool,
}

/// A row not imported, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// Line in the export.
    pub line: u64,
    /// Its id (may be empty).
    pub id: String,
    /// Why.
    pub reason: String,
}

/// What an import did (or, with `--dry-run` or when blocked, would do).
#[derive(Debug, Clone)]
pub struct Summary {
    /// The export.
    pub export: PathBuf,
    /// The preset used.
    pub preset: Preset,
    /// The data file.
    pub data: PathBuf,
    /// Data rows read from the export.
    pub read: u64,
    /// Rows added to the data file.
    pub added: u64,
    /// Rows already in the data file (or earlier in the export) with the same answers.
    pub duplicates: u64,
    /// Rows whose id is already there with different answers.
    pub conflicts: Vec<Rejected>,
    /// Rows with invalid values.
    pub rejected: Vec<Rejected>,
    /// Whether the data file was written.
    pub written: bool,
    /// The rejects file, if one was written.
    pub rejects_file: Option<PathBuf>,
    /// Whether this was a dry run.
    pub dry_run: bool,
}

impl Summary {
    /// Whether invalid or conflicting rows stopped the import (exit 2).
    pub fn blocked(&self, skip_invalid: bool) -> bool {
        !skip_invalid && (!self.conflicts.is_empty() || !self.rejected.is_empty())
    }

    /// Each conflict and invalid row as a problem naming the export line.
    pub fn problems(&self) -> Problems {
        Problems(
            self.conflicts
                .iter()
                .chain(&self.rejected)
                .take(MAX_LISTED)
                .map(|r| {
                    Problem::new(r.reason.clone())
                        .file(&self.export)
                        .line(r.line)
                        .field(format!("id {}", r.id))
                })
                .collect(),
        )
    }
}

/// How many conflicts or rejected rows are listed one by one.
const MAX_LISTED: usize = 50;

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "import {} ({}) into {}{}",
            self.export.display(),
            self.preset.name(),
            self.data.display(),
            if self.dry_run {
                " — dry run, nothing written"
            } else {
                ""
            }
        )?;
        writeln!(f, "  rows read   {}", self.read)?;
        writeln!(f, "  added       {}", self.added)?;
        writeln!(f, "  duplicates  {}", self.duplicates)?;
        writeln!(f, "  conflicts   {}", self.conflicts.len())?;
        write!(f, "  rejected    {}", self.rejected.len())?;
        for (what, list) in [("conflict", &self.conflicts), ("rejected", &self.rejected)] {
            for r in list.iter().take(MAX_LISTED) {
                write!(
                    f,
                    "\n  {what}: line {} (id {:?}): {}",
                    r.line, r.id, r.reason
                )?;
            }
            if list.len() > MAX_LISTED {
                write!(f, "\n  … and {} more", list.len() - MAX_LISTED)?;
            }
        }
        if let Some(path) = &self.rejects_file {
            write!(f, "\n  rejected rows written to {}", path.display())?;
        }
        Ok(())
    }
}

/// One column of the data file as the import fills it.
#[derive(Debug, Clone)]
struct OutColumn {
    /// Target column, if the import knows the data file's column.
    target: Option<usize>,
    /// Export column that fills it.
    source: Option<usize>,
}

/// Runs an import; `note` receives the drift and matching report before any row is read.
pub fn run(
    audit: &Audit,
    request: &Request,
    note: &mut dyn FnMut(&str),
) -> Result<Summary, Problems> {
    let target = Target::of(audit, &request.source)?;
    let map = match &request.map {
        Some(path) => MapFile::read(path)?,
        None => MapFile::default(),
    };
    let labels = map.labels(Labels::for_scale(audit.scale));
    let mut export = Export::open(&request.file, request.preset)?;
    let mapping = map_columns(
        &export.columns,
        export.preset,
        &target,
        &map,
        request.map.as_deref(),
    )
    .map_err(|p| in_file(p, &request.file))?;

    for line in &mapping.matched {
        note(&format!("matched: {line}"));
    }
    if !mapping.drift.is_empty() {
        note(&format!(
            "instrument drift: the questions of {} differ from the audit's:",
            request.file.display()
        ));
        for d in &mapping.drift {
            note(&format!("  {d}"));
        }
    }

    let data = target.file.clone();
    // The lock comes before the data file is read, so nobody appends between our reading
    // of its ids and our rename.
    let _lock = if request.dry_run {
        None
    } else {
        Some(Lock::acquire(&data)?)
    };
    let options = TextOptions {
        encoding: target.encoding.clone(),
        delimiter: target.delimiter,
    };
    let header = match store::read_header(&data, &options)? {
        Some(h) => h,
        None => new_header(&target, &mapping),
    };
    let out = plan(&target, &mapping, &header, &data)?;
    let id_out = out
        .iter()
        .position(|o| o.target.is_some_and(|t| target.columns[t].role == Role::Id))
        .ok_or_else(|| {
            Problem::new("the data file has no id column")
                .file(&data)
                .line(1)
                .expected(format!("a column `{}`", target.columns[0].name))
        })?;
    let compare: Vec<usize> = (0..out.len())
        .filter(|&o| o != id_out && out[o].source.is_some())
        .collect();
    let canonical = |o: usize, cell: &str| -> String {
        let Some(t) = out[o].target else {
            return cell.trim().to_string();
        };
        convert_cell(&target.columns[t], &labels, cell).unwrap_or_else(|_| cell.trim().to_string())
    };
    let existing: Option<Existing> = if data.exists() {
        Some(store::index(&data, &options, id_out, &compare, canonical)?)
    } else {
        None
    };
    let mut seen: HashMap<String, (u64, store::Fingerprint, bool)> = existing
        .as_ref()
        .map(|e| {
            e.rows
                .iter()
                .map(|(k, v)| (k.clone(), (v.0, v.1, true)))
                .collect()
        })
        .unwrap_or_default();

    let mut appender = if request.dry_run {
        None
    } else {
        Some(Appender::start(&data, existing.as_ref(), &header)?)
    };
    let rejects_path = store::beside(&data, ".rejects.csv");
    let mut rejects = if request.dry_run || !request.skip_invalid {
        None
    } else {
        let keys: Vec<String> = export.columns.iter().map(|c| c.key.clone()).collect();
        Some(Rejects::start(&data, &keys)?)
    };
    let progress = progress_bar(request.progress && export.bytes > 1 << 20);

    let mut summary = Summary {
        export: request.file.clone(),
        preset: export.preset,
        data: data.clone(),
        read: 0,
        added: 0,
        duplicates: 0,
        conflicts: Vec::new(),
        rejected: Vec::new(),
        written: false,
        rejects_file: None,
        dry_run: request.dry_run,
    };
    while let Some(row) = export.next_row() {
        let row = row.map_err(Problems::one)?;
        summary.read += 1;
        progress.inc(1);
        // Blank lines at the end of spreadsheet exports are not responses.
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            summary.read -= 1;
            continue;
        }
        let mut cells = Vec::with_capacity(out.len());
        let mut reasons = Vec::new();
        for o in &out {
            let (Some(t), Some(s)) = (o.target, o.source) else {
                cells.push(String::new());
                continue;
            };
            let raw = row.cells.get(s).map(String::as_str).unwrap_or_default();
            match convert_cell(&target.columns[t], &labels, raw) {
                Ok(v) => cells.push(v),
                Err(why) => {
                    reasons.push(format!("{}: {why}", target.columns[t].name));
                    cells.push(String::new());
                }
            }
        }
        let id = cells[id_out].clone();
        if id.is_empty() {
            reasons.push("no response id".into());
        }
        let reject = |summary: &mut Summary,
                      rejects: &mut Option<Rejects>,
                      conflict: bool,
                      reason: String|
         -> Result<(), Problems> {
            let r = Rejected {
                line: row.line,
                id: id.clone(),
                reason,
            };
            if let Some(w) = rejects.as_mut() {
                let mut line = vec![r.line.to_string(), r.id.clone(), r.reason.clone()];
                line.extend(row.cells.iter().cloned());
                w.write(&line).map_err(|e| {
                    Problem::new(format!("cannot write the rejects file: {e}")).file(&rejects_path)
                })?;
            }
            if conflict {
                summary.conflicts.push(r);
            } else {
                summary.rejected.push(r);
            }
            Ok(())
        };
        if !reasons.is_empty() {
            reject(&mut summary, &mut rejects, false, reasons.join("; "))?;
            continue;
        }
        let compared: Vec<&str> = compare.iter().map(|&o| cells[o].as_str()).collect();
        let print = store::fingerprint(&compared);
        match seen.get(&id) {
            Some((_, p, _)) if *p == print => summary.duplicates += 1,
            Some((line, _, in_file)) => {
                let place = if *in_file {
                    format!("{} line {line}", data.display())
                } else {
                    format!("line {line} of this export")
                };
                let reason = format!(
                    "id {id} is already in {place} with different answers; it is not replaced"
                );
                reject(&mut summary, &mut rejects, true, reason)?;
            }
            None => {
                if let Some(a) = appender.as_mut() {
                    if let Err(why) = a.write_row(&cells) {
                        reject(&mut summary, &mut rejects, false, why)?;
                        continue;
                    }
                }
                seen.insert(id, (row.line, print, false));
                summary.added += 1;
            }
        }
    }
    progress.finish_and_clear();

    if summary.blocked(request.skip_invalid) {
        summary.added = 0;
        return Ok(summary);
    }
    if let Some(a) = appender {
        if summary.added > 0 {
            a.commit(&data)?;
            summary.written = true;
        }
    }
    if let Some(w) = rejects {
        if !(summary.rejected.is_empty() && summary.conflicts.is_empty()) {
            w.commit(&rejects_path)?;
            summary.rejects_file = Some(rejects_path);
        }
    }
    Ok(summary)
}

/// Converts one cell for target column `c`.
fn convert_cell(c: &TargetColumn, labels: &Labels, raw: &str) -> Result<String, String> {
    match &c.role {
        Role::Value(kind) => convert(kind, labels, raw),
        Role::Date => convert_date(raw).ok_or_else(|| format!("{raw:?} is not a date")),
        Role::Id | Role::Site | Role::Region | Role::Shopper => Ok(raw.trim().to_string()),
    }
}

/// The header of a new data file: the fixed columns, then the answer columns in the
/// audit's order (E and P, M, or every form question always; A, D, W and region if filled).
fn new_header(target: &Target, mapping: &Mapping) -> Vec<String> {
    target
        .columns
        .iter()
        .enumerate()
        .filter(|(t, c)| {
            *t < target.fixed
                || matches!(c.part, 'E' | 'P' | 'M' | 'Q')
                || mapping.source_of(*t).is_some()
        })
        .map(|(_, c)| c.name.clone())
        .collect()
}

/// Lines the data file's columns up with the target and the export.
fn plan(
    target: &Target,
    mapping: &Mapping,
    header: &[String],
    data: &Path,
) -> Result<Vec<OutColumn>, Problems> {
    let out: Vec<OutColumn> = header
        .iter()
        .map(|h| {
            let t = target.column(h);
            OutColumn {
                target: t,
                source: t.and_then(|t| mapping.source_of(t)),
            }
        })
        .collect();
    let problems: Vec<Problem> = mapping
        .uses
        .iter()
        .filter_map(|u| match u {
            Use::Fill(t) if !header.contains(&target.columns[*t].name) => Some(
                Problem::new("the data file has no column for answers the export holds")
                    .file(data)
                    .line(1)
                    .found(target.columns[*t].name.clone())
                    .expected("that column in the data file's header (add it, or `ignore:` the export column in the map file)"),
            ),
            _ => None,
        })
        .collect();
    Problems::check(problems)?;
    Ok(out)
}

/// A row counter on stderr, or a hidden one.
fn progress_bar(show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {pos} rows read ({per_sec})")
    {
        bar.set_style(style);
    }
    bar
}

/// Problems from mapping have no file; they are about the export.
fn in_file(problems: Problems, file: &Path) -> Problems {
    Problems(
        problems
            .0
            .into_iter()
            .map(|p| if p.file.is_none() { p.file(file) } else { p })
            .collect(),
    )
}
