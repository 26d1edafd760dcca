//! Running the real binary and checking what it did: `Test` builds one run of servqual,
//! `Run` holds what it left and asserts on it fluently; plus fixture paths and small
//! JSON helpers every topic uses.
//!
//! ```ignore
//! Test::new()
//!     .arg("report")
//!     .arg(fixture("core", "audit.yaml"))
//!     .watch(dir.path())
//!     .run()
//!     .status(2)
//!     .stderr_contains("weights do not sum to 100")
//!     .nothing_written();
//! ```
//!
//! Every failed check shows the command line (with the environment it set), the exit
//! code, stdout and stderr, and points at the caller's line.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_servqual");

/// How much of stdout and stderr a failure message shows, per stream.
const SHOWN_BYTES: usize = 8_000;

/// One run of servqual being put together: arguments, environment, stdin, folder.
#[must_use = "a Test does nothing until .run()"]
pub struct Test {
    args: Vec<OsString>,
    env: Vec<(OsString, Option<OsString>)>,
    stdin: Option<Vec<u8>>,
    current_dir: Option<PathBuf>,
    watched: Vec<PathBuf>,
}

impl Test {
    /// A run without arguments and without colour (`NO_COLOR=1`).
    pub fn new() -> Test {
        Test {
            args: Vec::new(),
            env: vec![("NO_COLOR".into(), Some("1".into()))],
            stdin: None,
            current_dir: None,
            watched: Vec::new(),
        }
    }

    /// Adds one argument (a string or a path).
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Test {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments (strings or paths).
    pub fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable for the run (the last setting of a name wins).
    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Test {
        let name = name.as_ref().to_owned();
        self.env.retain(|(n, _)| *n != name);
        self.env.push((name, Some(value.as_ref().to_owned())));
        self
    }

    /// Removes an environment variable for the run, `NO_COLOR` included.
    pub fn env_remove(mut self, name: impl AsRef<OsStr>) -> Test {
        let name = name.as_ref().to_owned();
        self.env.retain(|(n, _)| *n != name);
        self.env.push((name, None));
        self
    }

    /// Feeds `bytes` to the binary's standard input (else stdin is empty).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Test {
        self.stdin = Some(bytes.into());
        self
    }

    /// Runs in `dir` instead of the test's working directory (the crate root).
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Test {
        self.current_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// Snapshots `dir` (every file and its bytes, below it) before the run, so that
    /// `Run::nothing_written` can compare it with what is there after.
    pub fn watch(mut self, dir: impl AsRef<Path>) -> Test {
        self.watched.push(dir.as_ref().to_owned());
        self
    }

    /// Runs the binary to the end and returns what it left.
    #[track_caller]
    pub fn run(self) -> Run {
        let command_line = self.command_line();
        let before: Vec<(PathBuf, Snapshot)> = self
            .watched
            .iter()
            .map(|dir| (dir.clone(), Snapshot::of(dir)))
            .collect();
        let mut command = Command::new(BIN);
        command.args(&self.args);
        for (name, value) in &self.env {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        if let Some(dir) = &self.current_dir {
            command.current_dir(dir);
        }
        command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command_line}: {e}"));
        // Stdin is written from its own thread: a binary that answers before it has
        // read everything would otherwise fill its pipes and wait on us forever.
        let feeder = match (self.stdin, child.stdin.take()) {
            (Some(bytes), Some(mut pipe)) => Some(std::thread::spawn(move || {
                // A binary that stops reading early closes the pipe: not the test's error.
                let _ = pipe.write_all(&bytes);
            })),
            _ => None,
        };
        let output = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("running {command_line}: {e}"));
        if let Some(feeder) = feeder {
            feeder.join().expect("the stdin thread panicked");
        }
        Run {
            command_line,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            watched: before,
        }
    }

    /// `NAME=value servqual arg…` (and the folder), as a person would type it.
    fn command_line(&self) -> String {
        let mut line = String::new();
        if let Some(dir) = &self.current_dir {
            let _ = write!(line, "(in {}) ", dir.display());
        }
        for (name, value) in &self.env {
            match value {
                Some(value) => {
                    let _ = write!(line, "{}={} ", name.to_string_lossy(), quoted(value));
                }
                None => {
                    let _ = write!(line, "(without {}) ", name.to_string_lossy());
                }
            }
        }
        line.push_str("servqual");
        for arg in &self.args {
            line.push(' ');
            line.push_str(&quoted(arg));
        }
        if self.stdin.is_some() {
            line.push_str(" < (stdin)");
        }
        line
    }
}

/// `text`, in single quotes if a shell would split it.
fn quoted(text: &OsStr) -> String {
    let text = text.to_string_lossy();
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// What a run of the binary left: exit code, stdout, stderr, and the watched folders as
/// they were before it.
pub struct Run {
    command_line: String,
    code: i32,
    stdout: String,
    stderr: String,
    watched: Vec<(PathBuf, Snapshot)>,
}

impl Run {
    /// The exit code (-1 when a signal ended the process).
    pub fn code(&self) -> i32 {
        self.code
    }

    /// Standard output, as text.
    pub fn stdout(&self) -> &str {
        &self.stdout
    }

    /// Standard error, as text.
    pub fn stderr(&self) -> &str {
        &self.stderr
    }

    /// Panics with `what` and the whole run: command, exit code, stdout, stderr.
    #[track_caller]
    fn fail(&self, what: &str) -> ! {
        panic!(
            "{what}\n\ncommand: {}\nexit code: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command_line,
            self.code,
            shown(&self.stdout),
            shown(&self.stderr)
        )
    }

    /// The exit code is `code`.
    #[track_caller]
    pub fn status(&self, code: i32) -> &Run {
        if self.code != code {
            self.fail(&format!("expected exit code {code}, got {}", self.code));
        }
        self
    }

    /// The exit code is 0.
    #[track_caller]
    pub fn success(&self) -> &Run {
        self.status(0)
    }

    /// Stdout contains `needle`.
    #[track_caller]
    pub fn stdout_contains(&self, needle: &str) -> &Run {
        if !self.stdout.contains(needle) {
            self.fail(&format!("stdout lacks {needle:?}"));
        }
        self
    }

    /// Stdout does not contain `needle`.
    #[track_caller]
    pub fn stdout_lacks(&self, needle: &str) -> &Run {
        if self.stdout.contains(needle) {
            self.fail(&format!("stdout contains {needle:?}"));
        }
        self
    }

    /// Stderr contains `needle`.
    #[track_caller]
    pub fn stderr_contains(&self, needle: &str) -> &Run {
        if !self.stderr.contains(needle) {
            self.fail(&format!("stderr lacks {needle:?}"));
        }
        self
    }

    /// Stderr does not contain `needle`.
    #[track_caller]
    pub fn stderr_lacks(&self, needle: &str) -> &Run {
        if self.stderr.contains(needle) {
            self.fail(&format!("stderr contains {needle:?}"));
        }
        self
    }

    /// Stdout is exactly `expected` (`""`: nothing was printed).
    #[track_caller]
    pub fn stdout_is(&self, expected: &str) -> &Run {
        if self.stdout != expected {
            self.fail(&format!(
                "stdout differs: {}",
                first_difference(expected, &self.stdout)
            ));
        }
        self
    }

    /// Stderr is exactly `expected`.
    #[track_caller]
    pub fn stderr_is(&self, expected: &str) -> &Run {
        if self.stderr != expected {
            self.fail(&format!(
                "stderr differs: {}",
                first_difference(expected, &self.stderr)
            ));
        }
        self
    }

    /// Stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| self.fail(&format!("stdout is not JSON: {e}")))
    }

    /// Every folder given to `Test::watch` holds the same files with the same bytes as
    /// before the run: nothing was created, changed or removed there.
    #[track_caller]
    pub fn nothing_written(&self) -> &Run {
        if self.watched.is_empty() {
            self.fail("nothing_written: no folder was watched (Test::watch before run)");
        }
        for (dir, before) in &self.watched {
            let changes = before.changes_to(&Snapshot::of(dir));
            if !changes.is_empty() {
                self.fail(&format!(
                    "written in {}: {}",
                    dir.display(),
                    changes.join("; ")
                ));
            }
        }
        self
    }
}

/// `text`, cut to `SHOWN_BYTES` (on a character boundary) with a note of what was left out.
fn shown(text: &str) -> String {
    if text.len() <= SHOWN_BYTES {
        return text.to_owned();
    }
    let mut end = SHOWN_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} more bytes)", &text[..end], text.len() - end)
}

/// Where `found` first departs from `expected`, by line.
fn first_difference(expected: &str, found: &str) -> String {
    let (mut want, mut got) = (expected.lines(), found.lines());
    for line in 1.. {
        match (want.next(), got.next()) {
            (Some(w), Some(g)) if w == g => continue,
            (w, g) => {
                return format!(
                    "first at line {line}: expected {}, found {}",
                    w.map_or("the end".into(), |w| format!("{w:?}")),
                    g.map_or("the end".into(), |g| format!("{g:?}"))
                )
            }
        }
    }
    unreachable!("`1..` does not end")
}

/// Every file and folder below a folder, with each file's bytes.
struct Snapshot(BTreeMap<PathBuf, Option<Vec<u8>>>);

impl Snapshot {
    /// Reads `dir` recursively; `dir` must be a folder, so that a wrong path cannot
    /// pass for one where nothing was written.
    fn of(dir: &Path) -> Snapshot {
        let mut entries = BTreeMap::new();
        let mut pending = vec![dir.to_owned()];
        while let Some(folder) = pending.pop() {
            let listing = std::fs::read_dir(&folder)
                .unwrap_or_else(|e| panic!("listing {}: {e}", folder.display()));
            for entry in listing {
                let path = entry
                    .unwrap_or_else(|e| panic!("listing {}: {e}", folder.display()))
                    .path();
                let name = path.strip_prefix(dir).unwrap_or(&path).to_owned();
                if path.is_dir() {
                    entries.insert(name, None);
                    pending.push(path);
                } else {
                    let bytes = std::fs::read(&path)
                        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
                    entries.insert(name, Some(bytes));
                }
            }
        }
        Snapshot(entries)
    }

    /// What was added, changed or removed on the way to `after`.
    fn changes_to(&self, after: &Snapshot) -> Vec<String> {
        let mut changes = Vec::new();
        for (name, bytes) in &after.0 {
            match self.0.get(name) {
                None => changes.push(format!("added {}", name.display())),
                Some(old) if old != bytes => changes.push(format!("changed {}", name.display())),
                Some(_) => {}
            }
        }
        for name in self.0.keys().filter(|n| !after.0.contains_key(*n)) {
            changes.push(format!("removed {}", name.display()));
        }
        changes
    }
}

/// `tests/fixtures/<area>/<name>`.
pub fn fixture(area: &str, name: &str) -> PathBuf {
    fixtures(area).join(name)
}

/// `tests/fixtures/<area>` (an area may name a subfolder: `import/audit`).
pub fn fixtures(area: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(area)
}

/// A temporary copy of `tests/fixtures/<area>` with everything below it, for tests that
/// edit or write files beside the audit.
pub fn fixture_copy(area: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    copy_tree(&fixtures(area), dir.path());
    dir
}

/// Copies everything below `from` into the existing folder `to`.
fn copy_tree(from: &Path, to: &Path) {
    let listing =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("listing {}: {e}", from.display()));
    for entry in listing {
        let entry = entry.unwrap_or_else(|e| panic!("listing {}: {e}", from.display()));
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            std::fs::create_dir(&target)
                .unwrap_or_else(|e| panic!("creating {}: {e}", target.display()));
            copy_tree(&source, &target);
        } else {
            std::fs::copy(&source, &target)
                .unwrap_or_else(|e| panic!("copying {}: {e}", source.display()));
        }
    }
}

/// The text of `path`.
#[track_caller]
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Writes `contents` to `path`.
#[track_caller]
pub fn write(path: &Path, contents: impl AsRef<[u8]>) {
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// `value` is a number within `tolerance` of `expected`.
#[track_caller]
pub fn close_within(value: &Value, expected: f64, tolerance: f64) {
    let x = value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"));
    assert!((x - expected).abs() < tolerance, "{x} != {expected}");
}

/// `value` is a number within 1e-12 of `expected`.
#[track_caller]
pub fn close(value: &Value, expected: f64) {
    close_within(value, expected, 1e-12);
}

/// The element of the JSON array `list` whose `key` is `id`.
#[track_caller]
pub fn find<'a>(list: &'a Value, key: &str, id: &str) -> &'a Value {
    list.as_array()
        .and_then(|items| items.iter().find(|x| x[key] == id))
        .unwrap_or_else(|| panic!("no {key} {id} in {list}"))
}

#[test]
#[should_panic(expected = "written in")]
fn nothing_written_sees_a_new_file() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    Test::new()
        .arg("report")
        .arg(fixture("core", "audit.yaml"))
        .arg("--output")
        .arg(dir.path().join("report.txt"))
        .watch(dir.path())
        .run()
        .success()
        .nothing_written();
}

/// `servqual import <dir>/audit.yaml --source <source> <export> <extra>`, to be run.
pub fn import_test(dir: &Path, source: &str, export: &Path, extra: &[&str]) -> Test {
    Test::new()
        .arg("import")
        .arg(dir.join("audit.yaml"))
        .args(["--source", source])
        .arg(export)
        .args(extra)
}

/// The JSON report of `<dir>/audit.yaml`, which must succeed.
pub fn report_json(dir: &Path) -> serde_json::Value {
    Test::new()
        .arg("report")
        .arg(dir.join("audit.yaml"))
        .args(["--format", "json"])
        .run()
        .success()
        .json()
}

/// `  <what>  <n>` from the summary an import writes to stderr.
#[track_caller]
pub fn summary_count(stderr: &str, what: &str) -> u64 {
    stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix(what))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `{what}` in:\n{stderr}"))
}
