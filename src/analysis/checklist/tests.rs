//! Hand-worked checklists: two dimensions (weights 60/40), one item each, period end
//! 2026-09-30, threshold -0.5, scale 1..7.

use std::path::Path;

use super::*;
use crate::analysis::gaps::Gaps;
use crate::definition::checklist_state::parse_state;

const AUDIT: &str = "\
audit:
  id: t
  title: T
  period: {start: 2026-07-01, end: 2026-09-30}
dimensions:
  - {id: reliability, label: {en: Reliability, zh: 信赖度}}
  - {id: empathy, label: {en: Empathy, zh: 同理度}}
items:
  - {id: R1, dimension: reliability, text: {en: r}}
  - {id: E1, dimension: empathy, text: {en: e}}
weights: {reliability: 60, empathy: 40}
owners:
  reliability: Ops
  gap1: Insight
  default: Head
";

/// The hand-worked audit.
pub(crate) fn audit() -> Audit {
    crate::definition::load_str(Path::new("t.yaml"), AUDIT).unwrap()
}

fn gaps(g1: Option<f64>, g2: Option<f64>, g5: Option<f64>) -> Gaps {
    Gaps {
        knowledge: g1,
        standards: g2,
        delivery: None,
        communication: None,
        customer: g5,
    }
}

fn dim(id: &str, weight: f64, g: Gaps, ci95: Option<[f64; 2]>, n: u64) -> DimensionResult {
    DimensionResult {
        id: id.into(),
        weight: Some(weight),
        n,
        expected: None,
        perceived: None,
        management: None,
        standard: None,
        promise: None,
        shopper: None,
        merged: None,
        divergent: false,
        gaps: g,
        gaps_ci95: Default::default(),
        sd: None,
        ci95,
        alpha: None,
        alpha_ci95: None,
        alpha_n: 0,
        msa: None,
        mss: None,
        perceived_vs_standard: None,
    }
}

fn item(id: &str, dimension: &str, g: Gaps, ci95: Option<[f64; 2]>, n: u64) -> ItemResult {
    ItemResult {
        id: id.into(),
        dimension: dimension.into(),
        n,
        expected: None,
        perceived: None,
        management: None,
        management_n: 5,
        standard: None,
        promise: None,
        shopper: None,
        merged: None,
        divergent: false,
        gaps: g,
        gaps_ci95: Default::default(),
        sd: None,
        ci95,
        t: None,
        p: None,
        item_total_r: None,
        alpha_if_deleted: None,
        adequate: None,
        desired: None,
        msa: None,
        mss: None,
        reverse: false,
        perceived_vs_standard: None,
    }
}

/// Reliability: gap 5 -1.2 (CI -1.5..-0.9), gap 1 -0.6, gap 2 -0.4 (above the threshold).
/// Empathy: gap 5 -0.8 with `empathy_ci`.
fn results(empathy_ci: [f64; 2]) -> (Vec<DimensionResult>, Vec<ItemResult>) {
    let rel = gaps(Some(-0.6), Some(-0.4), Some(-1.2));
    let emp = gaps(None, None, Some(-0.8));
    (
        vec![
            dim("reliability", 0.6, rel, Some([-1.5, -0.9]), 100),
            dim("empathy", 0.4, emp, Some(empathy_ci), 20),
        ],
        vec![
            item("R1", "reliability", rel, Some([-1.5, -0.9]), 100),
            item("E1", "empathy", emp, Some(empathy_ci), 20),
        ],
    )
}

fn critical() -> Vec<CriticalFailure> {
    vec![
        CriticalFailure {
            question: "Q9".into(),
            site: Some("North".into()),
            failures: 1,
            visits: 4,
            item: None,
            dimension: None,
        },
        CriticalFailure {
            question: "Q7".into(),
            site: Some("Central Branch".into()),
            failures: 2,
            visits: 5,
            item: Some("R1".into()),
            dimension: None,
        },
        // Answered but never failed: no entry.
        CriticalFailure {
            question: "Q8".into(),
            site: Some("North".into()),
            failures: 0,
            visits: 4,
            item: None,
            dimension: None,
        },
    ]
}

/// The checklist of the hand-worked audit with empathy's interval `empathy_ci`.
pub(crate) fn run(
    empathy_ci: [f64; 2],
    must_be: &[&str],
    state: Option<&ChecklistState>,
) -> Vec<Entry> {
    let audit = audit();
    let (dims, items) = results(empathy_ci);
    let must_be: BTreeSet<String> = must_be.iter().map(|s| s.to_string()).collect();
    let crit = critical();
    let inputs = Inputs {
        audit: &audit,
        dimensions: &dims,
        items: &items,
        ipa: None,
        critical: Some(&crit),
        must_be: &must_be,
        state,
        method: Method::Servqual,
    };
    build(&inputs).entries
}

fn ids(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.id.as_str()).collect()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn hand_worked_order_severity_owner_and_due() {
    let entries = run([-1.6, 0.1], &[], None);
    // Critical failures first by failure rate: Q7 2/5 = 0.40 before Q9 1/4 = 0.25.
    // Shortfalls by shortfall × weight: gap 5 reliability 1.2 × 0.6 = 0.72 (item and
    // dimension tie, so by id: "gap5-item-R1" < "gap5-reliability"); gap 1 reliability
    // 0.6 × 0.6 = 0.36. Empathy's interval -1.6..0.1 includes 0: watch, last, 0.8 × 0.4 =
    // 0.32 each, by id. Gap 2 at -0.4 is above the threshold -0.5: no entry.
    assert_eq!(
        ids(&entries),
        vec![
            "critical-Q7-central-branch",
            "critical-Q9-north",
            "gap5-item-R1",
            "gap5-reliability",
            "gap1-item-R1",
            "gap1-reliability",
            "gap5-empathy",
            "gap5-item-E1",
        ]
    );
    let p: Vec<u32> = entries.iter().map(|e| e.priority).collect();
    assert_eq!(p, (1..=8).collect::<Vec<u32>>());
    let sev: Vec<Severity> = entries.iter().map(|e| e.severity).collect();
    use Severity::*;
    assert_eq!(
        sev,
        vec![Critical, Critical, High, High, Medium, Medium, Watch, Watch]
    );
    let e = &entries[3];
    assert!((e.evidence.score - 0.72).abs() < 1e-12);
    assert_eq!(e.evidence.n, Some(100));
    assert_eq!(e.owner.as_deref(), Some("Ops"));
    // High: 2026-09-30 + 30 days.
    assert_eq!(e.due, date("2026-10-30"));
    assert_eq!(e.status, Status::Open);
    assert!(!e.overdue);
    // Medium +60, watch +90, critical +14.
    assert_eq!(entries[4].due, date("2026-11-29"));
    assert_eq!(entries[6].due, date("2026-12-29"));
    assert_eq!(entries[0].due, date("2026-10-14"));
    // Owners: the dimension first (gap1-reliability goes to Ops, not Insight), else the
    // gap, else default; Q7 maps to R1, so reliability; Q9 maps to nothing.
    assert_eq!(entries[5].owner.as_deref(), Some("Ops"));
    assert_eq!(entries[6].owner.as_deref(), Some("Head"));
    assert_eq!(entries[0].owner.as_deref(), Some("Ops"));
    assert_eq!(entries[0].dimension.as_deref(), Some("reliability"));
    assert_eq!(entries[1].owner.as_deref(), Some("Head"));
    assert_eq!(entries[0].gap, 3);
    assert_eq!(entries[0].evidence.failures, Some(2));
    assert_eq!(entries[0].evidence.visits, Some(5));
    // Actions of the customer gap: the dimension's (what to fix) before gap 5's
    // (service recovery); of gap 1: the gap's before the dimension's; of a critical
    // question: the critical actions, then its dimension's.
    let reliability = ActionSource::Dimension("reliability".into());
    assert_eq!(
        entries[3].actions,
        vec![reliability.clone(), ActionSource::Gap(5)]
    );
    assert_eq!(
        entries[5].actions,
        vec![ActionSource::Gap(1), reliability.clone()]
    );
    assert_eq!(
        entries[0].actions,
        vec![ActionSource::Critical, reliability]
    );
    assert_eq!(entries[1].actions, vec![ActionSource::Critical]);
    // Items and their dimension share a group; a critical question's sites share one.
    assert_eq!(entries[2].group, "gap5-reliability");
    assert_eq!(entries[3].group, "gap5-reliability");
    assert_eq!(entries[0].group, "critical-Q7");
    assert!(entries.iter().all(|e| e.is_current()));
}

#[test]
fn kano_must_be_raises_priority() {
    // Empathy significant now (-1.0..-0.6): medium, score 0.32 < 0.36 of gap 1 reliability.
    let plain = run([-1.0, -0.6], &[], None);
    assert_eq!(
        &ids(&plain)[4..],
        [
            "gap1-item-R1",
            "gap1-reliability",
            "gap5-empathy",
            "gap5-item-E1"
        ]
    );
    // E1 must-be: 0.32 × 1.5 = 0.48 > 0.36, for the item and its dimension.
    let raised = run([-1.0, -0.6], &["E1"], None);
    assert_eq!(
        &ids(&raised)[4..],
        [
            "gap5-empathy",
            "gap5-item-E1",
            "gap1-item-R1",
            "gap1-reliability"
        ]
    );
    assert!((raised[4].evidence.score - 0.48).abs() < 1e-12);
    assert!(raised[4].evidence.must_be);
    assert!(!plain[6].evidence.must_be);
}

#[test]
fn severity_rescales_to_seven_points_and_caps_at_watch() {
    // 1..7: size 1.5 critical, 1.0 high, 0.6 medium.
    assert_eq!(
        shortfall_severity(-1.5, Some([-2.0, -1.0]), 5, 6.0),
        Severity::Critical
    );
    assert_eq!(
        shortfall_severity(-1.0, Some([-2.0, -0.1]), 5, 6.0),
        Severity::High
    );
    assert_eq!(
        shortfall_severity(-0.6, Some([-1.0, -0.2]), 5, 6.0),
        Severity::Medium
    );
    // 1..5 (range 4): -1.0 is 1.0 × 6 / 4 = 1.5 seven-point points: critical.
    assert_eq!(shortfall_severity(-1.0, None, 1, 4.0), Severity::Critical);
    // Interval reaching 0, or a customer gap with no interval: at most watch.
    assert_eq!(
        shortfall_severity(-3.0, Some([-6.0, 0.0]), 5, 6.0),
        Severity::Watch
    );
    assert_eq!(shortfall_severity(-3.0, None, 5, 6.0), Severity::Watch);
}

#[test]
fn ids_are_plain_and_stable() {
    assert_eq!(
        critical_id("Q7", Some("  Central Branch (Main St.) ")),
        "critical-Q7-central-branch-main-st"
    );
    assert_eq!(
        critical_id("Q7", Some("北京 西单")),
        "critical-Q7-北京-西单"
    );
    assert_eq!(critical_id("Q7", None), "critical-Q7");
    assert_eq!(dimension_id(5, "reliability"), "gap5-reliability");
    assert_eq!(item_id(3, "R3"), "gap3-item-R3");
}

const STATE: &str = "\
entries:
  gap5-reliability:
    status: in-progress
    owner: Anna
    notes: new queue system
    due: 2026-09-15
    first_seen: 2026-06-30
  gap1-reliability:
    status: done
    first_seen: 2026-03-31
    due: 2026-05-30
  gap2-reliability:
    status: open
    gap: 2
    dimension: reliability
    severity: medium
  gap4-reliability:
    status: open
    gap: 4
    dimension: reliability
    due: 2026-08-01
  critical-Q3-north:
    status: wont-fix
    question: Q3
    site: North
  gap5-item-E1:
    status: wont-fix
    notes: branch closing
";

/// The hand-worked state file, parsed.
pub(crate) fn state() -> ChecklistState {
    parse_state(Path::new("t.checklist.yaml"), STATE).unwrap()
}

#[test]
fn state_carries_over_reopens_resolves_and_flags_overdue() {
    let s = state();
    let entries = run([-1.6, 0.1], &[], Some(&s));
    let get = |id: &str| entries.iter().find(|e| e.id == id).unwrap();
    // Kept: status, owner, notes, first seen, due; due 09-15 is before the period end
    // 09-30 and the entry is still in progress: overdue.
    let e = get("gap5-reliability");
    assert_eq!(e.status, Status::InProgress);
    assert_eq!(e.owner.as_deref(), Some("Anna"));
    assert_eq!(e.notes.as_deref(), Some("new queue system"));
    assert_eq!(e.first_seen, date("2026-06-30"));
    assert_eq!(e.due, date("2026-09-15"));
    assert!(e.overdue);
    // Done but back: reopened with a new due date (medium: +60), not overdue.
    let e = get("gap1-reliability");
    assert_eq!(e.status, Status::Reopened);
    assert_eq!(e.due, date("2026-11-29"));
    assert_eq!(e.first_seen, date("2026-03-31"));
    assert!(!e.overdue);
    // Won't fix stays won't fix and is never overdue.
    let e = get("gap5-item-E1");
    assert_eq!(e.status, Status::WontFix);
    assert!(!e.overdue);
    // Gap 2 is now -0.4, above the threshold: resolved, with the value as evidence.
    let e = get("gap2-reliability");
    assert_eq!(e.status, Status::Resolved);
    assert_eq!(e.evidence.value, Some(-0.4));
    assert_eq!(e.severity, Severity::Medium);
    // Gap 4 was not measured: carried over as it was, overdue (08-01 < 09-30).
    let e = get("gap4-reliability");
    assert_eq!(e.status, Status::Open);
    assert!(e.overdue);
    assert_eq!(e.absence, Some(Absence::NotMeasured));
    // Shopper data was scored and Q3 did not fail: resolved.
    assert_eq!(get("critical-Q3-north").status, Status::Resolved);
    assert_eq!(get("critical-Q3-north").absence, Some(Absence::NoFailure));
    assert_eq!(
        get("gap2-reliability").absence,
        Some(Absence::AboveThreshold)
    );
    // Current findings first (in their order), then not measured, then resolved.
    assert_eq!(
        &ids(&entries)[8..],
        ["gap4-reliability", "critical-Q3-north", "gap2-reliability"]
    );
    assert_eq!(entries.last().unwrap().priority, 11);
    // Carried-over entries are not this period's findings; they keep their group.
    assert!(entries[..8].iter().all(|e| e.is_current()));
    assert!(entries[8..].iter().all(|e| !e.is_current()));
    assert_eq!(get("critical-Q3-north").group, "critical-Q3");
    assert_eq!(get("gap4-reliability").group, "gap4-reliability");
}

/// The checklist of dimensions and items given as they are, with no critical failures.
fn run_on(dims: &[DimensionResult], items: &[ItemResult]) -> Vec<Entry> {
    let audit = audit();
    let must_be = BTreeSet::new();
    build(&Inputs {
        audit: &audit,
        dimensions: dims,
        items,
        ipa: None,
        critical: None,
        must_be: &must_be,
        state: None,
        method: Method::Servqual,
    })
    .entries
}

#[test]
fn gap_three_and_four_of_the_same_value_are_one_finding() {
    // R1: S = C, so gap 3 = gap 4 = -1.2: one entry, the gap-3 id, covering gap 4, with
    // gap 4's actions after gap 3's. E1: S != C, gap 3 -0.6 and gap 4 -1.1: two entries.
    let same = Gaps {
        delivery: Some(-1.2),
        communication: Some(-1.2),
        ..gaps(None, None, None)
    };
    let different = Gaps {
        delivery: Some(-0.6),
        communication: Some(-1.1),
        ..gaps(None, None, None)
    };
    let dims = vec![
        dim("reliability", 0.6, gaps(None, None, None), None, 0),
        dim("empathy", 0.4, gaps(None, None, None), None, 0),
    ];
    let items = vec![
        item("R1", "reliability", same, None, 0),
        item("E1", "empathy", different, None, 0),
    ];
    let entries = run_on(&dims, &items);
    assert_eq!(
        ids(&entries),
        vec!["gap3-item-R1", "gap4-item-E1", "gap3-item-E1"]
    );
    assert_eq!(entries[0].covers, vec!["gap4-item-R1".to_string()]);
    assert_eq!(
        entries[0].actions,
        vec![
            ActionSource::Gap(3),
            ActionSource::Gap(4),
            ActionSource::Dimension("reliability".into())
        ]
    );
    assert!(entries[1].covers.is_empty());
}

#[test]
fn no_entry_ranks_above_one_of_a_higher_severity() {
    // Reliability's gap 5 of -1.6 is critical (>= 1.5) but weighs 0.2: score 0.32.
    // Empathy's gap 5 of -1.2 is high but weighs 0.8: score 0.96. Severity first.
    let rel = gaps(None, None, Some(-1.6));
    let emp = gaps(None, None, Some(-1.2));
    let dims = vec![
        dim("reliability", 0.2, rel, Some([-1.9, -1.3]), 50),
        dim("empathy", 0.8, emp, Some([-1.5, -0.9]), 50),
    ];
    let entries = run_on(&dims, &[]);
    assert_eq!(ids(&entries), vec!["gap5-reliability", "gap5-empathy"]);
    assert_eq!(entries[0].severity, Severity::Critical);
    assert_eq!(entries[1].severity, Severity::High);
}

#[test]
fn a_delivery_gap_whose_interval_reaches_zero_is_watch() {
    let g = Gaps {
        delivery: Some(-1.6),
        ..gaps(None, None, None)
    };
    let mut it = item("R1", "reliability", g, None, 0);
    it.gaps_ci95.delivery = Some([-3.0, 0.2]);
    let dims = vec![dim("reliability", 0.6, gaps(None, None, None), None, 0)];
    let entries = run_on(&dims, &[it.clone()]);
    assert_eq!(entries[0].severity, Severity::Watch);
    assert_eq!(entries[0].evidence.ci95, Some([-3.0, 0.2]));
    // Without an interval a delivery gap counts as measured: -1.6 is critical.
    it.gaps_ci95.delivery = None;
    assert_eq!(run_on(&dims, &[it])[0].severity, Severity::Critical);
}

#[test]
fn a_servperf_audit_compares_perceptions_with_the_standards() {
    // Reliability: P 4.4 against S 6: P - S = -1.6, interval of P 4.0..4.8 so -2.0..-1.2,
    // critical on a 1..7 scale. R1: P - S = -0.6, P's interval 5.0..5.8 against S 6
    // reaches 0.2 (it may be chance): watch. Empathy: P - S = -0.3, not below -0.5.
    let mut reliability = dim(
        "reliability",
        0.6,
        gaps(None, None, None),
        Some([4.0, 4.8]),
        40,
    );
    reliability.perceived_vs_standard = Some(-1.6);
    reliability.standard = Some(6.0);
    let mut empathy = dim("empathy", 0.4, gaps(None, None, None), Some([5.0, 6.0]), 40);
    empathy.perceived_vs_standard = Some(-0.3);
    empathy.standard = Some(5.8);
    let mut r1 = item(
        "R1",
        "reliability",
        gaps(None, None, None),
        Some([5.0, 6.2]),
        38,
    );
    r1.perceived_vs_standard = Some(-0.6);
    r1.standard = Some(6.0);
    let e1 = item("E1", "empathy", gaps(None, None, None), None, 40);
    let (dims, items) = (vec![reliability, empathy], vec![r1, e1]);
    let audit = audit();
    let must_be = BTreeSet::new();
    let inputs = |method| Inputs {
        audit: &audit,
        dimensions: &dims,
        items: &items,
        ipa: None,
        critical: None,
        must_be: &must_be,
        state: None,
        method,
    };
    let entries = build(&inputs(Method::Servperf)).entries;
    assert_eq!(
        ids(&entries),
        ["perception-reliability", "perception-item-R1"]
    );
    let (dim, item) = (&entries[0], &entries[1]);
    assert_eq!(dim.group, "perception-reliability");
    assert_eq!(item.group, "perception-reliability");
    assert_eq!(dim.severity, Severity::Critical);
    assert_eq!(dim.evidence.value, Some(-1.6));
    let [lo, hi] = dim.evidence.ci95.unwrap();
    assert!((lo + 2.0).abs() < 1e-12 && (hi + 1.2).abs() < 1e-12);
    assert_eq!(dim.evidence.n, Some(40));
    assert_eq!(item.severity, Severity::Watch);
    // The owner of the dimension; the dimension's actions, then the customer side's.
    assert_eq!(dim.owner.as_deref(), Some("Ops"));
    assert_eq!(
        dim.actions,
        [
            ActionSource::Dimension("reliability".into()),
            ActionSource::Gap(5)
        ]
    );
    // A SERVQUAL audit makes no perception findings of the same values.
    assert!(build(&inputs(Method::Servqual)).entries.is_empty());
    // Carried over: a perception entry of the state file is resolved when P - S is
    // measured and no longer below the threshold, by its own value.
    let state = parse_state(
        Path::new("t.checklist.yaml"),
        "entries:\n  perception-empathy:\n    status: open\n    gap: 5\n    dimension: empathy\n",
    )
    .unwrap();
    let entries = build(&Inputs {
        state: Some(&state),
        ..inputs(Method::Servperf)
    })
    .entries;
    let carried = entries
        .iter()
        .find(|e| e.id == "perception-empathy")
        .unwrap();
    assert_eq!(carried.absence, Some(Absence::AboveThreshold));
    assert_eq!(carried.evidence.value, Some(-0.3));
    assert_eq!(carried.group, "perception-empathy");
}
