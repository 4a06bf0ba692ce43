//! The signatory organisations, each with its projects.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use charter_app::AppError;
use charter_core::organisation::OrganisationInput;
use charter_core::search::{ParamError, SearchQuery};
use charter_core::{Organisation, Slug};
use charter_store::OrganisationSummary;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::SiteCaller;
use super::extract::{ApiPath, JsonBody, MAX_JSON_BYTES, Signatory};
use super::projects::{ProjectItem, item};
use super::{ApiError, Problem};
use crate::account::ClientAddr;
use crate::{AppState, WebError};

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

/// The organisation's details in the body, as JSON.
fn details(body: &[u8]) -> Result<OrganisationInput, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError(WebError::BadRequest(vec![ParamError {
            param: "organisation".into(),
            message: format!("Send the organisation as a JSON object of text fields: {e}"),
        }]))
    })
}

/// A refusal in the API's words: an unknown short name names the closest ones.
fn refused(e: AppError) -> ApiError {
    match e {
        AppError::NotFound(why) => ApiError(WebError::Missing(charter_core::capitalise(&why))),
        other => other.into(),
    }
}

/// Adds a signatory organisation. For a site administrator's token (scope `organisations`).
/// Every field is text, as a person would type it; `kind` and `boroughs` take short names or
/// labels; `slug` is needed (only `charter org add` makes one from the name).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", operation_id = "add_organisation",
    request_body(content = OrganisationInput, description = "The organisation's details",
        example = json!({"name": "HM Revenue and Customs", "slug": "hmrc", "kind": "central-government", "boroughs": ["liverpool"], "signed_on": "2026-01-05", "contact_email": "ai@hmrc.example", "dpo_email": "dpo@hmrc.example"})),
    security(("bearer" = [])),
    responses(
        (status = 201, body = Organisation, description = "Added",
            headers(("Location" = String, description = "The organisation's address in this API"))),
        (status = 400, description = "Details that are wrong, each named by its field (a taken name or short name too)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token is not a site administrator's", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 512 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn add_organisation(
    State(state): State<AppState>,
    caller: SiteCaller,
    addr: ClientAddr,
    JsonBody(body): JsonBody<MAX_JSON_BYTES>,
) -> Result<Response, ApiError> {
    let input = details(&body)?;
    let org = charter_app::organisations::add(state.store.as_ref(), &caller.acting(&addr), &input)
        .await
        .map_err(refused)?;
    let location = format!("/api/v1/organisations/{}", org.slug);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(org),
    )
        .into_response())
}

/// Changes a signatory organisation's details. The body holds every detail, as for adding; its
/// short name cannot change (leave `slug` out or give the same one). Retiring is done by a site
/// administrator on the web or with `charter org edit --retire`.
#[utoipa::path(put, path = "/api/v1/organisations/{slug}", tag = "organisations", operation_id = "change_organisation",
    params(("slug" = String, Path, description = "Organisation slug, such as knowsley-council", example = "knowsley-council")),
    request_body(content = OrganisationInput, description = "The organisation's details"),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Organisation, description = "Changed"),
        (status = 400, description = "Details that are wrong, each named by its field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token is not a site administrator's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No organisation has this slug; the detail names the closest", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 512 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn change_organisation(
    State(state): State<AppState>,
    caller: SiteCaller,
    addr: ClientAddr,
    ApiPath(slug): ApiPath<String>,
    JsonBody(body): JsonBody<MAX_JSON_BYTES>,
) -> Result<Json<Organisation>, ApiError> {
    let store = state.store.as_ref();
    let Ok(slug) = slug.parse::<Slug>() else {
        let why = charter_app::organisations::unknown(store, &slug).await?;
        return Err(ApiError(WebError::Missing(charter_core::capitalise(&why))));
    };
    let input = details(&body)?;
    let org = charter_app::organisations::change(store, &caller.acting(&addr), &slug, &input)
        .await
        .map_err(refused)?;
    Ok(Json(org))
}
