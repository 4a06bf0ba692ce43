//! The signatory organisations, each with its projects.

use axum::Json;
use axum::extract::State;
use charter_core::Organisation;
use charter_core::search::SearchQuery;
use charter_store::OrganisationSummary;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::Signatory;
use super::projects::{ProjectItem, item};
use super::{ApiError, Problem};
use crate::AppState;

/// Every signatory organisation, by name, with project counts.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = Vec<OrganisationSummary>)))]
pub(super) async fn list_organisations(
    State(state): State<AppState>,
) -> Result<Json<Vec<OrganisationSummary>>, ApiError> {
    Ok(Json(state.store.organisations().await?))
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationRecord {
    #[serde(flatten)]
    pub organisation: Organisation,
    pub projects: Vec<ProjectItem>,
    pub url: String,
}

/// One organisation and all its projects.
#[utoipa::path(get, path = "/api/v1/organisations/{slug}", tag = "organisations",
    params(("slug" = String, Path, description = "Organisation slug, such as knowsley-council", example = "knowsley-council")),
    responses(
        (status = 200, body = OrganisationRecord),
        (status = 400, description = "The slug in the address is not text", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No organisation has this slug", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_organisation(
    State(state): State<AppState>,
    Signatory(org): Signatory,
) -> Result<Json<OrganisationRecord>, ApiError> {
    let mut projects = Vec::new();
    let mut q = SearchQuery::new();
    q.organisations = vec![org.organisation.slug.clone()];
    q.sort = charter_core::search::Sort::Title;
    q.per_page = charter_core::search::MAX_PER_PAGE;
    loop {
        let page = state.store.search(&q, false).await?;
        let done = page.items.len() < q.per_page as usize;
        projects.extend(page.items.into_iter().map(item));
        if done {
            break;
        }
        q.page += 1;
    }
    Ok(Json(OrganisationRecord {
        url: format!("/organisations/{}", org.organisation.slug),
        organisation: org.organisation,
        projects,
    }))
}
