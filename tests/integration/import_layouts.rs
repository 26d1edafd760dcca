//! `servqual import` on the layouts real exports come in: each tool's variants detected
//! without `--preset`, a hint when a file falls back to `plain`, a two-row preset that
//! refuses a respondent as its second header row, dates in a declared order, xlsx
//! date-times with their seconds, answer words in other languages and item texts in any
//! language code.

use std::path::{Path, PathBuf};

use crate::support::{
    self, find, fixture_copy, import_test, report_json, summary_count, Run, Test,
};

fn fixture(name: &str) -> PathBuf {
    support::fixture("import_layouts", name)
}

/// A copy of the layout audit (the import audit, T1 and T2 also in es, ko and de).
fn scratch() -> tempfile::TempDir {
    fixture_copy("import_layouts/audit")
}

fn import(dir: &Path, source: &str, export: &Path, extra: &[&str]) -> Run {
    import_test(dir, source, export, extra).run()
}

/// The path of a map file among the fixtures, as an argument.
fn map(name: &str) -> String {
    fixture(name).to_string_lossy().into_owned()
}

fn text(dir: &Path, name: &str) -> String {
    String::from_utf8(std::fs::read(dir.join("data").join(name)).unwrap()).unwrap()
}

#[test]
fn qualtrics_import_ids_in_single_quotes_are_a_header_row() {
    let dir = scratch();
    let export = fixture("qualtrics-single-quotes.csv");
    let run = import(
        dir.path(),
        "customers",
        &export,
        &["--map", &map("qualtrics-map.yaml")],
    );
    run.success().stderr_contains("(qualtrics)");
    // Two respondents; the `{'ImportId': ...}` row is neither a row read nor a rejection.
    assert_eq!(summary_count(run.stderr(), "rows read"), 2);
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    assert_eq!(summary_count(run.stderr(), "rejected"), 0);
    let file = text(dir.path(), "customers.csv");
    // E_T1 P_T1 E_T2 P_T2: Strongly agree, Somewhat agree, Agree, Agree = 7 5 6 6.
    assert!(
        file.contains("\nR_3kQv81LmZx0aPb2,North,2026-10-14,7,5,6,6,"),
        "{file}"
    );
    assert!(!file.contains("ImportId"), "{file}");
}

#[test]
fn surveymonkeys_old_layout_is_detected_and_reads_its_dates_month_first() {
    let dir = scratch();
    let export = fixture("surveymonkey-old.csv");
    let run = import(
        dir.path(),
        "customers",
        &export,
        &["--map", &map("surveymonkey-map.yaml")],
    );
    run.success().stderr_contains("(surveymonkey)");
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    let file = text(dir.path(), "customers.csv");
    // RespondentID is the id; EndDate `10/07/2026 ...` is 7 October (SurveyMonkey writes
    // month first); the matrix rows under the carried question find their items.
    assert!(
        file.contains("\n3456789012,East,2026-10-07,7,6,6,5,"),
        "{file}"
    );
    assert!(
        file.contains("\n3456789020,West,2026-10-13,6,3,6,6,"),
        "{file}"
    );
    // The tool's own columns are left out, not reported as new questions.
    run.stderr_lacks("added: the export has CollectorID")
        .stderr_lacks("added: the export has LastName");
}

#[test]
fn a_respondent_is_never_taken_for_the_second_header_row() {
    let dir = scratch();
    let export = fixture("surveymonkey-one-header.csv");
    let map = map("surveymonkey-map.yaml");
    for extra in [
        &["--map", &map, "--preset", "surveymonkey"][..],
        &["--map", &map],
    ] {
        import_test(dir.path(), "customers", &export, extra)
            .watch(dir.path())
            .run()
            .status(2)
            .stderr_contains("surveymonkey-one-header.csv:2:3:")
            .stderr_contains("holds a respondent's answers")
            .stderr_contains("10/08/2026 11:00:13 AM")
            .stderr_contains("--preset plain")
            .nothing_written();
    }
}

#[test]
fn google_forms_in_spanish_with_an_ambiguous_date_needs_the_order() {
    let dir = scratch();
    let export = fixture("google-forms-es.csv");
    // 05/10/2026 may be 5 October or May 10: a problem naming the line, the column and
    // the value, and how to declare the order; nothing is written.
    let es_map = map("google-forms-es-map.yaml");
    import_test(dir.path(), "customers", &export, &["--map", &es_map])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("(google-forms)")
        .stderr_contains("google-forms-es.csv:3:1: Marca temporal -> date")
        .stderr_contains("\"05/10/2026 9:03:41\"")
        .stderr_contains("2026-10-05 or 2026-05-10")
        .stderr_contains("--date-order")
        .nothing_written();

    // Declared on the command line: day first. 25/10/2026 reads one way anyway.
    let run = import(
        dir.path(),
        "customers",
        &export,
        &["--map", &es_map, "--date-order", "dmy"],
    );
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    let file = text(dir.path(), "customers.csv");
    // Spanish words: Totalmente de acuerdo 7, De acuerdo 6, "Algo de acuerdo." 5 (the
    // full stop dropped), Ni de acuerdo ni en desacuerdo 4, En desacuerdo 2; the Spanish
    // item texts of the audit matched the grid rows.
    assert!(
        file.contains("\n25/10/2026 10:22:13,Norte,2026-10-25,7,5,6,6,"),
        "{file}"
    );
    assert!(
        file.contains("\n05/10/2026 9:03:41,Sur,2026-10-05,6,4,7,2,"),
        "{file}"
    );
}

#[test]
fn the_maps_date_format_declares_the_order() {
    let dir = scratch();
    let export = fixture("google-forms-es.csv");
    let run = import(
        dir.path(),
        "customers",
        &export,
        &["--map", &map("google-forms-es-dated-map.yaml")],
    );
    run.success();
    assert!(text(dir.path(), "customers.csv").contains("\n05/10/2026 9:03:41,Sur,2026-10-05,"));

    // A format without a day is a problem of the map file.
    let bad = dir.path().join("bad-map.yaml");
    std::fs::write(&bad, "site: Sucursal\ndate_format: \"%m/%Y\"\n").unwrap();
    import_test(
        dir.path(),
        "customers",
        &export,
        &["--map", bad.to_str().unwrap()],
    )
    .run()
    .status(2)
    .stderr_contains("bad-map.yaml: date_format: the map's date format cannot read a date")
    .stderr_contains("%d/%m/%Y");
}

#[test]
fn two_digit_years_are_this_century() {
    let dir = scratch();
    let export = fixture("plain-short-years.csv");
    // Undeclared, 7/2/20 reads two ways.
    import(dir.path(), "customers", &export, &[])
        .status(2)
        .stderr_contains("plain-short-years.csv:2:3: date")
        .stderr_contains("\"7/2/20\"")
        .stderr_contains("2020-02-07 or 2020-07-02");
    // Month first: 2 July 2020, never the year 0007.
    let run = import(dir.path(), "customers", &export, &["--date-order", "mdy"]);
    run.success();
    let file = text(dir.path(), "customers.csv");
    assert!(file.contains("\nY0001,East,2020-07-02,"), "{file}");
    assert!(file.contains("\nY0002,West,2020-12-31,"), "{file}");
}

#[test]
fn google_forms_in_korean_with_korean_words_and_item_texts() {
    let dir = scratch();
    let export = fixture("google-forms-ko.csv");
    let run = import(
        dir.path(),
        "customers",
        &export,
        &["--map", &map("google-forms-ko-map.yaml")],
    );
    run.success().stderr_contains("(google-forms)");
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    let file = text(dir.path(), "customers.csv");
    // 타임스탬프 `2026. 10. 5 오후 3:28:46` is the id and gives the date. 기대 (E) and
    // 경험 (P) tell the grids apart; 매우 그렇다 7, "그렇다." 6, 보통이다 4, 약간 그렇다 5,
    // 매우그렇다 (no space) 7, 그렇지 않다 2.
    assert!(
        file.contains("\n2026. 10. 5 오후 3:28:46,강남,2026-10-05,7,4,6,6,"),
        "{file}"
    );
    assert!(
        file.contains("\n2026. 10. 6 오전 9:02:10,종로,2026-10-06,6,5,7,2,"),
        "{file}"
    );
    // The report reads what the import wrote; its item texts stay English and Chinese.
    let r = report_json(dir.path());
    assert_eq!(r["respondents"]["customers"], 4);
    let t1 = &find(&r["items"], "id", "T1")["text"];
    assert_eq!(
        t1["en"],
        "The company's equipment and tools are up to date and in good working order."
    );
    assert!(t1.get("ko").is_none(), "{t1}");
}

#[test]
fn limesurvey_with_german_headings_is_detected() {
    let dir = scratch();
    let export = fixture("limesurvey-de.csv");
    let run = import(
        dir.path(),
        "management",
        &export,
        &["--map", &map("limesurvey-de-map.yaml")],
    );
    run.success().stderr_contains("(limesurvey)");
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    // Antwort ID is the id; Datum Abgeschickt, Letzte Seite, Start-Sprache and
    // Zufallsstartwert are LimeSurvey's own; German words: Stimme voll zu 7,
    // "Stimme eher zu." 5, Stimme zu 6, Weder noch 4.
    let file = text(dir.path(), "management.csv");
    assert!(file.contains("\n1,Mitte,7,5,"), "{file}");
    assert!(file.contains("\n2,Nord,6,4,"), "{file}");
    run.stderr_lacks("added: the export has Zufallsstartwert");
}

#[test]
fn a_file_like_a_tools_says_which_preset_it_resembles() {
    let dir = scratch();
    let export = fixture("limesurvey-fr-no-last-page.csv");
    import(dir.path(), "customers", &export, &[])
        .status(2)
        .stderr_contains("read as --preset plain, though it looks like --preset limesurvey")
        .stderr_contains("ID de la réponse, Date de soumission")
        .stderr_contains("not a last-page column");
    // Told, it imports: LimeSurvey's French headings are its own columns.
    let run = import(
        dir.path(),
        "customers",
        &export,
        &["--preset", "limesurvey"],
    );
    run.success().stderr_lacks("looks like");
    assert!(text(dir.path(), "customers.csv").contains("\n1,,2026-10-12,6,5,"));
}

/// A workbook of `rows` (strings; a cell `@<serial>` is a date-time of that Excel serial
/// number, a cell `#<n>` a number) on its first sheet, at `path`.
fn workbook(path: &Path, rows: &[Vec<&str>]) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let stamp = Format::new().set_num_format("dd/mm/yyyy hh:mm:ss");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if let Some(serial) = cell.strip_prefix('@') {
                let serial: f64 = serial.parse().unwrap();
                sheet
                    .write_number_with_format(r, c, serial, &stamp)
                    .unwrap();
            } else if let Some(n) = cell.strip_prefix('#') {
                sheet.write_number(r, c, n.parse::<f64>().unwrap()).unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r, c, *cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

const T1: &str = "The company's equipment and tools are up to date and in good working order.";

#[test]
fn xlsx_timestamps_keep_their_seconds() {
    let dir = scratch();
    let path = dir.path().join("google-forms.xlsx");
    let e = format!("What an excellent bank should offer [{T1}]");
    let p = format!("What Harbour Bank actually offers [{T1}]");
    // Three responses on 5 October 2026 (serial 46300), seconds apart: 09:12:33,
    // 09:12:34 and 09:12:34.5 (0.5 s is 1/172800 of a day).
    let base = 46300.0 + (9.0 * 3600.0 + 12.0 * 60.0 + 33.0) / 86400.0;
    let stamps: Vec<String> = [0.0, 1.0, 1.5]
        .iter()
        .map(|s| format!("@{}", base + s / 86400.0))
        .collect();
    let mut rows = vec![vec!["Timestamp", "site", e.as_str(), p.as_str()]];
    for (stamp, answers) in stamps.iter().zip([["7", "6"], ["5", "5"], ["6", "4"]]) {
        rows.push(vec![stamp.as_str(), "East", answers[0], answers[1]]);
    }
    workbook(&path, &rows);
    let run = import(dir.path(), "customers", &path, &[]);
    run.success().stderr_contains("(google-forms)");
    // Three ids, none a conflict of another: the time of day is kept to the millisecond.
    assert_eq!(summary_count(run.stderr(), "added"), 3);
    assert_eq!(summary_count(run.stderr(), "conflicts"), 0);
    let file = text(dir.path(), "customers.csv");
    assert!(
        file.contains("\n2026-10-05 09:12:33,East,2026-10-05,7,6,"),
        "{file}"
    );
    assert!(
        file.contains("\n2026-10-05 09:12:34,East,2026-10-05,5,5,"),
        "{file}"
    );
    assert!(
        file.contains("\n2026-10-05 09:12:34.500,East,2026-10-05,6,4,"),
        "{file}"
    );
    // The same workbook again adds nothing.
    let again = import(dir.path(), "customers", &path, &[]);
    assert_eq!(summary_count(again.stderr(), "duplicates"), 3);
}

#[test]
fn microsoft_forms_workbook() {
    let dir = scratch();
    let path = dir.path().join("microsoft-forms.xlsx");
    let e = format!("An excellent bank should: {T1}");
    let p = format!("Harbour Bank actually: {T1}");
    let start = format!("@{}", 46301.0 + 0.375);
    let done = format!("@{}", 46301.0 + 0.375 + 95.0 / 86400.0);
    workbook(
        &path,
        &[
            vec![
                "ID",
                "Start time",
                "Completion time",
                "Email",
                "Name",
                "Last modified time",
                "site",
                &e,
                &p,
            ],
            vec![
                "#1",
                &start,
                &done,
                "anonymous",
                "",
                "",
                "South",
                "Strongly agree",
                "Somewhat agree",
            ],
        ],
    );
    let run = import(dir.path(), "customers", &path, &[]);
    run.success().stderr_contains("(microsoft-forms)");
    assert_eq!(summary_count(run.stderr(), "added"), 1);
    // ID is the id; Completion time (6 October, 09:01:35) the date; Email and Name are
    // the tool's own.
    let file = text(dir.path(), "customers.csv");
    assert!(file.contains("\n1,South,2026-10-06,7,5,"), "{file}");
    run.stderr_lacks("added: the export has Email");
}

#[test]
fn surveymonkey_workbook_with_two_header_rows() {
    let dir = scratch();
    let path = dir.path().join("surveymonkey.xlsx");
    let q = "How far do you agree that an excellent bank should offer each of the following?";
    let day = format!("@{}", 46302.0 + 0.6);
    workbook(
        &path,
        &[
            vec![
                "Respondent ID",
                "Collector ID",
                "Start Date",
                "End Date",
                "IP Address",
                "Which branch did you visit?",
                q,
            ],
            vec!["", "", "", "", "", "Response", T1],
            vec![
                "#114230000077",
                "#431234567",
                &day,
                &day,
                "192.0.2.9",
                "West",
                "Agree",
            ],
        ],
    );
    let run = import(
        dir.path(),
        "customers",
        &path,
        &["--map", &map("surveymonkey-map.yaml")],
    );
    run.success().stderr_contains("(surveymonkey)");
    let file = text(dir.path(), "customers.csv");
    // A whole-number id stays whole; the date-time cell gives its day.
    assert!(file.contains("\n114230000077,West,2026-10-07,6,"), "{file}");
}

#[test]
fn microsoft_forms_is_a_preset_of_its_own() {
    Test::new()
        .args(["import", "--help"])
        .run()
        .success()
        .stdout_contains("microsoft-forms")
        .stdout_contains("--date-order");
}

#[test]
fn kano_answers_match_after_a_trailing_full_stop() {
    let doc = Test::new()
        .arg("kano")
        .arg(fixture("kano-ko.yaml"))
        .args(["--format", "json"])
        .run()
        .success()
        .json();
    // "당연하다." / "싫다." and the plain words count alike: all three must-be.
    let toilets = find(&doc["features"], "id", "clean_toilets");
    assert_eq!(toilets["category"], "M");
    assert_eq!(toilets["counts"]["M"], 3);
    // A feature written in Korean only is shown in Korean.
    assert_eq!(
        find(&doc["features"], "id", "queue_sms")["text"],
        "대기 순서 문자 알림"
    );
}

#[test]
fn a_forms_questions_in_korean_match_a_korean_export() {
    let dir = scratch();
    std::fs::copy(fixture("form-ko.yaml"), dir.path().join("form-ko.yaml")).unwrap();
    let audit = dir.path().join("audit.yaml");
    let text_of_audit = std::fs::read_to_string(&audit).unwrap();
    assert!(text_of_audit.contains("form: form-retail"));
    std::fs::write(
        &audit,
        text_of_audit.replace("form: form-retail", "form: form-ko.yaml"),
    )
    .unwrap();
    let run = import(
        dir.path(),
        "shoppers",
        &fixture("visits-ko.csv"),
        &["--map", &map("visits-ko-map.yaml"), "-v"],
    );
    // RC1 and RC2 are found by their Korean texts (`ko:` in the form), the others by
    // code; 예 and 아니요 are yes and no.
    run.success()
        .stderr_contains("-> RC1 (item text, the same)")
        .stderr_contains("-> RC2 (item text, the same)");
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    let file = text(dir.path(), "visits.csv");
    assert!(
        file.contains("\n2026. 10. 7 오후 2:10:00,김민지,강남,2026-10-07,yes,4,yes,"),
        "{file}"
    );
    assert!(
        file.contains("\n2026. 10. 8 오전 11:05:30,박서준,종로,2026-10-08,no,5,no,"),
        "{file}"
    );
    assert_eq!(report_json(dir.path())["shoppers"]["visits"], 3);
}
