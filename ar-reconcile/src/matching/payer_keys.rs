//! [`PayerKeys`]: the lookups of pass (c), payer name and customer reference →
//! customer, each answered by one probe and one byte comparison.

use super::CustomerDirectory;
use super::index::{HashIndex, StoredKeys};
use super::normalize::{key_hash, normalize_document_into, normalize_name_into};

/// Payer name and customer reference → customer. Only policies that run
/// pass (c) build them.
///
/// Each distinct normalized name (or reference) is kept once, with the first
/// customer in directory order that has it and how many customers do. So a
/// lookup costs the same however many aliases a customer lists, and however
/// many customers share a name: a payment service's name recorded on
/// thousands of customers is one entry that says "thousands", not thousands
/// of entries to confirm on every line.
pub(crate) struct PayerKeys {
    names: KeyOwners,
    references: KeyOwners,
}

impl PayerKeys {
    pub(crate) fn build(directory: &CustomerDirectory, prefixes: &[String]) -> Self {
        let mut names = KeyOwners::builder(directory.len());
        let mut references = KeyOwners::builder(0);
        let (mut name_buf, mut buf) = (String::new(), Vec::new());
        for (entry, c) in directory.customers().iter().enumerate() {
            let entry = entry as u32;
            for name in std::iter::once(&*c.name).chain(c.aliases.iter().map(String::as_str)) {
                normalize_name_into(name, &mut name_buf);
                names.push(entry, name_buf.as_bytes());
            }
            for reference in &c.references {
                normalize_document_into(reference, prefixes, &mut buf);
                references.push(entry, &buf);
            }
        }
        PayerKeys { names: names.build(), references: references.build() }
    }

    /// The first directory entry whose normalized name (or alias) is `key`,
    /// and how many entries have it.
    pub(crate) fn name(&self, key: &str) -> Option<(u32, u32)> {
        self.names.get(key.as_bytes())
    }

    /// `true` if any customer has a reference to look for.
    pub(crate) fn has_references(&self) -> bool {
        !self.references.index.is_empty()
    }

    /// The first directory entry with the normalized customer reference `key`.
    pub(crate) fn reference(&self, key: &str) -> Option<u32> {
        self.references.get(key.as_bytes()).map(|(entry, _)| entry)
    }
}

/// Distinct keys, each with its first owner and its number of owners.
struct KeyOwners {
    /// Key hash → position in `owners`.
    index: HashIndex,
    keys: StoredKeys,
    /// Per distinct key: the place of its first owner's copy in `keys`, and
    /// how many directory entries have it.
    owners: Vec<(u32, u32)>,
}

/// Every (entry, key) pair as given, repeats included, before grouping.
struct KeyOwnersBuilder {
    keys: StoredKeys,
    /// (key hash, place in `keys`), in directory order.
    places: Vec<(u64, u32)>,
}

impl KeyOwners {
    fn builder(capacity: usize) -> KeyOwnersBuilder {
        KeyOwnersBuilder { keys: StoredKeys::with_capacity(capacity * 24), places: Vec::with_capacity(capacity) }
    }

    /// The first owner of `key` and how many entries own it.
    fn get(&self, key: &[u8]) -> Option<(u32, u32)> {
        self.get_hashed(key, key_hash(key))
    }

    fn get_hashed(&self, key: &[u8], hash: u64) -> Option<(u32, u32)> {
        self.index.get(hash).find_map(|at| {
            let &(place, count) = self.owners.get(at as usize)?;
            let (entry, stored) = self.keys.get(place)?;
            (stored == key).then_some((entry, count))
        })
    }
}

impl KeyOwnersBuilder {
    /// Adds `key` of directory entry `entry`, unless it is empty. Entries come
    /// in directory order.
    fn push(&mut self, entry: u32, key: &[u8]) {
        if !key.is_empty() {
            self.push_hashed(entry, key, key_hash(key));
        }
    }

    fn push_hashed(&mut self, entry: u32, key: &[u8], hash: u64) {
        let place = self.keys.push(entry, key);
        self.places.push((hash, place));
    }

    /// Groups equal keys by sorting (hash, key, entry): a group's first place
    /// is then its first owner's, and its owners are counted where the entry
    /// changes (a customer listing a name twice is one owner). Keys whose
    /// hashes collide sort apart by the key. n log n however the keys repeat.
    fn build(self) -> KeyOwners {
        let KeyOwnersBuilder { keys, mut places } = self;
        let key = |place: u32| keys.get(place).map(|(entry, bytes)| (bytes, entry));
        let bytes = |place: &(u64, u32)| key(place.1).map(|k| k.0);
        places.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| key(a.1).cmp(&key(b.1))));
        let (mut hashes, mut owners) = (Vec::new(), Vec::new());
        for group in places.chunk_by(|a, b| a.0 == b.0 && bytes(a) == bytes(b)) {
            let entries = group.iter().map(|(_, place)| key(*place).map(|k| k.1));
            let count = match group {
                [_] => 1,
                _ => 1 + entries.clone().zip(entries.skip(1)).filter(|(a, b)| a != b).count(),
            };
            hashes.push(group[0].0);
            owners.push((group[0].1, count as u32));
        }
        let index = HashIndex::build(hashes.len(), |i| (hashes[i], i as u32));
        KeyOwners { index, keys, owners }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::Customer;
    use ar_core::CustomerId;
    use proptest::prelude::*;

    /// By the definition: the customers (in directory order) with `key`
    /// among their normalized names, each once.
    fn owners_by_scan(directory: &CustomerDirectory, key: &str) -> Vec<u32> {
        let mut buf = String::new();
        let mut has = |name: &str| {
            normalize_name_into(name, &mut buf);
            buf == key
        };
        (0..)
            .zip(directory.customers())
            .filter(|(_, c)| has(&c.name) || c.aliases.iter().any(|a| has(a)))
            .map(|(entry, _)| entry)
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1_000))]

        /// Names drawn from a few spellings, so that customers share them and
        /// list them twice: every lookup gives the first owner and the count
        /// a scan of the directory gives.
        #[test]
        fn a_name_lookup_equals_a_scan_of_the_directory(
            customers in prop::collection::vec((0usize..6, prop::collection::vec(0usize..6, 0..5)), 1..30),
            asked in 0usize..7,
        ) {
            let spellings = ["Acme", "ACME Inc.", "Bolt GmbH", "bolt", "Stripe Payments", "Café Müller"];
            let directory: CustomerDirectory = customers
                .iter()
                .zip(1u128..)
                .map(|((name, aliases), id)| {
                    aliases.iter().fold(Customer::new(CustomerId::from_u128(id), spellings[*name]), |c, a| c.alias(spellings[*a]))
                })
                .collect();
            let keys = PayerKeys::build(&directory, &[]);
            let mut key = String::new();
            normalize_name_into(spellings.get(asked).copied().unwrap_or("Nobody"), &mut key);
            let want = owners_by_scan(&directory, &key);
            prop_assert_eq!(keys.name(&key), want.first().map(|first| (*first, want.len() as u32)));
        }
    }

    /// Keys whose hashes collide stay apart: each keeps its own first owner
    /// and count, whatever order their places interleave in.
    #[test]
    fn keys_with_one_hash_are_grouped_by_key() {
        let mut builder = KeyOwners::builder(0);
        for (entry, key) in [(0, "b"), (1, "a"), (2, "b"), (2, "b"), (3, "a"), (3, "c"), (4, "b")] {
            builder.push_hashed(entry, key.as_bytes(), 7);
        }
        let owners = builder.build();
        assert_eq!(owners.get_hashed(b"a", 7), Some((1, 2)));
        assert_eq!(owners.get_hashed(b"b", 7), Some((0, 3)));
        assert_eq!(owners.get_hashed(b"c", 7), Some((3, 1)));
        assert_eq!(owners.get_hashed(b"d", 7), None);
        assert_eq!(owners.get(b"a"), None, "stored under hash 7, not under its own");
    }

    #[test]
    fn references_name_their_first_customer() {
        let directory: CustomerDirectory = [
            Customer::new(CustomerId::from_u128(1), "A").reference("CUST-0042"),
            Customer::new(CustomerId::from_u128(2), "B").reference("cust 42").reference("K-7"),
        ]
        .into_iter()
        .collect();
        let keys = PayerKeys::build(&directory, &[]);
        let mut key = Vec::new();
        normalize_document_into("CUST42", &[], &mut key);
        assert_eq!(keys.reference(std::str::from_utf8(&key).unwrap_or_default()), Some(0));
        normalize_document_into("k7", &[], &mut key);
        assert_eq!(keys.reference(std::str::from_utf8(&key).unwrap_or_default()), Some(1));
        assert!(keys.has_references());
        assert_eq!(keys.reference("NOTHING"), None);
    }
}
