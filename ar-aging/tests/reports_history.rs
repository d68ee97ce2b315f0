//! The ledger as of a past date, folded from the journal, against the live ledger.
#![allow(clippy::unwrap_used)]

mod reports_support;

use std::collections::BTreeMap;

use ar_aging::reports::{History, ReportError, aging_parts};
use ar_aging::{AgingPolicy, Placement};
use ar_core::*;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use reports_support::{Op, Sim, day0, ops};
use rust_decimal_macros::dec;

fn open_sum_by_currency(items: &[OpenItem]) -> BTreeMap<String, i128> {
    let mut sums = BTreeMap::new();
    for item in items {
        *sums.entry(item.open.currency().code().to_owned()).or_insert(0i128) += i128::from(item.open.minor());
    }
    sums
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// History as of each day equals what the live ledger showed at the end of that day.
    #[test]
    fn as_of_each_day_equals_the_live_ledger_then(ops in ops(80)) {
        let mut sim = Sim::new(false);
        sim.play(&ops);
        let history = History::new(sim.ledger.journal()).unwrap();
        for snap in &sim.snapshots {
            let then = history.as_of(snap.date).unwrap();
            prop_assert_eq!(&then.open_items(), &snap.open_items, "open items as of {}", snap.date);
            for balance in &snap.balances {
                prop_assert_eq!(&then.balance(balance.customer).unwrap(), balance);
            }
        }
        let last = sim.snapshots.last().unwrap().date;
        prop_assert_eq!(history.as_of(last).unwrap().open_items(), sim.ledger.all_open_items());
    }

    /// With back-dated payments, history at the end still equals the live ledger,
    /// and no payment counts before its date.
    #[test]
    fn back_dated_streams_end_where_the_ledger_ends(ops in ops(80)) {
        let mut sim = Sim::new(true);
        sim.play(&ops);
        let journal = sim.ledger.journal();
        let history = History::new(journal).unwrap();
        let last = journal.iter().map(|e| e.effective_date).max().unwrap();
        prop_assert_eq!(history.as_of(last).unwrap().open_items(), sim.ledger.all_open_items());
        let mut day = day0();
        while day <= last {
            match history.as_of(day) {
                Ok(then) => {
                    for item in then.open_items() {
                        prop_assert!(item.document_date <= day || item.kind != OpenItemKind::UnappliedCash);
                        prop_assert!(item.open.minor() != 0);
                    }
                }
                // A back-dated stream may contradict itself on a day; that must be named.
                Err(ReportError::Overdrawn { as_of, .. }) => prop_assert_eq!(as_of, day),
                Err(other) => prop_assert!(false, "unexpected error {other}"),
            }
            day = day.checked_add_days(Days::new(1)).unwrap();
        }
    }

    /// Aging the history as of a date conserves the open balance per currency,
    /// and the parts of each item add back to it.
    #[test]
    fn aging_as_of_a_past_date_conserves_the_open_balance(ops in ops(60)) {
        let mut sim = Sim::new(false);
        sim.play(&ops);
        let history = History::new(sim.ledger.journal()).unwrap();
        for snap in &sim.snapshots {
            let then = history.as_of(snap.date).unwrap();
            let items = then.open_items();
            for item in &items {
                let parts = aging_parts(item);
                prop_assert_eq!(parts.iter().map(|p| p.undisputed_minor + p.disputed_minor).sum::<i64>(), item.open.minor());
                prop_assert_eq!(parts.iter().map(|p| p.disputed_minor).sum::<i64>(), item.disputed.minor());
            }
            let policy = AgingPolicy::new(snap.date).disputed(Placement::OwnColumn);
            let totals = then.aging_items().unwrap().totals(&policy);
            let mut aged = BTreeMap::new();
            for row in totals.rows() {
                aged.insert(row.currency().code().to_owned(), row.total_minor());
            }
            let expected = open_sum_by_currency(&items);
            for (currency, sum) in &expected {
                prop_assert_eq!(aged.get(currency).copied().unwrap_or(0), *sum, "currency {}", currency);
            }
            for (currency, sum) in &aged {
                prop_assert_eq!(expected.get(currency).copied().unwrap_or(0), *sum, "currency {}", currency);
            }
        }
    }
}

/// A payment received after the as-of date does not count; one on the date does.
#[test]
fn payments_after_the_date_do_not_count() {
    let mut sim = Sim::new(false);
    sim.play(&[
        Op::Invoice { customer: 0, minor: 10_000, terms: 0 },
        Op::Advance(5),
        Op::Payment { customer: 0, minor: 4_000, method: 0, back: 0 },
        Op::Apply { payment: 0, mode: 0 },
    ]);
    let acme = CustomerId::from_u128(1);
    let history = History::new(sim.ledger.journal()).unwrap();
    let before = history.as_of(day0().checked_add_days(Days::new(4)).unwrap()).unwrap();
    assert_eq!(before.balance(acme).unwrap().open_invoices.amount(), dec!(100.00));
    let on = history.as_of(day0().checked_add_days(Days::new(5)).unwrap()).unwrap();
    assert_eq!(on.balance(acme).unwrap().open_invoices.amount(), dec!(60.00));
    assert_eq!(on.open_items(), sim.ledger.all_open_items());
}

/// An application back-dated before its payment counts from the payment's date.
#[test]
fn an_event_counts_once_what_it_acts_on_exists() {
    let mut sim = Sim::new(false);
    sim.play(&[Op::Invoice { customer: 0, minor: 10_000, terms: 0 }, Op::Advance(10)]);
    let d = |n| day0().checked_add_days(Days::new(n)).unwrap();
    let acme = CustomerId::from_u128(1);
    let payment = PaymentId::from_u128(9001);
    sim.run(
        d(10),
        Action::ReceivePayment(ReceivePayment {
            payment,
            customer: acme,
            amount: Money::new(dec!(100.00), Currency::USD).unwrap(),
            received: d(10),
            method: PaymentMethod::Wire,
            payer_reference: FreeText::default(),
            remittance: FreeText::default(),
            deposit: None,
        }),
    );
    // The host back-dates the application to day 3.
    assert!(sim.run(
        d(3),
        Action::ApplyCash(ApplyCash {
            application: ApplicationId::from_u128(9002),
            source: CashSource::Payment(payment),
            amount: None,
            target: Target::OldestDueFirst,
            policy: ApplicationPolicy::new(),
        }),
    ));
    let history = History::new(sim.ledger.journal()).unwrap();
    let dates = history.counts_from();
    assert_eq!(dates[dates.len() - 1], d(10));
    assert_eq!(history.as_of(d(5)).unwrap().balance(acme).unwrap().open_invoices.amount(), dec!(100.00));
    assert!(history.as_of(d(10)).unwrap().open_items().is_empty());
}

#[test]
fn a_journal_out_of_sequence_is_refused() {
    let mut sim = Sim::new(false);
    sim.play(&[Op::Invoice { customer: 0, minor: 10_000, terms: 0 }]);
    let mut journal = sim.ledger.journal().to_vec();
    journal.swap(0, 1);
    assert!(matches!(History::new(&journal), Err(ReportError::OutOfSequence { position: 1, .. })));
    let tail = &sim.ledger.journal()[4..];
    assert!(matches!(History::new(tail), Err(ReportError::UnknownRecord { .. })));
    let _ = NaiveDate::MIN;
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// One remittance settling 20 to 90 invoices of a customer (either side
    /// of the 32 lines past which the fold finds an invoice's part through a
    /// map), some lines leaving the rest as a write-off or a deduction on the
    /// invoice its cash went to: as of its day the history equals the live
    /// ledger, and as of the day before every invoice is still open in full.
    #[test]
    fn a_remittance_of_many_invoices_folds_as_the_ledger_does(
        minors in proptest::collection::vec(100u32..50_000, 20..90),
        paid in proptest::collection::vec((1..=100i64, 0..3u8), 20..90),
    ) {
        let mut sim = Sim::new(false);
        let invoices: Vec<Op> = minors.iter().map(|m| Op::Invoice { customer: 0, minor: *m, terms: 0 }).collect();
        sim.play(&invoices);
        let before = sim.ledger.all_open_items();
        let day = sim.day.checked_add_days(Days::new(3)).unwrap();
        let acme = sim.customers[0];
        let mut lines = Vec::new();
        for (k, (percent, rest)) in paid.iter().enumerate() {
            let Some(invoice) = sim.invoices.get(k).copied() else { break };
            let open = sim.ledger.invoice(invoice).unwrap().open;
            let cash = open.minor() * percent / 100;
            if cash == 0 {
                continue;
            }
            let residual = match rest {
                0 => Residual::LeaveOpen,
                1 => Residual::WriteOff,
                _ => Residual::Deduction { id: DeductionId::from_u128(50_000 + k as u128), reason: DeductionReason::Freight },
            };
            lines.push(RemittanceLine::new(invoice, Money::from_minor(cash, open.currency()).unwrap()).residual(residual));
        }
        let total: i64 = lines.iter().map(|l| l.cash.minor()).sum();
        let payment = PaymentId::from_u128(40_000);
        let received = ReceivePayment {
            payment,
            customer: acme,
            amount: Money::from_minor(total, Currency::USD).unwrap(),
            received: day,
            method: PaymentMethod::Wire,
            payer_reference: FreeText::default(),
            remittance: FreeText::default(),
            deposit: None,
        };
        prop_assert!(sim.run(day, Action::ReceivePayment(received)));
        let apply = ApplyCash {
            application: ApplicationId::from_u128(40_001),
            source: CashSource::Payment(payment),
            amount: None,
            target: Target::Remittance(lines),
            policy: ApplicationPolicy::new(),
        };
        prop_assert!(sim.run(day, Action::ApplyCash(apply)));
        let history = History::new(sim.ledger.journal()).unwrap();
        let then = history.as_of(day).unwrap();
        prop_assert_eq!(then.open_items(), sim.ledger.all_open_items());
        prop_assert_eq!(then.balance(acme).unwrap(), sim.ledger.balance(acme).unwrap());
        let day_before = day.checked_sub_days(Days::new(1)).unwrap();
        prop_assert_eq!(history.as_of(day_before).unwrap().open_items(), before);
    }
}
