//! The gate checked on the finished report (docs/gate.md): each rule's metric is read
//! from the report's JSON form, whose field names are the contract, so sections other
//! modules own (shoppers, checklist) are gated without this module knowing their types.
//! A rule on a value that was not measured is `unmeasured`, which fails the gate unless
//! the caller allows it; a `site.` rule fails when any site breaches it.

use serde_json::Value;

use crate::definition::gate::{Metric, Op, Rule};

/// What a rule's check came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Measured, and the rule does not hold.
    Pass,
    /// Measured, and the rule holds (at one site at least, for a site rule).
    Fail,
    /// The metric was not measured (at any site, for a site rule).
    Unmeasured,
}

/// A rule checked against a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The rule.
    pub rule: Rule,
    /// The metric's value; `None` when not measured. For a site rule, the value at
    /// the site that is furthest on the rule's side (the lowest for `<`).
    pub value: Option<f64>,
    /// Whether the rule holds, i.e. the gate fails.
    pub breached: bool,
    /// Pass, fail or unmeasured.
    pub status: Status,
    /// For a site rule: the sites that breach it, with their values, by name.
    pub sites: Vec<(String, f64)>,
}

/// The value of `metric` in a report's JSON form; `None` when not measured.
pub fn value(metric: &Metric, report: &Value) -> Option<f64> {
    let gap_of = |list: &str, id: &str, gap: u8| {
        report[list]
            .as_array()?
            .iter()
            .find(|row| row["id"] == id)?["gaps"][gap.to_string()]
        .as_f64()
    };
    let count = |pred: &dyn Fn(&Value) -> bool| {
        report["checklist"]
            .as_array()
            .map(|list| list.iter().filter(|e| pred(e)).count() as f64)
    };
    match metric {
        Metric::Unweighted => report["servqual"]["unweighted"].as_f64(),
        Metric::Weighted => report["servqual"]["weighted"].as_f64(),
        Metric::ServperfUnweighted => report["servperf"]["unweighted"].as_f64(),
        Metric::ServperfWeighted => report["servperf"]["weighted"].as_f64(),
        Metric::Dimension { gap, id } => gap_of("dimensions", id, *gap),
        Metric::Item { gap, id } => gap_of("items", id, *gap),
        Metric::CriticalFailures => report["shoppers"]["critical_failures"].as_f64(),
        Metric::ShopperScore => report["shoppers"]["mean_score"].as_f64(),
        Metric::ChecklistCritical => count(&|e| e["severity"] == "critical"),
        Metric::ChecklistTotal => count(&|_| true),
    }
}

/// Checks every rule against `report` (its JSON form).
///
/// A metric that was not measured cannot breach: the outcome has `value: None`,
/// `breached: false` and the status `unmeasured`, which the caller fails or warns about.
pub fn evaluate(rules: &[Rule], report: &Value) -> Vec<Outcome> {
    let sites = if rules.iter().any(|r| r.per_site) {
        site_views(report)
    } else {
        Vec::new()
    };
    rules
        .iter()
        .map(|rule| match rule.per_site {
            false => {
                let value = value(&rule.metric, report);
                let breached = value.is_some_and(|v| rule.op.holds(v, rule.value));
                let status = match (value, breached) {
                    (None, _) => Status::Unmeasured,
                    (Some(_), true) => Status::Fail,
                    (Some(_), false) => Status::Pass,
                };
                Outcome {
                    rule: rule.clone(),
                    value,
                    breached,
                    status,
                    sites: Vec::new(),
                }
            }
            true => evaluate_per_site(rule, &sites),
        })
        .collect()
}

/// A site rule: the metric at every site where it was measured.
fn evaluate_per_site(rule: &Rule, sites: &[(String, Value)]) -> Outcome {
    let measured: Vec<(&str, f64)> = sites
        .iter()
        .filter_map(|(name, view)| Some((name.as_str(), value(&rule.metric, view)?)))
        .collect();
    let failing: Vec<(String, f64)> = measured
        .iter()
        .filter(|(_, v)| rule.op.holds(*v, rule.value))
        .map(|(n, v)| (n.to_string(), *v))
        .collect();
    // The value shown is the one furthest on the rule's side: how far the worst site is.
    let toward_low = matches!(rule.op, Op::Lt | Op::Le);
    let value = measured
        .iter()
        .map(|(_, v)| *v)
        .reduce(|a, b| match toward_low {
            true => a.min(b),
            false => a.max(b),
        });
    let status = if !failing.is_empty() {
        Status::Fail
    } else if measured.is_empty() {
        Status::Unmeasured
    } else {
        Status::Pass
    };
    Outcome {
        rule: rule.clone(),
        value,
        breached: !failing.is_empty(),
        status,
        sites: failing,
    }
}

/// Every site of the report as a report-shaped JSON value, so the audit's metrics read
/// the same fields per site: its customer results where the report has segments by site
/// (`--by site`), its shopper results where it was visited. Sorted by site name.
fn site_views(report: &Value) -> Vec<(String, Value)> {
    let mut views: std::collections::BTreeMap<String, serde_json::Map<String, Value>> =
        std::collections::BTreeMap::new();
    if report["segments"]["by"] == "site" {
        for segment in report["segments"]["segments"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(name) = segment["name"].as_str() {
                let view = views.entry(name.to_string()).or_default();
                for key in ["servqual", "servperf", "dimensions", "items"] {
                    view.insert(key.to_string(), segment[key].clone());
                }
            }
        }
    }
    for site in report["shoppers"]["by_site"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(name) = site["site"].as_str() {
            let view = views.entry(name.to_string()).or_default();
            let shoppers = serde_json::json!({
                "mean_score": site["mean_score"],
                "critical_failures": site["critical_failures"],
            });
            view.insert("shoppers".to_string(), shoppers);
        }
    }
    views
        .into_iter()
        .map(|(name, view)| (name, Value::Object(view)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::gate::parse;
    use crate::definition::Audit;
    use serde_json::json;

    fn audit() -> Audit {
        crate::definition::gate::test_audit()
    }

    fn report() -> Value {
        json!({
            "servqual": {"unweighted": -0.9, "weighted": null},
            "dimensions": [{"id": "responsiveness", "gaps": {"3": -0.4, "5": -1.2}}],
            "items": [{"id": "R3", "gaps": {"5": -0.75}}],
            "shoppers": null,
            "checklist": [{"severity": "critical"}, {"severity": "major"}, {"severity": "critical"}],
        })
    }

    #[test]
    fn evaluates_against_the_report_json() {
        let a = audit();
        let rules: Vec<Rule> = [
            "unweighted < -0.8",           // -0.9 < -0.8 holds: breach
            "unweighted < -1",             // -0.9 < -1 does not hold
            "weighted < -1",               // null: not measured, no breach
            "gap5.responsiveness <= -1.2", // -1.2 <= -1.2 holds
            "gap3.responsiveness < -0.5",  // -0.4 < -0.5 does not hold
            "gap5.item.R3 > -0.8",         // -0.75 > -0.8 holds
            "gap5.item.R4 < 0",            // no such row: not measured
            "critical_failures > 0",       // shoppers null: not measured
            "checklist.critical >= 2",     // 2 critical entries
            "checklist.total != 3",        // 3 entries: does not hold
        ]
        .iter()
        .map(|t| parse(t, &a).unwrap())
        .collect();
        let out = evaluate(&rules, &report());
        let got: Vec<(Option<f64>, bool)> = out.iter().map(|o| (o.value, o.breached)).collect();
        assert_eq!(
            got,
            vec![
                (Some(-0.9), true),
                (Some(-0.9), false),
                (None, false),
                (Some(-1.2), true),
                (Some(-0.4), false),
                (Some(-0.75), true),
                (None, false),
                (None, false),
                (Some(2.0), true),
                (Some(3.0), false),
            ]
        );
    }

    #[test]
    fn statuses_say_pass_fail_or_unmeasured() {
        let a = audit();
        let rules: Vec<Rule> = ["unweighted < -0.8", "unweighted < -1", "weighted < -1"]
            .iter()
            .map(|t| parse(t, &a).unwrap())
            .collect();
        let status: Vec<Status> = evaluate(&rules, &report())
            .iter()
            .map(|o| o.status)
            .collect();
        assert_eq!(status, [Status::Fail, Status::Pass, Status::Unmeasured]);
    }

    fn sites_report() -> Value {
        json!({
            "servqual": {"unweighted": -0.9, "weighted": -1.0},
            "segments": {"by": "site", "segments": [
                {"name": "North", "servqual": {"unweighted": -1.5, "weighted": null},
                 "dimensions": [{"id": "reliability", "gaps": {"5": -1.4}}], "items": []},
                {"name": "South", "servqual": {"unweighted": -0.2, "weighted": null},
                 "dimensions": [{"id": "reliability", "gaps": {"5": -0.3}}], "items": []},
            ]},
            "shoppers": {"mean_score": 75.0, "critical_failures": 1, "by_site": [
                {"site": "North", "mean_score": 62.5, "critical_failures": 1},
                {"site": "East", "mean_score": 90.0, "critical_failures": 0},
                {"site": "South", "mean_score": 68.0, "critical_failures": 0},
            ]},
        })
    }

    #[test]
    fn site_rules_name_every_site_that_breaches_and_show_the_worst_value() {
        let a = audit();
        let check = |text: &str, report: &Value| {
            let rule = parse(text, &a).unwrap();
            assert!(rule.per_site);
            evaluate(&[rule], report).remove(0)
        };
        let out = check("site.shoppers.mean_score < 70", &sites_report());
        assert_eq!(out.status, Status::Fail);
        assert_eq!(
            out.sites,
            vec![("North".to_string(), 62.5), ("South".to_string(), 68.0)]
        );
        assert_eq!(out.value, Some(62.5));
        let out = check("site.gap5.reliability < -1.0", &sites_report());
        assert_eq!(out.sites, vec![("North".to_string(), -1.4)]);
        let out = check("site.critical_failures > 1", &sites_report());
        assert_eq!((out.status, out.value), (Status::Pass, Some(1.0)));
        // No site has a weighted score: the rule could not be checked anywhere.
        let out = check("site.weighted < 0", &sites_report());
        assert_eq!((out.status, out.value), (Status::Unmeasured, None));
        // Without segments by site, customer metrics are unmeasured per site.
        let mut no_segments = sites_report();
        no_segments["segments"] = Value::Null;
        let out = check("site.unweighted < -1", &no_segments);
        assert_eq!(out.status, Status::Unmeasured);
    }

    #[test]
    fn servperf_scores_are_metrics_and_gap5_of_a_servperf_audit_is_unmeasured() {
        let a = audit();
        let servperf = json!({
            "method": "servperf",
            "servqual": {"unweighted": null, "weighted": null},
            "servperf": {"unweighted": 4.975, "weighted": 4.82},
            "dimensions": [{"id": "responsiveness", "gaps": {"5": null}}],
            "items": [],
            "checklist": [],
        });
        let rules: Vec<Rule> = [
            "servperf.unweighted < 5",  // 4.975 < 5 holds
            "servperf.weighted >= 5",   // 4.82 >= 5 does not hold
            "gap5.responsiveness < -1", // gap 5 is not measured
            "unweighted < 0",           // nor is the SERVQUAL score
        ]
        .iter()
        .map(|t| parse(t, &a).unwrap())
        .collect();
        let statuses: Vec<(Status, Option<f64>)> = evaluate(&rules, &servperf)
            .iter()
            .map(|o| (o.status, o.value))
            .collect();
        assert_eq!(
            statuses,
            vec![
                (Status::Fail, Some(4.975)),
                (Status::Pass, Some(4.82)),
                (Status::Unmeasured, None),
                (Status::Unmeasured, None),
            ]
        );
        // A SERVQUAL report has no SERVPERF score: the rule is unmeasured there.
        let out = evaluate(&rules[..1], &report());
        assert_eq!(out[0].status, Status::Unmeasured);
    }
}
