//! Criterion benchmarks of cash matching on generated data: 100 000 open items
//! over 10 000 customers and 10 000 bank lines with the realistic mix of
//! `generate_matching` (exact references, references in text, payers without a
//! reference, combinations, short and over payments, unidentified payers).
//!
//! Measured: the index build alone, the index plus the exact reference passes,
//! the whole run, and a run of one line against the built index. `arbench
//! match` measures the full size (1M items).
//!
//! Also one short-paid line whose remittance advice names 20,000 and then
//! 80,000 invoices of one customer (a large payer's advice): the time per
//! invoice named should stay flat as the advice grows.
//!
//! And one line from a customer with 5,000 and then 50,000 open items that no
//! item or combination explains, so it runs every customer pass: its cost
//! should grow at most linearly with the customer's items.

use std::hint::black_box;
use std::time::Duration;

use ar_benches::generate_matching::{MatchingSpec, generate};
use ar_core::{Currency, CustomerId, InvoiceId, Money};
use ar_reconcile::matching::{Customer, CustomerDirectory, MatchPolicy, Matcher, OpenInvoice, Pass};
use ar_reconcile::{BankLine, Remittance};
use chrono::NaiveDate;
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

const ACCOUNT: &str = "DE89370400440532013000";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 2).unwrap_or_default()
}

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR).unwrap_or_else(|e| panic!("{e}"))
}

/// A directory of one customer named `name` paying from [`ACCOUNT`], and its
/// `n` open invoices `INV-0000000`… of `open(i)` cents each.
fn one_customer(name: &str, n: usize, open: impl Fn(usize) -> i64) -> (CustomerDirectory, Vec<OpenInvoice>) {
    let customer = CustomerId::from_u128(1);
    let directory = [Customer::new(customer, name).account(ACCOUNT)].into_iter().collect();
    let items = (0..n)
        .map(|i| OpenInvoice::new(InvoiceId::from_u128(i as u128 + 1), customer, number(i), eur(open(i)), day(), day()))
        .collect();
    (directory, items)
}

fn number(i: usize) -> String {
    format!("INV-{i:07}")
}

/// A line of `minor` cents from [`ACCOUNT`].
fn line_from_account(minor: i64) -> BankLine {
    BankLine { counterparty_account: Some(ACCOUNT.into()), ..BankLine::new(day(), eur(minor)) }
}

/// One customer's `n` open invoices, and a line from its account whose
/// advice names all of them (without amounts) and pays 50.00 less.
fn large_remittance(n: usize) -> (CustomerDirectory, Vec<OpenInvoice>, BankLine) {
    let open = |i: usize| 10_000 + (i as i64 * 37) % 997;
    let (directory, items) = one_customer("Large Payer Inc", n, open);
    let remittances = (0..n).map(|i| Remittance::new(number(i))).collect();
    let line = BankLine { remittances, ..line_from_account((0..n).map(open).sum::<i64>() - 50_00) };
    (directory, items, line)
}

/// A directory, one customer's `n` open items and a line from it.
type OneLineCase = fn(usize) -> (CustomerDirectory, Vec<OpenInvoice>, BankLine);

/// One line matched, again and again, against the matcher built once over
/// each size's items: `name` with `{k}` replaced by the size in thousands,
/// throughput per item.
fn one_line_runs(c: &mut Criterion, policy: &MatchPolicy, sizes: [usize; 2], case: OneLineCase, name: &str) {
    let mut group = c.benchmark_group("matching");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for n in sizes {
        let (directory, items, line) = case(n);
        let matcher = match Matcher::new(policy.clone(), &directory, &items) {
            Ok(matcher) => matcher,
            Err(e) => panic!("the generated invoices must index: {e}"),
        };
        let line = std::slice::from_ref(&line);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(name.replace("{k}", &format!("{}k", n / 1_000)), |b| {
            b.iter(|| black_box(matcher.run(line)))
        });
    }
    group.finish();
}

fn large_remittances(c: &mut Criterion) {
    let name = "short_paid_remittance_of_{k}_invoices";
    one_line_runs(c, &MatchPolicy::new(), [20_000, 80_000], large_remittance, name);
}

/// One customer's `n` open invoices, whole euros, and a line from its
/// account of an amount in cents that none of them, alone or combined, makes.
fn large_customer(n: usize) -> (CustomerDirectory, Vec<OpenInvoice>, BankLine) {
    let (directory, items) = one_customer("Large Customer Ltd", n, |i| 10_000 + (i as i64 * 7_919) % 100_003 * 100);
    (directory, items, line_from_account(1_234_567))
}

fn large_customers(c: &mut Criterion) {
    // No write-off: a whole-euro combination short by the cents would do.
    let policy = MatchPolicy::new().write_off_tolerance(rust_decimal::Decimal::ZERO, rust_decimal::Decimal::ZERO);
    let name = "unexplained_line_of_a_customer_with_{k}_open_items";
    one_line_runs(c, &policy, [5_000, 50_000], large_customer, name);
}

criterion_group!(benches, matching, large_remittances, large_customers);
criterion_main!(benches);
