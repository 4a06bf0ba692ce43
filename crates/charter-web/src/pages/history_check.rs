//! `/history-check`: what the register's hash chain proves, in plain words, and the result of
//! checking it. A check reads every published version (seconds on a large register), so a result
//! under a minute old and made since the last publication is shown again rather than redone,
//! and a reader waits at most a few seconds for a new one before seeing the last.

use std::sync::Arc;
use std::time::Duration;

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
/// How long a reader waits for a new check before the page shows the last one.
const PAGE_WAIT: Duration = Duration::from_secs(3);

#[derive(Template)]
#[template(path = "history-check.html")]
struct HistoryCheckPage {
    active: &'static str,
    checked: Option<Arc<Checked>>,
    when: String,
    /// A newer check than the one shown is still running.
    running: bool,
}

pub(super) async fn history_check(State(state): State<AppState>) -> Result<Response, WebError> {
    let fresh = state
        .history
        .fresh_within(&state.store, PAGE_CHECK_AGE, PAGE_WAIT)
        .await?;
    Ok(render(
        &HistoryCheckPage {
            active: "",
            when: fresh
                .checked
                .as_ref()
                .map(|c| when(c.at.as_str()))
                .unwrap_or_default(),
            checked: fresh.checked,
            running: fresh.running,
        },
        StatusCode::OK,
    ))
}
