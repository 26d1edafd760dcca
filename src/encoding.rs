//! Encoding labels as people write them, and the rule for telling an undeclared file's
//! encoding from its bytes only when that is sure (docs/files.md#encodings).
//!
//! A bottom piece: the definition checks a declared label with it, the readers open a
//! file with the encoding it names or detects, so every reader agrees on both.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{
    DecoderResult, Encoding, BIG5, EUC_KR, GB18030, GBK, MACINTOSH, SHIFT_JIS, UTF_16BE, UTF_16LE,
    UTF_8, WINDOWS_1252,
};

/// Parses an encoding label ("utf-8", "gbk", "gb18030", "euc-kr", "cp949", "shift_jis",
/// "sjis", "windows-1252", "latin1", "mac-roman", "big5", "utf-16le", ...),
/// case-insensitively; `None` if unknown.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim();
    // WHATWG labels first; `no_replacement` because the "replacement" encoding (for labels
    // like iso-2022-kr) would turn the whole file into one error rather than decode it.
    if let Some(encoding) = Encoding::for_label_no_replacement(label.as_bytes()) {
        return Some(encoding);
    }
    let lower = label.to_ascii_lowercase();
    if let Some(encoding) = alias(&lower) {
        return Some(encoding);
    }
    // `euc_kr`, `utf_8`, `shift-jis`: people mix up dash and underscore.
    let swapped: String = lower
        .chars()
        .map(|c| match c {
            '-' => '_',
            '_' => '-',
            c => c,
        })
        .collect();
    Encoding::for_label_no_replacement(swapped.as_bytes()).or_else(|| alias(&swapped))
}

/// Names people copy from Excel's "Save as" dialog, Python or iconv that WHATWG lacks.
fn alias(lower: &str) -> Option<&'static Encoding> {
    match lower {
        "cp936" | "ms936" | "windows-936" => Some(GBK),
        "cp932" | "ms932" | "windows-932" | "sjis" | "shift-jis" | "s-jis" => Some(SHIFT_JIS),
        "cp949" | "ms949" | "uhc" | "windows-949" | "euckr" => Some(EUC_KR),
        "cp950" | "ms950" => Some(BIG5),
        "cp1252" | "latin-1" | "iso-8859-1:1987" => Some(WINDOWS_1252),
        "mac-roman" | "macroman" | "mac_roman" | "x-mac-roman" | "mac" => Some(MACINTOSH),
        "utf16" | "ucs-2" | "unicode" => Some(UTF_16LE),
        _ => None,
    }
}

/// Labels a user can declare, shown when a label is unknown or the encoding unsure.
pub const KNOWN_LABELS: &[&str] = &[
    "utf-8",
    "utf-16",
    "utf-16le",
    "utf-16be",
    "gb18030",
    "gbk",
    "big5",
    "euc-kr",
    "cp949",
    "shift_jis",
    "sjis",
    "cp932",
    "euc-jp",
    "windows-1252",
    "latin1",
    "macintosh",
    "mac-roman",
    "windows-1250",
    "windows-1251",
    "iso-8859-2",
    "iso-8859-15",
    "koi8-r",
];

/// Known labels near `label` (edit distance, or sharing its digits), for "did you mean".
pub fn similar_labels(label: &str) -> Vec<&'static str> {
    let lower = label.trim().to_ascii_lowercase();
    let digits: String = lower.chars().filter(char::is_ascii_digit).collect();
    let mut scored: Vec<(usize, &'static str)> = KNOWN_LABELS
        .iter()
        .filter_map(|&known| {
            let distance = strsim::levenshtein(&lower, known);
            let shares_number = digits.len() >= 3 && known.contains(digits.as_str());
            (distance <= 3 || shares_number).then_some((distance, known))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(4).map(|(_, known)| known).collect()
}

/// How an encoding is named in messages: the usual name, with the Windows code page or
/// the name people also know it by.
pub fn display_name(encoding: &'static Encoding) -> &'static str {
    if encoding == GBK || encoding == GB18030 {
        "GBK/GB18030"
    } else if encoding == EUC_KR {
        "EUC-KR (CP949)"
    } else if encoding == SHIFT_JIS {
        "Shift_JIS (CP932)"
    } else if encoding == MACINTOSH {
        "Mac Roman (macintosh)"
    } else {
        encoding.name()
    }
}

/// The expected text for an unknown `label`: the similar known labels, or the usual ones.
pub fn unknown_label_expected(label: &str) -> String {
    let similar = similar_labels(label);
    if similar.is_empty() {
        format!(
            "a known encoding label such as {}",
            KNOWN_LABELS
                .iter()
                .take(16)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        format!(
            "a known encoding label: did you mean {}?",
            similar.join(", ")
        )
    }
}

/// The note that a file's encoding was detected rather than declared (`path` as shown;
/// `declared_in`: where `encoding:` would go).
pub fn detected_note(path: &str, encoding: &'static Encoding, declared_in: &str) -> String {
    format!(
        "{path}: read as {}, detected from its text (`--encoding {}` or `encoding:` in {declared_in} declares it)",
        display_name(encoding),
        declaration_label(encoding),
    )
}

/// The label to write in `encoding:` or `--encoding` for `encoding`.
pub fn declaration_label(encoding: &'static Encoding) -> String {
    encoding.name().to_ascii_lowercase()
}

/// The least number of non-ASCII bytes a guess must rest on. Below it even a stable
/// guess is too often wrong on short text (docs/files.md#encodings has the measurement).
pub const MIN_NON_ASCII_BYTES: usize = 64;

/// What the start of an undeclared file that is not UTF-8 says about its encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// The encoding the rule is sure of, if it is.
    pub sure: Option<&'static Encoding>,
    /// The likely encodings, most likely first (never empty).
    pub likely: Vec<&'static Encoding>,
    /// Non-ASCII bytes the guess rests on.
    pub non_ascii: usize,
}

/// Into how many parts (every n-th line) the prefix is cut to check the guess is stable.
const PARTS: usize = 3;

/// Encodings offered as likely when the rule is not sure, if they decode the prefix:
/// what survey tools and Excel write in East Asia and Western Europe.
const USUAL: &[&Encoding] = &[
    &encoding_rs::GB18030_INIT,
    &encoding_rs::EUC_KR_INIT,
    &encoding_rs::SHIFT_JIS_INIT,
    &encoding_rs::BIG5_INIT,
    &encoding_rs::WINDOWS_1252_INIT,
    &encoding_rs::MACINTOSH_INIT,
];

/// chardetng's guess for `bytes` (never UTF-8), GBK read as GB18030.
fn guess(bytes: &[u8], last: bool) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, last);
    unify(detector.guess(None, Utf8Detection::Deny))
}

/// Decides the encoding of `prefix`, the start of a file (all of it when `at_eof`) that
/// has no BOM, no declaration and is not UTF-8.
///
/// The rule: chardetng's guess counts as sure only when (1) it is also its guess for
/// each of [`PARTS`] parts of the prefix taken apart (every third line), so it does not
/// hang on a few bytes; (2) it decodes the whole prefix without one invalid sequence
/// (GB18030 decodes almost any bytes, so that alone proves nothing, but a failure
/// disproves); (3) it rests on at least [`MIN_NON_ASCII_BYTES`] non-ASCII bytes; (4) a
/// single-byte guess is checked against Mac Roman, which chardetng does not know and
/// which reads the same bytes as other letters (`Zürich` in Mac Roman is `ZŸrich` in
/// windows-1252): the reading whose accented letters sit in words like letters wins,
/// and only when the other reading has clearly more odd characters.
pub fn detect_legacy(prefix: &[u8], at_eof: bool) -> Detected {
    let first = guess(prefix, at_eof);
    let mut likely = vec![first];
    let mut parts: Vec<Vec<u8>> = vec![Vec::new(); PARTS];
    for (i, line) in prefix.split_inclusive(|&b| b == b'\n').enumerate() {
        if let Some(part) = parts.get_mut(i % PARTS) {
            part.extend_from_slice(line);
        }
    }
    let mut stable = true;
    for part in parts.iter().filter(|p| !p.is_ascii()) {
        let other = guess(part, at_eof);
        if other != first {
            stable = false;
            if !likely.contains(&other) {
                likely.push(other);
            }
        }
    }
    let clean = decodes_cleanly(first, prefix, at_eof);
    let non_ascii = prefix.iter().filter(|b| !b.is_ascii()).count();
    // Mac Roman decodes any bytes a single-byte guess reads: the one of the two readings
    // whose accented letters sit in words like letters wins, when the other's do not.
    let mut pick = first;
    let mut readings_differ = true;
    if is_single_byte(first) {
        let (guess_odd, guess_letters) = odd_characters(first, prefix);
        let (mac_odd, mac_letters) = odd_characters(MACINTOSH, prefix);
        let (best_odd, best_letters, other_odd) = if guess_odd > mac_odd {
            pick = MACINTOSH;
            (mac_odd, mac_letters, guess_odd)
        } else {
            (guess_odd, guess_letters, mac_odd)
        };
        readings_differ = best_letters > 0
            && best_odd * ODD_MARGIN <= other_odd
            && other_odd >= MIN_ODD_IN_WRONG_READING;
    }
    let clean = clean && decodes_cleanly(pick, prefix, at_eof);
    let sure =
        (stable && clean && readings_differ && non_ascii >= MIN_NON_ASCII_BYTES).then_some(pick);
    if pick != first {
        likely.retain(|&e| e != pick);
        likely.insert(0, pick);
    }
    for &usual in USUAL {
        if !likely.contains(&usual) && decodes_cleanly(usual, prefix, at_eof) {
            likely.push(usual);
        }
    }
    // An encoding that cannot decode the prefix is not likely at all.
    let decodable: Vec<&'static Encoding> = likely
        .iter()
        .copied()
        .filter(|&e| decodes_cleanly(e, prefix, at_eof))
        .collect();
    if !decodable.is_empty() {
        likely = decodable;
    }
    if sure.is_none() {
        // Unsure, the detector's odd picks for a few bytes (IBM866 for three kana) are
        // less likely for a survey export than the usual encodings: those first.
        likely.sort_by_key(|e| !USUAL.contains(e));
    }
    Detected {
        sure,
        likely,
        non_ascii,
    }
}

/// How many times more odd characters the wrong one of two single-byte readings must
/// have than the right one.
const ODD_MARGIN: usize = 4;
/// The least number of odd characters that shows a single-byte reading is wrong.
const MIN_ODD_IN_WRONG_READING: usize = 3;

/// Odd characters in `bytes` read as `encoding`, and the non-ASCII letters: a control
/// character, a non-letter between two letters (`Z¸rich`, `Gen‡ve`), a capital right
/// after a letter and before a small one (`ZŸrich`). Apostrophes, dashes and the middle
/// dot between letters are not odd (`l’été`, `l·l`).
fn odd_characters(encoding: &'static Encoding, bytes: &[u8]) -> (usize, usize) {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    let mut odd = 0;
    let mut letters = 0;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii() {
            continue;
        }
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let after = chars.get(i + 1).copied();
        let letter = |c: Option<char>| c.is_some_and(char::is_alphabetic);
        if c.is_control() {
            odd += 1;
        } else if c.is_alphabetic() {
            letters += 1;
            if c.is_uppercase() && letter(before) && after.is_some_and(char::is_lowercase) {
                odd += 1;
            }
        } else if letter(before) && letter(after) && !matches!(c, '’' | '‘' | 'ʼ' | '·' | '–')
        {
            odd += 1;
        }
    }
    (odd, letters)
}

/// GBK and GB18030 share encoding_rs's decoder; the file is read as GB18030, the superset.
fn unify(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == GBK {
        GB18030
    } else {
        encoding
    }
}

/// Whether every byte of `encoding` maps to one character (windows-125x, ISO 8859, ...).
fn is_single_byte(encoding: &'static Encoding) -> bool {
    !(encoding == GB18030
        || encoding == GBK
        || encoding == BIG5
        || encoding == EUC_KR
        || encoding == SHIFT_JIS
        || encoding == encoding_rs::EUC_JP
        || encoding == encoding_rs::ISO_2022_JP
        || encoding == UTF_8
        || encoding == UTF_16LE
        || encoding == UTF_16BE)
}

/// Whether `bytes` decode in `encoding` without errors; `last` says whether they end the
/// input (if not, a character cut off at the end is held, not rejected).
pub fn decodes_cleanly(encoding: &'static Encoding, bytes: &[u8], last: bool) -> bool {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = vec![0u8; 16 * 1024];
    let mut rest = bytes;
    loop {
        let (result, read, _) = decoder.decode_to_utf8_without_replacement(rest, &mut out, last);
        rest = rest.get(read..).unwrap_or_default();
        match result {
            DecoderResult::InputEmpty => return true,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(_, _) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{EUC_JP, WINDOWS_1250};

    #[test]
    fn labels_are_case_insensitive_with_aliases() {
        assert_eq!(encoding_for_label("UTF-8"), Some(UTF_8));
        assert_eq!(encoding_for_label("gbk"), Some(GBK));
        assert_eq!(encoding_for_label("GB18030"), Some(GB18030));
        assert_eq!(encoding_for_label("euc_kr"), Some(EUC_KR));
        assert_eq!(encoding_for_label("Shift-JIS"), Some(SHIFT_JIS));
        assert_eq!(encoding_for_label("big5"), Some(BIG5));
        assert_eq!(encoding_for_label("utf-16le"), Some(UTF_16LE));
        assert_eq!(encoding_for_label(" windows-1252 "), Some(WINDOWS_1252));
        assert_eq!(encoding_for_label("cp936"), Some(GBK));
        assert_eq!(encoding_for_label("iso-2022-kr"), None);
        assert_eq!(encoding_for_label("klingon"), None);
    }

    #[test]
    fn the_usual_aliases_are_known() {
        for (label, encoding) in [
            ("cp949", EUC_KR),
            ("CP949", EUC_KR),
            ("euc-kr", EUC_KR),
            ("shift_jis", SHIFT_JIS),
            ("sjis", SHIFT_JIS),
            ("cp932", SHIFT_JIS),
            ("gbk", GBK),
            ("gb18030", GB18030),
            ("windows-1252", WINDOWS_1252),
            ("cp1252", WINDOWS_1252),
            ("latin1", WINDOWS_1252),
            ("latin-1", WINDOWS_1252),
            ("macintosh", MACINTOSH),
            ("mac-roman", MACINTOSH),
            ("MacRoman", MACINTOSH),
            ("mac_roman", MACINTOSH),
            ("utf-16", UTF_16LE),
            ("euc-jp", EUC_JP),
            ("windows-1250", WINDOWS_1250),
        ] {
            assert_eq!(encoding_for_label(label), Some(encoding), "{label}");
        }
    }

    #[test]
    fn unknown_labels_get_similar_known_ones() {
        assert!(similar_labels("cp-949").contains(&"cp949"));
        assert!(similar_labels("shift-jsi").contains(&"shift_jis"));
        assert!(similar_labels("windows1252x").contains(&"windows-1252"));
        assert!(similar_labels("latin").contains(&"latin1"));
        assert!(similar_labels("klingon").is_empty());
    }

    /// `text` as `encoding` writes it.
    fn encoded(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{text} in {}", encoding.name());
        bytes.into_owned()
    }

    #[test]
    fn gb18030_decoding_proves_nothing_but_failing_to_decode_disproves() {
        // "Zürich" in Mac Roman, CP949 text and windows-1252 text all decode as GB18030.
        for bytes in [
            encoded(MACINTOSH, "Zürich,Genève"),
            encoded(EUC_KR, "서울 지점"),
            encoded(WINDOWS_1252, "Zürich,Genève"),
        ] {
            assert!(decodes_cleanly(GB18030, &bytes, true));
        }
        assert!(!decodes_cleanly(SHIFT_JIS, b"\x81\x20", true));
        // A character cut off by the end of the prefix is not an error unless it is the end.
        assert!(decodes_cleanly(GB18030, b"a\x81", false));
        assert!(!decodes_cleanly(GB18030, b"a\x81", true));
    }

    #[test]
    fn a_short_text_is_never_sure() {
        let detected = detect_legacy(&encoded(EUC_KR, "지점,평가\n서울 지점,5\n"), true);
        assert_eq!(detected.sure, None);
        assert!(!detected.likely.is_empty());
    }

    #[test]
    fn mac_roman_and_windows_1252_are_told_apart_by_their_letters() {
        let text = "Filiale,Kommentar\n".to_string()
            + &"Zürich,Sehr freundliche Begrüßung und schnelle Bedienung\n".repeat(8)
            + &"Genève,Accueil très agréable, conseillère compétente\n".repeat(8);
        let detected = detect_legacy(&encoded(MACINTOSH, &text), true);
        assert_eq!(detected.sure, Some(MACINTOSH), "{detected:?}");
        let detected = detect_legacy(&encoded(WINDOWS_1252, &text), true);
        assert_eq!(detected.sure, Some(WINDOWS_1252), "{detected:?}");
        // One accented word is not enough to tell them apart.
        let detected = detect_legacy(&encoded(MACINTOSH, "Filiale\nZürich\n"), true);
        assert_eq!(detected.sure, None, "{detected:?}");
        assert!(detected.likely.contains(&MACINTOSH), "{detected:?}");
        assert!(detected.likely.contains(&WINDOWS_1252), "{detected:?}");
    }

    /// Invented survey rows (site, comment) in one language, for the samples below.
    fn survey_rows(language: &str) -> &'static [(&'static str, &'static str)] {
        match language {
            "de" => &[
                ("Zürich", "Sehr freundliche Begrüßung, kurze Wartezeit"),
                (
                    "Genève",
                    "Beratung war gut, aber die Räume wirkten überfüllt",
                ),
                ("München", "Mitarbeiterin hat sich große Mühe gegeben"),
                ("Köln", "Öffnungszeiten könnten länger sein"),
            ],
            "fr" => &[
                ("Genève", "Accueil très agréable, conseillère compétente"),
                ("Zürich", "Délai d'attente trop long à la caisse"),
                ("Montréal", "Le personnel était poli et l'espace bien rangé"),
                (
                    "Besançon",
                    "Réponse précise, mais on a dû répéter la requête",
                ),
            ],
            "es" => &[
                ("Málaga", "Atención rápida y amable, muy buena experiencia"),
                ("Logroño", "El empleado no sabía la respuesta a mi petición"),
                ("Córdoba", "Instalaciones limpias, pero poca señalización"),
            ],
            "ko" => &[
                ("서울 지점", "직원이 친절하고 설명이 자세했습니다"),
                ("부산 지점", "대기 시간이 너무 길었습니다"),
                ("대구 지점", "매장이 깨끗하고 안내가 명확했어요"),
            ],
            "ja" => &[
                ("東京支店", "スタッフの対応がとても丁寧でした"),
                ("大阪支店", "待ち時間が長く、説明も分かりにくかった"),
                ("福岡支店", "店内は清潔で、案内も分かりやすいです"),
            ],
            "zh" => &[
                ("北京网点", "工作人员态度热情，办理速度很快"),
                ("上海网点", "排队时间太长，希望增加窗口"),
                ("广州网点", "环境整洁，但指示牌不够清楚"),
            ],
            _ => &[
                ("台北分行", "服務人員態度親切，辦理速度很快"),
                ("高雄分行", "排隊時間太長，希望增加櫃檯"),
                ("台中分行", "環境整潔，但指示牌不夠清楚"),
            ],
        }
    }

    /// A survey export of `rows` rows in `language`, as text.
    fn survey_text(language: &str, rows: usize) -> String {
        let sample = survey_rows(language);
        let mut text = String::from("ResponseId,Site,Date,Comment,E_T1,P_T1\n");
        for i in 0..rows {
            let (site, comment) = sample[i % sample.len()];
            text.push_str(&format!(
                "R_{i:04},{site},2026-11-{:02},\"{comment}\",{},{}\n",
                i % 28 + 1,
                i % 7 + 1,
                (i + 3) % 7 + 1
            ));
        }
        text
    }

    /// The encodings and languages of the samples; the data behind docs/files.md#encodings.
    const SAMPLES: &[(&str, &str)] = &[
        ("windows-1252", "de"),
        ("windows-1252", "fr"),
        ("windows-1252", "es"),
        ("macintosh", "de"),
        ("macintosh", "fr"),
        ("macintosh", "es"),
        ("euc-kr", "ko"),
        ("shift_jis", "ja"),
        ("euc-jp", "ja"),
        ("gb18030", "zh"),
        ("big5", "zh-tw"),
    ];

    #[test]
    fn invented_survey_exports_are_read_right_or_refused_never_wrong() {
        let mut table = String::new();
        for &(label, language) in SAMPLES {
            let truth = encoding_for_label(label).unwrap();
            let mut row = format!("{label} {language}:");
            for rows in [1, 2, 3, 5, 10, 20, 50, 200] {
                let text = survey_text(language, rows);
                let bytes = encoded(truth, &text);
                let detected = detect_legacy(&bytes, true);
                let verdict = match detected.sure {
                    Some(found) => {
                        assert_eq!(
                            found.decode_without_bom_handling(&bytes).0,
                            text,
                            "{label} {language} {rows} rows read as {}",
                            found.name()
                        );
                        "right"
                    }
                    None => {
                        assert!(
                            detected.likely.contains(&truth)
                                || (truth == GB18030 && detected.likely.contains(&GBK)),
                            "{label} {language} {rows}: {detected:?}"
                        );
                        "refused"
                    }
                };
                row.push_str(&format!(" {rows}={verdict}"));
                if rows >= 50 {
                    assert_eq!(
                        verdict, "right",
                        "{label} {language} {rows} rows: {detected:?}"
                    );
                }
            }
            table.push_str(&row);
            table.push('\n');
        }
        eprintln!("{table}");
    }
}
