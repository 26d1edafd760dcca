//! `servqual completions SHELL` and `servqual man`: generated from the clap definitions,
//! so they can never drift from the real flags.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::output::write_stdout;

/// Arguments of `completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Writes a shell completion script to stdout.
pub fn completions(args: &CompletionsArgs) -> anyhow::Result<u8> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "servqual", &mut out);
    write_stdout(&out)?;
    Ok(0)
}

/// Writes the man page (roff) to stdout.
pub fn man() -> anyhow::Result<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    write_stdout(&out)?;
    Ok(0)
}
