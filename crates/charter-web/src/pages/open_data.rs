//! `/open-data`: how to use the register as open data, with the download's columns.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use charter_core::export::COLUMNS;

use crate::error::render;

#[derive(Template)]
#[template(path = "open-data.html")]
struct OpenData {
    active: &'static str,
    columns: &'static [charter_core::export::Column],
}

pub(super) async fn open_data() -> Response {
    render(
        &OpenData {
            active: "open-data",
            columns: COLUMNS,
        },
        StatusCode::OK,
    )
}
