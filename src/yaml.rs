//! Reading YAML files into serde types with errors that name the place and suggest a fix.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::problem::{Problem, Problems};

/// Deserialises `text` (the contents of `path`) into `T`.
///
/// serde stops at the first error, so this reports one problem; an unknown key comes with
/// the nearest valid key ("did you mean `reverse`?").
pub fn from_str<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, Problems> {
    serde_yaml::from_str(text).map_err(|e| Problems::one(problem(path, &e)))
}

/// Reads and deserialises the YAML file at `path`.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<(T, String), Problems> {
    let text = read_text(path)?;
    let value = from_str(path, &text)?;
    Ok((value, text))
}

/// Reads a UTF-8 text file, with a problem naming the file if it cannot be read.
pub fn read_text(path: &Path) -> Result<String, Problems> {
    let bytes = std::fs::read(path)
        .map_err(|e| Problem::new(format!("cannot read file: {e}")).file(path))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Problem::new("the file is not valid UTF-8")
            .file(path)
            .line(line as u64)
            .expected("YAML saved as UTF-8")
    })?;
    // A BOM written by Windows editors is not part of the YAML.
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text))
}

/// Converts a serde_yaml error into a problem with line, column and a suggestion.
pub fn problem(path: &Path, error: &serde_yaml::Error) -> Problem {
    let mut message = error.to_string();
    // serde_yaml appends " at line L column C"; we show the place in front instead.
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    if let Some(hint) = suggestion(&message) {
        message.push_str(&format!("; did you mean `{hint}`?"));
    }
    let mut p = Problem::new(message).file(path);
    if let Some(loc) = error.location() {
        p = p.at(loc.line() as u64, loc.column() as u64);
    }
    p
}

/// For "unknown field `x`, expected one of `a`, `b`" (or "unknown variant"), the
/// expected name nearest to `x`.
fn suggestion(message: &str) -> Option<String> {
    let start = message
        .find("unknown field `")
        .map(|i| i + "unknown field `".len())
        .or_else(|| {
            message
                .find("unknown variant `")
                .map(|i| i + "unknown variant `".len())
        })?;
    let found = &message[start..start + message[start..].find('`')?];
    let expected = &message[message.find("expected")?..];
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    nearest(found, candidates.iter().copied())
}

/// The candidate closest to `found` by edit distance, if it is close enough to be a typo.
pub fn nearest<'a>(found: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .map(|c| (strsim::jaro_winkler(found, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

/// The byte a `delimiter:` value of a YAML file names: `tab` (or `\t`), or one ASCII
/// character that is not a letter, digit or quote; `None` if it cannot be one.
///
/// The audit's sources and the Kano definition read their data files with the same
/// reader, so they accept the same delimiters.
pub fn delimiter(value: &str) -> Option<u8> {
    match value {
        "tab" | "\\t" | "\t" => Some(b'\t'),
        v if v.len() == 1
            && v.is_ascii()
            && !v.chars().all(|c| c.is_alphanumeric() || c == '"') =>
        {
            Some(v.as_bytes()[0])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: String,
        reverse: Option<bool>,
    }

    #[test]
    fn unknown_key_suggests_nearest() {
        let err = from_str::<Item>(Path::new("a.yaml"), "id: T1\nrevers: true\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("a.yaml:2:1"), "{text}");
        assert!(text.contains("did you mean `reverse`?"), "{text}");
    }

    #[test]
    fn delimiters() {
        assert_eq!(delimiter(";"), Some(b';'));
        assert_eq!(delimiter("|"), Some(b'|'));
        assert_eq!(delimiter("tab"), Some(b'\t'));
        assert_eq!(delimiter("\t"), Some(b'\t'));
        assert_eq!(delimiter("ab"), None);
        assert_eq!(delimiter("a"), None);
        assert_eq!(delimiter("；"), None);
        assert_eq!(delimiter("\""), None);
        assert_eq!(delimiter(" "), Some(b' '));
    }

    #[test]
    fn nearest_ignores_far_candidates() {
        assert_eq!(nearest("zzz", ["reverse", "id"].into_iter()), None);
        assert_eq!(
            nearest("tangible", ["tangibles", "empathy"].into_iter()),
            Some("tangibles".into())
        );
    }
}
