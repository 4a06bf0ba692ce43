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
    /// Not found, saying what to do instead (an unknown short name names the closest ones).
    #[error("not found: {0}")]
    Missing(String),
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
            WebError::NotFound | WebError::Missing(_) => StatusCode::NOT_FOUND,
            WebError::Unauthorised => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            WebError::Store(StoreError::Unavailable { .. } | StoreError::Busy { .. }) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            WebError::Store(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Another write held the database too long: worth trying again in a moment, not a fault.
    pub fn is_busy(&self) -> bool {
        matches!(self, WebError::Store(StoreError::Busy { .. }))
    }

    /// Logs what went wrong inside; callers then show only a plain message.
    fn log(&self) {
        match self {
            WebError::Store(e @ StoreError::Busy { .. }) => {
                tracing::warn!(error = %e, "store busy")
            }
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
            StatusCode::CONFLICT => "You cannot do this now",
            _ if self.is_busy() => BUSY,
            StatusCode::PAYLOAD_TOO_LARGE => "What you sent is too large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "What you sent is not in a form we can read",
            StatusCode::SERVICE_UNAVAILABLE => "Sorry, the service is unavailable",
            _ => "Sorry, there is a problem with the service",
        }
    }
}

impl From<charter_app::AppError> for WebError {
    fn from(e: charter_app::AppError) -> Self {
        use charter_app::AppError;
        match e {
            AppError::Forbidden(why) => WebError::Forbidden(why),
            AppError::NotFound(_) => WebError::NotFound,
            // A problem with the whole entry is shown at the top of the page.
            AppError::Invalid(problems) => WebError::BadRequest(params(problems, "main-content")),
            AppError::Conflict(why) => WebError::Conflict(why),
            AppError::Store(e) => WebError::Store(e),
            e @ (AppError::Randomness(_) | AppError::Internal(_)) => {
                WebError::Internal(e.to_string())
            }
        }
    }
}

/// The application's problems as named parameters; `whole` names a problem with no field.
pub fn params(problems: Vec<charter_app::Problem>, whole: &str) -> Vec<ParamError> {
    problems
        .into_iter()
        .map(|p| ParamError {
            param: if p.field.is_empty() {
                whole.to_owned()
            } else {
                p.field
            },
            message: p.message,
        })
        .collect()
}

/// What a page or API answer says when the database is busy with another write.
pub const BUSY: &str = "The register is busy: try again in a few seconds";

/// How long to tell a client to wait when the database is busy, in seconds.
pub const BUSY_RETRY_AFTER: &str = "5";

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
    /// Busy rather than broken: say so, and that trying again works.
    busy: bool,
    errors: &'a [ParamError],
    /// Why it cannot be done now (a conflict says why and what would change it).
    why: Option<&'a str>,
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
        let why = match &self {
            WebError::Conflict(why) => Some(why.as_str()),
            _ => None,
        };
        let status = self.status();
        let mut response = render(
            &ErrorPage {
                active: "",
                title: self.title(),
                status: status.as_u16(),
                busy: self.is_busy(),
                errors,
                why,
            },
            status,
        );
        if self.is_busy() {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(BUSY_RETRY_AFTER),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};

    fn busy() -> WebError {
        WebError::Store(StoreError::Busy {
            url: "sqlite:charter.sqlite".into(),
        })
    }

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// A write that waited out the busy timeout is "try again", never a server fault.
    #[tokio::test]
    async fn a_busy_database_is_503_with_retry_after_on_pages_and_the_api() {
        let page = busy().into_response();
        assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(page.headers()[RETRY_AFTER], BUSY_RETRY_AFTER);
        assert!(body(page).await.contains(BUSY));

        let api = crate::api::ApiError(busy()).into_response();
        assert_eq!(api.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(api.headers()[RETRY_AFTER], BUSY_RETRY_AFTER);
        assert_eq!(api.headers()[CONTENT_TYPE], "application/problem+json");
        let doc: serde_json::Value = serde_json::from_str(&body(api).await).unwrap_or_default();
        assert_eq!(doc["status"], 503);
        assert!(
            doc["detail"].as_str().unwrap_or("").starts_with(BUSY),
            "{doc}"
        );
    }
}
