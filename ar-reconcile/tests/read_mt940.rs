//! MT940 reader: real files from public projects (see tests/data/SOURCES.md), edge
//! cases written by hand, and a generated round trip.
#![cfg(feature = "mt940")]
#![allow(clippy::unwrap_used)]

mod read_support;

use ar_core::Currency;
use ar_reconcile::readers::mt940;
use ar_reconcile::{Position, Reference, Severity};
use chrono::NaiveDate;
use proptest::prelude::*;
use read_support::{codes, date, sums};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const DANSKE: &[u8] = include_bytes!("data/mt940/danskebank_fi_example.sta");
const ING: &[u8] = include_bytes!("data/mt940/jejik_ing.sta");

#[test]
fn danske_bank_example_reconciles_after_its_preamble() {
    let outcome = mt940::read(DANSKE);
    assert_eq!(codes(&outcome), ["text_skipped"], "only the free text before :20: is noted");
    assert_eq!(outcome.diagnostics[0].severity, Severity::Warning);
    assert_eq!(outcome.diagnostics[0].position, Position::Line(1));
    assert_eq!(outcome.statements.len(), 1);
    let statement = &outcome.statements[0];
    assert_eq!(statement.id.as_deref(), Some("3996-11-11111111"));
    assert_eq!(statement.account, "DABADKKK/111111-11111111");
    assert_eq!(statement.currency, Currency::EUR);
    let opening = statement.opening.as_ref().unwrap();
    let closing = statement.closing.as_ref().unwrap();
    assert_eq!((opening.amount.amount(), opening.date), (dec!(54484.04), date(2009, 9, 24)));
    assert_eq!((closing.amount.amount(), closing.date), (dec!(53126.94), date(2009, 9, 30)));
    assert_eq!(statement.lines.len(), 6);
    assert_eq!(sums(statement), ((1, dec!(0.23)), (5, dec!(1357.33))));
    // 54484.04 + 0.23 − 1357.33 = 53126.94: no balance_mismatch above.

    let interest = &statement.lines[0];
    assert_eq!(interest.amount.amount(), dec!(0.23));
    assert_eq!(interest.value_date, Some(date(2009, 10, 1)));
    assert_eq!(interest.booking_date, date(2009, 9, 30), "entry date 0930 falls before value date 091001");
    assert_eq!(interest.transaction_code.as_deref(), Some("FINT"));
    assert_eq!(interest.references, [Reference::Other("Interest".into())]);
    assert_eq!(interest.bank_reference, None);
    assert_eq!(
        interest.remittance_text,
        "For your inform. IBAN no.: FI1111111111111111 DABADKKK 111111-11111111 DANSKE BANK HOLMENS KANAL 2-12",
        "the four :86: tags of the line are joined"
    );

    let payment = &statement.lines[1];
    assert_eq!(payment.amount.amount(), dec!(-583.92));
    assert_eq!((payment.booking_date, payment.value_date), (date(2009, 9, 25), Some(date(2009, 9, 25))));
    assert_eq!(payment.transaction_code.as_deref(), Some("NMSC"));
    assert_eq!(payment.references, [Reference::Other("1110030403010139".into())]);
    assert_eq!(payment.bank_reference.as_deref(), Some("1234"));
    assert_eq!(payment.remittance_text, "11100304030101391234 Beneficiary name Beneficiary name");

    let fees = &statement.lines[4];
    assert_eq!(fees.amount.amount(), dec!(-62.60));
    assert_eq!(fees.transaction_code.as_deref(), Some("NCHG"));
    assert_eq!(fees.references, [Reference::Other("Fees according".into())]);
    assert_eq!(fees.bank_reference.as_deref(), Some("to advice"));
    let amounts: Vec<Decimal> = statement.lines.iter().map(|l| l.amount.amount()).collect();
    assert_eq!(amounts, [dec!(0.23), dec!(-583.92), dec!(-390.40), dec!(-265.41), dec!(-62.60), dec!(-55.00)]);
}

#[test]
fn ing_file_does_not_reconcile_and_says_so() {
    let outcome = mt940::read(ING);
    assert_eq!(codes(&outcome), ["text_skipped", "balance_mismatch"]);
    let mismatch = &outcome.diagnostics[1];
    assert_eq!((mismatch.severity, &mismatch.position), (Severity::Error, &Position::Line(4)));
    assert!(mismatch.message.contains("-45.59 EUR"), "{}", mismatch.message);
    assert!(mismatch.message.contains("difference 49.06 EUR"), "{}", mismatch.message);

    let statement = &outcome.statements[0];
    assert_eq!(statement.id.as_deref(), Some("MPBZ"));
    assert_eq!(statement.account, "0001234567");
    let opening = statement.opening.as_ref().unwrap();
    let closing = statement.closing.as_ref().unwrap();
    assert_eq!((opening.amount.amount(), opening.date), (dec!(0.00), date(2010, 7, 22)));
    assert_eq!((closing.amount.amount(), closing.date), (dec!(3.47), date(2010, 7, 23)));
    assert_eq!(sums(statement), ((2, dec!(4.68)), (5, dec!(50.27))));
    let amounts: Vec<Decimal> = statement.lines.iter().map(|l| l.amount.amount()).collect();
    assert_eq!(amounts, [dec!(-25.03), dec!(-3.03), dec!(-1.11), dec!(-20.00), dec!(-1.10), dec!(3.68), dec!(1.00)]);
    assert!(statement.lines.iter().all(|l| l.transaction_code.as_deref() == Some("NTRF")));
    assert!(statement.lines.iter().all(|l| l.booking_date == l.value_date.unwrap()));
    assert_eq!(statement.lines[6].booking_date, date(2010, 7, 23));

    let first = &statement.lines[0];
    assert!(first.references.is_empty(), "NONREF is no reference");
    assert_eq!(
        first.remittance_text,
        "RC AFREKENING BETALINGSVERKEER BETREFT REKENING 4715589 PERIODE: 01-10-2010 / 31-12-2010 ING Bank N.V. tarifering ING"
    );
    // A tab inside the text reads as a space, soft hyphens as hyphens.
    assert_eq!(statement.lines[1].remittance_text, "0111111111 GPSEOUL SPOEDBETALING MPBZS1016000047 GPSEOUL");
    assert_eq!(statement.lines[2].references, [Reference::Other("TMG TANGO".into())]);
    assert!(statement.lines[2].remittance_text.contains("0050000534527978 10-06-2010 15:32"));
    assert_eq!(statement.lines[3].remittance_text, "ABN AMRO BANK>AMSTERDAM 22-07-2010 09:57 002 5595781");
    // The :86: after :62F: is about the message, not the last line.
    assert_eq!(
        statement.lines[6].remittance_text,
        "0111111111 Hr S Marechal ROSMALEN Hr S Marechal ROSMALEN Betaling transactiedatum: 22-07-2010"
    );
}

const SWIFT_TWO_STATEMENTS: &str = "\
{1:F01BANKDEFFAXXX0000000000}{2:O9400000250101BANKDEFFAXXX00000000002501010000N}{3:{108:MSG1}}{4:
:20:STMT-2024-12
:25:DE89370400440532013000
:28C:365/1
:60F:C241230EUR1000,00
:61:2412310102C150,00NTRFINV-1001//BANKREF1
:86:166?00GUTSCHRIFT?109310?20EREF+E2E-4711?21SVWZ+Rechnung 1001 vom 01.1?222.2024 Danke?30COBADEFFXXX?31DE02120300000000202051?32MUSTERMANN GMBH
:61:2412311231D50,00NDDTNONREF
:86:/EREF/NOTPROVIDED/CNTP/NL91ABNA0417164300/ABNANL2A/ACME BV/AMSTERDAM/REMI/USTD//Subscription December/
:62F:C241231EUR1100,00
-}{5:{CHK:123456789ABC}}
{1:F01BANKDEFFAXXX0000000000}{2:O9400000250102BANKDEFFAXXX00000000002501020000N}{4:
:20:STMT-2025-01
:25:DE89370400440532013000
:28C:1/1
:60F:C241231EUR1100,00
:61:2501021231RD20,00NRTINONREF//RET-1
Returned direct debit
:86:/EREF/E2E-9/NAME/Old Customer/IBAN/DE44500105175407324931/REMI/STRD/CUR/RF18539007547034/
:61:250102RC5,00NCHG//FEE-1
:62F:C250102EUR1115,00
-}";

#[test]
fn swift_blocks_wrap_several_statements() {
    let outcome = mt940::read(SWIFT_TWO_STATEMENTS.as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new());
    let ids: Vec<&str> = outcome.statements.iter().map(|s| s.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["STMT-2024-12", "STMT-2025-01"]);
    assert!(outcome.statements.iter().all(|s| s.account == "DE89370400440532013000"));
}

#[test]
fn entry_dates_roll_over_the_year_end() {
    let outcome = mt940::read(SWIFT_TWO_STATEMENTS.as_bytes());
    let december = &outcome.statements[0];
    // Value 2024-12-31, entry 0102: booked 2 January 2025.
    assert_eq!(december.lines[0].value_date, Some(date(2024, 12, 31)));
    assert_eq!(december.lines[0].booking_date, date(2025, 1, 2));
    assert_eq!(december.lines[1].booking_date, date(2024, 12, 31));
    // Value 2025-01-02, entry 1231: booked 31 December 2024.
    let january = &outcome.statements[1];
    assert_eq!(january.lines[0].value_date, Some(date(2025, 1, 2)));
    assert_eq!(january.lines[0].booking_date, date(2024, 12, 31));
}

#[test]
fn german_structured_information_fills_the_line() {
    let outcome = mt940::read(SWIFT_TWO_STATEMENTS.as_bytes());
    let line = &outcome.statements[0].lines[0];
    assert_eq!(line.amount.amount(), dec!(150.00));
    assert_eq!(line.references, [Reference::Other("INV-1001".into())]);
    assert_eq!(line.bank_reference.as_deref(), Some("BANKREF1"));
    assert_eq!(line.end_to_end_id.as_deref(), Some("E2E-4711"));
    // ?21 is a full 27-character subfield, so ?22 continues its last word.
    assert_eq!(line.remittance_text, "Rechnung 1001 vom 01.12.2024 Danke");
    assert_eq!(line.counterparty_account.as_deref(), Some("DE02120300000000202051"));
    assert_eq!(line.counterparty_name.as_deref(), Some("MUSTERMANN GMBH"));
}

#[test]
fn dutch_structured_information_fills_the_line() {
    let outcome = mt940::read(SWIFT_TWO_STATEMENTS.as_bytes());
    let debit = &outcome.statements[0].lines[1];
    assert_eq!(debit.amount.amount(), dec!(-50.00));
    assert_eq!(debit.end_to_end_id, None, "NOTPROVIDED is no id");
    assert_eq!(debit.counterparty_account.as_deref(), Some("NL91ABNA0417164300"));
    assert_eq!(debit.counterparty_name.as_deref(), Some("ACME BV"));
    assert_eq!(debit.remittance_text, "Subscription December");

    let returned = &outcome.statements[1].lines[0];
    assert_eq!(returned.end_to_end_id.as_deref(), Some("E2E-9"));
    assert_eq!(returned.counterparty_name.as_deref(), Some("Old Customer"));
    assert_eq!(returned.counterparty_account.as_deref(), Some("DE44500105175407324931"));
    assert_eq!(returned.references, [Reference::Creditor("RF18539007547034".into())]);
}

#[test]
fn reversals_change_the_sign_and_supplementary_details_are_kept() {
    let outcome = mt940::read(SWIFT_TWO_STATEMENTS.as_bytes());
    let january = &outcome.statements[1];
    // RD (reversal of a debit) is money in; RC (reversal of a credit) is money out.
    assert_eq!(january.lines[0].amount.amount(), dec!(20.00));
    assert_eq!(january.lines[0].bank_reference.as_deref(), Some("RET-1"));
    assert_eq!(january.lines[0].transaction_code.as_deref(), Some("NRTI"));
    assert_eq!(january.lines[1].amount.amount(), dec!(-5.00));
    assert_eq!(january.lines[1].bank_reference.as_deref(), Some("FEE-1"));
    assert_eq!(january.lines[1].remittance_text, "", "no :86: for the fee");
    // 1100 + 20 − 5 = 1115 and 1000 + 150 − 50 = 1100: both reconcile (no diagnostics above).
    let nets: Vec<Decimal> =
        outcome.statements.iter().map(|s| s.lines.iter().map(|l| l.amount.amount()).sum()).collect();
    assert_eq!(nets, [dec!(100.00), dec!(15.00)]);
}

#[test]
fn supplementary_details_stand_in_for_missing_information() {
    let file = ":20:S\n:25:A\n:60F:C250101EUR0,\n:61:250102C1,NTRFREF\nSUPPLEMENTARY TEXT\n:62F:C250102EUR1,\n";
    let outcome = mt940::read(file.as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new());
    let line = &outcome.statements[0].lines[0];
    assert_eq!(line.amount.amount(), dec!(1.00), "an amount may end in its comma");
    assert_eq!(line.remittance_text, "SUPPLEMENTARY TEXT");
}

#[test]
fn funds_code_and_intermediate_balances_read() {
    let file = ":20:P1\n:25:ACC\n:28C:7/2\n:60M:D250301USD1500,5\n:61:250301CD100,NMSCX\n:62M:D250301USD1400,50\n:64:D250301USD1400,50\n";
    let outcome = mt940::read(file.as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new());
    let statement = &outcome.statements[0];
    assert_eq!(statement.opening.as_ref().unwrap().amount.amount(), dec!(-1500.50));
    assert_eq!(statement.closing.as_ref().unwrap().amount.amount(), dec!(-1400.50));
    assert_eq!(statement.lines[0].amount.amount(), dec!(100.00), "C then funds code D");
}

#[test]
fn bad_lines_and_balances_are_reported_and_the_rest_is_read() {
    let file = "\
:20:B1
:25:ACC
:60F:C250101EUR100,00
:61:251301C1,00NTRFBADDATE
:86:belongs to the skipped line
:61:250102X1,00NTRFBADMARK
:61:250102C1,0.0NTRFBADAMOUNT
:61:250102C1,00XTRFBADTYPE
:61:250102C1,001NTRFTOOMANYDECIMALS
:61:250102C2,00NTRFGOOD
:62F:C250102EUR102,00
";
    let outcome = mt940::read(file.as_bytes());
    assert_eq!(codes(&outcome), ["bad_date", "bad_line", "bad_amount", "bad_line", "bad_amount"]);
    let lines: Vec<usize> = outcome
        .diagnostics
        .iter()
        .map(|d| match d.position {
            Position::Line(n) => n,
            ref other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(lines, [4, 6, 7, 8, 9]);
    let statement = &outcome.statements[0];
    assert_eq!(statement.lines.len(), 1);
    assert_eq!(statement.lines[0].references, [Reference::Other("GOOD".into())]);
    assert_eq!(statement.lines[0].remittance_text, "", "the skipped line's :86: is not moved to another line");
}

#[test]
fn currency_problems_are_diagnosed() {
    let unknown = mt940::read(b":20:U\n:25:A\n:60F:C250101XYZ1,00\n:61:250101C1,00NTRFX\n:62F:C250101XYZ2,00\n");
    assert_eq!(codes(&unknown), ["unknown_currency", "unknown_currency", "missing_currency"]);
    assert!(unknown.statements.is_empty());

    let mixed = mt940::read(b":20:M\n:25:A\n:60F:C250101EUR1,00\n:61:250101C1,00NTRFX\n:62F:C250101USD2,00\n");
    assert_eq!(codes(&mixed), ["currency_mismatch"]);
    assert_eq!(mixed.statements[0].closing, None);

    let jpy = mt940::read(b":20:J\n:25:A\n:60F:C250101JPY100,\n:61:250101C1,5NTRFX\n:62F:C250101JPY101,5\n");
    assert_eq!(codes(&jpy), ["bad_amount", "bad_amount"], "yen have no decimals");
}

#[test]
fn garbage_is_not_mt940() {
    for input in [&b""[..], b"hello\nworld\n", b"\xff\xfe\x00garbage"] {
        let outcome = mt940::read(input);
        assert!(outcome.statements.is_empty());
        assert_eq!(codes(&outcome).last(), Some(&"not_mt940"));
        assert!(outcome.has_errors());
    }
}

#[test]
fn windows_1252_text_is_decoded() {
    let mut file =
        b":20:W\n:25:A\n:60F:C250101EUR0,00\n:61:250101C1,00NTRFX\n:86:M\xfcller \x80 Rechnung\n:62F:C250101EUR1,00\n"
            .to_vec();
    let outcome = mt940::read(&file);
    assert_eq!(outcome.statements[0].lines[0].remittance_text, "Müller € Rechnung");
    file.extend_from_slice(b"-\n");
    assert_eq!(mt940::read(&file), outcome, "a trailing message end changes nothing");
}

/// Formats minor units as an MT940 amount (`1234,56`).
fn swift_amount(minor: i64) -> String {
    format!("{},{:02}", minor.abs() / 100, minor.abs() % 100)
}

fn yymmdd(d: NaiveDate) -> String {
    d.format("%y%m%d").to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Statements written as MT940 read back with the same amounts, dates and
    /// references, no diagnostics, and opening + Σ lines = closing.
    #[test]
    fn generated_statements_round_trip(
        statements in prop::collection::vec(
            (
                -1_000_000_000i64..1_000_000_000,
                prop::collection::vec((-100_000_000i64..100_000_000, 0i64..3, -3i64..3, "[A-Z0-9]{1,16}"), 0..15),
            ),
            1..4,
        ),
        start in 0i64..20_000,
    ) {
        let base = date(2000, 1, 1) + chrono::Duration::days(start);
        let mut file = String::new();
        for (n, (opening, lines)) in statements.iter().enumerate() {
            let mark = |m: i64| if m < 0 { 'D' } else { 'C' };
            file.push_str(&format!("{{4:\n:20:S{n}\n:25:ACC{n}\n:60F:{}{}EUR{}\n", mark(*opening), yymmdd(base), swift_amount(*opening)));
            let mut balance = *opening;
            for (amount, value_offset, entry_offset, reference) in lines {
                let value = base + chrono::Duration::days(*value_offset);
                let entry = value + chrono::Duration::days(*entry_offset);
                file.push_str(&format!(":61:{}{}{}{}NTRF", yymmdd(value), entry.format("%m%d"), mark(*amount), swift_amount(*amount)));
                file.push_str(&format!("{reference}//B{n}\n:86:/EREF/{amount}/REMI/USTD//TEXT {n}/\n"));
                balance += amount;
            }
            file.push_str(&format!(":62F:{}{}EUR{}\n-}}\n", mark(balance), yymmdd(base), swift_amount(balance)));
        }
        let outcome = mt940::read(file.as_bytes());
        prop_assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        prop_assert_eq!(outcome.statements.len(), statements.len());
        for (statement, (opening, lines)) in outcome.statements.iter().zip(&statements) {
            prop_assert_eq!(statement.opening.as_ref().unwrap().amount.minor(), *opening);
            prop_assert_eq!(statement.lines.len(), lines.len());
            for (read, (amount, value_offset, entry_offset, reference)) in statement.lines.iter().zip(lines) {
                let value = base + chrono::Duration::days(*value_offset);
                prop_assert_eq!(read.amount.minor(), *amount);
                prop_assert_eq!(read.value_date, Some(value));
                prop_assert_eq!(read.booking_date, value + chrono::Duration::days(*entry_offset));
                prop_assert_eq!(read.end_to_end_id.clone(), Some(amount.to_string()));
                if reference != "NONREF" {
                    prop_assert_eq!(&read.references, &vec![Reference::Other(reference.clone())]);
                }
            }
            let net: i64 = statement.lines.iter().map(|l| l.amount.minor()).sum();
            prop_assert_eq!(opening + net, statement.closing.as_ref().unwrap().amount.minor());
        }
    }
}

#[test]
fn a_byte_order_mark_is_not_text() {
    let with_bom = [&b"\xEF\xBB\xBF"[..], SWIFT_TWO_STATEMENTS.as_bytes()].concat();
    assert_eq!(mt940::read(&with_bom), mt940::read(SWIFT_TWO_STATEMENTS.as_bytes()));
}
