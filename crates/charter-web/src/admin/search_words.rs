//! The site administrator's page for search words: groups of words that mean the same to
//! someone searching (synonyms). The rules are in `charter_core::search::synonyms`, saving in
//! `charter_app::search`.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use charter_app::AppError;
use charter_core::search::ParamError;

use crate::account::{ClientAddr, Person, Signed, SignedIn};
use crate::error::{params, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/manage/search-words", get(show).post(save))
}

#[derive(Template)]
#[template(path = "search-words.html")]
struct Page {
    active: &'static str,
    who: SignedIn,
    lines: String,
    rows: usize,
    errors: Vec<ParamError>,
    saved: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct WordsForm {
    synonyms: String,
}

fn page(who: SignedIn, lines: String, errors: Vec<ParamError>, saved: bool) -> Page {
    Page {
        active: "manage",
        who,
        rows: (lines.lines().count() + 3).clamp(8, 40),
        lines,
        errors,
        saved,
    }
}

async fn show(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let lines =
        charter_app::search::synonyms_lines(state.store.as_ref(), &who.actor(&addr)).await?;
    let saved = query.as_deref() == Some("saved");
    Ok(render(&page(who, lines, Vec::new(), saved), StatusCode::OK))
}

async fn save(
    State(state): State<AppState>,
    addr: ClientAddr,
    Signed { who, form }: Signed<WordsForm>,
) -> Result<Response, WebError> {
    let actor = who.actor(&addr);
    match charter_app::search::synonyms_save(state.store.as_ref(), &actor, &form.synonyms).await {
        Ok(()) => Ok(Redirect::to("/manage/search-words?saved").into_response()),
        Err(AppError::Invalid(problems)) => {
            let errors = params(problems, "synonyms");
            Ok(render(
                &page(who, form.synonyms, errors, false),
                StatusCode::BAD_REQUEST,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
