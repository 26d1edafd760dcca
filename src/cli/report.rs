//! `servqual report AUDIT.yaml`: the gap tables and checklist (the main job).

use std::path::PathBuf;

use crate::cli::Global;
use crate::i18n::Lang;
use crate::output::write_output;
use crate::report::{Format, RenderOptions};
use crate::run::{build_report, load_audit, read_sources};

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The audit definition (YAML).
    pub audit: PathBuf,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Where to write the report; `-` is standard output.
    #[arg(short, long, default_value = "-")]
    pub output: String,
    /// Language of labels and texts.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
}

/// Runs `report`.
pub fn run(args: &ReportArgs, global: &Global) -> anyhow::Result<u8> {
    let (audit, digest) = load_audit(&args.audit)?;
    let data = read_sources(&audit, digest)?;
    let report = build_report(&audit, &data);
    let options = RenderOptions {
        lang: args.lang,
        color: global.color.enabled(args.output == "-"),
    };
    let bytes = args.format.exporter().render(&report, &options)?;
    write_output(&args.output, &bytes)?;
    if args.output != "-" && global.verbose > 0 {
        global.note(&format!("wrote {}", args.output));
    }
    Ok(0)
}
