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
        if let Some(line) = open_quote_line(path, format.delimiter)
            .map_err(|e| Problem::new(format!("cannot read the file: {e}")).file(path))?
        {
            // Every row appended after it would be read as part of that field.
            return Err(Problem::new(
                "the data file is damaged: it ends inside a quoted field, so rows added to it would never be read",
            )
            .file(path)
            .line(line)
            .expected("a closing `\"` for the field whose quote opens on this line (repair the file by hand)"));
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

/// Bytes of the data file read at a time when looking for an open quote.
const QUOTE_SCAN_CHUNK: usize = 1 << 20;

/// The line on which the quoted field opens that is still open at the end of `path`, if
/// one is (its rows would swallow everything appended). A `"` opens a field only at the
/// start of one, after `delimiter`, a line break or the start of the file (past a UTF-8
/// BOM); inside, `""` is a quote and a lone `"` closes it, as the CSV reader has it. The
/// scan jumps from quote to quote, so a file without quotes costs one pass of `memchr`.
fn open_quote_line(path: &Path, delimiter: u8) -> io::Result<Option<u64>> {
    open_quote_line_by(path, delimiter, QUOTE_SCAN_CHUNK)
}

/// [`open_quote_line`], reading `chunk_len` bytes at a time.
fn open_quote_line_by(path: &Path, delimiter: u8, chunk_len: usize) -> io::Result<Option<u64>> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; chunk_len.max(1)];
    // The file's byte offset of the chunk; the byte before it (a line break at the start);
    // whether the last chunk ended on a quote inside a quoted field (a closing quote,
    // unless the next byte is another `"`).
    let mut offset = bom_len(&mut file)?;
    let mut before = b'\n';
    let mut quote_at_end = false;
    let mut open_at: Option<u64> = None;
    let starts_field = |b: u8| b == delimiter || b == b'\n' || b == b'\r';
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        let mut i = 0;
        if std::mem::take(&mut quote_at_end) {
            if chunk[0] == b'"' {
                i = 1;
            } else {
                open_at = None;
            }
        }
        while let Some(j) = memchr::memchr(b'"', &chunk[i..]) {
            let k = i + j;
            i = k + 1;
            if open_at.is_some() {
                match chunk.get(k + 1) {
                    Some(b'"') => i = k + 2,
                    Some(_) => open_at = None,
                    None => quote_at_end = true,
                }
            } else if starts_field(if k == 0 { before } else { chunk[k - 1] }) {
                open_at = Some(offset + k as u64);
            }
        }
        before = chunk[n - 1];
        offset += n as u64;
    }
    if quote_at_end {
        // The file ends with the closing quote.
        open_at = None;
    }
    let Some(at) = open_at else {
        return Ok(None);
    };
    // Only on failure: count the lines before the opening quote.
    file.seek(SeekFrom::Start(0))?;
    let mut lines = 1u64;
    let mut left = at;
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let n = file.read(&mut buf[..want])?;
        if n == 0 {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        left -= n as u64;
    }
    Ok(Some(lines))
}

/// Skips a UTF-8 byte-order mark at the start of `file`; its length (0 or 3).
fn bom_len(file: &mut File) -> io::Result<u64> {
    let mut head = [0u8; 3];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    let len = if head[..got] == *b"\xEF\xBB\xBF" {
        3
    } else {
        0
    };
    file.seek(SeekFrom::Start(len))?;
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line [`open_quote_line`] reports for `bytes` as a file, read in chunks of
    /// every size from 1 to 8 bytes too (a quote at the edge of a chunk).
    fn open_line(bytes: &[u8]) -> Option<u64> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.csv");
        std::fs::write(&path, bytes).unwrap();
        let whole = open_quote_line(&path, b',').unwrap();
        for chunk_len in 1..=8 {
            assert_eq!(
                open_quote_line_by(&path, b',', chunk_len).unwrap(),
                whole,
                "{bytes:?} read {chunk_len} bytes at a time"
            );
        }
        whole
    }

    #[test]
    fn an_open_quote_at_the_end_is_found_on_its_line() {
        assert_eq!(open_line(b"id,a\nR1,\"x\ny,z\n"), Some(2));
        assert_eq!(open_line(b"id,a\nR1,\"x\"\"\n"), Some(2));
        assert_eq!(open_line(b"\xEF\xBB\xBF\"id,a\n"), Some(1));
        assert_eq!(open_line(b"id,a\nR1,x\n\"R2,y\n"), Some(3));
    }

    #[test]
    fn closed_and_literal_quotes_are_not_open() {
        assert_eq!(open_line(b"id,a\nR1,\"x\ny\"\n"), None);
        assert_eq!(open_line(b"id,a\nR1,\"say \"\"hi\"\"\"\n"), None);
        assert_eq!(open_line(b"id,a\nR1,5\"\n"), None);
        assert_eq!(open_line(b"\xEF\xBB\xBF\"id\",a\nR1,\"\""), None);
        assert_eq!(open_line(b"id,a\nR1,\"x\""), None);
        assert_eq!(open_line(b""), None);
    }
}
