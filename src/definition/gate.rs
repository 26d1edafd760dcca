//! The CI gate's rules (docs/gate.md): `thresholds.fail` in the audit and `--fail-on`,
//! parsed against the audit's dimensions and items. They are checked on the finished
//! report by `report::gate`.
//!
//! Grammar: `[site.]<metric> <op> <number>`, op one of `<` `<=` `>` `>=` `==` `!=`. A
//! rule that *holds* is a breach (it describes the failure, as in `--fail-on`). With the
//! prefix `site.` the metric is checked at every site.

use crate::definition::{canonical_dimension_id, Audit};
use crate::problem::{Problem, Problems};
use crate::yaml::nearest;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl Op {
    /// Whether `lhs op rhs` holds.
    pub fn holds(self, lhs: f64, rhs: f64) -> bool {
        match self {
            Op::Lt => lhs < rhs,
            Op::Le => lhs <= rhs,
            Op::Gt => lhs > rhs,
            Op::Ge => lhs >= rhs,
            Op::Eq => lhs == rhs,
            Op::Ne => lhs != rhs,
        }
    }
}

/// What a rule measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    /// `unweighted`: the unweighted SERVQUAL score.
    Unweighted,
    /// `weighted`: the weighted SERVQUAL score.
    Weighted,
    /// `servperf.unweighted`: the unweighted SERVPERF score (perception-only audits).
    ServperfUnweighted,
    /// `servperf.weighted`: the weighted SERVPERF score.
    ServperfWeighted,
    /// `gapN.<dimension>`.
    Dimension {
        /// Gap 1..=5.
        gap: u8,
        /// Dimension id.
        id: String,
    },
    /// `gapN.item.<item>`.
    Item {
        /// Gap 1..=5.
        gap: u8,
        /// Item id.
        id: String,
    },
    /// `critical_failures`: shopper visits with a failed critical question.
    CriticalFailures,
    /// `shoppers.mean_score`: mean visit score in percent (0..100).
    ShopperScore,
    /// `checklist.critical`: checklist entries of severity `critical`.
    ChecklistCritical,
    /// `checklist.total`: all checklist entries.
    ChecklistTotal,
}

/// One parsed rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The rule as written (for messages).
    pub text: String,
    /// The metric.
    pub metric: Metric,
    /// The comparison.
    pub op: Op,
    /// The number compared with.
    pub value: f64,
    /// `site.`: checked at every site rather than for the whole audit.
    pub per_site: bool,
}

/// Why a rule was rejected: a message and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    /// What is wrong.
    pub message: String,
    /// What would be valid.
    pub expected: String,
}

const OPS: &str = "one of < <= > >= == !=";

/// The metrics valid for `audit`, described for error messages and help.
pub fn valid_metrics(audit: &Audit) -> String {
    let dims: Vec<&str> = audit.dimensions.iter().map(|d| d.id.as_str()).collect();
    let items: Vec<&str> = audit.items.iter().map(|i| i.id.as_str()).collect();
    format!(
        "unweighted, weighted, servperf.unweighted, servperf.weighted, gap1..gap5.<dimension> ({}), gap1..gap5.item.<item> ({}), \
critical_failures, shoppers.mean_score, checklist.critical, checklist.total; \
site.<metric> for each site",
        dims.join(", "),
        items.join(", ")
    )
}

/// Parses `text` as a rule over the dimensions and items of `audit`.
pub fn parse(text: &str, audit: &Audit) -> Result<Rule, RuleError> {
    let syntax = || RuleError {
        message: "not a threshold rule".into(),
        expected: format!("`<metric> <op> <number>`, op {OPS}, e.g. `weighted < -1.0`"),
    };
    let start = text.find(['<', '>', '=', '!']).ok_or_else(syntax)?;
    let (metric, rest) = text.split_at(start);
    let (op, number) = [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<", Op::Lt),
        (">", Op::Gt),
    ]
    .iter()
    .find_map(|(s, op)| rest.strip_prefix(s).map(|n| (*op, n)))
    .ok_or_else(|| RuleError {
        message: "unknown comparison".into(),
        expected: OPS.into(),
    })?;
    let number = number.trim();
    let value: f64 = number
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| RuleError {
            message: if number.is_empty() {
                "no number after the comparison".into()
            } else {
                format!("`{number}` is not a number")
            },
            expected: "a number after the comparison, e.g. -0.8 or 0".into(),
        })?;
    let metric = metric.trim();
    if metric.is_empty() {
        return Err(syntax());
    }
    let (per_site, metric) = match metric.strip_prefix("site.") {
        Some(rest) => (true, rest.trim()),
        None => (false, metric),
    };
    let metric = resolve_metric(metric, audit)?;
    if per_site && matches!(metric, Metric::ChecklistCritical | Metric::ChecklistTotal) {
        return Err(RuleError {
            message: "the checklist has no per-site value".into(),
            expected: "site. with unweighted, weighted, gapN.<dimension>, gapN.item.<item>, \
critical_failures or shoppers.mean_score"
                .into(),
        });
    }
    Ok(Rule {
        text: text.trim().to_string(),
        metric,
        op,
        value,
        per_site,
    })
}

fn resolve_metric(name: &str, audit: &Audit) -> Result<Metric, RuleError> {
    let unknown = |hint: Option<String>| RuleError {
        message: match hint {
            Some(h) => format!("unknown metric `{name}` (did you mean `{h}`?)"),
            None => format!("unknown metric `{name}`"),
        },
        expected: valid_metrics(audit),
    };
    match name {
        "unweighted" => return Ok(Metric::Unweighted),
        "weighted" => return Ok(Metric::Weighted),
        "servperf.unweighted" => return Ok(Metric::ServperfUnweighted),
        "servperf.weighted" => return Ok(Metric::ServperfWeighted),
        "critical_failures" => return Ok(Metric::CriticalFailures),
        "shoppers.mean_score" => return Ok(Metric::ShopperScore),
        "checklist.critical" => return Ok(Metric::ChecklistCritical),
        "checklist.total" => return Ok(Metric::ChecklistTotal),
        _ => {}
    }
    let gap = name
        .strip_prefix("gap")
        .and_then(|rest| rest.split_once('.'))
        .and_then(|(n, rest)| Some((n.parse::<u8>().ok().filter(|n| (1..=5).contains(n))?, rest)));
    let Some((gap, rest)) = gap else {
        let fixed = [
            "unweighted",
            "weighted",
            "servperf.unweighted",
            "servperf.weighted",
            "critical_failures",
            "shoppers.mean_score",
            "checklist.critical",
            "checklist.total",
        ];
        return Err(unknown(nearest(name, fixed.into_iter())));
    };
    if let Some(item) = rest.strip_prefix("item.") {
        return match audit.item_index(item) {
            Some(_) => Ok(Metric::Item {
                gap,
                id: item.to_string(),
            }),
            None => Err(unknown(
                nearest(item, audit.items.iter().map(|i| i.id.as_str()))
                    .map(|h| format!("gap{gap}.item.{h}")),
            )),
        };
    }
    match audit.dimension_index(rest) {
        Some(_) => Ok(Metric::Dimension {
            gap,
            id: canonical_dimension_id(rest).to_string(),
        }),
        None => Err(unknown(
            nearest(rest, audit.dimensions.iter().map(|d| d.id.as_str()))
                .map(|h| format!("gap{gap}.{h}")),
        )),
    }
}

/// The gate rules of the audit and the command line, every bad one listed.
pub fn rules(audit: &Audit, fail_on: &[String]) -> Result<Vec<Rule>, Problems> {
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    let from_yaml = audit
        .thresholds
        .fail
        .iter()
        .enumerate()
        .map(|(i, t)| (t, Some(i)));
    let from_cli = fail_on.iter().map(|t| (t, None));
    for (text, index) in from_yaml.chain(from_cli) {
        match parse(text, audit) {
            Ok(rule) => rules.push(rule),
            Err(e) => {
                let p = Problem::new(e.message)
                    .found(text.clone())
                    .expected(e.expected);
                problems.push(match index {
                    Some(i) => p.file(&audit.path).field(format!("thresholds.fail[{i}]")),
                    None => p.field("--fail-on"),
                });
            }
        }
    }
    Problems::check(problems)?;
    Ok(rules)
}

/// The audit the gate's tests parse rules against: the 22-item instrument, one survey.
#[cfg(test)]
pub(crate) fn test_audit() -> Audit {
    let yaml = "audit: {id: a, title: A, period: {start: 2026-01-01, end: 2026-01-31}}\n\
scale: {min: 1, max: 7}\ninstrument: servqual-22\n\
sources: {customers: {file: c.csv}}\n";
    match crate::definition::load_str(std::path::Path::new("a.yaml"), yaml) {
        Ok(a) => a,
        Err(p) => panic!("{p}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit() -> Audit {
        test_audit()
    }

    #[test]
    fn parses_every_operator_with_or_without_spaces() {
        let a = audit();
        let cases = [
            ("weighted < -1.0", Op::Lt, -1.0),
            ("weighted<=-1", Op::Le, -1.0),
            ("weighted >0", Op::Gt, 0.0),
            ("weighted >= 2.5", Op::Ge, 2.5),
            ("weighted == 0", Op::Eq, 0.0),
            ("weighted != 0", Op::Ne, 0.0),
        ];
        for (text, op, value) in cases {
            let rule = parse(text, &a).unwrap();
            assert_eq!(
                (rule.metric, rule.op, rule.value),
                (Metric::Weighted, op, value)
            );
        }
        assert_eq!(
            parse("gap5.assurance < 0", &a).unwrap().metric,
            Metric::Dimension {
                gap: 5,
                id: "professionalism".into()
            }
        );
        assert_eq!(
            parse("gap3.item.R3 < 0", &a).unwrap().metric,
            Metric::Item {
                gap: 3,
                id: "R3".into()
            }
        );
    }

    #[test]
    fn rejects_bad_rules_with_what_is_valid() {
        let a = audit();
        let e = parse("weigthed < 1", &a).unwrap_err();
        assert!(e.message.contains("did you mean `weighted`"), "{e:?}");
        assert!(e.expected.contains("gap1..gap5.<dimension>"));
        assert!(parse("gap6.reliability < 0", &a).is_err());
        let e = parse("gap5.reliabilty < 0", &a).unwrap_err();
        assert!(e.message.contains("gap5.reliability"), "{e:?}");
        assert!(parse("gap5.item.X9 < 0", &a).is_err());
        assert!(parse("weighted = 1", &a).is_err());
        assert!(parse("weighted < abc", &a).is_err());
        assert!(parse("weighted < NaN", &a).is_err());
        assert!(parse("< 1", &a).is_err());
        assert!(parse("weighted", &a).is_err());
        let e = parse("weighted <", &a).unwrap_err();
        assert_eq!(e.message, "no number after the comparison");
    }

    #[test]
    fn servperf_scores_parse_and_are_suggested() {
        let a = audit();
        let rule = parse("servperf.weighted<4.5", &a).unwrap();
        assert_eq!(rule.metric, Metric::ServperfWeighted);
        assert_eq!(
            parse("servperf.unweighted >= 5", &a).unwrap().metric,
            Metric::ServperfUnweighted
        );
        let err = parse("servperf.unweigted < 5", &a).unwrap_err();
        assert!(
            err.message.contains("did you mean `servperf.unweighted`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn the_checklist_has_no_site_rules() {
        let err = parse("site.checklist.total > 0", &audit()).unwrap_err();
        assert!(err.message.contains("no per-site value"), "{err:?}");
        let err = parse("site.nonsense < 1", &audit()).unwrap_err();
        assert!(err.message.contains("unknown metric `nonsense`"), "{err:?}");
    }
}
