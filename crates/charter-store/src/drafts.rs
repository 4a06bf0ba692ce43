//! What the store keeps for drafts: the entry as written so far, where it is in review, and a log
//! of what happened to it.

use charter_core::workflow::{DraftState, EventKind};
use charter_core::{Project, ProjectId, Slug};

/// A draft to start: a new entry (the store gives it the next project id) or a change to a
/// published one.
#[derive(Debug, Clone)]
pub struct NewDraft {
    pub entry: Project,
    /// The published entry this changes; none for a new entry.
    pub existing: Option<ProjectId>,
    /// The published version it starts from.
    pub base_version: Option<u32>,
    pub actor: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub id: i64,
    pub entry: Project,
    pub organisation: Slug,
    pub base_version: Option<u32>,
    pub state: DraftState,
    /// Moves on with every change: a change made against an older value is refused.
    pub lock: i64,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftEvent {
    pub at: String,
    /// The person's email address, or the API token that acted.
    pub actor: String,
    pub kind: EventKind,
    pub comment: Option<String>,
}

/// Why a change to a draft was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftConflict {
    /// There is no such draft.
    Missing,
    /// Someone changed it since it was read: `lock` is its value now.
    Changed { lock: i64 },
    /// It is not in a state this change starts from.
    State(DraftState),
}

/// Which drafts to list.
#[derive(Debug, Clone, Default)]
pub struct DraftFilter {
    pub organisation: Option<Slug>,
    /// Any of these; every state when empty.
    pub states: Vec<DraftState>,
}

/// A change of a draft's state (and, for a save, its content).
#[derive(Debug, Clone)]
pub struct DraftChange<'a> {
    pub lock: i64,
    pub from: &'a [DraftState],
    pub to: DraftState,
    /// The new content, for a save.
    pub entry: Option<&'a Project>,
    pub event: DraftEvent,
}
