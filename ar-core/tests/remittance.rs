//! `Target::Remittance`: a remittance settled line by line. Each line's cash
//! stands, a stated discount is taken exactly (and only as far as the invoice
//! offers it), and each line's residual is left open, written off or deducted
//! as the line says. Refused applications leave the ledger as it was; accepted
//! ones replay to the same ledger.

mod common;

use ar_core::*;
use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn usd(v: Decimal) -> Money {
    money(v, Currency::USD)
}

fn remit(invoice: InvoiceId, cash: Decimal) -> RemittanceLine {
    RemittanceLine::new(invoice, usd(cash))
}

fn deduct(n: u128, reason: DeductionReason) -> Residual {
    Residual::Deduction { id: DeductionId::from_u128(n), reason }
}

fn apply(n: u128, payment: PaymentId, lines: Vec<RemittanceLine>, policy: ApplicationPolicy) -> Action {
    Action::ApplyCash(ApplyCash {
        application: ApplicationId::from_u128(n),
        source: CashSource::Payment(payment),
        amount: None,
        target: Target::Remittance(lines),
        policy,
    })
}

fn replays_to_the_same_ledger(desk: &Desk) {
    let replayed = Ledger::replay(LedgerConfig::new(), desk.ledger.journal()).expect("replays");
    assert!(replayed == desk.ledger, "replay differs from the live ledger");
}

#[test]
fn each_line_settles_its_residual_its_own_way() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let b = desk.invoice(11, c, date(2026, 1, 3), dec!(200.00));
    let d = desk.invoice(12, c, date(2026, 1, 4), dec!(50.00));
    let e = desk.invoice(13, c, date(2026, 1, 5), dec!(80.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(369.00)));
    // A deduction of 0.02 next to a write-off of 0.05: one tolerance could not
    // tell them apart, the lines can. The policy has no tolerance at all.
    let lines = vec![
        remit(a, dec!(99.95)).residual(Residual::WriteOff),
        remit(b, dec!(199.98)).residual(deduct(40, DeductionReason::Pricing)),
        remit(d, dec!(20.00)).residual(Residual::LeaveOpen),
        remit(e, dec!(49.07)).residual(deduct(41, DeductionReason::Shortage)),
    ];
    desk.ok(apply(30, p, lines, ApplicationPolicy::new()));
    let settled = |i| {
        let v = desk.view(i);
        (v.cash, v.written_off, v.deducted, v.open)
    };
    assert_eq!(settled(a), (usd(dec!(99.95)), usd(dec!(0.05)), usd(dec!(0)), usd(dec!(0))));
    assert_eq!(settled(b), (usd(dec!(199.98)), usd(dec!(0)), usd(dec!(0.02)), usd(dec!(0))));
    assert_eq!(settled(d), (usd(dec!(20.00)), usd(dec!(0)), usd(dec!(0)), usd(dec!(30.00))));
    assert_eq!(settled(e), (usd(dec!(49.07)), usd(dec!(0)), usd(dec!(30.93)), usd(dec!(0))));
    let deductions = desk.ledger.deductions(Some(c), None);
    let found: Vec<_> = deductions.iter().map(|x| (x.deduction, x.invoice, x.amount, x.reason.clone())).collect();
    assert_eq!(
        found,
        vec![
            (DeductionId::from_u128(40), b, usd(dec!(0.02)), DeductionReason::Pricing),
            (DeductionId::from_u128(41), e, usd(dec!(30.93)), DeductionReason::Shortage),
        ]
    );
    // 369.00 in, 369.00 applied: nothing made up, nothing lost.
    let balance = desk.ledger.balance(c).expect("known customer");
    assert_eq!(balance.unapplied_cash, usd(dec!(0)));
    replays_to_the_same_ledger(&desk);
}

#[test]
fn a_line_as_the_policy_says_follows_its_tolerance_and_short_pay() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let b = desk.invoice(11, c, date(2026, 1, 3), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(189.97)));
    let policy = ApplicationPolicy::new()
        .write_off_up_to(dec!(0.05))
        .deduct_short_pay(vec![DeductionId::from_u128(50)], DeductionReason::Damage);
    desk.ok(apply(30, p, vec![remit(a, dec!(99.97)), remit(b, dec!(90.00))], policy));
    assert_eq!((desk.view(a).written_off, desk.view(a).open), (usd(dec!(0.03)), usd(dec!(0))));
    assert_eq!((desk.view(b).deducted, desk.view(b).open), (usd(dec!(10.00)), usd(dec!(0))));
    let reasons: Vec<_> = desk.ledger.deductions(Some(c), None).into_iter().map(|x| (x.deduction, x.reason)).collect();
    assert_eq!(reasons, vec![(DeductionId::from_u128(50), DeductionReason::Damage)]);
    replays_to_the_same_ledger(&desk);
}

#[test]
fn a_stated_discount_is_taken_exactly_and_only_as_far_as_offered() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::two_ten_net_30());
    let a = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let b = desk.invoice(11, c, date(2026, 1, 2), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 8), usd(dec!(197.00)));
    // 3.00 off an invoice offering 2.00: refused, naming both figures.
    let greedy = vec![remit(a, dec!(97.00)).discount(usd(dec!(3.00)))];
    let err = desk.refused(apply(30, p, greedy, ApplicationPolicy::new()));
    assert_eq!(
        err,
        LedgerError::DiscountNotOffered {
            invoice: a,
            number: "INV-00010".into(),
            received: date(2026, 1, 8),
            offered: usd(dec!(2.00)),
            claimed: usd(dec!(3.00)),
        }
    );
    // Without discounts in the policy nothing is offered.
    let none = vec![remit(a, dec!(98.00)).discount(usd(dec!(2.00)))];
    let err = desk.refused(apply(31, p, none, ApplicationPolicy::new().no_discounts()));
    assert!(matches!(err, LedgerError::DiscountNotOffered { offered, .. } if offered == usd(dec!(0.00))));
    // The full discount on one, part of it on the other: each taken as stated,
    // and the rest of the second left open.
    let lines = vec![
        remit(a, dec!(98.00)).discount(usd(dec!(2.00))),
        remit(b, dec!(99.00)).discount(usd(dec!(0.50))).residual(Residual::LeaveOpen),
    ];
    desk.ok(apply(32, p, lines, ApplicationPolicy::new()));
    let view = |i| {
        let v = desk.view(i);
        (v.cash, v.discounted, v.open)
    };
    assert_eq!(view(a), (usd(dec!(98.00)), usd(dec!(2.00)), usd(dec!(0))));
    assert_eq!(view(b), (usd(dec!(99.00)), usd(dec!(0.50)), usd(dec!(0.50))));
    replays_to_the_same_ledger(&desk);
}

#[test]
fn a_stated_discount_after_the_window_or_beyond_the_open_amount_is_refused() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::two_ten_net_30());
    let a = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let late = desk.pay(20, c, date(2026, 1, 20), usd(dec!(98.00)));
    let lines = vec![remit(a, dec!(98.00)).discount(usd(dec!(2.00)))];
    let err = desk.refused(apply(30, late, lines, ApplicationPolicy::new()));
    assert!(matches!(err, LedgerError::DiscountNotOffered { offered, .. } if offered.is_zero()));
    // Within the grace days it is offered again.
    let graced = vec![remit(a, dec!(98.00)).discount(usd(dec!(2.00)))];
    desk.ok(apply(31, late, graced, ApplicationPolicy::new().discount_grace_days(8)));
    assert_eq!(desk.view(a).open, usd(dec!(0)));
    // Cash and a stated discount beyond what is open: over-application.
    let b = desk.invoice(11, c, date(2026, 1, 21), dec!(100.00));
    let q = desk.pay(21, c, date(2026, 1, 22), usd(dec!(100.00)));
    let over = vec![remit(b, dec!(99.00)).discount(usd(dec!(2.00)))];
    let err = desk.refused(apply(32, q, over, ApplicationPolicy::new()));
    assert!(matches!(err, LedgerError::OverApplication { invoice, .. } if invoice == b));
    // A negative discount is no discount offered.
    let negative = vec![remit(b, dec!(99.00)).discount(usd(dec!(-1.00)))];
    let err = desk.refused(apply(33, q, negative, ApplicationPolicy::new()));
    assert!(matches!(err, LedgerError::DiscountNotOffered { claimed, .. } if claimed == usd(dec!(-1.00))));
}

#[test]
fn no_two_deductions_share_an_id() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let b = desk.invoice(11, c, date(2026, 1, 3), dec!(100.00));
    let d = desk.invoice(12, c, date(2026, 1, 4), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(150.00)));
    let same = DeductionId::from_u128(40);
    let duplicate = LedgerError::DuplicateId { kind: "deduction", id: same.as_uuid() };
    // The policy's ids, the same one twice.
    let policy = ApplicationPolicy::new().deduct_short_pay(vec![same, same], DeductionReason::Damage);
    let specific = Target::Specific(vec![(a, usd(dec!(50.00))), (b, usd(dec!(50.00)))]);
    let err = desk.refused(Action::ApplyCash(ApplyCash {
        application: ApplicationId::from_u128(30),
        source: CashSource::Payment(p),
        amount: None,
        target: specific,
        policy: policy.clone(),
    }));
    assert_eq!(err, duplicate);
    // Two lines naming one id.
    let twice = vec![
        remit(a, dec!(50.00)).residual(deduct(40, DeductionReason::Pricing)),
        remit(b, dec!(50.00)).residual(deduct(40, DeductionReason::Pricing)),
    ];
    assert_eq!(desk.refused(apply(31, p, twice, ApplicationPolicy::new())), duplicate);
    // A line's id and the policy's next id.
    let mixed = vec![remit(a, dec!(50.00)).residual(deduct(40, DeductionReason::Pricing)), remit(b, dec!(50.00))];
    let policy = ApplicationPolicy::new().deduct_short_pay(vec![same], DeductionReason::Damage);
    assert_eq!(desk.refused(apply(32, p, mixed, policy)), duplicate);
    // An id the ledger already holds.
    desk.ok(apply(
        33,
        p,
        vec![remit(a, dec!(50.00)).residual(deduct(40, DeductionReason::Pricing))],
        ApplicationPolicy::new(),
    ));
    let again = vec![remit(d, dec!(50.00)).residual(deduct(40, DeductionReason::Pricing))];
    assert_eq!(desk.refused(apply(34, p, again, ApplicationPolicy::new())), duplicate);
    replays_to_the_same_ledger(&desk);
}

#[test]
fn a_recorded_application_with_one_deduction_id_twice_does_not_replay() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let b = desk.invoice(11, c, date(2026, 1, 3), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(100.00)));
    let lines = vec![
        remit(a, dec!(50.00)).residual(deduct(40, DeductionReason::Pricing)),
        remit(b, dec!(50.00)).residual(deduct(41, DeductionReason::Pricing)),
    ];
    desk.ok(apply(30, p, lines, ApplicationPolicy::new()));
    let mut journal = desk.ledger.journal().to_vec();
    let last = journal.last_mut().expect("an event");
    let Change::CashApplied(applied) = &mut last.change else { panic!("the application") };
    let mut forged = (**applied).clone();
    forged.deductions[1].deduction = DeductionId::from_u128(40);
    *applied = std::sync::Arc::new(forged);
    assert!(Ledger::replay(LedgerConfig::new(), &journal).is_err());
}

#[test]
fn a_written_off_residual_needs_the_write_off_authority() {
    let approvals = ApprovalPolicy::new().require(Authority::WriteOff, Some(usd(dec!(10.00))), &["supervisor"]);
    let mut desk = Desk::with(LedgerConfig::new().approvals(approvals));
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(80.00)));
    desk.as_role("clerk");
    let lines = vec![remit(a, dec!(80.00)).residual(Residual::WriteOff)];
    let err = desk.refused(apply(30, p, lines.clone(), ApplicationPolicy::new()));
    assert!(matches!(err, LedgerError::NotAuthorized { authority: Authority::WriteOff, .. }));
    desk.as_role("supervisor");
    desk.ok(apply(31, p, lines, ApplicationPolicy::new()));
    assert_eq!(desk.view(a).written_off, usd(dec!(20.00)));
}

#[test]
fn a_settled_line_opens_no_deduction_and_a_partial_line_stays_open_by_default() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let b = desk.invoice(11, c, date(2026, 1, 3), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(160.00)));
    let lines = vec![remit(a, dec!(100.00)).residual(deduct(40, DeductionReason::Pricing)), remit(b, dec!(60.00))];
    desk.ok(apply(30, p, lines, ApplicationPolicy::new()));
    assert!(desk.ledger.deductions(Some(c), None).is_empty());
    assert_eq!((desk.view(a).open, desk.view(b).open), (usd(dec!(0)), usd(dec!(40.00))));
}

#[test]
fn a_card_number_in_a_lines_deduction_reason_is_masked() {
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let a = desk.invoice(10, c, date(2026, 1, 2), dec!(100.00));
    let p = desk.pay(20, c, date(2026, 1, 20), usd(dec!(60.00)));
    let reason = DeductionReason::Other("refund to card 4111 1111 1111 1111".into());
    let lines = vec![remit(a, dec!(60.00)).residual(Residual::Deduction { id: DeductionId::from_u128(40), reason })];
    let events = desk.ok(apply(30, p, lines, ApplicationPolicy::new()));
    let json = serde_json::to_string(&events).expect("serializes");
    let view = format!("{:?}", desk.ledger.deductions(Some(c), None));
    for text in [&json, &view] {
        assert!(!text.contains("4111 1111 1111 1111") && !text.contains("4111111111111111"), "{text}");
        assert!(text.contains("1111"), "the last four digits stay: {text}");
    }
}

#[test]
fn a_remittance_line_reads_from_json_with_only_invoice_and_cash() {
    let json = r#"{"invoice": "00000000-0000-0000-0000-00000000000a", "cash": {"amount": "12.50", "currency": "USD"}}"#;
    let line: RemittanceLine = serde_json::from_str(json).expect("reads");
    assert_eq!(line, RemittanceLine::new(InvoiceId::from_u128(10), usd(dec!(12.50))));
    let full = remit(InvoiceId::from_u128(10), dec!(12.50))
        .discount(usd(dec!(0.25)))
        .residual(deduct(40, DeductionReason::Other("PROMO 7".into())));
    let back: RemittanceLine = serde_json::from_str(&serde_json::to_string(&full).expect("writes")).expect("reads");
    assert_eq!(back, full);
}
