//! `servqual status AUDIT.yaml`: what a coordinator checks before the report.

use std::path::PathBuf;

use crate::cli::{Global, EXIT_THRESHOLD};
use crate::definition::checklist_state;
use crate::export::RenderOptions;
use crate::i18n::Lang;
use crate::output::write_stdout;
use crate::run::StatusRequest;

/// The formats of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    /// Tables for a terminal.
    Table,
    /// JSON (schema servqual.status/v1).
    Json,
}

/// Arguments of `status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The audit definition (YAML).
    pub audit: PathBuf,
    /// The period to check: a name (`2026-10`, `2026-Q3`) or `START..END` [default: as
    /// for the report].
    #[arg(long, value_name = "NAME|START..END")]
    pub period: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = StatusFormat::Table)]
    pub format: StatusFormat,
    /// Exit 1 when a source has no rows in the period or a site misses its visit quota.
    #[arg(long)]
    pub fail_incomplete: bool,
    /// The checklist state file [default: <audit-stem>.checklist.yaml beside the audit].
    #[arg(long, value_name = "FILE")]
    pub checklist_file: Option<PathBuf>,
    /// Language of labels.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    /// Columns the tables fit [default: COLUMNS, the terminal's width, or 80].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(60..))]
    pub width: Option<u16>,
    /// The encoding of the audit's data files (utf-8, gb18030, euc-kr/cp949, shift_jis,
    /// windows-1252, macintosh, ...), over each source's `encoding:` [default: detected
    /// when sure].
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Also show the rows and latest date per source of the N periods ending with the
    /// one checked (1 to 120).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=crate::analysis::history::MAX_PERIODS as i64))]
    pub history: Option<u16>,
}

/// Runs `status`: exit 0, or 1 with `--fail-incomplete` when the period is incomplete.
pub fn run(args: &StatusArgs, global: &Global) -> anyhow::Result<u8> {
    let audit = super::load_audit_with_encoding(&args.audit, args.encoding.as_deref())?;
    let request = StatusRequest {
        period: args.period.clone(),
        checklist_state: args
            .checklist_file
            .clone()
            .unwrap_or_else(|| checklist_state::default_state_path(&args.audit)),
        history: args.history.map(usize::from),
    };
    let status = crate::run::status(&audit, &request)?;
    let text = match args.format {
        StatusFormat::Json => serde_json::to_string_pretty(&status)? + "\n",
        StatusFormat::Table => {
            let options = RenderOptions {
                lang: args.lang,
                color: global.color.enabled(true),
                width: crate::export::terminal_width(args.width.map(usize::from), true),
                scorecards: false,
            };
            crate::export::status::table(&status, &options)
        }
    };
    write_stdout(text.as_bytes())?;
    Ok(if args.fail_incomplete && !status.complete {
        EXIT_THRESHOLD
    } else {
        0
    })
}
