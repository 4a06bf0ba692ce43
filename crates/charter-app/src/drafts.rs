//! Drafts, from the first answers to publication: start, save, submit, approve, return. The web
//! editor and the write API call these same functions, so both refuse the same things and both
//! leave the same trail: each change goes in the draft's log and in the audit log.
//!
//! Rules come from `charter_core` (`accounts::allowed`, `editor`, `workflow`). A change made
//! against a draft that moved on (an older lock, or a state it does not start from) comes back as
//! `Ok(Err(DraftConflict))`, for the caller to word: a form keeps the person's answers, the API
//! names the new ETag.

use charter_core::accounts::Action;
use charter_core::charter::Charter;
use charter_core::check::check;
use charter_core::editor::{self, FieldError, Section};
use charter_core::picklists::DecisionRole;
use charter_core::workflow::{DraftState, EventKind, may_approve, submit_blockers};
use charter_core::{Organisation, Project, ProjectId, Slug, Title};
use charter_store::Store;
use charter_store::drafts::{Draft, DraftChange, DraftConflict, DraftEvent, DraftFilter, NewDraft};

use crate::actor::Actor;
use crate::error::Problem;
use crate::{AppError, AppResult, clock};

/// The outcome of a change to a draft that someone else may have changed first.
pub type Moved<T> = Result<T, DraftConflict>;

/// The most a reviewer's comment may say.
pub const COMMENT_LIMIT: usize = 2_000;
/// The most the note for an entry's public history may say.
pub const NOTE_LIMIT: usize = 200;

/// What an actor may do with a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub edit: bool,
    pub review: bool,
}

/// Problems with answers, as the application names them. An empty field is the entry as a whole.
fn problems(errors: Vec<FieldError>) -> AppError {
    AppError::Invalid(
        errors
            .into_iter()
            .map(|e| Problem::new(e.field, e.message))
            .collect(),
    )
}

/// A draft and what `actor` may do with it; refused when they may do neither.
pub async fn open(store: &dyn Store, actor: &Actor, id: i64) -> AppResult<(Draft, Access)> {
    let draft = store
        .draft(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("draft {id}")))?;
    let self_publish = store.self_publish(&draft.organisation).await?;
    let access = Access {
        edit: actor.may(Action::EditEntries(&draft.organisation)),
        review: actor.may(Action::ReviewEntries {
            organisation: &draft.organisation,
            self_publish,
        }),
    };
    if !access.edit && !access.review {
        return Err(if actor.is_token() {
            AppError::NotFound(format!("draft {id}"))
        } else {
            AppError::Forbidden("You cannot see this organisation's drafts.".into())
        });
    }
    Ok((draft, access))
}

/// The organisation, if `actor` may write its entries: refused when they may not, not found when
/// it is not on the register.
pub async fn may_write(
    store: &dyn Store,
    actor: &Actor,
    organisation: &Slug,
) -> AppResult<Organisation> {
    if !actor.may(Action::EditEntries(organisation)) {
        return Err(AppError::Forbidden(
            "You cannot write this organisation's entries.".into(),
        ));
    }
    store
        .organisation_record(organisation)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("organisation {organisation}")))
}

/// How a new entry starts.
pub enum NewEntry<'a> {
    /// The editor's first page, as sent: the project's name, whether it uses AI (`yes`/`no`) and
    /// the part it plays in decisions.
    Answers {
        title: &'a str,
        uses_ai: &'a str,
        decision_role: &'a str,
    },
    /// Answers to any of the editor's fields (the write API's JSON, read by
    /// `charter_core::editor::input_from_json`), by the forms' rules.
    Fields(&'a [(String, String)]),
}

fn first_answers(title: &str, uses_ai: &str, role: &str) -> AppResult<(Title, bool, DecisionRole)> {
    let mut found = Vec::new();
    let title = title
        .trim()
        .parse::<Title>()
        .map_err(|e| {
            found.push(Problem::new(
                "title",
                e.to_string()
                    .replace("Enter a title", "Enter the project's name"),
            ))
        })
        .ok();
    let ai = match uses_ai {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            found.push(Problem::new(
                "uses_ai",
                "Choose whether the project uses AI",
            ));
            None
        }
    };
    let role = role
        .parse::<DecisionRole>()
        .map_err(|_| {
            found.push(Problem::new(
                "decision_role",
                "Choose what part it plays in decisions about people",
            ))
        })
        .ok();
    match (title, ai, role) {
        (Some(t), Some(a), Some(r)) => Ok((t, a, r)),
        _ => Err(AppError::Invalid(found)),
    }
}

/// Starts a draft of a new entry for `organisation`.
pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    organisation: &Slug,
    new: NewEntry<'_>,
) -> AppResult<Draft> {
    let org = may_write(store, actor, organisation).await?;
    if let Some(why) = org.why_no_new_entries() {
        return Err(AppError::Conflict(why));
    }
    let today = clock::today();
    let entry = match new {
        NewEntry::Answers {
            title,
            uses_ai,
            decision_role,
        } => {
            let (title, ai, role) = first_answers(title, uses_ai, decision_role)?;
            Project::new_draft(title, organisation.clone(), ai, role, today)
        }
        NewEntry::Fields(answers) => {
            // The answers may leave out what the first page asks; they are checked all the same.
            let placeholder: Title =
                "Untitled entry"
                    .parse()
                    .map_err(|e: charter_core::ids::IdError| {
                        AppError::invalid("title", e.to_string())
                    })?;
            let start = Project::new_draft(
                placeholder,
                organisation.clone(),
                false,
                DecisionRole::InformationOnly,
                today,
            );
            let mut entry = editor::apply_all(answers, &start).map_err(problems)?;
            entry.slug = Slug::from_title(entry.title.as_str()).unwrap_or(entry.slug);
            entry
        }
    };
    let draft = store
        .draft_create(&NewDraft {
            entry,
            existing: None,
            base_version: None,
            actor: actor.name.clone(),
            at: clock::now(),
        })
        .await?;
    let subject = format!("draft {} of new entry {}", draft.id, draft.entry.id);
    actor.audit(store, "draft-create", &subject).await?;
    Ok(draft)
}

/// Opens the draft of a published entry: the one already open, or a new one from the latest
/// version. Returns the draft's number.
pub async fn start_change(store: &dyn Store, actor: &Actor, id: ProjectId) -> AppResult<i64> {
    let entry = store
        .project(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("project {id}")))?;
    if !actor.may(Action::EditEntries(&entry.organisation)) {
        return Err(AppError::Forbidden(
            "You cannot change this organisation's entries.".into(),
        ));
    }
    if let Some(open) = store.draft_open_for(id).await? {
        return Ok(open);
    }
    let version = store.versions(id).await?.last().map(|l| l.version);
    let draft = store
        .draft_create(&NewDraft {
            entry,
            existing: Some(id),
            base_version: version,
            actor: actor.name.clone(),
            at: clock::now(),
        })
        .await?;
    let subject = format!("draft {} of {id}", draft.id);
    actor.audit(store, "draft-create", &subject).await?;
    Ok(draft.id)
}

/// What a save changes.
pub enum Changes<'a> {
    /// One section of the editor, with the answers its form sent.
    Section(&'static Section, &'a [(String, String)]),
    /// The whole entry (fields left out are cleared), as the write API sends it.
    Whole(&'a [(String, String)]),
}

/// Saves answers into a draft made against `lock`. Returns the draft as now saved.
pub async fn save(
    store: &dyn Store,
    actor: &Actor,
    id: i64,
    lock: i64,
    changes: Changes<'_>,
) -> AppResult<Moved<Draft>> {
    let (draft, access) = open(store, actor, id).await?;
    if !access.edit {
        return Err(AppError::Forbidden(
            "You cannot change this organisation's entries.".into(),
        ));
    }
    if lock != draft.lock {
        return Ok(Err(DraftConflict::Changed { lock: draft.lock }));
    }
    if !draft.state.editable() {
        return Ok(Err(DraftConflict::State(draft.state)));
    }
    let (entry, what) = match changes {
        Changes::Section(section, answers) => {
            (editor::apply(section, answers, &draft.entry), section.title)
        }
        Changes::Whole(answers) => (
            editor::apply_all(answers, &draft.entry),
            "Whole entry, through the API",
        ),
    };
    let entry = entry.map_err(problems)?;
    let change = DraftChange {
        lock,
        from: &[DraftState::Editing, DraftState::Returned],
        to: DraftState::Editing,
        entry: Some(&entry),
        event: DraftEvent {
            at: clock::now(),
            actor: actor.name.clone(),
            kind: EventKind::Saved,
            comment: Some(what.to_owned()),
        },
    };
    if let Err(c) = store.draft_change(id, &change).await? {
        return Ok(Err(c));
    }
    let subject = format!("draft {id} of {}", draft.entry.id);
    actor.audit(store, "draft-save", &subject).await?;
    reread(store, id).await.map(Ok)
}

async fn reread(store: &dyn Store, id: i64) -> AppResult<Draft> {
    store
        .draft(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("draft {id}")))
}

/// Submits a draft for review, once nothing blocks it. `note` says what changed, for the entry's
/// public history: needed for a change to a published entry. Blockers are problems with the
/// entry as a whole (an empty field).
pub async fn submit(
    store: &dyn Store,
    charter: &Charter,
    actor: &Actor,
    id: i64,
    lock: i64,
    note: &str,
) -> AppResult<Moved<Draft>> {
    let (draft, access) = open(store, actor, id).await?;
    if !access.edit {
        return Err(AppError::Forbidden(
            "You cannot submit this organisation's entries.".into(),
        ));
    }
    let note = note.trim();
    let card = check(&draft.entry, charter, clock::today());
    let mut found: Vec<Problem> = submit_blockers(&draft.entry, &card)
        .into_iter()
        .map(|m| Problem::new("", m))
        .collect();
    if draft.base_version.is_some() && note.is_empty() {
        found.push(Problem::new(
            "note",
            "Say in a few words what changed, for the entry's public history",
        ));
    }
    if note.chars().count() > NOTE_LIMIT {
        found.push(Problem::new(
            "note",
            format!("Say what changed in {NOTE_LIMIT} characters or fewer"),
        ));
    }
    if !found.is_empty() {
        return Err(AppError::Invalid(found));
    }
    let change = DraftChange {
        lock,
        from: &[DraftState::Editing, DraftState::Returned],
        to: DraftState::Submitted,
        entry: None,
        event: DraftEvent {
            at: clock::now(),
            actor: actor.name.clone(),
            kind: EventKind::Submitted,
            // A first version's public note says so, with what its editors added.
            comment: Some(match (draft.base_version, note.is_empty()) {
                (None, true) => "First published".into(),
                (None, false) => format!("First published: {note}"),
                (Some(_), _) => note.to_owned(),
            }),
        },
    };
    if let Err(c) = store.draft_change(id, &change).await? {
        return Ok(Err(c));
    }
    let subject = format!("draft {id} of {}", draft.entry.id);
    actor.audit(store, "draft-submit", &subject).await?;
    crate::notices::draft_submitted(store, actor, &draft, note).await;
    reread(store, id).await.map(Ok)
}

/// Who wrote a draft: everyone who started, saved or submitted it.
pub fn authors(events: &[DraftEvent]) -> Vec<&str> {
    events
        .iter()
        .filter(|e| e.kind.authors())
        .map(|e| e.actor.as_str())
        .collect()
}

/// Why `actor` may not approve a draft with this log (four eyes), if they may not.
pub fn approval_refused(actor: &Actor, events: &[DraftEvent]) -> Option<&'static str> {
    (!may_approve(&actor.name, &authors(events)))
        .then_some("You worked on this draft, so someone else must approve it.")
}

/// Approves a submitted draft made against `lock`, which publishes it. Returns the entry's id.
pub async fn approve(
    store: &dyn Store,
    actor: &Actor,
    id: i64,
    lock: i64,
) -> AppResult<Moved<ProjectId>> {
    let (draft, access) = open(store, actor, id).await?;
    if !access.review {
        return Err(AppError::Forbidden(
            "You cannot approve this organisation's entries.".into(),
        ));
    }
    let events = store.draft_events(id).await?;
    if let Some(why) = approval_refused(actor, &events) {
        return Err(AppError::Forbidden(why.into()));
    }
    // The note for the public history is the one given at the latest submission.
    let note = events
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::Submitted)
        .and_then(|e| e.comment.clone())
        .unwrap_or_else(|| "Changed".into());
    let today = clock::today();
    let mut entry = draft.entry.clone();
    entry.last_updated = today;
    if draft.base_version.is_none() {
        entry.first_published = today;
    }
    let event = DraftEvent {
        at: clock::now(),
        actor: actor.name.clone(),
        kind: EventKind::Approved,
        comment: None,
    };
    if let Err(c) = store.draft_publish(id, lock, &entry, &note, &event).await? {
        return Ok(Err(c));
    }
    let subject = format!("draft {id}: published {}", entry.id);
    actor.audit(store, "draft-approve", &subject).await?;
    crate::notices::draft_published(store, actor, &draft).await;
    Ok(Ok(entry.id))
}

/// A reviewer's comment as kept: trimmed, with one kind of line break.
pub fn comment_text(raw: &str) -> String {
    raw.trim().replace("\r\n", "\n")
}

/// Returns a submitted draft made against `lock` to its editors, with what must change.
pub async fn send_back(
    store: &dyn Store,
    actor: &Actor,
    id: i64,
    lock: i64,
    comment: &str,
) -> AppResult<Moved<()>> {
    let (draft, access) = open(store, actor, id).await?;
    if !access.review {
        return Err(AppError::Forbidden(
            "You cannot review this organisation's entries.".into(),
        ));
    }
    let comment = comment_text(comment);
    let n = comment.chars().count();
    if comment.is_empty() {
        return Err(AppError::invalid(
            "comment",
            "Say what needs to change before it can be published",
        ));
    }
    if n > COMMENT_LIMIT {
        return Err(AppError::invalid(
            "comment",
            format!("Comments must be {COMMENT_LIMIT} characters or fewer (these have {n})"),
        ));
    }
    let change = DraftChange {
        lock,
        from: &[DraftState::Submitted],
        to: DraftState::Returned,
        entry: None,
        event: DraftEvent {
            at: clock::now(),
            actor: actor.name.clone(),
            kind: EventKind::Returned,
            comment: Some(comment.clone()),
        },
    };
    if let Err(c) = store.draft_change(id, &change).await? {
        return Ok(Err(c));
    }
    actor
        .audit(store, "draft-return", &format!("draft {id}"))
        .await?;
    crate::notices::draft_returned(store, actor, &draft, &comment).await;
    Ok(Ok(()))
}

/// The drafts waiting for `actor` to review: the charter body sees every organisation's, others
/// only their own organisation's, if it approves its own entries.
pub async fn review_queue(store: &dyn Store, actor: &Actor) -> AppResult<Vec<Draft>> {
    let organisation = match &actor.via {
        crate::actor::Via::Site(p) => match p.role {
            charter_core::accounts::Role::SiteAdmin | charter_core::accounts::Role::Moderator => {
                None
            }
            _ => p.organisation.clone(),
        },
        crate::actor::Via::Token { organisation, .. } => Some(organisation.clone()),
        crate::actor::Via::SiteToken { .. } | crate::actor::Via::CommandLine => None,
    };
    let drafts = store
        .drafts(&DraftFilter {
            organisation,
            states: vec![DraftState::Submitted],
        })
        .await?;
    let mut out = Vec::new();
    for d in drafts {
        let self_publish = store.self_publish(&d.organisation).await?;
        if actor.may(Action::ReviewEntries {
            organisation: &d.organisation,
            self_publish,
        }) {
            out.push(d);
        }
    }
    Ok(out)
}

/// An organisation's drafts that are not yet published, most recently changed first.
pub async fn unpublished(
    store: &dyn Store,
    actor: &Actor,
    organisation: &Slug,
) -> AppResult<Vec<Draft>> {
    if !actor.may(Action::EditEntries(organisation)) {
        return Err(AppError::Forbidden(
            "You cannot see this organisation's drafts.".into(),
        ));
    }
    Ok(store
        .drafts(&DraftFilter {
            organisation: Some(organisation.clone()),
            states: vec![
                DraftState::Editing,
                DraftState::Submitted,
                DraftState::Returned,
            ],
        })
        .await?)
}

#[cfg(test)]
mod tests;
