//! Lines and directories large enough that a step quadratic in their size
//! would not finish: a remittance advice naming twenty thousand invoices, paid
//! in full, short or over. Each test checks the proposal itself, so the
//! linear-time paths are held to the same answers as the small cases.

use ar_core::{
    Action, Actor, ApplicationId, CommandId, Currency, CustomerId, DeductionId, InvoiceId, Money, PaymentId, Residual,
    Target,
};
use ar_reconcile::matching::ledger::{CommandIds, commands_for};
use ar_reconcile::matching::{Customer, CustomerDirectory, Evidence, MatchPolicy, Matcher, OpenInvoice, Tier};
use ar_reconcile::{Adjustment, BankLine, Remittance};
use chrono::NaiveDate;
use rust_decimal::Decimal;

const INVOICES: usize = 20_000;
const ACCOUNT: &str = "DE89370400440532013000";

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn date() -> Result<NaiveDate, &'static str> {
    NaiveDate::from_ymd_opt(2024, 5, 2).ok_or("date")
}

fn eur(minor: i64) -> Result<Money, ar_core::MoneyError> {
    Money::new(Decimal::new(minor, 2), Currency::EUR)
}

/// Invoice `i`'s open amount in cents: 100.00 to 109.96, so no two
/// neighbours are equal.
fn open_minor(i: usize) -> i64 {
    10_000 + (i as i64 * 37) % 997
}

fn acme() -> CustomerDirectory {
    [Customer::new(CustomerId::from_u128(1), "ACME GmbH").account(ACCOUNT)].into_iter().collect()
}

fn invoices() -> Result<Vec<OpenInvoice>, Box<dyn std::error::Error>> {
    let (d, acme) = (date()?, CustomerId::from_u128(1));
    (0..INVOICES)
        .map(|i| Ok(OpenInvoice::new(InvoiceId::from_u128(i as u128 + 1), acme, number(i), eur(open_minor(i))?, d, d)))
        .collect()
}

fn number(i: usize) -> String {
    format!("INV-{:06}", i + 1)
}

/// A payment from ACME's account of `amount` cents whose remittance advice
/// names every invoice, without stating what it pays on each.
fn remittance_line(amount: i64) -> Result<BankLine, Box<dyn std::error::Error>> {
    let remittances = (0..INVOICES).map(|i| Remittance::new(number(i))).collect::<Vec<_>>();
    Ok(BankLine { counterparty_account: Some(ACCOUNT.into()), remittances, ..BankLine::new(date()?, eur(amount)?) })
}

fn total_open() -> i64 {
    (0..INVOICES).map(open_minor).sum()
}

#[test]
fn a_remittance_of_twenty_thousand_invoices_paid_in_full_settles_each() -> TestResult {
    let (directory, items) = (acme(), invoices()?);
    let matcher = Matcher::new(MatchPolicy::new(), &directory, &items)?;
    let outcome = matcher.run(&[remittance_line(total_open())?]);
    let proposal = &outcome.proposals[0];
    assert_eq!(proposal.tier, Tier::Certain);
    assert_eq!(proposal.allocations.len(), INVOICES);
    for (i, allocation) in proposal.allocations.iter().enumerate() {
        assert_eq!(allocation.invoice, InvoiceId::from_u128(i as u128 + 1));
        assert_eq!(allocation.applied.minor(), open_minor(i));
    }
    assert_eq!(proposal.unapplied.minor(), 0);
    Ok(())
}

#[test]
fn a_remittance_naming_invoices_twice_settles_each_once() -> TestResult {
    let (directory, items) = (acme(), invoices()?);
    let mut line = remittance_line(total_open())?;
    // The advice repeats its first hundred invoices at the end.
    let repeated: Vec<Remittance> = line.remittances[..100].to_vec();
    line.remittances.extend(repeated);
    let matcher = Matcher::new(MatchPolicy::new(), &directory, &items)?;
    let proposal = &matcher.run(&[line]).proposals[0];
    assert_eq!(proposal.tier, Tier::Certain);
    assert_eq!(proposal.allocations.len(), INVOICES);
    assert_eq!(proposal.applied_minor(), total_open());
    Ok(())
}

#[test]
fn a_short_paid_remittance_of_twenty_thousand_invoices_leaves_a_deduction() -> TestResult {
    let (directory, items) = (acme(), invoices()?);
    let short = 50_00;
    let matcher = Matcher::new(MatchPolicy::new(), &directory, &items)?;
    let proposal = &matcher.run(&[remittance_line(total_open() - short)?]).proposals[0];
    assert_eq!(proposal.tier, Tier::NeedsReview);
    assert_eq!(proposal.allocations.len(), INVOICES);
    assert_eq!(proposal.applied_minor(), total_open() - short);
    assert_eq!(proposal.unapplied.minor(), 0);
    // The money fills the invoices in the order named; the last is left short.
    let last = &proposal.allocations[INVOICES - 1];
    assert_eq!(last.applied.minor(), open_minor(INVOICES - 1) - short);
    assert_eq!(last.settled.minor(), open_minor(INVOICES - 1));
    assert_eq!(proposal.deductions.len(), 1);
    assert_eq!(proposal.deductions[0].invoice, InvoiceId::from_u128(INVOICES as u128));
    assert_eq!(proposal.deductions[0].amount.minor(), short);
    Ok(())
}

#[test]
fn an_overpaid_remittance_of_twenty_thousand_invoices_leaves_cash_on_account() -> TestResult {
    let (directory, items) = (acme(), invoices()?);
    let over = 50_00;
    let matcher = Matcher::new(MatchPolicy::new(), &directory, &items)?;
    let proposal = &matcher.run(&[remittance_line(total_open() + over)?]).proposals[0];
    assert_eq!(proposal.tier, Tier::NeedsReview);
    assert_eq!(proposal.allocations.len(), INVOICES);
    assert_eq!(proposal.applied_minor(), total_open());
    assert_eq!(proposal.unapplied.minor(), over);
    assert!(
        proposal.evidence.iter().any(|e| matches!(e, Evidence::Overpayment { amount, .. } if amount.minor() == over))
    );
    Ok(())
}

#[test]
fn a_remittance_short_paying_twenty_thousand_invoices_becomes_one_application_with_their_deductions() -> TestResult {
    let (directory, items) = (acme(), invoices()?);
    // Every invoice paid 5.00 short; every tenth says why (X12 reason 01).
    let mut line = remittance_line(total_open() - 5_00 * INVOICES as i64)?;
    for (i, r) in line.remittances.iter_mut().enumerate() {
        r.paid = Some(eur(open_minor(i) - 5_00)?);
        if i % 10 == 0 {
            r.adjustments.push(Adjustment { amount: eur(-5_00)?, reason: "01".into() });
        }
    }
    let policy = MatchPolicy::new();
    let matcher = Matcher::new(policy.clone(), &directory, &items)?;
    let proposal = &matcher.run(std::slice::from_ref(&line)).proposals[0];
    assert_eq!(proposal.deductions.len(), INVOICES);
    let ids = CommandIds {
        payment: PaymentId::from_u128(1),
        application: ApplicationId::from_u128(1),
        receive: CommandId::from_u128(1),
        apply: CommandId::from_u128(2),
        deductions: (1..=INVOICES as u128).map(DeductionId::from_u128).collect(),
    };
    let commands = commands_for(proposal, &line, &policy, &ids, &Actor::new("matcher", "clerk"))?;
    let Some(Action::ApplyCash(apply)) = commands.last().map(|c| &c.action) else {
        return Err("the last command applies the cash".into());
    };
    let Target::Remittance(lines) = &apply.target else { return Err("a remittance application".into()) };
    assert_eq!(lines.len(), INVOICES);
    let stated = line.remittances[0].adjustments[0].deduction_reason();
    for (i, l) in lines.iter().enumerate() {
        let Residual::Deduction { id, reason } = &l.residual else {
            return Err(format!("line {i}: a deduction").into());
        };
        assert_eq!(*id, DeductionId::from_u128(i as u128 + 1));
        assert_eq!(i % 10 == 0, *reason == stated, "line {i}: the payer's reason where it gave one");
    }
    Ok(())
}

/// A customer with 3,000 open items: whole euros from 100.00 to 149.00,
/// except the two newest, 100.17 and 100.29. Only those two can make an
/// amount ending in .46, and no single item equals one.
fn many_items_with_a_newest_pair() -> Result<Vec<OpenInvoice>, Box<dyn std::error::Error>> {
    const ITEMS: usize = 3_000;
    let (d, acme) = (date()?, CustomerId::from_u128(1));
    let minor = |i: usize| match ITEMS - i {
        2 => 10_017,
        1 => 10_029,
        _ => 10_000 + (i as i64 % 50) * 100,
    };
    (0..ITEMS)
        .map(|i| Ok(OpenInvoice::new(InvoiceId::from_u128(i as u128 + 1), acme, number(i), eur(minor(i))?, d, d)))
        .collect()
}

#[test]
fn the_combination_search_considers_the_policys_count_of_oldest_items() -> TestResult {
    let (directory, items) = (acme(), many_items_with_a_newest_pair()?);
    let line = BankLine { counterparty_account: Some(ACCOUNT.into()), ..BankLine::new(date()?, eur(20_046)?) };
    let lines = std::slice::from_ref(&line);

    // No write-offs: pairs of the old items short by 0.54 would otherwise do.
    let policy = MatchPolicy::new().write_off_tolerance(Decimal::ZERO, Decimal::ZERO);

    // By default the search covers the oldest 1,000 items: the pair is beyond them.
    assert_eq!(policy.combination_candidates_max(), 1_000);
    let proposal = &Matcher::new(policy.clone(), &directory, &items)?.run(lines).proposals[0];
    assert!(proposal.allocations.is_empty(), "{:?}", proposal.allocations);
    assert_eq!(proposal.unapplied.minor(), 20_046);
    let said = Evidence::NoCombinationAmongOldest { searched: 1_000, items: 3_000, max_items: 6 };
    assert!(proposal.evidence.contains(&said), "{:?}", proposal.evidence);
    assert_eq!(
        said.to_string(),
        "no open item of the customer's 3000 equals the amount, and no combination of up to 6 of the oldest 1000 does"
    );

    // A policy that lets it search every item finds the pair.
    let all = policy.combination_candidates(3_000);
    let proposal = &Matcher::new(all, &directory, &items)?.run(lines).proposals[0];
    let paid: Vec<_> = proposal.allocations.iter().map(|a| (a.invoice, a.applied.minor())).collect();
    assert_eq!(paid, [(InvoiceId::from_u128(2_999), 10_017), (InvoiceId::from_u128(3_000), 10_029)]);
    assert!(proposal.evidence.iter().any(|e| matches!(e, Evidence::Combination { count: 2, .. })));
    Ok(())
}

#[test]
fn a_policy_stored_before_the_candidate_count_loads_with_the_default() -> TestResult {
    let stored = serde_json::to_value(MatchPolicy::new().combination_candidates(250))?;
    assert_eq!(stored["combination_candidates_max"], 250);
    let mut old = stored.clone();
    old.as_object_mut().ok_or("a policy is a JSON object")?.remove("combination_candidates_max");
    let loaded: MatchPolicy = serde_json::from_value(old)?;
    assert_eq!(loaded, MatchPolicy::new());
    assert_eq!(serde_json::from_value::<MatchPolicy>(stored)?.combination_candidates_max(), 250);
    Ok(())
}

/// A host whose numbering restarts per customer: 5,000 customers each have an
/// "INV-1001". A line from one customer's account naming it pays that
/// customer's invoice; the evidence lists three of the others and counts the
/// rest, instead of a sentence per customer.
#[test]
fn an_invoice_number_every_customer_has_is_settled_for_the_payer_with_the_others_counted() -> TestResult {
    const CUSTOMERS: u128 = 5_000;
    let account = |c: u128| format!("DE{c:020}");
    let directory: CustomerDirectory = (1..=CUSTOMERS)
        .map(|c| Customer::new(CustomerId::from_u128(c), format!("Customer {c}")).account(account(c)))
        .collect();
    let (d, paid) = (date()?, 10_000 + 4_321);
    let items = (1..=CUSTOMERS)
        .map(|c| {
            Ok(OpenInvoice::new(
                InvoiceId::from_u128(c),
                CustomerId::from_u128(c),
                "INV-1001",
                eur(10_000 + c as i64)?,
                d,
                d,
            ))
        })
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    let line = BankLine {
        counterparty_account: Some(account(4_321)),
        remittance_text: "payment for INV 1001".into(),
        ..BankLine::new(d, eur(paid)?)
    };
    let proposal = &Matcher::new(MatchPolicy::new(), &directory, &items)?.run(&[line]).proposals[0];
    assert_eq!(proposal.customer, Some(CustomerId::from_u128(4_321)));
    let paid_invoices: Vec<_> = proposal.allocations.iter().map(|a| (a.invoice, a.applied.minor())).collect();
    assert_eq!(paid_invoices, [(InvoiceId::from_u128(4_321), paid)]);
    let listed = proposal.evidence.iter().filter(|e| matches!(e, Evidence::ReferenceOtherCustomer { .. })).count();
    assert_eq!(listed, 3);
    let counted = Evidence::ReferenceOtherCustomersMore { document: "INV-1001".into(), customers: 4_996 };
    assert!(proposal.evidence.contains(&counted), "{:?}", proposal.evidence);
    assert_eq!(counted.to_string(), "invoice INV-1001 also belongs to 4996 more other customers: not used");
    assert!(proposal.evidence.len() < 10, "{} pieces of evidence", proposal.evidence.len());
    Ok(())
}
