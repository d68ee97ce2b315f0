//! X12 820 reader: the pyx12 sample (see tests/data/SOURCES.md), edge cases written
//! by hand (adjustments, other separators, several payments), and a generated round trip.
#![cfg(feature = "x12-820")]
#![allow(clippy::unwrap_used)]

mod read_support;

use ar_core::{Currency, Money};
use ar_reconcile::readers::x12_820;
use ar_reconcile::{Adjustment, Position, Reference, Severity};
use chrono::NaiveDate;
use proptest::prelude::*;
use read_support::codes;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const PYX12: &[u8] = include_bytes!("data/x12_820/pyx12_820_loops_4010X061.x12");

fn usd(amount: Decimal) -> Money {
    Money::new(amount, Currency::USD).unwrap()
}

fn replace(input: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(input).unwrap();
    assert!(text.contains(from), "fixture must contain {from:?}");
    text.replacen(from, to, 1).into_bytes()
}

const ISA: &str =
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PAYEE          *250301*1200*U*00401*000000042*0*P*>~";

/// An interchange around `sets` (each the segments between ST and SE, without them).
fn interchange(sets: &[&str]) -> String {
    let mut out = format!("{ISA}\nGS*RA*PAYER*PAYEE*20250301*1200*7*X*004010~\n");
    for (n, body) in sets.iter().enumerate() {
        let segments = body.matches('~').count() + 2;
        out.push_str(&format!("ST*820*{:04}~\n{body}SE*{segments}*{:04}~\n", n + 1, n + 1));
    }
    out.push_str(&format!("GE*{}*7~\nIEA*1*000000042~\n", sets.len()));
    out
}

#[test]
fn pyx12_premium_payment_reads_with_its_two_remittances() {
    let outcome = x12_820::read(PYX12);
    assert_eq!(codes(&outcome), Vec::<&str>::new(), "SE01 15, GE/IEA counts and 1000 + 2000 = 3000 hold");
    assert_eq!(outcome.statements.len(), 1);
    let statement = &outcome.statements[0];
    assert_eq!(statement.id.as_deref(), Some("999999999"));
    assert_eq!(statement.account, "9999999", "BPR15, the receiver's account");
    assert_eq!(statement.currency, Currency::USD);
    assert_eq!((statement.opening.as_ref(), statement.closing.as_ref()), (None, None));
    assert_eq!(statement.lines.len(), 1);

    let payment = &statement.lines[0];
    assert_eq!(payment.amount, usd(dec!(3000.00)));
    assert_eq!(payment.booking_date, NaiveDate::from_ymd_opt(2005, 2, 17).unwrap());
    assert_eq!(payment.transaction_code.as_deref(), Some("ACH"));
    assert_eq!(payment.bank_reference.as_deref(), Some("999999999"));
    assert_eq!(payment.end_to_end_id.as_deref(), Some("999999999"));
    assert_eq!(payment.counterparty_name.as_deref(), Some("AAAA"));
    assert_eq!(payment.counterparty_account.as_deref(), Some("9999999"));
    assert_eq!(
        payment.references,
        [Reference::Other("5038561705".into()), Reference::Other("5038561800".into())],
        "RMR*AZ is not an invoice number"
    );
    let documents: Vec<(&str, Option<Money>, Option<Money>)> =
        payment.remittances.iter().map(|r| (r.document.as_str(), r.paid, r.original)).collect();
    assert_eq!(
        documents,
        [
            ("5038561705", Some(usd(dec!(1000))), Some(usd(dec!(0)))),
            ("5038561800", Some(usd(dec!(2000))), Some(usd(dec!(0)))),
        ]
    );
    assert!(payment.remittances.iter().all(|r| r.discount.is_none() && r.adjustments.is_empty()));
}

#[test]
fn a_payment_that_differs_from_its_remittances_is_reported() {
    let outcome = x12_820::read(&replace(PYX12, "BPR*I*3000*", "BPR*I*3000.01*"));
    assert_eq!(codes(&outcome), ["remittance_total_mismatch"]);
    let diagnostic = &outcome.diagnostics[0];
    assert_eq!((diagnostic.severity, &diagnostic.position), (Severity::Error, &Position::Line(4)));
    assert!(diagnostic.message.contains("difference 0.01 USD"), "{}", diagnostic.message);
    assert_eq!(outcome.statements[0].lines[0].amount, usd(dec!(3000.01)), "the payment is still read as sent");
}

#[test]
fn control_counts_and_numbers_are_checked() {
    let se = x12_820::read(&replace(PYX12, "SE*15*0001", "SE*14*0001"));
    assert_eq!(codes(&se), ["segment_count_mismatch"]);
    assert_eq!(se.diagnostics[0].position, Position::Line(17));
    let se_control = x12_820::read(&replace(PYX12, "SE*15*0001", "SE*15*0002"));
    assert_eq!(codes(&se_control), ["control_number_mismatch"]);
    let ge = x12_820::read(&replace(PYX12, "GE*1*", "GE*2*"));
    assert_eq!(codes(&ge), ["transaction_count_mismatch"]);
    let ge_control = x12_820::read(&replace(PYX12, "GE*1*962310001", "GE*1*962310002"));
    assert_eq!(codes(&ge_control), ["control_number_mismatch"]);
    let iea = x12_820::read(&replace(PYX12, "IEA*1*", "IEA*3*"));
    assert_eq!(codes(&iea), ["group_count_mismatch"]);
    let iea_control = x12_820::read(&replace(PYX12, "IEA*1*000296231", "IEA*1*000296232"));
    assert_eq!(codes(&iea_control), ["control_number_mismatch"]);
    // Every check still leaves the payment readable.
    for outcome in [se, se_control, ge, ge_control, iea, iea_control] {
        assert_eq!(outcome.statements[0].lines[0].amount, usd(dec!(3000)));
    }
}

#[test]
fn adjustments_under_a_document_explain_it_and_adjustments_alone_add_to_the_payment() {
    // Invoice 1: 500.00 billed, 10.00 discount, 15.00 short-paid for damage: 475.00 paid.
    // Invoice 2: 300.00 paid in full. A payer-level credit memo takes 25.00 off the payment.
    let body = "BPR*C*750*C*ACH*CTX*01*011000015*DA*1234*1234567890**01*021000021*DA*98765*20250303~\
                TRN*1*TRACE-1*1234567890~CUR*PR*USD~N1*PR*ACME CORP~N1*PE*OUR COMPANY*FI*999~\
                ENT*1~ADX*-25*CM~REF*CM*MEMO-9~\
                RMR*IV*INV-1**475*500*10~REF*PO*PO-77~DTM*003*20250201~ADX*-15*19~\
                RMR*IV*INV-2**300*300~";
    let outcome = x12_820::read(interchange(&[body]).as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new(), "475 + 300 − 25 = 750");
    let payment = &outcome.statements[0].lines[0];
    assert_eq!(payment.amount, usd(dec!(750)));
    assert_eq!(outcome.statements[0].account, "98765");
    assert_eq!(payment.counterparty_account.as_deref(), Some("1234"));
    assert_eq!(payment.remittances.len(), 3);
    let alone = &payment.remittances[0];
    assert_eq!((alone.document.as_str(), alone.paid), ("", None));
    assert_eq!(alone.adjustments, [Adjustment { amount: usd(dec!(-25)), reason: "CM".into() }]);
    let first = &payment.remittances[1];
    assert_eq!(first.document, "INV-1");
    assert_eq!(
        (first.paid, first.original, first.discount),
        (Some(usd(dec!(475))), Some(usd(dec!(500))), Some(usd(dec!(10))))
    );
    assert_eq!(first.adjustments, [Adjustment { amount: usd(dec!(-15)), reason: "19".into() }]);
    assert_eq!(payment.remittances[2].document, "INV-2");
    assert!(payment.remittances[2].adjustments.is_empty());
    assert_eq!(
        payment.references,
        [Reference::Invoice("INV-1".into()), Reference::Other("PO-77".into()), Reference::Invoice("INV-2".into())],
        "the REF before any RMR is about the payer's memo, not a document"
    );

    // Without the payer-level memo the documents add up to 775, not 750.
    let without = body.replace("ADX*-25*CM~", "");
    let outcome = x12_820::read(interchange(&[&without]).as_bytes());
    assert_eq!(codes(&outcome), ["remittance_total_mismatch"]);
}

#[test]
fn separators_come_from_the_isa_header() {
    let text = std::str::from_utf8(PYX12).unwrap();
    let swapped: String = text
        .chars()
        .map(|c| match c {
            '*' => '|',
            '~' => '\'',
            ':' => '^',
            other => other,
        })
        .collect::<String>()
        .replace('\n', "\r\n");
    let outcome = x12_820::read(swapped.as_bytes());
    assert_eq!(outcome, x12_820::read(PYX12));
    // All on one line, as many translators write it.
    let one_line = text.replace('\n', "");
    assert_eq!(x12_820::read(one_line.as_bytes()), x12_820::read(PYX12));
}

#[test]
fn several_payments_debits_and_currencies() {
    let eur = "BPR*C*100.5*C*FWT************20250304~TRN*1*T-EUR~CUR*PR*EUR~RMR*IV*E-1**100.50~";
    let debit = "BPR*D*20*D*ACH************20250305~TRN*1*T-DEBIT~RMR*CM*C-1**20~";
    let outcome = x12_820::read(interchange(&[eur, debit]).as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new());
    let read: Vec<(&str, Money)> =
        outcome.statements.iter().map(|s| (s.id.as_deref().unwrap(), s.lines[0].amount)).collect();
    assert_eq!(read, [("T-EUR", Money::new(dec!(100.50), Currency::EUR).unwrap()), ("T-DEBIT", usd(dec!(-20))),]);
    assert_eq!(outcome.statements[0].currency, Currency::EUR);
    assert_eq!(outcome.statements[0].lines[0].transaction_code.as_deref(), Some("FWT"));
}

#[test]
fn bad_values_are_reported_and_the_rest_is_read() {
    let bad_amount = "BPR*C*12.3.4*C*ACH************20250304~TRN*1*T1~";
    let bad_date = "BPR*C*10*C*ACH************20251304~TRN*1*T2~";
    let bad_currency = "BPR*C*10*C*ACH************20250304~TRN*1*T3~CUR*PR*XYZ~RMR*IV*I**10~";
    let too_fine = "BPR*C*10*C*ACH************20250304~TRN*1*T4~RMR*IV*I**10.001~";
    let good = "BPR*C*10*C*ACH************20250304~TRN*1*T5~RMR*IV*I**10~";
    let outcome = x12_820::read(interchange(&[bad_amount, bad_date, bad_currency, too_fine, good]).as_bytes());
    assert_eq!(
        codes(&outcome),
        ["bad_amount", "bad_date", "missing_payment", "unknown_currency", "bad_amount", "remittance_total_mismatch"]
    );
    let ids: Vec<&str> = outcome.statements.iter().map(|s| s.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["T3", "T4", "T5"], "an unknown currency falls back to USD after its diagnostic");
}

#[test]
fn structure_problems_are_reported_not_fatal() {
    let not_x12 = x12_820::read(b"GS*RA*A*B~ST*820*1~");
    assert_eq!(codes(&not_x12), ["not_x12"]);
    assert_eq!(x12_820::read(b""), not_x12);

    let other = interchange(&["BIG*20250301*INV1~"]).replace("ST*820", "ST*810");
    assert_eq!(codes(&x12_820::read(other.as_bytes())), ["not_820"]);

    let no_bpr = x12_820::read(interchange(&["TRN*1*T1~RMR*IV*I**10~"]).as_bytes());
    assert_eq!(codes(&no_bpr), ["missing_payment"]);

    // Cut short inside the transaction set: what was read is returned.
    let full = String::from_utf8(PYX12.to_vec()).unwrap();
    let cut = &full[..full.find("SE*15").unwrap()];
    let outcome = x12_820::read(cut.as_bytes());
    assert_eq!(codes(&outcome), ["missing_trailer", "missing_trailer", "missing_trailer"]);
    assert_eq!(outcome.statements[0].lines[0].remittances.len(), 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Payments written as 820s with honest totals read back exactly, with no
    /// diagnostics, and each payment equals the sum of what it remits.
    #[test]
    fn generated_payments_round_trip(
        payments in prop::collection::vec(
            (
                prop::collection::vec((1i64..10_000_000, 0i64..100_000, prop::option::of(1i64..5_000)), 1..10),
                prop::option::of(1i64..10_000),
            ),
            1..5,
        ),
    ) {
        let mut bodies = Vec::new();
        for (n, (documents, memo)) in payments.iter().enumerate() {
            let paid: i64 = documents.iter().map(|(p, _, _)| p).sum();
            let total = paid - memo.unwrap_or(0);
            let cents = |m: i64| format!("{}{}.{:02}", if m < 0 { "-" } else { "" }, m.abs() / 100, m.abs() % 100);
            let mut body = format!("BPR*C*{}*C*ACH************20250301~TRN*1*T{n}~ENT*1~", cents(total));
            if let Some(memo) = memo {
                body.push_str(&format!("ADX*{}*CM~", cents(-memo)));
            }
            for (i, (paid, discount, short)) in documents.iter().enumerate() {
                let original = paid + discount + short.unwrap_or(0);
                body.push_str(&format!("RMR*IV*D{n}-{i}**{}*{}*{}~", cents(*paid), cents(original), cents(*discount)));
                if let Some(short) = short {
                    body.push_str(&format!("ADX*{}*01~", cents(-short)));
                }
            }
            bodies.push(body);
        }
        let refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
        let outcome = x12_820::read(interchange(&refs).as_bytes());
        prop_assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        prop_assert_eq!(outcome.statements.len(), payments.len());
        for (statement, (documents, memo)) in outcome.statements.iter().zip(&payments) {
            let line = &statement.lines[0];
            let remitted: i64 = line.remittances.iter().filter_map(|r| r.paid).map(|m| m.minor()).sum();
            prop_assert_eq!(line.amount.minor(), remitted - memo.unwrap_or(0));
            let docs: Vec<_> = line.remittances.iter().filter(|r| !r.document.is_empty()).collect();
            prop_assert_eq!(docs.len(), documents.len());
            for (read, (paid, discount, short)) in docs.iter().zip(documents) {
                prop_assert_eq!(read.paid.map(|m| m.minor()), Some(*paid));
                prop_assert_eq!(read.discount.map(|m| m.minor()), Some(*discount));
                let original = read.original.map(|m| m.minor()).unwrap_or_default();
                let adjusted: i64 = read.adjustments.iter().map(|a| a.amount.minor()).sum();
                // Paid = original − discount + adjustments, as written.
                prop_assert_eq!(original - discount + adjusted, *paid);
                prop_assert_eq!(read.adjustments.len(), usize::from(short.is_some()));
            }
        }
    }
}

#[test]
fn repeated_references_are_kept_once_in_file_order() {
    let body = "BPR*C*6*C*ACH************20250304~TRN*1*T1~RMR*IV*B**1~RMR*IV*A**2~RMR*IV*B**3~REF*PO*A~";
    let outcome = x12_820::read(interchange(&[body]).as_bytes());
    assert_eq!(codes(&outcome), Vec::<&str>::new());
    let line = &outcome.statements[0].lines[0];
    assert_eq!(
        line.references,
        [Reference::Invoice("B".into()), Reference::Invoice("A".into()), Reference::Other("A".into())]
    );
    assert_eq!(line.remittances.len(), 3, "each remitted document stays, even when its number repeats");
}

#[test]
fn a_byte_order_mark_before_the_isa_is_skipped() {
    let with_bom = [&b"\xEF\xBB\xBF"[..], PYX12].concat();
    assert_eq!(x12_820::read(&with_bom), x12_820::read(PYX12));
}
