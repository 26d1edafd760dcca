//! `servqual report AUDIT.yaml`: the gap tables and checklist (the main job).

use std::path::PathBuf;

use crate::analysis::checklist;
use crate::analysis::gate::{self, Rule};
use crate::analysis::trend::read_baseline;
use crate::cli::{Global, EXIT_THRESHOLD};
use crate::definition::Audit;
use crate::i18n::Lang;
use crate::output::{write_atomic, write_output};
use crate::problem::{Problem, Problems};
use crate::report::{checklist_markdown, Format, RenderOptions};
use crate::run::{build_report_with, load_audit, read_sources_by};

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
    /// Print only the checklist, as a Markdown task list (to --output or stdout; not
    /// with --format or --report, which would otherwise get Markdown under their name).
    #[arg(long, conflicts_with_all = ["format", "reports"])]
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
    /// Record when the report was made (reports are otherwise byte-identical per input).
    #[arg(long)]
    pub timestamp: bool,
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

/// The gate rules of the audit and the command line, every bad one listed.
pub(super) fn rules(audit: &Audit, fail_on: &[String]) -> Result<Vec<Rule>, Problems> {
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    let from_yaml = audit
        .thresholds
        .fail
        .iter()
        .enumerate()
        .map(|(i, t)| (t, Some(i)));
    let from_cli = fail_on.iter().map(|t| (t, None));
    for (text, index) in from_yaml.chain(from_cli) {
        match gate::parse(text, audit) {
            Ok(rule) => rules.push(rule),
            Err(e) => {
                let p = Problem::new(e.message)
                    .found(text.clone())
                    .expected(e.expected);
                problems.push(match index {
                    Some(i) => p.file(&audit.path).field(format!("thresholds.fail[{i}]")),
                    None => p.field("--fail-on"),
                });
            }
        }
    }
    Problems::check(problems)?;
    Ok(rules)
}

/// Runs `report`.
pub fn run(args: &ReportArgs, global: &Global) -> anyhow::Result<u8> {
    let (audit, digest) = load_audit(&args.audit)?;
    let rules = rules(&audit, &args.fail_on)?;
    let state_path = args
        .checklist_file
        .clone()
        .unwrap_or_else(|| checklist::default_state_path(&args.audit));
    // Read before anything is written, so a bad state file or baseline stops the run
    // with exit 2.
    let state = checklist::read_state(&state_path)?;
    let baseline = args.baseline.as_deref().map(read_baseline).transpose()?;
    let (must_be, kano_files) = crate::kano::link::must_be_items(&audit)?;
    let data = read_sources_by(&audit, digest, args.by.as_deref())?;
    if global.verbose > 0 {
        let customers = data.customers.iter().map(|(_, read)| read);
        for read in customers.chain(data.management.iter().map(|(_, read)| read)) {
            global.note(&format!("{}: {}", read.digest.path, read.strategy));
        }
    }
    let mut report = build_report_with(
        &audit,
        &data,
        baseline.as_ref().map(|(b, d)| (b, d.clone())),
    );
    let critical = report.shoppers.as_ref().map(checklist::critical_failures);
    checklist::attach(
        &mut report,
        &audit,
        state.as_ref(),
        args.lang,
        critical.as_deref(),
        &must_be,
    );
    report.provenance.files.extend(kano_files);
    if args.timestamp {
        report.provenance.generated_at =
            Some(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
    }

    let mut targets: Vec<(Format, String)> = Vec::new();
    if args.reports.is_empty() || args.format.is_some() || args.output.is_some() {
        targets.push((
            args.format.unwrap_or(Format::Table),
            args.output.clone().unwrap_or_else(|| "-".into()),
        ));
    }
    targets.extend(args.reports.iter().cloned());
    // Render everything first, so a failure writes nothing.
    let mut rendered = Vec::with_capacity(targets.len());
    for (format, target) in &targets {
        let options = RenderOptions {
            lang: args.lang,
            color: *format == Format::Table && global.color.enabled(target == "-"),
        };
        let bytes = if args.checklist_only {
            checklist_markdown(&report, args.lang).into_bytes()
        } else {
            format.exporter().render(&report, &options)?
        };
        rendered.push((target, bytes));
    }
    for (target, bytes) in &rendered {
        write_output(target, bytes)?;
        if *target != "-" && global.verbose > 0 {
            global.note(&format!("wrote {target}"));
        }
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

    let json = serde_json::to_value(&report)?;
    let mut breached = false;
    for outcome in gate::evaluate(&rules, &json) {
        match outcome.value {
            None => global.note(&format!(
                "warning: threshold `{}` not checked: the metric was not measured",
                outcome.rule.text
            )),
            Some(value) if outcome.breached => {
                breached = true;
                eprintln!(
                    "threshold breached: `{}` (value {value})",
                    outcome.rule.text
                );
            }
            Some(_) => {}
        }
    }
    Ok(if breached && !args.exit_zero {
        EXIT_THRESHOLD
    } else {
        0
    })
}
