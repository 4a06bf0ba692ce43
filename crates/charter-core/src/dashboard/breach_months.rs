//! Breaches told to the ICO on time, by month: of the breaches whose 72-hour deadline fell in a
//! month and that had to be told (not decided "no risk"), the share told within the 72 hours.
//! A breach not decided when its deadline passed counts as late, as in the charter check
//! ([`crate::breaches::DeadlineTally`]).
//!
//! Breaches are not in the published history, so their figures are kept apart: each change to a
//! breach adds +1 or −1 to a figure of its deadline's month, from the day of the change (never
//! before the deadline's day: until then nothing is known about being on time). A month's
//! figures on a day are the sum of its changes up to that day, so any past day reads as it was.
//! Counts only: nothing about the breach itself.

use super::{Figures, REGION, Timeline, month_of};
use crate::breaches::{Breach, Risk};
use crate::{Date, Timestamp};

/// Breaches whose deadline fell in the month and that had to be told to the ICO.
pub const DUE: &str = "breaches/due";
/// Of those, the ones told within 72 hours.
pub const ON_TIME: &str = "breaches/on-time";

/// The figures a breach counts for, as it stands.
fn counted(b: &Breach) -> Vec<&'static str> {
    if b.risk() == Some(Risk::NoRisk) {
        return Vec::new();
    }
    let deadline = b.deadline();
    let mut out = vec![DUE];
    if b.first_report().is_some_and(|r| r.at <= deadline) {
        out.push(ON_TIME);
    }
    out
}

/// One change to a month's sum: (scope, `YYYY-MM` of the deadline, the day it counts from,
/// metric, change).
pub type MonthChange = (String, String, Date, &'static str, i64);

/// What changing a breach from `before` (none when it is new) to `after`, at `at`, adds to the
/// sums of its organisation and the region.
pub fn breach_changes(before: Option<&Breach>, after: &Breach, at: &Timestamp) -> Vec<MonthChange> {
    let mut out: Vec<MonthChange> = Vec::new();
    let mut add = |b: &Breach, sign: i64| {
        let deadline = b.deadline().date();
        let from = at.date().max(deadline);
        for metric in counted(b) {
            for scope in [REGION, b.organisation.as_str()] {
                let key = (scope.to_owned(), month_of(deadline), from, metric);
                match out
                    .iter_mut()
                    .find(|c| (&c.0, &c.1, c.2, c.3) == (&key.0, &key.1, key.2, key.3))
                {
                    Some(c) => c.4 += sign,
                    None => out.push((key.0, key.1, key.2, key.3, sign)),
                }
            }
        }
    };
    if let Some(b) = before {
        add(b, -1);
    }
    add(after, 1);
    out.retain(|c| c.4 != 0);
    out
}

impl Timeline {
    /// The months whose breach figures the points show: each point's own month.
    pub fn months(&self) -> Vec<String> {
        let mut out: Vec<String> = self.points.iter().map(|(d, _)| month_of(*d)).collect();
        out.dedup();
        out
    }

    /// Adds each month's sums (`YYYY-MM`, metric, sum), as read up to the day shown, to the
    /// points in that month.
    pub fn add_month_figures(&mut self, sums: &[(String, String, i64)]) {
        for (day, figures) in &mut self.points {
            let month = month_of(*day);
            for (m, metric, by) in sums {
                if *m == month {
                    figures.add(metric, *by);
                }
            }
        }
    }
}

/// A month's figures read the slow way, from changes: for tests and recounts.
pub fn month_figures(changes: &[MonthChange], scope: &str, month: &str, on: Date) -> Figures {
    let mut f = Figures::default();
    for (s, m, from, metric, by) in changes {
        if s == scope && m == month && *from <= on {
            f.add(metric, *by);
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaches::{Cyber, Details, Step};

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn breach(aware: &str) -> Breach {
        let details = Details {
            title: "Letters sent to the wrong homes".into(),
            what_happened: "A list was sorted wrongly.".into(),
            cyber: Cyber::No,
            data_kinds: "Names and addresses".into(),
            people_kinds: "Tenants".into(),
            people_count: None,
            records_count: None,
            consequences: "Not known yet".into(),
            measures: "We asked for the letters back.".into(),
        };
        Breach::new("wirral".parse().unwrap(), t(aware), details, &t(aware)).unwrap()
    }

    /// Applies `step` at `at`, adding what it changes to `all`.
    fn step(all: &mut Vec<MonthChange>, b: Breach, s: Step, at: &str) -> Breach {
        let next = b.apply(&s, &t(at)).unwrap();
        all.extend(breach_changes(Some(&b), &next, &t(at)));
        next
    }

    fn report(at: &str) -> Step {
        Step::Report {
            at: t(at),
            reference: "IC-1".into(),
            note: String::new(),
            delay_reason: "Staff were away.".into(),
        }
    }

    #[test]
    fn a_breach_told_in_time_counts_from_its_deadline_in_the_deadlines_month() {
        let mut all = Vec::new();
        // Found on 30 March: the 72 hours end on 2 April.
        let b = breach("2027-03-30T10:00:00Z");
        all.extend(breach_changes(None, &b, &t("2027-03-30T10:00:00Z")));
        let b = step(&mut all, b, Step::Assess, "2027-03-30T11:00:00Z");
        let b = step(
            &mut all,
            b,
            Step::Decide {
                risk: Risk::Risk,
                reason: String::new(),
            },
            "2027-03-31T09:00:00Z",
        );
        step(
            &mut all,
            b,
            report("2027-04-01T09:00:00Z"),
            "2027-04-01T09:05:00Z",
        );
        let f = |on: &str| month_figures(&all, REGION, "2027-04", d(on));
        assert_eq!(
            (f("2027-04-01").get(DUE), f("2027-04-01").get(ON_TIME)),
            (0, 0)
        );
        assert_eq!(
            (f("2027-04-02").get(DUE), f("2027-04-02").get(ON_TIME)),
            (1, 1)
        );
        assert_eq!(
            month_figures(&all, REGION, "2027-03", d("2027-12-31")).get(DUE),
            0
        );
        assert_eq!(
            month_figures(&all, "wirral", "2027-04", d("2027-04-30")).get(ON_TIME),
            1
        );
    }

    #[test]
    fn a_late_report_or_a_late_decision_reads_late_then_as_decided() {
        let mut all = Vec::new();
        let b = breach("2027-05-10T10:00:00Z");
        all.extend(breach_changes(None, &b, &t("2027-05-10T10:00:00Z")));
        let b = step(&mut all, b, Step::Assess, "2027-05-10T11:00:00Z");
        // Undecided when the 72 hours end (13 May): counted, not on time.
        let f = |all: &[MonthChange], on: &str| {
            let f = month_figures(all, REGION, "2027-05", d(on));
            (f.get(DUE), f.get(ON_TIME))
        };
        assert_eq!(f(&all, "2027-05-12"), (0, 0));
        assert_eq!(f(&all, "2027-05-13"), (1, 0));
        // Decided "no risk" a week later: from that day it was never due.
        let b2 = step(
            &mut all,
            b.clone(),
            Step::Decide {
                risk: Risk::NoRisk,
                reason: "The file was locked.".into(),
            },
            "2027-05-20T09:00:00Z",
        );
        assert_eq!(b2.risk(), Some(Risk::NoRisk));
        assert_eq!(f(&all, "2027-05-19"), (1, 0));
        assert_eq!(f(&all, "2027-05-20"), (0, 0));
    }

    #[test]
    fn timeline_points_take_their_own_months_figures() {
        let mut t = Timeline {
            points: vec![
                (d("2027-03-31"), Figures::default()),
                (d("2027-04-30"), Figures::default()),
                (d("2027-05-12"), Figures::default()),
            ],
        };
        assert_eq!(t.months(), vec!["2027-03", "2027-04", "2027-05"]);
        t.add_month_figures(&[
            ("2027-04".into(), DUE.into(), 12),
            ("2027-04".into(), ON_TIME.into(), 9),
            ("2027-05".into(), DUE.into(), 3),
        ]);
        assert_eq!(t.points[0].1.get(DUE), 0);
        assert_eq!(
            (t.points[1].1.get(DUE), t.points[1].1.get(ON_TIME)),
            (12, 9)
        );
        assert_eq!(t.points[2].1.get(DUE), 3);
    }

    #[test]
    fn the_share_is_withheld_when_fewer_than_ten_breaches_were_due_on_time_or_late() {
        let m = super::super::Measure::SafePercent {
            part: ON_TIME.into(),
            whole: DUE.into(),
        };
        let mut f = Figures::default();
        assert_eq!(m.value(&f), None);
        f.add(DUE, 9);
        f.add(ON_TIME, 9);
        assert_eq!(m.value(&f), None);
        // Ten due, one late: the share would give the one late breach away.
        f.add(DUE, 1);
        assert_eq!(m.value(&f), None);
        f.add(DUE, 10);
        f.add(ON_TIME, 1);
        assert_eq!(m.value(&f), Some(50));
    }
}
