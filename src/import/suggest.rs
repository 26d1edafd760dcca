//! `servqual import ... --suggest-map`: a map file for an export, written from the tool's
//! own matching, for the coordinator to correct. Every export column is in it, under the
//! key the import accepts back (`KEY#2` for the second column with a repeated key), with
//! what the tool guessed and why as a comment.

use std::collections::HashMap;
use std::fmt::Write;

use super::mapping::{heading_key, How, Mapping, Use, CONTENT_ID};
use super::presets::{ExportColumn, Preset};
use super::rows::IdPart;
use super::target::{Role, Target};
use crate::problem::{shorten, Problem};

/// The map file suggested for an export with `columns` (read as `preset`), mapped onto
/// `target` as far as `mapping` went; `problems` (what would stop the import) are listed
/// at the top as comments.
pub(crate) fn map_file(
    export: &str,
    preset: Preset,
    columns: &[ExportColumn],
    target: &Target,
    mapping: &Mapping,
    problems: &[Problem],
) -> String {
    let keys = unique_keys(columns);
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!(
        "# A map file for `servqual import --map`, suggested for {} (preset {}).",
        one_line(export),
        preset.name()
    ));
    line(
        "# Every column of the export is below with the tool's guess and why; correct what".into(),
    );
    line(
        "# is wrong. Keys are the export's column keys (KEY#2: the second column with that key)."
            .into(),
    );
    if !problems.is_empty() {
        line("#".into());
        line("# As it is, the import would stop:".into());
        for p in problems {
            line(format!("#   - {}", one_line(&p.to_string())));
        }
    }
    line(String::new());

    // The id: its columns, and `content` where the row's content is part of it.
    let id_parts: Vec<String> = mapping
        .id
        .parts
        .iter()
        .map(|part| match part {
            IdPart::Column(e) => yaml_text(&keys[*e]),
            IdPart::Content => CONTENT_ID.to_string(),
        })
        .collect();
    let id_comment = mapping
        .id
        .columns()
        .map(|e| why(e, columns, mapping))
        .collect::<Vec<_>>()
        .join("; ");
    match id_parts.len() {
        0 => line(
            "# id:              # no column holds a response id: name one, a list, or `content`"
                .into(),
        ),
        1 => line(entry("id", &id_parts[0], &id_comment)),
        _ => line(entry(
            "id",
            &format!("[{}]", id_parts.join(", ")),
            &id_comment,
        )),
    }
    line(
        "# id_prefix: spring-   # keeps the ids of two surveys that both number from 1 apart"
            .into(),
    );
    for (key, role) in [
        ("site", Role::Site),
        ("date", Role::Date),
        ("region", Role::Region),
        ("shopper", Role::Shopper),
    ] {
        let Some(t) = target.columns.iter().position(|c| c.role == role) else {
            continue;
        };
        match mapping.uses.iter().position(|u| *u == Use::Fill(t)) {
            Some(e) => line(entry(key, &yaml_text(&keys[e]), &why(e, columns, mapping))),
            None => line(format!(
                "# {key}:             # no column found for the {key}"
            )),
        }
    }

    let mut entries = Vec::new();
    let mut open_questions = Vec::new();
    for (e, c) in columns.iter().enumerate() {
        match mapping.uses[e] {
            Use::Fill(t) if matches!(target.columns[t].role, Role::Value(_)) => {
                entries.push(format!(
                    "  {}",
                    entry(
                        &yaml_text(&keys[e]),
                        &yaml_text(&target.columns[t].name),
                        &why(e, columns, mapping)
                    )
                ));
            }
            _ => {
                if let Some((_, may_be)) = mapping.undecided.iter().find(|(u, _)| *u == e) {
                    let names: Vec<&str> = may_be
                        .iter()
                        .map(|&t| target.columns[t].name.as_str())
                        .collect();
                    open_questions.push(format!(
                        "  # {}: {}   # column {}: {}: which one? uncomment with it",
                        yaml_text(&keys[e]),
                        names.join(" or "),
                        e + 1,
                        label(c)
                    ));
                }
            }
        }
    }
    let answers: Vec<&str> = target
        .columns
        .iter()
        .filter(|c| matches!(c.role, Role::Value(_)))
        .map(|c| c.name.as_str())
        .collect();
    line(format!(
        "# the {} data's answer columns: {}{}",
        target.source,
        answers
            .iter()
            .take(ANSWERS_SHOWN)
            .copied()
            .collect::<Vec<_>>()
            .join(", "),
        if answers.len() > ANSWERS_SHOWN {
            format!(", ... ({} in all)", answers.len())
        } else {
            String::new()
        }
    ));
    collection(&mut line, "columns", "{}", entries, open_questions);

    let mut entries = Vec::new();
    for (e, c) in columns.iter().enumerate() {
        let reason = match (&mapping.uses[e], &mapping.hows[e]) {
            (Use::Skip, How::Ignored) => "ignored by the map file",
            (Use::Skip, _) => "the tool's own column",
            (Use::Unknown, _) if mapping.undecided.iter().any(|(u, _)| *u == e) => continue,
            (Use::Unknown, _) => "matches no question of the audit",
            _ => continue,
        };
        entries.push(format!(
            "  - {}   # column {}: {}: {reason}",
            yaml_text(&keys[e]),
            e + 1,
            label(c)
        ));
    }
    collection(&mut line, "ignore", "[]", entries, Vec::new());
    line(String::new());
    line("# keep:                  # import only the rows with these values, e.g.".into());
    line("#   Finished: \"True\"".into());
    out
}

/// How many of the data file's answer columns the hint above `columns:` names.
const ANSWERS_SHOWN: usize = 8;

/// `key:` and its entries, or `key: EMPTY` when it has none (a key with nothing after
/// it is null in YAML, not empty); then `comments`.
fn collection(
    line: &mut impl FnMut(String),
    key: &str,
    empty: &str,
    entries: Vec<String>,
    comments: Vec<String>,
) {
    if entries.is_empty() {
        line(format!("{key}: {empty}"));
    } else {
        line(format!("{key}:"));
    }
    entries.into_iter().chain(comments).for_each(line);
}

/// `key: value   # comment`.
fn entry(key: &str, value: &str, comment: &str) -> String {
    let mut out = format!("{key}: {value}");
    if !comment.is_empty() {
        let _ = write!(out, "   # {comment}");
    }
    out
}

/// Why column `e` has its use, with its number and label, for a comment.
fn why(e: usize, columns: &[ExportColumn], mapping: &Mapping) -> String {
    let rule = match &mapping.hows[e] {
        How::Map => "named in the map file".to_string(),
        How::ToolName => "the tool's name for it".to_string(),
        How::SiteWords => "a usual name or question for the site".to_string(),
        How::ColumnName => "its key is the data column's name".to_string(),
        How::SameText => "the item's text".to_string(),
        How::SimilarText(a) => format!("text {a}% like the item's: check it"),
        How::ToolColumn => "the tool's own column".to_string(),
        How::Ignored => "ignored by the map file".to_string(),
        How::Unmatched => "no rule matched it".to_string(),
    };
    let rule = mapping.with_part_rule(e, rule);
    format!("column {}: {}: {rule}", e + 1, label(&columns[e]))
}

/// A column's label for a comment: on one line, not too long.
fn label(column: &ExportColumn) -> String {
    shorten(&one_line(&column.label()), 70).into_owned()
}

/// `text` with every control character (line breaks) as a space.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Each column's key as a map file names it: the key, with `#N` when several columns
/// share it (after the map's normalising of case and spaces).
fn unique_keys(columns: &[ExportColumn]) -> Vec<String> {
    let normalised: Vec<String> = columns.iter().map(|c| heading_key(&c.key)).collect();
    let mut total: HashMap<&str, usize> = HashMap::new();
    for n in &normalised {
        *total.entry(n).or_default() += 1;
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    columns
        .iter()
        .zip(&normalised)
        .map(|(c, n)| {
            let rank = seen.entry(n).or_default();
            *rank += 1;
            // `content` alone would stand for the row's content, not the column.
            if total[n.as_str()] > 1 || n == CONTENT_ID {
                format!("{}#{rank}", c.key)
            } else {
                c.key.clone()
            }
        })
        .collect()
}

/// `text` as a YAML scalar that reads back as this text: plain when it is safe (a letter,
/// then letters, digits, spaces and `_ - . ( ) /`, not a word YAML reads as a boolean or
/// null), else double-quoted (JSON's quoting is valid YAML).
fn yaml_text(text: &str) -> String {
    let safe_char = |c: char| c.is_ascii_alphanumeric() || " _-.()/".contains(c);
    let reserved = [
        "y", "n", "yes", "no", "true", "false", "on", "off", "null", CONTENT_ID,
    ];
    let plain = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text.chars().all(safe_char)
        && !text.ends_with(' ')
        && !reserved.contains(&text.to_ascii_lowercase().as_str());
    if plain {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(key: &str) -> ExportColumn {
        ExportColumn {
            key: key.into(),
            texts: vec![key.into()],
        }
    }

    #[test]
    fn repeated_keys_are_numbered() {
        let cols = [column("Q1"), column("Site"), column("q1 "), column("Q2")];
        assert_eq!(unique_keys(&cols), ["Q1#1", "Site", "q1 #2", "Q2"]);
        assert_eq!(unique_keys(&[column("Content")]), ["Content#1"]);
    }

    #[test]
    fn texts_are_quoted_only_when_yaml_would_misread_them() {
        assert_eq!(yaml_text("Q1_1"), "Q1_1");
        assert_eq!(yaml_text("Duration (in seconds)"), "Duration (in seconds)");
        assert_eq!(yaml_text("yes"), "\"yes\"");
        assert_eq!(yaml_text("content"), "\"content\"");
        assert_eq!(yaml_text("1"), "\"1\"");
        assert_eq!(yaml_text("Q: why?"), "\"Q: why?\"");
        assert_eq!(yaml_text("Note #2"), "\"Note #2\"");
        assert_eq!(yaml_text("网点"), "\"网点\"");
        assert_eq!(yaml_text(""), "\"\"");
    }
}
