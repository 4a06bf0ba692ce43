//! Working days: weekends and bank holidays in England and Wales do not count. The holidays are
//! data (`data/bank-holidays/england-and-wales.toml`), with the years they cover, so a new year is a
//! change to that file and `charter serve` can say when the current year is missing.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::sync::LazyLock;

use serde::Deserialize;
use time::Weekday;

use crate::Date;

const ENGLAND_AND_WALES: &str = include_str!("../data/bank-holidays/england-and-wales.toml");

static BUILT_IN: LazyLock<Result<Calendar, CalendarError>> =
    LazyLock::new(|| Calendar::from_toml(ENGLAND_AND_WALES));

/// Bank holidays for a run of whole years. Outside those years only weekends are days off:
/// [`Calendar::covers`] says whether a year is known, and start-up warns when it is not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calendar {
    years: Option<RangeInclusive<i32>>,
    holidays: BTreeMap<Date, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the bank holidays file is not valid TOML: {0}")]
    Syntax(String),
    #[error("the bank holidays file has mistakes:\n  - {}", .0.join("\n  - "))]
    Invalid(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    first_year: i32,
    last_year: i32,
    /// Years after this one are worked out from the rules; kept in the file for its readers.
    #[allow(dead_code)]
    published_to: i32,
    holidays: Vec<Holiday>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Holiday {
    date: Date,
    name: String,
}

impl Calendar {
    /// The bank holidays in England and Wales kept with the program.
    pub fn england_and_wales() -> Result<&'static Calendar, CalendarError> {
        BUILT_IN.as_ref().map_err(Clone::clone)
    }

    /// Reads a holidays file, naming every mistake: a date outside the years it says it covers, at
    /// a weekend (a holiday on a Saturday is moved to a weekday; write that day), twice, or a
    /// covered year with fewer than the eight holidays every year has.
    pub fn from_toml(text: &str) -> Result<Calendar, CalendarError> {
        let file: File =
            toml::from_str(text).map_err(|e| CalendarError::Syntax(e.to_string().trim().into()))?;
        let mut problems = Vec::new();
        if file.first_year > file.last_year {
            problems.push(format!(
                "first_year ({}) is after last_year ({})",
                file.first_year, file.last_year
            ));
        }
        let years = file.first_year..=file.last_year;
        let mut holidays = BTreeMap::new();
        for h in file.holidays {
            if !years.contains(&h.date.year()) {
                problems.push(format!(
                    "{} is outside the years the file covers ({}–{}): change first_year or last_year",
                    h.date, file.first_year, file.last_year
                ));
            }
            if is_weekend(h.date) {
                problems.push(format!(
                    "{} ({}) is a weekend: write the weekday the holiday moves to",
                    h.date, h.name
                ));
            }
            if h.name.trim().is_empty() {
                problems.push(format!("{} has no name", h.date));
            }
            if holidays.insert(h.date, h.name).is_some() {
                problems.push(format!("{} is listed twice", h.date));
            }
        }
        for year in years.clone() {
            let count = holidays.keys().filter(|d| d.year() == year).count();
            if count < 8 {
                problems.push(format!(
                    "{year} has {count} bank holidays: every year has at least 8"
                ));
            }
        }
        if problems.is_empty() {
            Ok(Calendar {
                years: Some(years),
                holidays,
            })
        } else {
            Err(CalendarError::Invalid(problems))
        }
    }

    /// The years whose bank holidays are known.
    pub fn years(&self) -> Option<RangeInclusive<i32>> {
        self.years.clone()
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.as_ref().is_some_and(|y| y.contains(&year))
    }

    /// This year and next (deadlines reach into it), when the file does not cover them.
    pub fn missing_years(&self, today: Date) -> Vec<i32> {
        [today.year(), today.year() + 1]
            .into_iter()
            .filter(|&y| !self.covers(y))
            .collect()
    }

    /// The holiday's name, when `date` is a bank holiday.
    pub fn holiday(&self, date: Date) -> Option<&str> {
        self.holidays.get(&date).map(String::as_str)
    }

    pub fn holidays(&self) -> impl Iterator<Item = (Date, &str)> {
        self.holidays.iter().map(|(d, n)| (*d, n.as_str()))
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        !is_weekend(date) && !self.holidays.contains_key(&date)
    }

    /// The `days`-th working day after `date` (the day itself never counts, so something received
    /// on a Saturday with 5 working days is due the next Friday). Zero days gives `date`.
    pub fn add_working_days(&self, date: Date, days: u32) -> Date {
        let mut day = date;
        let mut left = days;
        while left > 0 {
            day = day.add_days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days after `from` up to and including `to`: how many [`add_working_days`] needs
    /// to reach `to`'s day or the working day before it. Negative when `to` is before `from`.
    ///
    /// [`add_working_days`]: Calendar::add_working_days
    pub fn working_days_between(&self, from: Date, to: Date) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let mut count = 0;
        let mut day = from;
        while day < to {
            day = day.add_days(1);
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }

    /// `date` if it is a working day, or else the next one.
    pub fn on_or_next_working_day(&self, date: Date) -> Date {
        let mut day = date;
        while !self.is_working_day(day) {
            day = day.add_days(1);
        }
        day
    }
}

/// The same day of the month `months` calendar months later, or that month's last day when it is
/// shorter (31 January → 28 or 29 February).
pub fn calendar_months_later(date: Date, months: u32) -> Date {
    date.add_months(months)
}

pub fn is_weekend(date: Date) -> bool {
    matches!(date.inner().weekday(), Weekday::Saturday | Weekday::Sunday)
}

#[cfg(test)]
mod tests;
