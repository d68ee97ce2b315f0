//! The `arbench` contract: arguments in, one JSON measurement per line out.

use std::path::PathBuf;

use serde::Serialize;

/// Arguments shared by every workload.
#[derive(Debug, Clone)]
pub struct Args {
    /// The workload's name (`ledger`, `aging`, `match`).
    pub workload: String,
    /// Number of items (invoices, open items, bank lines… as the workload defines).
    pub items: usize,
    /// Number of customers.
    pub customers: usize,
    /// Number of lines (bank lines for `match`, document lines for `ledger`).
    pub lines: usize,
    /// The generator's seed.
    pub seed: u64,
    /// Threads to use where the workload can use several.
    pub threads: usize,
    /// Where to write the generated inputs as CSV, if anywhere.
    pub csv: Option<PathBuf>,
}

impl Args {
    /// Parses `arbench <workload> [--items N] [--customers C] [--lines L] [--seed S] [--threads T] [--csv DIR]`.
    pub fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
        let workload = argv.next().ok_or("usage: arbench <ledger|aging|match> [--items N] [--customers C] [--lines L] [--seed S] [--threads T] [--csv DIR]")?;
        let mut args = Args { workload, items: 0, customers: 0, lines: 0, seed: 42, threads: 1, csv: None };
        while let Some(flag) = argv.next() {
            let value = argv.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || value.replace('_', "").parse::<u64>().map_err(|e| format!("{flag} {value}: {e}"));
            match flag.as_str() {
                "--items" => args.items = number()? as usize,
                "--customers" => args.customers = number()? as usize,
                "--lines" => args.lines = number()? as usize,
                "--seed" => args.seed = number()?,
                "--threads" => args.threads = number()?.max(1) as usize,
                "--csv" => args.csv = Some(PathBuf::from(&value)),
                other => return Err(format!("unknown flag {other}")),
            }
        }
        Ok(args)
    }

    /// `items`, or `default` when not given.
    pub fn items_or(&self, default: usize) -> usize {
        if self.items == 0 { default } else { self.items }
    }

    /// `customers`, or `default` when not given.
    pub fn customers_or(&self, default: usize) -> usize {
        if self.customers == 0 { default } else { self.customers }
    }

    /// `lines`, or `default` when not given.
    pub fn lines_or(&self, default: usize) -> usize {
        if self.lines == 0 { default } else { self.lines }
    }
}

/// The baseline engine a measurement is compared with.
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    /// e.g. `"sqlite"`.
    pub engine: String,
    /// Its time for the same work.
    pub seconds: f64,
}

/// One line of `arbench` output.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    /// The workload and, after a dot, the step measured (`"ledger.issue"`).
    pub workload: String,
    /// Items processed.
    pub items: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// `items / seconds`.
    pub items_per_s: f64,
    /// Memory per item, where the workload measures it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_per_item: Option<f64>,
    /// The same work in another engine, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// Figures another engine can be compared on.
    pub check: serde_json::Value,
}

impl Measurement {
    /// A measurement of `items` in `seconds` with `check` figures.
    pub fn new(workload: &str, items: usize, seconds: f64, check: serde_json::Value) -> Self {
        let items_per_s = if seconds > 0.0 { items as f64 / seconds } else { 0.0 };
        Measurement {
            workload: workload.to_owned(),
            items,
            seconds,
            items_per_s,
            bytes_per_item: None,
            baseline: None,
            check,
        }
    }
}

/// Runs `f` and returns its result with the wall-clock seconds it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = std::time::Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}
