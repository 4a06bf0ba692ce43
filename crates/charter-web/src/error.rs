//! The web layer's one error type. Pages render it with the site's error template; the API
//! renders it as an RFC 9457 problem document. Internal details are logged, never shown.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use charter_core::search::ParamError;
use charter_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    /// No valid API token was given.
    #[error("unauthorised")]
    Unauthorised,
    /// The token is valid but may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("bad request")]
    BadRequest(Vec<ParamError>),
    /// The thing changed or moved on since the client read it.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A change that must say which version it changes did not.
    #[error("precondition required: {0}")]
    PreconditionRequired(String),
    /// The request's body is larger than the endpoint takes; says the limit and what to do.
    #[error("too large: {0}")]
    TooLarge(String),
    /// The request's body is not of a type the endpoint reads; says which type to send.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// The address exists, but not for this method (the response's `Allow` lists those it takes).
    #[error("method not allowed: {0}")]
    MethodNotAllowed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Unauthorised => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            WebError::Store(StoreError::Unavailable { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Store(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Logs what went wrong inside; callers then show only a plain message.
    fn log(&self) {
        match self {
            WebError::Store(e) => tracing::error!(error = %e, "store error"),
            WebError::Internal(e) => tracing::error!(error = %e, "internal error"),
            _ => {}
        }
    }

    pub fn title(&self) -> &'static str {
        match self.status() {
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "You cannot do this",
            StatusCode::BAD_REQUEST => "There is a problem with the address",
            StatusCode::CONFLICT => "This has changed since you opened it",
            StatusCode::PAYLOAD_TOO_LARGE => "What you sent is too large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "What you sent is not in a form we can read",
            StatusCode::SERVICE_UNAVAILABLE => "Sorry, the service is unavailable",
            _ => "Sorry, there is a problem with the service",
        }
    }
}

/// The message for one field of a form, for templates' `error_for`.
pub fn error_for<'a>(errors: &'a [ParamError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.param == field)
        .map(|e| e.message.as_str())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    active: &'static str,
    title: &'a str,
    status: u16,
    errors: &'a [ParamError],
}

/// Renders a template, or a plain error if the template itself fails (it should not).
pub fn render(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => (
            status,
            [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service.",
            )
                .into_response()
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let errors = match &self {
            WebError::BadRequest(e) => e.as_slice(),
            _ => &[],
        };
        let status = self.status();
        render(
            &ErrorPage {
                active: "",
                title: self.title(),
                status: status.as_u16(),
                errors,
            },
            status,
        )
    }
}
