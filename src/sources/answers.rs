//! Parsing one answer cell: numbers, missing markers, yes/no words; and the numbers
//! answers are summed in.

use std::fmt::Debug;
use std::ops::{Add, BitAnd, Sub};

/// A number answers are summed in: `f64` as the sequential reader has them, or `i64` for
/// the whole numbers of chunked reading. Each sum takes a value with a 0/1 weight (whether
/// the cell was answered), so that one formula serves both readers.
pub trait Number:
    Copy + Default + PartialEq + Debug + Send + Sync + Add<Output = Self> + Sub<Output = Self>
{
    /// 1 or 0: `bool` for `f64` (a sum branches on it, adding nothing for 0), `i64` for
    /// whole numbers (a sum multiplies by it: no branch in the chunked reader's hot loop).
    type Weight: Copy + PartialEq + Debug + Send + Sync + BitAnd<Output = Self::Weight>;
    /// The weight 1 if `yes`, else 0.
    fn weight(yes: bool) -> Self::Weight;
    /// A weight as a count (1 or 0).
    fn count(weight: Self::Weight) -> i64;
    /// `self` if `weight` is 1, else 0.
    fn weigh(self, weight: Self::Weight) -> Self;
    /// As a float: exact for whole numbers below 2^53.
    fn to_f64(self) -> f64;
}

impl Number for f64 {
    type Weight = bool;
    #[inline]
    fn weight(yes: bool) -> bool {
        yes
    }
    #[inline]
    fn count(weight: bool) -> i64 {
        i64::from(weight)
    }
    #[inline]
    fn weigh(self, weight: bool) -> f64 {
        if weight {
            self
        } else {
            0.0
        }
    }
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
}

impl Number for i64 {
    type Weight = i64;
    #[inline]
    fn weight(yes: bool) -> i64 {
        i64::from(yes)
    }
    #[inline]
    fn count(weight: i64) -> i64 {
        weight
    }
    #[inline]
    fn weigh(self, weight: i64) -> i64 {
        self * weight
    }
    #[inline]
    fn to_f64(self) -> f64 {
        // `as` is exact below 2^53, the bound chunked reading keeps every sum under.
        self as f64
    }
}

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Answer {
    /// Not answered: empty, `NA`, `N/A` (any case).
    Missing,
    /// A number.
    Number(f64),
}

/// Parses a survey cell; `None` if it is neither a number nor a missing marker.
///
/// Small integers, by far the commonest answers, are parsed without going through
/// `str` or a float parser. A decimal comma (`4,5`) is accepted because European Excel
/// writes it in `;`-separated files.
pub(crate) fn parse_number_cell(cell: &[u8]) -> Option<Answer> {
    let cell = trim(cell);
    match cell {
        [] => return Some(Answer::Missing),
        [d @ b'0'..=b'9'] => return Some(Answer::Number(f64::from(d - b'0'))),
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => {
            return Some(Answer::Number(f64::from((a - b'0') * 10 + (b - b'0'))))
        }
        _ => {}
    }
    if is_missing_marker(cell) {
        return Some(Answer::Missing);
    }
    let text = std::str::from_utf8(cell).ok()?;
    let value: f64 = if text.contains(',') && !text.contains('.') && text.matches(',').count() == 1
    {
        text.replace(',', ".").parse().ok()?
    } else {
        text.parse().ok()?
    };
    value.is_finite().then_some(Answer::Number(value))
}

/// `NA`, `N/A` in any case (after trimming).
pub(crate) fn is_missing_marker(cell: &[u8]) -> bool {
    let cell = trim(cell);
    cell.eq_ignore_ascii_case(b"na") || cell.eq_ignore_ascii_case(b"n/a")
}

/// Trims ASCII white space (survey tools pad cells).
pub(crate) fn trim(cell: &[u8]) -> &[u8] {
    let start = cell
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(cell.len());
    let end = cell
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &cell[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_missing() {
        assert_eq!(parse_number_cell(b"5"), Some(Answer::Number(5.0)));
        assert_eq!(parse_number_cell(b" 7 "), Some(Answer::Number(7.0)));
        assert_eq!(parse_number_cell(b"10"), Some(Answer::Number(10.0)));
        assert_eq!(parse_number_cell(b"4.5"), Some(Answer::Number(4.5)));
        assert_eq!(parse_number_cell(b"4,5"), Some(Answer::Number(4.5)));
        assert_eq!(parse_number_cell(b"-1"), Some(Answer::Number(-1.0)));
        assert_eq!(parse_number_cell(b""), Some(Answer::Missing));
        assert_eq!(parse_number_cell(b"  "), Some(Answer::Missing));
        assert_eq!(parse_number_cell(b"NA"), Some(Answer::Missing));
        assert_eq!(parse_number_cell(b"n/a"), Some(Answer::Missing));
        assert_eq!(parse_number_cell(b"five"), None);
        assert_eq!(parse_number_cell(b"inf"), None);
        assert_eq!(parse_number_cell(b"NaN"), None);
    }
}
