//! `servqual init [--template NAME] DIR`: write a runnable audit with sample data.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::Global;
use crate::definition::builtin::{self, Kind, Template};
use crate::output::write_atomic;
use crate::problem::Problem;
use crate::sample::{write_customers, CustomerSample};

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The template to start from (see `servqual templates`).
    #[arg(short, long, default_value = "servqual-22")]
    pub template: String,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
    /// The folder to create the audit in.
    pub dir: PathBuf,
}

/// Whether `init` can scaffold an audit from `template`.
pub fn supports(template: &Template) -> bool {
    template.kind == Kind::Instrument || template.kind == Kind::Form || template.kind == Kind::Kano
}

/// Runs `init`.
pub fn run(args: &InitArgs, global: &Global) -> anyhow::Result<u8> {
    let template = match builtin::find(&args.template) {
        Some(t) if supports(t) => t,
        found => {
            let names: Vec<&str> = builtin::TEMPLATES
                .iter()
                .filter(|t| supports(t))
                .map(|t| t.name)
                .collect();
            let message = if found.is_some() {
                "this template cannot be scaffolded on its own"
            } else {
                "unknown template"
            };
            return Err(Problem::new(message)
                .field("--template")
                .found(args.template.clone())
                .expected(format!("one of {}", names.join(", ")))
                .into_problems()
                .into());
        }
    };
    let files = if template.kind == Kind::Form {
        super::init_form::scaffold(template)?
    } else if template.kind == Kind::Kano {
        super::init_kano::scaffold(template)?
    } else {
        scaffold(template)?
    };
    if !args.force {
        let existing: Vec<Problem> = files
            .iter()
            .map(|(p, _)| args.dir.join(p))
            .filter(|p| p.exists())
            .map(|p| {
                Problem::new("file exists; not overwritten")
                    .file(&p)
                    .expected("a new folder, or --force to overwrite")
            })
            .collect();
        crate::problem::Problems::check(existing)?;
    }
    for (relative, text) in &files {
        let path = args.dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        write_atomic(&path, text.as_bytes())?;
    }
    let (command, main) = if template.kind == Kind::Kano {
        ("kano", "kano.yaml")
    } else {
        ("report", "audit.yaml")
    };
    global.note(&format!(
        "wrote {} files to {}; next: servqual {command} {}",
        files.len(),
        args.dir.display(),
        args.dir.join(main).display()
    ));
    Ok(0)
}

/// The built-in instrument `name`, the dimension ids and its items as
/// `(id, dimension index)`: the shape the sample-data writers take.
pub(super) fn instrument_items(name: &str) -> anyhow::Result<crate::sample::InstrumentItems> {
    crate::sample::instrument_items(name)
        .with_context(|| format!("built-in instrument {name} does not parse"))
}

/// The files of a new audit from an instrument template: `(relative path, contents)`.
fn scaffold(template: &Template) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let (instrument, dimensions, items) = instrument_items(template.name)?;
    let today = chrono::Local::now().date_naive();
    let (start, _) = quarter_of(today);
    let mut customers = Vec::new();
    write_customers(
        &mut customers,
        &items,
        &dimensions,
        &CustomerSample {
            respondents: 40,
            sites: vec!["North".into(), "South".into()],
            missing: 0.04,
            min: instrument.scale.min as i32,
            max: instrument.scale.max as i32,
            seed: 22,
            importance: false,
            date: start.to_string(),
        },
    )?;
    let audit = format!(
        r#"# A servqual audit, written by `servqual init --template {name}`.
# Run it:       servqual report {{this file}}
# Check it:     servqual validate {{this file}}
# Every key is described in the documentation (docs/files.md, "Audit file").
audit:
  id: service-audit-{start_id}
  title: Service quality audit
  organisation: Example Company
  # One definition for every quarter: each report is of one quarter, the latest with
  # dated rows unless `--period 2026-Q3` (or START..END) names another.
  schedule: quarterly

scale: {{min: {min}, max: {max}}}

# The 22 statements of the instrument; add or override items under `items:`.
instrument: {name}

# Dimension weights in percent (sum 100), or `weights: survey` to use the
# respondents' importance points (W_<dimension> columns).
weights:
  tangibles: 10
  reliability: 30
  responsiveness: 20
  professionalism: 20
  empathy: 20

sources:
  customers:
    file: data/customers.csv
    # encoding: gbk        # detected when not given, if sure; else declare it
    # delimiter: ";"       # detected when not given
    columns: {{id: id, site: site, date: date}}
    patterns: {{expected: "E_{{item}}", perceived: "P_{{item}}"}}

thresholds:
  checklist: -0.5
"#,
        name = template.name,
        start_id = start.format("%Y-%m"),
        min = instrument.scale.min,
        max = instrument.scale.max,
    );
    Ok(vec![
        (PathBuf::from("audit.yaml"), audit),
        (
            Path::new("data").join("customers.csv"),
            String::from_utf8(customers).context("sample data is not UTF-8")?,
        ),
    ])
}

/// First and last day of the calendar quarter containing `day` (the schedule the
/// templates write).
pub(super) fn quarter_of(day: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
    use crate::definition::period::{Cadence, Schedule};
    Schedule::calendar(Cadence::Quarterly)
        .period_of(day)
        .map_or((day, day), |p| (p.start, p.end))
}
