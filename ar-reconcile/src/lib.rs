//! # ar-reconcile: bank files, cash matching and tie-outs
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod matching;
pub mod readers;
pub mod statement;
pub mod tieout;

pub use statement::{
    Adjustment, Balance, BankLine, Diagnostic, Direction, Position, ReadOutcome, Reference, Remittance, Severity,
    Statement,
};
