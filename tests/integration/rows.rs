//! Rows people really have: blank rows, rows pasted twice, one id with two sets of
//! answers, invalid rows left out with `--skip-invalid`; the checklist's memory of
//! periods; `site.` rules on customer gaps without `--by site`.
//!
//! The fixture (`tests/fixtures/rows/`) is a monthly audit of two items on a 1..5 scale.
//! Its October rows, P − E of A1 (service) and B1 (place):
//!
//! | id | site  | A1: E, P → gap | B1: E, P → gap |
//! | -- | ----- | -------------- | -------------- |
//! | C1 | North | 5, 3 → −2      | 4, 4 → 0       |
//! | C2 | North | 5, 4 → −1      | 4, 3 → −1      |
//! | C3 | South | 4, 4 → 0       | 3, 4 → +1      |
//! | C4 | South | 4, 5 → +1      | 4, 4 → 0       |
//!
//! so gap 5 of service is (−2 − 1 + 0 + 1) / 4 = −0.5 and of place 0; per site, service
//! is −1.5 at North and +0.5 at South, place −0.5 at North and +0.5 at South. C5 is
//! November's one respondent (every answer 2: gaps 0).

use std::path::Path;

use serde_json::Value;

use crate::support::{self, fixture_copy, Run, Test};

/// A copy of the fixture with `customers` and `visits` (files of the fixture) as its data.
fn audit_with(customers: &str, visits: &str) -> tempfile::TempDir {
    let dir = fixture_copy("rows");
    for (name, file) in [("customers.csv", customers), ("visits.csv", visits)] {
        let text = support::read(&dir.path().join(file));
        support::write(&dir.path().join(name), text);
    }
    dir
}

/// `servqual report` of `dir`'s audit for `period` with `extra` arguments, read
/// sequentially (`threads` 0) or in chunks of `chunk` bytes on `threads` threads.
fn report(dir: &Path, period: &str, extra: &[&str], threads: usize, chunk: usize) -> Run {
    let audit = dir.join("audit.yaml");
    let mut args = vec!["report", audit.to_str().unwrap(), "--period", period];
    args.extend_from_slice(extra);
    Test::new()
        .args(args)
        .env("SERVQUAL_THREADS", threads.to_string())
        .env("SERVQUAL_CHUNK_BYTES", chunk.to_string())
        .run()
}

/// The JSON report of October, read sequentially.
fn october(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    report(dir, "2026-10", &args, 0, 1 << 20)
}

/// What the numbers of a report are: everything but provenance and row counts.
fn numbers(report: &Value) -> Value {
    let mut numbers = report.clone();
    for key in ["provenance", "sources"] {
        numbers.as_object_mut().unwrap().remove(key);
    }
    numbers
}

/// The gap 5 of dimension `id` in `report`.
fn gap5(report: &Value, id: &str) -> f64 {
    support::find(&report["dimensions"], "id", id)["gaps"]["5"]
        .as_f64()
        .unwrap()
}

#[test]
fn the_clean_fixture_has_the_hand_worked_gaps() {
    let dir = fixture_copy("rows");
    let json = october(dir.path(), &[]).success().json();
    assert_eq!(json["respondents"]["customers"], 4);
    assert!((gap5(&json, "service") - -0.5).abs() < 1e-12);
    assert!(gap5(&json, "place").abs() < 1e-12);
    // Without --skip-invalid nothing can be left out: the field is not there.
    assert_eq!(
        json["sources"]["customers"],
        serde_json::json!({"rows": 5, "in_period": 4, "outside_period": 1, "blank": 0, "duplicate": 0})
    );
}

#[test]
fn blank_and_repeated_visit_rows_are_counted_and_left_out() {
    let clean = fixture_copy("rows");
    let clean = october(clean.path(), &[]).success().json();
    let dir = audit_with("customers.csv", "visits-blank.csv");
    let run = october(dir.path(), &[]);
    run.success().stderr_contains(
        "visits.csv:7: the row repeats line 4 exactly (same id, same answers): counted once",
    );
    let json = run.json();
    // Six data rows: two blank (`,,,,,` and one of spaces), V2 twice, three visits.
    assert_eq!(
        json["sources"]["shoppers"],
        serde_json::json!({"rows": 6, "in_period": 3, "outside_period": 0, "blank": 2, "duplicate": 1})
    );
    assert_eq!(numbers(&json), numbers(&clean));
}

#[test]
fn a_row_pasted_twice_counts_once_with_a_warning_naming_both_lines() {
    let clean = fixture_copy("rows");
    let clean = october(clean.path(), &[]).success().json();
    let dir = audit_with("customers-repeated.csv", "visits.csv");
    let run = october(dir.path(), &[]);
    run.success().stderr_contains(
        "customers.csv:7: the row repeats line 3 exactly (same id, same answers): counted once",
    );
    let json = run.json();
    // Eight rows: C1..C4 of October, C2 again, two blank rows, C5 of November.
    assert_eq!(
        json["sources"]["customers"],
        serde_json::json!({"rows": 8, "in_period": 4, "outside_period": 1, "blank": 2, "duplicate": 1})
    );
    assert_eq!(json["respondents"]["customers"], 4);
    assert_eq!(numbers(&json), numbers(&clean));
}

#[test]
fn the_same_id_with_other_answers_names_both_lines_and_writes_nothing() {
    let dir = audit_with("customers-conflict.csv", "visits.csv");
    let audit = dir.path().join("audit.yaml");
    let out = dir.path().join("report.json");
    Test::new()
        .args(["report", audit.to_str().unwrap(), "--period", "2026-10"])
        .args(["--format", "json", "--output", out.to_str().unwrap()])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains(
            "customers.csv:6:1: id: the same id as line 4, with other answers: found \"C3\"",
        )
        .nothing_written();
}

#[test]
fn a_visit_id_with_other_answers_is_a_problem_listed_with_the_others() {
    let clean = fixture_copy("rows");
    let clean = october(clean.path(), &[]).success().json();
    // V3 at line 4 has a bad answer (so its id is not taken); V2 comes back at line 5
    // with other answers; V3 at line 6 is then its first valid row.
    let dir = audit_with("customers.csv", "visits-conflict.csv");
    october(dir.path(), &[])
        .status(2)
        .stderr_contains("visits.csv:4:5: Q1: not a yes/no answer: found \"maybe\"")
        .stderr_contains(
            "visits.csv:5:1: visit: the same id as line 3, with other answers: found \"V2\"",
        )
        .stderr_contains("2 problems");
    let run = october(dir.path(), &["--skip-invalid"]);
    let json = run.success().json();
    assert_eq!(
        json["sources"]["shoppers"],
        serde_json::json!({"rows": 5, "in_period": 3, "outside_period": 0, "blank": 0, "duplicate": 0, "skipped": 2})
    );
    assert_eq!(numbers(&json), numbers(&clean));
}

#[test]
fn a_response_with_no_answer_is_a_problem_as_in_the_import() {
    let clean = fixture_copy("rows");
    let clean = october(clean.path(), &[]).success().json();
    // C7 (line 4) has an id, a site and a date but no answer (empty, NA); C6 (line 7),
    // as empty, is November's: left out with its period whatever its answers.
    let dir = audit_with("customers-unanswered.csv", "visits.csv");
    october(dir.path(), &[])
        .status(2)
        .stderr_contains(
            "customers.csv:4: a response with no answer: expected an answer to at least one item",
        )
        .stderr_lacks("customers.csv:7");
    let json = october(dir.path(), &["--skip-invalid"]).success().json();
    assert_eq!(
        json["sources"]["customers"],
        serde_json::json!({"rows": 7, "in_period": 4, "outside_period": 2, "blank": 0, "duplicate": 0, "skipped": 1})
    );
    assert_eq!(numbers(&json), numbers(&clean));
}

#[test]
fn skip_invalid_leaves_each_invalid_row_out_and_says_how_many() {
    let clean = fixture_copy("rows");
    let clean = october(clean.path(), &[]).success().json();
    let dir = audit_with("customers-invalid.csv", "visits.csv");
    // Without the flag: every problem, exit 2.
    october(dir.path(), &[])
        .status(2)
        .stderr_contains("customers.csv:3:4: E_A1: answer outside the scale")
        .stderr_contains("customers.csv:5:3: date: not a date")
        .stderr_contains("customers.csv:8:1: id: the same id as line 4, with other answers")
        .stderr_contains("3 problems");
    let run = october(dir.path(), &["--skip-invalid"]);
    run.success()
        .stderr_contains("warning: left out ")
        .stderr_contains("customers.csv:3:4: E_A1: answer outside the scale: found \"9\"")
        .stderr_contains("customers.csv:5:3: date: not a date: found \"2026-10-xx\"")
        .stderr_contains("customers.csv:8:1: id: the same id as line 4, with other answers")
        .stderr_contains("customers.csv: 3 invalid rows left out (--skip-invalid)");
    let json = run.json();
    assert_eq!(
        json["sources"]["customers"],
        serde_json::json!({"rows": 7, "in_period": 4, "outside_period": 0, "blank": 0, "duplicate": 0, "skipped": 3})
    );
    assert_eq!(json["sources"]["shoppers"]["skipped"], 0);
    // What is left are the four valid rows: the clean file's numbers.
    assert_eq!(numbers(&json), numbers(&clean));
    // The human formats say it under the header.
    for format in ["table", "markdown", "html"] {
        let run = report(
            dir.path(),
            "2026-10",
            &["--format", format, "--skip-invalid"],
            0,
            1 << 20,
        );
        run.success()
            .stdout_contains("Invalid rows left out (--skip-invalid): customers 3");
    }
    // validate takes the flag too.
    let audit = dir.path().join("audit.yaml");
    let validate = ["validate", audit.to_str().unwrap(), "--period", "2026-10"];
    Test::new().args(validate).run().status(2);
    Test::new()
        .args(validate)
        .arg("--skip-invalid")
        .run()
        .success()
        .stderr_contains("customers.csv: 3 invalid rows left out (--skip-invalid)")
        .stderr_contains("7 customer rows (4 in 2026-10)");
    // The flag does not turn a problem of the definition into a left-out row.
    let bad = dir.path().join("bad.yaml");
    let text =
        support::read(&dir.path().join("audit.yaml")).replace("min: 1, max: 5", "min: 5, max: 1");
    support::write(&bad, text);
    Test::new()
        .args(["report", bad.to_str().unwrap(), "--skip-invalid"])
        .run()
        .status(2);
}

#[test]
fn sequential_and_chunked_reading_give_the_same_answers() {
    for (customers, visits) in [
        ("customers.csv", "visits.csv"),
        ("customers-repeated.csv", "visits-blank.csv"),
        ("customers-conflict.csv", "visits.csv"),
        ("customers-invalid.csv", "visits.csv"),
        ("customers.csv", "visits-conflict.csv"),
        ("customers-unanswered.csv", "visits.csv"),
    ] {
        let dir = audit_with(customers, visits);
        for extra in [
            &["--format", "json"][..],
            &["--format", "json", "--skip-invalid"],
        ] {
            let sequential = report(dir.path(), "2026-10", extra, 0, 1 << 20);
            for chunk in [16, 40, 97] {
                report(dir.path(), "2026-10", extra, 2, chunk)
                    .status(sequential.code())
                    .stdout_is(sequential.stdout())
                    .stderr_is(sequential.stderr());
            }
        }
    }
    // The clean file is really read in chunks; a repeat makes the reader start again.
    let clean = fixture_copy("rows");
    report(clean.path(), "2026-10", &["-v", "--format", "json"], 2, 40)
        .success()
        .stderr_contains("customers.csv: read in chunks on 2 threads");
    let repeated = audit_with("customers-repeated.csv", "visits.csv");
    report(
        repeated.path(),
        "2026-10",
        &["-v", "--format", "json"],
        2,
        40,
    )
    .success()
    .stderr_contains("read sequentially (a row repeats the id of an earlier one)");
}

/// The state file after `servqual report --period PERIOD --update-checklist` on `dir`.
fn update(dir: &Path, period: &str) -> (Run, String) {
    let out = dir.join(format!("report-{period}.json"));
    let run = report(
        dir,
        period,
        &[
            "--update-checklist",
            "--format",
            "json",
            "--output",
            out.to_str().unwrap(),
        ],
        0,
        1 << 20,
    );
    let state = support::read(&dir.join("audit.checklist.yaml"));
    (run, state)
}

#[test]
fn the_state_file_records_the_periods_each_entry_was_first_and_last_seen() {
    let dir = fixture_copy("rows");
    // October: service (−0.5) is below the checklist threshold −0.4.
    let (run, october) = update(dir.path(), "2026-10");
    run.success();
    assert!(october.contains("\nperiod: 2026-10\n"), "{october}");
    assert!(
        october.contains("  gap5-service:\n    status: open\n    due: 2027-01-29\n    first_seen: 2026-10\n    last_seen: 2026-10\n"),
        "{october}"
    );
    // November: measured (gap 0) and no longer below: resolved, still last seen in October.
    let (run, november) = update(dir.path(), "2026-11");
    run.success();
    assert!(november.contains("\nperiod: 2026-11\n"), "{november}");
    assert!(
        november.contains("  gap5-service:\n    status: resolved\n    due: 2027-01-29\n    first_seen: 2026-10\n    last_seen: 2026-10\n"),
        "{november}"
    );
    // October again: the report is written, the state file is left as November's.
    let (run, after) = update(dir.path(), "2026-10");
    run.success()
        .stderr_contains("not updating ")
        .stderr_contains(
            "the state file has seen the period ending 2026-11-30, later than 2026-10 reported now",
        );
    assert_eq!(after, november);
    assert!(dir.path().join("report-2026-10.json").exists());
}

#[test]
fn a_state_file_written_before_periods_were_named_still_loads() {
    let dir = fixture_copy("rows");
    let state = dir.path().join("audit.checklist.yaml");
    support::write(
        &state,
        "audit: fixture-rows\nentries:\n  gap5-service:\n    status: in-progress\n    owner: Anna Lee\n    first_seen: 2026-09-30\n",
    );
    let (run, text) = update(dir.path(), "2026-10");
    run.success();
    // The first period, given as its last day, is named now; the owner and status stay.
    assert!(
        text.contains("  gap5-service:\n    status: in-progress\n    owner: Anna Lee\n    due: 2027-01-29\n    first_seen: 2026-09\n    last_seen: 2026-10\n"),
        "{text}"
    );
}

#[test]
fn a_site_rule_on_a_customer_gap_needs_no_by_site() {
    let dir = fixture_copy("rows");
    let plain = october(dir.path(), &[]).success().json();
    let rules = [
        "--fail-on",
        "site.gap5.service < -1.0",
        "--fail-on",
        "site.gap5.place > 0.4",
        "--fail-on",
        "site.gap5.service < -2",
    ];
    let run = october(dir.path(), &rules);
    run.status(1)
        .stderr_contains("threshold breached: `site.gap5.service < -1.0` at 1 site: North (-1.5)")
        .stderr_contains("threshold breached: `site.gap5.place > 0.4` at 1 site: South (0.5)");
    let json = run.json();
    let outcomes = json["gate"]["rules"].as_array().unwrap();
    let outcome = |rule: &str| outcomes.iter().find(|o| o["rule"] == rule).unwrap();
    assert_eq!(
        outcome("site.gap5.service < -1.0")["sites"],
        serde_json::json!(["North"])
    );
    support::close(&outcome("site.gap5.service < -1.0")["value"], -1.5);
    support::close(&outcome("site.gap5.place > 0.4")["value"], 0.5);
    assert_eq!(outcome("site.gap5.service < -2")["status"], "pass");
    // The report itself is the one without the rules: no segments, the same numbers.
    assert_eq!(json["segments"], Value::Null);
    let without_gate = |mut report: Value| {
        report.as_object_mut().unwrap().remove("gate");
        numbers(&report)
    };
    assert_eq!(without_gate(json), without_gate(plain));
    // Chunked reading gives the same verdict.
    let chunked = report(dir.path(), "2026-10", &rules, 2, 40);
    let sequential = report(dir.path(), "2026-10", &rules, 0, 1 << 20);
    chunked
        .status(1)
        .stdout_is(sequential.stdout())
        .stderr_is(sequential.stderr());
}

#[test]
fn a_row_of_the_wrong_length_is_left_out_too() {
    let dir = fixture_copy("rows");
    let customers = dir.path().join("customers.csv");
    let mut text = support::read(&customers);
    text.push_str("C7,North,2026-10-09,5\n");
    support::write(&customers, text);
    october(dir.path(), &[])
        .status(2)
        .stderr_contains("customers.csv:7: wrong number of fields");
    let run = october(dir.path(), &["--skip-invalid"]);
    run.success()
        .stderr_contains("warning: left out ")
        .stderr_contains("customers.csv:7: wrong number of fields");
    let json = run.json();
    assert_eq!(json["sources"]["customers"]["rows"], 6);
    assert_eq!(json["sources"]["customers"]["skipped"], 1);
    assert_eq!(json["respondents"]["customers"], 4);
}
