//! Integration tests of the improvement checklist on tests/fixtures/checklist/.
//!
//! The fixture audit (period end 2026-09-30, threshold -0.5, scale 1..7, weights
//! reliability 60 / empathy 40) has eight customers. Worked by hand from customers.csv:
//!
//! - R1 gaps P-E: -2 -1 -2 -1 -2 -1 -1 -2 -> mean -12 / 8 = -1.50; every deviation is
//!   ±0.5, sd = sqrt(8 × 0.25 / 7) = 0.5345, half-width 2.365 × 0.5345 / sqrt 8 = 0.447,
//!   so the 95% CI is -1.95 .. -1.05: significant, size 1.5 -> `critical`;
//!   score 1.5 × 0.6 = 0.90.
//! - R2 gaps: 0 0 -1 0 0 0 0 0 -> -0.125, above the threshold: no entry.
//! - Reliability (per respondent, mean of R1 and R2): -6.5 / 8 = -0.8125, CI
//!   -1.12 .. -0.50: `medium`; score 0.8125 × 0.6 = 0.4875.
//! - E1 = Empathy gaps: 1 -2 0 -3 1 1 -2 -1 -> -5 / 8 = -0.625, CI -1.96 .. 0.71
//!   includes 0: `watch` (both entries), score 0.625 × 0.4 = 0.25, tie broken by id.
//!
//! So: gap5-item-R1, gap5-reliability, gap5-empathy, gap5-item-E1.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{self, close_within, find, fixture_copy, read, write, Test};

fn fixtures() -> PathBuf {
    support::fixtures("checklist")
}

/// A copy of the fixture folder, so state files written by a test stay in it.
fn workspace() -> tempfile::TempDir {
    fixture_copy("checklist")
}

/// A run with `--color never` and `NO_COLOR` removed: the flag alone keeps colour out.
fn servqual() -> Test {
    Test::new()
        .env_remove("NO_COLOR")
        .args(["--color", "never"])
}

/// Stdout of a run with `args` that must succeed.
fn ok(args: &[&str]) -> String {
    servqual().args(args).run().success().stdout().to_owned()
}

fn json(audit: &Path, extra: &[&str]) -> Value {
    servqual()
        .arg("report")
        .arg(audit)
        .args(["--format", "json"])
        .args(extra)
        .run()
        .success()
        .json()
}

fn checklist(doc: &Value) -> &Vec<Value> {
    match doc["checklist"].as_array() {
        Some(list) => list,
        None => panic!("no checklist in {doc}"),
    }
}

fn ids(doc: &Value) -> Vec<String> {
    checklist(doc)
        .iter()
        .map(|e| e["id"].as_str().unwrap_or("?").to_string())
        .collect()
}

fn entry<'a>(doc: &'a Value, id: &str) -> &'a Value {
    find(&doc["checklist"], "id", id)
}

/// The checklist's numbers are compared to the hand-worked ones within 1e-9.
#[track_caller]
fn close(value: &Value, expected: f64) {
    close_within(value, expected, 1e-9);
}

#[test]
fn hand_worked_order_severity_owner_due_and_actions() {
    let doc = json(&fixtures().join("audit.yaml"), &[]);
    assert_eq!(
        ids(&doc),
        [
            "gap5-item-R1",
            "gap5-reliability",
            "gap5-empathy",
            "gap5-item-E1"
        ]
    );
    let r1 = entry(&doc, "gap5-item-R1");
    assert_eq!(r1["priority"], 1);
    assert_eq!(r1["severity"], "critical");
    close(&r1["evidence"]["value"], -1.5);
    close(&r1["evidence"]["score"], 0.9);
    assert_eq!(r1["evidence"]["n"], 8);
    // Critical: 2026-09-30 + 14 days.
    assert_eq!(r1["due"], "2026-10-14");
    assert_eq!(r1["owner"], "Branch Operations Lead");
    assert_eq!(r1["group"], "gap5-reliability");
    assert_eq!(r1["status"], "open");
    assert_eq!(r1["overdue"], false);
    let rel = entry(&doc, "gap5-reliability");
    assert_eq!(rel["severity"], "medium");
    close(&rel["evidence"]["score"], 0.4875);
    assert_eq!(rel["due"], "2026-11-29");
    let emp = entry(&doc, "gap5-empathy");
    assert_eq!(emp["severity"], "watch");
    close(&emp["evidence"]["score"], 0.25);
    assert_eq!(emp["due"], "2026-12-29");
    // No owner for empathy: the default.
    assert_eq!(emp["owner"], "Service Quality Head");
    // Actions: the dimension's first, then gap 5's, replaced by the audit's own file.
    let actions = match r1["actions"].as_array() {
        Some(a) => a,
        None => panic!("no actions: {r1}"),
    };
    assert!(actions[0]
        .as_str()
        .is_some_and(|a| a.starts_with("Write down the standard steps")));
    assert_eq!(
        actions.last().and_then(|a| a.as_str()),
        Some("Call every customer who rated us below 4 within two days.")
    );
}

#[test]
fn ipa_quadrants_against_a_hand_worked_crosshair() {
    // Importance 0.6 and 0.4: crosshair 0.5. Performance: reliability (R1 38/8 = 4.75,
    // R2 46/8 = 5.75) 5.25; empathy E1 42/8 = 5.25; crosshair 5.25. A point on a line
    // counts as high: reliability keep up the good work, empathy possible overkill.
    let doc = json(&fixtures().join("audit.yaml"), &[]);
    let ipa = &doc["ipa"];
    close(&ipa["crosshair"]["importance"], 0.5);
    close(&ipa["crosshair"]["performance"], 5.25);
    assert_eq!(ipa["dimensions"][0]["quadrant"], "keep_up_the_good_work");
    assert_eq!(ipa["dimensions"][1]["quadrant"], "possible_overkill");
    // The checklist uses the quadrant.
    assert_eq!(
        entry(&doc, "gap5-reliability")["evidence"]["quadrant"],
        "keep_up_the_good_work"
    );
    let table = ok(&["report", &fixtures().join("audit.yaml").to_string_lossy()]);
    assert!(table.contains("Crosshair: mean importance 50.0%, mean performance 5.25"));
    assert!(table.contains("Reliability: customer gap P-E -0.81 · keep up the good work"));
}

#[test]
fn ids_and_order_are_stable_when_rows_are_shuffled() {
    let a = json(&fixtures().join("audit.yaml"), &[]);
    let b = json(&fixtures().join("audit-shuffled.yaml"), &[]);
    assert!(!ids(&a).is_empty(), "a checklist to compare");
    assert_eq!(ids(&a), ids(&b));
    for (x, y) in checklist(&a).iter().zip(checklist(&b)) {
        assert_eq!(x["priority"], y["priority"]);
        assert_eq!(x["severity"], y["severity"]);
        assert_eq!(x["due"], y["due"]);
        close(
            &y["evidence"]["value"],
            x["evidence"]["value"].as_f64().unwrap_or(f64::NAN),
        );
    }
}

#[test]
fn plain_report_never_writes_the_state_file() {
    let dir = workspace();
    let audit = dir.path().join("audit.yaml");
    for extra in [&[][..], &["--format", "json"], &["--checklist-only"]] {
        servqual()
            .arg("report")
            .arg(&audit)
            .args(extra)
            .watch(dir.path())
            .run()
            .success()
            .nothing_written();
    }
    assert!(!dir.path().join("audit.checklist.yaml").exists());
}

#[test]
fn edited_state_carries_over_reopens_resolves_and_flags_overdue() {
    let dir = workspace();
    let audit_path = dir.path().join("audit.yaml");
    let audit = audit_path.to_string_lossy().into_owned();
    let state = dir.path().join("audit.checklist.yaml");

    // First run: writes the state file, says so, and the entries are open.
    servqual()
        .args(["report", &audit, "--update-checklist", "--format", "json"])
        .run()
        .success()
        .stderr_contains("audit.checklist.yaml (4 entries)");
    let first = read(&state);
    assert!(first.contains("gap5-item-R1:\n    status: open"), "{first}");

    // People edit it: R1 in progress with an owner, a note and a past due date;
    // reliability marked done (but its gap is still there); empathy won't fix; and an
    // entry for R2, whose gap (-0.125) is above the threshold.
    let edited = first
        .replace(
            "gap5-item-R1:\n    status: open\n    owner: Branch Operations Lead\n",
            "gap5-item-R1:\n    status: in-progress\n    owner: Anna Lee\n    notes: second check at the counter\n",
        )
        .replace("due: 2026-10-14", "due: 2026-09-15")
        .replace(
            "gap5-reliability:\n    status: open",
            "gap5-reliability:\n    status: done",
        )
        .replace(
            "gap5-empathy:\n    status: open",
            "gap5-empathy:\n    status: wont-fix",
        )
        + "  gap5-item-R2:\n    status: in-progress\n    gap: 5\n    dimension: reliability\n    item: R2\n    severity: medium\n";
    assert_ne!(edited, first);
    write(&state, &edited);

    let doc = json(&audit_path, &[]);
    let r1 = entry(&doc, "gap5-item-R1");
    assert_eq!(r1["status"], "in-progress");
    assert_eq!(r1["owner"], "Anna Lee");
    assert_eq!(r1["notes"], "second check at the counter");
    assert_eq!(r1["due"], "2026-09-15");
    // Due 09-15, before the period end 09-30, still in progress: overdue.
    assert_eq!(r1["overdue"], true);
    // Done, but the gap is still below the threshold: reopened, due again from this
    // period (medium: +60 days), not overdue.
    let rel = entry(&doc, "gap5-reliability");
    assert_eq!(rel["status"], "reopened");
    assert_eq!(rel["due"], "2026-11-29");
    assert_eq!(rel["overdue"], false);
    assert_eq!(entry(&doc, "gap5-empathy")["status"], "wont-fix");
    assert_eq!(entry(&doc, "gap5-empathy")["overdue"], false);
    // R2's gap has closed: resolved, listed after this period's findings.
    let r2 = entry(&doc, "gap5-item-R2");
    assert_eq!(r2["status"], "resolved");
    assert_eq!(r2["current"], false);
    close(&r2["evidence"]["value"], -0.125);
    assert_eq!(ids(&doc).last().map(String::as_str), Some("gap5-item-R2"));
    // The state file is part of the provenance.
    assert!(doc["provenance"]["files"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x["role"] == "checklist-state")));
    // Reading it did not rewrite it.
    assert_eq!(read(&state), edited);

    // The table and the Markdown show it.
    let table = ok(&["report", &audit]);
    assert!(table.contains("1 reopened"), "{table}");
    assert!(table.contains("1 overdue"), "{table}");
    assert!(
        table.contains("Resolved (the gap has closed): gap5-item-R2"),
        "{table}"
    );
    let md = ok(&["report", &audit, "--checklist-only"]);
    assert!(md.contains("- [ ] `gap5-item-R1`"), "{md}");
    assert!(md.contains("in progress, overdue"), "{md}");
    assert!(
        md.contains("  - Notes: second check at the counter"),
        "{md}"
    );
    assert!(md.contains("- [x] `gap5-item-R2`"), "{md}");

    // Update again: statuses written back, then a third run changes nothing.
    ok(&["report", &audit, "--update-checklist"]);
    let second = read(&state);
    assert!(
        second.contains("gap5-reliability:\n    status: reopened"),
        "{second}"
    );
    assert!(
        second.contains("gap5-item-R2:\n    status: resolved"),
        "{second}"
    );
    assert!(second.contains("owner: Anna Lee"), "{second}");
    ok(&["report", &audit, "--update-checklist"]);
    assert_eq!(read(&state), second);
}

#[test]
fn bad_state_file_exits_2_with_its_place_and_writes_nothing() {
    let dir = workspace();
    let audit = dir.path().join("audit.yaml");
    let bad = dir.path().join("bad-state.checklist.yaml");
    servqual()
        .arg("report")
        .arg(&audit)
        .arg("--checklist-file")
        .arg(&bad)
        .arg("--update-checklist")
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains(
            "bad-state.checklist.yaml:3:5: entries.gap5-reliability.status: unknown status",
        )
        .stderr_contains("\"finished\"")
        .stdout_is("")
        // The bad state file as it was, and no other state file beside the audit.
        .nothing_written();
}

#[test]
fn kano_must_be_from_the_audit_and_a_kano_file() {
    let dir = workspace();
    let audit = dir.path().join("audit.yaml");
    let base = read(&audit);

    // Declared: the dimension empathy stands for its item E1, so both empathy entries
    // are raised: 0.25 × 1.5 = 0.375 (still watch, still after the significant ones).
    write(&audit, format!("{base}kano:\n  must_be: [empathy]\n"));
    let doc = json(&audit, &[]);
    assert_eq!(entry(&doc, "gap5-empathy")["evidence"]["must_be"], true);
    close(&entry(&doc, "gap5-empathy")["evidence"]["score"], 0.375);
    assert_eq!(entry(&doc, "gap5-item-R1")["evidence"]["must_be"], false);

    // From kano.yaml: right_first (R1) is M (3 M, 1 O), attention (E1) is A.
    // R1: 0.9 × 1.5 = 1.35; reliability contains a must-be item: 0.4875 × 1.5 = 0.73125.
    write(&audit, format!("{base}kano:\n  file: kano.yaml\n"));
    let doc = json(&audit, &[]);
    close(&entry(&doc, "gap5-item-R1")["evidence"]["score"], 1.35);
    close(
        &entry(&doc, "gap5-reliability")["evidence"]["score"],
        0.73125,
    );
    assert_eq!(entry(&doc, "gap5-item-E1")["evidence"]["must_be"], false);
    let roles: Vec<&str> = doc["provenance"]["files"]
        .as_array()
        .map(|f| f.iter().filter_map(|x| x["role"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        roles.contains(&"kano") && roles.contains(&"kano-responses"),
        "{roles:?}"
    );
    let md = ok(&["report", &audit.to_string_lossy(), "--checklist-only"]);
    assert!(md.contains("Kano must-be"), "{md}");

    // An unknown id is a problem at its place.
    write(&audit, format!("{base}kano:\n  must_be: [R1, emapthy]\n"));
    servqual()
        .arg("report")
        .arg(&audit)
        .run()
        .status(2)
        .stderr_contains("audit.yaml:22:17: kano.must_be[1]")
        .stderr_contains("did you mean `empathy`")
        .stdout_is("");
}

#[test]
fn chinese_checklist_reads_in_chinese() {
    let audit = fixtures().join("audit.yaml");
    let audit = audit.to_string_lossy();
    let md = ok(&["report", &audit, "--checklist-only", "--lang", "zh"]);
    assert!(md.starts_with("# 改进清单 — Checklist test"), "{md}");
    assert!(md.contains("客户对信赖度的评分比期望低 0.81 分"), "{md}");
    assert!(md.contains("两天内回访所有评分低于 4 分的客户。"), "{md}");
    let table = ok(&["report", &audit, "--lang", "zh"]);
    assert!(table.contains("改进清单：4 项问题，分为 2 组"), "{table}");
    assert!(table.contains("题项：E1 -0.62?"), "{table}");
}

#[test]
fn table_fits_120_columns() {
    let audit = fixtures().join("audit.yaml");
    let table = ok(&["report", &audit.to_string_lossy()]);
    let section = table
        .split("Improvement checklist")
        .nth(1)
        .unwrap_or_else(|| panic!("no checklist in the table:\n{table}"));
    for line in section.lines() {
        assert!(line.chars().count() <= 120, "{line}");
    }
}
