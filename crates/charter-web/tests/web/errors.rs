//! What people see when something is not there or the database is down.

use std::sync::Arc;

use axum::http::StatusCode;
use charter_store_sqlite::SqliteStore;

use crate::harness::*;

#[tokio::test]
async fn unknown_things_get_the_404_page() {
    for app in TestApp::init().on_each_backend().await {
        for uri in [
            "/projects/LCR-9999",
            "/projects/banana",
            "/projects/LCR-0001x",
            "/organisations/nobody",
            "/organisations/NOT_A_SLUG",
            "/no-such-page",
            "/static/nothing.css",
        ] {
            let r = app.get(uri).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
            r.has("Page not found").has("Charter register");
        }
    }
}

#[tokio::test]
async fn database_failures_give_a_plain_error_page_without_internals() {
    // A store whose database has gone away.
    let store = SqliteStore::open("sqlite:file:secret-internal-name?mode=memory")
        .await
        .unwrap();
    store.close().await;
    let app = TestApp::init().empty().on_store(Arc::new(store)).await;
    for uri in [
        "/projects",
        "/projects/LCR-0001",
        "/organisations",
        "/compliance",
    ] {
        let r = app.get(uri).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        r.has("Sorry, the service is unavailable")
            .lacks("secret")
            .lacks("sqlite");
    }
    let api = app.get("/api/v1/projects/LCR-0001").await;
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.content_type(), "application/problem+json");
    api.lacks("secret").lacks("sqlite");
    assert_eq!(
        app.get("/healthz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}
