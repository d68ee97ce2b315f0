//! Bank-file readers. Each returns a [`ReadOutcome`](crate::ReadOutcome): what it
//! could read plus diagnostics; none fails or panics on any input.
//!
//! Signatures (one per format, each behind its own cargo feature):
//! `camt::read(&[u8])` (camt.052, camt.053 and camt.054), `bai2::read(&[u8])`,
//! `mt940::read(&[u8])`, `csv::read(&[u8], &csv::CsvMapping)`, `x12_820::read(&[u8])`.
//!
//! Every reader bounds its input at [`MAX_INPUT_BYTES`]: a larger input gives one
//! `input_too_large` error diagnostic and nothing else.

#[cfg(feature = "bai2")]
pub mod bai2;
#[cfg(feature = "camt")]
pub mod camt;
#[cfg(feature = "csv")]
pub mod csv;
#[cfg(feature = "mt940")]
pub mod mt940;
#[cfg(feature = "x12-820")]
pub mod x12_820;

#[allow(dead_code, reason = "helpers shared by the readers; which ones are used depends on the features enabled")]
pub(crate) mod common;

pub use common::MAX_INPUT_BYTES;
