//! The audit YAML exactly as written: serde structs that reject unknown keys.
//!
//! [`super::resolve`] turns these into the checked [`super::Audit`].

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::i18n::Text;

/// The top level of an audit file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudit {
    pub audit: RawMeta,
    #[serde(default)]
    pub scale: Option<RawScale>,
    #[serde(default)]
    pub dimensions: Option<Vec<RawDimension>>,
    #[serde(default)]
    pub instrument: Option<String>,
    #[serde(default)]
    pub items: Vec<RawItem>,
    #[serde(default)]
    pub weights: Option<RawWeights>,
    #[serde(default)]
    pub sources: RawSources,
    #[serde(default)]
    pub standards: RawLevels,
    #[serde(default)]
    pub promises: RawLevels,
    #[serde(default)]
    pub merge: Option<RawMerge>,
    #[serde(default)]
    pub thresholds: RawThresholds,
    #[serde(default)]
    pub owners: BTreeMap<String, String>,
    /// An action library file merged over the built-in one (checklist).
    #[serde(default)]
    pub actions: Option<String>,
    /// Kano must-be items for the checklist (`must_be:` ids, `file:` a Kano definition).
    #[serde(default)]
    pub kano: Option<RawKano>,
}

/// `kano:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKano {
    #[serde(default)]
    pub must_be: Vec<String>,
    #[serde(default)]
    pub file: Option<String>,
}

/// `audit:` metadata.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub organisation: Option<String>,
    /// A fixed period; with a schedule, the period reported when none is asked for.
    #[serde(default)]
    pub period: Option<RawPeriod>,
    /// `monthly`, `quarterly` or `yearly`: one definition for every period.
    #[serde(default)]
    pub schedule: Option<String>,
    /// The month (1-12) a fiscal year starts in.
    #[serde(default)]
    pub year_starts: Option<i64>,
}

/// `audit.period`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeriod {
    pub start: String,
    pub end: String,
}

/// `scale:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScale {
    pub min: f64,
    pub max: f64,
}

/// One entry of `dimensions:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDimension {
    pub id: String,
    pub label: Text,
}

/// One entry of `items:` (a new item, or an override of an instrument item).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    pub id: String,
    #[serde(default)]
    pub dimension: Option<String>,
    #[serde(default)]
    pub text: Option<Text>,
    #[serde(default)]
    pub short: Option<Text>,
    #[serde(default)]
    pub reverse: Option<bool>,
}

/// `weights:` either `survey` or percentages per dimension.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawWeights {
    Keyword(String),
    Percent(BTreeMap<String, f64>),
}

/// `sources:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSources {
    #[serde(default)]
    pub customers: Option<RawSurveySource>,
    #[serde(default)]
    pub management: Option<RawSurveySource>,
    #[serde(default)]
    pub shoppers: Option<RawShopperSource>,
}

/// A survey source (customers or management).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSurveySource {
    pub file: String,
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub delimiter: Option<String>,
    #[serde(default)]
    pub columns: RawColumns,
    #[serde(default)]
    pub patterns: RawPatterns,
}

/// The mystery-shopper source: visits and the form they were scored on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShopperSource {
    pub file: String,
    pub form: String,
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub delimiter: Option<String>,
    #[serde(default)]
    pub columns: RawColumns,
}

/// Names of the id, site, date (and shopper) columns.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumns {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub shopper: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
}

/// Column-name patterns with `{item}` or `{dimension}` placeholders.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPatterns {
    #[serde(default)]
    pub expected: Option<String>,
    #[serde(default)]
    pub perceived: Option<String>,
    #[serde(default)]
    pub adequate: Option<String>,
    #[serde(default)]
    pub desired: Option<String>,
    #[serde(default)]
    pub importance: Option<String>,
    #[serde(default)]
    pub management: Option<String>,
}

/// Target levels (standards or promises) per dimension and per item.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLevels {
    #[serde(default)]
    pub dimensions: BTreeMap<String, f64>,
    #[serde(default)]
    pub items: BTreeMap<String, f64>,
}

/// `merge:` weights of customers and shoppers in the merged perception.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMerge {
    pub customers: f64,
    pub shoppers: f64,
}

/// `thresholds:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThresholds {
    #[serde(default)]
    pub checklist: Option<f64>,
    #[serde(default)]
    pub divergence: Option<f64>,
    #[serde(default)]
    pub min_visits: Option<u32>,
    #[serde(default)]
    pub min_segment_n: Option<u32>,
    #[serde(default)]
    pub fail: Vec<String>,
}
