//! The dashboard's figures over time: for the region or one organisation, as on any past day.

use axum::Json;
use axum::extract::{RawQuery, State};
use charter_app::AppError;
use charter_app::dashboard::{self, Dashboard};
use charter_core::Slug;
use charter_core::search::ParamError;

use super::{ApiError, Problem};
use crate::{AppState, WebError, query};

/// The parameters the route takes.
#[derive(serde::Deserialize)]
struct Params {
    organisation: Option<String>,
    on: Option<String>,
}

/// How the register has changed over time.
///
/// Entries by stage, the share using AI, principles met and what is overdue, worked out from the
/// published history. Each series has a row for the end of months spread over the history and a
/// last row for the day asked for.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "charter check",
    params(
        ("organisation" = Option<Slug>, Query, description = "Only this organisation (slug)"),
        ("on" = Option<charter_core::Date>, Query, description = "Show the figures as they were on this day (YYYY-MM-DD, today or before); today when left out"),
    ),
    responses(
        (status = 200, body = Dashboard),
        (status = 400, description = "The organisation is not a valid slug, or the day is not a date or has not happened yet", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No organisation has this short name", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_dashboard(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Dashboard>, ApiError> {
    let Params { organisation, on } =
        query::params(raw.as_deref()).map_err(WebError::BadRequest)?;
    let only = match &organisation {
        None => None,
        Some(v) => Some(v.parse::<Slug>().map_err(|e| {
            WebError::BadRequest(vec![ParamError {
                param: "organisation".into(),
                message: e.to_string(),
            }])
        })?),
    };
    let day = dashboard::day_asked(on.as_deref(), charter_app::clock::today())?;
    match dashboard::dashboard(state.store.as_ref(), &state.charter, only.as_ref(), day).await {
        Ok(d) => Ok(Json(d)),
        // Says the closest short names there are, as the organisation's own address does.
        Err(AppError::NotFound(_)) if organisation.is_some() => {
            let typed = organisation.unwrap_or_default();
            let why = charter_app::organisations::unknown(state.store.as_ref(), &typed).await?;
            Err(ApiError(WebError::Missing(charter_core::capitalise(&why))))
        }
        Err(e) => Err(e.into()),
    }
}
