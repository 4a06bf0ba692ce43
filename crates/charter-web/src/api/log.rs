//! The register's history: the hash chain of every published version, and each entry's versions.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use charter_core::search::ParamError;
use charter_core::{Project, ProjectId};
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::{ApiPath, ProjectPath};
use super::{ApiError, Problem};
use crate::{AppState, WebError, query};

/// Every published version of a project, oldest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/versions", tag = "history",
    params(("id" = String, Path, description = "Project id, such as LCR-0042", pattern = "^LCR-[0-9]{4,9}$", example = "LCR-0001")),
    responses(
        (status = 200, body = Vec<charter_core::chain::Link>),
        (status = 400, description = "The id in the address is not text", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No project has this id", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn list_versions(
    State(state): State<AppState>,
    ProjectPath(id): ProjectPath,
) -> Result<Json<Vec<charter_core::chain::Link>>, ApiError> {
    let links = state.store.versions(id).await?;
    if links.is_empty() {
        return Err(WebError::NotFound.into());
    }
    Ok(Json(links))
}

/// The address of one published version.
#[derive(serde::Deserialize)]
pub(super) struct VersionPath {
    id: String,
    version: u32,
}

/// One published version exactly as hashed: the canonical JSON whose BLAKE3 hash is the link's
/// `content_hash`.
#[utoipa::path(get, path = "/api/v1/projects/{id}/versions/{version}", tag = "history",
    params(
        ("id" = String, Path, description = "Project id, such as LCR-0042", pattern = "^LCR-[0-9]{4,9}$", example = "LCR-0001"),
        ("version" = u32, Path, description = "Version number, from 1", minimum = 1, example = 1),
    ),
    responses(
        (status = 200, description = "The entry as published in that version", body = Project),
        (status = 400, description = "The version is not a whole number from 1 to 4294967295", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such version", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_version(
    State(state): State<AppState>,
    ApiPath(VersionPath { id, version }): ApiPath<VersionPath>,
) -> Result<Response, ApiError> {
    let id: ProjectId = id.parse().map_err(|_| WebError::NotFound)?;
    let link = state
        .store
        .versions(id)
        .await?
        .into_iter()
        .find(|l| l.version == version)
        .ok_or(WebError::NotFound)?;
    // The link's content is the one entry of the log just after its predecessor.
    let content = state
        .store
        .log(link.seq - 1, 1)
        .await?
        .into_iter()
        .next()
        .ok_or(WebError::NotFound)?
        .content;
    Ok(([(header::CONTENT_TYPE, "application/json")], content).into_response())
}

/// A page of the register's hash chain.
#[derive(Serialize, ToSchema)]
pub struct Log {
    /// The newest link's hash; `null` before anything is published.
    pub head: Option<charter_core::chain::Hash>,
    /// How many links the chain has.
    pub length: u64,
    pub links: Vec<charter_core::chain::Link>,
    /// The next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The register's hash chain: every published version of every entry, in order. To check it,
/// recompute each link's hash from its fields (see the project's docs/history.md) and each
/// content hash from `/api/v1/projects/{id}/versions/{version}`.
#[utoipa::path(get, path = "/api/v1/log", tag = "history",
    params(
        ("after" = Option<u64>, Query, description = "Start after this link (default 0: from the first)", maximum = 4_294_967_295_f64),
        ("limit" = Option<u32>, Query, description = "Links per page, 1 to 1000 (default 100)", minimum = 1, maximum = 1000),
    ),
    responses(
        (status = 200, body = Log),
        (status = 400, description = "A parameter is wrong", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_log(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Log>, ApiError> {
    let pairs = query::pairs(raw.as_deref()).map_err(WebError::BadRequest)?;
    let mut errors = Vec::new();
    let mut number = |name: &str, default: u64, min: u64, max: u64| -> u64 {
        match pairs.iter().find(|(k, _)| k == name) {
            None => default,
            Some((_, v)) => match v.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    errors.push(ParamError {
                        param: name.into(),
                        message: format!("{name} must be a whole number from {min} to {max}"),
                    });
                    default
                }
            },
        }
    };
    let after = number("after", 0, 0, u64::from(u32::MAX));
    // As documented, from 1: a page of no links would never move on.
    let limit = number("limit", 100, 1, 1000) as u32;
    if !errors.is_empty() {
        return Err(WebError::BadRequest(errors).into());
    }
    let head = state.store.chain_head().await?;
    let links: Vec<_> = state
        .store
        .log(after, limit)
        .await?
        .into_iter()
        .map(|stored| stored.link)
        .collect();
    let length = head.as_ref().map_or(0, |h| h.seq);
    let next = links
        .last()
        .filter(|l| l.seq < length)
        .map(|l| format!("/api/v1/log?after={}&limit={limit}", l.seq));
    Ok(Json(Log {
        head: head.map(|h| h.hash),
        length,
        links,
        next,
    }))
}
