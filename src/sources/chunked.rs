//! Reading a large UTF-8 CSV file on every core: byte ranges cut at record boundaries.
//!
//! The file is cut into chunks of about [`Tuning::chunk_len`] bytes; each cut moves
//! forward to just after a line break, so every chunk holds whole lines. Worker threads
//! parse chunks with a `ChunkParser` (for surveys: cells into answers into partial sums,
//! nothing shared), and the calling thread takes their outputs *in file order*, so that
//! whatever must be added in order (sums of fractions) is. It then hands each chunk's
//! bytes, in order, to a thread of its own that takes the file's SHA-256 (so the digest is
//! of the very bytes summed, and the file is read once), which gives the buffer back.
//!
//! This is a fast path, not a second reader: whatever it is not sure it reads exactly as
//! the sequential reader (`text::open_csv_reader`) would — invalid UTF-8, a lone `\r`,
//! a BOM character, a row of the wrong length, a cut that fell inside a quoted field or
//! after an empty line, any cell the parser refuses — makes `run` stop and answer `None`, and the caller reads the file again
//! sequentially, which reports problems with their exact place and wording.
//!
//! Memory: at most 2 × threads + 1 chunks are parsed ahead of the one handed on, and at
//! most threads more wait for the digest, so it does not grow with rows.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

use sha2::{Digest, Sha256};

use super::text::MAX_FIELD_BYTES;

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
pub(crate) struct Fields<'a> {
    kind: FieldsKind<'a>,
    /// Fields in the header: a record with another number is refused.
    expected: usize,
}

/// How a record's fields are held.
#[derive(Clone, Copy)]
enum FieldsKind<'a> {
    /// Split by csv-core: field `i` is `data[starts[i]..ends[i]]`.
    Split {
        data: &'a [u8],
        starts: &'a [usize],
        ends: &'a [usize],
    },
    /// A line without quotes (UTF-8, checked with its chunk), split while it is walked.
    Line { line: &'a str, delimiter: u8 },
}

impl<'a> Fields<'a> {
    /// Calls `f` with each field's column and bytes, in order; returns the number of
    /// fields, which the caller must check against [`Fields::expected`].
    #[inline(always)]
    pub fn for_each(&self, mut f: impl FnMut(usize, &'a [u8])) -> usize {
        match self.kind {
            FieldsKind::Split { data, starts, ends } => {
                for (column, (&start, &end)) in starts.iter().zip(ends).enumerate() {
                    f(column, data.get(start..end).unwrap_or_default());
                }
                starts.len().min(ends.len())
            }
            FieldsKind::Line { line, delimiter } => {
                let mut count = 0;
                // The hot path of chunked reading: std's splitter, without bounds checks.
                for (column, field) in line.as_bytes().split(|&b| b == delimiter).enumerate() {
                    f(column, field);
                    count = column + 1;
                }
                count
            }
        }
    }

    /// Field `i`'s bytes, if the record has that many fields. (Splits the line up to the
    /// field again: for the few columns read outside [`Fields::for_each`], which stays
    /// small enough to be inlined into its loop.)
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        match self.kind {
            FieldsKind::Split { data, starts, ends } => {
                Some(data.get(*starts.get(i)?..*ends.get(i)?).unwrap_or_default())
            }
            FieldsKind::Line { line, delimiter } => {
                line.as_bytes().split(move |&b| b == delimiter).nth(i)
            }
        }
    }

    /// Whether every field is empty or white space (a row of delimiters, as Excel writes
    /// for an empty row). Stops at the first byte of content, so it costs next to nothing
    /// on a real row.
    pub fn is_blank(&self) -> bool {
        match self.kind {
            FieldsKind::Split { data, starts, ends } => starts.iter().zip(ends).all(|(&s, &e)| {
                let field = data.get(s..e).unwrap_or_default();
                field.iter().all(u8::is_ascii_whitespace)
            }),
            FieldsKind::Line { line, delimiter } => line
                .bytes()
                .all(|b| b == delimiter || b.is_ascii_whitespace()),
        }
    }

    /// Appends the fields as text to `out`; `false` if the record is not UTF-8.
    pub fn texts_into(&self, out: &mut Vec<&'a str>) -> bool {
        match self.kind {
            // The chunks given to a parser are UTF-8: this checks the record once.
            FieldsKind::Split { data, starts, ends } => {
                let Ok(text) = std::str::from_utf8(data) else {
                    return false;
                };
                // An ASCII delimiter and the quotes never cut a character, so the ranges
                // are always on character boundaries.
                let fields = starts.iter().zip(ends);
                out.extend(fields.map(|(&s, &e)| text.get(s..e).unwrap_or_default()));
            }
            FieldsKind::Line { line, delimiter } => {
                // A predicate rather than the char: `str::split(char)` calls memchr for
                // every field, slow for the one-byte fields of survey exports.
                let delimiter = char::from(delimiter);
                #[allow(clippy::manual_pattern_char_comparison)] // the char is the slow one
                let fields = line.split(|c: char| c == delimiter);
                out.extend(fields);
            }
        }
        true
    }

    /// Fields in the header: a record with another number must be refused.
    pub fn expected(&self) -> usize {
        self.expected
    }
}

/// Turns records into what the consumer needs; one clone per worker thread.
pub(crate) trait ChunkParser: Clone + Send {
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
pub(crate) struct Plan {
    path: std::path::PathBuf,
    /// The bytes before the first data record (BOM and header records), hashed first.
    head: Vec<u8>,
    /// Whether [`run`] takes the file's SHA-256 (on a thread of its own).
    digest: bool,
    /// File length when planned (chunks are cut from it; the last reads to the end).
    len: u64,
    delimiter: u8,
    fields: usize,
    tuning: Tuning,
}

/// What the chunked reading found, when it read the whole file.
#[derive(Debug)]
pub(crate) struct Finished {
    /// Records read (after the header records).
    pub records: u64,
    /// Hex SHA-256 of the whole file (`None` for a plan [`Plan::without_digest`]).
    pub sha256: Option<String>,
}

impl Plan {
    /// The same plan, without the file's SHA-256 (which costs a thread).
    pub fn without_digest(self) -> Plan {
        Plan {
            digest: false,
            ..self
        }
    }

    /// Bytes of the data records (the file after the header records).
    pub fn data_len(&self) -> u64 {
        self.len.saturating_sub(self.head.len() as u64)
    }

    /// The number of chunks the data records are cut into (at least one).
    fn chunks(&self) -> Option<usize> {
        let chunk_len = self.tuning.chunk_len.max(1) as u64;
        usize::try_from(self.data_len().div_ceil(chunk_len))
            .ok()
            .map(|n| n.max(1))
    }

    /// Worker threads [`run`] starts: one per chunk, up to [`Tuning::threads`].
    pub fn workers(&self) -> usize {
        self.chunks()
            .map_or(0, |chunks| self.tuning.threads.min(chunks))
    }
}

/// A plan for reading `path` in chunks, or `None` if the file is not one the chunked
/// reader takes: not a regular file, the header not found where `fields` header fields
/// with `delimiter` are, or chunking turned off. `bom` says whether a UTF-8 BOM was seen.
/// The data start after `header_records` records (1: the header line alone; more for
/// exports with several header rows), each of which must end with a line break.
pub(crate) fn plan(
    path: &Path,
    delimiter: u8,
    headers: &[String],
    header_records: usize,
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
    let mut data_start = skip + end;
    for _ in 1..header_records {
        data_start += header_record(head.get(data_start..)?, delimiter)?.1;
    }
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
        digest: true,
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
    /// The bytes read for it (its buffer, passed on to be hashed and used again) and
    /// where in them the chunk is.
    bytes: Vec<u8>,
    range: std::ops::Range<usize>,
    /// Line breaks in the chunk, to number the lines of the next one.
    newlines: u64,
    records: u64,
    out: O,
    /// Whether every record was taken; if not, the caller reads sequentially.
    ok: bool,
}

/// Reads the planned file on `plan.tuning.threads` workers, handing each chunk's output
/// to `consume` in file order with the line number of the chunk's first line; `consume`
/// answers `false` to stop the reading there.
///
/// `None` means the chunked reading gave up part way (see the module comment) or was
/// stopped; what was consumed until then is the start of the file, record for record.
pub(crate) fn run<P: ChunkParser>(
    plan: &Plan,
    parser: &P,
    mut consume: impl FnMut(P::Out, u64) -> bool,
) -> Option<Finished> {
    let chunks = plan.chunks()?;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let consumed = Mutex::new(0usize);
    let advanced = Condvar::new();
    let window = plan.tuning.window();
    let (sender, receiver) = mpsc::channel::<(usize, io::Result<Parsed<P::Out>>)>();

    let mut line = 1 + memchr::memchr_iter(b'\n', &plan.head).count() as u64;
    let mut records = 0u64;
    let mut complete = true;

    // Buffers hashed and free to be read into again; at most the chunks in flight.
    let free: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let give_back = |buf: Vec<u8>| {
        if let Ok(mut free) = free.lock() {
            free.push(buf);
        }
    };

    let sha256 = std::thread::scope(|scope| {
        // The digest is taken on a thread of its own: it must see the bytes in order, and
        // the reading thread is busy. Bounded, so that chunks wait for it rather than pile
        // up (it hashes faster than the workers parse, so a few places are enough).
        let (to_hash, hashing) = if plan.digest {
            let places = plan.workers().max(1);
            let (to_hash, chunks_in_order) = mpsc::sync_channel::<(Vec<u8>, Range<usize>)>(places);
            let (head, give_back) = (&plan.head, &give_back);
            let hashing = scope.spawn(move || hash_chunks(head, chunks_in_order, give_back));
            (Some(to_hash), Some(hashing))
        } else {
            (None, None)
        };
        for _ in 0..plan.workers() {
            let sender = sender.clone();
            let mut parser = parser.clone();
            let (next, stop, consumed, advanced) = (&next, &stop, &consumed, &advanced);
            let free = &free;
            scope.spawn(move || {
                let mut file = match File::open(&plan.path) {
                    Ok(f) => f,
                    Err(e) => {
                        let _ = sender.send((next.fetch_add(1, Ordering::SeqCst), Err(e)));
                        return;
                    }
                };
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
                    // The bytes of the chunk: a buffer used before if one is free.
                    let buf = free
                        .lock()
                        .ok()
                        .and_then(|mut f| f.pop())
                        .unwrap_or_default();
                    let parsed = parse_chunk(&mut file, buf, plan, k, chunks, &mut parser);
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
            let Parsed {
                bytes,
                range,
                out,
                newlines,
                records: in_chunk,
                ..
            } = parsed;
            match &to_hash {
                Some(to_hash) => {
                    if to_hash.send((bytes, range)).is_err() {
                        complete = false;
                        break;
                    }
                }
                None => give_back(bytes),
            }
            if !consume(out, line) {
                complete = false;
                break;
            }
            line += newlines;
            records += in_chunk;
            if let Ok(mut done) = consumed.lock() {
                *done = k + 1;
            }
            advanced.notify_all();
        }
        if !complete {
            // Under the lock: a worker checks `stop` under it before it waits, so it either
            // sees the flag or is already waiting when the notification comes.
            let _held = consumed.lock();
            stop.store(true, Ordering::SeqCst);
        }
        advanced.notify_all();
        // The last chunk is sent: the hashing thread finishes the digest.
        drop(to_hash);
        hashing.map(|h| h.join().ok())
    });
    match (complete, sha256) {
        (true, None) => Some(Finished {
            records,
            sha256: None,
        }),
        (true, Some(Some(sha256))) => Some(Finished {
            records,
            sha256: Some(sha256),
        }),
        _ => None,
    }
}

/// Hex SHA-256 of `head` followed by each chunk's bytes as they come, until the sender
/// is dropped; each buffer is handed to `give_back` once hashed.
fn hash_chunks(
    head: &[u8],
    chunks: mpsc::Receiver<(Vec<u8>, Range<usize>)>,
    give_back: &(impl Fn(Vec<u8>) + Sync),
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(head);
    for (bytes, range) in chunks {
        hasher.update(bytes.get(range).unwrap_or_default());
        give_back(bytes);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
    mut buf: Vec<u8>,
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
        read_at(file, from, want, &mut buf)?;
        let eof = buf.len() < want;
        let start = start.or_else(|| memchr::memchr(b'\n', &buf).map(|i| i + 1));
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
            // A line this long may hold a field over the limit: the sequential reader,
            // which enforces the limits with their place, reads the file instead.
            _ if want as u64 > len + 2 * MAX_FIELD_BYTES => {
                return Ok(Parsed {
                    bytes: buf,
                    range: 0..0,
                    newlines: 0,
                    records: 0,
                    out: parser.start(),
                    ok: false,
                })
            }
            _ => want = want.saturating_mul(2),
        }
    };
    let mut newlines = 0;
    let mut out = parser.start();
    let mut records = 0;
    let bytes = buf.get(start..end).unwrap_or_default();
    let ok = match plain_text(bytes) {
        None => false,
        Some(_) if !to_eof && ends_with_empty_line(bytes) => false,
        Some(Text::Unquoted(text)) => {
            split_unquoted(text, plan, parser, &mut out, &mut records, &mut newlines)
        }
        Some(Text::Quoted) => {
            // Count the lines and find the longest in one pass over the line ends.
            let (mut previous, mut longest) = (0usize, 0usize);
            for end_of_line in memchr::memchr_iter(b'\n', bytes) {
                newlines += 1;
                longest = longest.max(end_of_line - previous);
                previous = end_of_line;
            }
            longest = longest.max(bytes.len() - previous);
            longest as u64 <= MAX_FIELD_BYTES
                && split_quoted(bytes, plan, to_eof, parser, &mut out, &mut records)
        }
    };
    Ok(Parsed {
        bytes: buf,
        range: start..end,
        newlines,
        records,
        out,
        ok,
    })
}

/// A chunk's bytes, as the fast path reads them.
enum Text<'a> {
    /// Without a quote: split at line breaks and delimiters.
    Unquoted(&'a str),
    /// With quotes: split by csv-core.
    Quoted,
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` as text, if they are text the fast path reads as the sequential reader does:
/// valid UTF-8, every `\r` part of a `\r\n` (the sequential reader ends a record at a lone
/// `\r` and numbers lines by it), and no BOM character at the start (csv-core would drop it).
fn plain_text(bytes: &[u8]) -> Option<Text<'_>> {
    let text = std::str::from_utf8(bytes).ok()?;
    // One pass for the three bytes that need a closer look (few, in a file without
    // quotes); csv-core drops a BOM at the start of what it reads, which can be any record.
    for i in memchr::memchr3_iter(b'"', b'\r', BOM[0], bytes) {
        match bytes[i] {
            b'"' => {
                // Where there is one quote there are many: the rest checked kind by kind.
                let rest = &bytes[i..];
                let plain = memchr::memchr_iter(b'\r', rest)
                    .all(|j| rest.get(j + 1) == Some(&b'\n'))
                    && memchr::memmem::find(rest, BOM).is_none();
                return plain.then_some(Text::Quoted);
            }
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => return None,
            _ if bytes[i..].starts_with(BOM) => return None,
            _ => {}
        }
    }
    Some(Text::Unquoted(text))
}

/// Whether the last line of `bytes` is empty. The sequential reader numbers a record by
/// the line after the record before it, empty lines between them included; a chunk
/// cannot see past its start, so a chunk that ends in an empty line, with records after
/// it, is refused.
fn ends_with_empty_line(bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return false;
    }
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    body.is_empty() || body.ends_with(b"\n")
}

/// Splits a chunk without quotes: records end at `\n` (or `\r\n`), fields at the delimiter;
/// counts its line breaks into `newlines`.
fn split_unquoted<P: ChunkParser>(
    text: &str,
    plan: &Plan,
    parser: &mut P,
    out: &mut P::Out,
    records: &mut u64,
    newlines: &mut u64,
) -> bool {
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut line = 0u64;
    // The line after the previous record: the sequential reader's number for the next.
    let mut after_previous = 0u64;
    while pos < bytes.len() {
        let stop = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        // A line this long may hold a field over the limit, which the sequential reader
        // reports with its place.
        if (stop - pos) as u64 > MAX_FIELD_BYTES {
            return false;
        }
        // Line breaks are ASCII: the cuts are on character boundaries.
        let mut record = text.get(pos..stop).unwrap_or_default();
        if let Some(rest) = record.strip_suffix('\r') {
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
            if !parser.record(&fields, after_previous, out) {
                return false;
            }
            after_previous = line + 1;
        }
        line += 1;
        pos = stop + 1;
    }
    // Every line ended with a line break but perhaps the last one, at the end of file.
    *newlines = line - u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"));
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
        // The sequential reader numbers a record by the line after the previous one (the
        // `\n` of a `\r\n` that ended it is still to come), empty lines between them
        // included: see `ends_with_empty_line`.
        let mut record_line = line;
        if pos > 0 && bytes.get(pos - 1) == Some(&b'\r') && bytes.get(pos) == Some(&b'\n') {
            record_line += 1;
        }
        // Between records: step over line breaks ourselves (csv-core skips empty lines
        // silently), counting them.
        while let Some(&b) = bytes.get(pos) {
            match b {
                b'\n' => line += 1,
                b'\r' => {}
                _ => break,
            }
            pos += 1;
        }
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
            let mut values = Vec::new();
            let count = fields.for_each(|column, f| {
                assert_eq!(column, values.len());
                values.push(String::from_utf8_lossy(f).into_owned());
            });
            assert_eq!(count, values.len());
            // The same fields as text (the chunks given to a parser are UTF-8).
            let mut texts = Vec::new();
            assert!(fields.texts_into(&mut texts));
            assert_eq!(texts, values);
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
        let plan = plan(&path, b',', &headers, 1, false, tuning)?;
        let mut rows = Vec::new();
        let finished = run(&plan, &Collect, |out, line| {
            rows.extend(out.into_iter().map(|(l, v)| (line + l, v)));
            true
        })?;
        Some((rows, finished))
    }

    fn row(line: u64, a: &str, b: &str) -> (u64, Vec<String>) {
        (line, vec![a.to_string(), b.to_string()])
    }

    #[test]
    fn every_cut_gives_every_record_once_on_its_line() {
        // CRLF and LF mixed; no final newline. Line 4 is empty: the record after it has
        // line 4 (the sequential reader's number, see `csv_lines`).
        let bytes = b"a,b\n1,2\r\n33,44\n\n5,\"six\"\n7,8";
        let expected = vec![
            row(2, "1", "2"),
            row(3, "33", "44"),
            row(4, "5", "six"),
            row(6, "7", "8"),
        ];
        let empty_line = b"a,b\n1,2\r\n33,44\n\n".len();
        for chunk_len in 1..=bytes.len() + 1 {
            let Some((rows, finished)) = read(bytes, chunk_len) else {
                // Only a chunk that ends in the empty line may give up.
                let data = b"a,b\n".len();
                let ends = (data..bytes.len())
                    .step_by(chunk_len)
                    .any(|cut| cut < empty_line && cut + chunk_len >= empty_line - 1);
                assert!(ends, "gave up with chunks of {chunk_len}");
                continue;
            };
            assert_eq!(rows, expected, "chunks of {chunk_len}");
            assert_eq!(finished.records, 4);
            // The digest covers the whole file, header included.
            assert_eq!(
                finished.sha256,
                Some(super::super::hashing::sha256_hex(bytes))
            );
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
        assert!(plan(&path, b',', &headers, 1, false, tuning).is_none());
        std::fs::write(&path, b"a,b").unwrap();
        assert!(plan(&path, b',', &headers, 1, false, tuning).is_none());
        std::fs::write(&path, b"\xEF\xBB\xBFa, b \r\n1,2\n").unwrap();
        let plan = plan(&path, b',', &headers, 1, true, tuning).unwrap();
        assert_eq!(plan.head.len(), 3 + 7);
        let off = Tuning {
            threads: 0,
            chunk_len: 8,
        };
        assert!(super::plan(&path, b',', &headers, 1, true, off).is_none());
    }
    #[test]
    fn several_header_records_a_stop_and_no_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("two.csv");
        // Two header records, the second with a quoted line break (lines 2 and 3).
        std::fs::write(&path, b"a,b\n\"x\ny\",z\n1,2\n3,4\n5,6\n").unwrap();
        let tuning = Tuning {
            threads: 2,
            chunk_len: 4,
        };
        let headers = ["a".to_string(), "b".to_string()];
        let plan = plan(&path, b',', &headers, 2, false, tuning)
            .unwrap()
            .without_digest();
        assert_eq!(plan.data_len(), 12);
        let mut rows = Vec::new();
        let finished = run(&plan, &Collect, |out, line| {
            rows.extend(out.into_iter().map(|(l, v)| (line + l, v)));
            true
        })
        .unwrap();
        assert_eq!(
            rows,
            vec![row(4, "1", "2"), row(5, "3", "4"), row(6, "5", "6")]
        );
        assert_eq!((finished.records, finished.sha256), (3, None));
        // A consumer that stops after the first chunk: nothing more is handed over.
        let mut chunks = 0;
        assert!(run(&plan, &Collect, |_, _| {
            chunks += 1;
            false
        })
        .is_none());
        assert_eq!(chunks, 1);
        // A header record without its line break is not a plan.
        std::fs::write(&path, b"a,b\n1,2").unwrap();
        assert!(super::plan(&path, b',', &headers, 2, false, tuning).is_none());
    }

    /// The line the sequential reader gives each record after the header.
    fn csv_lines(bytes: &[u8]) -> Vec<u64> {
        let input = Box::new(std::io::Cursor::new(bytes.to_vec()));
        let options = super::super::text::TextOptions::default();
        let (mut reader, _) =
            super::super::text::open_csv_reader(input, Path::new("t.csv"), &options).unwrap();
        let mut record = csv::ByteRecord::new();
        let mut lines = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            lines.push(record.position().unwrap().line());
        }
        lines
    }

    #[test]
    fn records_after_empty_lines_have_the_sequential_readers_line() {
        // That reader numbers a record by the line after the record before it, so a
        // record after empty lines gets the first empty line's number.
        for bytes in [
            &b"a,b\n1,2\n\n3,4\n\n\n5,6\n7,8\n"[..],
            b"a,b\r\n1,2\r\n\r\n3,\"x\r\ny\"\r\n\r\n\r\n5,6\r\n",
            b"a,b\n\n1,\"q\"\n\n\n2,3\n",
        ] {
            let expected = csv_lines(bytes);
            let mut taken = 0;
            for chunk_len in 1..=bytes.len() + 1 {
                let Some((rows, _)) = read(bytes, chunk_len) else {
                    continue;
                };
                taken += 1;
                let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
                assert_eq!(
                    lines,
                    expected,
                    "chunks of {chunk_len} in {:?}",
                    String::from_utf8_lossy(bytes)
                );
            }
            assert!(taken > 0);
        }
    }

    #[test]
    fn a_bom_anywhere_but_the_start_of_the_file_gives_up() {
        assert!(read(b"a,b\n1,2\n\n\xEF\xBB\xBF3,\"4\"\n", 1 << 10).is_none());
        assert!(read(b"a,b\n1,\xEF\xBB\xBF2\n", 1 << 10).is_none());
    }
}
