//! Report formats, segments, trends and the CI gate, run through the real binary on
//! tests/fixtures/formats/ (an audit with every section, a `<script>` item text and a
//! site named `=HYPERLINK("http://x")`).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::support::{self, read, Run, Test};

fn fixture(name: &str) -> PathBuf {
    support::fixture("formats", name)
}

fn run(args: &[&str]) -> Run {
    Test::new().args(args).run()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// `report` on the fixture audit writing all four formats into `dir`, plus `extra`
/// arguments, to be run.
fn report_all(dir: &Path, extra: &[&str]) -> Test {
    let mut test = Test::new().arg("report").arg(fixture("audit.yaml"));
    for format in ["json", "markdown", "csv", "html"] {
        let target = dir.join(format!("report.{format}"));
        test = test
            .arg("--report")
            .arg(format!("{format}={}", target.display()));
    }
    test.args(extra)
}

fn json(path: &Path) -> serde_json::Value {
    match serde_json::from_str(&read(path)) {
        Ok(v) => v,
        Err(e) => panic!("{}: not JSON: {e}", path.display()),
    }
}

fn sha256_of(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks that every tag is closed in order (void elements and `/>` excepted), and
/// returns the names of the elements opened.
fn check_well_formed(html: &str) -> Vec<String> {
    const VOID: [&str; 6] = ["meta", "br", "link", "img", "hr", "input"];
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let Some(end) = rest.find('>') else {
            panic!("unclosed `<` near {:?}", &rest[..rest.len().min(40)]);
        };
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue; // <!DOCTYPE html>
        }
        assert!(!tag.contains('<'), "`<` inside a tag: {tag:?}");
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(!name.is_empty(), "empty tag name: <{tag}>");
        // Attribute quotes must pair up, so no attribute swallowed user text.
        assert_eq!(tag.matches('"').count() % 2, 0, "unpaired quote in <{tag}>");
        if tag.starts_with('/') {
            match stack.pop() {
                Some(open) if open == name => {}
                other => panic!("</{name}> closes {other:?}; open: {stack:?}"),
            }
            continue;
        }
        if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            stack.push(name.clone());
        }
        seen.push(name);
    }
    assert!(stack.is_empty(), "never closed: {stack:?}");
    seen
}

/// The text of an HTML page outside its tags and style sheet.
fn visible_text(html: &str) -> String {
    let body = html.split("</style>").last().unwrap_or_default();
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Undoes the HTML entities the templates write (and `\` escapes of Markdown).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The pipes that separate Markdown table cells (escaped `\|` is text).
fn cell_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    count
}

/// Every Markdown table: (header line, rows); checks that every row has the header's
/// cell count and that the delimiter row follows the header.
fn check_tables(md: &str) -> usize {
    let lines: Vec<&str> = md.lines().collect();
    let mut tables = 0;
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with('|') {
            i += 1;
            continue;
        }
        tables += 1;
        let header = cell_pipes(lines[i]);
        let delim = lines.get(i + 1).copied().unwrap_or_default();
        assert!(
            delim.starts_with("|---") || delim.starts_with("|:--"),
            "no delimiter row after {:?}",
            lines[i]
        );
        while i < lines.len() && lines[i].starts_with('|') {
            assert_eq!(
                cell_pipes(lines[i]),
                header,
                "row has another cell count than its header: {:?}",
                lines[i]
            );
            i += 1;
        }
    }
    tables
}

#[test]
fn every_format_parses_back_and_carries_provenance() {
    let dir = tempdir();
    let out = report_all(dir.path(), &[]).run();
    // Only --report: nothing on stdout.
    out.success().stdout_is("");

    // JSON.
    let r = json(&dir.path().join("report.json"));
    assert_eq!(r["schema"], "servqual.report/v1");
    let files = r["provenance"]["files"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let roles: Vec<&str> = files.iter().filter_map(|f| f["role"].as_str()).collect();
    assert_eq!(
        roles,
        ["audit", "customers", "management", "form", "shoppers"]
    );
    // The digests are those of the files on disk.
    let mut hashes = Vec::new();
    for (f, name) in files.iter().zip([
        "audit.yaml",
        "customers.csv",
        "management.csv",
        "form.yaml",
        "visits.csv",
    ]) {
        let want = sha256_of(&fixture(name));
        assert_eq!(f["sha256"].as_str(), Some(want.as_str()), "{name}");
        hashes.push(want);
    }
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(r["provenance"]["tool_version"], version);
    assert!(
        r["provenance"].get("generated_at").is_none(),
        "no timestamp unless asked"
    );

    // Markdown, CSV, HTML all carry the version and every digest.
    for ext in ["markdown", "csv", "html"] {
        let text = read(&dir.path().join(format!("report.{ext}")));
        assert!(text.contains(version), "{ext}: tool version");
        for h in &hashes {
            assert!(text.contains(h.as_str()), "{ext}: sha256 {h}");
        }
    }

    // CSV: parsed back with the csv crate; one header, every row as wide.
    let csv_text = read(&dir.path().join("report.csv"));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().cloned().unwrap_or_default();
    assert_eq!(header.get(0), Some("segment"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap_or_default()).collect();
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or(usize::MAX);
    let (level, id, gap, value) = (col("level"), col("id"), col("gap"), col("value"));
    // One row per dimension and measured gap: reliability has gaps 1..5.
    let reliability: Vec<&str> = rows
        .iter()
        .filter(|r| r.get(level) == Some("dimension") && r.get(id) == Some("reliability"))
        .filter_map(|r| r.get(gap))
        .collect();
    assert_eq!(reliability, ["1", "2", "3", "4", "5"]);
    // The gap-5 value is the JSON's, unrounded, and stays a negative number.
    let csv_gap5 = rows
        .iter()
        .find(|r| {
            r.get(level) == Some("dimension")
                && r.get(id) == Some("reliability")
                && r.get(gap) == Some("5")
        })
        .and_then(|r| r.get(value))
        .and_then(|v| v.parse::<f64>().ok());
    let json_gap5 = r["dimensions"][0]["gaps"]["5"].as_f64();
    assert!(json_gap5.is_some_and(|g| g < 0.0));
    assert_eq!(csv_gap5, json_gap5);

    // Markdown: every table has rows of its header's width; the checklist is a task list.
    let md = read(&dir.path().join("report.markdown"));
    assert!(
        check_tables(&md) >= 5,
        "gap, five-gap, items, zone, shopper tables"
    );
    assert!(md.contains("## Five gaps by dimension"));
    assert!(md.contains("\n- [ ] **Priority 1 · critical**"), "{md}");
    assert!(md.contains("\n  - [ ] "), "actions as sub-tasks");

    // HTML: well formed, self-contained, with the charts.
    let html = read(&dir.path().join("report.html"));
    let tags = check_well_formed(&html);
    let svgs = tags.iter().filter(|t| *t == "svg").count();
    // Five-gap chart per dimension (3), E vs P per item, IPA quadrant, shopper sites.
    assert_eq!(svgs, 6, "charts");
    for needle in [
        "<meta name=\"viewport\"",
        "@media print",
        "@media (max-width",
        "class=\"band\"", // zone of tolerance where A_/D_ were measured
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    for banned in [
        "<script",
        "src=",
        "href=",
        "url(",
        "@import",
        "<link",
        "@font-face",
    ] {
        assert!(
            !html.contains(banned),
            "HTML must be self-contained: {banned}"
        );
    }
}

#[test]
fn user_text_is_escaped_in_every_format() {
    let dir = tempdir();
    let out = report_all(dir.path(), &["--by", "site"]).run();
    out.success();
    for ext in ["html", "markdown"] {
        let text = read(&dir.path().join(format!("report.{ext}")));
        assert!(!text.contains("<script>"), "{ext}: raw <script>");
        assert!(!text.contains("<b>bold</b>"), "{ext}: raw title markup");
        assert!(
            unescape(&text).contains("Right first time <script>alert(1)</script>"),
            "{ext}: the item text is shown, escaped"
        );
    }
    let md = read(&dir.path().join("report.markdown"));
    // A pipe in an item text must not split the table row.
    assert!(md.contains(r"Promises kept \| \*always\*"), "{md}");

    // CSV: the formula site name is neutralised wherever it appears, and no text cell
    // starts a formula; cells starting with `-` are numbers.
    let csv_text = read(&dir.path().join("report.csv"));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut site_cells = 0;
    for record in reader.records() {
        let record = record.unwrap_or_default();
        for cell in record.iter() {
            if cell.starts_with("'=HYPERLINK") {
                site_cells += 1;
            }
            if cell.starts_with('-') {
                assert!(
                    cell.parse::<f64>().is_ok(),
                    "text cell starting with -: {cell:?}"
                );
            }
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "formula cell: {cell:?}"
            );
        }
    }
    // Segment rows (--by site), shopper site rows, and the critical-failure entry.
    assert!(site_cells >= 10, "{site_cells}");
}

#[test]
fn checklist_only_markdown_escapes_user_text() {
    let audit = fixture("audit.yaml");
    let out = run(&[
        "report",
        audit.to_str().unwrap_or_default(),
        "--checklist-only",
    ]);
    let md = out.success().stdout();
    assert!(!md.contains("<script>"), "raw <script> in {md}");
    assert!(
        unescape(md).contains("Right first time <script>alert(1)</script>"),
        "the item text is shown, escaped: {md}"
    );
}

#[test]
fn checklist_only_does_not_mix_with_other_formats() {
    let dir = tempdir();
    let audit = fixture("audit.yaml");
    let html = dir.path().join("r.html");
    let target = format!("html={}", html.display());
    let out = run(&[
        "report",
        audit.to_str().unwrap_or_default(),
        "--checklist-only",
        "--report",
        &target,
    ]);
    out.status(2).stderr_contains("cannot be used with");
    assert!(!html.exists(), "nothing written");
}

#[test]
fn identical_inputs_give_byte_identical_reports() {
    let (a, b) = (tempdir(), tempdir());
    for dir in [&a, &b] {
        let out = report_all(dir.path(), &["--by", "region"]).run();
        out.success();
    }
    for ext in ["json", "markdown", "csv", "html"] {
        let name = format!("report.{ext}");
        let (x, y) = (
            std::fs::read(a.path().join(&name)).unwrap_or_default(),
            std::fs::read(b.path().join(&name)).unwrap_or_default(),
        );
        assert!(!x.is_empty(), "{ext}");
        assert!(x == y, "{ext} differs between two runs");
    }
    // --timestamp adds the time, in every format.
    let dir = tempdir();
    let out = report_all(dir.path(), &["--timestamp"]).run();
    out.success();
    let r = json(&dir.path().join("report.json"));
    let at = r["provenance"]["generated_at"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(at.len(), "2026-01-01T00:00:00Z".len(), "{at}");
    for ext in ["markdown", "csv", "html"] {
        assert!(
            read(&dir.path().join(format!("report.{ext}"))).contains(&at),
            "{ext}"
        );
    }
}

#[test]
fn lang_zh_translates_every_label() {
    let dir = tempdir();
    let base = tempdir();
    let prev = base.path().join("prev.json");
    let out = run(&[
        "report",
        fixture("audit-prev.yaml").to_str().unwrap_or_default(),
        "-f",
        "json",
        "-o",
        prev.to_str().unwrap_or_default(),
    ]);
    out.success();
    let prev = prev.display().to_string();
    let out = report_all(
        dir.path(),
        &["--lang", "zh", "--by", "site", "--baseline", &prev],
    )
    .run();
    out.success();
    let english = [
        "Period",
        "Customers",
        "Managers",
        "Dimension",
        "Expected",
        "Perceived",
        "Five gaps",
        "Items",
        "Statement",
        "Zone of tolerance",
        "Segments",
        "Respondents",
        "not ranked",
        "Trend",
        "Baseline",
        "Previous",
        "Mystery shopping",
        "Visits",
        "Critical failures",
        "Improvement checklist",
        "Priority",
        "critical",
        "high",
        "Owner",
        "Due",
        "Status",
        "open",
        "Provenance",
        "Tool",
        "Role",
        "management",
        "shoppers",
        "not measured",
        "Importance",
        "knowledge",
        "yes",
    ];
    for ext in ["markdown", "html"] {
        let text = read(&dir.path().join(format!("report.{ext}")));
        // What a reader sees: not tags, class names or the style sheet.
        let text = if ext == "html" {
            visible_text(&text)
        } else {
            text
        };
        // The audit's own words (title, owner, site names) are the user's; remove them.
        let text = text
            .replace("Formats test", "")
            .replace("Test Org", "")
            .replace("=Owner", "")
            .replace("&lt;Team&gt;", "")
            .replace("management.csv", "");
        for word in english {
            assert!(
                !text.contains(word),
                "{ext}: English label {word:?} in --lang zh"
            );
        }
        for word in [
            "期间",
            "各维度五差距",
            "改进清单",
            "来源",
            "神秘顾客",
            "趋势",
            "细分",
            "审计定义",
        ] {
            assert!(text.contains(word), "{ext}: {word}");
        }
    }
    let csv_text = read(&dir.path().join("report.csv"));
    let header = csv_text.lines().next().unwrap_or_default();
    assert!(header.starts_with("细分,层级,编号"), "{header}");
    assert!(csv_text.contains("信赖度"), "dimension labels in Chinese");
}

#[test]
fn breached_threshold_exits_1_and_still_writes_every_report() {
    let dir = tempdir();
    let out = report_all(dir.path(), &["--fail-on", "gap5.reliability < -1.0"]).run();
    out.status(1)
        .stderr_contains("threshold breached: `gap5.reliability < -1.0`");
    for ext in ["json", "markdown", "csv", "html"] {
        let path = dir.path().join(format!("report.{ext}"));
        assert!(
            std::fs::metadata(&path).is_ok_and(|m| m.len() > 0),
            "{ext} written"
        );
    }
    // A rule that does not hold passes.
    let out = report_all(dir.path(), &["--fail-on", "gap5.reliability < -3"]).run();
    out.success();
    // --exit-zero: the breach is reported, the exit code is 0.
    let out = report_all(
        dir.path(),
        &["--fail-on", "critical_failures > 0", "--exit-zero"],
    )
    .run();
    out.success()
        .stderr_contains("threshold breached: `critical_failures > 0` (value 1)");
}

#[test]
fn thresholds_in_the_audit_gate_too() {
    let dir = tempdir();
    let report = dir.path().join("r.md");
    let out = run(&[
        "report",
        fixture("audit-gate.yaml").to_str().unwrap_or_default(),
        "-f",
        "markdown",
        "-o",
        report.to_str().unwrap_or_default(),
    ]);
    out.status(1).stderr_contains("`checklist.total > 0`");
    assert!(read(&report).starts_with("# "));
}

#[test]
fn bad_fail_on_exits_2_and_writes_nothing() {
    let dir = tempdir();
    for (rule, says) in [
        ("gap5.reliabilty < 0", "did you mean `gap5.reliability`?"),
        ("weighted <> 1", "`> 1` is not a number"),
        ("weighted < lots", "`lots` is not a number"),
        ("weighted", "not a threshold rule"),
        ("gap9.reliability < 0", "unknown metric"),
    ] {
        report_all(dir.path(), &["--fail-on", rule])
            .watch(dir.path())
            .run()
            .status(2)
            .stderr_contains("--fail-on")
            .stderr_contains(says)
            .nothing_written();
        assert!(
            std::fs::read_dir(dir.path()).is_ok_and(|d| d.count() == 0),
            "{rule}: nothing written"
        );
    }
    // A bad rule in the audit names the file and the field.
    let out = run(&[
        "report",
        fixture("audit-bad-gate.yaml").to_str().unwrap_or_default(),
    ]);
    out.status(2);
    let err = out.stderr();
    assert!(
        err.contains("audit-bad-gate.yaml") && err.contains("thresholds.fail[1]"),
        "{err}"
    );
}

#[test]
fn baseline_adds_deltas_with_welch_p_and_arrows() {
    let dir = tempdir();
    let prev = dir.path().join("prev.json");
    let out = run(&[
        "report",
        fixture("audit-prev.yaml").to_str().unwrap_or_default(),
        "-f",
        "json",
        "-o",
        prev.to_str().unwrap_or_default(),
    ]);
    out.success();
    let out_dir = tempdir();
    let prev_s = prev.display().to_string();
    let out = report_all(out_dir.path(), &["--baseline", &prev_s]).run();
    out.success();
    let before = json(&prev);
    let now = json(&out_dir.path().join("report.json"));
    let trend = &now["trend"];
    let rows = trend["dimensions"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 3);
    for (i, row) in rows.iter().enumerate() {
        let previous = before["dimensions"][i]["gaps"]["5"]
            .as_f64()
            .unwrap_or(f64::NAN);
        let current = now["dimensions"][i]["gaps"]["5"]
            .as_f64()
            .unwrap_or(f64::NAN);
        assert_eq!(row["previous"].as_f64(), Some(previous));
        assert_eq!(row["current"].as_f64(), Some(current));
        let delta = row["delta"].as_f64().unwrap_or(f64::NAN);
        assert!((delta - (current - previous)).abs() < 1e-12);
        let p = row["p"].as_f64().unwrap_or(f64::NAN);
        assert!((0.0..=1.0).contains(&p));
        assert_eq!(row["significant"].as_bool(), Some(p < 0.05));
    }
    // The fixture's previous period was a point better on reliability: a significant drop.
    assert_eq!(rows[0]["id"], "reliability");
    assert!(rows[0]["delta"].as_f64().is_some_and(|d| d < -0.5));
    assert_eq!(rows[0]["significant"], true);
    assert_eq!(trend["items"].as_array().map(Vec::len), Some(4));
    // The baseline joins the provenance.
    let files = now["provenance"]["files"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let last = files.last().cloned().unwrap_or_default();
    assert_eq!(last["role"], "baseline");
    assert_eq!(last["sha256"].as_str(), Some(sha256_of(&prev).as_str()));

    let md = read(&out_dir.path().join("report.markdown"));
    assert!(md.contains("## Trend"));
    assert!(
        md.contains("| Reliability | ") && md.contains("▼ -"),
        "{md}"
    );
    assert!(md.contains("\\*"), "significance mark");
    check_tables(&md);
    let html = read(&out_dir.path().join("report.html"));
    check_well_formed(&html);
    assert!(html.contains("<section id=\"trend\">"));
    assert!(html.contains("aria-label=\"Trend\""), "trend chart");
    assert!(html.contains("class=\"line-neg\""), "a worsening line");
    let csv_text = read(&out_dir.path().join("report.csv"));
    assert!(csv_text
        .lines()
        .next()
        .unwrap_or_default()
        .contains("previous,delta,p_change"));

    // A file that is not a JSON report is exit 2, naming it; nothing is written.
    let bad = dir.path().join("bad.json");
    support::write(&bad, "{\"schema\": 3");
    let empty = tempdir();
    let bad_s = bad.display().to_string();
    report_all(empty.path(), &["--baseline", &bad_s])
        .watch(empty.path())
        .run()
        .status(2)
        .stderr_contains("bad.json")
        .nothing_written();
    assert!(std::fs::read_dir(empty.path()).is_ok_and(|d| d.count() == 0));
}

#[test]
fn segments_by_site_region_and_column_rank_only_big_enough_ones() {
    let dir = tempdir();
    let out = report_all(dir.path(), &["--by", "site"]).run();
    out.success();
    let r = json(&dir.path().join("report.json"));
    let seg = &r["segments"];
    assert_eq!(seg["by"], "site");
    assert_eq!(seg["min_n"], 3);
    let list = seg["segments"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = list.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["=HYPERLINK(\"http://x\")", "North", "Tiny"]);
    let n: Vec<u64> = list
        .iter()
        .filter_map(|s| s["respondents"].as_u64())
        .collect();
    assert_eq!(n, [8, 8, 2]);
    assert_eq!(
        n.iter().sum::<u64>(),
        r["respondents"]["customers"].as_u64().unwrap_or(0)
    );
    // North has the better score, so rank 1; Tiny (2 < min_n 3) is not ranked even
    // though its score is the best.
    let score = |i: usize| {
        list[i]["servqual"]["unweighted"]
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    assert!(score(1) > score(0) && score(2) > score(1));
    assert_eq!(list[1]["rank"], 1);
    assert_eq!(list[0]["rank"], 2);
    assert!(list[2]["rank"].is_null());
    assert_eq!(list[2]["ranked"], false);
    // Each segment's gap table has n and a CI.
    for s in &list {
        let dimensions = s["dimensions"].as_array().cloned().unwrap_or_default();
        assert!(!dimensions.is_empty(), "no gap table in {s}");
        for d in dimensions {
            assert!(d["n"].as_u64().is_some_and(|n| n > 0));
            let ci = d["ci95"].as_array().cloned().unwrap_or_default();
            assert_eq!(ci.len(), 2);
            let gap = d["gaps"]["5"].as_f64().unwrap_or(f64::NAN);
            assert!(ci[0].as_f64().unwrap_or(f64::NAN) <= gap);
            assert!(ci[1].as_f64().unwrap_or(f64::NAN) >= gap);
        }
    }
    // The ranking table lists ranked segments first, by rank.
    let md = read(&dir.path().join("report.markdown"));
    let north = md.find("| 1 | North |");
    let hyper = md.find("| 2 | =HYPERLINK");
    let tiny = md.find("| – | Tiny |");
    assert!(north < hyper && hyper < tiny && north.is_some(), "{md}");
    assert!(md.contains("– not ranked: fewer than 3 respondents"));
    let html = read(&dir.path().join("report.html"));
    check_well_formed(&html);
    assert!(html.contains("<section id=\"segments\">"));
    assert!(!html.contains("=HYPERLINK(\"http"));
    assert!(unescape(&html).contains("=HYPERLINK(\"http://x\")"));

    // region (mapped column) and any other column of the survey.
    for (by, want) in [("region", vec!["N", "S"]), ("date", vec![])] {
        let out = run(&[
            "report",
            fixture("audit.yaml").to_str().unwrap_or_default(),
            "--by",
            by,
            "-f",
            "json",
        ]);
        let r = out.success().json();
        let names: Vec<String> = r["segments"]["segments"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|s| s["name"].as_str().map(str::to_string))
            .collect();
        if want.is_empty() {
            // One segment per date; each has one respondent at most, so none ranked.
            assert!(names.len() > 10, "{names:?}");
            assert!(r["segments"]["segments"]
                .as_array()
                .is_some_and(|l| l.iter().all(|s| s["rank"].is_null())));
        } else {
            assert_eq!(names, want);
        }
    }
    // An unknown column is exit 2 naming the file and the columns there are.
    let out = run(&[
        "report",
        fixture("audit.yaml").to_str().unwrap_or_default(),
        "--by",
        "branch",
    ]);
    out.status(2)
        .stderr_contains("customers.csv:1")
        .stderr_contains("region");
}
