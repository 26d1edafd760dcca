//! The checklist state file beside the audit (`<audit-stem>.checklist.yaml`): what people
//! recorded about each checklist entry (status, owner, due date, notes), by id.
//!
//! Read before anything is written, so a bad status or date stops the run with exit 2;
//! written only on `--update-checklist`, from plain [`StateRecord`]s.
//!
//! Each entry remembers the periods it was first and last seen in (`first_seen: 2026-10`,
//! `last_seen: 2026-11`), by name; older files wrote the first period's last day
//! (`first_seen: 2026-10-31`), which still loads. Either way a period is kept as its last
//! day, which orders periods of any schedule.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::period::{Cadence, Schedule};
use super::{Locator, Meta};
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
    /// Period end the finding was last seen (`None` in files written before it was kept).
    pub last_seen: Option<NaiveDate>,
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
    /// The last day of the period the file was last written for (`period:`), if recorded.
    pub written_for: Option<NaiveDate>,
}

impl ChecklistState {
    /// The last day of the latest period the file has seen: the one it was written for,
    /// or any entry was first or last seen in.
    pub fn latest_seen(&self) -> Option<NaiveDate> {
        let seen = self.entries.values();
        let entries = seen.flat_map(|e| [e.first_seen, e.last_seen]).flatten();
        entries.chain(self.written_for).max()
    }
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
    /// Period end the finding was last seen, if known.
    pub last_seen: Option<NaiveDate>,
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
    /// The period the file was last written for.
    #[serde(default)]
    period: Option<String>,
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
    last_seen: Option<String>,
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

/// Reads the state file at `path` of the audit with `meta` (whose schedule names the
/// periods in it); `Ok(None)` when it does not exist.
pub fn read_state(path: &Path, meta: &Meta) -> Result<Option<ChecklistState>, Problems> {
    if !path.exists() {
        return Ok(None);
    }
    let text = crate::yaml::read_text(path)?;
    parse_state_of(path, &text, Some(meta)).map(Some)
}

/// The last day of the period `text` names in a state file: a period of the audit's
/// schedule, a calendar month, quarter or year, `START..END`, or (as older files wrote it)
/// the period's last day itself.
fn seen_day(text: &str, meta: Option<&Meta>) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day);
    }
    let own = meta.and_then(|m| m.schedule);
    let calendar = [Cadence::Monthly, Cadence::Quarterly, Cadence::Yearly].map(Schedule::calendar);
    let fixed = meta
        .and_then(|m| m.fixed_period.as_ref())
        .filter(|p| p.name == text)
        .map(|p| p.end);
    let named = own.into_iter().chain(calendar).find_map(|s| s.parse(text));
    fixed.or(named.map(|p| p.end))
}

/// How the state file names the period that ends on `day`: the run's own period, the
/// audit's fixed period or a period of its schedule by name; any other day as itself.
fn seen_name(day: NaiveDate, meta: &Meta) -> String {
    let own = Some(meta.period()).filter(|p| p.end == day && !p.name.is_empty());
    let fixed = meta.fixed_period.clone().filter(|p| p.end == day);
    let scheduled = meta
        .schedule
        .and_then(|s| s.period_of(day))
        .filter(|p| p.end == day);
    own.or(fixed)
        .or(scheduled)
        .map_or_else(|| day.format("%Y-%m-%d").to_string(), |p| p.name)
}

/// Parses and checks state file `text`, every bad status or date a problem with its line;
/// periods are named as calendar periods or ranges (see [`read_state`] for an audit's own).
pub fn parse_state(path: &Path, text: &str) -> Result<ChecklistState, Problems> {
    parse_state_of(path, text, None)
}

/// [`parse_state`], with the periods of the audit with `meta`.
fn parse_state_of(
    path: &Path,
    text: &str,
    meta: Option<&Meta>,
) -> Result<ChecklistState, Problems> {
    // An empty file (or one with only comments) is an empty state.
    let raw: RawState = if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        RawState {
            audit: None,
            period: None,
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
    let written_for = raw.period.as_ref().and_then(|v| {
        let day = seen_day(v, meta);
        if day.is_none() {
            place("period".into(), "not a period", v, PERIOD_EXPECTED);
        }
        day
    });
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
        let mut period = |field: &str, value: &Option<String>| {
            value.as_ref().and_then(|v| {
                let day = seen_day(v, meta);
                if day.is_none() {
                    place(at(field), "not a period", v, PERIOD_EXPECTED);
                }
                day
            })
        };
        let first_seen = period("first_seen", &r.first_seen);
        let last_seen = period("last_seen", &r.last_seen);
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
                    last_seen,
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
        written_for,
    })
}

/// What a period in the state file may be written as.
const PERIOD_EXPECTED: &str =
    "a period name such as 2026-10 or 2026-Q3, START..END, or the period's last day as YYYY-MM-DD";

#[derive(Serialize)]
struct OutState<'a> {
    audit: &'a str,
    period: String,
    entries: BTreeMap<String, RawStateEntry>,
}

/// The state file of the audit with `meta` holding `records` (what `--update-checklist`
/// writes), periods by name.
pub fn render_state(meta: &Meta, records: &[StateRecord]) -> anyhow::Result<String> {
    let out = OutState {
        audit: &meta.id,
        period: seen_name(meta.period_end, meta),
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
                        first_seen: Some(seen_name(r.first_seen, meta)),
                        last_seen: r.last_seen.map(|day| seen_name(day, meta)),
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
         # due and notes; servqual keeps them. first_seen, last_seen, title, severity, gap,\n\
         # dimension, item, question and site are written by servqual to recognise the\n\
         # finding: leave them as they are.\n\
         # Rewritten only by `servqual report AUDIT --update-checklist`.\n{body}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::period::Period;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// The metadata of a monthly audit run for October 2026, with a fiscal schedule when
    /// `year_starts` is not 1.
    fn monthly(cadence: Cadence, year_starts: u32) -> Meta {
        Meta {
            id: "a".into(),
            title: "A".into(),
            organisation: None,
            period_start: day("2026-10-01"),
            period_end: day("2026-10-31"),
            period_name: "2026-10".into(),
            fixed_period: None,
            schedule: Some(Schedule {
                cadence,
                year_starts,
            }),
            earlier_periods: Vec::new(),
        }
    }

    #[test]
    fn periods_are_named_and_read_back_as_their_last_day() {
        let meta = monthly(Cadence::Monthly, 1);
        assert_eq!(seen_name(day("2026-10-31"), &meta), "2026-10");
        assert_eq!(seen_name(day("2026-09-30"), &meta), "2026-09");
        // A day that ends no period of the schedule stays a day.
        assert_eq!(seen_name(day("2026-09-15"), &meta), "2026-09-15");
        for text in ["2026-10", "2026-10-31", " 2026-10 "] {
            assert_eq!(
                seen_day(text, Some(&meta)),
                Some(day("2026-10-31")),
                "{text}"
            );
        }
        // Calendar quarters and years, and ranges, without the audit.
        assert_eq!(seen_day("2026-Q3", None), Some(day("2026-09-30")));
        assert_eq!(seen_day("2026", None), Some(day("2026-12-31")));
        assert_eq!(
            seen_day("2026-07-01..2026-08-15", None),
            Some(day("2026-08-15"))
        );
        assert_eq!(seen_day("October", None), None);
        // A fiscal year starting in April: FY2027 ends on 31 March 2027.
        let fiscal = monthly(Cadence::Yearly, 4);
        assert_eq!(seen_day("FY2027", Some(&fiscal)), Some(day("2027-03-31")));
        assert_eq!(seen_name(day("2027-03-31"), &fiscal), "FY2027");
        // The fixed period by its own name.
        let mut fixed = monthly(Cadence::Monthly, 1);
        fixed.schedule = None;
        fixed.fixed_period = Period::range("2026-07-01..2026-09-30");
        assert_eq!(
            seen_name(day("2026-09-30"), &fixed),
            "2026-07-01..2026-09-30"
        );
    }

    #[test]
    fn old_files_load_and_the_latest_period_seen_is_found() {
        // Written before last_seen and period: existed, first_seen as a day.
        let old =
            "audit: a\nentries:\n  gap5-service:\n    status: open\n    first_seen: 2026-09-30\n";
        let state = parse_state(Path::new("s.yaml"), old).unwrap();
        let entry = &state.entries["gap5-service"];
        assert_eq!(entry.first_seen, Some(day("2026-09-30")));
        assert_eq!(entry.last_seen, None);
        assert_eq!(state.latest_seen(), Some(day("2026-09-30")));
        let new = "period: 2026-11\nentries:\n  x:\n    status: resolved\n    first_seen: 2026-09\n    last_seen: 2026-10\n";
        let state = parse_state(Path::new("s.yaml"), new).unwrap();
        assert_eq!(state.entries["x"].last_seen, Some(day("2026-10-31")));
        assert_eq!(state.latest_seen(), Some(day("2026-11-30")));
        let bad = "period: soon\nentries:\n  x:\n    status: open\n    last_seen: later\n";
        let err = parse_state(Path::new("s.yaml"), bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("s.yaml:1:1: period: not a period"), "{err}");
        assert!(
            err.contains("s.yaml:5:5: entries.x.last_seen: not a period"),
            "{err}"
        );
    }

    #[test]
    fn the_written_file_names_its_period_and_each_entrys() {
        let meta = monthly(Cadence::Monthly, 1);
        let record = StateRecord {
            id: "gap5-service".into(),
            status: Status::Open,
            owner: None,
            due: day("2026-12-30"),
            notes: None,
            first_seen: day("2026-09-30"),
            last_seen: Some(day("2026-10-31")),
            title: "Service".into(),
            severity: Severity::High,
            gap: 5,
            dimension: Some("service".into()),
            item: None,
            question: None,
            site: None,
        };
        let text = render_state(&meta, &[record]).unwrap();
        assert!(text.contains("\nperiod: 2026-10\n"), "{text}");
        assert!(
            text.contains("first_seen: 2026-09\n    last_seen: 2026-10\n"),
            "{text}"
        );
        let back = parse_state_of(Path::new("s.yaml"), &text, Some(&meta)).unwrap();
        assert_eq!(back.written_for, Some(day("2026-10-31")));
        assert_eq!(
            back.entries["gap5-service"].first_seen,
            Some(day("2026-09-30"))
        );
    }

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
