//! The `matching` workload (not yet written).

use crate::harness::{Args, Measurement};

/// Runs the workload.
pub fn run(_args: &Args) -> Result<Vec<Measurement>, String> {
    Err("the matching workload is not built yet".to_owned())
}
