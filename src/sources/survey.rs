//! The customer and management surveys: wide CSV, one row per respondent.
//!
//! Column positions are resolved once from the header (`Layout`); each row is parsed
//! into reused buffers, reverse-scored, and handed to the caller as a `Respondent`.
//! Only rows dated in the audit's period are handed on; blank rows are skipped, and
//! both are counted (docs/files.md#periods).

use std::path::Path;

use csv::ByteRecord;

use super::answers::{parse_number_cell, Answer, DateBounds, Number, Placed};
use super::chunked::{self, Tuning};
use super::hashing::SharedHasher;
use super::repeats::{IdHasher, IdRun, RowRepeats, SeenIds};
use super::stream::{
    date_problem, duplicate_columns, next_filled_row, open_source_csv, repeat_note, settle_row,
    InvalidRows, OpenedCsv, RowCounts, RowNotes,
};
use super::text::{TextFormat, TextOptions};
use crate::definition::{column_name, Audit, Scale, SurveySource, Weights};
use crate::provenance::FileDigest;

mod fast;
use crate::problem::{Problem, Problems};
use crate::yaml::nearest;

/// Which survey a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SurveyKind {
    /// Customers: E, P (and A, D, W) columns.
    Customers,
    /// Management: M columns.
    Management,
}

impl SurveyKind {
    /// The source name in the audit (`customers`, `management`).
    pub fn source_name(self) -> &'static str {
        match self {
            SurveyKind::Customers => "customers",
            SurveyKind::Management => "management",
        }
    }
}

/// An answer cell as accumulators take it: a value and a 0/1 "answered" weight, so that
/// one formula sums the sequential reader's `Option<f64>` and the chunked reader's
/// [`WholeCell`] (see [`Number`]).
pub(crate) trait Cell: Copy {
    /// What the value is summed as: `f64`, or `i64` for whole numbers.
    type Value: Number;
    /// The answer, reverse-scored; 0 if unanswered.
    fn value(self) -> Self::Value;
    /// 1 if answered, else 0.
    fn answered(self) -> <Self::Value as Number>::Weight;
}

/// The sequential reader's cell: `None` when unanswered.
impl Cell for Option<f64> {
    type Value = f64;
    #[inline]
    fn value(self) -> f64 {
        self.unwrap_or(0.0)
    }
    #[inline]
    fn answered(self) -> bool {
        self.is_some()
    }
}

/// One respondent's answers by kind, reverse-scored, per item (per dimension for
/// importance); a kind is `None` when the file has none of its columns. Both readers hand
/// these to the same accumulator code, with cells `C` of their own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answers<'a, C> {
    /// E per item.
    pub expected: Option<&'a [C]>,
    /// P per item.
    pub perceived: Option<&'a [C]>,
    /// Adequate service level per item.
    pub adequate: Option<&'a [C]>,
    /// Desired service level per item.
    pub desired: Option<&'a [C]>,
    /// M per item (management survey).
    pub management: Option<&'a [C]>,
    /// Importance points per dimension.
    pub importance: Option<&'a [C]>,
    /// Value of the segment column asked for with `extra` (see [`read_survey_into`]), else empty.
    pub extra: &'a str,
    /// The row's period: its index in the span the run reads (see [`DateBounds`]), or
    /// `None` in a file without a date column, whose rows count in every period.
    pub period: Option<usize>,
}

/// One respondent as the sequential reader hands it over (`None` when unanswered).
pub(crate) type Respondent<'a> = Answers<'a, Option<f64>>;

/// How a survey file was read: chosen by `read_survey_into`, reported with `-v` (and
/// asserted by the tests that compare both ways of reading).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStrategy {
    /// In chunks on this many worker threads (see [`super::chunked`]).
    Chunked {
        /// Worker threads that read chunks.
        threads: usize,
    },
    /// Front to back on one thread, for this reason.
    Sequential(Fallback),
}

/// Why a survey file was read sequentially.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// Chunked reading is turned off (`SERVQUAL_THREADS=0`).
    TurnedOff,
    /// The file is not UTF-8: other encodings are read sequentially.
    Encoding,
    /// A row repeats the id of an earlier one: the chunks had summed it already, so the
    /// file was read again from the start, to count the row once (or report it).
    Repeated,
    /// Chunks cannot be cut from the file: not a regular file, or a header the chunked
    /// reader does not find where the sequential one did.
    NoPlan,
    /// The chunked reader met something it does not read exactly as the sequential one
    /// (an answer that is not a whole number up to 100, a problem, a cut inside a quoted
    /// line break, ...): the file was read again from the start.
    GaveUp,
}

impl std::fmt::Display for ReadStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = match self {
            ReadStrategy::Chunked { threads: 1 } => return write!(f, "read in chunks on 1 thread"),
            ReadStrategy::Chunked { threads } => {
                return write!(f, "read in chunks on {threads} threads")
            }
            ReadStrategy::Sequential(Fallback::TurnedOff) => "chunked reading is off",
            ReadStrategy::Sequential(Fallback::Encoding) => "not UTF-8",
            ReadStrategy::Sequential(Fallback::Repeated) => "a row repeats the id of an earlier one",
            ReadStrategy::Sequential(Fallback::NoPlan) => "no chunks can be cut from it",
            ReadStrategy::Sequential(Fallback::GaveUp) => {
                "the chunked reader met a row it does not take, such as an answer that is not a whole number"
            }
        };
        write!(f, "read sequentially ({why})")
    }
}

/// What reading a survey found out about the file.
#[derive(Debug, Clone)]
pub struct SurveyRead {
    /// Data rows read (blank ones and those of other periods included).
    pub rows: u64,
    /// The rows counted by period, and the blank ones.
    pub counts: RowCounts,
    /// Whether the file has a date column (without one, every row is of the period).
    pub has_date: bool,
    /// Provenance of the file.
    pub digest: FileDigest,
    /// Whether A_/D_ (zone of tolerance) columns exist.
    pub has_zone: bool,
    /// Whether E columns exist (a customer survey without is perception-only).
    pub has_expected: bool,
    /// Whether W_ (importance) columns exist.
    pub has_importance: bool,
    /// Whether the file has a site column.
    pub has_site: bool,
    /// Whether the file has a region column.
    pub has_region: bool,
    /// How the file was read.
    pub strategy: ReadStrategy,
    /// Warnings about rows: repeated exactly, or left out (`--skip-invalid`).
    pub notes: RowNotes,
    /// Whether the file has an id column (without one, repeated rows are not detected).
    pub has_id: bool,
    /// The encoding, when it was detected from the file's text rather than declared.
    pub detected_encoding: Option<&'static encoding_rs::Encoding>,
}

/// Where each field of the audit is in the file.
#[derive(Debug, Default)]
struct Layout {
    id: Option<usize>,
    site: Option<usize>,
    date: Option<usize>,
    region: Option<usize>,
    expected: Vec<Option<usize>>,
    perceived: Vec<Option<usize>>,
    adequate: Vec<Option<usize>>,
    desired: Vec<Option<usize>>,
    management: Vec<Option<usize>>,
    importance: Vec<Option<usize>>,
    headers: Vec<String>,
}

/// The kinds of answers, in the order of [`Answers`]: E, P, A, D, M, importance.
const KINDS: usize = 6;

impl Layout {
    /// The columns of each kind of answer, in the order of [`Answers`].
    fn columns(&self) -> [&[Option<usize>]; KINDS] {
        [
            &self.expected,
            &self.perceived,
            &self.adequate,
            &self.desired,
            &self.management,
            &self.importance,
        ]
    }

    /// Whether the file has any column of each kind of answer, in the order of [`Answers`].
    fn kinds(&self) -> [bool; KINDS] {
        self.columns()
            .map(|columns| columns.iter().any(Option::is_some))
    }
}

/// The most row problems listed before the rest are only counted.
const MAX_LISTED: usize = 50;

/// Reads the survey `source` of `audit` front to back, calling `visit` for every valid row,
/// with the value of column `extra` in [`Answers::extra`] (for `--by <column>`; a missing
/// column is a problem).
///
/// Every problem in the file is collected (the first [`MAX_LISTED`] listed); if there
/// were any, the result is an error and the caller must discard what it accumulated.
fn read_survey_with(
    audit: &Audit,
    source: &SurveySource,
    kind: SurveyKind,
    extra: Option<&str>,
    invalid: InvalidRows,
    fallback: Fallback,
    visit: impl FnMut(&Respondent),
) -> Result<SurveyRead, Problems> {
    let opened = open_survey(audit, source, kind, extra)?;
    read_opened(audit, kind, source, opened, invalid, fallback, visit)
}

/// The problem of a survey row with cells but no answer to any item (E, P, A, D or M),
/// as the report reads it and the import checks each row it adds: nobody's response.
pub(crate) fn no_answer_problem() -> Problem {
    Problem::new("a response with no answer")
        .expected("an answer to at least one item; leave out responses nobody filled in")
}

/// Sums over a survey's respondents, which a large file builds in chunks on several
/// threads (see [`read_survey_into`]).
///
/// Sequential reading adds every row with [`SurveySums::add`]. Chunked reading takes
/// whole-number answers only: each worker adds the rows of its chunk to a
/// [`SurveySums::Chunk`], which keeps sums of whole numbers as integers (exact, so the
/// same in any order) and logs what must be added in file order (sums of fractions, such
/// as mean scores); [`SurveySums::merge_chunk`] takes the chunks in file order. Both adds
/// are one formula over [`Cell`]s, so they give the same sums to the last bit.
pub(crate) trait SurveySums: Clone + Send + Sync {
    /// What a worker adds the rows of one chunk to.
    type Chunk: ChunkSums;
    /// Adds one respondent (sequential reading).
    fn add(&mut self, r: &Respondent);
    /// Empty sums for a chunk.
    fn chunk(&self) -> Self::Chunk;
    /// Adds a chunk's sums; chunks come in file order.
    fn merge_chunk(&mut self, chunk: Self::Chunk);
}

/// The sums of one chunk of a survey file (see [`SurveySums`]).
pub(crate) trait ChunkSums: Send {
    /// Adds one respondent whose answers are all whole numbers.
    fn add(&mut self, r: &WholeRespondent);
}

/// A whole-number answer in chunked reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WholeCell {
    /// The answer, reverse-scored; 0 if unanswered. (`i32`: chunked reading takes whole
    /// answers up to 100 only, and a row of half-size cells is cheaper to fill.)
    pub value: i32,
    /// 1 if answered, else 0: a weight rather than a flag, for branch-free sums.
    pub answered: i32,
}

impl WholeCell {
    /// An empty cell.
    pub const UNANSWERED: WholeCell = WholeCell {
        value: 0,
        answered: 0,
    };
}

/// Summed as `i64`, weighted by multiplication: branch-free.
impl Cell for WholeCell {
    type Value = i64;
    #[inline]
    fn value(self) -> i64 {
        i64::from(self.value)
    }
    #[inline]
    fn answered(self) -> i64 {
        i64::from(self.answered)
    }
}

/// One respondent read in chunks, every answer a whole number.
pub(crate) type WholeRespondent<'a> = Answers<'a, WholeCell>;

/// Reads the survey `source` of `audit` into `sums`: large UTF-8 files in chunks on
/// `tuning.threads` threads (see [`super::chunked`]), anything else sequentially, with
/// the same result to the last bit; [`SurveyRead::strategy`] says which. `extra` is the
/// segment column (see [`Answers::extra`]); `invalid` says whether an invalid row stops
/// the reading or is left out. On a problem `sums` may hold part of the file: discard it.
pub(crate) fn read_survey_into<S: SurveySums>(
    audit: &Audit,
    source: &SurveySource,
    kind: SurveyKind,
    extra: Option<&str>,
    invalid: InvalidRows,
    tuning: Tuning,
    sums: &mut S,
) -> Result<SurveyRead, Problems> {
    let path = source.file.as_path();
    let opened = open_survey(audit, source, kind, extra)?;
    let fallback = if tuning.threads == 0 {
        Fallback::TurnedOff
    } else if opened.format.encoding != encoding_rs::UTF_8 {
        Fallback::Encoding
    } else {
        let headers = &opened.layout.headers;
        let (delimiter, bom) = (opened.format.delimiter, opened.format.bom);
        match chunked::plan(path, delimiter, headers, 1, bom, tuning) {
            None => Fallback::NoPlan,
            Some(plan) => {
                let hasher = IdHasher::default();
                // Most exports number their rows in order, and ids in order cannot repeat:
                // nothing is kept per row. Only when they are not is the file read again,
                // collecting every id's hash (workers hash, the reading thread collects,
                // and checks at the end). A repeat means reading sequentially: the row is
                // in the sums already.
                let mut outcome = None;
                for ids in [fast::IdCheck::InOrder, fast::IdCheck::Hashes] {
                    let parser = fast::RowParser::new(
                        audit,
                        &opened.layout,
                        opened.extra_column,
                        (ids, &hasher),
                        sums,
                    );
                    let mut total = sums.clone();
                    let mut counts = RowCounts::default();
                    let (mut run, mut seen) = (IdRun::default(), SeenIds::default());
                    let finished = chunked::run(&plan, &parser, |chunk, _| {
                        run.extend(&chunk.run);
                        chunk.ids.iter().for_each(|&id| seen.push(id));
                        total.merge_chunk(chunk.sums);
                        counts.merge(&chunk.counts);
                        !run.is_broken()
                    });
                    if run.is_broken() {
                        continue;
                    }
                    let repeated = finished.is_some() && seen.any_repeated();
                    drop(seen);
                    outcome = Some((repeated, finished, total, counts));
                    break;
                }
                if let Some((
                    false,
                    Some(chunked::Finished {
                        records,
                        sha256: Some(sha256),
                    }),
                    total,
                    mut counts,
                )) = outcome
                {
                    *sums = total;
                    let strategy = ReadStrategy::Chunked {
                        threads: plan.workers(),
                    };
                    let layout = &opened.layout;
                    counts.rows = records;
                    let notes = RowNotes::default();
                    let format = &opened.format;
                    let read = (counts, sha256, strategy, notes);
                    return Ok(survey_read(kind, source, layout, format, read));
                }
                match outcome {
                    Some((true, ..)) => Fallback::Repeated,
                    _ => Fallback::GaveUp,
                }
            }
        }
    };
    // Sequentially, from the start: this reader also knows every problem's place.
    drop(opened);
    read_survey_with(audit, source, kind, extra, invalid, fallback, |r| {
        sums.add(r)
    })
}

/// Like [`read_survey_with`], from a survey already opened.
fn read_opened(
    audit: &Audit,
    kind: SurveyKind,
    source: &SurveySource,
    opened: Opened,
    invalid: InvalidRows,
    fallback: Fallback,
    mut visit: impl FnMut(&Respondent),
) -> Result<SurveyRead, Problems> {
    let path = source.file.as_path();
    let Opened {
        mut reader,
        hasher,
        format,
        layout,
        extra_column,
    } = opened;
    // A kind without any column is `None`, as the chunked reader has it.
    let kinds = layout.kinds();

    let n_items = audit.items.len();
    let n_dims = audit.dimensions.len();
    let mut expected = vec![None; n_items];
    let mut perceived = vec![None; n_items];
    let mut adequate = vec![None; n_items];
    let mut desired = vec![None; n_items];
    let mut management = vec![None; n_items];
    let mut importance = vec![None; n_dims];
    let mut problems = Vec::new();
    let mut extra_problems = 0usize;
    let mut record = ByteRecord::new();
    let mut counts = RowCounts::default();
    let scale = audit.scale;
    let bounds = DateBounds::of_run(&audit.meta);
    let mut notes = RowNotes::default();
    let mut repeats = RowRepeats::of(layout.id);

    while let Some(line) = next_filled_row(
        &mut reader,
        &mut record,
        path,
        invalid,
        &mut problems,
        &mut counts,
        &mut notes,
    ) {
        let before = problems.len();
        // Rows of other periods are left out unread: their answers are not this report's.
        let mut period = None;
        if let Some(c) = layout.date {
            let raw = record.get(c).unwrap_or_default();
            match bounds.place(raw) {
                Placed::Inside(k) => period = Some(k),
                Placed::Outside => {
                    counts.outside_period += 1;
                    continue;
                }
                Placed::NotADate => {
                    problems.push(date_problem(path, line, Some(c), &layout.headers[c], raw));
                }
            }
        }
        {
            let mut cell =
                |col: Option<usize>, slot: &mut Option<f64>, reverse: bool, points: bool| {
                    *slot = None;
                    let Some(c) = col else { return };
                    let raw = record.get(c).unwrap_or_default();
                    match answer_value(raw, scale, reverse, points) {
                        Ok(value) => *slot = value,
                        Err(is_number) => {
                            let expected = if points {
                                "importance points from 0 to 100, or empty".to_string()
                            } else {
                                format!(
                                    "a number from {} to {}, or empty/NA for no answer",
                                    scale.min, scale.max
                                )
                            };
                            let message = if is_number {
                                "answer outside the scale"
                            } else {
                                "not a number"
                            };
                            problems.push(
                                Problem::new(message)
                                    .file(path)
                                    .at(line, c as u64 + 1)
                                    .field(layout.headers[c].clone())
                                    .found(String::from_utf8_lossy(raw).into_owned())
                                    .expected(expected),
                            );
                        }
                    }
                };
            for (i, item) in audit.items.iter().enumerate() {
                let r = item.reverse;
                cell(layout.expected[i], &mut expected[i], r, false);
                cell(layout.perceived[i], &mut perceived[i], r, false);
                cell(layout.adequate[i], &mut adequate[i], r, false);
                cell(layout.desired[i], &mut desired[i], r, false);
                cell(layout.management[i], &mut management[i], r, false);
            }
            for (col, slot) in layout.importance.iter().zip(importance.iter_mut()) {
                cell(*col, slot, false, true);
            }
        }
        check_importance(&importance, &layout, path, line, &mut problems);
        let items = [&expected, &perceived, &adequate, &desired, &management];
        if problems.len() == before && !items.iter().any(|a| a.iter().any(Option::is_some)) {
            problems.push(no_answer_problem().file(path).line(line));
        }
        // A valid row of the period: its id against the rows before it.
        if let (true, Some(repeats)) = (problems.len() == before, repeats.as_mut()) {
            match repeats.check(&record, line, path, &layout.headers) {
                Ok(None) => {}
                Ok(Some(first)) => {
                    // A repeat in an earlier period of the history is that period's row,
                    // so the reported period's counts stay as without the history.
                    match period {
                        Some(k) if !bounds.is_reported(k) => counts.outside_period += 1,
                        _ => counts.duplicate += 1,
                    }
                    notes.push(repeat_note(path, line, first));
                    continue;
                }
                Err(conflict) => problems.push(conflict),
            }
        }
        if settle_row(invalid, &mut problems, before, &mut counts, &mut notes) {
            if problems.len() > MAX_LISTED {
                extra_problems += problems.len() - MAX_LISTED;
                problems.truncate(MAX_LISTED);
            }
            continue;
        }
        let answers = [
            &expected,
            &perceived,
            &adequate,
            &desired,
            &management,
            &importance,
        ];
        let [expected, perceived, adequate, desired, management, importance] =
            std::array::from_fn(|k| kinds[k].then_some(answers[k].as_slice()));
        let extra = extra_column
            .and_then(|c| record.get(c))
            .and_then(|b| std::str::from_utf8(super::answers::trim(b)).ok());
        counts.count_placed(period, &bounds);
        visit(&Answers {
            expected,
            perceived,
            adequate,
            desired,
            management,
            importance,
            extra: extra.unwrap_or(""),
            period,
        });
    }
    if extra_problems > 0 {
        problems.push(
            Problem::unlisted(
                format!("… and {extra_problems} more problems in this file"),
                extra_problems as u64,
            )
            .file(path),
        );
    }
    Problems::check(problems)?;
    let strategy = ReadStrategy::Sequential(fallback);
    let read = (counts, hasher.hex(), strategy, notes);
    Ok(survey_read(kind, source, &layout, &format, read))
}

/// A survey file opened and its header checked, ready for its rows.
struct Opened {
    reader: csv::Reader<Box<dyn std::io::Read>>,
    hasher: SharedHasher,
    format: TextFormat,
    layout: Layout,
    extra_column: Option<usize>,
}

/// Opens the survey file of `source`, reads its header and finds every column in it.
fn open_survey(
    audit: &Audit,
    source: &SurveySource,
    kind: SurveyKind,
    extra: Option<&str>,
) -> Result<Opened, Problems> {
    let path = source.file.as_path();
    let options = TextOptions {
        encoding: source.encoding.clone(),
        delimiter: source.delimiter,
    };
    let OpenedCsv {
        reader,
        format,
        headers,
        hasher,
    } = open_source_csv(path, &options)?;
    let extra_column = match extra {
        Some(name) => match headers.iter().position(|h| h == name) {
            Some(c) => Some(c),
            None => {
                let hint = nearest(name, headers.iter().map(String::as_str));
                return Err(Problems::one(
                    Problem::new("column not found")
                        .file(path)
                        .line(1)
                        .found(name.to_string())
                        .expected(match hint {
                            Some(h) => {
                                format!("a column of the file to segment by (did you mean `{h}`?)")
                            }
                            None => format!(
                                "a column of the file to segment by: {}",
                                headers.join(", ")
                            ),
                        }),
                ));
            }
        },
        None => None,
    };
    let layout = resolve_layout(audit, source, kind, path, headers)?;
    Ok(Opened {
        reader,
        hasher,
        format,
        layout,
        extra_column,
    })
}

/// What reading the file found out, from its layout, row counts, digest and strategy.
fn survey_read(
    kind: SurveyKind,
    source: &SurveySource,
    layout: &Layout,
    format: &TextFormat,
    (counts, sha256, strategy, notes): (RowCounts, String, ReadStrategy, RowNotes),
) -> SurveyRead {
    let [expected, _, adequate, desired, _, importance] = layout.kinds();
    SurveyRead {
        rows: counts.rows,
        counts,
        has_date: layout.date.is_some(),
        digest: FileDigest::hashed(kind.source_name(), source.file_as_written.clone(), sha256),
        has_zone: adequate || desired,
        has_expected: expected,
        has_importance: importance,
        has_site: layout.site.is_some(),
        has_region: layout.region.is_some(),
        strategy,
        notes,
        has_id: layout.id.is_some(),
        detected_encoding: format.detected.then_some(format.encoding),
    }
}

/// An answer cell as the audit takes it: `Ok(None)` when not answered, `Ok(Some(x))`
/// (reverse-scored if asked) for an answer on the scale or, with `points`, any number;
/// `Err(is_number)` when the cell is a problem (a number off the scale, or not a number).
fn answer_value(
    raw: &[u8],
    scale: Scale,
    reverse: bool,
    points: bool,
) -> Result<Option<f64>, bool> {
    match parse_number_cell(raw) {
        Some(Answer::Missing) => Ok(None),
        Some(Answer::Number(x)) if points || scale.contains(x) => {
            Ok(Some(if reverse { scale.reverse(x) } else { x }))
        }
        other => Err(other.is_some()),
    }
}

/// How a row's importance points break the rule that they are a constant sum.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PointsProblem {
    /// Points for some dimensions only: this many.
    SomeOnly(i64),
    /// Points for every dimension, adding up to this rather than 100.
    Sum(f64),
}

/// Whether importance points keep the rule: none given, or every dimension's, adding up
/// to 100. One check for both readers (whole numbers add up to exactly 100).
fn points_problem<C: Cell>(points: &[C]) -> Option<PointsProblem> {
    let answered: i64 = points.iter().map(|c| C::Value::count(c.answered())).sum();
    if answered == 0 {
        return None;
    }
    if answered < points.len() as i64 {
        return Some(PointsProblem::SomeOnly(answered));
    }
    // In dimension order, without a leading zero: the sum the message shows.
    let sum = points.iter().map(|c| c.value()).reduce(|a, b| a + b);
    let sum = sum.unwrap_or_default().to_f64();
    ((sum - 100.0).abs() > 1e-6).then_some(PointsProblem::Sum(sum))
}

/// The problem, not yet placed, of a row whose importance points (one per dimension,
/// `None` unanswered) break the rule; the import checks the rows it writes with it.
pub(crate) fn importance_problem(importance: &[Option<f64>]) -> Option<Problem> {
    let (message, found, expected) = match points_problem(importance)? {
        PointsProblem::SomeOnly(answered) => (
            "importance points given for some dimensions only",
            format!("{answered} of {}", importance.len()),
            "points for every dimension, or none",
        ),
        PointsProblem::Sum(sum) => (
            "importance points do not add up to 100",
            format!("{sum}"),
            "100 points shared among the dimensions",
        ),
    };
    Some(Problem::new(message).found(found).expected(expected))
}

/// Importance points are a constant sum: all dimensions answered, adding up to 100.
fn check_importance(
    importance: &[Option<f64>],
    layout: &Layout,
    path: &Path,
    line: u64,
    problems: &mut Vec<Problem>,
) {
    let Some(problem) = importance_problem(importance) else {
        return;
    };
    let first = layout
        .importance
        .iter()
        .flatten()
        .next()
        .copied()
        .unwrap_or(0);
    let field = layout
        .importance
        .iter()
        .flatten()
        .map(|&c| layout.headers[c].as_str())
        .collect::<Vec<_>>()
        .join("+");
    problems.push(problem.file(path).at(line, first as u64 + 1).field(field));
}

/// Finds every column the audit needs in `headers`, reporting missing and unknown ones.
fn resolve_layout(
    audit: &Audit,
    source: &SurveySource,
    kind: SurveyKind,
    path: &Path,
    headers: Vec<String>,
) -> Result<Layout, Problems> {
    let mut problems = Vec::new();
    let position = |name: &str| headers.iter().position(|h| h == name);
    problems.extend(duplicate_columns(path, &headers));
    let p = &source.patterns;
    let per_item = |pattern: &str| -> Vec<Option<usize>> {
        audit
            .items
            .iter()
            .map(|it| position(&column_name(pattern, &it.id)))
            .collect()
    };
    let mut layout = Layout {
        id: position(&source.id_column),
        site: position(&source.site_column),
        date: position(&source.date_column),
        region: position(&source.region_column),
        expected: vec![None; audit.items.len()],
        perceived: vec![None; audit.items.len()],
        adequate: vec![None; audit.items.len()],
        desired: vec![None; audit.items.len()],
        management: vec![None; audit.items.len()],
        importance: vec![None; audit.dimensions.len()],
        headers: Vec::new(),
    };
    let mut item_patterns: Vec<&str> = Vec::new();
    let mut required: Vec<(&str, &Vec<Option<usize>>)> = Vec::new();
    match kind {
        SurveyKind::Customers => {
            layout.expected = per_item(&p.expected);
            layout.perceived = per_item(&p.perceived);
            layout.adequate = per_item(&p.adequate);
            layout.desired = per_item(&p.desired);
            layout.importance = audit
                .dimensions
                .iter()
                .map(|d| position(&column_name(&p.importance, &d.id)))
                .collect();
            item_patterns.extend([
                p.expected.as_str(),
                p.perceived.as_str(),
                p.adequate.as_str(),
                p.desired.as_str(),
            ]);
            // A file with P columns and not one E column is a perception-only (SERVPERF)
            // survey (docs/formulas.md#servperf): its E columns are not required.
            let perception_only = layout.expected.iter().all(Option::is_none)
                && layout.perceived.iter().any(Option::is_some);
            if !perception_only {
                required.push((p.expected.as_str(), &layout.expected));
            }
            required.push((p.perceived.as_str(), &layout.perceived));
        }
        SurveyKind::Management => {
            layout.management = per_item(&p.management);
            item_patterns.push(p.management.as_str());
            required.push((p.management.as_str(), &layout.management));
        }
    }
    for (pattern, columns) in &required {
        // No column of the pattern at all: one problem, not one per item (the usual
        // cause is a wrong delimiter or column naming, not 22 missing columns).
        if !columns.is_empty() && columns.iter().all(Option::is_none) {
            let mut shown: Vec<&str> = headers.iter().take(8).map(String::as_str).collect();
            if headers.len() > shown.len() {
                shown.push("…");
            }
            problems.push(
                Problem::new(format!("no column for any item (pattern `{pattern}`)"))
                    .file(path)
                    .line(1)
                    .found(shown.join(", "))
                    .expected(format!(
                        "columns such as {} (set sources.{}.patterns if your columns are named otherwise, or delimiter: if the header is not split)",
                        column_name(pattern, &audit.items[0].id),
                        kind.source_name()
                    )),
            );
            continue;
        }
        for (it, col) in audit.items.iter().zip(columns.iter()) {
            if col.is_none() {
                problems.push(
                    Problem::new("column not found")
                        .file(path)
                        .line(1)
                        .found(column_name(pattern, &it.id))
                        .expected(format!(
                            "a column for item {} (pattern `{pattern}`; set sources.{}.patterns if your columns are named otherwise)",
                            it.id,
                            kind.source_name()
                        )),
                );
            }
        }
    }
    if kind == SurveyKind::Customers && audit.weights == Weights::Survey {
        for (d, col) in audit.dimensions.iter().zip(&layout.importance) {
            if col.is_none() {
                problems.push(
                    Problem::new("column not found")
                        .file(path)
                        .line(1)
                        .found(column_name(&p.importance, &d.id))
                        .expected("importance points per dimension, because the audit has `weights: survey`"),
                );
            }
        }
    }
    // A column shaped like a pattern but naming no item is almost always a typo.
    for (i, h) in headers.iter().enumerate() {
        for pattern in &item_patterns {
            let Some(id) = pattern_match(pattern, "{item}", h) else {
                continue;
            };
            if audit.item_index(id).is_none() {
                let hint = nearest(id, audit.items.iter().map(|it| it.id.as_str()));
                problems.push(
                    Problem::new("column names no item of the audit")
                        .file(path)
                        .at(1, i as u64 + 1)
                        .found(h.clone())
                        .expected(match hint {
                            Some(hint) => format!(
                                "an item id after the prefix (did you mean {}?)",
                                column_name(pattern, &hint)
                            ),
                            None => {
                                "an item id of the audit after the prefix (or rename the column)"
                                    .into()
                            }
                        }),
                );
            }
        }
    }
    Problems::check(problems)?;
    layout.headers = headers;
    Ok(layout)
}

/// If `header` has the shape of `pattern` (text around `placeholder`), the part in the
/// placeholder's place. Patterns without fixed text match nothing.
fn pattern_match<'h>(pattern: &str, placeholder: &str, header: &'h str) -> Option<&'h str> {
    let (prefix, suffix) = pattern.split_once(placeholder)?;
    if prefix.is_empty() && suffix.is_empty() {
        return None;
    }
    let rest = header.strip_prefix(prefix)?.strip_suffix(suffix)?;
    // Item ids are plain words; `E_mail address` is not an item column.
    (!rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-'))
    .then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_match_finds_the_id() {
        assert_eq!(pattern_match("E_{item}", "{item}", "E_T1"), Some("T1"));
        assert_eq!(pattern_match("{item}_exp", "{item}", "R3_exp"), Some("R3"));
        assert_eq!(pattern_match("E_{item}", "{item}", "P_T1"), None);
        assert_eq!(pattern_match("{item}", "{item}", "anything"), None);
        assert_eq!(pattern_match("E_{item}", "{item}", "E_mail address"), None);
    }
}
