//! Importing a large UTF-8 CSV export on every core, through `sources::chunked`: worker
//! threads convert and digest the rows of byte-range chunks, hash their ids and make each
//! row's line for the data file; the import's thread takes the chunks in file order, looks
//! each id up in the index and appends the lines of the rows that are new.
//!
//! Only rows that import cleanly go this way. At the first row that needs a message (a
//! cell that does not convert, a row without an id, a conflict) or anything the chunked
//! reader does not take (a row of the wrong width, a cut inside a quoted field), it stops,
//! and the import row by row goes on from that row ([`Reached::resume`]): it alone words
//! and places problems. The data file's ids are indexed the same way.

// `Problem` is the crate-wide input error (see sources::text); it is only built on failure.
#![allow(clippy::result_large_err)]

use std::path::Path;

use indicatif::ProgressBar;

use super::appender::Appender;
use super::export::CsvLayout;
use super::index::{Class, IdHasher, IdIndex, Seen};
use super::rows::{Converter, Prepared};
use super::values::trim_cell;
use super::Summary;
use crate::problem::Problem;
use crate::sources::chunked::{self, ChunkParser, Fields, Tuning};

/// Where the reading on every core got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reached {
    /// Every row of the file is done.
    End,
    /// The first `n` data rows (after the header rows) are done; the rest is not.
    Row(u64),
}

impl Reached {
    /// The hand-over to the reading row by row, the same for the export and the data file:
    /// `pass` reads one row (`false` at the end) and passes over each row done here;
    /// answers whether rows are left.
    pub(crate) fn resume(
        self,
        mut pass: impl FnMut() -> Result<bool, Problem>,
    ) -> Result<bool, Problem> {
        let Reached::Row(done) = self else {
            return Ok(false);
        };
        for _ in 0..done {
            if !pass()? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// What the import's thread holds while the workers convert.
pub(crate) struct Importing<'a> {
    /// The export.
    pub(crate) export: &'a Path,
    /// Its layout.
    pub(crate) layout: &'a CsvLayout,
    /// How export rows become data-file rows.
    pub(crate) converter: &'a Converter,
    /// The ids seen so far (the data file's, then the added rows').
    pub(crate) seen: &'a mut IdIndex,
    /// The new data file (`None` for a dry run).
    pub(crate) appender: Option<&'a mut Appender>,
    /// The counts so far (rows read, added, duplicates).
    pub(crate) summary: &'a mut Summary,
    /// Rows read, on a terminal.
    pub(crate) progress: &'a ProgressBar,
}

/// Imports the export's rows on `tuning.threads` workers for as long as they import
/// cleanly; [`Reached::Row`]`(0)` if the export is not one this path takes. `Err` only
/// when the new data file cannot be written.
pub(crate) fn import(job: Importing, tuning: Tuning) -> Result<Reached, Problem> {
    let Importing {
        export,
        layout,
        converter,
        seen,
        mut appender,
        summary,
        progress,
    } = job;
    // Lines made here are written as they are only into a UTF-8 data file.
    if appender.as_deref().is_some_and(|a| !a.is_utf8()) {
        return Ok(Reached::Row(0));
    }
    let parser = RowParser::new(converter, None, seen);
    let mut sized = false;
    let mut failed = None;
    let reached = read(
        export,
        layout,
        &parser,
        tuning,
        |chunk, first_line, plan, done| {
            // Into an empty data file every row is new: room for them all now (the rows to
            // come, from the bytes the first ones took), so that the index is not rebuilt
            // as it grows. Otherwise many rows may be duplicates, and room for them would
            // only cost memory.
            if !sized && !chunk.rows.is_empty() && seen.is_empty() {
                sized = true;
                let per_row = (chunk.read_bytes / chunk.rows.len()).max(1) as u64;
                let rows = plan.data_len() / per_row;
                seen.reserve(usize::try_from(rows + rows / 20).unwrap_or(0));
            }
            // New rows next to each other are written with one call.
            let (mut id_start, mut line_start, mut run_start) = (0, 0, 0);
            let mut result = true;
            let mut taken = 0u64;
            for row in &chunk.rows {
                let (id, line) = (
                    chunk.ids.get(id_start..row.id_end).unwrap_or_default(),
                    line_start..row.line_end,
                );
                id_start = row.id_end;
                line_start = row.line_end;
                if row.blank {
                    *done += 1;
                    taken += 1;
                    continue;
                }
                if row.filtered {
                    summary.read += 1;
                    summary.count_filtered();
                    *done += 1;
                    taken += 1;
                    continue;
                }
                let here = Seen {
                    line: first_line + row.line,
                    print: row.print,
                    in_file: false,
                };
                match seen.classify(row.hash, id, here) {
                    Class::New(new) => {
                        new.record();
                        summary.count_added(row.sited);
                    }
                    Class::Duplicate(first) => {
                        summary.count_duplicate(&first);
                        if let Err(e) =
                            write(appender.as_deref_mut(), &chunk.lines, run_start..line.start)
                        {
                            failed = Some(e);
                            return false;
                        }
                        run_start = line.end;
                    }
                    // A conflict: the import row by row reports it, from this row on.
                    Class::Conflict(_) => {
                        line_start = line.start;
                        result = false;
                        break;
                    }
                }
                summary.read += 1;
                *done += 1;
                taken += 1;
            }
            if let Err(e) = write(appender.as_deref_mut(), &chunk.lines, run_start..line_start) {
                failed = Some(e);
                return false;
            }
            progress.inc(taken);
            result
        },
    );
    if let Some(e) = failed {
        return Err(
            Problem::new(format!("cannot write the new data file: {e}")).file(&summary.data)
        );
    }
    Ok(reached)
}

/// Indexes the rows of the data file `path` (with `layout`, its id in column `id_column`)
/// into `seen` on `tuning.threads` workers, as [`super::datafile::Existing::read`] does
/// row by row: each trimmed id, with the digest of its answers, where it is first seen.
pub(crate) fn index(
    path: &Path,
    layout: &CsvLayout,
    id_column: usize,
    converter: &Converter,
    seen: &mut IdIndex,
    tuning: Tuning,
) -> Reached {
    let parser = RowParser::new(converter, Some(id_column), seen);
    let mut sized = false;
    read(
        path,
        layout,
        &parser,
        tuning,
        |chunk, first_line, plan, done| {
            if !sized && !chunk.rows.is_empty() {
                sized = true;
                // Bytes per row from the ids is no estimate; the chunk's share of the file is.
                let chunks = plan.data_len().div_ceil(tuning.chunk_len.max(1) as u64);
                let rows = chunk.rows.len() as u64 * chunks;
                seen.reserve(usize::try_from(rows + rows / 20).unwrap_or(0));
            }
            let mut id_start = 0;
            for row in &chunk.rows {
                let id = chunk.ids.get(id_start..row.id_end).unwrap_or_default();
                id_start = row.id_end;
                *done += 1;
                if row.blank {
                    continue;
                }
                let here = Seen {
                    line: first_line + row.line,
                    print: row.print,
                    in_file: true,
                };
                seen.record_first(row.hash, id, here);
            }
            true
        },
    )
}

/// Reads the CSV file `path` (with `layout`) on `tuning.threads` workers with `parser`,
/// handing each chunk's rows in file order to `take` (with the line of the chunk's first
/// line, the plan, and the count of rows done, which it advances by the rows it takes) for
/// as long as it answers `true`. Only a UTF-8 file is read this way; for any other,
/// [`Reached::Row`]`(0)`.
fn read(
    path: &Path,
    layout: &CsvLayout,
    parser: &RowParser,
    tuning: Tuning,
    mut take: impl FnMut(ChunkRows, u64, &chunked::Plan, &mut u64) -> bool,
) -> Reached {
    let plan = chunked::plan(
        path,
        layout.format.delimiter,
        &layout.first_row,
        layout.header_rows,
        layout.format.bom,
        tuning,
    )
    .filter(|_| layout.format.encoding == encoding_rs::UTF_8);
    let Some(plan) = plan.map(chunked::Plan::without_digest) else {
        return Reached::Row(0);
    };
    let mut done = 0u64;
    let finished = chunked::run(&plan, parser, |chunk, first_line| {
        take(chunk, first_line, &plan, &mut done)
    });
    match finished {
        Some(_) => Reached::End,
        None => Reached::Row(done),
    }
}

/// Appends `lines[range]` to the new data file, if there is one.
fn write(
    appender: Option<&mut Appender>,
    lines: &str,
    range: std::ops::Range<usize>,
) -> std::io::Result<()> {
    match (appender, lines.as_bytes().get(range)) {
        (Some(a), Some(bytes)) if !bytes.is_empty() => a.write_utf8_lines(bytes),
        _ => Ok(()),
    }
}

/// One row as a worker leaves it.
#[derive(Debug, Clone, Copy)]
struct Row {
    /// Line of the row's start, counted from the chunk's first line.
    line: u64,
    /// A row of empty cells (spreadsheets leave them at the end): skipped, not counted.
    blank: bool,
    /// A row the `keep:` filters leave out: counted, not imported.
    filtered: bool,
    /// Whether it has a site.
    sited: bool,
    /// End of its id in [`ChunkRows::ids`] and of its line in [`ChunkRows::lines`].
    id_end: usize,
    line_end: usize,
    /// The id's hash for the index, and the digest of the answers.
    hash: u64,
    print: u64,
}

/// The rows of one chunk, with their ids and lines end to end.
#[derive(Debug, Default)]
struct ChunkRows {
    rows: Vec<Row>,
    /// Bytes of the export the rows took (their fields and separators; about the chunk).
    read_bytes: usize,
    ids: String,
    lines: String,
}

/// Converts the rows of a chunk; one per worker.
#[derive(Clone)]
struct RowParser {
    converter: Converter,
    /// Rows of the data file with the id in this column (digested only), rather than
    /// rows of an export.
    data_id: Option<usize>,
    hasher: IdHasher,
    prepared: Prepared,
    /// The cells of the row at hand (empty between rows; kept for its allocation).
    cells: Vec<&'static str>,
}

impl ChunkParser for RowParser {
    type Out = ChunkRows;

    fn start(&mut self) -> ChunkRows {
        ChunkRows::default()
    }

    fn record(&mut self, fields: &Fields, line: u64, out: &mut ChunkRows) -> bool {
        let mut cells = recycle(std::mem::take(&mut self.cells));
        let taken = fields.texts_into(&mut cells)
            && cells.len() == fields.expected()
            && self.row(&cells, line, out);
        out.read_bytes += cells.iter().map(|c| c.len() + 1).sum::<usize>();
        self.cells = recycle(cells);
        taken
    }
}

impl RowParser {
    /// A parser for rows of an export or, with `data_id` (its id column), of the data
    /// file, hashing ids as `seen` does.
    fn new(converter: &Converter, data_id: Option<usize>, seen: &IdIndex) -> RowParser {
        RowParser {
            converter: converter.clone(),
            data_id,
            hasher: seen.hasher(),
            prepared: Prepared::default(),
            cells: Vec::new(),
        }
    }

    /// Converts one row of `cells` into `out`; `false` if it needs the sequential import.
    fn row(&mut self, cells: &[&str], line: u64, out: &mut ChunkRows) -> bool {
        let mut row = Row {
            line,
            blank: cells.iter().all(|c| c.trim().is_empty()),
            filtered: false,
            sited: false,
            id_end: out.ids.len(),
            line_end: out.lines.len(),
            hash: 0,
            print: 0,
        };
        if let Some(id_column) = self.data_id {
            // A data-file row: its trimmed id (none: not indexed) and its digest.
            let id = trim_cell(cells.get(id_column).copied().unwrap_or_default());
            row.blank = id.is_empty();
            if !row.blank {
                let p = &mut self.prepared;
                self.converter
                    .data_cells(|o| cells.get(o).copied().unwrap_or_default(), p);
                out.ids.push_str(id);
                row.id_end = out.ids.len();
                row.hash = self.hasher.hash(id);
                row.print = p.print;
            }
        } else if !row.blank
            && !self
                .converter
                .keeps(|s| cells.get(s).copied().unwrap_or_default())
        {
            row.filtered = true;
        } else if !row.blank {
            let p = &mut self.prepared;
            self.converter.export_cells(
                |s| cells.get(s).copied().unwrap_or_default(),
                &mut out.lines,
                p,
            );
            if !p.failed.is_empty() || p.id.is_empty() || !self.converter.gaps(p).is_empty() {
                return false;
            }
            out.ids.push_str(&p.id);
            row.id_end = out.ids.len();
            row.line_end = out.lines.len();
            row.hash = self.hasher.hash(&p.id);
            row.print = p.print;
            row.sited = self.converter.has_site(p);
        }
        out.rows.push(row);
        true
    }
}

/// An empty vector of cells for the next row, in the allocation of `cells` (the cells'
/// lifetime is the row's; collecting into another lifetime reuses the buffer in place).
fn recycle<'b>(mut cells: Vec<&str>) -> Vec<&'b str> {
    cells.clear();
    cells.into_iter().map(|_| "").collect()
}
