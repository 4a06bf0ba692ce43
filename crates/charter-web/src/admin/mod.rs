//! What only the people who run the service set up: the identifier kinds residents can opt out
//! with, the signatory organisations and the words search treats as the same. Account pages and organisation tools are in `account`.

use axum::Router;

use crate::AppState;

mod identifier_kinds;
mod organisations;
mod search_words;

pub fn routes() -> Router<AppState> {
    identifier_kinds::routes()
        .merge(organisations::routes())
        .merge(search_words::routes())
}
