//! Deterministic hashing: fixed-key maps and command fingerprints.
//!
//! std's default `RandomState` seeds itself from the OS, which a pure engine must
//! not read; these hashers have no seed, so every run behaves the same.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use rust_decimal::Decimal;

/// A fast, seedless hasher for maps keyed by ids: the ledger's smaller maps
/// (deposits, refunds, number clashes, the terms pool) use it, and so may a
/// host or another `ar` crate that must not read the OS randomness std's
/// default hasher seeds itself with. (The ledger's id → position indexes are
/// open-addressing tables of their own, with the id and its position in one slot.) Never let such a map's iteration
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

/// Writes what `Decimal`'s own `Hash` writes, word for word, for any hasher:
/// the normalized value's `lo`, `mid`, `hi` and `flags` as `u32`s. Types that
/// hold a `Decimal` hash it through here, since command fingerprints are
/// persisted: `Decimal::hash` builds the normalized value out of line on every
/// call, a long division loop the common values never need.
pub(crate) fn hash_decimal<H: Hasher>(value: &Decimal, state: &mut H) {
    let [lo, mid, hi, flags] = normalized_words(value);
    lo.hash(state);
    mid.hash(state);
    hi.hash(state);
    flags.hash(state);
}

/// Writes what `#[derive(Hash)]` writes for an enum variant holding one
/// `Decimal`: the variant's index as an `isize`, then the value through
/// [`hash_decimal`].
pub(crate) fn hash_variant_decimal<H: Hasher>(variant: isize, value: &Decimal, state: &mut H) {
    variant.hash(state);
    hash_decimal(value, state);
}

/// Writes what `Option<Decimal>`'s `Hash` writes, the value through [`hash_decimal`].
pub(crate) fn hash_optional_decimal<H: Hasher>(value: Option<&Decimal>, state: &mut H) {
    match value {
        None => 0isize.hash(state),
        Some(d) => hash_variant_decimal(1, d, state),
    }
}

/// `lo`, `mid`, `hi`, `flags` of `value.normalize()`, by its steps: zero loses
/// sign and scale; a value without decimals or with an odd mantissa is kept as
/// it is, flags and all; otherwise trailing zeros are stripped from the mantissa
/// and the flags rebuilt from the sign and the new scale.
fn normalized_words(value: &Decimal) -> [u32; 4] {
    // `serialize` is the raw words, flags first, each little-endian.
    let [f0, f1, f2, f3, l0, l1, l2, l3, m0, m1, m2, m3, h0, h1, h2, h3] = value.serialize();
    let flags = u32::from_le_bytes([f0, f1, f2, f3]);
    let (lo, mid, hi) = (
        u32::from_le_bytes([l0, l1, l2, l3]),
        u32::from_le_bytes([m0, m1, m2, m3]),
        u32::from_le_bytes([h0, h1, h2, h3]),
    );
    if lo | mid | hi == 0 {
        return [0; 4];
    }
    let mut scale = value.scale();
    if scale == 0 || lo & 1 == 1 {
        return [lo, mid, hi, flags];
    }
    let mut mantissa = u128::from(lo) | u128::from(mid) << 32 | u128::from(hi) << 64;
    if let Ok(mut small) = u64::try_from(mantissa) {
        // A 64-bit division by a constant is a multiply; a 128-bit one a call.
        while scale > 0 && small % 10 == 0 {
            small /= 10;
            scale -= 1;
        }
        mantissa = u128::from(small);
    } else {
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
    }
    let sign = flags & 0x8000_0000;
    [mantissa as u32, (mantissa >> 32) as u32, (mantissa >> 64) as u32, scale << 16 | sign]
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use proptest::prelude::*;

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

    /// Every call a `Hash` impl makes, in order: two values fed the same stream
    /// to any hasher exactly when their records are equal.
    #[derive(Debug, Default, PartialEq)]
    struct Recorder(Vec<(&'static str, Vec<u8>)>);

    impl Hasher for Recorder {
        fn write(&mut self, bytes: &[u8]) {
            self.0.push(("bytes", bytes.to_vec()));
        }
        fn write_u8(&mut self, n: u8) {
            self.0.push(("u8", n.to_le_bytes().to_vec()));
        }
        fn write_u16(&mut self, n: u16) {
            self.0.push(("u16", n.to_le_bytes().to_vec()));
        }
        fn write_u32(&mut self, n: u32) {
            self.0.push(("u32", n.to_le_bytes().to_vec()));
        }
        fn write_u64(&mut self, n: u64) {
            self.0.push(("u64", n.to_le_bytes().to_vec()));
        }
        fn write_u128(&mut self, n: u128) {
            self.0.push(("u128", n.to_le_bytes().to_vec()));
        }
        fn write_usize(&mut self, n: usize) {
            self.0.push(("usize", n.to_le_bytes().to_vec()));
        }
        fn write_isize(&mut self, n: isize) {
            self.0.push(("isize", n.to_le_bytes().to_vec()));
        }
        fn finish(&self) -> u64 {
            0
        }
    }

    fn record<T: Hash + ?Sized>(value: &T) -> Recorder {
        let mut r = Recorder::default();
        value.hash(&mut r);
        r
    }

    fn record_decimal(value: &Decimal) -> Recorder {
        let mut r = Recorder::default();
        hash_decimal(value, &mut r);
        r
    }

    /// Decimals of every kind the fast path treats apart: any 96-bit mantissa
    /// at any scale and sign, mantissas with trailing zeros (even and odd
    /// stripped parts, in 64 bits and beyond), zeros of every scale and sign.
    fn decimals() -> impl Strategy<Value = Decimal> {
        let mantissa_max = (1u128 << 96) - 1;
        prop_oneof![
            (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
                .prop_map(|(lo, mid, hi, negative, scale)| Decimal::from_parts(lo, mid, hi, negative, scale)),
            (0u32..=28)
                .prop_flat_map(move |zeros| (0..=mantissa_max / 10u128.pow(zeros), Just(zeros)))
                .prop_flat_map(|(m, zeros)| (Just(m * 10u128.pow(zeros)), any::<bool>(), 0u32..=28))
                .prop_map(|(m, negative, scale)| {
                    Decimal::from_parts(m as u32, (m >> 32) as u32, (m >> 64) as u32, negative, scale)
                }),
            (1u64..1_000_000, 0u32..=12, any::<bool>(), 0u32..=28).prop_map(|(m, zeros, negative, scale)| {
                let m = u128::from(m) * 10u128.pow(zeros);
                Decimal::from_parts(m as u32, (m >> 32) as u32, 0, negative, scale)
            }),
            (0u32..=28, any::<bool>()).prop_map(|(scale, negative)| {
                let mut zero = Decimal::new(0, scale);
                zero.set_sign_negative(negative);
                zero
            }),
            prop::sample::select(vec![
                Decimal::MAX,
                Decimal::MIN,
                Decimal::ZERO,
                -Decimal::ZERO,
                Decimal::ONE,
                Decimal::NEGATIVE_ONE,
                Decimal::ONE_HUNDRED,
                Decimal::new(100, 2),
                Decimal::new(-1000, 28),
                Decimal::from_parts(0, 0, 1, false, 28),
                Decimal::from_parts(u32::MAX, u32::MAX, u32::MAX, true, 0),
                Decimal::from_parts(0, 0, 0x8000_0000, false, 28),
            ]),
        ]
    }

    fn documents() -> impl Strategy<Value = crate::DocumentLine> {
        let discount =
            prop_oneof![decimals().prop_map(crate::Discount::Percent), decimals().prop_map(crate::Discount::Amount),];
        let tax =
            ("[A-Z-]{0,12}", decimals()).prop_map(|(code, percent)| crate::TaxRate { code: code.into(), percent });
        ("[a-z ]{0,20}", decimals(), decimals(), proptest::option::of(discount), proptest::collection::vec(tax, 0..3))
            .prop_map(|(description, quantity, unit_price, discount, taxes)| crate::DocumentLine {
                description: description.into(),
                quantity,
                unit_price,
                discount,
                taxes,
            })
    }

    /// `DocumentLine` and its parts as `#[derive(Hash)]` hashed them, with
    /// `Decimal`'s own hash: what the persisted fingerprints were made from.
    #[derive(Hash)]
    enum DerivedDiscount {
        Percent(Decimal),
        Amount(Decimal),
    }

    #[derive(Hash)]
    struct DerivedTaxRate {
        code: String,
        percent: Decimal,
    }

    #[derive(Hash)]
    struct DerivedLine {
        description: String,
        quantity: Decimal,
        unit_price: Decimal,
        discount: Option<DerivedDiscount>,
        taxes: Vec<DerivedTaxRate>,
    }

    fn derived(line: &crate::DocumentLine) -> DerivedLine {
        DerivedLine {
            description: line.description.to_string(),
            quantity: line.quantity,
            unit_price: line.unit_price,
            discount: line.discount.as_ref().map(|d| match d {
                crate::Discount::Percent(p) => DerivedDiscount::Percent(*p),
                crate::Discount::Amount(a) => DerivedDiscount::Amount(*a),
            }),
            taxes: line.taxes.iter().map(|t| DerivedTaxRate { code: t.code.to_string(), percent: t.percent }).collect(),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]

        /// The fast decimal hash feeds any hasher what `Decimal::hash` does.
        #[test]
        fn decimals_hash_as_rust_decimal_does(value in decimals()) {
            proptest::prop_assert_eq!(record_decimal(&value), record(&value));
            let mut fast = Fingerprint::default();
            hash_decimal(&value, &mut fast);
            proptest::prop_assert_eq!(fast.finish(), fingerprint(&value));
        }

        /// Document lines hash as their derived `Hash` did, field for field.
        #[test]
        fn document_lines_hash_as_derived(lines in proptest::collection::vec(documents(), 0..4)) {
            let mirrors: Vec<DerivedLine> = lines.iter().map(derived).collect();
            proptest::prop_assert_eq!(record(&lines), record(&mirrors));
            proptest::prop_assert_eq!(fingerprint(&lines), fingerprint(&mirrors));
        }
    }

    /// Mirrors with `#[derive(Hash)]`, hashing each `Decimal` with its own
    /// hash: what the persisted fingerprints of applications and terms were made from.
    #[derive(Hash)]
    struct DerivedTolerance {
        absolute: Option<Decimal>,
        percent: Option<Decimal>,
    }

    #[derive(Debug, Clone, Hash)]
    enum DerivedPortion {
        Percent(Decimal),
        Fixed(Decimal),
        Balance,
    }

    #[derive(Debug, Clone, Hash)]
    enum DerivedRate {
        Percent(Decimal),
        Amount(Decimal),
    }

    fn portions() -> impl Strategy<Value = (crate::Portion, DerivedPortion)> {
        prop_oneof![
            decimals().prop_map(|d| (crate::Portion::Percent(d), DerivedPortion::Percent(d))),
            decimals().prop_map(|d| (crate::Portion::Fixed(d), DerivedPortion::Fixed(d))),
            Just((crate::Portion::Balance, DerivedPortion::Balance)),
        ]
    }

    fn rates() -> impl Strategy<Value = (crate::DiscountRate, DerivedRate)> {
        prop_oneof![
            decimals().prop_map(|d| (crate::DiscountRate::Percent(d), DerivedRate::Percent(d))),
            decimals().prop_map(|d| (crate::DiscountRate::Amount(d), DerivedRate::Amount(d))),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        /// Write-off tolerances, installment portions and discount rates hash
        /// as their derived `Hash` did, so fingerprints already persisted hold.
        #[test]
        fn decimal_holders_hash_as_derived(
            absolute in proptest::option::of(decimals()),
            percent in proptest::option::of(decimals()),
            (portion, derived_portion) in portions(),
            (rate, derived_rate) in rates(),
        ) {
            let tolerance = crate::WriteOffTolerance { absolute, percent };
            let derived = DerivedTolerance { absolute, percent };
            proptest::prop_assert_eq!(record(&tolerance), record(&derived));
            proptest::prop_assert_eq!(fingerprint(&tolerance), fingerprint(&derived));
            proptest::prop_assert_eq!(record(&portion), record(&derived_portion));
            proptest::prop_assert_eq!(record(&rate), record(&derived_rate));
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
