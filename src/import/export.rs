//! Reading an export: a CSV in any encoding (through `sources::text`) or an Excel sheet
//! (through calamine), one row of strings at a time, with the header rows split off.

use std::collections::VecDeque;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use csv::StringRecord;

use super::presets::{Detected, ExportColumn, Preset};
use crate::problem::Problem;
use crate::sources::text::{csv_problem, open_csv, TextFormat, TextOptions};

/// One data row of an export.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExportRow {
    /// Line (CSV) or row number (sheet) in the export, 1-based.
    pub(crate) line: u64,
    /// The cells, as text (a csv record, so that reading a row copies nothing).
    pub(crate) cells: StringRecord,
    /// `(expected, found)` when the row has another number of fields than the header:
    /// such a row is rejected as a whole, never converted.
    pub(crate) width: Option<(u64, u64)>,
}

/// Where the rows come from.
enum Rows {
    /// A CSV file, decoded and parsed as it streams.
    Csv(csv::Reader<Box<dyn Read>>),
    /// The first sheet of a workbook (calamine holds a sheet in memory anyway).
    Sheet(std::vec::IntoIter<ExportRow>),
}

/// An open export: the columns and a stream of the data rows.
pub(crate) struct Export {
    /// The export file.
    pub(crate) path: PathBuf,
    /// The preset used (given or detected).
    pub(crate) preset: Preset,
    /// The columns.
    pub(crate) columns: Vec<ExportColumn>,
    /// Size of the file in bytes (to decide whether to show progress).
    pub(crate) bytes: u64,
    /// A CSV export's layout: what was detected, its first row (trimmed) and how many
    /// header rows it has (`None` for a sheet).
    pub(crate) csv: Option<CsvLayout>,
    /// When the export was read as `plain` without `--preset`, but resembles a tool's:
    /// the note saying which and why.
    pub(crate) hint: Option<String>,
    /// Rows read ahead while looking at the header, not yet handed out.
    pending: VecDeque<ExportRow>,
    rows: Rows,
    done: bool,
}

/// How a CSV export looks before its first data row.
#[derive(Debug, Clone)]
pub(crate) struct CsvLayout {
    /// Encoding, delimiter and BOM, as detected.
    pub(crate) format: TextFormat,
    /// The first row's cells, trimmed.
    pub(crate) first_row: Vec<String>,
    /// Header rows (the first row included).
    pub(crate) header_rows: usize,
}

/// How many rows are read ahead to find the header rows and detect the preset.
const LOOKAHEAD: usize = 3;

impl Export {
    /// Opens `path`: an `.xlsx` workbook if `workbook` is `Some(true)`, CSV if
    /// `Some(false)`, else CSV or `.xlsx`/`.xlsm`/`.xls`/`.ods` by extension. A CSV is
    /// read in the `encoding` declared, or the one detected (`sources::text`).
    pub(crate) fn open(
        path: &Path,
        preset: Option<Preset>,
        workbook: Option<bool>,
        encoding: Option<&str>,
    ) -> Result<Export, Problem> {
        let bytes = std::fs::metadata(path)
            .map_err(|e| Problem::new(format!("cannot read the export: {e}")).file(path))?
            .len();
        let kind = Kind::of(path, workbook);
        let (rows, pending, csv) = if kind != Kind::Csv {
            let rows = if kind == Kind::Xlsx {
                read_xlsx(path)?
            } else {
                read_sheet(path)?
            };
            (Rows::Sheet(rows.into_iter()), VecDeque::new(), None)
        } else {
            let options = TextOptions {
                encoding: encoding.map(str::to_owned),
                delimiter: None,
            };
            let (mut reader, format) = open_csv(path, &options)?;
            let header = reader
                .headers()
                .cloned()
                .map_err(|e| csv_problem(path, &e))?;
            let csv = CsvLayout {
                format,
                first_row: header.iter().map(|h| h.trim().to_string()).collect(),
                header_rows: 1,
            };
            // The csv reader treats the first row as the header; the presets need it as a
            // row like the others, so it is handed out first.
            let first = ExportRow {
                line: 1,
                cells: header,
                width: None,
            };
            (Rows::Csv(reader), VecDeque::from([first]), Some(csv))
        };
        let mut export = Export {
            path: path.to_path_buf(),
            preset: Preset::Plain,
            columns: Vec::new(),
            bytes,
            csv,
            hint: None,
            pending,
            rows,
            done: false,
        };
        export.finish_header(preset)?;
        Ok(export)
    }

    /// Reads ahead, decides the preset and takes the header rows off the stream.
    fn finish_header(&mut self, preset: Option<Preset>) -> Result<(), Problem> {
        while self.pending.len() < LOOKAHEAD {
            let mut row = ExportRow::default();
            if !self.read_raw(&mut row)? {
                break;
            }
            self.pending.push_back(row);
        }
        let ahead: Vec<Vec<String>> = self
            .pending
            .iter()
            .map(|r| r.cells.iter().map(str::to_string).collect())
            .collect();
        if ahead.is_empty() {
            return Err(Problem::new("the export is empty")
                .file(&self.path)
                .expected("a header row and rows of answers"));
        }
        let preset = match preset {
            Some(preset) => preset,
            None => match Preset::examine(&ahead) {
                Detected::Sure(preset) => preset,
                Detected::Plain => Preset::Plain,
                Detected::Resembles(like, columns) => {
                    self.hint = Some(format!(
                        "{}: read as --preset plain, though it looks like --preset {}: it has the columns {}, but not {}; give --preset {} if that tool wrote it",
                        self.path.display(),
                        like.name(),
                        columns.join(", "),
                        like.marks(),
                        like.name(),
                    ));
                    Preset::Plain
                }
            },
        };
        if let Some(cell) = preset.second_row_is_answers(&ahead) {
            let line = self.pending.get(1).map_or(2, |r| r.line);
            return Err(Problem::new(format!(
                "the second header row of this {} export holds a respondent's answers, not headings",
                preset.name()
            ))
            .file(&self.path)
            .at(line, cell.column as u64)
            .found(format!("{} ({})", cell.cell, cell.looks_like))
            .expected(format!(
                "{} header rows, as {} writes them; an export with one header row imports with --preset plain and a map file (--map)",
                preset.header_rows(&ahead),
                preset.name()
            )));
        }
        let n = preset.header_rows(&ahead).min(ahead.len());
        self.preset = preset;
        self.columns = preset.columns(&ahead[..n]);
        if let Some(csv) = &mut self.csv {
            csv.header_rows = n;
        }
        self.pending.drain(..n);
        Ok(())
    }

    /// Reads the next data row into `row`, reusing its record's buffers; `Ok(false)` at the
    /// end, `Err` for a row that cannot be read (the stream then ends).
    pub(crate) fn read_into(&mut self, row: &mut ExportRow) -> Result<bool, Problem> {
        if let Some(next) = self.pending.pop_front() {
            *row = next;
            return Ok(true);
        }
        if self.done {
            return Ok(false);
        }
        let next = self.read_raw(row);
        if !matches!(next, Ok(true)) {
            self.done = true;
        }
        next
    }

    /// The next row from the file or sheet into `row` (header rows included).
    fn read_raw(&mut self, row: &mut ExportRow) -> Result<bool, Problem> {
        match &mut self.rows {
            Rows::Sheet(rows) => Ok(rows.next().map(|next| *row = next).is_some()),
            Rows::Csv(reader) => {
                row.width = None;
                let read = read_record(reader, &mut row.cells, &self.path, |expected, found| {
                    row.width = Some((expected, found))
                })?;
                if read {
                    row.line = row.cells.position().map_or(0, |p| p.line());
                }
                Ok(read)
            }
        }
    }
}

/// Reads the next record of `reader` (reading `path`) into `record`; `Ok(false)` at the
/// end. A record with another number of fields than the header is one bad row, read like
/// any other after telling `wrong_width` the numbers expected and found (the reader goes
/// on after it).
pub(crate) fn read_record(
    reader: &mut csv::Reader<Box<dyn Read>>,
    record: &mut StringRecord,
    path: &Path,
    wrong_width: impl FnOnce(u64, u64),
) -> Result<bool, Problem> {
    match reader.read_record(record) {
        Ok(read) => Ok(read),
        Err(e) => match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => {
                wrong_width(*expected_len, *len);
                Ok(true)
            }
            _ => Err(csv_problem(path, &e)),
        },
    }
}

/// What an export file is, and so how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text, decoded and parsed as CSV.
    Csv,
    /// An Excel workbook of today (`.xlsx`, `.xlsm`), read cell by cell.
    Xlsx,
    /// Another workbook (`.xls`, `.ods`), read a sheet at a time.
    OtherSheet,
}

impl Kind {
    /// The kind `workbook` says (an `.xlsx` if `Some(true)`), else the one `path`'s
    /// extension says.
    fn of(path: &Path, workbook: Option<bool>) -> Kind {
        match workbook {
            Some(true) => return Kind::Xlsx,
            Some(false) => return Kind::Csv,
            None => {}
        }
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("xlsx" | "xlsm") => Kind::Xlsx,
            Some("xls" | "ods") => Kind::OtherSheet,
            _ => Kind::Csv,
        }
    }
}

/// All rows of the first sheet of a `.xls` or `.ods` workbook, as text; blank rows are
/// skipped. (calamine reads these formats a sheet at a time.)
fn read_sheet(path: &Path) -> Result<Vec<ExportRow>, Problem> {
    let mut book = calamine::open_workbook_auto(path)
        .map_err(|e| Problem::new(format!("cannot read the workbook: {e}")).file(path))?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(e)) => {
            return Err(Problem::new(format!("cannot read the first sheet: {e}")).file(path))
        }
        None => return Err(no_sheet(path)),
    };
    let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    Ok(range
        .rows()
        .enumerate()
        .filter(|(_, row)| row.iter().any(|c| !matches!(c, Data::Empty)))
        .map(|(i, row)| {
            // Cells left of the used range are empty; keep columns where Excel shows them.
            let mut cells = vec![String::new(); first_col];
            cells.extend(row.iter().map(cell_text));
            ExportRow {
                line: first_row + i as u64 + 1,
                cells: StringRecord::from(cells),
                width: None,
            }
        })
        .collect())
}

/// A workbook without sheets.
fn no_sheet(path: &Path) -> Problem {
    Problem::new("the workbook has no sheet")
        .file(path)
        .expected("answers on the first sheet")
}

/// Columns a sheet may use (the last is `NTP`).
const MAX_SHEET_COLUMNS: u32 = 10_000;

/// Empty fields a sheet's rows may hold, beyond this many per cell with a value, before it
/// is refused as too sparse: rows are kept as far as their last cell, so a sheet with a
/// lone cell far to the right of every row would otherwise cost memory for the gap.
const SPARSE_FIELDS_PER_CELL: u64 = 32;

/// The empty fields allowed in any sheet, however few its cells (64 MB of field ends).
const SPARSE_FIELDS_FREE: u64 = 8 << 20;

/// All rows of the first sheet of an `.xlsx` workbook, as text, read cell by cell so that
/// memory goes with the cells the sheet has, never with the range it declares or spans
/// (one stray cell at `XFD1048576` would make a range of 17 billion cells). Blank rows
/// are skipped; a row ends at its last cell with a value (a missing cell reads as empty),
/// except the first rows, where the header is, which reach the widest row so that every
/// column has a heading.
fn read_xlsx(path: &Path) -> Result<Vec<ExportRow>, Problem> {
    let unreadable =
        |e: calamine::XlsxError| Problem::new(format!("cannot read the workbook: {e}")).file(path);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).map_err(unreadable)?;
    let Some(first) = book.sheet_names().first().cloned() else {
        return Err(no_sheet(path));
    };
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| Problem::new(format!("cannot read the first sheet: {e}")).file(path))?;
    let mut rows: Vec<ExportRow> = Vec::new();
    // The row being filled: its number and its cells so far.
    let mut row: Option<(u32, Vec<String>)> = None;
    let (mut fields, mut filled) = (0u64, 0u64);
    let mut widest = 0usize;
    let mut finish = |row: Option<(u32, Vec<String>)>, rows: &mut Vec<ExportRow>| {
        if let Some((number, texts)) = row {
            widest = widest.max(texts.len());
            rows.push(ExportRow {
                line: u64::from(number) + 1,
                cells: StringRecord::from(texts),
                width: None,
            });
        }
    };
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        let (r, c) = cell.get_position();
        if c >= MAX_SHEET_COLUMNS {
            return Err(Problem::new(format!(
                "the first sheet has a value beyond its {MAX_SHEET_COLUMNS}th column"
            ))
            .file(path)
            .line(u64::from(r) + 1)
            .found(format!("a value in column {}", u64::from(c) + 1))
            .expected(format!(
                "at most {MAX_SHEET_COLUMNS} columns (delete the stray cells)"
            )));
        }
        match &row {
            Some((number, _)) if *number == r => {}
            Some((number, _)) if *number > r => {
                return Err(Problem::new("the first sheet's rows are out of order")
                    .file(path)
                    .line(u64::from(r) + 1)
                    .expected(
                        "rows in order, as Excel writes them (save the file again in Excel)",
                    ));
            }
            _ => finish(row.replace((r, Vec::new())), &mut rows),
        }
        let Some((_, texts)) = row.as_mut() else {
            continue;
        };
        let c = c as usize;
        if c >= texts.len() {
            fields += (c + 1 - texts.len()) as u64;
            texts.resize(c + 1, String::new());
        }
        texts[c] = text;
        filled += 1;
        if fields > filled * SPARSE_FIELDS_PER_CELL + SPARSE_FIELDS_FREE {
            return Err(Problem::new(
                "the first sheet is too sparse: its few values are spread over a vast range of cells",
            )
            .file(path)
            .line(u64::from(r) + 1)
            .found(format!("{filled} values over {fields} cells so far"))
            .expected("a sheet of answers, one response a row (delete the stray cells far from the table)"));
        }
    }
    finish(row, &mut rows);
    for header in rows.iter_mut().take(LOOKAHEAD) {
        if header.cells.len() < widest {
            let mut texts: Vec<String> = header.cells.iter().map(str::to_string).collect();
            texts.resize(widest, String::new());
            header.cells = StringRecord::from(texts);
        }
    }
    Ok(rows)
}

/// A sheet cell as the text a CSV export would hold.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let serial = d.as_f64() + if is_1904(d) { DAYS_1900_TO_1904 } else { 0.0 };
            excel_date(serial).unwrap_or_else(|| d.as_f64().to_string())
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Days from the 1900 date system's day 0 (1899-12-30) to the 1904 system's (1904-01-01).
const DAYS_1900_TO_1904: f64 = 1462.0;

/// Whether `d` is a date (not a duration) of a workbook saved with Excel's 1904 date
/// system (an option of Excel, the default of old Excel for Mac), whose serials count
/// from 1904-01-01. calamine reads the workbook's flag into each date but has no getter
/// for it; its dates compare equal field by field.
fn is_1904(d: &calamine::ExcelDateTime) -> bool {
    use calamine::{ExcelDateTime, ExcelDateTimeType};
    *d == ExcelDateTime::new(d.as_f64(), ExcelDateTimeType::DateTime, true)
}

/// An Excel serial date (days since 1899-12-30, the 1900 system) as `YYYY-MM-DD`, with
/// its time of day when it has one (`YYYY-MM-DD HH:MM:SS`, and `.mmm` when the
/// milliseconds are not 0): a Timestamp column used as an id keeps its seconds.
fn excel_date(serial: f64) -> Option<String> {
    const MS_PER_DAY: i64 = 86_400_000;
    if !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // To the nearest millisecond, the finest Excel shows: 23:59:59.9996 is the next day.
    let ms = (serial * MS_PER_DAY as f64).round() as i64;
    let (days, ms_of_day) = (ms.div_euclid(MS_PER_DAY), ms.rem_euclid(MS_PER_DAY));
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let day = base.checked_add_days(chrono::Days::new(u64::try_from(days).ok()?))?;
    if ms_of_day == 0 {
        return Some(day.format("%Y-%m-%d").to_string());
    }
    let (seconds, millis) = (ms_of_day / 1000, ms_of_day % 1000);
    let mut text = format!(
        "{} {:02}:{:02}:{:02}",
        day.format("%Y-%m-%d"),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    if millis != 0 {
        text.push_str(&format!(".{millis:03}"));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_dates() {
        // 45853 days after 1899-12-30: 2025-07-15 (Excel shows 15/07/2025 for 45853).
        assert_eq!(excel_date(45853.0).as_deref(), Some("2025-07-15"));
        // .75 of a day is 18:00; a second is 1/86400 of a day.
        assert_eq!(excel_date(45853.75).as_deref(), Some("2025-07-15 18:00:00"));
        assert_eq!(
            excel_date(45853.75 + 7.0 / 86_400.0).as_deref(),
            Some("2025-07-15 18:00:07")
        );
        assert_eq!(
            excel_date(45853.0 + 0.5 / 86_400.0).as_deref(),
            Some("2025-07-15 00:00:00.500")
        );
        // Half a millisecond before midnight rounds to the next day.
        assert_eq!(
            excel_date(45853.0 + (86_400_000.0 - 0.4) / 86_400_000.0).as_deref(),
            Some("2025-07-16")
        );
        assert_eq!(excel_date(-1.0), None);
    }
}
