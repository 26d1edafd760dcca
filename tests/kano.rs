//! Integration tests of `servqual kano` on the fixtures in tests/fixtures/kano/.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "kano",
        name,
    ]
    .iter()
    .collect();
    path.to_string_lossy().into_owned()
}

fn servqual(args: &[&str]) -> Output {
    let mut all = vec!["--color", "never", "kano"];
    all.extend_from_slice(args);
    match Command::new(env!("CARGO_BIN_EXE_servqual"))
        .args(&all)
        .env_remove("NO_COLOR")
        .output()
    {
        Ok(out) => out,
        Err(e) => panic!("cannot run servqual: {e}"),
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let out = servqual(&all);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(e) => panic!("not JSON ({e}): {}", stdout(&out)),
    }
}

fn feature<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    match doc["features"]
        .as_array()
        .and_then(|list| list.iter().find(|f| f["id"] == id))
    {
        Some(f) => f,
        None => panic!("no feature {id} in {doc}"),
    }
}

fn close(value: &serde_json::Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|x| (x - expected).abs() < 1e-12)
}

#[test]
fn table_shows_categories() {
    let out = servqual(&[&fixture("responses.csv")]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "clean_toilets",
        "M must-be",
        "A attractive",
        "I indifferent",
        "M/O",
        "0.250",
        "-0.875",
        "Better",
        "Worse",
        "strength",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(!text.contains('\u{1b}'), "no colour with --color never");
    assert_fits(&text);
}

/// Every line of the table fits a 120-column terminal (wide characters count twice).
fn assert_fits(text: &str) {
    use unicode_width::UnicodeWidthStr;
    for line in text.lines().filter(|l| l.starts_with(['│', '┌', '└', '╞'])) {
        assert!(line.width() <= 120, "{} columns: {line}", line.width());
    }
}

#[test]
fn table_from_definition_in_chinese() {
    let out = servqual(&[&fixture("kano.yaml"), "--lang", "zh"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "网点服务功能",
        "洗手间干净",
        "必备属性",
        "类别",
        "建议",
        "M/O",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert_fits(&text);
}

#[test]
fn json_has_schema_order_and_numbers() {
    let doc = json(&[&fixture("responses.csv")]);
    assert_eq!(doc["schema"], "servqual.kano/v1");
    let ids: Vec<_> = doc["features"]
        .as_array()
        .map(|l| l.iter().filter_map(|f| f["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, ["clean_toilets", "queue_sms", "free_wifi", "callback"]);

    let clean = feature(&doc, "clean_toilets");
    assert_eq!(clean["text"], "clean_toilets");
    assert_eq!(clean["item"], serde_json::Value::Null);
    assert_eq!(clean["n"], 8);
    assert_eq!(
        clean["counts"],
        serde_json::json!({"A": 0, "O": 2, "M": 5, "I": 1, "R": 0, "Q": 0})
    );
    assert_eq!(clean["category"], "M");
    assert!(close(&clean["better"], 0.25));
    assert!(close(&clean["worse"], -0.875));
    assert!(close(&clean["total_strength"], 0.875));
    assert_eq!(clean["guidance"], "invest");
    assert!(clean["guidance_text"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));

    let sms = feature(&doc, "queue_sms");
    assert_eq!(
        sms["counts"],
        serde_json::json!({"A": 4, "O": 1, "M": 0, "I": 2, "R": 0, "Q": 1})
    );
    assert_eq!(sms["category"], "A");
    assert_eq!(sms["guidance"], "differentiate");
    assert!(close(&sms["better"], 5.0 / 7.0));
    assert!(close(&sms["worse"], -1.0 / 7.0));
    assert!(close(&sms["total_strength"], 5.0 / 8.0));

    let wifi = feature(&doc, "free_wifi");
    assert_eq!(wifi["n"], 7);
    assert_eq!(wifi["category"], "I");
    assert_eq!(wifi["guidance"], "save");
    assert!(close(&wifi["better"], 1.0 / 6.0));
    assert!(close(&wifi["worse"], 0.0));

    let callback = feature(&doc, "callback");
    assert_eq!(callback["category"], "M/O");
    assert_eq!(callback["guidance"], "invest");
    assert!(close(&callback["worse"], -0.75));
}

#[test]
fn resolve_ties_flag_and_definition() {
    let doc = json(&[&fixture("responses.csv"), "--resolve-ties"]);
    assert_eq!(feature(&doc, "callback")["category"], "M");
}

#[test]
fn definition_supplies_texts_and_items() {
    let doc = json(&[&fixture("kano.yaml")]);
    let sms = feature(&doc, "queue_sms");
    assert_eq!(sms["text"], "SMS when the queue moves");
    assert_eq!(sms["item"], "S2");
    assert_eq!(feature(&doc, "free_wifi")["text"], "free_wifi");

    let zh = json(&[&fixture("kano.yaml"), "--lang", "zh"]);
    assert_eq!(feature(&zh, "queue_sms")["text"], "排队短信提醒");
    assert_eq!(feature(&zh, "queue_sms")["guidance"], "differentiate");
}

#[test]
fn chinese_labels_from_the_definition() {
    let english = json(&[&fixture("responses.csv")]);
    let chinese = json(&[&fixture("kano-zh.yaml")]);
    for id in ["clean_toilets", "queue_sms", "free_wifi", "callback"] {
        let (e, c) = (feature(&english, id), feature(&chinese, id));
        assert_eq!(e["counts"], c["counts"], "{id}");
        assert_eq!(e["category"], c["category"], "{id}");
    }
    assert_eq!(feature(&chinese, "clean_toilets")["text"], "Clean toilets");
}

#[test]
fn labels_and_features_flags() {
    let doc = json(&[
        &fixture("responses-zh.csv"),
        "--labels",
        &fixture("labels-zh.yaml"),
        "--features",
        &fixture("features.yaml"),
    ]);
    assert_eq!(feature(&doc, "clean_toilets")["category"], "M");
    assert_eq!(feature(&doc, "free_wifi")["text"], "Free Wi-Fi");
    assert_eq!(feature(&doc, "queue_sms")["item"], "S2");

    // Without the labels the Chinese answers are errors.
    let out = servqual(&[&fixture("responses-zh.csv")]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_answers_exit_2_and_write_nothing() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let target = dir.path().join("out.json");
    let target_str = target.to_string_lossy().into_owned();
    let out = servqual(&[
        &fixture("bad-answers.csv"),
        "--format",
        "json",
        "--output",
        &target_str,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad-answers.csv:3:2"), "{err}");
    assert!(err.contains("F_queue_sms"), "{err}");
    assert!(err.contains("\"7\""), "{err}");
    // Every problem is listed, not only the first.
    assert!(err.contains("bad-answers.csv:4:4"), "{err}");
    assert!(err.contains("F_free_wifi"), "{err}");
    assert!(err.contains("\"maybe\""), "{err}");
    assert!(err.contains("expected 1-5"), "{err}");
    assert!(stdout(&out).is_empty());
    assert!(!target.exists());
    let leftovers = std::fs::read_dir(dir.path()).map_or(0, |d| d.count());
    assert_eq!(leftovers, 0);
}

#[test]
fn missing_dysfunctional_column_exits_2() {
    let out = servqual(&[&fixture("missing-d.csv")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("D_free_wifi"), "{err}");
    assert!(err.contains("missing-d.csv:1:4"), "{err}");
}

#[test]
fn definition_errors_exit_2() {
    let unknown = servqual(&[&fixture("unknown-key.yaml")]);
    assert_eq!(unknown.status.code(), Some(2));
    let err = stderr(&unknown);
    assert!(err.contains("unknown-key.yaml:3"), "{err}");
    assert!(err.contains("colour"), "{err}");

    let no_data = servqual(&[&fixture("no-data.yaml")]);
    assert_eq!(no_data.status.code(), Some(2));
    assert!(stderr(&no_data).contains("data"));

    let typo = servqual(&[
        &fixture("responses.csv"),
        "--features",
        &fixture("features-unknown.yaml"),
    ]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("free_wiifi"));

    let absent = servqual(&[&fixture("does-not-exist.csv")]);
    assert_eq!(absent.status.code(), Some(2));
}

#[test]
fn output_file_and_determinism() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let target = dir.path().join("kano.json");
    let target_str = target.to_string_lossy().into_owned();
    let args = [
        fixture("kano.yaml"),
        "--format".into(),
        "json".into(),
        "-o".into(),
        target_str,
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let first = servqual(&args);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(first.stdout.is_empty());
    let a = std::fs::read(&target).unwrap_or_default();
    let second = servqual(&args);
    assert_eq!(second.status.code(), Some(0));
    let b = std::fs::read(&target).unwrap_or_default();
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

#[test]
fn reads_standard_input() {
    use std::io::Write;
    use std::process::Stdio;
    let csv = std::fs::read(fixture("responses.csv")).unwrap_or_default();
    let child = Command::new(env!("CARGO_BIN_EXE_servqual"))
        .args(["kano", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => panic!("cannot run servqual: {e}"),
    };
    if let Some(mut stdin) = child.stdin.take() {
        if let Err(e) = stdin.write_all(&csv) {
            panic!("{e}");
        }
    }
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(feature(&doc, "callback")["category"], "M/O");
}

#[test]
fn published_counts_give_better_and_worse() {
    // 95 M, 123 O, 45 A, 33 I (published.csv: 95 rows 2/5, 123 rows 1/5, 45 rows 1/3,
    // 33 rows 3/3). N = 296; Better = (45 + 123) / 296 = 168 / 296 = 0.5676;
    // Worse = -(123 + 95) / 296 = -218 / 296 = -0.7365.
    let doc = json(&[&fixture("published.csv")]);
    let f = feature(&doc, "queue_sms");
    assert_eq!(f["counts"]["M"], 95);
    assert_eq!(f["counts"]["O"], 123);
    assert_eq!(f["counts"]["A"], 45);
    assert_eq!(f["counts"]["I"], 33);
    assert!(close(&f["better"], 168.0 / 296.0), "{f}");
    assert!(close(&f["worse"], -218.0 / 296.0), "{f}");
    assert_eq!(f["category"], "O");
    // The table rounds to three places: 0.568 and -0.736.
    let out = servqual(&[&fixture("published.csv")]);
    let text = stdout(&out);
    assert!(text.contains("0.568"), "{text}");
    assert!(text.contains("-0.736"), "{text}");
}

#[test]
fn init_writes_a_kano_questionnaire_that_runs() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot make a temporary folder: {e}"),
    };
    let target = dir.path().join("kano");
    let target = target.to_string_lossy();
    let init = |extra: &[&str]| {
        let mut args = vec!["init", "--template", "kano"];
        args.extend_from_slice(extra);
        args.push(&target);
        match Command::new(env!("CARGO_BIN_EXE_servqual"))
            .args(&args)
            .output()
        {
            Ok(out) => out,
            Err(e) => panic!("cannot run servqual: {e}"),
        }
    };
    let out = init(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("next: servqual kano"),
        "{}",
        stderr(&out)
    );
    let questionnaire = dir.path().join("kano").join("questionnaire.md");
    let text = std::fs::read_to_string(&questionnaire).unwrap_or_default();
    assert!(
        text.contains("If the service **does not have** this feature"),
        "{text}"
    );
    assert!(text.contains("如果服务**不提供**这项功能"), "{text}");
    // The written definition analyses as it is; the sample leans error-free statements
    // to must-be and free drinks to indifferent.
    let definition = dir.path().join("kano").join("kano.yaml");
    let doc = json(&[&definition.to_string_lossy()]);
    assert_eq!(doc["features"].as_array().map(Vec::len), Some(8));
    assert_eq!(feature(&doc, "error_free_statements")["category"], "M");
    assert_eq!(feature(&doc, "waiting_drinks")["category"], "I");
    // A second init does not overwrite.
    let again = init(&[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("file exists"), "{}", stderr(&again));
}
