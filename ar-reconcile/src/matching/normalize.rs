//! Normal forms for document numbers, payer names and accounts, a free-text
//! tokenizer, and deterministic hashes.
//!
//! Payers rarely write a document number the way it was issued: `INV-00042`
//! arrives as `inv 42`, `INV00042` or `00042`. Every reference is brought to one
//! normal form before it is looked up, so these all meet.

/// FNV-1a 64-bit hash of `bytes`: fixed and seedless, so the same on every
/// machine and every time (unlike a randomly seeded hasher).
///
/// The matcher's own indexes use a faster fixed hash that reads eight bytes
/// at a time; this one stays for callers that keyed data by it.
///
/// ```
/// use ar_reconcile::matching::normalize::fnv1a;
/// assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
/// assert_ne!(fnv1a(b"42"), fnv1a(b"43"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The fixed hash the indexes key normalized strings by: eight bytes at a
/// time, then SplitMix64's finalizer, so the top bits (which pick a bucket) and
/// the low bits (kept as a tag) are both well mixed. No seed: a run is the same
/// on every machine.
pub(crate) fn key_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut hash = (bytes.len() as u64).wrapping_mul(K) ^ 0xcbf2_9ce4_8422_2325;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        hash = (hash ^ padded_word(rest)).wrapping_mul(K).rotate_left(29);
    }
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    hash ^ (hash >> 31)
}

/// `bytes` (at most eight) as a little-endian word, zero-padded. Two
/// overlapping loads and a shift, where a copy of variable length is a call to
/// `memcpy` and a byte loop a dependent chain: the index build hashes a million
/// keys, most of them shorter than eight bytes.
fn padded_word(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let byte = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
    let word4 = |from: usize| {
        let four = bytes.get(from..from + 4).and_then(|b| <[u8; 4]>::try_from(b).ok()).unwrap_or_default();
        u64::from(u32::from_le_bytes(four))
    };
    match n {
        0 => 0,
        // The first, middle and last byte cover one to three bytes.
        1..=3 => byte(0) | byte(n / 2) << (8 * (n / 2)) | byte(n - 1) << (8 * (n - 1)),
        // The first four and the last four bytes cover four to eight; where they
        // overlap they hold the same bytes.
        _ => word4(0) | word4(n.min(8) - 4) << (8 * (n.min(8) - 4)),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Run {
    None,
    Letters,
    Digits,
}

/// Normalizes a document number: upper case, punctuation and spaces dropped,
/// leading zeros of every digit group dropped, and a leading letter prefix from
/// `prefixes` (compared in upper case) dropped when digits follow it.
///
/// Two digit groups that were apart in the input stay apart (`2024-0042` becomes
/// `2024.42`), so that `2024-0042` and `20240042` do not meet.
///
/// ```
/// use ar_reconcile::matching::normalize::normalize_document;
/// let prefixes = ["INV".to_owned()];
/// assert_eq!(normalize_document("INV-00042", &prefixes), "42");
/// assert_eq!(normalize_document("inv 42", &prefixes), "42");
/// assert_eq!(normalize_document("00042", &prefixes), "42");
/// assert_eq!(normalize_document("SO-7/0012a", &prefixes), "SO7.12A");
/// assert_eq!(normalize_document("2024-0042", &prefixes), "2024.42");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_document(raw: &str, prefixes: &[String]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    normalize_document_into(raw, prefixes, &mut out);
    // Built from whole chars of `raw`, so always UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// [`normalize_document`] into a reused byte buffer (cleared first).
pub(crate) fn normalize_document_into(raw: &str, prefixes: &[String], out: &mut Vec<u8>) {
    if !normalize_ascii(raw.as_bytes(), prefixes, out) {
        normalize_unicode(raw, prefixes, out);
    }
}

/// The normal form of `raw` as [`normalize_document_into`] writes it, borrowed
/// from `raw` where it is a slice of it, else written into `buf`.
///
/// The common number (`INV-00042`: a prefix word or none, separators, one
/// digit group ending it) normalizes to its digits without their leading
/// zeros, which `raw` already holds: hashing or comparing them in place skips
/// the copy, and the index build normalizes a million numbers.
pub(crate) fn document_key<'a>(raw: &'a str, prefixes: &[String], buf: &'a mut Vec<u8>) -> &'a [u8] {
    match digits_after_prefix(raw.as_bytes(), prefixes) {
        Some(key) => key,
        None => {
            normalize_document_into(raw, prefixes, buf);
            buf
        }
    }
}

/// `raw`'s one digit group without its leading zeros (one zero if it is all
/// zeros), when `raw` is an optional prefix word, ASCII separators and that
/// group: there [`normalize_ascii`] drops the word and writes only the group.
fn digits_after_prefix<'r>(raw: &'r [u8], prefixes: &[String]) -> Option<&'r [u8]> {
    let letters = raw.iter().position(|b| !b.is_ascii_alphabetic()).unwrap_or(raw.len());
    let (word, after) = raw.split_at(letters);
    let gap = after.iter().position(|b| b.is_ascii_alphanumeric() || !b.is_ascii())?;
    let group = after.get(gap..)?;
    let len = digits_len(group);
    if len == 0 || len != group.len() {
        return None;
    }
    if !word.is_empty() && !prefixes.iter().any(|p| same_letters(p.as_bytes(), word)) {
        return None;
    }
    let zeros = group.iter().take_while(|&&b| b == b'0').count();
    group.get(zeros.min(len - 1)..)
}

/// The char path, kept out of line: document numbers are nearly always ASCII,
/// and the hot path stays small without it.
#[cold]
#[inline(never)]
fn normalize_unicode(raw: &str, prefixes: &[String], out: &mut Vec<u8>) {
    let mut text = String::with_capacity(raw.len());
    normalize_chars(raw, &mut text);
    strip_prefix(prefixes, &mut text);
    out.clear();
    out.extend_from_slice(text.as_bytes());
}

fn normalize_chars(raw: &str, out: &mut String) {
    let mut run = Run::None;
    let mut separated = false;
    let mut zeros_pending = false;
    let mut digits_written = false;
    for c in raw.chars() {
        if c.is_ascii_digit() {
            if run != Run::Digits || separated {
                close_digits(run, zeros_pending, digits_written, out);
                if run == Run::Digits {
                    out.push('.');
                }
                zeros_pending = false;
                digits_written = false;
            }
            if c == '0' && !digits_written {
                zeros_pending = true;
            } else {
                out.push(c);
                digits_written = true;
            }
            run = Run::Digits;
            separated = false;
        } else if c.is_alphanumeric() {
            close_digits(run, zeros_pending, digits_written, out);
            zeros_pending = false;
            digits_written = false;
            if c.is_ascii() {
                out.push(c.to_ascii_uppercase());
            } else {
                out.extend(c.to_uppercase());
            }
            run = Run::Letters;
            separated = false;
        } else if run != Run::None {
            separated = true;
        }
    }
    close_digits(run, zeros_pending, digits_written, out);
}

/// The same rules over ASCII bytes, the common case, into `out` (cleared
/// first); `false` as soon as a byte is not ASCII, for the char path to redo.
///
/// Most numbers are one word, separators and then digits (`INV-00042`,
/// `inv42`, `SO 7`), so that head is read in two scans and the word compared
/// with the prefixes where it stands in `raw`, before anything is written:
/// a prefix that goes is never copied. A digit group is found eight bytes at
/// a time and copied whole.
fn normalize_ascii(raw: &[u8], prefixes: &[String], out: &mut Vec<u8>) -> bool {
    out.clear();
    // Never longer than the input: a dot between two digit groups stands where
    // the separator between them was.
    out.reserve(raw.len());
    // `split_at` below only takes counts of the slice it splits, so never panics.
    let letters = raw.iter().position(|b| !b.is_ascii_alphabetic()).unwrap_or(raw.len());
    let (word, after) = raw.split_at(letters);
    let gap = after.iter().position(|b| b.is_ascii_alphanumeric() || !b.is_ascii()).unwrap_or(after.len());
    let mut rest = after.get(gap..).unwrap_or_default();
    match rest.first() {
        None => {
            out.extend_from_slice(word);
            out.make_ascii_uppercase();
            return true;
        }
        Some(b) if b.is_ascii_digit() => {
            if word.is_empty() || !prefixes.iter().any(|p| same_letters(p.as_bytes(), word)) {
                out.extend_from_slice(word);
                out.make_ascii_uppercase();
            }
        }
        Some(_) => {
            // More letters after a gap (`SO-A7`), or not ASCII: letters a byte
            // at a time up to the first digit, then the prefix test on them all.
            out.extend_from_slice(word);
            out.make_ascii_uppercase();
            if !push_letters(&mut rest, out) {
                return false;
            }
            if rest.is_empty() {
                return true;
            }
            if prefixes.iter().any(|p| p.as_bytes().eq_ignore_ascii_case(out)) {
                out.clear();
            }
        }
    }
    // Here `rest` starts with a digit, so every turn takes a group of at least
    // one byte and the loop ends.
    let mut digits_last = false;
    loop {
        // Two digit groups only meet across a separator: keep them apart.
        if digits_last {
            out.push(b'.');
        }
        let (group, tail) = rest.split_at(digits_len(rest));
        // Leading zeros go; a group of only zeros keeps one, so "INV-000"
        // does not vanish.
        let zeros = group.iter().take_while(|&&b| b == b'0').count();
        out.extend_from_slice(group.get(zeros..).filter(|g| !g.is_empty()).unwrap_or(b"0"));
        rest = tail;
        let len = out.len();
        if !push_letters(&mut rest, out) {
            return false;
        }
        if rest.is_empty() {
            return true;
        }
        digits_last = out.len() == len;
    }
}

/// Pushes the letters of `rest` upper-cased and drops its separators, up to
/// its first digit; `false` at a byte that is not ASCII.
fn push_letters(rest: &mut &[u8], out: &mut Vec<u8>) -> bool {
    while let Some((&b, tail)) = rest.split_first() {
        if b.is_ascii_digit() {
            break;
        }
        if b.is_ascii_alphabetic() {
            out.push(b.to_ascii_uppercase());
        } else if !b.is_ascii() {
            return false;
        }
        *rest = tail;
    }
    true
}

/// `prefix.eq_ignore_ascii_case(word)` for a `word` of ASCII letters only:
/// then setting the case bit on both sides is enough, as only a letter's two
/// cases differ in nothing but that bit.
fn same_letters(prefix: &[u8], word: &[u8]) -> bool {
    prefix.len() == word.len() && prefix.iter().zip(word).all(|(p, w)| p | 0x20 == w | 0x20)
}

/// How many bytes at the start of `bytes` are ASCII digits, eight at a time
/// while eight are left.
fn digits_len(bytes: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (words, _) = bytes.as_chunks::<8>();
    let mut n = 0;
    for word in words {
        // Digits become 0..=9. Adding 0x76 to a byte's low seven bits sets its
        // top bit from 10 up, without a carry into the next byte; a byte with
        // its own top bit set is no digit either.
        let t = u64::from_le_bytes(*word) ^ 0x3030_3030_3030_3030;
        let stop = (((t & !HIGH) + 0x7676_7676_7676_7676) | t) & HIGH;
        if stop != 0 {
            return n + (stop.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + bytes.get(n..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count()
}

fn close_digits(run: Run, zeros_pending: bool, digits_written: bool, out: &mut String) {
    // A group of only zeros keeps one, so "INV-000" does not vanish.
    if run == Run::Digits && zeros_pending && !digits_written {
        out.push('0');
    }
}

fn strip_prefix(prefixes: &[String], out: &mut String) {
    if !out.starts_with(|c: char| c.is_alphabetic()) {
        return;
    }
    let letters = out.find(|c: char| !c.is_alphabetic()).unwrap_or(out.len());
    if letters == 0 || letters == out.len() || !out[letters..].starts_with(|c: char| c.is_ascii_digit()) {
        return;
    }
    if prefixes.iter().any(|p| p.eq_ignore_ascii_case(&out[..letters])) {
        out.drain(..letters);
    }
}

/// Legal-form words dropped from the end of a name before names are compared.
const LEGAL_SUFFIXES: &[&str] = &[
    "AB",
    "AG",
    "AS",
    "BV",
    "BVBA",
    "CO",
    "COMPANY",
    "CORP",
    "CORPORATION",
    "EG",
    "EK",
    "EV",
    "GBR",
    "GMBH",
    "INC",
    "INCORPORATED",
    "KG",
    "KGAA",
    "LIMITED",
    "LLC",
    "LLP",
    "LP",
    "LTD",
    "MBH",
    "NV",
    "OG",
    "OHG",
    "OY",
    "PLC",
    "PTY",
    "SA",
    "SARL",
    "SAS",
    "SE",
    "SL",
    "SPA",
    "SRL",
    "UG",
];

/// Normalizes a payer or customer name: upper case, German umlauts spelt out
/// (`Ä` → `AE`, `ß` → `SS`, as banks transliterate them), dots and apostrophes
/// dropped (`G.m.b.H.` → `GMBH`), other punctuation as spaces, legal-form words
/// (GmbH, Inc, Ltd, LLC, …) dropped from the end, words joined by single spaces.
///
/// ```
/// use ar_reconcile::matching::normalize::normalize_name;
/// assert_eq!(normalize_name("Müller & Söhne GmbH & Co. KG"), "MUELLER SOEHNE");
/// assert_eq!(normalize_name("ACME, Inc."), "ACME");
/// assert_eq!(normalize_name("  acme   ltd "), "ACME");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_name(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    normalize_name_into(raw, &mut out);
    out
}

/// [`normalize_name`] into a reused buffer (cleared first).
pub(crate) fn normalize_name_into(raw: &str, out: &mut String) {
    out.clear();
    if raw.is_ascii() {
        normalize_ascii_name(raw.as_bytes(), out);
    } else {
        normalize_name_chars(raw, out);
    }
    // The list is sorted (a test checks), so a binary search finds a word.
    while let Some(space) = out.rfind(' ') {
        if out.get(space + 1..).is_none_or(|last| LEGAL_SUFFIXES.binary_search(&last).is_err()) {
            break;
        }
        out.truncate(space);
    }
}

/// The rules of [`normalize_name`] for ASCII, the common case: letters and
/// digits in upper case, dots and apostrophes dropped, anything else a gap.
fn normalize_ascii_name(raw: &[u8], out: &mut String) {
    let mut gap = false;
    for &b in raw {
        if b.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(char::from(b.to_ascii_uppercase()));
        } else if b != b'.' && b != b'\'' {
            gap = true;
        }
    }
}

/// Words are written with one space between them as they are met.
fn normalize_name_chars(raw: &str, out: &mut String) {
    let mut gap = false;
    let mut emit = |out: &mut String, c: char| {
        if c.is_whitespace() {
            gap = true;
            return;
        }
        if gap && !out.is_empty() {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    };
    for c in raw.chars() {
        match c {
            'ä' | 'Ä' => "AE".chars().for_each(|c| emit(out, c)),
            'ö' | 'Ö' => "OE".chars().for_each(|c| emit(out, c)),
            'ü' | 'Ü' => "UE".chars().for_each(|c| emit(out, c)),
            'ß' => "SS".chars().for_each(|c| emit(out, c)),
            '.' | '\'' | '’' => {}
            c if c.is_ascii_alphanumeric() => emit(out, c.to_ascii_uppercase()),
            c if c.is_alphanumeric() => c.to_uppercase().for_each(|c| emit(out, c)),
            _ => emit(out, ' '),
        }
    }
}

/// Normalizes an account number or IBAN: upper case letters and digits only.
///
/// ```
/// use ar_reconcile::matching::normalize::normalize_account;
/// assert_eq!(normalize_account("de89 3704-0044 0532 0130 00"), "DE89370400440532013000");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_account(raw: &str) -> String {
    let mut out = Vec::with_capacity(raw.len());
    normalize_account_into(raw, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`normalize_account`] into a reused buffer (cleared first).
pub(crate) fn normalize_account_into(raw: &str, out: &mut Vec<u8>) {
    // Bytes of other chars are never ASCII, so a byte loop keeps exactly the
    // ASCII letters and digits. An account as banks send it often has nothing
    // to drop: then it is copied whole and upper-cased in place, eight bytes
    // at a time.
    let bytes = raw.as_bytes();
    if !copy_alphanumeric_upper(bytes, out) {
        out.clear();
        out.extend(bytes.iter().filter(|b| b.is_ascii_alphanumeric()).map(u8::to_ascii_uppercase));
    }
}

/// `bytes` upper-cased into `out` (cleared first) when it is at least eight
/// bytes long and every byte is an ASCII letter or digit; otherwise `false`
/// and `out` untouched. The last eight bytes are taken as a word of their own,
/// overlapping the others: testing or upper-casing a byte twice does no harm.
fn copy_alphanumeric_upper(bytes: &[u8], out: &mut Vec<u8>) -> bool {
    let Some(last) = bytes.last_chunk::<8>() else { return false };
    let (words, _) = bytes.as_chunks::<8>();
    if !words.iter().chain([last]).all(|w| all_alphanumeric(u64::from_le_bytes(*w))) {
        return false;
    }
    out.clear();
    out.extend_from_slice(bytes);
    let (words, _) = out.as_chunks_mut::<8>();
    words.iter_mut().for_each(upper_case);
    out.last_chunk_mut::<8>().into_iter().for_each(upper_case);
    true
}

/// Whether all eight bytes of `word` are ASCII letters or digits. Once no
/// byte has its top bit set, each sum below stays inside its byte, and its
/// top bit says whether the byte reached the bound.
fn all_alphanumeric(word: u64) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const fn each(byte: u8) -> u64 {
        u64::from_le_bytes([byte; 8])
    }
    if word & HIGH != 0 {
        return false;
    }
    let digit = (word + each(0x80 - b'0')) & !(word + each(0x80 - b'9' - 1));
    // Clearing bit 5 brings `a..=z` onto `A..=Z` and no other byte there.
    let folded = word & !each(0x20);
    let letter = (folded + each(0x80 - b'A')) & !(folded + each(0x80 - b'Z' - 1));
    (digit | letter) & HIGH == HIGH
}

/// Upper-cases eight ASCII letters or digits: of those only the lower-case
/// letters have bits 6 and 5 both set, and clearing bit 5 there upper-cases.
fn upper_case(chunk: &mut [u8; 8]) {
    let word = u64::from_le_bytes(*chunk);
    *chunk = (word & !((word >> 1) & word & 0x2020_2020_2020_2020)).to_le_bytes();
}

/// Splits free remittance text into candidate reference tokens.
///
/// Tokens are split at white space and at `, ; : ( ) [ ] { } " #`; hyphens,
/// slashes and dots stay inside a token because document numbers carry them.
/// Trailing sentence punctuation is trimmed.
///
/// ```
/// use ar_reconcile::matching::normalize::tokens;
/// let t: Vec<&str> = tokens("Pay INV-00042, order 7/123. Thanks").collect();
/// assert_eq!(t, ["Pay", "INV-00042", "order", "7/123", "Thanks"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tokens(text: &str) -> impl Iterator<Item = &str> {
    Pieces { rest: Some(text), ascii: text.is_ascii() }
        .map(|t| t.trim_end_matches(['.', '-', '/', '!', '?']))
        .filter(|t| !t.is_empty())
}

/// Whether `c` ends a token.
fn splits_tokens(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '[' | ']' | '{' | '}' | '"' | '#')
}

/// [`splits_tokens`] for an ASCII byte: `char::is_whitespace` holds, within
/// ASCII, for tab through carriage return (vertical tab and form feed too) and
/// the space.
fn splits_ascii_tokens(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ' | b',' | b';' | b':' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b'#')
}

/// The text between separators, as `str::split` with [`splits_tokens`] gives
/// it (empty pieces included), but a byte at a time when the text is ASCII,
/// the common case, instead of decoding every char.
struct Pieces<'a> {
    rest: Option<&'a str>,
    ascii: bool,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let end = if self.ascii {
            rest.bytes().position(splits_ascii_tokens).map(|at| (at, 1))
        } else {
            rest.char_indices().find(|(_, c)| splits_tokens(*c)).map(|(at, c)| (at, c.len_utf8()))
        };
        match end {
            Some((at, width)) => {
                self.rest = rest.get(at + width..);
                rest.get(..at)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// The number of ASCII digits in `s`.
pub(crate) fn digit_count(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_digit).count()
}

/// The creditor's own reference inside an ISO 11649 reference (`RF18 539007547034`
/// → `539007547034`), or `None` when `raw` does not start with `RF` and two digits.
pub(crate) fn creditor_reference_body(raw: &str) -> Option<String> {
    let compact = normalize_account(raw);
    let bytes = compact.as_bytes();
    if bytes.len() > 4 && bytes.starts_with(b"RF") && bytes[2].is_ascii_digit() && bytes[3].is_ascii_digit() {
        return compact.get(4..).map(str::to_owned);
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::strategy::{Just, Strategy};

    use super::*;

    /// [`key_hash`] with its tail copied into a zeroed word.
    fn padded_word_hash(bytes: &[u8]) -> u64 {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut hash = (bytes.len() as u64).wrapping_mul(K) ^ 0xcbf2_9ce4_8422_2325;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(K).rotate_left(29);
        }
        hash = (hash ^ (hash >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        hash = (hash ^ (hash >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        hash ^ (hash >> 31)
    }

    #[test]
    fn zero_groups_and_separated_digits() {
        let none: [String; 0] = [];
        assert_eq!(normalize_document("000", &none), "0");
        assert_eq!(normalize_document("A-000-1", &none), "A0.1");
        assert_eq!(normalize_document("INV", &["INV".to_owned()]), "INV");
        assert_eq!(normalize_document("INVX12", &["INV".to_owned()]), "INVX12");
        assert_eq!(normalize_document("  --  ", &none), "");
    }

    /// The ASCII path gives what the char path gives (no prefixes).
    fn fast_path_agrees(raw: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        let (mut fast, mut slow) = (Vec::new(), String::new());
        proptest::prop_assert!(normalize_ascii(raw.as_bytes(), &[], &mut fast));
        normalize_chars(raw, &mut slow);
        proptest::prop_assert_eq!(fast, slow.as_bytes());
        Ok(())
    }

    /// `tokens` as it was written first: `str::split` over chars.
    fn tokens_by_chars(text: &str) -> Vec<&str> {
        text.split(splits_tokens)
            .map(|t| t.trim_end_matches(['.', '-', '/', '!', '?']))
            .filter(|t| !t.is_empty())
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]

        /// The byte-at-a-time split of ASCII text equals the char split, every
        /// ASCII control and separator included; text with other chars (non-ASCII
        /// white space among them) takes the char split.
        #[test]
        fn tokens_split_like_the_char_split(
            text in "[a-zA-Z0-9 ,;:()\\[\\]{}\"#./!?\\-\t\n\x0B\x0C\r\x1C\x1F\x00\x7F]{0,40}|[a-z0-9 ,.\u{a0}\u{85}\u{2003}\u{3000}é€-]{0,30}",
        ) {
            let fast: Vec<&str> = tokens(&text).collect();
            proptest::prop_assert_eq!(fast, tokens_by_chars(&text));
        }

        #[test]
        fn ascii_fast_path_equals_the_char_path(raw in "[ -~]{0,24}") {
            fast_path_agrees(&raw)?;
        }

        /// Digit groups of zeros, leading zeros and groups a separator or a
        /// letter splits, which random printable text rarely holds.
        #[test]
        fn ascii_fast_path_equals_the_char_path_on_zero_runs(raw in "(0|00|000|1|07|a|-| ){0,10}") {
            fast_path_agrees(&raw)?;
        }

        #[test]
        fn ascii_fast_path_strips_prefixes_like_the_char_path(
            raw in "(inv|INV|Re|nr|RG|xinv|[a-z]{0,3})[ -/]{0,2}[0-9a-z -/]{0,12}",
        ) {
            let prefixes: Vec<String> = ["INV", "INVOICE", "RE", "RG", "NR"].map(str::to_owned).to_vec();
            let (mut fast, mut slow) = (Vec::new(), String::new());
            proptest::prop_assert!(normalize_ascii(raw.as_bytes(), &prefixes, &mut fast));
            normalize_chars(&raw, &mut slow);
            strip_prefix(&prefixes, &mut slow);
            proptest::prop_assert_eq!(fast, slow.as_bytes());
        }
    }

    /// `normalize_document_into` as it was before it read the head and digit
    /// groups in runs, kept as the oracle for the faster one.
    fn normalize_document_before(raw: &str, prefixes: &[String], out: &mut Vec<u8>) {
        out.clear();
        if raw.is_ascii() {
            normalize_ascii_before(raw.as_bytes(), prefixes, out);
        } else {
            let mut text = String::with_capacity(raw.len());
            normalize_chars(raw, &mut text);
            strip_prefix(prefixes, &mut text);
            out.extend_from_slice(text.as_bytes());
        }
    }

    fn normalize_ascii_before(raw: &[u8], prefixes: &[String], out: &mut Vec<u8>) {
        out.reserve(raw.len());
        let mut digits_last = false;
        let mut any_digit = false;
        let mut i = 0;
        while let Some(&b) = raw.get(i) {
            i += 1;
            if b.is_ascii_digit() {
                if !any_digit {
                    any_digit = true;
                    if !out.is_empty() && prefixes.iter().any(|p| p.as_bytes().eq_ignore_ascii_case(out)) {
                        out.clear();
                    }
                }
                if digits_last {
                    out.push(b'.');
                }
                let mut first = b;
                while first == b'0'
                    && let Some(&next) = raw.get(i).filter(|n| n.is_ascii_digit())
                {
                    first = next;
                    i += 1;
                }
                out.push(first);
                while let Some(&next) = raw.get(i).filter(|n| n.is_ascii_digit()) {
                    out.push(next);
                    i += 1;
                }
                digits_last = true;
            } else if b.is_ascii_alphabetic() {
                out.push(b.to_ascii_uppercase());
                digits_last = false;
            }
        }
    }

    /// `normalize_account_into` as it was before it worked a word at a time.
    fn normalize_account_before(raw: &str, out: &mut Vec<u8>) {
        out.clear();
        let bytes = raw.as_bytes();
        if bytes.iter().fold(true, |all, b| all & b.is_ascii_alphanumeric()) {
            out.extend_from_slice(bytes);
            out.make_ascii_uppercase();
        } else {
            out.extend(bytes.iter().filter(|b| b.is_ascii_alphanumeric()).map(u8::to_ascii_uppercase));
        }
    }

    /// Pieces of document numbers as payers write them: prefixes in mixed
    /// case, digit groups with and without leading zeros, groups of only
    /// zeros, separators, stray letters, and now and then a byte that is not
    /// ASCII (so the char path is taken) or a char at the edge of a class.
    fn document_piece() -> impl Strategy<Value = String> {
        proptest::prop_oneof![
            4 => proptest::sample::select(&["INV", "inv", "Inv", "iNv", "INVOICE", "re", "Re", "RG", "nr", "NR", "SO", "x", "Q"][..])
                .prop_map(str::to_owned),
            4 => "[0-9]{1,12}",
            3 => "0{1,9}[0-9]{0,9}",
            2 => "0{1,4}",
            4 => proptest::sample::select(&["-", ".", "/", " ", "  ", "\t", "-/", " - "][..]).prop_map(str::to_owned),
            2 => "[a-zA-Z]{1,4}",
            1 => proptest::sample::select(&["ä", "É", "ß", "١", "Ⅻ", "\u{a0}", "@", "[", "`", "{", "\u{7f}"][..]).prop_map(str::to_owned),
        ]
    }

    fn document_number() -> impl Strategy<Value = String> {
        proptest::prop_oneof![
            1 => Just(String::new()),
            1 => "[0-9]{1,20}",
            1 => "0{1,20}",
            1 => (0u32..=1_100_000).prop_map(|n| format!("INV-{n:08}")),
            6 => proptest::collection::vec(document_piece(), 0..7).prop_map(|p| p.concat()),
        ]
    }

    /// The default prefixes, none, and odd ones: lower case, empty, with a digit, not ASCII.
    fn prefix_lists() -> impl Strategy<Value = Vec<String>> {
        proptest::prop_oneof![
            Just(["INV", "INVOICE", "RE", "RG", "NR"].map(str::to_owned).to_vec()),
            Just(Vec::new()),
            Just(["inv", "", "So", "A1", "RÄ"].map(str::to_owned).to_vec()),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(6_000))]

        #[test]
        fn document_normal_form_is_the_one_before_the_run_reader(
            raw in document_number(),
            prefixes in prefix_lists(),
        ) {
            let (mut fast, mut before) = (b"left over".to_vec(), Vec::new());
            normalize_document_into(&raw, &prefixes, &mut fast);
            normalize_document_before(&raw, &prefixes, &mut before);
            proptest::prop_assert_eq!(fast, before);
        }

        /// The key borrowed from the number is the normal form written out.
        #[test]
        fn document_key_is_the_normal_form(
            raw in proptest::prop_oneof![
                document_number(),
                "(INV|inv|Re|SO|[a-z]{0,3}|)[ -/#.:]{0,3}(0{0,4}[0-9]{0,6}|0{1,3}|0{6,18}[1-9]?[0-9]{0,4})[a-z0-9 ]{0,2}",
            ],
            prefixes in prefix_lists(),
        ) {
            let (mut buf, mut written) = (b"left over".to_vec(), Vec::new());
            normalize_document_into(&raw, &prefixes, &mut written);
            proptest::prop_assert_eq!(document_key(&raw, &prefixes, &mut buf), written.as_slice());
        }

        #[test]
        fn account_normal_form_is_the_one_before_the_word_reader(
            raw in proptest::prop_oneof![
                "[A-Z]{2}[0-9]{2}[0-9A-Za-z]{4,30}",
                "[0-9a-zA-Z]{0,40}",
                "[0-9a-zA-Z@\\[`{/:]{0,40}",
                "[0-9a-zA-Z ä\u{80}-]{0,40}",
            ],
        ) {
            let (mut fast, mut before) = (b"left over".to_vec(), Vec::new());
            normalize_account_into(&raw, &mut fast);
            normalize_account_before(&raw, &mut before);
            proptest::prop_assert_eq!(fast, before);
        }
    }

    /// The word-at-a-time helpers against the byte tests they stand for, for
    /// every byte at every place in a word.
    #[test]
    fn word_helpers_agree_with_the_byte_tests() {
        for b in 0..=u8::MAX {
            for at in 0..8 {
                let mut chunk = *b"a0Zz9Aq5";
                chunk[at] = b;
                let word = u64::from_le_bytes(chunk);
                assert_eq!(all_alphanumeric(word), b.is_ascii_alphanumeric(), "byte {b:#x} at {at}");
                if b.is_ascii_alphanumeric() {
                    let mut upper = chunk;
                    upper_case(&mut upper);
                    assert_eq!(upper, chunk.map(|c| c.to_ascii_uppercase()), "byte {b:#x} at {at}");
                }
                let mut digits = *b"1234567890123";
                digits[at] = b;
                let want = if b.is_ascii_digit() { digits.len() } else { at };
                assert_eq!(digits_len(&digits), want, "byte {b:#x} at {at}");
                // Thirteen bytes are a word and a tail of five; from the sixth, one word.
                let want = if b.is_ascii_digit() || at < 5 { 8 } else { at - 5 };
                assert_eq!(digits_len(&digits[5..]), want, "byte {b:#x} at {at}");
            }
            for w in (b'A'..=b'Z').chain(b'a'..=b'z') {
                assert_eq!(same_letters(&[b], &[w]), [b].eq_ignore_ascii_case(&[w]), "{b:#x} {w:#x}");
            }
        }
        assert!(!same_letters(b"INV", b"IN"));
        assert!(same_letters(b"Inv", b"iNV"));
    }

    /// The first implementation, kept as the reference for the buffered one.
    #[test]
    fn legal_suffixes_are_sorted_for_binary_search() {
        assert!(LEGAL_SUFFIXES.windows(2).all(|w| w[0] < w[1]));
    }

    fn normalize_name_naive(raw: &str) -> String {
        let mut spelled = String::with_capacity(raw.len());
        for c in raw.chars() {
            match c {
                'ä' | 'Ä' => spelled.push_str("AE"),
                'ö' | 'Ö' => spelled.push_str("OE"),
                'ü' | 'Ü' => spelled.push_str("UE"),
                'ß' => spelled.push_str("SS"),
                '.' | '\'' | '’' => {}
                c if c.is_alphanumeric() => spelled.extend(c.to_uppercase()),
                _ => spelled.push(' '),
            }
        }
        let mut words: Vec<&str> = spelled.split_whitespace().collect();
        while words.len() > 1 && words.last().is_some_and(|w| LEGAL_SUFFIXES.contains(w)) {
            words.pop();
        }
        words.join(" ")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]

        #[test]
        fn buffered_name_equals_the_naive_one(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    "[ -~]{0,8}",
                    "[a-zA-Z äöüÄÖÜßéÉ’'.&,-]{0,10}",
                    proptest::sample::select(LEGAL_SUFFIXES).prop_map(str::to_owned),
                    proptest::sample::select(&["gmbh", "G.m.b.H.", "inc.", "Co.", " ", "\t", "ŉ", "ǅ"][..]).prop_map(str::to_owned),
                ],
                0..6,
            )
        ) {
            let raw = words.join(" ");
            proptest::prop_assert_eq!(normalize_name(&raw), normalize_name_naive(&raw));
        }

        #[test]
        fn ascii_name_path_equals_the_char_path(raw in "[ -~]{0,30}") {
            let (mut fast, mut slow) = (String::new(), String::new());
            normalize_ascii_name(raw.as_bytes(), &mut fast);
            normalize_name_chars(&raw, &mut slow);
            proptest::prop_assert_eq!(fast, slow);
        }

        #[test]
        fn account_keeps_ascii_letters_and_digits_in_upper_case(
            raw in proptest::prop_oneof!["[a-zA-Z0-9]{0,30}", "[ -~äÄßé€\u{a0}]{0,40}"],
        ) {
            let want: String = raw.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
            proptest::prop_assert_eq!(normalize_account(&raw), want);
        }

        #[test]
        fn key_hash_separates_what_equality_separates(a in "[ -~]{0,20}", b in "[ -~]{0,20}") {
            proptest::prop_assert_eq!(key_hash(a.as_bytes()) == key_hash(b.as_bytes()), a == b);
        }

        /// The tail read by two overlapping loads is the zero-padded little-endian word.
        #[test]
        fn key_hash_reads_the_tail_as_a_padded_word(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            proptest::prop_assert_eq!(key_hash(&bytes), padded_word_hash(&bytes));
        }
    }

    #[test]
    fn creditor_reference() {
        assert_eq!(creditor_reference_body("RF18 5390 0754 7034").as_deref(), Some("539007547034"));
        assert_eq!(creditor_reference_body("RFX8123"), None);
    }
}
