//! The site administrator's identifier kinds pages: the identifiers residents can opt out with
//! besides the NHS number. The rules (names, lengths, what may change while in use) are in
//! `charter_app::identifier_kinds`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use charter_app::AppError;
use charter_app::identifier_kinds::{KindInput, KnownKinds, known_kinds};
use charter_core::accounts::Action;
use charter_core::search::ParamError;
use charter_optout::{IdentifierKind, NhsNumber};
use charter_store::optout::IdentifierKindRecord;

use crate::account::{ClientAddr, Person, Signed, SignedIn, TokenOnly};
use crate::error::params;
use crate::error::render;
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manage/identifier-kinds", get(list).post(add))
        .route("/manage/identifier-kinds/{name}", get(edit).post(change))
        .route("/manage/identifier-kinds/{name}/retire", post(retire))
        .route("/manage/identifier-kinds/{name}/reinstate", post(reinstate))
}

/// One row of the list.
struct Row {
    name: String,
    label: String,
    characters: &'static str,
    length: String,
    retired: bool,
    in_use: bool,
    built_in: bool,
}

fn characters(charset: &str) -> &'static str {
    if charset == "digits" {
        "Digits"
    } else {
        "Letters and digits"
    }
}

fn length(min: u32, max: u32) -> String {
    if min == max {
        format!("{min}")
    } else {
        format!("{min} to {max}")
    }
}

#[derive(Template)]
#[template(path = "identifier-kinds.html")]
struct ListPage {
    active: &'static str,
    who: SignedIn,
    rows: Vec<Row>,
    form: KindInput,
    errors: Vec<ParamError>,
    notice: Option<String>,
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "identifier-kind.html")]
struct EditPage {
    active: &'static str,
    who: SignedIn,
    record: IdentifierKindRecord,
    form: KindInput,
    errors: Vec<ParamError>,
}

impl EditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

fn rows(known: &KnownKinds) -> Vec<Row> {
    let mut rows = vec![Row {
        name: NhsNumber::NAME.to_owned(),
        label: NhsNumber.label().to_owned(),
        characters: "Digits",
        length: "10".into(),
        retired: false,
        in_use: true,
        built_in: true,
    }];
    rows.extend(known.records.iter().map(|r| Row {
        name: r.spec.name.clone(),
        label: r.spec.label.clone(),
        characters: characters(&r.spec.charset),
        length: length(r.spec.min_len, r.spec.max_len),
        retired: r.retired_at.is_some(),
        in_use: r.in_use,
        built_in: false,
    }));
    rows
}

async fn list_page(
    state: &AppState,
    who: SignedIn,
    form: KindInput,
    errors: Vec<ParamError>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let known = known_kinds(state.store.as_ref()).await?;
    Ok(render(
        &ListPage {
            active: "manage",
            who,
            rows: rows(&known),
            form,
            errors,
            notice,
        },
        status,
    ))
}

async fn list(
    State(state): State<AppState>,
    Person(who): Person,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    who.require(Action::ManageIdentifierKinds)?;
    // Said once after a change, which redirects here. Only names of kinds that exist are shown.
    let known = known_kinds(state.store.as_ref()).await?;
    let notice = query.as_deref().and_then(|q| {
        let (what, name) = q.split_once('=')?;
        let record = known.record(name)?;
        let label = &record.spec.label;
        Some(match what {
            "added" => format!("{label} is set up. Residents can now opt out with it."),
            "changed" => format!("{label} is changed."),
            "retired" => format!(
                "{label} is retired. Residents can no longer choose it; opt-outs made with it still apply."
            ),
            "reinstated" => format!("{label} is offered to residents again."),
            _ => return None,
        })
    });
    let form = KindInput {
        charset: "digits".into(),
        ..KindInput::default()
    };
    list_page(&state, who, form, Vec::new(), notice, StatusCode::OK).await
}

async fn add(
    State(state): State<AppState>,
    addr: ClientAddr,
    Signed { who, form }: Signed<KindInput>,
) -> Result<Response, WebError> {
    let form = form.trimmed();
    let added =
        charter_app::identifier_kinds::add(state.store.as_ref(), &who.actor(&addr), &form).await;
    match added {
        Ok(spec) => Ok(
            Redirect::to(&format!("/manage/identifier-kinds?added={}", spec.name)).into_response(),
        ),
        Err(AppError::Invalid(problems)) => {
            let errors = params(problems, "main-content");
            list_page(&state, who, form, errors, None, StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let record =
        charter_app::identifier_kinds::find(state.store.as_ref(), &who.actor(&addr), &name).await?;
    Ok(render(
        &EditPage {
            active: "manage",
            who,
            form: KindInput::of(&record.spec),
            record,
            errors: Vec::new(),
        },
        StatusCode::OK,
    ))
}

async fn change(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(name): Path<String>,
    Signed { who, form }: Signed<KindInput>,
) -> Result<Response, WebError> {
    let form = form.trimmed();
    let actor = who.actor(&addr);
    let store = state.store.as_ref();
    match charter_app::identifier_kinds::change(store, &actor, &name, &form).await {
        Ok(spec) => Ok(
            Redirect::to(&format!("/manage/identifier-kinds?changed={}", spec.name))
                .into_response(),
        ),
        Err(AppError::Invalid(problems)) => {
            // Read again: it may have come into use since the form was opened.
            let record = charter_app::identifier_kinds::find(store, &actor, &name).await?;
            let page = EditPage {
                active: "manage",
                who,
                record,
                form,
                errors: params(problems, "main-content"),
            };
            Ok(render(&page, StatusCode::BAD_REQUEST))
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_retired(
    state: AppState,
    addr: ClientAddr,
    name: String,
    who: SignedIn,
    retire: bool,
) -> Result<Response, WebError> {
    charter_app::identifier_kinds::set_retired(
        state.store.as_ref(),
        &who.actor(&addr),
        &name,
        retire,
    )
    .await?;
    let said = if retire { "retired" } else { "reinstated" };
    Ok(Redirect::to(&format!("/manage/identifier-kinds?{said}={name}")).into_response())
}

async fn retire(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(name): Path<String>,
    Signed { who, .. }: Signed<TokenOnly>,
) -> Result<Response, WebError> {
    set_retired(state, addr, name, who, true).await
}

async fn reinstate(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(name): Path<String>,
    Signed { who, .. }: Signed<TokenOnly>,
) -> Result<Response, WebError> {
    set_retired(state, addr, name, who, false).await
}
