//! Helpers every bank-file reader shares: the input size bound, diagnostics,
//! exact amount parsing, text joining, ISO 11649 creditor references and the
//! statement balance check.
//!
//! These are `pub(crate)` and meant to stay stable: each reader builds on them, so a
//! change here changes every format at once.

use ar_core::{Currency, Money};
use rust_decimal::Decimal;

use crate::statement::{Diagnostic, Position, Reference, Severity, Statement};

/// The largest input any reader accepts, in bytes (256 MiB).
///
/// Bank files are far smaller (a busy account's daily camt.053 is a few MiB); the
/// bound keeps a hostile or mistaken input from exhausting memory.
pub const MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;

/// `Some(input_too_large)` if `input` exceeds [`MAX_INPUT_BYTES`]; the reader then
/// returns that diagnostic alone.
pub(crate) fn check_input_size(input: &[u8]) -> Option<Diagnostic> {
    (input.len() > MAX_INPUT_BYTES).then(|| {
        error(
            Position::File,
            "input_too_large",
            format!("the file has {} bytes; at most {MAX_INPUT_BYTES} bytes are read", input.len()),
        )
    })
}

/// An error diagnostic.
pub(crate) fn error(position: Position, code: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic { severity: Severity::Error, position, code: code.to_owned(), message: message.into() }
}

/// A warning diagnostic.
pub(crate) fn warning(position: Position, code: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic { severity: Severity::Warning, position, code: code.to_owned(), message: message.into() }
}

/// How an amount's text separates decimals and groups thousands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AmountFormat {
    /// The decimal separator (`.` or `,`).
    pub decimal: u8,
    /// The thousands separator, if the text may group digits (`,`, `.`, `'` or a space).
    /// Groups are checked: `1,234.56` reads, `1,23.56` does not.
    pub thousands: Option<u8>,
}

impl AmountFormat {
    /// `1234.56`: ISO 20022, BAI2 with decimals, US exports without grouping.
    pub const POINT: AmountFormat = AmountFormat { decimal: b'.', thousands: None };
    /// `1234,56`: MT940 and many European exports without grouping.
    pub const COMMA: AmountFormat = AmountFormat { decimal: b',', thousands: None };
}

/// Why an amount's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AmountError {
    /// Nothing where an amount was expected.
    #[error("the amount is empty")]
    Empty,
    /// Not a number in the expected format.
    #[error("'{text}' is not an amount")]
    Invalid {
        /// The text as found.
        text: String,
    },
    /// More decimals than the currency has (`10.005` in EUR, `100.50` in JPY).
    #[error("'{text}' has more decimals than {currency} allows ({max} at most)")]
    TooManyDecimals {
        /// The text as found.
        text: String,
        /// The currency the amount is in.
        currency: Currency,
        /// The currency's minor units.
        max: u32,
    },
    /// Too large to keep exactly.
    #[error("'{text}' is too large to be an amount")]
    OutOfRange {
        /// The text as found.
        text: String,
    },
}

/// Reads an unsigned ISO 20022 amount (`1234.56`, `.5` and `12.` are refused) in
/// `currency`. Trailing zeros past the currency's scale are accepted (`10.500 EUR`);
/// any other extra decimal is [`AmountError::TooManyDecimals`].
pub(crate) fn parse_amount(text: &str, currency: Currency) -> Result<Money, AmountError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AmountError::Empty);
    }
    let (int, frac) = match trimmed.split_once('.') {
        Some((int, frac)) => (int, Some(frac.as_bytes())),
        None => (trimmed, None),
    };
    minor_from_parts(int.as_bytes(), frac, currency, trimmed, None)
}

/// `-money`. The range of [`Money`] is symmetric, so this cannot fail.
pub(crate) fn negate(money: Money) -> Money {
    Money::from_minor(-money.minor(), money.currency()).unwrap_or(money)
}

/// Reads a signed amount written as `format` says: an optional leading `+`/`-`, a
/// trailing `-` (`12,50-`), or accounting parentheses (`(12.50)`); a currency symbol
/// (`$ € £ ¥`) next to the number is ignored.
pub(crate) fn parse_signed_amount(text: &str, currency: Currency, format: AmountFormat) -> Result<Money, AmountError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AmountError::Empty);
    }
    let invalid = || AmountError::Invalid { text: trimmed.to_owned() };
    let (negative, body) = split_sign(trimmed).ok_or_else(invalid)?;
    let body = body.trim_matches(|c: char| c.is_whitespace() || matches!(c, '$' | '€' | '£' | '¥'));
    let bytes = body.as_bytes();
    let (int, frac) = match bytes.iter().position(|&b| b == format.decimal) {
        Some(at) => (&bytes[..at], bytes.get(at + 1..)),
        None => (bytes, None),
    };
    let money = minor_from_parts(int, frac, currency, trimmed, format.thousands)?;
    Ok(if negative { negate(money) } else { money })
}

/// Reads an amount whose minor units are implied (BAI2 `150000` = 1500.00 USD):
/// an optional sign, then digits only.
pub(crate) fn money_from_implied_decimals(text: &str, currency: Currency) -> Result<Money, AmountError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let minor =
        accumulate_digits(0, digits.as_bytes()).ok_or_else(|| classify_bad_digits(trimmed, digits.as_bytes()))?;
    let signed = if negative { -minor } else { minor };
    money_from_i128(signed, currency, trimmed)
}

/// Splits a leading/trailing sign or parentheses from `text`; `None` if signs are mixed.
fn split_sign(text: &str) -> Option<(bool, &str)> {
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        return (!inner.contains(['-', '+', '(', ')'])).then_some((true, inner));
    }
    let (lead_neg, rest) = match text.as_bytes().first() {
        Some(b'-') => (Some(true), &text[1..]),
        Some(b'+') => (Some(false), &text[1..]),
        _ => (None, text),
    };
    let (trail_neg, rest) = match rest.as_bytes().last() {
        Some(b'-') => (Some(true), &rest[..rest.len() - 1]),
        Some(b'+') => (Some(false), &rest[..rest.len() - 1]),
        _ => (None, rest),
    };
    match (lead_neg, trail_neg) {
        (Some(_), Some(_)) => None,
        (sign, None) | (None, sign) => Some((sign.unwrap_or(false), rest)),
    }
}

/// Integer and fraction digits to exact minor units of `currency`. A decimal
/// separator with no digits after it (`frac == Some(b"")`) is refused. `thousands`,
/// if given, may separate groups of three in the integer part.
fn minor_from_parts(
    int: &[u8],
    frac: Option<&[u8]>,
    currency: Currency,
    text: &str,
    thousands: Option<u8>,
) -> Result<Money, AmountError> {
    let invalid = || AmountError::Invalid { text: text.to_owned() };
    if int.is_empty() || frac.is_some_and(<[u8]>::is_empty) {
        return Err(invalid());
    }
    let frac = frac.unwrap_or_default();
    let whole = match thousands {
        Some(sep) if int.contains(&sep) => grouped_digits(int, sep).ok_or_else(invalid)?,
        _ => accumulate_digits(0, int).ok_or_else(|| classify_bad_digits(text, int))?,
    };
    let scale = currency.minor_units() as usize;
    let (kept, dropped) = frac.split_at(frac.len().min(scale));
    if !frac.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    if dropped.iter().any(|&d| d != b'0') {
        return Err(AmountError::TooManyDecimals { text: text.to_owned(), currency, max: currency.minor_units() });
    }
    let mut minor = whole;
    for i in 0..scale {
        let digit = kept.get(i).map_or(0, |d| i128::from(d - b'0'));
        minor = minor.checked_mul(10).and_then(|m| m.checked_add(digit)).ok_or_else(|| out_of_range(text))?;
    }
    money_from_i128(minor, currency, text)
}

/// Digits grouped by `sep` in threes after the first group (`1,234,567`).
fn grouped_digits(int: &[u8], sep: u8) -> Option<i128> {
    let mut groups = int.split(|&b| b == sep);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    let mut value = accumulate_digits(0, first)?;
    for group in groups {
        if group.len() != 3 {
            return None;
        }
        value = accumulate_digits(value, group)?;
    }
    Some(value)
}

/// `start` followed by the decimal `digits`; `None` if empty, not all digits, or too long.
fn accumulate_digits(start: i128, digits: &[u8]) -> Option<i128> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(start, |acc, &d| {
        if d.is_ascii_digit() { acc.checked_mul(10)?.checked_add(i128::from(d - b'0')) } else { None }
    })
}

fn classify_bad_digits(text: &str, digits: &[u8]) -> AmountError {
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        out_of_range(text)
    } else {
        AmountError::Invalid { text: text.to_owned() }
    }
}

fn out_of_range(text: &str) -> AmountError {
    AmountError::OutOfRange { text: text.to_owned() }
}

fn money_from_i128(minor: i128, currency: Currency, text: &str) -> Result<Money, AmountError> {
    let minor = i64::try_from(minor).map_err(|_| out_of_range(text))?;
    Money::from_minor(minor, currency).map_err(|_| out_of_range(text))
}

/// Appends `part` to `dst` with whitespace runs collapsed to one space and a single
/// space between parts, as [`BankLine::remittance_text`](crate::BankLine) is defined.
pub(crate) fn push_text(dst: &mut String, part: &str) {
    for word in part.split_whitespace() {
        if !dst.is_empty() {
            dst.push(' ');
        }
        dst.push_str(word);
    }
}

/// Adds `reference` unless an equal one is already there (file order is kept).
pub(crate) fn push_reference(references: &mut Vec<Reference>, reference: Reference) {
    if !references.contains(&reference) {
        references.push(reference);
    }
}

/// Decodes Windows-1252 (a superset of ISO 8859-1 for printable text), the usual
/// encoding of bank exports that are not UTF-8.
pub(crate) fn decode_windows_1252(bytes: &[u8]) -> String {
    // 0x80..=0x9F differ from ISO 8859-1; undefined slots map to U+FFFD.
    const HIGH: [char; 32] = [
        '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž', '\u{FFFD}',
        '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{FFFD}', 'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// The longest an ISO 11649 creditor reference can be: `RF`, two check digits and
/// up to 21 characters.
const CREDITOR_REFERENCE_MAX_LEN: usize = 25;

/// `true` if `reference` is a valid ISO 11649 creditor reference as written without
/// spaces (`RF18539007547034`): `RF`, two check digits, 1–21 letters or digits, and
/// the mod-97 check (ISO 7064) gives 1. Letters may be in either case.
pub(crate) fn is_valid_creditor_reference(reference: &str) -> bool {
    let bytes = reference.as_bytes();
    let well_formed = (5..=CREDITOR_REFERENCE_MAX_LEN).contains(&bytes.len())
        && bytes[..2].eq_ignore_ascii_case(b"RF")
        && bytes[2..4].iter().all(u8::is_ascii_digit)
        && bytes[4..].iter().all(u8::is_ascii_alphanumeric);
    // The check digits move behind the body; letters count as 10..=35.
    well_formed && bytes[4..].iter().chain(&bytes[..4]).fold(0u32, mod97_step) == 1
}

fn mod97_step(acc: u32, &b: &u8) -> u32 {
    match b {
        b'0'..=b'9' => (acc * 10 + u32::from(b - b'0')) % 97,
        _ => (acc * 100 + u32::from(b.to_ascii_uppercase() - b'A') + 10) % 97,
    }
}

/// The creditor reference in `text` normalized (spaces removed, upper case) if the
/// whole of `text` is one valid reference, possibly printed in groups
/// (`RF18 5390 0754 7034`).
pub(crate) fn normalize_creditor_reference(text: &str) -> Option<String> {
    let compact: String = text.split_whitespace().collect::<String>().to_ascii_uppercase();
    is_valid_creditor_reference(&compact).then_some(compact)
}

/// Every valid creditor reference found in free text, normalized, in order of
/// appearance. A reference may be printed in groups separated by spaces
/// (`RF18 5390 0754 7034`); punctuation ends it. Of the candidates that start at an
/// `RF` word, the longest run of whole words that passes the check wins, so a random
/// word after the reference cannot join it.
pub(crate) fn find_creditor_references(text: &str) -> Vec<String> {
    // Most texts hold no reference; skip the word split for them.
    if !text.as_bytes().windows(2).any(|w| w.eq_ignore_ascii_case(b"RF")) {
        return Vec::new();
    }
    let words = alphanumeric_words(text);
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        match creditor_reference_at(&words[i..]) {
            Some((reference, used)) => {
                if !found.contains(&reference) {
                    found.push(reference);
                }
                i += used;
            }
            None => i += 1,
        }
    }
    found
}

/// The maximal runs of ASCII letters and digits in `text`, each with whether only
/// whitespace separates it from the next run.
fn alphanumeric_words(text: &str) -> Vec<(&str, bool)> {
    let bytes = text.as_bytes();
    let mut words: Vec<(&str, bool)> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let gap = bytes[at..].iter().position(u8::is_ascii_alphanumeric).map_or(bytes.len(), |n| at + n);
        if let Some(last) = words.last_mut() {
            last.1 = bytes[at..gap].iter().all(u8::is_ascii_whitespace);
        }
        if gap == bytes.len() {
            break;
        }
        let end = bytes[gap..].iter().position(|b| !b.is_ascii_alphanumeric()).map_or(bytes.len(), |n| gap + n);
        // Both ends sit next to ASCII bytes (or the text's ends), so they are char boundaries.
        words.push((text.get(gap..end).unwrap_or_default(), false));
        at = end;
    }
    words
}

/// A creditor reference starting at `words[0]`, with the number of words it used.
fn creditor_reference_at(words: &[(&str, bool)]) -> Option<(String, usize)> {
    let (first, _) = words.first()?;
    if !first.get(..2).is_some_and(|rf| rf.eq_ignore_ascii_case("RF")) {
        return None;
    }
    let mut candidate = String::new();
    let mut best = None;
    for (n, (word, joined)) in words.iter().enumerate() {
        candidate.push_str(word);
        if candidate.len() > CREDITOR_REFERENCE_MAX_LEN {
            break;
        }
        if is_valid_creditor_reference(&candidate) {
            best = Some((candidate.to_ascii_uppercase(), n + 1));
        }
        if !joined {
            break;
        }
    }
    best
}

/// Checks that opening balance plus the sum of the lines equals the closing balance.
///
/// Returns a `balance_mismatch` error diagnostic at `position` when it does not, or
/// when a balance or a line is in another currency than the statement. A statement
/// without both balances cannot be checked and gives `None`. Sums are exact (`i128`
/// minor units).
pub(crate) fn check_balance(statement: &Statement, position: Position) -> Option<Diagnostic> {
    let (opening, closing) = (statement.opening.as_ref()?, statement.closing.as_ref()?);
    let currency = statement.currency;
    let foreign = std::iter::once(opening.amount)
        .chain(std::iter::once(closing.amount))
        .chain(statement.lines.iter().map(|l| l.amount))
        .find(|m| m.currency() != currency);
    if let Some(other) = foreign {
        let message = format!("cannot check the balance: {other} is not in the statement currency {currency}");
        return Some(error(position, "balance_mismatch", message));
    }
    let net: i128 = statement.lines.iter().map(|l| i128::from(l.amount.minor())).sum();
    let expected = i128::from(opening.amount.minor()) + net;
    let actual = i128::from(closing.amount.minor());
    (expected != actual).then(|| {
        let show = |minor: i128| format_minor(minor, currency);
        let message = format!(
            "opening balance {} plus the entries ({}) gives {}, but the closing balance is {} (difference {})",
            show(opening.amount.minor().into()),
            show(net),
            show(expected),
            show(actual),
            show(actual - expected),
        );
        error(position, "balance_mismatch", message)
    })
}

/// Minor units as `1234.56 EUR`, for messages.
pub(crate) fn format_minor(minor: i128, currency: Currency) -> String {
    match Decimal::try_from_i128_with_scale(minor, currency.minor_units()) {
        Ok(amount) => format!("{amount} {currency}"),
        Err(_) => format!("{minor} minor units of {currency}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    use crate::statement::{Balance, BankLine};

    fn eur(amount: Decimal) -> Money {
        Money::new(amount, Currency::EUR).unwrap()
    }

    #[test]
    fn iso_amounts_read_exactly_at_the_currency_scale() {
        assert_eq!(parse_amount("1234.56", Currency::EUR), Ok(eur(dec!(1234.56))));
        assert_eq!(parse_amount(" 7 ", Currency::EUR), Ok(eur(dec!(7))));
        assert_eq!(parse_amount("10.5", Currency::EUR), Ok(eur(dec!(10.50))));
        assert_eq!(parse_amount("10.500", Currency::EUR), Ok(eur(dec!(10.50))));
        assert_eq!(parse_amount("100", Currency::JPY).unwrap().minor(), 100);
        assert_eq!(parse_amount("1.234", Currency::KWD).unwrap().minor(), 1234);
        assert!(matches!(parse_amount("10.005", Currency::EUR), Err(AmountError::TooManyDecimals { max: 2, .. })));
        assert!(matches!(parse_amount("100.50", Currency::JPY), Err(AmountError::TooManyDecimals { max: 0, .. })));
        for bad in ["", "-5.00", "+5", "5,00", ".5", "5.", "1e3", "5.0.0", "1 000", "٣"] {
            assert!(parse_amount(bad, Currency::EUR).is_err(), "{bad:?} must not read");
        }
        assert!(matches!(parse_amount("99999999999999999999999", Currency::EUR), Err(AmountError::OutOfRange { .. })));
        assert!(matches!(
            parse_amount("99999999999999999999999999999999999999999", Currency::EUR),
            Err(AmountError::OutOfRange { .. })
        ));
    }

    #[test]
    fn signed_amounts_honour_separators_and_sign_styles() {
        let de = AmountFormat { decimal: b',', thousands: Some(b'.') };
        let us = AmountFormat { decimal: b'.', thousands: Some(b',') };
        let read = |t, f| parse_signed_amount(t, Currency::EUR, f).map(|m| m.amount());
        assert_eq!(read("1.234,56", de), Ok(dec!(1234.56)));
        assert_eq!(read("-1.234,56", de), Ok(dec!(-1234.56)));
        assert_eq!(read("1.234,56-", de), Ok(dec!(-1234.56)));
        assert_eq!(read("12,5", de), Ok(dec!(12.50)));
        assert_eq!(read("(1,234.56)", us), Ok(dec!(-1234.56)));
        assert_eq!(read("$1,234,567.00", us), Ok(dec!(1234567.00)));
        assert_eq!(read("+0.01", us), Ok(dec!(0.01)));
        assert_eq!(read("1234.5", AmountFormat::POINT), Ok(dec!(1234.5)));
        for bad in ["1,23.56", "1,2345.00", ",123.00", "-12-", "(-5)", "1.234,567", "12,", "abc", "-", "()"] {
            assert!(read(bad, us).is_err() || read(bad, de).is_err(), "{bad:?} must not read in both styles");
        }
        assert!(read("1,23.56", us).is_err());
        assert!(read("1.234,567", de).is_err());
        assert!(read("1.5", de).is_err(), "a single group of one digit is not a thousands group");
    }

    #[test]
    fn implied_decimals_are_minor_units() {
        assert_eq!(money_from_implied_decimals("150000", Currency::USD).unwrap().amount(), dec!(1500.00));
        assert_eq!(money_from_implied_decimals("-5", Currency::USD).unwrap().amount(), dec!(-0.05));
        assert_eq!(money_from_implied_decimals("150", Currency::JPY).unwrap().amount(), dec!(150));
        assert!(money_from_implied_decimals("15.00", Currency::USD).is_err());
        assert!(money_from_implied_decimals("", Currency::USD).is_err());
        assert!(money_from_implied_decimals("-", Currency::USD).is_err());
    }

    #[test]
    fn known_creditor_references_validate() {
        assert!(is_valid_creditor_reference("RF18539007547034"));
        assert!(is_valid_creditor_reference("RF18000000000539007547034"));
        assert!(is_valid_creditor_reference("rf18539007547034"));
        assert!(is_valid_creditor_reference("RF712348231"));
        for bad in ["RF19539007547034", "RF18539007547035", "RF1853900754703", "RF18", "XX18539007547034", ""] {
            assert!(!is_valid_creditor_reference(bad), "{bad:?} must fail the check");
        }
        assert!(!is_valid_creditor_reference("RF18 5390 0754 7034"), "spaces are normalized by the caller");
        assert!(!is_valid_creditor_reference("RF1800000000000539007547034"), "longer than 25 characters");
        assert_eq!(normalize_creditor_reference(" rf18 5390 0754 7034 ").as_deref(), Some("RF18539007547034"));
        assert_eq!(normalize_creditor_reference("RF18 5390 0754 7035"), None);
    }

    #[test]
    fn creditor_references_are_found_in_free_text() {
        assert_eq!(find_creditor_references("Payment RF18 5390 0754 7034 invoice 12"), ["RF18539007547034"]);
        assert_eq!(find_creditor_references("ref:(RF18539007547034), thanks"), ["RF18539007547034"]);
        assert_eq!(find_creditor_references("RF712348231 and RF18539007547034."), ["RF712348231", "RF18539007547034"]);
        assert_eq!(find_creditor_references("RF18539007547034 RF18539007547034"), ["RF18539007547034"]);
        assert!(find_creditor_references("RF19 5390 0754 7034 REFUND").is_empty());
        assert!(find_creditor_references("SURF18539007547034").is_empty(), "must start a word");
        assert!(find_creditor_references("").is_empty());
    }

    #[test]
    fn push_text_joins_with_single_spaces() {
        let mut text = String::new();
        push_text(&mut text, "  INVOICE   1001 ");
        push_text(&mut text, "");
        push_text(&mut text, "\tand\n1002");
        assert_eq!(text, "INVOICE 1001 and 1002");
    }

    #[test]
    fn windows_1252_decodes_the_euro_sign_and_umlauts() {
        assert_eq!(decode_windows_1252(b"\x80 M\xfcller \xc4"), "€ Müller Ä");
    }

    fn line(amount: Decimal) -> BankLine {
        BankLine::new(NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(), eur(amount))
    }

    fn statement(opening: Decimal, lines: &[Decimal], closing: Decimal) -> Statement {
        let date = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        Statement {
            id: None,
            account: "DE89370400440532013000".into(),
            currency: Currency::EUR,
            opening: Some(Balance { amount: eur(opening), date }),
            closing: Some(Balance { amount: eur(closing), date }),
            lines: lines.iter().copied().map(line).collect(),
        }
    }

    #[test]
    fn balance_check_reports_the_difference() {
        assert_eq!(check_balance(&statement(dec!(100), &[dec!(50), dec!(-20.5)], dec!(129.5)), Position::File), None);
        let diagnostic = check_balance(&statement(dec!(100), &[dec!(50)], dec!(140)), Position::File).unwrap();
        assert_eq!(diagnostic.code, "balance_mismatch");
        assert_eq!(diagnostic.severity, Severity::Error);
        assert!(diagnostic.message.contains("difference -10.00 EUR"), "{}", diagnostic.message);
        let mut open_only = statement(dec!(100), &[dec!(50)], dec!(140));
        open_only.closing = None;
        assert_eq!(check_balance(&open_only, Position::File), None);
    }

    #[test]
    fn input_bound_is_enforced() {
        assert!(check_input_size(b"small").is_none());
    }
}
