//! Conversion of a per-customer aging into one reporting currency.
//!
//! # The guarantee
//!
//! Each (customer, currency, column) cell is converted **once**: its exact sum
//! times the host's rate, rounded to the reporting currency's scale by the named
//! [`Rounding`]. A customer's converted row is the sum of its converted cells,
//! and the converted totals are the sum of the converted rows. So the totals
//! equal the sum of the rows exactly, to the minor unit, whatever the rounding.
//!
//! The price of that guarantee: the converted total of a column can differ by a
//! few minor units from converting the per-currency total in one step (each
//! customer's cell is rounded on its own). That is the usual behaviour of a
//! report whose lines must add up.

use std::collections::BTreeMap;

use ar_core::{Currency, CustomerId, Rounding};
use rust_decimal::Decimal;

use crate::policy::AgingPolicy;
use crate::results::{AgingRow, CustomerAging, OverdueCustomer, top_n};

/// The most decimals a rate may have (so a cell times a rate stays exact).
pub const MAX_RATE_SCALE: u32 = 20;

/// A conversion cannot be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// A rate that is zero, negative, too precise, or not 1 for the reporting
    /// currency itself.
    #[error("the rate {rate} for {currency} cannot be used: rates are positive, with at most 20 decimals")]
    InvalidRate {
        /// The currency the rate is for.
        currency: Currency,
        /// The rate given.
        rate: Decimal,
    },
    /// No rate for a currency the aging holds.
    #[error("no exchange rate given for {currency}")]
    MissingRate {
        /// The currency without a rate.
        currency: Currency,
    },
    /// A converted sum is beyond the exact range.
    #[error("converting the {currency} amounts overflows")]
    Overflow {
        /// The source currency.
        currency: Currency,
    },
}

/// Exchange rates into one reporting currency, with the rounding of converted
/// cells. A rate is the reporting amount for one unit of the source currency.
///
/// ```
/// use ar_aging::Rates;
/// use ar_core::{Currency, Rounding};
/// use rust_decimal_macros::dec;
/// let rates = Rates::new(Currency::USD)
///     .rate(Currency::EUR, dec!(1.0850))?
///     .rate(Currency::JPY, dec!(0.0067))?
///     .rounding(Rounding::HalfEven);
/// assert_eq!(rates.get_rounding(), Rounding::HalfEven); // default: Rounding::HalfUp
/// assert!(Rates::new(Currency::USD).rate(Currency::EUR, dec!(0)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rates {
    target: Currency,
    rates: BTreeMap<Currency, Decimal>,
    rounding: Rounding,
}

impl Rates {
    /// Rates into `target`, with no rate yet and [`Rounding::HalfUp`].
    pub fn new(target: Currency) -> Self {
        Rates { target, rates: BTreeMap::new(), rounding: Rounding::HalfUp }
    }

    /// Sets the rate for `currency`: `1 currency = rate target`.
    pub fn rate(mut self, currency: Currency, rate: Decimal) -> Result<Self, ConvertError> {
        let rate_n = rate.normalize();
        let invalid = rate_n <= Decimal::ZERO
            || rate_n.scale() > MAX_RATE_SCALE
            || (currency == self.target && rate_n != Decimal::ONE);
        if invalid {
            return Err(ConvertError::InvalidRate { currency, rate });
        }
        self.rates.insert(currency, rate_n);
        Ok(self)
    }

    /// The rounding of each converted cell.
    pub fn rounding(mut self, rounding: Rounding) -> Self {
        self.rounding = rounding;
        self
    }

    /// The reporting currency.
    pub fn get_target(&self) -> Currency {
        self.target
    }

    /// The rounding of each converted cell.
    pub fn get_rounding(&self) -> Rounding {
        self.rounding
    }

    /// Converts one sum of minor units of `from` into minor units of the target:
    /// the one rounding point.
    pub fn convert_minor(&self, minor: i128, from: Currency) -> Result<i128, ConvertError> {
        if from == self.target || minor == 0 {
            return Ok(minor);
        }
        let rate = *self.rates.get(&from).ok_or(ConvertError::MissingRate { currency: from })?;
        let overflow = ConvertError::Overflow { currency: from };
        let amount = Decimal::try_from_i128_with_scale(minor, from.minor_units()).map_err(|_| overflow.clone())?;
        let value = amount.checked_mul(rate).ok_or(overflow.clone())?;
        // Decimal shortens a product that does not fit; that would round twice.
        if value.scale() != amount.scale() + rate.scale() {
            return Err(overflow);
        }
        let units = self.target.minor_units();
        let mut rounded = self.rounding.round(value, units);
        rounded.rescale(units);
        if rounded.scale() != units {
            return Err(overflow);
        }
        Ok(rounded.mantissa())
    }
}

/// A per-customer aging in one reporting currency: one row per customer.
///
/// Totals are the sum of the rows, exactly (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertedAging {
    policy: AgingPolicy,
    rates: Rates,
    customers: Vec<CustomerId>,
    counts: Vec<u64>,
    cells: Vec<i128>,
    total_count: u64,
    totals: Vec<i128>,
}

impl CustomerAging {
    /// Converts every (customer, currency, column) cell into the reporting
    /// currency once, and sums the converted cells per customer and overall.
    ///
    /// ```
    /// # use ar_aging::{AgingPolicy, DocumentRef, OpenItemRow, OpenItemsBuilder, Rates};
    /// # use ar_core::{Currency, CustomerId, InvoiceId, Rounding};
    /// # use chrono::NaiveDate;
    /// # use rust_decimal_macros::dec;
    /// # let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).ok_or("bad date");
    /// # let mut builder = OpenItemsBuilder::new();
    /// # for (i, cur, amount) in [(1u128, Currency::USD, dec!(10.00)), (2, Currency::EUR, dec!(10.01)), (3, Currency::EUR, dec!(0.01))] {
    /// #     builder.push(OpenItemRow::new(CustomerId::from_u128(i), DocumentRef::Invoice(InvoiceId::from_u128(i)),
    /// #         "INV", cur, day(1, 1)?, day(1, 31)?, amount))?;
    /// # }
    /// # let items = builder.build();
    /// let aging = items.by_customer(&AgingPolicy::new(day(3, 15)?));
    /// let rates = Rates::new(Currency::USD).rate(Currency::EUR, dec!(1.5))?.rounding(Rounding::HalfEven);
    /// let usd = aging.convert(&rates)?;
    /// // 10.01 EUR → 15.015 → 15.02 USD; 0.01 EUR → 0.015 → 0.02 USD (each cell rounded once).
    /// let rows: Vec<i128> = usd.rows().map(|(_, r)| r.total_minor()).collect();
    /// assert_eq!(rows, [1000, 1502, 2]);
    /// assert_eq!(usd.totals().total_minor(), rows.iter().sum::<i128>());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn convert(&self, rates: &Rates) -> Result<ConvertedAging, ConvertError> {
        let stride = self.policy.stride();
        let target = rates.target;
        let mut out = ConvertedAging {
            policy: self.policy.clone(),
            rates: rates.clone(),
            customers: Vec::new(),
            counts: Vec::new(),
            cells: Vec::new(),
            total_count: 0,
            totals: vec![0; stride],
        };
        for (customer, row) in self.rows() {
            if out.customers.last() != Some(&customer) {
                out.customers.push(customer);
                out.counts.push(0);
                out.cells.resize(out.cells.len() + stride, 0);
            }
            let from = row.currency();
            let overflow = ConvertError::Overflow { currency: from };
            let start = out.cells.len() - stride;
            for (sum, &cell) in out.cells[start..].iter_mut().zip(row.cells()) {
                *sum = sum.checked_add(rates.convert_minor(cell, from)?).ok_or(overflow.clone())?;
            }
            if let Some(n) = out.counts.last_mut() {
                *n += row.item_count();
            }
        }
        for (row, n) in out.cells.chunks_exact(stride).zip(&out.counts) {
            out.total_count += n;
            for (total, cell) in out.totals.iter_mut().zip(row) {
                *total = total.checked_add(*cell).ok_or(ConvertError::Overflow { currency: target })?;
            }
        }
        Ok(out)
    }
}

impl ConvertedAging {
    /// The policy of the aging converted.
    pub fn policy(&self) -> &AgingPolicy {
        &self.policy
    }

    /// The rates used.
    pub fn rates(&self) -> &Rates {
        &self.rates
    }

    /// One row per customer, in the reporting currency, sorted by customer id.
    pub fn rows(&self) -> impl Iterator<Item = (CustomerId, AgingRow<'_>)> {
        let stride = self.policy.stride();
        let target = self.rates.target;
        self.customers
            .iter()
            .zip(&self.counts)
            .zip(self.cells.chunks_exact(stride))
            .map(move |((id, n), cells)| (*id, AgingRow::new(&self.policy, target, *n, cells)))
    }

    /// The totals: the sum of the converted rows, column by column.
    pub fn totals(&self) -> AgingRow<'_> {
        AgingRow::new(&self.policy, self.rates.target, self.total_count, &self.totals)
    }

    /// The `n` customers with the most past due in the reporting currency,
    /// largest first, ties by customer id; customers with nothing past due are
    /// left out.
    pub fn top_overdue(&self, n: usize) -> Vec<OverdueCustomer> {
        let target = self.rates.target;
        let candidates = self.rows().map(|(customer, row)| OverdueCustomer {
            customer,
            currency: target,
            overdue_minor: row.past_due_minor(),
        });
        top_n(candidates, n)
    }
}
