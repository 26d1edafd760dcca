//! Analysis: from accumulated source data to gaps, statistics and findings.

pub mod actions;
pub mod checklist;
pub mod customers;
pub mod gaps;
pub mod shoppers;
pub mod ipa;
pub mod stats;
