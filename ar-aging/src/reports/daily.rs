//! The daily cash report: what came in, what was billed, what is open.

use std::collections::BTreeMap;

use ar_core::{Change, Currency, Money, OpenItemKind};
use chrono::NaiveDate;

use super::error::ReportError;
use super::history::History;

/// Cash collected in one currency by one payment method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashByMethod {
    /// The currency.
    pub currency: Currency,
    /// The method's short name ([`ar_core::PaymentMethod::kind`]: `card`, `wire`, …).
    pub method: &'static str,
    /// Payments received.
    pub count: u64,
    /// Their sum.
    pub amount: Money,
}

/// A count of documents and their sum in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyCount {
    /// The currency.
    pub currency: Currency,
    /// How many.
    pub count: u64,
    /// Their sum.
    pub amount: Money,
}

/// One day's cash report: cash collected by payment method, invoices and debit
/// memos billed, and the invoices and debit memos open and overdue at the end
/// of the day (an overdue item counts with its whole open amount). Days are
/// those events count from (see [`History`]); lists are by currency code, then
/// method.
///
/// ```
/// use ar_aging::reports::{DailyCashReport, History};
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
/// # run(3, day(20)?, Action::ReceivePayment(ReceivePayment {
/// #     payment: PaymentId::from_u128(20), customer: acme,
/// #     amount: Money::new(dec!(100.00), Currency::USD)?, received: day(20)?,
/// #     method: PaymentMethod::Wire, payer_reference: "INV-1".into(),
/// #     remittance: FreeText::default(), deposit: None,
/// # }))?;
/// // INV-1 (300.00, due March 11) and a wire of 100.00 on March 20, not yet applied.
/// let history = History::new(ledger.journal())?;
/// let report = DailyCashReport::build(&history, day(20)?)?;
/// assert_eq!((report.cash[0].method, report.cash[0].amount.amount()), ("wire", dec!(100.00)));
/// assert_eq!(report.overdue[0].count, 1);
/// assert!(report.billed.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyCashReport {
    /// The day.
    pub day: NaiveDate,
    /// Cash received that day, per currency and method.
    pub cash: Vec<CashByMethod>,
    /// Invoices and debit memos issued that day, per currency.
    pub billed: Vec<CurrencyCount>,
    /// Invoices and debit memos open at the end of the day, per currency.
    pub open: Vec<CurrencyCount>,
    /// Of those, the ones past due (due before the day), per currency.
    pub overdue: Vec<CurrencyCount>,
}

type Tally = BTreeMap<Currency, (u64, i128)>;

fn counts(tally: Tally) -> Result<Vec<CurrencyCount>, ReportError> {
    tally
        .into_iter()
        .map(|(currency, (count, minor))| Ok(CurrencyCount { currency, count, amount: money(minor, currency)? }))
        .collect()
}

fn money(minor: i128, currency: Currency) -> Result<Money, ReportError> {
    let minor = i64::try_from(minor).map_err(|_| ar_core::MoneyError::Overflow { currency })?;
    Ok(Money::from_minor(minor, currency)?)
}

impl DailyCashReport {
    /// The report for `day`.
    pub fn build(history: &History<'_>, day: NaiveDate) -> Result<DailyCashReport, ReportError> {
        let mut cash: BTreeMap<(Currency, &'static str), (u64, i128)> = BTreeMap::new();
        let mut billed = Tally::new();
        for (event, _) in history.journal().iter().zip(history.counts_from()).filter(|(_, d)| **d == day) {
            match &event.change {
                Change::PaymentReceived(doc) => {
                    let entry = cash.entry((doc.amount.currency(), doc.method.kind())).or_default();
                    entry.0 += 1;
                    entry.1 += i128::from(doc.amount.minor());
                }
                Change::InvoiceIssued(doc) => {
                    let entry = billed.entry(doc.currency).or_default();
                    entry.0 += 1;
                    entry.1 += i128::from(doc.totals.total.minor());
                }
                _ => {}
            }
        }
        let (mut open, mut overdue) = (Tally::new(), Tally::new());
        for item in history.as_of(day)?.open_items() {
            if !matches!(item.kind, OpenItemKind::Invoice | OpenItemKind::DebitMemo) {
                continue;
            }
            let currency = item.open.currency();
            let targets =
                if item.due_date < day { [Some(&mut open), Some(&mut overdue)] } else { [Some(&mut open), None] };
            for tally in targets.into_iter().flatten() {
                let entry = tally.entry(currency).or_default();
                entry.0 += 1;
                entry.1 += i128::from(item.open.minor());
            }
        }
        let cash = cash
            .into_iter()
            .map(|((currency, method), (count, minor))| {
                Ok(CashByMethod { currency, method, count, amount: money(minor, currency)? })
            })
            .collect::<Result<_, ReportError>>()?;
        Ok(DailyCashReport { day, cash, billed: counts(billed)?, open: counts(open)?, overdue: counts(overdue)? })
    }
}
