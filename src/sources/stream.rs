//! What every streaming source reader does the same way: open a data file with hashing
//! for the provenance, read its header, and step through its records.

use std::io::Read;
use std::path::Path;

use csv::{ByteRecord, Reader};

use chrono::NaiveDate;

use super::answers::{parse_date, trim, DateBounds};
use super::hashing::{open_hashed, SharedHasher};
use super::text::{csv_problem, open_csv_reader, TextFormat, TextOptions};
use crate::problem::{Problem, Problems};

/// A data file opened for streaming.
pub(crate) struct OpenedCsv {
    /// The records after the header.
    pub reader: Reader<Box<dyn Read>>,
    /// The encoding and delimiter found.
    pub format: TextFormat,
    /// The header's column names, trimmed.
    pub headers: Vec<String>,
    /// The SHA-256 of every byte read so far.
    pub hasher: SharedHasher,
}

/// Opens `path` (hashing it as it is read) and reads its header.
pub(crate) fn open_source_csv(path: &Path, options: &TextOptions) -> Result<OpenedCsv, Problems> {
    let (input, hasher) = open_hashed(path)?;
    let (mut reader, format) = open_csv_reader(Box::new(input), path, options)?;
    let headers = reader
        .byte_headers()
        .map_err(|e| csv_problem(path, &e))?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    Ok(OpenedCsv {
        reader,
        format,
        headers,
        hasher,
    })
}

/// A problem for every column name that appears a second time in `headers`.
pub(crate) fn duplicate_columns(path: &Path, headers: &[String]) -> Vec<Problem> {
    // One pass with a set: a header of thousands of columns costs no more than reading it.
    let mut seen = std::collections::HashSet::with_capacity(headers.len());
    headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !seen.insert(h.as_str()))
        .map(|(i, h)| {
            Problem::new("duplicate column")
                .file(path)
                .at(1, i as u64 + 1)
                .found(h.clone())
                .expected("each column name once")
        })
        .collect()
}

/// Reads the next record into `record`: `false` at the end. A row of the wrong length is
/// a problem and reading goes on; any other problem (a broken encoding, which would
/// repeat on every line) is recorded and ends the file.
pub(crate) fn next_record(
    reader: &mut Reader<Box<dyn Read>>,
    record: &mut ByteRecord,
    path: &Path,
    problems: &mut Vec<Problem>,
) -> bool {
    let (mut counts, mut notes) = (RowCounts::default(), RowNotes::default());
    let stop = InvalidRows::Stop;
    next_row(
        reader,
        record,
        path,
        stop,
        problems,
        &mut counts,
        &mut notes,
    )
}

/// How a reader counted the rows of a source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    /// Data rows in the file, blank ones included.
    pub rows: u64,
    /// Rows of the period: handed on.
    pub in_period: u64,
    /// Rows of other periods: left out.
    pub outside_period: u64,
    /// Rows with every cell empty: skipped.
    pub blank: u64,
    /// Rows of the period repeating an earlier row exactly (same id, same cells): counted
    /// once, as the first.
    pub duplicate: u64,
    /// Invalid rows left out (`--skip-invalid`); without it, an invalid row stops the run.
    pub skipped: u64,
}

impl RowCounts {
    /// Counts a row handed on in `period` (its index in the span of `bounds`; `None`
    /// without a date column): in the period of the report, or outside it for an
    /// earlier period that `--history` reads too.
    #[inline]
    pub(crate) fn count_placed(&mut self, period: Option<usize>, bounds: &DateBounds) {
        match period {
            Some(k) if !bounds.is_reported(k) => self.outside_period += 1,
            _ => self.in_period += 1,
        }
    }

    /// Adds the counts of a later part of the same file.
    pub fn merge(&mut self, other: &RowCounts) {
        self.rows += other.rows;
        self.in_period += other.in_period;
        self.outside_period += other.outside_period;
        self.blank += other.blank;
        self.duplicate += other.duplicate;
        self.skipped += other.skipped;
    }
}

/// What a reader does with an invalid row (a bad cell, a bad date, a row of the wrong
/// length, an id repeated with other answers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InvalidRows {
    /// Every invalid row is a problem: the file is not taken (the default).
    #[default]
    Stop,
    /// Invalid rows are left out, counted ([`RowCounts::skipped`]) and noted
    /// (`--skip-invalid`).
    Skip,
}

/// The most notes about rows listed per file before the rest are only counted.
const MAX_NOTES: usize = 50;

/// Warnings about single rows of one file, for stderr: rows repeated exactly, rows left
/// out. The first [`MAX_NOTES`] are kept, the rest counted, so memory stays small.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowNotes {
    listed: Vec<String>,
    more: u64,
}

impl RowNotes {
    /// Notes one row.
    pub(crate) fn push(&mut self, note: String) {
        if self.listed.len() < MAX_NOTES {
            self.listed.push(note);
        } else {
            self.more += 1;
        }
    }

    /// The warnings, each a line for stderr, the last one counting those not listed.
    pub fn lines(&self, path: &str) -> Vec<String> {
        let mut lines = self.listed.clone();
        if self.more > 0 {
            lines.push(format!(
                "warning: … and {} more rows of {path} noted",
                self.more
            ));
        }
        lines
    }

    /// Whether nothing was noted.
    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }
}

/// Settles the problems a row added to `problems` from index `from` on: with
/// [`InvalidRows::Skip`] they are moved into `notes` and the row is counted skipped. `true`
/// if the row had problems (and must not be handed on).
pub(crate) fn settle_row(
    invalid: InvalidRows,
    problems: &mut Vec<Problem>,
    from: usize,
    counts: &mut RowCounts,
    notes: &mut RowNotes,
) -> bool {
    if problems.len() <= from {
        return false;
    }
    if invalid == InvalidRows::Skip {
        counts.skipped += 1;
        for problem in problems.drain(from..) {
            notes.push(format!("warning: left out {problem}"));
        }
    }
    true
}

/// Like [`next_record`], and with [`InvalidRows::Skip`] a row of the wrong length is left
/// out and noted rather than a problem (counted in `rows` and `skipped`). A problem that
/// ends the file stays a problem.
pub(crate) fn next_row(
    reader: &mut Reader<Box<dyn Read>>,
    record: &mut ByteRecord,
    path: &Path,
    invalid: InvalidRows,
    problems: &mut Vec<Problem>,
    counts: &mut RowCounts,
    notes: &mut RowNotes,
) -> bool {
    loop {
        match reader.read_byte_record(record) {
            Ok(more) => return more,
            Err(e) => {
                let one_row = matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. });
                let problem = csv_problem(path, &e);
                if one_row && invalid == InvalidRows::Skip {
                    counts.rows += 1;
                    counts.skipped += 1;
                    notes.push(format!("warning: left out {problem}"));
                    continue;
                }
                problems.push(problem);
                if !one_row {
                    return false;
                }
            }
        }
    }
}

/// Like [`next_row`], past blank rows: the line of the next row with any content (the
/// header is line 1), `None` at the end. Every row read is counted in `rows`, the blank
/// ones in `blank` too, as both readers count them.
pub(crate) fn next_filled_row(
    reader: &mut Reader<Box<dyn Read>>,
    record: &mut ByteRecord,
    path: &Path,
    invalid: InvalidRows,
    problems: &mut Vec<Problem>,
    counts: &mut RowCounts,
    notes: &mut RowNotes,
) -> Option<u64> {
    while next_row(reader, record, path, invalid, problems, counts, notes) {
        counts.rows += 1;
        if is_blank(record.iter()) {
            counts.blank += 1;
            continue;
        }
        return Some(record.position().map_or(counts.rows + 1, |p| p.line()));
    }
    None
}

/// The warning for a row of `path` at `line` that repeats the row at `first` exactly.
pub(crate) fn repeat_note(path: &Path, line: u64, first: u64) -> String {
    format!(
        "warning: {}:{line}: the row repeats line {first} exactly (same id, same answers): counted once",
        path.display()
    )
}

/// The problem of a row of `path` at `line` whose id (in column `column`, named
/// `header`) is the one of the row at `first`, with other answers.
pub(crate) fn conflict_problem(
    path: &Path,
    line: u64,
    column: usize,
    header: &str,
    id: &[u8],
    first: u64,
) -> Problem {
    Problem::new(format!("the same id as line {first}, with other answers"))
        .file(path)
        .at(line, column as u64 + 1)
        .field(header.to_string())
        .found(String::from_utf8_lossy(trim(id)).into_owned())
        .expected(format!(
            "an id of its own, or the row of line {first} exactly (a repeated row counts once)"
        ))
}

/// Whether every cell of a record is empty (Excel writes such rows as `;;;;`).
pub(crate) fn is_blank<'a>(mut cells: impl Iterator<Item = &'a [u8]>) -> bool {
    cells.all(|cell| trim(cell).is_empty())
}

/// The problem of a row whose date cell (in `column` if known, named `header`) holds `raw`.
pub(crate) fn date_problem(
    path: &Path,
    line: u64,
    column: Option<usize>,
    header: &str,
    raw: &[u8],
) -> Problem {
    let found = String::from_utf8_lossy(trim(raw)).into_owned();
    let message = if found.is_empty() {
        "a row without a date"
    } else {
        "not a date"
    };
    let problem = Problem::new(message).file(path);
    match column {
        Some(c) => problem.at(line, c as u64 + 1),
        None => problem.line(line),
    }
    .field(header.to_string())
    .found(found)
    .expected("a date as YYYY-MM-DD (a time may follow), so the row can be placed in a period")
}

/// What a pass over a date column found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DateScan {
    /// The latest valid date, any period.
    pub latest: Option<NaiveDate>,
    /// The latest valid date in each period of the span of the bounds scanned by.
    pub by_period: Vec<Option<NaiveDate>>,
}

/// A pass over the date column `column` of the file at `path`: its latest date (for
/// choosing the latest period), and with `bounds` the latest in each of their periods.
/// `None` when the file cannot be read or has no such column (reading the source itself
/// then says why).
pub(crate) fn scan_dates(
    path: &Path,
    options: &TextOptions,
    column: &str,
    bounds: Option<&DateBounds>,
) -> Option<DateScan> {
    let OpenedCsv {
        mut reader,
        headers,
        ..
    } = open_source_csv(path, options).ok()?;
    let c = headers.iter().position(|h| h == column)?;
    let mut record = ByteRecord::new();
    let mut scan = DateScan {
        latest: None,
        by_period: vec![None; bounds.map_or(0, |b| b.reported() + 1)],
    };
    let mut problems = Vec::new();
    while next_record(&mut reader, &mut record, path, &mut problems) {
        let cell = record.get(c).unwrap_or_default();
        let Some(day) = parse_date(cell) else {
            continue;
        };
        scan.latest = scan.latest.max(Some(day));
        if let Some(super::answers::Placed::Inside(k)) = bounds.map(|b| b.place(cell)) {
            if let Some(slot) = scan.by_period.get_mut(k) {
                *slot = (*slot).max(Some(day));
            }
        }
    }
    Some(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_repeated_column_is_named_at_its_place() {
        let headers: Vec<String> = ["id", "E_T1", "id", "P_T1", "E_T1"]
            .map(String::from)
            .to_vec();
        let problems = duplicate_columns(Path::new("c.csv"), &headers);
        let places: Vec<(Option<u64>, String)> = problems
            .iter()
            .map(|p| (p.column, p.found.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            places,
            vec![(Some(3), "id".to_string()), (Some(5), "E_T1".to_string())]
        );
    }

    #[test]
    fn ten_thousand_columns_are_checked_in_one_pass() {
        // Quadratic, this took seconds; a third occurrence is named too.
        let mut headers: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
        headers.push("c7".into());
        headers.push("c7".into());
        let problems = duplicate_columns(Path::new("c.csv"), &headers);
        let columns: Vec<Option<u64>> = problems.iter().map(|p| p.column).collect();
        assert_eq!(columns, vec![Some(10_001), Some(10_002)]);
    }
}
