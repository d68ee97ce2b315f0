//! Commands: what a host asks the ledger to do.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{
    Actor, ApplicationId, ApplicationPolicy, CashSource, CommandId, CreditMemoId, CustomerId, DeductionId,
    DeductionResolution, DepositId, Discount, DisputeId, DisputeResolution, DocumentLine, FreeText, InvoiceId, Money,
    PaymentId, PaymentMethod, PaymentTerms, RefundId, Rounding, Target, TaxRounding,
};

/// A command: an idempotency key, the date it takes effect, who asks, and what.
///
/// Executing the same command again returns the same events and changes nothing;
/// the same id with a different command is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Command {
    /// The idempotency key, chosen by the host.
    pub id: CommandId,
    /// The date the command takes effect (the engine reads no clock).
    pub effective_date: NaiveDate,
    /// Who asks.
    pub actor: Actor,
    /// What to do.
    pub action: Action,
}

/// What a command does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Action {
    /// Opens a customer account.
    RegisterCustomer(RegisterCustomer),
    /// Changes a customer's default payment terms.
    SetTerms {
        /// The customer.
        customer: CustomerId,
        /// The new terms.
        terms: PaymentTerms,
    },
    /// Sets (or with `None`, removes) a customer's credit limit.
    SetCreditLimit {
        /// The customer.
        customer: CustomerId,
        /// The new limit.
        limit: Option<Money>,
    },
    /// Raises the limit by `amount` until `expires` (inclusive).
    GrantTemporaryCredit {
        /// The customer.
        customer: CustomerId,
        /// The increase.
        amount: Money,
        /// The last day it counts.
        expires: NaiveDate,
    },
    /// Puts a customer on manual credit hold.
    PlaceHold {
        /// The customer.
        customer: CustomerId,
        /// Why.
        reason: FreeText,
    },
    /// Takes a customer off manual hold.
    ReleaseHold {
        /// The customer.
        customer: CustomerId,
    },
    /// Issues an invoice or a debit memo.
    IssueInvoice(IssueInvoice),
    /// Issues a credit memo, against an invoice or on account.
    IssueCreditMemo(IssueCreditMemo),
    /// Voids an invoice nothing has been applied to.
    VoidInvoice {
        /// The invoice.
        invoice: InvoiceId,
        /// Why.
        reason: FreeText,
    },
    /// Records a payment received.
    ReceivePayment(ReceivePayment),
    /// Applies a payment's or a credit memo's unapplied amount to invoices.
    ApplyCash(ApplyCash),
    /// Reverses an application, restoring the balances it changed.
    Unapply {
        /// The application.
        application: ApplicationId,
    },
    /// Pays back unapplied cash or credit to the customer.
    Refund {
        /// The refund's id.
        refund: RefundId,
        /// Whose unapplied amount.
        source: CashSource,
        /// How much.
        amount: Money,
    },
    /// Groups payments into a bank deposit.
    RecordDeposit {
        /// The deposit's id.
        deposit: DepositId,
        /// The bank account it goes to.
        bank_account: FreeText,
        /// The payments, all in one currency, none deposited before.
        payments: Vec<PaymentId>,
    },
    /// Writes off (part of) an invoice's open balance, e.g. as bad debt.
    WriteOff {
        /// The invoice.
        invoice: InvoiceId,
        /// How much.
        amount: Money,
        /// The reason code.
        reason: FreeText,
    },
    /// Starts researching a deduction.
    ReviewDeduction {
        /// The deduction.
        deduction: DeductionId,
    },
    /// Resolves a deduction.
    ResolveDeduction {
        /// The deduction.
        deduction: DeductionId,
        /// How.
        resolution: DeductionResolution,
    },
    /// Holds all or part of an invoice out of collection.
    OpenDispute {
        /// The dispute's id.
        dispute: DisputeId,
        /// The invoice.
        invoice: InvoiceId,
        /// The amount disputed (at most the open amount not already disputed).
        amount: Money,
        /// Why.
        reason: FreeText,
    },
    /// Resolves a dispute.
    ResolveDispute {
        /// The dispute.
        dispute: DisputeId,
        /// How.
        resolution: DisputeResolution,
    },
}

/// Opens a customer account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegisterCustomer {
    /// The customer's id.
    pub customer: CustomerId,
    /// The name.
    pub name: String,
    /// The account currency: every document and payment of the customer is in it.
    pub currency: crate::Currency,
    /// Default payment terms.
    pub terms: PaymentTerms,
    /// The credit limit, if any.
    pub credit_limit: Option<Money>,
    /// The collector responsible, if any.
    pub collector: Option<String>,
}

/// What a debit memo is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DebitReason {
    /// A fee (dunning fee, late fee).
    Fee,
    /// Late interest.
    Interest,
    /// A deduction found invalid and billed again.
    RebilledDeduction(DeductionId),
    /// Anything else, with the host's code.
    Other(FreeText),
}

/// Invoice or debit memo.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum InvoiceKind {
    /// An invoice for goods or services.
    #[default]
    Invoice,
    /// A debit memo.
    DebitMemo(DebitReason),
}

/// Issues an invoice or a debit memo.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IssueInvoice {
    /// The document's id.
    pub invoice: InvoiceId,
    /// The host's human number, unique within the ledger.
    pub number: String,
    /// The customer.
    pub customer: CustomerId,
    /// Invoice or debit memo.
    pub kind: InvoiceKind,
    /// The document date (terms count from it).
    pub document_date: NaiveDate,
    /// The lines.
    pub lines: Vec<DocumentLine>,
    /// A discount on the whole document.
    pub discount: Option<Discount>,
    /// Terms for this document instead of the customer's.
    pub terms: Option<PaymentTerms>,
    /// Where tax is rounded.
    pub tax_rounding: TaxRounding,
    /// How amounts are rounded.
    pub rounding: Rounding,
}

/// Issues a credit memo.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IssueCreditMemo {
    /// The credit memo's id.
    pub credit_memo: CreditMemoId,
    /// The host's human number, unique within the ledger.
    pub number: String,
    /// The customer.
    pub customer: CustomerId,
    /// The document date.
    pub document_date: NaiveDate,
    /// The lines credited.
    pub lines: Vec<DocumentLine>,
    /// Applied at once to this invoice (up to its open amount; any excess stays on
    /// account); `None` leaves the whole credit on account.
    pub against: Option<InvoiceId>,
    /// Why.
    pub reason: FreeText,
    /// Where tax is rounded.
    pub tax_rounding: TaxRounding,
    /// How amounts are rounded.
    pub rounding: Rounding,
}

/// Records a payment received.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReceivePayment {
    /// The payment's id.
    pub payment: PaymentId,
    /// Who paid.
    pub customer: CustomerId,
    /// How much (positive, at the currency's scale, in the customer's currency).
    pub amount: Money,
    /// The date received (discount windows are judged on it).
    pub received: NaiveDate,
    /// How.
    pub method: PaymentMethod,
    /// The payer's reference.
    pub payer_reference: FreeText,
    /// Remittance text.
    pub remittance: FreeText,
    /// The deposit batch, if the host already knows it.
    pub deposit: Option<DepositId>,
}

/// Applies unapplied cash or credit to invoices.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApplyCash {
    /// The application's id (what an unapply names).
    pub application: ApplicationId,
    /// Where the money comes from.
    pub source: CashSource,
    /// How much at most; `None` applies all that is unapplied.
    pub amount: Option<Money>,
    /// Which invoices, in what order.
    pub target: Target,
    /// Discounts, tolerances and short payments.
    pub policy: ApplicationPolicy,
}
