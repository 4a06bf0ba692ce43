//! Setting a password with a one-time link, and asking for a link to reset it. The hashing
//! itself is `charter_app::passwords`, re-exported here for the tests that set a password
//! directly.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::accounts::is_link_token;
use charter_core::accounts::LINK_DAYS;
use charter_core::search::ParamError;
use charter_store::accounts::LinkProblem;

pub use charter_app::passwords::{hash, verify};

use super::extractors::{ClientAddr, Form};
use crate::error::params;
use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    active: &'static str,
    title: &'static str,
    lines: Vec<String>,
}

fn link_problem(p: LinkProblem) -> Response {
    let (title, line) = match p {
        LinkProblem::Used => (
            "This link has already been used",
            "Each link works once. If you need to set your password again, ask for a new link."
                .to_owned(),
        ),
        LinkProblem::Expired => (
            "This link has expired",
            format!(
                "Links work for {LINK_DAYS} days, and stop working once a new password is set. Ask for a new one."
            ),
        ),
        LinkProblem::Unknown => (
            "This link does not work",
            "Check you copied the whole link. If it still does not work, ask for a new one."
                .to_owned(),
        ),
    };
    render(
        &MessagePage {
            active: "",
            title,
            lines: vec![
                line,
                "You can ask for a new link on the reset password page.".to_owned(),
            ],
        },
        StatusCode::GONE,
    )
}

#[derive(Template)]
#[template(path = "set-password.html")]
struct SetPasswordPage {
    active: &'static str,
    token: String,
    errors: Vec<ParamError>,
}

impl SetPasswordPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct SetPasswordForm {
    password: String,
    confirm: String,
}

pub(super) async fn set_password_page(Path(token): Path<String>) -> Response {
    if !is_link_token(&token) {
        return link_problem(LinkProblem::Unknown);
    }
    render(
        &SetPasswordPage {
            active: "",
            token,
            errors: Vec::new(),
        },
        StatusCode::OK,
    )
}

pub(super) async fn set_password(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, WebError> {
    let set = charter_app::accounts::set_password(
        state.store.as_ref(),
        &token,
        &form.password,
        &form.confirm,
        &addr.0,
    )
    .await;
    match set {
        Ok(Ok(_)) => Ok(Redirect::to("/sign-in?password-set").into_response()),
        Ok(Err(problem)) => Ok(link_problem(problem)),
        Err(AppError::Invalid(problems)) => Ok(render(
            &SetPasswordPage {
                active: "",
                token,
                errors: params(problems, "main-content"),
            },
            StatusCode::BAD_REQUEST,
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "reset-password.html")]
struct ResetPage {
    active: &'static str,
    errors: Vec<ParamError>,
    sent: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct ResetForm {
    email: String,
}

pub(super) async fn reset_page() -> Response {
    render(
        &ResetPage {
            active: "",
            errors: Vec::new(),
            sent: false,
        },
        StatusCode::OK,
    )
}

/// Sends a reset link when the address has an account; says the same either way, so the page
/// does not reveal who has one.
pub(super) async fn reset(
    State(state): State<AppState>,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    let link = match charter_app::accounts::request_reset(
        state.store.as_ref(),
        &form.email,
        state.mail.is_some(),
    )
    .await
    {
        Ok(link) => link,
        Err(AppError::Invalid(problems)) => {
            return Ok(render(
                &ResetPage {
                    active: "",
                    errors: params(problems, "main-content"),
                    sent: false,
                },
                StatusCode::BAD_REQUEST,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if let (Some(link), Some(mailer)) = (link, &state.mail) {
        // The page says the same whether or not the address has an account, so a failure to
        // send is logged rather than shown.
        if let Err(e) = crate::mail::send_link(
            mailer,
            &state.public_url,
            &link.email,
            "Reset your password",
            &link.path(),
        )
        .await
        {
            tracing::error!(error = %e, "a password reset link was not sent");
        }
    }
    Ok(render(
        &ResetPage {
            active: "",
            errors: Vec::new(),
            sent: true,
        },
        StatusCode::OK,
    ))
}
