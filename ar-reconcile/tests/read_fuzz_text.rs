//! The text readers (BAI2, MT940, X12 820) on hostile input: random bytes and
//! mutations of the real files (flipped, inserted and deleted bytes, truncation,
//! duplicated lines). None may panic; each must give the same outcome for the same
//! input; and what they return must keep their promises: a statement whose balances
//! do not add up, or a payment that differs from its remittances, is never returned
//! without the diagnostic that says so.
#![cfg(all(feature = "bai2", feature = "mt940", feature = "x12-820"))]
#![allow(clippy::unwrap_used)]

use ar_reconcile::readers::{bai2, mt940, x12_820};
use ar_reconcile::{Position, ReadOutcome};
use proptest::prelude::*;

const CASES: u32 = 2000;

const BAI2_FILES: [&[u8]; 2] =
    [include_bytes!("data/bai2/moj_citi_example.bai2"), include_bytes!("data/bai2/moov_sample1_cad.bai2")];
const MT940_FILES: [&[u8]; 2] =
    [include_bytes!("data/mt940/danskebank_fi_example.sta"), include_bytes!("data/mt940/jejik_ing.sta")];
const X12_FILES: [&[u8]; 1] = [include_bytes!("data/x12_820/pyx12_820_loops_4010X061.x12")];

/// Bytes that mean something to one of the formats, so insertions hit the parsers'
/// decisions rather than only their text fields.
const SIGNIFICANT: &[u8] = b",/\n\r:*~?{}-+0123456789CDRVSZNIEA \t\xad\xc2\xff";

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bit: u8 },
    Insert { at: usize, byte: u8 },
    Delete { at: usize, len: usize },
    Truncate { at: usize },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop_oneof![prop::sample::select(SIGNIFICANT), any::<u8>()];
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        (any::<usize>(), byte).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        (any::<usize>(), 1usize..8).prop_map(|(at, len)| Mutation::Delete { at, len }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
    ]
}

fn apply(mut bytes: Vec<u8>, mutation: &Mutation) -> Vec<u8> {
    let len = bytes.len().max(1);
    match *mutation {
        Mutation::Flip { at, bit } => {
            if let Some(b) = bytes.get_mut(at % len) {
                *b ^= 1 << bit;
            }
        }
        Mutation::Insert { at, byte } => bytes.insert(at % (bytes.len() + 1), byte),
        Mutation::Delete { at, len: n } => {
            let start = at % len;
            let end = (start + n).min(bytes.len());
            if start < end {
                bytes.drain(start..end);
            }
        }
        Mutation::Truncate { at } => bytes.truncate(at % len),
        Mutation::DuplicateLine { line } => {
            let mut lines: Vec<Vec<u8>> = bytes.split_inclusive(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
            if !lines.is_empty() {
                let i = line % lines.len();
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            bytes = lines.concat();
        }
        Mutation::SwapLines { a, b } => {
            let mut lines: Vec<Vec<u8>> = bytes.split_inclusive(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
            if !lines.is_empty() {
                let n = lines.len();
                lines.swap(a % n, b % n);
            }
            bytes = lines.concat();
        }
    }
    bytes
}

/// A real file of the format (mostly), a file of another format, or random bytes,
/// after up to eight mutations.
fn input(own: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<u8>> {
    let all: Vec<&'static [u8]> = BAI2_FILES.iter().chain(&MT940_FILES).chain(&X12_FILES).copied().collect();
    let base = prop_oneof![
        6 => prop::sample::select(own.to_vec()).prop_map(<[u8]>::to_vec),
        1 => prop::sample::select(all).prop_map(<[u8]>::to_vec),
        2 => prop::collection::vec(any::<u8>(), 0..1024),
        1 => prop::collection::vec(prop::sample::select(SIGNIFICANT), 0..512),
    ];
    (base, prop::collection::vec(mutation(), 0..8)).prop_map(|(base, mutations)| mutations.iter().fold(base, apply))
}

/// The most lines a line-oriented input can have.
fn line_limit(input: &[u8]) -> usize {
    input.iter().filter(|b| **b == b'\n' || **b == b'\r').count() + 1
}

/// What every outcome must satisfy, whatever the input: positions inside the input
/// (lines, or X12 segments, at most `max_line`), amounts in the statement's currency,
/// and no unbalanced statement without its diagnostic.
fn check_promises(outcome: &ReadOutcome, max_line: usize) -> Result<(), TestCaseError> {
    for diagnostic in &outcome.diagnostics {
        prop_assert!(!diagnostic.code.is_empty() && !diagnostic.message.is_empty());
        if let Position::Line(n) = diagnostic.position {
            prop_assert!(n >= 1 && n <= max_line, "{diagnostic:?} outside 1..={max_line}");
        }
    }
    let reported = |code: &str| outcome.diagnostics.iter().any(|d| d.code == code);
    for statement in &outcome.statements {
        for line in &statement.lines {
            prop_assert_eq!(line.amount.currency(), statement.currency);
        }
        if let (Some(opening), Some(closing)) = (&statement.opening, &statement.closing) {
            let net: i128 = statement.lines.iter().map(|l| i128::from(l.amount.minor())).sum();
            let balances = i128::from(opening.amount.minor()) + net == i128::from(closing.amount.minor());
            prop_assert!(balances || reported("balance_mismatch"), "unbalanced statement without a diagnostic");
        }
    }
    Ok(())
}

/// The 820 promise: a payment equals Σ paid + Σ adjustments outside documents, or
/// the reader says it does not.
fn check_remittance_totals(outcome: &ReadOutcome) -> Result<(), TestCaseError> {
    let reported = outcome.diagnostics.iter().any(|d| d.code == "remittance_total_mismatch");
    for statement in &outcome.statements {
        prop_assert_eq!(statement.lines.len(), 1);
        let line = &statement.lines[0];
        if line.remittances.is_empty() {
            continue;
        }
        let mut total: i128 = 0;
        for remittance in &line.remittances {
            if remittance.document.is_empty() && remittance.paid.is_none() {
                total += remittance.adjustments.iter().map(|a| i128::from(a.amount.minor())).sum::<i128>();
            } else {
                total += remittance.paid.map_or(0, |p| i128::from(p.minor()));
            }
        }
        // A debit (BPR03 = D) is the payment negated.
        let amount = i128::from(line.amount.minor());
        prop_assert!(
            total == amount || total == -amount || reported,
            "payment {} differs from its remittances {total} without a diagnostic",
            line.amount
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn bai2_never_panics_and_is_deterministic(input in input(&BAI2_FILES)) {
        let first = bai2::read(&input);
        prop_assert_eq!(&first, &bai2::read(&input.clone()));
        check_promises(&first, line_limit(&input))?;
    }

    #[test]
    fn mt940_never_panics_and_is_deterministic(input in input(&MT940_FILES)) {
        let first = mt940::read(&input);
        prop_assert_eq!(&first, &mt940::read(&input.clone()));
        check_promises(&first, line_limit(&input))?;
    }

    #[test]
    fn x12_820_never_panics_and_is_deterministic(input in input(&X12_FILES)) {
        let first = x12_820::read(&input);
        prop_assert_eq!(&first, &x12_820::read(&input.clone()));
        check_promises(&first, input.len() + 1)?;
        check_remittance_totals(&first)?;
    }
}

/// The real files themselves, as a fixed point of the properties above.
#[test]
fn the_real_files_keep_the_promises() {
    for file in BAI2_FILES {
        check_promises(&bai2::read(file), line_limit(file)).unwrap();
    }
    for file in MT940_FILES {
        check_promises(&mt940::read(file), line_limit(file)).unwrap();
    }
    for file in X12_FILES {
        let outcome = x12_820::read(file);
        check_promises(&outcome, file.len() + 1).unwrap();
        check_remittance_totals(&outcome).unwrap();
    }
}
