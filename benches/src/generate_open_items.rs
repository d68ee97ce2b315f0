//! Seeded generator of realistic open items for the aging benchmarks.
//!
//! The shape, for `customers` customers and `items` items:
//!
//! * customers are picked with [`Rng::skewed`]: a few large accounts, a long tail;
//! * each customer has a home currency (85 % USD, 10 % EUR, 5 % JPY) and 3 % of a
//!   non-USD customer's items are in USD;
//! * document dates are spread over the two years before the as-of date, due
//!   dates are the document date plus 0, 15, 30, 45 or 60 days;
//! * amounts are log-uniform between 10³ and 10⁷ minor units (a decade, then a
//!   uniform mantissa);
//! * about 2 % are credits (credit memos and unapplied cash, negative, due on
//!   their date), 0.5 % deductions, 1 % of everything disputed.
//!
//! The same seed gives the same items on every machine.

use std::io::Write;
use std::path::Path;

use ar_aging::{DocumentKind, DocumentRef, OpenItemError, OpenItemRow, OpenItems, OpenItemsBuilder};
use ar_core::{CreditMemoId, Currency, CustomerId, DeductionId, InvoiceId, PaymentId};
use chrono::{Datelike, Duration, NaiveDate};
use rust_decimal::Decimal;

use crate::rng::Rng;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct OpenItemsSpec {
    /// Number of open items.
    pub items: usize,
    /// Number of customers.
    pub customers: usize,
    /// The generator's seed.
    pub seed: u64,
    /// The as-of date: documents are dated in the two years before it.
    pub as_of: NaiveDate,
}

impl OpenItemsSpec {
    /// `items` items over `customers` customers from `seed`, as of 2025-06-30.
    pub fn new(items: usize, customers: usize, seed: u64) -> Self {
        let as_of = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or(NaiveDate::MIN);
        OpenItemsSpec { items, customers: customers.max(1), seed, as_of }
    }
}

/// The currencies the generator uses, by index.
pub const CURRENCIES: [Currency; 3] = [Currency::USD, Currency::EUR, Currency::JPY];

/// One generated item, compact (24 bytes): ids and numbers derive from its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedItem {
    /// Index into [`GeneratedOpenItems::customers`].
    pub customer: u32,
    /// The document kind.
    pub kind: DocumentKind,
    /// Index into [`CURRENCIES`].
    pub currency: u8,
    /// Disputed?
    pub disputed: bool,
    /// Document date.
    pub document_date: NaiveDate,
    /// Due date.
    pub due_date: NaiveDate,
    /// Signed open amount in minor units.
    pub amount_minor: i64,
}

impl GeneratedItem {
    /// The item's currency.
    pub fn currency(&self) -> Currency {
        CURRENCIES[usize::from(self.currency)]
    }
}

/// The generated items and the customer ids they refer to.
#[derive(Debug, Clone)]
pub struct GeneratedOpenItems {
    /// What was generated.
    pub spec: OpenItemsSpec,
    /// Customer ids, by customer index.
    pub customers: Vec<CustomerId>,
    /// The items, in generation order (customers interleaved).
    pub items: Vec<GeneratedItem>,
}

/// A stable, well-spread id from a tag and an index.
fn id(seed: u64, tag: u64, index: u64) -> u128 {
    // Odd multipliers spread seed, tag and index over all 64 bits before mixing.
    let mixed = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ tag.wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ index.wrapping_mul(0x1656_67B1_9E37_79F9);
    let mut rng = Rng::new(mixed);
    (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64())
}

/// Generates the items of `spec`.
pub fn generate(spec: OpenItemsSpec) -> GeneratedOpenItems {
    let mut rng = Rng::new(spec.seed);
    let customers: Vec<CustomerId> =
        (0..spec.customers as u64).map(|i| CustomerId::from_u128(id(spec.seed, 1, i))).collect();
    let home: Vec<u8> = (0..spec.customers)
        .map(|_| match rng.below(100) {
            0..85 => 0,
            85..95 => 1,
            _ => 2,
        })
        .collect();
    let terms = [0i64, 15, 30, 45, 60];
    let items = (0..spec.items)
        .map(|_| {
            let customer = rng.skewed(spec.customers as u64) as u32;
            let home_currency = home[customer as usize];
            let currency = if home_currency != 0 && rng.chance(3) { 0 } else { home_currency };
            let kind = match rng.below(1000) {
                0..12 => DocumentKind::CreditMemo,
                12..20 => DocumentKind::UnappliedCash,
                20..25 => DocumentKind::Deduction,
                25..75 => DocumentKind::DebitMemo,
                _ => DocumentKind::Invoice,
            };
            let document_date = spec.as_of - Duration::days(rng.range(0, 729));
            let due_date = if kind.is_credit() {
                document_date
            } else {
                document_date + Duration::days(terms[rng.below(5) as usize])
            };
            let decade = rng.range(3, 6) as u32;
            let magnitude = rng.range(10i64.pow(decade), 10i64.pow(decade + 1) - 1);
            let amount_minor = if kind.is_credit() { -magnitude } else { magnitude };
            let disputed = rng.chance(1);
            GeneratedItem { customer, kind, currency, disputed, document_date, due_date, amount_minor }
        })
        .collect();
    GeneratedOpenItems { spec, customers, items }
}

impl GeneratedOpenItems {
    /// The document of item `index`.
    pub fn document(&self, index: usize) -> DocumentRef {
        let uuid = id(self.spec.seed, 2, index as u64);
        match self.items.get(index).map(|i| i.kind) {
            Some(DocumentKind::CreditMemo) => DocumentRef::CreditMemo(CreditMemoId::from_u128(uuid)),
            Some(DocumentKind::UnappliedCash) => DocumentRef::UnappliedCash(PaymentId::from_u128(uuid)),
            Some(DocumentKind::Deduction) => DocumentRef::Deduction(DeductionId::from_u128(uuid)),
            Some(DocumentKind::DebitMemo) => DocumentRef::DebitMemo(InvoiceId::from_u128(uuid)),
            _ => DocumentRef::Invoice(InvoiceId::from_u128(uuid)),
        }
    }

    /// Builds the aging set, pushing the items one by one as a host would.
    pub fn build(&self) -> Result<OpenItems, OpenItemError> {
        let mut builder = OpenItemsBuilder::with_capacity(self.items.len());
        let mut number = String::with_capacity(16);
        for (i, item) in self.items.iter().enumerate() {
            number.clear();
            let _ = std::fmt::Write::write_fmt(&mut number, format_args!("D-{i:08}"));
            let currency = item.currency();
            let row = OpenItemRow::new(
                self.customers[item.customer as usize],
                self.document(i),
                &number,
                currency,
                item.document_date,
                item.due_date,
                Decimal::new(item.amount_minor, currency.minor_units()),
            )
            .disputed(item.disputed);
            builder.push(row)?;
        }
        Ok(builder.build())
    }

    /// Writes `dir/open_items.csv`: customer, document, currency, document_date,
    /// due_date, open_amount_minor (dates ISO 8601, amounts signed minor units).
    pub fn write_csv(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let file = std::fs::File::create(dir.join("open_items.csv"))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        writeln!(out, "customer,document,currency,document_date,due_date,open_amount_minor")?;
        for (i, item) in self.items.iter().enumerate() {
            writeln!(
                out,
                "{},{},{},{},{},{}",
                self.customers[item.customer as usize],
                self.document(i).as_uuid(),
                item.currency(),
                item.document_date,
                item.due_date,
                item.amount_minor
            )?;
        }
        out.flush()
    }

    /// Day number (days from the common era) of a date, as the SQL baseline stores it.
    pub fn day(date: NaiveDate) -> i32 {
        date.num_days_from_ce()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_valid_items() {
        let spec = OpenItemsSpec::new(5_000, 300, 7);
        let (a, b) = (generate(spec), generate(spec));
        assert_eq!(a.items, b.items);
        assert_eq!(a.customers, b.customers);
        assert_ne!(generate(OpenItemsSpec::new(5_000, 300, 8)).items, a.items);
        for item in &a.items {
            assert!(item.due_date >= item.document_date && item.document_date <= spec.as_of);
            assert_eq!(item.kind.is_credit(), item.amount_minor < 0, "{item:?}");
            assert!((1_000..100_000_000).contains(&item.amount_minor.abs()));
        }
        let credits = a.items.iter().filter(|i| i.kind.is_credit()).count();
        assert!((40..200).contains(&credits), "{credits} credits in 5000 items");
        let set = a.build().map_err(|e| e.to_string());
        assert_eq!(set.map(|s| s.len()), Ok(5_000));
    }
}
