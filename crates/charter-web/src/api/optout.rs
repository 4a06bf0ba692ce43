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
use serde::{Deserialize, Serialize};
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
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Result<Json<CheckResult>, ApiError> {
    let organisation = caller.token.organisation;
    if declared_larger_than(&headers, MAX_UPLOAD_BYTES) {
        return Err(upload_too_large().into());
    }
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
    if over_limit.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(upload_too_large().into());
    }
    let (manifest, kept) = result.map_err(|e| bad("file", e.to_string()))?;
    state
        .store
        .check_record(&CheckRecord {
            organisation: organisation.to_string(),
            checked_at: charter_app::clock::now().into(),
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
            identifier_kind: manifest.identifier_kind.clone(),
            snapshot_created: None,
            key_version: None,
            report_hash: None,
        })
        .await
        .map_err(WebError::from)?;
    Ok(Json(CheckResult {
        manifest,
        kept_csv: String::from_utf8_lossy(&kept).into_owned(),
    }))
}

/// The largest report accepted: a manifest is a few hundred bytes.
pub const MAX_REPORT_BYTES: usize = 64 * 1024;

/// A dataset check made on the organisation's own machine with a snapshot: the manifest that
/// `charter optout filter` writes, as it is. Counts, settings and checksums only: never
/// identifiers or the contents of any row.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CheckReport {
    /// BLAKE3 of the whole input file, 64 lower-case hex digits.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub input_blake3: String,
    pub input_bytes: u64,
    /// Data rows read: always `rows_kept + rows_removed + rows_invalid`.
    pub rows_in: u64,
    pub rows_kept: u64,
    pub rows_removed: u64,
    pub rows_invalid: u64,
    /// Invalid rows by reason (not recorded).
    #[serde(default)]
    pub invalid_reasons: std::collections::BTreeMap<String, u64>,
    /// The identifier column's name (not recorded), up to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub column: String,
    /// The kind of identifier checked: nhs-number or a kind the register has set up.
    pub identifier_kind: String,
    /// The scopes asked for: research-planning, ai-training, ai-decisions, organisation:SLUG or project:ID.
    #[schema(min_items = 1)]
    pub scopes: Vec<String>,
    /// The scopes applied: those asked for and the organisation's own.
    pub scopes_applied: Vec<String>,
    /// The organisation the snapshot was made for: the token's.
    pub organisation: String,
    /// The snapshot's id, 32 lower-case hex digits.
    #[schema(pattern = "^[0-9a-f]{32}$")]
    pub snapshot_id: String,
    /// When the snapshot was made, RFC 3339.
    pub snapshot_created: String,
    /// When the snapshot expires, RFC 3339.
    pub snapshot_expires: String,
    /// The key version the snapshot was made with, from 1 to the register's current one.
    #[schema(minimum = 1)]
    pub key_version: u32,
}

/// What the register did with a report.
#[derive(Serialize, ToSchema)]
pub struct ReportReceipt {
    /// False when this same report had already been recorded: it counts once.
    pub recorded: bool,
    pub message: String,
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Reads and checks a report; the errors name each field that is wrong.
async fn check_report(
    state: &AppState,
    organisation: &charter_core::Slug,
    body: &[u8],
) -> Result<(CheckReport, Vec<Scope>, time::OffsetDateTime), WebError> {
    use time::format_description::well_known::Rfc3339;
    let err = |param: &str, message: String| ParamError {
        param: param.into(),
        message,
    };
    let report: CheckReport = serde_json::from_slice(body).map_err(|e| {
        // serde's words can quote a value; only "missing field" ones are passed on.
        let what = e.to_string();
        let message = match what.find("missing field") {
            Some(at) => format!(
                "The body must be the manifest JSON that charter optout filter writes: {}",
                what[at..].split(" at line").next().unwrap_or("")
            ),
            None => format!(
                "The body must be the manifest JSON that charter optout filter writes; it goes wrong at line {}, column {}",
                e.line(),
                e.column()
            ),
        };
        WebError::BadRequest(vec![err("body", message)])
    })?;
    if report.organisation != organisation.as_str() {
        return Err(WebError::Forbidden(format!(
            "This token belongs to {organisation}: it can only report checks made with {organisation}'s snapshots."
        )));
    }
    let mut errors = Vec::new();
    let total = report
        .rows_kept
        .checked_add(report.rows_removed)
        .and_then(|n| n.checked_add(report.rows_invalid));
    if total != Some(report.rows_in) {
        errors.push(err(
            "rows_in",
            "rows_in must equal rows_kept + rows_removed + rows_invalid".into(),
        ));
    }
    if !is_hex(&report.input_blake3, 64) {
        errors.push(err(
            "input_blake3",
            "input_blake3 must be 64 lower-case hex digits".into(),
        ));
    }
    if !is_hex(&report.snapshot_id, 32) {
        errors.push(err(
            "snapshot_id",
            "snapshot_id must be 32 lower-case hex digits".into(),
        ));
    }
    if report.column.trim().is_empty() || report.column.chars().count() > 200 {
        errors.push(err(
            "column",
            "column must name the identifier column, in 200 characters or fewer".into(),
        ));
    }
    let parse_scopes = |name: &str, texts: &[String], errors: &mut Vec<ParamError>| {
        let mut scopes = Vec::new();
        for text in texts {
            match text.parse::<Scope>() {
                Ok(Scope::Organisation(o)) if o != *organisation => errors.push(err(
                    name,
                    format!("{name} names another organisation's scope, organisation:{o}"),
                )),
                Ok(scope) => scopes.push(scope),
                Err(e) => errors.push(err(name, e.to_string())),
            }
        }
        scopes
    };
    let scopes = parse_scopes("scopes", &report.scopes, &mut errors);
    let applied = parse_scopes("scopes_applied", &report.scopes_applied, &mut errors);
    if report.scopes.is_empty() {
        errors.push(err("scopes", "scopes must name at least one scope".into()));
    } else if scopes.iter().any(|s| !applied.contains(s)) {
        errors.push(err(
            "scopes_applied",
            "scopes_applied must include every scope in scopes".into(),
        ));
    }
    let known = crate::optout::known_kinds(state.store.as_ref()).await?;
    if known.kinds.get(&report.identifier_kind).is_none() {
        errors.push(err(
            "identifier_kind",
            format!(
                "There is no identifier kind “{}” on this register; the kinds are: {}",
                report.identifier_kind,
                known
                    .kinds
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let current = crate::optout::current_version(state.store.as_ref()).await?;
    if report.key_version == 0 || report.key_version > current.get() {
        errors.push(err(
            "key_version",
            format!(
                "key_version must be from 1 to {}, the register's key version now",
                current.get()
            ),
        ));
    }
    let now = time::OffsetDateTime::now_utc();
    let created = time::OffsetDateTime::parse(&report.snapshot_created, &Rfc3339);
    let expires = time::OffsetDateTime::parse(&report.snapshot_expires, &Rfc3339);
    match (&created, &expires) {
        (Err(_), _) => errors.push(err(
            "snapshot_created",
            "snapshot_created must be a time like 2026-11-30T12:00:00Z".into(),
        )),
        (Ok(c), _) if *c > now + time::Duration::minutes(10) => errors.push(err(
            "snapshot_created",
            "snapshot_created is in the future: no snapshot was made then".into(),
        )),
        (Ok(_), Err(_)) => errors.push(err(
            "snapshot_expires",
            "snapshot_expires must be a time like 2026-12-07T12:00:00Z".into(),
        )),
        (Ok(c), Ok(e)) if e <= c => errors.push(err(
            "snapshot_expires",
            "snapshot_expires must be after snapshot_created".into(),
        )),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(WebError::BadRequest(errors));
    }
    let created = created.map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((report, scopes, created))
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
    let organisation = caller.token.organisation.clone();
    let (report, scopes, created) = check_report(&state, &organisation, &body).await?;
    // The hash of the report as read (fields in a fixed order), so a retry is recognised.
    let canonical = serde_json::to_vec(&report).map_err(|e| WebError::Internal(e.to_string()))?;
    let recorded = state
        .store
        .check_record(&CheckRecord {
            organisation: organisation.to_string(),
            checked_at: charter_app::clock::now().into(),
            method: "snapshot".into(),
            scopes: scopes
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            rows_in: report.rows_in,
            rows_kept: report.rows_kept,
            rows_removed: report.rows_removed,
            rows_invalid: report.rows_invalid,
            identifier_kind: report.identifier_kind.clone(),
            snapshot_created: Some(
                created
                    .to_offset(time::UtcOffset::UTC)
                    .format(&time::format_description::well_known::Rfc3339)
                    .map_err(|e| WebError::Internal(e.to_string()))?,
            ),
            key_version: Some(report.key_version),
            report_hash: Some(blake3::hash(&canonical).to_hex().to_string()),
        })
        .await
        .map_err(WebError::from)?;
    if recorded {
        crate::account::audit(
            &state,
            &caller.actor(),
            "optout-check-report",
            &format!(
                "a check of {} rows by {organisation}, through {}",
                report.rows_in,
                caller.through()
            ),
            &addr.0,
        )
        .await?;
    }
    Ok(Json(ReportReceipt {
        recorded,
        message: if recorded {
            format!(
                "Recorded: a check of {} rows by {organisation}, {} removed.",
                report.rows_in, report.rows_removed
            )
        } else {
            "This check was already reported: it counts once.".into()
        },
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
