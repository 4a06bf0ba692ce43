//! The breach log's rules: the 72-hour deadline across clock changes, month ends and leap
//! years, and the state machine walked at random.

use proptest::prelude::*;
use time::OffsetDateTime;

use super::clock::{DEADLINE_HOURS, Due, due, span_words};
use super::london::{is_summer_time, uk_time, uk_words};
use super::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn details() -> Details {
    Details {
        title: "Letters sent to the wrong homes".into(),
        what_happened: "A mail merge put the wrong names on 40 letters.".into(),
        cyber: Cyber::No,
        data_kinds: "Names and addresses".into(),
        people_kinds: "Tenants".into(),
        people_count: Some(40),
        records_count: None,
        consequences: "People could see who lives where.".into(),
        measures: "We asked for the letters back.".into(),
    }
}

fn logged(aware: &str) -> Breach {
    Breach::new(
        "knowsley-council".parse().unwrap(),
        ts(aware),
        details(),
        &ts("2030-01-01T00:00:00Z"),
    )
    .unwrap()
}

fn fields(r: Result<Breach, Vec<Problem>>) -> Vec<&'static str> {
    r.unwrap_err().into_iter().map(|p| p.field).collect()
}

#[test]
fn deadlines_across_clock_changes_month_ends_and_leap_years() {
    for (aware, deadline, shown) in [
        // Leap year: 29 February counts.
        (
            "2024-02-27T10:00:00Z",
            "2024-03-01T10:00:00Z",
            "10:00am on Friday 1 March 2024",
        ),
        (
            "2023-02-27T10:00:00Z",
            "2023-03-02T10:00:00Z",
            "10:00am on Thursday 2 March 2023",
        ),
        // Year end.
        (
            "2026-12-30T12:00:00Z",
            "2027-01-02T12:00:00Z",
            "12:00pm on Saturday 2 January 2027",
        ),
        // Clocks go forward on 29 March 2026: 72 real hours read as 73 on the clock.
        (
            "2026-03-27T09:00:00Z",
            "2026-03-30T09:00:00Z",
            "10:00am on Monday 30 March 2026",
        ),
        // Clocks go back on 25 October 2026: 72 real hours read as 71 on the clock.
        (
            "2026-10-23T09:00:00Z",
            "2026-10-26T09:00:00Z",
            "9:00am on Monday 26 October 2026",
        ),
    ] {
        let b = logged(aware);
        assert_eq!(b.deadline().as_str(), deadline, "{aware}");
        assert_eq!(uk_words(&b.deadline()), shown, "{aware}");
    }
    assert_eq!(
        uk_words(&ts("2026-10-23T09:00:00Z")),
        "10:00am on Friday 23 October 2026"
    );
}

#[test]
fn time_left_in_words() {
    assert_eq!(span_words(72 * 3600), "3 days 0 hours");
    assert_eq!(span_words(3600 + 60), "1 hour 1 minute");
    assert_eq!(span_words(59), "0 minutes");
    let b = logged("2026-06-01T12:00:00Z");
    assert_eq!(
        clock::due_words(due(&b, &ts("2026-06-03T10:30:00Z"))),
        "1 day 1 hour left"
    );
    assert_eq!(
        clock::due_words(due(&b, &ts("2026-06-04T15:10:00Z"))),
        "Late by 3 hours 10 minutes"
    );
}

#[test]
fn bad_input_names_the_field() {
    let now = ts("2026-06-01T12:00:00Z");
    let org: Slug = "knowsley-council".parse().unwrap();
    // Awareness in the future.
    let future = Breach::new(org.clone(), ts("2026-06-02T12:00:00Z"), details(), &now);
    assert_eq!(fields(future), ["aware"]);
    let mut empty = details();
    empty.title = " ".into();
    empty.measures = String::new();
    assert_eq!(
        fields(Breach::new(org, ts("2026-06-01T10:00:00Z"), empty, &now)),
        ["title", "measures"]
    );

    let b = logged("2026-06-01T10:00:00Z")
        .apply(&Step::Assess, &now)
        .unwrap();
    // No risk without a reason.
    let no_reason = Step::Decide {
        risk: Risk::NoRisk,
        reason: "  ".into(),
    };
    assert_eq!(fields(b.apply(&no_reason, &now)), ["reason"]);
    // Closing before deciding.
    assert_eq!(
        fields(b.apply(
            &Step::Close {
                summary: "Done".into()
            },
            &now
        )),
        [""]
    );
    let decided = b
        .apply(
            &Step::Decide {
                risk: Risk::HighRisk,
                reason: String::new(),
            },
            &now,
        )
        .unwrap();
    // A report before awareness; a late report without a reason.
    let report = |at: &str, delay: &str| Step::Report {
        at: ts(at),
        reference: "IC-123".into(),
        note: String::new(),
        delay_reason: delay.into(),
    };
    let later = ts("2026-06-10T00:00:00Z");
    assert_eq!(
        fields(decided.apply(&report("2026-06-01T09:00:00Z", ""), &later)),
        ["reported"]
    );
    assert_eq!(
        fields(decided.apply(&report("2026-06-05T09:00:00Z", ""), &later)),
        ["delay_reason"]
    );
    let late = decided
        .apply(
            &report("2026-06-05T09:00:00Z", "Waited for the supplier"),
            &later,
        )
        .unwrap();
    assert_eq!(due(&late, &later), Due::Missed);
    // High risk: people told or an exemption before closing; no personal data in the summary.
    let close = |s: &str| Step::Close { summary: s.into() };
    assert_eq!(
        fields(late.apply(&close("Letters went astray."), &later)),
        ["summary"]
    );
    let told = late
        .apply(
            &Step::People {
                told_at: None,
                exemption: Some(Exemption::PublicNotice),
            },
            &later,
        )
        .unwrap();
    assert_eq!(
        fields(told.apply(&close("Ring 0151 123456 or write to a@b.org"), &later)),
        ["summary"]
    );
    let closed = told.apply(&close("Letters went astray."), &later).unwrap();
    // The charter check counts the late report against the organisation.
    let check = DeadlineCheck::of(DeadlineTally::of([&closed], &later));
    assert_eq!(
        (check.outcome, check.tally.missed),
        (crate::check::Outcome::NotMet, 1)
    );
    assert!(check.advice.unwrap().contains("1 of 1 were late"));
    let none = DeadlineCheck::of(DeadlineTally::of([&b], &now));
    assert_eq!(none.outcome, crate::check::Outcome::NotApplicable);
    let public = closed.public(7, &later).unwrap();
    assert_eq!(
        (public.found.as_str(), public.on_time, public.ico_told),
        ("June 2026", Some(false), true)
    );
}

/// A random step, with times around the breach's own.
fn step() -> impl Strategy<Value = Step> {
    let at =
        (0i64..200).prop_map(|h| ts("2026-03-27T09:00:00Z").plus_seconds(h * 3600 - 24 * 3600));
    let text = prop_oneof![Just(String::new()), Just("Because".to_owned())];
    prop_oneof![
        Just(Step::Assess),
        (0usize..3, text.clone()).prop_map(|(r, reason)| Step::Decide {
            risk: Risk::ALL[r],
            reason
        }),
        (at.clone(), text.clone(), text.clone(), text.clone()).prop_map(
            |(at, reference, note, delay_reason)| Step::Report {
                at,
                reference,
                note,
                delay_reason
            }
        ),
        (proptest::option::of(at), proptest::option::of(0usize..3)).prop_map(|(t, e)| {
            Step::People {
                told_at: t,
                exemption: e.map(|i| Exemption::ALL[i]),
            }
        }),
        text.prop_map(|summary| Step::Close { summary }),
    ]
}

fn allowed_move(from: State, to: State) -> bool {
    use State::*;
    matches!(
        (from, to),
        (Detected, Assessing)
            | (Assessing, Assessing | NotReportable | Reported)
            | (Reported, Reported | Closed)
            | (NotReportable, Closed)
    )
}

proptest! {
    /// Whatever is tried in whatever order, a breach moves only along the allowed paths, and
    /// what each state promises holds: nothing is closed or reported without a decision, no
    /// late first report lacks its reason.
    #[test]
    fn the_state_machine_never_skips_the_decision(steps in proptest::collection::vec(step(), 0..25)) {
        let mut b = logged("2026-03-27T09:00:00Z");
        let mut now = ts("2026-03-27T10:00:00Z");
        for s in &steps {
            now = now.plus_seconds(3 * 3600);
            match b.apply(s, &now) {
                Ok(next) => {
                    prop_assert!(
                        allowed_move(b.state, next.state) || (b.state == next.state && matches!(s, Step::People { .. })),
                        "{:?} to {:?} by {:?}", b.state, next.state, s
                    );
                    b = next;
                }
                Err(problems) => prop_assert!(!problems.is_empty()),
            }
            match b.state {
                State::Detected => prop_assert!(b.decision.is_none()),
                State::Assessing => prop_assert!(b.reports.is_empty()),
                State::NotReportable => {
                    let d = b.decision.as_ref().unwrap();
                    prop_assert_eq!(d.risk, Risk::NoRisk);
                    prop_assert!(!d.reason.is_empty());
                }
                State::Reported => prop_assert!(b.risk().is_some_and(|r| r != Risk::NoRisk)),
                State::Closed => {
                    prop_assert!(b.decision.is_some());
                    prop_assert!(b.summary.as_deref().is_some_and(|s| !s.is_empty()));
                    if b.risk() == Some(Risk::HighRisk) {
                        prop_assert!(b.people_told_at.is_some() || b.exemption.is_some());
                    }
                }
            }
            if let Some(first) = b.first_report() {
                prop_assert!(first.at >= b.aware_at && first.at <= now);
                if first.at > b.deadline() {
                    prop_assert!(b.delay_reason.as_deref().is_some_and(|r| !r.is_empty()));
                }
            }
        }
    }

    /// The deadline is 72 real hours later whatever the date; a UK clock shows 71, 72 or 73
    /// hours more, by the clock changes in between.
    #[test]
    fn the_deadline_is_72_real_hours(secs in 820_454_400i64..4_102_444_800) {
        let aware = Timestamp::from_datetime(OffsetDateTime::from_unix_timestamp(secs).unwrap());
        let deadline = deadline(&aware);
        prop_assert_eq!((deadline.datetime() - aware.datetime()).whole_seconds(), DEADLINE_HOURS * 3600);
        let (a, d) = (uk_time(&aware), uk_time(&deadline));
        let wall = |t: OffsetDateTime| t.replace_offset(time::UtcOffset::UTC).unix_timestamp();
        let on_the_clock = (wall(d) - wall(a)) / 3600;
        let forward = !is_summer_time(aware.datetime()) && is_summer_time(deadline.datetime());
        let back = is_summer_time(aware.datetime()) && !is_summer_time(deadline.datetime());
        prop_assert_eq!(on_the_clock, 72 + i64::from(forward) - i64::from(back));
        // Time left and time gone always add up to 72 hours while the clock runs.
        let b = Breach { aware_at: aware.clone(), ..logged("2026-01-01T00:00:00Z") };
        let now = aware.plus_seconds(secs % (DEADLINE_HOURS * 3600));
        match due(&b, &now) {
            Due::Open { seconds_left } => prop_assert_eq!(seconds_left + secs % (DEADLINE_HOURS * 3600), DEADLINE_HOURS * 3600),
            other => prop_assert!(false, "{:?}", other),
        }
    }
}
