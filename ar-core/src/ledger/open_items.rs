//! [`OpenItems`]: a customer's open invoices in collection order.
//!
//! Most customers have a handful of open invoices. New invoices arrive
//! newest-due last and cash settles them oldest first, so a sorted vector takes
//! both at its ends: a push, and a removal that moves a few dozen bytes. A
//! B-tree does the same work through node searches, and its root node is one
//! more pointer to follow before the oldest invoice, which every application
//! reads. A customer with many open invoices would make each insertion or
//! removal in the middle of a vector move thousands of keys, so past
//! [`FLAT_MAX`] keys the set becomes a B-tree, and back below [`FLAT_MIN`]
//! (the gap keeps a customer near the limit from switching on every change).

use std::collections::BTreeSet;
use std::collections::btree_set;

use chrono::NaiveDate;

/// Position of an open invoice in its customer's collection order: first due
/// date, document date, the invoice's index.
pub(crate) type OpenKey = (NaiveDate, NaiveDate, u32);

/// The most keys kept in a sorted vector: an insertion or removal moves at most
/// `FLAT_MAX` keys (12 bytes each).
const FLAT_MAX: usize = 64;

/// A B-tree holding fewer keys than this turns back into a vector.
const FLAT_MIN: usize = FLAT_MAX / 2;

/// A set of [`OpenKey`]s in ascending order. Equality compares the keys, not
/// the representation: a replayed ledger equals the live one even where one
/// customer's set passed the limit in one and not the other.
#[derive(Debug, Clone)]
pub(crate) enum OpenItems {
    /// Sorted ascending, no duplicates, at most [`FLAT_MAX`] keys.
    Flat(Vec<OpenKey>),
    /// More than [`FLAT_MAX`] keys at some point, and at least [`FLAT_MIN`] since.
    Tree(BTreeSet<OpenKey>),
}

impl Default for OpenItems {
    fn default() -> Self {
        OpenItems::Flat(Vec::new())
    }
}

impl PartialEq for OpenItems {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for OpenItems {}

impl OpenItems {
    /// Adds `key`; `false` if it was already there.
    pub(crate) fn insert(&mut self, key: OpenKey) -> bool {
        match self {
            OpenItems::Flat(keys) => {
                // New invoices usually fall due last: the search ends at the first probe.
                let at = match keys.last() {
                    Some(last) if *last < key => keys.len(),
                    _ => keys.partition_point(|k| *k < key),
                };
                if keys.get(at) == Some(&key) {
                    return false;
                }
                if keys.len() < FLAT_MAX {
                    keys.insert(at, key);
                } else {
                    let mut tree: BTreeSet<OpenKey> = keys.drain(..).collect();
                    tree.insert(key);
                    *self = OpenItems::Tree(tree);
                }
                true
            }
            OpenItems::Tree(tree) => tree.insert(key),
        }
    }

    /// Removes `key`; `false` if it was not there.
    pub(crate) fn remove(&mut self, key: &OpenKey) -> bool {
        match self {
            OpenItems::Flat(keys) => {
                // Cash usually settles the oldest first: the search ends at the first probe.
                let found = match keys.first() {
                    Some(first) if first == key => Ok(0),
                    _ => keys.binary_search(key),
                };
                found.map(|at| keys.remove(at)).is_ok()
            }
            OpenItems::Tree(tree) => {
                let removed = tree.remove(key);
                if tree.len() < FLAT_MIN {
                    *self = OpenItems::Flat(tree.iter().copied().collect());
                }
                removed
            }
        }
    }

    /// The first key in collection order.
    pub(crate) fn first(&self) -> Option<&OpenKey> {
        match self {
            OpenItems::Flat(keys) => keys.first(),
            OpenItems::Tree(tree) => tree.first(),
        }
    }

    /// The last key in collection order.
    pub(crate) fn last(&self) -> Option<&OpenKey> {
        match self {
            OpenItems::Flat(keys) => keys.last(),
            OpenItems::Tree(tree) => tree.last(),
        }
    }

    /// How many keys there are.
    pub(crate) fn len(&self) -> usize {
        match self {
            OpenItems::Flat(keys) => keys.len(),
            OpenItems::Tree(tree) => tree.len(),
        }
    }

    /// The keys in ascending order.
    pub(crate) fn iter(&self) -> Iter<'_> {
        match self {
            OpenItems::Flat(keys) => Iter::Flat(keys.iter()),
            OpenItems::Tree(tree) => Iter::Tree(tree.iter()),
        }
    }
}

/// An [`OpenItems`] most customers never need (their fee memos, their
/// invoices disputed in full): 8 bytes in the customer record while empty,
/// where an `OpenItems` takes 32. It holds no box while empty, so a set that
/// emptied equals one that never held anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RareItems(Option<Box<OpenItems>>);

impl RareItems {
    /// Adds `key`; `false` if it was already there.
    pub(crate) fn insert(&mut self, key: OpenKey) -> bool {
        self.0.get_or_insert_default().insert(key)
    }

    /// Removes `key`; `false` if it was not there.
    pub(crate) fn remove(&mut self, key: &OpenKey) -> bool {
        let Some(items) = &mut self.0 else { return false };
        let removed = items.remove(key);
        if items.len() == 0 {
            self.0 = None;
        }
        removed
    }

    /// How many keys there are.
    pub(crate) fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |items| items.len())
    }

    /// The keys in ascending order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &OpenKey> + '_ {
        self.0.iter().flat_map(|items| items.iter())
    }
}

/// The keys of an [`OpenItems`] in ascending order.
pub(crate) enum Iter<'a> {
    Flat(std::slice::Iter<'a, OpenKey>),
    Tree(btree_set::Iter<'a, OpenKey>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a OpenKey;

    fn next(&mut self) -> Option<&'a OpenKey> {
        match self {
            Iter::Flat(keys) => keys.next(),
            Iter::Tree(keys) => keys.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Flat(keys) => keys.size_hint(),
            Iter::Tree(keys) => keys.size_hint(),
        }
    }
}

impl<'a> IntoIterator for &'a OpenItems {
    type Item = &'a OpenKey;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn key(due: u32, index: u32) -> OpenKey {
        let day = |n: u32| NaiveDate::from_num_days_from_ce_opt(738_000 + n as i32).unwrap_or_default();
        (day(due), day(0), index)
    }

    /// Inserts or removes a key; keys come from a small range so that both hit
    /// present and absent keys, and sets grow past the limit and shrink back.
    #[derive(Debug, Clone)]
    enum Op {
        Insert(u32, u32),
        Remove(u32, u32),
        RemoveFirst,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u32..40, 0u32..6).prop_map(|(d, i)| Op::Insert(d, i)),
            2 => (0u32..40, 0u32..6).prop_map(|(d, i)| Op::Remove(d, i)),
            1 => Just(Op::RemoveFirst),
        ]
    }

    fn is_tree(items: &OpenItems) -> bool {
        matches!(items, OpenItems::Tree(_))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// After every step the set holds what a `BTreeSet` given the same
        /// steps holds, in the same order, and says so from both ends. So
        /// does a rare set, which once emptied equals one never used.
        #[test]
        fn behaves_as_a_btree_set(ops in prop::collection::vec(op(), 0..400)) {
            let mut items = OpenItems::default();
            let mut rare = RareItems::default();
            let mut model = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Insert(d, i) => {
                        prop_assert_eq!(rare.insert(key(d, i)), !model.contains(&key(d, i)));
                        prop_assert_eq!(items.insert(key(d, i)), model.insert(key(d, i)));
                    }
                    Op::Remove(d, i) => {
                        prop_assert_eq!(rare.remove(&key(d, i)), model.contains(&key(d, i)));
                        prop_assert_eq!(items.remove(&key(d, i)), model.remove(&key(d, i)));
                    }
                    Op::RemoveFirst => {
                        let first = model.first().copied();
                        prop_assert_eq!(items.first().copied(), first);
                        if let Some(first) = first {
                            prop_assert!(items.remove(&first));
                            prop_assert!(rare.remove(&first));
                            model.remove(&first);
                        }
                    }
                }
                prop_assert_eq!(rare.len(), model.len());
                prop_assert!(rare.iter().eq(model.iter()));
                prop_assert_eq!(rare == RareItems::default(), model.is_empty());
                prop_assert_eq!(items.len(), model.len());
                prop_assert!(items.iter().eq(model.iter()));
                prop_assert_eq!(items.iter().size_hint(), (model.len(), Some(model.len())));
                prop_assert_eq!(items.first(), model.first());
                prop_assert_eq!(items.last(), model.last());
                prop_assert!(items.len() <= FLAT_MAX || is_tree(&items));
                prop_assert!(items.len() >= FLAT_MIN || !is_tree(&items));
            }
        }

        /// Two sets with the same keys are equal whether each is a vector or a tree.
        #[test]
        fn equality_ignores_the_representation(n in 0usize..(3 * FLAT_MAX), drop in 0usize..(3 * FLAT_MAX)) {
            let mut grown = OpenItems::default();
            let mut direct = OpenItems::default();
            let keys: Vec<OpenKey> = (0..n as u32).map(|k| key(k, k)).collect();
            // `grown` passes the limit before shrinking to what `direct` holds.
            for k in &keys {
                grown.insert(*k);
            }
            for k in keys.iter().take(drop.min(n)) {
                grown.remove(k);
            }
            for k in keys.iter().skip(drop.min(n)) {
                direct.insert(*k);
            }
            prop_assert_eq!(&grown, &direct);
            if let Some(k) = keys.last()
                && direct.remove(k)
            {
                prop_assert_ne!(&grown, &direct);
            }
        }
    }

    #[test]
    fn becomes_a_tree_past_the_limit_and_a_vector_below_half() {
        let mut items = OpenItems::default();
        for k in 0..FLAT_MAX as u32 {
            items.insert(key(k, k));
        }
        assert!(!is_tree(&items));
        items.insert(key(FLAT_MAX as u32, 0));
        assert!(is_tree(&items));
        let mut k = 0;
        while items.len() >= FLAT_MIN {
            assert!(is_tree(&items), "{} keys", items.len());
            assert!(items.remove(&key(k, k)));
            k += 1;
        }
        assert_eq!(items.len(), FLAT_MIN - 1);
        assert!(!is_tree(&items));
        // The same key twice is one key, and removing an absent key changes nothing.
        assert!(!items.insert(key(FLAT_MAX as u32, 0)));
        assert!(!items.remove(&key(0, 0)));
        assert_eq!(items.len(), FLAT_MIN - 1);
    }
}
