//! The data file already there: its header, how its rows are written, and the index of
//! its ids.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;

use super::chunked::{self, Reached};
use super::export::{read_record, CsvLayout};
use super::index::{IdIndex, Seen};
use super::rows::{Converter, Prepared, RowFormat};
use crate::problem::Problem;
use crate::sources::chunked::Tuning;
use crate::sources::text::{csv_problem, open_csv, TextOptions};

/// What an import needs to know about the data file that is already there.
#[derive(Debug)]
pub(crate) struct Existing {
    /// Id -> where it is and the digest of its answers (see [`IdIndex`]).
    pub(crate) rows: IdIndex,
    /// Its encoding, in which new rows are written.
    pub(crate) encoding: &'static Encoding,
    /// Its delimiter and line break, in which new rows are written.
    pub(crate) format: RowFormat,
    /// Whether its last line ends with a line break (if not, one is added before new rows).
    pub(crate) ends_with_newline: bool,
}

/// Whether `path` is a data file with something in it (an empty file is like none: the
/// import writes the header).
pub(crate) fn has_content(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > 0)
}

/// The file an import into `data` writes: `data`, or the file a symbolic link at `data`
/// points to, which is then updated in its own folder so that the link survives. A link
/// to nothing, anything but a regular file, and a file the user may not write are refused:
/// an import never replaces what it may not change in place.
pub(crate) fn write_target(data: &Path) -> Result<PathBuf, Problem> {
    let cannot_read =
        |e: io::Error| Problem::new(format!("cannot read the data file: {e}")).file(data);
    let link = match std::fs::symlink_metadata(data) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(data.to_path_buf()),
        Err(e) => return Err(cannot_read(e)),
        Ok(meta) => meta.file_type().is_symlink(),
    };
    let target = if link {
        std::fs::canonicalize(data).map_err(|e| {
            Problem::new(format!(
                "the data file is a symbolic link that leads to no file: {e}"
            ))
            .file(data)
            .expected("a link to an existing data file, or the data file itself")
        })?
    } else {
        data.to_path_buf()
    };
    let meta = std::fs::metadata(&target).map_err(cannot_read)?;
    if !meta.is_file() {
        return Err(Problem::new("the data file is not a regular file")
            .file(data)
            .expected("a CSV file (an import replaces it with a new version)"));
    }
    if !may_write(&target, &meta) {
        return Err(Problem::new("the data file is read-only: an import never replaces it")
            .file(data)
            .expected("write permission on the data file (for example `chmod u+w`), or an import into a copy"));
    }
    Ok(target)
}

/// Whether the user may write the file at `path`: a file with no write permission at all
/// is read-only even for root, who could otherwise replace it.
fn may_write(path: &Path, meta: &std::fs::Metadata) -> bool {
    if meta.permissions().readonly() {
        return false;
    }
    #[cfg(unix)]
    {
        rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

/// Reads the header of `path`, if the file has one.
pub(crate) fn read_header(
    path: &Path,
    options: &TextOptions,
) -> Result<Option<Vec<String>>, Problem> {
    if !has_content(path) {
        return Ok(None);
    }
    let (mut reader, _) = open_csv(path, options)?;
    let header = reader.headers().map_err(|e| csv_problem(path, &e))?;
    Ok(Some(header.iter().map(|h| h.trim().to_string()).collect()))
}

impl Existing {
    /// Reads the data file `path` and indexes its rows: the trimmed id of each, with the
    /// digest of its answers as [`Converter::data_row`] makes it.
    /// A large UTF-8 file is read on `tuning.threads` threads ([`super::chunked`]).
    pub(crate) fn read(
        path: &Path,
        options: &TextOptions,
        id_column: usize,
        converter: &Converter,
        tuning: Tuning,
    ) -> Result<Existing, Problem> {
        let (mut reader, format) = open_csv(path, options)?;
        if format.encoding.output_encoding() != format.encoding {
            return Err(Problem::new(format!(
            "cannot append to a file in {}",
            format.encoding.name()
        ))
        .file(path)
        .expected("a data file in UTF-8, GBK/GB18030 or another single- or multi-byte encoding (save it as UTF-8)"));
        }
        let header = reader.headers().map_err(|e| csv_problem(path, &e))?;
        let layout = CsvLayout {
            format: format.clone(),
            first_row: header.iter().map(|h| h.trim().to_string()).collect(),
            header_rows: 1,
        };
        let mut rows = IdIndex::default();
        let reached = chunked::index(path, &layout, id_column, converter, &mut rows, tuning);
        // The rest row by row, in one record and its digest: nothing per row.
        let mut record = csv::StringRecord::new();
        let mut prepared = Prepared::default();
        let mut next = |record: &mut csv::StringRecord| {
            // A row of the wrong width is indexed like any other.
            read_record(&mut reader, record, path, |_, _| {})
        };
        let mut counted = match reached {
            Reached::Row(done) => done,
            Reached::End => 0,
        };
        let file_len = std::fs::metadata(path).map_or(0, |m| m.len());
        let left = reached.resume(|| next(&mut record))?;
        while left && next(&mut record)? {
            counted += 1;
            if counted == SIZING_SAMPLE {
                // The rows to come, from the bytes the first ones took: room for them all now.
                let bytes = record.position().map_or(0, |p| p.byte()).max(1);
                let rest = file_len.saturating_sub(bytes) * counted / bytes;
                rows.reserve(usize::try_from(rest + rest / 20).unwrap_or(0));
            }
            let line = record.position().map_or(0, |p| p.line());
            let id = record.get(id_column).unwrap_or_default().trim();
            if id.is_empty() {
                continue;
            }
            converter.data_row(&record, &mut prepared);
            let here = Seen {
                line,
                print: prepared.print,
                in_file: true,
            };
            rows.record_first(rows.hash(id), id, here);
        }
        let (crlf, ends_with_newline) = line_endings(path)?;
        Ok(Existing {
            rows,
            encoding: format.encoding,
            format: RowFormat::new(format.delimiter, crlf),
            ends_with_newline,
        })
    }
}

/// Rows of the data file read before the index makes room for the rest.
const SIZING_SAMPLE: u64 = 1024;

/// Whether the file's first line ends in CRLF, and whether the file ends with a newline.
fn line_endings(path: &Path) -> Result<(bool, bool), Problem> {
    let io_problem = |e: io::Error| Problem::new(format!("cannot read the file: {e}")).file(path);
    let mut file = File::open(path).map_err(io_problem)?;
    let mut head = vec![0u8; 64 * 1024];
    let n = file.read(&mut head).map_err(io_problem)?;
    head.truncate(n);
    let crlf = head
        .iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && head[i - 1] == b'\r');
    let len = file.seek(SeekFrom::End(0)).map_err(io_problem)?;
    let mut last = [0u8; 1];
    let ends = if len == 0 {
        true
    } else {
        file.seek(SeekFrom::End(-1)).map_err(io_problem)?;
        file.read_exact(&mut last).map_err(io_problem)?;
        last[0] == b'\n'
    };
    Ok((crlf, ends))
}
