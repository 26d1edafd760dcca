//! The checklist state file beside the audit (`<audit-stem>.checklist.yaml`): what people
//! recorded about each checklist entry (status, owner, due date, notes), by id.
//!
//! Read before anything is written, so a bad status or date stops the run with exit 2;
//! written only on `--update-checklist`, from plain [`StateRecord`]s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Locator;
use crate::problem::{Problem, Problems};

/// How urgent a checklist entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A failed critical question, or a shortfall of 1.5 points or more (7-point scale).
    Critical,
    /// A significant shortfall of 1.0 to 1.5 points.
    High,
    /// A significant shortfall below 1.0 point.
    Medium,
    /// A shortfall that may be chance: its 95% interval includes 0.
    Watch,
}

impl Severity {
    /// Parses a severity word of the state file.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "critical" => Some(Severity::Critical),
            "high" => Some(Severity::High),
            "medium" => Some(Severity::Medium),
            "watch" => Some(Severity::Watch),
            _ => None,
        }
    }

    /// The word written in the state file and the JSON.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Watch => "watch",
        }
    }
}

/// Where an entry stands. People set the first four in the state file; the tool sets
/// `reopened` (a `done` finding came back) and `resolved` (the gap closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Not started.
    Open,
    /// Someone is working on it.
    InProgress,
    /// Marked done by its owner.
    Done,
    /// Decided not to act.
    WontFix,
    /// Was `done` (or `resolved`) but the finding is back.
    Reopened,
    /// The finding is no longer below the threshold.
    Resolved,
}

/// The statuses accepted in a state file, as written.
pub(crate) const STATUS_WORDS: [&str; 6] = [
    "open",
    "in-progress",
    "done",
    "wont-fix",
    "reopened",
    "resolved",
];

impl Status {
    /// Parses a status word of the state file.
    pub fn parse(s: &str) -> Option<Status> {
        match s.trim() {
            "open" => Some(Status::Open),
            "in-progress" => Some(Status::InProgress),
            "done" => Some(Status::Done),
            "wont-fix" => Some(Status::WontFix),
            "reopened" => Some(Status::Reopened),
            "resolved" => Some(Status::Resolved),
            _ => None,
        }
    }

    /// The word written in the state file and the JSON.
    pub fn word(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InProgress => "in-progress",
            Status::Done => "done",
            Status::WontFix => "wont-fix",
            Status::Reopened => "reopened",
            Status::Resolved => "resolved",
        }
    }

    /// Whether work is still expected (so the entry can be overdue).
    pub fn is_active(self) -> bool {
        matches!(self, Status::Open | Status::InProgress | Status::Reopened)
    }

    /// Whether a Markdown checkbox is ticked.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Done | Status::Resolved)
    }
}

/// One entry of the state file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct StateEntry {
    /// Status.
    pub status: Status,
    /// Owner (overrides the YAML `owners:`).
    pub owner: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Period end the finding was first seen.
    pub first_seen: Option<NaiveDate>,
    /// Due date (kept unless the finding is reopened).
    pub due: Option<NaiveDate>,
    /// Written by servqual: the gap.
    pub gap: Option<u8>,
    /// Written by servqual: the dimension.
    pub dimension: Option<String>,
    /// Written by servqual: the item.
    pub item: Option<String>,
    /// Written by servqual: the critical question.
    pub question: Option<String>,
    /// Written by servqual: the site.
    pub site: Option<String>,
    /// Written by servqual: the last severity.
    pub severity: Option<Severity>,
    /// Written by servqual: the title.
    pub title: Option<String>,
}

/// The checklist state file: what people recorded about each entry, by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChecklistState {
    /// The file.
    pub path: PathBuf,
    /// SHA-256 of the file, for the report's provenance.
    pub sha256: String,
    /// Entries by id.
    pub entries: BTreeMap<String, StateEntry>,
}

/// One entry as the state file records it (what `--update-checklist` writes).
#[derive(Debug, Clone, PartialEq)]
pub struct StateRecord {
    /// The entry's stable id.
    pub id: String,
    /// Status.
    pub status: Status,
    /// Owner.
    pub owner: Option<String>,
    /// Due date.
    pub due: NaiveDate,
    /// Notes.
    pub notes: Option<String>,
    /// Period end the finding was first seen.
    pub first_seen: NaiveDate,
    /// The title, in the report language.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// The gap; written only when it is 1 to 5.
    pub gap: u8,
    /// The dimension.
    pub dimension: Option<String>,
    /// The item.
    pub item: Option<String>,
    /// The critical question.
    pub question: Option<String>,
    /// The site.
    pub site: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    /// The audit the file was written for: for people, so accepted and not checked.
    #[serde(default)]
    #[allow(dead_code)]
    audit: Option<String>,
    #[serde(default)]
    entries: BTreeMap<String, RawStateEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStateEntry {
    status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_seen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gap: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dimension: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    question: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    site: Option<String>,
}

/// The default state file of an audit: `<audit-stem>.checklist.yaml` beside it.
pub fn default_state_path(audit_path: &Path) -> PathBuf {
    let stem = audit_path
        .file_stem()
        .map_or_else(|| "audit".into(), |s| s.to_string_lossy().into_owned());
    audit_path.with_file_name(format!("{stem}.checklist.yaml"))
}

/// Reads the state file at `path`; `Ok(None)` when it does not exist.
pub fn read_state(path: &Path) -> Result<Option<ChecklistState>, Problems> {
    if !path.exists() {
        return Ok(None);
    }
    let text = crate::yaml::read_text(path)?;
    parse_state(path, &text).map(Some)
}

/// Parses and checks state file `text`, every bad status or date a problem with its line.
pub fn parse_state(path: &Path, text: &str) -> Result<ChecklistState, Problems> {
    // An empty file (or one with only comments) is an empty state.
    let raw: RawState = if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        RawState {
            audit: None,
            entries: BTreeMap::new(),
        }
    } else {
        crate::yaml::from_str(path, text)?
    };
    let locator = Locator::new(text);
    let mut problems = Vec::new();
    let mut place = |at: String, message: &str, found: &str, expected: &str| {
        let mut p = Problem::new(message)
            .file(path)
            .field(at.clone())
            .found(found)
            .expected(expected);
        if let Some((line, column)) = locator.find(&at) {
            p = p.at(line, column);
        }
        problems.push(p);
    };
    let mut entries = BTreeMap::new();
    for (id, r) in raw.entries {
        let at = |field: &str| format!("entries.{id}.{field}");
        let status = Status::parse(&r.status);
        if status.is_none() {
            let hint = crate::yaml::nearest(&r.status, STATUS_WORDS.iter().copied())
                .map(|h| format!(" (did you mean `{h}`?)"))
                .unwrap_or_default();
            place(
                at("status"),
                "unknown status",
                &r.status,
                &format!("open, in-progress, done or wont-fix{hint}"),
            );
        }
        let mut date = |field: &str, value: &Option<String>| {
            value.as_ref().and_then(|v| {
                let d = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
                if d.is_none() {
                    place(at(field), "not a date", v, "a date as YYYY-MM-DD");
                }
                d
            })
        };
        let due = date("due", &r.due);
        let first_seen = date("first_seen", &r.first_seen);
        let severity = r.severity.as_deref().and_then(|s| {
            let parsed = Severity::parse(s.trim());
            if parsed.is_none() {
                place(
                    at("severity"),
                    "unknown severity",
                    s,
                    "critical, high, medium or watch",
                );
            }
            parsed
        });
        if let Some(g) = r.gap {
            if !(1..=5).contains(&g) {
                place(
                    at("gap"),
                    "unknown gap",
                    &g.to_string(),
                    "a gap from 1 to 5",
                );
            }
        }
        let blank = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
        if let Some(status) = status {
            entries.insert(
                id.clone(),
                StateEntry {
                    status,
                    owner: blank(r.owner),
                    notes: blank(r.notes),
                    first_seen,
                    due,
                    gap: r.gap,
                    dimension: r.dimension,
                    item: r.item,
                    question: r.question,
                    site: r.site,
                    severity,
                    title: r.title,
                },
            );
        }
    }
    Problems::check(problems)?;
    Ok(ChecklistState {
        path: path.to_path_buf(),
        sha256: crate::provenance::sha256_hex(text.as_bytes()),
        entries,
    })
}

#[derive(Serialize)]
struct OutState<'a> {
    audit: &'a str,
    entries: BTreeMap<String, RawStateEntry>,
}

/// The state file of audit `audit_id` holding `records` (what `--update-checklist` writes).
pub fn render_state(audit_id: &str, records: &[StateRecord]) -> anyhow::Result<String> {
    let out = OutState {
        audit: audit_id,
        entries: records
            .iter()
            .map(|r| {
                (
                    r.id.clone(),
                    RawStateEntry {
                        status: r.status.word().to_string(),
                        owner: r.owner.clone(),
                        due: Some(r.due.format("%Y-%m-%d").to_string()),
                        notes: r.notes.clone(),
                        first_seen: Some(r.first_seen.format("%Y-%m-%d").to_string()),
                        title: Some(r.title.clone()),
                        severity: Some(r.severity.word().to_string()),
                        gap: Some(r.gap).filter(|g| (1..=5).contains(g)),
                        dimension: r.dimension.clone(),
                        item: r.item.clone(),
                        question: r.question.clone(),
                        site: r.site.clone(),
                    },
                )
            })
            .collect(),
    };
    let body = serde_yaml::to_string(&out)?;
    Ok(format!(
        "# servqual checklist state. Edit status (open, in-progress, done, wont-fix), owner,\n\
         # due and notes; servqual keeps them. title, severity, gap, dimension, item, question\n\
         # and site are written by servqual to recognise the finding: leave them as they are.\n\
         # Rewritten only by `servqual report AUDIT --update-checklist`.\n{body}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_status_and_date_are_problems_with_lines() {
        let text = "entries:\n  gap5-reliability:\n    status: in_progress\n    due: 30/09/2026\n";
        let err = parse_state(Path::new("s.yaml"), text).unwrap_err();
        let msg = err.to_string();
        assert_eq!(err.0.len(), 2, "{msg}");
        assert!(
            msg.contains("s.yaml:3:5: entries.gap5-reliability.status: unknown status"),
            "{msg}"
        );
        assert!(msg.contains("did you mean `in-progress`"), "{msg}");
        assert!(
            msg.contains("s.yaml:4:5: entries.gap5-reliability.due: not a date"),
            "{msg}"
        );
        // Unknown keys are caught by the parser.
        assert!(parse_state(
            Path::new("s.yaml"),
            "entries:\n  x:\n    status: open\n    owenr: A\n"
        )
        .is_err());
        // A file with only comments is an empty state.
        assert!(parse_state(Path::new("s.yaml"), "# nothing yet\n")
            .unwrap()
            .entries
            .is_empty());
    }
}
