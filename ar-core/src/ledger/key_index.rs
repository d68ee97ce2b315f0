//! Where a key first sits in a list that grows as it is checked: a scan while
//! the list is short, a map once it is long.

use std::collections::BTreeMap;

/// Up to this many items, a lookup scans the list: the few invoices or
/// deductions an application usually has.
const SCAN_MAX: usize = 32;

/// The first position of each key in a list the caller grows between
/// lookups (the items before the one being checked). A remittance can name
/// tens of thousands of invoices, and a scan per item would make checking it
/// quadratic; beyond [`SCAN_MAX`] items the list is indexed in a map, which
/// learns the items appended since the previous lookup.
pub(crate) struct KeyIndex<K> {
    map: BTreeMap<K, usize>,
    /// How many items of the list the map holds.
    indexed: usize,
}

impl<K> Default for KeyIndex<K> {
    fn default() -> Self {
        KeyIndex { map: BTreeMap::new(), indexed: 0 }
    }
}

impl<K: Ord> KeyIndex<K> {
    /// The first position in `list` of an item whose key is `key`.
    pub fn find<T>(&mut self, key: &K, list: &[T], key_of: impl Fn(&T) -> K) -> Option<usize> {
        if self.indexed == 0 && list.len() < SCAN_MAX {
            return list.iter().position(|item| key_of(item) == *key);
        }
        for (at, item) in list.iter().enumerate().skip(self.indexed) {
            self.map.entry(key_of(item)).or_insert(at);
        }
        self.indexed = list.len();
        self.map.get(key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Growing a list one item at a time, each lookup finds what a scan of
        /// the items so far finds, across the switch from scan to map.
        #[test]
        fn finds_the_first_position_as_a_scan_does(keys in prop::collection::vec(0u32..50, 0..120)) {
            let mut index = KeyIndex::default();
            let mut list: Vec<u32> = Vec::new();
            for key in keys {
                let want = list.iter().position(|k| *k == key);
                prop_assert_eq!(index.find(&key, &list, |k| *k), want);
                list.push(key);
            }
        }
    }
}
