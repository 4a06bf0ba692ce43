//! `/manage/law-changes`: the charter body's list of changes in the law or policy, and the form
//! to record one (checking first which entries it touches). The rules are in
//! `charter_core::law`, the use cases in `charter_app::law`.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use charter_app::AppError;
use charter_app::law::Touched;
use charter_core::LawChangeId;
use charter_core::accounts::Action;
use charter_core::law::{DATA_CHOICES, LawChange, LawChangeInput, WAYS};
use charter_core::picklists::{AiKind, LawfulBasis, Topic};
use charter_core::search::ParamError;

use crate::account::{ClientAddr, Person, SignedForm, SignedIn};
use crate::error::{params, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/manage/law-changes", get(list).post(send))
}

#[derive(Template)]
#[template(path = "law-changes.html")]
struct ListPage {
    active: &'static str,
    who: SignedIn,
    changes: Vec<LawChange>,
    form: LawChangeInput,
    errors: Vec<ParamError>,
    /// After "check": the entries the change would touch.
    touched: Option<Touched>,
    notice: Option<String>,
    ways: &'static [(&'static str, &'static str)],
    data_choices: &'static [(&'static str, &'static str)],
    topics: &'static [(&'static str, &'static str)],
    bases: &'static [(&'static str, &'static str)],
    ai_kinds: &'static [(&'static str, &'static str)],
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

async fn page(
    state: &AppState,
    who: SignedIn,
    form: LawChangeInput,
    errors: Vec<ParamError>,
    touched: Option<Touched>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let changes = charter_app::law::list(state.store.as_ref()).await?;
    Ok(render(
        &ListPage {
            active: "manage",
            who,
            changes,
            form,
            errors,
            touched,
            notice,
            ways: WAYS,
            data_choices: DATA_CHOICES,
            topics: Topic::OPTIONS,
            bases: LawfulBasis::OPTIONS,
            ai_kinds: AiKind::OPTIONS,
        },
        status,
    ))
}

async fn list(
    State(state): State<AppState>,
    Person(who): Person,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    who.require(Action::ManageLawChanges)?;
    // Said once after a change is recorded, which redirects here; only a number on the list.
    let recorded = query
        .as_deref()
        .and_then(|q| q.strip_prefix("recorded="))
        .and_then(|id| id.parse::<LawChangeId>().ok());
    let changes = charter_app::law::list(state.store.as_ref()).await?;
    let notice = recorded
        .and_then(|id| changes.iter().find(|c| c.id == id))
        .map(|c| {
            format!(
                "{} is on the list. Each entry it touches now has a task to review it by {}.",
                c.id,
                c.due_on.long()
            )
        });
    page(
        &state,
        who,
        LawChangeInput::default(),
        Vec::new(),
        None,
        notice,
        StatusCode::OK,
    )
    .await
}

/// The form's fields as typed.
fn input(pairs: &[(String, String)]) -> LawChangeInput {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    LawChangeInput {
        title: get("title"),
        what_changed: get("what_changed"),
        in_force: get("in_force"),
        url: get("url"),
        due_on: get("due_on"),
        way: get("way"),
        topic: get("topic"),
        data: get("data"),
        lawful_basis: get("lawful_basis"),
        ai: get("ai"),
        entries: get("entries"),
    }
}

/// "Check" shows which entries the change touches; "Record" saves it. Both refuse a change that
/// touches nothing, with the form as typed.
async fn send(
    State(state): State<AppState>,
    addr: ClientAddr,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let form = input(&pairs);
    let actor = who.actor(&addr);
    let store = state.store.as_ref();
    let save = pairs.iter().any(|(k, v)| k == "action" && v == "record");
    let result = if save {
        charter_app::law::record(store, &actor, &form)
            .await
            .map(|(saved, _)| Ok(saved))
    } else {
        charter_app::law::preview(store, &actor, &form)
            .await
            .map(|(_, touched)| Err(touched))
    };
    match result {
        Ok(Ok(saved)) => {
            Ok(Redirect::to(&format!("/manage/law-changes?recorded={}", saved.id)).into_response())
        }
        Ok(Err(touched)) => {
            page(
                &state,
                who,
                form,
                Vec::new(),
                Some(touched),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Invalid(problems)) => {
            let errors = params(problems, "main-content");
            page(
                &state,
                who,
                form,
                errors,
                None,
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
