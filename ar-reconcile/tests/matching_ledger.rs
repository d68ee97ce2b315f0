//! The ledger seam end to end: open items come out of an `ar-core` ledger,
//! bank lines are matched against them, and the accepted proposals, turned into
//! ledger commands, leave the ledger with exactly the open amounts the matcher
//! expected.
#![allow(clippy::unwrap_used)]

mod ledger_support;

use std::collections::BTreeMap;

use ar_core::*;
use ar_reconcile::matching::ledger::{CommandError, commands_for, open_invoices};
use ar_reconcile::matching::{Customer, CustomerDirectory, MatchPolicy, Matcher, Proposal, Tier};
use ar_reconcile::{BankLine, Reference};
use chrono::NaiveDate;
use ledger_support::command_ids;
use rust_decimal::Decimal;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, d).unwrap()
}

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR).unwrap()
}

fn command(id: u128, action: Action) -> Command {
    Command { id: CommandId::from_u128(id), effective_date: day(2), actor: Actor::new("tester", "supervisor"), action }
}

fn credit(minor: i64, reference: Option<&str>, account: Option<&str>) -> BankLine {
    BankLine {
        counterparty_account: account.map(Into::into),
        references: reference.map(|r| vec![Reference::Invoice(r.into())]).unwrap_or_default(),
        ..BankLine::new(day(20), eur(minor))
    }
}

/// A ledger with ACME (EUR, net 30) and one invoice `INV-0000n` of `price`
/// euros per `(n, price)`, all dated the 2nd.
fn book(invoices: &[(u128, i64)]) -> (Ledger, CustomerId) {
    let mut ledger = Ledger::new(LedgerConfig::new());
    let acme = CustomerId::from_u128(1);
    let register = RegisterCustomer {
        customer: acme,
        name: "ACME GmbH".into(),
        currency: Currency::EUR,
        terms: PaymentTerms::net(30),
        credit_limit: None,
        collector: None,
    };
    ledger.execute(command(1, Action::RegisterCustomer(register))).unwrap();
    for &(n, price) in invoices {
        let issue = IssueInvoice {
            invoice: InvoiceId::from_u128(100 + n),
            number: format!("INV-{n:05}"),
            customer: acme,
            kind: InvoiceKind::Invoice,
            document_date: day(2),
            lines: vec![DocumentLine {
                description: "Goods".into(),
                quantity: Decimal::ONE,
                unit_price: Decimal::from(price),
                discount: None,
                taxes: vec![],
            }],
            discount: None,
            terms: None,
            tax_rounding: TaxRounding::PerLine,
            rounding: Rounding::HalfUp,
        };
        ledger.execute(command(10 + n, Action::IssueInvoice(issue))).unwrap();
    }
    (ledger, acme)
}

#[test]
fn accepted_proposals_settle_the_ledger_as_proposed() {
    let (mut ledger, acme) = book(&[(1, 100), (2, 250), (3, 1_000), (4, 40), (5, 60)]);
    let items = open_invoices(&ledger.open_items(acme).unwrap());
    assert_eq!(items.len(), 5);
    let directory: CustomerDirectory = [Customer::new(acme, "ACME GmbH").account("DE12 3456")].into_iter().collect();
    let lines = [
        credit(10_000, Some("inv 1"), None),     // exact
        credit(99_650, Some("INV-00003"), None), // write-off 3.50
        credit(20_000, Some("INV-00002"), None), // deduction 50.00
        credit(10_000, None, Some("DE123456")),  // combination INV-4 + INV-5
        credit(1_000, None, Some("de12 3456")),  // nothing left: unapplied on the payment
        credit(-500, None, None),                // debit: no commands
    ];
    let policy = MatchPolicy::new();
    let matcher = Matcher::new(policy.clone(), &directory, &items).unwrap();
    let outcome = matcher.run(&lines);
    let tiers: Vec<Tier> = outcome.proposals.iter().map(|p| p.tier).collect();
    assert_eq!(tiers, [Tier::Certain, Tier::High, Tier::NeedsReview, Tier::High, Tier::NeedsReview, Tier::Unmatched]);

    let mut expected_settled: BTreeMap<InvoiceId, i64> = BTreeMap::new();
    for (n, (p, line)) in outcome.proposals.iter().zip(&lines).enumerate() {
        let n = n as u128;
        let ids = command_ids(n, 1);
        let actor = Actor::new("matcher", "supervisor");
        let commands = match commands_for(p, line, &policy, &ids, &actor) {
            Ok(commands) => commands,
            Err(CommandError::Skipped { .. }) => continue,
            Err(e) => panic!("line {n}: {e}"),
        };
        for c in &commands {
            ledger.execute(c.clone()).unwrap_or_else(|e| panic!("line {n}: the ledger refused {:?}: {e}", c.action));
        }
        for a in &p.allocations {
            *expected_settled.entry(a.invoice).or_default() += a.settled.minor();
        }
    }
    // Every invoice the matcher settled is closed in the ledger; the rest are as open as before.
    let left = open_invoices(&ledger.open_items(acme).unwrap());
    for item in &items {
        let settled = expected_settled.get(&item.invoice).copied().unwrap_or(0);
        let open_now = left.iter().find(|i| i.invoice == item.invoice).map_or(0, |i| i.open_amount.minor());
        assert_eq!(open_now, item.open_amount.minor() - settled, "{}", item.number);
    }
    let all = ledger.open_items(acme).unwrap();
    let deductions: Vec<Money> = all.iter().filter(|i| i.kind == OpenItemKind::Deduction).map(|i| i.open).collect();
    assert_eq!(deductions, [eur(5_000)]);
    let unapplied: i64 = all.iter().filter(|i| i.kind == OpenItemKind::UnappliedCash).map(|i| i.open.minor()).sum();
    assert_eq!(unapplied, -1_000);
}

/// A remittance short on two invoices by the same 4.00: within tolerance (1 %)
/// of the 1,000.00 invoice, beyond it on the 100.00 one. The proposal writes
/// off one and deducts the other; one ledger application carries out both,
/// each under its own rule, though the deduction is no larger than the write-off.
/// The payer's adjustments on the short invoice give the deduction its reason:
/// the largest, 3.00 for damaged goods (X12 `04`), over 1.00 contested quantity.
/// ACME with invoices of 1,000 and 100 euros, and the matcher's proposal for a
/// remittance that pays 996 on the first (4 written off within tolerance) and
/// 96 on the second (4 short, beyond tolerance: a deduction, whose remittance
/// entry lists a shortage of 1 and damage of 3).
fn mixed_proposal() -> (Ledger, CustomerId, BankLine, MatchPolicy, Proposal) {
    let (ledger, acme) = book(&[(1, 1_000), (2, 100)]);
    let items = open_invoices(&ledger.open_items(acme).unwrap());
    let directory: CustomerDirectory = [Customer::new(acme, "ACME GmbH")].into_iter().collect();
    let remit = |document: &str, paid| ar_reconcile::Remittance::new(document).paid(eur(paid));
    let mut line = credit(99_600 + 9_600, None, None);
    let adjustment = |minor, reason: &str| ar_reconcile::Adjustment { amount: eur(minor), reason: reason.into() };
    let mut short = remit("inv 2", 9_600);
    short.adjustments = vec![adjustment(-100, "06"), adjustment(-300, "04")];
    line.remittances = vec![remit("INV-00001", 99_600), short];
    let policy = MatchPolicy::new();
    let outcome = Matcher::new(policy.clone(), &directory, &items).unwrap().run(std::slice::from_ref(&line));
    let proposal = outcome.proposals.into_iter().next().unwrap();
    (ledger, acme, line, policy, proposal)
}

#[test]
fn a_write_off_and_a_smaller_deduction_in_one_proposal_both_reach_the_ledger() {
    let (mut ledger, acme, line, policy, proposal) = mixed_proposal();
    let p = &proposal;
    let shortfalls = |list: &[ar_reconcile::matching::Shortfall]| -> Vec<(String, i64)> {
        list.iter().map(|s| (s.document.to_string(), s.amount.minor())).collect()
    };
    assert_eq!(shortfalls(&p.write_offs), [("INV-00001".to_owned(), 400)]);
    assert_eq!(shortfalls(&p.deductions), [("INV-00002".to_owned(), 400)]);
    for c in commands_for(p, &line, &policy, &command_ids(0, 2), &Actor::new("matcher", "supervisor")).unwrap() {
        ledger.execute(c).unwrap();
    }
    let moved = |n: u128| {
        let v = ledger.invoice(InvoiceId::from_u128(100 + n)).unwrap();
        (v.cash.minor(), v.written_off.minor(), v.deducted.minor(), v.open.minor())
    };
    assert_eq!(moved(1), (99_600, 400, 0, 0));
    assert_eq!(moved(2), (9_600, 0, 400, 0));
    let deductions = ledger.deductions(Some(acme), None);
    let found: Vec<_> = deductions.iter().map(|d| (d.deduction, d.reason.clone())).collect();
    assert_eq!(found, [(DeductionId::from_u128(900), DeductionReason::Damage)]);
}

/// A proposal edited so that the ledger could not carry it out as it reads is
/// refused, naming the invoice, instead of being carried out otherwise.
#[test]
fn an_edited_proposal_whose_parts_do_not_fit_is_refused() {
    let (_, _, line, policy, proposal) = mixed_proposal();
    let actor = Actor::new("matcher", "supervisor");
    let refused = |p: &Proposal| commands_for(p, &line, &policy, &command_ids(0, 2), &actor).err();
    assert_eq!(refused(&proposal), None);
    let (first, second) = (InvoiceId::from_u128(101), InvoiceId::from_u128(102));
    let line_at = proposal.line;

    // A deduction as well as the write-off on the first invoice.
    let mut both = proposal.clone();
    let mut extra = both.write_offs[0].clone();
    extra.amount = eur(100);
    both.deductions.insert(0, extra);
    both.allocations[0].settled = eur(100_100);
    assert_eq!(refused(&both), Some(CommandError::TwoShortfalls { line: line_at, invoice: first }));

    // The deduction moved to an invoice the proposal pays nothing on.
    let mut elsewhere = proposal.clone();
    elsewhere.deductions[0].invoice = InvoiceId::from_u128(999);
    let invoice = InvoiceId::from_u128(999);
    assert_eq!(refused(&elsewhere), Some(CommandError::ShortfallWithoutAllocation { line: line_at, invoice }));

    let does_not_add_up = |invoice, settled, parts| {
        Some(CommandError::AllocationDoesNotAddUp {
            line: line_at,
            invoice,
            settled: eur(settled),
            parts: Some(eur(parts)),
        })
    };
    // The write-off lowered to 3.00 while the allocation still settles 1,000.00.
    let mut lowered = proposal.clone();
    lowered.write_offs[0].amount = eur(300);
    assert_eq!(refused(&lowered), does_not_add_up(first, 100_000, 99_900));
    assert!(refused(&lowered).unwrap().to_string().contains("999.00 EUR"));

    // Cash raised on the second invoice without its settled amount.
    let mut raised = proposal;
    raised.allocations[1].applied = eur(9_700);
    assert_eq!(refused(&raised), does_not_add_up(second, 10_000, 10_100));
}
