//! The new data file: the old file's bytes, copied unchanged, followed by the new rows in
//! the old file's encoding, delimiter and line ending. It is built in a temporary file in
//! the same folder, synced in the background as it grows, and renamed over the old one
//! only when everything succeeded, so a failed or killed import leaves the data file
//! exactly as it was.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::mpsc;

use encoding_rs::{Encoding, UTF_8};
use tempfile::NamedTempFile;

use super::datafile::Existing;
use super::rows::RowFormat;
use crate::problem::Problem;

/// Test-only: when this environment variable is set, an import stops (as if killed) right
/// after writing its temporary file and before the rename, to prove the data file is untouched.
pub(crate) const ABORT_BEFORE_RENAME: &str = "SERVQUAL_TEST_ABORT_BEFORE_RENAME";

/// The start of the name of a temporary file for `data`: `.<data name>.<what>-`.
fn temp_prefix(data: &Path, what: &str) -> String {
    format!(
        ".{}.{what}-",
        data.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// A temporary file beside `data` (named by [`temp_prefix`]`(data, what)`) that will be
/// renamed to `becomes`, with the permissions `becomes` has, or an ordinary new file's.
pub(crate) fn temp_file(data: &Path, what: &str, becomes: &Path) -> io::Result<NamedTempFile> {
    let dir = folder_of(data);
    std::fs::create_dir_all(dir)?;
    let prefix = temp_prefix(data, what);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    if let Some(permissions) = crate::output::final_permissions(becomes) {
        builder.permissions(permissions);
    }
    let tmp = builder.tempfile_in(dir)?;
    take_owner(tmp.as_file(), becomes);
    Ok(tmp)
}

/// Gives `tmp` the owner and group of the file at `becomes`, where the system allows it
/// (root may give any; a user only a group of their own); see [`same_owner`].
fn take_owner(tmp: &File, becomes: &Path) {
    #[cfg(unix)]
    {
        use rustix::fs::{fchown, Gid, Uid};
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(becomes) {
            if !same_owner(tmp, becomes) {
                let _ = fchown(
                    tmp,
                    Some(Uid::from_raw(meta.uid())),
                    Some(Gid::from_raw(meta.gid())),
                );
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (tmp, becomes);
    }
}

/// Whether `tmp` has the owner and group of the file at `becomes` (or there is none), so
/// that renaming it there changes neither.
fn same_owner(tmp: &File, becomes: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (tmp.metadata(), std::fs::metadata(becomes)) {
            (Ok(mine), Ok(theirs)) => (mine.uid(), mine.gid()) == (theirs.uid(), theirs.gid()),
            _ => true,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (tmp, becomes);
        true
    }
}

/// The buffered writes of `tmp` flushed, and the file synced to disk, before it is renamed
/// to `path` (named in problems).
pub(crate) fn flush_and_sync(
    tmp: BufWriter<NamedTempFile>,
    path: &Path,
) -> Result<NamedTempFile, Problem> {
    let tmp = tmp
        .into_inner()
        .map_err(|e| write_problem(e.into_error(), path))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| write_problem(e, path))?;
    Ok(tmp)
}

/// Renames `tmp` over `path`, then syncs the folder so that the rename survives a crash.
pub(crate) fn rename(tmp: NamedTempFile, path: &Path) -> Result<(), Problem> {
    tmp.persist(path)
        .map_err(|e| write_problem(e.error, path))?;
    crate::output::sync_dir(folder_of(path))
        .map_err(|e| Problem::new(format!("cannot sync the folder after writing: {e}")).file(path))
}

/// The folder `path` is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A failed write of the file that becomes `path`.
fn write_problem(e: io::Error, path: &Path) -> Problem {
    Problem::new(format!("cannot write: {e}")).file(path)
}

/// Removes temporary files a killed import of `data` left behind; call with the lock held,
/// since then no other import of `data` can be writing one. Returns how many were removed.
pub(crate) fn remove_leftovers(data: &Path) -> usize {
    let dir = folder_of(data);
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
pub(crate) struct Appender {
    tmp: BufWriter<NamedTempFile>,
    /// `None` if the thread could not be started: then the final sync does all the work.
    sync: Option<BackgroundSync>,
    encoding: &'static Encoding,
    format: RowFormat,
    /// The line being written, reused from row to row.
    line: String,
}

impl Appender {
    /// Starts the new file: the old file's bytes, or `header` if there is no old file.
    pub(crate) fn start(
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
        let problem = |e: io::Error| write_problem(e, data);
        let tmp = temp_file(data, "import", data).map_err(problem)?;
        if !same_owner(tmp.as_file(), data) {
            return Err(Problem::new(
                "the data file belongs to another user or group, which a new version would not keep",
            )
            .file(data)
            .expected("the import run by the data file's owner"));
        }
        let sync = BackgroundSync::start(tmp.as_file(), sync_every).ok();
        let mut appender = Appender {
            sync,
            tmp: BufWriter::with_capacity(WRITE_BUFFER_LEN, tmp),
            encoding: existing.map_or(UTF_8, |e| e.encoding),
            format: existing.map_or_else(RowFormat::default, |e| e.format),
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
                    let mut newline = String::new();
                    appender.format.end_row(&mut newline);
                    appender
                        .tmp
                        .write_all(newline.as_bytes())
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
    fn write_row(&mut self, cells: &[String]) -> Result<(), String> {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        self.format.push_row(&mut line, cells);
        let written = self.write_line(&line);
        self.line = line;
        written
    }

    /// Appends a line made in [`Appender::row_format`]; `Err` if it cannot be written in
    /// the file's encoding.
    pub(crate) fn write_line(&mut self, line: &str) -> Result<(), String> {
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
    pub(crate) fn row_format(&self) -> RowFormat {
        self.format
    }

    /// Whether the file is UTF-8, so that lines can go to [`Appender::write_utf8_lines`].
    pub(crate) fn is_utf8(&self) -> bool {
        self.encoding == UTF_8
    }

    /// Appends lines made in [`Appender::row_format`] to a UTF-8 file ([`Appender::is_utf8`]).
    pub(crate) fn write_utf8_lines(&mut self, lines: &[u8]) -> io::Result<()> {
        self.wrote(lines.len());
        self.tmp.write_all(lines)
    }

    /// Flushes, syncs and renames the new file over `data`.
    pub(crate) fn commit(self, data: &Path) -> Result<(), Problem> {
        if let Some(sync) = self.sync {
            sync.finish().map_err(|e| write_problem(e, data))?;
        }
        let tmp = flush_and_sync(self.tmp, data)?;
        if std::env::var_os(ABORT_BEFORE_RENAME).is_some() {
            // Test-only (see ABORT_BEFORE_RENAME): stop the way a killed process does, with
            // no destructors run, leaving the temporary file and the lock file behind
            // (`exit`, not `abort`, so that no core file is dumped). 137 = killed by SIGKILL.
            let _ = tmp.keep();
            std::process::exit(137);
        }
        rename(tmp, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
