//! Payment terms: installments, due-date rules, early-payment discounts.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{BusinessCalendar, Money, MoneyError, Rounding};

/// When an installment falls due, counted from the document date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DueRule {
    /// N days after the document date (net N).
    DaysAfter(u32),
    /// The last day of the document's month, plus N days (EOM N).
    EndOfMonthPlus(u32),
    /// Add `days`, then day `day` of the month `months` later than the shifted date,
    /// clamped to that month's length; `day == 0` means the last day of the shifted
    /// date's month (+ `months`). `months: 1` gives Odoo's "N days then the Dth of next month".
    DayOfMonth {
        /// Days added to the document date first.
        days: u32,
        /// Months after the shifted date's month.
        months: u32,
        /// Day of month (1–31, clamped), or 0 for the month's last day.
        day: u32,
    },
    /// A fixed calendar date.
    FixedDate(NaiveDate),
}

/// How much of the document an installment carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Portion {
    /// A percentage of the total (e.g. 30 for 30 %).
    Percent(Decimal),
    /// A fixed amount in the document currency.
    Fixed(Decimal),
    /// Whatever is left: only valid as the last installment.
    Balance,
}

/// One line of a payment-terms schedule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InstallmentRule {
    /// The share of the document.
    pub portion: Portion,
    /// When it falls due.
    pub due: DueRule,
}

/// The size of an early-payment discount.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DiscountRate {
    /// A percentage of the discount base (2 for 2 %).
    Percent(Decimal),
    /// A fixed amount off each installment, in the document currency.
    Amount(Decimal),
}

/// What an early-payment percentage discount is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DiscountBase {
    /// The total including tax ("included").
    #[default]
    Total,
    /// The net amount before tax ("excluded").
    Net,
}

/// An early-payment discount tier: `rate` off if paid within `within_days` of the
/// document date (the last day counts).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DiscountTier {
    /// Days after the document date during which the discount is available.
    pub within_days: u32,
    /// The discount.
    pub rate: DiscountRate,
}

/// Payment terms: a schedule of installments and early-payment discount tiers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaymentTerms {
    /// A name for people ("2/10 net 30").
    pub name: String,
    /// Installments in order; the last one takes the remainder so the schedule adds up.
    pub installments: Vec<InstallmentRule>,
    /// Early-payment discount tiers, applied to each installment.
    pub discounts: Vec<DiscountTier>,
    /// What percentage discounts are computed on.
    pub discount_base: DiscountBase,
}

/// An early-payment discount available until a date (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DiscountOffer {
    /// The last day the discount may be taken.
    pub until: NaiveDate,
    /// The discount amount.
    pub amount: Money,
}

/// One installment of a document's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Installment {
    /// 1-based position in the schedule.
    pub number: u16,
    /// When it falls due (already moved off non-business days).
    pub due_date: NaiveDate,
    /// The amount due.
    pub amount: Money,
    /// Early-payment discounts, sorted by `until` ascending.
    pub discounts: Vec<DiscountOffer>,
}

/// Terms that cannot produce a schedule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TermsError {
    /// The terms have no installments.
    #[error("payment terms '{name}' have no installments")]
    NoInstallments {
        /// The terms' name.
        name: String,
    },
    /// Percent portions are negative or exceed 100.
    #[error("payment terms '{name}': percent portions must be between 0 and 100 and total at most 100, got {total}")]
    BadPercent {
        /// The terms' name.
        name: String,
        /// The sum of the percent portions.
        total: Decimal,
    },
    /// `Portion::Balance` not in last place.
    #[error("payment terms '{name}': only the last installment may take the balance")]
    BalanceNotLast {
        /// The terms' name.
        name: String,
    },
    /// A computed date is out of the calendar's range.
    #[error("payment terms '{name}': a due date falls outside the supported calendar range")]
    DateOutOfRange {
        /// The terms' name.
        name: String,
    },
    /// An amount could not be computed exactly.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl PaymentTerms {
    /// Due in full on the document date.
    pub fn due_on_receipt() -> Self {
        todo!()
    }
    /// Due in full `days` after the document date.
    pub fn net(days: u32) -> Self {
        todo!()
    }
    /// Net 30.
    pub fn net_30() -> Self {
        todo!()
    }
    /// End of month plus `days` (EOM 30 = `eom(30)`).
    pub fn eom(days: u32) -> Self {
        todo!()
    }
    /// `percent` off within `discount_days`, net `net_days` (2/10 net 30 = `discount(2, 10, 30)`).
    pub fn discount(percent: Decimal, discount_days: u32, net_days: u32) -> Self {
        todo!()
    }
    /// 2/10 net 30.
    pub fn two_ten_net_30() -> Self {
        todo!()
    }
    /// Adds a discount tier (builder style).
    pub fn with_discount(self, within_days: u32, rate: DiscountRate) -> Self {
        todo!()
    }
    /// Checks the terms are well formed.
    pub fn validate(&self) -> Result<(), TermsError> {
        todo!()
    }
    /// The schedule for a document: installment amounts that add up exactly to
    /// `total`, their due dates, and their discount offers. `net` is the untaxed
    /// amount (used when `discount_base` is `Net`).
    pub fn schedule(
        &self,
        document_date: NaiveDate,
        total: Money,
        net: Money,
        calendar: Option<&BusinessCalendar>,
        rounding: Rounding,
    ) -> Result<Vec<Installment>, TermsError> {
        todo!()
    }
}
