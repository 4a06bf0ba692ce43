use std::collections::BTreeSet;

use super::*;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn built_in() -> &'static Calendar {
    Calendar::england_and_wales().unwrap()
}

/// Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher).
fn easter(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let dd = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - dd - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::from_calendar(year, month as u8, day as u8).unwrap()
}

fn weekday(date: Date) -> Weekday {
    date.inner().weekday()
}

fn first_monday(year: i32, month: u8) -> Date {
    let mut day = Date::from_calendar(year, month, 1).unwrap();
    while weekday(day) != Weekday::Monday {
        day = day.add_days(1);
    }
    day
}

fn last_monday(year: i32, month: u8) -> Date {
    let mut day = Date::from_calendar(year, month, 1)
        .unwrap()
        .add_months(1)
        .add_days(-1);
    while weekday(day) != Weekday::Monday {
        day = day.add_days(-1);
    }
    day
}

/// The holidays the statute and the yearly proclamations give, before any one-off change.
fn by_the_rules(year: i32) -> BTreeSet<Date> {
    let mut days = BTreeSet::new();
    let new_year = Date::from_calendar(year, 1, 1).unwrap();
    days.insert(match weekday(new_year) {
        Weekday::Saturday => new_year.add_days(2),
        Weekday::Sunday => new_year.add_days(1),
        _ => new_year,
    });
    days.insert(easter(year).add_days(-2));
    days.insert(easter(year).add_days(1));
    days.insert(first_monday(year, 5));
    days.insert(last_monday(year, 5));
    days.insert(last_monday(year, 8));
    let christmas = Date::from_calendar(year, 12, 25).unwrap();
    let (a, b) = match weekday(christmas) {
        // Christmas on Friday: Boxing Day moves to Monday 28th.
        Weekday::Friday => (christmas, christmas.add_days(3)),
        // Saturday: Monday 27th and Tuesday 28th.
        Weekday::Saturday => (christmas.add_days(2), christmas.add_days(3)),
        // Sunday: Boxing Day on Monday 26th, Christmas's substitute on Tuesday 27th.
        Weekday::Sunday => (christmas.add_days(1), christmas.add_days(2)),
        _ => (christmas, christmas.add_days(1)),
    };
    days.insert(a);
    days.insert(b);
    days
}

#[test]
fn the_built_in_file_covers_2018_to_2028_at_least() {
    let cal = built_in();
    for year in 2018..=2028 {
        assert!(cal.covers(year), "{year}");
    }
    assert!(!cal.covers(2017));
}

#[test]
fn every_year_follows_the_rules_apart_from_the_one_off_changes() {
    let cal = built_in();
    // Moved (rule day → day in the file) and added days, from GOV.UK's published list.
    let moved = [
        ("2020-05-04", "2020-05-08"), // VE Day
        ("2022-05-30", "2022-06-02"), // spring holiday before the Platinum Jubilee
    ];
    let added = ["2022-06-03", "2022-09-19", "2023-05-08"];
    for year in cal.years().unwrap() {
        let mut expected = by_the_rules(year);
        for (from, to) in moved {
            if d(from).year() == year {
                assert!(expected.remove(&d(from)));
                expected.insert(d(to));
            }
        }
        expected.extend(added.iter().map(|a| d(a)).filter(|a| a.year() == year));
        let listed: BTreeSet<Date> = cal
            .holidays()
            .map(|(date, _)| date)
            .filter(|date| date.year() == year)
            .collect();
        assert_eq!(listed, expected, "{year}");
    }
}

#[test]
fn substitute_and_one_off_days_are_there() {
    let cal = built_in();
    for (date, name) in [
        ("2020-05-08", "VE Day"),
        ("2020-12-28", "substitute"),
        ("2021-12-27", "substitute"),
        ("2021-12-28", "substitute"),
        ("2022-01-03", "substitute"),
        ("2022-06-02", "Spring"),
        ("2022-06-03", "Jubilee"),
        ("2022-09-19", "Funeral"),
        ("2022-12-27", "substitute"),
        ("2023-01-02", "substitute"),
        ("2023-05-08", "coronation"),
        ("2026-12-28", "substitute"),
        ("2027-12-27", "substitute"),
        ("2028-01-03", "substitute"),
    ] {
        let found = cal.holiday(d(date)).unwrap_or_else(|| panic!("{date}"));
        assert!(found.contains(name), "{date}: {found}");
    }
    for not in ["2020-05-04", "2022-05-30", "2022-01-01", "2026-12-26"] {
        assert_eq!(cal.holiday(d(not)), None, "{not}");
    }
}

#[test]
fn working_days_skip_weekends_and_holidays() {
    let cal = built_in();
    // Friday 19 December 2025: Christmas and Boxing Day fall in the next week.
    assert_eq!(cal.add_working_days(d("2025-12-19"), 5), d("2025-12-30"));
    // Saturday: the day itself never counts, Monday is the first working day.
    assert_eq!(cal.add_working_days(d("2025-03-08"), 5), d("2025-03-14"));
    // Thursday before Easter 2025: Good Friday and Easter Monday do not count.
    assert_eq!(cal.add_working_days(d("2025-04-17"), 1), d("2025-04-22"));
    assert_eq!(cal.add_working_days(d("2025-04-17"), 0), d("2025-04-17"));
    assert_eq!(
        cal.working_days_between(d("2025-04-17"), d("2025-04-22")),
        1
    );
    assert_eq!(
        cal.working_days_between(d("2025-04-22"), d("2025-04-17")),
        -1
    );
    assert_eq!(cal.on_or_next_working_day(d("2025-12-25")), d("2025-12-29"));
    assert!(!cal.is_working_day(d("2023-05-08")));
    assert!(cal.is_working_day(d("2023-05-09")));
}

#[test]
fn outside_the_covered_years_only_weekends_are_off() {
    let cal = built_in();
    assert!(cal.is_working_day(d("2099-12-25")));
    assert_eq!(cal.missing_years(d("2026-06-01")), Vec::<i32>::new());
    assert_eq!(cal.missing_years(d("2030-06-01")), vec![2031]);
    assert_eq!(cal.missing_years(d("2040-06-01")), vec![2040, 2041]);
    assert_eq!(
        Calendar::default().missing_years(d("2026-01-01")),
        vec![2026, 2027]
    );
}

#[test]
fn a_file_with_mistakes_names_each() {
    let text = r#"
first_year = 2025
last_year = 2025
published_to = 2025
holidays = [
  { date = "2025-01-01", name = "New Year’s Day" },
  { date = "2025-01-01", name = "Again" },
  { date = "2025-01-04", name = "A Saturday" },
  { date = "2026-01-01", name = "Next year" },
]
"#;
    let err = Calendar::from_toml(text).unwrap_err().to_string();
    for part in [
        "2025-01-01 is listed twice",
        "2025-01-04 (A Saturday) is a weekend",
        "2026-01-01 is outside the years the file covers (2025–2025)",
        "2025 has 2 bank holidays: every year has at least 8",
    ] {
        assert!(err.contains(part), "{part} in {err}");
    }
    let err = Calendar::from_toml("first_year = 2025")
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing field"), "{err}");
}

#[test]
fn months_later_clamp_to_the_month_end() {
    assert_eq!(calendar_months_later(d("2025-01-31"), 1), d("2025-02-28"));
    assert_eq!(calendar_months_later(d("2024-01-31"), 1), d("2024-02-29"));
    assert_eq!(calendar_months_later(d("2025-03-31"), 1), d("2025-04-30"));
    assert_eq!(calendar_months_later(d("2025-12-15"), 1), d("2026-01-15"));
}
