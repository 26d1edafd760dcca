//! Rows repeated under one id: the one thing a reader remembers per row.
//!
//! A survey tool's export pasted twice, or an import run on the same export twice by
//! hand, repeats rows. A row with the id of an earlier row and the same cells is a
//! duplicate (counted once); with other cells it is a conflict (a problem naming both
//! lines). To tell them apart without keeping rows, each row is reduced to a
//! [`RowKey`]: a 64-bit hash of its id and a 64-bit [`digest`] of its cells. The
//! sequential reader keeps one [`Repeats`] slot of 24 bytes per id (the id's hash, the
//! digest and the line it was first seen on); a hash table at most 7/8 full of such
//! slots, plus a control byte each, takes 29 to 57 bytes per row. The fast readers only
//! need to know that an id came back (they then read the file again with the full check,
//! since the row is in their sums already). Most exports number their rows in order, and
//! ids in order cannot repeat: [`IdRun`] keeps nothing but the first and the last id
//! ([`natural_cmp`]); ids in any other order go to [`SeenIds`], which keeps the id's hash
//! alone, about 10 bytes per row (docs/files.md#repeated-rows).
//!
//! Ids are not kept, only their hashes: two different ids share a hash with odds of about
//! n²/2^65 among n rows (3 in 100 million for a million rows), and such a pair would be
//! taken for one id. The hash is seeded at random per process, so no file can be made to
//! collide on purpose. The import, which must compare ids exactly, keeps them in an arena
//! beside the same hashes and digests (`import::index`).

use std::cmp::Ordering;
use std::hash::BuildHasher;

use hashbrown::HashTable;

use std::path::Path;

use csv::ByteRecord;

use super::answers::trim;
use super::stream::conflict_problem;
use crate::problem::Problem;

/// A row's cells reduced to a fixed-size digest, to tell a duplicate from a conflict
/// without keeping the rows in memory. 64 bits: two different rows under one id pass for
/// a duplicate with odds of 1 in 2^64, and the digest never leaves the process.
pub(crate) type Fingerprint = u64;

/// The separator written after each cell in [`digest`]'s input.
pub(crate) const CELL_END: u8 = 0x1f;

/// The digest of cells each followed by [`CELL_END`] (so `ab`+`c` and `a`+`bc` differ):
/// foldhash's quality hash with a fixed seed, the same in every run of one build. Every
/// row is digested, and SipHash (no guard is needed for a digest that stays in the
/// process) took three times as long.
pub(crate) fn digest(joined: &[u8]) -> Fingerprint {
    const SEED: u64 = 0x5e71_ce9a_a0d1_7e57;
    foldhash::quality::FixedState::with_seed(SEED).hash_one(joined)
}

/// Hashes ids (foldhash, seeded at random per process: fast, and ids from a file cannot
/// be chosen to collide). Clones hash alike, so hashes taken on worker threads can be
/// probed on another.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdHasher(foldhash::quality::RandomState);

impl IdHasher {
    /// The hash of `id`.
    pub(crate) fn hash(&self, id: &str) -> u64 {
        self.hash_bytes(id.as_bytes())
    }

    /// The hash of an id as bytes (the same as [`IdHasher::hash`] of the same text).
    pub(crate) fn hash_bytes(&self, id: &[u8]) -> u64 {
        self.0.hash_one(id)
    }
}

/// A row's id as every repeat check takes it: the cell trimmed; `None` when empty (such a
/// row cannot be told from another, and is not compared).
#[inline]
pub(crate) fn id_of(cell: &[u8]) -> Option<&[u8]> {
    Some(trim(cell)).filter(|id| !id.is_empty())
}

/// What a row is known by: its id's hash and its cells' digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowKey {
    /// [`IdHasher::hash_bytes`] of the id, trimmed.
    pub id: u64,
    /// [`digest`] of every cell, trimmed, in column order.
    pub print: Fingerprint,
}

/// Makes [`RowKey`]s of the rows of one file: the id column and a buffer for the cells,
/// reused from row to row. Both readers take a row's key with it, so that they agree.
#[derive(Debug, Clone)]
pub(crate) struct RowKeys {
    id_column: usize,
    hasher: IdHasher,
    /// The cells of the row at hand, each followed by [`CELL_END`].
    joined: Vec<u8>,
    /// The hash of its id, once seen.
    id: Option<u64>,
}

impl RowKeys {
    /// Keys for rows whose id is in column `id_column`, hashed by `hasher`.
    pub(crate) fn new(id_column: usize, hasher: IdHasher) -> RowKeys {
        RowKeys {
            id_column,
            hasher,
            joined: Vec::new(),
            id: None,
        }
    }

    /// The key of the row whose cells `cells` yields in column order, or `None` when its
    /// id is empty (such a row cannot be told from another).
    pub(crate) fn key<'a>(&mut self, cells: impl IntoIterator<Item = &'a [u8]>) -> Option<RowKey> {
        self.start();
        for (c, cell) in cells.into_iter().enumerate() {
            self.cell(c, cell);
        }
        self.finish()
    }

    /// Starts the key of a row: then [`RowKeys::cell`] for each cell, [`RowKeys::finish`].
    pub(crate) fn start(&mut self) {
        self.joined.clear();
        self.id = None;
    }

    /// Adds the cell of column `c`, in column order.
    #[inline]
    pub(crate) fn cell(&mut self, c: usize, cell: &[u8]) {
        if c == self.id_column {
            self.id = id_of(cell).map(|id| self.hasher.hash_bytes(id));
        }
        let cell = trim(cell);
        self.joined.extend_from_slice(cell);
        self.joined.push(CELL_END);
    }

    /// The key of the row whose cells were added, or `None` when its id is empty (such a
    /// row cannot be told from another).
    pub(crate) fn finish(&mut self) -> Option<RowKey> {
        Some(RowKey {
            id: self.id.take()?,
            print: digest(&self.joined),
        })
    }
}

/// What a row is, next to the rows before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Its id is new; it is now remembered at its line.
    First,
    /// The row at this line had its id and the same cells: a duplicate.
    Same(u64),
    /// The row at this line had its id and other cells: a conflict.
    Other(u64),
}

/// One id seen: its hash (the table's own hash), its row's digest, the line.
#[derive(Debug, Clone, Copy)]
struct Slot {
    id: u64,
    print: Fingerprint,
    line: u64,
}

/// How many tables a [`Shards`] holds.
const SHARDS: usize = 256;

/// One hash table cut into [`SHARDS`] small ones, chosen by bits 32 to 39 of an id's
/// hash (the tables themselves use the low bits and the top seven). Each grows on its
/// own: a single table growing by doubling holds its old and new copy at once, and the
/// allocator kept the freed copies, so a million ids took twice the table's size;
/// small tables are freed and reused piece by piece.
#[derive(Debug)]
struct Shards<T> {
    tables: Vec<HashTable<T>>,
}

impl<T> Default for Shards<T> {
    fn default() -> Self {
        Shards {
            tables: (0..SHARDS).map(|_| HashTable::new()).collect(),
        }
    }
}

impl<T> Shards<T> {
    /// The table of the id whose hash is `id`.
    fn of(&mut self, id: u64) -> &mut HashTable<T> {
        let shard = (id >> 32) as usize % SHARDS;
        &mut self.tables[shard]
    }

    /// How many entries they hold.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.tables.iter().map(HashTable::len).sum()
    }
}

/// The ids of a file's rows so far, with their first line and digest.
#[derive(Debug, Default)]
pub(crate) struct Repeats {
    table: Shards<Slot>,
}

impl Repeats {
    /// Classifies the row with `key` at `line` against the rows before it, remembering it
    /// when its id is new: one probe of the table.
    pub(crate) fn check(&mut self, key: RowKey, line: u64) -> Repeat {
        // The id's hash is already a good hash: the table uses it as it is.
        let entry = self
            .table
            .of(key.id)
            .entry(key.id, |s| s.id == key.id, |s| s.id);
        match entry {
            hashbrown::hash_table::Entry::Occupied(o) => {
                let first = o.get();
                if first.print == key.print {
                    Repeat::Same(first.line)
                } else {
                    Repeat::Other(first.line)
                }
            }
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(Slot {
                    id: key.id,
                    print: key.print,
                    line,
                });
                Repeat::First
            }
        }
    }

    /// How many ids it holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }
}

/// The repeat check of one file's rows, as both sequential readers make it: each row's
/// key against the ids of the rows before it.
#[derive(Debug)]
pub(crate) struct RowRepeats {
    id_column: usize,
    keys: RowKeys,
    seen: Repeats,
}

impl RowRepeats {
    /// The check of a file whose ids are in `id_column`; `None` without an id column (its
    /// rows cannot be told apart).
    pub(crate) fn of(id_column: Option<usize>) -> Option<RowRepeats> {
        id_column.map(|c| RowRepeats {
            id_column: c,
            keys: RowKeys::new(c, IdHasher::default()),
            seen: Repeats::default(),
        })
    }

    /// The row `record` at `line` of `path` (column names `headers`): `Ok(None)` when it
    /// is new (or has no id), `Ok(Some(first))` when it repeats the row at line `first`
    /// exactly, and the problem naming both lines when its id came with other answers.
    pub(crate) fn check(
        &mut self,
        record: &ByteRecord,
        line: u64,
        path: &Path,
        headers: &[String],
    ) -> Result<Option<u64>, Problem> {
        match self
            .keys
            .key(record.iter())
            .map(|key| self.seen.check(key, line))
        {
            None | Some(Repeat::First) => Ok(None),
            Some(Repeat::Same(first)) => Ok(Some(first)),
            Some(Repeat::Other(first)) => {
                let c = self.id_column;
                let header = headers.get(c).map_or("", String::as_str);
                let id = record.get(c).unwrap_or_default();
                Err(conflict_problem(path, line, c, header, id, first))
            }
        }
    }
}

/// The hashes of a file's ids, collected by the chunked reader, which only needs to know
/// whether any id came back (it then reads the file again, sequentially). A hash is
/// appended to one of [`SHARDS`] lists as it comes (a write to one of a few hundred
/// places: cheap, where probing a table of a million ids misses the cache every time),
/// and the lists are checked once at the end, each in a small table that stays in the
/// cache: 8 bytes per row, 12 on average with the lists' room to grow.
#[derive(Debug)]
pub(crate) struct SeenIds {
    lists: Vec<Vec<u64>>,
}

impl Default for SeenIds {
    fn default() -> Self {
        SeenIds {
            lists: vec![Vec::new(); SHARDS],
        }
    }
}

impl SeenIds {
    /// Collects the id whose hash is `id`.
    #[inline]
    pub(crate) fn push(&mut self, id: u64) {
        let shard = (id >> 32) as usize % SHARDS;
        self.lists[shard].push(id);
    }

    /// Whether any id was collected twice. Equal hashes fall in the same list, so each
    /// list is checked on its own.
    pub(crate) fn any_repeated(&self) -> bool {
        let mut table: HashTable<u64> = HashTable::new();
        for list in &self.lists {
            table.clear();
            table.reserve(list.len(), |&id| id);
            for &id in list {
                match table.entry(id, |&seen| seen == id, |&seen| seen) {
                    hashbrown::hash_table::Entry::Occupied(_) => return true,
                    hashbrown::hash_table::Entry::Vacant(v) => {
                        v.insert(id);
                    }
                }
            }
        }
        false
    }
}

/// Compares two ids in natural order: runs of digits by their value (`R9` before `R10`,
/// `2026-10-03 9:05` before `2026-10-03 10:00`), everything else byte by byte. Two ids
/// compare equal only when they are the same bytes (`R01` and `R1`: the shorter run of
/// equal value first), so ids each greater than the one before are all different.
pub(crate) fn natural_cmp(a: &[u8], b: &[u8]) -> Ordering {
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let digit = |s: &[u8], i: usize| s.get(i).is_some_and(u8::is_ascii_digit);
    let after_digit = same > 0 && digit(a, same - 1);
    // Both text at the first difference, after text: the bytes decide.
    if !after_digit && !digit(a, same) && !digit(b, same) {
        return a[same..].cmp(&b[same..]);
    }
    let digits_from = |s: &[u8]| s[same..].iter().take_while(|c| c.is_ascii_digit()).count();
    // In a number as long in both (the commonest case: `R00041`, `R00042`): as for bytes.
    if digit(a, same) && digit(b, same) && digits_from(a) == digits_from(b) {
        return a[same].cmp(&b[same]);
    }
    // The runs before the difference are the same in both, but for the one it falls in:
    // compare from where that run starts.
    let mut from = same;
    if after_digit {
        // In a number: its value decides, unless both are the same number and what
        // follows differs.
        while from > 0 && digit(a, from - 1) {
            from -= 1;
        }
        let (end_a, end_b) = (same + digits_from(a), same + digits_from(b));
        return token_cmp(&a[from..end_a], &b[from..end_b])
            .then_with(|| tokens_cmp(&a[end_a..], &b[end_b..]));
    }
    // A number starts in one where the other goes on with text (or ends).
    while from > 0 && !digit(a, from - 1) {
        from -= 1;
    }
    tokens_cmp(&a[from..], &b[from..])
}

/// Two ids from the start of a run in each, run by run.
fn tokens_cmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut a, mut b) = (Tokens(a), Tokens(b));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match token_cmp(x, y) {
                Ordering::Equal => {}
                other => return other,
            },
        }
    }
}

/// The runs of an id: digits, or anything else, each as long as it goes.
struct Tokens<'a>(&'a [u8]);

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let first = *self.0.first()?;
        let len = self
            .0
            .iter()
            .position(|c| c.is_ascii_digit() != first.is_ascii_digit())
            .unwrap_or(self.0.len());
        let (token, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(token)
    }
}

/// Two runs in natural order: numbers by value, then the one with fewer leading zeros
/// first; text byte by byte; a number sorts where the byte `0` would.
fn token_cmp(x: &[u8], y: &[u8]) -> Ordering {
    let number = |t: &[u8]| t.first().is_some_and(u8::is_ascii_digit);
    match (number(x), number(y)) {
        (true, true) => {
            let (x0, y0) = (significant(x), significant(y));
            (x0.len(), x0)
                .cmp(&(y0.len(), y0))
                .then(x.len().cmp(&y.len()))
        }
        (false, false) => x.cmp(y),
        (true, false) => b"0"[..].cmp(y),
        (false, true) => x.cmp(&b"0"[..]),
    }
}

/// A run of digits without its leading zeros.
fn significant(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&c| c == b'0').count();
    &digits[zeros..]
}

/// The ids of consecutive rows while each is greater than the one before in
/// [`natural_cmp`] order, as most exports number their rows: such ids cannot repeat, and
/// only the first and the last are kept. Once an id is not greater, the run is broken and
/// the ids must be compared some other way ([`SeenIds`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct IdRun {
    first: Vec<u8>,
    last: Vec<u8>,
    any: bool,
    broken: bool,
}

impl IdRun {
    /// Adds the id of the next row.
    #[inline]
    pub(crate) fn push(&mut self, id: &[u8]) {
        if self.broken {
            return;
        }
        if !self.any {
            self.any = true;
            self.first.extend_from_slice(id);
        } else if natural_cmp(id, &self.last) != Ordering::Greater {
            self.broken = true;
            return;
        }
        self.last.clear();
        self.last.extend_from_slice(id);
    }

    /// Adds the run of the rows that follow: the two make one run when `later` is one and
    /// starts above where this one ends.
    pub(crate) fn extend(&mut self, later: &IdRun) {
        if self.broken || !later.any {
            return;
        }
        if later.broken || (self.any && natural_cmp(&later.first, &self.last) != Ordering::Greater)
        {
            self.broken = true;
            return;
        }
        if !self.any {
            *self = later.clone();
            return;
        }
        self.last.clone_from(&later.last);
    }

    /// Whether some id was not greater than the one before (so ids may repeat).
    pub(crate) fn is_broken(&self) -> bool {
        self.broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(keys: &mut RowKeys, cells: &[&str]) -> Option<RowKey> {
        keys.key(cells.iter().map(|c| c.as_bytes()))
    }

    #[test]
    fn a_row_is_first_the_same_or_other() {
        let mut keys = RowKeys::new(0, IdHasher::default());
        let mut repeats = Repeats::default();
        let r1 = key(&mut keys, &["R1", "7", "5"]).unwrap();
        let r2 = key(&mut keys, &["R2", "7", "5"]).unwrap();
        assert_eq!(repeats.check(r1, 2), Repeat::First);
        assert_eq!(repeats.check(r2, 3), Repeat::First);
        // Padding is not a difference: cells are compared trimmed.
        let again = key(&mut keys, &[" R1", "7 ", "5"]).unwrap();
        assert_eq!(repeats.check(again, 4), Repeat::Same(2));
        let other = key(&mut keys, &["R1", "7", "4"]).unwrap();
        assert_eq!(repeats.check(other, 5), Repeat::Other(2));
        // The first place stays the one named.
        assert_eq!(repeats.check(again, 6), Repeat::Same(2));
        assert_eq!(repeats.len(), 2);
    }

    #[test]
    fn a_hundred_thousand_ids_spread_over_the_shards_are_found_again() {
        let mut keys = RowKeys::new(0, IdHasher::default());
        let mut repeats = Repeats::default();
        let mut seen = SeenIds::default();
        let key = |keys: &mut RowKeys, i: u64| {
            let id = format!("R{i:06}");
            keys.key([id.as_bytes(), b"7"]).unwrap()
        };
        for i in 0..100_000 {
            let k = key(&mut keys, i);
            assert_eq!(repeats.check(k, i + 2), Repeat::First);
            seen.push(k.id);
        }
        assert_eq!(repeats.len(), 100_000);
        assert!(repeats.table.tables.iter().all(|t| !t.is_empty()));
        assert!(!seen.any_repeated());
        for i in (0..100_000).step_by(997) {
            let k = key(&mut keys, i);
            assert_eq!(repeats.check(k, 1), Repeat::Same(i + 2));
        }
        seen.push(key(&mut keys, 99_999).id);
        assert!(seen.any_repeated());
    }

    #[test]
    fn seen_ids_say_when_an_id_comes_back() {
        let hasher = IdHasher::default();
        let mut seen = SeenIds::default();
        seen.push(hasher.hash("R1"));
        seen.push(hasher.hash("R2"));
        assert!(!seen.any_repeated());
        seen.push(hasher.hash("R1"));
        assert!(seen.any_repeated());
    }

    #[test]
    fn cells_are_separated_and_an_empty_id_has_no_key() {
        let mut keys = RowKeys::new(1, IdHasher::default());
        let a = key(&mut keys, &["ab", "X", "c"]).unwrap();
        let b = key(&mut keys, &["a", "X", "bc"]).unwrap();
        assert_eq!(a.id, b.id);
        assert_ne!(a.print, b.print);
        assert_eq!(key(&mut keys, &["ab", "  ", "c"]), None);
    }

    #[test]
    fn hashes_taken_on_another_thread_agree() {
        let hasher = IdHasher::default();
        let copy = hasher.clone();
        let there = std::thread::spawn(move || copy.hash("编号7"))
            .join()
            .unwrap();
        assert_eq!(there, hasher.hash("编号7"));
        assert_eq!(hasher.hash("A1"), hasher.hash_bytes(b"A1"));
        assert_ne!(hasher.hash("A1"), hasher.hash("A2"));
    }

    #[test]
    fn natural_order_reads_numbers_by_value() {
        use std::cmp::Ordering::*;
        let cases: &[(&str, &str, Ordering)] = &[
            ("R9", "R10", Less),
            ("R00009", "R00010", Less),
            ("9", "10", Less),
            ("A-500", "B-1", Less),
            ("A-9", "A-10", Less),
            ("2026-10-03 9:05", "2026-10-03 10:00", Less),
            ("R1", "R01", Less),
            ("R01", "R01", Equal),
            ("R1", "R1a", Less),
            ("R", "R1", Less),
            ("R1", "S", Less),
            ("R_3kX", "R_3kY", Less),
            ("", "1", Less),
            ("a1b2", "a1b10", Less),
            ("x", "1", Greater),
            ("!", "1", Less),
        ];
        for &(a, b, want) in cases {
            assert_eq!(natural_cmp(a.as_bytes(), b.as_bytes()), want, "{a} vs {b}");
            assert_eq!(
                natural_cmp(b.as_bytes(), a.as_bytes()),
                want.reverse(),
                "{b} vs {a}"
            );
        }
    }

    /// The order by tokens alone, without the shortcut of `natural_cmp`.
    fn by_tokens(a: &[u8], b: &[u8]) -> Ordering {
        let (x, y): (Vec<_>, Vec<_>) = (Tokens(a).collect(), Tokens(b).collect());
        for (x, y) in x.iter().zip(&y) {
            match token_cmp(x, y) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        x.len().cmp(&y.len())
    }

    proptest::proptest! {
        #[test]
        fn natural_order_is_a_total_order(
            a in "[0-9a-c_.]{0,6}|[0-2a.]{0,9}", b in "[0-9a-c_.]{0,6}|[0-2a.]{0,9}",
            c in "[0-9a-c_.]{0,6}|[0-2a.]{0,9}"
        ) {
            let (a, b, c) = (a.as_bytes(), b.as_bytes(), c.as_bytes());
            proptest::prop_assert_eq!(natural_cmp(a, b), by_tokens(a, b));
            proptest::prop_assert_eq!(natural_cmp(a, b) == Ordering::Equal, a == b);
            proptest::prop_assert_eq!(natural_cmp(a, b), natural_cmp(b, a).reverse());
            if natural_cmp(a, b) != Ordering::Greater && natural_cmp(b, c) != Ordering::Greater {
                proptest::prop_assert_ne!(natural_cmp(a, c), Ordering::Greater);
            }
        }
    }

    fn run_of(ids: &[&str]) -> IdRun {
        let mut run = IdRun::default();
        ids.iter().for_each(|id| run.push(id.as_bytes()));
        run
    }

    #[test]
    fn a_run_breaks_when_an_id_is_not_greater() {
        assert!(!run_of(&["R1", "R2", "R10", "R11"]).is_broken());
        assert!(run_of(&["R1", "R2", "R2"]).is_broken());
        assert!(run_of(&["R1", "R3", "R2", "R4"]).is_broken());
        assert!(!run_of(&[]).is_broken());
        // Chunks in file order: one run when each starts above the last one's end.
        let mut whole = run_of(&["R1", "R2"]);
        whole.extend(&run_of(&[]));
        whole.extend(&run_of(&["R3", "R9"]));
        assert!(!whole.is_broken());
        whole.extend(&run_of(&["R9", "R12"]));
        assert!(whole.is_broken());
        let mut empty_first = run_of(&[]);
        empty_first.extend(&run_of(&["R5"]));
        empty_first.extend(&run_of(&["R4"]));
        assert!(empty_first.is_broken());
        let mut inner = run_of(&["R1"]);
        inner.extend(&run_of(&["R3", "R2"]));
        assert!(inner.is_broken());
    }
}
