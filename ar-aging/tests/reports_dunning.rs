//! Dunning: ERPNext's DUN-01 interest and fee, Tryton's DUN-02 escalation, a
//! 30/360 worked example, intervals, grace, exclusions, and money laws on random ledgers.
//!
//! Scenario sources (numbers restated, no code copied):
//! * DUN-01: frappe/erpnext `erpnext/accounts/doctype/dunning/test_dunning.py` and
//!   `dunning.py` at 0053d57ec4ef33c022d86951fc484d1d87fe5bee (GPL-3.0).
//! * DUN-02: tryton/tryton `modules/account_dunning/tests/scenario_account_dunning.rst`
//!   at 1ab9e253093c8b244085edeac35144d9162b4f70 (GPL-3.0-or-later).
//! * 30/360: the bond basis of the 2006 ISDA Definitions, §4.16(f).
#![allow(clippy::unwrap_used)]

mod reports_support;

use std::collections::{BTreeMap, BTreeSet};

use ar_aging::reports::{DayCount, DunningLevel, DunningProcedure, DunningRecord, InterestStart, Notice, ReportError};
use ar_core::*;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use reports_support::{Sim, day0, ops};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn item(customer: u128, id: u128, due: NaiveDate, open: Decimal) -> OpenItem {
    let usd = |v| Money::new(v, Currency::USD).unwrap();
    OpenItem {
        customer: CustomerId::from_u128(customer),
        document: DocumentRef::Invoice(InvoiceId::from_u128(id)),
        number: format!("INV-{id}"),
        kind: OpenItemKind::Invoice,
        document_date: due,
        due_date: due,
        original: usd(open),
        open: usd(open),
        disputed: usd(dec!(0)),
        installments: vec![],
    }
}

fn none() -> BTreeMap<DocumentRef, DunningRecord> {
    BTreeMap::new()
}

fn no_arrangements() -> BTreeSet<DocumentRef> {
    BTreeSet::new()
}

fn days_before(date: NaiveDate, n: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(n)).unwrap()
}

/// DUN-01: 100.00 due 15 days ago. First notice: no fee, no interest. Second
/// notice: 10 % p.a. actual/365 → 0.41, fee 10.00, dunning amount 10.41, total 110.41.
#[test]
fn dun_01_erpnext_interest_and_fee() {
    let today = d(2026, 3, 16);
    let invoice = item(1, 1, days_before(today, 15), dec!(100.00));
    let procedure = DunningProcedure::new(vec![
        DunningLevel::new(1),
        DunningLevel::new(10).fee_fixed(dec!(10.00)).interest(dec!(10), DayCount::Actual365),
    ])
    .unwrap();
    let first = procedure.propose(std::slice::from_ref(&invoice), &none(), &no_arrangements(), today).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].level, first[0].fee.amount(), first[0].interest.amount()), (1, dec!(0.00), dec!(0.00)));
    assert_eq!(first[0].total.amount(), dec!(100.00));

    let sent = BTreeMap::from([(invoice.document, DunningRecord { level: 1, date: days_before(today, 5) })]);
    let second = procedure.propose(std::slice::from_ref(&invoice), &sent, &no_arrangements(), today).unwrap();
    let notice = &second[0];
    assert_eq!(notice.level, 2);
    assert_eq!(notice.interest.amount(), dec!(0.41));
    assert_eq!(notice.fee.amount(), dec!(10.00));
    assert_eq!(notice.fee.checked_add(notice.interest).unwrap().amount(), dec!(10.41));
    assert_eq!(notice.total.amount(), dec!(110.41));
    assert_eq!(notice.items[0].interest_days, 15);

    // The same on a 360-day year: 100 × 10 % × 15 / 360 = 0.4166… → 0.42.
    let on_360 = DunningProcedure::new(vec![
        DunningLevel::new(1).fee_fixed(dec!(10.00)).interest(dec!(10), DayCount::Actual360),
    ])
    .unwrap();
    let notices = on_360.propose(&[invoice], &none(), &no_arrangements(), today).unwrap();
    assert_eq!(notices[0].interest.amount(), dec!(0.42));
}

/// DUN-02: levels at 5, 20 and 40 days. A is paid (not open), B is not.
#[test]
fn dun_02_tryton_escalation() {
    let day_0 = d(2026, 1, 1);
    let at = |n| day_0.checked_add_days(Days::new(n)).unwrap();
    let b = item(1, 2, day_0, dec!(100.00));
    let procedure =
        DunningProcedure::new(vec![DunningLevel::new(5), DunningLevel::new(20), DunningLevel::new(40)]).unwrap();
    let open = std::slice::from_ref(&b);
    assert!(procedure.propose(open, &none(), &no_arrangements(), at(4)).unwrap().is_empty());
    let day_5 = procedure.propose(open, &none(), &no_arrangements(), at(5)).unwrap();
    assert_eq!(day_5.len(), 1);
    assert_eq!(day_5[0].level, 1);
    assert_eq!(day_5[0].items.iter().map(|i| i.document).collect::<Vec<_>>(), [b.document]);
    let sent = BTreeMap::from([(b.document, DunningRecord { level: 1, date: at(5) })]);
    let day_30 = procedure.propose(open, &sent, &no_arrangements(), at(30)).unwrap();
    assert_eq!(day_30[0].level, 2);
    // B paid: nothing is open, nothing is dunned.
    assert!(procedure.propose(&[], &sent, &no_arrangements(), at(50)).unwrap().is_empty());
    // Jumping levels is opt-in: without a record, day 30 gives level 1, or level 2 with skipping.
    assert_eq!(procedure.propose(open, &none(), &no_arrangements(), at(30)).unwrap()[0].level, 1);
    let skipping = procedure.clone().skip_levels(true);
    assert_eq!(skipping.propose(open, &none(), &no_arrangements(), at(30)).unwrap()[0].level, 2);
}

/// 30/360 bond basis: 1,000.00 due 2025-01-31, dunned 2025-03-31 at 12 % p.a.
/// 30/360 counts 60 days (the 31st counts as the 30th): 1000 × 12 % × 60/360 = 20.00.
/// Actual/365 counts 59 days: 19.397… → 19.40; actual/360: 19.666… → 19.67.
#[test]
fn thirty_360_worked_example() {
    let invoice = item(1, 1, d(2025, 1, 31), dec!(1000.00));
    let interest = |count| {
        let p = DunningProcedure::new(vec![DunningLevel::new(1).interest(dec!(12), count)]).unwrap();
        let n = p.propose(std::slice::from_ref(&invoice), &none(), &no_arrangements(), d(2025, 3, 31)).unwrap();
        (n[0].items[0].interest_days, n[0].interest.amount())
    };
    assert_eq!(interest(DayCount::Thirty360), (60, dec!(20.00)));
    assert_eq!(interest(DayCount::Actual365), (59, dec!(19.40)));
    assert_eq!(interest(DayCount::Actual360), (59, dec!(19.67)));
    assert_eq!(DayCount::Thirty360.fraction(d(2024, 12, 31), d(2025, 1, 31)), (30, 360));
    assert_eq!(DayCount::Thirty360.fraction(d(2025, 2, 28), d(2025, 3, 31)), (33, 360));
}

#[test]
fn minimum_interval_blocks_a_second_notice() {
    let today = d(2026, 6, 30);
    let invoice = item(1, 1, days_before(today, 60), dec!(50.00));
    let once = DunningProcedure::new(vec![DunningLevel::new(10)]).unwrap();
    let repeating = DunningProcedure::new(vec![DunningLevel::new(10).min_interval_days(14)]).unwrap();
    let ten_days_ago = BTreeMap::from([(invoice.document, DunningRecord { level: 1, date: days_before(today, 10) })]);
    let two_weeks_ago = BTreeMap::from([(invoice.document, DunningRecord { level: 1, date: days_before(today, 14) })]);
    let items = std::slice::from_ref(&invoice);
    assert!(repeating.propose(items, &ten_days_ago, &no_arrangements(), today).unwrap().is_empty());
    assert_eq!(repeating.propose(items, &two_weeks_ago, &no_arrangements(), today).unwrap()[0].level, 1);
    assert!(once.propose(items, &two_weeks_ago, &no_arrangements(), today).unwrap().is_empty());
}

#[test]
fn grace_days_hold_back_an_escalation() {
    let today = d(2026, 6, 30);
    let invoice = item(1, 1, days_before(today, 40), dec!(50.00));
    let procedure = DunningProcedure::new(vec![DunningLevel::new(10), DunningLevel::new(30).grace_days(7)]).unwrap();
    let items = std::slice::from_ref(&invoice);
    let recent = BTreeMap::from([(invoice.document, DunningRecord { level: 1, date: days_before(today, 6) })]);
    assert!(procedure.propose(items, &recent, &no_arrangements(), today).unwrap().is_empty());
    let older = BTreeMap::from([(invoice.document, DunningRecord { level: 1, date: days_before(today, 7) })]);
    assert_eq!(procedure.propose(items, &older, &no_arrangements(), today).unwrap()[0].level, 2);
}

#[test]
fn disputed_arranged_credits_and_small_balances_are_left_out() {
    let today = d(2026, 6, 30);
    let due = days_before(today, 30);
    let mut disputed = item(1, 1, due, dec!(80.00));
    disputed.disputed = Money::new(dec!(10.00), Currency::USD).unwrap();
    let arranged = item(1, 2, due, dec!(70.00));
    let plain = item(1, 3, due, dec!(20.00));
    let mut credit = item(1, 4, due, dec!(-5.00));
    credit.kind = OpenItemKind::CreditMemo;
    credit.document = DocumentRef::CreditMemo(CreditMemoId::from_u128(4));
    let other = item(2, 5, due, dec!(5.00));
    let procedure = DunningProcedure::new(vec![DunningLevel::new(1).min_open_amount(dec!(10.00))]).unwrap();
    let arrangements = BTreeSet::from([arranged.document]);
    let notices =
        procedure.propose(&[disputed, arranged, plain.clone(), credit, other], &none(), &arrangements, today).unwrap();
    assert_eq!(notices.len(), 1, "customer 2's 5.00 is under the 10.00 minimum");
    let documents: Vec<DocumentRef> = notices[0].items.iter().map(|i| i.document).collect();
    assert_eq!(documents, [plain.document]);
}

#[test]
fn percent_fee_rounds_once_with_the_named_rounding() {
    let today = d(2026, 6, 30);
    let items = [item(1, 1, days_before(today, 30), dec!(100.00)), item(1, 2, days_before(today, 31), dec!(23.45))];
    let fee = |rounding| {
        let p = DunningProcedure::new(vec![DunningLevel::new(1).fee_percent(dec!(2.5)).rounding(rounding)]).unwrap();
        p.propose(&items, &none(), &no_arrangements(), today).unwrap()[0].fee.amount()
    };
    // 2.5 % of 123.45 = 3.08625.
    assert_eq!(fee(Rounding::HalfUp), dec!(3.09));
    assert_eq!(fee(Rounding::Down), dec!(3.08));
}

#[test]
fn interest_since_the_last_notice_is_not_charged_twice() {
    let today = d(2026, 3, 31);
    let invoice = item(1, 1, d(2026, 1, 30), dec!(3650.00));
    let sent = BTreeMap::from([(invoice.document, DunningRecord { level: 1, date: d(2026, 3, 1) })]);
    let level = DunningLevel::new(1).min_interval_days(30).interest(dec!(10), DayCount::Actual365);
    let from_due = DunningProcedure::new(vec![level.clone()]).unwrap();
    let from_notice = DunningProcedure::new(vec![level]).unwrap().interest_start(InterestStart::LastNotice);
    let items = std::slice::from_ref(&invoice);
    // 3650 × 10 % / 365 = 1.00 a day: 60 days since due, 30 since the last notice.
    assert_eq!(from_due.propose(items, &sent, &no_arrangements(), today).unwrap()[0].interest.amount(), dec!(60.00));
    assert_eq!(from_notice.propose(items, &sent, &no_arrangements(), today).unwrap()[0].interest.amount(), dec!(30.00));
}

#[test]
fn invalid_procedures_are_refused() {
    assert!(matches!(DunningProcedure::new(vec![]), Err(ReportError::InvalidSetting(_))));
    assert!(DunningProcedure::new(vec![DunningLevel::new(10), DunningLevel::new(10)]).is_err());
    assert!(DunningProcedure::new(vec![DunningLevel::new(1).fee_fixed(dec!(-1))]).is_err());
    assert!(DunningProcedure::new(vec![DunningLevel::new(1).interest(dec!(-1), DayCount::Actual360)]).is_err());
    // A fixed fee finer than the currency is refused when it is charged.
    let p = DunningProcedure::new(vec![DunningLevel::new(1).fee_fixed(dec!(1.005))]).unwrap();
    let today = d(2026, 1, 31);
    assert!(matches!(
        p.propose(&[item(1, 1, d(2026, 1, 1), dec!(10.00))], &none(), &no_arrangements(), today),
        Err(ReportError::Money(_))
    ));
}

fn check_notice(n: &Notice) -> Result<(), TestCaseError> {
    prop_assert!(!n.fee.is_negative());
    prop_assert!(!n.interest.is_negative());
    let items: i64 = n.items.iter().map(|i| i.open.minor()).sum();
    prop_assert_eq!(items, n.items_total.minor());
    prop_assert_eq!(n.total.minor(), items + n.fee.minor() + n.interest.minor());
    prop_assert_eq!(n.items.iter().map(|i| i.interest.minor()).sum::<i64>(), n.interest.minor());
    prop_assert!(n.items.iter().all(|i| !i.interest.is_negative() && i.level <= n.level && i.level >= 1));
    prop_assert_eq!(n.items.iter().map(|i| i.level).max(), Some(n.level));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Fee and interest are never negative; a notice's total is its items plus fee
    /// plus interest; items' interest adds up to the notice's; notices are sorted.
    #[test]
    fn notices_add_up(
        ops in ops(60),
        later in 0u64..120,
        fee_percent in 0u32..1000,
        rate in 0u32..3000,
        count in 0u8..3,
        records in proptest::collection::vec((any::<u8>(), 1u8..4, 0u64..60), 0..6),
    ) {
        let mut sim = Sim::new(false);
        sim.play(&ops);
        let items = sim.ledger.all_open_items();
        let as_of = sim.day.checked_add_days(Days::new(later)).unwrap();
        let day_count = [DayCount::Actual365, DayCount::Actual360, DayCount::Thirty360][count as usize];
        let procedure = DunningProcedure::new(vec![
            DunningLevel::new(1).fee_fixed(dec!(5.00)),
            DunningLevel::new(15).fee_percent(Decimal::new(fee_percent.into(), 2)).interest(Decimal::new(rate.into(), 2), day_count).min_interval_days(7),
            DunningLevel::new(45).fee_percent(dec!(1)).interest(dec!(12), day_count).grace_days(5).rounding(Rounding::Up),
        ]).unwrap();
        let mut last = BTreeMap::new();
        for (k, level, back) in records {
            if !items.is_empty() {
                let doc = items[k as usize % items.len()].document;
                last.insert(doc, DunningRecord { level, date: as_of.checked_sub_days(Days::new(back)).unwrap().max(day0()) });
            }
        }
        let notices = procedure.propose(&items, &last, &BTreeSet::new(), as_of).unwrap();
        for n in &notices {
            check_notice(n)?;
            for i in &n.items {
                let source = items.iter().find(|x| x.document == i.document).unwrap();
                prop_assert!(source.disputed.is_zero() && source.open.is_positive());
                prop_assert!(matches!(source.kind, OpenItemKind::Invoice | OpenItemKind::DebitMemo));
                prop_assert!(i.days_past_due >= 1);
            }
        }
        prop_assert!(notices.windows(2).all(|w| (w[0].customer, w[0].currency) < (w[1].customer, w[1].currency)));
    }
}
