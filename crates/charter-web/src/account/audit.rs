//! The audit log's page. Entries are written by the use cases (`charter_app::Actor::audit`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use charter_store::accounts::AuditEntry;

use super::extractors::{ClientAddr, Person};
use crate::error::render;
use crate::{AppState, WebError};

/// How many of the newest entries the page shows.
const SHOWN: u32 = 500;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    active: &'static str,
    entries: Vec<AuditEntry>,
}

pub(super) async fn log(
    State(state): State<AppState>,
    addr: ClientAddr,
    Person(who): Person,
) -> Result<Response, WebError> {
    let entries = charter_app::audit::log(state.store.as_ref(), &who.actor(&addr), SHOWN).await?;
    Ok(render(
        &AuditPage {
            active: "manage",
            entries,
        },
        StatusCode::OK,
    ))
}
