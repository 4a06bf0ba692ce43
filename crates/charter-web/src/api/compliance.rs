//! The charter check added up: for the region and for each organisation.

use axum::Json;
use axum::extract::{RawQuery, State};
use charter_app::compliance::{self, Compliance};
use charter_core::Slug;
use charter_core::search::ParamError;

use super::{ApiError, Problem};
use crate::{AppState, WebError, query};

/// The one parameter the route takes.
#[derive(serde::Deserialize)]
struct Only {
    organisation: Option<String>,
}

/// The charter check added up for the whole region and for each organisation.
#[utoipa::path(get, path = "/api/v1/compliance", tag = "charter check",
    params(("organisation" = Option<Slug>, Query, description = "Only this organisation (slug)")),
    responses(
        (status = 200, body = Compliance),
        (status = 400, description = "The organisation is not a valid slug", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_compliance(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Compliance>, ApiError> {
    let Only { organisation } = query::params(raw.as_deref()).map_err(WebError::BadRequest)?;
    let only = match organisation {
        None => None,
        Some(v) => Some(v.parse::<Slug>().map_err(|e| {
            WebError::BadRequest(vec![ParamError {
                param: "organisation".into(),
                message: e.to_string(),
            }])
        })?),
    };
    let c = compliance::added_up(
        state.store.as_ref(),
        &state.charter,
        charter_app::clock::today(),
        only.as_ref(),
    )
    .await?;
    Ok(Json(c))
}
