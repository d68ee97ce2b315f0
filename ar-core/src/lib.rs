//! # ar-core: the receivables ledger
//!
//! A pure accounts-receivable engine: commands in, events out.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod calendar;
mod currency;
mod document;
mod ids;
mod money;
mod terms;

pub use calendar::{BusinessCalendar, Roll};
pub use currency::{Currency, UnknownCurrency};
pub use document::{
    compute_totals, Discount, DocumentError, DocumentLine, DocumentTotals, LineTotal, TaxRate, TaxRounding, TaxTotal,
};
pub use ids::{
    ApplicationId, CommandId, CreditMemoId, CustomerId, DeductionId, DepositId, DisputeId, InvoiceId, PaymentId,
    RefundId,
};
pub use money::{allocate_minor, Money, MoneyError, Rounding, MAX_MINOR_UNITS};
pub use terms::{
    DiscountBase, DiscountOffer, DiscountRate, DiscountTier, DueRule, Installment, InstallmentRule, PaymentTerms,
    Portion, TermsError,
};
