//! Delimited text files in any encoding, streamed as a `csv::Reader` over UTF-8.
//!
//! Survey tools and Excel write UTF-8 (with or without BOM), UTF-16 with a BOM, GBK/GB18030
//! or whatever the local code page is. We decode to UTF-8 on the fly, so the rest of the
//! program only ever sees `&str`, and we refuse bytes that are invalid in the chosen encoding
//! instead of replacing them: silently garbled answers would corrupt an audit unnoticed.
//!
//! Only a bounded prefix is ever held in memory (the encoding sniff window and the header
//! line), so memory does not grow with the number of rows. A field, a row and the header
//! have limits ([`MAX_FIELD_BYTES`], [`MAX_ROW_BYTES`], [`MAX_COLUMNS`]) with a problem
//! naming the place, so no file can make one record cost more (docs/files.md#limits).

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;

use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};

use crate::encoding::{
    declaration_label, detect_legacy, display_name, encoding_for_label, unknown_label_expected,
};
use crate::problem::{open_input, thousands, Problem};

/// The longest field of a data file, in bytes of UTF-8.
pub const MAX_FIELD_BYTES: u64 = 1024 * 1024;
/// The longest row (record) of a data file, in bytes of UTF-8.
pub const MAX_ROW_BYTES: u64 = 64 * 1024 * 1024;
/// The most columns a data file may have.
pub const MAX_COLUMNS: u64 = 10_000;

/// How much raw input is examined to detect the encoding.
const SNIFF_LEN: usize = 64 * 1024;
/// The longest header row: the header is read ahead to find the delimiter, and a quote
/// that is never closed would otherwise make the whole file one header cell.
const MAX_HEADER_BYTES: usize = MAX_FIELD_BYTES as usize;
/// Size of the buffered read over the raw file.
const READ_BUFFER_LEN: usize = 64 * 1024;
/// Size of the decoded-output chunk; comfortably larger than any single character.
const DECODE_CHUNK_LEN: usize = 16 * 1024;
/// How many already-consumed raw bytes to remember, so that a malformed sequence that began
/// in an earlier buffer can still be shown (encoding_rs reports at most 4 malformed bytes).
const RECENT_LEN: usize = 8;

/// How many bytes of a line a message shows on each side of the first bad byte.
const SHOWN_LINE_BYTES: usize = 40;

/// How to read a delimited text file; `None` means detect.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextOptions {
    /// Encoding label as declared in the audit (`encoding:`), or `None` to detect.
    pub encoding: Option<String>,
    /// Field delimiter byte, or `None` to detect from the header line.
    pub delimiter: Option<u8>,
}

/// What was decided about a file (for reports and `validate`).
#[derive(Debug, Clone, PartialEq)]
pub struct TextFormat {
    /// The encoding the bytes are decoded from.
    pub encoding: &'static Encoding,
    /// The field delimiter.
    pub delimiter: u8,
    /// Whether the file started with a byte-order mark.
    pub bom: bool,
    /// Whether the encoding is a legacy one detected from the file's start (neither
    /// declared, nor told by a BOM, nor UTF-8), for a note that says so.
    pub detected: bool,
}

/// Bytes not valid in the file's encoding; carried inside the `io::Error` the decoder returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidBytes {
    /// 1-based line the bytes are on.
    pub line: u64,
    /// The offending bytes in hex, e.g. `0x81 0x20`.
    pub bytes: String,
    /// Human name of the encoding, e.g. `GBK/GB18030`.
    pub encoding: &'static str,
    /// How the encoding was chosen, which decides what the message advises.
    pub chosen: Chosen,
    /// The line as found, non-ASCII bytes in hex (`Z<FC>rich`), cut around the bad bytes.
    pub shown: String,
    /// Where nothing was declared: the encodings the line's bytes are likely in.
    pub likely: Vec<&'static Encoding>,
}

/// How a file's encoding was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chosen {
    /// Declared (audit, map file or `--encoding`), or told by a byte-order mark.
    Declared,
    /// Detected from the file's start (a legacy encoding the rule was sure of).
    Detected,
    /// Nothing declared and the start was UTF-8: a later line that is not is refused
    /// with the line as found and the encodings its bytes are likely in.
    Undeclared,
}

impl fmt::Display for InvalidBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: bytes not valid in {}: {}",
            self.line, self.encoding, self.bytes
        )
    }
}

impl std::error::Error for InvalidBytes {}

impl InvalidBytes {
    /// The user-facing problem for these bytes in `path`.
    fn problem(&self, path: &Path) -> Problem {
        match self.chosen {
            Chosen::Undeclared => undetected(path, self.line, &self.shown, &self.likely),
            chosen => Problem::new(format!("bytes not valid in {}", self.encoding))
                .file(path)
                .line(self.line)
                .found(self.bytes.clone())
                .expected(if chosen == Chosen::Detected {
                    "text in that encoding, which was detected from the file's start \
                     (declare the encoding if it is another)"
                } else {
                    "text in that encoding (declare encoding: in the audit if it is another)"
                }),
        }
    }
}

/// The problem for an undeclared file whose encoding is not sure: the first line that is
/// not UTF-8, its bytes as found, the likely encodings and how to declare one.
fn undetected(path: &Path, line: u64, text: &str, likely: &[&'static Encoding]) -> Problem {
    let names: Vec<&str> = likely.iter().map(|&e| display_name(e)).collect();
    let example = likely
        .first()
        .map_or_else(|| "windows-1252".to_string(), |&e| declaration_label(e));
    Problem::new(format!(
        "could not detect the text encoding for sure: this line is not UTF-8 and no \
         encoding is declared; likely {}",
        names.join(", ")
    ))
    .file(path)
    .line(line)
    .field("encoding")
    .found(text)
    .expected(format!(
        "the encoding declared: `--encoding {example}`, or `encoding: {example}` in the \
         audit's source or the import's map file"
    ))
}

/// The line of `bytes` holding `bad` (an offset), cut to [`SHOWN_LINE_BYTES`] on each
/// side of `bad`, each run of non-ASCII or control bytes shown in hex (`Z<FC>rich`,
/// `<B1 B1 BE A9>`), so the message shows the bytes as they are in the file.
fn escaped_line(bytes: &[u8], bad: usize) -> String {
    let is_break = |b: &u8| *b == b'\n' || *b == b'\r';
    let before = bytes.get(..bad).unwrap_or_default();
    let start = before.iter().rposition(is_break).map_or(0, |i| i + 1);
    let after = bytes.get(bad..).unwrap_or_default();
    let end = bad + after.iter().position(is_break).unwrap_or(after.len());
    let from = start.max(bad.saturating_sub(SHOWN_LINE_BYTES));
    let to = end.min(bad + SHOWN_LINE_BYTES);
    let mut text = String::new();
    if from > start {
        text.push('…');
    }
    let mut in_run = false;
    for &byte in bytes.get(from..to).unwrap_or_default() {
        let plain = byte.is_ascii_graphic() || byte == b' ';
        match (plain, in_run) {
            (true, true) => text.push('>'),
            (false, true) => text.push(' '),
            (false, false) => text.push('<'),
            (true, false) => {}
        }
        if plain {
            text.push(char::from(byte));
        } else {
            text.push_str(&format!("{byte:02X}"));
        }
        in_run = !plain;
    }
    if in_run {
        text.push('>');
    }
    if to < end {
        text.push('…');
    }
    text
}

/// The 1-based line of offset `at` in `bytes`: `\r\n`, `\n` and a lone `\r` each end one.
fn line_of(bytes: &[u8], at: usize) -> u64 {
    let mut line = 1;
    let mut after_cr = false;
    for &byte in bytes.get(..at.min(bytes.len())).unwrap_or_default() {
        if byte == b'\r' || (byte == b'\n' && !after_cr) {
            line += 1;
        }
        after_cr = byte == b'\r';
    }
    line
}

/// The encoding a declared `label` names, or the problem (`field` is where it was
/// declared: `encoding`, `--encoding`) listing the known labels like it.
pub fn declared_encoding(label: &str, field: &str) -> Result<&'static Encoding, Problem> {
    encoding_for_label(label).ok_or_else(|| {
        Problem::new("unknown encoding")
            .field(field)
            .found(label)
            .expected(unknown_label_expected(label))
    })
}

/// Opens `path` as CSV with a header row; returns the reader (records are UTF-8) and what was detected.
pub fn open_csv(
    path: &Path,
    options: &TextOptions,
) -> Result<(csv::Reader<Box<dyn Read>>, TextFormat), Problem> {
    let file: File = open_input(path, "could not open the file")?;
    open_csv_reader(Box::new(file), path, options)
}

/// Same for bytes already in memory (used by tests and by stdin); `name` is the file name for messages.
pub fn open_csv_reader(
    mut input: Box<dyn Read>,
    name: &Path,
    options: &TextOptions,
) -> Result<(csv::Reader<Box<dyn Read>>, TextFormat), Problem> {
    // Check the declared delimiter first: it is a cheap configuration error to report.
    if let Some(delimiter) = options.delimiter {
        check_delimiter(delimiter, name)?;
    }

    // Read the sniff window up front; it is replayed in front of the rest of the input.
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut input)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| io_problem(name, &e))?;
    let at_eof = head.len() < SNIFF_LEN;
    let (encoding, bom, chosen) =
        choose_encoding(&head, at_eof, name, options.encoding.as_deref())?;

    let raw = BufReader::with_capacity(READ_BUFFER_LEN, Cursor::new(head).chain(input));
    let mut decoded = DecodingReader::new(raw, encoding).chosen(chosen);

    // The delimiter is sniffed from decoded text, so the header line is read ahead and then
    // replayed to the csv reader.
    let (prefix, delimiter) = peek_header(&mut decoded, options.delimiter, name)?;

    let stream: Box<dyn Read> = Box::new(LineEndings::new(
        Cursor::new(prefix).chain(decoded),
        delimiter,
    ));
    let reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::None)
        .delimiter(delimiter)
        .from_reader(stream);
    Ok((
        reader,
        TextFormat {
            encoding,
            delimiter,
            bom,
            detected: chosen == Chosen::Detected,
        },
    ))
}

/// Turns an error from reading records into a Problem naming the file and line (and field where csv knows it).
pub fn csv_problem(path: &Path, error: &csv::Error) -> Problem {
    match error.kind() {
        csv::ErrorKind::Io(e) => io_problem(path, e),
        csv::ErrorKind::Utf8 { pos, err } => {
            let problem = Problem::new("text is not valid UTF-8").file(path);
            match pos {
                Some(pos) => problem.at(pos.line(), err.field() as u64 + 1),
                None => problem,
            }
        }
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let problem = Problem::new("wrong number of fields in this row")
                .file(path)
                .found(format!("{len} fields"))
                .expected(format!("{expected_len} fields, as in the header"));
            match pos {
                Some(pos) => problem.line(pos.line()),
                None => problem,
            }
        }
        csv::ErrorKind::Deserialize { pos, err } => {
            let problem = Problem::new(err.kind().to_string()).file(path);
            match (pos, err.field()) {
                (Some(pos), Some(field)) => problem.at(pos.line(), field + 1),
                (Some(pos), None) => problem.line(pos.line()),
                _ => problem,
            }
        }
        _ => Problem::new(error.to_string()).file(path),
    }
}

/// Rejects delimiters that would make the csv reader misparse or split UTF-8 characters.
fn check_delimiter(delimiter: u8, name: &Path) -> Result<(), Problem> {
    if delimiter.is_ascii() && !matches!(delimiter, b'"' | b'\n' | b'\r') {
        return Ok(());
    }
    Err(Problem::new("unusable delimiter")
        .file(name)
        .field("delimiter")
        .found(format!("{:?}", char::from(delimiter)))
        .expected("`,`, `;`, tab or another ASCII character other than a quote or line break"))
}

/// Decides the encoding from the declaration, the BOM or the sniffed bytes (the rule of
/// docs/files.md#encodings); returns it, whether a BOM was seen, and how it was chosen.
fn choose_encoding(
    head: &[u8],
    at_eof: bool,
    name: &Path,
    declared: Option<&str>,
) -> Result<(&'static Encoding, bool, Chosen), Problem> {
    let bom = Encoding::for_bom(head).map(|(encoding, _)| encoding);
    if let Some(label) = declared {
        let encoding = declared_encoding(label, "encoding").map_err(|p| p.file(name))?;
        return match bom {
            None => Ok((encoding, false, Chosen::Declared)),
            Some(bom) if bom_agrees(label, encoding, bom) => Ok((bom, true, Chosen::Declared)),
            Some(bom) => Err(Problem::new(format!(
                "the file starts with a {} byte-order mark, which contradicts the declared encoding",
                bom.name()
            ))
            .file(name)
            .field("encoding")
            .found(label)
            .expected(format!(
                "{} (or remove the declaration)",
                bom.name().to_ascii_lowercase()
            ))),
        };
    }
    if let Some(bom) = bom {
        return Ok((bom, true, Chosen::Declared));
    }
    // NUL bytes are valid UTF-8 and GB18030 but never appear in survey text: they are the
    // mark of UTF-16 without a BOM, which we cannot tell apart from other encodings reliably.
    if head.contains(&0) {
        return Err(Problem::new(
            "could not detect the text encoding: the file contains NUL bytes (UTF-16 without a byte-order mark?)",
        )
        .file(name)
        .field("encoding")
        .expected("the encoding declared, e.g. `--encoding utf-16le` or `encoding: utf-16le`"));
    }
    // UTF-8 as far as the window goes: any later line that is not is refused with its line
    // (`Chosen::Undeclared`), so no row is ever read in a guessed encoding. A UTF-8 file
    // with one corrupt byte can also decode as GB18030 (the byte ranges overlap): several
    // real UTF-8 characters before the first error say it is UTF-8 gone wrong, refused
    // at that line the same way.
    if looks_like_utf8(head, at_eof) || utf8_chars_before_error(head) >= 4 {
        return Ok((UTF_8, false, Chosen::Undeclared));
    }
    let detected = detect_legacy(head, at_eof);
    if let Some(encoding) = detected.sure {
        return Ok((encoding, false, Chosen::Detected));
    }
    let bad = match std::str::from_utf8(head) {
        Ok(text) => text.len(),
        Err(e) => e.valid_up_to(),
    };
    Err(undetected(
        name,
        line_of(head, bad),
        &escaped_line(head, bad),
        &detected.likely,
    ))
}

/// Whether a declared encoding is consistent with the BOM found in the file.
fn bom_agrees(label: &str, declared: &'static Encoding, bom: &'static Encoding) -> bool {
    if declared == bom {
        return true;
    }
    // A generic "utf-16" declaration leaves the byte order to the BOM.
    let generic_utf16 = matches!(
        label.trim().to_ascii_lowercase().as_str(),
        "utf-16" | "utf16" | "utf_16" | "unicode" | "ucs-2"
    );
    generic_utf16 && (bom == UTF_16LE || bom == UTF_16BE)
}

/// Whether `head` is UTF-8, allowing a character cut off by the end of the sniff window.
fn looks_like_utf8(head: &[u8], at_eof: bool) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // `error_len() == None` means the input ended inside a valid-so-far sequence.
        Err(e) => !at_eof && e.error_len().is_none(),
    }
}

/// How many non-ASCII characters `head` has as valid UTF-8 before its first invalid byte.
fn utf8_chars_before_error(head: &[u8]) -> usize {
    let valid_len = match std::str::from_utf8(head) {
        Ok(text) => text.len(),
        Err(e) => e.valid_up_to(),
    };
    head.get(..valid_len)
        .and_then(|valid| std::str::from_utf8(valid).ok())
        .map_or(0, |text| text.chars().filter(|c| !c.is_ascii()).count())
}

/// Reads decoded text through the end of the header row; returns it and the delimiter
/// (`declared`, or the one the header line suggests).
///
/// The header must end within [`MAX_HEADER_BYTES`] and have at most [`MAX_COLUMNS`]
/// fields; a quote opening a header field that is never closed is a problem at line 1,
/// where the csv reader would read the rest of the file as one header cell.
fn peek_header(
    reader: &mut impl Read,
    declared: Option<u8>,
    name: &Path,
) -> Result<(Vec<u8>, u8), Problem> {
    let mut prefix = Vec::new();
    let mut at_eof = false;
    let mut read_more = |prefix: &mut Vec<u8>| -> Result<bool, Problem> {
        let mut chunk = [0u8; 4096];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    prefix.extend_from_slice(chunk.get(..n).unwrap_or_default());
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_problem(name, &e)),
            }
        }
    };
    // Counts of `,`, `;` and tab outside quotes, up to the first line break outside them.
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    let mut sniffed = 0;
    'sniff: while prefix.len() < MAX_HEADER_BYTES {
        if !read_more(&mut prefix)? {
            at_eof = true;
            break;
        }
        for &byte in prefix.get(sniffed..).unwrap_or_default() {
            match byte {
                // An escaped `""` toggles twice, which is what we want.
                b'"' => in_quotes = !in_quotes,
                b'\n' | b'\r' if !in_quotes => break 'sniff,
                b',' if !in_quotes => counts[0] += 1,
                b';' if !in_quotes => counts[1] += 1,
                b'\t' if !in_quotes => counts[2] += 1,
                _ => {}
            }
        }
        sniffed = prefix.len();
    }
    let delimiter = declared.unwrap_or_else(|| pick_delimiter(counts));

    // Now the header as the csv reader will read it, quotes opening only at a field's start.
    let mut scan = HeaderScan::new(delimiter);
    let mut scanned = 0;
    loop {
        if scan.feed(prefix.get(scanned..).unwrap_or_default()) {
            break;
        }
        scanned = prefix.len();
        if at_eof || prefix.len() >= MAX_HEADER_BYTES {
            return match scan.open_quote {
                Some(column) if scan.state == CsvState::InQuoted => Err(Problem::new(
                    "the header row has a quote that is never closed",
                )
                .file(name)
                .at(1, column)
                .expected("a closing `\"` for every quoted column name")),
                _ if at_eof => Ok((prefix, delimiter)),
                _ => Err(Problem::new(format!(
                    "the header row is longer than the limit of {} MiB",
                    MAX_HEADER_BYTES >> 20
                ))
                .file(name)
                .line(1)
                .expected("a header row of column names")),
            };
        }
        at_eof = !read_more(&mut prefix)?;
    }
    if scan.fields > MAX_COLUMNS {
        return Err(too_many_columns(name, 1, scan.fields));
    }
    Ok((prefix, delimiter))
}

/// The problem for a row of `fields` fields, more than [`MAX_COLUMNS`].
fn too_many_columns(name: &Path, line: u64, fields: u64) -> Problem {
    Problem::new(format!(
        "more columns than the limit of {}",
        thousands(MAX_COLUMNS)
    ))
    .file(name)
    .line(line)
    .found(format!("{} columns", thousands(fields)))
    .expected(format!("at most {} columns", thousands(MAX_COLUMNS)))
}

/// Follows the header row through csv-core's states until it ends.
struct HeaderScan {
    delimiter: u8,
    state: CsvState,
    /// Fields started so far (1-based number of the current one).
    fields: u64,
    /// The field whose opening quote is not yet closed, if any.
    open_quote: Option<u64>,
}

impl HeaderScan {
    fn new(delimiter: u8) -> Self {
        HeaderScan {
            delimiter,
            state: CsvState::StartField,
            fields: 1,
            open_quote: None,
        }
    }

    /// Takes in the next bytes; `true` once a line break ends the header row.
    fn feed(&mut self, bytes: &[u8]) -> bool {
        use CsvState::*;
        for &byte in bytes {
            self.state = match (self.state, byte) {
                (InQuoted, b'"') => QuoteInQuoted,
                (InQuoted, _) => InQuoted,
                (StartField, b'"') | (QuoteInQuoted, b'"') => {
                    self.open_quote = Some(self.fields);
                    InQuoted
                }
                (_, b'\r') | (_, b'\n') => return true,
                (_, b) if b == self.delimiter => {
                    self.fields += 1;
                    StartField
                }
                _ => InField,
            };
        }
        false
    }
}

/// The most frequent candidate delimiter; comma when none was seen or on a tie.
fn pick_delimiter(counts: [usize; 3]) -> u8 {
    let candidates = [b',', b';', b'\t'];
    let max = counts.iter().copied().max().unwrap_or(0);
    let winners: Vec<u8> = candidates
        .iter()
        .zip(counts)
        .filter(|&(_, count)| count == max)
        .map(|(&c, _)| c)
        .collect();
    match winners.as_slice() {
        [only] if max > 0 => *only,
        _ => b',',
    }
}

/// The `io::Error` message for a reading problem, recognising our own decoding errors.
fn io_problem(path: &Path, error: &io::Error) -> Problem {
    let inner = error.get_ref();
    if let Some(invalid) = inner.and_then(|e| e.downcast_ref::<InvalidBytes>()) {
        return invalid.problem(path);
    }
    if let Some(limit) = inner.and_then(|e| e.downcast_ref::<OverLimit>()) {
        return limit.problem(path);
    }
    Problem::new(format!("could not read the file: {error}")).file(path)
}

/// Formats bytes as `0x81 0x20`.
fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("0x{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A `Read` adapter decoding `inner` to UTF-8 chunk by chunk, failing on malformed bytes.
struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    encoding_name: &'static str,
    /// Decoded output not yet handed out is `out[out_start..out_end]`.
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
    /// 1-based line of the next decoded byte (counts line breaks decoded so far).
    line: u64,
    /// Whether the last decoded byte was `\r`, so a following `\n` is the same line break.
    after_cr: bool,
    /// The last few raw bytes consumed, to show malformed sequences spanning buffers.
    recent: Vec<u8>,
    /// Set on malformed input; returned (again) once the text before it has been handed out.
    error: Option<InvalidBytes>,
    finished: bool,
    /// How the encoding was chosen, for the message on malformed input.
    chosen: Chosen,
}

impl<R: BufRead> DecodingReader<R> {
    /// Wraps `inner`; a BOM for `encoding` is stripped so it never reaches the first header name.
    fn new(inner: R, encoding: &'static Encoding) -> Self {
        DecodingReader {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            encoding_name: display_name(encoding),
            out: vec![0; DECODE_CHUNK_LEN],
            out_start: 0,
            out_end: 0,
            line: 1,
            after_cr: false,
            recent: Vec::with_capacity(RECENT_LEN * 2),
            error: None,
            finished: false,
            chosen: Chosen::Declared,
        }
    }

    /// Says how the encoding was chosen (declared unless told otherwise).
    fn chosen(mut self, chosen: Chosen) -> Self {
        self.chosen = chosen;
        self
    }

    /// Decodes the next chunk of raw input into `out`, recording the end of input or an error.
    fn fill(&mut self) -> io::Result<()> {
        let src = self.inner.fill_buf()?;
        let last = src.is_empty();
        let (result, read, written) =
            self.decoder
                .decode_to_utf8_without_replacement(src, &mut self.out, last);
        let decoded = self.out.get(..written).unwrap_or_default();
        // `\r\n`, `\n` and a lone `\r` each end one line, as editors (and the csv reader,
        // after `LineEndings`) see it.
        if memchr::memchr(b'\r', decoded).is_none() {
            // The common case, counted fast: every `\n` is a line but one right after a
            // `\r` at the end of the previous chunk.
            let newlines = memchr::memchr_iter(b'\n', decoded).count() as u64;
            let continued = u64::from(self.after_cr && decoded.first() == Some(&b'\n'));
            self.line += newlines - continued;
            if !decoded.is_empty() {
                self.after_cr = false;
            }
        } else {
            for &byte in decoded {
                if byte == b'\r' || (byte == b'\n' && !self.after_cr) {
                    self.line += 1;
                }
                self.after_cr = byte == b'\r';
            }
        }
        self.out_start = 0;
        self.out_end = written;
        let consumed = src.get(..read).unwrap_or_default();
        match result {
            DecoderResult::InputEmpty => self.finished = last,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(bad_len, extra) => {
                // The malformed sequence ends `extra` bytes before the end of what was read,
                // and may have started in an earlier buffer (hence `recent`).
                let end = read.saturating_sub(usize::from(extra));
                let mut window = self.recent.clone();
                window.extend_from_slice(src.get(..end).unwrap_or_default());
                let bad_end = window.len();
                let start = bad_end.saturating_sub(usize::from(bad_len));
                // The line as found, and for an undeclared file what the bytes from its
                // start on are likely in (the rest of this buffer: bounded, and only on
                // this error).
                window.extend_from_slice(src.get(end..).unwrap_or_default());
                let likely = if self.chosen == Chosen::Undeclared {
                    let line_start = window
                        .get(..start)
                        .and_then(|b| b.iter().rposition(|&c| c == b'\n' || c == b'\r'))
                        .map_or(0, |i| i + 1);
                    detect_legacy(window.get(line_start..).unwrap_or_default(), last).likely
                } else {
                    Vec::new()
                };
                self.error = Some(InvalidBytes {
                    line: self.line,
                    bytes: hex(window.get(start..bad_end).unwrap_or_default()),
                    encoding: self.encoding_name,
                    chosen: self.chosen,
                    shown: escaped_line(&window, start),
                    likely,
                });
            }
        }
        self.recent.extend_from_slice(consumed);
        let excess = self.recent.len().saturating_sub(RECENT_LEN);
        self.recent.drain(..excess);
        self.inner.consume(read);
        Ok(())
    }
}

impl<R: BufRead> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                let end = self.out_start + n;
                buf[..n].copy_from_slice(&self.out[self.out_start..end]);
                self.out_start = end;
                return Ok(n);
            }
            // Sticky: every read after malformed input fails the same way.
            if let Some(error) = &self.error {
                return Err(io::Error::new(io::ErrorKind::InvalidData, error.clone()));
            }
            if self.finished {
                return Ok(0);
            }
            self.fill()?;
        }
    }
}

/// A field or row over its limit; carried inside the `io::Error` the reader returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverLimit {
    /// 1-based line the record starts on.
    pub line: u64,
    /// 1-based number of the field (for a field over the limit).
    pub column: Option<u64>,
    /// Whether the field is inside a quote not yet closed (the likely cause).
    pub in_quotes: bool,
}

impl fmt::Display for OverLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}: field {column} is too long", self.line),
            None => write!(f, "line {}: the row is too long", self.line),
        }
    }
}

impl std::error::Error for OverLimit {}

impl OverLimit {
    /// The user-facing problem for this record of `path`.
    fn problem(&self, path: &Path) -> Problem {
        let problem = match self.column {
            Some(column) => Problem::new(format!(
                "a field longer than the limit of {} MiB",
                MAX_FIELD_BYTES >> 20
            ))
            .at(self.line, column)
            .expected(format!(
                "at most {} bytes in one field",
                thousands(MAX_FIELD_BYTES)
            )),
            None => Problem::new(format!(
                "a row longer than the limit of {} MiB",
                MAX_ROW_BYTES >> 20
            ))
            .line(self.line)
            .expected(format!(
                "at most {} bytes in one row",
                thousands(MAX_ROW_BYTES)
            )),
        };
        let problem = if self.in_quotes {
            Problem {
                message: format!(
                    "{} (inside a quote opened here and never closed?)",
                    problem.message
                ),
                ..problem
            }
        } else {
            problem
        };
        problem.file(path)
    }
}

/// Where `LineEndings` is in a record, mirroring csv-core's parser (quoting on, `""` escapes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvState {
    /// At the start of a field (or of a record): a quote here opens a quoted field.
    StartField,
    /// In an unquoted field: quotes are literal.
    InField,
    /// In a quoted field: everything up to the closing quote is data.
    InQuoted,
    /// Just after a quote inside a quoted field: `""` or the end of the quoted part.
    QuoteInQuoted,
}

/// A `Read` adapter turning record terminators (`\r\n`, lone `\r`) into `\n`.
///
/// csv-core ends a CRLF record at the `\r` and only counts the `\n` when it reads the next
/// record, so every record position after a CRLF line would name the line before it; it never
/// counts a lone `\r` at all. Line breaks inside quoted fields are data and are left alone.
///
/// It also measures every field and row as it passes, failing with [`OverLimit`] before
/// the csv reader would buffer one over [`MAX_FIELD_BYTES`] or [`MAX_ROW_BYTES`].
struct LineEndings<R> {
    inner: R,
    delimiter: u8,
    state: CsvState,
    /// A `\r` terminator was just turned into `\n`; a `\n` right after it must be dropped.
    after_cr: bool,
    /// Line of the next byte passed on, counted as the csv reader counts (`\n`s).
    line: u64,
    /// Line the current record started on.
    record_line: u64,
    /// 1-based number of the current field in its record.
    field: u64,
    /// Bytes of the current field and record so far.
    field_len: u64,
    record_len: u64,
    /// Set once a limit is passed; every later read fails the same way.
    over: Option<OverLimit>,
    /// The longest field and row passed on, in bytes.
    max_field: u64,
    max_row: u64,
}

impl<R: Read> LineEndings<R> {
    /// Wraps `inner`, whose fields are separated by `delimiter` (never a quote or line break).
    fn new(inner: R, delimiter: u8) -> Self {
        LineEndings {
            inner,
            delimiter,
            state: CsvState::StartField,
            after_cr: false,
            line: 1,
            record_line: 1,
            field: 1,
            field_len: 0,
            record_len: 0,
            over: None,
            max_field: MAX_FIELD_BYTES,
            max_row: MAX_ROW_BYTES,
        }
    }

    /// Counts one byte passed on (`quoted`: it was inside a quoted field).
    fn count(&mut self, byte: u8, quoted: bool) {
        if byte == b'\n' {
            self.line += 1;
            if !quoted {
                self.end_record();
                return;
            }
        }
        self.record_len += 1;
        if byte == self.delimiter && !quoted {
            self.field += 1;
            self.field_len = 0;
        } else {
            self.field_len += 1;
        }
    }

    /// A record ended: the next one starts on the current line.
    fn end_record(&mut self) {
        self.record_line = self.line;
        self.field = 1;
        self.field_len = 0;
        self.record_len = 0;
    }

    /// Counts a chunk with no quote and no `\r`, not inside a quoted field, at memchr speed.
    fn count_plain(&mut self, chunk: &[u8]) -> Result<(), OverLimit> {
        let delimiter = self.delimiter;
        let Some(last_newline) = memchr::memrchr(b'\n', chunk) else {
            self.record_len += chunk.len() as u64;
            return self.count_fields(chunk);
        };
        // The record going on ends at the first line break: is it over a limit by then?
        let first_newline = memchr::memchr(b'\n', chunk).unwrap_or(last_newline);
        self.record_len += first_newline as u64;
        self.count_fields(&chunk[..first_newline])?;
        self.check()?;
        self.line += memchr::memchr_iter(b'\n', chunk).count() as u64;
        self.end_record();
        // Records wholly inside the chunk are shorter than it, so within every limit.
        let tail = &chunk[last_newline + 1..];
        self.record_len = tail.len() as u64;
        self.field = 1 + memchr::memchr_iter(delimiter, tail).count() as u64;
        self.field_len = match memchr::memrchr(delimiter, tail) {
            Some(last) => (tail.len() - last - 1) as u64,
            None => tail.len() as u64,
        };
        Ok(())
    }

    /// Counts the fields of `part`, a piece of one record without line breaks.
    fn count_fields(&mut self, part: &[u8]) -> Result<(), OverLimit> {
        match memchr::memchr(self.delimiter, part) {
            None => self.field_len += part.len() as u64,
            Some(first) => {
                self.field_len += first as u64;
                self.check()?;
                let last = memchr::memrchr(self.delimiter, part).unwrap_or(first);
                self.field += memchr::memchr_iter(self.delimiter, part).count() as u64;
                self.field_len = (part.len() - last - 1) as u64;
            }
        }
        Ok(())
    }

    /// An error if the current field or record is over its limit.
    fn check(&mut self) -> Result<(), OverLimit> {
        if self.over.is_none() {
            let in_quotes = self.state == CsvState::InQuoted;
            if self.field_len > self.max_field {
                self.over = Some(OverLimit {
                    line: self.record_line,
                    column: Some(self.field),
                    in_quotes,
                });
            } else if self.record_len > self.max_row {
                self.over = Some(OverLimit {
                    line: self.record_line,
                    column: None,
                    in_quotes,
                });
            }
        }
        match &self.over {
            Some(over) => Err(over.clone()),
            None => Ok(()),
        }
    }

    /// The byte to pass on for `byte`, or `None` to drop it; advances the parser state.
    fn translate(&mut self, byte: u8) -> Option<u8> {
        use CsvState::*;
        if std::mem::take(&mut self.after_cr) && byte == b'\n' {
            return None;
        }
        let quoted = self.state == InQuoted;
        self.state = match (self.state, byte) {
            (InQuoted, b'"') => QuoteInQuoted,
            (InQuoted, _) => InQuoted,
            (StartField, b'"') | (QuoteInQuoted, b'"') => InQuoted,
            (_, b'\r') | (_, b'\n') => StartField,
            (_, b) if b == self.delimiter => StartField,
            _ => InField,
        };
        let byte = if byte == b'\r' && !quoted {
            self.after_cr = true;
            b'\n'
        } else {
            byte
        };
        self.count(byte, quoted);
        Some(byte)
    }
}

impl<R: Read> Read for LineEndings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let over = |over: OverLimit| io::Error::new(io::ErrorKind::InvalidData, over);
        loop {
            self.check().map_err(over)?;
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            // The usual chunk has no `\r` and no quote: every byte passes unchanged, and the
            // state after it follows from its last byte (what `translate` would work out).
            let chunk = &buf[..n];
            if !self.after_cr
                && n as u64 <= self.max_field
                && !chunk.contains(&b'\r')
                && !chunk.contains(&b'"')
            {
                if self.state == CsvState::InQuoted {
                    // All data of one quoted field, line breaks included.
                    self.line += memchr::memchr_iter(b'\n', chunk).count() as u64;
                    self.field_len += n as u64;
                    self.record_len += n as u64;
                } else {
                    self.count_plain(chunk).map_err(over)?;
                }
                self.check().map_err(over)?;
                let last = chunk[n - 1];
                self.state = match self.state {
                    CsvState::InQuoted => CsvState::InQuoted,
                    _ if last == b'\n' || last == self.delimiter => CsvState::StartField,
                    _ => CsvState::InField,
                };
                return Ok(n);
            }
            // Output never outgrows input, so translate in place.
            let mut written = 0;
            for i in 0..n {
                if let Some(byte) = self.translate(buf[i]) {
                    buf[written] = byte;
                    written += 1;
                    self.check().map_err(over)?;
                }
            }
            // Only a dropped `\n` can leave nothing; 0 would mean end of input, so read on.
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{GB18030, GBK, SHIFT_JIS, WINDOWS_1252};

    type Rows = Vec<Vec<String>>;

    /// Reads all of `bytes` as CSV, turning any error into a Problem.
    fn read_all(
        input: Box<dyn Read>,
        options: &TextOptions,
    ) -> Result<(Vec<String>, Rows, TextFormat), Problem> {
        let name = Path::new("test.csv");
        let (mut reader, format) = open_csv_reader(input, name, options)?;
        let headers = reader
            .headers()
            .map_err(|e| csv_problem(name, &e))?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_problem(name, &e))?;
            rows.push(record.iter().map(str::to_owned).collect());
        }
        Ok((headers, rows, format))
    }

    fn read_bytes(
        bytes: Vec<u8>,
        options: &TextOptions,
    ) -> Result<(Vec<String>, Rows, TextFormat), Problem> {
        read_all(Box::new(Cursor::new(bytes)), options)
    }

    fn declared(label: &str) -> TextOptions {
        TextOptions {
            encoding: Some(label.to_owned()),
            delimiter: None,
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    /// A reader that hands out one byte per call, to exercise every buffer boundary.
    struct OneByte(Cursor<Vec<u8>>);

    impl Read for OneByte {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match buf.first_mut() {
                Some(slot) => self.0.read(std::slice::from_mut(slot)),
                None => Ok(0),
            }
        }
    }

    #[test]
    fn utf8_bom_crlf_semicolons() {
        let bytes = "\u{FEFF}网点;有形度\r\nAnn;5\r\nBo;4\r\n"
            .as_bytes()
            .to_vec();
        let (headers, rows, format) = read_bytes(bytes, &TextOptions::default()).unwrap();
        assert_eq!(headers, strings(&["网点", "有形度"]));
        assert_eq!(rows, vec![strings(&["Ann", "5"]), strings(&["Bo", "4"])]);
        assert_eq!(
            format,
            TextFormat {
                encoding: UTF_8,
                delimiter: b';',
                bom: true,
                detected: false,
            }
        );
    }

    #[test]
    fn utf8_without_bom_tab_delimited() {
        let bytes = "网点\t有形度\n北京\t5\n".as_bytes().to_vec();
        let (headers, rows, format) = read_bytes(bytes, &TextOptions::default()).unwrap();
        assert_eq!(headers, strings(&["网点", "有形度"]));
        assert_eq!(rows, vec![strings(&["北京", "5"])]);
        assert_eq!(format.delimiter, b'\t');
        assert!(!format.bom);
        assert_eq!(format.encoding, UTF_8);
    }

    /// A GBK survey export long enough for the detection to be sure of it.
    const GBK_ROWS: &str = "网点,有形度\n北京网点,5\n上海网点,4\n广州网点,5\n深圳网点,3\n\
                            工作人员态度热情,5\n排队时间太长,2\n环境整洁明亮,4\n";

    #[test]
    fn gbk_detected_without_declaration() {
        let (bytes, _, had_errors) = GBK.encode(GBK_ROWS);
        assert!(!had_errors);
        let (headers, rows, format) =
            read_bytes(bytes.into_owned(), &TextOptions::default()).unwrap();
        assert_eq!(headers, strings(&["网点", "有形度"]));
        assert_eq!(rows[0], strings(&["北京网点", "5"]));
        assert_eq!(rows.len(), 7);
        assert_eq!(format.encoding, GB18030);
        assert!(format.detected);
        assert_eq!(format.delimiter, b',');
    }

    #[test]
    fn too_little_text_to_be_sure_is_refused_with_its_line() {
        // Seven Chinese characters in GBK are also seven Korean syllables in CP949's
        // byte ranges: no guess, the first line that is not UTF-8 and the candidates.
        let mut bytes = b"site,score\n".to_vec();
        bytes.extend_from_slice(&GBK.encode("网点,有形度\n北京,5\n").0);
        let problem = read_bytes(bytes, &TextOptions::default()).unwrap_err();
        assert_eq!(problem.line, Some(2), "{problem}");
        assert_eq!(problem.field.as_deref(), Some("encoding"));
        assert_eq!(
            problem.found.as_deref(),
            Some("<CD F8 B5 E3>,<D3 D0 D0 CE B6 C8>")
        );
        assert!(problem.message.contains("GBK/GB18030"), "{problem}");
        assert!(problem.message.contains("EUC-KR (CP949)"), "{problem}");
        assert!(
            problem
                .expected
                .as_deref()
                .unwrap_or("")
                .contains("--encoding"),
            "{problem}"
        );
    }

    #[test]
    fn lines_are_shown_escaped_and_cut_around_the_bad_byte() {
        assert_eq!(escaped_line(b"a,b\nZ\xFCrich,5\nx", 5), "Z<FC>rich,5");
        assert_eq!(escaped_line(b"\xB1\xB1,\x01\r\n", 0), "<B1 B1>,<01>");
        let long = [b"x".repeat(100), b"\xFF".to_vec(), b"y".repeat(100)].concat();
        let shown = escaped_line(&long, 100);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("x<FF>y"), "{shown}");
        assert_eq!(line_of(b"a\r\nb\rc\nd", 7), 4);
    }

    #[test]
    fn declared_shift_jis() {
        let (bytes, _, had_errors) = SHIFT_JIS.encode("店舗,評価\n東京,5\n");
        assert!(!had_errors);
        let (headers, rows, format) =
            read_bytes(bytes.into_owned(), &declared("Shift_JIS")).unwrap();
        assert_eq!(headers, strings(&["店舗", "評価"]));
        assert_eq!(rows, vec![strings(&["東京", "5"])]);
        assert_eq!(format.encoding, SHIFT_JIS);
    }

    #[test]
    fn declared_windows_1252() {
        let (bytes, _, had_errors) = WINDOWS_1252.encode("Café;Note\r\nCrème brûlée;5\r\n");
        assert!(!had_errors);
        let (headers, rows, format) =
            read_bytes(bytes.into_owned(), &declared("windows-1252")).unwrap();
        assert_eq!(headers, strings(&["Café", "Note"]));
        assert_eq!(rows, vec![strings(&["Crème brûlée", "5"])]);
        assert_eq!(format.encoding, WINDOWS_1252);
        assert_eq!(format.delimiter, b';');
    }

    #[test]
    fn utf16le_bom_detected() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(
            "网点,有形度\r\n北京,5\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let (headers, rows, format) = read_bytes(bytes, &TextOptions::default()).unwrap();
        assert_eq!(headers, strings(&["网点", "有形度"]));
        assert_eq!(rows, vec![strings(&["北京", "5"])]);
        assert_eq!(format.encoding, UTF_16LE);
        assert!(format.bom);
    }

    #[test]
    fn generic_utf16_declaration_accepts_big_endian_bom() {
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend("a,b\n1,2\n".encode_utf16().flat_map(u16::to_be_bytes));
        let (headers, _, format) = read_bytes(bytes, &declared("utf-16")).unwrap();
        assert_eq!(headers, strings(&["a", "b"]));
        assert_eq!(format.encoding, UTF_16BE);
    }

    #[test]
    fn bom_contradicting_declaration_is_a_problem() {
        let bytes = "\u{FEFF}a,b\n1,2\n".as_bytes().to_vec();
        let problem = read_bytes(bytes, &declared("gbk")).unwrap_err();
        assert_eq!(problem.field.as_deref(), Some("encoding"));
        assert_eq!(problem.found.as_deref(), Some("gbk"));
    }

    #[test]
    fn invalid_bytes_in_declared_gbk_name_line_3() {
        let (start, _, _) = GBK.encode("网点,有形度\n北京,5\n");
        let mut bytes = start.into_owned();
        bytes.extend_from_slice(b"\x81\x20x,3\n");
        bytes.extend_from_slice(b"y,4\n");
        let problem = read_bytes(bytes, &declared("gbk")).unwrap_err();
        assert_eq!(problem.line, Some(3));
        assert_eq!(
            problem.to_string(),
            "test.csv:3: bytes not valid in GBK/GB18030: found \"0x81\", \
             expected text in that encoding (declare encoding: in the audit if it is another)"
        );
    }

    #[test]
    fn invalid_utf8_names_line_4() {
        let bytes = b"a,b\n1,2\n3,4\n5,\xFF\n6,7\n".to_vec();
        let problem = read_bytes(bytes, &declared("utf-8")).unwrap_err();
        assert_eq!(problem.line, Some(4));
        assert_eq!(problem.found.as_deref(), Some("0xFF"));
        assert!(problem.message.contains("UTF-8"), "{problem}");
    }

    #[test]
    fn rows_before_invalid_bytes_are_still_read() {
        let bytes = b"a,b\n1,2\n3,4\n5,\xFF\n".to_vec();
        let name = Path::new("test.csv");
        let (mut reader, _) =
            open_csv_reader(Box::new(Cursor::new(bytes)), name, &declared("utf-8")).unwrap();
        let results: Vec<_> = reader.records().collect();
        assert!(results[0].is_ok());
        assert!(results[1].is_ok());
        let error = results[2].as_ref().unwrap_err();
        assert_eq!(csv_problem(name, error).line, Some(4));
    }

    #[test]
    fn invalid_bytes_in_header_fail_at_open() {
        let bytes = b"a\xFF,b\n1,2\n".to_vec();
        let problem = read_bytes(bytes, &declared("utf-8")).unwrap_err();
        assert_eq!(problem.line, Some(1));
    }

    #[test]
    fn invalid_utf8_late_in_undeclared_file_is_an_error() {
        // ASCII sniffs as UTF-8; GBK bytes after the sniff window must not become mojibake.
        let mut bytes = b"a,b\n".to_vec();
        let rows = SNIFF_LEN / 4 + 10;
        for _ in 0..rows {
            bytes.extend_from_slice(b"1,2\n");
        }
        let (tail, _, _) = GBK.encode("北京,5\n");
        bytes.extend_from_slice(&tail);
        let problem = read_bytes(bytes, &TextOptions::default()).unwrap_err();
        assert_eq!(problem.line, Some(rows as u64 + 2));
        assert!(problem.message.contains("UTF-8"), "{problem}");
    }

    #[test]
    fn a_late_line_in_another_encoding_is_refused_with_the_likely_ones() {
        // UTF-8 as far as the sniff window goes, then a windows-1252 line: refused at
        // that line with its bytes, never read as anything.
        let mut bytes = "site,comment\nGenève,très bien\n".as_bytes().to_vec();
        let rows = SNIFF_LEN / 4 + 10;
        for _ in 0..rows {
            bytes.extend_from_slice(b"x,1\n");
        }
        let late = "Zürich,Begrüßung und Beratung waren sehr freundlich\n".repeat(5);
        bytes.extend_from_slice(&WINDOWS_1252.encode(&late).0);
        let problem = read_bytes(bytes, &TextOptions::default()).unwrap_err();
        assert_eq!(problem.line, Some(rows as u64 + 3), "{problem}");
        assert_eq!(problem.field.as_deref(), Some("encoding"));
        assert_eq!(
            problem.found.as_deref(),
            Some("Z<FC>rich,Begr<FC DF>ung und Beratung waren sehr …")
        );
        assert!(problem.message.contains("windows-1252"), "{problem}");
    }

    #[test]
    fn corrupt_utf8_is_not_mistaken_for_gbk() {
        let mut bytes = "网点,有形度\n北京,5\n".as_bytes().to_vec();
        let (gbk, _, _) = GBK.encode("上海,4\n");
        bytes.extend_from_slice(&gbk);
        let problem = read_bytes(bytes, &TextOptions::default()).unwrap_err();
        assert_eq!(problem.line, Some(3));
        assert!(problem.message.contains("UTF-8"), "{problem}");
    }

    #[test]
    fn unknown_encoding_label() {
        let problem = read_bytes(b"a,b\n".to_vec(), &declared("klingon")).unwrap_err();
        assert_eq!(problem.field.as_deref(), Some("encoding"));
        assert_eq!(problem.found.as_deref(), Some("klingon"));
        assert!(problem.expected.as_deref().unwrap_or("").contains("gbk"));
    }

    #[test]
    fn undetectable_encoding_is_a_problem() {
        let problem =
            read_bytes(b"\xFF\xFF,a\n1,2\n".to_vec(), &TextOptions::default()).unwrap_err();
        assert_eq!(problem.field.as_deref(), Some("encoding"));
        assert!(problem.message.contains("could not detect"), "{problem}");
    }

    #[test]
    fn too_many_fields_names_the_line() {
        let bytes = b"a,b\r\n1,2\r\n3,4,5\r\n6,7\r\n".to_vec();
        let problem = read_bytes(bytes, &TextOptions::default()).unwrap_err();
        assert_eq!(problem.line, Some(3));
        assert_eq!(
            problem.to_string(),
            "test.csv:3: wrong number of fields in this row: found \"3 fields\", \
             expected 2 fields, as in the header"
        );
        assert_eq!(problem.found.as_deref(), Some("3 fields"));
        assert!(problem
            .expected
            .as_deref()
            .unwrap_or("")
            .starts_with("2 fields"));
    }

    /// The line csv reports for each record of `bytes`.
    fn record_lines(bytes: &[u8]) -> Vec<u64> {
        let name = Path::new("test.csv");
        let input = Box::new(Cursor::new(bytes.to_vec()));
        let (mut reader, _) = open_csv_reader(input, name, &TextOptions::default()).unwrap();
        reader
            .records()
            .map(|r| r.unwrap().position().map_or(0, |p| p.line()))
            .collect()
    }

    #[test]
    fn record_lines_are_right_for_lf_crlf_and_cr() {
        assert_eq!(record_lines(b"a,b\n1,2\n3,4\n"), vec![2, 3]);
        assert_eq!(record_lines(b"a,b\r\n1,2\r\n3,4\r\n"), vec![2, 3]);
        assert_eq!(record_lines(b"a,b\r1,2\r3,4\r"), vec![2, 3]);
        // A quoted line break is data but still a line in the file.
        assert_eq!(record_lines(b"a,b\r\n1,\"x\r\ny\"\r\n3,4\r\n"), vec![2, 4]);
    }

    #[test]
    fn line_breaks_inside_quotes_are_kept() {
        let bytes = b"a,b\r\n1,\"x\r\ny\"\r\n2,\"p\"\"\r\"\r\n".to_vec();
        let (_, rows, _) = read_bytes(bytes, &TextOptions::default()).unwrap();
        assert_eq!(
            rows,
            vec![strings(&["1", "x\r\ny"]), strings(&["2", "p\"\r"])]
        );
    }

    #[test]
    fn crlf_invalid_bytes_name_their_line() {
        let bytes = b"a,b\r\n1,2\r\n3,\xFF\r\n".to_vec();
        let problem = read_bytes(bytes, &declared("utf-8")).unwrap_err();
        assert_eq!(problem.line, Some(3));
    }

    #[test]
    fn line_endings_are_the_same_in_any_chunks() {
        // Quotes, CRs and plain stretches falling at every offset of every chunk size: the
        // short way (a chunk with neither) must leave the state as byte-by-byte would.
        let input = b"a,\"b\r\n\"\r\nplain,text\n\"q\nq\",x\rc,d\r\r\nend,\"\"\"x\"\nlast";
        let mut one = Vec::new();
        LineEndings::new(OneByte(Cursor::new(input.to_vec())), b',')
            .read_to_end(&mut one)
            .unwrap();
        for size in 1..input.len() {
            let mut out = Vec::new();
            let mut reader = LineEndings::new(Cursor::new(input.to_vec()), b',');
            let mut buf = vec![0u8; size];
            loop {
                let n = reader.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(out, one, "chunks of {size}");
        }
    }

    #[test]
    fn line_endings_survive_one_byte_reads() {
        let mut out = Vec::new();
        let input = OneByte(Cursor::new(b"a,\"b\r\n\"\r\nc,d\r\r\n".to_vec()));
        LineEndings::new(input, b',').read_to_end(&mut out).unwrap();
        assert_eq!(out, b"a,\"b\r\n\"\nc,d\n\n");
    }

    #[test]
    fn crlf_split_across_reads_is_one_line_break() {
        // One-byte reads put the `\r` and its `\n` in different buffers.
        let mut out = Vec::new();
        let input = OneByte(Cursor::new(b"a,b\r\nc,d\r\n\ne\r".to_vec()));
        LineEndings::new(input, b',').read_to_end(&mut out).unwrap();
        assert_eq!(out, b"a,b\nc,d\n\ne\n");
        // Lines as the decoder counts them: 1 + `\r\n`, `\r\n`, `\n`, then the bad byte.
        let bytes = b"a\r\nb\r\n\n\xFF".to_vec();
        for capacity in [1, 2, 64] {
            let raw = BufReader::with_capacity(capacity, &bytes[..]);
            let error = DecodingReader::new(raw, UTF_8)
                .read_to_end(&mut Vec::new())
                .unwrap_err();
            let invalid = error
                .get_ref()
                .unwrap()
                .downcast_ref::<InvalidBytes>()
                .unwrap();
            assert_eq!(invalid.line, 4, "buffers of {capacity}");
        }
    }

    #[test]
    fn quoted_field_with_delimiter_and_newline() {
        let bytes = "name;comment\n\"Ann\";\"hello; world\nsecond \"\"line\"\"\"\nBo;ok\n"
            .as_bytes()
            .to_vec();
        let (headers, rows, format) = read_bytes(bytes, &TextOptions::default()).unwrap();
        assert_eq!(format.delimiter, b';');
        assert_eq!(headers, strings(&["name", "comment"]));
        assert_eq!(
            rows,
            vec![
                strings(&["Ann", "hello; world\nsecond \"line\""]),
                strings(&["Bo", "ok"])
            ]
        );
    }

    #[test]
    fn delimiter_sniff_ignores_quoted_header_text() {
        let bytes = b"\"a,b,c\";d;e\n1;2;3\n".to_vec();
        let (headers, _, format) = read_bytes(bytes, &TextOptions::default()).unwrap();
        assert_eq!(format.delimiter, b';');
        assert_eq!(headers, strings(&["a,b,c", "d", "e"]));
    }

    #[test]
    fn delimiter_tie_or_none_is_comma() {
        assert_eq!(pick_delimiter([0, 0, 0]), b',');
        assert_eq!(pick_delimiter([0, 2, 2]), b',');
        assert_eq!(pick_delimiter([1, 2, 0]), b';');
    }

    #[test]
    fn declared_delimiter_wins() {
        let options = TextOptions {
            encoding: None,
            delimiter: Some(b'|'),
        };
        let (headers, rows, format) = read_bytes(b"a,b|c\n1|2\n".to_vec(), &options).unwrap();
        assert_eq!(format.delimiter, b'|');
        assert_eq!(headers, strings(&["a,b", "c"]));
        assert_eq!(rows, vec![strings(&["1", "2"])]);
    }

    #[test]
    fn unusable_delimiter_is_a_problem() {
        let options = TextOptions {
            encoding: None,
            delimiter: Some(b'"'),
        };
        let problem = read_bytes(b"a,b\n".to_vec(), &options).unwrap_err();
        assert_eq!(problem.field.as_deref(), Some("delimiter"));
    }

    #[test]
    fn empty_input_has_no_rows() {
        let (headers, rows, format) = read_bytes(Vec::new(), &TextOptions::default()).unwrap();
        assert!(headers.is_empty());
        assert!(rows.is_empty());
        assert_eq!(format.encoding, UTF_8);
    }

    #[test]
    fn multibyte_characters_across_one_byte_reads() {
        let (bytes, _, _) = GBK.encode("网点,有形度\n北京,5\n上海,4\n");
        let input = Box::new(OneByte(Cursor::new(bytes.into_owned())));
        let (headers, rows, _) = read_all(input, &declared("gbk")).unwrap();
        assert_eq!(headers, strings(&["网点", "有形度"]));
        assert_eq!(rows, vec![strings(&["北京", "5"]), strings(&["上海", "4"])]);
    }

    #[test]
    fn decoder_handles_one_byte_buffers() {
        // A 1-byte BufReader splits every multi-byte character across decoder calls.
        let text = "\u{FEFF}网点,評価,Crème\n北京,5,ü\n";
        let raw = BufReader::with_capacity(1, text.as_bytes());
        let mut decoded = String::new();
        DecodingReader::new(raw, UTF_8)
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, text.trim_start_matches('\u{FEFF}'));

        let (gbk, _, _) = GBK.encode("网点,有形度\n北京,5\n");
        let raw = BufReader::with_capacity(1, &gbk[..]);
        let mut decoded = String::new();
        DecodingReader::new(raw, GBK)
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, "网点,有形度\n北京,5\n");
    }

    #[test]
    fn malformed_sequence_spanning_buffers_is_shown_whole() {
        // UTF-8 lead byte E5 followed by continuation 0x8C then ASCII: the bad bytes straddle
        // 1-byte buffers.
        let bytes = b"a,b\n1,\xE5\x8C\n".to_vec();
        let raw = BufReader::with_capacity(1, &bytes[..]);
        let mut decoded = String::new();
        let error = DecodingReader::new(raw, UTF_8)
            .read_to_string(&mut decoded)
            .unwrap_err();
        let invalid = error
            .get_ref()
            .and_then(|e| e.downcast_ref::<InvalidBytes>())
            .unwrap();
        assert_eq!(invalid.line, 2);
        assert_eq!(invalid.bytes, "0xE5 0x8C");
    }

    #[test]
    fn character_straddling_the_sniff_window_is_not_misdetected() {
        // Fill so that a multi-byte character is cut at exactly SNIFF_LEN bytes.
        for encoding in [UTF_8, GBK] {
            let mut text = String::from("name,value\n");
            // Enough Chinese text first for GBK to be detected for sure.
            text.push_str(GBK_ROWS.split_once('\n').map_or("", |(_, rows)| rows));
            while text.len() < SNIFF_LEN - 20 {
                text.push_str("x,1\n");
            }
            text.push_str(&"y".repeat(SNIFF_LEN - 1 - text.len()));
            text.push_str("北,2\n"); // first byte at SNIFF_LEN - 1 in both encodings
            let (bytes, _, _) = encoding.encode(&text);
            let (headers, rows, format) =
                read_bytes(bytes.into_owned(), &TextOptions::default()).unwrap();
            assert_eq!(headers, strings(&["name", "value"]));
            let last = rows.last().unwrap();
            assert!(last[0].ends_with("y北"), "{:?}", last[0]);
            let expected = if encoding == UTF_8 { UTF_8 } else { GB18030 };
            assert_eq!(format.encoding, expected);
        }
    }

    #[test]
    fn large_input_streams_all_rows() {
        let rows = 200_000;
        let mut bytes = "网点,有形度,可靠性\r\n".as_bytes().to_vec();
        for i in 0..rows {
            bytes.extend_from_slice(format!("北京{i},{},{}\r\n", i % 7 + 1, i % 5 + 1).as_bytes());
        }
        let name = Path::new("big.csv");
        let (mut reader, _) =
            open_csv_reader(Box::new(Cursor::new(bytes)), name, &TextOptions::default()).unwrap();
        let mut record = csv::StringRecord::new();
        let mut count = 0;
        let mut last = String::new();
        while reader.read_record(&mut record).unwrap() {
            count += 1;
            if let Some(first) = record.get(0) {
                last.clear();
                last.push_str(first);
            }
        }
        assert_eq!(count, rows);
        assert_eq!(last, format!("北京{}", rows - 1));
    }

    /// `head`, then `body` repeated until `len` bytes, then `tail`: a big input, never in memory.
    struct Repeat {
        parts: Vec<u8>,
        body: Vec<u8>,
        left: u64,
        tail: Cursor<Vec<u8>>,
    }

    impl Repeat {
        fn new(head: &[u8], body: &[u8], len: u64, tail: &[u8]) -> Self {
            Repeat {
                parts: head.to_vec(),
                body: body.to_vec(),
                left: len,
                tail: Cursor::new(tail.to_vec()),
            }
        }
    }

    impl Read for Repeat {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if !self.parts.is_empty() {
                let n = buf.len().min(self.parts.len());
                buf[..n].copy_from_slice(&self.parts[..n]);
                self.parts.drain(..n);
                return Ok(n);
            }
            if self.left == 0 {
                return self.tail.read(buf);
            }
            let n = buf.len().min(self.left as usize).min(self.body.len());
            buf[..n].copy_from_slice(&self.body[..n]);
            self.left -= n as u64;
            let len = self.body.len();
            self.body.rotate_left(n % len);
            Ok(n)
        }
    }

    #[test]
    fn a_field_over_the_limit_names_line_and_column() {
        let input = Repeat::new(b"a,b,c\n1,2,3\n4,", b"x", MAX_FIELD_BYTES + 1, b",6\n");
        let problem = read_all(Box::new(input), &TextOptions::default()).unwrap_err();
        assert_eq!(
            (problem.line, problem.column),
            (Some(3), Some(2)),
            "{problem}"
        );
        assert!(
            problem.message.contains("longer than the limit of 1 MiB"),
            "{problem}"
        );
        assert!(!problem.message.contains("quote"), "{problem}");
        assert!(problem.to_string().len() < 300, "{problem}");
    }

    #[test]
    fn a_quote_never_closed_is_a_field_over_the_limit() {
        // The rest of the file, line breaks included, is one quoted field.
        let input = Repeat::new(b"a,b\n1,2\n3,\"x", b"ab\ncd,", 2 * MAX_FIELD_BYTES, b"");
        let problem = read_all(Box::new(input), &TextOptions::default()).unwrap_err();
        assert_eq!(
            (problem.line, problem.column),
            (Some(3), Some(2)),
            "{problem}"
        );
        assert!(problem.message.contains("never closed"), "{problem}");
    }

    /// Line and field where reading stopped at a limit, if it did.
    type Stop = Option<(u64, Option<u64>)>;

    /// Where `LineEndings` with a field limit of 6 and a row limit of 20 stops `input`,
    /// read in chunks of `size` bytes (the fast path takes chunks up to the field limit).
    fn small_limits(input: &[u8], size: usize) -> Stop {
        let mut reader = LineEndings::new(Cursor::new(input.to_vec()), b',');
        reader.max_field = 6;
        reader.max_row = 20;
        let mut buf = vec![0u8; size];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    let over = e.get_ref().unwrap().downcast_ref::<OverLimit>().unwrap();
                    return Some((over.line, over.column));
                }
            }
        }
    }

    #[test]
    fn limits_stop_at_the_same_place_in_any_chunks() {
        let cases: [(&[u8], Stop); 7] = [
            (b"a,b\n123456,1\n12,34\n", None),
            (b"a,b\n1234567,1\n", Some((2, Some(1)))),
            (b"a,b\n1,2\n3,1234567\n", Some((3, Some(2)))),
            (b"a\n1,2,3,4,5,6,7,8,9,10,11\n", Some((2, None))),
            (
                b"a\r\n\"1\r\n2\",3\r\n4,\"12345\n67\"\n",
                Some((4, Some(2))),
            ),
            (b"a,b\n\n\n12,1234567", Some((4, Some(2)))),
            (b"a,\"b\nc\",d\n1,2\n", None),
        ];
        for (input, expected) in cases {
            for size in 1..=6 {
                assert_eq!(
                    small_limits(input, size),
                    expected,
                    "{:?} in chunks of {size}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    #[test]
    fn limits_count_crlf_and_quoted_rows_like_the_csv_reader() {
        // Slow path (quotes and CRs): the long field is on line 4, after a quoted line break.
        let mut bytes = b"a;b\r\n\"1\r\n2\";x\r\n3;".to_vec();
        bytes.extend(std::iter::repeat_n(b'y', MAX_FIELD_BYTES as usize + 1));
        bytes.extend_from_slice(b"\r\n");
        let problem = read_bytes(bytes, &TextOptions::default()).unwrap_err();
        assert_eq!(
            (problem.line, problem.column),
            (Some(4), Some(2)),
            "{problem}"
        );
        // Just within the limit, the row is read.
        let mut bytes = b"a,b\n1,".to_vec();
        bytes.extend(std::iter::repeat_n(b'y', MAX_FIELD_BYTES as usize));
        bytes.push(b'\n');
        let (_, rows, _) = read_bytes(bytes, &TextOptions::default()).unwrap();
        assert_eq!(rows[0][1].len() as u64, MAX_FIELD_BYTES);
    }

    #[test]
    fn a_stray_quote_in_the_header_is_refused_at_line_1() {
        // Small file: the quote is still open at the end.
        let problem =
            read_bytes(b"id,\"name,x\n1,2,3\n".to_vec(), &TextOptions::default()).unwrap_err();
        assert_eq!(
            (problem.line, problem.column),
            (Some(1), Some(2)),
            "{problem}"
        );
        assert!(problem.message.contains("never closed"), "{problem}");
        // Large file: refused after the header limit, not read whole.
        let started = std::time::Instant::now();
        let input = Repeat::new(b"id,\"name,x\n", b"1,2,3\n", 50 * MAX_FIELD_BYTES, b"");
        let problem = read_all(Box::new(input), &TextOptions::default()).unwrap_err();
        assert_eq!(
            (problem.line, problem.column),
            (Some(1), Some(2)),
            "{problem}"
        );
        assert!(started.elapsed().as_secs() < 5);
        // A quote inside a field is literal to the csv reader, and so here.
        let (headers, _, _) =
            read_bytes(b"id,na\"me\n1,2\n".to_vec(), &TextOptions::default()).unwrap();
        assert_eq!(headers, strings(&["id", "na\"me"]));
    }

    #[test]
    fn a_header_without_end_or_with_too_many_columns_is_refused() {
        let input = Repeat::new(b"", b"abcdefg", MAX_HEADER_BYTES as u64 + 10, b"\n1\n");
        let problem = read_all(Box::new(input), &TextOptions::default()).unwrap_err();
        assert_eq!(problem.line, Some(1), "{problem}");
        assert!(
            problem.message.contains("header row is longer"),
            "{problem}"
        );

        let wide = |n: u64| {
            let mut header: Vec<u8> = (0..n).flat_map(|i| format!("c{i},").into_bytes()).collect();
            header.pop();
            header.extend_from_slice(b"\n");
            header
        };
        let started = std::time::Instant::now();
        let problem = read_bytes(wide(100_000), &TextOptions::default()).unwrap_err();
        assert!(started.elapsed().as_secs() < 2);
        assert_eq!(problem.line, Some(1));
        assert_eq!(problem.found.as_deref(), Some("100,000 columns"));
        let (headers, _, _) = read_bytes(wide(MAX_COLUMNS), &TextOptions::default()).unwrap();
        assert_eq!(headers.len() as u64, MAX_COLUMNS);
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused() {
        let problem = match open_csv(Path::new("/dev/zero"), &TextOptions::default()) {
            Ok(_) => panic!("/dev/zero must be refused"),
            Err(problem) => problem,
        };
        assert!(problem.message.contains("not a regular file"), "{problem}");
    }

    #[test]
    fn open_csv_reads_a_file_and_reports_missing_ones() {
        let dir = std::env::temp_dir().join(format!("servqual-text-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("gbk.csv");
        let (bytes, _, _) = GBK.encode(GBK_ROWS);
        std::fs::write(&path, &bytes).unwrap();
        let (mut reader, format) = open_csv(&path, &TextOptions::default()).unwrap();
        assert_eq!(format.encoding, GB18030);
        assert_eq!(reader.headers().unwrap(), vec!["网点", "有形度"]);
        std::fs::remove_dir_all(&dir).unwrap();

        let problem = match open_csv(&dir.join("missing.csv"), &TextOptions::default()) {
            Ok(_) => panic!("a missing file must be a problem"),
            Err(problem) => problem,
        };
        assert!(problem.message.contains("could not open"), "{problem}");
    }
}
