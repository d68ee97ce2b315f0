//! Deposit reconciliation when the bank books several payments as one credit
//! (a deposit slip, a lockbox batch): the line is matched to the payments as a
//! batch, and every payment and every credit line lands in exactly one row.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use ar_core::{Currency, Money, PaymentId};
use ar_reconcile::BankLine;
use ar_reconcile::tieout::{BatchedBy, DepositPolicy, DepositStatus, LedgerPayment, PairedBy, reconcile_deposit};
use chrono::NaiveDate;
use proptest::prelude::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, d).unwrap()
}

fn money(minor: i64, currency: Currency) -> Money {
    Money::from_minor(minor, currency).unwrap()
}

fn usd(minor: i64) -> Money {
    money(minor, Currency::USD)
}

fn payment(id: u128, amount: Money, d: u32, reference: Option<&str>) -> LedgerPayment {
    LedgerPayment { payment: PaymentId::from_u128(id), amount, date: day(d), reference: reference.map(Into::into) }
}

fn credit(amount: Money, d: u32, reference: Option<&str>) -> BankLine {
    BankLine { bank_reference: reference.map(Into::into), ..BankLine::new(day(d), amount) }
}

#[test]
fn one_credit_for_three_payments_is_a_batch() {
    let payments = [
        payment(1, usd(5_000), 3, Some("CHK 501")),
        payment(2, usd(4_200), 3, None),
        payment(3, usd(4_000), 4, Some("CHK 502")),
    ];
    let lines = [credit(usd(13_200), 5, Some("DEPOSIT SLIP 88"))];
    let r = reconcile_deposit(&payments, &lines, DepositPolicy::new()).unwrap();
    assert_eq!(
        r.rows,
        vec![DepositStatus::BatchMatched {
            payments: vec![0, 1, 2],
            line: 0,
            amount: usd(13_200),
            by: BatchedBy::AllRemaining
        }]
    );
    assert!(r.is_clean());
    assert_eq!(r.ledger_total, r.bank_total);
    assert_eq!(
        r.rows[0].to_string(),
        "bank line 0 is one credit of 132.00 USD for payments 0, 1, 2 (all those left over)"
    );
}

#[test]
fn a_batch_off_by_one_dollar_is_not_matched() {
    let payments = [payment(1, usd(5_000), 3, None), payment(2, usd(4_200), 3, None), payment(3, usd(4_000), 4, None)];
    let lines = [credit(usd(13_100), 5, None)];
    let r = reconcile_deposit(&payments, &lines, DepositPolicy::new()).unwrap();
    assert_eq!(
        r.rows,
        vec![
            DepositStatus::MissingInBank { payment: 0 },
            DepositStatus::MissingInBank { payment: 1 },
            DepositStatus::MissingInBank { payment: 2 },
            DepositStatus::MissingInLedger { line: 0 },
        ]
    );
    assert!(!r.is_clean());
    let gap = r.ledger_total[&Currency::USD].checked_sub(r.bank_total[&Currency::USD]).unwrap();
    assert_eq!(gap, usd(100));
}

#[test]
fn one_to_one_pairs_first_then_a_batch_for_what_is_left() {
    let payments = [
        payment(1, usd(10_000), 3, Some("CHK-1")),
        payment(2, usd(3_000), 3, None),
        payment(3, usd(2_500), 3, None),
        payment(4, usd(2_000), 4, None),
        payment(5, usd(1_000), 4, None),
    ];
    let lines = [
        credit(usd(6_000), 5, None),
        credit(usd(10_000), 4, Some("chk1")),
        credit(usd(2_500), 4, None),
        credit(usd(-700), 4, None),
    ];
    let r = reconcile_deposit(&payments, &lines, DepositPolicy::new()).unwrap();
    assert_eq!(
        r.rows,
        vec![
            DepositStatus::Matched { payment: 0, line: 1, by: PairedBy::Reference },
            // The batch row stands where its first payment would.
            DepositStatus::BatchMatched {
                payments: vec![1, 3, 4],
                line: 0,
                amount: usd(6_000),
                by: BatchedBy::AllRemaining
            },
            DepositStatus::Matched { payment: 2, line: 2, by: PairedBy::AmountAndDate { days_apart: 1 } },
        ]
    );
    assert!(r.is_clean());
    assert_eq!(r.debits_ignored, 1);
}

#[test]
fn a_subset_of_what_is_left_is_a_batch_when_all_of_it_is_not() {
    let payments = [
        payment(1, usd(3_000), 3, None),
        payment(2, usd(700), 3, None),
        payment(3, usd(2_000), 3, None),
        payment(4, usd(1_000), 4, None),
        payment(5, usd(1_000), 4, None),
    ];
    // 60.00 is 30+20+10 (payments 0, 2, 3, or 0, 2, 4: the earlier wins);
    // 8.00 is nothing.
    let lines = [credit(usd(800), 5, None), credit(usd(6_000), 5, None)];
    let r = reconcile_deposit(&payments, &lines, DepositPolicy::new()).unwrap();
    assert_eq!(
        r.rows,
        vec![
            DepositStatus::BatchMatched { payments: vec![0, 2, 3], line: 1, amount: usd(6_000), by: BatchedBy::Subset },
            DepositStatus::MissingInBank { payment: 1 },
            DepositStatus::MissingInBank { payment: 4 },
            DepositStatus::MissingInLedger { line: 0 },
        ]
    );
    assert!(r.rows[0].to_string().ends_with("(some of those left over)"), "{}", r.rows[0]);
    // Without the subset search only a line equal to all that is left is found.
    let none = reconcile_deposit(&payments, &lines, DepositPolicy::new().batch_search_payments(0)).unwrap();
    assert!(none.rows.iter().all(|r| !matches!(r, DepositStatus::BatchMatched { .. })));
}

#[test]
fn a_batch_keeps_to_its_currency_and_date_window() {
    let eur = |minor| money(minor, Currency::EUR);
    let payments = [
        payment(1, usd(1_000), 3, None),
        payment(2, eur(2_000), 3, None),
        payment(3, usd(3_000), 3, None),
        payment(4, eur(500), 3, None),
    ];
    // 30.00 EUR would be payments 0 to 2 if currencies mixed; 25.00 EUR is 1 and 3.
    let lines = [credit(eur(3_000), 4, None), credit(eur(2_500), 4, None), credit(usd(4_000), 20, None)];
    let r = reconcile_deposit(&payments, &lines, DepositPolicy::new()).unwrap();
    assert_eq!(
        r.rows,
        vec![
            DepositStatus::MissingInBank { payment: 0 },
            DepositStatus::BatchMatched {
                payments: vec![1, 3],
                line: 1,
                amount: eur(2_500),
                by: BatchedBy::AllRemaining
            },
            DepositStatus::MissingInBank { payment: 2 },
            DepositStatus::MissingInLedger { line: 0 },
            // 40.00 USD is payments 0 and 2, but 17 days after them.
            DepositStatus::MissingInLedger { line: 2 },
        ]
    );
    let wide = reconcile_deposit(&payments, &lines, DepositPolicy::new().date_window_days(20)).unwrap();
    assert!(wide.rows.contains(&DepositStatus::BatchMatched {
        payments: vec![0, 2],
        line: 2,
        amount: usd(4_000),
        by: BatchedBy::AllRemaining
    }));
}

/// Every non-empty subset of `amounts` (by index) summing to `target`.
/// A month of a subscription: 20,000 payments of 49.00 on every other day,
/// half of them with the subscription's one fixed reference, and the bank's
/// 20,000 credits for them, each booked a day after its payment (so also a
/// day before the next day's payments). Every pair of equal amount
/// within the window is a candidate (about 70 million), and every payment
/// with the shared reference has 10,000 lines carrying it: listing the first
/// or rescanning the second per payment would not finish.
#[test]
fn twenty_thousand_payments_of_one_amount_pair_with_their_own_credits() {
    const N: usize = 20_000;
    let date = |i: usize| 2 * (i * 12 / N) as u32 + 1;
    let reference = |i: usize| i.is_multiple_of(2).then_some("SUBSCRIPTION-2024");
    let payments: Vec<_> = (0..N).map(|i| payment(i as u128 + 1, usd(4_900), date(i), reference(i))).collect();
    let lines: Vec<_> = (0..N).map(|i| credit(usd(4_900), date(i) + 1, reference(i))).collect();
    let result = reconcile_deposit(&payments, &lines, DepositPolicy::new()).unwrap();
    assert_eq!(result.rows.len(), N);
    for (i, row) in result.rows.iter().enumerate() {
        // Shared references pair in order. The rest pair one day apart, and
        // of two payments as near to a line the earlier one wins it: the
        // line a day after its own payment, not the one a day before.
        let by = if i.is_multiple_of(2) { PairedBy::Reference } else { PairedBy::AmountAndDate { days_apart: 1 } };
        assert_eq!(*row, DepositStatus::Matched { payment: i, line: i, by }, "row {i}");
    }
    assert!(result.is_clean());
}

fn any_subset_sums_to(amounts: &[i64], target: i64) -> bool {
    (1u32..(1 << amounts.len()))
        .any(|mask| (0..amounts.len()).filter(|i| mask & (1 << i) != 0).map(|i| amounts[i]).sum::<i64>() == target)
}

fn within(payment: &LedgerPayment, line: &BankLine, window: u32) -> bool {
    (line.booking_date - payment.date).num_days().unsigned_abs() <= u64::from(window)
}

/// Payments of 1.00 to 8.00, one in five in EUR, each put in one of five
/// slips and received within two days of the slip's first day. Each slip is a
/// bank line of its total in its first payment's currency (payments in the
/// other are left out), booked 0 to 2 days after its last payment, sometimes
/// off by 1.00 or dropped; then a few stray lines and debits; the lines in a
/// shuffled order.
fn inputs() -> impl Strategy<Value = (Vec<LedgerPayment>, Vec<BankLine>, u32)> {
    let pay = (1i64..=8, 0u32..=2, prop::option::of(0u8..4), prop::bool::weighted(0.2), 0usize..5);
    let slip =
        (prop_oneof![8 => Just(Some(0i64)), 1 => Just(Some(100)), 1 => Just(Some(-100)), 1 => Just(None)], 0u32..=2);
    let stray = (-3i64..=8, 1u32..=12, prop::option::of(0u8..4));
    (
        prop::collection::vec(pay, 0..=10),
        prop::collection::vec(slip, 5),
        prop::collection::vec(stray, 0..=2),
        prop::collection::vec(any::<u32>(), 8),
        0u32..=4,
    )
        .prop_map(|(pays, slips, strays, order, window)| {
            let mut payments = Vec::new();
            let mut totals: BTreeMap<usize, (Currency, i64, u32)> = BTreeMap::new();
            for (i, (a, jitter, r, eur, s)) in pays.into_iter().enumerate() {
                let d = 1 + 2 * s as u32 + jitter;
                let currency = if eur { Currency::EUR } else { Currency::USD };
                let amount = money(a * 100, currency);
                payments.push(payment(i as u128, amount, d, r.map(|r| format!("R{r}")).as_deref()));
                let total = totals.entry(s).or_insert((currency, 0, d));
                if total.0 == currency {
                    total.1 += amount.minor();
                    total.2 = total.2.max(d);
                }
            }
            let mut lines: Vec<BankLine> = totals
                .into_iter()
                .filter_map(|(s, (currency, minor, d))| {
                    let (noise, late) = slips[s];
                    noise.map(|n| credit(money(minor + n, currency), d + late, None))
                })
                .collect();
            lines.extend(
                strays.into_iter().map(|(a, d, r)| credit(usd(a * 100), d, r.map(|r| format!("r-{r}")).as_deref())),
            );
            let mut keyed: Vec<(u32, BankLine)> = lines.into_iter().enumerate().map(|(k, l)| (order[k], l)).collect();
            keyed.sort_by_key(|(key, _)| *key);
            (payments, keyed.into_iter().map(|(_, l)| l).collect(), window)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every payment and every credit line is in exactly one row, matched
    /// amounts agree, and what is matched plus what is missing is what came in.
    #[test]
    fn every_payment_and_line_in_exactly_one_row((payments, lines, window) in inputs()) {
        let policy = DepositPolicy::new().date_window_days(window);
        let r = reconcile_deposit(&payments, &lines, policy).unwrap();
        prop_assert_eq!(&r, &reconcile_deposit(&payments, &lines, policy).unwrap());
        let mut seen_payment = vec![0; payments.len()];
        let mut seen_line = vec![0; lines.len()];
        // Per currency: matched on each side, missing on each side.
        let mut matched_ledger: BTreeMap<Currency, i64> = BTreeMap::new();
        let mut matched_bank: BTreeMap<Currency, i64> = BTreeMap::new();
        let mut ledger_rows: BTreeMap<Currency, i64> = BTreeMap::new();
        let mut bank_rows: BTreeMap<Currency, i64> = BTreeMap::new();
        let add = |map: &mut BTreeMap<Currency, i64>, m: Money| *map.entry(m.currency()).or_default() += m.minor();
        let mut first_payment_of_rows = Vec::new();
        let mut missing_lines = Vec::new();
        let mut missing_payments = Vec::new();
        for row in &r.rows {
            match row {
                DepositStatus::Matched { payment, line, by } => {
                    let (p, l) = (&payments[*payment], &lines[*line]);
                    prop_assert_eq!(p.amount, l.amount);
                    if let PairedBy::AmountAndDate { days_apart } = by {
                        prop_assert!(*days_apart <= window);
                    }
                    add(&mut matched_ledger, p.amount);
                    add(&mut matched_bank, l.amount);
                    add(&mut ledger_rows, p.amount);
                    add(&mut bank_rows, l.amount);
                    seen_payment[*payment] += 1;
                    seen_line[*line] += 1;
                    first_payment_of_rows.push(*payment);
                }
                DepositStatus::AmountDiffers { payment, line, difference } => {
                    let (p, l) = (&payments[*payment], &lines[*line]);
                    prop_assert_eq!(difference.minor(), l.amount.minor() - p.amount.minor());
                    add(&mut ledger_rows, p.amount);
                    add(&mut bank_rows, l.amount);
                    seen_payment[*payment] += 1;
                    seen_line[*line] += 1;
                    first_payment_of_rows.push(*payment);
                }
                DepositStatus::BatchMatched { payments: batch, line, amount, .. } => {
                    let l = &lines[*line];
                    prop_assert!(batch.len() >= 2, "{:?}", row);
                    prop_assert!(batch.windows(2).all(|w| w[0] < w[1]), "{:?}", row);
                    prop_assert_eq!(*amount, l.amount);
                    let mut sum = 0;
                    for &p in batch {
                        let p_row = &payments[p];
                        prop_assert_eq!(p_row.amount.currency(), l.amount.currency());
                        prop_assert!(within(p_row, l, window), "payment {} outside the window of line {}", p, line);
                        sum += p_row.amount.minor();
                        add(&mut matched_ledger, p_row.amount);
                        add(&mut ledger_rows, p_row.amount);
                        seen_payment[p] += 1;
                    }
                    prop_assert_eq!(sum, l.amount.minor());
                    add(&mut matched_bank, l.amount);
                    add(&mut bank_rows, l.amount);
                    seen_line[*line] += 1;
                    first_payment_of_rows.push(batch[0]);
                }
                DepositStatus::MissingInBank { payment } => {
                    add(&mut ledger_rows, payments[*payment].amount);
                    seen_payment[*payment] += 1;
                    first_payment_of_rows.push(*payment);
                    missing_payments.push(*payment);
                }
                DepositStatus::MissingInLedger { line } => {
                    add(&mut bank_rows, lines[*line].amount);
                    seen_line[*line] += 1;
                    missing_lines.push(*line);
                }
                other => prop_assert!(false, "unexpected row {:?}", other),
            }
        }
        prop_assert!(seen_payment.iter().all(|n| *n == 1), "{:?}", seen_payment);
        for (l, n) in seen_line.iter().enumerate() {
            prop_assert_eq!(*n, usize::from(!lines[l].amount.is_negative()), "line {}", l);
        }
        // Matched totals plus missing totals are the inputs.
        let totals = |m: &BTreeMap<Currency, Money>| m.iter().map(|(c, v)| (*c, v.minor())).collect::<BTreeMap<_, _>>();
        prop_assert_eq!(&ledger_rows, &totals(&r.ledger_total));
        prop_assert_eq!(&bank_rows, &totals(&r.bank_total));
        prop_assert_eq!(&matched_ledger, &matched_bank);
        // Rows stand in payment order, then the missing lines in line order.
        prop_assert!(first_payment_of_rows.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(missing_lines.windows(2).all(|w| w[0] < w[1]));
        let is_missing_line = |r: &DepositStatus| matches!(r, DepositStatus::MissingInLedger { .. });
        let tail_is_missing_lines = r.rows.iter().skip_while(|r| !is_missing_line(r)).all(is_missing_line);
        prop_assert!(tail_is_missing_lines, "{:?}", r.rows);
        let differs = r.rows.iter().any(|r| matches!(r, DepositStatus::AmountDiffers { .. }));
        prop_assert_eq!(r.is_clean(), missing_lines.is_empty() && missing_payments.is_empty() && !differs);
        // Nothing left over could have been paired: no group of the payments
        // missing in the bank (ten at most, all searched) adds up to a line
        // missing in the ledger in its currency and window.
        for &l in &missing_lines {
            let line = &lines[l];
            let amounts: Vec<i64> = missing_payments
                .iter()
                .map(|&p| &payments[p])
                .filter(|p| p.amount.currency() == line.amount.currency() && within(p, line, window))
                .map(|p| p.amount.minor())
                .collect();
            prop_assert!(!any_subset_sums_to(&amounts, line.amount.minor()), "line {} could be {:?}", l, amounts);
        }
    }
}
