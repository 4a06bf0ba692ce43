//! What only the people who run the service set up: the identifier kinds residents can opt out
//! with, and the signatory organisations. Account pages and organisation tools are in `account`.

use axum::Router;

use crate::AppState;

mod identifier_kinds;
mod organisations;

pub fn routes() -> Router<AppState> {
    identifier_kinds::routes().merge(organisations::routes())
}
