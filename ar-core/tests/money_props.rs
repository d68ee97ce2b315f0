//! Laws of `Money` and allocation: every split adds back to the whole, exactly.

// Tests may unwrap: a panic is a failed test.
#![allow(clippy::unwrap_used)]

use ar_core::{Currency, MAX_MINOR_UNITS, Money, MoneyError, allocate_minor};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn weights_strategy() -> impl Strategy<Value = Vec<i128>> {
    prop::collection::vec(prop_oneof![Just(0i128), 1i128..10, 1i128..1_000_000_000], 1..24)
        .prop_filter("at least one positive weight", |w| w.iter().any(|x| *x > 0))
}

fn total_strategy() -> impl Strategy<Value = i64> {
    prop_oneof![-1000i64..1000, -MAX_MINOR_UNITS..=MAX_MINOR_UNITS]
}

fn currency_strategy() -> impl Strategy<Value = Currency> {
    prop_oneof![Just(Currency::USD), Just(Currency::JPY), Just(Currency::KWD)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn allocate_minor_conserves_and_stays_within_one_unit(total in total_strategy(), weights in weights_strategy()) {
        let parts = allocate_minor(total, &weights).unwrap();
        prop_assert_eq!(parts.len(), weights.len());
        let sum: i128 = parts.iter().map(|p| i128::from(*p)).sum();
        prop_assert_eq!(sum, i128::from(total));
        let weight_sum: i128 = weights.iter().sum();
        for (part, w) in parts.iter().zip(&weights) {
            // |part − total·w/Σw| < 1, in exact integers: |part·Σw − total·w| < Σw.
            let error = i128::from(*part) * weight_sum - i128::from(total) * w;
            prop_assert!(error.abs() < weight_sum, "part {} weight {} of {}", part, w, total);
            if *w == 0 {
                prop_assert_eq!(*part, 0);
            }
            prop_assert!(*part == 0 || part.signum() == total.signum());
        }
        prop_assert_eq!(allocate_minor(total, &weights).unwrap(), parts);
    }

    #[test]
    fn allocate_minor_rounds_up_the_largest_remainders(total in total_strategy(), weights in weights_strategy()) {
        let parts = allocate_minor(total, &weights).unwrap();
        let weight_sum: i128 = weights.iter().sum();
        let magnitude = i128::from(total).abs();
        // Every part that got an extra unit had a remainder at least as large as
        // every part that did not.
        let (mut up, mut down) = (Vec::new(), Vec::new());
        for (part, w) in parts.iter().zip(&weights) {
            let floor = magnitude * w / weight_sum;
            let remainder = magnitude * w % weight_sum;
            match i128::from(*part).abs() - floor {
                1 => up.push(remainder),
                0 => down.push(remainder),
                other => prop_assert!(false, "part off its floor by {}", other),
            }
        }
        if let (Some(min_up), Some(max_down)) = (up.iter().min(), down.iter().max()) {
            prop_assert!(min_up >= max_down);
        }
    }

    #[test]
    fn negating_the_total_negates_every_part(total in total_strategy(), weights in weights_strategy()) {
        let parts = allocate_minor(total, &weights).unwrap();
        let mirrored: Vec<i64> = allocate_minor(-total, &weights).unwrap().into_iter().map(|p| -p).collect();
        prop_assert_eq!(parts, mirrored);
    }

    #[test]
    fn money_allocate_matches_allocate_minor(
        currency in currency_strategy(),
        total in total_strategy(),
        raw in prop::collection::vec(0i64..100_000, 1..12),
        scale in 0u32..4,
    ) {
        prop_assume!(raw.iter().any(|w| *w > 0));
        let money = Money::from_minor(total, currency).unwrap();
        let weights: Vec<Decimal> = raw.iter().map(|w| Decimal::new(*w, scale)).collect();
        let parts = money.allocate(&weights).unwrap();
        let minor: Vec<i64> = parts.iter().map(Money::minor).collect();
        let ints: Vec<i128> = raw.iter().map(|w| i128::from(*w)).collect();
        prop_assert_eq!(&minor, &allocate_minor(total, &ints).unwrap());
        let mut sum = Money::zero(currency);
        for p in &parts {
            prop_assert_eq!(p.currency(), currency);
            prop_assert_eq!(p.amount().scale(), currency.minor_units());
            sum = sum.checked_add(*p).unwrap();
        }
        prop_assert_eq!(sum, money);
    }

    #[test]
    fn money_new_checks_the_scale(currency in currency_strategy(), minor in -MAX_MINOR_UNITS..=MAX_MINOR_UNITS, zeros in 0u32..6) {
        let units = currency.minor_units();
        // Trailing zeros beyond the currency's scale are accepted.
        let padded = Decimal::from_i128_with_scale(i128::from(minor) * 10i128.pow(zeros), units + zeros);
        let money = Money::new(padded, currency).unwrap();
        prop_assert_eq!(money.minor(), minor);
        prop_assert_eq!(money.amount().scale(), units);
        prop_assert_eq!(Money::from_minor(minor, currency).unwrap(), money);
        // One more significant decimal is rejected.
        let too_fine = Decimal::from_i128_with_scale(i128::from(minor) * 10 + 5, units + 1);
        let rejected = matches!(Money::new(too_fine, currency), Err(MoneyError::TooManyDecimals { .. }));
        prop_assert!(rejected);
    }

    #[test]
    fn checked_add_then_sub_is_the_identity(
        currency in currency_strategy(),
        a in -MAX_MINOR_UNITS / 2..MAX_MINOR_UNITS / 2,
        b in -MAX_MINOR_UNITS / 2..MAX_MINOR_UNITS / 2,
    ) {
        let (a, b) = (Money::from_minor(a, currency).unwrap(), Money::from_minor(b, currency).unwrap());
        prop_assert_eq!(a.checked_add(b).unwrap().checked_sub(b).unwrap(), a);
    }

    #[test]
    fn serde_json_round_trips(currency in currency_strategy(), minor in -MAX_MINOR_UNITS..=MAX_MINOR_UNITS) {
        let money = Money::from_minor(minor, currency).unwrap();
        let json = serde_json::to_string(&money).unwrap();
        let back: Money = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, money);
        prop_assert_eq!(back.amount().scale(), currency.minor_units());
    }
}

#[test]
fn allocate_examples() {
    assert_eq!(allocate_minor(10, &[1, 1, 1]).unwrap(), [4, 3, 3]);
    assert_eq!(allocate_minor(-10, &[1, 1, 1]).unwrap(), [-4, -3, -3]);
    assert_eq!(allocate_minor(5, &[0, 3, 1]).unwrap(), [0, 4, 1]);
    assert_eq!(allocate_minor(0, &[2, 5]).unwrap(), [0, 0]);
    let usd = Money::new(dec!(0.05), Currency::USD).unwrap();
    let parts: Vec<Decimal> =
        usd.allocate(&[dec!(0.5), dec!(0.25), dec!(0.25)]).unwrap().iter().map(|m| m.amount()).collect();
    assert_eq!(parts, [dec!(0.03), dec!(0.01), dec!(0.01)]);
}

#[test]
fn allocate_rejects_unusable_weights() {
    for weights in [&[][..], &[0, 0][..], &[1, -1][..]] {
        assert!(matches!(allocate_minor(10, weights), Err(MoneyError::InvalidWeights { .. })), "{weights:?}");
    }
    assert!(matches!(allocate_minor(10, &[i128::MAX, 1]), Err(MoneyError::InvalidWeights { .. })));
    let m = Money::new(dec!(1.00), Currency::USD).unwrap();
    assert!(m.allocate(&[dec!(-1), dec!(2)]).is_err());
}

#[test]
fn money_new_by_currency() {
    assert!(matches!(Money::new(dec!(10.005), Currency::USD), Err(MoneyError::TooManyDecimals { max: 2, .. })));
    assert!(matches!(Money::new(dec!(1.5), Currency::JPY), Err(MoneyError::TooManyDecimals { max: 0, .. })));
    assert!(matches!(Money::new(dec!(1.0005), Currency::KWD), Err(MoneyError::TooManyDecimals { max: 3, .. })));
    assert_eq!(Money::new(dec!(10.50000), Currency::USD).unwrap().to_string(), "10.50 USD");
    assert_eq!(Money::new(dec!(100.000), Currency::JPY).unwrap().to_string(), "100 JPY");
    assert_eq!(Money::new(dec!(1.2340), Currency::KWD).unwrap().to_string(), "1.234 KWD");
    assert_eq!(Money::new(dec!(7), Currency::KWD).unwrap().to_string(), "7.000 KWD");
    assert!(matches!(Money::new(dec!(10000000000000000), Currency::USD), Err(MoneyError::Overflow { .. })));
}

#[test]
fn adding_different_currencies_fails() {
    let usd = Money::new(dec!(1.00), Currency::USD).unwrap();
    let eur = Money::new(dec!(1.00), Currency::EUR).unwrap();
    assert_eq!(usd.checked_add(eur), Err(MoneyError::CurrencyMismatch { left: Currency::USD, right: Currency::EUR }));
    assert!(usd.checked_sub(eur).is_err());
    let max = Money::from_minor(MAX_MINOR_UNITS, Currency::USD).unwrap();
    assert!(matches!(max.checked_add(Money::from_minor(1, Currency::USD).unwrap()), Err(MoneyError::Overflow { .. })));
}

#[test]
fn serde_json_shape_and_rejection() {
    let m = Money::new(dec!(10.5), Currency::USD).unwrap();
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, r#"{"amount":"10.50","currency":"USD"}"#);
    assert!(serde_json::from_str::<Money>(r#"{"amount":"10.005","currency":"USD"}"#).is_err());
    assert!(serde_json::from_str::<Money>(r#"{"amount":"1.5","currency":"JPY"}"#).is_err());
    assert!(serde_json::from_str::<Money>(r#"{"amount":"1.00","currency":"XYZ"}"#).is_err());
    let padded: Money = serde_json::from_str(r#"{"amount":"10.500","currency":"USD"}"#).unwrap();
    assert_eq!(padded, m);
}

fn hash_of(m: &Money) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(m)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]
    /// Equal amounts hash equally however their decimal was written (1.5 and 1.50
    /// make the same USD amount), and amounts that differ in value or currency
    /// are told apart.
    #[test]
    fn hash_agrees_with_equality(minor in -1_000_000_000i64..1_000_000_000, other in -1_000_000_000i64..1_000_000_000, c in currency_strategy()) {
        let a = Money::from_minor(minor, c).unwrap();
        let written = Money::new(a.amount().normalize(), c).unwrap();
        prop_assert_eq!(a, written);
        prop_assert_eq!(hash_of(&a), hash_of(&written));
        let b = Money::from_minor(other, c).unwrap();
        prop_assert_eq!(a == b, hash_of(&a) == hash_of(&b));
        let d = Money::from_minor(minor, if c == Currency::USD { Currency::EUR } else { Currency::USD }).unwrap();
        prop_assert_ne!(hash_of(&a), hash_of(&d));
    }
}
