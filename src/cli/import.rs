//! `servqual import AUDIT.yaml --source NAME FILE`: append an export to a data file.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{Global, EXIT_BAD_INPUT};
use crate::import::presets::Preset;
use crate::import::{run as import, Request};
use crate::run::load_audit;

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The audit definition (YAML).
    pub audit: PathBuf,
    /// The data source to add to: customers, management or shoppers.
    #[arg(long)]
    pub source: String,
    /// The export: CSV (any encoding) or an Excel workbook (.xlsx, first sheet).
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
    let (audit, _) = load_audit(&args.audit)?;
    let request = Request {
        source: args.source.clone(),
        file: args.file.clone(),
        preset: args.preset,
        map: args.map.clone(),
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid,
        progress: !global.quiet && std::io::stderr().is_terminal(),
        verbose: global.verbose > 0,
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
