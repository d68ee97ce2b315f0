//! Customer statements: the open items on a date, and the activity of a period
//! with a running balance.

use std::collections::BTreeMap;

use ar_core::{
    CashApplied, CashSource, Change, Currency, CustomerId, DeductionResolution, DocumentRef, Event, InvoiceKind, Money,
    OpenItem,
};
use chrono::NaiveDate;

use super::error::ReportError;
use super::history::{History, Snapshot, payment_number};
use crate::Buckets;

/// One open document on a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// The open item (its due date is that of its oldest open installment).
    pub item: OpenItem,
    /// Statement date − due date: negative while not yet due.
    pub days_past_due: i64,
    /// The aging bucket of `days_past_due`, by index.
    pub bucket: usize,
    /// That bucket's label.
    pub bucket_label: String,
}

/// An open-item statement: each document open on the statement date, with its
/// days past due and aging bucket, and the balance.
///
/// ```
/// use ar_aging::Buckets;
/// use ar_aging::reports::{History, OpenItemStatement};
/// # use ar_core::*;
/// # use chrono::NaiveDate;
/// # use rust_decimal_macros::dec;
/// # let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).ok_or("bad date");
/// # let clerk = Actor::new("maria", "clerk");
/// # let acme = CustomerId::from_u128(1);
/// # let mut ledger = Ledger::new(LedgerConfig::new());
/// # let mut run = |n: u128, date, action| {
/// #     ledger.execute(Command { id: CommandId::from_u128(n), effective_date: date, actor: clerk.clone(), action })
/// #         .map(|events| events.len())
/// # };
/// # run(1, day(1, 1)?, Action::RegisterCustomer(RegisterCustomer {
/// #     customer: acme, name: "Acme".into(), currency: Currency::USD,
/// #     terms: PaymentTerms::net_30(), credit_limit: None, collector: None,
/// # }))?;
/// # run(2, day(1, 1)?, Action::IssueInvoice(IssueInvoice {
/// #     invoice: InvoiceId::from_u128(10), number: "INV-1".into(), customer: acme,
/// #     kind: InvoiceKind::Invoice, document_date: day(1, 1)?,
/// #     lines: vec![DocumentLine { description: "Widgets".into(), quantity: dec!(1),
/// #         unit_price: dec!(100.00), discount: None, taxes: vec![] }],
/// #     discount: None, terms: None, tax_rounding: TaxRounding::PerLine, rounding: Rounding::HalfUp,
/// # }))?;
/// // INV-1: 100.00 due 2026-01-31.
/// let history = History::new(ledger.journal())?;
/// let statement = OpenItemStatement::build(&history, acme, day(2, 15)?, &Buckets::standard())?;
/// assert_eq!(statement.lines[0].days_past_due, 15);
/// assert_eq!(statement.lines[0].bucket_label, "1–30");
/// assert_eq!(statement.balance.amount(), dec!(100.00));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItemStatement {
    /// The customer.
    pub customer: CustomerId,
    /// The statement date.
    pub as_of: NaiveDate,
    /// Open documents, by due date, document date, number.
    pub lines: Vec<StatementLine>,
    /// Per bucket (youngest first): label and the sum of its lines.
    pub bucket_totals: Vec<(String, Money)>,
    /// The sum of all lines: what the customer owes net of cash and credit.
    pub balance: Money,
}

impl OpenItemStatement {
    /// The statement of `customer` at the end of `as_of`, bucketed by `buckets`.
    pub fn build(
        history: &History<'_>,
        customer: CustomerId,
        as_of: NaiveDate,
        buckets: &Buckets,
    ) -> Result<OpenItemStatement, ReportError> {
        history.customer_currency(customer)?;
        OpenItemStatement::from_snapshot(&history.as_of(as_of)?, customer, buckets)
    }

    /// The statements of every customer, by customer id, from one fold of the journal.
    pub fn build_all(
        history: &History<'_>,
        as_of: NaiveDate,
        buckets: &Buckets,
    ) -> Result<Vec<OpenItemStatement>, ReportError> {
        let snapshot = history.as_of(as_of)?;
        history.customers().map(|c| OpenItemStatement::from_snapshot(&snapshot, c, buckets)).collect()
    }

    fn from_snapshot(
        snapshot: &Snapshot<'_, '_>,
        customer: CustomerId,
        buckets: &Buckets,
    ) -> Result<OpenItemStatement, ReportError> {
        let as_of = snapshot.date();
        let currency = snapshot.history().customer_currency(customer)?;
        let items = snapshot.customer_open_items(customer)?;
        let labels = buckets.labels();
        let mut sums = vec![0i64; labels.len()];
        let mut balance = Money::zero(currency);
        let mut lines = Vec::with_capacity(items.len());
        for item in items {
            let days_past_due = (as_of - item.due_date).num_days();
            let bucket = buckets.bucket_of(i32::try_from(days_past_due).unwrap_or(i32::MAX));
            if let Some(sum) = sums.get_mut(bucket) {
                *sum += item.open.minor();
            }
            balance = balance.checked_add(item.open)?;
            let bucket_label = labels.get(bucket).cloned().unwrap_or_default();
            lines.push(StatementLine { item, days_past_due, bucket, bucket_label });
        }
        let mut bucket_totals = Vec::with_capacity(labels.len());
        for (label, sum) in labels.iter().zip(sums) {
            bucket_totals.push((label.clone(), Money::from_minor(sum, currency)?));
        }
        Ok(OpenItemStatement { customer, as_of, lines, bucket_totals, balance })
    }
}

/// What an activity line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ActivityKind {
    /// An invoice issued (raises the balance).
    Invoice,
    /// A debit memo issued (raises the balance).
    DebitMemo,
    /// A credit memo issued (lowers the balance).
    CreditMemo,
    /// A payment received (lowers the balance).
    Payment,
    /// An early-payment discount taken (lowers the balance).
    Discount,
    /// An invoice amount written off (lowers the balance).
    WriteOff,
    /// A deduction written off (lowers the balance).
    DeductionWrittenOff,
    /// A deduction closed because it was rebilled as a debit memo (lowers the
    /// balance; the debit memo raises it again).
    DeductionRebilled,
    /// Unapplied cash or credit paid back (raises the balance).
    Refund,
    /// A reversed application gives back its discounts and write-offs (raises the balance).
    Reversal,
    /// An invoice voided (lowers the balance by its total).
    Void,
}

/// One line of an activity statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityLine {
    /// The date the event counts from (its effective date unless it acts on a
    /// record dated later; see [`History`]).
    pub date: NaiveDate,
    /// The event's sequence number.
    pub sequence: u64,
    /// What happened.
    pub kind: ActivityKind,
    /// The document it concerns.
    pub document: DocumentRef,
    /// Its number (for payments, the payer's reference or the payment id).
    pub number: String,
    /// The change to the balance: positive raises what the customer owes.
    pub amount: Money,
    /// The balance after this line.
    pub balance: Money,
}

/// An activity (balance-forward) statement for a period: the opening balance at
/// the end of the day before `from`, each change to the balance in date then
/// sequence order with a running balance, and the closing balance at the end
/// of `to`.
///
/// The balance is [`ar_core::CustomerBalance::balance`]: open invoices and
/// deductions less unapplied cash and credit. Events that move money without
/// changing it (applying cash, short payments turned into deductions, disputes)
/// have no line. `opening + Σ lines = closing` is checked against two folds of
/// the journal; a journal that contradicts it gives
/// [`ReportError::DoesNotAddUp`].
///
/// ```
/// use ar_aging::reports::{ActivityKind, ActivityStatement, History};
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
/// #     terms: PaymentTerms::net_30(), credit_limit: None, collector: None,
/// # }))?;
/// # run(2, day(1)?, Action::IssueInvoice(IssueInvoice {
/// #     invoice: InvoiceId::from_u128(10), number: "INV-1".into(), customer: acme,
/// #     kind: InvoiceKind::Invoice, document_date: day(1)?,
/// #     lines: vec![DocumentLine { description: "Widgets".into(), quantity: dec!(1),
/// #         unit_price: dec!(100.00), discount: None, taxes: vec![] }],
/// #     discount: None, terms: None, tax_rounding: TaxRounding::PerLine, rounding: Rounding::HalfUp,
/// # }))?;
/// # run(3, day(9)?, Action::ReceivePayment(ReceivePayment {
/// #     payment: PaymentId::from_u128(20), customer: acme,
/// #     amount: Money::new(dec!(40.00), Currency::USD)?, received: day(9)?,
/// #     method: PaymentMethod::Wire, payer_reference: "INV-1".into(),
/// #     remittance: FreeText::default(), deposit: None,
/// # }))?;
/// // INV-1 for 100.00 on March 1, a payment of 40.00 on March 9.
/// let history = History::new(ledger.journal())?;
/// let statement = ActivityStatement::build(&history, acme, day(1)?, day(31)?)?;
/// let running: Vec<_> = statement.lines.iter().map(|l| (l.kind, l.balance.amount())).collect();
/// assert_eq!(running, [(ActivityKind::Invoice, dec!(100.00)), (ActivityKind::Payment, dec!(60.00))]);
/// assert_eq!(statement.closing.amount(), dec!(60.00));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityStatement {
    /// The customer.
    pub customer: CustomerId,
    /// The first day of the period.
    pub from: NaiveDate,
    /// The last day of the period.
    pub to: NaiveDate,
    /// The balance at the end of the day before `from`.
    pub opening: Money,
    /// The changes, by date then sequence.
    pub lines: Vec<ActivityLine>,
    /// The balance at the end of `to`.
    pub closing: Money,
}

impl ActivityStatement {
    /// The statement of `customer` for the days `from` to `to`, both included.
    pub fn build(
        history: &History<'_>,
        customer: CustomerId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ActivityStatement, ReportError> {
        history.customer_currency(customer)?;
        let (opening, closing) = period_snapshots(history, from, to)?;
        let mut raw: Vec<RawLine> = Vec::new();
        for (event, &date) in history.journal().iter().zip(history.counts_from()) {
            if date >= from && date <= to {
                effects(history, event, customer, &mut |kind, document, number, minor| {
                    raw.push(RawLine { date, sequence: event.sequence, kind, document, number, minor });
                });
            }
        }
        assemble(&opening, &closing, customer, from, to, raw)
    }

    /// The statements of every customer, by customer id, from two folds and one
    /// pass over the journal (a statement run for all customers stays linear).
    pub fn build_all(
        history: &History<'_>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ActivityStatement>, ReportError> {
        let (opening, closing) = period_snapshots(history, from, to)?;
        let mut raw: BTreeMap<CustomerId, Vec<RawLine>> = BTreeMap::new();
        for (event, &date) in history.journal().iter().zip(history.counts_from()) {
            if date < from || date > to {
                continue;
            }
            if let Some(customer) = event_customer(history, event) {
                let lines = raw.entry(customer).or_default();
                effects(history, event, customer, &mut |kind, document, number, minor| {
                    lines.push(RawLine { date, sequence: event.sequence, kind, document, number, minor });
                });
            }
        }
        history
            .customers()
            .map(|c| assemble(&opening, &closing, c, from, to, raw.remove(&c).unwrap_or_default()))
            .collect()
    }

    /// The sum of the lines.
    pub fn activity(&self) -> Result<Money, ReportError> {
        let mut sum = Money::zero(self.opening.currency());
        for line in &self.lines {
            sum = sum.checked_add(line.amount)?;
        }
        Ok(sum)
    }
}

/// One activity line before its running balance.
struct RawLine {
    date: NaiveDate,
    sequence: u64,
    kind: ActivityKind,
    document: DocumentRef,
    number: String,
    minor: i64,
}

/// The ledger at the end of the day before `from` and at the end of `to`.
fn period_snapshots<'h, 'a>(
    history: &'h History<'a>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Snapshot<'h, 'a>, Snapshot<'h, 'a>), ReportError> {
    let day_before = from.pred_opt().filter(|_| from <= to).ok_or(ReportError::InvalidPeriod { from, to })?;
    Ok((history.as_of(day_before)?, history.as_of(to)?))
}

/// Orders the lines, runs the balance and checks it lands on the closing balance.
fn assemble(
    opening: &Snapshot<'_, '_>,
    closing: &Snapshot<'_, '_>,
    customer: CustomerId,
    from: NaiveDate,
    to: NaiveDate,
    mut raw: Vec<RawLine>,
) -> Result<ActivityStatement, ReportError> {
    let opening = opening.balance(customer)?.balance;
    let closing = closing.balance(customer)?.balance;
    let currency = opening.currency();
    // Stable: lines of one event keep the order they were pushed in.
    raw.sort_by_key(|line| (line.date, line.sequence));
    let mut running = i128::from(opening.minor());
    let mut lines = Vec::with_capacity(raw.len());
    for RawLine { date, sequence, kind, document, number, minor } in raw {
        running += i128::from(minor);
        let balance = money(running, currency)?;
        let amount = money(minor.into(), currency)?;
        lines.push(ActivityLine { date, sequence, kind, document, number, amount, balance });
    }
    if running != i128::from(closing.minor()) {
        return Err(ReportError::DoesNotAddUp {
            customer,
            currency,
            opening: opening.amount(),
            activity: money(running - i128::from(opening.minor()), currency)?.amount(),
            closing: closing.amount(),
        });
    }
    Ok(ActivityStatement { customer, from, to, opening, lines, closing })
}

/// The customer whose balance `event` may change.
fn event_customer(history: &History<'_>, event: &Event) -> Option<CustomerId> {
    let invoice_customer =
        |id| history.invoice_index(id).and_then(|i| history.invoices.get(i as usize)).map(|d| d.customer);
    match &event.change {
        Change::InvoiceIssued(doc) => Some(doc.customer),
        Change::CreditMemoIssued(doc) => Some(doc.customer),
        Change::PaymentReceived(doc) => Some(doc.customer),
        Change::CashApplied(doc) => Some(doc.customer),
        Change::InvoiceVoided(voided) => invoice_customer(voided.invoice),
        Change::InvoiceWrittenOff(w) => invoice_customer(w.invoice),
        Change::ApplicationReversed { application } => history
            .application_index(*application)
            .and_then(|a| history.applications.get(a as usize))
            .map(|d| d.customer),
        Change::Refunded(r) => source_owner(history, r.source).map(|x| x.0),
        Change::DeductionResolved(r) => {
            history.deduction_index(r.deduction).and_then(|d| history.deductions.get(d as usize)).map(|r| r.customer)
        }
        _ => None,
    }
}

fn money(minor: i128, currency: Currency) -> Result<Money, ReportError> {
    let minor = i64::try_from(minor).map_err(|_| ar_core::MoneyError::Overflow { currency })?;
    Ok(Money::from_minor(minor, currency)?)
}

/// Calls `line` for each change `event` makes to `customer`'s balance.
fn effects(
    history: &History<'_>,
    event: &Event,
    customer: CustomerId,
    line: &mut dyn FnMut(ActivityKind, DocumentRef, String, i64),
) {
    let invoice_of = |id| history.invoice_index(id).and_then(|i| history.invoices.get(i as usize).copied());
    match &event.change {
        Change::InvoiceIssued(doc) if doc.customer == customer => {
            let kind = match doc.kind {
                InvoiceKind::Invoice => ActivityKind::Invoice,
                _ => ActivityKind::DebitMemo,
            };
            line(kind, DocumentRef::Invoice(doc.invoice), doc.number.clone(), doc.totals.total.minor());
        }
        Change::CreditMemoIssued(doc) if doc.customer == customer => {
            let document = DocumentRef::CreditMemo(doc.credit_memo);
            line(ActivityKind::CreditMemo, document, doc.number.clone(), -doc.totals.total.minor());
        }
        Change::PaymentReceived(doc) if doc.customer == customer => {
            let document = DocumentRef::Payment(doc.payment);
            line(ActivityKind::Payment, document, payment_number(doc), -doc.amount.minor());
        }
        Change::InvoiceVoided(voided) => {
            if let Some(doc) = invoice_of(voided.invoice).filter(|d| d.customer == customer) {
                let document = DocumentRef::Invoice(doc.invoice);
                line(ActivityKind::Void, document, doc.number.clone(), -doc.totals.total.minor());
            }
        }
        Change::InvoiceWrittenOff(w) => {
            if let Some(doc) = invoice_of(w.invoice).filter(|d| d.customer == customer) {
                line(ActivityKind::WriteOff, DocumentRef::Invoice(doc.invoice), doc.number.clone(), -w.amount.minor());
            }
        }
        Change::CashApplied(doc) if doc.customer == customer => application_lines(history, doc, 1, line),
        Change::ApplicationReversed { application } => {
            let doc = history.application_index(*application).and_then(|a| history.applications.get(a as usize));
            if let Some(doc) = doc.filter(|d| d.customer == customer) {
                application_lines(history, doc, -1, line);
            }
        }
        Change::Refunded(r) => {
            if let Some((owner, document, number)) = source_owner(history, r.source)
                && owner == customer
            {
                line(ActivityKind::Refund, document, number, r.amount.minor());
            }
        }
        Change::DeductionResolved(resolved) => {
            let (deduction, amount) = (resolved.deduction, resolved.amount);
            let record = history.deduction_index(deduction).and_then(|d| history.deductions.get(d as usize));
            let Some(record) = record.filter(|r| r.customer == customer) else { return };
            let kind = match resolved.resolution {
                DeductionResolution::WriteOff { .. } => ActivityKind::DeductionWrittenOff,
                DeductionResolution::Rebill { .. } => ActivityKind::DeductionRebilled,
                // A valid deduction consumes the credit memo issued for it, and a
                // repaid one the cash that repays it: the balance does not move.
                _ => return,
            };
            let number = history.invoice_number(record.invoice);
            line(kind, DocumentRef::Deduction(deduction), number, -amount.minor());
        }
        _ => {}
    }
}

/// Discounts and write-offs of an application (cash and deductions move money
/// between the customer's documents and leave the balance as it is).
fn application_lines(
    history: &History<'_>,
    doc: &CashApplied,
    sign: i64,
    line: &mut dyn FnMut(ActivityKind, DocumentRef, String, i64),
) {
    let number = |id| history.invoice_index(id).map(|i| history.invoice_number(i)).unwrap_or_default();
    let (discount, write_off) = if sign > 0 {
        (ActivityKind::Discount, ActivityKind::WriteOff)
    } else {
        (ActivityKind::Reversal, ActivityKind::Reversal)
    };
    for a in doc.allocations.iter().filter(|a| !a.discount.is_zero()) {
        line(discount, DocumentRef::Invoice(a.invoice), number(a.invoice), -sign * a.discount.minor());
    }
    for w in doc.write_offs.iter().filter(|w| !w.amount.is_zero()) {
        line(write_off, DocumentRef::Invoice(w.invoice), number(w.invoice), -sign * w.amount.minor());
    }
}

fn source_owner(history: &History<'_>, source: CashSource) -> Option<(CustomerId, DocumentRef, String)> {
    match source {
        CashSource::Payment(p) => {
            let doc = history.payment_index(p).and_then(|i| history.payments.get(i as usize))?;
            Some((doc.customer, DocumentRef::Payment(p), payment_number(doc)))
        }
        CashSource::CreditMemo(k) => {
            let doc = history.credit_index(k).and_then(|i| history.credits.get(i as usize))?;
            Some((doc.customer, DocumentRef::CreditMemo(k), doc.number.clone()))
        }
        _ => None,
    }
}
