//! The JSON report: the [`Report`] serialised as it is, numbers unrounded.

use super::{Exporter, RenderOptions, Report};

/// Exporter for `--format json`.
pub struct Json;

impl Exporter for Json {
    fn render(&self, report: &Report, _options: &RenderOptions) -> anyhow::Result<Vec<u8>> {
        let mut out = serde_json::to_vec_pretty(report)?;
        out.push(b'\n');
        Ok(out)
    }
}
