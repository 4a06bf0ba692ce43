//! The public pages, one module per page (named after its address); this one routes and holds
//! what several pages share. Each handler reads its input (typed paths in `extract`), asks the
//! store or a `charter_app` use case, and fills a template.

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use charter_core::charter::{Block, text_blocks};

use crate::{AppState, WebError};

mod chart;
mod charter;
mod compliance;
mod dashboard;
mod entry;
mod extract;
mod history;
mod history_check;
mod home;
mod line_chart;
mod open_data;
pub(crate) mod optout;
mod organisation;
mod organisations;
mod pagination;
mod project;
mod projects;
mod static_pages;
mod version;
mod words;

pub use pagination::{PageLink, Pagination};
pub(crate) use project::project_page;
pub use words::{in_sentence, path_parts};

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

    /// A count with its noun: "1 entry", "2 entries".
    #[askama::filter_fn]
    pub fn count<T: std::fmt::Display>(
        n: T,
        _: &dyn askama::Values,
        one: &str,
        many: &str,
    ) -> askama::Result<String> {
        let n = n.to_string();
        Ok(if n == "1" {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        })
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/projects", get(projects::projects))
        .route("/projects/{id}", get(project::project))
        .route("/projects/{id}/history", get(history::history))
        .route("/projects/{id}/versions/{n}", get(version::version))
        .route("/history-check", get(history_check::history_check))
        .route("/organisations", get(organisations::organisations))
        .route("/organisations/{slug}", get(organisation::organisation))
        .route("/charter", get(charter::charter))
        .route("/open-data", get(open_data::open_data))
        .route("/compliance", get(compliance::page))
        .route("/compliance.csv", get(compliance::csv_download))
        .route("/accessibility", get(static_pages::accessibility))
        .route("/privacy", get(static_pages::privacy))
        .route("/cookies", get(static_pages::cookies))
        .route("/plain-english", get(static_pages::plain_english))
        .route("/dashboard", get(dashboard::region))
        .route("/dashboard/{file}", get(dashboard::region_csv))
        .route(
            "/organisations/{slug}/dashboard",
            get(dashboard::organisation),
        )
        .route(
            "/organisations/{slug}/dashboard/{file}",
            get(dashboard::organisation_csv),
        )
}

/// The 404 page, for the addresses no route answers.
pub async fn not_found() -> Response {
    WebError::NotFound.into_response()
}

/// Splits free text into paragraphs for templates.
pub fn paragraphs(text: &str) -> Vec<Block> {
    text_blocks(text)
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
