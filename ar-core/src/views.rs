//! What the ledger answers: balances, open items, histories.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{
    ApplicationId, CashSource, CreditMemoId, CustomerId, DeductionId, DeductionReason, DeductionStatus, DiscountOffer,
    InvoiceId, InvoiceKind, Money, PaymentId,
};

/// A customer's receivable position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerBalance {
    /// The customer.
    pub customer: CustomerId,
    /// Open invoices and debit memos.
    pub open_invoices: Money,
    /// Of which disputed.
    pub disputed: Money,
    /// Open deductions.
    pub open_deductions: Money,
    /// Unapplied cash.
    pub unapplied_cash: Money,
    /// Unapplied credit memos.
    pub unapplied_credit: Money,
    /// `open_invoices + open_deductions − unapplied_cash − unapplied_credit`.
    pub balance: Money,
}

/// What an open item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OpenItemKind {
    /// An invoice.
    Invoice,
    /// A debit memo.
    DebitMemo,
    /// An unapplied credit memo (negative).
    CreditMemo,
    /// Unapplied cash (negative).
    UnappliedCash,
    /// An open deduction.
    Deduction,
}

/// The record behind an open item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DocumentRef {
    /// An invoice or debit memo.
    Invoice(InvoiceId),
    /// A credit memo.
    CreditMemo(CreditMemoId),
    /// A payment.
    Payment(PaymentId),
    /// A deduction.
    Deduction(DeductionId),
}

/// One installment of an open item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenInstallment {
    /// 1-based.
    pub number: u16,
    /// Due date.
    pub due_date: NaiveDate,
    /// Amount scheduled.
    pub amount: Money,
    /// Amount still open.
    pub open: Money,
    /// Early-payment discounts of the schedule, listed while nothing has been
    /// applied to the installment (the ledger takes a discount only on an
    /// untouched installment, and not while the invoice is disputed).
    pub discounts: Vec<DiscountOffer>,
}

/// One open item: an open invoice or debit memo, an open deduction, or unapplied
/// cash or credit (negative).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenItem {
    /// The customer.
    pub customer: CustomerId,
    /// The record.
    pub document: DocumentRef,
    /// The human number (for cash: the payer's reference, or the payment id).
    pub number: String,
    /// What it is.
    pub kind: OpenItemKind,
    /// Document (or receipt) date.
    pub document_date: NaiveDate,
    /// Due date of the oldest open installment (the document date for cash and credit).
    pub due_date: NaiveDate,
    /// Original amount (signed like `open`).
    pub original: Money,
    /// Open amount: positive for what the customer owes, negative for cash and credit.
    pub open: Money,
    /// Of the open amount, how much is disputed.
    pub disputed: Money,
    /// The schedule with each installment's open amount (invoices only).
    pub installments: Vec<OpenInstallment>,
}

/// Where an invoice stands, derived from the ledger; overdue is asked with a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum InvoiceStatus {
    /// Nothing applied.
    Open,
    /// Something applied, something open.
    PartiallyPaid,
    /// Settled, mostly by cash.
    Paid,
    /// Settled wholly by credit memos.
    Credited,
    /// Settled with no cash or credit: written off.
    WrittenOff,
    /// Voided.
    Void,
}

/// An invoice's amounts and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceView {
    /// The invoice.
    pub invoice: InvoiceId,
    /// Its number.
    pub number: String,
    /// The customer.
    pub customer: CustomerId,
    /// Invoice or debit memo.
    pub kind: InvoiceKind,
    /// Document date.
    pub document_date: NaiveDate,
    /// Total.
    pub total: Money,
    /// Cash applied.
    pub cash: Money,
    /// Credit memos applied.
    pub credited: Money,
    /// Discounts taken.
    pub discounted: Money,
    /// Written off.
    pub written_off: Money,
    /// Moved to deductions.
    pub deducted: Money,
    /// Disputed.
    pub disputed: Money,
    /// `total − cash − credited − discounted − written_off − deducted`.
    pub open: Money,
    /// Status.
    pub status: InvoiceStatus,
    /// Installments with their open amounts.
    pub installments: Vec<OpenInstallment>,
}

impl InvoiceView {
    /// Days past due of the oldest open installment on `as_of` (none if nothing is past due).
    pub fn days_overdue(&self, as_of: NaiveDate) -> Option<i64> {
        let oldest = self.installments.iter().find(|i| i.open.is_positive())?;
        let days = (as_of - oldest.due_date).num_days();
        (days > 0).then_some(days)
    }
}

/// One application that touched an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The application.
    pub application: ApplicationId,
    /// Its effective date.
    pub date: NaiveDate,
    /// Where the money came from.
    pub source: CashSource,
    /// Cash or credit applied to this invoice.
    pub cash: Money,
    /// Discount taken.
    pub discount: Money,
    /// Written off.
    pub write_off: Money,
    /// Moved to a deduction.
    pub deduction: Money,
    /// Whether it has been reversed since.
    pub reversed: bool,
}

/// Unapplied cash or credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unapplied {
    /// Where.
    pub source: CashSource,
    /// Received or issued on.
    pub date: NaiveDate,
    /// How much is unapplied (positive).
    pub amount: Money,
}

/// A deduction and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeductionView {
    /// The deduction.
    pub deduction: DeductionId,
    /// The customer.
    pub customer: CustomerId,
    /// The invoice short-paid.
    pub invoice: InvoiceId,
    /// Its number.
    pub invoice_number: String,
    /// How much.
    pub amount: Money,
    /// Why.
    pub reason: DeductionReason,
    /// Status.
    pub status: DeductionStatus,
    /// When it was taken.
    pub opened: NaiveDate,
}
