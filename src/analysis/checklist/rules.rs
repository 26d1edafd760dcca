//! The finding rules: which gaps and critical failures become entries, their severity,
//! score, owner, due date and order.

use chrono::NaiveDate;

use super::{
    critical_id, dimension_id, item_id, perception_id, ActionSource, Entry, Evidence, FindingKind,
    Inputs, Severity, Status,
};
use crate::analysis::gaps::Method;
use crate::definition::Audit;

/// The Kano raise of the priority score of a must-be item.
pub(crate) const MUST_BE_FACTOR: f64 = 1.5;

/// Days after the period end an entry of `severity` is due.
pub(crate) fn due_days(severity: Severity) -> i64 {
    match severity {
        Severity::Critical => 14,
        Severity::High => 30,
        Severity::Medium => 60,
        Severity::Watch => 90,
    }
}

/// The due date of an entry of `severity` found in the period ending `period_end`.
pub(super) fn due(period_end: NaiveDate, severity: Severity) -> NaiveDate {
    period_end + chrono::Duration::days(due_days(severity))
}

/// Severity of a shortfall `value` (negative) on a scale of `range` points.
pub(crate) fn shortfall_severity(
    value: f64,
    ci95: Option<[f64; 2]>,
    gap: u8,
    range: f64,
) -> Severity {
    // A customer gap is a sample estimate: without an interval, or with one reaching 0,
    // it may be chance. Gaps 1-4 are capped the same way where their data are samples
    // and give an interval (D from visits); without one they are taken as measured.
    let uncertain = match ci95 {
        Some([_, hi]) => hi >= 0.0,
        None => gap == 5,
    };
    if uncertain {
        return Severity::Watch;
    }
    let size = -value * 6.0 / range;
    if size >= 1.5 {
        Severity::Critical
    } else if size >= 1.0 {
        Severity::High
    } else {
        Severity::Medium
    }
}

/// The action sources of a shortfall, most specific first: for the customer gap the
/// dimension's own actions (what to fix) before the gap's (service recovery); for gaps 1
/// to 4 the gap's (a management process is failing) before the dimension's.
fn shortfall_actions(gap: u8, dimension: &str) -> Vec<ActionSource> {
    let by_gap = ActionSource::Gap(gap);
    let by_dimension = ActionSource::Dimension(dimension.to_string());
    if gap == 5 {
        vec![by_dimension, by_gap]
    } else {
        vec![by_gap, by_dimension]
    }
}

/// A finding before ordering and state.
struct Finding {
    entry: Entry,
    /// Rank group: 0 critical failures, then shortfalls by severity ([`severity_rank`]).
    rank: u8,
}

/// The rank group of a shortfall of `severity`: after critical failures (0), more
/// severe first, so that priority never contradicts severity.
fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Critical => 1,
        Severity::High => 2,
        Severity::Medium => 3,
        Severity::Watch => 4,
    }
}

/// Values this close are the same measurement (gap 3 and gap 4 when S = C).
const SAME_VALUE: f64 = 1e-9;

/// Merges each gap-4 finding into the gap-3 finding of the same item or dimension when
/// both have the same value (standard = promise): one problem, one entry. The gap-3 id
/// is kept (ids are stable), it records the gap-4 id in `covers`, and gains gap 4's
/// actions (aligning promises with delivery) after gap 3's.
fn merge_gap3_gap4(findings: Vec<Finding>) -> Vec<Finding> {
    let same_place = |a: &Entry, b: &Entry| a.dimension == b.dimension && a.item == b.item;
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut gap4: Vec<Finding> = Vec::new();
    for f in findings {
        if f.entry.gap == 4 && f.entry.kind == FindingKind::Shortfall {
            gap4.push(f);
        } else {
            kept.push(f);
        }
    }
    for f in gap4 {
        let twin = kept.iter_mut().find(|k| {
            k.entry.gap == 3
                && k.entry.kind == FindingKind::Shortfall
                && same_place(&k.entry, &f.entry)
                && matches!((k.entry.evidence.value, f.entry.evidence.value),
                    (Some(a), Some(b)) if (a - b).abs() < SAME_VALUE)
        });
        match twin {
            Some(k) => {
                k.entry.covers.push(f.entry.id);
                let at = usize::from(!k.entry.actions.is_empty());
                k.entry.actions.insert(at, ActionSource::Gap(4));
            }
            None => kept.push(f),
        }
    }
    kept
}

/// One measured value looked at for the checklist.
struct Measure<'a> {
    /// P - S of a SERVPERF audit (then `gap` is 5, the customer side), not a gap.
    perception: bool,
    gap: u8,
    dimension: &'a str,
    item: Option<&'a str>,
    value: f64,
    ci95: Option<[f64; 2]>,
    n: Option<u64>,
}

/// This period's findings in priority order, with priority and overdue still unset.
pub(super) fn findings(inputs: &Inputs) -> Vec<Entry> {
    let mut findings: Vec<Finding> = merge_gap3_gap4(shortfalls(inputs));
    findings.extend(critical_findings(inputs));
    // Scores are compared at 1e-9 so that rounding noise from a different row order
    // cannot swap two equal findings; ties then go by id.
    findings.sort_by(|a, b| {
        a.rank
            .cmp(&b.rank)
            .then_with(|| key(b.entry.evidence.score).cmp(&key(a.entry.evidence.score)))
            .then_with(|| b.entry.evidence.failures.cmp(&a.entry.evidence.failures))
            .then_with(|| a.entry.id.cmp(&b.entry.id))
    });
    findings.into_iter().map(|f| f.entry).collect()
}

/// An entry for every measured gap below the threshold.
fn shortfalls(inputs: &Inputs) -> Vec<Finding> {
    let audit = inputs.audit;
    let period_end = audit.meta.period_end;
    let threshold = audit.thresholds.checklist;
    let equal_weight = 1.0 / audit.dimensions.len().max(1) as f64;
    let weight_of = |dim: &str| {
        inputs
            .dimensions
            .iter()
            .find(|d| d.id == dim)
            .and_then(|d| d.weight)
            .unwrap_or(equal_weight)
    };
    let mut out = Vec::new();
    for m in measures(inputs) {
        // NaN is never a finding.
        if m.value.partial_cmp(&threshold) != Some(std::cmp::Ordering::Less) {
            continue;
        }
        let severity =
            shortfall_severity(m.value, m.ci95, m.gap, audit.scale.max - audit.scale.min);
        let must_be = m.item.is_some_and(|i| inputs.must_be.contains(i))
            || (m.item.is_none()
                && audit.dimension_index(m.dimension).is_some_and(|d| {
                    audit
                        .items_of(d)
                        .any(|i| inputs.must_be.contains(&audit.items[i].id))
                }));
        let weight = weight_of(m.dimension);
        let score = -m.value * weight * if must_be { MUST_BE_FACTOR } else { 1.0 };
        let id = match m.item {
            _ if m.perception => perception_id(m.dimension, m.item),
            Some(i) => item_id(m.gap, i),
            None => dimension_id(m.gap, m.dimension),
        };
        let group = match m.perception {
            true => perception_id(m.dimension, None),
            false => dimension_id(m.gap, m.dimension),
        };
        out.push(Finding {
            rank: severity_rank(severity),
            entry: Entry {
                id,
                kind: FindingKind::Shortfall,
                group,
                severity,
                priority: 0,
                gap: m.gap,
                dimension: Some(m.dimension.to_string()),
                item: m.item.map(str::to_string),
                question: None,
                site: None,
                evidence: Evidence {
                    value: Some(m.value),
                    threshold: Some(threshold),
                    ci95: m.ci95,
                    n: m.n,
                    weight: Some(weight),
                    quadrant: inputs.ipa.and_then(|g| g.quadrant_of(m.dimension)),
                    must_be,
                    failures: None,
                    visits: None,
                    score,
                },
                owner: owner(audit, &[Some(m.dimension), Some(&format!("gap{}", m.gap))]),
                due: due(period_end, severity),
                status: Status::Open,
                overdue: false,
                absence: None,
                first_seen: period_end,
                last_seen: Some(period_end),
                notes: None,
                recorded_title: None,
                actions: shortfall_actions(m.gap, m.dimension),
                covers: Vec::new(),
            },
        });
    }
    out
}

/// An entry for every critical question that failed at least once, per site.
fn critical_findings(inputs: &Inputs) -> Vec<Finding> {
    let audit = inputs.audit;
    let period_end = audit.meta.period_end;
    let mut out = Vec::new();
    for c in inputs.critical.unwrap_or(&[]) {
        if c.failures == 0 {
            continue;
        }
        let dimension = c.dimension.clone().or_else(|| {
            let i = audit.item_index(c.item.as_deref()?)?;
            Some(audit.dimensions[audit.items[i].dimension].id.clone())
        });
        let rate = if c.visits > 0 {
            c.failures as f64 / c.visits as f64
        } else {
            1.0
        };
        let mut actions = vec![ActionSource::Critical];
        if let Some(d) = &dimension {
            actions.push(ActionSource::Dimension(d.clone()));
        }
        out.push(Finding {
            rank: 0,
            entry: Entry {
                id: critical_id(&c.question, c.site.as_deref()),
                kind: FindingKind::Critical,
                group: format!("critical-{}", c.question),
                severity: Severity::Critical,
                priority: 0,
                gap: 3,
                dimension: dimension.clone(),
                item: c.item.clone(),
                question: Some(c.question.clone()),
                site: c.site.clone(),
                evidence: Evidence {
                    value: None,
                    threshold: None,
                    ci95: None,
                    n: Some(c.visits),
                    weight: None,
                    quadrant: dimension
                        .as_deref()
                        .and_then(|d| inputs.ipa.and_then(|g| g.quadrant_of(d))),
                    must_be: false,
                    failures: Some(c.failures),
                    visits: Some(c.visits),
                    score: rate,
                },
                owner: owner(
                    audit,
                    &[Some("critical"), dimension.as_deref(), Some("gap3")],
                ),
                due: due(period_end, Severity::Critical),
                status: Status::Open,
                overdue: false,
                absence: None,
                first_seen: period_end,
                last_seen: Some(period_end),
                notes: None,
                recorded_title: None,
                actions,
                covers: Vec::new(),
            },
        });
    }
    out
}

fn key(score: f64) -> i64 {
    (score * 1e9).round() as i64
}

/// The first owner found under `keys`, else `default`.
fn owner(audit: &Audit, keys: &[Option<&str>]) -> Option<String> {
    keys.iter()
        .flatten()
        .chain(std::iter::once(&"default"))
        .find_map(|k| audit.owners.get(*k))
        .cloned()
}

/// Every measured gap value, dimensions first, in instrument order.
fn measures<'a>(inputs: &'a Inputs) -> Vec<Measure<'a>> {
    let mut out = Vec::new();
    for d in inputs.dimensions {
        for gap in 1..=5u8 {
            if let Some(value) = d.gaps.get(gap) {
                out.push(Measure {
                    gap,
                    dimension: &d.id,
                    item: None,
                    value,
                    ci95: if gap == 5 {
                        d.ci95
                    } else {
                        d.gaps_ci95.get(gap)
                    },
                    n: if gap == 5 { Some(d.n) } else { None },
                    perception: false,
                });
            }
        }
    }
    for it in inputs.items {
        for gap in 1..=5u8 {
            if let Some(value) = it.gaps.get(gap) {
                out.push(Measure {
                    gap,
                    dimension: &it.dimension,
                    item: Some(&it.id),
                    value,
                    ci95: if gap == 5 {
                        it.ci95
                    } else {
                        it.gaps_ci95.get(gap)
                    },
                    n: match gap {
                        5 => Some(it.n),
                        1 => Some(it.management_n),
                        _ => None,
                    },
                    perception: false,
                });
            }
        }
    }
    if inputs.method == Method::Servperf {
        out.extend(perception_measures(inputs));
    }
    out
}

/// In a SERVPERF audit, P - S of every dimension and item with a standard, dimensions
/// first: the customers' perception against the organisation's own standard, with P's
/// interval shifted by S (S is fixed) and P's respondents.
fn perception_measures<'a>(inputs: &'a Inputs) -> Vec<Measure<'a>> {
    // S is fixed: P's interval shifted by S is the interval of P - S.
    let shortfall = |value: Option<f64>, standard: Option<f64>, ci95: Option<[f64; 2]>| {
        let (value, standard) = (value?, standard?);
        Some((value, ci95.map(|[lo, hi]| [lo - standard, hi - standard])))
    };
    let dimensions = inputs.dimensions.iter().filter_map(|d| {
        let (value, ci95) = shortfall(d.perceived_vs_standard, d.standard, d.ci95)?;
        Some((d.id.as_str(), None, value, ci95, d.n))
    });
    let items = inputs.items.iter().filter_map(|it| {
        let (value, ci95) = shortfall(it.perceived_vs_standard, it.standard, it.ci95)?;
        Some((
            it.dimension.as_str(),
            Some(it.id.as_str()),
            value,
            ci95,
            it.n,
        ))
    });
    dimensions
        .chain(items)
        .map(|(dimension, item, value, ci95, n)| Measure {
            perception: true,
            gap: 5,
            dimension,
            item,
            value,
            ci95,
            n: Some(n),
        })
        .collect()
}
