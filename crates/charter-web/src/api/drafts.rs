//! The organisations' write API: create and update drafts and submit them for review, with an
//! API token that has the `drafts` scope. Each handler reads the request and calls the same use
//! case as the editor's forms (`charter_app::drafts`), so the API accepts and refuses the same
//! things and leaves the same audit entries.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charter_app::drafts::{self as uses, Changes, NewEntry};
use charter_core::editor::input_from_json;
use charter_core::search::ParamError;
use charter_core::{Project, Timestamp};
use charter_store::drafts::{Draft, DraftConflict};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::{Caller, Drafts};
use super::extract::{ApiPath, JsonBody, MAX_JSON_BYTES};
use super::{ApiError, Problem};
use crate::account::ClientAddr;
use crate::{AppState, WebError};

/// A draft as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct DraftRecord {
    pub id: i64,
    /// Where people review and edit it.
    pub url: String,
    /// editing, submitted, returned or published.
    pub state: String,
    /// Send this back in `If-Match` to change the draft; it moves on with every change.
    pub lock: i64,
    /// The published version it changes; none for a new entry.
    pub base_version: Option<u32>,
    #[schema(value_type = String)]
    pub updated_at: Timestamp,
    pub updated_by: String,
    /// The entry as drafted so far.
    pub entry: Project,
}

fn record(d: Draft) -> DraftRecord {
    DraftRecord {
        url: format!("/manage/drafts/{}", d.id),
        id: d.id,
        state: d.state.slug().into(),
        lock: d.lock,
        base_version: d.base_version,
        updated_at: d.updated_at,
        updated_by: d.updated_by,
        entry: d.entry,
    }
}

fn with_etag(status: StatusCode, d: Draft) -> Response {
    let etag = HeaderValue::from_str(&format!("\"{}\"", d.lock)).ok();
    let mut response = (status, Json(record(d))).into_response();
    if let Some(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// Fields the register keeps itself: ignored when sent, so an entry read from the API
/// (`GET /api/v1/projects/{id}`, which adds the last three) can be sent back as it is.
const KEPT_BY_REGISTER: [&str; 8] = [
    "id",
    "slug",
    "organisation",
    "first_published",
    "last_updated",
    "url",
    "organisation_id",
    "organisation_name",
];

/// The entry in the body, as JSON shaped like a published entry (partial is fine).
fn entry_json(body: &Bytes) -> Result<serde_json::Value, WebError> {
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        WebError::BadRequest(vec![ParamError {
            param: "entry".into(),
            message: format!("Send the entry as a JSON object: {e}"),
        }])
    })?;
    let Some(fields) = value.as_object_mut() else {
        return Err(WebError::BadRequest(vec![ParamError {
            param: "entry".into(),
            message: "Send the entry as a JSON object".into(),
        }]));
    };
    for kept in KEPT_BY_REGISTER {
        fields.remove(kept);
    }
    Ok(value)
}

/// The lock a change is made against, from `If-Match`.
fn if_match(headers: &HeaderMap) -> Result<i64, WebError> {
    let raw = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            WebError::PreconditionRequired(
                "Send the draft's ETag in If-Match, so that nobody's changes are overwritten."
                    .into(),
            )
        })?;
    raw.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map_err(|_| {
            WebError::BadRequest(vec![ParamError {
                param: "If-Match".into(),
                message: format!("“{raw}” is not an ETag this API gave"),
            }])
        })
}

fn conflict(c: DraftConflict) -> WebError {
    match c {
        DraftConflict::Missing => WebError::NotFound,
        DraftConflict::Changed { lock } => WebError::Conflict(format!(
            "The draft changed since you read it: its ETag is now \"{lock}\". Read it again and reapply your change."
        )),
        DraftConflict::State(s) => WebError::Conflict(format!(
            "The draft cannot be changed while it is {}.",
            s.slug()
        )),
    }
}

/// The token's own organisation's draft, or not found (another organisation's drafts do not exist
/// as far as this token knows).
async fn own_draft(state: &AppState, caller: &Caller<Drafts>, id: i64) -> Result<Draft, ApiError> {
    Ok(uses::open(state.store.as_ref(), &caller.reading(), id)
        .await?
        .0)
}

/// A change refused because the draft moved on, in the API's words.
fn moved<T>(outcome: Result<T, DraftConflict>) -> Result<T, ApiError> {
    outcome.map_err(|c| ApiError(conflict(c)))
}

/// Starts a draft of a new entry. The body is the entry as JSON, shaped like `GET
/// /api/v1/projects/{id}` (without `id`, `slug`, `organisation` and the dates the register keeps);
/// `title`, `status`, `uses_ai` and `decision_role` are needed, everything else may follow.
/// The `url`, `organisation_id` and `organisation_name` that `GET /api/v1/projects/{id}` adds
/// are ignored too, so a published entry can be sent back as it is.
#[utoipa::path(post, path = "/api/v1/drafts", tag = "drafts", operation_id = "create_draft",
    request_body(content = Object, description = "The entry, shaped like a published entry; up to 512 KiB",
        example = json!({"title": "Bin collection routes", "status": "planned", "uses_ai": false, "decision_role": "information-only"})),
    security(("bearer" = [])),
    responses(
        (status = 201, body = DraftRecord, description = "Created; the ETag header holds the lock",
            headers(("ETag" = String, description = "The draft's lock, to send back in If-Match"), ("Location" = String, description = "The draft's address in this API"))),
        (status = 400, description = "Answers that are wrong, each named by its field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not write drafts", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 512 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller<Drafts>,
    addr: ClientAddr,
    JsonBody(body): JsonBody<MAX_JSON_BYTES>,
) -> Result<Response, ApiError> {
    let input = input_from_json(&entry_json(&body)?);
    let organisation = &caller.token.organisation;
    let store = state.store.as_ref();
    let draft = uses::create(
        store,
        &caller.acting(&addr),
        organisation,
        NewEntry::Fields(&input),
    )
    .await?;
    let mut response = with_etag(StatusCode::CREATED, draft.clone());
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/drafts/{}", draft.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The organisation's drafts that are not yet published, most recently changed first.
#[utoipa::path(get, path = "/api/v1/drafts", tag = "drafts", operation_id = "list_drafts",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<DraftRecord>),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not read drafts", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller<Drafts>,
) -> Result<Json<Vec<DraftRecord>>, ApiError> {
    let reader = caller.reading();
    let drafts =
        uses::unpublished(state.store.as_ref(), &reader, &caller.token.organisation).await?;
    Ok(Json(drafts.into_iter().map(record).collect()))
}

/// One draft; its ETag is the lock to send in `If-Match` when changing it.
#[utoipa::path(get, path = "/api/v1/drafts/{id}", tag = "drafts", operation_id = "get_draft",
    params(("id" = i64, Path, description = "Draft number", minimum = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = DraftRecord, headers(("ETag" = String, description = "The draft's lock, to send back in If-Match"))),
        (status = 400, description = "The draft number is not a whole number from 1 to 9223372036854775807", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not read drafts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The organisation has no draft with this number", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller<Drafts>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    Ok(with_etag(
        StatusCode::OK,
        own_draft(&state, &caller, id).await?,
    ))
}

/// Replaces a draft's entry with the one sent (fields left out are cleared). Needs `If-Match`
/// with the draft's ETag: a change made against an older read is refused with 409.
#[utoipa::path(put, path = "/api/v1/drafts/{id}", tag = "drafts", operation_id = "replace_draft",
    params(("id" = i64, Path, description = "Draft number", minimum = 1), ("If-Match" = String, Header, description = "The draft's ETag")),
    request_body(content = Object, description = "The whole entry, shaped like a published entry (as `GET /api/v1/projects/{id}` gives it, or partial); up to 512 KiB",
        example = json!({"title": "Bin collection routes", "status": "in-development", "uses_ai": false, "decision_role": "information-only"})),
    security(("bearer" = [])),
    responses(
        (status = 200, body = DraftRecord, headers(("ETag" = String, description = "The draft's new lock"))),
        (status = 400, description = "Answers that are wrong, each named by its field; or the draft number or If-Match is not one this API gave", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not write drafts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The organisation has no draft with this number", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since read, or not editable now", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 512 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller<Drafts>,
    addr: ClientAddr,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<MAX_JSON_BYTES>,
) -> Result<Response, ApiError> {
    own_draft(&state, &caller, id).await?;
    let lock = if_match(&headers)?;
    let input = input_from_json(&entry_json(&body)?);
    let store = state.store.as_ref();
    let saved = uses::save(
        store,
        &caller.acting(&addr),
        id,
        lock,
        Changes::Whole(&input),
    )
    .await?;
    Ok(with_etag(StatusCode::OK, moved(saved)?))
}

#[derive(serde::Deserialize, ToSchema)]
pub struct Submission {
    /// What changed, for the entry's public history; needed for changes to published entries.
    /// Up to 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub note: Option<String>,
}

/// Submits a draft for review, once nothing blocks it. Needs `If-Match`.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/submit", tag = "drafts", operation_id = "submit_draft",
    params(("id" = i64, Path, description = "Draft number", minimum = 1), ("If-Match" = String, Header, description = "The draft's ETag")),
    request_body(content = Submission, description = "Optional for new entries"),
    security(("bearer" = [])),
    responses(
        (status = 200, body = DraftRecord, headers(("ETag" = String, description = "The draft's new lock"))),
        (status = 400, description = "What blocks publishing; or the note, the draft number or If-Match is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not write drafts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The organisation has no draft with this number", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since read, or not submittable now", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 512 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller<Drafts>,
    addr: ClientAddr,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<MAX_JSON_BYTES>,
) -> Result<Response, ApiError> {
    own_draft(&state, &caller, id).await?;
    let lock = if_match(&headers)?;
    let submission: Submission = if body.is_empty() {
        Submission { note: None }
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            WebError::BadRequest(vec![ParamError {
                param: "note".into(),
                message: format!("Send JSON like {{\"note\": \"What changed\"}}: {e}"),
            }])
        })?
    };
    let note = submission.note.unwrap_or_default();
    let actor = caller.acting(&addr);
    let store = state.store.as_ref();
    let submitted = uses::submit(store, &state.charter, &actor, id, lock, &note).await?;
    Ok(with_etag(StatusCode::OK, moved(submitted)?))
}
