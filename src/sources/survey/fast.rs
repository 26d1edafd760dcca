//! The survey's side of chunked reading: each worker reads the rows of its chunk into
//! [`Respondent`]s and adds them to its own [`SurveySums`]: the exact, order-free part
//! straight away, the rest (sums of fractions) logged per row. The reading thread merges
//! the exact parts and replays the logs in file order, so the result is the sequential
//! one bit for bit.
//!
//! Exact means whole numbers: sums of whole numbers below 2^53 are exact in f64 whatever
//! the order. A chunk with any other value (`4.5`, `12.5` points) refuses, and the file
//! is read sequentially. So does a row that would be a problem, so that every problem is
//! reported with its place.
//!
//! A worker checks every cell exactly as the sequential reader does ([`answer_value`],
//! [`check_importance`]); a row that would be a problem refuses the chunk, and the file
//! is then read sequentially so that every problem is reported with its place.

use std::path::Path;

use super::super::answers::trim;
use super::super::chunked::{ChunkParser, Fields};
use super::{answer_value, check_importance, Layout, Respondent, SurveySums};
use crate::definition::{Audit, Scale};
use crate::problem::Problem;

/// The largest answer summed in parts: squares and sums stay exact for billions of rows.
const MAX_EXACT: f64 = 1000.0;

/// The arrays of a [`Respondent`], in the order of [`RowParser::targets`].
const TARGETS: usize = 6;
/// Index of the importance array among the targets (the others are per item).
const IMPORTANCE: usize = 5;

/// One answer column of the file: where its value goes in a row and how it is read.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Position in the row.
    offset: usize,
    reverse: bool,
    points: bool,
    /// The value of each one-digit cell `0`..`9` (`None`: a problem), worked out once
    /// with [`answer_value`] so the commonest cells cost a table look-up.
    digits: [Option<Option<f64>>; 10],
}

/// What a column of the file is used for.
#[derive(Debug, Clone, Copy, Default)]
struct Action {
    /// How to read it, if an answer column.
    slot: Option<Slot>,
    /// Bit `j` set: the column is text field `j` (id, site, region, segment).
    texts: u8,
}

/// Whether an answer can be summed in parts: missing, or a whole number up to [`MAX_EXACT`].
fn exact(value: &Option<f64>) -> bool {
    value.is_none_or(|x| x.fract() == 0.0 && x.abs() <= MAX_EXACT)
}

/// Reads records into [`Respondent`]s and adds them to per-chunk sums; one per worker.
#[derive(Clone)]
pub(super) struct RowParser<'a, S> {
    /// Per column of the file.
    actions: Vec<Action>,
    /// Start of each [`Respondent`] array in a row, if the file has any of its columns.
    targets: [Option<usize>; TARGETS],
    n_items: usize,
    n_dims: usize,
    scale: Scale,
    layout: &'a Layout,
    path: &'a Path,
    problems: Vec<Problem>,
    /// The row being read, laid out as `targets` says.
    row: Vec<Option<f64>>,
    /// Stands in for the arrays of a file without any of their columns.
    none: Vec<Option<f64>>,
    /// Empty sums, cloned for every chunk.
    empty: &'a S,
}

impl<'a, S: SurveySums> RowParser<'a, S> {
    /// The parser for `layout`'s columns (plus `extra`, the segment column) into `empty`.
    pub(super) fn new(
        audit: &Audit,
        layout: &'a Layout,
        extra: Option<usize>,
        path: &'a Path,
        empty: &'a S,
    ) -> Self {
        let n_items = audit.items.len();
        let n_dims = audit.dimensions.len();
        let columns: [&[Option<usize>]; TARGETS] = [
            &layout.expected,
            &layout.perceived,
            &layout.adequate,
            &layout.desired,
            &layout.management,
            &layout.importance,
        ];
        let mut targets = [None; TARGETS];
        let mut width = 0;
        for (t, cols) in columns.iter().enumerate() {
            if cols.iter().any(Option::is_some) {
                targets[t] = Some(width);
                width += if t == IMPORTANCE { n_dims } else { n_items };
            }
        }
        let mut actions = vec![Action::default(); layout.headers.len()];
        for (t, cols) in columns.iter().enumerate() {
            for (i, col) in cols.iter().enumerate() {
                let (Some(c), Some(start)) = (*col, targets[t]) else {
                    continue;
                };
                let points = t == IMPORTANCE;
                let reverse = !points && audit.items.get(i).is_some_and(|it| it.reverse);
                let digits = std::array::from_fn(|d| {
                    answer_value(&[b'0' + d as u8], audit.scale, reverse, points)
                        .ok()
                        .filter(exact)
                });
                if let Some(action) = actions.get_mut(c) {
                    action.slot = Some(Slot {
                        offset: start + i,
                        reverse,
                        points,
                        digits,
                    });
                }
            }
        }
        let texts = [layout.id, layout.site, layout.region, extra];
        for (j, col) in texts.iter().enumerate() {
            if let Some(action) = col.and_then(|c| actions.get_mut(c)) {
                action.texts |= 1 << j;
            }
        }
        RowParser {
            actions,
            targets,
            n_items,
            n_dims,
            scale: audit.scale,
            layout,
            path,
            problems: Vec::new(),
            row: vec![None; width],
            none: vec![None; n_items.max(n_dims)],
            empty,
        }
    }
}

impl<S: SurveySums> ChunkParser for RowParser<'_, S> {
    type Out = (S, S::Log);

    fn start(&mut self) -> Self::Out {
        (self.empty.clone(), S::Log::default())
    }

    fn record(&mut self, fields: &Fields, _line: u64, out: &mut Self::Out) -> bool {
        let (actions, scale) = (&self.actions, self.scale);
        let row = &mut self.row;
        let mut ok = true;
        let mut texts: [&[u8]; 4] = [&[]; 4];
        let mut count = 0;
        for (column, raw) in fields.iter().enumerate() {
            count = column + 1;
            let Some(action) = actions.get(column) else {
                continue;
            };
            if let Some(slot) = &action.slot {
                let value = match raw {
                    [] => Some(None),
                    [d @ b'0'..=b'9'] => slot.digits[usize::from(d - b'0')],
                    _ => answer_value(raw, scale, slot.reverse, slot.points)
                        .ok()
                        .filter(exact),
                };
                match (value, row.get_mut(slot.offset)) {
                    (Some(v), Some(cell)) => *cell = v,
                    _ => ok = false,
                }
            }
            if action.texts != 0 {
                for (j, text) in texts.iter_mut().enumerate() {
                    if action.texts & (1 << j) != 0 {
                        *text = raw;
                    }
                }
            }
        }
        let right = count == fields.expected();
        if !right || !ok {
            return false;
        }
        let array = |t: usize| {
            let len = if t == IMPORTANCE {
                self.n_dims
            } else {
                self.n_items
            };
            match self.targets[t] {
                Some(start) => self.row.get(start..start + len).unwrap_or_default(),
                None => self.none.get(..len).unwrap_or_default(),
            }
        };
        if self.targets[IMPORTANCE].is_some() {
            // Only whether there is a problem matters; its place is found sequentially.
            check_importance(
                array(IMPORTANCE),
                self.layout,
                self.path,
                0,
                &mut self.problems,
            );
            if !self.problems.is_empty() {
                self.problems.clear();
                return false;
            }
        }
        let text = |j: usize| std::str::from_utf8(trim(texts[j])).unwrap_or("");
        let respondent = Respondent {
            // Lines are counted per chunk; sums do not use them (see `SurveySums`).
            line: 0,
            id: text(0),
            site: text(1),
            region: text(2),
            expected: array(0),
            perceived: array(1),
            adequate: array(2),
            desired: array(3),
            management: array(4),
            importance: array(IMPORTANCE),
            extra: text(3),
        };
        out.0.add_part(&respondent, &mut out.1);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::chunked::{self, Tuning};
    use super::super::{open_survey, read_survey_into, SurveyKind};
    use super::*;
    use crate::analysis::customers::CustomerAccumulator;
    use crate::analysis::segments::SegmentAccumulators;

    /// An audit over `csv` (written to a new directory) with `weights: survey`.
    fn audit(csv: &str) -> (tempfile::TempDir, Audit) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.csv"), csv).unwrap();
        let path = dir.path().join("audit.yaml");
        let yaml = "audit: {id: t, title: T, period: {start: 2026-01-01, end: 2026-03-31}}\n\
                    instrument: servqual-22\nweights: survey\nscale: {min: 1, max: 7}\n\
                    sources:\n  customers: {file: c.csv}\n";
        let audit = crate::definition::load_str(&path, yaml).unwrap();
        (dir, audit)
    }

    /// A sample survey with 10% missing answers and importance points.
    fn sample(n: usize) -> String {
        let instrument = crate::builtin::instrument("servqual-22").unwrap();
        let dims: Vec<String> = crate::definition::DEFAULT_DIMENSIONS
            .iter()
            .map(|d| d.0.to_string())
            .collect();
        let items: Vec<(String, usize)> = instrument
            .items
            .iter()
            .map(|it| {
                let d = dims.iter().position(|d| *d == it.dimension).unwrap();
                (it.id.clone(), d)
            })
            .collect();
        let spec = crate::sample::CustomerSample {
            respondents: n,
            sites: vec!["A".into(), "B".into(), "C".into()],
            missing: 0.1,
            min: 1,
            max: 7,
            seed: 3,
            importance: true,
            date: "2026-01-01".into(),
        };
        let mut out = Vec::new();
        crate::sample::write_customers(&mut out, &items, &dims, &spec).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn tuning(threads: usize, chunk_len: usize) -> Tuning {
        Tuning { threads, chunk_len }
    }

    /// Every sum of `acc`, as Debug shows f64: to the last bit.
    fn sums_of(acc: &CustomerAccumulator) -> String {
        format!(
            "{} {:?} {:?} {:?}",
            acc.respondents, acc.items, acc.dimensions, acc.weighted_per_respondent
        )
    }

    /// Sums that can be shown to the last bit.
    trait Shown {
        fn shown(&self) -> String;
    }

    impl Shown for CustomerAccumulator {
        fn shown(&self) -> String {
            sums_of(self)
        }
    }

    impl Shown for SegmentAccumulators {
        fn shown(&self) -> String {
            let segments = self.segments.iter();
            segments
                .map(|(k, a)| format!("{k}: {}\n", sums_of(a)))
                .collect()
        }
    }

    /// The sums, rows and digest of the survey read with `tuning`.
    fn read<S: SurveySums + Shown>(
        audit: &Audit,
        by: Option<&str>,
        tuning: Tuning,
        mut sums: S,
    ) -> (String, u64, String) {
        let source = audit.customers.as_ref().unwrap();
        let read =
            read_survey_into(audit, source, SurveyKind::Customers, by, tuning, &mut sums).unwrap();
        (sums.shown(), read.rows, read.digest.sha256)
    }

    /// Whether the chunked reader takes the whole file (rather than giving up).
    fn read_in_full(audit: &Audit, tuning: Tuning) -> bool {
        let source = audit.customers.as_ref().unwrap();
        let opened = open_survey(audit, source, SurveyKind::Customers, None).unwrap();
        let plan = chunked::plan(
            &source.file,
            opened.format.delimiter,
            &opened.layout.headers,
            1,
            opened.format.bom,
            tuning,
        )
        .unwrap();
        let empty = CustomerAccumulator::new(audit);
        let parser = RowParser::new(audit, &opened.layout, None, &source.file, &empty);
        chunked::run(&plan, &parser, |_, _| true).is_some()
    }

    #[test]
    fn chunks_sum_to_the_sequential_bits() {
        let (_dir, audit) = audit(&sample(700));
        let acc = || CustomerAccumulator::new(&audit);
        let sequential = read(&audit, None, tuning(0, 1), acc());
        assert_eq!(sequential.1, 700);
        for chunk_len in [1, 100, 1000, 1 << 20] {
            assert!(read_in_full(&audit, tuning(2, chunk_len)), "{chunk_len}");
            let chunked = read(&audit, None, tuning(2, chunk_len), acc());
            assert_eq!(chunked, sequential, "chunks of {chunk_len}");
        }
        // Segments too, each in file order.
        let segments = || SegmentAccumulators::new(&audit, "site");
        let sequential = read(&audit, Some("site"), tuning(0, 1), segments());
        for chunk_len in [50, 4096] {
            let chunked = read(&audit, Some("site"), tuning(2, chunk_len), segments());
            assert_eq!(chunked, sequential, "segments, chunks of {chunk_len}");
        }
    }

    #[test]
    fn fractions_are_read_sequentially_with_the_same_result() {
        // `4,5` (decimal comma, quoted) is not a whole number: the chunked reader gives up
        // and the sequential reader sums the file.
        let csv = sample(40);
        let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
        let mut fields: Vec<&str> = lines[30].split(',').collect();
        fields[3] = "\"4,5\"";
        lines[30] = fields.join(",");
        let (_dir, audit) = audit(&lines.join("\n"));
        assert!(!read_in_full(&audit, tuning(2, 64)));
        let acc = || CustomerAccumulator::new(&audit);
        let chunked = read(&audit, None, tuning(2, 64), acc());
        assert_eq!(chunked, read(&audit, None, tuning(0, 1), acc()));
        // The first item's E sum has a half in it.
        let first_item = &chunked.0[..chunked.0.find("perceived").unwrap()];
        assert!(first_item.starts_with("40 "), "{first_item}");
        assert!(first_item.contains(".5, sum_sq"), "{first_item}");
    }
}
