//! `servqual validate AUDIT.yaml`: check the definition and every file it names.

use std::path::PathBuf;

use crate::cli::Global;
use crate::definition::checklist_state;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The audit definition (YAML).
    pub audit: PathBuf,
}

/// Runs `validate`: exit 0 when everything is in order, problems (exit 2) otherwise.
pub fn run(args: &ValidateArgs, global: &Global) -> anyhow::Result<u8> {
    let audit = crate::definition::load(&args.audit)?;
    let state_path = checklist_state::default_state_path(&args.audit);
    let data = crate::run::validate(&audit, &state_path)?.data;
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
