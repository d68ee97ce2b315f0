//! Tie-outs: deposit batches against bank credits, and the AR subledger against
//! the GL control balance.
#![allow(clippy::unwrap_used)]

use ar_core::{Currency, Money, PaymentId};
use ar_reconcile::BankLine;
use ar_reconcile::tieout::{
    DepositPolicy, DepositStatus, Explanation, LedgerPayment, PairedBy, ReconcilingItem, Subledger, TieOutLimits,
    reconcile_deposit, tie_out_subledger,
};
use chrono::NaiveDate;
use proptest::prelude::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, d).unwrap()
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD).unwrap()
}

fn payment(id: u128, minor: i64, d: u32, reference: Option<&str>) -> LedgerPayment {
    LedgerPayment {
        payment: PaymentId::from_u128(id),
        amount: usd(minor),
        date: day(d),
        reference: reference.map(Into::into),
    }
}

fn credit(minor: i64, d: u32, reference: Option<&str>) -> BankLine {
    BankLine { end_to_end_id: reference.map(Into::into), ..BankLine::new(day(d), usd(minor)) }
}

#[test]
fn deposit_pairs_by_reference_then_amount_and_nearest_date() {
    let payments = [
        payment(1, 10_000, 3, Some("CHK-1001")),
        payment(2, 5_000, 3, None),
        payment(3, 5_000, 10, None),
        payment(4, 7_700, 3, Some("chk 1002")),
        payment(5, 1_234, 3, None),
    ];
    let lines = [
        credit(5_000, 11, None),
        credit(5_000, 4, None),
        credit(10_000, 4, Some("chk1001")),
        credit(7_000, 4, Some("CHK1002")),
        credit(-300, 4, None),
        credit(999, 4, None),
        credit(1_234, 20, None),
    ];
    let r = reconcile_deposit(&payments, &lines, DepositPolicy::new()).unwrap();
    assert_eq!(
        r.rows,
        vec![
            DepositStatus::Matched { payment: 0, line: 2, by: PairedBy::Reference },
            DepositStatus::Matched { payment: 1, line: 1, by: PairedBy::AmountAndDate { days_apart: 1 } },
            DepositStatus::Matched { payment: 2, line: 0, by: PairedBy::AmountAndDate { days_apart: 1 } },
            DepositStatus::AmountDiffers { payment: 3, line: 3, difference: usd(-700) },
            // 17 days apart: beyond the 5-day window.
            DepositStatus::MissingInBank { payment: 4 },
            DepositStatus::MissingInLedger { line: 5 },
            DepositStatus::MissingInLedger { line: 6 },
        ]
    );
    assert_eq!(r.debits_ignored, 1);
    assert_eq!(r.ledger_total[&Currency::USD], usd(10_000 + 5_000 + 5_000 + 7_700 + 1_234));
    assert_eq!(r.bank_total[&Currency::USD], usd(5_000 + 5_000 + 10_000 + 7_000 + 999 + 1_234));
    assert!(!r.is_clean());
    assert_eq!(r.rows[3].to_string(), "payment 3 and bank line 3 share a reference but differ by -7.00 USD");
    let wide = reconcile_deposit(&payments, &lines, DepositPolicy::new().date_window_days(30)).unwrap();
    assert!(wide.rows.contains(&DepositStatus::Matched {
        payment: 4,
        line: 6,
        by: PairedBy::AmountAndDate { days_apart: 17 }
    }));
}

#[test]
fn subledger_ties_explains_or_says_unexplained() {
    let item = |key: &str, minor| ReconcilingItem {
        key: key.into(),
        description: format!("{key} unposted"),
        effect: usd(minor),
    };
    let candidates = [item("A", 500), item("B", 700), item("C", -200), item("D", 1_200), item("E", 300)];
    let tied = tie_out_subledger(Subledger::Balance(usd(9_000)), usd(9_000), &candidates, TieOutLimits::new()).unwrap();
    assert_eq!(tied.explanation, Explanation::Tied);
    // 1,200 is A+B (2 items) or D alone: the single item wins.
    let one = tie_out_subledger(Subledger::Balance(usd(9_000)), usd(10_200), &candidates, TieOutLimits::new()).unwrap();
    assert_eq!(one.explanation, Explanation::Explained { items: vec![3] });
    assert_eq!(one.difference, usd(1_200));
    // 1,000 is A+B+C (3 items), B+E or C+D (2 items): fewest, then earliest, is B+E.
    let two = tie_out_subledger(Subledger::Balance(usd(9_000)), usd(10_000), &candidates, TieOutLimits::new()).unwrap();
    assert_eq!(two.explanation, Explanation::Explained { items: vec![1, 4] });
    let none = tie_out_subledger(Subledger::Balance(usd(9_000)), usd(9_001), &candidates, TieOutLimits::new()).unwrap();
    assert_eq!(none.explanation, Explanation::Unexplained { searched: 5, given: 5 });
    assert!(none.to_string().contains("unexplained"), "{none}");
    let negative =
        tie_out_subledger(Subledger::Balance(usd(9_000)), usd(8_800), &candidates, TieOutLimits::new()).unwrap();
    assert_eq!(negative.explanation, Explanation::Explained { items: vec![2] });
}

fn brute_force(effects: &[i64], target: i64) -> Option<Vec<usize>> {
    let mut best: Option<Vec<usize>> = None;
    for mask in 1u32..(1 << effects.len()) {
        let idx: Vec<usize> = (0..effects.len()).filter(|i| mask & (1 << i) != 0).collect();
        let sum: i64 = idx.iter().map(|&i| effects[i]).sum();
        if sum == target && best.as_ref().is_none_or(|b| (idx.len(), &idx) < (b.len(), b)) {
            best = Some(idx);
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn explanation_equals_brute_force(effects in prop::collection::vec(-40i64..40, 0..=12), target in -80i64..80) {
        prop_assume!(target != 0);
        let candidates: Vec<ReconcilingItem> = effects
            .iter()
            .enumerate()
            .map(|(i, e)| ReconcilingItem { key: i.to_string(), description: String::new(), effect: usd(*e) })
            .collect();
        let r = tie_out_subledger(Subledger::Balance(usd(1_000)), usd(1_000 + target), &candidates, TieOutLimits::new())
            .unwrap();
        match (r.explanation, brute_force(&effects, target)) {
            (Explanation::Explained { items }, Some(expected)) => prop_assert_eq!(items, expected),
            (Explanation::Unexplained { .. }, None) => {}
            (got, expected) => prop_assert!(false, "got {:?}, brute force {:?}", got, expected),
        }
    }

    #[test]
    fn every_payment_once_every_line_at_most_once(
        pays in prop::collection::vec((1i64..6, 1u32..20, prop::option::of(0u8..5)), 0..12),
        bank in prop::collection::vec((-2i64..6, 1u32..20, prop::option::of(0u8..5)), 0..12),
        window in 0u32..6,
    ) {
        let payments: Vec<LedgerPayment> = pays
            .iter()
            .enumerate()
            .map(|(i, (a, d, r))| payment(i as u128, a * 100, *d, r.map(|r| format!("R{r}")).as_deref()))
            .collect();
        let lines: Vec<BankLine> =
            bank.iter().map(|(a, d, r)| credit(a * 100, *d, r.map(|r| format!("r-{r}")).as_deref())).collect();
        let r = reconcile_deposit(&payments, &lines, DepositPolicy::new().date_window_days(window)).unwrap();
        let again = reconcile_deposit(&payments, &lines, DepositPolicy::new().date_window_days(window)).unwrap();
        prop_assert_eq!(&r, &again);
        let mut seen_payment = vec![0; payments.len()];
        let mut seen_line = vec![0; lines.len()];
        for row in &r.rows {
            match row {
                DepositStatus::Matched { payment, line, by } => {
                    seen_payment[*payment] += 1;
                    seen_line[*line] += 1;
                    prop_assert_eq!(payments[*payment].amount, lines[*line].amount);
                    if let PairedBy::AmountAndDate { days_apart } = by {
                        prop_assert!(*days_apart <= window);
                    }
                }
                DepositStatus::AmountDiffers { payment, line, difference } => {
                    seen_payment[*payment] += 1;
                    seen_line[*line] += 1;
                    prop_assert_eq!(difference.minor(), lines[*line].amount.minor() - payments[*payment].amount.minor());
                    prop_assert!(!difference.is_zero());
                }
                DepositStatus::BatchMatched { payments: batch, line, amount, .. } => {
                    prop_assert!(batch.len() >= 2);
                    let sum: i64 = batch.iter().map(|&p| payments[p].amount.minor()).sum();
                    prop_assert_eq!(sum, lines[*line].amount.minor());
                    prop_assert_eq!(*amount, lines[*line].amount);
                    for &p in batch {
                        seen_payment[p] += 1;
                    }
                    seen_line[*line] += 1;
                }
                DepositStatus::MissingInBank { payment } => seen_payment[*payment] += 1,
                DepositStatus::MissingInLedger { line } => seen_line[*line] += 1,
                other => prop_assert!(false, "unexpected row {:?}", other),
            }
        }
        prop_assert!(seen_payment.iter().all(|n| *n == 1));
        for (l, n) in seen_line.iter().enumerate() {
            prop_assert_eq!(*n, usize::from(!lines[l].amount.is_negative()), "line {}", l);
        }
    }
}
