//! What every streaming source reader does the same way: open a data file with hashing
//! for the provenance, read its header, and step through its records.

use std::io::Read;
use std::path::Path;

use csv::{ByteRecord, Reader};

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
    loop {
        match reader.read_byte_record(record) {
            Ok(more) => return more,
            Err(e) => {
                problems.push(csv_problem(path, &e));
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    return false;
                }
            }
        }
    }
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
