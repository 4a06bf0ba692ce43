//! The organisations' dataset check: upload a CSV, get back the rows that may be used and the
//! manifest. The upload is streamed through the filter and never stored.

use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use charter_app::optout::{self as use_case, PreparedCheck};
use charter_core::search::ParamError;
use charter_optout::Manifest;
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiError;
use super::auth::{Caller, OptOutCheck};
use super::extract::{JsonBody, declared_larger_than, too_large};
use crate::{AppState, WebError, query};

/// The largest upload accepted; larger datasets belong on the organisation's own machine with
/// `charter optout filter`.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// The answer to an upload over [`MAX_UPLOAD_BYTES`]: the limit, and the two ways on.
fn upload_too_large() -> WebError {
    too_large(
        MAX_UPLOAD_BYTES,
        "upload",
        "Split the file into parts under that size (each with the header row) and check each part, \
         or check the whole file on your own machine with `charter optout filter` and a snapshot \
         from `charter optout snapshot`, which has no size limit.",
    )
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
        .token_by_hash(&charter_app::secrets::token_hash(token))
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
        ("column" = String, Query, description = "The column holding the identifiers", min_length = 1, example = "nhs_number"),
        ("kind" = Option<String>, Query, description = "The kind of identifier in the column: nhs-number (the default) or the short name of a kind the register has set up", example = "nhs-number"),
        ("scope" = Vec<String>, Query, description = "research-planning, ai-training, ai-decisions or project:ID; repeatable", min_items = 1, example = json!(["ai-training"])),
    ),
    request_body(content = String, content_type = "text/csv", description = "The dataset, with a header row; up to 64 MiB",
        example = "nhs_number,name\n9434765919,Ada\n"),
    responses(
        (status = 200, body = CheckResult),
        (status = 400, description = "A parameter or the file is wrong", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not check datasets", body = super::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The upload is larger than 64 MiB: split it, or use `charter optout filter` on your own machine", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn check_dataset(
    State(state): State<AppState>,
    caller: Caller<OptOutCheck>,
    addr: crate::account::ClientAddr,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Result<Json<CheckResult>, ApiError> {
    let organisation = caller.token.organisation.clone();
    if declared_larger_than(&headers, MAX_UPLOAD_BYTES) {
        return Err(upload_too_large().into());
    }
    let keys = state
        .optout
        .clone()
        .ok_or_else(|| WebError::Internal("the opt-out service has no keys".into()))?;
    let pairs = query::pairs(raw.as_deref()).map_err(WebError::BadRequest)?;
    let first = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let scopes: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .collect();
    let check = use_case::prepare_check(
        state.store.as_ref(),
        &keys,
        &organisation,
        first("column"),
        first("kind"),
        &scopes,
    )
    .await
    .map_err(WebError::from)?;
    let scopes = check.scopes.clone();
    let (manifest, kept) = filter_upload(body, check).await?;
    use_case::record_upload(
        state.store.as_ref(),
        &organisation,
        &caller.acting(&addr),
        &scopes,
        &manifest,
    )
    .await
    .map_err(WebError::from)?;
    Ok(Json(CheckResult {
        manifest,
        kept_csv: String::from_utf8_lossy(&kept).into_owned(),
    }))
}

/// Streams the upload through the filter, which runs on a blocking thread: the manifest, and
/// the rows that may be used.
async fn filter_upload(body: Body, check: PreparedCheck) -> Result<(Manifest, Vec<u8>), WebError> {
    let PreparedCheck {
        snapshot,
        kind,
        column,
        scopes,
    } = check;
    let (tx, rx) = std::sync::mpsc::sync_channel(8);
    let over_limit = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let over = over_limit.clone();
    let forward = tokio::spawn(async move {
        let mut stream = body.into_data_stream();
        let mut total = 0usize;
        while let Some(chunk) = stream.next().await {
            let item = chunk.map_err(std::io::Error::other).and_then(|c| {
                total += c.len();
                if total > MAX_UPLOAD_BYTES {
                    over.store(true, std::sync::atomic::Ordering::SeqCst);
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
            &scopes,
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
    if over_limit.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(upload_too_large());
    }
    result.map_err(|e| {
        WebError::BadRequest(vec![ParamError {
            param: "file".into(),
            message: e.to_string(),
        }])
    })
}

/// The largest report accepted: a manifest is a few hundred bytes.
pub const MAX_REPORT_BYTES: usize = 64 * 1024;

pub use charter_app::optout::CheckReport;

/// What the register did with a report.
#[derive(Serialize, ToSchema)]
pub struct ReportReceipt {
    /// False when this same report had already been recorded: it counts once.
    pub recorded: bool,
    pub message: String,
}

/// Report a dataset check made on the organisation's own machine (`charter optout filter` with a
/// snapshot), so that it counts in the public figures like checks made through this API. Send
/// the manifest the filter wrote, as it is: `charter optout filter --report-to` does this. The
/// same report sent again (a retry) counts once. Needs an API token with the `optout-check`
/// scope, of the organisation the snapshot was made for.
#[utoipa::path(post, path = "/api/v1/optout/checks", tag = "opt-out",
    request_body(content = CheckReport, description = "The filter's manifest; up to 64 KiB"),
    responses(
        (status = 200, body = ReportReceipt),
        (status = 400, description = "The report is not a manifest, or does not add up; `errors` says which field", body = super::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = super::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not report checks, or belongs to another organisation", body = super::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB: it is not a manifest", body = super::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn report_check(
    State(state): State<AppState>,
    caller: Caller<OptOutCheck>,
    addr: crate::account::ClientAddr,
    JsonBody(body): JsonBody<MAX_REPORT_BYTES>,
) -> Result<Json<ReportReceipt>, ApiError> {
    let outcome = use_case::report_check(
        state.store.as_ref(),
        &caller.token.organisation,
        &caller.acting(&addr),
        &body,
    )
    .await
    .map_err(WebError::from)?;
    Ok(Json(ReportReceipt {
        recorded: outcome.recorded,
        message: outcome.message,
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
    let version = use_case::current_version(state.store.as_ref())
        .await
        .map_err(WebError::from)?;
    Ok(Json(PublicKey {
        public_key: keys.version(version).public_key().to_string(),
        key_version: version.get(),
    }))
}
