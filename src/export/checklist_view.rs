//! The checklist and the importance-performance grid laid out for people: table sections
//! for `--format table` and the Markdown task list of `--checklist-only`.

use comfy_table::{Cell, CellAlignment};
use unicode_width::UnicodeWidthChar;

use super::table::{fit_lines, fitted, num};
use super::{visible, RenderOptions, Report};
use crate::definition::checklist_state::{Severity, Status};
use crate::i18n::Lang;
use crate::report::checklist::{finding_code, finding_name, severity_label, status_label, Entry};
use crate::report::labels::{fill, label, plural, quadrant};

/// The importance-performance section (empty without weights).
pub(crate) fn ipa_section(report: &Report, options: &RenderOptions) -> String {
    let lang = options.lang;
    let Some(ipa) = &report.ipa else {
        return String::new();
    };
    let mut table = fitted(options);
    table.set_header(vec![
        label(lang, "dimension"),
        label(lang, "ipa_importance"),
        label(lang, "ipa_performance"),
        label(lang, "quadrant"),
    ]);
    for p in &ipa.dimensions {
        let label = report
            .dimensions
            .iter()
            .find(|d| d.result.id == p.id)
            .map_or(p.id.as_str(), |d| d.label.get(lang));
        table.add_row(vec![
            Cell::new(visible(label)),
            right(format!("{:.0}%", p.importance * 100.0)),
            right(num(Some(p.performance))),
            Cell::new(quadrant(lang, p.quadrant)),
        ]);
    }
    let c = &ipa.crosshair;
    let crosshair = fill(
        lang,
        "ipa_crosshair",
        &[
            ("importance", &format!("{:.1}", c.importance * 100.0)),
            ("performance", &num(Some(c.performance))),
        ],
    );
    let mut out = format!(
        "\n{}\n{table}\n{}",
        label(lang, "ipa_title"),
        fit_lines(&crosshair, options.width)
    );
    if c.equal_importance {
        out.push_str(&fit_lines(label(lang, "ipa_equal"), options.width));
    }
    out
}

/// Columns of the "Finding" cell of the checklist table at most; with the other columns
/// the table then fits a 120-column terminal.
const FINDING_WIDTH: usize = 60;
/// Columns of the "Owner / due" cell.
const OWNER_WIDTH: usize = 28;
/// Columns the other cells of the checklist table take with their borders.
const OTHER_COLUMNS: usize = 60;
/// Narrower terminals get the checklist as numbered blocks instead of a table.
const TABLE_FROM: usize = 100;
/// Lines of item values shown in one table row before "+N more".
const ITEM_LINES: usize = 2;

/// Entries that belong together: a (gap, dimension) finding with its items, or one
/// critical question at its sites; in the order of their most urgent entry.
struct Group<'a> {
    entries: Vec<&'a Entry>,
}

impl<'a> Group<'a> {
    fn first(&self) -> &'a Entry {
        self.entries[0]
    }

    /// The dimension-level entry, if the dimension itself is below the threshold.
    fn dimension_entry(&self) -> Option<&'a Entry> {
        self.entries
            .iter()
            .copied()
            .find(|e| e.item.is_none() && e.question.is_none())
    }

    fn items(&self) -> impl Iterator<Item = &'a Entry> + '_ {
        self.entries.iter().copied().filter(|e| e.item.is_some())
    }

    fn worst(&self) -> Severity {
        self.entries
            .iter()
            .map(|e| e.severity)
            .min()
            .unwrap_or(Severity::Watch)
    }

    /// Counts per status, in a fixed order, plus overdue.
    fn status_lines(&self, lang: Lang) -> Vec<String> {
        let order = [
            Status::Reopened,
            Status::Open,
            Status::InProgress,
            Status::Done,
            Status::WontFix,
            Status::Resolved,
        ];
        let mut lines = Vec::new();
        if self.entries.len() == 1 {
            lines.push(status_label(self.first().status, lang).to_string());
        } else {
            for s in order {
                let n = self.entries.iter().filter(|e| e.status == s).count();
                if n > 0 {
                    lines.push(format!("{n} {}", status_label(s, lang)));
                }
            }
        }
        let overdue = self.entries.iter().filter(|e| e.overdue).count();
        if overdue > 0 {
            lines.push(if self.entries.len() == 1 {
                label(lang, "overdue").to_string()
            } else {
                fill(lang, "overdue_count", &[("n", &overdue.to_string())])
            });
        }
        lines
    }

    /// The earliest due date of an entry still being worked on (else of any entry).
    fn due(&self) -> Option<chrono::NaiveDate> {
        self.entries
            .iter()
            .filter(|e| e.status.is_active())
            .map(|e| e.due)
            .min()
            .or_else(|| self.entries.iter().map(|e| e.due).min())
    }
}

/// The current findings grouped, most urgent group first (entries arrive in priority order).
fn groups(report: &Report) -> Vec<Group<'_>> {
    let mut out: Vec<Group> = Vec::new();
    for e in report.checklist.iter().filter(|e| e.current) {
        match out.iter_mut().find(|g| g.first().group == e.group) {
            Some(g) => g.entries.push(e),
            None => out.push(Group { entries: vec![e] }),
        }
    }
    out
}

fn label_of_dimension(report: &Report, id: &str, lang: Lang) -> String {
    report
        .dimensions
        .iter()
        .find(|d| d.result.id == id)
        .map_or(id.to_string(), |d| d.label.get(lang).to_string())
}

/// The first line of a group: what falls short, by how much, and the quadrant.
fn headline(report: &Report, g: &Group, lang: Lang) -> String {
    let e = g.first();
    if let Some(q) = &e.question {
        let named = match e.short.as_deref() {
            Some(short) => format!("{q} “{}”", visible(short)),
            None => q.clone(),
        };
        return fill(lang, "critical_failed", &[("question", &named)]);
    }
    let dim = e
        .dimension
        .as_deref()
        .map_or_else(|| "-".to_string(), |d| label_of_dimension(report, d, lang));
    let mut text = fill(
        lang,
        "title_dimension",
        &[
            ("dimension", &dim),
            ("gap", finding_name(&e.id, e.gap, lang)),
        ],
    );
    if let Some(v) = g.dimension_entry().and_then(|d| d.evidence.figures.value) {
        text.push_str(&format!(" {}", num(Some(v))));
    }
    if let Some(q) = e.evidence.figures.quadrant {
        text.push_str(&format!(" · {}", quadrant(lang, q)));
    }
    if g.entries.iter().any(|e| e.evidence.figures.must_be) {
        text.push_str(label(lang, "kano_must_be_mark"));
    }
    text
}

/// The second part of a group: its items with their gaps, or a critical question's sites.
fn detail(g: &Group, lang: Lang, width: usize) -> Vec<String> {
    let parts: Vec<String> = if g.first().question.is_some() {
        g.entries
            .iter()
            .map(|e| {
                let place = visible(e.site.as_deref().unwrap_or(label(lang, "all_sites")));
                match (e.evidence.figures.failures, e.evidence.figures.visits) {
                    (Some(f), Some(v)) => format!("{place} {f}/{v}"),
                    _ => place.to_string(),
                }
            })
            .collect()
    } else {
        g.items()
            .map(|e| {
                let item = e.item.as_deref().unwrap_or("-");
                let watch = if e.severity == Severity::Watch {
                    "?"
                } else {
                    ""
                };
                format!("{item} {}{watch}", num(e.evidence.figures.value))
            })
            .collect()
    };
    if parts.is_empty() {
        return Vec::new();
    }
    let lead = if g.first().question.is_some() {
        label(lang, "failed_at")
    } else {
        label(lang, "items_lead")
    };
    let sep = label(lang, "list_sep");
    wrap_list(lead, &parts, sep, width, ITEM_LINES, lang)
}

/// `lead` and `parts` joined by `sep`, wrapped at `width` columns, at most `max_lines`
/// lines; parts that do not fit are counted in a last "+N more".
fn wrap_list(
    lead: &str,
    parts: &[String],
    sep: &str,
    width: usize,
    max_lines: usize,
    lang: Lang,
) -> Vec<String> {
    let mut lines: Vec<String> = vec![lead.to_string()];
    let mut first_on_line = true;
    for (i, part) in parts.iter().enumerate() {
        let more = |n: usize| fill(lang, "more", &[("n", &n.to_string())]);
        let piece = if first_on_line {
            part.clone()
        } else {
            format!("{sep}{part}")
        };
        let last = lines.len() - 1;
        // Room for this piece, and for "+N more" if it is the last line and parts remain.
        let reserve = if lines.len() == max_lines && i + 1 < parts.len() {
            width_of(&more(parts.len() - i - 1)) + width_of(sep)
        } else {
            0
        };
        if width_of(&lines[last]) + width_of(&piece) + reserve <= width || first_on_line {
            lines[last].push_str(&piece);
            first_on_line = false;
            continue;
        }
        if lines.len() == max_lines {
            lines[last].push_str(&format!("{sep}{}", more(parts.len() - i)));
            return lines;
        }
        lines.push(format!("  {part}"));
    }
    lines
}

/// Punctuation that may not begin a line of Chinese text.
const CLOSING: &[char] = &[
    '，', '。', '、', '；', '：', '）', '！', '？', '」', '』', '”',
];

/// Display width in terminal columns (Chinese characters are two).
fn width_of(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `text` wrapped at `width` columns (at spaces where there are any), at most
/// `max_lines` lines, the last cut with `…` when text remains.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    let mut rest = text.trim();
    while !rest.is_empty() {
        // The next unit: a word with its following space, or one wide character.
        let mut chars = rest.char_indices();
        let end = match chars.next() {
            Some((_, c)) if c.width().unwrap_or(0) > 1 => c.len_utf8(),
            _ => rest
                .char_indices()
                .find(|(_, c)| *c == ' ' || c.width().unwrap_or(0) > 1)
                .map_or(rest.len(), |(i, c)| if c == ' ' { i + 1 } else { i }),
        };
        let end = end.max(rest.chars().next().map_or(1, char::len_utf8));
        let unit = &rest[..end];
        let w = width_of(unit.trim_end());
        if used + w > width && used > 0 {
            // Chinese closing punctuation may not start a line: the character before
            // it moves down with it.
            let carry = if unit.starts_with(CLOSING) {
                line.pop().map(String::from).unwrap_or_default()
            } else {
                String::new()
            };
            lines.push(line.trim_end().to_string());
            used = width_of(&carry);
            line = carry;
            if lines.len() == max_lines {
                let last = lines.pop().unwrap_or_default();
                lines.push(truncate(&format!("{last} {rest}"), width));
                return lines;
            }
        }
        line.push_str(unit);
        used += width_of(unit);
        rest = &rest[end..];
    }
    if !line.trim().is_empty() {
        lines.push(truncate(line.trim_end(), width));
    }
    lines
}

/// The checklist section of the table report: one row per group, most urgent first;
/// every entry with its full evidence and actions is in `--checklist-only` and the JSON.
pub(crate) fn checklist_section(report: &Report, options: &RenderOptions) -> String {
    let lang = options.lang;
    let heading = label(lang, "checklist");
    let groups = groups(report);
    let carried: Vec<&Entry> = report.checklist.iter().filter(|e| !e.current).collect();
    if groups.is_empty() && carried.is_empty() {
        let none = no_findings(report, lang);
        return format!(
            "\n{heading}\n{}\n",
            super::table::wrapped(none, options.width, "").trim_end()
        );
    }
    let findings = report.checklist.iter().filter(|e| e.current).count();
    let summary = fill(
        lang,
        "checklist_summary",
        &[
            ("heading", heading),
            ("findings", &findings.to_string()),
            ("findings_word", plural(lang, findings, "findings_word")),
            ("groups", &groups.len().to_string()),
            ("groups_word", plural(lang, groups.len(), "groups_word")),
        ],
    );
    let mut out = format!("\n{summary}\n");
    // The groups that hold the most urgent entries; the rest are counted below.
    let urgent: std::collections::BTreeSet<&str> = report
        .checklist
        .iter()
        .filter(|e| e.current)
        .take(SHOWN_ENTRIES)
        .map(|e| e.group.as_str())
        .collect();
    let (groups, later): (Vec<Group>, Vec<Group>) = groups
        .into_iter()
        .partition(|g| urgent.contains(g.first().group.as_str()));
    if !groups.is_empty() && options.width < TABLE_FROM {
        out.push_str(&checklist_blocks(report, &groups, options));
    } else if !groups.is_empty() {
        let finding_width = options
            .width
            .saturating_sub(OTHER_COLUMNS)
            .clamp(30, FINDING_WIDTH);
        let mut table = fitted(options);
        table.set_header(vec![
            "#",
            label(lang, "finding_first_action"),
            label(lang, "severity_status"),
            label(lang, "owner_due"),
        ]);
        for (n, g) in groups.iter().enumerate() {
            let first = g.first();
            let mut finding = vec![truncate(
                &visible(&headline(report, g, lang)),
                finding_width,
            )];
            finding.extend(detail(g, lang, finding_width));
            if let Some(action) = first.actions.first() {
                let arrow = format!("→ {action}");
                finding.extend(wrap(&arrow, finding_width, 2));
            }
            let mut state = vec![severity_label(g.worst(), lang).to_string()];
            state.extend(g.status_lines(lang));
            let mut owner = vec![truncate(
                &visible(first.owner.as_deref().unwrap_or("-")),
                OWNER_WIDTH,
            )];
            let others = other_owners(g);
            if others > 0 {
                owner.push(fill(lang, "other_owners", &[("n", &others.to_string())]));
            }
            if let Some(d) = g.due() {
                owner.push(d.format("%Y-%m-%d").to_string());
            }
            table.add_row(vec![
                right((n + 1).to_string()),
                Cell::new(finding.join("\n")),
                Cell::new(state.join("\n")),
                Cell::new(owner.join("\n")),
            ]);
        }
        out.push_str(&format!("{table}\n"));
    }
    if !later.is_empty() {
        let more: usize = later.iter().map(|g| g.entries.len()).sum();
        let line = fill(
            lang,
            "groups_more",
            &[
                ("more", &more.to_string()),
                ("findings_word", plural(lang, more, "findings_word")),
                ("groups", &later.len().to_string()),
                ("groups_word", plural(lang, later.len(), "groups_word")),
            ],
        );
        out.push_str(&fit_lines(&line, options.width));
    }
    let resolved: Vec<&str> = carried
        .iter()
        .filter(|e| e.status == Status::Resolved)
        .map(|e| e.id.as_str())
        .collect();
    let unmeasured: Vec<&Entry> = carried
        .iter()
        .copied()
        .filter(|e| e.status != Status::Resolved)
        .collect();
    if !resolved.is_empty() {
        out.push_str(&format!(
            "{} {}\n",
            label(lang, "resolved_lead"),
            resolved.join(", ")
        ));
    }
    if !unmeasured.is_empty() {
        let list: Vec<String> = unmeasured
            .iter()
            .map(|e| format!("{} ({})", e.id, status(e, lang)))
            .collect();
        out.push_str(&format!(
            "{} {}\n",
            label(lang, "unmeasured_lead"),
            list.join(", ")
        ));
    }
    if report
        .checklist
        .iter()
        .any(|e| e.current && e.severity == Severity::Watch)
    {
        out.push_str(&fit_lines(label(lang, "watch_legend"), options.width));
    }
    out.push_str(&fit_lines(label(lang, "due_legend"), options.width));
    out
}

/// How many owners other than the first entry's the group's entries name.
fn other_owners(g: &Group) -> usize {
    let first = g.first().owner.as_deref();
    g.entries
        .iter()
        .filter_map(|e| e.owner.as_deref())
        .filter(|o| Some(*o) != first)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

/// The checklist groups as numbered blocks for a narrow terminal: headline with its
/// severity, the items or sites, the first action, owner, due date and statuses.
fn checklist_blocks(report: &Report, groups: &[Group], options: &RenderOptions) -> String {
    let lang = options.lang;
    let width = options.width.saturating_sub(5);
    let mut out = String::new();
    for (n, g) in groups.iter().enumerate() {
        let first = g.first();
        let head = format!(
            "{} · {}",
            severity_label(g.worst(), lang),
            visible(&headline(report, g, lang))
        );
        let mut lines = wrap(&head, width, 2);
        lines.extend(detail(g, lang, width));
        if let Some(action) = first.actions.first() {
            lines.extend(wrap(&format!("→ {action}"), width, 2));
        }
        let mut facts = vec![visible(first.owner.as_deref().unwrap_or("-")).into_owned()];
        let others = other_owners(g);
        if others > 0 {
            facts.push(fill(lang, "other_owners", &[("n", &others.to_string())]));
        }
        if let Some(d) = g.due() {
            facts.push(d.format("%Y-%m-%d").to_string());
        }
        lines.extend(wrap(&facts.join(" · "), width, 2));
        lines.push(g.status_lines(lang).join(" · "));
        for (i, line) in lines.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("{:>3}. {line}\n", n + 1));
            } else {
                out.push_str(&format!("     {line}\n"));
            }
        }
    }
    out
}

fn status(e: &Entry, lang: Lang) -> String {
    if e.overdue {
        format!(
            "{}, {}",
            status_label(e.status, lang),
            label(lang, "overdue")
        )
    } else {
        status_label(e.status, lang).to_string()
    }
}

/// Cuts `text` to at most `width` terminal columns, ending in `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_string();
    }
    let mut used = 0;
    let mut out = String::new();
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width.saturating_sub(1) {
            out.push('…');
            return out;
        }
        used += w;
        out.push(c);
    }
    out
}

/// The numbers of one entry: "P-E -1.46 (95% CI -1.58 to -1.35, n = 453)" or
/// "failed in 2 of 5 visits".
pub(crate) fn entry_numbers(e: &Entry, lang: Lang) -> String {
    numbers(e, lang)
}

fn numbers(e: &Entry, lang: Lang) -> String {
    let ev = &e.evidence.figures;
    if let (Some(f), Some(v)) = (ev.failures, ev.visits) {
        return fill(
            lang,
            "failed_in",
            &[("failures", &f.to_string()), ("visits", &v.to_string())],
        );
    }
    let Some(value) = ev.value else {
        return e.evidence.text.clone();
    };
    let code = finding_code(&e.id, e.gap);
    let mut details = Vec::new();
    if let Some([lo, hi]) = ev.ci95 {
        details.push(fill(
            lang,
            "ci_range",
            &[("low", &num(Some(lo))), ("high", &num(Some(hi)))],
        ));
    }
    if let Some(n) = ev.n {
        details.push(format!("n = {n}"));
    }
    let mut text = format!("{code} {}", num(Some(value)));
    if !details.is_empty() {
        text.push_str(&fill(
            lang,
            "details",
            &[("details", &details.join(label(lang, "list_sep")))],
        ));
    }
    text
}

/// One `- [ ]` line of the Markdown checklist, with notes under it.
fn task_line(report: &Report, e: &Entry, group_owner: Option<&str>, lang: Lang) -> String {
    let mark = if e.status.is_closed() { "x" } else { " " };
    let what = match (&e.item, &e.site, &e.question) {
        (_, Some(site), Some(_)) => site.clone(),
        (_, None, Some(_)) => label(lang, "all_sites").to_string(),
        (Some(item), _, None) => {
            let text = report
                .items
                .iter()
                .find(|i| &i.result.id == item)
                .map(|i| i.text.get(lang).trim().to_string())
                .filter(|t| !t.is_empty() && t != item);
            match text {
                Some(t) => format!("{item} “{t}”"),
                None => item.clone(),
            }
        }
        (None, _, None) => dimension_overall(report, e, lang),
    };
    let colon = label(lang, "colon");
    let mut line = format!(
        "- [{mark}] `{}` {}{colon}{} — {} · {}",
        e.id,
        md(&what),
        numbers(e, lang),
        severity_label(e.severity, lang),
        status(e, lang)
    );
    if e.owner.as_deref() != group_owner {
        line.push_str(&format!(
            " · {}{colon}{}",
            label(lang, "owner_word"),
            md(e.owner.as_deref().unwrap_or("-"))
        ));
    }
    line.push('\n');
    line.push_str(&notes_item(e, lang));
    line
}

/// The Markdown list item of an entry's notes from the state file (empty without notes).
fn notes_item(e: &Entry, lang: Lang) -> String {
    e.notes.as_ref().map_or(String::new(), |n| {
        format!(
            "  - {}{}{}\n",
            label(lang, "notes"),
            label(lang, "colon"),
            md(n.trim())
        )
    })
}

/// User text (titles, names, notes, actions) escaped for Markdown.
fn md(s: &str) -> String {
    super::view::markdown_escape(s)
}

/// What an empty checklist says: nothing below the threshold, or in a perception-only
/// audit without standards, that there is nothing to compare the perceptions with.
fn no_findings(report: &Report, lang: Lang) -> &'static str {
    match super::servperf_view::nothing_compared(report) {
        true => label(lang, "servperf_no_standards"),
        false => label(lang, "no_findings"),
    }
}

/// The checklist as Markdown for an issue tracker (`--checklist-only`): one section per
/// group with the evidence, owner and due date, a `- [ ]` task per finding, and the
/// actions once per group; then resolved and carried-over entries.
pub fn markdown(report: &Report, lang: Lang) -> String {
    let mut out = format!(
        "# {} — {}\n\n",
        label(lang, "checklist"),
        md(&report.audit.title)
    );
    if report.checklist.is_empty() {
        out.push_str(&md(no_findings(report, lang)));
        out.push('\n');
        return out;
    }
    let groups = groups(report);
    let findings = report.checklist.iter().filter(|e| e.current).count();
    out.push_str(&fill(
        lang,
        "checklist_md_summary",
        &[
            ("findings", &findings.to_string()),
            ("findings_word", plural(lang, findings, "findings_word")),
            ("groups", &groups.len().to_string()),
            ("groups_word", plural(lang, groups.len(), "groups_word")),
        ],
    ));
    out.push('\n');
    let colon = label(lang, "colon");
    for (n, g) in groups.iter().enumerate() {
        let first = g.first();
        out.push_str(&format!(
            "\n## {}. {} — {}\n\n",
            n + 1,
            md(&headline(report, g, lang)),
            severity_label(g.worst(), lang)
        ));
        let mut facts = vec![format!(
            "{}{colon}{}",
            label(lang, "owner"),
            md(first.owner.as_deref().unwrap_or("-"))
        )];
        if let Some(d) = g.due() {
            facts.push(format!(
                "{}{colon}{}",
                label(lang, "due_word"),
                d.format("%Y-%m-%d")
            ));
        }
        facts.push(format!(
            "{}{colon}{}",
            label(lang, "priority_word"),
            first.priority
        ));
        out.push_str(&facts.join(" · "));
        out.push_str("\n\n");
        let lead = g.dimension_entry().unwrap_or(first);
        out.push_str(&md(&lead.evidence.text));
        out.push_str("\n\n");
        // The dimension as a whole first, then its items in priority order.
        let overall = g.dimension_entry();
        for e in overall.iter().chain(
            g.entries
                .iter()
                .filter(|e| overall.is_none_or(|o| o.id != e.id)),
        ) {
            out.push_str(&task_line(report, e, first.owner.as_deref(), lang));
        }
        if !first.actions.is_empty() {
            out.push_str(&format!("\n{}\n\n", label(lang, "what_to_do")));
            for (i, a) in first.actions.iter().enumerate() {
                out.push_str(&format!("{}. {}\n", i + 1, md(a)));
            }
        }
    }
    let carried: Vec<&Entry> = report.checklist.iter().filter(|e| !e.current).collect();
    let resolved: Vec<&Entry> = carried
        .iter()
        .copied()
        .filter(|e| e.status == Status::Resolved)
        .collect();
    let unmeasured: Vec<&Entry> = carried
        .iter()
        .copied()
        .filter(|e| e.status != Status::Resolved)
        .collect();
    for (title, list) in [
        (label(lang, "resolved_heading"), resolved),
        (label(lang, "unmeasured_heading"), unmeasured),
    ] {
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {title}\n\n"));
        for e in list {
            let mark = if e.status.is_closed() { "x" } else { " " };
            out.push_str(&format!(
                "- [{mark}] `{}` {} — {} · {}\n",
                e.id,
                md(&e.title),
                md(&e.evidence.text),
                status(e, lang)
            ));
            out.push_str(&notes_item(e, lang));
        }
    }
    out
}

/// Entries the human formats (Markdown, HTML, terminal) show in full.
pub(crate) const SHOWN_ENTRIES: usize = 10;

/// The checklist as the Markdown and HTML reports show it: the most urgent entries,
/// grouped, each group once with its actions once (an action already listed under an
/// earlier group is not repeated), and how many more there are.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Digest {
    /// Current findings.
    pub total: usize,
    /// Groups of current findings.
    pub groups_total: usize,
    /// Findings shown.
    pub shown: usize,
    /// Findings not shown.
    pub more: usize,
    /// "The 10 most urgent of 59 findings ..." when some are not shown, else empty.
    pub note: String,
    /// The groups shown, most urgent first.
    pub groups: Vec<DigestGroup>,
}

/// One group of the digest.
#[derive(Debug, serde::Serialize)]
pub(crate) struct DigestGroup {
    /// Its number in the report, from 1.
    pub n: usize,
    /// What falls short (or which critical question failed).
    pub headline: String,
    /// The worst severity in the group (`critical`, `high`, `medium`, `watch`).
    pub severity: Severity,
    /// That severity in words.
    pub severity_word: &'static str,
    /// Owner of its most urgent entry.
    pub owner: String,
    /// Earliest due date.
    pub due: String,
    /// Priority of its most urgent entry.
    pub priority: u32,
    /// The evidence sentence of the dimension entry (or the first).
    pub evidence: String,
    /// The entries shown.
    pub entries: Vec<DigestEntry>,
    /// Entries of the group not shown.
    pub hidden: usize,
    /// Actions not already listed under an earlier group.
    pub actions: Vec<String>,
    /// Earlier groups whose actions apply too (those not repeated here).
    pub also: Vec<usize>,
}

/// One entry of the digest.
#[derive(Debug, serde::Serialize)]
pub(crate) struct DigestEntry {
    /// Stable id.
    pub id: String,
    /// Priority.
    pub priority: u32,
    /// What: the item with its short label, the dimension overall, or the site.
    pub what: String,
    /// The numbers.
    pub numbers: String,
    /// Severity code.
    pub severity: Severity,
    /// Severity in words.
    pub severity_word: &'static str,
    /// Status in words (with "overdue").
    pub status: String,
    /// Done or resolved.
    pub closed: bool,
    /// The owner, where it differs from the group's.
    pub owner: Option<String>,
    /// Ids it stands for too (gap 4 where standard = promise).
    pub covers: Vec<String>,
}

/// What an entry is about, in words: the item and its short label, the dimension as
/// a whole, or the site of a critical failure.
fn subject(report: &Report, e: &Entry, lang: Lang) -> String {
    match (&e.item, &e.site, &e.question) {
        (_, Some(site), Some(_)) => site.clone(),
        (_, None, Some(_)) => label(lang, "all_sites").to_string(),
        (Some(item), _, None) => match e.short.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => format!("{item} {t}"),
            None => item.clone(),
        },
        (None, _, None) => dimension_overall(report, e, lang),
    }
}

/// The digest of the checklist: the `limit` most urgent current entries, grouped.
pub(crate) fn digest(report: &Report, lang: Lang, limit: usize) -> Digest {
    let all = groups(report);
    let total: usize = all.iter().map(|g| g.entries.len()).sum();
    let shown_ids: std::collections::BTreeSet<&str> = report
        .checklist
        .iter()
        .filter(|e| e.current)
        .take(limit)
        .map(|e| e.id.as_str())
        .collect();
    let mut listed: Vec<(String, usize)> = Vec::new();
    let mut groups = Vec::new();
    for g in &all {
        let entries: Vec<&Entry> = g
            .entries
            .iter()
            .copied()
            .filter(|e| shown_ids.contains(e.id.as_str()))
            .collect();
        if entries.is_empty() {
            continue;
        }
        let n = groups.len() + 1;
        let first = g.first();
        let mut actions = Vec::new();
        let mut also = Vec::new();
        for a in &first.actions {
            match listed.iter().find(|(text, _)| text == a) {
                Some((_, earlier)) => {
                    if !also.contains(earlier) {
                        also.push(*earlier);
                    }
                }
                None => {
                    listed.push((a.clone(), n));
                    actions.push(a.clone());
                }
            }
        }
        let lead = g.dimension_entry().unwrap_or(first);
        groups.push(DigestGroup {
            n,
            headline: headline(report, g, lang),
            severity: g.worst(),
            severity_word: severity_label(g.worst(), lang),
            owner: first.owner.clone().unwrap_or_else(|| "-".into()),
            due: g
                .due()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            priority: first.priority,
            evidence: lead.evidence.text.clone(),
            hidden: g.entries.len() - entries.len(),
            entries: entries
                .iter()
                .map(|e| DigestEntry {
                    id: e.id.clone(),
                    priority: e.priority,
                    what: subject(report, e, lang),
                    numbers: numbers(e, lang),
                    severity: e.severity,
                    severity_word: severity_label(e.severity, lang),
                    status: status(e, lang),
                    closed: e.status.is_closed(),
                    owner: e.owner.clone().filter(|o| Some(o) != first.owner.as_ref()),
                    covers: e.covers.clone(),
                })
                .collect(),
            actions,
            also,
        });
    }
    let shown = shown_ids.len();
    let more = total - shown;
    let note = if more > 0 {
        fill(
            lang,
            "shown_of",
            &[
                ("shown", &shown.to_string()),
                ("total", &total.to_string()),
                ("more", &more.to_string()),
            ],
        )
    } else {
        String::new()
    };
    Digest {
        total,
        groups_total: all.len(),
        shown,
        more,
        note,
        groups,
    }
}

fn right(text: impl Into<String>) -> Cell {
    Cell::new(text.into()).set_alignment(CellAlignment::Right)
}

/// "Reliability overall": the title of a dimension-level entry.
fn dimension_overall(report: &Report, e: &Entry, lang: Lang) -> String {
    let dimension = e
        .dimension
        .as_deref()
        .map_or_else(|| "-".into(), |d| label_of_dimension(report, d, lang));
    fill(lang, "dimension_overall", &[("dimension", &dimension)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_counts_wide_characters() {
        assert_eq!(truncate("abcdef", 10), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
        // Each Chinese character is two columns: 5 columns hold two and the ellipsis.
        assert_eq!(truncate("改进清单", 5), "改进…");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_the_last_line() {
        assert_eq!(wrap("one two three", 7, 3), vec!["one two", "three"]);
        // Two lines of 7 columns: "one two" / "three f…" cut with the ellipsis.
        assert_eq!(
            wrap("one two three four five", 7, 2),
            vec!["one two", "three …"]
        );
        // Chinese breaks between characters; a comma never starts a line.
        assert_eq!(wrap("改进清单，措施", 8, 3), vec!["改进清", "单，措施"]);
    }

    #[test]
    fn wrap_list_counts_what_does_not_fit() {
        let parts: Vec<String> = ["R1 -1.46", "R2 -1.44", "R3 -1.39", "R4 -1.33"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // "Items: R1 -1.46, R2 -1.44" is 25 columns; R3 would need 10 more and the
        // "+N more" marker must still fit in the last line.
        assert_eq!(
            wrap_list("Items: ", &parts, ", ", 26, 1, Lang::En),
            vec!["Items: R1 -1.46, +3 more"]
        );
        assert_eq!(
            wrap_list("Items: ", &parts, ", ", 60, 1, Lang::En),
            vec!["Items: R1 -1.46, R2 -1.44, R3 -1.39, R4 -1.33"]
        );
    }
}
