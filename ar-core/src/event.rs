//! Events: the record the host persists. Replaying them rebuilds the ledger.
//!
//! See [`Event`] for the persistence contract.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{
    Actor, ApplicationId, CashSource, CommandId, CreditMemoId, Currency, CustomerId, DeductionId, DeductionReason,
    DeductionResolution, DepositId, Discount, DisputeId, DisputeResolution, DocumentLine, DocumentTotals, FreeText,
    Installment, InvoiceId, InvoiceKind, Money, PaymentId, PaymentTerms, RefundId, RegisterCustomer,
    command::ReceivePayment,
};

/// One recorded fact, with the command that caused it.
///
/// # Persistence contract
///
/// Every successful command yields one or more [`Event`]s. Each carries a gapless
/// `sequence` (from 0), the command's id, effective date and actor, a fingerprint
/// of the command (for idempotency after a replay), and a [`Change`]. Events are
/// serialized with serde; in JSON, `Change` is internally tagged by `"type"` in
/// snake case, amounts are `{"amount": "10.00", "currency": "USD"}` with the amount
/// as a decimal string at the currency's scale, dates are ISO `YYYY-MM-DD`, ids are
/// hyphenated UUIDs. Events carry everything needed to rebuild state: computed
/// totals, schedules and allocations are recorded, never recomputed on replay, so a
/// later change to rounding code cannot change history. Records are never edited:
/// corrections are new events (reversals, credit memos, write-offs).
///
/// The fingerprint is a folded-multiply hash of the command's fields (their
/// `Hash` stream, integers as little-endian words); it is stable within a major
/// version of `ar-core`. It catches a host that reuses a command id by mistake
/// (two different commands share a fingerprint with odds of about 2⁻⁶⁴); it is
/// no defence against someone who crafts a command to collide with a stored
/// one, which a non-cryptographic 64-bit hash cannot be. Hosts that take
/// commands from parties they do not trust authenticate them before `execute`. A host must replay events with the same
/// [`LedgerConfig`](crate::LedgerConfig) it executed them with (approval and credit
/// policies are not part of the stream).
///
/// ```
/// use ar_core::*;
/// use chrono::NaiveDate;
/// let mut ledger = Ledger::new(LedgerConfig::new());
/// let events = ledger.execute(Command {
///     id: CommandId::from_u128(1),
///     effective_date: NaiveDate::from_ymd_opt(2026, 1, 5).ok_or("date")?,
///     actor: Actor::new("ann", "clerk"),
///     action: Action::PlaceHold { customer: CustomerId::from_u128(9), reason: "x".into() },
/// });
/// assert!(matches!(events, Err(LedgerError::UnknownCustomer(_))));
/// let events = ledger.execute(Command {
///     id: CommandId::from_u128(2),
///     effective_date: NaiveDate::from_ymd_opt(2026, 1, 5).ok_or("date")?,
///     actor: Actor::new("ann", "clerk"),
///     action: Action::RegisterCustomer(RegisterCustomer {
///         customer: CustomerId::from_u128(9), name: "Nine".into(), currency: Currency::EUR,
///         terms: PaymentTerms::net_30(), credit_limit: None, collector: None,
///     }),
/// })?;
/// let json = serde_json::to_value(&events[0])?;
/// assert_eq!(json["sequence"], 0);
/// assert_eq!(json["effective_date"], "2026-01-05");
/// assert_eq!(json["command"], "00000000-0000-0000-0000-000000000002");
/// assert_eq!(json["change"]["type"], "customer_registered");
/// assert_eq!(json["change"]["currency"], "EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the ledger's history, gapless from 0.
    pub sequence: u64,
    /// The command that caused it.
    pub command: CommandId,
    /// A fingerprint of that command, so a retried command is recognised after a replay.
    pub fingerprint: u64,
    /// The command's effective date.
    pub effective_date: NaiveDate,
    /// Who acted.
    pub actor: Actor,
    /// What changed.
    pub change: Change,
}

/// What changed.
///
/// A change with more than an id to carry holds it behind an `Arc`, so that
/// every [`Event`] in a journal is 80 bytes rather than the size of the largest
/// change; in JSON each is still one flat object beside its `"type"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// A customer account was opened.
    CustomerRegistered(Arc<RegisterCustomer>),
    /// Default terms changed.
    TermsSet(Arc<TermsSet>),
    /// The credit limit changed.
    CreditLimitSet(Arc<CreditLimitSet>),
    /// A temporary increase was granted.
    TemporaryCreditGranted(Arc<TemporaryCreditGranted>),
    /// A manual hold was placed.
    HoldPlaced(Arc<HoldPlaced>),
    /// The manual hold was released.
    HoldReleased {
        /// The customer.
        customer: CustomerId,
    },
    /// An invoice or debit memo was issued.
    InvoiceIssued(Arc<InvoiceIssued>),
    /// A credit memo was issued.
    CreditMemoIssued(Arc<CreditMemoIssued>),
    /// An invoice was voided.
    InvoiceVoided(Arc<InvoiceVoided>),
    /// A payment was received.
    PaymentReceived(Arc<ReceivePayment>),
    /// Cash or credit was applied.
    CashApplied(Arc<CashApplied>),
    /// An application was reversed: everything it did is undone.
    ApplicationReversed {
        /// The application.
        application: ApplicationId,
    },
    /// Unapplied cash or credit was refunded.
    Refunded(Arc<Refunded>),
    /// Payments were grouped into a deposit.
    DepositRecorded(Arc<DepositRecorded>),
    /// Part of an invoice was written off.
    InvoiceWrittenOff(Arc<InvoiceWrittenOff>),
    /// A deduction is being researched.
    DeductionReviewStarted {
        /// The deduction.
        deduction: DeductionId,
    },
    /// A deduction was resolved.
    DeductionResolved(Arc<DeductionResolved>),
    /// An invoice amount is held out of collection.
    DisputeOpened(Arc<DisputeOpened>),
    /// A dispute was resolved.
    DisputeResolved(Arc<DisputeResolved>),
}

/// An invoice or debit memo as issued, with its computed totals and schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceIssued {
    /// The document.
    pub invoice: InvoiceId,
    /// Its number.
    pub number: String,
    /// The customer.
    pub customer: CustomerId,
    /// Invoice or debit memo.
    pub kind: InvoiceKind,
    /// The document date.
    pub document_date: NaiveDate,
    /// The currency.
    pub currency: Currency,
    /// The lines as given.
    pub lines: Vec<DocumentLine>,
    /// The document discount as given.
    pub discount: Option<Discount>,
    /// The computed totals.
    pub totals: DocumentTotals,
    /// The terms used (shared with the customer's terms when they were the default).
    pub terms: Arc<PaymentTerms>,
    /// The schedule: amounts add up to the total.
    pub installments: Vec<Installment>,
}

/// Why a credit memo was issued, when the ledger issued it as part of a resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CreditOrigin {
    /// Issued by the host's command.
    Manual,
    /// Resolves a valid deduction.
    Deduction(DeductionId),
    /// Resolves a dispute in the customer's favour.
    Dispute(DisputeId),
}

/// A credit memo as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditMemoIssued {
    /// The credit memo.
    pub credit_memo: CreditMemoId,
    /// Its number.
    pub number: String,
    /// The customer.
    pub customer: CustomerId,
    /// The document date.
    pub document_date: NaiveDate,
    /// The lines.
    pub lines: Vec<DocumentLine>,
    /// The computed totals.
    pub totals: DocumentTotals,
    /// Why.
    pub reason: FreeText,
    /// What caused it.
    pub origin: CreditOrigin,
}

/// One application of cash or credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashApplied {
    /// The application.
    pub application: ApplicationId,
    /// The customer.
    pub customer: CustomerId,
    /// Where the money came from.
    pub source: CashSource,
    /// Per invoice, in the order applied.
    pub allocations: Vec<Allocation>,
    /// Residuals written off within tolerance.
    pub write_offs: Vec<WriteOffLine>,
    /// Short payments turned into deductions.
    pub deductions: Vec<DeductionOpened>,
}

/// Cash and discount applied to one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// The invoice.
    pub invoice: InvoiceId,
    /// Cash (or credit) applied.
    pub cash: Money,
    /// Early-payment discount taken.
    pub discount: Money,
}

/// A residual written off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteOffLine {
    /// The invoice.
    pub invoice: InvoiceId,
    /// How much.
    pub amount: Money,
    /// The reason code.
    pub reason: FreeText,
}

/// A short payment turned into a deduction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeductionOpened {
    /// The deduction.
    pub deduction: DeductionId,
    /// The invoice short-paid.
    pub invoice: InvoiceId,
    /// How much.
    pub amount: Money,
    /// Why.
    pub reason: DeductionReason,
}

/// A customer's new default terms ([`Change::TermsSet`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsSet {
    /// The customer.
    pub customer: CustomerId,
    /// The terms.
    pub terms: PaymentTerms,
}

/// A customer's new credit limit ([`Change::CreditLimitSet`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditLimitSet {
    /// The customer.
    pub customer: CustomerId,
    /// The limit (none: no limit).
    pub limit: Option<Money>,
}

/// A temporary credit increase ([`Change::TemporaryCreditGranted`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryCreditGranted {
    /// The customer.
    pub customer: CustomerId,
    /// The increase.
    pub amount: Money,
    /// The last day it counts.
    pub expires: NaiveDate,
}

/// A manual credit hold ([`Change::HoldPlaced`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldPlaced {
    /// The customer.
    pub customer: CustomerId,
    /// Why.
    pub reason: FreeText,
}

/// A voided invoice ([`Change::InvoiceVoided`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceVoided {
    /// The invoice.
    pub invoice: InvoiceId,
    /// Why.
    pub reason: FreeText,
}

/// A refund of unapplied cash or credit ([`Change::Refunded`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refunded {
    /// The refund's id.
    pub refund: RefundId,
    /// Whose unapplied amount.
    pub source: CashSource,
    /// How much.
    pub amount: Money,
}

/// Payments grouped into a bank deposit ([`Change::DepositRecorded`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositRecorded {
    /// The deposit.
    pub deposit: DepositId,
    /// The bank account.
    pub bank_account: FreeText,
    /// The payments, as given.
    pub payments: Vec<PaymentId>,
    /// Their sum.
    pub total: Money,
}

/// A write-off of part of an invoice ([`Change::InvoiceWrittenOff`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceWrittenOff {
    /// The invoice.
    pub invoice: InvoiceId,
    /// How much.
    pub amount: Money,
    /// The reason code.
    pub reason: FreeText,
}

/// A deduction's resolution ([`Change::DeductionResolved`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeductionResolved {
    /// The deduction.
    pub deduction: DeductionId,
    /// How.
    pub resolution: DeductionResolution,
    /// Its amount.
    pub amount: Money,
}

/// An invoice amount held out of collection ([`Change::DisputeOpened`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeOpened {
    /// The dispute.
    pub dispute: DisputeId,
    /// The invoice.
    pub invoice: InvoiceId,
    /// The amount.
    pub amount: Money,
    /// Why.
    pub reason: FreeText,
}

/// A dispute's resolution ([`Change::DisputeResolved`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeResolved {
    /// The dispute.
    pub dispute: DisputeId,
    /// How.
    pub resolution: DisputeResolution,
}

#[cfg(test)]
mod tests {
    /// A journal holds millions of events: the size every one of them pays.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn an_event_is_80_bytes() {
        assert_eq!(std::mem::size_of::<super::Event>(), 80);
        assert_eq!(std::mem::size_of::<super::Change>(), 24);
    }
}
