//! Criterion benchmark: aging totals and per customer × bucket at 1M and 10M
//! items (100k customers), and the same aging in SQLite at 1M items (at 10M,
//! SQLite takes seconds per query; `arbench aging` measures it once).
//!
//! The SQL results are checked equal to the engine's before timing.

use std::time::Duration;

use ar_aging::AgingPolicy;
use ar_benches::generate_open_items::{OpenItemsSpec, generate};
use ar_benches::workloads::aging::{engine_by_customer, engine_totals, sqlite_by_customer, sqlite_load, sqlite_totals};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn aging(c: &mut Criterion) {
    for (items, label, with_sqlite) in [(1_000_000, "1M", true), (10_000_000, "10M", false)] {
        let spec = OpenItemsSpec::new(items, 100_000, 42);
        let data = generate(spec);
        let Ok(set) = data.build() else {
            panic!("the generated rows are valid");
        };
        let policy = AgingPolicy::new(spec.as_of);
        let mut group = c.benchmark_group(format!("aging/{label}"));
        group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
        group.throughput(Throughput::Elements(items as u64));
        group.bench_function("global_buckets", |b| b.iter(|| set.totals(&policy)));
        group.bench_function("customer_buckets", |b| b.iter(|| set.by_customer(&policy)));
        if with_sqlite {
            let conn = sqlite_load(&data).unwrap_or_else(|e| panic!("{e}"));
            let sql = sqlite_totals(&conn, &policy).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(sql, engine_totals(&set.totals(&policy)), "SQLite totals differ from the engine's");
            let sql = sqlite_by_customer(&conn, &policy, &data.customers).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(sql, engine_by_customer(&set.by_customer(&policy)), "SQLite per-customer aging differs");
            group.bench_function("sqlite_global_buckets", |b| b.iter(|| sqlite_totals(&conn, &policy)));
            group.bench_function("sqlite_customer_buckets", |b| {
                b.iter(|| sqlite_by_customer(&conn, &policy, &data.customers))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, aging);
criterion_main!(benches);
