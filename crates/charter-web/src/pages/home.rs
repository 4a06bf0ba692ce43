//! `/`: the home page, with the register's figures and the latest entries.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_core::charter::Charter;
use charter_core::search::{SearchQuery, Sort};
use charter_core::stats::RegisterStats;
use charter_store::ProjectSummary;

use super::filters;
use crate::error::render;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    active: &'static str,
    stats: RegisterStats,
    charter: std::sync::Arc<Charter>,
    recent: Vec<ProjectSummary>,
}

pub(super) async fn home(State(state): State<AppState>) -> Result<Response, WebError> {
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
