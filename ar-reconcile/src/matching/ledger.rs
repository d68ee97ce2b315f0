//! Seams to the `ar-core` ledger: its open items in, an accepted proposal out
//! as ledger commands.
//!
//! [`open_invoices`] turns [`Ledger::open_items`](ar_core::Ledger::open_items)
//! (or `all_open_items`) rows into [`OpenInvoice`]s. [`commands_for`] turns a
//! proposal a person (or the auto-apply tier) accepted into a `ReceivePayment`
//! and, when it allocates anything, an `ApplyCash` with specific amounts per
//! invoice, a write-off tolerance that covers exactly the proposal's write-offs,
//! and deduction ids for its deductions. The engine never makes up ids: the
//! host passes them in [`CommandIds`].

use ar_core::{
    Action, Actor, ApplicationId, ApplicationPolicy, ApplyCash, CashSource, Command, CommandId, DeductionId,
    DeductionReason, DocumentRef, FreeText, OpenItem, OpenItemKind, PaymentId, PaymentMethod, ReceivePayment, ShortPay,
    Target, WriteOffTolerance,
};

use super::{MatchPolicy, OpenInvoice, Proposal};
use crate::BankLine;

/// The ledger's open invoices and debit memos as matcher rows: the open amount
/// less any disputed part (disputed money is not for cash matching); items with
/// nothing undisputed left, deductions, credits and unapplied cash are left out.
///
/// The ledger's open-item view carries no early-payment discount offers, so the
/// rows have none; the ledger itself still grants discounts when the cash is
/// applied (see [`commands_for`]).
pub fn open_invoices(items: &[OpenItem]) -> Vec<OpenInvoice> {
    items
        .iter()
        .filter_map(|item| {
            let DocumentRef::Invoice(invoice) = item.document else { return None };
            if !matches!(item.kind, OpenItemKind::Invoice | OpenItemKind::DebitMemo) {
                return None;
            }
            let open = item.open.checked_sub(item.disputed).ok().filter(|m| m.is_positive())?;
            let row =
                OpenInvoice::new(invoice, item.customer, item.number.as_str(), open, item.document_date, item.due_date);
            // A discount is only for a whole, undisputed invoice of one open installment:
            // an invoice with several installments is matched on its open amount.
            let open_installments: Vec<_> = item.installments.iter().filter(|i| i.open.is_positive()).collect();
            let offers = match (open_installments.as_slice(), item.disputed.is_zero()) {
                ([only], true) => only.discounts.clone(),
                _ => Vec::new(),
            };
            Some(offers.into_iter().fold(row, OpenInvoice::with_discount))
        })
        .collect()
}

/// Ids the host chooses for the commands of one proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandIds {
    /// The payment to record.
    pub payment: PaymentId,
    /// The application of its cash.
    pub application: ApplicationId,
    /// The `ReceivePayment` command.
    pub receive: CommandId,
    /// The `ApplyCash` command.
    pub apply: CommandId,
    /// One per deduction of the proposal, in its order.
    pub deductions: Vec<DeductionId>,
}

/// Why a proposal cannot be turned into ledger commands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// Debit lines are not receipts.
    #[error("bank line {line} is a debit: there is no payment to record")]
    Skipped {
        /// The line.
        line: usize,
    },
    /// Cash with no customer can only be parked as unidentified, outside the ledger.
    #[error("bank line {line} has no customer: record it as unidentified cash first")]
    NoCustomer {
        /// The line.
        line: usize,
    },
    /// Fewer deduction ids than deductions.
    #[error("bank line {line} proposes {needed} deductions but {given} deduction ids were given")]
    DeductionIds {
        /// The line.
        line: usize,
        /// Deductions proposed.
        needed: usize,
        /// Ids given.
        given: usize,
    },
    /// A deduction no larger than a write-off: one ledger application cannot
    /// tell them apart by its tolerance.
    #[error("bank line {line} writes off and deducts overlapping amounts: apply it in two steps")]
    MixedShortfalls {
        /// The line.
        line: usize,
    },
}

/// The ledger commands that carry out an accepted `proposal` for `line`:
/// `ReceivePayment` on the booking date, then `ApplyCash` of the allocated
/// cash to the proposal's invoices. Unapplied cash stays on the payment.
///
/// ```
/// use ar_reconcile::matching::ledger::{commands_for, CommandIds};
/// use ar_reconcile::matching::{match_lines, Customer, CustomerDirectory, MatchPolicy, OpenInvoice};
/// use ar_reconcile::{BankLine, Reference};
/// use ar_core::*;
/// use chrono::NaiveDate;
/// let day = NaiveDate::from_ymd_opt(2024, 5, 2).ok_or("date")?;
/// let acme = CustomerId::from_u128(1);
/// let directory: CustomerDirectory = [Customer::new(acme, "ACME")].into_iter().collect();
/// let items = [OpenInvoice::new(InvoiceId::from_u128(9), acme, "INV-9", Money::from_minor(5_000, Currency::EUR)?, day, day)];
/// let line = BankLine {
///     booking_date: day, value_date: None, amount: Money::from_minor(5_000, Currency::EUR)?,
///     bank_reference: None, end_to_end_id: None, counterparty_name: None, counterparty_account: None,
///     transaction_code: None, remittance_text: String::new(),
///     references: vec![Reference::Invoice("INV-9".into())], remittances: vec![],
/// };
/// let outcome = match_lines(MatchPolicy::new(), &directory, &items, std::slice::from_ref(&line))?;
/// let ids = CommandIds {
///     payment: PaymentId::from_u128(1), application: ApplicationId::from_u128(1),
///     receive: CommandId::from_u128(1), apply: CommandId::from_u128(2), deductions: vec![],
/// };
/// let commands = commands_for(&outcome.proposals[0], &line, &MatchPolicy::new(), &ids, &Actor::new("matcher", "clerk"))?;
/// assert_eq!(commands.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn commands_for(
    proposal: &Proposal,
    line: &BankLine,
    policy: &MatchPolicy,
    ids: &CommandIds,
    actor: &Actor,
) -> Result<Vec<Command>, CommandError> {
    let at = proposal.line;
    if proposal.skipped {
        return Err(CommandError::Skipped { line: at });
    }
    let customer = proposal.customer.ok_or(CommandError::NoCustomer { line: at })?;
    if ids.deductions.len() < proposal.deductions.len() {
        return Err(CommandError::DeductionIds {
            line: at,
            needed: proposal.deductions.len(),
            given: ids.deductions.len(),
        });
    }
    let largest_write_off = proposal.write_offs.iter().map(|w| w.amount).max_by_key(|m| m.minor());
    if let Some(w) = largest_write_off
        && proposal.deductions.iter().any(|d| d.amount.minor() <= w.minor())
    {
        return Err(CommandError::MixedShortfalls { line: at });
    }
    let reference = line.end_to_end_id.as_deref().or(line.bank_reference.as_deref()).unwrap_or("");
    let command = |id, action| Command { id, effective_date: line.booking_date, actor: actor.clone(), action };
    let mut commands = vec![command(
        ids.receive,
        Action::ReceivePayment(ReceivePayment {
            payment: ids.payment,
            customer,
            amount: proposal.amount,
            received: line.booking_date,
            method: PaymentMethod::BankTransfer,
            payer_reference: FreeText::new(reference),
            remittance: FreeText::new(&line.remittance_text),
            deposit: None,
        }),
    )];
    if proposal.allocations.is_empty() {
        return Ok(commands);
    }
    let applied = proposal.allocations.iter().map(|a| (a.invoice, a.applied)).collect();
    let total = proposal.amount.checked_sub(proposal.unapplied).ok();
    let short_pay = if proposal.deductions.is_empty() {
        ShortPay::LeaveOpen
    } else {
        ShortPay::Deduction {
            ids: ids.deductions[..proposal.deductions.len()].to_vec(),
            reason: DeductionReason::Other("short payment found by bank matching".into()),
        }
    };
    let application = ApplicationPolicy {
        take_discounts: proposal.allocations.iter().any(|a| a.discount.is_positive()),
        grace_days: policy.grace_days(),
        write_off: WriteOffTolerance { absolute: largest_write_off.map(|m| m.amount()), percent: None },
        write_off_reason: "short payment within tolerance (bank matching)".into(),
        short_pay,
    };
    commands.push(command(
        ids.apply,
        Action::ApplyCash(ApplyCash {
            application: ids.application,
            source: CashSource::Payment(ids.payment),
            amount: total,
            target: Target::Specific(applied),
            policy: application,
        }),
    ));
    Ok(commands)
}
