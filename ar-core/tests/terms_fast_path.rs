//! `PaymentTerms::schedule` and `validate` against the implementation they
//! replaced, kept here as the reference: the one-pass schedule and the integer
//! checks must give the same `Result`, value for value and error for error.

// Tests may unwrap: a panic is a failed test.
#![allow(clippy::unwrap_used)]

use ar_core::{
    BusinessCalendar, Currency, DiscountBase, DiscountRate, DiscountTier, DueRule, InstallmentRule, Money,
    PaymentTerms, Portion, Roll, Rounding,
};
use chrono::{NaiveDate, Weekday};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use rust_decimal::Decimal;

/// The implementation of `schedule` before the fast paths, unchanged but for the
/// names it reaches through the public API.
mod reference_rounding;

use reference_rounding::MODES;

mod reference {
    use super::reference_rounding::percent_of;
    use std::cmp::Ordering;

    use ar_core::{
        BusinessCalendar, DiscountBase, DiscountOffer, DiscountRate, DueRule, Installment, Money, MoneyError,
        PaymentTerms, Portion, Rounding, TermsError, allocate_minor,
    };
    use chrono::{Datelike, Days, Months, NaiveDate};
    use rust_decimal::Decimal;

    pub fn validate(terms: &PaymentTerms) -> Result<(), TermsError> {
        let count = terms.installments.len();
        if count == 0 {
            return Err(TermsError::NoInstallments { name: terms.name.clone() });
        }
        if count > usize::from(u16::MAX) {
            return Err(TermsError::TooManyInstallments { name: terms.name.clone(), count });
        }
        let mut percent_total = Decimal::ZERO;
        for (i, rule) in terms.installments.iter().enumerate() {
            match &rule.portion {
                Portion::Percent(p) if is_percent(*p) => percent_total += *p,
                Portion::Fixed(a) if !a.is_sign_negative() || a.is_zero() => {}
                Portion::Balance if i + 1 == count => {}
                Portion::Balance => return Err(TermsError::BalanceNotLast { name: terms.name.clone() }),
                portion => {
                    let portion = portion.clone();
                    return Err(TermsError::BadPortion { name: terms.name.clone(), installment: i + 1, portion });
                }
            }
            check_due_rule(terms, i, &rule.due)?;
        }
        let ends_in_balance = matches!(terms.installments.last().map(|r| &r.portion), Some(Portion::Balance));
        let percent_ok = match percent_total.cmp(&Decimal::ONE_HUNDRED) {
            Ordering::Equal => true,
            Ordering::Less => ends_in_balance,
            Ordering::Greater => false,
        };
        if !percent_ok {
            return Err(TermsError::BadPercent { name: terms.name.clone(), total: percent_total });
        }
        for (i, tier) in terms.discounts.iter().enumerate() {
            let ok = match tier.rate {
                DiscountRate::Percent(p) => is_percent(p),
                DiscountRate::Amount(a) => !a.is_sign_negative() || a.is_zero(),
                _ => unreachable!("a discount rate this reference does not know"),
            };
            if !ok {
                return Err(TermsError::BadDiscount { name: terms.name.clone(), tier: i + 1, rate: tier.rate.clone() });
            }
        }
        Ok(())
    }

    fn check_due_rule(terms: &PaymentTerms, index: usize, rule: &DueRule) -> Result<(), TermsError> {
        let reason = match rule {
            DueRule::DayOfMonth { months: 0, .. } => "months must be at least 1",
            DueRule::DayOfMonth { day, .. } if *day > 31 => "day must be 0 (month end) or 1 to 31",
            _ => return Ok(()),
        };
        Err(TermsError::BadDueRule { name: terms.name.clone(), installment: index + 1, rule: rule.clone(), reason })
    }

    pub fn schedule(
        terms: &PaymentTerms,
        document_date: NaiveDate,
        total: Money,
        net: Money,
        calendar: Option<&BusinessCalendar>,
        rounding: Rounding,
    ) -> Result<Vec<Installment>, TermsError> {
        validate(terms)?;
        total.same_currency(net)?;
        let amounts = amounts(terms, total, rounding)?;
        let offer_dates = offer_dates(terms, document_date, calendar)?;
        let bases = discount_bases(terms, &amounts, total, net)?;
        let mut schedule = Vec::with_capacity(amounts.len());
        for (i, (rule, amount)) in terms.installments.iter().zip(&amounts).enumerate() {
            let due_date = due_date(&rule.due, document_date).ok_or_else(|| out_of_range(terms))?;
            if due_date < document_date {
                let reason = "the due date falls before the document date";
                return Err(TermsError::BadDueRule {
                    name: terms.name.clone(),
                    installment: i + 1,
                    rule: rule.due.clone(),
                    reason,
                });
            }
            let base = bases.get(i).copied().unwrap_or(*amount);
            let discounts = offers(terms, &offer_dates, *amount, base, rounding)?;
            schedule.push(Installment {
                number: u16::try_from(i + 1).map_err(|_| too_many(terms))?,
                due_date: adjust(due_date, calendar),
                amount: *amount,
                discounts,
            });
        }
        Ok(schedule)
    }

    fn amounts(terms: &PaymentTerms, total: Money, rounding: Rounding) -> Result<Vec<Money>, TermsError> {
        let currency = total.currency();
        let overflow = MoneyError::Overflow { currency };
        let sign: i128 = if total.is_negative() { -1 } else { 1 };
        let last = terms.installments.len().saturating_sub(1);
        let mut amounts = Vec::with_capacity(terms.installments.len());
        let mut given: i128 = 0;
        for rule in &terms.installments[..last] {
            let minor = match &rule.portion {
                Portion::Percent(p) => percent_of(i128::from(total.minor()), *p, rounding).ok_or(overflow.clone())?,
                Portion::Fixed(a) => sign * i128::from(Money::new(*a, currency)?.minor()),
                Portion::Balance => 0,
                _ => unreachable!("a portion this reference does not know"),
            };
            given += minor;
            amounts.push(money_from_minor(minor, total)?);
        }
        amounts.push(money_from_minor(i128::from(total.minor()) - given, total)?);
        Ok(amounts)
    }

    fn offer_dates(
        terms: &PaymentTerms,
        document_date: NaiveDate,
        calendar: Option<&BusinessCalendar>,
    ) -> Result<Vec<NaiveDate>, TermsError> {
        terms
            .discounts
            .iter()
            .map(|tier| {
                let until = document_date.checked_add_days(Days::new(u64::from(tier.within_days)));
                until.map(|d| adjust(d, calendar)).ok_or_else(|| out_of_range(terms))
            })
            .collect()
    }

    fn discount_bases(
        terms: &PaymentTerms,
        amounts: &[Money],
        total: Money,
        net: Money,
    ) -> Result<Vec<Money>, TermsError> {
        let needs_net = terms.discount_base == DiscountBase::Net
            && terms.discounts.iter().any(|t| matches!(t.rate, DiscountRate::Percent(_)));
        if !needs_net {
            return Ok(amounts.to_vec());
        }
        let weights: Vec<i64> = amounts.iter().map(Money::minor).collect();
        let shares = match split_signed(net.minor(), &weights) {
            Some(shares) => shares,
            None if total.is_zero() => allocate_minor(net.minor(), &vec![1; amounts.len()])?,
            None => return Err(MoneyError::Overflow { currency: total.currency() }.into()),
        };
        shares.into_iter().map(|m| Ok(Money::from_minor(m, total.currency())?)).collect()
    }

    fn offers(
        terms: &PaymentTerms,
        dates: &[NaiveDate],
        amount: Money,
        base: Money,
        rounding: Rounding,
    ) -> Result<Vec<DiscountOffer>, TermsError> {
        let currency = amount.currency();
        let mut offers = Vec::with_capacity(terms.discounts.len());
        for (tier, until) in terms.discounts.iter().zip(dates) {
            let minor = match &tier.rate {
                DiscountRate::Percent(p) => {
                    percent_of(i128::from(base.minor()), *p, rounding).ok_or(MoneyError::Overflow { currency })?
                }
                DiscountRate::Amount(a) => {
                    let cap = i128::from(Money::new(*a, currency)?.minor()).min(i128::from(amount.minor()).abs());
                    cap * i128::from(amount.minor().signum())
                }
                _ => unreachable!("a discount rate this reference does not know"),
            };
            offers.push(DiscountOffer { until: *until, amount: money_from_minor(minor, amount)? });
        }
        offers.sort_by_key(|o| o.until);
        Ok(offers)
    }

    fn out_of_range(terms: &PaymentTerms) -> TermsError {
        TermsError::DateOutOfRange { name: terms.name.clone() }
    }

    fn too_many(terms: &PaymentTerms) -> TermsError {
        TermsError::TooManyInstallments { name: terms.name.clone(), count: terms.installments.len() }
    }

    fn is_percent(p: Decimal) -> bool {
        (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&p)
    }

    fn money_from_minor(minor: i128, like: Money) -> Result<Money, MoneyError> {
        let minor = i64::try_from(minor).map_err(|_| MoneyError::Overflow { currency: like.currency() })?;
        Money::from_minor(minor, like.currency())
    }

    fn adjust(date: NaiveDate, calendar: Option<&BusinessCalendar>) -> NaiveDate {
        calendar.map_or(date, |c| c.adjust(date))
    }

    fn due_date(rule: &DueRule, document_date: NaiveDate) -> Option<NaiveDate> {
        match rule {
            DueRule::DaysAfter(days) => document_date.checked_add_days(Days::new(u64::from(*days))),
            DueRule::EndOfMonthPlus(days) => month_end(document_date)?.checked_add_days(Days::new(u64::from(*days))),
            DueRule::DayOfMonth { days, months, day } => {
                let shifted = document_date.checked_add_days(Days::new(u64::from(*days)))?;
                let target = shifted.with_day(1)?.checked_add_months(Months::new(*months))?;
                if *day == 0 { target.pred_opt() } else { target.with_day((*day).min(month_end(target)?.day())) }
            }
            DueRule::FixedDate(date) => Some(*date),
            _ => unreachable!("a due rule this reference does not know"),
        }
    }

    fn month_end(date: NaiveDate) -> Option<NaiveDate> {
        if date.month() == 12 {
            return date.with_day(31);
        }
        NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)?.pred_opt()
    }

    fn split_signed(whole: i64, weights: &[i64]) -> Option<Vec<i64>> {
        let mut sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        let flip = sum < 0;
        if flip {
            sum = -sum;
        }
        if sum == 0 {
            return None;
        }
        let magnitude = i128::from(whole).abs();
        let mut parts = Vec::with_capacity(weights.len());
        let mut remainders = Vec::with_capacity(weights.len());
        let mut given: i128 = 0;
        for (i, w) in weights.iter().enumerate() {
            let w = if flip { -i128::from(*w) } else { i128::from(*w) };
            let product = magnitude.checked_mul(w)?;
            let share = product.div_euclid(sum);
            given = given.checked_add(share)?;
            parts.push(share);
            remainders.push((product.rem_euclid(sum), i));
        }
        let leftover = usize::try_from(magnitude.checked_sub(given)?).ok()?;
        remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in remainders.iter().take(leftover) {
            *parts.get_mut(i)? += 1;
        }
        let sign: i128 = if whole < 0 { -1 } else { 1 };
        parts.into_iter().map(|p| i64::try_from(p * sign).ok()).collect()
    }
}

/// A percent in several representations: everyday, 28 decimals (where `Decimal`
/// sums round), out of range.
fn percent() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        6 => (0i64..=100, 0u32..=3).prop_map(|(p, s)| Decimal::new(p * 10i64.pow(s), s)),
        3 => (0i64..=10_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (0i64..=i64::MAX, 17u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (101i64..100_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (-100i64..0, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

fn fixed() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        6 => (0i64..200_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (0i64..200_000, 3u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (0i64..=i64::MAX, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (-1_000i64..0, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

/// Percents that add up to exactly 100, split into `parts`, in the given scale:
/// valid terms are the common case and must be compared too.
fn hundred_split(parts: usize, scale: u32, cuts: Vec<u64>) -> Vec<Decimal> {
    let whole = 100 * 10i64.pow(scale);
    let mut points: Vec<i64> = cuts.iter().take(parts - 1).map(|c| (*c % (whole as u64 + 1)) as i64).collect();
    points.sort_unstable();
    let mut last = 0;
    let mut out = Vec::with_capacity(parts);
    for p in points {
        out.push(Decimal::new(p - last, scale));
        last = p;
    }
    out.push(Decimal::new(whole - last, scale));
    out
}

fn due_rule() -> impl Strategy<Value = DueRule> {
    prop_oneof![
        12 => (0u32..120).prop_map(DueRule::DaysAfter),
        2 => (0u32..60).prop_map(DueRule::EndOfMonthPlus),
        2 => (0u32..40, prop_oneof![6 => 1u32..3, 1 => Just(0u32)], 0u32..34).prop_map(|(days, months, day)| DueRule::DayOfMonth { days, months, day }),
        1 => (0i32..2_000).prop_map(|d| DueRule::FixedDate(NaiveDate::from_num_days_from_ce_opt(730_000 + d).unwrap())),
        1 => Just(DueRule::DaysAfter(u32::MAX)),
    ]
}

fn portion_kind() -> impl Strategy<Value = u8> {
    prop_oneof![6 => Just(0u8), 2 => Just(1u8), 1 => Just(2u8)]
}

/// Terms whose percents mostly add up to 100, with fixed amounts, balances in and
/// out of place, discount tiers of both kinds, and both discount bases.
fn terms() -> impl Strategy<Value = PaymentTerms> {
    let valid = prop_oneof![3 => Just(true), 1 => Just(false)];
    let installments = (1usize..=4, 0u32..=3, prop::collection::vec(any::<u64>(), 3), valid)
        .prop_flat_map(|(parts, scale, cuts, valid)| {
            let split = hundred_split(parts, scale, cuts);
            (Just(split), Just(valid), prop::collection::vec((portion_kind(), percent(), fixed(), due_rule()), parts))
        })
        .prop_map(|(split, valid, raw)| {
            let count = raw.len();
            let ends_in_balance = raw.last().is_some_and(|r| r.0 == 2);
            raw.into_iter()
                .zip(split)
                .enumerate()
                .map(|(i, ((kind, p, a, due), share))| {
                    let last = i + 1 == count;
                    let portion = match (valid, kind) {
                        // Valid by construction: the percents add up to 100, a fixed
                        // amount only before a closing balance.
                        (true, 2) if last => Portion::Balance,
                        (true, 1) if ends_in_balance && !last => Portion::Fixed(a),
                        (true, _) => Portion::Percent(share),
                        (false, 0) => Portion::Percent(p),
                        (false, 1) => Portion::Fixed(a),
                        (false, _) => Portion::Balance,
                    };
                    InstallmentRule { portion, due }
                })
                .collect::<Vec<_>>()
        });
    let tier = (
        prop_oneof![8 => 0u32..60, 1 => Just(u32::MAX)],
        prop_oneof![3 => percent().prop_map(DiscountRate::Percent), 1 => fixed().prop_map(DiscountRate::Amount)],
    )
        .prop_map(|(within_days, rate)| DiscountTier { within_days, rate });
    let base = prop_oneof![Just(DiscountBase::Total), Just(DiscountBase::Net)];
    (installments, prop::collection::vec(tier, 0..=3), base).prop_map(|(installments, discounts, discount_base)| {
        PaymentTerms { name: "terms".into(), installments, discounts, discount_base }
    })
}

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![Just(Currency::USD), Just(Currency::JPY), Just(Currency::KWD), Just(Currency::CLF)]
}

fn minor() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => -100_000i64..10_000_000,
        1 => Just(0i64),
        1 => -999_999_999_999_999_999i64..=999_999_999_999_999_999,
    ]
}

fn date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        9 => (0i32..20_000).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(725_000 + d).unwrap()),
        1 => (0i32..400).prop_map(|d| NaiveDate::MAX - chrono::Days::new(d as u64)),
    ]
}

fn calendar() -> impl Strategy<Value = Option<BusinessCalendar>> {
    let roll = prop_oneof![Just(Roll::Following), Just(Roll::Preceding), Just(Roll::ModifiedFollowing)];
    prop_oneof![
        3 => Just(None),
        1 => (roll, prop::collection::vec(date(), 0..5)).prop_map(|(roll, holidays)| {
            Some(BusinessCalendar::new(holidays).weekend([Weekday::Sat, Weekday::Sun]).roll(roll))
        }),
    ]
}

fn check(
    terms: &PaymentTerms,
    date: NaiveDate,
    total: Money,
    net: Money,
    calendar: Option<&BusinessCalendar>,
    rounding: Rounding,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(terms.validate(), reference::validate(terms));
    let fast = terms.schedule(date, total, net, calendar, rounding);
    let slow = reference::schedule(terms, date, total, net, calendar, rounding);
    prop_assert_eq!(&fast, &slow);
    // `==` on `Decimal` ignores the scale; the output must keep it too.
    prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    #[test]
    fn schedule_matches_the_reference(
        terms in terms(),
        date in date(),
        currency in currency(),
        total in minor(),
        net in minor(),
        net_currency in prop_oneof![9 => Just(None), 1 => Just(Some(Currency::EUR))],
        calendar in calendar(),
        rounding in prop::sample::select(&MODES[..]),
    ) {
        let total = Money::from_minor(total, currency).unwrap();
        let net = Money::from_minor(net, net_currency.unwrap_or(currency)).unwrap();
        check(&terms, date, total, net, calendar.as_ref(), rounding)?;
    }

    /// The built-in terms on everyday totals, where nearly every case succeeds.
    #[test]
    fn everyday_schedules_match_the_reference(
        which in 0usize..5,
        date in date(),
        total in -1_000_000i64..100_000_000,
        net_share in 0i64..=100,
        rounding in prop::sample::select(&MODES[..]),
    ) {
        let terms = [
            PaymentTerms::net_30(),
            PaymentTerms::two_ten_net_30(),
            PaymentTerms::eom(30),
            PaymentTerms::net(60),
            PaymentTerms::discount(Decimal::new(15, 1), 15, 45).with_discount(5, DiscountRate::Percent(Decimal::TWO)),
        ];
        let total = Money::from_minor(total, Currency::USD).unwrap();
        let net = Money::from_minor(total.minor() * net_share / 100, Currency::USD).unwrap();
        check(&terms[which], date, total, net, None, rounding)?;
    }
}

/// Percents whose exact sum needs more than 96 bits: `Decimal` rounds the sum, and
/// the terms are judged on the rounded sum as before.
#[test]
fn percent_sums_past_96_bits_are_judged_as_decimal_sums() {
    // 33.33…3 with 27 decimals: three of them need 97 bits, and `Decimal` rounds their sum to 100.
    let third = Decimal::from_i128_with_scale(33_333_333_333_333_333_333_333_333_333, 27);
    let cases = [
        vec![third, third, third],
        vec![third, third, third, Decimal::new(1, 27)],
        vec![third + third, third],
        vec![Decimal::new(1, 28), Decimal::ONE_HUNDRED],
        vec![Decimal::from_parts(u32::MAX, u32::MAX, 0x7fff_ffff, false, 28), Decimal::new(100, 0)],
        vec![Decimal::from_parts(1, 0, 0x2000_0000, false, 28), Decimal::new(9_999, 2)],
    ];
    let date = NaiveDate::from_ymd_opt(2024, 5, 31).unwrap();
    let total = Money::from_minor(100_000, Currency::USD).unwrap();
    for percents in cases {
        for balance in [false, true] {
            let mut installments: Vec<InstallmentRule> = percents
                .iter()
                .map(|p| InstallmentRule { portion: Portion::Percent(*p), due: DueRule::DaysAfter(30) })
                .collect();
            if balance {
                installments.push(InstallmentRule { portion: Portion::Balance, due: DueRule::DaysAfter(60) });
            }
            let terms = PaymentTerms {
                name: "long".into(),
                installments,
                discounts: vec![],
                discount_base: DiscountBase::Total,
            };
            assert_eq!(terms.validate(), reference::validate(&terms), "{percents:?} balance {balance}");
            let fast = terms.schedule(date, total, total, None, Rounding::HalfEven);
            assert_eq!(fast, reference::schedule(&terms, date, total, total, None, Rounding::HalfEven));
        }
    }
}

#[test]
fn the_terms_strategy_gives_both_schedules_and_errors() {
    // A guard on the test itself: the comparison must cover schedules and errors.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut ok, mut err) = (0, 0);
    for _ in 0..2_000 {
        let terms = terms().new_tree(&mut runner).unwrap().current();
        let date = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
        let total = Money::from_minor(123_456, Currency::USD).unwrap();
        match terms.schedule(date, total, total, None, Rounding::HalfUp) {
            Ok(_) => ok += 1,
            Err(_) => err += 1,
        }
    }
    assert!(ok > 300 && err > 300, "ok {ok}, errors {err}");
}
