//! `/accessibility`, `/privacy`, `/cookies`, `/plain-english`: the pages whose words are all in
//! the template.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::error::render;

/// The pages whose words do not come from the database.
#[derive(Template)]
#[template(path = "static-page.html")]
struct Static {
    active: &'static str,
    which: &'static str,
    title: &'static str,
}

/// Renders one of them: `which` chooses the words in the template.
fn show(which: &'static str, title: &'static str) -> Response {
    render(
        &Static {
            active: "",
            which,
            title,
        },
        StatusCode::OK,
    )
}

pub(super) async fn accessibility() -> Response {
    show("accessibility", "Accessibility statement")
}

pub(super) async fn privacy() -> Response {
    show("privacy", "Privacy notice")
}

pub(super) async fn cookies() -> Response {
    show("cookies", "Cookies")
}

pub(super) async fn plain_english() -> Response {
    show("plain-english", "Reading ages and plain English")
}
