//! Files from many hands: a corpus of named bad inputs, each refused with its place
//! named, and a seeded fuzz run over mutated audits, forms, data files, state files and
//! baselines that must never panic, hang, or write anything on bad input.
//!
//! Map files, exports, Kano files and workbooks (xlsx, mutated as whole files) are fuzzed
//! too. The fuzz budget is fixed (`FUZZ_CASES` runs per target, seed `FUZZ_SEED`), so a
//! failure reproduces; `SERVQUAL_FUZZ_CASES` raises the budget for a longer local run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::support::{fixture_copy, read, write, Run, Test};

/// Runs per fuzz target; each is one run of the binary.
const FUZZ_CASES: u32 = 16;
/// The fuzz seed: the same mutations on every run.
const FUZZ_SEED: [u8; 32] = *b"servqual hardening fuzz seed 001";
/// No run may take longer than this (debug build, shared machine).
const MAX_RUN: Duration = Duration::from_secs(15);

/// The line (1-based) of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in the fixture"));
    text[..at].matches('\n').count() + 1
}

/// A copy of the shopper fixture (audit, form, customers, management, visits).
fn shoppers() -> tempfile::TempDir {
    fixture_copy("shoppers")
}

/// Runs `args` in `dir` (watched), timed; returns the run.
#[track_caller]
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let run = Test::new().args(args).current_dir(dir).watch(dir).run();
    let took = started.elapsed();
    assert!(took < MAX_RUN, "{args:?} took {took:?}");
    run
}

/// The checks every run must pass, whatever the input: no panic, exit 0, 1 or 2, and
/// every problem on exit 2 names a file or a flag.
#[track_caller]
fn sane(run: &Run) {
    let stderr = run.stderr();
    assert!(
        !stderr.contains("panicked") && run.code() != 101,
        "panic: {stderr}"
    );
    assert!(matches!(run.code(), 0..=2), "exit {}: {stderr}", run.code());
    if run.code() == 2 {
        for line in stderr.lines().filter(|l| l.starts_with("error: ")) {
            // The place comes first: a path (`audit.yaml:3:1`, `.`, `/dev/zero`, a name
            // the mutation garbled), a built-in form, or a flag.
            let place = line["error: ".len()..].split(": ").next().unwrap_or("");
            let named = (!place.is_empty() && !place.contains(' '))
                || place.contains('.')
                || place.contains('/')
                || place.starts_with("(built-in")
                || line.contains("--");
            assert!(named, "an exit-2 message names no file: {line}");
        }
        assert!(stderr.len() < 64 * 1024, "{} bytes of stderr", stderr.len());
    }
}

/// One named bad input: what to write where, what to run, and where the message points.
struct Case {
    name: &'static str,
    file: &'static str,
    contents: Vec<u8>,
    args: Vec<String>,
    place: String,
    /// Environment set for the run.
    env: Vec<(&'static str, &'static str)>,
}

/// A case replacing `old` by `new` in `file` of the shopper fixture; the message is
/// expected at `file:<line of old>` (or at `place` when given).
fn replace(name: &'static str, file: &'static str, old: &str, new: &str) -> Case {
    let text = read(&super::support::fixture("shoppers", file));
    let line = line_of(&text, old);
    Case {
        name,
        file,
        contents: text.replacen(old, new, 1).into_bytes(),
        args: vec!["validate".into(), "audit.yaml".into()],
        place: format!("{file}:{line}"),
        env: Vec::new(),
    }
}

impl Case {
    /// The same case, expecting the message at `place` instead.
    fn at(mut self, place: impl Into<String>) -> Case {
        self.place = place.into();
        self
    }

    /// The same case, run with `name` set to `value`.
    fn env(mut self, name: &'static str, value: &'static str) -> Case {
        self.env.push((name, value));
        self
    }

    /// The same case, run with `args`.
    fn args(mut self, args: &[&str]) -> Case {
        self.args = args.iter().map(|a| a.to_string()).collect();
        self
    }
}

/// A case writing `contents` as `file`, message expected at `place`.
fn whole(name: &'static str, file: &'static str, contents: Vec<u8>, place: &str) -> Case {
    Case {
        name,
        file,
        contents,
        args: vec!["validate".into(), "audit.yaml".into()],
        place: place.into(),
        env: Vec::new(),
    }
}

/// `header` then `rows` copies of `row`.
fn csv(header: &str, row: &str, rows: usize) -> Vec<u8> {
    let mut out = format!("{header}\n");
    for _ in 0..rows {
        out.push_str(row);
        out.push('\n');
    }
    out.into_bytes()
}

const VISITS_HEADER: &str = "visit,shopper,site,date,G1,G2,S1,S2,notes";
const CUSTOMERS_HEADER: &str = "id,site,date,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_B2";

/// Every named bad input, at least 60, with the place its message must name.
fn corpus() -> Vec<Case> {
    let big = "x".repeat(1_100_000);
    let wide = |n: usize| {
        (0..n)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let audit = read(&super::support::fixture("shoppers", "audit.yaml"));
    let items: String = (0..10_001)
        .map(|i| format!("  - {{id: X{i}, dimension: service, text: {{en: t}}}}\n"))
        .collect();
    let dims: String = (0..1_001)
        .map(|i| format!("  - {{id: d{i}, label: {{en: D}}}}\n"))
        .collect();
    let questions: String = (0..10_001)
        .map(|i| format!("      - {{id: Q{i}, text: {{en: q}}, type: yesno, item: A1}}\n"))
        .collect();
    let form = read(&super::support::fixture("shoppers", "form.yaml"));
    let visit = "V1,ann,North,2026-01-10,yes,5,yes,yes,";
    let customer = "r1,North,2026-01-05,5,4,4,4,3,4,2,4";
    let mut cases = vec![
        // YAML numbers that are no numbers.
        replace(
            "audit-nan-divergence",
            "audit.yaml",
            "divergence: 1.0",
            "divergence: .nan",
        ),
        replace(
            "audit-inf-divergence",
            "audit.yaml",
            "divergence: 1.0",
            "divergence: .inf",
        ),
        replace(
            "audit-minus-inf",
            "audit.yaml",
            "divergence: 1.0",
            "divergence: -.INF",
        ),
        replace(
            "audit-nan-standard",
            "audit.yaml",
            "service: 3.5",
            "service: .NaN",
        ),
        replace(
            "audit-nan-merge",
            "audit.yaml",
            "customers: 0.6",
            "customers: .nan",
        ),
        replace("audit-inf-scale", "audit.yaml", "max: 5}", "max: .inf}"),
        replace(
            "audit-nan-checklist",
            "audit.yaml",
            "min_visits: 2",
            "min_visits: 2\n  checklist: .nan",
        )
        .at("thresholds.checklist: not a finite number"),
        // Nesting, syntax, keys, encoding.
        replace(
            "audit-deep-flow",
            "audit.yaml",
            "merge:",
            &format!("x: {}\nmerge:", "[".repeat(50_000)),
        ),
        replace(
            "audit-deep-dashes",
            "audit.yaml",
            "merge:",
            &format!("x:\n{}1\nmerge:", "- ".repeat(100)),
        )
        .at(format!("audit.yaml:{}", line_of(&audit, "merge:") + 1)),
        replace(
            "audit-deep-braces",
            "audit.yaml",
            "merge:",
            &format!("x: {}\nmerge:", "{a: ".repeat(100)),
        ),
        replace(
            "audit-unknown-key",
            "audit.yaml",
            "organisation:",
            "organisaton:",
        ),
        replace("audit-unclosed-flow", "audit.yaml", "merge: {", "merge: [{"),
        replace(
            "audit-tab-indent",
            "audit.yaml",
            "  divergence",
            "\tdivergence",
        ),
        replace(
            "audit-unknown-dimension-huge",
            "audit.yaml",
            "dimension: service,",
            &format!("dimension: {},", "q".repeat(100_000)),
        )
        .at("items[0].dimension"),
        replace(
            "audit-too-many-items",
            "audit.yaml",
            "items:\n",
            &format!("items:\n{items}"),
        )
        .at("items: more items than the limit of 10,000"),
        replace(
            "audit-too-many-dimensions",
            "audit.yaml",
            "dimensions:\n",
            &format!("dimensions:\n{dims}"),
        )
        .at("dimensions: more dimensions than the limit of 1,000"),
        whole(
            "audit-invalid-utf8",
            "audit.yaml",
            {
                let mut b = audit.clone().into_bytes();
                let at = audit.find("Test Co.").unwrap_or(0);
                b[at] = 0xFF;
                b
            },
            &format!("audit.yaml:{}", line_of(&audit, "Test Co.")),
        ),
        whole("audit-empty", "audit.yaml", Vec::new(), "audit.yaml"),
        whole(
            "audit-binary",
            "audit.yaml",
            vec![0, 1, 2, 0xFE, 0xFF],
            "audit.yaml",
        ),
        whole(
            "audit-over-16-mib",
            "audit.yaml",
            {
                let mut b = audit.clone().into_bytes();
                b.extend(std::iter::repeat_n(b'#', 17 * 1024 * 1024));
                b
            },
            "audit.yaml: the file is larger than the limit of 16 MiB",
        ),
        // Files the audit names that are no regular files.
        replace(
            "customers-is-folder",
            "audit.yaml",
            "file: customers.csv",
            "file: .",
        )
        .at(".: not a regular file: it is a folder"),
        replace(
            "customers-is-device",
            "audit.yaml",
            "file: customers.csv",
            "file: /dev/zero",
        )
        .at("/dev/zero: not a regular file: it is a device"),
        replace(
            "visits-is-device",
            "audit.yaml",
            "file: visits.csv",
            "file: /dev/null",
        )
        .at("/dev/null: not a regular file"),
        replace(
            "form-is-device",
            "audit.yaml",
            "form: form.yaml",
            "form: /dev/zero",
        )
        .at("/dev/zero: not a regular file: it is a device"),
        replace("form-is-folder", "audit.yaml", "form: form.yaml", "form: .")
            .at("not a regular file: it is a folder"),
        replace(
            "customers-missing",
            "audit.yaml",
            "file: customers.csv",
            "file: nowhere.csv",
        )
        .at("nowhere.csv"),
        // Forms.
        replace("form-nan-weight", "form.yaml", "weight: 40", "weight: .nan"),
        replace("form-inf-max", "form.yaml", "max: 5,", "max: .inf,"),
        replace(
            "form-unknown-key",
            "form.yaml",
            "critical: zero",
            "critcal: zero",
        ),
        replace(
            "form-duplicate-question",
            "form.yaml",
            "{id: G2,",
            "{id: G1,",
        )
        .at("duplicate question id"),
        replace(
            "form-deep",
            "form.yaml",
            "sections:",
            &format!("x: {}\nsections:", "[".repeat(1_000)),
        ),
        replace(
            "form-too-many-questions",
            "form.yaml",
            "    questions:\n",
            &format!("    questions:\n{questions}"),
        )
        .at("form.yaml: sections: more questions than the limit of 10,000"),
        whole(
            "form-invalid-utf8",
            "form.yaml",
            {
                let mut b = form.clone().into_bytes();
                b.insert(0, 0xC3);
                b
            },
            "form.yaml:1",
        ),
        // Visits.
        whole(
            "visits-stray-quote-in-header",
            "visits.csv",
            csv("visit,\"shopper,site,date,G1,G2,S1,S2,notes", visit, 3),
            "visits.csv:1:2",
        ),
        whole(
            "visits-stray-quote-big",
            "visits.csv",
            csv("visit,\"shopper,site,date,G1,G2,S1,S2,notes", visit, 60_000),
            "visits.csv:1:2",
        ),
        whole(
            "visits-long-field",
            "visits.csv",
            csv(
                VISITS_HEADER,
                &format!("V1,ann,North,2026-01-10,yes,5,yes,yes,{big}"),
                1,
            ),
            "visits.csv:2:9",
        ),
        whole(
            "visits-unclosed-quote",
            "visits.csv",
            {
                let mut b = csv(VISITS_HEADER, visit, 1);
                b.extend_from_slice(b"V2,\"bob,North\n");
                b.extend(csv(visit, visit, 30_000));
                b
            },
            "visits.csv:3:2",
        ),
        whole(
            "visits-too-many-columns",
            "visits.csv",
            csv(&format!("{VISITS_HEADER},{}", wide(10_000)), visit, 1),
            "visits.csv:1",
        ),
        whole(
            "visits-extra-field",
            "visits.csv",
            csv(VISITS_HEADER, &format!("{visit},x"), 2),
            "visits.csv:2",
        ),
        whole(
            "visits-bad-answer",
            "visits.csv",
            csv(VISITS_HEADER, "V1,ann,North,2026-01-10,maybe,5,yes,yes,", 1),
            "visits.csv:2:5",
        ),
        whole(
            "visits-invalid-utf8",
            "visits.csv",
            {
                let mut b = csv(VISITS_HEADER, visit, 2);
                b.extend_from_slice(b"V3,\xFF\xFE,North,2026-01-10,yes,5,yes,yes,\n");
                b
            },
            "visits.csv:4: encoding: could not detect",
        ),
        whole(
            "visits-nul-bytes",
            "visits.csv",
            b"v\0i\0s\0i\0t\0\n\0".to_vec(),
            "visits.csv: encoding",
        ),
        whole(
            "visits-duplicate-column",
            "visits.csv",
            csv("visit,shopper,site,date,G1,G2,S1,S2,G1", visit, 1),
            "visits.csv:1:9",
        ),
        whole(
            "visits-no-shopper",
            "visits.csv",
            csv(VISITS_HEADER, "V1,,North,2026-01-10,yes,5,yes,yes,", 1),
            "visits.csv:2:2",
        ),
        whole(
            "visits-no-question-column",
            "visits.csv",
            csv(
                "visit,shopper,site,date,G1,G2,S1,notes",
                "V1,ann,North,2026-01-10,yes,5,yes,",
                1,
            ),
            "visits.csv:1",
        ),
        whole(
            "visits-cr-line-ends",
            "visits.csv",
            format!("{VISITS_HEADER}\r{visit}\rV2,bob,North,2026-01-10,yes,9,yes,yes,\r")
                .into_bytes(),
            "visits.csv:3:6",
        ),
        whole(
            "visits-160-problems",
            "visits.csv",
            csv(
                VISITS_HEADER,
                "V1,ann,North,2026-01-10,maybe,5,yes,yes,",
                160,
            ),
            "160 problems found",
        ),
        whole(
            "customers-160-problems",
            "customers.csv",
            csv(CUSTOMERS_HEADER, "r1,North,2026-01-05,5,4,4,4,3,4,2,9", 160),
            "160 problems found",
        ),
        whole(
            "visits-header-without-end",
            "visits.csv",
            "v,".repeat(600_000).into_bytes(),
            "visits.csv:1",
        ),
        // Customers and management.
        whole(
            "customers-stray-quote-in-header",
            "customers.csv",
            csv(
                "id,\"site,date,E_A1,P_A1,E_A2,P_A2,E_B1,P_B1,E_B2,P_B2",
                customer,
                40_000,
            ),
            "customers.csv:1:2",
        ),
        whole(
            "customers-long-field",
            "customers.csv",
            csv(
                CUSTOMERS_HEADER,
                &format!("r1,{big},2026-01-05,5,4,4,4,3,4,2,4"),
                1,
            ),
            "customers.csv:2:2",
        ),
        // Read on every core in small chunks, the long line makes the fast path give up
        // and the sequential reader names the field.
        whole(
            "customers-long-field-chunked",
            "customers.csv",
            csv(
                CUSTOMERS_HEADER,
                &format!("r1,{big},2026-01-05,5,4,4,4,3,4,2,4"),
                3,
            ),
            "customers.csv:2:2",
        )
        .env("SERVQUAL_THREADS", "2")
        .env("SERVQUAL_CHUNK_BYTES", "4096"),
        whole(
            "customers-too-many-columns",
            "customers.csv",
            csv(
                &format!("{CUSTOMERS_HEADER},{}", wide(100_000)),
                customer,
                1,
            ),
            "customers.csv:1",
        ),
        whole(
            "customers-out-of-scale",
            "customers.csv",
            csv(CUSTOMERS_HEADER, "r1,North,2026-01-05,9,4,4,4,3,4,2,4", 1),
            "customers.csv:2:4",
        ),
        whole(
            "customers-short-row",
            "customers.csv",
            csv(CUSTOMERS_HEADER, "r1,North", 1),
            "customers.csv:2",
        ),
        whole(
            "customers-utf16-without-bom",
            "customers.csv",
            CUSTOMERS_HEADER.bytes().flat_map(|b| [b, 0]).collect(),
            "customers.csv: encoding",
        ),
        whole(
            "customers-invalid-utf8",
            "customers.csv",
            {
                let mut b = csv(CUSTOMERS_HEADER, customer, 3);
                b.extend_from_slice(b"r9,\xFF,2026-01-05,5,4,4,4,3,4,2,4\n");
                b
            },
            "customers.csv:5: encoding: could not detect",
        ),
        whole(
            "customers-duplicate-column",
            "customers.csv",
            csv(
                &format!("{CUSTOMERS_HEADER},E_A1"),
                &format!("{customer},1"),
                1,
            ),
            "customers.csv:1",
        ),
        whole(
            "management-stray-quote-in-header",
            "management.csv",
            csv("id,\"site,M_A1,M_A2,M_B1,M_B2", "m1,North,4,4,5,3", 2),
            "management.csv:1:2",
        ),
        whole(
            "management-out-of-scale",
            "management.csv",
            csv("id,site,M_A1,M_A2,M_B1,M_B2", "m1,North,4,4,0,3", 1),
            "management.csv:2:5",
        ),
    ];
    // Baselines, given to report.
    let report = |name: &'static str, contents: &str, place: &str| {
        whole(name, "base.json", contents.as_bytes().to_vec(), place).args(&[
            "report",
            "audit.yaml",
            "--baseline",
            "base.json",
            "--format",
            "json",
            "--output",
            "out.json",
        ])
    };
    cases.extend([
        report(
            "baseline-negative-sd",
            r#"{"schema":"servqual.report/v1","items":[{"id":"A1","sd":-1}]}"#,
            "base.json: items[0].sd",
        ),
        report(
            "baseline-not-json",
            "not json",
            "base.json:1:2: not a servqual JSON report",
        ),
        report(
            "baseline-other-schema",
            r#"{"schema":"other/v1"}"#,
            "base.json: schema",
        ),
        report(
            "baseline-deep",
            &format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            "base.json:1",
        ),
        report(
            "baseline-truncated",
            r#"{"schema":"servqual.report/v1","items":[{"id":"#,
            "base.json:1",
        ),
    ]);
    // Kano definitions and responses.
    let kano = |name: &'static str, file: &'static str, contents: Vec<u8>, place: &str| {
        whole(name, file, contents, place).args(&["kano", "kano.yaml"])
    };
    let kano_yaml = read(&super::support::fixture("kano", "kano.yaml"));
    let features: String = (0..5_001)
        .map(|i| format!("  - {{id: f{i}, text: {{en: t}}}}\n"))
        .collect();
    cases.extend([
        kano(
            "kano-unknown-key",
            "kano.yaml",
            kano_yaml
                .replacen("resolve_ties:", "resolve_tie:", 1)
                .into_bytes(),
            &format!("kano.yaml:{}", line_of(&kano_yaml, "resolve_ties:")),
        ),
        kano(
            "kano-nan-everywhere",
            "kano.yaml",
            kano_yaml
                .replacen("title:", "x: .nan\ntitle:", 1)
                .into_bytes(),
            "kano.yaml:3",
        ),
        kano(
            "kano-deep",
            "kano.yaml",
            format!("{kano_yaml}x: {}\n", "{a: ".repeat(200)).into_bytes(),
            "kano.yaml:",
        ),
        kano(
            "kano-data-folder",
            "kano.yaml",
            kano_yaml
                .replacen("data: responses.csv", "data: .", 1)
                .into_bytes(),
            "not a regular file",
        ),
        kano(
            "kano-data-device",
            "kano.yaml",
            kano_yaml
                .replacen("data: responses.csv", "data: /dev/zero", 1)
                .into_bytes(),
            "/dev/zero: not a regular file",
        ),
        kano(
            "kano-too-many-features",
            "kano.yaml",
            kano_yaml
                .replacen("features:\n", &format!("features:\n{features}"), 1)
                .into_bytes(),
            "more features than the limit of 5,000",
        ),
        kano(
            "kano-stray-quote",
            "responses.csv",
            csv(
                "respondent,\"site,F_clean_toilets,D_clean_toilets",
                "r1,north,2,5",
                20_000,
            ),
            "responses.csv:1:2",
        ),
        kano(
            "kano-long-cell",
            "responses.csv",
            csv(
                "respondent,site,F_clean_toilets,D_clean_toilets",
                &format!("r1,north,{big},5"),
                1,
            ),
            "responses.csv:2:3",
        ),
    ]);
    cases
}

#[test]
fn every_named_bad_input_is_refused_at_its_place() {
    let cases = corpus();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let shoppers_dir = shoppers();
    let kano_dir = fixture_copy("kano");
    let mut failures = Vec::new();
    for case in &cases {
        let dir = if case.args[0] == "kano" {
            kano_dir.path()
        } else {
            shoppers_dir.path()
        };
        let path = dir.join(case.file);
        let original = std::fs::read(&path).ok();
        write(&path, &case.contents);
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let started = Instant::now();
        let mut test = Test::new().args(&args).current_dir(dir);
        for (name, value) in &case.env {
            test = test.env(name, value);
        }
        let run = test.run();
        let took = started.elapsed();
        match original {
            Some(bytes) => write(&path, bytes),
            None => std::fs::remove_file(&path).expect("removing the case's file"),
        }
        sane(&run);
        let stderr = run.stderr();
        if run.code() != 2 || !stderr.contains(&case.place) || took > MAX_RUN {
            failures.push(format!(
                "{}: exit {} in {took:?}, expected {:?} in: {}",
                case.name,
                run.code(),
                case.place,
                &stderr[..stderr.len().min(600)]
            ));
        }
        assert!(
            !dir.join("out.json").exists(),
            "{}: out.json written",
            case.name
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[cfg(unix)]
#[test]
fn a_fifo_as_any_input_is_refused_without_blocking() {
    let dir = shoppers();
    // Kept outside the watched folder: reading a FIFO to snapshot it would block.
    let pipes = tempfile::tempdir().expect("a temporary folder");
    let fifo = pipes.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return;
    }
    let fifo_text = fifo.display().to_string();
    let audit = read(&dir.path().join("audit.yaml"));
    for (old, new) in [
        ("file: customers.csv", format!("file: {fifo_text}")),
        ("file: visits.csv", format!("file: {fifo_text}")),
        ("form: form.yaml", format!("form: {fifo_text}")),
    ] {
        write(&dir.path().join("audit.yaml"), audit.replacen(old, &new, 1));
        let run = run_in(dir.path(), &["validate", "audit.yaml"]);
        run.status(2)
            .stderr_contains("not a regular file: it is a FIFO");
    }
    write(&dir.path().join("audit.yaml"), &audit);
    run_in(dir.path(), &["validate", &fifo_text])
        .status(2)
        .stderr_contains("FIFO");
    run_in(
        dir.path(),
        &[
            "report",
            "audit.yaml",
            "--baseline",
            &fifo_text,
            "--output",
            "out.json",
        ],
    )
    .status(2)
    .stderr_contains("FIFO")
    .nothing_written();
}

#[test]
fn the_problem_count_is_the_true_count_past_the_listed_ones() {
    let dir = shoppers();
    let bad = "V1,ann,North,2026-01-10,maybe,5,yes,yes,";
    write(
        &dir.path().join("visits.csv"),
        csv(VISITS_HEADER, bad, 12_000),
    );
    run_in(dir.path(), &["validate", "audit.yaml"])
        .status(2)
        .stderr_contains("… and 11950 more problems in this file")
        .stderr_contains("12000 problems found");
}

#[test]
fn nan_thresholds_no_longer_empty_the_checklist() {
    let dir = shoppers();
    let audit = read(&dir.path().join("audit.yaml"));
    let line = line_of(&audit, "divergence:");
    write(
        &dir.path().join("audit.yaml"),
        audit.replacen("divergence: 1.0", "divergence: .inf\n  checklist: -.inf", 1),
    );
    run_in(dir.path(), &["report", "audit.yaml", "--output", "out.txt"])
        .status(2)
        .stderr_contains(&format!(
            "audit.yaml:{line}:15: thresholds.divergence: not a finite number: found \".inf\", expected a finite number"
        ))
        .stderr_contains("thresholds.checklist: not a finite number")
        .stderr_lacks("must be positive")
        .nothing_written();
}

#[test]
fn a_huge_value_is_quoted_cut_with_its_length() {
    let dir = shoppers();
    let huge = "v".repeat(3_000_000);
    let row = format!("V1,ann,North,2026-01-10,{huge},5,yes,yes,");
    write(&dir.path().join("visits.csv"), csv(VISITS_HEADER, &row, 1));
    let run = run_in(dir.path(), &["validate", "audit.yaml"]);
    run.status(2).stderr_contains("visits.csv:2:5");
    assert!(run.stderr().len() < 2_000, "{} bytes", run.stderr().len());
    // Within the field limit, the value is quoted cut, with its full length.
    let long = "w".repeat(500_000);
    let row = format!("V1,ann,North,2026-01-10,{long},5,yes,yes,");
    write(&dir.path().join("visits.csv"), csv(VISITS_HEADER, &row, 1));
    let run = run_in(dir.path(), &["validate", "audit.yaml"]);
    run.status(2).stderr_contains(&format!(
        "found \"{}…\" (500,000 characters)",
        "w".repeat(200)
    ));
    assert!(run.stderr().len() < 2_000, "{} bytes", run.stderr().len());
}

/// A mutation of a text: a few edits at random places, each inserting, deleting or
/// replacing bytes with pieces that tend to break parsers.
fn mutated(original: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b".nan",
        b"-.inf",
        b"[",
        b"{",
        b"]",
        b"\"",
        b"'",
        b"\n",
        b"\r",
        b"- ",
        b": ",
        b",",
        b";",
        b"\t",
        b"\xFF",
        b"\xEF\xBB\xBF",
        b"\0",
        b"9e999",
        b"-1",
        b"&a",
        b"*a",
        b"#",
        b"|",
        b"0",
        b"",
        b"yes",
        b"N/A",
        b"\xE5\x8C",
    ];
    let edit = (
        any::<prop::sample::Index>(),
        0usize..8,
        prop::sample::select(pieces),
    );
    prop::collection::vec(edit, 1..6).prop_map(move |edits| {
        let mut bytes = original.clone();
        for (at, delete, piece) in edits {
            let start = if bytes.is_empty() {
                0
            } else {
                at.index(bytes.len())
            };
            let end = (start + delete).min(bytes.len());
            bytes.splice(start..end, piece.iter().copied());
        }
        bytes
    })
}

/// Runs `FUZZ_CASES` mutations of `file` in a copy of fixture `area`, each with `args`.
fn fuzz(area: &str, file: &str, args: &[&str], salt: u8) {
    let dir = fixture_copy(area);
    fuzz_in(dir.path(), file, args, salt);
}

/// Runs `FUZZ_CASES` mutations of `file` in `dir`, each with `args`; the file is put
/// back afterwards.
fn fuzz_in(dir: &Path, file: &str, args: &[&str], salt: u8) {
    let path: PathBuf = dir.join(file);
    let original = std::fs::read(&path).expect("the file to mutate");
    let cases = std::env::var("SERVQUAL_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(FUZZ_CASES);
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 16,
        ..Config::default()
    };
    let mut seed = FUZZ_SEED;
    seed[31] ^= salt;
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let out = dir.join("out.json");
    let result = runner.run(&mutated(original.clone()), |bytes| {
        write(&path, &bytes);
        let _ = std::fs::remove_file(&out);
        let started = Instant::now();
        let run = Test::new().args(args).current_dir(dir).run();
        prop_assert!(started.elapsed() < MAX_RUN, "took {:?}", started.elapsed());
        sane(&run);
        if run.code() == 2 {
            prop_assert!(!out.exists(), "out.json written on exit 2");
        }
        Ok(())
    });
    write(&path, &original);
    if let Err(e) = result {
        panic!("fuzzing {file} (seed {FUZZ_SEED:?}, salt {salt}): {e}");
    }
}

const REPORT: &[&str] = &[
    "report",
    "audit.yaml",
    "--format",
    "json",
    "--output",
    "out.json",
];

#[test]
fn fuzzed_audits_never_panic_hang_or_write() {
    fuzz("shoppers", "audit.yaml", REPORT, 1);
}

#[test]
fn fuzzed_forms_never_panic_hang_or_write() {
    fuzz("shoppers", "form.yaml", REPORT, 2);
}

#[test]
fn fuzzed_visits_never_panic_hang_or_write() {
    fuzz("shoppers", "visits.csv", REPORT, 3);
}

#[test]
fn fuzzed_surveys_never_panic_hang_or_write() {
    fuzz("shoppers", "customers.csv", REPORT, 4);
}

#[test]
fn fuzzed_action_libraries_and_states_never_panic_hang_or_write() {
    fuzz("checklist", "own-actions.yaml", REPORT, 5);
    fuzz(
        "checklist",
        "bad-state.checklist.yaml",
        &[
            "report",
            "audit.yaml",
            "--checklist-file",
            "bad-state.checklist.yaml",
            "--format",
            "json",
            "--output",
            "out.json",
        ],
        6,
    );
}

#[test]
fn fuzzed_baselines_never_panic_hang_or_write() {
    let dir = shoppers();
    let run = run_in(dir.path(), &["report", "audit.yaml", "--format", "json"]);
    run.success();
    write(&dir.path().join("base.json"), run.stdout());
    let args = [
        "report",
        "audit.yaml",
        "--baseline",
        "base.json",
        "--format",
        "json",
        "--output",
        "out.json",
    ];
    fuzz_in(dir.path(), "base.json", &args, 7);
}

#[test]
fn fuzzed_map_files_and_exports_never_panic_or_hang() {
    let dir = fixture_copy("import/audit");
    for name in ["qualtrics.csv", "qualtrics-map.yaml"] {
        let from = super::support::fixture("import", name);
        std::fs::copy(&from, dir.path().join(name)).expect("copying the import fixture");
    }
    let args = [
        "import",
        "audit.yaml",
        "--source",
        "customers",
        "qualtrics.csv",
        "--map",
        "qualtrics-map.yaml",
        "--dry-run",
    ];
    fuzz_in(dir.path(), "qualtrics-map.yaml", &args, 8);
    fuzz_in(dir.path(), "qualtrics.csv", &args, 9);
}

#[test]
fn fuzzed_kano_files_never_panic_or_hang() {
    let dir = fixture_copy("kano");
    let args = [
        "kano",
        "kano.yaml",
        "--format",
        "json",
        "--output",
        "out.json",
    ];
    fuzz_in(dir.path(), "kano.yaml", &args, 10);
    fuzz_in(dir.path(), "responses.csv", &args, 11);
}

#[test]
fn a_megabyte_kano_text_is_laid_out_at_once() {
    let dir = fixture_copy("kano");
    let kano = read(&dir.path().join("kano.yaml"));
    let huge = "x".repeat(1_000_000);
    write(
        &dir.path().join("kano.yaml"),
        kano.replacen("Call-back within one hour", &huge, 1),
    );
    let run = run_in(dir.path(), &["kano", "kano.yaml"]);
    run.success().stdout_contains("xxx…");
    assert!(run.stdout().len() < 20_000, "{} bytes", run.stdout().len());
}

#[cfg(unix)]
#[test]
fn a_closed_stderr_ends_kano_quietly() {
    use std::process::{Command, Stdio};
    let dir = fixture_copy("kano");
    let mut child = Command::new(env!("CARGO_BIN_EXE_servqual"))
        .args(["-v", "kano", "kano.yaml", "--format", "json"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("servqual starts");
    // Closed before servqual writes its note: the write fails with a broken pipe.
    drop(child.stderr.take());
    let status = child.wait().expect("servqual ends");
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn ten_thousand_unknown_standards_are_reported_in_linear_time() {
    let dir = shoppers();
    let items: String = (0..9_996)
        .map(|i| format!("  - {{id: X{i}, dimension: service, text: {{en: t}}}}\n"))
        .collect();
    let standards: String = (0..10_000).map(|i| format!("    Y{i}: 3\n")).collect();
    let audit = read(&dir.path().join("audit.yaml"))
        .replacen("items:\n", &format!("items:\n{items}"), 1)
        .replacen("  items: {B1: 5}\n", &format!("  items:\n{standards}"), 1);
    write(&dir.path().join("audit.yaml"), audit);
    let started = Instant::now();
    let run = run_in(dir.path(), &["validate", "audit.yaml"]);
    // Each unknown id was compared with every item, and placed by a search: 11 s.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    run.status(2)
        .stderr_contains("standards.items.Y9999: unknown item")
        .stderr_contains("10000 problems found");
}

#[test]
fn fuzzed_workbooks_never_panic_or_hang() {
    // A small customers export as an xlsx (the layout of the data file), mutated byte by
    // byte: the zip, its XML and the cells all come from outside.
    let dir = fixture_copy("import/audit");
    let csv = std::fs::read_to_string(dir.path().join("data/customers.csv")).expect("csv");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in csv.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if r > 0 => sheet.write_number(r, c, n).map(|_| ()),
                _ => sheet.write_string(r, c, cell).map(|_| ()),
            }
            .expect("a cell");
        }
    }
    book.save(dir.path().join("export.xlsx"))
        .expect("the workbook");
    let args = [
        "import",
        "audit.yaml",
        "--source",
        "customers",
        "export.xlsx",
        "--dry-run",
    ];
    // The workbook as written is read (its rows are the data file's, so duplicates):
    // the mutations start from a valid export.
    Test::new()
        .args(args)
        .current_dir(dir.path())
        .run()
        .success()
        .stderr_contains("duplicates  2");
    fuzz_in(dir.path(), "export.xlsx", &args, 12);
}
