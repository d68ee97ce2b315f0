//! The lookups a run needs: document number → invoices and payer account →
//! customer, built by [`Matcher::new`](super::Matcher::new) for every policy;
//! payer name and customer reference → customer, and customer → open items
//! oldest first, built only for the passes that use them (see
//! [`PayerKeys`](super::payer_keys::PayerKeys) and [`Grouped`]).
//!
//! Every key is a normalized string kept as a fixed hash (never a randomly
//! seeded one) in a [`HashIndex`]; a hit is confirmed against the string
//! itself, so a hash collision costs a comparison, never a wrong match. The
//! index holds no strings and no per-item heap allocation: building it is a
//! pass over the items, a counting sort of `(hash, row)` pairs and a bit-array
//! check for repeated invoice ids (see [`IdTags`]).

use super::normalize::{document_key, key_hash, normalize_account_into};
use super::{CustomerDirectory, MatchError, OpenInvoice};

/// "No directory entry" / "empty slot".
pub(crate) const NONE: u32 = u32::MAX;

/// SplitMix64's finalizer over both halves of an id: fixed, well mixed, no seed.
pub(crate) fn mix(key: u128) -> u64 {
    let mut z = (key as u64) ^ ((key >> 64) as u64).rotate_left(32);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One slot of [`DenseIds`]: an id's two halves (a `u128` would double the
/// slot's alignment) and its dense number.
#[derive(Debug, Clone, Copy)]
struct IdSlot {
    key: [u64; 2],
    dense: u32,
}

const EMPTY_SLOT: IdSlot = IdSlot { key: [0, 0], dense: NONE };

fn halves(key: u128) -> [u64; 2] {
    [(key >> 64) as u64, key as u64]
}

/// Dense numbers for 128-bit ids, in order of first appearance: an
/// open-addressing table holding the ids themselves, so a lookup touches one
/// slot (one cache miss) in the common case.
pub(crate) struct DenseIds {
    slots: Vec<IdSlot>,
    len: u32,
    mask: usize,
}

impl DenseIds {
    pub(crate) fn with_capacity(n: usize) -> Self {
        let size = (n.max(8) * 2).next_power_of_two();
        DenseIds { slots: vec![EMPTY_SLOT; size], len: 0, mask: size - 1 }
    }

    /// How many ids are numbered.
    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    /// The dense number of `key`, if it is known.
    pub(crate) fn get(&self, key: u128) -> Option<u32> {
        let key = halves(key);
        let mut at = mix_halves(key) as usize & self.mask;
        loop {
            let slot = self.slots.get(at)?;
            if slot.dense == NONE {
                return None;
            }
            if slot.key == key {
                return Some(slot.dense);
            }
            at = (at + 1) & self.mask;
        }
    }

    /// The dense number of `key`, and whether it was new.
    pub(crate) fn insert(&mut self, key: u128) -> (u32, bool) {
        let key = halves(key);
        let mut at = mix_halves(key) as usize & self.mask;
        while let Some(slot) = self.slots.get(at) {
            if slot.dense == NONE {
                break;
            }
            if slot.key == key {
                return (slot.dense, false);
            }
            at = (at + 1) & self.mask;
        }
        let dense = self.len;
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = IdSlot { key, dense };
        }
        self.len += 1;
        if self.len as usize * 2 > self.slots.len() {
            self.grow();
        }
        (dense, true)
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![EMPTY_SLOT; size]);
        self.mask = size - 1;
        for slot in old.into_iter().filter(|s| s.dense != NONE) {
            let mut at = mix_halves(slot.key) as usize & self.mask;
            while self.slots.get(at).is_some_and(|s| s.dense != NONE) {
                at = (at + 1) & self.mask;
            }
            if let Some(free) = self.slots.get_mut(at) {
                *free = slot;
            }
        }
    }
}

fn mix_halves(key: [u64; 2]) -> u64 {
    mix((u128::from(key[0]) << 64) | u128::from(key[1]))
}

/// `(hash, value)` pairs grouped by the hash's top bits: a lookup reads one
/// bucket offset and scans a bucket of about eight entries (one cache line),
/// instead of a binary search that misses the cache a dozen times on a million
/// keys.
///
/// An entry keeps the hash's low 32 bits as a tag next to its value; the
/// caller confirms every hit against the key itself, so equal tags of
/// different keys cost a comparison, never a wrong match. Values come out in
/// the order they were given (the counting sort is stable).
pub(crate) struct HashIndex {
    shift: u32,
    starts: Vec<u32>,
    entries: Vec<(u32, u32)>,
}

impl HashIndex {
    /// Indexes `n` pairs `pair(i) = (hash, value)`; `pair` is called twice per
    /// pair, so it should be cheap.
    pub(crate) fn build(n: usize, pair: impl Fn(usize) -> (u64, u32)) -> Self {
        // About eight entries a bucket: the offsets stay small enough for the cache.
        let bits = (usize::BITS - n.leading_zeros()).saturating_sub(3).clamp(1, 22);
        let shift = 64 - bits;
        let buckets = 1usize << bits;
        let mut starts = vec![0u32; buckets + 1];
        for i in 0..n {
            if let Some(count) = starts.get_mut((pair(i).0 >> shift) as usize + 1) {
                *count += 1;
            }
        }
        for b in 0..buckets {
            starts[b + 1] += starts[b];
        }
        let mut fill = starts.clone();
        let mut entries = vec![(0u32, 0u32); n];
        for i in 0..n {
            let (hash, value) = pair(i);
            if let Some(at) = fill.get_mut((hash >> shift) as usize)
                && let Some(entry) = entries.get_mut(*at as usize)
            {
                *entry = (hash as u32, value);
                *at += 1;
            }
        }
        HashIndex { shift, starts, entries }
    }

    /// Indexes `hashes`, each under its position.
    pub(crate) fn of_positions(hashes: &[u64]) -> Self {
        HashIndex::build(hashes.len(), |i| (hashes[i], i as u32))
    }

    /// The values whose hash may be `hash`, in the order they were given.
    pub(crate) fn get(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let tag = hash as u32;
        self.bucket((hash >> self.shift) as usize).iter().filter(move |e| e.0 == tag).map(|e| e.1)
    }

    fn bucket(&self, b: usize) -> &[(u32, u32)] {
        match (self.starts.get(b), self.starts.get(b + 1)) {
            (Some(&a), Some(&z)) => self.entries.get(a as usize..z as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Every run of two or more values with equal tags, each in the order
    /// given: `f(run)`. A bucket is put in tag order (a stable sort) first,
    /// so a bucket holding thousands of equal keys costs n log n, not n².
    fn for_each_tag_run(&self, mut f: impl FnMut(&mut [u32])) {
        let (mut sorted, mut run) = (Vec::new(), Vec::new());
        for pair in self.starts.windows(2) {
            let bucket = self.entries.get(pair[0] as usize..pair[1] as usize).unwrap_or(&[]);
            if bucket.len() < 2 {
                continue;
            }
            sorted.clear();
            sorted.extend_from_slice(bucket);
            sorted.sort_by_key(|e: &(u32, u32)| e.0);
            for same in sorted.chunk_by(|a, b| a.0 == b.0).filter(|same| same.len() > 1) {
                run.clear();
                run.extend(same.iter().map(|e| e.1));
                f(&mut run);
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The lookups built for every policy.
pub(crate) struct MatchIndex {
    /// Normalized document number → invoice row.
    documents: HashIndex,
    /// Directory customer id → its entry, which is also its dense number;
    /// customers known only from their invoices are numbered after them (see
    /// [`Grouped`]).
    pub(crate) directory_ids: DenseIds,
    /// Normalized account → its key in `account_keys`.
    accounts: HashIndex,
    account_keys: StoredKeys,
}

fn dense_len(n: usize, what: &'static str) -> Result<u32, MatchError> {
    u32::try_from(n).ok().filter(|n| *n != NONE).ok_or(MatchError::TooMany { what, count: n })
}

impl MatchIndex {
    /// Validates the directory and the items and builds the document and
    /// account lookups.
    pub(crate) fn build(
        items: &[OpenInvoice],
        directory: &CustomerDirectory,
        prefixes: &[String],
    ) -> Result<Self, MatchError> {
        dense_len(items.len(), "open items")?;
        dense_len(directory.len() + items.len(), "customers")?;
        let mut directory_ids = DenseIds::with_capacity(directory.len());
        for c in directory.customers() {
            if !directory_ids.insert(c.id.as_uuid().as_u128()).1 {
                return Err(MatchError::DuplicateCustomer { customer: c.id });
            }
        }
        // One sequential pass over the rows: checks, the document fingerprint
        // and the first half of the duplicate check.
        let mut document_hashes = Vec::with_capacity(items.len());
        let mut ids = IdTags::with_capacity(items.len());
        let mut buf = Vec::new();
        for item in items {
            check_item(item)?;
            document_hashes.push(key_hash(document_key(&item.number, prefixes, &mut buf)));
            ids.push(item);
        }
        ids.check(items)?;
        let documents = HashIndex::of_positions(&document_hashes);
        drop(document_hashes);
        let (accounts, account_keys) = account_keys(directory)?;
        Ok(MatchIndex { documents, directory_ids, accounts, account_keys })
    }

    /// Pushes onto `hits` the invoice rows whose normalized number is `key`, in
    /// row order; `buf` is scratch space for confirming each candidate.
    pub(crate) fn documents(
        &self,
        items: &[OpenInvoice],
        key: &[u8],
        prefixes: &[String],
        buf: &mut Vec<u8>,
        hits: &mut Vec<u32>,
    ) {
        for row in self.documents.get(key_hash(key)) {
            if let Some(item) = items.get(row as usize)
                && document_key(&item.number, prefixes, buf) == key
            {
                hits.push(row);
            }
        }
    }

    /// Reads the buckets of the document-key hashes `hashes`, one stage over all
    /// of them before the next (see [`read_ahead`](super::read_ahead)), into
    /// `rows` (cleared first): every row whose tag matches. The sum of the
    /// rows is returned only so that the reads are kept.
    pub(crate) fn read_documents(&self, hashes: &[u64], rows: &mut Vec<u32>) -> u64 {
        rows.clear();
        for &hash in hashes {
            rows.extend(self.documents.get(hash));
        }
        rows.iter().fold(0u64, |sum, &row| sum.wrapping_add(u64::from(row)))
    }

    /// Reads the buckets and stored keys of the account-key hashes `hashes`
    /// (see [`MatchIndex::read_documents`]); `at` is scratch space.
    pub(crate) fn read_accounts(&self, hashes: &[u64], at: &mut Vec<u32>) -> u64 {
        at.clear();
        at.extend(hashes.iter().flat_map(|&hash| self.accounts.get(hash)));
        at.iter()
            .filter_map(|&at| self.account_keys.get(at))
            .fold(0u64, |sum, (entry, key)| sum.wrapping_add(u64::from(entry)).wrapping_add(key.len() as u64))
    }

    /// The directory entry of the customer whose normalized account is `key`.
    pub(crate) fn account(&self, key: &[u8]) -> Option<u32> {
        self.accounts.get(key_hash(key)).find_map(|at| {
            let (entry, stored) = self.account_keys.get(at)?;
            (stored == key).then_some(entry)
        })
    }
}

/// Normalized keys (accounts, payer names, customer references) one after
/// the other, each as its customer's entry, its length and its bytes: a
/// lookup confirms a hit in the same cache line it finds the customer in,
/// instead of chasing the directory's strings.
pub(crate) struct StoredKeys {
    bytes: Vec<u8>,
}

impl StoredKeys {
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        StoredKeys { bytes: Vec::with_capacity(bytes) }
    }

    /// Stores `key` of directory entry `entry`; returns its place.
    pub(crate) fn push(&mut self, entry: u32, key: &[u8]) -> u32 {
        let at = self.bytes.len() as u32;
        self.bytes.extend_from_slice(&entry.to_le_bytes());
        self.bytes.extend_from_slice(&(key.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(key);
        at
    }

    /// The entry and key stored at `at`.
    pub(crate) fn get(&self, at: u32) -> Option<(u32, &[u8])> {
        let at = at as usize;
        let word = |from: usize| -> Option<u32> {
            let b = self.bytes.get(from..from + 4)?;
            Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let (entry, len) = (word(at)?, word(at + 4)? as usize);
        Some((entry, self.bytes.get(at + 8..at + 8 + len)?))
    }
}

fn check_item(item: &OpenInvoice) -> Result<(), MatchError> {
    if !item.open_amount.is_positive() {
        return Err(MatchError::NotOpen {
            invoice: item.invoice,
            number: item.number.to_string(),
            open: item.open_amount,
        });
    }
    for offer in &item.discounts {
        let d = offer.amount;
        if d.currency() != item.currency() || !d.is_positive() || d.minor() >= item.open_amount.minor() {
            return Err(MatchError::BadDiscount {
                invoice: item.invoice,
                number: item.number.to_string(),
                discount: d,
                open: item.open_amount,
            });
        }
    }
    Ok(())
}

/// The duplicate-invoice check. Each row's id becomes a 32-bit tag; a bit
/// array about sixteen bits per row wide (2 MB for a million rows, where a
/// counting sort of their fingerprints would scatter over 8 MB) marks the
/// tags seen, in a tight pass of its own so that its cache misses overlap.
/// Equal ids have equal tags and so the same bit: only rows on a bit marked
/// twice (about one in sixteen) are sorted by tag and compared by id, so the
/// items themselves are read again only for equal tags.
struct IdTags {
    tags: Vec<u32>,
    /// How many bits the array has: a power of two from 64 to 2^32.
    width: usize,
}

impl IdTags {
    fn with_capacity(n: usize) -> Self {
        IdTags { tags: Vec::with_capacity(n), width: (n.max(4) * 16).next_power_of_two().min(1 << 32) }
    }

    fn push(&mut self, item: &OpenInvoice) {
        self.tags.push(mix(item.invoice.as_uuid().as_u128()) as u32);
    }

    /// Reports the first row (in input order) whose id an earlier row has.
    fn check(self, items: &[OpenInvoice]) -> Result<(), MatchError> {
        let mask = (self.width - 1) as u32;
        let mut bits = vec![0u64; self.width / 64];
        let mut twice = Vec::new();
        for &tag in &self.tags {
            if test_and_set(&mut bits, tag & mask) {
                twice.push(tag & mask);
            }
        }
        if twice.is_empty() {
            return Ok(());
        }
        bits.fill(0);
        for bit in twice {
            test_and_set(&mut bits, bit);
        }
        let mut suspects: Vec<(u32, u32)> = self
            .tags
            .iter()
            .zip(0u32..)
            .filter(|(tag, _)| is_set(&bits, **tag & mask))
            .map(|(tag, row)| (*tag, row))
            .collect();
        suspects.sort_unstable();
        let first = suspects.chunk_by(|a, b| a.0 == b.0).filter_map(|same_tag| first_repeat(items, same_tag)).min();
        match first.and_then(|row| items.get(row as usize)) {
            Some(y) => Err(MatchError::DuplicateInvoice { invoice: y.invoice, number: y.number.to_string() }),
            None => Ok(()),
        }
    }
}

/// `bit`'s word in `bits`, and its mask there.
fn bit_at(bit: u32) -> (usize, u64) {
    ((bit >> 6) as usize, 1 << (bit & 63))
}

fn is_set(bits: &[u64], bit: u32) -> bool {
    let (word, one) = bit_at(bit);
    bits.get(word).is_some_and(|w| w & one != 0)
}

/// Sets `bit`, and says whether it was set already.
fn test_and_set(bits: &mut [u64], bit: u32) -> bool {
    let (word, one) = bit_at(bit);
    let Some(word) = bits.get_mut(word) else { return false };
    let was = *word & one != 0;
    *word |= one;
    was
}

/// The first row of `rows` (ascending, one tag) whose id an earlier one has.
/// A tag nearly always stands for one id, so a pair is compared directly; a
/// larger group (many copies of an id, or ids chosen to share a tag) is
/// sorted by id, where the second row of each id is its first repeat.
fn first_repeat(items: &[OpenInvoice], rows: &[(u32, u32)]) -> Option<u32> {
    let id = |row: u32| items.get(row as usize).map(|item| item.invoice);
    match rows {
        [] | [_] => None,
        [a, b] => (id(a.1) == id(b.1)).then_some(b.1),
        _ => {
            let mut by_id: Vec<_> = rows.iter().map(|r| (id(r.1), r.1)).collect();
            by_id.sort_unstable();
            by_id.chunk_by(|a, b| a.0 == b.0).filter_map(|same_id| same_id.get(1).map(|r| r.1)).min()
        }
    }
}

/// The account lookup, and a check that no normalized account belongs to two
/// customers: the first account (in directory order) whose key an earlier
/// customer already has is reported.
fn account_keys(directory: &CustomerDirectory) -> Result<(HashIndex, StoredKeys), MatchError> {
    let mut keys = StoredKeys::with_capacity(directory.len() * 32);
    let mut hashes = Vec::with_capacity(directory.len());
    let mut places = Vec::with_capacity(directory.len());
    let mut buf = Vec::new();
    for (entry, c) in directory.customers().iter().enumerate() {
        for account in &c.accounts {
            normalize_account_into(account, &mut buf);
            if !buf.is_empty() {
                places.push(keys.push(entry as u32, &buf));
                hashes.push(key_hash(&buf));
            }
        }
    }
    let index = HashIndex::build(hashes.len(), |i| (hashes[i], places[i]));
    // Keys are stored in directory order, so comparing places compares that order.
    let mut conflict: Option<(u32, u32)> = None;
    index.for_each_tag_run(|run| {
        if let Some((a, b)) = first_conflict(run, &keys)
            && conflict.is_none_or(|(earlier, later)| (b, a) < (later, earlier))
        {
            conflict = Some((a, b));
        }
    });
    let Some((a, b)) = conflict else { return Ok((index, keys)) };
    let (Some((ea, _)), Some((eb, key))) = (keys.get(a), keys.get(b)) else { return Ok((index, keys)) };
    let customers = directory.customers();
    let second = &customers[eb as usize];
    let account = second
        .accounts
        .iter()
        .find(|raw| {
            normalize_account_into(raw, &mut buf);
            buf == key
        })
        .cloned()
        .unwrap_or_default();
    Err(MatchError::AccountConflict { account, first: customers[ea as usize].id, second: second.id })
}

/// Among the account places `run` (in directory order, of equal hash tags):
/// the earliest place whose key an earlier customer already has, with the
/// first place of that key. Within one key, everything before the first place
/// of another customer belongs to the first place's customer, so that first
/// place is the earliest conflict and the key's first place its partner.
fn first_conflict(run: &mut [u32], keys: &StoredKeys) -> Option<(u32, u32)> {
    let key = |at: &u32| keys.get(*at).map(|(_, key)| key);
    let entry = |at: &u32| keys.get(*at).map(|(entry, _)| entry);
    run.sort_by(|a, b| key(a).cmp(&key(b)));
    run.chunk_by(|a, b| key(a) == key(b))
        .filter_map(|same| {
            let first = same.first()?;
            let other = same.iter().find(|at| entry(at) != entry(first))?;
            Some((*first, *other))
        })
        .min_by_key(|&(a, b)| (b, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_index_keeps_values_in_the_order_given() {
        let pairs: Vec<(u64, u32)> = (0..1_000u32).map(|i| (u64::from(i % 7) << 61 | u64::from(i % 3), i)).collect();
        let index = HashIndex::build(pairs.len(), |i| pairs[i]);
        for (hash, _) in &pairs {
            let got: Vec<u32> = index.get(*hash).collect();
            let want: Vec<u32> =
                pairs.iter().filter(|p| p.0 as u32 == *hash as u32 && p.0 >> 61 == hash >> 61).map(|p| p.1).collect();
            assert_eq!(got, want);
        }
        assert_eq!(index.get(u64::MAX).count(), 0);
        let empty = HashIndex::build(0, |_| (0, 0));
        assert!(empty.is_empty());
        assert_eq!(empty.get(0).count(), 0);
    }

    /// The earliest place whose key an earlier place of another entry has,
    /// with the first place of that key, by the definition.
    fn first_conflict_by_definition(places: &[u32], keys: &StoredKeys) -> Option<(u32, u32)> {
        places.iter().enumerate().find_map(|(i, b)| {
            let (entry, key) = keys.get(*b)?;
            let first = places[..i].iter().find(|a| keys.get(**a).is_some_and(|(_, k)| k == key))?;
            let other = keys.get(*first).is_some_and(|(e, _)| e != entry);
            other.then_some((*first, *b))
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        /// Within a run of equal tags (here: keys that share a tag by being few
        /// and all in one run), the conflict found is the definition's:
        /// different keys in one run are told apart, and the earliest later
        /// place wins.
        #[test]
        fn first_conflict_is_the_earliest_account_an_earlier_customer_has(
            accounts in proptest::collection::vec((0u32..4, 0usize..3), 0..24),
        ) {
            let mut keys = StoredKeys::with_capacity(0);
            let names: [&[u8]; 3] = [b"de11", b"de2", b"gb333"];
            let mut places: Vec<u32> = accounts.iter().map(|(entry, key)| keys.push(*entry, names[*key])).collect();
            let want = first_conflict_by_definition(&places, &keys);
            proptest::prop_assert_eq!(first_conflict(&mut places, &keys), want);
        }
    }

    fn invoice(id: u128, number: &str) -> OpenInvoice {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
        let open = ar_core::Money::from_minor(100, ar_core::Currency::EUR)
            .unwrap_or_else(|_| ar_core::Money::zero(ar_core::Currency::EUR));
        OpenInvoice::new(ar_core::InvoiceId::from_u128(id), ar_core::CustomerId::from_u128(1), number, open, day, day)
    }

    /// The duplicate check over `ids` with a bit array `width` bits wide: the
    /// number of the reported row, if any.
    fn duplicate_with_width(ids: &[u128], width: usize) -> Option<String> {
        let items: Vec<OpenInvoice> = ids.iter().enumerate().map(|(row, id)| invoice(*id, &row.to_string())).collect();
        let mut tags = IdTags::with_capacity(items.len());
        tags.width = width;
        items.iter().for_each(|item| tags.push(item));
        match tags.check(&items) {
            Err(MatchError::DuplicateInvoice { number, .. }) => Some(number),
            _ => None,
        }
    }

    /// The first row whose id an earlier row has, by comparing every pair.
    fn first_duplicate_by_scan(ids: &[u128]) -> Option<String> {
        (1..ids.len()).find(|&j| ids[..j].contains(&ids[j])).map(|row| row.to_string())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        /// However narrow the bit array (64 bits puts many distinct ids on one
        /// bit), the check reports the row a pairwise scan finds.
        #[test]
        fn duplicate_check_equals_a_pairwise_scan(
            ids in proptest::collection::vec(0u128..40, 0..80),
            narrow in proptest::bool::ANY,
        ) {
            let width = if narrow { 64 } else { (ids.len().max(4) * 16).next_power_of_two() };
            proptest::prop_assert_eq!(duplicate_with_width(&ids, width), first_duplicate_by_scan(&ids));
        }
    }

    /// Two distinct ids with equal 32-bit tags are compared and not taken for
    /// one invoice; a real repeat after them is still found.
    #[test]
    fn equal_tags_of_distinct_ids_are_no_duplicate() {
        let mut seen = std::collections::HashMap::new();
        let (a, b) =
            (1u128..).find_map(|id| seen.insert(mix(id) as u32, id).map(|earlier| (earlier, id))).unwrap_or_default();
        assert_ne!(a, b);
        assert_eq!(duplicate_with_width(&[a, 7, b], 64), None);
        assert_eq!(duplicate_with_width(&[a, 7, b, 7, a], 64).as_deref(), Some("3"));
        assert_eq!(duplicate_with_width(&[a, b, b], 1 << 20).as_deref(), Some("2"));
        assert_eq!(duplicate_with_width(&[b, a, 9, a, b], 1 << 20).as_deref(), Some("3"));
        assert_eq!(duplicate_with_width(&[b, a], 1 << 20), None);
    }

    #[test]
    fn dense_ids_grow_and_keep_numbers() {
        let mut ids = DenseIds::with_capacity(1);
        for k in 0..10_000u128 {
            assert_eq!(ids.insert(k * 0x1_0000_0001), (k as u32, true));
        }
        for k in 0..10_000u128 {
            assert_eq!(ids.get(k * 0x1_0000_0001), Some(k as u32));
            assert_eq!(ids.insert(k * 0x1_0000_0001), (k as u32, false));
        }
        assert_eq!(ids.get(7), None);
        assert_eq!(ids.len(), 10_000);
    }
}

#[cfg(test)]
mod lookup_tests {
    use ar_core::{Currency, CustomerId, InvoiceId, Money};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::super::normalize::{normalize_document, normalize_document_into};
    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The document lookup finds exactly the rows a scan comparing every
        /// normalized number finds, in row order, for keys present and absent.
        #[test]
        fn document_lookup_equals_a_scan(
            numbers in prop::collection::vec("(INV|inv|RE|SO|)[ -]?0{0,3}[0-9]{1,3}(-[0-9])?", 0..200),
            probes in prop::collection::vec("(INV|SO|)0?[0-9]{1,3}(-[0-9])?", 1..20),
        ) {
            let prefixes: Vec<String> = ["INV", "RE"].map(str::to_owned).to_vec();
            let day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
            let items: Vec<OpenInvoice> = numbers
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let open = Money::from_minor(100, Currency::EUR).unwrap_or_else(|_| Money::zero(Currency::EUR));
                    OpenInvoice::new(InvoiceId::from_u128(i as u128), CustomerId::from_u128(1), n.as_str(), open, day, day)
                })
                .collect();
            let index = MatchIndex::build(&items, &CustomerDirectory::new(), &prefixes).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let (mut key, mut buf, mut hits) = (Vec::new(), Vec::new(), Vec::new());
            for probe in probes.iter().chain(&numbers) {
                normalize_document_into(probe, &prefixes, &mut key);
                hits.clear();
                index.documents(&items, &key, &prefixes, &mut buf, &mut hits);
                let want: Vec<u32> = (0..items.len() as u32)
                    .filter(|r| normalize_document(&items[*r as usize].number, &prefixes).as_bytes() == key.as_slice())
                    .collect();
                prop_assert_eq!(&hits, &want);
            }
        }
    }
}
