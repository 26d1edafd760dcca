//! The core engine through the real binary: numbers, JSON fields, exit codes, bad input.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{self, close, find, fixture_copy, Test};

fn fixture(name: &str) -> PathBuf {
    support::fixture("core", name)
}

/// A temporary copy of the core fixture, with the audit and survey replaced as given.
fn scratch(audit: Option<&str>, customers: Option<&[u8]>) -> tempfile::TempDir {
    let dir = fixture_copy("core");
    if let Some(audit) = audit {
        support::write(&dir.path().join("audit.yaml"), audit);
    }
    if let Some(customers) = customers {
        support::write(&dir.path().join("customers.csv"), customers);
    }
    dir
}

fn json_report(audit: &Path) -> Value {
    Test::new()
        .arg("report")
        .arg(audit)
        .args(["--format", "json"])
        .run()
        .success()
        .json()
}

fn item<'a>(report: &'a Value, id: &str) -> &'a Value {
    find(&report["items"], "id", id)
}

fn dimension<'a>(report: &'a Value, id: &str) -> &'a Value {
    find(&report["dimensions"], "id", id)
}

#[test]
fn json_numbers_match_hand_worked_values() {
    let r = json_report(&fixture("audit.yaml"));
    assert_eq!(r["schema"], "servqual.report/v1");

    // A1: r4's E is NA, so pairs r1 (5,4), r2 (4,2), r3 (5,5): d = -1, -2, 0.
    // mean E 14/3, mean P 11/3, gap -1; sd = sqrt(((0)^2+(-1)^2+1^2)/2) = 1;
    // se = 1/sqrt(3); t = -sqrt(3); t(0.975, 2) = 4.302652729749464;
    // p (df 2) = 1 - sqrt(3)/sqrt(5) = 0.22540333075851662.
    let a1 = item(&r, "A1");
    assert_eq!(a1["n"], 3);
    close(&a1["expected"], 14.0 / 3.0);
    close(&a1["perceived"], 11.0 / 3.0);
    close(&a1["gaps"]["5"], -1.0);
    close(&a1["sd"], 1.0);
    close(&a1["t"], -(3f64.sqrt()));
    assert!((a1["p"].as_f64().unwrap() - (1.0 - (3.0f64 / 5.0).sqrt())).abs() < 1e-9);
    let half = 4.302652729749464 / 3f64.sqrt();
    assert!((a1["ci95"][0].as_f64().unwrap() - (-1.0 - half)).abs() < 1e-9);
    assert!((a1["ci95"][1].as_f64().unwrap() - (-1.0 + half)).abs() < 1e-9);

    // A2: r3's E is empty: pairs (4,4), (5,3), (3,1): d = 0, -2, -2; gap -4/3,
    // variance = (16/9 + 4/9 + 4/9) / 2 = 4/3.
    let a2 = item(&r, "A2");
    assert_eq!(a2["n"], 3);
    close(&a2["gaps"]["5"], -4.0 / 3.0);
    close(&a2["sd"], (4.0f64 / 3.0).sqrt());

    // B1: d = 1, 0, -2, 1; gap 0, variance 6/3 = 2, t = 0, p = 1.
    let b1 = item(&r, "B1");
    close(&b1["gaps"]["5"], 0.0);
    close(&b1["sd"], 2f64.sqrt());
    close(&b1["t"], 0.0);
    assert!((b1["p"].as_f64().unwrap() - 1.0).abs() < 1e-12);

    // B2 is reverse-scored on 1..5 (x -> 6 - x): E 4,5,3,4; P 2,4,3,5; d = -2,-1,0,1.
    let b2 = item(&r, "B2");
    assert_eq!(b2["reverse"], true);
    close(&b2["expected"], 4.0);
    close(&b2["perceived"], 3.5);
    close(&b2["gaps"]["5"], -0.5);
    close(&b2["sd"], (5.0f64 / 3.0).sqrt());

    // Dimension gaps are the mean of item gaps: service (-1 - 4/3)/2 = -7/6,
    // place (0 - 0.5)/2 = -0.25.
    let service = dimension(&r, "service");
    let place = dimension(&r, "place");
    close(&service["gaps"]["5"], -7.0 / 6.0);
    close(&place["gaps"]["5"], -0.25);
    close(&service["weight"], 0.6);

    // Alpha, place: all 4 complete; var(B1) 2, var(B2) 5/3, totals -1,-1,-2,2 var 3:
    // 2 * (1 - (11/3)/3) = -4/9.
    close(&place["alpha"], -4.0 / 9.0);
    // Alpha, service: r1 and r2 complete: var(A1) 0.5, var(A2) 2, totals -1,-4 var 4.5:
    // 2 * (1 - 2.5/4.5) = 8/9.
    assert!((service["alpha"].as_f64().unwrap() - 8.0 / 9.0).abs() < 1e-12);
    assert_eq!(service["alpha_n"], 2);

    // Respondent dimension scores, service: -0.5, -2, 0, -2 (n 4), sd sqrt(3.1875/3).
    assert_eq!(service["n"], 4);
    close(&service["sd"], (3.1875f64 / 3.0).sqrt());

    // SERVQUAL: unweighted (-7/6 - 1/4)/2; weighted 0.6 * -7/6 + 0.4 * -1/4 = -0.8.
    close(&r["servqual"]["unweighted"], (-7.0 / 6.0 - 0.25) / 2.0);
    close(&r["servqual"]["weighted"], -0.8);
    assert!(r["servqual"]["weighted_per_respondent"].is_null());

    // Gaps 1-4 have no data here: not measured, never 0.
    for n in ["1", "2", "3", "4"] {
        assert!(a1["gaps"][n].is_null());
        assert!(service["gaps"][n].is_null());
    }
    assert!(a1["management"].is_null() && a1["shopper"].is_null());

    // Provenance: tool version and a SHA-256 per file.
    let files = r["provenance"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert!(files
        .iter()
        .all(|f| f["sha256"].as_str().unwrap().len() == 64));
    assert_eq!(r["provenance"]["tool_version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn fewer_than_two_answers_give_null_statistics() {
    let dir = scratch(
        None,
        Some(b"id,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_B2\nr1,5,4,4,4,3,3,2,4\nr2,,,3,3,4,4,1,2\n"),
    );
    let r = json_report(&dir.path().join("audit.yaml"));
    // A1: one pair only -> mean, but no sd, CI, t, p.
    let a1 = item(&r, "A1");
    assert_eq!(a1["n"], 1);
    close(&a1["gaps"]["5"], -1.0);
    for key in ["sd", "ci95", "t", "p"] {
        assert!(a1[key].is_null(), "{key} should be null");
    }
    // A2: d = 0, 0: zero variance -> sd 0, CI [0, 0], no t or p.
    let a2 = item(&r, "A2");
    close(&a2["sd"], 0.0);
    assert!(a2["t"].is_null() && a2["p"].is_null());
}

#[test]
fn table_shows_both_tables_and_chinese_labels() {
    Test::new()
        .arg("report")
        .arg(fixture("audit.yaml"))
        .run()
        .success()
        .stdout_contains("Service")
        .stdout_contains("-1.17")
        .stdout_contains("B2 (R)")
        // No colour with NO_COLOR.
        .stdout_lacks("\u{1b}");
    Test::new()
        .arg("report")
        .arg(fixture("audit.yaml"))
        .args(["--lang", "zh"])
        .run()
        .stdout_contains("服务")
        .stdout_contains("维度");
}

#[test]
fn output_file_is_written_and_reports_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for out in [&a, &b] {
        Test::new()
            .arg("report")
            .arg(fixture("audit.yaml"))
            .args(["--format", "json", "--output"])
            .arg(out)
            .run()
            .success()
            .stdout_is("");
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn a_relative_audit_path_reads_its_files_from_the_audits_folder() {
    // Run from tests/fixtures with `core/audit.yaml`: the survey it names is found
    // beside the audit, not in the working folder, and nothing is written there.
    let r = Test::new()
        .current_dir(support::fixtures(""))
        .args(["report", "core/audit.yaml", "--format", "json"])
        .watch(support::fixtures("core"))
        .run()
        .success()
        .nothing_written()
        .json();
    close(&item(&r, "A1")["gaps"]["5"], -1.0);
}

#[test]
fn encodings_delimiters_and_crlf_are_read() {
    // The same data as GBK with semicolons and CRLF, with Chinese site names.
    let text = std::fs::read_to_string(fixture("customers.csv"))
        .unwrap()
        .replace(',', ";")
        .replace("North", "北京")
        .replace('\n', "\r\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    // Four site names are too little text to be sure it is GBK: declared.
    let audit = std::fs::read_to_string(fixture("audit.yaml"))
        .unwrap()
        .replace(
            "file: customers.csv",
            "file: customers.csv\n    encoding: gbk",
        );
    let dir = scratch(Some(&audit), Some(&gbk));
    let r = json_report(&dir.path().join("audit.yaml"));
    close(&item(&r, "A1")["gaps"]["5"], -1.0);

    // UTF-8 with a BOM, tab-separated.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(text.replace(';', "\t").as_bytes());
    let dir = scratch(None, Some(&bom));
    let r = json_report(&dir.path().join("audit.yaml"));
    close(&item(&r, "B2")["gaps"]["5"], -0.5);
}

#[test]
fn init_writes_a_runnable_audit() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("x");
    Test::new()
        .args(["init", "--template", "servqual-22"])
        .arg(&target)
        .run()
        .success();
    let r = json_report(&target.join("audit.yaml"));
    assert_eq!(r["items"].as_array().unwrap().len(), 22);
    assert_eq!(r["dimensions"].as_array().unwrap().len(), 5);
    assert!(r["servqual"]["weighted"].is_number());
    // A second init into the same folder refuses to overwrite.
    Test::new()
        .arg("init")
        .arg(&target)
        .run()
        .status(2)
        .stderr_contains("audit.yaml");
    Test::new()
        .arg("validate")
        .arg(target.join("audit.yaml"))
        .run()
        .success();
}

#[test]
fn templates_are_listed() {
    Test::new()
        .arg("templates")
        .run()
        .success()
        .stdout_contains("servqual-22");
}

/// Runs `report --output` on a broken audit: exit 2, the message contains every
/// `needle`, and nothing is written (no report file, nothing else beside the audit).
fn assert_bad(audit: Option<&str>, customers: Option<&[u8]>, needles: &[&str]) {
    let dir = scratch(audit, customers);
    let run = Test::new()
        .arg("report")
        .arg(dir.path().join("audit.yaml"))
        .args(["--format", "json", "--output"])
        .arg(dir.path().join("report.json"))
        .watch(dir.path())
        .run();
    run.status(2).stdout_is("").nothing_written();
    for needle in needles {
        run.stderr_contains(needle);
    }
    // validate reports the same problem.
    Test::new()
        .arg("validate")
        .arg(dir.path().join("audit.yaml"))
        .run()
        .status(2);
}

fn audit_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(fixture("audit.yaml")).unwrap();
    assert!(text.contains(from), "fixture lacks {from:?}");
    text.replace(from, to)
}

#[test]
fn bad_unknown_key_suggests_the_right_one() {
    let audit = audit_with("weights:", "weigths:");
    assert_bad(
        Some(&audit),
        None,
        &["audit.yaml:19:1", "weigths", "did you mean `weights`"],
    );
}

#[test]
fn bad_weights_not_summing_to_100() {
    let audit = audit_with("place: 40}", "place: 35}");
    assert_bad(
        Some(&audit),
        None,
        &["audit.yaml:19", "weights do not sum to 100", "\"95\""],
    );
}

#[test]
fn bad_duplicate_item_and_unknown_dimension_are_both_listed() {
    let audit = audit_with("{id: B1, dimension: place", "{id: A2, dimension: plaice");
    assert_bad(
        Some(&audit),
        None,
        &["audit.yaml:17", "duplicate item id", "\"A2\""],
    );
    let audit = audit_with("{id: B1, dimension: place", "{id: B9, dimension: plaice");
    assert_bad(
        Some(&audit),
        None,
        &["unknown dimension", "\"plaice\"", "did you mean `place`"],
    );
}

#[test]
fn bad_period_and_scale() {
    let audit = audit_with("end: 2026-03-31", "end: 2026-13-31");
    assert_bad(
        Some(&audit),
        None,
        &["audit.period.end", "not a date", "2026-13-31"],
    );
    let audit = audit_with("scale: {min: 1, max: 5}", "scale: {min: 5, max: 1}");
    assert_bad(Some(&audit), None, &["scale", "min below max"]);
}

#[test]
fn bad_unknown_instrument() {
    let audit = audit_with("weights:", "instrument: servqual-23\nweights:");
    assert_bad(
        Some(&audit),
        None,
        &["unknown instrument", "servqual-23", "servqual-22"],
    );
}

#[test]
fn bad_answer_outside_the_scale_names_line_and_column() {
    let csv = std::fs::read_to_string(fixture("customers.csv"))
        .unwrap()
        .replace("r2,North,2026-01-06,4,2,5,3", "r2,North,2026-01-06,4,2,5,8");
    assert_bad(
        None,
        Some(csv.as_bytes()),
        &[
            "customers.csv:3:7",
            "P_A2",
            "answer outside the scale",
            "\"8\"",
            "from 1 to 5",
        ],
    );
}

#[test]
fn bad_non_numeric_answers_are_all_listed() {
    let csv = std::fs::read_to_string(fixture("customers.csv"))
        .unwrap()
        .replace("r1,North,2026-01-05,5,4", "r1,North,2026-01-05,five,4")
        .replace("r4,South,2026-02-02,NA,3", "r4,South,2026-02-02,NA,x");
    assert_bad(
        None,
        Some(csv.as_bytes()),
        &[
            "customers.csv:2:4",
            "\"five\"",
            "customers.csv:5:5",
            "\"x\"",
            "2 problems",
        ],
    );
}

#[test]
fn bad_missing_and_unknown_columns() {
    let csv = "id,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_A9\nr1,5,4,4,4,3,4,2,4\n";
    assert_bad(
        None,
        Some(csv.as_bytes()),
        &[
            "column not found",
            "\"P_B2\"",
            "customers.csv:1:9",
            "\"P_A9\"",
        ],
    );
}

#[test]
fn bad_row_length() {
    let csv = "id,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_B2\nr1,5,4,4,4,3,4,2,4\nr2,5,4,4\n";
    assert_bad(None, Some(csv.as_bytes()), &["customers.csv:3", "fields"]);
}

#[test]
fn bad_bytes_in_the_declared_encoding_name_the_line() {
    let audit = audit_with(
        "file: customers.csv",
        "file: customers.csv\n    encoding: utf-8",
    );
    let mut csv = b"id,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_B2\nr1,5,4,4,4,3,4,2,4\n".to_vec();
    csv.extend(b"r\xff2,5,4,4,4,3,4,2,4\n");
    assert_bad(Some(&audit), Some(&csv), &["customers.csv:3", "0xFF"]);
}

#[test]
fn bad_unknown_encoding_label() {
    let audit = audit_with(
        "file: customers.csv",
        "file: customers.csv\n    encoding: klingon",
    );
    assert_bad(
        Some(&audit),
        None,
        &["sources.customers.encoding", "unknown encoding", "klingon"],
    );
}

#[test]
fn bad_missing_data_file() {
    let audit = audit_with("file: customers.csv", "file: nowhere.csv");
    assert_bad(Some(&audit), None, &["nowhere.csv", "cannot open file"]);
}

#[test]
fn bad_importance_points() {
    let audit = audit_with("weights: {service: 60, place: 40}", "weights: survey");
    let csv = "id,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_B2,W_service,W_place\n\
               r1,5,4,4,4,3,4,2,4,60,40\nr2,5,4,4,4,3,4,2,4,60,30\n";
    assert_bad(
        Some(&audit),
        Some(csv.as_bytes()),
        &["customers.csv:3", "do not add up to 100", "\"90\""],
    );
}

#[test]
fn bad_usage_exits_2() {
    Test::new().arg("report").run().status(2);
    Test::new()
        .args(["report", "x.yaml", "--format", "pdf"])
        .run()
        .status(2);
    Test::new()
        .args(["report", "does-not-exist.yaml"])
        .run()
        .status(2)
        .stderr_contains("does-not-exist.yaml");
}

#[test]
fn survey_weights_give_both_weighted_forms() {
    let audit = audit_with("weights: {service: 60, place: 40}", "weights: survey");
    // r1 allocates 50/50, r2 80/20: w = (0.65, 0.35).
    // r1 scores: service mean(-1, 0) = -0.5, place mean(1, -2) = -0.5 -> -0.5.
    // r2 scores: service mean(-2, -2) = -2, place mean(0, -1) = -0.5 -> -1.6 - 0.1 = -1.7.
    let csv = "id,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_B2,W_service,W_place\n\
               r1,5,4,4,4,3,4,2,4,50,50\nr2,4,2,5,3,4,4,1,2,80,20\n";
    let dir = scratch(Some(&audit), Some(csv.as_bytes()));
    let r = json_report(&dir.path().join("audit.yaml"));
    close(&dimension(&r, "service")["weight"], 0.65);
    close(
        &r["servqual"]["weighted_per_respondent"],
        (-0.5 - 1.7) / 2.0,
    );
    // Aggregate form: service gap mean(-1.5, -1) = -1.25, place mean(0.5, -1.5) = -0.5:
    // 0.65 * -1.25 + 0.35 * -0.5 = -0.9875.
    close(&r["servqual"]["weighted"], -0.9875);
}

#[test]
fn validate_lists_problems_of_every_file_report_reads() {
    // A bad gate rule in the audit, a bad checklist state file beside it and a bad
    // survey answer: validate names all three at once.
    let audit = std::fs::read_to_string(fixture("audit.yaml")).unwrap();
    let audit = format!("{audit}\nthresholds:\n  fail: [\"weighted <<< 1\"]\n");
    let customers = std::fs::read_to_string(fixture("customers.csv")).unwrap();
    let mut lines: Vec<String> = customers.lines().map(String::from).collect();
    // The first answer cell of the first data row becomes 9, off the 1..7 scale.
    let cells: Vec<&str> = lines[1].split(',').collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let column = header.iter().position(|h| h.starts_with("E_")).unwrap();
    let mut bad_cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
    bad_cells[column] = "9".into();
    lines[1] = bad_cells.join(",");
    let dir = scratch(
        Some(&audit),
        Some(format!("{}\n", lines.join("\n")).as_bytes()),
    );
    std::fs::write(
        dir.path().join("audit.checklist.yaml"),
        "audit: x\nentries:\n  gap5-tangibles: {status: finished}\n",
    )
    .unwrap();
    Test::new()
        .arg("validate")
        .arg(dir.path().join("audit.yaml"))
        .run()
        .status(2)
        .stderr_contains("thresholds.fail[0]")
        .stderr_contains("audit.checklist.yaml:3")
        .stderr_contains("customers.csv:2:");
}

#[test]
fn bad_delimiter_gives_one_problem_per_pattern_not_one_per_item() {
    // Declared `;` but the file uses `,`: the header is one column, so no item column
    // is found; the message says so once per pattern and shows the header as read.
    let audit = std::fs::read_to_string(fixture("audit.yaml")).unwrap();
    let audit = audit.replace(
        "file: customers.csv",
        "file: customers.csv\n    delimiter: \";\"",
    );
    assert!(audit.contains("delimiter"), "fixture layout changed");
    let dir = scratch(Some(&audit), None);
    let run = Test::new()
        .arg("validate")
        .arg(dir.path().join("audit.yaml"))
        .run();
    run.status(2)
        .stderr_contains("customers.csv:1: no column for any item (pattern `E_{item}`)")
        .stderr_contains("found \"id,site,date,E_A1")
        .stderr_lacks("column not found");
    assert_eq!(run.stderr().matches("no column for any item").count(), 2);
}
