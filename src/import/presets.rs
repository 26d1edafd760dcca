//! What each survey tool writes: how many header rows, where the question text is, and
//! which columns are the tool's own bookkeeping rather than answers.

/// The layout of an export (`--preset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// Qualtrics CSV/xlsx: column ids, question text, ImportId JSON (or the legacy two rows).
    Qualtrics,
    /// SurveyMonkey CSV/xlsx: question text, then sub-question or choice.
    Surveymonkey,
    /// Google Forms CSV: question text as header, a Timestamp column.
    GoogleForms,
    /// LimeSurvey CSV with question-code headings (`E[T1]`).
    Limesurvey,
    /// One header row of column names, as `servqual init` writes.
    Plain,
}

impl Preset {
    /// The name as given on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Preset::Qualtrics => "qualtrics",
            Preset::Surveymonkey => "surveymonkey",
            Preset::GoogleForms => "google-forms",
            Preset::Limesurvey => "limesurvey",
            Preset::Plain => "plain",
        }
    }

    /// Guesses the preset from the first rows (header first) when `--preset` is not given.
    pub(crate) fn detect(rows: &[Vec<String>]) -> Preset {
        let first = rows.first().map(Vec::as_slice).unwrap_or_default();
        let has = |name: &str| first.iter().any(|h| h.trim().eq_ignore_ascii_case(name));
        let third_is_import_ids = rows.get(2).is_some_and(|r| {
            r.iter()
                .any(|c| c.trim_start().starts_with("{\"ImportId\""))
        });
        if third_is_import_ids || has("ResponseId") || (has("V1") && has("V2")) {
            Preset::Qualtrics
        } else if has("Respondent ID") && has("Collector ID") {
            Preset::Surveymonkey
        } else if first.first().is_some_and(|h| h.trim() == "Timestamp") {
            Preset::GoogleForms
        } else if has("submitdate") && has("lastpage") {
            Preset::Limesurvey
        } else {
            Preset::Plain
        }
    }

    /// How many rows at the top of the export are headers.
    pub(crate) fn header_rows(self, rows: &[Vec<String>]) -> usize {
        match self {
            Preset::Qualtrics => {
                let third_is_import_ids = rows.get(2).is_some_and(|r| {
                    r.iter()
                        .any(|c| c.trim_start().starts_with("{\"ImportId\""))
                });
                if third_is_import_ids {
                    3
                } else {
                    2
                }
            }
            Preset::Surveymonkey => 2,
            Preset::GoogleForms | Preset::Limesurvey | Preset::Plain => 1,
        }
    }

    /// Turns the header rows into one description per column.
    pub(crate) fn columns(self, header: &[Vec<String>]) -> Vec<ExportColumn> {
        let first = header.first().cloned().unwrap_or_default();
        let row = |r: usize, c: usize| -> String {
            header
                .get(r)
                .and_then(|row| row.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let mut carried = String::new();
        first
            .iter()
            .enumerate()
            .map(|(c, key)| {
                let key = key.trim().to_string();
                match self {
                    Preset::Qualtrics => {
                        // Row 2 is the question text; in the legacy form row 1 holds `V1`..
                        // for the tool's columns and row 2 their real names.
                        let text = row(1, c);
                        ExportColumn {
                            key,
                            texts: vec![text],
                        }
                    }
                    Preset::Surveymonkey => {
                        // A matrix question names itself once; the following columns
                        // leave the first row empty and name the row (statement) below.
                        if !key.is_empty() {
                            carried = key.clone();
                        }
                        let sub = row(1, c);
                        let generic = sub.is_empty()
                            || sub.eq_ignore_ascii_case("Response")
                            || sub.eq_ignore_ascii_case("Open-Ended Response");
                        let full = if generic {
                            carried.clone()
                        } else {
                            format!("{carried} - {sub}")
                        };
                        let mut texts = Vec::new();
                        if !generic {
                            texts.push(sub);
                        }
                        texts.push(carried.clone());
                        ExportColumn { key: full, texts }
                    }
                    Preset::Limesurvey => {
                        // "Question code & text" exports write `CODE. Text`.
                        match key.split_once(". ") {
                            Some((code, text)) if !code.contains(' ') => ExportColumn {
                                key: code.to_string(),
                                texts: vec![text.to_string()],
                            },
                            _ => ExportColumn {
                                texts: vec![key.clone()],
                                key,
                            },
                        }
                    }
                    Preset::GoogleForms | Preset::Plain => ExportColumn {
                        texts: vec![key.clone()],
                        key,
                    },
                }
            })
            .collect()
    }

    /// Column names (key or text) that hold the response id, in order of preference.
    pub(crate) fn id_names(self) -> &'static [&'static str] {
        match self {
            Preset::Qualtrics => &["ResponseId", "ResponseID", "_recordId"],
            Preset::Surveymonkey => &["Respondent ID"],
            // Google Forms has no response id; the submission time is unique per response.
            Preset::GoogleForms => &["Timestamp"],
            Preset::Limesurvey => &["id"],
            Preset::Plain => &["id", "visit"],
        }
    }

    /// Column names that hold the response date, in order of preference.
    pub(crate) fn date_names(self) -> &'static [&'static str] {
        match self {
            Preset::Qualtrics => &["RecordedDate", "EndDate"],
            Preset::Surveymonkey => &["End Date"],
            Preset::GoogleForms => &["Timestamp"],
            Preset::Limesurvey => &["submitdate", "datestamp"],
            Preset::Plain => &["date"],
        }
    }

    /// The tool's own columns: neither answers nor new questions.
    pub(crate) fn meta_names(self) -> &'static [&'static str] {
        match self {
            Preset::Qualtrics => &[
                "StartDate",
                "EndDate",
                "Status",
                "IPAddress",
                "Progress",
                "Duration (in seconds)",
                "Finished",
                "RecordedDate",
                "ResponseId",
                "ResponseID",
                "ResponseSet",
                "Name",
                "ExternalDataReference",
                "EmailAddress",
                "RecipientLastName",
                "RecipientFirstName",
                "RecipientEmail",
                "ExternalReference",
                "LocationLatitude",
                "LocationLongitude",
                "LocationAccuracy",
                "DistributionChannel",
                "UserLanguage",
            ],
            Preset::Surveymonkey => &[
                "Respondent ID",
                "Collector ID",
                "Start Date",
                "End Date",
                "IP Address",
                "Email Address",
                "First Name",
                "Last Name",
                "Custom Data 1",
            ],
            Preset::GoogleForms => &["Timestamp", "Email Address", "Score"],
            Preset::Limesurvey => &[
                "id",
                "submitdate",
                "lastpage",
                "startlanguage",
                "seed",
                "startdate",
                "datestamp",
                "ipaddr",
                "refurl",
                "token",
            ],
            Preset::Plain => &[],
        }
    }
}

/// One column of an export.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExportColumn {
    /// What the tool calls the column (Qualtrics column id, LimeSurvey code, header text).
    pub(crate) key: String,
    /// Question texts shown for it, most specific first.
    pub(crate) texts: Vec<String>,
}

impl ExportColumn {
    /// Whether `name` is this column's key or one of its texts (case-insensitive).
    pub(crate) fn is_named(&self, name: &str) -> bool {
        let name = name.trim();
        self.key.eq_ignore_ascii_case(name)
            || self.texts.iter().any(|t| t.eq_ignore_ascii_case(name))
    }

    /// The column as shown in messages.
    pub(crate) fn label(&self) -> String {
        match self.texts.first() {
            Some(t) if !t.is_empty() && *t != self.key => format!("{} ({t})", self.key),
            _ => self.key.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&[&str]]) -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn detects_each_tool() {
        let q = rows(&[
            &["StartDate", "ResponseId", "Q1_1"],
            &["Start Date", "Response ID", "Rate - X"],
            &[
                "{\"ImportId\":\"startDate\"}",
                "{\"ImportId\":\"_recordId\"}",
                "{\"ImportId\":\"QID1_1\"}",
            ],
        ]);
        assert_eq!(Preset::detect(&q), Preset::Qualtrics);
        assert_eq!(Preset::Qualtrics.header_rows(&q), 3);
        let legacy = rows(&[
            &["V1", "V2", "Q1_1"],
            &["ResponseID", "ResponseSet", "X"],
            &["R_1", "Default", "7"],
        ]);
        assert_eq!(Preset::detect(&legacy), Preset::Qualtrics);
        assert_eq!(Preset::Qualtrics.header_rows(&legacy), 2);
        let sm = rows(&[
            &["Respondent ID", "Collector ID", "Q"],
            &["", "", "Response"],
        ]);
        assert_eq!(Preset::detect(&sm), Preset::Surveymonkey);
        let g = rows(&[&["Timestamp", "Q"]]);
        assert_eq!(Preset::detect(&g), Preset::GoogleForms);
        let l = rows(&[&["id", "submitdate", "lastpage", "E[T1]"]]);
        assert_eq!(Preset::detect(&l), Preset::Limesurvey);
        assert_eq!(Preset::detect(&rows(&[&["id", "E_T1"]])), Preset::Plain);
    }

    #[test]
    fn surveymonkey_carries_the_matrix_question() {
        let header = rows(&[
            &["Respondent ID", "How good?", "", "Site"],
            &["", "Statement A", "Statement B", "Response"],
        ]);
        let cols = Preset::Surveymonkey.columns(&header);
        assert_eq!(cols[2].key, "How good? - Statement B");
        assert_eq!(
            cols[2].texts,
            vec!["Statement B".to_string(), "How good?".to_string()]
        );
        assert_eq!(cols[3].key, "Site");
        assert!(cols[0].is_named("respondent id"));
    }
}
