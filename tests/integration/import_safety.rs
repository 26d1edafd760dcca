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
