//! `/account/notifications`: which emails a signed-in person gets about what happens on the
//! register. The rules are `charter_app::notices::choices`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::notices::choices::{self, Choice};
use charter_core::search::ParamError;

use super::SignedIn;
use super::extractors::{ClientAddr, Person, SignedForm};
use crate::error::{params, render};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    active: &'static str,
    who: SignedIn,
    choices: Vec<Choice>,
    errors: Vec<ParamError>,
    saved: bool,
}

fn page(who: SignedIn, choices: Vec<Choice>, errors: Vec<ParamError>, saved: bool) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(
        &NotificationsPage {
            active: "manage",
            who,
            choices,
            errors,
            saved,
        },
        status,
    )
}

pub(super) async fn show(
    State(state): State<AppState>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    Person(who): Person,
) -> Result<Response, WebError> {
    let actor = who.actor(&ClientAddr(String::new()));
    let choices = choices::choices(state.store.as_ref(), &actor).await?;
    let saved = query.as_deref() == Some("saved");
    Ok(page(who, choices, Vec::new(), saved))
}

pub(super) async fn save(
    State(state): State<AppState>,
    addr: ClientAddr,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let on: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "notices")
        .map(|(_, v)| v)
        .collect();
    let actor = who.actor(&addr);
    match choices::choose(state.store.as_ref(), &actor, &on).await {
        // After a post, a fresh page: reloading it does not send the form again.
        Ok(_) => Ok(Redirect::to("/account/notifications?saved").into_response()),
        Err(AppError::Invalid(problems)) => {
            let choices = choices::choices(state.store.as_ref(), &actor).await?;
            Ok(page(who, choices, params(problems, "notices"), false))
        }
        Err(e) => Err(e.into()),
    }
}
