//! MT940 statements of one account in one file must chain: each `:60a:` repeats the
//! previous `:62a:` (amount, mark, currency, date) and `:28C:` counts on. Built from
//! the real files in tests/data/mt940 by following each statement with its next day.
#![cfg(feature = "mt940")]
#![allow(clippy::unwrap_used)]

use ar_reconcile::readers::mt940;
use ar_reconcile::{Diagnostic, Position, ReadOutcome, Severity};
use proptest::prelude::*;

const DANSKE: &str = include_str!("data/mt940/danskebank_fi_example.sta");
const ING: &str = include_str!("data/mt940/jejik_ing.sta");

const CHAIN_CODES: [&str; 3] = ["balance_mismatch", "balance_date_mismatch", "sequence_gap"];

/// The Danske file (one statement, 54484.04 → 53126.94 EUR, lines net −1357.10)
/// followed by its next statement: number 2, opening where the first closed, the
/// same six lines, closing 51769.84. `edit` changes the second statement's text.
/// The second `:28C:` is on line 37, its `:60F:` on line 38; the first `:62F:` on 33.
fn danske_twice(edit: impl Fn(String) -> String) -> String {
    let statement = &DANSKE[DANSKE.find(":20:").unwrap()..];
    let next = statement
        .replacen(":20:3996-11-11111111", ":20:3996-11-11111112", 1)
        .replacen(":28C:00001/001", ":28C:00002/001", 1)
        .replacen(":60F:C090924EUR54484,04", ":60F:C090930EUR53126,94", 1)
        .replacen(":62F:C090930EUR53126,94", ":62F:C090930EUR51769,84", 1);
    [DANSKE, &edit(next)].concat()
}

/// The ING file (which does not reconcile: 0.00 + −45.59 ≠ 3.47) followed by a
/// second statement opening at its closing 3.47 and closing at −42.12. Its `:28C:`
/// is `000`: unnumbered. The second `:60F:` is on line 32, the first `:62F:` on 26.
fn ing_twice(edit: impl Fn(String) -> String) -> String {
    let statement = &ING[ING.find(":20:").unwrap()..];
    let next = statement.replacen(":60F:C100722EUR0,00", ":60F:C100723EUR3,47", 1).replacen(
        ":62F:C100723EUR3,47",
        ":62F:D100723EUR42,12",
        1,
    );
    [ING, &edit(next)].concat()
}

fn chain_diagnostics(outcome: &ReadOutcome) -> Vec<Diagnostic> {
    outcome.diagnostics.iter().filter(|d| CHAIN_CODES.contains(&d.code.as_str())).cloned().collect()
}

/// The diagnostics of `file` beyond those its two statements give read apart.
fn added(file: &str, first: &str) -> Vec<Diagnostic> {
    let outcome = mt940::read(file.as_bytes());
    assert_eq!(outcome.statements.len(), 2, "{:?}", outcome.diagnostics);
    let alone = mt940::read(first.as_bytes()).diagnostics;
    let mut extra = outcome.diagnostics;
    // The first statement's own diagnostics come first and are unchanged.
    assert_eq!(extra.get(..alone.len()), Some(&alone[..]));
    extra.drain(..alone.len());
    extra
}

fn diagnostic(severity: Severity, line: usize, code: &str, message: &str) -> Diagnostic {
    Diagnostic { severity, position: Position::Line(line), code: code.into(), message: message.into() }
}

#[test]
fn the_real_files_alone_give_what_they_gave_before() {
    assert_eq!(codes(&mt940::read(DANSKE.as_bytes())), ["text_skipped"]);
    assert_eq!(codes(&mt940::read(ING.as_bytes())), ["text_skipped", "balance_mismatch"]);
}

fn codes(outcome: &ReadOutcome) -> Vec<&str> {
    outcome.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn statements_that_chain_give_no_diagnostic() {
    assert_eq!(added(&danske_twice(|s| s), DANSKE), []);
    let outcome = mt940::read(danske_twice(|s| s).as_bytes());
    let closing = outcome.statements[0].closing.as_ref().unwrap();
    assert_eq!(outcome.statements[1].opening.as_ref(), Some(closing));
    // ING numbers nothing (`000`) and its first statement does not add up by itself;
    // the chain between the two is whole.
    let ing = ing_twice(|s| s);
    assert_eq!(codes(&mt940::read(ing.as_bytes())), ["text_skipped", "balance_mismatch"]);
    assert_eq!(added(&ing, ING), []);
}

#[test]
fn an_opening_that_is_not_the_previous_closing_is_an_error() {
    // Both balances of the second statement one euro up: it adds up by itself.
    let file = danske_twice(|s| {
        s.replacen(":60F:C090930EUR53126,94", ":60F:C090930EUR53127,94", 1).replacen(
            ":62F:C090930EUR51769,84",
            ":62F:C090930EUR51770,84",
            1,
        )
    });
    assert_eq!(
        added(&file, DANSKE),
        [diagnostic(
            Severity::Error,
            38,
            "balance_mismatch",
            "statement 3996-11-11111112 opens account DABADKKK/111111-11111111 with 53127.94 EUR, but the previous \
             statement 3996-11-11111111 closed it with 53126.94 EUR (line 33) (difference 1.00 EUR)"
        )]
    );
}

#[test]
fn the_sign_and_the_currency_must_carry_on_too() {
    let debit = danske_twice(|s| {
        s.replacen(":60F:C090930EUR53126,94", ":60F:D090930EUR53126,94", 1).replacen(
            ":62F:C090930EUR51769,84",
            ":62F:D090930EUR54484,04",
            1,
        )
    });
    assert_eq!(
        added(&debit, DANSKE),
        [diagnostic(
            Severity::Error,
            38,
            "balance_mismatch",
            "statement 3996-11-11111112 opens account DABADKKK/111111-11111111 with -53126.94 EUR, but the previous \
             statement 3996-11-11111111 closed it with 53126.94 EUR (line 33) (difference -106253.88 EUR)"
        )]
    );
    let dollars = danske_twice(|s| s.replace("EUR", "USD"));
    assert_eq!(
        added(&dollars, DANSKE),
        [diagnostic(
            Severity::Error,
            38,
            "balance_mismatch",
            "statement 3996-11-11111112 opens account DABADKKK/111111-11111111 with 53126.94 USD, but the previous \
             statement 3996-11-11111111 closed it with 53126.94 EUR (line 33)"
        )]
    );
}

#[test]
fn an_opening_dated_another_day_is_a_warning() {
    let file = danske_twice(|s| s.replacen(":60F:C090930EUR53126,94", ":60F:C091001EUR53126,94", 1));
    assert_eq!(
        added(&file, DANSKE),
        [diagnostic(
            Severity::Warning,
            38,
            "balance_date_mismatch",
            "statement 3996-11-11111112 opens account DABADKKK/111111-11111111 on 2009-10-01, but the previous \
             statement 3996-11-11111111 closed it on 2009-09-30 (line 33)"
        )]
    );
}

#[test]
fn statement_numbers_must_count_on() {
    let numbered = |number: &'static str| danske_twice(move |s| s.replacen(":28C:00002/001", number, 1));
    let gap = |now: &str| {
        diagnostic(
            Severity::Warning,
            37,
            "sequence_gap",
            &format!(
                "statement number {now} of account DABADKKK/111111-11111111 does not follow 1/1 of the previous \
                 statement 3996-11-11111111: a statement may be missing or repeated"
            ),
        )
    };
    assert_eq!(added(&numbered(":28C:00003/001"), DANSKE), [gap("3/1")]);
    assert_eq!(added(&numbered(":28C:00001/001"), DANSKE), [gap("1/1")], "the same statement again");
    assert_eq!(added(&numbered(":28C:00001/003"), DANSKE), [gap("1/3")], "a page skipped");
    assert_eq!(added(&numbered(":28C:00001/002"), DANSKE), [], "the next page of the same statement");
    assert_eq!(added(&numbered(":28C:00002"), DANSKE), [], "no sequence number");
    assert_eq!(added(&numbered(":28C:00000/001"), DANSKE), [], "zero is unnumbered");
    assert_eq!(added(&numbered(":28C:2A"), DANSKE), [], "not numeric: not checked");
    // Numbering may restart with a new year, and only then.
    let restarted = |closing_date: &'static str| {
        danske_twice(move |s| {
            s.replacen(":28C:00002/001", ":28C:00001/001", 1).replacen(":62F:C090930", closing_date, 1)
        })
    };
    assert_eq!(added(&restarted(":62F:C100104"), DANSKE), []);
    assert_eq!(added(&restarted(":62F:C091001"), DANSKE), [gap("1/1")]);
}

#[test]
fn only_statements_of_the_same_account_chain() {
    // Another account in between does not break the chain; a second account's
    // statement with any opening is not compared with the first's.
    let other = danske_twice(|s| {
        s.replacen(":25:DABADKKK/111111-11111111", ":25:DABADKKK/222222-22222222", 1)
            .replacen(":60F:C090930EUR53126,94", ":60F:C090930EUR53127,94", 1)
            .replacen(":62F:C090930EUR51769,84", ":62F:C090930EUR51770,84", 1)
    });
    assert_eq!(added(&other, DANSKE), []);
    let ing = &ING[ING.find(":20:").unwrap()..];
    let interleaved = danske_twice(|s| [ing, &s].concat());
    let outcome = mt940::read(interleaved.as_bytes());
    assert_eq!(outcome.statements.len(), 3);
    assert_eq!(chain_diagnostics(&outcome).iter().filter(|d| d.code != "balance_mismatch").count(), 0);
    let broken = danske_twice(|s| {
        let s = s.replacen(":60F:C090930EUR53126,94", ":60F:C090930EUR53127,94", 1);
        [ing, &s.replacen(":62F:C090930EUR51769,84", ":62F:C090930EUR51770,84", 1)].concat()
    });
    let outcome = mt940::read(broken.as_bytes());
    let found: Vec<(&str, Position)> =
        outcome.diagnostics.iter().map(|d| (d.code.as_str(), d.position.clone())).collect();
    // Danske's preamble, ING's own mismatch (its :20: is line 35), then the Danske
    // chain break at the second Danske :60F:, 25 ING lines further down.
    assert_eq!(
        found,
        [
            ("text_skipped", Position::Line(1)),
            ("balance_mismatch", Position::Line(35)),
            ("balance_mismatch", Position::Line(38 + 25)),
        ]
    );
}

#[test]
fn a_statement_that_cannot_be_read_breaks_the_chain_without_a_false_alarm() {
    // The middle statement has no readable balance, so its lines are skipped; the
    // third cannot be compared with the first (money may have moved in between).
    let unreadable =
        ":20:MIDDLE\r\n:25:DABADKKK/111111-11111111\r\n:28C:00002/001\r\n:61:0910010930CR0,23FINTInterest\r\n";
    let file = danske_twice(|s| {
        [
            unreadable,
            &s.replacen(":28C:00002/001", ":28C:00003/001", 1).replacen(
                ":60F:C090930EUR53126,94",
                ":60F:C090930EUR99999,99",
                1,
            ),
        ]
        .concat()
    });
    let outcome = mt940::read(file.as_bytes());
    assert!(codes(&outcome).contains(&"missing_currency"));
    assert!(chain_diagnostics(&outcome).iter().all(|d| !d.message.contains("previous statement")), "{outcome:?}");
}

/// Flips, inserts and deletes bytes in `text`.
fn damage(text: &str, edits: &[(prop::sample::Index, Option<u8>)]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for (at, byte) in edits {
        if bytes.is_empty() {
            break;
        }
        let i = at.index(bytes.len());
        match byte {
            Some(b) => bytes[i] = *b,
            None => {
                bytes.remove(i);
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Damaged two-statement files: no panic, the same answer twice, positions
    /// inside the file, and two statements of one account whose balances do not
    /// carry on are never returned without the diagnostic that says so.
    #[test]
    fn damaged_chains_never_panic_and_never_hide_a_break(
        danske in any::<bool>(),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), prop_oneof![Just(None), prop::sample::select(b":CD0123456789,/-\r\n".to_vec()).prop_map(Some), any::<u8>().prop_map(Some)]),
            1..6,
        ),
    ) {
        let text = if danske { danske_twice(|s| s) } else { ing_twice(|s| s) };
        let bytes = damage(&text, &edits);
        let outcome = mt940::read(&bytes);
        prop_assert_eq!(&outcome, &mt940::read(&bytes));
        let lines = bytes.iter().filter(|b| **b == b'\n' || **b == b'\r').count() + 1;
        for d in &outcome.diagnostics {
            if let Position::Line(n) = d.position {
                prop_assert!(n >= 1 && n <= lines, "{:?}", d);
            }
        }
        if let [first, second] = &outcome.statements[..]
            && first.account == second.account
            && !first.account.is_empty()
            && let (Some(closing), Some(opening)) = (&first.closing, &second.opening)
            && closing.amount != opening.amount
        {
            let said = outcome.diagnostics.iter().any(|d| d.code == "balance_mismatch" && d.message.contains("previous statement"));
            prop_assert!(said, "{:?}", outcome.diagnostics);
        }
    }

    /// Generated chains of statements: a diagnostic exactly where an opening does
    /// not repeat the previous closing.
    #[test]
    fn breaks_are_reported_exactly_where_they_are(
        statements in prop::collection::vec((prop::collection::vec(-100_000i64..100_000, 0..4), any::<bool>(), -2i64..=2), 1..5),
        first_opening in -1_000_000i64..1_000_000,
    ) {
        let amount = |minor: i64| format!("{}{},{:02}", if minor < 0 { 'D' } else { 'C' }, minor.abs() / 100, minor.abs() % 100);
        let line_amount = |minor: i64| format!("{}{},{:02}", if minor < 0 { 'D' } else { 'C' }, minor.abs() / 100, minor.abs() % 100);
        let mut file = String::new();
        let mut closing = first_opening;
        let mut expected = Vec::new();
        let mut line = 0;
        for (n, (lines, broken, shift)) in statements.iter().enumerate() {
            let shift = if *broken && n > 0 { *shift } else { 0 };
            let opening = closing + shift;
            file.push_str(&format!(":20:S{n}\n:25:ACC\n:28C:{}/1\n:60F:{}250301EUR\n", n + 1, &amount(opening)[..1]));
            file.truncate(file.len() - 1);
            file.push_str(&format!("{}\n", &amount(opening)[1..]));
            if shift != 0 {
                expected.push(line + 4);
            }
            closing = opening + lines.iter().sum::<i64>();
            for minor in lines {
                file.push_str(&format!(":61:250301{}NTRFREF\n", line_amount(*minor)));
            }
            file.push_str(&format!(":62F:{}250301EUR{}\n", &amount(closing)[..1], &amount(closing)[1..]));
            line += 5 + lines.len();
        }
        let outcome = mt940::read(file.as_bytes());
        let reported: Vec<usize> = outcome
            .diagnostics
            .iter()
            .map(|d| match (d.code.as_str(), &d.position) {
                ("balance_mismatch", Position::Line(n)) => *n,
                _ => panic!("{d:?}"),
            })
            .collect();
        prop_assert_eq!(reported, expected, "{}", file);
    }
}
