//! Carrying the state file over: statuses, owners and notes of findings present now,
//! and the state-file entries that have no finding this period.

use chrono::NaiveDate;

use super::rules::due;
use super::{group_id, Absence, Entry, Evidence, FindingKind, Inputs, Severity, Status};
use crate::definition::checklist_state::StateEntry;

/// Applies what the state file says about a finding that is present now.
pub(super) fn carry_over(e: &mut Entry, s: &StateEntry, period_end: NaiveDate) {
    if let Some(o) = &s.owner {
        e.owner = Some(o.clone());
    }
    e.notes.clone_from(&s.notes);
    if let Some(f) = s.first_seen {
        e.first_seen = f;
    }
    // A report of an earlier period keeps the later period it was seen in.
    e.last_seen = e.last_seen.max(s.last_seen);
    match s.status {
        // It was closed and came back: reopened, with a fresh due date from this period.
        Status::Done | Status::Resolved => {
            e.status = Status::Reopened;
            e.due = due(period_end, e.severity);
        }
        other => {
            e.status = other;
            if let Some(d) = s.due {
                e.due = d;
            }
        }
    }
}

/// An entry of the state file with no finding this period: resolved when its value was
/// measured and is no longer below the threshold (or its critical question was asked
/// and did not fail), carried over unchanged otherwise.
pub(super) fn absent_entry(inputs: &Inputs, id: &str, s: &StateEntry) -> Entry {
    let audit = inputs.audit;
    let period_end = audit.meta.period_end;
    // A SERVPERF finding's value is P - S, not one of the five gaps.
    let now = match super::is_perception_id(id) {
        true => super::perception_value(inputs, id),
        false => current_value(inputs, s),
    };
    let absence = if now.is_some() {
        Absence::AboveThreshold
    } else if s.question.is_some() && inputs.critical.is_some() {
        Absence::NoFailure
    } else {
        Absence::NotMeasured
    };
    let severity = s.severity.unwrap_or(Severity::Watch);
    Entry {
        id: id.to_string(),
        group: match (super::is_perception_id(id), s.dimension.as_deref()) {
            (true, Some(d)) => super::perception_id(d, None),
            _ => group_id(
                s.gap.unwrap_or(0),
                s.dimension.as_deref(),
                s.question.as_deref(),
            )
            .unwrap_or_else(|| id.to_string()),
        },
        kind: if s.question.is_some() {
            FindingKind::Critical
        } else {
            FindingKind::Shortfall
        },
        severity,
        priority: 0,
        gap: s.gap.unwrap_or(if s.question.is_some() { 3 } else { 0 }),
        dimension: s.dimension.clone(),
        item: s.item.clone(),
        question: s.question.clone(),
        site: s.site.clone(),
        evidence: Evidence {
            value: now,
            threshold: Some(audit.thresholds.checklist),
            ci95: None,
            n: None,
            weight: None,
            quadrant: None,
            must_be: false,
            failures: None,
            visits: None,
            score: 0.0,
        },
        owner: s.owner.clone(),
        due: s.due.unwrap_or_else(|| due(period_end, severity)),
        status: if absence == Absence::NotMeasured {
            s.status
        } else {
            Status::Resolved
        },
        overdue: false,
        absence: Some(absence),
        first_seen: s.first_seen.unwrap_or(period_end),
        last_seen: s.last_seen,
        notes: s.notes.clone(),
        recorded_title: s.title.clone(),
        covers: Vec::new(),
        actions: Vec::new(),
    }
}

/// This period's value of the gap a state entry is about, if measured.
fn current_value(inputs: &Inputs, s: &StateEntry) -> Option<f64> {
    let gap = s.gap?;
    match (&s.item, &s.dimension) {
        (Some(item), _) => inputs.items.iter().find(|i| &i.id == item)?.gaps.get(gap),
        (None, Some(dim)) => inputs
            .dimensions
            .iter()
            .find(|d| &d.id == dim)?
            .gaps
            .get(gap),
        (None, None) => None,
    }
}
