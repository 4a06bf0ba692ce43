//! What the store keeps for residents' challenges and questions. The resident's words and how
//! to reach them are the only personal details: erasing an item removes both and its private
//! link, and keeps the rest for the counts.

use charter_core::challenges::{Contact, Kind, Outcome, Reference, State, Submission};
use charter_core::{Date, ProjectId, Slug, Timestamp};

/// A challenge or question as it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChallenge {
    pub kind: Kind,
    pub project: ProjectId,
    /// The organisation that owns the project when it arrives: its people answer it.
    pub organisation: Slug,
    pub submission: Submission,
    pub contact: Contact,
    pub public_requested: bool,
    /// The hash of the resident's private link (see charter-app `secrets`), never the link.
    pub token_hash: String,
    pub received_at: Timestamp,
    pub acknowledge_by: Date,
    pub answer_by: Date,
}

/// A stored challenge or question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub id: i64,
    pub kind: Kind,
    pub project: ProjectId,
    pub organisation: Slug,
    pub state: State,
    pub received_at: Timestamp,
    pub acknowledge_by: Date,
    pub answer_by: Date,
    pub acknowledged_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// The colleague it is given to, with their email address.
    pub assignee: Option<(i64, String)>,
    pub outcome: Option<Outcome>,
    pub answer: Option<String>,
    pub changes: Option<String>,
    pub public_requested: bool,
    /// Shown on the project's page with its answer.
    pub public: bool,
    pub escalated_at: Option<Timestamp>,
    /// `None` once erased.
    pub submission: Option<Submission>,
    /// `None` once erased.
    pub contact: Option<Contact>,
    pub erased_at: Option<Timestamp>,
}

impl Challenge {
    /// `CH-2026-000123`: the year it arrived and its number.
    pub fn reference(&self) -> Reference {
        Reference {
            year: self.received_at.date().year(),
            number: self.id,
        }
    }

    /// Whether it has missed a deadline by `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.state
            .overdue(self.acknowledge_by, self.answer_by, today)
    }
}

/// Who an inbox list shows items for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assigned {
    Nobody,
    Person(i64),
}

/// Which items an inbox shows, a page at a time, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChallengeFilter {
    /// One organisation's items; every organisation's when `None` (site administrators).
    pub organisation: Option<Slug>,
    pub project: Option<ProjectId>,
    pub state: Option<State>,
    pub assigned: Option<Assigned>,
    /// Only those overdue on this day.
    pub overdue_on: Option<Date>,
    pub offset: u64,
    pub limit: u32,
}

/// A page of an inbox and how many items match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengePage {
    pub items: Vec<Challenge>,
    pub total: u64,
}

/// A change an organisation (or the resident) makes to an item. Each is made only if the item
/// is still in the state the caller read, so two people acting at once cannot both succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeChange {
    Assign(Option<i64>),
    Acknowledge {
        at: Timestamp,
    },
    /// Answers, acknowledging too if not yet acknowledged.
    Answer {
        at: Timestamp,
        outcome: Option<Outcome>,
        answer: String,
        changes: Option<String>,
        public: bool,
    },
    Close {
        at: Timestamp,
    },
    Escalate {
        at: Timestamp,
    },
}

/// A question and its answer shown on a project's page, with nothing about who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAnswer {
    pub about: String,
    pub details: String,
    pub answer: String,
    pub answered_at: Timestamp,
}
