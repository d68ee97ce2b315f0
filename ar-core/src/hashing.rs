//! Deterministic hashing: fixed-key maps and command fingerprints.
//!
//! std's default `RandomState` seeds itself from the OS, which a pure engine must
//! not read; these hashers have no seed, so every run behaves the same.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A fast, seedless hasher for maps keyed by ids: the ledger's indexes use it,
/// and so may a host or another `ar` crate that must not read the OS randomness
/// std's default hasher seeds itself with. Never let such a map's iteration
/// order reach an output: sort first.
///
/// The 128-bit product folded onto itself carries every input bit into the low
/// bits hashbrown picks buckets with: counter-like UUIDs (`from_u128(n)`, whose
/// varying bytes sit at the end) spread as well as random ones.
///
/// ```
/// use std::collections::HashMap;
/// use std::hash::BuildHasherDefault;
/// use ar_core::{CustomerId, IdHasher};
/// let mut index: HashMap<CustomerId, u32, BuildHasherDefault<IdHasher>> = HashMap::default();
/// index.insert(CustomerId::from_u128(7), 0);
/// assert_eq!(index.get(&CustomerId::from_u128(7)), Some(&0));
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

const K: u64 = 0xf135_7aea_2e62_a9c5;
const K2: u64 = 0x9e37_79b9_7f4a_7c15;

fn folded_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = folded_multiply(self.0 ^ n, K);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        folded_multiply(self.0, K2)
    }
}

/// A hash map with the deterministic [`IdHasher`].
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// A fingerprint of a value's `Hash` stream. Each integer the stream writes is
/// mixed in as one little-endian word by a folded multiply, byte strings eight
/// bytes at a time with their length, so the result is the same on every
/// platform and costs about one multiply per field.
#[derive(Clone, Copy)]
pub(crate) struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }
}

impl Fingerprint {
    fn mix(&mut self, word: u64) {
        self.0 = folded_multiply(self.0 ^ word, K);
    }
}

impl Hasher for Fingerprint {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.mix(u64::from_le_bytes(word));
        }
        // The tail as a little-endian word, zero-padded; a byte loop, since a
        // copy of variable length is a call to `memcpy` for at most 7 bytes.
        let last = chunks.remainder().iter().rev().fold(0u64, |word, &b| (word << 8) | u64::from(b));
        // The length goes into the last word, so "ab" and "ab\0" differ.
        self.mix(last ^ ((bytes.len() as u64) << 56));
    }
    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }
    fn write_u16(&mut self, n: u16) {
        self.mix(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }
    fn write_u128(&mut self, n: u128) {
        self.mix(n as u64);
        self.mix((n >> 64) as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
    fn write_isize(&mut self, n: isize) {
        self.mix(n as u64);
    }
    fn finish(&self) -> u64 {
        folded_multiply(self.0, K2)
    }
}

/// The fingerprint of a value's `Hash` stream.
pub(crate) fn fingerprint<T: Hash>(value: &T) -> u64 {
    let mut h = Fingerprint::default();
    value.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    /// Sequential UUIDs must spread over the low bits hashbrown uses for buckets.
    #[test]
    fn counter_ids_spread_over_low_bits() {
        let build = BuildHasherDefault::<IdHasher>::default();
        let buckets = 1 << 12;
        let mut seen = vec![0u32; buckets];
        for n in 0..buckets as u128 * 4 {
            let h = build.hash_one(uuid::Uuid::from_u128(n));
            seen[(h as usize) & (buckets - 1)] += 1;
        }
        let worst = seen.iter().copied().max().unwrap_or(0);
        assert!(worst <= 16, "a bucket got {worst} of 16384 sequential ids (expect about 4)");
    }

    /// The stream's words as the persisted fingerprints define them: eight
    /// bytes at a time, little-endian, the tail zero-padded with the length on top.
    fn reference_write(bytes: &[u8]) -> u64 {
        let mut h = Fingerprint::default();
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            h.mix(u64::from_le_bytes(word));
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        h.mix(u64::from_le_bytes(last) ^ ((bytes.len() as u64) << 56));
        h.finish()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        /// Fingerprints are persisted in events: the byte path must keep giving
        /// the words the reference gives, whatever the length.
        #[test]
        fn byte_strings_fingerprint_as_the_reference_does(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let mut h = Fingerprint::default();
            h.write(&bytes);
            proptest::prop_assert_eq!(h.finish(), reference_write(&bytes));
        }
    }

    /// Equal values agree; values that differ in order, length or content do not.
    #[test]
    fn fingerprints_tell_values_apart() {
        assert_eq!(fingerprint(&("INV-1", 5u32)), fingerprint(&("INV-1", 5u32)));
        assert_ne!(fingerprint(&"INV-1"), fingerprint(&"INV-2"));
        assert_ne!(fingerprint(&"ab"), fingerprint(&"ab\0"));
        assert_ne!(fingerprint(&(1u8, 0u8)), fingerprint(&(0u8, 1u8)));
        assert_ne!(fingerprint(&vec![1u64, 2]), fingerprint(&vec![1u64, 2, 0]));
        let seen: std::collections::BTreeSet<u64> = (0u64..10_000).map(|n| fingerprint(&n)).collect();
        assert_eq!(seen.len(), 10_000);
    }
}
