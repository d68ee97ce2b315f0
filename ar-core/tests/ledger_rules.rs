//! One test per ledger rule, with the awkward cases: JPY and KWD, a 0.01 residual,
//! a discount on its last day, reversals, deductions, disputes, credit, approvals.

mod common;

use ar_core::*;
use common::*;
use rust_decimal_macros::dec;

fn usd(v: rust_decimal::Decimal) -> Money {
    money(v, Currency::USD)
}

#[test]
fn an_invoice_takes_the_customers_terms_and_currency() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let inv = desk.invoice(10, c, date(2026, 1, 31), dec!(100.00));
    let view = desk.view(inv);
    assert_eq!(view.total, usd(dec!(100.00)));
    assert_eq!(view.status, InvoiceStatus::Open);
    assert_eq!(view.installments.len(), 1);
    assert_eq!(view.installments[0].due_date, date(2026, 3, 2));
    assert_eq!(desk.ledger.balance(c).map(|b| b.balance), Ok(usd(dec!(100.00))));
}

#[test]
fn document_numbers_are_unique_across_invoices_and_credit_memos() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    desk.invoice(10, c, date(2026, 1, 1), dec!(5.00));
    let mut again = desk.issue_cmd(11, c, date(2026, 1, 1), dec!(5.00));
    again.number = "INV-00010".into();
    let err = desk.run(Action::IssueInvoice(again));
    assert_eq!(
        err,
        Err(LedgerError::DuplicateNumber {
            number: "INV-00010".into(),
            document: DocumentRef::Invoice(InvoiceId::from_u128(11)),
            used_by: DocumentRef::Invoice(InvoiceId::from_u128(10)),
        })
    );
    let credit = IssueCreditMemo {
        credit_memo: CreditMemoId::from_u128(12),
        number: "INV-00010".into(),
        customer: c,
        document_date: date(2026, 1, 2),
        lines: vec![line(dec!(1.00))],
        against: None,
        reason: "x".into(),
        tax_rounding: TaxRounding::PerLine,
        rounding: Rounding::HalfUp,
    };
    assert!(matches!(desk.run(Action::IssueCreditMemo(credit)), Err(LedgerError::DuplicateNumber { .. })));
}

#[test]
fn discount_is_taken_on_its_last_day_and_not_the_day_after() {
    for (paid_on, grace, expect_discount) in [(11, 0, true), (12, 0, false), (12, 1, true), (14, 2, false)] {
        let mut desk = Desk::new();
        let c = desk.customer(1, Currency::USD, PaymentTerms::two_ten_net_30());
        let inv = desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
        let amount = if expect_discount { dec!(98.00) } else { dec!(100.00) };
        let p = desk.pay(20, c, date(2026, 1, paid_on), usd(amount));
        let policy = ApplicationPolicy::new().discount_grace_days(grace);
        desk.apply(30, p, Target::OldestDueFirst, policy).expect("applies");
        let view = desk.view(inv);
        assert_eq!(view.status, InvoiceStatus::Paid, "paid on day {paid_on} grace {grace}");
        let discount = if expect_discount { dec!(2.00) } else { dec!(0.00) };
        assert_eq!(view.discounted, usd(discount), "paid on day {paid_on} grace {grace}");
        assert_eq!(view.cash, usd(amount));
    }
}

#[test]
fn full_payment_inside_the_window_leaves_the_discount_as_unapplied_cash() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::two_ten_net_30());
    let inv = desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 5), usd(dec!(100.00)));
    desk.apply(30, p, Target::OldestDueFirst, ApplicationPolicy::new()).expect("applies");
    assert_eq!(desk.view(inv).discounted, usd(dec!(2.00)));
    let unapplied = desk.ledger.unapplied(c).expect("customer");
    assert_eq!(unapplied.len(), 1);
    assert_eq!(unapplied[0].amount, usd(dec!(2.00)));
}

#[test]
fn jpy_and_kwd_discounts_round_at_the_currencys_scale() {
    let mut desk = Desk::new();
    let terms = PaymentTerms::discount(dec!(2), 10, 30);
    let yen = desk.customer(1, Currency::JPY, terms.clone());
    let dinar = desk.customer(2, Currency::KWD, terms);
    let a = desk.invoice(10, yen, date(2026, 1, 1), dec!(12345));
    let b = desk.invoice(11, dinar, date(2026, 1, 1), dec!(12.345));
    // 2 % of 12345 = 246.9 → 247 yen; 2 % of 12.345 = 0.2469 → 0.247 dinar.
    let p = desk.pay(20, yen, date(2026, 1, 3), money(dec!(12098), Currency::JPY));
    let q = desk.pay(21, dinar, date(2026, 1, 3), money(dec!(12.098), Currency::KWD));
    desk.apply(30, p, Target::OldestDueFirst, ApplicationPolicy::new()).expect("yen applies");
    desk.apply(31, q, Target::OldestDueFirst, ApplicationPolicy::new()).expect("dinar applies");
    assert_eq!(desk.view(a).discounted, money(dec!(247), Currency::JPY));
    assert_eq!(desk.view(a).status, InvoiceStatus::Paid);
    assert_eq!(desk.view(b).discounted, money(dec!(0.247), Currency::KWD));
    assert_eq!(desk.view(b).status, InvoiceStatus::Paid);
}

#[test]
fn a_one_cent_residual_is_written_off_within_tolerance_and_stays_open_without() {
    for (tolerance, status) in [(Some(dec!(0.05)), InvoiceStatus::Paid), (None, InvoiceStatus::PartiallyPaid)] {
        let mut desk = Desk::new();
        let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
        let inv = desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
        let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(99.99)));
        let mut policy = ApplicationPolicy::new();
        if let Some(t) = tolerance {
            policy = policy.write_off_up_to(t);
        }
        desk.apply(30, p, Target::OldestDueFirst, policy).expect("applies");
        let view = desk.view(inv);
        assert_eq!(view.status, status);
        let written = if tolerance.is_some() { dec!(0.01) } else { dec!(0.00) };
        assert_eq!(view.written_off, usd(written));
        assert_eq!(view.open, usd(dec!(0.01) - written));
    }
}

#[test]
fn percent_tolerance_and_absolute_tolerance_must_both_hold() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let inv = desk.invoice(10, c, date(2026, 1, 1), dec!(10.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(9.80)));
    // 0.20 is within 1.00 but above 1 % of 10.00 (0.10): stays open.
    let policy = ApplicationPolicy::new().write_off_up_to(dec!(1.00)).write_off_up_to_percent(dec!(1));
    desk.apply(30, p, Target::OldestDueFirst, policy).expect("applies");
    assert_eq!(desk.view(inv).open, usd(dec!(0.20)));
}

#[test]
fn a_short_payment_becomes_a_deduction_and_is_resolved_each_way() {
    for resolution in 0..4 {
        let mut desk = Desk::new();
        let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
        let inv = desk.invoice(10, c, date(2026, 1, 1), dec!(500.00));
        let p = desk.pay(20, c, date(2026, 1, 25), usd(dec!(450.00)));
        let d = DeductionId::from_u128(40);
        let policy =
            ApplicationPolicy::new().write_off_up_to(dec!(1.00)).deduct_short_pay(vec![d], DeductionReason::Damage);
        desk.apply(30, p, Target::OldestDueFirst, policy).expect("applies");
        assert_eq!(desk.view(inv).status, InvoiceStatus::Paid);
        assert_eq!(desk.view(inv).deducted, usd(dec!(50.00)));
        let open = desk.ledger.deductions(Some(c), Some(DeductionStatus::Open));
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].amount, usd(dec!(50.00)));
        assert_eq!(desk.ledger.balance(c).map(|b| b.open_deductions), Ok(usd(dec!(50.00))));
        desk.ok(Action::ReviewDeduction { deduction: d });
        let (res, status) = match resolution {
            0 => (
                DeductionResolution::Valid { credit_memo: CreditMemoId::from_u128(50), number: "CM-1".into() },
                DeductionStatus::Valid,
            ),
            1 => (
                DeductionResolution::Rebill { debit_memo: InvoiceId::from_u128(51), number: "DM-1".into() },
                DeductionStatus::Invalid,
            ),
            2 => {
                desk.pay(52, c, date(2026, 2, 10), usd(dec!(50.00)));
                (DeductionResolution::Repaid { payment: PaymentId::from_u128(52) }, DeductionStatus::Invalid)
            }
            _ => (DeductionResolution::WriteOff { reason: "not worth it".into() }, DeductionStatus::WrittenOff),
        };
        desk.ok(Action::ResolveDeduction { deduction: d, resolution: res });
        assert_eq!(desk.ledger.deductions(Some(c), Some(status)).len(), 1, "resolution {resolution}");
        let balance = desk.ledger.balance(c).expect("customer");
        assert_eq!(balance.open_deductions, usd(dec!(0.00)));
        let expected = if resolution == 1 { dec!(50.00) } else { dec!(0.00) };
        assert_eq!(balance.balance, usd(expected), "resolution {resolution}");
        let again = desk.run(Action::ResolveDeduction {
            deduction: d,
            resolution: DeductionResolution::WriteOff { reason: "again".into() },
        });
        assert!(matches!(again, Err(LedgerError::DeductionClosed { .. })));
    }
}

#[test]
fn deductions_need_ids_from_the_host() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    desk.invoice(10, c, date(2026, 1, 1), dec!(500.00));
    let p = desk.pay(20, c, date(2026, 1, 25), usd(dec!(450.00)));
    let policy = ApplicationPolicy::new().deduct_short_pay(vec![], DeductionReason::Pricing);
    let err = desk.apply(30, p, Target::OldestDueFirst, policy);
    assert_eq!(
        err,
        Err(LedgerError::DeductionIdsExhausted {
            invoice: InvoiceId::from_u128(10),
            number: "INV-00010".into(),
            short: usd(dec!(50.00)),
            needed: 1,
            given: 0,
        })
    );
}

#[test]
fn overpayment_stays_on_account_and_can_be_applied_later_or_refunded() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(180.00)));
    desk.apply(30, p, Target::OldestDueFirst, ApplicationPolicy::new()).expect("applies");
    assert_eq!(desk.view(a).status, InvoiceStatus::Paid);
    assert_eq!(desk.ledger.balance(c).map(|b| b.balance), Ok(usd(dec!(-80.00))));
    let b = desk.invoice(11, c, date(2026, 2, 1), dec!(50.00));
    desk.apply(31, p, Target::OldestDueFirst, ApplicationPolicy::new()).expect("applies the rest");
    assert_eq!(desk.view(b).status, InvoiceStatus::Paid);
    let source = CashSource::Payment(p);
    let too_much = desk.run(Action::Refund { refund: RefundId::from_u128(60), source, amount: usd(dec!(30.01)) });
    assert!(matches!(too_much, Err(LedgerError::InsufficientUnapplied { .. })));
    desk.ok(Action::Refund { refund: RefundId::from_u128(60), source, amount: usd(dec!(30.00)) });
    assert_eq!(desk.ledger.balance(c).map(|b| b.balance), Ok(usd(dec!(0.00))));
}

#[test]
fn unapply_restores_the_exact_previous_balances() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::two_ten_net_30());
    let a = desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
    let b = desk.invoice(11, c, date(2026, 1, 2), dec!(70.00));
    let p = desk.pay(20, c, date(2026, 1, 5), usd(dec!(120.00)));
    let before = (desk.view(a), desk.view(b), desk.ledger.balance(c), desk.ledger.open_items(c));
    let policy = ApplicationPolicy::new().deduct_short_pay(vec![DeductionId::from_u128(40)], DeductionReason::Pricing);
    desk.apply(30, p, Target::OldestDueFirst, policy).expect("applies");
    // 22.00 reaches invoice b: not enough to settle it, so no discount; 48.00 is deducted.
    assert_eq!(desk.view(b).deducted, usd(dec!(48.00)));
    desk.ok(Action::Unapply { application: ApplicationId::from_u128(30) });
    let after = (desk.view(a), desk.view(b), desk.ledger.balance(c), desk.ledger.open_items(c));
    assert_eq!(before, after);
    assert_eq!(desk.ledger.deductions(None, Some(DeductionStatus::Reversed)).len(), 1);
    let twice = desk.run(Action::Unapply { application: ApplicationId::from_u128(30) });
    assert_eq!(twice, Err(LedgerError::AlreadyReversed(ApplicationId::from_u128(30))));
    assert_eq!(desk.ledger.invoice_history(a).map(|h| h.len()), Ok(1));
}

#[test]
fn specific_pro_rata_and_fees_first_targets() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
    let b = desk.invoice(11, c, date(2026, 1, 2), dec!(200.00));
    let mut fee = desk.issue_cmd(12, c, date(2026, 3, 1), dec!(15.00));
    fee.kind = InvoiceKind::DebitMemo(DebitReason::Fee);
    desk.ok(Action::IssueInvoice(fee));
    let f = InvoiceId::from_u128(12);

    let p = desk.pay(20, c, date(2026, 3, 2), usd(dec!(30.00)));
    desk.apply(30, p, Target::FeesFirst, ApplicationPolicy::new()).expect("fees first");
    assert_eq!(desk.view(f).status, InvoiceStatus::Paid);
    assert_eq!(desk.view(a).open, usd(dec!(85.00)));

    let q = desk.pay(21, c, date(2026, 3, 3), usd(dec!(100.00)));
    desk.apply(31, q, Target::ProRata(vec![a, b]), ApplicationPolicy::new()).expect("pro rata");
    // Open 85 and 200 share 100 by weight: 29.82… and 70.17… → 29.82, 70.18.
    assert_eq!(desk.view(a).open, usd(dec!(55.18)));
    assert_eq!(desk.view(b).open, usd(dec!(129.82)));

    let r = desk.pay(22, c, date(2026, 3, 4), usd(dec!(10.00)));
    desk.apply(32, r, Target::Specific(vec![(b, usd(dec!(10.00)))]), ApplicationPolicy::new()).expect("specific");
    assert_eq!(desk.view(b).open, usd(dec!(119.82)));
    let s = desk.pay(23, c, date(2026, 3, 4), usd(dec!(500.00)));
    let over = desk.apply(33, s, Target::Specific(vec![(a, usd(dec!(60.00)))]), ApplicationPolicy::new());
    assert!(matches!(over, Err(LedgerError::OverApplication { .. })));
}

#[test]
fn credit_memos_against_an_invoice_and_on_account() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
    let memo = |n: u128, against: Option<InvoiceId>, amount| IssueCreditMemo {
        credit_memo: CreditMemoId::from_u128(n),
        number: format!("CM-{n}"),
        customer: c,
        document_date: date(2026, 1, 5),
        lines: vec![line(amount)],
        against,
        reason: "returned goods".into(),
        tax_rounding: TaxRounding::PerLine,
        rounding: Rounding::HalfUp,
    };
    desk.ok(Action::IssueCreditMemo(memo(50, Some(a), dec!(100.00))));
    assert_eq!(desk.view(a).status, InvoiceStatus::Credited);
    let b = desk.invoice(11, c, date(2026, 1, 6), dec!(40.00));
    desk.ok(Action::IssueCreditMemo(memo(51, None, dec!(25.00))));
    assert_eq!(desk.ledger.balance(c).map(|x| x.balance), Ok(usd(dec!(15.00))));
    desk.ok(Action::ApplyCash(ApplyCash {
        application: ApplicationId::from_u128(60),
        source: CashSource::CreditMemo(CreditMemoId::from_u128(51)),
        amount: None,
        target: Target::OldestDueFirst,
        policy: ApplicationPolicy::new(),
    }));
    assert_eq!(desk.view(b).open, usd(dec!(15.00)));
    assert_eq!(desk.view(b).credited, usd(dec!(25.00)));
    let early = IssueCreditMemo { document_date: date(2025, 12, 31), ..memo(52, Some(b), dec!(1.00)) };
    assert!(matches!(desk.run(Action::IssueCreditMemo(early)), Err(LedgerError::DateBeforeDocument { .. })));
}

#[test]
fn only_an_untouched_invoice_can_be_voided() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
    let b = desk.invoice(11, c, date(2026, 1, 1), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 2), usd(dec!(10.00)));
    desk.apply(30, p, Target::Specific(vec![(b, usd(dec!(10.00)))]), ApplicationPolicy::new()).expect("applies");
    desk.ok(Action::VoidInvoice { invoice: a, reason: "duplicate".into() });
    assert_eq!(desk.view(a).status, InvoiceStatus::Void);
    let refused = desk.run(Action::VoidInvoice { invoice: b, reason: "x".into() });
    assert!(matches!(refused, Err(LedgerError::InvoiceHasActivity { .. })));
    assert_eq!(desk.ledger.balance(c).map(|x| x.open_invoices), Ok(usd(dec!(90.00))));
}

#[test]
fn disputed_amounts_are_held_out_of_collection_until_resolved() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
    let dispute = DisputeId::from_u128(70);
    desk.ok(Action::OpenDispute { dispute, invoice: a, amount: usd(dec!(30.00)), reason: "late delivery".into() });
    let too_much = desk.run(Action::OpenDispute {
        dispute: DisputeId::from_u128(71),
        invoice: a,
        amount: usd(dec!(70.01)),
        reason: "x".into(),
    });
    assert!(matches!(too_much, Err(LedgerError::DisputeTooLarge { .. })));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(100.00)));
    desk.apply(30, p, Target::OldestDueFirst, ApplicationPolicy::new()).expect("applies the undisputed part");
    assert_eq!(desk.view(a).open, usd(dec!(30.00)));
    assert_eq!(desk.view(a).disputed, usd(dec!(30.00)));
    desk.ok(Action::ResolveDispute {
        dispute,
        resolution: DisputeResolution::Credited { credit_memo: CreditMemoId::from_u128(71), number: "CM-71".into() },
    });
    assert_eq!(desk.view(a).status, InvoiceStatus::Paid);
    assert_eq!(desk.view(a).disputed, usd(dec!(0.00)));
    assert_eq!(desk.view(a).credited, usd(dec!(30.00)));
    assert_eq!(
        desk.run(Action::ResolveDispute { dispute, resolution: DisputeResolution::Rejected }),
        Err(LedgerError::DisputeClosed(dispute))
    );
}

#[test]
fn credit_check_gives_every_reason() {
    let config = LedgerConfig::new().credit(CreditPolicy::new().hold_when_overdue_beyond(60));
    let mut desk = Desk::with(config);
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    desk.ok(Action::SetCreditLimit { customer: c, limit: Some(usd(dec!(1000.00))) });
    desk.invoice(10, c, date(2026, 1, 1), dec!(600.00));
    let check = |desk: &Desk, amount, on| desk.ledger.credit_check(c, usd(amount), on, usd(dec!(0)));
    assert_eq!(check(&desk, dec!(100.00), date(2026, 1, 10)), Ok(CreditDecision::Approve));
    let near = check(&desk, dec!(350.00), date(2026, 1, 10)).expect("checks");
    assert!(
        matches!(near, CreditDecision::ApproveWithWarnings(ref r) if matches!(r[0], CreditReason::NearLimit { .. }))
    );
    let over = check(&desk, dec!(500.00), date(2026, 1, 10)).expect("checks");
    let CreditDecision::Hold(reasons) = over else { panic!("expected a hold") };
    assert_eq!(
        reasons[0],
        CreditReason::OverLimit { exposure: usd(dec!(1100.00)), limit: usd(dec!(1000.00)), over_by: usd(dec!(100.00)) }
    );
    desk.ok(Action::GrantTemporaryCredit { customer: c, amount: usd(dec!(500.00)), expires: date(2026, 1, 31) });
    // 1,100 of 1,500 while the increase lasts (its last day counts); over again after.
    assert_eq!(check(&desk, dec!(500.00), date(2026, 1, 31)), Ok(CreditDecision::Approve));
    assert!(matches!(check(&desk, dec!(500.00), date(2026, 2, 1)), Ok(CreditDecision::Hold(_))));
    // Due 2026-01-31; 61 days later it is overdue beyond the policy's 60.
    let late = check(&desk, dec!(1.00), date(2026, 4, 2)).expect("checks");
    assert!(matches!(late, CreditDecision::Hold(ref r) if matches!(r[0], CreditReason::Overdue { days: 61, .. })));
    desk.ok(Action::PlaceHold { customer: c, reason: "legal review".into() });
    let held = check(&desk, dec!(1.00), date(2026, 1, 10)).expect("checks");
    assert_eq!(held, CreditDecision::Hold(vec![CreditReason::ManualHold { reason: "legal review".into() }]));
    desk.ok(Action::ReleaseHold { customer: c });
    assert_eq!(check(&desk, dec!(1.00), date(2026, 1, 10)), Ok(CreditDecision::Approve));
    assert_eq!(desk.run(Action::ReleaseHold { customer: c }), Err(LedgerError::NotOnHold(c)));
}

#[test]
fn exposure_counts_disputes_by_policy_and_nets_unapplied_cash() {
    for include in [true, false] {
        let policy = if include { CreditPolicy::new() } else { CreditPolicy::new().exclude_disputed() };
        let mut desk = Desk::with(LedgerConfig::new().credit(policy));
        let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
        let a = desk.invoice(10, c, date(2026, 1, 1), dec!(300.00));
        desk.ok(Action::OpenDispute {
            dispute: DisputeId::from_u128(5),
            invoice: a,
            amount: usd(dec!(100.00)),
            reason: "x".into(),
        });
        desk.pay(20, c, date(2026, 1, 2), usd(dec!(50.00)));
        let e = desk.ledger.exposure(c, date(2026, 1, 3), usd(dec!(25.00))).expect("exposure");
        let expected = if include { dec!(275.00) } else { dec!(175.00) };
        assert_eq!(e.total, usd(expected));
    }
}

#[test]
fn approvals_name_the_role_required() {
    let approvals = ApprovalPolicy::new()
        .require(Authority::WriteOff, Some(usd(dec!(50.00))), &["supervisor"])
        .require(Authority::CreditLimitChange, None, &["credit_manager"]);
    let mut desk = Desk::with(LedgerConfig::new().approvals(approvals));
    // An account without a limit has unlimited credit: the credit manager opens it.
    desk.as_role("credit_manager");
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 1), dec!(500.00));
    desk.as_role("clerk");
    desk.ok(Action::WriteOff { invoice: a, amount: usd(dec!(50.00)), reason: "small".into() });
    let refused = desk.run(Action::WriteOff { invoice: a, amount: usd(dec!(50.01)), reason: "bad debt".into() });
    let Err(LedgerError::NotAuthorized { required, authority, .. }) = refused else { panic!("expected a refusal") };
    assert_eq!((authority, required), (Authority::WriteOff, vec![Role::new("supervisor")]));
    let limit = desk.run(Action::SetCreditLimit { customer: c, limit: Some(usd(dec!(10.00))) });
    assert!(matches!(limit, Err(LedgerError::NotAuthorized { .. })));
    assert!(limit.map_err(|e| e.to_string()).unwrap_err().contains("credit_manager"));
    desk.as_role("credit_manager");
    desk.ok(Action::SetCreditLimit { customer: c, limit: Some(usd(dec!(10.00))) });
    // Tolerance write-offs inside an application are checked too.
    desk.as_role("clerk");
    let p = desk.pay(20, c, date(2026, 1, 2), usd(dec!(380.00)));
    let policy = ApplicationPolicy::new().write_off_up_to(dec!(100.00));
    assert!(matches!(desk.apply(30, p, Target::OldestDueFirst, policy), Err(LedgerError::NotAuthorized { .. })));
}

#[test]
fn the_same_command_twice_returns_the_same_events_and_changes_nothing() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let cmd = desk.command(Action::IssueInvoice(desk.issue_cmd(10, c, date(2026, 1, 1), dec!(9.99))));
    let first = desk.ledger.execute(cmd.clone()).expect("issues").to_vec();
    let snapshot = desk.ledger.clone();
    assert_eq!(desk.ledger.execute(cmd.clone()).map(<[_]>::to_vec), Ok(first));
    assert!(desk.ledger == snapshot);
    let mut other = cmd.clone();
    other.action = Action::IssueInvoice(desk.issue_cmd(11, c, date(2026, 1, 1), dec!(9.99)));
    assert_eq!(desk.ledger.execute(other.clone()).map(<[_]>::len), Err(LedgerError::CommandIdReused(cmd.id)));
    // After a replay, a retried command is still recognised.
    let mut replayed = Ledger::replay(LedgerConfig::new(), desk.ledger.journal()).expect("replays");
    assert_eq!(replayed.execute(cmd.clone()).map(<[_]>::len), Ok(1));
    assert_eq!(replayed.execute(other).map(<[_]>::len), Err(LedgerError::CommandIdReused(cmd.id)));
}

#[test]
fn a_command_of_several_events_is_recognised_whole_and_its_id_cannot_come_back_later() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
    // A credit memo against an invoice is two events: the memo and its application.
    let memo = desk.command(Action::IssueCreditMemo(IssueCreditMemo {
        credit_memo: CreditMemoId::from_u128(50),
        number: "CM-50".into(),
        customer: c,
        document_date: date(2026, 1, 5),
        lines: vec![line(dec!(30.00))],
        against: Some(a),
        reason: "returned goods".into(),
        tax_rounding: TaxRounding::PerLine,
        rounding: Rounding::HalfUp,
    }));
    let events = desk.ledger.execute(memo.clone()).expect("issues").to_vec();
    assert_eq!(events.len(), 2);
    desk.invoice(11, c, date(2026, 1, 6), dec!(40.00));
    desk.invoice(12, c, date(2026, 1, 7), dec!(40.00));
    let mut replayed = Ledger::replay(LedgerConfig::new(), desk.ledger.journal()).expect("replays");
    assert_eq!(replayed.execute(memo.clone()).map(<[_]>::to_vec), Ok(events));
    assert!(replayed == desk.ledger);

    // A recorded event may continue only the command of the event just before
    // it: here the last event (invoice 11's) claims the credit memo's id.
    let journal = desk.ledger.journal().to_vec();
    let second = journal.iter().rposition(|e| e.command == memo.id).expect("the memo's events");
    let last = journal.len() - 1;
    assert!(second + 1 < last, "another command's event lies between");
    let mut forged = journal.clone();
    forged[last].command = memo.id;
    forged[last].fingerprint = journal[second].fingerprint;
    let error = LedgerError::CommandIdReused(memo.id);
    let refused = Ledger::replay(LedgerConfig::new(), &forged).err();
    assert_eq!(refused, Some(ReplayError::Inconsistent { sequence: last as u64, error: error.clone() }));
    // Nor may a command's later event carry another fingerprint.
    let mut forged = journal;
    forged[second].fingerprint ^= 1;
    let refused = Ledger::replay(LedgerConfig::new(), &forged).err();
    assert_eq!(refused, Some(ReplayError::Inconsistent { sequence: second as u64, error }));
}

#[test]
fn events_round_trip_through_json_and_replay_to_the_same_ledger() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::two_ten_net_30());
    desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 3), usd(dec!(150.00)));
    desk.apply(30, p, Target::OldestDueFirst, ApplicationPolicy::new()).expect("applies");
    let json = serde_json::to_string(desk.ledger.journal()).expect("serializes");
    let events: Vec<Event> = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(events, desk.ledger.journal());
    assert!(json.contains(r#""type":"cash_applied""#));
    assert!(json.contains(r#""amount":"98.00""#));
    let replayed = Ledger::replay(LedgerConfig::new(), &events).expect("replays");
    assert!(replayed == desk.ledger);
}

/// The persisted shape of the changes the stored journal in `tests/data` does
/// not hold: each is one flat object, its fields beside its `"type"`.
#[test]
fn every_change_is_one_flat_object_in_json() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    desk.as_role("credit_manager");
    desk.ok(Action::SetTerms { customer: c, terms: PaymentTerms::two_ten_net_30() });
    desk.ok(Action::SetCreditLimit { customer: c, limit: Some(usd(dec!(900.00))) });
    desk.ok(Action::GrantTemporaryCredit { customer: c, amount: usd(dec!(50.00)), expires: date(2026, 1, 31) });
    desk.as_role("supervisor");
    let a = desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
    let dispute = DisputeId::from_u128(70);
    desk.ok(Action::OpenDispute { dispute, invoice: a, amount: usd(dec!(30.00)), reason: "late".into() });
    desk.ok(Action::ResolveDispute { dispute, resolution: DisputeResolution::Rejected });
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(10.00)));
    desk.ok(Action::Refund {
        refund: RefundId::from_u128(60),
        source: CashSource::Payment(p),
        amount: usd(dec!(4.00)),
    });
    let json = serde_json::to_value(desk.ledger.journal()).expect("serializes");
    let shape = |kind: &str| -> Vec<String> {
        let events = json.as_array().into_iter().flatten();
        let change = events.map(|e| &e["change"]).find(|c| c["type"] == kind).expect(kind);
        change.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
    };
    assert_eq!(shape("terms_set"), ["customer", "terms", "type"]);
    assert_eq!(shape("credit_limit_set"), ["customer", "limit", "type"]);
    assert_eq!(shape("temporary_credit_granted"), ["amount", "customer", "expires", "type"]);
    assert_eq!(shape("dispute_opened"), ["amount", "dispute", "invoice", "reason", "type"]);
    assert_eq!(shape("dispute_resolved"), ["dispute", "resolution", "type"]);
    assert_eq!(shape("refunded"), ["amount", "refund", "source", "type"]);
    let events: Vec<Event> = serde_json::from_value(json).expect("deserializes");
    assert_eq!(events, desk.ledger.journal());
}

#[test]
fn replay_refuses_gaps_and_events_that_do_not_fit() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    desk.invoice(10, c, date(2026, 1, 1), dec!(100.00));
    let journal = desk.ledger.journal().to_vec();
    let gap = Ledger::replay(LedgerConfig::new(), &journal[1..]);
    assert_eq!(gap.err(), Some(ReplayError::OutOfSequence { expected: 0, got: 1 }));
    let mut ledger = Ledger::new(LedgerConfig::new());
    let mut orphan = journal[1].clone();
    orphan.sequence = 0;
    assert!(matches!(ledger.apply(&orphan), Err(ReplayError::Inconsistent { .. })));
    assert!(ledger == Ledger::new(LedgerConfig::new()));
}

#[test]
fn no_serialized_event_or_debug_output_holds_a_full_card_number() {
    let pan = "4111111111111111";
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let card = CardRef::from_card_number("4111 1111 1111 1111", "tok_visa_123").expect("valid card");
    let mut cmd = pay_cmd(20, c, date(2026, 1, 2), usd(dec!(10.00)));
    cmd.method = PaymentMethod::Card(card);
    cmd.remittance = FreeText::new("card 4111-1111-1111-1111 for INV-1");
    cmd.payer_reference = FreeText::new(pan);
    let command = desk.command(Action::ReceivePayment(cmd));
    let events = desk.ledger.execute(command.clone()).expect("receives").to_vec();
    let json = serde_json::to_string(&events).expect("serializes");
    let debug = format!("{events:?} {command:?} {:?}", desk.ledger);
    for text in [&json, &debug] {
        let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
        assert!(!text.contains(pan) && !text.contains("4111-1111-1111-1111") && !text.contains("4111 1111 1111 1111"));
        assert!(!digits.contains(pan), "a card number hides in the digits");
    }
    assert!(json.contains("1111"));
    // Deserializing text that holds a card number masks it too.
    let payload = format!(r#""pay {pan}""#);
    let text: FreeText = serde_json::from_str(&payload).expect("deserializes");
    assert!(!text.as_str().contains(pan));
}

#[test]
fn deposits_group_payments_of_one_currency_once() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.pay(20, c, date(2026, 1, 2), usd(dec!(10.00)));
    let b = desk.pay(21, c, date(2026, 1, 2), usd(dec!(15.50)));
    let events = desk.ok(Action::RecordDeposit {
        deposit: DepositId::from_u128(80),
        bank_account: "DE89".into(),
        payments: vec![a, b],
    });
    assert!(matches!(&events[0].change, Change::DepositRecorded(d) if d.total == usd(dec!(25.50))));
    let again = desk.run(Action::RecordDeposit {
        deposit: DepositId::from_u128(81),
        bank_account: "DE89".into(),
        payments: vec![a],
    });
    assert!(matches!(again, Err(LedgerError::AlreadyDeposited { .. })));
    let empty = desk.run(Action::RecordDeposit {
        deposit: DepositId::from_u128(82),
        bank_account: "DE89".into(),
        payments: vec![],
    });
    assert_eq!(empty, Err(LedgerError::EmptyDeposit { deposit: DepositId::from_u128(82) }));
}

#[test]
fn installments_are_paid_in_order_and_discounts_apply_per_installment() {
    let mut desk = Desk::new();
    let terms = PaymentTerms {
        name: "50/50".into(),
        installments: vec![
            InstallmentRule { portion: Portion::Percent(dec!(50)), due: DueRule::DaysAfter(30) },
            InstallmentRule { portion: Portion::Balance, due: DueRule::DaysAfter(60) },
        ],
        discounts: vec![],
        discount_base: DiscountBase::Total,
    };
    let c = desk.customer(1, Currency::USD, terms);
    let a = desk.invoice(10, c, date(2024, 1, 31), dec!(0.03));
    let view = desk.view(a);
    assert_eq!(view.installments.iter().map(|i| i.amount.amount()).collect::<Vec<_>>(), [dec!(0.02), dec!(0.01)]);
    assert_eq!(view.installments[1].due_date, date(2024, 3, 31));
    let p = desk.pay(20, c, date(2024, 3, 1), usd(dec!(0.02)));
    desk.apply(30, p, Target::OldestDueFirst, ApplicationPolicy::new()).expect("applies");
    let open: Vec<_> = desk.view(a).installments.iter().map(|i| i.open.amount()).collect();
    assert_eq!(open, [dec!(0.00), dec!(0.01)]);
    assert_eq!(desk.view(a).days_overdue(date(2024, 4, 2)), Some(2));

    // 2 % within 10 days on each half: each installment earns its own discount.
    let split = PaymentTerms {
        name: "50/50 2/10".into(),
        installments: vec![
            InstallmentRule { portion: Portion::Percent(dec!(50)), due: DueRule::DaysAfter(30) },
            InstallmentRule { portion: Portion::Balance, due: DueRule::DaysAfter(60) },
        ],
        discounts: vec![],
        discount_base: DiscountBase::Total,
    }
    .with_discount(10, DiscountRate::Percent(dec!(2)));
    let d = desk.customer(2, Currency::USD, split);
    let b = desk.invoice(11, d, date(2024, 5, 1), dec!(100.00));
    let offers: Vec<_> = desk.view(b).installments.iter().map(|i| i.discounts.len()).collect();
    assert_eq!(offers, [1, 1]);
    let q = desk.pay(21, d, date(2024, 5, 5), usd(dec!(49.00)));
    desk.apply(31, q, Target::OldestDueFirst, ApplicationPolicy::new()).expect("first half, net");
    assert_eq!((desk.view(b).discounted, desk.view(b).open), (usd(dec!(1.00)), usd(dec!(50.00))));
    let r = desk.pay(22, d, date(2024, 5, 9), usd(dec!(49.00)));
    desk.apply(32, r, Target::OldestDueFirst, ApplicationPolicy::new()).expect("second half, net");
    assert_eq!((desk.view(b).discounted, desk.view(b).status), (usd(dec!(2.00)), InvoiceStatus::Paid));
    // After the window the second half of another invoice is due in full.
    let e = desk.invoice(12, d, date(2024, 6, 1), dec!(100.00));
    let s = desk.pay(23, d, date(2024, 6, 3), usd(dec!(49.00)));
    desk.apply(33, s, Target::OldestDueFirst, ApplicationPolicy::new()).expect("first half, net");
    let t = desk.pay(24, d, date(2024, 6, 20), usd(dec!(49.00)));
    desk.apply(34, t, Target::OldestDueFirst, ApplicationPolicy::new()).expect("late: no discount");
    assert_eq!((desk.view(e).discounted, desk.view(e).open), (usd(dec!(1.00)), usd(dec!(1.00))));
}
