//! Text in English and Chinese (and, for matching an export's questions, any other
//! language), and the report language.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// The language of a report's labels and texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

/// A text with an English original, an optional Chinese translation and texts in any
/// other language (`ko`, `ja`, `de`, `pt-BR`...), which reports do not show but an import
/// matches an export's question text against. Written as `{en: ..., zh: ..., ko: ...}`;
/// without `en`, the first text given stands in for it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Text {
    /// English text (always present).
    pub en: String,
    /// Chinese text; English is used where it is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
    /// Texts in other languages, by language code, in the order written.
    #[serde(skip)]
    pub other: Vec<(String, String)>,
}

/// Whether `key` is a language code: two or three lower-case letters, then any subtags
/// (`ko`, `ja`, `zh-Hant`, `pt-BR`).
fn is_language_code(key: &str) -> bool {
    let mut parts = key.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text by language code, such as {en: ..., zh: ..., ko: ...}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                const EXPECTED: &[&str] = &["en", "zh", "a language code such as ko, ja, de"];
                let (mut en, mut zh) = (None, None);
                let mut other: Vec<(String, String)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: Option<String> = map.next_value()?;
                    let seen = match key.as_str() {
                        "en" => en.replace(value).is_some(),
                        "zh" => zh.replace(value).is_some(),
                        code if is_language_code(code) => {
                            let seen = other.iter().any(|(k, _)| *k == key);
                            if let Some(text) = value {
                                other.push((key.clone(), text));
                            }
                            seen
                        }
                        _ => return Err(de::Error::unknown_field(&key, EXPECTED)),
                    };
                    if seen {
                        return Err(de::Error::custom(format!("duplicate field `{key}`")));
                    }
                }
                let zh = zh.flatten();
                let en = match en.flatten() {
                    Some(en) => en,
                    None => zh
                        .clone()
                        .or_else(|| other.first().map(|(_, t)| t.clone()))
                        .ok_or_else(|| de::Error::missing_field("en"))?,
                };
                Ok(Text { en, zh, other })
            }
        }
        deserializer.deserialize_map(TextVisitor)
    }
}

impl Text {
    /// A text with both languages.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Text {
            en: en.into(),
            zh: Some(zh.into()),
            other: Vec::new(),
        }
    }

    /// Every text it has, English first, then Chinese, then the other languages.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.en.as_str())
            .chain(self.zh.as_deref())
            .chain(self.other.iter().map(|(_, t)| t.as_str()))
    }

    /// The text in `lang`, falling back to English.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => self.zh.as_deref().unwrap_or(&self.en),
            Lang::En => &self.en,
        }
    }
}

/// Picks the English or the Chinese literal; for fixed labels of the user interface.
pub fn tr(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_in_any_language_code() {
        let t: Text = serde_yaml::from_str(
            "{en: Staff are polite, ko: 직원이 친절하다, pt-BR: Equipe educada}",
        )
        .unwrap();
        assert_eq!(t.en, "Staff are polite");
        assert_eq!(t.get(Lang::Zh), "Staff are polite");
        assert_eq!(
            t.all().collect::<Vec<_>>(),
            ["Staff are polite", "직원이 친절하다", "Equipe educada"]
        );
        // Korean only: it stands in for English in reports.
        let ko: Text = serde_yaml::from_str("{ko: 직원이 친절하다}").unwrap();
        assert_eq!(ko.get(Lang::En), "직원이 친절하다");
        // Reports and JSON keep to en and zh.
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"en":"Staff are polite"}"#
        );
        let zh: Text = serde_json::from_str(r#"{"en":"A","zh":"甲"}"#).unwrap();
        assert_eq!(zh, Text::new("A", "甲"));
        // A key that is no language code is an unknown field, as before.
        let err = serde_yaml::from_str::<Text>("{en: A, english: B}").unwrap_err();
        assert!(err.to_string().contains("unknown field `english`"), "{err}");
        assert!(serde_yaml::from_str::<Text>("{}").is_err());
        assert!(serde_yaml::from_str::<Text>("{en: A, en: B}").is_err());
    }
}
