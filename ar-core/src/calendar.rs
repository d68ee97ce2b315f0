//! Business calendars: weekends and holidays, passed in as data.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Weekday};
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BusinessCalendar {
    /// Bit `d` set when `Weekday::num_days_from_monday() == d` is a weekend day.
    weekend_mask: u8,
    holidays: BTreeSet<NaiveDate>,
    roll: Roll,
}

impl BusinessCalendar {
    /// A calendar with Saturday and Sunday as weekend, the given holidays, rolling forward.
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        todo!()
    }
    /// Replaces the weekend days.
    pub fn weekend(self, days: impl IntoIterator<Item = Weekday>) -> Self {
        todo!()
    }
    /// Sets the roll convention.
    pub fn roll(self, roll: Roll) -> Self {
        todo!()
    }
    /// `true` unless `date` is a weekend day or a holiday.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        todo!()
    }
    /// Moves `date` to a business day by the roll convention (unchanged if it is one).
    pub fn adjust(&self, date: NaiveDate) -> NaiveDate {
        todo!()
    }
}
