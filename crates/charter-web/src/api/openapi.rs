//! The OpenAPI 3.1 document of the API, generated from the handlers' annotations and the core
//! types, and served at `/api/openapi.json` (a snapshot of it is `docs/openapi.json`).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use charter_core::search::ParamError;
use utoipa::OpenApi;

use super::{
    ApiError, Problem, breaches, compliance, dashboard, drafts, law, log, optout, organisations,
    projects, statistics, suggestions, text,
};
use crate::WebError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Charter register API",
        version = "1",
        description = "The public register of data and AI projects in the Liverpool City Region, as open data. \
            Free to use under the Open Government Licence v3.0. No key needed. Ids (LCR-0042, ORG-0007) never change.",
        license(name = "Open Government Licence v3.0", url = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
    ),
    paths(drafts::create, drafts::list, drafts::get_one, drafts::replace, drafts::submit, text::check_text, optout::check_dataset, optout::report_check, optout::public_key, projects::list_projects, projects::get_project, projects::get_project_check, log::list_versions, log::get_version, log::get_log, organisations::list_organisations, organisations::get_organisation, organisations::add_organisation, organisations::change_organisation, compliance::get_compliance, statistics::get_statistics, breaches::list_breaches, suggestions::suggestions, law::list_law_changes, dashboard::get_dashboard),
    components(schemas(Problem, ParamError, drafts::DraftRecord, drafts::Submission)),
    modifiers(&BearerAuth),
    tags(
        (name = "projects", description = "Register entries"),
        (name = "organisations", description = "Signatory organisations"),
        (name = "charter check", description = "How entries keep the charter's principles"),
        (name = "history", description = "Every published version, in one tamper-evident hash chain"),
        (name = "plain English", description = "The open plain-English checker"),
        (name = "opt-out", description = "Organisations check datasets against residents' opt-outs"),
        (name = "challenges", description = "Residents' challenges and questions: how many, and how well they are answered"),
        (name = "drafts", description = "Organisations write drafts and submit them for review (API token with the `drafts` scope)")
    )
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme the organisations' endpoints use.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub(super) async fn openapi_json() -> Response {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => ApiError(WebError::Internal(e.to_string())).into_response(),
    }
}
