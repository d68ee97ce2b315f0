//! Business calendars: weekends and holidays, passed in as data.
//!
//! The engine reads no clock and knows no country's holidays: the host builds a
//! [`BusinessCalendar`] from its own data and passes it where dates are computed
//! (payment terms move due dates and discount dates with it).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Which way a date that falls on a non-business day moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Roll {
    /// To the next business day.
    #[default]
    Following,
    /// To the previous business day.
    Preceding,
    /// To the next business day, unless that is in the next month: then the previous one.
    ModifiedFollowing,
}

/// Weekend days and a holiday list; moves due dates off non-business days.
///
/// The default weekend is Saturday and Sunday and the default roll is
/// [`Roll::Following`]; both are builder values.
///
/// ```
/// use ar_core::{BusinessCalendar, Roll};
/// use chrono::{NaiveDate, Weekday};
/// let new_year = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("bad date")?;
/// let cal = BusinessCalendar::new([new_year]);
/// let saturday = NaiveDate::from_ymd_opt(2023, 12, 30).ok_or("bad date")?;
/// // Saturday, Sunday and the holiday are skipped.
/// assert_eq!(cal.adjust(saturday), NaiveDate::from_ymd_opt(2024, 1, 2).ok_or("bad date")?);
/// // Backwards instead, with a Friday/Saturday weekend.
/// let gulf = BusinessCalendar::new([]).weekend([Weekday::Fri, Weekday::Sat]).roll(Roll::Preceding);
/// assert_eq!(gulf.adjust(saturday), NaiveDate::from_ymd_opt(2023, 12, 28).ok_or("bad date")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BusinessCalendar {
    /// Bit `d` set when `Weekday::num_days_from_monday() == d` is a weekend day.
    weekend_mask: u8,
    holidays: BTreeSet<NaiveDate>,
    roll: Roll,
}

/// How far [`BusinessCalendar::adjust`] looks for a business day before it gives up.
const ADJUST_STEPS_MAX: u32 = 366;

/// Every weekday set: a calendar with no business day at all.
const ALL_DAYS_MASK: u8 = 0b111_1111;

fn weekday_bit(day: Weekday) -> u8 {
    1 << day.num_days_from_monday()
}

impl BusinessCalendar {
    /// A calendar with Saturday and Sunday as weekend, the given holidays, rolling forward.
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        BusinessCalendar {
            weekend_mask: weekday_bit(Weekday::Sat) | weekday_bit(Weekday::Sun),
            holidays: holidays.into_iter().collect(),
            roll: Roll::Following,
        }
    }

    /// Replaces the weekend days.
    pub fn weekend(mut self, days: impl IntoIterator<Item = Weekday>) -> Self {
        self.weekend_mask = days.into_iter().fold(0, |mask, day| mask | weekday_bit(day));
        self
    }

    /// Sets the roll convention.
    pub fn roll(mut self, roll: Roll) -> Self {
        self.roll = roll;
        self
    }

    /// `true` unless `date` is a weekend day or a holiday.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        self.weekend_mask & weekday_bit(date.weekday()) == 0 && !self.holidays.contains(&date)
    }

    /// Moves `date` to a business day by the roll convention (unchanged if it is one).
    ///
    /// The search is bounded: if no business day lies within 366 days in the
    /// direction of the roll (a calendar whose weekend is every day, a holiday list
    /// covering a whole year) or the search would leave chrono's date range, `date`
    /// is returned unchanged rather than looping or panicking. With
    /// [`Roll::ModifiedFollowing`], when the following business day is in another
    /// month the preceding one is used; if there is none, `date` is returned.
    pub fn adjust(&self, date: NaiveDate) -> NaiveDate {
        if self.is_business_day(date) {
            return date;
        }
        let found = match self.roll {
            Roll::Following => self.search(date, NaiveDate::succ_opt),
            Roll::Preceding => self.search(date, NaiveDate::pred_opt),
            Roll::ModifiedFollowing => match self.search(date, NaiveDate::succ_opt) {
                Some(next) if next.month() == date.month() && next.year() == date.year() => Some(next),
                _ => self.search(date, NaiveDate::pred_opt),
            },
        };
        found.unwrap_or(date)
    }

    /// The first business day reached from `date` by repeated `step`, within the bound.
    fn search(&self, date: NaiveDate, step: fn(&NaiveDate) -> Option<NaiveDate>) -> Option<NaiveDate> {
        if self.weekend_mask & ALL_DAYS_MASK == ALL_DAYS_MASK {
            return None;
        }
        let mut current = date;
        for _ in 0..ADJUST_STEPS_MAX {
            current = step(&current)?;
            if self.is_business_day(current) {
                return Some(current);
            }
        }
        None
    }
}
