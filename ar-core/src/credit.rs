//! Credit control: limits, exposure, holds, and the credit check.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{FreeText, InvoiceId, Money};

/// How the credit check decides.
///
/// ```
/// use ar_core::CreditPolicy;
/// let policy = CreditPolicy::new().hold_when_overdue_beyond(60).warn_at_percent(80);
/// assert!(policy.include_disputed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CreditPolicy {
    /// Count disputed amounts in exposure. Default: true.
    pub include_disputed: bool,
    /// Hold when any item is more than this many days past due. Default: none.
    pub overdue_hold_days: Option<u32>,
    /// Warn when any item is more than this many days past due. Default: 1.
    pub overdue_warn_days: Option<u32>,
    /// Warn when exposure reaches this percentage of the limit. Default: 90.
    pub warn_percent: u32,
    /// Hold a customer that has no credit limit set. Default: false (approve with a warning).
    pub hold_without_limit: bool,
}

impl Default for CreditPolicy {
    fn default() -> Self {
        CreditPolicy {
            include_disputed: true,
            overdue_hold_days: None,
            overdue_warn_days: Some(1),
            warn_percent: 90,
            hold_without_limit: false,
        }
    }
}

impl CreditPolicy {
    /// The defaults.
    pub fn new() -> Self {
        CreditPolicy::default()
    }
    /// Holds when an item is more than `days` past due.
    pub fn hold_when_overdue_beyond(mut self, days: u32) -> Self {
        self.overdue_hold_days = Some(days);
        self
    }
    /// Warns at `percent` of the limit.
    pub fn warn_at_percent(mut self, percent: u32) -> Self {
        self.warn_percent = percent;
        self
    }
    /// Leaves disputed amounts out of exposure.
    pub fn exclude_disputed(mut self) -> Self {
        self.include_disputed = false;
        self
    }
}

/// What the credit check says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CreditDecision {
    /// Release the order.
    Approve,
    /// Release it, but somebody should look at these.
    ApproveWithWarnings(Vec<CreditReason>),
    /// Hold it, for these reasons.
    Hold(Vec<CreditReason>),
}

impl CreditDecision {
    /// The reasons given (none for a plain approval).
    pub fn reasons(&self) -> &[CreditReason] {
        match self {
            CreditDecision::Approve => &[],
            CreditDecision::ApproveWithWarnings(r) | CreditDecision::Hold(r) => r,
        }
    }
}

/// One reason behind a credit decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CreditReason {
    /// Exposure with the new order exceeds the limit.
    OverLimit {
        /// Exposure including the order.
        exposure: Money,
        /// The limit in force (with temporary increases).
        limit: Money,
        /// By how much.
        over_by: Money,
    },
    /// Exposure reaches the warning share of the limit.
    NearLimit {
        /// Exposure including the order.
        exposure: Money,
        /// The limit in force.
        limit: Money,
    },
    /// An item is past due beyond the policy's days.
    Overdue {
        /// The oldest such invoice.
        invoice: InvoiceId,
        /// Its number.
        number: String,
        /// Days past due on the check's date.
        days: i64,
        /// Its open amount.
        open: Money,
    },
    /// The customer is on manual hold.
    ManualHold {
        /// The reason given when the hold was placed.
        reason: FreeText,
    },
    /// No credit limit is set.
    NoLimit,
}

/// A customer's credit position on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    /// Open invoices and debit memos (disputed amounts per policy) plus open deductions.
    pub open_receivables: Money,
    /// Unapplied cash and credit.
    pub unapplied: Money,
    /// Orders the host passed in.
    pub pending_orders: Money,
    /// `open_receivables − unapplied + pending_orders`.
    pub total: Money,
    /// The limit in force on the date, if any: base limit plus unexpired increases.
    pub limit: Option<Money>,
    /// The date.
    pub as_of: NaiveDate,
}
