//! Document totals: hand-worked examples, EPD-02 invoice totals, errors and properties.
//!
//! EPD-02 restates totals asserted by Odoo's test suite (odoo/odoo,
//! addons/account/tests/test_early_payment_discount.py @ 01b87f12; LGPL-3.0; facts
//! and numbers only).

// Tests may unwrap: a panic is a failed test.
#![allow(clippy::unwrap_used)]

use ar_core::{
    Currency, Discount, DocumentError, DocumentLine, DocumentTotals, MoneyError, Rounding, TaxRate, TaxRounding,
    compute_totals,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn line(quantity: Decimal, unit_price: Decimal, discount: Option<Discount>, taxes: &[(&str, Decimal)]) -> DocumentLine {
    DocumentLine {
        description: "item".into(),
        quantity,
        unit_price,
        discount,
        taxes: taxes.iter().map(|(code, percent)| TaxRate { code: (*code).into(), percent: *percent }).collect(),
    }
}

fn totals(lines: &[DocumentLine], discount: Option<Discount>, currency: Currency, tax: TaxRounding) -> DocumentTotals {
    compute_totals(lines, discount.as_ref(), currency, tax, Rounding::HalfUp).unwrap()
}

fn nets(t: &DocumentTotals) -> Vec<Decimal> {
    t.lines.iter().map(|l| l.net.amount()).collect()
}

fn tax_amounts(t: &DocumentTotals) -> Vec<(String, Decimal, Decimal)> {
    t.taxes.iter().map(|x| (x.code.to_string(), x.base.amount(), x.amount.amount())).collect()
}

#[test]
fn epd02_invoice_totals() {
    let one =
        totals(&[line(dec!(1), dec!(1500), None, &[("TAX15", dec!(15))])], None, Currency::USD, TaxRounding::PerLine);
    assert_eq!(one.net.amount(), dec!(1500.00));
    assert_eq!(one.taxes[0].amount.amount(), dec!(225.00));
    assert_eq!(one.total.amount(), dec!(1725.00));
    let lines = [line(dec!(1), dec!(1000), None, &[("TAX15", dec!(15))]), line(dec!(1), dec!(2000), None, &[])];
    let two = totals(&lines, None, Currency::USD, TaxRounding::PerLine);
    assert_eq!(two.net.amount(), dec!(3000.00));
    assert_eq!(tax_amounts(&two), [("TAX15".to_owned(), dec!(1000.00), dec!(150.00))]);
    assert_eq!(two.total.amount(), dec!(3150.00));
}

#[test]
fn per_line_and_per_document_rounding_differ() {
    // Three lines of 1.05 at 10 %: 0.105 rounds up on each line (0.33) but the
    // document's 0.315 rounds up once (0.32).
    let lines = vec![line(dec!(3), dec!(0.35), None, &[("VAT10", dec!(10))]); 3];
    let per_line = totals(&lines, None, Currency::USD, TaxRounding::PerLine);
    let per_doc = totals(&lines, None, Currency::USD, TaxRounding::PerDocument);
    assert_eq!(per_line.net.amount(), dec!(3.15));
    assert_eq!(per_doc.net.amount(), dec!(3.15));
    assert_eq!(tax_amounts(&per_line), [("VAT10".to_owned(), dec!(3.15), dec!(0.33))]);
    assert_eq!(tax_amounts(&per_doc), [("VAT10".to_owned(), dec!(3.15), dec!(0.32))]);
    assert_eq!(per_line.total.amount(), dec!(3.48));
    assert_eq!(per_doc.total.amount(), dec!(3.47));
}

#[test]
fn a_document_discount_is_spread_so_line_nets_still_add_up() {
    let lines = [
        line(dec!(1), dec!(10), None, &[("VAT20", dec!(20))]),
        line(dec!(2), dec!(10), None, &[("VAT20", dec!(20))]),
        line(dec!(3), dec!(10), None, &[("VAT20", dec!(20))]),
    ];
    let t = totals(&lines, Some(Discount::Amount(dec!(10))), Currency::EUR, TaxRounding::PerLine);
    // 10.00 by weights 10:20:30 is 1.666…, 3.333…, 5: the extra cent goes to the largest remainder.
    assert_eq!(nets(&t), [dec!(8.33), dec!(16.67), dec!(25.00)]);
    assert_eq!(t.net.amount(), dec!(50.00));
    // Per line: 1.666 → 1.67, 3.334 → 3.33, 5.00.
    assert_eq!(tax_amounts(&t), [("VAT20".to_owned(), dec!(50.00), dec!(10.00))]);
    assert_eq!(t.total.amount(), dec!(60.00));

    // A percent document discount is rounded once, then spread.
    let cents = vec![line(dec!(1), dec!(0.01), None, &[]); 3];
    let t = totals(&cents, Some(Discount::Percent(dec!(50))), Currency::USD, TaxRounding::PerLine);
    assert_eq!(nets(&t), [dec!(0.00), dec!(0.00), dec!(0.01)]);
    assert_eq!(t.net.amount(), dec!(0.01));
    let t = totals(&lines, Some(Discount::Percent(dec!(100))), Currency::EUR, TaxRounding::PerDocument);
    assert_eq!(t.total.amount(), dec!(0.00));
}

#[test]
fn two_tax_rates_on_one_line() {
    let lines = [
        line(dec!(1), dec!(100), None, &[("PST", dec!(7)), ("GST", dec!(5))]),
        line(dec!(1), dec!(50), None, &[("GST", dec!(5))]),
    ];
    let t = totals(&lines, None, Currency::CAD, TaxRounding::PerLine);
    assert_eq!(
        tax_amounts(&t),
        [("GST".to_owned(), dec!(150.00), dec!(7.50)), ("PST".to_owned(), dec!(100.00), dec!(7.00))]
    );
    assert_eq!(t.taxes[0].percent, dec!(5));
    assert_eq!(t.total.amount(), dec!(164.50));
}

#[test]
fn jpy_rounds_to_whole_yen() {
    let lines = [
        line(dec!(3), dec!(333.3333), None, &[("JCT10", dec!(10))]),
        line(dec!(3), dec!(1980), Some(Discount::Percent(dec!(5))), &[("JCT8", dec!(8))]),
    ];
    let t = totals(&lines, None, Currency::JPY, TaxRounding::PerLine);
    // 999.9999 → 1000; 5940 × 0.95 = 5643.
    assert_eq!(nets(&t), [dec!(1000), dec!(5643)]);
    // 5643 × 8 % = 451.44 → 451.
    assert_eq!(
        tax_amounts(&t),
        [("JCT10".to_owned(), dec!(1000), dec!(100)), ("JCT8".to_owned(), dec!(5643), dec!(451))]
    );
    assert_eq!(t.total.amount(), dec!(7194));
}

#[test]
fn line_discounts_apply_before_the_one_rounding() {
    // 1.05 less 10 % = 0.945: half up 0.95, half even 0.94.
    let l = [line(dec!(3), dec!(0.35), Some(Discount::Percent(dec!(10))), &[])];
    let up = compute_totals(&l, None, Currency::USD, TaxRounding::PerLine, Rounding::HalfUp).unwrap();
    let even = compute_totals(&l, None, Currency::USD, TaxRounding::PerLine, Rounding::HalfEven).unwrap();
    assert_eq!(up.net.amount(), dec!(0.95));
    assert_eq!(even.net.amount(), dec!(0.94));
    // 0.9999 − 0.50 = 0.4999 → 0.50. Rounding once matters under half even:
    // 2.005 − 0.01 = 1.995 → 2.00, where rounding the product first gives 2.00 − 0.01.
    let a = [line(dec!(3), dec!(0.3333), Some(Discount::Amount(dec!(0.50))), &[])];
    assert_eq!(totals(&a, None, Currency::USD, TaxRounding::PerLine).net.amount(), dec!(0.50));
    let b = [line(dec!(1), dec!(2.005), Some(Discount::Amount(dec!(0.01))), &[])];
    let even = compute_totals(&b, None, Currency::USD, TaxRounding::PerLine, Rounding::HalfEven).unwrap();
    assert_eq!(even.net.amount(), dec!(2.00));
    // A discount equal to the line leaves zero; a zero quantity is a zero line.
    let c = [line(dec!(2), dec!(5), Some(Discount::Amount(dec!(10))), &[]), line(dec!(0), dec!(5), None, &[])];
    assert_eq!(nets(&totals(&c, None, Currency::USD, TaxRounding::PerLine)), [dec!(0.00), dec!(0.00)]);
}

#[test]
fn kwd_keeps_three_decimals() {
    let l = [line(dec!(7), dec!(1.2345), None, &[("VAT5", dec!(5))])];
    let t = totals(&l, None, Currency::KWD, TaxRounding::PerLine);
    // 8.6415 → 8.642 (half up); tax 0.4321 → 0.432.
    assert_eq!(t.net.amount(), dec!(8.642));
    assert_eq!(t.taxes[0].amount.amount(), dec!(0.432));
    assert_eq!(t.total.amount(), dec!(9.074));
}

fn err(lines: &[DocumentLine], discount: Option<Discount>) -> DocumentError {
    compute_totals(lines, discount.as_ref(), Currency::USD, TaxRounding::PerLine, Rounding::HalfUp).unwrap_err()
}

#[test]
fn bad_documents_give_the_right_error() {
    let ok = line(dec!(1), dec!(10), None, &[]);
    assert_eq!(err(&[], None), DocumentError::NoLines);
    assert!(matches!(
        err(&[ok.clone(), line(dec!(-1), dec!(10), None, &[])], None),
        DocumentError::BadLine { line: 2, .. }
    ));
    assert!(matches!(err(&[line(dec!(1), dec!(-10), None, &[])], None), DocumentError::BadLine { line: 1, .. }));
    let over = line(dec!(1), dec!(10), Some(Discount::Percent(dec!(100.5))), &[]);
    assert!(matches!(err(&[over], None), DocumentError::BadLine { line: 1, .. }));
    let larger = line(dec!(1), dec!(10), Some(Discount::Amount(dec!(10.01))), &[]);
    assert!(matches!(err(&[larger], None), DocumentError::BadLine { line: 1, .. }));
    let negative = line(dec!(1), dec!(10), Some(Discount::Amount(dec!(-1))), &[]);
    assert!(matches!(err(&[negative], None), DocumentError::BadLine { line: 1, .. }));
    let precise = line(dec!(1), dec!(10), Some(Discount::Amount(dec!(0.001))), &[]);
    assert!(matches!(err(&[precise], None), DocumentError::Money(MoneyError::TooManyDecimals { .. })));
    let negative_rate = line(dec!(1), dec!(10), None, &[("X", dec!(-5))]);
    assert!(matches!(err(&[negative_rate], None), DocumentError::BadLine { line: 1, .. }));
    let twice = line(dec!(1), dec!(10), None, &[("X", dec!(5)), ("X", dec!(5))]);
    assert!(matches!(err(&[twice], None), DocumentError::BadLine { line: 1, .. }));
    let conflict = [line(dec!(1), dec!(10), None, &[("X", dec!(5))]), line(dec!(1), dec!(10), None, &[("X", dec!(6))])];
    assert_eq!(err(&conflict, None), DocumentError::ConflictingTaxRate { code: "X".into() });
    // The same rate written two ways is the same rate.
    let same = [line(dec!(1), dec!(10), None, &[("X", dec!(5))]), line(dec!(1), dec!(10), None, &[("X", dec!(5.00))])];
    assert!(compute_totals(&same, None, Currency::USD, TaxRounding::PerLine, Rounding::HalfUp).is_ok());
}

#[test]
fn bad_document_discounts_give_the_right_error() {
    let ok = [line(dec!(1), dec!(10), None, &[])];
    assert!(matches!(
        err(&ok, Some(Discount::Amount(dec!(10.01)))),
        DocumentError::DiscountExceedsNet { discount, net } if discount == dec!(10.01) && net.amount() == dec!(10.00)
    ));
    assert!(matches!(err(&ok, Some(Discount::Percent(dec!(120)))), DocumentError::BadDiscount { .. }));
    assert!(matches!(err(&ok, Some(Discount::Percent(dec!(-1)))), DocumentError::BadDiscount { .. }));
    assert!(matches!(err(&ok, Some(Discount::Amount(dec!(-1)))), DocumentError::BadDiscount { .. }));
    assert!(matches!(err(&ok, Some(Discount::Amount(dec!(0.005)))), DocumentError::Money(_)));
}

#[test]
fn overflow_is_an_error_not_a_panic() {
    let huge = line(dec!(1000000000000000), dec!(10000000000), None, &[]);
    assert!(matches!(err(&[huge], None), DocumentError::Money(MoneyError::Overflow { .. })));
    // Too many digits to multiply exactly in 128 bits.
    let digits = line(dec!(1.234567890123456789012345678), dec!(9.876543210987654321098765432), None, &[]);
    assert!(matches!(err(&[digits], None), DocumentError::Money(MoneyError::Overflow { .. })));
    // Two lines each in range whose sum is not.
    let big = line(dec!(1), dec!(9000000000000000), None, &[]);
    assert!(matches!(err(&[big.clone(), big], None), DocumentError::Money(MoneyError::Overflow { .. })));
    // A tiny price with a long scale rounds, it does not overflow.
    let tiny = line(dec!(0.0000000000000000000000000001), dec!(0.0000000000000000000000000001), None, &[]);
    assert_eq!(totals(&[tiny], None, Currency::USD, TaxRounding::PerLine).net.amount(), dec!(0.00));
}

// ---- Properties ----------------------------------------------------------------

const CODES: [(&str, Decimal); 4] = [("A5", dec!(5)), ("B7.5", dec!(7.5)), ("C20", dec!(20)), ("D0", dec!(0))];

fn line_strategy() -> impl Strategy<Value = DocumentLine> {
    (0i64..100_000, 0u32..4, 0i64..10_000_000, 0u32..5, 0u8..3, 0i64..=10_000, 0u8..16).prop_map(
        |(q, qs, p, ps, discount_kind, d, mask)| {
            let quantity = Decimal::new(q, qs);
            let unit_price = Decimal::new(p, ps);
            let discount = match discount_kind {
                0 => None,
                1 => Some(Discount::Percent(Decimal::new(d, 2))),
                // A fraction of the line for now: `at_scale` makes it an amount.
                _ => Some(Discount::Amount(Decimal::new(d, 4))),
            };
            let taxes = CODES
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, (code, percent))| TaxRate { code: (*code).into(), percent: *percent })
                .collect();
            DocumentLine { description: String::new().into(), quantity, unit_price, discount, taxes }
        },
    )
}

fn rounding_strategy() -> impl Strategy<Value = Rounding> {
    prop_oneof![Just(Rounding::HalfUp), Just(Rounding::HalfEven), Just(Rounding::Down), Just(Rounding::Up)]
}

/// Turns the strategy's amount-discount fractions into amounts at the currency's
/// scale, no larger than their line.
fn at_scale(mut lines: Vec<DocumentLine>, units: u32) -> Vec<DocumentLine> {
    for l in &mut lines {
        if let Some(Discount::Amount(fraction)) = l.discount {
            l.discount = Some(Discount::Amount((l.quantity * l.unit_price * fraction).trunc_with_scale(units)));
        }
    }
    lines
}

/// The naive reference: Decimal arithmetic (exact at these sizes), rounded once.
fn reference_line_net(l: &DocumentLine, units: u32, rounding: Rounding) -> Decimal {
    let gross = l.quantity * l.unit_price;
    let exact = match &l.discount {
        None => gross,
        Some(Discount::Percent(p)) => gross * (dec!(100) - *p) / dec!(100),
        Some(Discount::Amount(a)) => gross - *a,
        Some(_) => unreachable!(),
    };
    rounding.round(exact, units)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn totals_add_up_exactly(
        lines in prop::collection::vec(line_strategy(), 1..12),
        currency in prop_oneof![Just(Currency::USD), Just(Currency::JPY), Just(Currency::KWD)],
        document_discount in prop_oneof![
            Just(None),
            (0i64..=10_000).prop_map(|bp| Some(Discount::Percent(Decimal::new(bp, 2)))),
            (0i64..=1000).prop_map(|per_mille| Some(Discount::Amount(Decimal::new(per_mille, 3)))),
        ],
        per_document in any::<bool>(),
        rounding in rounding_strategy(),
    ) {
        let units = currency.minor_units();
        let lines = at_scale(lines, units);
        let before: Vec<Decimal> = lines.iter().map(|l| reference_line_net(l, units, rounding)).collect();
        let before_sum: Decimal = before.iter().sum();
        // Amount discounts are a fraction of the lines' net, at the currency's scale.
        let document_discount = document_discount.map(|d| match d {
            Discount::Amount(f) => Discount::Amount((before_sum * f).trunc_with_scale(units)),
            other => other,
        });
        let tax_rounding = if per_document { TaxRounding::PerDocument } else { TaxRounding::PerLine };
        let t = compute_totals(&lines, document_discount.as_ref(), currency, tax_rounding, rounding).unwrap();

        // Without a document discount each line net is the naive one.
        let expected_discount = match &document_discount {
            None => Decimal::ZERO,
            Some(Discount::Percent(p)) => rounding.round(before_sum * *p / dec!(100), units),
            Some(Discount::Amount(a)) => *a,
            Some(_) => unreachable!(),
        };
        prop_assert_eq!(t.lines.len(), lines.len());
        for (got, naive) in t.lines.iter().zip(&before) {
            prop_assert!(got.net.amount() <= *naive && !got.net.is_negative());
            if document_discount.is_none() {
                prop_assert_eq!(got.net.amount(), *naive);
            }
        }
        let line_sum: Decimal = t.lines.iter().map(|l| l.net.amount()).sum();
        prop_assert_eq!(t.net.amount(), line_sum);
        prop_assert_eq!(t.net.amount(), before_sum - expected_discount);
        let tax_sum: Decimal = t.taxes.iter().map(|x| x.amount.amount()).sum();
        prop_assert_eq!(t.total.amount(), t.net.amount() + tax_sum);
        prop_assert!(t.taxes.windows(2).all(|w| w[0].code < w[1].code));
        for tax in &t.taxes {
            let carrying: Vec<Decimal> = lines.iter().zip(&t.lines)
                .filter(|(l, _)| l.taxes.iter().any(|x| x.code == tax.code))
                .map(|(_, n)| n.net.amount())
                .collect();
            prop_assert!(!carrying.is_empty());
            prop_assert_eq!(tax.base.amount(), carrying.iter().sum::<Decimal>());
            let expected = match tax_rounding {
                TaxRounding::PerLine => carrying.iter().map(|n| rounding.round(*n * tax.percent / dec!(100), units)).sum(),
                _ => rounding.round(tax.base.amount() * tax.percent / dec!(100), units),
            };
            prop_assert_eq!(tax.amount.amount(), expected);
        }
        let used: std::collections::BTreeSet<&str> =
            lines.iter().flat_map(|l| l.taxes.iter().map(|x| &*x.code)).collect();
        prop_assert_eq!(t.taxes.len(), used.len());
    }
}
