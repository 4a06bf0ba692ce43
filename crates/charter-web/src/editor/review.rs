//! Review: the queue of submitted drafts, a side-by-side view of what changed, approving
//! (which publishes) and returning with comments.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use charter_app::AppError;
use charter_app::drafts::{self as uses, approval_refused};
use charter_core::check::{Scorecard, check};
use charter_core::editor::{Difference, differences};
use charter_core::search::ParamError;
use charter_store::drafts::Draft;

use super::{EventRow, actor, conflict_message, event_rows, load, reader};
use crate::account::{ClientAddr, Person, SignedForm, SignedIn, err, field};
use crate::error::{params, render};
use crate::pages::when;
use crate::{AppState, WebError};

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
    let drafts = uses::review_queue(state.store.as_ref(), &reader(&who)).await?;
    // Reviewers know organisations by name, not by short name.
    let names: std::collections::HashMap<String, String> = state
        .store
        .organisations()
        .await?
        .into_iter()
        .map(|o| (o.organisation.slug.to_string(), o.organisation.name))
        .collect();
    let rows = drafts
        .into_iter()
        .map(|d| QueueRow {
            id: d.id,
            title: d.entry.title.to_string(),
            entry: d.entry.id.to_string(),
            organisation: names
                .get(d.organisation.as_str())
                .cloned()
                .unwrap_or_else(|| d.organisation.to_string()),
            submitted: when(&d.updated_at),
            new_entry: d.base_version.is_none(),
        })
        .collect();
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
    let cannot_approve = approval_refused(&reader(&who), &events);
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
    let lock: i64 = field(&pairs, "lock").parse().unwrap_or(-1);
    match uses::approve(state.store.as_ref(), &actor(&who, &addr), id, lock).await? {
        Ok(entry) => Ok(Redirect::to(&format!("/projects/{entry}")).into_response()),
        Err(c) => {
            let errors = vec![err("main-content", conflict_message(c))];
            review_view(&state, who, id, String::new(), errors, StatusCode::CONFLICT).await
        }
    }
}

async fn send_back(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(id): Path<i64>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let lock: i64 = field(&pairs, "lock").parse().unwrap_or(-1);
    let comment = field(&pairs, "comment");
    let (errors, status) = match uses::send_back(
        state.store.as_ref(),
        &actor(&who, &addr),
        id,
        lock,
        &comment,
    )
    .await
    {
        Ok(Ok(())) => return Ok(Redirect::to("/manage/review").into_response()),
        Ok(Err(c)) => (
            vec![err("main-content", conflict_message(c))],
            StatusCode::CONFLICT,
        ),
        Err(AppError::Invalid(problems)) => (params(problems, "comment"), StatusCode::BAD_REQUEST),
        Err(e) => return Err(e.into()),
    };
    let comment = uses::comment_text(&comment);
    review_view(&state, who, id, comment, errors, status).await
}
