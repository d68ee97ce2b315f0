//! [`OpenInvoice`]: one open receivable as the matcher sees it (a host row today,
//! the ledger's open-items query later).

use std::sync::Arc;

use ar_core::{Currency, CustomerId, DiscountOffer, InvoiceId, Money};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An invoice (or debit memo) with an amount still open.
///
/// ```
/// use ar_reconcile::matching::OpenInvoice;
/// use ar_core::{Currency, CustomerId, DiscountOffer, InvoiceId, Money};
/// use chrono::NaiveDate;
/// use rust_decimal_macros::dec;
/// let day = |d| NaiveDate::from_ymd_opt(2024, 3, d).ok_or("bad date");
/// let invoice = OpenInvoice::new(
///     InvoiceId::from_u128(1),
///     CustomerId::from_u128(7),
///     "INV-00042",
///     Money::new(dec!(100.00), Currency::EUR)?,
///     day(1)?,
///     day(31)?,
/// )
/// .with_discount(DiscountOffer { until: day(10)?, amount: Money::new(dec!(2.00), Currency::EUR)? });
/// assert_eq!(invoice.currency(), Currency::EUR);
/// assert_eq!(invoice.discount_on(day(10)?, 0), Some(invoice.discounts[0].amount));
/// assert_eq!(invoice.discount_on(day(11)?, 0), None);
/// assert!(invoice.discount_on(day(11)?, 1).is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenInvoice {
    /// The invoice.
    pub invoice: InvoiceId,
    /// The customer who owes it.
    pub customer: CustomerId,
    /// The document number as issued (`INV-00042`), shared with the proposals
    /// and evidence that name it.
    pub number: Arc<str>,
    /// The document date.
    pub document_date: NaiveDate,
    /// The due date.
    pub due_date: NaiveDate,
    /// The amount still open; positive.
    pub open_amount: Money,
    /// Early-payment discounts that may still be taken, each until a date
    /// (inclusive). The amount is what comes off the open amount.
    pub discounts: Vec<DiscountOffer>,
}

impl OpenInvoice {
    /// An open invoice without discount offers.
    pub fn new(
        invoice: InvoiceId,
        customer: CustomerId,
        number: impl Into<Arc<str>>,
        open_amount: Money,
        document_date: NaiveDate,
        due_date: NaiveDate,
    ) -> Self {
        OpenInvoice {
            invoice,
            customer,
            number: number.into(),
            document_date,
            due_date,
            open_amount,
            discounts: Vec::new(),
        }
    }

    /// Adds an early-payment discount offer (builder style).
    pub fn with_discount(mut self, offer: DiscountOffer) -> Self {
        self.discounts.push(offer);
        self
    }

    /// The invoice currency.
    pub fn currency(&self) -> Currency {
        self.open_amount.currency()
    }

    /// The largest discount still available on `date`, with `grace_days` after
    /// each offer's last day.
    pub fn discount_on(&self, date: NaiveDate, grace_days: u32) -> Option<Money> {
        self.discounts
            .iter()
            .filter(|d| date <= d.until.checked_add_days(chrono::Days::new(u64::from(grace_days))).unwrap_or(d.until))
            .map(|d| d.amount)
            .max_by_key(|m| m.minor())
    }
}
