//! servqual: service-quality gap audits.
//!
//! Data flows one way: [`definition`] (the audit YAML and its side files) -> [`sources`]
//! (survey and visit files, streamed) -> [`analysis`] (sums, gaps, statistics, checklist
//! rules, the gate) -> [`report`] (the model every format renders) -> [`export`] (one
//! exporter per format). [`run`] is the pipeline; [`cli`] is the command line on top.
//! ARCHITECTURE.md has the map and each layer's invariant.

// A `Problem` carries the whole place and both values of a bad input; it is only built
// on the error path, so its size costs nothing when the input is good.
#![allow(clippy::result_large_err)]

pub mod analysis;
pub mod cli;
pub mod definition;
pub mod encoding;
pub mod export;
pub mod i18n;
pub mod import;
pub mod kano;
pub mod output;
pub mod problem;
pub mod provenance;
pub mod report;
pub mod run;
pub mod sample;
pub mod schema;
pub mod sources;
pub mod yaml;
