//! What the matcher proposes for each bank line, and a summary of a run.

use std::collections::BTreeMap;

use ar_core::{Currency, CustomerId, InvoiceId, Money};
use serde::{Deserialize, Serialize};

use super::Evidence;

/// How sure the matcher is of a proposal. Declared best first, so sorting
/// tiers puts [`Tier::Certain`] first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tier {
    /// A structured reference names the invoices and the amount fits exactly
    /// (or net of an available discount).
    Certain,
    /// Strong but indirect: a reference found in free text, a known payer account
    /// with an exact amount, a small write-off.
    High,
    /// A person should look: deductions, overpayments, name-only identification,
    /// amounts nothing explains.
    NeedsReview,
    /// No customer identified (and debits, which are not matched).
    Unmatched,
}

impl Tier {
    /// All tiers, best first.
    pub const ALL: [Tier; 4] = [Tier::Certain, Tier::High, Tier::NeedsReview, Tier::Unmatched];

    /// `true` if `self` is at least as sure as `other`.
    ///
    /// ```
    /// use ar_reconcile::matching::Tier;
    /// assert!(Tier::Certain.at_least(Tier::High));
    /// assert!(!Tier::NeedsReview.at_least(Tier::High));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn at_least(self, other: Tier) -> bool {
        self <= other
    }

    /// The less sure of two tiers.
    pub fn min(self, other: Tier) -> Tier {
        Ord::max(self, other)
    }
}

/// Cash applied to one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    /// The invoice.
    pub invoice: InvoiceId,
    /// Its document number.
    pub document: String,
    /// Cash applied from the bank line.
    pub applied: Money,
    /// Early-payment discount taken.
    pub discount: Money,
    /// How much the invoice's open amount goes down: `applied + discount` plus
    /// any write-off or deduction on this invoice.
    pub settled: Money,
}

/// A short payment written off (within tolerance) or proposed as a deduction
/// (beyond it), on the invoice it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shortfall {
    /// The invoice.
    pub invoice: InvoiceId,
    /// Its document number.
    pub document: String,
    /// The amount.
    pub amount: Money,
}

/// The matcher's proposal for one bank line.
///
/// Money is conserved: `amount = Σ applied + unapplied`, and for the invoices
/// touched `Σ settled = Σ applied + Σ discount + Σ write_offs + Σ deductions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// The line's position in the input (0-based).
    pub line: usize,
    /// The line's amount.
    pub amount: Money,
    /// The customer identified, if any.
    pub customer: Option<CustomerId>,
    /// Cash applied to invoices, in the order chosen.
    pub allocations: Vec<Allocation>,
    /// Short payments within tolerance, written off.
    pub write_offs: Vec<Shortfall>,
    /// Short payments beyond tolerance, proposed as deductions.
    pub deductions: Vec<Shortfall>,
    /// Cash not applied to any invoice: on the customer if one is identified,
    /// unidentified cash otherwise. Zero for a debit line.
    pub unapplied: Money,
    /// How sure the matcher is.
    pub tier: Tier,
    /// `true` if the tier is at least the policy's auto-apply tier.
    pub auto_apply: bool,
    /// `true` for a debit line, which is not matched.
    pub skipped: bool,
    /// Why, in order of the passes that found it.
    pub evidence: Vec<Evidence>,
}

impl Proposal {
    /// The total cash applied to invoices.
    pub fn applied_minor(&self) -> i64 {
        self.allocations.iter().map(|a| a.applied.minor()).sum()
    }
}

/// Lines and their amounts (per currency) in one group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// How many lines.
    pub lines: usize,
    /// Their amounts, per currency.
    pub amounts: BTreeMap<Currency, Money>,
}

impl Tally {
    pub(crate) fn add(&mut self, amount: Money) {
        self.lines += 1;
        let total = self.amounts.entry(amount.currency()).or_insert_with(|| Money::zero(amount.currency()));
        *total = total.checked_add(amount).unwrap_or(*total);
    }
}

/// Counts and amounts of a run, per tier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Credit lines per tier, best first (indexed like [`Tier::ALL`]).
    pub tiers: [Tally; 4],
    /// Debit lines, skipped.
    pub skipped: Tally,
    /// Lines marked for auto-apply.
    pub auto_apply: Tally,
}

impl Summary {
    /// The tally for one tier.
    pub fn tier(&self, tier: Tier) -> &Tally {
        &self.tiers[tier as usize]
    }

    pub(crate) fn add(&mut self, proposal: &Proposal) {
        if proposal.skipped {
            self.skipped.add(proposal.amount);
            return;
        }
        self.tiers[proposal.tier as usize].add(proposal.amount);
        if proposal.auto_apply {
            self.auto_apply.add(proposal.amount);
        }
    }
}

/// The result of a run: one proposal per bank line, in input order, and a summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MatchOutcome {
    /// One proposal per line, in input order.
    pub proposals: Vec<Proposal>,
    /// Counts and amounts per tier.
    pub summary: Summary,
}
