//! The mystery-shopper visits CSV: one row per visit, one column per form question.
//!
//! Like the survey reader it streams: each row is parsed into a reused buffer of
//! normalised answers (0..1, `None` for not applicable) and handed to the caller. Blank
//! rows are skipped and counted; a row repeating an earlier visit id is counted once when
//! it repeats that row exactly, and a problem when its cells differ (all periods: a visit
//! id names one visit).
//!
//! Repeats are rare, and telling a repeat from a conflict costs a digest of every row and
//! a table probe. So the file is first read keeping only each id's hash; only when an id
//! came back is it read again, with the full check per row, after telling the caller to
//! start its sums again ([`VisitSink::restart`]).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use csv::ByteRecord;

use super::answers::{is_missing_marker, parse_number_cell, trim, Answer};
use super::repeats::{id_of, IdHasher, RowRepeats, SeenIds};
use super::stream::{
    duplicate_columns, next_filled_row, open_source_csv, repeat_note, settle_row, InvalidRows,
    OpenedCsv, RowCounts, RowNotes,
};
use super::text::TextOptions;
use crate::definition::form::{Form, QuestionType};
use crate::definition::ShopperSource;
use crate::problem::{Problem, Problems};
use crate::provenance::FileDigest;
use crate::yaml::nearest;

/// One visit, its answers normalised to 0..1 per form question (`None` = not applicable).
#[derive(Debug)]
pub struct Visit<'a> {
    /// Line of the row in the file (the header is line 1).
    pub line: u64,
    /// Visit id (empty if the file has no id column).
    pub id: &'a str,
    /// Who made the visit.
    pub shopper: &'a str,
    /// Where.
    pub site: &'a str,
    /// When, as written (empty if the file has no date column).
    pub date: &'a str,
    /// Whether the file has a date column (the period's rows are chosen by it).
    pub dated: bool,
    /// Normalised answer per question of the form, in form order.
    pub answers: &'a [Option<f64>],
}

/// What reading the visits file found out.
#[derive(Debug, Clone)]
pub struct VisitsRead {
    /// Data rows read.
    pub rows: u64,
    /// The rows counted by the reader: `rows`, `blank`, `duplicate` and `skipped` (the
    /// period is the caller's).
    pub counts: RowCounts,
    /// Provenance of the file.
    pub digest: FileDigest,
    /// Warnings about rows: repeated exactly, or left out (`--skip-invalid`).
    pub notes: RowNotes,
    /// Whether the file has a visit id column (without one, repeats are not detected).
    pub has_id: bool,
    /// The encoding, when it was detected from the file's text rather than declared.
    pub detected_encoding: Option<&'static encoding_rs::Encoding>,
}

/// The most row problems listed before the rest are only counted.
const MAX_LISTED: usize = 50;

/// What takes the visits of a file from [`read_visits`].
pub trait VisitSink {
    /// Takes one valid visit.
    fn visit(&mut self, visit: &Visit);
    /// Forgets every visit taken so far: the file is read again from its first row.
    fn restart(&mut self);
}

/// How one pass over the visits looks for repeated ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checking {
    /// Collects the hash of each valid row's id; whether one came back is known at the
    /// end of the file.
    Hashes,
    /// Checks each valid row against the rows before it: a repeat or a conflict.
    Rows,
}

/// Reads the visits file of `source`, scored on `form`, handing `sink` every valid row
/// (blank rows and exact repeats left out); `invalid` says whether an invalid row stops
/// the reading or is left out. When an id comes back the file is read twice, and `sink`
/// is told to start again before the second reading.
///
/// Every problem is collected; if there were any the result is an error and the caller
/// must discard what it accumulated.
pub fn read_visits(
    source: &ShopperSource,
    form: &Form,
    invalid: InvalidRows,
    sink: &mut impl VisitSink,
) -> Result<VisitsRead, Problems> {
    match read_pass(source, form, invalid, Checking::Hashes, sink) {
        Pass {
            came_back: true, ..
        } => {
            // The first reading handed the repeats on: they are told apart this time.
            sink.restart();
            read_pass(source, form, invalid, Checking::Rows, sink).read
        }
        Pass { read, .. } => read,
    }
}

/// What one reading of the visits gave.
struct Pass {
    read: Result<VisitsRead, Problems>,
    /// Whether a valid row's id was the id of an earlier one ([`Checking::Hashes`]).
    came_back: bool,
}

/// One reading of the visits file, from its first row, as [`read_visits`] describes it.
fn read_pass(
    source: &ShopperSource,
    form: &Form,
    invalid: InvalidRows,
    checking: Checking,
    sink: &mut impl VisitSink,
) -> Pass {
    let mut ids = None;
    let read = read_rows(source, form, invalid, checking, &mut ids, sink);
    let came_back = ids.is_some_and(|seen| seen.any_repeated());
    Pass { read, came_back }
}

/// The rows of one reading; with [`Checking::Hashes`], `ids` is left holding the hashes.
fn read_rows(
    source: &ShopperSource,
    form: &Form,
    invalid: InvalidRows,
    checking: Checking,
    ids: &mut Option<SeenIds>,
    sink: &mut impl VisitSink,
) -> Result<VisitsRead, Problems> {
    let path = source.file.as_path();
    let options = TextOptions {
        encoding: source.encoding.clone(),
        delimiter: source.delimiter,
    };
    let OpenedCsv {
        mut reader,
        headers,
        hasher,
        format,
    } = open_source_csv(path, &options)?;
    let layout = resolve_layout(source, form, path, &headers)?;

    let mut answers: Vec<Option<f64>> = vec![None; form.questions.len()];
    let mut problems = Vec::new();
    let mut extra_problems = 0usize;
    let mut record = ByteRecord::new();
    let mut counts = RowCounts::default();
    let mut notes = RowNotes::default();
    let (mut repeats, hasher_of_ids) = match checking {
        Checking::Rows => (RowRepeats::of(layout.id), None),
        Checking::Hashes => (None, layout.id.map(|_| IdHasher::default())),
    };
    if hasher_of_ids.is_some() {
        *ids = Some(SeenIds::default());
    }
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
        for (q, question) in form.questions.iter().enumerate() {
            let c = layout.questions[q];
            let raw = record.get(c).unwrap_or_default();
            match parse_answer(question.kind, raw) {
                Ok(a) => answers[q] = a,
                Err(expected) => {
                    answers[q] = None;
                    problems.push(
                        Problem::new(match question.kind {
                            QuestionType::YesNo => "not a yes/no answer",
                            QuestionType::Scale { .. } => "not an answer on the question's scale",
                        })
                        .file(path)
                        .at(line, c as u64 + 1)
                        .field(headers[c].clone())
                        .found(String::from_utf8_lossy(raw).into_owned())
                        .expected(expected),
                    );
                }
            }
        }
        let text = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .and_then(|b| std::str::from_utf8(trim(b)).ok())
                .unwrap_or("")
        };
        let (site, shopper) = (text(layout.site), text(layout.shopper));
        // An answer that did not parse is a problem already: not also "no answer".
        let answered = problems.len() > before || answers.iter().any(Option::is_some);
        for (column, problem) in visit_gaps(site, shopper, answered) {
            problems.push(match column {
                Some(column) => {
                    let c = match column {
                        VisitColumn::Site => layout.site,
                        VisitColumn::Shopper => layout.shopper,
                    }
                    .unwrap_or(0);
                    problem
                        .file(path)
                        .at(line, c as u64 + 1)
                        .field(headers.get(c).cloned().unwrap_or_default())
                }
                None => problem.file(path).line(line),
            });
        }
        if let (true, Some(seen), Some(hasher)) =
            (problems.len() == before, ids.as_mut(), &hasher_of_ids)
        {
            // The rows `RowRepeats` would compare.
            if let Some(id) = layout.id.and_then(|c| record.get(c)).and_then(id_of) {
                seen.push(hasher.hash_bytes(id));
            }
        }
        if let (true, Some(repeats)) = (problems.len() == before, repeats.as_mut()) {
            match repeats.check(&record, line, path, &headers) {
                Ok(None) => {}
                Ok(Some(first)) => {
                    counts.duplicate += 1;
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
        sink.visit(&Visit {
            line,
            id: text(layout.id),
            shopper,
            site,
            date: text(layout.date),
            dated: layout.date.is_some(),
            answers: &answers,
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
    Ok(VisitsRead {
        rows: counts.rows,
        counts,
        digest: FileDigest::hashed("shoppers", source.file_as_written.clone(), hasher.hex()),
        notes,
        has_id: layout.id.is_some(),
        detected_encoding: format.detected.then_some(format.encoding),
    })
}

/// The column of a visit that a problem of [`visit_gaps`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VisitColumn {
    /// The site.
    Site,
    /// The shopper.
    Shopper,
}

/// What every visit needs besides valid answers, as the report reads it and the import
/// checks each row it adds: a site, a shopper (neither empty once trimmed) and, with both,
/// an answered question. Each problem, not yet placed, comes with its column (`None`: the
/// row as a whole).
pub(crate) fn visit_gaps(
    site: &str,
    shopper: &str,
    answered: bool,
) -> Vec<(Option<VisitColumn>, Problem)> {
    let mut gaps = Vec::new();
    for (column, what, name) in [
        (VisitColumn::Site, "site", site),
        (VisitColumn::Shopper, "shopper", shopper),
    ] {
        if trim(name.as_bytes()).is_empty() {
            gaps.push((
                Some(column),
                Problem::new(format!("a visit without a {what}"))
                    .found("")
                    .expected(format!("the {what} of every visit")),
            ));
        }
    }
    if gaps.is_empty() && !answered {
        gaps.push((
            None,
            Problem::new("a visit with no answered question")
                .expected("at least one answer; leave out visits that did not take place"),
        ));
    }
    gaps
}

/// Parses one answer of a question of type `kind` into its normalised score (0..1),
/// `None` for not applicable; the error is what was expected.
pub fn parse_answer(kind: QuestionType, cell: &[u8]) -> Result<Option<f64>, String> {
    let cell = trim(cell);
    match kind {
        QuestionType::YesNo => {
            // Compared without case rather than lowercased: no allocation per cell. The
            // answers and the missing markers are disjoint, so the commonest cells (yes,
            // no, as written by most tools) are tried first.
            match cell {
                b"yes" => return Ok(Some(1.0)),
                b"no" => return Ok(Some(0.0)),
                _ => {}
            }
            let is = |word: &str| cell.eq_ignore_ascii_case(word.as_bytes());
            if is("yes") || is("y") || is("1") || is("是") {
                Ok(Some(1.0))
            } else if is("no") || is("n") || is("0") || is("否") {
                Ok(Some(0.0))
            } else if cell.is_empty() || is_missing_marker(cell) {
                Ok(None)
            } else {
                Err(
                    "yes or no (yes/no, y/n, 1/0, 是/否), or empty or N/A when not applicable"
                        .into(),
                )
            }
        }
        // Empty cells and missing markers come back as `Missing`.
        QuestionType::Scale { min, max } => match parse_number_cell(cell) {
            Some(Answer::Missing) => Ok(None),
            Some(Answer::Number(x)) if x >= min && x <= max => Ok(Some((x - min) / (max - min))),
            _ => Err(format!(
                "a number from {min} to {max}, or empty or N/A when not applicable"
            )),
        },
    }
}

/// Column positions of the visits file.
#[derive(Debug)]
struct Layout {
    id: Option<usize>,
    shopper: Option<usize>,
    site: Option<usize>,
    date: Option<usize>,
    questions: Vec<usize>,
}

/// Finds the columns, reporting missing question columns and columns that look like
/// misspelt question ids.
fn resolve_layout(
    source: &ShopperSource,
    form: &Form,
    path: &Path,
    headers: &[String],
) -> Result<Layout, Problems> {
    let mut problems = Vec::new();
    // Looked up by name, not searched: a header of 10,000 columns stays fast.
    let mut columns: HashMap<&str, usize> = HashMap::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate().rev() {
        columns.insert(h.as_str(), i);
    }
    let position = |name: &str| columns.get(name).copied();
    problems.extend(duplicate_columns(path, headers));
    let mut required = |name: &str, key: &str| {
        let found = position(name);
        if found.is_none() {
            problems.push(
                Problem::new("column not found")
                    .file(path)
                    .line(1)
                    .found(name.to_string())
                    .expected(format!(
                        "a {key} column (set sources.shoppers.columns.{key} if it is named otherwise)"
                    )),
            );
        }
        found
    };
    let shopper = required(&source.shopper_column, "shopper");
    let site = required(&source.site_column, "site");
    let mut questions = Vec::with_capacity(form.questions.len());
    for q in &form.questions {
        match position(&q.id) {
            Some(c) => questions.push(c),
            None => problems.push(
                Problem::new("column not found")
                    .file(path)
                    .line(1)
                    .found(q.id.clone())
                    .expected(format!(
                        "a column for question {} of form {}",
                        q.id, form.name
                    )),
            ),
        }
    }
    let known = [
        source.id_column.as_str(),
        source.shopper_column.as_str(),
        source.site_column.as_str(),
        source.date_column.as_str(),
    ];
    // Other columns (notes, store manager, ...) are allowed, but one that is nearly a
    // question id is almost always a typo that would silently drop the question. The
    // comparison costs columns × questions, so it is left out past a million of them.
    let question_ids: HashSet<&str> = form.questions.iter().map(|q| q.id.as_str()).collect();
    let others: Vec<(usize, &String)> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !known.contains(&h.as_str()) && !question_ids.contains(h.as_str()))
        .collect();
    let affordable = others.len().saturating_mul(form.questions.len()) <= 1_000_000;
    for (i, h) in others.into_iter().filter(|_| affordable) {
        if let Some(hint) = nearest(h, form.questions.iter().map(|q| q.id.as_str())) {
            problems.push(
                Problem::new("column names no question of the form")
                    .file(path)
                    .at(1, i as u64 + 1)
                    .found(h.clone())
                    .expected(format!(
                        "a question id of form {} (did you mean {hint}?)",
                        form.name
                    )),
            );
        }
    }
    Problems::check(problems)?;
    Ok(Layout {
        id: position(&source.id_column),
        shopper,
        site,
        date: position(&source.date_column),
        questions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_no_words_in_both_languages() {
        for yes in ["yes", "YES", "Y", "y", "1", " 是 "] {
            assert_eq!(
                parse_answer(QuestionType::YesNo, yes.as_bytes()),
                Ok(Some(1.0)),
                "{yes}"
            );
        }
        for no in ["no", "No", "N", "0", "否"] {
            assert_eq!(
                parse_answer(QuestionType::YesNo, no.as_bytes()),
                Ok(Some(0.0)),
                "{no}"
            );
        }
        for na in ["", "  ", "N/A", "na", "NA"] {
            assert_eq!(
                parse_answer(QuestionType::YesNo, na.as_bytes()),
                Ok(None),
                "{na}"
            );
        }
        assert!(parse_answer(QuestionType::YesNo, b"maybe").is_err());
        assert!(parse_answer(QuestionType::YesNo, b"2").is_err());
    }

    #[test]
    fn scale_answers_are_normalised_on_the_question_scale() {
        let k = QuestionType::Scale { min: 1.0, max: 5.0 };
        // (4 - 1) / (5 - 1) = 0.75; the ends map to 0 and 1.
        assert_eq!(parse_answer(k, b"4"), Ok(Some(0.75)));
        assert_eq!(parse_answer(k, b"1"), Ok(Some(0.0)));
        assert_eq!(parse_answer(k, b"5"), Ok(Some(1.0)));
        assert_eq!(parse_answer(k, b"n/a"), Ok(None));
        let err = parse_answer(k, b"6").unwrap_err();
        assert!(err.contains("from 1 to 5"), "{err}");
        assert!(parse_answer(k, b"0").is_err());
        assert!(parse_answer(k, b"yes").is_err());
    }
}
