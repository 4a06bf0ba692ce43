//! `/organisations/{slug}`: one organisation, its entries and its charter check.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_core::challenge_stats::ChallengeStatistics;
use charter_core::check::PrincipleTally;
use charter_core::search::{SearchQuery, Sort};
use charter_store::{OrganisationSummary, SearchResults};

use super::chart::{self, Chart};
use super::extract::Signatory;
use super::filters;
use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    active: &'static str,
    org: OrganisationSummary,
    projects: SearchResults,
    search_href: String,
    tallies: Vec<PrincipleTally>,
    chart: Chart,
    stats: ChallengeStatistics,
    /// Closed breaches' public summaries, and the breach deadlines met (principle 7).
    breaches: Vec<charter_core::breaches::PublicBreach>,
    deadlines: charter_core::breaches::DeadlineTally,
}

pub(super) async fn organisation(
    State(state): State<AppState>,
    Signatory(org): Signatory,
) -> Result<Response, WebError> {
    let mut q = SearchQuery::new();
    q.organisations = vec![org.organisation.slug.clone()];
    q.sort = Sort::Title;
    q.per_page = charter_core::search::MAX_PER_PAGE;
    let projects = state.store.search(&q, false).await?;
    q.per_page = charter_core::search::DEFAULT_PER_PAGE;
    let search_href = format!("/projects?{}", q.query_string());
    let checked = charter_app::compliance::added_up(
        state.store.as_ref(),
        &state.charter,
        charter_app::clock::today(),
        Some(&org.organisation.slug),
    )
    .await?;
    let tallies = checked.principles;
    let stats = charter_app::challenge_stats::statistics(
        state.store.as_ref(),
        &charter_store::challenge_stats::StatsScope::Organisation(org.organisation.slug.clone()),
    )
    .await?;
    let store = state.store.as_ref();
    let slug = &org.organisation.slug;
    let breaches = charter_app::breaches::public(store, slug).await?;
    let deadlines = charter_app::breaches::deadlines(store)
        .await?
        .remove(slug)
        .unwrap_or_default();
    let chart = chart::chart(&tallies);
    Ok(render(
        &OrganisationPage {
            active: "organisations",
            org,
            projects,
            search_href,
            tallies,
            chart,
            stats,
            breaches,
            deadlines,
        },
        StatusCode::OK,
    ))
}
