//! Collection forecast: when each open item will be paid, from the customer's
//! own payment history, summed into weekly or monthly buckets; and a backtest
//! that compares a forecast with what happened after it.

use std::collections::BTreeMap;

use ar_core::{CashSource, Change, Currency, CustomerId, DocumentRef, InvoiceId, Money, OpenItemKind};
use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;

use super::error::ReportError;
use super::history::{History, Snapshot, aging_parts};

/// The length of a forecast bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Period {
    /// ISO weeks, Monday to Sunday. The default.
    #[default]
    Weekly,
    /// Calendar months.
    Monthly,
}

impl Period {
    /// The first and last day of the bucket holding `date`.
    ///
    /// ```
    /// use ar_aging::reports::Period;
    /// use chrono::NaiveDate;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).ok_or("bad date");
    /// assert_eq!(Period::Weekly.bucket(d(3, 5)?), Some((d(3, 2)?, d(3, 8)?))); // a Thursday
    /// assert_eq!(Period::Monthly.bucket(d(2, 14)?), Some((d(2, 1)?, d(2, 28)?)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bucket(self, date: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        match self {
            Period::Weekly => {
                let start = date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))?;
                Some((start, start.checked_add_days(Days::new(6))?))
            }
            Period::Monthly => {
                let start = date.with_day(1)?;
                let next = start.checked_add_months(chrono::Months::new(1))?;
                Some((start, next.pred_opt()?))
            }
        }
    }
}

/// How the forecast reads payment history.
///
/// ```
/// use ar_aging::reports::{ForecastOptions, Period};
/// let options = ForecastOptions::new().lookback_days(180).min_paid_invoices(5).period(Period::Monthly);
/// assert_eq!(ForecastOptions::new().get_lookback_days(), 365); // the default
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ForecastOptions {
    lookback_days: u32,
    min_paid_invoices: u32,
    period: Period,
}

impl Default for ForecastOptions {
    fn default() -> Self {
        ForecastOptions { lookback_days: 365, min_paid_invoices: 3, period: Period::Weekly }
    }
}

impl ForecastOptions {
    /// 365 days of look-back, at least 3 paid invoices for a customer's own
    /// average, weekly buckets.
    pub fn new() -> Self {
        ForecastOptions::default()
    }
    /// Sets the look-back window in days.
    pub fn lookback_days(mut self, days: u32) -> Self {
        self.lookback_days = days;
        self
    }
    /// Sets how many paid documents a customer needs for its own average.
    pub fn min_paid_invoices(mut self, count: u32) -> Self {
        self.min_paid_invoices = count;
        self
    }
    /// Sets the bucket length.
    pub fn period(mut self, period: Period) -> Self {
        self.period = period;
        self
    }
    /// The look-back window in days.
    pub fn get_lookback_days(&self) -> u32 {
        self.lookback_days
    }
    /// The paid documents a customer needs for its own average.
    pub fn get_min_paid_invoices(&self) -> u32 {
        self.min_paid_invoices
    }
    /// The bucket length.
    pub fn get_period(&self) -> Period {
        self.period
    }
}

/// One open installment's expected collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedCollection {
    /// The customer.
    pub customer: CustomerId,
    /// The document.
    pub document: DocumentRef,
    /// Its number.
    pub number: String,
    /// The installment's due date.
    pub due_date: NaiveDate,
    /// The undisputed open amount.
    pub amount: Money,
    /// The average days late used.
    pub days_late: i64,
    /// `true` if the customer's own history gave the average, `false` if the portfolio's did.
    pub own_history: bool,
    /// `max(due date + days late, as_of)`.
    pub expected: NaiveDate,
}

/// What is expected in one bucket in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastBucket {
    /// The currency.
    pub currency: Currency,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// The sum expected.
    pub amount: Money,
    /// Installments expected.
    pub count: u64,
}

/// A collection forecast as of a date: when each open installment will be
/// paid, from the customer's own payment history, summed into weekly or monthly
/// buckets per currency.
///
/// # Method
///
/// * Payment history: invoices and debit memos fully paid (open amount zero
///   with cash applied) on a day within the look-back window
///   `[as_of − lookback_days, as_of]`; each has *days late* = paid date − due
///   date of its last installment (negative when paid early).
/// * A customer's average days late is the amount-weighted mean of those days
///   (weights: document totals; exact integer sums, rounded half away from
///   zero to whole days). A customer with fewer than `min_paid_invoices` paid
///   documents in the window gets the portfolio's average in the same currency
///   (0 if the portfolio has none).
/// * Each open installment of an open invoice or debit memo (its undisputed
///   part; see [`aging_parts`]) is expected on `max(due date + average days
///   late, as_of)`. Deductions, credits and unapplied cash are not forecast.
///
/// ```
/// use ar_aging::reports::{CollectionForecast, ForecastOptions, History, Period};
/// # use ar_core::*;
/// # use chrono::NaiveDate;
/// # use rust_decimal_macros::dec;
/// # let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).ok_or("bad date");
/// # let clerk = Actor::new("maria", "clerk");
/// # let acme = CustomerId::from_u128(1);
/// # let mut ledger = Ledger::new(LedgerConfig::new());
/// # let mut run = |n: u128, date, action| {
/// #     ledger.execute(Command { id: CommandId::from_u128(n), effective_date: date, actor: clerk.clone(), action })
/// #         .map(|events| events.len())
/// # };
/// # run(1, day(1)?, Action::RegisterCustomer(RegisterCustomer {
/// #     customer: acme, name: "Acme".into(), currency: Currency::USD,
/// #     terms: PaymentTerms::net(10), credit_limit: None, collector: None,
/// # }))?;
/// # run(2, day(1)?, Action::IssueInvoice(IssueInvoice {
/// #     invoice: InvoiceId::from_u128(10), number: "INV-1".into(), customer: acme,
/// #     kind: InvoiceKind::Invoice, document_date: day(1)?,
/// #     lines: vec![DocumentLine { description: "Widgets".into(), quantity: dec!(1),
/// #         unit_price: dec!(300.00), discount: None, taxes: vec![] }],
/// #     discount: None, terms: None, tax_rounding: TaxRounding::PerLine, rounding: Rounding::HalfUp,
/// # }))?;
/// // INV-1: 300.00 due March 11, no payment history: expected on its due date.
/// let history = History::new(ledger.journal())?;
/// let forecast = CollectionForecast::build(&history, day(2)?, &ForecastOptions::new().period(Period::Monthly))?;
/// assert_eq!(forecast.items[0].expected, day(11)?);
/// assert_eq!(forecast.buckets[0].amount.amount(), dec!(300.00));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionForecast {
    /// The date of the forecast.
    pub as_of: NaiveDate,
    /// Per open installment, by customer, due date, number.
    pub items: Vec<ExpectedCollection>,
    /// Per currency and bucket, in that order.
    pub buckets: Vec<ForecastBucket>,
}

/// Amount-weighted days late: Σ total × days, Σ total, count.
#[derive(Debug, Clone, Copy, Default)]
struct Lateness {
    weighted: i128,
    weight: i128,
    count: u64,
}

impl Lateness {
    fn add(&mut self, total: i128, days: i64) {
        self.weighted += total * i128::from(days);
        self.weight += total;
        self.count += 1;
    }

    /// The mean rounded half away from zero to whole days.
    fn mean(&self) -> i64 {
        if self.weight <= 0 {
            return 0;
        }
        let (q, r) = (self.weighted / self.weight, self.weighted % self.weight);
        let q = if 2 * r.abs() >= self.weight { q + r.signum() } else { q };
        i64::try_from(q).unwrap_or(0)
    }
}

impl CollectionForecast {
    /// The forecast at the end of `as_of`, from the history up to that day.
    pub fn build(history: &History<'_>, as_of: NaiveDate, options: &ForecastOptions) -> Result<Self, ReportError> {
        let snapshot = history.as_of(as_of)?;
        let window_start =
            as_of.checked_sub_days(Days::new(u64::from(options.lookback_days))).unwrap_or(NaiveDate::MIN);
        let (per_customer, portfolio) = lateness(history, &snapshot, window_start, as_of);
        let mut items = Vec::new();
        for item in snapshot.open_items() {
            if !matches!(item.kind, OpenItemKind::Invoice | OpenItemKind::DebitMemo) {
                continue;
            }
            let currency = item.open.currency();
            let own = per_customer.get(&item.customer).filter(|l| l.count >= u64::from(options.min_paid_invoices));
            let days_late = match own {
                Some(l) => l.mean(),
                None => portfolio.get(&currency).map_or(0, Lateness::mean),
            };
            for part in aging_parts(&item).into_iter().filter(|p| p.undisputed_minor > 0) {
                let expected = shift(part.due_date, days_late).max(as_of);
                items.push(ExpectedCollection {
                    customer: item.customer,
                    document: item.document,
                    number: item.number.clone(),
                    due_date: part.due_date,
                    amount: Money::from_minor(part.undisputed_minor, currency)?,
                    days_late,
                    own_history: own.is_some(),
                    expected,
                });
            }
        }
        let buckets =
            bucket(items.iter().map(|i| (i.amount.currency(), i.expected, i.amount.minor())), options.period)?;
        Ok(CollectionForecast { as_of, items, buckets })
    }
}

fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    let step = Days::new(days.unsigned_abs());
    let moved = if days >= 0 { date.checked_add_days(step) } else { date.checked_sub_days(step) };
    moved.unwrap_or(date)
}

/// Sums `(currency, date, minor)` into buckets, by currency then start.
fn bucket(
    amounts: impl Iterator<Item = (Currency, NaiveDate, i64)>,
    period: Period,
) -> Result<Vec<ForecastBucket>, ReportError> {
    let mut sums: BTreeMap<(Currency, NaiveDate, NaiveDate), (i128, u64)> = BTreeMap::new();
    for (currency, date, minor) in amounts {
        let (start, end) = period.bucket(date).unwrap_or((date, date));
        let entry = sums.entry((currency, start, end)).or_default();
        entry.0 += i128::from(minor);
        entry.1 += 1;
    }
    sums.into_iter()
        .map(|((currency, start, end), (minor, count))| {
            Ok(ForecastBucket { currency, start, end, amount: money(minor, currency)?, count })
        })
        .collect()
}

fn money(minor: i128, currency: Currency) -> Result<Money, ReportError> {
    let minor = i64::try_from(minor).map_err(|_| ar_core::MoneyError::Overflow { currency })?;
    Ok(Money::from_minor(minor, currency)?)
}

/// Days late of documents paid in the window, per customer and per currency.
fn lateness(
    history: &History<'_>,
    snapshot: &Snapshot<'_, '_>,
    from: NaiveDate,
    to: NaiveDate,
) -> (BTreeMap<CustomerId, Lateness>, BTreeMap<Currency, Lateness>) {
    let mut per_customer: BTreeMap<CustomerId, Lateness> = BTreeMap::new();
    let mut portfolio: BTreeMap<Currency, Lateness> = BTreeMap::new();
    for (i, doc) in history.invoices.iter().enumerate() {
        let Some(paid_on) = snapshot.invoices.get(i).and_then(|s| s.paid_on) else { continue };
        if paid_on < from || paid_on > to {
            continue;
        }
        let due = doc.installments.last().map_or(doc.document_date, |x| x.due_date);
        let days = (paid_on - due).num_days();
        let total = i128::from(doc.totals.total.minor());
        per_customer.entry(doc.customer).or_default().add(total, days);
        portfolio.entry(doc.currency).or_default().add(total, days);
    }
    (per_customer, portfolio)
}

/// Forecast against actual in one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacktestBucket {
    /// The currency.
    pub currency: Currency,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// What the forecast expected.
    pub forecast: Money,
    /// Cash actually applied to the items open at the cut-off, net of reversals.
    pub actual: Money,
    /// `|forecast − actual|`.
    pub absolute_error: Money,
}

/// A forecast made at a cut-off compared with what happened after it.
///
/// The actual side is the cash from payments applied after the cut-off to the
/// invoices and debit memos open at the cut-off (less reversals, after the
/// cut-off, of applications made after it), bucketed by the date each
/// application counts from. Amounts still open at the end of the journal have
/// no actual collection and count fully as error.
///
/// ```
/// use ar_aging::reports::{Backtest, ForecastOptions, History};
/// # use ar_core::*;
/// # use chrono::NaiveDate;
/// # use rust_decimal_macros::dec;
/// # let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).ok_or("bad date");
/// # let clerk = Actor::new("maria", "clerk");
/// # let acme = CustomerId::from_u128(1);
/// # let mut ledger = Ledger::new(LedgerConfig::new());
/// # let mut run = |n: u128, date, action| {
/// #     ledger.execute(Command { id: CommandId::from_u128(n), effective_date: date, actor: clerk.clone(), action })
/// #         .map(|events| events.len())
/// # };
/// # run(1, day(1)?, Action::RegisterCustomer(RegisterCustomer {
/// #     customer: acme, name: "Acme".into(), currency: Currency::USD,
/// #     terms: PaymentTerms::net(10), credit_limit: None, collector: None,
/// # }))?;
/// # run(2, day(1)?, Action::IssueInvoice(IssueInvoice {
/// #     invoice: InvoiceId::from_u128(10), number: "INV-1".into(), customer: acme,
/// #     kind: InvoiceKind::Invoice, document_date: day(1)?,
/// #     lines: vec![DocumentLine { description: "Widgets".into(), quantity: dec!(1),
/// #         unit_price: dec!(300.00), discount: None, taxes: vec![] }],
/// #     discount: None, terms: None, tax_rounding: TaxRounding::PerLine, rounding: Rounding::HalfUp,
/// # }))?;
/// # run(3, day(11)?, Action::ReceivePayment(ReceivePayment {
/// #     payment: PaymentId::from_u128(20), customer: acme,
/// #     amount: Money::new(dec!(300.00), Currency::USD)?, received: day(11)?,
/// #     method: PaymentMethod::Wire, payer_reference: "INV-1".into(),
/// #     remittance: FreeText::default(), deposit: None,
/// # }))?;
/// # run(4, day(11)?, Action::ApplyCash(ApplyCash {
/// #     application: ApplicationId::from_u128(30), source: CashSource::Payment(PaymentId::from_u128(20)),
/// #     amount: None, target: Target::OldestDueFirst, policy: ApplicationPolicy::new(),
/// # }))?;
/// // INV-1 (300.00 due March 11) paid in full on its due date.
/// let history = History::new(ledger.journal())?;
/// let test = Backtest::run(&history, day(2)?, &ForecastOptions::new())?;
/// assert_eq!(test.buckets[0].forecast, test.buckets[0].actual);
/// assert_eq!(test.weighted_mape[0].1, Some(dec!(0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backtest {
    /// The cut-off.
    pub cutoff: NaiveDate,
    /// The forecast made at the cut-off.
    pub forecast: CollectionForecast,
    /// Per currency and bucket: every bucket with a forecast or an actual amount.
    pub buckets: Vec<BacktestBucket>,
    /// Per currency: `Σ |forecast − actual| / Σ |actual|` over its buckets
    /// (weighted MAPE); `None` when nothing was collected.
    pub weighted_mape: Vec<(Currency, Option<Decimal>)>,
}

impl Backtest {
    /// Forecasts at `cutoff` from the history up to it, and compares with the
    /// collections the journal records after it.
    pub fn run(history: &History<'_>, cutoff: NaiveDate, options: &ForecastOptions) -> Result<Backtest, ReportError> {
        let forecast = CollectionForecast::build(history, cutoff, options)?;
        let open: std::collections::BTreeSet<InvoiceId> = forecast
            .items
            .iter()
            .filter_map(|i| match i.document {
                DocumentRef::Invoice(id) => Some(id),
                _ => None,
            })
            .collect();
        let mut actual: Vec<(Currency, NaiveDate, i64)> = Vec::new();
        // Applications counted after the cut-off: only their reversals undo an actual collection.
        let mut after: std::collections::BTreeSet<ar_core::ApplicationId> = std::collections::BTreeSet::new();
        for (event, &date) in history.journal().iter().zip(history.counts_from()) {
            if date <= cutoff {
                continue;
            }
            let (doc, sign) = match &event.change {
                Change::CashApplied(doc) => {
                    after.insert(doc.application);
                    (&**doc, 1)
                }
                Change::ApplicationReversed { application } if after.contains(application) => {
                    let a = history.application_index(*application).and_then(|a| history.applications.get(a as usize));
                    match a {
                        Some(doc) => (*doc, -1),
                        None => continue,
                    }
                }
                _ => continue,
            };
            if !matches!(doc.source, CashSource::Payment(_)) {
                continue;
            }
            for a in doc.allocations.iter().filter(|a| open.contains(&a.invoice)) {
                actual.push((a.cash.currency(), date, sign * a.cash.minor()));
            }
        }
        let forecast_buckets = &forecast.buckets;
        let actual_buckets = bucket(actual.into_iter(), options.period)?;
        let (buckets, weighted_mape) = compare(forecast_buckets, &actual_buckets)?;
        Ok(Backtest { cutoff, forecast, buckets, weighted_mape })
    }
}

type CompareResult = (Vec<BacktestBucket>, Vec<(Currency, Option<Decimal>)>);

fn compare(forecast: &[ForecastBucket], actual: &[ForecastBucket]) -> Result<CompareResult, ReportError> {
    let mut joined: BTreeMap<(Currency, NaiveDate, NaiveDate), (i128, i128)> = BTreeMap::new();
    for b in forecast {
        joined.entry((b.currency, b.start, b.end)).or_default().0 += i128::from(b.amount.minor());
    }
    for b in actual {
        joined.entry((b.currency, b.start, b.end)).or_default().1 += i128::from(b.amount.minor());
    }
    let mut errors: BTreeMap<Currency, (i128, i128)> = BTreeMap::new();
    let mut buckets = Vec::with_capacity(joined.len());
    for ((currency, start, end), (f, a)) in joined {
        let e = errors.entry(currency).or_default();
        e.0 += (f - a).abs();
        e.1 += a.abs();
        buckets.push(BacktestBucket {
            currency,
            start,
            end,
            forecast: money(f, currency)?,
            actual: money(a, currency)?,
            absolute_error: money((f - a).abs(), currency)?,
        });
    }
    let mape = errors
        .into_iter()
        .map(|(c, (err, act))| {
            let ratio = if act == 0 {
                None
            } else {
                Decimal::from_i128_with_scale(err, 0).checked_div(Decimal::from_i128_with_scale(act, 0))
            };
            (c, ratio)
        })
        .collect();
    Ok((buckets, mape))
}
