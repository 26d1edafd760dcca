//! Reading the data files an audit names: surveys and mystery-shopper visits.
//!
//! Readers stream: they hand one row at a time to a visitor and keep nothing, so
//! memory does not grow with the number of rows. Every file read is hashed on the way
//! for the report's provenance.

pub mod answers;
pub mod chunked;
pub mod hashing;
pub(crate) mod repeats;
pub mod stream;
pub mod survey;
pub mod text;
pub mod visits;
