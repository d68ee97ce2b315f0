//! Reading ahead for [`Ledger::execute_each`] and [`Ledger::replay`]: the
//! records a block of commands or events will look up, read one stage at a
//! time across the block.
//!
//! Commands run one after another, since each sees what the one before did.
//! On a large book, though, nearly every lookup a command makes misses the
//! cache (its id among the executed commands, the document's id and number,
//! the customer, the customer's oldest open invoice), and within one command
//! each miss waits for the one before. Which slots those lookups land in does
//! not depend on the commands before, so reading them for a block of commands
//! a stage at a time lets the misses of different commands overlap; executing
//! the block then finds them in cache. Nothing here decides anything: the
//! events are the same without it.

use super::Ledger;
use super::state::number_hash;
use crate::event::{Change, Event};
use crate::{Action, ApplicationId, CashSource, Command, CommandId, CustomerId, InvoiceId, PaymentId, Target};

/// Commands read ahead at a time: enough overlapping misses to keep the
/// memory system busy, few enough that what they bring in is still cached
/// when they run.
pub(super) const BLOCK: usize = 32;

/// Scratch space reused across blocks: record positions found in one stage
/// and read in the next.
#[derive(Default)]
pub(super) struct ReadAhead {
    /// Customers, each with what its command will read of it.
    customers: Vec<(u32, Needs)>,
    payments: Vec<u32>,
    invoices: Vec<u32>,
    /// Folds what was read, so the reads are not optimized away.
    sink: u64,
}

/// What a command reads of its customer beyond the record itself. Reading
/// only that leaves the memory system free for the misses that matter: the
/// customer's oldest open invoice is of no use to issuing a new one.
#[derive(Clone, Copy)]
struct Needs {
    /// The end of the payment list, where a receipt pushes.
    payments_end: bool,
    /// The newest open invoice, next to where a new one goes.
    newest_open: bool,
    /// The oldest open invoice's record, which applying cash reads first.
    oldest_open: bool,
}

/// Issuing an invoice inserts it among the open ones, nearly always last.
const ISSUE: Needs = Needs { payments_end: false, newest_open: true, oldest_open: false };
/// A receipt is pushed onto the payment list; the application that nearly
/// always follows it reads the oldest open invoice. (The application itself
/// finds its customer through the payment only once the receipt has run.)
const RECEIPT: Needs = Needs { payments_end: true, newest_open: false, oldest_open: true };
/// Applying a payment's cash starts at the oldest open invoice.
const APPLICATION: Needs = Needs { payments_end: false, newest_open: false, oldest_open: true };

impl Ledger {
    /// Reads what executing `commands` will look up.
    pub(super) fn read_ahead(&self, ahead: &mut ReadAhead, commands: &[Command]) {
        let mut sink = self.read_command_ids(ahead, commands.iter().map(|c| &c.id));
        for command in commands {
            sink = sink.wrapping_add(self.read_ids(ahead, &command.action));
        }
        self.read_records(ahead, sink);
    }

    /// Reads what folding `events` will look up (for [`Ledger::replay`]).
    pub(super) fn read_ahead_events(&self, ahead: &mut ReadAhead, events: &[&Event]) {
        let mut sink = self.read_command_ids(ahead, events.iter().map(|e| &e.command));
        for event in events {
            sink = sink.wrapping_add(self.read_change_ids(ahead, &event.change));
        }
        self.read_records(ahead, sink);
    }

    /// The first stage: the ids among the commands executed.
    fn read_command_ids<'c>(&self, ahead: &mut ReadAhead, ids: impl Iterator<Item = &'c CommandId>) -> u64 {
        ahead.customers.clear();
        ahead.payments.clear();
        ahead.invoices.clear();
        ids.fold(0u64, |sum, id| sum.wrapping_add(self.commands.get(id).copied().unwrap_or(0)))
    }

    /// The last stages: the payments' customers, what each command reads of
    /// its customer's record, and the invoices found.
    fn read_records(&self, ahead: &mut ReadAhead, mut sink: u64) {
        let st = &self.state;
        let ReadAhead { customers, payments, invoices, .. } = ahead;
        let payers = payments.iter().filter_map(|&p| st.payments.get(p as usize));
        customers.extend(payers.map(|p| (p.customer, APPLICATION)));
        for &(c, needs) in customers.iter() {
            let Some(customer) = st.customers.get(c as usize) else { continue };
            // The record itself: the currency every payment, invoice and
            // application is checked against, and the running balances.
            sink = sink.wrapping_add(u64::from(customer.currency.minor_units()));
            if needs.payments_end {
                sink = sink.wrapping_add(customer.payments.last().map_or(0, |&p| u64::from(p)));
            }
            if needs.newest_open {
                sink = sink.wrapping_add(customer.open.last().map_or(0, |key| u64::from(key.2)));
            }
            if needs.oldest_open {
                invoices.extend(customer.open.first().map(|key| key.2));
            }
        }
        for &i in invoices.iter() {
            // What applying cash reads: the schedule at the record's start and the
            // amounts and void flag at its end, which may lie on other cache lines.
            sink = sink.wrapping_add(st.invoices.get(i as usize).map_or(0, |invoice| {
                let offer = invoice.single.as_ref().and_then(|s| s.offer).map_or(0, |(_, amount)| amount);
                (invoice.open() as u64).wrapping_add(offer as u64)
            }));
        }
        ahead.sink = std::hint::black_box(ahead.sink.wrapping_add(sink));
    }

    /// Looks up the ids `action` names, noting the customers, payments and
    /// invoices found for the next stages.
    fn read_ids(&self, ahead: &mut ReadAhead, action: &Action) -> u64 {
        match action {
            Action::IssueInvoice(issue) => self.read_invoice(ahead, &issue.customer, &issue.invoice, &issue.number),
            Action::ReceivePayment(receive) => self.read_payment(ahead, &receive.customer, &receive.payment),
            Action::ApplyCash(apply) => {
                let named: &[InvoiceId] = match &apply.target {
                    Target::OldestDueFirstAmong(ids) | Target::ProRata(ids) => ids,
                    _ => &[],
                };
                let specific = match &apply.target {
                    Target::Specific(parts) => parts.as_slice(),
                    _ => &[],
                };
                let remittance = match &apply.target {
                    Target::Remittance(lines) => lines.as_slice(),
                    _ => &[],
                };
                let invoices = named
                    .iter()
                    .chain(specific.iter().map(|(id, _)| id))
                    .chain(remittance.iter().map(|line| &line.invoice));
                self.read_application(ahead, &apply.application, apply.source, invoices)
            }
            _ => 0,
        }
    }

    /// [`Ledger::read_ids`] for a recorded change.
    fn read_change_ids(&self, ahead: &mut ReadAhead, change: &Change) -> u64 {
        match change {
            Change::InvoiceIssued(doc) => self.read_invoice(ahead, &doc.customer, &doc.invoice, &doc.number),
            Change::PaymentReceived(payment) => self.read_payment(ahead, &payment.customer, &payment.payment),
            Change::CashApplied(applied) => {
                let invoices = applied.allocations.iter().map(|a| &a.invoice);
                self.read_application(ahead, &applied.application, applied.source, invoices)
            }
            _ => 0,
        }
    }

    fn read_invoice(&self, ahead: &mut ReadAhead, customer: &CustomerId, invoice: &InvoiceId, number: &str) -> u64 {
        let st = &self.state;
        ahead.customers.extend(st.customer_ix.get(customer).map(|&c| (c, ISSUE)));
        let taken = st.numbers.contains_key(&number_hash(number));
        position(st.invoice_ix.get(invoice)).wrapping_add(u64::from(taken))
    }

    fn read_payment(&self, ahead: &mut ReadAhead, customer: &CustomerId, payment: &PaymentId) -> u64 {
        ahead.customers.extend(self.state.customer_ix.get(customer).map(|&c| (c, RECEIPT)));
        position(self.state.payment_ix.get(payment))
    }

    fn read_application<'i>(
        &self,
        ahead: &mut ReadAhead,
        application: &ApplicationId,
        source: CashSource,
        invoices: impl Iterator<Item = &'i InvoiceId>,
    ) -> u64 {
        let st = &self.state;
        if let CashSource::Payment(payment) = source {
            ahead.payments.extend(st.payment_ix.get(&payment));
        }
        ahead.invoices.extend(invoices.filter_map(|id| st.invoice_ix.get(id)));
        position(st.application_ix.get(application))
    }
}

/// A record's position, folded into what was read.
fn position(found: Option<&u32>) -> u64 {
    found.map_or(0, |at| u64::from(*at))
}

/// Moves up to [`BLOCK`] more items of `items` into `block` (emptied by the
/// caller); `false` when there were none left.
pub(super) fn next_block<T>(items: &mut impl Iterator<Item = T>, block: &mut Vec<T>) -> bool {
    block.extend(items.take(BLOCK));
    !block.is_empty()
}
