//! Criterion benchmarks of cash matching on generated data: 100 000 open items
//! over 10 000 customers and 10 000 bank lines with the realistic mix of
//! `generate_matching` (exact references, references in text, payers without a
//! reference, combinations, short and over payments, unidentified payers).
//!
//! Measured: the index build alone, the index plus the exact reference passes,
//! the whole run, and a run of one line against the built index. `arbench
//! match` measures the full size (1M items).

use std::hint::black_box;
use std::time::Duration;

use ar_benches::generate_matching::{MatchingSpec, generate};
use ar_reconcile::matching::{MatchPolicy, Matcher, Pass};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

fn matching(c: &mut Criterion) {
    let data = generate(MatchingSpec { items: 100_000, customers: 10_000, lines: 10_000, seed: 42 });
    let run = |policy: MatchPolicy| match Matcher::new(policy, &data.directory, &data.items) {
        Ok(matcher) => matcher.run(&data.lines),
        Err(e) => panic!("the generated open items must index: {e}"),
    };
    let mut group = c.benchmark_group("matching");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Elements(data.items.len() as u64));
    group.bench_function("index_100k_items", |b| {
        b.iter(|| black_box(Matcher::new(MatchPolicy::new(), &data.directory, &data.items).is_ok()))
    });
    group.throughput(Throughput::Elements(data.lines.len() as u64));
    group.bench_function("exact_passes_10k_lines", |b| {
        b.iter(|| black_box(run(MatchPolicy::new().last_pass(Pass::Text))))
    });
    group.bench_function("whole_run_10k_lines", |b| b.iter(|| black_box(run(MatchPolicy::new()))));
    // One line per run against the matcher built once: a payment matched as it arrives.
    let matcher = match Matcher::new(MatchPolicy::new(), &data.directory, &data.items) {
        Ok(matcher) => matcher,
        Err(e) => panic!("the generated open items must index: {e}"),
    };
    let first = &data.lines[..1];
    group.throughput(Throughput::Elements(1));
    group.bench_function("one_line_run_100k_items", |b| b.iter(|| black_box(matcher.run(first))));
    group.finish();
}

criterion_group!(benches, matching);
criterion_main!(benches);
