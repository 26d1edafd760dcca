//! Input problems: what was wrong, where, and what was expected.
//!
//! Every user-facing input error is a [`Problem`]. Commands collect as many as they can
//! and fail with [`Problems`], which `main` turns into exit code 2.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with the input, with the place it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The file the problem is in, if any (usage errors have none).
    pub file: Option<PathBuf>,
    /// 1-based line number.
    pub line: Option<u64>,
    /// 1-based column number (for CSV: the field number).
    pub column: Option<u64>,
    /// The field or key, e.g. `weights.tangibles` or `P_R3`.
    pub field: Option<String>,
    /// What went wrong, phrased as a sentence fragment ("weights sum to 95").
    pub message: String,
    /// The value found, if there was one.
    pub found: Option<String>,
    /// What was expected instead.
    pub expected: Option<String>,
}

impl Problem {
    /// A problem with a message only; add the place with the builder methods.
    pub fn new(message: impl Into<String>) -> Self {
        Problem {
            file: None,
            line: None,
            column: None,
            field: None,
            message: message.into(),
            found: None,
            expected: None,
        }
    }

    /// Sets the file.
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.file = Some(path.as_ref().to_path_buf());
        self
    }

    /// Sets the line (1-based).
    pub fn line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets line and column (1-based).
    pub fn at(mut self, line: u64, column: u64) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Sets the field or key name.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Sets the value found.
    pub fn found(mut self, found: impl Into<String>) -> Self {
        self.found = Some(found.into());
        self
    }

    /// Sets what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// This problem as a one-element [`Problems`].
    pub fn into_problems(self) -> Problems {
        Problems::one(self)
    }
}

impl fmt::Display for Problem {
    /// `file:line:column: field: message: found "x", expected y`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = String::new();
        if let Some(file) = &self.file {
            place.push_str(&file.display().to_string());
            if let Some(line) = self.line {
                place.push_str(&format!(":{line}"));
                if let Some(column) = self.column {
                    place.push_str(&format!(":{column}"));
                }
            }
        }
        if !place.is_empty() {
            write!(f, "{place}: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(found) = &self.found {
            write!(f, ": found {found:?}")?;
        }
        if let Some(expected) = &self.expected {
            let sep = if self.found.is_some() { ", " } else { ": " };
            write!(f, "{sep}expected {expected}")?;
        }
        Ok(())
    }
}

/// A non-empty list of problems; the error type for bad input (exit code 2).
#[derive(Debug, Clone, PartialEq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Wraps a single problem.
    pub fn one(problem: Problem) -> Self {
        Problems(vec![problem])
    }

    /// `Ok(())` when `list` is empty, otherwise the problems as an error.
    pub fn check(list: Vec<Problem>) -> Result<(), Problems> {
        if list.is_empty() {
            Ok(())
        } else {
            Err(Problems(list))
        }
    }
}

impl From<Problem> for Problems {
    fn from(problem: Problem) -> Self {
        Problems::one(problem)
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_place_value_and_expectation() {
        let p = Problem::new("answer out of scale")
            .file("data/customers.csv")
            .at(12, 7)
            .field("P_R3")
            .found("9")
            .expected("a number from 1 to 7");
        assert_eq!(
            p.to_string(),
            "data/customers.csv:12:7: P_R3: answer out of scale: found \"9\", expected a number from 1 to 7"
        );
    }

    #[test]
    fn display_without_found() {
        let p = Problem::new("missing key")
            .file("a.yaml")
            .line(3)
            .expected("`items`");
        assert_eq!(p.to_string(), "a.yaml:3: missing key: expected `items`");
    }
}
