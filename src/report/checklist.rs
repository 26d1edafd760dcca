//! The checklist as the report carries it: the analysis entries worded in the report
//! language (titles, evidence sentences, action texts), and the words of severities and
//! statuses.

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use super::labels::{fill, label};
use super::num;
use crate::analysis::checklist::{self as rules, Absence, ActionSource, FindingKind};
use crate::analysis::ipa::Quadrant;
use crate::analysis::shoppers::ShopperReport;
use crate::definition::actions::ActionLibrary;
use crate::definition::checklist_state::{Severity, StateRecord, Status};
use crate::definition::Audit;
use crate::i18n::Lang;

/// The numbers behind an entry: a sentence for people plus the values themselves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// One sentence in the report language.
    pub text: String,
    /// The values, as the analysis found them.
    #[serde(flatten)]
    pub figures: rules::Evidence,
}

/// One checklist entry of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Item id, or `null` for a dimension-level entry.
    pub item: Option<String>,
    /// Critical question id.
    pub question: Option<String>,
    /// Site of a critical failure.
    pub site: Option<String>,
    /// A short title in the report language.
    pub title: String,
    /// The numbers.
    pub evidence: Evidence,
    /// Who acts.
    pub owner: Option<String>,
    /// Due date.
    #[serde(serialize_with = "date_str")]
    pub due: NaiveDate,
    /// Status.
    pub status: Status,
    /// Due before the end of this audit's period and still active.
    pub overdue: bool,
    /// Found in this period's data; `false` for state-file entries carried over
    /// (resolved, or not measured this period).
    pub current: bool,
    /// Period end of the audit in which the finding first appeared.
    #[serde(serialize_with = "date_str")]
    pub first_seen: NaiveDate,
    /// Period end of the latest audit it was found in (`null` for an entry carried over
    /// from a state file that did not record it).
    #[serde(serialize_with = "optional_date_str")]
    pub last_seen: Option<NaiveDate>,
    /// Notes from the state file.
    pub notes: Option<String>,
    /// Concrete actions in the report language: the gap's (or critical) then the dimension's.
    pub actions: Vec<String>,
    /// Ids of findings this entry stands for too (a gap-3 entry covering the gap-4
    /// finding of the same value, where the standard equals the promise).
    pub covers: Vec<String>,
    /// The short label of its item or critical question, in the report language.
    pub short: Option<String>,
}

fn optional_date_str<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => date_str(d, s),
        None => s.serialize_none(),
    }
}

fn date_str<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.format("%Y-%m-%d").to_string())
}

/// The word for `severity` in `lang`.
pub fn severity_label(severity: Severity, lang: Lang) -> &'static str {
    let key = match severity {
        Severity::Critical => "severity_critical",
        Severity::High => "severity_high",
        Severity::Medium => "severity_medium",
        Severity::Watch => "severity_watch",
    };
    label(lang, key)
}

/// The word for `status` in `lang`.
pub fn status_label(status: Status, lang: Lang) -> &'static str {
    let key = match status {
        Status::Open => "status_open",
        Status::InProgress => "status_in_progress",
        Status::Done => "status_done",
        Status::WontFix => "status_wont_fix",
        Status::Reopened => "status_reopened",
        Status::Resolved => "status_resolved",
    };
    label(lang, key)
}

/// The short name of a gap, e.g. "customer gap P-E".
pub fn gap_name(gap: u8, lang: Lang) -> &'static str {
    let key = match gap {
        1 => "gap_name1",
        2 => "gap_name2",
        3 => "gap_name3",
        4 => "gap_name4",
        _ => "gap_name5",
    };
    label(lang, key)
}

/// The short name of what entry `id` of gap `gap` is about: the gap's name, or for a
/// SERVPERF finding "perception below the standard P-S".
pub fn finding_name(id: &str, gap: u8, lang: Lang) -> &'static str {
    match rules::is_perception_id(id) {
        true => label(lang, "perception_name"),
        false => gap_name(gap, lang),
    }
}

/// The code of what entry `id` of gap `gap` measures: the gap's (`P-E`), or `P-S` for
/// a SERVPERF finding.
pub fn finding_code(id: &str, gap: u8) -> &'static str {
    match rules::is_perception_id(id) {
        true => "P-S",
        false => gap_code(gap),
    }
}

/// The code of a gap's difference, e.g. `P-E`.
pub fn gap_code(gap: u8) -> &'static str {
    match gap {
        1 => "M-E",
        2 => "S-M",
        3 => "D-S",
        4 => "D-C",
        _ => "P-E",
    }
}

/// Two decimals as the checklist shows them (`num`, with non-finite values spelt out).
fn fmt2(x: f64) -> String {
    if x.is_finite() {
        num(Some(x))
    } else {
        format!("{x:.2}")
    }
}

/// The checklist entries of `checklist` worded in `lang`: titles from the audit's
/// labels (and the short labels of the form's questions in `shoppers`), evidence
/// sentences, and the actions of `library`.
pub fn word(
    checklist: &rules::Checklist,
    audit: &Audit,
    shoppers: Option<&ShopperReport>,
    library: &ActionLibrary,
    lang: Lang,
) -> Vec<Entry> {
    checklist
        .entries
        .iter()
        .map(|e| word_entry(e, audit, shoppers, library, lang))
        .collect()
}

fn word_entry(
    e: &rules::Entry,
    audit: &Audit,
    shoppers: Option<&ShopperReport>,
    library: &ActionLibrary,
    lang: Lang,
) -> Entry {
    let ev = &e.evidence;
    let question_short = e.question.as_deref().and_then(|q| {
        let found = shoppers?.questions.iter().find(|x| x.id == q)?;
        Some(found.short.get(lang).to_string())
    });
    let item_short = e
        .item
        .as_deref()
        .and_then(|i| audit.item_index(i))
        .map(|i| audit.items[i].short_label().get(lang).to_string());
    let (title, mut text) = match e.absence {
        Some(absence) => (
            e.recorded_title.clone().unwrap_or_else(|| e.id.clone()),
            absence_text(absence, audit, ev.value, lang),
        ),
        None => match (e.kind, &e.question) {
            (FindingKind::Critical, Some(question)) => {
                let named = match &question_short {
                    Some(short) => format!("{question} “{short}”"),
                    None => question.clone(),
                };
                critical_words(e, &named, lang)
            }
            _ => shortfall_words(e, audit, lang),
        },
    };
    if !e.covers.is_empty() {
        text.push_str(label(lang, "note_covers_gap4"));
    }
    Entry {
        id: e.id.clone(),
        kind: e.kind,
        group: e.group.clone(),
        severity: e.severity,
        priority: e.priority,
        gap: e.gap,
        dimension: e.dimension.clone(),
        item: e.item.clone(),
        question: e.question.clone(),
        site: e.site.clone(),
        title,
        evidence: Evidence {
            text,
            figures: ev.clone(),
        },
        owner: e.owner.clone(),
        due: e.due,
        status: e.status,
        overdue: e.overdue,
        current: e.is_current(),
        first_seen: e.first_seen,
        last_seen: e.last_seen,
        notes: e.notes.clone(),
        actions: e
            .actions
            .iter()
            .flat_map(|source| match source {
                ActionSource::Gap(gap) => library.gap_actions(*gap, lang),
                ActionSource::Dimension(d) => library.dimension_actions(d, lang),
                ActionSource::Critical => library.critical_actions(lang),
            })
            .collect(),
        covers: e.covers.clone(),
        short: question_short.or(item_short),
    }
}

/// Why a carried-over entry has no finding, with this period's value where measured.
fn absence_text(absence: Absence, audit: &Audit, now: Option<f64>, lang: Lang) -> String {
    match (absence, now) {
        (Absence::AboveThreshold, Some(v)) => fill(
            lang,
            "no_longer_below",
            &[
                ("threshold", &fmt2(audit.thresholds.checklist)),
                ("value", &fmt2(v)),
            ],
        ),
        (Absence::NoFailure, _) => label(lang, "did_not_fail").to_string(),
        _ => label(lang, "not_measured_carried").to_string(),
    }
}

/// The title and evidence of a failed critical question.
fn critical_words(e: &rules::Entry, question: &str, lang: Lang) -> (String, String) {
    let place = e
        .site
        .clone()
        .unwrap_or_else(|| label(lang, "all_sites").into());
    let failures = e.evidence.failures.unwrap_or(0).to_string();
    let visits = e.evidence.visits.unwrap_or(0).to_string();
    let title = fill(
        lang,
        "title_critical",
        &[("question", question), ("place", &place)],
    );
    let text = fill(
        lang,
        "critical_failed_at",
        &[
            ("question", question),
            ("failures", &failures),
            ("visits", &visits),
            ("place", &place),
        ],
    );
    (title, text)
}

/// The title and evidence of a shortfall: what falls short of what, by how many points,
/// then the numbers, the quadrant's advice, and the caveats.
fn shortfall_words(e: &rules::Entry, audit: &Audit, lang: Lang) -> (String, String) {
    let ev = &e.evidence;
    let dimension = e.dimension.as_deref().unwrap_or_default();
    let dim_label = audit
        .dimension_index(dimension)
        .map_or(dimension.to_string(), |d| {
            audit.dimensions[d].label.get(lang).to_string()
        });
    let perception = rules::is_perception_id(&e.id);
    let gap = finding_name(&e.id, e.gap, lang);
    let title = match e.item.as_deref() {
        Some(i) => {
            let text = audit
                .item_index(i)
                .map(|x| audit.items[x].short_label().get(lang).trim().to_string())
                .filter(|t| !t.is_empty() && t != i);
            match text {
                Some(t) => fill(
                    lang,
                    "title_item_text",
                    &[
                        ("item", i),
                        ("dimension", &dim_label),
                        ("text", &t),
                        ("gap", gap),
                    ],
                ),
                None => fill(
                    lang,
                    "title_item",
                    &[("item", i), ("dimension", &dim_label), ("gap", gap)],
                ),
            }
        }
        None => fill(
            lang,
            "title_dimension",
            &[("dimension", &dim_label), ("gap", gap)],
        ),
    };
    let subject = match e.item.as_deref() {
        Some(i) => format!("{} {i}", label(lang, "item_word")),
        None => dim_label,
    };
    let value = ev.value.unwrap_or(f64::NAN);
    let sentence = match e.gap {
        _ if perception => "shortfall_perception",
        1 => "shortfall_gap1",
        2 => "shortfall_gap2",
        3 => "shortfall_gap3",
        4 => "shortfall_gap4",
        _ => "shortfall_gap5",
    };
    let mut text = fill(
        lang,
        sentence,
        &[("subject", &subject), ("size", &fmt2(-value))],
    );
    let code = finding_code(&e.id, e.gap);
    let mut details = vec![format!("{code} {}", fmt2(value))];
    if let Some([lo, hi]) = ev.ci95 {
        details.push(fill(
            lang,
            "ci_range",
            &[("low", &fmt2(lo)), ("high", &fmt2(hi))],
        ));
    }
    if let Some(n) = ev.n {
        details.push(format!("n = {n}"));
    }
    text.push_str(&fill(
        lang,
        "details_sentence",
        &[("details", &details.join(label(lang, "list_sep")))],
    ));
    let mut notes: Vec<&str> = Vec::new();
    if let Some(q) = ev.quadrant {
        notes.push(quadrant_advice(q, lang));
    }
    if ev.must_be {
        notes.push(label(lang, "note_must_be"));
    }
    if e.severity == Severity::Watch {
        notes.push(label(lang, "note_watch"));
    }
    for note in notes {
        // English sentences are separated by a space, Chinese ones are not.
        if lang == Lang::En {
            text.push(' ');
        }
        text.push_str(note);
    }
    (title, text)
}

/// One sentence per importance-performance quadrant, as advice.
fn quadrant_advice(q: Quadrant, lang: Lang) -> &'static str {
    let key = match q {
        Quadrant::ConcentrateHere => "advice_concentrate",
        Quadrant::KeepUpTheGoodWork => "advice_keep",
        Quadrant::LowPriority => "advice_low",
        Quadrant::PossibleOverkill => "advice_overkill",
    };
    label(lang, key)
}

/// The records of the state file for `entries` (what `--update-checklist` writes).
pub fn state_records(entries: &[Entry]) -> Vec<StateRecord> {
    entries
        .iter()
        .map(|e| StateRecord {
            id: e.id.clone(),
            status: e.status,
            owner: e.owner.clone(),
            due: e.due,
            notes: e.notes.clone(),
            first_seen: e.first_seen,
            last_seen: e.last_seen,
            title: e.title.clone(),
            severity: e.severity,
            gap: e.gap,
            dimension: e.dimension.clone(),
            item: e.item.clone(),
            question: e.question.clone(),
            site: e.site.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
