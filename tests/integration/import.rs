//! `servqual import` through the real binary: every tool's layout, re-imports, conflicts,
//! bad rows, encodings, an interrupted import and a held lock.

use std::path::{Path, PathBuf};

use crate::support::{
    self, close, find, fixture_copy, import_test, report_json, summary_count, Run,
};

fn fixture(name: &str) -> PathBuf {
    support::fixture("import", name)
}

/// A copy of the fixture audit (2 customers, 1 manager, 1 visit) in a temporary folder.
fn scratch() -> tempfile::TempDir {
    fixture_copy("import/audit")
}

fn import(dir: &Path, source: &str, export: &Path, extra: &[&str]) -> Run {
    import_test(dir, source, export, extra).run()
}

fn import_env(
    dir: &Path,
    source: &str,
    export: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Run {
    env.iter()
        .fold(import_test(dir, source, export, extra), |test, (k, v)| {
            test.env(k, v)
        })
        .run()
}

fn data(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join("data").join(name)).unwrap()
}

fn text(dir: &Path, name: &str) -> String {
    String::from_utf8(data(dir, name)).unwrap()
}

#[test]
fn qualtrics_export_imports_once() {
    let dir = scratch();
    let map = fixture("qualtrics-map.yaml");
    let run = import(
        dir.path(),
        "customers",
        &fixture("qualtrics.csv"),
        &["--map", map.to_str().unwrap()],
    );
    run.success().stderr_contains("(qualtrics)");
    assert_eq!(summary_count(run.stderr(), "rows read"), 5);
    assert_eq!(summary_count(run.stderr(), "added"), 5);
    // The branch question is the site; nothing else differs from the instrument.
    run.stderr_lacks("drift");
    // Labels became numbers, the recorded date a plain date.
    assert!(text(dir.path(), "customers.csv")
        .lines()
        .any(|l| l.starts_with("R_0Zk3pQ9vB2mLw0,East,2026-10-05,6,7,5,4,")));
    assert_eq!(report_json(dir.path())["respondents"]["customers"], 7);

    // The same export again adds nothing and leaves the file byte for byte as it was.
    let before = data(dir.path(), "customers.csv");
    let again = import_test(
        dir.path(),
        "customers",
        &fixture("qualtrics.csv"),
        &["--map", map.to_str().unwrap()],
    )
    .watch(dir.path())
    .run();
    again.success().nothing_written();
    assert_eq!(summary_count(again.stderr(), "added"), 0);
    assert_eq!(summary_count(again.stderr(), "duplicates"), 5);
    assert_eq!(data(dir.path(), "customers.csv"), before);
    assert_eq!(report_json(dir.path())["respondents"]["customers"], 7);
}

#[test]
fn qualtrics_legacy_export_into_the_management_survey() {
    let dir = scratch();
    let map = fixture("qualtrics-legacy-map.yaml");
    let run = import(
        dir.path(),
        "management",
        &fixture("qualtrics-legacy.csv"),
        &["--map", map.to_str().unwrap()],
    );
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 3);
    // The management file has no date column; the export's dates are left out.
    let file = text(dir.path(), "management.csv");
    assert!(file.starts_with("id,site,M_T1,"));
    assert!(file.contains("\nR_1aBcDeFgHiJkLmN,South,"), "{file}");
    assert_eq!(report_json(dir.path())["respondents"]["management"], 4);
}

#[test]
fn surveymonkey_matrix_columns_find_their_items() {
    let dir = scratch();
    let map = fixture("surveymonkey-map.yaml");
    let run = import(
        dir.path(),
        "customers",
        &fixture("surveymonkey.csv"),
        &["--map", map.to_str().unwrap()],
    );
    run.success().stderr_contains("(surveymonkey)");
    assert_eq!(summary_count(run.stderr(), "added"), 4);
    // Row 1: E_T1..E_T3 "Somewhat agree, Somewhat agree, Strongly agree" and P_T1..P_T3
    // "Somewhat agree, Somewhat agree, Strongly agree" -> 5,5 5,5 7,7 side by side;
    // 10/06/2026 is month/day.
    assert!(
        text(dir.path(), "customers.csv").contains("\n114230000000,East,2026-10-06,5,5,5,5,7,7,"),
        "{}",
        text(dir.path(), "customers.csv")
    );
    assert_eq!(report_json(dir.path())["respondents"]["customers"], 6);
}

#[test]
fn google_forms_in_chinese_match_the_chinese_item_text() {
    let dir = scratch();
    let map = fixture("google-forms-map.yaml");
    let run = import(
        dir.path(),
        "customers",
        &fixture("google-forms.csv"),
        &["--map", map.to_str().unwrap()],
    );
    run.success().stderr_contains("(google-forms)");
    assert_eq!(summary_count(run.stderr(), "added"), 4);
    // The timestamp is the id and gives the date.
    assert!(text(dir.path(), "customers.csv").contains("\n2026/10/07 9:12:00,北区,2026-10-07,7,7,"));
    let r = report_json(dir.path());
    assert_eq!(r["respondents"]["customers"], 6);
    let t1 = find(&r["items"], "id", "T1");
    // E_T1: file 7, 6; export 非常同意 同意 有点同意 非常同意 = 7, 6, 5, 7 -> 38 / 6.
    close(&t1["expected"], 38.0 / 6.0);
    // P_T1: file 7, 4; export 非常同意 非常同意 有点不同意 同意 = 7, 7, 3, 6 -> 34 / 6.
    close(&t1["perceived"], 34.0 / 6.0);
}

#[test]
fn limesurvey_visits_with_code_headings() {
    let dir = scratch();
    let run = import(dir.path(), "shoppers", &fixture("limesurvey.csv"), &[]);
    run.success().stderr_contains("(limesurvey)");
    assert_eq!(summary_count(run.stderr(), "added"), 3);
    let file = text(dir.path(), "visits.csv");
    // Y/N became yes/no; the empty RC5 of visit 2 stays empty (not applicable).
    assert!(
        file.contains("\n1,Ann,North,2026-10-08,yes,5,no,yes,4,"),
        "{file}"
    );
    assert!(
        file.contains("\n2,Ben,South,2026-10-09,yes,5,no,yes,,"),
        "{file}"
    );
    assert_eq!(report_json(dir.path())["shoppers"]["visits"], 4);
}

#[test]
fn excel_workbook_of_visits() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = scratch();
    let path = dir.path().join("visits.xlsx");
    let questions = [
        "RC1", "RC2", "RC3", "RC4", "RC5", "UN1", "UN2", "UN3", "UN4", "HP1", "HP2", "HP3", "HP4",
        "HP5", "RT1", "RT2", "RT3", "RT4", "RT5",
    ];
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["visit", "shopper", "site", "date"]
        .iter()
        .chain(questions.iter())
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=2u32 {
        sheet.write_string(r, 0, format!("X{r}")).unwrap();
        sheet.write_string(r, 1, "Dana").unwrap();
        sheet.write_string(r, 2, "West").unwrap();
        let day = ExcelDateTime::from_ymd(2026, 10, 20 + r as u8).unwrap();
        sheet
            .write_datetime_with_format(r, 3, &day, &date_format)
            .unwrap();
        for (q, id) in questions.iter().enumerate() {
            let c = 4 + q as u16;
            if matches!(*id, "RC2" | "RC5" | "UN2" | "HP2" | "RT4") {
                sheet.write_number(r, c, 4.0).unwrap();
            } else {
                sheet
                    .write_string(r, c, if r == 1 { "是" } else { "No" })
                    .unwrap();
            }
        }
    }
    book.save(&path).unwrap();

    let run = import(dir.path(), "shoppers", &path, &[]);
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    let file = text(dir.path(), "visits.csv");
    // A date cell is a serial number in the workbook; it is written as a date.
    assert!(
        file.contains("\nX1,Dana,West,2026-10-21,yes,4,yes,"),
        "{file}"
    );
    assert!(
        file.contains("\nX2,Dana,West,2026-10-22,no,4,no,"),
        "{file}"
    );
    assert_eq!(report_json(dir.path())["shoppers"]["visits"], 3);
    let again = import(dir.path(), "shoppers", &path, &[]);
    assert_eq!(summary_count(again.stderr(), "duplicates"), 2);
}

#[test]
fn excel_workbook_saved_with_the_1904_date_system() {
    // Our own fixture: the workbook of `excel_workbook_of_visits` (rust_xlsxwriter),
    // its dates written as 1904 serials (44854 and 44855.5) and `date1904="1"` added to
    // the `workbookPr` of xl/workbook.xml, as Excel for Mac saves it.
    let dir = scratch();
    let run = import(dir.path(), "shoppers", &fixture("visits-1904.xlsx"), &[]);
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    let file = text(dir.path(), "visits.csv");
    // In the 1900 system the same serials would be 2022-10-20 and 2022-10-21 (noon: the
    // date column keeps the day).
    assert!(file.contains("\nX1,Dana,West,2026-10-21,yes,4,"), "{file}");
    assert!(file.contains("\nX2,Dana,West,2026-10-22,yes,4,"), "{file}");
}

#[test]
fn excel_csv_with_bom_and_crlf() {
    let dir = scratch();
    let export = fixture("plain-bom.csv");
    assert!(std::fs::read(&export)
        .unwrap()
        .starts_with(b"\xef\xbb\xbfid,"));
    let run = import(dir.path(), "customers", &export, &[]);
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 3);
    let file = text(dir.path(), "customers.csv");
    // The data file keeps its own line endings; no BOM or CR comes along.
    assert!(!file.contains('\r') && !file.contains('\u{feff}'));
    assert!(file.contains("\nP0001,West,2026-10-12,"));
    assert_eq!(report_json(dir.path())["respondents"]["customers"], 5);
}

#[test]
fn gbk_export_from_a_chinese_excel() {
    let dir = scratch();
    // Three rows of 是/否 are too little text to be sure it is GBK and not CP949: declared.
    let run = import(
        dir.path(),
        "shoppers",
        &fixture("visits-gbk.csv"),
        &["--encoding", "gbk"],
    );
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 3);
    let file = text(dir.path(), "visits.csv");
    // 是/否 -> yes/no, the slashed date -> 2026-10-14, N/A -> empty.
    assert!(
        file.contains("\nG001,王芳,北区,2026-10-14,yes,4,"),
        "{file}"
    );
    assert!(file.contains("\nG003,张伟,东区,2026-10-16,yes,,"), "{file}");
    assert_eq!(report_json(dir.path())["shoppers"]["visits"], 4);
}

#[test]
fn a_new_data_file_gets_the_audits_layout() {
    let dir = scratch();
    std::fs::remove_file(dir.path().join("data/visits.csv")).unwrap();
    let run = import(dir.path(), "shoppers", &fixture("limesurvey.csv"), &[]);
    run.success();
    assert!(text(dir.path(), "visits.csv")
        .starts_with("visit,shopper,site,date,RC1,RC2,RC3,RC4,RC5,UN1,"));
    assert_eq!(report_json(dir.path())["shoppers"]["visits"], 3);

    // An empty file is treated the same way.
    std::fs::write(dir.path().join("data/visits.csv"), "").unwrap();
    let run = import(dir.path(), "shoppers", &fixture("limesurvey.csv"), &[]);
    run.success();
    assert_eq!(report_json(dir.path())["shoppers"]["visits"], 3);
}

#[test]
fn a_conflict_is_reported_and_never_replaces() {
    let dir = scratch();
    let before = data(dir.path(), "customers.csv");
    let export = fixture("plain-conflict.csv");
    let run = import_test(dir.path(), "customers", &export, &[])
        .watch(dir.path())
        .run();
    run.status(2)
        .stderr_contains("plain-conflict.csv:2:1: id: conflict")
        .stderr_contains("found \"R00001\"")
        .nothing_written();
    assert_eq!(summary_count(run.stderr(), "conflicts"), 1);
    assert_eq!(summary_count(run.stderr(), "duplicates"), 1);

    let run = import(dir.path(), "customers", &export, &["--skip-invalid"]);
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 1);
    let file = text(dir.path(), "customers.csv");
    // The old R00001 row is still the first data row, unchanged.
    assert!(file.starts_with(std::str::from_utf8(&before).unwrap()));
    assert!(file.ends_with("\n") && file.contains("\nR00003,"));
    let rejects = text(dir.path(), "customers.csv.rejects.csv");
    assert!(rejects.starts_with("export_line,export_id,reason,id,site,"));
    assert!(rejects.contains("\n2,R00001,\"id: conflict"), "{rejects}");
    assert_eq!(report_json(dir.path())["respondents"]["customers"], 3);
}

#[test]
fn invalid_rows_stop_the_import_unless_skipped() {
    let dir = scratch();
    let export = fixture("plain-bad.csv");
    let run = import_test(dir.path(), "customers", &export, &[])
        .watch(dir.path())
        .run();
    // The data file as it was, and no rejects file.
    run.status(2).nothing_written();
    assert_eq!(summary_count(run.stderr(), "rejected"), 3);
    for expected in [
        // file:line:column, the column, the value found, what was expected
        "plain-bad.csv:3:4: E_T1: invalid answer: found \"8\", expected a number from 1 to 7",
        "plain-bad.csv:4:7: P_T2: invalid answer: found \"Love it\", expected a number from 1 to 7",
        "plain-bad.csv:5:1: id: no response id",
        "nothing imported",
    ] {
        run.stderr_contains(expected);
    }

    let run = import(dir.path(), "customers", &export, &["--skip-invalid"]);
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    run.stderr_contains("written to ")
        .stderr_contains("customers.csv.rejects.csv");
    let rejects = text(dir.path(), "customers.csv.rejects.csv");
    assert_eq!(rejects.lines().count(), 4, "{rejects}");
    assert!(rejects.contains("\n3,B0002,\"E_T1: invalid answer: found \"\"8\"\""));
    assert!(rejects.contains("\n5,,\"id: no response id"), "{rejects}");
    assert_eq!(report_json(dir.path())["respondents"]["customers"], 4);
}

#[test]
fn dry_run_writes_nothing_and_drift_is_reported() {
    let dir = scratch();
    let map = fixture("qualtrics-map.yaml");
    let run = import_test(
        dir.path(),
        "customers",
        &fixture("qualtrics-drift.csv"),
        &["--map", map.to_str().unwrap(), "--dry-run"],
    )
    .watch(dir.path())
    .run();
    // The three data files as they were, and nothing beside them.
    run.success()
        .stderr_contains("dry run: nothing written")
        .stderr_contains("3 would be added")
        .nothing_written();
    for drift in [
        "instrument drift",
        "reworded: Q1_7",
        "matches E_R3 only by similar text",
        "added: the export has Q4 (How likely are you to recommend",
        "missing: the export has no column for E_S1, P_S1",
    ] {
        run.stderr_contains(drift);
    }
}

#[test]
fn an_import_killed_before_the_rename_changes_nothing() {
    let dir = scratch();
    let before = data(dir.path(), "customers.csv");
    let run = import_env(
        dir.path(),
        "customers",
        &fixture("plain-bom.csv"),
        &[],
        &[("SERVQUAL_TEST_ABORT_BEFORE_RENAME", "1")],
    );
    run.status(137);
    assert_eq!(data(dir.path(), "customers.csv"), before);
    let leftovers = || {
        std::fs::read_dir(dir.path().join("data"))
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().ends_with(".tmp")
            })
            .count()
    };
    assert_eq!(leftovers(), 1);
    // The dead process's lock is gone with it; the next import cleans up and works.
    let run = import(dir.path(), "customers", &fixture("plain-bom.csv"), &[]);
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 3);
    assert_eq!(leftovers(), 0);
}

#[test]
fn a_held_lock_stops_a_second_import() {
    let dir = scratch();
    let before = data(dir.path(), "customers.csv");
    let lock =
        servqual::import::Lock::acquire(&dir.path().join("data/customers.csv")).expect("lock");
    import(dir.path(), "customers", &fixture("plain-bom.csv"), &[])
        .status(2)
        .stderr_contains("customers.csv.lock")
        .stderr_contains("another import is writing this data file");
    assert_eq!(data(dir.path(), "customers.csv"), before);
    drop(lock);
    let run = import(dir.path(), "customers", &fixture("plain-bom.csv"), &[]);
    run.success();
}

#[test]
fn usage_and_map_errors_name_the_place() {
    let dir = scratch();
    let run = import(dir.path(), "visitors", &fixture("plain-bom.csv"), &[]);
    run.status(2)
        .stderr_contains("--source: unknown source: found \"visitors\"");

    let map = dir.path().join("map.yaml");
    std::fs::write(&map, "site: Branch office\ncolumns:\n  Q1_1: E_T9\n").unwrap();
    let run = import(
        dir.path(),
        "customers",
        &fixture("qualtrics.csv"),
        &["--map", map.to_str().unwrap()],
    );
    run.status(2)
        .stderr_contains("map.yaml: site: the map names a column the export does not have: found \"Branch office\"")
        .stderr_contains("E_T9");

    // Without the map, the export's branch question is taken for the site by its words.
    let run = import(
        dir.path(),
        "customers",
        &fixture("qualtrics.csv"),
        &["--dry-run", "-v"],
    );
    run.success()
        .stderr_contains(
            "Q3 (Which branch did you visit?) -> site (a usual name or question for the site)",
        )
        .stderr_lacks("added: the export has Q3");
}

#[test]
fn an_export_on_stdin_imports_like_the_file() {
    let from_file = scratch();
    let run = import(
        from_file.path(),
        "customers",
        &fixture("plain-bom.csv"),
        &[],
    );
    run.success();

    let from_stdin = scratch();
    import_test(from_stdin.path(), "customers", Path::new("-"), &[])
        .stdin(std::fs::read(fixture("plain-bom.csv")).unwrap())
        .run()
        .success();
    assert_eq!(
        data(from_stdin.path(), "customers.csv"),
        data(from_file.path(), "customers.csv")
    );
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_one_rejectable_row() {
    let dir = scratch();
    let before = data(dir.path(), "customers.csv");
    let bad = std::fs::read_to_string(fixture("plain-bad.csv")).unwrap();
    let mut lines = bad.lines();
    let header = lines.next().unwrap();
    let good = lines.next().unwrap(); // B0001, a valid row
    let fields: Vec<&str> = good.split(',').collect();
    // B0009 lacks its last three answers: 3 fields short of the header.
    let mut short: Vec<String> = fields[..fields.len() - 3]
        .iter()
        .map(|f| f.to_string())
        .collect();
    short[0] = "B0009".into();
    let export = dir.path().join("export.csv");
    std::fs::write(&export, format!("{header}\n{good}\n{}\n", short.join(","))).unwrap();
    let expected = format!(
        "export.csv:3: wrong number of fields: found \"{} fields\", expected {} fields, as in the header",
        fields.len() - 3,
        fields.len()
    );

    let run = import(dir.path(), "customers", &export, &[]);
    run.status(2);
    run.stderr_contains(&expected);
    assert_eq!(
        data(dir.path(), "customers.csv"),
        before,
        "nothing imported"
    );

    let run = import(dir.path(), "customers", &export, &["--skip-invalid"]);
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 1);
    let rejects = text(dir.path(), "customers.csv.rejects.csv");
    assert!(rejects.contains("\n3,B0009,"), "{rejects}");
}

/// A Qualtrics export of `rows` responses made from the fixture's five: three header rows,
/// then blank rows, quoted cells with line breaks, a label with its number, a duplicate,
/// a conflict, an invalid answer and a row without an id, spread through the file.
fn large_qualtrics_export(rows: usize) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(fixture("qualtrics.csv"))
        .unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let (header, answers) = records.split_at(3);
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for h in header {
        writer.write_record(h).unwrap();
    }
    let (id, last_name, first_answer, other_answer) = (8, 9, 18, 44);
    for i in 0..rows {
        let mut row: Vec<String> = answers[i % answers.len()]
            .iter()
            .map(String::from)
            .collect();
        row[id] = format!("R_{i:05}");
        match i {
            150 => row[id] = "R_00010".into(),
            300 => {
                row = answers[20 % answers.len()]
                    .iter()
                    .map(String::from)
                    .collect();
                row[id] = "R_00020".into();
                row[first_answer] = "Strongly disagree".into();
            }
            320 => row[other_answer] = "Love it".into(),
            350 => row[id] = String::new(),
            _ if i % 41 == 7 => row = vec![String::new(); row.len()],
            _ if i % 29 == 3 => row[last_name] = "Smith,\n\"Jr\"".into(),
            _ if i % 31 == 11 => row[first_answer] = " 2 - Disagree ".into(),
            _ => {}
        }
        writer.write_record(&row).unwrap();
    }
    writer.into_inner().unwrap()
}

#[test]
fn an_import_on_every_core_writes_what_the_sequential_import_writes() {
    let export_dir = tempfile::tempdir().unwrap();
    let export = export_dir.path().join("qualtrics-large.csv");
    std::fs::write(&export, large_qualtrics_export(400)).unwrap();
    let map = fixture("qualtrics-map.yaml");
    let map = map.to_str().unwrap();

    // Everything an import leaves: exit codes, summaries, the data file and the rejects,
    // for a first import (skipping the invalid rows) and a second one (all duplicates
    // but the rows that were not imported: blocked).
    let outcome = |threads: &str, chunk: &str| {
        let dir = scratch();
        let env = [
            ("SERVQUAL_THREADS", threads),
            ("SERVQUAL_CHUNK_BYTES", chunk),
        ];
        let first = import_env(
            dir.path(),
            "customers",
            &export,
            &["--map", map, "--skip-invalid"],
            &env,
        );
        let data_after_first = data(dir.path(), "customers.csv");
        let rejects = data(dir.path(), "customers.csv.rejects.csv");
        // Rows edited by hand for the second import to index: a padded id seen before, a
        // row without an id, a quoted cell, and near the end a row of the wrong width
        // (the reading on every core stops there and the rest is read row by row).
        let text = String::from_utf8(data_after_first.clone()).unwrap();
        let row_5 = text.lines().find(|l| l.starts_with("R_00005,")).unwrap();
        let rest = row_5.strip_prefix("R_00005,").unwrap();
        let mut edited = text.clone();
        for extra in [
            format!("  R_00005 ,{rest}"),
            "R_WIDE,East".to_string(),
            format!(",{rest}"),
            format!("\"R_Q,1\",{rest}"),
        ] {
            edited.push_str(&extra);
            edited.push('\n');
        }
        std::fs::write(dir.path().join("data/customers.csv"), edited).unwrap();
        let second = import_env(dir.path(), "customers", &export, &["--map", map], &env);
        let place = dir.path().to_str().unwrap().to_string();
        let summary = |run: &Run| (run.code(), run.stderr().replace(&place, "<audit>"));
        (
            summary(&first),
            data_after_first,
            rejects,
            summary(&second),
            data(dir.path(), "customers.csv"),
        )
    };

    let sequential = outcome("0", "262144");
    let ((code, summary), data_file, rejects, (again_code, again), _) = &sequential;
    assert_eq!(*code, 0, "{summary}");
    // 400 rows, 10 of them blank; one duplicate, one conflict, two invalid.
    let blank = (0..400).filter(|i| i % 41 == 7).count() as u64;
    for (what, n) in [
        ("rows read", 400 - blank),
        ("added", 400 - blank - 4),
        ("duplicates", 1),
        ("conflicts", 1),
        ("rejected", 2),
    ] {
        assert_eq!(summary_count(summary, what), n, "{what}\n{summary}");
    }
    let data_text = String::from_utf8(data_file.clone()).unwrap();
    // Label with its number -> the number; the ignored name with its line break is gone.
    assert!(
        data_text.contains("\nR_00011,East,2026-10-06,2,"),
        "{data_text}"
    );
    assert!(!data_text.contains("Smith"));
    let rejects = String::from_utf8(rejects.clone()).unwrap();
    assert!(
        rejects.contains("Love it") && rejects.contains("R_00020"),
        "{rejects}"
    );
    assert_eq!(*again_code, 2, "{again}");
    assert!(again.contains("conflict"), "{again}");

    // Every core, with chunks from a few bytes (cuts inside rows and quoted fields) to
    // the default: the same, byte for byte.
    for (threads, chunk) in [
        ("2", "7"),
        ("2", "300"),
        ("2", "5000"),
        ("1", "2000"),
        ("2", "262144"),
    ] {
        assert!(
            outcome(threads, chunk) == sequential,
            "{threads} threads, chunks of {chunk} bytes differ from the sequential import"
        );
    }
}

#[cfg(unix)]
#[test]
fn the_data_file_keeps_its_permissions_and_a_new_one_is_not_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = scratch();
    let data = dir.path().join("data/customers.csv");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o640)).unwrap();
    let run = import(
        dir.path(),
        "customers",
        &fixture("plain-bad.csv"),
        &["--skip-invalid"],
    );
    run.success();
    assert_eq!(mode(&data), 0o640);
    // New files (the rejects, and a data file made by the import) read like any other.
    let rejects = dir.path().join("data/customers.csv.rejects.csv");
    assert_eq!(mode(&rejects) & 0o044, 0o044, "{:o}", mode(&rejects));
    std::fs::remove_file(&data).unwrap();
    let run = import(
        dir.path(),
        "customers",
        &fixture("qualtrics.csv"),
        &["--map", fixture("qualtrics-map.yaml").to_str().unwrap()],
    );
    run.success();
    assert_eq!(mode(&data) & 0o644, 0o644, "{:o}", mode(&data));
}
