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

use super::super::answers::{trim, DateBounds, Placed};
use super::super::chunked::{ChunkParser, Fields};
use super::super::repeats::{id_of, IdHasher, IdRun};
use super::super::stream::RowCounts;
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
    /// The date column, if any, and the period's days a row's date must fall in.
    date: Option<usize>,
    bounds: DateBounds,
    /// Start of each answer array in a row, if the file has any of its columns.
    targets: [Option<usize>; TARGETS],
    n_items: usize,
    n_dims: usize,
    scale: Scale,
    /// The row being read, laid out as `targets` says.
    cells: Vec<WholeCell>,
    /// How many of `cells` are item answers (the importance points come after them).
    item_cells: usize,
    /// The id column, if the file has one, how its ids are kept, and how they are hashed.
    id: Option<usize>,
    ids: IdCheck,
    hasher: IdHasher,
    /// The sums a chunk starts from.
    sums: &'a S,
}

/// How workers keep the ids of the rows they sum, for the reading thread to tell whether
/// one came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IdCheck {
    /// Whether each id is greater than the one before ([`IdRun`]): nothing kept per row.
    InOrder,
    /// The hash of every id, all collected.
    Hashes,
}

/// What a worker makes of one chunk.
pub(super) struct ChunkRows<C> {
    /// The sums of its rows.
    pub sums: C,
    /// Its rows counted as the sequential reader counts them.
    pub counts: RowCounts,
    /// The ids of the rows summed, with [`IdCheck::InOrder`].
    pub run: IdRun,
    /// The id hash of each row summed that has an id, with [`IdCheck::Hashes`] (a few kB
    /// per chunk).
    pub ids: Vec<u64>,
}

impl<'a, S: SurveySums> RowParser<'a, S> {
    /// The parser for `layout`'s columns (plus `extra`, the segment column) into chunks of
    /// `sums`, keeping ids as `ids` says (hashed with `hasher`).
    pub(super) fn new(
        audit: &Audit,
        layout: &Layout,
        extra: Option<usize>,
        (ids, hasher): (IdCheck, &IdHasher),
        sums: &'a S,
    ) -> Self {
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
            date: layout.date,
            bounds: DateBounds::of_run(&audit.meta),
            targets,
            n_items,
            n_dims,
            scale: audit.scale,
            cells: vec![WholeCell::UNANSWERED; width],
            item_cells: targets[IMPORTANCE].unwrap_or(width),
            id: layout.id,
            ids,
            hasher: hasher.clone(),
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
    type Out = ChunkRows<S::Chunk>;

    fn start(&mut self) -> Self::Out {
        ChunkRows {
            sums: self.sums.chunk(),
            counts: RowCounts::default(),
            run: IdRun::default(),
            ids: Vec::new(),
        }
    }

    fn record(&mut self, fields: &Fields, _line: u64, out: &mut Self::Out) -> bool {
        let (columns, cells) = (&self.columns, &mut self.cells);
        let (extra_column, date_column, scale) = (self.extra, self.date, self.scale);
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
        if count != fields.expected() {
            return false;
        }
        let ChunkRows {
            sums,
            counts,
            run,
            ids,
        } = out;
        // The date and blank checks read the fields again rather than in the loop above,
        // which must stay small to be inlined (it runs once per cell).
        if fields.is_blank() {
            counts.blank += 1;
            return true;
        }
        // As sequentially: a row of another period is left out whatever its answers; a
        // row without a valid date is a problem, reported with its place sequentially.
        let mut period = None;
        if let Some(column) = date_column {
            match self.bounds.place(fields.get(column).unwrap_or_default()) {
                Placed::Inside(k) => period = Some(k),
                Placed::Outside => {
                    counts.outside_period += 1;
                    return true;
                }
                Placed::NotADate => return false,
            }
        }
        if !ok {
            return false;
        }
        let importance = self.answers(IMPORTANCE);
        // Only whether there is a problem matters; its place is found sequentially. So
        // for a row without any item answer (`no_answer_problem`).
        if importance.is_some_and(|points| points_problem(points).is_some()) {
            return false;
        }
        let items = self.cells.get(..self.item_cells).unwrap_or_default();
        if !items.iter().any(|cell| cell.answered != 0) {
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
            period,
        };
        sums.add(&respondent);
        counts.count_placed(period, &self.bounds);
        if let Some(id) = self.id.and_then(|c| fields.get(c)).and_then(id_of) {
            match self.ids {
                IdCheck::InOrder => run.push(id),
                IdCheck::Hashes => ids.push(self.hasher.hash_bytes(id)),
            }
        }
        true
    }
}
