//! Document lines and totals: quantity × price, line and document discounts, taxes.
//!
//! Every step is exact until one named rounding point per amount: a line net is
//! `quantity × unit_price − line discount` rounded once at the currency's scale; a
//! document discount is spread over the line nets by largest remainder so they
//! still add up; tax is rounded per line or once per tax code. Quantities and
//! prices must not be negative: a credit memo is a document of its own with
//! positive lines.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::hashing::{hash_decimal, hash_variant_decimal};

use crate::terms::{checked_mul, is_percent, normalized_parts, percent_of, pow10, round_ratio};
use crate::{Currency, FreeText, MAX_MINOR_UNITS, Money, MoneyError, Rounding, allocate_minor};

/// A discount on a line or on a whole document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Discount {
    /// A percentage (10 for 10 %).
    Percent(Decimal),
    /// A fixed amount in the document currency.
    Amount(Decimal),
}

/// A tax applied to a line: a code the host knows and a percentage.
///
/// The code is an `Arc<str>`: a host keeps a few codes and hands every line a
/// clone of one, and each document's [`TaxTotal`] shares the line's, so no
/// document allocates for its tax codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRate {
    /// The host's tax code ("VAT20", "CA-SALES").
    pub code: Arc<str>,
    /// The rate in percent (20 for 20 %).
    pub percent: Decimal,
}

/// One line of an invoice, credit memo or debit memo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentLine {
    /// What was sold.
    pub description: FreeText,
    /// How many (not negative: a credit memo is issued with positive lines).
    pub quantity: Decimal,
    /// Price per unit (not negative; may have more decimals than the currency).
    pub unit_price: Decimal,
    /// A discount on this line: a percent (0–100) applied before rounding, or an
    /// amount at the currency's scale no larger than the line.
    pub discount: Option<Discount>,
    /// Taxes on this line (several may apply, each code once; rates not negative).
    pub taxes: Vec<TaxRate>,
}

// The `Hash` impls below write exactly what `#[derive(Hash)]` wrote (a variant
// as its index, an `isize`; fields in order), with each `Decimal` through
// `hash_decimal`: command fingerprints are persisted, so the stream must not
// change, and `Decimal`'s own hash normalizes out of line on every call.

impl Hash for Discount {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Discount::Percent(p) => hash_variant_decimal(0, p, state),
            Discount::Amount(a) => hash_variant_decimal(1, a, state),
        }
    }
}

impl Hash for TaxRate {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.code.hash(state);
        hash_decimal(&self.percent, state);
    }
}

impl Hash for DocumentLine {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.description.hash(state);
        hash_decimal(&self.quantity, state);
        hash_decimal(&self.unit_price, state);
        self.discount.hash(state);
        self.taxes.hash(state);
    }
}

/// Where tax is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TaxRounding {
    /// Each line's tax is rounded, the document's tax is their sum.
    #[default]
    PerLine,
    /// Tax is computed on the sum of the line bases per rate and rounded once.
    PerDocument,
}

/// The net amount of one line after its discounts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LineTotal {
    /// Net of the line discount and its share of the document discount.
    pub net: Money,
}

/// Tax for one rate across the document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaxTotal {
    /// The tax code (shared with the lines').
    pub code: Arc<str>,
    /// The rate in percent.
    pub percent: Decimal,
    /// The sum of the line nets this rate applies to.
    pub base: Money,
    /// The tax.
    pub amount: Money,
}

/// A document's totals: `total == net + Σ tax amounts` and `net == Σ line nets`, exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocumentTotals {
    /// Per line, in the order given.
    pub lines: Vec<LineTotal>,
    /// Sum of line nets.
    pub net: Money,
    /// Per tax code, sorted by code.
    pub taxes: Vec<TaxTotal>,
    /// Net plus taxes.
    pub total: Money,
}

/// Lines that cannot be totalled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The document has no lines.
    #[error("a document needs at least one line")]
    NoLines,
    /// A quantity, price, rate or discount is negative or otherwise unusable.
    #[error("line {line}: {reason}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The document discount is larger than the lines.
    #[error("the document discount {discount} exceeds the lines' net {net}")]
    DiscountExceedsNet {
        /// The discount.
        discount: Decimal,
        /// The net before the discount.
        net: Money,
    },
    /// The same tax code with two different rates.
    #[error("tax code '{code}' is used with two different rates")]
    ConflictingTaxRate {
        /// The code.
        code: String,
    },
    /// An amount could not be computed exactly.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// A document discount percent outside 0–100 or a negative discount amount.
    #[error("the document discount {discount:?} must be 0 to 100 % or an amount of 0 or more")]
    BadDiscount {
        /// The discount as given.
        discount: Discount,
    },
}

/// Computes a document's totals, rounding each line net at the currency's scale
/// with `rounding`, spreading a document discount over the lines by largest
/// remainder, and rounding tax per line or per document.
///
/// A percent document discount is `round(Σ line nets × percent / 100)`; an amount
/// must be at the currency's scale and no larger than the lines' net. Each tax
/// code's base is the sum of the (discounted) nets of the lines that carry it. The
/// results add up exactly: `net == Σ lines`, `total == net + Σ taxes`.
///
/// Errors: no lines; a negative quantity, price or tax rate; a line discount over
/// 100 % or larger than the line; a tax code listed twice on a line or with two
/// rates; a bad or too large document discount; amounts that do not fit
/// ([`MoneyError::Overflow`], also when quantity × price has too many digits to be
/// computed exactly in 128 bits).
///
/// ```
/// use ar_core::{compute_totals, Currency, DocumentLine, Rounding, TaxRate, TaxRounding};
/// use rust_decimal_macros::dec;
/// let line = DocumentLine {
///     description: "Widgets".into(),
///     quantity: dec!(3),
///     unit_price: dec!(19.99),
///     discount: None,
///     taxes: vec![TaxRate { code: "VAT20".into(), percent: dec!(20) }],
/// };
/// let totals = compute_totals(&[line], None, Currency::EUR, TaxRounding::PerLine, Rounding::HalfUp)?;
/// assert_eq!(totals.net.amount(), dec!(59.97));
/// assert_eq!(totals.taxes[0].amount.amount(), dec!(11.99));
/// assert_eq!(totals.total.amount(), dec!(71.96));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    // The nets live in their `LineTotal`s from the start: one allocation for the lines.
    let mut line_totals = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let net = line_net(i + 1, line, currency, rounding)?;
        line_totals.push(LineTotal { net: Money::from_minor_unchecked(net, currency) });
    }
    let mut taxes = tax_codes(lines, currency)?;
    if let Some(discount) = document_discount {
        spread_document_discount(&mut line_totals, discount, currency, rounding)?;
    }
    let net_minor: i128 = line_totals.iter().map(|l| i128::from(l.net.minor())).sum();
    // Every error from here on is `Overflow` in `currency`, so the order of the
    // remaining checks cannot change which error a caller sees.
    let tax_minor = add_taxes(&mut taxes, lines, &line_totals, tax_rounding, rounding)?;
    Ok(DocumentTotals {
        lines: line_totals,
        net: money(net_minor, currency)?,
        taxes,
        total: money(net_minor + tax_minor, currency)?,
    })
}

/// An exact decimal as `numerator / 10^exponent`, in 128 bits.
#[derive(Clone, Copy)]
struct Exact {
    numerator: i128,
    exponent: u32,
}

impl Exact {
    /// Normalised (no trailing zeros) like `Decimal::normalize`, so that which
    /// products fit in 128 bits, and so which inputs overflow, stays as it was.
    fn of(value: Decimal) -> Exact {
        let (numerator, exponent) = normalized_parts(value);
        Exact { numerator, exponent }
    }

    fn mul(self, other: Exact) -> Option<Exact> {
        Some(Exact {
            numerator: checked_mul(self.numerator, other.numerator)?,
            exponent: self.exponent + other.exponent,
        })
    }

    /// The numerator over `10^exponent` for a larger `exponent`.
    fn numerator_at(self, exponent: u32) -> Option<i128> {
        checked_mul(self.numerator, pow10(exponent.checked_sub(self.exponent)?)?)
    }

    fn sub(self, other: Exact) -> Option<Exact> {
        let exponent = self.exponent.max(other.exponent);
        Some(Exact { numerator: self.numerator_at(exponent)?.checked_sub(other.numerator_at(exponent)?)?, exponent })
    }

    /// Rounded to `scale` decimals with `mode`, as an integer count of `10^-scale`.
    fn round_to(self, scale: u32, mode: Rounding) -> Option<i128> {
        if self.exponent <= scale {
            return self.numerator_at(scale);
        }
        match pow10(self.exponent - scale) {
            Some(denominator) => Some(round_ratio(self.numerator, denominator, mode)),
            // 10^k beyond i128 is more than twice any numerator: the value is a
            // nonzero sliver below half a unit, rounded like one.
            None => Some(round_ratio(self.numerator.signum(), 4, mode)),
        }
    }
}

/// `Money::from_minor` of an `i128`, its range check made here: a call per
/// running tax sum was a tenth of a document's totals.
fn money(minor: i128, currency: Currency) -> Result<Money, MoneyError> {
    if minor.unsigned_abs() > u128::from(MAX_MINOR_UNITS.unsigned_abs()) {
        return Err(MoneyError::Overflow { currency });
    }
    Ok(Money::from_minor_unchecked(minor as i64, currency))
}

fn bad_line(line: usize, reason: String) -> DocumentError {
    DocumentError::BadLine { line, reason }
}

/// `round(quantity × unit_price − line discount)` in minor units, within [`MAX_MINOR_UNITS`].
fn line_net(number: usize, line: &DocumentLine, currency: Currency, rounding: Rounding) -> Result<i64, DocumentError> {
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
            // gross × (100 − p) / 100, exactly: the percent is applied before rounding.
            // `Decimal` subtraction (not exact integers) because it rounds 100 − p
            // when p has 28 decimals, and the results must not change.
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
    match i64::try_from(minor) {
        Ok(minor) if minor.unsigned_abs() <= MAX_MINOR_UNITS.unsigned_abs() => Ok(minor),
        _ => Err(overflow.into()),
    }
}

/// One [`TaxTotal`] per code, sorted by code, with zero base and amount, checking
/// rates are not negative, no line lists a code twice and no code has two rates.
///
/// A sorted `Vec` searched by bisection: documents carry few codes, and this is
/// the output the caller gets, so the codes are cloned once and nothing else is
/// allocated.
fn tax_codes(lines: &[DocumentLine], currency: Currency) -> Result<Vec<TaxTotal>, DocumentError> {
    // Sized for the first line's codes, which the other lines mostly repeat: an
    // insert into an empty `Vec` goes through its growth path and reserves four.
    let mut totals: Vec<TaxTotal> = Vec::with_capacity(lines.first().map_or(0, |l| l.taxes.len()));
    for (i, line) in lines.iter().enumerate() {
        for (j, tax) in line.taxes.iter().enumerate() {
            if tax.percent.is_sign_negative() && !tax.percent.is_zero() {
                return Err(bad_line(i + 1, format!("tax '{}' has a negative rate {}", tax.code, tax.percent)));
            }
            if line.taxes[..j].iter().any(|t| t.code == tax.code) {
                return Err(bad_line(i + 1, format!("tax '{}' is listed twice", tax.code)));
            }
            match totals.binary_search_by(|t| t.code.cmp(&tax.code)) {
                // The first rate seen for a code is the one reported.
                Ok(k) if totals.get(k).is_some_and(|t| t.percent != tax.percent) => {
                    return Err(DocumentError::ConflictingTaxRate { code: tax.code.to_string() });
                }
                Ok(_) => {}
                Err(k) => {
                    let zero = Money::zero(currency);
                    totals
                        .insert(k, TaxTotal { code: tax.code.clone(), percent: tax.percent, base: zero, amount: zero });
                }
            }
        }
    }
    Ok(totals)
}

/// Takes the document discount off the line nets, spread by largest remainder.
fn spread_document_discount(
    line_totals: &mut [LineTotal],
    discount: &Discount,
    currency: Currency,
    rounding: Rounding,
) -> Result<(), DocumentError> {
    let net: i128 = line_totals.iter().map(|l| i128::from(l.net.minor())).sum();
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
    let weights: Vec<i128> = line_totals.iter().map(|l| i128::from(l.net.minor())).collect();
    let amount = i64::try_from(amount).map_err(|_| MoneyError::Overflow { currency })?;
    // Each share is at most its line's net: amount ≤ Σ nets, and a share rounded up
    // by largest remainder stays at or under an integer bound. So the new net is
    // between 0 and the old one, inside the range `line_net` checked.
    for (line, share) in line_totals.iter_mut().zip(allocate_minor(amount, &weights)?) {
        line.net = Money::from_minor_unchecked(line.net.minor() - share, currency);
    }
    Ok(())
}

/// Fills each code's base and tax, rounded per line or once per code, and returns
/// the sum of the taxes.
///
/// Nets, rates and so taxes are never negative, so a running sum that leaves the
/// money range means the final one does too: stopping there with `Overflow` gives
/// the same error as summing everything first. Per-document rounding skips the
/// per-line taxes: where one of them would overflow, the code's tax on a base at
/// least as large overflows as well.
fn add_taxes(
    taxes: &mut [TaxTotal],
    lines: &[DocumentLine],
    line_totals: &[LineTotal],
    tax_rounding: TaxRounding,
    rounding: Rounding,
) -> Result<i128, DocumentError> {
    let Some(currency) = line_totals.first().map(|l| l.net.currency()) else {
        return Ok(0);
    };
    let overflow = MoneyError::Overflow { currency };
    for (line, total) in lines.iter().zip(line_totals) {
        for tax in &line.taxes {
            let Some(sum) = taxes.binary_search_by(|t| t.code.cmp(&tax.code)).ok().and_then(|k| taxes.get_mut(k))
            else {
                continue;
            };
            sum.base = money(i128::from(sum.base.minor()) + i128::from(total.net.minor()), currency)?;
            if tax_rounding == TaxRounding::PerLine {
                let line_tax =
                    percent_of(i128::from(total.net.minor()), tax.percent, rounding).ok_or(overflow.clone())?;
                sum.amount = money(i128::from(sum.amount.minor()) + line_tax, currency)?;
            }
        }
    }
    let mut tax_minor: i128 = 0;
    for sum in taxes.iter_mut() {
        if tax_rounding == TaxRounding::PerDocument {
            let amount = percent_of(i128::from(sum.base.minor()), sum.percent, rounding).ok_or(overflow.clone())?;
            sum.amount = money(amount, currency)?;
        }
        tax_minor += i128::from(sum.amount.minor());
    }
    Ok(tax_minor)
}
