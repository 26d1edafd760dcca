//! The wording of the hand-worked checklists of `analysis::checklist::tests`.

use std::path::Path;

use super::*;
use crate::analysis::checklist::tests::{audit, run, state};
use crate::analysis::checklist::Checklist;
use crate::definition::checklist_state::ChecklistState;
use crate::definition::checklist_state::{parse_state, render_state};

/// The hand-worked checklist worded in `lang`, with the built-in actions.
fn worded(
    empathy_ci: [f64; 2],
    must_be: &[&str],
    state: Option<&ChecklistState>,
    lang: Lang,
) -> Vec<Entry> {
    let checklist = Checklist {
        entries: run(empathy_ci, must_be, state),
    };
    word(&checklist, &audit(), None, &ActionLibrary::builtin(), lang)
}

#[test]
fn hand_worked_evidence_and_actions() {
    let entries = worded([-1.6, 0.1], &[], None, Lang::En);
    assert_eq!(
        entries[0].evidence.text,
        "Critical question Q7 failed in 2 of 5 visits at Central Branch"
    );
    // Actions of the customer gap: the dimension's (what to fix) before gap 5's
    // (service recovery); of gap 1: the gap's before the dimension's.
    let lib = ActionLibrary::builtin();
    let mut expected = lib.dimension_actions("reliability", Lang::En);
    expected.extend(lib.gap_actions(5, Lang::En));
    assert_eq!(entries[3].actions, expected);
    let mut expected = lib.gap_actions(1, Lang::En);
    expected.extend(lib.dimension_actions("reliability", Lang::En));
    assert_eq!(entries[5].actions, expected);
    // The evidence says what falls short of what, by how much, then the numbers.
    assert_eq!(
        entries[3].evidence.text,
        "Customers rate Reliability 1.20 points below what they expect \
         (P-E -1.20, 95% CI -1.50 to -0.90, n = 100)."
    );
    assert_eq!(
        entries[5].evidence.text,
        "Managers underestimate what customers expect of Reliability by 0.60 points (M-E -0.60)."
    );
    assert!(entries[6].evidence.text.contains("interval includes 0"));
    assert!(entries.iter().all(|e| e.current));
}

#[test]
fn kano_must_be_is_said() {
    let plain = worded([-1.0, -0.6], &[], None, Lang::En);
    let raised = worded([-1.0, -0.6], &["E1"], None, Lang::En);
    assert!(raised[4].evidence.text.contains("Kano must-be"));
    assert!(!plain[6].evidence.text.contains("Kano must-be"));
}

#[test]
fn carried_over_entries_say_why() {
    let s = state();
    let entries = worded([-1.6, 0.1], &[], Some(&s), Lang::En);
    let get = |id: &str| entries.iter().find(|e| e.id == id).unwrap();
    assert!(get("gap4-reliability")
        .evidence
        .text
        .contains("Not measured"));
    assert_eq!(
        get("gap2-reliability").evidence.text,
        "No longer below the threshold -0.50: now -0.40"
    );
    assert_eq!(
        get("critical-Q3-north").evidence.text,
        "The critical question did not fail in this period"
    );
    // Titles of carried-over entries come from the state file, else the id.
    assert_eq!(get("gap4-reliability").title, "gap4-reliability");
    assert!(get("gap4-reliability").actions.is_empty());
}

#[test]
fn written_state_reads_back_the_same() {
    let s = state();
    let entries = worded([-1.6, 0.1], &[], Some(&s), Lang::Zh);
    let text = render_state(&audit().meta, &state_records(&entries)).unwrap();
    let back = parse_state(Path::new("t.checklist.yaml"), &text).unwrap();
    assert_eq!(back.entries.len(), entries.len());
    for e in &entries {
        let b = &back.entries[&e.id];
        assert_eq!(b.status, e.status, "{}", e.id);
        assert_eq!(b.owner, e.owner, "{}", e.id);
        assert_eq!(b.due, Some(e.due), "{}", e.id);
        assert_eq!(b.notes, e.notes, "{}", e.id);
    }
    // A second run over the written state changes nothing (reopened stays reopened).
    let again = worded([-1.6, 0.1], &[], Some(&back), Lang::Zh);
    assert_eq!(again, entries);
}

#[test]
fn chinese_text_and_actions() {
    let entries = worded([-1.6, 0.1], &[], None, Lang::Zh);
    let e = entries.iter().find(|e| e.id == "gap5-reliability").unwrap();
    assert!(
        e.evidence
            .text
            .starts_with("客户对信赖度的评分比期望低 1.20 分（P-E -1.20，"),
        "{}",
        e.evidence.text
    );
    assert!(e.actions[0]
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    assert!(entries[0].evidence.text.contains("关键问题 Q7"));
}

#[test]
fn every_severity_status_gap_and_quadrant_has_words() {
    use Quadrant::*;
    for lang in [Lang::En, Lang::Zh] {
        let mut words: Vec<&str> = [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Watch,
        ]
        .into_iter()
        .map(|s| severity_label(s, lang))
        .collect();
        words.extend(
            [
                Status::Open,
                Status::InProgress,
                Status::Done,
                Status::WontFix,
                Status::Reopened,
                Status::Resolved,
            ]
            .into_iter()
            .map(|s| status_label(s, lang)),
        );
        words.extend((1..=5).map(|g| gap_name(g, lang)));
        words.extend(
            [
                ConcentrateHere,
                KeepUpTheGoodWork,
                LowPriority,
                PossibleOverkill,
            ]
            .into_iter()
            .map(|q| quadrant_advice(q, lang)),
        );
        // `label` answers "?" for a key it does not have.
        assert!(words.iter().all(|w| *w != "?"), "{words:?}");
    }
    assert_eq!(severity_label(Severity::Watch, Lang::Zh), "观察");
    assert_eq!(status_label(Status::WontFix, Lang::En), "won't fix");
}
