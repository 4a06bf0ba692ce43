//! RFC 9457 problem details: the API's error format.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use charter_core::search::ParamError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::WebError;
use crate::error::{BUSY, BUSY_RETRY_AFTER};

/// An API error. Wraps the web layer's error to render it as JSON instead of a page.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl From<charter_store::StoreError> for ApiError {
    fn from(e: charter_store::StoreError) -> Self {
        ApiError(WebError::Store(e))
    }
}

/// As on the site, except that a problem with the entry as a whole is named `entry`.
impl From<charter_app::AppError> for ApiError {
    fn from(e: charter_app::AppError) -> Self {
        match e {
            charter_app::AppError::Invalid(problems) => ApiError(WebError::BadRequest(
                crate::error::params(problems, "entry"),
            )),
            other => ApiError(other.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        respond(self.0)
    }
}

/// A problem document (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For a bad request: each parameter that is wrong, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ParamError>,
}

fn respond(e: WebError) -> Response {
    let status = e.status();
    let busy = e.is_busy();
    let (title, detail, errors) = match e {
        WebError::NotFound => (
            "Not found",
            "There is nothing at this address.".to_owned(),
            Vec::new(),
        ),
        WebError::Missing(why) => ("Not found", why, Vec::new()),
        WebError::Unauthorised => (
            "Unauthorised",
            "Send your organisation's API token as `Authorization: Bearer TOKEN`. Your organisation's administrator can make one on your organisation's page, under API tokens.".to_owned(),
            Vec::new(),
        ),
        WebError::Forbidden(why) => ("Forbidden", why, Vec::new()),
        WebError::Conflict(why) => ("Conflict", why, Vec::new()),
        WebError::PreconditionRequired(why) => ("Precondition required", why, Vec::new()),
        WebError::TooLarge(why) => ("Content too large", why, Vec::new()),
        WebError::UnsupportedMediaType(why) => ("Unsupported media type", why, Vec::new()),
        WebError::MethodNotAllowed(why) => ("Method not allowed", why, Vec::new()),
        WebError::BadRequest(errors) => (
            "Bad request",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.param, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            errors,
        ),
        other if other.is_busy() => {
            tracing::warn!(error = %other, "API busy");
            (
                "Service unavailable",
                format!("{BUSY}. Nothing was saved."),
                Vec::new(),
            )
        }
        other => {
            tracing::error!(error = %other, "API error");
            let detail = if status == StatusCode::SERVICE_UNAVAILABLE {
                "The register's database is not answering. Try again in a few minutes."
            } else {
                "Something went wrong on our side. Try again later."
            };
            ("Server error", detail.to_owned(), Vec::new())
        }
    };
    let body = Problem {
        kind: "about:blank".to_owned(),
        title: title.to_owned(),
        status: status.as_u16(),
        detail,
        errors,
    };
    let json = serde_json::to_string(&body).unwrap_or_else(|_| "{}".to_owned());
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        json,
    )
        .into_response();
    if busy {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from_static(BUSY_RETRY_AFTER),
        );
    }
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}
