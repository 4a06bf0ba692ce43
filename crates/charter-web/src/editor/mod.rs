//! The entry editor and review: organisations write drafts section by section, submit them, and
//! the charter body (or a second person in a self-publishing organisation) approves or returns
//! them. Rules live in `charter_core::editor` and `charter_core::workflow`; handlers only ask.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use charter_app::drafts::{self as uses, Access, Changes, NewEntry};
use charter_app::{Actor, AppError};
use charter_core::check::{Scorecard, check};
use charter_core::editor::{self, FieldError, Progress};
use charter_core::picklists::DecisionRole;
use charter_core::search::ParamError;
use charter_core::workflow::{DraftState, EventKind, submit_blockers};
use charter_core::{ProjectId, Slug};
use charter_store::drafts::{Draft, DraftConflict, DraftEvent};

use crate::account::{ClientAddr, Person, SignedForm, SignedIn, err, field};
use crate::error::{params, render};
use crate::pages::when;
use crate::{AppState, WebError};

pub mod form;
mod import;
mod review;

/// The most an editor's form or a whole entry sent to the write API may hold.
pub const ENTRY_BYTES: usize = 512 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/manage/organisations/{slug}/drafts/new",
            get(new_page).post(create),
        )
        .route("/manage/projects/{id}/edit", post(edit_published))
        .route("/manage/drafts/{id}", get(task_list))
        .route(
            "/manage/drafts/{id}/sections/{section}",
            get(section_page).post(save_section),
        )
        .route("/manage/drafts/{id}/preview", get(preview))
        .route("/manage/drafts/{id}/submit", post(submit))
        // A section can hold several paragraphs of up to 5,000 characters each.
        .layer(axum::extract::DefaultBodyLimit::max(ENTRY_BYTES))
        .merge(review::routes())
        .merge(import::routes())
}

/// The signed-in person as the use cases see them, acting from `addr`.
pub(crate) fn actor(who: &SignedIn, addr: &ClientAddr) -> Actor {
    Actor::person(who.principal(), &who.user.email, &addr.0)
}

/// The signed-in person, for use cases that only read (and so write no audit entry).
pub(crate) fn reader(who: &SignedIn) -> Actor {
    Actor::person(who.principal(), &who.user.email, "")
}

/// Loads a draft and what `who` may do with it; refuses people who may do neither.
pub(crate) async fn load(
    state: &AppState,
    who: &SignedIn,
    id: i64,
) -> Result<(Draft, Access), WebError> {
    Ok(uses::open(state.store.as_ref(), &reader(who), id).await?)
}

fn conflict_message(c: DraftConflict) -> String {
    match c {
        DraftConflict::Missing => "This draft no longer exists.".into(),
        DraftConflict::Changed { .. } => "Someone else saved this draft after you opened it. Your answers are below and have not been saved: copy anything you need, then open the draft again to see their changes.".into(),
        DraftConflict::State(s) => format!("This draft cannot be changed now: it is “{}”.", s.label().to_lowercase()),
    }
}

fn to_param_errors(errors: &[FieldError]) -> Vec<ParamError> {
    errors
        .iter()
        .map(|e| ParamError {
            param: if e.field.is_empty() {
                "main-content".into()
            } else {
                e.field.clone()
            },
            message: e.message.clone(),
        })
        .collect()
}

// ---- Starting an entry

#[derive(Template)]
#[template(path = "draft-new.html")]
struct NewPage {
    active: &'static str,
    who: SignedIn,
    slug: String,
    name: String,
    title: String,
    uses_ai: String,
    decision_role: String,
    roles: &'static [(&'static str, &'static str)],
    errors: Vec<ParamError>,
}

impl NewPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

async fn new_page(
    State(state): State<AppState>,
    Person(who): Person,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let slug: Slug = slug.parse().map_err(|_| WebError::NotFound)?;
    let org = uses::may_write(state.store.as_ref(), &reader(&who), &slug).await?;
    Ok(render(
        &NewPage {
            active: "manage",
            who,
            slug: slug.to_string(),
            name: org.name,
            title: String::new(),
            uses_ai: String::new(),
            decision_role: String::new(),
            roles: DecisionRole::OPTIONS,
            errors: Vec::new(),
        },
        StatusCode::OK,
    ))
}

async fn create(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(slug): Path<String>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let slug: Slug = slug.parse().map_err(|_| WebError::NotFound)?;
    let (title, uses_ai, role) = (
        field(&pairs, "title").trim().to_owned(),
        field(&pairs, "uses_ai"),
        field(&pairs, "decision_role"),
    );
    let answers = NewEntry::Answers {
        title: &title,
        uses_ai: &uses_ai,
        decision_role: &role,
    };
    let actor = actor(&who, &addr);
    match uses::create(state.store.as_ref(), &actor, &slug, answers).await {
        Ok(draft) => Ok(Redirect::to(&format!("/manage/drafts/{}", draft.id)).into_response()),
        Err(AppError::Invalid(problems)) => {
            let org = state
                .store
                .organisation_record(&slug)
                .await?
                .ok_or(WebError::NotFound)?;
            Ok(render(
                &NewPage {
                    active: "manage",
                    who,
                    slug: slug.to_string(),
                    name: org.name,
                    title,
                    uses_ai,
                    decision_role: role,
                    roles: DecisionRole::OPTIONS,
                    errors: params(problems, "main-content"),
                },
                StatusCode::BAD_REQUEST,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Opens the draft of a published entry, starting one from the latest version if there is none.
async fn edit_published(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(id): Path<String>,
    SignedForm { who, .. }: SignedForm,
) -> Result<Response, WebError> {
    let id: ProjectId = id.parse().map_err(|_| WebError::NotFound)?;
    let draft = uses::start_change(state.store.as_ref(), &actor(&who, &addr), id).await?;
    Ok(Redirect::to(&format!("/manage/drafts/{draft}")).into_response())
}

// ---- The task list

pub struct SectionRow {
    pub slug: &'static str,
    pub title: &'static str,
    pub principles: &'static str,
    pub progress: Progress,
    pub missing: Vec<&'static str>,
}

pub struct EventRow {
    pub when: String,
    pub actor: String,
    pub what: &'static str,
    pub comment: Option<String>,
}

#[derive(Template)]
#[template(path = "draft.html")]
struct TaskList {
    active: &'static str,
    who: SignedIn,
    draft: Draft,
    organisation_name: String,
    access_edit: bool,
    access_review: bool,
    sections: Vec<SectionRow>,
    blockers: Vec<String>,
    card: Scorecard,
    events: Vec<EventRow>,
    /// The newest reviewer's comment, while the draft is returned.
    returned: Option<EventRow>,
    errors: Vec<ParamError>,
    note: String,
}

impl TaskList {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

pub(crate) fn event_rows(events: Vec<DraftEvent>) -> Vec<EventRow> {
    events
        .into_iter()
        .map(|e| EventRow {
            when: when(&e.at),
            actor: e.actor,
            what: e.kind.label(),
            comment: e.comment,
        })
        .collect()
}

async fn task_list_page(
    state: &AppState,
    who: SignedIn,
    id: i64,
    errors: Vec<ParamError>,
    note: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (draft, access) = load(state, &who, id).await?;
    let org = state
        .store
        .organisation_record(&draft.organisation)
        .await?
        .ok_or(WebError::NotFound)?;
    let card = check(&draft.entry, &state.charter, charter_app::clock::today());
    let blockers = submit_blockers(&draft.entry, &card);
    let sections = editor::progress_all(&draft.entry)
        .map(|(s, progress, missing)| SectionRow {
            slug: s.slug,
            title: s.title,
            principles: s.principles,
            progress,
            missing,
        })
        .collect();
    let events = event_rows(state.store.draft_events(id).await?);
    let returned = (draft.state == DraftState::Returned)
        .then(|| {
            events
                .iter()
                .rev()
                .find(|e| e.what == EventKind::Returned.label())
                .map(|e| EventRow {
                    when: e.when.clone(),
                    actor: e.actor.clone(),
                    what: e.what,
                    comment: e.comment.clone(),
                })
        })
        .flatten();
    Ok(render(
        &TaskList {
            active: "manage",
            who,
            draft,
            organisation_name: org.name,
            access_edit: access.edit,
            access_review: access.review,
            sections,
            blockers,
            card,
            events,
            returned,
            errors,
            note,
        },
        status,
    ))
}

async fn task_list(
    State(state): State<AppState>,
    Person(who): Person,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    task_list_page(&state, who, id, Vec::new(), String::new(), StatusCode::OK).await
}

// ---- One section

#[derive(Template)]
#[template(path = "draft-section.html")]
struct SectionPage {
    active: &'static str,
    who: SignedIn,
    draft: Draft,
    section: &'static charter_core::editor::Section,
    blocks: Vec<form::Block>,
    errors: Vec<ParamError>,
    saved: bool,
}

async fn section_page(
    State(state): State<AppState>,
    Person(who): Person,
    Path((id, slug)): Path<(i64, String)>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, WebError> {
    let section = editor::section(&slug).ok_or(WebError::NotFound)?;
    let (draft, access) = load(&state, &who, id).await?;
    if !access.edit || !draft.state.editable() {
        return Ok(Redirect::to(&format!("/manage/drafts/{id}")).into_response());
    }
    let blocks = form::blocks(section, &draft.entry, None, &[]);
    Ok(render(
        &SectionPage {
            active: "manage",
            who,
            draft,
            section,
            blocks,
            errors: Vec::new(),
            saved: query.as_deref() == Some("saved"),
        },
        StatusCode::OK,
    ))
}

async fn save_section(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path((id, slug)): Path<(i64, String)>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let section = editor::section(&slug).ok_or(WebError::NotFound)?;
    let lock: i64 = field(&pairs, "lock").parse().unwrap_or(-1);
    let answers: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "lock" | "then"))
        .cloned()
        .collect();
    let changes = Changes::Section(section, &answers);
    let errors =
        match uses::save(state.store.as_ref(), &actor(&who, &addr), id, lock, changes).await {
            Ok(Ok(_)) => {
                // Paragraph answers are read back with the checker's advice; otherwise, to the task list.
                let has_paragraphs = section
                    .fields
                    .iter()
                    .chain(section.list.iter().flat_map(|l| l.fields))
                    .any(|f| f.kind == charter_core::editor::Kind::LongText);
                let to = if field(&pairs, "then") == "check" && has_paragraphs {
                    format!("/manage/drafts/{id}/sections/{slug}?saved")
                } else {
                    format!("/manage/drafts/{id}")
                };
                return Ok(Redirect::to(&to).into_response());
            }
            Ok(Err(c)) => vec![FieldError {
                field: String::new(),
                message: conflict_message(c),
            }],
            Err(AppError::Invalid(problems)) => problems
                .into_iter()
                .map(|p| FieldError {
                    field: p.field,
                    message: p.message,
                })
                .collect(),
            Err(e) => return Err(e.into()),
        };
    // Refused: the form again, with the answers as sent and what is wrong with them.
    let (draft, _) = load(&state, &who, id).await?;
    let blocks = form::blocks(section, &draft.entry, Some(&answers), &errors);
    let status = if errors.iter().any(|e| e.field.is_empty()) {
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok(render(
        &SectionPage {
            active: "manage",
            who,
            errors: to_param_errors(&errors),
            draft: Draft { lock, ..draft },
            section,
            blocks,
            saved: false,
        },
        status,
    ))
}

// ---- Preview and submit

async fn preview(
    State(state): State<AppState>,
    Person(who): Person,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (draft, _) = load(&state, &who, id).await?;
    crate::pages::project_page(&state, draft.entry, Some(id)).await
}

async fn submit(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(id): Path<i64>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let note = field(&pairs, "note").trim().to_owned();
    let lock: i64 = field(&pairs, "lock").parse().unwrap_or(-1);
    let store = state.store.as_ref();
    let errors =
        match uses::submit(store, &state.charter, &actor(&who, &addr), id, lock, &note).await {
            Ok(Ok(_)) => return Ok(Redirect::to(&format!("/manage/drafts/{id}")).into_response()),
            Ok(Err(c)) => vec![err("main-content", conflict_message(c))],
            Err(AppError::Invalid(problems)) => params(problems, "blockers"),
            Err(e) => return Err(e.into()),
        };
    task_list_page(&state, who, id, errors, note, StatusCode::BAD_REQUEST).await
}
