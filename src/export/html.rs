//! The HTML report: one self-contained file (inline CSS and SVG, no script, no network),
//! laid out for phones, desktops and print.

use std::collections::BTreeMap;

use minijinja::Value;

use super::svg;
use super::view::{self, render, Escape, HTML};
use super::{Exporter, RenderOptions, Report};
use crate::report::labels::label;

/// Exporter for `--format html`.
pub struct HtmlExporter;

fn sign(x: Option<f64>) -> &'static str {
    match x {
        Some(v) if v < 0.0 => "neg",
        Some(v) if v > 0.0 => "pos",
        _ => "",
    }
}

/// The class of a gap with its interval: a shortfall or a surplus is coloured only when
/// its interval excludes 0 (else it may be chance, and stays uncoloured).
fn sign_with(x: Option<f64>, ci95: Option<[f64; 2]>) -> &'static str {
    match ci95 {
        Some([lo, hi]) if lo <= 0.0 && hi >= 0.0 => "",
        _ => sign(x),
    }
}

impl Exporter for HtmlExporter {
    fn render(&self, report: &Report, options: &RenderOptions) -> anyhow::Result<Vec<u8>> {
        let lang = options.lang;
        let safe = Value::from_safe_string;
        let mut charts: BTreeMap<&str, Value> = BTreeMap::new();
        let gap_names: Vec<String> = (1..=5)
            .map(|n| label(lang, &format!("gap{n}")).to_string())
            .collect();
        let five: Vec<Value> = report
            .dimensions
            .iter()
            .map(|d| {
                let rows: Vec<(String, Option<f64>)> = (1..=5u8)
                    .map(|n| (gap_names[n as usize - 1].clone(), d.result.gaps.get(n)))
                    .collect();
                safe(svg::bars(&rows, d.label.get(lang), lang))
            })
            .collect();
        charts.insert("five_gaps", Value::from(five));
        charts.insert("items", safe(svg::items(report, lang)));
        if let Some(s) = svg::ipa(report, lang) {
            charts.insert("ipa", safe(s));
        }
        if let Some(s) = svg::trend(report, lang) {
            charts.insert("trend", safe(s));
        }
        let history: Vec<Value> = svg::history(report, lang)
            .into_iter()
            .map(|(_, chart)| safe(chart))
            .collect();
        charts.insert("history", Value::from(history));
        if let Some(seg) = &report.segments {
            let rows: Vec<(String, Option<f64>)> = view::segment_order(&seg.segments)
                .into_iter()
                .map(|i| &seg.segments[i])
                .map(|s| {
                    let name = if s.name.is_empty() {
                        label(lang, "blank").to_string()
                    } else {
                        s.name.clone()
                    };
                    (name, super::servperf_view::segment_scores(s).unweighted)
                })
                .collect();
            charts.insert(
                "segments",
                safe(svg::bars(&rows, label(lang, "segments"), lang)),
            );
        }
        // Shopper results are read by their field names (docs/json.md) from the JSON form.
        let json = serde_json::to_value(report)?;
        if let Some(sites) = json["shoppers"]["by_site"]
            .as_array()
            .filter(|s| !s.is_empty())
        {
            let rows: Vec<(String, Option<f64>)> = sites
                .iter()
                .map(|s| {
                    (
                        s["site"].as_str().unwrap_or_default().to_string(),
                        // Visit scores are in percent; the chart takes 0..1.
                        s["mean_score"].as_f64().map(|v| v / 100.0),
                    )
                })
                .collect();
            charts.insert(
                "shoppers",
                safe(svg::percent_bars(&rows, label(lang, "by_site"), lang)),
            );
        }
        let mut extra: BTreeMap<&'static str, Value> = BTreeMap::new();
        extra.insert("charts", Value::from(charts));
        let mut signs: BTreeMap<&str, Value> = BTreeMap::new();
        signs.insert(
            "dimensions",
            Value::from(
                report
                    .dimensions
                    .iter()
                    .map(|d| sign_with(d.result.gaps.customer, d.result.ci95))
                    .collect::<Vec<_>>(),
            ),
        );
        signs.insert(
            "items",
            Value::from(
                report
                    .items
                    .iter()
                    .map(|i| sign_with(i.result.gaps.customer, i.result.ci95))
                    .collect::<Vec<_>>(),
            ),
        );
        extra.insert("signs", Value::from(signs));
        let mut overall: BTreeMap<&str, &str> = BTreeMap::new();
        overall.insert("unweighted", sign(report.servqual.unweighted));
        overall.insert("weighted", sign(report.servqual.weighted));
        extra.insert("sign", Value::from(overall));
        Ok(render(HTML, Escape::Html, report, options, extra)?.into_bytes())
    }
}
