//! The AR subledger against the GL control balance, with the subledger taken
//! from a real `ar-core` ledger: today from `Ledger::all_open_items`, on a past
//! date from `ar_aging`'s `History`. The figure must be the customers' balances
//! added up (open invoices + open deductions − unapplied cash − unapplied
//! credit), whatever happened after the date.
#![allow(clippy::unwrap_used)]

use ar_aging::reports::History;
use ar_core::*;
use ar_reconcile::tieout::{Explanation, ReconcilingItem, Subledger, TieOutError, TieOutLimits, tie_out_subledger};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD).unwrap()
}

fn line(minor: i64) -> DocumentLine {
    DocumentLine {
        description: "Goods".into(),
        quantity: Decimal::ONE,
        unit_price: Decimal::new(minor, 2),
        discount: None,
        taxes: vec![],
    }
}

fn register(customer: CustomerId, currency: Currency) -> Action {
    Action::RegisterCustomer(RegisterCustomer {
        customer,
        name: format!("Customer {customer}"),
        currency,
        terms: PaymentTerms::net(30),
        credit_limit: None,
        collector: None,
    })
}

fn invoice(id: u128, customer: CustomerId, d: u32, minor: i64) -> Action {
    Action::IssueInvoice(IssueInvoice {
        invoice: InvoiceId::from_u128(id),
        number: format!("INV-{id}"),
        customer,
        kind: InvoiceKind::Invoice,
        document_date: day(d),
        lines: vec![line(minor)],
        discount: None,
        terms: None,
        tax_rounding: TaxRounding::PerLine,
        rounding: Rounding::HalfUp,
    })
}

fn receive(id: u128, customer: CustomerId, d: u32, amount: Money) -> Action {
    Action::ReceivePayment(ReceivePayment {
        payment: PaymentId::from_u128(id),
        customer,
        amount,
        received: day(d),
        method: PaymentMethod::Wire,
        payer_reference: FreeText::default(),
        remittance: FreeText::default(),
        deposit: None,
    })
}

fn apply(id: u128, source: CashSource, target: Target, policy: ApplicationPolicy) -> Action {
    Action::ApplyCash(ApplyCash { application: ApplicationId::from_u128(id), source, amount: None, target, policy })
}

fn credit_memo(id: u128, customer: CustomerId, d: u32, minor: i64, against: Option<InvoiceId>) -> Action {
    Action::IssueCreditMemo(IssueCreditMemo {
        credit_memo: CreditMemoId::from_u128(id),
        number: format!("CM-{id}"),
        customer,
        document_date: day(d),
        lines: vec![line(minor)],
        against,
        reason: "returned goods".into(),
        tax_rounding: TaxRounding::PerLine,
        rounding: Rounding::HalfUp,
    })
}

struct Book {
    ledger: Ledger,
    next_command: u128,
}

impl Book {
    fn new() -> Self {
        Book { ledger: Ledger::new(LedgerConfig::new()), next_command: 1 }
    }

    fn run(&mut self, d: u32, action: Action) -> Result<(), LedgerError> {
        let id = CommandId::from_u128(self.next_command);
        self.next_command += 1;
        let command = Command { id, effective_date: day(d), actor: Actor::new("tester", "supervisor"), action };
        self.ledger.execute(command).map(|_| ())
    }
}

/// INV-1 100.00 on day 2; 40.00 received and applied on day 20; 15.00 received
/// and left unapplied on day 22; a 10.00 credit memo on account on day 25; 20.00
/// of INV-1 disputed on day 26. Today: 60.00 − 15.00 − 10.00 = 35.00.
fn small_book() -> Book {
    let acme = CustomerId::from_u128(1);
    let mut book = Book::new();
    book.run(1, register(acme, Currency::USD)).unwrap();
    book.run(2, invoice(10, acme, 2, 10_000)).unwrap();
    book.run(20, receive(20, acme, 20, usd(4_000))).unwrap();
    let source = CashSource::Payment(PaymentId::from_u128(20));
    book.run(20, apply(30, source, Target::OldestDueFirst, ApplicationPolicy::new())).unwrap();
    book.run(22, receive(21, acme, 22, usd(1_500))).unwrap();
    book.run(25, credit_memo(40, acme, 25, 1_000, None)).unwrap();
    let dispute = Action::OpenDispute {
        dispute: DisputeId::from_u128(50),
        invoice: InvoiceId::from_u128(10),
        amount: usd(2_000),
        reason: "quality".into(),
    };
    book.run(26, dispute).unwrap();
    book
}

#[test]
fn a_past_date_ties_to_the_balance_of_that_date() {
    let book = small_book();
    let history = History::new(book.ledger.journal()).unwrap();
    // Day 10: only INV-1, open in full; the day-20 payment must not reduce it.
    let items = history.as_of(day(10)).unwrap().open_items();
    let r = tie_out_subledger(Subledger::OpenItems(&items), usd(10_000), &[], TieOutLimits::new()).unwrap();
    assert_eq!(r.subledger, usd(10_000));
    assert_eq!(r.explanation, Explanation::Tied);
    // Day 23: 60.00 open on INV-1, 15.00 unapplied cash.
    let items = history.as_of(day(23)).unwrap().open_items();
    let r = tie_out_subledger(Subledger::OpenItems(&items), usd(4_500), &[], TieOutLimits::new()).unwrap();
    assert_eq!(r.explanation, Explanation::Tied, "{r}");
}

#[test]
fn today_counts_cash_credit_and_disputed_parts_with_their_signs() {
    let book = small_book();
    let items = book.ledger.all_open_items();
    let r = tie_out_subledger(Subledger::OpenItems(&items), usd(3_500), &[], TieOutLimits::new()).unwrap();
    assert_eq!(r.subledger, usd(3_500));
    assert_eq!(r.explanation, Explanation::Tied, "{r}");
    let balance = book.ledger.balance(CustomerId::from_u128(1)).unwrap();
    assert_eq!(r.subledger, balance.balance);
    assert_eq!(balance.disputed, usd(2_000));
}

#[test]
fn a_gl_figure_off_by_a_reconciling_item_is_explained_by_it() {
    let book = small_book();
    let items = book.ledger.all_open_items();
    let item = |key: &str, minor| ReconcilingItem {
        key: key.into(),
        description: format!("{key} posted to the GL only"),
        effect: usd(minor),
    };
    let candidates = [item("JE-1", 500), item("INV-9", 1_200), item("JE-2", -300)];
    let r = tie_out_subledger(Subledger::OpenItems(&items), usd(4_700), &candidates, TieOutLimits::new()).unwrap();
    assert_eq!(r.subledger, usd(3_500));
    assert_eq!(r.difference, usd(1_200));
    assert_eq!(r.explanation, Explanation::Explained { items: vec![1] });
    // The other way: the subledger exceeds the GL by JE-2's 3.00.
    let r = tie_out_subledger(Subledger::OpenItems(&items), usd(3_200), &candidates, TieOutLimits::new()).unwrap();
    assert_eq!(r.explanation, Explanation::Explained { items: vec![2] });
}

#[test]
fn an_item_in_another_currency_is_an_error_naming_it() {
    let mut book = small_book();
    let eur = Money::from_minor(10_000, Currency::EUR).unwrap();
    let items = History::new(book.ledger.journal()).unwrap().as_of(day(10)).unwrap().open_items();
    let err = tie_out_subledger(Subledger::OpenItems(&items), eur, &[], TieOutLimits::new()).unwrap_err();
    assert_eq!(
        err,
        TieOutError::OpenItemCurrency {
            customer: CustomerId::from_u128(1),
            document: DocumentRef::Invoice(InvoiceId::from_u128(10)),
            number: "INV-10".into(),
            expected: Currency::EUR,
            found: Currency::USD,
        }
    );
    assert!(err.to_string().contains("INV-10"), "{err}");
    // A ledger with two currencies ties out one control account per currency.
    let euro = CustomerId::from_u128(2);
    book.run(27, register(euro, Currency::EUR)).unwrap();
    book.run(27, invoice(11, euro, 27, 7_000)).unwrap();
    let all = book.ledger.all_open_items();
    assert!(tie_out_subledger(Subledger::OpenItems(&all), usd(3_500), &[], TieOutLimits::new()).is_err());
    let (usd_items, eur_items): (Vec<OpenItem>, Vec<OpenItem>) =
        all.into_iter().partition(|i| i.open.currency() == Currency::USD);
    let r = tie_out_subledger(Subledger::OpenItems(&usd_items), usd(3_500), &[], TieOutLimits::new()).unwrap();
    assert_eq!(r.explanation, Explanation::Tied);
    let eur_gl = Money::from_minor(7_000, Currency::EUR).unwrap();
    let r = tie_out_subledger(Subledger::OpenItems(&eur_items), eur_gl, &[], TieOutLimits::new()).unwrap();
    assert_eq!(r.explanation, Explanation::Tied);
}

/// One step of a random history; amounts in cents, days 1..=28.
#[derive(Debug, Clone)]
enum Step {
    Invoice { customer: u8, minor: i64 },
    Pay { customer: u8, minor: i64, apply: bool, deduct: bool },
    Credit { customer: u8, minor: i64, against_last: bool },
    Dispute { customer: u8, minor: i64 },
}

fn step() -> impl Strategy<Value = (u32, Step)> {
    let customer = 0u8..2;
    let minor = 1i64..20_000;
    let kind = prop_oneof![
        3 => (customer.clone(), minor.clone()).prop_map(|(customer, minor)| Step::Invoice { customer, minor }),
        3 => (customer.clone(), minor.clone(), any::<bool>(), any::<bool>())
            .prop_map(|(customer, minor, apply, deduct)| Step::Pay { customer, minor, apply, deduct }),
        1 => (customer.clone(), minor.clone(), any::<bool>())
            .prop_map(|(customer, minor, against_last)| Step::Credit { customer, minor, against_last }),
        1 => (customer, minor).prop_map(|(customer, minor)| Step::Dispute { customer, minor }),
    ];
    (1u32..=28, kind)
}

/// Runs the steps in date order; the ledger refuses what does not fit (a
/// dispute beyond the open amount), which leaves it as it was.
fn build(steps: &mut [(u32, Step)]) -> Book {
    steps.sort_by_key(|(d, _)| *d);
    let mut book = Book::new();
    let customers = [CustomerId::from_u128(1), CustomerId::from_u128(2)];
    for c in customers {
        book.run(1, register(c, Currency::USD)).unwrap();
    }
    let mut last_invoice: [Option<InvoiceId>; 2] = [None, None];
    for (n, (d, s)) in steps.iter().enumerate() {
        let id = 1_000 + n as u128;
        let _ = match s {
            Step::Invoice { customer, minor } => {
                let c = usize::from(*customer);
                last_invoice[c] = Some(InvoiceId::from_u128(id));
                book.run(*d, invoice(id, customers[c], *d, *minor))
            }
            Step::Pay { customer, minor, apply: applied, deduct } => {
                let c = usize::from(*customer);
                let received = book.run(*d, receive(id, customers[c], *d, usd(*minor)));
                match (received, applied, last_invoice[c]) {
                    (Ok(()), true, Some(inv)) => {
                        let policy = if *deduct {
                            ApplicationPolicy::new()
                                .deduct_short_pay(vec![DeductionId::from_u128(id)], DeductionReason::Pricing)
                        } else {
                            ApplicationPolicy::new()
                        };
                        let source = CashSource::Payment(PaymentId::from_u128(id));
                        book.run(*d, apply(id, source, Target::OldestDueFirstAmong(vec![inv]), policy))
                    }
                    (other, _, _) => other,
                }
            }
            Step::Credit { customer, minor, against_last } => {
                let c = usize::from(*customer);
                let against = if *against_last { last_invoice[c] } else { None };
                book.run(*d, credit_memo(id, customers[c], *d, *minor, against))
            }
            Step::Dispute { customer, minor } => match last_invoice[usize::from(*customer)] {
                Some(invoice) => book.run(
                    *d,
                    Action::OpenDispute {
                        dispute: DisputeId::from_u128(id),
                        invoice,
                        amount: usd(*minor),
                        reason: "quality".into(),
                    },
                ),
                None => Ok(()),
            },
        };
    }
    book
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The subledger figure is ar-aging's balance summed over customers, on any
    /// date and today, and the GL at that figure ties.
    #[test]
    fn subledger_equals_the_sum_of_customer_balances(
        mut steps in prop::collection::vec(step(), 0..24),
        as_of in 0u32..=29,
    ) {
        let book = build(&mut steps);
        let history = History::new(book.ledger.journal()).unwrap();
        let snapshot = history.as_of(day(1) + chrono::Days::new(u64::from(as_of)) - chrono::Days::new(1)).unwrap();
        let expected: i64 = book.ledger.customers().map(|c| snapshot.balance(c).unwrap().balance.minor()).sum();
        let items = snapshot.open_items();
        let r = tie_out_subledger(Subledger::OpenItems(&items), usd(expected), &[], TieOutLimits::new()).unwrap();
        prop_assert_eq!(r.subledger, usd(expected));
        prop_assert_eq!(r.explanation, Explanation::Tied);

        let today: i64 = book.ledger.customers().map(|c| book.ledger.balance(c).unwrap().balance.minor()).sum();
        let items = book.ledger.all_open_items();
        let r = tie_out_subledger(Subledger::OpenItems(&items), usd(today + 1), &[], TieOutLimits::new()).unwrap();
        prop_assert_eq!(r.subledger, usd(today));
        prop_assert_eq!(r.difference, usd(1));
    }
}
