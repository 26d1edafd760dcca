//! `servqual import`: bring an export from a survey tool or a spreadsheet into an audit's
//! data file without losing or doubling a row.
//!
//! The export is opened (`export`) with its tool's header layout (`presets`), its
//! columns are mapped to the data file's (`mapping`, `target`), every cell is converted
//! and checked (`values`, `rows`), and the rows not yet in the file are appended
//! atomically (`appender`) under a lock (`lock`); the rows not taken are listed, and
//! with `--skip-invalid` written to a rejects file (`rejects`). Rows stream; only the ids
//! already in the file (`datafile`) and those added, with a 64-bit digest of their
//! answers, are held in memory (`index`, which also decides whether a row is new, a
//! duplicate or a conflict). A large UTF-8 export, like the data file's ids, is read on
//! every core (`chunked`) until a row needs a message; the rest goes row by row through
//! [`run`]'s loop, which words every problem.

// `Problem` is the crate-wide input error (see sources::text); it is only built on failure.
#![allow(clippy::result_large_err)]

mod appender;
mod chunked;
mod datafile;
mod export;
mod index;
mod lock;
mod mapping;
mod presets;
mod rejects;
mod rows;
mod suggest;
mod target;
mod values;

pub use lock::Lock;
pub use presets::Preset;
pub use values::DateOrder;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::definition::Audit;
use crate::problem::{Problem, Problems};
use crate::sources::chunked::Tuning;
use crate::sources::text::{declared_encoding, TextOptions};
use appender::Appender;
use datafile::Existing;
use export::{Export, ExportRow};
use index::{Class, IdIndex, Seen};
use mapping::{MapFile, Mapping, Use};
use rejects::Rejects;
use rows::{Converter, Prepared, Required};
use target::{Role, Target};
use values::Labels;

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Request {
    /// `customers`, `management` or `shoppers`.
    pub source: String,
    /// The export file.
    pub file: PathBuf,
    /// How messages and the summary name the export when not by `file` (`<stdin>` for an
    /// export spooled from standard input, whose spool has no name worth showing).
    pub shown_as: Option<PathBuf>,
    /// Whether the export is an `.xlsx` workbook; decided by `file`'s extension when `None`.
    pub workbook: Option<bool>,
    /// The export's layout; detected when `None`.
    pub preset: Option<Preset>,
    /// The order of day and month in the export's dates (`--date-order`), over the map's.
    pub date_order: Option<DateOrder>,
    /// The map file.
    pub map: Option<PathBuf>,
    /// Check and summarise, write nothing.
    pub dry_run: bool,
    /// Import the valid rows and write the others to the rejects file.
    pub skip_invalid: bool,
    /// Show a progress bar (the caller decides: a terminal and not `-q`).
    pub progress: bool,
    /// List how every export column was matched, and the whole drift (`-v`).
    pub verbose: bool,
    /// Put before every id (`--id-prefix`; replaces the map file's `id_prefix:`).
    pub id_prefix: Option<String>,
    /// Threads and chunks for reading a large CSV export (see `sources::chunked`).
    pub tuning: Tuning,
    /// The export's encoding (`--encoding`), over the map's `encoding:`; detected when
    /// neither is given (docs/files.md#encodings).
    pub encoding: Option<String>,
}

/// A row not imported, and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rejected {
    /// Line (CSV) or row (sheet) in the export.
    pub(crate) line: u64,
    /// Its id (may be empty).
    pub(crate) id: String,
    /// Each thing wrong with it, placed in the export.
    pub(crate) problems: Vec<Problem>,
}

impl Rejected {
    /// The reasons in one line, for the rejects file.
    pub(crate) fn reason(&self) -> String {
        self.problems
            .iter()
            .map(|p| {
                let mut r = String::new();
                if let Some(field) = &p.field {
                    r.push_str(&format!("{field}: "));
                }
                r.push_str(&p.message);
                if let Some(found) = &p.found {
                    r.push_str(&format!(": found {found:?}"));
                }
                if let Some(expected) = &p.expected {
                    r.push_str(&format!(", expected {expected}"));
                }
                r
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// What an import did (or, with `--dry-run` or when blocked, would do).
#[derive(Debug, Clone)]
pub struct Summary {
    /// The export.
    pub(crate) export: PathBuf,
    /// The preset used.
    pub(crate) preset: Preset,
    /// The data file.
    pub(crate) data: PathBuf,
    /// Data rows read from the export.
    pub(crate) read: u64,
    /// Rows added to the data file (or that would be, with `--dry-run` or when blocked).
    pub(crate) added: u64,
    /// Rows already in the data file (or earlier in the export) with the same answers.
    pub(crate) duplicates: u64,
    /// Of the duplicates, those already in the data file before this import.
    pub(crate) already_there: u64,
    /// Rows the map's `keep:` filters left out (`None`: the map has none).
    pub(crate) filtered: Option<u64>,
    /// Of the rows added, those with a site.
    pub(crate) sited: u64,
    /// What gives the site of a row, for the warning when no row added has one.
    pub(crate) site: SiteSource,
    /// Rows whose id is already there with different answers.
    pub(crate) conflicts: Vec<Rejected>,
    /// Rows with invalid values.
    pub(crate) rejected: Vec<Rejected>,
    /// Whether the data file was written.
    pub(crate) written: bool,
    /// The rejects file, if one was written.
    pub(crate) rejects_file: Option<PathBuf>,
    /// Whether this was a dry run.
    pub(crate) dry_run: bool,
    /// Whether invalid or conflicting rows stopped the import.
    pub blocked: bool,
}

impl Summary {
    /// Each conflict and invalid row as problems naming the export line (the first
    /// `MAX_LISTED` = 50 rows; the count of the others is in the summary).
    pub fn problems(&self) -> Problems {
        Problems(
            self.conflicts
                .iter()
                .chain(&self.rejected)
                .take(MAX_LISTED)
                .flat_map(|r| r.problems.iter().cloned())
                .collect(),
        )
    }

    /// Counts a row added, with a site or not.
    pub(crate) fn count_added(&mut self, sited: bool) {
        self.added += 1;
        self.sited += u64::from(sited);
    }

    /// Counts a row the `keep:` filters leave out.
    pub(crate) fn count_filtered(&mut self) {
        *self.filtered.get_or_insert(0) += 1;
    }

    /// Counts a duplicate of the row first seen at `first`.
    pub(crate) fn count_duplicate(&mut self, first: &Seen) {
        self.duplicates += 1;
        self.already_there += u64::from(first.in_file);
    }

    /// The warning when rows are added and none of them has a site, if that is so.
    fn site_warning(&self) -> Option<String> {
        if self.added == 0 || self.sited > 0 {
            return None;
        }
        match &self.site {
            SiteSource::NotChecked => None,
            SiteSource::NoColumn => Some(
                "warning: no row has a site: no column of the export gives it (name it with `site:` in the map file)"
                    .to_string(),
            ),
            SiteSource::Column(label) => Some(format!(
                "warning: no row has a site: the site column {label} is empty in every row"
            )),
        }
    }
}

/// Where the site of the rows added comes from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SiteSource {
    /// The data file has no site column, or every row must have a site anyway (visits).
    NotChecked,
    /// No export column gives it.
    NoColumn,
    /// This export column (its label).
    Column(String),
}

/// How many conflicts or rejected rows are listed one by one.
pub(crate) const MAX_LISTED: usize = 50;

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = if self.dry_run {
            " (dry run: nothing written)"
        } else if self.blocked {
            " (stopped: nothing written)"
        } else {
            ""
        };
        writeln!(
            f,
            "import {} ({}) into {}{mode}",
            self.export.display(),
            self.preset.name(),
            self.data.display(),
        )?;
        writeln!(f, "  rows read   {}", self.read)?;
        if let Some(filtered) = self.filtered {
            writeln!(
                f,
                "  filtered    {filtered} (left out by `keep:` in the map file)"
            )?;
        }
        if self.written || self.added == 0 {
            writeln!(f, "  added       {}", self.added)?;
        } else {
            writeln!(f, "  added       0 ({} would be added)", self.added)?;
        }
        let repeated = self.duplicates.saturating_sub(self.already_there);
        match (self.already_there, repeated) {
            (0, 0) => writeln!(f, "  duplicates  0")?,
            (there, 0) => writeln!(
                f,
                "  duplicates  {} (all already in the data file)",
                there
            )?,
            (0, again) => writeln!(f, "  duplicates  {again} (repeated in this export)")?,
            (there, again) => writeln!(
                f,
                "  duplicates  {} ({there} already in the data file, {again} repeated in this export)",
                self.duplicates
            )?,
        }
        writeln!(f, "  conflicts   {}", self.conflicts.len())?;
        write!(f, "  rejected    {}", self.rejected.len())?;
        let listed = self.conflicts.len() + self.rejected.len();
        if listed > MAX_LISTED {
            write!(
                f,
                "\n  (the first {MAX_LISTED} of {listed} are listed below)"
            )?;
        }
        if let Some(path) = &self.rejects_file {
            write!(
                f,
                "\n  rows not imported, with the reasons, written to {}",
                path.display()
            )?;
        }
        if let Some(warning) = self.site_warning() {
            write!(f, "\n  {warning}")?;
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
    let Some(shown) = &request.shown_as else {
        return run_named(audit, request, note);
    };
    // Every place in the export is named as the user knows it.
    let rename = |p: &mut Problem| {
        if p.file.as_deref() == Some(request.file.as_path()) {
            p.file = Some(shown.clone());
        }
    };
    match run_named(audit, request, note) {
        Ok(mut summary) => {
            summary.export = shown.clone();
            for rejected in summary.conflicts.iter_mut().chain(&mut summary.rejected) {
                rejected.problems.iter_mut().for_each(rename);
            }
            Ok(summary)
        }
        Err(mut problems) => {
            problems.0.iter_mut().for_each(rename);
            Err(problems)
        }
    }
}

/// What an import works from once the export is open: the data file's columns, the map
/// file, the export, and its columns mapped as far as they could be, with the problems
/// that stop the import (`--suggest-map` shows them instead).
struct Opened {
    target: Target,
    map: MapFile,
    export: Export,
    mapping: Mapping,
    problems: Vec<Problem>,
}

/// Opens what `request` names and maps the export's columns.
fn open(audit: &Audit, request: &Request) -> Result<Opened, Problems> {
    let target = Target::of(audit, &request.source)?;
    let map = match &request.map {
        Some(path) => MapFile::read(path)?,
        None => MapFile::default(),
    };
    let encoding = export_encoding(request, &map)?;
    let export = Export::open(&request.file, request.preset, request.workbook, encoding)?;
    let (mut mapping, mut problems) = mapping::map_columns(
        &export.columns,
        export.preset,
        &target,
        &map,
        request.map.as_deref(),
    );
    match id_prefix(request, &map) {
        Ok(prefix) => mapping.id.prefix = prefix,
        Err(p) => problems.push(p),
    }
    Ok(Opened {
        target,
        map,
        export,
        mapping,
        problems,
    })
}

/// The export's declared encoding: `--encoding`, else the map's `encoding:`, each label
/// checked (an unknown one names the flag or the map file); `None`: detect it.
fn export_encoding<'r>(request: &'r Request, map: &'r MapFile) -> Result<Option<&'r str>, Problem> {
    match (&request.encoding, &map.encoding) {
        (Some(flag), _) => Ok(Some(
            declared_encoding(flag, "--encoding").map(|_| flag.as_str())?,
        )),
        (None, Some(label)) => Ok(Some(
            declared_encoding(label, "encoding")
                .map(|_| label.as_str())
                .map_err(|p| match &request.map {
                    Some(map) => p.file(map),
                    None => p,
                })?,
        )),
        (None, None) => Ok(None),
    }
}

/// The id prefix: `--id-prefix`, else the map's `id_prefix:` (trimmed), else none. It is
/// written into every id, so it may hold no line break or other control character.
fn id_prefix(request: &Request, map: &MapFile) -> Result<String, Problem> {
    let (given, field) = match (&request.id_prefix, &map.id_prefix) {
        (Some(p), _) => (p, "--id-prefix"),
        (None, Some(p)) => (p, "id_prefix"),
        (None, None) => return Ok(String::new()),
    };
    let prefix = given.trim();
    if prefix.is_empty() || prefix.chars().any(char::is_control) {
        let mut p = Problem::new("an id prefix must be text on one line")
            .field(field)
            .found(given.clone())
            .expected("letters, digits or punctuation, e.g. `spring-2026`");
        if field == "id_prefix" {
            if let Some(path) = &request.map {
                p = p.file(path);
            }
        }
        return Err(p);
    }
    Ok(prefix.to_string())
}

/// Where the site of the rows comes from, for the summary's warning.
fn site_source(
    target: &Target,
    mapping: &Mapping,
    columns: &[presets::ExportColumn],
) -> SiteSource {
    let Some(t) = target.columns.iter().position(|c| c.role == Role::Site) else {
        return SiteSource::NotChecked;
    };
    if target.source == "shoppers" {
        return SiteSource::NotChecked;
    }
    match mapping.source_of(t).and_then(|e| columns.get(e)) {
        Some(c) => SiteSource::Column(c.label()),
        None => SiteSource::NoColumn,
    }
}

/// `--suggest-map`: a map file for the export `request` names, from the tool's own
/// matching, with what would stop the import as comments. Reads the export's header only;
/// takes no lock and writes nothing.
pub fn suggest_map(audit: &Audit, request: &Request) -> Result<String, Problems> {
    let opened = open(audit, request)?;
    let shown = request.shown_as.as_ref().unwrap_or(&request.file);
    let problems = in_file(Problems(opened.problems), shown);
    Ok(suggest::map_file(
        &shown.display().to_string(),
        opened.export.preset,
        &opened.export.columns,
        &opened.target,
        &opened.mapping,
        &problems.0,
    ))
}

/// [`run`], naming the export by its path.
fn run_named(
    audit: &Audit,
    request: &Request,
    note: &mut dyn FnMut(&str),
) -> Result<Summary, Problems> {
    let Opened {
        target,
        map,
        mut export,
        mapping,
        problems,
    } = open(audit, request)?;
    // The hint first: it may explain the problems (a tool's file read as plain).
    if let Some(hint) = &export.hint {
        note(hint);
    }
    if let Some(csv) = export.csv.as_ref().filter(|csv| csv.format.detected) {
        let shown = request.shown_as.as_ref().unwrap_or(&request.file).display();
        let encoding = csv.format.encoding;
        note(&crate::encoding::detected_note(
            &shown.to_string(),
            encoding,
            "the map",
        ));
    }
    Problems::check(problems).map_err(|p| in_file(p, &request.file))?;
    let labels = map.labels(Labels::for_scale(audit.scale));
    let labels = labels.with_dates(
        values::DateRule::choose(
            request.date_order,
            map.date_format.as_deref(),
            request.map.as_deref(),
            export.preset.date_order(),
        )
        .map_err(Problems::one)?,
    );
    let shown = request.shown_as.as_ref().unwrap_or(&request.file);
    if request.verbose {
        note(&format!(
            "columns of {}, and how each was matched:",
            shown.display()
        ));
        for line in mapping.listing(&export.columns, &target) {
            note(&format!("  {line}"));
        }
    }
    for line in &mapping.notes {
        note(line);
    }
    if !mapping.drift.is_empty() {
        let more = if !request.verbose && mapping.drift.is_cut() {
            " (-v lists every column)"
        } else {
            ""
        };
        note(&format!(
            "instrument drift: the questions of {} differ from the audit's{more}:",
            shown.display()
        ));
        for d in mapping.drift.lines(request.verbose) {
            note(&format!("  {d}"));
        }
    }

    let data = target.file.clone();
    // The file written: the data file, or the file it links to (a dry run writes nothing).
    let write_to = if request.dry_run {
        data.clone()
    } else {
        datafile::write_target(&data)?
    };
    // The lock comes before the data file is read, so nobody appends between our reading
    // of its ids and our rename. It is beside the file written, so that imports through
    // two links to one file exclude each other.
    let _lock = if request.dry_run {
        None
    } else {
        let lock = Lock::acquire(&write_to)?;
        let left = appender::remove_leftovers(&write_to);
        if left > 0 {
            note(&format!(
                "removed {left} temporary file(s) an interrupted import of {} left behind",
                data.display()
            ));
        }
        Some(lock)
    };
    let options = TextOptions {
        encoding: target.encoding.clone(),
        delimiter: target.delimiter,
    };
    let header = match datafile::read_header(&data, &options)? {
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
    let required = if target.source == "shoppers" {
        visit_columns(&target, &out, &data, &request.file)?;
        Required::Visit
    } else {
        Required::Answer
    };
    date_column(&target, &out, &request.file)?;
    // Per dimension of the audit (the order of the W columns), where its points go.
    let points: Vec<Option<usize>> = (0..target.columns.len())
        .filter(|&t| target.columns[t].part == 'W')
        .map(|t| out.iter().position(|o| o.target == Some(t)))
        .collect();
    let converter = Converter::new(
        out.iter()
            .map(|o| (o.target.map(|t| target.columns[t].clone()), o.source))
            .collect(),
        labels,
        id_out,
    )
    .requiring(required)
    .requiring_dates()
    .checking_points(&points)
    .identified_by(&mapping.id)
    .keeping(&mapping.keep);
    let mut existing: Option<Existing> = if datafile::has_content(&data) {
        Some(Existing::read(
            &data,
            &options,
            id_out,
            &converter,
            request.tuning,
        )?)
    } else {
        None
    };
    // The ids of the data file, then of the rows added: the only memory that grows.
    let mut seen: IdIndex = existing
        .as_mut()
        .map(|e| std::mem::take(&mut e.rows))
        .unwrap_or_default();

    let mut appender = if request.dry_run {
        None
    } else {
        Some(Appender::start(&write_to, existing.as_ref(), &header)?)
    };
    let converter = match &appender {
        Some(a) => converter.with_format(a.row_format()),
        None => converter,
    };
    let mut rejects = if request.dry_run || !request.skip_invalid {
        Rejects::listed(&data)
    } else {
        let keys: Vec<String> = export.columns.iter().map(|c| c.key.clone()).collect();
        Rejects::written(&data, &keys)?
    };
    let progress = progress_bar(request.progress && export.bytes > 1 << 20);

    let mut summary = Summary {
        export: request.file.clone(),
        preset: export.preset,
        data: data.clone(),
        read: 0,
        added: 0,
        duplicates: 0,
        already_there: 0,
        filtered: (!mapping.keep.is_empty()).then_some(0),
        sited: 0,
        site: site_source(&target, &mapping, &export.columns),
        conflicts: Vec::new(),
        rejected: Vec::new(),
        written: false,
        rejects_file: None,
        dry_run: request.dry_run,
        blocked: false,
    };
    let id_label = mapping
        .id
        .columns()
        .filter_map(|e| export.columns.get(e))
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(" + ");
    let id_column = mapping.id.columns().next();
    // A large CSV export goes on every core for as long as its rows import cleanly; the
    // rest goes row by row, in one export row and its conversion reused for every row.
    let reached = match &export.csv {
        Some(layout) => chunked::import(
            chunked::Importing {
                export: &request.file,
                layout,
                converter: &converter,
                seen: &mut seen,
                appender: appender.as_mut(),
                summary: &mut summary,
                progress: &progress,
            },
            request.tuning,
        )?,
        None => chunked::Reached::Row(0),
    };
    let row_by_row = RowByRow {
        export: &request.file,
        columns: export.columns.clone(),
        data: &data,
        target: &target,
        out: &out,
        id_column,
        id_label,
        converter: &converter,
    };
    let mut row = ExportRow::default();
    let mut prepared = Prepared::default();
    let left = reached
        .resume(|| export.read_into(&mut row))
        .map_err(Problems::one)?;
    while left && export.read_into(&mut row).map_err(Problems::one)? {
        // Blank lines at the end of spreadsheet exports are not responses.
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        summary.read += 1;
        progress.inc(1);
        row_by_row.take(
            &row,
            &mut prepared,
            &mut seen,
            appender.as_mut(),
            &mut rejects,
            &mut summary,
        )?;
    }
    progress.finish_and_clear();
    // The export is closed before anything is renamed.
    drop(export);

    let all_good = summary.conflicts.is_empty() && summary.rejected.is_empty();
    summary.blocked = !request.skip_invalid && !all_good;
    if summary.blocked {
        return Ok(summary);
    }
    if let Some(a) = appender {
        if summary.added > 0 {
            a.commit(&write_to)?;
            summary.written = true;
        }
    }
    rejects.commit(&mut summary)?;
    Ok(summary)
}

/// The import row by row, after the rows the import on every core took: every problem is
/// worded here, with its place in the export.
struct RowByRow<'a> {
    /// The export, and its columns.
    export: &'a Path,
    columns: Vec<presets::ExportColumn>,
    /// The data file, and its columns as the import fills them.
    data: &'a Path,
    target: &'a Target,
    out: &'a [OutColumn],
    /// The export column of the id (its first, for an id of several), and how the
    /// export's id columns are named.
    id_column: Option<usize>,
    id_label: String,
    converter: &'a Converter,
}

impl RowByRow<'_> {
    /// Adds `row` to the new data file (if there is one), counts it as a duplicate, or
    /// rejects it, converting it in `prepared`. `Err` only when the rejects file cannot be
    /// written.
    fn take(
        &self,
        row: &ExportRow,
        prepared: &mut Prepared,
        seen: &mut IdIndex,
        appender: Option<&mut Appender>,
        rejects: &mut Rejects,
        summary: &mut Summary,
    ) -> Result<(), Problem> {
        if let Some((expected, found)) = row.width {
            let raw_id = self
                .id_column
                .and_then(|s| row.cells.get(s))
                .unwrap_or_default()
                .to_string();
            let p = Problem::new("wrong number of fields")
                .file(self.export)
                .line(row.line)
                .found(format!("{found} fields"))
                .expected(format!("{expected} fields, as in the header"));
            rejects.reject(summary, row.line, &row.cells, &raw_id, false, vec![p])?;
            return Ok(());
        }
        if !self
            .converter
            .keeps(|s| row.cells.get(s).unwrap_or_default())
        {
            summary.count_filtered();
            return Ok(());
        }
        self.converter.export_row(&row.cells, prepared);
        let mut problems = Vec::new();
        // Not drained: `gaps` below must still see which cells failed to convert.
        for (o, expected) in &prepared.failed {
            let (Some(t), Some(s)) = (self.out[*o].target, self.out[*o].source) else {
                continue;
            };
            problems.push(
                Problem::new("invalid answer")
                    .file(self.export)
                    .at(row.line, s as u64 + 1)
                    .field(column_field(&self.columns[s], &self.target.columns[t].name))
                    .found(row.cells.get(s).unwrap_or_default())
                    .expected(expected),
            );
        }
        let id = prepared.id.as_str();
        if id.is_empty() {
            let mut p = Problem::new("no response id")
                .file(self.export)
                .line(row.line)
                .expected("an id in every row, so that a row is never imported twice");
            if let Some(s) = self.id_column {
                p = p.at(row.line, s as u64 + 1).field(self.id_label.clone());
            }
            problems.push(p);
        }
        for (o, gap) in self.converter.gaps(prepared) {
            let placed = gap.file(self.export);
            problems.push(
                match (
                    o.and_then(|o| self.out[o].target),
                    o.and_then(|o| self.out[o].source),
                ) {
                    (Some(t), Some(s)) => placed
                        .at(row.line, s as u64 + 1)
                        .field(column_field(&self.columns[s], &self.target.columns[t].name)),
                    _ => placed.line(row.line),
                },
            );
        }
        if !problems.is_empty() {
            rejects.reject(summary, row.line, &row.cells, id, false, problems)?;
            return Ok(());
        }
        let here = Seen {
            line: row.line,
            print: prepared.print,
            in_file: false,
        };
        match seen.classify(seen.hash(id), id, here) {
            Class::Duplicate(first) => summary.count_duplicate(&first),
            Class::Conflict(Seen { line, in_file, .. }) => {
                let place = if in_file {
                    format!("line {line} of {}", self.data.display())
                } else {
                    format!("line {line} of this export")
                };
                let mut p = Problem::new(format!(
                    "conflict: this id is already at {place} with different answers; it is not replaced"
                ))
                .file(self.export)
                .line(row.line)
                .found(id)
                .expected(if in_file {
                    "the same answers (a duplicate, skipped) or a new id; correct the data file by hand if the new answers are right (a second survey numbering its responses from 1: --id-prefix)"
                } else {
                    "the same answers (a duplicate, skipped) or a new id; correct the data file by hand if the new answers are right (an export whose ids repeat: a list of columns or `content` as `id:` in a map file)"
                });
                if let Some(s) = self.id_column {
                    p = p.at(row.line, s as u64 + 1).field(self.id_label.clone());
                }
                rejects.reject(summary, row.line, &row.cells, id, true, vec![p])?;
            }
            Class::New(new) => {
                if let Some(a) = appender {
                    if let Err(why) = a.write_line(&prepared.line) {
                        let p = Problem::new(why)
                            .file(self.export)
                            .line(row.line)
                            .expected("text the data file's encoding can hold");
                        rejects.reject(summary, row.line, &row.cells, id, false, vec![p])?;
                        return Ok(());
                    }
                }
                // Only a row written is seen: a later row with its id is judged afresh.
                let sited = self.converter.has_site(prepared);
                new.record();
                summary.count_added(sited);
            }
        }
        Ok(())
    }
}

/// Checks that visits can have a shopper and a site, which the report needs in every
/// visit: the data file has their columns and the export fills them.
fn visit_columns(
    target: &Target,
    out: &[OutColumn],
    data: &Path,
    export: &Path,
) -> Result<(), Problems> {
    let mut problems = Vec::new();
    for (role, what) in [(Role::Shopper, "shopper"), (Role::Site, "site")] {
        let Some(t) = target.columns.iter().position(|c| c.role == role) else {
            continue;
        };
        let name = &target.columns[t].name;
        match out.iter().find(|o| o.target == Some(t)) {
            None => problems.push(
                Problem::new(format!("the data file has no {what} column"))
                    .file(data)
                    .line(1)
                    .expected(format!(
                        "a column `{name}`: the report needs the {what} of every visit"
                    )),
            ),
            Some(o) if o.source.is_none() => problems.push(
                Problem::new(format!("the export has no {what} column"))
                    .file(export)
                    .line(1)
                    .expected(format!(
                        "a column with the {what} of every visit (name it with `{what}:` in the map file)"
                    )),
            ),
            Some(_) => {}
        }
    }
    Problems::check(problems)
}

/// Checks that the export gives the date of every row when the data file has a date
/// column: the report places every row in a period by it, and refuses a row without one.
fn date_column(target: &Target, out: &[OutColumn], export: &Path) -> Result<(), Problem> {
    let Some(date) = out.iter().find(|o| {
        o.target
            .is_some_and(|t| target.columns[t].role == Role::Date)
    }) else {
        return Ok(());
    };
    if date.source.is_some() {
        return Ok(());
    }
    let name = date
        .target
        .map_or("date", |t| target.columns[t].name.as_str());
    Err(Problem::new("the export has no date column")
        .file(export)
        .line(1)
        .expected(format!(
            "a column with the date of every row, for the data file's `{name}` column (name it with `date:` in the map file)"
        )))
}

/// `<data>.<suffix>`: a file an import keeps beside the data file.
fn beside(data: &Path, suffix: &str) -> PathBuf {
    let mut name = data.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    data.with_file_name(name)
}

/// An export column as named in a message, with the data column it fills if that differs.
fn column_field(column: &presets::ExportColumn, data_column: &str) -> String {
    if column.key == data_column {
        data_column.to_string()
    } else {
        format!("{} -> {data_column}", column.label())
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
            Use::Fill(t)
                if matches!(target.columns[*t].role, Role::Value(_))
                    && !header.contains(&target.columns[*t].name) =>
            {
                Some(
                Problem::new("the data file has no column for answers the export holds")
                    .file(data)
                    .line(1)
                    .found(target.columns[*t].name.clone())
                    .expected("that column in the data file's header (add it, or `ignore:` the export column in the map file)"),
            )
            }
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
        indicatif::ProgressStyle::with_template("{spinner} {human_pos} rows read ({elapsed})")
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
