//! A CSV file's records read on a second thread, so that parsing (decoding, line endings,
//! csv) runs on one core while the import converts, looks up and writes on the other.
//!
//! The reading thread also does the per-row work ([`Work`]) once it is given it, but only
//! for the batches it reads while the import is behind (full batches are waiting): so the
//! two threads share the work whichever of them has more of the rest to do, and the
//! import does the work of the rows that come unprepared.
//!
//! Records travel in batches through a bounded channel and come back empty to be refilled,
//! so memory stays at a few batches whatever the file's size; a record is handed out by
//! swapping it with the caller's, which copies nothing.

// `Problem` is the crate-wide input error (see sources::text); it is only built on failure.
#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use csv::StringRecord;

use super::rows::{Prepared, Work};
use crate::problem::Problem;
use crate::sources::text::{csv_problem, open_csv, TextFormat, TextOptions};

/// Records per batch: large enough that the channel costs nothing per record.
const BATCH: usize = 128;
/// Full batches in flight; with the one being filled and the one being read, the most
/// records ever held is `(IN_FLIGHT + 2) * BATCH`.
const IN_FLIGHT: usize = 4;

/// What opening gives: what was detected, and the header (or why it cannot be read).
type Opened = (TextFormat, Result<StringRecord, Problem>);

/// What the reading thread sends.
enum Message {
    /// Records, in file order, each prepared if the work was there.
    Batch(Vec<(StringRecord, Prepared)>),
    /// A record that cannot be read; nothing follows.
    Failed(Problem),
    /// The end of the file; nothing follows.
    End,
}

/// The records after the header, read ahead on a second thread.
pub struct Prefetch {
    full: Receiver<Message>,
    empty: SyncSender<Vec<(StringRecord, Prepared)>>,
    work: SyncSender<Work>,
    /// Full batches sent and not yet received.
    queued: Arc<AtomicUsize>,
    batch: Vec<(StringRecord, Prepared)>,
    next: usize,
    done: bool,
    thread: Option<JoinHandle<()>>,
}

impl Prefetch {
    /// Opens `path` as [`open_csv`] does, on the reading thread; returns what was detected
    /// and the header, or the problem opening it. After a problem with the header there
    /// are no records. With `work`, each record is prepared by it from the start.
    pub fn open(
        path: &Path,
        options: &TextOptions,
        work: Option<Work>,
    ) -> Result<(Prefetch, Opened), Problem> {
        let (opened_tx, opened_rx) = sync_channel::<Result<Opened, Problem>>(1);
        let (full_tx, full) = sync_channel::<Message>(IN_FLIGHT);
        // One more slot than batches can exist, so returning one never waits.
        let (empty, empty_rx) = sync_channel::<Vec<(StringRecord, Prepared)>>(IN_FLIGHT + 3);
        let (work_tx, work_rx) = sync_channel::<Work>(1);
        let mut work = work;
        let queued = Arc::new(AtomicUsize::new(0));
        let queued_here = Arc::clone(&queued);
        let owned: PathBuf = path.to_path_buf();
        let options = options.clone();
        let thread = std::thread::Builder::new()
            .name("csv-reader".into())
            .spawn(move || {
                let (mut reader, format) = match open_csv(&owned, &options) {
                    Ok(r) => r,
                    Err(p) => {
                        let _ = opened_tx.send(Err(p));
                        return;
                    }
                };
                let header = reader
                    .headers()
                    .cloned()
                    .map_err(|e| csv_problem(&owned, &e));
                let failed = header.is_err();
                if opened_tx.send(Ok((format, header))).is_err() || failed {
                    return;
                }
                loop {
                    if let Ok(w) = work_rx.try_recv() {
                        work = Some(w);
                    }
                    let mut batch = empty_rx.try_recv().unwrap_or_default();
                    batch.resize_with(BATCH, Default::default);
                    // Two batches waiting (not only the one just sent): the import is the
                    // slower one, so this thread takes on the work.
                    let work = work
                        .as_ref()
                        .filter(|_| queued_here.load(Ordering::Relaxed) >= 2);
                    let mut n = 0;
                    let mut last = None;
                    while n < BATCH {
                        let (record, prepared) = &mut batch[n];
                        match reader.read_record(record) {
                            Ok(true) => {
                                prepared.ready = false;
                                prepared.width = None;
                                if let Some(work) = work {
                                    work(record, prepared);
                                }
                                n += 1;
                            }
                            Ok(false) => {
                                last = Some(Message::End);
                                break;
                            }
                            // A row with too many or too few fields is one bad row,
                            // rejectable like any other (the reader goes on after it).
                            Err(e) => match e.kind() {
                                csv::ErrorKind::UnequalLengths {
                                    expected_len, len, ..
                                } => {
                                    prepared.ready = true;
                                    prepared.width = Some((*expected_len, *len));
                                    n += 1;
                                }
                                _ => {
                                    last = Some(Message::Failed(csv_problem(&owned, &e)));
                                    break;
                                }
                            },
                        }
                    }
                    batch.truncate(n);
                    // A closed channel means the import stopped reading: stop too.
                    if n > 0 {
                        queued_here.fetch_add(1, Ordering::Relaxed);
                        if full_tx.send(Message::Batch(batch)).is_err() {
                            return;
                        }
                    }
                    if let Some(last) = last {
                        let _ = full_tx.send(last);
                        return;
                    }
                }
            })
            .map_err(|e| Problem::new(format!("cannot start a reading thread: {e}")).file(path))?;
        let opened = opened_rx.recv().unwrap_or_else(|_| {
            Err(Problem::new("the reading thread stopped unexpectedly").file(path))
        });
        let mut prefetch = Prefetch {
            full,
            empty,
            work: work_tx,
            queued,
            batch: Vec::new(),
            next: 0,
            done: false,
            thread: Some(thread),
        };
        match opened {
            Ok((format, Ok(header))) => Ok((prefetch, (format, Ok(header)))),
            Ok((format, Err(p))) => {
                prefetch.finish();
                Ok((prefetch, (format, Err(p))))
            }
            Err(p) => {
                prefetch.finish();
                Err(p)
            }
        }
    }

    /// Has the reading thread prepare the records it reads from now on with `work`.
    pub fn set_work(&self, work: Work) {
        // Refused only when the thread has finished: then there is nothing left to prepare.
        let _ = self.work.try_send(work);
    }

    /// Swaps the next record into `record` and what was prepared of it into `prepared`
    /// (not ready if the work came after it was read); `Ok(false)` at the end, `Err` for a
    /// record that cannot be read (then the end).
    pub fn read_into(
        &mut self,
        record: &mut StringRecord,
        prepared: &mut Prepared,
    ) -> Result<bool, Problem> {
        loop {
            if let Some((next, ready)) = self.batch.get_mut(self.next) {
                std::mem::swap(next, record);
                std::mem::swap(ready, prepared);
                self.next += 1;
                return Ok(true);
            }
            if self.done {
                return Ok(false);
            }
            let used = std::mem::take(&mut self.batch);
            let _ = self.empty.try_send(used);
            self.next = 0;
            match self.full.recv() {
                Ok(Message::Batch(batch)) => {
                    self.queued.fetch_sub(1, Ordering::Relaxed);
                    self.batch = batch;
                }
                Ok(Message::End) => self.finish(),
                Ok(Message::Failed(p)) => {
                    self.finish();
                    return Err(p);
                }
                Err(_) => {
                    self.finish();
                    return Err(Problem::new("the reading thread stopped unexpectedly"));
                }
            }
        }
    }

    /// Marks the end and waits for the reading thread, which then has closed the file
    /// (before the import renames over it).
    fn finish(&mut self) {
        self.done = true;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        // The thread may be waiting to send: let it see the closed channel, then wait for
        // it, so that it never outlives the file it reads.
        let (_, closed) = sync_channel(0);
        drop(std::mem::replace(&mut self.full, closed));
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn every_record_in_order_with_its_line() {
        // Several batches' worth, CRLF endings, a quoted line break in one record.
        let mut text = String::from("id,x\r\n");
        for i in 0..(BATCH * 3 + 7) {
            text.push_str(&format!("R{i},{i}\r\n"));
        }
        text.push_str("last,\"a\r\nb\"\r\n");
        let f = file(&text);
        let (mut p, (format, header)) =
            Prefetch::open(f.path(), &TextOptions::default(), None).unwrap();
        assert_eq!(header.unwrap().iter().collect::<Vec<_>>(), ["id", "x"]);
        assert_eq!(format.delimiter, b',');
        let mut record = StringRecord::new();
        let mut prepared = Prepared::default();
        let mut n = 0;
        while p.read_into(&mut record, &mut prepared).unwrap() {
            if n < BATCH * 3 + 7 {
                assert_eq!(record.get(0), Some(format!("R{n}").as_str()));
                // Line 1 is the header.
                assert_eq!(record.position().map(|p| p.line()), Some(n as u64 + 2));
            } else {
                assert_eq!(record.get(1), Some("a\r\nb"));
            }
            n += 1;
        }
        assert_eq!(n, BATCH * 3 + 8);
        assert!(!p.read_into(&mut record, &mut prepared).unwrap());
    }

    #[test]
    fn work_given_late_prepares_only_records_read_after_it() {
        let mut text = String::from("id\n");
        for i in 0..BATCH * 8 {
            text.push_str(&format!("R{i}\n"));
        }
        let f = file(&text);
        let (mut p, _) = Prefetch::open(f.path(), &TextOptions::default(), None).unwrap();
        let mut record = StringRecord::new();
        let mut prepared = Prepared::default();
        assert!(p.read_into(&mut record, &mut prepared).unwrap());
        assert!(!prepared.ready);
        p.set_work(Box::new(|r: &StringRecord, p: &mut Prepared| {
            p.print = r.get(0).map_or(0, |id| id.len() as u64);
            p.ready = true;
        }));
        let mut n = 1;
        while p.read_into(&mut record, &mut prepared).unwrap() {
            // Prepared (or not: the caller's to do) record by record, never mixed up.
            if prepared.ready {
                assert_eq!(prepared.print, record.get(0).unwrap().len() as u64);
            }
            assert_eq!(record.get(0), Some(format!("R{n}").as_str()));
            n += 1;
        }
        assert_eq!(n, BATCH * 8);
    }

    #[test]
    fn a_short_record_is_flagged_with_its_line_and_reading_goes_on() {
        let mut text = String::from("id,x\n");
        for i in 0..BATCH + 3 {
            text.push_str(&format!("R{i},{i}\n"));
        }
        text.push_str("short\nR,1\n");
        let f = file(&text);
        let (mut p, _) = Prefetch::open(f.path(), &TextOptions::default(), None).unwrap();
        let mut record = StringRecord::new();
        let mut prepared = Prepared::default();
        let mut rows = Vec::new();
        while p.read_into(&mut record, &mut prepared).unwrap() {
            let line = record.position().map_or(0, |q| q.line());
            rows.push((
                record.get(0).unwrap_or_default().to_string(),
                line,
                prepared.width,
            ));
        }
        assert_eq!(rows.len(), BATCH + 5);
        // Header on line 1, BATCH + 3 good rows, then `short` (1 field of 2), then `R,1`.
        let short = &rows[BATCH + 3];
        assert_eq!(
            short,
            &("short".to_string(), BATCH as u64 + 5, Some((2, 1)))
        );
        assert_eq!(rows[BATCH + 4], ("R".to_string(), BATCH as u64 + 6, None));
        assert!(rows[..BATCH + 3].iter().all(|r| r.2.is_none()));
    }

    #[test]
    fn problems_opening_come_back_and_stopping_early_is_clean() {
        let missing = Path::new("/nonexistent/servqual/none.csv");
        assert!(Prefetch::open(missing, &TextOptions::default(), None).is_err());
        let mut text = String::from("id\n");
        for i in 0..BATCH * 10 {
            text.push_str(&format!("R{i}\n"));
        }
        let f = file(&text);
        let (mut p, _) = Prefetch::open(f.path(), &TextOptions::default(), None).unwrap();
        let mut record = StringRecord::new();
        let mut prepared = Prepared::default();
        assert!(p.read_into(&mut record, &mut prepared).unwrap());
        // Dropped with the thread blocked on a full channel: it must not hang.
        drop(p);
    }
}
