//! Step 2 of deposit reconciliation: payments and bank lines of equal amount,
//! nearest dates first.
//!
//! The rule: among all free (payment, line) pairs of equal amount whose dates
//! lie at most the window apart, take the one with the fewest days apart, then
//! the earliest payment, then the earliest line; again until none is left.
//! Listing every such pair and sorting them states the rule directly, but a
//! deposit of thousands of payments of one amount (a subscription fee, a
//! tuition instalment) has millions of them. Here each payment keeps only its
//! own nearest free line in a heap, and a popped pair whose line was taken in
//! the meantime is replaced by the payment's next nearest: n log n.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use ar_core::Money;
use chrono::NaiveDate;

/// The free lines of one amount, by date, each date's lines in index order.
#[derive(Default)]
struct LinesByDate {
    /// (date, line), sorted; a date's lines form a block.
    lines: Vec<(NaiveDate, usize)>,
    /// Per distinct date, ascending: the date, its block's next free entry
    /// and its end.
    blocks: Vec<(NaiveDate, usize, usize)>,
    /// The blocks with a free line left.
    open: BTreeSet<usize>,
}

impl LinesByDate {
    fn finish(&mut self) {
        self.lines.sort_unstable();
        for same in self.lines.chunk_by(|a, b| a.0 == b.0) {
            let start = self.blocks.last().map_or(0, |b| b.2);
            self.blocks.push((same[0].0, start, start + same.len()));
        }
        self.open = (0..self.blocks.len()).collect();
    }

    /// The free line of a block with the lowest index, which is its front:
    /// lines are only ever taken from the front.
    fn front(&self, block: usize) -> Option<usize> {
        self.blocks.get(block).and_then(|b| self.lines.get(b.1)).map(|l| l.1)
    }

    /// The free line nearest `date` within `window` days: the fewest days
    /// apart, then the lowest index. Returns (days, line, block).
    fn nearest(&self, date: NaiveDate, window: u64) -> Option<(u64, usize, usize)> {
        let at = self.blocks.partition_point(|b| b.0 < date);
        let below = self.open.range(..at).next_back();
        let above = self.open.range(at..).next();
        let candidate = |block: &usize| {
            let days = (self.blocks.get(*block)?.0 - date).num_days().unsigned_abs();
            Some((days, self.front(*block)?, *block))
        };
        below.into_iter().chain(above).filter_map(candidate).filter(|c| c.0 <= window).min()
    }

    /// Takes the front line of `block`.
    fn take_front(&mut self, block: usize) {
        if let Some(b) = self.blocks.get_mut(block) {
            b.1 += 1;
            if b.1 >= b.2 {
                self.open.remove(&block);
            }
        }
    }
}

/// A payment or line as this step sees it: its amount and its date.
pub(super) type Dated = (Money, NaiveDate);

/// Pairs `payments` (`None`: already paired) with `lines` (`None`: taken) by
/// the rule of the module; returns (payment, line, days apart), in the order
/// taken.
pub(super) fn nearest_pairs(
    payments: &[Option<Dated>],
    lines: &[Option<Dated>],
    window: u32,
) -> Vec<(usize, usize, u32)> {
    let mut by_amount: BTreeMap<Money, LinesByDate> = BTreeMap::new();
    for (l, line) in lines.iter().enumerate() {
        if let Some((amount, date)) = line {
            by_amount.entry(*amount).or_default().lines.push((*date, l));
        }
    }
    by_amount.values_mut().for_each(LinesByDate::finish);
    let window = u64::from(window);
    let mut heap = BinaryHeap::new();
    let push = |heap: &mut BinaryHeap<_>, by_amount: &BTreeMap<Money, LinesByDate>, p: usize, (amount, date): Dated| {
        if let Some((days, l, block)) = by_amount.get(&amount).and_then(|dates| dates.nearest(date, window)) {
            heap.push(Reverse((days, p, l, block)));
        }
    };
    for (p, payment) in payments.iter().enumerate() {
        if let Some(payment) = payment {
            push(&mut heap, &by_amount, p, *payment);
        }
    }
    let mut taken = vec![false; lines.len()];
    let mut pairs = Vec::new();
    while let Some(Reverse((days, p, l, block))) = heap.pop() {
        let Some(&Some(payment)) = payments.get(p) else { continue };
        if taken.get(l).copied().unwrap_or(true) {
            // Taken since it was this payment's nearest: find the next nearest.
            push(&mut heap, &by_amount, p, payment);
            continue;
        }
        taken[l] = true;
        if let Some(dates) = by_amount.get_mut(&payment.0) {
            dates.take_front(block);
        }
        pairs.push((p, l, days as u32));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use ar_core::Currency;
    use proptest::prelude::*;

    /// The rule stated directly: every pair within the window, sorted by
    /// (days apart, payment, line), taken greedily.
    fn by_definition(payments: &[Option<Dated>], lines: &[Option<Dated>], window: u32) -> Vec<(usize, usize, u32)> {
        let mut candidates = Vec::new();
        for (p, payment) in payments.iter().enumerate() {
            for (l, line) in lines.iter().enumerate() {
                if let (Some((pa, pd)), Some((la, ld))) = (payment, line) {
                    let days = (*ld - *pd).num_days().unsigned_abs();
                    if pa == la && days <= u64::from(window) {
                        candidates.push((days as u32, p, l));
                    }
                }
            }
        }
        candidates.sort_unstable();
        let (mut paid, mut taken) = (vec![false; payments.len()], vec![false; lines.len()]);
        let mut pairs = Vec::new();
        for (days, p, l) in candidates {
            if !paid[p] && !taken[l] {
                (paid[p], taken[l]) = (true, true);
                pairs.push((p, l, days));
            }
        }
        pairs
    }

    fn dated() -> impl Strategy<Value = Option<Dated>> {
        // Few amounts, two currencies and a few weeks of dates: most pairs compete.
        let day = |d: u32| NaiveDate::from_ymd_opt(2024, 2, 1).unwrap_or_default() + chrono::Days::new(u64::from(d));
        prop::option::weighted(0.9, (1i64..4, any::<bool>(), 0u32..20)).prop_map(move |spec| {
            spec.and_then(|(minor, usd, d)| {
                let currency = if usd { Currency::USD } else { Currency::EUR };
                Money::from_minor(minor * 4_900, currency).ok().map(|m| (m, day(d)))
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// The heap takes the same pairs as the sorted list of every pair.
        #[test]
        fn nearest_pairs_follow_the_rule(
            payments in prop::collection::vec(dated(), 0..40),
            lines in prop::collection::vec(dated(), 0..40),
            window in 0u32..8,
        ) {
            // Taken in the same order, too.
            prop_assert_eq!(nearest_pairs(&payments, &lines, window), by_definition(&payments, &lines, window));
        }
    }
}
