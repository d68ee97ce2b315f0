//! Bounded subset-sum search: which open items of a customer add up to a payment.
//!
//! The search is a depth-first walk over the items in the order given (oldest
//! first), with two bounds that cut most of the tree: the largest and the
//! smallest sum the remaining slots could still reach.
//! The walk does not descend to the last two items of a combination: it meets
//! them in the middle, looking the last item up in the values sorted by amount
//! and the last two up in the pair sums sorted by amount (binary searches). A
//! combination of `k` items therefore costs about `n^(k-2) · log n` steps at
//! worst instead of `n^k`. The pair table is built once the search reaches
//! three items, for up to [`PAIR_TABLE_ITEMS_MAX`] items; above that only the
//! last item is looked up.
//! Every step counts against a budget, so a customer with thousands of open
//! items cannot stall a run. The tables the walk reads cost time and memory in
//! the number of values (`n · (k + 1)` bounds and a sort) before any step is
//! counted, so the matcher hands over at most the policy's
//! [`combination_candidates`](super::MatchPolicy::combination_candidates)
//! items.
//!
//! Among all subsets of at most `max_items` values whose sum falls in the target
//! range, the search returns the one with the fewest values, and among those
//! the one whose index list is lexicographically smallest: the combination that
//! includes the oldest items. Fewest first because a chance combination of many
//! items is far likelier than a chance pair (thirty open items have 600,000
//! subsets of six, and some of them hit almost any amount). The walk deepens
//! one item at a time, so a larger combination is only searched when no smaller
//! one exists. The result is deterministic, and equal to what a brute-force
//! enumeration picks by the same rule whenever the budget is not exhausted.

use std::ops::RangeInclusive;

/// The most items for which the search keeps a table of all pair sums
/// (`n²/2` entries).
pub const PAIR_TABLE_ITEMS_MAX: usize = 160;

/// How far a search may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubsetLimits {
    /// The most values a subset may hold.
    pub max_items: usize,
    /// The work budget, in search steps.
    pub max_steps: u64,
}

/// What a subset search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubsetSearch {
    /// The indexes (ascending) of the preferred subset.
    Found {
        /// Ascending indexes into the values.
        indexes: Vec<usize>,
        /// Steps taken.
        steps: u64,
    },
    /// No subset within the limits sums into the target range.
    NotFound {
        /// Steps taken.
        steps: u64,
    },
    /// The budget ran out before the search could decide.
    Exhausted {
        /// Steps taken.
        steps: u64,
    },
}

/// Finds the smallest set of at most `limits.max_items` indexes whose values
/// sum into `target`, the lexicographically smallest among equally small ones
/// (non-positive values never take part).
///
/// ```
/// use ar_reconcile::matching::combination::{find_subset, SubsetLimits, SubsetSearch};
/// let open = [500, 1_200, 300, 700, 250];
/// let limits = SubsetLimits { max_items: 3, max_steps: 1_000 };
/// match find_subset(&open, 1_500..=1_500, limits) {
///     // {0, 2, 3} and {1, 2} both sum to 1,500: the pair wins.
///     SubsetSearch::Found { indexes, .. } => assert_eq!(indexes, [1, 2]),
///     other => return Err(format!("expected a subset, got {other:?}").into()),
/// }
/// assert!(matches!(find_subset(&open, 1..=100, limits), SubsetSearch::NotFound { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn find_subset(values: &[i64], target: RangeInclusive<i64>, limits: SubsetLimits) -> SubsetSearch {
    Subsets::new(values, limits.max_items).find(target, limits.max_steps)
}

/// The tables of a subset search over one list of values, reusable for
/// several targets (they depend on the values and the most items only).
pub(crate) struct Subsets<'a> {
    values: &'a [i64],
    k: usize,
    /// `top[i * (k + 1) + r]`: the sum of the `r` largest positive values in `values[i..]`.
    top: Vec<u64>,
    /// `bottom[i * (k + 1) + r]`: the sum of the `r` smallest positive values in
    /// `values[i..]`, `u64::MAX` if it has fewer than `r`.
    bottom: Vec<u64>,
    /// Positive values with their indexes, sorted by (value, index).
    sorted: Vec<(i64, usize)>,
    /// Each distinct value in `sorted` → where its block starts.
    single_blocks: SumIndex,
    /// Sums of two positive values; `None` when there are too many values.
    /// Built on first use.
    pairs: Option<PairTable>,
}

impl<'a> Subsets<'a> {
    pub(crate) fn new(values: &'a [i64], max_items: usize) -> Self {
        let positive = values.iter().filter(|v| **v > 0).count();
        let k = max_items.min(positive);
        let n = values.len();
        let width = k + 1;
        let mut top = vec![0u64; (n + 1) * width];
        let mut bottom = vec![u64::MAX; (n + 1) * width];
        bottom[n * width] = 0;
        // The `k` largest and the `k` smallest positive values of `values[i..]`.
        let mut largest: Vec<i64> = Vec::with_capacity(k + 1);
        let mut smallest: Vec<i64> = Vec::with_capacity(k + 1);
        for i in (0..n).rev() {
            let v = values[i];
            if v > 0 {
                largest.insert(largest.partition_point(|b| *b >= v), v);
                largest.truncate(k);
                smallest.insert(smallest.partition_point(|b| *b <= v), v);
                smallest.truncate(k);
            }
            bottom[i * width] = 0;
            let (mut high, mut low) = (0u64, 0u64);
            for r in 1..width {
                if let Some(b) = largest.get(r - 1) {
                    high = high.saturating_add(*b as u64);
                }
                top[i * width + r] = high;
                if let Some(b) = smallest.get(r - 1) {
                    low = low.saturating_add(*b as u64);
                    bottom[i * width + r] = low;
                }
            }
        }
        let mut sorted: Vec<(i64, usize)> =
            values.iter().enumerate().filter(|(_, v)| **v > 0).map(|(i, v)| (*v, i)).collect();
        sorted.sort_unstable();
        let single_blocks = SumIndex::of_blocks(sorted.len(), |at| sorted.get(at).map(|(v, _)| *v as u64));
        Subsets { values, k, top, bottom, sorted, single_blocks, pairs: None }
    }

    /// The search of [`find_subset`] for `target` within `budget` steps.
    pub(crate) fn find(&mut self, target: RangeInclusive<i64>, budget: u64) -> SubsetSearch {
        // Sums are of positive values, in `u64` and saturating: a saturated sum
        // stays above any target, as the true sum does.
        let lo = (*target.start()).max(1) as u64;
        let hi = (*target.end()).max(0) as u64;
        if self.k == 0 || lo > hi {
            return SubsetSearch::NotFound { steps: 0 };
        }
        let (mut steps, mut path) = (0, Vec::with_capacity(self.k));
        // With no subset of fewer than `size` items, the walk's first find has exactly `size`.
        for size in 1..=self.k {
            // A pair is found by a lookup per item; the pair table pays off from three items on.
            if size == 3 && self.pairs.is_none() && self.sorted.len() <= PAIR_TABLE_ITEMS_MAX {
                self.pairs = Some(PairTable::new(self.values));
            }
            if lo != hi
                && let Some(pairs) = &mut self.pairs
            {
                pairs.order();
            }
            path.clear();
            let mut search = Search { tables: self, lo, hi, steps, budget, path };
            if !search.reachable(0, size, 0) {
                (steps, path) = (search.steps, search.path);
                continue;
            }
            match search.walk(0, size, 0) {
                Walk::Found => return SubsetSearch::Found { indexes: search.path, steps: search.steps },
                Walk::NotFound => (steps, path) = (search.steps, search.path),
                Walk::Exhausted => return SubsetSearch::Exhausted { steps: search.steps },
            }
        }
        SubsetSearch::NotFound { steps }
    }
}

/// Every pair `i < j` of positive values, grouped by their sum: a block per
/// sum holds its pairs in ascending `(i, j)` order. Grouping by a hash of the
/// sum (two passes, no sort) keeps the build linear in the pairs; the blocks
/// are put in sum order only if a range of sums is asked for.
struct PairTable {
    /// `i << 32 | j`, block after block.
    pairs: Vec<u64>,
    /// Per block: (sum, start, end) in `pairs`, in order of first appearance.
    blocks: Vec<(u64, u32, u32)>,
    /// Sum → its block.
    by_sum: SumIndex,
    /// The blocks in ascending sum order, for range targets.
    by_order: Vec<u32>,
}

impl PairTable {
    fn new(values: &[i64]) -> Self {
        // A sum of two positive `i64` fits in a `u64`.
        let positive: Vec<(u64, u64)> =
            values.iter().enumerate().filter(|(_, v)| **v > 0).map(|(i, v)| (i as u64, *v as u64)).collect();
        let n_pairs = positive.len() * positive.len().saturating_sub(1) / 2;
        let mut by_sum = SumIndex::with_capacity(n_pairs);
        let mut blocks: Vec<(u64, u32, u32)> = Vec::new();
        let mut block_of = Vec::with_capacity(n_pairs);
        for (a, &(_, vi)) in positive.iter().enumerate() {
            for &(_, vj) in &positive[a + 1..] {
                let sum = vi + vj;
                let block = by_sum.get(sum).unwrap_or_else(|| {
                    by_sum.insert(sum, blocks.len() as u32);
                    blocks.push((sum, 0, 0));
                    blocks.len() - 1
                });
                if let Some(b) = blocks.get_mut(block) {
                    b.2 += 1;
                }
                block_of.push(block as u32);
            }
        }
        let mut start = 0;
        for b in &mut blocks {
            let len = b.2;
            *b = (b.0, start, start);
            start += len;
        }
        // The same walk as above, so each block fills in ascending (i, j) order.
        let mut pairs = vec![0u64; n_pairs];
        let mut at = 0;
        for (a, &(i, _)) in positive.iter().enumerate() {
            for &(j, _) in &positive[a + 1..] {
                if let Some(b) = block_of.get(at).and_then(|b| blocks.get_mut(*b as usize))
                    && let Some(slot) = pairs.get_mut(b.2 as usize)
                {
                    *slot = (i << 32) | j;
                    b.2 += 1;
                }
                at += 1;
            }
        }
        PairTable { pairs, blocks, by_sum, by_order: Vec::new() }
    }

    /// The pairs of one block, ascending.
    fn block(&self, block: usize) -> &[u64] {
        match self.blocks.get(block) {
            Some(&(_, a, z)) => self.pairs.get(a as usize..z as usize).unwrap_or(&[]),
            None => &[],
        }
    }

    fn sum(&self, block: usize) -> u64 {
        self.blocks.get(block).map_or(0, |b| b.0)
    }

    /// Puts the blocks in ascending sum order, for range targets.
    fn order(&mut self) {
        if self.by_order.len() != self.blocks.len() {
            let blocks = &self.blocks;
            self.by_order = (0..blocks.len() as u32).collect();
            self.by_order.sort_unstable_by_key(|b| blocks.get(*b as usize).map_or(0, |b| b.0));
        }
    }

    /// The blocks whose sum lies in `lo..=hi`, in ascending sum order: one
    /// probe for a single sum, else a binary search of the ordered blocks
    /// (see [`PairTable::order`]).
    fn blocks_in(&self, lo: u64, hi: u64) -> impl Iterator<Item = usize> + '_ {
        let exact = exact_need(lo, hi).map(|need| self.by_sum.get(need));
        let from = match exact {
            Some(_) => self.by_order.len(),
            None => self.by_order.partition_point(|b| self.sum(*b as usize) < lo),
        };
        let ranged = self.by_order.get(from..).unwrap_or(&[]).iter().map(|b| *b as usize);
        exact.flatten().into_iter().chain(ranged.take_while(move |b| self.sum(*b) <= hi))
    }
}

/// A sum → position map (the start of a block of equal sums in a table), found
/// by hashing the sum: an exact target needs one probe instead of a binary search.
struct SumIndex {
    mask: usize,
    /// (sum, position); `u32::MAX` marks a free slot.
    slots: Vec<(u64, u32)>,
}

impl SumIndex {
    fn with_capacity(len: usize) -> Self {
        let size = (len.max(4) * 2).next_power_of_two();
        SumIndex { mask: size - 1, slots: vec![(0, u32::MAX); size] }
    }

    /// Indexes the blocks of equal keys of a sorted table of `len` entries.
    fn of_blocks(len: usize, key: impl Fn(usize) -> Option<u64>) -> Self {
        let mut index = SumIndex::with_capacity(len);
        let mut previous = None;
        for at in 0..len {
            let k = key(at);
            if k.is_some() && k != previous {
                index.insert(k.unwrap_or(0), at as u32);
            }
            previous = k;
        }
        index
    }

    fn slot(&self, sum: u64) -> usize {
        (sum.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & self.mask
    }

    fn insert(&mut self, sum: u64, start: u32) {
        let mut at = self.slot(sum);
        while self.slots.get(at).is_some_and(|s| s.1 != u32::MAX) {
            at = (at + 1) & self.mask;
        }
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = (sum, start);
        }
    }

    /// Where the block of `sum` starts, if the table has it.
    fn get(&self, sum: u64) -> Option<usize> {
        let mut at = self.slot(sum);
        loop {
            let &(s, start) = self.slots.get(at)?;
            if start == u32::MAX {
                return None;
            }
            if s == sum {
                return Some(start as usize);
            }
            at = (at + 1) & self.mask;
        }
    }
}

/// An exact need that a table of sums of positive values may hold.
fn exact_need(lo: u64, hi: u64) -> Option<u64> {
    (lo == hi).then_some(lo)
}

enum Walk {
    Found,
    NotFound,
    Exhausted,
}

struct Search<'t, 'a> {
    tables: &'t Subsets<'a>,
    lo: u64,
    hi: u64,
    steps: u64,
    budget: u64,
    path: Vec<usize>,
}

impl Search<'_, '_> {
    fn top(&self, from: usize, slots: usize) -> u64 {
        self.tables.top.get(from * (self.tables.k + 1) + slots).copied().unwrap_or(0)
    }

    fn bottom(&self, from: usize, slots: usize) -> u64 {
        self.tables.bottom.get(from * (self.tables.k + 1) + slots).copied().unwrap_or(u64::MAX)
    }

    /// `true` if `slots` more items from `values[from..]` can bring `sum` into range.
    fn reachable(&self, from: usize, slots: usize, sum: u64) -> bool {
        sum.saturating_add(self.top(from, slots)) >= self.lo && sum.saturating_add(self.bottom(from, slots)) <= self.hi
    }

    fn tick(&mut self) -> bool {
        self.steps += 1;
        self.steps <= self.budget
    }

    /// Searches subsets of `values[start..]` with exactly `slots` more items.
    ///
    /// [`Subsets::find`] deepens one item at a time, so when the walk for a
    /// size starts, no smaller subset sums into range: a completion with fewer
    /// items than `slots` cannot exist, and the bounds may assume exactly
    /// `slots` (the sum of the `slots` largest, and of the `slots` smallest,
    /// values left). The caller has checked that `slots` more items can reach
    /// the target.
    fn walk(&mut self, start: usize, slots: usize, sum: u64) -> Walk {
        if slots == 1 {
            return self.last(start, sum);
        }
        if slots == 2 && self.tables.pairs.is_some() {
            return self.last_two(start, sum);
        }
        let values = self.tables.values;
        for (j, &v) in values.iter().enumerate().skip(start) {
            if v <= 0 {
                continue;
            }
            if !self.tick() {
                return Walk::Exhausted;
            }
            if sum.saturating_add(self.top(j, slots)) < self.lo {
                break;
            }
            let with = sum.saturating_add(v as u64);
            if !self.reachable(j + 1, slots - 1, with) {
                continue;
            }
            self.path.push(j);
            match self.walk(j + 1, slots - 1, with) {
                Walk::Found => return Walk::Found,
                Walk::Exhausted => return Walk::Exhausted,
                Walk::NotFound => {
                    self.path.pop();
                }
            }
        }
        Walk::NotFound
    }

    /// The lexicographically smallest pair `[i, l]` with `start <= i` that
    /// completes the sum. (A single item cannot: see [`Search::walk`].)
    fn last_two(&mut self, start: usize, sum: u64) -> Walk {
        let Some(table) = &self.tables.pairs else { return Walk::NotFound };
        let mut pair: Option<(usize, usize)> = None;
        // `sum <= hi` here: `walk` checked that the pair can still fit.
        for block in table.blocks_in(self.lo.saturating_sub(sum), self.hi.saturating_sub(sum)) {
            self.steps += 1;
            if self.steps > self.budget {
                return Walk::Exhausted;
            }
            let pairs = table.block(block);
            let first = pairs.partition_point(|q| (*q >> 32) < start as u64);
            if let Some(&q) = pairs.get(first) {
                let found = ((q >> 32) as usize, q as u32 as usize);
                pair = Some(pair.map_or(found, |p| p.min(found)));
            }
        }
        match pair {
            Some((i, l)) => {
                self.path.extend([i, l]);
                Walk::Found
            }
            None => Walk::NotFound,
        }
    }

    /// The smallest index `>= start` whose value completes the sum: a lookup per
    /// distinct value in range instead of a scan.
    fn last(&mut self, start: usize, sum: u64) -> Walk {
        match self.smallest_single(start, sum) {
            Ok(Some(i)) => {
                self.path.push(i);
                Walk::Found
            }
            Ok(None) => Walk::NotFound,
            Err(()) => Walk::Exhausted,
        }
    }

    /// The smallest index `>= start` whose value completes the sum, `Err` when
    /// the budget runs out.
    fn smallest_single(&mut self, start: usize, sum: u64) -> Result<Option<usize>, ()> {
        let sorted = &self.tables.sorted;
        let (need_lo, need_hi) = (self.lo.saturating_sub(sum), self.hi.saturating_sub(sum));
        let mut at = match exact_need(need_lo, need_hi) {
            Some(need) => self.tables.single_blocks.get(need).unwrap_or(sorted.len()),
            None => sorted.partition_point(|(v, _)| (*v as u64) < need_lo),
        };
        let mut best: Option<usize> = None;
        while let Some(&(v, _)) = sorted.get(at) {
            if v as u64 > need_hi {
                break;
            }
            self.steps += 1;
            if self.steps > self.budget {
                return Err(());
            }
            let block_end = at + sorted[at..].iter().take_while(|(w, _)| *w == v).count();
            let block = &sorted[at..block_end];
            let first = block.partition_point(|(_, i)| *i < start);
            if let Some(&(_, i)) = block.get(first) {
                best = Some(best.map_or(i, |b: usize| b.min(i)));
            }
            at = block_end;
        }
        Ok(best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(r: SubsetSearch) -> Option<Vec<usize>> {
        match r {
            SubsetSearch::Found { indexes, .. } => Some(indexes),
            _ => None,
        }
    }

    #[test]
    fn prefers_oldest_items() {
        let limits = SubsetLimits { max_items: 6, max_steps: 10_000 };
        // {1,2} and {0,3} both sum to 10; {0,3} holds the oldest item.
        // {0,1,2} and {3,4} both sum to 12; the pair is smaller.
        assert_eq!(found(find_subset(&[3, 4, 5, 6, 6], 12..=12, limits)), Some(vec![3, 4]));
        assert_eq!(found(find_subset(&[4, 5, 5, 6], 10..=10, limits)), Some(vec![0, 3]));
        assert_eq!(found(find_subset(&[4, 0, -3, 6], 10..=10, limits)), Some(vec![0, 3]));
        assert_eq!(found(find_subset(&[7], 7..=7, limits)), Some(vec![0]));
        assert_eq!(found(find_subset(&[], 7..=7, limits)), None);
    }

    #[test]
    fn budget_is_respected() {
        let values: Vec<i64> = (0..200).map(|i| 1_000 + i * 2).collect();
        let r = find_subset(&values, 1..=1, SubsetLimits { max_items: 6, max_steps: 50 });
        assert!(matches!(r, SubsetSearch::NotFound { .. }));
        let r = find_subset(&values, 7_001..=7_001, SubsetLimits { max_items: 6, max_steps: 50 });
        assert!(matches!(r, SubsetSearch::Exhausted { steps } if steps == 51), "{r:?}");
    }

    /// The first subset of one, then two, then three items (indexes ascending,
    /// lexicographic order) whose sum lies in `lo..=hi`.
    fn first_of_up_to_three(values: &[i64], lo: i64, hi: i64, k: usize) -> Option<Vec<usize>> {
        let fits = |sum: i64| (lo.max(1)..=hi).contains(&sum);
        let n = values.len();
        let positive = |i: &usize| values[*i] > 0;
        let single = (0..n).filter(positive).find(|&i| fits(values[i])).map(|i| vec![i]);
        let pair = || {
            (0..n)
                .filter(positive)
                .find_map(|i| (i + 1..n).filter(positive).find(|&j| fits(values[i] + values[j])).map(|j| vec![i, j]))
        };
        let triple = || {
            (0..n).filter(positive).find_map(|i| {
                (i + 1..n).filter(positive).find_map(|j| {
                    (j + 1..n)
                        .filter(positive)
                        .find(|&l| fits(values[i] + values[j] + values[l]))
                        .map(|l| vec![i, j, l])
                })
            })
        };
        single.or_else(|| (k >= 2).then(pair).flatten()).or_else(|| (k >= 3).then(triple).flatten())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Above the pair table's size the walk looks up only the last item;
        /// it still picks what enumeration picks.
        #[test]
        fn without_a_pair_table_equals_enumeration(
            values in proptest::collection::vec(-3i64..5_000, PAIR_TABLE_ITEMS_MAX + 1..=PAIR_TABLE_ITEMS_MAX + 40),
            picks in proptest::collection::vec(0usize..1_000, 1..=3),
            width in 0i64..3,
            k in 1usize..=3,
        ) {
            let mut chosen: Vec<usize> = picks.iter().map(|p| p % values.len()).collect();
            chosen.sort_unstable();
            chosen.dedup();
            let lo = chosen.iter().map(|&i| values[i].max(1)).sum::<i64>();
            let hi = lo + width;
            let limits = SubsetLimits { max_items: k, max_steps: u64::MAX };
            let expected = first_of_up_to_three(&values, lo, hi, k);
            proptest::prop_assert_eq!(found(find_subset(&values, lo..=hi, limits)), expected);
        }
    }

    /// The fewest, then lexicographically smallest, indexes whose sum (exact,
    /// in `i128`) lies in `lo..=hi`.
    fn enumerate_exact(values: &[i64], lo: i64, hi: i64, k: usize) -> Option<Vec<usize>> {
        let mut best: Option<Vec<usize>> = None;
        for mask in 1u32..(1 << values.len()) {
            let idx: Vec<usize> = (0..values.len()).filter(|i| mask & (1 << i) != 0).collect();
            let sum: i128 = idx.iter().map(|&i| i128::from(values[i])).sum();
            let fits = idx.len() <= k && idx.iter().all(|&i| values[i] > 0);
            if fits && (i128::from(lo.max(1))..=i128::from(hi)).contains(&sum) {
                best = best.filter(|b| (b.len(), b) <= (idx.len(), &idx)).or(Some(idx));
            }
        }
        best
    }

    #[test]
    fn sums_beyond_i64_never_match() {
        let limits = SubsetLimits { max_items: 3, max_steps: 1_000 };
        let max = i64::MAX;
        assert_eq!(found(find_subset(&[max - 1, 2, 3], max..=max, limits)), None);
        assert_eq!(found(find_subset(&[max - 1, 2, 1], max..=max, limits)), Some(vec![0, 2]));
        assert_eq!(found(find_subset(&[max, max, 1], max..=max, limits)), Some(vec![0]));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        /// Values near `i64::MAX`: sums of several overflow `i64` and must not wrap into range.
        #[test]
        fn huge_values_equal_exact_enumeration(
            values in proptest::collection::vec(proptest::prop_oneof![1i64..100, (i64::MAX / 4)..=i64::MAX], 0..=8),
            lo in proptest::prop_oneof![1i64..300, (i64::MAX / 2)..=i64::MAX],
            k in 1usize..=4,
        ) {
            let hi = lo.saturating_add(50);
            let limits = SubsetLimits { max_items: k, max_steps: u64::MAX };
            proptest::prop_assert_eq!(found(find_subset(&values, lo..=hi, limits)), enumerate_exact(&values, lo, hi, k));
        }
    }
}
