//! `/organisations`: the signatory organisations.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_store::OrganisationSummary;

use super::filters;
use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "organisations.html")]
struct Organisations {
    active: &'static str,
    orgs: Vec<OrganisationSummary>,
    /// How many have left the charter: the caption counts them apart.
    former: usize,
}

pub(super) async fn organisations(State(state): State<AppState>) -> Result<Response, WebError> {
    let orgs = state.store.organisations().await?;
    let former = orgs.iter().filter(|o| o.organisation.is_retired()).count();
    Ok(render(
        &Organisations {
            active: "organisations",
            orgs,
            former,
        },
        StatusCode::OK,
    ))
}
