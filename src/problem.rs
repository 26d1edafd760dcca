//! Input problems: what was wrong, where, and what was expected.
//!
//! Every user-facing input error is a [`Problem`]. Commands collect as many as they can
//! and fail with [`Problems`], which `main` turns into exit code 2.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

/// The most characters of a value (or of a field name) a message quotes.
pub const MAX_QUOTED_CHARS: usize = 200;

/// The most characters of a message's sentence, or of what was expected; serde's
/// messages, and lists of ids, can embed values.
const MAX_MESSAGE_CHARS: usize = 1_000;

/// One thing wrong with the input, with the place it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The file the problem is in, if any (usage errors have none).
    pub file: Option<PathBuf>,
    /// 1-based line number.
    pub line: Option<u64>,
    /// 1-based column number (for CSV: the field number).
    pub column: Option<u64>,
    /// The field or key, e.g. `weights.tangibles` or `P_R3`.
    pub field: Option<String>,
    /// What went wrong, phrased as a sentence fragment ("weights sum to 95").
    pub message: String,
    /// The value found, if there was one.
    pub found: Option<String>,
    /// What was expected instead.
    pub expected: Option<String>,
    /// For the entry closing a long list ("… and 12,000 more problems"): how many
    /// problems it stands for; 0 for an ordinary problem.
    pub unlisted: u64,
}

impl Problem {
    /// A problem with a message only; add the place with the builder methods.
    pub fn new(message: impl Into<String>) -> Self {
        Problem {
            file: None,
            line: None,
            column: None,
            field: None,
            message: message.into(),
            found: None,
            expected: None,
            unlisted: 0,
        }
    }

    /// The entry closing a list cut short: `message` stands for `count` problems not
    /// listed, which [`Problems::total`] counts.
    pub fn unlisted(message: impl Into<String>, count: u64) -> Self {
        Problem {
            unlisted: count,
            ..Problem::new(message)
        }
    }

    /// Sets the file.
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.file = Some(path.as_ref().to_path_buf());
        self
    }

    /// Sets the line (1-based).
    pub fn line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets line and column (1-based).
    pub fn at(mut self, line: u64, column: u64) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Sets the field or key name.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Sets the value found.
    pub fn found(mut self, found: impl Into<String>) -> Self {
        self.found = Some(found.into());
        self
    }

    /// Sets what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// This problem as a one-element [`Problems`].
    pub fn into_problems(self) -> Problems {
        Problems::one(self)
    }
}

impl fmt::Display for Problem {
    /// `file:line:column: field: message: found "x", expected y`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = String::new();
        if let Some(file) = &self.file {
            place.push_str(&file.display().to_string());
            if let Some(line) = self.line {
                place.push_str(&format!(":{line}"));
                if let Some(column) = self.column {
                    place.push_str(&format!(":{column}"));
                }
            }
        }
        if !place.is_empty() {
            write!(f, "{place}: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{}: ", shorten(field, MAX_QUOTED_CHARS))?;
        }
        write!(f, "{}", shorten(&self.message, MAX_MESSAGE_CHARS))?;
        if let Some(found) = &self.found {
            let chars = found.chars().count();
            if chars > MAX_QUOTED_CHARS {
                let cut = shorten(found, MAX_QUOTED_CHARS);
                write!(
                    f,
                    ": found {cut:?} ({} characters)",
                    thousands(chars as u64)
                )?;
            } else {
                write!(f, ": found {found:?}")?;
            }
        }
        if let Some(expected) = &self.expected {
            let sep = if self.found.is_some() { ", " } else { ": " };
            // Our own words, but they can list values (ids, column names).
            write!(f, "{sep}expected {}", shorten(expected, MAX_MESSAGE_CHARS))?;
        }
        Ok(())
    }
}

/// `text` cut to its first `max` characters and "…" when it is longer.
pub fn shorten(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]).into(),
        None => text.into(),
    }
}

/// `n` with a comma between groups of three digits: `56,000,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Opens an input file for reading, refusing anything but a regular file.
///
/// A FIFO would block the open (and the read) until another program writes to it, a
/// device such as `/dev/zero` never ends, a folder cannot be read: each is a problem
/// naming the file. The file is opened non-blocking and checked once opened, so a path
/// swapped for a FIFO after the first check cannot hang the tool either. `cannot` words
/// an error of the system ("cannot open file"), followed by the error.
pub fn open_input(path: &Path, cannot: &str) -> Result<File, Problem> {
    let failed = |e: std::io::Error| Problem::new(format!("{cannot}: {e}")).file(path);
    check_regular(path, &std::fs::metadata(path).map_err(failed)?)?;
    let file = open_without_blocking(path).map_err(failed)?;
    let meta = file.metadata().map_err(failed)?;
    check_regular(path, &meta)?;
    Ok(file)
}

/// A problem unless `meta` is of a regular file; the message says what it is instead.
fn check_regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), Problem> {
    if meta.is_file() {
        return Ok(());
    }
    Err(
        Problem::new(format!("not a regular file: it is {}", file_kind(meta)))
            .file(path)
            .expected("a regular file"),
    )
}

/// What a file that is not a regular file is, for messages.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Opens `path` read-only; on Unix without blocking, which a FIFO would otherwise do.
fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    options.open(path)
}

/// A non-empty list of problems; the error type for bad input (exit code 2).
#[derive(Debug, Clone, PartialEq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Wraps a single problem.
    pub fn one(problem: Problem) -> Self {
        Problems(vec![problem])
    }

    /// How many problems there are: the listed ones, and those the closing
    /// "… and N more" entry stands for.
    pub fn total(&self) -> u64 {
        self.0
            .iter()
            .map(|p| if p.unlisted > 0 { p.unlisted } else { 1 })
            .sum()
    }

    /// `Ok(())` when `list` is empty, otherwise the problems as an error.
    pub fn check(list: Vec<Problem>) -> Result<(), Problems> {
        if list.is_empty() {
            Ok(())
        } else {
            Err(Problems(list))
        }
    }
}

impl From<Problem> for Problems {
    fn from(problem: Problem) -> Self {
        Problems::one(problem)
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_place_value_and_expectation() {
        let p = Problem::new("answer out of scale")
            .file("data/customers.csv")
            .at(12, 7)
            .field("P_R3")
            .found("9")
            .expected("a number from 1 to 7");
        assert_eq!(
            p.to_string(),
            "data/customers.csv:12:7: P_R3: answer out of scale: found \"9\", expected a number from 1 to 7"
        );
    }

    #[test]
    fn long_values_are_quoted_cut_with_their_length() {
        let p = Problem::new("too long")
            .file("a.csv")
            .found("a".repeat(56_000))
            .field("b".repeat(300));
        let text = p.to_string();
        let quoted = format!("\"{}…\" (56,000 characters)", "a".repeat(MAX_QUOTED_CHARS));
        assert!(text.contains(&quoted), "{text}");
        assert!(text.len() < 700, "{} bytes", text.len());
        let long_message = Problem::new("x".repeat(100_000)).to_string();
        assert!(long_message.chars().count() <= MAX_MESSAGE_CHARS + 1);
        let long_expected = Problem::new("m").expected("y".repeat(100_000)).to_string();
        assert!(long_expected.chars().count() < MAX_MESSAGE_CHARS + 20);
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(56_000_000), "56,000,000");
    }

    #[test]
    fn total_counts_the_unlisted_problems() {
        let problems = Problems(vec![
            Problem::new("a"),
            Problem::new("b"),
            Problem::unlisted("… and 158 more problems in this file", 158),
        ]);
        assert_eq!(problems.total(), 160);
    }

    #[cfg(unix)]
    #[test]
    fn inputs_must_be_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let problem = open_input(dir.path(), "cannot open file").unwrap_err();
        assert!(problem.message.contains("a folder"), "{problem}");
        let problem = open_input(Path::new("/dev/zero"), "cannot open file").unwrap_err();
        assert!(problem.message.contains("a device"), "{problem}");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let problem = open_input(&fifo, "cannot open file").unwrap_err();
            assert!(problem.message.contains("FIFO"), "{problem}");
        }
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "a: 1").unwrap();
        assert!(open_input(&file, "cannot open file").is_ok());
        let missing = open_input(&dir.path().join("missing"), "cannot open file").unwrap_err();
        assert!(missing.message.contains("cannot open"), "{missing}");
    }

    #[test]
    fn display_without_found() {
        let p = Problem::new("missing key")
            .file("a.yaml")
            .line(3)
            .expected("`items`");
        assert_eq!(p.to_string(), "a.yaml:3: missing key: expected `items`");
    }
}
