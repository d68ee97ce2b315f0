//! Aging results: totals per currency and per customer, exact, mergeable.
//!
//! Cells are `i128` minor units (sums of up to 2³² amounts of up to 10¹⁸ minor
//! units cannot overflow them); [`AgingRow::money`] turns a cell into
//! [`Money`] at the edge. Results of the same policy [`merge`](AgingTotals::merge):
//! merging is associative and commutative, so a host can age shards of its book
//! (by customer, or any split at all) and combine them in any order.

use std::cmp::Ordering;

use ar_core::{Currency, CustomerId, Money};

use crate::policy::{AgingPolicy, Column};

/// A cell could not be read as the caller asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// The policy has no such column (a bucket index past the last bucket).
    #[error("the aging has no column {column}")]
    NoSuchColumn {
        /// The column asked for.
        column: Column,
    },
    /// The sum is beyond what [`Money`] holds (10¹⁸ minor units).
    #[error("{minor} minor units of {currency} is beyond what one amount can hold")]
    TooLarge {
        /// The sum in minor units.
        minor: i128,
        /// Its currency.
        currency: Currency,
    },
}

/// Two results cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// The results were aged under different policies.
    #[error("cannot merge agings made under different policies (as-of date, basis, buckets or placements differ)")]
    PolicyMismatch,
    /// A merged sum would overflow `i128`.
    #[error("merged sums in {currency} overflow")]
    Overflow {
        /// The currency whose sum overflowed.
        currency: Currency,
    },
}

/// One row of an aging: the cells for one currency (and one customer, in a
/// per-customer aging).
///
/// ```
/// # use ar_aging::{AgingPolicy, Column, DocumentRef, OpenItemRow, OpenItemsBuilder};
/// # use ar_core::{Currency, CustomerId, InvoiceId};
/// # use chrono::NaiveDate;
/// # use rust_decimal_macros::dec;
/// # let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).ok_or("bad date");
/// # let mut builder = OpenItemsBuilder::new();
/// # builder.push(OpenItemRow::new(CustomerId::from_u128(1), DocumentRef::Invoice(InvoiceId::from_u128(1)),
/// #     "INV-1", Currency::USD, day(1, 1)?, day(1, 31)?, dec!(100.00)))?;
/// # let items = builder.build();
/// let totals = items.totals(&AgingPolicy::new(day(3, 15)?));
/// let usd = totals.row(Currency::USD).ok_or("no USD")?;
/// assert_eq!(usd.minor(Column::Bucket(2)), Some(10_000)); // 43 days: 31–60
/// assert_eq!(usd.money(Column::Bucket(2))?.to_string(), "100.00 USD");
/// assert_eq!(usd.total_minor(), 10_000);
/// assert_eq!(usd.past_due_minor(), 10_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgingRow<'a> {
    policy: &'a AgingPolicy,
    currency: Currency,
    items: u64,
    cells: &'a [i128],
}

impl<'a> AgingRow<'a> {
    pub(crate) fn new(policy: &'a AgingPolicy, currency: Currency, items: u64, cells: &'a [i128]) -> Self {
        AgingRow { policy, currency, items, cells }
    }

    /// Every cell: the buckets, then the apart columns the policy shows.
    pub(crate) fn cells(&self) -> &'a [i128] {
        self.cells
    }

    /// The currency of every cell.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The number of items aged into this row.
    pub fn item_count(&self) -> u64 {
        self.items
    }

    /// The bucket sums in minor units, youngest first.
    pub fn buckets_minor(&self) -> &'a [i128] {
        self.cells.get(..self.policy.get_buckets().len()).unwrap_or(&[])
    }

    /// A column's sum in minor units, or `None` if the policy has no such column.
    /// An apart column the policy does not show reads as zero.
    pub fn minor(&self, column: Column) -> Option<i128> {
        match (self.policy.cell_of(column), column) {
            (Some(i), _) => self.cells.get(i).copied(),
            (None, Column::Bucket(_)) => None,
            (None, _) => Some(0),
        }
    }

    /// A column's sum as [`Money`].
    pub fn money(&self, column: Column) -> Result<Money, AmountError> {
        let minor = self.minor(column).ok_or(AmountError::NoSuchColumn { column })?;
        to_money(minor, self.currency)
    }

    /// Every column's sum: the open balance of the row.
    pub fn total_minor(&self) -> i128 {
        self.cells.iter().sum()
    }

    /// The open balance as [`Money`].
    pub fn total(&self) -> Result<Money, AmountError> {
        to_money(self.total_minor(), self.currency)
    }

    /// The sum of the buckets that hold ages of a day or more
    /// ([`Buckets::is_past_due`](crate::Buckets::is_past_due)): overdue under the
    /// due-date basis. Apart columns do not count.
    pub fn past_due_minor(&self) -> i128 {
        let buckets = self.policy.get_buckets();
        self.buckets_minor().iter().enumerate().filter(|(i, _)| buckets.is_past_due(*i)).map(|(_, c)| c).sum()
    }
}

pub(crate) fn to_money(minor: i128, currency: Currency) -> Result<Money, AmountError> {
    i64::try_from(minor)
        .ok()
        .and_then(|m| Money::from_minor(m, currency).ok())
        .ok_or(AmountError::TooLarge { minor, currency })
}

/// Aging totals per currency: every column's sum over all items.
///
/// Made by [`OpenItems::totals`](crate::OpenItems::totals); rows are sorted by
/// currency code, and a currency appears only if at least one item was aged in it.
///
/// Totals of two shards of a book merge into the totals of the whole:
///
/// ```
/// # use ar_aging::{AgingPolicy, DocumentRef, OpenItemRow, OpenItemsBuilder};
/// # use ar_core::{Currency, CustomerId, InvoiceId};
/// # use chrono::NaiveDate;
/// # use rust_decimal_macros::dec;
/// # let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).ok_or("bad date");
/// # let set = |rows: &[(u128, u128, &str)]| -> Result<_, Box<dyn std::error::Error>> {
/// #     let mut builder = OpenItemsBuilder::new();
/// #     for (customer, id, amount) in rows {
/// #         builder.push(OpenItemRow::new(CustomerId::from_u128(*customer), DocumentRef::Invoice(InvoiceId::from_u128(*id)),
/// #             "INV", Currency::USD, day(1, 1)?, day(1, 31)?, amount.parse()?))?;
/// #     }
/// #     Ok(builder.build())
/// # };
/// let policy = AgingPolicy::new(day(3, 15)?);
/// let north = set(&[(1, 1, "10.00"), (2, 2, "5.00")])?.totals(&policy);
/// let south = set(&[(2, 3, "2.50")])?.totals(&policy);
/// let whole = set(&[(1, 1, "10.00"), (2, 2, "5.00"), (2, 3, "2.50")])?.totals(&policy);
/// assert_eq!(north.clone().merge(&south)?, whole);
/// assert_eq!(south.merge(&north)?, whole);
/// // Totals aged as of another date do not merge.
/// let later = set(&[(3, 4, "1.00")])?.totals(&AgingPolicy::new(day(4, 1)?));
/// assert!(whole.merge(&later).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgingTotals {
    pub(crate) policy: AgingPolicy,
    pub(crate) currencies: Vec<Currency>,
    pub(crate) counts: Vec<u64>,
    pub(crate) cells: Vec<i128>,
}

impl AgingTotals {
    /// Totals with no row: the identity of [`merge`](Self::merge).
    pub fn empty(policy: AgingPolicy) -> Self {
        AgingTotals { policy, currencies: Vec::new(), counts: Vec::new(), cells: Vec::new() }
    }

    /// The policy the totals were aged under.
    pub fn policy(&self) -> &AgingPolicy {
        &self.policy
    }

    /// The rows, one per currency, sorted by currency code.
    pub fn rows(&self) -> impl Iterator<Item = AgingRow<'_>> {
        let stride = self.policy.stride();
        self.currencies
            .iter()
            .zip(&self.counts)
            .zip(self.cells.chunks_exact(stride))
            .map(move |((c, n), cells)| AgingRow::new(&self.policy, *c, *n, cells))
    }

    /// The row of one currency.
    pub fn row(&self, currency: Currency) -> Option<AgingRow<'_>> {
        self.rows().find(|r| r.currency() == currency)
    }

    /// Adds `other` into these totals. Associative and commutative; fails if the
    /// policies differ or a sum overflows.
    pub fn merge(self, other: &AgingTotals) -> Result<AgingTotals, MergeError> {
        if self.policy != other.policy {
            return Err(MergeError::PolicyMismatch);
        }
        let stride = self.policy.stride();
        let mut rows = Rows::default();
        merge_sorted(&self.currencies, &other.currencies, |side| {
            let (c, a, b) = match side {
                Side::Left(i) => (self.currencies[i], Some(i), None),
                Side::Right(j) => (other.currencies[j], None, Some(j)),
                Side::Both(i, j) => (self.currencies[i], Some(i), Some(j)),
            };
            rows.push_sum(c, c, (&self.counts, &self.cells, a), (&other.counts, &other.cells, b), stride)
        })?;
        Ok(AgingTotals { policy: self.policy, currencies: rows.keys, counts: rows.counts, cells: rows.cells })
    }
}

/// Aging per customer and currency: one row per (customer, currency) pair with
/// at least one item aged, sorted by customer id then currency code.
///
/// ```
/// # use ar_aging::{AgingPolicy, DocumentRef, OpenItemRow, OpenItemsBuilder};
/// # use ar_core::{Currency, CustomerId, InvoiceId};
/// # use chrono::NaiveDate;
/// # use rust_decimal_macros::dec;
/// # let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).ok_or("bad date");
/// # let set = |rows: &[(u128, u128, &str)]| -> Result<_, Box<dyn std::error::Error>> {
/// #     let mut builder = OpenItemsBuilder::new();
/// #     for (customer, id, amount) in rows {
/// #         builder.push(OpenItemRow::new(CustomerId::from_u128(*customer), DocumentRef::Invoice(InvoiceId::from_u128(*id)),
/// #             "INV", Currency::USD, day(1, 1)?, day(1, 31)?, amount.parse()?))?;
/// #     }
/// #     Ok(builder.build())
/// # };
/// let items = set(&[(1, 1, "10.00"), (2, 2, "30.00"), (2, 3, "2.50"), (3, 4, "30.00")])?;
/// let aging = items.by_customer(&AgingPolicy::new(day(3, 15)?));
/// let customer_2 = aging.row(CustomerId::from_u128(2), Currency::USD).ok_or("no row")?;
/// assert_eq!(customer_2.total_minor(), 3_250);
/// assert_eq!(aging.totals(), items.totals(aging.policy()));
/// // Largest past due first; customers 2 and 3 are not tied (32.50 and 30.00).
/// let top: Vec<_> = aging.top_overdue(2, Currency::USD).iter().map(|o| o.customer).collect();
/// assert_eq!(top, [CustomerId::from_u128(2), CustomerId::from_u128(3)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerAging {
    pub(crate) policy: AgingPolicy,
    pub(crate) keys: Vec<(CustomerId, Currency)>,
    pub(crate) counts: Vec<u64>,
    pub(crate) cells: Vec<i128>,
}

/// A customer owing an amount past due, from [`CustomerAging::top_overdue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverdueCustomer {
    /// The customer.
    pub customer: CustomerId,
    /// The currency of the amount.
    pub currency: Currency,
    /// The amount past due, in minor units.
    pub overdue_minor: i128,
}

impl OverdueCustomer {
    /// The amount past due as [`Money`].
    pub fn overdue(&self) -> Result<Money, AmountError> {
        to_money(self.overdue_minor, self.currency)
    }
}

impl CustomerAging {
    /// A per-customer aging with no row: the identity of [`merge`](Self::merge).
    pub fn empty(policy: AgingPolicy) -> Self {
        CustomerAging { policy, keys: Vec::new(), counts: Vec::new(), cells: Vec::new() }
    }

    /// The policy the aging was made under.
    pub fn policy(&self) -> &AgingPolicy {
        &self.policy
    }

    /// The number of (customer, currency) rows.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// `true` if there is no row.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The rows with their customer, sorted by customer id then currency.
    pub fn rows(&self) -> impl Iterator<Item = (CustomerId, AgingRow<'_>)> {
        let stride = self.policy.stride();
        self.keys
            .iter()
            .zip(&self.counts)
            .zip(self.cells.chunks_exact(stride))
            .map(move |(((id, c), n), cells)| (*id, AgingRow::new(&self.policy, *c, *n, cells)))
    }

    /// The row of one customer in one currency.
    pub fn row(&self, customer: CustomerId, currency: Currency) -> Option<AgingRow<'_>> {
        let i = self.keys.binary_search(&(customer, currency)).ok()?;
        let stride = self.policy.stride();
        let cells = self.cells.get(i * stride..(i + 1) * stride)?;
        Some(AgingRow::new(&self.policy, currency, self.counts.get(i).copied().unwrap_or(0), cells))
    }

    /// The totals per currency: the sum of the customers' rows. Equal to
    /// [`OpenItems::totals`](crate::OpenItems::totals) under the same policy.
    pub fn totals(&self) -> AgingTotals {
        let stride = self.policy.stride();
        let mut currencies: Vec<Currency> = self.keys.iter().map(|(_, c)| *c).collect();
        currencies.sort_unstable();
        currencies.dedup();
        let mut counts = vec![0u64; currencies.len()];
        let mut cells = vec![0i128; currencies.len() * stride];
        for (((_, currency), n), row) in self.keys.iter().zip(&self.counts).zip(self.cells.chunks_exact(stride)) {
            let Ok(at) = currencies.binary_search(currency) else { continue };
            counts[at] += n;
            // The customer cells sum the same items as the totals, so they fit (kernel docs).
            for (sum, cell) in cells[at * stride..(at + 1) * stride].iter_mut().zip(row) {
                *sum += cell;
            }
        }
        AgingTotals { policy: self.policy.clone(), currencies, counts, cells }
    }

    /// The `n` customers with the most past due in `currency`
    /// ([`AgingRow::past_due_minor`]), largest first, ties by customer id.
    /// Customers with nothing past due (zero or a net credit) are left out.
    pub fn top_overdue(&self, n: usize, currency: Currency) -> Vec<OverdueCustomer> {
        let candidates = self
            .rows()
            .filter(|(_, row)| row.currency() == currency)
            .map(|(customer, row)| OverdueCustomer { customer, currency, overdue_minor: row.past_due_minor() });
        top_n(candidates, n)
    }

    /// Adds `other` into this aging: rows of the same customer and currency are
    /// summed. Associative and commutative; fails if the policies differ or a sum
    /// overflows.
    pub fn merge(self, other: &CustomerAging) -> Result<CustomerAging, MergeError> {
        if self.policy != other.policy {
            return Err(MergeError::PolicyMismatch);
        }
        let stride = self.policy.stride();
        let mut rows = Rows::default();
        merge_sorted(&self.keys, &other.keys, |side| {
            let (key, a, b) = match side {
                Side::Left(i) => (self.keys[i], Some(i), None),
                Side::Right(j) => (other.keys[j], None, Some(j)),
                Side::Both(i, j) => (self.keys[i], Some(i), Some(j)),
            };
            rows.push_sum(key, key.1, (&self.counts, &self.cells, a), (&other.counts, &other.cells, b), stride)
        })?;
        Ok(CustomerAging { policy: self.policy, keys: rows.keys, counts: rows.counts, cells: rows.cells })
    }
}

/// The `n` largest positive amounts, largest first, ties by customer id.
pub(crate) fn top_n(candidates: impl Iterator<Item = OverdueCustomer>, n: usize) -> Vec<OverdueCustomer> {
    let order = |a: &OverdueCustomer, b: &OverdueCustomer| {
        b.overdue_minor.cmp(&a.overdue_minor).then(a.customer.cmp(&b.customer)).then(a.currency.cmp(&b.currency))
    };
    let mut all: Vec<OverdueCustomer> = candidates.filter(|c| c.overdue_minor > 0).collect();
    if n == 0 {
        return Vec::new();
    }
    if all.len() > n {
        all.select_nth_unstable_by(n - 1, order);
        all.truncate(n);
    }
    all.sort_unstable_by(order);
    all
}

/// Where a key of a sorted merge comes from.
enum Side {
    Left(usize),
    Right(usize),
    Both(usize, usize),
}

/// Walks two sorted, duplicate-free key lists in order.
fn merge_sorted<K: Ord, E>(a: &[K], b: &[K], mut f: impl FnMut(Side) -> Result<(), E>) -> Result<(), E> {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let side = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => match x.cmp(y) {
                Ordering::Less => Side::Left(i),
                Ordering::Greater => Side::Right(j),
                Ordering::Equal => Side::Both(i, j),
            },
            (Some(_), None) => Side::Left(i),
            _ => Side::Right(j),
        };
        match side {
            Side::Left(_) => i += 1,
            Side::Right(_) => j += 1,
            Side::Both(..) => (i, j) = (i + 1, j + 1),
        }
        f(side)?;
    }
    Ok(())
}

/// Rows being assembled by a merge.
struct Rows<K> {
    keys: Vec<K>,
    counts: Vec<u64>,
    cells: Vec<i128>,
}

impl<K> Default for Rows<K> {
    fn default() -> Self {
        Rows { keys: Vec::new(), counts: Vec::new(), cells: Vec::new() }
    }
}

type RowSource<'a> = (&'a [u64], &'a [i128], Option<usize>);

impl<K> Rows<K> {
    /// Pushes the cell-wise sum of row `a` of one side and row `b` of the other.
    fn push_sum(
        &mut self,
        key: K,
        currency: Currency,
        (a_counts, a_cells, a): RowSource<'_>,
        (b_counts, b_cells, b): RowSource<'_>,
        stride: usize,
    ) -> Result<(), MergeError> {
        fn row(cells: &[i128], at: Option<usize>, stride: usize) -> Option<&[i128]> {
            at.and_then(|i| cells.get(i * stride..(i + 1) * stride))
        }
        let count = |counts: &[u64], at: Option<usize>| at.and_then(|i| counts.get(i).copied()).unwrap_or(0);
        let overflow = MergeError::Overflow { currency };
        match (row(a_cells, a, stride), row(b_cells, b, stride)) {
            (Some(left), Some(right)) => {
                for (x, y) in left.iter().zip(right) {
                    self.cells.push(x.checked_add(*y).ok_or(overflow.clone())?);
                }
            }
            (Some(only), None) | (None, Some(only)) => self.cells.extend_from_slice(only),
            (None, None) => self.cells.resize(self.cells.len() + stride, 0),
        }
        self.counts.push(count(a_counts, a).checked_add(count(b_counts, b)).ok_or(overflow)?);
        self.keys.push(key);
        Ok(())
    }
}
