//! Every page's footer shows the register's current head hash, so anyone can note it and later
//! check that the published history still leads to it. The head is read once per page request
//! and handed to the templates through a task-local, so no handler has to pass it along.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// The head shown in the footer: position and hash.
#[derive(Clone)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

tokio::task_local! {
    static HEAD: Option<Head>;
}

/// For templates: the head for the page being rendered, if there is one.
pub fn head() -> Option<Head> {
    HEAD.try_with(Clone::clone).ok().flatten()
}

/// Reads the head for the pages' routes (not the API, downloads or static files: they are not
/// given this layer).
pub async fn chain_head(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // If the database is down the page itself reports it; the footer just goes without.
    let head = match state.store.chain_head().await {
        Ok(link) => link.map(|l| Head {
            seq: l.seq,
            hash: l.hash.to_hex(),
        }),
        Err(_) => None,
    };
    HEAD.scope(head, next.run(request)).await
}
