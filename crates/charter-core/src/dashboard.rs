//! The dashboard: how the register's figures change over time, worked out from its published
//! history alone.
//!
//! Each published version of an entry counts towards a few figures (its status, whether it uses
//! AI, each principle met, anything overdue) from the day it is published until the day its next
//! version replaces it. A rule that reads the date can change what an unchanged version counts
//! for (a review falls due): those days come from [`check::turning_points`]. So publishing a
//! version is a list of changes, "+1 to this figure from this day, −1 to that one", and a figure
//! on any day is the sum of its changes up to that day. Stores keep those sums by month and by day
//! ([`changes_for_version`] gives what to add); [`Timeline`] turns them back into figures.
//!
//! A chart is one [`Series`] in the list [`series`] returns: a title, its lines and how each
//! line's value is read from the figures.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::charter::Charter;
use crate::check::{self, Outcome, PrincipleStatus, Scorecard};
use crate::picklists::Status;
use crate::{Date, Project};

pub mod breach_months;

/// The scope of figures for the whole region; an organisation's figures use its short name.
pub const REGION: &str = "";

/// The names of figures, as stored.
pub mod metric {
    use crate::picklists::Status;

    pub const PROJECTS: &str = "projects";
    pub const USES_AI: &str = "uses-ai";
    pub const OUTCOME_REPORT_OVERDUE: &str = "overdue/outcome-report";
    pub const REVIEW_OVERDUE: &str = "overdue/review";
    pub const DECLARATION_OUT_OF_DATE: &str = "overdue/declaration";

    pub fn status(s: Status) -> String {
        format!("status/{}", s.slug())
    }
    pub fn principle_met(key: &str) -> String {
        format!("principle/{key}/met")
    }
    pub fn principle_applies(key: &str) -> String {
        format!("principle/{key}/applies")
    }
}

/// The figures one version counts for (each counts 1), given its check on that day.
fn counted(p: &Project, card: &Scorecard) -> Vec<String> {
    let mut out = vec![metric::PROJECTS.to_owned(), metric::status(p.status)];
    if p.uses_ai {
        out.push(metric::USES_AI.to_owned());
    }
    for pr in &card.principles {
        if pr.status != PrincipleStatus::NotApplicable {
            out.push(metric::principle_applies(&pr.key));
        }
        if pr.status == PrincipleStatus::Met {
            out.push(metric::principle_met(&pr.key));
        }
    }
    let not_met = |id: &str| {
        card.principles
            .iter()
            .flat_map(|pr| &pr.rules)
            .any(|r| r.rule == id && r.outcome == Outcome::NotMet)
    };
    // Only what has a date that passed: a missing review date or declaration is not "overdue".
    if not_met("outcome-report") {
        out.push(metric::OUTCOME_REPORT_OVERDUE.to_owned());
    }
    if not_met("review-date") && p.next_review_date.is_some() {
        out.push(metric::REVIEW_OVERDUE.to_owned());
    }
    if not_met("declaration") && p.declaration.is_some() {
        out.push(metric::DECLARATION_OUT_OF_DATE.to_owned());
    }
    out
}

/// What a version counts for from `from` on: the figures on `from`, then on each later day
/// they change. The last step lasts for ever.
pub fn steps(p: &Project, charter: &Charter, from: Date) -> Vec<(Date, Vec<String>)> {
    let mut days = vec![from];
    days.extend(
        check::turning_points(p, charter)
            .into_iter()
            .filter(|d| *d > from),
    );
    let cards = check::check_on_days(p, charter, &days);
    let mut out: Vec<(Date, Vec<String>)> = Vec::new();
    for (day, card) in days.into_iter().zip(&cards) {
        let figures = counted(p, card);
        if out.last().is_none_or(|(_, last)| *last != figures) {
            out.push((day, figures));
        }
    }
    out
}

/// Changes to figures, by (scope, day, metric). Zero changes are left out.
pub type Changes = BTreeMap<(String, Date, String), i64>;

fn add(changes: &mut Changes, scope: &str, day: Date, metric: &str, by: i64) {
    let key = (scope.to_owned(), day, metric.to_owned());
    let v = changes.entry(key.clone()).or_insert(0);
    *v += by;
    if *v == 0 {
        changes.remove(&key);
    }
}

/// Adds `sign` × what the steps count for, in the version's organisation and the region.
fn add_steps(changes: &mut Changes, org: &str, steps: &[(Date, Vec<String>)], sign: i64) {
    let mut before: &[String] = &[];
    for (day, figures) in steps {
        for scope in [REGION, org] {
            for m in figures {
                add(changes, scope, *day, m, sign);
            }
            for m in before {
                add(changes, scope, *day, m, -sign);
            }
        }
        before = figures;
    }
}

/// What publishing `after` on `day` changes, when it replaces `before` (`None` for a new entry).
pub fn changes_for_version(
    changes: &mut Changes,
    charter: &Charter,
    before: Option<&Project>,
    after: &Project,
    day: Date,
) {
    if let Some(b) = before {
        add_steps(
            changes,
            b.organisation.as_str(),
            &steps(b, charter, day),
            -1,
        );
    }
    add_steps(
        changes,
        after.organisation.as_str(),
        &steps(after, charter, day),
        1,
    );
}

/// `YYYY-MM` of a date: the key of its month's sums.
pub fn month_of(day: Date) -> String {
    day.to_string()[..7].to_owned()
}

/// The last day of a `YYYY-MM` month.
fn month_end(month: &str) -> Option<Date> {
    let first: Date = format!("{month}-01").parse().ok()?;
    Some(first.add_months(1).add_days(-1))
}

/// Sums of changes as a store keeps them for one scope: by month for every month before `on`'s,
/// and by day for `on`'s month up to `on`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredSums {
    /// (`YYYY-MM`, metric, sum), months in order.
    pub months: Vec<(String, String, i64)>,
    /// (day, metric, sum), days in order.
    pub days: Vec<(Date, String, i64)>,
}

/// The figures on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures(BTreeMap<String, i64>);

impl Figures {
    pub fn get(&self, metric: &str) -> i64 {
        self.0.get(metric).copied().unwrap_or(0)
    }
    fn add(&mut self, metric: &str, by: i64) {
        *self.0.entry(metric.to_owned()).or_insert(0) += by;
    }
}

/// Most points a chart shows: beyond that, points are further apart.
const MOST_POINTS: usize = 13;

/// The figures at the end of months chosen to spread over the whole history, and on `on`.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub points: Vec<(Date, Figures)>,
}

impl Timeline {
    pub fn new(sums: &StoredSums, on: Date) -> Timeline {
        let mut points = Vec::new();
        let mut running = Figures::default();
        let mut rows = sums.months.iter().peekable();
        if let Some((first, _, _)) = sums.months.first() {
            let mut month = first.clone();
            let last = month_of(on);
            while month < last {
                while let Some((_, m, by)) = rows.next_if(|(mm, _, _)| *mm == month) {
                    running.add(m, *by);
                }
                let Some(end) = month_end(&month) else { break };
                points.push((end, running.clone()));
                month = month_of(end.add_days(1));
            }
        }
        // Months between points: the fewest that keep the chart to MOST_POINTS, counted back
        // from `on` so the newest points are evenly spaced.
        let n = points.len();
        let gap = [1usize, 3, 6, 12, 24, 60, 120]
            .into_iter()
            .find(|g| n.div_ceil(*g) < MOST_POINTS)
            .unwrap_or(240);
        let mut points: Vec<(Date, Figures)> = points
            .into_iter()
            .enumerate()
            .filter(|(i, _)| (n - 1 - i) % gap == 0)
            .map(|(_, p)| p)
            .collect();
        for (_, m, by) in &sums.days {
            running.add(m, *by);
        }
        points.push((on, running));
        Timeline { points }
    }

    /// The figures on the last day shown.
    pub fn last(&self) -> Option<&Figures> {
        self.points.last().map(|(_, f)| f)
    }
}

/// How a line's value is read from the figures.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    Count(String),
    /// `part` as a whole percent of `whole`; none when `whole` is 0.
    Percent {
        part: String,
        whole: String,
    },
    /// As `Percent`, but left out when a count behind it (the whole, the part or the rest) is
    /// from 1 to 9 (`small_numbers::share_percent`): for counts that could point to a person.
    SafePercent {
        part: String,
        whole: String,
    },
}

impl Measure {
    pub fn value(&self, f: &Figures) -> Option<i64> {
        match self {
            Measure::Count(m) => Some(f.get(m)),
            Measure::Percent { part, whole } => {
                let (p, w) = (f.get(part), f.get(whole));
                (w > 0).then(|| (p * 100 + w / 2) / w)
            }
            Measure::SafePercent { part, whole } => {
                let count = |m: &str| u64::try_from(f.get(m)).unwrap_or(0);
                crate::small_numbers::share_percent(count(part), count(whole))
                    .and_then(|v| i64::try_from(v).ok())
            }
        }
    }
}

/// One line of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Its column name in downloads and its key in the API.
    pub key: String,
    pub label: String,
    pub measure: Measure,
}

/// What a chart's numbers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    Entries,
    Percent,
}

/// One chart: its lines, and the words around it.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its address part and file name: `/dashboard/{slug}.csv`.
    pub slug: &'static str,
    pub title: &'static str,
    /// What it shows, in a sentence or two.
    pub about: &'static str,
    pub unit: Unit,
    pub lines: Vec<Line>,
}

/// Every chart, in the order shown. A new chart is one more entry here, reading figures its area
/// adds to what each published version counts for.
pub fn series(charter: &Charter) -> Vec<Series> {
    let count = |key: &str, label: &str, m: &str| Line {
        key: key.to_owned(),
        label: label.to_owned(),
        measure: Measure::Count(m.to_owned()),
    };
    vec![
        Series {
            slug: "status",
            title: "Entries by stage",
            about: "How many entries there were at each stage, from planned to retired.",
            unit: Unit::Entries,
            lines: Status::ALL
                .iter()
                .map(|s| count(s.slug(), s.label(), &metric::status(*s)))
                .collect(),
        },
        Series {
            slug: "ai",
            title: "Share of entries that use AI",
            about: "Out of every entry, the share that uses AI.",
            unit: Unit::Percent,
            lines: vec![Line {
                key: "uses-ai".into(),
                label: "Use AI".into(),
                measure: Measure::Percent {
                    part: metric::USES_AI.into(),
                    whole: metric::PROJECTS.into(),
                },
            }],
        },
        Series {
            slug: "principles",
            title: "Principles met",
            about: "For each principle, the share of entries that meet it in full. We only count the entries it applies to.",
            unit: Unit::Percent,
            lines: charter
                .principles
                .iter()
                .map(|p| Line {
                    key: p.key.clone(),
                    label: format!("{}. {}", p.number, p.name),
                    measure: Measure::Percent {
                        part: metric::principle_met(&p.key),
                        whole: metric::principle_applies(&p.key),
                    },
                })
                .collect(),
        },
        Series {
            slug: "overdue",
            title: "Overdue",
            about: "Entries with a report or review that is late, or a signed promise that is too old.",
            unit: Unit::Entries,
            lines: vec![
                count(
                    "outcome-report",
                    "Report on results late",
                    metric::OUTCOME_REPORT_OVERDUE,
                ),
                count("review", "Review late", metric::REVIEW_OVERDUE),
                count(
                    "declaration",
                    "Signed promise too old",
                    metric::DECLARATION_OUT_OF_DATE,
                ),
            ],
        },
        Series {
            slug: "breaches",
            title: "Breaches told to the ICO on time",
            about: "Of the breaches that had to be told to the ICO, the share told within 72 hours. Each row is the month the 72 hours ended in. We leave out a month if fewer than 10 were on time, or fewer than 10 were late.",
            unit: Unit::Percent,
            lines: vec![Line {
                key: "on-time".into(),
                label: "Told on time".into(),
                measure: Measure::SafePercent {
                    part: breach_months::ON_TIME.into(),
                    whole: breach_months::DUE.into(),
                },
            }],
        },
        crate::challenge_counts::timeliness_series(),
    ]
}

/// A chart's values: one row per day shown, one value per line.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SeriesValues {
    pub slug: String,
    pub title: String,
    pub about: String,
    pub unit: Unit,
    /// The lines, in order: `key` (a column name) and `label`.
    pub lines: Vec<SeriesLine>,
    pub rows: Vec<SeriesRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SeriesLine {
    pub key: String,
    pub label: String,
}

/// The values of every line on one day; none where a share has nothing to be a share of.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SeriesRow {
    pub date: Date,
    pub values: Vec<Option<i64>>,
}

impl Series {
    pub fn values(&self, timeline: &Timeline) -> SeriesValues {
        SeriesValues {
            slug: self.slug.to_owned(),
            title: self.title.to_owned(),
            about: self.about.to_owned(),
            unit: self.unit,
            lines: self
                .lines
                .iter()
                .map(|l| SeriesLine {
                    key: l.key.clone(),
                    label: l.label.clone(),
                })
                .collect(),
            rows: timeline
                .points
                .iter()
                .map(|(date, f)| SeriesRow {
                    date: *date,
                    values: self.lines.iter().map(|l| l.measure.value(f)).collect(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picklists::Status;
    use crate::sample::minimal_project;

    fn charter() -> Charter {
        Charter::from_toml(include_str!("../../../charter/charter.toml")).unwrap()
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// The figures on `on` from changes alone, summed the slow way.
    fn on(changes: &Changes, scope: &str, day: &str) -> Figures {
        let mut f = Figures::default();
        for ((s, when, m), by) in changes {
            if s == scope && *when <= d(day) {
                f.add(m, *by);
            }
        }
        f
    }

    fn project(n: u32, org: &str) -> Project {
        minimal_project(
            n,
            org.parse().unwrap(),
            "Bin rounds".parse().unwrap(),
            "We plan bin rounds.",
        )
    }

    #[test]
    fn a_fixed_history_gives_known_counts_on_given_days() {
        let c = charter();
        let mut changes = Changes::new();
        let mut a = project(1, "wirral");
        a.status = Status::Planned;
        a.next_review_date = Some(d("2021-06-30"));
        changes_for_version(&mut changes, &c, None, &a, d("2020-01-10"));
        let mut b = project(2, "sefton");
        b.status = Status::Pilot;
        b.uses_ai = true;
        changes_for_version(&mut changes, &c, None, &b, d("2020-03-01"));
        // A moves on to being used, and now uses AI.
        let mut a2 = a.clone();
        a2.status = Status::InUse;
        a2.uses_ai = true;
        changes_for_version(&mut changes, &c, Some(&a), &a2, d("2021-01-05"));

        let before = on(&changes, REGION, "2020-01-09");
        assert_eq!(before.get(metric::PROJECTS), 0);

        let jan = on(&changes, REGION, "2020-01-10");
        assert_eq!(jan.get(metric::PROJECTS), 1);
        assert_eq!(jan.get(&metric::status(Status::Planned)), 1);
        assert_eq!(jan.get(metric::USES_AI), 0);

        let mid = on(&changes, REGION, "2020-12-31");
        assert_eq!(mid.get(metric::PROJECTS), 2);
        assert_eq!(mid.get(&metric::status(Status::Planned)), 1);
        assert_eq!(mid.get(&metric::status(Status::Pilot)), 1);
        assert_eq!(mid.get(metric::USES_AI), 1);
        assert_eq!(mid.get(metric::REVIEW_OVERDUE), 0);

        let later = on(&changes, REGION, "2021-02-01");
        assert_eq!(later.get(metric::PROJECTS), 2);
        assert_eq!(later.get(&metric::status(Status::Planned)), 0);
        assert_eq!(later.get(&metric::status(Status::InUse)), 1);
        assert_eq!(later.get(metric::USES_AI), 2);

        // The review date passes with no new version: it is overdue from the day after.
        assert_eq!(
            on(&changes, REGION, "2021-06-30").get(metric::REVIEW_OVERDUE),
            0
        );
        assert_eq!(
            on(&changes, REGION, "2021-07-01").get(metric::REVIEW_OVERDUE),
            1
        );
        // Each organisation's figures hold its own entries only.
        let wirral = on(&changes, "wirral", "2021-07-01");
        assert_eq!(wirral.get(metric::PROJECTS), 1);
        assert_eq!(wirral.get(metric::REVIEW_OVERDUE), 1);
        assert_eq!(
            on(&changes, "sefton", "2021-07-01").get(metric::PROJECTS),
            1
        );
    }

    #[test]
    fn a_new_version_takes_back_what_the_old_one_would_have_counted_later() {
        let c = charter();
        let mut changes = Changes::new();
        let mut a = project(1, "wirral");
        a.next_review_date = Some(d("2021-06-30"));
        changes_for_version(&mut changes, &c, None, &a, d("2020-01-10"));
        // Reviewed in time: the new date is a year on, so nothing falls overdue in 2021.
        let mut a2 = a.clone();
        a2.next_review_date = Some(d("2022-06-30"));
        changes_for_version(&mut changes, &c, Some(&a), &a2, d("2021-06-01"));
        assert_eq!(
            on(&changes, REGION, "2021-12-31").get(metric::REVIEW_OVERDUE),
            0
        );
        assert_eq!(
            on(&changes, REGION, "2022-07-01").get(metric::REVIEW_OVERDUE),
            1
        );
        // A version that changes nothing the figures read leaves no changes behind.
        let mut same = Changes::new();
        changes_for_version(&mut same, &c, Some(&a2), &a2.clone(), d("2021-08-01"));
        assert!(same.is_empty(), "{same:?}");
    }

    #[test]
    fn moving_to_another_organisation_moves_the_count() {
        let c = charter();
        let mut changes = Changes::new();
        let a = project(1, "wirral");
        changes_for_version(&mut changes, &c, None, &a, d("2020-01-10"));
        let mut moved = a.clone();
        moved.organisation = "sefton".parse().unwrap();
        changes_for_version(&mut changes, &c, Some(&a), &moved, d("2020-02-10"));
        let f = |scope| on(&changes, scope, "2020-03-01").get(metric::PROJECTS);
        assert_eq!((f(REGION), f("wirral"), f("sefton")), (1, 0, 1));
    }

    /// Sums by month and by day, as a store keeps them.
    fn stored(changes: &Changes, scope: &str, day: Date) -> StoredSums {
        let mut months: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut days = Vec::new();
        for ((s, when, m), by) in changes {
            if s != scope {
                continue;
            }
            if month_of(*when) < month_of(day) {
                *months.entry((month_of(*when), m.clone())).or_default() += by;
            } else if *when <= day {
                days.push((*when, m.clone(), *by));
            }
        }
        StoredSums {
            months: months.into_iter().map(|((a, b), c)| (a, b, c)).collect(),
            days,
        }
    }

    #[test]
    fn the_timeline_matches_the_sums_on_every_point_and_ends_on_the_day_asked() {
        let c = charter();
        let mut changes = Changes::new();
        let mut prev: Option<Project> = None;
        // One entry changing stage every few months over six years.
        let mut day = d("2018-01-15");
        for i in 0..30 {
            let mut p = project(1, "wirral");
            p.status = Status::ALL[i % Status::ALL.len()];
            p.uses_ai = i % 3 == 0;
            changes_for_version(&mut changes, &c, prev.as_ref(), &p, day);
            prev = Some(p);
            day = day.add_months(2).add_days(3);
        }
        let today = d("2024-03-20");
        let t = Timeline::new(&stored(&changes, REGION, today), today);
        assert!(t.points.len() <= MOST_POINTS, "{}", t.points.len());
        assert_eq!(t.points.last().unwrap().0, today);
        for (when, figures) in &t.points {
            let expect = on(&changes, REGION, &when.to_string());
            for m in [metric::PROJECTS, metric::USES_AI] {
                assert_eq!(figures.get(m), expect.get(m), "{m} on {when}");
            }
            for s in Status::ALL {
                let m = metric::status(*s);
                assert_eq!(figures.get(&m), expect.get(&m), "{m} on {when}");
            }
        }
        // Points before the last are month ends, in order, evenly spaced.
        let dates: Vec<Date> = t.points.iter().map(|(d, _)| *d).collect();
        assert!(dates.windows(2).all(|w| w[0] < w[1]));
        assert!(
            dates[..dates.len() - 1]
                .iter()
                .all(|d| d.add_days(1).inner().day() == 1)
        );
    }

    #[test]
    fn with_no_history_the_one_point_is_the_day_asked() {
        let t = Timeline::new(&StoredSums::default(), d("2026-01-01"));
        assert_eq!(t.points.len(), 1);
        let s = &series(&charter())[1];
        let v = s.values(&t);
        assert_eq!(v.rows[0].values, vec![None]);
    }

    #[test]
    fn shares_round_to_whole_percent_and_have_no_value_without_entries() {
        let mut f = Figures::default();
        let m = Measure::Percent {
            part: "a".into(),
            whole: "b".into(),
        };
        assert_eq!(m.value(&f), None);
        f.add("a", 1);
        f.add("b", 3);
        assert_eq!(m.value(&f), Some(33));
        f.add("a", 1);
        assert_eq!(m.value(&f), Some(67));
    }
}
