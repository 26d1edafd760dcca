//! Charts for the HTML report as inline SVG, built here so the report needs no script.
//!
//! Colours come from CSS classes in the report's style sheet (screen and print alike);
//! every text is XML-escaped, and coordinates are written with one decimal so that
//! identical reports are byte-identical.

use std::fmt::Write;

use super::table::num;
use super::Report;
use crate::i18n::Lang;
use crate::report::labels::label;

/// Escapes text for SVG/XML content and attributes.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters, with an ellipsis when cut.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

fn open(width: f64, height: f64, title: &str) -> String {
    format!(
        "<svg viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    )
}

/// A diverging horizontal bar chart around 0: one bar per (label, value).
pub(crate) fn bars(rows: &[(String, Option<f64>)], title: &str, lang: Lang) -> String {
    let (label_w, plot_w, row_h) = (110.0, 200.0, 20.0);
    let width = label_w + plot_w + 10.0;
    let height = rows.len() as f64 * row_h + 10.0;
    let biggest = rows
        .iter()
        .filter_map(|(_, v)| *v)
        .filter(|v| v.is_finite())
        .fold(1.0_f64, |m, v| m.max(v.abs()));
    let range = (biggest * 2.0).ceil() / 2.0;
    let zero = label_w + plot_w / 2.0;
    let scale = plot_w / 2.0 / range;
    let mut s = open(width, height, title);
    for (i, (name, value)) in rows.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{:.1}\">{}</text>",
            y + 14.0,
            esc(&short(name, 18))
        );
        match value.filter(|v| v.is_finite()) {
            Some(v) => {
                let end = zero + v * scale;
                let (x, w) = if v < 0.0 {
                    (end, zero - end)
                } else {
                    (zero, end - zero)
                };
                let class = if v < 0.0 { "bar-neg" } else { "bar-pos" };
                let _ = write!(
                    s,
                    "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\"/>",
                    y + 3.0,
                    row_h - 6.0
                );
                // The value goes beside the bar's end, or inside the bar when the
                // outside would run into the labels or past the edge.
                let room = 32.0;
                let (tx, anchor, class) = if v < 0.0 && end - label_w < room {
                    (end + 3.0, "start", " class=\"in-bar\"")
                } else if v < 0.0 {
                    (end - 3.0, "end", "")
                } else if label_w + plot_w + 10.0 - end < room {
                    (end - 3.0, "end", " class=\"in-bar\"")
                } else {
                    (end + 3.0, "start", "")
                };
                let _ = write!(
                    s,
                    "<text{class} x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
                    y + 14.0,
                    num(Some(v))
                );
            }
            None => {
                let _ = write!(
                    s,
                    "<text class=\"muted\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    zero + 4.0,
                    y + 14.0,
                    esc(label(lang, "not_measured"))
                );
            }
        }
    }
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"{zero:.1}\" y1=\"2\" x2=\"{zero:.1}\" y2=\"{:.1}\"/></svg>",
        height - 2.0
    );
    s
}

/// Bars from 0 to 100% (shopper scores, given 0..1).
pub(crate) fn percent_bars(rows: &[(String, Option<f64>)], title: &str, lang: Lang) -> String {
    let (label_w, plot_w, row_h) = (110.0, 200.0, 20.0);
    let height = rows.len() as f64 * row_h + 10.0;
    let mut s = open(label_w + plot_w + 40.0, height, title);
    for (i, (name, value)) in rows.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{:.1}\">{}</text>",
            y + 14.0,
            esc(&short(name, 18))
        );
        match value.filter(|v| v.is_finite()) {
            Some(v) => {
                let w = v.clamp(0.0, 1.0) * plot_w;
                let _ = write!(
                    s,
                    "<rect class=\"bar-pos\" x=\"{label_w:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\"/><text x=\"{:.1}\" y=\"{:.1}\">{:.0}%</text>",
                    y + 3.0,
                    row_h - 6.0,
                    label_w + w + 3.0,
                    y + 14.0,
                    v * 100.0
                );
            }
            None => {
                let _ = write!(
                    s,
                    "<text class=\"muted\" x=\"{label_w:.1}\" y=\"{:.1}\">{}</text>",
                    y + 14.0,
                    esc(label(lang, "not_measured"))
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// Expectation vs perception per item on the answer scale, with the zone of tolerance
/// (adequate…desired) as a band where both were measured.
pub fn items(report: &Report, lang: Lang) -> String {
    // Room for the id and its short label, e.g. "R1 Done by the time promised".
    let (label_w, plot_w, row_h, top) = (175.0, 320.0, 18.0, 22.0);
    let (min, max) = (report.scale.min, report.scale.max);
    let span = if max > min { max - min } else { 1.0 };
    let x = |v: f64| label_w + (v - min) / span * plot_w;
    let height = top + report.items.len() as f64 * row_h + 6.0;
    let mut s = open(label_w + plot_w + 12.0, height, label(lang, "ep_chart"));
    // One grid line per whole scale point (at most 11, so wide scales stay readable).
    let step = (span / 10.0).ceil().max(1.0);
    let mut v = min;
    while v <= max + 1e-9 {
        let _ = write!(
            s,
            "<line class=\"grid-line\" x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\"/><text class=\"muted\" x=\"{0:.1}\" y=\"12\" text-anchor=\"middle\">{3}</text>",
            x(v),
            top - 4.0,
            height - 4.0,
            v
        );
        v += step;
    }
    for (i, it) in report.items.iter().enumerate() {
        let r = &it.result;
        let y = top + i as f64 * row_h + row_h / 2.0;
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{:.1}\">{}</text>",
            y + 4.0,
            esc(&short(&format!("{} {}", r.id, it.short.get(lang)), 30))
        );
        if let (Some(a), Some(d)) = (r.adequate, r.desired) {
            let (lo, hi) = (a.min(d), a.max(d));
            let _ = write!(
                s,
                "<rect class=\"band\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
                x(lo),
                y - 7.0,
                x(hi) - x(lo),
                14.0
            );
        }
        if let (Some(e), Some(p)) = (r.expected, r.perceived) {
            let class = if p < e { "link-neg" } else { "link-pos" };
            let _ = write!(
                s,
                "<line class=\"{class}\" x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>",
                x(e),
                x(p)
            );
        }
        if let Some(e) = r.expected {
            let _ = write!(
                s,
                "<circle class=\"e-dot\" cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4\"/>",
                x(e)
            );
        }
        if let Some(p) = r.perceived {
            let _ = write!(
                s,
                "<circle class=\"p-dot\" cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4\"/>",
                x(p)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// The importance–performance quadrant of the dimensions; `None` without weights.
pub fn ipa(report: &Report, lang: Lang) -> Option<String> {
    // The points and the crosshair are the analysis' (report.ipa): drawn, not computed.
    let ipa = report.ipa.as_ref()?;
    let points: Vec<(String, f64, f64)> = ipa
        .dimensions
        .iter()
        .map(|p| {
            let name = report.dimensions.iter().find(|d| d.result.id == p.id);
            let name = name.map_or(p.id.as_str(), |d| d.label.get(lang));
            (name.to_string(), p.importance, p.performance)
        })
        .collect();
    if points.len() < 2 {
        return None;
    }
    let (left, right, top, bottom) = (40.0, 350.0, 16.0, 230.0);
    let range = |vals: Vec<f64>| {
        let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = ((hi - lo) * 0.15).max(0.05);
        (lo - pad, hi + pad)
    };
    let (x0, x1) = range(points.iter().map(|p| p.1).collect());
    let (y0, y1) = range(points.iter().map(|p| p.2).collect());
    let px = |v: f64| left + (v - x0) / (x1 - x0) * (right - left);
    let py = |v: f64| bottom - (v - y0) / (y1 - y0) * (bottom - top);
    let (mx, my) = (ipa.crosshair.importance, ipa.crosshair.performance);
    let mut s = open(right + 10.0, bottom + 34.0, label(lang, "ipa"));
    let _ = write!(
        s,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{0:.1}\" height=\"{1:.1}\" fill=\"none\" class=\"axis\" stroke=\"#8a94a3\"/>\
<line class=\"axis\" x1=\"{2:.1}\" y1=\"{top}\" x2=\"{2:.1}\" y2=\"{bottom}\"/>\
<line class=\"axis\" x1=\"{left}\" y1=\"{3:.1}\" x2=\"{right}\" y2=\"{3:.1}\"/>",
        right - left,
        bottom - top,
        px(mx),
        py(my),
    );
    // Which quadrant is which follows Martilla & James (1977).
    let quads = [
        (right - 4.0, top + 12.0, "end", "ipa_keep"),
        (right - 4.0, bottom - 6.0, "end", "ipa_concentrate"),
        (left + 4.0, bottom - 6.0, "start", "ipa_low"),
        (left + 4.0, top + 12.0, "start", "ipa_overkill"),
    ];
    for (x, y, anchor, key) in quads {
        let _ = write!(
            s,
            "<text class=\"quad\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}</text>",
            esc(label(lang, key))
        );
    }
    for (name, w, p) in &points {
        let (x, y) = (px(*w), py(*p));
        let (tx, anchor) = if x > (left + right) / 2.0 {
            (x - 7.0, "end")
        } else {
            (x + 7.0, "start")
        };
        let _ = write!(
            s,
            "<circle class=\"pt\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\"/><text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
            y + 4.0,
            esc(&short(name, 20))
        );
    }
    let _ = write!(
        s,
        "<text class=\"muted\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{} →</text>\
<text class=\"muted\" x=\"12\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {:.1})\">{} →</text></svg>",
        (left + right) / 2.0,
        bottom + 24.0,
        esc(label(lang, "importance")),
        (top + bottom) / 2.0,
        (top + bottom) / 2.0,
        esc(label(lang, "performance")),
    );
    Some(s)
}

/// Slope chart of the customer gap per dimension, baseline to now; `None` without trend.
pub fn trend(report: &Report, lang: Lang) -> Option<String> {
    let t = report.trend.as_ref()?;
    let lines: Vec<(String, f64, f64)> = t
        .dimensions
        .iter()
        .filter_map(|r| {
            let name = report
                .dimensions
                .iter()
                .find(|d| d.result.id == r.id)
                .map_or(r.id.clone(), |d| d.label.get(lang).to_string());
            Some((name, r.previous?, r.current?))
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    let (xa, xb, top, bottom) = (70.0, 230.0, 24.0, 200.0);
    let mut lo = lines
        .iter()
        .flat_map(|l| [l.1, l.2])
        .fold(0.0_f64, f64::min);
    let mut hi = lines
        .iter()
        .flat_map(|l| [l.1, l.2])
        .fold(0.0_f64, f64::max);
    let pad = ((hi - lo) * 0.1).max(0.1);
    lo -= pad;
    hi += pad;
    let py = |v: f64| bottom - (v - lo) / (hi - lo) * (bottom - top);
    let mut s = open(400.0, bottom + 16.0, label(lang, "trend"));
    let _ = write!(
        s,
        "<line class=\"grid-line\" x1=\"{xa}\" y1=\"{0:.1}\" x2=\"{xb}\" y2=\"{0:.1}\" stroke-dasharray=\"4 3\"/>\
<text class=\"muted\" x=\"{1}\" y=\"{2:.1}\" text-anchor=\"end\">0</text>\
<line class=\"axis\" x1=\"{xa}\" y1=\"{top}\" x2=\"{xa}\" y2=\"{bottom}\"/><line class=\"axis\" x1=\"{xb}\" y1=\"{top}\" x2=\"{xb}\" y2=\"{bottom}\"/>\
<text class=\"muted\" x=\"{xa}\" y=\"14\" text-anchor=\"middle\">{3}</text><text class=\"muted\" x=\"{xb}\" y=\"14\" text-anchor=\"middle\">{4}</text>",
        py(0.0),
        xa - 4.0,
        py(0.0) + 4.0,
        esc(label(lang, "previous")),
        esc(label(lang, "current")),
    );
    // Labels at the right end, nudged apart so that close lines stay readable.
    let label_y = spread(&lines.iter().map(|l| py(l.2)).collect::<Vec<_>>(), 12.0);
    let start_y = spread(&lines.iter().map(|l| py(l.1)).collect::<Vec<_>>(), 12.0);
    for (i, (name, a, b)) in lines.iter().enumerate() {
        let class = if b < a { "line-neg" } else { "line-pos" };
        let _ = write!(
            s,
            "<polyline class=\"{class}\" points=\"{xa},{:.1} {xb},{:.1}\"/><circle class=\"p-dot\" cx=\"{xa}\" cy=\"{:.1}\" r=\"3\"/><circle class=\"p-dot\" cx=\"{xb}\" cy=\"{:.1}\" r=\"3\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><text x=\"{:.1}\" y=\"{:.1}\">{} {}</text>",
            py(*a),
            py(*b),
            py(*a),
            py(*b),
            xa - 6.0,
            start_y[i] + 4.0,
            num(Some(*a)),
            xb + 6.0,
            label_y[i] + 4.0,
            num(Some(*b)),
            esc(&short(name, 18))
        );
    }
    s.push_str("</svg>");
    Some(s)
}

/// One small line chart per dimension of the history (`--history`): its gap 5 per
/// period, oldest first, the zero line dashed, a significant change as a ringed point;
/// `(dimension label, chart)` in the audit's order, empty without a history.
pub fn history(report: &Report, lang: Lang) -> Vec<(String, String)> {
    let Some(history) = report.history.as_ref() else {
        return Vec::new();
    };
    let (width, left, right, top, bottom) = (300.0, 34.0, 290.0, 10.0, 90.0);
    let names: Vec<&str> = history.iter().map(|p| p.period.name.as_str()).collect();
    let step = (right - left) / (names.len().max(2) - 1) as f64;
    let px = |i: usize| match names.len() {
        1 => (left + right) / 2.0,
        _ => left + i as f64 * step,
    };
    report
        .dimensions
        .iter()
        .enumerate()
        .map(|(d, dim)| {
            let name = dim.label.get(lang).to_string();
            let points: Vec<(usize, f64, bool)> = history
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    let row = p.dimensions.get(d)?;
                    let significant = row.change.is_some_and(|c| c.significant);
                    Some((i, row.gaps.customer.filter(|g| g.is_finite())?, significant))
                })
                .collect();
            let lo = points.iter().map(|p| p.1).fold(0.0_f64, f64::min);
            let hi = points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
            let pad = ((hi - lo) * 0.1).max(0.1);
            let (lo, hi) = (lo - pad, hi + pad);
            let py = |v: f64| bottom - (v - lo) / (hi - lo) * (bottom - top);
            let title = format!("{} · {}", label(lang, "history"), name);
            let mut s = open(width, bottom + 18.0, &title);
            let _ = write!(
                s,
                "<line class=\"grid-line\" x1=\"{left}\" y1=\"{0:.1}\" x2=\"{right}\" y2=\"{0:.1}\" stroke-dasharray=\"4 3\"/>\
<text class=\"muted\" x=\"{1}\" y=\"{2:.1}\" text-anchor=\"end\">0</text>",
                py(0.0),
                left - 4.0,
                py(0.0) + 4.0,
            );
            // The first and last period's names under the axis; every period has a point.
            let last = names.len().saturating_sub(1);
            for i in [0, last].into_iter().take(if last == 0 { 1 } else { 2 }) {
                let anchor = if i == 0 && last > 0 { "start" } else { "end" };
                let anchor = if last == 0 { "middle" } else { anchor };
                let _ = write!(
                    s,
                    "<text class=\"muted\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
                    px(i),
                    bottom + 14.0,
                    esc(names.get(i).copied().unwrap_or_default())
                );
            }
            let line: Vec<String> = points
                .iter()
                .map(|&(i, v, _)| format!("{:.1},{:.1}", px(i), py(v)))
                .collect();
            let falling = points.first().zip(points.last()).is_some_and(|(a, b)| b.1 < a.1);
            let class = if falling { "line-neg" } else { "line-pos" };
            let _ = write!(s, "<polyline class=\"{class}\" points=\"{}\"/>", line.join(" "));
            for &(i, v, significant) in &points {
                if significant {
                    let _ = write!(
                        s,
                        "<circle class=\"e-dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\"/>",
                        px(i),
                        py(v)
                    );
                }
                let _ = write!(
                    s,
                    "<circle class=\"p-dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\"><title>{} {}</title></circle>",
                    px(i),
                    py(v),
                    esc(names.get(i).copied().unwrap_or_default()),
                    num(Some(v))
                );
            }
            if let Some(&(i, v, _)) = points.last() {
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                    px(i),
                    py(v) - 6.0,
                    num(Some(v))
                );
            }
            s.push_str("</svg>");
            (name, s)
        })
        .collect()
}

/// Label positions for points at `ys`: in the same order, each at least `gap` below
/// the one above it, so that close values stay readable.
fn spread(ys: &[f64], gap: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by(|&a, &b| ys[a].total_cmp(&ys[b]));
    let mut out = vec![0.0; ys.len()];
    let mut last = f64::NEG_INFINITY;
    for i in order {
        let y = ys[i].max(last + gap);
        out[i] = y;
        last = y;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn spread_keeps_labels_apart_in_order() {
        // 10 and 14 are 4 apart: the second moves to 10 + 12 = 22; 50 stays.
        assert_eq!(spread(&[14.0, 50.0, 10.0], 12.0), vec![22.0, 50.0, 10.0]);
    }

    #[test]
    fn long_bars_carry_their_value_inside() {
        // Range 2 (biggest 2.0): -2.0 ends at 210 - 100 = 110, no room left of it, so
        // the value is drawn inside from 113; +0.5 ends at 235, outside at 238.
        let s = bars(
            &[("a".into(), Some(-2.0)), ("b".into(), Some(0.5))],
            "t",
            Lang::En,
        );
        assert!(s.contains("<text class=\"in-bar\" x=\"113.0\""), "{s}");
        assert!(s.contains("<text x=\"238.0\""), "{s}");
    }

    use super::*;

    #[test]
    fn bars_scale_around_zero_and_escape_labels() {
        // Range: biggest |v| 1.5 -> 1.5; scale 100 px / 1.5; -1.5 ends at 210 - 100 = 110.
        let s = bars(
            &[("<b>".into(), Some(-1.5)), ("x".into(), None)],
            "t",
            Lang::En,
        );
        assert!(s.contains("&lt;b&gt;") && !s.contains("<b>"));
        assert!(s.contains("x=\"110.0\""), "{s}");
        assert!(s.contains("not measured"));
    }

    #[test]
    fn short_cuts_with_an_ellipsis() {
        assert_eq!(short("abcdef", 4), "abc…");
        assert_eq!(short("abc", 4), "abc");
    }
}
