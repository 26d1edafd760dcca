//! Rows repeated under one id: the one thing a reader remembers per row.
//!
//! A survey tool's export pasted twice, or an import run on the same export twice by
//! hand, repeats rows. A row with the id of an earlier row and the same cells is a
//! duplicate (counted once); with other cells it is a conflict (a problem naming both
//! lines). To tell them apart without keeping rows, each row is reduced to a
//! [`RowKey`]: a 64-bit hash of its id and a 64-bit [`digest`] of its cells. The
//! sequential reader keeps one [`Repeats`] slot of 24 bytes per id (the id's hash, the
//! digest and the line it was first seen on); a hash table at most 7/8 full of such
//! slots, plus a control byte each, takes 29 to 57 bytes per row. The chunked reader only
//! needs to know that an id came back (it then hands the file to the sequential reader,
//! since the row is in its sums already): [`SeenIds`] keeps the id's hash alone, about 12
//! bytes per row (docs/files.md#repeated-rows).
//!
//! Ids are not kept, only their hashes: two different ids share a hash with odds of about
//! n²/2^65 among n rows (3 in 100 million for a million rows), and such a pair would be
//! taken for one id. The hash is seeded at random per process, so no file can be made to
//! collide on purpose. The import, which must compare ids exactly, keeps them in an arena
//! beside the same hashes and digests (`import::index`).

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
        let cell = trim(cell);
        if c == self.id_column && !cell.is_empty() {
            self.id = Some(self.hasher.hash_bytes(cell));
        }
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
}
