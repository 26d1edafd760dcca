//! Integration tests of `servqual kano` on the fixtures in tests/fixtures/kano/.

use serde_json::Value;

use crate::support::{self, close, find, Run, Test};

fn fixture(name: &str) -> String {
    support::fixture("kano", name)
        .to_string_lossy()
        .into_owned()
}

/// `servqual --color never kano` with `NO_COLOR` removed: the flag alone keeps colour
/// out.
fn kano() -> Test {
    Test::new()
        .env_remove("NO_COLOR")
        .args(["--color", "never", "kano"])
}

/// Runs `servqual --color never kano <args>`.
fn servqual(args: &[&str]) -> Run {
    kano().args(args).run()
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    servqual(&all).success().json()
}

fn feature<'a>(doc: &'a Value, id: &str) -> &'a Value {
    find(&doc["features"], "id", id)
}

#[test]
fn table_shows_categories() {
    let run = servqual(&[&fixture("responses.csv")]);
    let text = run.success().stdout();
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
        run.stdout_contains(expected);
    }
    // No colour with --color never.
    run.stdout_lacks("\u{1b}");
    assert_fits(text);
}

/// Every line of the table fits a 120-column terminal (wide characters count twice).
fn assert_fits(text: &str) {
    use unicode_width::UnicodeWidthStr;
    let table = text.lines().filter(|l| l.starts_with(['│', '┌', '└', '╞']));
    let mut lines = 0;
    for line in table {
        assert!(line.width() <= 120, "{} columns: {line}", line.width());
        lines += 1;
    }
    assert!(lines > 0, "no table in:\n{text}");
}

#[test]
fn table_from_definition_in_chinese() {
    let run = servqual(&[&fixture("kano.yaml"), "--lang", "zh"]);
    let text = run.success().stdout();
    for expected in [
        "网点服务功能",
        "洗手间干净",
        "必备属性",
        "类别",
        "建议",
        "M/O",
    ] {
        run.stdout_contains(expected);
    }
    assert_fits(text);
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
    close(&clean["better"], 0.25);
    close(&clean["worse"], -0.875);
    close(&clean["total_strength"], 0.875);
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
    close(&sms["better"], 5.0 / 7.0);
    close(&sms["worse"], -1.0 / 7.0);
    close(&sms["total_strength"], 5.0 / 8.0);

    let wifi = feature(&doc, "free_wifi");
    assert_eq!(wifi["n"], 7);
    assert_eq!(wifi["category"], "I");
    assert_eq!(wifi["guidance"], "save");
    close(&wifi["better"], 1.0 / 6.0);
    close(&wifi["worse"], 0.0);

    let callback = feature(&doc, "callback");
    assert_eq!(callback["category"], "M/O");
    assert_eq!(callback["guidance"], "invest");
    close(&callback["worse"], -0.75);
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
    servqual(&[&fixture("responses-zh.csv")]).status(2);
}

#[test]
fn bad_answers_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    kano()
        .arg(fixture("bad-answers.csv"))
        .args(["--format", "json", "--output"])
        .arg(dir.path().join("out.json"))
        .watch(dir.path())
        .run()
        .status(2)
        .stderr_contains("bad-answers.csv:3:2")
        .stderr_contains("F_queue_sms")
        .stderr_contains("\"7\"")
        // Every problem is listed, not only the first.
        .stderr_contains("bad-answers.csv:4:4")
        .stderr_contains("F_free_wifi")
        .stderr_contains("\"maybe\"")
        .stderr_contains("expected 1-5")
        .stdout_is("")
        // No out.json, and no temporary file left beside it.
        .nothing_written();
    let leftovers = std::fs::read_dir(dir.path()).map_or(0, |d| d.count());
    assert_eq!(leftovers, 0);
}

#[test]
fn missing_dysfunctional_column_exits_2() {
    servqual(&[&fixture("missing-d.csv")])
        .status(2)
        .stderr_contains("D_free_wifi")
        .stderr_contains("missing-d.csv:1:4");
}

#[test]
fn definition_errors_exit_2() {
    servqual(&[&fixture("unknown-key.yaml")])
        .status(2)
        .stderr_contains("unknown-key.yaml:3")
        .stderr_contains("colour");
    servqual(&[&fixture("no-data.yaml")])
        .status(2)
        .stderr_contains("data");
    servqual(&[
        &fixture("responses.csv"),
        "--features",
        &fixture("features-unknown.yaml"),
    ])
    .status(2)
    .stderr_contains("free_wiifi");
    servqual(&[&fixture("does-not-exist.csv")]).status(2);
}

#[test]
fn output_file_and_determinism() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let target = dir.path().join("kano.json");
    let target_str = target.to_string_lossy().into_owned();
    let args = [&fixture("kano.yaml"), "--format", "json", "-o", &target_str];
    servqual(&args).success().stdout_is("");
    let a = std::fs::read(&target).unwrap_or_default();
    servqual(&args).success();
    let b = std::fs::read(&target).unwrap_or_default();
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

#[test]
fn reads_standard_input() {
    let doc = Test::new()
        .args(["kano", "-", "--format", "json"])
        .stdin(support::read(&support::fixture("kano", "responses.csv")))
        .run()
        .success()
        .json();
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
    close(&f["better"], 168.0 / 296.0);
    close(&f["worse"], -218.0 / 296.0);
    assert_eq!(f["category"], "O");
    // The table rounds to three places: 0.568 and -0.736.
    servqual(&[&fixture("published.csv")])
        .stdout_contains("0.568")
        .stdout_contains("-0.736");
}

#[test]
fn init_writes_a_kano_questionnaire_that_runs() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let target = dir.path().join("kano");
    let init = || {
        Test::new()
            .args(["init", "--template", "kano"])
            .arg(&target)
            .run()
    };
    init().success().stderr_contains("next: servqual kano");
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
    init().status(2).stderr_contains("file exists");
}

#[test]
fn encoding_flag_declares_the_responses_encoding_over_the_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let text = support::read(std::path::Path::new(&fixture("responses-zh.csv")));
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    support::write(&dir.path().join("responses-zh.csv"), &bytes);
    // The definition says UTF-8, which the GB18030 bytes are not.
    let definition = support::read(std::path::Path::new(&fixture("kano-zh.yaml"))).replace(
        "data: responses-zh.csv",
        "data: responses-zh.csv\nencoding: utf-8",
    );
    let yaml = dir.path().join("kano-zh.yaml");
    support::write(&yaml, definition);
    let yaml = yaml.to_str().unwrap();
    servqual(&[yaml])
        .status(2)
        .stderr_contains("responses-zh.csv");
    let declared = json(&[yaml, "--encoding", "gb18030"]);
    assert_eq!(declared, json(&[&fixture("kano-zh.yaml")]));
    // The flag also reads a CSV given directly.
    let direct = json(&[
        dir.path().join("responses-zh.csv").to_str().unwrap(),
        "--encoding",
        "gbk",
        "--labels",
        &fixture("labels-zh.yaml"),
    ]);
    let utf8 = json(&[
        &fixture("responses-zh.csv"),
        "--labels",
        &fixture("labels-zh.yaml"),
    ]);
    assert_eq!(direct, utf8);
    assert_eq!(direct["features"][0]["n"], 8);
    servqual(&[yaml, "--encoding", "latin-9000"])
        .status(2)
        .stderr_contains("--encoding")
        .stderr_contains("latin-9000");
}
