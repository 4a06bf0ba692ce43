//! The pages' typed paths: the project or organisation named in the address, read from the store.
//! An id or slug that names nothing (or is not one at all) gets the 404 page, as the API's
//! `ProjectPath`, `Published` and `Signatory` answer 404 problem documents.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use charter_core::{Project, ProjectId, Slug};
use charter_store::{OrganisationSummary, ProjectWithOrganisation};

use crate::{AppState, WebError};

/// The one parameter in the address, as text; axum's own answer when it is not UTF-8.
async fn segment<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<String, Response> {
    let Path(text) = Path::<String>::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(text)
}

fn not_found() -> Response {
    WebError::NotFound.into_response()
}

/// Answers a store error as the handlers do.
fn failed(e: charter_store::StoreError) -> Response {
    WebError::from(e).into_response()
}

/// The project id in the address (`{id}`).
pub struct ProjectPath(pub ProjectId);

impl<S: Send + Sync> FromRequestParts<S> for ProjectPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let id = segment(parts, state).await?;
        Ok(ProjectPath(id.parse().map_err(|_| not_found())?))
    }
}

/// The published project whose id is in the address.
pub struct Published(pub Project);

impl FromRequestParts<AppState> for Published {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ProjectPath(id) = ProjectPath::from_request_parts(parts, state).await?;
        let project = state.store.project(id).await.map_err(failed)?;
        Ok(Published(project.ok_or_else(not_found)?))
    }
}

/// The published project whose id is in the address, with its organisation's record.
pub struct PublishedWithOrganisation(pub ProjectWithOrganisation);

impl FromRequestParts<AppState> for PublishedWithOrganisation {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ProjectPath(id) = ProjectPath::from_request_parts(parts, state).await?;
        let page = state
            .store
            .project_with_organisation(id)
            .await
            .map_err(failed)?;
        Ok(PublishedWithOrganisation(page.ok_or_else(not_found)?))
    }
}

/// The signatory organisation whose slug is in the address (`{slug}`).
pub struct Signatory(pub OrganisationSummary);

impl FromRequestParts<AppState> for Signatory {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let slug: Slug = segment(parts, state)
            .await?
            .parse()
            .map_err(|_| not_found())?;
        let org = state.store.organisation(&slug).await.map_err(failed)?;
        Ok(Signatory(org.ok_or_else(not_found)?))
    }
}
