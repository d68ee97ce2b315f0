//! Seams to the `ar-core` ledger: its open items in, an accepted proposal out
//! as ledger commands.
//!
//! [`open_invoices`] turns [`Ledger::open_items`](ar_core::Ledger::open_items)
//! (or `all_open_items`) rows into [`OpenInvoice`]s. [`commands_for`] turns a
//! proposal a person (or the auto-apply tier) accepted into a `ReceivePayment`
//! and, when it allocates anything, an `ApplyCash` of a remittance
//! ([`Target::Remittance`]): per invoice the cash, the discount and what
//! becomes of the rest (written off, deducted under the host's id, or left
//! open), exactly as the proposal says. The engine never makes up ids: the
//! host passes them in [`CommandIds`].

use ar_core::{
    Action, Actor, ApplicationId, ApplicationPolicy, ApplyCash, CashSource, Command, CommandId, DeductionId,
    DeductionReason, DocumentRef, FreeText, InvoiceId, Money, OpenItem, OpenItemKind, PaymentId, PaymentMethod,
    ReceivePayment, RemittanceLine, Residual, Target,
};

use super::dedup::Positions;
use super::normalize::normalize_document;
use super::{MatchPolicy, OpenInvoice, Proposal, Shortfall};
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
    /// A write-off or deduction on an invoice the proposal allocates nothing
    /// to: the ledger settles a residual only on an invoice the cash pays.
    #[error("bank line {line} writes off or deducts on invoice {invoice}, which it allocates nothing to")]
    ShortfallWithoutAllocation {
        /// The line.
        line: usize,
        /// The invoice.
        invoice: InvoiceId,
    },
    /// More than one write-off or deduction on one invoice: the ledger turns
    /// an invoice's residual into one of them, whole.
    #[error("bank line {line} has more than one write-off or deduction on invoice {invoice}")]
    TwoShortfalls {
        /// The line.
        line: usize,
        /// The invoice.
        invoice: InvoiceId,
    },
    /// An allocation's settled amount is not its cash, discount and shortfall:
    /// an edited proposal whose parts no longer add up.
    #[error("bank line {line} settles {settled} of invoice {invoice} but its parts add up to {}", parts.map_or("more than money can hold (or another currency)".to_owned(), |p| p.to_string()))]
    AllocationDoesNotAddUp {
        /// The line.
        line: usize,
        /// The invoice.
        invoice: InvoiceId,
        /// What the allocation says it settles.
        settled: Money,
        /// Cash, discount, write-off and deduction on the invoice; `None`
        /// when they cannot be added (beyond any amount, or in two currencies).
        parts: Option<Money>,
    },
}

/// The ledger commands that carry out an accepted `proposal` for `line`:
/// `ReceivePayment` on the booking date, then `ApplyCash` of the allocated
/// cash to the proposal's invoices, one remittance line per allocation: its
/// cash, its discount (stated, so the ledger takes exactly it, and refuses it
/// if the invoice no longer offers it), and its write-off or deduction (the
/// `k`-th deduction under `ids.deductions[k]`); what the proposal leaves open
/// stays open. Unapplied cash stays on the payment.
///
/// A proposal edited by hand so that it no longer reads as one remittance is
/// refused rather than carried out some other way: a write-off or deduction on
/// an invoice it allocates nothing to, two on one invoice, or an allocation
/// whose settled amount is not its cash, discount and shortfall.
///
/// A deduction's reason is the payer's own where the line's remittance gives
/// one for that invoice (the reason code, X12 `ADX` or camt.054 `Rsn`, of its largest adjustment,
/// see [`Adjustment::deduction_reason`](crate::Adjustment::deduction_reason)),
/// else "short payment found by bank matching".
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
///     references: vec![Reference::Invoice("INV-9".into())],
///     ..BankLine::new(day, Money::from_minor(5_000, Currency::EUR)?)
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
    check_parts(proposal)?;
    if ids.deductions.len() < proposal.deductions.len() {
        return Err(CommandError::DeductionIds {
            line: at,
            needed: proposal.deductions.len(),
            given: ids.deductions.len(),
        });
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
    let total = proposal.amount.checked_sub(proposal.unapplied).ok();
    let mut application = ApplicationPolicy::new().discount_grace_days(policy.grace_days());
    application.write_off_reason = "short payment within tolerance (bank matching)".into();
    commands.push(command(
        ids.apply,
        Action::ApplyCash(ApplyCash {
            application: ids.application,
            source: CashSource::Payment(ids.payment),
            amount: total,
            target: Target::Remittance(remittance_lines(proposal, line, policy, &ids.deductions)),
            policy: application,
        }),
    ));
    Ok(commands)
}

/// Checks that the proposal can be carried out exactly: each write-off or
/// deduction is on an invoice it allocates to, at most one per invoice, and
/// each allocation settles its cash, discount and shortfall. The matcher's
/// proposals always pass; a proposal edited by hand may not.
fn check_parts(proposal: &Proposal) -> Result<(), CommandError> {
    let line = proposal.line;
    let shortfalls: Vec<&Shortfall> = proposal.write_offs.iter().chain(&proposal.deductions).collect();
    // Looked up by invoice, not scanned: a remittance can carry thousands of each.
    let allocated = Positions::new(proposal.allocations.iter().map(|a| a.invoice));
    let by_invoice = Positions::new(shortfalls.iter().map(|s| s.invoice));
    for (k, s) in shortfalls.iter().enumerate() {
        if allocated.first(&s.invoice).is_none() {
            return Err(CommandError::ShortfallWithoutAllocation { line, invoice: s.invoice });
        }
        if by_invoice.first(&s.invoice) != Some(k) {
            return Err(CommandError::TwoShortfalls { line, invoice: s.invoice });
        }
    }
    for a in &proposal.allocations {
        let shortfall = by_invoice.first(&a.invoice).and_then(|k| shortfalls.get(k)).map(|s| s.amount);
        let parts = a.applied.checked_add(a.discount).and_then(|m| shortfall.map_or(Ok(m), |s| m.checked_add(s))).ok();
        if parts != Some(a.settled) {
            return Err(CommandError::AllocationDoesNotAddUp { line, invoice: a.invoice, settled: a.settled, parts });
        }
    }
    Ok(())
}

/// One remittance line per allocation, saying what the proposal does with
/// the invoice's residual; `deduction_ids` has one id per deduction.
fn remittance_lines(
    proposal: &Proposal,
    line: &BankLine,
    policy: &MatchPolicy,
    deduction_ids: &[DeductionId],
) -> Vec<RemittanceLine> {
    let written_off = Positions::new(proposal.write_offs.iter().map(|w| w.invoice));
    let deducted = Positions::new(proposal.deductions.iter().map(|d| d.invoice));
    // The payer's entries by normal form, built only if some invoice is deducted.
    let entries = (!proposal.deductions.is_empty())
        .then(|| Positions::new(line.remittances.iter().map(|r| normalize_document(&r.document, policy.prefixes()))));
    proposal
        .allocations
        .iter()
        .map(|a| {
            let residual = match (deducted.first(&a.invoice).and_then(|k| deduction_ids.get(k)), entries.as_ref()) {
                (Some(id), Some(entries)) => {
                    Residual::Deduction { id: *id, reason: payers_reason(line, entries, &a.document, policy) }
                }
                _ if written_off.first(&a.invoice).is_some() => Residual::WriteOff,
                _ => Residual::LeaveOpen,
            };
            RemittanceLine::new(a.invoice, a.applied).discount(a.discount).residual(residual)
        })
        .collect()
}

/// The reason the payer gives for short-paying `document`: the reason code
/// of the largest adjustment (the first of equals) its remittance entries
/// on `line` list (`entries`: their positions by normal form), else the
/// matcher's own.
fn payers_reason(
    line: &BankLine,
    entries: &Positions<String>,
    document: &str,
    policy: &MatchPolicy,
) -> DeductionReason {
    let key = normalize_document(document, policy.prefixes());
    entries
        .of(&key)
        .filter_map(|at| line.remittances.get(at))
        .flat_map(|r| &r.adjustments)
        .reduce(
            |largest, a| {
                if a.amount.minor().unsigned_abs() > largest.amount.minor().unsigned_abs() { a } else { largest }
            },
        )
        .map_or_else(|| DeductionReason::Other("short payment found by bank matching".into()), |a| a.deduction_reason())
}
