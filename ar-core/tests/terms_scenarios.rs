//! Payment-terms scenarios with published answers, edge cases and properties.
//!
//! TERM-01, TERM-02, TERM-04 and EPD-01/02 restate values asserted by Odoo's test
//! suite (odoo/odoo, addons/account/tests/test_payment_term.py, 17.x, and
//! test_early_payment_discount.py @ 01b87f12; LGPL-3.0; facts and numbers only).

// Tests may unwrap: a panic is a failed test.
#![allow(clippy::unwrap_used)]

use ar_core::{
    BusinessCalendar, Currency, DiscountBase, DiscountRate, DueRule, InstallmentRule, Money, MoneyError, PaymentTerms,
    Portion, Roll, Rounding, TermsError, allocate_minor,
};
use chrono::{Datelike, NaiveDate, Weekday};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn usd(amount: Decimal) -> Money {
    Money::new(amount, Currency::USD).unwrap()
}

fn rule(portion: Portion, due: DueRule) -> InstallmentRule {
    InstallmentRule { portion, due }
}

fn terms(name: &str, installments: Vec<InstallmentRule>) -> PaymentTerms {
    PaymentTerms { name: name.into(), installments, discounts: vec![], discount_base: DiscountBase::Total }
}

fn pct(p: Decimal, days: u32) -> InstallmentRule {
    rule(Portion::Percent(p), DueRule::DaysAfter(days))
}

fn fixed(a: Decimal) -> InstallmentRule {
    rule(Portion::Fixed(a), DueRule::DaysAfter(0))
}

fn amounts(t: &PaymentTerms, total: Money) -> Vec<Decimal> {
    t.schedule(date(2024, 1, 1), total, total, None, Rounding::HalfUp)
        .unwrap()
        .iter()
        .map(|i| i.amount.amount())
        .collect()
}

fn due_dates(t: &PaymentTerms, document_date: NaiveDate) -> Vec<NaiveDate> {
    let total = usd(dec!(100.00));
    t.schedule(document_date, total, total, None, Rounding::HalfUp).unwrap().iter().map(|i| i.due_date).collect()
}

// ---- TERM-01 -------------------------------------------------------------------

#[test]
fn term01_immediate_is_due_on_the_document_date() {
    for d in [date(2019, 1, 1), date(2019, 1, 15), date(2019, 1, 31)] {
        assert_eq!(due_dates(&PaymentTerms::due_on_receipt(), d), vec![d]);
    }
}

#[test]
fn term01_net_30() {
    let t = PaymentTerms::net_30();
    assert_eq!(due_dates(&t, date(2022, 1, 1)), vec![date(2022, 1, 31)]);
    assert_eq!(due_dates(&t, date(2022, 1, 15)), vec![date(2022, 2, 14)]);
    assert_eq!(due_dates(&t, date(2022, 1, 31)), vec![date(2022, 3, 2)]);
}

#[test]
fn term01_thirty_seventy_split_near_month_ends() {
    let t = terms("30/70", vec![pct(dec!(30), 15), pct(dec!(70), 45)]);
    assert_eq!(due_dates(&t, date(2022, 1, 1)), vec![date(2022, 1, 16), date(2022, 2, 15)]);
    assert_eq!(due_dates(&t, date(2022, 1, 15)), vec![date(2022, 1, 30), date(2022, 3, 1)]);
    assert_eq!(due_dates(&t, date(2022, 1, 31)), vec![date(2022, 2, 15), date(2022, 3, 17)]);
}

#[test]
fn term01_forty_thirty_thirty_installments_are_numbered() {
    let t = terms("40/30/30", vec![pct(dec!(40), 0), pct(dec!(30), 30), pct(dec!(30), 60)]);
    let total = usd(dec!(1234.50));
    let s = t.schedule(date(2022, 1, 1), total, total, None, Rounding::HalfUp).unwrap();
    let numbers: Vec<u16> = s.iter().map(|i| i.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    let got: Vec<Decimal> = s.iter().map(|i| i.amount.amount()).collect();
    assert_eq!(got, [dec!(493.80), dec!(370.35), dec!(370.35)]);
    assert_eq!(s[2].due_date, date(2022, 3, 2));
}

// ---- TERM-02 -------------------------------------------------------------------

#[test]
fn term02_days_then_day_of_next_month() {
    let rows = [
        (date(2023, 12, 12), 30, 10, date(2024, 2, 10)),
        (date(2023, 12, 12), 30, 31, date(2024, 2, 29)),
        (date(2024, 5, 23), 0, 29, date(2024, 6, 29)),
        (date(2024, 5, 23), 0, 31, date(2024, 6, 30)),
        (date(2024, 5, 24), 15, 30, date(2024, 7, 30)),
        (date(2024, 5, 23), 15, 31, date(2024, 7, 31)),
        (date(2024, 4, 22), 30, 0, date(2024, 5, 31)),
    ];
    for (invoice, days, day, expected) in rows {
        let t =
            terms("EOM rule", vec![rule(Portion::Percent(dec!(100)), DueRule::DayOfMonth { days, months: 1, day })]);
        assert_eq!(due_dates(&t, invoice), vec![expected], "{invoice} +{days} day {day}");
    }
}

#[test]
fn day_of_month_with_more_months_and_day_zero() {
    let rule2 = |days, months, day| {
        terms("x", vec![rule(Portion::Percent(dec!(100)), DueRule::DayOfMonth { days, months, day })])
    };
    // Day 0 with two months: the end of the month after the shifted date's month.
    assert_eq!(due_dates(&rule2(30, 2, 0), date(2024, 4, 22)), vec![date(2024, 6, 30)]);
    // Across a year end and into a non-leap February.
    assert_eq!(due_dates(&rule2(0, 2, 31), date(2022, 12, 31)), vec![date(2023, 2, 28)]);
    assert_eq!(due_dates(&rule2(0, 1, 0), date(2023, 12, 31)), vec![date(2023, 12, 31)]);
}

// ---- TERM-04 -------------------------------------------------------------------

#[test]
fn term04_fifty_fifty_of_three_cents() {
    let t = terms("50/50", vec![pct(dec!(50), 0), pct(dec!(50), 30)]);
    assert_eq!(amounts(&t, usd(dec!(0.03))), [dec!(0.02), dec!(0.01)]);
}

#[test]
fn term04_fixed_line_inside_a_percent_split() {
    let total = usd(dec!(1000.00));
    let t = terms("a", vec![pct(dec!(70), 0), fixed(dec!(200)), pct(dec!(30), 30)]);
    assert_eq!(amounts(&t, total), [dec!(700.00), dec!(200.00), dec!(100.00)]);
    // The last line balances and goes negative, as in Odoo.
    let t = terms("b", vec![pct(dec!(70), 0), fixed(dec!(500)), pct(dec!(30), 30)]);
    assert_eq!(amounts(&t, total), [dec!(700.00), dec!(500.00), dec!(-200.00)]);
    let t = terms("c", vec![pct(dec!(70), 0), fixed(dec!(500)), pct(dec!(30), 30), fixed(dec!(200))]);
    assert_eq!(amounts(&t, total), [dec!(700.00), dec!(500.00), dec!(300.00), dec!(-500.00)]);
}

#[test]
fn term04_multi_currency_variant_with_three_decimals() {
    let t = terms("50/50+fixed", vec![pct(dec!(50), 0), pct(dec!(50), 0), fixed(dec!(0.02))]);
    let kwd = Money::new(dec!(0.09), Currency::KWD).unwrap();
    assert_eq!(amounts(&t, kwd), [dec!(0.045), dec!(0.045), dec!(0.000)]);
    assert_eq!(amounts(&t, usd(dec!(0.04))), [dec!(0.02), dec!(0.02), dec!(0.00)]);
}

#[test]
fn a_negative_total_mirrors_every_portion() {
    let t = terms("b", vec![pct(dec!(70), 0), fixed(dec!(500)), pct(dec!(30), 30)]);
    assert_eq!(amounts(&t, usd(dec!(-1000.00))), [dec!(-700.00), dec!(-500.00), dec!(200.00)]);
    let t = terms("50/50", vec![pct(dec!(50), 0), pct(dec!(50), 30)]);
    assert_eq!(amounts(&t, usd(dec!(-0.03))), [dec!(-0.02), dec!(-0.01)]);
}

#[test]
fn a_balance_takes_what_the_percentages_leave() {
    let t = terms("deposit", vec![fixed(dec!(100)), pct(dec!(25), 10), rule(Portion::Balance, DueRule::DaysAfter(30))]);
    assert_eq!(amounts(&t, usd(dec!(1000.00))), [dec!(100.00), dec!(250.00), dec!(650.00)]);
}

// ---- Rounding in other currencies ----------------------------------------------

#[test]
fn jpy_installments_round_to_whole_yen_and_the_last_takes_the_rest() {
    let yen = |a| Money::new(a, Currency::JPY).unwrap();
    let t = terms("3 parts", vec![pct(dec!(33.33), 0), pct(dec!(33.33), 30), pct(dec!(33.34), 60)]);
    assert_eq!(amounts(&t, yen(dec!(1000))), [dec!(333), dec!(333), dec!(334)]);
    let t = terms("50/50", vec![pct(dec!(50), 0), pct(dec!(50), 30)]);
    assert_eq!(amounts(&t, yen(dec!(1001))), [dec!(501), dec!(500)]);
    let s = t.schedule(date(2024, 1, 1), yen(dec!(1001)), yen(dec!(1001)), None, Rounding::HalfEven).unwrap();
    assert_eq!([s[0].amount.amount(), s[1].amount.amount()], [dec!(500), dec!(501)]);
    assert_eq!(amounts(&t, yen(dec!(1))), [dec!(1), dec!(0)]);
}

#[test]
fn kwd_installments_round_to_fils() {
    let kwd = |a| Money::new(a, Currency::KWD).unwrap();
    let t = terms("3 parts", vec![pct(dec!(33.333), 0), pct(dec!(33.333), 30), pct(dec!(33.334), 60)]);
    assert_eq!(amounts(&t, kwd(dec!(10))), [dec!(3.333), dec!(3.333), dec!(3.334)]);
    let t = terms("50/50", vec![pct(dec!(50), 0), pct(dec!(50), 30)]);
    assert_eq!(amounts(&t, kwd(dec!(0.003))), [dec!(0.002), dec!(0.001)]);
}

// ---- Early-payment discounts (EPD-01, EPD-02) ----------------------------------

#[test]
fn epd01_ten_percent_within_ten_days() {
    let t = terms("10% 10 days", vec![pct(dec!(100), 0)]).with_discount(10, DiscountRate::Percent(dec!(10)));
    let total = usd(dec!(1000.00));
    let s = t.schedule(date(2019, 1, 1), total, total, None, Rounding::HalfUp).unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].due_date, date(2019, 1, 1));
    assert_eq!(s[0].discounts.len(), 1);
    assert_eq!(s[0].discounts[0].until, date(2019, 1, 11));
    assert_eq!(s[0].discounts[0].amount.amount(), dec!(100.00));
    // Settled on 2019-01-02: 900.00 cash and 100.00 discount clear the 1000.00.
    let cash = total.checked_sub(s[0].discounts[0].amount).unwrap();
    assert_eq!(cash.amount(), dec!(900.00));
}

#[test]
fn epd02_included_and_excluded_discount_bases() {
    // Case e: 1500 + 15 % tax = 1725; "included" takes 10 % of the total: 150.00 + 22.50.
    let mut t = terms("10% 10 days", vec![pct(dec!(100), 0)]).with_discount(10, DiscountRate::Percent(dec!(10)));
    let (total, net) = (usd(dec!(1725.00)), usd(dec!(1500.00)));
    let s = t.schedule(date(2019, 1, 1), total, net, None, Rounding::HalfUp).unwrap();
    assert_eq!(s[0].discounts[0].amount.amount(), dec!(172.50));
    assert_eq!(total.checked_sub(s[0].discounts[0].amount).unwrap().amount(), dec!(1552.50));
    // Case b, "excluded": 1000 + 15 % tax and 2000 untaxed; discount 300 on 3150, bank 2850.
    t.discount_base = DiscountBase::Net;
    let first = t.schedule(date(2019, 1, 1), usd(dec!(1150.00)), usd(dec!(1000.00)), None, Rounding::HalfUp).unwrap();
    let second = t.schedule(date(2019, 1, 1), usd(dec!(2000.00)), usd(dec!(2000.00)), None, Rounding::HalfUp).unwrap();
    let discount = first[0].discounts[0].amount.checked_add(second[0].discounts[0].amount).unwrap();
    assert_eq!(discount.amount(), dec!(300.00));
    assert_eq!(usd(dec!(3150.00)).checked_sub(discount).unwrap().amount(), dec!(2850.00));
}

#[test]
fn net_base_is_shared_over_installments_so_it_adds_up() {
    let mut t = terms("3 parts", vec![pct(dec!(33.33), 0), pct(dec!(33.33), 30), pct(dec!(33.34), 60)])
        .with_discount(10, DiscountRate::Percent(dec!(100)));
    t.discount_base = DiscountBase::Net;
    // A 100 % discount shows the net shares themselves.
    let s = t.schedule(date(2024, 1, 1), usd(dec!(115.00)), usd(dec!(100.00)), None, Rounding::HalfUp).unwrap();
    let shares: Vec<Decimal> = s.iter().map(|i| i.discounts[0].amount.amount()).collect();
    let installments: Vec<Decimal> = s.iter().map(|i| i.amount.amount()).collect();
    assert_eq!(installments, [dec!(38.33), dec!(38.33), dec!(38.34)]);
    assert_eq!(shares, [dec!(33.33), dec!(33.33), dec!(33.34)]);
}

#[test]
fn two_ten_net_30_offers_the_discount_through_the_tenth_day() {
    let t = PaymentTerms::two_ten_net_30();
    assert_eq!(t.name, "2/10 Net 30");
    let total = usd(dec!(500.00));
    let s = t.schedule(date(2024, 3, 1), total, total, None, Rounding::HalfUp).unwrap();
    assert_eq!(s[0].due_date, date(2024, 3, 31));
    assert_eq!(s[0].discounts[0].until, date(2024, 3, 11));
    assert_eq!(s[0].discounts[0].amount.amount(), dec!(10.00));
}

#[test]
fn amount_tiers_are_exact_capped_and_offers_sorted_by_date() {
    let t = terms("50/50", vec![pct(dec!(50), 0), pct(dec!(50), 30)])
        .with_discount(20, DiscountRate::Amount(dec!(7.50)))
        .with_discount(5, DiscountRate::Percent(dec!(3)));
    let s = t.schedule(date(2024, 1, 1), usd(dec!(10.01)), usd(dec!(10.01)), None, Rounding::HalfUp).unwrap();
    for (inst, (amount, pct_off)) in s.iter().zip([(dec!(5.01), dec!(0.15)), (dec!(5.00), dec!(0.15))]) {
        assert_eq!(inst.amount.amount(), amount);
        assert_eq!(inst.discounts[0].until, date(2024, 1, 6));
        assert_eq!(inst.discounts[0].amount.amount(), pct_off);
        assert_eq!(inst.discounts[1].until, date(2024, 1, 21));
        // 7.50 off each installment, but never more than the installment.
        assert_eq!(inst.discounts[1].amount.amount(), amount.min(dec!(7.50)));
    }
}

#[test]
fn constructor_names_and_shapes() {
    assert_eq!(PaymentTerms::due_on_receipt().name, "Due on receipt");
    assert_eq!(PaymentTerms::net(45).name, "Net 45");
    assert_eq!(PaymentTerms::net_30().name, "Net 30");
    assert_eq!(PaymentTerms::eom(30).name, "EOM 30");
    assert_eq!(PaymentTerms::discount(dec!(1.50), 15, 45).name, "1.5/15 Net 45");
    for t in
        [PaymentTerms::due_on_receipt(), PaymentTerms::net_30(), PaymentTerms::eom(30), PaymentTerms::two_ten_net_30()]
    {
        assert_eq!(t.validate(), Ok(()), "{}", t.name);
        assert_eq!(t.installments.len(), 1);
    }
    assert_eq!(PaymentTerms::two_ten_net_30().discounts.len(), 1);
}

// ---- Leap years and month ends -------------------------------------------------

#[test]
fn leap_day_and_month_ends() {
    assert_eq!(due_dates(&PaymentTerms::net_30(), date(2024, 2, 29)), vec![date(2024, 3, 30)]);
    assert_eq!(due_dates(&PaymentTerms::net(365), date(2024, 2, 29)), vec![date(2025, 2, 28)]);
    // EOM 30 = last day of the document's month + 30 days.
    assert_eq!(due_dates(&PaymentTerms::eom(30), date(2024, 1, 31)), vec![date(2024, 3, 1)]);
    assert_eq!(due_dates(&PaymentTerms::eom(30), date(2023, 1, 31)), vec![date(2023, 3, 2)]);
    assert_eq!(due_dates(&PaymentTerms::eom(30), date(2024, 1, 1)), vec![date(2024, 3, 1)]);
    assert_eq!(due_dates(&PaymentTerms::eom(0), date(2024, 2, 10)), vec![date(2024, 2, 29)]);
    assert_eq!(due_dates(&PaymentTerms::eom(0), date(2023, 2, 10)), vec![date(2023, 2, 28)]);
    assert_eq!(due_dates(&PaymentTerms::eom(0), date(2023, 12, 1)), vec![date(2023, 12, 31)]);
    let end_of_next =
        terms("x", vec![rule(Portion::Percent(dec!(100)), DueRule::DayOfMonth { days: 0, months: 1, day: 31 })]);
    assert_eq!(due_dates(&end_of_next, date(2024, 1, 31)), vec![date(2024, 2, 29)]);
    assert_eq!(due_dates(&end_of_next, date(2023, 1, 31)), vec![date(2023, 2, 28)]);
}

#[test]
fn fixed_dates_are_taken_as_given() {
    let t = terms("x", vec![rule(Portion::Percent(dec!(100)), DueRule::FixedDate(date(2024, 12, 31)))]);
    assert_eq!(due_dates(&t, date(2024, 1, 1)), vec![date(2024, 12, 31)]);
}

// ---- Business calendars --------------------------------------------------------

fn schedule_with(t: &PaymentTerms, d: NaiveDate, cal: &BusinessCalendar) -> Vec<ar_core::Installment> {
    let total = usd(dec!(100.00));
    t.schedule(d, total, total, Some(cal), Rounding::HalfUp).unwrap()
}

#[test]
fn calendar_moves_a_saturday_due_date_to_monday() {
    let cal = BusinessCalendar::new([]);
    // 2024-02-01 + 30 = Saturday 2024-03-02.
    assert_eq!(schedule_with(&PaymentTerms::net_30(), date(2024, 2, 1), &cal)[0].due_date, date(2024, 3, 4));
    // A Monday holiday pushes it on to Tuesday.
    let cal = BusinessCalendar::new([date(2024, 3, 4)]);
    assert_eq!(schedule_with(&PaymentTerms::net_30(), date(2024, 2, 1), &cal)[0].due_date, date(2024, 3, 5));
    // A business day is left alone.
    assert_eq!(schedule_with(&PaymentTerms::net_30(), date(2024, 1, 31), &cal)[0].due_date, date(2024, 3, 1));
}

#[test]
fn calendar_moves_discount_dates_too() {
    let cal = BusinessCalendar::new([]);
    // 2024-02-01 + 10 = Sunday 2024-02-11.
    let s = schedule_with(&PaymentTerms::two_ten_net_30(), date(2024, 2, 1), &cal);
    assert_eq!(s[0].discounts[0].until, date(2024, 2, 12));
}

#[test]
fn modified_following_stays_in_the_month() {
    let cal = BusinessCalendar::new([]).roll(Roll::ModifiedFollowing);
    // 2024-02-29 + 30 = Saturday 2024-03-30; following would be April 1st.
    assert_eq!(schedule_with(&PaymentTerms::net_30(), date(2024, 2, 29), &cal)[0].due_date, date(2024, 3, 29));
    // Mid-month it rolls forward as usual.
    assert_eq!(schedule_with(&PaymentTerms::net_30(), date(2024, 2, 1), &cal)[0].due_date, date(2024, 3, 4));
    let following = BusinessCalendar::new([]);
    assert_eq!(schedule_with(&PaymentTerms::net_30(), date(2024, 2, 29), &following)[0].due_date, date(2024, 4, 1));
    let preceding = BusinessCalendar::new([]).roll(Roll::Preceding);
    assert_eq!(schedule_with(&PaymentTerms::net_30(), date(2024, 2, 1), &preceding)[0].due_date, date(2024, 3, 1));
}

#[test]
fn calendar_with_no_business_day_leaves_dates_alone() {
    let all = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
    for roll in [Roll::Following, Roll::Preceding, Roll::ModifiedFollowing] {
        let cal = BusinessCalendar::new([]).weekend(all).roll(roll);
        assert!(!cal.is_business_day(date(2024, 3, 6)));
        assert_eq!(cal.adjust(date(2024, 3, 6)), date(2024, 3, 6));
    }
    // A year of holidays: the bounded search gives up and keeps the date.
    let year: Vec<NaiveDate> = date(2024, 1, 1).iter_days().take(400).collect();
    let cal = BusinessCalendar::new(year);
    assert_eq!(cal.adjust(date(2024, 1, 2)), date(2024, 1, 2));
    // At the edge of chrono's range there is nowhere to go.
    let cal = BusinessCalendar::new([NaiveDate::MAX, NaiveDate::MIN]);
    assert_eq!(cal.adjust(NaiveDate::MAX), NaiveDate::MAX);
    assert_eq!(cal.roll(Roll::Preceding).adjust(NaiveDate::MIN), NaiveDate::MIN);
}

#[test]
fn custom_weekends() {
    let cal = BusinessCalendar::new([]).weekend([Weekday::Fri, Weekday::Sat]);
    assert!(cal.is_business_day(date(2024, 3, 3))); // Sunday
    assert!(!cal.is_business_day(date(2024, 3, 1))); // Friday
    assert_eq!(cal.adjust(date(2024, 3, 1)), date(2024, 3, 3));
}

// ---- Bad terms -----------------------------------------------------------------

fn schedule_err(t: &PaymentTerms) -> TermsError {
    let total = usd(dec!(100.00));
    t.schedule(date(2024, 1, 1), total, total, None, Rounding::HalfUp).unwrap_err()
}

#[test]
fn bad_terms_give_the_right_error() {
    assert!(matches!(schedule_err(&terms("none", vec![])), TermsError::NoInstallments { name } if name == "none"));
    let balance_first = terms("b", vec![rule(Portion::Balance, DueRule::DaysAfter(0)), pct(dec!(100), 30)]);
    assert!(matches!(schedule_err(&balance_first), TermsError::BalanceNotLast { .. }));
    let short = terms("short", vec![pct(dec!(50), 0), pct(dec!(40), 30)]);
    assert!(matches!(schedule_err(&short), TermsError::BadPercent { total, .. } if total == dec!(90)));
    let over = terms("over", vec![pct(dec!(60), 0), pct(dec!(60), 30)]);
    assert!(matches!(schedule_err(&over), TermsError::BadPercent { total, .. } if total == dec!(120)));
    let over_balance =
        terms("ob", vec![pct(dec!(60), 0), pct(dec!(60), 30), rule(Portion::Balance, DueRule::DaysAfter(60))]);
    assert!(matches!(schedule_err(&over_balance), TermsError::BadPercent { total, .. } if total == dec!(120)));
    let only_fixed = terms("f", vec![fixed(dec!(50)), fixed(dec!(50))]);
    assert!(matches!(schedule_err(&only_fixed), TermsError::BadPercent { total, .. } if total == dec!(0)));
    let negative = terms("neg", vec![pct(dec!(-10), 0), pct(dec!(110), 30)]);
    assert!(matches!(schedule_err(&negative), TermsError::BadPortion { installment: 1, .. }));
    let negative_fixed = terms("negf", vec![fixed(dec!(-1)), pct(dec!(100), 30)]);
    assert!(matches!(schedule_err(&negative_fixed), TermsError::BadPortion { installment: 1, .. }));
    let too_precise = terms("tp", vec![fixed(dec!(0.005)), pct(dec!(100), 30)]);
    assert!(matches!(schedule_err(&too_precise), TermsError::Money(MoneyError::TooManyDecimals { .. })));
}

#[test]
fn bad_discounts_and_due_rules_give_the_right_error() {
    let big = PaymentTerms::net_30().with_discount(10, DiscountRate::Percent(dec!(100.01)));
    assert!(matches!(schedule_err(&big), TermsError::BadDiscount { tier: 1, .. }));
    let neg = PaymentTerms::net_30()
        .with_discount(5, DiscountRate::Amount(dec!(1)))
        .with_discount(10, DiscountRate::Amount(dec!(-1)));
    assert!(matches!(schedule_err(&neg), TermsError::BadDiscount { tier: 2, .. }));
    let precise = PaymentTerms::net_30().with_discount(10, DiscountRate::Amount(dec!(0.001)));
    assert!(matches!(schedule_err(&precise), TermsError::Money(MoneyError::TooManyDecimals { .. })));
    let zero_months =
        terms("z", vec![rule(Portion::Percent(dec!(100)), DueRule::DayOfMonth { days: 0, months: 0, day: 5 })]);
    assert!(matches!(schedule_err(&zero_months), TermsError::BadDueRule { installment: 1, .. }));
    let day_32 =
        terms("d", vec![rule(Portion::Percent(dec!(100)), DueRule::DayOfMonth { days: 0, months: 1, day: 32 })]);
    assert!(matches!(schedule_err(&day_32), TermsError::BadDueRule { installment: 1, .. }));
}

#[test]
fn dates_beyond_the_calendar_are_errors_not_panics() {
    let total = usd(dec!(1.00));
    let t = PaymentTerms::net(1);
    let err = t.schedule(NaiveDate::MAX, total, total, None, Rounding::HalfUp).unwrap_err();
    assert!(matches!(err, TermsError::DateOutOfRange { name } if name == "Net 1"));
    let far = PaymentTerms::net(u32::MAX);
    assert!(matches!(schedule_err(&far), TermsError::DateOutOfRange { .. }));
    let eom = PaymentTerms::eom(1);
    assert!(matches!(
        eom.schedule(NaiveDate::MAX, total, total, None, Rounding::HalfUp),
        Err(TermsError::DateOutOfRange { .. })
    ));
    let months =
        terms("m", vec![rule(Portion::Percent(dec!(100)), DueRule::DayOfMonth { days: 0, months: u32::MAX, day: 1 })]);
    assert!(matches!(schedule_err(&months), TermsError::DateOutOfRange { .. }));
    let late_offer = PaymentTerms::due_on_receipt().with_discount(u32::MAX, DiscountRate::Percent(dec!(1)));
    assert!(matches!(schedule_err(&late_offer), TermsError::DateOutOfRange { .. }));
}

#[test]
fn total_and_net_must_share_a_currency() {
    let t = PaymentTerms::net_30();
    let err = t.schedule(date(2024, 1, 1), usd(dec!(1.00)), Money::zero(Currency::EUR), None, Rounding::HalfUp);
    assert!(matches!(err, Err(TermsError::Money(MoneyError::CurrencyMismatch { .. }))));
}

#[test]
fn errors_read_like_sentences() {
    let e = schedule_err(&terms("short", vec![pct(dec!(50), 0), pct(dec!(40), 30)]));
    assert_eq!(
        e.to_string(),
        "payment terms 'short': percent portions must add up to 100 (at most 100 when the last installment takes \
         the balance), got 90"
    );
}

// ---- Properties ----------------------------------------------------------------

/// Percent portions (two decimals) that add up to exactly 100, from random weights.
fn percents(weights: &[i128]) -> Vec<Decimal> {
    allocate_minor(10_000, weights).unwrap().into_iter().map(|bp| Decimal::new(bp, 2)).collect()
}

fn currency_strategy() -> impl Strategy<Value = Currency> {
    prop_oneof![Just(Currency::USD), Just(Currency::JPY), Just(Currency::KWD)]
}

fn due_rule_strategy() -> impl Strategy<Value = DueRule> {
    prop_oneof![
        (0u32..400).prop_map(DueRule::DaysAfter),
        (0u32..400).prop_map(DueRule::EndOfMonthPlus),
        (0u32..400, 1u32..25, 0u32..=31).prop_map(|(days, months, day)| DueRule::DayOfMonth { days, months, day }),
    ]
}

fn rate_strategy() -> impl Strategy<Value = DiscountRate> {
    prop_oneof![
        (0i64..=10_000).prop_map(|bp| DiscountRate::Percent(Decimal::new(bp, 2))),
        (0i64..100_000).prop_map(|c| DiscountRate::Amount(Decimal::new(c, 0))),
    ]
}

fn rounding_strategy() -> impl Strategy<Value = Rounding> {
    prop_oneof![
        Just(Rounding::HalfUp),
        Just(Rounding::HalfEven),
        Just(Rounding::Up),
        Just(Rounding::Down),
        Just(Rounding::Ceiling),
        Just(Rounding::Floor)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn schedules_add_up_and_keep_their_shape(
        currency in currency_strategy(),
        total_minor in -1_000_000_000_000_000i64..1_000_000_000_000_000,
        net_fraction in 0u32..=100,
        weights in prop::collection::vec(0i128..1000, 1..8),
        dues in prop::collection::vec(due_rule_strategy(), 8),
        tiers in prop::collection::vec((0u32..60, rate_strategy()), 0..4),
        day_offset in 0i64..200_000,
        net_base in any::<bool>(),
        rounding in rounding_strategy(),
    ) {
        prop_assume!(weights.iter().any(|w| *w > 0));
        let document_date = date(1900, 1, 1) + chrono::Days::new(day_offset as u64);
        let installments: Vec<InstallmentRule> = percents(&weights)
            .into_iter()
            .zip(dues)
            .map(|(p, due)| rule(Portion::Percent(p), due))
            .collect();
        let mut t = terms("random", installments);
        t.discount_base = if net_base { DiscountBase::Net } else { DiscountBase::Total };
        for (days, rate) in tiers.clone() {
            t = t.with_discount(days, rate);
        }
        let total = Money::from_minor(total_minor, currency).unwrap();
        let net = Money::from_minor(total_minor / 100 * i64::from(net_fraction), currency).unwrap();
        let s = t.schedule(document_date, total, net, None, rounding).unwrap();

        prop_assert_eq!(s.len(), weights.len());
        let sum: i128 = s.iter().map(|i| i128::from(i.amount.minor())).sum();
        prop_assert_eq!(sum, i128::from(total_minor));
        for (k, inst) in s.iter().enumerate() {
            prop_assert_eq!(usize::from(inst.number), k + 1);
            prop_assert_eq!(inst.amount.currency(), currency);
            prop_assert!(inst.due_date >= document_date);
            prop_assert_eq!(inst.discounts.len(), tiers.len());
            prop_assert!(inst.discounts.windows(2).all(|w| w[0].until <= w[1].until));
            for offer in &inst.discounts {
                prop_assert!(offer.until >= document_date);
                prop_assert!(offer.amount.minor().abs() <= inst.amount.minor().abs(),
                    "offer {:?} on installment {:?}", offer.amount, inst.amount);
                prop_assert!(offer.amount.minor() == 0 || offer.amount.minor().signum() == inst.amount.minor().signum());
            }
        }
    }

    #[test]
    fn percent_installments_are_within_one_unit_of_their_share(
        currency in currency_strategy(),
        total_minor in 0i64..1_000_000_000_000,
        weights in prop::collection::vec(1i128..1000, 1..8),
    ) {
        let ps = percents(&weights);
        let t = terms("random", ps.iter().map(|p| pct(*p, 0)).collect());
        let total = Money::from_minor(total_minor, currency).unwrap();
        let s = t.schedule(date(2024, 1, 1), total, total, None, Rounding::HalfUp).unwrap();
        // Each but the last is the exact share rounded half up: within half a unit.
        for (inst, p) in s.iter().zip(&ps).take(ps.len() - 1) {
            let exact = i128::from(total_minor) * p.mantissa(); // in 1/10_000 units
            let got = i128::from(inst.amount.minor()) * 10_000;
            prop_assert!((got - exact).abs() * 2 <= 10_000);
        }
    }

    #[test]
    fn calendar_adjusted_dates_are_business_days_on_or_after_the_raw_date(
        day_offset in 0i64..100_000,
        days in 0u32..400,
        holidays in prop::collection::vec(0u64..400, 0..40),
    ) {
        let document_date = date(1950, 1, 1) + chrono::Days::new(day_offset as u64);
        let cal = BusinessCalendar::new(holidays.iter().map(|h| document_date + chrono::Days::new(*h)));
        let total = usd(dec!(10.00));
        let t = PaymentTerms::net(days).with_discount(days / 2, DiscountRate::Percent(dec!(1)));
        let raw = t.schedule(document_date, total, total, None, Rounding::HalfUp).unwrap();
        let s = t.schedule(document_date, total, total, Some(&cal), Rounding::HalfUp).unwrap();
        prop_assert!(cal.is_business_day(s[0].due_date));
        prop_assert!(s[0].due_date >= raw[0].due_date);
        prop_assert!((s[0].due_date - raw[0].due_date).num_days() <= 3 + holidays.len() as i64);
        prop_assert!(cal.is_business_day(s[0].discounts[0].until));
        // Weekends are skipped, never landed on.
        prop_assert!(!matches!(s[0].due_date.weekday(), Weekday::Sat | Weekday::Sun));
    }
}
