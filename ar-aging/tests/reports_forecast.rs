//! Collection forecast from payment history, and its backtest.
#![allow(clippy::unwrap_used)]

mod reports_support;

use std::collections::BTreeMap;

use ar_aging::reports::*;
use ar_core::*;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use reports_support::{Book, Sim, day0, ops};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

/// Two USD customers on net 10.
fn book() -> Book {
    let mut book = Book::new();
    for id in [1u128, 2] {
        book.register(d(1, 1), id, PaymentTerms::net(10), None);
    }
    book
}

/// Applies a payment whole to `invoice`.
fn all_to(invoice: InvoiceId) -> impl FnOnce(Money) -> Target {
    move |paid| Target::Specific(vec![(invoice, paid)])
}

fn book_with_history() -> (Book, InvoiceId, InvoiceId) {
    let mut book = book();
    let a = book.invoice(1, d(1, 1), dec!(100.00), None); // due 1-11
    let b = book.invoice(1, d(1, 5), dec!(300.00), None); // due 1-15
    let c = book.invoice(2, d(1, 5), dec!(200.00), None); // due 1-15
    book.pay(1, d(1, 15), dec!(100.00), PaymentMethod::Wire, all_to(a));
    book.pay(1, d(1, 27), dec!(300.00), PaymentMethod::Wire, all_to(b));
    book.pay(2, d(1, 15), dec!(200.00), PaymentMethod::Wire, all_to(c));
    let open1 = book.invoice(1, d(2, 1), dec!(500.00), None); // due 2-11
    let open2 = book.invoice(2, d(2, 1), dec!(250.00), None); // due 2-11
    (book, open1, open2)
}

#[test]
fn expected_dates_come_from_the_customers_own_history() {
    let (book, open1, open2) = book_with_history();
    let history = History::new(book.ledger.journal()).unwrap();
    let options = ForecastOptions::new().min_paid_invoices(2).period(Period::Weekly);
    let forecast = CollectionForecast::build(&history, d(2, 2), &options).unwrap();
    let expected: Vec<(DocumentRef, i64, bool, NaiveDate)> =
        forecast.items.iter().map(|i| (i.document, i.days_late, i.own_history, i.expected)).collect();
    assert_eq!(
        expected,
        [(DocumentRef::Invoice(open1), 10, true, d(2, 21)), (DocumentRef::Invoice(open2), 7, false, d(2, 18))]
    );
    // 2-18 (Wed) and 2-21 (Sat) are in the week of Monday 2-16.
    assert_eq!(forecast.buckets.len(), 1);
    assert_eq!((forecast.buckets[0].start, forecast.buckets[0].end), (d(2, 16), d(2, 22)));
    assert_eq!(forecast.buckets[0].amount.amount(), dec!(750.00));

    // Later than the expected date, the item is expected on the forecast's date.
    let late = CollectionForecast::build(&history, d(3, 1), &options).unwrap();
    assert!(late.items.iter().all(|i| i.expected == d(3, 1)));
    // A look-back window that misses the payments falls back to 0 days late.
    let short = CollectionForecast::build(&history, d(2, 2), &options.lookback_days(3)).unwrap();
    assert!(short.items.iter().all(|i| i.days_late == 0 && i.expected == d(2, 11)));
}

#[test]
fn backtest_compares_with_what_happened() {
    let (mut book, open1, open2) = book_with_history();
    book.pay(1, d(2, 21), dec!(500.00), PaymentMethod::Wire, all_to(open1)); // as forecast
    book.pay(2, d(3, 4), dec!(250.00), PaymentMethod::Wire, all_to(open2)); // two weeks later than forecast
    let history = History::new(book.ledger.journal()).unwrap();
    let options = ForecastOptions::new().min_paid_invoices(2);
    let test = Backtest::run(&history, d(2, 2), &options).unwrap();
    let rows: Vec<(NaiveDate, Decimal, Decimal, Decimal)> = test
        .buckets
        .iter()
        .map(|b| (b.start, b.forecast.amount(), b.actual.amount(), b.absolute_error.amount()))
        .collect();
    assert_eq!(
        rows,
        [(d(2, 16), dec!(750.00), dec!(500.00), dec!(250.00)), (d(3, 2), dec!(0.00), dec!(250.00), dec!(250.00))]
    );
    // Σ|F − A| / Σ|A| = 500 / 750.
    assert_eq!(test.weighted_mape, vec![(Currency::USD, Some(dec!(500) / dec!(750)))]);
    assert_eq!(Backtest::run(&history, d(2, 2), &options).unwrap(), test, "deterministic");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Buckets sum exactly to the items, the items to the undisputed open
    /// invoices; expected dates are never before the forecast date; a backtest's
    /// errors are |forecast − actual| and its forecast side is the forecast's.
    #[test]
    fn forecasts_conserve_the_open_amounts(ops in ops(80), cut in 0u64..40, monthly in any::<bool>(), min in 0u32..4) {
        let mut sim = Sim::new(false);
        sim.play(&ops);
        let history = History::new(sim.ledger.journal()).unwrap();
        let cutoff = day0().checked_add_days(Days::new(cut)).unwrap();
        let period = if monthly { Period::Monthly } else { Period::Weekly };
        let options = ForecastOptions::new().period(period).min_paid_invoices(min).lookback_days(30);
        let forecast = CollectionForecast::build(&history, cutoff, &options).unwrap();
        let mut items: BTreeMap<Currency, i64> = BTreeMap::new();
        for item in &forecast.items {
            prop_assert!(item.expected >= cutoff);
            prop_assert!(item.amount.is_positive());
            *items.entry(item.amount.currency()).or_default() += item.amount.minor();
        }
        let mut buckets: BTreeMap<Currency, i64> = BTreeMap::new();
        for b in &forecast.buckets {
            prop_assert!(b.start <= b.end);
            *buckets.entry(b.currency).or_default() += b.amount.minor();
        }
        prop_assert_eq!(&items, &buckets);
        let mut open: BTreeMap<Currency, i64> = BTreeMap::new();
        for item in history.as_of(cutoff).unwrap().open_items() {
            if matches!(item.kind, OpenItemKind::Invoice | OpenItemKind::DebitMemo) {
                *open.entry(item.open.currency()).or_default() += item.open.minor() - item.disputed.minor();
            }
        }
        open.retain(|_, v| *v != 0);
        prop_assert_eq!(&items, &open);

        let test = Backtest::run(&history, cutoff, &options).unwrap();
        prop_assert_eq!(&test.forecast, &forecast);
        let mut forecast_side: BTreeMap<Currency, i64> = BTreeMap::new();
        for b in &test.buckets {
            prop_assert_eq!(b.absolute_error.minor(), (b.forecast.minor() - b.actual.minor()).abs());
            *forecast_side.entry(b.currency).or_default() += b.forecast.minor();
        }
        forecast_side.retain(|_, v| *v != 0);
        prop_assert_eq!(&forecast_side, &buckets);
    }
}
