//! Criterion benchmarks of the ledger engine on a generated book of 10 000
//! customers: issuing 100 000 invoices, receiving and applying 100 000 payments
//! (200 000 commands), and replaying the whole journal.
//!
//! Ten samples of one iteration each (flat sampling) keep `cargo bench` to about
//! a minute: every iteration is a hundred thousand commands. `arbench ledger`
//! measures the full-size book.
//!
//! Also a credit check of one customer with 100 000 open invoices, as an order
//! desk makes for every order: its cost should not follow the invoice count.

use std::time::Duration;

use ar_benches::generate_ledger::{LedgerSpec, generate};
use ar_benches::workloads::ledger::execute_all;
use ar_core::{Ledger, LedgerConfig};
use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

fn built(mut ledger: Ledger, commands: Vec<ar_core::Command>) -> Ledger {
    if let Err(e) = execute_all(&mut ledger, commands) {
        panic!("the generated commands must all execute: {e}");
    }
    ledger
}

fn ledger(c: &mut Criterion) {
    let data = match generate(&LedgerSpec::new(10_000, 100_000)) {
        Ok(data) => data,
        Err(e) => panic!("cannot generate the book: {e}"),
    };
    let registered = built(Ledger::new(LedgerConfig::new()), data.customers.clone());
    let issued = built(registered.clone(), data.invoices.clone());
    let paid = built(issued.clone(), data.payments.clone());

    let mut group = c.benchmark_group("ledger");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements(data.invoices.len() as u64));
    group.bench_function("issue_100k_invoices", |b| {
        b.iter_batched(
            || (registered.clone(), data.invoices.clone()),
            |(ledger, commands)| built(ledger, commands),
            BatchSize::PerIteration,
        )
    });
    group.throughput(Throughput::Elements(data.payments.len() as u64));
    group.bench_function("receive_and_apply_100k_payments", |b| {
        b.iter_batched(
            || (issued.clone(), data.payments.clone()),
            |(ledger, commands)| built(ledger, commands),
            BatchSize::PerIteration,
        )
    });
    group.throughput(Throughput::Elements(paid.journal().len() as u64));
    group.bench_function("replay_journal", |b| {
        b.iter_with_large_drop(|| match Ledger::replay(LedgerConfig::new(), paid.journal()) {
            Ok(ledger) => ledger,
            Err(e) => panic!("the journal must replay: {e}"),
        })
    });
    group.finish();
}

fn credit_check(c: &mut Criterion) {
    let data = match generate(&LedgerSpec::new(1, 100_000)) {
        Ok(data) => data,
        Err(e) => panic!("cannot generate the book: {e}"),
    };
    let ledger = built(built(Ledger::new(LedgerConfig::new()), data.customers), data.invoices);
    let (Some(first), Some(latest)) =
        (data.invoice_rows.first(), data.invoice_rows.iter().map(|r| r.document_date).max())
    else {
        panic!("the book has invoices");
    };
    let as_of = latest + chrono::Days::new(400);
    let order = ar_core::Money::from_minor(10_000, first.currency).unwrap_or_else(|e| panic!("{e}"));
    let none = ar_core::Money::zero(first.currency);
    let mut group = c.benchmark_group("ledger");
    group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    group.bench_function("credit_check_of_a_customer_with_100k_open_invoices", |b| {
        b.iter(|| ledger.credit_check(first.customer, order, as_of, none))
    });
    group.finish();
}

criterion_group!(benches, ledger, credit_check);
criterion_main!(benches);
