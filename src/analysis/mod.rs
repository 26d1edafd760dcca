//! Analysis: from accumulated source data to gaps, statistics and findings.

pub mod checklist;
pub mod customers;
pub mod gaps;
pub mod history;
pub mod ipa;
pub mod segments;
pub mod shoppers;
pub mod stats;
pub mod trend;

#[cfg(test)]
mod reading_tests;
