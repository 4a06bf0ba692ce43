//! The charter check added up: for the region and for each organisation.

use axum::Json;
use axum::extract::{RawQuery, State};
use charter_core::Slug;
use charter_core::search::ParamError;

use super::{ApiError, Problem};
use crate::{AppState, WebError, query};

/// The charter check added up for the whole region and for each organisation.
#[utoipa::path(get, path = "/api/v1/compliance", tag = "charter check",
    params(("organisation" = Option<Slug>, Query, description = "Only this organisation (slug)")),
    responses(
        (status = 200, body = crate::compliance::Compliance),
        (status = 400, description = "The organisation is not a valid slug", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_compliance(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<crate::compliance::Compliance>, ApiError> {
    let pairs = query::pairs(raw.as_deref()).map_err(WebError::BadRequest)?;
    let only = match pairs.iter().find(|(k, _)| k == "organisation") {
        None => None,
        Some((_, v)) => Some(v.parse::<Slug>().map_err(|e| {
            WebError::BadRequest(vec![ParamError {
                param: "organisation".into(),
                message: e.to_string(),
            }])
        })?),
    };
    let c = crate::compliance::compliance(
        state.store.as_ref(),
        &state.charter,
        charter_app::clock::today(),
        only.as_ref(),
    )
    .await?;
    Ok(Json(c))
}
