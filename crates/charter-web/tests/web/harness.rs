//! The test harness: `TestApp` builds the real router on a store, with the test register in it,
//! signs people in by role and organisation, makes API tokens, gives each test its own temporary
//! folder (for the outbox), and sends requests.
//!
//! ```ignore
//! for app in TestApp::init().with_optout().on_each_backend().await {
//!     let editor = app.signed_in("editor", Role::OrgEditor, Some("knowsley-council")).await;
//!     app.get_as(&editor, "/manage").await.has("Your account");
//! }
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use charter_app::optout::OptOutKeys;
use charter_core::accounts::Role;
use charter_core::charter::Charter;
use charter_store::Store;
use charter_store::fixtures::{complete_project, minimal_project, small_register};
use charter_store_postgres::PostgresStore;
use charter_store_sqlite::SqliteStore;
use charter_web::{AppState, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const CHARTER: &str = include_str!("../../../../charter/charter.toml");

/// The charter the register is checked against.
pub fn charter() -> Charter {
    Charter::from_toml(CHARTER).unwrap()
}

/// How an app is set up before it is built on each store.
#[must_use]
pub struct Setup {
    filled: bool,
    optout: bool,
    outbox: bool,
    configure: Option<Box<dyn Fn(AppState) -> AppState>>,
}

/// The app under test, on one store.
pub struct TestApp {
    pub store: Arc<dyn Store>,
    /// The router, as `charter serve` builds it from the same state.
    pub router: axum::Router,
    /// The opt-out keys, when the app was set up `with_optout`.
    pub keys: Option<Arc<OptOutKeys>>,
    dir: tempfile::TempDir,
    sessions: AtomicU32,
}

/// Someone signed in: the session's cookie value and form token.
pub struct Person {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// The register filled with the test entries, no opt-out keys, no mail.
    pub fn init() -> Setup {
        Setup {
            filled: true,
            optout: false,
            outbox: false,
            configure: None,
        }
    }
}

impl Setup {
    /// No organisations and no entries.
    pub fn empty(mut self) -> Self {
        self.filled = false;
        self
    }

    /// Opt-out keys (from a fixed test secret) and mail to the test's outbox.
    pub fn with_optout(mut self) -> Self {
        self.optout = true;
        self
    }

    /// Mail to the test's outbox (`TestApp::outbox`), without opt-out keys.
    pub fn with_outbox(mut self) -> Self {
        self.outbox = true;
        self
    }

    /// Any other setting of the state (limits, public URL, a mailer), applied last.
    pub fn with_state(mut self, configure: impl Fn(AppState) -> AppState + 'static) -> Self {
        self.configure = Some(Box::new(configure));
        self
    }

    /// The app on SQLite, and on PostgreSQL too when there is one to test against
    /// (see [`postgres_url`]); each store is new and empty before it is filled.
    pub async fn on_each_backend(self) -> Vec<TestApp> {
        let mut out = vec![self.sqlite_app().await];
        if let Some(url) = charter_store::test_database::postgres_url("charter-web") {
            static N: AtomicU32 = AtomicU32::new(0);
            let schema = format!(
                "web{}_{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            );
            let store = PostgresStore::open_in_schema(&url, Some(&schema))
                .await
                .unwrap_or_else(|e| panic!("the PostgreSQL test database opens: {e}"));
            out.push(self.build(Arc::new(store)).await);
        }
        out
    }

    /// The app on SQLite only, for what does not depend on the database.
    pub async fn on_sqlite(self) -> TestApp {
        self.sqlite_app().await
    }

    /// The app on a store the test made itself.
    pub async fn on_store(self, store: Arc<dyn Store>) -> TestApp {
        self.build(store).await
    }

    async fn sqlite_app(&self) -> TestApp {
        let store = SqliteStore::memory().await.unwrap();
        self.build(Arc::new(store)).await
    }

    async fn build(&self, store: Arc<dyn Store>) -> TestApp {
        if self.filled {
            fill(store.as_ref()).await;
        }
        let dir = tempfile::Builder::new()
            .prefix("charter-web-test-")
            .tempdir()
            .unwrap();
        let outbox = dir.path().join("outbox");
        let mut state = AppState::new(store.clone(), charter());
        let mut keys = None;
        if self.optout {
            let k = OptOutKeys::new(charter_optout::MasterSecret::from_bytes([7; 32]));
            state = state.with_optout(k.clone(), outbox);
            keys = Some(k);
        } else if self.outbox {
            state = state.with_outbox(outbox);
        }
        if let Some(configure) = &self.configure {
            state = configure(state);
        }
        TestApp {
            store,
            router: router(state),
            keys,
            dir,
            sessions: AtomicU32::new(0),
        }
    }
}

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
        .projects_publish(&projects, "Published", &ts("2026-11-30T12:00:00Z"))
        .await
        .unwrap();
}

impl TestApp {
    /// Where the app's mail goes, in the test's own temporary folder (removed with the app) (`with_optout` or `with_outbox`); created by the first message.
    pub fn outbox(&self) -> PathBuf {
        self.dir.path().join("outbox")
    }

    /// Every message in the outbox, oldest first.
    pub fn mails(&self) -> Vec<String> {
        let mut mails: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(self.outbox())
            .expect("the app has sent mail")
            .map(|e| {
                let e = e.unwrap();
                (
                    e.metadata().unwrap().modified().unwrap(),
                    std::fs::read_to_string(e.path()).unwrap(),
                )
            })
            .collect();
        mails.sort();
        mails.into_iter().map(|(_, m)| m).collect()
    }

    /// Another router on the same store, with its own settings.
    pub fn router_with(&self, configure: impl FnOnce(AppState) -> AppState) -> axum::Router {
        router(configure(AppState::new(self.store.clone(), charter())))
    }

    /// Adds an account (no password); its id.
    pub async fn user(&self, email: &str, role: Role, org: Option<&str>) -> i64 {
        let org: Option<charter_core::Slug> = org.map(|o| o.parse().unwrap());
        self.store
            .user_add(email, None, role, org.as_ref(), &ts("2026-01-01T00:00:00Z"))
            .await
            .unwrap()
    }

    /// Signs account `user_id` in directly through the store: a new session each time.
    pub async fn session(&self, user_id: i64) -> (String, String) {
        let n = self.sessions.fetch_add(1, Ordering::SeqCst);
        let id = format!("{:064x}", u128::from(n) + 7);
        let form_token = format!("form{n}");
        self.store
            .session_create(
                &charter_web::account::session::id_hash(&id),
                user_id,
                &form_token,
                &ts("2026-01-01T00:00:00Z"),
                &ts("2999-01-01T00:00:00Z"),
            )
            .await
            .unwrap();
        (id, form_token)
    }

    /// A new account `{name}@x.example` with `role` (in `org`), signed in.
    pub async fn signed_in(&self, name: &str, role: Role, org: Option<&str>) -> Person {
        self.signed_in_as(&format!("{name}@x.example"), role, org)
            .await
    }

    /// A new account with this email address and `role` (in `org`), signed in.
    pub async fn signed_in_as(&self, email: &str, role: Role, org: Option<&str>) -> Person {
        let id = self.user(email, role, org).await;
        let (cookie, csrf) = self.session(id).await;
        Person { cookie, csrf }
    }

    /// Makes an API token `value` for `org` with `scopes` (space-separated), owned by a new
    /// administrator of `org` (a token always belongs to a person). The owner's id.
    pub async fn token(&self, org: &str, value: &str, scopes: &str) -> i64 {
        static N: AtomicU32 = AtomicU32::new(0);
        let slug: charter_core::Slug = org.parse().unwrap();
        let email = format!(
            "token-{}-{}@{org}.example",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let owner = self.user(&email, Role::OrgAdmin, Some(org)).await;
        self.store
            .token_create(&charter_store::NewToken {
                organisation: &slug,
                owner_id: owner,
                token_hash: &charter_app::secrets::token_hash(value),
                label: "test",
                scopes,
                at: &ts("2026-01-01T00:00:00Z"),
            })
            .await
            .unwrap();
        owner
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        send(&self.router, request).await
    }

    pub async fn get(&self, uri: &str) -> Reply {
        get(&self.router, uri).await
    }

    pub async fn post_form(&self, uri: &str, form: &str) -> Reply {
        post_form(&self.router, uri, form).await
    }

    pub async fn post_json(&self, uri: &str, body: &str) -> Reply {
        post_json(&self.router, uri, body).await
    }

    /// A page as a signed-in person sees it.
    pub async fn get_as(&self, who: &Person, uri: &str) -> Reply {
        self.send(with_cookie("GET", uri, Some(&who.cookie), None))
            .await
    }

    /// Posts `pairs` as a signed-in person, with their form token.
    pub async fn post_as(&self, who: &Person, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf", who.csrf.as_str())];
        all.extend_from_slice(pairs);
        let body = serde_urlencoded::to_string(all).unwrap();
        self.post_signed(uri, &who.cookie, &body).await
    }

    /// Posts a form exactly as given (form token or not) with the session cookie `session`.
    pub async fn post_signed(&self, uri: &str, session: &str, form: &str) -> Reply {
        self.send(with_cookie("POST", uri, Some(session), Some(form)))
            .await
    }

    /// An API request, with a bearer token and an If-Match if given.
    pub async fn api(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        if_match: Option<&str>,
        body: &str,
    ) -> Reply {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json");
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        if let Some(m) = if_match {
            b = b.header("if-match", m);
        }
        self.send(b.body(Body::from(body.to_owned())).unwrap())
            .await
    }
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
    /// Where a redirect sends the browser.
    #[track_caller]
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no redirect ({}): {}", self.status, self.body))
            .to_owned()
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

/// A same-site request with the session cookie, if any, and a form body, if any.
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

/// A moment written as the register stores it.
pub fn ts(text: &str) -> charter_core::Timestamp {
    text.parse().expect("an RFC 3339 timestamp")
}

/// One dashboard chart from `/api/v1/dashboard` JSON.
pub fn dashboard_series<'j>(j: &'j serde_json::Value, slug: &str) -> &'j serde_json::Value {
    j["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slug"] == slug)
        .unwrap_or_else(|| panic!("no {slug} chart in {j}"))
}

/// One dashboard chart's rows from `/api/v1/dashboard` JSON, as (date, first line's value).
pub fn dashboard_rows(j: &serde_json::Value, slug: &str) -> Vec<(String, Option<i64>)> {
    dashboard_series(j, slug)["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["date"].as_str().unwrap().to_owned(),
                r["values"][0].as_i64(),
            )
        })
        .collect()
}
