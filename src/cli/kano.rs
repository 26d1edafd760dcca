//! `servqual kano`: Kano classification of service features (docs/kano.md).

use std::path::{Path, PathBuf};

use crate::i18n::Lang;
use crate::kano::analyse;
use crate::kano::definition::{load_definition, load_features, load_labels, Feature, Labels};
use crate::kano::render::{render_json, render_table};
use crate::kano::responses::read_responses;
use crate::output::stderr_line;
use crate::problem::{shorten, Problem, Problems, MAX_QUOTED_CHARS};
use crate::sources::text::TextOptions;

/// Output format of `servqual kano`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum KanoFormat {
    /// A table for the terminal.
    #[default]
    Table,
    /// JSON, schema `servqual.kano/v1`.
    Json,
}

/// Arguments of `servqual kano`.
#[derive(clap::Args, Debug)]
pub struct KanoArgs {
    /// Responses CSV (columns F_<feature>, D_<feature>; `-` is stdin) or a Kano definition YAML (.yaml/.yml) naming one
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,

    /// Feature ids, texts and related audit items (YAML list, or a definition with `features:`); replaces the definition's
    #[arg(long, value_name = "FEATURES.yaml")]
    pub features: Option<PathBuf>,

    /// The survey's own answer words (YAML mapping like/must-be/neutral/live-with/dislike); replaces the definition's
    #[arg(long, value_name = "LABELS.yaml")]
    pub labels: Option<PathBuf>,

    /// Resolve a tie at the top by M > O > A > I > R > Q instead of reporting e.g. `M/O`
    #[arg(long)]
    pub resolve_ties: bool,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = KanoFormat::Table)]
    pub format: KanoFormat,

    /// Write to FILE (atomically) instead of standard output (`-`)
    #[arg(long, short = 'o', value_name = "FILE", default_value = "-")]
    pub output: String,

    /// Language of labels and guidance
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,

    /// The responses CSV's encoding (utf-8, gb18030, euc-kr/cp949, shift_jis,
    /// windows-1252, macintosh, ...), over the definition's `encoding:` [default: detected
    /// when sure].
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
}

/// Whether `path` names a definition YAML (by extension).
fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Runs `servqual kano`; returns the exit code (0). Input errors are [`Problems`] (exit 2).
pub fn run(args: &KanoArgs, global: &crate::cli::Global) -> anyhow::Result<u8> {
    let mut title = None;
    let mut features: Vec<Feature> = Vec::new();
    let mut features_file: Option<PathBuf> = None;
    let mut labels = Labels::new();
    let mut resolve_ties = args.resolve_ties;
    let mut options = TextOptions {
        encoding: None,
        delimiter: None,
    };
    let data = if is_yaml(&args.input) {
        let def = load_definition(&args.input)?;
        let Some(data) = def.data.clone() else {
            return Err(Problems::one(
                Problem::new("missing key")
                    .file(&args.input)
                    .field("data")
                    .expected("the responses CSV, relative to this file"),
            )
            .into());
        };
        title = def.title;
        if !def.features.is_empty() {
            features_file = Some(def.path.clone());
        }
        features = def.features;
        labels = def.labels;
        resolve_ties |= def.resolve_ties;
        options.encoding = def.encoding;
        options.delimiter = def.delimiter;
        data
    } else {
        args.input.clone()
    };
    let mut problems = Vec::new();
    if let Some(label) = &args.encoding {
        match crate::sources::text::declared_encoding(label, "--encoding") {
            Ok(_) => options.encoding = Some(label.clone()),
            Err(problem) => problems.push(problem),
        }
    }
    if let Some(path) = &args.features {
        match load_features(path) {
            Ok(list) => {
                features = list;
                features_file = Some(path.clone());
            }
            Err(Problems(list)) => problems.extend(list),
        }
    }
    if let Some(path) = &args.labels {
        match load_labels(path) {
            Ok(l) => labels = l,
            Err(Problems(list)) => problems.extend(list),
        }
    }
    Problems::check(problems)?;

    let tally = read_responses(&data, &options, &labels)?;
    if global.verbose > 0 {
        stderr_line(&format!(
            "kano: {}: {} respondents, {} features",
            data.display(),
            tally.rows,
            tally.features.len()
        ));
    }
    let report = analyse(
        tally,
        &features,
        title,
        resolve_ties,
        features_file.as_deref(),
    )?;
    if !global.quiet {
        for f in report.features.iter().filter(|f| f.counts.n() == 0) {
            stderr_line(&format!(
                "warning: feature `{}` has no complete answer pair; it has no category",
                shorten(&f.feature.id, MAX_QUOTED_CHARS)
            ));
        }
    }

    let text = match args.format {
        KanoFormat::Json => render_json(&report, args.lang)?,
        KanoFormat::Table => {
            let color = global.color.enabled(args.output == "-");
            render_table(&report, args.lang, color)
        }
    };
    crate::output::write_output(&args.output, text.as_bytes())?;
    Ok(0)
}
