//! Finding items by key in lists that can be long: the first item of each
//! key kept, in linear time for the few items a line or a customer usually
//! has and in n log n for the many a remittance advice or an imported
//! directory can hold; and the positions of a key by binary search.

/// Up to this many items, the first of each key is found by scanning the ones
/// kept so far: fastest for the few a line names or a customer lists.
pub(crate) const SCAN_MAX: usize = 32;

/// Keeps, among `items[from..]`, the first item of each key, in their order;
/// `items[..from]` stay as they are. Beyond [`SCAN_MAX`] items the first of
/// each key is found by sorting (n log n) rather than by the scan (n²): a
/// remittance advice can name tens of thousands of invoices, and a customer
/// list thousands of aliases.
pub(crate) fn keep_first_of_each<T, K: Ord>(items: &mut Vec<T>, from: usize, key: impl Fn(&T) -> K) {
    let Some(tail) = items.get(from..) else { return };
    if tail.len() > SCAN_MAX {
        let mut first = vec![false; tail.len()];
        for at in Positions::new(tail.iter().map(key)).firsts() {
            first[at] = true;
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

/// Where each key sits in a list: sorted by key, then position, so the
/// positions of a key come out in list order from a binary search.
pub(crate) struct Positions<K> {
    sorted: Vec<(K, usize)>,
}

impl<K: Ord> Positions<K> {
    pub(crate) fn new(keys: impl Iterator<Item = K>) -> Self {
        let mut sorted: Vec<(K, usize)> = keys.enumerate().map(|(at, key)| (key, at)).collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        Positions { sorted }
    }

    /// The positions of `key`, in list order.
    pub(crate) fn of<'p>(&'p self, key: &'p K) -> impl Iterator<Item = usize> + 'p {
        let start = self.sorted.partition_point(|(k, _)| k < key);
        self.sorted.get(start..).unwrap_or(&[]).iter().take_while(move |(k, _)| k == key).map(|(_, at)| *at)
    }

    /// The first position of `key`.
    pub(crate) fn first(&self, key: &K) -> Option<usize> {
        self.of(key).next()
    }

    /// The first position of each key, in key order.
    fn firsts(&self) -> impl Iterator<Item = usize> + '_ {
        self.groups().map(|same| same[0].1)
    }

    /// The entries of each key, in key order; each group in list order and
    /// never empty.
    pub(crate) fn groups(&self) -> impl Iterator<Item = &[(K, usize)]> + '_ {
        self.sorted.chunk_by(|a, b| a.0 == b.0)
    }
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

        /// The positions of a key are those a scan finds, in list order.
        #[test]
        fn positions_of_a_key_are_those_a_scan_finds(keys in prop::collection::vec(0u32..20, 0..80), key in 0u32..22) {
            let positions = Positions::new(keys.iter().copied());
            let want: Vec<usize> = keys.iter().enumerate().filter(|(_, k)| **k == key).map(|(at, _)| at).collect();
            prop_assert_eq!(positions.of(&key).collect::<Vec<_>>(), want.clone());
            prop_assert_eq!(positions.first(&key), want.first().copied());
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
