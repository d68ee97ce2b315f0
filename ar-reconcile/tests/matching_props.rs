//! Properties of the matcher on random inputs: the combination search agrees
//! with brute force, every proposal conserves money, no invoice is settled
//! beyond its open amount across a run, and the same input gives the same output.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use ar_core::{Currency, CustomerId, DiscountOffer, InvoiceId, Money};
use ar_reconcile::matching::combination::{SubsetLimits, SubsetSearch, find_subset};
use ar_reconcile::matching::{Customer, CustomerDirectory, MatchOutcome, MatchPolicy, Matcher, OpenInvoice};
use ar_reconcile::{BankLine, Reference, Remittance};
use chrono::NaiveDate;
use proptest::prelude::*;

/// The shortest, then lexicographically smallest, ascending index list of at
/// most `k` positive values whose sum lies in `lo..=hi`, by trying every subset.
fn brute_force(values: &[i64], lo: i64, hi: i64, k: usize) -> Option<Vec<usize>> {
    let mut best: Option<Vec<usize>> = None;
    for mask in 1u32..(1 << values.len()) {
        let idx: Vec<usize> = (0..values.len()).filter(|i| mask & (1 << i) != 0).collect();
        if idx.len() > k || idx.iter().any(|&i| values[i] <= 0) {
            continue;
        }
        let sum: i64 = idx.iter().map(|&i| values[i]).sum();
        if sum >= lo.max(1) && sum <= hi && best.as_ref().is_none_or(|b| (idx.len(), &idx) < (b.len(), b)) {
            best = Some(idx);
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn combination_equals_brute_force(
        values in prop::collection::vec(-5i64..60, 0..=12),
        lo in 1i64..250,
        width in 0i64..6,
        k in 1usize..=6,
    ) {
        let hi = lo + width;
        let expected = brute_force(&values, lo, hi, k);
        let limits = SubsetLimits { max_items: k, max_steps: 10_000_000 };
        match find_subset(&values, lo..=hi, limits) {
            SubsetSearch::Found { indexes, .. } => prop_assert_eq!(Some(indexes), expected),
            SubsetSearch::NotFound { .. } => prop_assert_eq!(None, expected),
            SubsetSearch::Exhausted { steps } => prop_assert!(false, "a 12-item search ran out after {} steps", steps),
        }
    }

    #[test]
    fn combination_within_a_small_budget_is_sound(
        values in prop::collection::vec(1i64..1_000, 0..=12),
        target in 1i64..3_000,
        k in 1usize..=6,
        budget in 0u64..40,
    ) {
        let limits = SubsetLimits { max_items: k, max_steps: budget };
        let expected = brute_force(&values, target, target, k);
        match find_subset(&values, target..=target, limits) {
            SubsetSearch::Found { indexes, steps } => {
                prop_assert!(steps <= budget);
                prop_assert!(indexes.len() <= k);
                prop_assert!(indexes.windows(2).all(|w| w[0] < w[1]));
                prop_assert_eq!(indexes.iter().map(|&i| values[i]).sum::<i64>(), target);
                // Found within budget means nothing smaller exists.
                prop_assert_eq!(Some(indexes), expected);
            }
            SubsetSearch::NotFound { steps } => {
                prop_assert!(steps <= budget);
                prop_assert_eq!(None, expected);
            }
            SubsetSearch::Exhausted { steps } => prop_assert_eq!(steps, budget + 1),
        }
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, d).unwrap()
}

/// A random small world: invoice (customer, minor amount, due day, discount),
/// and lines built from invoices so that references, sums and near-sums occur.
/// customer, open amount (minor units), due day, discount (amount, last day)
type InvoiceSpec = (u8, i64, u32, Option<(i64, u32)>);

#[derive(Debug, Clone)]
struct World {
    invoices: Vec<InvoiceSpec>,
    lines: Vec<LineSpec>,
    currency: Currency,
}

#[derive(Debug, Clone)]
struct LineSpec {
    refs: Vec<usize>,
    /// How the amount is made: 0 = the referenced/picked invoices' sum,
    /// 1 = that sum minus a little, 2 = plus a little, 3 = a random amount,
    /// 4 = the sum net of every discount offered, minus a little.
    amount_kind: u8,
    delta: i64,
    random_amount: i64,
    payer: u8,
    in_text: bool,
    remit: bool,
    date: u32,
    debit: bool,
}

fn world() -> impl Strategy<Value = World> {
    // Small invoices too, whose discount can be most of them: paid net, they
    // carry little cash.
    let invoice = (0u8..4, prop_oneof![1i64..50_000, 2i64..600], 1u32..28, prop::option::of((1i64..500, 1u32..28)));
    let line =
        (
            prop::collection::vec(0usize..16, 0..4),
            0u8..5,
            1i64..800,
            1i64..120_000,
            0u8..6,
            any::<bool>(),
            any::<bool>(),
            1u32..28,
            prop::bool::weighted(0.05),
        )
            .prop_map(|(refs, amount_kind, delta, random_amount, payer, in_text, remit, date, debit)| {
                LineSpec { refs, amount_kind, delta, random_amount, payer, in_text, remit, date, debit }
            });
    (
        prop::collection::vec(invoice, 1..16),
        prop::collection::vec(line, 1..14),
        prop::sample::select(vec![Currency::EUR, Currency::JPY, Currency::KWD]),
    )
        .prop_map(|(invoices, lines, currency)| World { invoices, lines, currency })
}

fn build(w: &World) -> (CustomerDirectory, Vec<OpenInvoice>, Vec<BankLine>) {
    let directory: CustomerDirectory = (0u8..4)
        .map(|c| {
            Customer::new(CustomerId::from_u128(u128::from(c) + 1), format!("Customer {c} GmbH"))
                .account(format!("DE00 {c:04}"))
        })
        .collect();
    let money = |minor: i64| Money::from_minor(minor, w.currency).unwrap();
    let items: Vec<OpenInvoice> = w
        .invoices
        .iter()
        .enumerate()
        .map(|(i, (c, amount, due, discount))| {
            let mut item = OpenInvoice::new(
                InvoiceId::from_u128(i as u128 + 100),
                CustomerId::from_u128(u128::from(*c) + 1),
                format!("INV-{:05}", i + 1),
                money(*amount),
                day(1),
                day(*due),
            );
            if let Some((d, until)) = discount
                && d < amount
            {
                item = item.with_discount(DiscountOffer { until: day(*until), amount: money(*d) });
            }
            item
        })
        .collect();
    let lines = w
        .lines
        .iter()
        .map(|l| {
            let refs: Vec<usize> = l.refs.iter().copied().filter(|r| *r < items.len()).collect();
            let sum: i64 = refs.iter().map(|&r| items[r].open_amount.minor()).sum();
            let offered: i64 = refs.iter().filter_map(|&r| items[r].discounts.first()).map(|d| d.amount.minor()).sum();
            let small = l.delta % 300 + 1;
            let mut amount = match l.amount_kind {
                0 if sum > 0 => sum,
                1 if sum > l.delta => sum - l.delta,
                2 => sum + l.delta,
                4 if sum - offered > small => sum - offered - small,
                _ => l.random_amount,
            };
            if l.debit {
                amount = -amount;
            }
            let numbers: Vec<String> = refs.iter().map(|&r| format!("inv {}", r + 1)).collect();
            BankLine {
                counterparty_name: Some(format!("customer {} ltd", l.payer)),
                counterparty_account: (l.payer < 4).then(|| format!("de00{:04}", l.payer)),
                remittance_text: if l.in_text { format!("payment {}", numbers.join(" ")) } else { String::new() },
                references: if l.in_text || l.remit {
                    vec![]
                } else {
                    numbers.iter().map(|n| Reference::Invoice(n.clone())).collect()
                },
                remittances: if l.remit {
                    refs.iter()
                        .map(|&r| {
                            let open = items[r].open_amount.minor();
                            Remittance::new(items[r].number.to_string()).paid(money(open - l.delta.min(open)))
                        })
                        .collect()
                } else {
                    vec![]
                },
                ..BankLine::new(day(l.date), money(amount))
            }
        })
        .collect();
    (directory, items, lines)
}

fn assert_invariants(items: &[OpenInvoice], lines: &[BankLine], outcome: &MatchOutcome) -> Result<(), TestCaseError> {
    prop_assert_eq!(outcome.proposals.len(), lines.len());
    let mut settled: BTreeMap<InvoiceId, i64> = BTreeMap::new();
    for (n, (p, line)) in outcome.proposals.iter().zip(lines).enumerate() {
        prop_assert_eq!(p.line, n);
        prop_assert_eq!(p.amount, line.amount);
        if p.skipped {
            prop_assert!(line.amount.minor() <= 0);
            prop_assert!(p.allocations.is_empty());
            continue;
        }
        let applied: i64 = p.allocations.iter().map(|a| a.applied.minor()).sum();
        prop_assert_eq!(applied + p.unapplied.minor(), p.amount.minor(), "line {} loses money", n);
        prop_assert!(p.unapplied.minor() >= 0);
        let explained: i64 = p.allocations.iter().map(|a| a.applied.minor() + a.discount.minor()).sum::<i64>()
            + p.write_offs.iter().map(|w| w.amount.minor()).sum::<i64>()
            + p.deductions.iter().map(|d| d.amount.minor()).sum::<i64>();
        let total: i64 = p.allocations.iter().map(|a| a.settled.minor()).sum();
        prop_assert_eq!(explained, total, "line {} settles what it does not explain", n);
        for a in &p.allocations {
            prop_assert!(a.applied.minor() >= 0 && a.discount.minor() >= 0 && a.settled.minor() > 0);
            let item = items.iter().find(|i| i.invoice == a.invoice).unwrap();
            prop_assert_eq!(Some(item.customer), p.customer, "line {} pays another customer's invoice", n);
            *settled.entry(a.invoice).or_default() += a.settled.minor();
        }
        for s in p.write_offs.iter().chain(&p.deductions) {
            prop_assert!(p.allocations.iter().any(|a| a.invoice == s.invoice));
        }
        if p.customer.is_none() {
            prop_assert!(p.allocations.is_empty());
        }
    }
    for item in items {
        let s = settled.get(&item.invoice).copied().unwrap_or(0);
        prop_assert!(s <= item.open_amount.minor(), "{} settled {} of {}", item.number, s, item.open_amount);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn runs_conserve_money_and_never_over_allocate(w in world(), grace in 0u32..3, k in 1usize..=6) {
        let (directory, items, lines) = build(&w);
        let policy = MatchPolicy::new().discount_grace_days(grace).max_combination_items(k);
        let matcher = Matcher::new(policy.clone(), &directory, &items).unwrap();
        let outcome = matcher.run(&lines);
        assert_invariants(&items, &lines, &outcome)?;
        // Determinism: the same input, indexed again, gives the same output.
        let again = Matcher::new(policy, &directory.clone(), &items.clone()).unwrap().run(&lines.clone());
        prop_assert_eq!(&again, &outcome);
        prop_assert_eq!(format!("{:?}", again), format!("{:?}", outcome));
    }
}

/// A short payment written off net of discounts: the write-off comes out of an
/// invoice whose cash can carry it, never leaving a negative allocation.
#[test]
fn a_net_write_off_skips_an_invoice_whose_cash_cannot_carry_it() {
    let eur = |minor: i64| Money::from_minor(minor, Currency::EUR).unwrap();
    let acme = CustomerId::from_u128(1);
    let directory: CustomerDirectory = [Customer::new(acme, "ACME")].into_iter().collect();
    let big = OpenInvoice::new(InvoiceId::from_u128(1), acme, "INV-1", eur(100_000), day(1), day(30));
    let small = OpenInvoice::new(InvoiceId::from_u128(2), acme, "INV-2", eur(300), day(1), day(30))
        .with_discount(DiscountOffer { until: day(10), amount: eur(200) });
    let items = [big, small];
    let line = BankLine {
        references: vec![Reference::Invoice("INV-1".into()), Reference::Invoice("INV-2".into())],
        ..BankLine::new(day(5), eur(99_850))
    };
    let outcome = Matcher::new(MatchPolicy::new(), &directory, &items).unwrap().run(std::slice::from_ref(&line));
    let p = &outcome.proposals[0];
    let parts: Vec<(i64, i64)> = p.allocations.iter().map(|a| (a.applied.minor(), a.discount.minor())).collect();
    assert_eq!(parts, [(99_750, 0), (100, 200)], "{p:#?}");
    let write_offs: Vec<(InvoiceId, i64)> = p.write_offs.iter().map(|w| (w.invoice, w.amount.minor())).collect();
    assert_eq!(write_offs, [(InvoiceId::from_u128(1), 250)]);
}
