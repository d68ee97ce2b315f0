//! Bank-file readers. Each returns a [`ReadOutcome`](crate::ReadOutcome): what it
//! could read plus diagnostics; none fails or panics on any input.
//!
//! Signatures (one per format, each behind its own cargo feature):
//! `camt::read(&[u8])` (camt.053 and camt.054), `bai2::read(&[u8])`,
//! `mt940::read(&[u8])`, `csv::read(&[u8], &csv::CsvMapping)`, `x12_820::read(&[u8])`.
