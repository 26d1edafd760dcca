//! The improvement checklist (docs/checklist.md): findings, their order, and their memory.
//!
//! [`build`] turns the gap results (and any failed critical mystery-shop questions) into
//! entries with a stable id, severity, priority, evidence, owner, due date, status and
//! the sources of their actions, then carries over what people recorded in the state
//! file ([`ChecklistState`]). The entries are structured: the report words them
//! (`report::checklist`). Rules, in brief (docs/checklist.md has them in full):
//!
//! - an entry for every (gap, dimension) and (gap, item) below `thresholds.checklist`,
//!   and for every critical question that failed in at least one visit;
//! - severity: critical failures are `critical`; a shortfall whose 95% interval reaches 0
//!   (or a customer gap with no interval) is `watch`; otherwise by size on a 7-point scale
//!   (other scales rescaled): ≥ 1.5 `critical`, ≥ 1.0 `high`, else `medium`;
//! - priority: critical failures first (by failure rate), then shortfalls by severity
//!   (so no entry ranks above one of a higher severity), each severity by shortfall ×
//!   dimension weight (equal weights when none), × 1.5 for Kano must-be items; ties by id;
//! - a gap-3 and a gap-4 finding on the same item or dimension with the same value
//!   (standard = promise) are one entry: the gap-3 one, which `covers` the gap-4 id;
//! - due: period end + 14 / 30 / 60 / 90 days for critical / high / medium / watch.

mod carry;
mod rules;

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::gaps::{DimensionResult, ItemResult, Method};
use super::ipa::{Ipa, Quadrant};
use crate::definition::checklist_state::ChecklistState;
use crate::definition::Audit;

pub use crate::definition::checklist_state::{Severity, Status};
#[cfg(test)]
use rules::shortfall_severity;

/// What kind of finding an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// A gap below the threshold.
    Shortfall,
    /// A failed critical mystery-shop question.
    Critical,
}

/// A critical mystery-shop question that failed, as the shopper scoring reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalFailure {
    /// The question id, e.g. `Q7`.
    pub question: String,
    /// The site it failed at (`None` for all sites together).
    pub site: Option<String>,
    /// Visits in which the question failed.
    pub failures: u64,
    /// Visits in which the question was answered.
    pub visits: u64,
    /// The audit item the question maps to, if any.
    pub item: Option<String>,
    /// The dimension it maps to (taken from the item when not given).
    pub dimension: Option<String>,
}

/// The critical failures of the mystery-shopper results, one per site and question.
///
/// `visits` is the number of visits to the site, the denominator a reader expects
/// ("failed in 2 of 8 visits").
pub fn critical_failures(shoppers: &super::shoppers::ShopperReport) -> Vec<CriticalFailure> {
    let mut out = Vec::new();
    for site in &shoppers.by_site {
        for failed in &site.failed_critical {
            let question = shoppers.questions.iter().find(|q| q.id == failed.question);
            out.push(CriticalFailure {
                question: failed.question.clone(),
                site: Some(site.site.clone()),
                failures: failed.failures,
                visits: site.visits,
                item: question.and_then(|q| q.item.clone()),
                dimension: question.map(|q| q.dimension.clone()),
            });
        }
    }
    out
}

/// The numbers behind an entry (serialized as the report's evidence has them, after its
/// sentence).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evidence {
    /// The gap value (shortfalls; for a carried-over entry, this period's value if measured).
    pub value: Option<f64>,
    /// The checklist threshold it was compared with.
    pub threshold: Option<f64>,
    /// 95% interval of a customer gap.
    pub ci95: Option<[f64; 2]>,
    /// Respondents (gap 5), managers (gap 1) or visits (critical) behind the value.
    pub n: Option<u64>,
    /// The dimension weight used in the priority (equal weights when none declared).
    pub weight: Option<f64>,
    /// Importance-performance quadrant of the dimension.
    pub quadrant: Option<Quadrant>,
    /// The item (or, for a dimension, one of its items) is a Kano must-be feature.
    pub must_be: bool,
    /// Visits in which the critical question failed.
    pub failures: Option<u64>,
    /// Visits in which it was answered.
    pub visits: Option<u64>,
    /// The priority score: shortfall × weight (× 1.5 for must-be), or the failure rate.
    pub score: f64,
}

/// Why a state-file entry has no finding this period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absence {
    /// Its value was measured and is no longer below the threshold.
    AboveThreshold,
    /// Shopper data was scored and the critical question did not fail.
    NoFailure,
    /// Not measured this period: its status is carried over.
    NotMeasured,
}

/// Where the actions of an entry come from, in the order they are listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionSource {
    /// The actions of a gap (1..5).
    Gap(u8),
    /// The actions of a dimension.
    Dimension(String),
    /// The actions for a failed critical question.
    Critical,
}

/// One checklist entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Stable id, e.g. `gap5-reliability`, `gap3-item-R3`, `critical-Q7-central`.
    pub id: String,
    /// Shortfall or critical failure.
    pub kind: FindingKind,
    /// The entries shown together: the (gap, dimension) finding and its items share one,
    /// e.g. `gap5-reliability`; a critical question's sites share `critical-Q7`.
    pub group: String,
    /// Severity.
    pub severity: Severity,
    /// Rank, 1 = first.
    pub priority: u32,
    /// The gap (1..5); critical failures are delivery failures, gap 3.
    pub gap: u8,
    /// Dimension id.
    pub dimension: Option<String>,
    /// Item id, or `None` for a dimension-level entry.
    pub item: Option<String>,
    /// Critical question id.
    pub question: Option<String>,
    /// Site of a critical failure.
    pub site: Option<String>,
    /// The numbers.
    pub evidence: Evidence,
    /// Who acts.
    pub owner: Option<String>,
    /// Due date.
    pub due: NaiveDate,
    /// Status.
    pub status: Status,
    /// Due before the end of this audit's period and still active.
    pub overdue: bool,
    /// `None` for a finding in this period's data; why not, for a state-file entry
    /// carried over.
    pub absence: Option<Absence>,
    /// Period end of the audit in which the finding first appeared.
    pub first_seen: NaiveDate,
    /// Period end it was last found in: this period's for a current finding, the state
    /// file's for one carried over (if it recorded one).
    pub last_seen: Option<NaiveDate>,
    /// Notes from the state file.
    pub notes: Option<String>,
    /// The title the state file recorded (carried-over entries; current ones are titled
    /// by the report).
    pub recorded_title: Option<String>,
    /// Where its actions come from, most specific first; none for carried-over entries.
    pub actions: Vec<ActionSource>,
    /// Ids of findings this entry stands for too: a gap-3 item or dimension whose
    /// gap 4 has the same value (standard = promise) covers `gap4-...`.
    pub covers: Vec<String>,
}

impl Entry {
    /// Found in this period's data (not carried over from the state file).
    pub fn is_current(&self) -> bool {
        self.absence.is_none()
    }
}

/// The checklist: current findings in priority order, then state entries not measured
/// this period, then resolved ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checklist {
    /// The entries, priority 1 first.
    pub entries: Vec<Entry>,
}

/// What the checklist is made from: analysis results only.
pub struct Inputs<'a> {
    /// The audit (threshold, owners, period, scale, dimensions and items).
    pub audit: &'a Audit,
    /// Dimension results (with their weights).
    pub dimensions: &'a [DimensionResult],
    /// Item results.
    pub items: &'a [ItemResult],
    /// The importance-performance grid, if weights exist.
    pub ipa: Option<&'a Ipa>,
    /// Critical failures; `None` when no shopper data was scored.
    pub critical: Option<&'a [CriticalFailure]>,
    /// Items that are Kano must-be features.
    pub must_be: &'a BTreeSet<String>,
    /// The state file, if there is one: carries statuses, owners and notes over.
    pub state: Option<&'a ChecklistState>,
    /// SERVQUAL, or SERVPERF: then perceptions are compared with the standards.
    pub method: Method,
}

/// Builds the checklist: current findings in priority order, then state entries that
/// were not measured this period, then resolved ones.
pub fn build(inputs: &Inputs) -> Checklist {
    let period_end = inputs.audit.meta.period_end;
    let mut entries = rules::findings(inputs);
    let mut rest = Vec::new();
    if let Some(state) = inputs.state {
        for e in &mut entries {
            if let Some(s) = state.entries.get(&e.id) {
                carry::carry_over(e, s, period_end);
            }
        }
        // A state entry of a finding merged into another one is that entry, not gone.
        let current: BTreeSet<&str> = entries
            .iter()
            .flat_map(|e| std::iter::once(e.id.as_str()).chain(e.covers.iter().map(String::as_str)))
            .collect();
        let mut unmeasured = Vec::new();
        let mut resolved = Vec::new();
        for (id, s) in &state.entries {
            if current.contains(id.as_str()) {
                continue;
            }
            let entry = carry::absent_entry(inputs, id, s);
            if entry.absence == Some(Absence::NotMeasured) {
                unmeasured.push(entry);
            } else {
                resolved.push(entry);
            }
        }
        rest.extend(unmeasured);
        rest.extend(resolved);
    }
    entries.extend(rest);
    for (i, e) in entries.iter_mut().enumerate() {
        e.priority = u32::try_from(i + 1).unwrap_or(u32::MAX);
        e.overdue = e.status.is_active() && e.due < period_end;
    }
    Checklist { entries }
}

/// A part of an id: letters and digits kept, anything else becomes `-`.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_alphanumeric() || c == '_' {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The id of a (gap, dimension) finding.
pub(crate) fn dimension_id(gap: u8, dimension: &str) -> String {
    format!("gap{gap}-{dimension}")
}

/// The id of a (gap, item) finding.
pub(crate) fn item_id(gap: u8, item: &str) -> String {
    format!("gap{gap}-item-{item}")
}

/// The id of a SERVPERF finding, P below the standard S, of a dimension or an item:
/// `perception-<dimension>`, `perception-item-<item>` (docs/checklist.md#servperf).
pub(crate) fn perception_id(dimension: &str, item: Option<&str>) -> String {
    match item {
        Some(i) => format!("{PERCEPTION}item-{i}"),
        None => format!("{PERCEPTION}{dimension}"),
    }
}

/// How the id of every SERVPERF finding (and its group) starts.
const PERCEPTION: &str = "perception-";

/// Whether `id` is a SERVPERF finding's: perception below the standard.
pub fn is_perception_id(id: &str) -> bool {
    id.starts_with(PERCEPTION)
}

/// This period's P - S of the SERVPERF finding `id` (a dimension's or an item's), if
/// the audit is perception-only and both are measured.
pub(crate) fn perception_value(inputs: &Inputs, id: &str) -> Option<f64> {
    if inputs.method != Method::Servperf {
        return None;
    }
    let rest = id.strip_prefix(PERCEPTION)?;
    match rest.strip_prefix("item-") {
        Some(item) => {
            inputs
                .items
                .iter()
                .find(|it| it.id == item)?
                .perceived_vs_standard
        }
        None => {
            inputs
                .dimensions
                .iter()
                .find(|d| d.id == rest)?
                .perceived_vs_standard
        }
    }
}

/// The id of a critical failure.
pub(crate) fn critical_id(question: &str, site: Option<&str>) -> String {
    match site.map(slug).filter(|s| !s.is_empty()) {
        Some(s) => format!("critical-{question}-{s}"),
        None => format!("critical-{question}"),
    }
}

/// The group of an entry: item findings and their dimension's finding share one, so
/// that views can show them together (`gap5-reliability`, `critical-Q7`).
pub(crate) fn group_id(gap: u8, dimension: Option<&str>, question: Option<&str>) -> Option<String> {
    match (question, dimension) {
        (Some(q), _) => Some(format!("critical-{q}")),
        (None, Some(d)) if (1..=5).contains(&gap) => Some(dimension_id(gap, d)),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests;
