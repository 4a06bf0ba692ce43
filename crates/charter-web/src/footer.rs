//! Every page's footer says when the register's history was last checked, and links to the page
//! that explains the check. A full check reads every published version, so the footer shows the
//! last result (no database read at all) and, when that is over an hour old, starts a new check
//! in the background for the pages after it. The result is handed to the templates through a
//! task-local, so no handler has to pass it along.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use charter_app::verify::Checked;

use crate::AppState;

/// How old the footer lets the last check get before starting another, in seconds.
pub const FOOTER_CHECK_AGE: i64 = 3600;

/// The footer's line: when the history was last checked and whether it was intact.
#[derive(Clone)]
pub struct Footer {
    pub checked: Option<Arc<Checked>>,
}

impl Footer {
    /// "6 December 2026 at 16:40 (UTC)".
    pub fn when(&self) -> Option<String> {
        self.checked
            .as_ref()
            .map(|c| crate::pages::when(c.at.as_str()))
    }

    pub fn intact(&self) -> bool {
        self.checked.as_ref().is_some_and(|c| c.report.is_intact())
    }
}

tokio::task_local! {
    static FOOTER: Footer;
}

/// For templates: the footer for the page being rendered, if it is one of the pages.
pub fn footer() -> Option<Footer> {
    FOOTER.try_with(Clone::clone).ok()
}

/// Reads the last check for the pages' routes (not the API, downloads or static files: they are
/// not given this layer).
pub async fn last_check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let checked = state.history.last();
    state.history.refresh_if_old(&state.store, FOOTER_CHECK_AGE);
    FOOTER.scope(Footer { checked }, next.run(request)).await
}
