//! `servqual import` never harms another file: the lock and the data file are never
//! followed through a link onto someone else's file, a read-only or damaged data file is
//! refused, an export on stdin leaves nothing behind, and a workbook costs memory for the
//! cells it has.

use std::path::{Path, PathBuf};

use crate::support::{self, fixture_copy, Test};

fn fixture(name: &str) -> PathBuf {
    support::fixture("import", name)
}

/// `servqual import <dir>/audit.yaml --source <source> <export> <extra>`, to be run.
fn import(dir: &Path, source: &str, export: &Path, extra: &[&str]) -> Test {
    Test::new()
        .arg("import")
        .arg(dir.join("audit.yaml"))
        .args(["--source", source])
        .arg(export)
        .args(extra)
}

#[cfg(unix)]
#[test]
fn a_lock_file_that_is_a_link_is_refused_and_its_target_untouched() {
    let dir = fixture_copy("import/audit");
    let elsewhere = tempfile::tempdir().unwrap();
    let victim = elsewhere.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("data/customers.csv.lock")).unwrap();
    import(dir.path(), "customers", &fixture("plain-bom.csv"), &[])
        .watch(dir.path())
        .watch(elsewhere.path())
        .run()
        .status(2)
        .stderr_contains("customers.csv.lock")
        .stderr_contains("the lock file is a symbolic link")
        .nothing_written();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
}

#[cfg(unix)]
#[test]
fn a_lock_path_that_is_not_a_regular_file_is_refused() {
    let dir = fixture_copy("import/audit");
    std::fs::create_dir(dir.path().join("data/customers.csv.lock")).unwrap();
    import(dir.path(), "customers", &fixture("plain-bom.csv"), &[])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("customers.csv.lock")
        .stderr_contains("the lock file is not a regular file")
        .nothing_written();
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn a_data_file_that_is_a_link_is_updated_where_it_points() {
    let dir = fixture_copy("import/audit");
    let shared = tempfile::tempdir().unwrap();
    let master = shared.path().join("customers.csv");
    let link = dir.path().join("data/customers.csv");
    std::fs::rename(&link, &master).unwrap();
    std::os::unix::fs::symlink(&master, &link).unwrap();
    import(dir.path(), "customers", &fixture("plain-bom.csv"), &[])
        .run()
        .success();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link survives"
    );
    assert!(std::fs::read_to_string(&master).unwrap().contains("P0003,"));
    // Neither a temporary file nor the lock is left beside the master.
    assert_eq!(names(shared.path()), ["customers.csv"]);
}

#[cfg(unix)]
#[test]
fn a_data_file_that_is_a_link_to_nothing_is_refused() {
    let dir = fixture_copy("import/audit");
    let link = dir.path().join("data/customers.csv");
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(dir.path().join("gone.csv"), &link).unwrap();
    let before = names(&dir.path().join("data"));
    // (Not watched: the snapshot cannot read a link to nothing.)
    import(dir.path(), "customers", &fixture("plain-bom.csv"), &[])
        .run()
        .status(2)
        .stderr_contains("customers.csv")
        .stderr_contains("symbolic link that leads to no file");
    assert_eq!(names(&dir.path().join("data")), before);
    assert_eq!(names(dir.path()), ["audit.yaml", "data"]);
}

#[cfg(unix)]
#[test]
fn a_read_only_data_file_is_refused_never_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let dir = fixture_copy("import/audit");
    let data = dir.path().join("data/customers.csv");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o444)).unwrap();
    import(dir.path(), "customers", &fixture("plain-bom.csv"), &[])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("customers.csv")
        .stderr_contains("the data file is read-only")
        .nothing_written();
    // A dry run only reads, so it still works.
    import(
        dir.path(),
        "customers",
        &fixture("plain-bom.csv"),
        &["--dry-run"],
    )
    .run()
    .success();
}

#[cfg(unix)]
#[test]
fn a_data_file_keeps_its_mode_and_owner() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = fixture_copy("import/audit");
    let data = dir.path().join("data/customers.csv");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o640)).unwrap();
    let meta = std::fs::metadata(&data).unwrap();
    // Only root can give a file away; then the import must give the new version back.
    let owner = if meta.uid() == 0 {
        std::os::unix::fs::chown(&data, Some(65534), Some(65534)).unwrap();
        (65534, 65534)
    } else {
        (meta.uid(), meta.gid())
    };
    import(dir.path(), "customers", &fixture("plain-bom.csv"), &[])
        .run()
        .success();
    let after = std::fs::metadata(&data).unwrap();
    assert!(std::fs::read_to_string(&data).unwrap().contains("P0003,"));
    assert_eq!(after.permissions().mode() & 0o7777, 0o640);
    assert_eq!((after.uid(), after.gid()), owner);
}

#[test]
fn a_data_file_ending_inside_a_quoted_field_is_refused_naming_the_line() {
    let dir = fixture_copy("import/audit");
    let data = dir.path().join("data/customers.csv");
    let mut bytes = std::fs::read(&data).unwrap();
    // A third row cut off inside a quoted site: every row after it would be in that cell.
    bytes.extend_from_slice(b"R00003,\"East\n");
    std::fs::write(&data, bytes).unwrap();
    for extra in [&[][..], &["--dry-run"]] {
        import(dir.path(), "customers", &fixture("plain-bom.csv"), extra)
            .watch(dir.path())
            .run()
            .status(2)
            .stderr_contains("customers.csv:4")
            .stderr_contains("ends inside a quoted field")
            .nothing_written();
    }
}

#[test]
fn a_bad_row_on_stdin_is_named_as_stdin_and_the_spool_leaves_nothing() {
    let dir = fixture_copy("import/audit");
    let temp = tempfile::tempdir().unwrap();
    let run = import(dir.path(), "customers", Path::new("-"), &[])
        .env("TMPDIR", temp.path())
        .stdin(std::fs::read(fixture("plain-bad.csv")).unwrap())
        .watch(dir.path())
        .watch(temp.path())
        .run();
    run.status(2)
        .stderr_contains("import <stdin> (plain)")
        // B0003's `Love it` is on line 4 of the export, in field 7.
        .stderr_contains("<stdin>:4:7")
        .nothing_written();
    assert!(
        !run.stderr().contains(&*temp.path().to_string_lossy()),
        "no message names the spool"
    );
}

#[test]
fn an_import_from_stdin_killed_midway_leaves_no_copy_of_the_export() {
    let dir = fixture_copy("import/audit");
    let temp = tempfile::tempdir().unwrap();
    // Stops the way kill -9 does (no destructors run) after the new data file is written.
    import(dir.path(), "customers", Path::new("-"), &[])
        .env("TMPDIR", temp.path())
        .env("SERVQUAL_TEST_ABORT_BEFORE_RENAME", "1")
        .stdin(std::fs::read(fixture("plain-bom.csv")).unwrap())
        .watch(temp.path())
        .run()
        .status(137)
        .nothing_written();
}

/// A workbook of two visits at `path`, with the values `stray` (row, column, 0-based)
/// besides.
fn visits_workbook(path: &Path, stray: &[(u32, u16)]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "visit", "shopper", "site", "date", "RC1", "RC2", "RC3", "RC4",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=2u32 {
        let row = [
            &format!("X{r}"),
            "Dana",
            "West",
            "2026-10-21",
            "yes",
            "4",
            "yes",
            "no",
        ];
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r, c as u16, *cell).unwrap();
        }
    }
    for &(r, c) in stray {
        sheet.write_string(r, c, "stray").unwrap();
    }
    book.save(path).unwrap();
}

/// `servqual import <dir>/audit.yaml --source shoppers <export>` with at most `kib` KiB of
/// address space, so that a reader that allocates for a sheet's range fails.
#[cfg(unix)]
fn import_in_memory(dir: &Path, export: &Path, kib: u64) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(support::BIN)
        .arg("import")
        .arg(dir.join("audit.yaml"))
        .args(["--source", "shoppers"])
        .arg(export)
        .output()
        .unwrap()
}

#[test]
fn a_sheet_with_a_value_at_xfd1048576_is_refused_without_allocating_its_range() {
    let dir = fixture_copy("import/audit");
    let export = dir.path().join("visits.xlsx");
    visits_workbook(&export, &[(1_048_575, 16_383)]);
    import(dir.path(), "shoppers", &export, &[])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("visits.xlsx:1048576")
        .stderr_contains("beyond its 10000th column")
        .nothing_written();
}

#[cfg(unix)]
#[test]
fn a_sheet_with_a_value_at_zz100000_costs_memory_for_its_cells_only() {
    let dir = fixture_copy("import/audit");
    let export = dir.path().join("visits.xlsx");
    // Its range, A1:ZZ100000, is 70 million cells (2.2 GB as calamine holds them).
    visits_workbook(&export, &[(99_999, 701)]);
    let output = import_in_memory(dir.path(), &export, 1 << 20);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The stray value's row is a visit without an id: the import reads it and stops there.
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("visits.xlsx:100000:1: visit: no response id"),
        "{stderr}"
    );
    assert!(stderr.contains("rows read   3"), "{stderr}");
}

#[test]
fn a_sheet_of_values_spread_far_apart_is_refused_as_too_sparse() {
    let dir = fixture_copy("import/audit");
    let export = dir.path().join("visits.xlsx");
    // 1,000 values, each alone at the end of a row of 9,991 cells.
    let stray: Vec<(u32, u16)> = (10..1_010).map(|r| (r, 9_990)).collect();
    visits_workbook(&export, &stray);
    import(dir.path(), "shoppers", &export, &[])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("visits.xlsx:")
        .stderr_contains("too sparse")
        .nothing_written();
}

#[test]
fn a_short_sheet_row_is_as_wide_as_the_header_in_the_rejects_file() {
    let dir = fixture_copy("import/audit");
    let export = dir.path().join("visits.xlsx");
    // Row 6 holds one value, in the site column: a visit without an id.
    visits_workbook(&export, &[(5, 2)]);
    import(dir.path(), "shoppers", &export, &["--skip-invalid"])
        .run()
        .success();
    let rejects = std::fs::read_to_string(dir.path().join("data/visits.csv.rejects.csv")).unwrap();
    let widths: Vec<usize> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(rejects.as_bytes())
        .records()
        .map(|r| r.unwrap().len())
        .collect();
    assert_eq!(widths, [11, 11], "{rejects}");
}

/// The header of the fixture's visits file.
const VISITS_HEADER: &str = "visit,shopper,site,date,RC1,RC2,RC3,RC4,RC5,UN1,UN2,UN3,UN4,HP1,HP2,HP3,HP4,HP5,RT1,RT2,RT3,RT4,RT5\n";

/// A visit `id` by `shopper` at `site`, every question answered `answer` (`yes`: yes, or
/// 4 on the form's scale questions).
fn visit(id: &str, shopper: &str, site: &str, answer: &str) -> String {
    let mut row = format!("{id},{shopper},{site},2026-10-21");
    for question in VISITS_HEADER.trim_end().split(',').skip(4) {
        let scale = matches!(question, "RC2" | "RC5" | "UN2" | "HP2" | "RT4");
        row.push(',');
        row.push_str(if scale && answer == "yes" {
            "4"
        } else {
            answer
        });
    }
    row.push('\n');
    row
}

/// `servqual report <dir>/audit.yaml --format json` succeeds.
fn report_reads(dir: &Path) {
    Test::new()
        .arg("report")
        .arg(dir.join("audit.yaml"))
        .args(["--format", "json"])
        .run()
        .success();
}

#[test]
fn visits_the_report_would_refuse_are_not_imported() {
    let dir = fixture_copy("import/audit");
    let export = dir.path().join("visits-export.csv");
    let rows = [
        visit("X1", "Dana", "West", "yes"),
        visit("X2", "", "West", "yes"),
        visit("X3", "Dana", "  ", "yes"),
        visit("X4", "Dana", "West", ""),
        visit("X5", "Dana", "West", "N/A"),
    ];
    std::fs::write(&export, format!("{VISITS_HEADER}{}", rows.concat())).unwrap();
    import(dir.path(), "shoppers", &export, &[])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("visits-export.csv:3:2: shopper: a visit without a shopper")
        .stderr_contains("visits-export.csv:4:3: site: a visit without a site")
        .stderr_contains("visits-export.csv:5: a visit with no answered question")
        .stderr_contains("visits-export.csv:6: a visit with no answered question")
        .nothing_written();
    let run = import(dir.path(), "shoppers", &export, &["--skip-invalid"]).run();
    run.success().stderr_contains("rejected    4");
    // What the import wrote, the report reads.
    report_reads(dir.path());
}

#[test]
fn responses_without_any_answer_are_not_imported() {
    let dir = fixture_copy("import/audit");
    let export = dir.path().join("customers-export.csv");
    let answers = |a: &str| vec![a; 44].join(",");
    let header = std::fs::read_to_string(fixture("plain-bom.csv")).unwrap();
    let header = header
        .lines()
        .next()
        .unwrap()
        .trim_start_matches('\u{feff}');
    std::fs::write(
        &export,
        format!(
            "{header}\nN1,West,2026-10-12,{}\nN2,West,2026-10-12,{}\nN3,West,2026-10-12,{}\n",
            answers("5"),
            answers(""),
            answers("NA")
        ),
    )
    .unwrap();
    import(dir.path(), "customers", &export, &[])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("customers-export.csv:3: a response with no answer")
        .stderr_contains("customers-export.csv:4: a response with no answer")
        .nothing_written();
}

#[test]
fn visits_are_not_imported_without_a_shopper_or_site_column() {
    let dir = fixture_copy("import/audit");
    let export = dir.path().join("visits-export.csv");
    let without_shopper: String = format!("{VISITS_HEADER}{}", visit("X1", "Dana", "West", "yes"))
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(1);
            cells.join(",") + "\n"
        })
        .collect();
    std::fs::write(&export, without_shopper).unwrap();
    import(dir.path(), "shoppers", &export, &[])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("visits-export.csv:1: the export has no shopper column")
        .nothing_written();

    // A data file without a site column: every visit added would be refused by the report.
    let data = dir.path().join("data/visits.csv");
    let old = std::fs::read_to_string(&data).unwrap();
    let no_site: String = old
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(2);
            cells.join(",") + "\n"
        })
        .collect();
    std::fs::write(&data, no_site).unwrap();
    std::fs::write(
        &export,
        format!("{VISITS_HEADER}{}", visit("X1", "Dana", "West", "yes")),
    )
    .unwrap();
    import(dir.path(), "shoppers", &export, &[])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("visits.csv:1: the data file has no site column")
        .nothing_written();
}
