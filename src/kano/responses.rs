//! Reading Kano responses: a CSV with one row per respondent and columns `F_<feature>`
//! (functional) and `D_<feature>` (dysfunctional), streamed into per-feature counts.

use std::path::Path;

use super::definition::{Cell, Labels};
use super::Counts;
use crate::problem::{Problem, Problems};
use crate::sources::text::{csv_problem, open_csv, open_csv_reader, TextOptions};

/// How many problems are listed before the rest are only counted.
pub const MAX_LISTED_PROBLEMS: usize = 50;

/// The counted responses: per feature, in CSV column order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tally {
    /// Respondent rows read.
    pub rows: u64,
    /// Feature id and its class counts, in order of first appearance in the header.
    pub features: Vec<(String, Counts)>,
}

/// Problems found, listing the first [`MAX_LISTED_PROBLEMS`] and counting the rest.
#[derive(Debug, Default)]
struct Collector {
    listed: Vec<Problem>,
    more: u64,
}

impl Collector {
    fn push(&mut self, problem: Problem) {
        if self.listed.len() < MAX_LISTED_PROBLEMS {
            self.listed.push(problem);
        } else {
            self.more += 1;
        }
    }

    fn finish(mut self) -> Result<(), Problems> {
        if self.more > 0 {
            let s = if self.more == 1 { "" } else { "s" };
            self.listed.push(Problem::unlisted(
                format!("and {} more problem{s}", self.more),
                self.more,
            ));
        }
        Problems::check(self.listed)
    }
}

/// The columns of one feature.
#[derive(Debug)]
struct Columns {
    id: String,
    functional: Option<usize>,
    dysfunctional: Option<usize>,
    counts: Counts,
}

/// Reads the responses CSV at `path` (`-` is standard input) into counts per feature.
///
/// Every bad cell is a problem naming file, line, column, column name, the value and what
/// was expected; all are collected (the first [`MAX_LISTED_PROBLEMS`] listed) before
/// failing. Memory does not grow with the number of rows.
pub fn read_responses(
    path: &Path,
    options: &TextOptions,
    labels: &Labels,
) -> Result<Tally, Problems> {
    let stdin = path == Path::new("-");
    let path = if stdin { Path::new("<stdin>") } else { path };
    let opened = if stdin {
        open_csv_reader(Box::new(std::io::stdin()), path, options)
    } else {
        open_csv(path, options)
    };
    let (mut reader, _format) = opened.map_err(Problems::one)?;
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(Problems::one(csv_problem(path, &e))),
    };
    let mut problems = Collector::default();
    let mut features: Vec<Columns> = Vec::new();
    let mut by_id: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut names: Vec<String> = Vec::with_capacity(headers.len());
    for (index, raw) in headers.iter().enumerate() {
        let name = raw.trim_start_matches('\u{feff}').trim().to_string();
        names.push(name.clone());
        let (functional, id) = if let Some(id) = name.strip_prefix("F_") {
            (true, id.trim())
        } else if let Some(id) = name.strip_prefix("D_") {
            (false, id.trim())
        } else {
            continue;
        };
        let column = index as u64 + 1;
        if id.is_empty() {
            problems.push(
                Problem::new("column name has no feature id")
                    .file(path)
                    .at(1, column)
                    .found(name.clone())
                    .expected("F_<feature> or D_<feature>"),
            );
            continue;
        }
        // Looked up, not searched: the header may have up to 10,000 columns.
        let position = match by_id.get(id) {
            Some(&p) => p,
            None => {
                by_id.insert(id.to_string(), features.len());
                features.push(Columns {
                    id: id.to_string(),
                    functional: None,
                    dysfunctional: None,
                    counts: Counts::default(),
                });
                features.len() - 1
            }
        };
        let entry = &mut features[position];
        let slot = if functional {
            &mut entry.functional
        } else {
            &mut entry.dysfunctional
        };
        if let Some(first) = *slot {
            problems.push(
                Problem::new(format!("duplicate column (first at column {})", first + 1))
                    .file(path)
                    .at(1, column)
                    .field(name.clone())
                    .expected("each F_/D_ column once"),
            );
        } else {
            *slot = Some(index);
        }
    }
    if features.is_empty() {
        problems.push(
            Problem::new("no Kano columns in the header")
                .file(path)
                .line(1)
                .expected(
                    "pairs of columns F_<feature> (functional) and D_<feature> (dysfunctional)",
                ),
        );
    }
    for f in &features {
        let (has, lacks, at) = match (f.functional, f.dysfunctional) {
            (Some(i), None) => ("F_", "D_", i),
            (None, Some(i)) => ("D_", "F_", i),
            _ => continue,
        };
        problems.push(
            Problem::new(format!(
                "feature `{id}` has column {has}{id} but no column {lacks}{id}",
                id = f.id
            ))
            .file(path)
            .at(1, at as u64 + 1)
            .field(format!("{lacks}{}", f.id))
            .expected(format!("both {has}{} and {lacks}{}", f.id, f.id)),
        );
    }

    let expected = labels.expected();
    let mut rows: u64 = 0;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let fatal = matches!(e.kind(), csv::ErrorKind::Io(_));
                problems.push(csv_problem(path, &e));
                if fatal {
                    break;
                }
                continue;
            }
        }
        rows += 1;
        let line = record.position().map_or(rows + 1, |p| p.line());
        for f in &mut features {
            let (Some(fi), Some(di)) = (f.functional, f.dysfunctional) else {
                continue;
            };
            let mut answers = [Cell::Missing; 2];
            for (slot, index) in answers.iter_mut().zip([fi, di]) {
                let value = record.get(index).unwrap_or("");
                *slot = labels.parse(value);
                if *slot == Cell::Invalid {
                    let name = names.get(index).cloned().unwrap_or_default();
                    problems.push(
                        Problem::new("not a Kano answer")
                            .file(path)
                            .at(line, index as u64 + 1)
                            .field(name)
                            .found(value)
                            .expected(expected.clone()),
                    );
                }
            }
            if let [Cell::Answered(functional), Cell::Answered(dysfunctional)] = answers {
                f.counts.add_pair(functional, dysfunctional);
            }
        }
    }
    problems.finish()?;
    Ok(Tally {
        rows,
        features: features.into_iter().map(|f| (f.id, f.counts)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kano::Answer;
    use std::io::Write;

    fn write_csv(text: &str) -> tempfile::NamedTempFile {
        let mut file = match tempfile::NamedTempFile::new() {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        if let Err(e) = file.write_all(text.as_bytes()) {
            panic!("{e}");
        }
        file
    }

    fn options() -> TextOptions {
        TextOptions {
            encoding: None,
            delimiter: None,
        }
    }

    #[test]
    fn counts_pairs_and_skips_incomplete_ones() {
        let file = write_csv(
            "id,F_a,D_a,D_b,F_b\n\
             1,1,5,5,2\n\
             2,like,dislike,,2\n\
             3,NA,5,5,2\n\
             4,1,1,5,must-be\n",
        );
        let tally = read_responses(file.path(), &options(), &Labels::new());
        let tally = match tally {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(tally.rows, 4);
        let ids: Vec<_> = tally.features.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        let a = tally.features[0].1;
        assert_eq!((a.o, a.q, a.n()), (2, 1, 3));
        let b = tally.features[1].1;
        assert_eq!((b.m, b.n()), (3, 3));
    }

    #[test]
    fn collects_every_bad_cell() {
        let file = write_csv("F_a,D_a\n7,5\n1,maybe\n1,5\n");
        let err = read_responses(file.path(), &options(), &Labels::new());
        let Err(Problems(list)) = err else {
            panic!("expected problems")
        };
        assert_eq!(list.len(), 2);
        assert_eq!((list[0].line, list[0].column), (Some(2), Some(1)));
        assert_eq!(list[0].field.as_deref(), Some("F_a"));
        assert_eq!(list[0].found.as_deref(), Some("7"));
        assert_eq!((list[1].line, list[1].column), (Some(3), Some(2)));
        assert_eq!(list[1].field.as_deref(), Some("D_a"));
    }

    #[test]
    fn caps_the_listed_problems() {
        let mut text = String::from("F_a,D_a\n");
        for _ in 0..60 {
            text.push_str("x,y\n");
        }
        let file = write_csv(&text);
        let Err(Problems(list)) = read_responses(file.path(), &options(), &Labels::new()) else {
            panic!("expected problems")
        };
        assert_eq!(list.len(), MAX_LISTED_PROBLEMS + 1);
        assert_eq!(list[MAX_LISTED_PROBLEMS].message, "and 70 more problems");
    }

    #[test]
    fn header_problems() {
        let file = write_csv("id,F_a,D_b,F_c,D_c,F_c\n1,1,5,1,5,1\n");
        let Err(Problems(list)) = read_responses(file.path(), &options(), &Labels::new()) else {
            panic!("expected problems")
        };
        let fields: Vec<_> = list.iter().filter_map(|p| p.field.as_deref()).collect();
        assert!(fields.contains(&"F_c"), "{list:?}");
        assert!(fields.contains(&"D_a"), "{list:?}");
        assert!(fields.contains(&"F_b"), "{list:?}");

        let none = write_csv("id,name\n1,x\n");
        assert!(read_responses(none.path(), &options(), &Labels::new()).is_err());
    }

    #[test]
    fn custom_labels_are_read() {
        let mut labels = Labels::new();
        assert!(labels.add("喜欢", Answer::Like).is_ok());
        assert!(labels.add("不喜欢", Answer::Dislike).is_ok());
        let file = write_csv("F_a,D_a\n喜欢,不喜欢\n");
        let tally = read_responses(file.path(), &options(), &labels);
        assert_eq!(tally.map(|t| t.features[0].1.o), Ok(1));
    }
}
