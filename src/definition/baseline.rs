//! The baseline (`--baseline PREVIOUS.json`): an earlier JSON report, read leniently.
//!
//! Only the fields a trend needs are read and anything else is ignored, so that any
//! `servqual.report/v1` file works, whatever was added to the schema since.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::problem::{Problem, Problems};
use crate::provenance::FileDigest;

/// The parts of an earlier report a trend needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Baseline {
    /// Must be `servqual.report/v1`.
    pub schema: String,
    /// Audit metadata.
    #[serde(default)]
    pub audit: Option<BaselineAudit>,
    /// Dimension rows.
    #[serde(default)]
    pub dimensions: Vec<BaselineRow>,
    /// Item rows.
    #[serde(default)]
    pub items: Vec<BaselineRow>,
    /// SERVQUAL scores.
    #[serde(default)]
    pub servqual: Option<BaselineServqual>,
}

/// Audit metadata of the baseline.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct BaselineAudit {
    /// Audit id.
    #[serde(default)]
    pub id: Option<String>,
    /// Period.
    #[serde(default)]
    pub period: Option<BaselinePeriod>,
}

/// Period of the baseline.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct BaselinePeriod {
    /// First day.
    #[serde(default)]
    pub start: Option<String>,
    /// Last day.
    #[serde(default)]
    pub end: Option<String>,
}

/// A dimension or item row of the baseline.
#[derive(Debug, Clone, Deserialize)]
pub struct BaselineRow {
    /// Id.
    pub id: String,
    /// Respondents.
    #[serde(default)]
    pub n: u64,
    /// Gaps by number.
    #[serde(default)]
    pub gaps: BTreeMap<String, Option<f64>>,
    /// sd of the customer gap.
    #[serde(default)]
    pub sd: Option<f64>,
}

/// SERVQUAL scores of the baseline.
#[derive(Debug, Clone, Deserialize)]
pub struct BaselineServqual {
    /// Unweighted.
    #[serde(default)]
    pub unweighted: Option<f64>,
    /// Weighted.
    #[serde(default)]
    pub weighted: Option<f64>,
}

/// Reads and checks a baseline report; returns it with its provenance.
pub fn read_baseline(path: &Path) -> Result<(Baseline, FileDigest), Problems> {
    let bytes = std::fs::read(path).map_err(|e| {
        Problems::one(
            Problem::new(format!("cannot read the baseline: {e}"))
                .file(path)
                .expected("a JSON report of an earlier period (--format json)"),
        )
    })?;
    let baseline: Baseline = serde_json::from_slice(&bytes).map_err(|e| {
        Problems::one(
            Problem::new(format!("not a servqual JSON report: {e}"))
                .file(path)
                .at(e.line() as u64, e.column() as u64)
                .expected("a JSON report of an earlier period (--format json)"),
        )
    })?;
    if baseline.schema != crate::schema::REPORT {
        return Err(Problems::one(
            Problem::new("the baseline has another schema")
                .file(path)
                .field("schema")
                .found(baseline.schema.clone())
                .expected(crate::schema::REPORT),
        ));
    }
    let digest = FileDigest::of_bytes("baseline", path.display().to_string(), &bytes);
    Ok((baseline, digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_baseline_ignores_unknown_fields() {
        let b: Baseline = serde_json::from_str(
            r#"{"schema":"servqual.report/v1","future":1,
                "dimensions":[{"id":"d","n":3,"gaps":{"5":-0.5,"1":null},"sd":0.2,"extra":[]}]}"#,
        )
        .unwrap();
        assert_eq!(b.dimensions[0].gaps["5"], Some(-0.5));
        assert!(b.items.is_empty());
    }
}
