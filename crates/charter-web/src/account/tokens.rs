//! Making and revoking an organisation's API tokens from its tools page.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;

use super::extractors::{ClientAddr, Signed, TokenOnly};
use super::tools::{Said, slug, tools};
use crate::error::params;
use crate::{AppState, WebError};

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct TokenForm {
    label: String,
    /// One value per ticked scope.
    scope: Vec<String>,
}

pub(super) async fn create(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(text): Path<String>,
    Signed { who, form }: Signed<TokenForm>,
) -> Result<Response, WebError> {
    let slug = slug(&text)?;
    let made = charter_app::tokens::create(
        state.store.as_ref(),
        &who.actor(&addr),
        &who.user,
        &slug,
        &form.label,
        &form.scope,
    )
    .await;
    let (said, errors, status) = match made {
        Ok(made) => (
            Said {
                new_token: Some(made.token),
                notice: None,
            },
            Vec::new(),
            StatusCode::OK,
        ),
        Err(AppError::Invalid(problems)) => (
            Said::default(),
            params(problems, "main-content"),
            StatusCode::BAD_REQUEST,
        ),
        Err(e) => return Err(e.into()),
    };
    tools(&state, who, &slug, said, errors, status).await
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path((text, id)): Path<(String, i64)>,
    Signed { who, .. }: Signed<TokenOnly>,
) -> Result<Response, WebError> {
    let slug = slug(&text)?;
    // Revoking one already revoked changes nothing and lands on the same page.
    charter_app::tokens::revoke(state.store.as_ref(), &who.actor(&addr), id, Some(&slug)).await?;
    Ok(Redirect::to(&format!("/manage/organisations/{slug}")).into_response())
}
