//! Analysis: from accumulated source data to gaps, statistics and findings.

pub mod customers;
pub mod gaps;
pub mod shoppers;
pub mod stats;
