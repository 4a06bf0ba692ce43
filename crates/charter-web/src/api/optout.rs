//! The organisations' dataset check: upload a CSV, get back the rows that may be used and the
//! manifest. The upload is streamed through the filter and never stored.

use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use charter_core::search::ParamError;
use charter_optout::{Manifest, Scope, Snapshot};
use charter_store::optout::CheckRecord;
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiError;
use crate::{AppState, WebError, query};

/// The largest upload accepted; larger datasets belong on the organisation's own machine with
/// `charter optout filter`.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// The organisation an API token belongs to, if the request carries a live token with `scope`.
pub async fn organisation_for(
    state: &AppState,
    headers: &HeaderMap,
    scope: &str,
) -> Result<charter_core::Slug, WebError> {
    Ok(token_for(state, headers, scope).await?.organisation)
}

/// The live token the request carries, if it has `scope`.
pub async fn token_for(
    state: &AppState,
    headers: &HeaderMap,
    scope: &str,
) -> Result<charter_store::ApiToken, WebError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(WebError::Unauthorised)?;
    let found = state
        .store
        .token_find(&crate::optout::token_hash(token))
        .await?
        .ok_or(WebError::Unauthorised)?;
    if !found.scopes.iter().any(|s| s == scope) {
        return Err(WebError::Forbidden(format!(
            "This token may not be used for {scope}."
        )));
    }
    Ok(found)
}

#[derive(Serialize, ToSchema)]
pub struct CheckResult {
    /// Counts, checksum, scopes and snapshot details. Never which rows were removed.
    #[schema(value_type = Object)]
    pub manifest: Manifest,
    /// The header and every row that may be used, byte for byte as uploaded.
    pub kept_csv: String,
}

/// A blocking reader over the request body's chunks, fed from the async side.
struct ChannelReader {
    rx: std::sync::mpsc::Receiver<Result<bytes::Bytes, std::io::Error>>,
    current: bytes::Bytes,
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => self.current = chunk,
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// Check a dataset against residents' opt-outs. Send the CSV as the body; name the identifier
/// column, its kind (`kind`, NHS numbers by default) and the uses (`scope`, repeatable). Needs an
/// API token with the `optout-check` scope.
#[utoipa::path(post, path = "/api/v1/optout/check", tag = "opt-out",
    params(
        ("column" = String, Query, description = "The column holding the identifiers"),
        ("kind" = Option<String>, Query, description = "The kind of identifier in the column: nhs-number (the default) or the short name of a kind the register has set up"),
        ("scope" = Vec<String>, Query, description = "research-planning, ai-training, ai-decisions or project:ID; repeatable"),
    ),
    request_body(content = String, content_type = "text/csv", description = "The dataset, with a header row; up to 64 MiB"),
    responses(
        (status = 200, body = CheckResult),
        (status = 400, description = "A parameter or the file is wrong", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not check datasets", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn check_dataset(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Result<Json<CheckResult>, ApiError> {
    let organisation = organisation_for(&state, &headers, "optout-check").await?;
    let keys = state
        .optout
        .clone()
        .ok_or_else(|| WebError::Internal("the opt-out service has no keys".into()))?;
    let pairs = query::pairs(raw.as_deref()).map_err(WebError::BadRequest)?;
    let bad = |param: &str, message: String| {
        WebError::BadRequest(vec![ParamError {
            param: param.into(),
            message,
        }])
    };
    let column = pairs
        .iter()
        .find(|(k, _)| k == "column")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if column.is_empty() {
        return Err(bad(
            "column",
            "Name the column that holds the identifiers".into(),
        )
        .into());
    }
    let kind_name = pairs
        .iter()
        .find(|(k, _)| k == "kind")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| charter_optout::NhsNumber::NAME.to_owned());
    let scopes: Vec<Scope> = pairs
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.parse::<Scope>().map_err(|e| bad("scope", e.to_string())))
        .collect::<Result<_, _>>()?;
    if scopes.is_empty() {
        return Err(bad("scope", "Say what the data will be used for: scope=research-planning, ai-training, ai-decisions or project:ID".into()).into());
    }
    let (bytes, _) = crate::optout::build_snapshot(state.store.as_ref(), &keys, &organisation, 1)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let version = crate::optout::current_version(state.store.as_ref())
        .await
        .map_err(WebError::from)?;
    let snapshot = Snapshot::open(
        &bytes,
        &keys.version(version).public_key(),
        &organisation,
        time::OffsetDateTime::now_utc(),
    )
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let kind = snapshot
        .kind(&kind_name)
        .map_err(|e| bad("kind", e.to_string()))?;

    // Stream the upload into the filter, which runs on a blocking thread.
    let (tx, rx) = std::sync::mpsc::sync_channel(8);
    let forward = tokio::spawn(async move {
        let mut stream = body.into_data_stream();
        let mut total = 0usize;
        while let Some(chunk) = stream.next().await {
            let item = chunk.map_err(std::io::Error::other).and_then(|c| {
                total += c.len();
                if total > MAX_UPLOAD_BYTES {
                    Err(std::io::Error::other(format!(
                        "the upload is larger than {} MiB",
                        MAX_UPLOAD_BYTES >> 20
                    )))
                } else {
                    Ok(c)
                }
            });
            let stop = item.is_err();
            if tx.send(item).is_err() || stop {
                break;
            }
        }
    });
    let scopes_for_filter = scopes.clone();
    let result = tokio::task::spawn_blocking(move || {
        let mut kept = Vec::new();
        let reader = ChannelReader {
            rx,
            current: bytes::Bytes::new(),
        };
        let options = charter_optout::FilterOptions {
            threads: 1,
            kind,
            ..charter_optout::FilterOptions::default()
        };
        charter_optout::filter_with_options(
            &snapshot,
            &scopes_for_filter,
            &column,
            reader,
            &mut kept,
            std::io::sink(),
            &options,
            |_| {},
        )
        .map(|manifest| (manifest, kept))
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    forward.abort();
    let (manifest, kept) = result.map_err(|e| bad("file", e.to_string()))?;
    state
        .store
        .record_check(&CheckRecord {
            organisation: organisation.to_string(),
            checked_at: crate::now(),
            method: "upload".into(),
            scopes: scopes
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            rows_in: manifest.rows_in,
            rows_kept: manifest.rows_kept,
            rows_removed: manifest.rows_removed,
            rows_invalid: manifest.rows_invalid,
        })
        .await
        .map_err(WebError::from)?;
    Ok(Json(CheckResult {
        manifest,
        kept_csv: String::from_utf8_lossy(&kept).into_owned(),
    }))
}

/// The register's public key for checking opt-out snapshots
/// (`charter optout filter --public-key`).
#[derive(Serialize, ToSchema)]
pub struct PublicKey {
    /// Ed25519 public key, 64 hex digits.
    pub public_key: String,
    pub key_version: u32,
}

/// The key that signs organisations' opt-out snapshots.
#[utoipa::path(get, path = "/api/v1/optout/public-key", tag = "opt-out",
    responses((status = 200, body = PublicKey)))]
pub async fn public_key(State(state): State<AppState>) -> Result<Json<PublicKey>, ApiError> {
    let keys = state
        .optout
        .clone()
        .ok_or_else(|| WebError::Internal("the opt-out service has no keys".into()))?;
    let version = crate::optout::current_version(state.store.as_ref())
        .await
        .map_err(WebError::from)?;
    Ok(Json(PublicKey {
        public_key: keys.version(version).public_key().to_string(),
        key_version: version.get(),
    }))
}
