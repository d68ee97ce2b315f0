//! Customer statements: GnuCash's AGE-01/AGE-02 reproduced through the ledger,
//! and opening + activity = closing on random streams.
//!
//! Scenario source: GnuCash, `gnucash/report/reports/standard/test/test-owner-report.scm`
//! at commit 3eef884100b2d18aa8ccce6f0b55a338d1047dfb (GPL-2.0-or-later), tests
//! "aging-table" and "balance-amounts"; only the numbers are restated here.
#![allow(clippy::unwrap_used)]

mod reports_support;

use ar_aging::Buckets;
use ar_aging::reports::{ActivityKind, ActivityStatement, History, OpenItemStatement, ReportError};
use ar_core::*;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use reports_support::{Book, Sim, day0, one_line_invoice, ops};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The ledger AGE-01 is driven through: GnuCash's own ids and numbers.
struct Gnucash(Book);

const CUSTOMER: CustomerId = CustomerId::from_u128(1);

impl Gnucash {
    fn run(&mut self, date: NaiveDate, action: Action) {
        self.0.run(date, action);
    }

    fn invoice(&mut self, n: u128, number: &str, posted: NaiveDate, due: NaiveDate, amount: Decimal) {
        let terms = PaymentTerms::net((due - posted).num_days() as u32);
        let action = one_line_invoice(InvoiceId::from_u128(n), number.into(), CUSTOMER, posted, amount, Some(terms));
        self.run(posted, action);
    }

    fn pay(&mut self, n: u128, invoice: u128, date: NaiveDate, amount: Decimal) {
        let amount = Money::new(amount, Currency::USD).unwrap();
        self.run(
            date,
            Action::ReceivePayment(ReceivePayment {
                payment: PaymentId::from_u128(n),
                customer: CUSTOMER,
                amount,
                received: date,
                method: PaymentMethod::Check { number: format!("{n}").into() },
                payer_reference: FreeText::new(&format!("CHK-{n}")),
                remittance: FreeText::default(),
                deposit: None,
            }),
        );
        self.run(
            date,
            Action::ApplyCash(ApplyCash {
                application: ApplicationId::from_u128(n),
                source: CashSource::Payment(PaymentId::from_u128(n)),
                amount: None,
                target: Target::Specific(vec![(InvoiceId::from_u128(invoice), amount)]),
                policy: ApplicationPolicy::new().no_discounts(),
            }),
        );
    }
}

/// AGE-01's documents, driven through the ledger.
fn gnucash_ledger() -> Ledger {
    let mut g = Gnucash(Book::new());
    g.run(
        d(1980, 1, 1),
        Action::RegisterCustomer(RegisterCustomer {
            customer: CUSTOMER,
            name: "Test Customer".into(),
            currency: Currency::USD,
            terms: PaymentTerms::net_30(),
            credit_limit: None,
            collector: None,
        }),
    );
    g.invoice(1, ">90", d(1980, 1, 13), d(1980, 3, 18), dec!(11.50));
    g.invoice(2, "60-90", d(1980, 2, 13), d(1980, 4, 18), dec!(7.50));
    g.invoice(3, "30-60", d(1980, 3, 13), d(1980, 5, 18), dec!(8.50));
    g.pay(11, 1, d(1980, 3, 18), dec!(1.50));
    g.pay(12, 1, d(1980, 3, 20), dec!(2.00));
    g.invoice(4, "<30", d(1980, 4, 13), d(1980, 6, 18), dec!(4.00));
    g.invoice(5, "$200", d(1980, 4, 18), d(1980, 4, 18), dec!(200.00));
    g.pay(13, 5, d(1980, 4, 19), dec!(200.00));
    g.invoice(6, "current", d(1980, 5, 13), d(1980, 7, 18), dec!(6.75));
    g.run(
        d(1980, 6, 22),
        Action::IssueCreditMemo(IssueCreditMemo {
            credit_memo: CreditMemoId::from_u128(7),
            number: "CN".into(),
            customer: CUSTOMER,
            document_date: d(1980, 6, 22),
            lines: vec![DocumentLine {
                description: "credit".into(),
                quantity: Decimal::ONE,
                unit_price: dec!(3.00),
                discount: None,
                taxes: vec![],
            }],
            against: None,
            reason: "credit note".into(),
            tax_rounding: TaxRounding::PerLine,
            rounding: Rounding::HalfUp,
        }),
    );
    g.0.ledger
}

#[test]
fn age_02_running_balance() {
    let ledger = gnucash_ledger();
    let history = History::new(ledger.journal()).unwrap();
    let statement = ActivityStatement::build(&history, CUSTOMER, d(1980, 1, 1), d(1980, 7, 1)).unwrap();
    let running: Vec<Decimal> = statement.lines.iter().map(|l| l.balance.amount()).collect();
    let expected = [
        dec!(11.50),
        dec!(19.00),
        dec!(27.50),
        dec!(26.00),
        dec!(24.00),
        dec!(28.00),
        dec!(228.00),
        dec!(28.00),
        dec!(34.75),
        dec!(31.75),
    ];
    assert_eq!(running, expected);
    let kinds: Vec<ActivityKind> = statement.lines.iter().map(|l| l.kind).collect();
    use ActivityKind::*;
    assert_eq!(kinds, [Invoice, Invoice, Invoice, Payment, Payment, Invoice, Invoice, Payment, Invoice, CreditMemo]);
    assert_eq!(statement.opening.amount(), dec!(0.00));
    assert_eq!(statement.closing.amount(), dec!(31.75));
    assert_eq!(statement.activity().unwrap().amount(), dec!(31.75));
}

/// The same data as an open-item statement on 1980-07-01 with GnuCash's buckets:
/// AGE-01's 6.75, 1.00, 8.50, 7.50, 8.00 and the total 31.75.
#[test]
fn age_01_open_item_statement() {
    let ledger = gnucash_ledger();
    let history = History::new(ledger.journal()).unwrap();
    let buckets = Buckets::labeled(&[(-1, "Current"), (29, "0-30"), (59, "31-60"), (89, "61-90")], "91+").unwrap();
    let statement = OpenItemStatement::build(&history, CUSTOMER, d(1980, 7, 1), &buckets).unwrap();
    let totals: Vec<(String, Decimal)> = statement.bucket_totals.iter().map(|(l, m)| (l.clone(), m.amount())).collect();
    let expected = [
        ("Current", dec!(6.75)),
        ("0-30", dec!(1.00)),
        ("31-60", dec!(8.50)),
        ("61-90", dec!(7.50)),
        ("91+", dec!(8.00)),
    ];
    assert_eq!(totals, expected.map(|(l, v)| (l.to_owned(), v)));
    assert_eq!(statement.balance.amount(), dec!(31.75));
    let days: Vec<(String, i64)> = statement.lines.iter().map(|l| (l.item.number.clone(), l.days_past_due)).collect();
    let expected_days = [(">90", 105), ("60-90", 74), ("30-60", 44), ("<30", 13), ("CN", 9), ("current", -17)];
    assert_eq!(days, expected_days.map(|(n, d)| (n.to_owned(), d)));
    // As of before the $200 payment, the statement shows it open and the balance is 228.00.
    let earlier = OpenItemStatement::build(&history, CUSTOMER, d(1980, 4, 18), &buckets).unwrap();
    assert_eq!(earlier.balance.amount(), dec!(228.00));
}

#[test]
fn a_period_that_ends_before_it_starts_is_refused() {
    let ledger = gnucash_ledger();
    let history = History::new(ledger.journal()).unwrap();
    let err = ActivityStatement::build(&history, CUSTOMER, d(1980, 7, 1), d(1980, 6, 1)).unwrap_err();
    assert!(matches!(err, ReportError::InvalidPeriod { .. }));
    let err = ActivityStatement::build(&history, CustomerId::from_u128(99), d(1980, 1, 1), d(1980, 6, 1)).unwrap_err();
    assert!(matches!(err, ReportError::UnknownCustomer(_)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// opening + Σ activity = closing for random periods of random streams
    /// (with back-dated payments), and consecutive periods chain.
    #[test]
    fn opening_plus_activity_is_closing(ops in ops(80), start in 0u64..40, len in 0u64..60, backdate in any::<bool>()) {
        let mut sim = Sim::new(backdate);
        sim.play(&ops);
        let history = History::new(sim.ledger.journal()).unwrap();
        let from = day0().checked_add_days(Days::new(start)).unwrap();
        let to = from.checked_add_days(Days::new(len)).unwrap();
        let next = to.checked_add_days(Days::new(1)).unwrap();
        let after = next.checked_add_days(Days::new(len)).unwrap();
        if let Ok(all) = ActivityStatement::build_all(&history, from, to) {
            prop_assert_eq!(all.len(), sim.customers.len());
            for statement in &all {
                prop_assert_eq!(statement, &ActivityStatement::build(&history, statement.customer, from, to).unwrap());
            }
        }
        let buckets = Buckets::standard();
        if let Ok(all) = OpenItemStatement::build_all(&history, to, &buckets) {
            for statement in &all {
                prop_assert_eq!(statement, &OpenItemStatement::build(&history, statement.customer, to, &buckets).unwrap());
                let lines: i64 = statement.lines.iter().map(|l| l.item.open.minor()).sum();
                let buckets_sum: i64 = statement.bucket_totals.iter().map(|(_, m)| m.minor()).sum();
                prop_assert_eq!(lines, statement.balance.minor());
                prop_assert_eq!(buckets_sum, statement.balance.minor());
            }
        }
        for customer in sim.customers.clone() {
            let first = ActivityStatement::build(&history, customer, from, to);
            let second = ActivityStatement::build(&history, customer, next, after);
            let (first, second) = match (first, second) {
                (Ok(a), Ok(b)) => (a, b),
                // Back-dated streams may contradict themselves on a day: named, never silent.
                (Err(ReportError::Overdrawn { .. }), _) | (_, Err(ReportError::Overdrawn { .. })) if backdate => continue,
                (a, b) => { prop_assert!(false, "{a:?} {b:?}"); unreachable!() }
            };
            prop_assert_eq!(first.opening.checked_add(first.activity().unwrap()).unwrap(), first.closing);
            prop_assert_eq!(first.closing, second.opening);
            let mut running = first.opening;
            for line in &first.lines {
                prop_assert!(line.date >= from && line.date <= to);
                prop_assert!(!line.amount.is_zero());
                running = running.checked_add(line.amount).unwrap();
                prop_assert_eq!(running, line.balance);
            }
            prop_assert!(first.lines.windows(2).all(|w| (w[0].date, w[0].sequence) <= (w[1].date, w[1].sequence)));
        }
    }
}

/// A short payment turned into a deduction moves no balance; resolving it does
/// (written off: down; rebilled: a debit memo up and the deduction down).
#[test]
fn deductions_on_the_statement() {
    use reports_support::Op;
    for (how, kinds, closing) in [
        (0u8, vec![ActivityKind::Invoice, ActivityKind::Payment, ActivityKind::DeductionWrittenOff], dec!(0.00)),
        (
            1,
            vec![
                ActivityKind::Invoice,
                ActivityKind::Payment,
                ActivityKind::DebitMemo,
                ActivityKind::DeductionRebilled,
            ],
            dec!(40.00),
        ),
        (2, vec![ActivityKind::Invoice, ActivityKind::Payment, ActivityKind::CreditMemo], dec!(0.00)),
    ] {
        let mut sim = Sim::new(false);
        sim.play(&[
            Op::Invoice { customer: 0, minor: 10_000, terms: 0 },
            Op::Advance(3),
            Op::Payment { customer: 0, minor: 6_000, method: 1, back: 0 },
            Op::Apply { payment: 0, mode: 2 },
            Op::Advance(3),
        ]);
        assert_eq!(sim.deductions.len(), 1);
        let history = History::new(sim.ledger.journal()).unwrap();
        let open = history.as_of(sim.day).unwrap().open_items();
        assert_eq!(open, sim.ledger.all_open_items());
        assert!(open.iter().any(|i| i.kind == OpenItemKind::Deduction && i.open.amount() == dec!(40.00)));
        sim.play(&[Op::ResolveDeduction { deduction: 0, how }]);
        let history = History::new(sim.ledger.journal()).unwrap();
        assert_eq!(history.as_of(sim.day).unwrap().open_items(), sim.ledger.all_open_items());
        let customer = CustomerId::from_u128(1);
        let statement = ActivityStatement::build(&history, customer, day0(), sim.day).unwrap();
        assert_eq!(statement.lines.iter().map(|l| l.kind).collect::<Vec<_>>(), kinds, "resolution {how}");
        assert_eq!(statement.closing.amount(), closing);
    }
}
