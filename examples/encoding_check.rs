//! Measures the undeclared-encoding rule (`servqual::encoding::detect_legacy`) on a
//! corpus of text files: one folder per encoding, named by its label (e.g. `euc-kr/`,
//! `shift_jis/`, `windows-1252/`, `macintosh/`), each holding real text in it.
//!
//! `cargo run --example encoding_check -- DIR...` reads each file's first 256 B, 1, 4, 16
//! and 64 KiB (cut at a line end) as the reader would, and counts per encoding and size
//! how often the rule decoded right (the same text as the true encoding), wrong
//! (mojibake), or refused (asked for a declaration). Wrong must stay 0. With `SHOW=1`
//! it also prints each file's likely encodings at 64 KiB.

use std::collections::BTreeMap;
use std::path::Path;

use servqual::encoding::{detect_legacy, encoding_for_label};

/// Prefix sizes measured, in bytes.
const SIZES: [usize; 5] = [256, 1024, 4096, 16384, 65536];

fn main() {
    let mut table: BTreeMap<(String, usize), [usize; 3]> = BTreeMap::new();
    let mut wrong_cases = Vec::new();
    for dir in std::env::args().skip(1) {
        let dir = Path::new(&dir);
        let label = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let Some(truth) = encoding_for_label(&label) else {
            eprintln!("{}: not an encoding label, skipped", dir.display());
            continue;
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            for size in SIZES {
                let cut = match bytes.get(..size) {
                    Some(head) => head
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(head, |end| &head[..=end]),
                    None => &bytes[..],
                };
                let at_eof = cut.len() == bytes.len();
                let counts = table.entry((label.clone(), size)).or_default();
                if std::str::from_utf8(cut).is_ok() {
                    // Read as UTF-8 up to the first non-UTF-8 line, which is refused.
                    counts[2] += 1;
                    continue;
                }
                let detected = detect_legacy(cut, at_eof);
                if std::env::var_os("SHOW").is_some() && size == 65536 {
                    let names: Vec<&str> = detected.likely.iter().map(|e| e.name()).collect();
                    println!(
                        "{label} {} {names:?} {}",
                        entry.path().display(),
                        detected.non_ascii
                    );
                }
                match detected.sure {
                    Some(found) => {
                        let right = found.decode_without_bom_handling(cut).0
                            == truth.decode_without_bom_handling(cut).0;
                        if right {
                            counts[0] += 1;
                        } else {
                            counts[1] += 1;
                            wrong_cases.push(format!(
                                "{} at {size}: read as {}",
                                entry.path().display(),
                                found.name()
                            ));
                        }
                    }
                    None => counts[2] += 1,
                }
            }
        }
    }
    println!("| encoding | prefix | right | wrong | refused |");
    println!("| --- | --- | --- | --- | --- |");
    for ((label, size), [right, wrong, refused]) in &table {
        println!("| {label} | {size} | {right} | {wrong} | {refused} |");
    }
    for case in wrong_cases {
        println!("wrong: {case}");
    }
}
