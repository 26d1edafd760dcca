//! Turning what a survey tool wrote in a cell into the value the data file holds.

use std::collections::HashMap;

use super::target::ValueKind;
use crate::definition::Scale;
use crate::sources::answers::{iso_day, parse_number_cell, Answer};

/// Answer labels and the values they stand for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Labels {
    /// Normalised label -> value (a number, `yes` or `no`; empty for not answered).
    table: HashMap<String, String>,
    /// Whether a label is a number of one or two digits (a map file may relabel `1`), so
    /// [`convert_into`] cannot take such a cell for the number it looks like.
    numeric_labels: bool,
}

/// The agreement labels of a 7-point Likert scale, in English and Chinese.
const SEVEN: &[(&str, u8)] = &[
    ("strongly disagree", 1),
    ("disagree", 2),
    ("somewhat disagree", 3),
    ("slightly disagree", 3),
    ("neither agree nor disagree", 4),
    ("neutral", 4),
    ("somewhat agree", 5),
    ("slightly agree", 5),
    ("agree", 6),
    ("strongly agree", 7),
    ("非常不同意", 1),
    ("完全不同意", 1),
    ("不同意", 2),
    ("有点不同意", 3),
    ("比较不同意", 3),
    ("一般", 4),
    ("中立", 4),
    ("既不同意也不反对", 4),
    ("有点同意", 5),
    ("比较同意", 5),
    ("同意", 6),
    ("非常同意", 7),
    ("完全同意", 7),
];

/// The agreement labels of a 5-point Likert scale, in English and Chinese.
const FIVE: &[(&str, u8)] = &[
    ("strongly disagree", 1),
    ("disagree", 2),
    ("neither agree nor disagree", 3),
    ("neutral", 3),
    ("agree", 4),
    ("strongly agree", 5),
    ("非常不同意", 1),
    ("完全不同意", 1),
    ("不同意", 2),
    ("一般", 3),
    ("中立", 3),
    ("既不同意也不反对", 3),
    ("同意", 4),
    ("非常同意", 5),
    ("完全同意", 5),
];

/// Words for yes, no and not applicable (docs/import.md#answer-conversion).
const YES: &[&str] = &["yes", "y", "true", "是", "有"];
const NO: &[&str] = &["no", "n", "false", "否", "没有", "无"];
const NOT_APPLICABLE: &[&str] = &["na", "n/a", "not applicable", "不适用"];

/// Lower case with inner white space collapsed, for comparing labels.
fn norm(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for word in label.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    // The usual label is ASCII: lower-cased in place, without a second string.
    if out.is_ascii() {
        out.make_ascii_lowercase();
        out
    } else {
        out.to_lowercase()
    }
}

impl Labels {
    /// The default table for `scale`: agreement labels for 1..5 and 1..7 scales.
    pub(crate) fn for_scale(scale: Scale) -> Labels {
        let table = if scale.min == 1.0 && scale.max == 7.0 {
            SEVEN
        } else if scale.min == 1.0 && scale.max == 5.0 {
            FIVE
        } else {
            &[]
        };
        let mut labels = Labels::default();
        for (l, v) in table {
            labels.set(l, v.to_string());
        }
        labels
    }

    /// Adds or replaces a label (from the map file).
    pub(crate) fn set(&mut self, label: &str, value: String) {
        let label = norm(label);
        self.numeric_labels |= small_integer(&label).is_some();
        self.table.insert(label, value);
    }

    /// The value a label stands for, given the label as [`norm`] leaves it.
    fn get(&self, normalised: &str) -> Option<&str> {
        self.table.get(normalised).map(String::as_str)
    }
}

/// Formats a number as the data file holds it: `7`, `4.5`.
pub(crate) fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Converts one answer cell for a column of `kind`: the text to write, or what was expected.
pub(crate) fn convert(kind: &ValueKind, labels: &Labels, cell: &str) -> Result<String, String> {
    let cell = cell.trim();
    let lower = norm(cell);
    if cell.is_empty() || NOT_APPLICABLE.contains(&lower.as_str()) {
        return Ok(String::new());
    }
    // A label from the table (the map file's own labels come first, they replace defaults).
    let labelled = labels.get(&lower).map(str::to_string).or_else(|| {
        // "7 - Strongly agree", "7 = Strongly agree", "7. Strongly agree": the number leads.
        let digits: String = cell.chars().take_while(|c| c.is_ascii_digit()).collect();
        let rest = cell[digits.len()..].trim_start();
        (!digits.is_empty() && rest.starts_with(['-', '=', '.', ':', '–', '（', '(']))
            .then_some(digits)
    });
    let value = labelled.as_deref().unwrap_or(cell);
    // Yes and no words count in yes/no columns only.
    let value_lower = match (kind, &labelled) {
        (ValueKind::YesNo, Some(v)) => norm(v),
        (ValueKind::YesNo, None) => lower,
        _ => String::new(),
    };
    let is_yes = YES.contains(&value_lower.as_str());
    let is_no = NO.contains(&value_lower.as_str());
    let number = match parse_number_cell(value.as_bytes()) {
        Some(Answer::Number(x)) => Some(x),
        Some(Answer::Missing) => return Ok(String::new()),
        None => None,
    };
    let likert_expected = |scale: &Scale| {
        format!(
            "a number from {} to {}, an answer label such as \"Strongly agree\" or 非常同意 (add others under `labels:` in the map file), or N/A",
            scale.min, scale.max
        )
    };
    match kind {
        ValueKind::Likert(scale) => match number {
            Some(x) if scale.contains(x) => Ok(format_number(x)),
            _ => Err(likert_expected(scale)),
        },
        ValueKind::Points => match number {
            Some(x) if (0.0..=100.0).contains(&x) => Ok(format_number(x)),
            _ => Err("a number of importance points from 0 to 100".into()),
        },
        ValueKind::YesNo => match (is_yes, is_no, number) {
            (true, _, _) | (_, _, Some(1.0)) => Ok("yes".into()),
            (_, true, _) | (_, _, Some(0.0)) => Ok("no".into()),
            _ => Err("yes or no (yes/no, y/n, 1/0, 是/否), or N/A".into()),
        },
        ValueKind::Range(min, max) => match number {
            Some(x) if x >= *min && x <= *max => Ok(format_number(x)),
            _ => Err(format!("a number from {min} to {max}, or N/A")),
        },
    }
}

/// `cell.trim()`, with no look at the middle when both ends are plainly not white space
/// (printable ASCII), as they are in nearly every cell.
pub(crate) fn trim_cell(cell: &str) -> &str {
    match cell.as_bytes() {
        [] => cell,
        [first, .., last] | [first @ last]
            if first.is_ascii_graphic() && last.is_ascii_graphic() =>
        {
            cell
        }
        _ => cell.trim(),
    }
}

/// 00 to 99, two characters each.
const TWO_DIGITS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// A cell of one or two ASCII digits, as a number: the usual answer cell.
fn small_integer(cell: &str) -> Option<u8> {
    match *cell.as_bytes() {
        [d @ b'0'..=b'9'] => Some(d - b'0'),
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

/// [`convert`] into `out` (cleared first). The usual cells, empty or a whole number of one
/// or two digits in range, are done here without allocating; what [`convert`] would do
/// for them is spelt out in the comments. Anything else goes through [`convert`].
pub(crate) fn convert_into(
    kind: &ValueKind,
    labels: &Labels,
    cell: &str,
    out: &mut String,
) -> Result<(), String> {
    out.clear();
    let cell = trim_cell(cell);
    // `convert`: an empty cell is "not answered".
    if cell.is_empty() {
        return Ok(());
    }
    // `convert`: no label matches (none is a small number); no `7 - Agree` form (nothing
    // follows the digits); not yes/no; `parse_number_cell` gives the number; in range it
    // is written by `format_number`, which for a whole number prints its digits without
    // leading zeros (`07` -> `7`). Yes/no columns keep their own words, so they go the long way.
    if let (false, Some(x)) = (labels.numeric_labels, small_integer(cell)) {
        if written_as_number(kind, x) {
            // `x` without a leading zero: the last one or two of its two digits.
            let at = usize::from(x) * 2;
            let from = if x >= 10 { at } else { at + 1 };
            out.push_str(TWO_DIGITS.get(from..at + 2).unwrap_or_default());
            return Ok(());
        }
    }
    out.push_str(&convert(kind, labels, cell)?);
    Ok(())
}

/// Whether the whole number `x` (0 to 99) is an answer of `kind` that [`convert`] writes
/// as a number (yes/no columns keep their own words).
fn written_as_number(kind: &ValueKind, x: u8) -> bool {
    let v = f64::from(x);
    match kind {
        ValueKind::Likert(scale) => scale.contains(v),
        ValueKind::Points => v <= 100.0,
        ValueKind::Range(min, max) => v >= *min && v <= *max,
        ValueKind::YesNo => false,
    }
}

/// For each digit `d`, whether [`convert_into`] gives the cell `d` back as it is: the
/// number is an answer of `kind` and no label looks like a number. Lets a caller skip the
/// conversion of the usual cell.
pub(crate) fn one_digit_answers(kind: &ValueKind, labels: &Labels) -> [bool; 10] {
    std::array::from_fn(|d| !labels.numeric_labels && written_as_number(kind, d as u8))
}

/// [`convert_date`] into `out` (cleared first); `false` if the cell is not a date. A plain
/// `YYYY-MM-DD` of a real date is copied as it is (what parsing and formatting it gives);
/// anything else goes through [`convert_date`].
pub(crate) fn convert_date_into(cell: &str, out: &mut String) -> bool {
    out.clear();
    let cell = trim_cell(cell);
    if let Some(date) = iso_date(cell) {
        out.push_str(date);
        return true;
    }
    match convert_date(cell) {
        Some(d) => {
            out.push_str(&d);
            true
        }
        None => false,
    }
}

/// `cell` if it is exactly `YYYY-MM-DD` (year 1000 or later) and that day exists: the
/// reader's calendar check, without a time of day.
fn iso_date(cell: &str) -> Option<&str> {
    let b = cell.as_bytes();
    (b.len() == 10 && b[0] != b'0' && iso_day(b).is_some()).then_some(cell)
}

/// What a date cell must look like (for messages).
pub(crate) const DATE_EXPECTED: &str =
    "a date: YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, DD.MM.YYYY or YYYY年MM月DD日 (a time after it is ignored)";

/// A date cell as `YYYY-MM-DD`; `None` if it is not a date any of the tools write.
///
/// Only the first word counts, so times and zones (`10:22:13 AM GMT+8`) are dropped.
/// Slashed dates with the year last are US month/day, as Google Forms and SurveyMonkey
/// write them in their default locale.
pub(crate) fn convert_date(cell: &str) -> Option<String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Some(String::new());
    }
    let first = cell.split(['T', ' ']).next().unwrap_or(cell);
    [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%m/%d/%Y",
        "%d.%m.%Y",
        "%Y年%m月%d日",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDate::parse_from_str(first, f).ok())
    .map(|d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEVEN_POINT: Scale = Scale { min: 1.0, max: 7.0 };

    #[test]
    fn labels_on_a_seven_point_scale() {
        let labels = Labels::for_scale(SEVEN_POINT);
        let k = ValueKind::Likert(SEVEN_POINT);
        assert_eq!(convert(&k, &labels, "Strongly agree").as_deref(), Ok("7"));
        assert_eq!(
            convert(&k, &labels, " strongly  AGREE ").as_deref(),
            Ok("7")
        );
        assert_eq!(convert(&k, &labels, "非常同意").as_deref(), Ok("7"));
        assert_eq!(convert(&k, &labels, "有点不同意").as_deref(), Ok("3"));
        assert_eq!(convert(&k, &labels, "6 - Agree").as_deref(), Ok("6"));
        assert_eq!(convert(&k, &labels, "5").as_deref(), Ok("5"));
        assert_eq!(convert(&k, &labels, "N/A").as_deref(), Ok(""));
        assert_eq!(convert(&k, &labels, "").as_deref(), Ok(""));
        assert!(convert(&k, &labels, "8").is_err());
        assert!(convert(&k, &labels, "Love it").is_err());
    }

    #[test]
    fn labels_on_a_five_point_scale_and_overrides() {
        let five = Scale { min: 1.0, max: 5.0 };
        let mut labels = Labels::for_scale(five);
        let k = ValueKind::Likert(five);
        // On five points "Agree" is 4, not 6.
        assert_eq!(convert(&k, &labels, "Agree").as_deref(), Ok("4"));
        assert_eq!(convert(&k, &labels, "非常同意").as_deref(), Ok("5"));
        labels.set("Top box", "5".into());
        assert_eq!(convert(&k, &labels, "top box").as_deref(), Ok("5"));
        // A map file may say a label means "not answered".
        labels.set("Not relevant", "N/A".into());
        assert_eq!(convert(&k, &labels, "not relevant").as_deref(), Ok(""));
    }

    #[test]
    fn one_digit_answers_are_what_convert_gives() {
        let seven = ValueKind::Likert(SEVEN_POINT);
        let mut labels = Labels::for_scale(SEVEN_POINT);
        let kinds = [seven.clone(), ValueKind::YesNo, ValueKind::Range(2.0, 4.0)];
        let check = |labels: &Labels| {
            for kind in &kinds {
                let fast = one_digit_answers(kind, labels);
                for d in 0..10u8 {
                    let cell = d.to_string();
                    let slow = convert(kind, labels, &cell);
                    // Taken as it is only where convert gives the same text back.
                    if fast[usize::from(d)] {
                        assert_eq!(slow.as_deref(), Ok(cell.as_str()), "{kind:?} {d}");
                    }
                }
            }
        };
        check(&labels);
        assert_eq!(
            one_digit_answers(&seven, &labels),
            [false, true, true, true, true, true, true, true, false, false]
        );
        assert_eq!(one_digit_answers(&ValueKind::YesNo, &labels), [false; 10]);
        // A map file that relabels `1` turns the shortcut off.
        labels.set("1", "7".into());
        check(&labels);
        assert_eq!(one_digit_answers(&seven, &labels), [false; 10]);
    }

    #[test]
    fn yes_no_and_form_scales() {
        let labels = Labels::default();
        for yes in ["yes", "Y", "1", "是"] {
            assert_eq!(
                convert(&ValueKind::YesNo, &labels, yes).as_deref(),
                Ok("yes")
            );
        }
        for no in ["No", "n", "0", "否"] {
            assert_eq!(convert(&ValueKind::YesNo, &labels, no).as_deref(), Ok("no"));
        }
        assert_eq!(
            convert(&ValueKind::YesNo, &labels, "不适用").as_deref(),
            Ok("")
        );
        assert!(convert(&ValueKind::YesNo, &labels, "2").is_err());
        assert_eq!(
            convert(&ValueKind::Range(1.0, 5.0), &labels, "4").as_deref(),
            Ok("4")
        );
        assert!(convert(&ValueKind::Range(1.0, 5.0), &labels, "6").is_err());
        assert_eq!(
            convert(&ValueKind::Points, &labels, "25").as_deref(),
            Ok("25")
        );
        assert!(convert(&ValueKind::Points, &labels, "125").is_err());
    }

    #[test]
    fn trimming_cells() {
        for cell in [
            "",
            " ",
            "7",
            " 7",
            "7 ",
            " 7 ",
            "a b",
            "\u{3000}是\u{3000}",
            "是",
            "\t1\r",
        ] {
            assert_eq!(trim_cell(cell), cell.trim(), "{cell:?}");
        }
    }

    #[test]
    fn the_short_ways_agree_with_the_long_ones() {
        let seven = ValueKind::Likert(SEVEN_POINT);
        let kinds = [
            seven.clone(),
            ValueKind::Points,
            ValueKind::YesNo,
            ValueKind::Range(0.0, 10.0),
        ];
        let cells = [
            "", " ", "0", "1", " 7 ", "07", "8", "10", "99", "100", "1.5", "n/a", "agree", "x",
        ];
        let mut relabelled = Labels::for_scale(SEVEN_POINT);
        // A map file that reverses a number: the short way must not read "1" as 1.
        relabelled.set("1", "7".into());
        let mut out = String::from("left over");
        for labels in [Labels::for_scale(SEVEN_POINT), relabelled] {
            for kind in &kinds {
                for cell in cells {
                    let got = convert_into(kind, &labels, cell, &mut out).map(|()| out.clone());
                    assert_eq!(got, convert(kind, &labels, cell), "{kind:?} {cell:?}");
                }
            }
        }
        // "1" relabelled to 7 on the seven-point scale; "07" is no label, so 7 as well.
        let mut relabelled = Labels::for_scale(SEVEN_POINT);
        relabelled.set("1", "7".into());
        assert_eq!(convert_into(&seven, &relabelled, "1", &mut out), Ok(()));
        assert_eq!(out, "7");
        for cell in [
            "2026-07-15",
            " 2026-07-15 ",
            "2026-02-29",
            "2028-02-29",
            "2000-02-29",
            "2100-02-29",
            "2026-04-31",
            "2026-12-31",
            "2026-00-10",
            "2026-01-00",
            "0999-01-01",
            "2026-7-15",
            "2026-07-15 10:22",
            "7/15/2026",
            "2026-13-01",
            "",
            "yesterday",
        ] {
            let ok = convert_date_into(cell, &mut out);
            assert_eq!(ok.then(|| out.clone()), convert_date(cell), "{cell:?}");
        }
    }

    #[test]
    fn dates_from_each_tool() {
        assert_eq!(
            convert_date("2026-07-15 10:22:13").as_deref(),
            Some("2026-07-15")
        );
        assert_eq!(
            convert_date("7/15/2026 10:22:13").as_deref(),
            Some("2026-07-15")
        );
        assert_eq!(
            convert_date("07/15/2026 10:22:13 AM").as_deref(),
            Some("2026-07-15")
        );
        assert_eq!(
            convert_date("2026/07/15 10:22:13 AM GMT+8").as_deref(),
            Some("2026-07-15")
        );
        assert_eq!(
            convert_date("2026-07-15T10:22:13Z").as_deref(),
            Some("2026-07-15")
        );
        assert_eq!(convert_date("2026年10月5日").as_deref(), Some("2026-10-05"));
        assert_eq!(convert_date("05.10.2026").as_deref(), Some("2026-10-05"));
        assert_eq!(convert_date("").as_deref(), Some(""));
        assert_eq!(convert_date("yesterday"), None);
    }
}
