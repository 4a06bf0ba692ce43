//! How long an organisation has to acknowledge and answer a resident's challenge or question, and
//! when the resident's details are erased: set in the charter TOML's `[deadlines]`, worked out on
//! the working-day [`Calendar`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Date;
use crate::calendar::{Calendar, calendar_months_later};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Deadlines {
    /// Working days after the day it arrives to acknowledge it.
    pub acknowledge_working_days: u32,
    /// Calendar months after the day it arrives to answer it.
    pub answer_months: u32,
    /// Months after it is closed until the resident's details are erased.
    pub erase_after_months: u32,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            acknowledge_working_days: 5,
            answer_months: 1,
            erase_after_months: 12,
        }
    }
}

/// The two dates an item must be dealt with by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDates {
    pub acknowledge_by: Date,
    pub answer_by: Date,
}

// Bounds that keep the two deadlines in order (10 working days always end within a month) and
// match the law's longest answer time (UK GDPR: one month, extendable by two more).
const ACKNOWLEDGE_MAX: u32 = 10;
const ANSWER_MAX: u32 = 3;
const ERASE_MAX: u32 = 120;

impl Deadlines {
    /// What is wrong with the settings, one sentence each, for the charter file's problems.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (field, value, max, unit) in [
            (
                "acknowledge_working_days",
                self.acknowledge_working_days,
                ACKNOWLEDGE_MAX,
                "working days",
            ),
            ("answer_months", self.answer_months, ANSWER_MAX, "months"),
            (
                "erase_after_months",
                self.erase_after_months,
                ERASE_MAX,
                "months",
            ),
        ] {
            if value == 0 || value > max {
                out.push(format!(
                    "[deadlines] {field} is {value}: it must be from 1 to {max} {unit}"
                ));
            }
        }
        out
    }

    /// The acknowledgement is due on the n-th working day after the day it arrived.
    pub fn acknowledge_by(&self, calendar: &Calendar, received: Date) -> Date {
        calendar.add_working_days(received, self.acknowledge_working_days)
    }

    /// The answer is due on the same day of the month `answer_months` later (the month's last day
    /// when it is shorter), or the next working day when that is a weekend or bank holiday: the
    /// ICO's reading of “one month” for requests under UK GDPR.
    pub fn answer_by(&self, calendar: &Calendar, received: Date) -> Date {
        calendar.on_or_next_working_day(calendar_months_later(received, self.answer_months))
    }

    pub fn due(&self, calendar: &Calendar, received: Date) -> DueDates {
        DueDates {
            acknowledge_by: self.acknowledge_by(calendar, received),
            answer_by: self.answer_by(calendar, received),
        }
    }

    /// The day the resident's details are erased, counted from the day the item was closed.
    pub fn erase_on(&self, closed: Date) -> Date {
        calendar_months_later(closed, self.erase_after_months)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_defaults_are_the_charters() {
        let cal = Calendar::england_and_wales().unwrap();
        let due = Deadlines::default().due(cal, d("2025-12-19"));
        assert_eq!(due.acknowledge_by, d("2025-12-30"));
        // 19 January 2026 is a Monday.
        assert_eq!(due.answer_by, d("2026-01-19"));
        // A month after 31 January is 28 February 2026, a Saturday: due the Monday after.
        assert_eq!(
            Deadlines::default().answer_by(cal, d("2026-01-31")),
            d("2026-03-02")
        );
        // Landing on Easter Monday 2026 moves to the Tuesday.
        assert_eq!(
            Deadlines::default().answer_by(cal, d("2026-03-06")),
            d("2026-04-07")
        );
        assert_eq!(
            Deadlines::default().erase_on(d("2024-02-29")),
            d("2025-02-28")
        );
    }

    #[test]
    fn out_of_range_settings_are_named() {
        let bad = Deadlines {
            acknowledge_working_days: 0,
            answer_months: 4,
            erase_after_months: 12,
        };
        assert_eq!(
            bad.problems(),
            vec![
                "[deadlines] acknowledge_working_days is 0: it must be from 1 to 10 working days",
                "[deadlines] answer_months is 4: it must be from 1 to 3 months",
            ]
        );
        assert!(Deadlines::default().problems().is_empty());
    }
}
