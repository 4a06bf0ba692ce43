//! The breach log as stored: each breach whole as it stands, and every version it has had.

use charter_core::breaches::{Breach, State};
use charter_core::{Slug, Timestamp};

/// A breach as it stands, with its id and version (the lock a change must name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBreach {
    pub id: i64,
    pub version: u32,
    pub changed_at: Timestamp,
    pub breach: Breach,
}

/// One version of a breach: who made it, when, by which step, and the breach as it then was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreachVersion {
    pub version: u32,
    pub at: Timestamp,
    pub actor: String,
    /// The step's name ("log", "assess", "decide", "report", "people", "close").
    pub step: String,
    pub breach: Breach,
}

/// Who changed a breach, when, and by which step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreachChange<'a> {
    pub step: &'a str,
    pub actor: &'a str,
    pub at: &'a Timestamp,
}

/// Which breaches to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BreachFilter {
    /// One organisation's; every organisation's when None.
    pub organisation: Option<Slug>,
    /// Only breaches in these states; any state when empty.
    pub states: Vec<State>,
    /// Only breaches whose deadline is at or before this moment: for reminders and overdue lists.
    pub deadline_by: Option<Timestamp>,
}
