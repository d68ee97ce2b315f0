//! [`Matcher`]: the indexes of one set of open items, and the run over bank lines.

use std::sync::{Arc, OnceLock};

use ar_core::{Currency, CustomerId, Money};
use chrono::NaiveDate;

use super::grouping::Grouped;
use super::index::{MatchIndex, NONE};
use super::payer_keys::PayerKeys;
use super::proposal::SummaryBuilder;
use super::read_ahead::{BLOCK, ReadAhead};
use super::references::Ref;
use super::settle::Open;
use super::settled_rows::SettledRows;
use super::{
    Allocation, CustomerDirectory, Evidence, MatchError, MatchOutcome, MatchPolicy, OpenInvoice, Pass, Proposal,
    Shortfall, Tier,
};
use crate::BankLine;

/// Open items and a customer directory, indexed for matching bank lines.
///
/// Build it once per set of open items, then [`run`](Matcher::run) it over bank
/// lines. [`Matcher::new`] validates everything and builds the indexes the
/// policy's passes use: a policy that stops after [`Pass::Text`] pays for the
/// document and account lookups only, not for the payer-name keys or the
/// per-customer grouping of the later passes. A run processes the lines in
/// input order and keeps a running open amount per invoice: what an earlier
/// line settles is no longer open for a later one, so no invoice is ever
/// allocated beyond its open amount within a run. Two runs are independent.
///
/// ```
/// use ar_reconcile::matching::{Customer, CustomerDirectory, MatchPolicy, Matcher, OpenInvoice, Tier};
/// use ar_reconcile::{BankLine, Reference};
/// use ar_core::{Currency, CustomerId, InvoiceId, Money};
/// use chrono::NaiveDate;
/// use rust_decimal_macros::dec;
///
/// let date = NaiveDate::from_ymd_opt(2024, 5, 2).ok_or("date")?;
/// let acme = CustomerId::from_u128(1);
/// let directory: CustomerDirectory =
///     [Customer::new(acme, "ACME GmbH").account("DE89370400440532013000")].into_iter().collect();
/// let usd = |v| Money::new(v, Currency::EUR);
/// let items = vec![
///     OpenInvoice::new(InvoiceId::from_u128(10), acme, "INV-00041", usd(dec!(250.00))?, date, date),
///     OpenInvoice::new(InvoiceId::from_u128(11), acme, "INV-00042", usd(dec!(100.00))?, date, date),
/// ];
/// let line = BankLine {
///     counterparty_name: Some("ACME GMBH".into()),
///     remittance_text: "Zahlung inv 42".into(),
///     ..BankLine::new(date, usd(dec!(100.00))?)
/// };
/// let matcher = Matcher::new(MatchPolicy::new(), &directory, &items)?;
/// let outcome = matcher.run(&[line]);
/// let proposal = &outcome.proposals[0];
/// assert_eq!(proposal.customer, Some(acme));
/// assert_eq!(&*proposal.allocations[0].document, "INV-00042");
/// assert_eq!(proposal.tier, Tier::High);
/// assert_eq!(
///     proposal.evidence[0].to_string(),
///     "invoice number INV-00042 found in remittance text ('inv 42')"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Matcher<'a> {
    pub(crate) policy: MatchPolicy,
    pub(crate) directory: &'a CustomerDirectory,
    pub(crate) items: &'a [OpenInvoice],
    pub(crate) index: MatchIndex,
    /// Pass (c)'s lookups: built with the matcher when the policy runs pass (c).
    payers: OnceLock<PayerKeys>,
    /// Customer → open items: built with the matcher when the policy runs pass
    /// (d), else only if a reference pass meets a customer outside the directory.
    grouped: OnceLock<Grouped>,
}

/// Mutable state of one run.
pub(crate) struct RunState<'l> {
    /// Invoice row → how much earlier lines of this run settled (zero until
    /// then, so a run does not copy the items' open amounts up front).
    pub(crate) settled: SettledRows,
    /// Scratch space reused across lines: a normalized key, a candidate's
    /// normalized number, and index hits.
    pub(crate) key: Vec<u8>,
    pub(crate) buf: Vec<u8>,
    pub(crate) hits: Vec<u32>,
    /// More scratch, so a line allocates only what its proposal keeps: the
    /// references a pass found, a prefix word joined to its number, the open
    /// amounts of the invoices considered, and a draft's parts. A step takes a
    /// buffer, fills it and gives it back (see [`RunState::give_back`]).
    pub(crate) refs: Vec<Ref<'l>>,
    pub(crate) joined: String,
    pub(crate) opens: Vec<Open>,
    pub(crate) parts: Vec<Part>,
    /// A line's evidence as the passes write it; the proposal gets an exact
    /// copy (a line has one to six entries, and sizing each for the most
    /// would make the evidence half the bytes a run allocates).
    pub(crate) evidence: Vec<Evidence>,
}

impl RunState<'_> {
    pub(crate) fn new(items: usize) -> Self {
        RunState {
            settled: SettledRows::new(items),
            key: Vec::new(),
            buf: Vec::new(),
            hits: Vec::new(),
            refs: Vec::new(),
            joined: String::new(),
            opens: Vec::new(),
            parts: Vec::new(),
            evidence: Vec::new(),
        }
    }

    /// `true` if no earlier line of this run settled anything on `row`.
    pub(crate) fn untouched(&self, row: u32) -> bool {
        self.settled.get(row) == 0
    }

    /// An empty parts list for a draft, with the capacity earlier lines grew.
    pub(crate) fn take_parts(&mut self) -> Vec<Part> {
        std::mem::take(&mut self.parts)
    }

    /// Puts a scratch buffer back emptied, unless the one in place already has
    /// more room (a draft that never took the buffer hands back an empty one).
    pub(crate) fn give_back<T>(slot: &mut Vec<T>, mut buffer: Vec<T>) {
        buffer.clear();
        if buffer.capacity() >= slot.capacity() {
            *slot = buffer;
        }
    }
}

/// The bank line being matched, in minor units.
pub(crate) struct LineCtx<'l> {
    pub(crate) index: usize,
    pub(crate) line: &'l BankLine,
    pub(crate) currency: Currency,
    pub(crate) amount: i64,
    pub(crate) date: NaiveDate,
}

/// One invoice row's part in a proposal, in minor units.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Part {
    pub(crate) row: u32,
    pub(crate) applied: i64,
    pub(crate) discount: i64,
    pub(crate) write_off: i64,
    pub(crate) deduction: i64,
}

/// A proposal being built.
pub(crate) struct Draft {
    pub(crate) customer: u32,
    pub(crate) parts: Vec<Part>,
    pub(crate) tier: Tier,
    pub(crate) evidence: Vec<Evidence>,
}

impl Draft {
    pub(crate) fn new(evidence: Vec<Evidence>) -> Self {
        Draft { customer: NONE, parts: Vec::new(), tier: Tier::Unmatched, evidence }
    }

    /// Replaces the parts, keeping the buffer.
    pub(crate) fn set_parts(&mut self, parts: impl Iterator<Item = Part>) {
        self.parts.clear();
        self.parts.extend(parts);
    }
}

impl<'a> Matcher<'a> {
    /// Validates and indexes the open items and the directory.
    ///
    /// Fails on a duplicate invoice or customer, an open amount that is not
    /// positive, a discount that cannot apply, or an account listed for two
    /// customers.
    pub fn new(
        policy: MatchPolicy,
        directory: &'a CustomerDirectory,
        items: &'a [OpenInvoice],
    ) -> Result<Matcher<'a>, MatchError> {
        let index = MatchIndex::build(items, directory, policy.prefixes())?;
        let matcher = Matcher { policy, directory, items, index, payers: OnceLock::new(), grouped: OnceLock::new() };
        // Build up front what the policy's passes will use, so a run does not pay for it.
        if matcher.policy.last_pass_run() >= Pass::SingleItem {
            matcher.payers();
            matcher.grouped();
        }
        Ok(matcher)
    }

    pub(crate) fn payers(&self) -> &PayerKeys {
        self.payers.get_or_init(|| PayerKeys::build(self.directory, self.policy.prefixes()))
    }

    pub(crate) fn grouped(&self) -> &Grouped {
        self.grouped.get_or_init(|| Grouped::build(self.items, &self.index.directory_ids))
    }

    /// The dense number of the customer who owes `row`: its directory entry,
    /// else a number after the directory's.
    pub(crate) fn owner(&self, row: u32) -> u32 {
        if let Some(g) = self.grouped.get() {
            return g.customer_of.get(row as usize).copied().unwrap_or(NONE);
        }
        let Some(item) = self.items.get(row as usize) else { return NONE };
        match self.index.directory_ids.get(item.customer.as_uuid().as_u128()) {
            Some(entry) => entry,
            None => self.grouped().customer_of.get(row as usize).copied().unwrap_or(NONE),
        }
    }

    /// The id of a dense customer.
    pub(crate) fn customer_id(&self, customer: u32) -> Option<CustomerId> {
        match self.directory.customers().get(customer as usize) {
            Some(c) => Some(c.id),
            // Customers outside the directory are numbered only by the grouping.
            None => {
                let guest = (customer as usize).checked_sub(self.directory.len())?;
                self.grouped.get()?.guests.get(guest).copied()
            }
        }
    }

    /// The open amount left on `row` in this run, in minor units.
    pub(crate) fn remaining(&self, state: &RunState<'_>, row: u32) -> i64 {
        self.items.get(row as usize).map_or(0, |item| item.open_amount.minor() - state.settled.get(row))
    }

    /// The policy in force.
    pub fn policy(&self) -> &MatchPolicy {
        &self.policy
    }

    /// Proposes, for each line in order, how it pays which invoices.
    pub fn run(&self, lines: &[BankLine]) -> MatchOutcome {
        let mut state = RunState::new(self.items.len());
        let mut proposals = Vec::with_capacity(lines.len());
        let mut summary = SummaryBuilder::default();
        let mut ahead = ReadAhead::default();
        for (b, block) in lines.chunks(BLOCK).enumerate() {
            self.read_ahead(&mut ahead, &state.settled, block);
            for (i, line) in block.iter().enumerate() {
                let proposal = self.propose(&mut state, b * BLOCK + i, line);
                summary.add(&proposal);
                proposals.push(proposal);
            }
        }
        MatchOutcome { proposals, summary: summary.build() }
    }

    fn propose<'l>(&self, state: &mut RunState<'l>, index: usize, line: &'l BankLine) -> Proposal {
        let ctx = LineCtx {
            index,
            line,
            currency: line.amount.currency(),
            amount: line.amount.minor(),
            date: line.booking_date,
        };
        if ctx.amount <= 0 {
            return self.skipped(&ctx);
        }
        let draft = self.decide(state, &ctx);
        self.finish(state, &ctx, draft)
    }

    fn skipped(&self, ctx: &LineCtx<'_>) -> Proposal {
        Proposal {
            line: ctx.index,
            amount: ctx.line.amount,
            customer: None,
            allocations: Vec::new(),
            write_offs: Vec::new(),
            deductions: Vec::new(),
            unapplied: Money::zero(ctx.currency),
            tier: Tier::Unmatched,
            auto_apply: false,
            skipped: true,
            evidence: vec![Evidence::DebitSkipped { amount: ctx.line.amount }],
        }
    }

    /// Turns a draft into a proposal and takes what it settles off the open amounts.
    fn finish(&self, state: &mut RunState<'_>, ctx: &LineCtx<'_>, draft: Draft) -> Proposal {
        let cur = ctx.currency;
        let mut allocations = Vec::with_capacity(draft.parts.len());
        let mut write_offs = Vec::new();
        let mut deductions = Vec::new();
        let mut applied_total = 0i64;
        for part in &draft.parts {
            let item = &self.items[part.row as usize];
            let settled = part.applied + part.discount + part.write_off + part.deduction;
            state.settled.add(part.row, settled);
            applied_total += part.applied;
            allocations.push(Allocation {
                invoice: item.invoice,
                document: item.number.clone(),
                applied: money(part.applied, cur),
                discount: money(part.discount, cur),
                settled: money(settled, cur),
            });
            let shortfall = |amount| Shortfall { invoice: item.invoice, document: item.number.clone(), amount };
            if part.write_off > 0 {
                write_offs.push(shortfall(money(part.write_off, cur)));
            }
            if part.deduction > 0 {
                deductions.push(shortfall(money(part.deduction, cur)));
            }
        }
        let tier = draft.tier;
        RunState::give_back(&mut state.parts, draft.parts);
        let mut written = draft.evidence;
        let mut evidence = Vec::with_capacity(written.len());
        evidence.append(&mut written);
        RunState::give_back(&mut state.evidence, written);
        Proposal {
            line: ctx.index,
            amount: ctx.line.amount,
            customer: self.customer_id(draft.customer),
            allocations,
            write_offs,
            deductions,
            unapplied: money(ctx.amount - applied_total, cur),
            tier,
            auto_apply: tier != Tier::Unmatched && tier.at_least(self.policy.auto_apply_tier()),
            skipped: false,
            evidence,
        }
    }

    /// The name people know a customer by: the directory's, else its id.
    pub(crate) fn customer_name(&self, customer: u32) -> Arc<str> {
        match self.directory.customers().get(customer as usize) {
            Some(c) => c.name.clone(),
            None => self.customer_id(customer).map(|id| Arc::from(id.to_string())).unwrap_or_else(|| Arc::from("")),
        }
    }

    /// The discount available on `row` for this line: only on an invoice no
    /// earlier line touched, within the offer's date plus grace days.
    pub(crate) fn discount_available(&self, state: &RunState<'_>, ctx: &LineCtx<'_>, row: u32) -> i64 {
        let Some(item) = self.items.get(row as usize) else { return 0 };
        if !self.policy.takes_discounts() || item.discounts.is_empty() || !state.untouched(row) {
            return 0;
        }
        item.discount_on(ctx.date, self.policy.grace_days()).map_or(0, |d| d.minor())
    }

    pub(crate) fn money(&self, minor: i64, ctx: &LineCtx<'_>) -> Money {
        money(minor, ctx.currency)
    }
}

/// Minor units as money. Every figure the matcher builds lies between zero and
/// an amount that is already valid money (a line amount or an open amount), so
/// the conversion cannot fail; zero is a guard, never reached.
pub(crate) fn money(minor: i64, currency: Currency) -> Money {
    Money::from_minor(minor, currency).unwrap_or_else(|_| Money::zero(currency))
}
