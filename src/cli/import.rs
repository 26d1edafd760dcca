//! `servqual import AUDIT.yaml --source NAME FILE`: append an export to a data file.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{Global, EXIT_BAD_INPUT};
use crate::definition::load as load_audit;
use crate::import::{run as import, suggest_map, DateOrder, Preset, Request};
use crate::sources::chunked::Tuning;

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The audit definition (YAML).
    pub audit: PathBuf,
    /// The data source to add to: customers, management or shoppers.
    #[arg(long)]
    pub source: String,
    /// The export: CSV (any encoding) or an Excel workbook (.xlsx, first sheet); `-`
    /// reads it from standard input.
    pub file: PathBuf,
    /// The tool that wrote the export (detected when not given).
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
    /// The order of day and month in the export's dates, such as 05/10/2026 (over the
    /// map file's `date_format:`).
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrder>,
    /// A YAML file naming which export column is which (and extra answer labels).
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Check and print the summary; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid rows; write the others, with the reason, to <data>.rejects.csv.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Put PREFIX before every id (e.g. `spring-`), keeping the ids of two surveys apart;
    /// replaces the map file's `id_prefix:`.
    #[arg(long, value_name = "PREFIX")]
    pub id_prefix: Option<String>,
    /// Write a map file for this export to stdout (every column with the tool's guess);
    /// import nothing.
    #[arg(long, conflicts_with_all = ["dry_run", "skip_invalid"])]
    pub suggest_map: bool,
    /// The export's encoding (utf-8, gb18030, euc-kr/cp949, shift_jis, windows-1252,
    /// macintosh, ...), over the map's `encoding:` [default: detected when sure].
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
}

/// Runs `import`: 0 when done, 2 when invalid or conflicting rows stopped it.
pub fn run(args: &ImportArgs, global: &Global) -> anyhow::Result<u8> {
    let audit = load_audit(&args.audit)?;
    // An export on stdin is spooled to a temporary file first: the import reads the
    // export more than once (header detection, then rows) and memory must stay flat.
    let spooled = if args.file.as_os_str() == "-" {
        Some(Spool::stdin()?)
    } else {
        None
    };
    let request = Request {
        source: args.source.clone(),
        file: spooled
            .as_ref()
            .map_or_else(|| args.file.clone(), |s| s.path.clone()),
        shown_as: spooled.as_ref().map(|_| PathBuf::from("<stdin>")),
        workbook: spooled.as_ref().map(|s| s.workbook),
        preset: args.preset,
        date_order: args.date_order,
        map: args.map.clone(),
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid,
        progress: !global.quiet && std::io::stderr().is_terminal(),
        verbose: global.verbose > 0,
        id_prefix: args.id_prefix.clone(),
        tuning: Tuning::from_env(),
        encoding: args.encoding.clone(),
    };
    if args.suggest_map {
        let map = suggest_map(&audit, &request)?;
        crate::output::write_stdout(map.as_bytes())?;
        return Ok(0);
    }
    let summary = import(&audit, &request, &mut |line| global.note(line))?;
    // The summary is the result of the command, so it is shown even with -q.
    eprintln!("{summary}");
    let problems = summary.problems();
    if summary.blocked {
        eprintln!("{problems}");
        eprintln!(
            "nothing imported: fix the rows above, or use --skip-invalid to import the others and write these to a rejects file"
        );
        return Ok(EXIT_BAD_INPUT);
    }
    for p in &problems.0 {
        eprintln!("not imported: {p}");
    }
    Ok(0)
}

/// An export read from standard input, in a temporary file that the import can read more
/// than once. It is private (0600) and, on Linux, has no name from the start (it is read
/// again through `/proc/self/fd`), so nothing is left behind after any exit, kill -9
/// included. Elsewhere it is a private named file, removed when the import ends.
struct Spool {
    /// Keeps the file open, so that its path stays valid; a named file is removed on drop.
    _file: SpoolFile,
    /// Where the import reads it.
    path: PathBuf,
    /// Whether it is a workbook (a zip file) rather than CSV.
    workbook: bool,
}

/// The file behind a [`Spool`].
enum SpoolFile {
    /// Unlinked at once; read through `/proc/self/fd`.
    #[cfg(target_os = "linux")]
    Unnamed(std::fs::File),
    /// Named, private, removed on drop.
    Named(tempfile::NamedTempFile),
}

impl Spool {
    /// Copies standard input to a new spool.
    fn stdin() -> anyhow::Result<Spool> {
        use anyhow::Context;
        use std::io::{Read, Write};
        let (file, path) =
            spool_file().context("cannot create a temporary file for the export on stdin")?;
        let mut stdin = std::io::stdin().lock();
        let mut head = [0u8; 4];
        let mut got = 0;
        while got < head.len() {
            match stdin
                .read(&mut head[got..])
                .context("cannot read the export from stdin")?
            {
                0 => break,
                n => got += n,
            }
        }
        let mut out = std::io::BufWriter::new(match &file {
            #[cfg(target_os = "linux")]
            SpoolFile::Unnamed(f) => f,
            SpoolFile::Named(f) => f.as_file(),
        });
        out.write_all(&head[..got])
            .and_then(|_| std::io::copy(&mut stdin, &mut out).map(|_| ()))
            .and_then(|_| out.flush())
            .context("cannot spool the export from stdin")?;
        drop(out);
        Ok(Spool {
            _file: file,
            path,
            // Workbooks are zip files ("PK\x03\x04"); everything else is read as CSV.
            workbook: head[..got] == *b"PK\x03\x04",
        })
    }
}

/// A new private temporary file and the path it is read at: one without a name where the
/// system can reopen it by descriptor (Linux), else a named one.
fn spool_file() -> std::io::Result<(SpoolFile, PathBuf)> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        use std::os::unix::io::AsRawFd;
        let file = tempfile::tempfile()?;
        let path = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        // Without /proc (a minimal container), fall back to a named file.
        let reopens = std::fs::metadata(&path)
            .and_then(|m| Ok((m, file.metadata()?)))
            .is_ok_and(|(a, b)| a.ino() == b.ino() && a.dev() == b.dev());
        if reopens {
            return Ok((SpoolFile::Unnamed(file), path));
        }
    }
    let named = tempfile::Builder::new()
        .prefix("servqual-stdin-")
        .tempfile()?;
    let path = named.path().to_path_buf();
    Ok((SpoolFile::Named(named), path))
}
