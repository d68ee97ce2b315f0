//! The credit check's overdue reason names the open invoice whose oldest open
//! installment is the most days past due, the first in collection order
//! among equals. The check stops early where schedules keep their due dates
//! in order; these properties hold it to a scan of every open invoice, with
//! schedules in order and out of order, partial payments and disputes.

mod common;

use ar_core::*;
use common::{Desk, date, money};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Terms by number: net 10, net 30, two halves due in order, two halves due
/// out of order (the second before the first).
fn terms(kind: u8) -> PaymentTerms {
    let halves = |first: u32, second: u32| PaymentTerms {
        name: format!("half {first}, half {second}"),
        installments: vec![
            InstallmentRule { portion: Portion::Percent(Decimal::from(50)), due: DueRule::DaysAfter(first) },
            InstallmentRule { portion: Portion::Percent(Decimal::from(50)), due: DueRule::DaysAfter(second) },
        ],
        discounts: vec![],
        discount_base: DiscountBase::Total,
    };
    match kind {
        0 => PaymentTerms::net(10),
        1 => PaymentTerms::net_30(),
        2 => halves(15, 45),
        _ => halves(60, 20),
    }
}

/// (day of issue, terms kind, price in dollars)
type InvoiceSpec = (u32, u8, u32);

/// What a scan of every open invoice finds: the most days past due of an
/// invoice with something collectible, the first in collection order
/// (first due date, document date, issue order) among equals.
fn worst_by_scan(desk: &Desk, invoices: &[InvoiceId], as_of: chrono::NaiveDate) -> Option<(InvoiceId, i64)> {
    let mut open: Vec<(chrono::NaiveDate, chrono::NaiveDate, usize, InvoiceView)> = invoices
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let v = desk.view(*id);
            (v.installments.first().map_or(v.document_date, |i| i.due_date), v.document_date, i, v)
        })
        .collect();
    open.sort_by_key(|(due, doc, i, _)| (*due, *doc, *i));
    let mut worst: Option<(InvoiceId, i64)> = None;
    for (_, _, _, view) in &open {
        let collectible = view.open.minor() - view.disputed.minor();
        if collectible <= 0 {
            continue;
        }
        if let Some(days) = view.days_overdue(as_of)
            && worst.is_none_or(|(_, d)| days > d)
        {
            worst = Some((view.invoice, days));
        }
    }
    worst
}

fn overdue_reason(decision: &CreditDecision) -> Option<(InvoiceId, i64)> {
    let reasons = match decision {
        CreditDecision::Hold(r) | CreditDecision::ApproveWithWarnings(r) => r.as_slice(),
        _ => &[],
    };
    reasons.iter().find_map(|r| match r {
        CreditReason::Overdue { invoice, days, .. } => Some((*invoice, *days)),
        _ => None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_overdue_reason_is_the_worst_open_invoice_a_scan_finds(
        invoices in prop::collection::vec((0u32..60, 0u8..4, 1u32..500), 1..25),
        payments in prop::collection::vec((0u32..90, 1u32..800), 0..6),
        disputes in prop::collection::vec((any::<prop::sample::Index>(), 1u32..200), 0..3),
        as_of in 0u32..200,
    ) {
        let day = |d: u32| date(2026, 1, 1) + chrono::Days::new(u64::from(d));
        let usd = |dollars: u32| money(Decimal::from(dollars), Currency::USD);
        let config = LedgerConfig::new().credit(CreditPolicy::new().hold_when_overdue_beyond(0));
        let mut desk = Desk::with(config);
        let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
        let mut sorted: Vec<InvoiceSpec> = invoices.clone();
        sorted.sort_by_key(|(d, _, _)| *d);
        let mut ids = Vec::new();
        for (n, (d, kind, price)) in sorted.iter().enumerate() {
            desk.today = desk.today.max(day(*d));
            let mut cmd = desk.issue_cmd(100 + n as u128, c, day(*d), Decimal::from(*price));
            cmd.terms = Some(terms(*kind));
            desk.ok(Action::IssueInvoice(cmd));
            ids.push(InvoiceId::from_u128(100 + n as u128));
        }
        let last_issue = sorted.last().map_or(0, |s| s.0);
        for (n, (index, dollars)) in disputes.iter().enumerate() {
            let invoice = ids[index.index(ids.len())];
            let amount = usd(*dollars);
            // A dispute beyond what is open is refused; that is fine here.
            let _ = desk.run(Action::OpenDispute { dispute: DisputeId::from_u128(500 + n as u128), invoice, amount, reason: "test".into() });
        }
        for (n, (d, dollars)) in payments.iter().enumerate() {
            let on = day(last_issue + d);
            let p = desk.pay(700 + 2 * n as u128, c, on, usd(*dollars));
            // Nothing left to apply to is refused; the cash stays unapplied.
            let _ = desk.apply(701 + 2 * n as u128, p, Target::OldestDueFirst, ApplicationPolicy::new());
        }
        let on = day(as_of);
        let decision = desk.ledger.credit_check(c, usd(1), on, usd(0)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(overdue_reason(&decision), worst_by_scan(&desk, &ids, on));
    }
}

/// One customer with 20,000 open invoices on net 30: a credit check is a few
/// steps, so 2,000 checks (an order desk checking every order) run at once.
#[test]
fn a_customer_with_twenty_thousand_open_invoices_is_checked_in_a_few_steps() {
    let mut desk = Desk::with(LedgerConfig::new().credit(CreditPolicy::new().hold_when_overdue_beyond(30)));
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    for n in 0..20_000u128 {
        let cmd = desk.issue_cmd(100 + n, c, date(2026, 1, 1) + chrono::Days::new((n / 100) as u64), Decimal::from(10));
        desk.ok(Action::IssueInvoice(cmd));
    }
    let usd = |v: i64| money(Decimal::from(v), Currency::USD);
    for k in 0..2_000 {
        let decision = desk.ledger.credit_check(c, usd(1 + k), date(2026, 9, 1), usd(0)).expect("checks");
        // The first invoice, due 2026-01-31, is 213 days past due on 2026-09-01.
        assert_eq!(overdue_reason(&decision), Some((InvoiceId::from_u128(100), 213)));
    }
}
