//! The public summaries of an organisation's closed breaches: what happened in its own words,
//! the risk, and whether the ICO was told in time. No personal data, no exact times.

use axum::Json;
use axum::extract::State;
use charter_core::breaches::PublicBreach;

use super::extract::Signatory;
use super::problem::{ApiError, Problem};
use crate::AppState;

/// The organisation's closed breaches, the most recently found first.
#[utoipa::path(get, path = "/api/v1/organisations/{slug}/breaches", tag = "organisations",
    params(("slug" = String, Path, description = "Organisation slug, such as knowsley-council", example = "knowsley-council")),
    responses(
        (status = 200, body = Vec<PublicBreach>),
        (status = 400, description = "The slug in the address is not text", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No organisation has this slug", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn list_breaches(
    State(state): State<AppState>,
    Signatory(org): Signatory,
) -> Result<Json<Vec<PublicBreach>>, ApiError> {
    let list = charter_app::breaches::public(state.store.as_ref(), &org.organisation.slug).await?;
    Ok(Json(list))
}
