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

/// What one thread spent on a step, from Linux's per-thread counters
/// (`/proc/thread-self/stat` and `schedstat`): the processor time in user and
/// kernel mode apart, and the page faults. On a virtual machine a first touch
/// of memory can cost the kernel several microseconds, varying from run to run;
/// this keeps the engine's own work apart from that.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CpuUse {
    /// Processor time of the thread in both modes, to the nanosecond.
    pub cpu_seconds: f64,
    /// Processor time in user mode (the engine's own instructions), in clock
    /// ticks of 10 ms.
    pub user_seconds: f64,
    /// Processor time in kernel mode (chiefly page faults), in clock ticks of 10 ms.
    pub system_seconds: f64,
    /// Minor page faults: first touches of memory.
    pub minor_faults: u64,
}

/// Linux's clock ticks per second for `/proc` times (`USER_HZ`): 100 on every
/// architecture Linux supports from user space.
const TICKS_PER_SECOND: f64 = 100.0;

impl CpuUse {
    /// This thread's counters now, where Linux tells them.
    pub fn now() -> Option<CpuUse> {
        let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        let nanos: u64 = schedstat.split_whitespace().next()?.parse().ok()?;
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        CpuUse::parse_stat(&stat).map(|c| CpuUse { cpu_seconds: nanos as f64 / 1e9, ..c })
    }

    /// The times and faults of a `stat` line. The command name in parentheses
    /// may hold spaces, so fields are counted after its closing parenthesis:
    /// `minflt` is the 10th field, `utime` the 14th and `stime` the 15th.
    fn parse_stat(stat: &str) -> Option<CpuUse> {
        let after = stat.rsplit_once(')')?.1;
        let fields: Vec<&str> = after.split_whitespace().collect();
        let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok());
        Some(CpuUse {
            cpu_seconds: 0.0,
            user_seconds: field(14)? as f64 / TICKS_PER_SECOND,
            system_seconds: field(15)? as f64 / TICKS_PER_SECOND,
            minor_faults: field(10)?,
        })
    }

    /// What was spent from `earlier` to `self`.
    pub fn since(self, earlier: CpuUse) -> CpuUse {
        CpuUse {
            cpu_seconds: self.cpu_seconds - earlier.cpu_seconds,
            user_seconds: whole_ticks(self.user_seconds - earlier.user_seconds),
            system_seconds: whole_ticks(self.system_seconds - earlier.system_seconds),
            minor_faults: self.minor_faults.saturating_sub(earlier.minor_faults),
        }
    }
}

/// `seconds` to the nearest clock tick, so that a difference of tick counts
/// prints as `0.01`, not `0.010000000000000009`.
fn whole_ticks(seconds: f64) -> f64 {
    (seconds * TICKS_PER_SECOND).round() / TICKS_PER_SECOND
}

/// Adds a step's processor time and page faults, where measured, to its `check` object.
pub fn add_cpu(cpu: Option<CpuUse>, check: &mut serde_json::Value) {
    if let (Some(map), Some(Ok(serde_json::Value::Object(mine)))) =
        (check.as_object_mut(), cpu.map(serde_json::to_value))
    {
        map.extend(mine);
    }
}

/// Runs `f`; returns its result, the wall-clock seconds it took and what this
/// thread spent on it (`None` where Linux's counters are not there).
pub fn timed_cpu<T>(f: impl FnOnce() -> T) -> (T, f64, Option<CpuUse>) {
    let before = CpuUse::now();
    let (out, seconds) = timed(f);
    (out, seconds, before.zip(CpuUse::now()).map(|(a, b)| b.since(a)))
}

/// Runs `f` and returns its result with the wall-clock seconds it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = std::time::Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_its_times_and_faults_even_with_spaces_in_the_name() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
        let line = "4242 (ar bench (x)) R 1 2 3 4 5 6 777 8 9 10 123 45 0 0 20 0 1 0";
        let got = CpuUse::parse_stat(line).expect("a whole line");
        assert_eq!(got, CpuUse { cpu_seconds: 0.0, user_seconds: 1.23, system_seconds: 0.45, minor_faults: 777 });
        assert_eq!(CpuUse::parse_stat("4242 (cut) R 1 2"), None);
    }

    #[test]
    fn counters_read_now_only_grow() {
        let Some(before) = CpuUse::now() else { return };
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        let spent = CpuUse::now().expect("read once, read again").since(before);
        assert!(spent.cpu_seconds > 0.0, "{spent:?}");
        assert!(spent.user_seconds >= 0.0 && spent.system_seconds >= 0.0, "{spent:?}");
    }
}
