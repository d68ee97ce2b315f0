//! One module per `arbench` workload.

use crate::harness::{Args, Measurement};

pub mod aging;
pub mod ledger;
pub mod matching;

/// Runs the workload `args.workload` names.
pub fn run(args: &Args) -> Result<Vec<Measurement>, String> {
    match args.workload.as_str() {
        "ledger" => ledger::run(args),
        "aging" => aging::run(args),
        "match" => matching::run(args),
        other => Err(format!("unknown workload '{other}': expected ledger, aging or match")),
    }
}
