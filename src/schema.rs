//! Schema ids of the files the tool writes; within a version fields are only ever added.

/// The JSON report (`servqual report --format json`).
pub const REPORT: &str = "servqual.report/v1";
