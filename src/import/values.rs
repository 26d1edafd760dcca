//! Turning what a survey tool wrote in a cell into the value the data file holds.

use std::collections::HashMap;

use std::path::Path;

use chrono::format::{Item, Parsed, StrftimeItems};

use super::target::ValueKind;
use crate::definition::Scale;
use crate::problem::Problem;
use crate::sources::answers::{iso_day, parse_number_cell, Answer};

/// Answer labels and the values they stand for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Labels {
    /// Normalised label -> value (a number, `yes` or `no`; empty for not answered).
    table: HashMap<String, String>,
    /// Whether a label is a number of one or two digits (a map file may relabel `1`), so
    /// [`convert_into`] cannot take such a cell for the number it looks like.
    numeric_labels: bool,
    /// How date cells are read (the order declared, or the tool's own).
    dates: DateRule,
}

/// The agreement labels of a 7-point Likert scale, in English, Chinese, Korean, Japanese,
/// German, French, Spanish and Italian (docs/import.md#answer-words).
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
    // Korean: "not at all so" .. "very much so", and the agreement wording.
    ("전혀 그렇지 않다", 1),
    ("그렇지 않다", 2),
    ("약간 그렇지 않다", 3),
    ("보통이다", 4),
    ("약간 그렇다", 5),
    ("그렇다", 6),
    ("매우 그렇다", 7),
    ("전혀 동의하지 않음", 1),
    ("전혀 동의하지 않는다", 1),
    ("동의하지 않음", 2),
    ("동의하지 않는다", 2),
    ("약간 동의하지 않음", 3),
    ("약간 동의하지 않는다", 3),
    ("보통", 4),
    ("중립", 4),
    ("약간 동의", 5),
    ("약간 동의함", 5),
    ("약간 동의한다", 5),
    ("동의", 6),
    ("동의함", 6),
    ("동의한다", 6),
    ("매우 동의", 7),
    ("매우 동의함", 7),
    ("매우 동의한다", 7),
    // Japanese.
    ("全くそう思わない", 1),
    ("まったくそう思わない", 1),
    ("そう思わない", 2),
    ("あまりそう思わない", 3),
    ("ややそう思わない", 3),
    ("どちらともいえない", 4),
    ("どちらとも言えない", 4),
    ("ややそう思う", 5),
    ("まあそう思う", 5),
    ("そう思う", 6),
    ("とてもそう思う", 7),
    ("強くそう思う", 7),
    ("非常にそう思う", 7),
    ("全く同意しない", 1),
    ("強く同意しない", 1),
    ("同意しない", 2),
    ("やや同意しない", 3),
    ("どちらでもない", 4),
    ("やや同意する", 5),
    ("同意する", 6),
    ("強く同意する", 7),
    // German.
    ("stimme überhaupt nicht zu", 1),
    ("stimme gar nicht zu", 1),
    ("stimme nicht zu", 2),
    ("stimme eher nicht zu", 3),
    ("weder noch", 4),
    ("teils/teils", 4),
    ("teils, teils", 4),
    ("neutral", 4),
    ("stimme eher zu", 5),
    ("stimme zu", 6),
    ("stimme voll zu", 7),
    ("stimme voll und ganz zu", 7),
    ("stimme völlig zu", 7),
    // French.
    ("pas du tout d'accord", 1),
    ("fortement en désaccord", 1),
    ("pas d'accord", 2),
    ("en désaccord", 2),
    ("plutôt pas d'accord", 3),
    ("plutôt en désaccord", 3),
    ("ni d'accord ni pas d'accord", 4),
    ("ni en accord ni en désaccord", 4),
    ("neutre", 4),
    ("plutôt d'accord", 5),
    ("d'accord", 6),
    ("tout à fait d'accord", 7),
    ("totalement d'accord", 7),
    ("fortement en accord", 7),
    // Spanish.
    ("totalmente en desacuerdo", 1),
    ("muy en desacuerdo", 1),
    ("en desacuerdo", 2),
    ("algo en desacuerdo", 3),
    ("ligeramente en desacuerdo", 3),
    ("ni de acuerdo ni en desacuerdo", 4),
    ("neutral", 4),
    ("algo de acuerdo", 5),
    ("ligeramente de acuerdo", 5),
    ("de acuerdo", 6),
    ("totalmente de acuerdo", 7),
    ("muy de acuerdo", 7),
    // Italian.
    ("completamente in disaccordo", 1),
    ("fortemente in disaccordo", 1),
    ("totalmente in disaccordo", 1),
    ("per niente d'accordo", 1),
    ("in disaccordo", 2),
    ("parzialmente in disaccordo", 3),
    ("né d'accordo né in disaccordo", 4),
    ("neutrale", 4),
    ("parzialmente d'accordo", 5),
    ("d'accordo", 6),
    ("completamente d'accordo", 7),
    ("fortemente d'accordo", 7),
    ("totalmente d'accordo", 7),
];

/// The agreement labels of a 5-point Likert scale, in the languages of [`SEVEN`]: the
/// five-point subset, and the words that only a five-point scale uses for its second and
/// fourth points ("stimme eher zu" is 4 here, 5 on seven points).
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
    ("전혀 그렇지 않다", 1),
    ("그렇지 않다", 2),
    ("보통이다", 3),
    ("그렇다", 4),
    ("매우 그렇다", 5),
    ("전혀 동의하지 않음", 1),
    ("전혀 동의하지 않는다", 1),
    ("동의하지 않음", 2),
    ("동의하지 않는다", 2),
    ("보통", 3),
    ("중립", 3),
    ("동의", 4),
    ("동의함", 4),
    ("동의한다", 4),
    ("매우 동의", 5),
    ("매우 동의함", 5),
    ("매우 동의한다", 5),
    ("全くそう思わない", 1),
    ("まったくそう思わない", 1),
    ("そう思わない", 2),
    ("あまりそう思わない", 2),
    ("どちらともいえない", 3),
    ("どちらとも言えない", 3),
    ("そう思う", 4),
    ("ややそう思う", 4),
    ("とてもそう思う", 5),
    ("強くそう思う", 5),
    ("非常にそう思う", 5),
    ("全く同意しない", 1),
    ("強く同意しない", 1),
    ("同意しない", 2),
    ("どちらでもない", 3),
    ("同意する", 4),
    ("強く同意する", 5),
    ("stimme überhaupt nicht zu", 1),
    ("stimme gar nicht zu", 1),
    ("stimme nicht zu", 2),
    ("stimme eher nicht zu", 2),
    ("weder noch", 3),
    ("teils/teils", 3),
    ("teils, teils", 3),
    ("stimme eher zu", 4),
    ("stimme zu", 4),
    ("stimme voll zu", 5),
    ("stimme voll und ganz zu", 5),
    ("stimme völlig zu", 5),
    ("pas du tout d'accord", 1),
    ("fortement en désaccord", 1),
    ("pas d'accord", 2),
    ("plutôt pas d'accord", 2),
    ("en désaccord", 2),
    ("ni d'accord ni pas d'accord", 3),
    ("ni en accord ni en désaccord", 3),
    ("neutre", 3),
    ("d'accord", 4),
    ("plutôt d'accord", 4),
    ("tout à fait d'accord", 5),
    ("totalement d'accord", 5),
    ("fortement en accord", 5),
    ("totalmente en desacuerdo", 1),
    ("muy en desacuerdo", 1),
    ("en desacuerdo", 2),
    ("ni de acuerdo ni en desacuerdo", 3),
    ("de acuerdo", 4),
    ("totalmente de acuerdo", 5),
    ("muy de acuerdo", 5),
    ("completamente in disaccordo", 1),
    ("fortemente in disaccordo", 1),
    ("totalmente in disaccordo", 1),
    ("per niente d'accordo", 1),
    ("in disaccordo", 2),
    ("né d'accordo né in disaccordo", 3),
    ("neutrale", 3),
    ("d'accordo", 4),
    ("completamente d'accordo", 5),
    ("fortemente d'accordo", 5),
    ("totalmente d'accordo", 5),
];

/// Words for yes, no and not applicable (docs/import.md#answer-conversion): English and
/// Chinese, then Korean, Japanese, German, French, Spanish and Italian.
const YES: &[&str] = &[
    "yes", "y", "true", "是", "有", "예", "네", "はい", "ja", "oui", "sí", "si", "sì",
];
const NO: &[&str] = &[
    "no",
    "n",
    "false",
    "否",
    "没有",
    "无",
    "아니요",
    "아니오",
    "いいえ",
    "nein",
    "non",
];
const NOT_APPLICABLE: &[&str] = &["na", "n/a", "not applicable", "不适用"];

/// Marks a tool or a respondent may leave after an answer word: "당연하다.", "同意。".
const TRAILING_MARKS: &[char] = &['.', '。', '!', '！', '．', '｡'];

/// An answer word as compared: lower case, inner white space collapsed, trailing full
/// stops and exclamation marks dropped, typographic apostrophes as `'`
/// (docs/import.md#answer-words).
pub(crate) fn norm(label: &str) -> String {
    let label = label.trim_end_matches(|c: char| c.is_whitespace() || TRAILING_MARKS.contains(&c));
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
        out.to_lowercase().replace(['’', '`', '´'], "'")
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
            // Korean and Japanese answers are written with and without spaces.
            if !l.is_ascii() && l.contains(' ') {
                labels.set(&l.replace(' ', ""), v.to_string());
            }
        }
        labels
    }

    /// Adds or replaces a label (from the map file).
    pub(crate) fn set(&mut self, label: &str, value: String) {
        let label = norm(label);
        self.numeric_labels |= small_integer(&label).is_some();
        self.table.insert(label, value);
    }

    /// These labels, with date cells read by `dates`.
    pub(crate) fn with_dates(mut self, dates: DateRule) -> Labels {
        self.dates = dates;
        self
    }

    /// How date cells are read.
    pub(crate) fn dates(&self) -> &DateRule {
        &self.dates
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

/// The order of day, month and year in a date written with numbers only
/// (`--date-order`, `date_format:` in the map file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DateOrder {
    /// Day, month, year: `25/10/2026`, as most of the world writes it.
    Dmy,
    /// Month, day, year: `10/25/2026`, as the United States write it.
    Mdy,
    /// Year, month, day: `26/10/25` (a four-digit year first is always read so).
    Ymd,
}

impl DateOrder {
    /// The name as given on the command line and in the map file.
    fn name(self) -> &'static str {
        match self {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
            DateOrder::Ymd => "ymd",
        }
    }
}

/// How the import reads date cells: in a declared order or format, or, undeclared, only
/// where the cell cannot be read two ways (docs/import.md#dates).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DateRule {
    /// The order of day and month, declared or the tool's own.
    order: Option<DateOrder>,
    /// A chrono format (`%d/%m/%Y`) from the map file.
    format: Option<String>,
}

impl DateRule {
    /// The rule for an import: `--date-order` (`flag`) over the map file's `date_format:`
    /// (`map_format`, in the map at `map_path`) over the order the tool always writes.
    pub(crate) fn choose(
        flag: Option<DateOrder>,
        map_format: Option<&str>,
        map_path: Option<&Path>,
        tool_order: Option<DateOrder>,
    ) -> Result<DateRule, Problem> {
        if let Some(order) = flag {
            return Ok(DateRule {
                order: Some(order),
                format: None,
            });
        }
        let Some(written) = map_format else {
            return Ok(DateRule {
                order: tool_order,
                format: None,
            });
        };
        let format = written.trim();
        let order = [DateOrder::Dmy, DateOrder::Mdy, DateOrder::Ymd]
            .into_iter()
            .find(|o| format.eq_ignore_ascii_case(o.name()));
        if let Some(order) = order {
            return Ok(DateRule {
                order: Some(order),
                format: None,
            });
        }
        if !is_date_format(format) {
            let mut p = Problem::new("the map's date format cannot read a date")
                .field("date_format")
                .found(written)
                .expected("dmy, mdy or ymd, or a format with a day, a month and a year such as %d/%m/%Y or %m-%d-%y");
            if let Some(path) = map_path {
                p = p.file(path);
            }
            return Err(p);
        }
        Ok(DateRule {
            order: None,
            format: Some(format.to_string()),
        })
    }
}

/// Whether `format` writes and reads back a whole date (a day, a month and a year).
fn is_date_format(format: &str) -> bool {
    use std::fmt::Write as _;
    let items: Vec<Item<'_>> = StrftimeItems::new(format).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return false;
    }
    let Some(sample) =
        chrono::NaiveDate::from_ymd_opt(2026, 10, 25).and_then(|d| d.and_hms_opt(13, 45, 30))
    else {
        return false;
    };
    let mut written = String::new();
    if write!(written, "{}", sample.format_with_items(items.iter())).is_err() {
        return false;
    }
    parse_with_format(&written, format) == Some(sample.date())
}

/// `cell` read with the chrono `format`: the whole cell, or its start up to a white space
/// or `T` (a time the format does not name). A two-digit year is 20YY, with `%y` and also
/// where `%Y` finds only two digits; other years before 1000 are no date.
fn parse_with_format(cell: &str, format: &str) -> Option<chrono::NaiveDate> {
    use chrono::Datelike;
    let mut parsed = Parsed::new();
    let rest =
        chrono::format::parse_and_remainder(&mut parsed, cell, StrftimeItems::new(format)).ok()?;
    if !(rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || c == 'T')) {
        return None;
    }
    let day = parsed.to_naive_date().ok()?;
    // chrono puts %y's 69..99 in the 1900s and reads `%Y` of `20` as the year 20.
    match day.year() {
        _ if format.contains("%y") => day.with_year(2000 + day.year().rem_euclid(100)),
        year @ 0..=99 => day.with_year(2000 + year),
        1000.. => Some(day),
        _ => None,
    }
}

/// The three numbers of a date cell and how they were written, before their order is
/// known: `05/10/2026`, `2026-10-05`, `5.10.26`, `2026年10月5日`, `2026. 10. 5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateShape {
    /// The numbers, in the order written.
    numbers: [u32; 3],
    /// How many digits each has.
    digits: [usize; 3],
    /// The separator between them (`年` for `年月日`).
    separator: char,
}

/// The numbers of `cell` if it starts with a date written with numbers only (a time or
/// anything else after a white space or `T` is left aside); `None` if it does not.
pub(crate) fn date_shape(cell: &str) -> Option<DateShape> {
    let mut chars = cell.trim().chars().peekable();
    let mut numbers = [0u32; 3];
    let mut digits = [0usize; 3];
    let mut separator = None;
    for i in 0..3 {
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            if digits[i] == 4 {
                return None;
            }
            numbers[i] = numbers[i] * 10 + d;
            digits[i] += 1;
            chars.next();
        }
        if digits[i] == 0 {
            return None;
        }
        if i == 2 {
            break;
        }
        let sep = chars.next()?;
        let expected = match (separator, sep) {
            (None, '-' | '/' | '.' | '年') => sep,
            (Some('年'), '月') => '年',
            (Some(s), c) if s == c && s != '年' => s,
            _ => return None,
        };
        separator = Some(expected);
        // Korean dates space their parts: `2026. 10. 5`.
        if expected == '.' {
            while chars.next_if(|c| *c == ' ').is_some() {}
        }
    }
    let separator = separator?;
    let end_mark = match separator {
        '年' => chars.next_if_eq(&'日').is_some(),
        // `2026. 10. 5.` may end with a dot of its own.
        '.' => {
            chars.next_if_eq(&'.');
            true
        }
        _ => true,
    };
    let ends = end_mark && chars.peek().is_none_or(|c| c.is_whitespace() || *c == 'T');
    // A year has two or four digits; the middle number is a month or a day.
    let year_fits = |n: usize| digits[n] == 2 || digits[n] == 4;
    let fits = digits[1] <= 2
        && ((digits[0] == 4 && digits[2] <= 2)
            || (digits[0] <= 2 && year_fits(2))
            || (digits[0] == 2 && digits[2] <= 2));
    (ends && fits).then_some(DateShape {
        numbers,
        digits,
        separator,
    })
}

/// What a date cell reads as.
#[derive(Debug, Clone, PartialEq)]
enum DateRead {
    /// One day.
    Day(chrono::NaiveDate),
    /// Two days or more, as the cell may be read in several orders (day first, month
    /// first, year first).
    Ambiguous(Vec<chrono::NaiveDate>),
    /// No day of the calendar.
    NotADate,
}

impl DateShape {
    /// The day the numbers give in `order`, if it is one (two-digit years are 20YY;
    /// years before 1000 are not dates).
    fn day_in(&self, order: DateOrder) -> Option<chrono::NaiveDate> {
        let [a, b, c] = self.numbers;
        let (year, year_digits, month, day) = match order {
            DateOrder::Dmy => (c, self.digits[2], b, a),
            DateOrder::Mdy => (c, self.digits[2], a, b),
            DateOrder::Ymd => (a, self.digits[0], b, c),
        };
        if year_digits != 2 && year_digits != 4 {
            return None;
        }
        let year = if year_digits == 2 { 2000 + year } else { year };
        if year < 1000 {
            return None;
        }
        chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
    }

    /// The orders the numbers may be in: a four-digit year first is always year, month,
    /// day, as is `年月日`; dotted dates are day first (every locale that writes them);
    /// otherwise `declared`, or every order the widths allow.
    fn orders(&self, declared: Option<DateOrder>) -> Vec<DateOrder> {
        if self.digits[0] == 4 || self.separator == '年' {
            return vec![DateOrder::Ymd];
        }
        if let Some(order) = declared {
            return vec![order];
        }
        if self.separator == '.' {
            return vec![DateOrder::Dmy];
        }
        let mut orders = vec![DateOrder::Dmy, DateOrder::Mdy];
        if self.digits[2] == 2 {
            orders.push(DateOrder::Ymd);
        }
        orders
    }

    /// The day the cell gives, or the two it may give.
    fn read(&self, declared: Option<DateOrder>) -> DateRead {
        let mut days: Vec<chrono::NaiveDate> = Vec::new();
        for order in self.orders(declared) {
            if let Some(day) = self.day_in(order) {
                if !days.contains(&day) {
                    days.push(day);
                }
            }
        }
        match days[..] {
            [day] => DateRead::Day(day),
            [] => DateRead::NotADate,
            _ => DateRead::Ambiguous(days),
        }
    }
}

/// [`convert_date`] into `out` (cleared first). A plain `YYYY-MM-DD` of a real date is
/// copied as it is (what parsing and formatting it gives); anything else goes through
/// [`convert_date`].
pub(crate) fn convert_date_into(
    cell: &str,
    rule: &DateRule,
    out: &mut String,
) -> Result<(), String> {
    out.clear();
    let cell = trim_cell(cell);
    if let Some(date) = iso_date(cell) {
        out.push_str(date);
        return Ok(());
    }
    out.push_str(&convert_date(cell, rule)?);
    Ok(())
}

/// `cell` if it is exactly `YYYY-MM-DD` (year 1000 or later) and that day exists: the
/// reader's calendar check, without a time of day.
fn iso_date(cell: &str) -> Option<&str> {
    let b = cell.as_bytes();
    (b.len() == 10 && b[0] != b'0' && iso_day(b).is_some()).then_some(cell)
}

/// What a date cell must look like (for messages).
const DATE_EXPECTED: &str =
    "a date: YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY, YYYY年MM月DD日, or DD/MM/YYYY and MM/DD/YYYY where the day is past 12 or the order is declared (a time after it is ignored)";

/// How to declare the order of day and month (for messages).
const DECLARE_ORDER: &str =
    "declare the order with `date_format: dmy` (or mdy, ymd) in the map file, or --date-order dmy|mdy|ymd";

/// A date cell as `YYYY-MM-DD` (empty for an empty cell), or what was expected.
///
/// Only the date counts, so times and zones (`10:22:13 AM GMT+8`) are dropped. A cell
/// that reads as two days (`05/10/2026`: 5 October or May 10) is read in the order
/// `rule` declares, and is an error when it declares none: never a guess.
pub(crate) fn convert_date(cell: &str, rule: &DateRule) -> Result<String, String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(String::new());
    }
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let shape = date_shape(cell);
    if let Some(format) = &rule.format {
        // A four-digit year first (ISO) is read as such whatever the format.
        let read = parse_with_format(cell, format).or_else(|| {
            shape
                .filter(|s| s.digits[0] == 4)
                .and_then(|s| s.day_in(DateOrder::Ymd))
        });
        return read
            .map(iso)
            .ok_or_else(|| format!("a date written as the map's date_format `{format}` says"));
    }
    match shape.map(|s| s.read(rule.order)) {
        Some(DateRead::Day(day)) => Ok(iso(day)),
        Some(DateRead::Ambiguous(days)) => Err(format!(
            "a date that reads one way only: this one is {}; {DECLARE_ORDER}",
            days.into_iter().map(iso).collect::<Vec<_>>().join(" or ")
        )),
        _ => match rule.order {
            Some(order) => Err(format!(
                "a date in the declared order {} (or YYYY-MM-DD)",
                order.name()
            )),
            None => Err(DATE_EXPECTED.to_string()),
        },
    }
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
        for yes in ["예", "はい", "Ja", "Oui.", "Sí", "sì"] {
            assert_eq!(
                convert(&ValueKind::YesNo, &labels, yes).as_deref(),
                Ok("yes"),
                "{yes}"
            );
        }
        for no in ["No", "n", "0", "否", "아니요", "いいえ", "Nein", "non"] {
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
            let rule = DateRule::default();
            let got = convert_date_into(cell, &rule, &mut out).map(|()| out.clone());
            assert_eq!(got, convert_date(cell, &rule), "{cell:?}");
        }
    }

    /// `convert_date` with no order declared.
    fn date(cell: &str) -> Result<String, String> {
        convert_date(cell, &DateRule::default())
    }

    /// `convert_date` in `order`.
    fn date_in(order: DateOrder, cell: &str) -> Result<String, String> {
        convert_date(
            cell,
            &DateRule::choose(Some(order), None, None, None).unwrap(),
        )
    }

    #[test]
    fn dates_from_each_tool() {
        assert_eq!(date("2026-07-15 10:22:13").as_deref(), Ok("2026-07-15"));
        assert_eq!(date("7/15/2026 10:22:13").as_deref(), Ok("2026-07-15"));
        assert_eq!(date("07/15/2026 10:22:13 AM").as_deref(), Ok("2026-07-15"));
        assert_eq!(
            date("2026/07/15 10:22:13 AM GMT+8").as_deref(),
            Ok("2026-07-15")
        );
        assert_eq!(date("2026-07-15T10:22:13Z").as_deref(), Ok("2026-07-15"));
        assert_eq!(date("2026年10月5日").as_deref(), Ok("2026-10-05"));
        assert_eq!(date("2026年10月5日 10:22").as_deref(), Ok("2026-10-05"));
        assert_eq!(date("05.10.2026").as_deref(), Ok("2026-10-05"));
        // Google Forms in Korean and Italian.
        assert_eq!(
            date("2026. 10. 5 오후 3:28:46").as_deref(),
            Ok("2026-10-05")
        );
        assert_eq!(date("25/10/2026 19.07.17").as_deref(), Ok("2026-10-25"));
        assert_eq!(date("").as_deref(), Ok(""));
        assert!(date("yesterday").is_err());
    }

    #[test]
    fn an_ambiguous_date_is_never_guessed() {
        // 05/10/2026: 5 October (day first) or May 10 (month first).
        let err = date("05/10/2026").unwrap_err();
        assert!(err.contains("2026-10-05 or 2026-05-10"), "{err}");
        assert!(
            err.contains("date_format: dmy") && err.contains("--date-order"),
            "{err}"
        );
        // Declared, it reads one way.
        assert_eq!(
            date_in(DateOrder::Dmy, "05/10/2026").as_deref(),
            Ok("2026-10-05")
        );
        assert_eq!(
            date_in(DateOrder::Mdy, "05/10/2026").as_deref(),
            Ok("2026-05-10")
        );
        // A day past 12 leaves one reading; the same number twice is one day either way.
        assert_eq!(date("25/10/2026").as_deref(), Ok("2026-10-25"));
        assert_eq!(date("10/25/2026").as_deref(), Ok("2026-10-25"));
        assert_eq!(date("05/05/2026").as_deref(), Ok("2026-05-05"));
        // Declared day first, 10/25/2026 has no month 25.
        assert!(date_in(DateOrder::Dmy, "10/25/2026")
            .unwrap_err()
            .contains("dmy"));
        // A four-digit year first is year, month, day in any declared order.
        assert_eq!(
            date_in(DateOrder::Mdy, "2026-10-05").as_deref(),
            Ok("2026-10-05")
        );
    }

    #[test]
    fn two_digit_years_are_this_century() {
        // 7/2/20 month first: 2 July 2020, never the year 0007 or 1920.
        assert_eq!(
            date_in(DateOrder::Mdy, "7/2/20").as_deref(),
            Ok("2020-07-02")
        );
        assert_eq!(
            date_in(DateOrder::Dmy, "7/2/20").as_deref(),
            Ok("2020-02-07")
        );
        assert_eq!(
            date_in(DateOrder::Ymd, "20/7/2").as_deref(),
            Ok("2020-07-02")
        );
        // Undeclared, 7/2/20 reads two ways (a one-digit 7 is no year), 07/02/20 three;
        // 25/10/20 two (2020-10-25, 2025-10-20).
        assert!(date("7/2/20")
            .unwrap_err()
            .contains("2020-02-07 or 2020-07-02;"));
        assert!(date("07/02/20")
            .unwrap_err()
            .contains("2020-02-07 or 2020-07-02 or 2007-02-20"));
        assert!(date("25/10/20")
            .unwrap_err()
            .contains("2020-10-25 or 2025-10-20"));
        // Day first on a dotted date: 5.10.26 is 5 October 2026.
        assert_eq!(date("5.10.26").as_deref(), Ok("2026-10-05"));
        // A year of three digits, or before 1000, is no date.
        assert!(date("7/2/020").is_err());
        assert!(date("0007-02-07").is_err());
    }

    #[test]
    fn impossible_dates_are_refused() {
        for cell in [
            "2026-13-45",
            "2026-02-30",
            "31/04/2026",
            "2026/00/10",
            "12//2026",
        ] {
            assert!(date(cell).is_err(), "{cell}");
        }
        assert!(date_in(DateOrder::Dmy, "31/02/2026").is_err());
    }

    #[test]
    fn a_declared_format() {
        let rule = |f: &str| DateRule::choose(None, Some(f), None, Some(DateOrder::Mdy));
        let dmy = rule("%d/%m/%Y").unwrap();
        assert_eq!(
            convert_date("05/10/2026 14:03", &dmy).as_deref(),
            Ok("2026-10-05")
        );
        assert_eq!(
            convert_date("2026-10-05", &dmy).as_deref(),
            Ok("2026-10-05")
        );
        assert!(convert_date("10-05-2026", &dmy).is_err());
        // %y is 20YY, also where chrono would put it in the 1900s; so are two digits
        // where %Y expects four; a year from 100 to 999 is no date.
        let long = rule("%m/%d/%Y").unwrap();
        assert_eq!(convert_date("7/2/20", &long).as_deref(), Ok("2020-07-02"));
        assert!(convert_date("7/2/999", &long).is_err());
        let short = rule("%m-%d-%y").unwrap();
        assert_eq!(
            convert_date("07-02-99", &short).as_deref(),
            Ok("2099-07-02")
        );
        // The words work as in --date-order; the map's order wins over the tool's.
        assert_eq!(
            convert_date("05/10/2026", &rule("DMY").unwrap()).as_deref(),
            Ok("2026-10-05")
        );
        // A format without a day, or not a format, is a problem of the map.
        for bad in ["%m/%Y", "%Q", "yyyy-mm-dd"] {
            let p = rule(bad).unwrap_err();
            assert_eq!(p.field.as_deref(), Some("date_format"), "{bad}");
        }
        // --date-order wins over the map's format.
        let flag = DateRule::choose(Some(DateOrder::Mdy), Some("%d/%m/%Y"), None, None).unwrap();
        assert_eq!(
            convert_date("05/10/2026", &flag).as_deref(),
            Ok("2026-05-10")
        );
    }

    #[test]
    fn answer_words_in_eight_languages() {
        let seven = Labels::for_scale(SEVEN_POINT);
        let five_scale = Scale { min: 1.0, max: 5.0 };
        let five = Labels::for_scale(five_scale);
        let k7 = ValueKind::Likert(SEVEN_POINT);
        let k5 = ValueKind::Likert(five_scale);
        for (word, on_seven, on_five) in [
            ("Strongly agree.", "7", "5"),
            ("非常同意。", "7", "5"),
            ("매우 그렇다", "7", "5"),
            ("매우그렇다", "7", "5"),
            ("매우 동의", "7", "5"),
            ("보통이다.", "4", "3"),
            ("とてもそう思う", "7", "5"),
            ("どちらともいえない", "4", "3"),
            ("全くそう思わない", "1", "1"),
            ("Stimme voll zu", "7", "5"),
            ("Stimme eher zu", "5", "4"),
            ("Tout à fait d'accord", "7", "5"),
            ("Tout à fait d’accord !", "7", "5"),
            ("Plutôt pas d'accord", "3", "2"),
            ("Totalmente de acuerdo", "7", "5"),
            ("Ni de acuerdo ni en desacuerdo", "4", "3"),
            ("Completamente d'accordo", "7", "5"),
            ("In disaccordo", "2", "2"),
        ] {
            assert_eq!(
                convert(&k7, &seven, word).as_deref(),
                Ok(on_seven),
                "{word}"
            );
            assert_eq!(convert(&k5, &five, word).as_deref(), Ok(on_five), "{word}");
        }
        // Words only a seven-point scale has are not guessed on five points.
        assert!(convert(&k5, &five, "약간 그렇다").is_err());
        assert_eq!(convert(&k7, &seven, "약간 그렇다").as_deref(), Ok("5"));
        // Trailing marks go, other punctuation stays meaningful.
        assert_eq!(
            convert(&ValueKind::YesNo, &seven, "Yes.").as_deref(),
            Ok("yes")
        );
        assert!(convert(&k7, &seven, "agree?").is_err());
    }
}
