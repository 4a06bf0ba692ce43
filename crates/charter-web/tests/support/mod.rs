//! What the HTTP test files share: backends to run on, a filled register, and a way to send
//! requests and read the replies.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use charter_core::charter::Charter;
use charter_store::Store;
use charter_store::fixtures::{complete_project, minimal_project, small_register};
use charter_store_postgres::PostgresStore;
use charter_store_sqlite::SqliteStore;
use charter_web::{AppState, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const CHARTER: &str = include_str!("../../../../charter/charter.toml");

/// Fills a store with the small register plus a complete entry and one full of awkward text.
pub async fn fill(store: &dyn Store) {
    let (orgs, mut projects) = small_register();
    for o in &orgs {
        store.organisation_put(o).await.unwrap();
    }
    projects.push(complete_project(9, "knowsley-council"));
    let mut formula = minimal_project(
        10,
        "wirral-transport",
        "=HYPERLINK(\"http://evil.example\") <script>",
        "-2+3 is a sum. @everyone",
    );
    formula.slug = "formula".parse().unwrap();
    projects.push(formula);
    store
        .projects_publish(
            &projects,
            "Published",
            &"2026-11-30T12:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
}

/// Every backend to test on: SQLite always; PostgreSQL when `CHARTER_TEST_POSTGRES_URL` is set
/// (each call gets its own schema). In CI a missing URL is a failure.
pub async fn stores() -> Vec<Arc<dyn Store>> {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let mut out: Vec<Arc<dyn Store>> = vec![Arc::new(SqliteStore::memory().await.unwrap())];
    match std::env::var("CHARTER_TEST_POSTGRES_URL") {
        Ok(url) => {
            let schema = format!(
                "http{}_{}",
                std::process::id(),
                N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            );
            out.push(Arc::new(
                PostgresStore::open_in_schema(&url, Some(&schema))
                    .await
                    .unwrap(),
            ));
        }
        Err(_) => assert!(
            std::env::var_os("CI").is_none(),
            "CI must set CHARTER_TEST_POSTGRES_URL"
        ),
    }
    out
}

pub fn app_with(store: Arc<dyn Store>) -> axum::Router {
    router(AppState::new(store, Charter::from_toml(CHARTER).unwrap()))
}

/// The router on each backend, filled with the test register.
pub async fn apps() -> Vec<axum::Router> {
    let mut out = Vec::new();
    for store in stores().await {
        fill(store.as_ref()).await;
        out.push(app_with(store));
    }
    out
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    #[track_caller]
    pub fn has(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "expected {text:?} in:\n{}",
            self.body
        );
        self
    }
    #[track_caller]
    pub fn lacks(&self, text: &str) -> &Self {
        assert!(!self.body.contains(text), "did not expect {text:?}");
        self
    }
}

pub async fn send(app: &axum::Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

pub async fn get(app: &axum::Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn post_json(app: &axum::Router, uri: &str, body: &str) -> Reply {
    let request = Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(app, request).await
}

pub async fn post_form(app: &axum::Router, uri: &str, form: &str) -> Reply {
    let request = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(form.to_owned()))
        .unwrap();
    send(app, request).await
}

pub fn fastrand_id() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

pub fn with_cookie(
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        b = b.header("cookie", format!("charter_session={c}"));
    }
    if form.is_some() {
        b = b.header("content-type", "application/x-www-form-urlencoded");
    }
    b.body(Body::from(form.unwrap_or("").to_owned())).unwrap()
}

/// Signs a person in directly through the store: (cookie value, form token).
pub async fn session_for(store: &dyn Store, user_id: i64, n: u32) -> (String, String) {
    let id = format!("{:064x}", u128::from(n) + 7);
    let form_token = format!("form{n}");
    store
        .session_create(
            &charter_web::account::session::id_hash(&id),
            user_id,
            &form_token,
            &"2026-01-01T00:00:00Z".parse().unwrap(),
            &"2999-01-01T00:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    (id, form_token)
}

/// Makes an API token `value` for `org` with `scopes`, owned by a new administrator of `org`
/// (a token always belongs to a person). Returns the owner's id.
pub async fn token_for_org(store: &dyn Store, org: &str, value: &str, scopes: &str) -> i64 {
    let slug: charter_core::Slug = org.parse().unwrap();
    let owner = store
        .user_add(
            &format!("token-{}@{org}.example", fastrand_id()),
            None,
            charter_core::accounts::Role::OrgAdmin,
            Some(&slug),
            &"2026-01-01T00:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    store
        .token_create(&charter_store::NewToken {
            organisation: &slug,
            owner_id: owner,
            token_hash: &charter_app::secrets::token_hash(value),
            label: "test",
            scopes,
            at: &"2026-01-01T00:00:00Z".parse().unwrap(),
        })
        .await
        .unwrap();
    owner
}
