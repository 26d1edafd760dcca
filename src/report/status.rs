//! What a coordinator checks before the report (`servqual status`, docs/cli.md#status):
//! per source the rows of the period and the latest date, per site its respondents and
//! visits against the visit quota, the checklist entries open and overdue, and whether
//! the period is complete. Made from the same run as the report, so the two agree.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{NamedPeriod, Report, SourceRows};

/// The schema id of `servqual status --format json`.
pub const SCHEMA: &str = "servqual.status/v1";

/// The status of one period of an audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The period checked.
    pub period: NamedPeriod,
    /// Per source read: its rows and the latest date in its file.
    pub sources: BTreeMap<String, SourceStatus>,
    /// Per site, by name.
    pub sites: Vec<SiteStatus>,
    /// The visit quota per site (`thresholds.min_visits`); `null` without shoppers.
    pub min_visits: Option<u32>,
    /// The checklist entries still to act on.
    pub checklist: ChecklistCount,
    /// Every source has rows in the period and every site meets its visit quota.
    pub complete: bool,
    /// With `--history N`: the N periods ending with this one, oldest first; else `null`.
    pub history: Option<Vec<PeriodStatus>>,
}

/// The rows of each source in one period of the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodStatus {
    /// The period.
    pub period: NamedPeriod,
    /// Per source read (`customers`, `management`, `shoppers`).
    pub sources: BTreeMap<String, PeriodRows>,
}

/// One source in one period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PeriodRows {
    /// Rows of the period, as the report counts them (respondents, visits).
    pub rows: u64,
    /// The latest valid date in the period; `null` without a date column or rows.
    #[serde(serialize_with = "date_or_null")]
    pub latest: Option<chrono::NaiveDate>,
}

/// One source's rows and how recent its data are.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SourceStatus {
    /// Rows counted as in the report.
    #[serde(flatten)]
    pub rows: SourceRows,
    /// The latest valid date in the file, any period; `null` without a date column.
    #[serde(serialize_with = "date_or_null")]
    pub latest: Option<chrono::NaiveDate>,
}

/// One site's data of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteStatus {
    /// The site's name.
    pub site: String,
    /// Customer survey respondents of the period at the site; `null` without a survey.
    pub respondents: Option<u64>,
    /// Mystery-shopper visits of the period at the site.
    pub visits: u64,
    /// The visits reach the quota (always true without a shopper source).
    pub quota_met: bool,
}

/// Checklist entries to act on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ChecklistCount {
    /// Open or in progress.
    pub open: u64,
    /// Of those, past their due date.
    pub overdue: u64,
}

fn date_or_null<S: serde::Serializer>(
    day: &Option<chrono::NaiveDate>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match day {
        Some(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
        None => s.serialize_none(),
    }
}

impl Status {
    /// The status of the period `report` is about; `latest` gives each source's latest
    /// date, `by_period` its latest date in each period of the report's history (oldest
    /// first), `min_visits` the quota when the audit has shoppers.
    pub fn of(
        report: &Report,
        latest: &BTreeMap<String, Option<chrono::NaiveDate>>,
        by_period: &BTreeMap<String, Vec<Option<chrono::NaiveDate>>>,
        min_visits: Option<u32>,
    ) -> Status {
        let sources: BTreeMap<String, SourceStatus> = report
            .sources
            .iter()
            .map(|(name, rows)| {
                let latest = latest.get(name).copied().flatten();
                (
                    name.clone(),
                    SourceStatus {
                        rows: *rows,
                        latest,
                    },
                )
            })
            .collect();
        let mut sites: BTreeMap<String, SiteStatus> = BTreeMap::new();
        let site = |name: &str| SiteStatus {
            site: name.to_string(),
            respondents: None,
            visits: 0,
            quota_met: true,
        };
        if let Some(segments) = report.segments.as_ref().filter(|s| s.by == "site") {
            for s in &segments.segments {
                let entry = sites.entry(s.name.clone()).or_insert_with(|| site(&s.name));
                entry.respondents = Some(s.respondents);
            }
        }
        for s in report.shoppers.iter().flat_map(|s| &s.by_site) {
            let entry = sites.entry(s.site.clone()).or_insert_with(|| site(&s.site));
            entry.visits = s.visits;
        }
        let mut sites: Vec<SiteStatus> = sites.into_values().collect();
        if let Some(quota) = min_visits {
            for s in &mut sites {
                s.quota_met = s.visits >= u64::from(quota);
            }
        }
        let mut checklist = ChecklistCount::default();
        for e in report.checklist.iter().filter(|e| e.status.is_active()) {
            checklist.open += 1;
            checklist.overdue += u64::from(e.overdue);
        }
        let complete =
            sources.values().all(|s| s.rows.in_period > 0) && sites.iter().all(|s| s.quota_met);
        Status {
            schema: SCHEMA,
            period: report.period.clone(),
            history: history(report, by_period),
            sources,
            sites,
            min_visits,
            checklist,
            complete,
        }
    }
}

/// Each period of the report's history with the rows of each source the report read.
fn history(
    report: &Report,
    by_period: &BTreeMap<String, Vec<Option<chrono::NaiveDate>>>,
) -> Option<Vec<PeriodStatus>> {
    let history = report.history.as_ref()?;
    let periods = history.iter().enumerate().map(|(k, h)| {
        let sources = report.sources.keys().map(|name| {
            let rows = match name.as_str() {
                "customers" => h.respondents.customers,
                "management" => h.respondents.management,
                _ => h.visits,
            };
            let latest = by_period
                .get(name)
                .and_then(|days| days.get(k).copied().flatten());
            (name.clone(), PeriodRows { rows, latest })
        });
        PeriodStatus {
            period: NamedPeriod {
                name: h.period.name.clone(),
                start: h.period.start.clone(),
                end: h.period.end.clone(),
            },
            sources: sources.collect(),
        }
    });
    Some(periods.collect())
}
