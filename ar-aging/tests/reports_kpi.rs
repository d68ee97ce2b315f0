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
use reports_support::{Sim, day0, ops};
use rust_decimal::Decimal;
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

struct Book {
    ledger: Ledger,
    next: u128,
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

impl Book {
    fn new(customers: &[(u128, Option<&str>)]) -> Book {
        let mut book = Book { ledger: Ledger::new(LedgerConfig::new()), next: 0 };
        for (id, collector) in customers {
            book.run(
                d(1, 1),
                Action::RegisterCustomer(RegisterCustomer {
                    customer: CustomerId::from_u128(*id),
                    name: format!("C{id}"),
                    currency: Currency::USD,
                    terms: PaymentTerms::net_30(),
                    credit_limit: None,
                    collector: collector.map(str::to_owned),
                }),
            );
        }
        book
    }

    fn run(&mut self, date: NaiveDate, action: Action) {
        self.next += 1;
        let command = Command {
            id: CommandId::from_u128(self.next),
            effective_date: date,
            actor: Actor::new("t", "clerk"),
            action,
        };
        self.ledger.execute(command).unwrap();
    }

    fn invoice(&mut self, customer: u128, date: NaiveDate, net: u32, amount: Decimal) -> InvoiceId {
        let invoice = InvoiceId::from_u128(1000 + self.next);
        self.run(
            date,
            Action::IssueInvoice(IssueInvoice {
                invoice,
                number: format!("INV-{}", self.next),
                customer: CustomerId::from_u128(customer),
                kind: InvoiceKind::Invoice,
                document_date: date,
                lines: vec![DocumentLine {
                    description: "x".into(),
                    quantity: Decimal::ONE,
                    unit_price: amount,
                    discount: None,
                    taxes: vec![],
                }],
                discount: None,
                terms: Some(PaymentTerms::net(net)),
                tax_rounding: TaxRounding::PerLine,
                rounding: Rounding::HalfUp,
            }),
        );
        invoice
    }

    fn pay(&mut self, customer: u128, date: NaiveDate, amount: Decimal, method: PaymentMethod) {
        let payment = PaymentId::from_u128(5000 + self.next);
        self.run(
            date,
            Action::ReceivePayment(ReceivePayment {
                payment,
                customer: CustomerId::from_u128(customer),
                amount: Money::new(amount, Currency::USD).unwrap(),
                received: date,
                method,
                payer_reference: FreeText::default(),
                remittance: FreeText::default(),
                deposit: None,
            }),
        );
        self.run(
            date,
            Action::ApplyCash(ApplyCash {
                application: ApplicationId::from_u128(7000 + self.next),
                source: CashSource::Payment(payment),
                amount: None,
                target: Target::OldestDueFirst,
                policy: ApplicationPolicy::new(),
            }),
        );
    }
}

/// CreditGuru's KPI-01 figures reproduced from a journal: AR 15,000 at the end of a
/// 30-day period, 4,000 of it not yet due, 10,000 of credit sales in the period.
#[test]
fn kpi_01_from_a_journal() {
    let mut book = Book::new(&[(1, Some("ana")), (2, Some("bo"))]);
    book.invoice(1, d(3, 1), 10, dec!(5000.00)); // before the period, overdue at its end
    book.invoice(1, d(4, 1), 0, dec!(6000.00)); // in the period, overdue at its end
    book.invoice(2, d(4, 20), 60, dec!(4000.00)); // in the period, not yet due at its end
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
    let mut book = Book::new(&[(1, Some("ana")), (2, None)]);
    book.invoice(1, d(2, 1), 30, dec!(1000.00)); // due 3-3
    book.invoice(1, d(2, 10), 30, dec!(3000.00)); // due 3-12
    book.invoice(2, d(3, 5), 30, dec!(500.00));
    book.pay(1, d(3, 12), dec!(3000.00), PaymentMethod::Wire); // oldest first: 1000 + 2000 of the second
    book.pay(1, d(3, 13), dec!(1000.00), PaymentMethod::Cash); // the rest: both paid by 3-13
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
