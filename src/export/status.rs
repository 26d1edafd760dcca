//! `servqual status` for people: the period, the sources, the sites against the visit
//! quota, the checklist to act on, and whether the period is complete.

use comfy_table::Cell;

use super::table::{fitted, header, right};
use super::RenderOptions;
use crate::report::labels::{fill, label};
use crate::report::status::{PeriodStatus, Status};

/// The status as terminal tables.
pub fn table(status: &Status, options: &RenderOptions) -> String {
    let lang = options.lang;
    let period = status.period.words();
    let mut out = format!("{} {period}\n", label(lang, "status_title"));
    let mut sources = fitted(options);
    let cols = [
        label(lang, "source"),
        label(lang, "rows"),
        label(lang, "in_period"),
        label(lang, "outside_period"),
        label(lang, "blank_rows"),
        label(lang, "latest_date"),
    ];
    header(&mut sources, &cols, options.color);
    for (name, s) in &status.sources {
        sources.add_row(vec![
            Cell::new(name),
            right(s.rows.rows.to_string()),
            right(s.rows.in_period.to_string()),
            right(s.rows.outside_period.to_string()),
            right(s.rows.blank.to_string()),
            right(s.latest.map_or("–".to_string(), |d| d.to_string())),
        ]);
    }
    out.push_str(&format!("{sources}\n"));
    if let Some(history) = &status.history {
        out.push_str(&history_table(history, options));
    }
    if !status.sites.is_empty() {
        let mut sites = fitted(options);
        let mut cols = vec![
            label(lang, "site"),
            label(lang, "respondents"),
            label(lang, "visits"),
        ];
        if status.min_visits.is_some() {
            cols.push(label(lang, "quota"));
        }
        header(&mut sites, &cols, options.color);
        for s in &status.sites {
            let mut row = vec![
                Cell::new(crate::export::visible(&s.site)),
                right(s.respondents.map_or("–".to_string(), |n| n.to_string())),
                right(s.visits.to_string()),
            ];
            if let Some(quota) = status.min_visits {
                let mark = if s.quota_met { "✓" } else { "✗" };
                row.push(right(format!("{mark} {quota}")));
            }
            sites.add_row(row);
        }
        out.push_str(&format!("{sites}\n"));
    }
    let (open, overdue) = (
        status.checklist.open.to_string(),
        status.checklist.overdue.to_string(),
    );
    out.push_str(&fill(
        lang,
        "checklist_open",
        &[("open", &open), ("overdue", &overdue)],
    ));
    out.push('\n');
    out.push_str(&completeness(status, options));
    out.push('\n');
    out
}

/// The rows and latest date of each source per period of the history (`--history`),
/// oldest first.
fn history_table(history: &[PeriodStatus], options: &RenderOptions) -> String {
    let lang = options.lang;
    let mut table = fitted(options);
    let names: Vec<&String> = history
        .first()
        .map(|p| p.sources.keys().collect())
        .unwrap_or_default();
    let mut cols = vec![label(lang, "period")];
    cols.extend(names.iter().map(|n| n.as_str()));
    header(&mut table, &cols, options.color);
    for p in history {
        let mut row = vec![Cell::new(&p.period.name)];
        for name in &names {
            let rows = p.sources.get(*name);
            let count = rows.map_or(0, |r| r.rows);
            row.push(right(match rows.and_then(|r| r.latest) {
                Some(day) => format!("{count} · {day}"),
                None => count.to_string(),
            }));
        }
        table.add_row(row);
    }
    format!(
        "{}\n{table}\n{}\n",
        label(lang, "history"),
        label(lang, "history_rows_note")
    )
}

/// Whether the period is complete, and if not, why, in a sentence.
fn completeness(status: &Status, options: &RenderOptions) -> String {
    let lang = options.lang;
    if status.complete {
        return label(lang, "complete_yes").to_string();
    }
    let empty: Vec<&str> = status
        .sources
        .iter()
        .filter(|(_, s)| s.rows.in_period == 0)
        .map(|(name, _)| name.as_str())
        .collect();
    let short: Vec<String> = status
        .sites
        .iter()
        .filter(|s| !s.quota_met)
        .map(|s| crate::export::visible(&s.site).into_owned())
        .collect();
    let mut why = Vec::new();
    if !empty.is_empty() {
        why.push(fill(lang, "no_rows_in", &[("sources", &empty.join(", "))]));
    }
    if !short.is_empty() {
        why.push(fill(lang, "quota_missed", &[("sites", &short.join(", "))]));
    }
    fill(lang, "complete_no", &[("why", &why.join("; "))])
}
