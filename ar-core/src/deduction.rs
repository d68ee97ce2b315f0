//! Deductions and disputes.

use serde::{Deserialize, Serialize};

use crate::{CreditMemoId, FreeText, InvoiceId, PaymentId};

/// Why a customer took a deduction.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DeductionReason {
    /// The price billed differs from the price agreed.
    Pricing,
    /// Fewer goods arrived than billed.
    Shortage,
    /// Goods arrived damaged.
    Damage,
    /// Goods were returned.
    Returns,
    /// A promotion or trade allowance.
    Promotion,
    /// Freight charges disputed.
    Freight,
    /// Tax charged in error.
    Tax,
    /// A deduction the customer was not entitled to take.
    Unauthorized,
    /// Another reason, with the host's code.
    Other(FreeText),
}

/// Where a deduction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DeductionStatus {
    /// Taken, not yet looked at.
    Open,
    /// Being researched.
    UnderReview,
    /// Valid: resolved by a credit memo.
    Valid,
    /// Invalid: rebilled as a debit memo or repaid.
    Invalid,
    /// Written off.
    WrittenOff,
    /// Undone together with the application that opened it.
    Reversed,
}

/// How a deduction is resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DeductionResolution {
    /// The customer was right: a credit memo with this id and number clears it.
    Valid {
        /// The credit memo's id.
        credit_memo: CreditMemoId,
        /// Its human number.
        number: String,
    },
    /// The customer was wrong: rebilled as a debit memo with this id and number
    /// (due on the resolution date plus the customer's terms).
    Rebill {
        /// The debit memo's id.
        debit_memo: InvoiceId,
        /// Its human number.
        number: String,
    },
    /// The customer was wrong and paid it back from this payment's unapplied cash.
    Repaid {
        /// The payment.
        payment: PaymentId,
    },
    /// Written off, with a reason code.
    WriteOff {
        /// The reason code.
        reason: FreeText,
    },
}

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DisputeStatus {
    /// The amount is held out of collection.
    Open,
    /// Resolved.
    Resolved,
}

/// How a dispute ends.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DisputeResolution {
    /// The customer withdrew it or it was rejected: the amount is collectible again.
    Rejected,
    /// The customer was right: a credit memo against the invoice for the disputed amount.
    Credited {
        /// The credit memo's id.
        credit_memo: CreditMemoId,
        /// Its human number.
        number: String,
    },
}
