//! Receivables KPIs: the formulas, and a report computed from a journal per
//! company (currency), customer and collector.

use std::collections::BTreeMap;

use ar_core::{Change, Currency, CustomerId, InvoiceKind, Money, OpenItem, OpenItemKind};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::error::ReportError;
use super::history::{History, Snapshot, aging_parts};

fn ratio(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    if denominator.is_zero() { None } else { numerator.checked_div(denominator) }
}

/// Days sales outstanding, standard form: `total AR / credit sales × days`.
///
/// `None` when there were no credit sales. KPI-01 (CreditGuru): AR 15,000,
/// sales 10,000 over 30 days → 45 days.
///
/// ```
/// use ar_aging::reports::dso;
/// use rust_decimal_macros::dec;
/// assert_eq!(dso(dec!(15000), dec!(10000), 30), Some(dec!(45)));
/// assert_eq!(dso(dec!(15000), dec!(0), 30), None);
/// ```
pub fn dso(total_ar: Decimal, credit_sales: Decimal, days: u32) -> Option<Decimal> {
    ratio(total_ar.checked_mul(Decimal::from(days))?, credit_sales)
}

/// Best possible DSO: `current (not yet due) AR / credit sales × days`: the DSO
/// if every customer paid on the due date.
///
/// ```
/// use ar_aging::reports::best_possible_dso;
/// use rust_decimal_macros::dec;
/// assert_eq!(best_possible_dso(dec!(4000), dec!(10000), 30), Some(dec!(12)));
/// ```
pub fn best_possible_dso(current_ar: Decimal, credit_sales: Decimal, days: u32) -> Option<Decimal> {
    dso(current_ar, credit_sales, days)
}

/// Average days delinquent: `DSO − best possible DSO`.
///
/// ```
/// use ar_aging::reports::average_days_delinquent;
/// use rust_decimal_macros::dec;
/// assert_eq!(average_days_delinquent(dec!(45), dec!(12)), dec!(33));
/// ```
pub fn average_days_delinquent(dso: Decimal, best_possible_dso: Decimal) -> Decimal {
    dso - best_possible_dso
}

/// DSO by the count-back method: starting from the ending AR, take away each
/// period's credit sales, most recent first, counting that period's days while
/// sales are covered; the period that covers the rest counts
/// `rest / its sales × its days`.
///
/// `periods` are `(credit sales, days)`, most recent first; a period without
/// sales counts all its days. `None` if the AR is more than all the sales given
/// (not enough history) or a period's sales are negative.
///
/// Worked example (Benji Pays, "Mastering DSO calculation: the count-back
/// method"): AR 212,000; sales 100,000, 80,000, 70,000 in three 30-day months,
/// most recent first → 30 + 30 + 32,000 / 70,000 × 30 = 73.71 days.
///
/// ```
/// use ar_aging::reports::dso_count_back;
/// use rust_decimal_macros::dec;
/// let periods = [(dec!(100000), 30), (dec!(80000), 30), (dec!(70000), 30)];
/// let days = dso_count_back(dec!(212000), &periods).ok_or("no DSO")?;
/// assert_eq!(days.round_dp(1), dec!(73.7));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn dso_count_back(ending_ar: Decimal, periods: &[(Decimal, u32)]) -> Option<Decimal> {
    let mut rest = ending_ar;
    let mut days = Decimal::ZERO;
    if rest <= Decimal::ZERO {
        return Some(Decimal::ZERO);
    }
    for &(sales, period_days) in periods {
        if sales < Decimal::ZERO {
            return None;
        }
        if rest <= sales && !sales.is_zero() {
            return days.checked_add(ratio(rest.checked_mul(Decimal::from(period_days))?, sales)?);
        }
        rest -= sales;
        days += Decimal::from(period_days);
    }
    None
}

/// Collection effectiveness index in percent, CreditGuru's form over `N`
/// periods (months):
///
/// `CEI = (beginning AR + credit sales / N − ending total AR) /
///        (beginning AR + credit sales / N − ending current AR) × 100`.
///
/// `None` when the denominator is zero or `periods` is 0. KPI-02: beginning AR
/// 6,200, sales 10,890 over 3 months, ending AR 6,340, ending current 3,590 →
/// 55.9 %.
///
/// ```
/// use ar_aging::reports::collection_effectiveness_index;
/// use rust_decimal_macros::dec;
/// let cei = collection_effectiveness_index(dec!(6200), dec!(10890), 3, dec!(6340), dec!(3590)).ok_or("no CEI")?;
/// assert_eq!(cei.round_dp(1), dec!(55.9));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn collection_effectiveness_index(
    beginning_ar: Decimal,
    credit_sales: Decimal,
    periods: u32,
    ending_total_ar: Decimal,
    ending_current_ar: Decimal,
) -> Option<Decimal> {
    let per_period = ratio(credit_sales, Decimal::from(periods))?;
    let collectible = beginning_ar.checked_add(per_period)?;
    let collected = collectible.checked_sub(ending_total_ar)?;
    ratio(collected.checked_mul(Decimal::ONE_HUNDRED)?, collectible.checked_sub(ending_current_ar)?)
}

/// Days beyond terms: the amount-weighted average of `max(0, paid date − due
/// date)` over invoices paid in a period, given as `(amount, days late)`.
/// Early payments count as 0 days beyond terms. `None` if the amounts sum to 0.
///
/// ```
/// use ar_aging::reports::days_beyond_terms;
/// use rust_decimal_macros::dec;
/// // 300 paid 10 days late, 100 paid 5 days early: (300 × 10 + 100 × 0) / 400.
/// assert_eq!(days_beyond_terms(&[(dec!(300), 10), (dec!(100), -5)]), Some(dec!(7.5)));
/// ```
pub fn days_beyond_terms(paid: &[(Decimal, i64)]) -> Option<Decimal> {
    let mut weighted = Decimal::ZERO;
    let mut amounts = Decimal::ZERO;
    for &(amount, days) in paid {
        weighted = weighted.checked_add(amount.checked_mul(Decimal::from(days.max(0)))?)?;
        amounts = amounts.checked_add(amount)?;
    }
    ratio(weighted, amounts)
}

/// Percent current: `current (not yet due) AR / total AR × 100`.
///
/// ```
/// use ar_aging::reports::percent_current;
/// use rust_decimal_macros::dec;
/// assert_eq!(percent_current(dec!(3590), dec!(6340)).map(|p| p.round_dp(2)), Some(dec!(56.62)));
/// ```
pub fn percent_current(current_ar: Decimal, total_ar: Decimal) -> Option<Decimal> {
    ratio(current_ar.checked_mul(Decimal::ONE_HUNDRED)?, total_ar)
}

/// Exact sums behind the KPIs of one group, in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Sums {
    ar_begin: i128,
    ar_end: i128,
    current_end: i128,
    sales: i128,
    collected: i128,
    overdue_items: u64,
    paid_invoices: u64,
    late_weighted: i128,
    paid_amount: i128,
    /// Credit sales per count-back window, most recent first.
    window_sales: [i128; COUNT_BACK_MONTHS],
}

/// How many calendar months the count-back DSO of [`KpiReport`] looks back.
const COUNT_BACK_MONTHS: usize = 12;

/// The count-back windows ending on `to`, most recent first: the month of `to`
/// up to `to`, then whole calendar months before it.
fn count_back_windows(to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut windows = Vec::with_capacity(COUNT_BACK_MONTHS);
    let mut end = to;
    while windows.len() < COUNT_BACK_MONTHS {
        let Some(start) = end.with_day(1) else { break };
        windows.push((start, end));
        match start.pred_opt() {
            Some(previous) => end = previous,
            None => break,
        }
    }
    windows
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.ar_begin += o.ar_begin;
        self.ar_end += o.ar_end;
        self.current_end += o.current_end;
        self.sales += o.sales;
        self.collected += o.collected;
        self.overdue_items += o.overdue_items;
        self.paid_invoices += o.paid_invoices;
        self.late_weighted += o.late_weighted;
        self.paid_amount += o.paid_amount;
        for (mine, theirs) in self.window_sales.iter_mut().zip(o.window_sales) {
            *mine += theirs;
        }
    }
}

/// The KPIs of one group (the company in one currency, a customer, a collector)
/// over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiFigures {
    /// The currency of the amounts.
    pub currency: Currency,
    /// Balance (open invoices and deductions less unapplied cash and credit) at
    /// the end of the day before the period.
    pub ar_begin: Money,
    /// Balance at the end of the period.
    pub ar_end: Money,
    /// Of the open invoices and debit memos at the end, what is not yet due.
    pub current_end: Money,
    /// Invoices (not debit memos) issued in the period and not voided by its end.
    pub credit_sales: Money,
    /// Payments received in the period.
    pub collected: Money,
    /// Open invoices and debit memos past due at the end of the period.
    pub overdue_items: u64,
    /// Invoices fully paid in the period (the basis of days beyond terms).
    pub paid_invoices: u64,
    /// [`dso`] over the period's days.
    pub dso: Option<Decimal>,
    /// [`dso_count_back`] of the ending AR over the credit sales of the month
    /// of the period's end (up to that day) and the 11 calendar months before.
    pub dso_count_back: Option<Decimal>,
    /// [`best_possible_dso`].
    pub best_possible_dso: Option<Decimal>,
    /// [`average_days_delinquent`].
    pub average_days_delinquent: Option<Decimal>,
    /// [`collection_effectiveness_index`] with the report's number of periods.
    pub cei: Option<Decimal>,
    /// [`days_beyond_terms`] over invoices fully paid in the period, late days
    /// counted from the last installment's due date.
    pub days_beyond_terms: Option<Decimal>,
    /// [`percent_current`] at the end of the period.
    pub percent_current: Option<Decimal>,
}

impl KpiFigures {
    fn from_sums(
        s: &Sums,
        currency: Currency,
        days: u32,
        periods: u32,
        windows: &[(NaiveDate, NaiveDate)],
    ) -> Result<KpiFigures, ReportError> {
        let m = |minor: i128| -> Result<Money, ReportError> {
            let minor = i64::try_from(minor).map_err(|_| ar_core::MoneyError::Overflow { currency })?;
            Ok(Money::from_minor(minor, currency)?)
        };
        let (ar_begin, ar_end, current_end) = (m(s.ar_begin)?, m(s.ar_end)?, m(s.current_end)?);
        let (credit_sales, collected) = (m(s.sales)?, m(s.collected)?);
        let dso_days = dso(ar_end.amount(), credit_sales.amount(), days);
        let mut count_back = Vec::with_capacity(windows.len());
        for (&(start, end), &sales) in windows.iter().zip(&s.window_sales) {
            let window_days = u32::try_from((end - start).num_days() + 1).unwrap_or(0);
            count_back.push((m(sales)?.amount(), window_days));
        }
        let dso_back = dso_count_back(ar_end.amount(), &count_back);
        let best = best_possible_dso(current_end.amount(), credit_sales.amount(), days);
        let add = dso_days.zip(best).map(|(d, b)| average_days_delinquent(d, b));
        let cei = collection_effectiveness_index(
            ar_begin.amount(),
            credit_sales.amount(),
            periods,
            ar_end.amount(),
            current_end.amount(),
        );
        let dbt =
            ratio(Decimal::from_i128_with_scale(s.late_weighted, 0), Decimal::from_i128_with_scale(s.paid_amount, 0));
        Ok(KpiFigures {
            currency,
            ar_begin,
            ar_end,
            current_end,
            credit_sales,
            collected,
            overdue_items: s.overdue_items,
            paid_invoices: s.paid_invoices,
            dso: dso_days,
            dso_count_back: dso_back,
            best_possible_dso: best,
            average_days_delinquent: add,
            cei,
            days_beyond_terms: dbt,
            percent_current: percent_current(current_end.amount(), ar_end.amount()),
        })
    }
}

/// KPIs from a journal for a period, per company (one row per currency), per
/// customer and per collector: the collector performance report (CEI, ADD,
/// amount collected, overdue items per collector).
///
/// AR at the start and the end come from [`History::as_of`]; credit sales are
/// the invoices issued in the period; the period's days are `to − from + 1`.
/// Company and collector rows are the exact sums of their customers' amounts,
/// with the ratios computed from those sums.
///
/// ```
/// use ar_aging::reports::{History, KpiReport};
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
/// #     terms: PaymentTerms::net(10), credit_limit: None, collector: Some("ana".into()),
/// # }))?;
/// # run(2, day(1)?, Action::IssueInvoice(IssueInvoice {
/// #     invoice: InvoiceId::from_u128(10), number: "INV-1".into(), customer: acme,
/// #     kind: InvoiceKind::Invoice, document_date: day(1)?,
/// #     lines: vec![DocumentLine { description: "Widgets".into(), quantity: dec!(1),
/// #         unit_price: dec!(300.00), discount: None, taxes: vec![] }],
/// #     discount: None, terms: None, tax_rounding: TaxRounding::PerLine, rounding: Rounding::HalfUp,
/// # }))?;
/// // One invoice of 300.00 on March 1, due March 11, still open on March 30.
/// let history = History::new(ledger.journal())?;
/// let report = KpiReport::build(&history, day(1)?, day(30)?, 1)?;
/// let usd = &report.company[0];
/// assert_eq!(usd.dso, Some(dec!(30))); // 300 / 300 × 30
/// assert_eq!(usd.overdue_items, 1);
/// assert_eq!(report.collectors[0].0.as_deref(), Some("ana"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiReport {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period.
    pub to: NaiveDate,
    /// Per currency.
    pub company: Vec<KpiFigures>,
    /// Per customer, by id.
    pub customers: Vec<(CustomerId, KpiFigures)>,
    /// Per collector (none first, then by name) and currency.
    pub collectors: Vec<(Option<String>, KpiFigures)>,
}

impl KpiReport {
    /// The KPIs of the days `from` to `to`; `cei_periods` is CEI's `N` (the
    /// number of months the period spans, or 1 for the single-period form).
    pub fn build(history: &History<'_>, from: NaiveDate, to: NaiveDate, cei_periods: u32) -> Result<Self, ReportError> {
        let day_before = from.pred_opt().filter(|_| from <= to).ok_or(ReportError::InvalidPeriod { from, to })?;
        let days = u32::try_from((to - from).num_days() + 1).map_err(|_| ReportError::InvalidPeriod { from, to })?;
        let begin = history.as_of(day_before)?;
        let end = history.as_of(to)?;
        let mut per_customer: BTreeMap<CustomerId, Sums> = BTreeMap::new();
        for customer in history.customers() {
            let mut s = Sums {
                ar_begin: begin.balance(customer)?.balance.minor().into(),
                ar_end: end.balance(customer)?.balance.minor().into(),
                ..Sums::default()
            };
            for item in end.customer_open_items(customer)? {
                add_open_item(&mut s, &item, to);
            }
            per_customer.insert(customer, s);
        }
        add_period_flows(history, &end, from, to, &mut per_customer);
        let windows = count_back_windows(to);
        add_window_sales(history, &end, &windows, &mut per_customer);
        let mut company: BTreeMap<Currency, Sums> = BTreeMap::new();
        let mut collectors: BTreeMap<(Option<String>, Currency), Sums> = BTreeMap::new();
        let mut customers = Vec::with_capacity(per_customer.len());
        for (customer, s) in &per_customer {
            let currency = history.customer_currency(*customer)?;
            company.entry(currency).or_default().add(s);
            let collector = history.customer_collector(*customer)?.map(str::to_owned);
            collectors.entry((collector, currency)).or_default().add(s);
            customers.push((*customer, KpiFigures::from_sums(s, currency, days, cei_periods, &windows)?));
        }
        let company = company
            .iter()
            .map(|(c, s)| KpiFigures::from_sums(s, *c, days, cei_periods, &windows))
            .collect::<Result<_, _>>()?;
        let collectors = collectors
            .into_iter()
            .map(|((name, c), s)| Ok((name, KpiFigures::from_sums(&s, c, days, cei_periods, &windows)?)))
            .collect::<Result<_, ReportError>>()?;
        Ok(KpiReport { from, to, company, customers, collectors })
    }
}

fn add_open_item(s: &mut Sums, item: &OpenItem, as_of: NaiveDate) {
    if !matches!(item.kind, OpenItemKind::Invoice | OpenItemKind::DebitMemo) {
        return;
    }
    for part in aging_parts(item) {
        if part.due_date >= as_of {
            s.current_end += i128::from(part.undisputed_minor + part.disputed_minor);
        }
    }
    if item.due_date < as_of {
        s.overdue_items += 1;
    }
}

/// Credit sales, cash received and invoices paid in the period.
fn add_period_flows(
    history: &History<'_>,
    end: &Snapshot<'_, '_>,
    from: NaiveDate,
    to: NaiveDate,
    per_customer: &mut BTreeMap<CustomerId, Sums>,
) {
    for (event, &date) in history.journal().iter().zip(history.counts_from()) {
        if date < from || date > to {
            continue;
        }
        match &event.change {
            Change::InvoiceIssued(doc) if doc.kind == InvoiceKind::Invoice => {
                let voided = history.invoice_index(doc.invoice).is_some_and(|i| end.invoice_void(i));
                if let (false, Some(s)) = (voided, per_customer.get_mut(&doc.customer)) {
                    s.sales += i128::from(doc.totals.total.minor());
                }
            }
            Change::PaymentReceived(doc) => {
                if let Some(s) = per_customer.get_mut(&doc.customer) {
                    s.collected += i128::from(doc.amount.minor());
                }
            }
            _ => {}
        }
    }
    for (i, doc) in history.invoices.iter().enumerate() {
        let Some(paid_on) = end.invoices.get(i).and_then(|s| s.paid_on) else { continue };
        if paid_on < from || paid_on > to {
            continue;
        }
        let due = doc.installments.last().map_or(doc.document_date, |x| x.due_date);
        if let Some(s) = per_customer.get_mut(&doc.customer) {
            let total = i128::from(doc.totals.total.minor());
            s.paid_invoices += 1;
            s.paid_amount += total;
            s.late_weighted += total * i128::from((paid_on - due).num_days().max(0));
        }
    }
}

/// Credit sales per count-back window (invoices not voided by the end).
fn add_window_sales(
    history: &History<'_>,
    end: &Snapshot<'_, '_>,
    windows: &[(NaiveDate, NaiveDate)],
    per_customer: &mut BTreeMap<CustomerId, Sums>,
) {
    let Some(&(first, _)) = windows.last() else { return };
    let Some(&(_, last)) = windows.first() else { return };
    for (event, &date) in history.journal().iter().zip(history.counts_from()) {
        if date < first || date > last {
            continue;
        }
        let Change::InvoiceIssued(doc) = &event.change else { continue };
        let voided = history.invoice_index(doc.invoice).is_some_and(|i| end.invoice_void(i));
        // Windows are most recent first and contiguous: find the one holding `date`.
        let window = windows.iter().position(|(start, _)| *start <= date);
        if let (InvoiceKind::Invoice, false, Some(w), Some(s)) =
            (&doc.kind, voided, window, per_customer.get_mut(&doc.customer))
            && let Some(slot) = s.window_sales.get_mut(w)
        {
            *slot += i128::from(doc.totals.total.minor());
        }
    }
}
