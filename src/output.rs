//! Writing what the tool produces: atomic files, stdout, colour, table style.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use comfy_table::{ContentArrangement, Table};

use crate::problem::Problem;

/// When to colour terminal output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour output that goes to stdout (`to_stdout`) or to a file.
    pub fn enabled(self, to_stdout: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                // https://no-color.org: any non-empty value turns colour off.
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                to_stdout && !no_color && io::stdout().is_terminal()
            }
        }
    }
}

/// Writes `bytes` to `target`: `-` is stdout, anything else a file written atomically.
///
/// A file is written to a temporary file in the same folder and renamed into place, so a
/// reader never sees half a report and a failed run leaves the old file untouched.
pub fn write_output(target: &str, bytes: &[u8]) -> anyhow::Result<()> {
    if target == "-" {
        write_stdout(bytes)
    } else {
        write_atomic(Path::new(target), bytes)
    }
}

/// Writes to stdout; a closed pipe (`servqual ... | head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// Checks, before anything is written, that `target` (`--output`, `--report`) may be
/// written: `-`, a new file, or an existing regular file that is none of `inputs`
/// (the files the run reads). A device, a FIFO or a folder is never replaced.
pub fn check_target(flag: &str, target: &str, inputs: &[&Path]) -> Result<(), Problem> {
    if target == "-" {
        return Ok(());
    }
    let path = Path::new(target);
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let problem = |message: &str| {
        Problem::new(message)
            .field(flag)
            .found(target)
            .expected("`-`, a new file, or a regular file that is not an input of this run")
    };
    if !meta.is_file() {
        return Err(problem("the output is not a regular file"));
    }
    if inputs.iter().any(|input| same_file(&meta, input)) {
        return Err(problem("the output would replace a file this run reads"));
    }
    Ok(())
}

/// Whether `input` is the file `meta` describes (the same inode, through any path).
fn same_file(meta: &std::fs::Metadata, input: &Path) -> bool {
    let Ok(other) = std::fs::metadata(input) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.dev() == other.dev() && meta.ino() == other.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (meta, other);
        false
    }
}

/// Writes one line of diagnostics to stderr. A closed stderr
/// (`servqual ... 2>&1 | head -1`) is ignored, where `eprintln!` would panic.
pub fn stderr_line(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Replaces `path` with `bytes` atomically (temporary file in the same folder, then
/// rename, then the folder synced so the rename survives a crash). A symlink is
/// followed: the file it points to is replaced, in that file's folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let resolved = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path)
            .with_context(|| format!("cannot follow the link {}", path.display()))?,
        _ => path.to_path_buf(),
    };
    let path = resolved.as_path();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".servqual-").suffix(".tmp");
    // A temporary file is private (0600); the file it becomes should not be. Keep the
    // permissions of the file being replaced, else those of an ordinary new file.
    if let Some(permissions) = final_permissions(path) {
        builder.permissions(permissions);
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    sync_dir(dir).with_context(|| format!("cannot sync the folder {}", dir.display()))
}

/// Flushes a folder's entries, so a rename into it is durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// The permissions a file written in place of `path` gets: the existing file's, or
/// rw-r--r-- (a temporary file is private; the file it becomes should not be).
pub fn final_permissions(path: &Path) -> Option<std::fs::Permissions> {
    if let Ok(meta) = std::fs::metadata(path) {
        return Some(meta.permissions());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// A table in the house style: box-drawing lines, fixed layout, styling only if `color`.
///
/// comfy-table measures East Asian wide characters, so Chinese text stays aligned. It
/// ignores `NO_COLOR` and decides colour from the tty alone, so the caller decides.
pub fn new_table(color: bool) -> Table {
    let mut table = Table::new();
    table
        .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    if color {
        table.enforce_styling();
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn atomic_writes_are_not_private_and_keep_existing_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomic(&path, b"one").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o644);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(mode(&path), 0o640);
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
    }

    #[cfg(unix)]
    #[test]
    fn targets_that_are_inputs_or_special_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("customers.csv");
        std::fs::write(&input, "id\n").unwrap();
        let alias = dir.path().join("alias.csv");
        std::os::unix::fs::symlink(&input, &alias).unwrap();
        let inputs = [input.as_path()];
        let err = check_target("--output", input.to_str().unwrap(), &inputs).unwrap_err();
        assert!(
            err.message.contains("replace a file this run reads"),
            "{err}"
        );
        assert!(check_target("--output", alias.to_str().unwrap(), &inputs).is_err());
        let err = check_target("--output", "/dev/null", &inputs).unwrap_err();
        assert!(err.message.contains("not a regular file"), "{err}");
        assert!(check_target("--output", dir.path().to_str().unwrap(), &inputs).is_err());
        assert!(check_target("--output", "-", &inputs).is_ok());
        let new = dir.path().join("report.md");
        assert!(check_target("--output", new.to_str().unwrap(), &inputs).is_ok());
        std::fs::write(&new, "old").unwrap();
        assert!(check_target("--output", new.to_str().unwrap(), &inputs).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_target_is_replaced_at_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.md");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }
}
