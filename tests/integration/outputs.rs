//! Where reports may be written: never over an input of the run or a special file, and
//! diagnostics to a closed stderr end the run quietly.

use std::process::{Command, Stdio};

use crate::support::{fixture_copy, read, Test, BIN};

#[test]
fn an_output_over_an_input_of_the_run_is_refused_and_nothing_is_written() {
    let dir = fixture_copy("core");
    let audit = dir.path().join("audit.yaml");
    let before = read(&dir.path().join("customers.csv"));
    for (flag, target) in [
        ("--output", "customers.csv"),
        ("--output", "audit.yaml"),
        ("--report", "html=customers.csv"),
    ] {
        Test::new()
            .current_dir(dir.path())
            .args(["report", "audit.yaml", flag, target])
            .watch(dir.path())
            .run()
            .status(2)
            .stderr_contains(&format!(
                "{flag}: the output would replace a file this run reads"
            ))
            .nothing_written();
    }
    assert_eq!(read(&dir.path().join("customers.csv")), before);
    assert!(audit.exists());
}

#[cfg(unix)]
#[test]
fn an_output_onto_a_device_is_refused() {
    let dir = fixture_copy("core");
    Test::new()
        .args(["report"])
        .arg(dir.path().join("audit.yaml"))
        .args(["--output", "/dev/null"])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("the output is not a regular file")
        .nothing_written();
    assert!(std::fs::metadata("/dev/null").is_ok_and(|m| !m.is_file()));
}

#[cfg(unix)]
#[test]
fn a_closed_stderr_ends_the_run_quietly() {
    let dir = fixture_copy("core");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "audit:\n  id: x\n").unwrap();
    // The read end of stderr is closed before the tool writes its problems.
    let mut child = Command::new(BIN)
        .arg("validate")
        .arg(&bad)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run servqual");
    drop(child.stderr.take());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(2), "a panic exits 101");
}

#[test]
fn an_output_over_the_kano_responses_an_audit_names_is_refused() {
    let dir = fixture_copy("checklist");
    let audit = dir.path().join("audit.yaml");
    let base = read(&audit);
    crate::support::write(&audit, format!("{base}kano:\n  file: kano.yaml\n"));
    let responses = read(&dir.path().join("kano.csv"));
    Test::new()
        .current_dir(dir.path())
        .args(["report", "audit.yaml", "--report", "json=kano.csv"])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("--report: the output would replace a file this run reads")
        .nothing_written();
    assert_eq!(read(&dir.path().join("kano.csv")), responses);
}

#[cfg(unix)]
#[test]
fn a_checklist_state_that_is_a_device_is_never_replaced() {
    let dir = fixture_copy("core");
    Test::new()
        .arg("report")
        .arg(dir.path().join("audit.yaml"))
        .args(["--checklist-file", "/dev/null", "--update-checklist"])
        .watch(dir.path())
        .run()
        .status(2)
        // Refused as an input already (the state file is read first): not a regular file.
        .stderr_contains("/dev/null: not a regular file")
        .nothing_written();
    assert!(std::fs::metadata("/dev/null").is_ok_and(|m| !m.is_file()));
}

#[test]
fn two_outputs_on_one_path_are_refused() {
    let dir = fixture_copy("core");
    Test::new()
        .current_dir(dir.path())
        .args([
            "report",
            "audit.yaml",
            "--report",
            "json=out",
            "--report",
            "html=out",
        ])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("--report: two outputs name the same file")
        .nothing_written();
}
