//! `servqual templates`: list the built-in templates.

use crate::cli::Global;
use crate::definition::builtin::{header, Kind, TEMPLATES};
use crate::output::{new_table, write_stdout};

/// Runs `templates`.
pub fn run(global: &Global) -> anyhow::Result<u8> {
    let mut table = new_table(global.color.enabled(true));
    table.set_header(vec!["name", "kind", "title", "init"]);
    for t in TEMPLATES {
        let title = header(t).map(|h| h.title.en).unwrap_or_default();
        let kind = match t.kind {
            Kind::Instrument => "instrument",
            Kind::Form => "mystery-shop form",
            Kind::Actions => "action library",
            Kind::Kano => "Kano questionnaire",
        };
        let init = if super::init::supports(t) { "yes" } else { "" };
        table.add_row(vec![t.name, kind, &title, init]);
    }
    write_stdout(format!("{table}\n").as_bytes())?;
    Ok(0)
}
