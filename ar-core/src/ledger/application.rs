//! Planning an application: which invoices get how much cash, discount,
//! write-off and deduction. Pure: reads the state, returns the event.

use std::ops::ControlFlow;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::key_index::KeyIndex;
use super::state::{AppPlan, Few, Invoice, Parts, Settlement, Source, State};
use crate::command::ApplyCash;
use crate::event::{Allocation, CashApplied, DeductionOpened, WriteOffLine};
use crate::{
    ApplicationId, ApplicationPolicy, Currency, DeductionId, DeductionReason, InvoiceId, LedgerError, Money,
    RemittanceLine, Residual, ShortPay, Target, allocate_minor,
};

/// Plans `cmd` against the state; the result is the `CashApplied` event and the
/// parts per invoice the fold records it with.
///
/// The walking targets pass over invoices dated after `date`, the application's
/// effective date: on that date they were not issued yet. A target that names
/// such an invoice is refused.
pub(crate) fn plan_application(
    state: &State,
    cmd: &ApplyCash,
    date: NaiveDate,
) -> Result<(Arc<CashApplied>, AppPlan), LedgerError> {
    if state.application_ix.contains_key(&cmd.application) {
        return Err(LedgerError::DuplicateId { kind: "application", id: cmd.application.as_uuid() });
    }
    check_tolerance(&cmd.policy)?;
    let source = state.source(cmd.source)?;
    let (customer, unapplied) = state.source_balance(source);
    let currency = state.cust(customer).currency;
    let amount = requested_amount(cmd, currency, unapplied)?;
    let received = match source {
        Source::Payment(p) => state.payments[p as usize].doc.received,
        Source::Credit(_) => date,
    };
    // Discounts are for paying early: a credit memo takes none.
    let discounts = match source {
        Source::Payment(_) if cmd.policy.take_discounts => Some(Window::new(received, cmd.policy.grace_days)),
        _ => None,
    };
    let mut plan = Planner {
        state,
        application: cmd.application,
        customer,
        currency,
        received,
        discounts,
        policy: &cmd.policy,
        lines: Few::default(),
    };
    let remaining = match &cmd.target {
        Target::OldestDueFirst => {
            // Walk the customer's open set lazily: most payments stop at the first invoice.
            plan.in_order(issued_by(state, customer, date), amount)
        }
        Target::FeesFirst => plan.in_order(fees_first(state, customer, date), amount),
        Target::OldestDueFirstAmong(ids) => {
            let order = plan.chosen(ids)?;
            plan.in_order(order, amount)
        }
        Target::Specific(pairs) => plan.specific(pairs.iter().map(|(id, cash)| (*id, *cash, None)), amount)?,
        Target::Remittance(lines) => plan.specific(lines.iter().map(|l| (l.invoice, l.cash, l.discount)), amount)?,
        Target::ProRata(ids) => plan.pro_rata(ids, amount)?,
    };
    if plan.lines.iter().all(|l| l.cash == 0 && l.discount == 0) {
        return Err(LedgerError::NothingToApply { from: cmd.source, why: "no open invoice could take any of it" });
    }
    // Specific amounts are what the customer says it pays on each invoice, so
    // what they leave open is a short payment. Otherwise a residual is one only
    // when the customer's money is used up: a host that applies part of it
    // leaves the rest of the invoice open.
    let remittance = match &cmd.target {
        Target::Remittance(lines) => Some(lines.as_slice()),
        _ => None,
    };
    let stated = matches!(cmd.target, Target::Specific(_)) || remittance.is_some();
    let exhausted = remaining == 0 && amount == unapplied;
    plan.residuals(stated || exhausted, remittance)?;
    if !matches!(cmd.target, Target::OldestDueFirst | Target::FeesFirst) {
        plan.named_issued_by(date)?;
    }
    plan.event(cmd, source, remittance)
}

/// `customer`'s open invoices issued on or before `date`, in collection order
/// (the open set is keyed by due date, then document date).
fn issued_by(state: &State, customer: u32, date: NaiveDate) -> impl Iterator<Item = u32> + '_ {
    state.cust(customer).open.iter().filter(move |k| k.1 <= date).map(|k| k.2)
}

/// `customer`'s open invoices issued on or before `date`: the fee and interest
/// debit memos in collection order, then the rest in collection order. The
/// fees come from their own set; the walk over the rest steps past them.
fn fees_first(state: &State, customer: u32, date: NaiveDate) -> impl Iterator<Item = u32> + '_ {
    let fees = state.cust(customer).fees.iter().filter(move |k| k.1 <= date).map(|k| k.2);
    fees.chain(issued_by(state, customer, date).filter(|i| !state.inv(*i).is_fee()))
}

/// Refuses a tolerance no residual could meet sensibly, whether or not this
/// application leaves one.
fn check_tolerance(policy: &crate::ApplicationPolicy) -> Result<(), LedgerError> {
    let tol = &policy.write_off;
    if let Some(abs) = tol.absolute.filter(|a| a.is_sign_negative()) {
        let rule = "it must be zero or more";
        return Err(LedgerError::InvalidPolicy { what: "the write-off tolerance", value: abs, rule });
    }
    if let Some(pct) = tol.percent.filter(|p| p.is_sign_negative() || *p > Decimal::ONE_HUNDRED) {
        let rule = "it must be between 0 and 100";
        return Err(LedgerError::InvalidPolicy { what: "the write-off percentage", value: pct, rule });
    }
    Ok(())
}

fn requested_amount(cmd: &ApplyCash, currency: Currency, unapplied: i64) -> Result<i64, LedgerError> {
    let Some(amount) = cmd.amount else {
        if unapplied <= 0 {
            return Err(LedgerError::NothingToApply { from: cmd.source, why: "nothing is unapplied" });
        }
        return Ok(unapplied);
    };
    if amount.currency() != currency {
        return Err(LedgerError::WrongCurrency {
            what: "the amount to apply",
            expected: currency,
            got: amount.currency(),
        });
    }
    if !amount.is_positive() {
        return Err(LedgerError::NotPositive { what: "the amount to apply", amount });
    }
    if amount.minor() > unapplied {
        // Built here, not up front: a source's unapplied amount is never beyond
        // what money can hold (it is at most the payment or credit memo), so
        // only the refusal needs it as money.
        let available = Money::from_minor(unapplied, currency)?;
        return Err(LedgerError::InsufficientUnapplied { from: cmd.source, available, requested: amount });
    }
    Ok(amount.minor())
}

/// An installment's discount offers: kept on the invoice's record for a
/// one-installment schedule, else listed in the document.
#[derive(Clone, Copy)]
enum Offers<'a> {
    One(Option<(NaiveDate, i64)>),
    Listed(&'a [crate::DiscountOffer]),
}

/// What the plan does to one invoice.
#[derive(Debug, Clone, Copy, Default)]
struct Line {
    invoice: u32,
    cash: i64,
    discount: i64,
    write_off: i64,
    deduction: i64,
}

/// Which discount offers a payment may still take: those whose last day, plus
/// the grace days, is not before the day the payment was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    /// The earliest last day still open.
    from: NaiveDate,
}

impl Window {
    fn new(received: NaiveDate, grace_days: u32) -> Window {
        // `until + grace >= received` is `until >= received - grace`: one
        // subtraction per application instead of an addition per offer.
        if grace_days == 0 {
            // The default, and no date arithmetic.
            return Window { from: received };
        }
        let grace = chrono::Days::new(u64::from(grace_days));
        // A grace reaching back before the calendar's first day leaves every offer open.
        Window { from: received.checked_sub_days(grace).unwrap_or(NaiveDate::MIN) }
    }

    fn open(self, until: NaiveDate) -> bool {
        until >= self.from
    }
}

/// Settling one invoice, installment by installment.
struct Walk {
    available: i64,
    collectible: i64,
    settled: i64,
    /// Where the next installment starts, in minor units from the invoice's start.
    start: i64,
    cash: i64,
    discount: i64,
}

impl Walk {
    /// Settles what is open of the next installment, of `amount`, with the
    /// discount `offer` gives if nothing of it was settled before; breaks when
    /// the cash or the collectible amount is used up.
    fn installment(&mut self, amount: i64, offer: impl FnOnce() -> i64) -> ControlFlow<()> {
        let end = self.start + amount;
        let from = self.start.max(self.settled);
        let untouched = self.settled <= self.start;
        self.start = end;
        if from >= end {
            return ControlFlow::Continue(());
        }
        let open = (end - from).min(self.collectible - self.cash - self.discount);
        let offer = if untouched { offer() } else { 0 };
        let need = open - offer.min(open);
        if self.available - self.cash >= need {
            self.cash += need;
            self.discount += open - need;
        } else {
            self.cash = self.available;
            return ControlFlow::Break(());
        }
        if self.cash + self.discount >= self.collectible { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    }
}

struct Planner<'a> {
    state: &'a State,
    /// The application planned, to name it when it is refused.
    application: ApplicationId,
    customer: u32,
    currency: Currency,
    /// The day the money came in: the payment's date, or the application's
    /// for a credit memo.
    received: NaiveDate,
    /// Which discount offers are still open, if discounts are taken at all.
    discounts: Option<Window>,
    policy: &'a ApplicationPolicy,
    /// Inline for up to four invoices: nearly every application touches no more.
    lines: Few<Line, 4>,
}

impl Planner<'_> {
    /// The customer's open invoices, fees and interest first, oldest due first within each.
    /// Refuses an invoice the target named that was issued after `date`.
    fn named_issued_by(&self, date: NaiveDate) -> Result<(), LedgerError> {
        for line in self.lines.iter() {
            let inv = self.state.inv(line.invoice);
            if date < inv.document_date {
                return Err(LedgerError::DateBeforeDocument {
                    what: "the application date",
                    date,
                    invoice: inv.id,
                    number: inv.doc.number.clone(),
                    document_date: inv.document_date,
                });
            }
        }
        Ok(())
    }

    /// Chosen invoices, checked, in collection order.
    fn chosen(&self, ids: &[InvoiceId]) -> Result<Vec<u32>, LedgerError> {
        let mut order = Vec::with_capacity(ids.len());
        for id in ids {
            order.push(self.own_invoice(*id)?);
        }
        // The key ends with the invoice's index, so an invoice named twice
        // sorts next to itself: dropping neighbours keeps each once, in
        // n log n for a list of thousands.
        order.sort_by_key(|i| self.state.inv(*i).key(*i));
        order.dedup();
        Ok(order)
    }

    fn own_invoice(&self, id: InvoiceId) -> Result<u32, LedgerError> {
        let i = self.state.invoice(id)?;
        let inv = self.state.inv(i);
        if inv.void {
            return Err(LedgerError::InvoiceVoid { invoice: id, number: inv.doc.number.clone() });
        }
        if inv.customer != self.customer {
            return Err(LedgerError::NotCustomersInvoice {
                invoice: id,
                number: inv.doc.number.clone(),
                owner: self.state.cust(inv.customer).reg.customer,
                customer: self.state.cust(self.customer).reg.customer,
            });
        }
        Ok(i)
    }

    /// Applies up to `amount` to the invoices in order; returns what is left.
    fn in_order(&mut self, order: impl IntoIterator<Item = u32>, mut amount: i64) -> i64 {
        for i in order {
            if amount == 0 {
                break;
            }
            let (cash, discount) = self.settle(self.state.inv(i), amount);
            if cash + discount > 0 {
                self.lines.push(Line { invoice: i, cash, discount, write_off: 0, deduction: 0 });
                amount -= cash;
            }
        }
        amount
    }

    /// Stated cash per invoice, with a stated discount where the remittance
    /// gives one.
    fn specific(
        &mut self,
        pairs: impl Iterator<Item = (InvoiceId, Money, Option<Money>)>,
        amount: i64,
    ) -> Result<i64, LedgerError> {
        let mut left = amount;
        let mut named = KeyIndex::default();
        for (id, cash, stated_discount) in pairs {
            let i = self.own_invoice(id)?;
            if cash.currency() != self.currency {
                return Err(LedgerError::WrongCurrency {
                    what: "an applied amount",
                    expected: self.currency,
                    got: cash.currency(),
                });
            }
            if !cash.is_positive() {
                return Err(LedgerError::NotPositive { what: "an applied amount", amount: cash });
            }
            if named.find(&i, &self.lines, |l| l.invoice).is_some() {
                return Err(LedgerError::InvoiceNamedTwice {
                    application: self.application,
                    invoice: id,
                    number: self.state.inv(i).doc.number.clone(),
                });
            }
            let inv = self.state.inv(i);
            let (fits, discount) = match stated_discount {
                None => self.specific_settlement(inv, cash.minor()),
                Some(d) => (cash.minor(), self.stated_discount(inv, d)?),
            };
            if fits < cash.minor() || fits > inv.collectible() - discount {
                return Err(LedgerError::OverApplication {
                    invoice: id,
                    number: inv.doc.number.clone(),
                    open: Money::from_minor(inv.collectible(), self.currency)?,
                    amount: cash,
                });
            }
            left -= cash.minor();
            self.lines.push(Line { invoice: i, cash: fits, discount, write_off: 0, deduction: 0 });
        }
        if left < 0 {
            // Each named amount fits an open invoice, named once: their sum is
            // within what the customer owes, so it fits in money's range.
            return Err(LedgerError::SpecificAmountsExceedApplied {
                application: self.application,
                named: Money::from_minor(amount - left, self.currency)?,
                applied: Money::from_minor(amount, self.currency)?,
            });
        }
        Ok(left)
    }

    /// A discount the remittance states for `inv`, checked against the most
    /// the invoice offers on the payment's date were it settled in full.
    fn stated_discount(&self, inv: &Invoice, claimed: Money) -> Result<i64, LedgerError> {
        if claimed.currency() != self.currency {
            return Err(LedgerError::WrongCurrency {
                what: "a stated discount",
                expected: self.currency,
                got: claimed.currency(),
            });
        }
        let (_, offered) = self.settle(inv, i64::MAX);
        if claimed.minor() < 0 || claimed.minor() > offered {
            return Err(LedgerError::DiscountNotOffered {
                invoice: inv.id,
                number: inv.doc.number.clone(),
                received: self.received,
                offered: Money::from_minor(offered, self.currency)?,
                claimed,
            });
        }
        Ok(claimed.minor())
    }

    /// Cash and discount for a stated cash amount: the cash stands as stated,
    /// and a discount open on the payment date covers only what the cash
    /// leaves open. A customer who pays the gross amount inside the window
    /// settles the invoice without a discount; one who pays between net and
    /// gross gets the difference as discount.
    ///
    /// Cash short of the net amount by no more than the write-off tolerance
    /// still earns the discount: the shortfall is then written off as a
    /// residual, as it would be without a discount.
    fn specific_settlement(&self, inv: &Invoice, cash: i64) -> (i64, i64) {
        let (fits, discount) = self.settle(inv, cash);
        let collectible = inv.collectible();
        if fits < cash && cash <= collectible {
            return (cash, discount.min(collectible - cash));
        }
        if fits == cash && discount == 0 && self.discounts.is_some() {
            let (net, offered) = self.settle(inv, collectible);
            let short = net - cash;
            if offered > 0 && short > 0 && self.within_tolerance(inv, short) {
                return (cash, offered);
            }
        }
        (fits, discount)
    }

    fn pro_rata(&mut self, ids: &[InvoiceId], amount: i64) -> Result<i64, LedgerError> {
        let order = self.chosen(ids)?;
        let full: Vec<(i64, i64)> = order.iter().map(|i| self.settle(self.state.inv(*i), i64::MAX)).collect();
        let needed: i64 = full.iter().map(|(cash, _)| cash).sum();
        if amount >= needed {
            for (i, (cash, discount)) in order.iter().zip(&full) {
                self.lines.push(Line { invoice: *i, cash: *cash, discount: *discount, write_off: 0, deduction: 0 });
            }
            return Ok(amount - needed);
        }
        // Not enough to settle them all: no discounts, shares by open amount.
        let weights: Vec<i128> = order.iter().map(|i| i128::from(self.state.inv(*i).collectible())).collect();
        let shares = allocate_minor(amount, &weights)?;
        for (i, cash) in order.iter().zip(shares) {
            self.lines.push(Line { invoice: *i, cash, discount: 0, write_off: 0, deduction: 0 });
        }
        Ok(0)
    }

    /// Cash (≤ `available`) and discount that settle as much of `inv` as possible,
    /// installment by installment from the oldest, taking each untouched
    /// installment's best discount still open on the payment date.
    fn settle(&self, inv: &Invoice, available: i64) -> (i64, i64) {
        let collectible = inv.collectible();
        if collectible <= 0 || available <= 0 {
            return (0, 0);
        }
        let with_discounts = inv.disputed == 0 && self.discounts.is_some();
        let mut walk = Walk { available, collectible, settled: inv.settled(), start: 0, cash: 0, discount: 0 };
        let offer = |offers| if with_discounts { self.best_offer(offers) } else { 0 };
        match inv.single {
            Some(only) => {
                let _one_installment_only = walk.installment(inv.total, || offer(Offers::One(only.offer)));
            }
            None => {
                for i in &inv.doc.installments {
                    if walk.installment(i.amount.minor(), || offer(Offers::Listed(&i.discounts))).is_break() {
                        break;
                    }
                }
            }
        }
        (walk.cash, walk.discount)
    }

    fn best_offer(&self, offers: Offers<'_>) -> i64 {
        let Some(window) = self.discounts else { return 0 };
        match offers {
            Offers::One(offer) => offer.filter(|(until, _)| window.open(*until)).map_or(0, |(_, amount)| amount),
            Offers::Listed(list) => {
                list.iter().filter(|o| window.open(o.until)).map(|o| o.amount.minor()).max().unwrap_or(0)
            }
        }
    }

    /// Residuals of the invoices this application meant to settle: written off within
    /// tolerance, or turned into deductions if the policy says so; a
    /// remittance's lines say so one by one (line `k` plans invoice `k`).
    fn residuals(&mut self, settle: bool, remittance: Option<&[RemittanceLine]>) -> Result<(), LedgerError> {
        if !settle {
            return Ok(());
        }
        let mut policy_ids_used = 0usize;
        for k in 0..self.lines.len() {
            let line = self.lines[k];
            if line.cash + line.discount <= 0 {
                continue;
            }
            let residual = self.state.inv(line.invoice).collectible() - line.cash - line.discount;
            if residual <= 0 {
                continue;
            }
            match remittance.and_then(|lines| lines.get(k)).map_or(&Residual::AsPolicy, |l| &l.residual) {
                Residual::LeaveOpen => {}
                Residual::WriteOff => self.lines[k].write_off = residual,
                Residual::Deduction { .. } => self.lines[k].deduction = residual,
                Residual::AsPolicy => self.as_policy(k, residual, &mut policy_ids_used)?,
            }
        }
        Ok(())
    }

    /// Line `k`'s residual as the policy says: written off within tolerance,
    /// else a deduction with the policy's next id if it deducts short payments.
    fn as_policy(&mut self, k: usize, residual: i64, ids_used: &mut usize) -> Result<(), LedgerError> {
        let inv = self.state.inv(self.lines[k].invoice);
        if self.within_tolerance(inv, residual) {
            self.lines[k].write_off = residual;
        } else if let ShortPay::Deduction { ids, .. } = &self.policy.short_pay {
            if *ids_used >= ids.len() {
                return Err(LedgerError::DeductionIdsExhausted {
                    invoice: inv.id,
                    number: inv.doc.number.clone(),
                    short: Money::from_minor(residual, self.currency)?,
                    needed: *ids_used + 1,
                    given: ids.len(),
                });
            }
            *ids_used += 1;
            self.lines[k].deduction = residual;
        }
        Ok(())
    }

    fn within_tolerance(&self, inv: &Invoice, residual: i64) -> bool {
        let tol = &self.policy.write_off;
        if tol.absolute.is_none() && tol.percent.is_none() {
            return false;
        }
        let residual = Decimal::new(residual, self.currency.minor_units());
        if let Some(abs) = tol.absolute
            && residual > abs
        {
            return false;
        }
        if let Some(pct) = tol.percent {
            let total = Decimal::new(inv.total, self.currency.minor_units());
            let limit = total.checked_mul(pct).map(|v| v / Decimal::ONE_HUNDRED);
            if limit.is_none_or(|limit| residual > limit) {
                return false;
            }
        }
        true
    }

    /// The id and reason of line `k`'s deduction: the remittance line's own,
    /// else the policy's next.
    fn deduction_for<'p>(
        remittance: Option<&'p [RemittanceLine]>,
        k: usize,
        next: &mut impl Iterator<Item = &'p DeductionId>,
        reason: Option<&'p DeductionReason>,
    ) -> Option<(DeductionId, &'p DeductionReason)> {
        match remittance.and_then(|lines| lines.get(k)).map(|l| &l.residual) {
            Some(Residual::Deduction { id, reason }) => Some((*id, reason)),
            _ => Some((*next.next()?, reason?)),
        }
    }

    fn event(
        &self,
        cmd: &ApplyCash,
        source: Source,
        remittance: Option<&[RemittanceLine]>,
    ) -> Result<(Arc<CashApplied>, AppPlan), LedgerError> {
        let money = |m: i64| Money::from_minor(m, self.currency);
        let inv_id = |i: u32| self.state.inv(i).id;
        let mut allocations = Vec::with_capacity(self.lines.len());
        let mut write_offs = Vec::new();
        let mut deductions = Vec::new();
        let (ids, reason) = match &self.policy.short_pay {
            ShortPay::Deduction { ids, reason } => (ids.as_slice(), Some(reason)),
            ShortPay::LeaveOpen => (&[][..], None),
        };
        let mut next_id = ids.iter();
        // The parts record exactly what the event says, as `State::plan_of` would
        // read it back on replay.
        let mut plan = AppPlan { source, customer: self.customer, cash: 0, parts: Parts::default() };
        for (k, l) in self.lines.iter().enumerate() {
            let mut part = Settlement { source: Some(source), ..Settlement::default() };
            if l.cash + l.discount > 0 {
                allocations.push(Allocation {
                    invoice: inv_id(l.invoice),
                    cash: money(l.cash)?,
                    discount: money(l.discount)?,
                });
                (part.cash, part.discount) = (l.cash, l.discount);
                plan.cash += l.cash;
            }
            if l.write_off > 0 {
                let reason = self.policy.write_off_reason.clone();
                write_offs.push(WriteOffLine { invoice: inv_id(l.invoice), amount: money(l.write_off)?, reason });
                part.write_off = l.write_off;
            }
            if l.deduction > 0
                && let Some((id, reason)) = Self::deduction_for(remittance, k, &mut next_id, reason)
            {
                deductions.push(DeductionOpened {
                    deduction: id,
                    invoice: inv_id(l.invoice),
                    amount: money(l.deduction)?,
                    reason: reason.clone(),
                });
                part.deduction = l.deduction;
            }
            if part != (Settlement { source: Some(source), ..Settlement::default() }) {
                plan.parts.push((l.invoice, part));
            }
        }
        self.state.deduction_ids_unused(&deductions)?;
        // Made in its `Arc` here rather than moved into one by the caller.
        let applied = Arc::new(CashApplied {
            application: cmd.application,
            customer: self.state.source_customer(source),
            source: cmd.source,
            allocations,
            write_offs,
            deductions,
        });
        Ok((applied, plan))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Days, NaiveDate};
    use proptest::prelude::*;

    use super::Window;

    fn date(day: i32) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(if day < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
    }

    /// Any day chrono has, with the first and last days (where the arithmetic
    /// overflows) drawn often.
    fn any_date() -> impl Strategy<Value = NaiveDate> {
        prop_oneof![
            (-400_000..400_000i32).prop_map(date),
            (i32::MIN..i32::MAX).prop_map(date),
            Just(NaiveDate::MIN),
            Just(NaiveDate::MAX),
        ]
    }

    proptest! {
        /// The window says an offer is open exactly when its last day plus the
        /// grace days (beyond the calendar: open) is not before the payment.
        #[test]
        fn the_discount_window_is_the_last_day_plus_grace(
            received in any_date(),
            until in any_date(),
            grace in prop_oneof![0..40u32, any::<u32>()],
            near in prop_oneof![Just(None), (-2..=2i64).prop_map(Some)],
        ) {
            // Half the cases put the last day at or next to the window's edge.
            let edge = received.checked_sub_days(Days::new(u64::from(grace)));
            let until = match (near, edge) {
                (Some(days), Some(edge)) => edge.checked_add_signed(chrono::TimeDelta::days(days)).unwrap_or(until),
                _ => until,
            };
            let expected = until.checked_add_days(Days::new(u64::from(grace))).is_none_or(|last| received <= last);
            prop_assert_eq!(Window::new(received, grace).open(until), expected);
        }
    }
}
