//! Data generators and workloads for the `ar` benchmarks.
//!
//! Every workload follows one contract (see the README's benchmark section): it
//! generates its data from a seed, runs, and reports [`Measurement`](harness::Measurement)s that the
//! `arbench` binary prints as one JSON object per line.
#![forbid(unsafe_code)]

pub mod generate_ledger;
pub mod generate_matching;
pub mod generate_open_items;
pub mod harness;
pub mod rng;
pub mod workloads;
