//! `servqual import` on exports written the way real survey tools write them, for their
//! ids: Google Forms' one-second timestamps (two responses in one second, with and
//! without e-mail addresses), LimeSurvey and Microsoft Forms numbering every survey from
//! 1, cumulative re-exports, Qualtrics' unfinished and preview responses (`keep:`), and
//! spreadsheet headings with odd spaces and repeated names. Also `-v`, the compact drift,
//! the usual site columns and `--suggest-map`. Fixtures: `tests/fixtures/import_ids/`.

use std::path::{Path, PathBuf};

use crate::support::{self, fixture_copy, import_test, summary_count, Run, Test};

fn fixture(name: &str) -> PathBuf {
    support::fixture("import_ids", name)
}

/// The import tests' audit (2 customers, 1 manager, 1 visit) in a temporary folder.
fn scratch() -> tempfile::TempDir {
    fixture_copy("import/audit")
}

/// `servqual import <dir>/audit.yaml --source customers <export> <extra>`, to be run.
fn customers_import(dir: &Path, export: &Path, extra: &[&str]) -> Test {
    import_test(dir, "customers", export, extra)
}

fn import(dir: &Path, export: &Path, extra: &[&str]) -> Run {
    customers_import(dir, export, extra).run()
}

/// A map file in `dir`, for `--map`.
fn map(dir: &Path, name: &str, yaml: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, yaml).unwrap();
    path.to_str().unwrap().to_string()
}

fn customers(dir: &Path) -> String {
    support::read(&dir.join("data/customers.csv"))
}

/// The ids of the data file's rows, in order.
fn ids(dir: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(dir.join("data/customers.csv")).unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect()
}

/// The customers the report counts.
fn respondents(dir: &Path) -> u64 {
    Test::new()
        .arg("report")
        .arg(dir.join("audit.yaml"))
        .args(["--format", "json"])
        .run()
        .success()
        .json()["respondents"]["customers"]
        .as_u64()
        .unwrap()
}

#[test]
fn google_forms_responses_in_one_second_need_a_composite_id() {
    let dir = scratch();
    // The timestamp alone: two pairs of responses share a second, and the import stops.
    customers_import(dir.path(), &fixture("google-forms.csv"), &[])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("google-forms.csv:3:1: Timestamp: conflict: this id is already at line 2 of this export")
        .stderr_contains("a list of columns or `content` as `id:` in a map file")
        .nothing_written();

    // Timestamp and e-mail address together are unique; the timestamp is the date too.
    let m = map(
        dir.path(),
        "gf.yaml",
        "id: [Timestamp, Email Address]\ndate: Timestamp\n",
    );
    let run = import(dir.path(), &fixture("google-forms.csv"), &["--map", &m]);
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 5);
    let written = customers(dir.path());
    assert!(
        written.contains(
            "\n2026/10/05 9:12:01 AM GMT+2|ana.lima@example.org,North,2026-10-05,7,6,6,5,"
        ),
        "{written}"
    );
    assert!(written.contains("\n2026/10/05 9:12:01 AM GMT+2|bo.chen@example.org,East,"));

    // A second export of the same survey adds nothing and says where the rows were.
    let run = import(dir.path(), &fixture("google-forms.csv"), &["--map", &m]);
    run.success()
        .stderr_contains("duplicates  5 (all already in the data file)");
    assert_eq!(summary_count(run.stderr(), "added"), 0);
    assert_eq!(customers(dir.path()), written);

    // The cumulative export (every response so far) adds the three new ones only, two of
    // them again in one second.
    let run = import(
        dir.path(),
        &fixture("google-forms-cumulative.csv"),
        &["--map", &m],
    );
    run.success()
        .stderr_contains("duplicates  5 (all already in the data file)");
    assert_eq!(summary_count(run.stderr(), "rows read"), 8);
    assert_eq!(summary_count(run.stderr(), "added"), 3);
    assert!(customers(dir.path()).starts_with(&written));
    assert_eq!(respondents(dir.path()), 2 + 8);
}

#[test]
fn content_ids_tell_apart_anonymous_responses_of_one_second() {
    let dir = scratch();
    let m = map(dir.path(), "content.yaml", "id: content\n");
    let run = import(
        dir.path(),
        &fixture("google-forms-anonymous.csv"),
        &["--map", &m],
    );
    run.success().stderr_contains("conflicts   0");
    assert_eq!(summary_count(run.stderr(), "added"), 5);
    // The tool's own id cell, then 16 hex digits of the row's content.
    let added: Vec<String> = ids(dir.path()).split_off(2);
    assert_eq!(added.len(), 5);
    for (id, stamp) in added.iter().zip([
        "2026/10/05 9:12:01 AM GMT+2",
        "2026/10/05 9:12:01 AM GMT+2",
        "2026/10/05 9:14:37 AM GMT+2",
        "2026/10/06 4:02:10 PM GMT+2",
        "2026/10/06 4:02:10 PM GMT+2",
    ]) {
        let (cell, digest) = id.split_once('|').unwrap();
        assert_eq!(cell, stamp);
        assert_eq!(digest.len(), 16, "{id}");
        assert!(digest.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    assert_ne!(added[0], added[1]);
    assert_ne!(added[3], added[4]);

    // The ids depend on the rows alone: another data file gets the same ones.
    let other = scratch();
    import(
        other.path(),
        &fixture("google-forms-anonymous.csv"),
        &["--map", &m],
    )
    .success();
    assert_eq!(ids(other.path()).split_off(2), added);

    // Re-imports: the same export adds nothing; the cumulative one adds the new three.
    let before = customers(dir.path());
    let run = import(
        dir.path(),
        &fixture("google-forms-anonymous.csv"),
        &["--map", &m],
    );
    run.success()
        .stderr_contains("duplicates  5 (all already in the data file)");
    assert_eq!(customers(dir.path()), before);
    let run = import(
        dir.path(),
        &fixture("google-forms-anonymous-cumulative.csv"),
        &["--map", &m],
    );
    run.success().stderr_contains("conflicts   0");
    assert_eq!(summary_count(run.stderr(), "added"), 3);
    assert_eq!(respondents(dir.path()), 2 + 8);
}

#[test]
fn limesurvey_surveys_numbered_from_one_are_kept_apart_by_a_prefix() {
    let dir = scratch();
    let run = import(
        dir.path(),
        &fixture("limesurvey-wave1.csv"),
        &["--id-prefix", "wave1"],
    );
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 3);
    assert_eq!(ids(dir.path())[2..], ["wave1-1", "wave1-2", "wave1-3"]);

    // The second survey's 1, 2, 3 without a prefix would be taken for the first's.
    let plain = scratch();
    import(plain.path(), &fixture("limesurvey-wave1.csv"), &[]).success();
    customers_import(plain.path(), &fixture("limesurvey-wave2.csv"), &[])
        .watch(plain.path())
        .run()
        .status(2)
        .stderr_contains("limesurvey-wave2.csv:2:1: id: conflict: this id is already at line 4 of")
        .stderr_contains("--id-prefix")
        .nothing_written();

    // With its own prefix, from the map file this time, it is added in full.
    let m = map(dir.path(), "wave2.yaml", "id_prefix: wave2\n");
    let run = import(dir.path(), &fixture("limesurvey-wave2.csv"), &["--map", &m]);
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 3);
    assert_eq!(ids(dir.path())[5..], ["wave2-1", "wave2-2", "wave2-3"]);
    let written = customers(dir.path());
    assert!(
        written.contains("\nwave2-3,South,2026-11-04,4,4,5,3,"),
        "{written}"
    );
    // The flag wins over the map; the same survey again adds nothing.
    let run = import(
        dir.path(),
        &fixture("limesurvey-wave2.csv"),
        &["--map", &m, "--id-prefix", "wave2"],
    );
    run.success()
        .stderr_contains("duplicates  3 (all already in the data file)");
    assert_eq!(customers(dir.path()), written);
    assert_eq!(respondents(dir.path()), 2 + 6);

    // A prefix is text on one line.
    import(
        dir.path(),
        &fixture("limesurvey-wave2.csv"),
        &["--id-prefix", " "],
    )
    .status(2)
    .stderr_contains("--id-prefix: an id prefix must be text on one line");
}

#[test]
fn a_cumulative_microsoft_forms_export_adds_only_the_new_responses() {
    let dir = scratch();
    let m = map(
        dir.path(),
        "ms.yaml",
        "date: Completion time\ndate_format: mdy\nignore: [Start time, Email, Name]\nid_prefix: ms-oct\n",
    );
    let run = import(dir.path(), &fixture("microsoft-forms.csv"), &["--map", &m]);
    run.success().stderr_lacks("added: the export has");
    assert_eq!(summary_count(run.stderr(), "added"), 4);
    let first = customers(dir.path());
    assert!(
        first.contains("\nms-oct-3,South,2026-10-06,6,2,6,5,"),
        "{first}"
    );

    let run = import(
        dir.path(),
        &fixture("microsoft-forms-cumulative.csv"),
        &["--map", &m],
    );
    run.success()
        .stderr_contains("duplicates  4 (all already in the data file)");
    assert_eq!(summary_count(run.stderr(), "rows read"), 6);
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    let second = customers(dir.path());
    assert!(second.starts_with(&first));
    assert!(
        second.ends_with(
            "\nms-oct-6,South,2026-10-09,7,7,7,6,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n"
        ),
        "{second}"
    );
    assert_eq!(respondents(dir.path()), 2 + 6);
}

#[test]
fn one_column_can_be_the_id_and_the_date() {
    let dir = scratch();
    let m = map(
        dir.path(),
        "ms.yaml",
        "id: Completion time\ndate: Completion time\ndate_format: mdy\nignore: [ID, Start time, Email, Name]\n",
    );
    let run = import(
        dir.path(),
        &fixture("microsoft-forms.csv"),
        &["--map", &m, "-v"],
    );
    run.success()
        .stderr_contains("column 3 Completion time -> id and date (map file)");
    assert_eq!(summary_count(run.stderr(), "added"), 4);
    assert!(customers(dir.path()).contains("\n10/5/2026 9:05,North,2026-10-05,"));
}

#[test]
fn keep_leaves_out_unfinished_and_preview_responses() {
    let dir = scratch();
    // `True` unquoted is a YAML boolean; it still matches the cell `True`.
    let m = map(
        dir.path(),
        "keep.yaml",
        "keep:\n  Finished: True\n  distributionchannel: [anonymous, email]\n",
    );
    let run = import(
        dir.path(),
        &fixture("qualtrics-finished.csv"),
        &["--map", &m, "-v"],
    );
    run.success()
        .stderr_contains("column 6 Finished: the tool's own column, not imported; rows kept: true")
        .stderr_contains("column 9 DistributionChannel (Distribution Channel): the tool's own column, not imported; rows kept: anonymous or email")
        .stderr_contains("filtered    2 (left out by `keep:` in the map file)")
        .stderr_contains("rejected    0");
    assert_eq!(summary_count(run.stderr(), "rows read"), 4);
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    assert_eq!(
        ids(dir.path())[2..],
        ["R_1aFinishedAnon", "R_4dFinishedMail"]
    );
    // Without the filter, the preview and the partial response come in too.
    let all = scratch();
    let run = import(all.path(), &fixture("qualtrics-finished.csv"), &[]);
    run.success().stderr_lacks("filtered");
    assert_eq!(summary_count(run.stderr(), "added"), 4);

    let bad = map(dir.path(), "bad.yaml", "keep:\n  Finshed: True\n");
    import(
        dir.path(),
        &fixture("qualtrics-finished.csv"),
        &["--map", &bad],
    )
    .status(2)
    .stderr_contains("keep.Finshed: the map names a column the export does not have")
    .stderr_contains("did you mean `Finished`?");
}

#[test]
fn map_keys_match_headings_with_odd_spaces_and_name_repeated_ones() {
    let dir = scratch();
    let export = fixture("spreadsheet-headings.csv");
    // The export writes `Response<no-break space>no` and `Branch<tab>visited`.
    let m = map(
        dir.path(),
        "sheet.yaml",
        "id: response  no\nsite: BRANCH VISITED\nignore: [Comments#1, \"comments #2\"]\n",
    );
    let run = import(dir.path(), &export, &["--map", &m, "-v"]);
    run.success()
        .stderr_contains("column 6 Comments: ignored by the map file")
        .stderr_contains("column 9 Comments: ignored by the map file")
        .stderr_lacks("added: the export has");
    assert_eq!(ids(dir.path())[2..], ["S-01", "S-02"]);

    // A heading of two columns, and a typo: problems naming the place and what to write.
    let m = map(
        dir.path(),
        "bad.yaml",
        "id: Response no\nsite: Branch visted\nignore: [Comments]\n",
    );
    customers_import(dir.path(), &export, &["--map", &m])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("bad.yaml: ignore: the map names a heading several columns of the export have: found \"Comments\", expected one column, but 2 columns have this heading: column 6 (Comments), column 9 (Comments); name one as `Comments#1`, `Comments#2`")
        .stderr_contains("bad.yaml: site: the map names a column the export does not have: found \"Branch visted\", expected a column key or question text of the export (did you mean `Branch visited`?)")
        .nothing_written();
}

#[test]
fn verbose_lists_every_column_and_how_it_was_matched() {
    let dir = scratch();
    let m = map(
        dir.path(),
        "ms.yaml",
        "date: Completion time\ndate_format: mdy\nignore: [Start time, Email]\n",
    );
    let run = import(
        dir.path(),
        &fixture("microsoft-forms.csv"),
        &["--map", &m, "--dry-run", "-v"],
    );
    run.success()
        .stderr_contains("columns of ")
        .stderr_contains("  column 1 ID -> id (the tool's name for it)")
        .stderr_contains("  column 2 Start time: ignored by the map file")
        .stderr_contains("  column 3 Completion time -> date (map file)")
        .stderr_contains("  column 5 Name: the tool's own column, not imported")
        .stderr_contains("  column 6 Which branch did you visit? -> site (a usual name or question for the site)")
        .stderr_contains("  column 7 Expectations - The company's equipment and tools are up to date and in good working order. -> E_T1 (item text, the same)")
        .stderr_contains("  column 10 Perceptions - The company's premises are clean, comfortable and pleasant to be in. -> P_T2 (item text, the same)");
    let listed = run
        .stderr()
        .lines()
        .filter(|l| l.starts_with("  column "))
        .count();
    assert_eq!(listed, 10);
    // Without -v, no listing.
    import(
        dir.path(),
        &fixture("microsoft-forms.csv"),
        &["--map", &m, "--dry-run"],
    )
    .success()
    .stderr_lacks("  column 1 ");
}

#[test]
fn drift_is_a_summary_per_kind_and_in_full_with_verbose() {
    let dir = scratch();
    // Eight questions the audit does not ask, and 42 of its 44 E/P columns missing.
    let mut header = vec![
        "id".to_string(),
        "site".into(),
        "date".into(),
        "E_T1".into(),
        "P_T1".into(),
    ];
    let mut row = vec![
        "X1".to_string(),
        "North".into(),
        "2026-10-05".into(),
        "6".into(),
        "5".into(),
    ];
    for q in 1..=8 {
        header.push(format!("Extra question {q}"));
        row.push("yes".into());
    }
    let export = dir.path().join("export.csv");
    std::fs::write(
        &export,
        format!("{}\n{}\n", header.join(","), row.join(",")),
    )
    .unwrap();
    let run = import(dir.path(), &export, &["--dry-run"]);
    run.success()
        .stderr_contains("(-v lists every column):")
        .stderr_contains("added: the export has Extra question 1, Extra question 2, Extra question 3, Extra question 4, Extra question 5 and 3 more (8 columns, not asked by the audit); they are not imported")
        .stderr_contains("missing: the export has no column for E_T2, P_T2, E_T3, P_T3, E_T4 and 37 more (42 data columns, left empty)");
    let drift_lines = run
        .stderr()
        .lines()
        .filter(|l| l.starts_with("  added:") || l.starts_with("  missing:"))
        .count();
    assert_eq!(drift_lines, 2);

    let run = import(dir.path(), &export, &["--dry-run", "-v"]);
    run.success()
        .stderr_contains("added: the export has Extra question 8 which the audit does not ask")
        .stderr_contains("missing: the export has no column for E_T2, P_T2, E_T3,")
        .stderr_contains("E_E5, P_E5 (left empty)");
    let added = run
        .stderr()
        .lines()
        .filter(|l| l.starts_with("  added:"))
        .count();
    assert_eq!(added, 8);
}

#[test]
fn an_import_without_any_site_says_so() {
    let dir = scratch();
    let export = dir.path().join("export.csv");
    std::fs::write(
        &export,
        "id,date,E_T1,P_T1\nN1,2026-10-05,6,5\nN2,2026-10-05,7,7\n",
    )
    .unwrap();
    let run = import(dir.path(), &export, &[]);
    run.success().stderr_contains(
        "warning: no row has a site: no column of the export gives it (name it with `site:` in the map file)",
    );
    // A site column that is empty in every row is told the same way.
    std::fs::write(
        &export,
        "id,Store,date,E_T1,P_T1\nN3,,2026-10-05,6,5\nN4, ,2026-10-05,7,7\n",
    )
    .unwrap();
    import(dir.path(), &export, &[])
        .success()
        .stderr_contains("warning: no row has a site: the site column Store is empty in every row");
    // One row with a site is enough.
    std::fs::write(
        &export,
        "id,Filiale,date,E_T1,P_T1\nN5,Nord,2026-10-05,6,5\nN6,,2026-10-05,7,7\n",
    )
    .unwrap();
    import(dir.path(), &export, &[])
        .success()
        .stderr_lacks("warning: no row has a site");
    assert!(customers(dir.path()).contains("\nN5,Nord,2026-10-05,6,5,"));
}

/// What the report refuses, the import refuses: a row without a date when the data file
/// has a date column, and importance points that break the constant-sum rule.
#[test]
fn the_import_rejects_rows_the_report_would_refuse() {
    let dir = scratch();
    let export = dir.path().join("export.csv");
    // No date column at all: stopped before any row is read.
    std::fs::write(&export, "id,site,E_T1,P_T1\nD1,North,6,5\n").unwrap();
    customers_import(dir.path(), &export, &[])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("export.csv:1: the export has no date column: expected a column with the date of every row, for the data file's `date` column (name it with `date:` in the map file)")
        .nothing_written();
    // An empty date: the reader's own message, at the export's date cell.
    std::fs::write(
        &export,
        "id,site,date,E_T1,P_T1\nD1,North,2026-10-05,6,5\nD2,North,,6,5\n",
    )
    .unwrap();
    customers_import(dir.path(), &export, &[])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("export.csv:3:3: date: a row without a date")
        .nothing_written();
    let run = import(dir.path(), &export, &["--skip-invalid"]);
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 1);
    assert_eq!(respondents(dir.path()), 3);

    // Importance points, into a new data file with W columns: some dimensions only, or
    // not 100 in all, are refused as the survey reader refuses them.
    let fresh = scratch();
    std::fs::remove_file(fresh.path().join("data/customers.csv")).unwrap();
    let w = "W_tangibles,W_reliability,W_responsiveness,W_professionalism,W_empathy";
    std::fs::write(
        &export,
        format!(
            "id,site,date,E_T1,P_T1,{w}\n\
             P1,North,2026-10-05,6,5,20,20,20,20,20\n\
             P2,North,2026-10-05,6,5,50,20,,,\n\
             P3,North,2026-10-05,6,5,50,20,20,20,20\n\
             P4,North,2026-10-05,6,5,,,,,\n"
        ),
    )
    .unwrap();
    let run = import(fresh.path(), &export, &[]);
    run.status(2)
        .stderr_contains("export.csv:3: W_tangibles+W_reliability+W_responsiveness+W_professionalism+W_empathy: importance points given for some dimensions only: found \"2 of 5\", expected points for every dimension, or none")
        .stderr_contains("export.csv:4: W_tangibles+W_reliability+W_responsiveness+W_professionalism+W_empathy: importance points do not add up to 100: found \"130\"");
    let run = import(fresh.path(), &export, &["--skip-invalid"]);
    run.success();
    assert_eq!(summary_count(run.stderr(), "added"), 2);
    assert_eq!(respondents(fresh.path()), 2);
}

#[test]
fn suggest_map_writes_a_map_the_import_takes_back() {
    let dir = scratch();
    let export = fixture("microsoft-forms.csv");
    let run = customers_import(dir.path(), &export, &["--suggest-map"])
        .watch(dir.path())
        .run();
    run.success().nothing_written();
    let suggested = run.stdout().to_string();
    for line in [
        "id: ID   # column 1: ID: the tool's name for it",
        "date: Completion time   # column 3: Completion time: the tool's name for it",
        "site: \"Which branch did you visit?\"   # column 6:",
        "  \"Expectations - The company's equipment and tools are up to date and in good working order.\": E_T1   # column 7:",
        "  - Start time   # column 2: Start time: the tool's own column",
        "# id_prefix:",
    ] {
        assert!(suggested.contains(line), "no {line:?} in:\n{suggested}");
    }
    // The coordinator declares the order of day and month and imports with it.
    let corrected = format!("date_format: mdy\n{suggested}");
    let m = map(dir.path(), "suggested.yaml", &corrected);
    let run = import(dir.path(), &export, &["--map", &m]);
    run.success().stderr_lacks("added: the export has");
    assert_eq!(summary_count(run.stderr(), "added"), 4);
    assert!(customers(dir.path()).contains("\n1,North,2026-10-05,6,6,7,6,"));
}

#[test]
fn suggest_map_names_repeated_headings_and_what_would_stop_the_import() {
    let dir = scratch();
    let run = customers_import(
        dir.path(),
        &fixture("spreadsheet-headings.csv"),
        &["--suggest-map"],
    )
    .watch(dir.path())
    .run();
    run.success().nothing_written();
    let suggested = run.stdout();
    for line in [
        "# As it is, the import would stop:",
        "no column of the export holds the response id",
        "# id:              # no column holds a response id",
        "site: \"Branch\\tvisited\"   # column 2:",
        "date: Date   # column 3: Date: the tool's name for it",
        "  E_T1: E_T1   # column 4: E_T1: its key is the data column's name",
        "  - \"Comments#1\"   # column 6:",
        "  - \"Comments#2\"   # column 9:",
    ] {
        assert!(suggested.contains(line), "no {line:?} in:\n{suggested}");
    }
    // Naming the id is all it takes.
    let m = map(
        dir.path(),
        "suggested.yaml",
        &suggested.replace("# id:  ", "id: \"Response\\u00a0no\" #"),
    );
    let run = import(
        dir.path(),
        &fixture("spreadsheet-headings.csv"),
        &["--map", &m],
    );
    run.success();
    assert_eq!(ids(dir.path())[2..], ["S-01", "S-02"]);
}

#[test]
fn content_ids_and_filters_are_the_same_on_every_core_and_row_by_row() {
    // Everything an import leaves, for the same imports read row by row (no threads) and
    // on two threads in chunks of a few rows.
    let outcome = |threads: &str, chunk: &str| {
        let dir = scratch();
        let m = map(dir.path(), "content.yaml", "id: content\n");
        let k = map(dir.path(), "keep.yaml", "keep:\n  Finished: True\n");
        let mut seen = Vec::new();
        for (export, map) in [
            ("google-forms-anonymous.csv", &m),
            ("google-forms-anonymous-cumulative.csv", &m),
            ("qualtrics-finished.csv", &k),
        ] {
            let run = customers_import(dir.path(), &fixture(export), &["--map", map])
                .env("SERVQUAL_THREADS", threads)
                .env("SERVQUAL_CHUNK_BYTES", chunk)
                .run();
            run.success();
            seen.push(run.stderr().replace(dir.path().to_str().unwrap(), "DIR"));
        }
        seen.push(customers(dir.path()));
        seen
    };
    let sequential = outcome("0", "262144");
    assert_eq!(outcome("2", "64"), sequential);
    assert!(sequential[2].contains("filtered    1"), "{}", sequential[2]);
}
