//! What each survey tool writes: how many header rows, where the question text is, and
//! which columns are the tool's own bookkeeping rather than answers, in each of the
//! layouts and languages the tools export (docs/import.md#presets).

use std::collections::HashSet;

use super::values::{date_shape, DateOrder};

/// The layout of an export (`--preset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// Qualtrics CSV/xlsx: column ids, question text, ImportId JSON (or the legacy two rows).
    Qualtrics,
    /// SurveyMonkey CSV/xlsx: question text, then sub-question or choice.
    Surveymonkey,
    /// Google Forms CSV/xlsx: question text as header, a Timestamp column (in any language).
    GoogleForms,
    /// LimeSurvey CSV/xlsx with question-code headings (`E[T1]`) or question texts.
    Limesurvey,
    /// Microsoft Forms xlsx: ID, Start time, Completion time, ..., then the question texts.
    MicrosoftForms,
    /// One header row of column names, as `servqual init` writes.
    Plain,
}

/// Google Forms' own columns: the timestamp heading in each language the tool writes it
/// in (first, up to [`GOOGLE_FORMS_TIMESTAMPS`]), then the email and score headings.
const GOOGLE_FORMS_OWN: &[&str] = &[
    "Timestamp",
    "Marca temporal",
    "Horodateur",
    "Zeitstempel",
    "Informazioni cronologiche",
    "Carimbo de data/hora",
    "Tijdstempel",
    "Sygnatura czasowa",
    "Отметка времени",
    "Позначка часу",
    "Zaman damgası",
    "Dấu thời gian",
    "Cap waktu",
    "Stempel waktu",
    "ประทับเวลา",
    "Tidstämpel",
    "Tidsstempel",
    "Tidsmerke",
    "Aikaleima",
    "Časová značka",
    "Időbélyeg",
    "Χρονική σήμανση",
    "Marca de temps",
    "时间戳记",
    "時間戳記",
    "タイムスタンプ",
    "타임스탬프",
    // Email and score.
    "Email Address",
    "Email",
    "Dirección de correo electrónico",
    "Adresse e-mail",
    "E-Mail-Adresse",
    "Indirizzo email",
    "Endereço de e-mail",
    "E-mailadres",
    "电子邮件地址",
    "電子郵件地址",
    "メールアドレス",
    "이메일 주소",
    "Score",
    "Puntuación",
    "Punteggio",
    "Punktzahl",
    "Pontuação",
    "分数",
    "分數",
    "スコア",
    "점수",
];

/// How many of [`GOOGLE_FORMS_OWN`] are timestamp headings.
const GOOGLE_FORMS_TIMESTAMPS: usize = 27;

/// LimeSurvey's response-id heading: the code, then the text heading in English, German,
/// French, Spanish, Italian, Dutch, Portuguese and Chinese.
const LIMESURVEY_IDS: &[&str] = &[
    "id",
    "Response ID",
    "Antwort ID",
    "Antwort-ID",
    "ID de la réponse",
    "ID de respuesta",
    "ID risposta",
    "Antwoord ID",
    "ID da resposta",
    "回答 ID",
    "回复 ID",
];

/// LimeSurvey's submission-date heading, as [`LIMESURVEY_IDS`]; the last action's date
/// (`datestamp`) last.
const LIMESURVEY_DATES: &[&str] = &[
    "submitdate",
    "Date submitted",
    "Datum Abgeschickt",
    "Date de soumission",
    "Fecha de envío",
    "Data invio",
    "Datum verstuurd",
    "Data de submissão",
    "提交日期",
    "datestamp",
    "Date last action",
    "Datum letzte Aktivität",
    "Date de la dernière action",
    "Fecha de la última acción",
    "Data ultima azione",
];

/// LimeSurvey's last-page heading, as [`LIMESURVEY_IDS`]: with the id or the submission
/// date, it tells a LimeSurvey export from any other.
const LIMESURVEY_LAST_PAGE: &[&str] = &[
    "lastpage",
    "Last page",
    "Letzte Seite",
    "Dernière page",
    "Última página",
    "Ultima pagina",
    "Laatste pagina",
    "最后页面",
    "最后一页",
];

/// LimeSurvey's other own columns (codes, then text headings).
const LIMESURVEY_OTHERS: &[&str] = &[
    "startlanguage",
    "seed",
    "startdate",
    "ipaddr",
    "refurl",
    "token",
    "Start language",
    "Seed",
    "Date started",
    "IP address",
    "Referrer URL",
    "Access code",
    "Token",
    "Start-Sprache",
    "Zufallsstartwert",
    "Zufallsgeneratorstartwert",
    "Datum gestartet",
    "IP-Adresse",
    "Referrer-URL",
    "Zugangsschlüssel",
    "Langue de départ",
    "Graine",
    "Date de début",
    "Adresse IP",
    "URL de provenance",
    "Idioma inicial",
    "Semilla",
    "Fecha de inicio",
    "Dirección IP",
    "URL de referencia",
    "Lingua iniziale",
    "Seme",
    "Data di inizio",
    "Indirizzo IP",
];

/// Microsoft Forms' response-number heading.
const MICROSOFT_FORMS_IDS: &[&str] = &["ID", "Id.", "ID de respuesta"];

/// Microsoft Forms' start-time heading (English, German, French, Spanish, Chinese,
/// Japanese).
const MICROSOFT_FORMS_STARTS: &[&str] = &[
    "Start time",
    "Startzeit",
    "Heure de début",
    "Hora de inicio",
    "开始时间",
    "開始時刻",
];

/// Microsoft Forms' completion-time heading (the time the response was sent), as
/// [`MICROSOFT_FORMS_STARTS`].
const MICROSOFT_FORMS_COMPLETIONS: &[&str] = &[
    "Completion time",
    "Fertigstellungszeit",
    "Heure de fin",
    "Hora de finalización",
    "完成时间",
    "完了時刻",
];

/// Microsoft Forms' other own columns.
const MICROSOFT_FORMS_OTHERS: &[&str] = &[
    "Email",
    "Name",
    "Last modified time",
    "Total points",
    "Quiz feedback",
    "E-Mail",
    "Letzte Änderungszeit",
];

/// SurveyMonkey's own columns, in the current and the old (`RespondentID`) spelling.
const SURVEYMONKEY_OWN: &[&str] = &[
    "Respondent ID",
    "RespondentID",
    "Collector ID",
    "CollectorID",
    "Start Date",
    "StartDate",
    "End Date",
    "EndDate",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "LastName",
    "Custom Data 1",
    "Custom Data",
];

/// Headings among the tools' own columns that any file may have: no sign of a tool.
const GENERIC_HEADINGS: &[&str] = &[
    "id", "name", "email", "status", "token", "seed", "score", "progress", "finished",
];

/// Whether `cell` is a Qualtrics ImportId cell, `{"ImportId":...}` or, as some exports
/// write it, `{'ImportId': ...}`.
fn is_import_id(cell: &str) -> bool {
    let Some(rest) = cell.trim_start().strip_prefix('{') else {
        return false;
    };
    let rest = rest.trim_start();
    rest.strip_prefix('"')
        .or_else(|| rest.strip_prefix('\''))
        .is_some_and(|r| r.starts_with("ImportId"))
}

/// Whether the third row is Qualtrics' ImportId row.
fn third_is_import_ids(rows: &[Vec<String>]) -> bool {
    rows.get(2)
        .is_some_and(|r| r.iter().any(|c| is_import_id(c)))
}

/// A heading as compared: lower case, words separated by one space (no-break spaces and
/// runs of spaces count as one), so that headings match whatever their case and spacing.
fn heading_key(heading: &str) -> String {
    let mut key = String::with_capacity(heading.len());
    for word in heading.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    key
}

/// The same heading, ignoring case and spacing.
fn same_heading(a: &str, b: &str) -> bool {
    heading_key(a) == heading_key(b)
}

/// A set of headings, compared by [`heading_key`]: a header row is looked up in it in one
/// pass, whatever its width.
struct Headings(HashSet<String>);

impl Headings {
    fn of(names: &[&str]) -> Headings {
        Headings(names.iter().map(|n| heading_key(n)).collect())
    }

    fn has(&self, key: &str) -> bool {
        self.0.contains(key)
    }
}

/// The headings of `row` (with their keys) that are among `names`, as written in the row.
fn found<'a>(row: &'a [String], keys: &[String], names: &[&str]) -> Vec<&'a str> {
    let names = Headings::of(names);
    row.iter()
        .zip(keys)
        .filter(|(_, key)| names.has(key))
        .map(|(h, _)| h.as_str())
        .collect()
}

/// What the first rows say about the tool that wrote them: the preset whose marks they
/// carry, with the marks found, or the preset they resemble without being sure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Detected {
    /// The marks of one tool: this preset.
    Sure(Preset),
    /// No tool's marks: `plain`, though the file has some columns of `preset`.
    Resembles(Preset, Vec<String>),
    /// No tool's marks and nothing like them.
    Plain,
}

/// A second header row that holds a respondent's answers instead.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NotAHeader {
    /// Column (1-based) of the cell that gives it away.
    pub(crate) column: usize,
    /// The cell.
    pub(crate) cell: String,
    /// What the cell looks like (a date, a response id).
    pub(crate) looks_like: &'static str,
}

impl Preset {
    /// The name as given on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Preset::Qualtrics => "qualtrics",
            Preset::Surveymonkey => "surveymonkey",
            Preset::GoogleForms => "google-forms",
            Preset::Limesurvey => "limesurvey",
            Preset::MicrosoftForms => "microsoft-forms",
            Preset::Plain => "plain",
        }
    }

    /// What the first rows (header first) say about the tool that wrote them.
    pub(crate) fn examine(rows: &[Vec<String>]) -> Detected {
        let first = rows.first().map(Vec::as_slice).unwrap_or_default();
        let keys: Vec<String> = first.iter().map(|h| heading_key(h)).collect();
        // LimeSurvey's "code & text" headings are `CODE. Text`: either part may be the mark.
        let codes: Vec<String> = first
            .iter()
            .filter_map(|h| h.split_once(". ").map(|(code, _)| heading_key(code)))
            .collect();
        let has_any = |names: &[&str]| {
            let names = Headings::of(names);
            keys.iter().chain(&codes).any(|k| names.has(k))
        };
        let has = |name: &str| has_any(&[name]);
        let first_cell_is =
            |names: &[&str]| keys.first().is_some_and(|k| Headings::of(names).has(k));
        let google_timestamps = &GOOGLE_FORMS_OWN[..GOOGLE_FORMS_TIMESTAMPS];
        if third_is_import_ids(rows) || has("ResponseId") || (has("V1") && has("V2")) {
            return Detected::Sure(Preset::Qualtrics);
        }
        if has_any(&["Respondent ID", "RespondentID"]) && has_any(&["Collector ID", "CollectorID"])
        {
            return Detected::Sure(Preset::Surveymonkey);
        }
        if first_cell_is(google_timestamps) {
            return Detected::Sure(Preset::GoogleForms);
        }
        if has_any(LIMESURVEY_LAST_PAGE) && (has_any(LIMESURVEY_IDS) || has_any(LIMESURVEY_DATES)) {
            return Detected::Sure(Preset::Limesurvey);
        }
        if first_cell_is(MICROSOFT_FORMS_IDS)
            && has_any(MICROSOFT_FORMS_STARTS)
            && has_any(MICROSOFT_FORMS_COMPLETIONS)
        {
            return Detected::Sure(Preset::MicrosoftForms);
        }
        // No tool's marks: the tool with the most of its own columns here, if two or more
        // beyond the words any file may use as headings (`id`, `Name`, `Email`).
        let mut best: Option<(Preset, Vec<String>)> = None;
        for preset in [
            Preset::Qualtrics,
            Preset::Surveymonkey,
            Preset::GoogleForms,
            Preset::Limesurvey,
            Preset::MicrosoftForms,
        ] {
            let generic = Headings::of(GENERIC_HEADINGS);
            let own: Vec<String> = found(first, &keys, &preset.meta_names())
                .into_iter()
                .filter(|h| !generic.has(&heading_key(h)))
                .map(str::to_string)
                .collect();
            if own.len() >= 2 && best.as_ref().is_none_or(|(_, b)| own.len() > b.len()) {
                best = Some((preset, own));
            }
        }
        match best {
            Some((preset, own)) => Detected::Resembles(preset, own),
            None => Detected::Plain,
        }
    }

    /// What tells this tool's exports apart (for the hint on a file that resembles one).
    pub(crate) fn marks(self) -> &'static str {
        match self {
            Preset::Qualtrics => "a ResponseId column, V1 and V2 columns, or an ImportId third row",
            Preset::Surveymonkey => "both a Respondent ID and a Collector ID column",
            Preset::GoogleForms => "the timestamp as the first column",
            Preset::Limesurvey => "a last-page column beside the response id or submission date",
            Preset::MicrosoftForms => "ID first, with Start time and Completion time columns",
            Preset::Plain => "one header row",
        }
    }

    /// How many rows at the top of the export are headers.
    pub(crate) fn header_rows(self, rows: &[Vec<String>]) -> usize {
        match self {
            Preset::Qualtrics if third_is_import_ids(rows) => 3,
            Preset::Qualtrics | Preset::Surveymonkey => 2,
            Preset::GoogleForms | Preset::Limesurvey | Preset::MicrosoftForms | Preset::Plain => 1,
        }
    }

    /// For a layout of two header rows: the cell that shows that the second row of `rows`
    /// is a respondent's answers, not headings (a date, or a response id in the id
    /// column); `None` if it looks like headings.
    pub(crate) fn second_row_is_answers(self, rows: &[Vec<String>]) -> Option<NotAHeader> {
        if self.header_rows(rows) != 2 {
            return None;
        }
        let (first, second) = (rows.first()?, rows.get(1)?);
        if let Some((c, cell)) = second
            .iter()
            .enumerate()
            .find(|(_, cell)| date_shape(cell).is_some())
        {
            return Some(NotAHeader {
                column: c + 1,
                cell: cell.clone(),
                looks_like: "a date",
            });
        }
        // A second header row leaves the id column empty or names it (`ResponseID`);
        // a respondent's row has the id, which has digits.
        let ids = Headings::of(&self.id_names());
        let id_column = first
            .iter()
            .position(|h| ids.has(&heading_key(h)))
            .or_else(|| first.iter().position(|h| same_heading(h, "V1")))?;
        let cell = second.get(id_column)?;
        cell.chars()
            .any(|c| c.is_ascii_digit())
            .then(|| NotAHeader {
                column: id_column + 1,
                cell: cell.clone(),
                looks_like: "a response id",
            })
    }

    /// The order of day and month the tool writes in every account, when it has one.
    /// SurveyMonkey writes slashed dates month first (`10/06/2026 11:00:13 AM`); the
    /// others write ISO dates or follow the user's locale.
    pub(crate) fn date_order(self) -> Option<DateOrder> {
        match self {
            Preset::Surveymonkey => Some(DateOrder::Mdy),
            _ => None,
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
                    Preset::GoogleForms | Preset::MicrosoftForms | Preset::Plain => ExportColumn {
                        texts: vec![key.clone()],
                        key,
                    },
                }
            })
            .collect()
    }

    /// Column names (key or text) that hold the response id, in order of preference.
    pub(crate) fn id_names(self) -> Vec<&'static str> {
        match self {
            Preset::Qualtrics => vec!["ResponseId", "ResponseID", "_recordId"],
            Preset::Surveymonkey => vec!["Respondent ID", "RespondentID"],
            // Google Forms has no response id; the submission time is unique per response.
            Preset::GoogleForms => GOOGLE_FORMS_OWN[..GOOGLE_FORMS_TIMESTAMPS].to_vec(),
            Preset::Limesurvey => LIMESURVEY_IDS.to_vec(),
            Preset::MicrosoftForms => MICROSOFT_FORMS_IDS.to_vec(),
            Preset::Plain => vec!["id", "visit"],
        }
    }

    /// Column names that hold the response date, in order of preference.
    pub(crate) fn date_names(self) -> Vec<&'static str> {
        match self {
            Preset::Qualtrics => vec!["RecordedDate", "EndDate"],
            Preset::Surveymonkey => vec!["End Date", "EndDate"],
            Preset::GoogleForms => GOOGLE_FORMS_OWN[..GOOGLE_FORMS_TIMESTAMPS].to_vec(),
            Preset::Limesurvey => LIMESURVEY_DATES.to_vec(),
            Preset::MicrosoftForms => MICROSOFT_FORMS_COMPLETIONS.to_vec(),
            Preset::Plain => vec!["date"],
        }
    }

    /// The tool's own columns: neither answers nor new questions.
    pub(crate) fn meta_names(self) -> Vec<&'static str> {
        match self {
            Preset::Qualtrics => vec![
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
            Preset::Surveymonkey => SURVEYMONKEY_OWN.to_vec(),
            Preset::GoogleForms => GOOGLE_FORMS_OWN.to_vec(),
            Preset::Limesurvey => [
                LIMESURVEY_IDS,
                LIMESURVEY_DATES,
                LIMESURVEY_LAST_PAGE,
                LIMESURVEY_OTHERS,
            ]
            .concat(),
            Preset::MicrosoftForms => [
                MICROSOFT_FORMS_IDS,
                MICROSOFT_FORMS_STARTS,
                MICROSOFT_FORMS_COMPLETIONS,
                MICROSOFT_FORMS_OTHERS,
            ]
            .concat(),
            Preset::Plain => Vec::new(),
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

    /// The preset detection picks (`plain` when it is not sure).
    fn detect(rows: &[Vec<String>]) -> Preset {
        match Preset::examine(rows) {
            Detected::Sure(preset) => preset,
            Detected::Resembles(..) | Detected::Plain => Preset::Plain,
        }
    }

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
        assert_eq!(detect(&q), Preset::Qualtrics);
        assert_eq!(Preset::Qualtrics.header_rows(&q), 3);
        let legacy = rows(&[
            &["V1", "V2", "Q1_1"],
            &["ResponseID", "ResponseSet", "X"],
            &["R_1", "Default", "7"],
        ]);
        assert_eq!(detect(&legacy), Preset::Qualtrics);
        assert_eq!(Preset::Qualtrics.header_rows(&legacy), 2);
        let sm = rows(&[
            &["Respondent ID", "Collector ID", "Q"],
            &["", "", "Response"],
        ]);
        assert_eq!(detect(&sm), Preset::Surveymonkey);
        let g = rows(&[&["Timestamp", "Q"]]);
        assert_eq!(detect(&g), Preset::GoogleForms);
        let l = rows(&[&["id", "submitdate", "lastpage", "E[T1]"]]);
        assert_eq!(detect(&l), Preset::Limesurvey);
        assert_eq!(detect(&rows(&[&["id", "E_T1"]])), Preset::Plain);
    }

    #[test]
    fn detects_the_variants_of_each_tool() {
        // Qualtrics with the ImportId row in single quotes.
        let q = rows(&[
            &["StartDate", "Q1_1"],
            &["Start Date", "Rate - X"],
            &["{'ImportId': 'startDate'}", "{'ImportId': 'QID1_1'}"],
        ]);
        assert_eq!(detect(&q), Preset::Qualtrics);
        assert_eq!(Preset::Qualtrics.header_rows(&q), 3);
        // SurveyMonkey's old layout.
        let sm = rows(&[
            &["RespondentID", "CollectorID", "StartDate", "EndDate", "Q"],
            &["", "", "", "", "Response"],
        ]);
        assert_eq!(detect(&sm), Preset::Surveymonkey);
        assert_eq!(Preset::Surveymonkey.second_row_is_answers(&sm), None);
        // Google Forms in other languages.
        for stamp in [
            "Marca temporal",
            "Horodateur",
            "Zeitstempel",
            "时间戳记",
            "타임스탬프",
        ] {
            assert_eq!(
                detect(&rows(&[&[stamp, "Q"]])),
                Preset::GoogleForms,
                "{stamp}"
            );
        }
        // LimeSurvey with German, French and "code. text" headings.
        let de = rows(&[&["Antwort ID", "Datum Abgeschickt", "Letzte Seite", "Q"]]);
        assert_eq!(detect(&de), Preset::Limesurvey);
        let fr = rows(&[&["ID de la réponse", "Dernière page", "Q"]]);
        assert_eq!(detect(&fr), Preset::Limesurvey);
        let coded = rows(&[&["id. Response ID", "lastpage. Last page", "Q"]]);
        assert_eq!(detect(&coded), Preset::Limesurvey);
        // Microsoft Forms.
        let ms = rows(&[&[
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Last modified time",
            "Q",
        ]]);
        assert_eq!(detect(&ms), Preset::MicrosoftForms);
        assert_eq!(Preset::MicrosoftForms.header_rows(&ms), 1);
    }

    #[test]
    fn a_file_like_a_tools_gets_a_hint() {
        // The timestamp moved away from the first column: plain, but like Google Forms.
        let moved = rows(&[&["Site", "Timestamp", "Email Address", "Q"]]);
        assert_eq!(
            Preset::examine(&moved),
            Detected::Resembles(
                Preset::GoogleForms,
                vec!["Timestamp".to_string(), "Email Address".to_string()]
            )
        );
        // LimeSurvey headings without the last page.
        let lime = rows(&[&["Response ID", "Date submitted", "Q"]]);
        assert!(matches!(
            Preset::examine(&lime),
            Detected::Resembles(Preset::Limesurvey, _)
        ));
        // One column in common (`id`) is no likeness, nor are words any file may use.
        let visits = rows(&[&["visit", "Name", "Email", "Status", "RC1"]]);
        assert_eq!(Preset::examine(&visits), Detected::Plain);
        assert_eq!(
            Preset::examine(&rows(&[&["id", "site", "E_T1"]])),
            Detected::Plain
        );
    }

    #[test]
    fn a_respondent_is_never_a_second_header_row() {
        let one_row = rows(&[
            &["Respondent ID", "Collector ID", "Start Date", "Q"],
            &[
                "114230000000",
                "431234567",
                "10/06/2026 11:00:13 AM",
                "Agree",
            ],
        ]);
        let found = Preset::Surveymonkey.second_row_is_answers(&one_row);
        assert_eq!(
            found,
            Some(NotAHeader {
                column: 3,
                cell: "10/06/2026 11:00:13 AM".into(),
                looks_like: "a date"
            })
        );
        // No dates: the id column gives it away.
        let no_dates = rows(&[&["Respondent ID", "Q"], &["114230000000", "Agree"]]);
        assert_eq!(
            Preset::Surveymonkey
                .second_row_is_answers(&no_dates)
                .map(|n| n.column),
            Some(1)
        );
        // Qualtrics legacy: row 2 names the columns.
        let legacy = rows(&[
            &["V1", "V2", "V8"],
            &["ResponseID", "ResponseSet", "StartDate"],
            &["R_1", "Default", "2026-10-10 14:02:11"],
        ]);
        assert_eq!(Preset::Qualtrics.second_row_is_answers(&legacy), None);
        let legacy_one_row = rows(&[&["V1", "V2"], &["R_1abc", "Default"]]);
        assert!(Preset::Qualtrics
            .second_row_is_answers(&legacy_one_row)
            .is_some());
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
