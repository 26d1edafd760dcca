//! Reports people act on, on the example audit: the summary and the gate first, the
//! site league table and scorecards, words beside codes, a checklist that fits (and
//! loses nothing in JSON and CSV), tables that fit the terminal, honest severity.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{fixture, Test};

fn example() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("audits/harbour-bank/audit.yaml")
}

/// `servqual report <example> ARGS --exit-zero`, its standard output.
fn report(args: &[&str]) -> String {
    let run = Test::new()
        .arg("report")
        .arg(example())
        .args(args)
        .args(["--exit-zero", "--color", "never"])
        .run();
    run.success().stdout().to_string()
}

fn json(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&report(&all)).expect("a JSON report")
}

fn severity_rank(word: &str) -> u8 {
    match word {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        _ => 3,
    }
}

/// Display columns of a line (a CJK character takes two).
fn columns(line: &str) -> usize {
    line.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
            0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

#[test]
fn the_summary_names_the_most_urgent_findings_one_per_group() {
    let r = json(&[]);
    let findings = r["summary"]["findings"]
        .as_array()
        .expect("summary.findings");
    assert!((3..=5).contains(&findings.len()), "{findings:?}");
    let checklist = r["checklist"].as_array().expect("checklist");
    let position = |id: &Value| {
        checklist
            .iter()
            .position(|e| &e["id"] == id)
            .unwrap_or_else(|| panic!("{id} is not in the checklist"))
    };
    let positions: Vec<usize> = findings.iter().map(position).collect();
    let mut sorted = positions.clone();
    sorted.sort_unstable();
    assert_eq!(positions, sorted, "most urgent first");
    // The first finding is the checklist's first entry; no two share a group.
    assert_eq!(positions[0], 0);
    let groups: std::collections::BTreeSet<String> = positions
        .iter()
        .map(|&i| checklist[i]["group"].to_string())
        .collect();
    assert_eq!(groups.len(), positions.len());
    // One sentence each, naming its owner; the headline scores; no baseline.
    let sentences = r["summary"]["sentences"].as_array().expect("sentences");
    assert_eq!(sentences.len(), findings.len());
    for (s, &i) in sentences.iter().zip(&positions) {
        let owner = checklist[i]["owner"].as_str().unwrap_or("–");
        assert!(s.as_str().is_some_and(|s| s.contains(owner)), "{s}");
    }
    assert_eq!(
        r["summary"]["scores"]["weighted"],
        r["servqual"]["weighted"]
    );
    assert_eq!(
        r["summary"]["scores"]["shopper_score"],
        r["shoppers"]["mean_score"]
    );
    assert_eq!(r["summary"]["has_previous"], false);
    assert_eq!(r["summary"]["change"], Value::Null);
    // The gate: no rule in the example audit.
    assert_eq!(r["gate"], serde_json::json!({"passed": true, "rules": []}));

    // Every human format opens with it.
    let md = report(&["--format", "markdown"]);
    let summary = md.find("## Summary").expect("a summary");
    assert!(summary < md.find("## Customer gap").expect("the gap table"));
    assert!(md.contains("no baseline"), "{md}");
    let table = report(&[]);
    assert!(table.find("Summary").expect("a summary") < table.find("Customer gap").unwrap());
}

#[test]
fn the_gate_lists_each_rule_with_its_value_and_status() {
    let r = json(&[
        "--fail-on",
        "weighted < -1.0",
        "--fail-on",
        "unweighted < -5",
        "--fail-on",
        "gap1.reliability < -9",
    ]);
    let rules = r["gate"]["rules"].as_array().expect("rules");
    assert_eq!(r["gate"]["passed"], false);
    assert_eq!(rules[0]["rule"], "weighted < -1.0");
    assert_eq!(rules[0]["status"], "fail");
    assert_eq!(rules[0]["value"], r["servqual"]["weighted"]);
    assert_eq!(rules[1]["status"], "pass");
    assert_eq!(rules.len(), 3);
    let md = report(&["--format", "markdown", "--fail-on", "weighted < -1.0"]);
    assert!(
        md.contains("**Gate**: ✗ failed · weighted &lt; -1.0 ✗ fail (-1.03)"),
        "{md}"
    );
}

#[test]
fn the_league_table_ranks_sites_by_customer_gap_with_segments_else_by_shopper_score() {
    let plain = json(&[]);
    assert_eq!(plain["league"]["ranked_by"], "shopper_score");
    assert_eq!(plain["league"]["customer_gaps"], false);
    let sites = plain["league"]["sites"].as_array().expect("sites");
    assert_eq!(sites.len(), 4);
    assert_eq!(sites[0]["site"], "Harbour Street");
    assert_eq!(sites[0]["customer_gap"], Value::Null);

    let by_site = json(&["--by", "site"]);
    assert_eq!(by_site["league"]["ranked_by"], "customer_gap");
    let sites = by_site["league"]["sites"].as_array().expect("sites");
    let gaps: Vec<f64> = sites
        .iter()
        .map(|s| s["customer_gap"].as_f64().expect("a customer gap"))
        .collect();
    assert!(
        gaps.windows(2).all(|w| w[0] >= w[1]),
        "best first: {gaps:?}"
    );
    let ranks: Vec<u64> = sites.iter().filter_map(|s| s["rank"].as_u64()).collect();
    assert_eq!(ranks, vec![1, 2, 3, 4]);
    // The customer gap is the segment's weighted SERVQUAL score.
    let segment = by_site["segments"]["segments"]
        .as_array()
        .and_then(|s| s.iter().find(|x| x["name"] == sites[0]["site"]))
        .expect("the segment");
    assert_eq!(sites[0]["customer_gap"], segment["servqual"]["weighted"]);
    assert_eq!(sites[0]["respondents"], segment["respondents"]);
}

#[test]
fn scorecards_are_a_printed_page_per_site() {
    let html = report(&["--format", "html", "--by", "site", "--scorecards"]);
    assert_eq!(html.matches("<section class=\"scorecard\">").count(), 4);
    assert!(html.contains(".scorecard { break-before: page; }"));
    let md = report(&["--format", "markdown", "--scorecards"]);
    assert!(md.contains("## Scorecard: Airport (Rank 4)"), "{md}");
    // Airport's own finding: the critical question that failed there.
    let airport = md.split("## Scorecard: Airport").nth(1).unwrap_or_default();
    assert!(airport.contains("Critical question HP1"), "{airport}");
    assert!(!report(&["--format", "html"]).contains("class=\"scorecard\""));
}

#[test]
fn items_and_questions_carry_short_labels() {
    let r = json(&[]);
    assert_eq!(r["items"][4]["short"]["en"], "Done by the time promised");
    assert_eq!(r["items"][4]["short"]["zh"], "按承诺时间完成");
    let hp1 = r["shoppers"]["questions"]
        .as_array()
        .and_then(|q| q.iter().find(|x| x["id"] == "HP1"))
        .expect("HP1");
    assert_eq!(hp1["short"]["en"], "Accurate price and terms");
    let critical = r["checklist"][0]["title"].as_str().unwrap_or_default();
    assert!(
        critical.contains("HP1 “Accurate price and terms”"),
        "{critical}"
    );
    // In the terminal's item tables and the chart-free formats too.
    let table = report(&["--width", "120"]);
    assert!(table.contains("R1 Done by the time promised"), "{table}");
    assert!(table.contains("RT1 Checked satisfaction"), "{table}");
}

#[test]
fn a_new_item_without_a_short_label_gets_its_first_words() {
    let r = Test::new()
        .arg("report")
        .arg(fixture("formats", "audit.yaml"))
        .args(["--format", "json", "--exit-zero"])
        .run();
    let doc = r.success().json();
    for item in doc["items"].as_array().expect("items") {
        let short = item["short"]["en"].as_str().unwrap_or_default();
        let text = item["text"]["en"].as_str().unwrap_or_default();
        assert!(!short.is_empty() && short.chars().count() <= 28, "{short}");
        assert!(
            text.starts_with(short),
            "{short:?} is the start of {text:?}"
        );
    }
}

#[test]
fn the_checklist_fits_and_json_and_csv_keep_every_entry() {
    let r = json(&[]);
    let checklist = r["checklist"].as_array().expect("checklist");
    // Severity and priority agree: no entry ranks above one of a higher severity.
    let current: Vec<&Value> = checklist.iter().filter(|e| e["current"] == true).collect();
    for pair in current.windows(2) {
        let (a, b) = (&pair[0]["severity"], &pair[1]["severity"]);
        assert!(
            severity_rank(a.as_str().unwrap_or_default())
                <= severity_rank(b.as_str().unwrap_or_default()),
            "{} ({a}) ranks above {} ({b})",
            pair[0]["id"],
            pair[1]["id"]
        );
    }
    // Where standard = promise, gap 3 and gap 4 are one finding under the gap-3 id.
    let r5 = checklist
        .iter()
        .find(|e| e["id"] == "gap3-item-R5")
        .expect("gap3-item-R5");
    assert_eq!(r5["covers"], serde_json::json!(["gap4-item-R5"]));
    assert!(!checklist.iter().any(|e| e["id"] == "gap4-item-R5"));

    // The tracker CSV: every entry, the tracker's columns.
    let csv = report(&["--checklist-only", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        &header[..12],
        [
            "id",
            "severity",
            "priority",
            "group",
            "gap",
            "dimension",
            "item",
            "title",
            "evidence",
            "owner",
            "due",
            "status"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), checklist.len());
    for (row, e) in rows.iter().zip(checklist) {
        assert_eq!(
            Some(row[0].to_string()),
            e["id"].as_str().map(str::to_string)
        );
        assert_eq!(
            Some(row[1].to_string()),
            e["severity"].as_str().map(str::to_string)
        );
        assert_eq!(row[2], e["priority"].to_string());
    }

    // Markdown and HTML show the most urgent and say how many more.
    let md = report(&["--format", "markdown", "--by", "site"]);
    assert!(md.lines().count() <= 350, "{} lines", md.lines().count());
    let more = checklist.iter().filter(|e| e["current"] == true).count() - 10;
    assert!(
        md.contains(&format!(
            "The 10 most urgent of {} findings; {more} more",
            more + 10
        )),
        "{md}"
    );
    // Each group shows its actions once: no action repeats in the report.
    let actions: Vec<&str> = md.lines().filter(|l| l.starts_with("  - [ ] ")).collect();
    let unique: std::collections::BTreeSet<&&str> = actions.iter().collect();
    assert_eq!(unique.len(), actions.len());
}

#[test]
fn terminal_tables_fit_the_width() {
    for width in [80, 120] {
        let table = report(&[
            "--by",
            "site",
            "--scorecards",
            "--width",
            &width.to_string(),
        ]);
        for line in table.lines() {
            assert!(
                columns(line) <= width,
                "{} > {width}: {line}",
                columns(line)
            );
        }
    }
    // Piped output is 80 columns unless COLUMNS says otherwise.
    let run = Test::new()
        .arg("report")
        .arg(example())
        .args(["--exit-zero", "--color", "never"])
        .env("COLUMNS", "100")
        .run();
    let widest = run
        .success()
        .stdout()
        .lines()
        .map(columns)
        .max()
        .unwrap_or(0);
    assert!((81..=100).contains(&widest), "{widest}");
    // Chinese text stays aligned within 80 columns.
    let zh = report(&["--lang", "zh", "--width", "80"]);
    for line in zh.lines() {
        assert!(columns(line) <= 80, "{} > 80: {line}", columns(line));
    }
}

#[test]
fn gaps_three_and_four_carry_intervals_from_the_visits() {
    let r = json(&[]);
    let items = r["items"].as_array().expect("items");
    let t2 = &items[1];
    assert_eq!(t2["id"], "T2");
    let [lo, hi] = [0, 1].map(|i| t2["gaps_ci95"]["3"][i].as_f64().expect("an interval"));
    let gap = t2["gaps"]["3"].as_f64().expect("gap 3");
    assert!(lo < gap && gap < hi, "{lo} < {gap} < {hi}");
    // Gap 4 is D - C: the same interval moved by S - C.
    let shift = t2["standard"].as_f64().unwrap_or(0.0) - t2["promise"].as_f64().unwrap_or(0.0);
    let lo4 = t2["gaps_ci95"]["4"][0].as_f64().expect("an interval");
    assert!((lo4 - (lo + shift)).abs() < 1e-12);
    // Gap 5's is the customer interval; gaps 1 and 2 (from the managers) bracket their
    // gaps.
    assert_eq!(t2["gaps_ci95"]["5"], t2["ci95"]);
    for gap in ["1", "2"] {
        let value = t2["gaps"][gap].as_f64().expect("a gap");
        let [lo, hi] = [0, 1].map(|i| t2["gaps_ci95"][gap][i].as_f64().expect("an interval"));
        assert!(lo < value && value < hi, "gap {gap}: {lo} < {value} < {hi}");
    }
    // An item no question names has no D and no interval.
    assert_eq!(items[0]["gaps_ci95"]["3"], Value::Null);
    // A delivery shortfall whose interval reaches 0 is at most `watch`.
    for e in r["checklist"].as_array().expect("checklist") {
        if let Some(hi) = e["evidence"]["ci95"][1].as_f64() {
            if hi >= 0.0 {
                assert_eq!(e["severity"], "watch", "{}", e["id"]);
            }
        }
    }
}

#[test]
fn every_human_format_shows_alpha_its_interval_and_the_weakest_item() {
    let r = json(&[]);
    // The weakest item of each dimension is the one with the lowest item-total r.
    for dim in r["dimensions"].as_array().expect("dimensions") {
        let id = dim["id"].as_str().expect("an id");
        let weakest = r["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|it| it["dimension"] == id)
            .min_by(|a, b| {
                let r = |v: &Value| v["item_total_r"].as_f64().unwrap_or(f64::INFINITY);
                r(a).total_cmp(&r(b))
            })
            .expect("an item");
        let alpha = format!("{:.2}", dim["alpha"].as_f64().expect("alpha"));
        let lo = format!("{:.2}", dim["alpha_ci95"][0].as_f64().expect("an interval"));
        let item = weakest["id"].as_str().expect("an id");
        let r_text = format!("{:.2}", weakest["item_total_r"].as_f64().expect("r"));
        for format in ["table", "markdown", "html"] {
            let text = report(&["--format", format, "--width", "80"]);
            let at = text.find("Reliability of the gap scores").expect(format);
            let section = &text[at..];
            let row = section
                .lines()
                .find(|l| l.contains(item) && l.contains(&r_text))
                .unwrap_or_else(|| panic!("{format}: no row for {item} with r {r_text}"));
            assert!(row.contains(&alpha) && row.contains(&lo), "{format}: {row}");
        }
    }
}

#[test]
fn the_table_shows_segments_and_the_trend_when_asked() {
    let dir = tempfile::tempdir().expect("a folder");
    let baseline = dir.path().join("previous.json");
    std::fs::write(&baseline, report(&["--format", "json"])).expect("the baseline");
    let baseline = baseline.to_str().expect("a path");
    let plain = report(&[]);
    assert!(!plain.contains("Segments (by site)") && !plain.contains("Trend: "));
    let text = report(&["--by", "site", "--baseline", baseline, "--width", "80"]);
    let segments = text.find("Segments (by site)").expect("the segments");
    for site in ["Harbour Street", "Old Town", "Riverside", "Airport"] {
        assert!(text[segments..].contains(site), "{site}");
    }
    let trend = text.find(&format!("Trend: {baseline}")).expect("the trend");
    // Against itself every change is 0, with p = 1.
    assert!(text[trend..].contains("= 0.00"), "{}", &text[trend..]);
    for line in text.lines() {
        assert!(columns(line) <= 80, "{line}");
    }
}
