//! The states a challenge or question moves through, and which step is allowed from each:
//! received → acknowledged → answered → closed. Answering something not yet acknowledged
//! acknowledges it too; nothing moves back.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Date;

/// Where a challenge or question is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Received,
    Acknowledged,
    Answered,
    Closed,
}

impl State {
    pub const ALL: [State; 4] = [
        State::Received,
        State::Acknowledged,
        State::Answered,
        State::Closed,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            State::Received => "received",
            State::Acknowledged => "acknowledged",
            State::Answered => "answered",
            State::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Received => "Received",
            State::Acknowledged => "Seen",
            State::Answered => "Answered",
            State::Closed => "Closed",
        }
    }

    /// Still waiting for the organisation's answer.
    pub fn open(self) -> bool {
        matches!(self, State::Received | State::Acknowledged)
    }

    /// Whether `step` may be taken from here.
    pub fn allows(self, step: Step) -> bool {
        match step {
            Step::Assign => self != State::Closed,
            Step::Acknowledge => self == State::Received,
            Step::Answer | Step::Escalate => self.open(),
            Step::Close => self == State::Answered,
        }
    }

    /// The state after `step`, or why it cannot be taken from here.
    pub fn after(self, step: Step) -> Result<State, StepRefused> {
        if !self.allows(step) {
            return Err(StepRefused { from: self, step });
        }
        Ok(match step {
            Step::Assign | Step::Escalate => self,
            Step::Acknowledge => State::Acknowledged,
            Step::Answer => State::Answered,
            Step::Close => State::Closed,
        })
    }

    /// Whether an item in this state has missed a deadline by `today`: not acknowledged by its
    /// acknowledge-by day, or not answered by its answer-by day. The deadline day itself is
    /// still on time.
    pub fn overdue(self, acknowledge_by: Date, answer_by: Date, today: Date) -> bool {
        (self == State::Received && today > acknowledge_by) || (self.open() && today > answer_by)
    }
}

impl FromStr for State {
    type Err = String;
    fn from_str(s: &str) -> Result<State, String> {
        State::ALL
            .into_iter()
            .find(|v| v.slug() == s)
            .ok_or_else(|| {
                format!("“{s}” is not a status: choose received, acknowledged, answered or closed")
            })
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Something an organisation (or the resident, for `Escalate`) does to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Give it to a colleague (or to nobody).
    Assign,
    /// Tell the resident it has been seen.
    Acknowledge,
    /// Give the answer, with the outcome for a challenge.
    Answer,
    /// Close it after the answer.
    Close,
    /// The resident heard nothing in time and asks the charter body to step in.
    Escalate,
}

impl Step {
    fn verb(self) -> &'static str {
        match self {
            Step::Assign => "give it to someone",
            Step::Acknowledge => "say it has been seen",
            Step::Answer => "answer it",
            Step::Close => "close it",
            Step::Escalate => "ask the charter body to step in",
        }
    }
}

/// A step that is not allowed from the item's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("You cannot {} now: it is {}.", step.verb(), from.label().to_lowercase())]
pub struct StepRefused {
    pub from: State,
    pub step: Step,
}

/// What came of a challenge, given with the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Upheld,
    PartlyUpheld,
    NotUpheld,
    Withdrawn,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Upheld,
        Outcome::PartlyUpheld,
        Outcome::NotUpheld,
        Outcome::Withdrawn,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Outcome::Upheld => "upheld",
            Outcome::PartlyUpheld => "partly-upheld",
            Outcome::NotUpheld => "not-upheld",
            Outcome::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Upheld => "We agree",
            Outcome::PartlyUpheld => "We agree in part",
            Outcome::NotUpheld => "We do not agree",
            Outcome::Withdrawn => "Withdrawn",
        }
    }

    /// Whether the answer must say what changes as a result.
    pub fn needs_changes(self) -> bool {
        matches!(self, Outcome::Upheld | Outcome::PartlyUpheld)
    }
}

impl FromStr for Outcome {
    type Err = String;
    fn from_str(s: &str) -> Result<Outcome, String> {
        Outcome::ALL
            .into_iter()
            .find(|v| v.slug() == s)
            .ok_or_else(|| {
                format!(
                    "“{s}” is not an outcome: choose upheld, partly-upheld, not-upheld or withdrawn"
                )
            })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: [Step; 5] = [
        Step::Assign,
        Step::Acknowledge,
        Step::Answer,
        Step::Close,
        Step::Escalate,
    ];

    #[test]
    fn items_move_forward_only() {
        assert_eq!(
            State::Received.after(Step::Acknowledge),
            Ok(State::Acknowledged)
        );
        assert_eq!(State::Received.after(Step::Answer), Ok(State::Answered));
        assert_eq!(State::Acknowledged.after(Step::Answer), Ok(State::Answered));
        assert_eq!(State::Answered.after(Step::Close), Ok(State::Closed));
        assert_eq!(State::Answered.after(Step::Assign), Ok(State::Answered));
        for step in STEPS {
            assert!(State::Closed.after(step).is_err(), "{step:?} from closed");
        }
        assert!(State::Acknowledged.after(Step::Acknowledge).is_err());
        assert!(State::Received.after(Step::Close).is_err());
        assert!(State::Answered.after(Step::Answer).is_err());
        assert!(State::Answered.after(Step::Escalate).is_err());
    }

    #[test]
    fn a_refusal_says_what_and_why() {
        let e = State::Closed.after(Step::Answer).unwrap_err();
        assert_eq!(e.to_string(), "You cannot answer it now: it is closed.");
    }

    #[test]
    fn overdue_is_after_the_deadline_day() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let (ack, ans) = (d("2026-03-06"), d("2026-03-27"));
        assert!(!State::Received.overdue(ack, ans, d("2026-03-06")));
        assert!(State::Received.overdue(ack, ans, d("2026-03-07")));
        assert!(!State::Acknowledged.overdue(ack, ans, d("2026-03-20")));
        assert!(State::Acknowledged.overdue(ack, ans, d("2026-03-28")));
        assert!(!State::Answered.overdue(ack, ans, d("2026-09-01")));
        assert!(!State::Closed.overdue(ack, ans, d("2026-09-01")));
    }

    #[test]
    fn names_read_back() {
        for s in State::ALL {
            assert_eq!(s.slug().parse::<State>(), Ok(s));
        }
        for o in Outcome::ALL {
            assert_eq!(o.slug().parse::<Outcome>(), Ok(o));
        }
    }
}
