//! The layering of ARCHITECTURE.md, checked on the source: every `crate::` path a
//! module names must be of a layer it may import.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What each top-level module may import (besides itself), as ARCHITECTURE.md says.
fn allowed() -> BTreeMap<&'static str, Vec<&'static str>> {
    let bottom = vec![
        "problem",
        "provenance",
        "encoding",
        "schema",
        "yaml",
        "i18n",
        "output",
    ];
    let with = |more: &[&'static str]| {
        let mut v = bottom.clone();
        v.extend_from_slice(more);
        v
    };
    BTreeMap::from([
        ("problem", vec![]),
        ("provenance", vec![]),
        ("encoding", vec![]),
        ("schema", vec![]),
        ("i18n", vec![]),
        ("output", vec!["problem"]),
        ("yaml", vec!["problem"]),
        ("definition", with(&[])),
        ("sources", with(&["definition"])),
        ("analysis", with(&["definition", "sources"])),
        ("report", with(&["definition", "analysis"])),
        ("export", with(&["definition", "analysis", "report"])),
        ("kano", with(&["definition", "sources", "analysis"])),
        ("import", with(&["definition", "sources"])),
        ("sample", with(&["definition"])),
        (
            "run",
            with(&["definition", "sources", "analysis", "report", "kano"]),
        ),
        (
            "cli",
            with(&[
                "definition",
                "sources",
                "analysis",
                "report",
                "export",
                "kano",
                "import",
                "sample",
                "run",
            ]),
        ),
        ("lib", vec![]),
        ("main", vec!["cli"]),
    ])
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a file names through `crate::` paths (comments left out),
/// including every top-level name of a `crate::{...}` group over several lines.
fn imports(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The names at depth 0 of the group, up to its closing brace.
            let (mut depth, mut name, mut take) = (0usize, String::new(), true);
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.extend((!name.is_empty()).then(|| std::mem::take(&mut name)));
                        take = true;
                    }
                    c if depth == 0 && take && (c.is_ascii_alphanumeric() || c == '_') => {
                        name.push(c)
                    }
                    c if depth == 0 && !c.is_whitespace() => take = false,
                    _ => {}
                }
            }
            found.extend((!name.is_empty()).then_some(name));
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

#[test]
fn every_module_imports_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let allowed = allowed();
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let first = relative.components().next().expect("a component");
        let module = Path::new(first.as_os_str())
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        let Some(may) = allowed.get(module.as_str()) else {
            wrong.push(format!(
                "{}: module `{module}` has no layer in this test",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read file");
        // A file of tests only (`tests.rs`, `*_tests.rs`) may also make sample data.
        let test_file = relative.to_string_lossy().ends_with("tests.rs");
        for name in imports(&text) {
            let test_data = test_file && name == "sample";
            if name != module && !may.contains(&name.as_str()) && !test_data {
                wrong.push(format!(
                    "{}: `{module}` imports `{name}`",
                    relative.display()
                ));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_scan_finds_plain_and_grouped_paths() {
    let text = "use crate::a::b;\nuse crate::{c::d, e};\n// crate::comment\nlet x = crate::f::g();";
    assert_eq!(imports(text), vec!["a", "c", "e", "f"]);
    let text = "use crate::{\n    g::{h, i::{j, k}},\n    l,\n};\nuse crate::m::{n, o};";
    assert_eq!(imports(text), vec!["g", "l", "m"]);
}
