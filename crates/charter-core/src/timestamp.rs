//! A moment as the register records it: RFC 3339 in UTC to the second ("2026-12-06T13:40:00Z").
//! Both databases store this text, so text order is time order and comparisons happen in SQL.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::Date;

/// A moment in time, held as the text the register stores. Made from a clock reading
/// ([`Timestamp::from_datetime`]) or parsed from stored text, which is kept exactly as written
/// (published versions hash it).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp(String);

/// Text that is not an RFC 3339 date and time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a date and time in RFC 3339 form, such as 2026-12-06T13:40:00Z")]
pub struct TimestampError(pub String);

impl Timestamp {
    /// The moment `t`, in UTC, to the second.
    pub fn from_datetime(t: OffsetDateTime) -> Self {
        let t = t.to_offset(time::UtcOffset::UTC);
        let t = t.replace_nanosecond(0).unwrap_or(t);
        // Formatting a UTC date-time between years 0 and 9999 cannot fail.
        Self(
            t.format(&Rfc3339)
                .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned()),
        )
    }

    /// Parses stored or supplied text, keeping it exactly as written.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(|_| Self(text.to_owned()))
            .map_err(|_| TimestampError(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn datetime(&self) -> OffsetDateTime {
        // Every value was checked when it was made.
        OffsetDateTime::parse(&self.0, &Rfc3339).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// This moment moved by `seconds` (negative for earlier).
    pub fn plus_seconds(&self, seconds: i64) -> Self {
        Self::from_datetime(self.datetime() + Duration::seconds(seconds))
    }

    /// The calendar date of this moment in UTC.
    pub fn date(&self) -> Date {
        let d = self.datetime().date();
        Date::from_calendar(d.year(), d.month() as u8, d.day())
            .unwrap_or_else(|| Date::from_calendar(1970, 1, 1).expect("1970-01-01 is a date"))
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Timestamp {
    type Error = TimestampError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Timestamp> for String {
    fn from(t: Timestamp) -> String {
        t.0
    }
}

// Read as its text wherever text is wanted (templates, SQL parameters, comparisons with strings).
impl std::ops::Deref for Timestamp {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Timestamp {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_readings_are_utc_to_the_second() {
        let t = OffsetDateTime::parse("2026-12-06T14:40:00.123+01:00", &Rfc3339).unwrap();
        assert_eq!(Timestamp::from_datetime(t).as_str(), "2026-12-06T13:40:00Z");
    }

    #[test]
    fn stored_text_is_kept_as_written_and_bad_text_refused() {
        assert_eq!(
            Timestamp::parse("2026-01-02T03:04:05+00:00")
                .unwrap()
                .as_str(),
            "2026-01-02T03:04:05+00:00"
        );
        let err = Timestamp::parse("yesterday").unwrap_err();
        assert!(err.to_string().contains("2026-12-06T13:40:00Z"));
    }

    #[test]
    fn moves_and_dates() {
        let t = Timestamp::parse("2026-12-31T23:59:30Z").unwrap();
        assert_eq!(t.plus_seconds(60).as_str(), "2027-01-01T00:00:30Z");
        assert_eq!(t.date().to_string(), "2026-12-31");
        assert!(t < t.plus_seconds(1));
    }
}
