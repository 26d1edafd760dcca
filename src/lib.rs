//! servqual: service-quality gap audits.
//!
//! Data flows one way: [`definition`] (the audit YAML) -> [`sources`] (survey and visit
//! files) -> [`analysis`] (gaps and statistics) -> [`report`] (tables, JSON, ...).
//! [`run`] strings them together; [`cli`] is the command line on top.

pub mod analysis;
pub mod builtin;
pub mod cli;
pub mod definition;
pub mod i18n;
pub mod import;
pub mod kano;
pub mod output;
pub mod problem;
pub mod report;
pub mod run;
pub mod sample;
pub mod sources;
pub mod yaml;
