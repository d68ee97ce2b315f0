//! Criterion benchmarks of the ledger engine on a generated book of 10 000
//! customers: issuing 100 000 invoices, receiving and applying 100 000 payments
//! (200 000 commands), and replaying the whole journal.
//!
//! Ten samples of one iteration each (flat sampling) keep `cargo bench` to about
//! a minute: every iteration is a hundred thousand commands. `arbench ledger`
//! measures the full-size book.
//!
//! Also one customer with 100 000 open invoices: a credit check, as an order
//! desk makes for every order, a payment applied fees first, and the history
//! of one invoice once a single payment settled them all; the cost of none
//! should follow the invoice count.

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

/// One customer with 100 000 open invoices: a credit check, a one-cent
/// payment received and applied fees first, and one invoice's history after a
/// payment for all of them.
fn large_customer(c: &mut Criterion) {
    let data = match generate(&LedgerSpec::new(1, 100_000)) {
        Ok(data) => data,
        Err(e) => panic!("cannot generate the book: {e}"),
    };
    let mut ledger = built(built(Ledger::new(LedgerConfig::new()), data.customers), data.invoices);
    let (Some(first), Some(latest)) =
        (data.invoice_rows.first(), data.invoice_rows.iter().map(|r| r.document_date).max())
    else {
        panic!("the book has invoices");
    };
    let as_of = latest + chrono::Days::new(400);
    let money = |minor| ar_core::Money::from_minor(minor, first.currency).unwrap_or_else(|e| panic!("{e}"));
    let (order, none) = (money(10_000), ar_core::Money::zero(first.currency));
    let mut group = c.benchmark_group("ledger");
    group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    group.bench_function("credit_check_of_a_customer_with_100k_open_invoices", |b| {
        b.iter(|| ledger.credit_check(first.customer, order, as_of, none))
    });
    // Each iteration pays one cent more on the oldest open invoice: the book
    // stays at 100 000 open invoices however many iterations run.
    let mut next = 0u128;
    group.bench_function("one_cent_applied_fees_first_for_a_customer_with_100k_open_invoices", |b| {
        b.iter(|| {
            next += 1;
            let payment = ar_core::PaymentId::from_u128(next);
            let receive = ar_core::ReceivePayment {
                payment,
                customer: first.customer,
                amount: money(1),
                received: latest,
                method: ar_core::PaymentMethod::BankTransfer,
                payer_reference: ar_core::FreeText::default(),
                remittance: ar_core::FreeText::default(),
                deposit: None,
            };
            let apply = ar_core::ApplyCash {
                application: ar_core::ApplicationId::from_u128(next),
                source: ar_core::CashSource::Payment(payment),
                amount: None,
                target: ar_core::Target::FeesFirst,
                policy: ar_core::ApplicationPolicy::default(),
            };
            let commands = [ar_core::Action::ReceivePayment(receive), ar_core::Action::ApplyCash(apply)];
            for (k, action) in commands.into_iter().enumerate() {
                let id = ar_core::CommandId::from_u128((next << 1) | k as u128);
                let actor = ar_core::Actor::new("bench", "clerk");
                let command = ar_core::Command { id, effective_date: latest, actor, action };
                if let Err(e) = ledger.execute(command) {
                    panic!("a one-cent payment applies: {e}");
                }
            }
        })
    });
    // Then one payment settles every invoice still open: the history of one
    // of them should not cost what the payment's 100 000 lines do.
    let total: i64 = ledger.balance(first.customer).map_or(0, |b| b.open_invoices.minor());
    let everything = ar_core::PaymentId::from_u128(u128::MAX);
    let receive = ar_core::ReceivePayment {
        payment: everything,
        customer: first.customer,
        amount: money(total),
        received: latest,
        method: ar_core::PaymentMethod::Wire,
        payer_reference: ar_core::FreeText::default(),
        remittance: ar_core::FreeText::default(),
        deposit: None,
    };
    let apply = ar_core::ApplyCash {
        application: ar_core::ApplicationId::from_u128(u128::MAX),
        source: ar_core::CashSource::Payment(everything),
        amount: None,
        target: ar_core::Target::OldestDueFirst,
        policy: ar_core::ApplicationPolicy::default(),
    };
    for (k, action) in
        [ar_core::Action::ReceivePayment(receive), ar_core::Action::ApplyCash(apply)].into_iter().enumerate()
    {
        let id = ar_core::CommandId::from_u128(u128::MAX - k as u128);
        let command =
            ar_core::Command { id, effective_date: latest, actor: ar_core::Actor::new("bench", "clerk"), action };
        if let Err(e) = ledger.execute(command) {
            panic!("the payment for everything applies: {e}");
        }
    }
    let Some(last) = data.invoice_rows.last() else { panic!("the book has invoices") };
    group.bench_function("history_of_one_invoice_of_a_100k_invoice_payment", |b| {
        b.iter(|| ledger.invoice_history(last.invoice))
    });
    group.finish();
}

criterion_group!(benches, ledger, large_customer);
criterion_main!(benches);
