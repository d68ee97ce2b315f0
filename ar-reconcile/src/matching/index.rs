//! The lookups a run needs, built once: document number → invoice, customer →
//! open items oldest first, payer account → customer, payer name → customer,
//! customer reference → customer.
//!
//! Every key is a normalized string kept as its FNV-1a hash in a sorted `Vec`
//! searched by binary search; a hit is confirmed against the string itself, so
//! a hash collision costs a comparison, never a wrong match. Ids are mapped to
//! dense numbers through a small open-addressing table with a fixed mixing
//! function: no randomly seeded hasher, so a run is the same everywhere.

use ar_core::CustomerId;
use chrono::Datelike;

use super::normalize::{fnv1a, normalize_account, normalize_document_into, normalize_name};
use super::{CustomerDirectory, MatchError, OpenInvoice};

/// "No directory entry" / "empty slot".
pub(crate) const NONE: u32 = u32::MAX;

/// SplitMix64's finalizer over both halves of an id: fixed, well mixed, no seed.
fn mix(key: u128) -> u64 {
    let mut z = (key as u64) ^ ((key >> 64) as u64).rotate_left(32);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Dense numbers for 128-bit ids, in order of first appearance: an
/// open-addressing table holding the ids themselves, so a lookup touches one
/// slot (one cache miss) in the common case.
struct DenseIds {
    slots: Vec<(u128, u32)>,
    keys: Vec<u128>,
    mask: usize,
}

impl DenseIds {
    fn with_capacity(n: usize) -> Self {
        let size = (n.max(8) * 2).next_power_of_two();
        DenseIds { slots: vec![(0, NONE); size], keys: Vec::with_capacity(n), mask: size - 1 }
    }

    /// The dense number of `key`, if it is known.
    fn get(&self, key: u128) -> Option<u32> {
        let mut at = mix(key) as usize & self.mask;
        loop {
            let (k, v) = self.slots[at];
            if v == NONE {
                return None;
            }
            if k == key {
                return Some(v);
            }
            at = (at + 1) & self.mask;
        }
    }

    /// The dense number of `key`, and whether it was new.
    fn insert(&mut self, key: u128) -> (u32, bool) {
        let mut at = mix(key) as usize & self.mask;
        loop {
            let (k, v) = self.slots[at];
            if v == NONE {
                break;
            }
            if k == key {
                return (v, false);
            }
            at = (at + 1) & self.mask;
        }
        let dense = self.keys.len() as u32;
        self.slots[at] = (key, dense);
        self.keys.push(key);
        if self.keys.len() * 2 > self.slots.len() {
            self.grow();
        }
        (dense, true)
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        self.mask = size - 1;
        self.slots = vec![(0, NONE); size];
        for (dense, key) in self.keys.iter().enumerate() {
            let mut at = mix(*key) as usize & self.mask;
            while self.slots[at].1 != NONE {
                at = (at + 1) & self.mask;
            }
            self.slots[at] = (*key, dense as u32);
        }
    }
}

/// `(hash, value)` pairs grouped by the hash's top bits: a lookup reads one
/// bucket offset and scans a bucket of about eight entries (two cache lines),
/// instead of a binary search that misses the cache a dozen times on a million
/// keys.
pub(crate) struct HashIndex {
    shift: u32,
    starts: Vec<u32>,
    entries: Vec<(u64, u32)>,
}

impl HashIndex {
    /// Groups `pairs` by hash (a counting sort on the top bits, then each small
    /// bucket sorted), so equal hashes sit together in value order.
    pub(crate) fn build(pairs: Vec<(u64, u32)>) -> Self {
        // About eight entries a bucket: the offsets stay small enough for the cache.
        let bits = (usize::BITS - pairs.len().leading_zeros()).saturating_sub(3).clamp(1, 22);
        let shift = 64 - bits;
        let buckets = 1usize << bits;
        let mut starts = vec![0u32; buckets + 1];
        for (h, _) in &pairs {
            starts[(h >> shift) as usize + 1] += 1;
        }
        for b in 0..buckets {
            starts[b + 1] += starts[b];
        }
        let mut fill = starts.clone();
        let mut entries = vec![(0u64, 0u32); pairs.len()];
        for pair in pairs {
            let at = &mut fill[(pair.0 >> shift) as usize];
            entries[*at as usize] = pair;
            *at += 1;
        }
        for b in 0..buckets {
            let bucket = &mut entries[starts[b] as usize..starts[b + 1] as usize];
            if bucket.len() > 1 {
                bucket.sort_unstable();
            }
        }
        HashIndex { shift, starts, entries }
    }

    /// The values stored under `hash`, in ascending order.
    pub(crate) fn get(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let b = (hash >> self.shift) as usize;
        let (from, to) = match (self.starts.get(b), self.starts.get(b + 1)) {
            (Some(&a), Some(&z)) => (a as usize, z as usize),
            _ => (0, 0),
        };
        self.entries.get(from..to).unwrap_or(&[]).iter().filter(move |e| e.0 == hash).map(|e| e.1)
    }
}

/// The lookups of one run.
pub(crate) struct MatchIndex {
    documents: HashIndex,
    /// Dense customer → its id.
    pub(crate) customers: Vec<CustomerId>,
    /// Dense customer → its directory entry, or [`NONE`].
    pub(crate) entry_of: Vec<u32>,
    /// Invoice row → dense customer.
    pub(crate) customer_of: Vec<u32>,
    /// Invoice row → open amount in minor units (a run starts from a copy).
    pub(crate) open_minor: Vec<i64>,
    /// Invoice row → its currency and whether it offers a discount, kept
    /// compact so scanning a customer's items does not read the rows.
    pub(crate) currency_of: Vec<ar_core::Currency>,
    pub(crate) has_discount: Vec<bool>,
    /// Dense customer → its rows' range in `by_customer`.
    ranges: Vec<(u32, u32)>,
    by_customer: Vec<u32>,
    accounts: HashIndex,
    /// Normalized account and its customer, addressed by `accounts`.
    account_rows: Vec<(String, u32)>,
    names: HashIndex,
    references: HashIndex,
}

fn dense_len(n: usize, what: &'static str) -> Result<u32, MatchError> {
    u32::try_from(n).ok().filter(|n| *n != NONE).ok_or(MatchError::TooMany { what, count: n })
}

impl MatchIndex {
    pub(crate) fn build(
        items: &[OpenInvoice],
        directory: &CustomerDirectory,
        prefixes: &[String],
    ) -> Result<Self, MatchError> {
        dense_len(items.len(), "open items")?;
        dense_len(directory.len() + items.len(), "customers")?;
        let mut ids = DenseIds::with_capacity(directory.len() + 1024);
        let mut entry_of = Vec::with_capacity(directory.len());
        for (entry, c) in directory.customers().iter().enumerate() {
            let (_, new) = ids.insert(c.id.as_uuid().as_u128());
            if !new {
                return Err(MatchError::DuplicateCustomer { customer: c.id });
            }
            entry_of.push(entry as u32);
        }
        // One sequential pass over the rows: checks, customer records, keys.
        let mut records = Vec::with_capacity(items.len());
        let mut open_minor = Vec::with_capacity(items.len());
        let mut currency_of = Vec::with_capacity(items.len());
        let mut has_discount = Vec::with_capacity(items.len());
        let mut invoice_keys = Vec::with_capacity(items.len());
        let mut document_keys = Vec::with_capacity(items.len());
        let mut buf = String::new();
        for (row, item) in items.iter().enumerate() {
            check_item(item)?;
            open_minor.push(item.open_amount.minor());
            currency_of.push(item.currency());
            has_discount.push(!item.discounts.is_empty());
            let customer = item.customer.as_uuid().as_u128();
            let due = item.due_date.num_days_from_ce();
            records.push(Record { customer: [(customer >> 64) as u64, customer as u64], due, row: row as u32 });
            invoice_keys.push((mix(item.invoice.as_uuid().as_u128()), row as u32));
            normalize_document_into(&item.number, prefixes, &mut buf);
            document_keys.push((fnv1a(buf.as_bytes()), row as u32));
        }
        check_duplicates(items, HashIndex::build(invoice_keys))?;
        let mut customers: Vec<CustomerId> = directory.customers().iter().map(|c| c.id).collect();
        let grouped = group_by_customer(items, records, &ids, &mut customers, &mut entry_of);
        let documents = HashIndex::build(document_keys);
        let (accounts, account_rows) = account_keys(directory)?;
        let (names, references) = name_and_reference_keys(directory, prefixes);
        Ok(MatchIndex {
            documents,
            customers,
            entry_of,
            customer_of: grouped.customer_of,
            open_minor,
            currency_of,
            has_discount,
            ranges: grouped.ranges,
            by_customer: grouped.by_customer,
            accounts,
            account_rows,
            names,
            references,
        })
    }

    /// Pushes onto `hits` the invoice rows whose normalized number is `key`, in
    /// row order; `buf` is scratch space for confirming each candidate.
    pub(crate) fn documents(
        &self,
        items: &[OpenInvoice],
        key: &str,
        prefixes: &[String],
        buf: &mut String,
        hits: &mut Vec<u32>,
    ) {
        for row in self.documents.get(fnv1a(key.as_bytes())) {
            if let Some(item) = items.get(row as usize) {
                normalize_document_into(&item.number, prefixes, buf);
                if buf == key {
                    hits.push(row);
                }
            }
        }
    }

    /// A customer's open-item rows, oldest first (due date, number, id).
    pub(crate) fn items_of(&self, customer: u32) -> &[u32] {
        match self.ranges.get(customer as usize) {
            Some(&(a, b)) => self.by_customer.get(a as usize..b as usize).unwrap_or(&[]),
            None => &[],
        }
    }

    /// The customer a normalized account belongs to.
    pub(crate) fn account(&self, key: &str) -> Option<u32> {
        self.accounts
            .get(fnv1a(key.as_bytes()))
            .filter_map(|i| self.account_rows.get(i as usize))
            .find(|(k, _)| k == key)
            .map(|(_, c)| *c)
    }

    /// Customers whose normalized name (or alias) hashes like `key`; the caller
    /// confirms the name.
    pub(crate) fn names(&self, key: &str) -> impl Iterator<Item = u32> + '_ {
        self.names.get(fnv1a(key.as_bytes()))
    }

    /// `true` if any customer has a reference to look for.
    pub(crate) fn has_references(&self) -> bool {
        !self.references.entries.is_empty()
    }

    /// Customers with a reference that hashes like `key`; the caller confirms.
    pub(crate) fn references(&self, key: &str) -> impl Iterator<Item = u32> + '_ {
        self.references.get(fnv1a(key.as_bytes()))
    }
}

fn check_item(item: &OpenInvoice) -> Result<(), MatchError> {
    if !item.open_amount.is_positive() {
        return Err(MatchError::NotOpen { invoice: item.invoice, number: item.number.clone(), open: item.open_amount });
    }
    for offer in &item.discounts {
        let d = offer.amount;
        if d.currency() != item.currency() || !d.is_positive() || d.minor() >= item.open_amount.minor() {
            return Err(MatchError::BadDiscount {
                invoice: item.invoice,
                number: item.number.clone(),
                discount: d,
                open: item.open_amount,
            });
        }
    }
    Ok(())
}

/// Equal ids sit next to each other in an index keyed by their fingerprint.
fn check_duplicates(items: &[OpenInvoice], by_id: HashIndex) -> Result<(), MatchError> {
    for pair in by_id.entries.windows(2) {
        if let [(fa, a), (fb, b)] = pair
            && fa == fb
        {
            let (x, y) = (&items[*a as usize], &items[*b as usize]);
            if x.invoice == y.invoice {
                return Err(MatchError::DuplicateInvoice { invoice: y.invoice, number: y.number.clone() });
            }
        }
    }
    Ok(())
}

/// One open item as the grouping sorts it: by customer, then due day, then row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Record {
    /// The customer id's two halves (a `u128` would double the record's alignment).
    customer: [u64; 2],
    due: i32,
    row: u32,
}

impl Record {
    fn customer(&self) -> u128 {
        (u128::from(self.customer[0]) << 64) | u128::from(self.customer[1])
    }
}

struct Grouped {
    customer_of: Vec<u32>,
    ranges: Vec<(u32, u32)>,
    by_customer: Vec<u32>,
}

/// Groups the rows by customer, each group oldest first (due date, number, id).
///
/// A counting sort on the top bits of the customer's hash scatters the records
/// into small buckets, each sorted on its own; a customer's rows then lie
/// together. This reads the rows once, in order, instead of probing a table
/// per row (a cache miss each on a million rows). Directory customers keep
/// their dense numbers; customers known only from their invoices get the next
/// ones in the order met.
fn group_by_customer(
    items: &[OpenInvoice],
    records: Vec<Record>,
    directory_ids: &DenseIds,
    customers: &mut Vec<CustomerId>,
    entry_of: &mut Vec<u32>,
) -> Grouped {
    let bits = (usize::BITS - records.len().leading_zeros()).saturating_sub(3).clamp(1, 22);
    let shift = 64 - bits;
    let bucket = |r: &Record| (mix(r.customer()) >> shift) as usize;
    let mut starts = vec![0u32; (1usize << bits) + 1];
    for r in &records {
        starts[bucket(r) + 1] += 1;
    }
    for b in 0..(1usize << bits) {
        starts[b + 1] += starts[b];
    }
    let mut fill = starts.clone();
    let mut sorted = vec![Record::default(); records.len()];
    for r in records {
        let at = &mut fill[bucket(&r)];
        sorted[*at as usize] = r;
        *at += 1;
    }
    for pair in starts.windows(2) {
        if let Some(b) = sorted.get_mut(pair[0] as usize..pair[1] as usize)
            && b.len() > 1
        {
            b.sort_unstable();
        }
    }
    let mut grouped = Grouped {
        customer_of: vec![0; sorted.len()],
        ranges: vec![(0, 0); customers.len()],
        by_customer: sorted.iter().map(|r| r.row).collect(),
    };
    let mut i = 0;
    while i < sorted.len() {
        let customer = sorted[i].customer;
        // Groups are short: a linear scan beats a binary search over the rest.
        let end = i + sorted[i..].iter().take_while(|r| r.customer == customer).count();
        let id = sorted[i].customer();
        let dense = directory_ids.get(id).unwrap_or_else(|| {
            customers.push(CustomerId::from_u128(id));
            entry_of.push(NONE);
            grouped.ranges.push((0, 0));
            (customers.len() - 1) as u32
        });
        grouped.ranges[dense as usize] = (i as u32, end as u32);
        for r in &sorted[i..end] {
            grouped.customer_of[r.row as usize] = dense;
        }
        break_due_ties(items, &sorted[i..end], &mut grouped.by_customer[i..end]);
        i = end;
    }
    grouped
}

/// Rows of one customer due the same day go by document number, then id.
fn break_due_ties(items: &[OpenInvoice], records: &[Record], rows: &mut [u32]) {
    let mut a = 0;
    while a < records.len() {
        let due = records[a].due;
        let b = a + records[a..].iter().take_while(|r| r.due == due).count();
        if b - a > 1 {
            rows[a..b].sort_unstable_by(|&x, &y| {
                let (x, y) = (&items[x as usize], &items[y as usize]);
                x.number.cmp(&y.number).then_with(|| x.invoice.cmp(&y.invoice))
            });
        }
        a = b;
    }
}

fn account_keys(directory: &CustomerDirectory) -> Result<(HashIndex, Vec<(String, u32)>), MatchError> {
    let mut rows: Vec<(String, u32, &str, u64)> = Vec::new();
    for (dense, c) in directory.customers().iter().enumerate() {
        for account in &c.accounts {
            let key = normalize_account(account);
            if !key.is_empty() {
                let hash = fnv1a(key.as_bytes());
                rows.push((key, dense as u32, account, hash));
            }
        }
    }
    // By hash first, so strings are compared only where hashes meet.
    rows.sort_unstable_by(|a, b| (a.3, &a.0, a.1).cmp(&(b.3, &b.0, b.1)));
    rows.dedup_by(|b, a| a.0 == b.0 && a.1 == b.1);
    for pair in rows.windows(2) {
        if let [a, b] = pair
            && a.0 == b.0
        {
            let customers = directory.customers();
            return Err(MatchError::AccountConflict {
                account: b.2.to_owned(),
                first: customers[a.1 as usize].id,
                second: customers[b.1 as usize].id,
            });
        }
    }
    let keys = rows.iter().enumerate().map(|(i, r)| (r.3, i as u32)).collect();
    let strings = rows.into_iter().map(|r| (r.0, r.1)).collect();
    Ok((HashIndex::build(keys), strings))
}

fn name_and_reference_keys(directory: &CustomerDirectory, prefixes: &[String]) -> (HashIndex, HashIndex) {
    let mut names = Vec::new();
    let mut references = Vec::new();
    let mut buf = String::new();
    for (dense, c) in directory.customers().iter().enumerate() {
        for name in std::iter::once(&c.name).chain(&c.aliases) {
            let key = normalize_name(name);
            if !key.is_empty() {
                names.push((fnv1a(key.as_bytes()), dense as u32));
            }
        }
        for reference in &c.references {
            normalize_document_into(reference, prefixes, &mut buf);
            if !buf.is_empty() {
                references.push((fnv1a(buf.as_bytes()), dense as u32));
            }
        }
    }
    // A customer listed under one name twice is still one customer.
    for keys in [&mut names, &mut references] {
        keys.sort_unstable();
        keys.dedup();
    }
    (HashIndex::build(names), HashIndex::build(references))
}
