//! The strict gate: unmeasured rules fail unless allowed; site rules name their sites.

use crate::support::{fixture, fixture_copy, write, Test};

#[test]
fn a_rule_on_an_empty_survey_fails_the_gate_unless_allowed() {
    let dir = fixture_copy("core");
    write(
        &dir.path().join("customers.csv"),
        "id,site,date,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_B2\n",
    );
    let audit = dir.path().join("audit.yaml");
    let report = dir.path().join("report.md");
    Test::new()
        .arg("report")
        .arg(&audit)
        .args([
            "--fail-on",
            "unweighted < -1.0",
            "--format",
            "markdown",
            "-o",
        ])
        .arg(&report)
        .run()
        .status(1)
        .stderr_contains("threshold not measured: `unweighted < -1.0`");
    // The run still writes its report.
    assert!(report.exists());
    Test::new()
        .arg("report")
        .arg(&audit)
        .args(["--fail-on", "unweighted < -1.0", "--allow-unmeasured"])
        .run()
        .status(0)
        .stderr_contains("warning: threshold `unweighted < -1.0` not checked");
}

#[test]
fn a_site_rule_names_the_sites_that_breach_it() {
    let audit = fixture("shoppers", "audit.yaml");
    let json = Test::new()
        .arg("report")
        .arg(&audit)
        .args(["--format", "json"])
        .run()
        .success()
        .json();
    let sites = json["shoppers"]["by_site"]
        .as_array()
        .expect("sites")
        .clone();
    assert!(sites.len() >= 2, "the fixture has several sites");
    // A threshold between the lowest and the highest site score: some sites breach.
    let scores: Vec<f64> = sites
        .iter()
        .map(|s| s["mean_score"].as_f64().unwrap())
        .collect();
    let low = scores.iter().cloned().fold(f64::INFINITY, f64::min);
    let high = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    assert!(low < high);
    let cut = (low + high) / 2.0;
    let rule = format!("site.shoppers.mean_score < {cut}");
    let run = Test::new()
        .arg("report")
        .arg(&audit)
        .args(["--fail-on", &rule])
        .run();
    run.status(1);
    for site in &sites {
        let name = site["site"].as_str().unwrap();
        let score = site["mean_score"].as_f64().unwrap();
        if score < cut {
            run.stderr_contains(&format!("{name} ({score})"));
        } else {
            run.stderr_lacks(&format!("{name} ("));
        }
    }
    Test::new()
        .arg("report")
        .arg(&audit)
        .args([
            "--fail-on",
            &format!("site.shoppers.mean_score < {}", low - 1.0),
        ])
        .run()
        .status(0);
}
