//! `/charter`: the charter itself, its principles and what each asks.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_core::charter::Charter;

use crate::AppState;
use crate::error::render;

#[derive(Template)]
#[template(path = "charter.html")]
struct CharterPage {
    active: &'static str,
    charter: std::sync::Arc<Charter>,
}

pub(super) async fn charter(State(state): State<AppState>) -> Response {
    render(
        &CharterPage {
            active: "charter",
            charter: state.charter.clone(),
        },
        StatusCode::OK,
    )
}
