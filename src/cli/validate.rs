//! `servqual validate AUDIT.yaml`: check the definition and every file it names.

use std::path::PathBuf;

use crate::cli::Global;
use crate::definition::checklist_state;
use crate::problem::Problems;
use crate::run::{load_audit, read_sources};

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The audit definition (YAML).
    pub audit: PathBuf,
}

/// Runs `validate`: exit 0 when everything is in order, problems (exit 2) otherwise.
pub fn run(args: &ValidateArgs, global: &Global) -> anyhow::Result<u8> {
    let (audit, digest) = load_audit(&args.audit)?;
    // Everything `report` reads besides the audit, each checked so that all problems
    // are listed together.
    let mut problems = Vec::new();
    let gate = super::report::rules(&audit, &[]);
    let state = checklist_state::read_state(&checklist_state::default_state_path(&args.audit));
    let kano = crate::kano::link::must_be_items(&audit);
    let data = read_sources(&audit, digest);
    for result in [gate.err(), state.err(), kano.err()] {
        problems.extend(result.into_iter().flat_map(|p| p.0));
    }
    let data = match data {
        Ok(data) => data,
        Err(p) => {
            problems.extend(p.0);
            return Err(Problems(problems).into());
        }
    };
    Problems::check(problems)?;
    let mut summary = format!(
        "{}: ok — {} dimensions, {} items",
        args.audit.display(),
        audit.dimensions.len(),
        audit.items.len()
    );
    if let Some((_, read)) = &data.customers {
        summary.push_str(&format!(", {} customer rows", read.rows));
    }
    if let Some((_, read)) = &data.management {
        summary.push_str(&format!(", {} management rows", read.rows));
    }
    if let Some(shoppers) = &data.shoppers {
        summary.push_str(&format!(
            ", {} visits on form {} ({} questions)",
            shoppers.read.rows,
            shoppers.form.name,
            shoppers.form.questions.len()
        ));
    }
    global.note(&summary);
    Ok(0)
}
