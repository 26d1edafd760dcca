//! Perception-only (SERVPERF) audits, on `tests/fixtures/servperf/`: a customer survey
//! with P columns and no E columns. The numbers are worked out by hand below.
//!
//! P after reverse scoring (P2 is reverse-scored on 1..7: 8 - x), rows of the period
//! (r7 is dated July, outside it):
//!
//! | row | S1 | S2 | P1 | P2 |
//! | --- | --- | --- | --- | --- |
//! | r1 | 4 | 5 | 6 | 6 |
//! | r2 | 5 | 4 | 5 | 5 |
//! | r3 | 3 | 4 | 6 | 7 |
//! | r4 | 4 | – | 5 | 6 |
//! | r5 | 5 | 5 | 7 | 5 |
//! | r6 | 3 | 4 | 5 | 6 |

use serde_json::Value;

use crate::support::{close, close_within, find, fixture, fixture_copy, read, write, Test};

fn report(audit: &str, format: &str) -> crate::support::Run {
    let run = Test::new()
        .arg("report")
        .arg(fixture("servperf", audit))
        .args(["--format", format])
        .env("COLUMNS", "80")
        .run();
    run.success();
    run
}

fn json(audit: &str) -> Value {
    report(audit, "json").json()
}

#[test]
fn a_perception_only_survey_is_a_servperf_audit_with_p_statistics() {
    let r = json("audit.yaml");
    assert_eq!(r["method"], "servperf");
    assert_eq!(r["respondents"]["customers"], 6);
    // S1: 4 5 3 4 5 3, mean 4, sd √(4/5); t(0.975, 5) = 2.570582.
    let s1 = find(&r["items"], "id", "S1");
    assert_eq!(s1["n"], 6);
    close(&s1["perceived"], 4.0);
    close(&s1["sd"], 0.8f64.sqrt());
    let half = 2.570_581_835_636_314 * 0.8f64.sqrt() / 6f64.sqrt();
    close_within(&s1["ci95"][0], 4.0 - half, 1e-9);
    close_within(&s1["ci95"][1], 4.0 + half, 1e-9);
    close(&s1["perceived_vs_standard"], -2.0);
    // S2: r4 did not answer: 5 4 4 5 4, mean 4.4, sd √0.3.
    let s2 = find(&r["items"], "id", "S2");
    assert_eq!(s2["n"], 5);
    close(&s2["perceived"], 4.4);
    close(&s2["sd"], 0.3f64.sqrt());
    // P2 is reverse-scored: 6 5 7 6 5 6, mean 35/6; no standard, so no P - S.
    let p2 = find(&r["items"], "id", "P2");
    close(&p2["perceived"], 35.0 / 6.0);
    assert!(p2["perceived_vs_standard"].is_null());
    // Gap 5, E and the t test are not measured, never 0; gaps 1 to 4 neither (no data).
    for row in r["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(r["dimensions"].as_array().unwrap())
    {
        for gap in ["1", "2", "3", "4", "5"] {
            assert!(row["gaps"][gap].is_null(), "{} gap {gap}", row["id"]);
        }
        assert!(row["expected"].is_null() && row["gaps_ci95"]["5"].is_null());
        assert!(row["t"].is_null() && row["p"].is_null());
    }
    // Service: P (4 + 4.4) / 2 = 4.2; respondent means 4.5 4.5 3.5 4 5 3.5 (mean 25/6),
    // sd √(1.8333/5); the interval is centred on 4.2. Alpha on r1-r3, r5, r6 (r4 is not
    // complete): var S1 1, var S2 0.3, var of the sums 9 9 7 10 7 is 1.8: 2 (1 - 1.3/1.8).
    let service = find(&r["dimensions"], "id", "service");
    assert_eq!(service["n"], 6);
    close(&service["perceived"], 4.2);
    let sd = (11.0f64 / 30.0).sqrt();
    close(&service["sd"], sd);
    let half = 2.570_581_835_636_314 * sd / 6f64.sqrt();
    close_within(&service["ci95"][0], 4.2 - half, 1e-9);
    close(&service["alpha"], 2.0 * (1.0 - 1.3 / 1.8));
    assert_eq!(service["alpha_n"], 5);
    close(&service["perceived_vs_standard"], -1.8);
    // Place: P (34/6 + 35/6) / 2 = 5.75, S is P1's 5; alpha 2 (1 - (2/3 + 17/30) / 1.1).
    let place = find(&r["dimensions"], "id", "place");
    close(&place["perceived"], 5.75);
    close(
        &place["alpha"],
        2.0 * (1.0 - (2.0 / 3.0 + 17.0 / 30.0) / 1.1),
    );
    close(&place["perceived_vs_standard"], 0.75);
    // SERVPERF: (4.2 + 5.75) / 2 and 0.6 · 4.2 + 0.4 · 5.75; no SERVQUAL score.
    close(&r["servperf"]["unweighted"], 4.975);
    close(&r["servperf"]["weighted"], 4.82);
    assert_eq!(r["servperf"]["weights_source"], "yaml");
    assert_eq!(r["servperf"]["standards"], true);
    assert!(r["servqual"]["unweighted"].is_null() && r["servqual"]["weighted"].is_null());
}

#[test]
fn the_checklist_compares_perceptions_with_the_standards() {
    let r = json("audit.yaml");
    let ids: Vec<&str> = r["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    // S1 -2.0 (interval -2.94..-1.06), the dimension -1.8, S2 -1.6: all critical; P1 is
    // above its standard and P2 has none.
    assert_eq!(
        ids,
        [
            "perception-item-S1",
            "perception-service",
            "perception-item-S2"
        ]
    );
    let dim = find(&r["checklist"], "id", "perception-service");
    assert_eq!(dim["group"], "perception-service");
    assert_eq!(dim["severity"], "critical");
    assert_eq!(dim["owner"], "Head of branches");
    close(&dim["evidence"]["value"], -1.8);
    assert_eq!(dim["evidence"]["n"], 6);
    assert_eq!(dim["title"], "Service: perception below the standard P-S");
    let text = dim["evidence"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("Customers rate Service 1.80 points below your service standard (P-S -1.80, 95% CI -2.44 to -1.16, n = 6)."),
        "{text}"
    );
    assert_eq!(r["summary"]["findings"][0], "perception-item-S1");
}

#[test]
fn every_human_format_says_it_is_a_perception_only_audit() {
    let table = report("audit.yaml", "table");
    table
        .stdout_contains("Perception-only audit (SERVPERF)")
        .stdout_contains("SERVPERF score, unweighted 4.97 · weighted 4.82")
        .stdout_contains("Perception P by dimension (SERVPERF)")
        .stdout_contains("customer gap P-E: — not measured")
        .stdout_contains("Reliability of the perceptions")
        .stdout_contains("Service: perception below the standard P-S -1.80")
        // One group of three findings: counted nouns agree with their counts.
        .stdout_contains("3 findings in 1 group, most urgent first")
        .stdout_lacks("Customer gap (gap 5) by dimension")
        .stdout_lacks("SERVQUAL score");
    for line in table.stdout().lines() {
        assert!(line.chars().count() <= 80, "wider than 80 columns: {line}");
    }
    let service_row = table
        .stdout()
        .lines()
        .find(|l| l.contains("Service") && l.contains("60%"))
        .unwrap();
    for cell in ["4.20", "0.61", "3.56…4.84", "0.56", "6.00", "-1.80"] {
        assert!(service_row.contains(cell), "{cell} in {service_row}");
    }

    report("audit.yaml", "markdown")
        .stdout_contains("> Perception-only audit (SERVPERF)")
        .stdout_contains("| SERVPERF score, weighted | 4.82 | – |")
        .stdout_contains("## Perception P by dimension (SERVPERF)")
        .stdout_contains("| Service | 60% | 6 | 4.20 | 0.61 | 3.56 … 4.84 | 0.56 | 6.00 | -1.80 |")
        .stdout_contains(
            "| P2 (R) | Place | The branch feels cramped | 6 | 5.83 | 0.75 | 5.04 … 6.62 | - | - |",
        )
        .stdout_contains("## Reliability of the perceptions\n\n|")
        .stdout_contains("3 findings in 1 group, most urgent first.")
        .stdout_lacks("Customer gap (gap 5) by dimension");

    report("audit.yaml", "html")
        .stdout_contains(r#"<p class="method" id="servperf">Perception-only audit (SERVPERF)"#)
        .stdout_contains("SERVPERF score (weighted)<b>4.82</b>")
        .stdout_contains("<h2>Perception P by dimension (SERVPERF)</h2>")
        .stdout_contains(r#"<td class="neg">-1.80</td>"#)
        .stdout_lacks("Customer gap (gap 5) by dimension");

    let csv = report("audit.yaml", "csv");
    csv.stdout_contains(",method,servperf,,\"Perception-only audit (SERVPERF)")
        .stdout_contains(",servperf,weighted,,weighted,,4.82,")
        .stdout_contains(",item,S2,service,Staff know the answers,P,4.4,5,")
        .stdout_contains(",item,S1,service,Staff help at once,P-S,-2,");
    // P2 has no standard: a P row, no P-S row.
    assert!(!csv
        .stdout()
        .contains("P2,place,The branch feels cramped,P-S"));

    report("audit.yaml", "table")
        .stdout_contains("SERVPERF score")
        .stdout_lacks("SERVQUAL");
    Test::new()
        .arg("report")
        .arg(fixture("servperf", "audit.yaml"))
        .args(["--lang", "zh"])
        .run()
        .success()
        .stdout_contains("仅感知审计（SERVPERF）")
        .stdout_contains("SERVPERF 得分（未加权） 4.97");
}

#[test]
fn without_standards_the_checklist_says_nothing_can_be_compared() {
    let r = json("audit-no-standards.yaml");
    assert_eq!(r["servperf"]["standards"], false);
    assert_eq!(r["checklist"], serde_json::json!([]));
    let line = "The audit sets no service standards (standards:), so there is nothing to \
                compare the perceptions with: the checklist has no customer findings.";
    // In the summary's most urgent findings and where the checklist would be.
    let table = report("audit-no-standards.yaml", "table");
    table.stdout_lacks("No gap below the checklist threshold");
    let lead = "The audit sets no service standards (standards:), so there is";
    assert_eq!(
        table.stdout().matches(lead).count(),
        2,
        "{}",
        table.stdout()
    );
    let markdown = report("audit-no-standards.yaml", "markdown");
    assert_eq!(markdown.stdout().matches(line).count(), 2);
    report("audit-no-standards.yaml", "html").stdout_contains(&format!("<p>{line}</p>"));
    Test::new()
        .arg("report")
        .arg(fixture("servperf", "audit-no-standards.yaml"))
        .arg("--checklist-only")
        .run()
        .success()
        .stdout_contains(line);
}

#[test]
fn rules_on_gap5_are_unmeasured_and_the_servperf_scores_are_gate_metrics() {
    let gate = |rule: &str| {
        Test::new()
            .arg("report")
            .arg(fixture("servperf", "audit.yaml"))
            .args(["--format", "json", "--fail-on", rule])
            .run()
    };
    gate("gap5.service < -0.5")
        .status(1)
        .stderr_contains("threshold not measured: `gap5.service < -0.5`");
    gate("weighted < 0")
        .status(1)
        .stderr_contains("threshold not measured: `weighted < 0`");
    gate("servperf.weighted < 5")
        .status(1)
        .stderr_contains("threshold breached: `servperf.weighted < 5` (value 4.82)");
    let passed = gate("servperf.unweighted < 4");
    passed.success();
    assert_eq!(passed.json()["gate"]["rules"][0]["status"], "pass");
}

#[test]
fn empty_e_columns_as_an_import_writes_them_are_perception_only_too() {
    // The import writes E and P columns for every item; a perception-only export fills P
    // alone. The report is the same as for the file without E columns.
    let dir = fixture_copy("servperf");
    let csv = read(&dir.path().join("customers.csv"));
    let mut lines = csv.lines();
    let mut out = String::from("id,site,date,E_S1,P_S1,E_S2,P_S2,E_P1,P_P1,E_P2,P_P2\n");
    lines.next();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let answers: Vec<String> = cells[3..].iter().map(|p| format!(",{p}")).collect();
        out.push_str(&format!("{},{}\n", cells[..3].join(","), answers.join(",")));
    }
    write(&dir.path().join("customers.csv"), out);
    let with_e = Test::new()
        .arg("report")
        .arg(dir.path().join("audit.yaml"))
        .args(["--format", "json"])
        .run()
        .success()
        .json();
    let without = json("audit.yaml");
    for key in ["method", "servperf", "dimensions", "items", "checklist"] {
        assert_eq!(with_e[key], without[key], "{key}");
    }
}

#[test]
fn a_perception_only_survey_validates_and_some_e_columns_are_still_a_problem() {
    Test::new()
        .arg("validate")
        .arg(fixture("servperf", "audit.yaml"))
        .run()
        .success()
        .stderr_contains(
            "note: customers.csv has perceptions (P) and no expectations (E): a perception-only (SERVPERF) audit",
        );
    // E for one item only: not a perception-only survey, and the other E columns are
    // missing.
    let dir = fixture_copy("servperf");
    write(
        &dir.path().join("customers.csv"),
        "id,E_S1,P_S1,P_S2,P_P1,P_P2\nr1,5,4,5,6,2\n",
    );
    Test::new()
        .arg("report")
        .arg(dir.path().join("audit.yaml"))
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("column not found: found \"E_S2\"")
        .nothing_written();
}

#[test]
fn segments_of_a_perception_only_audit_are_ranked_by_their_servperf_score() {
    let dir = fixture_copy("servperf");
    let audit = dir.path().join("audit.yaml");
    let yaml = read(&audit).replace("weights:", "thresholds: {min_segment_n: 3}\nweights:");
    write(&audit, yaml);
    let run = |format: &str| {
        let run = Test::new()
            .arg("report")
            .arg(&audit)
            .args(["--by", "site", "--format", format])
            .env("COLUMNS", "120")
            .run();
        run.success();
        run
    };
    let r = run("json").json();
    // North r1-r3: service (4 + 13/3) / 2 = 25/6, place (17/3 + 6) / 2 = 35/6, so 5.0;
    // South r4-r6: service (4 + 4.5) / 2 = 4.25, place (17/3 + 17/3) / 2, so 4.9583.
    let north = find(&r["segments"]["segments"], "name", "North");
    let south = find(&r["segments"]["segments"], "name", "South");
    close(&north["servperf"]["unweighted"], 5.0);
    close(&south["servperf"]["unweighted"], (4.25 + 17.0 / 3.0) / 2.0);
    close(
        &find(&north["dimensions"], "id", "service")["perceived"],
        25.0 / 6.0,
    );
    assert!(north["servqual"]["unweighted"].is_null());
    assert_eq!(
        (north["rank"].as_u64(), south["rank"].as_u64()),
        (Some(1), Some(2))
    );
    run("table").stdout_contains(
        "│    1 ┆ North   ┆           3 ┆       5.00 ┆     4.83 ┆    4.17 ┆  5.83 │",
    );
    run("markdown").stdout_contains("| 1 | North | 3 | 5.00 | 4.83 | 4.17 | 5.83 |");
    // A site rule on the SERVPERF score reads the segments by site.
    Test::new()
        .arg("report")
        .arg(&audit)
        .args([
            "--by",
            "site",
            "--fail-on",
            "site.servperf.unweighted < 4.99",
        ])
        .run()
        .status(1)
        .stderr_contains("`site.servperf.unweighted < 4.99` at 1 site: South (4.958");
    // Scorecards: the site's SERVPERF score and P beside the whole audit's.
    Test::new()
        .arg("report")
        .arg(&audit)
        .args(["--by", "site", "--scorecards", "--format", "markdown"])
        .run()
        .success()
        .stdout_contains("| SERVPERF score | 4.83 | 4.82 |")
        .stdout_contains("| Perceived P: Service | 4.17 | 4.20 |");
    run("csv")
        .stdout_contains("North,segment,site,,,,5,3,")
        .stdout_contains("North,dimension,service,service,Service,P,4.16666");
}
