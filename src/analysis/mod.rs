//! Analysis: from accumulated source data to gaps, statistics and findings.

pub mod customers;
pub mod gaps;
pub mod gate;
pub mod segments;
pub mod stats;
pub mod trend;
