//! The integration tests, one binary: the real servqual run on `tests/fixtures/<area>/`,
//! one module per topic. A new topic is a file here and one `mod` line below.

mod support;

mod architecture;
mod checklist;
mod chunked;
mod core;
mod formats;
mod gate;
mod html_browser;
mod import;
mod kano;
mod outputs;
mod properties;
mod reliability;
mod shoppers;
