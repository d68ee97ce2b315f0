//! Guards found missing by an audit of the ledger: each refused command names
//! what was wrong and leaves the ledger exactly as it was; each accepted one
//! moves only the money it says.

mod common;

use ar_core::*;
use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn usd(v: Decimal) -> Money {
    money(v, Currency::USD)
}

fn capped(n: u128, payment: PaymentId, amount: Money, target: Target, policy: ApplicationPolicy) -> Action {
    Action::ApplyCash(ApplyCash {
        application: ApplicationId::from_u128(n),
        source: CashSource::Payment(payment),
        amount: Some(amount),
        target,
        policy,
    })
}

#[test]
fn applying_part_of_a_payment_leaves_the_invoice_open() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let i = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(100.00)));
    let tolerant = ApplicationPolicy::new().write_off_up_to(dec!(0.05));
    desk.ok(capped(30, p, usd(dec!(99.99)), Target::OldestDueFirst, tolerant.clone()));
    let view = desk.view(i);
    assert_eq!((view.cash, view.written_off, view.open), (usd(dec!(99.99)), usd(dec!(0)), usd(dec!(0.01))));
    let balance = desk.ledger.balance(c).expect("known customer");
    assert_eq!((balance.unapplied_cash, balance.balance), (usd(dec!(0.01)), usd(dec!(0.00))));
    // The last cent of the payment settles the invoice: nothing to write off.
    desk.ok(capped(31, p, usd(dec!(0.01)), Target::OldestDueFirst, tolerant));
    assert_eq!((desk.view(i).open, desk.view(i).written_off), (usd(dec!(0)), usd(dec!(0))));
}

#[test]
fn a_short_payment_used_up_is_still_written_off_or_deducted() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let i = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let j = desk.invoice(11, c, date(2026, 1, 3), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(99.98)));
    desk.apply(30, p, Target::OldestDueFirst, ApplicationPolicy::new().write_off_up_to(dec!(0.05))).expect("applies");
    assert_eq!(desk.view(i).written_off, usd(dec!(0.02)));
    let q = desk.pay(21, c, date(2026, 1, 21), usd(dec!(200.00)));
    let deduct = ApplicationPolicy::new().deduct_short_pay(vec![DeductionId::from_u128(40)], DeductionReason::Damage);
    // 50.00 of the 200.00 is applied: the rest of the money is still there, so no deduction.
    desk.ok(capped(31, q, usd(dec!(50.00)), Target::OldestDueFirst, deduct.clone()));
    assert_eq!((desk.view(j).deducted, desk.view(j).open), (usd(dec!(0)), usd(dec!(50.00))));
    assert!(desk.ledger.deductions(Some(c), None).is_empty());
    // Pro rata with money left over is no short payment either.
    let k = desk.invoice(12, c, date(2026, 1, 4), dec!(60.00));
    desk.ok(capped(32, q, usd(dec!(30.00)), Target::ProRata(vec![j, k]), deduct));
    assert!(desk.ledger.deductions(Some(c), None).is_empty());
    assert_eq!(desk.view(j).open.checked_add(desk.view(k).open), Ok(usd(dec!(80.00))));
}

#[test]
fn specific_cash_stands_as_stated_and_a_discount_covers_only_the_rest() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::two_ten_net_30());
    let gross = desk.invoice(10, c, date(2026, 1, 2), dec!(250.00));
    let between = desk.invoice(11, c, date(2026, 1, 2), dec!(250.00));
    let net = desk.invoice(12, c, date(2026, 1, 2), dec!(250.00));
    let p = desk.pay(20, c, date(2026, 1, 5), usd(dec!(742.00)));
    let pairs = vec![(gross, usd(dec!(250.00))), (between, usd(dec!(247.00))), (net, usd(dec!(245.00)))];
    desk.apply(30, p, Target::Specific(pairs), ApplicationPolicy::new()).expect("each amount fits its invoice");
    let taken = |i| (desk.view(i).cash, desk.view(i).discounted, desk.view(i).open);
    assert_eq!(taken(gross), (usd(dec!(250.00)), usd(dec!(0)), usd(dec!(0))));
    assert_eq!(taken(between), (usd(dec!(247.00)), usd(dec!(3.00)), usd(dec!(0))));
    assert_eq!(taken(net), (usd(dec!(245.00)), usd(dec!(5.00)), usd(dec!(0))));
    let too_much = desk.invoice(13, c, date(2026, 1, 2), dec!(250.00));
    let q = desk.pay(21, c, date(2026, 1, 5), usd(dec!(251.00)));
    let err = desk.refused(capped(
        31,
        q,
        usd(dec!(251.00)),
        Target::Specific(vec![(too_much, usd(dec!(251.00)))]),
        ApplicationPolicy::new(),
    ));
    assert!(matches!(err, LedgerError::OverApplication { invoice, .. } if invoice == too_much), "{err:?}");
}

#[test]
fn cash_cannot_be_applied_before_the_invoice_exists() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let p = desk.pay(20, c, date(2026, 1, 5), usd(dec!(150.00)));
    let early = desk.invoice(9, c, date(2026, 1, 2), dec!(40.00));
    let mut late = desk.issue_cmd(10, c, date(2026, 2, 1), dec!(100.00));
    late.number = "INV-LATE".into();
    desk.ok(Action::IssueInvoice(late));
    let late = InvoiceId::from_u128(10);
    desk.today = date(2026, 1, 10);
    // Named, the later invoice is refused by its date.
    let named = Target::Specific(vec![(late, usd(dec!(100.00)))]);
    let err = desk.refused(capped(30, p, usd(dec!(100.00)), named, ApplicationPolicy::new()));
    assert_eq!(
        err,
        LedgerError::DateBeforeDocument {
            what: "the application date",
            date: date(2026, 1, 10),
            invoice: late,
            number: "INV-LATE".into(),
            document_date: date(2026, 2, 1),
        }
    );
    // Walking oldest first, it passes over the invoice not issued yet on the date.
    desk.ok(capped(31, p, usd(dec!(150.00)), Target::OldestDueFirst, ApplicationPolicy::new()));
    assert_eq!((desk.view(early).open, desk.view(late).open), (usd(dec!(0)), usd(dec!(100.00))));
    assert_eq!(desk.ledger.balance(c).map(|b| b.unapplied_cash), Ok(usd(dec!(110.00))));
    let nothing = desk.refused(capped(32, p, usd(dec!(110.00)), Target::FeesFirst, ApplicationPolicy::new()));
    assert!(matches!(nothing, LedgerError::NothingToApply { .. }), "{nothing:?}");
    desk.today = date(2026, 2, 1);
    desk.ok(capped(33, p, usd(dec!(100.00)), Target::OldestDueFirst, ApplicationPolicy::new()));
    assert_eq!(desk.view(late).open, usd(dec!(0)));
}

#[test]
fn negative_limits_orders_and_pending_orders_are_refused() {
    let mut desk = Desk::new();
    let err = desk.refused(Action::RegisterCustomer(RegisterCustomer {
        customer: CustomerId::from_u128(1),
        name: "Minus".into(),
        currency: Currency::USD,
        terms: PaymentTerms::net_30(),
        credit_limit: Some(usd(dec!(-100.00))),
        collector: None,
    }));
    assert_eq!(err, LedgerError::NotPositive { what: "the credit limit", amount: usd(dec!(-100.00)) });
    let c = desk.customer(2, Currency::USD, PaymentTerms::net_30());
    let day = date(2026, 1, 1);
    let pending = desk.ledger.credit_check(c, usd(dec!(100.00)), day, usd(dec!(-10_000.00)));
    assert_eq!(pending, Err(LedgerError::NotPositive { what: "the pending orders", amount: usd(dec!(-10_000.00)) }));
    let order = desk.ledger.credit_check(c, usd(dec!(-1.00)), day, usd(dec!(0)));
    assert_eq!(order, Err(LedgerError::NotPositive { what: "the order amount", amount: usd(dec!(-1.00)) }));
    assert!(desk.ledger.credit_check(c, usd(dec!(0)), day, usd(dec!(0))).is_ok());
}

#[test]
fn a_recorded_deposit_takes_no_more_payments() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let first = desk.pay(20, c, date(2026, 1, 5), usd(dec!(10.00)));
    let deposit = DepositId::from_u128(80);
    desk.ok(Action::RecordDeposit { deposit, bank_account: "DE00".into(), payments: vec![first] });
    let mut late = pay_cmd(21, c, date(2026, 1, 6), usd(dec!(99.00)));
    late.deposit = Some(deposit);
    let err = desk.refused(Action::ReceivePayment(late));
    assert_eq!(err, LedgerError::DepositAlreadyRecorded { payment: PaymentId::from_u128(21), deposit });
}

#[test]
fn sums_of_large_amounts_are_refused_not_wrapped() {
    let mut desk = Desk::new();
    let max = Money::from_minor(MAX_MINOR_UNITS, Currency::USD).expect("the largest amount");
    let payments: Vec<PaymentId> = (1..=10)
        .map(|n| {
            let c = desk.customer(n, Currency::USD, PaymentTerms::net_30());
            desk.pay(100 + n, c, date(2026, 1, 5), max)
        })
        .collect();
    let deposit = Action::RecordDeposit { deposit: DepositId::from_u128(1), bank_account: "DE00".into(), payments };
    assert!(matches!(desk.refused(deposit), LedgerError::Money(MoneyError::Overflow { .. })));

    let c = CustomerId::from_u128(1);
    desk.ok(Action::SetCreditLimit { customer: c, limit: Some(max) });
    let grant = Action::GrantTemporaryCredit { customer: c, amount: max, expires: date(2026, 12, 31) };
    assert!(matches!(desk.refused(grant), LedgerError::Money(MoneyError::Overflow { .. })));
    let exposure = desk.ledger.exposure(c, date(2026, 1, 5), max);
    assert!(exposure.is_ok(), "{exposure:?}");
    assert!(desk.ledger.credit_check(c, max, date(2026, 1, 5), max).is_err());
}

/// The bound a temporary increase is checked against is the limit plus every
/// increase granted before it, expired ones included: each grant adds to a
/// running sum the ledger keeps, and a replay rebuilds it.
#[test]
fn every_earlier_grant_counts_toward_the_bound_of_the_next() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let usd = |minor| Money::from_minor(minor, Currency::USD).expect("an amount in range");
    desk.ok(Action::SetCreditLimit { customer: c, limit: Some(usd(MAX_MINOR_UNITS - 300)) });
    for (k, expires) in [date(2026, 1, 31), date(2026, 12, 31), date(2026, 12, 31)].into_iter().enumerate() {
        desk.today = date(2026, 1, 1 + k as u32);
        desk.ok(Action::GrantTemporaryCredit { customer: c, amount: usd(100), expires });
    }
    desk.today = date(2026, 2, 15);
    let one_more = Action::GrantTemporaryCredit { customer: c, amount: usd(1), expires: date(2026, 12, 31) };
    assert!(matches!(desk.refused(one_more), LedgerError::Money(MoneyError::Overflow { .. })));
    let replayed = Ledger::replay(LedgerConfig::new(), desk.ledger.journal()).expect("the journal replays");
    assert!(replayed == desk.ledger);
}

#[test]
fn a_fixed_due_date_cannot_come_before_the_invoice() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let mut cmd = desk.issue_cmd(10, c, date(2026, 3, 1), dec!(10.00));
    let early = DueRule::FixedDate(date(2025, 1, 1));
    cmd.terms = Some(PaymentTerms {
        installments: vec![InstallmentRule { due: early.clone(), ..PaymentTerms::net_30().installments[0].clone() }],
        ..PaymentTerms::net_30()
    });
    let err = desk.refused(Action::IssueInvoice(cmd));
    assert!(
        matches!(&err, LedgerError::Terms(TermsError::BadDueRule { installment: 1, rule, .. }) if *rule == early),
        "{err:?}"
    );
}

#[test]
fn refusals_about_an_invoice_name_its_id() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let i = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 3), usd(dec!(10.00)));
    desk.apply(30, p, Target::OldestDueFirst, ApplicationPolicy::new()).expect("applies");
    let void = desk.refused(Action::VoidInvoice { invoice: i, reason: "wrong".into() });
    assert!(matches!(void, LedgerError::InvoiceHasActivity { invoice, .. } if invoice == i), "{void:?}");
    assert!(void.to_string().contains(&i.to_string()), "{void}");
    let dispute = Action::OpenDispute {
        dispute: DisputeId::from_u128(5),
        invoice: i,
        amount: usd(dec!(90.01)),
        reason: "price".into(),
    };
    let too_large = desk.refused(dispute);
    assert!(matches!(too_large, LedgerError::DisputeTooLarge { invoice, .. } if invoice == i), "{too_large:?}");
    let write_off = Action::WriteOff { invoice: i, amount: usd(dec!(90.01)), reason: "bad debt".into() };
    let over = desk.refused(write_off);
    assert!(matches!(over, LedgerError::OverApplication { invoice, .. } if invoice == i), "{over:?}");
}

#[test]
fn a_bad_tolerance_is_refused_even_when_nothing_is_left_to_write_off() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 3), usd(dec!(100.00)));
    let negative = ApplicationPolicy::new().write_off_up_to(dec!(-1));
    let err = desk.refused(capped(30, p, usd(dec!(100.00)), Target::OldestDueFirst, negative));
    assert!(matches!(err, LedgerError::InvalidPolicy { value, .. } if value == dec!(-1)), "{err:?}");
    let over = ApplicationPolicy::new().write_off_up_to_percent(dec!(101));
    let err = desk.refused(capped(31, p, usd(dec!(100.00)), Target::OldestDueFirst, over));
    assert!(matches!(err, LedgerError::InvalidPolicy { value, .. } if value == dec!(101)), "{err:?}");
    desk.ok(capped(32, p, usd(dec!(100.00)), Target::OldestDueFirst, ApplicationPolicy::new()));
}
