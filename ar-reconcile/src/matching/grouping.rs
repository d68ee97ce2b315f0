//! [`Grouped`]: every customer's open items, oldest first, for passes (d) to
//! (f), which scan one customer's items per line.
//!
//! A customer's items sit next to each other as compact [`OpenRow`]s (open
//! amount, currency, discount flag), so a scan reads one or two cache lines
//! instead of one scattered 112-byte item per row. Only policies that run
//! pass (c) or later build it (or a reference pass that meets a customer
//! missing from the directory, which needs its dense number).

use ar_core::{Currency, CustomerId};
use chrono::{Datelike, NaiveDate};

use super::OpenInvoice;
use super::index::DenseIds;

/// What a scan of a customer's items needs from one row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpenRow {
    /// The due day (order-preserving as `u32`) above the invoice row: sorting
    /// by it sorts by due date, then row.
    key: u64,
    /// The open amount in minor units (before this run).
    pub(crate) open: i64,
    pub(crate) currency: Currency,
    /// The day the item was issued (days from the common era) below the top
    /// bit, which is set if it offers an early-payment discount: the row stays
    /// 24 bytes.
    issued_and_offer: u32,
}

/// The top bit of [`OpenRow::issued_and_offer`].
const OFFERS_DISCOUNT: u32 = 1 << 31;

impl OpenRow {
    /// `true` if the item offers an early-payment discount.
    pub(crate) fn offers_discount(&self) -> bool {
        self.issued_and_offer & OFFERS_DISCOUNT != 0
    }

    /// `true` if the item was issued after `date`: a line booked on `date`
    /// cannot pay it.
    pub(crate) fn issued_after(&self, date: NaiveDate) -> bool {
        i64::from(self.issued_and_offer & !OFFERS_DISCOUNT) > i64::from(date.num_days_from_ce())
    }

    /// The invoice row.
    pub(crate) fn row(&self) -> u32 {
        self.key as u32
    }

    fn due(&self) -> u64 {
        self.key >> 32
    }
}

/// An item's issue day, clamped to the 31 bits a row keeps (days before the
/// common era count as day 0: such an item is issued before any line), and
/// its discount flag.
fn issued_and_offer(item: &OpenInvoice) -> u32 {
    let day = u32::try_from(item.document_date.num_days_from_ce()).unwrap_or(0).min(!OFFERS_DISCOUNT);
    if item.discounts.is_empty() { day } else { day | OFFERS_DISCOUNT }
}

/// The rows grouped by customer, oldest first (due date, number, id).
pub(crate) struct Grouped {
    /// Invoice row → dense customer.
    pub(crate) customer_of: Vec<u32>,
    /// Customers not in the directory, numbered after it in order of their first row.
    pub(crate) guests: Vec<CustomerId>,
    /// Dense customer → the start of its rows in `rows` (one more entry than customers).
    starts: Vec<u32>,
    rows: Vec<OpenRow>,
}

impl Grouped {
    /// A counting sort of the rows by dense customer (directory customers keep
    /// their entry as dense number), then each customer's few rows sorted by
    /// due day and row, ties on the day broken by document number and id.
    pub(crate) fn build(items: &[OpenInvoice], directory_ids: &DenseIds) -> Self {
        let base = directory_ids.len();
        let mut guest_ids = DenseIds::with_capacity(16);
        let mut guests = Vec::new();
        let mut customer_of = Vec::with_capacity(items.len());
        let mut starts = vec![0u32; base as usize + 1];
        for item in items {
            let id = item.customer.as_uuid().as_u128();
            let dense = directory_ids.get(id).unwrap_or_else(|| {
                let (g, new) = guest_ids.insert(id);
                if new {
                    guests.push(item.customer);
                    starts.push(0);
                }
                base + g
            });
            customer_of.push(dense);
            if let Some(count) = starts.get_mut(dense as usize + 1) {
                *count += 1;
            }
        }
        for c in 1..starts.len() {
            starts[c] += starts[c - 1];
        }
        // Each row straight into its customer's range (the items are read in
        // order, the writes land in a few places per customer), then each
        // customer's few rows sorted.
        let empty = OpenRow { key: 0, open: 0, currency: Currency::EUR, issued_and_offer: 0 };
        let mut rows = vec![empty; items.len()];
        let mut fill = starts.clone();
        for (row, (item, &dense)) in items.iter().zip(&customer_of).enumerate() {
            // Order-preserving: i32::MIN becomes 0.
            let due = (item.due_date.num_days_from_ce() as u32) ^ 0x8000_0000;
            if let Some(at) = fill.get_mut(dense as usize)
                && let Some(slot) = rows.get_mut(*at as usize)
            {
                *slot = OpenRow {
                    key: (u64::from(due) << 32) | row as u64,
                    open: item.open_amount.minor(),
                    currency: item.currency(),
                    issued_and_offer: issued_and_offer(item),
                };
                *at += 1;
            }
        }
        for pair in starts.windows(2) {
            if let Some(group) = rows.get_mut(pair[0] as usize..pair[1] as usize)
                && group.len() > 1
            {
                group.sort_unstable_by_key(|r| r.key);
                break_due_ties(items, group);
            }
        }
        Grouped { customer_of, guests, starts, rows }
    }

    /// A customer's open rows, oldest first.
    pub(crate) fn items_of(&self, customer: u32) -> &[OpenRow] {
        let c = customer as usize;
        match (self.starts.get(c), self.starts.get(c + 1)) {
            (Some(&a), Some(&b)) => self.rows.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Rows of one customer due the same day go by document number, then id.
fn break_due_ties(items: &[OpenInvoice], rows: &mut [OpenRow]) {
    let mut a = 0;
    while a < rows.len() {
        let due = rows[a].due();
        let b = a + rows[a..].iter().take_while(|r| r.due() == due).count();
        if b - a > 1 {
            rows[a..b].sort_unstable_by(|x, y| match (items.get(x.row() as usize), items.get(y.row() as usize)) {
                (Some(x), Some(y)) => x.number.cmp(&y.number).then_with(|| x.invoice.cmp(&y.invoice)),
                _ => x.key.cmp(&y.key),
            });
        }
        a = b;
    }
}

#[cfg(test)]
mod tests {
    use ar_core::{InvoiceId, Money};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;

    fn items(rows: &[(u8, u8, u8, u8)]) -> Vec<OpenInvoice> {
        let day = |d: u8| NaiveDate::from_ymd_opt(2024, 1, 1 + u32::from(d % 28)).unwrap_or_default();
        rows.iter()
            .enumerate()
            .map(|(i, &(customer, due, number, currency))| {
                let cur = if currency % 2 == 0 { Currency::EUR } else { Currency::USD };
                let open = Money::from_minor(100 + i as i64, cur).unwrap_or_else(|_| Money::zero(cur));
                // Invoice ids descend, so an id tie-break differs from row order.
                let id = InvoiceId::from_u128(1_000 - i as u128);
                OpenInvoice::new(
                    id,
                    CustomerId::from_u128(u128::from(customer % 9)),
                    format!("N{}", number % 4),
                    open,
                    day(0),
                    day(due),
                )
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Every customer's rows come out exactly as a plain sort by (due date,
        /// number, id) of that customer's rows; directory customers keep their
        /// entry as dense number and the others follow in order of first row.
        #[test]
        fn grouping_equals_a_sort_per_customer(
            rows in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()), 0..120),
            in_directory in prop::collection::vec(any::<bool>(), 9),
        ) {
            let items = items(&rows);
            let mut directory_ids = DenseIds::with_capacity(4);
            let directory: Vec<u128> = (0..9u128).filter(|c| in_directory[*c as usize]).collect();
            for c in &directory {
                directory_ids.insert(*c);
            }
            let grouped = Grouped::build(&items, &directory_ids);
            let mut customers: Vec<u128> = directory.clone();
            for item in &items {
                let id = item.customer.as_uuid().as_u128();
                if !customers.contains(&id) {
                    customers.push(id);
                }
            }
            prop_assert_eq!(grouped.guests.len(), customers.len() - directory.len());
            for (dense, id) in customers.iter().enumerate() {
                let mut want: Vec<u32> = (0..items.len() as u32)
                    .filter(|r| items[*r as usize].customer.as_uuid().as_u128() == *id)
                    .collect();
                want.sort_by(|a, b| {
                    let (x, y) = (&items[*a as usize], &items[*b as usize]);
                    (x.due_date, &x.number, x.invoice).cmp(&(y.due_date, &y.number, y.invoice))
                });
                let got: Vec<u32> = grouped.items_of(dense as u32).iter().map(OpenRow::row).collect();
                prop_assert_eq!(&got, &want);
                for r in grouped.items_of(dense as u32) {
                    let item = &items[r.row() as usize];
                    prop_assert_eq!(grouped.customer_of[r.row() as usize], dense as u32);
                    prop_assert_eq!(r.open, item.open_amount.minor());
                    prop_assert_eq!(r.currency, item.currency());
                    prop_assert_eq!(r.offers_discount(), !item.discounts.is_empty());
                    prop_assert_eq!(r.issued_after(item.document_date), false);
                    prop_assert_eq!(r.issued_after(item.document_date - chrono::Days::new(1)), true);
                }
            }
            prop_assert!(grouped.items_of(customers.len() as u32).is_empty());
        }
    }

    #[test]
    fn a_row_stays_24_bytes() {
        assert_eq!(std::mem::size_of::<OpenRow>(), 24);
    }
}
