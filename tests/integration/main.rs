//! The integration tests, one binary: the real servqual run on `tests/fixtures/<area>/`,
//! one module per topic. A new topic is a file here and one `mod` line below.

mod support;

mod architecture;
mod checklist;
mod chunked;
mod core;
mod cycle;
mod encodings;
mod formats;
mod gate;
mod hardening;
mod history;
mod html_browser;
mod import;
mod import_layouts;
mod import_real_ids;
mod import_safety;
mod import_tour;
mod kano;
mod outputs;
mod properties;
mod reliability;
mod reports;
mod rows;
mod servperf;
mod shoppers;
