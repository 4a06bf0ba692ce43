//! The open JSON API (`/api/v1`), read-only and free to use, with its OpenAPI 3.1 document
//! generated from these handlers and the core types.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use charter_core::search::{ParamError, SearchQuery};
use charter_core::{Organisation, Project, ProjectId, Slug};
use charter_store::{OrganisationSummary, ProjectSummary, RecordParts, SearchResults};
use serde::Serialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::{AppState, WebError, query};

mod auth;
mod drafts;
mod extract;
mod optout;
mod problem;

pub use extract::MAX_JSON_BYTES;
use extract::{ApiPath, JsonBody};
pub use problem::{ApiError, Problem};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/projects", get(list_projects))
        .route("/api/v1/projects/{id}", get(get_project))
        .route("/api/v1/projects/{id}/check", get(get_project_check))
        .route("/api/v1/compliance", get(get_compliance))
        .route("/api/v1/projects/{id}/versions", get(list_versions))
        .route("/api/v1/projects/{id}/versions/{version}", get(get_version))
        .route("/api/v1/log", get(get_log))
        .route("/api/v1/text/check", axum::routing::post(check_text))
        .route("/api/v1/optout/public-key", get(optout::public_key))
        .route(
            "/api/v1/optout/check",
            axum::routing::post(optout::check_dataset).layer(axum::extract::DefaultBodyLimit::max(
                optout::MAX_UPLOAD_BYTES,
            )),
        )
        .route(
            "/api/v1/optout/checks",
            axum::routing::post(optout::report_check),
        )
        .route("/api/v1/drafts", get(drafts::list).post(drafts::create))
        .route(
            "/api/v1/drafts/{id}",
            get(drafts::get_one).put(drafts::replace),
        )
        .route(
            "/api/v1/drafts/{id}/submit",
            axum::routing::post(drafts::submit),
        )
        .route("/api/v1/organisations", get(list_organisations))
        .route("/api/v1/organisations/{slug}", get(get_organisation))
        .route(
            "/api/v1/{*rest}",
            axum::routing::any(|| async { ApiError(WebError::NotFound) }),
        )
        .route("/api/openapi.json", get(openapi_json))
        .method_not_allowed_fallback(method_not_allowed)
}

/// A method an API address does not take: a problem document (axum adds the `Allow` header).
async fn method_not_allowed(method: axum::http::Method) -> ApiError {
    ApiError(WebError::MethodNotAllowed(format!(
        "This address does not take {method} requests: the Allow header lists the methods it takes."
    )))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Charter register API",
        version = "1",
        description = "The public register of data and AI projects in the Liverpool City Region, as open data. \
            Free to use under the Open Government Licence v3.0. No key needed. Ids (LCR-0042, ORG-0007) never change.",
        license(name = "Open Government Licence v3.0", url = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
    ),
    paths(drafts::create, drafts::list, drafts::get_one, drafts::replace, drafts::submit, check_text, optout::check_dataset, optout::report_check, optout::public_key, list_projects, get_project, get_project_check, list_versions, get_version, get_log, list_organisations, get_organisation, get_compliance),
    components(schemas(Problem, ParamError, drafts::DraftRecord, drafts::Submission)),
    modifiers(&BearerAuth),
    tags(
        (name = "projects", description = "Register entries"),
        (name = "organisations", description = "Signatory organisations"),
        (name = "charter check", description = "How entries keep the charter's principles"),
        (name = "history", description = "Every published version, in one tamper-evident hash chain"),
        (name = "plain English", description = "The open plain-English checker"),
        (name = "opt-out", description = "Organisations check datasets against residents' opt-outs"),
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

async fn openapi_json() -> Response {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => ApiError(WebError::Internal(e.to_string())).into_response(),
    }
}

/// Search and filter parameters. Repeat a filter to widen it (`topic=health&topic=housing`);
/// different filters narrow the search.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; parsing is done by `SearchQuery::from_pairs`.
struct SearchParams {
    /// Words to search for in titles, summaries and descriptions. Word endings are forgiven
    /// ("repair" finds "repairs"). At most 500 characters, no control characters.
    #[param(max_length = 500, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    q: Option<String>,
    /// Organisation slug; repeatable.
    organisation: Option<Vec<Slug>>,
    /// Area: halton, knowsley, liverpool, sefton, st-helens, wirral, whole-city-region, wider-than-region; repeatable.
    area: Option<Vec<charter_core::picklists::Area>>,
    /// Topic slug; repeatable.
    topic: Option<Vec<charter_core::picklists::Topic>>,
    /// planned, in-development, pilot, in-use, paused or retired; repeatable.
    status: Option<Vec<charter_core::picklists::Status>>,
    /// yes, no or any (empty is any).
    #[param(pattern = "^(yes|no|any)?$")]
    ai: Option<String>,
    /// information-only, supports-person, decides-person-reviews or decides-alone; repeatable.
    role: Option<Vec<charter_core::picklists::DecisionRole>>,
    /// relevance (the default, also when empty), updated, title or organisation.
    #[param(pattern = "^(relevance|updated|title|organisation)?$")]
    sort: Option<String>,
    /// Page number, from 1 to 10,000.
    #[param(minimum = 1, maximum = 10_000)]
    page: Option<u32>,
    /// Results per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
    /// `true` to include counts per filter option.
    facets: Option<bool>,
}

/// A page of search results.
#[derive(Serialize, ToSchema)]
pub struct ProjectList {
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub pages: u64,
    pub items: Vec<ProjectItem>,
    /// Present when `facets=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Vec<charter_core::search::FacetCounts>>,
    pub links: Links,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectItem {
    #[serde(flatten)]
    pub project: ProjectSummary,
    /// The project's page on the register.
    pub url: String,
    /// The full record in this API.
    pub api_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    pub this: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
}

fn item(p: ProjectSummary) -> ProjectItem {
    ProjectItem {
        url: format!("/projects/{}", p.id),
        api_url: format!("/api/v1/projects/{}", p.id),
        project: p,
    }
}

fn list_href(q: &SearchQuery, facets: bool) -> String {
    let mut s = format!("/api/v1/projects?{}", q.query_string());
    if facets {
        s.push_str(if s.ends_with('?') {
            "facets=true"
        } else {
            "&facets=true"
        });
    }
    s
}

/// Search the register.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(SearchParams),
    responses(
        (status = 200, description = "A page of matching projects", body = ProjectList),
        (status = 400, description = "A parameter is wrong; `errors` says which", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_projects(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ProjectList>, ApiError> {
    let pairs = query::pairs(raw.as_deref()).map_err(WebError::BadRequest)?;
    let q = SearchQuery::from_pairs(&pairs).map_err(WebError::BadRequest)?;
    let with_facets = query::flag(&pairs, "facets");
    let SearchResults {
        total,
        items,
        facets,
    } = state
        .searches
        .search(state.store.as_ref(), &q, with_facets)
        .await
        .map_err(WebError::from)?;
    let pages = total.div_ceil(u64::from(q.per_page));
    Ok(Json(ProjectList {
        total,
        page: q.page,
        per_page: q.per_page,
        pages,
        links: Links {
            this: list_href(&q, with_facets),
            next: (u64::from(q.page) < pages)
                .then(|| list_href(&q.with_page(q.page + 1), with_facets)),
            prev: (q.page > 1).then(|| list_href(&q.with_page(q.page - 1), with_facets)),
        },
        items: items.into_iter().map(item).collect(),
        facets: with_facets.then_some(facets),
    }))
}

// The schema of `GET /api/v1/projects/{id}`. The handler writes the same fields from the stored
// document without building one of these (see `record_json`, whose test holds them together).
/// A whole register entry, with its organisation's name.
#[derive(Serialize, ToSchema)]
pub struct ProjectRecord {
    #[serde(flatten)]
    pub project: Project,
    pub organisation_id: charter_core::OrgId,
    pub organisation_name: String,
    pub url: String,
}

/// One project, every field.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = String, Path, description = "Project id, such as LCR-0042", pattern = "^LCR-[0-9]{4,9}$", example = "LCR-0001")),
    responses(
        (status = 200, body = ProjectRecord),
        (status = 400, description = "The id in the address is not text", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No project has this id", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_project(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id: ProjectId = id.parse().map_err(|_| WebError::NotFound)?;
    let parts = state
        .store
        .project_record_json(id)
        .await
        .map_err(WebError::from)?
        .ok_or(WebError::NotFound)?;
    let body = record_json(id, &parts).map_err(WebError::Internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The fields a record has beyond the project's own, in the order they are written.
#[derive(Serialize)]
struct RecordHead<'a> {
    url: String,
    organisation_id: charter_core::OrgId,
    organisation_name: &'a str,
}

/// A [`ProjectRecord`] as JSON, made from the project's stored document without parsing it:
/// `url`, `organisation_id` and `organisation_name` (written, and so escaped, by serde_json) go
/// in front of the document's own fields. Same fields and values as serialising a
/// `ProjectRecord`; only the order of the fields differs.
fn record_json(id: ProjectId, parts: &RecordParts) -> Result<String, String> {
    let fields = parts
        .doc
        .trim_start()
        .strip_prefix('{')
        .ok_or_else(|| format!("the stored document of {id} is not a JSON object"))?;
    let head = serde_json::to_string(&RecordHead {
        url: format!("/projects/{id}"),
        organisation_id: parts.organisation_id,
        organisation_name: &parts.organisation_name,
    })
    .map_err(|e| e.to_string())?;
    // `head` is `{…}`: keep all but its closing brace, then the document's fields and its own.
    let head = head.strip_suffix('}').unwrap_or(&head);
    let mut out = String::with_capacity(head.len() + 1 + fields.len());
    out.push_str(head);
    if !fields.trim_start().starts_with('}') {
        out.push(',');
    }
    out.push_str(fields);
    Ok(out)
}

/// The charter check of one project, principle by principle, as of today.
#[utoipa::path(get, path = "/api/v1/projects/{id}/check", tag = "charter check",
    params(("id" = String, Path, description = "Project id, such as LCR-0042", pattern = "^LCR-[0-9]{4,9}$", example = "LCR-0001")),
    responses(
        (status = 200, body = charter_core::check::Scorecard),
        (status = 400, description = "The id in the address is not text", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No project has this id", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_project_check(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<charter_core::check::Scorecard>, ApiError> {
    let id: ProjectId = id.parse().map_err(|_| WebError::NotFound)?;
    let project = state
        .store
        .project(id)
        .await
        .map_err(WebError::from)?
        .ok_or(WebError::NotFound)?;
    Ok(Json(charter_core::check::check(
        &project,
        &state.charter,
        charter_app::clock::today(),
    )))
}

/// The charter check added up for the whole region and for each organisation.
#[utoipa::path(get, path = "/api/v1/compliance", tag = "charter check",
    params(("organisation" = Option<Slug>, Query, description = "Only this organisation (slug)")),
    responses(
        (status = 200, body = crate::compliance::Compliance),
        (status = 400, description = "The organisation is not a valid slug", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_compliance(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<crate::compliance::Compliance>, ApiError> {
    let pairs = query::pairs(raw.as_deref()).map_err(WebError::BadRequest)?;
    let only = match pairs.iter().find(|(k, _)| k == "organisation") {
        None => None,
        Some((_, v)) => Some(v.parse::<Slug>().map_err(|e| {
            WebError::BadRequest(vec![ParamError {
                param: "organisation".into(),
                message: e.to_string(),
            }])
        })?),
    };
    let c = crate::compliance::compliance(
        state.store.as_ref(),
        &state.charter,
        charter_app::clock::today(),
        only.as_ref(),
    )
    .await
    .map_err(WebError::from)?;
    Ok(Json(c))
}

/// Every published version of a project, oldest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/versions", tag = "history",
    params(("id" = String, Path, description = "Project id, such as LCR-0042", pattern = "^LCR-[0-9]{4,9}$", example = "LCR-0001")),
    responses(
        (status = 200, body = Vec<charter_core::chain::Link>),
        (status = 400, description = "The id in the address is not text", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No project has this id", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_versions(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<charter_core::chain::Link>>, ApiError> {
    let id: ProjectId = id.parse().map_err(|_| WebError::NotFound)?;
    let links = state.store.versions(id).await.map_err(WebError::from)?;
    if links.is_empty() {
        return Err(WebError::NotFound.into());
    }
    Ok(Json(links))
}

/// The address of one published version.
#[derive(serde::Deserialize)]
struct VersionPath {
    id: String,
    version: u32,
}

/// One published version exactly as hashed: the canonical JSON whose BLAKE3 hash is the link's
/// `content_hash`.
#[utoipa::path(get, path = "/api/v1/projects/{id}/versions/{version}", tag = "history",
    params(
        ("id" = String, Path, description = "Project id, such as LCR-0042", pattern = "^LCR-[0-9]{4,9}$", example = "LCR-0001"),
        ("version" = u32, Path, description = "Version number, from 1", minimum = 1, example = 1),
    ),
    responses(
        (status = 200, description = "The entry as published in that version", body = Project),
        (status = 400, description = "The version is not a whole number from 1 to 4294967295", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such version", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_version(
    State(state): State<AppState>,
    ApiPath(VersionPath { id, version }): ApiPath<VersionPath>,
) -> Result<Response, ApiError> {
    let id: ProjectId = id.parse().map_err(|_| WebError::NotFound)?;
    let link = state
        .store
        .versions(id)
        .await
        .map_err(WebError::from)?
        .into_iter()
        .find(|l| l.version == version)
        .ok_or(WebError::NotFound)?;
    // The link's content is the one entry of the log just after its predecessor.
    let content = state
        .store
        .log(link.seq - 1, 1)
        .await
        .map_err(WebError::from)?
        .into_iter()
        .next()
        .ok_or(WebError::NotFound)?
        .content;
    Ok(([(header::CONTENT_TYPE, "application/json")], content).into_response())
}

/// A page of the register's hash chain.
#[derive(Serialize, ToSchema)]
pub struct Log {
    /// The newest link's hash; `null` before anything is published.
    pub head: Option<charter_core::chain::Hash>,
    /// How many links the chain has.
    pub length: u64,
    pub links: Vec<charter_core::chain::Link>,
    /// The next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The register's hash chain: every published version of every entry, in order. To check it,
/// recompute each link's hash from its fields (see the project's docs/history.md) and each
/// content hash from `/api/v1/projects/{id}/versions/{version}`.
#[utoipa::path(get, path = "/api/v1/log", tag = "history",
    params(
        ("after" = Option<u64>, Query, description = "Start after this link (default 0: from the first)", maximum = 4_294_967_295_f64),
        ("limit" = Option<u32>, Query, description = "Links per page, 1 to 1000 (default 100)", minimum = 1, maximum = 1000),
    ),
    responses(
        (status = 200, body = Log),
        (status = 400, description = "A parameter is wrong", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_log(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Log>, ApiError> {
    let pairs = query::pairs(raw.as_deref()).map_err(WebError::BadRequest)?;
    let mut errors = Vec::new();
    let mut number = |name: &str, default: u64, min: u64, max: u64| -> u64 {
        match pairs.iter().find(|(k, _)| k == name) {
            None => default,
            Some((_, v)) => match v.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    errors.push(ParamError {
                        param: name.into(),
                        message: format!("{name} must be a whole number from {min} to {max}"),
                    });
                    default
                }
            },
        }
    };
    let after = number("after", 0, 0, u64::from(u32::MAX));
    // As documented, from 1: a page of no links would never move on.
    let limit = number("limit", 100, 1, 1000) as u32;
    if !errors.is_empty() {
        return Err(WebError::BadRequest(errors).into());
    }
    let head = state.store.chain_head().await.map_err(WebError::from)?;
    let links: Vec<_> = state
        .store
        .log(after, limit)
        .await
        .map_err(WebError::from)?
        .into_iter()
        .map(|stored| stored.link)
        .collect();
    let length = head.as_ref().map_or(0, |h| h.seq);
    let next = links
        .last()
        .filter(|l| l.seq < length)
        .map(|l| format!("/api/v1/log?after={}&limit={limit}", l.seq));
    Ok(Json(Log {
        head: head.map(|h| h.hash),
        length,
        links,
        next,
    }))
}

/// Text to check.
#[derive(serde::Deserialize, ToSchema)]
pub struct TextToCheck {
    /// Up to 100,000 characters.
    #[schema(max_length = 100_000)]
    pub text: String,
}

/// Longest text the checker endpoint takes.
const MAX_TEXT_CHARS: usize = 100_000;

/// The plain-English checker: reading age, the seven readability scores and advice with the
/// span of text each piece of advice is about. The same checker the register uses.
#[utoipa::path(post, path = "/api/v1/text/check", tag = "plain English",
    request_body = TextToCheck,
    responses(
        (status = 200, body = charter_core::plain_english::Analysis),
        (status = 400, description = "The body is not `{\"text\": \"…\"}` or the text is too long", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 512 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    ))]
async fn check_text(
    JsonBody(body): JsonBody<MAX_JSON_BYTES>,
) -> Result<Json<charter_core::plain_english::Analysis>, ApiError> {
    let bad = |message: String| {
        WebError::BadRequest(vec![ParamError {
            param: "text".into(),
            message,
        }])
    };
    let input: TextToCheck = serde_json::from_slice(&body)
        .map_err(|e| bad(format!("Send JSON like {{\"text\": \"Your words\"}}: {e}")))?;
    let n = input.text.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(bad(format!(
            "The text must be {MAX_TEXT_CHARS} characters or fewer (it has {n})"
        ))
        .into());
    }
    Ok(Json(charter_core::plain_english::analyse(&input.text)))
}

/// Every signatory organisation, by name, with project counts.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = Vec<OrganisationSummary>)))]
async fn list_organisations(
    State(state): State<AppState>,
) -> Result<Json<Vec<OrganisationSummary>>, ApiError> {
    Ok(Json(
        state.store.organisations().await.map_err(WebError::from)?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationRecord {
    #[serde(flatten)]
    pub organisation: Organisation,
    pub projects: Vec<ProjectItem>,
    pub url: String,
}

/// One organisation and all its projects.
#[utoipa::path(get, path = "/api/v1/organisations/{slug}", tag = "organisations",
    params(("slug" = String, Path, description = "Organisation slug, such as knowsley-council", example = "knowsley-council")),
    responses(
        (status = 200, body = OrganisationRecord),
        (status = 400, description = "The slug in the address is not text", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No organisation has this slug", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_organisation(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<OrganisationRecord>, ApiError> {
    let slug: Slug = slug.parse().map_err(|_| WebError::NotFound)?;
    let org = state
        .store
        .organisation(&slug)
        .await
        .map_err(WebError::from)?
        .ok_or(WebError::NotFound)?;
    let mut projects = Vec::new();
    let mut q = SearchQuery::new();
    q.organisations = vec![slug];
    q.sort = charter_core::search::Sort::Title;
    q.per_page = charter_core::search::MAX_PER_PAGE;
    loop {
        let page = state
            .store
            .search(&q, false)
            .await
            .map_err(WebError::from)?;
        let done = page.items.len() < q.per_page as usize;
        projects.extend(page.items.into_iter().map(item));
        if done {
            break;
        }
        q.page += 1;
    }
    Ok(Json(OrganisationRecord {
        url: format!("/organisations/{}", org.organisation.slug),
        organisation: org.organisation,
        projects,
    }))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        problem::respond(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use charter_store::fixtures::{complete_project, minimal_project};

    fn parts(doc: String, name: &str) -> RecordParts {
        RecordParts {
            doc,
            organisation_id: charter_core::OrgId::new(7),
            organisation_name: name.into(),
        }
    }

    /// The spliced record has exactly the fields and values of a serialised `ProjectRecord`.
    #[test]
    fn record_json_matches_a_serialised_project_record() {
        let awkward = minimal_project(
            10,
            "wirral-transport",
            "=HYPERLINK(\"http://evil.example\") <script>",
            "Quotes \" and backslashes \\ and\nnew lines, \u{2028} and ünïcödé.",
        );
        for project in [complete_project(9, "knowsley-council"), awkward] {
            let name = "Knowsley \"Metropolitan\" Borough \\ Council\n— Cyngor";
            let expected = serde_json::to_value(ProjectRecord {
                project: project.clone(),
                organisation_id: charter_core::OrgId::new(7),
                organisation_name: name.into(),
                url: format!("/projects/{}", project.id),
            })
            .unwrap();
            // Compact, as SQLite stores it, and spaced out, as PostgreSQL gives JSONB back.
            for doc in [
                serde_json::to_string(&project).unwrap(),
                format!(" {}\n", serde_json::to_string_pretty(&project).unwrap()),
            ] {
                let body = record_json(project.id, &parts(doc, name)).unwrap();
                let got: serde_json::Value = serde_json::from_str(&body).unwrap();
                assert_eq!(got, expected);
            }
        }
    }

    #[test]
    fn record_json_takes_an_empty_object_and_refuses_anything_else() {
        let id = ProjectId::new(1);
        let body = record_json(id, &parts("{ }".into(), "Org")).unwrap();
        let got: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            got,
            serde_json::json!({"url": "/projects/LCR-0001", "organisation_id": "ORG-0007", "organisation_name": "Org"})
        );
        assert!(record_json(id, &parts("[1]".into(), "Org")).is_err());
        assert!(record_json(id, &parts(String::new(), "Org")).is_err());
    }
}
