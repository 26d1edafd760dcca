//! Encoding labels as people write them in an audit or a map file.
//!
//! A bottom piece: the definition checks a declared label with it, the readers open a
//! file with the encoding it names, so both agree on what a label means.

use encoding_rs::{Encoding, BIG5, EUC_KR, GBK, SHIFT_JIS};

/// Parses an encoding label as the audit YAML spells it ("utf-8", "gbk", "gb18030", "euc-kr", "shift_jis", "windows-1252", "big5", "utf-16le", ...), case-insensitively; `None` if unknown.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim();
    // WHATWG labels first; `no_replacement` because the "replacement" encoding (for labels
    // like iso-2022-kr) would turn the whole file into one error rather than decode it.
    if let Some(encoding) = Encoding::for_label_no_replacement(label.as_bytes()) {
        return Some(encoding);
    }
    // Windows code-page names people copy from Excel's "Save as" dialog.
    let lower = label.to_ascii_lowercase();
    match lower.as_str() {
        "cp936" | "ms936" | "windows-936" => Some(GBK),
        "cp932" | "windows-932" => Some(SHIFT_JIS),
        "cp949" | "ms949" | "uhc" => Some(EUC_KR),
        "cp950" | "ms950" => Some(BIG5),
        _ => {
            // `euc_kr`, `utf_8`, `shift-jis`: people mix up dash and underscore.
            let swapped: String = lower
                .chars()
                .map(|c| match c {
                    '-' => '_',
                    '_' => '-',
                    c => c,
                })
                .collect();
            Encoding::for_label_no_replacement(swapped.as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{GB18030, UTF_16LE, UTF_8, WINDOWS_1252};

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
}
