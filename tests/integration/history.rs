//! The history (`--history N`): the N periods ending with the report's, from one read.
//!
//! The fixture `history/` holds January to March 2026 (3, 3 and 4 respondents) and one
//! row of December 2025; every number below is worked out by hand in the comments.

use std::path::Path;

use serde_json::Value;

use crate::support::{self, close, close_within, Test};

fn audit() -> String {
    support::fixture("history", "audit.yaml")
        .to_string_lossy()
        .into_owned()
}

fn json(args: &[&str]) -> Value {
    let audit = audit();
    let mut all = vec!["report", audit.as_str(), "--format", "json"];
    all.extend_from_slice(args);
    Test::new().args(all).run().success().json()
}

/// The dimension `id` of one period of the history.
fn dimension<'a>(period: &'a Value, id: &str) -> &'a Value {
    support::find(&period["dimensions"], "id", id)
}

#[test]
fn each_month_has_its_own_gaps_and_the_change_from_the_month_before() {
    let report = json(&["--history", "3"]);
    let history = report["history"].as_array().unwrap();
    let names: Vec<&str> = history
        .iter()
        .map(|p| p["period"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["2026-01", "2026-02", "2026-03"]);
    assert_eq!(
        history[1]["period"],
        serde_json::json!({"name": "2026-02", "start": "2026-02-01", "end": "2026-02-28"})
    );
    let respondents: Vec<u64> = history
        .iter()
        .map(|p| p["respondents"]["customers"].as_u64().unwrap())
        .collect();
    assert_eq!(respondents, [3, 3, 4]);
    // service (A1, A2), d = P - E per respondent:
    //   January  r1 -1 -2, r2 -2 0, r3 0 -3: items -1 and -5/3, gap -4/3; scores
    //            -1.5 -1 -1.5, sd² 1/12
    //   February r4 0 -1, r5 0 0, r6 -1 0: items -1/3 and -1/3, gap -1/3; sd² 1/12
    //   March    r7 0 0, r8 1 1, r9 -1 0, r10 1 0: items 1/4 and 1/4, gap 1/4;
    //            scores 0 1 -0.5 0.5, sd² 1.25/3
    // place (B1): January 0 -2 1 (-1/3, sd² 7/3), February 1 -1 0 (0, sd² 1),
    //             March 1 0 0 2 (3/4, sd² 2.75/3).
    let gaps = |id: &str| -> Vec<f64> {
        history
            .iter()
            .map(|p| dimension(p, id)["gaps"]["5"].as_f64().unwrap())
            .collect()
    };
    for (got, want) in gaps("service").iter().zip([-4.0 / 3.0, -1.0 / 3.0, 0.25]) {
        close(&Value::from(*got), want);
    }
    for (got, want) in gaps("place").iter().zip([-1.0 / 3.0, 0.0, 0.75]) {
        close(&Value::from(*got), want);
    }
    for p in history {
        assert_eq!(dimension(p, "service")["gaps"]["1"], Value::Null);
    }
    // SERVQUAL unweighted: the mean of the two dimension gaps; no weights.
    close(
        &history[0]["servqual"]["unweighted"],
        (-4.0 / 3.0 - 1.0 / 3.0) / 2.0,
    );
    assert_eq!(history[0]["servqual"]["weighted"], Value::Null);
    assert_eq!(history[0]["shoppers"], Value::Null);
    assert_eq!(history[0]["visits"], 0);
    // The first month has nothing before it.
    assert_eq!(dimension(&history[0], "service")["change"], Value::Null);
    // service, February against January: delta 1; s²/n = 1/36 on both sides, se² 1/18,
    // t = 1/sqrt(1/18) = 4.242641, df = (2/36)² / (2 · (1/36)² / 2) = 4, p = 0.013236.
    let change = &dimension(&history[1], "service")["change"];
    close(&change["delta"], 1.0);
    close_within(&change["t"], 4.242_640_687, 1e-8);
    close(&change["df"], 4.0);
    close_within(&change["p"], 0.013_235_6, 1e-7);
    assert_eq!(change["significant"], true);
    // service, March against February: delta 7/12; s²/n 0.104167 and 0.027778,
    // t = 1.605910, df = 4.349398, p = 0.177843.
    let change = &dimension(&history[2], "service")["change"];
    close(&change["delta"], 7.0 / 12.0);
    close_within(&change["t"], 1.605_910_137, 1e-8);
    close_within(&change["df"], 4.349_397_59, 1e-8);
    close_within(&change["p"], 0.177_843, 1e-6);
    assert_eq!(change["significant"], false);
    // place, February against January: s²/n 1/3 and 7/9, t = (1/3)/sqrt(10/9) = 0.316228,
    // df = (10/9)² / ((1/3)²/2 + (7/9)²/2) = 3.448276, p = 0.770026.
    let change = &dimension(&history[1], "place")["change"];
    close_within(&change["t"], 0.316_227_766, 1e-8);
    close_within(&change["df"], 3.448_275_862, 1e-8);
    close_within(&change["p"], 0.770_026, 1e-6);
}

/// The rows of `month` (`2026-01`) alone, as a file of their own.
fn month_alone(dir: &Path, month: &str) -> String {
    let text = support::read(&support::fixture("history", "customers.csv"));
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for line in lines.filter(|l| l.split(',').nth(2).unwrap().starts_with(month)) {
        out.push_str(line);
        out.push('\n');
    }
    let yaml = support::read(&support::fixture("history", "audit.yaml"));
    let fixed = yaml.replace(
        "  schedule: monthly",
        "  period: {start: 2026-01-01, end: 2026-12-31}",
    );
    support::write(&dir.join("audit.yaml"), fixed);
    support::write(&dir.join("customers.csv"), out);
    dir.join("audit.yaml").to_string_lossy().into_owned()
}

#[test]
fn each_months_gaps_equal_a_report_of_that_months_rows_alone() {
    let report = json(&["--history", "3"]);
    for (k, month) in ["2026-01", "2026-02", "2026-03"].iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let alone = month_alone(dir.path(), month);
        let alone = Test::new()
            .args(["report", &alone, "--format", "json"])
            .run()
            .success()
            .json();
        let period = &report["history"][k];
        assert_eq!(period["respondents"], alone["respondents"]);
        assert_eq!(
            period["servqual"]["unweighted"],
            alone["servqual"]["unweighted"]
        );
        for d in alone["dimensions"].as_array().unwrap() {
            let id = d["id"].as_str().unwrap();
            assert_eq!(dimension(period, id)["gaps"], d["gaps"], "{month} {id}");
            assert_eq!(dimension(period, id)["n"], d["n"], "{month} {id}");
        }
    }
}

#[test]
fn the_reported_period_is_the_same_with_or_without_the_history() {
    for extra in [&[][..], &["--by", "site"][..]] {
        let plain = json(extra);
        let mut with = json(&[extra, &["--history", "3"]].concat());
        assert!(with["history"].is_array());
        assert_eq!(plain["history"], Value::Null);
        with.as_object_mut()
            .unwrap()
            .insert("history".into(), Value::Null);
        let (plain, with) = (
            serde_json::to_string_pretty(&plain).unwrap(),
            serde_json::to_string_pretty(&with).unwrap(),
        );
        assert_eq!(plain, with, "{extra:?}");
    }
    // The December row is outside the span; the earlier months count as outside the
    // reported period, as they do without --history.
    let report = json(&["--history", "3"]);
    assert_eq!(
        report["sources"]["customers"],
        serde_json::json!({"rows": 11, "in_period": 4, "outside_period": 7, "blank": 0, "duplicate": 0})
    );
}

#[test]
fn chunked_reading_gives_the_history_of_the_sequential_reader() {
    let audit = audit();
    let args = [
        "report",
        audit.as_str(),
        "--format",
        "json",
        "--history",
        "3",
    ];
    let sequential = Test::new().args(args).env("SERVQUAL_THREADS", "0").run();
    sequential.success();
    for chunk in ["64", "200"] {
        Test::new()
            .args(args)
            .env("SERVQUAL_THREADS", "2")
            .env("SERVQUAL_CHUNK_BYTES", chunk)
            .run()
            .stdout_is(sequential.stdout());
    }
}

#[test]
fn the_change_of_two_months_is_the_trend_against_the_earlier_report() {
    let dir = tempfile::tempdir().unwrap();
    let audit = audit();
    let february = dir.path().join("february.json");
    Test::new()
        .args(["report", &audit, "--format", "json", "--period", "2026-02"])
        .args(["-o", february.to_str().unwrap()])
        .run()
        .success();
    let report = json(&["--history", "2", "--baseline", february.to_str().unwrap()]);
    for id in ["service", "place"] {
        let change = &dimension(&report["history"][1], id)["change"];
        let trend = support::find(&report["trend"]["dimensions"], "id", id);
        for key in ["delta", "t", "df", "p", "significant"] {
            assert_eq!(change[key], trend[key], "{id} {key}");
        }
    }
}

#[test]
fn a_history_of_one_is_the_reported_period_alone() {
    let report = json(&["--history", "1"]);
    let history = report["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["period"]["name"], "2026-03");
    assert_eq!(dimension(&history[0], "service")["change"], Value::Null);
    // Its gaps are the report's own.
    let own = support::find(&report["dimensions"], "id", "service");
    assert_eq!(dimension(&history[0], "service")["gaps"], own["gaps"]);
}

#[test]
fn the_table_and_markdown_show_a_trend_table_with_the_significant_change_marked() {
    let audit = audit();
    let table = Test::new()
        .args(["report", &audit, "--history", "3", "--width", "80"])
        .env_remove("COLUMNS")
        .run();
    table
        .success()
        .stdout_contains("History")
        .stdout_contains("│ 2026-02 ┆ 3 ┆")
        .stdout_contains("-0.33▲*")
        .stdout_contains("0.25▲ ")
        .stdout_contains("significant (Welch's t, p < 0.05)");
    assert!(table.stdout().lines().all(|l| l.chars().count() <= 80));
    Test::new()
        .args(["report", &audit, "--history", "3", "--format", "markdown"])
        .run()
        .success()
        .stdout_contains("## History")
        .stdout_contains("| Period | n | SERVQUAL score | Service | Place |")
        .stdout_contains("| 2026-02 | 3 | -0.17 | -0.33▲\\* | 0.00▲ |");
    // Without --history, no such section.
    Test::new()
        .args(["report", &audit])
        .run()
        .success()
        .stdout_lacks("oldest first");
}

#[test]
fn the_html_has_a_line_chart_per_dimension_and_csv_a_row_per_period() {
    let audit = audit();
    let html = Test::new()
        .args(["report", &audit, "--history", "3", "--format", "html"])
        .run();
    let page = html.success().stdout();
    let section = &page[page.find("<section id=\"history\">").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert_eq!(section.matches("<svg").count(), 2, "{section}");
    assert!(section.contains("aria-label=\"History · Service\""));
    assert!(section.contains("<polyline"));
    // The significant change of February is ringed.
    assert_eq!(section.matches("class=\"e-dot\"").count(), 1);
    let csv = Test::new()
        .args(["report", &audit, "--history", "3", "--format", "csv"])
        .run();
    csv.success()
        .stdout_contains("2026-01,history_servqual,unweighted,,unweighted,,-0.8333333333333334,3,")
        .stdout_contains("2026-02,history,service,service,Service,5,-0.3333333333333333,3,,,,,,-1.3333333333333335,1.0000000000000002,0.01323559956368");
}

#[test]
fn a_history_needs_a_schedule_and_a_sensible_length() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = month_alone(dir.path(), "2026-0");
    Test::new()
        .args(["report", &fixed, "--history", "3"])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("audit.period: --history 3 needs a schedule to step back period by period")
        .stderr_contains("expected audit.schedule")
        .nothing_written();
    // A month named on the command line gives the calendar's months to step back in.
    let named = Test::new()
        .args([
            "report",
            &fixed,
            "--format",
            "json",
            "--period",
            "2026-03",
            "--history",
            "2",
        ])
        .run();
    assert_eq!(
        named.success().json()["history"][0]["period"]["name"],
        "2026-02"
    );
    let audit = audit();
    Test::new()
        .args(["report", &audit, "--period", "2026-01-01..2026-02-15", "--history", "2"])
        .run()
        .status(2)
        .stderr_contains("--period: --history 2 needs a period of a schedule: a START..END range has no period before it");
    // The checklist alone has no place for a history: refused, not left out.
    Test::new()
        .args(["report", &audit, "--history", "2", "--checklist-only"])
        .run()
        .status(2)
        .stderr_contains("cannot be used with");
    for bad in ["0", "121", "twelve"] {
        Test::new()
            .args(["report", &audit, "--history", bad])
            .run()
            .status(2)
            .stderr_contains("--history");
    }
}

#[test]
fn visits_are_split_by_period_too() {
    let audit = support::fixture("shoppers", "audit.yaml");
    let audit = audit.to_str().unwrap();
    let run = |period: &str, extra: &[&str]| {
        Test::new()
            .args(["report", audit, "--format", "json", "--period", period])
            .args(extra)
            .run()
            .success()
            .json()
    };
    let report = run("2026-03", &["--history", "3"]);
    let history = report["history"].as_array().unwrap();
    let visits: u64 = history.iter().map(|p| p["visits"].as_u64().unwrap()).sum();
    assert_eq!(visits, 5);
    for (k, month) in ["2026-01", "2026-02", "2026-03"].iter().enumerate() {
        let alone = run(month, &[]);
        assert_eq!(history[k]["visits"], alone["shoppers"]["visits"], "{month}");
        assert_eq!(
            history[k]["shoppers"],
            serde_json::json!({
                "mean_score": alone["shoppers"]["mean_score"],
                "critical_failures": alone["shoppers"]["critical_failures"],
            }),
            "{month}"
        );
    }
}

#[test]
fn status_shows_each_periods_rows_and_latest_date() {
    let audit = audit();
    let status = Test::new()
        .args(["status", &audit, "--format", "json", "--history", "4"])
        .run()
        .success()
        .json();
    let history = status["history"].as_array().unwrap();
    let got: Vec<(&str, u64, &str)> = history
        .iter()
        .map(|p| {
            let c = &p["sources"]["customers"];
            (
                p["period"]["name"].as_str().unwrap(),
                c["rows"].as_u64().unwrap(),
                c["latest"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("2025-12", 1, "2025-12-31"),
            ("2026-01", 3, "2026-01-31"),
            ("2026-02", 3, "2026-02-28"),
            ("2026-03", 4, "2026-03-31"),
        ]
    );
    Test::new()
        .args(["status", &audit, "--history", "2"])
        .run()
        .success()
        .stdout_contains("History")
        .stdout_contains("│ 2026-02 ┆ 3 · 2026-02-28 │")
        .stdout_contains("the rows of the period · the latest date in it");
    let plain = Test::new()
        .args(["status", &audit, "--format", "json"])
        .run()
        .success()
        .json();
    assert_eq!(plain["history"], Value::Null);
}

/// A `site.` rule on a customer gap, without `--by site`, is checked on the reported
/// month's rows alone, with or without the history. March, service (A1, A2):
/// North r7 (0 + 0)/2 = 0 and r9 (-1 + 0)/2 = -0.5, so -0.25; South r8 (1 + 1)/2 = 1 and
/// r10 (1 + 0)/2 = 0.5, so 0.75. With January and February too, North would be
/// (0 - 0.5 - 1.5 - 1.5 + 0)/5 = -0.7 and break `< -0.5`.
#[test]
fn a_site_rule_sees_the_reported_period_alone_with_a_history() {
    let audit = audit();
    for history in [None, Some("3")] {
        let mut args = vec![
            "report",
            audit.as_str(),
            "--format",
            "json",
            "--period",
            "2026-03",
            "--fail-on",
            "site.gap5.service < -0.5",
            "--fail-on",
            "site.gap5.service < -0.2",
        ];
        if let Some(n) = history {
            args.extend(["--history", n]);
        }
        let run = Test::new().args(args).run();
        let json = run.status(1).json();
        let rules = json["gate"]["rules"].as_array().expect("rules");
        assert_eq!(rules[0]["status"], "pass", "{history:?}: {}", rules[0]);
        assert_eq!(rules[1]["status"], "fail", "{history:?}: {}", rules[1]);
        assert_eq!(rules[1]["sites"], serde_json::json!(["North"]));
        close(&rules[1]["value"], -0.25);
    }
}

#[test]
fn validate_checks_the_rows_a_history_reads() {
    // A bad answer in a January row: March alone never reads it, a history of three
    // months does, and validate says so before the report would.
    let dir = support::fixture_copy("history");
    let csv = dir.path().join("customers.csv");
    let text = support::read(&csv).replace("r1,North,2026-01-05,6,5,", "r1,North,2026-01-05,9,5,");
    support::write(&csv, text);
    let copy = dir.path().join("audit.yaml");
    let copy = copy.to_str().unwrap();
    let validate = ["validate", copy, "--period", "2026-03"];
    Test::new()
        .args(validate)
        .run()
        .success()
        .stderr_contains("11 customer rows (4 in 2026-03)");
    Test::new()
        .args(validate)
        .args(["--history", "3"])
        .run()
        .status(2)
        .stderr_contains("customers.csv:3:4: E_A1: answer outside the scale: found \"9\"");
    Test::new()
        .args(["report", copy, "--period", "2026-03", "--history", "3"])
        .run()
        .status(2)
        .stderr_contains("customers.csv:3:4: E_A1: answer outside the scale");
    // A clean history: the periods checked are named.
    Test::new()
        .args([
            "validate",
            &audit(),
            "--period",
            "2026-03",
            "--history",
            "3",
        ])
        .run()
        .success()
        .stderr_contains("; with the 2 periods before it from 2026-01 on");
}
