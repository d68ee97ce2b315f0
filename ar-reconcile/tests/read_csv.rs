//! The CSV reader against German and US style exports, bad rows, bad mappings,
//! a formatting round trip and random mutations.
#![cfg(feature = "csv")]
#![allow(clippy::unwrap_used)]

use ar_core::{Currency, Money};
use ar_reconcile::readers::csv::{self, CsvMapping, SignConvention, TextEncoding};
use ar_reconcile::{Diagnostic, Position, ReadOutcome, Reference, Severity};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const DE: &[u8] = include_bytes!("data/csv/de_soll_haben.csv");
const US: &[u8] = include_bytes!("data/csv/us_signed.csv");
const BAD: &[u8] = include_bytes!("data/csv/bad_rows.csv");

fn money(amount: Decimal, currency: Currency) -> Money {
    Money::new(amount, currency).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn german() -> CsvMapping {
    CsvMapping::new()
        .delimiter(b';')
        .skip_lines(2)
        .booking_date("Buchungstag")
        .value_date("Wert")
        .debit_credit("Soll", "Haben")
        .currency_column("Währung")
        .decimal_comma()
        .date_formats(["%d.%m.%Y"])
        .encoding(TextEncoding::Windows1252)
        .counterparty_name("Begünstigter / Auftraggeber")
        .counterparty_account("IBAN")
        .transaction_code("Umsatzart")
        .remittance_text("Verwendungszweck")
        .account("DE89370400440532013000")
}

fn us() -> CsvMapping {
    CsvMapping::new()
        .booking_date("Posting Date")
        .amount("Amount")
        .thousands_separator(Some(b','))
        .currency(Currency::USD)
        .date_formats(["%m/%d/%Y"])
        .transaction_code("Type")
        .remittance_text("Description")
}

fn lines_of(outcome: &ReadOutcome) -> Vec<(i64, Currency)> {
    outcome.statements.iter().flat_map(|s| &s.lines).map(|l| (l.amount.minor(), l.amount.currency())).collect()
}

fn row_codes(outcome: &ReadOutcome) -> Vec<(usize, &str)> {
    outcome
        .diagnostics
        .iter()
        .map(|d| match d.position {
            Position::Line(line) => (line, d.code.as_str()),
            _ => (0, d.code.as_str()),
        })
        .collect()
}

/// What every outcome must satisfy, whatever the input.
fn assert_well_formed(outcome: &ReadOutcome) {
    let mut currencies = Vec::new();
    for statement in &outcome.statements {
        assert!(!currencies.contains(&statement.currency), "one statement per currency");
        currencies.push(statement.currency);
        assert!(!statement.lines.is_empty());
        for line in &statement.lines {
            assert_eq!(line.amount.currency(), statement.currency);
            assert!(!line.remittance_text.contains("  "));
        }
    }
    let lines: Vec<usize> = outcome
        .diagnostics
        .iter()
        .filter_map(|d| match d.position {
            Position::Line(line) => Some(line),
            _ => None,
        })
        .collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "at most one diagnostic per row, in file order: {lines:?}");
    assert!(outcome.diagnostics.iter().all(|d| d.severity == Severity::Error));
}

#[test]
fn german_soll_haben_export_reads_with_signs_from_the_columns() {
    let outcome = csv::read(DE, &german());
    // The trailer "Kontostand vom 31.03.2024:" is no transaction: reported, not read.
    assert_eq!(row_codes(&outcome), [(8, "bad_date")]);
    let [statement] = outcome.statements.as_slice() else { panic!("one EUR statement") };
    assert_eq!(statement.account, "DE89370400440532013000");
    assert_eq!(statement.currency, Currency::EUR);
    let eur = |a| money(a, Currency::EUR);
    let amounts: Vec<Money> = statement.lines.iter().map(|l| l.amount).collect();
    assert_eq!(amounts, [eur(dec!(1176.00)), eur(dec!(-89.50)), eur(dec!(12000.00)), eur(dec!(-4.90))]);
    // The preamble's balance plus the rows gives the trailer's balance.
    let net: i64 = amounts.iter().map(Money::minor).sum();
    assert_eq!(1_234_567 + net, 2_542_727);

    let [first, second, third, fourth] = statement.lines.as_slice() else { unreachable!() };
    assert_eq!((first.booking_date, first.value_date), (date(2024, 3, 1), Some(date(2024, 3, 1))));
    assert_eq!(first.transaction_code.as_deref(), Some("SEPA-Überweisung von"));
    assert_eq!(first.counterparty_name.as_deref(), Some("ACME Handels GmbH"));
    assert_eq!(first.counterparty_account.as_deref(), Some("DE02120300000000202051"));
    assert_eq!(first.references, [Reference::Creditor("RF18539007547034".into())]);
    assert_eq!(second.remittance_text, "Strom März \"Abschlag\"");
    assert_eq!(second.counterparty_name.as_deref(), Some("Stadtwerke Köln"));
    assert_eq!((third.booking_date, third.value_date), (date(2024, 3, 5), Some(date(2024, 3, 6))));
    assert_eq!(third.remittance_text, "Rechnung 61; Kd 4711", "a quoted delimiter stays in the field");
    assert_eq!(third.counterparty_name.as_deref(), Some("Müller & Söhne KG"));
    assert_eq!(fourth.counterparty_name, None);
    assert_eq!(fourth.remittance_text, "Kontoführung € 4,90");
}

#[test]
fn german_export_read_as_utf8_names_the_missing_column() {
    let outcome = csv::read(DE, &german().encoding(TextEncoding::Utf8));
    assert!(outcome.statements.is_empty());
    assert_eq!(row_codes(&outcome), [(0, "missing_column")]);
    assert_eq!(outcome.diagnostics[0].position, Position::File);
}

#[test]
fn us_export_reads_signed_amounts_with_grouping() {
    let outcome = csv::read(US, &us());
    assert_eq!(outcome.diagnostics, Vec::<Diagnostic>::new());
    let [statement] = outcome.statements.as_slice() else { panic!("one USD statement") };
    let usd = |a| money(a, Currency::USD);
    let amounts: Vec<Money> = statement.lines.iter().map(|l| l.amount).collect();
    assert_eq!(amounts, [usd(dec!(500.00)), usd(dec!(-1750.00)), usd(dec!(12345.67)), usd(dec!(-15.00))]);
    let dates: Vec<NaiveDate> = statement.lines.iter().map(|l| l.booking_date).collect();
    assert_eq!(dates, [date(2024, 3, 1), date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 15)]);
    assert_eq!(statement.lines[1].remittance_text, "PAYROLL SERVICES INC PPD ID: 9876543210");
    assert_eq!(statement.lines[1].transaction_code.as_deref(), Some("ACH_DEBIT"));
    assert_eq!(statement.lines[2].references, [Reference::Creditor("RF712348231".into())]);
    assert_eq!(statement.lines[0].value_date, None);
}

#[test]
fn inverted_sign_convention_negates_every_amount() {
    let plain = lines_of(&csv::read(US, &us()));
    let inverted = lines_of(&csv::read(US, &us().sign(SignConvention::CreditNegative)));
    let negated: Vec<(i64, Currency)> = plain.iter().map(|&(minor, c)| (-minor, c)).collect();
    assert_eq!(inverted, negated);
    assert_eq!(plain.len(), 4);
}

#[test]
fn bad_rows_are_reported_by_line_and_the_rest_is_read() {
    let outcome = csv::read(BAD, &CsvMapping::new().reference("Reference").remittance_text("Description"));
    assert_eq!(
        row_codes(&outcome),
        [
            (3, "bad_date"),
            (5, "bad_amount"),
            (6, "bad_amount"),
            (7, "bad_currency"),
            (8, "missing_field"),
            (12, "missing_field"),
            (13, "bad_amount"),
        ]
    );
    assert!(outcome.diagnostics[2].message.contains("more decimals than USD"), "{}", outcome.diagnostics[2].message);
    let read: Vec<(Currency, &str, i64)> = outcome
        .statements
        .iter()
        .flat_map(|s| s.lines.iter().map(move |l| (s.currency, l.bank_reference.as_deref().unwrap(), l.amount.minor())))
        .collect();
    assert_eq!(
        read,
        [
            (Currency::USD, "R1", 10_000),
            (Currency::USD, "R3", 2_500),
            (Currency::USD, "R10", 3_000),
            (Currency::EUR, "R7", -2_000),
        ]
    );
    assert_eq!(outcome.statements[0].lines[1].booking_date, date(2024, 4, 2), "MM/DD/YYYY from the default list");
}

#[test]
fn debit_and_credit_must_not_both_be_filled() {
    let mapping = CsvMapping::new().header(false).booking_date(0).debit_credit(1, 2).currency(Currency::EUR);
    let outcome = csv::read(b"2024-01-02,5.00,,\n2024-01-02,5.00,6.00\n2024-01-02,,\n2024-01-02,0.00,7.00\n", &mapping);
    assert_eq!(row_codes(&outcome), [(2, "ambiguous_amount"), (3, "missing_amount")]);
    assert_eq!(lines_of(&outcome), [(-500, Currency::EUR), (700, Currency::EUR)], "a zero debit is no debit");
}

#[test]
fn mappings_that_cannot_fit_are_refused_up_front() {
    let no_header = CsvMapping::new().header(false);
    assert_eq!(row_codes(&csv::read(b"2024-01-02,1.00,EUR\n", &no_header)), [(0, "bad_mapping")]);
    let same = CsvMapping::new().decimal_separator(b',').thousands_separator(Some(b','));
    assert_eq!(row_codes(&csv::read(b"Date,Amount,Currency\n", &same)), [(0, "bad_mapping")]);
    let missing = csv::read(b"Date,Betrag,Currency\n2024-01-02,1.00,EUR\n", &CsvMapping::new());
    assert_eq!(row_codes(&missing), [(0, "missing_column")]);
    assert!(missing.diagnostics[0].message.contains("\"Amount\""));
    assert_eq!(csv::read(b"", &CsvMapping::new()), ReadOutcome::default());
}

#[test]
fn default_mapping_reads_a_plain_file() {
    let outcome = csv::read(
        b"\xEF\xBB\xBFdate,amount,currency\r\n2024-01-02,1.5,JPY\r\n2024-01-03,-7,JPY\r\n",
        &CsvMapping::new(),
    );
    assert_eq!(row_codes(&outcome), [(2, "bad_amount")], "JPY has no decimals");
    assert_eq!(lines_of(&outcome), [(-7, Currency::JPY)]);
}

/// Formats minor units the German way: `-1.234.567,89`.
fn german_amount(minor: i64) -> String {
    let (units, cents) = (minor.unsigned_abs() / 100, minor.unsigned_abs() % 100);
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{}{grouped},{cents:02}", if minor < 0 { "-" } else { "" })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn german_formatted_amounts_read_back_exactly(
        rows in prop::collection::vec((-100_000_000_000_000i64..100_000_000_000_000, 1u32..=28, any::<bool>()), 1..20),
    ) {
        let mut file = String::from("Buchungstag;Betrag;Soll;Haben\n");
        for (minor, day, split) in &rows {
            let amount = german_amount(*minor);
            let (signed, soll, haben) = match (*split, *minor < 0) {
                (false, _) => (amount.as_str(), "", ""),
                (true, true) => ("", amount.as_str(), ""),
                (true, false) => ("", "", amount.as_str()),
            };
            file.push_str(&format!("{day:02}.02.2024;{signed};{soll};{haben}\n"));
        }
        let signed = CsvMapping::new().delimiter(b';').booking_date("Buchungstag").amount("Betrag")
            .currency(Currency::EUR).decimal_comma();
        let split = signed.clone().debit_credit("Soll", "Haben");
        let outcome_signed = csv::read(file.as_bytes(), &signed);
        let outcome_split = csv::read(file.as_bytes(), &split);
        // Each row fills either the signed column or one of Soll/Haben.
        let expected_signed: Vec<(i64, Currency)> =
            rows.iter().filter(|r| !r.2).map(|r| (r.0, Currency::EUR)).collect();
        let expected_split: Vec<(i64, Currency)> =
            rows.iter().filter(|r| r.2 && r.0 != 0).map(|r| (r.0, Currency::EUR)).collect();
        prop_assert_eq!(lines_of(&outcome_signed), expected_signed);
        prop_assert_eq!(lines_of(&outcome_split), expected_split);
        let total: i128 = outcome_signed.statements.iter().flat_map(|s| &s.lines).map(|l| i128::from(l.amount.minor())).sum();
        prop_assert_eq!(total, rows.iter().filter(|r| !r.2).map(|r| i128::from(r.0)).sum::<i128>());
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), which in 0usize..3) {
        let mapping = [CsvMapping::new(), german(), us()][which].clone();
        assert_well_formed(&csv::read(&bytes, &mapping));
    }

    #[test]
    fn mutated_samples_never_panic(
        which in 0usize..3,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..8),
    ) {
        let (source, mapping) = match which {
            0 => (DE, german()),
            1 => (US, us()),
            _ => (BAD, CsvMapping::new().reference("Reference")),
        };
        let mut bytes = source.to_vec();
        for (at, byte, kind) in edits {
            let at = at.index(bytes.len().max(1));
            match kind {
                0 => if let Some(b) = bytes.get_mut(at) { *b = byte },
                1 => bytes.insert(at.min(bytes.len()), byte),
                2 => { if at < bytes.len() { bytes.remove(at); } }
                _ => bytes.truncate(at),
            }
        }
        let outcome = csv::read(&bytes, &mapping);
        assert_well_formed(&outcome);
        // Every line read or row reported was a record: no more of them than line breaks allow.
        let rows = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count() + 1;
        let read = outcome.statements.iter().map(|s| s.lines.len()).sum::<usize>();
        prop_assert!(read + outcome.diagnostics.len() <= rows);
    }
}
