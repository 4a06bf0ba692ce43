//! The 72-hour clock of Article 33: counted in real hours between UTC moments, so a clock change
//! in between moves the hands, not the deadline. UK time is only for showing it ([`super::london`]).

use serde::Serialize;
use utoipa::ToSchema;

use super::{Breach, Risk};
use crate::Timestamp;
use crate::check::Outcome;

/// Hours from becoming aware of a breach to telling the ICO.
pub const DEADLINE_HOURS: i64 = 72;

/// The moment the ICO must be told by, for a breach known from `aware_at`.
pub fn deadline(aware_at: &Timestamp) -> Timestamp {
    aware_at.plus_seconds(DEADLINE_HOURS * 3600)
}

/// Where a breach stands against its deadline at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Not told yet, with this many seconds left.
    Open { seconds_left: i64 },
    /// Not told yet, and the deadline passed this many seconds ago.
    Overdue { seconds_late: i64 },
    /// The ICO was told in time.
    Met,
    /// The ICO was told, late.
    Missed,
    /// No risk to people: the ICO need not be told.
    NotNeeded,
}

impl Due {
    /// The deadline passed without the ICO being told in time.
    pub fn missed(self) -> bool {
        matches!(self, Due::Missed | Due::Overdue { .. })
    }
}

/// Where `breach` stands against its deadline at `now`.
pub fn due(breach: &Breach, now: &Timestamp) -> Due {
    let deadline = breach.deadline();
    if let Some(first) = breach.first_report() {
        return if first.at <= deadline {
            Due::Met
        } else {
            Due::Missed
        };
    }
    if breach.risk() == Some(Risk::NoRisk) {
        return Due::NotNeeded;
    }
    let left = deadline.datetime() - now.datetime();
    let seconds = left.whole_seconds();
    if seconds >= 0 {
        Due::Open {
            seconds_left: seconds,
        }
    } else {
        Due::Overdue {
            seconds_late: -seconds,
        }
    }
}

/// A span of time in words: "2 days 5 hours", "3 hours 10 minutes", "4 minutes".
pub fn span_words(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let unit = |n: i64, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    match (days, hours) {
        (0, 0) => unit(mins, "minute"),
        (0, h) => format!("{} {}", unit(h, "hour"), unit(mins, "minute")),
        (d, h) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

/// What a list says about the deadline: "2 days 5 hours left", "Late by 3 hours 10 minutes",
/// "Told in time".
pub fn due_words(due: Due) -> String {
    match due {
        Due::Open { seconds_left } => format!("{} left", span_words(seconds_left)),
        Due::Overdue { seconds_late } => format!("Late by {}", span_words(seconds_late)),
        Due::Met => "ICO told in time".into(),
        Due::Missed => "ICO told late".into(),
        Due::NotNeeded => "No need to tell the ICO".into(),
    }
}

/// Breaches that had to be reported, and how many were on time: the charter check's count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeadlineTally {
    /// The ICO was told within 72 hours.
    pub met: u64,
    /// Told late, or not told and the 72 hours have passed.
    pub missed: u64,
    /// Not told yet, with time left.
    pub open: u64,
}

impl DeadlineTally {
    pub fn of<'a>(breaches: impl IntoIterator<Item = &'a Breach>, now: &Timestamp) -> Self {
        let mut t = DeadlineTally::default();
        for b in breaches {
            match due(b, now) {
                Due::Met => t.met += 1,
                Due::Missed | Due::Overdue { .. } => t.missed += 1,
                Due::Open { .. } => t.open += 1,
                Due::NotNeeded => {}
            }
        }
        t
    }

    /// The charter check's rule `breaches-on-time` (principle 7, for the organisation): met when
    /// every deadline that has come was met; not applicable when none has come.
    pub fn outcome(&self) -> (Outcome, Option<String>) {
        let due = self.met + self.missed;
        if due == 0 {
            (Outcome::NotApplicable, None)
        } else if self.missed == 0 {
            (Outcome::Met, None)
        } else {
            (
                Outcome::NotMet,
                Some(format!(
                    "Tell the ICO within 72 hours of finding a breach. {} of {due} were late.",
                    self.missed
                )),
            )
        }
    }
}

/// The charter check's rule for an organisation's breach log (principle 7, legality): every
/// breach that had to be reported was reported to the ICO within 72 hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeadlineCheck {
    /// Always `breaches-on-time`.
    pub rule: &'static str,
    /// Always `legality` (principle 7).
    pub principle: &'static str,
    pub outcome: Outcome,
    pub advice: Option<String>,
    #[serde(flatten)]
    pub tally: DeadlineTally,
}

impl DeadlineCheck {
    pub fn of(tally: DeadlineTally) -> Self {
        let (outcome, advice) = tally.outcome();
        DeadlineCheck {
            rule: "breaches-on-time",
            principle: "legality",
            outcome,
            advice,
            tally,
        }
    }
}

impl std::ops::AddAssign for DeadlineTally {
    fn add_assign(&mut self, other: DeadlineTally) {
        self.met += other.met;
        self.missed += other.missed;
        self.open += other.open;
    }
}
