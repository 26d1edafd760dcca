//! `servqual report AUDIT.yaml`: the gap tables and checklist (the main job).

use std::path::{Path, PathBuf};

use crate::cli::{Global, EXIT_THRESHOLD};
use crate::definition::checklist_state;
use crate::export::{checklist_csv, checklist_markdown, terminal_width, Format, RenderOptions};
use crate::i18n::Lang;
use crate::output::{check_target, stderr_line, write_atomic, write_output};
use crate::problem::{Problem, Problems};
use crate::report::gate::Status;
use crate::run::ReportRequest;

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The audit definition (YAML).
    pub audit: PathBuf,
    /// Output format [default: table].
    #[arg(short, long, value_enum)]
    pub format: Option<Format>,
    /// Where to write the report; `-` is standard output [default: -].
    #[arg(short, long)]
    pub output: Option<String>,
    /// Language of labels and texts.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    /// Print only the checklist: a Markdown task list, or with `--format csv` one row
    /// per entry for a tracker (to --output or stdout; not with --report).
    #[arg(long, conflicts_with = "reports")]
    pub checklist_only: bool,
    /// Write the checklist state file (ids, statuses, owners, notes, due dates).
    #[arg(long)]
    pub update_checklist: bool,
    /// The checklist state file [default: <audit-stem>.checklist.yaml beside the audit].
    #[arg(long, value_name = "FILE")]
    pub checklist_file: Option<PathBuf>,
    /// Also write FORMAT to PATH (repeatable), e.g. `--report html=report.html`; with
    /// only `--report`, nothing goes to standard output.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_target)]
    pub reports: Vec<(Format, String)>,
    /// Gap table per segment: `site`, `region` or a column of the customer survey.
    #[arg(long, value_name = "site|region|COLUMN")]
    pub by: Option<String>,
    /// A JSON report of an earlier period: adds the changes since then.
    #[arg(long, value_name = "PREVIOUS.json")]
    pub baseline: Option<PathBuf>,
    /// Fail (exit 1) when this rule holds, e.g. `weighted < -1.0` (repeatable; adds to
    /// thresholds.fail of the audit).
    #[arg(long = "fail-on", value_name = "EXPR")]
    pub fail_on: Vec<String>,
    /// Report breached thresholds but exit 0.
    #[arg(long)]
    pub exit_zero: bool,
    /// A threshold on a value that was not measured (no rows, no shoppers, no weights)
    /// only warns instead of failing the gate.
    #[arg(long)]
    pub allow_unmeasured: bool,
    /// Record when the report was made (reports are otherwise byte-identical per input).
    #[arg(long)]
    pub timestamp: bool,
    /// Add a scorecard per site: its scores beside the whole audit's, its own findings,
    /// its visits (a printed page each in HTML).
    #[arg(long)]
    pub scorecards: bool,
    /// Columns the terminal tables fit [default: COLUMNS, the terminal's width, or 80].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(60..))]
    pub width: Option<u16>,
    /// The period to report: a name (`2026-10`, `2026-Q3`, `FY2026`) or `START..END`
    /// [default: the audit's period, or the latest scheduled period with dated rows].
    #[arg(long, value_name = "NAME|START..END")]
    pub period: Option<String>,
    /// The encoding of the audit's data files (utf-8, gb18030, euc-kr/cp949, shift_jis,
    /// windows-1252, macintosh, ...), over each source's `encoding:` [default: detected
    /// when sure].
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Add the history: the N periods of the schedule ending with the reported one, each
    /// dimension's gaps and its change against the period before (1 to 120; not with
    /// --checklist-only, which has no place for it).
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..=crate::analysis::history::MAX_PERIODS as i64),
        conflicts_with = "checklist_only"
    )]
    pub history: Option<u16>,
    /// Leave invalid rows of the data files out (each listed on stderr, counted per
    /// source) instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
}

/// Parses `FORMAT=PATH` of `--report`.
fn parse_target(text: &str) -> Result<(Format, String), String> {
    use clap::ValueEnum;
    let (format, path) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not FORMAT=PATH (e.g. html=report.html)"))?;
    let format = Format::from_str(format.trim(), true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
            .collect();
        format!("unknown format `{format}` (one of {})", names.join(", "))
    })?;
    if path.is_empty() {
        return Err("the path after `=` is empty".into());
    }
    Ok((format, path.to_string()))
}

/// Runs `report`: flags to a request, the pipeline, then every output written.
pub fn run(args: &ReportArgs, global: &Global) -> anyhow::Result<u8> {
    let audit = super::load_audit_with_encoding(&args.audit, args.encoding.as_deref())?;
    let request = ReportRequest {
        by: args.by.clone(),
        baseline: args.baseline.clone(),
        fail_on: args.fail_on.clone(),
        checklist_state: args
            .checklist_file
            .clone()
            .unwrap_or_else(|| checklist_state::default_state_path(&args.audit)),
        lang: args.lang,
        generated_at: args
            .timestamp
            .then(|| chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        allow_unmeasured: args.allow_unmeasured,
        period: args.period.clone(),
        history: args.history.map(usize::from),
        invalid_rows: match args.skip_invalid {
            true => crate::sources::stream::InvalidRows::Skip,
            false => crate::sources::stream::InvalidRows::Stop,
        },
    };
    let outcome = crate::run::report(&audit, &request)?;
    outcome.notes.iter().for_each(|note| global.note(note));
    let report = &outcome.report;
    if global.verbose > 0 {
        for (path, strategy) in &outcome.survey_reads {
            global.note(&format!("{path}: {strategy}"));
        }
        for (path, encoding) in &outcome.detected_encodings {
            let declared_in = "the source in the audit";
            global.note(&crate::encoding::detected_note(path, encoding, declared_in));
        }
    }

    let mut targets: Vec<(Format, String)> = Vec::new();
    if args.reports.is_empty() || args.format.is_some() || args.output.is_some() {
        targets.push((
            args.format.unwrap_or(Format::Table),
            args.output.clone().unwrap_or_else(|| "-".into()),
        ));
    }
    let own = targets.len();
    targets.extend(args.reports.iter().cloned());
    // Render everything first, so a failure writes nothing.
    let mut rendered = Vec::with_capacity(targets.len());
    for (format, target) in &targets {
        let options = RenderOptions {
            lang: args.lang,
            color: *format == Format::Table && global.color.enabled(target == "-"),
            width: terminal_width(args.width.map(usize::from), target == "-"),
            scorecards: args.scorecards,
        };
        let bytes = if args.checklist_only {
            match format {
                Format::Csv => checklist_csv(report)?,
                Format::Markdown | Format::Table => {
                    checklist_markdown(report, args.lang).into_bytes()
                }
                Format::Json | Format::Html => {
                    return Err(Problems::one(
                        Problem::new("--checklist-only writes Markdown or CSV")
                            .field("--format")
                            .found(format!("{format:?}").to_lowercase())
                            .expected("--format markdown or --format csv, or no --format"),
                    )
                    .into())
                }
            }
        } else {
            format.exporter().render(report, &options)?
        };
        rendered.push((target, bytes));
    }
    let inputs: Vec<&Path> = outcome.inputs.iter().map(PathBuf::as_path).collect();
    let flag = |i: usize| if i < own { "--output" } else { "--report" };
    let mut refused: Vec<_> = targets
        .iter()
        .enumerate()
        .filter_map(|(i, (_, target))| check_target(flag(i), target, &inputs).err())
        .collect();
    // The state file is an input the run means to rewrite: it only has to be a file.
    if args.update_checklist {
        let path = request.checklist_state.display().to_string();
        refused.extend(check_target("--checklist-file", &path, &[]).err());
    }
    // Two targets on one path: the second would silently replace the first.
    for (i, (_, target)) in targets.iter().enumerate() {
        if target != "-" && targets[..i].iter().any(|(_, t)| t == target) {
            refused.push(
                Problem::new("two outputs name the same file")
                    .field(flag(i))
                    .found(target.clone())
                    .expected("a different path for each output"),
            );
        }
    }
    Problems::check(refused)?;
    for (target, bytes) in &rendered {
        write_output(target, bytes)?;
        if *target != "-" && global.verbose > 0 {
            global.note(&format!("wrote {target}"));
        }
    }
    let later = outcome.state_is_later().filter(|_| args.update_checklist);
    if let Some(why) = &later {
        // A report of an earlier period (a backfill) must not roll the state back.
        global.note(&format!(
            "warning: not updating {}: {why}",
            request.checklist_state.display()
        ));
    }
    if args.update_checklist && later.is_none() {
        let records = crate::report::checklist::state_records(&report.checklist);
        let text = checklist_state::render_state(&outcome.meta, &records)?;
        write_atomic(&request.checklist_state, text.as_bytes())?;
        global.note(&format!(
            "updated {} ({} entries)",
            request.checklist_state.display(),
            report.checklist.len()
        ));
    }

    for rule in &outcome.gate {
        let text = &rule.rule.text;
        match (rule.status, rule.value) {
            (Status::Unmeasured, _) if outcome.allow_unmeasured => global.note(&format!(
                "warning: threshold `{text}` not checked: the metric was not measured"
            )),
            (Status::Unmeasured, _) => stderr_line(&format!(
                "threshold not measured: `{text}` (the metric was not measured; \
--allow-unmeasured turns this into a warning)"
            )),
            (Status::Fail, _) if rule.rule.per_site => {
                let sites: Vec<String> = rule
                    .sites
                    .iter()
                    .map(|(s, v)| format!("{s} ({v})"))
                    .collect();
                stderr_line(&format!(
                    "threshold breached: `{text}` at {} site{}: {}",
                    sites.len(),
                    if sites.len() == 1 { "" } else { "s" },
                    sites.join(", ")
                ));
            }
            (Status::Fail, Some(value)) => {
                stderr_line(&format!("threshold breached: `{text}` (value {value})"))
            }
            _ => {}
        }
    }
    Ok(if outcome.breached() && !args.exit_zero {
        EXIT_THRESHOLD
    } else {
        0
    })
}
