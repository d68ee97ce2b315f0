//! The credit check: exposure against the limit in force, overdue items, holds.

use chrono::NaiveDate;

use super::Ledger;
use crate::{CreditDecision, CreditReason, CustomerId, Exposure, LedgerError, Money};

impl Ledger {
    /// A customer's exposure on `as_of`: open receivables (disputed amounts counted
    /// or not, per the credit policy) plus open deductions, less unapplied cash and
    /// credit, plus the pending orders the host passes in.
    pub fn exposure(
        &self,
        customer: CustomerId,
        as_of: NaiveDate,
        pending_orders: Money,
    ) -> Result<Exposure, LedgerError> {
        let c = self.state.customer(customer)?;
        let cust = self.state.cust(c);
        let currency = cust.currency;
        if pending_orders.currency() != currency {
            return Err(LedgerError::WrongCurrency {
                what: "the pending orders",
                expected: currency,
                got: pending_orders.currency(),
            });
        }
        if pending_orders.is_negative() {
            return Err(LedgerError::NotPositive { what: "the pending orders", amount: pending_orders });
        }
        // Each balance is within money's range; their sums are taken wide and
        // refused, not wrapped, if they leave it.
        let disputed = if self.config.credit.include_disputed { 0 } else { cust.disputed };
        let open = i128::from(cust.receivable) - i128::from(disputed) + i128::from(cust.deductions_open);
        let unapplied = i128::from(cust.unapplied_cash) + i128::from(cust.unapplied_credit);
        let total = open - unapplied + i128::from(pending_orders.minor());
        let limit = cust.limit.map(|base| {
            let grants = cust.temporary.iter().flat_map(|g| &g.list);
            let live = grants.filter(|(_, expires)| *expires >= as_of);
            i128::from(base) + live.map(|(a, _)| i128::from(*a)).sum::<i128>()
        });
        let money = |minor: i128| Money::from_minor(i64::try_from(minor).unwrap_or(i64::MAX), currency);
        Ok(Exposure {
            open_receivables: money(open)?,
            unapplied: money(unapplied)?,
            pending_orders,
            total: money(total)?,
            limit: limit.map(money).transpose()?,
            as_of,
        })
    }

    /// Decides whether an order of `amount` may be released on `as_of`, given the
    /// customer's other `pending_orders`, by the ledger's credit policy. Every reason
    /// found is listed, holds first.
    ///
    /// ```
    /// # use ar_core::*;
    /// # use chrono::NaiveDate;
    /// # use rust_decimal_macros::dec;
    /// let mut ledger = Ledger::new(LedgerConfig::new());
    /// let day = NaiveDate::from_ymd_opt(2026, 5, 1).ok_or("date")?;
    /// let usd = |v| Money::new(v, Currency::USD);
    /// ledger.execute(Command {
    ///     id: CommandId::from_u128(1), effective_date: day, actor: Actor::new("ann", "credit_manager"),
    ///     action: Action::RegisterCustomer(RegisterCustomer {
    ///         customer: CustomerId::from_u128(7), name: "Beta".into(), currency: Currency::USD,
    ///         terms: PaymentTerms::net_30(), credit_limit: Some(usd(dec!(1000.00))?), collector: None,
    ///     }),
    /// })?;
    /// let decision = ledger.credit_check(CustomerId::from_u128(7), usd(dec!(1200.00))?, day, usd(dec!(0))?)?;
    /// assert!(matches!(decision, CreditDecision::Hold(_)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn credit_check(
        &self,
        customer: CustomerId,
        amount: Money,
        as_of: NaiveDate,
        pending_orders: Money,
    ) -> Result<CreditDecision, LedgerError> {
        if amount.is_negative() {
            return Err(LedgerError::NotPositive { what: "the order amount", amount });
        }
        if pending_orders.is_negative() {
            return Err(LedgerError::NotPositive { what: "the pending orders", amount: pending_orders });
        }
        let pending = amount.checked_add(pending_orders)?;
        let exposure = self.exposure(customer, as_of, pending)?;
        let policy = &self.config.credit;
        let (mut holds, mut warnings) = (Vec::new(), Vec::new());
        let c = self.state.customer(customer)?;
        if let Some(reason) = &self.state.cust(c).hold {
            holds.push(CreditReason::ManualHold { reason: reason.clone() });
        }
        match exposure.limit {
            Some(limit) if exposure.total > limit => holds.push(CreditReason::OverLimit {
                exposure: exposure.total,
                limit,
                over_by: exposure.total.checked_sub(limit)?,
            }),
            Some(limit)
                if exposure.total.minor() as i128 * 100 >= limit.minor() as i128 * i128::from(policy.warn_percent) =>
            {
                warnings.push(CreditReason::NearLimit { exposure: exposure.total, limit })
            }
            Some(_) => {}
            None if policy.hold_without_limit => holds.push(CreditReason::NoLimit),
            None => warnings.push(CreditReason::NoLimit),
        }
        if let Some((days, reason)) = self.oldest_overdue(c, as_of)? {
            let beyond = |limit: Option<u32>| limit.is_some_and(|l| days > i64::from(l));
            if beyond(policy.overdue_hold_days) {
                holds.push(reason);
            } else if beyond(policy.overdue_warn_days) {
                warnings.push(reason);
            }
        }
        Ok(if !holds.is_empty() {
            holds.extend(warnings);
            CreditDecision::Hold(holds)
        } else if !warnings.is_empty() {
            CreditDecision::ApproveWithWarnings(warnings)
        } else {
            CreditDecision::Approve
        })
    }

    /// The open invoice whose oldest open installment is the most days past
    /// due (the first in collection order among equals).
    ///
    /// The open invoices come in order of their first installment's due date.
    /// While no installment of the customer's invoices falls due before an
    /// earlier one of its schedule (the usual case, tracked per customer),
    /// no installment is due before its invoice's first: so once an invoice's
    /// first due date is no further past than the worst found, no later one
    /// can be worse, and the walk stops. A customer with a hundred thousand
    /// open invoices is then checked in a few steps, not a view of each.
    fn oldest_overdue(&self, c: u32, as_of: NaiveDate) -> Result<Option<(i64, CreditReason)>, LedgerError> {
        let may_stop = !self.state.cust(c).unordered_schedules;
        let mut worst: Option<(i64, u32)> = None;
        for key in &self.state.cust(c).open {
            let at_most = (as_of - key.0).num_days();
            if may_stop && at_most <= worst.map_or(0, |(days, _)| days) {
                break;
            }
            let inv = self.state.inv(key.2);
            if inv.collectible() <= 0 {
                continue;
            }
            let Some(view) = self.invoice(inv.doc.invoice) else { continue };
            if let Some(days) = view.days_overdue(as_of)
                && worst.is_none_or(|(d, _)| days > d)
            {
                worst = Some((days, key.2));
            }
        }
        let Some((days, i)) = worst else { return Ok(None) };
        let inv = self.state.inv(i);
        let reason = CreditReason::Overdue {
            invoice: inv.doc.invoice,
            number: inv.doc.number.clone(),
            days,
            open: Money::from_minor(inv.open(), inv.currency())?,
        };
        Ok(Some((days, reason)))
    }
}
