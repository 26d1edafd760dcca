//! The HTML report opened in headless Chromium (Debian's `chromium` package, installed by
//! `.ci/install-chromium.sh`): screenshots at phone and desktop width, the rendered DOM,
//! and no console errors (no script runs, nothing is fetched: the report's Content
//! Security Policy would log any attempt).
//!
//! Without Chromium the tests fail under CI (`CI` set to anything but empty, `false` or
//! `0`, as `.ci/run` and most CI services set it), and are skipped with a notice
//! otherwise. `CHROMIUM=/path/to/chrome` picks the browser. The screenshots stay in
//! `target/tmp/html_browser/` for people to look at.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{self, Test};

/// Whether this runs under CI: `CI` is set and is not empty, `false` or `0`.
fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|value| {
        let value = value.to_string_lossy();
        !(value.is_empty() || value == "0" || value.eq_ignore_ascii_case("false"))
    })
}

/// The browser, or `None` (after failing under CI) when there is none.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    let message = "headless Chromium not found (chromium, chromium-browser or google-chrome \
on PATH, or CHROMIUM=...); run .ci/install-chromium.sh";
    if under_ci() {
        panic!("{message} (CI is set, so the browser test may not be skipped)");
    }
    // Straight to stderr, past the test harness's capture, so the skip is seen.
    let _ = writeln!(
        std::io::stderr(),
        "note: skipping the browser test: {message}"
    );
    None
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html_browser");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("{}: {e}", dir.display());
    }
    dir
}

fn servqual(args: &[&str]) {
    Test::new().args(args).run().success();
}

/// Runs Chromium headless on `page` with `args`; a browser that hangs is killed after
/// three minutes (a guard, not a measurement).
fn browse(browser: &Path, profile: &Path, args: &[String], page: &Path) -> Output {
    let mut command = Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox", // CI containers often run as root
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()));
    // Output goes to files, not pipes: a full pipe would stall the browser while this
    // waits for it to exit.
    let file = |name: &str| match std::fs::File::create(profile.join(name)) {
        Ok(f) => Stdio::from(f),
        Err(e) => panic!("{name}: {e}"),
    };
    command
        .stdout(file("stdout.txt"))
        .stderr(file("stderr.txt"));
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) => panic!("cannot start {}: {e}", browser.display()),
    };
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > Duration::from_secs(180) => {
                let _ = child.kill();
                panic!("{} did not finish", browser.display());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("waiting for the browser: {e}"),
        }
    }
    let status = match child.wait() {
        Ok(s) => s,
        Err(e) => panic!("waiting for the browser: {e}"),
    };
    Output {
        status,
        stdout: std::fs::read(profile.join("stdout.txt")).unwrap_or_default(),
        stderr: std::fs::read(profile.join("stderr.txt")).unwrap_or_default(),
    }
}

/// Console messages that mean the page misbehaved: script errors, blocked loads.
fn page_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Content Security Policy")
                || l.contains("Refused to")
                || l.contains("net::ERR_")
        })
        .collect()
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((word(16), word(20)))
}

/// Renders `page` at phone and desktop width and checks the screenshots and the log.
fn render_and_check(browser: &Path, page: &Path, name: &str, must_show: &[&str]) {
    let dir = out_dir();
    let profile = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    for (label, width, height) in [("phone", 390u32, 2400u32), ("desktop", 1280, 1800)] {
        let shot = dir.join(format!("{name}-{label}.png"));
        let _ = std::fs::remove_file(&shot);
        let out = browse(
            browser,
            profile.path(),
            &[
                format!("--window-size={width},{height}"),
                format!("--screenshot={}", shot.display()),
            ],
            page,
        );
        let log = String::from_utf8_lossy(&out.stderr);
        let bytes = std::fs::read(&shot).unwrap_or_default();
        assert!(
            !bytes.is_empty(),
            "no screenshot {} ({label}); browser said:\n{log}",
            shot.display()
        );
        assert_eq!(
            png_size(&bytes),
            Some((width, height)),
            "{}",
            shot.display()
        );
        let errors = page_errors(&log);
        assert!(
            errors.is_empty(),
            "{label}: page errors:\n{}",
            errors.join("\n")
        );
    }
    let out = browse(browser, profile.path(), &["--dump-dom".to_string()], page);
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    let errors = page_errors(&log);
    assert!(errors.is_empty(), "page errors:\n{}", errors.join("\n"));
    assert!(
        dom.contains("</html>"),
        "no DOM dumped; browser said:\n{log}"
    );
    for needle in must_show {
        assert!(dom.contains(needle), "{needle} not in the rendered page");
    }
    // What the escaping tests keep out of the source must not appear in the DOM either.
    assert!(
        !dom.contains("<script"),
        "a script element in the rendered page"
    );
}

#[test]
fn example_report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = out_dir();
    let page = dir.join("harbour-bank.html");
    let audit = root.join("audits/harbour-bank/audit.yaml");
    servqual(&[
        "report",
        audit.to_str().unwrap_or_default(),
        "--by",
        "site",
        "--report",
        &format!("html={}", page.display()),
    ]);
    render_and_check(
        &browser,
        &page,
        "harbour-bank",
        &[
            "id=\"five-gaps\"",
            "id=\"ipa\"",
            "id=\"segments\"",
            "id=\"checklist\"",
        ],
    );
}

#[test]
fn full_fixture_report_with_trend_and_shoppers_renders() {
    let Some(browser) = chromium() else {
        return;
    };
    let fixtures = support::fixtures("formats");
    let dir = out_dir();
    let prev = dir.join("formats-prev.json");
    servqual(&[
        "report",
        fixtures
            .join("audit-prev.yaml")
            .to_str()
            .unwrap_or_default(),
        "-f",
        "json",
        "-o",
        prev.to_str().unwrap_or_default(),
    ]);
    for lang in ["en", "zh"] {
        let page = dir.join(format!("formats-{lang}.html"));
        servqual(&[
            "report",
            fixtures.join("audit.yaml").to_str().unwrap_or_default(),
            "--lang",
            lang,
            "--by",
            "site",
            "--baseline",
            prev.to_str().unwrap_or_default(),
            "-f",
            "html",
            "-o",
            page.to_str().unwrap_or_default(),
        ]);
        render_and_check(
            &browser,
            &page,
            &format!("formats-{lang}"),
            &[
                "id=\"trend\"",
                "id=\"shoppers\"",
                "class=\"band\"",
                "&lt;script&gt;alert(1)",
            ],
        );
    }
}

/// Pages of a PDF Chromium wrote (its page objects are not compressed).
fn pdf_pages(bytes: &[u8]) -> usize {
    let text = String::from_utf8_lossy(bytes);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

/// The text of page `page` of `pdf`, where poppler's `pdftotext` is installed.
fn pdf_page_text(pdf: &Path, page: usize) -> Option<String> {
    let out = Command::new("pdftotext")
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_example_report_prints_with_the_summary_first_and_a_page_per_scorecard() {
    let Some(browser) = chromium() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = out_dir();
    let page = dir.join("harbour-bank-print.html");
    let pdf = dir.join("harbour-bank-print.pdf");
    let audit = root.join("audits/harbour-bank/audit.yaml");
    servqual(&[
        "report",
        audit.to_str().unwrap_or_default(),
        "--by",
        "site",
        "--scorecards",
        "--exit-zero",
        "--report",
        &format!("html={}", page.display()),
    ]);
    let profile = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    let _ = std::fs::remove_file(&pdf);
    let out = browse(
        &browser,
        profile.path(),
        &[
            "--no-pdf-header-footer".to_string(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &page,
    );
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    assert!(
        bytes.starts_with(b"%PDF"),
        "no PDF; browser said:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The summary page, the details, then one page per site (four sites).
    let pages = pdf_pages(&bytes);
    assert!((6..=16).contains(&pages), "{pages} pages");
    if let Some(first) = pdf_page_text(&pdf, 1) {
        for needle in ["Summary", "Most urgent", "Sites", "Harbour Street"] {
            assert!(first.contains(needle), "{needle} not on page 1:\n{first}");
        }
        assert!(
            !first.contains("Five gaps by dimension"),
            "page 1 is the summary"
        );
        for (n, site) in ["Harbour Street", "Old Town", "Riverside", "Airport"]
            .iter()
            .enumerate()
        {
            let text = pdf_page_text(&pdf, pages - 3 + n).unwrap_or_default();
            assert!(
                text.trim_start().starts_with(&format!("Scorecard: {site}")),
                "page {} is not {site}'s scorecard:\n{text}",
                pages - 3 + n
            );
        }
    }
}
