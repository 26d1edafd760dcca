//! Where the rows an import does not take go: the summary, and with `--skip-invalid` the
//! rejects file beside the data file (the export line, the id, the reason, then the row as
//! it was in the export), written to a temporary file and renamed into place at the end.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::appender::{flush_and_sync, rename, temp_file};
use super::rows::RowFormat;
use super::{beside, Rejected, Summary};
use crate::problem::Problem;

/// Where the rows an import of `data` did not take are written.
fn rejects_path(data: &Path) -> PathBuf {
    beside(data, ".rejects.csv")
}

/// The rows not imported, as the summary lists them and the rejects file holds them.
pub(crate) struct Rejects {
    /// The rejects file being written (`None` without `--skip-invalid`, or in a dry run).
    file: Option<BufWriter<NamedTempFile>>,
    path: PathBuf,
    /// The export's columns: a shorter row (a sheet's row ends at its last value) is
    /// filled up to them, so that every row of the file is as wide as its header.
    columns: usize,
    /// A line of the file, reused from row to row.
    line: String,
}

impl Rejects {
    /// Rows not imported into `data` are only counted and listed in the summary.
    pub(crate) fn listed(data: &Path) -> Rejects {
        Rejects {
            file: None,
            path: rejects_path(data),
            columns: 0,
            line: String::new(),
        }
    }

    /// Rows not imported into `data` are written to the rejects file too, with the
    /// export's `columns` after line, id and reason.
    pub(crate) fn written(data: &Path, columns: &[String]) -> Result<Rejects, Problem> {
        let mut rejects = Rejects::listed(data);
        rejects.columns = columns.len();
        let path = rejects.path.clone();
        let problem = |e: io::Error| Problem::new(format!("cannot write: {e}")).file(&path);
        let tmp = temp_file(data, "rejects", &path).map_err(problem)?;
        rejects.file = Some(BufWriter::new(tmp));
        let mut header = vec![
            "export_line".to_string(),
            "export_id".into(),
            "reason".into(),
        ];
        header.extend(columns.iter().cloned());
        rejects.write(&header).map_err(problem)?;
        Ok(rejects)
    }

    /// Records the row at `line` with `cells` (and id `id`) as a conflict or an invalid
    /// row, for `problems`.
    pub(crate) fn reject(
        &mut self,
        summary: &mut Summary,
        line: u64,
        cells: &csv::StringRecord,
        id: &str,
        conflict: bool,
        problems: Vec<Problem>,
    ) -> Result<(), Problem> {
        let r = Rejected {
            line,
            id: id.to_string(),
            problems,
        };
        if self.file.is_some() {
            let mut row = vec![r.line.to_string(), r.id.clone(), r.reason()];
            row.extend(cells.iter().map(str::to_string));
            if cells.len() < self.columns {
                row.resize(3 + self.columns, String::new());
            }
            self.write(&row).map_err(|e| {
                Problem::new(format!("cannot write the rejects file: {e}")).file(&self.path)
            })?;
        }
        if conflict {
            summary.conflicts.push(r);
        } else {
            summary.rejected.push(r);
        }
        Ok(())
    }

    /// Adds a row of `cells` to the file.
    fn write(&mut self, cells: &[String]) -> io::Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        self.line.clear();
        RowFormat::default().push_row(&mut self.line, cells);
        file.write_all(self.line.as_bytes())
    }

    /// Renames the rejects file into place if rows were left out, and names it in `summary`.
    pub(crate) fn commit(self, summary: &mut Summary) -> Result<(), Problem> {
        let Some(file) = self.file else {
            return Ok(());
        };
        if summary.conflicts.is_empty() && summary.rejected.is_empty() {
            return Ok(());
        }
        rename(flush_and_sync(file, &self.path)?, &self.path)?;
        summary.rejects_file = Some(self.path);
        Ok(())
    }
}
