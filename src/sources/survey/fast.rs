//! The survey's side of chunked reading: each worker reads the rows of its chunk into
//! [`WholeRespondent`]s and adds them to its chunk's sums (see [`SurveySums`]); the
//! reading thread merges the chunks in file order, so the result is the sequential one
//! bit for bit.
//!
//! Only whole numbers are taken: their sums are exact in any order, below 2^53. A chunk
//! with any other value (`4.5`, `12.5` points) refuses, and the file is read
//! sequentially. So does a row that would be a problem, so that every problem is
//! reported with its place. A worker checks every cell as the sequential reader does
//! ([`answer_value`], and the importance rule of [`points_problem`]).

use super::super::answers::trim;
use super::super::chunked::{ChunkParser, Fields};
use super::{
    answer_value, points_problem, Answers, ChunkSums, Layout, SurveySums, WholeCell,
    WholeRespondent,
};
use crate::definition::{Audit, Scale};

/// The largest answer summed as a whole number (scales up to 0-100, and importance
/// points). Every sum must stay below 2^53, where floats hold whole numbers exactly, or
/// the float sums of the sequential reader would round: the largest is the sum of squares
/// of a dimension's total gap, at most (k·100)² per row, which for 22 items in one
/// dimension allows 1.8·10^9 rows, and on a 1-7 scale (gaps up to 6) 5·10^11.
const MAX_WHOLE: f64 = 100.0;

/// The answer arrays of a [`WholeRespondent`], in the order of [`RowParser::targets`].
const TARGETS: usize = super::KINDS;
/// Index of the importance array among the targets (the others are per item).
const IMPORTANCE: usize = 5;

/// How a worker reads one column of the file.
#[derive(Debug, Clone, Copy)]
struct Column {
    /// Where its answer goes in the row; [`NO_ANSWER`] if the column holds none.
    offset: u32,
    reverse: bool,
    points: bool,
    /// The cell for each [`class`] of a short field: the digits `0`..`9`, then an
    /// empty field, then anything else ([`SLOW`]). Worked out once with [`answer_value`],
    /// so the commonest fields cost a table look-up; a digit that would be a problem, or
    /// is not whole, is [`SLOW`] too.
    quick: [WholeCell; CLASSES],
}

/// [`Column::offset`] of a column that holds no answer.
const NO_ANSWER: u32 = u32::MAX;

/// The number of [`class`]es.
const CLASSES: usize = 12;
/// The class of an empty field.
const EMPTY: usize = 10;
/// Marks a field that only [`Column::read`] can read (`answered` is never -1 otherwise).
const SLOW: WholeCell = WholeCell {
    value: 0,
    answered: -1,
};

/// The class of a field for [`Column::quick`]: its digit, [`EMPTY`], or 11 for the rest.
#[inline]
fn class(field: &[u8]) -> usize {
    match field {
        [] => EMPTY,
        [d @ b'0'..=b'9'] => usize::from(d - b'0'),
        _ => CLASSES - 1,
    }
}

impl Column {
    /// Reads a field that is not quick: rare, so kept out of the hot loop.
    #[cold]
    #[inline(never)]
    fn read(&self, raw: &[u8], scale: Scale) -> Option<WholeCell> {
        answer_value(raw, scale, self.reverse, self.points)
            .ok()
            .and_then(whole)
    }
}

/// An answer as a worker keeps it, if it is whole: unanswered, or a whole number up to
/// [`MAX_WHOLE`] (not `-0`, whose sign a sum of floats could keep).
fn whole(value: Option<f64>) -> Option<WholeCell> {
    match value {
        None => Some(WholeCell::UNANSWERED),
        Some(x) => {
            let value = x as i32;
            let exact = f64::from(value).to_bits() == x.to_bits() && x.abs() <= MAX_WHOLE;
            exact.then_some(WholeCell { value, answered: 1 })
        }
    }
}

/// Reads records into [`WholeRespondent`]s and adds them to per-chunk sums; one per worker.
#[derive(Clone)]
pub(super) struct RowParser<'a, S> {
    /// Per column of the file.
    columns: Vec<Column>,
    /// The segment column, if any.
    extra: Option<usize>,
    /// Start of each answer array in a row, if the file has any of its columns.
    targets: [Option<usize>; TARGETS],
    n_items: usize,
    n_dims: usize,
    scale: Scale,
    /// The row being read, laid out as `targets` says.
    cells: Vec<WholeCell>,
    /// The sums a chunk starts from.
    sums: &'a S,
}

impl<'a, S: SurveySums> RowParser<'a, S> {
    /// The parser for `layout`'s columns (plus `extra`, the segment column) into chunks of
    /// `sums`.
    pub(super) fn new(audit: &Audit, layout: &Layout, extra: Option<usize>, sums: &'a S) -> Self {
        let n_items = audit.items.len();
        let n_dims = audit.dimensions.len();
        let columns_of = layout.columns();
        let mut targets = [None; TARGETS];
        let mut width = 0;
        for (t, present) in layout.kinds().into_iter().enumerate() {
            if present {
                targets[t] = Some(width);
                width += if t == IMPORTANCE { n_dims } else { n_items };
            }
        }
        let unread = Column {
            offset: NO_ANSWER,
            reverse: false,
            points: false,
            quick: [SLOW; CLASSES],
        };
        let mut columns = vec![unread; layout.headers.len()];
        for (t, cols) in columns_of.iter().enumerate() {
            for (i, col) in cols.iter().enumerate() {
                let (Some(c), Some(start)) = (*col, targets[t]) else {
                    continue;
                };
                let points = t == IMPORTANCE;
                let reverse = !points && audit.items.get(i).is_some_and(|it| it.reverse);
                let quick = std::array::from_fn(|class| {
                    let field: &[u8] = match class {
                        EMPTY => b"",
                        d if d < EMPTY => &[b'0' + d as u8],
                        _ => return SLOW,
                    };
                    let value = answer_value(field, audit.scale, reverse, points);
                    value.ok().and_then(whole).unwrap_or(SLOW)
                });
                if let Some(column) = columns.get_mut(c) {
                    *column = Column {
                        offset: u32::try_from(start + i).unwrap_or(NO_ANSWER),
                        reverse,
                        points,
                        quick,
                    };
                }
            }
        }
        RowParser {
            columns,
            extra,
            targets,
            n_items,
            n_dims,
            scale: audit.scale,
            cells: vec![WholeCell::UNANSWERED; width],
            sums,
        }
    }

    /// The answers of target `t` in the row read, if the file has its columns.
    fn answers(&self, t: usize) -> Option<&[WholeCell]> {
        let start = self.targets[t]?;
        let len = if t == IMPORTANCE {
            self.n_dims
        } else {
            self.n_items
        };
        self.cells.get(start..start + len)
    }
}

impl<S: SurveySums> ChunkParser for RowParser<'_, S> {
    type Out = S::Chunk;

    fn start(&mut self) -> Self::Out {
        self.sums.chunk()
    }

    fn record(&mut self, fields: &Fields, _line: u64, out: &mut Self::Out) -> bool {
        let (columns, cells) = (&self.columns, &mut self.cells);
        let (extra_column, scale) = (self.extra, self.scale);
        let mut ok = true;
        let mut extra: &[u8] = &[];
        let count = fields.for_each(|c, raw| {
            if extra_column == Some(c) {
                extra = raw;
            }
            let Some(column) = columns.get(c) else {
                return;
            };
            // NO_ANSWER is past the end of any row: no cell.
            let Some(cell) = cells.get_mut(column.offset as usize) else {
                return;
            };
            let quick = column.quick.get(class(raw)).copied().unwrap_or(SLOW);
            if quick.answered >= 0 {
                *cell = quick;
            } else {
                match column.read(raw, scale) {
                    Some(read) => *cell = read,
                    None => ok = false,
                }
            }
        });
        if count != fields.expected() || !ok {
            return false;
        }
        let importance = self.answers(IMPORTANCE);
        // Only whether there is a problem matters; its place is found sequentially.
        if importance.is_some_and(|points| points_problem(points).is_some()) {
            return false;
        }
        let respondent: WholeRespondent = Answers {
            expected: self.answers(0),
            perceived: self.answers(1),
            adequate: self.answers(2),
            desired: self.answers(3),
            management: self.answers(4),
            importance,
            extra: std::str::from_utf8(trim(extra)).unwrap_or(""),
        };
        out.add(&respondent);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::chunked::{self, Tuning};
    use super::super::{open_survey, read_survey_into, SurveyKind};
    use super::*;
    use crate::analysis::customers::{CustomerAccumulator, ManagementAccumulator};
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
            let segments = self.segments().into_iter();
            segments
                .map(|(k, a)| format!("{k}: {}\n", sums_of(a)))
                .collect()
        }
    }

    impl Shown for ManagementAccumulator {
        fn shown(&self) -> String {
            format!("{self:?}")
        }
    }

    /// The sums, rows and digest of the customer survey read with `tuning`.
    fn read<S: SurveySums + Shown>(
        audit: &Audit,
        by: Option<&str>,
        tuning: Tuning,
        sums: S,
    ) -> (String, u64, String) {
        read_kind(audit, SurveyKind::Customers, by, tuning, sums)
    }

    /// The sums, rows and digest of survey `kind` read with `tuning`.
    fn read_kind<S: SurveySums + Shown>(
        audit: &Audit,
        kind: SurveyKind,
        by: Option<&str>,
        tuning: Tuning,
        mut sums: S,
    ) -> (String, u64, String) {
        let source = match kind {
            SurveyKind::Customers => audit.customers.as_ref(),
            SurveyKind::Management => audit.management.as_ref(),
        };
        let read = read_survey_into(audit, source.unwrap(), kind, by, tuning, &mut sums).unwrap();
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
        let parser = RowParser::new(audit, &opened.layout, None, &empty);
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
    fn zone_reverse_scoring_points_and_management_sum_to_the_sequential_bits() {
        // A 0-10 scale (so `10` takes the slow path and 0 is a value), a reverse-scored
        // item, A and D columns, importance points and 15% unanswered cells, from a
        // fixed pseudo-random sequence.
        let dir = tempfile::tempdir().unwrap();
        let items = ["A1", "A2", "B1", "B2"];
        let mut state = 7u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        // `n` cells of 0 to 10, 15% of them empty, each after a comma.
        fn answers(next: &mut impl FnMut(u64) -> u64, n: usize) -> String {
            let cell = |c: u64| {
                if c < 15 {
                    String::new()
                } else {
                    (c % 11).to_string()
                }
            };
            (0..n).map(|_| format!(",{}", cell(next(100)))).collect()
        }
        let mut customers = String::from("id");
        for kind in ["E", "P", "A", "D"] {
            for it in items {
                customers += &format!(",{kind}_{it}");
            }
        }
        customers += ",W_service,W_place\n";
        let mut management = String::from("id,M_A1,M_A2,M_B1,M_B2\n");
        for r in 0..600 {
            customers += &format!("R{r}{}", answers(&mut next, 16));
            customers += match next(4) {
                0 => ",,\n",
                1 => ",60,40\n",
                2 => ",35,65\n",
                _ => ",100,0\n",
            };
            management += &format!("M{r}{}\n", answers(&mut next, 4));
        }
        let with_points = customers.lines().skip(1).filter(|l| !l.ends_with(",,"));
        let with_points = with_points.count() as u64;
        std::fs::write(dir.path().join("c.csv"), customers).unwrap();
        std::fs::write(dir.path().join("m.csv"), management).unwrap();
        let yaml = "audit: {id: t, title: T, period: {start: 2026-01-01, end: 2026-03-31}}\n\
                    scale: {min: 0, max: 10}\nweights: survey\n\
                    dimensions: [{id: service, label: {en: S}}, {id: place, label: {en: P}}]\n\
                    items:\n\
                    - {id: A1, dimension: service, text: {en: a}}\n\
                    - {id: A2, dimension: service, text: {en: b}}\n\
                    - {id: B1, dimension: place, text: {en: c}}\n\
                    - {id: B2, dimension: place, text: {en: d}, reverse: true}\n\
                    sources:\n  customers: {file: c.csv}\n  management: {file: m.csv}\n";
        let audit = crate::definition::load_str(&dir.path().join("audit.yaml"), yaml).unwrap();
        assert!(audit.items[3].reverse);
        let acc = || CustomerAccumulator::new(&audit);
        let sequential = read(&audit, None, tuning(0, 1), acc());
        assert_eq!(sequential.1, 600);
        for chunk_len in [1, 333, 1 << 20] {
            assert!(read_in_full(&audit, tuning(2, chunk_len)), "{chunk_len}");
            let chunked = read(&audit, None, tuning(2, chunk_len), acc());
            assert_eq!(chunked, sequential, "chunks of {chunk_len}");
        }
        // The zone of tolerance and the points were summed, not left empty.
        let mut sums = CustomerAccumulator::new(&audit);
        let source = audit.customers.as_ref().unwrap();
        read_survey_into(
            &audit,
            source,
            SurveyKind::Customers,
            None,
            tuning(2, 333),
            &mut sums,
        )
        .unwrap();
        assert!(sums.items[3].msa.n > 300 && sums.items[3].desired.n > 300);
        assert_eq!(sums.dimensions[0].importance.n, with_points);
        assert!(with_points > 400 && with_points < 500, "{with_points}");
        let kind = SurveyKind::Management;
        let managers = || ManagementAccumulator::new(&audit);
        let sequential = read_kind(&audit, kind, None, tuning(0, 1), managers());
        for chunk_len in [1, 97, 1 << 20] {
            let chunked = read_kind(&audit, kind, None, tuning(2, chunk_len), managers());
            assert_eq!(chunked, sequential, "management, chunks of {chunk_len}");
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

    #[test]
    fn the_strategy_says_how_each_file_was_read() {
        use super::super::{Fallback, ReadStrategy};
        let strategy = |audit: &Audit, tuning: Tuning| {
            let mut sums = CustomerAccumulator::new(audit);
            let source = audit.customers.as_ref().unwrap();
            let kind = SurveyKind::Customers;
            let read = read_survey_into(audit, source, kind, None, tuning, &mut sums);
            read.unwrap().strategy
        };
        let csv = sample(200);
        let (_dir, whole) = audit(&csv);
        let off = ReadStrategy::Sequential(Fallback::TurnedOff);
        assert_eq!(strategy(&whole, tuning(0, 64)), off);
        let two = ReadStrategy::Chunked { threads: 2 };
        assert_eq!(strategy(&whole, tuning(2, 64)), two);
        // One chunk: one worker, whatever the threads.
        let one = ReadStrategy::Chunked { threads: 1 };
        assert_eq!(strategy(&whole, tuning(4, 1 << 20)), one);
        // A fraction in the last row: the chunked reader gives up there.
        let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
        let last = lines.len() - 1;
        let mut fields: Vec<&str> = lines[last].split(',').collect();
        fields[3] = "2.5";
        lines[last] = fields.join(",");
        let (_fraction_dir, fraction) = audit(&lines.join("\n"));
        let gave_up = ReadStrategy::Sequential(Fallback::GaveUp);
        assert_eq!(strategy(&fraction, tuning(2, 64)), gave_up);
        // Another encoding is read sequentially.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.csv"), &csv).unwrap();
        let yaml = "audit: {id: t, title: T, period: {start: 2026-01-01, end: 2026-03-31}}\n\
                    instrument: servqual-22\nweights: survey\nscale: {min: 1, max: 7}\n\
                    sources:\n  customers: {file: c.csv, encoding: windows-1252}\n";
        let latin = crate::definition::load_str(&dir.path().join("audit.yaml"), yaml).unwrap();
        let encoding = ReadStrategy::Sequential(Fallback::Encoding);
        assert_eq!(strategy(&latin, tuning(2, 64)), encoding);
        assert_eq!(
            encoding.to_string(),
            "read sequentially (not UTF-8)",
            "the -v note"
        );
        assert_eq!(two.to_string(), "read in chunks on 2 threads");
    }
}
