//! Bad input gets a typed error that names what was wrong, never a panic.

mod common;

use ar_core::*;
use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn usd(v: Decimal) -> Money {
    money(v, Currency::USD)
}

fn setup() -> (Desk, CustomerId, InvoiceId) {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let i = desk.invoice(10, c, date(2026, 1, 10), dec!(100.00));
    desk.today = date(2026, 1, 15);
    (desk, c, i)
}

#[test]
fn amounts_beyond_the_currencys_scale_are_refused_even_through_serde() {
    assert_eq!(
        Money::new(dec!(10.005), Currency::USD),
        Err(MoneyError::TooManyDecimals { amount: dec!(10.005), currency: Currency::USD, max: 2 })
    );
    assert!(Money::new(dec!(1.5), Currency::JPY).is_err());
    assert!(Money::new(dec!(1.0005), Currency::KWD).is_err());
    let (desk, c, _) = setup();
    let mut json = serde_json::to_value(pay_cmd(20, c, date(2026, 1, 2), usd(dec!(10.00)))).expect("serializes");
    json["amount"]["amount"] = serde_json::Value::String("10.005".into());
    let err = serde_json::from_value::<ReceivePayment>(json).expect_err("must refuse 10.005 USD");
    assert!(err.to_string().contains("more decimals than USD allows"), "{err}");
    drop(desk);
}

#[test]
fn overflow_sized_values_are_refused() {
    assert!(matches!(Money::new(Decimal::MAX, Currency::USD), Err(MoneyError::Overflow { .. })));
    assert!(matches!(Money::from_minor(i64::MAX, Currency::USD), Err(MoneyError::Overflow { .. })));
    let big = Money::new(dec!(9_000_000_000_000_000.00), Currency::USD).expect("near the bound");
    assert!(matches!(big.checked_add(big), Err(MoneyError::Overflow { .. })));
    let (mut desk, c, _) = setup();
    let mut cmd = desk.issue_cmd(11, c, date(2026, 1, 10), Decimal::MAX);
    cmd.lines[0].quantity = Decimal::MAX;
    let err = desk.run(Action::IssueInvoice(cmd));
    assert!(matches!(err, Err(LedgerError::Document(_) | LedgerError::Money(_))), "{err:?}");
}

#[test]
fn a_customers_running_sums_cannot_leave_the_exact_range() {
    let (mut desk, c, _) = setup();
    let huge = dec!(600_000_000_000_000_000);
    let near_max = usd(huge / dec!(100));
    desk.pay(20, c, date(2026, 1, 16), near_max);
    let before = desk.ledger.clone();
    let second = desk.run(Action::ReceivePayment(pay_cmd(21, c, date(2026, 1, 16), near_max)));
    assert!(matches!(second, Err(LedgerError::Money(MoneyError::Overflow { .. }))), "{second:?}");
    assert!(desk.ledger == before);
    let mut big = desk.issue_cmd(11, c, date(2026, 1, 15), huge / dec!(100));
    big.number = "INV-BIG-1".into();
    desk.ok(Action::IssueInvoice(big));
    let mut bigger = desk.issue_cmd(12, c, date(2026, 1, 15), huge / dec!(100));
    bigger.number = "INV-BIG-2".into();
    assert!(matches!(desk.run(Action::IssueInvoice(bigger)), Err(LedgerError::Money(MoneyError::Overflow { .. }))));
    assert!(desk.ledger.balance(c).is_ok());
}

#[test]
fn zero_and_negative_amounts_are_refused_where_they_make_no_sense() {
    let (mut desk, c, i) = setup();
    let zero = desk.run(Action::ReceivePayment(pay_cmd(20, c, date(2026, 1, 2), usd(dec!(0)))));
    assert_eq!(zero, Err(LedgerError::NotPositive { what: "the payment", amount: usd(dec!(0.00)) }));
    let negative = desk.run(Action::WriteOff { invoice: i, amount: usd(dec!(-1.00)), reason: "x".into() });
    assert!(matches!(negative, Err(LedgerError::NotPositive { what: "the write-off", .. })));
    let free = desk.run(Action::IssueInvoice(desk.issue_cmd(11, c, date(2026, 1, 10), dec!(0))));
    assert!(matches!(free, Err(LedgerError::NotPositive { what: "the invoice total", .. })));
    let mut negative_line = desk.issue_cmd(12, c, date(2026, 1, 10), dec!(5));
    negative_line.lines[0].quantity = dec!(-1);
    assert!(matches!(desk.run(Action::IssueInvoice(negative_line)), Err(LedgerError::Document(_))));
    let p = desk.pay(21, c, date(2026, 1, 2), usd(dec!(5.00)));
    let over = desk.run(Action::ApplyCash(ApplyCash {
        application: ApplicationId::from_u128(30),
        source: CashSource::Payment(p),
        amount: Some(usd(dec!(5.01))),
        target: Target::OldestDueFirst,
        policy: ApplicationPolicy::new(),
    }));
    assert!(matches!(over, Err(LedgerError::InsufficientUnapplied { .. })));
}

#[test]
fn wrong_currencies_are_named() {
    let (mut desk, c, i) = setup();
    let eur = money(dec!(10.00), Currency::EUR);
    let err = desk.run(Action::ReceivePayment(pay_cmd(20, c, date(2026, 1, 2), eur)));
    assert_eq!(
        err,
        Err(LedgerError::WrongCurrency { what: "the payment", expected: Currency::USD, got: Currency::EUR })
    );
    let err =
        desk.run(Action::OpenDispute { dispute: DisputeId::from_u128(5), invoice: i, amount: eur, reason: "x".into() });
    assert!(matches!(err, Err(LedgerError::WrongCurrency { got: Currency::EUR, .. })));
    let err = desk.ledger.exposure(c, date(2026, 1, 2), eur);
    assert!(matches!(err, Err(LedgerError::WrongCurrency { .. })));
}

#[test]
fn unknown_ids_are_named() {
    let (mut desk, c, _) = setup();
    let ghost = CustomerId::from_u128(999);
    let err = desk.run(Action::ReceivePayment(pay_cmd(20, ghost, date(2026, 1, 2), usd(dec!(1.00)))));
    assert_eq!(err, Err(LedgerError::UnknownCustomer(ghost)));
    let invoice = InvoiceId::from_u128(999);
    assert_eq!(
        desk.run(Action::VoidInvoice { invoice, reason: "x".into() }),
        Err(LedgerError::UnknownInvoice(invoice))
    );
    let payment = PaymentId::from_u128(999);
    let apply = desk.run(Action::ApplyCash(ApplyCash {
        application: ApplicationId::from_u128(1),
        source: CashSource::Payment(payment),
        amount: None,
        target: Target::OldestDueFirst,
        policy: ApplicationPolicy::new(),
    }));
    assert_eq!(apply, Err(LedgerError::UnknownPayment(payment)));
    let d = DeductionId::from_u128(5);
    assert_eq!(desk.run(Action::ReviewDeduction { deduction: d }), Err(LedgerError::UnknownDeduction(d)));
    assert!(desk.ledger.balance(ghost).is_err());
    assert!(desk.ledger.invoice(invoice).is_none());
    let other = desk.customer(2, Currency::USD, PaymentTerms::net_30());
    let p = desk.pay(21, other, date(2026, 1, 20), usd(dec!(1.00)));
    let foreign = desk.apply(
        31,
        p,
        Target::Specific(vec![(InvoiceId::from_u128(10), usd(dec!(1.00)))]),
        ApplicationPolicy::new(),
    );
    assert!(matches!(foreign, Err(LedgerError::NotCustomersInvoice { .. })));
    let _ = c;
}

#[test]
fn dates_before_the_document_date_are_refused() {
    let (mut desk, _, i) = setup();
    desk.today = date(2026, 1, 9);
    let err = desk.run(Action::WriteOff { invoice: i, amount: usd(dec!(1.00)), reason: "x".into() });
    assert_eq!(
        err,
        Err(LedgerError::DateBeforeDocument {
            what: "the write-off date",
            date: date(2026, 1, 9),
            invoice: i,
            number: "INV-00010".into(),
            document_date: date(2026, 1, 10),
        })
    );
    assert!(matches!(
        desk.run(Action::VoidInvoice { invoice: i, reason: "x".into() }),
        Err(LedgerError::DateBeforeDocument { .. })
    ));
}

#[test]
fn bad_terms_and_policies_are_refused() {
    let (mut desk, c, _) = setup();
    let mut cmd = desk.issue_cmd(11, c, date(2026, 1, 10), dec!(10));
    cmd.terms = Some(PaymentTerms { installments: vec![], ..PaymentTerms::net_30() });
    assert!(matches!(desk.run(Action::IssueInvoice(cmd)), Err(LedgerError::Terms(_))));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(99.00)));
    let policy = ApplicationPolicy::new().write_off_up_to(dec!(-1));
    assert_eq!(
        desk.apply(30, p, Target::OldestDueFirst, policy),
        Err(LedgerError::InvalidPolicy {
            what: "the write-off tolerance",
            value: dec!(-1),
            rule: "it must be zero or more"
        })
    );
}

#[test]
fn card_numbers_are_validated_and_never_kept() {
    assert_eq!(CardRef::from_card_number("4111 1111 1111 1112", "tok"), Err(CardError::BadCheckDigit));
    assert_eq!(CardRef::from_card_number("4111", "tok"), Err(CardError::BadLength));
    let raw = r#"{"brand":"Visa","last4":"1111","token":"4111111111111111"}"#;
    assert!(serde_json::from_str::<CardRef>(raw).is_err(), "a token that is a card number is refused");
}
