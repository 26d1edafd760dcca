//! Kano analysis: which service features customers take for granted, which delight them
//! and which they do not care about (docs/kano.md).
//!
//! Each respondent answers a functional question ("if the service has it") and a
//! dysfunctional one ("if it does not"); the pair maps through the standard Kano
//! evaluation table to one class. Per feature the classes are counted and turned into a
//! category, the Better/Worse coefficients, the total strength and investment guidance.
//!
//! Data flows [`definition`] (the Kano YAML, features, labels) -> [`responses`] (the
//! CSV, streamed into counts) -> [`analyse`] -> [`render`] (table or JSON).

pub mod definition;
pub mod link;
pub mod render;
pub mod responses;

use std::collections::BTreeSet;
use std::fmt;

use crate::i18n::{tr, Lang, Text};
use crate::problem::{Problem, Problems};

pub use definition::{Feature, KanoDefinition, Labels};
pub use responses::Tally;

/// One answer to a Kano question, coded 1..5 in a questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Answer {
    /// 1 = I like it.
    Like,
    /// 2 = I expect it (it must be that way).
    MustBe,
    /// 3 = I am neutral.
    Neutral,
    /// 4 = I can live with it.
    LiveWith,
    /// 5 = I dislike it.
    Dislike,
}

impl Answer {
    /// The five answers in questionnaire order (codes 1..5).
    pub const ALL: [Answer; 5] = [
        Answer::Like,
        Answer::MustBe,
        Answer::Neutral,
        Answer::LiveWith,
        Answer::Dislike,
    ];

    /// The answer for a questionnaire code 1..5.
    pub fn from_code(code: u8) -> Option<Answer> {
        match code {
            1 => Some(Answer::Like),
            2 => Some(Answer::MustBe),
            3 => Some(Answer::Neutral),
            4 => Some(Answer::LiveWith),
            5 => Some(Answer::Dislike),
            _ => None,
        }
    }

    /// The questionnaire code 1..5.
    pub fn code(self) -> u8 {
        match self {
            Answer::Like => 1,
            Answer::MustBe => 2,
            Answer::Neutral => 3,
            Answer::LiveWith => 4,
            Answer::Dislike => 5,
        }
    }

    /// The canonical English word (`like`, `must-be`, `neutral`, `live-with`, `dislike`).
    pub fn word(self) -> &'static str {
        match self {
            Answer::Like => "like",
            Answer::MustBe => "must-be",
            Answer::Neutral => "neutral",
            Answer::LiveWith => "live-with",
            Answer::Dislike => "dislike",
        }
    }

    fn index(self) -> usize {
        usize::from(self.code() - 1)
    }
}

/// A Kano class, the result of one answer pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Attractive: delights when present, not missed when absent.
    A,
    /// One-dimensional: the more the better.
    O,
    /// Must-be: taken for granted, resented when missing.
    M,
    /// Indifferent: customers do not care.
    I,
    /// Reverse: customers would rather not have it.
    R,
    /// Questionable: the two answers contradict each other.
    Q,
}

impl Class {
    /// Tie order and tie-resolution priority: M > O > A > I > R > Q.
    pub const TIE_ORDER: [Class; 6] = [Class::M, Class::O, Class::A, Class::I, Class::R, Class::Q];

    /// The one-letter code (`A`, `O`, `M`, `I`, `R`, `Q`).
    pub fn letter(self) -> &'static str {
        match self {
            Class::A => "A",
            Class::O => "O",
            Class::M => "M",
            Class::I => "I",
            Class::R => "R",
            Class::Q => "Q",
        }
    }

    /// The class name in `lang` (e.g. `must-be`, 必备属性).
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Class::A => tr(lang, "attractive", "魅力属性"),
            Class::O => tr(lang, "one-dimensional", "期望属性"),
            Class::M => tr(lang, "must-be", "必备属性"),
            Class::I => tr(lang, "indifferent", "无差异属性"),
            Class::R => tr(lang, "reverse", "反向属性"),
            Class::Q => tr(lang, "questionable", "可疑结果"),
        }
    }

    fn rank(self) -> usize {
        match self {
            Class::M => 0,
            Class::O => 1,
            Class::A => 2,
            Class::I => 3,
            Class::R => 4,
            Class::Q => 5,
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.letter())
    }
}

/// The standard Kano evaluation table: rows functional, columns dysfunctional, both in
/// the order like, must-be, neutral, live-with, dislike.
pub const EVALUATION_TABLE: [[Class; 5]; 5] = {
    use Class::*;
    [
        [Q, A, A, A, O],
        [R, I, I, I, M],
        [R, I, I, I, M],
        [R, I, I, I, M],
        [R, R, R, R, Q],
    ]
};

/// The class of one answer pair (functional, dysfunctional).
pub fn evaluate(functional: Answer, dysfunctional: Answer) -> Class {
    EVALUATION_TABLE[functional.index()][dysfunctional.index()]
}

/// How many answer pairs of a feature fell into each class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Attractive.
    pub a: u64,
    /// One-dimensional.
    pub o: u64,
    /// Must-be.
    pub m: u64,
    /// Indifferent.
    pub i: u64,
    /// Reverse.
    pub r: u64,
    /// Questionable.
    pub q: u64,
}

impl Counts {
    /// Counts one answer pair of `class`.
    pub fn add(&mut self, class: Class) {
        let slot = match class {
            Class::A => &mut self.a,
            Class::O => &mut self.o,
            Class::M => &mut self.m,
            Class::I => &mut self.i,
            Class::R => &mut self.r,
            Class::Q => &mut self.q,
        };
        *slot = slot.saturating_add(1);
    }

    /// Evaluates an answer pair and counts its class.
    pub fn add_pair(&mut self, functional: Answer, dysfunctional: Answer) {
        self.add(evaluate(functional, dysfunctional));
    }

    /// The count of `class`.
    pub fn get(&self, class: Class) -> u64 {
        match class {
            Class::A => self.a,
            Class::O => self.o,
            Class::M => self.m,
            Class::I => self.i,
            Class::R => self.r,
            Class::Q => self.q,
        }
    }

    /// N: the number of answered pairs (all six classes).
    pub fn n(&self) -> u64 {
        self.a + self.o + self.m + self.i + self.r + self.q
    }

    /// Total strength (A+O+M)/N; `None` when N is 0.
    pub fn total_strength(&self) -> Option<f64> {
        ratio(self.a + self.o + self.m, self.n())
    }

    /// Better (satisfaction) coefficient (A+O)/(A+O+M+I); `None` when the denominator is 0.
    pub fn better(&self) -> Option<f64> {
        ratio(self.a + self.o, self.a + self.o + self.m + self.i)
    }

    /// Worse (dissatisfaction) coefficient -(O+M)/(A+O+M+I); `None` when the denominator is 0.
    pub fn worse(&self) -> Option<f64> {
        // Written as a negated ratio, but never -0.0 (which JSON would print as `-0.0`).
        ratio(self.o + self.m, self.a + self.o + self.m + self.i).map(|w| {
            if w == 0.0 {
                0.0
            } else {
                -w
            }
        })
    }

    /// The category: the most frequent class(es); `None` when N is 0.
    pub fn category(&self, resolve_ties: bool) -> Option<Category> {
        Category::from_counts(self, resolve_ties)
    }
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    if denominator == 0 {
        None
    } else {
        Some(numerator as f64 / denominator as f64)
    }
}

/// A feature's category: one class, or several tied at the top (in tie order M, O, A, I, R, Q).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category(Vec<Class>);

impl Category {
    /// The most frequent class(es) of `counts`, resolved M > O > A > I > R > Q if asked;
    /// `None` when nothing was answered.
    pub fn from_counts(counts: &Counts, resolve_ties: bool) -> Option<Category> {
        let top = Class::TIE_ORDER.iter().map(|&c| counts.get(c)).max()?;
        if top == 0 {
            return None;
        }
        let mut tied: Vec<Class> = Class::TIE_ORDER
            .iter()
            .copied()
            .filter(|&c| counts.get(c) == top)
            .collect();
        if resolve_ties {
            tied.truncate(1);
        }
        Some(Category(tied))
    }

    /// A category of the given classes (sorted into tie order, duplicates removed);
    /// `None` when `classes` is empty.
    pub fn of(classes: &[Class]) -> Option<Category> {
        let mut list = classes.to_vec();
        list.sort_by_key(|c| c.rank());
        list.dedup();
        if list.is_empty() {
            None
        } else {
            Some(Category(list))
        }
    }

    /// The classes, first in tie order first.
    pub fn classes(&self) -> &[Class] {
        &self.0
    }

    /// The first class in tie order (the one a tie resolves to).
    pub fn primary(&self) -> Class {
        self.0.first().copied().unwrap_or(Class::Q)
    }

    /// Whether several classes tie at the top.
    pub fn is_tie(&self) -> bool {
        self.0.len() > 1
    }

    /// The investment guidance (a tie takes the guidance of its first class).
    pub fn guidance(&self) -> Guidance {
        Guidance::for_class(self.primary())
    }
}

impl fmt::Display for Category {
    /// Letters joined with `/`, e.g. `M` or `M/O`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, class) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            f.write_str(class.letter())?;
        }
        Ok(())
    }
}

/// What a category means for investment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guidance {
    /// Must-be: fix any shortfall first.
    Invest,
    /// One-dimensional: invest in proportion.
    InvestProportionally,
    /// Attractive: differentiate, once must-be needs are met.
    Differentiate,
    /// Indifferent: a place to save.
    Save,
    /// Reverse: reconsider offering it.
    Reconsider,
    /// Questionable: check the question.
    CheckQuestion,
}

impl Guidance {
    /// The guidance for a class.
    pub fn for_class(class: Class) -> Guidance {
        match class {
            Class::M => Guidance::Invest,
            Class::O => Guidance::InvestProportionally,
            Class::A => Guidance::Differentiate,
            Class::I => Guidance::Save,
            Class::R => Guidance::Reconsider,
            Class::Q => Guidance::CheckQuestion,
        }
    }

    /// The stable machine word used in JSON (`invest`, `invest-proportionally`, ...).
    pub fn word(self) -> &'static str {
        match self {
            Guidance::Invest => "invest",
            Guidance::InvestProportionally => "invest-proportionally",
            Guidance::Differentiate => "differentiate",
            Guidance::Save => "save",
            Guidance::Reconsider => "reconsider",
            Guidance::CheckQuestion => "check-question",
        }
    }

    /// The guidance as a sentence in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            Guidance::Invest => tr(
                lang,
                "invest first: customers take this for granted, and falling short drives them away",
                "优先投入：顾客视之为理所当然，做不到就会流失顾客",
            ),
            Guidance::InvestProportionally => tr(
                lang,
                "invest in proportion: each improvement raises satisfaction, each lapse lowers it",
                "按比例投入：做得越好顾客越满意，做得越差越不满",
            ),
            Guidance::Differentiate => tr(
                lang,
                "differentiate: this delights customers, but only once the must-be needs are met",
                "差异化：能给顾客惊喜，但要先满足必备需求",
            ),
            Guidance::Save => tr(
                lang,
                "save: customers do not care either way; spend the resources elsewhere",
                "节省：顾客并不在意，资源可投向别处",
            ),
            Guidance::Reconsider => tr(
                lang,
                "reconsider: some customers would rather not have this",
                "重新考虑：部分顾客并不希望有这一项",
            ),
            Guidance::CheckQuestion => tr(
                lang,
                "check the question: the answers contradict each other",
                "检查题目：回答自相矛盾，请检查问卷设计",
            ),
        }
    }
}

/// The analysis of one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureResult {
    /// The feature: id, text, related audit item.
    pub feature: Feature,
    /// The class counts.
    pub counts: Counts,
    /// The category; `None` when no pair was answered.
    pub category: Option<Category>,
}

impl FeatureResult {
    /// Analyses one feature's counts.
    pub fn new(feature: Feature, counts: Counts, resolve_ties: bool) -> Self {
        let category = counts.category(resolve_ties);
        FeatureResult {
            feature,
            counts,
            category,
        }
    }

    /// The guidance; `None` when no pair was answered.
    pub fn guidance(&self) -> Option<Guidance> {
        self.category.as_ref().map(Category::guidance)
    }
}

/// The result of a Kano analysis: features in questionnaire (CSV column) order.
#[derive(Debug, Clone, PartialEq)]
pub struct KanoReport {
    /// The title from the definition, if any.
    pub title: Option<Text>,
    /// Respondent rows read.
    pub respondents: u64,
    /// One result per feature.
    pub features: Vec<FeatureResult>,
}

impl KanoReport {
    /// The result for the feature `id`.
    pub fn feature(&self, id: &str) -> Option<&FeatureResult> {
        self.features.iter().find(|f| f.feature.id == id)
    }

    /// The category of the feature related to audit item `item`, if any feature names it.
    pub fn category_of_item(&self, item: &str) -> Option<&Category> {
        self.features
            .iter()
            .find(|f| f.feature.item.as_deref() == Some(item))
            .and_then(|f| f.category.as_ref())
    }
}

/// The audit items whose related Kano feature is must-be (M first, ties included), for
/// the checklist's must-be raise.
pub fn must_be_items(kano: &KanoReport, audit: &crate::definition::Audit) -> BTreeSet<String> {
    audit
        .items
        .iter()
        .filter(|it| {
            kano.category_of_item(&it.id)
                .is_some_and(|c| c.primary() == Class::M)
        })
        .map(|it| it.id.clone())
        .collect()
}

/// Combines the counted responses with the feature definitions.
///
/// Features keep CSV column order; a feature the CSV has but the definitions do not gets
/// its id as text. A defined feature that the CSV does not have is a problem (a typo in
/// an id would otherwise go unnoticed).
pub fn analyse(
    tally: Tally,
    definitions: &[Feature],
    title: Option<Text>,
    resolve_ties: bool,
    definitions_file: Option<&std::path::Path>,
) -> Result<KanoReport, Problems> {
    let mut problems = Vec::new();
    // By id, so thousands of features cost no more than their number.
    let counted: std::collections::HashSet<&str> =
        tally.features.iter().map(|(id, _)| id.as_str()).collect();
    let defined: std::collections::HashMap<&str, &Feature> =
        definitions.iter().map(|d| (d.id.as_str(), d)).collect();
    for (index, def) in definitions.iter().enumerate() {
        if !counted.contains(def.id.as_str()) {
            let mut p = Problem::new("feature has no F_/D_ columns in the responses")
                .field(format!("features[{index}].id"))
                .found(def.id.clone())
                .expected("a feature id that appears in the CSV as F_<id> and D_<id>");
            if let Some(file) = definitions_file {
                p = p.file(file);
            }
            problems.push(p);
        }
    }
    Problems::check(problems)?;
    let features = tally
        .features
        .into_iter()
        .map(|(id, counts)| {
            let feature = defined
                .get(id.as_str())
                .map(|&d| d.clone())
                .unwrap_or_else(|| Feature::bare(&id));
            FeatureResult::new(feature, counts, resolve_ties)
        })
        .collect();
    Ok(KanoReport {
        title,
        respondents: tally.rows,
        features,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(a: u64, o: u64, m: u64, i: u64, r: u64, q: u64) -> Counts {
        Counts { a, o, m, i, r, q }
    }

    #[test]
    fn whole_evaluation_table() {
        use Answer::*;
        use Class::*;
        let expected = [
            (Like, [Q, A, A, A, O]),
            (MustBe, [R, I, I, I, M]),
            (Neutral, [R, I, I, I, M]),
            (LiveWith, [R, I, I, I, M]),
            (Dislike, [R, R, R, R, Q]),
        ];
        for (functional, row) in expected {
            for (dysfunctional, class) in Answer::ALL.into_iter().zip(row) {
                assert_eq!(
                    evaluate(functional, dysfunctional),
                    class,
                    "{functional:?} / {dysfunctional:?}"
                );
            }
        }
    }

    #[test]
    fn answer_codes_round_trip() {
        for answer in Answer::ALL {
            assert_eq!(Answer::from_code(answer.code()), Some(answer));
        }
        assert_eq!(Answer::from_code(0), None);
        assert_eq!(Answer::from_code(6), None);
    }

    #[test]
    fn published_example_better_worse() {
        // 95 M, 123 O, 45 A, 33 I: N = 296.
        let c = counts(45, 123, 95, 33, 0, 0);
        assert_eq!(c.n(), 296);
        let better = c.better().unwrap_or(f64::NAN);
        let worse = c.worse().unwrap_or(f64::NAN);
        assert!((better - 168.0 / 296.0).abs() < 1e-12);
        assert!((better - 0.567_567_567_567_567_6).abs() < 1e-12);
        assert!((worse + 218.0 / 296.0).abs() < 1e-12);
        assert!((worse + 0.736_486_486_486_486_5).abs() < 1e-12);
        assert!((c.total_strength().unwrap_or(f64::NAN) - 263.0 / 296.0).abs() < 1e-12);
        let category = c.category(false);
        assert_eq!(category.as_ref().map(|c| c.to_string()), Some("O".into()));
        assert_eq!(
            category.map(|c| c.guidance()),
            Some(Guidance::InvestProportionally)
        );
    }

    #[test]
    fn total_strength_counts_r_and_q_in_n() {
        let c = counts(1, 2, 3, 2, 1, 1);
        assert_eq!(c.n(), 10);
        assert_eq!(c.total_strength(), Some(0.6));
        // R and Q are not in the Better/Worse denominator.
        assert_eq!(c.better(), Some(3.0 / 8.0));
        assert_eq!(c.worse(), Some(-5.0 / 8.0));
    }

    #[test]
    fn zero_denominators_are_none() {
        let empty = Counts::default();
        assert_eq!(empty.n(), 0);
        assert_eq!(empty.total_strength(), None);
        assert_eq!(empty.better(), None);
        assert_eq!(empty.worse(), None);
        assert_eq!(empty.category(false), None);
        assert_eq!(empty.category(true), None);

        // Only reverse and questionable answers: N > 0 but A+O+M+I = 0.
        let rq = counts(0, 0, 0, 0, 2, 1);
        assert_eq!(rq.total_strength(), Some(0.0));
        assert_eq!(rq.better(), None);
        assert_eq!(rq.worse(), None);
        assert_eq!(rq.category(false).map(|c| c.to_string()), Some("R".into()));
    }

    #[test]
    fn worse_is_never_negative_zero() {
        let c = counts(3, 0, 0, 1, 0, 0);
        let worse = c.worse().unwrap_or(f64::NAN);
        assert_eq!(worse, 0.0);
        assert!(worse.is_sign_positive());
    }

    #[test]
    fn ties_are_reported_in_tie_order() {
        let c = counts(5, 7, 7, 2, 0, 0);
        let category = c.category(false).unwrap_or(Category(vec![]));
        assert_eq!(category.to_string(), "M/O");
        assert!(category.is_tie());
        assert_eq!(category.classes(), &[Class::M, Class::O]);
        // A tie takes the guidance of its first class.
        assert_eq!(category.guidance(), Guidance::Invest);

        let all = counts(1, 1, 1, 1, 1, 1);
        assert_eq!(
            all.category(false).map(|c| c.to_string()),
            Some("M/O/A/I/R/Q".into())
        );
        let ai = counts(4, 0, 0, 4, 1, 0);
        assert_eq!(
            ai.category(false).map(|c| c.to_string()),
            Some("A/I".into())
        );
        assert_eq!(
            ai.category(false).map(|c| c.guidance()),
            Some(Guidance::Differentiate)
        );
        let rq = counts(0, 0, 0, 0, 3, 3);
        assert_eq!(
            rq.category(false).map(|c| c.to_string()),
            Some("R/Q".into())
        );
    }

    #[test]
    fn ties_resolve_m_o_a_i_r_q() {
        let cases = [
            (counts(5, 7, 7, 2, 0, 0), "M"),
            (counts(7, 7, 1, 7, 0, 0), "O"),
            (counts(6, 0, 0, 6, 6, 6), "A"),
            (counts(0, 0, 0, 6, 6, 6), "I"),
            (counts(0, 0, 0, 0, 6, 6), "R"),
            (counts(0, 0, 0, 0, 0, 6), "Q"),
        ];
        for (c, expected) in cases {
            let category = c.category(true);
            assert_eq!(
                category.as_ref().map(|c| c.to_string()).as_deref(),
                Some(expected)
            );
            assert!(!category.is_some_and(|c| c.is_tie()));
        }
    }

    #[test]
    fn clear_winner_is_not_a_tie() {
        let c = counts(1, 2, 9, 3, 0, 1);
        let category = c.category(false);
        assert_eq!(category.as_ref().map(|c| c.to_string()), Some("M".into()));
        assert_eq!(category.map(|c| c.is_tie()), Some(false));
    }

    #[test]
    fn guidance_words_and_texts() {
        let expected = [
            (Class::M, "invest"),
            (Class::O, "invest-proportionally"),
            (Class::A, "differentiate"),
            (Class::I, "save"),
            (Class::R, "reconsider"),
            (Class::Q, "check-question"),
        ];
        for (class, word) in expected {
            let g = Guidance::for_class(class);
            assert_eq!(g.word(), word);
            assert!(!g.text(Lang::En).is_empty());
            assert_ne!(g.text(Lang::En), g.text(Lang::Zh));
        }
    }

    #[test]
    fn category_of_sorts_and_dedups() {
        let c = Category::of(&[Class::Q, Class::O, Class::M, Class::O]);
        assert_eq!(c.map(|c| c.to_string()), Some("M/O/Q".into()));
        assert_eq!(Category::of(&[]), None);
    }

    #[test]
    fn counting_pairs() {
        let mut c = Counts::default();
        c.add_pair(Answer::MustBe, Answer::Dislike);
        c.add_pair(Answer::Neutral, Answer::Dislike);
        c.add_pair(Answer::Like, Answer::Dislike);
        c.add_pair(Answer::Like, Answer::Like);
        assert_eq!(c, counts(0, 1, 2, 0, 0, 1));
    }

    #[test]
    fn analyse_keeps_csv_order_and_checks_definitions() {
        let tally = Tally {
            rows: 3,
            features: vec![
                ("b".into(), counts(0, 0, 3, 0, 0, 0)),
                ("a".into(), counts(3, 0, 0, 0, 0, 0)),
            ],
        };
        let mut a = Feature::bare("a");
        a.text = Text::new("Feature A", "功能A");
        a.item = Some("S2".into());
        let report = analyse(tally.clone(), &[a], None, false, None);
        let report = match report {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        let ids: Vec<_> = report
            .features
            .iter()
            .map(|f| f.feature.id.as_str())
            .collect();
        assert_eq!(ids, ["b", "a"]);
        assert_eq!(report.features[0].feature.text.en, "b");
        assert_eq!(report.features[1].feature.text.en, "Feature A");
        assert_eq!(
            report.category_of_item("S2").map(|c| c.to_string()),
            Some("A".into())
        );

        let missing = analyse(tally, &[Feature::bare("c")], None, false, None);
        assert!(matches!(missing, Err(Problems(list)) if list.len() == 1));
    }

    #[test]
    fn must_be_items_come_from_kano_categories() {
        let audit = crate::definition::load_str(
            std::path::Path::new("t.yaml"),
            "audit:\n  id: t\n  title: T\n  period: {start: 2026-07-01, end: 2026-09-30}\n\
             dimensions:\n  - {id: reliability, label: {en: Reliability}}\n\
             \x20 - {id: empathy, label: {en: Empathy}}\n\
             items:\n  - {id: R1, dimension: reliability, text: {en: r}}\n\
             \x20 - {id: E1, dimension: empathy, text: {en: e}}\n",
        )
        .unwrap();
        let feature = |id: &str, item: &str| Feature {
            id: id.into(),
            text: Text::default(),
            item: Some(item.into()),
        };
        let m = Counts {
            m: 5,
            o: 2,
            ..Counts::default()
        };
        let a = Counts {
            a: 5,
            m: 1,
            ..Counts::default()
        };
        let kano = KanoReport {
            title: None,
            respondents: 7,
            features: vec![
                FeatureResult::new(feature("queue", "R1"), m, false),
                FeatureResult::new(feature("coffee", "E1"), a, false),
            ],
        };
        let set = must_be_items(&kano, &audit);
        assert_eq!(set.into_iter().collect::<Vec<_>>(), vec!["R1".to_string()]);
    }
}
