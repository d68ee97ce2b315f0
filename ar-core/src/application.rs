//! How cash and credit are applied to open invoices.

use std::hash::{Hash, Hasher};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::hashing::hash_optional_decimal;
use crate::{CreditMemoId, DeductionId, DeductionReason, FreeText, InvoiceId, Money, PaymentId};

/// Where the money applied comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CashSource {
    /// A payment's unapplied cash.
    Payment(PaymentId),
    /// A credit memo's unapplied credit.
    CreditMemo(CreditMemoId),
}

/// Which invoices receive the money, in what order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Target {
    /// The customer's open invoices, oldest due date first (then document date, then
    /// the order issued). The default.
    #[default]
    OldestDueFirst,
    /// Only these invoices, oldest due first.
    OldestDueFirstAmong(Vec<InvoiceId>),
    /// These invoices with these cash amounts: what the customer says it pays
    /// on each (a remittance advice). The cash stands as stated; an
    /// early-payment discount covers only what it leaves open, so paying the
    /// gross amount inside the window takes none. What a named invoice still
    /// has open is a short payment (written off or deducted as the policy
    /// says), even when cash is left unapplied. Cash short of the net amount by
    /// no more than the write-off tolerance still earns the discount, and the
    /// shortfall is written off.
    Specific(Vec<(InvoiceId, Money)>),
    /// Spread over these invoices in proportion to their open amounts (largest
    /// remainder), taken in collection order (oldest due first, whatever order
    /// they are listed in; ties and deduction ids follow that order). Discounts
    /// are taken only when the money settles every named invoice net of its
    /// discount; otherwise none is, and the money is split by open amount.
    ProRata(Vec<InvoiceId>),
    /// Fees and interest debit memos first, then other debit memos and invoices,
    /// oldest due first within each.
    FeesFirst,
    /// A remittance settled line by line: for each invoice the cash, the
    /// discount if the customer states one, and what becomes of the rest (see
    /// [`RemittanceLine`]). The cash stands as stated, as with
    /// [`Target::Specific`]; each line's [`Residual`] overrides the policy's
    /// write-off tolerance and short-pay rule for its invoice, so one
    /// application can write off a few cents on one invoice, open a deduction
    /// on another and leave a third partly open.
    Remittance(Vec<RemittanceLine>),
}

/// One invoice of a [`Target::Remittance`].
///
/// ```
/// use ar_core::{Currency, DeductionId, DeductionReason, InvoiceId, Money, RemittanceLine, Residual};
/// let line = RemittanceLine::new(InvoiceId::from_u128(7), Money::from_minor(9_500, Currency::USD)?)
///     .discount(Money::from_minor(200, Currency::USD)?)
///     .residual(Residual::Deduction { id: DeductionId::from_u128(1), reason: DeductionReason::Pricing });
/// assert_eq!(line.cash.minor(), 9_500);
/// # Ok::<(), ar_core::MoneyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemittanceLine {
    /// The invoice paid.
    pub invoice: InvoiceId,
    /// The cash paid on it: positive, in the customer's currency.
    pub cash: Money,
    /// The early-payment discount the customer took, if it states one. `None`
    /// lets the ledger grant what the cash earns (as [`Target::Specific`]
    /// does). A stated discount (zero included) is taken exactly; it is refused
    /// beyond what the invoice offers on the payment's date, were it settled in
    /// full, under the policy's discount rules. May be left out of JSON.
    #[serde(default)]
    pub discount: Option<Money>,
    /// What becomes of what the cash and discount leave open. May be left
    /// out of JSON (as the policy says).
    #[serde(default)]
    pub residual: Residual,
}

impl RemittanceLine {
    /// `cash` paid on `invoice`; discount and residual as the ledger's rules say.
    pub fn new(invoice: InvoiceId, cash: Money) -> Self {
        RemittanceLine { invoice, cash, discount: None, residual: Residual::AsPolicy }
    }
    /// States the discount taken.
    pub fn discount(mut self, discount: Money) -> Self {
        self.discount = Some(discount);
        self
    }
    /// States what becomes of the residual.
    pub fn residual(mut self, residual: Residual) -> Self {
        self.residual = residual;
        self
    }
}

/// What becomes of what a [`RemittanceLine`] leaves open on its invoice.
/// Nothing happens when nothing is left open.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Residual {
    /// As the application's policy says: written off within the tolerance,
    /// else as its [`ShortPay`] says. The default.
    #[default]
    AsPolicy,
    /// Stays open on the invoice.
    LeaveOpen,
    /// Written off in full, whatever the tolerance, with the policy's
    /// write-off reason. Write-off approvals apply to the amount.
    WriteOff,
    /// Becomes a deduction with this id and reason.
    Deduction {
        /// The deduction's id, supplied by the host.
        id: DeductionId,
        /// Why the customer took it.
        reason: DeductionReason,
    },
}

/// What happens to a short payment's residual beyond the write-off tolerance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ShortPay {
    /// The residual stays open on the invoice. The default.
    #[default]
    LeaveOpen,
    /// The residual of each short invoice becomes a deduction, using these ids in
    /// the order the short invoices are met.
    Deduction {
        /// Ids for the deductions, supplied by the host.
        ids: Vec<DeductionId>,
        /// Why the customer took it.
        reason: DeductionReason,
    },
}

/// A residual small enough to write off: within `absolute` (in the document
/// currency) and within `percent` of the invoice total, where each is given.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WriteOffTolerance {
    /// The largest residual written off, in document currency units (0.05 = 5 cents).
    pub absolute: Option<Decimal>,
    /// The largest residual written off, as a percentage of the invoice total.
    pub percent: Option<Decimal>,
}

/// What `#[derive(Hash)]` wrote, each `Decimal` through `hash_decimal`: every
/// `ApplyCash` fingerprint hashes a tolerance, and `Decimal`'s own hash
/// normalizes out of line on every call.
impl Hash for WriteOffTolerance {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_optional_decimal(self.absolute.as_ref(), state);
        hash_optional_decimal(self.percent.as_ref(), state);
    }
}

/// How an application treats discounts, residuals and short payments.
///
/// A residual (what an invoice the cash reached still has open) is a short
/// payment only when the application uses up the source's money, or when the
/// target states the amount per invoice ([`Target::Specific`]). A host that
/// applies part of a payment (`ApplyCash::amount` below what is unapplied)
/// leaves the invoices it reached open: nothing is written off or deducted
/// while the customer's money is still there.
///
/// ```
/// use ar_core::{ApplicationPolicy, ShortPay};
/// use rust_decimal_macros::dec;
/// let policy = ApplicationPolicy::new().write_off_up_to(dec!(1.00)).discount_grace_days(2);
/// assert!(policy.take_discounts);
/// assert_eq!(policy.short_pay, ShortPay::LeaveOpen);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ApplicationPolicy {
    /// Take an early-payment discount when the payment date is inside its window. Default: true.
    pub take_discounts: bool,
    /// Days after a discount's last day still accepted (mail float). Default: 0.
    pub grace_days: u32,
    /// Residuals written off. Default: none.
    pub write_off: WriteOffTolerance,
    /// The reason code recorded on tolerance write-offs. Default: `"small-balance"`.
    pub write_off_reason: FreeText,
    /// Short payments beyond tolerance. Default: leave open.
    pub short_pay: ShortPay,
}

impl Default for ApplicationPolicy {
    fn default() -> Self {
        ApplicationPolicy {
            take_discounts: true,
            grace_days: 0,
            write_off: WriteOffTolerance::default(),
            write_off_reason: FreeText::from("small-balance"),
            short_pay: ShortPay::LeaveOpen,
        }
    }
}

impl ApplicationPolicy {
    /// The defaults.
    pub fn new() -> Self {
        ApplicationPolicy::default()
    }
    /// Sets the discount grace days.
    pub fn discount_grace_days(mut self, days: u32) -> Self {
        self.grace_days = days;
        self
    }
    /// Never take discounts.
    pub fn no_discounts(mut self) -> Self {
        self.take_discounts = false;
        self
    }
    /// Writes off residuals up to `amount`.
    pub fn write_off_up_to(mut self, amount: Decimal) -> Self {
        self.write_off.absolute = Some(amount);
        self
    }
    /// Writes off residuals up to `percent` of the invoice total.
    pub fn write_off_up_to_percent(mut self, percent: Decimal) -> Self {
        self.write_off.percent = Some(percent);
        self
    }
    /// Turns short payments beyond tolerance into deductions.
    pub fn deduct_short_pay(mut self, ids: Vec<DeductionId>, reason: DeductionReason) -> Self {
        self.short_pay = ShortPay::Deduction { ids, reason };
        self
    }
}
