//! The Markdown report: GitHub-flavoured tables and the `- [ ]` checklist.

use std::collections::BTreeMap;

use super::view::{render, Escape, MARKDOWN};
use super::{Exporter, RenderOptions, Report};

/// Exporter for `--format markdown`.
pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn render(&self, report: &Report, options: &RenderOptions) -> anyhow::Result<Vec<u8>> {
        Ok(render(MARKDOWN, Escape::Markdown, report, options, BTreeMap::new())?.into_bytes())
    }
}
