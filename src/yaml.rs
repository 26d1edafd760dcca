//! Reading YAML files into serde types with errors that name the place and suggest a fix.
//!
//! Every YAML file the tool reads (audit, forms, action libraries, checklist states, Kano
//! definitions, map files) comes through here, so the limits are kept in one place: a
//! regular file of at most [`MAX_CONFIG_BYTES`], nested at most [`MAX_DEPTH`] levels, and
//! no NaN or infinity in any number (docs/files.md#limits).

use std::io::Read;
use std::path::Path;

use marked_yaml::{LoaderOptions, Node};
use serde::de::DeserializeOwned;

use crate::problem::{open_input, thousands, Problem, Problems};

/// The largest YAML file read: configuration, never data (16 MiB).
pub const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// The deepest nesting of mappings and sequences accepted in a YAML file.
pub const MAX_DEPTH: usize = 64;

/// Deserialises `text` (the contents of `path`) into `T`.
///
/// serde stops at the first error, so this reports one problem; an unknown key comes with
/// the nearest valid key ("did you mean `reverse`?"). Nesting deeper than [`MAX_DEPTH`]
/// is refused before serde sees the text (its cost would grow with the depth), and every
/// `.nan` or `.inf` number is a problem naming its line and key.
pub fn from_str<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, Problems> {
    check_depth(path, text)?;
    let value = serde_yaml::from_str(text).map_err(|e| Problems::one(problem(path, &e)))?;
    Problems::check(non_finite_numbers(path, text))?;
    Ok(value)
}

/// Reads and deserialises the YAML file at `path`.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<(T, String), Problems> {
    let text = read_text(path)?;
    let value = from_str(path, &text)?;
    Ok((value, text))
}

/// Reads a UTF-8 text file, with a problem naming the file if it cannot be read.
///
/// Only a regular file of at most [`MAX_CONFIG_BYTES`] is read: a FIFO, device or folder
/// is refused before anything is read, so none can block or fill the memory.
pub fn read_text(path: &Path) -> Result<String, Problems> {
    let file = open_input(path, "cannot read file")?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Problem::new(format!("cannot read file: {e}")).file(path))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(Problem::new(format!(
            "the file is larger than the limit of {} MiB for a configuration file",
            MAX_CONFIG_BYTES >> 20
        ))
        .file(path)
        .expected(format!(
            "at most {} bytes (data belongs in the CSV files the audit names)",
            thousands(MAX_CONFIG_BYTES)
        ))
        .into());
    }
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

/// A problem if `text` nests mappings and sequences deeper than [`MAX_DEPTH`] levels.
///
/// One pass over the text, without parsing it: the depth of a line is the number of
/// indentation levels open above it, plus its leading `- ` entries, plus the flow
/// brackets (`[`, `{`) open outside quotes and comments. That can only count more than
/// the parser would (a continued plain scalar is counted as a level), never less, and
/// real files stay far below the limit.
fn check_depth(path: &Path, text: &str) -> Result<(), Problem> {
    let mut scan = DepthScan::default();
    for (number, line) in text.lines().enumerate() {
        let depth = scan.line(line);
        if depth > MAX_DEPTH {
            return Err(
                Problem::new(format!("nested more than {MAX_DEPTH} levels deep"))
                    .file(path)
                    .line(number as u64 + 1)
                    .expected(format!("at most {MAX_DEPTH} levels of mappings and lists")),
            );
        }
    }
    Ok(())
}

/// The state of [`check_depth`] between lines.
#[derive(Default)]
struct DepthScan {
    /// Indentations of the block levels open, innermost last.
    indents: Vec<usize>,
    /// Flow brackets open.
    flow: usize,
    /// The quote a multi-line quoted scalar is open with.
    quote: Option<u8>,
    /// Inside a block scalar (`|`, `>`) started on a line indented this much.
    block_scalar: Option<usize>,
}

impl DepthScan {
    /// Takes in one line; returns the nesting depth reached on it.
    fn line(&mut self, line: &str) -> usize {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        let rest = &bytes[indent..];
        let blank = rest.is_empty() || rest[0] == b'#';
        if let Some(parent) = self.block_scalar {
            if blank || indent > parent {
                return 0;
            }
            self.block_scalar = None;
        }
        if blank && self.quote.is_none() {
            return 0;
        }
        let mut i = indent;
        let mut extra = 0;
        if self.flow == 0 && self.quote.is_none() {
            while self.indents.last().is_some_and(|&open| open > indent) {
                self.indents.pop();
            }
            if self.indents.last() != Some(&indent) {
                self.indents.push(indent);
            }
            // `- - - x` opens one sequence per dash on the same line.
            while bytes.get(i) == Some(&b'-')
                && matches!(bytes.get(i + 1), None | Some(b' ') | Some(b'\t'))
            {
                extra += 1;
                i += 2;
                while matches!(bytes.get(i), Some(b' ') | Some(b'\t')) {
                    i += 1;
                }
            }
        }
        let mut deepest = self.flow;
        // A scalar starts here: a quote or a bracket opens something.
        let mut at_start = true;
        while let Some(&byte) = bytes.get(i) {
            i += 1;
            if let Some(quote) = self.quote {
                if byte == quote {
                    // `''` in single quotes is an escaped quote, not the end.
                    if quote == b'\'' && bytes.get(i) == Some(&b'\'') {
                        i += 1;
                    } else {
                        self.quote = None;
                        at_start = false;
                    }
                } else if quote == b'"' && byte == b'\\' {
                    i += 1;
                }
                continue;
            }
            match byte {
                b' ' | b'\t' => continue,
                b'#' if i == 1 || matches!(bytes.get(i - 2), Some(b' ') | Some(b'\t')) => break,
                b'"' | b'\'' if at_start => self.quote = Some(byte),
                b'[' | b'{' if at_start || self.flow > 0 => {
                    self.flow += 1;
                    deepest = deepest.max(self.flow);
                    at_start = true;
                    continue;
                }
                b']' | b'}' if self.flow > 0 => self.flow -= 1,
                b',' if self.flow > 0 => {
                    at_start = true;
                    continue;
                }
                b':' if matches!(bytes.get(i), None | Some(b' ') | Some(b'\t')) => {
                    at_start = true;
                    continue;
                }
                b'|' | b'>' if at_start && self.flow == 0 => {
                    self.block_scalar = Some(indent);
                    break;
                }
                _ => {}
            }
            at_start = false;
        }
        self.indents.len() + extra + deepest
    }
}

/// A problem for every plain `.nan`, `.inf` or `-.inf` in `text`, naming line and key.
///
/// serde would take them as numbers, and a NaN threshold compares false with anything,
/// which silently empties what it guards. The tree is only walked when the text holds
/// such a word at all.
fn non_finite_numbers(path: &Path, text: &str) -> Vec<Problem> {
    let lower = |w: &[u8]| w.eq_ignore_ascii_case(b".inf") || w.eq_ignore_ascii_case(b".nan");
    if !text.as_bytes().windows(4).any(lower) {
        return Vec::new();
    }
    let parsed = marked_yaml::parse_yaml_with_options(
        0,
        text,
        LoaderOptions::default().prevent_coercion(true),
    )
    .or_else(|_| {
        marked_yaml::parse_yaml_with_options(
            0,
            text,
            LoaderOptions::default()
                .prevent_coercion(true)
                .toplevel_sequence(),
        )
    });
    let mut problems = Vec::new();
    match parsed {
        Ok(root) => walk_numbers(path, &root, &mut String::new(), &mut problems),
        // marked-yaml refuses anchors and aliases, which serde accepts: walk serde's
        // tree instead, which knows the keys but not the lines.
        Err(_) => {
            if let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(text) {
                walk_values(path, &value, &mut String::new(), &mut problems);
            }
        }
    }
    problems
}

/// Adds a problem for each non-finite number in `value`, whose key path is `key`.
fn walk_values(
    path: &Path,
    value: &serde_yaml::Value,
    key: &mut String,
    problems: &mut Vec<Problem>,
) {
    use serde_yaml::Value;
    match value {
        Value::Number(n) if n.as_f64().is_some_and(|x| !x.is_finite()) => {
            let mut p = Problem::new("not a finite number")
                .file(path)
                .found(n.to_string())
                .expected("a finite number");
            if !key.is_empty() {
                p = p.field(key.clone());
            }
            problems.push(p);
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = key.len();
                key.push_str(&format!("[{i}]"));
                walk_values(path, item, key, problems);
                key.truncate(len);
            }
        }
        Value::Mapping(map) => {
            for (name, item) in map {
                let len = key.len();
                if !key.is_empty() {
                    key.push('.');
                }
                match name {
                    Value::String(s) => key.push_str(s),
                    other => key.push_str(&serde_yaml::to_string(other).unwrap_or_default()),
                }
                walk_values(path, item, key, problems);
                key.truncate(len);
            }
        }
        Value::Tagged(tagged) => walk_values(path, &tagged.value, key, problems),
        _ => {}
    }
}

/// Adds a problem for each non-finite number under `node`, whose key path is `key`.
fn walk_numbers(path: &Path, node: &Node, key: &mut String, problems: &mut Vec<Problem>) {
    match node {
        Node::Scalar(scalar) => {
            let value = scalar.as_str();
            let bare = value.strip_prefix(['+', '-']).unwrap_or(value);
            let non_finite = matches!(bare, ".inf" | ".Inf" | ".INF")
                || matches!(value, ".nan" | ".NaN" | ".NAN");
            if scalar.may_coerce() && non_finite {
                let mut p = Problem::new("not a finite number")
                    .file(path)
                    .found(value)
                    .expected("a finite number");
                if !key.is_empty() {
                    p = p.field(key.clone());
                }
                if let Some(start) = node.span().start() {
                    p = p.at(start.line() as u64, start.column() as u64);
                }
                problems.push(p);
            }
        }
        Node::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = key.len();
                key.push_str(&format!("[{i}]"));
                walk_numbers(path, item, key, problems);
                key.truncate(len);
            }
        }
        Node::Mapping(map) => {
            for (name, value) in map.iter() {
                let len = key.len();
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(name.as_str());
                walk_numbers(path, value, key, problems);
                key.truncate(len);
            }
        }
    }
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

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Thresholds {
        thresholds: std::collections::BTreeMap<String, f64>,
    }

    #[test]
    fn nan_and_infinities_are_problems_with_line_and_key() {
        let text = "thresholds:\n  checklist: .nan\n  divergence: .inf\n  low: -.INF\n  ok: 1.5\n";
        let err = from_str::<Thresholds>(Path::new("a.yaml"), text).unwrap_err();
        let places: Vec<(Option<u64>, Option<&str>)> =
            err.0.iter().map(|p| (p.line, p.field.as_deref())).collect();
        assert_eq!(
            places,
            vec![
                (Some(2), Some("thresholds.checklist")),
                (Some(3), Some("thresholds.divergence")),
                (Some(4), Some("thresholds.low")),
            ]
        );
        assert!(
            err.to_string().contains("expected a finite number"),
            "{err}"
        );
        // Quoted, it is text, not a number.
        let quoted = "a: '.nan'\nb: \".inf\"\n";
        assert!(from_str::<serde_yaml::Value>(Path::new("a.yaml"), quoted).is_ok());
    }

    #[test]
    fn non_finite_numbers_in_a_top_level_list_are_found() {
        let problems = non_finite_numbers(Path::new("f.yaml"), "- {id: a, w: .NaN}\n- 'x .nan'\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field.as_deref(), Some("[0].w"));
    }

    #[test]
    fn non_finite_numbers_behind_anchors_are_found_by_key() {
        let text = "thresholds:\n  a: &x .nan\n  b: *x\n";
        let err = from_str::<Thresholds>(Path::new("a.yaml"), text).unwrap_err();
        let fields: Vec<Option<&str>> = err.0.iter().map(|p| p.field.as_deref()).collect();
        assert_eq!(fields, vec![Some("thresholds.a"), Some("thresholds.b")]);
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let deep = format!("a: {}{}\n", "[".repeat(50_000), "]".repeat(50_000));
        let started = std::time::Instant::now();
        let err = from_str::<serde_yaml::Value>(Path::new("d.yaml"), &deep).unwrap_err();
        assert!(started.elapsed().as_secs_f64() < 1.0);
        assert!(err.to_string().contains("nested more than 64"), "{err}");
        let dashes = format!("{}x\n", "- ".repeat(70));
        assert!(check_depth(Path::new("d.yaml"), &dashes).is_err());
        let mut block = String::new();
        for level in 0..70 {
            block.push_str(&format!("{}k{level}:\n", " ".repeat(level)));
        }
        let err = check_depth(Path::new("d.yaml"), &block).unwrap_err();
        assert_eq!(err.line, Some(65));
    }

    #[test]
    fn ordinary_nesting_passes_the_depth_check() {
        let text = "a:\n  b: [1, {c: \"[[[[\", d: '{{'}]\n  e: |\n    [[[[[[\n  f: x # [[[[\n";
        let mut scan = DepthScan::default();
        let depths: Vec<usize> = text.lines().map(|l| scan.line(l)).collect();
        assert_eq!(depths, vec![1, 4, 2, 0, 2]);
        assert!(check_depth(Path::new("a.yaml"), text).is_ok());
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
