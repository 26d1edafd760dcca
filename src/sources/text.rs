//! Delimited text files in any encoding, streamed as a `csv::Reader` over UTF-8.
//!
//! Survey tools and Excel write UTF-8 (with or without BOM), UTF-16 with a BOM, GBK/GB18030
//! or whatever the local code page is. We decode to UTF-8 on the fly, so the rest of the
//! program only ever sees `&str`, and we refuse bytes that are invalid in the chosen encoding
//! instead of replacing them: silently garbled answers would corrupt an audit unnoticed.
//!
//! Only a bounded prefix is ever held in memory (the encoding sniff window and the header
//! line), so memory does not grow with the number of rows.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;

use encoding_rs::{Decoder, DecoderResult, Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

use crate::encoding::encoding_for_label;
use crate::problem::Problem;

/// How much raw input is examined to detect the encoding.
const SNIFF_LEN: usize = 64 * 1024;
/// Upper bound on decoded text buffered while looking for the end of the header line.
const HEADER_PEEK_LEN: usize = 64 * 1024;
/// Size of the buffered read over the raw file.
const READ_BUFFER_LEN: usize = 64 * 1024;
/// Size of the decoded-output chunk; comfortably larger than any single character.
const DECODE_CHUNK_LEN: usize = 16 * 1024;
/// How many already-consumed raw bytes to remember, so that a malformed sequence that began
/// in an earlier buffer can still be shown (encoding_rs reports at most 4 malformed bytes).
const RECENT_LEN: usize = 8;

/// Labels suggested when the audit declares an encoding we do not know.
const KNOWN_LABELS: &str = "a known encoding label such as utf-8, gbk, gb18030, euc-kr, \
                            shift_jis, big5, windows-1252 or utf-16le";

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
        Problem::new(format!("bytes not valid in {}", self.encoding))
            .file(path)
            .line(self.line)
            .found(self.bytes.clone())
            .expected("text in that encoding (declare encoding: in the audit if it is another)")
    }
}

/// Opens `path` as CSV with a header row; returns the reader (records are UTF-8) and what was detected.
pub fn open_csv(
    path: &Path,
    options: &TextOptions,
) -> Result<(csv::Reader<Box<dyn Read>>, TextFormat), Problem> {
    let file = File::open(path)
        .map_err(|e| Problem::new(format!("could not open the file: {e}")).file(path))?;
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
    let (encoding, bom) = choose_encoding(&head, at_eof, name, options.encoding.as_deref())?;

    let raw = BufReader::with_capacity(READ_BUFFER_LEN, Cursor::new(head).chain(input));
    let mut decoded = DecodingReader::new(raw, encoding);

    // The delimiter is sniffed from decoded text, so the header line is read ahead and then
    // replayed to the csv reader.
    let (prefix, sniffed) = peek_header(&mut decoded).map_err(|e| io_problem(name, &e))?;
    let delimiter = options.delimiter.unwrap_or(sniffed);

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

/// Name of `encoding` for messages; GBK and GB18030 share a decoder, so name them together.
fn display_name(encoding: &'static Encoding) -> &'static str {
    if encoding == GBK || encoding == GB18030 {
        "GBK/GB18030"
    } else {
        encoding.name()
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

/// Decides the encoding from the BOM, the declaration or the sniffed bytes; returns it and whether a BOM was seen.
fn choose_encoding(
    head: &[u8],
    at_eof: bool,
    name: &Path,
    declared: Option<&str>,
) -> Result<(&'static Encoding, bool), Problem> {
    let bom = Encoding::for_bom(head).map(|(encoding, _)| encoding);
    if let Some(label) = declared {
        let encoding = encoding_for_label(label).ok_or_else(|| {
            Problem::new("unknown encoding")
                .file(name)
                .field("encoding")
                .found(label)
                .expected(KNOWN_LABELS)
        })?;
        return match bom {
            None => Ok((encoding, false)),
            Some(bom) if bom_agrees(label, encoding, bom) => Ok((bom, true)),
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
        return Ok((bom, true));
    }
    // NUL bytes are valid UTF-8 and GB18030 but never appear in survey text: they are the
    // mark of UTF-16 without a BOM, which we cannot tell apart from other encodings reliably.
    if head.contains(&0) {
        return Err(Problem::new(
            "could not detect the text encoding: the file contains NUL bytes (UTF-16 without a byte-order mark?)",
        )
        .file(name)
        .field("encoding")
        .expected("`encoding:` declared in the audit, e.g. `encoding: utf-16le`"));
    }
    // A UTF-8 file with one corrupt byte can still decode as GB18030 (the byte ranges
    // overlap), which would be silent mojibake; several real UTF-8 characters before the
    // first error say it is UTF-8, and the decoder then reports the bad bytes with their line.
    if looks_like_utf8(head, at_eof) || utf8_chars_before_error(head) >= 4 {
        return Ok((UTF_8, false));
    }
    if decodes_cleanly(GB18030, head, at_eof) {
        return Ok((GB18030, false));
    }
    Err(
        Problem::new("could not detect the text encoding: it is neither UTF-8 nor GBK/GB18030")
            .file(name)
            .field("encoding")
            .expected("`encoding:` declared in the audit, e.g. `encoding: shift_jis`"),
    )
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

/// Whether `bytes` decode in `encoding` without errors; `last` says whether they end the input.
fn decodes_cleanly(encoding: &'static Encoding, bytes: &[u8], last: bool) -> bool {
    // Not `last` at the end of the sniff window, so a cut-off character is held, not rejected.
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = vec![0u8; DECODE_CHUNK_LEN];
    let mut rest = bytes;
    loop {
        let (result, read, _) = decoder.decode_to_utf8_without_replacement(rest, &mut out, last);
        rest = rest.get(read..).unwrap_or_default();
        match result {
            DecoderResult::InputEmpty => return true,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(_, _) => return false,
        }
    }
}

/// Reads decoded text through the end of the header line; returns it and the delimiter it suggests.
fn peek_header(reader: &mut impl Read) -> io::Result<(Vec<u8>, u8)> {
    let mut prefix = Vec::new();
    // Counts of `,`, `;` and tab outside quotes.
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    let mut chunk = [0u8; 4096];
    'read: while prefix.len() < HEADER_PEEK_LEN {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let bytes = chunk.get(..n).unwrap_or_default();
        prefix.extend_from_slice(bytes);
        for &byte in bytes {
            match byte {
                // An escaped `""` toggles twice, which is what we want.
                b'"' => in_quotes = !in_quotes,
                b'\n' | b'\r' if !in_quotes => break 'read,
                b',' if !in_quotes => counts[0] += 1,
                b';' if !in_quotes => counts[1] += 1,
                b'\t' if !in_quotes => counts[2] += 1,
                _ => {}
            }
        }
    }
    Ok((prefix, pick_delimiter(counts)))
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
    match error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<InvalidBytes>())
    {
        Some(invalid) => invalid.problem(path),
        None => Problem::new(format!("could not read the file: {error}")).file(path),
    }
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
        }
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
                let start = window.len().saturating_sub(usize::from(bad_len));
                self.error = Some(InvalidBytes {
                    line: self.line,
                    bytes: hex(window.get(start..).unwrap_or_default()),
                    encoding: self.encoding_name,
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
struct LineEndings<R> {
    inner: R,
    delimiter: u8,
    state: CsvState,
    /// A `\r` terminator was just turned into `\n`; a `\n` right after it must be dropped.
    after_cr: bool,
}

impl<R: Read> LineEndings<R> {
    /// Wraps `inner`, whose fields are separated by `delimiter` (never a quote or line break).
    fn new(inner: R, delimiter: u8) -> Self {
        LineEndings {
            inner,
            delimiter,
            state: CsvState::StartField,
            after_cr: false,
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
        if byte == b'\r' && !quoted {
            self.after_cr = true;
            return Some(b'\n');
        }
        Some(byte)
    }
}

impl<R: Read> Read for LineEndings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            // The usual chunk has no `\r` and no quote: every byte passes unchanged, and the
            // state after it follows from its last byte (what `translate` would work out).
            let chunk = &buf[..n];
            if !self.after_cr && !chunk.contains(&b'\r') && !chunk.contains(&b'"') {
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
    use encoding_rs::{SHIFT_JIS, WINDOWS_1252};

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
                bom: true
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

    #[test]
    fn gbk_detected_without_declaration() {
        let (bytes, _, had_errors) = GBK.encode("网点,有形度\n北京,5\n");
        assert!(!had_errors);
        let (headers, rows, format) =
            read_bytes(bytes.into_owned(), &TextOptions::default()).unwrap();
        assert_eq!(headers, strings(&["网点", "有形度"]));
        assert_eq!(rows, vec![strings(&["北京", "5"])]);
        assert_eq!(format.encoding, GB18030);
        assert_eq!(format.delimiter, b',');
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

    #[test]
    fn open_csv_reads_a_file_and_reports_missing_ones() {
        let dir = std::env::temp_dir().join(format!("servqual-text-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("gbk.csv");
        let (bytes, _, _) = GBK.encode("网点,有形度\n北京,5\n");
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
