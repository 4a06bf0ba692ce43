//! What the store keeps for drafts: the entry as written so far, where it is in review, and a log
//! of what happened to it.

use charter_core::workflow::{DraftState, EventKind};
use charter_core::{Project, ProjectId, Slug, Timestamp};

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
    pub at: Timestamp,
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
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftEvent {
    pub at: Timestamp,
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

/// A draft ready to write: its entry with the project id it takes, and that entry's JSON.
#[derive(Debug, Clone)]
pub struct ReadyDraft {
    pub entry: Project,
    pub content: String,
}

/// Gives each new entry in `drafts` its project id, counting up from `first_new` in order, and
/// writes every entry's JSON. Backends call it before their write transaction (with the next
/// id as read then) so that a big import holds the write lock only to insert; if the next id
/// has moved on by the time the transaction starts, they call it again inside.
pub fn ready(
    drafts: &[NewDraft],
    first_new: ProjectId,
) -> Result<Vec<ReadyDraft>, crate::StoreError> {
    let mut next = first_new.number();
    drafts
        .iter()
        .map(|new| {
            let mut entry = new.entry.clone();
            entry.id = match new.existing {
                Some(id) => id,
                None => {
                    let id = ProjectId::new(next);
                    next = next.checked_add(1).ok_or_else(|| {
                        crate::StoreError::Data("the register has run out of project ids".into())
                    })?;
                    id
                }
            };
            let content = serde_json::to_string(&entry)
                .map_err(|e| crate::StoreError::Data(e.to_string()))?;
            Ok(ReadyDraft { entry, content })
        })
        .collect()
}

/// The first entry that `drafts` names twice (two drafts for one published entry), if any.
pub fn repeated_entry(drafts: &[NewDraft]) -> Option<ProjectId> {
    let mut seen = std::collections::HashSet::new();
    drafts
        .iter()
        .filter_map(|d| d.existing)
        .find(|id| !seen.insert(*id))
}

/// The draft as stored just after it was started, built from what was written rather than read
/// back, so a bulk import does not re-read every row.
pub fn started(id: i64, ready: ReadyDraft, new: &NewDraft) -> Draft {
    Draft {
        id,
        organisation: ready.entry.organisation.clone(),
        entry: ready.entry,
        base_version: new.base_version,
        state: DraftState::Editing,
        lock: 1,
        created_at: new.at.clone(),
        updated_at: new.at.clone(),
        updated_by: new.actor.clone(),
    }
}
