//! `/organisations`: the signatory organisations.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_store::OrganisationSummary;

use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "organisations.html")]
struct Organisations {
    active: &'static str,
    orgs: Vec<OrganisationSummary>,
}

pub(super) async fn organisations(State(state): State<AppState>) -> Result<Response, WebError> {
    let orgs = state.store.organisations().await?;
    Ok(render(
        &Organisations {
            active: "organisations",
            orgs,
        },
        StatusCode::OK,
    ))
}
