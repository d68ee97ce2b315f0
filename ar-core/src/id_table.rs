//! [`IdTable`]: the ledger's id → position indexes, each id kept in the same
//! slot as its position.
//!
//! A std `HashMap` keeps its control bytes and its entries in two places, so
//! on a large book a lookup that finds its id misses the cache twice, and an
//! insert writes an entry line that no earlier read brought in. The ledger
//! reads ahead for a block of commands (see `ledger::read_ahead`): with key
//! and position in one slot, that read touches exactly the line a later
//! lookup reads and a later insert writes, so executing the block finds both
//! in cache.
//!
//! Linear probing over a table at most 70% full; the slot is picked from the
//! key's 64-bit hash by a multiply, not a mask, so the table can be sized to
//! exactly what [`IdTable::reserve`] was told instead of the next power of two.

use std::fmt;

/// A key an [`IdTable`] can hold: copied, compared, and hashed to 64 well-mixed bits.
pub(crate) trait TableKey: Copy + Eq {
    /// What an empty slot holds as its key (any value: the slot's position marks it empty).
    const BLANK: Self;
    /// The key's hash: every input bit moves the high bits (the slot comes from them).
    fn spread(&self) -> u64;
}

/// A position an [`IdTable`] can hold, with one value set aside to mark an empty slot.
pub(crate) trait TableValue: Copy + Eq {
    /// Marks an empty slot; never a stored value.
    const VACANT: Self;
}

impl TableValue for u32 {
    const VACANT: u32 = u32::MAX;
}

impl TableValue for u64 {
    const VACANT: u64 = u64::MAX;
}

/// SplitMix64's finalizer over both halves of a 128-bit id: fixed, no seed, so
/// counter-like ids (whose varying bytes are the last ones) spread as well as random ones.
pub(crate) fn spread_u128(key: u128) -> u64 {
    let mut z = (key as u64) ^ ((key >> 64) as u64).rotate_left(32);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Slots kept per ten entries at most: the table is never more than 70% full.
const SLOTS_PER_TEN: usize = 10;
const ENTRIES_PER_TEN: usize = 7;

/// An open-addressing map from ids to positions. Equality compares the entries,
/// not the layout: two tables holding the same pairs are equal whatever their size.
#[derive(Clone)]
pub(crate) struct IdTable<K, V> {
    slots: Vec<(K, V)>,
    len: usize,
}

impl<K, V> Default for IdTable<K, V> {
    fn default() -> Self {
        IdTable { slots: Vec::new(), len: 0 }
    }
}

impl<K: TableKey, V: TableValue> IdTable<K, V> {
    /// How many entries the table holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The slot the probe for a key with hash `hash` starts at.
    fn home(&self, hash: u64) -> usize {
        ((u128::from(hash) * self.slots.len() as u128) >> 64) as usize
    }

    /// The slot holding `key`, or the empty slot where it would go; `None`
    /// only when the table has no slots.
    fn probe(&self, key: &K) -> Option<usize> {
        let n = self.slots.len();
        if n == 0 {
            return None;
        }
        let mut at = self.home(key.spread());
        // The table is never full, so the loop meets an empty slot in at most n steps.
        for _ in 0..n {
            let (k, v) = self.slots[at];
            if v == V::VACANT || k == *key {
                return Some(at);
            }
            at = if at + 1 == n { 0 } else { at + 1 };
        }
        None
    }

    /// The position of `key`.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        let at = self.probe(key)?;
        let (_, v) = &self.slots[at];
        (*v != V::VACANT).then_some(v)
    }

    /// `true` if `key` is in the table.
    pub(crate) fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// Puts `value` under `key`, returning the value it replaced. A `value`
    /// equal to [`TableValue::VACANT`] is not stored (`None` is returned):
    /// positions are made by `next_index`, which never hands that one out.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        if value == V::VACANT {
            return None;
        }
        self.reserve(1);
        let at = self.probe(&key)?;
        let slot = &mut self.slots[at];
        let old = std::mem::replace(slot, (key, value)).1;
        if old == V::VACANT {
            self.len += 1;
            None
        } else {
            Some(old)
        }
    }

    /// Makes room for `additional` more entries without growing again.
    ///
    /// Inlined: every insert asks for room for one, and almost always has it;
    /// the growth itself stays out of line.
    #[inline]
    pub(crate) fn reserve(&mut self, additional: usize) {
        let wanted = self.len.saturating_add(additional);
        if wanted.saturating_mul(SLOTS_PER_TEN) > self.slots.len().saturating_mul(ENTRIES_PER_TEN) {
            self.grow(wanted);
        }
    }

    /// Resizes for `wanted` entries and puts every entry back.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, wanted: usize) {
        // Double at least, so inserting one at a time costs amortized O(1).
        let size = (wanted.saturating_mul(SLOTS_PER_TEN) / ENTRIES_PER_TEN + 1).max(self.slots.len() * 2).max(8);
        let old = std::mem::replace(&mut self.slots, vec![(K::BLANK, V::VACANT); size]);
        for (k, v) in old.into_iter().filter(|(_, v)| *v != V::VACANT) {
            if let Some(at) = self.probe(&k) {
                self.slots[at] = (k, v);
            }
        }
    }

    /// The entries, in slot order (fixed by the keys and the insertion history,
    /// never by a random seed; sort before showing).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.slots.iter().filter(|(_, v)| *v != V::VACANT).map(|(k, v)| (k, v))
    }
}

impl<K: TableKey, V: TableValue> PartialEq for IdTable<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: TableKey, V: TableValue> Eq for IdTable<K, V> {}

impl<K: TableKey + fmt::Debug, V: TableValue + fmt::Debug> fmt::Debug for IdTable<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    struct Key(u128);

    impl TableKey for Key {
        const BLANK: Self = Key(0);
        fn spread(&self) -> u64 {
            spread_u128(self.0)
        }
    }

    /// A key whose hash is its low bits: collisions on purpose.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    struct Clashing(u64);

    impl TableKey for Clashing {
        const BLANK: Self = Clashing(0);
        fn spread(&self) -> u64 {
            (self.0 % 3) << 62
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u128, u32),
        Reserve(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u128..300, any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
            1 => (0u16..500).prop_map(Op::Reserve),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// The table answers every lookup as a `BTreeMap` given the same inserts
        /// does, through growth and reserves, and compares equal to a table built
        /// from the same entries in another order and size.
        #[test]
        fn behaves_as_a_map(ops in prop::collection::vec(op(), 0..400), probes in prop::collection::vec(0u128..400, 0..50)) {
            let mut table: IdTable<Key, u32> = IdTable::default();
            let mut model = BTreeMap::new();
            for op in &ops {
                match *op {
                    Op::Insert(k, v) => {
                        let want = if v == u32::MAX { None } else { model.insert(k, v) };
                        prop_assert_eq!(table.insert(Key(k), v), want);
                    }
                    Op::Reserve(n) => table.reserve(usize::from(n)),
                }
                prop_assert_eq!(table.len(), model.len());
            }
            for k in probes.iter().chain(model.keys()) {
                prop_assert_eq!(table.get(&Key(*k)).copied(), model.get(k).copied());
                prop_assert_eq!(table.contains_key(&Key(*k)), model.contains_key(k));
            }
            let mut listed: Vec<(u128, u32)> = table.iter().map(|(k, v)| (k.0, *v)).collect();
            listed.sort_unstable();
            prop_assert_eq!(listed, model.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>());
            let mut other: IdTable<Key, u32> = IdTable::default();
            other.reserve(model.len() * 3);
            for (k, v) in model.iter().rev() {
                other.insert(Key(*k), *v);
            }
            prop_assert!(other == table);
            if let Some((k, _)) = model.iter().next() {
                other.insert(Key(*k), u32::MAX - 1);
                prop_assert!(other != table || model[k] == u32::MAX - 1);
            }
        }
    }

    #[test]
    fn keys_with_equal_hashes_all_find_their_own_slot() {
        let mut table: IdTable<Clashing, u64> = IdTable::default();
        for k in 0..1_000u64 {
            assert_eq!(table.insert(Clashing(k), k * 10), None);
        }
        assert_eq!(table.len(), 1_000);
        for k in 0..1_000u64 {
            assert_eq!(table.get(&Clashing(k)), Some(&(k * 10)));
        }
        assert_eq!(table.get(&Clashing(1_000)), None);
        assert_eq!(table.insert(Clashing(5), 7), Some(50));
        assert_eq!(table.get(&Clashing(5)), Some(&7));
    }

    #[test]
    fn an_empty_table_has_no_slots_and_finds_nothing() {
        let table: IdTable<Key, u32> = IdTable::default();
        assert_eq!(table.get(&Key(0)), None);
        assert!(!table.contains_key(&Key::BLANK));
        assert_eq!(table.iter().count(), 0);
        assert_eq!(format!("{table:?}"), "{}");
    }

    #[test]
    fn reserve_sizes_to_seventy_percent_and_keeps_entries() {
        let mut table: IdTable<Key, u32> = IdTable::default();
        table.reserve(7_000);
        assert_eq!(table.slots.len(), 10_001);
        let slots = table.slots.len();
        for k in 0..7_000u32 {
            table.insert(Key(u128::from(k) << 64), k);
        }
        assert_eq!(table.slots.len(), slots, "no growth within what was reserved");
        table.insert(Key(u128::MAX), 1);
        assert!(table.slots.len() >= 2 * slots);
        assert!((0..7_000u32).all(|k| table.get(&Key(u128::from(k) << 64)) == Some(&k)));
    }
}
