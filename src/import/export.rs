//! Reading an export: a CSV in any encoding (through `sources::text`) or an Excel sheet
//! (through calamine), one row of strings at a time, with the header rows split off.

use std::collections::VecDeque;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use csv::StringRecord;

use super::presets::{ExportColumn, Preset};
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
    /// Opens `path` (CSV, or `.xlsx`/`.xlsm`/`.xls`/`.ods` by extension).
    pub(crate) fn open(path: &Path, preset: Option<Preset>) -> Result<Export, Problem> {
        let bytes = std::fs::metadata(path)
            .map_err(|e| Problem::new(format!("cannot read the export: {e}")).file(path))?
            .len();
        let is_sheet = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["xlsx", "xlsm", "xls", "ods"].contains(&e.to_ascii_lowercase().as_str())
        });
        let (rows, pending, csv) = if is_sheet {
            (
                Rows::Sheet(read_sheet(path)?.into_iter()),
                VecDeque::new(),
                None,
            )
        } else {
            let (mut reader, format) = open_csv(path, &TextOptions::default())?;
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
        let preset = preset.unwrap_or_else(|| Preset::detect(&ahead));
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

/// All rows of the first sheet of a workbook, as text; blank rows are skipped.
fn read_sheet(path: &Path) -> Result<Vec<ExportRow>, Problem> {
    let mut book = calamine::open_workbook_auto(path)
        .map_err(|e| Problem::new(format!("cannot read the workbook: {e}")).file(path))?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(e)) => {
            return Err(Problem::new(format!("cannot read the first sheet: {e}")).file(path))
        }
        None => {
            return Err(Problem::new("the workbook has no sheet")
                .file(path)
                .expected("answers on the first sheet"))
        }
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

/// A sheet cell as the text a CSV export would hold.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()).unwrap_or_else(|| d.as_f64().to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date (days since 1899-12-30, the 1900 system) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> Option<String> {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = serial.floor();
    if !(0.0..=2_958_465.0).contains(&days) {
        return None;
    }
    base.checked_add_days(chrono::Days::new(days as u64))
        .map(|d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_dates() {
        // 45853 days after 1899-12-30: 2025-07-15 (Excel shows 15/07/2025 for 45853).
        assert_eq!(excel_date(45853.0).as_deref(), Some("2025-07-15"));
        assert_eq!(excel_date(45853.75).as_deref(), Some("2025-07-15"));
        assert_eq!(excel_date(-1.0), None);
    }
}
