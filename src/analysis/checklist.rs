//! The improvement checklist (SPEC §6): findings, their order, and their memory.
//!
//! [`build`] turns the gap results (and any failed critical mystery-shop questions) into
//! entries with a stable id, severity, priority, evidence, owner, due date, status and
//! actions, then carries over what people recorded in the state file
//! ([`ChecklistState`]). Rules, in brief (README "Checklist" has them in full):
//!
//! - an entry for every (gap, dimension) and (gap, item) below `thresholds.checklist`,
//!   and for every critical question that failed in at least one visit;
//! - severity: critical failures are `critical`; a shortfall whose 95% interval reaches 0
//!   (or a customer gap with no interval) is `watch`; otherwise by size on a 7-point scale
//!   (other scales rescaled): ≥ 1.5 `critical`, ≥ 1.0 `high`, else `medium`;
//! - priority: critical failures first (by failure rate), then shortfalls that are not
//!   `watch`, then `watch`, each by shortfall × dimension weight (equal weights when none),
//!   × 1.5 for Kano must-be items; ties by id;
//! - due: period end + 14 / 30 / 60 / 90 days for critical / high / medium / watch.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize, Serializer};

use crate::definition::actions::ActionLibrary;
use super::gaps::{DimensionResult, ItemResult};
use super::ipa::{Ipa, Quadrant};
use crate::definition::{Audit, Locator};
use crate::i18n::{tr, Lang};
use crate::problem::{Problem, Problems};

/// How urgent an entry is.
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
    /// Days after the period end an entry of this severity is due.
    pub fn due_days(self) -> i64 {
        match self {
            Severity::Critical => 14,
            Severity::High => 30,
            Severity::Medium => 60,
            Severity::Watch => 90,
        }
    }

    /// The word in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Severity::Critical => tr(lang, "critical", "严重"),
            Severity::High => tr(lang, "high", "高"),
            Severity::Medium => tr(lang, "medium", "中"),
            Severity::Watch => tr(lang, "watch", "观察"),
        }
    }

    fn parse(s: &str) -> Option<Severity> {
        match s {
            "critical" => Some(Severity::Critical),
            "high" => Some(Severity::High),
            "medium" => Some(Severity::Medium),
            "watch" => Some(Severity::Watch),
            _ => None,
        }
    }

    fn word(self) -> &'static str {
        self.label(Lang::En)
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
pub const STATUS_WORDS: [&str; 6] = [
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

    /// The word in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Status::Open => tr(lang, "open", "待处理"),
            Status::InProgress => tr(lang, "in progress", "处理中"),
            Status::Done => tr(lang, "done", "已完成"),
            Status::WontFix => tr(lang, "won't fix", "不处理"),
            Status::Reopened => tr(lang, "reopened", "重新打开"),
            Status::Resolved => tr(lang, "resolved", "已解决"),
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

/// What kind of finding an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
pub fn critical_failures(
    shoppers: &crate::analysis::shoppers::ShopperReport,
) -> Vec<CriticalFailure> {
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

/// The numbers behind an entry: a sentence for people plus the values themselves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// One sentence in the report language.
    pub text: String,
    /// The gap value (shortfalls).
    pub value: Option<f64>,
    /// The checklist threshold it was compared with.
    pub threshold: Option<f64>,
    /// 95% interval of a customer gap.
    pub ci95: Option<[f64; 2]>,
    /// Respondents (gap 5) or managers (gap 1) behind the value.
    pub n: Option<u64>,
    /// The dimension weight used in the priority (equal weights when none declared).
    pub weight: Option<f64>,
    /// Importance-performance quadrant of the dimension.
    pub quadrant: Option<Quadrant>,
    /// The item is a Kano must-be feature.
    pub must_be: bool,
    /// Visits in which the critical question failed.
    pub failures: Option<u64>,
    /// Visits in which it was answered.
    pub visits: Option<u64>,
    /// The priority score: shortfall × weight (× 1.5 for must-be), or the failure rate.
    pub score: f64,
}

/// One checklist entry.
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
    /// Notes from the state file.
    pub notes: Option<String>,
    /// Concrete actions in the report language: the gap's (or critical) then the dimension's.
    pub actions: Vec<String>,
}

fn date_str<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.format("%Y-%m-%d").to_string())
}

/// What the checklist is made from.
pub struct Inputs<'a> {
    /// The audit (threshold, owners, period, scale, labels).
    pub audit: &'a Audit,
    /// Dimension results.
    pub dimensions: &'a [DimensionResult],
    /// Item results.
    pub items: &'a [ItemResult],
    /// The importance-performance grid, if weights exist.
    pub ipa: Option<&'a Ipa>,
    /// Critical failures; `None` when no shopper data was scored.
    pub critical: Option<&'a [CriticalFailure]>,
    /// Items that are Kano must-be features.
    pub must_be: &'a BTreeSet<String>,
    /// The action library.
    pub library: &'a ActionLibrary,
    /// Report language.
    pub lang: Lang,
}

/// The Kano raise of the priority score of a must-be item.
pub const MUST_BE_FACTOR: f64 = 1.5;

/// The audit items whose related Kano feature is must-be (M first, ties included).
pub fn must_be_items(kano: &crate::kano::KanoReport, audit: &Audit) -> BTreeSet<String> {
    audit
        .items
        .iter()
        .filter(|it| {
            kano.category_of_item(&it.id)
                .is_some_and(|c| c.primary() == crate::kano::Class::M)
        })
        .map(|it| it.id.clone())
        .collect()
}

/// A part of an id: letters and digits kept, anything else becomes `-`.
pub fn slug(s: &str) -> String {
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
pub fn dimension_id(gap: u8, dimension: &str) -> String {
    format!("gap{gap}-{dimension}")
}

/// The id of a (gap, item) finding.
pub fn item_id(gap: u8, item: &str) -> String {
    format!("gap{gap}-item-{item}")
}

/// The id of a critical failure.
pub fn critical_id(question: &str, site: Option<&str>) -> String {
    match site.map(slug).filter(|s| !s.is_empty()) {
        Some(s) => format!("critical-{question}-{s}"),
        None => format!("critical-{question}"),
    }
}

/// Severity of a shortfall `value` (negative) on a scale of `range` points.
pub fn shortfall_severity(value: f64, ci95: Option<[f64; 2]>, gap: u8, range: f64) -> Severity {
    // A customer gap is a sample estimate: without an interval, or with one reaching 0,
    // it may be chance. Gaps 1-4 compare fixed levels and have no interval.
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

fn gap_name(n: u8, lang: Lang) -> &'static str {
    match n {
        1 => tr(lang, "knowledge gap M-E", "认知差距 M-E"),
        2 => tr(lang, "standards gap S-M", "标准差距 S-M"),
        3 => tr(lang, "delivery gap D-S", "交付差距 D-S"),
        4 => tr(lang, "communication gap D-C", "沟通差距 D-C"),
        _ => tr(lang, "customer gap P-E", "顾客差距 P-E"),
    }
}

fn fmt2(x: f64) -> String {
    let s = format!("{x:.2}");
    if s == "-0.00" {
        "0.00".into()
    } else {
        s
    }
}

/// What the evidence sentence of a shortfall is made from.
struct ShortfallText<'a> {
    gap: u8,
    subject: &'a str,
    value: f64,
    ci95: Option<[f64; 2]>,
    n: Option<u64>,
    quadrant: Option<Quadrant>,
    watch: bool,
    must_be: bool,
    lang: Lang,
}

/// The evidence of a shortfall as a manager reads it: what falls short of what, by how
/// many points, then the numbers, the quadrant's advice, and the caveats.
fn shortfall_text(t: &ShortfallText) -> String {
    let lang = t.lang;
    let size = fmt2(-t.value);
    let subject = t.subject;
    let mut text = match (lang, t.gap) {
        (Lang::En, 1) => format!(
            "Managers underestimate what customers expect of {subject} by {size} points"
        ),
        (Lang::En, 2) => format!(
            "The service standard for {subject} is {size} points below what managers know customers expect"
        ),
        (Lang::En, 3) => format!(
            "Delivery of {subject} (mystery shopping) falls {size} points short of the standard"
        ),
        (Lang::En, 4) => {
            format!("Delivery of {subject} falls {size} points short of what is promised")
        }
        (Lang::En, _) => {
            format!("Customers rate {subject} {size} points below what they expect")
        }
        (Lang::Zh, 1) => format!("管理层对客户在{subject}上的期望估计偏低 {size} 分"),
        (Lang::Zh, 2) => format!("{subject}的服务标准比管理层所知的客户期望低 {size} 分"),
        (Lang::Zh, 3) => format!("{subject}的实际服务（神秘顾客）比服务标准低 {size} 分"),
        (Lang::Zh, 4) => format!("{subject}的实际服务比对外承诺低 {size} 分"),
        (Lang::Zh, _) => format!("客户对{subject}的评分比期望低 {size} 分"),
    };
    let code = match t.gap {
        1 => "M-E",
        2 => "S-M",
        3 => "D-S",
        4 => "D-C",
        _ => "P-E",
    };
    let mut details = vec![format!("{code} {}", fmt2(t.value))];
    if let Some([lo, hi]) = t.ci95 {
        details.push(match lang {
            Lang::En => format!("95% CI {} to {}", fmt2(lo), fmt2(hi)),
            Lang::Zh => format!("95% 置信区间 {} 至 {}", fmt2(lo), fmt2(hi)),
        });
    }
    if let Some(n) = t.n {
        details.push(format!("n = {n}"));
    }
    text.push_str(&match lang {
        Lang::En => format!(" ({}).", details.join(", ")),
        Lang::Zh => format!("（{}）。", details.join("，")),
    });
    let mut notes: Vec<&str> = Vec::new();
    if let Some(q) = t.quadrant {
        notes.push(quadrant_advice(q, lang));
    }
    if t.must_be {
        notes.push(tr(
            lang,
            "Kano must-be: customers take it for granted, so every shortfall costs satisfaction.",
            "卡诺必备型：客户视为理所当然，任何不足都直接损害满意度。",
        ));
    }
    if t.watch {
        notes.push(tr(
            lang,
            "The 95% interval includes 0, so this may be chance: watch it before acting.",
            "95% 置信区间包含 0，可能只是偶然：先观察再行动。",
        ));
    }
    for note in notes {
        if lang == Lang::En {
            text.push(' ');
        }
        text.push_str(note);
    }
    text
}

/// One sentence per importance-performance quadrant, as advice.
fn quadrant_advice(q: Quadrant, lang: Lang) -> &'static str {
    match q {
        Quadrant::ConcentrateHere => tr(
            lang,
            "Customers rate this dimension above average in importance and it performs below average: concentrate here.",
            "客户认为该维度重要性高于平均而表现低于平均：重点改进。",
        ),
        Quadrant::KeepUpTheGoodWork => tr(
            lang,
            "Important to customers and above average in performance: keep up the good work, and close this gap.",
            "客户看重且表现高于平均：继续保持，同时补上这一差距。",
        ),
        Quadrant::LowPriority => tr(
            lang,
            "Below average in both importance and performance: low priority.",
            "重要性与表现均低于平均：低优先级。",
        ),
        Quadrant::PossibleOverkill => tr(
            lang,
            "Less important to customers than average yet above average in performance: possible overkill, so fix it at low cost.",
            "重要性低于平均而表现高于平均：可能投入过度，宜以低成本改进。",
        ),
    }
}

/// The actions of a shortfall, most specific first: for the customer gap the dimension's
/// own actions (what to fix) before the gap's (service recovery); for gaps 1 to 4 the
/// gap's (a management process is failing) before the dimension's.
fn actions_for(library: &ActionLibrary, gap: u8, dimension: &str, lang: Lang) -> Vec<String> {
    let by_gap = library.gap_actions(gap, lang);
    let by_dimension = library.dimension_actions(dimension, lang);
    if gap == 5 {
        by_dimension.into_iter().chain(by_gap).collect()
    } else {
        by_gap.into_iter().chain(by_dimension).collect()
    }
}

/// The group of an entry: item findings and their dimension's finding share one, so
/// that views can show them together (`gap5-reliability`, `critical-Q7`).
pub fn group_id(gap: u8, dimension: Option<&str>, question: Option<&str>) -> Option<String> {
    match (question, dimension) {
        (Some(q), _) => Some(format!("critical-{q}")),
        (None, Some(d)) if (1..=5).contains(&gap) => Some(dimension_id(gap, d)),
        _ => None,
    }
}

/// A finding before ordering and state.
struct Finding {
    entry: Entry,
    /// Rank group: 0 critical failures, 1 shortfalls, 2 watch.
    group: u8,
}

/// One measured value looked at for the checklist.
struct Measure<'a> {
    gap: u8,
    dimension: &'a str,
    item: Option<&'a str>,
    value: f64,
    ci95: Option<[f64; 2]>,
    n: Option<u64>,
}

/// Builds the checklist: current findings in priority order, then state entries that
/// were not measured this period, then resolved ones; `state` carries statuses over.
pub fn build(inputs: &Inputs, state: Option<&ChecklistState>) -> Vec<Entry> {
    let audit = inputs.audit;
    let lang = inputs.lang;
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
    let label_of = |dim: &str| {
        audit.dimension_index(dim).map_or(dim.to_string(), |d| {
            audit.dimensions[d].label.get(lang).to_string()
        })
    };

    let mut findings: Vec<Finding> = Vec::new();
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
        let quadrant = inputs.ipa.and_then(|g| g.quadrant_of(m.dimension));
        let id = match m.item {
            Some(i) => item_id(m.gap, i),
            None => dimension_id(m.gap, m.dimension),
        };
        let dim_label = label_of(m.dimension);
        let subject = match m.item {
            Some(i) => format!("{} {i}", tr(lang, "item", "题项")),
            None => dim_label.clone(),
        };
        let text = shortfall_text(&ShortfallText {
            gap: m.gap,
            subject: &subject,
            value: m.value,
            ci95: m.ci95,
            n: m.n,
            quadrant,
            watch: severity == Severity::Watch,
            must_be,
            lang,
        });
        let actions = actions_for(inputs.library, m.gap, m.dimension, lang);
        let title = match m.item {
            Some(i) => {
                let text = audit
                    .item_index(i)
                    .map(|x| audit.items[x].text.get(lang).trim().to_string())
                    .filter(|t| !t.is_empty() && t != i);
                match (text, lang) {
                    (Some(t), Lang::En) => {
                        format!("{i} ({dim_label}) “{t}”: {}", gap_name(m.gap, lang))
                    }
                    (Some(t), Lang::Zh) => {
                        format!("{i}（{dim_label}）“{t}”：{}", gap_name(m.gap, lang))
                    }
                    (None, Lang::En) => format!("{i} ({dim_label}): {}", gap_name(m.gap, lang)),
                    (None, Lang::Zh) => format!("{i}（{dim_label}）：{}", gap_name(m.gap, lang)),
                }
            }
            None => match lang {
                Lang::En => format!("{dim_label}: {}", gap_name(m.gap, lang)),
                Lang::Zh => format!("{dim_label}：{}", gap_name(m.gap, lang)),
            },
        };
        findings.push(Finding {
            group: if severity == Severity::Watch { 2 } else { 1 },
            entry: Entry {
                id,
                kind: FindingKind::Shortfall,
                group: dimension_id(m.gap, m.dimension),
                severity,
                priority: 0,
                gap: m.gap,
                dimension: Some(m.dimension.to_string()),
                item: m.item.map(str::to_string),
                question: None,
                site: None,
                title,
                evidence: Evidence {
                    text,
                    value: Some(m.value),
                    threshold: Some(threshold),
                    ci95: m.ci95,
                    n: m.n,
                    weight: Some(weight),
                    quadrant,
                    must_be,
                    failures: None,
                    visits: None,
                    score,
                },
                owner: owner(audit, &[Some(m.dimension), Some(&format!("gap{}", m.gap))]),
                due: due(period_end, severity),
                status: Status::Open,
                overdue: false,
                current: true,
                first_seen: period_end,
                notes: None,
                actions,
            },
        });
    }
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
        let place = c
            .site
            .clone()
            .unwrap_or_else(|| tr(lang, "all sites", "所有网点").into());
        let text = match lang {
            Lang::En => format!(
                "Critical question {} failed in {} of {} visits at {place}",
                c.question, c.failures, c.visits
            ),
            Lang::Zh => format!(
                "关键问题 {} 在 {place} 的 {} 次走访中有 {} 次不合格",
                c.question, c.visits, c.failures
            ),
        };
        let mut actions = inputs.library.critical_actions(lang);
        if let Some(d) = &dimension {
            actions.extend(inputs.library.dimension_actions(d, lang));
        }
        let title = match lang {
            Lang::En => format!("Critical question {} at {place}", c.question),
            Lang::Zh => format!("{place}：关键问题 {}", c.question),
        };
        findings.push(Finding {
            group: 0,
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
                title,
                evidence: Evidence {
                    text,
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
                current: true,
                first_seen: period_end,
                notes: None,
                actions,
            },
        });
    }
    // Scores are compared at 1e-9 so that rounding noise from a different row order
    // cannot swap two equal findings; ties then go by id.
    findings.sort_by(|a, b| {
        a.group
            .cmp(&b.group)
            .then_with(|| key(b.entry.evidence.score).cmp(&key(a.entry.evidence.score)))
            .then_with(|| b.entry.evidence.failures.cmp(&a.entry.evidence.failures))
            .then_with(|| a.entry.id.cmp(&b.entry.id))
    });
    let mut entries: Vec<Entry> = findings.into_iter().map(|f| f.entry).collect();
    let mut rest = Vec::new();
    if let Some(state) = state {
        for e in &mut entries {
            if let Some(s) = state.entries.get(&e.id) {
                carry_over(e, s, period_end);
            }
        }
        let current: BTreeSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        let mut unmeasured = Vec::new();
        let mut resolved = Vec::new();
        for (id, s) in &state.entries {
            if current.contains(id.as_str()) {
                continue;
            }
            let (entry, closed) = absent_entry(inputs, id, s);
            if closed {
                resolved.push(entry);
            } else {
                unmeasured.push(entry);
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
    entries
}

fn key(score: f64) -> i64 {
    (score * 1e9).round() as i64
}

fn due(period_end: NaiveDate, severity: Severity) -> NaiveDate {
    period_end + chrono::Duration::days(severity.due_days())
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
                    ci95: if gap == 5 { d.ci95 } else { None },
                    n: if gap == 5 { Some(d.n) } else { None },
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
                    ci95: if gap == 5 { it.ci95 } else { None },
                    n: match gap {
                        5 => Some(it.n),
                        1 => Some(it.management_n),
                        _ => None,
                    },
                });
            }
        }
    }
    out
}

/// Applies what the state file says about a finding that is present now.
fn carry_over(e: &mut Entry, s: &StateEntry, period_end: NaiveDate) {
    if let Some(o) = &s.owner {
        e.owner = Some(o.clone());
    }
    e.notes.clone_from(&s.notes);
    if let Some(f) = s.first_seen {
        e.first_seen = f;
    }
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
/// measured and is no longer below the threshold, carried over unchanged otherwise.
fn absent_entry(inputs: &Inputs, id: &str, s: &StateEntry) -> (Entry, bool) {
    let audit = inputs.audit;
    let lang = inputs.lang;
    let period_end = audit.meta.period_end;
    let now = current_value(inputs, s);
    let critical_measured = s.question.is_some() && inputs.critical.is_some();
    let closed = now.is_some() || critical_measured;
    let text = match (now, critical_measured) {
        (Some(v), _) => match lang {
            Lang::En => format!(
                "No longer below the threshold {}: now {}",
                fmt2(audit.thresholds.checklist),
                fmt2(v)
            ),
            Lang::Zh => format!(
                "已不低于阈值 {}：当前为 {}",
                fmt2(audit.thresholds.checklist),
                fmt2(v)
            ),
        },
        (None, true) => tr(
            lang,
            "The critical question did not fail in this period",
            "本期该关键问题未出现不合格",
        )
        .to_string(),
        (None, false) => tr(
            lang,
            "Not measured in this period; status carried over",
            "本期未测量，沿用原状态",
        )
        .to_string(),
    };
    let severity = s.severity.unwrap_or(Severity::Watch);
    let entry = Entry {
        id: id.to_string(),
        group: group_id(
            s.gap.unwrap_or(0),
            s.dimension.as_deref(),
            s.question.as_deref(),
        )
        .unwrap_or_else(|| id.to_string()),
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
        title: s.title.clone().unwrap_or_else(|| id.to_string()),
        evidence: Evidence {
            text,
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
        status: if closed { Status::Resolved } else { s.status },
        overdue: false,
        current: false,
        first_seen: s.first_seen.unwrap_or(period_end),
        notes: s.notes.clone(),
        actions: Vec::new(),
    };
    (entry, closed)
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

// ---------------------------------------------------------------------------------------
// The state file

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    #[serde(default)]
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
    let _ = raw.audit;
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
        sha256: crate::sources::hashing::sha256_hex(text.as_bytes()),
        entries,
    })
}

#[derive(Serialize)]
struct OutState<'a> {
    audit: &'a str,
    entries: BTreeMap<String, RawStateEntry>,
}

/// The state file for `entries` (what `--update-checklist` writes).
pub fn render_state(audit: &Audit, entries: &[Entry]) -> anyhow::Result<String> {
    let out = OutState {
        audit: &audit.meta.id,
        entries: entries
            .iter()
            .map(|e| {
                (
                    e.id.clone(),
                    RawStateEntry {
                        status: e.status.word().to_string(),
                        owner: e.owner.clone(),
                        due: Some(e.due.format("%Y-%m-%d").to_string()),
                        notes: e.notes.clone(),
                        first_seen: Some(e.first_seen.format("%Y-%m-%d").to_string()),
                        title: Some(e.title.clone()),
                        severity: Some(e.severity.word().to_string()),
                        gap: Some(e.gap).filter(|g| (1..=5).contains(g)),
                        dimension: e.dimension.clone(),
                        item: e.item.clone(),
                        question: e.question.clone(),
                        site: e.site.clone(),
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
mod tests;

/// Builds the checklist of `report` and stores it there; the state file, if any, is
/// added to the provenance because it changes statuses and owners.
pub fn attach(
    report: &mut crate::report::Report,
    audit: &Audit,
    state: Option<&ChecklistState>,
    lang: Lang,
    critical: Option<&[CriticalFailure]>,
    must_be: &BTreeSet<String>,
) {
    let dimensions: Vec<DimensionResult> =
        report.dimensions.iter().map(|d| d.result.clone()).collect();
    let items: Vec<ItemResult> = report.items.iter().map(|i| i.result.clone()).collect();
    let library = crate::definition::actions::library_for(audit.actions.as_ref());
    let inputs = Inputs {
        audit,
        dimensions: &dimensions,
        items: &items,
        ipa: report.ipa.as_ref(),
        critical,
        must_be,
        library: &library,
        lang,
    };
    report.checklist = build(&inputs, state);
    if let Some(s) = state {
        report.provenance.files.push(crate::sources::FileDigest {
            role: "checklist-state".into(),
            path: s.path.display().to_string(),
            sha256: s.sha256.clone(),
        });
    }
}
