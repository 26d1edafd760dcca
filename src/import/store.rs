//! The data file side of an import: the lock, the ids already there, and the atomic append.
//!
//! The new file is the old file's bytes, copied unchanged, followed by the new rows in
//! the old file's encoding, delimiter and line ending; it is built in a temporary file in
//! the same folder and renamed over the old one only when everything succeeded, so a
//! failed or killed import leaves the data file exactly as it was.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use encoding_rs::{Encoding, UTF_8};
use tempfile::NamedTempFile;

use super::chunked::{self, Reached};
use super::export::CsvLayout;
use super::index::IdIndex;
use super::prefetch::Prefetch;
use super::rows::{Converter, Prepared};

use crate::problem::Problem;
use crate::sources::chunked::Tuning;
use crate::sources::text::{csv_problem, open_csv, TextOptions};

/// Test-only: when this environment variable is set, an import stops (as if killed) right
/// after writing its temporary file and before the rename, to prove the data file is untouched.
pub const ABORT_BEFORE_RENAME: &str = "SERVQUAL_TEST_ABORT_BEFORE_RENAME";

/// `<data>.<suffix>` beside the data file.
pub fn beside(data: &Path, suffix: &str) -> PathBuf {
    let mut name = data.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    data.with_file_name(name)
}

/// Where the rows an import of `data` did not take are written.
pub fn rejects_path(data: &Path) -> PathBuf {
    beside(data, ".rejects.csv")
}

/// The start of the name of a temporary file for `data`: `.<data name>.<what>-`.
fn temp_prefix(data: &Path, what: &str) -> String {
    format!(
        ".{}.{what}-",
        data.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// A temporary file beside `data` (named by [`temp_prefix`]`(data, what)`) that will be
/// renamed to `becomes`, with the permissions `becomes` has, or an ordinary new file's.
fn temp_file(data: &Path, what: &str, becomes: &Path) -> io::Result<NamedTempFile> {
    let dir = match data.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let prefix = temp_prefix(data, what);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    if let Some(permissions) = crate::output::final_permissions(becomes) {
        builder.permissions(permissions);
    }
    builder.tempfile_in(&dir)
}

/// Removes temporary files a killed import of `data` left behind; call with the lock held,
/// since then no other import of `data` can be writing one. Returns how many were removed.
pub fn remove_leftovers(data: &Path) -> usize {
    let dir = match data.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let prefixes = [temp_prefix(data, "import"), temp_prefix(data, "rejects")];
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(".tmp") && prefixes.iter().any(|p| name.starts_with(p.as_str()))
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// An exclusive lock on a data file, held through `<data>.lock` and released on drop.
///
/// On Unix it is an advisory `flock`, which the kernel drops when the process dies, so a
/// killed import never leaves the data file locked. Elsewhere the lock file itself is the
/// lock (created exclusively); one left by a killed import must be deleted by hand.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    #[cfg(unix)]
    _file: File,
}

impl Lock {
    /// Takes the lock, or says who holds it.
    pub fn acquire(data: &Path) -> Result<Lock, Problem> {
        let path = beside(data, ".lock");
        let io_problem =
            |e: io::Error| Problem::new(format!("cannot create the lock file: {e}")).file(&path);
        let held = |holder: String| {
            Problem::new("another import is writing this data file")
                .file(&path)
                .found(format!("a lock held by process {}", holder.trim()))
                .expected("that import to finish, then run this one again")
        };
        #[cfg(unix)]
        {
            use rustix::fs::{flock, FlockOperation};
            use std::os::unix::fs::MetadataExt;
            // A holder may delete the file between our open and our flock; then we hold a
            // lock on a file nobody else sees, so check it is still the file at `path`.
            for _ in 0..8 {
                let mut file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&path)
                    .map_err(io_problem)?;
                match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                    Ok(()) => {}
                    Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                        let mut holder = String::new();
                        let _ = file.read_to_string(&mut holder);
                        return Err(held(holder));
                    }
                    Err(e) => return Err(io_problem(e.into())),
                }
                let same = match (file.metadata(), std::fs::metadata(&path)) {
                    (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
                    _ => false,
                };
                if same {
                    // The pid tells the user which process to look for.
                    let _ = file.set_len(0);
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(Lock { path, _file: file });
                }
            }
            Err(held(String::from("(changing hands)")))
        }
        #[cfg(not(unix))]
        {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let _ = writeln!(file, "{}", std::process::id());
                    Ok(Lock { path })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    Err(held(holder).expected(
                        "that import to finish; if no import is running (it was killed), delete the lock file",
                    ))
                }
                Err(e) => Err(io_problem(e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held (the file closes after this), so nobody can lock the
        // old file after we let go; see the inode check in `acquire`.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A row's answers reduced to a fixed-size digest, to tell a duplicate from a conflict
/// without keeping the rows in memory. 64 bits: two different answer sets under one id
/// pass for a duplicate with odds of 1 in 2^64, and the digest never leaves the process.
pub type Fingerprint = u64;

/// The separator written after each cell in [`digest`]'s input.
pub const CELL_END: u8 = 0x1f;

/// The digest of canonical cells each followed by [`CELL_END`] (so `ab`+`c` and `a`+`bc`
/// differ): foldhash's quality hash with a fixed seed, the same in every run of one
/// build. Every row is digested, and SipHash (no guard is needed for a digest that stays
/// in the process) took three times as long.
pub fn digest(joined: &[u8]) -> Fingerprint {
    use std::hash::BuildHasher;
    const SEED: u64 = 0x5e71_ce9a_a0d1_7e57;
    foldhash::quality::FixedState::with_seed(SEED).hash_one(joined)
}

/// Where an id was first seen, and its answers' digest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seen {
    /// Line in the data file or in the export.
    pub line: u64,
    /// Digest of the compared answers.
    pub print: Fingerprint,
    /// Whether the line is in the data file (else in the export).
    pub in_file: bool,
}

/// What an import needs to know about the data file that is already there.
#[derive(Debug)]
pub struct Existing {
    /// Its header.
    pub header: Vec<String>,
    /// Id -> where it is and the digest of its answers (see [`IdIndex`]).
    pub rows: IdIndex,
    encoding: &'static Encoding,
    delimiter: u8,
    crlf: bool,
    ends_with_newline: bool,
}

/// Whether `path` is a data file with something in it (an empty file is like none: the
/// import writes the header).
pub fn has_content(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > 0)
}

/// Reads the header of `path`, if the file has one.
pub fn read_header(path: &Path, options: &TextOptions) -> Result<Option<Vec<String>>, Problem> {
    if !has_content(path) {
        return Ok(None);
    }
    let (mut reader, _) = open_csv(path, options)?;
    let header = reader.headers().map_err(|e| csv_problem(path, &e))?;
    Ok(Some(header.iter().map(|h| h.trim().to_string()).collect()))
}

/// Indexes the rows of `path`: the trimmed id of each, with the digest of its answers as
/// [`Converter::data_row`] makes it.
/// A large UTF-8 file is read on `tuning.threads` threads ([`super::chunked`]).
pub fn index(
    path: &Path,
    options: &TextOptions,
    id_column: usize,
    converter: &Converter,
    tuning: Tuning,
) -> Result<Existing, Problem> {
    // Parsed and digested on a second thread while this one indexes.
    let (mut records, (format, header)) =
        Prefetch::open(path, options, Some(converter.data_work()))?;
    if format.encoding.output_encoding() != format.encoding {
        return Err(Problem::new(format!(
            "cannot append to a file in {}",
            format.encoding.name()
        ))
        .file(path)
        .expected("a data file in UTF-8, GBK/GB18030 or another single- or multi-byte encoding (save it as UTF-8)"));
    }
    let header: Vec<String> = header?.iter().map(|h| h.trim().to_string()).collect();
    let mut rows = IdIndex::default();
    // One record and its digest for the whole file: nothing per row.
    let mut record = csv::StringRecord::new();
    let mut prepared = Prepared::default();
    let file_len = std::fs::metadata(path).map_or(0, |m| m.len());
    let layout = CsvLayout {
        format: format.clone(),
        first_row: header.clone(),
        header_rows: 1,
    };
    let reached = chunked::index(path, &layout, id_column, converter, &mut rows, tuning);
    let mut counted = match reached {
        Reached::End => 0,
        Reached::Row(0) => 0,
        Reached::Row(done) => {
            // The rest row by row, after the rows done: the file is read again.
            (records, _) = Prefetch::open(path, options, Some(converter.data_work()))?;
            for _ in 0..done {
                if !records.read_into(&mut record, &mut prepared)? {
                    break;
                }
            }
            done
        }
    };
    while reached != Reached::End && records.read_into(&mut record, &mut prepared)? {
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
        // A row of the wrong width comes unprepared (ready only to say so): digest it here.
        if !prepared.ready || prepared.width.is_some() {
            converter.data_row(&record, &mut prepared);
        }
        rows.insert(
            id,
            Seen {
                line,
                print: prepared.print,
                in_file: true,
            },
        );
    }
    let (crlf, ends_with_newline) = line_endings(path)?;
    Ok(Existing {
        header,
        rows,
        encoding: format.encoding,
        delimiter: format.delimiter,
        crlf,
        ends_with_newline,
    })
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

/// Appends [`field`]`(value, delimiter)` to `out`.
fn push_field(out: &mut String, value: &str, delimiter: u8) {
    let needs = value
        .bytes()
        .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r')
        || value.starts_with(' ')
        || value.ends_with(' ');
    if needs {
        out.push('"');
        for (i, part) in value.split('"').enumerate() {
            if i > 0 {
                out.push_str("\"\"");
            }
            out.push_str(part);
        }
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// How the data file's rows are written: its delimiter and line break.
#[derive(Debug, Clone, Copy)]
pub struct RowFormat {
    delimiter: u8,
    newline: &'static str,
}

impl Default for RowFormat {
    /// A new data file's: commas and `\n`.
    fn default() -> Self {
        RowFormat {
            delimiter: b',',
            newline: "\n",
        }
    }
}

impl RowFormat {
    /// Appends `cells` as one line (fields quoted when they must be, the line break last).
    pub fn push_row(&self, line: &mut String, cells: &[String]) {
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                self.push_delimiter(line);
            }
            self.push_field(line, c);
        }
        self.end_row(line);
    }

    /// Appends one field, quoted when it must be.
    pub fn push_field(&self, line: &mut String, value: &str) {
        push_field(line, value, self.delimiter);
    }

    /// Appends the delimiter between two fields.
    pub fn push_delimiter(&self, line: &mut String) {
        line.push(char::from(self.delimiter));
    }

    /// Ends the line.
    pub fn end_row(&self, line: &mut String) {
        line.push_str(self.newline);
    }
}

/// Buffer of the temporary file's writer (the old file's bytes go through it too).
const WRITE_BUFFER_LEN: usize = 256 * 1024;

/// Bytes written between two background syncs of a new data file.
const SYNC_EVERY: u64 = 8 << 20;

/// Syncs a file being written, on a thread of its own, whenever it is woken: the disk
/// writes go on while rows are converted, and the final sync waits only for the last few
/// megabytes. (At the end of a 1M-row import, 115 MB, the sync took 0.06 s of 0.6 s on a
/// fast virtual disk; on a slow disk it is most of the wait.)
struct BackgroundSync {
    wake: mpsc::SyncSender<()>,
    thread: std::thread::JoinHandle<io::Result<()>>,
    /// Bytes written since the last wake.
    unsynced: u64,
    /// Wake after this many bytes.
    every: u64,
}

impl BackgroundSync {
    /// Starts the thread for `file`.
    fn start(file: &File, every: u64) -> io::Result<BackgroundSync> {
        let file = file.try_clone()?;
        // One pending wake is enough: a sync under way covers everything written before it.
        let (wake, woken) = mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("sync".into())
            .spawn(move || {
                for () in woken {
                    file.sync_data()?;
                }
                Ok(())
            })?;
        Ok(BackgroundSync {
            wake,
            thread,
            unsynced: 0,
            every,
        })
    }

    /// Notes `n` bytes written; wakes the thread every [`BackgroundSync::every`] bytes.
    /// (Bytes still in the writer's buffer wait for the next sync or the final one.)
    fn wrote(&mut self, n: usize) {
        self.unsynced += n as u64;
        if self.unsynced >= self.every {
            self.unsynced = 0;
            // Full: a sync is pending and will cover these bytes too.
            let _ = self.wake.try_send(());
        }
    }

    /// Stops the thread after its last sync; its error, if any.
    fn finish(self) -> io::Result<()> {
        drop(self.wake);
        self.thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the sync thread failed")))
    }
}

/// A temporary copy of the data file with rows appended; [`Appender::commit`] renames it into place.
pub struct Appender {
    tmp: BufWriter<NamedTempFile>,
    /// `None` if the thread could not be started: then the final sync does all the work.
    sync: Option<BackgroundSync>,
    encoding: &'static Encoding,
    delimiter: u8,
    newline: &'static str,
    /// The line being written, reused from row to row.
    line: String,
}

impl Appender {
    /// Starts the new file: the old file's bytes, or `header` if there is no old file.
    pub fn start(
        data: &Path,
        existing: Option<&Existing>,
        header: &[String],
    ) -> Result<Appender, Problem> {
        Appender::start_syncing_every(data, existing, header, SYNC_EVERY)
    }

    /// [`Appender::start`], waking the background sync every `sync_every` bytes.
    fn start_syncing_every(
        data: &Path,
        existing: Option<&Existing>,
        header: &[String],
        sync_every: u64,
    ) -> Result<Appender, Problem> {
        let problem = |e: io::Error| Problem::new(format!("cannot write: {e}")).file(data);
        let tmp = temp_file(data, "import", data).map_err(problem)?;
        let sync = BackgroundSync::start(tmp.as_file(), sync_every).ok();
        let mut appender = Appender {
            sync,
            tmp: BufWriter::with_capacity(WRITE_BUFFER_LEN, tmp),
            encoding: existing.map_or(UTF_8, |e| e.encoding),
            delimiter: existing.map_or(b',', |e| e.delimiter),
            newline: if existing.is_some_and(|e| e.crlf) {
                "\r\n"
            } else {
                "\n"
            },
            line: String::new(),
        };
        match existing {
            Some(e) => {
                let mut old = File::open(data).map_err(problem)?;
                // File to file, past the (still empty) buffer: the kernel copies the bytes
                // (copy_file_range) where it can.
                let copied =
                    io::copy(&mut old, appender.tmp.get_mut().as_file_mut()).map_err(problem)?;
                appender.wrote(usize::try_from(copied).unwrap_or(usize::MAX));
                if !e.ends_with_newline {
                    appender
                        .tmp
                        .write_all(appender.newline.as_bytes())
                        .map_err(problem)?;
                }
            }
            None => {
                appender
                    .write_row(header)
                    .map_err(|m| Problem::new(m).file(data))?;
            }
        }
        Ok(appender)
    }

    /// Appends one row of `cells`; `Err` if a cell cannot be written in the file's encoding.
    pub fn write_row(&mut self, cells: &[String]) -> Result<(), String> {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        self.row_format().push_row(&mut line, cells);
        let written = self.write_line(&line);
        self.line = line;
        written
    }

    /// Appends a line made in [`Appender::row_format`]; `Err` if it cannot be written in
    /// the file's encoding.
    pub fn write_line(&mut self, line: &str) -> Result<(), String> {
        // UTF-8 comes back borrowed: no copy for the usual data file.
        let (bytes, _, unmappable) = self.encoding.encode(line);
        if unmappable {
            return Err(format!(
                "the row has characters that cannot be written in the data file's encoding ({})",
                self.encoding.name()
            ));
        }
        self.wrote(bytes.len());
        self.tmp
            .write_all(&bytes)
            .map_err(|e| format!("cannot write the temporary file: {e}"))
    }

    /// Tells the background sync that `n` more bytes were written.
    fn wrote(&mut self, n: usize) {
        if let Some(sync) = &mut self.sync {
            sync.wrote(n);
        }
    }

    /// How the file's rows are written.
    pub fn row_format(&self) -> RowFormat {
        RowFormat {
            delimiter: self.delimiter,
            newline: self.newline,
        }
    }

    /// Whether the file is UTF-8, so that lines can go to [`Appender::write_utf8_lines`].
    pub fn is_utf8(&self) -> bool {
        self.encoding == UTF_8
    }

    /// Appends lines made in [`Appender::row_format`] to a UTF-8 file ([`Appender::is_utf8`]).
    pub fn write_utf8_lines(&mut self, lines: &[u8]) -> io::Result<()> {
        self.wrote(lines.len());
        self.tmp.write_all(lines)
    }

    /// Flushes, syncs and renames the new file over `data`.
    pub fn commit(self, data: &Path) -> Result<(), Problem> {
        let problem = |e: io::Error| Problem::new(format!("cannot write: {e}")).file(data);
        let tmp = self.tmp.into_inner().map_err(|e| problem(e.into_error()))?;
        if let Some(sync) = self.sync {
            sync.finish().map_err(problem)?;
        }
        tmp.as_file().sync_all().map_err(problem)?;
        if std::env::var_os(ABORT_BEFORE_RENAME).is_some() {
            // Test-only (see ABORT_BEFORE_RENAME): stop the way a killed process does, with
            // no destructors run, leaving the temporary file and the lock file behind
            // (`exit`, not `abort`, so that no core file is dumped). 137 = killed by SIGKILL.
            let _ = tmp.keep();
            std::process::exit(137);
        }
        tmp.persist(data).map_err(|e| problem(e.error))?;
        Ok(())
    }
}

/// The rejects CSV: the export's rows that were not imported, with the reason.
pub struct Rejects {
    tmp: BufWriter<NamedTempFile>,
}

impl Rejects {
    /// Starts the rejects file beside `data` with the export's `columns` after line, id and reason.
    pub fn start(data: &Path, columns: &[String]) -> Result<Rejects, Problem> {
        let path = rejects_path(data);
        let problem = |e: io::Error| Problem::new(format!("cannot write: {e}")).file(&path);
        let tmp = temp_file(data, "rejects", &path).map_err(problem)?;
        let mut rejects = Rejects {
            tmp: BufWriter::new(tmp),
        };
        let mut header = vec![
            "export_line".to_string(),
            "export_id".into(),
            "reason".into(),
        ];
        header.extend(columns.iter().cloned());
        rejects.write(&header).map_err(problem)?;
        Ok(rejects)
    }

    /// Adds a row.
    pub fn write(&mut self, cells: &[String]) -> io::Result<()> {
        let mut line = String::new();
        RowFormat::default().push_row(&mut line, cells);
        self.tmp.write_all(line.as_bytes())
    }

    /// Renames the rejects file into place.
    pub fn commit(self, path: &Path) -> Result<(), Problem> {
        let problem = |e: io::Error| Problem::new(format!("cannot write: {e}")).file(path);
        let tmp = self.tmp.into_inner().map_err(|e| problem(e.into_error()))?;
        tmp.as_file().sync_all().map_err(problem)?;
        tmp.persist(path).map_err(|e| problem(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One CSV field, quoted when it must be.
    fn field(value: &str, delimiter: u8) -> String {
        let mut out = String::new();
        push_field(&mut out, value, delimiter);
        out
    }

    /// The digest of a row's canonical cells, as the converter makes it.
    fn fingerprint(cells: &[&str]) -> Fingerprint {
        let mut joined = String::new();
        for c in cells {
            joined.push_str(c);
            joined.push(char::from(CELL_END));
        }
        digest(joined.as_bytes())
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("7", b','), "7");
        assert_eq!(field("a,b", b','), "\"a,b\"");
        assert_eq!(field("a,b", b';'), "a,b");
        assert_eq!(field("say \"hi\"", b','), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn fingerprints_separate_cells() {
        // "ab"+"c" and "a"+"bc" must differ: the separator keeps the cells apart.
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(fingerprint(&["7", ""]), fingerprint(&["7", ""]));
    }

    #[test]
    fn a_new_file_synced_in_the_background_keeps_every_line() {
        // A sync after every few bytes: the thread is woken again and again while lines
        // are written, and the committed file has every line, in order.
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d.csv");
        let header = ["id".to_string(), "E_T1".to_string()];
        let mut appender = Appender::start_syncing_every(&data, None, &header, 10).unwrap();
        assert!(appender.sync.is_some(), "the sync thread runs");
        let mut expected = String::from("id,E_T1\n");
        for i in 0..2000 {
            let line = format!("R{i},{}\n", i % 7 + 1);
            if i % 2 == 0 {
                appender.write_line(&line).unwrap();
            } else {
                appender.write_utf8_lines(line.as_bytes()).unwrap();
            }
            expected.push_str(&line);
        }
        appender.commit(&data).unwrap();
        assert_eq!(std::fs::read_to_string(&data).unwrap(), expected);
    }

    #[test]
    fn lock_is_exclusive_and_released() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d.csv");
        let lock = Lock::acquire(&data).unwrap();
        assert!(Lock::acquire(&data).is_err());
        drop(lock);
        assert!(Lock::acquire(&data).is_ok());
    }
}
