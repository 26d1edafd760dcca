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

/// The day of a date cell, `YYYY-MM-DD` optionally followed by a time (after `T` or a
/// space), as its first ten bytes; `None` unless it is a day of the calendar.
#[inline]
pub(crate) fn iso_day(cell: &[u8]) -> Option<&[u8]> {
    let cell = trim(cell);
    let day = cell.get(..10)?;
    if !matches!(cell.get(10), None | Some(b'T' | b' ')) {
        return None;
    }
    let digit = |i: usize| match day.get(i) {
        Some(d @ b'0'..=b'9') => Some(u32::from(d - b'0')),
        _ => None,
    };
    if day.get(4) != Some(&b'-') || day.get(7) != Some(&b'-') {
        return None;
    }
    let year = digit(0)? * 1000 + digit(1)? * 100 + digit(2)? * 10 + digit(3)?;
    let month = digit(5)? * 10 + digit(6)?;
    let day_of_month = digit(8)? * 10 + digit(9)?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day_of_month).then_some(day)
}

/// The date of a date cell (see [`iso_day`]).
pub(crate) fn parse_date(cell: &[u8]) -> Option<chrono::NaiveDate> {
    let day = std::str::from_utf8(iso_day(cell)?).ok()?;
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// The days of the periods a run reads, as ISO bytes: ISO days order as their bytes
/// do, so a row's day is placed by comparisons, without making it a date.
///
/// A run reads its own period and, with `--history`, the periods just before it: one
/// span of consecutive periods, each starting the day after the one before ends. A row is
/// placed in the period of its day by its index in the span, oldest first; the run's own
/// period is the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DateBounds {
    /// Each period's first day, oldest first.
    starts: Vec<[u8; 10]>,
    /// The last day of the last period.
    end: [u8; 10],
}

/// Where a row's date cell puts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placed {
    /// A day of the period at this index of the span (see [`DateBounds`]).
    Inside(usize),
    /// A day outside every period read.
    Outside,
    /// Not a date (or empty).
    NotADate,
}

/// A day as the ISO bytes a date cell holds.
fn iso_bytes(day: chrono::NaiveDate) -> [u8; 10] {
    let mut out = [b'0'; 10];
    for (slot, byte) in out
        .iter_mut()
        .zip(day.format("%Y-%m-%d").to_string().bytes())
    {
        *slot = byte;
    }
    out
}

impl DateBounds {
    /// The bounds of the period from `start` to `end`, both included.
    #[cfg(test)]
    pub fn new(start: chrono::NaiveDate, end: chrono::NaiveDate) -> DateBounds {
        DateBounds {
            starts: vec![iso_bytes(start)],
            end: iso_bytes(end),
        }
    }

    /// The bounds of the periods a run of `meta` reads: its earlier periods (`--history`),
    /// then its own.
    pub fn of_run(meta: &crate::definition::Meta) -> DateBounds {
        let starts = meta.earlier_periods.iter().map(|p| p.start);
        DateBounds {
            starts: starts.chain([meta.period_start]).map(iso_bytes).collect(),
            end: iso_bytes(meta.period_end),
        }
    }

    /// Where the date cell `cell` puts its row.
    #[inline]
    pub fn place(&self, cell: &[u8]) -> Placed {
        let Some(day) = iso_day(cell) else {
            return Placed::NotADate;
        };
        if day > self.end.as_slice() {
            return Placed::Outside;
        }
        // The last period that starts on or before the day; looked for from the end, so
        // that a row of the run's own period (the last) costs one comparison.
        match self
            .starts
            .iter()
            .rposition(|start| start.as_slice() <= day)
        {
            Some(k) => Placed::Inside(k),
            None => Placed::Outside,
        }
    }

    /// Whether the period at `index` of the span is the run's own (the last), whose rows
    /// the report counts as `in_period`; rows of the earlier ones count as outside it.
    #[inline]
    pub fn is_reported(&self, index: usize) -> bool {
        index + 1 == self.starts.len()
    }

    /// The index of the run's own period in the span: the period of a row without a date
    /// column's file is every period, which the accumulators of the history handle.
    pub fn reported(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_days_with_an_optional_time() {
        assert_eq!(iso_day(b"2026-10-05"), Some(&b"2026-10-05"[..]));
        assert_eq!(iso_day(b" 2026-10-05T09:30:00 "), Some(&b"2026-10-05"[..]));
        assert_eq!(iso_day(b"2026-10-05 09:30"), Some(&b"2026-10-05"[..]));
        assert_eq!(iso_day(b"2024-02-29"), Some(&b"2024-02-29"[..]));
        for bad in [
            &b"2026-13-45"[..],
            b"2025-02-29",
            b"2026-04-31",
            b"2026-10-00",
            b"banana",
            b"",
            b"2026-10-051",
            b"05/10/2026",
            b"2026/10/05",
        ] {
            assert_eq!(iso_day(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        let day = chrono::NaiveDate::from_ymd_opt(2026, 10, 5);
        assert_eq!(parse_date(b"2026-10-05T23:59"), day);
    }

    #[test]
    fn a_row_is_in_the_period_from_its_first_to_its_last_day() {
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default();
        let october = DateBounds::new(day(10, 1), day(10, 31));
        assert_eq!(october.place(b"2026-10-01"), Placed::Inside(0));
        assert_eq!(october.place(b"2026-10-31T23:59:59"), Placed::Inside(0));
        assert_eq!(october.place(b"2026-09-30"), Placed::Outside);
        assert_eq!(october.place(b"2026-11-01"), Placed::Outside);
        assert_eq!(october.place(b"2026-10-32"), Placed::NotADate);
        assert_eq!(october.place(b"banana"), Placed::NotADate);
        assert!(october.is_reported(0));
    }

    #[test]
    fn a_row_of_a_span_is_placed_in_the_period_of_its_day() {
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default();
        let mut span = DateBounds::new(day(10, 1), day(10, 31));
        span.starts = [day(8, 1), day(9, 1), day(10, 1)].map(iso_bytes).to_vec();
        assert_eq!(span.place(b"2026-07-31"), Placed::Outside);
        assert_eq!(span.place(b"2026-08-01"), Placed::Inside(0));
        assert_eq!(span.place(b"2026-08-31T23:00"), Placed::Inside(0));
        assert_eq!(span.place(b"2026-09-01"), Placed::Inside(1));
        assert_eq!(span.place(b"2026-09-30"), Placed::Inside(1));
        assert_eq!(span.place(b"2026-10-01"), Placed::Inside(2));
        assert_eq!(span.place(b"2026-10-31"), Placed::Inside(2));
        assert_eq!(span.place(b"2026-11-01"), Placed::Outside);
        assert_eq!(
            (span.is_reported(1), span.is_reported(2), span.reported()),
            (false, true, 2)
        );
    }

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
