//! The ledger seam on random books: every proposal a run makes, turned into
//! ledger commands and executed in order, is accepted by the ledger and moves
//! each invoice exactly as the proposal says (cash, discount, write-off,
//! deduction), with discount terms, short and partial payments among them.
#![allow(clippy::unwrap_used)]

mod ledger_support;

use std::collections::BTreeMap;

use ar_core::*;
use ar_reconcile::matching::ledger::{CommandError, commands_for, open_invoices};
use ar_reconcile::matching::{Customer, CustomerDirectory, MatchPolicy, Matcher, OpenInvoice};
use ar_reconcile::{BankLine, Reference, Remittance};
use chrono::NaiveDate;
use ledger_support::command_ids;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(d))
}

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR).unwrap()
}

const ACME: CustomerId = CustomerId::from_u128(1);

/// An invoice: amount in cents, 2/10 net 30 or net 30, document day.
type InvoiceSpec = (i64, bool, u32);

/// A bank line: how its amount is made, which invoices it is about, a small
/// delta, and its booking day.
#[derive(Debug, Clone)]
struct LineSpec {
    kind: u8,
    picks: Vec<usize>,
    delta: i64,
    booked: u32,
    per_document: Vec<u8>,
}

fn line_spec() -> impl Strategy<Value = LineSpec> {
    // Booked before, on or after the invoices' dates (0..6): the matcher must
    // not let a line pay an invoice issued after it, which the ledger refuses.
    (0u8..6, prop::collection::vec(0usize..8, 1..4), 1i64..400, 0u32..40, prop::collection::vec(0u8..3, 4))
        .prop_map(|(kind, picks, delta, booked, per_document)| LineSpec { kind, picks, delta, booked, per_document })
}

fn book(invoices: &[InvoiceSpec]) -> Ledger {
    let mut ledger = Ledger::new(LedgerConfig::new());
    let run = |ledger: &mut Ledger, id: u128, date, action| {
        let actor = Actor::new("tester", "supervisor");
        ledger.execute(Command { id: CommandId::from_u128(id), effective_date: date, actor, action }).unwrap();
    };
    let register = RegisterCustomer {
        customer: ACME,
        name: "ACME GmbH".into(),
        currency: Currency::EUR,
        terms: PaymentTerms::net(30),
        credit_limit: None,
        collector: None,
    };
    run(&mut ledger, 1, day(0), Action::RegisterCustomer(register));
    for (n, (cents, discount, on)) in invoices.iter().enumerate() {
        let issue = IssueInvoice {
            invoice: InvoiceId::from_u128(100 + n as u128),
            number: format!("INV-{:05}", n + 1),
            customer: ACME,
            kind: InvoiceKind::Invoice,
            document_date: day(*on),
            lines: vec![DocumentLine {
                description: "Goods".into(),
                quantity: Decimal::ONE,
                unit_price: Decimal::new(*cents, 2),
                discount: None,
                taxes: vec![],
            }],
            discount: None,
            terms: discount.then(PaymentTerms::two_ten_net_30),
            tax_rounding: TaxRounding::PerLine,
            rounding: Rounding::HalfUp,
        };
        run(&mut ledger, 10 + n as u128, day(*on), Action::IssueInvoice(issue));
    }
    ledger
}

/// What `item` costs on `booked`: gross, and net of a discount still open.
fn gross_and_net(item: &OpenInvoice, booked: NaiveDate) -> (i64, i64) {
    let gross = item.open_amount.minor();
    let offer = item.discounts.iter().filter(|d| d.until >= booked).map(|d| d.amount.minor()).max().unwrap_or(0);
    (gross, gross - offer)
}

fn bank_line(spec: &LineSpec, items: &[OpenInvoice]) -> BankLine {
    let booked = day(spec.booked);
    let mut picks: Vec<&OpenInvoice> = spec.picks.iter().filter_map(|&p| items.get(p)).collect();
    picks.dedup_by_key(|i| i.invoice);
    let gross: i64 = picks.iter().map(|i| gross_and_net(i, booked).0).sum();
    let net: i64 = picks.iter().map(|i| gross_and_net(i, booked).1).sum();
    let numbers: Vec<Reference> = picks.iter().map(|i| Reference::Invoice(i.number.to_string())).collect();
    let (amount, references, account, remittances) = match spec.kind {
        0 => (gross, numbers, None, vec![]),
        1 => (net, numbers, None, vec![]),
        2 => ((gross - spec.delta).max(1), numbers, None, vec![]),
        3 => {
            let paid: Vec<i64> = picks
                .iter()
                .zip(spec.per_document.iter().cycle())
                .map(|(i, how)| {
                    let (g, n) = gross_and_net(i, booked);
                    match how {
                        0 => g,
                        1 => n,
                        _ => (g - spec.delta).max(1),
                    }
                })
                .collect();
            let remit =
                picks.iter().zip(&paid).map(|(i, p)| Remittance::new(i.number.to_string()).paid(eur(*p))).collect();
            (paid.iter().sum(), vec![], None, remit)
        }
        4 => (gross, vec![], Some("DE12 3456".to_owned()), vec![]),
        _ => (spec.delta * 37, vec![], Some("DE12 3456".to_owned()), vec![]),
    };
    BankLine { counterparty_account: account, references, remittances, ..BankLine::new(booked, eur(amount.max(1))) }
}

/// Per invoice: cash, discount, write-off and deduction, in cents.
type Moves = BTreeMap<InvoiceId, [i64; 4]>;

fn ledger_moves(ledger: &Ledger, items: &[OpenInvoice]) -> Moves {
    items
        .iter()
        .map(|i| {
            let v = ledger.invoice(i.invoice).unwrap();
            (i.invoice, [v.cash.minor(), v.discounted.minor(), v.written_off.minor(), v.deducted.minor()])
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn executed_proposals_move_the_ledger_as_proposed(
        invoices in prop::collection::vec((100i64..100_000, any::<bool>(), 0u32..6), 1..8),
        specs in prop::collection::vec(line_spec(), 1..8),
    ) {
        let mut ledger = book(&invoices);
        let items = open_invoices(&ledger.open_items(ACME).unwrap());
        let lines: Vec<BankLine> = specs.iter().map(|s| bank_line(s, &items)).collect();
        let directory: CustomerDirectory =
            [Customer::new(ACME, "ACME GmbH").account("DE12 3456")].into_iter().collect();
        let policy = MatchPolicy::new();
        let outcome = Matcher::new(policy.clone(), &directory, &items).unwrap().run(&lines);
        let mut expected = ledger_moves(&ledger, &items);
        for (n, (p, line)) in outcome.proposals.iter().zip(&lines).enumerate() {
            let n = n as u128;
            let ids = command_ids(n, 4);
            let actor = Actor::new("matcher", "supervisor");
            let commands = match commands_for(p, line, &policy, &ids, &actor) {
                Ok(commands) => commands,
                Err(CommandError::Skipped { .. } | CommandError::NoCustomer { .. }) => continue,
                Err(e) => return Err(TestCaseError::fail(format!("line {n}: {e}"))),
            };
            for c in commands {
                let action = format!("{:?}", c.action);
                if let Err(e) = ledger.execute(c) {
                    return Err(TestCaseError::fail(format!("line {n}: the ledger refused {action}: {e}\n{p:#?}")));
                }
            }
            for a in &p.allocations {
                let m = expected.entry(a.invoice).or_default();
                m[0] += a.applied.minor();
                m[1] += a.discount.minor();
            }
            for w in &p.write_offs {
                expected.entry(w.invoice).or_default()[2] += w.amount.minor();
            }
            for d in &p.deductions {
                expected.entry(d.invoice).or_default()[3] += d.amount.minor();
            }
            prop_assert_eq!(&ledger_moves(&ledger, &items), &expected, "after line {}: {:#?}", n, p);
        }
    }
}
