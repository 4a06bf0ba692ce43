//! Review: the queue of submitted drafts, a side-by-side view of what changed, approving
//! (which publishes) and returning with comments.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use charter_core::accounts::{Action, Role, allowed};
use charter_core::check::{Scorecard, check};
use charter_core::editor::{Difference, differences};
use charter_core::search::ParamError;
use charter_core::workflow::{DraftState, EventKind};
use charter_store::drafts::{Draft, DraftChange, DraftEvent, DraftFilter};

use super::{EventRow, approval_refused, conflict_message, event_rows, load};
use crate::account::{ClientAddr, Person, SignedForm, SignedIn, audit, err, field};
use crate::error::render;
use crate::pages::when;
use crate::{AppState, WebError};

/// The most a reviewer's comment may say.
const COMMENT_LIMIT: usize = 2_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage/review", get(queue))
        .route("/manage/drafts/{id}/review", get(review_page))
        .route("/manage/drafts/{id}/approve", post(approve))
        .route("/manage/drafts/{id}/return", post(send_back))
}

pub struct QueueRow {
    pub id: i64,
    pub title: String,
    pub entry: String,
    pub organisation: String,
    pub submitted: String,
    pub new_entry: bool,
}

#[derive(Template)]
#[template(path = "review-queue.html")]
struct Queue {
    active: &'static str,
    rows: Vec<QueueRow>,
}

async fn queue(State(state): State<AppState>, Person(who): Person) -> Result<Response, WebError> {
    let p = who.principal();
    // The charter body sees every organisation's; others only their own, if it self-publishes.
    let organisation = match p.role {
        Role::SiteAdmin | Role::Moderator => None,
        _ => p.organisation.clone(),
    };
    let drafts = state
        .store
        .drafts(&DraftFilter {
            organisation,
            states: vec![DraftState::Submitted],
        })
        .await?;
    let mut rows = Vec::new();
    for d in drafts {
        let self_publish = state.store.self_publish(&d.organisation).await?;
        if !allowed(
            &p,
            Action::ReviewEntries {
                organisation: &d.organisation,
                self_publish,
            },
        ) {
            continue;
        }
        rows.push(QueueRow {
            id: d.id,
            title: d.entry.title.to_string(),
            entry: d.entry.id.to_string(),
            organisation: d.organisation.to_string(),
            submitted: when(&d.updated_at),
            new_entry: d.base_version.is_none(),
        });
    }
    Ok(render(
        &Queue {
            active: "manage",
            rows,
        },
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "draft-review.html")]
struct ReviewPage {
    active: &'static str,
    who: SignedIn,
    draft: Draft,
    organisation_name: String,
    changes: Vec<Difference>,
    card: Scorecard,
    events: Vec<EventRow>,
    /// Why this person may not approve, if they may not.
    cannot_approve: Option<&'static str>,
    comment: String,
    errors: Vec<ParamError>,
}

impl ReviewPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

async fn review_view(
    state: &AppState,
    who: SignedIn,
    id: i64,
    comment: String,
    errors: Vec<ParamError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (draft, access) = load(state, &who, id).await?;
    if !access.review {
        return Err(WebError::Forbidden(
            "Only the charter body, or a second person in a self-publishing organisation, reviews entries.".into(),
        ));
    }
    let published = state.store.project(draft.entry.id).await?;
    let changes = differences(published.as_ref(), &draft.entry);
    let org = state
        .store
        .organisation_record(&draft.organisation)
        .await?
        .ok_or(WebError::NotFound)?;
    let events = state.store.draft_events(id).await?;
    let cannot_approve = approval_refused(&who, &events);
    Ok(render(
        &ReviewPage {
            active: "manage",
            card: check(&draft.entry, &state.charter, charter_app::clock::today()),
            who,
            draft,
            organisation_name: org.name,
            changes,
            events: event_rows(events),
            cannot_approve,
            comment,
            errors,
        },
        status,
    ))
}

async fn review_page(
    State(state): State<AppState>,
    Person(who): Person,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    review_view(&state, who, id, String::new(), Vec::new(), StatusCode::OK).await
}

async fn approve(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(id): Path<i64>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let (draft, access) = load(&state, &who, id).await?;
    if !access.review {
        return Err(WebError::Forbidden(
            "You cannot approve this organisation's entries.".into(),
        ));
    }
    let events = state.store.draft_events(id).await?;
    if let Some(why) = approval_refused(&who, &events) {
        return Err(WebError::Forbidden(why.into()));
    }
    let lock: i64 = field(&pairs, "lock").parse().unwrap_or(-1);
    // The note for the public history is the one given at the latest submission.
    let note = events
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::Submitted)
        .and_then(|e| e.comment.clone())
        .unwrap_or_else(|| "Changed".into());
    let today = charter_app::clock::today();
    let mut entry = draft.entry.clone();
    entry.last_updated = today;
    if draft.base_version.is_none() {
        entry.first_published = today;
    }
    let event = DraftEvent {
        at: charter_app::clock::now().into(),
        actor: who.user.email.clone(),
        kind: EventKind::Approved,
        comment: None,
    };
    match state
        .store
        .draft_publish(id, lock, &entry, &note, &event)
        .await?
    {
        Ok(_) => {
            audit(
                &state,
                &who.user.email,
                "draft-approve",
                &format!("draft {id}: published {}", entry.id),
                &addr.0,
            )
            .await?;
            Ok(Redirect::to(&format!("/projects/{}", entry.id)).into_response())
        }
        Err(c) => {
            review_view(
                &state,
                who,
                id,
                String::new(),
                vec![err("main-content", conflict_message(c))],
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}

async fn send_back(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(id): Path<i64>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let (_, access) = load(&state, &who, id).await?;
    if !access.review {
        return Err(WebError::Forbidden(
            "You cannot review this organisation's entries.".into(),
        ));
    }
    let comment = field(&pairs, "comment").trim().replace("\r\n", "\n");
    let n = comment.chars().count();
    let problem = if comment.is_empty() {
        Some("Say what needs to change before it can be published".to_owned())
    } else if n > COMMENT_LIMIT {
        Some(format!(
            "Comments must be {COMMENT_LIMIT} characters or fewer (these have {n})"
        ))
    } else {
        None
    };
    if let Some(message) = problem {
        return review_view(
            &state,
            who,
            id,
            comment,
            vec![err("comment", message)],
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let lock: i64 = field(&pairs, "lock").parse().unwrap_or(-1);
    let change = DraftChange {
        lock,
        from: &[DraftState::Submitted],
        to: DraftState::Returned,
        entry: None,
        event: DraftEvent {
            at: charter_app::clock::now().into(),
            actor: who.user.email.clone(),
            kind: EventKind::Returned,
            comment: Some(comment.clone()),
        },
    };
    match state.store.draft_change(id, &change).await? {
        Ok(_) => {
            audit(
                &state,
                &who.user.email,
                "draft-return",
                &format!("draft {id}"),
                &addr.0,
            )
            .await?;
            Ok(Redirect::to("/manage/review").into_response())
        }
        Err(c) => {
            review_view(
                &state,
                who,
                id,
                comment,
                vec![err("main-content", conflict_message(c))],
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}
