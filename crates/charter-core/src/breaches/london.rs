//! UK time (Europe/London) for showing moments, by the UK rule written out: clocks go forward an
//! hour at 01:00 UTC on the last Sunday of March and back at 01:00 UTC on the last Sunday of
//! October (the Summer Time Order 2002, the same moments as the EU rule since 1996).
//!
//! Why a small function and not a time-zone crate: the register shows only this one zone, the
//! rule has not changed since 1996, and a crate with the time-zone database adds build time on
//! every machine and a data file to keep up to date. If Parliament changes the rule, this file
//! and its tests change with it. Times are kept in UTC; this is only for reading.

use time::{Date, Duration, Month, OffsetDateTime, Weekday};

use crate::Timestamp;

/// The last Sunday of `month` in `year`.
pub fn last_sunday(year: i32, month: Month) -> Date {
    let last_day = time::util::days_in_month(month, year);
    // A day that exists in every month; the fallback is never taken.
    let end = Date::from_calendar_date(year, month, last_day).unwrap_or(Date::MIN);
    let back = end.weekday().number_days_from_sunday();
    end - Duration::days(i64::from(back))
}

/// Whether UK summer time (BST, UTC+1) is in force at the UTC moment `t`.
pub fn is_summer_time(t: OffsetDateTime) -> bool {
    let t = t.to_offset(time::UtcOffset::UTC);
    let year = t.year();
    let starts = last_sunday(year, Month::March).midnight().assume_utc() + Duration::hours(1);
    let ends = last_sunday(year, Month::October).midnight().assume_utc() + Duration::hours(1);
    t >= starts && t < ends
}

/// The moment `t` as a UK clock shows it.
pub fn uk_time(t: &Timestamp) -> OffsetDateTime {
    let t = t.datetime();
    let hours = if is_summer_time(t) { 1 } else { 0 };
    // An offset of 0 or 1 hour always exists.
    t.to_offset(time::UtcOffset::from_hms(hours, 0, 0).unwrap_or(time::UtcOffset::UTC))
}

/// "9:05am on Friday 3 April 2026", in UK time.
pub fn uk_words(t: &Timestamp) -> String {
    let local = uk_time(t);
    let (hour, minute) = (local.hour(), local.minute());
    let (h12, half) = match hour {
        0 => (12, "am"),
        1..=11 => (hour, "am"),
        12 => (12, "pm"),
        _ => (hour - 12, "pm"),
    };
    format!(
        "{h12}:{minute:02}{half} on {} {} {} {}",
        weekday_name(local.weekday()),
        local.day(),
        local.month(),
        local.year()
    )
}

fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// The UK clock reading typed in a form ("2026-03-29" and "01:30") as a UTC moment. A time the
/// clocks skip (01:00 to 02:00 on the day they go forward) is refused; a time they show twice
/// (01:00 to 02:00 on the day they go back) is read as the first, in summer time, which is
/// the earlier and so the safer for a deadline.
pub fn from_uk(date: Date, hour: u8, minute: u8) -> Option<Timestamp> {
    let wall = date.with_hms(hour, minute, 0).ok()?.assume_utc();
    // Try summer time first: for a time shown twice that is the earlier moment.
    for offset_hours in [1, 0] {
        let utc = wall - Duration::hours(offset_hours);
        if is_summer_time(utc) == (offset_hours == 1) {
            return Some(Timestamp::from_datetime(utc));
        }
    }
    None
}

/// A date and time as typed in a form, in UK time: day, month and year as numbers and a time
/// like "14:30" or "2:30pm". Says what to fix when it is not one.
pub fn read_uk(day: &str, month: &str, year: &str, time: &str) -> Result<Timestamp, String> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return Err("Enter the date".into());
    }
    let number = |s: &str| s.parse::<u32>().ok();
    let (Some(d), Some(m), Some(y)) = (number(day), number(month), number(year)) else {
        return Err("Enter the date as numbers, like 27 3 2026".into());
    };
    let date = Month::try_from(m as u8)
        .ok()
        .filter(|_| (1990..=9999).contains(&y) && m <= 12)
        .and_then(|month| Date::from_calendar_date(y as i32, month, d as u8).ok())
        .ok_or("Enter a real date, like 27 3 2026")?;
    let time = time.trim().to_ascii_lowercase();
    if time.is_empty() {
        return Err("Enter the time, like 14:30".into());
    }
    let (clock, half) = match (time.strip_suffix("am"), time.strip_suffix("pm")) {
        (Some(t), _) => (t.trim(), Some(false)),
        (_, Some(t)) => (t.trim(), Some(true)),
        _ => (time.as_str(), None),
    };
    let (h, m) = clock.split_once([':', '.']).unwrap_or((clock, "0"));
    let bad = || "Enter the time like 14:30 or 2:30pm".to_owned();
    let (mut hour, minute) = (
        h.parse::<u8>().map_err(|_| bad())?,
        m.parse::<u8>().map_err(|_| bad())?,
    );
    match half {
        Some(pm) if (1..=12).contains(&hour) => hour = hour % 12 + if pm { 12 } else { 0 },
        Some(_) => return Err(bad()),
        None => {}
    }
    if hour > 23 || minute > 59 {
        return Err(bad());
    }
    from_uk(date, hour, minute).ok_or_else(|| {
        "The clocks go forward then, so that time did not happen in the UK: check the time".into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_clocks_change_at_one_in_the_morning_utc() {
        assert_eq!(last_sunday(2026, Month::March).to_string(), "2026-03-29");
        assert_eq!(last_sunday(2026, Month::October).to_string(), "2026-10-25");
        assert_eq!(last_sunday(2024, Month::March).to_string(), "2024-03-31");
        assert_eq!(last_sunday(2024, Month::October).to_string(), "2024-10-27");
        let summer = |s: &str| is_summer_time(ts(s).datetime());
        assert!(!summer("2026-03-29T00:59:59Z"));
        assert!(summer("2026-03-29T01:00:00Z"));
        assert!(summer("2026-10-25T00:59:59Z"));
        assert!(!summer("2026-10-25T01:00:00Z"));
        assert_eq!(
            uk_words(&ts("2026-03-29T00:59:00Z")),
            "12:59am on Sunday 29 March 2026"
        );
        assert_eq!(
            uk_words(&ts("2026-03-29T01:00:00Z")),
            "2:00am on Sunday 29 March 2026"
        );
        assert_eq!(
            uk_words(&ts("2026-10-25T00:30:00Z")),
            "1:30am on Sunday 25 October 2026"
        );
        assert_eq!(
            uk_words(&ts("2026-10-25T01:30:00Z")),
            "1:30am on Sunday 25 October 2026"
        );
        assert_eq!(
            uk_words(&ts("2026-07-01T12:05:00Z")),
            "1:05pm on Wednesday 1 July 2026"
        );
        assert_eq!(
            uk_words(&ts("2026-12-31T23:00:00Z")),
            "11:00pm on Thursday 31 December 2026"
        );
    }

    #[test]
    fn typed_times_skipped_or_shown_twice() {
        let day = |s: &str| {
            Date::parse(s, &time::format_description::well_known::Iso8601::DEFAULT).unwrap()
        };
        assert_eq!(from_uk(day("2026-03-29"), 1, 30), None);
        assert_eq!(
            from_uk(day("2026-03-29"), 2, 0).unwrap().as_str(),
            "2026-03-29T01:00:00Z"
        );
        assert_eq!(
            from_uk(day("2026-10-25"), 1, 30).unwrap().as_str(),
            "2026-10-25T00:30:00Z"
        );
        assert_eq!(
            from_uk(day("2026-01-10"), 9, 0).unwrap().as_str(),
            "2026-01-10T09:00:00Z"
        );
        assert_eq!(
            from_uk(day("2026-06-10"), 9, 0).unwrap().as_str(),
            "2026-06-10T08:00:00Z"
        );
        assert_eq!(from_uk(day("2026-06-10"), 24, 0), None);
    }

    #[test]
    fn typed_dates_and_times() {
        let read = |d, m, y, t| read_uk(d, m, y, t).map(|t| t.to_string());
        assert_eq!(
            read("6", "12", "2026", "14:30").unwrap(),
            "2026-12-06T14:30:00Z"
        );
        assert_eq!(
            read("6", "7", "2026", "2:30pm").unwrap(),
            "2026-07-06T13:30:00Z"
        );
        assert_eq!(
            read("6", "7", "2026", "12am").unwrap(),
            "2026-07-05T23:00:00Z"
        );
        assert!(
            read("", "", "", "1:00")
                .unwrap_err()
                .contains("Enter the date")
        );
        assert!(
            read("31", "2", "2026", "1:00")
                .unwrap_err()
                .contains("real date")
        );
        assert!(
            read("x", "2", "2026", "1:00")
                .unwrap_err()
                .contains("as numbers")
        );
        assert!(
            read("1", "2", "2026", "")
                .unwrap_err()
                .contains("Enter the time")
        );
        assert!(
            read("1", "2", "2026", "25:00")
                .unwrap_err()
                .contains("14:30")
        );
        assert!(
            read("1", "2", "2026", "13pm")
                .unwrap_err()
                .contains("14:30")
        );
        assert!(
            read("29", "3", "2026", "1:30")
                .unwrap_err()
                .contains("clocks go forward")
        );
    }

    /// The last Sunday found the slow way: walk back from the month's last day.
    fn last_sunday_by_walking(year: i32, month: Month) -> Date {
        let mut d =
            Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).unwrap();
        while d.weekday() != Weekday::Sunday {
            d = d.previous_day().unwrap();
        }
        d
    }

    proptest! {
        #[test]
        fn last_sundays_match_walking_back(year in 1996i32..2200) {
            for month in [Month::March, Month::October] {
                prop_assert_eq!(last_sunday(year, month), last_sunday_by_walking(year, month));
            }
        }

        /// Shown in UK time and read back, every moment is the same moment.
        #[test]
        fn uk_time_reads_back(secs in 820_454_400i64..7_258_118_400) {
            let t = Timestamp::from_datetime(OffsetDateTime::from_unix_timestamp(secs).unwrap());
            let local = uk_time(&t);
            prop_assert_eq!(local.unix_timestamp(), secs);
            let offset = local.offset().whole_hours();
            prop_assert!(offset == 0 || offset == 1);
            // Summer time exactly between the two changes of the moment's year.
            let month = local.month() as u8;
            if (4..=9).contains(&month) { prop_assert_eq!(offset, 1, "{}", t); }
            if month <= 2 || month >= 11 { prop_assert_eq!(offset, 0, "{}", t); }
            // A whole-minute time typed in UK time gives back the moment, unless it is the
            // second showing of an hour the clocks go back over.
            if secs % 60 == 0 {
                let again = from_uk(local.date(), local.hour(), local.minute()).unwrap();
                let shown_twice = offset == 0 && again != t;
                if shown_twice {
                    prop_assert_eq!(again.plus_seconds(3600), t);
                } else {
                    prop_assert_eq!(again, t);
                }
            }
        }
    }
}
