//! `servqual report AUDIT.yaml`: the gap tables and checklist (the main job).

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::analysis::checklist;
use crate::cli::Global;
use crate::i18n::Lang;
use crate::output::{write_atomic, write_output};
use crate::report::{checklist_markdown, Format, RenderOptions};
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
    /// Print only the checklist, as a Markdown task list (ignores --format).
    #[arg(long)]
    pub checklist_only: bool,
    /// Write the checklist state file (ids, statuses, owners, notes, due dates).
    #[arg(long)]
    pub update_checklist: bool,
    /// The checklist state file [default: <audit-stem>.checklist.yaml beside the audit].
    #[arg(long, value_name = "FILE")]
    pub checklist_file: Option<PathBuf>,
}

/// Runs `report`.
pub fn run(args: &ReportArgs, global: &Global) -> anyhow::Result<u8> {
    let (audit, digest) = load_audit(&args.audit)?;
    let state_path = args
        .checklist_file
        .clone()
        .unwrap_or_else(|| checklist::default_state_path(&args.audit));
    // Read before anything is written, so a bad state file stops the run with exit 2.
    let state = checklist::read_state(&state_path)?;
    let data = read_sources(&audit, digest)?;
    let mut report = build_report(&audit, &data);
    checklist::attach(
        &mut report,
        &audit,
        state.as_ref(),
        args.lang,
        None,
        &BTreeSet::new(),
    );
    let options = RenderOptions {
        lang: args.lang,
        color: global.color.enabled(args.output == "-"),
    };
    let bytes = if args.checklist_only {
        checklist_markdown(&report, args.lang).into_bytes()
    } else {
        args.format.exporter().render(&report, &options)?
    };
    write_output(&args.output, &bytes)?;
    if args.output != "-" && global.verbose > 0 {
        global.note(&format!("wrote {}", args.output));
    }
    if args.update_checklist {
        let text = checklist::render_state(&audit, &report.checklist)?;
        write_atomic(&state_path, text.as_bytes())?;
        global.note(&format!(
            "updated {} ({} entries)",
            state_path.display(),
            report.checklist.len()
        ));
    }
    Ok(0)
}
