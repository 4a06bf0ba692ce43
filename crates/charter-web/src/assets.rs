//! Static files, compiled into the binary so `charter` is one file to deploy.

use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "govuk-frontend.min.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../static/govuk-frontend.min.css"),
    },
    Asset {
        name: "govuk-frontend.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/govuk-frontend.min.js"),
    },
    Asset {
        name: "charter.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../static/charter.css"),
    },
    Asset {
        name: "charter.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/charter.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../static/favicon.svg"),
    },
    Asset {
        name: "LICENSE-govuk-frontend.txt",
        content_type: "text/plain; charset=utf-8",
        body: include_bytes!("../static/LICENSE-govuk-frontend.txt"),
    },
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{name}", get(asset))
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            a.body,
        )
            .into_response(),
        None => crate::WebError::NotFound.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_gov_uk_font_is_shipped() {
        for a in ASSETS {
            let text = String::from_utf8_lossy(a.body);
            assert!(
                !text.contains("GDS Transport"),
                "{} mentions GDS Transport",
                a.name
            );
            assert!(!text.contains("@font-face"), "{} loads a font", a.name);
        }
    }
}
