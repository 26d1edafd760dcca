//! Mystery-shopper scoring (docs/formulas.md#mystery-shopping): visit scores, sites, questions, D on the audit
//! scale, and shopper calibration.
//!
//! The accumulator keeps sums per site, per question and per (site, shopper, question),
//! so memory is bounded by the size of the form and the number of sites and shoppers,
//! never by the number of visits.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::stats::{mean_test, Moments};
use crate::definition::form::{CriticalPolicy, Form, Target};
use crate::definition::Audit;
use crate::i18n::Text;
use crate::sources::visits::Visit;

/// The score of one visit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisitScore {
    /// The score in percent after the critical policy (`None`: nothing answered).
    pub score: Option<f64>,
    /// The score in percent before the critical policy.
    pub raw: Option<f64>,
    /// A critical question failed.
    pub failed: bool,
}

/// Scores one visit: per section the weighted mean of its answered questions, then the
/// section-weighted mean over the sections with an answer, as a percent.
///
/// A critical question fails when it scores 0 (`no`, or the lowest answer of a scale);
/// under `critical: zero` that sets the score to 0.
pub fn score_visit(form: &Form, answers: &[Option<f64>]) -> VisitScore {
    let mut num = vec![0.0; form.sections.len()];
    let mut den = vec![0.0; form.sections.len()];
    let mut failed = false;
    for (q, answer) in form.questions.iter().zip(answers) {
        if let Some(x) = answer {
            num[q.section] += q.weight * x;
            den[q.section] += q.weight;
            failed |= q.critical && *x == 0.0;
        }
    }
    combine_sections(form, &num, &den, failed)
}

/// The visit score from the weighted answer sums `num` and weights `den` per section:
/// the section-weighted mean of `num / den` over the sections with an answer, in percent,
/// then the critical policy if `failed`.
fn combine_sections(form: &Form, num: &[f64], den: &[f64], failed: bool) -> VisitScore {
    let (mut top, mut bottom) = (0.0, 0.0);
    for (s, section) in form.sections.iter().enumerate() {
        if den[s] > 0.0 {
            top += section.weight * num[s] / den[s];
            bottom += section.weight;
        }
    }
    let raw = (bottom > 0.0).then(|| 100.0 * top / bottom);
    let score = match (failed, form.critical) {
        (true, CriticalPolicy::Zero) => raw.map(|_| 0.0),
        _ => raw,
    };
    VisitScore { score, raw, failed }
}

#[derive(Debug, Clone)]
struct SiteSums {
    scores: Moments,
    failures: u64,
    /// Failures per question (critical questions only).
    failed_questions: Vec<u64>,
    /// Shopper index -> index into the accumulator's cells (`NO_CELL`: never here).
    cells: Vec<usize>,
}

/// A shopper who has not visited the site.
const NO_CELL: usize = usize::MAX;

#[derive(Debug, Clone, Copy, Default)]
struct QuestionSums {
    answers: Moments,
    not_applicable: u64,
    failures: u64,
}

#[derive(Debug, Clone)]
struct ShopperCell {
    visits: u64,
    answers: Vec<Moments>,
}

/// Names seen in the visits, each given a dense index the first time it appears, so that
/// a visit costs a hash look-up by `&str` and no allocation once its names are known.
#[derive(Debug, Clone, Default)]
struct Interner {
    // foldhash: names are looked up on every visit, and the default SipHash guards
    // against crafted keys (which a visits file the auditor supplies does not need) at
    // several times the cost.
    ids: HashMap<Box<str>, usize, foldhash::fast::FixedState>,
    names: Vec<Box<str>>,
}

impl Interner {
    /// The index of `name`, added if new.
    fn id(&mut self, name: &str) -> usize {
        if let Some(&i) = self.ids.get(name) {
            return i;
        }
        let i = self.names.len();
        self.names.push(name.into());
        self.ids.insert(name.into(), i);
        i
    }

    /// The indices in name order (the order the report and calibration sum in).
    fn sorted(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_by(|&a, &b| self.names[a].cmp(&self.names[b]));
        order
    }
}

/// How precisely the visits measure the delivered level D (see
/// [`ShopperAccumulator::level_intervals`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LevelIntervals {
    /// 95% interval of D per item, in audit order.
    pub items: Vec<Option<[f64; 2]>>,
    /// Half-width of the 95% interval of D per dimension, in audit order.
    pub dimensions: Vec<Option<f64>>,
}

/// Running sums over the visits of one period.
#[derive(Debug, Clone)]
pub struct ShopperAccumulator {
    scores: Moments,
    visits: u64,
    failures: u64,
    sections: Vec<Moments>,
    questions: Vec<QuestionSums>,
    /// Site names; `sites[i]` belongs to site index `i`.
    site_names: Interner,
    sites: Vec<SiteSums>,
    /// Shopper names, over all sites.
    shopper_names: Interner,
    /// Per-question sums of one shopper at one site, for calibration.
    cells: Vec<ShopperCell>,
    /// Weighted answer sums and weights per section of the visit being added; kept
    /// between visits so that adding one allocates nothing.
    num: Vec<f64>,
    den: Vec<f64>,
}

impl ShopperAccumulator {
    /// An empty accumulator for visits scored on `form`.
    pub fn new(form: &Form) -> Self {
        ShopperAccumulator {
            scores: Moments::default(),
            visits: 0,
            failures: 0,
            sections: vec![Moments::default(); form.sections.len()],
            questions: vec![QuestionSums::default(); form.questions.len()],
            site_names: Interner::default(),
            sites: Vec::new(),
            shopper_names: Interner::default(),
            cells: Vec::new(),
            num: vec![0.0; form.sections.len()],
            den: vec![0.0; form.sections.len()],
        }
    }

    /// Adds one visit.
    pub fn add(&mut self, form: &Form, visit: &Visit) {
        let n_questions = form.questions.len();
        let site_id = self.site_names.id(visit.site);
        if site_id == self.sites.len() {
            self.sites.push(SiteSums {
                scores: Moments::default(),
                failures: 0,
                failed_questions: vec![0; n_questions],
                cells: Vec::new(),
            });
        }
        let shopper_id = self.shopper_names.id(visit.shopper);
        let site = &mut self.sites[site_id];
        if site.cells.len() <= shopper_id {
            site.cells.resize(shopper_id + 1, NO_CELL);
        }
        if site.cells[shopper_id] == NO_CELL {
            site.cells[shopper_id] = self.cells.len();
            self.cells.push(ShopperCell {
                visits: 0,
                answers: vec![Moments::default(); n_questions],
            });
        }
        let cell = &mut self.cells[site.cells[shopper_id]];
        cell.visits += 1;
        self.num.fill(0.0);
        self.den.fill(0.0);
        let mut failed = false;
        for (q, question) in form.questions.iter().enumerate() {
            let sums = &mut self.questions[q];
            match visit.answers.get(q).copied().flatten() {
                Some(x) => {
                    sums.answers.add(x);
                    cell.answers[q].add(x);
                    self.num[question.section] += question.weight * x;
                    self.den[question.section] += question.weight;
                    if question.critical && x == 0.0 {
                        failed = true;
                        sums.failures += 1;
                        site.failed_questions[q] += 1;
                    }
                }
                None => sums.not_applicable += 1,
            }
        }
        for (s, m) in self.sections.iter_mut().enumerate() {
            if self.den[s] > 0.0 {
                m.add(self.num[s] / self.den[s]);
            }
        }
        let score = combine_sections(form, &self.num, &self.den, failed);
        self.visits += 1;
        self.failures += u64::from(score.failed);
        site.failures += u64::from(score.failed);
        if let Some(s) = score.score {
            self.scores.add(s);
            site.scores.add(s);
        }
    }

    /// D per item on the audit scale: scale.min + f·(scale.max - scale.min), where f is
    /// the mean normalised answer (pooled over all visits) of the questions mapped to the
    /// item; an item that no question names takes the questions mapped to its dimension,
    /// as an item without its own standard takes its dimension's. `None` where neither
    /// was answered.
    pub fn item_levels(&self, audit: &Audit, form: &Form) -> Vec<Option<f64>> {
        let pooled = |wanted: Target| {
            let mut all = Moments::default();
            let mut named = false;
            for (question, sums) in form.questions.iter().zip(&self.questions) {
                if question.target == wanted {
                    named = true;
                    all.merge(&sums.answers);
                }
            }
            (named, all)
        };
        (0..audit.items.len())
            .map(|i| {
                let (named, own) = pooled(Target::Item(i));
                let answers = if named {
                    own
                } else {
                    pooled(Target::Dimension(audit.items[i].dimension)).1
                };
                answers.mean().map(|f| audit.scale.from_fraction(f))
            })
            .collect()
    }

    /// 95% intervals of the delivered level D, on the audit scale: per item (pooling the
    /// same answers as [`ShopperAccumulator::item_levels`]) and per dimension (pooling
    /// every answer of a question that measures the dimension or one of its items). Each
    /// answer counts as one observation of the level; `None` where fewer than two.
    pub fn level_intervals(&self, audit: &Audit, form: &Form) -> LevelIntervals {
        let range = audit.scale.max - audit.scale.min;
        let interval = |answers: &Moments| {
            let (lo, hi) = mean_test(answers).ci95?;
            Some([audit.scale.from_fraction(lo), audit.scale.from_fraction(hi)])
        };
        let pooled = |keep: &dyn Fn(Target) -> bool| {
            let mut all = Moments::default();
            let mut named = false;
            for (question, sums) in form.questions.iter().zip(&self.questions) {
                if keep(question.target) {
                    named = true;
                    all.merge(&sums.answers);
                }
            }
            (named, all)
        };
        let items = (0..audit.items.len())
            .map(|i| {
                let (named, own) = pooled(&|t| t == Target::Item(i));
                let answers = if named {
                    own
                } else {
                    let d = audit.items[i].dimension;
                    pooled(&|t| t == Target::Dimension(d)).1
                };
                interval(&answers)
            })
            .collect();
        let dimensions = (0..audit.dimensions.len())
            .map(|d| {
                let (_, answers) = pooled(&|t| t.dimension(audit) == d);
                let (lo, hi) = mean_test(&answers).ci95?;
                Some((hi - lo) / 2.0 * range)
            })
            .collect();
        LevelIntervals { items, dimensions }
    }

    /// The shopper part of the report.
    pub fn report(&self, audit: &Audit, form: &Form) -> ShopperReport {
        let overall = mean_test(&self.scores);
        let mut by_site: Vec<SiteResult> = self
            .site_names
            .sorted()
            .into_iter()
            .map(|i| {
                let sums = &self.sites[i];
                let t = mean_test(&sums.scores);
                SiteResult {
                    site: self.site_names.names[i].to_string(),
                    visits: sums.scores.n,
                    mean_score: t.mean,
                    ci95: t.ci95.map(|(lo, hi)| [lo, hi]),
                    critical_failures: sums.failures,
                    failed_critical: form
                        .questions
                        .iter()
                        .zip(&sums.failed_questions)
                        .filter(|(_, n)| **n > 0)
                        .map(|(q, n)| QuestionCount {
                            question: q.id.clone(),
                            failures: *n,
                        })
                        .collect(),
                    rank: None,
                }
            })
            .collect();
        rank_sites(&mut by_site, audit.thresholds.min_visits);
        let questions = form
            .questions
            .iter()
            .zip(&self.questions)
            .map(|(q, sums)| QuestionResult {
                id: q.id.clone(),
                text: q.text.clone(),
                short: q.short_label(),
                section: form.sections[q.section].id.clone(),
                item: match q.target {
                    Target::Item(i) => Some(audit.items[i].id.clone()),
                    Target::Dimension(_) => None,
                },
                dimension: audit.dimensions[q.target.dimension(audit)].id.clone(),
                kind: q.kind.as_str(),
                weight: q.weight,
                critical: q.critical,
                answered: sums.answers.n,
                not_applicable: sums.not_applicable,
                score: sums.answers.mean(),
                failures: sums.failures,
            })
            .collect();
        let sections = form
            .sections
            .iter()
            .zip(&self.sections)
            .map(|(s, m)| SectionResult {
                id: s.id.clone(),
                title: s.title.clone(),
                weight: s.weight,
                answered: m.n,
                score: m.mean(),
            })
            .collect();
        ShopperReport {
            form: FormInfo {
                name: form.name.clone(),
                title: form.title.clone(),
                critical: form.critical.as_str(),
                total_weight: form.total_weight,
            },
            visits: self.visits,
            mean_score: overall.mean,
            ci95: overall.ci95.map(|(lo, hi)| [lo, hi]),
            critical_failures: self.failures,
            min_visits: audit.thresholds.min_visits,
            by_site,
            sections,
            questions,
            calibration: self.calibration(form),
        }
    }

    /// Shopper calibration over the sites that two or more shoppers visited.
    fn calibration(&self, form: &Form) -> Calibration {
        #[derive(Default)]
        struct Bias {
            visits: u64,
            sites: u64,
            sum: f64,
            n: u64,
        }
        let mut shoppers: BTreeMap<&str, Bias> = BTreeMap::new();
        let mut spread = vec![(0.0, 0u64); form.questions.len()];
        // site -> shopper -> sums, by name: the order every sum below is taken in.
        let mut by_site: BTreeMap<&str, BTreeMap<&str, &ShopperCell>> = BTreeMap::new();
        for (site, sums) in self.sites.iter().enumerate() {
            let cells = by_site.entry(&*self.site_names.names[site]).or_default();
            for (shopper, &cell) in sums.cells.iter().enumerate() {
                if cell != NO_CELL {
                    cells.insert(&*self.shopper_names.names[shopper], &self.cells[cell]);
                }
            }
        }
        for cells in by_site.values() {
            for (name, cell) in cells {
                shoppers.entry(name).or_default().visits += cell.visits;
            }
            if cells.len() < 2 {
                continue;
            }
            let mut compared: BTreeMap<&str, bool> = BTreeMap::new();
            for (q, slot) in spread.iter_mut().enumerate() {
                let mut total = Moments::default();
                let mut means = Vec::new();
                for cell in cells.values() {
                    total.merge(&cell.answers[q]);
                    means.extend(cell.answers[q].mean());
                }
                if means.len() < 2 {
                    continue;
                }
                let hi = means.iter().copied().fold(f64::MIN, f64::max);
                let lo = means.iter().copied().fold(f64::MAX, f64::min);
                slot.0 += hi - lo;
                slot.1 += 1;
                for (name, cell) in cells {
                    let own = &cell.answers[q];
                    if own.n == 0 {
                        continue;
                    }
                    // Σ over the shopper's answers of (answer - mean of the others' answers).
                    let others_n = (total.n - own.n) as f64;
                    let others_mean = (total.sum - own.sum) / others_n;
                    let bias = shoppers.entry(name).or_default();
                    bias.sum += own.sum - own.n as f64 * others_mean;
                    bias.n += own.n;
                    compared.insert(name, true);
                }
            }
            for name in compared.keys() {
                shoppers.entry(name).or_default().sites += 1;
            }
        }
        Calibration {
            shoppers: shoppers
                .into_iter()
                .map(|(name, b)| ShopperBias {
                    shopper: name.to_string(),
                    visits: b.visits,
                    sites: b.sites,
                    n: b.n,
                    deviation: (b.n > 0).then(|| b.sum / b.n as f64),
                })
                .collect(),
            questions: form
                .questions
                .iter()
                .zip(spread)
                .map(|(q, (sum, sites))| QuestionAgreement {
                    id: q.id.clone(),
                    sites,
                    spread: (sites > 0).then(|| sum / sites as f64),
                })
                .collect(),
        }
    }
}

/// Ranks sites by mean visit score (highest first, ties share a rank); sites with fewer
/// than `min_visits` scored visits keep `rank: None` and are listed after the ranked ones.
pub fn rank_sites(sites: &mut [SiteResult], min_visits: u32) {
    let eligible = |s: &SiteResult| s.visits >= u64::from(min_visits) && s.mean_score.is_some();
    let scores: Vec<f64> = sites
        .iter()
        .filter(|s| eligible(s))
        .filter_map(|s| s.mean_score)
        .collect();
    for s in sites.iter_mut() {
        s.rank = match s.mean_score {
            Some(m) if eligible(s) => Some(1 + scores.iter().filter(|&&x| x > m).count() as u32),
            _ => None,
        };
    }
    sites.sort_by(|a, b| match (a.rank, b.rank) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.site.cmp(&b.site)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.site.cmp(&b.site),
    });
}

/// The mystery-shopper results of a report (JSON `shoppers`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShopperReport {
    /// The form the visits were scored on.
    pub form: FormInfo,
    /// Visits read.
    pub visits: u64,
    /// Mean visit score in percent.
    pub mean_score: Option<f64>,
    /// 95% interval of the mean visit score.
    pub ci95: Option<[f64; 2]>,
    /// Visits with a failed critical question.
    pub critical_failures: u64,
    /// Sites with fewer visits are listed but not ranked.
    pub min_visits: u32,
    /// Sites, ranked ones first in rank order.
    pub by_site: Vec<SiteResult>,
    /// Mean section scores (0..1) over the visits that answered the section.
    pub sections: Vec<SectionResult>,
    /// Per question, in form order.
    pub questions: Vec<QuestionResult>,
    /// How far each shopper's answers sit from the other shoppers' at the same sites.
    pub calibration: Calibration,
}

/// The form as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormInfo {
    /// File or built-in name as written in the audit.
    pub name: String,
    /// Title.
    pub title: Text,
    /// `zero` or `flag`.
    pub critical: &'static str,
    /// Declared sum of section weights.
    pub total_weight: f64,
}

/// One site's visits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteResult {
    /// Site name as in the visits file.
    pub site: String,
    /// Visits.
    pub visits: u64,
    /// Mean visit score in percent.
    pub mean_score: Option<f64>,
    /// 95% interval of the mean (`null` under 2 visits).
    pub ci95: Option<[f64; 2]>,
    /// Visits with a failed critical question.
    pub critical_failures: u64,
    /// Failed critical questions and how often.
    pub failed_critical: Vec<QuestionCount>,
    /// 1 = best; `null` when the site has fewer than `min_visits` visits.
    pub rank: Option<u32>,
}

/// A question and a count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionCount {
    /// Question id.
    pub question: String,
    /// How many visits failed it.
    pub failures: u64,
}

/// One section over all visits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionResult {
    /// Section id.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Weight in the visit score.
    pub weight: f64,
    /// Visits with at least one answer in the section.
    pub answered: u64,
    /// Mean section score, 0..1.
    pub score: Option<f64>,
}

/// One question over all visits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    /// Question id.
    pub id: String,
    /// The question as the form words it.
    pub text: Text,
    /// Its short label (`short:` in the form, or the first words of the text).
    pub short: Text,
    /// Section id.
    pub section: String,
    /// The item it maps to (`null` for a question mapped to a dimension).
    pub item: Option<String>,
    /// The dimension it maps to (the item's dimension for an item question).
    pub dimension: String,
    /// `yesno` or `scale`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Weight within its section.
    pub weight: f64,
    /// Whether a failure fails the visit.
    pub critical: bool,
    /// Visits that answered it.
    pub answered: u64,
    /// Visits where it was not applicable.
    pub not_applicable: u64,
    /// Mean normalised score, 0..1.
    pub score: Option<f64>,
    /// Visits that failed it (critical questions only).
    pub failures: u64,
}

/// Shopper calibration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Per shopper, by name.
    pub shoppers: Vec<ShopperBias>,
    /// Per question, in form order.
    pub questions: Vec<QuestionAgreement>,
}

/// How lenient (positive) or harsh (negative) one shopper scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShopperBias {
    /// Shopper name.
    pub shopper: String,
    /// Visits made.
    pub visits: u64,
    /// Sites where the shopper could be compared with another shopper.
    pub sites: u64,
    /// Answers compared.
    pub n: u64,
    /// Mean of (answer - other shoppers' mean answer to the same question at the same
    /// site), normalised 0..1 units; `null` when never compared.
    pub deviation: Option<f64>,
}

/// How much shoppers disagree on one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionAgreement {
    /// Question id.
    pub id: String,
    /// Sites where two or more shoppers answered it.
    pub sites: u64,
    /// Mean over those sites of (highest - lowest shopper mean), 0..1; 0 = full agreement.
    pub spread: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    use crate::definition::form::parse_form;

    fn audit(min_visits: u32) -> Audit {
        let yaml = format!("audit: {{id: t, title: T, period: {{start: 2026-01-01, end: 2026-03-31}}}}\ninstrument: servqual-22\nthresholds: {{min_visits: {min_visits}}}\n");
        crate::definition::load_str(Path::new("audit.yaml"), &yaml).unwrap()
    }

    /// Section a (weight 40): Q1 yes/no critical on T1 (weight 1), Q2 scale 1..5 on T1
    /// (weight 3). Section b (weight 60): Q3 yes/no on R1, Q4 yes/no on tangibles.
    fn form(policy: &str) -> Form {
        let text = format!("title: {{en: F}}\ncritical: {policy}\ntotal_weight: 100\nsections:\n  - id: a\n    title: {{en: A}}\n    weight: 40\n    questions:\n      - {{id: Q1, text: {{en: q}}, type: yesno, critical: true, item: T1}}\n      - {{id: Q2, text: {{en: q}}, type: scale, min: 1, max: 5, weight: 3, item: T1}}\n  - id: b\n    title: {{en: B}}\n    weight: 60\n    questions:\n      - {{id: Q3, text: {{en: q}}, type: yesno, item: R1}}\n      - {{id: Q4, text: {{en: q}}, type: yesno, dimension: tangibles}}\n");
        parse_form(&audit(3), Path::new("f.yaml"), "f.yaml", &text).unwrap()
    }

    fn close(a: Option<f64>, b: f64) {
        match a {
            Some(a) => assert!((a - b).abs() < 1e-9, "{a} != {b}"),
            None => panic!("None != {b}"),
        }
    }

    #[test]
    fn weighted_section_means_then_section_weights() {
        // Q1 yes (1), Q2 = 4 -> 0.75: section a = (1·1 + 3·0.75)/4 = 3.25/4 = 0.8125.
        // Q3 yes, Q4 no: section b = (1 + 0)/2 = 0.5.
        // Visit = (40·0.8125 + 60·0.5)/100 = (32.5 + 30)/100 = 62.5%.
        let s = score_visit(
            &form("zero"),
            &[Some(1.0), Some(0.75), Some(1.0), Some(0.0)],
        );
        close(s.score, 62.5);
        assert!(!s.failed);
    }

    #[test]
    fn not_applicable_leaves_numerator_and_denominator() {
        // Q2 N/A: section a = 1·1/1 = 1; Q4 N/A: section b = 1/1 = 1 -> 100%.
        let s = score_visit(&form("zero"), &[Some(1.0), None, Some(1.0), None]);
        close(s.score, 100.0);
        // Q1 yes, Q2 = 2 -> 0.25: a = (1 + 3·0.25)/4 = 0.4375; b N/A entirely.
        // Section weights renormalise over a alone: 40·0.4375/40 = 43.75%.
        let s = score_visit(&form("zero"), &[Some(1.0), Some(0.25), None, None]);
        close(s.score, 43.75);
        // Nothing answered: no score (the reader rejects such visits).
        assert_eq!(score_visit(&form("zero"), &[None; 4]).score, None);
    }

    #[test]
    fn critical_zero_and_flag() {
        // Q1 no (critical): a = (0 + 3·1)/4 = 0.75; b = (1 + 1)/2 = 1.
        // Raw = (40·0.75 + 60·1)/100 = 90%.
        let answers = [Some(0.0), Some(1.0), Some(1.0), Some(1.0)];
        let zero = score_visit(&form("zero"), &answers);
        assert!(zero.failed);
        close(zero.raw, 90.0);
        close(zero.score, 0.0);
        let flag = score_visit(&form("flag"), &answers);
        assert!(flag.failed);
        close(flag.score, 90.0);
        // A non-critical no does not fail the visit.
        assert!(!score_visit(&form("zero"), &[Some(1.0), Some(1.0), Some(0.0), Some(1.0)]).failed);
    }

    fn visit<'a>(site: &'a str, shopper: &'a str, answers: &'a [Option<f64>]) -> Visit<'a> {
        Visit {
            line: 2,
            id: "",
            shopper,
            site,
            date: "",
            dated: false,
            answers,
        }
    }

    #[test]
    fn d_levels_sites_and_questions() {
        let a = audit(2);
        let f = form("flag");
        let mut acc = ShopperAccumulator::new(&f);
        // North: two visits scoring 100% and 62.5% (see above); South: one visit, Q1 no.
        acc.add(
            &f,
            &visit(
                "North",
                "ann",
                &[Some(1.0), Some(1.0), Some(1.0), Some(1.0)],
            ),
        );
        acc.add(
            &f,
            &visit(
                "North",
                "bob",
                &[Some(1.0), Some(0.75), Some(1.0), Some(0.0)],
            ),
        );
        acc.add(
            &f,
            &visit("South", "ann", &[Some(0.0), Some(0.5), None, Some(1.0)]),
        );
        let d = acc.item_levels(&a, &f);
        // T1 pools its own questions Q1 and Q2 (not the tangibles question Q4):
        // Q1 1,1,0; Q2 1,0.75,0.5 -> 4.25/6 = 0.708333; D = 1 + 6·0.708333 = 5.25.
        close(d[0], 5.25);
        // T2 has no question of its own, so it takes the tangibles question Q4:
        // 1,0,1 -> 2/3 -> D = 1 + 6·2/3 = 5.
        close(d[1], 5.0);
        // R1 (index 4) has Q3: answered 1, 1 -> D = 7.
        close(d[4], 7.0);
        // Responsiveness items have no question: not measured.
        assert_eq!(d[9], None);

        let r = acc.report(&a, &f);
        assert_eq!(r.visits, 3);
        assert_eq!(r.critical_failures, 1);
        // South: Q1 no, Q2 = 0.5: a = (0 + 1.5)/4 = 0.375; b = Q4 1 -> 1.
        // (40·0.375 + 60)/100 = 75%; flag keeps it.
        // North: mean (100 + 62.5)/2 = 81.25, ranked 1 (min_visits 2); South listed, unranked.
        assert_eq!(r.by_site[0].site, "North");
        assert_eq!(r.by_site[0].rank, Some(1));
        close(r.by_site[0].mean_score, 81.25);
        assert_eq!(r.by_site[1].site, "South");
        assert_eq!(r.by_site[1].rank, None);
        close(r.by_site[1].mean_score, 75.0);
        assert_eq!(r.by_site[1].failed_critical[0].question, "Q1");
        // Overall mean (100 + 62.5 + 75)/3 = 79.1667.
        close(r.mean_score, 237.5 / 3.0);
        // Q3: answered 2, N/A 1, score 1. Q1: one failure, score 2/3.
        assert_eq!(r.questions[2].answered, 2);
        assert_eq!(r.questions[2].not_applicable, 1);
        close(r.questions[0].score, 2.0 / 3.0);
        assert_eq!(r.questions[0].failures, 1);
        assert_eq!(r.questions[3].item, None);
        assert_eq!(r.questions[3].dimension, "tangibles");
        // The North site interval: scores 100, 62.5; sd = 26.5165, se = 18.75,
        // t(0.975, 1) = 12.7062 -> 81.25 ± 238.24.
        let [lo, hi] = r.by_site[0].ci95.unwrap();
        assert!(
            (hi - lo - 2.0 * 12.706204736 * 18.75).abs() < 1e-4,
            "{lo} {hi}"
        );
    }

    #[test]
    fn ranking_shares_ties_and_skips_small_sites() {
        let site = |name: &str, visits: u64, score: f64| SiteResult {
            site: name.into(),
            visits,
            mean_score: Some(score),
            ci95: None,
            critical_failures: 0,
            failed_critical: vec![],
            rank: None,
        };
        let mut sites = vec![
            site("A", 3, 70.0),
            site("B", 5, 90.0),
            site("C", 2, 99.0),
            site("D", 4, 70.0),
        ];
        rank_sites(&mut sites, 3);
        let got: Vec<(&str, Option<u32>)> =
            sites.iter().map(|s| (s.site.as_str(), s.rank)).collect();
        // C has the best mean but only 2 < 3 visits: listed last, not ranked.
        assert_eq!(
            got,
            vec![("B", Some(1)), ("A", Some(2)), ("D", Some(2)), ("C", None)]
        );
    }

    #[test]
    fn calibration_singles_out_a_lenient_shopper() {
        let a = audit(1);
        let f = form("flag");
        let mut acc = ShopperAccumulator::new(&f);
        // North: ann answers Q2 with 1.0 twice, bob 0.5, cat 0.25. Only Q2 answered.
        acc.add(&f, &visit("North", "ann", &[None, Some(1.0), None, None]));
        acc.add(&f, &visit("North", "ann", &[None, Some(1.0), None, None]));
        acc.add(&f, &visit("North", "bob", &[None, Some(0.5), None, None]));
        acc.add(&f, &visit("North", "cat", &[None, Some(0.25), None, None]));
        // South: only dan, so nothing to compare.
        acc.add(&f, &visit("South", "dan", &[None, Some(0.0), None, None]));
        let c = acc.report(&a, &f).calibration;
        // ann: others' mean = (0.5 + 0.25)/2 = 0.375; two answers of 1.0 -> +0.625 each.
        // bob: others = (1 + 1 + 0.25)/3 = 0.75 -> 0.5 - 0.75 = -0.25.
        // cat: others = (1 + 1 + 0.5)/3 = 0.8333 -> 0.25 - 0.8333 = -0.58333.
        let by = |name: &str| c.shoppers.iter().find(|s| s.shopper == name).unwrap();
        close(by("ann").deviation, 0.625);
        assert_eq!(by("ann").n, 2);
        assert_eq!(by("ann").visits, 2);
        close(by("bob").deviation, -0.25);
        close(by("cat").deviation, 0.25 - 2.5 / 3.0);
        assert_eq!(by("dan").deviation, None);
        assert_eq!(by("dan").sites, 0);
        // Q2 spread at North: shopper means 1, 0.5, 0.25 -> 1 - 0.25 = 0.75 over one site.
        close(c.questions[1].spread, 0.75);
        assert_eq!(c.questions[1].sites, 1);
        assert_eq!(c.questions[0].spread, None);
    }
}
