//! Security headers on every response, and the headers and refusals of groups of routes: open
//! data (the API and downloads), pages for one person, and the site's forms. Each group's
//! layers are attached to its own router in `crate::router`, never chosen by the path here.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// No inline script or style, nothing from other sites, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY: [(&str, &str); 6] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

fn add_missing(response: &mut Response, headers: &[(&'static str, &'static str)]) {
    let h = response.headers_mut();
    for (name, value) in headers {
        h.entry(HeaderName::from_static(name))
            .or_insert_with(|| HeaderValue::from_static(value));
    }
}

/// A request from someone signed in: whatever page it asks for is theirs alone.
fn signed_in(request: &Request) -> bool {
    request
        .headers()
        .get_all(axum::http::header::COOKIE)
        .iter()
        .any(|c| c.to_str().is_ok_and(|c| c.contains("charter_session=")))
}

/// Pages that show something meant for one person only: never kept by a browser or a proxy
/// (a new API token and an invitation link are shown once; a resident's receipt and choices).
pub async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    add_missing(&mut response, &[("cache-control", "no-store")]);
    response
}

/// One year, sent only when the register is served over HTTPS.
const HSTS: &str = "max-age=31536000; includeSubDomains";

pub async fn security(
    axum::extract::State(hsts): axum::extract::State<bool>,
    request: Request,
    next: Next,
) -> Response {
    let private = signed_in(&request);
    let mut response = next.run(request).await;
    add_missing(&mut response, &SECURITY);
    if private {
        add_missing(&mut response, &[("cache-control", "no-store")]);
    }
    if hsts {
        add_missing(&mut response, &[("strict-transport-security", HSTS)]);
    }
    response
}

/// Open data may be read by any web page: allow cross-origin reads. Nothing here uses cookies.
pub async fn open_data(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    add_missing(&mut response, &[("access-control-allow-origin", "*")]);
    response
}

/// Refuses form posts from other sites (cross-site request forgery): a browser says where a
/// request comes from in `Sec-Fetch-Site`, or failing that `Origin`. Not on the JSON API: it
/// uses no cookies, so another site gains nothing by calling it.
pub async fn same_origin_posts(request: Request, next: Next) -> Response {
    use axum::http::{Method, StatusCode};
    use axum::response::IntoResponse;
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe {
        return next.run(request).await;
    }
    let headers = request.headers();
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross = match site {
        Some(s) => !matches!(s, "same-origin" | "none"),
        None => match (
            headers.get("origin").and_then(|v| v.to_str().ok()),
            headers.get("host").and_then(|v| v.to_str().ok()),
        ) {
            (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h) != Some(host),
            _ => false,
        },
    };
    if cross {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site form post");
        return (
            StatusCode::FORBIDDEN,
            "This form can only be sent from the register's own pages.",
        )
            .into_response();
    }
    next.run(request).await
}

/// A form too large for its route is refused by the body limit before any handler runs, in
/// plain text; people in a browser get the register's own page saying what happened instead.
/// (Not on the API: its refusals are problem documents already.)
pub async fn pages_for_refusals(request: Request, next: Next) -> Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/plain"));
    if plain && response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return crate::WebError::TooLarge("the form".into()).into_response();
    }
    response
}
