//! Signing in and out. The rules (the attempt count, the pause) are in `charter_app::sign_in`.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_app::sign_in::SignIn;
use charter_core::search::ParamError;

use super::extractors::{ClientAddr, Form, Signed, TokenOnly, err};
use super::{SignedIn, session};
use crate::error::params;
use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "sign-in.html")]
struct SignInPage {
    active: &'static str,
    email: String,
    errors: Vec<ParamError>,
    notice: Option<&'static str>,
}

impl SignInPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct SignInForm {
    email: String,
    password: String,
}

pub(super) async fn page(RawQuery(raw): RawQuery) -> Response {
    let notice = match raw.as_deref() {
        Some("password-set") => Some("Your password is set. Sign in with it now."),
        Some("signed-out") => Some("You have signed out."),
        _ => None,
    };
    render(
        &SignInPage {
            active: "sign-in",
            email: String::new(),
            errors: Vec::new(),
            notice,
        },
        StatusCode::OK,
    )
}

pub(super) async fn sign_in(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    signed_in: axum::Extension<Option<SignedIn>>,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let page = |errors: Vec<ParamError>, status| {
        render(
            &SignInPage {
                active: "sign-in",
                email: form.email.trim().to_lowercase(),
                errors,
                notice: None,
            },
            status,
        )
    };
    let replacing = signed_in.0.as_ref().map(|s| s.id_hash.as_str());
    let outcome = charter_app::sign_in::sign_in(
        state.store.as_ref(),
        &form.email,
        &form.password,
        replacing,
        &addr.0,
    )
    .await;
    match outcome {
        Ok(SignIn::Started { session_id, .. }) => {
            let mut response = Redirect::to("/manage").into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                session::set_cookie(&session_id, session::secure(&headers)),
            );
            Ok(response)
        }
        Ok(SignIn::Refused) => Ok(page(
            vec![err("email", "The email address or password is wrong")],
            StatusCode::UNAUTHORIZED,
        )),
        Ok(SignIn::Paused { minutes }) => {
            let mut paused = page(
                vec![err(
                    "email",
                    format!(
                        "Too many tries for this account. Wait {minutes} minutes, or reset your password."
                    ),
                )],
                StatusCode::TOO_MANY_REQUESTS,
            );
            paused
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(minutes * 60));
            Ok(paused)
        }
        Err(AppError::Invalid(problems)) => Ok(page(
            params(problems, "main-content"),
            StatusCode::BAD_REQUEST,
        )),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn sign_out(
    State(state): State<AppState>,
    Signed { who, .. }: Signed<TokenOnly>,
) -> Result<Response, WebError> {
    charter_app::sign_in::sign_out(state.store.as_ref(), &who.id_hash).await?;
    let mut response = Redirect::to("/sign-in?signed-out").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session::clear_cookie());
    Ok(response)
}
