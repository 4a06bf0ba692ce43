//! The API's own extractors: like axum's, but every refusal is a problem document that says
//! what is wrong and how to put it right, never axum's plain-text rejection.

use axum::body::Bytes;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams, Request};
use axum::http::header;
use axum::http::request::Parts;
use charter_core::search::ParamError;
use charter_core::{Project, ProjectId, Slug};
use charter_store::OrganisationSummary;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::ApiError;
use crate::{AppState, WebError};

/// The parameters in the address, as [`Path`] reads them; a value that does not fit (a number
/// too large, letters where a number goes, bytes that are not UTF-8) is a 400 problem document
/// naming the parameter.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => {
                // A single value (`ApiPath<i64>`) is read without its name: take it from the route.
                let names: Vec<String> = RawPathParams::from_request_parts(parts, state)
                    .await
                    .map(|params| params.iter().map(|(k, _)| k.to_owned()).collect())
                    .unwrap_or_default();
                let only = match names.as_slice() {
                    [one] => one.as_str(),
                    _ => "path",
                };
                Err(ApiError(path_error(rejection, only)))
            }
        }
    }
}

/// The project id in the address (`{id}`). Something that is not a project id is answered as an
/// unknown one is: 404, no project has it.
pub struct ProjectPath(pub ProjectId);

impl<S: Send + Sync> FromRequestParts<S> for ProjectPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiPath(id) = ApiPath::<String>::from_request_parts(parts, state).await?;
        let id = id.parse().map_err(|_| ApiError(WebError::NotFound))?;
        Ok(ProjectPath(id))
    }
}

/// The published project whose id is in the address; 404 when there is none.
pub struct Published(pub Project);

impl FromRequestParts<AppState> for Published {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ProjectPath(id) = ProjectPath::from_request_parts(parts, state).await?;
        let project = state.store.project(id).await?;
        Ok(Published(project.ok_or(WebError::NotFound)?))
    }
}

/// The signatory organisation whose slug is in the address (`{slug}`); 404 when there is none.
pub struct Signatory(pub OrganisationSummary);

impl FromRequestParts<AppState> for Signatory {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiPath(slug) = ApiPath::<String>::from_request_parts(parts, state).await?;
        let found = match slug.parse::<Slug>() {
            Ok(parsed) => state.store.organisation(&parsed).await?,
            Err(_) => None,
        };
        match found {
            Some(org) => Ok(Signatory(org)),
            // Says the closest short names there are, and how to add one.
            None => {
                let why = charter_app::organisations::unknown(state.store.as_ref(), &slug).await?;
                Err(ApiError(WebError::Missing(charter_core::capitalise(&why))))
            }
        }
    }
}

/// What a value of a path parameter's type looks like, in words.
fn expected(type_name: &str) -> String {
    match type_name {
        "i64" => format!("a whole number from 1 to {}", i64::MAX),
        "u32" => format!("a whole number from 1 to {}", u32::MAX),
        "u64" => format!("a whole number from 1 to {}", u64::MAX),
        other => format!("a value of type {other}"),
    }
}

/// The start of a value the client sent, to quote back without echoing a whole long address.
fn quoted(value: &str) -> String {
    const MAX_CHARS: usize = 40;
    if value.chars().count() > MAX_CHARS {
        format!("“{}…”", value.chars().take(MAX_CHARS).collect::<String>())
    } else {
        format!("“{value}”")
    }
}

/// The problem with a path: `only` names the route's one parameter, for errors that do not.
fn path_error(rejection: PathRejection, only: &str) -> WebError {
    let bad = |param: &str, message: String| {
        WebError::BadRequest(vec![ParamError {
            param: param.into(),
            message,
        }])
    };
    let PathRejection::FailedToDeserializePathParams(failed) = rejection else {
        // The route and the handler disagree about the parameters: a bug here, not the client's.
        return WebError::Internal(format!("path parameters: {rejection}"));
    };
    match failed.into_kind() {
        ErrorKind::ParseErrorAtKey {
            key,
            value,
            expected_type,
        } => bad(
            &key,
            format!(
                "The {key} in the address must be {}: {} is not.",
                expected(expected_type),
                quoted(&value)
            ),
        ),
        ErrorKind::ParseErrorAtIndex {
            value,
            expected_type,
            ..
        }
        | ErrorKind::ParseError {
            value,
            expected_type,
        } => bad(
            only,
            format!(
                "The {only} in the address must be {}: {} is not.",
                expected(expected_type),
                quoted(&value)
            ),
        ),
        ErrorKind::InvalidUtf8InPathParam { key } => bad(
            &key,
            format!(
                "The {key} in the address is not UTF-8 text once decoded: check how it was percent-encoded."
            ),
        ),
        ErrorKind::DeserializeError { key, value, .. } => bad(
            &key,
            format!(
                "The {key} in the address cannot be read: {} is not one.",
                quoted(&value)
            ),
        ),
        other => WebError::Internal(format!("path parameters: {other}")),
    }
}

/// Bytes in words: "64 KiB", "2 MiB".
pub fn size_in_words(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The body of a route that takes JSON, of at most `MAX` bytes. Refused with 415 when its
/// `Content-Type` says it is something other than JSON (browsers always say what a form sends,
/// so another site's form cannot post here), and with 413, before reading it all, when it is
/// larger than `MAX`. A body without a `Content-Type` is read as JSON.
pub struct JsonBody<const MAX: usize>(pub Bytes);

/// The most a JSON body may be on the routes that set no limit of their own: a whole entry, as
/// the editor's forms take it, or the plain-English checker's 100,000 characters as UTF-8 in
/// JSON. Kept small because the checker is open to anyone (see docs/operating.md's limits).
pub const MAX_JSON_BYTES: usize = crate::editor::ENTRY_BYTES;

impl<S: Send + Sync, const MAX: usize> FromRequest<S> for JsonBody<MAX> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(value) = request.headers().get(header::CONTENT_TYPE) {
            let text = value.to_str().unwrap_or("");
            let essence = text.split(';').next().unwrap_or("").trim();
            let essence = essence.to_ascii_lowercase();
            let json = essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"));
            if !json {
                return Err(ApiError(WebError::UnsupportedMediaType(format!(
                    "This endpoint takes JSON, but the request says its body is {}. Send the body as JSON with the header Content-Type: application/json.",
                    quoted(text)
                ))));
            }
        }
        let bytes = read_at_most(request, MAX, "body").await?;
        Ok(JsonBody(bytes))
    }
}

/// The answer to a body larger than `max`.
pub fn too_large(max: usize, what: &str, advice: &str) -> WebError {
    WebError::TooLarge(format!(
        "The {what} is larger than {}, the most this endpoint takes. {advice}",
        size_in_words(max)
    ))
}

/// True when the request says in advance that its body is larger than `max`.
pub fn declared_larger_than(headers: &axum::http::HeaderMap, max: usize) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > max as u64)
}

/// Reads a whole body of up to `max` bytes; a larger one is refused with 413 as soon as that is
/// clear, without reading the rest.
async fn read_at_most(request: Request, max: usize, what: &str) -> Result<Bytes, ApiError> {
    let advice = "Send a smaller body: one entry, report or text per request.";
    if declared_larger_than(request.headers(), max) {
        return Err(ApiError(too_large(max, what, advice)));
    }
    let mut stream = request.into_body().into_data_stream();
    let mut out = bytes::BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            WebError::BadRequest(vec![ParamError {
                param: what.into(),
                message: format!("The {what} could not be read to the end: {e}. Send it again."),
            }])
        })?;
        if out.len() + chunk.len() > max {
            return Err(ApiError(too_large(max, what, advice)));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_in_words(64 * 1024 * 1024), "64 MiB");
        assert_eq!(size_in_words(64 * 1024), "64 KiB");
        assert_eq!(size_in_words(1000), "1000 bytes");
    }

    #[test]
    fn long_values_are_quoted_in_part() {
        assert_eq!(quoted("LCR-1"), "“LCR-1”");
        let long = "9".repeat(100);
        assert_eq!(quoted(&long), format!("“{}…”", "9".repeat(40)));
    }
}
