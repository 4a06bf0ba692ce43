//! `/history-check`: what the register's hash chain proves, in plain words, and the result of
//! checking it. The check reads every published version, so a result under a minute old (and
//! made since the last publication) is shown again rather than redone.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_app::verify::Checked;

use super::when;
use crate::error::render;
use crate::{AppState, WebError};

/// How old a check this page may show, in seconds.
const PAGE_CHECK_AGE: i64 = 60;

#[derive(Template)]
#[template(path = "history-check.html")]
struct HistoryCheckPage {
    active: &'static str,
    checked: Arc<Checked>,
    when: String,
}

pub(super) async fn history_check(State(state): State<AppState>) -> Result<Response, WebError> {
    let checked = state
        .history
        .fresh(state.store.as_ref(), PAGE_CHECK_AGE)
        .await?;
    Ok(render(
        &HistoryCheckPage {
            active: "",
            when: when(checked.at.as_str()),
            checked,
        },
        StatusCode::OK,
    ))
}
