//! The whole trip a coordinator makes with each survey tool's export: `servqual init`,
//! `servqual import` (no map, or a map of a few lines), `servqual report`; the same
//! export imported twice, a cumulative re-export, and a second survey numbered from 1
//! add nothing twice. Fixtures (invented answers) in `tests/fixtures/import_tour/`,
//! written in the layouts the tools write; workbooks are made from them here.
//!
//! The perception-only fixtures ask T1, R1, S2, P3 and E1 (one item per dimension) of
//! three respondents:
//!
//! | respondent | T1 | R1 | S2 | P3 | E1 |
//! | --- | --- | --- | --- | --- | --- |
//! | 1 | 5 | 4 | 6 | 6 | 5 |
//! | 2 | 7 | 6 | 5 | 6 | 6 |
//! | 3 | 6 | 5 | 7 | 6 | 4 |
//!
//! so mean P is 6, 5, 6, 6, 5; the SERVPERF score is (6+5+6+6+5)/5 = 5.6 unweighted and
//! 0.1·6 + 0.3·5 + 0.2·6 + 0.2·6 + 0.2·5 = 5.5 with the template's weights. A cumulative
//! re-export adds a fourth respondent answering 4 everywhere (T1: 22/4 = 5.5).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{self, close, find, import_test, report_json, summary_count, Test};

fn fixture(name: &str) -> PathBuf {
    support::fixture("import_tour", name)
}

/// A fresh audit from `servqual init`, its sample data removed so the import starts it.
fn audit() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    Test::new()
        .arg("init")
        .arg(dir.path())
        .arg("-q")
        .run()
        .success();
    std::fs::remove_file(dir.path().join("data/customers.csv")).unwrap();
    dir
}

/// `servqual import` of `export` into the customers, with `extra` flags; succeeds.
#[track_caller]
fn import(dir: &Path, export: &Path, extra: &[&str]) -> String {
    let run = import_test(dir, "customers", export, extra).run();
    run.success();
    run.stderr().to_string()
}

/// Imports `export` twice with `extra`: detected as `preset`, all added, then nothing
/// added.
#[track_caller]
fn import_twice(dir: &Path, export: &Path, extra: &[&str], preset: &str, rows: u64) {
    let first = import(dir, export, extra);
    assert!(first.contains(&format!("({preset})")), "{first}");
    assert_eq!(summary_count(&first, "added"), rows, "{first}");
    let again = import(dir, export, extra);
    assert_eq!(summary_count(&again, "added"), 0, "{again}");
    assert_eq!(summary_count(&again, "duplicates"), rows, "{again}");
}

/// The report of a perception-only audit holding the three respondents of the table.
#[track_caller]
fn assert_perception_only(r: &Value) {
    assert_eq!(r["method"], "servperf");
    assert_eq!(r["respondents"]["customers"], 3);
    for (item, mean) in [
        ("T1", 6.0),
        ("R1", 5.0),
        ("S2", 6.0),
        ("P3", 6.0),
        ("E1", 5.0),
    ] {
        let row = find(&r["items"], "id", item);
        assert_eq!(row["n"], 3, "{item}");
        close(&row["perceived"], mean);
    }
    close(&r["servperf"]["unweighted"], 5.6);
    close(&r["servperf"]["weighted"], 5.5);
}

/// The table report says it is a perception-only audit.
#[track_caller]
fn assert_says_perception_only(dir: &Path) {
    Test::new()
        .arg("report")
        .arg(dir.join("audit.yaml"))
        .env("COLUMNS", "80")
        .run()
        .success()
        .stdout_contains("Perception-only audit (SERVPERF)");
}

/// The sites of the data file's rows, in order.
fn sites(dir: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(dir.join("data/customers.csv")).unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect()
}

/// A workbook with the rows of the CSV fixture `name` on its first sheet, as the tool
/// writes its xlsx export: the cells `stamp` reads (with that chrono format) as
/// date-times, whole numbers as numbers, the rest as text.
fn workbook_of(name: &str, stamp: &str, path: &Path) {
    use rust_xlsxwriter::{Format, Workbook};
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, record) in reader.records().enumerate() {
        for (c, cell) in record.unwrap().iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if let Ok(at) = chrono::NaiveDateTime::parse_from_str(cell, stamp) {
                let serial = (at - epoch).num_seconds() as f64 / 86400.0;
                sheet.write_number_with_format(r, c, serial, &when).unwrap();
            } else if let Ok(n) = cell.parse::<u64>() {
                sheet.write_number(r, c, n as f64).unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn qualtrics_current_export_with_expectations_and_a_cumulative_re_export() {
    let dir = audit();
    import_twice(dir.path(), &fixture("qualtrics.csv"), &[], "qualtrics", 3);
    let cumulative = import(dir.path(), &fixture("qualtrics-cumulative.csv"), &[]);
    assert_eq!(summary_count(&cumulative, "added"), 1);
    assert_eq!(summary_count(&cumulative, "duplicates"), 3);
    let r = report_json(dir.path());
    assert_eq!(r["method"], "servqual");
    assert_eq!(r["respondents"]["customers"], 4);
    // P_T1: Somewhat agree, Agree, Neither, Agree = 5, 6, 4, 6; E_T1: 7, 6, 7, 6.
    let t1 = find(&r["items"], "id", "T1");
    close(&t1["perceived"], 21.0 / 4.0);
    close(&t1["expected"], 26.0 / 4.0);
    assert_eq!(sites(dir.path()), ["North", "South", "North", "East"]);
}

#[test]
fn qualtrics_legacy_perception_only_export_needs_no_map() {
    let dir = audit();
    let first = import(dir.path(), &fixture("qualtrics-legacy.csv"), &[]);
    assert!(first.contains("(qualtrics)"), "{first}");
    assert!(
        first.contains("read as a perception-only survey"),
        "{first}"
    );
    // -v and --suggest-map say why each statement's column is a P column.
    let listed = import(
        dir.path(),
        &fixture("qualtrics-legacy.csv"),
        &["-v", "--dry-run"],
    );
    assert!(
        listed.contains("-> P_R1 (item text, the same; P, as the export asks perceptions only)"),
        "{listed}"
    );
    let again = import(dir.path(), &fixture("qualtrics-legacy.csv"), &[]);
    assert_eq!(summary_count(&again, "added"), 0);
    let r = report_json(dir.path());
    assert_perception_only(&r);
    assert_says_perception_only(dir.path());
}

#[test]
fn surveymonkey_csv_with_a_matrix_per_part_and_a_cumulative_re_export() {
    let dir = audit();
    import_twice(
        dir.path(),
        &fixture("surveymonkey.csv"),
        &[],
        "surveymonkey",
        3,
    );
    let cumulative = import(dir.path(), &fixture("surveymonkey-cumulative.csv"), &[]);
    assert_eq!(summary_count(&cumulative, "added"), 1);
    let r = report_json(dir.path());
    assert_eq!(r["respondents"]["customers"], 4);
    // P_T1: 5, 7, 6, 6; E_T1: 7, 6, 7, 6: gap 24/4 - 26/4 = -0.5.
    let t1 = find(&r["items"], "id", "T1");
    close(&t1["perceived"], 6.0);
    close(&t1["expected"], 6.5);
    // The month-first dates SurveyMonkey writes: 10/20/2026 is 20 October.
    let data = support::read(&dir.path().join("data/customers.csv"));
    assert!(data.contains("114230000004,East,2026-10-20,"), "{data}");
}

#[test]
fn surveymonkey_old_layout_perception_only() {
    let dir = audit();
    let first = import(dir.path(), &fixture("surveymonkey-old.csv"), &[]);
    assert!(first.contains("(surveymonkey)"), "{first}");
    let again = import(dir.path(), &fixture("surveymonkey-old.csv"), &[]);
    assert_eq!(summary_count(&again, "added"), 0);
    assert_perception_only(&report_json(dir.path()));
}

#[test]
fn surveymonkey_xlsx_export() {
    let dir = audit();
    let book = dir.path().join("surveymonkey.xlsx");
    workbook_of("surveymonkey.csv", "%m/%d/%Y %I:%M:%S %p", &book);
    let first = import(dir.path(), &book, &[]);
    assert!(first.contains("(surveymonkey)"), "{first}");
    assert_eq!(summary_count(&first, "added"), 3);
    assert_eq!(summary_count(&import(dir.path(), &book, &[]), "added"), 0);
    let r = report_json(dir.path());
    assert_eq!(r["respondents"]["customers"], 3);
    // P_R1: Neither, Agree, Somewhat agree = 4, 6, 5.
    close(&find(&r["items"], "id", "R1")["perceived"], 5.0);
    let data = support::read(&dir.path().join("data/customers.csv"));
    assert!(data.contains("114230000003,North,2026-10-08,"), "{data}");
}

#[test]
fn google_forms_english_two_responses_in_one_second_and_a_cumulative_re_export() {
    let dir = audit();
    let map = fixture("google-forms-map.yaml");
    let map = ["--map", map.to_str().unwrap()];
    import_twice(
        dir.path(),
        &fixture("google-forms.csv"),
        &map,
        "google-forms",
        3,
    );
    assert_perception_only(&report_json(dir.path()));
    let cumulative = import(dir.path(), &fixture("google-forms-cumulative.csv"), &map);
    assert_eq!(summary_count(&cumulative, "added"), 1);
    assert_eq!(summary_count(&cumulative, "duplicates"), 3);
    let r = report_json(dir.path());
    assert_eq!(r["respondents"]["customers"], 4);
    close(&find(&r["items"], "id", "T1")["perceived"], 5.5);
}

#[test]
fn google_forms_spanish_with_day_first_timestamps() {
    let dir = audit();
    let map = fixture("google-forms-es-map.yaml");
    import_twice(
        dir.path(),
        &fixture("google-forms-es.csv"),
        &["--map", map.to_str().unwrap()],
        "google-forms",
        3,
    );
    assert_perception_only(&report_json(dir.path()));
    // 6/10/2026 is 6 October, as the map's date_format says.
    let data = support::read(&dir.path().join("data/customers.csv"));
    assert!(data.contains(",Norte,2026-10-06,"), "{data}");
    // Without the date order, 5/10/2026 is refused, never guessed.
    let guess = audit();
    Test::new()
        .arg("import")
        .arg(guess.path().join("audit.yaml"))
        .args(["--source", "customers"])
        .arg(fixture("google-forms-es.csv"))
        .args([
            "--map",
            fixture("google-forms-map.yaml").to_str().unwrap(),
            "--dry-run",
        ])
        .run()
        .status(2);
}

#[test]
fn google_forms_xlsx_export() {
    let dir = audit();
    let book = dir.path().join("google-forms.xlsx");
    workbook_of("google-forms.csv", "%Y/%m/%d %I:%M:%S %p GMT+1", &book);
    // The workbook's headings are the CSV's: Timestamp and Email Address.
    let map = fixture("google-forms-map.yaml");
    import_twice(
        dir.path(),
        &book,
        &["--map", map.to_str().unwrap()],
        "google-forms",
        3,
    );
    assert_perception_only(&report_json(dir.path()));
    let data = support::read(&dir.path().join("data/customers.csv"));
    assert!(
        data.contains("2026-10-05 09:12:01|bo.chen@example.org,East,2026-10-05,"),
        "{data}"
    );
}

#[test]
fn limesurvey_codes_two_waves_numbered_from_one() {
    let dir = audit();
    import_twice(
        dir.path(),
        &fixture("limesurvey-wave1.csv"),
        &["--id-prefix", "wave1"],
        "limesurvey",
        3,
    );
    let wave2 = import(
        dir.path(),
        &fixture("limesurvey-wave2.csv"),
        &["--id-prefix", "wave2"],
    );
    assert_eq!(summary_count(&wave2, "added"), 2);
    let r = report_json(dir.path());
    assert_eq!(r["respondents"]["customers"], 5);
    // P_T1: 5, 7, 6 and 6, 4.
    close(&find(&r["items"], "id", "T1")["perceived"], 28.0 / 5.0);
    // Without prefixes, the second wave's ids 1 and 2 are conflicts: nothing added, and
    // the message says what to do.
    let bare = audit();
    import(bare.path(), &fixture("limesurvey-wave1.csv"), &[]);
    Test::new()
        .arg("import")
        .arg(bare.path().join("audit.yaml"))
        .args(["--source", "customers"])
        .arg(fixture("limesurvey-wave2.csv"))
        .watch(bare.path())
        .run()
        .status(2)
        .stderr_contains("--id-prefix")
        .nothing_written();
}

#[test]
fn limesurvey_german_headings_perception_only() {
    let dir = audit();
    let map = fixture("limesurvey-de-map.yaml");
    let map = ["--map", map.to_str().unwrap()];
    let first = import(dir.path(), &fixture("limesurvey-de.csv"), &map);
    assert!(first.contains("(limesurvey)"), "{first}");
    assert_eq!(
        summary_count(
            &import(dir.path(), &fixture("limesurvey-de.csv"), &map),
            "added"
        ),
        0
    );
    assert_perception_only(&report_json(dir.path()));
    assert_says_perception_only(dir.path());
    assert_eq!(sites(dir.path()), ["Nord", "Süd", "Nord"]);
}

#[test]
fn limesurvey_german_export_saved_in_windows_1252_is_never_misread() {
    let text = std::fs::read_to_string(fixture("limesurvey-de.csv")).unwrap();
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    let dir = audit();
    let export = dir.path().join("limesurvey-de-1252.csv");
    std::fs::write(&export, &bytes).unwrap();
    let map = fixture("limesurvey-de-map.yaml");
    let map = map.to_str().unwrap();
    // Undeclared: read right when the text leaves no doubt, else refused; never Z黵ich.
    let run = Test::new()
        .arg("import")
        .arg(dir.path().join("audit.yaml"))
        .args(["--source", "customers"])
        .arg(&export)
        .args(["--map", map])
        .run();
    if run.code() == 0 {
        assert_eq!(sites(dir.path()), ["Nord", "Süd", "Nord"]);
        std::fs::remove_file(dir.path().join("data/customers.csv")).unwrap();
    } else {
        run.status(2).stderr_contains("not UTF-8");
    }
    import(
        dir.path(),
        &export,
        &["--map", map, "--encoding", "windows-1252"],
    );
    assert_eq!(sites(dir.path()), ["Nord", "Süd", "Nord"]);
    assert_perception_only(&report_json(dir.path()));
}

#[test]
fn microsoft_forms_csv_month_first_numbered_from_one_and_a_cumulative_re_export() {
    let dir = audit();
    let map = fixture("microsoft-forms-map.yaml");
    let flags = ["--map", map.to_str().unwrap(), "--id-prefix", "spring"];
    import_twice(
        dir.path(),
        &fixture("microsoft-forms.csv"),
        &flags,
        "microsoft-forms",
        3,
    );
    assert_perception_only(&report_json(dir.path()));
    let cumulative = import(
        dir.path(),
        &fixture("microsoft-forms-cumulative.csv"),
        &flags,
    );
    assert_eq!(summary_count(&cumulative, "added"), 1);
    assert_eq!(summary_count(&cumulative, "duplicates"), 3);
    // 10/9/2026 month first is 9 October.
    let data = support::read(&dir.path().join("data/customers.csv"));
    assert!(data.contains("spring-4,South,2026-10-09,"), "{data}");
    assert_eq!(report_json(dir.path())["respondents"]["customers"], 4);
}

#[test]
fn microsoft_forms_xlsx_export() {
    let dir = audit();
    let book = dir.path().join("microsoft-forms.xlsx");
    workbook_of("microsoft-forms.csv", "%m/%d/%Y %H:%M:%S", &book);
    // Date-time cells carry their own date: no date order needed.
    let first = import(dir.path(), &book, &["--id-prefix", "spring"]);
    assert!(first.contains("(microsoft-forms)"), "{first}");
    assert_eq!(summary_count(&first, "added"), 3);
    assert_eq!(
        summary_count(
            &import(dir.path(), &book, &["--id-prefix", "spring"]),
            "added"
        ),
        0
    );
    assert_perception_only(&report_json(dir.path()));
    let data = support::read(&dir.path().join("data/customers.csv"));
    assert!(data.contains("spring-3,North,2026-10-06,"), "{data}");
}

/// `servqual import` of the Google Forms export `csv`, written in a fresh audit's folder,
/// that stops on a question it cannot place.
#[track_caller]
fn refused_as_undecided(csv: &str) {
    let dir = audit();
    let export = dir.path().join("export.csv");
    support::write(&export, csv);
    Test::new()
        .arg("import")
        .arg(dir.path().join("audit.yaml"))
        .args(["--source", "customers"])
        .arg(&export)
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("not whether it asks for expectation or perception")
        .stderr_lacks("perception-only")
        .nothing_written();
}

const T1: &str = "The company's equipment and tools are up to date and in good working order.";
const R1: &str =
    "When the company commits to doing something by a certain time, it gets it done on time.";

#[test]
fn an_export_is_perception_only_only_when_no_question_is_an_expectation_and_none_repeats() {
    // One statement asked as an expectation: the other, unworded, may be E or P.
    refused_as_undecided(&format!(
        "Timestamp,Expectations [{T1}],\"Your visit [{R1}]\"\n2026/10/05 9:12:01 AM GMT+1,7,5\n"
    ));
    // One statement asked twice without words: which is which is not known.
    refused_as_undecided(&format!(
        "Timestamp,Your visit [{T1}],Today [{T1}]\n2026/10/05 9:12:01 AM GMT+1,7,5\n"
    ));
}
