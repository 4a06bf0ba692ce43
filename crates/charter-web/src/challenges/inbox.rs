//! The organisation's inbox under `/manage/challenges`: the list with its filters and pages,
//! one item with its clock, and the steps that move it on.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::challenges::inbox::{self as use_case, Inbox, InboxQuery};
use charter_core::challenges::{AnswerInput, Kind, Outcome, State as Status};
use charter_core::search::ParamError;
use charter_store::accounts::User;
use charter_store::challenges::Challenge;

use super::{Clock, clock};
use crate::account::{ClientAddr, Person, Signed, SignedForm, SignedIn, TokenOnly, field};
use crate::error::{error_for, params, render};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "manage-challenges.html")]
struct ListPage {
    active: &'static str,
    who: SignedIn,
    query: InboxQuery,
    inbox: Option<Inbox>,
    /// Each item with its clock.
    rows: Vec<(Challenge, Option<Clock>)>,
    errors: Vec<ParamError>,
    statuses: [(&'static str, &'static str); 4],
    previous: Option<String>,
    next: Option<String>,
}

impl ListPage {
    fn error_for(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    fn people(&self) -> &[User] {
        self.inbox.as_ref().map_or(&[], |i| i.people.as_slice())
    }
}

/// The inbox's address for `page`, keeping the filters.
fn page_href(q: &InboxQuery, page: u32) -> String {
    let mut pairs = vec![
        ("organisation", q.organisation.clone()),
        ("project", q.project.clone()),
        ("status", q.status.clone()),
        ("assignee", q.assignee.clone()),
    ];
    pairs.retain(|(_, v)| !v.is_empty());
    if q.overdue {
        pairs.push(("overdue", "yes".into()));
    }
    pairs.push(("page", page.to_string()));
    format!(
        "/manage/challenges?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

fn query(raw: Option<&str>) -> InboxQuery {
    let pairs: Vec<(String, String)> = raw
        .and_then(|r| serde_urlencoded::from_str(r).ok())
        .unwrap_or_default();
    InboxQuery {
        organisation: field(&pairs, "organisation"),
        project: field(&pairs, "project"),
        status: field(&pairs, "status"),
        assignee: field(&pairs, "assignee"),
        overdue: field(&pairs, "overdue") == "yes",
        page: field(&pairs, "page").parse().unwrap_or(1),
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let q = query(raw.as_deref());
    let found = use_case::list(state.store.as_ref(), &who.actor(&addr), &q).await;
    let (inbox, errors, status) = match found {
        Ok(inbox) => (Some(inbox), Vec::new(), StatusCode::OK),
        Err(AppError::Invalid(problems)) => (
            None,
            params(problems, "main-content"),
            StatusCode::BAD_REQUEST,
        ),
        Err(e) => return Err(e.into()),
    };
    let (rows, previous, next) = match &inbox {
        Some(i) => (
            i.page
                .items
                .iter()
                .map(|c| (c.clone(), clock(c, i.today)))
                .collect(),
            (i.page_number > 1).then(|| page_href(&q, i.page_number - 1)),
            (i.page_number < i.pages).then(|| page_href(&q, i.page_number + 1)),
        ),
        None => (Vec::new(), None, None),
    };
    let page = ListPage {
        active: "manage",
        who,
        query: q,
        inbox,
        rows,
        errors,
        statuses: Status::ALL.map(|s| (s.slug(), s.label())),
        previous,
        next,
    };
    Ok(render(&page, status))
}

#[derive(Template)]
#[template(path = "manage-challenge.html")]
struct ItemPage {
    active: &'static str,
    who: SignedIn,
    c: Challenge,
    title: String,
    people: Vec<User>,
    clock: Option<Clock>,
    errors: Vec<ParamError>,
    answer: AnswerInput,
    outcomes: [(&'static str, &'static str); 4],
}

impl ItemPage {
    fn error_for(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    fn challenge(&self) -> bool {
        self.c.kind == Kind::Challenge
    }
    fn assigned_to(&self, id: &i64) -> bool {
        self.c.assignee.as_ref().is_some_and(|(a, _)| a == id)
    }
}

async fn item_page(
    state: &AppState,
    addr: &ClientAddr,
    who: SignedIn,
    reference: &str,
    errors: Vec<ParamError>,
    answer: AnswerInput,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (c, people) = use_case::item(state.store.as_ref(), &who.actor(addr), reference).await?;
    let title = state
        .store
        .project(c.project)
        .await?
        .map(|p| p.title.to_string())
        .unwrap_or_else(|| c.project.to_string());
    let page = ItemPage {
        active: "manage",
        who,
        clock: clock(&c, charter_app::clock::today()),
        c,
        title,
        people,
        errors,
        answer,
        outcomes: Outcome::ALL.map(|o| (o.slug(), o.label())),
    };
    Ok(render(&page, status))
}

pub(super) async fn item(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    item_page(
        &state,
        &addr,
        who,
        &reference,
        Vec::new(),
        AnswerInput::default(),
        StatusCode::OK,
    )
    .await
}

fn back(reference: &str) -> Response {
    Redirect::to(&format!("/manage/challenges/{reference}")).into_response()
}

/// After a step: back to the item, or the item again with what is wrong.
async fn after(
    state: &AppState,
    addr: &ClientAddr,
    who: SignedIn,
    reference: &str,
    done: Result<Challenge, AppError>,
    answer: AnswerInput,
) -> Result<Response, WebError> {
    match done {
        Ok(_) => Ok(back(reference)),
        Err(AppError::Invalid(problems)) => {
            item_page(
                state,
                addr,
                who,
                reference,
                params(problems, "main-content"),
                answer,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn assign(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(reference): Path<String>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let done = use_case::assign(
        state.store.as_ref(),
        &who.actor(&addr),
        &reference,
        &field(&pairs, "assignee"),
    )
    .await;
    after(&state, &addr, who, &reference, done, AnswerInput::default()).await
}

pub(super) async fn acknowledge(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(reference): Path<String>,
    Signed { who, .. }: Signed<TokenOnly>,
) -> Result<Response, WebError> {
    let done = use_case::acknowledge(state.store.as_ref(), &who.actor(&addr), &reference).await;
    after(&state, &addr, who, &reference, done, AnswerInput::default()).await
}

pub(super) async fn answer(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(reference): Path<String>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let input = AnswerInput {
        outcome: field(&pairs, "outcome"),
        answer: field(&pairs, "answer"),
        changes: field(&pairs, "changes"),
        public: field(&pairs, "public") == "yes",
    };
    let done = use_case::answer(state.store.as_ref(), &who.actor(&addr), &reference, &input).await;
    after(&state, &addr, who, &reference, done, input).await
}

pub(super) async fn close(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(reference): Path<String>,
    Signed { who, .. }: Signed<TokenOnly>,
) -> Result<Response, WebError> {
    let done = use_case::close(state.store.as_ref(), &who.actor(&addr), &reference).await;
    after(&state, &addr, who, &reference, done, AnswerInput::default()).await
}
