//! `servqual import AUDIT.yaml --source NAME FILE`: append an export to a data file.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{Global, EXIT_BAD_INPUT};
use crate::definition::load as load_audit;
use crate::import::{run as import, Preset, Request};
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
    /// A YAML file naming which export column is which (and extra answer labels).
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Check and print the summary; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid rows; write the others, with the reason, to <data>.rejects.csv.
    #[arg(long)]
    pub skip_invalid: bool,
}

/// Runs `import`: 0 when done, 2 when invalid or conflicting rows stopped it.
pub fn run(args: &ImportArgs, global: &Global) -> anyhow::Result<u8> {
    let audit = load_audit(&args.audit)?;
    // An export on stdin is spooled to a temporary file first: the import reads the
    // export more than once (header detection, then rows) and memory must stay flat.
    let spooled = if args.file.as_os_str() == "-" {
        Some(spool_stdin()?)
    } else {
        None
    };
    let file = spooled
        .as_ref()
        .map_or_else(|| args.file.clone(), |(_, path)| path.clone());
    let request = Request {
        source: args.source.clone(),
        file,
        preset: args.preset,
        map: args.map.clone(),
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid,
        progress: !global.quiet && std::io::stderr().is_terminal(),
        verbose: global.verbose > 0,
        tuning: Tuning::from_env(),
    };
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

/// Copies standard input to `export.csv` (or `export.xlsx` for a zip-based workbook)
/// in a new temporary folder, removed when the returned guard is dropped.
fn spool_stdin() -> anyhow::Result<(tempfile::TempDir, PathBuf)> {
    use anyhow::Context;
    use std::io::{Read, Write};
    let dir = tempfile::Builder::new()
        .prefix("servqual-stdin-")
        .tempdir()
        .context("cannot create a temporary folder for the export on stdin")?;
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
    // Workbooks are zip files ("PK\x03\x04"); everything else is read as CSV.
    let name = if head[..got] == *b"PK\x03\x04" {
        "export.xlsx"
    } else {
        "export.csv"
    };
    let path = dir.path().join(name);
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&path)
            .with_context(|| format!("cannot create {}", path.display()))?,
    );
    out.write_all(&head[..got])
        .and_then(|_| std::io::copy(&mut stdin, &mut out).map(|_| ()))
        .and_then(|_| out.flush())
        .context("cannot spool the export from stdin")?;
    Ok((dir, path))
}
