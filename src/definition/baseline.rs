//! The baseline (`--baseline PREVIOUS.json`): an earlier JSON report, read leniently.
//!
//! Only the fields a trend needs are read and anything else is ignored, so that any
//! `servqual.report/v1` file works, whatever was added to the schema since.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::problem::{open_input, Problem, Problems};
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

/// The largest baseline read, in bytes (a JSON report, never data).
pub const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads and checks a baseline report; returns it with its provenance.
pub fn read_baseline(path: &Path) -> Result<(Baseline, FileDigest), Problems> {
    let cannot = |e: std::io::Error| {
        Problems::one(
            Problem::new(format!("cannot read the baseline: {e}"))
                .file(path)
                .expected("a JSON report of an earlier period (--format json)"),
        )
    };
    let file = open_input(path, "cannot read the baseline")?;
    let mut bytes = Vec::new();
    file.take(MAX_BASELINE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_BASELINE_BYTES {
        return Err(
            Problem::new("the baseline is larger than the limit of 64 MiB")
                .file(path)
                .expected("a JSON report of an earlier period (--format json)")
                .into_problems(),
        );
    }
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
    Problems::check(negative_sds(path, &baseline))?;
    let digest = FileDigest::of_bytes("baseline", path.display().to_string(), &bytes);
    Ok((baseline, digest))
}

/// A problem for every row whose sd is negative: a standard deviation never is, and the
/// trend's t test would take it as a real spread.
fn negative_sds(path: &Path, baseline: &Baseline) -> Vec<Problem> {
    let rows = [
        ("dimensions", &baseline.dimensions),
        ("items", &baseline.items),
    ];
    rows.into_iter()
        .flat_map(|(key, list)| list.iter().enumerate().map(move |(i, row)| (key, i, row)))
        .filter_map(|(key, i, row)| {
            let sd = row.sd?;
            (sd < 0.0).then(|| {
                Problem::new("a negative standard deviation")
                    .file(path)
                    .field(format!("{key}[{i}].sd"))
                    .found(sd.to_string())
                    .expected("an sd of 0 or more, as servqual writes it")
            })
        })
        .collect()
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

    #[test]
    fn a_negative_sd_is_a_problem() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("base.json");
        std::fs::write(
            &path,
            r#"{"schema":"servqual.report/v1","dimensions":[{"id":"d","sd":0.2}],
                "items":[{"id":"a","sd":0},{"id":"b","sd":-0.4}]}"#,
        )
        .unwrap();
        let err = read_baseline(&path).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].field.as_deref(), Some("items[1].sd"));
        assert!(read_baseline(Path::new("/dev/zero")).is_err());
    }
}
