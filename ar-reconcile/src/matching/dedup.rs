//! Keeping the first item of each key in a list, in linear time for the few
//! items a line or a customer usually has and in n log n for the many a
//! remittance advice or an imported directory can hold.

/// Up to this many items, the first of each key is found by scanning the ones
/// kept so far: fastest for the few a line names or a customer lists.
const SCAN_MAX: usize = 32;

/// Keeps, among `items[from..]`, the first item of each key, in their order;
/// `items[..from]` stay as they are. Beyond [`SCAN_MAX`] items the first of
/// each key is found by sorting (n log n) rather than by the scan (n²): a
/// remittance advice can name tens of thousands of invoices, and a customer
/// list thousands of aliases.
pub(crate) fn keep_first_of_each<T, K: Ord>(items: &mut Vec<T>, from: usize, key: impl Fn(&T) -> K) {
    let Some(tail) = items.get(from..) else { return };
    if tail.len() > SCAN_MAX {
        let mut order: Vec<(K, usize)> = tail.iter().enumerate().map(|(i, item)| (key(item), i)).collect();
        order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut first = vec![false; tail.len()];
        for same in order.chunk_by(|a, b| a.0 == b.0) {
            first[same[0].1] = true;
        }
        let mut at = 0;
        items.retain(|_| {
            at += 1;
            at <= from || first[at - 1 - from]
        });
        return;
    }
    let mut kept = from;
    for i in from..items.len() {
        if !items[from..kept].iter().any(|k| key(k) == key(&items[i])) {
            // Everything between `kept` and `i` is dropped, so the order of the kept stays.
            if kept != i {
                items.swap(kept, i);
            }
            kept += 1;
        }
    }
    items.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The first item of each key, in order, by the definition.
    fn firsts(items: &[(u32, u32)]) -> Vec<(u32, u32)> {
        let mut seen = std::collections::BTreeSet::new();
        items.iter().copied().filter(|item| seen.insert(item.0)).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Both paths (scan and sort) keep exactly the first item of each key,
        /// in their order. Keys come from a small range so that most lists
        /// repeat some; the second field tells equal keys apart.
        #[test]
        fn keeps_the_first_of_each_key(keys in prop::collection::vec(0u32..40, 0..120)) {
            let items: Vec<(u32, u32)> = keys.iter().zip(0..).map(|(&k, i)| (k, i)).collect();
            let mut kept = items.clone();
            keep_first_of_each(&mut kept, 0, |item| item.0);
            prop_assert_eq!(kept, firsts(&items));
        }

        /// Items before `from` are kept as they are, repeats included; the
        /// rest keep the first of each key as if alone.
        #[test]
        fn keeps_the_items_before_from(keys in prop::collection::vec(0u32..40, 0..120), from in 0usize..130) {
            let items: Vec<(u32, u32)> = keys.iter().zip(0..).map(|(&k, i)| (k, i)).collect();
            let mut kept = items.clone();
            keep_first_of_each(&mut kept, from, |item| item.0);
            let from = from.min(items.len());
            let mut want = items[..from].to_vec();
            want.extend(firsts(&items[from..]));
            prop_assert_eq!(kept, want);
        }
    }
}
