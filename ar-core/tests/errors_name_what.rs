//! Every refusal names what was refused: the ids, numbers, amounts and dates
//! involved, in its fields and in its message, and leaves the ledger as it was.
//! Refusals only a bad event stream can reach are driven through `apply`,
//! with one event of a real journal tampered.

mod common;

use std::sync::Arc;

use ar_core::*;
use common::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn usd(v: Decimal) -> Money {
    money(v, Currency::USD)
}

/// Asserts the message names each of `parts`.
fn names(err: &LedgerError, parts: &[&str]) {
    let text = err.to_string();
    for part in parts {
        assert!(text.contains(part), "'{text}' does not name '{part}'");
    }
}

fn apply(n: u128, payment: PaymentId, amount: Option<Money>, target: Target, policy: ApplicationPolicy) -> Action {
    Action::ApplyCash(ApplyCash {
        application: ApplicationId::from_u128(n),
        source: CashSource::Payment(payment),
        amount,
        target,
        policy,
    })
}

fn credit_memo(n: u128, number: &str, customer: CustomerId, price: Decimal, against: Option<InvoiceId>) -> Action {
    Action::IssueCreditMemo(IssueCreditMemo {
        credit_memo: CreditMemoId::from_u128(n),
        number: number.into(),
        customer,
        document_date: date(2026, 1, 20),
        lines: vec![line(price)],
        against,
        reason: "returns".into(),
        tax_rounding: TaxRounding::PerLine,
        rounding: Rounding::HalfUp,
    })
}

/// Replays `journal` up to event `at`, then folds event `at` changed by
/// `tamper`: it must be refused at that sequence and leave the replica as it was.
fn tampered(journal: &[Event], at: usize, tamper: impl FnOnce(&mut Change)) -> LedgerError {
    let mut replica = Ledger::replay(LedgerConfig::new(), &journal[..at]).expect("the real prefix replays");
    let before = replica.clone();
    let mut event = journal[at].clone();
    tamper(&mut event.change);
    let err = replica.apply(&event).expect_err("a tampered event must be refused");
    assert!(replica == before, "a refused event changed the ledger: {err}");
    // The untampered event still fits: the refusal is the tampering's.
    replica.apply(&journal[at]).expect("the real event fits");
    match err {
        ReplayError::Inconsistent { sequence, error } => {
            assert_eq!(sequence, at as u64);
            error
        }
        other => panic!("expected an inconsistent event, got {other:?}"),
    }
}

#[test]
fn a_credit_increase_expiring_before_its_grant_names_customer_amount_and_dates() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    desk.today = date(2026, 3, 10);
    let amount = usd(dec!(5000.00));
    let err = desk.refused(Action::GrantTemporaryCredit { customer: c, amount, expires: date(2026, 3, 9) });
    assert_eq!(
        err,
        LedgerError::CreditExpiresBeforeGrant {
            customer: c,
            amount,
            granted: date(2026, 3, 10),
            expires: date(2026, 3, 9),
        }
    );
    names(&err, &[&c.to_string(), "5000.00 USD", "2026-03-09", "2026-03-10"]);
    // Expiring the day it is granted is allowed.
    desk.ok(Action::GrantTemporaryCredit { customer: c, amount, expires: date(2026, 3, 10) });
}

#[test]
fn an_invoice_named_twice_is_named_with_its_application() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let i = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(100.00)));
    let twice = Target::Specific(vec![(i, usd(dec!(40.00))), (i, usd(dec!(60.00)))]);
    let err = desk.refused(apply(30, p, None, twice, ApplicationPolicy::new()));
    let application = ApplicationId::from_u128(30);
    assert_eq!(err, LedgerError::InvoiceNamedTwice { application, invoice: i, number: "INV-00010".into() });
    names(&err, &["INV-00010", &i.to_string(), &application.to_string()]);
}

/// A desk with one customer, invoices 10..10+n of 10.00 each, and a payment
/// (number 900) of `n` × 10.00.
fn forty_invoices(n: u128) -> (Desk, Vec<InvoiceId>, PaymentId) {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let invoices: Vec<InvoiceId> = (10..10 + n).map(|k| desk.invoice(k, c, date(2026, 1, 2), dec!(10.00))).collect();
    let p = desk.pay(900, c, date(2026, 1, 20), usd(Decimal::from(n as u64) * dec!(10.00)));
    (desk, invoices, p)
}

#[test]
fn an_invoice_named_twice_in_a_long_remittance_is_named_where_it_repeats() {
    let (mut desk, invoices, p) = forty_invoices(40);
    let stated = |cash: Decimal| invoices.iter().map(|i| (*i, usd(cash))).collect::<Vec<_>>();
    let application = ApplicationId::from_u128(30);
    // The 36th line names the third invoice again: past the lines a scan checks.
    let mut pairs = stated(dec!(10.00));
    pairs[35].0 = invoices[2];
    let err = desk.refused(apply(30, p, None, Target::Specific(pairs.clone()), ApplicationPolicy::new()));
    assert_eq!(err, LedgerError::InvoiceNamedTwice { application, invoice: invoices[2], number: "INV-00012".into() });
    // A bad line before the repeat is what is reported; one after it is not.
    let mut earlier = pairs.clone();
    earlier[34].1 = usd(dec!(0.00));
    let err = desk.refused(apply(30, p, None, Target::Specific(earlier), ApplicationPolicy::new()));
    assert!(matches!(err, LedgerError::NotPositive { .. }), "{err:?}");
    let mut later = pairs;
    later[37].1 = usd(dec!(0.00));
    let err = desk.refused(apply(30, p, None, Target::Specific(later), ApplicationPolicy::new()));
    assert_eq!(err, LedgerError::InvoiceNamedTwice { application, invoice: invoices[2], number: "INV-00012".into() });
    // Named once each, the same forty lines apply.
    desk.ok(apply(30, p, None, Target::Specific(stated(dec!(10.00))), ApplicationPolicy::new()));
}

#[test]
fn a_deduction_id_used_twice_in_a_long_remittance_is_refused_and_the_applied_one_replays() {
    let (mut desk, invoices, p) = forty_invoices(40);
    // Each invoice paid 9.00 of 10.00, the rest a deduction with its own id.
    let deducted = |k: usize, i: &InvoiceId| {
        let id = DeductionId::from_u128(500 + k as u128);
        RemittanceLine::new(*i, usd(dec!(9.00))).residual(Residual::Deduction { id, reason: DeductionReason::Pricing })
    };
    let lines: Vec<RemittanceLine> = invoices.iter().enumerate().map(|(k, i)| deducted(k, i)).collect();
    // The 36th line reuses the third line's id: past the lines a scan checks.
    let mut reused = lines.clone();
    reused[35] = deducted(2, &invoices[35]);
    let err = desk.refused(apply(30, p, None, Target::Remittance(reused), ApplicationPolicy::new()));
    assert_eq!(err, LedgerError::DuplicateId { kind: "deduction", id: DeductionId::from_u128(502).as_uuid() });
    desk.ok(apply(30, p, None, Target::Remittance(lines), ApplicationPolicy::new()));
    for invoice in &invoices {
        assert_eq!(desk.view(*invoice).open, usd(dec!(0.00)));
    }
    let replayed = Ledger::replay(LedgerConfig::new(), desk.ledger.journal()).expect("the journal replays");
    assert!(replayed == desk.ledger, "replaying forty deductions rebuilds the same ledger");
}

#[test]
fn invoices_listed_twice_for_pro_rata_or_oldest_first_are_each_paid_once() {
    for target in [Target::ProRata as fn(Vec<InvoiceId>) -> Target, Target::OldestDueFirstAmong] {
        let (mut desk, invoices, p) = forty_invoices(40);
        // Every invoice listed, then the first ten again, in reverse.
        let mut listed = invoices.clone();
        listed.extend(invoices[..10].iter().rev());
        let events = desk.ok(apply(30, p, None, target(listed), ApplicationPolicy::new()));
        let Some(Change::CashApplied(applied)) = events.first().map(|e| &e.change) else {
            panic!("expected cash applied, got {events:?}")
        };
        let paid: Vec<InvoiceId> = applied.allocations.iter().map(|a| a.invoice).collect();
        assert_eq!(paid, invoices);
        assert!(applied.allocations.iter().all(|a| a.cash == usd(dec!(10.00))));
    }
}

#[test]
fn specific_amounts_beyond_the_amount_applied_are_named_with_both_sums() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let i = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let j = desk.invoice(11, c, date(2026, 1, 3), dec!(50.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(150.00)));
    let pairs = Target::Specific(vec![(i, usd(dec!(100.00))), (j, usd(dec!(50.00)))]);
    let err = desk.refused(apply(30, p, Some(usd(dec!(120.00))), pairs, ApplicationPolicy::new()));
    let application = ApplicationId::from_u128(30);
    assert_eq!(
        err,
        LedgerError::SpecificAmountsExceedApplied { application, named: usd(dec!(150.00)), applied: usd(dec!(120.00)) }
    );
    names(&err, &["150.00 USD", "120.00 USD", &application.to_string()]);
}

#[test]
fn an_unusable_tolerance_is_refused_with_the_value_given() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(99.00)));
    let negative = ApplicationPolicy::new().write_off_up_to(dec!(-0.50));
    let err = desk.refused(apply(30, p, None, Target::OldestDueFirst, negative));
    assert_eq!(
        err,
        LedgerError::InvalidPolicy {
            what: "the write-off tolerance",
            value: dec!(-0.50),
            rule: "it must be zero or more"
        }
    );
    names(&err, &["write-off tolerance", "-0.50"]);
    let over = ApplicationPolicy::new().write_off_up_to_percent(dec!(100.5));
    let err = desk.refused(apply(31, p, None, Target::OldestDueFirst, over));
    assert_eq!(
        err,
        LedgerError::InvalidPolicy {
            what: "the write-off percentage",
            value: dec!(100.5),
            rule: "it must be between 0 and 100"
        }
    );
    names(&err, &["write-off percentage", "100.5"]);
}

#[test]
fn a_void_invoice_is_named_by_id_and_number_wherever_it_is_refused() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let i = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    desk.ok(Action::VoidInvoice { invoice: i, reason: "entered twice".into() });
    let expected = LedgerError::InvoiceVoid { invoice: i, number: "INV-00010".into() };
    let write_off = desk.refused(Action::WriteOff { invoice: i, amount: usd(dec!(1.00)), reason: "x".into() });
    assert_eq!(write_off, expected);
    let again = desk.refused(Action::VoidInvoice { invoice: i, reason: "again".into() });
    assert_eq!(again, expected);
    let against = desk.refused(credit_memo(12, "CM-1", c, dec!(5.00), Some(i)));
    assert_eq!(against, expected);
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(5.00)));
    let named = Target::Specific(vec![(i, usd(dec!(5.00)))]);
    let applied = desk.refused(apply(30, p, None, named, ApplicationPolicy::new()));
    assert_eq!(applied, expected);
    names(&applied, &["INV-00010", &i.to_string(), "void"]);
}

#[test]
fn a_duplicate_number_names_the_document_refused_and_the_one_that_has_it() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let i = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    desk.today = date(2026, 1, 20);
    let err = desk.refused(credit_memo(12, "INV-00010", c, dec!(5.00), None));
    let memo = CreditMemoId::from_u128(12);
    assert_eq!(
        err,
        LedgerError::DuplicateNumber {
            number: "INV-00010".into(),
            document: DocumentRef::CreditMemo(memo),
            used_by: DocumentRef::Invoice(i),
        }
    );
    names(&err, &["INV-00010", &format!("credit memo {memo}"), &format!("invoice {i}")]);
    desk.ok(credit_memo(13, "CM-13", c, dec!(5.00), None));
    let mut clash = desk.issue_cmd(14, c, date(2026, 1, 20), dec!(1.00));
    clash.number = "CM-13".into();
    let err = desk.refused(Action::IssueInvoice(clash));
    assert_eq!(
        err,
        LedgerError::DuplicateNumber {
            number: "CM-13".into(),
            document: DocumentRef::Invoice(InvoiceId::from_u128(14)),
            used_by: DocumentRef::CreditMemo(CreditMemoId::from_u128(13)),
        }
    );
}

#[test]
fn another_customers_invoice_names_the_invoice_and_both_customers() {
    let mut desk = Desk::new();
    let owner = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let other = desk.customer(2, Currency::USD, PaymentTerms::net_30());
    let i = desk.invoice(10, owner, date(2026, 1, 2), dec!(100.00));
    desk.today = date(2026, 1, 20);
    let expected = LedgerError::NotCustomersInvoice { invoice: i, number: "INV-00010".into(), owner, customer: other };
    let against = desk.refused(credit_memo(12, "CM-1", other, dec!(5.00), Some(i)));
    assert_eq!(against, expected);
    let p = desk.pay(20, other, date(2026, 1, 20), usd(dec!(5.00)));
    let named = Target::Specific(vec![(i, usd(dec!(5.00)))]);
    let applied = desk.refused(apply(30, p, None, named, ApplicationPolicy::new()));
    assert_eq!(applied, expected);
    names(&applied, &["INV-00010", &i.to_string(), &owner.to_string(), &other.to_string()]);
}

#[test]
fn running_out_of_deduction_ids_names_the_invoice_left_short() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let i = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let j = desk.invoice(11, c, date(2026, 1, 3), dec!(50.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(130.00)));
    let pairs = Target::Specific(vec![(i, usd(dec!(90.00))), (j, usd(dec!(40.00)))]);
    let one_id = ApplicationPolicy::new().deduct_short_pay(vec![DeductionId::from_u128(40)], DeductionReason::Pricing);
    let err = desk.refused(apply(30, p, None, pairs, one_id));
    // The first short invoice takes the one id; the second is the one left without.
    assert_eq!(
        err,
        LedgerError::DeductionIdsExhausted {
            invoice: j,
            number: "INV-00011".into(),
            short: usd(dec!(10.00)),
            needed: 2,
            given: 1,
        }
    );
    names(&err, &["INV-00011", &j.to_string(), "10.00 USD", "deduction number 2", "only 1 "]);
}

#[test]
fn an_empty_deposit_is_named() {
    let mut desk = Desk::new();
    desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let deposit = DepositId::from_u128(80);
    let err = desk.refused(Action::RecordDeposit { deposit, bank_account: "DE89".into(), payments: vec![] });
    assert_eq!(err, LedgerError::EmptyDeposit { deposit });
    names(&err, &[&deposit.to_string()]);
}

#[test]
fn a_deposit_total_that_is_not_its_payments_sum_names_both() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.pay(20, c, date(2026, 1, 5), usd(dec!(10.25)));
    let b = desk.pay(21, c, date(2026, 1, 5), usd(dec!(15.25)));
    let deposit = DepositId::from_u128(80);
    desk.ok(Action::RecordDeposit { deposit, bank_account: "DE89".into(), payments: vec![a, b] });
    let journal = desk.ledger.journal().to_vec();
    let err = tampered(&journal, journal.len() - 1, |change| {
        if let Change::DepositRecorded(d) = change {
            Arc::make_mut(d).total = usd(dec!(25.00));
        }
    });
    assert_eq!(
        err,
        LedgerError::DepositTotalMismatch { deposit, total: usd(dec!(25.00)), sum: usd(dec!(25.50)), payments: 2 }
    );
    names(&err, &[&deposit.to_string(), "25.00 USD", "25.50 USD"]);
}

/// A desk with one open 50.00 deduction (id 40) on invoice 10, and a 1.00
/// credit memo (id 13) on account.
fn desk_with_a_deduction() -> (Desk, CustomerId, DeductionId) {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(50.00)));
    let d = DeductionId::from_u128(40);
    let policy = ApplicationPolicy::new().deduct_short_pay(vec![d], DeductionReason::Damage);
    desk.ok(apply(30, p, None, Target::OldestDueFirst, policy));
    desk.ok(credit_memo(13, "CM-13", c, dec!(1.00), None));
    (desk, c, d)
}

#[test]
fn a_deduction_resolved_for_another_amount_names_both_amounts() {
    let (mut desk, _, d) = desk_with_a_deduction();
    desk.ok(Action::ResolveDeduction {
        deduction: d,
        resolution: DeductionResolution::WriteOff { reason: "x".into() },
    });
    let journal = desk.ledger.journal().to_vec();
    let err = tampered(&journal, journal.len() - 1, |change| {
        if let Change::DeductionResolved(r) = change {
            Arc::make_mut(r).amount = usd(dec!(49.99));
        }
    });
    assert_eq!(
        err,
        LedgerError::DeductionAmountMismatch { deduction: d, amount: usd(dec!(50.00)), resolved: usd(dec!(49.99)) }
    );
    names(&err, &[&d.to_string(), "50.00 USD", "49.99 USD"]);
    // The same minor units in another currency are another amount too.
    let err = tampered(&journal, journal.len() - 1, |change| {
        if let Change::DeductionResolved(r) = change {
            Arc::make_mut(r).amount = money(dec!(50.00), Currency::EUR);
        }
    });
    assert!(
        matches!(err, LedgerError::DeductionAmountMismatch { resolved, .. } if resolved.currency() == Currency::EUR)
    );
}

#[test]
fn a_credit_memo_short_of_a_valid_deduction_names_both() {
    let (mut desk, _, d) = desk_with_a_deduction();
    let memo = CreditMemoId::from_u128(14);
    let resolution = DeductionResolution::Valid { credit_memo: memo, number: "CM-14".into() };
    desk.ok(Action::ResolveDeduction { deduction: d, resolution });
    let journal = desk.ledger.journal().to_vec();
    // The resolution settles with the 1.00 credit memo on account instead of its own.
    let small = CreditMemoId::from_u128(13);
    let err = tampered(&journal, journal.len() - 1, |change| {
        if let Change::DeductionResolved(r) = change
            && let DeductionResolution::Valid { credit_memo, .. } = &mut Arc::make_mut(r).resolution
        {
            *credit_memo = small;
        }
    });
    assert_eq!(
        err,
        LedgerError::DeductionNotCovered {
            deduction: d,
            amount: usd(dec!(50.00)),
            credit_memo: small,
            unapplied: usd(dec!(1.00)),
        }
    );
    names(&err, &[&d.to_string(), &small.to_string(), "50.00 USD", "1.00 USD"]);
}

#[test]
fn an_application_naming_another_customer_names_both_and_its_source() {
    let mut desk = Desk::new();
    let owner = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let other = desk.customer(2, Currency::USD, PaymentTerms::net_30());
    desk.invoice(10, owner, date(2026, 1, 2), dec!(100.00));
    let p = desk.pay(20, owner, date(2026, 1, 20), usd(dec!(100.00)));
    desk.ok(apply(30, p, None, Target::OldestDueFirst, ApplicationPolicy::new()));
    let journal = desk.ledger.journal().to_vec();
    let err = tampered(&journal, journal.len() - 1, |change| {
        if let Change::CashApplied(applied) = change {
            let mut doc = (**applied).clone();
            doc.customer = other;
            *applied = Arc::new(doc);
        }
    });
    let application = ApplicationId::from_u128(30);
    assert_eq!(err, LedgerError::CustomerMismatch { application, from: CashSource::Payment(p), named: other, owner });
    names(&err, &[&application.to_string(), &format!("payment {p}"), &owner.to_string(), &other.to_string()]);
}

proptest! {
    /// Specific amounts are refused exactly when they add up to more than the
    /// amount applied, and the refusal names both sums as they are.
    #[test]
    fn specific_amounts_are_refused_exactly_beyond_the_amount_applied(
        cents in proptest::collection::vec(1..=10_000i64, 1..5),
        cap in 1..=40_000i64,
    ) {
        let mut desk = Desk::new();
        let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
        let named: i64 = cents.iter().sum();
        let mut pairs = Vec::new();
        for (k, cash) in cents.iter().enumerate() {
            let i = desk.invoice(10 + k as u128, c, date(2026, 1, 2), dec!(100.00));
            pairs.push((i, Money::from_minor(*cash, Currency::USD).expect("cents")));
        }
        let p = desk.pay(90, c, date(2026, 1, 20), Money::from_minor(named.max(cap), Currency::USD).expect("cents"));
        let applied = Money::from_minor(cap, Currency::USD).expect("cents");
        let before = desk.ledger.clone();
        let outcome = desk.run(apply(91, p, Some(applied), Target::Specific(pairs), ApplicationPolicy::new()));
        if named > cap {
            let expected = LedgerError::SpecificAmountsExceedApplied {
                application: ApplicationId::from_u128(91),
                named: Money::from_minor(named, Currency::USD).expect("cents"),
                applied,
            };
            prop_assert_eq!(outcome, Err(expected));
            prop_assert!(desk.ledger == before);
        } else {
            prop_assert!(outcome.is_ok(), "{:?}", outcome);
        }
    }
}
