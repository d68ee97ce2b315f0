//! Bounded subset-sum search: which open items of a customer add up to a payment.
//!
//! The search is a depth-first walk over the items in the order given (oldest
//! first), with two bounds that cut most of the tree: the largest sum the
//! remaining slots could still reach, and the smallest value still available.
//! The walk does not descend to the last two items of a combination: it meets
//! them in the middle, looking the last item up in the values sorted by amount
//! and the last two up in the pair sums sorted by amount (binary searches). A
//! combination of `k` items therefore costs about `n^(k-2) · log n` steps at
//! worst instead of `n^k`. The pair table is built for up to
//! [`PAIR_TABLE_ITEMS_MAX`] items; above that only the last item is looked up.
//! Every step counts against a budget, so a customer with thousands of open
//! items cannot stall a run.
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
    let lo = i128::from((*target.start()).max(1));
    let hi = i128::from(*target.end());
    let positive = values.iter().filter(|v| **v > 0).count();
    let k = limits.max_items.min(positive);
    if k == 0 || lo > hi {
        return SubsetSearch::NotFound { steps: 0 };
    }
    let mut search = Search::new(values, k, lo, hi, limits.max_steps);
    // With no subset of fewer than `size` items, the walk's first find has exactly `size`.
    for size in 1..=k {
        search.path.clear();
        match search.walk(0, size, 0) {
            Walk::Found => return SubsetSearch::Found { indexes: search.path, steps: search.steps },
            Walk::NotFound => {}
            Walk::Exhausted => return SubsetSearch::Exhausted { steps: search.steps },
        }
    }
    SubsetSearch::NotFound { steps: search.steps }
}

enum Walk {
    Found,
    NotFound,
    Exhausted,
}

struct Search<'a> {
    values: &'a [i64],
    lo: i128,
    hi: i128,
    /// `top[i * (k + 1) + r]`: the sum of the `r` largest positive values in `values[i..]`.
    top: Vec<i128>,
    width: usize,
    /// The smallest positive value in `values[i..]` (`i128::MAX` if none).
    min_from: Vec<i128>,
    /// Positive values with their indexes, sorted by (value, index).
    sorted: Vec<(i64, usize)>,
    /// Sums of two positive values with their indexes `i < j`, sorted by
    /// (sum, i, j); empty when there are too many values.
    pairs: Vec<(i128, u32, u32)>,
    steps: u64,
    budget: u64,
    path: Vec<usize>,
}

impl<'a> Search<'a> {
    fn new(values: &'a [i64], k: usize, lo: i128, hi: i128, budget: u64) -> Self {
        let n = values.len();
        let width = k + 1;
        let mut top = vec![0i128; (n + 1) * width];
        let mut min_from = vec![i128::MAX; n + 1];
        let mut best: Vec<i64> = Vec::with_capacity(k + 1);
        for i in (0..n).rev() {
            let v = values[i];
            min_from[i] = min_from[i + 1];
            if v > 0 {
                min_from[i] = min_from[i].min(i128::from(v));
                let at = best.partition_point(|b| *b >= v);
                best.insert(at, v);
                best.truncate(k);
            }
            let mut running = 0i128;
            for r in 1..width {
                if let Some(b) = best.get(r - 1) {
                    running += i128::from(*b);
                }
                top[i * width + r] = running;
            }
        }
        let mut sorted: Vec<(i64, usize)> =
            values.iter().enumerate().filter(|(_, v)| **v > 0).map(|(i, v)| (*v, i)).collect();
        sorted.sort_unstable();
        let mut pairs = Vec::new();
        if k >= 2 && sorted.len() <= PAIR_TABLE_ITEMS_MAX {
            let positive: Vec<(usize, i64)> = values.iter().copied().enumerate().filter(|(_, v)| *v > 0).collect();
            for (a, &(i, vi)) in positive.iter().enumerate() {
                for &(j, vj) in &positive[a + 1..] {
                    pairs.push((i128::from(vi) + i128::from(vj), i as u32, j as u32));
                }
            }
            pairs.sort_unstable();
        }
        Search { values, lo, hi, top, width, min_from, sorted, pairs, steps: 0, budget, path: Vec::with_capacity(k) }
    }

    fn top(&self, from: usize, slots: usize) -> i128 {
        self.top.get(from * self.width + slots).copied().unwrap_or(0)
    }

    fn tick(&mut self) -> bool {
        self.steps += 1;
        self.steps <= self.budget
    }

    /// Searches subsets of `values[start..]` with at most `slots` more items.
    fn walk(&mut self, start: usize, slots: usize, sum: i128) -> Walk {
        if sum + self.top(start, slots) < self.lo {
            return Walk::NotFound;
        }
        match self.min_from.get(start) {
            Some(min) if *min != i128::MAX && sum + *min <= self.hi => {}
            _ => return Walk::NotFound,
        }
        if slots == 1 {
            return self.last(start, sum);
        }
        if slots == 2 && !self.pairs.is_empty() {
            return self.last_two(start, sum);
        }
        for j in start..self.values.len() {
            let v = self.values[j];
            if v <= 0 {
                continue;
            }
            if !self.tick() {
                return Walk::Exhausted;
            }
            if sum + self.top(j, slots) < self.lo {
                break;
            }
            let with = sum + i128::from(v);
            if with > self.hi {
                continue;
            }
            self.path.push(j);
            if with >= self.lo {
                return Walk::Found;
            }
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

    /// The lexicographically smallest completion with one or two items from
    /// `start` on: a single item `[j]` wins over any pair `[i, l]` with `j <= i`.
    fn last_two(&mut self, start: usize, sum: i128) -> Walk {
        let single = match self.smallest_single(start, sum) {
            Ok(found) => found,
            Err(()) => return Walk::Exhausted,
        };
        let need_lo = self.lo - sum;
        let need_hi = self.hi - sum;
        let mut at = self.pairs.partition_point(|(s, _, _)| *s < need_lo);
        let mut pair: Option<(u32, u32)> = None;
        while let Some(&(s, _, _)) = self.pairs.get(at) {
            if s > need_hi {
                break;
            }
            if !self.tick() {
                return Walk::Exhausted;
            }
            let block_end = at + self.pairs[at..].iter().take_while(|(t, _, _)| *t == s).count();
            let block = &self.pairs[at..block_end];
            let first = block.partition_point(|(_, i, _)| (*i as usize) < start);
            if let Some(&(_, i, j)) = block.get(first) {
                pair = Some(pair.map_or((i, j), |p| p.min((i, j))));
            }
            at = block_end;
        }
        match (single, pair) {
            (Some(j), Some((i, _))) if j <= i as usize => self.path.push(j),
            (Some(j), None) => self.path.push(j),
            (_, Some((i, l))) => self.path.extend([i as usize, l as usize]),
            (None, None) => return Walk::NotFound,
        }
        Walk::Found
    }

    /// The smallest index `>= start` whose value completes the sum: a lookup per
    /// distinct value in range instead of a scan.
    fn last(&mut self, start: usize, sum: i128) -> Walk {
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
    fn smallest_single(&mut self, start: usize, sum: i128) -> Result<Option<usize>, ()> {
        let need_lo = self.lo - sum;
        let need_hi = self.hi - sum;
        let mut at = self.sorted.partition_point(|(v, _)| i128::from(*v) < need_lo);
        let mut best: Option<usize> = None;
        while let Some(&(v, _)) = self.sorted.get(at) {
            if i128::from(v) > need_hi {
                break;
            }
            if !self.tick() {
                return Err(());
            }
            let block_end = at + self.sorted[at..].iter().take_while(|(w, _)| *w == v).count();
            let block = &self.sorted[at..block_end];
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
}
