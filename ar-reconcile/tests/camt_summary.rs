//! The camt reader checks a statement's own control totals (`TxsSummry`) against the
//! booked entries it read: real and project fixtures with their summaries as written,
//! the same fixtures with each figure changed, and random figures against the truth.
#![cfg(feature = "camt")]
#![allow(clippy::unwrap_used)]

use ar_reconcile::readers::camt;
use ar_reconcile::{Diagnostic, Position, ReadOutcome, Severity};
use proptest::prelude::*;

const GENKGO: &str = include_str!("data/camt/genkgo_multi_statement_camt053_v02.xml");
const CAMT053_V08: &str = include_str!("data/camt/camt053_v08_statement.xml");
const CAMT054_V08: &str = include_str!("data/camt/camt054_v08_remittance.xml");
const CAMT052_V02: &str = include_str!("data/camt/camt052_v02_report.xml");
const CAMT052_V08: &str = include_str!("data/camt/camt052_v08_intraday.xml");
const LATIN1: &[u8] = include_bytes!("data/camt/camt053_v08_latin1.xml");
const BALANCE_MISMATCH: &str = include_str!("data/camt/balance_mismatch.xml");

const SUMMARY_CODES: [&str; 2] = ["record_count_mismatch", "control_total_mismatch"];

/// The summary as the v08 fixture writes it (count and net only).
const V08_SUMMARY: &str = "<ns2:TxsSummry>
        <ns2:TtlNtries>
          <ns2:NbOfNtries>2</ns2:NbOfNtries>
          <ns2:TtlNetNtry>
            <ns2:Amt>1250.00</ns2:Amt>
            <ns2:CdtDbtInd>DBIT</ns2:CdtDbtInd>
          </ns2:TtlNetNtry>
        </ns2:TtlNtries>
      </ns2:TxsSummry>";

/// Every figure the schema has, true for the v08 fixture's two booked entries
/// (500.00 CRDT, 1750.00 DBIT; its pending 99.99 CRDT is not counted).
const V08_FULL_SUMMARY: &str = "<ns2:TxsSummry>
        <ns2:TtlNtries>
          <ns2:NbOfNtries>2</ns2:NbOfNtries>
          <ns2:Sum>2250.00</ns2:Sum>
          <ns2:TtlNetNtry>
            <ns2:Amt>1250.00</ns2:Amt>
            <ns2:CdtDbtInd>DBIT</ns2:CdtDbtInd>
          </ns2:TtlNetNtry>
        </ns2:TtlNtries>
        <ns2:TtlCdtNtries>
          <ns2:NbOfNtries>1</ns2:NbOfNtries>
          <ns2:Sum>500.00</ns2:Sum>
        </ns2:TtlCdtNtries>
        <ns2:TtlDbtNtries>
          <ns2:NbOfNtries>1</ns2:NbOfNtries>
          <ns2:Sum>1750</ns2:Sum>
        </ns2:TtlDbtNtries>
      </ns2:TxsSummry>";

const V08_STMT: &str = "Document/BkToCstmrStmt/Stmt[1]/TxsSummry";

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur exactly once");
    text.replacen(from, to, 1)
}

/// The v08 fixture with the full summary in place of its own.
fn v08_full() -> String {
    replace_once(CAMT053_V08, V08_SUMMARY, V08_FULL_SUMMARY)
}

/// The v08 fixture with `figure` (an element inside its full summary, with its
/// value) changed to `changed`.
fn v08_with(figure: &str, changed: &str) -> String {
    replace_once(&v08_full(), figure, changed)
}

/// camt.053.001.02 shape (`TtlNetNtryAmt` and `CdtDbtInd` directly in `TtlNtries`)
/// for the genkgo file's two statements: 8.85 CRDT, then 7.00 DBIT.
fn genkgo_with_summaries(first_net: &str, second_net: &str) -> String {
    let summary = |count, sum, net: &str, side: &str| {
        format!(
            "</Bal>\n            <TxsSummry><TtlNtries><NbOfNtries>{count}</NbOfNtries><Sum>{sum}</Sum>{net}</TtlNtries>{side}</TxsSummry>\n            <Ntry>"
        )
    };
    let mut parts = GENKGO.split("</Bal>\n            <Ntry>");
    let (head, middle, tail) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    assert!(parts.next().is_none());
    let credit_side = "<TtlCdtNtries><NbOfNtries>1</NbOfNtries><Sum>8.85</Sum></TtlCdtNtries>";
    let debit_side = "<TtlDbtNtries><NbOfNtries>1</NbOfNtries><Sum>7.00</Sum></TtlDbtNtries>";
    [head, &summary(1, "8.85", first_net, credit_side), middle, &summary(1, "7.00", second_net, debit_side), tail]
        .concat()
}

const GENKGO_NETS: (&str, &str) = (
    "<TtlNetNtryAmt>8.85</TtlNetNtryAmt><CdtDbtInd>CRDT</CdtDbtInd>",
    "<TtlNetNtryAmt>7.00</TtlNetNtryAmt><CdtDbtInd>DBIT</CdtDbtInd>",
);

/// camt.054.001.08 notification: 1176.00 CRDT, 350.50 CRDT, 25.00 DBIT, all booked.
fn camt054_with_summary(count: &str) -> String {
    let summary = format!(
        "</Acct>
      <TxsSummry>
        <TtlNtries><NbOfNtries>{count}</NbOfNtries><Sum>1551.50</Sum><TtlNetNtry><Amt>1501.50</Amt><CdtDbtInd>CRDT</CdtDbtInd></TtlNetNtry></TtlNtries>
        <TtlCdtNtries><NbOfNtries>2</NbOfNtries><Sum>1526.50</Sum></TtlCdtNtries>
        <TtlDbtNtries><NbOfNtries>1</NbOfNtries><Sum>25.00</Sum></TtlDbtNtries>
      </TxsSummry>
      <Ntry>"
    );
    replace_once(CAMT054_V08, "</Acct>\n      <Ntry>", &summary)
}

/// camt.052.001.02 report: booked 250.00 CRDT and 74.50 DBIT, a pending 500.00 CRDT.
fn camt052_with_summary(net: &str) -> String {
    let summary = format!(
        "</Bal>
      <TxsSummry><TtlNtries><NbOfNtries>2</NbOfNtries><Sum>324.50</Sum>{net}</TtlNtries>
        <TtlCdtNtries><NbOfNtries>1</NbOfNtries><Sum>250.00</Sum></TtlCdtNtries>
        <TtlDbtNtries><NbOfNtries>1</NbOfNtries><Sum>74.50</Sum></TtlDbtNtries></TxsSummry>
      <Ntry>"
    );
    replace_once(CAMT052_V02, "</Bal>\n      <Ntry>", &summary)
}

fn summary_diagnostics(outcome: &ReadOutcome) -> Vec<&Diagnostic> {
    outcome.diagnostics.iter().filter(|d| SUMMARY_CODES.contains(&d.code.as_str())).collect()
}

fn mismatch(path: &str, code: &str, message: &str) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        position: Position::Element(path.to_owned()),
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

/// The diagnostics of `xml` other than those of `base`, which must come first.
fn added(base: &str, xml: &str) -> Vec<Diagnostic> {
    let before = camt::read(base.as_bytes()).diagnostics;
    let after = camt::read(xml.as_bytes()).diagnostics;
    let kept: Vec<Diagnostic> = after.iter().filter(|d| !before.contains(d)).cloned().collect();
    assert_eq!(after.len(), before.len() + kept.len(), "no diagnostic of the base file may go: {after:?}");
    kept
}

#[test]
fn fixtures_whose_summaries_agree_give_no_summary_diagnostic() {
    let files: Vec<(String, Vec<u8>)> = vec![
        ("v08 as written".into(), CAMT053_V08.into()),
        ("v08 full".into(), v08_full().into_bytes()),
        ("genkgo".into(), GENKGO.into()),
        ("genkgo v02 summaries".into(), genkgo_with_summaries(GENKGO_NETS.0, GENKGO_NETS.1).into_bytes()),
        ("camt054".into(), CAMT054_V08.into()),
        ("camt054 summary".into(), camt054_with_summary("3").into_bytes()),
        ("camt052 v02".into(), CAMT052_V02.into()),
        (
            "camt052 v02 summary".into(),
            camt052_with_summary("<TtlNetNtryAmt>175.50</TtlNetNtryAmt><CdtDbtInd>CRDT</CdtDbtInd>").into_bytes(),
        ),
        ("camt052 v08".into(), CAMT052_V08.into()),
        ("latin1".into(), LATIN1.to_vec()),
        ("balance mismatch".into(), BALANCE_MISMATCH.into()),
    ];
    for (name, bytes) in &files {
        let outcome = camt::read(bytes);
        assert!(!outcome.statements.is_empty(), "{name}");
        assert_eq!(summary_diagnostics(&outcome), Vec::<&Diagnostic>::new(), "{name}");
    }
    // Adding a true summary changes nothing else either.
    assert_eq!(camt::read(v08_full().as_bytes()).diagnostics, camt::read(CAMT053_V08.as_bytes()).diagnostics);
    let genkgo = genkgo_with_summaries(GENKGO_NETS.0, GENKGO_NETS.1);
    assert_eq!(camt::read(genkgo.as_bytes()), camt::read(GENKGO.as_bytes()));
    assert_eq!(camt::read(camt054_with_summary("3").as_bytes()), camt::read(CAMT054_V08.as_bytes()));
}

#[test]
fn a_wrong_entry_count_is_reported_with_both_figures() {
    let xml = replace_once(CAMT053_V08, "<ns2:NbOfNtries>2</", "<ns2:NbOfNtries>7</");
    assert_eq!(
        added(CAMT053_V08, &xml),
        [mismatch(
            &format!("{V08_STMT}/TtlNtries/NbOfNtries"),
            "record_count_mismatch",
            "the number of entries is stated as 7, but the booked entries give 2"
        )]
    );
    // The pending entry is not one of them: three is wrong too.
    let three = replace_once(CAMT053_V08, "<ns2:NbOfNtries>2</", "<ns2:NbOfNtries>3</");
    assert_eq!(
        added(CAMT053_V08, &three)[0].message,
        "the number of entries is stated as 3, but the booked entries give 2"
    );
}

#[test]
fn a_wrong_net_is_reported_with_its_direction() {
    let flipped = replace_once(
        CAMT053_V08,
        "<ns2:CdtDbtInd>DBIT</ns2:CdtDbtInd>\n          </ns2:TtlNetNtry>",
        "<ns2:CdtDbtInd>CRDT</ns2:CdtDbtInd>\n          </ns2:TtlNetNtry>",
    );
    let net_path = format!("{V08_STMT}/TtlNtries/TtlNetNtry/Amt");
    assert_eq!(
        added(CAMT053_V08, &flipped),
        [mismatch(
            &net_path,
            "control_total_mismatch",
            "the net of all entries is stated as 1250.00 CRDT, but the booked entries give 1250.00 USD DBIT"
        )]
    );
    let off_by_a_cent = replace_once(CAMT053_V08, "<ns2:Amt>1250.00</ns2:Amt>", "<ns2:Amt>1250.01</ns2:Amt>");
    assert_eq!(
        added(CAMT053_V08, &off_by_a_cent),
        [mismatch(
            &net_path,
            "control_total_mismatch",
            "the net of all entries is stated as 1250.01 DBIT, but the booked entries give 1250.00 USD DBIT"
        )]
    );
    // Trailing zeros past the currency's scale are the same number.
    let long = replace_once(CAMT053_V08, "<ns2:Amt>1250.00</ns2:Amt>", "<ns2:Amt>1250.0000</ns2:Amt>");
    assert_eq!(added(CAMT053_V08, &long), []);
}

#[test]
fn every_figure_of_a_full_summary_is_checked() {
    let base = v08_full();
    let cases = [
        (
            "<ns2:Sum>2250.00</ns2:Sum>",
            "<ns2:Sum>2250.10</ns2:Sum>",
            "TtlNtries/Sum",
            "control_total_mismatch",
            "the sum of all entries is stated as 2250.10, but the booked entries give 2250.00 USD",
        ),
        (
            "<ns2:NbOfNtries>1</ns2:NbOfNtries>\n          <ns2:Sum>500.00",
            "<ns2:NbOfNtries>2</ns2:NbOfNtries>\n          <ns2:Sum>500.00",
            "TtlCdtNtries/NbOfNtries",
            "record_count_mismatch",
            "the number of credit entries is stated as 2, but the booked entries give 1",
        ),
        (
            "<ns2:Sum>500.00</ns2:Sum>",
            "<ns2:Sum>599.99</ns2:Sum>",
            "TtlCdtNtries/Sum",
            "control_total_mismatch",
            "the sum of credit entries is stated as 599.99, but the booked entries give 500.00 USD",
        ),
        (
            "<ns2:NbOfNtries>1</ns2:NbOfNtries>\n          <ns2:Sum>1750",
            "<ns2:NbOfNtries>0</ns2:NbOfNtries>\n          <ns2:Sum>1750",
            "TtlDbtNtries/NbOfNtries",
            "record_count_mismatch",
            "the number of debit entries is stated as 0, but the booked entries give 1",
        ),
        (
            "<ns2:Sum>1750</ns2:Sum>",
            "<ns2:Sum>-1750</ns2:Sum>",
            "TtlDbtNtries/Sum",
            "control_total_mismatch",
            "the sum of debit entries is stated as -1750, but the booked entries give 1750.00 USD",
        ),
    ];
    for (from, to, figure, code, message) in cases {
        let xml = v08_with(from, to);
        assert_eq!(added(&base, &xml), [mismatch(&format!("{V08_STMT}/{figure}"), code, message)], "{figure}");
    }
}

#[test]
fn the_v02_shape_is_read_in_each_statement() {
    let base = genkgo_with_summaries(GENKGO_NETS.0, GENKGO_NETS.1);
    let wrong_second =
        genkgo_with_summaries(GENKGO_NETS.0, "<TtlNetNtryAmt>7.00</TtlNetNtryAmt><CdtDbtInd>CRDT</CdtDbtInd>");
    assert_eq!(
        added(&base, &wrong_second),
        [mismatch(
            "Document/BkToCstmrStmt/Stmt[2]/TxsSummry/TtlNtries/TtlNetNtryAmt",
            "control_total_mismatch",
            "the net of all entries is stated as 7.00 CRDT, but the booked entries give 7.00 EUR DBIT"
        )]
    );
    // Without its optional indicator only the net's size is checked.
    let unsigned = genkgo_with_summaries("<TtlNetNtryAmt>8.85</TtlNetNtryAmt>", "<TtlNetNtryAmt>7.01</TtlNetNtryAmt>");
    assert_eq!(
        added(&base, &unsigned),
        [mismatch(
            "Document/BkToCstmrStmt/Stmt[2]/TxsSummry/TtlNtries/TtlNetNtryAmt",
            "control_total_mismatch",
            "the net of all entries is stated as 7.01, but the booked entries give 7.00 EUR DBIT"
        )]
    );
}

#[test]
fn notifications_and_reports_are_checked_too() {
    assert_eq!(
        added(CAMT054_V08, &camt054_with_summary("4")),
        [mismatch(
            "Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/TxsSummry/TtlNtries/NbOfNtries",
            "record_count_mismatch",
            "the number of entries is stated as 4, but the booked entries give 3"
        )]
    );
    let report = camt052_with_summary("<TtlNetNtryAmt>675.50</TtlNetNtryAmt><CdtDbtInd>CRDT</CdtDbtInd>");
    assert_eq!(
        added(CAMT052_V02, &report),
        [mismatch(
            "Document/BkToCstmrAcctRpt/Rpt[1]/TxsSummry/TtlNtries/TtlNetNtryAmt",
            "control_total_mismatch",
            "the net of all entries is stated as 675.50 CRDT, but the booked entries give 175.50 EUR CRDT"
        )],
        "the pending 500.00 is not booked"
    );
}

#[test]
fn an_unreadable_entry_leaves_only_the_count_checked() {
    // The debit's amount cannot be read: that entry is skipped with its own error,
    // so no sum can be checked, but the file still holds two booked entries.
    let broken = v08_with("<ns2:Amt Ccy=\"USD\">1750.00</ns2:Amt>", "<ns2:Amt Ccy=\"USD\">1750.001</ns2:Amt>");
    let outcome = camt::read(broken.as_bytes());
    let codes: Vec<&str> = outcome.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["bad_amount", "entry_not_booked", "balance_mismatch"]);
    let wrong_count = replace_once(&broken, "<ns2:NbOfNtries>2</", "<ns2:NbOfNtries>5</");
    assert_eq!(
        added(&broken, &wrong_count),
        [mismatch(
            &format!("{V08_STMT}/TtlNtries/NbOfNtries"),
            "record_count_mismatch",
            "the number of entries is stated as 5, but the booked entries give 2"
        )]
    );
}

#[test]
fn an_unreadable_figure_is_reported_and_not_compared() {
    let xml = replace_once(CAMT053_V08, "<ns2:NbOfNtries>2</", "<ns2:NbOfNtries>two</");
    assert_eq!(
        added(CAMT053_V08, &xml),
        [mismatch(&format!("{V08_STMT}/TtlNtries/NbOfNtries"), "bad_amount", "'two' is not a number of entries")]
    );
    let xml = v08_with("<ns2:Sum>2250.00</ns2:Sum>", "<ns2:Sum>2,250.00</ns2:Sum>");
    assert_eq!(
        added(&v08_full(), &xml),
        [mismatch(&format!("{V08_STMT}/TtlNtries/Sum"), "bad_amount", "'2,250.00' is not a decimal number")]
    );
}

#[test]
fn a_cut_statement_is_not_checked_against_its_summary() {
    // The entries after the cut are missing, so the summary would be wrong to check.
    let full = v08_full();
    let cut = &full[..full.find("<ns2:Amt Ccy=\"USD\">1750.00").unwrap()];
    let codes: Vec<String> = camt::read(cut.as_bytes()).diagnostics.into_iter().map(|d| d.code).collect();
    assert_eq!(codes, ["truncated"]);
}

/// A summary for the v08 fixture's booked entries with the given figures (minor units).
fn v08_stated(count: u64, sum: i64, net: i64, credits: (u64, i64), debits: (u64, i64)) -> String {
    let amount = |minor: i64| format!("{}.{:02}", minor.abs() / 100, minor.abs() % 100);
    let sign = if net < 0 { "DBIT" } else { "CRDT" };
    let summary = format!(
        "<ns2:TxsSummry><ns2:TtlNtries><ns2:NbOfNtries>{count}</ns2:NbOfNtries><ns2:Sum>{}</ns2:Sum>\
         <ns2:TtlNetNtry><ns2:Amt>{}</ns2:Amt><ns2:CdtDbtInd>{sign}</ns2:CdtDbtInd></ns2:TtlNetNtry></ns2:TtlNtries>\
         <ns2:TtlCdtNtries><ns2:NbOfNtries>{}</ns2:NbOfNtries><ns2:Sum>{}</ns2:Sum></ns2:TtlCdtNtries>\
         <ns2:TtlDbtNtries><ns2:NbOfNtries>{}</ns2:NbOfNtries><ns2:Sum>{}</ns2:Sum></ns2:TtlDbtNtries></ns2:TxsSummry>",
        amount(sum),
        amount(net),
        credits.0,
        amount(credits.1),
        debits.0,
        amount(debits.1),
    );
    replace_once(CAMT053_V08, V08_SUMMARY, &summary)
}

/// A figure near the truth: mostly the truth, else off by a little.
fn near(truth: i64) -> impl Strategy<Value = i64> {
    prop_oneof![3 => Just(truth), 1 => (-3i64..=3).prop_map(move |d| truth + d), 1 => 0i64..1_000_000]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Each stated figure gives its diagnostic exactly when it differs from the
    /// booked entries (500.00 CRDT, 1750.00 DBIT): count 2, sum 2250.00, net
    /// −1250.00, credits 1 / 500.00, debits 1 / 1750.00.
    #[test]
    fn a_figure_is_reported_exactly_when_it_is_wrong(
        count in near(2), sum in near(225_000), net in near(-125_000),
        credit_count in near(1), credit_sum in near(50_000), debit_count in near(1), debit_sum in near(175_000),
    ) {
        let to_count = |n: i64| u64::try_from(n.max(0)).unwrap();
        let (count, credit_count, debit_count) = (to_count(count), to_count(credit_count), to_count(debit_count));
        let xml = v08_stated(count, sum, net, (credit_count, credit_sum), (debit_count, debit_sum));
        let outcome = camt::read(xml.as_bytes());
        let flagged: Vec<String> = summary_diagnostics(&outcome)
            .iter()
            .map(|d| match &d.position {
                Position::Element(path) => path.trim_start_matches(V08_STMT).to_owned(),
                other => panic!("{other:?}"),
            })
            .collect();
        let mut expected = Vec::new();
        for (wrong, figure) in [
            (count != 2, "/TtlNtries/NbOfNtries"),
            (sum != 225_000, "/TtlNtries/Sum"),
            (net != -125_000, "/TtlNtries/TtlNetNtry/Amt"),
            (credit_count != 1, "/TtlCdtNtries/NbOfNtries"),
            (credit_sum != 50_000, "/TtlCdtNtries/Sum"),
            (debit_count != 1, "/TtlDbtNtries/NbOfNtries"),
            (debit_sum != 175_000, "/TtlDbtNtries/Sum"),
        ] {
            if wrong {
                expected.push(figure.to_owned());
            }
        }
        prop_assert_eq!(flagged, expected);
    }

    /// Random byte damage to files that carry every summary figure, in both shapes:
    /// no panic, the same answer twice, and positions that name a summary element.
    #[test]
    fn damaged_summaries_never_panic(
        source in 0usize..3,
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop_oneof![Just(None), any::<u8>().prop_map(Some)]), 1..6),
    ) {
        let sources = [v08_full(), genkgo_with_summaries(GENKGO_NETS.0, GENKGO_NETS.1), camt054_with_summary("3")];
        let mut bytes = sources[source].clone().into_bytes();
        // Aim most edits at the summary, where the new code reads.
        let start = bytes.windows(9).position(|w| w == b"TxsSummry").unwrap();
        for (at, byte) in &edits {
            let span = (bytes.len() - start).clamp(1, 900);
            let i = start + at.index(span);
            match byte {
                Some(b) if i < bytes.len() => bytes[i] = *b,
                Some(_) => {}
                None if i < bytes.len() => { bytes.remove(i); }
                None => {}
            }
        }
        let outcome = camt::read(&bytes);
        prop_assert_eq!(&outcome, &camt::read(&bytes));
        for diagnostic in summary_diagnostics(&outcome) {
            prop_assert_eq!(diagnostic.severity, Severity::Error);
            let in_summary = matches!(&diagnostic.position, Position::Element(path) if path.contains("/TxsSummry/"));
            prop_assert!(in_summary, "{:?}", diagnostic);
        }
    }
}
