//! The JSON API (`/api/v1`): the register as open data, free to use, and the organisations' write
//! endpoints (drafts, opt-out checks) behind API tokens. One module per area; this one only routes.
//! The OpenAPI 3.1 document is generated from the handlers' annotations (`openapi`).

use axum::Router;
use axum::routing::{get, post};

use crate::{AppState, WebError};

mod auth;
mod breaches;
mod compliance;
mod dashboard;
mod drafts;
mod extract;
mod law;
mod log;
mod openapi;
mod optout;
mod organisations;
mod problem;
mod projects;
mod statistics;
mod suggestions;
mod text;

pub use extract::MAX_JSON_BYTES;
pub use openapi::ApiDoc;
pub use problem::{ApiError, Problem};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/projects", get(projects::list_projects))
        .route("/api/v1/projects/{id}", get(projects::get_project))
        .route(
            "/api/v1/projects/{id}/check",
            get(projects::get_project_check),
        )
        .route("/api/v1/suggestions", get(suggestions::suggestions))
        .route("/api/v1/compliance", get(compliance::get_compliance))
        .route(
            "/api/v1/statistics/challenges",
            get(statistics::get_statistics),
        )
        .route("/api/v1/law-changes", get(law::list_law_changes))
        .route("/api/v1/dashboard", get(dashboard::get_dashboard))
        .route("/api/v1/projects/{id}/versions", get(log::list_versions))
        .route(
            "/api/v1/projects/{id}/versions/{version}",
            get(log::get_version),
        )
        .route("/api/v1/log", get(log::get_log))
        .route("/api/v1/text/check", post(text::check_text))
        .route("/api/v1/optout/public-key", get(optout::public_key))
        .route(
            "/api/v1/optout/check",
            post(optout::check_dataset).layer(axum::extract::DefaultBodyLimit::max(
                optout::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/api/v1/optout/checks", post(optout::report_check))
        .route("/api/v1/drafts", get(drafts::list).post(drafts::create))
        .route(
            "/api/v1/drafts/{id}",
            get(drafts::get_one).put(drafts::replace),
        )
        .route("/api/v1/drafts/{id}/submit", post(drafts::submit))
        .route(
            "/api/v1/organisations",
            get(organisations::list_organisations).post(organisations::add_organisation),
        )
        .route(
            "/api/v1/organisations/{slug}",
            get(organisations::get_organisation).put(organisations::change_organisation),
        )
        .route(
            "/api/v1/organisations/{slug}/breaches",
            get(breaches::list_breaches),
        )
        .route(
            "/api/v1/{*rest}",
            axum::routing::any(|| async { ApiError(WebError::NotFound) }),
        )
        .route("/api/openapi.json", get(openapi::openapi_json))
        .method_not_allowed_fallback(method_not_allowed)
}

/// A method an API address does not take: a problem document (axum adds the `Allow` header).
async fn method_not_allowed(method: axum::http::Method) -> ApiError {
    ApiError(WebError::MethodNotAllowed(format!(
        "This address does not take {method} requests: the Allow header lists the methods it takes."
    )))
}
