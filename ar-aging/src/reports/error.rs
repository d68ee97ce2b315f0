//! What can go wrong while building a report.

use ar_core::{Currency, CustomerId, MoneyError};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::OpenItemError;

/// Why a report could not be built. Variants name the event, document or
/// amounts involved.
///
/// ```
/// use ar_aging::reports::{ActivityStatement, History, ReportError};
/// use ar_core::CustomerId;
/// use chrono::NaiveDate;
/// let history = History::new(&[])?;
/// let day = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("bad date")?;
/// let nobody = CustomerId::from_u128(7);
/// let Err(err) = ActivityStatement::build(&history, nobody, day, day) else { return Err("no error".into()) };
/// assert_eq!(err, ReportError::UnknownCustomer(nobody));
/// assert!(err.to_string().contains("is not in the journal"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The journal is not in sequence order.
    #[error(
        "journal entry {position} has sequence {sequence}, after sequence {previous}: events must be in sequence order"
    )]
    OutOfSequence {
        /// Index of the entry in the slice given.
        position: usize,
        /// Its sequence number.
        sequence: u64,
        /// The sequence number before it.
        previous: u64,
    },
    /// An event names a record no earlier event created.
    #[error("event {sequence} refers to {record}, which no earlier event created")]
    UnknownRecord {
        /// The event.
        sequence: u64,
        /// The record, as "invoice 0000…" or "payment 0000…".
        record: String,
    },
    /// As of a date, the events that count then take more from a document than it
    /// has: a later-dated event that freed the amount was left out by the date
    /// rule, so the journal contradicts itself as of that date.
    #[error("as of {as_of}, event {sequence} takes more from {document} than it has ({detail})")]
    Overdrawn {
        /// The as-of date.
        as_of: NaiveDate,
        /// The event.
        sequence: u64,
        /// The document's number or id.
        document: String,
        /// What does not fit.
        detail: String,
    },
    /// The customer is not in the journal.
    #[error("customer {0} is not in the journal")]
    UnknownCustomer(CustomerId),
    /// A period whose end is before its start, or that starts on the first day
    /// a date can hold.
    #[error("the period {from} to {to} is empty or unbounded")]
    InvalidPeriod {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// An activity statement whose lines do not carry the opening balance to the
    /// closing balance: the journal contradicts itself.
    #[error(
        "statement of customer {customer} does not add up: opening {opening} + activity {activity} \
         is not the closing balance {closing} ({currency})"
    )]
    DoesNotAddUp {
        /// The customer.
        customer: CustomerId,
        /// The currency.
        currency: Currency,
        /// Opening balance.
        opening: Decimal,
        /// Sum of the activity lines.
        activity: Decimal,
        /// Closing balance.
        closing: Decimal,
    },
    /// A dunning procedure or forecast option that cannot be used.
    #[error("invalid report setting: {0}")]
    InvalidSetting(String),
    /// An amount could not be formed (too many decimals, overflow, mixed currencies).
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// The aging engine refused a row.
    #[error(transparent)]
    OpenItem(#[from] OpenItemError),
}
