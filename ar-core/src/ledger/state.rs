//! The ledger's state and how each event folds into it.
//!
//! Amounts are kept as `i64` minor units of the customer's currency: every document
//! and payment of a customer is in the account currency, checked on the way in.
//! `apply_change` validates before it mutates, so an event that does not fit leaves
//! the state as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;

use crate::command::ReceivePayment;
use crate::event::{CashApplied, Change, CreditMemoIssued, DeductionOpened, InvoiceIssued};
use crate::hashing::{IdMap, fingerprint};
use crate::id_table::{IdTable, TableKey, TableValue, spread_u128};
use crate::{
    ApplicationId, CashSource, CreditMemoId, Currency, CustomerId, DebitReason, DeductionId, DeductionReason,
    DeductionResolution, DeductionStatus, DepositId, DisputeId, DisputeResolution, DisputeStatus, DocumentRef,
    FreeText, InvoiceId, InvoiceKind, LedgerError, Money, PaymentId, PaymentTerms, RefundId, RegisterCustomer,
};

use super::key_index::KeyIndex;
use super::open_items::{OpenItems, OpenKey, RareItems};

/// A customer's record. Issuing, receiving and applying read only its first
/// cache line (the open invoices, the two balances they change, the terms and
/// the currency), so the fields are laid out in that order and the record is
/// aligned to a line: one miss per command, where fields the compiler placed
/// across four lines cost up to three.
#[derive(Debug, Clone, PartialEq, Eq)]
#[repr(C, align(64))]
pub(crate) struct Customer {
    /// Open invoices with something collectible, in collection order: (first
    /// due date, document date, index). Those disputed in full are in `held`.
    pub open: OpenItems,
    pub receivable: i64,
    pub unapplied_cash: i64,
    pub terms: Arc<PaymentTerms>,
    /// The account currency, from `reg`, kept here since every invoice,
    /// payment and application checks it.
    pub currency: Currency,
    pub payments: Vec<u32>,
    pub reg: Arc<RegisterCustomer>,
    pub limit: Option<i64>,
    /// Temporary credit increases, expired ones included; most customers
    /// never get one, so they cost a pointer until then.
    pub temporary: Option<Box<Grants>>,
    pub hold: Option<FreeText>,
    pub disputed: i64,
    pub deductions_open: i64,
    pub unapplied_credit: i64,
    pub credits: Vec<u32>,
    pub deductions: Vec<u32>,
    /// Whether an invoice of the customer ever had an installment due before
    /// an earlier one of its schedule. Until then a later invoice in
    /// collection order has nothing due before its first due date, which lets
    /// the credit check stop early.
    pub unordered_schedules: bool,
    /// The open fee and interest debit memos, in collection order: the keys of
    /// `open` and `held` whose invoice [`Invoice::is_fee`]. Most customers
    /// have none, so `Target::FeesFirst` reads them here and then walks `open`
    /// past them, where sorting the whole open set cost every application
    /// n log n.
    pub fees: RareItems,
    /// Open invoices disputed in full, in collection order. Cash walks `open`
    /// only: a customer disputing thousands of invoices used to make every
    /// oldest-first application step past each of them.
    pub held: RareItems,
}

/// A customer's temporary credit increases as granted (amount, last day),
/// and their sum, which bounds the next grant: summing the list on every
/// grant made a customer's thousandth grant cost a thousand steps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Grants {
    pub list: Vec<(i64, NaiveDate)>,
    pub total: i64,
}

/// Where an invoice's key is kept among its customer's sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Settled, or void: in neither set.
    Closed,
    /// Something is left to collect: in `open`.
    Collectible,
    /// Open, but all of it disputed: in `held`.
    Held,
}

impl Slot {
    /// The slot of an invoice with `open` left and `disputed` of it disputed.
    fn of(open: i64, disputed: i64) -> Slot {
        if open <= 0 {
            Slot::Closed
        } else if open > disputed {
            Slot::Collectible
        } else {
            Slot::Held
        }
    }
}

impl Customer {
    /// Moves an invoice's key from the set its slot was in to the one it is
    /// in now, and in or out of the fees.
    #[inline]
    fn reslot(&mut self, key: OpenKey, fee: bool, from: Slot, to: Slot) {
        if from == to {
            return;
        }
        match from {
            Slot::Collectible => self.open.remove(&key),
            Slot::Held => self.held.remove(&key),
            Slot::Closed => false,
        };
        match to {
            Slot::Collectible => self.open.insert(key),
            Slot::Held => self.held.insert(key),
            Slot::Closed => false,
        };
        if fee && from == Slot::Closed {
            self.fees.insert(key);
        } else if fee && to == Slot::Closed {
            self.fees.remove(&key);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invoice {
    pub doc: Arc<InvoiceIssued>,
    /// The document's id, kept here so an application need not read the document.
    pub id: InvoiceId,
    pub customer: u32,
    /// Due date of the first installment: the invoice's place in collection order.
    pub first_due: NaiveDate,
    /// The document's date, kept here with `first_due` so ordering and applying
    /// cash need not read the document.
    pub document_date: NaiveDate,
    /// The schedule, when it is one installment with at most one discount offer
    /// (most invoices): applying cash to it need not read the document.
    pub single: Option<SingleInstallment>,
    pub total: i64,
    pub cash: i64,
    pub credited: i64,
    pub discounted: i64,
    pub written_off: i64,
    pub deducted: i64,
    pub disputed: i64,
    pub void: bool,
    /// Whether it is a fee or interest debit memo, kept here so that moving it
    /// in and out of its customer's sets need not read the document.
    pub fee: bool,
    /// Applications that touched it, in order.
    pub history: Trail,
}

/// Indexes of the applications that touched an invoice, in order. Most invoices
/// see one or two, kept inline: a `Vec` would cost a heap allocation per invoice,
/// and its 24 bytes in every invoice's record; the rest are boxed (8 bytes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Trail {
    first: [u32; 2],
    len: u32,
    #[expect(clippy::box_collection, reason = "a thin pointer: 8 bytes in every invoice record, not 24")]
    more: Option<Box<Vec<u32>>>,
}

impl Trail {
    pub fn push(&mut self, application: u32) {
        match self.first.get_mut(self.len as usize) {
            Some(slot) => *slot = application,
            None => self.more.get_or_insert_default().push(application),
        }
        self.len += 1;
    }

    pub fn last(&self) -> Option<u32> {
        match self.len {
            0 => None,
            n @ 1..=2 => Some(self.first[n as usize - 1]),
            _ => self.more.as_ref().and_then(|more| more.last().copied()),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let more = self.more.as_deref().map_or(&[][..], Vec::as_slice);
        self.first.iter().take(self.len as usize).chain(more).copied()
    }
}

/// A short list kept inline: most applications touch one or two invoices, and a
/// `Vec` for their parts would cost a heap allocation and a free per application.
/// Past `N` items all of them move to the heap, so they always form one slice.
#[derive(Debug, Clone)]
pub(crate) struct Few<T, const N: usize> {
    inline: [T; N],
    /// Items held in `inline`, until the list spills.
    len: usize,
    /// Every item, once there were more than `N`.
    spilled: Vec<T>,
}

impl<T: Copy + Default, const N: usize> Default for Few<T, N> {
    fn default() -> Self {
        Few { inline: [T::default(); N], len: 0, spilled: Vec::new() }
    }
}

impl<T: Copy, const N: usize> Few<T, N> {
    #[inline]
    pub fn push(&mut self, item: T) {
        if self.spilled.is_empty() {
            if let Some(slot) = self.inline.get_mut(self.len) {
                *slot = item;
                self.len += 1;
                return;
            }
            self.spilled.reserve(2 * N + 1);
            self.spilled.extend_from_slice(&self.inline);
        }
        self.spilled.push(item);
    }
}

impl<T, const N: usize> std::ops::Deref for Few<T, N> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        if self.spilled.is_empty() { &self.inline[..self.len] } else { &self.spilled }
    }
}

impl<T, const N: usize> std::ops::DerefMut for Few<T, N> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        if self.spilled.is_empty() { &mut self.inline[..self.len] } else { &mut self.spilled }
    }
}

/// A one-installment schedule: its discount offer, if any, as (last day, minor units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SingleInstallment {
    pub offer: Option<(NaiveDate, i64)>,
}

impl SingleInstallment {
    fn of(doc: &InvoiceIssued) -> Option<SingleInstallment> {
        match doc.installments.as_slice() {
            [only] => match only.discounts.as_slice() {
                [] => Some(SingleInstallment { offer: None }),
                [o] => Some(SingleInstallment { offer: Some((o.until, o.amount.minor())) }),
                _ => None,
            },
            _ => None,
        }
    }
}

impl Invoice {
    pub fn settled(&self) -> i64 {
        self.cash + self.credited + self.discounted + self.written_off + self.deducted
    }
    pub fn open(&self) -> i64 {
        if self.void { 0 } else { self.total - self.settled() }
    }
    /// What may still be collected or settled: open less what is disputed.
    pub fn collectible(&self) -> i64 {
        self.open() - self.disputed
    }
    /// Which of its customer's sets holds the invoice.
    pub fn slot(&self) -> Slot {
        Slot::of(self.open(), self.disputed)
    }
    pub fn key(&self, index: u32) -> OpenKey {
        (self.first_due, self.document_date, index)
    }
    pub fn currency(&self) -> Currency {
        self.doc.currency
    }
    pub fn is_fee(&self) -> bool {
        self.fee
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Payment {
    pub doc: Arc<ReceivePayment>,
    pub customer: u32,
    pub amount: i64,
    pub applied: i64,
    pub refunded: i64,
    pub repaid: i64,
    pub deposit: Option<DepositId>,
}

impl Payment {
    pub fn unapplied(&self) -> i64 {
        self.amount - self.applied - self.refunded - self.repaid
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credit {
    pub doc: Arc<CreditMemoIssued>,
    pub customer: u32,
    pub amount: i64,
    pub applied: i64,
    pub refunded: i64,
}

impl Credit {
    pub fn unapplied(&self) -> i64 {
        self.amount - self.applied - self.refunded
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Application {
    pub doc: Arc<CashApplied>,
    pub customer: u32,
    pub date: NaiveDate,
    pub reversed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Deduction {
    pub id: DeductionId,
    pub customer: u32,
    pub invoice: u32,
    pub amount: i64,
    pub reason: DeductionReason,
    pub status: DeductionStatus,
    pub opened: NaiveDate,
    pub application: ApplicationId,
    pub resolution: Option<DeductionResolution>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dispute {
    pub id: DisputeId,
    pub invoice: u32,
    pub amount: i64,
    pub reason: FreeText,
    pub status: DisputeStatus,
    pub opened: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Payment(u32),
    Credit(u32),
}

/// Everything the ledger knows, folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct State {
    pub customers: Vec<Customer>,
    pub customer_ix: IdTable<CustomerId, u32>,
    pub invoices: Vec<Invoice>,
    pub invoice_ix: IdTable<InvoiceId, u32>,
    pub payments: Vec<Payment>,
    pub payment_ix: IdTable<PaymentId, u32>,
    pub credits: Vec<Credit>,
    pub credit_ix: IdTable<CreditMemoId, u32>,
    pub applications: Vec<Application>,
    pub application_ix: IdTable<ApplicationId, u32>,
    pub deductions: Vec<Deduction>,
    pub deduction_ix: IdTable<DeductionId, u32>,
    pub disputes: Vec<Dispute>,
    pub dispute_ix: IdTable<DisputeId, u32>,
    pub deposits: IdMap<DepositId, (FreeText, i64)>,
    pub refunds: IdMap<RefundId, (CashSource, i64)>,
    /// Document numbers by hash: the first document carrying each hash. A slot
    /// is 16 bytes, so a million numbers take a quarter of the cache lines a
    /// slot with room for several documents would.
    pub numbers: IdTable<NumberHash, NumberedDoc>,
    /// Further documents whose number has a hash an earlier one has: different
    /// numbers, since a number is unique, and almost never any.
    pub number_clashes: IdMap<NumberHash, Vec<NumberedDoc>>,
    /// One shared copy of each distinct set of customer terms.
    pub terms: TermsPool,
    /// The parts per invoice of each application that settled more than
    /// [`PARTS_SCAN_MAX`] invoices, sorted by invoice: an invoice's history
    /// reads its share here instead of every line of a remittance that paid
    /// thousands, which made listing the history of each of them quadratic.
    pub large_applications: BTreeMap<u32, Box<[(u32, Settlement)]>>,
}

/// Up to this many invoices an application's lines are read in full for one
/// invoice's share of it.
const PARTS_SCAN_MAX: usize = 32;

/// Customers' terms, one `Arc` per distinct value: most customers share a few
/// standard terms, and every invoice reads its customer's, so sharing keeps
/// them in cache instead of one copy per customer scattered over the heap.
/// A cache, not state: two pools always compare equal.
#[derive(Debug, Clone, Default)]
pub(crate) struct TermsPool(IdMap<u64, Vec<Arc<PaymentTerms>>>);

impl PartialEq for TermsPool {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for TermsPool {}

impl TermsPool {
    /// The shared copy of `terms`, if there is one.
    pub fn get(&self, terms: &PaymentTerms) -> Option<Arc<PaymentTerms>> {
        self.0.get(&fingerprint(terms))?.iter().find(|t| ***t == *terms).cloned()
    }

    /// The shared copy of `terms`, made if there was none.
    fn intern(&mut self, terms: &PaymentTerms) -> Arc<PaymentTerms> {
        if let Some(shared) = self.get(terms) {
            return shared;
        }
        let shared = Arc::new(terms.clone());
        self.0.entry(fingerprint(terms)).or_default().push(Arc::clone(&shared));
        shared
    }
}

/// Whether an invoice of this kind is a fee or interest debit memo, which
/// `Target::FeesFirst` settles before anything else.
fn is_fee(kind: &InvoiceKind) -> bool {
    matches!(kind, InvoiceKind::DebitMemo(DebitReason::Fee | DebitReason::Interest))
}

fn dup(kind: &'static str, id: uuid::Uuid) -> LedgerError {
    LedgerError::DuplicateId { kind, id }
}

fn minor_in(m: Money, currency: Currency, what: &'static str) -> Result<i64, LedgerError> {
    if m.currency() != currency {
        return Err(LedgerError::WrongCurrency { what, expected: currency, got: m.currency() });
    }
    Ok(m.minor())
}

/// The dense number of the next record of `kind`, of which there are `len`.
fn next_index(kind: &'static str, len: usize) -> Result<u32, LedgerError> {
    // `u32::MAX` marks an empty slot of the id tables, so it is never a position.
    u32::try_from(len).ok().filter(|&ix| ix != u32::MAX).ok_or(LedgerError::TooManyRecords { kind, count: len })
}

impl State {
    // `ok_or(id)`, not `ok_or(error)`: an error built eagerly is built and
    // dropped on every lookup that succeeds.
    pub fn customer(&self, id: CustomerId) -> Result<u32, LedgerError> {
        self.customer_ix.get(&id).copied().ok_or(id).map_err(LedgerError::UnknownCustomer)
    }
    pub fn invoice(&self, id: InvoiceId) -> Result<u32, LedgerError> {
        self.invoice_ix.get(&id).copied().ok_or(id).map_err(LedgerError::UnknownInvoice)
    }
    pub fn payment(&self, id: PaymentId) -> Result<u32, LedgerError> {
        self.payment_ix.get(&id).copied().ok_or(id).map_err(LedgerError::UnknownPayment)
    }
    pub fn credit(&self, id: CreditMemoId) -> Result<u32, LedgerError> {
        self.credit_ix.get(&id).copied().ok_or(id).map_err(LedgerError::UnknownCreditMemo)
    }
    pub fn application(&self, id: ApplicationId) -> Result<u32, LedgerError> {
        self.application_ix.get(&id).copied().ok_or(id).map_err(LedgerError::UnknownApplication)
    }
    pub fn deduction(&self, id: DeductionId) -> Result<u32, LedgerError> {
        self.deduction_ix.get(&id).copied().ok_or(id).map_err(LedgerError::UnknownDeduction)
    }
    pub fn dispute(&self, id: DisputeId) -> Result<u32, LedgerError> {
        self.dispute_ix.get(&id).copied().ok_or(id).map_err(LedgerError::UnknownDispute)
    }
    pub fn cust(&self, ix: u32) -> &Customer {
        &self.customers[ix as usize]
    }
    pub fn inv(&self, ix: u32) -> &Invoice {
        &self.invoices[ix as usize]
    }

    pub fn source(&self, source: CashSource) -> Result<Source, LedgerError> {
        match source {
            CashSource::Payment(p) => self.payment(p).map(Source::Payment),
            CashSource::CreditMemo(c) => self.credit(c).map(Source::Credit),
        }
    }

    /// The id of the customer whose cash or credit `source` is, from the
    /// source's document: an application has the source's record in hand, and
    /// a payment's document was written by its receipt, usually just before,
    /// while the customer's registration is one more line to fetch.
    pub fn source_customer(&self, source: Source) -> CustomerId {
        match source {
            Source::Payment(p) => self.payments[p as usize].doc.customer,
            Source::Credit(c) => self.credits[c as usize].doc.customer,
        }
    }

    /// (customer, unapplied) of a source.
    pub fn source_balance(&self, source: Source) -> (u32, i64) {
        match source {
            Source::Payment(p) => {
                let p = &self.payments[p as usize];
                (p.customer, p.unapplied())
            }
            Source::Credit(c) => {
                let c = &self.credits[c as usize];
                (c.customer, c.unapplied())
            }
        }
    }

    /// Refuses a number a document already carries, naming `document`, the
    /// one that asks for it; else its hash, which claims it once the document
    /// is recorded.
    pub fn number_free(&self, number: &str, document: DocumentRef) -> Result<NumberHash, LedgerError> {
        let hash = number_hash(number);
        if let Some(holder) = self.number_holder(hash, number) {
            let used_by = match holder {
                NumberedDoc::Invoice(i) => DocumentRef::Invoice(self.invoices[i as usize].id),
                NumberedDoc::Credit(k) => DocumentRef::CreditMemo(self.credits[k as usize].doc.credit_memo),
            };
            return Err(LedgerError::DuplicateNumber { number: number.to_owned(), document, used_by });
        }
        Ok(hash)
    }

    fn number_of(&self, doc: NumberedDoc) -> &str {
        match doc {
            NumberedDoc::Invoice(i) => &self.invoices[i as usize].doc.number,
            NumberedDoc::Credit(k) => &self.credits[k as usize].doc.number,
        }
    }

    /// The document under `hash` that carries `number`, if any.
    fn number_holder(&self, hash: NumberHash, number: &str) -> Option<NumberedDoc> {
        let first = self.numbers.get(&hash)?;
        let clashes = self.number_clashes.get(&hash).map_or(&[][..], Vec::as_slice);
        std::iter::once(first).chain(clashes).find(|d| self.number_of(**d) == number).copied()
    }

    fn claim_number(&mut self, number: &str, doc: NumberedDoc) {
        self.claim_hash(number_hash(number), doc);
    }

    fn claim_hash(&mut self, hash: NumberHash, doc: NumberedDoc) {
        if self.numbers.contains_key(&hash) {
            self.number_clashes.entry(hash).or_default().push(doc);
        } else {
            self.numbers.insert(hash, doc);
        }
    }

    /// Folds one change into the state; validates first, so on error nothing changed.
    pub fn apply_change(&mut self, change: &Change, date: NaiveDate) -> Result<(), LedgerError> {
        match change {
            Change::CustomerRegistered(reg) => self.register(reg),
            Change::TermsSet(set) => {
                let c = self.customer(set.customer)?;
                self.customers[c as usize].terms = self.terms.intern(&set.terms);
                Ok(())
            }
            Change::CreditLimitSet(set) => self.set_limit(set.customer, set.limit),
            Change::TemporaryCreditGranted(grant) => {
                let c = self.customer(grant.customer)?;
                let m = minor_in(grant.amount, self.cust(c).currency, "the credit increase")?;
                let grants = self.customers[c as usize].temporary.get_or_insert_default();
                grants.list.push((m, grant.expires));
                grants.total = grants.total.saturating_add(m);
                Ok(())
            }
            Change::HoldPlaced(hold) => {
                let c = self.customer(hold.customer)?;
                self.customers[c as usize].hold = Some(hold.reason.clone());
                Ok(())
            }
            Change::HoldReleased { customer } => {
                let c = self.customer(*customer)?;
                self.customers[c as usize].hold = None;
                Ok(())
            }
            Change::InvoiceIssued(doc) => self.issue_invoice(doc),
            Change::CreditMemoIssued(doc) => self.issue_credit(doc),
            Change::InvoiceVoided(voided) => self.void(voided.invoice),
            Change::PaymentReceived(doc) => self.receive(doc),
            Change::CashApplied(doc) => self.apply_cash(doc, date),
            Change::ApplicationReversed { application } => self.reverse(*application),
            Change::Refunded(r) => self.refund(r.refund, r.source, r.amount),
            Change::DepositRecorded(d) => self.deposit(d.deposit, &d.bank_account, &d.payments, d.total),
            Change::InvoiceWrittenOff(w) => self.write_off(w.invoice, w.amount),
            Change::DeductionReviewStarted { deduction } => {
                let d = self.deduction(*deduction)?;
                self.open_deduction(d, "review")?;
                self.deductions[d as usize].status = DeductionStatus::UnderReview;
                Ok(())
            }
            Change::DeductionResolved(r) => self.resolve_deduction(r.deduction, &r.resolution, r.amount),
            Change::DisputeOpened(d) => self.open_dispute(d.dispute, d.invoice, d.amount, &d.reason, date),
            Change::DisputeResolved(r) => self.resolve_dispute(r.dispute, &r.resolution),
        }
    }

    /// Folds a change `decide` has just made from this same state. Its checks ran
    /// there, including what a later change of the command needs from an earlier
    /// one, so the hot changes are only recorded; `known` is what deciding found
    /// that the fold would otherwise derive from the event again.
    pub fn apply_decided(&mut self, change: &Change, date: NaiveDate, known: Option<Known>) -> Result<(), LedgerError> {
        // Matched on the change alone, with the plan borrowed: a tuple of the
        // two would copy the plan on every event.
        let customer = |state: &Self, id| match known {
            Some(Known::Customer(c) | Known::Invoice { customer: c, .. }) => Ok(c),
            _ => state.customer(id),
        };
        match change {
            Change::InvoiceIssued(doc) => {
                let c = customer(self, doc.customer)?;
                let number = match known {
                    Some(Known::Invoice { number, .. }) => number,
                    _ => number_hash(&doc.number),
                };
                self.record_invoice(doc, c, number)
            }
            Change::PaymentReceived(doc) => {
                let c = customer(self, doc.customer)?;
                self.record_payment(doc, c)
            }
            Change::CashApplied(doc) => match &known {
                Some(Known::Application(plan)) => self.record_application(doc, date, plan),
                _ => self.apply_cash(doc, date),
            },
            change => self.apply_change(change, date),
        }
    }

    fn register(&mut self, reg: &Arc<RegisterCustomer>) -> Result<(), LedgerError> {
        if self.customer_ix.contains_key(&reg.customer) {
            return Err(dup("customer", reg.customer.as_uuid()));
        }
        let limit = reg.credit_limit.map(|l| minor_in(l, reg.currency, "the credit limit")).transpose()?;
        let ix = next_index("customer", self.customers.len())?;
        self.customers.push(Customer {
            reg: Arc::clone(reg),
            currency: reg.currency,
            terms: self.terms.intern(&reg.terms),
            limit,
            temporary: None,
            hold: None,
            open: OpenItems::default(),
            receivable: 0,
            disputed: 0,
            deductions_open: 0,
            unapplied_cash: 0,
            unapplied_credit: 0,
            payments: Vec::new(),
            credits: Vec::new(),
            deductions: Vec::new(),
            unordered_schedules: false,
            fees: RareItems::default(),
            held: RareItems::default(),
        });
        self.customer_ix.insert(reg.customer, ix);
        Ok(())
    }

    fn set_limit(&mut self, customer: CustomerId, limit: Option<Money>) -> Result<(), LedgerError> {
        let c = self.customer(customer)?;
        let currency = self.cust(c).currency;
        let limit = limit.map(|l| minor_in(l, currency, "the credit limit")).transpose()?;
        self.customers[c as usize].limit = limit;
        Ok(())
    }

    fn issue_invoice(&mut self, doc: &Arc<InvoiceIssued>) -> Result<(), LedgerError> {
        if self.invoice_ix.contains_key(&doc.invoice) {
            return Err(dup("invoice", doc.invoice.as_uuid()));
        }
        let number = self.number_free(&doc.number, DocumentRef::Invoice(doc.invoice))?;
        let c = self.customer(doc.customer)?;
        minor_in(doc.totals.total, self.cust(c).currency, "the invoice total")?;
        self.record_invoice(doc, c, number)
    }

    /// Records a checked invoice of customer `c`, whose number hashes to `number`.
    fn record_invoice(&mut self, doc: &Arc<InvoiceIssued>, c: u32, number: NumberHash) -> Result<(), LedgerError> {
        let total = doc.totals.total.minor();
        let ix = next_index("invoice", self.invoices.len())?;
        let first_due = doc.installments.first().map_or(doc.document_date, |i| i.due_date);
        let fee = is_fee(&doc.kind);
        let customer = &mut self.customers[c as usize];
        if total > 0 {
            customer.reslot((first_due, doc.document_date, ix), fee, Slot::Closed, Slot::Collectible);
        }
        customer.unordered_schedules |= doc.installments.windows(2).any(|w| w[1].due_date < w[0].due_date);
        customer.receivable += total;
        // Pushed as it is built: a named `Invoice` first was one more copy of it.
        self.invoices.push(Invoice {
            doc: Arc::clone(doc),
            id: doc.invoice,
            customer: c,
            first_due,
            document_date: doc.document_date,
            single: SingleInstallment::of(doc),
            total,
            cash: 0,
            credited: 0,
            discounted: 0,
            written_off: 0,
            deducted: 0,
            disputed: 0,
            void: false,
            fee,
            history: Trail::default(),
        });
        self.invoice_ix.insert(doc.invoice, ix);
        self.claim_hash(number, NumberedDoc::Invoice(ix));
        Ok(())
    }

    fn issue_credit(&mut self, doc: &Arc<CreditMemoIssued>) -> Result<(), LedgerError> {
        if self.credit_ix.contains_key(&doc.credit_memo) {
            return Err(dup("credit memo", doc.credit_memo.as_uuid()));
        }
        self.number_free(&doc.number, DocumentRef::CreditMemo(doc.credit_memo))?;
        let c = self.customer(doc.customer)?;
        let amount = minor_in(doc.totals.total, self.cust(c).currency, "the credit memo total")?;
        let ix = next_index("credit memo", self.credits.len())?;
        self.credits.push(Credit { doc: Arc::clone(doc), customer: c, amount, applied: 0, refunded: 0 });
        self.credit_ix.insert(doc.credit_memo, ix);
        self.claim_number(&doc.number, NumberedDoc::Credit(ix));
        let customer = &mut self.customers[c as usize];
        customer.credits.push(ix);
        customer.unapplied_credit += amount;
        Ok(())
    }

    /// An invoice may be voided while it is not void and nothing is applied to or
    /// disputed on it.
    pub fn check_void(&self, i: u32) -> Result<(), LedgerError> {
        let inv = self.inv(i);
        if inv.void {
            return Err(LedgerError::InvoiceVoid { invoice: inv.id, number: inv.doc.number.clone() });
        }
        if inv.settled() != 0 || inv.disputed != 0 {
            let settled = Money::from_minor(inv.settled() + inv.disputed, inv.currency())?;
            return Err(LedgerError::InvoiceHasActivity { invoice: inv.id, number: inv.doc.number.clone(), settled });
        }
        Ok(())
    }

    fn void(&mut self, invoice: InvoiceId) -> Result<(), LedgerError> {
        let i = self.invoice(invoice)?;
        self.check_void(i)?;
        let inv = self.inv(i);
        let (key, open, c, fee, slot) = (inv.key(i), inv.open(), inv.customer, inv.is_fee(), inv.slot());
        let customer = &mut self.customers[c as usize];
        customer.reslot(key, fee, slot, Slot::Closed);
        customer.receivable -= open;
        self.invoices[i as usize].void = true;
        Ok(())
    }

    fn receive(&mut self, doc: &Arc<ReceivePayment>) -> Result<(), LedgerError> {
        if self.payment_ix.contains_key(&doc.payment) {
            return Err(dup("payment", doc.payment.as_uuid()));
        }
        let c = self.customer(doc.customer)?;
        minor_in(doc.amount, self.cust(c).currency, "the payment")?;
        self.record_payment(doc, c)
    }

    /// Records a checked payment of customer `c`.
    fn record_payment(&mut self, doc: &Arc<ReceivePayment>, c: u32) -> Result<(), LedgerError> {
        let amount = doc.amount.minor();
        let ix = next_index("payment", self.payments.len())?;
        self.payments.push(Payment {
            doc: Arc::clone(doc),
            customer: c,
            amount,
            applied: 0,
            refunded: 0,
            repaid: 0,
            deposit: doc.deposit,
        });
        self.payment_ix.insert(doc.payment, ix);
        let customer = &mut self.customers[c as usize];
        customer.payments.push(ix);
        customer.unapplied_cash += amount;
        Ok(())
    }

    /// Adds `delta` minor units to what a source has applied (negative to give back).
    fn use_source(&mut self, source: Source, delta: i64) {
        let customer = match source {
            Source::Payment(p) => {
                let p = &mut self.payments[p as usize];
                p.applied += delta;
                &mut self.customers[p.customer as usize].unapplied_cash
            }
            Source::Credit(c) => {
                let c = &mut self.credits[c as usize];
                c.applied += delta;
                &mut self.customers[c.customer as usize].unapplied_credit
            }
        };
        *customer -= delta;
    }

    /// Changes an invoice's settled amounts by `sign` × the parts, keeping the
    /// customer's receivable and collection order in step.
    fn settle(&mut self, i: u32, part: Settlement, sign: i64) {
        let before = self.inv(i).open();
        let (key, slot) = (self.inv(i).key(i), Slot::of(before, self.inv(i).disputed));
        let inv = &mut self.invoices[i as usize];
        let from_credit = matches!(part.source, Some(Source::Credit(_)));
        if from_credit {
            inv.credited += sign * part.cash;
        } else {
            inv.cash += sign * part.cash;
        }
        inv.discounted += sign * part.discount;
        inv.written_off += sign * part.write_off;
        inv.deducted += sign * part.deduction;
        let after = inv.open();
        let (fee, now) = (inv.is_fee(), Slot::of(after, inv.disputed));
        let customer = &mut self.customers[inv.customer as usize];
        customer.receivable += after - before;
        customer.reslot(key, fee, slot, now);
    }

    fn apply_cash(&mut self, doc: &Arc<CashApplied>, date: NaiveDate) -> Result<(), LedgerError> {
        let plan = self.check_application(doc)?;
        self.record_application(doc, date, &plan)
    }

    /// Records a checked application with its plan.
    fn record_application(
        &mut self,
        doc: &Arc<CashApplied>,
        date: NaiveDate,
        plan: &AppPlan,
    ) -> Result<(), LedgerError> {
        let app_ix = next_index("application", self.applications.len())?;
        for (i, part) in plan.parts.iter() {
            self.settle(*i, *part, 1);
            let history = &mut self.invoices[*i as usize].history;
            if history.last() != Some(app_ix) {
                history.push(app_ix);
            }
        }
        if plan.parts.len() > PARTS_SCAN_MAX {
            let mut parts: Box<[(u32, Settlement)]> = plan.parts.iter().copied().collect();
            parts.sort_unstable_by_key(|(i, _)| *i);
            self.large_applications.insert(app_ix, parts);
        }
        self.use_source(plan.source, plan.cash);
        for d in &doc.deductions {
            let i = self.invoice(d.invoice)?;
            let ix = next_index("deduction", self.deductions.len())?;
            let inv = self.inv(i);
            let c = inv.customer;
            self.deductions.push(Deduction {
                id: d.deduction,
                customer: c,
                invoice: i,
                amount: d.amount.minor(),
                reason: d.reason.clone(),
                status: DeductionStatus::Open,
                opened: date,
                application: doc.application,
                resolution: None,
            });
            self.deduction_ix.insert(d.deduction, ix);
            let customer = &mut self.customers[c as usize];
            customer.deductions.push(ix);
            customer.deductions_open += d.amount.minor();
        }
        self.applications.push(Application { doc: Arc::clone(doc), customer: plan.customer, date, reversed: false });
        self.application_ix.insert(doc.application, app_ix);
        Ok(())
    }

    /// Refuses deductions whose id the ledger holds already or an earlier one
    /// of `deductions` uses.
    pub(crate) fn deduction_ids_unused(&self, deductions: &[DeductionOpened]) -> Result<(), LedgerError> {
        let mut earlier = KeyIndex::default();
        for (k, d) in deductions.iter().enumerate() {
            if self.deduction_ix.contains_key(&d.deduction)
                || earlier.find(&d.deduction, &deductions[..k], |e| e.deduction).is_some()
            {
                return Err(dup("deduction", d.deduction.as_uuid()));
            }
        }
        Ok(())
    }

    /// Checks an application fits and gathers its parts per invoice.
    fn check_application(&self, doc: &CashApplied) -> Result<AppPlan, LedgerError> {
        if self.application_ix.contains_key(&doc.application) {
            return Err(dup("application", doc.application.as_uuid()));
        }
        let plan = self.plan_of(doc)?;
        let customer = self.cust(plan.customer);
        if customer.reg.customer != doc.customer {
            return Err(LedgerError::CustomerMismatch {
                application: doc.application,
                from: doc.source,
                named: doc.customer,
                owner: customer.reg.customer,
            });
        }
        let currency = customer.currency;
        let amounts = doc.allocations.iter().flat_map(|a| [a.cash, a.discount]);
        let amounts = amounts.chain(doc.write_offs.iter().map(|w| w.amount));
        for amount in amounts.chain(doc.deductions.iter().map(|d| d.amount)) {
            minor_in(amount, currency, "an applied amount")?;
        }
        self.deduction_ids_unused(&doc.deductions)?;
        let (_, unapplied) = self.source_balance(plan.source);
        if plan.cash > unapplied {
            return Err(LedgerError::InsufficientUnapplied {
                from: doc.source,
                available: Money::from_minor(unapplied, currency)?,
                requested: Money::from_minor(plan.cash, currency)?,
            });
        }
        for (i, part) in plan.parts.iter() {
            self.check_part(*i, plan.customer, part)?;
        }
        Ok(plan)
    }

    fn check_part(&self, i: u32, customer: u32, part: &Settlement) -> Result<(), LedgerError> {
        let inv = self.inv(i);
        let number = || inv.doc.number.clone();
        if inv.void {
            return Err(LedgerError::InvoiceVoid { invoice: inv.id, number: number() });
        }
        if inv.customer != customer {
            return Err(LedgerError::NotCustomersInvoice {
                invoice: inv.id,
                number: number(),
                owner: self.cust(inv.customer).reg.customer,
                customer: self.cust(customer).reg.customer,
            });
        }
        let parts = [part.cash, part.discount, part.write_off, part.deduction];
        let total: i64 = parts.iter().sum();
        if parts.iter().any(|p| *p < 0) || total > inv.collectible() {
            return Err(LedgerError::OverApplication {
                invoice: inv.id,
                number: number(),
                open: Money::from_minor(inv.collectible(), inv.currency())?,
                amount: Money::from_minor(total, inv.currency())?,
            });
        }
        Ok(())
    }

    fn reverse(&mut self, application: ApplicationId) -> Result<(), LedgerError> {
        let a = self.application(application)?;
        let app = &self.applications[a as usize];
        if app.reversed {
            return Err(LedgerError::AlreadyReversed(application));
        }
        let doc = Arc::clone(&app.doc);
        for d in &doc.deductions {
            let ded = &self.deductions[self.deduction(d.deduction)? as usize];
            if !matches!(ded.status, DeductionStatus::Open | DeductionStatus::UnderReview) {
                return Err(LedgerError::DeductionResolvedSince { application, deduction: d.deduction });
            }
        }
        let plan = self.plan_of(&doc)?;
        for (i, part) in plan.parts.iter() {
            self.settle(*i, *part, -1);
        }
        self.use_source(plan.source, -plan.cash);
        for d in &doc.deductions {
            let ix = self.deduction(d.deduction)? as usize;
            let ded = &mut self.deductions[ix];
            ded.status = DeductionStatus::Reversed;
            self.customers[ded.customer as usize].deductions_open -= ded.amount;
        }
        self.applications[a as usize].reversed = true;
        Ok(())
    }

    /// The parts of a recorded application (already validated when it was applied).
    fn plan_of(&self, doc: &CashApplied) -> Result<AppPlan, LedgerError> {
        let source = self.source(doc.source)?;
        let (customer, _) = self.source_balance(source);
        let mut parts = Parts::default();
        let mut placed = KeyIndex::default();
        let mut add = |i: u32, f: &dyn Fn(&mut Settlement)| {
            if let Some(p) = placed.find(&i, &parts, |p| p.0).and_then(|at| parts.get_mut(at)) {
                f(&mut p.1);
            } else {
                let mut s = Settlement { source: Some(source), ..Settlement::default() };
                f(&mut s);
                parts.push((i, s));
            }
        };
        let mut cash = 0;
        for x in &doc.allocations {
            let (c, d) = (x.cash.minor(), x.discount.minor());
            cash += c;
            add(self.invoice(x.invoice)?, &|s| {
                s.cash += c;
                s.discount += d;
            });
        }
        for w in &doc.write_offs {
            let m = w.amount.minor();
            add(self.invoice(w.invoice)?, &|s| s.write_off += m);
        }
        for d in &doc.deductions {
            let m = d.amount.minor();
            add(self.invoice(d.invoice)?, &|s| s.deduction += m);
        }
        Ok(AppPlan { source, customer, cash, parts })
    }

    /// Checks a refund of `amount` from `source` under id `refund`: a new id, a
    /// known source, its currency, positive and no more than is unapplied.
    /// Returns the source and its customer.
    pub fn check_refund(
        &self,
        refund: RefundId,
        source: CashSource,
        amount: Money,
    ) -> Result<(Source, u32), LedgerError> {
        if self.refunds.contains_key(&refund) {
            return Err(LedgerError::DuplicateRefund(refund));
        }
        let s = self.source(source)?;
        let (c, unapplied) = self.source_balance(s);
        let currency = self.cust(c).currency;
        minor_in(amount, currency, "the refund")?;
        if !amount.is_positive() {
            return Err(LedgerError::NotPositive { what: "the refund", amount });
        }
        if amount.minor() > unapplied {
            return Err(LedgerError::InsufficientUnapplied {
                from: source,
                available: Money::from_minor(unapplied, currency)?,
                requested: amount,
            });
        }
        Ok((s, c))
    }

    fn refund(&mut self, refund: RefundId, source: CashSource, amount: Money) -> Result<(), LedgerError> {
        let (s, c) = self.check_refund(refund, source, amount)?;
        let m = amount.minor();
        let customer = &mut self.customers[c as usize];
        match s {
            Source::Payment(p) => {
                self.payments[p as usize].refunded += m;
                customer.unapplied_cash -= m;
            }
            Source::Credit(k) => {
                self.credits[k as usize].refunded += m;
                customer.unapplied_credit -= m;
            }
        }
        self.refunds.insert(refund, (source, m));
        Ok(())
    }

    /// Checks a deposit of `payments` in `currency` under id `id` and returns
    /// their sum: a new id, at least one payment, each known, in the currency,
    /// named once and in no other deposit.
    pub fn check_deposit(&self, id: DepositId, payments: &[PaymentId], currency: Currency) -> Result<i64, LedgerError> {
        if self.deposits.contains_key(&id) {
            return Err(dup("deposit", id.as_uuid()));
        }
        if payments.is_empty() {
            return Err(LedgerError::EmptyDeposit { deposit: id });
        }
        let mut sum = 0i128;
        let mut seen = BTreeSet::new();
        for p in payments {
            let ix = self.payment(*p)?;
            let pay = &self.payments[ix as usize];
            if let Some(deposit) = pay.deposit.filter(|d| *d != id) {
                return Err(LedgerError::AlreadyDeposited { payment: *p, deposit });
            }
            if !seen.insert(ix) {
                return Err(LedgerError::AlreadyDeposited { payment: *p, deposit: id });
            }
            sum += i128::from(minor_in(pay.doc.amount, currency, "a deposited payment")?);
        }
        // Each payment is within money's range, their sum need not be.
        let sum = i64::try_from(sum).unwrap_or(i64::MAX);
        Ok(Money::from_minor(sum, currency)?.minor())
    }

    fn deposit(
        &mut self,
        id: DepositId,
        account: &FreeText,
        payments: &[PaymentId],
        total: Money,
    ) -> Result<(), LedgerError> {
        let sum = self.check_deposit(id, payments, total.currency())?;
        if sum != total.minor() {
            return Err(LedgerError::DepositTotalMismatch {
                deposit: id,
                total,
                sum: Money::from_minor(sum, total.currency())?,
                payments: payments.len(),
            });
        }
        for p in payments {
            let ix = self.payment(*p)? as usize;
            self.payments[ix].deposit = Some(id);
        }
        self.deposits.insert(id, (account.clone(), sum));
        Ok(())
    }

    fn write_off(&mut self, invoice: InvoiceId, amount: Money) -> Result<(), LedgerError> {
        let i = self.invoice(invoice)?;
        let inv = self.inv(i);
        let m = minor_in(amount, inv.currency(), "the write-off")?;
        let part = Settlement { write_off: m, ..Settlement::default() };
        self.check_part(i, inv.customer, &part)?;
        self.settle(i, part, 1);
        Ok(())
    }

    fn open_deduction(&self, d: u32, action: &'static str) -> Result<(), LedgerError> {
        let ded = &self.deductions[d as usize];
        if matches!(ded.status, DeductionStatus::Open | DeductionStatus::UnderReview) {
            Ok(())
        } else {
            Err(LedgerError::DeductionClosed { deduction: ded.id, status: ded.status, action })
        }
    }

    fn resolve_deduction(
        &mut self,
        deduction: DeductionId,
        resolution: &DeductionResolution,
        amount: Money,
    ) -> Result<(), LedgerError> {
        let d = self.deduction(deduction)?;
        self.open_deduction(d, "resolving")?;
        let ded = &self.deductions[d as usize];
        let (c, m) = (ded.customer, ded.amount);
        let currency = self.cust(c).currency;
        if amount.minor() != m || amount.currency() != currency {
            return Err(LedgerError::DeductionAmountMismatch {
                deduction,
                amount: Money::from_minor(m, currency)?,
                resolved: amount,
            });
        }
        let status = match resolution {
            DeductionResolution::Valid { credit_memo, .. } => {
                let k = self.credit(*credit_memo)?;
                let unapplied = self.credits[k as usize].unapplied();
                if unapplied < m {
                    return Err(LedgerError::DeductionNotCovered {
                        deduction,
                        amount,
                        credit_memo: *credit_memo,
                        unapplied: Money::from_minor(unapplied, currency)?,
                    });
                }
                self.use_source(Source::Credit(k), m);
                DeductionStatus::Valid
            }
            DeductionResolution::Rebill { debit_memo, .. } => {
                self.invoice(*debit_memo)?;
                DeductionStatus::Invalid
            }
            DeductionResolution::Repaid { payment } => {
                let p = self.payment(*payment)?;
                let pay = &self.payments[p as usize];
                if pay.customer != c || pay.unapplied() < m {
                    return Err(LedgerError::InsufficientUnapplied {
                        from: CashSource::Payment(*payment),
                        available: Money::from_minor(pay.unapplied(), amount.currency())?,
                        requested: amount,
                    });
                }
                self.payments[p as usize].repaid += m;
                self.customers[c as usize].unapplied_cash -= m;
                DeductionStatus::Invalid
            }
            DeductionResolution::WriteOff { .. } => DeductionStatus::WrittenOff,
        };
        let ded = &mut self.deductions[d as usize];
        ded.status = status;
        ded.resolution = Some(resolution.clone());
        self.customers[c as usize].deductions_open -= m;
        Ok(())
    }

    fn open_dispute(
        &mut self,
        dispute: DisputeId,
        invoice: InvoiceId,
        amount: Money,
        reason: &FreeText,
        date: NaiveDate,
    ) -> Result<(), LedgerError> {
        if self.dispute_ix.contains_key(&dispute) {
            return Err(dup("dispute", dispute.as_uuid()));
        }
        let i = self.invoice(invoice)?;
        let inv = self.inv(i);
        let m = minor_in(amount, inv.currency(), "the disputed amount")?;
        if m <= 0 || m > inv.collectible() || inv.void {
            return Err(LedgerError::DisputeTooLarge {
                invoice,
                number: inv.doc.number.clone(),
                available: Money::from_minor(inv.collectible(), inv.currency())?,
                amount,
            });
        }
        let ix = next_index("dispute", self.disputes.len())?;
        self.disputes.push(Dispute {
            id: dispute,
            invoice: i,
            amount: m,
            reason: reason.clone(),
            status: DisputeStatus::Open,
            opened: date,
        });
        self.dispute_ix.insert(dispute, ix);
        self.dispute_changed(i, m);
        Ok(())
    }

    fn resolve_dispute(&mut self, dispute: DisputeId, _resolution: &DisputeResolution) -> Result<(), LedgerError> {
        let d = self.dispute(dispute)?;
        let dis = &self.disputes[d as usize];
        if dis.status != DisputeStatus::Open {
            return Err(LedgerError::DisputeClosed(dispute));
        }
        let (i, m) = (dis.invoice, dis.amount);
        self.disputes[d as usize].status = DisputeStatus::Resolved;
        self.dispute_changed(i, -m);
        Ok(())
    }

    /// Adds `m` (less when negative) to what is disputed on invoice `i`,
    /// moving it between its customer's open and held sets when it becomes
    /// disputed in full or stops being so.
    fn dispute_changed(&mut self, i: u32, m: i64) {
        let (key, fee, slot) = (self.inv(i).key(i), self.inv(i).is_fee(), self.inv(i).slot());
        let inv = &mut self.invoices[i as usize];
        inv.disputed += m;
        let (now, c) = (inv.slot(), inv.customer);
        let customer = &mut self.customers[c as usize];
        customer.disputed += m;
        customer.reslot(key, fee, slot, now);
    }
}

/// A document that carries a human number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberedDoc {
    Invoice(u32),
    Credit(u32),
}

impl TableValue for NumberedDoc {
    /// Not a position `next_index` hands out.
    const VACANT: Self = NumberedDoc::Invoice(u32::MAX);
}

/// A document number's hash, as the key of [`State::numbers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct NumberHash(u64);

impl TableKey for NumberHash {
    const BLANK: Self = NumberHash(0);
    fn spread(&self) -> u64 {
        spread_u128(u128::from(self.0))
    }
}

pub(crate) fn number_hash(number: &str) -> NumberHash {
    NumberHash(crate::hashing::fingerprint(&number))
}

/// What one application does to one invoice, in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Settlement {
    pub source: Option<Source>,
    pub cash: i64,
    pub discount: i64,
    pub write_off: i64,
    pub deduction: i64,
}

/// An application's parts per invoice, inline for the usual one or two invoices.
pub(crate) type Parts = Few<(u32, Settlement), 2>;

/// What deciding a command found that folding its event would look up again.
pub(crate) enum Known {
    /// The parts per invoice of the application the planner made.
    Application(AppPlan),
    /// The dense number of the customer a document was checked against.
    Customer(u32),
    /// An invoice's customer, and the hash of its number, checked free.
    Invoice { customer: u32, number: NumberHash },
}

pub(crate) struct AppPlan {
    pub source: Source,
    pub customer: u32,
    pub cash: i64,
    pub parts: Parts,
}

#[cfg(test)]
mod tests {
    use super::{Few, NumberHash, NumberedDoc, Trail};
    use crate::*;
    use proptest::prelude::*;

    /// Registers customer Acme, in USD on net 30.
    pub(super) fn register_acme(customer: CustomerId) -> Action {
        Action::RegisterCustomer(RegisterCustomer {
            customer,
            name: "Acme".into(),
            currency: Currency::USD,
            terms: PaymentTerms::net(30),
            credit_limit: None,
            collector: None,
        })
    }

    /// Numbers whose hashes clash (forced here: 64-bit fingerprints of real
    /// numbers practically never do) are all kept and told apart by the number.
    #[test]
    fn documents_whose_number_hashes_clash_are_all_found() -> Result<(), Box<dyn std::error::Error>> {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).ok_or("date")?;
        let clerk = Actor::new("ana", "clerk");
        let customer = CustomerId::from_u128(1);
        let mut ledger = Ledger::new(LedgerConfig::new());
        let mut run = |n: u128, action| {
            ledger.execute(Command {
                id: CommandId::from_u128(n),
                effective_date: day,
                actor: clerk.clone(),
                action,
            })?;
            Ok::<(), LedgerError>(())
        };
        run(0, register_acme(customer))?;
        for k in 1..=3u128 {
            let line = DocumentLine {
                description: "Widgets".into(),
                quantity: rust_decimal::Decimal::ONE,
                unit_price: rust_decimal::Decimal::TEN,
                discount: None,
                taxes: vec![],
            };
            let invoice = IssueInvoice {
                invoice: InvoiceId::from_u128(k),
                number: format!("INV-{k}"),
                customer,
                kind: InvoiceKind::Invoice,
                document_date: day,
                lines: vec![line],
                discount: None,
                terms: None,
                tax_rounding: TaxRounding::PerLine,
                rounding: Rounding::HalfUp,
            };
            run(k, Action::IssueInvoice(invoice))?;
        }
        let mut state = ledger.state.clone();
        state.numbers = crate::id_table::IdTable::default();
        state.number_clashes.clear();
        let hash = NumberHash(42);
        state.claim_hash(hash, NumberedDoc::Invoice(0));
        state.claim_hash(hash, NumberedDoc::Invoice(1));
        assert_eq!(state.number_holder(hash, "INV-1"), Some(NumberedDoc::Invoice(0)));
        assert_eq!(state.number_holder(hash, "INV-2"), Some(NumberedDoc::Invoice(1)));
        assert_eq!(state.number_holder(hash, "INV-3"), None);
        assert_eq!(state.number_holder(NumberHash(43), "INV-1"), None);
        state.claim_hash(hash, NumberedDoc::Invoice(2));
        assert_eq!(state.number_holder(hash, "INV-3"), Some(NumberedDoc::Invoice(2)));
        assert_eq!(state.numbers.len(), 1);
        assert_eq!(state.number_clashes.get(&hash).map(Vec::len), Some(2));
        Ok(())
    }

    #[test]
    fn a_trail_keeps_every_application_in_order_past_its_inline_room() {
        let mut trail = Trail::default();
        assert_eq!(trail.last(), None);
        for (k, app) in [7, 3, 9, 1, 4].into_iter().enumerate() {
            trail.push(app);
            assert_eq!(trail.last(), Some(app));
            assert_eq!(trail.iter().count(), k + 1);
        }
        assert_eq!(trail.iter().collect::<Vec<_>>(), vec![7, 3, 9, 1, 4]);
    }

    proptest! {
        /// A `Few` holds what a `Vec` would, in the same order, as one slice,
        /// before and after it spills, and writes through its slice land.
        #[test]
        fn a_few_is_a_vec_that_starts_inline(items in proptest::collection::vec(any::<u32>(), 0..12), at in any::<usize>()) {
            let mut few: Few<u32, 2> = Few::default();
            let mut vec = Vec::new();
            for item in &items {
                few.push(*item);
                vec.push(*item);
                prop_assert_eq!(&few[..], &vec[..]);
            }
            if !vec.is_empty() {
                let k = at % vec.len();
                few[k] = few[k].wrapping_add(1);
                vec[k] = vec[k].wrapping_add(1);
            }
            prop_assert_eq!(&few.clone()[..], &vec[..]);
        }
    }
}

#[cfg(test)]
mod customer_sets_tests {
    use super::Slot;
    use crate::*;
    use rust_decimal::Decimal;

    /// Whether each customer's sets hold exactly what its invoices say: `open`
    /// the keys of those with something collectible, `held` of those disputed
    /// in full, `fees` of the fee and interest memos among both. A key left
    /// behind in `held` or `fees` would not change what is paid, only make
    /// the walks that step past it longer.
    fn sets_are_what_the_invoices_say(ledger: &Ledger) -> bool {
        let state = &ledger.state;
        state.customers.iter().enumerate().all(|(c, customer)| {
            let (mut open, mut held, mut fees) = (Vec::new(), Vec::new(), Vec::new());
            for (i, inv) in (0u32..).zip(&state.invoices).filter(|(_, inv)| inv.customer as usize == c) {
                match inv.slot() {
                    Slot::Collectible => open.push(inv.key(i)),
                    Slot::Held => held.push(inv.key(i)),
                    Slot::Closed => continue,
                }
                if inv.is_fee() {
                    fees.push(inv.key(i));
                }
            }
            open.sort_unstable();
            held.sort_unstable();
            fees.sort_unstable();
            customer.open.iter().eq(&open) && customer.held.iter().eq(&held) && customer.fees.iter().eq(&fees)
        })
    }

    struct Book {
        ledger: Ledger,
        next: u128,
        day: chrono::NaiveDate,
        customer: CustomerId,
    }

    impl Book {
        fn run(&mut self, action: Action) -> Result<(), LedgerError> {
            self.next += 1;
            let (id, actor) = (CommandId::from_u128(self.next), Actor::new("ana", "supervisor"));
            self.ledger.execute(Command { id, effective_date: self.day, actor, action }).map(|_| ())
        }

        fn pay(&mut self, k: u128, minor: i64, target: Target) -> Result<(), LedgerError> {
            let payment = PaymentId::from_u128(k);
            let receive = crate::ReceivePayment {
                payment,
                customer: self.customer,
                amount: Money::from_minor(minor, Currency::USD)?,
                received: self.day,
                method: PaymentMethod::BankTransfer,
                payer_reference: FreeText::default(),
                remittance: FreeText::default(),
                deposit: None,
            };
            self.run(Action::ReceivePayment(receive))?;
            let (application, source) = (ApplicationId::from_u128(k), CashSource::Payment(payment));
            self.run(Action::ApplyCash(ApplyCash {
                application,
                source,
                amount: None,
                target,
                policy: Default::default(),
            }))
        }
    }

    /// 150 documents, every third an invoice and the others fees or interest
    /// (so the sets pass 64 keys and shrink back); every fifth disputed in
    /// full and every seventh in part; paid one by one, fees first or oldest
    /// first, every third payment reversed; the disputes resolved half way;
    /// the documents cash never reached voided.
    #[test]
    fn the_sets_follow_payments_disputes_reversals_and_voids() -> Result<(), LedgerError> {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
        let customer = CustomerId::from_u128(1);
        let mut book = Book { ledger: Ledger::new(LedgerConfig::new()), next: 0, day, customer };
        book.run(super::tests::register_acme(customer))?;
        let kinds = [
            InvoiceKind::Invoice,
            InvoiceKind::DebitMemo(DebitReason::Fee),
            InvoiceKind::DebitMemo(DebitReason::Interest),
        ];
        for k in 0..150u32 {
            let line = DocumentLine {
                description: "Late fee".into(),
                quantity: Decimal::ONE,
                unit_price: Decimal::from(10 + k % 7),
                discount: None,
                taxes: vec![],
            };
            let issue = IssueInvoice {
                invoice: InvoiceId::from_u128(u128::from(k)),
                number: format!("D-{k}"),
                customer,
                kind: kinds[k as usize % 3].clone(),
                document_date: day - chrono::Days::new(u64::from(k % 40)),
                lines: vec![line],
                discount: None,
                terms: None,
                tax_rounding: TaxRounding::PerLine,
                rounding: Rounding::HalfUp,
            };
            book.run(Action::IssueInvoice(issue))?;
        }
        let mut disputes = Vec::new();
        for k in (0..150u128).filter(|k| k % 5 == 0 || k % 7 == 0) {
            let invoice = InvoiceId::from_u128(k);
            let open = book.ledger.invoice(invoice).map_or(0, |v| v.open.minor());
            let amount = Money::from_minor(if k % 5 == 0 { open } else { open / 2 }, Currency::USD)?;
            let dispute = DisputeId::from_u128(k);
            book.run(Action::OpenDispute { dispute, invoice, amount, reason: "damaged".into() })?;
            disputes.push(dispute);
        }
        assert!(sets_are_what_the_invoices_say(&book.ledger));
        assert!(
            book.ledger.state.customers[0].held.len() > 20,
            "disputed in full: {}",
            book.ledger.state.customers[0].held.len()
        );
        for k in 0..110u128 {
            let target = if k % 2 == 0 { Target::FeesFirst } else { Target::OldestDueFirst };
            book.pay(k, 1_300, target)?;
            if k % 3 == 2 {
                book.run(Action::Unapply { application: ApplicationId::from_u128(k) })?;
            }
            if k == 55 {
                for (n, dispute) in disputes.iter().enumerate().filter(|(n, _)| n % 2 == 0) {
                    let resolution = if n % 4 == 0 {
                        DisputeResolution::Rejected
                    } else {
                        let credit_memo = CreditMemoId::from_u128(1_000 + n as u128);
                        DisputeResolution::Credited { credit_memo, number: format!("CM-{n}") }
                    };
                    book.run(Action::ResolveDispute { dispute: *dispute, resolution })?;
                }
            }
            assert!(sets_are_what_the_invoices_say(&book.ledger), "after payment {k}");
        }
        for k in 0..150u128 {
            // Refused where cash or a dispute reached the document; the rest are voided.
            let _ = book.run(Action::VoidInvoice { invoice: InvoiceId::from_u128(k), reason: "error".into() });
        }
        assert!(sets_are_what_the_invoices_say(&book.ledger));
        assert!(book.ledger.state.customers[0].fees.len() < 32, "paid and voided down to a vector again");
        Ok(())
    }
}

#[cfg(test)]
mod size_tests {
    /// Every open invoice pays for its record: a million of them, each byte a megabyte.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn an_invoice_record_is_144_bytes() {
        assert_eq!(std::mem::size_of::<super::Invoice>(), 144);
    }

    /// A customer record is four cache lines: the sets most customers never
    /// use (fees, invoices disputed in full) cost a pointer each while empty.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_customer_record_is_256_bytes() {
        assert_eq!(std::mem::size_of::<super::Customer>(), 256);
    }

    /// What issuing, receiving and applying read of a customer lies in the record's first cache line.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_customers_hot_fields_share_one_cache_line() {
        use std::mem::{align_of, offset_of, size_of};
        type C = super::Customer;
        assert_eq!(align_of::<C>(), 64);
        let ends = [
            offset_of!(C, open) + size_of::<super::OpenItems>(),
            offset_of!(C, receivable) + 8,
            offset_of!(C, unapplied_cash) + 8,
            offset_of!(C, terms) + 8,
            offset_of!(C, currency) + size_of::<crate::Currency>(),
        ];
        assert!(ends.iter().all(|end| *end <= 64), "{ends:?}");
    }

    #[test]
    fn a_trail_keeps_every_application_in_order() {
        let mut trail = super::Trail::default();
        assert_eq!(trail.last(), None);
        for a in [7, 3, 9, 1] {
            trail.push(a);
            assert_eq!(trail.last(), Some(a));
        }
        assert_eq!(trail.iter().collect::<Vec<_>>(), [7, 3, 9, 1]);
    }
}
