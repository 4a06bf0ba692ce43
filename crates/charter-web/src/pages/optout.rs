//! Residents opt out, see their choices and change them, with no account: a receipt code and a
//! private link are all they need. The handlers read the form, call `charter_app::optout` and
//! render; the identifier goes straight to the use case and is never stored, shown or logged in
//! clear.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use charter_app::AppError;
use charter_app::optout::{
    self as use_case, Change, FOR_WHOM, KnownKinds, OptOutRequest, known_kinds,
};
use charter_core::search::ParamError;
use charter_optout::Scope;
use charter_store::optout::OptOutEntry;

use crate::error::{params, render};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/opt-out", get(start).post(submit))
        .route("/opt-out/manage/{token}", get(manage).post(change))
        .route("/opt-out/figures", get(figures))
}

/// An identifier kind residents may give besides the NHS number.
struct KindChoice {
    name: String,
    label: String,
    hint: String,
}

fn kind_choices(known: &KnownKinds) -> Vec<KindChoice> {
    known
        .offered()
        .map(|r| KindChoice {
            name: r.spec.name.clone(),
            label: r.spec.label.clone(),
            hint: r.spec.hint.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "opt-out.html")]
struct StartPage {
    active: &'static str,
    errors: Vec<ParamError>,
    values: OptOutRequest,
    organisations: Vec<(String, String)>,
    for_whom: &'static [(&'static str, &'static str)],
    general: Vec<(String, String)>,
    /// Kinds besides the NHS number; none means the form asks for an NHS number only.
    kinds: Vec<KindChoice>,
}

impl StartPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
    fn chosen(&self, scope: &str) -> bool {
        self.values.scopes.iter().any(|s| s == scope)
    }
}

fn general_scopes() -> Vec<(String, String)> {
    Scope::GENERAL
        .iter()
        .map(|s| (s.to_string(), s.label()))
        .collect()
}

async fn organisations(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    Ok(state
        .store
        .organisations()
        .await?
        .into_iter()
        .map(|o| (o.organisation.slug.to_string(), o.organisation.name))
        .collect())
}

fn unavailable() -> WebError {
    WebError::Internal("the opt-out service has no keys".into())
}

async fn start(State(state): State<AppState>) -> Result<Response, WebError> {
    state.optout.as_ref().ok_or_else(unavailable)?;
    let known = known_kinds(state.store.as_ref()).await?;
    let page = StartPage {
        active: "opt-out",
        errors: Vec::new(),
        values: OptOutRequest {
            for_whom: "me".into(),
            ..Default::default()
        },
        organisations: organisations(&state).await?,
        for_whom: FOR_WHOM,
        general: general_scopes(),
        kinds: kind_choices(&known),
    };
    Ok(render(&page, StatusCode::OK))
}

fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

/// The form as the use case reads it: every value trimmed but the scopes ticked.
fn request(pairs: &[(String, String)]) -> OptOutRequest {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    OptOutRequest {
        scopes: pairs
            .iter()
            .filter(|(k, _)| k == "scope")
            .map(|(_, v)| v.clone())
            .collect(),
        organisation: get("organisation"),
        project: get("project"),
        for_whom: get("for"),
        email: get("email"),
        identifiers: pairs
            .iter()
            .filter(|(k, _)| k == "nhs_number" || k.starts_with("identifier-"))
            .map(|(k, _)| (k.clone(), get(k)))
            .collect(),
    }
}

async fn submit(State(state): State<AppState>, body: Bytes) -> Result<Response, WebError> {
    let keys = state.optout.clone().ok_or_else(unavailable)?;
    let values = request(&form_pairs(&body));
    let done = match use_case::record(state.store.as_ref(), &keys, &values).await {
        Ok(done) => done,
        Err(AppError::Invalid(problems)) => {
            let page = StartPage {
                active: "opt-out",
                errors: params(problems, "main-content"),
                values,
                organisations: organisations(&state).await?,
                for_whom: FOR_WHOM,
                general: general_scopes(),
                kinds: kind_choices(&known_kinds(state.store.as_ref()).await?),
            };
            return Ok(render(&page, StatusCode::BAD_REQUEST));
        }
        Err(e) => return Err(e.into()),
    };
    if let (Some(email), Some(mailer)) = (&done.email, &state.mail) {
        // The choice is saved: a name that cannot be looked up leaves the short name in the email.
        let names = Names::of(&state, done.scopes.iter().map(|s| s.to_string()).collect())
            .await
            .unwrap_or_default();
        let scopes: Vec<String> = done
            .scopes
            .iter()
            .map(|s| names.label(&s.to_string()))
            .collect();
        // The address is used for this one message and not kept. The choice is already saved,
        // so a mail server that does not answer is logged, not shown as a failure.
        if let Err(e) = crate::mail::send_receipt(
            mailer,
            &state.public_url,
            email,
            &done.receipt,
            &done.token,
            &scopes,
        )
        .await
        {
            tracing::error!(error = %e, "the opt-out receipt was not sent");
        }
    }
    Ok(Redirect::to(&format!("/opt-out/manage/{}?new=1", done.token)).into_response())
}

#[derive(Template)]
#[template(path = "opt-out-manage.html")]
struct ManagePage {
    active: &'static str,
    token: String,
    receipt: String,
    current: Vec<(String, String)>,
    history: Vec<(String, String, bool)>,
    new: bool,
    errors: Vec<ParamError>,
    general: Vec<(String, String)>,
    /// The kind of identifier given, in words.
    kind: String,
}

/// The names of the organisations and the titles of the projects some opt-outs name, so that
/// residents read "Any use by Sefton Council", not its short name.
#[derive(Default)]
struct Names {
    organisations: HashMap<String, String>,
    projects: HashMap<String, String>,
}

impl Names {
    /// Looks up every organisation's name, and the title of each project among `scopes`.
    async fn of(state: &AppState, scopes: Vec<String>) -> Result<Names, WebError> {
        let mut names = Names {
            organisations: organisation_names(state).await?,
            ..Names::default()
        };
        for scope in scopes {
            if let Ok(Scope::Project(id)) = scope.parse::<Scope>()
                && !names.projects.contains_key(&id.to_string())
                && let Some(p) = state.store.project(id).await?
            {
                names.projects.insert(id.to_string(), p.title.to_string());
            }
        }
        Ok(names)
    }

    /// An organisation's name from its short name; the short name if it is not on the register.
    fn organisation(&self, slug: &str) -> String {
        self.organisations
            .get(slug)
            .cloned()
            .unwrap_or_else(|| slug.to_owned())
    }

    fn label(&self, scope: &str) -> String {
        match scope.parse::<Scope>() {
            Ok(s) => {
                let name = match &s {
                    Scope::Organisation(slug) => self.organisations.get(slug.as_str()),
                    Scope::Project(id) => self.projects.get(&id.to_string()),
                    _ => None,
                };
                s.label_naming(name.map(String::as_str))
            }
            Err(_) => scope.to_owned(),
        }
    }
}

async fn organisation_names(state: &AppState) -> Result<HashMap<String, String>, WebError> {
    Ok(organisations(state).await?.into_iter().collect())
}

fn manage_page(
    token: String,
    entry: &OptOutEntry,
    new: bool,
    errors: Vec<ParamError>,
    known: &KnownKinds,
    names: &Names,
) -> ManagePage {
    ManagePage {
        kind: known
            .kinds
            .get(&entry.kind)
            .map_or_else(|| entry.kind.clone(), |k| k.label().to_owned()),
        active: "opt-out",
        token,
        receipt: entry.receipt.clone().unwrap_or_default(),
        current: entry
            .current_scopes()
            .into_iter()
            .map(|s| (names.label(&s), s))
            .collect(),
        history: entry
            .events
            .iter()
            .rev()
            .map(|e| {
                (
                    crate::pages::when(&e.recorded_at),
                    names.label(&e.scope),
                    e.withdrawn,
                )
            })
            .collect(),
        new,
        errors,
        general: general_scopes(),
    }
}

async fn find(state: &AppState, token: &str) -> Result<OptOutEntry, WebError> {
    Ok(use_case::find(state.store.as_ref(), token).await?)
}

async fn manage(
    State(state): State<AppState>,
    Path(token): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, WebError> {
    let entry = find(&state, &token).await?;
    let new = raw.as_deref().is_some_and(|q| q.contains("new=1"));
    let known = known_kinds(state.store.as_ref()).await?;
    let names = Names::of(
        &state,
        entry.events.iter().map(|e| e.scope.clone()).collect(),
    )
    .await?;
    Ok(render(
        &manage_page(token, &entry, new, Vec::new(), &known, &names),
        StatusCode::OK,
    ))
}

async fn change(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let entry = find(&state, &token).await?;
    let pairs = form_pairs(&body);
    let action = match pairs
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.as_str())
    {
        Some("withdraw") => Some(Change::Withdraw),
        Some("add") => Some(Change::Add),
        _ => None,
    };
    let chosen: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .collect();
    match use_case::change(state.store.as_ref(), &entry, action, &chosen).await {
        Ok(()) => Ok(Redirect::to(&format!("/opt-out/manage/{token}")).into_response()),
        Err(AppError::Invalid(problems)) => {
            let known = known_kinds(state.store.as_ref()).await?;
            let errors = params(problems, "main-content");
            let names = Names::of(
                &state,
                entry.events.iter().map(|e| e.scope.clone()).collect(),
            )
            .await?;
            Ok(render(
                &manage_page(token, &entry, false, errors, &known, &names),
                StatusCode::BAD_REQUEST,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "opt-out-figures.html")]
struct FiguresPage {
    active: &'static str,
    by_scope: Vec<(String, String)>,
    checks: Vec<(String, String, String, String)>,
}

async fn figures(State(state): State<AppState>) -> Result<Response, WebError> {
    let f = state.store.optout_figures().await?;
    let names = Names::of(&state, f.by_scope.iter().map(|(k, _)| k.clone()).collect()).await?;
    let public = |n: u64| charter_optout::PublicCount::new(n).to_string();
    let mut by_scope: Vec<(String, String)> = Scope::GENERAL
        .iter()
        .map(|s| {
            (
                s.label(),
                public(
                    f.by_scope
                        .iter()
                        .find(|(k, _)| *k == s.to_string())
                        .map_or(0, |(_, n)| *n),
                ),
            )
        })
        .collect();
    for (scope, n) in f
        .by_scope
        .iter()
        .filter(|(k, _)| !Scope::GENERAL.iter().any(|g| g.to_string() == *k))
    {
        by_scope.push((names.label(scope), public(*n)));
    }
    let checks = f
        .checks
        .iter()
        .map(|c| {
            (
                names.organisation(&c.organisation),
                c.month.clone(),
                public(c.checks),
                public(c.rows_removed),
            )
        })
        .collect();
    Ok(render(
        &FiguresPage {
            active: "opt-out",
            by_scope,
            checks,
        },
        StatusCode::OK,
    ))
}
