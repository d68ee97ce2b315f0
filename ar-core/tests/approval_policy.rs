//! The approval policy cannot be walked around: an amount in another currency
//! than the thresholds, or no amount at all, still needs the role.

mod common;

use ar_core::*;
use common::*;
use rust_decimal_macros::dec;

fn usd(v: rust_decimal::Decimal) -> Money {
    money(v, Currency::USD)
}

fn jpy(v: rust_decimal::Decimal) -> Money {
    money(v, Currency::JPY)
}

/// The roles a refusal names, and its message.
fn refusal(result: Result<Vec<Event>, LedgerError>) -> (Authority, Vec<Role>, String) {
    match result {
        Err(error @ LedgerError::NotAuthorized { .. }) => {
            let message = error.to_string();
            let LedgerError::NotAuthorized { authority, required, .. } = error else { unreachable!() };
            (authority, required, message)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn usd_write_offs() -> ApprovalPolicy {
    ApprovalPolicy::new().require(Authority::WriteOff, Some(usd(dec!(50.00))), &["supervisor"])
}

#[test]
fn a_write_off_in_a_currency_without_thresholds_needs_the_role() {
    let mut desk = Desk::with(LedgerConfig::new().approvals(usd_write_offs()));
    let c = desk.customer(1, Currency::JPY, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 1), dec!(10000000));
    desk.as_role("clerk");
    let before = desk.ledger.clone();
    let write_off = Action::WriteOff { invoice: a, amount: jpy(dec!(10000000)), reason: "bad debt".into() };
    let (authority, required, message) = refusal(desk.run(write_off.clone()));
    assert_eq!((authority, required), (Authority::WriteOff, vec![Role::new("supervisor")]));
    assert!(message.contains("supervisor"), "{message}");
    assert!(desk.ledger == before, "a refused command changes nothing");
    // Even one yen: without a JPY threshold, nothing says how much is small.
    assert!(desk.run(Action::WriteOff { invoice: a, amount: jpy(dec!(1)), reason: "x".into() }).is_err());
    desk.as_role("supervisor");
    desk.ok(write_off);
}

#[test]
fn thresholds_in_the_amounts_currency_replace_the_others() {
    let policy = usd_write_offs().require(Authority::WriteOff, Some(jpy(dec!(5000))), &["supervisor"]).require(
        Authority::WriteOff,
        Some(jpy(dec!(1000000))),
        &["controller"],
    );
    let clerk = Actor::new("maria", "clerk");
    let supervisor = Actor::new("sam", "supervisor");
    assert_eq!(policy.permits(&clerk, Authority::WriteOff, Some(jpy(dec!(5000)))), Ok(()));
    assert_eq!(policy.permits(&clerk, Authority::WriteOff, Some(jpy(dec!(5001)))), Err(vec![Role::new("supervisor")]));
    assert_eq!(policy.permits(&supervisor, Authority::WriteOff, Some(jpy(dec!(5001)))), Ok(()));
    assert_eq!(
        policy.permits(&supervisor, Authority::WriteOff, Some(jpy(dec!(2000000)))),
        Err(vec![Role::new("controller")])
    );
    // USD still has its own threshold; EUR has none, so every threshold applies.
    assert_eq!(policy.permits(&clerk, Authority::WriteOff, Some(usd(dec!(50.00)))), Ok(()));
    let eur = money(dec!(0.01), Currency::from_code("EUR").expect("EUR"));
    let required = policy.permits(&supervisor, Authority::WriteOff, Some(eur));
    assert_eq!(required, Err(vec![Role::new("controller")]));
}

#[test]
fn a_refusal_names_a_role_that_satisfies_every_rule_that_applies() {
    let policy = ApprovalPolicy::new()
        .require(Authority::Refund, Some(usd(dec!(100.00))), &["supervisor", "controller"])
        .require(Authority::Refund, Some(usd(dec!(10000.00))), &["controller", "cfo"]);
    let clerk = Actor::new("maria", "clerk");
    let big = Some(usd(dec!(20000.00)));
    assert_eq!(policy.permits(&clerk, Authority::Refund, big), Err(vec![Role::new("controller")]));
    let small = Some(usd(dec!(200.00)));
    let both = vec![Role::new("supervisor"), Role::new("controller")];
    assert_eq!(policy.permits(&clerk, Authority::Refund, small), Err(both));
    // When no single role satisfies every rule, the first refusing rule is named.
    let split = ApprovalPolicy::new().require(Authority::Refund, None, &["supervisor"]).require(
        Authority::Refund,
        None,
        &["controller"],
    );
    assert_eq!(split.permits(&clerk, Authority::Refund, small), Err(vec![Role::new("supervisor")]));
}

#[test]
fn removing_a_credit_limit_counts_as_an_unlimited_one() {
    let policy =
        ApprovalPolicy::new().require(Authority::CreditLimitChange, Some(usd(dec!(10000.00))), &["credit_manager"]);
    let mut desk = Desk::with(LedgerConfig::new().approvals(policy));
    // Registered without a limit, the account has unlimited credit: the credit manager's call.
    desk.as_role("clerk");
    let unlimited = refusal(desk.run(Action::RegisterCustomer(RegisterCustomer {
        customer: CustomerId::from_u128(1),
        name: "Customer 1".into(),
        currency: Currency::USD,
        terms: PaymentTerms::net_30(),
        credit_limit: None,
        collector: None,
    })));
    assert_eq!(unlimited.1, vec![Role::new("credit_manager")]);
    desk.as_role("credit_manager");
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    desk.as_role("clerk");
    desk.ok(Action::SetCreditLimit { customer: c, limit: Some(usd(dec!(5000.00))) });
    let raise = desk.run(Action::SetCreditLimit { customer: c, limit: Some(usd(dec!(20000.00))) });
    assert_eq!(refusal(raise).1, vec![Role::new("credit_manager")]);
    let before = desk.ledger.clone();
    let (authority, required, message) = refusal(desk.run(Action::SetCreditLimit { customer: c, limit: None }));
    assert_eq!((authority, required), (Authority::CreditLimitChange, vec![Role::new("credit_manager")]));
    assert!(message.contains("credit_manager"), "{message}");
    assert!(desk.ledger == before, "a refused command changes nothing");
    desk.as_role("credit_manager");
    desk.ok(Action::SetCreditLimit { customer: c, limit: None });

    // Where the credit policy holds an account without a limit, no limit grants nothing.
    let policy =
        ApprovalPolicy::new().require(Authority::CreditLimitChange, Some(usd(dec!(10000.00))), &["credit_manager"]);
    let holding = CreditPolicy { hold_without_limit: true, ..CreditPolicy::default() };
    let mut desk = Desk::with(LedgerConfig::new().approvals(policy).credit(holding));
    desk.as_role("clerk");
    desk.customer(2, Currency::USD, PaymentTerms::net_30());
}

#[test]
fn a_threshold_on_holds_always_applies_as_holds_carry_no_amount() {
    let policy = ApprovalPolicy::new().require(Authority::CreditHold, Some(usd(dec!(1000.00))), &["credit_manager"]);
    let clerk = Actor::new("maria", "clerk");
    assert_eq!(policy.permits(&clerk, Authority::CreditHold, None), Err(vec![Role::new("credit_manager")]));
    assert_eq!(policy.permits(&Actor::new("c", "credit_manager"), Authority::CreditHold, None), Ok(()));
    // Rules of other authorities do not count.
    assert_eq!(policy.permits(&clerk, Authority::WriteOff, None), Ok(()));
}
