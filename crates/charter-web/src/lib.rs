//! Charter's web front: public pages (askama templates on GOV.UK Frontend), the open JSON API
//! with its OpenAPI document, and the bulk downloads. Handlers stay thin: they parse the request
//! into core types, ask the store, and hand the result to a template or to serde.

use std::sync::Arc;

use axum::Router;
use axum::routing::{any, get};
use charter_core::charter::Charter;
use charter_store::Store;

pub mod account;
mod admin;
pub mod api;
mod assets;
mod breaches;
mod challenges;
mod editor;
mod error;
pub mod export;
mod footer;
mod headers;
mod highlight;
mod law;
mod limit;
pub mod mail;
mod pages;
mod query;
pub mod server;

pub use error::WebError;

/// Everything a request handler may use. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub charter: Arc<Charter>,
    /// The opt-out keys; without them the opt-out service says it is unavailable.
    pub optout: Option<Arc<charter_app::optout::OptOutKeys>>,
    /// Where email goes: a mail server, or an outbox folder. None: no email is sent.
    pub mail: Option<Arc<mail::Mailer>>,
    /// The register's public address (`https://register.example.org`), for links in email;
    /// empty for links relative to the site.
    pub public_url: String,
    /// The search index and remembered results (charter_app::search).
    pub searches: Arc<charter_app::search::SearchService>,
    /// The law's changes as entry pages last read them (kept per register version).
    pub law: Arc<charter_app::law::RememberedLaw>,
    /// What the server takes from anyone: connections, and time to send a request.
    pub limits: server::Limits,
    /// Send `Strict-Transport-Security`: the register is served over HTTPS (its public address
    /// starts with `https://`).
    pub hsts: bool,
    /// The last check of the register's history, which every page's footer shows.
    pub history: Arc<charter_app::verify::Checks>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, charter: Charter) -> Self {
        // Searches and entry pages share one reading of the register's version.
        let version_watch = Arc::new(charter_app::register_version::VersionWatch::default());
        AppState {
            store,
            charter: Arc::new(charter),
            optout: None,
            mail: None,
            public_url: String::new(),
            searches: Arc::new(charter_app::search::SearchService::sharing(
                version_watch.clone(),
            )),
            law: Arc::new(charter_app::law::RememberedLaw::sharing(version_watch)),
            limits: server::Limits::default(),
            hsts: false,
            history: Arc::default(),
        }
    }

    pub fn with_optout(
        mut self,
        keys: Arc<charter_app::optout::OptOutKeys>,
        outbox: std::path::PathBuf,
    ) -> Self {
        self.optout = Some(keys);
        // Receipts need somewhere to go; a mail server set up later takes over.
        if self.mail.is_none() {
            self.mail = Some(Arc::new(mail::Mailer::outbox(outbox)));
        }
        self
    }

    /// Where emails go when there is no mail server: one `.eml` file each.
    pub fn with_outbox(self, outbox: std::path::PathBuf) -> Self {
        self.with_mailer(mail::Mailer::outbox(outbox))
    }

    pub fn with_mailer(mut self, mailer: mail::Mailer) -> Self {
        self.mail = Some(Arc::new(mailer));
        self
    }

    /// The public address links in email start with, without a final slash.
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim_end_matches('/').to_owned();
        self.hsts = self.public_url.starts_with("https://");
        self
    }

    pub fn with_limits(mut self, limits: server::Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// The whole service: pages, API, downloads and static files. Each group of routes carries the
/// layers that apply to it (see [`Group`]); security headers, the body's deadline and size limit
/// wrap every request.
pub fn router(state: AppState) -> Router {
    use limit::FormGroup;
    let group = Group::new(&state);
    let api = api::routes().layer(axum::middleware::from_fn(headers::open_data));
    let downloads = Router::new()
        .route("/downloads/register.csv", get(export::csv_download))
        .route("/downloads/register.json", get(export::json_download))
        .layer(axum::middleware::from_fn(headers::open_data));
    Router::new()
        .merge(group.page(pages::routes()))
        .merge(group.private(group.forms(pages::optout::routes(), FormGroup::OptOut)))
        .merge(group.private(group.forms(account::public_forms(), FormGroup::Account)))
        .merge(group.private(group.forms(challenges::public_forms(), FormGroup::Challenges)))
        .merge(
            group.private(
                group.page(
                    account::routes()
                        .merge(admin::routes())
                        .merge(editor::routes())
                        .merge(challenges::routes())
                        .merge(breaches::routes()),
                ),
            ),
        )
        // Changes in the law: the charter body's list, a page for signed-in people.
        .merge(group.private(group.page(law::routes())))
        .merge(group.session(api))
        // Addresses under /api/ that no route takes: a page saying so, with none of the site's
        // form checks (the API has none).
        .merge(
            group.session(
                Router::new()
                    .route("/api/", any(pages::not_found))
                    .route("/api/{*rest}", any(pages::not_found)),
            ),
        )
        .merge(group.site(downloads))
        .merge(group.site(assets::routes().route("/healthz", get(health))))
        // Unknown addresses elsewhere under the private groups' prefixes are private too.
        .merge(
            group.private(
                group.page(
                    Router::new()
                        .route("/manage/{*rest}", any(pages::not_found))
                        .route("/sign-in/{*rest}", any(pages::not_found))
                        .route("/sign-out/{*rest}", any(pages::not_found)),
                ),
            ),
        )
        .merge(group.private(group.forms(
            Router::new().route("/opt-out/{*rest}", any(pages::not_found)),
            FormGroup::OptOut,
        )))
        .merge(group.private(group.forms(
            Router::new().route("/account/{*rest}", any(pages::not_found)),
            FormGroup::Account,
        )))
        .merge(group.page(Router::new().fallback(pages::not_found)))
        .layer(axum::extract::DefaultBodyLimit::max(
            limit::DEFAULT_BODY_BYTES,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.limits.body_timeout,
            limit::body_deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.hsts,
            headers::security,
        ))
        .with_state(state)
}

/// The layers a group of routes gets, each applied to the group's own router. Innermost first,
/// as a request meets them on its way out: the footer's chain head (pages), the signed-in person
/// (every route), the per-address count of posts (forms anyone can send), refusals as pages and
/// the cross-site form check (the site, not the API), and no-store (pages for one person).
struct Group {
    state: AppState,
    limiter: limit::FormLimiter,
}

type Routes = Router<AppState>;

impl Group {
    fn new(state: &AppState) -> Group {
        Group {
            state: state.clone(),
            limiter: limit::FormLimiter::default(),
        }
    }

    /// The signed-in person, if any, for handlers and templates.
    fn session(&self, routes: Routes) -> Routes {
        routes.layer(axum::middleware::from_fn_with_state(
            self.state.clone(),
            account::session::load,
        ))
    }

    /// What every route of the site (not the API) has: refusals as pages, and form posts from
    /// other sites refused.
    fn site(&self, routes: Routes) -> Routes {
        Self::forms_checked(self.session(routes))
    }

    /// Pages: the site's, with the register's head in the footer.
    fn page(&self, routes: Routes) -> Routes {
        self.site(self.with_head(routes))
    }

    /// Pages with forms anyone can send: posts are counted per address, per `group`.
    fn forms(&self, routes: Routes, group: limit::FormGroup) -> Routes {
        let counted =
            self.session(self.with_head(routes))
                .layer(axum::middleware::from_fn_with_state(
                    (self.limiter.clone(), group),
                    limit::public_forms,
                ));
        Self::forms_checked(counted)
    }

    /// Pages for one person only: never kept by a browser or a proxy. (A signed-in person's
    /// every page is theirs alone too: `headers::security` sees to that.)
    fn private(&self, routes: Routes) -> Routes {
        routes.layer(axum::middleware::from_fn(headers::no_store))
    }

    /// Refusals as pages, and form posts from other sites refused.
    fn forms_checked(routes: Routes) -> Routes {
        routes
            .layer(axum::middleware::from_fn(headers::pages_for_refusals))
            .layer(axum::middleware::from_fn(headers::same_origin_posts))
    }

    fn with_head(&self, routes: Routes) -> Routes {
        routes.layer(axum::middleware::from_fn_with_state(
            self.state.clone(),
            footer::last_check,
        ))
    }
}

/// Serves the register on `listener`, within the state's limits, until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits;
    server::serve(listener, router(state), limits, shutdown).await
}

/// For load balancers and monitoring: 200 when the database answers.
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, WebError> {
    state.store.stats().await?;
    Ok("ok")
}

#[cfg(test)]
mod router_tests;
