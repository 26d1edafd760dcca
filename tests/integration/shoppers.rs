//! Mystery shopping and the five gaps through the real binary, on the hand-worked fixture
//! in tests/fixtures/shoppers/.
//!
//! The fixture (scale 1..5, merge customers 0.6 / shoppers 0.4, divergence 1.0,
//! min_visits 2):
//!
//! Form (form.yaml, `critical: zero`; form-flag.yaml is the same with `critical: flag`):
//!   section greet, weight 40: G1 yes/no, critical, item A1, weight 1
//!                             G2 scale 1..5, item A1, weight 3
//!   section serve, weight 60: S1 yes/no, item B1, weight 1
//!                             S2 yes/no, dimension service, weight 1
//!
//! Visits (answers normalised to 0..1; a scale answer x is (x - 1)/4):
//!   V1 ann North: G1 yes 1, G2 5 -> 1,    S1 yes 1, S2 yes 1
//!      greet = (1·1 + 3·1)/4 = 1; serve = (1 + 1)/2 = 1 -> (40·1 + 60·1)/100 = 100
//!   V2 bob North: G1 y 1,   G2 4 -> 0.75, S1 no 0,  S2 N/A
//!      greet = (1 + 3·0.75)/4 = 0.8125; serve = 0/1 = 0 -> (32.5 + 0)/100 = 32.5
//!   V3 ann South: G1 no 0 (critical), G2 5 -> 1, S1 1, S2 是 1
//!      greet = (0 + 3)/4 = 0.75; serve = 1 -> raw (30 + 60)/100 = 90;
//!      zero: 0, flag: 90 (failed either way)
//!   V4 bob South: G1 N/A, G2 empty, S1 否 0, S2 1
//!      greet not answered; serve = 0.5 -> weights renormalise: 60·0.5/60 = 50
//!   V5 ann East:  G1 Y 1,   G2 3 -> 0.5,  S1 n 0,   S2 0
//!      greet = (1 + 1.5)/4 = 0.625; serve = 0 -> (25 + 0)/100 = 25
//!
//! Sites: North (100 + 32.5)/2 = 66.25; South zero (0 + 50)/2 = 25, flag (90 + 50)/2 = 70;
//! East one visit, 25, below min_visits 2: listed, not ranked.
//! Overall: zero (100 + 32.5 + 0 + 50 + 25)/5 = 41.5; flag (… + 90 …)/5 = 297.5/5 = 59.5.
//!
//! Questions: G1 1,1,0,-,1: answered 4, N/A 1, score 0.75, 1 failure.
//!            G2 1,0.75,1,-,0.5: answered 4, score 3.25/4 = 0.8125.
//!            S1 1,0,1,0,0: answered 5, score 0.4.  S2 1,-,1,1,0: answered 4, score 0.75.
//!
//! D = 1 + 4·f:  A1 pools its own G1 and G2: (3 + 3.25)/8 = 0.78125 -> 4.125.
//!               A2 has no question: the service question S2, 0.75 -> 4.0.
//!               B1: S1 0.4 -> 2.6.   B2: nothing maps to it or to place: null.
//!
//! Customers (pairwise complete E/P): A1 E 4.5, P 3, gap5 -1.5 (n 4); A2 unanswered;
//! B1 (r4 has no E) E 13/3, P (5+4+3)/3 = 4, gap5 -1/3; B2 E 4, P 3, gap5 -1.
//! Management: M A1 4, A2 4.5, B1 4.5, B2 3.5.
//! Standards: service 3.5, place 4, item B1 5. Promises: service 4.5 (none for place).
//!
//! Gaps per item (1 M-E, 2 S-M, 3 D-S, 4 D-C, 5 P-E):
//!   A1: 4-4.5 = -0.5 · 3.5-4 = -0.5 · 4.125-3.5 = 0.625 · 4.125-4.5 = -0.375 · -1.5
//!   A2: null (no E) · 3.5-4.5 = -1 · 4-3.5 = 0.5 · 4-4.5 = -0.5 · null
//!   B1: 4.5-13/3 = 1/6 · 5-4.5 = 0.5 · 2.6-5 = -2.4 · null (no promise) · -1/3
//!   B2: 3.5-4 = -0.5 · 4-3.5 = 0.5 · null (no D) · null · -1
//! Merged = 0.6·P + 0.4·D, the measured side alone when one is missing:
//!   A1 1.8 + 1.65 = 3.45, |3 - 4.125| = 1.125 > 1: divergent
//!   A2 D only: 4.0;  B1 2.4 + 1.04 = 3.44, |4 - 2.6| = 1.4: divergent;  B2 P only: 3.0
//! Dimensions (means over the items where measured):
//!   service: P 3, D (4.125 + 4)/2 = 4.0625, merged 1.8 + 1.625 = 3.425, |1.0625| > 1;
//!            gaps -0.5, (-0.5 - 1)/2 = -0.75, (0.625 + 0.5)/2 = 0.5625,
//!            (-0.375 - 0.5)/2 = -0.4375, -1.5
//!   place:   P (4 + 3)/2 = 3.5, D 2.6, merged 2.1 + 1.04 = 3.14, |0.9| <= 1: not divergent;
//!            gaps (1/6 - 0.5)/2 = -1/6, 0.5, -2.4, null, (-1/3 - 1)/2 = -2/3
//!
//! Calibration: North and South were visited by ann and bob.
//!   North: G1 1 vs 1 (0), G2 1 vs 0.75 (±0.25), S1 1 vs 0 (±1), S2 bob N/A (not compared)
//!   South: G1, G2 bob N/A; S1 1 vs 0 (±1); S2 1 vs 1 (0)
//!   ann: (0 + 0.25 + 1 + 1 + 0)/5 = +0.45; bob -0.45. Spread: G1 0 (1 site),
//!   G2 0.25 (1), S1 (1 + 1)/2 = 1 (2 sites), S2 0 (1).

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{self, close, find, fixture_copy, Test};

fn fixture(name: &str) -> PathBuf {
    support::fixture("shoppers", name)
}

fn json_report(audit: &str) -> Value {
    Test::new()
        .arg("report")
        .arg(fixture(audit))
        .args(["--format", "json"])
        .run()
        .success()
        .json()
}

#[test]
fn visit_scores_sites_and_critical_zero() {
    let r = json_report("audit.yaml");
    let s = &r["shoppers"];
    assert_eq!(s["visits"], 5);
    assert_eq!(s["critical_failures"], 1);
    assert_eq!(s["form"]["critical"], "zero");
    assert_eq!(s["min_visits"], 2);
    // (100 + 32.5 + 0 + 50 + 25)/5.
    close(&s["mean_score"], 41.5);
    let sites = s["by_site"].as_array().unwrap();
    let order: Vec<(&str, &Value)> = sites
        .iter()
        .map(|x| (x["site"].as_str().unwrap(), &x["rank"]))
        .collect();
    // Ranked sites first in rank order; East (1 visit < 2) last, without a rank.
    assert_eq!(
        order,
        vec![
            ("North", &Value::from(1)),
            ("South", &Value::from(2)),
            ("East", &Value::Null)
        ]
    );
    let north = find(&s["by_site"], "site", "North");
    close(&north["mean_score"], 66.25);
    assert_eq!(north["visits"], 2);
    // Scores 100 and 32.5: sd = 67.5/√2, se = sd/√2 = 33.75, t(0.975, 1) = 12.706204736.
    let ci = north["ci95"].as_array().unwrap();
    assert!((ci[0].as_f64().unwrap() - (66.25 - 12.706204736 * 33.75)).abs() < 1e-6);
    assert!((ci[1].as_f64().unwrap() - (66.25 + 12.706204736 * 33.75)).abs() < 1e-6);
    let south = find(&s["by_site"], "site", "South");
    // V3 fails critical G1: zero sets it to 0, so (0 + 50)/2; V4's 50 is the
    // renormalised serve section alone.
    close(&south["mean_score"], 25.0);
    assert_eq!(south["critical_failures"], 1);
    assert_eq!(south["failed_critical"][0]["question"], "G1");
    assert_eq!(south["failed_critical"][0]["failures"], 1);
    let east = find(&s["by_site"], "site", "East");
    // One visit: greet (1 + 3·0.5)/4 = 0.625, serve 0 -> 40·0.625/100 = 25.
    close(&east["mean_score"], 25.0);
    assert_eq!(east["ci95"], Value::Null);
}

#[test]
fn critical_flag_keeps_the_score_and_changes_the_ranking() {
    let r = json_report("audit-flag.yaml");
    let s = &r["shoppers"];
    assert_eq!(s["form"]["critical"], "flag");
    assert_eq!(s["critical_failures"], 1);
    // V3 keeps its raw 90: (100 + 32.5 + 90 + 50 + 25)/5 = 59.5.
    close(&s["mean_score"], 59.5);
    let south = &s["by_site"][0];
    assert_eq!(south["site"], "South");
    assert_eq!(south["rank"], 1);
    // (90 + 50)/2 = 70 > North's 66.25.
    close(&south["mean_score"], 70.0);
    assert_eq!(south["critical_failures"], 1);
    assert_eq!(s["by_site"][1]["site"], "North");
    assert_eq!(s["by_site"][1]["rank"], 2);
}

#[test]
fn questions_sections_and_calibration() {
    let r = json_report("audit.yaml");
    let s = &r["shoppers"];
    let q = |id: &str| find(&s["questions"], "id", id);
    assert_eq!(q("G1")["answered"], 4);
    assert_eq!(q("G1")["not_applicable"], 1);
    close(&q("G1")["score"], 0.75);
    assert_eq!(q("G1")["failures"], 1);
    assert_eq!(q("G1")["critical"], true);
    assert_eq!(q("G1")["item"], "A1");
    close(&q("G2")["score"], 0.8125);
    close(&q("G2")["weight"], 3.0);
    assert_eq!(q("G2")["type"], "scale");
    assert_eq!(q("S1")["answered"], 5);
    close(&q("S1")["score"], 0.4);
    assert_eq!(q("S2")["item"], Value::Null);
    assert_eq!(q("S2")["dimension"], "service");
    close(&q("S2")["score"], 0.75);
    // Sections: greet 1, 0.8125, 0.75, 0.625 over 4 visits -> 3.1875/4; serve 2.5/5.
    let greet = find(&s["sections"], "id", "greet");
    assert_eq!(greet["answered"], 4);
    close(&greet["score"], 0.796875);
    close(&find(&s["sections"], "id", "serve")["score"], 0.5);

    let c = &s["calibration"];
    let ann = find(&c["shoppers"], "shopper", "ann");
    close(&ann["deviation"], 0.45);
    assert_eq!(ann["visits"], 3);
    assert_eq!(ann["sites"], 2);
    assert_eq!(ann["n"], 5);
    close(&find(&c["shoppers"], "shopper", "bob")["deviation"], -0.45);
    let spread = |id: &str| find(&c["questions"], "id", id);
    close(&spread("G2")["spread"], 0.25);
    close(&spread("S1")["spread"], 1.0);
    assert_eq!(spread("S1")["sites"], 2);
    close(&spread("G1")["spread"], 0.0);
}

#[test]
fn d_levels_merge_divergence_and_the_five_gaps_per_item() {
    let r = json_report("audit.yaml");
    let it = |id: &str| find(&r["items"], "id", id);
    let gap = |id: &str, n: &str| it(id)["gaps"][n].clone();

    let a1 = it("A1");
    close(&a1["shopper"], 4.125);
    close(&a1["perceived"], 3.0);
    close(&a1["management"], 4.0);
    close(&a1["standard"], 3.5);
    close(&a1["promise"], 4.5);
    close(&a1["merged"], 3.45);
    assert_eq!(a1["divergent"], true);
    close(&gap("A1", "1"), -0.5);
    close(&gap("A1", "2"), -0.5);
    close(&gap("A1", "3"), 0.625);
    close(&gap("A1", "4"), -0.375);
    close(&gap("A1", "5"), -1.5);

    // No customer answers: merged is D alone; gaps 1 and 5 are not measured.
    let a2 = it("A2");
    close(&a2["shopper"], 4.0);
    assert_eq!(a2["perceived"], Value::Null);
    close(&a2["merged"], 4.0);
    assert_eq!(a2["divergent"], false);
    assert_eq!(gap("A2", "1"), Value::Null);
    close(&gap("A2", "2"), -1.0);
    close(&gap("A2", "3"), 0.5);
    close(&gap("A2", "4"), -0.5);
    assert_eq!(gap("A2", "5"), Value::Null);

    let b1 = it("B1");
    close(&b1["shopper"], 2.6);
    close(&b1["perceived"], 4.0);
    close(&b1["merged"], 3.44);
    assert_eq!(b1["divergent"], true);
    close(&gap("B1", "1"), 4.5 - 13.0 / 3.0);
    close(&gap("B1", "2"), 0.5);
    close(&gap("B1", "3"), -2.4);
    assert_eq!(gap("B1", "4"), Value::Null);
    close(&gap("B1", "5"), -1.0 / 3.0);

    // No shopper question: merged is P alone; gaps 3 and 4 are not measured.
    let b2 = it("B2");
    assert_eq!(b2["shopper"], Value::Null);
    close(&b2["merged"], 3.0);
    assert_eq!(b2["divergent"], false);
    close(&gap("B2", "1"), -0.5);
    close(&gap("B2", "2"), 0.5);
    assert_eq!(gap("B2", "3"), Value::Null);
    assert_eq!(gap("B2", "4"), Value::Null);
    close(&gap("B2", "5"), -1.0);
}

#[test]
fn the_five_gaps_per_dimension() {
    let r = json_report("audit.yaml");
    let service = find(&r["dimensions"], "id", "service");
    close(&service["shopper"], 4.0625);
    close(&service["merged"], 3.425);
    assert_eq!(service["divergent"], true);
    close(&service["management"], 4.25);
    let g = &service["gaps"];
    close(&g["1"], -0.5);
    close(&g["2"], -0.75);
    close(&g["3"], 0.5625);
    close(&g["4"], -0.4375);
    close(&g["5"], -1.5);

    let place = find(&r["dimensions"], "id", "place");
    close(&place["perceived"], 3.5);
    close(&place["shopper"], 2.6);
    // 0.6·3.5 + 0.4·2.6 = 2.1 + 1.04.
    close(&place["merged"], 2.1 + 1.04);
    // |3.5 - 2.6| = 0.9 is within the threshold of 1.0.
    assert_eq!(place["divergent"], false);
    let g = &place["gaps"];
    close(&g["1"], (4.5 - 13.0 / 3.0 - 0.5) / 2.0);
    close(&g["2"], 0.5);
    close(&g["3"], -2.4);
    assert_eq!(g["4"], Value::Null);
    close(&g["5"], (-1.0 / 3.0 - 1.0) / 2.0);
    assert_eq!(place["promise"], Value::Null);
}

#[test]
fn the_table_shows_dashes_for_unmeasured_gaps_and_the_legend() {
    // At 140 columns the levels and the gaps share one table.
    let run = Test::new()
        .arg("report")
        .arg(fixture("audit.yaml"))
        .args(["--color", "never", "--width", "140"])
        .run();
    let out = run.success().stdout();
    let cells = |line: &str| -> Vec<String> {
        line.trim_matches('│')
            .split('┆')
            .map(|c| c.trim().to_string())
            .collect()
    };
    // The five-gap rows are the ones with 13 cells (label, 7 levels, 5 gaps); an item's
    // label is its id and its short label, the id is compared.
    let row = |start: &str| {
        out.lines()
            .map(cells)
            .find(|c| c.len() == 13 && c[0].split(' ').next() == Some(start))
            .map(|mut c| {
                c[0] = start.to_string();
                c
            })
            .unwrap_or_else(|| panic!("no five-gap row {start} in\n{out}"))
    };
    // Dimension, E, M, S, D, C, P, merged, gaps 1..5.
    let place = row("Place");
    assert_eq!(
        place,
        vec![
            "Place", "4.17", "4.00", "4.50", "2.60", "-", "3.50", "3.14", "-0.17", "0.50", "-2.40",
            "-", "-0.67"
        ]
    );
    let b2 = row("B2");
    assert_eq!(
        b2,
        vec![
            "B2", "4.00", "3.50", "4.00", "-", "-", "3.00", "3.00", "-0.50", "0.50", "-", "-",
            "-1.00"
        ]
    );
    // A divergent merge is marked.
    assert!(row("A1")[7].ends_with('⚠'), "{out}");
    assert!(out.contains("3 delivery"), "{out}");
    assert!(out.contains("4 communication"), "{out}");
    // The unranked site shows `-` for its rank.
    assert!(
        out.lines()
            .map(cells)
            .any(|c| c.len() == 6 && c[0] == "-" && c[1] == "East"),
        "{out}"
    );
}

#[test]
fn a_failed_critical_question_heads_the_checklist() {
    // G1 (critical) failed in 1 of the 2 visits to South: one `critical` entry per
    // (question, site), ranked before every shortfall, with the counts as evidence.
    let report = json_report("audit.yaml");
    let checklist = report["checklist"].as_array().unwrap();
    let first = &checklist[0];
    assert_eq!(first["id"], "critical-G1-south");
    assert_eq!(first["kind"], "critical");
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["priority"], 1);
    assert_eq!(first["site"], "South");
    assert_eq!(first["evidence"]["failures"], 1);
    assert_eq!(first["evidence"]["visits"], 2);
    let critical = checklist.iter().filter(|e| e["kind"] == "critical").count();
    assert_eq!(critical, 1, "only South failed a critical question");
}

/// Copies the fixture into a temporary folder with `file` replaced by `text`.
fn scratch(file: &str, text: &str) -> tempfile::TempDir {
    let dir = fixture_copy("shoppers");
    support::write(&dir.path().join(file), text);
    dir
}

/// The fixture file `file` with `from` replaced by `to` (which must occur).
fn edited(file: &str, from: &str, to: &str) -> String {
    let text = support::read(&fixture(file));
    assert!(text.contains(from), "{from} not in {file}");
    text.replacen(from, to, 1)
}

/// `report --output` on the broken copy: exit 2, every needle in stderr, nothing written.
fn assert_bad(file: &str, from: &str, to: &str, needles: &[&str]) {
    let dir = scratch(file, &edited(file, from, to));
    let run = Test::new()
        .arg("report")
        .arg(dir.path().join("audit.yaml"))
        .arg("--output")
        .arg(dir.path().join("report.txt"))
        .watch(dir.path())
        .run();
    run.status(2).nothing_written();
    for needle in needles {
        run.stderr_contains(needle);
    }
    // validate finds the same problem.
    Test::new()
        .arg("validate")
        .arg(dir.path().join("audit.yaml"))
        .run()
        .status(2);
}

#[test]
fn bad_form_section_weights_not_summing() {
    // 40 + 50 = 90, declared 100 (total_weight is on line 5).
    assert_bad(
        "form.yaml",
        "weight: 60",
        "weight: 50",
        &[
            "form.yaml:5:1: total_weight: section weights do not sum to the declared total",
            "found \"90\"",
        ],
    );
}

#[test]
fn bad_form_unknown_item() {
    assert_bad(
        "form.yaml",
        "item: B1",
        "item: C1",
        &[
            "form.yaml:17:",
            "sections[1].questions[0].item: unknown item",
            "found \"C1\"",
        ],
    );
}

#[test]
fn bad_form_duplicate_question_id() {
    assert_bad(
        "form.yaml",
        "id: S2",
        "id: S1",
        &[
            "form.yaml:18:",
            "sections[1].questions[1].id: duplicate question id",
        ],
    );
}

#[test]
fn bad_form_unknown_question_type() {
    assert_bad(
        "form.yaml",
        "type: scale",
        "type: rating",
        &[
            "form.yaml:12:",
            "sections[0].questions[1].type: unknown question type",
            "found \"rating\"",
        ],
    );
}

#[test]
fn bad_form_unknown_policy_and_unknown_key() {
    assert_bad(
        "form.yaml",
        "critical: zero",
        "critical: fail",
        &["form.yaml:4:1: critical: unknown critical-failure policy"],
    );
    assert_bad(
        "form.yaml",
        "total_weight: 100",
        "total_weigth: 100",
        &["form.yaml:5:", "total_weigth"],
    );
}

#[test]
fn bad_visits_unknown_answer_word() {
    // V3 is on line 4; G1 is the fifth column.
    assert_bad(
        "visits.csv",
        "V3,ann,South,2026-02-03,no,",
        "V3,ann,South,2026-02-03,nope,",
        &["visits.csv:4:5: G1: not a yes/no answer", "found \"nope\""],
    );
}

#[test]
fn bad_visits_number_outside_the_question_scale() {
    assert_bad(
        "visits.csv",
        "V2,bob,North,2026-01-20,y,4,",
        "V2,bob,North,2026-01-20,y,7,",
        &[
            "visits.csv:3:6: G2: not an answer on the question's scale",
            "found \"7\"",
            "from 1 to 5",
        ],
    );
}

#[test]
fn bad_visits_missing_question_column() {
    assert_bad(
        "visits.csv",
        "G1,G2,S1,S2,notes",
        "G1,G2,S1,notes,extra",
        &["visits.csv:1: column not found", "found \"S2\""],
    );
}

#[test]
fn bad_visits_every_problem_is_listed() {
    // A yes/no question answered with a scale number and a visit without a site.
    let text = edited(
        "visits.csv",
        "V5,ann,East,2026-03-01,Y,3,n,0,",
        "V5,ann,,2026-03-01,Y,3,2,0,",
    );
    let dir = scratch("visits.csv", &text);
    Test::new()
        .arg("validate")
        .arg(dir.path().join("audit.yaml"))
        .run()
        .status(2)
        .stderr_contains("visits.csv:6:7: S1: not a yes/no answer")
        .stderr_contains("visits.csv:6:3: site: a visit without a site");
}
