//! Public statistics on residents' challenges and questions: what arrived, how much was answered
//! on time, how long answers took, what came of challenges. Worked out from the store's counts
//! with the small-number rule applied, so nothing here can point to a resident.

use serde::Serialize;
use utoipa::ToSchema;

use crate::challenges::{Kind, Outcome};
use crate::small_numbers::{SafeCount, derived, median, share_percent};

/// The counts the store adds up for one project, one organisation or the region.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    pub challenges: u64,
    pub questions: u64,
    /// Answered, closed since or not.
    pub answered: u64,
    /// Answered on or before the day the answer was due.
    pub answered_on_time: u64,
    /// Not answered, and the day the answer was due has passed.
    pub overdue: u64,
    /// How many of each outcome (only those with one).
    pub outcomes: Vec<(Outcome, u64)>,
    /// Days from arriving to being answered, and how many took that long.
    pub days_to_answer: Vec<(u32, u64)>,
}

/// A count as published: the number, or nothing when it is from 1 to 9.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Figure {
    /// The count; null when it is from 1 to 9.
    pub count: Option<u64>,
    /// How it reads: “fewer than 10” when the count is left out.
    #[schema(example = "fewer than 10")]
    pub shown: String,
}

impl Figure {
    pub fn of(count: u64) -> Figure {
        let safe = SafeCount::of(count);
        Figure {
            count: safe.value(),
            shown: safe.words(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OutcomeFigure {
    /// `upheld`, `partly-upheld`, `not-upheld` or `withdrawn`.
    #[schema(example = "partly-upheld")]
    pub outcome: &'static str,
    #[schema(example = "We agree in part")]
    pub label: &'static str,
    pub count: Figure,
}

/// Statistics anyone may see. Counts from 1 to 9 read “fewer than 10”; a share or median worked
/// out from such a count is null.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChallengeStatistics {
    /// Challenges and questions received.
    pub received: Figure,
    pub challenges: Figure,
    pub questions: Figure,
    pub answered: Figure,
    /// Of the answers due so far (answered, or open past the day they were due), the share
    /// answered by that day, as a whole percentage. Null when left out.
    pub answered_on_time_percent: Option<u64>,
    /// The middle number of days from arriving to an answer. Null when left out.
    pub median_days_to_answer: Option<f64>,
    pub outcomes: Vec<OutcomeFigure>,
}

impl Tally {
    pub fn received(&self) -> u64 {
        self.challenges + self.questions
    }

    pub fn received_of(&self, kind: Kind) -> u64 {
        match kind {
            Kind::Challenge => self.challenges,
            Kind::Question => self.questions,
        }
    }

    /// Answers due so far: answered, or open past the day they were due.
    pub fn due(&self) -> u64 {
        self.answered + self.overdue
    }

    /// The share of answers due so far given on time, unless a count behind it is small.
    pub fn on_time_percent(&self) -> Option<u64> {
        share_percent(self.answered_on_time.min(self.answered), self.due())
    }

    pub fn statistics(&self) -> ChallengeStatistics {
        let outcome = |o: Outcome| {
            self.outcomes
                .iter()
                .filter(|(x, _)| *x == o)
                .map(|(_, n)| n)
                .sum()
        };
        ChallengeStatistics {
            received: Figure::of(self.received()),
            challenges: Figure::of(self.challenges),
            questions: Figure::of(self.questions),
            answered: Figure::of(self.answered),
            answered_on_time_percent: self.on_time_percent(),
            median_days_to_answer: derived(&[self.answered], || median(&self.days_to_answer))
                .flatten(),
            outcomes: Outcome::ALL
                .into_iter()
                .map(|o| OutcomeFigure {
                    outcome: o.slug(),
                    label: o.label(),
                    count: Figure::of(outcome(o)),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_hide_and_withhold_what_comes_from_them() {
        let tally = Tally {
            challenges: 4,
            questions: 30,
            answered: 25,
            answered_on_time: 20,
            overdue: 3,
            outcomes: vec![(Outcome::Upheld, 12), (Outcome::NotUpheld, 2)],
            days_to_answer: vec![(3, 10), (20, 15)],
        };
        let s = tally.statistics();
        assert_eq!(s.received, Figure::of(34));
        assert_eq!(s.challenges.count, None);
        assert_eq!(s.challenges.shown, "fewer than 10");
        assert_eq!(s.questions.count, Some(30));
        // 20 of 28 due on time, but 8 were not: fewer than 10, so the share is left out.
        assert_eq!(s.answered_on_time_percent, None);
        assert_eq!(s.median_days_to_answer, Some(20.0));
        assert_eq!(s.outcomes[0].count.count, Some(12));
        assert_eq!(s.outcomes[2].count.shown, "fewer than 10");
        assert_eq!(s.outcomes[3].count.shown, "0");

        let more = Tally {
            answered: 40,
            answered_on_time: 30,
            overdue: 0,
            ..tally
        };
        assert_eq!(more.statistics().answered_on_time_percent, Some(75));
        let few = Tally {
            answered: 9,
            answered_on_time: 9,
            days_to_answer: vec![(3, 9)],
            ..Tally::default()
        };
        assert_eq!(few.statistics().answered_on_time_percent, None);
        assert_eq!(few.statistics().median_days_to_answer, None);
        assert_eq!(few.statistics().answered.shown, "fewer than 10");
    }
}
