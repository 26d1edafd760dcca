//! Parsing one answer cell: numbers, missing markers, yes/no words.

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
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
pub fn parse_number_cell(cell: &[u8]) -> Option<Answer> {
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
pub fn is_missing_marker(cell: &[u8]) -> bool {
    let cell = trim(cell);
    cell.eq_ignore_ascii_case(b"na") || cell.eq_ignore_ascii_case(b"n/a")
}

/// Trims ASCII white space (survey tools pad cells).
pub fn trim(cell: &[u8]) -> &[u8] {
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
