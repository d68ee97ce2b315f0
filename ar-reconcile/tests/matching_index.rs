//! The matcher's indexing: which bad rows it reports (and which one first),
//! and that customers missing from the directory are matched the same way
//! whether the policy builds the per-customer grouping up front (all passes)
//! or only when a reference pass meets such a customer (reference passes only).
#![allow(clippy::unwrap_used)]

use ar_core::{Currency, CustomerId, InvoiceId, Money};
use ar_reconcile::matching::normalize::normalize_account;
use ar_reconcile::matching::{
    Customer, CustomerDirectory, Evidence, MatchError, MatchPolicy, Matcher, OpenInvoice, Pass,
};
use ar_reconcile::{BankLine, Reference};
use chrono::NaiveDate;
use proptest::prelude::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, d).unwrap()
}

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR).unwrap()
}

fn item(id: u128, customer: u128, number: &str, minor: i64) -> OpenInvoice {
    OpenInvoice::new(InvoiceId::from_u128(id), CustomerId::from_u128(customer), number, eur(minor), day(1), day(20))
}

#[test]
fn the_first_repeated_invoice_is_reported() {
    let items =
        [item(1, 1, "A", 100), item(2, 1, "B", 100), item(3, 1, "C", 100), item(2, 1, "D", 100), item(1, 1, "E", 100)];
    match Matcher::new(MatchPolicy::new(), &CustomerDirectory::new(), &items) {
        Err(MatchError::DuplicateInvoice { invoice, number }) => {
            assert_eq!((invoice, number.as_str()), (InvoiceId::from_u128(2), "D"));
        }
        other => panic!("expected a duplicate invoice, got {:?}", other.err()),
    }
    let distinct: Vec<OpenInvoice> = (0..5_000).map(|i| item(i, i % 7, &format!("N{i}"), 100)).collect();
    assert!(Matcher::new(MatchPolicy::new().last_pass(Pass::Text), &CustomerDirectory::new(), &distinct).is_ok());
}

#[test]
fn an_account_of_two_customers_names_both_in_directory_order() {
    let id = CustomerId::from_u128;
    let directory: CustomerDirectory = [
        Customer::new(id(1), "A").account("DE11 2222").account("de112222"),
        Customer::new(id(2), "B").account("DE99 0000"),
        Customer::new(id(3), "C").account("de11-2222"),
        Customer::new(id(4), "D").account("DE990000"),
    ]
    .into_iter()
    .collect();
    match Matcher::new(MatchPolicy::new(), &directory, &[]) {
        Err(MatchError::AccountConflict { account, first, second }) => {
            assert_eq!((account.as_str(), first, second), ("de11-2222", id(1), id(3)));
        }
        other => panic!("expected an account conflict, got {:?}", other.err()),
    }
    // One customer listing an account twice (in two spellings) is no conflict.
    let once: CustomerDirectory =
        [Customer::new(id(1), "A").account("DE11 2222").account("de112222")].into_iter().collect();
    assert!(Matcher::new(MatchPolicy::new(), &once, &[]).is_ok());
}

/// The conflict the directory holds, by the definition: the first account (in
/// directory order) whose normal form an earlier customer already listed, with
/// that earlier customer.
fn first_account_conflict(directory: &CustomerDirectory) -> Option<(String, CustomerId, CustomerId)> {
    let mut seen: Vec<(String, CustomerId)> = Vec::new();
    for customer in directory.customers() {
        for raw in &customer.accounts {
            let key = normalize_account(raw);
            if key.is_empty() {
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(k, c)| *k == key && *c != customer.id) {
                return Some((raw.clone(), *first, customer.id));
            }
            seen.push((key, customer.id));
        }
    }
    None
}

/// Spellings of four accounts: the normal form drops case and punctuation.
const SPELLINGS: [&str; 8] = ["DE11 2222", "de112222", "DE99-0000", "de99 0000", "GB33 1", "gb331", "FR7 6", "--"];

#[test]
fn thousands_of_customers_on_one_account_are_a_conflict_found_at_once() {
    let id = CustomerId::from_u128;
    let shared: CustomerDirectory =
        (1..=40_000).map(|i| Customer::new(id(i), format!("C{i}")).account("DE89 3704 0044 0532 0130 00")).collect();
    match Matcher::new(MatchPolicy::new(), &shared, &[]) {
        Err(MatchError::AccountConflict { first, second, .. }) => assert_eq!((first, second), (id(1), id(2))),
        other => panic!("expected an account conflict, got {:?}", other.err()),
    }
    // One customer listing one account forty thousand times, and as many
    // aliases and references, is one customer.
    let mut one = Customer::new(id(1), "ACME GmbH");
    for i in 0..40_000 {
        one = one.account("DE89370400440532013000").alias(format!("ACME Trading {i}")).reference(format!("K-{i}"));
    }
    // Its own name again, in another spelling: still one customer of that name.
    let directory: CustomerDirectory = [one.alias("Acme GMBH")].into_iter().collect();
    let matcher = Matcher::new(MatchPolicy::new(), &directory, &[]).unwrap();
    let by_name = |name: &str| BankLine { counterparty_name: Some(name.into()), ..BankLine::new(day(10), eur(100)) };
    let outcome = matcher.run(&[by_name("acme trading 39999"), by_name("ACME GmbH")]);
    assert_eq!(outcome.proposals[0].customer, Some(id(1)));
    assert_eq!(outcome.proposals[1].customer, Some(id(1)));
}

#[test]
fn a_name_and_a_reference_on_thousands_of_customers_are_looked_up_once_per_line() {
    // A payment service's name recorded as an alias of 20,000 customers, and
    // its payout reference as their customer reference; the last customer
    // also has a name of its own.
    let id = CustomerId::from_u128;
    let mut customers: Vec<Customer> = (1..=20_000)
        .map(|i| Customer::new(id(i), format!("Shop {i}")).alias("Stripe Payments Ltd").reference("PAYOUT-77"))
        .collect();
    customers.push(Customer::new(id(20_001), "Corner Shop").alias("CORNER SHOP"));
    let directory: CustomerDirectory = customers.into_iter().collect();
    let matcher = Matcher::new(MatchPolicy::new(), &directory, &[]).unwrap();
    let line = |name: &str, text: &str| BankLine {
        counterparty_name: Some(name.into()),
        remittance_text: text.into(),
        ..BankLine::new(day(10), eur(100))
    };
    let lines: Vec<BankLine> = (0..2_000).map(|_| line("STRIPE PAYMENTS LTD", "")).collect();
    let outcome = matcher.run(&lines);
    let ambiguous = Evidence::PayerNameAmbiguous { payer_name: "STRIPE PAYMENTS LTD".into(), customers: 20_000 };
    assert!(outcome.proposals.iter().all(|p| p.customer.is_none() && p.evidence.contains(&ambiguous)));

    // The reference is its first customer's; a name listed twice by one customer is one owner.
    let outcome = matcher.run(&[line("STRIPE PAYMENTS LTD", "payout-77"), line("Corner Shop", "")]);
    assert_eq!(outcome.proposals[0].customer, Some(id(1)));
    assert!(outcome.proposals[0].evidence.iter().any(|e| matches!(e, Evidence::CustomerReference { .. })));
    assert_eq!(outcome.proposals[1].customer, Some(id(20_001)));
}

/// customer (0..6), open amount
type InvoiceSpec = (u8, i64);
/// referenced invoices, amount kind, payer (0..8: 6 and 7 pay from no known account), in text
type LineSpec = (Vec<usize>, u8, u8, bool);

fn build(
    in_directory: &[bool],
    invoices: &[InvoiceSpec],
    lines: &[LineSpec],
) -> (CustomerDirectory, Vec<OpenInvoice>, Vec<BankLine>) {
    let directory: CustomerDirectory = (0u8..6)
        .filter(|c| in_directory[usize::from(*c)])
        .map(|c| {
            Customer::new(CustomerId::from_u128(u128::from(c) + 1), format!("Customer {c}"))
                .account(format!("DE00{c:04}"))
        })
        .collect();
    let items: Vec<OpenInvoice> = invoices
        .iter()
        .enumerate()
        .map(|(i, (c, minor))| item(i as u128 + 100, u128::from(*c) + 1, &format!("INV-{:05}", i + 1), *minor))
        .collect();
    let lines = lines
        .iter()
        .map(|(refs, kind, payer, in_text)| {
            let refs: Vec<usize> = refs.iter().copied().filter(|r| *r < items.len()).collect();
            let sum: i64 = refs.iter().map(|&r| items[r].open_amount.minor()).sum();
            let amount = match kind {
                0 if sum > 0 => sum,
                1 if sum > 50 => sum - 50,
                2 => sum + 70,
                _ => 12_345,
            };
            let numbers: Vec<String> = refs.iter().map(|&r| format!("inv {}", r + 1)).collect();
            BankLine {
                counterparty_account: (*payer < 6).then(|| format!("de00 {payer:04}")),
                remittance_text: if *in_text { format!("payment {}", numbers.join(" ")) } else { String::new() },
                references: if *in_text {
                    vec![]
                } else {
                    numbers.iter().map(|n| Reference::Invoice(n.clone())).collect()
                },
                ..BankLine::new(day(10), eur(amount))
            }
        })
        .collect();
    (directory, items, lines)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The matcher reports exactly the conflict the definition finds (the
    /// account as the later customer wrote it, and both customers), or none.
    #[test]
    fn the_account_conflict_reported_is_the_first_in_directory_order(
        accounts in prop::collection::vec(prop::collection::vec(0usize..SPELLINGS.len(), 0..4), 1..10),
    ) {
        let directory: CustomerDirectory = accounts
            .iter()
            .zip(1u128..)
            .map(|(spellings, i)| {
                spellings.iter().fold(Customer::new(CustomerId::from_u128(i), format!("C{i}")), |c, s| c.account(SPELLINGS[*s]))
            })
            .collect();
        let reported = match Matcher::new(MatchPolicy::new(), &directory, &[]) {
            Ok(_) => None,
            Err(MatchError::AccountConflict { account, first, second }) => Some((account, first, second)),
            Err(other) => return Err(TestCaseError::fail(format!("unexpected error {other}"))),
        };
        prop_assert_eq!(reported, first_account_conflict(&directory));
    }

    /// Until the first line the reference passes leave open, a run of the
    /// reference passes only and a run of all passes have settled the same
    /// invoices, so they must propose the same for every line: the customer of
    /// a referenced invoice comes out the same whether its dense number came
    /// from the grouping or from the directory.
    #[test]
    fn reference_passes_agree_with_and_without_the_grouping(
        in_directory in prop::collection::vec(any::<bool>(), 6),
        invoices in prop::collection::vec((0u8..6, 1i64..20_000), 1..24),
        lines in prop::collection::vec((prop::collection::vec(0usize..24, 0..3), 0u8..4, 0u8..8, any::<bool>()), 1..16),
    ) {
        let (directory, items, lines) = build(&in_directory, &invoices, &lines);
        let exact = Matcher::new(MatchPolicy::new().last_pass(Pass::Text), &directory, &items).unwrap().run(&lines);
        let full = Matcher::new(MatchPolicy::new(), &directory, &items).unwrap().run(&lines);
        for (e, f) in exact.proposals.iter().zip(&full.proposals) {
            if e.evidence.iter().any(|ev| matches!(ev, Evidence::StoppedAfter { .. })) {
                break;
            }
            prop_assert_eq!(e, f);
        }
        for (p, line) in full.proposals.iter().zip(&lines) {
            let applied: i64 = p.allocations.iter().map(|a| a.applied.minor()).sum();
            prop_assert_eq!(applied + p.unapplied.minor(), line.amount.minor());
            for a in &p.allocations {
                let owner = items.iter().find(|i| i.invoice == a.invoice).map(|i| i.customer);
                prop_assert_eq!(owner, p.customer);
            }
        }
    }
}
