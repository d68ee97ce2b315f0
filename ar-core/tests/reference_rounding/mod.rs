//! Rounding as `ar-core` did it before its integer fast paths: the reference
//! the fast-path property tests compare against. Shared by
//! `document_fast_path.rs` and `terms_fast_path.rs`.

use std::cmp::Ordering;

use ar_core::Rounding;
use rust_decimal::Decimal;

/// Every rounding mode, for strategies that pick one.
pub const MODES: [Rounding; 7] = [
    Rounding::HalfUp,
    Rounding::HalfEven,
    Rounding::HalfDown,
    Rounding::Up,
    Rounding::Down,
    Rounding::Ceiling,
    Rounding::Floor,
];

/// `minor × percent / 100`, rounded with `mode`.
pub fn percent_of(minor: i128, percent: Decimal, mode: Rounding) -> Option<i128> {
    let percent = percent.normalize();
    let numerator = minor.checked_mul(percent.mantissa())?;
    let denominator = 10i128.checked_pow(percent.scale() + 2)?;
    Some(round_ratio(numerator, denominator, mode))
}

/// `numerator / denominator` rounded with `mode`, through `Rounding::round` on a
/// stand-in with the same parity and fraction class.
pub fn round_ratio(numerator: i128, denominator: i128, mode: Rounding) -> i128 {
    let quotient = numerator / denominator;
    let remainder = (numerator % denominator).abs();
    if remainder == 0 {
        return quotient;
    }
    let parity = quotient % 2;
    let fraction = match remainder.cmp(&(denominator - remainder)) {
        Ordering::Less => Decimal::new(25, 2),
        Ordering::Equal => Decimal::new(5, 1),
        Ordering::Greater => Decimal::new(75, 2),
    };
    let fraction = if numerator < 0 { -fraction } else { fraction };
    let stand_in = Decimal::from_i128_with_scale(parity, 0) + fraction;
    let rounded = mode.round(stand_in, 0).mantissa();
    quotient - parity + rounded
}
