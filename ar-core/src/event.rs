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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// A customer account was opened.
    CustomerRegistered(Arc<RegisterCustomer>),
    /// Default terms changed.
    TermsSet {
        /// The customer.
        customer: CustomerId,
        /// The terms.
        terms: PaymentTerms,
    },
    /// The credit limit changed.
    CreditLimitSet {
        /// The customer.
        customer: CustomerId,
        /// The limit (none: no limit).
        limit: Option<Money>,
    },
    /// A temporary increase was granted.
    TemporaryCreditGranted {
        /// The customer.
        customer: CustomerId,
        /// The increase.
        amount: Money,
        /// The last day it counts.
        expires: NaiveDate,
    },
    /// A manual hold was placed.
    HoldPlaced {
        /// The customer.
        customer: CustomerId,
        /// Why.
        reason: FreeText,
    },
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
    InvoiceVoided {
        /// The invoice.
        invoice: InvoiceId,
        /// Why.
        reason: FreeText,
    },
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
    Refunded {
        /// The refund's id.
        refund: RefundId,
        /// Whose unapplied amount.
        source: CashSource,
        /// How much.
        amount: Money,
    },
    /// Payments were grouped into a deposit.
    DepositRecorded {
        /// The deposit.
        deposit: DepositId,
        /// The bank account.
        bank_account: FreeText,
        /// The payments, as given.
        payments: Vec<PaymentId>,
        /// Their sum.
        total: Money,
    },
    /// Part of an invoice was written off.
    InvoiceWrittenOff {
        /// The invoice.
        invoice: InvoiceId,
        /// How much.
        amount: Money,
        /// The reason code.
        reason: FreeText,
    },
    /// A deduction is being researched.
    DeductionReviewStarted {
        /// The deduction.
        deduction: DeductionId,
    },
    /// A deduction was resolved.
    DeductionResolved {
        /// The deduction.
        deduction: DeductionId,
        /// How.
        resolution: DeductionResolution,
        /// Its amount.
        amount: Money,
    },
    /// An invoice amount is held out of collection.
    DisputeOpened {
        /// The dispute.
        dispute: DisputeId,
        /// The invoice.
        invoice: InvoiceId,
        /// The amount.
        amount: Money,
        /// Why.
        reason: FreeText,
    },
    /// A dispute was resolved.
    DisputeResolved {
        /// The dispute.
        dispute: DisputeId,
        /// How.
        resolution: DisputeResolution,
    },
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
