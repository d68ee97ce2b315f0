//! Exact, currency-aware money: checked arithmetic, named rounding and allocation.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize};

use crate::Currency;

/// How a computed value is brought to a currency's scale.
///
/// Rounding happens at one named point per computation (a line total, a tax, a
/// discount, an interest charge); the mode is part of the policy that asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Rounding {
    /// Half away from zero ("commercial rounding"): 0.125 → 0.13, −0.125 → −0.13.
    #[default]
    HalfUp,
    /// Half to even ("banker's rounding"): 0.125 → 0.12, 0.135 → 0.14.
    HalfEven,
    /// Half toward zero: 0.125 → 0.12.
    HalfDown,
    /// Always away from zero: 0.121 → 0.13.
    Up,
    /// Always toward zero (truncate): 0.129 → 0.12.
    Down,
    /// Toward positive infinity.
    Ceiling,
    /// Toward negative infinity.
    Floor,
}

impl Rounding {
    fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::HalfDown => RoundingStrategy::MidpointTowardZero,
            Rounding::Up => RoundingStrategy::AwayFromZero,
            Rounding::Down => RoundingStrategy::ToZero,
            Rounding::Ceiling => RoundingStrategy::ToPositiveInfinity,
            Rounding::Floor => RoundingStrategy::ToNegativeInfinity,
        }
    }

    /// Rounds `value` to `scale` decimals by this mode.
    ///
    /// ```
    /// use ar_core::Rounding;
    /// use rust_decimal_macros::dec;
    /// assert_eq!(Rounding::HalfUp.round(dec!(0.125), 2), dec!(0.13));
    /// assert_eq!(Rounding::HalfEven.round(dec!(0.125), 2), dec!(0.12));
    /// ```
    pub fn round(self, value: Decimal, scale: u32) -> Decimal {
        value.round_dp_with_strategy(scale, self.strategy())
    }
}

/// What went wrong with an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {left} with {right}: the currencies differ")]
    CurrencyMismatch {
        /// Currency of the left operand (or the expected currency).
        left: Currency,
        /// Currency of the right operand (or the currency given).
        right: Currency,
    },
    /// The amount has more decimals than the currency allows (10.005 USD).
    #[error("{amount} has more decimals than {currency} allows ({max} at most)")]
    TooManyDecimals {
        /// The amount as given.
        amount: Decimal,
        /// Its currency.
        currency: Currency,
        /// The currency's minor units.
        max: u32,
    },
    /// The result does not fit: beyond the range the engine keeps exact.
    #[error("amount out of range in {currency}: the result would overflow")]
    Overflow {
        /// The currency of the computation.
        currency: Currency,
    },
    /// Allocation weights were empty, negative or summed to zero.
    #[error("cannot allocate by these weights: {reason}")]
    InvalidWeights {
        /// Why the weights cannot be used.
        reason: &'static str,
    },
}

/// An exact amount in a currency, always at the currency's scale.
///
/// The amount is kept as a [`Decimal`] with exactly the currency's minor units as
/// its scale, and fits in `i64` minor units (the engine's hot loops work in minor
/// units). Arithmetic is checked: it returns [`MoneyError`] on a currency mismatch
/// or an overflow, never panics.
///
/// ```
/// use ar_core::{Currency, Money};
/// use rust_decimal_macros::dec;
/// let price = Money::new(dec!(19.9), Currency::USD)?;
/// assert_eq!(price.to_string(), "19.90 USD");
/// let total = price.checked_add(Money::new(dec!(0.10), Currency::USD)?)?;
/// assert_eq!(total.amount(), dec!(20.00));
/// assert!(Money::new(dec!(10.005), Currency::USD).is_err());
/// assert!(price.checked_add(Money::zero(Currency::EUR)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

/// The largest number of minor units an amount may have (in absolute value).
///
/// Kept well inside `i64` so that sums of a few amounts in a hot loop cannot overflow
/// before they are checked.
pub const MAX_MINOR_UNITS: i64 = 1_000_000_000_000_000_000 - 1;

impl Money {
    /// An amount in `currency`. Fails if `amount` has more decimals than the
    /// currency allows (trailing zeros do not count) or is out of range.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        let units = currency.minor_units();
        let normalized = amount.normalize();
        if normalized.scale() > units {
            return Err(MoneyError::TooManyDecimals { amount, currency, max: units });
        }
        let mut exact = normalized;
        exact.rescale(units);
        let money = Money { amount: exact, currency };
        money.to_minor().map(|_| money)
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money::from_minor_unchecked(0, currency)
    }

    /// An amount given in minor units (cents for USD, yen for JPY, fils for KWD).
    ///
    /// ```
    /// use ar_core::{Currency, Money};
    /// assert_eq!(Money::from_minor(1_234, Currency::KWD)?.to_string(), "1.234 KWD");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Money, MoneyError> {
        if minor.unsigned_abs() > MAX_MINOR_UNITS as u64 {
            return Err(MoneyError::Overflow { currency });
        }
        Ok(Money::from_minor_unchecked(minor, currency))
    }

    #[inline]
    pub(crate) fn from_minor_unchecked(minor: i64, currency: Currency) -> Money {
        // `Decimal::new(minor, units)` word for word, but inline: it is an
        // out-of-line call, and a document's totals make a dozen amounts.
        let magnitude = minor.unsigned_abs();
        let (lo, mid) = (magnitude as u32, (magnitude >> 32) as u32);
        Money { amount: Decimal::from_parts(lo, mid, 0, minor < 0, currency.minor_units()), currency }
    }

    /// Rounds a computed value to the currency's scale: the one named rounding point.
    ///
    /// ```
    /// use ar_core::{Currency, Money, Rounding};
    /// use rust_decimal_macros::dec;
    /// let interest = Money::round(dec!(0.41095890), Currency::USD, Rounding::HalfUp)?;
    /// assert_eq!(interest.amount(), dec!(0.41));
    /// assert_eq!(Money::round(dec!(2.5), Currency::JPY, Rounding::HalfEven)?.amount(), dec!(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn round(value: Decimal, currency: Currency, mode: Rounding) -> Result<Money, MoneyError> {
        Money::new(mode.round(value, currency.minor_units()), currency)
    }

    /// The amount, at exactly the currency's scale.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount in minor units.
    pub fn to_minor(&self) -> Result<i64, MoneyError> {
        let m = self.amount.mantissa();
        if m.unsigned_abs() > MAX_MINOR_UNITS as u128 || self.amount.scale() != self.currency.minor_units() {
            return Err(MoneyError::Overflow { currency: self.currency });
        }
        Ok(m as i64)
    }

    /// The amount in minor units; valid for every `Money` built through the checked
    /// constructors, which bound the range.
    pub fn minor(&self) -> i64 {
        self.amount.mantissa() as i64
    }

    /// `self + other`, or an error on a currency mismatch or overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Money::from_minor(self.minor() + other.minor(), self.currency)
    }

    /// `self − other`, or an error on a currency mismatch or overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Money::from_minor(self.minor() - other.minor(), self.currency)
    }

    /// `−self`.
    pub fn negated(self) -> Money {
        Money::from_minor_unchecked(-self.minor(), self.currency)
    }

    /// The absolute value.
    pub fn abs(self) -> Money {
        Money::from_minor_unchecked(self.minor().abs(), self.currency)
    }

    /// `true` if the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// `true` if the amount is greater than zero.
    pub fn is_positive(&self) -> bool {
        self.minor() > 0
    }

    /// `true` if the amount is less than zero.
    pub fn is_negative(&self) -> bool {
        self.minor() < 0
    }

    /// Checks that `other` is in the same currency.
    pub fn same_currency(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch { left: self.currency, right: other.currency })
        }
    }

    /// Splits this amount by `weights`, by largest remainder in minor units.
    ///
    /// The parts add up to the whole exactly; each part is within one minor unit of
    /// its exact share; a zero weight gets nothing; ties in the remainder go to the
    /// earlier weight, so the result is deterministic.
    ///
    /// ```
    /// use ar_core::{Currency, Money};
    /// use rust_decimal_macros::dec;
    /// let total = Money::new(dec!(100.00), Currency::USD)?;
    /// let parts = total.allocate(&[dec!(1), dec!(1), dec!(1)])?;
    /// let amounts: Vec<_> = parts.iter().map(|m| m.amount()).collect();
    /// assert_eq!(amounts, [dec!(33.34), dec!(33.33), dec!(33.33)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allocate(&self, weights: &[Decimal]) -> Result<Vec<Money>, MoneyError> {
        let scale = weights.iter().map(|w| w.scale()).max().unwrap_or(0);
        let mut ints = Vec::with_capacity(weights.len());
        for w in weights {
            let mut w = *w;
            w.rescale(scale);
            if w.scale() != scale {
                return Err(MoneyError::Overflow { currency: self.currency });
            }
            ints.push(w.mantissa());
        }
        let parts = allocate_minor(self.minor(), &ints)?;
        Ok(parts.into_iter().map(|m| Money::from_minor_unchecked(m, self.currency)).collect())
    }
}

/// Splits `total` minor units by integer `weights`, by largest remainder.
///
/// The hot-loop form of [`Money::allocate`]: parts add up to `total`, each within one
/// unit of its exact share `total × wᵢ / Σw`, zero weights get zero, and ties go to
/// the earlier index.
///
/// ```
/// use ar_core::allocate_minor;
/// assert_eq!(allocate_minor(10, &[1, 1, 1])?, vec![4, 3, 3]);
/// assert_eq!(allocate_minor(-10, &[1, 1, 1])?, vec![-4, -3, -3]);
/// assert_eq!(allocate_minor(5, &[0, 3, 1])?, vec![0, 4, 1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn allocate_minor(total: i64, weights: &[i128]) -> Result<Vec<i64>, MoneyError> {
    let overflow = MoneyError::InvalidWeights { reason: "the weights are too large to allocate exactly" };
    if weights.is_empty() {
        return Err(MoneyError::InvalidWeights { reason: "no weights given" });
    }
    if weights.iter().any(|w| *w < 0) {
        return Err(MoneyError::InvalidWeights { reason: "a weight is negative" });
    }
    let sum = weights.iter().try_fold(0i128, |acc, w| acc.checked_add(*w)).ok_or(overflow.clone())?;
    if sum == 0 {
        return Err(MoneyError::InvalidWeights { reason: "the weights sum to zero" });
    }
    let magnitude = i128::from(total).abs();
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (i, w) in weights.iter().enumerate() {
        let product = magnitude.checked_mul(*w).ok_or(overflow.clone())?;
        let share = product / sum;
        given += share;
        parts.push(share);
        remainders.push((product % sum, i));
    }
    let leftover = usize::try_from(magnitude - given).map_err(|_| overflow.clone())?;
    // Largest remainder first; on equal remainders the earlier index wins.
    remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(leftover) {
        parts[i] += 1;
    }
    let sign: i128 = if total < 0 { -1 } else { 1 };
    Ok(parts.into_iter().map(|p| (p * sign) as i64).collect())
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            amount: Decimal,
            currency: Currency,
        }
        let raw = Raw::deserialize(d)?;
        Money::new(raw.amount, raw.currency).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Hashes the minor units and the currency: a `Money` is always at its
/// currency's scale, so these identify it exactly (equal values hash equally),
/// without the normalising that `Decimal`'s own hash does on every call.
impl std::hash::Hash for Money {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.minor().hash(state);
        self.currency.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        /// Amounts from minor units are the very `Decimal` `Decimal::new` made,
        /// bit for bit: they are serialized into events.
        #[test]
        fn minor_units_build_what_decimal_new_builds(
            minor in prop_oneof![any::<i64>(), -1_000i64..1_000, Just(i64::MIN), Just(i64::MAX), Just(0)],
            currency in prop::sample::select(Currency::all().to_vec()),
        ) {
            let money = Money::from_minor_unchecked(minor, currency);
            let expected = Decimal::new(minor, currency.minor_units());
            prop_assert_eq!(money.amount().serialize(), expected.serialize());
        }
    }
}
