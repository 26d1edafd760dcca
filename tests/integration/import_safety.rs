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
