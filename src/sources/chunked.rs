//! Reading a large UTF-8 CSV file on every core: byte ranges cut at record boundaries.
//!
//! The file is cut into chunks of about [`Tuning::chunk_len`] bytes; each cut moves
//! forward to just after a line break, so every chunk holds whole lines. Worker threads
//! parse chunks with a [`ChunkParser`] (for surveys: cells into answers into partial sums,
//! nothing shared), and the calling thread takes their outputs *in file order*, so that
//! whatever must be added in order (sums of fractions) is. A thread of its own reads the
//! file once more for its SHA-256, which must see the bytes in order.
//!
//! This is a fast path, not a second reader: whatever it is not sure it reads exactly as
//! the sequential reader (`text::open_csv_reader`) would — invalid UTF-8, a lone `\r`,
//! a row of the wrong length, a cut that fell inside a quoted field, any cell the parser
//! refuses — makes [`run`] stop and answer `None`, and the caller reads the file again
//! sequentially, which reports problems with their exact place and wording.
//!
//! Memory: at most 2 × threads + 1 chunks are in flight, so it does not grow with rows.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

use sha2::{Digest, Sha256};

/// The most threads used, whatever the machine has.
const MAX_THREADS: usize = 8;
/// Chunk size when not tuned: large enough that per-chunk costs vanish, small enough
/// that the chunks in flight stay a few megabytes.
const DEFAULT_CHUNK_LEN: usize = 256 << 10;
/// The most bytes read to find the end of the header record.
const HEAD_LIMIT: u64 = 1 << 20;

/// How to split the reading; the defaults suit any machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// Worker threads; 0 turns the chunked reader off (plain sequential reading).
    pub threads: usize,
    /// Approximate bytes per chunk.
    pub chunk_len: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            threads: std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(MAX_THREADS),
            chunk_len: DEFAULT_CHUNK_LEN,
        }
    }
}

impl Tuning {
    /// The defaults, overridden by `SERVQUAL_THREADS` and `SERVQUAL_CHUNK_BYTES` (for
    /// measuring, and for tests that compare chunked and sequential reading).
    pub fn from_env() -> Self {
        let mut tuning = Tuning::default();
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
        };
        if let Some(threads) = var("SERVQUAL_THREADS") {
            tuning.threads = threads.min(MAX_THREADS);
        }
        if let Some(len) = var("SERVQUAL_CHUNK_BYTES") {
            tuning.chunk_len = len.max(1);
        }
        tuning
    }

    /// Chunks parsed ahead of the one being handed on: enough to keep every worker busy.
    fn window(&self) -> usize {
        2 * self.threads + 1
    }
}

/// One record's fields, as parsed (quotes removed).
pub struct Fields<'a> {
    kind: FieldsKind<'a>,
    /// Fields in the header: a record with another number is refused.
    expected: usize,
}

/// How a record's fields are held.
enum FieldsKind<'a> {
    /// Split by csv-core: field `i` is `data[starts[i]..ends[i]]`.
    Split {
        data: &'a [u8],
        starts: &'a [usize],
        ends: &'a [usize],
    },
    /// A line without quotes, split while it is walked.
    Line { line: &'a [u8], delimiter: u8 },
}

impl<'a> Fields<'a> {
    /// The fields in order. Check [`Fields::expected`] against how many there were.
    #[inline]
    pub fn iter(&self) -> FieldIter<'a> {
        FieldIter {
            kind: match self.kind {
                FieldsKind::Split { data, starts, ends } => {
                    FieldsKind::Split { data, starts, ends }
                }
                FieldsKind::Line { line, delimiter } => FieldsKind::Line { line, delimiter },
            },
            next: 0,
            done: false,
        }
    }

    /// Fields in the header: a record with another number must be refused.
    pub fn expected(&self) -> usize {
        self.expected
    }
}

/// The fields of a record, in order (see [`Fields::iter`]).
pub struct FieldIter<'a> {
    kind: FieldsKind<'a>,
    /// Next field (split records) or next byte (lines).
    next: usize,
    done: bool,
}

impl<'a> Iterator for FieldIter<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        match self.kind {
            FieldsKind::Split { data, starts, ends } => {
                let (&s, &e) = starts.get(self.next).zip(ends.get(self.next))?;
                self.next += 1;
                Some(data.get(s..e).unwrap_or_default())
            }
            FieldsKind::Line { line, delimiter } => {
                if self.done {
                    return None;
                }
                let rest = line.get(self.next..).unwrap_or_default();
                match rest.iter().position(|&b| b == delimiter) {
                    Some(k) => {
                        self.next += k + 1;
                        rest.get(..k)
                    }
                    None => {
                        self.done = true;
                        Some(rest)
                    }
                }
            }
        }
    }
}

/// Turns records into what the consumer needs; one clone per worker thread.
pub trait ChunkParser: Clone + Send {
    /// The parsed rows of one chunk.
    type Out: Send;
    /// An empty output for a new chunk.
    fn start(&mut self) -> Self::Out;
    /// Parses one record found `line` lines after the chunk's first line; `false` if the
    /// record is not one the fast path takes (the caller then reads sequentially).
    /// Must refuse a record with another number of fields than [`Fields::expected`].
    fn record(&mut self, fields: &Fields, line: u64, out: &mut Self::Out) -> bool;
}

/// Where a file's data starts and how its records look: everything [`run`] needs.
#[derive(Debug)]
pub struct Plan {
    path: std::path::PathBuf,
    /// The bytes before the first data record (BOM and header), hashed first.
    head: Vec<u8>,
    /// File length when planned (chunks are cut from it; the last reads to the end).
    len: u64,
    delimiter: u8,
    fields: usize,
    tuning: Tuning,
}

/// What the chunked reading found, when it read the whole file.
#[derive(Debug)]
pub struct Finished {
    /// Records read.
    pub records: u64,
    /// Hex SHA-256 of the whole file.
    pub sha256: String,
}

/// A plan for reading `path` in chunks, or `None` if the file is not one the chunked
/// reader takes: not a regular file, the header not found where `fields` header fields
/// with `delimiter` are, or chunking turned off. `bom` says whether a UTF-8 BOM was seen.
pub fn plan(
    path: &Path,
    delimiter: u8,
    headers: &[String],
    bom: bool,
    tuning: Tuning,
) -> Option<Plan> {
    if tuning.threads == 0 || delimiter == b'"' || delimiter == b'\n' || delimiter == b'\r' {
        return None;
    }
    let mut file = File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut head = Vec::new();
    (&mut file)
        .take(HEAD_LIMIT.min(meta.len()))
        .read_to_end(&mut head)
        .ok()?;
    let skip = if bom {
        head.starts_with(b"\xEF\xBB\xBF").then_some(3)?
    } else {
        0
    };
    let (fields, end) = header_record(head.get(skip..)?, delimiter)?;
    let data_start = skip + end;
    // The header as the sequential reader saw it (trimmed, lossy) must be what we found.
    let same = fields.len() == headers.len()
        && fields
            .iter()
            .zip(headers)
            .all(|(f, h)| String::from_utf8_lossy(f).trim() == h.as_str());
    if !same {
        return None;
    }
    head.truncate(data_start);
    Some(Plan {
        path: path.to_path_buf(),
        head,
        len: meta.len(),
        delimiter,
        fields: headers.len(),
        tuning,
    })
}

/// The fields of the first record of `bytes` and the offset just after its line break;
/// `None` unless the record ends with `\n` or `\r\n`.
fn header_record(bytes: &[u8], delimiter: u8) -> Option<(Vec<Vec<u8>>, usize)> {
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut out = vec![0u8; bytes.len() + 1];
    let mut ends = vec![0usize; bytes.len() + 1];
    let (result, nin, _, nend) = reader.read_record(bytes, &mut out, &mut ends);
    if result != csv_core::ReadRecordResult::Record {
        return None;
    }
    let mut end = nin;
    // csv-core stops after the `\r` of `\r\n`; the `\n` belongs to the header line.
    if bytes.get(end.checked_sub(1)?) == Some(&b'\r') && bytes.get(end) == Some(&b'\n') {
        end += 1;
    }
    if bytes.get(end.checked_sub(1)?) != Some(&b'\n') {
        return None;
    }
    let mut start = 0;
    let fields = ends
        .get(..nend)?
        .iter()
        .map(|&e| {
            let field = out.get(start..e).unwrap_or_default().to_vec();
            start = e;
            field
        })
        .collect();
    Some((fields, end))
}

/// One chunk as parsed by a worker.
struct Parsed<O> {
    /// Line breaks in the chunk, to number the lines of the next one.
    newlines: u64,
    records: u64,
    out: O,
    /// Whether every record was taken; if not, the caller reads sequentially.
    ok: bool,
}

/// Reads the planned file on `plan.tuning.threads` workers, handing each chunk's output
/// to `consume` in file order with the line number of the chunk's first line.
///
/// `None` means the chunked reading gave up part way (see the module comment); what was
/// consumed until then is the start of the file, record for record.
pub fn run<P: ChunkParser>(
    plan: &Plan,
    parser: &P,
    mut consume: impl FnMut(P::Out, u64),
) -> Option<Finished> {
    let data_start = plan.head.len() as u64;
    let chunk_len = plan.tuning.chunk_len.max(1) as u64;
    let chunks = usize::try_from(plan.len.saturating_sub(data_start).div_ceil(chunk_len))
        .ok()?
        .max(1);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let consumed = Mutex::new(0usize);
    let advanced = Condvar::new();
    let window = plan.tuning.window();
    let (sender, receiver) = mpsc::channel::<(usize, io::Result<Parsed<P::Out>>)>();

    let mut line = 1 + memchr::memchr_iter(b'\n', &plan.head).count() as u64;
    let mut records = 0u64;
    let mut complete = true;

    let sha256 = std::thread::scope(|scope| {
        // The digest is taken on a thread of its own, reading the file again (from the
        // page cache): it must see the bytes in order, and the reading thread is busy.
        let hashing = scope.spawn(|| hash_file(&plan.path, &stop));
        for _ in 0..plan.tuning.threads.min(chunks) {
            let sender = sender.clone();
            let mut parser = parser.clone();
            let (next, stop, consumed, advanced) = (&next, &stop, &consumed, &advanced);
            scope.spawn(move || {
                let mut file = match File::open(&plan.path) {
                    Ok(f) => f,
                    Err(e) => {
                        let _ = sender.send((next.fetch_add(1, Ordering::SeqCst), Err(e)));
                        return;
                    }
                };
                // The bytes of the chunk being parsed; reused, so allocated once.
                let mut buf = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    if k >= chunks || stop.load(Ordering::SeqCst) {
                        return;
                    }
                    // Wait until the consumer is close enough, so memory stays bounded.
                    {
                        let Ok(mut done) = consumed.lock() else {
                            return;
                        };
                        while k >= *done + window && !stop.load(Ordering::SeqCst) {
                            done = match advanced.wait(done) {
                                Ok(d) => d,
                                Err(_) => return,
                            };
                        }
                    }
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let parsed = parse_chunk(&mut file, &mut buf, plan, k, chunks, &mut parser);
                    if sender.send((k, parsed)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(sender);

        let mut pending = std::collections::BTreeMap::new();
        for k in 0..chunks {
            let parsed = loop {
                if let Some(p) = pending.remove(&k) {
                    break Some(p);
                }
                match receiver.recv() {
                    Ok((i, p)) => {
                        pending.insert(i, p);
                    }
                    Err(_) => break None,
                }
            };
            let parsed = match parsed {
                Some(Ok(p)) if p.ok => p,
                _ => {
                    complete = false;
                    break;
                }
            };
            consume(parsed.out, line);
            line += parsed.newlines;
            records += parsed.records;
            if let Ok(mut done) = consumed.lock() {
                *done = k + 1;
            }
            advanced.notify_all();
        }
        if !complete {
            stop.store(true, Ordering::SeqCst);
        }
        advanced.notify_all();
        hashing.join().ok().flatten()
    });
    match (complete, sha256) {
        (true, Some(sha256)) => Some(Finished { records, sha256 }),
        _ => None,
    }
}

/// Hex SHA-256 of the file at `path`, or `None` if reading it failed or `stop` was set.
fn hash_file(path: &Path, stop: &AtomicBool) -> Option<String> {
    let mut file = File::open(path).ok()?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Some(
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// Reads from `offset` into `buf` until it holds `want` bytes or the file ends.
fn read_at(file: &mut File, offset: u64, want: usize, buf: &mut Vec<u8>) -> io::Result<()> {
    file.seek(SeekFrom::Start(offset + buf.len() as u64))?;
    let missing = want.saturating_sub(buf.len()) as u64;
    file.take(missing).read_to_end(buf)?;
    Ok(())
}

/// Finds chunk `k` of the plan, reads it and parses its records.
///
/// Chunk `k` nominally covers `[s + k·len, s + (k+1)·len)` from the data start `s`; each
/// cut moves forward to just after the next `\n`, so neighbours agree on it and every chunk
/// holds whole lines (the first starts at the data start, the last ends at the end of file).
fn parse_chunk<P: ChunkParser>(
    file: &mut File,
    buf: &mut Vec<u8>,
    plan: &Plan,
    k: usize,
    chunks: usize,
    parser: &mut P,
) -> io::Result<Parsed<P::Out>> {
    let data_start = plan.head.len() as u64;
    let len = plan.tuning.chunk_len.max(1) as u64;
    let nominal = data_start + k as u64 * len;
    let last = k + 1 == chunks;
    // Read from one byte before the nominal start, to see whether a line ends right there.
    let from = if k == 0 { data_start } else { nominal - 1 };
    let mut want = (nominal + len + 4096 - from) as usize;
    buf.clear();
    let start = if k == 0 { Some(0) } else { None };
    // `to_eof`: the chunk ends where the file does (its last record may lack a line break).
    let (start, end, to_eof) = loop {
        read_at(file, from, want, buf)?;
        let eof = buf.len() < want;
        let start = start.or_else(|| memchr::memchr(b'\n', buf).map(|i| i + 1));
        let end = if last {
            eof.then_some((buf.len(), true))
        } else {
            let cut = (nominal + len - 1 - from) as usize;
            match buf.get(cut..).and_then(|tail| memchr::memchr(b'\n', tail)) {
                Some(i) => Some((cut + i + 1, false)),
                None if eof => Some((buf.len(), true)),
                None => None,
            }
        };
        match (start, end) {
            (Some(s), Some((e, to_eof))) => break (s.min(e), e, to_eof),
            (None, Some((e, to_eof))) => break (e, e, to_eof),
            _ => want = want.saturating_mul(2),
        }
    };
    let mut parsed = Parsed {
        newlines: 0,
        records: 0,
        out: parser.start(),
        ok: true,
    };
    let bytes = buf.get(start..end).unwrap_or_default();
    parsed.newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    parsed.ok = plain_text(bytes)
        && match memchr::memchr(b'"', bytes) {
            None => split_unquoted(bytes, plan, parser, &mut parsed.out, &mut parsed.records),
            Some(_) => split_quoted(
                bytes,
                plan,
                to_eof,
                parser,
                &mut parsed.out,
                &mut parsed.records,
            ),
        };
    Ok(parsed)
}

/// Whether `bytes` are text the fast path reads as the sequential reader does: valid
/// UTF-8, every `\r` part of a `\r\n` (the sequential reader ends a record at a lone `\r`
/// and numbers lines by it), and no BOM character at the start (csv-core would drop it).
fn plain_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok()
        && memchr::memchr_iter(b'\r', bytes).all(|i| bytes.get(i + 1) == Some(&b'\n'))
        && !bytes.starts_with(b"\xEF\xBB\xBF")
}

/// Splits a chunk without quotes: records end at `\n` (or `\r\n`), fields at the delimiter.
fn split_unquoted<P: ChunkParser>(
    bytes: &[u8],
    plan: &Plan,
    parser: &mut P,
    out: &mut P::Out,
    records: &mut u64,
) -> bool {
    let mut pos = 0;
    let mut line = 0u64;
    while pos < bytes.len() {
        let stop = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let mut record = &bytes[pos..stop];
        if let [rest @ .., b'\r'] = record {
            record = rest;
        }
        // Like csv-core, skip empty lines (they still count as lines).
        if !record.is_empty() {
            *records += 1;
            let fields = Fields {
                kind: FieldsKind::Line {
                    line: record,
                    delimiter: plan.delimiter,
                },
                expected: plan.fields,
            };
            if !parser.record(&fields, line, out) {
                return false;
            }
        }
        line += 1;
        pos = stop + 1;
    }
    true
}

/// Splits a chunk with quotes with csv-core, configured as the sequential reader is.
/// A chunk that does not end the file (`last`) must end between records: if its final line break was
/// inside a quoted field, the cut was wrong and the chunk is refused.
fn split_quoted<P: ChunkParser>(
    bytes: &[u8],
    plan: &Plan,
    last: bool,
    parser: &mut P,
    out: &mut P::Out,
    records: &mut u64,
) -> bool {
    use csv_core::ReadRecordResult;
    let mut reader = csv_core::ReaderBuilder::new()
        .delimiter(plan.delimiter)
        .build();
    let mut output = vec![0u8; 4096];
    let mut ends = vec![0usize; plan.fields + 1];
    let mut starts = Vec::with_capacity(plan.fields + 1);
    let mut pos = 0;
    let mut line = 0u64;
    loop {
        // Between records: step over line breaks ourselves, so that the record's first
        // line is known (csv-core skips empty lines silently).
        while let Some(&b) = bytes.get(pos) {
            match b {
                b'\n' => line += 1,
                b'\r' => {}
                _ => break,
            }
            pos += 1;
        }
        let record_line = line;
        let (mut nout, mut nend) = (0, 0);
        let by_end = loop {
            let input = bytes.get(pos..).unwrap_or_default();
            let (result, nin, o, e) = reader.read_record(
                input,
                output.get_mut(nout..).unwrap_or_default(),
                ends.get_mut(nend..).unwrap_or_default(),
            );
            let consumed = input.get(..nin).unwrap_or_default();
            line += memchr::memchr_iter(b'\n', consumed).count() as u64;
            pos += nin;
            nout += o;
            nend += e;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => output.resize(output.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record => break input.is_empty(),
                ReadRecordResult::End => return true,
            }
        };
        // A record ended by the end of the chunk rather than a line break: fine at the end
        // of the file, a cut inside a quoted field anywhere else.
        if by_end && !last {
            return false;
        }
        starts.clear();
        let mut start = 0;
        for &e in ends.get(..nend).unwrap_or_default() {
            starts.push(start);
            start = e;
        }
        *records += 1;
        let fields = Fields {
            kind: FieldsKind::Split {
                data: output.get(..nout).unwrap_or_default(),
                starts: &starts,
                ends: ends.get(..nend).unwrap_or_default(),
            },
            expected: plan.fields,
        };
        if nend != plan.fields || !parser.record(&fields, record_line, out) {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records with their line.
    type Records = Vec<(u64, Vec<String>)>;

    /// Collects every record with its line relative to the chunk.
    #[derive(Clone)]
    struct Collect;

    impl ChunkParser for Collect {
        type Out = Records;
        fn start(&mut self) -> Self::Out {
            Vec::new()
        }
        fn record(&mut self, fields: &Fields, line: u64, out: &mut Self::Out) -> bool {
            let values: Vec<String> = fields
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            let right = values.len() == fields.expected();
            out.push((line, values));
            right
        }
    }

    /// Reads `bytes` (header `a,b`) in chunks of `chunk_len` on two threads.
    fn read(bytes: &[u8], chunk_len: usize) -> Option<(Records, Finished)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, bytes).unwrap();
        let tuning = Tuning {
            threads: 2,
            chunk_len,
        };
        let headers = ["a".to_string(), "b".to_string()];
        let plan = plan(&path, b',', &headers, false, tuning)?;
        let mut rows = Vec::new();
        let finished = run(&plan, &Collect, |out, line| {
            rows.extend(out.into_iter().map(|(l, v)| (line + l, v)));
        })?;
        Some((rows, finished))
    }

    fn row(line: u64, a: &str, b: &str) -> (u64, Vec<String>) {
        (line, vec![a.to_string(), b.to_string()])
    }

    #[test]
    fn every_cut_gives_every_record_once_on_its_line() {
        // Line 4 is empty (skipped, still counted); CRLF and LF mixed; no final newline.
        let bytes = b"a,b\n1,2\r\n33,44\n\n5,\"six\"\n7,8";
        let expected = vec![
            row(2, "1", "2"),
            row(3, "33", "44"),
            row(5, "5", "six"),
            row(6, "7", "8"),
        ];
        for chunk_len in 1..=bytes.len() + 1 {
            let (rows, finished) = read(bytes, chunk_len)
                .unwrap_or_else(|| panic!("gave up with chunks of {chunk_len}"));
            assert_eq!(rows, expected, "chunks of {chunk_len}");
            assert_eq!(finished.records, 4);
            // The digest covers the whole file, header included.
            assert_eq!(finished.sha256, super::super::hashing::sha256_hex(bytes));
        }
    }

    #[test]
    fn a_cut_inside_a_quoted_line_break_gives_up() {
        // Line 3 holds a quoted field over two lines; cutting at its line break is wrong.
        let bytes = b"a,b\n1,2\n3,\"x\ny\"\n5,6\n";
        let cut = b"a,b\n1,2\n3,\"x\n".len() - 4; // a chunk ending at that line break
        assert!(read(bytes, cut).is_none());
        // One chunk holding the whole field is fine, and the record's line is its first.
        let (rows, _) = read(bytes, 1 << 10).unwrap();
        assert_eq!(
            rows,
            vec![row(2, "1", "2"), row(3, "3", "x\ny"), row(5, "5", "6")]
        );
    }

    #[test]
    fn lone_cr_invalid_utf8_and_wrong_lengths_give_up() {
        assert!(read(b"a,b\n1,2\r3,4\n", 1 << 10).is_none());
        assert!(read(b"a,b\n1,\xFF\n", 1 << 10).is_none());
        assert!(read(b"a,b\n1,2,3\n", 1 << 10).is_none());
        assert!(read(b"a,b\n1\n", 1 << 10).is_none());
    }

    #[test]
    fn header_must_match_and_end_with_a_line_break() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.csv");
        let tuning = Tuning {
            threads: 1,
            chunk_len: 8,
        };
        let headers = ["a".to_string(), "b".to_string()];
        std::fs::write(&path, b"a,c\n1,2\n").unwrap();
        assert!(plan(&path, b',', &headers, false, tuning).is_none());
        std::fs::write(&path, b"a,b").unwrap();
        assert!(plan(&path, b',', &headers, false, tuning).is_none());
        std::fs::write(&path, b"\xEF\xBB\xBFa, b \r\n1,2\n").unwrap();
        let plan = plan(&path, b',', &headers, true, tuning).unwrap();
        assert_eq!(plan.head.len(), 3 + 7);
        let off = Tuning {
            threads: 0,
            chunk_len: 8,
        };
        assert!(super::plan(&path, b',', &headers, true, off).is_none());
    }
}
