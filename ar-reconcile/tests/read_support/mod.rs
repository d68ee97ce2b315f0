//! Helpers shared by the line-oriented reader tests.
#![allow(dead_code, clippy::unwrap_used)]

use ar_reconcile::{Direction, ReadOutcome, Statement};
use chrono::NaiveDate;
use rust_decimal::Decimal;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn codes(outcome: &ReadOutcome) -> Vec<&str> {
    outcome.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

/// (count, sum) of the credits and of the debits (debits as a positive sum).
pub fn sums(statement: &Statement) -> ((usize, Decimal), (usize, Decimal)) {
    let mut credits = (0, Decimal::ZERO);
    let mut debits = (0, Decimal::ZERO);
    for line in &statement.lines {
        match line.direction() {
            Direction::Credit => {
                credits.0 += 1;
                credits.1 += line.amount.amount();
            }
            Direction::Debit => {
                debits.0 += 1;
                debits.1 -= line.amount.amount();
            }
        }
    }
    (credits, debits)
}
