//! The running counts behind the statistics on challenges and questions. Each item counts for a
//! few figures (its kind; answered, on time, how many days it took; its outcome; while it is
//! open, the day its answer is due). A store keeps the sums of those figures for each project,
//! each organisation and the region, and changes them in the same transaction as the item:
//! taking away what the item counted for before and adding what it counts for after. So the
//! statistics read a few rows whatever the number of items, and the median stays exact (it comes
//! from the sums of days taken, a small histogram).
//!
//! The dashboard's timeliness chart reads answers by the day they were given ([`add_answers`]),
//! kept as the dashboard keeps its other figures: changes by day, summed up to the day shown.

use std::collections::BTreeMap;

use crate::challenge_stats::Tally;
use crate::challenges::{Kind, Outcome};
use crate::dashboard::{self, Line, Measure, REGION, Series, StoredSums, Unit};
use crate::{Date, ProjectId, Slug};

/// What the counts need to know about one item, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub kind: Kind,
    pub project: ProjectId,
    /// The organisation it was sent to.
    pub organisation: Slug,
    /// Received or acknowledged: not yet answered, closed or withdrawn.
    pub open: bool,
    /// The day (UTC) it arrived.
    pub received: Date,
    pub answer_by: Date,
    /// The day (UTC) it was answered.
    pub answered: Option<Date>,
    pub outcome: Option<Outcome>,
}

impl Facts {
    /// Answered on or before the day the answer was due.
    pub fn on_time(&self) -> bool {
        self.answered.is_some_and(|d| d <= self.answer_by)
    }

    /// Whole days from arriving to the answer (none before it is answered).
    pub fn days_to_answer(&self) -> Option<u32> {
        self.answered.map(|a| {
            let days = (a.inner() - self.received.inner()).whole_days();
            u32::try_from(days.max(0)).unwrap_or(u32::MAX)
        })
    }
}

/// The names of figures, as stored.
pub mod figure {
    use crate::Date;
    use crate::challenges::{Kind, Outcome};

    pub const ANSWERED: &str = "answered";
    pub const ON_TIME: &str = "on-time";
    pub const OUTCOME: &str = "outcome/";
    pub const DAYS: &str = "days/";
    pub const OPEN_UNTIL: &str = "open/";
    pub const RECEIVED: &str = "received/";

    pub fn received(kind: Kind) -> String {
        format!("{RECEIVED}{}", kind.slug())
    }
    pub fn outcome(o: Outcome) -> String {
        format!("{OUTCOME}{}", o.slug())
    }
    pub fn days(n: u32) -> String {
        format!("{DAYS}{n}")
    }
    /// Open, with its answer due on `day`.
    pub fn open_until(day: Date) -> String {
        format!("{OPEN_UNTIL}{day}")
    }
}

/// The figures one item counts for (each counts 1).
pub fn figures(f: &Facts) -> Vec<String> {
    let mut out = vec![figure::received(f.kind)];
    if let Some(days) = f.days_to_answer() {
        out.push(figure::ANSWERED.to_owned());
        out.push(figure::days(days));
        if f.on_time() {
            out.push(figure::ON_TIME.to_owned());
        }
    }
    if let Some(o) = f.outcome {
        out.push(figure::outcome(o));
    }
    if f.open {
        out.push(figure::open_until(f.answer_by));
    }
    out
}

/// Changes to the sums, by (organisation or "" for the region, project number or 0 for an
/// organisation's or the region's sums, figure). Zero changes are left out.
pub type Changes = BTreeMap<(String, u32, String), i64>;

/// The scopes an item counts in: its project, its organisation, the region.
fn scopes(f: &Facts) -> [(String, u32); 3] {
    let org = f.organisation.as_str().to_owned();
    [
        (org.clone(), f.project.number()),
        (org, 0),
        (REGION.to_owned(), 0),
    ]
}

/// Adds `sign` × what `f` counts for.
pub fn add(changes: &mut Changes, f: &Facts, sign: i64) {
    for (org, project) in scopes(f) {
        for fig in figures(f) {
            let key = (org.clone(), project, fig);
            let v = changes.entry(key.clone()).or_insert(0);
            *v += sign;
            if *v == 0 {
                changes.remove(&key);
            }
        }
    }
}

/// What a change to an item changes: what it counted for before goes, what it counts for after
/// comes (`None` for an item that did not or does not exist).
pub fn change(before: Option<&Facts>, after: Option<&Facts>) -> Changes {
    let mut changes = Changes::new();
    if let Some(b) = before {
        add(&mut changes, b, -1);
    }
    if let Some(a) = after {
        add(&mut changes, a, 1);
    }
    changes
}

/// The tally from one scope's sums (figure, sum), with what is still open past its answer's day
/// by `today` counted as overdue. Unknown figures are ignored.
pub fn tally(rows: impl IntoIterator<Item = (String, i64)>, today: Date) -> Tally {
    let mut t = Tally::default();
    let mut outcomes: BTreeMap<usize, u64> = BTreeMap::new();
    let mut days: BTreeMap<u32, u64> = BTreeMap::new();
    for (fig, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        if n == 0 {
            continue;
        }
        if fig == figure::ANSWERED {
            t.answered += n;
        } else if fig == figure::ON_TIME {
            t.answered_on_time += n;
        } else if let Some(kind) = fig.strip_prefix(figure::RECEIVED) {
            match kind.parse::<Kind>() {
                Ok(Kind::Challenge) => t.challenges += n,
                Ok(Kind::Question) => t.questions += n,
                Err(_) => {}
            }
        } else if let Some(o) = fig.strip_prefix(figure::OUTCOME) {
            if let Some(i) = Outcome::ALL.iter().position(|x| x.slug() == o) {
                *outcomes.entry(i).or_default() += n;
            }
        } else if let Some(d) = fig.strip_prefix(figure::DAYS) {
            if let Ok(d) = d.parse::<u32>() {
                *days.entry(d).or_default() += n;
            }
        } else if let Some(due) = fig.strip_prefix(figure::OPEN_UNTIL)
            && due.parse::<Date>().is_ok_and(|due| due < today)
        {
            t.overdue += n;
        }
    }
    t.outcomes = outcomes
        .into_iter()
        .map(|(i, n)| (Outcome::ALL[i], n))
        .collect();
    t.days_to_answer = days.into_iter().collect();
    t
}

/// A tally put in one order, to compare two made differently: outcomes summed per outcome and
/// days in order, none with a zero count.
pub fn normalised(t: &Tally) -> Tally {
    let mut outcomes: BTreeMap<usize, u64> = BTreeMap::new();
    for (o, n) in &t.outcomes {
        if let Some(i) = Outcome::ALL.iter().position(|x| x == o) {
            *outcomes.entry(i).or_default() += n;
        }
    }
    let mut days: BTreeMap<u32, u64> = BTreeMap::new();
    for (d, n) in &t.days_to_answer {
        *days.entry(*d).or_default() += n;
    }
    Tally {
        outcomes: outcomes
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(i, n)| (Outcome::ALL[i], n))
            .collect(),
        days_to_answer: days.into_iter().filter(|(_, n)| *n > 0).collect(),
        ..t.clone()
    }
}

/// The dashboard's names for answers given in a month and, of them, those on time.
pub mod metric {
    pub const ANSWERED: &str = "challenges/answered-this-month";
    pub const ON_TIME: &str = "challenges/answered-on-time-this-month";
}

/// Adds `sign` × the item's answer to the dashboard's changes, in its organisation and the
/// region: 1 from the day it was answered, taken back on the first day of the next month. Summed
/// up to any day, the figures are the answers given in that day's month so far.
pub fn add_answers(changes: &mut dashboard::Changes, f: &Facts, sign: i64) {
    let Some(day) = f.answered else { return };
    let next_month = Date::from_calendar(day.year(), day.inner().month() as u8, 1)
        .map(|first| first.add_months(1));
    let mut metrics = vec![metric::ANSWERED];
    if f.on_time() {
        metrics.push(metric::ON_TIME);
    }
    for scope in [REGION, f.organisation.as_str()] {
        for m in &metrics {
            bump(changes, scope, day, m, sign);
            if let Some(next) = next_month {
                bump(changes, scope, next, m, -sign);
            }
        }
    }
}

/// The dashboard's chart of answers on time. Each point is the month it ends in (up to the day
/// shown, for the last), not a running total.
pub fn timeliness_series() -> Series {
    Series {
        slug: "challenge-answers",
        title: "Answers to residents on time",
        about: "Residents ask us questions or challenge what we do. Of those we answered in a month, this is the share we answered in time. We leave a share out if it comes from few answers: less than 10 in all, or less than 10 late or in time.",
        unit: Unit::Percent,
        lines: vec![Line {
            key: "on-time".into(),
            label: "Answered in time".into(),
            measure: Measure::SafePercent {
                part: metric::ON_TIME.into(),
                whole: metric::ANSWERED.into(),
            },
        }],
    }
}

/// The dashboard's stored sums with the answers' added, months kept in order.
pub fn with_answers(mut sums: StoredSums, answers: StoredSums) -> StoredSums {
    sums.months.extend(answers.months);
    sums.months.sort_by(|a, b| a.0.cmp(&b.0));
    sums.days.extend(answers.days);
    sums
}

fn bump(changes: &mut dashboard::Changes, scope: &str, day: Date, metric: &str, by: i64) {
    let key = (scope.to_owned(), day, metric.to_owned());
    let v = changes.entry(key.clone()).or_insert(0);
    *v += by;
    if *v == 0 {
        changes.remove(&key);
    }
}

#[cfg(test)]
mod tests;
