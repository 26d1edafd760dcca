//! The audit cycle: one definition for every period, rows filtered by their date.
//!
//! The data span August to October 2026. A report of one month must equal, number for
//! number, the report of a file holding only that month's rows.

use std::path::Path;

use serde_json::Value;

use crate::support::{self, Test};

const HEADER: &str = "id,site,date,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_B2";

/// The audit's top, without its period keys.
const DEFINITION: &str = "\
scale: {min: 1, max: 7}
dimensions:
  - {id: service, label: {en: Service}}
  - {id: place, label: {en: Place}}
items:
  - {id: A1, dimension: service, text: {en: Staff help at once}}
  - {id: A2, dimension: service, text: {en: Staff know the answers}}
  - {id: B1, dimension: place, text: {en: The branch is clean}}
  - {id: B2, dimension: place, text: {en: The branch feels cramped}, reverse: true}
weights: {service: 60, place: 40}
";

/// Writes `audit.yaml` (with `period_keys` under `audit:`) reading `customers.csv`.
fn write_audit(dir: &Path, period_keys: &str, csv: &str) {
    let yaml = format!(
        "audit:\n  id: cycle\n  title: Cycle\n{period_keys}\n{DEFINITION}\
         sources:\n  customers: {{file: customers.csv}}\n"
    );
    support::write(&dir.join("audit.yaml"), yaml);
    support::write(&dir.join("customers.csv"), csv);
}

/// Rows of the three months, interleaved as an appending import leaves them (ids
/// `m<month>-<n>`); answers from a fixed sequence, a different mean each month.
fn rows(per_month: usize) -> Vec<(u32, String)> {
    let mut state = 7u64;
    let mut next = |bias: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        1 + ((state >> 33) % 6 + bias).min(6)
    };
    let mut out = Vec::new();
    for n in 0..per_month {
        for month in [8u32, 9, 10] {
            let bias = u64::from(month - 8);
            let answers: Vec<String> = (0..8).map(|_| next(bias).to_string()).collect();
            let day = 1 + n % 28;
            // Some rows carry a time of day, as survey tools write them.
            let time = if n % 3 == 0 { "T10:15:00" } else { "" };
            out.push((
                month,
                format!(
                    "m{month}-{n},{},2026-{month:02}-{day:02}{time},{}",
                    ["North", "South"][n % 2],
                    answers.join(",")
                ),
            ));
        }
    }
    out
}

/// A CSV of the header and `rows`.
fn csv(rows: &[&str]) -> String {
    let mut text = format!("{HEADER}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

/// The file of all three months.
fn all_months(per_month: usize) -> String {
    let all = rows(per_month);
    csv(&all.iter().map(|(_, r)| r.as_str()).collect::<Vec<_>>())
}

/// The JSON report of `dir`'s audit with `extra` arguments.
fn json_report(dir: &Path, extra: &[&str]) -> Value {
    let audit = dir.join("audit.yaml");
    let mut args = vec!["report", audit.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    Test::new().args(args).run().success().json()
}

/// What the numbers of a report are: everything but provenance, period and row counts.
fn numbers(report: &Value) -> Value {
    let mut numbers = report.clone();
    for key in ["provenance", "audit", "period", "sources"] {
        numbers.as_object_mut().unwrap().remove(key);
    }
    numbers
}

#[test]
fn a_named_month_selects_exactly_its_rows() {
    let all = tempfile::tempdir().unwrap();
    write_audit(all.path(), "  schedule: monthly", &all_months(30));
    let report = json_report(all.path(), &["--period", "2026-10"]);
    assert_eq!(
        report["period"],
        serde_json::json!({"name": "2026-10", "start": "2026-10-01", "end": "2026-10-31"})
    );
    assert_eq!(
        report["sources"]["customers"],
        serde_json::json!({"rows": 90, "in_period": 30, "outside_period": 60, "blank": 0, "duplicate": 0})
    );
    assert_eq!(report["respondents"]["customers"], 30);
    // The independent computation: a file of October's rows only, a fixed period.
    let october = tempfile::tempdir().unwrap();
    let only: Vec<String> = rows(30)
        .into_iter()
        .filter(|(month, _)| *month == 10)
        .map(|(_, r)| r)
        .collect();
    write_audit(
        october.path(),
        "  period: {start: 2026-10-01, end: 2026-10-31}",
        &csv(&only.iter().map(String::as_str).collect::<Vec<_>>()),
    );
    let alone = json_report(october.path(), &[]);
    assert_eq!(alone["sources"]["customers"]["outside_period"], 0);
    assert_eq!(numbers(&report), numbers(&alone));
    // Other months give other numbers (the test would not see a filter that does nothing).
    let september = json_report(all.path(), &["--period", "2026-09"]);
    assert_eq!(september["sources"]["customers"]["in_period"], 30);
    assert_ne!(numbers(&september), numbers(&report));
}

#[test]
fn without_a_period_the_latest_scheduled_month_with_rows_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_audit(dir.path(), "  schedule: monthly", &all_months(5));
    let latest = json_report(dir.path(), &[]);
    assert_eq!(latest["period"]["name"], "2026-10");
    assert_eq!(latest["audit"]["period"]["start"], "2026-10-01");
    let asked = json_report(dir.path(), &["--period", "2026-10"]);
    assert_eq!(numbers(&latest), numbers(&asked));
    // A quarter holds all three months; a range the first half of October.
    write_audit(dir.path(), "  schedule: quarterly", &all_months(5));
    let quarter = json_report(dir.path(), &["--period", "2026-Q3"]);
    assert_eq!(quarter["sources"]["customers"]["in_period"], 10);
    let range = json_report(dir.path(), &["--period", "2026-10-01..2026-10-03"]);
    assert_eq!(range["period"]["name"], "2026-10-01..2026-10-03");
    assert_eq!(range["sources"]["customers"]["in_period"], 3);
}

#[test]
fn a_fixed_period_is_the_default_and_a_named_one_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let keys = "  schedule: monthly\n  period: {start: 2026-09-01, end: 2026-09-30}";
    write_audit(dir.path(), keys, &all_months(4));
    let default = json_report(dir.path(), &[]);
    assert_eq!(default["period"]["name"], "2026-09-01..2026-09-30");
    assert_eq!(default["sources"]["customers"]["in_period"], 4);
    let asked = json_report(dir.path(), &["--period", "2026-08"]);
    assert_eq!(asked["period"]["name"], "2026-08");
    assert_eq!(asked["audit"]["period"]["end"], "2026-08-31");
}

#[test]
fn chunked_reading_filters_as_the_sequential_reader() {
    let dir = tempfile::tempdir().unwrap();
    // Blank rows among them, as Excel writes them.
    let mut text = all_months(40);
    text.push_str(",,,,,,,,,,\n");
    text.insert_str(HEADER.len() + 1, ",,,,,,,,,,\n");
    write_audit(dir.path(), "  schedule: monthly", &text);
    let audit = dir.path().join("audit.yaml");
    let args = [
        "report",
        audit.to_str().unwrap(),
        "--format",
        "json",
        "--period",
        "2026-09",
    ];
    let sequential = Test::new().args(args).env("SERVQUAL_THREADS", "0").run();
    sequential.success();
    let counts = &sequential.json()["sources"]["customers"];
    assert_eq!(counts["blank"], 2);
    assert_eq!(counts["in_period"], 40);
    assert_eq!(counts["rows"], 122);
    for chunk in ["64", "300", "4096"] {
        Test::new()
            .args(args)
            .args(["-v"])
            .env("SERVQUAL_THREADS", "2")
            .env("SERVQUAL_CHUNK_BYTES", chunk)
            .run()
            .success()
            .stderr_contains("read in chunks");
        Test::new()
            .args(args)
            .env("SERVQUAL_THREADS", "2")
            .env("SERVQUAL_CHUNK_BYTES", chunk)
            .run()
            .stdout_is(sequential.stdout())
            .stderr_is(sequential.stderr());
    }
}

#[test]
fn blank_rows_are_never_respondents() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        "r1,North,2026-10-02,5,4,4,4,3,4,2,4",
        "r2,South,2026-10-03,4,2,5,3,4,4,1,2",
    ];
    let mut with_blanks = csv(&rows);
    with_blanks.push_str(",,,,,,,,,,\n , ,,,,,,,,,\n");
    let keys = "  period: {start: 2026-10-01, end: 2026-10-31}";
    write_audit(dir.path(), keys, &with_blanks);
    let blanks = json_report(dir.path(), &[]);
    assert_eq!(blanks["respondents"]["customers"], 2);
    assert_eq!(blanks["sources"]["customers"]["blank"], 2);
    write_audit(dir.path(), keys, &csv(&rows));
    assert_eq!(numbers(&json_report(dir.path(), &[])), numbers(&blanks));
}

#[test]
fn a_row_without_a_valid_date_is_a_problem_naming_file_line_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let keys = "  schedule: monthly";
    let bad = csv(&[
        "r1,North,2026-10-02,5,4,4,4,3,4,2,4",
        "r2,North,,5,4,4,4,3,4,2,4",
        "r3,South,banana,4,2,5,3,4,4,1,2",
        "r4,South,2026-13-45,4,2,5,3,4,4,1,2",
    ]);
    write_audit(dir.path(), keys, &bad);
    let audit = dir.path().join("audit.yaml");
    for command in ["report", "validate"] {
        Test::new()
            .args([command, audit.to_str().unwrap(), "--period", "2026-10"])
            .watch(dir.path())
            .run()
            .status(2)
            .stderr_contains("customers.csv:3:3: date: a row without a date")
            .stderr_contains("customers.csv:4:3: date: not a date: found \"banana\"")
            .stderr_contains("customers.csv:5:3: date: not a date: found \"2026-13-45\"")
            .nothing_written();
    }
}

#[test]
fn a_visit_dated_banana_is_a_problem_and_other_months_visits_are_left_out() {
    let dir = support::fixture_copy("shoppers");
    let visits = dir.path().join("visits.csv");
    let text = support::read(&visits);
    let audit = dir.path().join("audit.yaml");
    // The fixture's visits span January to March; its period is the quarter.
    let run = Test::new()
        .args([
            "report",
            audit.to_str().unwrap(),
            "--format",
            "json",
            "--period",
            "2026-02",
        ])
        .run();
    let report = run.success().json();
    let shoppers = &report["sources"]["shoppers"];
    assert_eq!(shoppers["rows"], 5);
    let (inside, outside) = (
        shoppers["in_period"].as_u64(),
        shoppers["outside_period"].as_u64(),
    );
    assert_eq!(inside.unwrap() + outside.unwrap(), 5);
    assert!(inside.unwrap() > 0 && outside.unwrap() > 0, "{shoppers}");
    let mut lines: Vec<&str> = text.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let date = header.iter().position(|h| *h == "date").unwrap();
    let mut cells: Vec<String> = lines[2].split(',').map(String::from).collect();
    cells[date] = "banana".into();
    let changed = cells.join(",");
    lines[2] = &changed;
    support::write(&visits, lines.join("\n") + "\n");
    Test::new()
        .args(["validate", audit.to_str().unwrap()])
        .run()
        .status(2)
        .stderr_contains("visits.csv:3: date: not a date: found \"banana\"");
}

#[test]
fn a_source_without_a_date_column_counts_every_row_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let undated = "id,site,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_B2\n\
                   r1,North,5,4,4,4,3,4,2,4\nr2,South,4,2,5,3,4,4,1,2\n";
    write_audit(dir.path(), "  schedule: monthly", undated);
    let audit = dir.path().join("audit.yaml");
    let run = Test::new()
        .args([
            "report",
            audit.to_str().unwrap(),
            "--format",
            "json",
            "--period",
            "2026-10",
        ])
        .run();
    run.success()
        .stderr_contains("customers.csv has no date column: every row counts, in every period");
    assert_eq!(run.json()["sources"]["customers"]["in_period"], 2);
    // Without dates there is no latest period to choose.
    Test::new()
        .args(["report", audit.to_str().unwrap()])
        .run()
        .status(2)
        .stderr_contains("no dated rows to choose the period by");
}

#[test]
fn a_period_that_is_not_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_audit(dir.path(), "  schedule: quarterly", &all_months(2));
    let audit = dir.path().join("audit.yaml");
    for period in ["banana", "2026-10", "2026-10-31..2026-10-01"] {
        Test::new()
            .args(["report", audit.to_str().unwrap(), "--period", period])
            .watch(dir.path())
            .run()
            .status(2)
            .stderr_contains("--period: not a period")
            .stderr_contains("2026-Q3")
            .nothing_written();
    }
}

#[test]
fn a_header_only_file_reports_no_respondents_for_its_period() {
    let dir = tempfile::tempdir().unwrap();
    write_audit(
        dir.path(),
        "  period: {start: 2026-10-01, end: 2026-10-31}",
        &csv(&[]),
    );
    let report = json_report(dir.path(), &[]);
    assert_eq!(report["respondents"]["customers"], 0);
    assert_eq!(report["sources"]["customers"]["rows"], 0);
}

#[test]
fn an_audit_without_a_schedule_takes_calendar_names_and_validate_counts_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let keys = "  period: {start: 2026-08-01, end: 2026-10-31}";
    write_audit(dir.path(), keys, &all_months(3));
    let september = json_report(dir.path(), &["--period", "2026-09"]);
    assert_eq!(september["period"]["name"], "2026-09");
    assert_eq!(september["sources"]["customers"]["in_period"], 3);
    let quarter = json_report(dir.path(), &["--period", "2026-Q3"]);
    assert_eq!(quarter["sources"]["customers"]["in_period"], 6);
    let whole = json_report(dir.path(), &[]);
    assert_eq!(whole["sources"]["customers"]["outside_period"], 0);
    let audit = dir.path().join("audit.yaml");
    Test::new()
        .args(["validate", audit.to_str().unwrap(), "--period", "2026-10"])
        .run()
        .success()
        .stderr_contains("9 customer rows (3 in 2026-10)");
    Test::new()
        .args(["validate", audit.to_str().unwrap()])
        .run()
        .success()
        .stderr_contains(", 9 customer rows\n");
}

#[test]
fn every_human_format_names_the_period_and_its_days() {
    let dir = tempfile::tempdir().unwrap();
    write_audit(dir.path(), "  schedule: monthly", &all_months(5));
    let audit = dir.path().join("audit.yaml");
    for format in ["table", "markdown", "html"] {
        Test::new()
            .arg("report")
            .arg(&audit)
            .args(["--period", "2026-09", "--format", format])
            .run()
            .success()
            .stdout_contains("2026-09 (2026-09-01 – 2026-09-30)");
    }
    // A range is named by its days alone.
    Test::new()
        .arg("report")
        .arg(&audit)
        .args(["--period", "2026-09-01..2026-09-15"])
        .run()
        .success()
        .stdout_contains("2026-09-01 – 2026-09-15 ·")
        .stdout_lacks("2026-09-01..2026-09-15 (");
}

#[test]
fn status_reports_rows_sites_against_the_quota_and_completeness() {
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("audits/harbour-bank/audit.yaml");
    let run = Test::new()
        .arg("status")
        .arg(&example)
        .args(["--format", "json", "--fail-incomplete"])
        .run();
    let status = run.success().json();
    assert_eq!(status["schema"], "servqual.status/v1");
    assert_eq!(status["sources"]["customers"]["in_period"], 480);
    assert_eq!(status["sources"]["shoppers"]["latest"], "2026-09-28");
    let sites = status["sites"].as_array().expect("sites");
    assert_eq!(sites.len(), 4);
    // The report's own numbers: respondents per site with --by site, visits per site.
    let report = Test::new()
        .arg("report")
        .arg(&example)
        .args(["--by", "site", "--format", "json", "--exit-zero"])
        .run()
        .success()
        .json();
    for site in sites {
        let name = site["site"].as_str().expect("a name");
        let segment = support::find(&report["segments"]["segments"], "name", name);
        assert_eq!(site["respondents"], segment["respondents"], "{name}");
        let visits = support::find(&report["shoppers"]["by_site"], "site", name);
        assert_eq!(site["visits"], visits["visits"], "{name}");
        assert_eq!(site["quota_met"], true);
    }
    let open = report["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .filter(|e| matches!(e["status"].as_str(), Some("open" | "in-progress")))
        .count();
    assert_eq!(status["checklist"]["open"], open);
    assert_eq!(status["complete"], true);
}

#[test]
fn a_period_without_rows_is_incomplete_and_fails_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    write_audit(dir.path(), "  schedule: monthly", &all_months(5));
    let audit = dir.path().join("audit.yaml");
    // November has no rows: incomplete; exit 0 without the flag, 1 with it.
    Test::new()
        .arg("status")
        .arg(&audit)
        .args(["--period", "2026-11"])
        .run()
        .success()
        .stdout_contains("Not complete: no rows in the period in customers.");
    Test::new()
        .arg("status")
        .arg(&audit)
        .args(["--period", "2026-11", "--fail-incomplete"])
        .run()
        .status(1);
    Test::new()
        .arg("status")
        .arg(&audit)
        .args(["--period", "2026-10", "--fail-incomplete"])
        .run()
        .success()
        .stdout_contains("Complete: every source has rows in the period");
}
