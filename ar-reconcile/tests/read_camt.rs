//! The camt.052/053/054 reader against real and hand-written files, hostile input and
//! random mutations.
#![cfg(feature = "camt")]
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use ar_core::{Currency, Money};
use ar_reconcile::readers::camt;
use ar_reconcile::{BankLine, Diagnostic, Position, ReadOutcome, Reference, Remittance, Severity, Statement};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const GENKGO: &[u8] = include_bytes!("data/camt/genkgo_multi_statement_camt053_v02.xml");
const CAMT054: &[u8] = include_bytes!("data/camt/camt054_v08_remittance.xml");
const CAMT053_V08: &[u8] = include_bytes!("data/camt/camt053_v08_statement.xml");
const LATIN1: &[u8] = include_bytes!("data/camt/camt053_v08_latin1.xml");
const CAMT052_V02: &[u8] = include_bytes!("data/camt/camt052_v02_report.xml");
const CAMT052_V08: &[u8] = include_bytes!("data/camt/camt052_v08_intraday.xml");

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/camt/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn money(amount: Decimal, currency: Currency) -> Money {
    Money::new(amount, currency).unwrap()
}

fn eur(amount: Decimal) -> Money {
    money(amount, Currency::EUR)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn codes(outcome: &ReadOutcome) -> Vec<(&str, Severity)> {
    outcome.diagnostics.iter().map(|d| (d.code.as_str(), d.severity)).collect()
}

fn element(path: &str) -> Position {
    Position::Element(path.to_owned())
}

/// Opening plus the lines, in minor units, exactly.
/// The warning for a pending entry at `path`, which the reader leaves out.
fn pending_left_out(path: &str) -> Diagnostic {
    Diagnostic {
        severity: Severity::Warning,
        position: element(path),
        code: "entry_not_booked".into(),
        message: "the entry has status PDNG, not BOOK (booked), and is left out".into(),
    }
}

fn closing_from_lines(statement: &Statement) -> i128 {
    let opening = statement.opening.as_ref().map_or(0, |b| i128::from(b.amount.minor()));
    opening + statement.lines.iter().map(|l| i128::from(l.amount.minor())).sum::<i128>()
}

/// What every outcome must satisfy, whatever the input.
fn assert_well_formed(outcome: &ReadOutcome) {
    for statement in &outcome.statements {
        for balance in statement.opening.iter().chain(&statement.closing) {
            assert_eq!(balance.amount.currency(), statement.currency);
        }
        for line in &statement.lines {
            assert_eq!(line.amount.currency(), statement.currency, "a line in another currency than its statement");
            assert!(!line.remittance_text.contains("  "), "remittance text is joined with single spaces");
            assert_eq!(line.remittance_text.trim(), line.remittance_text);
            for reference in &line.references {
                if let Reference::Creditor(rf) = reference {
                    assert!(rf.starts_with("RF") && rf.len() <= 25 && !rf.contains(' '), "{rf}");
                }
            }
        }
    }
    for diagnostic in &outcome.diagnostics {
        assert!(!diagnostic.code.is_empty() && !diagnostic.message.is_empty());
    }
}

// ---------------------------------------------------------------------------
// genkgo/camt: camt053.v2.multi.statement.xml (see data/SOURCES.md)
// ---------------------------------------------------------------------------

#[test]
fn genkgo_multi_statement_holds_two_reconciling_statements() {
    let outcome = camt::read(GENKGO);
    assert_eq!(outcome.diagnostics, Vec::<Diagnostic>::new(), "both statements reconcile");
    assert_eq!(outcome.statements.len(), 2);

    // Per expected.json: ids, accounts, one entry each, OPBD/CLBD balances.
    let expected = [
        ("253EURNL26VAYB8060476890", dec!(18.15), date(2014, 12, 30), dec!(27.00), date(2014, 12, 31)),
        ("254EURNL26VAYB8060476890", dec!(27.00), date(2014, 12, 30), dec!(20.00), date(2014, 12, 31)),
    ];
    for (statement, (id, opening, opening_date, closing, closing_date)) in outcome.statements.iter().zip(expected) {
        assert_eq!(statement.id.as_deref(), Some(id));
        assert_eq!(statement.account, "NL26VAYB8060476890");
        assert_eq!(statement.currency, Currency::EUR);
        let (open, close) = (statement.opening.as_ref().unwrap(), statement.closing.as_ref().unwrap());
        assert_eq!((open.amount, open.date), (eur(opening), opening_date));
        assert_eq!((close.amount, close.date), (eur(closing), closing_date));
        assert_eq!(statement.lines.len(), 1);
        // "reconciles": true for both.
        assert_eq!(closing_from_lines(statement), i128::from(close.amount.minor()));
    }
}

#[test]
fn genkgo_entries_read_as_the_bank_booked_them() {
    let outcome = camt::read(GENKGO);
    let credit = &outcome.statements[0].lines[0];
    // credits_by_currency EUR: 1 entry, 8.85.
    assert_eq!(credit.amount, eur(dec!(8.85)));
    assert_eq!(credit.booking_date, date(2014, 12, 31));
    assert_eq!(credit.value_date, Some(date(2015, 1, 2)));
    assert_eq!(credit.transaction_code.as_deref(), Some("544"));
    assert_eq!(credit.end_to_end_id.as_deref(), Some("000000001"));
    assert_eq!(credit.remittance_text, "Transaction Description 1");
    assert_eq!(credit.bank_reference, None, "acct_svcr_ref is null");
    // The file names only a creditor on this credit; the payer (debtor) is unknown.
    assert_eq!(credit.counterparty_name, None);
    assert_eq!(credit.counterparty_account, None);
    assert!(credit.references.is_empty() && credit.remittances.is_empty());

    let debit = &outcome.statements[1].lines[0];
    // debits_by_currency EUR: 1 entry, 7.00; the snapshot stores it as -700 minor units.
    assert_eq!(debit.amount, eur(dec!(-7.00)));
    assert_eq!(debit.amount.minor(), -700);
    assert_eq!(debit.booking_date, date(2014, 12, 31));
    assert_eq!(debit.value_date, Some(date(2015, 1, 2)));
    assert_eq!(debit.end_to_end_id.as_deref(), Some("000000002"));
    assert_eq!(debit.counterparty_name.as_deref(), Some("Company Name 2"));
    assert_eq!(debit.counterparty_account.as_deref(), Some("NL56AGDH9619008421"));
    assert_eq!(debit.remittance_text, "Transaction Description 2");
}

#[test]
fn every_prefix_of_the_real_file_gives_its_lines_so_far_and_an_error() {
    let full = camt::read(GENKGO);
    let all_lines: Vec<&BankLine> = full.statements.iter().flat_map(|s| &s.lines).collect();
    let end = GENKGO.windows(11).position(|w| w == b"</Document>").unwrap() + 11;
    for cut in 0..end {
        let outcome = camt::read(&GENKGO[..cut]);
        assert!(outcome.has_errors(), "a file cut at byte {cut} must be reported");
        let lines: Vec<&BankLine> = outcome.statements.iter().flat_map(|s| &s.lines).collect();
        assert!(all_lines.starts_with(&lines), "cut at {cut}: lines read must be those of the full file, in order");
        assert!(
            outcome.diagnostics.iter().all(|d| d.code != "balance_mismatch"),
            "cut at {cut}: a cut statement is not balance-checked"
        );
    }
    assert_eq!(camt::read(&GENKGO[..end]), full);
}

// ---------------------------------------------------------------------------
// camt.054.001.08 written for this project
// ---------------------------------------------------------------------------

#[test]
fn camt054_notification_reads_three_entries_without_balances() {
    let outcome = camt::read(CAMT054);
    assert_eq!(outcome.diagnostics, Vec::<Diagnostic>::new());
    let [notification] = outcome.statements.as_slice() else { panic!("one notification") };
    assert_eq!(notification.id.as_deref(), Some("NTF-20240315-0001-01"));
    assert_eq!(notification.account, "DE89370400440532013000");
    assert_eq!(notification.currency, Currency::EUR);
    assert_eq!((notification.opening.as_ref(), notification.closing.as_ref()), (None, None));
    let amounts: Vec<Money> = notification.lines.iter().map(|l| l.amount).collect();
    assert_eq!(amounts, [eur(dec!(1176.00)), eur(dec!(350.50)), eur(dec!(-25.00))]);
    assert_eq!(closing_from_lines(notification), 150_150);
}

#[test]
fn camt054_structured_remittance_carries_documents_amounts_and_the_rf_reference() {
    let outcome = camt::read(CAMT054);
    let line = &outcome.statements[0].lines[0];
    assert_eq!(line.booking_date, date(2024, 3, 15), "from DtTm 2024-03-15T09:12:44+01:00");
    assert_eq!(line.value_date, Some(date(2024, 3, 15)));
    assert_eq!(line.bank_reference.as_deref(), Some("2024031500012345"));
    assert_eq!(line.transaction_code.as_deref(), Some("PMNT/RCDT/ESCT"));
    assert_eq!(line.end_to_end_id.as_deref(), Some("E2E-ACME-20240314-77"));
    assert_eq!(line.counterparty_name.as_deref(), Some("ACME Handels GmbH"));
    assert_eq!(line.counterparty_account.as_deref(), Some("DE02120300000000202051"));
    assert_eq!(line.remittance_text, "");
    assert_eq!(
        line.references,
        [
            Reference::Creditor("RF18539007547034".into()),
            Reference::Invoice("INV-2024-0042".into()),
            Reference::Invoice("INV-2024-0057".into()),
        ]
    );
    assert_eq!(
        line.remittances,
        [
            Remittance {
                document: "INV-2024-0042".into(),
                paid: Some(eur(dec!(699.72))),
                original: Some(eur(dec!(714.00))),
                discount: Some(eur(dec!(14.28))),
                adjustments: vec![],
            },
            Remittance {
                document: "INV-2024-0057".into(),
                paid: Some(eur(dec!(476.28))),
                original: Some(eur(dec!(476.28))),
                discount: None,
                adjustments: vec![],
            },
        ]
    );
    // The remitted amounts add up to the booked amount, and original - discount = paid.
    let paid: i64 = line.remittances.iter().map(|r| r.paid.unwrap().minor()).sum();
    assert_eq!(paid, line.amount.minor());
    let first = &line.remittances[0];
    assert_eq!(first.original.unwrap().checked_sub(first.discount.unwrap()).unwrap(), first.paid.unwrap());
}

#[test]
fn camt054_batch_entry_stays_one_line_with_both_transactions_collected() {
    let outcome = camt::read(CAMT054);
    let line = &outcome.statements[0].lines[1];
    assert_eq!(line.amount, eur(dec!(350.50)), "the booked amount, not a transaction amount");
    assert_eq!(line.value_date, Some(date(2024, 3, 16)), "from DtTm, as written");
    assert_eq!(line.transaction_code.as_deref(), Some("PMNT/RCDT/BOOK"));
    assert_eq!(line.end_to_end_id.as_deref(), Some("E2E-BETA-9"), "NOTPROVIDED is no id");
    assert_eq!(line.counterparty_name.as_deref(), Some("Müller & Söhne KG"), "&amp; resolves");
    assert_eq!(line.counterparty_account.as_deref(), Some("DE75512108001245126199"));
    assert_eq!(line.remittance_text, "Rechnung INV-2024-0061 Kd-Nr. 4711 Zahlung RF71 2348 231 danke");
    assert_eq!(line.references, [Reference::Creditor("RF712348231".into())], "found in the free text");
    assert!(line.remittances.is_empty());
}

#[test]
fn camt054_debit_names_the_creditor_as_counterparty() {
    let outcome = camt::read(CAMT054);
    let line = &outcome.statements[0].lines[2];
    assert_eq!(line.amount, eur(dec!(-25.00)));
    assert_eq!(line.booking_date, date(2024, 3, 15), "23:59:59+01:00 stays on the 15th");
    assert_eq!(line.value_date, Some(date(2024, 3, 18)));
    assert_eq!(line.transaction_code.as_deref(), Some("PMNT/ICDT/ESCT"));
    assert_eq!(line.counterparty_name.as_deref(), Some("Gamma Services SARL"));
    assert_eq!(line.counterparty_account.as_deref(), Some("FR1420041010050500013M02606"));
    assert_eq!(line.end_to_end_id.as_deref(), Some("REFUND-CN-2024-0003"));
}

// ---------------------------------------------------------------------------
// camt.053.001.08 written for this project
// ---------------------------------------------------------------------------

#[test]
fn camt053_v08_with_prefixes_reads_and_reconciles() {
    let outcome = camt::read(CAMT053_V08);
    assert_eq!(outcome.diagnostics, [pending_left_out("Document/BkToCstmrStmt/Stmt[1]/Ntry[3]")]);
    let [statement] = outcome.statements.as_slice() else { panic!("one statement") };
    assert_eq!(statement.id.as_deref(), Some("STMT-20240315-0532013000"));
    assert_eq!(statement.account, "0532013000", "Acct/Id/Othr/Id");
    assert_eq!(statement.currency, Currency::USD);
    let usd = |a| money(a, Currency::USD);
    let opening = statement.opening.as_ref().unwrap();
    assert_eq!((opening.amount, opening.date), (usd(dec!(1000.00)), date(2024, 3, 14)), "PRCD opens");
    let closing = statement.closing.as_ref().unwrap();
    assert_eq!((closing.amount, closing.date), (usd(dec!(-250.00)), date(2024, 3, 15)), "DBIT closing, DtTm");
    assert_eq!(closing_from_lines(statement), i128::from(closing.amount.minor()));

    let [credit, debit] = statement.lines.as_slice() else { panic!("two booked entries") };
    assert_eq!(credit.amount, usd(dec!(500.00)));
    assert_eq!(credit.transaction_code.as_deref(), Some("PMNT/RCDT/DMCT"), "the ISO domain wins over Prtry");
    assert_eq!(credit.bank_reference.as_deref(), Some("FED-20240315-000123"));
    assert_eq!(credit.end_to_end_id.as_deref(), Some("INITECH-PO-5521"));
    assert_eq!(credit.counterparty_name.as_deref(), Some("Initech LLC"), "Dbtr/Pty/Nm");
    assert_eq!(credit.counterparty_account.as_deref(), Some("987654321"), "DbtrAcct/Id/Othr/Id");
    assert_eq!(credit.references, [Reference::Other("INV7788".into())], "not an RF reference");
    assert_eq!(credit.remittances.len(), 1);
    assert_eq!(credit.remittances[0].document, "INV7788");
    assert_eq!(credit.remittances[0].paid, Some(usd(dec!(500.00))));

    assert_eq!(debit.amount, usd(dec!(-1750.00)));
    assert_eq!(debit.booking_date, date(2024, 3, 15));
    assert_eq!(debit.transaction_code.as_deref(), Some("NTRF+455"));
    assert_eq!(debit.counterparty_name.as_deref(), Some("Payroll Services Inc"));
    assert_eq!(debit.remittance_text, "PAYROLL MARCH 2ND HALF");
}

#[test]
fn camt052_report_reads_like_a_statement_and_reconciles_on_its_booked_entries() {
    let outcome = camt::read(CAMT052_V02);
    assert_eq!(outcome.diagnostics, [pending_left_out("Document/BkToCstmrAcctRpt/Rpt[1]/Ntry[3]")]);
    let [report] = outcome.statements.as_slice() else { panic!("one report") };
    assert_eq!(report.id.as_deref(), Some("RPT-20240506-1700-01"));
    assert_eq!(report.account, "DE89370400440532013000");
    assert_eq!(report.currency, Currency::EUR);
    let opening = report.opening.as_ref().unwrap();
    assert_eq!((opening.amount, opening.date), (eur(dec!(1000.00)), date(2024, 5, 6)));
    let closing = report.closing.as_ref().unwrap();
    assert_eq!((closing.amount, closing.date), (eur(dec!(1175.50)), date(2024, 5, 6)), "CLBD, not the interim ITBD");
    assert_eq!(closing_from_lines(report), i128::from(closing.amount.minor()), "the pending 500.00 is not counted");

    let [credit, fee] = report.lines.as_slice() else { panic!("two booked entries") };
    assert_eq!(credit.amount, eur(dec!(250.00)));
    assert_eq!(credit.booking_date, date(2024, 5, 6));
    assert_eq!(credit.bank_reference.as_deref(), Some("BANK-0506-0001"));
    assert_eq!(credit.end_to_end_id.as_deref(), Some("ACME-PAY-7781"));
    assert_eq!(credit.counterparty_name.as_deref(), Some("ACME Handels GmbH"));
    assert_eq!(credit.counterparty_account.as_deref(), Some("DE02120300000000202051"));
    assert_eq!(credit.remittance_text, "INV-2024-0042 thank you");
    assert_eq!(credit.transaction_code.as_deref(), Some("NTRF+166"));
    assert_eq!(fee.amount, eur(dec!(-74.50)));
    assert_eq!(fee.remittance_text, "Account fees April");
}

#[test]
fn camt052_intraday_reports_without_closing_balances_are_read_unchecked() {
    let outcome = camt::read(CAMT052_V08);
    assert_eq!(outcome.diagnostics, Vec::<Diagnostic>::new(), "no closing balance, so nothing to check");
    let [eur_report, usd_report] = outcome.statements.as_slice() else { panic!("two reports") };
    assert_eq!(eur_report.id.as_deref(), Some("IDR-20240507-1100-EUR"));
    assert_eq!((eur_report.opening.as_ref(), eur_report.closing.as_ref()), (None, None), "ITBD is interim");
    let [credit] = eur_report.lines.as_slice() else { panic!("one booked entry") };
    assert_eq!(credit.amount, eur(dec!(3304.75)));
    assert_eq!(credit.booking_date, date(2024, 5, 7), "the date part of DtTm, as written");
    assert_eq!(credit.value_date, Some(date(2024, 5, 7)));
    assert_eq!(credit.end_to_end_id, None, "NOTPROVIDED is no id");
    assert_eq!(credit.transaction_code.as_deref(), Some("PMNT/RCDT/ESCT"));
    assert_eq!(credit.counterparty_name.as_deref(), Some("Initech Europe BV"));
    assert_eq!(credit.counterparty_account.as_deref(), Some("NL91ABNA0417164300"));
    assert_eq!(credit.references, [Reference::Creditor("RF18539007547034".into())]);

    assert_eq!(usd_report.account, "400-7788-01", "Acct/Id/Othr/Id");
    assert_eq!(usd_report.currency, Currency::USD);
    let [debit] = usd_report.lines.as_slice() else { panic!("one booked entry") };
    assert_eq!(debit.amount, money(dec!(-1200.00), Currency::USD));
    assert_eq!(debit.counterparty_name.as_deref(), Some("Office Supplies Inc"), "the creditor on a debit");
}

#[test]
fn a_report_element_outside_a_report_message_is_not_read() {
    // `Rpt` belongs under `BkToCstmrAcctRpt`: inside a statement message it is an unknown element.
    let xml = br#"<Document><BkToCstmrStmt><Rpt><Acct><Id><IBAN>X1</IBAN></Id><Ccy>EUR</Ccy></Acct>
        <Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>
        </Rpt></BkToCstmrStmt></Document>"#;
    let outcome = camt::read(xml);
    assert!(outcome.statements.is_empty());
}

#[test]
fn a_later_account_currency_does_not_overrule_the_one_entries_were_checked_against() {
    // The first report's end tag is broken, so the second report nests inside it
    // and its USD account currency arrives after a EUR entry was read.
    let xml = br#"<Document><BkToCstmrAcctRpt><Rpt><Acct><Id><IBAN>X1</IBAN></Id><Ccy>EUR</Ccy></Acct>
        <Ntry><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>
        =/Rpt><Rpt><Acct><Id><Othr><Id>400</Id></Othr></Id><Ccy>USD</Ccy></Acct></Rpt>
        </Rpt></BkToCstmrAcctRpt></Document>"#;
    let outcome = camt::read(xml);
    assert_well_formed(&outcome);
    assert_eq!(codes(&outcome), [("currency_mismatch", Severity::Error)]);
    let [report] = outcome.statements.as_slice() else { panic!("one report") };
    assert_eq!(report.currency, Currency::EUR);
    assert_eq!(report.lines[0].amount, eur(dec!(10.00)));
}

#[test]
fn latin1_declared_file_decodes() {
    let outcome = camt::read(LATIN1);
    assert_eq!(outcome.diagnostics, Vec::<Diagnostic>::new());
    let line = &outcome.statements[0].lines[0];
    assert_eq!(line.counterparty_name.as_deref(), Some("Jörg Müßig Bäckerei"));
    assert_eq!(line.remittance_text, "Überweisung Rechnung 17 · danke");
}

// ---------------------------------------------------------------------------
// Broken and hostile files
// ---------------------------------------------------------------------------

#[test]
fn billion_laughs_is_refused_quickly_without_expansion() {
    let started = Instant::now();
    let outcome = camt::read(&data("billion_laughs.xml"));
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(codes(&outcome), [("doctype_rejected", Severity::Error)]);
    assert!(outcome.statements.is_empty());
}

#[test]
fn external_entities_are_refused() {
    let outcome = camt::read(&data("external_entity.xml"));
    assert_eq!(codes(&outcome), [("doctype_rejected", Severity::Error)]);
    assert!(outcome.statements.is_empty());
}

fn minimal(ustrd: &str) -> String {
    format!(
        r#"<Document><BkToCstmrStmt><Stmt><Acct><Id><IBAN>X1</IBAN></Id><Ccy>EUR</Ccy></Acct>
        <Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-02</Dt></BookgDt>
        <NtryDtls><TxDtls><RmtInf><Ustrd>{ustrd}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>"#
    )
}

#[test]
fn undeclared_entities_stop_the_reader_but_predefined_ones_resolve() {
    let outcome = camt::read(minimal("pay &foo; now").as_bytes());
    assert_eq!(codes(&outcome), [("undefined_entity", Severity::Error)]);
    assert!(outcome.statements.iter().all(|s| s.lines.is_empty()));

    let outcome = camt::read(minimal("pay &#0; now").as_bytes());
    assert_eq!(codes(&outcome), [("bad_character_reference", Severity::Error)]);

    let outcome = camt::read(minimal("&lt;&#65;&#x42;&gt; &amp;&apos;&quot; <![CDATA[<raw&>]]>").as_bytes());
    assert_eq!(outcome.diagnostics, Vec::<Diagnostic>::new());
    assert_eq!(outcome.statements[0].lines[0].remittance_text, "<AB> &'\" <raw&>");
}

#[test]
fn truncated_file_keeps_the_entries_read_before_the_cut() {
    let outcome = camt::read(&data("truncated.xml"));
    assert_eq!(codes(&outcome), [("truncated", Severity::Error)], "and no balance_mismatch");
    let [statement] = outcome.statements.as_slice() else { panic!("the cut statement is kept") };
    let refs: Vec<_> = statement.lines.iter().map(|l| l.bank_reference.as_deref()).collect();
    assert_eq!(refs, [Some("T-1"), Some("T-2")]);
    assert_eq!(statement.opening.as_ref().unwrap().amount, eur(dec!(100.00)));
}

#[test]
fn wrong_scale_and_unparsable_amounts_skip_their_entries() {
    let outcome = camt::read(&data("wrong_scale.xml"));
    let found: Vec<(&str, &Position)> = outcome.diagnostics.iter().map(|d| (d.code.as_str(), &d.position)).collect();
    let ntry = |n| element(&format!("Document/BkToCstmrStmt/Stmt[1]/Ntry[{n}]/Amt"));
    assert_eq!(found, [("bad_amount", &ntry(1)), ("bad_amount", &ntry(2)), ("bad_amount", &ntry(3))]);
    assert!(outcome.diagnostics.iter().all(|d| d.severity == Severity::Error));
    assert!(outcome.diagnostics[0].message.contains("10.005"), "{}", outcome.diagnostics[0].message);
    assert!(outcome.diagnostics[1].message.contains("JPY"), "{}", outcome.diagnostics[1].message);
    let [statement] = outcome.statements.as_slice() else { panic!("one statement") };
    assert_eq!(statement.lines.len(), 1);
    assert_eq!(statement.lines[0].bank_reference.as_deref(), Some("GOOD-1"));
    assert_eq!(statement.lines[0].amount, eur(dec!(5.00)));
}

#[test]
fn a_statement_that_does_not_add_up_is_reported_with_the_difference() {
    let outcome = camt::read(&data("balance_mismatch.xml"));
    let [diagnostic] = outcome.diagnostics.as_slice() else { panic!("one diagnostic: {:?}", outcome.diagnostics) };
    assert_eq!((diagnostic.code.as_str(), diagnostic.severity), ("balance_mismatch", Severity::Error));
    assert_eq!(diagnostic.position, element("Document/BkToCstmrStmt/Stmt[1]"));
    assert!(diagnostic.message.contains("difference -0.01 EUR"), "{}", diagnostic.message);
    let statement = &outcome.statements[0];
    assert_eq!(statement.lines.len(), 2, "the lines are still read");
    assert_eq!(closing_from_lines(statement), 5901);
}

#[test]
fn other_documents_and_encodings_are_named_not_guessed() {
    let pain = br#"<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>"#;
    assert_eq!(codes(&camt::read(pain)), [("unsupported_message", Severity::Error)]);
    assert_eq!(codes(&camt::read(b"<html><body/></html>")), [("unsupported_message", Severity::Error)]);
    assert_eq!(codes(&camt::read(b"")), [("no_document", Severity::Error)]);
    assert_eq!(codes(&camt::read(b"just some text")), [("no_document", Severity::Error)]);
    assert_eq!(codes(&camt::read(b"<Document>\xff</Document>")), [("bad_encoding", Severity::Error)]);
    assert_eq!(codes(&camt::read(b"\xff\xfe<\x00D\x00")), [("bad_encoding", Severity::Error)]);
    assert_eq!(
        codes(&camt::read(b"<Document><BkToCstmrStmt></Stmt></Document>")),
        [("malformed_xml", Severity::Error)]
    );
    let two_roots = b"<Document><BkToCstmrStmt/></Document><Document/>";
    assert_eq!(codes(&camt::read(two_roots)), [("malformed_xml", Severity::Error)]);
}

#[test]
fn deep_nesting_is_bounded() {
    let depth = 100_000;
    let mut xml = String::from("<Document><BkToCstmrStmt>");
    xml.push_str(&"<a>".repeat(depth));
    xml.push_str(&"</a>".repeat(depth));
    xml.push_str("</BkToCstmrStmt></Document>");
    let started = Instant::now();
    let outcome = camt::read(xml.as_bytes());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(codes(&outcome), [("too_deep", Severity::Error)]);
}

#[test]
fn oversized_input_is_refused_before_reading() {
    let huge = vec![0u8; ar_reconcile::readers::MAX_INPUT_BYTES + 1];
    assert_eq!(codes(&camt::read(&huge)), [("input_too_large", Severity::Error)]);
}

#[test]
fn one_amount_for_several_documents_is_not_split_by_guesswork() {
    let xml = r#"<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Acct><Id><IBAN>X1</IBAN></Id></Acct>
        <Ntry><Amt Ccy="CHF">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt>
        <NtryDtls><TxDtls><RmtInf><Strd>
          <RfrdDocInf><Nb>A-1</Nb></RfrdDocInf><RfrdDocInf><Nb>A-2</Nb></RfrdDocInf>
          <RfrdDocAmt><RmtdAmt Ccy="CHF">30.00</RmtdAmt></RfrdDocAmt>
          <CdtrRefInf><Ref>RF19539007547034</Ref></CdtrRefInf>
        </Strd></RmtInf></TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"#;
    let outcome = camt::read(xml.as_bytes());
    let strd = element("Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]/NtryDtls/TxDtls[1]/RmtInf/Strd[1]");
    let found: Vec<_> = outcome.diagnostics.iter().map(|d| (d.code.as_str(), d.severity, &d.position)).collect();
    assert_eq!(
        found,
        [
            ("bad_creditor_reference", Severity::Warning, &strd),
            ("ambiguous_remittance_amounts", Severity::Warning, &strd),
        ]
    );
    let statement = &outcome.statements[0];
    assert_eq!(statement.currency, Currency::CHF, "from the entry, without Acct/Ccy");
    let line = &statement.lines[0];
    assert_eq!(
        line.references,
        [
            Reference::Other("RF19539007547034".into()),
            Reference::Invoice("A-1".into()),
            Reference::Invoice("A-2".into())
        ]
    );
    let documents: Vec<_> = line.remittances.iter().map(|r| (r.document.as_str(), r.paid)).collect();
    assert_eq!(documents, [("A-1", None), ("A-2", None)]);
}

#[test]
fn entry_level_problems_skip_only_that_entry() {
    let entry = |amount: &str, sign: &str, booked: &str| {
        format!(
            r#"<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd><BookgDt><Dt>{booked}</Dt></BookgDt></Ntry>"#
        )
    };
    let xml = format!(
        r#"<Document><BkToCstmrStmt><Stmt><Acct><Id><IBAN>X1</IBAN></Id><Ccy>EUR</Ccy></Acct>{}{}{}{}{}</Stmt></BkToCstmrStmt></Document>"#,
        entry("1.00", "CRDT", "2024-01-02"),
        entry("2.00", "CREDIT", "2024-01-02"),
        entry("3.00", "DBIT", "2024-02-30"),
        r#"<Ntry><Amt Ccy="USD">4.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>"#,
        r#"<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><ValDt><Dt>2024-01-03</Dt></ValDt></Ntry>"#,
    );
    let outcome = camt::read(xml.as_bytes());
    assert_eq!(
        codes(&outcome),
        [
            ("bad_credit_debit", Severity::Error),
            ("bad_date", Severity::Error),
            ("currency_mismatch", Severity::Error),
            ("missing_booking_date", Severity::Warning),
        ]
    );
    let amounts: Vec<_> = outcome.statements[0].lines.iter().map(|l| (l.amount, l.booking_date)).collect();
    assert_eq!(amounts, [(eur(dec!(1.00)), date(2024, 1, 2)), (eur(dec!(-5.00)), date(2024, 1, 3))]);
}

// ---------------------------------------------------------------------------
// No input makes the reader panic
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, byte: u8 },
    Insert { at: usize, bytes: Vec<u8> },
    Delete { at: usize, len: usize },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Inserted bytes lean towards markup so that mutations reach deep parser states.
    let markup = prop::sample::select(vec![
        b"<".to_vec(),
        b">".to_vec(),
        b"</".to_vec(),
        b"&".to_vec(),
        b"&#0;".to_vec(),
        b"&#x110000;".to_vec(),
        b"<Ntry>".to_vec(),
        b"</Ntry>".to_vec(),
        b"<Amt Ccy=\"EUR\">".to_vec(),
        b"<![CDATA[".to_vec(),
        b"<!DOCTYPE x>".to_vec(),
        b"\xff".to_vec(),
        b"\xc3".to_vec(),
        "ü".as_bytes().to_vec(),
    ]);
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, byte)| Mutation::Flip { at: i.index(1 << 20), byte }),
        (any::<prop::sample::Index>(), prop_oneof![markup, prop::collection::vec(any::<u8>(), 1..8)])
            .prop_map(|(i, bytes)| Mutation::Insert { at: i.index(1 << 20), bytes }),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, len)| Mutation::Delete { at: i.index(1 << 20), len }),
        any::<prop::sample::Index>().prop_map(|i| Mutation::Truncate { at: i.index(1 << 20) }),
    ]
}

fn apply(input: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for mutation in mutations {
        let len = bytes.len().max(1);
        match mutation {
            Mutation::Flip { at, byte } => {
                if let Some(b) = bytes.get_mut(at % len) {
                    *b ^= byte | 1;
                }
            }
            Mutation::Insert { at, bytes: new } => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Delete { at, len: n } => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            Mutation::Truncate { at } => bytes.truncate(at % len),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let outcome = camt::read(&bytes);
        assert_well_formed(&outcome);
        // Random bytes are never a camt message, and the reader says so.
        prop_assert!(outcome.statements.is_empty());
        prop_assert!(outcome.has_errors());
    }

    #[test]
    fn mutated_real_files_never_panic(
        source in prop::sample::select(vec![GENKGO, CAMT054, CAMT053_V08, LATIN1, CAMT052_V02, CAMT052_V08]),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let outcome = camt::read(&apply(source, &mutations));
        assert_well_formed(&outcome);
        // A statement whose balances are both there and are reported as matching
        // really does add up.
        for statement in &outcome.statements {
            if let (Some(_), Some(closing)) = (&statement.opening, &statement.closing) {
                let mismatch = outcome.diagnostics.iter().any(|d| d.code == "balance_mismatch" || d.severity == Severity::Error);
                prop_assert!(mismatch || closing_from_lines(statement) == i128::from(closing.amount.minor()));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Throughput (run with `cargo test --release -- --ignored --nocapture`)
// ---------------------------------------------------------------------------

#[test]
fn document_adjustments_read_with_their_sign_and_reason() {
    let xml = r#"<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Acct><Id><IBAN>X1</IBAN></Id><Ccy>EUR</Ccy></Acct>
        <Ntry><Amt Ccy="EUR">93.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-03-04</Dt></BookgDt>
        <NtryDtls><TxDtls><RmtInf><Strd>
          <RfrdDocInf><Nb>INV-77</Nb></RfrdDocInf>
          <RfrdDocAmt>
            <DuePyblAmt Ccy="EUR">100.00</DuePyblAmt>
            <AdjstmntAmtAndRsn><Amt Ccy="EUR">7.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Rsn>DAMG</Rsn><AddtlInf>2 cases broken</AddtlInf></AdjstmntAmtAndRsn>
            <AdjstmntAmtAndRsn><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><AddtlInf>freight rebilled</AddtlInf></AdjstmntAmtAndRsn>
            <AdjstmntAmtAndRsn><Amt Ccy="EUR">0.005</Amt><Rsn>BAD</Rsn></AdjstmntAmtAndRsn>
            <RmtdAmt Ccy="EUR">93.50</RmtdAmt>
          </RfrdDocAmt>
        </Strd></RmtInf></TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"#;
    let outcome = camt::read(xml.as_bytes());
    let line = &outcome.statements[0].lines[0];
    let remittance = &line.remittances[0];
    assert_eq!(remittance.document, "INV-77");
    assert_eq!(remittance.original, Some(eur(dec!(100.00))));
    assert_eq!(remittance.paid, Some(eur(dec!(93.50))));
    let adjustments: Vec<_> = remittance.adjustments.iter().map(|a| (a.amount, a.reason.as_str())).collect();
    // DBIT is a decrease; without a reason code the additional information
    // explains it; an amount off the currency's scale is left out and reported.
    assert_eq!(adjustments, [(eur(dec!(-7.50)), "DAMG"), (eur(dec!(1.00)), "freight rebilled")]);
    assert_eq!(codes(&outcome), [("bad_amount", Severity::Error)]);
}
