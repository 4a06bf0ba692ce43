//! The one place the application reads the clock.

use charter_core::{Date, Timestamp};

/// The time now: RFC 3339 in UTC to the second, the form published versions record.
pub fn now() -> Timestamp {
    Timestamp::from_datetime(time::OffsetDateTime::now_utc())
}

/// The time `seconds` from now (negative for the past).
pub fn from_now(seconds: i64) -> Timestamp {
    Timestamp::from_datetime(time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds))
}

/// Today's date (UTC), for overdue reviews and reports.
pub fn today() -> Date {
    now().date()
}
