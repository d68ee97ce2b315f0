//! One table of matching cases (tests/data/matching/fixtures.json): statement
//! lines, open items and a customer directory in; the proposals a clerk expects
//! out. Every case also has to conserve money and respect open amounts.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::str::FromStr;

use ar_core::{Currency, CustomerId, DiscountOffer, InvoiceId, Money};
use ar_reconcile::matching::{
    Customer, CustomerDirectory, MatchOutcome, MatchPolicy, Matcher, OpenInvoice, Proposal, Tier,
};
use ar_reconcile::{BankLine, Reference, Remittance};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Deserialize)]
struct Suite {
    customers: Vec<CustomerRow>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct CustomerRow {
    id: u128,
    name: String,
    #[serde(default)]
    accounts: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    references: Vec<String>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    #[serde(default)]
    policy: PolicyRow,
    invoices: Vec<InvoiceRow>,
    lines: Vec<LineRow>,
    expect: Vec<Expect>,
}

#[derive(Deserialize, Default)]
struct PolicyRow {
    #[serde(default)]
    grace_days: u32,
    #[serde(default)]
    write_off: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct InvoiceRow {
    id: u128,
    customer: u128,
    number: String,
    amount: String,
    currency: String,
    #[serde(default)]
    date: Option<String>,
    due: String,
    #[serde(default)]
    discounts: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct LineRow {
    date: String,
    amount: String,
    currency: String,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    e2e: Option<String>,
    #[serde(default)]
    refs: Vec<(String, String)>,
    #[serde(default)]
    remittances: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct Expect {
    customer: Option<u128>,
    tier: String,
    #[serde(default)]
    skipped: bool,
    allocations: Vec<(u128, String, String)>,
    #[serde(default)]
    write_offs: Vec<(u128, String)>,
    #[serde(default)]
    deductions: Vec<(u128, String)>,
    unapplied: String,
    evidence: Vec<String>,
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn money(amount: &str, currency: &str) -> Money {
    Money::new(Decimal::from_str(amount).unwrap(), Currency::from_code(currency).unwrap()).unwrap()
}

fn directory(rows: &[CustomerRow]) -> CustomerDirectory {
    rows.iter()
        .map(|r| {
            let mut c = Customer::new(CustomerId::from_u128(r.id), r.name.as_str());
            c.accounts = r.accounts.clone();
            c.aliases = r.aliases.clone();
            c.references = r.references.clone();
            c
        })
        .collect()
}

fn invoice(r: &InvoiceRow) -> OpenInvoice {
    let due = date(&r.due);
    let mut item = OpenInvoice::new(
        InvoiceId::from_u128(r.id),
        CustomerId::from_u128(r.customer),
        r.number.as_str(),
        money(&r.amount, &r.currency),
        // Without a date, an invoice is taken as issued on net 30 terms.
        r.date.as_deref().map_or(due - chrono::Days::new(30), date),
        due,
    );
    for (until, amount) in &r.discounts {
        item = item.with_discount(DiscountOffer { until: date(until), amount: money(amount, &r.currency) });
    }
    item
}

fn line(r: &LineRow) -> BankLine {
    let reference = |(kind, value): &(String, String)| match kind.as_str() {
        "invoice" => Reference::Invoice(value.clone()),
        "creditor" => Reference::Creditor(value.clone()),
        "other" => Reference::Other(value.clone()),
        other => panic!("unknown reference kind {other}"),
    };
    BankLine {
        end_to_end_id: r.e2e.clone(),
        counterparty_name: r.name.clone(),
        counterparty_account: r.account.clone(),
        remittance_text: r.text.clone(),
        references: r.refs.iter().map(reference).collect(),
        remittances: r
            .remittances
            .iter()
            .map(|(document, paid)| Remittance::new(document.clone()).paid(money(paid, &r.currency)))
            .collect(),
        ..BankLine::new(date(&r.date), money(&r.amount, &r.currency))
    }
}

fn policy(p: &PolicyRow) -> MatchPolicy {
    let mut policy = MatchPolicy::new().discount_grace_days(p.grace_days);
    for (currency, amount) in &p.write_off {
        policy =
            policy.write_off_tolerance_for(Currency::from_code(currency).unwrap(), Decimal::from_str(amount).unwrap());
    }
    policy
}

fn tier(s: &str) -> Tier {
    match s {
        "Certain" => Tier::Certain,
        "High" => Tier::High,
        "NeedsReview" => Tier::NeedsReview,
        "Unmatched" => Tier::Unmatched,
        other => panic!("unknown tier {other}"),
    }
}

fn check(case: &str, n: usize, p: &Proposal, e: &Expect, currency: &str) {
    let at = format!("case '{case}', line {n}");
    let sentences: Vec<String> = p.evidence.iter().map(|e| e.to_string()).collect();
    let why = format!("{at}: evidence {sentences:#?}");
    assert_eq!(p.line, n, "{at}");
    assert_eq!(p.customer, e.customer.map(CustomerId::from_u128), "{why}");
    assert_eq!(p.tier, tier(&e.tier), "{why}");
    assert_eq!(p.skipped, e.skipped, "{why}");
    let got: Vec<(InvoiceId, Money, Money)> =
        p.allocations.iter().map(|a| (a.invoice, a.applied, a.discount)).collect();
    let want: Vec<(InvoiceId, Money, Money)> = e
        .allocations
        .iter()
        .map(|(id, applied, discount)| (InvoiceId::from_u128(*id), money(applied, currency), money(discount, currency)))
        .collect();
    assert_eq!(got, want, "{why}");
    let shortfalls = |rows: &[(u128, String)]| -> Vec<(InvoiceId, Money)> {
        rows.iter().map(|(id, amount)| (InvoiceId::from_u128(*id), money(amount, currency))).collect()
    };
    let got_w: Vec<_> = p.write_offs.iter().map(|s| (s.invoice, s.amount)).collect();
    assert_eq!(got_w, shortfalls(&e.write_offs), "{why}");
    let got_d: Vec<_> = p.deductions.iter().map(|s| (s.invoice, s.amount)).collect();
    assert_eq!(got_d, shortfalls(&e.deductions), "{why}");
    assert_eq!(p.unapplied, money(&e.unapplied, currency), "{why}");
    for needle in &e.evidence {
        assert!(
            sentences.iter().any(|s| s.contains(needle.as_str())),
            "{at}: no evidence says '{needle}': {sentences:#?}"
        );
    }
}

/// Money adds up on each proposal, and no invoice is settled beyond what was open.
fn check_invariants(case: &str, items: &[OpenInvoice], outcome: &MatchOutcome) {
    let mut settled: BTreeMap<InvoiceId, i64> = BTreeMap::new();
    for p in &outcome.proposals {
        let applied: i64 = p.allocations.iter().map(|a| a.applied.minor()).sum();
        if !p.skipped {
            assert_eq!(applied + p.unapplied.minor(), p.amount.minor(), "case '{case}': line {} loses money", p.line);
        }
        let parts: i64 = p.allocations.iter().map(|a| a.applied.minor() + a.discount.minor()).sum::<i64>()
            + p.write_offs.iter().map(|w| w.amount.minor()).sum::<i64>()
            + p.deductions.iter().map(|d| d.amount.minor()).sum::<i64>();
        let total: i64 = p.allocations.iter().map(|a| a.settled.minor()).sum();
        assert_eq!(parts, total, "case '{case}': line {} settles more than it explains", p.line);
        for a in &p.allocations {
            *settled.entry(a.invoice).or_default() += a.settled.minor();
        }
    }
    for item in items {
        let s = settled.get(&item.invoice).copied().unwrap_or(0);
        assert!(s <= item.open_amount.minor(), "case '{case}': {} settled {s} of {}", item.number, item.open_amount);
    }
    let counted: usize = outcome.summary.tiers.iter().map(|t| t.lines).sum::<usize>() + outcome.summary.skipped.lines;
    assert_eq!(counted, outcome.proposals.len(), "case '{case}': the summary does not count every line");
}

#[test]
fn fixture_suite() {
    let suite: Suite = serde_json::from_str(include_str!("data/matching/fixtures.json")).unwrap();
    let directory = directory(&suite.customers);
    let mut lines_checked = 0;
    for case in &suite.cases {
        let items: Vec<OpenInvoice> = case.invoices.iter().map(invoice).collect();
        let lines: Vec<BankLine> = case.lines.iter().map(line).collect();
        assert_eq!(lines.len(), case.expect.len(), "case '{}': one expectation per line", case.name);
        let matcher = Matcher::new(policy(&case.policy), &directory, &items).unwrap();
        let outcome = matcher.run(&lines);
        assert_eq!(outcome.proposals.len(), lines.len());
        for (n, ((p, e), l)) in outcome.proposals.iter().zip(&case.expect).zip(&case.lines).enumerate() {
            check(&case.name, n, p, e, &l.currency);
            lines_checked += 1;
        }
        check_invariants(&case.name, &items, &outcome);
        // A second run over the same matcher starts from the same open amounts.
        assert_eq!(matcher.run(&lines), outcome, "case '{}': runs are not independent", case.name);
    }
    assert!(lines_checked >= 30, "the suite shrank to {lines_checked} lines");
}

#[test]
fn bad_rows_are_typed_errors() {
    let suite: Suite = serde_json::from_str(include_str!("data/matching/fixtures.json")).unwrap();
    let directory = directory(&suite.customers);
    let d = date("2024-03-01");
    let eur = |v: &str| money(v, "EUR");
    let item = |id, amount| OpenInvoice::new(InvoiceId::from_u128(id), CustomerId::from_u128(1), "X-1", amount, d, d);
    let dup = [item(1, eur("1.00")), item(1, eur("2.00"))];
    let err = Matcher::new(MatchPolicy::new(), &directory, &dup).err().unwrap();
    assert!(err.to_string().contains("listed twice"), "{err}");
    let zero = [item(1, eur("0.00"))];
    assert!(Matcher::new(MatchPolicy::new(), &directory, &zero).is_err());
    let too_much = [item(1, eur("1.00")).with_discount(DiscountOffer { until: d, amount: eur("1.00") })];
    assert!(Matcher::new(MatchPolicy::new(), &directory, &too_much).is_err());
    let mut clash = directory.clone();
    clash.push(Customer::new(CustomerId::from_u128(99), "Other").account("de89370400440532013000"));
    let err = Matcher::new(MatchPolicy::new(), &clash, &[]).err().unwrap();
    assert!(err.to_string().contains("listed for two customers"), "{err}");
    let mut twice = directory.clone();
    twice.push(Customer::new(CustomerId::from_u128(1), "ACME again"));
    assert!(Matcher::new(MatchPolicy::new(), &twice, &[]).is_err());
}
