//! `servqual validate AUDIT.yaml`: check the definition and every file it names.

use std::path::PathBuf;

use crate::cli::Global;
use crate::definition::checklist_state;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The audit definition (YAML).
    pub audit: PathBuf,
    /// The period to check: a name (`2026-10`, `2026-Q3`) or `START..END`.
    #[arg(long, value_name = "NAME|START..END")]
    pub period: Option<String>,
    /// The encoding of the audit's data files (utf-8, gb18030, euc-kr/cp949, shift_jis,
    /// windows-1252, macintosh, ...), over each source's `encoding:` [default: detected
    /// when sure].
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Leave invalid rows of the data files out (each listed on stderr) instead of
    /// failing, as `report --skip-invalid` would.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Check the rows `report --history N` reads too: the N periods of the schedule
    /// ending with the checked one.
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..=crate::analysis::history::MAX_PERIODS as i64),
    )]
    pub history: Option<u16>,
}

/// Runs `validate`: exit 0 when everything is in order, problems (exit 2) otherwise.
pub fn run(args: &ValidateArgs, global: &Global) -> anyhow::Result<u8> {
    let audit = super::load_audit_with_encoding(&args.audit, args.encoding.as_deref())?;
    let state_path = checklist_state::default_state_path(&args.audit);
    let invalid = match args.skip_invalid {
        true => crate::sources::stream::InvalidRows::Skip,
        false => crate::sources::stream::InvalidRows::Stop,
    };
    let period = args.period.as_deref();
    let history = args.history.map(usize::from);
    let validation = crate::run::validate(&audit, &state_path, period, history, invalid)?;
    let data = validation.data;
    data.notes().iter().for_each(|note| global.note(note));
    let mut summary = format!(
        "{}: ok — {} dimensions, {} items",
        args.audit.display(),
        audit.dimensions.len(),
        audit.items.len()
    );
    // Rows of other periods and blank ones are named only where there are any.
    let of_period = |rows: &crate::sources::stream::RowCounts| {
        if rows.in_period == rows.rows {
            String::new()
        } else {
            format!(" ({} in {})", rows.in_period, validation.period.name)
        }
    };
    if let Some((_, read)) = &data.customers {
        let counted = of_period(&read.counts);
        summary.push_str(&format!(", {} customer rows{counted}", read.rows));
    }
    if let Some((_, read)) = &data.management {
        let counted = of_period(&read.counts);
        summary.push_str(&format!(", {} management rows{counted}", read.rows));
    }
    if let Some(shoppers) = &data.shoppers {
        summary.push_str(&format!(
            ", {} visits on form {} ({} questions)",
            shoppers.read.rows,
            shoppers.form.name,
            shoppers.form.questions.len()
        ));
    }
    if let Some(first) = validation.earlier.first() {
        summary.push_str(&format!(
            "; with the {} periods before it from {} on",
            validation.earlier.len(),
            first.name
        ));
    }
    global.note(&summary);
    Ok(0)
}
