//! Dunning: which overdue items get a notice, at which level, with what fee and
//! late interest.

use std::collections::{BTreeMap, BTreeSet};

use ar_core::{Currency, CustomerId, DocumentRef, Money, OpenItem, OpenItemKind, Rounding};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::error::ReportError;

/// How days and the year are counted for late interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DayCount {
    /// Actual days over a 365-day year (ERPNext's convention).
    #[default]
    Actual365,
    /// Actual days over a 360-day year.
    Actual360,
    /// 30/360 bond basis (ISDA 2006 §4.16(f)): each month counts 30 days; a
    /// start on the 31st counts as the 30th, and an end on the 31st counts as
    /// the 30th when the start is the 30th or 31st.
    Thirty360,
}

impl DayCount {
    /// The days counted from `from` to `to` and the days in the year, as the
    /// fraction `days / year`.
    ///
    /// ```
    /// use ar_aging::reports::DayCount;
    /// use chrono::NaiveDate;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).ok_or("bad date");
    /// assert_eq!(DayCount::Actual365.fraction(d(1, 31)?, d(3, 31)?), (59, 365));
    /// assert_eq!(DayCount::Thirty360.fraction(d(1, 31)?, d(3, 31)?), (60, 360));
    /// assert_eq!(DayCount::Thirty360.fraction(d(2, 28)?, d(3, 31)?), (33, 360));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fraction(self, from: NaiveDate, to: NaiveDate) -> (i64, i64) {
        let actual = (to - from).num_days();
        match self {
            DayCount::Actual365 => (actual, 365),
            DayCount::Actual360 => (actual, 360),
            DayCount::Thirty360 => {
                let d1 = i64::from(from.day()).min(30);
                let d2 = i64::from(to.day());
                let d2 = if d2 == 31 && d1 >= 30 { 30 } else { d2 };
                let years = i64::from(to.year() - from.year());
                let months = i64::from(to.month()) - i64::from(from.month());
                (360 * years + 30 * months + (d2 - d1), 360)
            }
        }
    }
}

/// The fee charged with a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DunningFee {
    /// No fee. The default.
    #[default]
    None,
    /// A fixed amount in the notice's currency (at its scale).
    Fixed(Decimal),
    /// A percentage of the notice's items total (2 for 2 %).
    Percent(Decimal),
}

/// Late interest: a simple annual rate counted with a day-count convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LateInterest {
    /// The annual rate in percent (10 for 10 % p.a.).
    pub annual_percent: Decimal,
    /// How days and the year are counted.
    pub day_count: DayCount,
}

/// From when interest counts on a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum InterestStart {
    /// From the due date, on every notice (ERPNext). The default.
    #[default]
    DueDate,
    /// From the item's previous notice, if it had one (interest is not charged
    /// twice for the same days), else from the due date.
    LastNotice,
}

/// One level of a dunning procedure.
///
/// ```
/// use ar_aging::reports::{DayCount, DunningLevel};
/// use ar_core::Rounding;
/// use rust_decimal_macros::dec;
/// let level = DunningLevel::new(30)
///     .fee_fixed(dec!(10.00))
///     .interest(dec!(10), DayCount::Actual365)
///     .min_open_amount(dec!(25.00))
///     .grace_days(7)
///     .min_interval_days(14)
///     .rounding(Rounding::HalfEven);
/// assert_eq!(level.days_overdue, 30);
/// assert_eq!(DunningLevel::new(5).rounding, Rounding::HalfUp); // the default
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DunningLevel {
    /// Days past due at which an item reaches the level (inclusive).
    pub days_overdue: u32,
    /// The smallest items total a notice at this level is sent for. Default 0.
    pub min_open_amount: Decimal,
    /// Days after the item's previous notice before it may move up to this level. Default 0.
    pub grace_days: u32,
    /// Days between repeated notices at this level; `None` (the default) sends the level once.
    pub min_interval_days: Option<u32>,
    /// The fee per notice. Default none.
    pub fee: DunningFee,
    /// Late interest. Default none.
    pub interest: Option<LateInterest>,
    /// The rounding of the fee and of the interest (one point each). Default half up.
    pub rounding: Rounding,
}

impl DunningLevel {
    /// A level reached at `days_overdue` days past due, with no fee, no interest,
    /// no minimum, no grace and no repeat.
    pub fn new(days_overdue: u32) -> Self {
        DunningLevel {
            days_overdue,
            min_open_amount: Decimal::ZERO,
            grace_days: 0,
            min_interval_days: None,
            fee: DunningFee::None,
            interest: None,
            rounding: Rounding::HalfUp,
        }
    }
    /// Sets the smallest items total a notice is sent for.
    pub fn min_open_amount(mut self, amount: Decimal) -> Self {
        self.min_open_amount = amount;
        self
    }
    /// Sets the days after the previous notice before an item moves up to this level.
    pub fn grace_days(mut self, days: u32) -> Self {
        self.grace_days = days;
        self
    }
    /// Repeats the level at most every `days` days.
    pub fn min_interval_days(mut self, days: u32) -> Self {
        self.min_interval_days = Some(days);
        self
    }
    /// A fixed fee per notice.
    pub fn fee_fixed(mut self, amount: Decimal) -> Self {
        self.fee = DunningFee::Fixed(amount);
        self
    }
    /// A fee of `percent` of the notice's items total.
    pub fn fee_percent(mut self, percent: Decimal) -> Self {
        self.fee = DunningFee::Percent(percent);
        self
    }
    /// Late interest at `annual_percent` p.a. counted by `day_count`.
    pub fn interest(mut self, annual_percent: Decimal, day_count: DayCount) -> Self {
        self.interest = Some(LateInterest { annual_percent, day_count });
        self
    }
    /// Sets the rounding of the fee and of the interest.
    pub fn rounding(mut self, rounding: Rounding) -> Self {
        self.rounding = rounding;
        self
    }
}

/// The last notice an item got: the host keeps these between runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DunningRecord {
    /// The level (1-based).
    pub level: u8,
    /// The notice's date.
    pub date: NaiveDate,
}

/// One item of a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeItem {
    /// The document.
    pub document: DocumentRef,
    /// Its number.
    pub number: String,
    /// The due date of its oldest open installment.
    pub due_date: NaiveDate,
    /// As-of date − due date.
    pub days_past_due: i64,
    /// The open amount dunned.
    pub open: Money,
    /// The level this item is at with this notice (1-based).
    pub level: u8,
    /// The days interest was counted for (by the day-count convention).
    pub interest_days: i64,
    /// Its share of the notice's interest.
    pub interest: Money,
}

/// A proposed notice to one customer in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The customer.
    pub customer: CustomerId,
    /// The currency.
    pub currency: Currency,
    /// The notice's level: the highest of its items (1-based).
    pub level: u8,
    /// The items, by due date, number, document.
    pub items: Vec<NoticeItem>,
    /// The sum of the items' open amounts.
    pub items_total: Money,
    /// The fee.
    pub fee: Money,
    /// The interest (the sum of the items' interest).
    pub interest: Money,
    /// `items_total + fee + interest`.
    pub total: Money,
}

/// A dunning procedure: levels by rising days past due.
///
/// # Rules
///
/// * Only invoices and debit memos with an open amount are dunned. An item with
///   any amount in dispute, or under a payment arrangement (a set the host
///   passes), is left out.
/// * An item *reaches* level `L` when its days past due (as-of date − due date
///   of its oldest open installment) are at least `L`'s `days_overdue`: the
///   threshold is inclusive.
/// * Levels are climbed one at a time unless [`DunningProcedure::skip_levels`]
///   is set: an item last noticed at level 1 that reaches level 3 gets level 2.
/// * An item moves up to a level only when `grace_days` of that level have
///   passed since its previous notice. An item already at the level it may reach
///   is noticed again only if the level has a `min_interval_days` and that many
///   days have passed since its last notice; without one, a level is sent once.
/// * A customer's items due a notice (per currency) form one [`Notice`]. Its
///   level is the highest level of its items (each item keeps its own level,
///   for the host's record). The notice level's fee is charged once per notice,
///   and its interest rate applies to every item of the notice. A notice whose
///   items total less than the level's `min_open_amount` is not proposed.
/// * Fee: fixed, or a percentage of the items' total, rounded once with the
///   level's [`Rounding`]. Interest: for each item, `open × rate / 100 × days /
///   year` with the level's [`DayCount`], summed exactly; the sum is rounded
///   once with the level's rounding, then shared back to the items by largest
///   remainder, so the items' interest adds up to the notice's.
///
/// ```
/// use std::collections::{BTreeMap, BTreeSet};
/// use ar_aging::reports::{DayCount, DunningLevel, DunningProcedure};
/// use ar_core::*;
/// use chrono::NaiveDate;
/// use rust_decimal_macros::dec;
/// // DUN-01 (ERPNext): 100.00 due 15 days ago, 10 % p.a. actual/365, fee 10.00.
/// let today = NaiveDate::from_ymd_opt(2026, 3, 16).ok_or("bad date")?;
/// let due = NaiveDate::from_ymd_opt(2026, 3, 1).ok_or("bad date")?;
/// let usd = |v| Money::new(v, Currency::USD);
/// let item = OpenItem {
///     customer: CustomerId::from_u128(1), document: DocumentRef::Invoice(InvoiceId::from_u128(2)),
///     number: "INV-2".into(), kind: OpenItemKind::Invoice, document_date: due, due_date: due,
///     original: usd(dec!(100.00))?, open: usd(dec!(100.00))?, disputed: usd(dec!(0))?, installments: vec![],
/// };
/// let procedure = DunningProcedure::new(vec![
///     DunningLevel::new(1).fee_fixed(dec!(10.00)).interest(dec!(10), DayCount::Actual365),
/// ])?;
/// let notices = procedure.propose(&[item], &BTreeMap::new(), &BTreeSet::new(), today)?;
/// assert_eq!(notices[0].interest.amount(), dec!(0.41));
/// assert_eq!(notices[0].fee.amount(), dec!(10.00));
/// assert_eq!(notices[0].total.amount(), dec!(110.41));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DunningProcedure {
    levels: Vec<DunningLevel>,
    skip_levels: bool,
    interest_start: InterestStart,
}

/// An item due a notice, before grouping.
struct Due<'i> {
    item: &'i OpenItem,
    level: u8,
    last: Option<DunningRecord>,
}

impl DunningProcedure {
    /// A procedure with these levels, which must reach rising days past due,
    /// with fees, rates and minimums not negative. At most 255 levels.
    pub fn new(levels: Vec<DunningLevel>) -> Result<Self, ReportError> {
        let bad = |why: &str| Err(ReportError::InvalidSetting(why.to_owned()));
        if levels.is_empty() || levels.len() > usize::from(u8::MAX) {
            return bad("a dunning procedure needs 1 to 255 levels");
        }
        if levels.windows(2).any(|w| w[0].days_overdue >= w[1].days_overdue) {
            return bad("dunning levels must be reached at strictly rising days past due");
        }
        for level in &levels {
            let fee = match level.fee {
                DunningFee::Fixed(x) | DunningFee::Percent(x) => x,
                _ => Decimal::ZERO,
            };
            let rate = level.interest.map_or(Decimal::ZERO, |i| i.annual_percent);
            if fee.is_sign_negative() || rate.is_sign_negative() || level.min_open_amount.is_sign_negative() {
                return bad("dunning fees, interest rates and minimum amounts cannot be negative");
            }
        }
        Ok(DunningProcedure { levels, skip_levels: false, interest_start: InterestStart::DueDate })
    }

    /// Lets an item jump to the highest level it reaches (default: one level per notice).
    pub fn skip_levels(mut self, skip: bool) -> Self {
        self.skip_levels = skip;
        self
    }

    /// Sets from when interest counts (default: from the due date).
    pub fn interest_start(mut self, start: InterestStart) -> Self {
        self.interest_start = start;
        self
    }

    /// The levels.
    pub fn levels(&self) -> &[DunningLevel] {
        &self.levels
    }

    fn level(&self, level: u8) -> Option<&DunningLevel> {
        self.levels.get(usize::from(level).checked_sub(1)?)
    }

    /// The notices due on `as_of`, sorted by customer then currency.
    ///
    /// `last` holds, per document, the last notice it got (level and date);
    /// `under_arrangement` the documents under a payment arrangement.
    pub fn propose(
        &self,
        items: &[OpenItem],
        last: &BTreeMap<DocumentRef, DunningRecord>,
        under_arrangement: &BTreeSet<DocumentRef>,
        as_of: NaiveDate,
    ) -> Result<Vec<Notice>, ReportError> {
        let mut groups: BTreeMap<(CustomerId, Currency), Vec<Due<'_>>> = BTreeMap::new();
        for item in items {
            let dunnable = matches!(item.kind, OpenItemKind::Invoice | OpenItemKind::DebitMemo)
                && item.open.is_positive()
                && item.disputed.is_zero()
                && !under_arrangement.contains(&item.document);
            if !dunnable {
                continue;
            }
            let record = last.get(&item.document).copied();
            if let Some(level) = self.item_level(item, record, as_of) {
                let key = (item.customer, item.open.currency());
                groups.entry(key).or_default().push(Due { item, level, last: record });
            }
        }
        let mut notices = Vec::with_capacity(groups.len());
        for ((customer, currency), mut due) in groups {
            due.sort_by(|a, b| {
                (a.item.due_date, &a.item.number, a.item.document).cmp(&(
                    b.item.due_date,
                    &b.item.number,
                    b.item.document,
                ))
            });
            if let Some(notice) = self.notice(customer, currency, &due, as_of)? {
                notices.push(notice);
            }
        }
        Ok(notices)
    }

    /// The level an item is due a notice at, if any.
    fn item_level(&self, item: &OpenItem, last: Option<DunningRecord>, as_of: NaiveDate) -> Option<u8> {
        let days = (as_of - item.due_date).num_days();
        let reached = self.levels.iter().take_while(|l| i64::from(l.days_overdue) <= days).count();
        let reached = u8::try_from(reached).ok().filter(|r| *r > 0)?;
        let Some(last) = last else {
            return Some(if self.skip_levels { reached } else { 1 });
        };
        let since = (as_of - last.date).num_days();
        let target = if self.skip_levels { reached } else { reached.min(last.level.saturating_add(1)) };
        if target > last.level && since >= i64::from(self.level(target)?.grace_days) {
            return Some(target);
        }
        // Not moving up: a repeat of the last level, if it repeats and the interval passed.
        let current = last.level.min(reached);
        let interval = self.level(current)?.min_interval_days?;
        (current == last.level && since >= i64::from(interval)).then_some(current)
    }

    fn notice(
        &self,
        customer: CustomerId,
        currency: Currency,
        due: &[Due<'_>],
        as_of: NaiveDate,
    ) -> Result<Option<Notice>, ReportError> {
        let level_no = due.iter().map(|d| d.level).max().unwrap_or(1);
        let Some(level) = self.level(level_no) else { return Ok(None) };
        let items_minor: i128 = due.iter().map(|d| i128::from(d.item.open.minor())).sum();
        let items_total = money(items_minor, currency)?;
        if items_total.amount() < level.min_open_amount {
            return Ok(None);
        }
        let fee = match level.fee {
            DunningFee::Fixed(x) => Money::new(x, currency)?,
            DunningFee::Percent(p) => {
                let exact = items_total.amount().checked_mul(p).map(|v| v / Decimal::ONE_HUNDRED);
                Money::round(exact.ok_or(overflow(currency))?, currency, level.rounding)?
            }
            _ => Money::zero(currency),
        };
        let (interest, shares, days) = self.interest(level, due, currency, as_of)?;
        let total = items_total.checked_add(fee)?.checked_add(interest)?;
        let items = due
            .iter()
            .zip(shares)
            .zip(days)
            .map(|((d, interest), interest_days)| NoticeItem {
                document: d.item.document,
                number: d.item.number.clone(),
                due_date: d.item.due_date,
                days_past_due: (as_of - d.item.due_date).num_days(),
                open: d.item.open,
                level: d.level,
                interest_days,
                interest,
            })
            .collect();
        Ok(Some(Notice { customer, currency, level: level_no, items, items_total, fee, interest, total }))
    }

    /// The notice's interest, rounded once, and its shares per item with the days counted.
    fn interest(
        &self,
        level: &DunningLevel,
        due: &[Due<'_>],
        currency: Currency,
        as_of: NaiveDate,
    ) -> Result<(Money, Vec<Money>, Vec<i64>), ReportError> {
        let zero = Money::zero(currency);
        let Some(rate) = level.interest else {
            return Ok((zero, vec![zero; due.len()], vec![0; due.len()]));
        };
        let mut exact = Vec::with_capacity(due.len());
        let mut days_counted = Vec::with_capacity(due.len());
        for d in due {
            let start = match (self.interest_start, d.last) {
                (InterestStart::LastNotice, Some(last)) => last.date.max(d.item.due_date),
                _ => d.item.due_date,
            };
            let (days, year) = rate.day_count.fraction(start, as_of);
            let days = days.max(0);
            let value = d
                .item
                .open
                .amount()
                .checked_mul(rate.annual_percent)
                .and_then(|v| v.checked_mul(Decimal::from(days)))
                .and_then(|v| v.checked_div(Decimal::from(year * 100)))
                .ok_or(overflow(currency))?;
            exact.push(value);
            days_counted.push(days);
        }
        let sum = exact.iter().try_fold(Decimal::ZERO, |acc, v| acc.checked_add(*v)).ok_or(overflow(currency))?;
        let total = Money::round(sum, currency, level.rounding)?;
        let shares = if total.is_zero() { vec![zero; due.len()] } else { share(total, &exact, due)? };
        Ok((total, shares, days_counted))
    }
}

/// Shares `total` by the exact interest of each item (to six decimals past the
/// currency's), by largest remainder; by open amounts if those all round to 0.
fn share(total: Money, exact: &[Decimal], due: &[Due<'_>]) -> Result<Vec<Money>, ReportError> {
    let currency = total.currency();
    let scale = currency.minor_units() + 6;
    let mut weights: Vec<i128> = exact
        .iter()
        .map(|v| {
            let mut w = v.round_dp(scale);
            w.rescale(scale);
            w.mantissa()
        })
        .collect();
    if weights.iter().all(|w| *w == 0) {
        weights = due.iter().map(|d| i128::from(d.item.open.minor())).collect();
    }
    let parts = ar_core::allocate_minor(total.minor(), &weights)?;
    parts.into_iter().map(|m| Ok(Money::from_minor(m, currency)?)).collect()
}

fn overflow(currency: Currency) -> ar_core::MoneyError {
    ar_core::MoneyError::Overflow { currency }
}

fn money(minor: i128, currency: Currency) -> Result<Money, ReportError> {
    let minor = i64::try_from(minor).map_err(|_| overflow(currency))?;
    Ok(Money::from_minor(minor, currency)?)
}
