//! Public statistics on residents' challenges and questions: for the region, one organisation or
//! one project.

use axum::Json;
use axum::extract::{RawQuery, State};
use charter_app::AppError;
use charter_app::challenge_stats;
use charter_core::challenge_stats::ChallengeStatistics;
use charter_core::search::ParamError;
use charter_core::{ProjectId, Slug};
use charter_store::challenge_stats::StatsScope;
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiError, Problem};
use crate::{AppState, WebError, query};

#[derive(serde::Deserialize)]
struct Params {
    organisation: Option<String>,
    project: Option<String>,
}

/// The statistics and whose items they count.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsAnswer {
    /// `region`, `organisation` or `project`.
    #[schema(example = "organisation")]
    pub scope: &'static str,
    /// The organisation's short name, when the statistics are for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Slug>,
    /// The project's id, when the statistics are for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<ProjectId>,
    pub statistics: ChallengeStatistics,
}

fn bad(param: &str, message: String) -> WebError {
    WebError::BadRequest(vec![ParamError {
        param: param.into(),
        message,
    }])
}

/// Challenges and questions received, the share answered on time, the median days to answer and
/// the outcomes: for the region, or one organisation or project. Counts from 1 to 9 read “fewer
/// than 10” (`count` is null), and a share or median worked out from one is null.
#[utoipa::path(get, path = "/api/v1/statistics/challenges", tag = "challenges",
    params(
        ("organisation" = Option<Slug>, Query, description = "Only this organisation (short name)"),
        ("project" = Option<ProjectId>, Query, description = "Only this project (id, such as LCR-0042)"),
    ),
    responses(
        (status = 200, body = StatisticsAnswer),
        (status = 400, description = "A parameter is not valid, or both were given", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation or project on the register", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_statistics(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<StatisticsAnswer>, ApiError> {
    let Params {
        organisation,
        project,
    } = query::params(raw.as_deref()).map_err(WebError::BadRequest)?;
    let scope = match (organisation, project) {
        (Some(_), Some(_)) => {
            return Err(bad(
                "project",
                "Give an organisation or a project, not both: a project's figures are part of its organisation's.".into(),
            )
            .into());
        }
        (Some(o), None) => StatsScope::Organisation(
            o.parse::<Slug>()
                .map_err(|e| bad("organisation", e.to_string()))?,
        ),
        (None, Some(p)) => StatsScope::Project(
            p.parse::<ProjectId>()
                .map_err(|e| bad("project", e.to_string()))?,
        ),
        (None, None) => StatsScope::Region,
    };
    let statistics = challenge_stats::statistics(state.store.as_ref(), &scope)
        .await
        .map_err(|e| match (e, &scope) {
            (AppError::NotFound(_), StatsScope::Organisation(slug)) => WebError::Missing(format!(
                "No organisation has the short name “{slug}”: /api/v1/organisations lists them."
            )),
            (AppError::NotFound(_), StatsScope::Project(id)) => WebError::Missing(format!(
                "There is no project {id} on the register: /api/v1/projects lists them."
            )),
            (e, _) => e.into(),
        })?;
    let (scope, organisation, project) = match scope {
        StatsScope::Region => ("region", None, None),
        StatsScope::Organisation(o) => ("organisation", Some(o), None),
        StatsScope::Project(p) => ("project", None, Some(p)),
    };
    Ok(Json(StatisticsAnswer {
        scope,
        organisation,
        project,
        statistics,
    }))
}
