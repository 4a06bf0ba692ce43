//! What the store adds up for the public statistics on residents' challenges and questions, and
//! the items past a deadline (for reminders and the charter body's list). None of it holds what a
//! resident wrote or how to reach them.

use charter_core::challenges::Kind;
use charter_core::{Date, ProjectId, Slug, Timestamp};

/// Whose items to add up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatsScope {
    Region,
    Organisation(Slug),
    Project(ProjectId),
}

/// Which of an item's two deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deadline {
    Acknowledge,
    Answer,
}

impl Deadline {
    pub fn slug(self) -> &'static str {
        match self {
            Deadline::Acknowledge => "acknowledge",
            Deadline::Answer => "answer",
        }
    }

    /// What was not done in time, for lists and emails.
    pub fn missed(self) -> &'static str {
        match self {
            Deadline::Acknowledge => "Not seen in time",
            Deadline::Answer => "Not answered in time",
        }
    }
}

/// An open item past one of its deadlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub id: i64,
    pub kind: Kind,
    pub project: ProjectId,
    pub organisation: Slug,
    pub received_at: Timestamp,
    pub deadline: Deadline,
    /// The day it was due.
    pub due: Date,
    /// The colleague it is given to, by email address.
    pub assignee: Option<String>,
}

/// A page of overdue items and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverduePage {
    pub items: Vec<Overdue>,
    pub total: u64,
}

/// A made-up item with how far it got, for `charter generate`: its state follows from the
/// times given (closed, else answered, else acknowledged, else received).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedChallenge {
    pub new: crate::challenges::NewChallenge,
    pub acknowledged_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub outcome: Option<charter_core::challenges::Outcome>,
    pub closed_at: Option<Timestamp>,
}
