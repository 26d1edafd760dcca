//! The report model: the [`Report`] every format renders, laid out from what analysis
//! produced ([`ReportParts`]), with the checklist worded and every fixed label.
//!
//! The JSON exporter serialises it as it is (schema `servqual.report/v1`,
//! docs/json.md); the exporters in `crate::export` lay it out for people.

pub mod checklist;
pub mod gate;
pub mod labels;
pub mod status;
pub mod summary;

use serde::Serialize;

use crate::analysis::gaps::{DimensionResult, ItemResult, Method, ServqualScore};
use crate::analysis::history::HistoryPeriod;
use crate::analysis::ipa::Ipa;
use crate::analysis::segments::Segments;
use crate::analysis::shoppers::ShopperReport;
use crate::analysis::trend::Trend;
use crate::definition::Audit;
use crate::i18n::{Lang, Text};
pub use crate::provenance::Provenance;
use summary::{Gate, League, Summary};

/// The JSON schema id; within v1 fields are only ever added.
pub const SCHEMA: &str = crate::schema::REPORT;

/// Audit metadata as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditInfo {
    /// Audit id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Organisation.
    pub organisation: Option<String>,
    /// Period.
    pub period: Period,
}

/// A reporting period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    /// First day, YYYY-MM-DD.
    pub start: String,
    /// Last day, YYYY-MM-DD.
    pub end: String,
}

/// The period a report is about, by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedPeriod {
    /// `2026-10`, `2026-Q3`, `FY2026`, or `START..END`.
    pub name: String,
    /// First day, YYYY-MM-DD.
    pub start: String,
    /// Last day, YYYY-MM-DD.
    pub end: String,
}

impl NamedPeriod {
    /// How people read it: `2026-Q3 (2026-07-01 – 2026-09-30)`, or a range's days alone.
    pub fn words(&self) -> String {
        let days = format!("{} – {}", self.start, self.end);
        match self.name.contains("..") {
            true => days,
            false => format!("{} ({days})", self.name),
        }
    }
}

/// How the rows of one source were counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SourceRows {
    /// Data rows in the file.
    pub rows: u64,
    /// Rows of the period (every dated row, if the source has no date column).
    pub in_period: u64,
    /// Rows of other periods, left out.
    pub outside_period: u64,
    /// Rows with every cell empty, skipped.
    pub blank: u64,
    /// Rows repeated exactly, counted once.
    pub duplicate: u64,
    /// Invalid rows left out: only in a report made with `--skip-invalid` (without it an
    /// invalid row stops the run, so the field is left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<u64>,
}

/// The answer scale as reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScaleInfo {
    /// Lowest answer.
    pub min: f64,
    /// Highest answer.
    pub max: f64,
}

/// How many rows each source contributed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Respondents {
    /// Customer survey rows.
    pub customers: u64,
    /// Management survey rows.
    pub management: u64,
}

/// A dimension with its label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionRow {
    /// The measured values.
    #[serde(flatten)]
    pub result: DimensionResult,
    /// Label in English and Chinese.
    pub label: Text,
}

/// An item with its statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRow {
    /// The measured values.
    #[serde(flatten)]
    pub result: ItemResult,
    /// Statement in English and Chinese.
    pub text: Text,
    /// Short label in English and Chinese (`short:`, or the first words of the text).
    pub short: Text,
}

/// A finished report: what every format shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Tool and input files.
    pub provenance: Provenance,
    /// Audit metadata.
    pub audit: AuditInfo,
    /// The period of this report.
    pub period: NamedPeriod,
    /// Rows per source read (`customers`, `management`, `shoppers`).
    pub sources: std::collections::BTreeMap<String, SourceRows>,
    /// Answer scale.
    pub scale: ScaleInfo,
    /// Rows per source.
    pub respondents: Respondents,
    /// `servqual` (E and P), or `servperf` (a perception-only customer survey).
    pub method: Method,
    /// Dimension results in instrument order.
    pub dimensions: Vec<DimensionRow>,
    /// Item results in instrument order.
    pub items: Vec<ItemRow>,
    /// Overall SERVQUAL scores.
    pub servqual: ServqualScore,
    /// The SERVPERF scores of a perception-only audit; `null` in a SERVQUAL audit.
    pub servperf: Option<ServperfScore>,
    /// Mystery-shopper results (`null` when the audit has no shopper source).
    pub shoppers: Option<ShopperReport>,
    /// The improvement checklist, in priority order.
    pub checklist: Vec<checklist::Entry>,
    /// Importance-performance analysis (`null` without dimension weights).
    pub ipa: Option<Ipa>,
    /// Gaps per segment (`--by`); `null` without segments.
    pub segments: Option<Segments>,
    /// Changes since a baseline report (`--baseline`); `null` without one.
    pub trend: Option<Trend>,
    /// The periods ending with this one, oldest first (`--history N`); `null` without.
    pub history: Option<Vec<HistoryPeriod>>,
    /// What to read first: period, headline scores and change, the most urgent findings.
    pub summary: Summary,
    /// The gate's verdict on this report (every rule with its value and status).
    pub gate: Gate,
    /// Per site: respondents, customer gap, shopper score, critical failures, rank;
    /// `null` without shopper sites or segments by site.
    pub league: Option<League>,
}

/// What analysis produced for one report, ready to be laid out as its model.
#[derive(Debug)]
pub struct ReportParts {
    /// Customer survey rows read.
    pub customers: u64,
    /// Management survey rows read.
    pub management: u64,
    /// Item results in instrument order.
    pub items: Vec<ItemResult>,
    /// Dimension results in instrument order.
    pub dimensions: Vec<DimensionResult>,
    /// Overall SERVQUAL scores.
    pub servqual: ServqualScore,
    /// SERVQUAL or SERVPERF.
    pub method: Method,
    /// The SERVPERF scores of a perception-only audit.
    pub servperf: Option<ServqualScore>,
    /// Importance-performance analysis, where the audit has weights.
    pub ipa: Option<Ipa>,
    /// Mystery-shopper results.
    pub shoppers: Option<ShopperReport>,
    /// Gaps per segment (`--by`).
    pub segments: Option<Segments>,
    /// Changes since a baseline (`--baseline`).
    pub trend: Option<Trend>,
    /// The history (`--history N`).
    pub history: Option<Vec<HistoryPeriod>>,
    /// The improvement checklist, worded, in priority order.
    pub checklist: Vec<checklist::Entry>,
    /// The language the checklist and summary are worded in.
    pub lang: Lang,
}

impl Report {
    /// Lays out the analysis of `audit` as a report; the gate is empty until
    /// [`Report::set_gate`] records its verdict.
    pub fn new(audit: &Audit, provenance: Provenance, parts: ReportParts) -> Self {
        let period = Period {
            start: audit.meta.period_start.to_string(),
            end: audit.meta.period_end.to_string(),
        };
        let summary = summary::summary(&summary::SummaryInputs {
            audit,
            period: &period,
            servqual: &parts.servqual,
            shoppers: parts.shoppers.as_ref(),
            trend: parts.trend.as_ref(),
            checklist: &parts.checklist,
            lang: parts.lang,
        });
        let league = summary::league(parts.shoppers.as_ref(), parts.segments.as_ref());
        Report {
            schema: SCHEMA,
            provenance,
            audit: AuditInfo {
                id: audit.meta.id.clone(),
                title: audit.meta.title.clone(),
                organisation: audit.meta.organisation.clone(),
                period,
            },
            period: NamedPeriod {
                name: audit.meta.period_name.clone(),
                start: audit.meta.period_start.to_string(),
                end: audit.meta.period_end.to_string(),
            },
            // Counted by the readers: the pipeline fills it in.
            sources: std::collections::BTreeMap::new(),
            scale: ScaleInfo {
                min: audit.scale.min,
                max: audit.scale.max,
            },
            respondents: Respondents {
                customers: parts.customers,
                management: parts.management,
            },
            dimensions: parts
                .dimensions
                .into_iter()
                .zip(&audit.dimensions)
                .map(|(result, d)| DimensionRow {
                    result,
                    label: d.label.clone(),
                })
                .collect(),
            items: parts
                .items
                .into_iter()
                .zip(&audit.items)
                .map(|(result, it)| ItemRow {
                    result,
                    text: it.text.clone(),
                    short: it.short_label(),
                })
                .collect(),
            ipa: parts.ipa,
            method: parts.method,
            servperf: parts.servperf.map(|score| ServperfScore {
                standards: audit_has_standards(audit),
                score,
            }),
            servqual: parts.servqual,
            shoppers: parts.shoppers,
            checklist: parts.checklist,
            segments: parts.segments,
            trend: parts.trend,
            history: parts.history,
            summary,
            gate: Gate::of(&[], false),
            league,
        }
    }

    /// Records the gate's verdict on this report.
    pub fn set_gate(&mut self, outcomes: &[gate::Outcome], allow_unmeasured: bool) {
        self.gate = Gate::of(outcomes, allow_unmeasured);
    }
}

/// The SERVPERF scores as reported: the overall scores of the dimensions' mean P, and
/// whether any standard is set for the checklist to compare perceptions with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServperfScore {
    /// Unweighted, weighted and per-respondent scores, and where the weights came from.
    #[serde(flatten)]
    pub score: ServqualScore,
    /// Whether some item or dimension has a standard S; without one the checklist has
    /// nothing to compare perceptions with.
    pub standards: bool,
}

/// Whether any item of `audit` has a standard (its own or its dimension's).
fn audit_has_standards(audit: &Audit) -> bool {
    (0..audit.items.len()).any(|i| audit.standards.for_item(audit, i).is_some())
}

/// Two decimals, or `-` where not measured: how every human format and the
/// checklist's evidence write a number.
pub(crate) fn num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.2}");
            // "-0.00" reads as a shortfall that is not there.
            if s == "-0.00" {
                "0.00".into()
            } else {
                s
            }
        }
        _ => "-".into(),
    }
}
