//! `arbench`: generate seeded data, run a workload, print one JSON object per measurement.
//!
//! ```text
//! cargo run --release -p ar-benches --bin arbench -- <ledger|aging|match> \
//!     [--items N] [--customers C] [--lines L] [--seed S] [--threads T] [--csv DIR]
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use ar_benches::harness::Args;
use ar_benches::workloads;

mod counting_alloc;

/// Counts live heap bytes for the workloads' memory-per-item figures.
#[global_allocator]
static HEAP: counting_alloc::Counting = counting_alloc::Counting;

fn main() {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    match workloads::run(&args) {
        Ok(measurements) => {
            for m in measurements {
                match serde_json::to_string(&m) {
                    Ok(line) => println!("{line}"),
                    Err(e) => eprintln!("cannot print a measurement: {e}"),
                }
            }
        }
        Err(message) => {
            eprintln!("arbench {}: {message}", args.workload);
            std::process::exit(1);
        }
    }
}
