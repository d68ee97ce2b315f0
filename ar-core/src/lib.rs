//! # ar-core: the receivables ledger
//!
//! A pure accounts-receivable engine: the host sends [`Command`]s, the [`Ledger`]
//! decides, returns [`Event`]s for the host to persist, and folds them into its
//! state. Replaying the events rebuilds the same ledger. The engine does no I/O,
//! reads no clock and makes up no ids: dates and ids come in with the commands.
//!
//! ## Map of the crate
//!
//! - Money: [`Currency`] (ISO 4217 with minor units), [`Money`] (exact, checked),
//!   [`Rounding`] (the named rounding point), [`allocate_minor`] (largest remainder).
//! - Ids: [`CustomerId`], [`InvoiceId`], [`PaymentId`], … newtypes over UUIDs.
//! - Terms: [`PaymentTerms`] with installments, [`DueRule`]s and discount tiers,
//!   [`BusinessCalendar`].
//! - Documents: [`DocumentLine`]s, [`compute_totals`] (line and document discounts, taxes).
//! - Payments: [`PaymentMethod`], [`CardRef`] (masked), [`FreeText`] (masks card numbers).
//! - Application: [`ApplicationPolicy`], [`Target`], [`ShortPay`], [`WriteOffTolerance`].
//! - Deductions and disputes: [`DeductionReason`], [`DeductionResolution`], [`DisputeResolution`].
//! - Credit: [`CreditPolicy`], [`Ledger::credit_check`], [`CreditDecision`].
//! - Approvals: [`Actor`], [`ApprovalPolicy`], [`Authority`].
//! - The engine: [`Command`]/[`Action`] in, [`Event`]/[`Change`] out, [`Ledger`],
//!   queries returning [`OpenItem`]s, [`InvoiceView`]s, [`CustomerBalance`]s.
//!
//! ## Invariants
//!
//! - A refused command leaves the ledger exactly as it was.
//! - For every invoice: `open = total − cash − credited − discounted − written_off − deducted ≥ 0`.
//! - For every payment: `amount = applied + refunded + repaid deductions + unapplied`.
//! - Every split adds back to the whole, to the minor unit.
//! - No full card number is kept: every free-text field of a command, event or
//!   view (reasons, descriptions, remittance, a deposit's account) is a
//!   [`FreeText`], masked when built or deserialized. Identifiers that code
//!   matches on (document numbers, customer names, [`UserId`]s, [`Role`]s,
//!   currency and tax codes) stay plain, so hosts must not put card numbers
//!   there; [`FreeText`] says why.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod actor;
mod application;
mod approval;
mod calendar;
mod card;
mod command;
mod credit;
mod currency;
mod deduction;
mod document;
mod error;
mod event;
mod hashing;
mod id_table;
mod ids;
mod ledger;
mod money;
mod payment;
mod terms;
mod views;

pub use actor::{Actor, Role, UserId};
pub use application::{ApplicationPolicy, CashSource, RemittanceLine, Residual, ShortPay, Target, WriteOffTolerance};
pub use approval::{ApprovalPolicy, ApprovalRule, Authority};
pub use calendar::{BusinessCalendar, Roll};
pub use card::{CardError, CardRef, CardScheme, FreeText, mask_card_numbers};
pub use command::{
    Action, ApplyCash, Command, DebitReason, InvoiceKind, IssueCreditMemo, IssueInvoice, ReceivePayment,
    RegisterCustomer,
};
pub use credit::{CreditDecision, CreditPolicy, CreditReason, Exposure};
pub use currency::{Currency, UnknownCurrency};
pub use deduction::{DeductionReason, DeductionResolution, DeductionStatus, DisputeResolution, DisputeStatus};
pub use document::{
    Discount, DocumentError, DocumentLine, DocumentTotals, LineTotal, TaxRate, TaxRounding, TaxTotal, compute_totals,
};
pub use error::{LedgerError, ReplayError};
pub use event::{
    Allocation, CashApplied, Change, CreditLimitSet, CreditMemoIssued, CreditOrigin, DeductionOpened,
    DeductionResolved, DepositRecorded, DisputeOpened, DisputeResolved, Event, HoldPlaced, InvoiceIssued,
    InvoiceVoided, InvoiceWrittenOff, Refunded, TemporaryCreditGranted, TermsSet, WriteOffLine,
};
pub use hashing::IdHasher;
pub use ids::{
    ApplicationId, CommandId, CreditMemoId, CustomerId, DeductionId, DepositId, DisputeId, InvoiceId, PaymentId,
    RefundId,
};
pub use ledger::{Ledger, LedgerConfig, LedgerCounts};
pub use money::{MAX_MINOR_UNITS, Money, MoneyError, Rounding, allocate_minor};
pub use payment::PaymentMethod;
pub use terms::{
    DiscountBase, DiscountOffer, DiscountRate, DiscountTier, DueRule, Installment, InstallmentRule, PaymentTerms,
    Portion, TermsError,
};
pub use views::{
    CustomerBalance, DeductionView, DocumentRef, HistoryEntry, InvoiceStatus, InvoiceView, OpenInstallment, OpenItem,
    OpenItemKind, Unapplied,
};

/// The README's example, compiled and run as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctest;
