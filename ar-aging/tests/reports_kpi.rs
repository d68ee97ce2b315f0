//! KPIs: the published worked examples, the journal report, and the daily cash report.
//!
//! Sources (numbers restated):
//! * KPI-01: creditguru.com "Average Days Delinquent (ADD)"; yaypay.com (Quadient) blog
//!   "What is Average Days Delinquent".
//! * KPI-02: creditguru.com "Ratio - Collection Effectiveness Index (CEI)".
//! * Count-back DSO: Benji Pays, "Mastering DSO Calculation: The Count-Back Method Explained".
#![allow(clippy::unwrap_used)]

mod reports_support;

use std::collections::BTreeMap;

use ar_aging::reports::*;
use ar_core::*;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use reports_support::{Book, Sim, day0, ops};
use rust_decimal_macros::dec;

#[test]
fn kpi_01_creditguru_and_yaypay() {
    let dso_cg = dso(dec!(15000), dec!(10000), 30).unwrap();
    let best_cg = best_possible_dso(dec!(4000), dec!(10000), 30).unwrap();
    assert_eq!((dso_cg, best_cg, average_days_delinquent(dso_cg, best_cg)), (dec!(45), dec!(12), dec!(33)));
    let dso_yp = dso(dec!(25000), dec!(15000), 30).unwrap();
    let best_yp = best_possible_dso(dec!(6000), dec!(15000), 30).unwrap();
    assert_eq!((dso_yp, best_yp, average_days_delinquent(dso_yp, best_yp)), (dec!(50), dec!(12), dec!(38)));
}

#[test]
fn kpi_02_creditguru_cei() {
    let cei = collection_effectiveness_index(dec!(6200), dec!(10890), 3, dec!(6340), dec!(3590)).unwrap();
    assert_eq!(cei.round_dp(1), dec!(55.9));
    assert_eq!(cei, dec!(3490) * dec!(100) / dec!(6240));
    assert_eq!(collection_effectiveness_index(dec!(1), dec!(1), 0, dec!(1), dec!(1)), None);
}

#[test]
fn count_back_dso_benji_pays() {
    let periods = [(dec!(100000), 30), (dec!(80000), 30), (dec!(70000), 30)];
    let days = dso_count_back(dec!(212000), &periods).unwrap();
    assert_eq!(days.round_dp(1), dec!(73.7));
    assert_eq!(days, dec!(60) + dec!(32000) * dec!(30) / dec!(70000));
    // AR covered by the latest month alone, and AR beyond all the history given.
    assert_eq!(dso_count_back(dec!(50000), &periods), Some(dec!(15)));
    assert_eq!(dso_count_back(dec!(300000), &periods), None);
    // A month without sales counts all its days.
    assert_eq!(dso_count_back(dec!(100), &[(dec!(0), 30), (dec!(200), 31)]), Some(dec!(45.5)));
    assert_eq!(dso_count_back(dec!(100), &[(dec!(-1), 30)]), None);
}

#[test]
fn days_beyond_terms_and_percent_current() {
    assert_eq!(days_beyond_terms(&[(dec!(300), 10), (dec!(100), -5)]), Some(dec!(7.5)));
    assert_eq!(days_beyond_terms(&[]), None);
    assert_eq!(percent_current(dec!(4000), dec!(16000)), Some(dec!(25)));
    assert_eq!(percent_current(dec!(1), dec!(0)), None);
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

/// USD customers on net 30, each with its collector.
fn book(customers: &[(u128, Option<&str>)]) -> Book {
    let mut book = Book::new();
    for (id, collector) in customers {
        book.register(d(1, 1), *id, PaymentTerms::net_30(), *collector);
    }
    book
}

/// CreditGuru's KPI-01 figures reproduced from a journal: AR 15,000 at the end of a
/// 30-day period, 4,000 of it not yet due, 10,000 of credit sales in the period.
#[test]
fn kpi_01_from_a_journal() {
    let mut book = book(&[(1, Some("ana")), (2, Some("bo"))]);
    book.invoice(1, d(3, 1), dec!(5000.00), Some(PaymentTerms::net(10))); // before the period, overdue at its end
    book.invoice(1, d(4, 1), dec!(6000.00), Some(PaymentTerms::net(0))); // in the period, overdue at its end
    book.invoice(2, d(4, 20), dec!(4000.00), Some(PaymentTerms::net(60))); // in the period, not yet due at its end
    let history = History::new(book.ledger.journal()).unwrap();
    let report = KpiReport::build(&history, d(4, 1), d(4, 30), 1).unwrap();
    let usd = &report.company[0];
    assert_eq!((usd.ar_begin.amount(), usd.ar_end.amount()), (dec!(5000.00), dec!(15000.00)));
    assert_eq!((usd.credit_sales.amount(), usd.current_end.amount()), (dec!(10000.00), dec!(4000.00)));
    assert_eq!(usd.dso, Some(dec!(45)));
    assert_eq!(usd.best_possible_dso, Some(dec!(12)));
    assert_eq!(usd.average_days_delinquent, Some(dec!(33)));
    // Count-back: April's 10,000 of sales cover 10,000 of the AR (30 days), March's
    // 5,000 the remaining 5,000 (all of its 31 days): 61 days.
    assert_eq!(usd.dso_count_back, Some(dec!(61)));
    assert_eq!(usd.overdue_items, 2);
    // Nothing collected: (5,000 + 10,000 − 15,000) / (15,000 − 4,000) = 0 %.
    assert_eq!(usd.cei, Some(dec!(0)));
    let names: Vec<Option<&str>> = report.collectors.iter().map(|(n, _)| n.as_deref()).collect();
    assert_eq!(names, [Some("ana"), Some("bo")]);
    assert_eq!(report.collectors[0].1.overdue_items, 2);
    assert_eq!(report.collectors[1].1.current_end.amount(), dec!(4000.00));
}

/// Collections, CEI and days beyond terms from a journal.
#[test]
fn collector_performance_from_a_journal() {
    let mut book = book(&[(1, Some("ana")), (2, None)]);
    book.invoice(1, d(2, 1), dec!(1000.00), Some(PaymentTerms::net(30))); // due 3-3
    book.invoice(1, d(2, 10), dec!(3000.00), Some(PaymentTerms::net(30))); // due 3-12
    book.invoice(2, d(3, 5), dec!(500.00), Some(PaymentTerms::net(30)));
    // Oldest first: 1000 + 2000 of the second; then the rest, both paid by 3-13.
    book.pay(1, d(3, 12), dec!(3000.00), PaymentMethod::Wire, |_| Target::OldestDueFirst);
    book.pay(1, d(3, 13), dec!(1000.00), PaymentMethod::Cash, |_| Target::OldestDueFirst);
    let history = History::new(book.ledger.journal()).unwrap();
    let report = KpiReport::build(&history, d(3, 1), d(3, 31), 1).unwrap();
    let ana = &report.collectors.iter().find(|(n, _)| n.as_deref() == Some("ana")).unwrap().1;
    assert_eq!(ana.collected.amount(), dec!(4000.00));
    assert_eq!(ana.paid_invoices, 2);
    // INV 1 paid in full on 3-12 (9 days late), INV 2 on 3-13 (1 day late):
    // (1000 × 9 + 3000 × 1) / 4000 = 3.
    assert_eq!(ana.days_beyond_terms, Some(dec!(3)));
    // Begin 4,000, no sales in March for ana, end 0: CEI 100 %.
    assert_eq!(ana.cei, Some(dec!(100)));
    let company = &report.company[0];
    assert_eq!(company.credit_sales.amount(), dec!(500.00));
    assert_eq!(company.ar_end.amount(), dec!(500.00));
    assert_eq!(report.customers.len(), 2);

    let daily = DailyCashReport::build(&history, d(3, 12)).unwrap();
    assert_eq!(daily.cash.len(), 1);
    assert_eq!((daily.cash[0].method, daily.cash[0].count, daily.cash[0].amount.amount()), ("wire", 1, dec!(3000.00)));
    assert_eq!((daily.open[0].count, daily.open[0].amount.amount()), (2, dec!(1500.00)));
    assert!(daily.overdue.is_empty(), "INV 1 was paid on 3-12, INV 2 is due 3-12");
    let billed = DailyCashReport::build(&history, d(3, 5)).unwrap();
    assert_eq!((billed.billed[0].count, billed.billed[0].amount.amount()), (1, dec!(500.00)));
    assert_eq!((billed.overdue[0].count, billed.overdue[0].amount.amount()), (1, dec!(1000.00)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Company and collector rows are the exact sums of their customers; the end
    /// balance is the live ledger's; the daily report's open sums are the history's.
    #[test]
    fn kpi_rows_sum_their_parts(ops in ops(70), start in 0u64..30, len in 0u64..40) {
        let mut sim = Sim::new(false);
        sim.play(&ops);
        let history = History::new(sim.ledger.journal()).unwrap();
        let from = day0().checked_add_days(Days::new(start)).unwrap();
        let to = from.checked_add_days(Days::new(len)).unwrap();
        let report = KpiReport::build(&history, from, to, 1).unwrap();
        let mut by_currency: BTreeMap<Currency, [i64; 5]> = BTreeMap::new();
        for (customer, f) in &report.customers {
            let s = by_currency.entry(f.currency).or_default();
            for (k, m) in [f.ar_begin, f.ar_end, f.current_end, f.credit_sales, f.collected].iter().enumerate() {
                s[k] += m.minor();
            }
            let balance = history.as_of(to).unwrap().balance(*customer).unwrap().balance;
            prop_assert_eq!(f.ar_end, balance);
        }
        for f in &report.company {
            let s = by_currency[&f.currency];
            prop_assert_eq!([f.ar_begin.minor(), f.ar_end.minor(), f.current_end.minor(), f.credit_sales.minor(), f.collected.minor()], s);
            let collectors: i64 = report.collectors.iter().filter(|(_, c)| c.currency == f.currency).map(|(_, c)| c.ar_end.minor()).sum();
            prop_assert_eq!(collectors, f.ar_end.minor());
            if let (Some(dso), Some(best), Some(add)) = (f.dso, f.best_possible_dso, f.average_days_delinquent) {
                prop_assert_eq!(dso - best, add);
            }
        }
        let daily = DailyCashReport::build(&history, to).unwrap();
        let open = history.as_of(to).unwrap().open_items();
        for row in &daily.open {
            let expected: i64 = open.iter()
                .filter(|i| matches!(i.kind, OpenItemKind::Invoice | OpenItemKind::DebitMemo) && i.open.currency() == row.currency)
                .map(|i| i.open.minor()).sum();
            prop_assert_eq!(row.amount.minor(), expected);
        }
    }
}
