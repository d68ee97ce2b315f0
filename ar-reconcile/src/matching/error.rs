//! [`MatchError`]: open items or a directory the matcher cannot index.

use ar_core::{CustomerId, InvoiceId, Money};

/// Why a matcher could not be built from the host's rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MatchError {
    /// The same invoice is listed twice among the open items.
    #[error("invoice {number} ({invoice}) is listed twice among the open items")]
    DuplicateInvoice {
        /// The invoice.
        invoice: InvoiceId,
        /// Its document number.
        number: String,
    },
    /// An open item with nothing (or less than nothing) open.
    #[error("invoice {number} ({invoice}) has an open amount of {open}: only positive open amounts can be matched")]
    NotOpen {
        /// The invoice.
        invoice: InvoiceId,
        /// Its document number.
        number: String,
        /// The open amount given.
        open: Money,
    },
    /// A discount offer in another currency, not positive, or not smaller than
    /// the open amount.
    #[error("invoice {number} ({invoice}): a discount of {discount} cannot apply to an open amount of {open}")]
    BadDiscount {
        /// The invoice.
        invoice: InvoiceId,
        /// Its document number.
        number: String,
        /// The discount offered.
        discount: Money,
        /// The open amount.
        open: Money,
    },
    /// The same customer is listed twice in the directory.
    #[error("customer {customer} is listed twice in the customer directory")]
    DuplicateCustomer {
        /// The customer.
        customer: CustomerId,
    },
    /// One account is listed for two customers, so a payment from it cannot be
    /// attributed.
    #[error("account {account} is listed for two customers, {first} and {second}")]
    AccountConflict {
        /// The account as given for the second customer.
        account: String,
        /// The first customer it was listed for.
        first: CustomerId,
        /// The second customer it was listed for.
        second: CustomerId,
    },
    /// More rows than the index can address.
    #[error("too many {what} to index: {count} (at most 4,294,967,295)")]
    TooMany {
        /// What there are too many of.
        what: &'static str,
        /// How many were given.
        count: usize,
    },
}
