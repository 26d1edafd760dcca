//! Property test: on random audits, the chunked reader gives the sequential reader's JSON
//! report byte for byte, and the chunked reader really ran.
//!
//! Each case is a small audit written to a temporary directory: a scale from 0..1 to
//! 1..10, one to three dimensions of one to three items (some reverse-scored), a customer
//! survey with missing answers (empty, `NA`, blank), padded and quoted cells, CRLF or LF,
//! optional A/D columns and W (importance) columns with `weights: survey` or fixed
//! weights, optionally a management survey and `--by site`. It is reported once with
//! Most cases have a date column: rows of December 2025 to March 2026 (some with a time
//! of day), reported for the audit's quarter or for one month (`--period 2026-02`), and a
//! few blank rows (every cell empty), which both readers must skip and count alike.
//! It is reported once with
//! `SERVQUAL_THREADS=0` (the sequential reader) and once in chunks of 1 to 256 bytes
//! (`SERVQUAL_CHUNK_BYTES`) on 1 to 3 threads; `-v` says how each survey was read. One
//! case in eight has an answer that is not a whole number (`3.5`), which the chunked
//! reader must give up on, falling back to the sequential one with the same report; one
//! in sixteen has an answer that is a problem, which both must report alike (exit 2).
//!
//! The seed is fixed ([`SEED`]): every run tries the same [`CASES`] cases. On a failure,
//! proptest shrinks the case and prints the smallest one it found; its files and the
//! two commands are also left in `target/tmp/properties-failure/` (`rerun.sh` there runs
//! both reports and compares them). `PROPTEST_CASES=N` runs N cases instead, and
//! `PROPTEST_RNG_SEED=S` tries the cases of another seed.

use std::path::Path;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

/// The seed every run starts from.
const SEED: u64 = 20_261_201;
/// Cases per run (at least 200).
const CASES: u32 = 256;
/// The binary under test.
use crate::support::BIN;
/// Segment values (the empty one included); one has a space, so the CSV may quote it.
const SITES: [&str; 4] = ["North", "South", "Harbour Road", ""];

/// One random audit and how to read it in chunks.
#[derive(Debug, Clone)]
struct Case {
    /// The scale's least and greatest answer.
    scale: (u8, u8),
    /// Per dimension, per item: whether the item is reverse-scored.
    dimensions: Vec<Vec<bool>>,
    /// Whether the customer survey has A_ and D_ columns.
    zone: bool,
    /// W_ columns: none, with `weights: survey`, or with fixed weights.
    points: Points,
    /// Customer rows.
    customers: Vec<Row>,
    /// Management rows (no management survey when `None`).
    managers: Option<Vec<Vec<Answer>>>,
    /// `--by site`.
    by_site: bool,
    /// CRLF line ends rather than LF.
    crlf: bool,
    /// Whether the last line ends with a line break.
    final_newline: bool,
    /// Where to put an answer that is not a whole number: (row, item), modulo the sizes.
    fraction: Option<(usize, usize)>,
    /// Where to put an answer that is a problem (off the scale, or not a number).
    problem: Option<(usize, usize, bool)>,
    /// `SERVQUAL_CHUNK_BYTES`.
    chunk_bytes: usize,
    /// `SERVQUAL_THREADS`.
    threads: usize,
    /// Whether the customer survey has a date column.
    dated: bool,
    /// `--period 2026-0M` for this month M (1-3); `None`: the audit's quarter.
    period: Option<u8>,
}

/// The importance columns of a case.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Points {
    None,
    Survey,
    Fixed,
}

/// One answer cell: an offset from the scale's minimum (taken modulo the scale's width),
/// or missing, written in one of the ways surveys write it.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Value(u8),
    /// A value with blanks around it (the chunked reader's slow path).
    Padded(u8),
    Empty,
    Na,
    Blank,
}

/// One customer row.
#[derive(Debug, Clone)]
struct Row {
    site: usize,
    /// E, P, A, D per item (A and D used only with a zone), cycled when there are more items.
    answers: Vec<[Answer; 4]>,
    /// Cut points of 100 into the dimensions' points; `None`: no points given.
    points: Option<Vec<u8>>,
    /// Whether every field of the row is quoted.
    quoted: bool,
    /// Month (0: December 2025, 1-3: January to March 2026), day, and the time written
    /// after it (none, `T`, or a space).
    date: (u8, u8, u8),
    /// Whether every cell of the row is empty.
    blank: bool,
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        12 => any::<u8>().prop_map(Answer::Value),
        1 => any::<u8>().prop_map(Answer::Padded),
        2 => Just(Answer::Empty),
        1 => Just(Answer::Na),
        1 => Just(Answer::Blank),
    ]
}

fn row() -> impl Strategy<Value = Row> {
    (
        0..SITES.len(),
        prop::collection::vec([answer(), answer(), answer(), answer()], 1..=9),
        prop::option::weighted(0.8, prop::collection::vec(0u8..=100, 2)),
        prop::bool::weighted(0.1),
        (0u8..=3, 1u8..=28, 0u8..=2),
        prop::bool::weighted(0.05),
    )
        .prop_map(|(site, answers, points, quoted, date, blank)| Row {
            site,
            answers,
            points,
            quoted,
            date,
            blank,
        })
}

fn case() -> impl Strategy<Value = Case> {
    let scale = (0u8..=1).prop_flat_map(|min| (Just(min), (min + 1)..=10));
    let dimensions = prop::collection::vec(prop::collection::vec(any::<bool>(), 1..=3), 1..=3);
    let points = prop_oneof![
        Just(Points::None),
        Just(Points::Survey),
        Just(Points::Fixed)
    ];
    let managers = prop::option::of(prop::collection::vec(
        prop::collection::vec(answer(), 1..=9),
        0..=8,
    ));
    let reading = (
        any::<bool>(),
        any::<bool>(),
        prop::option::weighted(0.125, (any::<usize>(), any::<usize>())),
        prop::option::weighted(0.0625, (any::<usize>(), any::<usize>(), any::<bool>())),
        prop_oneof![3 => 1usize..=32, 1 => 33usize..=256],
        1usize..=3,
        (prop::bool::weighted(0.8), prop::option::of(1u8..=3)),
    );
    (
        scale,
        dimensions,
        any::<bool>(),
        points,
        prop::collection::vec(row(), 0..=30),
        managers,
        any::<bool>(),
        reading,
    )
        .prop_map(
            |(scale, dimensions, zone, points, customers, managers, by_site, reading)| {
                let (crlf, final_newline, fraction, problem, chunk_bytes, threads, dates) = reading;
                let (dated, period) = dates;
                Case {
                    scale,
                    dimensions,
                    zone,
                    points,
                    customers,
                    managers,
                    by_site,
                    crlf,
                    final_newline,
                    fraction,
                    problem,
                    chunk_bytes,
                    threads,
                    dated,
                    period,
                }
            },
        )
}

impl Case {
    /// Item ids, dimension by dimension, with their dimension and reverse flag.
    fn items(&self) -> Vec<(String, usize, bool)> {
        let mut items = Vec::new();
        for (d, reverse) in self.dimensions.iter().enumerate() {
            for (i, &reverse) in reverse.iter().enumerate() {
                items.push((format!("Q{}{}", d + 1, i + 1), d, reverse));
            }
        }
        items
    }

    /// Answers the first of a row's item cells when none is answered: a row with no
    /// answer at all is a problem for both readers, not a respondent.
    fn answer_one(&self, items: &mut [String]) {
        let answered = |cell: &String| {
            let cell = cell.trim();
            !cell.is_empty()
                && !cell.eq_ignore_ascii_case("na")
                && !cell.eq_ignore_ascii_case("n/a")
        };
        if let (false, Some(first)) = (items.iter().any(answered), items.first_mut()) {
            *first = self.cell(Answer::Value(0));
        }
    }

    /// The cell text of `answer` on the case's scale.
    fn cell(&self, answer: Answer) -> String {
        let (min, max) = self.scale;
        let on_scale = |offset: u8| min + offset % (max - min + 1);
        match answer {
            Answer::Value(offset) => on_scale(offset).to_string(),
            Answer::Padded(offset) => format!(" {} ", on_scale(offset)),
            Answer::Empty => String::new(),
            Answer::Na => "NA".into(),
            Answer::Blank => "  ".into(),
        }
    }

    /// A CSV file of `header` and `rows`, each row quoted or not, with the case's line ends.
    fn csv(&self, header: &[String], rows: &[(Vec<String>, bool)]) -> String {
        let end = if self.crlf { "\r\n" } else { "\n" };
        let line = |fields: &[String], quoted: bool| {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| {
                    // Quoted: the whole row, or a value with an inner space.
                    if quoted || (f.contains(' ') && f.trim() == f) {
                        format!("\"{f}\"")
                    } else {
                        f.clone()
                    }
                })
                .collect();
            fields.join(",")
        };
        let mut lines = vec![line(header, false)];
        lines.extend(rows.iter().map(|(fields, quoted)| line(fields, *quoted)));
        let mut text = lines.join(end);
        if self.final_newline || rows.is_empty() {
            text.push_str(end);
        }
        text
    }

    /// The customer survey.
    fn customers_csv(&self) -> String {
        let items = self.items();
        let dims = self.dimensions.len();
        let mut kinds = vec!["E", "P"];
        if self.zone {
            kinds.extend(["A", "D"]);
        }
        let mut header = vec!["id".to_string(), "site".to_string()];
        if self.dated {
            header.push("date".into());
        }
        for kind in &kinds {
            header.extend(items.iter().map(|(id, ..)| format!("{kind}_{id}")));
        }
        if self.points != Points::None {
            header.extend((1..=dims).map(|d| format!("W_d{d}")));
        }
        let at = |(r, i): (usize, usize)| (r % self.customers.len(), i % items.len());
        let fraction = self.fraction.filter(|_| self.has_rows()).map(at);
        let problem = self.problem.filter(|_| self.has_rows());
        let problem = problem.map(|(r, i, off_scale)| (at((r, i)), off_scale));
        let rows: Vec<(Vec<String>, bool)> = self
            .customers
            .iter()
            .enumerate()
            .map(|(r, row)| {
                // The row of a fraction or a problem is one the report reads.
                let marked = [fraction, problem.map(|(at, _)| at)]
                    .iter()
                    .any(|at| at.is_some_and(|(row, _)| row == r));
                let mut fields = vec![format!("R{r}"), SITES[row.site].to_string()];
                if self.dated {
                    fields.push(self.date(row.date, marked));
                }
                let first_item = fields.len();
                for k in 0..kinds.len() {
                    for i in 0..items.len() {
                        let answer = row.answers[i % row.answers.len()][k];
                        fields.push(match (fraction, problem) {
                            // E of one item: one above the scale, or a word.
                            (_, Some((at, true))) if at == (r, i) && k == 0 => {
                                (self.scale.1 + 1).to_string()
                            }
                            (_, Some((at, false))) if at == (r, i) && k == 0 => "x".into(),
                            // P of one item: a half above the scale's minimum.
                            (Some(at), _) if at == (r, i) && k == 1 => {
                                format!("{}.5", self.scale.0)
                            }
                            _ => self.cell(answer),
                        });
                    }
                }
                self.answer_one(&mut fields[first_item..]);
                if self.points != Points::None {
                    fields.extend(points(row.points.as_deref(), dims));
                }
                if row.blank && !marked {
                    fields.iter_mut().for_each(String::clear);
                }
                (fields, row.quoted)
            })
            .collect();
        self.csv(&header, &rows)
    }

    /// The date cell of a row; `in_period`: one of the period reported, whatever `date`.
    fn date(&self, (month, day, time): (u8, u8, u8), in_period: bool) -> String {
        let month = match (in_period, self.period) {
            (true, Some(m)) => m,
            (true, None) => month.max(1),
            (false, _) => month,
        };
        let day = if month == 0 {
            format!("2025-12-{day:02}")
        } else {
            format!("2026-{month:02}-{day:02}")
        };
        match time {
            0 => day,
            1 => format!("{day}T08:30:00"),
            _ => format!("{day} 17:05"),
        }
    }

    /// The management survey, if the case has one.
    fn management_csv(&self) -> Option<String> {
        let managers = self.managers.as_ref()?;
        let items = self.items();
        let mut header = vec!["id".to_string()];
        header.extend(items.iter().map(|(id, ..)| format!("M_{id}")));
        let rows: Vec<(Vec<String>, bool)> = managers
            .iter()
            .enumerate()
            .map(|(r, answers)| {
                let mut fields = vec![format!("M{r}")];
                let cells = (0..items.len()).map(|i| self.cell(answers[i % answers.len()]));
                fields.extend(cells);
                self.answer_one(&mut fields[1..]);
                (fields, false)
            })
            .collect();
        Some(self.csv(&header, &rows))
    }

    /// The audit definition.
    fn audit_yaml(&self) -> String {
        let dims = self.dimensions.len();
        let mut yaml = format!(
            "audit: {{id: prop, title: Prop, schedule: monthly, period: {{start: 2026-01-01, end: 2026-03-31}}}}\n\
             scale: {{min: {}, max: {}}}\nthresholds: {{min_segment_n: 2}}\n",
            self.scale.0, self.scale.1
        );
        match self.points {
            Points::None => {}
            Points::Survey => yaml += "weights: survey\n",
            Points::Fixed => {
                // 100 shared out: the first dimensions 100/dims each, the last the rest.
                let share = 100 / dims;
                let weights: Vec<String> = (1..=dims)
                    .map(|d| {
                        let w = if d == dims {
                            100 - share * (dims - 1)
                        } else {
                            share
                        };
                        format!("d{d}: {w}")
                    })
                    .collect();
                yaml += &format!("weights: {{{}}}\n", weights.join(", "));
            }
        }
        yaml += "dimensions:\n";
        for d in 1..=dims {
            yaml += &format!("- {{id: d{d}, label: {{en: D{d}}}}}\n");
        }
        yaml += "items:\n";
        for (id, d, reverse) in self.items() {
            yaml += &format!(
                "- {{id: {id}, dimension: d{}, text: {{en: {id}}}, reverse: {reverse}}}\n",
                d + 1
            );
        }
        yaml += "sources:\n  customers: {file: customers.csv}\n";
        if self.managers.is_some() {
            yaml += "  management: {file: management.csv}\n";
        }
        yaml
    }

    /// Writes the case's files into `dir`.
    fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::write(dir.join("audit.yaml"), self.audit_yaml())?;
        std::fs::write(dir.join("customers.csv"), self.customers_csv())?;
        if let Some(csv) = self.management_csv() {
            std::fs::write(dir.join("management.csv"), csv)?;
        }
        Ok(())
    }

    /// The report's arguments.
    fn args(&self) -> Vec<&'static str> {
        let mut args = vec!["-v", "report", "audit.yaml", "--format", "json"];
        if self.by_site {
            args.extend(["--by", "site"]);
        }
        if let Some(month) = self.period {
            args.extend([
                "--period",
                ["2026-01", "2026-02", "2026-03"][usize::from(month - 1)],
            ]);
        }
        args
    }

    /// The environment of the chunked reading.
    fn chunked_env(&self) -> [(&'static str, String); 2] {
        [
            ("SERVQUAL_THREADS", self.threads.to_string()),
            ("SERVQUAL_CHUNK_BYTES", self.chunk_bytes.to_string()),
        ]
    }

    /// Whether the customer survey has rows.
    fn has_rows(&self) -> bool {
        !self.customers.is_empty()
    }

    /// Whether the customer survey has an answer the chunked reader must give up on.
    fn has_fraction(&self) -> bool {
        self.fraction.is_some() && self.has_rows()
    }

    /// Whether the customer survey has an answer that is a problem.
    fn has_problem(&self) -> bool {
        self.problem.is_some() && self.has_rows()
    }
}

/// The points cells of a row: the cut points of 100 into `dims` shares, or all empty.
fn points(cuts: Option<&[u8]>, dims: usize) -> Vec<String> {
    let Some(cuts) = cuts else {
        return vec![String::new(); dims];
    };
    let mut cuts: Vec<u8> = cuts.iter().take(dims - 1).copied().collect();
    cuts.sort_unstable();
    cuts.push(100);
    let mut before = 0;
    cuts.iter()
        .map(|&cut| {
            let share = cut - before;
            before = cut;
            share.to_string()
        })
        .collect()
}

/// What a run of the binary left.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

/// Starts servqual in `dir` with `args` and the extra environment `env`.
fn start(dir: &Path, args: &[&str], env: &[(&str, String)]) -> std::process::Child {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SERVQUAL_THREADS")
        .env_remove("SERVQUAL_CHUNK_BYTES")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    command.spawn().expect("start servqual")
}

/// Waits for a run started with [`start`].
fn finish(child: std::process::Child) -> Run {
    let out = child.wait_with_output().expect("run servqual");
    Run {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The `-v` note on how `file` was read, if there is one.
fn strategy<'a>(run: &'a Run, file: &str) -> Option<&'a str> {
    let prefix = format!("{file}: ");
    run.stderr.lines().find_map(|l| l.strip_prefix(&prefix))
}

/// Leaves the files of a failing case, and a script that runs both reports, where a
/// developer can find them (the last failure is the smallest case proptest found).
fn keep_failure(case: &Case) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("properties-failure");
    let _ = std::fs::remove_dir_all(&dir);
    let kept = std::fs::create_dir_all(&dir).and_then(|()| case.write(&dir));
    let env: Vec<String> = case
        .chunked_env()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let args = case.args().join(" ");
    let script = format!(
        "#!/bin/sh\n# Both reports of the smallest failing case; they must be the same.\n\
         cd \"$(dirname \"$0\")\"\n\
         SERVQUAL_THREADS=0 {BIN} {args} > sequential.json\n\
         {} {BIN} {args} > chunked.json\n\
         cmp sequential.json chunked.json\n",
        env.join(" ")
    );
    match kept.and_then(|()| std::fs::write(dir.join("rerun.sh"), script)) {
        Ok(()) => format!("files and rerun.sh in {}", dir.display()),
        Err(e) => format!("could not keep the files: {e}"),
    }
}

/// The property for one case.
fn reads_alike(case: &Case) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    case.write(dir.path())
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    // Both at once: the runs are short, and mostly wait for the machine.
    let sequential = start(
        dir.path(),
        &case.args(),
        &[("SERVQUAL_THREADS", "0".into())],
    );
    let chunked = finish(start(dir.path(), &case.args(), &case.chunked_env()));
    let sequential = finish(sequential);
    let fail = |what: String| TestCaseError::fail(format!("{what}; {}", keep_failure(case)));
    if case.has_problem() {
        // The chunked reader gives up, and the sequential one says where the problem is.
        let same = chunked.code == Some(2)
            && sequential.code == Some(2)
            && chunked.stderr == sequential.stderr
            && chunked.stdout.is_empty()
            && sequential.stdout.is_empty();
        if !same || !sequential.stderr.contains("customers.csv:") {
            let runs = format!("{}\nchunked:\n{}", sequential.stderr, chunked.stderr);
            return Err(fail(format!("a problem not reported alike:\n{runs}")));
        }
        return Ok(());
    }
    if sequential.code != Some(0) {
        return Err(fail(format!(
            "the generated audit does not report: {}",
            sequential.stderr
        )));
    }
    if chunked.code != sequential.code {
        return Err(fail(format!("exit {:?}: {}", chunked.code, chunked.stderr)));
    }
    if chunked.stdout != sequential.stdout {
        return Err(fail(
            "the chunked report differs from the sequential one".into(),
        ));
    }
    let mut surveys = vec![("customers.csv", case.has_fraction())];
    if case.managers.is_some() {
        surveys.push(("management.csv", false));
    }
    for (file, fraction) in surveys {
        let off = "read sequentially (chunked reading is off)";
        if strategy(&sequential, file) != Some(off) {
            return Err(fail(format!("{file}, threads 0: {}", sequential.stderr)));
        }
        let how = strategy(&chunked, file).unwrap_or_default();
        let expected = if fraction {
            "read sequentially (the chunked reader met"
        } else {
            "read in chunks on "
        };
        if !how.starts_with(expected) {
            return Err(fail(format!("{file} {how:?}, expected {expected:?}")));
        }
    }
    Ok(())
}

#[test]
fn chunked_and_sequential_reports_are_byte_identical() {
    let defaults = Config::default();
    let set = |name: &str| std::env::var_os(name).is_some();
    let config = Config {
        cases: if set("PROPTEST_CASES") {
            defaults.cases
        } else {
            CASES
        },
        rng_seed: if set("PROPTEST_RNG_SEED") {
            defaults.rng_seed
        } else {
            RngSeed::Fixed(SEED)
        },
        // The seed makes every run try the same cases: nothing to keep in the source tree.
        failure_persistence: None,
        ..defaults
    };
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&case(), |case| reads_alike(&case)) {
        panic!("{e}");
    }
}
