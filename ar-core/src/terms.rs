//! Payment terms: installments, due-date rules, early-payment discounts.
//!
//! See [`PaymentTerms`] for the rules; they follow Odoo's payment terms (17.x).

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::hashing::hash_variant_decimal;
use crate::{BusinessCalendar, Money, MoneyError, Rounding, allocate_minor};

/// When an installment falls due, counted from the document date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DueRule {
    /// N days after the document date (net N).
    DaysAfter(u32),
    /// The last day of the document's month, plus N days (EOM N).
    EndOfMonthPlus(u32),
    /// Add `days`, then day `day` of the month `months` later than the shifted date's
    /// month, clamped to that month's length.
    ///
    /// `day == 0` is the day before the 1st of that month, i.e. the last day of the
    /// month `months − 1` after the shifted date's month. With `months: 1` this is
    /// Odoo's "N days, then the Dth of the next month" where day 0 means the end of
    /// the shifted date's own month (2024-04-22 + 30 days, day 0 → 2024-05-31).
    /// `months` must be at least 1 (every rule with 0 can be written with 1 and would
    /// otherwise allow a due date before the document date) and `day` at most 31.
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Portion {
    /// A percentage of the total (e.g. 30 for 30 %).
    Percent(Decimal),
    /// A fixed amount in the document currency (not negative; at the currency's scale).
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DiscountRate {
    /// A percentage of the discount base (2 for 2 %).
    Percent(Decimal),
    /// A fixed amount off each installment, in the document currency, capped at the
    /// installment's amount.
    Amount(Decimal),
}

// `Portion` and `DiscountRate` hash as `#[derive(Hash)]` did (the variant's
// index as an `isize`, then the value), each `Decimal` through `hash_decimal`:
// terms are in the fingerprints of the commands that carry them, and
// `Decimal`'s own hash normalizes out of line on every call.

impl Hash for Portion {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Portion::Percent(p) => hash_variant_decimal(0, p, state),
            Portion::Fixed(f) => hash_variant_decimal(1, f, state),
            Portion::Balance => 2isize.hash(state),
        }
    }
}

impl Hash for DiscountRate {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            DiscountRate::Percent(p) => hash_variant_decimal(0, p, state),
            DiscountRate::Amount(a) => hash_variant_decimal(1, a, state),
        }
    }
}

/// What an early-payment percentage discount is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DiscountBase {
    /// The total including tax ("included").
    #[default]
    Total,
    /// The net amount before tax ("excluded"): the net is shared out over the
    /// installments in proportion to their amounts, by largest remainder.
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
///
/// [`PaymentTerms::schedule`] turns terms, a document date and a total into
/// installments whose amounts add up exactly to the total, with due dates and
/// early-payment discount offers. The rules follow Odoo's payment terms (17.x):
///
/// * Installments are computed in order. A [`Portion::Percent`] is rounded at the
///   currency's scale with the caller's [`Rounding`]; a [`Portion::Fixed`] amount is
///   taken as is (it must be at the currency's scale). The **last installment takes
///   the remainder**, whatever its portion says, so the schedule always adds up. When
///   fixed amounts exceed what the percentages leave, that remainder is negative
///   (70 %, fixed 500, 30 % of 1000.00 gives 700.00, 500.00, −200.00), as in Odoo.
/// * For a negative total (a credit schedule) every portion is mirrored: fixed
///   amounts count with the total's sign.
/// * Percent portions must add up to exactly 100, fixed amounts come on top; when
///   the last installment is [`Portion::Balance`] they may add up to less.
/// * Due dates and discount dates are moved off non-business days by the optional
///   [`BusinessCalendar`]. All date arithmetic is checked: a date beyond chrono's
///   range gives [`TermsError::DateOutOfRange`].
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
    /// Percent portions do not add up to 100 (or exceed 100 before a balance).
    #[error(
        "payment terms '{name}': percent portions must add up to 100 (at most 100 when the last installment \
         takes the balance), got {total}"
    )]
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
    /// A percent portion outside 0–100 or a negative fixed amount.
    #[error(
        "payment terms '{name}', installment {installment}: {portion:?} must be 0 to 100 % or an amount of 0 or more"
    )]
    BadPortion {
        /// The terms' name.
        name: String,
        /// 1-based installment number.
        installment: usize,
        /// The portion as given.
        portion: Portion,
    },
    /// A due rule that cannot give a sensible date.
    #[error("payment terms '{name}', installment {installment}: {rule:?}: {reason}")]
    BadDueRule {
        /// The terms' name.
        name: String,
        /// 1-based installment number.
        installment: usize,
        /// The rule as given.
        rule: DueRule,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A discount percent outside 0–100 or a negative discount amount.
    #[error("payment terms '{name}', discount tier {tier}: {rate:?} must be 0 to 100 % or an amount of 0 or more")]
    BadDiscount {
        /// The terms' name.
        name: String,
        /// 1-based tier number.
        tier: usize,
        /// The rate as given.
        rate: DiscountRate,
    },
    /// More installments than a schedule can number.
    #[error("payment terms '{name}' have {count} installments, more than {max}", max = u16::MAX)]
    TooManyInstallments {
        /// The terms' name.
        name: String,
        /// How many were given.
        count: usize,
    },
}

impl PaymentTerms {
    /// Terms with one installment of the whole amount, due by `due`, and no discount.
    fn single(name: String, due: DueRule) -> Self {
        PaymentTerms {
            name,
            installments: vec![InstallmentRule { portion: Portion::Percent(Decimal::ONE_HUNDRED), due }],
            discounts: Vec::new(),
            discount_base: DiscountBase::Total,
        }
    }

    /// Due in full on the document date ("Due on receipt").
    pub fn due_on_receipt() -> Self {
        PaymentTerms::single("Due on receipt".to_owned(), DueRule::DaysAfter(0))
    }

    /// Due in full `days` after the document date ("Net 45").
    pub fn net(days: u32) -> Self {
        PaymentTerms::single(format!("Net {days}"), DueRule::DaysAfter(days))
    }

    /// Net 30.
    ///
    /// ```
    /// use ar_core::{Currency, Money, PaymentTerms, Rounding};
    /// use chrono::NaiveDate;
    /// use rust_decimal_macros::dec;
    /// let invoice_date = NaiveDate::from_ymd_opt(2022, 1, 15).ok_or("bad date")?;
    /// let total = Money::new(dec!(250.00), Currency::USD)?;
    /// let schedule = PaymentTerms::net_30().schedule(invoice_date, total, total, None, Rounding::HalfUp)?;
    /// assert_eq!(schedule[0].due_date, NaiveDate::from_ymd_opt(2022, 2, 14).ok_or("bad date")?);
    /// assert_eq!(schedule[0].amount, total);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn net_30() -> Self {
        PaymentTerms::net(30)
    }

    /// End of month plus `days` (EOM 30 = `eom(30)`): the last day of the
    /// document's month, then `days` more ("EOM 30"; from 2022-01-31 that is 2022-03-02).
    pub fn eom(days: u32) -> Self {
        PaymentTerms::single(format!("EOM {days}"), DueRule::EndOfMonthPlus(days))
    }

    /// `percent` off within `discount_days`, net `net_days` (2/10 net 30 = `discount(2, 10, 30)`).
    ///
    /// The name reads "2/10 Net 30".
    pub fn discount(percent: Decimal, discount_days: u32, net_days: u32) -> Self {
        let name = format!("{}/{discount_days} Net {net_days}", percent.normalize());
        PaymentTerms { name, ..PaymentTerms::net(net_days) }
            .with_discount(discount_days, DiscountRate::Percent(percent))
    }

    /// 2/10 net 30: 2 % off the total if paid within 10 days, else due in 30.
    ///
    /// ```
    /// use ar_core::{Currency, Money, PaymentTerms, Rounding};
    /// use chrono::NaiveDate;
    /// use rust_decimal_macros::dec;
    /// let invoice_date = NaiveDate::from_ymd_opt(2024, 3, 1).ok_or("bad date")?;
    /// let total = Money::new(dec!(1234.56), Currency::USD)?;
    /// let terms = PaymentTerms::two_ten_net_30();
    /// assert_eq!(terms.name, "2/10 Net 30");
    /// let schedule = terms.schedule(invoice_date, total, total, None, Rounding::HalfUp)?;
    /// let offer = schedule[0].discounts[0];
    /// assert_eq!(offer.until, NaiveDate::from_ymd_opt(2024, 3, 11).ok_or("bad date")?);
    /// assert_eq!(offer.amount.amount(), dec!(24.69));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn two_ten_net_30() -> Self {
        PaymentTerms::discount(Decimal::TWO, 10, 30)
    }

    /// Adds a discount tier (builder style). The name is left as it is.
    pub fn with_discount(mut self, within_days: u32, rate: DiscountRate) -> Self {
        self.discounts.push(DiscountTier { within_days, rate });
        self
    }

    /// Checks the terms are well formed.
    ///
    /// * at least one installment and at most `u16::MAX`;
    /// * each percent portion in 0–100 and each fixed amount at least 0;
    /// * [`Portion::Balance`] only in last place;
    /// * percent portions add up to exactly 100, or to at most 100 when the last
    ///   installment is a balance (fixed amounts are on top, as in Odoo: without a
    ///   balance the last installment would silently differ from what it says);
    /// * [`DueRule::DayOfMonth`] with `months` ≥ 1 and `day` ≤ 31;
    /// * discount percents in 0–100 and discount amounts at least 0.
    ///
    /// Whether fixed and discount amounts fit the currency's scale is checked by
    /// [`PaymentTerms::schedule`], which knows the currency.
    pub fn validate(&self) -> Result<(), TermsError> {
        let count = self.installments.len();
        if count == 0 {
            return Err(TermsError::NoInstallments { name: self.name.clone() });
        }
        if count > usize::from(u16::MAX) {
            return Err(TermsError::TooManyInstallments { name: self.name.clone(), count });
        }
        // Summed as exact integers: `Decimal` comparisons and additions were most of
        // the cost of a schedule for the usual one-installment terms.
        let mut percent_total = Some((0i128, 0u32));
        for (i, rule) in self.installments.iter().enumerate() {
            match &rule.portion {
                Portion::Percent(p) if is_percent(*p) => {
                    percent_total = percent_total.and_then(|sum| add_percent(sum, *p))
                }
                Portion::Fixed(a) if !a.is_sign_negative() || a.is_zero() => {}
                Portion::Balance if i + 1 == count => {}
                Portion::Balance => return Err(TermsError::BalanceNotLast { name: self.name.clone() }),
                portion => {
                    let portion = portion.clone();
                    return Err(TermsError::BadPortion { name: self.name.clone(), installment: i + 1, portion });
                }
            }
            self.check_due_rule(i, &rule.due)?;
        }
        let ends_in_balance = matches!(self.installments.last().map(|r| &r.portion), Some(Portion::Balance));
        let percent_ok = match percent_total.map_or_else(|| self.percent_total().cmp(&Decimal::ONE_HUNDRED), cmp_100) {
            Ordering::Equal => true,
            Ordering::Less => ends_in_balance,
            Ordering::Greater => false,
        };
        if !percent_ok {
            return Err(TermsError::BadPercent { name: self.name.clone(), total: self.percent_total() });
        }
        for (i, tier) in self.discounts.iter().enumerate() {
            let ok = match tier.rate {
                DiscountRate::Percent(p) => is_percent(p),
                DiscountRate::Amount(a) => !a.is_sign_negative() || a.is_zero(),
            };
            if !ok {
                return Err(TermsError::BadDiscount { name: self.name.clone(), tier: i + 1, rate: tier.rate.clone() });
            }
        }
        Ok(())
    }

    /// The percent portions summed as `Decimal`s, which round past 96 bits: the
    /// value reported, and the one judged when the exact sum leaves 96 bits.
    fn percent_total(&self) -> Decimal {
        let percents = self.installments.iter().filter_map(|r| match r.portion {
            Portion::Percent(p) => Some(p),
            _ => None,
        });
        percents.fold(Decimal::ZERO, |sum, p| sum + p)
    }

    fn check_due_rule(&self, index: usize, rule: &DueRule) -> Result<(), TermsError> {
        let reason = match rule {
            DueRule::DayOfMonth { months: 0, .. } => "months must be at least 1",
            DueRule::DayOfMonth { day, .. } if *day > 31 => "day must be 0 (month end) or 1 to 31",
            _ => return Ok(()),
        };
        Err(TermsError::BadDueRule { name: self.name.clone(), installment: index + 1, rule: rule.clone(), reason })
    }

    /// The schedule for a document: installment amounts that add up exactly to
    /// `total`, their due dates, and their discount offers. `net` is the untaxed
    /// amount (used when `discount_base` is `Net`).
    ///
    /// Amounts: see [`PaymentTerms`]; the last installment takes the
    /// remainder and may be negative when fixed portions exceed the rest. Every
    /// installment gets one [`DiscountOffer`] per tier, valid until the document date
    /// plus the tier's days (moved by `calendar`), sorted by that date. A percent
    /// tier is rounded with `rounding` on the installment's amount
    /// ([`DiscountBase::Total`]) or on its share of `net` ([`DiscountBase::Net`]); an
    /// amount tier is exact and never more than the installment. An offer never
    /// exceeds its installment in absolute value as long as its percent is at most 100
    /// (and, for the net base, the net is no larger than the total).
    ///
    /// With [`Roll::Preceding`](crate::Roll::Preceding) a date may move before the
    /// document date; the other rolls never do.
    ///
    /// ```
    /// use ar_core::{Currency, DueRule, InstallmentRule, Money, PaymentTerms, Portion, Rounding};
    /// use chrono::NaiveDate;
    /// use rust_decimal_macros::dec;
    /// let terms = PaymentTerms {
    ///     name: "30/70".into(),
    ///     installments: vec![
    ///         InstallmentRule { portion: Portion::Percent(dec!(30)), due: DueRule::DaysAfter(15) },
    ///         InstallmentRule { portion: Portion::Balance, due: DueRule::DaysAfter(45) },
    ///     ],
    ///     discounts: vec![],
    ///     discount_base: Default::default(),
    /// };
    /// let date = NaiveDate::from_ymd_opt(2022, 1, 15).ok_or("bad date")?;
    /// let total = Money::new(dec!(100.01), Currency::USD)?;
    /// let schedule = terms.schedule(date, total, total, None, Rounding::HalfUp)?;
    /// assert_eq!(schedule[0].amount.amount(), dec!(30.00));
    /// assert_eq!(schedule[1].amount.amount(), dec!(70.01));
    /// assert_eq!(schedule[1].due_date, NaiveDate::from_ymd_opt(2022, 3, 1).ok_or("bad date")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn schedule(
        &self,
        document_date: NaiveDate,
        total: Money,
        net: Money,
        calendar: Option<&BusinessCalendar>,
        rounding: Rounding,
    ) -> Result<Vec<Installment>, TermsError> {
        self.validate()?;
        self.schedule_validated(document_date, total, net, calendar, rounding)
    }

    /// [`schedule`](PaymentTerms::schedule) for terms already validated: the
    /// ledger validates terms when they are set, and schedules every invoice.
    pub(crate) fn schedule_validated(
        &self,
        document_date: NaiveDate,
        total: Money,
        net: Money,
        calendar: Option<&BusinessCalendar>,
        rounding: Rounding,
    ) -> Result<Vec<Installment>, TermsError> {
        total.same_currency(net)?;
        // The checks run in the order they always have (every amount, then the
        // discount dates, then the net shares, then each installment's due date and
        // offers), so the same bad terms give the same error.
        let mut schedule = self.amounts(document_date, total, rounding)?;
        let mut offers = self.offer_dates(document_date, total, calendar)?;
        let bases = self.discount_bases(&schedule, total, net)?;
        let last = schedule.len().saturating_sub(1);
        for (i, (installment, rule)) in schedule.iter_mut().zip(&self.installments).enumerate() {
            let due_date = due_date(&rule.due, document_date).ok_or_else(|| self.out_of_range())?;
            if due_date < document_date {
                // Only a fixed date can fall before the document it is for.
                let reason = "the due date falls before the document date";
                return Err(TermsError::BadDueRule {
                    name: self.name.clone(),
                    installment: i + 1,
                    rule: rule.due.clone(),
                    reason,
                });
            }
            installment.due_date = adjust(due_date, calendar);
            let base = bases.get(i).copied().unwrap_or(installment.amount);
            // The last installment takes the dates themselves: with one installment
            // the offers are allocated once.
            let dates = if i == last { std::mem::take(&mut offers) } else { offers.clone() };
            installment.discounts = self.offers(dates, installment.amount, base, rounding)?;
            installment.number = u16::try_from(i + 1).map_err(|_| self.too_many())?;
        }
        Ok(schedule)
    }

    /// The installments with their amounts in order, the last one taking the
    /// remainder; due dates, numbers and offers are filled in by `schedule`.
    fn amounts(
        &self,
        document_date: NaiveDate,
        total: Money,
        rounding: Rounding,
    ) -> Result<Vec<Installment>, TermsError> {
        let currency = total.currency();
        let overflow = MoneyError::Overflow { currency };
        let sign: i128 = if total.is_negative() { -1 } else { 1 };
        let last = self.installments.len().saturating_sub(1);
        let mut schedule = Vec::with_capacity(self.installments.len());
        let mut given: i128 = 0;
        let installment = |amount| Installment { number: 0, due_date: document_date, amount, discounts: Vec::new() };
        for rule in &self.installments[..last] {
            let minor = match &rule.portion {
                Portion::Percent(p) => percent_of(i128::from(total.minor()), *p, rounding).ok_or(overflow.clone())?,
                Portion::Fixed(a) => sign * i128::from(Money::new(*a, currency)?.minor()),
                // `validate` keeps the balance last; nothing is left for it before then.
                Portion::Balance => 0,
            };
            given += minor;
            schedule.push(installment(money_from_minor(minor, total)?));
        }
        schedule.push(installment(money_from_minor(i128::from(total.minor()) - given, total)?));
        Ok(schedule)
    }

    /// One offer per discount tier, in tier order, with its `until` date and a zero
    /// amount; empty (no allocation) without tiers.
    fn offer_dates(
        &self,
        document_date: NaiveDate,
        total: Money,
        calendar: Option<&BusinessCalendar>,
    ) -> Result<Vec<DiscountOffer>, TermsError> {
        let amount = Money::zero(total.currency());
        // A loop, not a `collect` into a `Result`: that adapter cost more than
        // the one or no tier terms have.
        let mut offers = Vec::with_capacity(self.discounts.len());
        for tier in &self.discounts {
            let until = document_date.checked_add_days(Days::new(u64::from(tier.within_days)));
            offers.push(DiscountOffer { until: adjust(until.ok_or_else(|| self.out_of_range())?, calendar), amount });
        }
        Ok(offers)
    }

    /// What percentage discounts are computed on, per installment: its share of the
    /// net. Empty (no allocation) when no tier needs the net: then the base is the
    /// installment itself.
    fn discount_bases(&self, schedule: &[Installment], total: Money, net: Money) -> Result<Vec<Money>, TermsError> {
        let needs_net = self.discount_base == DiscountBase::Net
            && self.discounts.iter().any(|t| matches!(t.rate, DiscountRate::Percent(_)));
        if !needs_net {
            return Ok(Vec::new());
        }
        let weights: Vec<i64> = schedule.iter().map(|i| i.amount.minor()).collect();
        let shares = match split_signed(net.minor(), &weights) {
            Some(shares) => shares,
            // A zero total has no proportions: share the net evenly.
            None if total.is_zero() => allocate_minor(net.minor(), &vec![1; schedule.len()])?,
            None => return Err(MoneyError::Overflow { currency: total.currency() }.into()),
        };
        shares.into_iter().map(|m| Ok(Money::from_minor(m, total.currency())?)).collect()
    }

    /// The discount offers of one installment, filled into `offers` (one per tier,
    /// in tier order), sorted by date (ties in tier order).
    fn offers(
        &self,
        mut offers: Vec<DiscountOffer>,
        amount: Money,
        base: Money,
        rounding: Rounding,
    ) -> Result<Vec<DiscountOffer>, TermsError> {
        let currency = amount.currency();
        for (offer, tier) in offers.iter_mut().zip(&self.discounts) {
            let minor = match &tier.rate {
                DiscountRate::Percent(p) => {
                    percent_of(i128::from(base.minor()), *p, rounding).ok_or(MoneyError::Overflow { currency })?
                }
                DiscountRate::Amount(a) => {
                    let cap = i128::from(Money::new(*a, currency)?.minor()).min(i128::from(amount.minor()).abs());
                    cap * i128::from(amount.minor().signum())
                }
            };
            offer.amount = money_from_minor(minor, amount)?;
        }
        offers.sort_by_key(|o| o.until);
        Ok(offers)
    }

    fn out_of_range(&self) -> TermsError {
        TermsError::DateOutOfRange { name: self.name.clone() }
    }

    fn too_many(&self) -> TermsError {
        TermsError::TooManyInstallments { name: self.name.clone(), count: self.installments.len() }
    }
}

/// `0 ≤ p ≤ 100`, compared as integers: `p ≤ 100` exactly when its mantissa is at
/// most `100 × 10^scale`, which fits in 128 bits for every scale up to 28.
pub(crate) fn is_percent(p: Decimal) -> bool {
    if p.is_sign_negative() && !p.is_zero() {
        return false;
    }
    pow10(p.scale() + 2).is_some_and(|limit| p.mantissa() <= limit)
}

/// `sum + p` for a sum of percents kept as `numerator / 10^scale`; `None` once it
/// needs more than 96 bits, where `Decimal` addition may round and the exact sum
/// would no longer be the one `Decimal` gives. Below that every partial sum of
/// these non-negative terms fits too, so `Decimal` adds exactly.
fn add_percent((numerator, scale): (i128, u32), p: Decimal) -> Option<(i128, u32)> {
    let to = scale.max(p.scale());
    let sum =
        checked_mul(numerator, pow10(to - scale)?)?.checked_add(checked_mul(p.mantissa(), pow10(to - p.scale())?)?)?;
    (sum < 1 << 96).then_some((sum, to))
}

/// How an exact percent sum compares with 100.
fn cmp_100((numerator, scale): (i128, u32)) -> Ordering {
    // `add_percent` keeps numerator < 2^96 and so scale ≤ 28: 10^(scale+2) fits.
    pow10(scale + 2).map_or(Ordering::Less, |hundred| numerator.cmp(&hundred))
}

fn money_from_minor(minor: i128, like: Money) -> Result<Money, MoneyError> {
    let minor = i64::try_from(minor).map_err(|_| MoneyError::Overflow { currency: like.currency() })?;
    Money::from_minor(minor, like.currency())
}

fn adjust(date: NaiveDate, calendar: Option<&BusinessCalendar>) -> NaiveDate {
    calendar.map_or(date, |c| c.adjust(date))
}

/// The unadjusted due date of `rule` for a document dated `document_date`.
fn due_date(rule: &DueRule, document_date: NaiveDate) -> Option<NaiveDate> {
    match rule {
        DueRule::DaysAfter(days) => document_date.checked_add_days(Days::new(u64::from(*days))),
        DueRule::EndOfMonthPlus(days) => month_end(document_date)?.checked_add_days(Days::new(u64::from(*days))),
        DueRule::DayOfMonth { days, months, day } => {
            let shifted = document_date.checked_add_days(Days::new(u64::from(*days)))?;
            let target = shifted.with_day(1)?.checked_add_months(Months::new(*months))?;
            if *day == 0 { target.pred_opt() } else { target.with_day((*day).min(month_end(target)?.day())) }
        }
        DueRule::FixedDate(date) => Some(*date),
    }
}

/// The last day of `date`'s month.
fn month_end(date: NaiveDate) -> Option<NaiveDate> {
    if date.month() == 12 {
        return date.with_day(31);
    }
    NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)?.pred_opt()
}

/// `minor × percent / 100`, rounded to whole minor units with `mode`; `None` when
/// it cannot be computed exactly in 128 bits.
pub(crate) fn percent_of(minor: i128, percent: Decimal, mode: Rounding) -> Option<i128> {
    let (mantissa, scale) = normalized_parts(percent);
    let numerator = checked_mul(minor, mantissa)?;
    let denominator = pow10(scale + 2)?;
    Some(round_ratio(numerator, denominator, mode))
}

/// The mantissa and scale of `value.normalize()` (no trailing zeros; zero has
/// scale 0), without building a new `Decimal`. Which products fit in 128 bits
/// depends on the representation, so callers keep the normalised one they always
/// used. The stripping runs in 64 bits when the mantissa fits, as it nearly always does.
pub(crate) fn normalized_parts(value: Decimal) -> (i128, u32) {
    let (mut mantissa, mut scale) = (value.mantissa(), value.scale());
    if let Ok(mut small) = i64::try_from(mantissa) {
        while scale > 0 && small % 10 == 0 {
            small /= 10;
            scale -= 1;
        }
        return (i128::from(small), scale);
    }
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    (mantissa, scale)
}

/// Powers of ten that fit in `i128`: 10^0 to 10^38.
const POW10: [i128; 39] = {
    let mut table = [1i128; 39];
    let mut k = 1;
    while k < table.len() {
        table[k] = table[k - 1] * 10;
        k += 1;
    }
    table
};

/// `10^exponent`, or `None` beyond `i128` (like `10i128.checked_pow`).
pub(crate) fn pow10(exponent: u32) -> Option<i128> {
    POW10.get(usize::try_from(exponent).ok()?).copied()
}

/// `a × b`, or `None` on overflow. Two factors that fit in 64 bits cannot overflow
/// 128, and their product is one machine multiply instead of a checked 128-bit call.
pub(crate) fn checked_mul(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(a), Ok(b)) => Some(i128::from(a) * i128::from(b)),
        _ => a.checked_mul(b),
    }
}

/// `numerator / denominator` (denominator > 0) rounded to an integer with `mode`, exactly.
///
/// The test `round_ratio_agrees_with_decimal_rounding` ties each mode to
/// [`Rounding::round`], which defines them; here they are integer decisions
/// because building and rounding a `Decimal` cost more than the rest of a tax.
#[inline]
pub(crate) fn round_ratio(numerator: i128, denominator: i128, mode: Rounding) -> i128 {
    // 64-bit division where both fit: a 128-bit one is a library call.
    let (quotient, remainder) = match (i64::try_from(numerator), i64::try_from(denominator)) {
        (Ok(n), Ok(d)) => (i128::from(n / d), i128::from(n % d).abs()),
        _ => (numerator / denominator, (numerator % denominator).abs()),
    };
    if remainder == 0 {
        return quotient;
    }
    // Where the dropped fraction lies against one half.
    let half = remainder.cmp(&(denominator - remainder));
    let away_from_zero = match mode {
        Rounding::HalfUp => half != Ordering::Less,
        Rounding::HalfDown => half == Ordering::Greater,
        Rounding::HalfEven => half == Ordering::Greater || (half == Ordering::Equal && quotient % 2 != 0),
        Rounding::Up => true,
        Rounding::Down => false,
        Rounding::Ceiling => numerator > 0,
        Rounding::Floor => numerator < 0,
    };
    if away_from_zero { quotient + numerator.signum() } else { quotient }
}

/// Splits `whole` in proportion to signed `weights` by largest remainder: the parts
/// add up to `whole`, each within one unit of its exact share. `None` when the
/// weights sum to zero or a part does not fit.
fn split_signed(whole: i64, weights: &[i64]) -> Option<Vec<i64>> {
    let mut sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    let flip = sum < 0;
    if flip {
        sum = -sum;
    }
    if sum == 0 {
        return None;
    }
    let magnitude = i128::from(whole).abs();
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (i, w) in weights.iter().enumerate() {
        let w = if flip { -i128::from(*w) } else { i128::from(*w) };
        let product = magnitude.checked_mul(w)?;
        let share = product.div_euclid(sum);
        given = given.checked_add(share)?;
        parts.push(share);
        remainders.push((product.rem_euclid(sum), i));
    }
    let leftover = usize::try_from(magnitude.checked_sub(given)?).ok()?;
    remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(leftover) {
        *parts.get_mut(i)? += 1;
    }
    let sign: i128 = if whole < 0 { -1 } else { 1 };
    parts.into_iter().map(|p| i64::try_from(p * sign).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_ratio_agrees_with_decimal_rounding() {
        let modes = [
            Rounding::HalfUp,
            Rounding::HalfEven,
            Rounding::HalfDown,
            Rounding::Up,
            Rounding::Down,
            Rounding::Ceiling,
            Rounding::Floor,
        ];
        for numerator in -40i128..=40 {
            for denominator in [1i128, 2, 3, 4, 8, 10] {
                for mode in modes {
                    let exact =
                        Decimal::from_i128_with_scale(numerator, 0) / Decimal::from_i128_with_scale(denominator, 0);
                    let expected = mode.round(exact, 0).mantissa();
                    assert_eq!(
                        round_ratio(numerator, denominator, mode),
                        expected,
                        "{numerator}/{denominator} {mode:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn split_signed_handles_mixed_signs() {
        assert_eq!(split_signed(100, &[70, 50, -20]), Some(vec![70, 50, -20]));
        assert_eq!(split_signed(10, &[1, 1, 1]), Some(vec![4, 3, 3]));
        assert_eq!(split_signed(-10, &[1, 1, 1]), Some(vec![-4, -3, -3]));
        assert_eq!(split_signed(5, &[1, -1]), None);
        let parts = split_signed(999, &[700, 500, -200, 3]).unwrap_or_default();
        assert_eq!(parts.iter().sum::<i64>(), 999);
    }

    #[test]
    fn month_end_covers_december_and_february() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(d(2023, 12, 5).and_then(month_end), d(2023, 12, 31));
        assert_eq!(d(2024, 2, 5).and_then(month_end), d(2024, 2, 29));
        assert_eq!(d(2023, 2, 28).and_then(month_end), d(2023, 2, 28));
        assert_eq!(month_end(NaiveDate::MAX), Some(NaiveDate::MAX));
    }
}
