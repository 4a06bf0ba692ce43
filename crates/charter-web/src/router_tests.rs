//! Each group of routes has its layers, and only its own: the per-address count of posts, the
//! cross-site form check and no-store, for routes that exist and for addresses that do not.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use charter_core::charter::Charter;
use tower::ServiceExt;

use crate::{AppState, limit, router};

async fn app() -> axum::Router {
    let store = charter_store_sqlite::SqliteStore::memory().await.unwrap();
    let charter = Charter::from_toml(include_str!("../../../charter/charter.toml")).unwrap();
    router(AppState::new(Arc::new(store), charter))
}

fn post(uri: &str, site: &str) -> Request<Body> {
    let mut request = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", site)
        .body(Body::empty())
        .unwrap();
    let from: SocketAddr = "192.0.2.7:4000".parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(from));
    request
}

/// Sends `MAX_POSTS + 1` same-site posts to `uri`: whether the last was refused as too many.
async fn limited(app: &axum::Router, uri: &str) -> bool {
    let mut last = StatusCode::OK;
    for _ in 0..=limit::MAX_POSTS {
        last = app
            .clone()
            .oneshot(post(uri, "same-origin"))
            .await
            .unwrap()
            .status();
    }
    last == StatusCode::TOO_MANY_REQUESTS
}

#[tokio::test]
async fn only_the_forms_anyone_can_send_are_counted_and_each_group_apart() {
    let app = app().await;
    assert!(limited(&app, "/opt-out/manage/abc").await);
    assert!(
        limited(&app, "/opt-out/no-such-page").await,
        "the group's prefix"
    );
    assert!(limited(&app, "/sign-in").await, "its own count");
    assert!(limited(&app, "/account/reset-password").await);
    let app = self::app().await;
    assert!(limited(&app, "/account/set-password/abc").await);
    for uri in [
        "/sign-out",
        "/manage/drafts/1/submit",
        "/api/v1/text/check",
        "/no-such-page",
    ] {
        assert!(!limited(&app, uri).await, "{uri}");
    }
}

#[tokio::test]
async fn the_cross_site_check_and_no_store_apply_to_their_groups_only() {
    let app = app().await;
    let send = |request: Request<Body>| app.clone().oneshot(request);
    for uri in [
        "/opt-out",
        "/sign-in",
        "/manage/review",
        "/no-such-page",
        "/api",
    ] {
        let r = send(post(uri, "cross-site")).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{uri}");
    }
    for uri in [
        "/api/v1/text/check",
        "/api/v1/no-such-thing",
        "/api/no-such-thing",
    ] {
        let r = send(post(uri, "cross-site")).await.unwrap();
        assert_ne!(r.status(), StatusCode::FORBIDDEN, "{uri}");
    }
    for (uri, private) in [
        ("/opt-out/figures", true),
        ("/opt-out/no-such-page", true),
        ("/manage/no-such-page", true),
        ("/account/no-such-page", true),
        ("/sign-out", true),
        ("/projects", false),
        ("/no-such-page", false),
        ("/api/v1/projects", false),
    ] {
        let r = send(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let no_store = r
            .headers()
            .get("cache-control")
            .is_some_and(|v| v == "no-store");
        assert_eq!(no_store, private, "{uri}");
    }
}
