//! `/projects`: the search page, with its filters, chosen filters and pages of results.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use charter_app::search::{Highlight, Searched};
use charter_core::search::{Facet, FacetCounts, ParamError, SearchQuery, Sort, encode_pairs};
use charter_store::{ProjectSummary, SearchResults};

use super::Pagination;
use super::filters;
use crate::error::render;
use crate::{AppState, WebError, query};

/// One filter group on the search page.
pub struct FacetView {
    pub param: &'static str,
    pub label: &'static str,
    /// Options with results, and any chosen option even without: always in sight.
    pub options: Vec<OptionView>,
    /// Options with no results that nobody chose: folded behind "Show all".
    pub empty: Vec<OptionView>,
    /// Something in the group is chosen.
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
    /// Each result with what to highlight in it.
    found: Vec<(ProjectSummary, Highlight)>,
    /// A spelling that finds something, when nothing matched, as text and as a link.
    did_you_mean: Option<(String, String)>,
    facets: Vec<FacetView>,
    chosen: Vec<ChosenFilter>,
    pagination: Pagination,
    sorts: &'static [Sort],
    api_href: String,
}

impl Projects {
    /// The folded filters start open when one of them needs putting right, so the error
    /// summary's link lands on it.
    fn filters_open(&self) -> bool {
        self.errors.iter().any(|e| e.param != "q")
    }
}

/// The filter groups in the page's order: "Uses AI" first, as the question residents ask most;
/// then the others in the order the search defines.
fn facet_views(query: &SearchQuery, counts: &[FacetCounts]) -> Vec<FacetView> {
    let mut views: Vec<FacetView> = counts
        .iter()
        .map(|fc| {
            let selected = query.selected(fc.facet);
            let (options, empty) = fc
                .options
                .iter()
                .map(|o| OptionView {
                    id: format!("{}-{}", fc.facet.param(), o.value),
                    checked: selected.contains(&o.value),
                    value: o.value.clone(),
                    label: o.label.clone(),
                    count: o.count,
                })
                .partition(|o| o.count > 0 || o.checked);
            FacetView {
                param: fc.facet.param(),
                label: fc.facet.label(),
                open: !selected.is_empty(),
                options,
                empty,
            }
        })
        .collect();
    views.sort_by_key(|v| v.param != Facet::Ai.param());
    views
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

pub(super) async fn projects(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let (query, errors, status) = match query::search(raw.as_deref()) {
        Ok(q) => (q, Vec::new(), StatusCode::OK),
        // Show the page with the problems listed, searching for everything meanwhile.
        Err(errors) => (SearchQuery::new(), errors, StatusCode::BAD_REQUEST),
    };
    let Searched {
        results,
        highlights,
        did_you_mean,
    } = state
        .searches
        .search(state.store.as_ref(), &query, true)
        .await?;
    let pagination = Pagination::new(&query, results.total);
    let did_you_mean = did_you_mean.map(|text| {
        let mut q = query.clone();
        q.text = Some(text.clone());
        q.page = 1;
        (text, format!("/projects?{}", q.query_string()))
    });
    let page = Projects {
        active: "projects",
        found: results.items.iter().cloned().zip(highlights).collect(),
        did_you_mean,
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
