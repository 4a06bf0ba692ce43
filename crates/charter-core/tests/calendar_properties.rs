//! The working-day and deadline arithmetic over random dates, across weekends, bank holidays
//! (the built-in England and Wales list) and month ends, including years the list does not cover.

use charter_core::Date;
use charter_core::calendar::{Calendar, calendar_months_later, is_weekend};
use charter_core::deadlines::Deadlines;
use charter_core::small_numbers::{SafeCount, derived, is_small, median, share_percent};
use proptest::prelude::*;

fn calendar() -> &'static Calendar {
    Calendar::england_and_wales().unwrap()
}

/// Any day from 2017 to 2031: a year before and after the list, and every holiday in it. Days near
/// Christmas, Easter and month ends are drawn often enough to matter.
fn any_day() -> impl Strategy<Value = Date> {
    let start = Date::from_calendar(2017, 1, 1).unwrap();
    prop_oneof![
        (0i64..15 * 366).prop_map(move |n| start.add_days(n)),
        // Around each bank holiday.
        (0usize..1000, -6i64..=6).prop_map(|(i, off)| {
            let all: Vec<Date> = calendar().holidays().map(|(d, _)| d).collect();
            all[i % all.len()].add_days(off)
        }),
        // The last days of a month.
        (2017i32..=2031, 1u8..=12, 0i64..4).prop_map(|(y, m, back)| {
            Date::from_calendar(y, m, 1)
                .unwrap()
                .add_months(1)
                .add_days(-1 - back)
        }),
    ]
}

fn days_between(a: Date, b: Date) -> i64 {
    (b.inner() - a.inner()).whole_days()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn adding_working_days_lands_on_one_after_exactly_that_many(day in any_day(), n in 1u32..40) {
        let cal = calendar();
        let due = cal.add_working_days(day, n);
        prop_assert!(cal.is_working_day(due));
        prop_assert!(due > day);
        prop_assert_eq!(cal.working_days_between(day, due), i64::from(n));
        // No working day is skipped: the day before `due` is one working day fewer.
        prop_assert_eq!(cal.working_days_between(day, due.add_days(-1)), i64::from(n) - 1);
        // Every other day in between is a weekend day or a listed holiday, counted here apart
        // from `is_working_day`.
        let mut off = 0;
        let mut d = day.add_days(1);
        while d < due {
            if is_weekend(d) || cal.holiday(d).is_some() {
                off += 1;
            }
            d = d.add_days(1);
        }
        prop_assert_eq!(days_between(day, due), i64::from(n) + off, "{} → {}", day, due);
    }

    #[test]
    fn working_days_add_up(day in any_day(), a in 0u32..30, b in 0u32..30) {
        let cal = calendar();
        prop_assert_eq!(
            cal.add_working_days(cal.add_working_days(day, a), b),
            cal.add_working_days(day, a + b)
        );
    }

    #[test]
    fn a_later_start_is_never_due_sooner(day in any_day(), later in 0i64..10, n in 0u32..30) {
        let cal = calendar();
        prop_assert!(cal.add_working_days(day, n) <= cal.add_working_days(day.add_days(later), n));
    }

    #[test]
    fn weekends_and_bank_holidays_are_never_working_days(day in any_day()) {
        let cal = calendar();
        let off = is_weekend(day) || cal.holiday(day).is_some();
        prop_assert_eq!(cal.is_working_day(day), !off);
        let next = cal.on_or_next_working_day(day);
        prop_assert!(cal.is_working_day(next));
        prop_assert_eq!(next == day, !off);
        prop_assert_eq!(cal.working_days_between(day, next), i64::from(next != day));
    }

    #[test]
    fn a_calendar_month_later_keeps_the_day_or_ends_the_month(day in any_day()) {
        let later = calendar_months_later(day, 1);
        let (d, l) = (day.inner(), later.inner());
        prop_assert_eq!(l.month(), d.month().next());
        prop_assert_eq!(l.year(), if d.month() == time::Month::December { d.year() + 1 } else { d.year() });
        if d.day() <= l.month().length(l.year()) {
            prop_assert_eq!(l.day(), d.day());
        } else {
            // 29, 30 or 31 January → the last day of February; 31 March → 30 April.
            prop_assert_eq!(l.day(), l.month().length(l.year()));
        }
        let span = days_between(day, later);
        prop_assert!((28..=31).contains(&span), "{} → {}", day, later);
    }

    #[test]
    fn the_answer_is_due_on_the_first_working_day_from_a_month_later(day in any_day()) {
        let cal = calendar();
        let deadlines = Deadlines::default();
        let due = deadlines.due(cal, day);
        let month_later = calendar_months_later(day, 1);
        prop_assert!(cal.is_working_day(due.answer_by));
        prop_assert!(due.answer_by >= month_later);
        // Every day skipped to get there is a weekend or bank holiday.
        let mut skipped = month_later;
        while skipped < due.answer_by {
            prop_assert!(!cal.is_working_day(skipped), "{} skipped", skipped);
            skipped = skipped.add_days(1);
        }
        // Five working days always end before a calendar month.
        prop_assert!(due.acknowledge_by < due.answer_by);
    }

    #[test]
    fn counts_and_the_figures_from_them_are_small_number_safe(
        part in 0u64..40, rest in 0u64..40, days in proptest::collection::vec((0u32..60, 0u64..5), 0..20)
    ) {
        let whole = part + rest;
        match SafeCount::of(whole) {
            SafeCount::FewerThanTen => prop_assert!((1..=9).contains(&whole)),
            SafeCount::Exact(n) => prop_assert!(n == 0 || n >= 10),
        }
        let share = share_percent(part, whole);
        prop_assert_eq!(share.is_some(), whole > 0 && !is_small(part) && !is_small(rest));
        if let Some(p) = share {
            prop_assert!(p <= 100);
            prop_assert!((p as f64 - 100.0 * part as f64 / whole as f64).abs() <= 0.5);
        }
        let answered: u64 = days.iter().map(|&(_, n)| n).sum();
        let middle = derived(&[answered], || median(&days)).flatten();
        prop_assert_eq!(middle.is_some(), answered >= 10);
        if let Some(m) = middle {
            let below: u64 = days.iter().filter(|&&(d, _)| f64::from(d) < m).map(|&(_, n)| n).sum();
            let above: u64 = days.iter().filter(|&&(d, _)| f64::from(d) > m).map(|&(_, n)| n).sum();
            prop_assert!(below * 2 <= answered && above * 2 <= answered);
        }
    }
}
