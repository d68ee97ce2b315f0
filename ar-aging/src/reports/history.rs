//! The ledger as it stood on a past date, folded from its journal.

use std::collections::BTreeMap;

use ar_core::{
    ApplicationId, CashApplied, CashSource, Change, CreditMemoId, CreditMemoIssued, Currency, CustomerBalance,
    CustomerId, DeductionId, DeductionOpened, DeductionResolution, DisputeId, DocumentRef, Event, InvoiceId,
    InvoiceIssued, InvoiceKind, Money, OpenInstallment, OpenItem, OpenItemKind, PaymentId, ReceivePayment,
    RegisterCustomer,
};
use chrono::NaiveDate;

use super::error::ReportError;
use crate::{OpenItemRow, OpenItems, OpenItemsBuilder};

/// A journal indexed once for reports: every record's id resolved, every
/// event's counting date computed.
///
/// # The date rule
///
/// An event *counts from* the later of its own effective date and the dates the
/// records it acts on count from: an application counts once both its payment
/// (or credit memo) and its invoices exist, a refund once its payment exists, a
/// reversal once its application exists. As of a date `D`, the events counting
/// from `D` or earlier are folded in sequence order; the others are skipped, not
/// stopped at, because a host may back-date a command. Customer registrations
/// count from the beginning of time: an account is master data, and a host that
/// migrates old invoices registers the customer after their dates.
///
/// With this rule, whatever counts as of `D` only refers to records that count
/// as of `D`, and an activity statement built from the same dates adds up. A
/// journal can still contradict itself as of a date (a back-dated application
/// that re-uses cash freed by a later-dated reversal): the fold then stops with
/// [`ReportError::Overdrawn`] instead of showing a negative balance.
///
/// Building it reads the journal once; every [`History::as_of`] fold after
/// reads it once more. Lookups go through sorted maps, so a fold of `n` events
/// costs `O(n log n)` and uses no hash order.
///
/// ```
/// use ar_aging::reports::History;
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
/// // A ledger with INV-1 (100.00) issued on March 1 and a payment of 40.00 on March 9:
/// # run(3, day(9)?, Action::ReceivePayment(ReceivePayment {
/// #     payment: PaymentId::from_u128(20), customer: acme,
/// #     amount: Money::new(dec!(40.00), Currency::USD)?, received: day(9)?,
/// #     method: PaymentMethod::Wire, payer_reference: "INV-1".into(),
/// #     remittance: FreeText::default(), deposit: None,
/// # }))?;
/// let history = History::new(ledger.journal())?;
/// let before = history.as_of(day(5)?)?;
/// assert_eq!(before.balance(acme)?.balance.amount(), dec!(100.00));
/// let after = history.as_of(day(9)?)?;
/// assert_eq!(after.balance(acme)?.balance.amount(), dec!(60.00));
/// assert_eq!(after.open_items(), ledger.all_open_items());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct History<'a> {
    pub(crate) journal: &'a [Event],
    /// The date each event counts from, by position in the journal.
    pub(crate) counts_from: Vec<NaiveDate>,
    pub(crate) customers: BTreeMap<CustomerId, CustomerRecords<'a>>,
    pub(crate) invoices: Vec<&'a InvoiceIssued>,
    pub(crate) payments: Vec<&'a ReceivePayment>,
    pub(crate) credits: Vec<&'a CreditMemoIssued>,
    pub(crate) applications: Vec<&'a CashApplied>,
    pub(crate) deductions: Vec<DeductionRecord<'a>>,
    pub(crate) disputes: Vec<(u32, i64)>,
    /// Each event with its references resolved to table positions, by journal position.
    steps: Vec<Step>,
    /// Each application resolved: source, cash, parts per invoice, deductions opened.
    resolved: Vec<ResolvedApplication>,
    index: Index,
}

/// What an event does to balances, with every id resolved once at indexing so
/// a fold reads only vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Nothing,
    Invoice(u32),
    Credit(u32),
    Payment(u32),
    Void(u32),
    Apply(u32),
    Reverse(u32),
    Refund(Source, i64),
    WriteOff(u32, i64),
    ResolveDeduction(u32, Option<(Source, i64)>),
    OpenDispute(u32),
    ResolveDispute(u32),
}

/// What one application does to one invoice, in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Part {
    invoice: u32,
    cash: i64,
    discount: i64,
    write_off: i64,
    deduction: i64,
}

/// An application's parts while its lines are read: one per invoice, in
/// first-met order. A remittance can settle tens of thousands of invoices, so
/// past [`Parts::SCAN_MAX`] lines the parts are found through a map where a
/// scan of those met so far would make reading it quadratic.
struct Parts {
    list: Vec<Part>,
    /// Each invoice's position in `list`, for applications of many lines.
    slots: Option<BTreeMap<u32, usize>>,
}

impl Parts {
    /// Up to this many lines, an invoice's part is found by a scan.
    const SCAN_MAX: usize = 32;

    fn new(lines: usize) -> Self {
        let slots = (lines > Parts::SCAN_MAX).then(BTreeMap::new);
        Parts { list: Vec::with_capacity(lines), slots }
    }

    /// The part of invoice `i`, added empty if it has none yet.
    fn of(&mut self, i: u32) -> &mut Part {
        let at = match &mut self.slots {
            None => self.list.iter().position(|p| p.invoice == i).unwrap_or(self.list.len()),
            Some(slots) => *slots.entry(i).or_insert(self.list.len()),
        };
        if at == self.list.len() {
            self.list.push(Part { invoice: i, ..Part::default() });
        }
        &mut self.list[at]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ResolvedApplication {
    source: Source,
    cash: i64,
    parts: Vec<Part>,
    deductions: Vec<u32>,
}

/// A customer's registration and records, as positions in the history's tables.
#[derive(Debug, Clone)]
pub(crate) struct CustomerRecords<'a> {
    pub(crate) registration: &'a RegisterCustomer,
    pub(crate) invoices: Vec<u32>,
    pub(crate) payments: Vec<u32>,
    pub(crate) credits: Vec<u32>,
    pub(crate) deductions: Vec<u32>,
}

/// A deduction as opened by an application.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeductionRecord<'a> {
    pub(crate) opened: &'a DeductionOpened,
    pub(crate) customer: CustomerId,
    pub(crate) invoice: u32,
    pub(crate) date: NaiveDate,
}

#[derive(Debug, Clone, Default)]
struct Index {
    invoices: BTreeMap<InvoiceId, (u32, NaiveDate)>,
    payments: BTreeMap<PaymentId, (u32, NaiveDate)>,
    credits: BTreeMap<CreditMemoId, (u32, NaiveDate)>,
    applications: BTreeMap<ApplicationId, (u32, NaiveDate)>,
    deductions: BTreeMap<DeductionId, (u32, NaiveDate)>,
    disputes: BTreeMap<DisputeId, (u32, NaiveDate)>,
}

fn unknown(sequence: u64, kind: &str, id: impl std::fmt::Display) -> ReportError {
    ReportError::UnknownRecord { sequence, record: format!("{kind} {id}") }
}

fn find<K: Ord + Copy + std::fmt::Display>(
    map: &BTreeMap<K, (u32, NaiveDate)>,
    id: K,
    sequence: u64,
    kind: &str,
) -> Result<(u32, NaiveDate), ReportError> {
    map.get(&id).copied().ok_or_else(|| unknown(sequence, kind, id))
}

fn index_len(len: usize, sequence: u64) -> Result<u32, ReportError> {
    u32::try_from(len).map_err(|_| unknown(sequence, "record beyond the 4 billionth of its kind", len))
}

impl<'a> History<'a> {
    /// Indexes a journal: checks it is in sequence order and that every event
    /// refers only to records created before it, and computes the date each
    /// event counts from.
    pub fn new(journal: &'a [Event]) -> Result<History<'a>, ReportError> {
        let mut history = History {
            journal,
            counts_from: Vec::with_capacity(journal.len()),
            customers: BTreeMap::new(),
            invoices: Vec::new(),
            payments: Vec::new(),
            credits: Vec::new(),
            applications: Vec::new(),
            deductions: Vec::new(),
            disputes: Vec::new(),
            steps: Vec::with_capacity(journal.len()),
            resolved: Vec::new(),
            index: Index::default(),
        };
        let mut previous: Option<u64> = None;
        for (position, event) in journal.iter().enumerate() {
            if let Some(previous) = previous.filter(|p| *p >= event.sequence) {
                return Err(ReportError::OutOfSequence { position, sequence: event.sequence, previous });
            }
            previous = Some(event.sequence);
            let (date, step) = history.index_event(event)?;
            history.counts_from.push(date);
            history.steps.push(step);
        }
        Ok(history)
    }

    /// The journal this history reads.
    pub fn journal(&self) -> &'a [Event] {
        self.journal
    }

    /// The date each event counts from, in journal order (see the module docs).
    pub fn counts_from(&self) -> &[NaiveDate] {
        &self.counts_from
    }

    /// The customers, by id.
    pub fn customers(&self) -> impl Iterator<Item = CustomerId> + '_ {
        self.customers.keys().copied()
    }

    /// A customer's account currency.
    pub fn customer_currency(&self, customer: CustomerId) -> Result<Currency, ReportError> {
        self.customers.get(&customer).map(|c| c.registration.currency).ok_or(ReportError::UnknownCustomer(customer))
    }

    /// A customer's collector, if one was assigned at registration.
    pub fn customer_collector(&self, customer: CustomerId) -> Result<Option<&'a str>, ReportError> {
        let c = self.customers.get(&customer).ok_or(ReportError::UnknownCustomer(customer))?;
        Ok(c.registration.collector.as_deref())
    }

    fn customer(&mut self, id: CustomerId, sequence: u64) -> Result<&mut CustomerRecords<'a>, ReportError> {
        self.customers.get_mut(&id).ok_or_else(|| unknown(sequence, "customer", id))
    }

    fn invoice_ref(&self, id: InvoiceId, sequence: u64) -> Result<(u32, NaiveDate), ReportError> {
        find(&self.index.invoices, id, sequence, "invoice")
    }

    /// Records what the event creates; returns the date it counts from and its step.
    fn index_event(&mut self, event: &'a Event) -> Result<(NaiveDate, Step), ReportError> {
        let seq = event.sequence;
        let own = event.effective_date;
        let step = match &event.change {
            Change::CustomerRegistered(reg) => {
                let records = CustomerRecords {
                    registration: reg,
                    invoices: Vec::new(),
                    payments: Vec::new(),
                    credits: Vec::new(),
                    deductions: Vec::new(),
                };
                if self.customers.insert(reg.customer, records).is_some() {
                    return Err(unknown(seq, "second registration of customer", reg.customer));
                }
                (NaiveDate::MIN, Step::Nothing)
            }
            Change::InvoiceIssued(doc) => {
                let ix = index_len(self.invoices.len(), seq)?;
                self.customer(doc.customer, seq)?.invoices.push(ix);
                self.invoices.push(doc);
                self.index.invoices.insert(doc.invoice, (ix, own));
                (own, Step::Invoice(ix))
            }
            Change::CreditMemoIssued(doc) => {
                let ix = index_len(self.credits.len(), seq)?;
                self.customer(doc.customer, seq)?.credits.push(ix);
                self.credits.push(doc);
                self.index.credits.insert(doc.credit_memo, (ix, own));
                (own, Step::Credit(ix))
            }
            Change::PaymentReceived(doc) => {
                let ix = index_len(self.payments.len(), seq)?;
                self.customer(doc.customer, seq)?.payments.push(ix);
                self.payments.push(doc);
                self.index.payments.insert(doc.payment, (ix, own));
                (own, Step::Payment(ix))
            }
            Change::InvoiceVoided(voided) => {
                let (i, from) = self.invoice_ref(voided.invoice, seq)?;
                (own.max(from), Step::Void(i))
            }
            Change::InvoiceWrittenOff(w) => {
                let (i, from) = self.invoice_ref(w.invoice, seq)?;
                (own.max(from), Step::WriteOff(i, w.amount.minor()))
            }
            Change::CashApplied(doc) => self.index_application(doc, own, seq)?,
            Change::ApplicationReversed { application } => {
                let (a, from) = find(&self.index.applications, *application, seq, "application")?;
                (own.max(from), Step::Reverse(a))
            }
            Change::Refunded(r) => {
                let (s, from) = self.source_ref(r.source, seq)?;
                (own.max(from), Step::Refund(s, r.amount.minor()))
            }
            Change::DeductionReviewStarted { deduction } => {
                (own.max(find(&self.index.deductions, *deduction, seq, "deduction")?.1), Step::Nothing)
            }
            Change::DeductionResolved(resolved) => {
                let (d, from) = find(&self.index.deductions, resolved.deduction, seq, "deduction")?;
                let (mut date, amount) = (own.max(from), resolved.amount);
                let mut uses = None;
                match &resolved.resolution {
                    DeductionResolution::Valid { credit_memo, .. } => {
                        let (k, from) = find(&self.index.credits, *credit_memo, seq, "credit memo")?;
                        date = date.max(from);
                        uses = Some((Source::Credit(k), amount.minor()));
                    }
                    DeductionResolution::Rebill { debit_memo, .. } => {
                        date = date.max(self.invoice_ref(*debit_memo, seq)?.1);
                    }
                    DeductionResolution::Repaid { payment } => {
                        let (p, from) = find(&self.index.payments, *payment, seq, "payment")?;
                        date = date.max(from);
                        uses = Some((Source::Payment(p), amount.minor()));
                    }
                    _ => {}
                }
                (date, Step::ResolveDeduction(d, uses))
            }
            Change::DisputeOpened(opened) => {
                let (i, from) = self.invoice_ref(opened.invoice, seq)?;
                let date = own.max(from);
                let ix = index_len(self.disputes.len(), seq)?;
                self.disputes.push((i, opened.amount.minor()));
                self.index.disputes.insert(opened.dispute, (ix, date));
                (date, Step::OpenDispute(ix))
            }
            Change::DisputeResolved(resolved) => {
                let (d, from) = find(&self.index.disputes, resolved.dispute, seq, "dispute")?;
                (own.max(from), Step::ResolveDispute(d))
            }
            _ => (own, Step::Nothing),
        };
        Ok(step)
    }

    fn index_application(
        &mut self,
        doc: &'a CashApplied,
        own: NaiveDate,
        seq: u64,
    ) -> Result<(NaiveDate, Step), ReportError> {
        let (source, from) = self.source_ref(doc.source, seq)?;
        let mut date = own.max(from);
        let mut parts = Parts::new(doc.allocations.len() + doc.write_offs.len() + doc.deductions.len());
        let mut cash = 0i64;
        for a in &doc.allocations {
            cash += a.cash.minor();
            let (c, d) = (a.cash.minor(), a.discount.minor());
            self.add_part(&mut parts, &mut date, a.invoice, seq, |p| {
                p.cash += c;
                p.discount += d;
            })?;
        }
        for w in &doc.write_offs {
            let m = w.amount.minor();
            self.add_part(&mut parts, &mut date, w.invoice, seq, |p| p.write_off += m)?;
        }
        for d in &doc.deductions {
            let m = d.amount.minor();
            self.add_part(&mut parts, &mut date, d.invoice, seq, |p| p.deduction += m)?;
        }
        let parts = parts.list;
        let app = index_len(self.applications.len(), seq)?;
        self.applications.push(doc);
        self.index.applications.insert(doc.application, (app, date));
        let mut deductions = Vec::with_capacity(doc.deductions.len());
        for opened in &doc.deductions {
            let ix = index_len(self.deductions.len(), seq)?;
            let invoice = self.invoice_ref(opened.invoice, seq)?.0;
            self.customer(doc.customer, seq)?.deductions.push(ix);
            self.deductions.push(DeductionRecord { opened, customer: doc.customer, invoice, date: own });
            self.index.deductions.insert(opened.deduction, (ix, date));
            deductions.push(ix);
        }
        self.resolved.push(ResolvedApplication { source, cash, parts, deductions });
        Ok((date, Step::Apply(app)))
    }

    /// Adds to the part of `invoice` (one part per invoice, in first-met order).
    fn add_part(
        &self,
        parts: &mut Parts,
        date: &mut NaiveDate,
        invoice: InvoiceId,
        seq: u64,
        add: impl FnOnce(&mut Part),
    ) -> Result<(), ReportError> {
        let (i, from) = self.invoice_ref(invoice, seq)?;
        *date = (*date).max(from);
        add(parts.of(i));
        Ok(())
    }

    fn source_ref(&self, source: CashSource, sequence: u64) -> Result<(Source, NaiveDate), ReportError> {
        match source {
            CashSource::Payment(p) => {
                find(&self.index.payments, p, sequence, "payment").map(|(i, d)| (Source::Payment(i), d))
            }
            CashSource::CreditMemo(k) => {
                find(&self.index.credits, k, sequence, "credit memo").map(|(i, d)| (Source::Credit(i), d))
            }
            _ => Err(unknown(sequence, "cash source", format!("{source:?}"))),
        }
    }

    pub(crate) fn invoice_index(&self, id: InvoiceId) -> Option<u32> {
        self.index.invoices.get(&id).map(|x| x.0)
    }

    pub(crate) fn application_index(&self, id: ApplicationId) -> Option<u32> {
        self.index.applications.get(&id).map(|x| x.0)
    }

    pub(crate) fn deduction_index(&self, id: DeductionId) -> Option<u32> {
        self.index.deductions.get(&id).map(|x| x.0)
    }

    pub(crate) fn payment_index(&self, id: PaymentId) -> Option<u32> {
        self.index.payments.get(&id).map(|x| x.0)
    }

    pub(crate) fn credit_index(&self, id: CreditMemoId) -> Option<u32> {
        self.index.credits.get(&id).map(|x| x.0)
    }

    /// The ledger as it stood at the end of `as_of`: every event counting from
    /// that day or earlier, folded in sequence order.
    pub fn as_of(&self, as_of: NaiveDate) -> Result<Snapshot<'_, 'a>, ReportError> {
        let mut snapshot = Snapshot::empty(self, as_of);
        for ((event, &date), &step) in self.journal.iter().zip(&self.counts_from).zip(&self.steps) {
            if date <= as_of {
                snapshot.fold(step, event.sequence, date)?;
            }
        }
        Ok(snapshot)
    }
}

/// Where the money of an application came from, as a table position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Payment(u32),
    Credit(u32),
}

/// One invoice's amounts as of the snapshot's date, in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct InvoiceState {
    pub(crate) live: bool,
    pub(crate) void: bool,
    pub(crate) cash: i64,
    pub(crate) credited: i64,
    pub(crate) discounted: i64,
    pub(crate) written_off: i64,
    pub(crate) deducted: i64,
    pub(crate) disputed: i64,
    /// The date the open amount last fell to zero with cash applied, while it is zero.
    pub(crate) paid_on: Option<NaiveDate>,
}

impl InvoiceState {
    pub(crate) fn settled(&self) -> i64 {
        self.cash + self.credited + self.discounted + self.written_off + self.deducted
    }
}

/// The ledger as it stood on a date: per-document balances folded from the
/// journal. Made by [`History::as_of`].
#[derive(Debug, Clone)]
pub struct Snapshot<'h, 'a> {
    history: &'h History<'a>,
    as_of: NaiveDate,
    pub(crate) invoices: Vec<InvoiceState>,
    /// Used (applied, refunded, repaid) per payment; `None` before it counts.
    payments: Vec<Option<i64>>,
    credits: Vec<Option<i64>>,
    /// `Some(reversed)` once the application counts.
    applications: Vec<Option<bool>>,
    /// `Some(open)` once the deduction counts.
    deductions: Vec<Option<bool>>,
    disputes: Vec<Option<bool>>,
}

impl<'h, 'a> Snapshot<'h, 'a> {
    fn empty(history: &'h History<'a>, as_of: NaiveDate) -> Self {
        Snapshot {
            history,
            as_of,
            invoices: vec![InvoiceState::default(); history.invoices.len()],
            payments: vec![None; history.payments.len()],
            credits: vec![None; history.credits.len()],
            applications: vec![None; history.applications.len()],
            deductions: vec![None; history.deductions.len()],
            disputes: vec![None; history.disputes.len()],
        }
    }

    /// The date this snapshot stands on.
    pub fn date(&self) -> NaiveDate {
        self.as_of
    }

    /// The history it was folded from.
    pub fn history(&self) -> &'h History<'a> {
        self.history
    }

    fn overdrawn(&self, sequence: u64, document: String, detail: &str) -> ReportError {
        ReportError::Overdrawn { as_of: self.as_of, sequence, document, detail: detail.to_owned() }
    }

    /// Folds one event that counts as of the snapshot's date.
    ///
    /// `date` is the date the event counts from: invoices paid by it are paid on that date.
    fn fold(&mut self, step: Step, seq: u64, date: NaiveDate) -> Result<(), ReportError> {
        let missing = |kind: &str| unknown(seq, kind, "that does not count yet");
        match step {
            Step::Nothing => {}
            Step::Invoice(i) => self.invoice_mut(i, seq)?.live = true,
            Step::Credit(k) => *self.credits.get_mut(k as usize).ok_or_else(|| missing("credit memo"))? = Some(0),
            Step::Payment(p) => *self.payments.get_mut(p as usize).ok_or_else(|| missing("payment"))? = Some(0),
            Step::Void(i) => {
                let inv = self.invoice_mut(i, seq)?;
                inv.void = true;
                if inv.settled() != 0 || inv.disputed != 0 {
                    return Err(self.overdrawn(seq, self.history.invoice_number(i), "voided with amounts applied"));
                }
            }
            Step::Apply(a) => self.fold_application(a, seq, date, 1)?,
            Step::Reverse(a) => {
                if self.applications.get(a as usize).copied().flatten() != Some(false) {
                    return Err(missing("unreversed application"));
                }
                self.fold_application(a, seq, date, -1)?;
            }
            Step::Refund(source, amount) => self.use_source(source, amount, seq)?,
            Step::WriteOff(i, amount) => {
                self.invoice_mut(i, seq)?.written_off += amount;
                self.check_invoice(i, seq)?;
                self.track_paid(i, date);
            }
            Step::ResolveDeduction(d, uses) => {
                match self.deductions.get_mut(d as usize) {
                    Some(open @ Some(true)) => *open = Some(false),
                    _ => return Err(missing("open deduction")),
                }
                if let Some((source, amount)) = uses {
                    self.use_source(source, amount, seq)?;
                }
            }
            Step::OpenDispute(d) => {
                let (i, amount) = self.history.disputes.get(d as usize).copied().ok_or_else(|| missing("dispute"))?;
                self.invoice_mut(i, seq)?.disputed += amount;
                *self.disputes.get_mut(d as usize).ok_or_else(|| missing("dispute"))? = Some(true);
                self.check_invoice(i, seq)?;
            }
            Step::ResolveDispute(d) => {
                let (i, amount) = self.history.disputes.get(d as usize).copied().ok_or_else(|| missing("dispute"))?;
                match self.disputes.get_mut(d as usize) {
                    Some(open @ Some(true)) => *open = Some(false),
                    _ => return Err(missing("open dispute")),
                }
                self.invoice_mut(i, seq)?.disputed -= amount;
            }
        }
        Ok(())
    }

    fn invoice_mut(&mut self, i: u32, sequence: u64) -> Result<&mut InvoiceState, ReportError> {
        self.invoices.get_mut(i as usize).ok_or_else(|| unknown(sequence, "invoice", i))
    }

    /// Applies (`sign` 1) or reverses (`sign` −1) application `a`.
    fn fold_application(&mut self, a: u32, seq: u64, date: NaiveDate, sign: i64) -> Result<(), ReportError> {
        let h = self.history;
        let missing = |kind: &str| unknown(seq, kind, "that does not count yet");
        let app = h.resolved.get(a as usize).ok_or_else(|| missing("application"))?;
        let from_credit = matches!(app.source, Source::Credit(_));
        for part in &app.parts {
            let inv = self.invoice_mut(part.invoice, seq)?;
            if from_credit {
                inv.credited += sign * part.cash;
            } else {
                inv.cash += sign * part.cash;
            }
            inv.discounted += sign * part.discount;
            inv.written_off += sign * part.write_off;
            inv.deducted += sign * part.deduction;
        }
        for &k in &app.deductions {
            let slot = self.deductions.get_mut(k as usize).ok_or_else(|| missing("deduction"))?;
            match (sign > 0, *slot) {
                (true, None) => *slot = Some(true),
                (false, Some(true)) => *slot = Some(false),
                _ => return Err(missing("deduction open to reverse")),
            }
        }
        self.use_source(app.source, sign * app.cash, seq)?;
        if let Some(slot) = self.applications.get_mut(a as usize) {
            *slot = Some(sign < 0);
        }
        for part in &app.parts {
            self.check_invoice(part.invoice, seq)?;
            self.track_paid(part.invoice, date);
        }
        Ok(())
    }

    fn track_paid(&mut self, i: u32, date: NaiveDate) {
        let total = self.history.invoice_total(i);
        if let Some(inv) = self.invoices.get_mut(i as usize) {
            let open = total - inv.settled();
            inv.paid_on = match (open == 0 && inv.cash > 0, inv.paid_on) {
                (true, Some(d)) => Some(d),
                (true, None) => Some(date),
                (false, _) => None,
            };
        }
    }

    fn use_source(&mut self, source: Source, delta: i64, seq: u64) -> Result<(), ReportError> {
        let h = self.history;
        let (slot, amount, number) = match source {
            Source::Payment(p) => {
                let doc = h.payments.get(p as usize);
                (self.payments.get_mut(p as usize), doc.map(|d| d.amount.minor()), doc.map(|d| payment_number(d)))
            }
            Source::Credit(k) => {
                let doc = h.credits.get(k as usize);
                (self.credits.get_mut(k as usize), doc.map(|d| d.totals.total.minor()), doc.map(|d| d.number.clone()))
            }
        };
        let (Some(Some(used)), Some(amount)) = (slot, amount) else {
            return Err(unknown(seq, "cash source", "that does not count yet"));
        };
        *used += delta;
        if *used < 0 || *used > amount {
            let document = number.unwrap_or_default();
            return Err(self.overdrawn(seq, document, "more applied or refunded than received"));
        }
        Ok(())
    }

    fn check_invoice(&self, i: u32, seq: u64) -> Result<(), ReportError> {
        let Some(inv) = self.invoices.get(i as usize) else {
            return Err(unknown(seq, "invoice", i));
        };
        let open = self.history.invoice_total(i) - inv.settled();
        let parts = [inv.cash, inv.credited, inv.discounted, inv.written_off, inv.deducted, inv.disputed];
        if !inv.live || open < inv.disputed || parts.iter().any(|p| *p < 0) {
            return Err(self.overdrawn(seq, self.history.invoice_number(i), "more settled than was open"));
        }
        Ok(())
    }

    /// The open amount of invoice `i` (zero when void), in minor units.
    pub(crate) fn invoice_open(&self, i: u32) -> i64 {
        match self.invoices.get(i as usize) {
            Some(inv) if inv.live && !inv.void => self.history.invoice_total(i) - inv.settled(),
            _ => 0,
        }
    }

    /// `true` if invoice `i` is void on the snapshot's date.
    pub(crate) fn invoice_void(&self, i: u32) -> bool {
        self.invoices.get(i as usize).is_some_and(|s| s.void)
    }

    fn payment_unapplied(&self, p: u32) -> Option<(i64, i64)> {
        let used = self.payments.get(p as usize).copied().flatten()?;
        let amount = self.history.payments.get(p as usize)?.amount.minor();
        Some((amount, amount - used))
    }

    fn credit_unapplied(&self, k: u32) -> Option<(i64, i64)> {
        let used = self.credits.get(k as usize).copied().flatten()?;
        let amount = self.history.credits.get(k as usize)?.totals.total.minor();
        Some((amount, amount - used))
    }

    fn deduction_open(&self, d: u32) -> bool {
        self.deductions.get(d as usize).copied().flatten().unwrap_or(false)
    }

    /// A customer's receivable position on the snapshot's date.
    pub fn balance(&self, customer: CustomerId) -> Result<CustomerBalance, ReportError> {
        let c = self.history.customers.get(&customer).ok_or(ReportError::UnknownCustomer(customer))?;
        let cur = c.registration.currency;
        let (mut open, mut disputed, mut deductions, mut cash, mut credit) = (0i64, 0i64, 0i64, 0i64, 0i64);
        for &i in &c.invoices {
            open += self.invoice_open(i);
            disputed += self.invoices.get(i as usize).map_or(0, |s| if s.void { 0 } else { s.disputed });
        }
        for &d in &c.deductions {
            if self.deduction_open(d) {
                deductions += self.history.deductions.get(d as usize).map_or(0, |r| r.opened.amount.minor());
            }
        }
        cash += c.payments.iter().filter_map(|&p| self.payment_unapplied(p)).map(|x| x.1).sum::<i64>();
        credit += c.credits.iter().filter_map(|&k| self.credit_unapplied(k)).map(|x| x.1).sum::<i64>();
        let m = |minor: i64| Money::from_minor(minor, cur);
        Ok(CustomerBalance {
            customer,
            open_invoices: m(open)?,
            disputed: m(disputed)?,
            open_deductions: m(deductions)?,
            unapplied_cash: m(cash)?,
            unapplied_credit: m(credit)?,
            balance: m(open + deductions - cash - credit)?,
        })
    }

    /// Every customer's open items on the snapshot's date, in the order of
    /// [`ar_core::Ledger::all_open_items`]: by customer id, then due date,
    /// document date, number and document.
    pub fn open_items(&self) -> Vec<OpenItem> {
        let mut out = Vec::new();
        for &customer in self.history.customers.keys() {
            self.push_open_items(customer, &mut out);
        }
        out
    }

    /// One customer's open items, in the order of [`ar_core::Ledger::open_items`].
    pub fn customer_open_items(&self, customer: CustomerId) -> Result<Vec<OpenItem>, ReportError> {
        if !self.history.customers.contains_key(&customer) {
            return Err(ReportError::UnknownCustomer(customer));
        }
        let mut out = Vec::new();
        self.push_open_items(customer, &mut out);
        Ok(out)
    }

    fn push_open_items(&self, customer: CustomerId, out: &mut Vec<OpenItem>) {
        let Some(c) = self.history.customers.get(&customer) else { return };
        let cur = c.registration.currency;
        let start = out.len();
        let m = |minor: i64| Money::from_minor(minor, cur).unwrap_or_else(|_| Money::zero(cur));
        for &i in &c.invoices {
            if let Some(item) = self.invoice_item(i) {
                out.push(item);
            }
        }
        for &d in c.deductions.iter().filter(|d| self.deduction_open(**d)) {
            let Some(r) = self.history.deductions.get(d as usize) else { continue };
            out.push(OpenItem {
                customer,
                document: DocumentRef::Deduction(r.opened.deduction),
                number: self.history.invoice_number(r.invoice),
                kind: OpenItemKind::Deduction,
                document_date: r.date,
                due_date: r.date,
                original: r.opened.amount,
                open: r.opened.amount,
                disputed: Money::zero(cur),
                installments: Vec::new(),
            });
        }
        let credit_item = |document, number, kind, date, (original, open): (i64, i64)| OpenItem {
            customer,
            document,
            number,
            kind,
            document_date: date,
            due_date: date,
            original: m(-original),
            open: m(-open),
            disputed: Money::zero(cur),
            installments: Vec::new(),
        };
        for &p in &c.payments {
            let (Some(amounts), Some(doc)) = (self.payment_unapplied(p), self.history.payments.get(p as usize)) else {
                continue;
            };
            if amounts.1 > 0 {
                let document = DocumentRef::Payment(doc.payment);
                let kind = OpenItemKind::UnappliedCash;
                out.push(credit_item(document, payment_number(doc), kind, doc.received, amounts));
            }
        }
        for &k in &c.credits {
            let (Some(amounts), Some(doc)) = (self.credit_unapplied(k), self.history.credits.get(k as usize)) else {
                continue;
            };
            if amounts.1 > 0 {
                let document = DocumentRef::CreditMemo(doc.credit_memo);
                let kind = OpenItemKind::CreditMemo;
                out.push(credit_item(document, doc.number.clone(), kind, doc.document_date, amounts));
            }
        }
        if let Some(mine) = out.get_mut(start..) {
            mine.sort_by(|a, b| {
                (a.due_date, a.document_date, &a.number, a.document).cmp(&(
                    b.due_date,
                    b.document_date,
                    &b.number,
                    b.document,
                ))
            });
        }
    }

    /// Invoice `i` as an open item, if it is open.
    pub(crate) fn invoice_item(&self, i: u32) -> Option<OpenItem> {
        let open = self.invoice_open(i);
        if open <= 0 {
            return None;
        }
        let doc = self.history.invoices.get(i as usize)?;
        let state = self.invoices.get(i as usize)?;
        let cur = doc.currency;
        let m = |minor: i64| Money::from_minor(minor, cur).unwrap_or_else(|_| Money::zero(cur));
        let installments: Vec<OpenInstallment> = doc.open_installments(m(state.settled()));
        let first_due = doc.installments.first().map_or(doc.document_date, |x| x.due_date);
        let due_date = installments.iter().find(|x| x.open.is_positive()).map_or(first_due, |x| x.due_date);
        let kind = match doc.kind {
            InvoiceKind::Invoice => OpenItemKind::Invoice,
            _ => OpenItemKind::DebitMemo,
        };
        Some(OpenItem {
            customer: doc.customer,
            document: DocumentRef::Invoice(doc.invoice),
            number: doc.number.clone(),
            kind,
            document_date: doc.document_date,
            due_date,
            original: doc.totals.total,
            open: m(open),
            disputed: m(state.disputed),
            installments,
        })
    }

    /// The open items as the aging engine's column store, ready to age as of
    /// any date: "aging as of a past date" is `history.as_of(d)?.aging_items()?`
    /// aged with `AgingPolicy::new(d)`.
    ///
    /// Rows follow [`aging_parts`]: one row per open installment at its own
    /// due date, the disputed amount in rows of its own marked disputed.
    /// Collectors are the ones named at registration.
    ///
    /// ```
    /// use ar_aging::reports::History;
    /// use ar_aging::{AgingPolicy, Column};
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
    /// #     terms: PaymentTerms::net_30(), credit_limit: None, collector: Some("ana".into()),
    /// # }))?;
    /// # run(2, day(1, 1)?, Action::IssueInvoice(IssueInvoice {
    /// #     invoice: InvoiceId::from_u128(10), number: "INV-1".into(), customer: acme,
    /// #     kind: InvoiceKind::Invoice, document_date: day(1, 1)?,
    /// #     lines: vec![DocumentLine { description: "Widgets".into(), quantity: dec!(1),
    /// #         unit_price: dec!(100.00), discount: None, taxes: vec![] }],
    /// #     discount: None, terms: None, tax_rounding: TaxRounding::PerLine, rounding: Rounding::HalfUp,
    /// # }))?;
    /// // INV-1, 100.00 due January 31, 2026.
    /// let history = History::new(ledger.journal())?;
    /// let as_of = day(3, 15)?;
    /// let aging = history.as_of(as_of)?.aging_items()?.totals(&AgingPolicy::new(as_of));
    /// let usd = aging.row(Currency::USD).ok_or("no USD")?;
    /// assert_eq!(usd.money(Column::Bucket(2))?.amount(), dec!(100.00)); // 43 days: 31–60
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn aging_items(&self) -> Result<OpenItems, ReportError> {
        let items = self.open_items();
        let mut builder = OpenItemsBuilder::with_capacity(items.len());
        for item in &items {
            let collector = self.history.customer_collector(item.customer)?.map(|name| builder.collector(name));
            let currency = item.open.currency();
            let document = aging_ref(item);
            for part in aging_parts(item) {
                for (minor, disputed) in [(part.undisputed_minor, false), (part.disputed_minor, true)] {
                    if minor == 0 {
                        continue;
                    }
                    let amount = Money::from_minor(minor, currency)?.amount();
                    let due = part.due_date.max(item.document_date);
                    let row = OpenItemRow::new(
                        item.customer,
                        document,
                        &item.number,
                        currency,
                        item.document_date,
                        due,
                        amount,
                    )
                    .disputed(disputed);
                    builder.push(match collector {
                        Some(c) => row.collector(c),
                        None => row,
                    })?;
                }
            }
        }
        Ok(builder.build())
    }
}

/// The aging engine's name for an open item's document (a debit memo keeps its
/// kind; a payment's unapplied cash is named by the payment).
///
/// ```
/// use ar_aging::reports::aging_ref;
/// use ar_core::*;
/// use chrono::NaiveDate;
/// let day = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("bad date")?;
/// let cash = Money::from_minor(-500, Currency::USD)?;
/// let item = OpenItem {
///     customer: CustomerId::from_u128(1), document: DocumentRef::Payment(PaymentId::from_u128(9)),
///     number: "CHK-9".into(), kind: OpenItemKind::UnappliedCash, document_date: day, due_date: day,
///     original: cash, open: cash, disputed: Money::zero(Currency::USD), installments: vec![],
/// };
/// assert_eq!(aging_ref(&item), ar_aging::DocumentRef::UnappliedCash(PaymentId::from_u128(9)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn aging_ref(item: &OpenItem) -> crate::DocumentRef {
    match (item.document, item.kind) {
        (DocumentRef::Invoice(id), OpenItemKind::DebitMemo) => crate::DocumentRef::DebitMemo(id),
        (DocumentRef::CreditMemo(id), _) => crate::DocumentRef::CreditMemo(id),
        (DocumentRef::Payment(id), _) => crate::DocumentRef::UnappliedCash(id),
        (DocumentRef::Deduction(id), _) => crate::DocumentRef::Deduction(id),
        (DocumentRef::Invoice(id), _) => crate::DocumentRef::Invoice(id),
        // `DocumentRef` may grow; an unknown kind ages as an invoice of a nil id.
        _ => crate::DocumentRef::Invoice(InvoiceId::from_u128(0)),
    }
}

/// One due date's share of an open item, in minor units (signed like the item).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgingPart {
    /// The due date.
    pub due_date: NaiveDate,
    /// The part not in dispute.
    pub undisputed_minor: i64,
    /// The part in dispute.
    pub disputed_minor: i64,
}

/// An open item split by due date: one part per open installment (invoices and
/// debit memos), or one part at the item's due date (everything else).
///
/// The disputed amount is carved from the newest installments first: collection
/// works oldest first, so a dispute holds back what would be collected last.
/// Parts add up to the item's open amount, and their disputed parts to its
/// disputed amount.
///
/// ```
/// use ar_aging::reports::aging_parts;
/// use ar_core::*;
/// use chrono::NaiveDate;
/// let day = |m| NaiveDate::from_ymd_opt(2026, m, 1).ok_or("bad date");
/// let usd = |minor| Money::from_minor(minor, Currency::USD);
/// let item = OpenItem {
///     customer: CustomerId::from_u128(1), document: DocumentRef::Invoice(InvoiceId::from_u128(2)),
///     number: "INV-2".into(), kind: OpenItemKind::Invoice, document_date: day(1)?, due_date: day(2)?,
///     original: usd(10000)?, open: usd(10000)?, disputed: usd(6000)?,
///     installments: vec![
///         OpenInstallment { number: 1, due_date: day(2)?, amount: usd(5000)?, open: usd(5000)?, discounts: vec![] },
///         OpenInstallment { number: 2, due_date: day(3)?, amount: usd(5000)?, open: usd(5000)?, discounts: vec![] },
///     ],
/// };
/// let parts = aging_parts(&item);
/// assert_eq!((parts[0].undisputed_minor, parts[0].disputed_minor), (4000, 1000));
/// assert_eq!((parts[1].undisputed_minor, parts[1].disputed_minor), (0, 5000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn aging_parts(item: &OpenItem) -> Vec<AgingPart> {
    let open: Vec<(NaiveDate, i64)> =
        item.installments.iter().filter(|i| i.open.is_positive()).map(|i| (i.due_date, i.open.minor())).collect();
    let whole = open.iter().map(|x| x.1).sum::<i64>() == item.open.minor() && !open.is_empty();
    let open = if whole { open } else { vec![(item.due_date, item.open.minor())] };
    let mut disputed_left = item.disputed.minor().clamp(0, item.open.minor().max(0));
    let mut parts: Vec<AgingPart> = open
        .iter()
        .rev()
        .map(|&(due_date, minor)| {
            let disputed = disputed_left.min(minor.max(0));
            disputed_left -= disputed;
            AgingPart { due_date, undisputed_minor: minor - disputed, disputed_minor: disputed }
        })
        .collect();
    parts.reverse();
    parts
}

/// The number an unapplied payment shows: the payer's reference, or its id.
pub(crate) fn payment_number(doc: &ReceivePayment) -> String {
    match doc.payer_reference.as_str() {
        "" => doc.payment.to_string(),
        reference => reference.to_owned(),
    }
}

impl History<'_> {
    pub(crate) fn invoice_total(&self, i: u32) -> i64 {
        self.invoices.get(i as usize).map_or(0, |d| d.totals.total.minor())
    }

    pub(crate) fn invoice_number(&self, i: u32) -> String {
        self.invoices.get(i as usize).map_or_else(String::new, |d| d.number.clone())
    }
}
