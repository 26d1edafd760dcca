//! Encodings through the real binary, in `report`/`validate`/`status` (survey and visit
//! files) and in `import` (exports): CP949, Shift_JIS, GB18030, Big5, windows-1252, Mac
//! Roman and UTF-16, declared (`--encoding`, the audit's and the map's `encoding:`) or
//! not. Every file is read right or refused at its first line that is not UTF-8, with
//! the likely encodings: never mojibake (docs/files.md#encodings).
//!
//! The files are made here from invented rows, written with encoding_rs in each encoding.

use std::collections::BTreeSet;
use std::path::Path;

use encoding_rs::{Encoding, BIG5, EUC_KR, GB18030, MACINTOSH, SHIFT_JIS, UTF_8, WINDOWS_1252};

use crate::support::{fixture_copy, read, write, Run, Test};

const KOREAN: &[&str] = &[
    "서울 강남 지점",
    "부산 해운대 지점",
    "대구 동성로 지점",
    "인천 송도 지점",
    "광주 충장로 지점",
];
const JAPANESE: &[&str] = &[
    "東京丸の内支店",
    "大阪梅田支店",
    "名古屋栄支店",
    "福岡天神支店",
    "札幌大通支店",
];
const CHINESE: &[&str] = &[
    "北京朝阳网点",
    "上海浦东网点",
    "广州天河网点",
    "深圳南山网点",
    "成都锦江网点",
];
const TRADITIONAL: &[&str] = &[
    "台北信義分行",
    "高雄苓雅分行",
    "台中西屯分行",
    "新竹東區分行",
];
const WESTERN: &[&str] = &[
    "Zürich",
    "Genève",
    "Köln",
    "Besançon",
    "Málaga",
    "Logroño",
    "Montréal",
    "Düsseldorf",
];

/// A label as a user declares it, the encoding it names, and site names it can hold.
struct Case {
    label: &'static str,
    encoding: &'static Encoding,
    sites: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        label: "cp949",
        encoding: EUC_KR,
        sites: KOREAN,
    },
    Case {
        label: "euc-kr",
        encoding: EUC_KR,
        sites: KOREAN,
    },
    Case {
        label: "shift_jis",
        encoding: SHIFT_JIS,
        sites: JAPANESE,
    },
    Case {
        label: "sjis",
        encoding: SHIFT_JIS,
        sites: JAPANESE,
    },
    Case {
        label: "gb18030",
        encoding: GB18030,
        sites: CHINESE,
    },
    Case {
        label: "gbk",
        encoding: GB18030,
        sites: CHINESE,
    },
    Case {
        label: "big5",
        encoding: BIG5,
        sites: TRADITIONAL,
    },
    Case {
        label: "windows-1252",
        encoding: WINDOWS_1252,
        sites: WESTERN,
    },
    Case {
        label: "latin1",
        encoding: WINDOWS_1252,
        sites: WESTERN,
    },
    Case {
        label: "macintosh",
        encoding: MACINTOSH,
        sites: WESTERN,
    },
    Case {
        label: "mac-roman",
        encoding: MACINTOSH,
        sites: WESTERN,
    },
];

/// The 22 items' E and P answers of one customer row.
fn answers(i: usize) -> String {
    (0..22)
        .map(|k| format!("{},{}", (i + k) % 3 + 5, (i + 2 * k) % 5 + 3))
        .collect::<Vec<_>>()
        .join(",")
}

/// A customer survey (the data file's layout) of `rows` rows from `sites` in turn.
fn customers(dir: &Path, sites: &[&str], rows: usize) -> String {
    let data = read(&dir.join("data/customers.csv"));
    let header = data.lines().next().unwrap_or_default();
    let mut text = format!("{header}\n");
    for i in 0..rows {
        let site = sites[i % sites.len()];
        text.push_str(&format!(
            "C{i:05},{site},2026-10-{:02},{}\n",
            i % 28 + 1,
            answers(i)
        ));
    }
    text
}

/// A visits file (the form's questions) of `rows` visits to `sites` in turn.
fn visits(dir: &Path, sites: &[&str], rows: usize) -> String {
    let data = read(&dir.join("data/visits.csv"));
    let header = data.lines().next().unwrap_or_default();
    let mut text = format!("{header}\n");
    for i in 0..rows {
        let site = sites[i % sites.len()];
        text.push_str(&format!(
            "W{i:04},Ann,{site},2026-11-{:02},yes,5,yes,no,4,yes,4,yes,yes,yes,5,no,yes,yes,yes,yes,yes,3,yes\n",
            i % 28 + 1
        ));
    }
    text
}

/// `text` in `encoding` (a UTF-16 encoding is written little-endian with its BOM).
fn encoded(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    if encoding == encoding_rs::UTF_16LE {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        return bytes;
    }
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable, "{text} in {}", encoding.name());
    bytes.into_owned()
}

/// The site names `status` lists for the audit in `dir`, run with `extra` arguments.
fn status_sites(dir: &Path, extra: &[&str]) -> BTreeSet<String> {
    let json = Test::new()
        .arg("status")
        .arg(dir.join("audit.yaml"))
        .args(["--format", "json"])
        .args(extra)
        .run()
        .success()
        .json();
    json["sites"]
        .as_array()
        .map(|sites| {
            sites
                .iter()
                .filter_map(|s| s["site"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn set(sites: &[&str]) -> BTreeSet<String> {
    sites.iter().map(|s| s.to_string()).collect()
}

/// Writes the customers and visits of `case` (`rows` each) into the audit in `dir`.
fn write_sources(dir: &Path, case: &Case, rows: usize) {
    let customers = customers(dir, case.sites, rows);
    let visits = visits(dir, case.sites, rows);
    write(
        &dir.join("data/customers.csv"),
        encoded(case.encoding, &customers),
    );
    write(
        &dir.join("data/visits.csv"),
        encoded(case.encoding, &visits),
    );
}

#[test]
fn each_declared_encoding_is_read_right_by_status_validate_and_report() {
    for case in CASES {
        let dir = fixture_copy("encodings");
        // Three rows: too little text to detect, so the declaration is what reads it.
        write_sources(dir.path(), case, 3);
        let flag = ["--encoding", case.label];
        assert_eq!(
            status_sites(dir.path(), &flag),
            set(&case.sites[..3]),
            "{}",
            case.label
        );
        let audit = dir.path().join("audit.yaml");
        Test::new()
            .arg("validate")
            .arg(&audit)
            .args(flag)
            .run()
            .success()
            .stderr_contains("3 customer rows, 3 visits");
        let report = Test::new()
            .arg("report")
            .arg(&audit)
            .args(["--format", "json"])
            .args(flag)
            .run()
            .success()
            .json();
        assert_eq!(report["respondents"]["customers"], 3, "{}", case.label);
    }
}

#[test]
fn utf16_and_utf8_with_a_byte_order_mark_need_no_declaration() {
    let sites = ["서울 강남 지점", "東京丸の内支店", "Zürich"];
    for encoding in [encoding_rs::UTF_16LE, UTF_8] {
        let dir = fixture_copy("encodings");
        let mut customers = customers(dir.path(), &sites, 3);
        if encoding == UTF_8 {
            customers.insert(0, '\u{FEFF}');
        }
        write(
            &dir.path().join("data/customers.csv"),
            encoded(encoding, &customers),
        );
        let found = status_sites(dir.path(), &[]);
        assert!(found.is_superset(&set(&sites)), "{found:?}");
    }
}

#[test]
fn undeclared_files_are_detected_right_or_refused_at_their_line_never_misread() {
    for case in CASES
        .iter()
        .filter(|c| !c.label.contains('-') || c.label == "euc-kr")
    {
        for rows in [1, 3, 120] {
            let dir = fixture_copy("encodings");
            write_sources(dir.path(), case, rows);
            let run = Test::new()
                .arg("status")
                .arg(dir.path().join("audit.yaml"))
                .args(["--format", "json"])
                .run();
            if run.code() == 0 {
                let found: BTreeSet<String> = run.json()["sites"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s["site"].as_str().map(str::to_owned))
                    .collect();
                let expected = set(&case.sites[..rows.min(case.sites.len())]);
                assert_eq!(found, expected, "{} with {rows} rows", case.label);
            } else {
                run.status(2)
                    .stderr_contains(":2: encoding: could not detect the text encoding for sure")
                    .stderr_contains(crate_name(case.encoding))
                    .stderr_contains("--encoding");
                // 120 rows are enough for every encoding here (docs/files.md#encodings).
                assert!(rows < 120, "{} with {rows} rows refused", case.label);
            }
        }
    }
}

/// How messages name `encoding` among the likely ones.
fn crate_name(encoding: &'static Encoding) -> &'static str {
    if encoding == GB18030 {
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

#[test]
fn a_short_undeclared_file_is_refused_with_its_line_bytes_and_the_likely_encodings() {
    let dir = fixture_copy("encodings");
    let text = customers(dir.path(), &["Zürich", "Genève"], 2);
    write(
        &dir.path().join("data/customers.csv"),
        encoded(WINDOWS_1252, &text),
    );
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    Test::new()
        .arg("report")
        .arg(dir.path().join("audit.yaml"))
        .arg("--report")
        .arg(format!("json={}", out.join("report.json").display()))
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("customers.csv:2: encoding: could not detect the text encoding for sure")
        .stderr_contains("found \"C00000,Z<FC>rich,2026-10-01,")
        .stderr_contains("likely windows-1252, ")
        .stderr_contains("Mac Roman (macintosh)")
        .stderr_contains("`--encoding windows-1252`")
        .nothing_written();
}

#[test]
fn the_flag_overrides_the_audits_encoding_and_the_audits_is_used_without_it() {
    let dir = fixture_copy("encodings");
    let case = &CASES[0];
    write_sources(dir.path(), case, 3);
    let audit_path = dir.path().join("audit.yaml");
    let audit = read(&audit_path);
    let declared = |label: &str| {
        audit
            .replace(
                "file: data/customers.csv",
                &format!("file: data/customers.csv\n    encoding: {label}"),
            )
            .replace(
                "file: data/visits.csv",
                &format!("file: data/visits.csv\n    encoding: {label}"),
            )
    };
    write(&audit_path, declared("cp949"));
    assert_eq!(status_sites(dir.path(), &[]), set(&KOREAN[..3]));
    // Declared wrong in the audit, right on the command line: the flag wins.
    write(&audit_path, declared("shift_jis"));
    assert_eq!(
        status_sites(dir.path(), &["--encoding", "cp949"]),
        set(&KOREAN[..3])
    );
}

#[test]
fn an_unknown_label_lists_similar_known_ones() {
    let dir = fixture_copy("encodings");
    Test::new()
        .arg("report")
        .arg(dir.path().join("audit.yaml"))
        .args(["--encoding", "cp-949"])
        .run()
        .status(2)
        .stderr_contains("--encoding: unknown encoding: found \"cp-949\"")
        .stderr_contains("did you mean cp949");
    Test::new()
        .arg("validate")
        .arg(dir.path().join("audit.yaml"))
        .args(["--encoding", "klingon"])
        .run()
        .status(2)
        .stderr_contains("unknown encoding")
        .stderr_contains("gb18030");
}

#[test]
fn a_late_line_in_another_encoding_stops_the_report_at_that_line() {
    // UTF-8 (ASCII) far past the 64 KiB the reader looks at first, read on every core,
    // then one windows-1252 row: refused at its line, nothing written.
    let dir = fixture_copy("encodings");
    let rows = 1500;
    let mut text = customers(dir.path(), &["East", "West"], rows);
    let late = customers(dir.path(), &["Zürich"], 1);
    text.push_str(late.lines().nth(1).unwrap_or_default());
    text.push('\n');
    write(
        &dir.path().join("data/customers.csv"),
        encoded(WINDOWS_1252, &text),
    );
    assert!(text.len() > 128 * 1024);
    let out = dir.path().join("report.json");
    Test::new()
        .arg("report")
        .arg(dir.path().join("audit.yaml"))
        .args(["--format", "json", "-o"])
        .arg(&out)
        .env("SERVQUAL_CHUNK_BYTES", "16384")
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains(&format!(
            "customers.csv:{}: encoding: could not detect",
            rows + 2
        ))
        .stderr_contains("this line is not UTF-8")
        .stderr_contains("C00000,Z<FC>rich,")
        .stderr_contains("windows-1252")
        .nothing_written();
}

/// `servqual import <dir>/audit.yaml --source customers <export> <extra>`.
fn import(dir: &Path, export: &Path, extra: &[&str]) -> Run {
    crate::support::import_test(dir, "customers", export, extra).run()
}

/// Writes an export of `rows` customers from `sites` in `encoding` beside the audit.
fn export(
    dir: &Path,
    encoding: &'static Encoding,
    sites: &[&str],
    rows: usize,
) -> std::path::PathBuf {
    let text = customers(dir, sites, rows).replace("\nC", "\nX");
    let path = dir.join("export.csv");
    write(&path, encoded(encoding, &text));
    path
}

#[test]
fn import_reads_each_declared_encoding() {
    for case in CASES {
        let dir = fixture_copy("encodings");
        let path = export(dir.path(), case.encoding, case.sites, 3);
        import(dir.path(), &path, &["--encoding", case.label]).success();
        let data = read(&dir.path().join("data/customers.csv"));
        for site in &case.sites[..3] {
            assert!(
                data.contains(&format!(",{site},2026-10-")),
                "{}: {data}",
                case.label
            );
        }
    }
}

#[test]
fn import_takes_the_maps_encoding_and_the_flag_over_it() {
    let dir = fixture_copy("encodings");
    let path = export(dir.path(), SHIFT_JIS, JAPANESE, 3);
    let map = dir.path().join("map.yaml");
    write(&map, "encoding: shift_jis\n");
    let map_arg = ["--map", map.to_str().unwrap_or_default()];
    import(dir.path(), &path, &map_arg).success();
    assert!(read(&dir.path().join("data/customers.csv")).contains(",東京丸の内支店,"));

    let dir = fixture_copy("encodings");
    let path = export(dir.path(), SHIFT_JIS, JAPANESE, 3);
    let map = dir.path().join("map.yaml");
    write(&map, "encoding: windows-1252\n");
    let map_arg = map.to_str().unwrap_or_default();
    import(dir.path(), &path, &["--map", map_arg, "--encoding", "sjis"]).success();
    assert!(read(&dir.path().join("data/customers.csv")).contains(",大阪梅田支店,"));

    write(&map, "encoding: latin\n");
    Test::new()
        .arg("import")
        .arg(dir.path().join("audit.yaml"))
        .args(["--source", "customers"])
        .arg(&path)
        .args(["--map", map_arg])
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("map.yaml: encoding: unknown encoding: found \"latin\"")
        .stderr_contains("did you mean latin1")
        .nothing_written();
}

#[test]
fn import_detects_what_it_is_sure_of_and_refuses_the_rest() {
    // Enough text: detected, and read right (Zürich, not ZŸrich nor Z黵ich).
    for (encoding, sites) in [
        (EUC_KR, KOREAN),
        (MACINTOSH, WESTERN),
        (WINDOWS_1252, WESTERN),
    ] {
        let dir = fixture_copy("encodings");
        let path = export(dir.path(), encoding, sites, 120);
        import(dir.path(), &path, &[])
            .success()
            .stderr_contains(&format!(
                "export.csv: read as {}, detected from its text",
                crate_name(encoding)
            ));
        let data = read(&dir.path().join("data/customers.csv"));
        for site in sites {
            assert!(
                data.contains(&format!(",{site},")),
                "{}: {data}",
                encoding.name()
            );
        }
    }
    // Too little: refused at the first line that is not UTF-8, nothing written.
    let dir = fixture_copy("encodings");
    let path = export(dir.path(), EUC_KR, KOREAN, 1);
    Test::new()
        .arg("import")
        .arg(dir.path().join("audit.yaml"))
        .args(["--source", "customers"])
        .arg(&path)
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("export.csv:2: encoding: could not detect the text encoding for sure")
        .stderr_contains("EUC-KR (CP949)")
        .stderr_contains("X00000,<BC AD BF EF> <B0 AD B3 B2> <C1 F6 C1 A1>,")
        .nothing_written();
}

#[test]
fn a_large_import_with_a_late_line_in_another_encoding_writes_nothing() {
    let dir = fixture_copy("encodings");
    let rows = 800;
    let mut text = customers(dir.path(), &["East", "West"], rows).replace("\nC", "\nX");
    text.push_str(&format!("Y00001,Genève,2026-10-03,{}\n", answers(1)));
    let path = dir.path().join("export.csv");
    write(&path, encoded(WINDOWS_1252, &text));
    for extra in [&[][..], &["--skip-invalid"][..]] {
        Test::new()
            .arg("import")
            .arg(dir.path().join("audit.yaml"))
            .args(["--source", "customers"])
            .arg(&path)
            .args(extra)
            .env("SERVQUAL_CHUNK_BYTES", "16384")
            .watch(dir.path())
            .run()
            .status(2)
            .stderr_contains(&format!("export.csv:{}: encoding", rows + 2))
            .stderr_contains("Y00001,Gen<E8>ve,")
            .nothing_written();
    }
}

#[test]
fn the_visits_reader_follows_the_same_rule() {
    // Customers in UTF-8, visits in CP949: too short to be sure, refused at the visit's
    // line; declared, read right; long enough, detected right.
    let dir = fixture_copy("encodings");
    let audit = dir.path().join("audit.yaml");
    let short = visits(dir.path(), KOREAN, 1);
    let long = visits(dir.path(), KOREAN, 120);
    write(&dir.path().join("data/visits.csv"), encoded(EUC_KR, &short));
    Test::new()
        .arg("report")
        .arg(&audit)
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("visits.csv:2: encoding: could not detect the text encoding for sure")
        .stderr_contains("EUC-KR (CP949)")
        .nothing_written();
    let found = status_sites(dir.path(), &["--encoding", "cp949"]);
    assert!(found.contains("서울 강남 지점"), "{found:?}");

    write(&dir.path().join("data/visits.csv"), encoded(EUC_KR, &long));
    let found = status_sites(dir.path(), &[]);
    assert!(found.is_superset(&set(KOREAN)), "{found:?}");
}

#[test]
fn report_v_says_which_encoding_was_detected_for_each_data_file() {
    let case = CASES.iter().find(|c| c.label == "windows-1252").unwrap();
    let dir = fixture_copy("encodings");
    write_sources(dir.path(), case, 120);
    let audit = dir.path().join("audit.yaml");
    let detected = |file: &str| {
        format!(
            "{file}: read as windows-1252, detected from its text (`--encoding windows-1252` or `encoding:` in the source in the audit declares it)"
        )
    };
    let run = Test::new().args(["-v", "report"]).arg(&audit).run();
    run.success()
        .stderr_contains(&detected("data/customers.csv"))
        .stderr_contains(&detected("data/visits.csv"));
    // Without -v, or once declared, nothing is said.
    Test::new()
        .arg("report")
        .arg(&audit)
        .run()
        .success()
        .stderr_lacks("detected from its text");
    Test::new()
        .args(["-v", "report", "--encoding", "windows-1252"])
        .arg(&audit)
        .run()
        .success()
        .stderr_lacks("detected from its text");
}
