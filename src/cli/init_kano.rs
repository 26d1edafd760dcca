//! `servqual init --template kano DIR`: a Kano questionnaire ready to field and analyse.
//!
//! Writes the Kano definition (`kano.yaml`: features, related audit items, the Chinese
//! answer words), the questionnaire to print or paste into a survey tool
//! (`questionnaire.md`, English and Chinese) and sample responses (`data/kano.csv`), so
//! `servqual kano DIR/kano.yaml` runs at once.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::definition::builtin::Template;
use crate::i18n::{Lang, Text};
use crate::sample::Rng;

/// Respondents in the sample responses.
const RESPONDENTS: usize = 60;

/// The files of a new Kano questionnaire: `(relative path, contents)`.
pub(super) fn scaffold(template: &Template) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let def: serde_yaml::Value = serde_yaml::from_str(template.source)
        .with_context(|| format!("built-in template {} does not parse", template.name))?;
    let features = features(&def);
    anyhow::ensure!(
        !features.is_empty(),
        "built-in template {} has no features",
        template.name
    );
    // The definition as shipped, with the responses file named and a comment on top.
    let body = template.source.replacen(
        "\nfeatures:\n",
        "\n# The responses: one row per respondent, F_<feature> and D_<feature> columns.\n\
         data: data/kano.csv\n\nfeatures:\n",
        1,
    );
    let definition = format!(
        "# A Kano questionnaire, written by `servqual init --template {}`.\n\
         # Analyse it:   servqual kano {{this file}}\n\
         # Field it:     questionnaire.md has both questions for every feature.\n\
         # A feature's `item:` names the audit item it belongs to; an audit can use the\n\
         # result with `kano: {{file: <this file>}}` to rank shortfalls on must-be items first.\n\
         {body}",
        template.name
    );
    Ok(vec![
        (PathBuf::from("kano.yaml"), definition),
        (PathBuf::from("questionnaire.md"), questionnaire(&features)),
        (Path::new("data").join("kano.csv"), responses(&features)),
    ])
}

/// `(id, text)` of every feature of the template.
fn features(def: &serde_yaml::Value) -> Vec<(String, Text)> {
    def.get("features")
        .and_then(|f| f.as_sequence())
        .map(|list| {
            list.iter()
                .filter_map(|f| {
                    let id = f.get("id")?.as_str()?.to_string();
                    let text = f
                        .get("text")
                        .and_then(|t| serde_yaml::from_value::<Text>(t.clone()).ok())
                        .unwrap_or_else(|| Text {
                            en: id.clone(),
                            ..Text::default()
                        });
                    Some((id, text))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The five answers, as printed under each question.
const ANSWERS: [(&str, &str); 5] = [
    ("I like it", "我喜欢"),
    ("I expect it", "理所当然"),
    ("I am neutral", "无所谓"),
    ("I can live with it", "能忍受"),
    ("I dislike it", "我不喜欢"),
];

/// The questionnaire in English and Chinese: for each feature the functional question
/// (column F_) and the dysfunctional one (column D_), answers coded 1 to 5.
fn questionnaire(features: &[(String, Text)]) -> String {
    let mut out = String::new();
    for lang in [Lang::En, Lang::Zh] {
        let (title, intro, has, lacks, code) = match lang {
            Lang::En => (
                "# Kano questionnaire",
                "For each service feature below, please answer both questions. Tick one answer per question.",
                "If the service **has** this feature, how do you feel?",
                "If the service **does not have** this feature, how do you feel?",
                "column",
            ),
            Lang::Zh => (
                "# 卡诺问卷",
                "请就以下每项服务功能回答两个问题，每题只选一个答案。",
                "如果服务**提供**这项功能，您感觉如何？",
                "如果服务**不提供**这项功能，您感觉如何？",
                "数据列",
            ),
        };
        out.push_str(&format!("{title}\n\n{intro}\n"));
        for (n, (id, text)) in features.iter().enumerate() {
            out.push_str(&format!("\n## {}. {}\n", n + 1, text.get(lang)));
            for (prefix, question) in [("F", has), ("D", lacks)] {
                out.push_str(&format!("\n{question} ({code} `{prefix}_{id}`)\n\n"));
                for (i, (en, zh)) in ANSWERS.iter().enumerate() {
                    let word = if lang == Lang::En { en } else { zh };
                    out.push_str(&format!("- [ ] {} {word}\n", i + 1));
                }
            }
        }
        out.push('\n');
    }
    out
}

/// (functional, dysfunctional) answer pairs giving M, O, A and I in the evaluation table.
const LEANING: [(u8, u8); 4] = [(2, 5), (1, 5), (1, 3), (3, 3)];

/// The category each built-in feature leans to in the sample (index into [`LEANING`]),
/// chosen to be plausible: error-free statements are taken for granted, drinks are not
/// missed. Other features lean to M, O, A, I in turn.
const PLAUSIBLE: [(&str, usize); 8] = [
    ("queue_sms", 2),
    ("online_booking", 1),
    ("free_wifi", 3),
    ("same_day_card", 0),
    ("relationship_manager", 2),
    ("evening_hours", 1),
    ("waiting_drinks", 3),
    ("error_free_statements", 0),
];

/// Sample responses: two answers in three give the feature's leaning pair, the rest any
/// pair, so every category shows up with some noise.
fn responses(features: &[(String, Text)]) -> String {
    let mut rng = Rng::new(9);
    let mut out = String::from("respondent");
    for (id, _) in features {
        out.push_str(&format!(",F_{id},D_{id}"));
    }
    out.push('\n');
    for r in 1..=RESPONDENTS {
        out.push_str(&format!("r{r}"));
        for (k, (id, _)) in features.iter().enumerate() {
            let leaning = PLAUSIBLE
                .iter()
                .find(|(p, _)| p == id)
                .map_or(k % LEANING.len(), |(_, l)| *l);
            let (f, d) = if rng.below(3) < 2 {
                LEANING[leaning]
            } else {
                (rng.below(5) as u8 + 1, rng.below(5) as u8 + 1)
            };
            out.push_str(&format!(",{f},{d}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kano_template_scaffolds_definition_questionnaire_and_data() {
        let template = crate::definition::builtin::find("kano").unwrap();
        let files = scaffold(template).unwrap();
        let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        assert_eq!(names[0], "kano.yaml");
        assert_eq!(names[1], "questionnaire.md");
        assert!(names[2].ends_with("kano.csv"));
        assert!(files[0].1.contains("\ndata: data/kano.csv\n"));
        // Eight features, two questions each, five answers each, in two languages.
        assert_eq!(files[1].1.matches("- [ ] 1 ").count(), 8 * 2 * 2);
        assert!(files[1].1.contains("`F_queue_sms`") && files[1].1.contains("`D_queue_sms`"));
        assert!(files[1].1.contains("理所当然"));
        // 60 respondents and a header; 1 + 2 × 8 columns.
        let csv = &files[2].1;
        assert_eq!(csv.lines().count(), 61);
        assert!(csv.lines().all(|l| l.split(',').count() == 17));
    }
}
