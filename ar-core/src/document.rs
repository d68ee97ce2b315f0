//! Document lines and totals: quantity × price, line and document discounts, taxes.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Currency, Money, MoneyError, Rounding};

/// A discount on a line or on a whole document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Discount {
    /// A percentage (10 for 10 %).
    Percent(Decimal),
    /// A fixed amount in the document currency.
    Amount(Decimal),
}

/// A tax applied to a line: a code the host knows and a percentage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaxRate {
    /// The host's tax code ("VAT20", "CA-SALES").
    pub code: String,
    /// The rate in percent (20 for 20 %).
    pub percent: Decimal,
}

/// One line of an invoice, credit memo or debit memo.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocumentLine {
    /// What was sold.
    pub description: String,
    /// How many.
    pub quantity: Decimal,
    /// Price per unit (may have more decimals than the currency).
    pub unit_price: Decimal,
    /// A discount on this line.
    pub discount: Option<Discount>,
    /// Taxes on this line (several may apply).
    pub taxes: Vec<TaxRate>,
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
    /// The tax code.
    pub code: String,
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
}

/// Computes a document's totals, rounding each line net at the currency's scale
/// with `rounding`, spreading a document discount over the lines by largest
/// remainder, and rounding tax per line or per document.
pub fn compute_totals(
    lines: &[DocumentLine],
    document_discount: Option<&Discount>,
    currency: Currency,
    tax_rounding: TaxRounding,
    rounding: Rounding,
) -> Result<DocumentTotals, DocumentError> {
    todo!()
}
