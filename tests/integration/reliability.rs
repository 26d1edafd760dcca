//! Reliability diagnostics and gap 1's interval in the JSON report, on the core
//! fixture, against values worked out by hand.

use serde_json::Value;

use crate::support::{self, close, close_within, find, fixture_copy, Test};

fn json_report(dir: &tempfile::TempDir) -> Value {
    Test::new()
        .arg("report")
        .arg(dir.path().join("audit.yaml"))
        .args(["--format", "json"])
        .run()
        .success()
        .json()
}

#[test]
fn alpha_interval_and_item_diagnostics_match_hand_worked_values() {
    let r = json_report(&fixture_copy("core"));
    let place = find(&r["dimensions"], "id", "place");
    // Place: 4 complete respondents, B1 d = 1, 0, -2, 1 and B2 d = -2, -1, 0, 1; alpha
    // -4/9. Feldt with n - 1 = 3 and (n - 1)(k - 1) = 3 df: F(0.975; 3, 3) =
    // 15.43918237874729 and F(0.025; 3, 3) = 0.06477026927128886 (mpmath), so
    // 1 - (13/9)·F.
    let [lo, hi] = [15.43918237874729, 0.06477026927128886].map(|f| 1.0 - 13.0 / 9.0 * f);
    close_within(&place["alpha_ci95"][0], lo, 1e-9);
    close_within(&place["alpha_ci95"][1], hi, 1e-9);
    // Two items: each one's rest is the other. B1 deviations 1, 0, -2, 1 (SS 6), B2
    // -1.5, -0.5, 0.5, 1.5 (SS 5), cross products -1.5 + 0 - 1 + 1.5 = -1: r = -1/√30.
    // One item left is no scale: no alpha if deleted.
    for id in ["B1", "B2"] {
        let item = find(&r["items"], "id", id);
        close(&item["item_total_r"], -1.0 / 30f64.sqrt());
        assert!(item["alpha_if_deleted"].is_null(), "{id}");
    }
    // Service: r1 and r2 complete (A1 d -1, -2; A2 d 0, -2), alpha 8/9 on 1 and 1 df:
    // F(0.975; 1, 1) = 647.7890114778453, F(0.025; 1, 1) = 0.001543712508674131.
    let service = find(&r["dimensions"], "id", "service");
    let [lo, hi] = [647.7890114778453, 0.001543712508674131].map(|f| 1.0 - f / 9.0);
    close_within(&service["alpha_ci95"][0], lo, 1e-9);
    close_within(&service["alpha_ci95"][1], hi, 1e-9);
    // Two cases always lie on a line, here a rising one.
    close(&find(&r["items"], "id", "A1")["item_total_r"], 1.0);
}

#[test]
fn too_few_complete_respondents_give_null_diagnostics() {
    // Only r1 answers every item of the service dimension.
    let dir = fixture_copy("core");
    support::write(
        &dir.path().join("customers.csv"),
        "id,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_B2\n\
         r1,5,4,4,4,3,4,2,4\nr2,4,2,,3,4,4,1,2\n",
    );
    let r = json_report(&dir);
    let service = find(&r["dimensions"], "id", "service");
    assert!(service["alpha_ci95"].is_null());
    for id in ["A1", "A2"] {
        let item = find(&r["items"], "id", id);
        assert!(item["item_total_r"].is_null() && item["alpha_if_deleted"].is_null());
    }
}

#[test]
fn gap_one_has_welch_intervals_per_item_and_dimension() {
    // Managers rate A1 4, 3, 5 (mean 4, var 1) and A2 3, 5, 5 (mean 13/3, var 4/3);
    // no B items. The customers' E over the pairs of gap 5: A1 5, 4, 5 (mean 14/3,
    // var 1/3), A2 4, 5, 3 (mean 4, var 1): gaps -2/3 and 1/3.
    // A1: se² = 1/3 + 1/9 = 4/9, df = 1/((3/4)²/2 + (1/4)²/2) = 3.2,
    //   t(0.975, 3.2) = 3.0728289297131635 (mpmath): half 2.0485526198087757.
    // A2: se² = 4/9 + 1/3 = 7/9, df = 1/((4/7)²/2 + (3/7)²/2) = 98/25,
    //   t(0.975, 3.92) = 2.79893493163825: half √7/3·t = 2.4684285883221267.
    // Service: its gap -1/6 ± the mean half-width 2.2584906040654512.
    let dir = fixture_copy("core");
    let audit = support::read(&dir.path().join("audit.yaml"));
    let audit = audit.replace(
        "    file: customers.csv\n",
        "    file: customers.csv\n  management:\n    file: management.csv\n",
    );
    let audit = format!("{audit}standards: {{items: {{A1: 5}}}}\n");
    support::write(&dir.path().join("audit.yaml"), audit);
    support::write(
        &dir.path().join("management.csv"),
        "id,M_A1,M_A2,M_B1,M_B2\nm1,4,3,,\nm2,3,5,,\nm3,5,5,,\n",
    );
    let r = json_report(&dir);
    let cases = [
        ("A1", -2.0 / 3.0, 2.048552619808776),
        ("A2", 1.0 / 3.0, 2.468428588322127),
    ];
    for (id, gap, half) in cases {
        let item = find(&r["items"], "id", id);
        close(&item["gaps"]["1"], gap);
        close_within(&item["gaps_ci95"]["1"][0], gap - half, 1e-9);
        close_within(&item["gaps_ci95"]["1"][1], gap + half, 1e-9);
    }
    let service = find(&r["dimensions"], "id", "service");
    let half = 2.258490604065451;
    close_within(&service["gaps_ci95"]["1"][0], -1.0 / 6.0 - half, 1e-9);
    close_within(&service["gaps_ci95"]["1"][1], -1.0 / 6.0 + half, 1e-9);
    // Gap 2 = S - mean(M) with S = 5 for A1: 5 - 4 = 1, M's interval turned round:
    // 1 ± t(0.975, 2)·1/√3 = 1 ± 4.302652729749464/√3 = 1 ± 2.484137711750331.
    let a1 = find(&r["items"], "id", "A1");
    close(&a1["gaps"]["2"], 1.0);
    close_within(&a1["gaps_ci95"]["2"][0], 1.0 - 2.484137711750331, 1e-9);
    close_within(&a1["gaps_ci95"]["2"][1], 1.0 + 2.484137711750331, 1e-9);
    // Not measured, no interval.
    let place = find(&r["dimensions"], "id", "place");
    assert!(place["gaps"]["1"].is_null() && place["gaps_ci95"]["1"].is_null());
    assert!(find(&r["items"], "id", "B1")["gaps_ci95"]["1"].is_null());
}
