//! The survey's side of chunked reading: workers turn records into compact rows (one
//! byte per answer), the reading thread turns those back into [`Respondent`]s in order.
//!
//! A worker checks every cell exactly as the sequential reader does ([`answer_value`],
//! [`check_importance`]); a row that would be a problem refuses the chunk, and the file
//! is then read sequentially so that every problem is reported with its place.

use std::path::Path;

use super::super::answers::trim;
use super::super::chunked::{ChunkParser, Fields};
use super::{answer_value, check_importance, Layout, Respondent};
use crate::definition::{Audit, Scale};
use crate::problem::Problem;

/// Code of an unanswered cell.
const MISSING: u8 = 255;
/// Code of a value that is not a small whole number; the value is in [`ChunkRows::wide`].
const WIDE: u8 = 254;

/// Which array of a [`Respondent`] a column fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Expected,
    Perceived,
    Adequate,
    Desired,
    Management,
    Importance,
}

/// One answer column of the file: where it is and how it is read.
#[derive(Debug, Clone, Copy)]
struct Slot {
    column: usize,
    target: Target,
    index: usize,
    reverse: bool,
    points: bool,
}

/// Turns the records of a chunk into [`ChunkRows`]; cloned for each worker.
#[derive(Clone)]
pub(super) struct RowParser<'a> {
    slots: Vec<Slot>,
    /// id, site, region and the segment column, where the file has them.
    texts: [Option<usize>; 4],
    scale: Scale,
    layout: &'a Layout,
    path: &'a Path,
    importance: Vec<Option<f64>>,
    has_importance: bool,
    problems: Vec<Problem>,
}

/// The rows of one chunk, compactly: per row one code per answer column, the line, and
/// the four text fields.
pub(super) struct ChunkRows {
    /// Lines after the chunk's first line, per row.
    lines: Vec<u32>,
    /// Per row, one code per slot: the value if a whole number below [`WIDE`], else a mark.
    codes: Vec<u8>,
    /// Values coded [`WIDE`], in order.
    wide: Vec<f64>,
    /// The text fields, trimmed, one after another.
    text: Vec<u8>,
    /// End of each text field in `text`, four per row.
    text_ends: Vec<u32>,
}

impl<'a> RowParser<'a> {
    /// The parser for `layout`'s columns (plus `extra`, the segment column).
    pub(super) fn new(
        audit: &Audit,
        layout: &'a Layout,
        extra: Option<usize>,
        path: &'a Path,
    ) -> Self {
        let mut slots = Vec::new();
        for (i, item) in audit.items.iter().enumerate() {
            let columns = [
                (layout.expected[i], Target::Expected),
                (layout.perceived[i], Target::Perceived),
                (layout.adequate[i], Target::Adequate),
                (layout.desired[i], Target::Desired),
                (layout.management[i], Target::Management),
            ];
            for (column, target) in columns {
                if let Some(column) = column {
                    slots.push(Slot {
                        column,
                        target,
                        index: i,
                        reverse: item.reverse,
                        points: false,
                    });
                }
            }
        }
        for (d, column) in layout.importance.iter().enumerate() {
            if let Some(column) = *column {
                slots.push(Slot {
                    column,
                    target: Target::Importance,
                    index: d,
                    reverse: false,
                    points: true,
                });
            }
        }
        RowParser {
            has_importance: layout.importance.iter().any(Option::is_some),
            slots,
            texts: [layout.id, layout.site, layout.region, extra],
            scale: audit.scale,
            layout,
            path,
            importance: vec![None; audit.dimensions.len()],
            problems: Vec::new(),
        }
    }
}

impl ChunkParser for RowParser<'_> {
    type Out = ChunkRows;

    fn start(&mut self) -> ChunkRows {
        ChunkRows {
            lines: Vec::new(),
            codes: Vec::new(),
            wide: Vec::new(),
            text: Vec::new(),
            text_ends: Vec::new(),
        }
    }

    fn record(&mut self, fields: &Fields, line: u64, out: &mut ChunkRows) -> bool {
        let Ok(line) = u32::try_from(line) else {
            return false;
        };
        for slot in &self.slots {
            let Ok(value) = answer_value(
                fields.get(slot.column),
                self.scale,
                slot.reverse,
                slot.points,
            ) else {
                return false;
            };
            match value {
                None => out.codes.push(MISSING),
                Some(x) => {
                    let code = x as u8;
                    if code < WIDE && f64::from(code).to_bits() == x.to_bits() {
                        out.codes.push(code);
                    } else {
                        out.codes.push(WIDE);
                        out.wide.push(x);
                    }
                }
            }
            if slot.target == Target::Importance {
                if let Some(w) = self.importance.get_mut(slot.index) {
                    *w = value;
                }
            }
        }
        if self.has_importance {
            // Only whether there is a problem matters; its place is found sequentially.
            check_importance(
                &self.importance,
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
        for column in self.texts {
            if let Some(c) = column {
                out.text.extend_from_slice(trim(fields.get(c)));
            }
            let Ok(end) = u32::try_from(out.text.len()) else {
                return false;
            };
            out.text_ends.push(end);
        }
        out.lines.push(line);
        true
    }
}

/// The arrays a [`Respondent`] borrows, filled from [`ChunkRows`] on the reading thread.
pub(super) struct Rows {
    expected: Vec<Option<f64>>,
    perceived: Vec<Option<f64>>,
    adequate: Vec<Option<f64>>,
    desired: Vec<Option<f64>>,
    management: Vec<Option<f64>>,
    importance: Vec<Option<f64>>,
}

impl Rows {
    /// Empty arrays for `audit`'s items and dimensions (columns the file lacks stay empty).
    pub(super) fn new(audit: &Audit) -> Self {
        let n = audit.items.len();
        Rows {
            expected: vec![None; n],
            perceived: vec![None; n],
            adequate: vec![None; n],
            desired: vec![None; n],
            management: vec![None; n],
            importance: vec![None; audit.dimensions.len()],
        }
    }

    /// Hands every row of `chunk` (whose first line is `first_line`) to `visit`, in
    /// order; returns how many rows that was.
    pub(super) fn visit(
        &mut self,
        parser: &RowParser,
        chunk: &ChunkRows,
        first_line: u64,
        visit: &mut impl FnMut(&Respondent),
    ) -> u64 {
        let width = parser.slots.len();
        let mut wide = chunk.wide.iter();
        let mut text_start = 0usize;
        let mut texts = [""; 4];
        for (r, &line) in chunk.lines.iter().enumerate() {
            let codes = chunk
                .codes
                .get(r * width..(r + 1) * width)
                .unwrap_or_default();
            for (slot, &code) in parser.slots.iter().zip(codes) {
                let value = match code {
                    MISSING => None,
                    WIDE => wide.next().copied(),
                    c => Some(f64::from(c)),
                };
                let array = match slot.target {
                    Target::Expected => &mut self.expected,
                    Target::Perceived => &mut self.perceived,
                    Target::Adequate => &mut self.adequate,
                    Target::Desired => &mut self.desired,
                    Target::Management => &mut self.management,
                    Target::Importance => &mut self.importance,
                };
                if let Some(v) = array.get_mut(slot.index) {
                    *v = value;
                }
            }
            let ends = chunk.text_ends.get(r * 4..r * 4 + 4).unwrap_or_default();
            for (text, &end) in texts.iter_mut().zip(ends) {
                let end = end as usize;
                *text = chunk
                    .text
                    .get(text_start..end)
                    .and_then(|b| std::str::from_utf8(b).ok())
                    .unwrap_or("");
                text_start = end;
            }
            visit(&Respondent {
                line: first_line + u64::from(line),
                id: texts[0],
                site: texts[1],
                region: texts[2],
                expected: &self.expected,
                perceived: &self.perceived,
                adequate: &self.adequate,
                desired: &self.desired,
                management: &self.management,
                importance: &self.importance,
                extra: texts[3],
            });
        }
        chunk.lines.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::chunked::{self, Tuning};
    use super::super::{open_survey, read_survey_tuned, SurveyKind};
    use super::*;
    use crate::analysis::customers::CustomerAccumulator;

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

    /// A sample survey with missing answers, reverse-free, as the benchmark writes it.
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
            sites: vec!["A".into(), "B".into()],
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

    /// Sums and rows of the survey read with `tuning`.
    fn accumulate(audit: &Audit, tuning: Tuning) -> (String, u64, String) {
        let source = audit.customers.as_ref().unwrap();
        let mut acc = CustomerAccumulator::new(audit);
        let read = read_survey_tuned(audit, source, SurveyKind::Customers, None, tuning, |r| {
            acc.add(r)
        })
        .unwrap();
        // Debug shows every f64 to the last bit (shortest round-trip form).
        (format!("{acc:?}"), read.rows, read.digest.sha256)
    }

    #[test]
    fn chunks_are_read_in_full_and_sum_to_the_sequential_bits() {
        let (_dir, audit) = audit(&sample(700));
        let source = audit.customers.as_ref().unwrap();
        let sequential = accumulate(
            &audit,
            Tuning {
                threads: 0,
                chunk_len: 1,
            },
        );
        assert_eq!(sequential.1, 700);
        for chunk_len in [1, 100, 1000, 1 << 20] {
            let tuning = Tuning {
                threads: 2,
                chunk_len,
            };
            // The chunked reader takes this file all the way (no silent fallback).
            let opened = open_survey(&audit, source, SurveyKind::Customers, None).unwrap();
            let plan = chunked::plan(
                &source.file,
                opened.format.delimiter,
                &opened.layout.headers,
                opened.format.bom,
                tuning,
            )
            .unwrap();
            let parser = RowParser::new(&audit, &opened.layout, None, &source.file);
            let finished = chunked::run(&plan, &parser, |_, _| {}).expect("read in full");
            assert_eq!(finished.records, 700);
            assert_eq!(
                accumulate(&audit, tuning),
                sequential,
                "chunks of {chunk_len}"
            );
        }
    }

    #[test]
    fn values_that_are_not_small_whole_numbers_survive_the_codes() {
        // Item T1 reversed would not be; points may be decimals; 4,5 is a decimal comma.
        let csv = sample(3);
        let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
        let mut fields: Vec<&str> = lines[2].split(',').collect();
        fields[3] = "\"4,5\"";
        lines[2] = fields.join(",");
        let csv = lines.join("\n");
        let (_dir, audit) = audit(&csv);
        let tuning = |threads| Tuning {
            threads,
            chunk_len: 64,
        };
        let chunked = accumulate(&audit, tuning(2));
        assert_eq!(chunked, accumulate(&audit, tuning(0)));
        // The first item's E sum now has a half in it (the 4.5 went through `wide`).
        let first_item = &chunked.0[..chunked.0.find("perceived").unwrap()];
        assert!(first_item.contains(".5, sum_sq"), "{first_item}");
    }
}
