//! `compute_totals` against the implementation it replaced, kept here as the
//! reference: the integer fast paths (no `Decimal::normalize`, no `BTreeMap`, no
//! `Decimal` rounding of ratios) must give the same `Result`, value for value and
//! error for error, including the `Decimal` scale of every amount.

// Tests may unwrap: a panic is a failed test.
#![allow(clippy::unwrap_used)]

use ar_core::{Currency, Discount, DocumentError, DocumentLine, Rounding, TaxRate, TaxRounding, compute_totals};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use rust_decimal::Decimal;

/// The implementation of `compute_totals` before the fast paths, unchanged but
/// for the names it reaches through the public API.
mod reference_rounding;

use reference_rounding::MODES;

mod reference {
    use super::reference_rounding::{percent_of, round_ratio};
    use std::collections::BTreeMap;

    use ar_core::{
        Currency, Discount, DocumentError, DocumentLine, DocumentTotals, LineTotal, Money, MoneyError, Rounding,
        TaxRounding, TaxTotal, allocate_minor,
    };
    use rust_decimal::Decimal;

    pub fn compute_totals(
        lines: &[DocumentLine],
        document_discount: Option<&Discount>,
        currency: Currency,
        tax_rounding: TaxRounding,
        rounding: Rounding,
    ) -> Result<DocumentTotals, DocumentError> {
        if lines.is_empty() {
            return Err(DocumentError::NoLines);
        }
        let mut nets = lines
            .iter()
            .enumerate()
            .map(|(i, line)| line_net(i + 1, line, currency, rounding))
            .collect::<Result<Vec<i64>, _>>()?;
        let rates = tax_rates(lines)?;
        if let Some(discount) = document_discount {
            spread_document_discount(&mut nets, discount, currency, rounding)?;
        }
        let net_minor: i128 = nets.iter().map(|n| i128::from(*n)).sum();
        let taxes = taxes(lines, &nets, &rates, currency, tax_rounding, rounding)?;
        let tax_minor: i128 = taxes.iter().map(|t| i128::from(t.amount.minor())).sum();
        Ok(DocumentTotals {
            lines: nets
                .iter()
                .map(|n| Ok(LineTotal { net: Money::from_minor(*n, currency)? }))
                .collect::<Result<_, MoneyError>>()?,
            net: money(net_minor, currency)?,
            taxes,
            total: money(net_minor + tax_minor, currency)?,
        })
    }

    #[derive(Clone, Copy)]
    struct Exact {
        numerator: i128,
        exponent: u32,
    }

    impl Exact {
        fn of(value: Decimal) -> Exact {
            let value = value.normalize();
            Exact { numerator: value.mantissa(), exponent: value.scale() }
        }

        fn mul(self, other: Exact) -> Option<Exact> {
            Some(Exact {
                numerator: self.numerator.checked_mul(other.numerator)?,
                exponent: self.exponent + other.exponent,
            })
        }

        fn numerator_at(self, exponent: u32) -> Option<i128> {
            self.numerator.checked_mul(10i128.checked_pow(exponent.checked_sub(self.exponent)?)?)
        }

        fn sub(self, other: Exact) -> Option<Exact> {
            let exponent = self.exponent.max(other.exponent);
            Some(Exact {
                numerator: self.numerator_at(exponent)?.checked_sub(other.numerator_at(exponent)?)?,
                exponent,
            })
        }

        fn round_to(self, scale: u32, mode: Rounding) -> Option<i128> {
            if self.exponent <= scale {
                return self.numerator_at(scale);
            }
            match 10i128.checked_pow(self.exponent - scale) {
                Some(denominator) => Some(round_ratio(self.numerator, denominator, mode)),
                None => Some(round_ratio(self.numerator.signum(), 4, mode)),
            }
        }
    }

    pub fn is_percent(p: Decimal) -> bool {
        (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&p)
    }

    fn money(minor: i128, currency: Currency) -> Result<Money, MoneyError> {
        Money::from_minor(i64::try_from(minor).map_err(|_| MoneyError::Overflow { currency })?, currency)
    }

    fn bad_line(line: usize, reason: String) -> DocumentError {
        DocumentError::BadLine { line, reason }
    }

    fn line_net(
        number: usize,
        line: &DocumentLine,
        currency: Currency,
        rounding: Rounding,
    ) -> Result<i64, DocumentError> {
        if line.quantity.is_sign_negative() && !line.quantity.is_zero() {
            let reason = format!("quantity {} is negative; issue a credit memo with positive lines", line.quantity);
            return Err(bad_line(number, reason));
        }
        if line.unit_price.is_sign_negative() && !line.unit_price.is_zero() {
            return Err(bad_line(number, format!("unit price {} is negative", line.unit_price)));
        }
        let overflow = MoneyError::Overflow { currency };
        let gross = Exact::of(line.quantity).mul(Exact::of(line.unit_price)).ok_or(overflow.clone())?;
        let net = match &line.discount {
            None => gross,
            Some(Discount::Percent(p)) if is_percent(*p) => {
                let kept = gross.mul(Exact::of(Decimal::ONE_HUNDRED - *p)).ok_or(overflow.clone())?;
                Exact { exponent: kept.exponent + 2, ..kept }
            }
            Some(Discount::Amount(a)) if !a.is_sign_negative() || a.is_zero() => {
                let amount = Money::new(*a, currency)?;
                let net = gross.sub(Exact::of(amount.amount())).ok_or(overflow.clone())?;
                if net.numerator < 0 {
                    return Err(bad_line(number, format!("discount {amount} is larger than the line")));
                }
                net
            }
            Some(discount) => {
                return Err(bad_line(
                    number,
                    format!("discount {discount:?} must be 0 to 100 % or an amount of 0 or more"),
                ));
            }
        };
        let minor = net.round_to(currency.minor_units(), rounding).ok_or(overflow.clone())?;
        Ok(money(minor, currency)?.minor())
    }

    fn tax_rates(lines: &[DocumentLine]) -> Result<BTreeMap<&str, Decimal>, DocumentError> {
        let mut rates: BTreeMap<&str, Decimal> = BTreeMap::new();
        for (i, line) in lines.iter().enumerate() {
            for (j, tax) in line.taxes.iter().enumerate() {
                if tax.percent.is_sign_negative() && !tax.percent.is_zero() {
                    return Err(bad_line(i + 1, format!("tax '{}' has a negative rate {}", tax.code, tax.percent)));
                }
                if line.taxes[..j].iter().any(|t| t.code == tax.code) {
                    return Err(bad_line(i + 1, format!("tax '{}' is listed twice", tax.code)));
                }
                match rates.get(&*tax.code) {
                    Some(rate) if *rate != tax.percent => {
                        return Err(DocumentError::ConflictingTaxRate { code: tax.code.to_string() });
                    }
                    Some(_) => {}
                    None => {
                        rates.insert(&tax.code, tax.percent);
                    }
                }
            }
        }
        Ok(rates)
    }

    fn spread_document_discount(
        nets: &mut [i64],
        discount: &Discount,
        currency: Currency,
        rounding: Rounding,
    ) -> Result<(), DocumentError> {
        let net: i128 = nets.iter().map(|n| i128::from(*n)).sum();
        let amount = match discount {
            Discount::Percent(p) if is_percent(*p) => {
                percent_of(net, *p, rounding).ok_or(MoneyError::Overflow { currency })?
            }
            Discount::Amount(a) if !a.is_sign_negative() || a.is_zero() => {
                let amount = Money::new(*a, currency)?;
                if i128::from(amount.minor()) > net {
                    return Err(DocumentError::DiscountExceedsNet { discount: *a, net: money(net, currency)? });
                }
                i128::from(amount.minor())
            }
            _ => return Err(DocumentError::BadDiscount { discount: discount.clone() }),
        };
        if amount == 0 {
            return Ok(());
        }
        let weights: Vec<i128> = nets.iter().map(|n| i128::from(*n)).collect();
        let amount = i64::try_from(amount).map_err(|_| MoneyError::Overflow { currency })?;
        for (net, share) in nets.iter_mut().zip(allocate_minor(amount, &weights)?) {
            *net -= share;
        }
        Ok(())
    }

    fn taxes(
        lines: &[DocumentLine],
        nets: &[i64],
        rates: &BTreeMap<&str, Decimal>,
        currency: Currency,
        tax_rounding: TaxRounding,
        rounding: Rounding,
    ) -> Result<Vec<TaxTotal>, DocumentError> {
        let overflow = MoneyError::Overflow { currency };
        let mut sums: BTreeMap<&str, (i128, i128)> = rates.keys().map(|code| (*code, (0, 0))).collect();
        for (line, net) in lines.iter().zip(nets) {
            for tax in &line.taxes {
                let line_tax = percent_of(i128::from(*net), tax.percent, rounding).ok_or(overflow.clone())?;
                if let Some((base, sum)) = sums.get_mut(&*tax.code) {
                    *base += i128::from(*net);
                    *sum += line_tax;
                }
            }
        }
        let mut totals = Vec::with_capacity(sums.len());
        for ((code, (base, per_line)), percent) in sums.into_iter().zip(rates.values()) {
            let amount = match tax_rounding {
                TaxRounding::PerLine => per_line,
                TaxRounding::PerDocument => percent_of(base, *percent, rounding).ok_or(overflow.clone())?,
                _ => unreachable!("a tax rounding this reference does not know"),
            };
            totals.push(TaxTotal {
                code: code.into(),
                percent: *percent,
                base: money(base, currency)?,
                amount: money(amount, currency)?,
            });
        }
        Ok(totals)
    }
}

/// Mostly everyday values, with tiny, huge, trailing-zero, negative and
/// 28-decimal ones mixed in so overflow and error paths are reached.
fn amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        6 => (0i64..100_000, 0u32..=6).prop_map(|(m, s)| Decimal::new(m, s)),
        2 => (0i64..1_000, 0u32..=6).prop_map(|(m, s)| Decimal::new(m * 1_000, s)),
        1 => (0i64..=i64::MAX, 0u32..=6).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (1i64..1_000, 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (any::<u32>(), any::<u32>(), any::<u32>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, s)| Decimal::from_parts(lo, mid, hi, false, s)),
        1 => (-1_000i64..0, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => Just(Decimal::new(0, 3)),
        1 => Just(-Decimal::new(0, 2)),
    ]
}

/// A percent: mostly 0–100 in several representations, sometimes out of range or
/// with 28 decimals (where `100 − p` rounds in `Decimal`).
fn percent() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        6 => (0i64..=100, 0u32..=3).prop_map(|(p, s)| Decimal::new(p * 10i64.pow(s), s)),
        3 => (0i64..=10_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (1i64..=999_999_999_999, 26u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => Just(Decimal::from_parts(1, 0, 0x2000_0000, false, 28)),
        1 => (101i64..100_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (-100i64..0, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

fn discount() -> impl Strategy<Value = Option<Discount>> {
    prop_oneof![
        6 => Just(None),
        2 => percent().prop_map(|p| Some(Discount::Percent(p))),
        2 => amount().prop_map(|a| Some(Discount::Amount(a))),
    ]
}

/// A few codes and rates, the same code sometimes with another rate (or the same
/// rate written differently), sometimes negative or large.
fn tax() -> impl Strategy<Value = TaxRate> {
    let code = prop_oneof![Just("VAT20"), Just("US-SALES"), Just("A"), Just("B"), Just("b"), Just("")];
    let rate = prop_oneof![
        4 => Just(Decimal::new(20, 0)),
        2 => Just(Decimal::new(2000, 2)),
        3 => Just(Decimal::new(725, 2)),
        1 => Just(Decimal::new(0, 1)),
        1 => (0i64..100_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (-100i64..0, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
    ];
    (code, rate).prop_map(|(code, percent)| TaxRate { code: code.into(), percent })
}

/// Lines that mostly share one tax rate per code, as real documents do.
fn line() -> impl Strategy<Value = DocumentLine> {
    let shared = prop_oneof![
        3 => Just(vec![]),
        4 => Just(vec![TaxRate { code: "VAT20".into(), percent: Decimal::new(20, 0) }]),
        1 => Just(vec![
            TaxRate { code: "US-SALES".into(), percent: Decimal::new(725, 2) },
            TaxRate { code: "A".into(), percent: Decimal::new(1, 0) },
        ]),
    ];
    let taxes = prop_oneof![3 => shared, 1 => prop::collection::vec(tax(), 0..=3)];
    (amount(), amount(), discount(), taxes).prop_map(|(quantity, unit_price, discount, taxes)| DocumentLine {
        description: "item".into(),
        quantity,
        unit_price,
        discount,
        taxes,
    })
}

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![Just(Currency::USD), Just(Currency::EUR), Just(Currency::JPY), Just(Currency::KWD), Just(Currency::CLF)]
}

fn tax_rounding() -> impl Strategy<Value = TaxRounding> {
    prop_oneof![Just(TaxRounding::PerLine), Just(TaxRounding::PerDocument)]
}

fn check(
    lines: &[DocumentLine],
    document_discount: Option<&Discount>,
    currency: Currency,
    tax_rounding: TaxRounding,
    rounding: Rounding,
) -> Result<(), TestCaseError> {
    let fast = compute_totals(lines, document_discount, currency, tax_rounding, rounding);
    let slow = reference::compute_totals(lines, document_discount, currency, tax_rounding, rounding);
    prop_assert_eq!(&fast, &slow);
    // `==` on `Decimal` ignores the scale; the output must keep it too.
    prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    #[test]
    fn compute_totals_matches_the_reference(
        lines in prop::collection::vec(line(), 0..=4),
        document_discount in discount(),
        currency in currency(),
        tax_rounding in tax_rounding(),
        rounding in prop::sample::select(&MODES[..]),
    ) {
        check(&lines, document_discount.as_ref(), currency, tax_rounding, rounding)?;
    }

    /// Everyday invoices only, so the comparison is mostly of successful totals.
    #[test]
    fn everyday_totals_match_the_reference(
        lines in prop::collection::vec(
            (0i64..5_000, 0u32..=2, 1i64..100_000, 0u32..=4, prop::option::of(0i64..=20), any::<bool>()),
            1..=3,
        ),
        document_discount in prop::option::of(0i64..=10),
        currency in currency(),
        tax_rounding in tax_rounding(),
        rounding in prop::sample::select(&MODES[..]),
    ) {
        let lines: Vec<DocumentLine> = lines
            .into_iter()
            .map(|(q, qs, p, ps, d, taxed)| DocumentLine {
                description: "item".into(),
                quantity: Decimal::new(q, qs),
                unit_price: Decimal::new(p, ps),
                discount: d.map(|d| Discount::Percent(Decimal::from(d))),
                taxes: if taxed { vec![TaxRate { code: "US-SALES".into(), percent: Decimal::new(725, 2) }] } else { vec![] },
            })
            .collect();
        let document_discount = document_discount.map(|d| Discount::Percent(Decimal::from(d)));
        check(&lines, document_discount.as_ref(), currency, tax_rounding, rounding)?;
    }
}

#[test]
fn the_everyday_strategy_mostly_succeeds() {
    // A guard on the test itself: the comparison must cover successful totals and
    // errors alike, not only one of them.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (prop::collection::vec(line(), 1..=3), discount(), currency());
    let (mut ok, mut err) = (0, 0);
    for _ in 0..2_000 {
        let (lines, discount, currency) = strategy.new_tree(&mut runner).unwrap().current();
        match compute_totals(&lines, discount.as_ref(), currency, TaxRounding::PerLine, Rounding::HalfUp) {
            Ok(_) => ok += 1,
            Err(DocumentError::NoLines) => unreachable!("the strategy gives at least one line"),
            Err(_) => err += 1,
        }
    }
    assert!(ok > 200 && err > 200, "ok {ok}, errors {err}");
}

/// `round_ratio` now decides each mode with integers where the reference rounds a
/// `Decimal` stand-in: a tax on a one-unit line reaches it for every mode, every
/// kind of fraction (below, at, above one half) and percents of every shape.
#[test]
fn line_taxes_match_the_reference_on_every_mode() {
    let percents = [
        Decimal::new(725, 2),
        Decimal::new(20, 0),
        Decimal::new(2000, 2),
        Decimal::new(5, 1),
        Decimal::new(0, 3),
        Decimal::new(125, 3),
        Decimal::new(3333, 2),
        Decimal::new(1, 28),
        Decimal::from_parts(u32::MAX, u32::MAX, u32::MAX, false, 26),
    ];
    let big = [999_999_999_999_999_999i64, 123_456_789_012_345_678, 4_611_686_018_427_387];
    for minor in (0..=3_000).chain(big) {
        for percent in percents {
            for mode in MODES {
                let line = DocumentLine {
                    description: String::new().into(),
                    quantity: Decimal::ONE,
                    unit_price: Decimal::new(minor, 2),
                    discount: None,
                    taxes: vec![TaxRate { code: "T".into(), percent }],
                };
                let fast = compute_totals(std::slice::from_ref(&line), None, Currency::USD, TaxRounding::PerLine, mode);
                let slow = reference::compute_totals(&[line], None, Currency::USD, TaxRounding::PerLine, mode);
                assert_eq!(fast, slow, "{minor} × {percent} % {mode:?}");
            }
        }
    }
}
