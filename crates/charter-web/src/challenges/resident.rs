//! The resident's side: the challenge and question forms on a project, and the private page
//! behind their link (follow, download, delete, ask the charter body to step in).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::challenges::resident;
use charter_core::challenges::{ChallengeInput, ContactBy, Kind, Support};
use charter_core::search::ParamError;
use charter_core::{Project, ProjectId};
use charter_store::challenges::Challenge;

use super::{Clock, clock};
use crate::account::{err, field};
use crate::error::{error_for, params, render};
use crate::{AppState, WebError};

/// The hidden field people never see or fill in; form-filling robots do.
const HONEYPOT: &str = "website";

#[derive(Template)]
#[template(path = "challenge-form.html")]
struct FormPage {
    active: &'static str,
    challenge: bool,
    project: Project,
    errors: Vec<ParamError>,
    values: ChallengeInput,
    contact_by: [(&'static str, &'static str); 3],
    support: [(&'static str, &'static str); 3],
}

impl FormPage {
    fn error_for(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    fn action(&self) -> String {
        let what = if self.challenge {
            "challenge"
        } else {
            "question"
        };
        format!("/projects/{}/{what}", self.project.id)
    }
}

/// The project a form is about, if it takes this kind: not found otherwise.
async fn project_for(state: &AppState, id: &str, kind: Kind) -> Result<Project, WebError> {
    let id: ProjectId = id.parse().map_err(|_| WebError::NotFound)?;
    state
        .store
        .project(id)
        .await?
        .filter(|p| kind.open_for(p.decision_role))
        .ok_or(WebError::NotFound)
}

fn form_page(
    project: Project,
    kind: Kind,
    values: ChallengeInput,
    errors: Vec<ParamError>,
) -> FormPage {
    FormPage {
        active: "projects",
        challenge: kind == Kind::Challenge,
        project,
        errors,
        values,
        contact_by: ContactBy::ALL.map(|c| (c.slug(), c.label())),
        support: Support::ALL.map(|s| (s.slug(), s.label())),
    }
}

async fn show_form(state: &AppState, id: &str, kind: Kind) -> Result<Response, WebError> {
    let project = project_for(state, id, kind).await?;
    Ok(render(
        &form_page(project, kind, ChallengeInput::default(), Vec::new()),
        StatusCode::OK,
    ))
}

pub(super) async fn challenge_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    show_form(&state, &id, Kind::Challenge).await
}

pub(super) async fn question_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    show_form(&state, &id, Kind::Question).await
}

/// A form's fields in order; a body that is not a form reads as an empty one, so each field's
/// own message says what is missing.
pub(super) fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

/// The form as typed: every field as sent, so it can be shown again.
fn input(pairs: &[(String, String)]) -> ChallengeInput {
    ChallengeInput {
        about: field(pairs, "about"),
        when: field(pairs, "when"),
        details: field(pairs, "details"),
        wanted: field(pairs, "wanted"),
        name: field(pairs, "name"),
        contact_by: field(pairs, "contact_by"),
        email: field(pairs, "email"),
        phone: field(pairs, "phone"),
        address: field(pairs, "address"),
        support: pairs
            .iter()
            .filter(|(k, _)| k == "support")
            .map(|(_, v)| v.clone())
            .collect(),
        support_other: field(pairs, "support_other"),
        public: field(pairs, "public") == "yes",
    }
}

async fn send(state: &AppState, id: &str, kind: Kind, body: &Bytes) -> Result<Response, WebError> {
    let project = project_for(state, id, kind).await?;
    let pairs = form_pairs(body);
    let values = input(&pairs);
    if !field(&pairs, HONEYPOT).is_empty() {
        // Only a robot fills in the hidden box: nothing is kept, and the form says so.
        let errors = vec![err(
            "about",
            "We could not take this form. Clear the hidden box called website, or send it again from a normal browser.",
        )];
        return Ok(render(
            &form_page(project, kind, values, errors),
            StatusCode::BAD_REQUEST,
        ));
    }
    match resident::submit(
        state.store.as_ref(),
        &state.charter,
        project.id,
        kind,
        &values,
    )
    .await
    {
        Ok(sent) => Ok(Redirect::to(&format!("/challenges/{}?new=1", sent.token)).into_response()),
        Err(AppError::Invalid(problems)) => Ok(render(
            &form_page(project, kind, values, params(problems, "main-content")),
            StatusCode::BAD_REQUEST,
        )),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn send_challenge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    send(&state, &id, Kind::Challenge, &body).await
}

pub(super) async fn send_question(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    send(&state, &id, Kind::Question, &body).await
}

#[derive(Template)]
#[template(path = "challenge-private.html")]
struct PrivatePage {
    active: &'static str,
    token: String,
    c: Challenge,
    title: String,
    new: bool,
    clock: Option<Clock>,
    may_escalate: bool,
    errors: Vec<ParamError>,
    /// How long after closing the details are erased, from the charter's settings.
    erase_months: u32,
}

impl PrivatePage {
    fn question(&self) -> bool {
        self.c.kind == Kind::Question
    }
}

async fn private(
    state: &AppState,
    token: String,
    c: Challenge,
    new: bool,
    errors: Vec<ParamError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let title = state
        .store
        .project(c.project)
        .await?
        .map(|p| p.title.to_string())
        .unwrap_or_else(|| c.project.to_string());
    let today = charter_app::clock::today();
    let page = PrivatePage {
        active: "projects",
        clock: clock(&c, today),
        may_escalate: resident::may_escalate(&c, today),
        token,
        title,
        new,
        errors,
        erase_months: state.charter.deadlines.erase_after_months,
        c,
    };
    Ok(render(&page, status))
}

pub(super) async fn private_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let c = resident::find(state.store.as_ref(), &token).await?;
    let new = raw.as_deref().is_some_and(|q| q.contains("new=1"));
    private(&state, token, c, new, Vec::new(), StatusCode::OK).await
}

pub(super) async fn download(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let copy = resident::download(state.store.as_ref(), &token).await?;
    let json = serde_json::to_vec_pretty(&copy)
        .map_err(|e| WebError::Internal(format!("a resident's copy: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.json\"", copy.reference),
            ),
        ],
        json,
    )
        .into_response())
}

pub(super) async fn escalate(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    match resident::escalate(state.store.as_ref(), &token).await {
        Ok(_) => Ok(Redirect::to(&format!("/challenges/{token}")).into_response()),
        Err(AppError::Conflict(why)) => {
            let c = resident::find(state.store.as_ref(), &token).await?;
            private(
                &state,
                token,
                c,
                false,
                vec![err("escalate", why)],
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "challenge-deleted.html")]
struct DeletedPage {
    active: &'static str,
    reference: String,
}

pub(super) async fn delete(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let reference = resident::delete(state.store.as_ref(), &token).await?;
    Ok(render(
        &DeletedPage {
            active: "projects",
            reference: reference.to_string(),
        },
        StatusCode::OK,
    ))
}
