//! The command line: one file per subcommand, each a thin layer over the library.

mod docs;
mod import;
mod init;
mod init_form;
mod init_kano;
mod kano;
mod report;
mod status;
mod templates;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::stderr_line;
use crate::output::ColorChoice;
use crate::problem::Problems;

/// Exit code: the audit ran and a threshold failed.
pub const EXIT_THRESHOLD: u8 = 1;
/// Exit code: bad input or usage.
pub const EXIT_BAD_INPUT: u8 = 2;

/// servqual: service-quality gap audits (SERVQUAL, the five-gap model, mystery shopping).
#[derive(Debug, Parser)]
#[command(name = "servqual", version, about, long_about = None)]
pub struct Cli {
    /// When to colour output: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Print nothing but the data and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more about what is read (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the gap tables and checklist of an audit (the main job).
    Report(report::ReportArgs),
    /// Check an audit definition and every file it names.
    Validate(validate::ValidateArgs),
    /// What to check before the report: rows per source, visits per site against the
    /// quota, the checklist to act on, and whether the period is complete.
    Status(status::StatusArgs),
    /// Write a runnable audit with sample data from a template.
    Init(init::InitArgs),
    /// List the built-in templates.
    Templates,
    /// Kano classification of service features.
    Kano(kano::KanoArgs),
    /// Add an export from a survey tool or spreadsheet to a data source of an audit.
    Import(import::ImportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(docs::CompletionsArgs),
    /// Print the man page (roff).
    Man,
}

/// Options every subcommand shares.
#[derive(Debug, Clone, Copy)]
pub struct Global {
    /// Colour choice.
    pub color: ColorChoice,
    /// `-q`.
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
}

impl Global {
    /// Prints a progress or summary line on stderr unless `-q`.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            crate::output::stderr_line(message);
        }
    }
}

/// Loads the audit at `path`; `encoding` (`--encoding`) declares the encoding of all its
/// data files, over each source's `encoding:` (docs/files.md#encodings).
fn load_audit_with_encoding(
    path: &std::path::Path,
    encoding: Option<&str>,
) -> anyhow::Result<crate::definition::Audit> {
    let mut audit = crate::definition::load(path)?;
    if let Some(label) = encoding {
        crate::sources::text::declared_encoding(label, "--encoding").map_err(Problems::from)?;
        let declared = Some(label.to_string());
        for source in [&mut audit.customers, &mut audit.management]
            .into_iter()
            .flatten()
        {
            source.encoding.clone_from(&declared);
        }
        if let Some(shoppers) = &mut audit.shoppers {
            shoppers.encoding = declared;
        }
    }
    Ok(audit)
}

/// Parses the command line, runs it, and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let global = Global {
        color: cli.color,
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    let result = match &cli.command {
        Command::Report(args) => report::run(args, &global),
        Command::Validate(args) => validate::run(args, &global),
        Command::Status(args) => status::run(args, &global),
        Command::Init(args) => init::run(args, &global),
        Command::Templates => templates::run(&global),
        Command::Kano(args) => kano::run(args, &global),
        Command::Import(args) => import::run(args, &global),
        Command::Completions(args) => docs::completions(args),
        Command::Man => docs::man(),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            match error.downcast_ref::<Problems>() {
                Some(problems) => {
                    stderr_line(&problems.to_string());
                    if problems.total() > 1 {
                        stderr_line(&format!("{} problems found", problems.total()));
                    }
                }
                None => stderr_line(&format!("error: {error:#}")),
            }
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
