//! The engine: `execute` decides and folds, `apply` and `replay` fold recorded events.

mod application;
mod credit_check;
mod decide;
mod key_index;
mod open_items;
mod queries;
mod read_ahead;
mod state;

pub use queries::LedgerCounts;

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};

use crate::event::{Change, Event};
use crate::hashing::fingerprint;
use crate::id_table::IdTable;
use crate::{ApprovalPolicy, BusinessCalendar, Command, CommandId, CreditPolicy, LedgerError, ReplayError};
use state::State;

/// What the ledger is configured with. Not part of the event stream: a host
/// replays events with the same configuration it executed them with.
///
/// ```
/// use ar_core::{ApprovalPolicy, Authority, CreditPolicy, LedgerConfig};
/// let config = LedgerConfig::new()
///     .approvals(ApprovalPolicy::new().require(Authority::CreditLimitChange, None, &["credit_manager"]))
///     .credit(CreditPolicy::new().hold_when_overdue_beyond(60));
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerConfig {
    /// Who may do what.
    pub approvals: ApprovalPolicy,
    /// How the credit check decides.
    pub credit: CreditPolicy,
    /// Moves due dates off weekends and holidays, if set.
    pub calendar: Option<BusinessCalendar>,
}

impl LedgerConfig {
    /// No approval rules, the default credit policy, no calendar.
    pub fn new() -> Self {
        LedgerConfig::default()
    }
    /// Sets the approval policy.
    pub fn approvals(mut self, approvals: ApprovalPolicy) -> Self {
        self.approvals = approvals;
        self
    }
    /// Sets the credit policy.
    pub fn credit(mut self, credit: CreditPolicy) -> Self {
        self.credit = credit;
        self
    }
    /// Sets the business calendar.
    pub fn calendar(mut self, calendar: BusinessCalendar) -> Self {
        self.calendar = Some(calendar);
        self
    }
}

/// The receivables ledger: commands in, events out.
///
/// ```
/// use ar_core::*;
/// use chrono::NaiveDate;
/// use rust_decimal_macros::dec;
///
/// let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).ok_or("bad date");
/// let clerk = Actor::new("maria", "clerk");
/// let acme = CustomerId::from_u128(1);
/// let mut ledger = Ledger::new(LedgerConfig::new());
/// let mut run = |n: u128, date, action| {
///     ledger.execute(Command { id: CommandId::from_u128(n), effective_date: date, actor: clerk.clone(), action })
///         .map(|events| events.len())
/// };
/// run(1, day(1)?, Action::RegisterCustomer(RegisterCustomer {
///     customer: acme, name: "Acme".into(), currency: Currency::USD,
///     terms: PaymentTerms::two_ten_net_30(), credit_limit: None, collector: None,
/// }))?;
/// run(2, day(1)?, Action::IssueInvoice(IssueInvoice {
///     invoice: InvoiceId::from_u128(10), number: "INV-1".into(), customer: acme,
///     kind: InvoiceKind::Invoice, document_date: day(1)?,
///     lines: vec![DocumentLine { description: "Widgets".into(), quantity: dec!(10),
///         unit_price: dec!(10.00), discount: None, taxes: vec![] }],
///     discount: None, terms: None, tax_rounding: TaxRounding::PerLine, rounding: Rounding::HalfUp,
/// }))?;
/// run(3, day(5)?, Action::ReceivePayment(ReceivePayment {
///     payment: PaymentId::from_u128(20), customer: acme,
///     amount: Money::new(dec!(98.00), Currency::USD)?, received: day(5)?,
///     method: PaymentMethod::BankTransfer, payer_reference: "INV-1".into(),
///     remittance: FreeText::default(), deposit: None,
/// }))?;
/// run(4, day(5)?, Action::ApplyCash(ApplyCash {
///     application: ApplicationId::from_u128(30), source: CashSource::Payment(PaymentId::from_u128(20)),
///     amount: None, target: Target::OldestDueFirst, policy: ApplicationPolicy::new(),
/// }))?;
/// let invoice = ledger.invoice(InvoiceId::from_u128(10)).ok_or("no invoice")?;
/// assert_eq!(invoice.status, InvoiceStatus::Paid);
/// assert_eq!(invoice.discounted.amount(), dec!(2.00));
/// let replayed = Ledger::replay(LedgerConfig::new(), ledger.journal())?;
/// assert!(replayed == ledger);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ledger {
    config: LedgerConfig,
    state: State,
    journal: Vec<Event>,
    /// Each executed command's first event. Its fingerprint is on that event and
    /// its events run on while they carry its id: a command's events are
    /// contiguous, and no two commands share an id. A slot is 24 bytes, where
    /// one holding the fingerprint and count as well took 40.
    commands: IdTable<CommandId, u64>,
}

impl PartialEq for Ledger {
    /// Two ledgers are equal when their state and history are: what a replay must reproduce.
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state && self.journal == other.journal && self.commands == other.commands
    }
}

impl Ledger {
    /// An empty ledger.
    pub fn new(config: LedgerConfig) -> Self {
        Ledger { config, state: State::default(), journal: Vec::new(), commands: IdTable::default() }
    }

    /// Reserves room for this many more invoices and payments (and the events and
    /// applications they bring), so a host loading a large book pays for growing
    /// the tables once instead of at every doubling.
    pub fn reserve(&mut self, invoices: usize, payments: usize) {
        let st = &mut self.state;
        st.invoices.reserve(invoices);
        st.invoice_ix.reserve(invoices);
        st.numbers.reserve(invoices);
        st.payments.reserve(payments);
        st.payment_ix.reserve(payments);
        st.applications.reserve(payments);
        st.application_ix.reserve(payments);
        self.journal.reserve(invoices + 2 * payments);
        self.commands.reserve(invoices + 2 * payments);
    }

    /// The configuration.
    pub fn config(&self) -> &LedgerConfig {
        &self.config
    }

    /// Executes a command: decides, records and folds its events, and returns them
    /// (a slice of the [`journal`](Ledger::journal), for the host to persist).
    ///
    /// The command is taken by value: the documents it brings (lines, remittance
    /// text) move into its events instead of being copied. On error nothing
    /// changed. A command whose id was executed before returns the events it
    /// returned then, or [`LedgerError::CommandIdReused`] if it differs.
    pub fn execute(&mut self, command: Command) -> Result<&[Event], LedgerError> {
        let fingerprint = fingerprint(&command);
        if let Some(&first) = self.commands.get(&command.id) {
            let events = self.events_of(command.id, first);
            if events.first().is_some_and(|e| e.fingerprint != fingerprint) {
                return Err(LedgerError::CommandIdReused(command.id));
            }
            return Ok(events);
        }
        let Command { id, effective_date, actor, action } = command;
        let head = decide::Head { id, date: effective_date, actor: &actor };
        let decision = decide::decide(&self.state, &self.config, head, action)?;
        let first = self.journal.len();
        let ((changes, last), mut known) = (decision.changes.split_last(), decision.known);
        // The last event takes the command's actor, the others a clone: a clone is
        // two atomic increments, and each waits for every store before it.
        for change in changes {
            let event = Event { sequence: 0, command: id, fingerprint, effective_date, actor: actor.clone(), change };
            self.record_decided(event, known.take())?;
        }
        if let Some(change) = last {
            self.record_decided(Event { sequence: 0, command: id, fingerprint, effective_date, actor, change }, known)?;
        }
        if self.journal.len() > first {
            self.commands.insert(id, first as u64);
        }
        Ok(&self.journal[first..])
    }

    /// The events of the command `id`, whose first event is at `first`.
    fn events_of(&self, id: CommandId, first: u64) -> &[Event] {
        let from = self.journal.get(usize::try_from(first).unwrap_or(usize::MAX)..).unwrap_or(&[]);
        let count = from.iter().take_while(|e| e.command == id).count();
        &from[..count]
    }

    /// Executes `commands` in order, exactly as calling
    /// [`execute`](Ledger::execute) on each in turn would, and hands each
    /// command's id and outcome to `each`. Stops when `each` breaks: the
    /// commands after that one are not executed.
    ///
    /// Use it to load many commands at once (an import, a migration, a day's
    /// batch). For a few dozen commands at a time it first reads the records
    /// their lookups will touch, so that on a large book the cache misses of
    /// different commands overlap instead of each command waiting on its own.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use ar_core::*;
    ///
    /// let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).ok_or("bad date")?;
    /// let register = |n: u128, customer: u128| Command {
    ///     id: CommandId::from_u128(n),
    ///     effective_date: day,
    ///     actor: Actor::new("maria", "clerk"),
    ///     action: Action::RegisterCustomer(RegisterCustomer {
    ///         customer: CustomerId::from_u128(customer), name: format!("Customer {customer}"),
    ///         currency: Currency::USD, terms: PaymentTerms::net_30(), credit_limit: None, collector: None,
    ///     }),
    /// };
    /// let mut ledger = Ledger::new(LedgerConfig::new());
    /// let mut refused = Vec::new();
    /// // The third command registers the first one's customer again: refused; the others run.
    /// let flow = ledger.execute_each([register(1, 7), register(2, 8), register(3, 7)], |id, outcome| {
    ///     if let Err(error) = outcome {
    ///         refused.push(id);
    ///     }
    ///     ControlFlow::<()>::Continue(())
    /// });
    /// assert_eq!(flow, ControlFlow::Continue(()));
    /// assert_eq!(refused, [CommandId::from_u128(3)]);
    /// assert_eq!(ledger.journal().len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute_each<B>(
        &mut self,
        commands: impl IntoIterator<Item = Command>,
        mut each: impl FnMut(CommandId, Result<&[Event], LedgerError>) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        let mut commands = commands.into_iter();
        let mut block = Vec::with_capacity(read_ahead::BLOCK);
        let mut ahead = read_ahead::ReadAhead::default();
        while read_ahead::next_block(&mut commands, &mut block) {
            self.read_ahead(&mut ahead, &block);
            for command in block.drain(..) {
                let id = command.id;
                if let ControlFlow::Break(b) = each(id, self.execute(command)) {
                    return ControlFlow::Break(b);
                }
            }
        }
        ControlFlow::Continue(())
    }

    /// Folds and journals an event `decide` has just made: it checked everything
    /// each change needs, including what a later change of the same command needs
    /// from an earlier one, so the fold only records.
    fn record_decided(&mut self, mut event: Event, known: Option<state::Known>) -> Result<(), LedgerError> {
        self.state.apply_decided(&event.change, event.effective_date, known)?;
        event.sequence = self.journal.len() as u64;
        self.journal.push(event);
        Ok(())
    }

    /// Folds one recorded event into the ledger (for a host rebuilding from its store).
    /// Events must arrive in sequence; on error nothing changed.
    pub fn apply(&mut self, event: &Event) -> Result<(), ReplayError> {
        self.fold(event.clone())
    }

    fn fold(&mut self, event: Event) -> Result<(), ReplayError> {
        let expected = self.journal.len() as u64;
        if event.sequence != expected {
            return Err(ReplayError::OutOfSequence { expected, got: event.sequence });
        }
        let seen = self.commands.contains_key(&event.command);
        if seen {
            // Only the command of the event before may have more events.
            let contiguous =
                self.journal.last().is_some_and(|e| e.command == event.command && e.fingerprint == event.fingerprint);
            if !contiguous {
                let error = LedgerError::CommandIdReused(event.command);
                return Err(ReplayError::Inconsistent { sequence: event.sequence, error });
            }
        }
        self.state
            .apply_change(&event.change, event.effective_date)
            .map_err(|error| ReplayError::Inconsistent { sequence: event.sequence, error })?;
        if !seen {
            self.commands.insert(event.command, event.sequence);
        }
        self.journal.push(event);
        Ok(())
    }

    /// Rebuilds a ledger from recorded events.
    pub fn replay<'a>(
        config: LedgerConfig,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Ledger, ReplayError> {
        let mut ledger = Ledger::new(config);
        let mut events = events.into_iter();
        // Each event takes a journal entry and at most one command; sizing both
        // up front spares copying them at every doubling.
        let (least, _) = events.size_hint();
        ledger.journal.reserve(least);
        ledger.commands.reserve(least);
        let mut block = Vec::with_capacity(read_ahead::BLOCK);
        let mut ahead = read_ahead::ReadAhead::default();
        // The same reading ahead as `execute_each`: a replay folds millions.
        while read_ahead::next_block(&mut events, &mut block) {
            ledger.read_ahead_events(&mut ahead, &block);
            for event in block.drain(..) {
                ledger.fold(event.clone())?;
            }
        }
        Ok(ledger)
    }

    /// Every event so far, in sequence.
    pub fn journal(&self) -> &[Event] {
        &self.journal
    }

    /// The changes in the journal, in sequence.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.journal.iter().map(|e| &e.change)
    }
}
