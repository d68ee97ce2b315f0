//! What the matcher proposes for each bank line, and a summary of a run.

use std::collections::BTreeMap;
use std::sync::Arc;

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
    pub document: Arc<str>,
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
    pub document: Arc<str>,
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
    #[cfg(test)]
    fn add(&mut self, amount: Money) {
        self.lines += 1;
        let total = self.amounts.entry(amount.currency()).or_insert_with(|| Money::zero(amount.currency()));
        *total = total.checked_add(amount).unwrap_or(*total);
    }
}

/// A [`Tally`] being counted: a run has one or a few currencies, so a short
/// list searched in order is cheaper per line than a map lookup, and sums in
/// minor units skip building a `Money` per line.
#[derive(Debug, Default)]
struct TallyBuilder {
    lines: usize,
    totals: Vec<(Currency, i64)>,
}

impl TallyBuilder {
    fn add(&mut self, amount: Money) {
        self.lines += 1;
        let (minor, currency) = (amount.minor(), amount.currency());
        // `Money::checked_add`'s rule: a sum `Money` refuses (past the largest
        // amount) leaves the total as it was. `from_minor` owns that bound.
        let add = |total: i64| {
            total.checked_add(minor).filter(|sum| Money::from_minor(*sum, currency).is_ok()).unwrap_or(total)
        };
        match self.totals.iter_mut().find(|(c, _)| *c == currency) {
            Some((_, total)) => *total = add(*total),
            None => self.totals.push((currency, add(0))),
        }
    }

    fn build(self) -> Tally {
        let amounts = self
            .totals
            .into_iter()
            .map(|(currency, total)| (currency, Money::from_minor(total, currency).unwrap_or(Money::zero(currency))))
            .collect();
        Tally { lines: self.lines, amounts }
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
}

/// A [`Summary`] counted line by line.
#[derive(Debug, Default)]
pub(crate) struct SummaryBuilder {
    tiers: [TallyBuilder; 4],
    skipped: TallyBuilder,
    auto_apply: TallyBuilder,
}

impl SummaryBuilder {
    pub(crate) fn add(&mut self, proposal: &Proposal) {
        if proposal.skipped {
            self.skipped.add(proposal.amount);
            return;
        }
        if let Some(tally) = self.tiers.get_mut(proposal.tier as usize) {
            tally.add(proposal.amount);
        }
        if proposal.auto_apply {
            self.auto_apply.add(proposal.amount);
        }
    }

    pub(crate) fn build(self) -> Summary {
        Summary {
            tiers: self.tiers.map(TallyBuilder::build),
            skipped: self.skipped.build(),
            auto_apply: self.auto_apply.build(),
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

#[cfg(test)]
mod tests {
    use ar_core::MAX_MINOR_UNITS;
    use proptest::prelude::*;

    use super::*;

    fn proposal(amount: Money, tier: Tier, skipped: bool, auto_apply: bool) -> Proposal {
        Proposal {
            line: 0,
            amount,
            customer: None,
            allocations: Vec::new(),
            write_offs: Vec::new(),
            deductions: Vec::new(),
            unapplied: Money::zero(amount.currency()),
            tier,
            auto_apply,
            skipped,
            evidence: Vec::new(),
        }
    }

    /// The summary as a map of totals per tally counts it, one line at a time.
    fn reference(proposals: &[Proposal]) -> Summary {
        let mut summary = Summary::default();
        for p in proposals {
            if p.skipped {
                summary.skipped.add(p.amount);
                continue;
            }
            summary.tiers[p.tier as usize].add(p.amount);
            if p.auto_apply {
                summary.auto_apply.add(p.amount);
            }
        }
        summary
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// The builder gives the summary a map of totals gives, in every
        /// currency, including sums that would pass the largest amount (which
        /// leave the total as it was).
        #[test]
        fn summary_builder_equals_a_map_of_totals(
            lines in prop::collection::vec(
                (
                    0..3usize,
                    prop_oneof![
                        -1_000_000..1_000_000i64,
                        (MAX_MINOR_UNITS - 10)..=MAX_MINOR_UNITS,
                        -MAX_MINOR_UNITS..=(10 - MAX_MINOR_UNITS),
                    ],
                    0..4usize,
                    any::<bool>(),
                    any::<bool>(),
                ),
                0..60,
            ),
        ) {
            let currencies = [Currency::EUR, Currency::USD, Currency::JPY];
            let proposals: Vec<Proposal> = lines
                .iter()
                .map(|&(c, minor, tier, skipped, auto)| {
                    let amount = Money::from_minor(minor, currencies[c]).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    Ok(proposal(amount, Tier::ALL[tier], skipped, auto))
                })
                .collect::<Result<_, TestCaseError>>()?;
            let mut builder = SummaryBuilder::default();
            for p in &proposals {
                builder.add(p);
            }
            prop_assert_eq!(builder.build(), reference(&proposals));
        }
    }
}
