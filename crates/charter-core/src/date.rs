//! A calendar date that reads and writes as `YYYY-MM-DD` everywhere: JSON, TOML, CSV and SQL.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::macros::format_description;

const ISO: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a date: write it as year-month-day, for example 2025-03-31")]
pub struct DateError(pub String);

impl Date {
    /// A date written in the code (`time::macros::date!`), checked when it compiles.
    pub(crate) const fn written(date: time::Date) -> Self {
        Date(date)
    }

    pub fn from_calendar(year: i32, month: u8, day: u8) -> Option<Self> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(Date)
    }

    pub fn inner(self) -> time::Date {
        self.0
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The date `months` months later, clamped to the end of a shorter month (31 Jan + 1 = 28/29 Feb).
    pub fn add_months(self, months: u32) -> Self {
        let total = self.0.year() * 12 + (self.0.month() as i32 - 1) + months as i32;
        let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
        let month = time::Month::try_from(month).unwrap_or(time::Month::December);
        let last = month.length(year);
        let day = self.0.day().min(last);
        time::Date::from_calendar_date(year, month, day)
            .map(Date)
            .unwrap_or(self)
    }

    pub fn add_days(self, days: i64) -> Self {
        Date(self.0.saturating_add(time::Duration::days(days)))
    }

    /// “3 March 2025”, the GOV.UK style for dates people read.
    pub fn long(self) -> String {
        format!(
            "{} {} {}",
            self.0.day(),
            month_name(self.0.month()),
            self.0.year()
        )
    }
}

fn month_name(month: time::Month) -> &'static str {
    use time::Month::*;
    match month {
        January => "January",
        February => "February",
        March => "March",
        April => "April",
        May => "May",
        June => "June",
        July => "July",
        August => "August",
        September => "September",
        October => "October",
        November => "November",
        December => "December",
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        time::Date::parse(s.trim(), ISO)
            .map(Date)
            .map_err(|_| DateError(s.to_owned()))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = (self.0.year(), self.0.month() as u8, self.0.day());
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Date {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Date,
            )))
            .examples(["2025-03-31"])
            .into()
    }
}
impl utoipa::ToSchema for Date {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_iso() {
        let d: Date = "2025-03-09".parse().unwrap();
        assert_eq!(d.to_string(), "2025-03-09");
        assert_eq!(d.long(), "9 March 2025");
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        for bad in ["2025-02-30", "2025-13-01", "31/03/2025", "", "yesterday"] {
            assert!(bad.parse::<Date>().is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn adds_months_clamping_to_month_end() {
        let d: Date = "2024-01-31".parse().unwrap();
        assert_eq!(d.add_months(1).to_string(), "2024-02-29");
        assert_eq!(d.add_months(12).to_string(), "2025-01-31");
        assert_eq!(d.add_months(23).to_string(), "2025-12-31");
    }
}
