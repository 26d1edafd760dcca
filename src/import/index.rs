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

use std::hash::BuildHasher;

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;

use super::rows::Fingerprint;

/// Where an id was first seen, and its answers' digest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seen {
    /// Line in the data file or in the export.
    pub line: u64,
    /// Digest of the compared answers.
    pub print: Fingerprint,
    /// Whether the line is in the data file (else in the export).
    pub in_file: bool,
}

/// One id in the table: where its record starts in the arena, and its answers' digest.
#[derive(Debug, Clone, Copy)]
struct Slot {
    at: u64,
    print: Fingerprint,
}

/// Id -> [`Seen`], for millions of ids.
#[derive(Debug, Default)]
pub struct IdIndex {
    table: HashTable<Slot>,
    arena: Vec<u8>,
    hasher: IdHasher,
}

/// Hashes ids as one index does (foldhash, seeded at random per process: fast, and ids
/// from a file cannot be chosen to collide).
#[derive(Debug, Clone, Default)]
pub struct IdHasher(foldhash::quality::RandomState);

impl IdHasher {
    /// The hash of `id` for the index this hasher came from.
    pub fn hash(&self, id: &str) -> u64 {
        self.0.hash_one(id.as_bytes())
    }
}

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

impl IdIndex {
    /// Where `id` was seen first, and its digest.
    pub fn get(&self, id: &str) -> Option<Seen> {
        let hash = self.hasher.hash(id);
        let slot = self
            .table
            .find(hash, |s| record(&self.arena, s.at).1 == id.as_bytes())?;
        Some(seen_at(&self.arena, slot))
    }

    /// Records `id` unless it is already there (the first place an id is seen is the one
    /// named in messages); `true` if it was added.
    pub fn insert(&mut self, id: &str, seen: Seen) -> bool {
        let hash = self.hasher.hash(id);
        self.first_seen(hash, id, seen).is_none()
    }

    /// A hasher for ids that gives this index's hashes (for [`IdIndex::first_seen`]).
    pub fn hasher(&self) -> IdHasher {
        self.hasher.clone()
    }

    /// Where `id` (whose hash is `hash`, from [`IdIndex::hasher`]) was seen first; if it
    /// was not, records it as `seen` and answers `None`. One probe either way.
    pub fn first_seen(&mut self, hash: u64, id: &str, seen: Seen) -> Option<Seen> {
        let arena = &mut self.arena;
        let hasher = &self.hasher;
        let entry = self.table.entry(
            hash,
            |s| record(arena, s.at).1 == id.as_bytes(),
            |s| hasher.0.hash_one(record(arena, s.at).1),
        );
        match entry {
            Entry::Occupied(o) => Some(seen_at(arena, o.get())),
            Entry::Vacant(v) => {
                let at = arena.len() as u64;
                // Lines beyond 2^63 do not exist; saturating keeps the flag bit free regardless.
                put_varint(
                    arena,
                    (seen.line.min(u64::MAX >> 1) << 1) | u64::from(seen.in_file),
                );
                put_varint(arena, id.len() as u64);
                arena.extend_from_slice(id.as_bytes());
                v.insert(Slot {
                    at,
                    print: seen.print,
                });
                None
            }
        }
    }

    /// Makes room for `more` ids like the ones already there, so that the table is not
    /// rebuilt as it fills (and its old and new copies are never held at once).
    pub fn reserve(&mut self, more: usize) {
        let per_id = self.arena.len().div_ceil(self.table.len().max(1));
        self.arena.reserve(more.saturating_mul(per_id));
        let (arena, hasher) = (&self.arena, &self.hasher);
        self.table
            .reserve(more, |s| hasher.0.hash_one(record(arena, s.at).1));
    }

    /// How many ids it holds.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether it holds no id.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(index.insert("R1", seen(2, 10, true)));
        assert!(index.insert("R10", seen(3, 11, true)));
        assert!(index.insert("", seen(4, 12, false)));
        assert!(index.insert("编号7", seen(5_000_000_000, 13, false)));
        // A second R1 keeps the first one's place.
        assert!(!index.insert("R1", seen(9, 99, false)));
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
            assert!(index.insert(&format!("R{i:05}"), seen));
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
        assert!(index.insert(
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
        assert_eq!(index.first_seen(hashes[0], "A1", seen(2)), None);
        assert_eq!(index.first_seen(hashes[1], "B2", seen(3)), None);
        // The second A1 finds the first, which stays as it was.
        assert_eq!(index.first_seen(hashes[2], "A1", seen(4)), Some(seen(2)));
        assert_eq!(index.get("A1"), Some(seen(2)));
        assert_eq!(index.len(), 2);
    }
}
