//! The work on one row that needs nothing but the row: converting an export row's cells
//! for the data file, and reducing a row to the digest of its answers. It is done on the
//! reading thread ([`super::prefetch`]) when it can be, on the import's thread otherwise,
//! by the same code.

use csv::StringRecord;

use super::store::{digest, Fingerprint, CELL_END};
use super::target::{Role, TargetColumn};
use super::values::{self, convert_date_into, convert_into, trim_cell, Labels};

/// How the import fills each column of the data file.
#[derive(Debug, Clone)]
pub struct Converter {
    /// Per data-file column: what it accepts (if the import knows it) and the export
    /// column that fills it.
    columns: Vec<(Option<TargetColumn>, Option<usize>)>,
    labels: Labels,
    /// The data-file columns whose answers tell a duplicate from a conflict.
    compare: Vec<usize>,
}

/// A row after [`Converter::export_row`] or [`Converter::data_row`].
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Whether the work is done (else the row is as read).
    pub ready: bool,
    /// Export rows: the data file's cells, converted (empty where a cell would not convert).
    pub cells: Vec<String>,
    /// Export rows: each data-file column whose cell would not convert, with what it expected.
    pub failed: Vec<(usize, String)>,
    /// The digest of the compared answers.
    pub print: Fingerprint,
    /// `(expected, found)` when the row has another number of fields than the header:
    /// such a row is rejected as a whole, never converted.
    pub width: Option<(u64, u64)>,
    /// The digest's input, kept for its buffer.
    key: String,
    /// A cell being canonicalised, kept for its buffer.
    cell: String,
}

/// The per-row work handed to the reading thread.
pub type Work = Box<dyn Fn(&StringRecord, &mut Prepared) + Send>;

impl Converter {
    /// `columns` per data-file column (target column, export column); `compare`: the
    /// data-file columns whose answers tell a duplicate from a conflict.
    pub fn new(
        columns: Vec<(Option<TargetColumn>, Option<usize>)>,
        labels: Labels,
        compare: Vec<usize>,
    ) -> Converter {
        Converter {
            columns,
            labels,
            compare,
        }
    }

    /// Converts the cells of an export row into `p`, and digests them.
    pub fn export_row(&self, record: &StringRecord, p: &mut Prepared) {
        p.cells.resize(self.columns.len(), String::new());
        p.failed.clear();
        for (o, ((target, source), cell)) in self.columns.iter().zip(&mut p.cells).enumerate() {
            let (Some(t), Some(s)) = (target, source) else {
                cell.clear();
                continue;
            };
            let raw = record.get(*s).unwrap_or_default();
            if let Err(expected) = convert_cell_into(t, &self.labels, raw, cell) {
                p.failed.push((o, expected));
                cell.clear();
            }
        }
        p.key.clear();
        for &o in &self.compare {
            p.key.push_str(p.cells.get(o).map_or("", String::as_str));
            p.key.push(CELL_END);
        }
        p.print = digest(p.key.as_bytes());
        p.ready = true;
    }

    /// Digests a row of the data file into `p`: each compared cell as the import would
    /// have written it (as it is, trimmed, if it would not convert), so that a re-import
    /// of the same answers is a duplicate.
    pub fn data_row(&self, record: &StringRecord, p: &mut Prepared) {
        p.key.clear();
        for &o in &self.compare {
            let raw = record.get(o).unwrap_or_default();
            let converted = self
                .columns
                .get(o)
                .and_then(|c| c.0.as_ref())
                .is_some_and(|t| convert_cell_into(t, &self.labels, raw, &mut p.cell).is_ok());
            if !converted {
                p.cell.clear();
                p.cell.push_str(trim_cell(raw));
            }
            p.key.push_str(&p.cell);
            p.key.push(CELL_END);
        }
        p.print = digest(p.key.as_bytes());
        p.ready = true;
    }

    /// [`Converter::export_row`] for the reading thread.
    pub fn export_work(&self) -> Work {
        let me = self.clone();
        Box::new(move |record, p| me.export_row(record, p))
    }

    /// [`Converter::data_row`] for the reading thread.
    pub fn data_work(&self) -> Work {
        let me = self.clone();
        Box::new(move |record, p| me.data_row(record, p))
    }
}

/// Converts one cell for target column `c` into `out`; `Err` says what was expected.
pub fn convert_cell_into(
    c: &TargetColumn,
    labels: &Labels,
    raw: &str,
    out: &mut String,
) -> Result<(), String> {
    match &c.role {
        Role::Value(kind) => convert_into(kind, labels, raw, out),
        Role::Date if convert_date_into(raw, out) => Ok(()),
        Role::Date => Err(values::DATE_EXPECTED.to_string()),
        Role::Id | Role::Site | Role::Region | Role::Shopper => {
            out.clear();
            out.push_str(trim_cell(raw));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::Scale;
    use crate::import::target::ValueKind;

    fn column(name: &str, role: Role) -> TargetColumn {
        TargetColumn {
            name: name.into(),
            role,
            item: None,
            text: None,
            part: '-',
        }
    }

    fn converter() -> Converter {
        let seven = Scale { min: 1.0, max: 7.0 };
        Converter::new(
            vec![
                (Some(column("id", Role::Id)), Some(0)),
                (Some(column("date", Role::Date)), Some(1)),
                (
                    Some(column("E_T1", Role::Value(ValueKind::Likert(seven)))),
                    Some(2),
                ),
                (Some(column("region", Role::Region)), None),
            ],
            Labels::for_scale(seven),
            vec![1, 2],
        )
    }

    #[test]
    fn an_imported_row_reads_back_as_a_duplicate() {
        let c = converter();
        let mut export = Prepared::default();
        let record = StringRecord::from(vec![" R1 ", "7/15/2026 10:22", "Strongly agree"]);
        c.export_row(&record, &mut export);
        assert!(export.ready);
        assert_eq!(export.cells, ["R1", "2026-07-15", "7", ""]);
        assert!(export.failed.is_empty());
        // The row as written, and as someone might have typed it, digest the same.
        let mut data = Prepared::default();
        for written in [
            vec!["R1", "2026-07-15", "7", ""],
            vec!["R1", " 2026-07-15", "07", "North"],
        ] {
            c.data_row(&StringRecord::from(written), &mut data);
            assert_eq!(data.print, export.print);
        }
        c.data_row(
            &StringRecord::from(vec!["R1", "2026-07-15", "6", ""]),
            &mut data,
        );
        assert_ne!(data.print, export.print);
    }

    #[test]
    fn cells_that_do_not_convert_are_listed_and_left_empty() {
        let c = converter();
        let mut p = Prepared::default();
        c.export_row(&StringRecord::from(vec!["R2", "someday", "9"]), &mut p);
        assert_eq!(p.cells, ["R2", "", "", ""]);
        assert_eq!(p.failed.iter().map(|f| f.0).collect::<Vec<_>>(), vec![1, 2]);
        // Buffers are reused: a good row after a bad one has no failures left over.
        c.export_row(&StringRecord::from(vec!["R3", "2026-07-15", "5"]), &mut p);
        assert_eq!(p.cells, ["R3", "2026-07-15", "5", ""]);
        assert!(p.failed.is_empty());
    }
}
