//! The register's entries: search, one entry, and its charter check.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use charter_core::search::SearchQuery;
use charter_core::{Project, ProjectId, Slug};
use charter_store::{ProjectSummary, RecordParts, SearchResults};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{ProjectPath, Published};
use super::{ApiError, Problem};
use crate::{AppState, WebError, query};

/// Search and filter parameters. Repeat a filter to widen it (`topic=health&topic=housing`);
/// different filters narrow the search.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; parsing is done by `SearchQuery::from_pairs`.
struct SearchParams {
    /// Words to search for in titles, summaries and descriptions. Every word must match; each
    /// also finds words it starts (the last word always), its plural or singular, spellings
    /// one mistake away (words of 5 letters or more; two from 9) and its synonyms. At most 500
    /// characters, no control characters.
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
    /// When nothing matched and a close spelling would: the search text to try instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
    pub links: Links,
}

/// Where the search words are in a result: HTML with the text escaped and each matched word in
/// `<mark>`.
#[derive(Serialize, ToSchema)]
pub struct ResultHighlight {
    /// The title.
    pub title: String,
    /// Up to 30 words of the summary around the first match, with `…` where words were left out.
    pub snippet: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectItem {
    #[serde(flatten)]
    pub project: ProjectSummary,
    /// The project's page on the register.
    pub url: String,
    /// The full record in this API.
    pub api_url: String,
    /// Present when the search had words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<ResultHighlight>,
}

fn highlight(h: &charter_app::search::Highlight) -> ResultHighlight {
    ResultHighlight {
        title: crate::highlight::html(&h.title, false, false),
        snippet: crate::highlight::html(&h.snippet, h.cut_before, h.cut_after),
    }
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

pub(super) fn item(p: ProjectSummary) -> ProjectItem {
    ProjectItem {
        url: format!("/projects/{}", p.id),
        api_url: format!("/api/v1/projects/{}", p.id),
        highlight: None,
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
pub(super) async fn list_projects(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ProjectList>, ApiError> {
    let pairs = query::pairs(raw.as_deref()).map_err(WebError::BadRequest)?;
    let q = SearchQuery::from_pairs(&pairs).map_err(WebError::BadRequest)?;
    let with_facets = query::flag(&pairs, "facets");
    let charter_app::search::Searched {
        results: SearchResults {
            total,
            items,
            facets,
        },
        highlights,
        did_you_mean,
    } = state
        .searches
        .search(state.store.as_ref(), &q, with_facets)
        .await?;
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
        items: items
            .into_iter()
            .zip(highlights)
            .map(|(p, h)| ProjectItem {
                highlight: q.text.is_some().then(|| highlight(&h)),
                ..item(p)
            })
            .collect(),
        facets: with_facets.then_some(facets),
        did_you_mean,
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
pub(super) async fn get_project(
    State(state): State<AppState>,
    ProjectPath(id): ProjectPath,
) -> Result<Response, ApiError> {
    let parts = state
        .store
        .project_record_json(id)
        .await?
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
pub(super) async fn get_project_check(
    State(state): State<AppState>,
    Published(project): Published,
) -> Result<Json<charter_core::check::Scorecard>, ApiError> {
    // As the project's page checks it: with its answers to residents and the register's list
    // of changes in the law.
    let facts =
        charter_app::entry_page::check_facts(state.store.as_ref(), &state.law, project.id).await?;
    Ok(Json(charter_core::check::check_full(
        &project,
        &state.charter,
        charter_app::clock::today(),
        charter_core::check::Extras {
            answers: Some(&facts.tally),
            law: &facts.law,
        },
    )))
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
