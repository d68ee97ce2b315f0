//! BAI2 reader: real files from public projects (see tests/data/SOURCES.md), edge
//! cases written by hand, and a generated round trip.
#![cfg(feature = "bai2")]
#![allow(clippy::unwrap_used)]

mod read_support;

use ar_core::{Currency, Money};
use ar_reconcile::readers::bai2;
use ar_reconcile::{Position, Reference, Severity};
use proptest::prelude::*;
use read_support::{codes, date, sums};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const CITI: &[u8] = include_bytes!("data/bai2/moj_citi_example.bai2");
const MOOV: &[u8] = include_bytes!("data/bai2/moov_sample1_cad.bai2");

fn replace(input: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(input).unwrap();
    assert!(text.contains(from), "fixture must contain {from:?}");
    text.replacen(from, to, 1).into_bytes()
}

#[test]
fn citi_uk_faster_payment_is_read_with_its_continuation_text() {
    let outcome = bai2::read(CITI);
    // The file's 49/98/99 totals (20001) and counts (10/12/14) hold; its ledger does not.
    assert_eq!(codes(&outcome), ["balance_mismatch"]);
    assert_eq!(outcome.diagnostics[0].position, Position::Line(3));
    assert_eq!(outcome.diagnostics[0].severity, Severity::Error);
    assert_eq!(outcome.statements.len(), 1);
    let statement = &outcome.statements[0];
    assert_eq!(statement.account, "77777777");
    assert_eq!(statement.currency, Currency::GBP);
    let opening = statement.opening.as_ref().unwrap();
    let closing = statement.closing.as_ref().unwrap();
    assert_eq!((opening.amount.amount(), opening.date), (dec!(100.00), date(2015, 7, 15)));
    assert_eq!((closing.amount.amount(), closing.date), (dec!(100.00), date(2015, 7, 15)));
    assert_eq!(sums(statement), ((1, dec!(0.01)), (0, dec!(0))));

    let line = &statement.lines[0];
    assert_eq!(line.amount, Money::new(dec!(0.01), Currency::GBP).unwrap());
    assert_eq!(line.transaction_code.as_deref(), Some("191"));
    assert_eq!(line.booking_date, date(2015, 7, 15));
    assert_eq!(line.value_date, Some(date(2015, 7, 15)), "funds type V carries the value date");
    assert_eq!(line.bank_reference.as_deref(), Some("1234567890"));
    assert_eq!(line.references, [Reference::Other("RP12312312312312".into())]);
    assert_eq!(
        line.remittance_text,
        "FR:FP SIP INCOMING ENDT:20150715 TRID:RP12312312312312 PY:RP1231231231231200 A1234BC 22/03/66 \
         BI:22222222 OB:111111 BUCKINGHAM PALACE OB3:BARCLAYS BANK PLC BO:11111111 BO1:DOE JO"
    );
}

#[test]
fn moov_cad_file_has_two_sections_that_balance_their_control_totals() {
    let outcome = bai2::read(MOOV);
    assert_eq!(codes(&outcome), Vec::<&str>::new(), "totals 834000 + 446000 = 1280000 and counts 14/9/25/27 hold");
    assert_eq!(outcome.statements.len(), 2);
    for statement in &outcome.statements {
        assert_eq!(statement.account, "10200123456");
        assert_eq!(statement.currency, Currency::CAD);
        // Only available balances (040/045) are reported: no ledger to reconcile.
        assert_eq!((statement.opening.as_ref(), statement.closing.as_ref()), (None, None));
        assert!(statement.lines.iter().all(|l| l.booking_date == date(2006, 3, 17)));
    }
    let (first, second) = (&outcome.statements[0], &outcome.statements[1]);
    assert_eq!(first.lines.len(), 11);
    assert_eq!(sums(first), ((3, dec!(2085.00)), (8, dec!(2085.00))));
    assert_eq!(second.lines.len(), 6);
    assert_eq!(sums(second), ((2, dec!(1115.00)), (4, dec!(1115.00))));

    let returned = &first.lines[0];
    assert_eq!(returned.amount.amount(), dec!(-25.00));
    assert_eq!(returned.transaction_code.as_deref(), Some("409"));
    assert_eq!(returned.value_date, Some(date(2006, 3, 16)));
    assert_eq!(returned.remittance_text, "RETURNED CHEQUE", "padding and the record's slash are not text");
    assert_eq!((returned.bank_reference.as_ref(), returned.references.len()), (None, 0));
    assert_eq!(first.lines[1].amount.amount(), dec!(-900.00));
    assert_eq!(first.lines[3].amount.amount(), dec!(2035.00));
    assert_eq!(first.lines[3].remittance_text, "TFR 1020 0345678");
    let montreal = &second.lines[1];
    assert_eq!((montreal.amount.amount(), montreal.remittance_text.as_str()), (dec!(1000.00), "MONTREAL"));
    assert_eq!(montreal.value_date, Some(date(2006, 3, 17)));
}

#[test]
fn a_wrong_control_total_is_reported_where_it_is_stated() {
    // Each trailer is checked against what it covers directly: a wrong 49 disagrees with
    // its details, and the 98 (which adds the 49s as stated) disagrees with it.
    let account = bai2::read(&replace(MOOV, "49,+00000000000834000,14/", "49,+00000000000834001,14/"));
    assert_eq!(codes(&account), ["control_total_mismatch", "control_total_mismatch"]);
    assert_eq!(account.diagnostics[0].position, Position::Line(16));
    assert!(account.diagnostics[0].message.contains("834001"), "{}", account.diagnostics[0].message);
    assert_eq!(account.diagnostics[1].position, Position::Line(26));

    let group = bai2::read(&replace(MOOV, "98,+00000000001280000", "98,+00000000001280100"));
    assert_eq!(codes(&group), ["control_total_mismatch", "control_total_mismatch"]);
    assert_eq!(group.diagnostics[0].position, Position::Line(26));
    assert_eq!(group.diagnostics[1].position, Position::Line(27));

    let file = bai2::read(&replace(MOOV, "99,+00000000001280000", "99,-00000000001280000"));
    assert_eq!(codes(&file), ["control_total_mismatch"]);
    assert_eq!(file.diagnostics[0].position, Position::Line(27));

    // A detail amount that changed in transit breaks its account's total only.
    let detail = bai2::read(&replace(MOOV, "16,409,000000000090000,V,060316", "16,409,000000000090001,V,060316"));
    assert_eq!(codes(&detail), ["control_total_mismatch"]);
    assert_eq!(detail.diagnostics[0].position, Position::Line(16));
    assert_eq!(detail.statements[0].lines[1].amount.amount(), dec!(-900.01), "the line is still read as sent");
}

#[test]
fn wrong_record_counts_are_reported() {
    let account = bai2::read(&replace(MOOV, "49,+00000000000446000,9/", "49,+00000000000446000,8/"));
    assert_eq!(codes(&account), ["record_count_mismatch"]);
    let group = bai2::read(&replace(MOOV, "98,+00000000001280000,2,25/", "98,+00000000001280000,3,25/"));
    assert_eq!(codes(&group), ["record_count_mismatch"]);
    let file = bai2::read(&replace(MOOV, "99,+00000000001280000,1,27/", "99,+00000000001280000,1,28/"));
    assert_eq!(codes(&file), ["record_count_mismatch"]);
    // A lost record breaks the counts and the totals it carried.
    let text = std::str::from_utf8(MOOV).unwrap();
    let lost: String = text.lines().filter(|l| !l.contains("PENHORA MALL")).map(|l| format!("{l}\n")).collect();
    let outcome = bai2::read(lost.as_bytes());
    assert_eq!(
        codes(&outcome),
        ["control_total_mismatch", "record_count_mismatch", "record_count_mismatch", "record_count_mismatch"]
    );
}

/// A well-formed file around `accounts` (03…49 sections), with correct trailers.
fn file_with(group_currency: &str, accounts: &[&str]) -> String {
    let mut out = String::from("01,BANK,CUST,250301,0800,7,80,,2/\n");
    out.push_str(&format!("02,CUST,BANK,1,250228,2359,{group_currency},2/\n"));
    let mut group_total: i128 = 0;
    let mut group_records = 2;
    for account in accounts {
        let records = account.lines().count() + 1;
        let total = control_total(account);
        out.push_str(account);
        out.push_str(&format!("49,{total},{records}/\n"));
        group_total += total;
        group_records += records;
    }
    out.push_str(&format!("98,{group_total},{},{group_records}/\n", accounts.len()));
    out.push_str(&format!("99,{group_total},1,{}/\n", group_records + 2));
    out
}

/// Σ of the amounts in 03 (every summary amount) and 16 (the detail amount) records,
/// following the funds-type rules, for hand-built files.
fn control_total(account: &str) -> i128 {
    let mut total = 0;
    let mut record = String::new();
    let mut flush = |record: &str| {
        let body = record.split_once('/').map_or(record, |(b, _)| b);
        let fields: Vec<&str> = body.split(',').collect();
        let amount = |f: &str| f.trim().parse::<i128>().unwrap_or(0);
        match fields.first().copied() {
            Some("03") => {
                let mut i = 3;
                while i + 1 < fields.len() {
                    total += amount(fields[i + 1]);
                    i += 4 + funds_extra(fields.get(i + 3..).unwrap_or_default());
                }
            }
            Some("16") => total += amount(fields[2]),
            _ => {}
        }
    };
    for line in account.lines() {
        match line.strip_prefix("88,") {
            Some(rest) => {
                record.push(',');
                record.push_str(rest);
            }
            None => {
                flush(&record);
                record = line.trim_end_matches('/').to_owned();
            }
        }
    }
    flush(&record);
    total
}

/// How many fields follow a funds type (given as `fields[0]`).
fn funds_extra(fields: &[&str]) -> usize {
    match fields.first().copied() {
        Some("V") => 2,
        Some("S") => 3,
        Some("D") => 1 + 2 * fields.get(1).and_then(|n| n.parse::<usize>().ok()).unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn hand_built_files_have_correct_trailers() {
    let plain = file_with("USD", &["03,1,USD,010,100,,/\n16,175,50,0,,,X/\n"]);
    assert_eq!(codes(&bai2::read(plain.as_bytes())), Vec::<&str>::new());
    assert_eq!(control_total("03,1,USD,010,100,,/\n16,175,50,0,,,X/\n"), 150);
}

#[test]
fn continuation_in_the_middle_of_the_text_joins_with_a_space() {
    let account = "03,555,USD,010,500000,,,015,512345,,/\n\
                   16,175,12345,0,BR-1,CR-7,PAYMENT FOR INVOICES/\n\
                   88,INV-1001 AND INV-1002/\n\
                   88,   THANK YOU   \n";
    let outcome = bai2::read(file_with("USD", &[account]).as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new());
    let line = &outcome.statements[0].lines[0];
    assert_eq!(line.remittance_text, "PAYMENT FOR INVOICES INV-1001 AND INV-1002 THANK YOU");
    assert_eq!(line.amount.amount(), dec!(123.45));
    assert_eq!(line.bank_reference.as_deref(), Some("BR-1"));
    assert_eq!(line.references, [Reference::Other("CR-7".into())]);
}

#[test]
fn continuation_can_carry_fields_before_the_text() {
    // The detail breaks after the funds type: the value date and references come in the 88.
    let account = "03,555,USD/\n16,399,700,V/\n88,250227,1200,BR-2,CR-2,WIRE IN/\n";
    let outcome = bai2::read(file_with("USD", &[account]).as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new());
    let line = &outcome.statements[0].lines[0];
    assert_eq!(line.value_date, Some(date(2025, 2, 27)));
    assert_eq!(line.bank_reference.as_deref(), Some("BR-2"));
    assert_eq!(line.remittance_text, "WIRE IN");
}

#[test]
fn funds_types_bring_their_own_fields() {
    let account = "03,777,USD,010,100000,,,015,100000,,/\n\
                   16,195,1000,0,R0,C0,IMMEDIATE/\n\
                   16,195,2000,1,R1,C1,ONE DAY/\n\
                   16,195,3000,2,R2,C2,TWO DAYS/\n\
                   16,195,4000,Z,RZ,CZ,UNKNOWN/\n\
                   16,195,5000,V,250301,0930,RV,CV,VALUE DATED/\n\
                   16,195,6000,S,1000,2000,3000,RS,CS,SPLIT/\n\
                   16,195,7000,D,2,1,3000,2,4000,RD,CD,DISTRIBUTED/\n\
                   16,195,8000,,RB,CB,DEFAULT/\n\
                   16,475,36000,0,RX,CX,OUT/\n";
    let outcome = bai2::read(file_with("USD", &[account]).as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new(), "100000 + 36000 − 36000 = 100000 and the totals hold");
    let lines = &outcome.statements[0].lines;
    let seen: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            let reference = match &l.references[0] {
                Reference::Other(r) => r.as_str(),
                other => panic!("{other:?}"),
            };
            (l.bank_reference.as_deref().unwrap(), reference, l.remittance_text.as_str())
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("R0", "C0", "IMMEDIATE"),
            ("R1", "C1", "ONE DAY"),
            ("R2", "C2", "TWO DAYS"),
            ("RZ", "CZ", "UNKNOWN"),
            ("RV", "CV", "VALUE DATED"),
            ("RS", "CS", "SPLIT"),
            ("RD", "CD", "DISTRIBUTED"),
            ("RB", "CB", "DEFAULT"),
            ("RX", "CX", "OUT"),
        ]
    );
    assert_eq!(lines[4].value_date, Some(date(2025, 3, 1)));
    assert!(lines.iter().enumerate().all(|(i, l)| i == 4 || l.value_date.is_none()));
    assert_eq!(lines[8].amount.amount(), dec!(-360.00));
}

#[test]
fn unknown_funds_type_is_a_warning_and_the_fields_still_read() {
    let account = "03,777,USD/\n16,195,1000,Q,R0,C0,TEXT/\n";
    let outcome = bai2::read(file_with("USD", &[account]).as_bytes());
    assert_eq!(codes(&outcome), ["unknown_funds_type"]);
    assert_eq!(outcome.diagnostics[0].severity, Severity::Warning);
    assert_eq!(outcome.statements[0].lines[0].remittance_text, "TEXT");
}

#[test]
fn blank_amounts_are_not_data() {
    // Blank summary amounts are simply not reported; a blank detail amount keeps the line at zero.
    let account = "03,888,USD,010,,,,015,,,,040,250,,/\n16,175,,0,B1,C1,NO AMOUNT/\n16,175,100,0,B2,C2,AMOUNT/\n";
    let outcome = bai2::read(file_with("USD", &[account]).as_bytes());
    assert_eq!(codes(&outcome), ["blank_amount"]);
    assert_eq!(outcome.diagnostics[0].severity, Severity::Warning);
    assert_eq!(outcome.diagnostics[0].position, Position::Line(4));
    let statement = &outcome.statements[0];
    assert_eq!((statement.opening.as_ref(), statement.closing.as_ref()), (None, None));
    let amounts: Vec<Decimal> = statement.lines.iter().map(|l| l.amount.amount()).collect();
    assert_eq!(amounts, [dec!(0.00), dec!(1.00)]);
}

#[test]
fn implied_decimals_follow_the_currency() {
    let jpy = "03,1,JPY,010,10000,,,015,15000,,/\n16,175,5000,0,,,YEN/\n";
    let kwd = "03,2,KWD,010,10000,,,015,15000,,/\n16,175,5000,0,,,FILS/\n";
    let default = "03,3,,010,10000,,,015,15000,,/\n16,175,5000,0,,,GROUP CURRENCY/\n";
    let outcome = bai2::read(file_with("EUR", &[jpy, kwd, default]).as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new());
    let read: Vec<(Currency, Decimal, Decimal)> = outcome
        .statements
        .iter()
        .map(|s| (s.currency, s.opening.as_ref().unwrap().amount.amount(), s.lines[0].amount.amount()))
        .collect();
    assert_eq!(
        read,
        [
            (Currency::JPY, dec!(10000), dec!(5000)),
            (Currency::KWD, dec!(10.000), dec!(5.000)),
            (Currency::EUR, dec!(100.00), dec!(50.00)),
        ]
    );
}

#[test]
fn a_blank_group_currency_means_usd() {
    let outcome = bai2::read(file_with("", &["03,1,,010,100,,/\n"]).as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new());
    assert_eq!(outcome.statements[0].currency, Currency::USD);
}

#[test]
fn an_unknown_currency_skips_its_account_only() {
    let bad = "03,1,XYZ,010,100,,/\n16,175,50,0,,,LOST/\n";
    let good = "03,2,USD,010,100,,/\n16,175,50,0,,,KEPT/\n";
    let outcome = bai2::read(file_with("USD", &[bad, good]).as_bytes());
    assert_eq!(codes(&outcome), ["unknown_currency"]);
    assert_eq!(outcome.diagnostics[0].position, Position::Line(3));
    assert_eq!(outcome.statements.len(), 1);
    assert_eq!(outcome.statements[0].lines[0].remittance_text, "KEPT");
}

#[test]
fn ledger_balances_are_checked_when_both_are_given() {
    let good = "03,1,USD,010,100000,,,015,95000,,/\n16,175,20000,0,,,IN/\n16,495,25000,0,,,OUT/\n";
    let outcome = bai2::read(file_with("USD", &[good]).as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new());
    let bad = "03,1,USD,010,100000,,,015,95001,,/\n16,175,20000,0,,,IN/\n16,495,25000,0,,,OUT/\n";
    let outcome = bai2::read(file_with("USD", &[bad]).as_bytes());
    assert_eq!(codes(&outcome), ["balance_mismatch"]);
    assert!(outcome.diagnostics[0].message.contains("difference 0.01 USD"), "{}", outcome.diagnostics[0].message);
}

#[test]
fn type_codes_outside_credit_and_debit_ranges_are_skipped_with_a_warning() {
    let account = "03,1,USD/\n16,890,0,0,,,INFO ONLY/\n16,175,100,0,,,KEPT/\n";
    let outcome = bai2::read(file_with("USD", &[account]).as_bytes());
    assert_eq!(codes(&outcome), ["unknown_type_code"]);
    assert_eq!(outcome.statements[0].lines.len(), 1);
}

#[test]
fn bad_fields_are_reported_and_the_rest_is_read() {
    let account = "03,1,USD/\n16,175,12X4,0,,,BAD/\n16,175,100,V,251345,,,,BAD DATE/\n16,175,100,0,,,GOOD/\n";
    let outcome = bai2::read(file_with("USD", &[account]).as_bytes());
    assert_eq!(codes(&outcome), ["bad_amount", "bad_date"]);
    let texts: Vec<&str> = outcome.statements[0].lines.iter().map(|l| l.remittance_text.as_str()).collect();
    assert_eq!(texts, ["BAD DATE", "GOOD"]);
}

#[test]
fn creditor_references_in_the_text_are_recognised() {
    let account = "03,1,EUR/\n16,175,100,0,,,PAYMENT RF18 5390 0754 7034 THANKS/\n";
    let outcome = bai2::read(file_with("EUR", &[account]).as_bytes());
    assert_eq!(outcome.statements[0].lines[0].references, [Reference::Creditor("RF18539007547034".into())]);
}

#[test]
fn structure_problems_are_reported_not_fatal() {
    let outcome = bai2::read(b"16,175,100,0,,,ORPHAN/\n88,MORE/\n");
    assert_eq!(codes(&outcome), ["unexpected_record", "missing_trailer"]);
    assert!(outcome.statements.is_empty());

    // Cut short after a detail: the account is still returned, with the missing trailers named.
    let cut = "01,B,C,250301,0800,1,,,2/\n02,C,B,1,250228,,USD,2/\n03,1,USD/\n16,175,100,0,,,KEPT/\n";
    let outcome = bai2::read(cut.as_bytes());
    assert_eq!(codes(&outcome), ["missing_trailer", "missing_trailer", "missing_trailer"]);
    assert_eq!(outcome.statements[0].lines[0].remittance_text, "KEPT");

    let outcome = bai2::read(b"");
    assert_eq!(codes(&outcome), ["not_bai2"]);
    assert_eq!(outcome.diagnostics[0].position, Position::File);
    let outcome = bai2::read(b"hello, world/\n");
    assert_eq!(codes(&outcome), ["unknown_record", "not_bai2"]);
}

#[test]
fn line_endings_do_not_matter() {
    let unix = bai2::read(MOOV);
    let dos = bai2::read(String::from_utf8(MOOV.to_vec()).unwrap().replace('\n', "\r\n").as_bytes());
    let mac = bai2::read(String::from_utf8(MOOV.to_vec()).unwrap().replace('\n', "\r").as_bytes());
    assert_eq!(unix, dos);
    assert_eq!(unix, mac);
}

/// A generated detail: credit?, amount in minor units, text.
fn detail() -> impl Strategy<Value = (bool, i64, String)> {
    (any::<bool>(), 0i64..=9_999_999_999, "[A-Z0-9 ]{0,40}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Writing accounts as BAI2 with honest trailers and reading them back gives the
    /// same amounts and texts, no diagnostic, and opening + credits − debits = closing.
    #[test]
    fn generated_files_round_trip(
        accounts in prop::collection::vec((0i64..=1_000_000_000, prop::collection::vec(detail(), 0..20)), 1..5),
    ) {
        let mut sections = Vec::new();
        for (number, (opening, details)) in accounts.iter().enumerate() {
            let net: i64 = details.iter().map(|(credit, a, _)| if *credit { *a } else { -a }).sum();
            let mut section = format!("03,{number},USD,010,{opening},,,015,{},,/\n", opening + net);
            for (credit, amount, text) in details {
                let code = if *credit { 175 } else { 475 };
                // Split long texts across an 88 to exercise continuations.
                let (head, tail) = text.split_at(text.len() / 2);
                section.push_str(&format!("16,{code},{amount},0,,,{head}\n88,{tail}\n"));
            }
            sections.push(section);
        }
        let refs: Vec<&str> = sections.iter().map(String::as_str).collect();
        let outcome = bai2::read(file_with("USD", &refs).as_bytes());
        prop_assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        prop_assert_eq!(outcome.statements.len(), accounts.len());
        for (statement, (opening, details)) in outcome.statements.iter().zip(&accounts) {
            prop_assert_eq!(statement.opening.as_ref().unwrap().amount.minor(), *opening);
            prop_assert_eq!(statement.lines.len(), details.len());
            for (line, (credit, amount, text)) in statement.lines.iter().zip(details) {
                let signed = if *credit { *amount } else { -amount };
                prop_assert_eq!(line.amount.minor(), signed);
                let words: Vec<&str> = text.split_whitespace().collect();
                let read: Vec<&str> = line.remittance_text.split_whitespace().collect();
                // The split point may fall inside a word, which the continuation then separates.
                prop_assert_eq!(read.concat(), words.concat());
            }
            let net: i64 = statement.lines.iter().map(|l| l.amount.minor()).sum();
            prop_assert_eq!(opening + net, statement.closing.as_ref().unwrap().amount.minor());
        }
    }
}

#[test]
fn an_account_without_its_trailer_still_counts_toward_the_group() {
    let file = "01,B,C,250301,0800,1,,,2/\n02,C,B,1,250228,,USD,2/\n03,1,USD/\n16,175,100,0,,,A/\n\
                03,2,USD/\n16,175,200,0,,,B/\n49,200,3/\n98,300,2,7/\n99,300,1,9/\n";
    let outcome = bai2::read(file.as_bytes());
    assert_eq!(codes(&outcome), ["missing_trailer"], "the group and file totals (100 + 200) and counts hold");
    assert_eq!(outcome.diagnostics[0].position, Position::Line(3));
    let texts: Vec<&str> = outcome.statements.iter().map(|s| s.lines[0].remittance_text.as_str()).collect();
    assert_eq!(texts, ["A", "B"]);
}

#[test]
fn a_byte_order_mark_is_not_a_record() {
    let with_bom = [&b"\xEF\xBB\xBF"[..], MOOV].concat();
    assert_eq!(bai2::read(&with_bom), bai2::read(MOOV));
}
