//! Card data kept safe: a card number is never stored whole.
//!
//! [`CardRef`] keeps the brand, the last four digits and the host's processor
//! token. [`FreeText`] masks anything that looks like a card number in text a
//! customer wrote (remittance advice, payer references), so that no `Debug`,
//! `Display` or serialized form of any `ar` type ever holds a full card number.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize};

/// The card scheme, from the number's issuer prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CardScheme {
    /// Visa (4…).
    Visa,
    /// Mastercard (51–55, 2221–2720).
    Mastercard,
    /// American Express (34, 37).
    Amex,
    /// Discover (6011, 644–649, 65).
    Discover,
    /// JCB (3528–3589).
    Jcb,
    /// Diners Club (36, 38, 300–305).
    DinersClub,
    /// UnionPay (62).
    UnionPay,
    /// Any other scheme.
    Other,
}

/// Why a card reference could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CardError {
    /// Not 12 to 19 digits (spaces and dashes allowed).
    #[error("a card number has 12 to 19 digits")]
    BadLength,
    /// Something other than digits, spaces or dashes.
    #[error("a card number holds only digits, spaces and dashes")]
    NotDigits,
    /// The Luhn check digit is wrong.
    #[error("the card number's check digit is wrong (Luhn check failed)")]
    BadCheckDigit,
    /// `last4` is not four digits.
    #[error("the last four digits must be exactly four digits")]
    BadLastFour,
    /// The token looks like a full card number.
    #[error("the processor token looks like a full card number; pass the processor's token, never the number")]
    TokenLooksLikeCardNumber,
}

/// A masked card: brand, last four digits, and the host's processor token.
///
/// ```
/// use ar_core::{CardScheme, CardRef};
/// let card = CardRef::from_card_number("4111 1111 1111 1111", "tok_abc")?;
/// assert_eq!(card.brand(), CardScheme::Visa);
/// assert_eq!(card.last4(), "1111");
/// assert_eq!(card.to_string(), "Visa •••• 1111");
/// assert!(!format!("{card:?}").contains("4111111111111111"));
/// assert!(CardRef::from_card_number("4111 1111 1111 1112", "tok").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CardRef {
    brand: CardScheme,
    last4: String,
    token: String,
}

impl CardRef {
    /// Validates a full card number (Luhn) and keeps only its brand and last four
    /// digits, with the host's `token`. The number itself is not kept.
    pub fn from_card_number(number: &str, token: &str) -> Result<CardRef, CardError> {
        let digits = card_digits(number)?;
        if !luhn_valid(&digits) {
            return Err(CardError::BadCheckDigit);
        }
        let last4: String = digits[digits.len() - 4..].iter().map(|d| char::from(b'0' + d)).collect();
        CardRef::new(brand_of(&digits), &last4, token)
    }

    /// A reference from parts the processor already masked.
    ///
    /// The token is kept, shown by `Debug` and serialized as it is, so a token
    /// that [`mask_card_numbers`] would change is refused: one holding any
    /// Luhn-valid run of 12 to 19 digits, whatever the scheme. A numeric token
    /// of 12 digits or more may therefore be refused even when it is not a card
    /// number; pass the processor's alphanumeric token instead.
    pub fn new(brand: CardScheme, last4: &str, token: &str) -> Result<CardRef, CardError> {
        if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardError::BadLastFour);
        }
        if mask_card_numbers(token) != token {
            return Err(CardError::TokenLooksLikeCardNumber);
        }
        Ok(CardRef { brand, last4: last4.to_owned(), token: token.to_owned() })
    }

    /// The scheme.
    pub fn brand(&self) -> CardScheme {
        self.brand
    }

    /// The last four digits.
    pub fn last4(&self) -> &str {
        &self.last4
    }

    /// The host's processor token.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl<'de> Deserialize<'de> for CardRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            brand: CardScheme,
            last4: String,
            token: String,
        }
        let raw = Raw::deserialize(d)?;
        CardRef::new(raw.brand, &raw.last4, &raw.token).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for CardRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} •••• {}", self.brand, self.last4)
    }
}

impl fmt::Debug for CardRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardRef({:?} •••• {}, token {})", self.brand, self.last4, self.token)
    }
}

fn card_digits(number: &str) -> Result<Vec<u8>, CardError> {
    let mut digits = Vec::with_capacity(19);
    for b in number.bytes() {
        match b {
            b'0'..=b'9' => digits.push(b - b'0'),
            b' ' | b'-' => {}
            _ => return Err(CardError::NotDigits),
        }
    }
    if !(12..=19).contains(&digits.len()) {
        return Err(CardError::BadLength);
    }
    Ok(digits)
}

/// The Luhn (mod 10) check over a digit sequence.
fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 =
        digits.iter().rev().enumerate().map(|(i, &d)| u32::from(if i % 2 == 1 { luhn_double(d) } else { d })).sum();
    sum.is_multiple_of(10)
}

fn brand_of(digits: &[u8]) -> CardScheme {
    use CardScheme::{Amex, DinersClub, Discover, Jcb, Mastercard, Other, UnionPay, Visa};
    let prefix = |n: usize| digits.iter().take(n).fold(0u32, |acc, d| acc * 10 + u32::from(*d));
    match (prefix(1), prefix(2), prefix(3), prefix(4)) {
        (4, ..) => Visa,
        (_, 34 | 37, ..) => Amex,
        (_, 51..=55, ..) | (.., 2221..=2720) => Mastercard,
        (.., 6011) | (_, 65, ..) | (_, _, 644..=649, _) => Discover,
        (.., 3528..=3589) => Jcb,
        (_, 36 | 38, ..) | (_, _, 300..=305, _) => DinersClub,
        (_, 62, ..) => UnionPay,
        _ => Other,
    }
}

/// Card numbers have 12 (some Maestro) to 19 digits.
const CARD_DIGITS: std::ops::RangeInclusive<usize> = 12..=19;

/// Replaces every card number in `text` with a mask that keeps only its last
/// four digits.
///
/// A card number here is any window of 12 to 19 digits that passes the Luhn
/// check, whatever its scheme (Visa, Mir, Maestro, RuPay or one not yet
/// issued): digits may be separated by single spaces or dashes, and a run of
/// digits is searched for every such window, so two cards written one after
/// the other are both masked. A run holding a card is written back as digits
/// and `*` without its separators.
///
/// The cost of not knowing the schemes: any Luhn-valid number of 12 to 19
/// digits is masked too, and about one number in ten passes the check, so a
/// 13-digit order number or a long bank reference may come out as
/// `*********4242`. Its last four digits stay visible to match it by. Numbers
/// of fewer than 12 digits are never touched.
///
/// ```
/// use ar_core::mask_card_numbers;
/// assert_eq!(mask_card_numbers("paid by 4111-1111-1111-1111 thx"), "paid by ************1111 thx");
/// assert_eq!(mask_card_numbers("Mir 2200 0000 0000 0004"), "Mir ************0004");
/// assert_eq!(mask_card_numbers("invoice 2026000042"), "invoice 2026000042");
/// ```
pub fn mask_card_numbers(text: &str) -> String {
    masked(text).unwrap_or_else(|| text.to_owned())
}

/// `text` with its card numbers masked, or `None` if it holds none (one scan
/// for the common text with too few digits to hide a card).
fn masked(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    if too_few_digits(bytes) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(b) = bytes.get(i) {
        if !b.is_ascii_digit() {
            i += 1;
            continue;
        }
        // Runs start and end on ASCII bytes, so these are char boundaries.
        let end = digit_run_end(bytes, i);
        if let (Some(before), Some(run)) = (text.get(copied..i), text.get(i..end))
            && let Some(masked) = mask_run(run)
        {
            out.push_str(before);
            out.push_str(&masked);
            copied = end;
        }
        i = end;
    }
    // A masked run ends past its first digit, so nothing was masked if nothing was copied.
    if copied == 0 {
        return None;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Some(out)
}

/// Whether `bytes` holds fewer digits than the shortest card number.
fn too_few_digits(bytes: &[u8]) -> bool {
    bytes.iter().filter(|b| b.is_ascii_digit()).count() < *CARD_DIGITS.start()
}

/// The end of a run of digits that may contain single spaces or dashes between digits.
fn digit_run_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    let mut i = start;
    while let Some(b) = bytes.get(i) {
        if b.is_ascii_digit() {
            i += 1;
            end = i;
        } else if matches!(b, b' ' | b'-') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
        } else {
            break;
        }
    }
    end
}

/// The run's digits with every card number in it masked, or `None` when it holds none.
fn mask_run(run: &str) -> Option<String> {
    let digits: Vec<u8> = run.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    if digits.len() < *CARD_DIGITS.start() {
        return None;
    }
    let masked = card_digits_mask(&digits);
    if !masked.iter().any(|&m| m) {
        return None;
    }
    Some(digits.iter().zip(&masked).map(|(&d, &m)| if m { '*' } else { char::from(b'0' + d) }).collect())
}

/// For each digit, whether it lies in a Luhn-valid 12–19 digit window and is
/// not among that window's last four.
///
/// Every window is checked in constant time from prefix sums, so a run of `n`
/// digits costs `O(n)`: which digits the Luhn check doubles depends on the
/// window's end, so there is one prefix sum per parity of that end.
fn card_digits_mask(digits: &[u8]) -> Vec<bool> {
    // sums[i][p]: the Luhn sum (mod 10) of digits[..i], doubling the digits
    // whose index parity differs from `p`.
    let mut sums = Vec::with_capacity(digits.len() + 1);
    let mut sum = [0u8; 2];
    sums.push(sum);
    for (k, &d) in digits.iter().enumerate() {
        for (p, s) in sum.iter_mut().enumerate() {
            *s = (*s + if k % 2 == p { d } else { luhn_double(d) }) % 10;
        }
        sums.push(sum);
    }
    let window_valid = |start: usize, end: usize| match (sums.get(start), sums.get(end)) {
        (Some(a), Some(b)) => {
            let p = (end - 1) % 2;
            (b[p] + 10 - a[p]) % 10 == 0
        }
        _ => false,
    };
    // A digit is masked when some valid window starting at or before it
    // reaches beyond it (last four excluded).
    let mut reach = 0;
    (0..digits.len())
        .map(|start| {
            for len in CARD_DIGITS {
                if window_valid(start, start + len) {
                    reach = reach.max(start + len - 4);
                }
            }
            start < reach
        })
        .collect()
}

/// A digit as the Luhn check counts it when doubled.
fn luhn_double(d: u8) -> u8 {
    if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
}

/// Text a customer, a bank or a clerk wrote (remittance advice, payer
/// references, reasons, line descriptions, a bank account's name), with
/// anything that looks like a card number masked on the way in: by
/// [`FreeText::new`], `From` and deserialization alike, so a `FreeText` never
/// holds a full card number. [`mask_card_numbers`] says what is masked,
/// including the numbers that are masked although they are not cards.
///
/// It serializes as a plain string, so journals written when a field was a
/// `String` still load (a card number in them comes back masked), and it hashes
/// exactly as that `String` did, so fingerprints of stored commands hold. It
/// derefs to `str`; moving or cloning one never scans the text again.
///
/// The text is shared: a clone is a reference count, not a copy. A host that
/// uses the same text often (a product's description, a policy's write-off
/// reason) makes it once and hands out clones, and the events and views that
/// repeat it share it too. `From<Arc<str>>` keeps the host's own allocation
/// when there is nothing to mask.
///
/// # Where the guarantee ends
///
/// Every free-text field of a command, an event or a query view is a
/// `FreeText`. Identifiers that code matches on stay plain strings: document
/// numbers, customer names, terms names, collectors, [`UserId`](crate::UserId)
/// and [`Role`](crate::Role), currency and tax codes. Masking one would change
/// it, and a lookup, a uniqueness check or an approval rule keyed on it would
/// break; so hosts must never put a card number there.
///
/// ```
/// use ar_core::FreeText;
/// let text = FreeText::new("INV-42 card 5555 5555 5555 4444");
/// assert_eq!(text.as_str(), "INV-42 card ************4444");
/// let reason: FreeText = "damaged".into();
/// assert!(reason.starts_with("dam"));
/// assert_eq!(reason, "damaged");
/// ```
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct FreeText(Arc<str>);

impl FreeText {
    /// Masks card numbers in `text` and keeps the rest.
    pub fn new(text: &str) -> Self {
        FreeText(masked(text).map_or_else(|| Arc::from(text), Arc::from))
    }

    /// The (masked) text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for FreeText {
    fn from(text: &str) -> Self {
        FreeText::new(text)
    }
}

impl From<String> for FreeText {
    fn from(text: String) -> Self {
        FreeText::new(&text)
    }
}

impl From<Arc<str>> for FreeText {
    /// Keeps `text` itself, shared, unless it holds a card number to mask.
    fn from(text: Arc<str>) -> Self {
        FreeText(masked(&text).map_or(text, Arc::from))
    }
}

impl From<&String> for FreeText {
    fn from(text: &String) -> Self {
        FreeText::new(text)
    }
}

impl std::ops::Deref for FreeText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for FreeText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for FreeText {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for FreeText {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for FreeText {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<FreeText> for &str {
    fn eq(&self, other: &FreeText) -> bool {
        **self == *other.0
    }
}

impl<'de> Deserialize<'de> for FreeText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(FreeText::new(&raw))
    }
}

impl fmt::Display for FreeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FreeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_shares_a_hosts_text_unless_it_must_mask_it() {
        let catalog: Arc<str> = Arc::from("Widgets, blue");
        let text = FreeText::from(Arc::clone(&catalog));
        assert!(std::ptr::eq(text.as_str(), &*catalog), "the host's text is kept, not copied");
        assert!(std::ptr::eq(text.clone().as_str(), text.as_str()), "a clone shares the text");
        let card: Arc<str> = Arc::from("paid by 4111 1111 1111 1111");
        let masked = FreeText::from(Arc::clone(&card));
        assert_eq!(masked, "paid by ************1111");
        assert!(!std::ptr::eq(masked.as_str(), &*card));
    }

    #[test]
    fn brands_of_test_numbers() {
        for (number, brand) in [
            ("4242424242424242", CardScheme::Visa),
            ("5555555555554444", CardScheme::Mastercard),
            ("2223003122003222", CardScheme::Mastercard),
            ("378282246310005", CardScheme::Amex),
            ("6011111111111117", CardScheme::Discover),
            ("3566002020360505", CardScheme::Jcb),
            ("30569309025904", CardScheme::DinersClub),
            ("6200000000000005", CardScheme::UnionPay),
        ] {
            let card = CardRef::from_card_number(number, "tok").map_err(|e| format!("{number}: {e}"));
            assert_eq!(card.map(|c| c.brand()), Ok(brand), "{number}");
        }
    }

    #[test]
    fn bad_numbers_are_refused_with_the_reason() {
        assert_eq!(CardRef::from_card_number("4242 4242 4242 4241", "t"), Err(CardError::BadCheckDigit));
        assert_eq!(CardRef::from_card_number("4242", "t"), Err(CardError::BadLength));
        assert_eq!(CardRef::from_card_number("4242x4242", "t"), Err(CardError::NotDigits));
        assert_eq!(CardRef::new(CardScheme::Visa, "42a2", "t"), Err(CardError::BadLastFour));
        assert_eq!(
            CardRef::new(CardScheme::Visa, "4242", "4242424242424242"),
            Err(CardError::TokenLooksLikeCardNumber)
        );
    }

    /// The mask the slow way: every window checked on its own.
    fn naive_mask(digits: &[u8]) -> Vec<bool> {
        let mut masked = vec![false; digits.len()];
        for start in 0..digits.len() {
            for len in CARD_DIGITS {
                if start + len <= digits.len() && luhn_valid(&digits[start..start + len]) {
                    masked[start..start + len - 4].iter_mut().for_each(|m| *m = true);
                }
            }
        }
        masked
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]

        #[test]
        fn the_prefix_sum_mask_equals_checking_every_window(
            digits in proptest::collection::vec(0u8..10, 0..64),
        ) {
            proptest::prop_assert_eq!(card_digits_mask(&digits), naive_mask(&digits));
        }
    }

    #[test]
    fn masking_keeps_other_numbers_and_non_ascii_text() {
        assert_eq!(mask_card_numbers("Zahlung für Rechnung 4711"), "Zahlung für Rechnung 4711");
        assert_eq!(mask_card_numbers("4242424242424242"), "************4242");
        assert_eq!(mask_card_numbers("x 378282246310005."), "x ***********0005.");
        assert_eq!(mask_card_numbers(""), "");
    }
}
