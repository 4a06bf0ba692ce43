//! The public pages. Each handler parses its input, asks the store and fills a template.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use charter_core::charter::{Block, Charter, text_blocks};
use charter_core::check::{PrincipleStatus, Scorecard, check};
use charter_core::export::COLUMNS;
use charter_core::search::{Facet, FacetCounts, ParamError, SearchQuery, Sort, encode_pairs};
use charter_core::stats::RegisterStats;
use charter_core::{Organisation, Project, ProjectId, Slug};
use charter_store::{OrganisationSummary, ProjectSummary, SearchResults};

use crate::compliance::{Chart, Compliance, compliance};
use crate::error::render;
use crate::{AppState, WebError, query};

pub(crate) mod optout;
mod pagination;

/// Filters the templates use.
mod filters {
    /// The first `n` words, with an ellipsis when anything was cut.
    #[askama::filter_fn]
    pub fn truncate_words<T: std::fmt::Display>(
        text: T,
        _: &dyn askama::Values,
        n: usize,
    ) -> askama::Result<String> {
        let text = text.to_string();
        let words: Vec<&str> = text.split_whitespace().collect();
        Ok(if words.len() <= n {
            words.join(" ")
        } else {
            format!("{}…", words[..n].join(" "))
        })
    }
}

pub use pagination::{PageLink, Pagination};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/projects", get(projects))
        .route("/projects/{id}", get(project))
        .route("/projects/{id}/history", get(history))
        .route("/organisations", get(organisations))
        .route("/organisations/{slug}", get(organisation))
        .route("/charter", get(charter))
        .route("/open-data", get(open_data))
        .route("/compliance", get(compliance_page))
        .route("/compliance.csv", get(compliance_csv))
        .route(
            "/accessibility",
            get(|| async { render(&Static::accessibility(), StatusCode::OK) }),
        )
        .route(
            "/privacy",
            get(|| async { render(&Static::privacy(), StatusCode::OK) }),
        )
        .route(
            "/cookies",
            get(|| async { render(&Static::cookies(), StatusCode::OK) }),
        )
        .route(
            "/plain-english",
            get(|| async { render(&Static::plain_english(), StatusCode::OK) }),
        )
}

pub async fn not_found() -> Response {
    WebError::NotFound.into_response()
}

/// Splits free text into paragraphs for templates.
pub fn paragraphs(text: &str) -> Vec<Block> {
    text_blocks(text)
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    active: &'static str,
    stats: RegisterStats,
    charter: std::sync::Arc<Charter>,
    recent: Vec<ProjectSummary>,
}

async fn home(State(state): State<AppState>) -> Result<Response, WebError> {
    let stats = state.store.stats().await?;
    let mut q = SearchQuery::new();
    q.sort = Sort::Updated;
    q.per_page = 5;
    let recent = state.store.search(&q, false).await?.items;
    Ok(render(
        &Home {
            active: "home",
            stats,
            charter: state.charter.clone(),
            recent,
        },
        StatusCode::OK,
    ))
}

/// One filter group on the search page.
pub struct FacetView {
    pub param: &'static str,
    pub label: &'static str,
    pub options: Vec<OptionView>,
    /// Open the group when something in it is chosen.
    pub open: bool,
}

pub struct OptionView {
    pub id: String,
    pub value: String,
    pub label: String,
    pub count: u64,
    pub checked: bool,
}

/// A chosen filter, with a link that removes it.
pub struct ChosenFilter {
    pub label: String,
    pub remove_href: String,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct Projects {
    active: &'static str,
    text: String,
    query: SearchQuery,
    errors: Vec<ParamError>,
    results: SearchResults,
    facets: Vec<FacetView>,
    chosen: Vec<ChosenFilter>,
    pagination: Pagination,
    sorts: &'static [Sort],
    api_href: String,
}

fn facet_views(query: &SearchQuery, counts: &[FacetCounts]) -> Vec<FacetView> {
    counts
        .iter()
        .map(|fc| {
            let selected = query.selected(fc.facet);
            FacetView {
                param: fc.facet.param(),
                label: fc.facet.label(),
                open: !selected.is_empty(),
                options: fc
                    .options
                    .iter()
                    .map(|o| OptionView {
                        id: format!("{}-{}", fc.facet.param(), o.value),
                        checked: selected.contains(&o.value),
                        value: o.value.clone(),
                        label: o.label.clone(),
                        count: o.count,
                    })
                    .collect(),
            }
        })
        .collect()
}

fn chosen_filters(query: &SearchQuery, counts: &[FacetCounts]) -> Vec<ChosenFilter> {
    let mut out = Vec::new();
    for facet in Facet::ALL {
        for value in query.selected(*facet) {
            let label = counts
                .iter()
                .find(|c| c.facet == *facet)
                .and_then(|c| c.options.iter().find(|o| o.value == value))
                .map(|o| o.label.clone())
                .unwrap_or_else(|| value.clone());
            let mut without = query.clone();
            without.page = 1;
            let pairs: Vec<(&str, String)> = without
                .to_pairs()
                .into_iter()
                .filter(|(k, v)| !(*k == facet.param() && *v == value))
                .collect();
            out.push(ChosenFilter {
                label: format!("{}: {label}", facet.label()),
                remove_href: format!("/projects?{}", encode_pairs(&pairs)),
            });
        }
    }
    out
}

async fn projects(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let (query, errors, status) = match query::search(raw.as_deref()) {
        Ok(q) => (q, Vec::new(), StatusCode::OK),
        // Show the page with the problems listed, searching for everything meanwhile.
        Err(errors) => (SearchQuery::new(), errors, StatusCode::BAD_REQUEST),
    };
    let results = state
        .searches
        .search(state.store.as_ref(), &query, true)
        .await?;
    let pagination = Pagination::new(&query, results.total);
    let page = Projects {
        active: "projects",
        text: query.text.clone().unwrap_or_default(),
        facets: facet_views(&query, &results.facets),
        chosen: chosen_filters(&query, &results.facets),
        api_href: format!("/api/v1/projects?{}", query.query_string()),
        errors,
        pagination,
        sorts: Sort::ALL,
        query,
        results,
    };
    Ok(render(&page, status))
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    active: &'static str,
    p: Project,
    org: Organisation,
    charter: std::sync::Arc<Charter>,
    today: charter_core::Date,
    card: Scorecard,
    /// The summary's reading age in years and its band; the charter check has already worked it out.
    reading: Option<(u32, charter_core::plain_english::Band)>,
    /// Set when this is a draft's preview: the draft's number.
    preview: Option<i64>,
}

impl ProjectPage {
    /// The register opt-outs that cover this project, in words.
    fn optout_scopes(&self) -> Vec<String> {
        use charter_core::picklists::{AiKind, DecisionRole};
        use charter_optout::Scope;
        let mut scopes = Vec::new();
        if self
            .p
            .benefit_kinds
            .contains(&charter_core::picklists::BenefitKind::Research)
            || self
                .p
                .topics
                .contains(&charter_core::picklists::Topic::Planning)
        {
            scopes.push(Scope::ResearchPlanning);
        }
        if self.p.uses_ai
            && matches!(
                self.p.ai_kind,
                Some(AiKind::MachineLearning | AiKind::Generative)
            )
        {
            scopes.push(Scope::AiTraining);
        }
        if self.p.uses_ai && self.p.decision_role != DecisionRole::InformationOnly {
            scopes.push(Scope::AiDecisions);
        }
        scopes.push(Scope::Organisation(self.org.slug.clone()));
        scopes.push(Scope::Project(self.p.id));
        scopes.iter().map(|s| s.label()).collect()
    }

    fn status_of(&self, key: &str) -> Option<PrincipleStatus> {
        self.card.status(key)
    }

    fn needs_challenge_route(&self) -> bool {
        self.p.decision_role.needs_challenge_route()
    }
}

async fn project(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: ProjectId = id.parse().map_err(|_| WebError::NotFound)?;
    let page = state
        .store
        .project_with_organisation(id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(render_project(
        &state,
        page.project,
        page.organisation,
        None,
    ))
}

/// A draft's preview: its public page as it will look once published.
pub(crate) async fn project_page(
    state: &AppState,
    p: Project,
    preview: Option<i64>,
) -> Result<Response, WebError> {
    let org = state
        .store
        .organisation_record(&p.organisation)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(render_project(state, p, org, preview))
}

fn render_project(
    state: &AppState,
    p: Project,
    org: Organisation,
    preview: Option<i64>,
) -> Response {
    let today = charter_app::clock::today();
    let card = check(&p, &state.charter, today);
    let reading = card
        .summary_reading_age
        .map(|years| (years, charter_core::plain_english::Band::for_years(years)));
    render(
        &ProjectPage {
            active: "projects",
            p,
            org,
            charter: state.charter.clone(),
            today,
            card,
            reading,
            preview,
        },
        StatusCode::OK,
    )
}

/// A version in the history list.
pub struct VersionRow {
    pub link: charter_core::chain::Link,
    pub published: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    active: &'static str,
    p: Project,
    versions: Vec<VersionRow>,
    from: u32,
    to: u32,
    changes: Vec<charter_core::editor::Difference>,
    errors: Vec<ParamError>,
}

/// "2026-11-30T12:00:00Z" → "30 November 2026 at 12:00 (UTC)".
pub(crate) fn when(rfc3339: &str) -> String {
    let date = rfc3339
        .get(..10)
        .and_then(|d| d.parse::<charter_core::Date>().ok());
    let time = rfc3339.get(11..16);
    match (date, time) {
        (Some(d), Some(t)) => format!("{} at {t} (UTC)", d.long()),
        _ => rfc3339.to_owned(),
    }
}

async fn history(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let id: ProjectId = id.parse().map_err(|_| WebError::NotFound)?;
    let p = state.store.project(id).await?.ok_or(WebError::NotFound)?;
    let links = state.store.versions(id).await?;
    let newest = links.last().map_or(1, |l| l.version);
    let pairs = query::pairs(raw.as_deref()).map_err(WebError::BadRequest)?;
    let mut errors = Vec::new();
    let mut pick = |name: &str, default: u32| -> u32 {
        match pairs.iter().find(|(k, _)| k == name) {
            None => default,
            Some((_, v)) => match v.parse::<u32>() {
                Ok(n) if (1..=newest).contains(&n) => n,
                _ => {
                    errors.push(ParamError {
                        param: name.to_owned(),
                        message: format!("Choose a version from 1 to {newest}"),
                    });
                    default
                }
            },
        }
    };
    let to = pick("to", newest);
    let from = pick("from", to.saturating_sub(1).max(1));
    let changes = if from == to {
        Vec::new()
    } else {
        let before = state
            .store
            .version(id, from)
            .await?
            .ok_or(WebError::NotFound)?
            .entry;
        let after = state
            .store
            .version(id, to)
            .await?
            .ok_or(WebError::NotFound)?
            .entry;
        charter_core::editor::differences(Some(&before), &after)
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let versions = links
        .into_iter()
        .rev()
        .map(|link| VersionRow {
            published: when(&link.published_at),
            link,
        })
        .collect();
    Ok(render(
        &HistoryPage {
            active: "projects",
            p,
            versions,
            from,
            to,
            changes,
            errors,
        },
        status,
    ))
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct Organisations {
    active: &'static str,
    orgs: Vec<OrganisationSummary>,
}

async fn organisations(State(state): State<AppState>) -> Result<Response, WebError> {
    let orgs = state.store.organisations().await?;
    Ok(render(
        &Organisations {
            active: "organisations",
            orgs,
        },
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    active: &'static str,
    org: OrganisationSummary,
    projects: SearchResults,
    search_href: String,
    tallies: Vec<charter_core::check::PrincipleTally>,
    chart: Chart,
}

async fn organisation(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let slug: Slug = slug.parse().map_err(|_| WebError::NotFound)?;
    let org = state
        .store
        .organisation(&slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut q = SearchQuery::new();
    q.organisations = vec![slug];
    q.sort = Sort::Title;
    q.per_page = charter_core::search::MAX_PER_PAGE;
    let projects = state.store.search(&q, false).await?;
    q.per_page = charter_core::search::DEFAULT_PER_PAGE;
    let search_href = format!("/projects?{}", q.query_string());
    let checked = compliance(
        state.store.as_ref(),
        &state.charter,
        charter_app::clock::today(),
        Some(&org.organisation.slug),
    )
    .await?;
    let tallies = checked.principles;
    let chart = crate::compliance::chart(&tallies);
    Ok(render(
        &OrganisationPage {
            active: "organisations",
            org,
            projects,
            search_href,
            tallies,
            chart,
        },
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct CompliancePage {
    active: &'static str,
    c: Compliance,
    chart: Chart,
    charter: std::sync::Arc<Charter>,
    rules: Vec<(&'static str, &'static str, &'static str, bool)>,
}

async fn compliance_page(State(state): State<AppState>) -> Result<Response, WebError> {
    let c = compliance(
        state.store.as_ref(),
        &state.charter,
        charter_app::clock::today(),
        None,
    )
    .await?;
    let chart = crate::compliance::chart(&c.principles);
    let rules = charter_core::check::rules()
        .map(|(id, principle, title)| {
            (
                id,
                principle,
                title,
                state.charter.check.blocking.iter().any(|b| b == id),
            )
        })
        .collect();
    Ok(render(
        &CompliancePage {
            active: "compliance",
            c,
            chart,
            charter: state.charter.clone(),
            rules,
        },
        StatusCode::OK,
    ))
}

async fn compliance_csv(State(state): State<AppState>) -> Result<Response, WebError> {
    let c = compliance(
        state.store.as_ref(),
        &state.charter,
        charter_app::clock::today(),
        None,
    )
    .await?;
    let bytes = crate::compliance::csv(&c).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"compliance.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "charter.html")]
struct CharterPage {
    active: &'static str,
    charter: std::sync::Arc<Charter>,
}

async fn charter(State(state): State<AppState>) -> Response {
    render(
        &CharterPage {
            active: "charter",
            charter: state.charter.clone(),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "open-data.html")]
struct OpenData {
    active: &'static str,
    columns: &'static [charter_core::export::Column],
}

async fn open_data() -> Response {
    render(
        &OpenData {
            active: "open-data",
            columns: COLUMNS,
        },
        StatusCode::OK,
    )
}

/// The pages whose words do not come from the database.
#[derive(Template)]
#[template(path = "static-page.html")]
struct Static {
    active: &'static str,
    which: &'static str,
    title: &'static str,
}

impl Static {
    fn accessibility() -> Self {
        Static {
            active: "",
            which: "accessibility",
            title: "Accessibility statement",
        }
    }
    fn privacy() -> Self {
        Static {
            active: "",
            which: "privacy",
            title: "Privacy notice",
        }
    }
    fn cookies() -> Self {
        Static {
            active: "",
            which: "cookies",
            title: "Cookies",
        }
    }
    fn plain_english() -> Self {
        Static {
            active: "",
            which: "plain-english",
            title: "Reading ages and plain English",
        }
    }
}
