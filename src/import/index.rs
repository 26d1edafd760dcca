//! The ids an import has seen (the data file's, then the rows it adds), each with where it
//! was and the digest of its answers: the one thing an import holds that grows with the
//! data, so it is kept compact.
//!
//! Each id is written once into an arena of bytes, after its line (with the in-file flag)
//! as a LEB128 varint and its length; the hash table holds only 16 bytes per id (arena
//! offset and answers digest) and compares ids in the arena, so two ids never share an
//! entry however their hashes fall. About 30 bytes per id of seven characters in all.
//!
//! An id's hash can be taken on another thread ([`IdIndex::hasher`], [`IdHasher::hash`])
//! and handed in with it, so that the thread holding the index only probes it.

use hashbrown::hash_table::{Entry, VacantEntry};
use hashbrown::HashTable;

use super::rows::Fingerprint;

/// Where an id was first seen, and its answers' digest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Seen {
    /// Line in the data file or in the export.
    pub(crate) line: u64,
    /// Digest of the compared answers.
    pub(crate) print: Fingerprint,
    /// Whether the line is in the data file (else in the export).
    pub(crate) in_file: bool,
}

/// One id in the table: where its record starts in the arena, and its answers' digest.
#[derive(Debug, Clone, Copy)]
struct Slot {
    at: u64,
    print: Fingerprint,
}

/// Id -> [`Seen`], for millions of ids.
#[derive(Debug, Default)]
pub(crate) struct IdIndex {
    table: HashTable<Slot>,
    arena: Vec<u8>,
    hasher: IdHasher,
}

// Ids are hashed as the report's readers hash them.
pub(crate) use crate::sources::repeats::IdHasher;

/// Appends `value` as a LEB128 varint.
fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a LEB128 varint at `*at`, moving `*at` past it (0 past the end: never happens for
/// offsets this module wrote).
fn get_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let Some(&b) = bytes.get(*at) else { break };
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
    }
    value
}

/// The record at `at`: (line with the in-file flag as its lowest bit, id bytes).
fn record(arena: &[u8], at: u64) -> (u64, &[u8]) {
    let mut i = usize::try_from(at).unwrap_or(usize::MAX);
    let line = get_varint(arena, &mut i);
    let len = usize::try_from(get_varint(arena, &mut i)).unwrap_or(0);
    let id = arena.get(i..i.saturating_add(len)).unwrap_or_default();
    (line, id)
}

/// The [`Seen`] of the slot at `slot`.
fn seen_at(arena: &[u8], slot: &Slot) -> Seen {
    let (line, _) = record(arena, slot.at);
    Seen {
        line: line >> 1,
        print: slot.print,
        in_file: line & 1 == 1,
    }
}

/// What a row is, next to the rows before it: the one decision every way of importing
/// makes.
pub(crate) enum Class<'a> {
    /// Its id is new; [`NewId::record`] records it, once the row is taken.
    New(NewId<'a>),
    /// Its id was seen with the same answers, first where this says.
    Duplicate(Seen),
    /// Its id was seen with other answers, first where this says.
    Conflict(Seen),
}

/// An id not seen yet, with the place in the index where it goes.
pub(crate) struct NewId<'a> {
    entry: VacantEntry<'a, Slot>,
    arena: &'a mut Vec<u8>,
    id: &'a str,
    seen: Seen,
}

impl NewId<'_> {
    /// Records the id as seen where the row is, with its answers' digest.
    pub(crate) fn record(self) {
        let NewId {
            entry,
            arena,
            id,
            seen,
        } = self;
        let at = arena.len() as u64;
        // Lines beyond 2^63 do not exist; saturating keeps the flag bit free regardless.
        put_varint(
            arena,
            (seen.line.min(u64::MAX >> 1) << 1) | u64::from(seen.in_file),
        );
        put_varint(arena, id.len() as u64);
        arena.extend_from_slice(id.as_bytes());
        entry.insert(Slot {
            at,
            print: seen.print,
        });
    }
}

impl IdIndex {
    /// Classifies the row with `id` (whose hash is `hash`, from [`IdIndex::hasher`]) found
    /// at `seen`, against the ids seen before it. One probe of the table, whatever it is.
    pub(crate) fn classify<'a>(&'a mut self, hash: u64, id: &'a str, seen: Seen) -> Class<'a> {
        let arena = &mut self.arena;
        let hasher = &self.hasher;
        let entry = self.table.entry(
            hash,
            |s| record(arena, s.at).1 == id.as_bytes(),
            |s| hasher.hash_bytes(record(arena, s.at).1),
        );
        match entry {
            Entry::Occupied(o) if o.get().print == seen.print => {
                Class::Duplicate(seen_at(arena, o.get()))
            }
            Entry::Occupied(o) => Class::Conflict(seen_at(arena, o.get())),
            Entry::Vacant(entry) => Class::New(NewId {
                entry,
                arena,
                id,
                seen,
            }),
        }
    }

    /// Records `id` (hash `hash`) as seen at `seen` unless it is already there: the first
    /// place an id is seen is the one named in messages.
    pub(crate) fn record_first(&mut self, hash: u64, id: &str, seen: Seen) {
        if let Class::New(new) = self.classify(hash, id, seen) {
            new.record();
        }
    }

    /// A hasher for ids that gives this index's hashes (for [`IdIndex::classify`]).
    pub(crate) fn hasher(&self) -> IdHasher {
        self.hasher.clone()
    }

    /// The hash of `id` in this index.
    pub(crate) fn hash(&self, id: &str) -> u64 {
        self.hasher.hash(id)
    }

    /// Makes room for `more` ids like the ones already there, so that the table is not
    /// rebuilt as it fills (and its old and new copies are never held at once).
    pub(crate) fn reserve(&mut self, more: usize) {
        let per_id = self.arena.len().div_ceil(self.table.len().max(1));
        self.arena.reserve(more.saturating_mul(per_id));
        let (arena, hasher) = (&self.arena, &self.hasher);
        self.table
            .reserve(more, |s| hasher.hash_bytes(record(arena, s.at).1));
    }

    /// Whether it holds no id.
    pub(crate) fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Where `id` was seen first, and its digest.
    #[cfg(test)]
    fn get(&self, id: &str) -> Option<Seen> {
        let slot = self.table.find(self.hash(id), |s| {
            record(&self.arena, s.at).1 == id.as_bytes()
        })?;
        Some(seen_at(&self.arena, slot))
    }

    /// How many ids it holds.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records `id` as [`IdIndex::record_first`] does; `true` if it was new.
    fn insert(index: &mut IdIndex, id: &str, seen: Seen) -> bool {
        let new = index.get(id).is_none();
        index.record_first(index.hash(id), id, seen);
        new
    }

    #[test]
    fn a_row_is_new_a_duplicate_or_a_conflict() {
        let mut index = IdIndex::default();
        let seen = |line, print| Seen {
            line,
            print,
            in_file: false,
        };
        let h = index.hash("R1");
        // A new id is seen only once recorded (a row that is not taken leaves no trace).
        assert!(matches!(
            index.classify(h, "R1", seen(2, 10)),
            Class::New(_)
        ));
        assert_eq!(index.get("R1"), None);
        match index.classify(h, "R1", seen(3, 10)) {
            Class::New(new) => new.record(),
            _ => panic!("R1 is new"),
        }
        assert!(matches!(
            index.classify(h, "R1", seen(4, 10)),
            Class::Duplicate(first) if first == seen(3, 10)
        ));
        match index.classify(h, "R1", seen(5, 11)) {
            Class::Conflict(first) => assert_eq!(first, seen(3, 10)),
            _ => panic!("R1 with other answers is a conflict"),
        }
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn varints_round_trip() {
        // 300 = 0b10_0101100: low seven bits 0x2c with the continuation bit (0xac), then 0x02.
        let mut v = Vec::new();
        put_varint(&mut v, 300);
        assert_eq!(v, [0xac, 0x02]);
        for x in [0, 1, 127, 128, 16_383, 16_384, u64::MAX >> 1, u64::MAX] {
            let mut v = Vec::new();
            put_varint(&mut v, x);
            let mut at = 0;
            assert_eq!(get_varint(&v, &mut at), x);
            assert_eq!(at, v.len());
        }
    }

    #[test]
    fn ids_keep_their_first_place_and_digest() {
        let mut index = IdIndex::default();
        let seen = |line, print, in_file| Seen {
            line,
            print,
            in_file,
        };
        assert!(insert(&mut index, "R1", seen(2, 10, true)));
        assert!(insert(&mut index, "R10", seen(3, 11, true)));
        assert!(insert(&mut index, "", seen(4, 12, false)));
        assert!(insert(&mut index, "编号7", seen(5_000_000_000, 13, false)));
        // A second R1 keeps the first one's place.
        assert!(!insert(&mut index, "R1", seen(9, 99, false)));
        assert_eq!(index.len(), 4);
        assert_eq!(index.get("R1"), Some(seen(2, 10, true)));
        assert_eq!(index.get("R10"), Some(seen(3, 11, true)));
        assert_eq!(index.get(""), Some(seen(4, 12, false)));
        assert_eq!(index.get("编号7"), Some(seen(5_000_000_000, 13, false)));
        assert_eq!(index.get("R100"), None);
        assert_eq!(index.get("r1"), None);
    }

    #[test]
    fn many_ids_survive_the_table_growing() {
        let mut index = IdIndex::default();
        for i in 0..50_000u64 {
            let seen = Seen {
                line: i + 2,
                print: i * 7,
                in_file: i % 2 == 0,
            };
            assert!(insert(&mut index, &format!("R{i:05}"), seen));
        }
        for i in (0..50_000u64).step_by(997) {
            let got = index.get(&format!("R{i:05}"));
            assert_eq!(
                got,
                Some(Seen {
                    line: i + 2,
                    print: i * 7,
                    in_file: i % 2 == 0
                })
            );
        }
        assert_eq!(index.get("R50000"), None);
        index.reserve(100_000);
        assert!(insert(
            &mut index,
            "R50000",
            Seen {
                line: 1,
                print: 0,
                in_file: false
            }
        ));
        assert_eq!(index.get("R00997").map(|s| s.line), Some(999));
    }

    #[test]
    fn hashes_taken_elsewhere_find_the_same_ids() {
        let mut index = IdIndex::default();
        let hasher = index.hasher();
        let hashes: Vec<u64> = std::thread::spawn(move || {
            ["A1", "B2", "A1"]
                .iter()
                .map(|id| hasher.hash(id))
                .collect()
        })
        .join()
        .unwrap();
        let seen = |line| Seen {
            line,
            print: line * 10,
            in_file: false,
        };
        for (hash, id, line) in [(hashes[0], "A1", 2), (hashes[1], "B2", 3)] {
            match index.classify(hash, id, seen(line)) {
                Class::New(new) => new.record(),
                _ => panic!("{id} is new"),
            }
        }
        // The second A1 finds the first, which stays as it was.
        assert!(
            matches!(index.classify(hashes[2], "A1", seen(4)), Class::Conflict(s) if s == seen(2))
        );
        assert_eq!(index.get("A1"), Some(seen(2)));
        assert_eq!(index.len(), 2);
    }
}
