//! Chunked reading on several threads gives the sequential reader's report, byte for byte.
//!
//! `SERVQUAL_THREADS=0` turns chunked reading off; `SERVQUAL_CHUNK_BYTES` makes chunks
//! tiny so that even a small file is cut in many places (inside rows, next to quotes).

use std::path::Path;

use servqual::sample::{write_customers, CustomerSample};

use crate::support::{self, Run, Test};

/// Runs servqual with chunking set by `threads` and `chunk` (`None`: the defaults).
fn servqual(args: &[&str], threads: usize, chunk: Option<usize>) -> Run {
    let mut test = Test::new()
        .args(args)
        .env("SERVQUAL_THREADS", threads.to_string());
    if let Some(chunk) = chunk {
        test = test.env("SERVQUAL_CHUNK_BYTES", chunk.to_string());
    }
    test.run()
}

/// A deterministic survey of `n` respondents with 10% of answers missing, all 22 items
/// and importance points, as CSV text.
fn survey(n: usize) -> String {
    let (_, dimensions, items) = servqual::sample::instrument_items("servqual-22").unwrap();
    let spec = CustomerSample {
        respondents: n,
        sites: vec!["North".into(), "South".into(), "Harbour Road".into()],
        missing: 0.1,
        min: 1,
        max: 7,
        seed: 11,
        importance: true,
        date: "2026-07-01".into(),
    };
    let mut out = Vec::new();
    write_customers(&mut out, &items, &dimensions, &spec).unwrap();
    String::from_utf8(out).unwrap()
}

/// Writes `csv` and an audit reading it into a new directory.
fn audit_dir(csv: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::write(&dir.path().join("customers.csv"), csv);
    support::write(
        &dir.path().join("audit.yaml"),
        "audit: {id: chunks, title: Chunks, period: {start: 2026-07-01, end: 2026-09-30}}\n\
         instrument: servqual-22\nweights: survey\n\
         sources:\n  customers: {file: customers.csv}\n",
    );
    dir
}

/// The report of `dir` read sequentially must equal the report read in chunks of
/// every size in `chunks`, on one and on two threads, for each set of `extra` arguments.
fn assert_same_reports(dir: &Path, extra: &[&str], chunks: &[usize]) -> Run {
    let audit = dir.join("audit.yaml");
    let mut args = vec!["report", audit.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let sequential = servqual(&args, 0, None);
    for &chunk in chunks {
        for threads in [1, 2] {
            // The command shown on failure names the chunk size and the threads.
            servqual(&args, threads, Some(chunk))
                .status(sequential.code())
                .stdout_is(sequential.stdout())
                .stderr_is(sequential.stderr());
        }
    }
    sequential
}

#[test]
fn chunked_report_is_byte_identical_with_missing_answers() {
    let csv = survey(3000);
    assert!(csv.contains(",,"), "the sample must have missing answers");
    let dir = audit_dir(&csv);
    let run = assert_same_reports(dir.path(), &[], &[7, 97, 1000, 4096, 1 << 20]);
    // Mean dimension scores are sums of non-integers (e.g. thirds): the case where the
    // order of additions shows in the last bits, so a wrong order would not pass.
    let report = run.success().json();
    assert_eq!(report["respondents"]["customers"], 3000, "{report:#}");
    // The reports compared above came from the fast path, not from a fallback.
    let audit = dir.path().join("audit.yaml");
    let args = ["report", audit.to_str().unwrap(), "--format", "json", "-v"];
    servqual(&args, 2, Some(4096))
        .success()
        .stderr_contains("customers.csv: read in chunks on 2 threads");
}

#[test]
fn chunked_segments_are_byte_identical() {
    let dir = audit_dir(&survey(1500));
    assert_same_reports(dir.path(), &["--by", "site"], &[61, 5000])
        .success()
        .stdout_contains("Harbour Road");
}

#[test]
fn quotes_crlf_and_line_breaks_in_quotes_read_the_same() {
    // Quote every field, end lines with CRLF, and put a quoted line break in the id of
    // some rows: cuts then fall inside quoted fields and must be caught.
    let csv = survey(800);
    let mut quoted = String::new();
    for (i, line) in csv.lines().enumerate() {
        let fields: Vec<String> = line
            .split(',')
            .enumerate()
            .map(|(f, v)| match (f, i % 37) {
                (0, 5) if i > 0 => format!("\"{v}\r\nsecond line\""),
                _ => format!("\"{v}\""),
            })
            .collect();
        quoted.push_str(&fields.join(","));
        quoted.push_str("\r\n");
    }
    let dir = audit_dir(&quoted);
    assert_same_reports(dir.path(), &["--by", "site"], &[50, 333, 4096, 1 << 20]).success();
}

#[test]
fn problems_late_in_the_file_are_the_sequential_ones() {
    // Bad cells and a short row far into the file: the same messages, same lines.
    let csv = survey(2000);
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    let set = |line: &str, field: usize, value: &str| {
        let mut fields: Vec<&str> = line.split(',').collect();
        fields[field] = value;
        fields.join(",")
    };
    lines[1500] = set(&lines[1500], 3, "9");
    lines[1700] = set(&lines[1700], 4, "two");
    let short = lines[1800].rsplit_once(',').unwrap().0.to_string();
    lines[1800] = short;
    let dir = audit_dir(&(lines.join("\n") + "\n"));
    assert_same_reports(dir.path(), &[], &[100, 4096])
        .status(2)
        .stderr_contains("customers.csv:1801")
        .stderr_contains("customers.csv:1501:4")
        .stderr_contains("customers.csv:1701:5")
        .stdout_is("");
}
