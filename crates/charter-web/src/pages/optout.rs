//! Residents opt out, see their choices and change them, with no account: a receipt code and a
//! private link are all they need. The identifier goes straight to `crate::optout::new_record`
//! and is never stored, shown or logged in clear.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use charter_core::search::ParamError;
use charter_core::{ProjectId, Slug};
use charter_optout::{IdentifierError, NhsNumber, Scope};
use charter_store::optout::{IdentifierKindSpec, OptOutEntry, OptOutEvent};

use crate::error::render;
use crate::optout::{KnownKinds, current_version, known_kinds, new_record};
use crate::{AppState, WebError};
use charter_app::secrets::{random_hex, token_hash};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/opt-out", get(start).post(submit))
        .route("/opt-out/manage/{token}", get(manage).post(change))
        .route("/opt-out/figures", get(figures))
}

/// Who the choice is for: the resident, or someone they act for, with the legal basis.
const FOR_WHOM: &[(&str, &str)] = &[
    ("me", "Myself"),
    (
        "parental-responsibility",
        "A child I have parental responsibility for",
    ),
    (
        "lasting-power-of-attorney",
        "Someone I have lasting power of attorney for",
    ),
    ("deputy", "Someone I am a court-appointed deputy for"),
];

#[derive(Default)]
struct FormValues {
    scopes: Vec<String>,
    organisation: String,
    project: String,
    for_whom: String,
    email: String,
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
    values: FormValues,
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
        values: FormValues {
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

fn err(param: &str, message: impl Into<String>) -> ParamError {
    ParamError {
        param: param.to_owned(),
        message: message.into(),
    }
}

/// What to tell a resident whose identifier of a local kind does not fit its rules: plain words
/// from the kind's own rules, never repeating what they typed.
fn identifier_problem(spec: &IdentifierKindSpec, e: IdentifierError) -> String {
    let label = &spec.label;
    let allowed = if spec.charset == "digits" {
        "digits"
    } else {
        "letters and digits"
    };
    let length = if spec.min_len == spec.max_len {
        format!("{} characters long", spec.min_len)
    } else {
        format!("{} to {} characters long", spec.min_len, spec.max_len)
    };
    match e {
        IdentifierError::Empty => format!("Enter the {label} of the person opting out"),
        IdentifierError::BadCharacter { .. } => {
            format!("The {label} can only contain {allowed} (spaces and hyphens are fine)")
        }
        IdentifierError::WrongLength { .. } | IdentifierError::TooLong => {
            format!("The {label} must be {length}, not counting spaces and hyphens")
        }
        _ => format!("Enter a valid {label}"),
    }
}

/// Reads the chosen scopes: general ones, an organisation and a project.
async fn parse_scopes(
    state: &AppState,
    values: &FormValues,
    errors: &mut Vec<ParamError>,
) -> Vec<Scope> {
    let mut scopes: Vec<Scope> = values
        .scopes
        .iter()
        .filter_map(|s| s.parse::<Scope>().ok())
        .filter(|s| Scope::GENERAL.contains(s))
        .collect();
    if !values.organisation.is_empty() {
        match values.organisation.parse::<Slug>() {
            Ok(slug) if matches!(state.store.organisation(&slug).await, Ok(Some(_))) => {
                scopes.push(Scope::Organisation(slug))
            }
            _ => errors.push(err("organisation", "Choose an organisation from the list")),
        }
    }
    if !values.project.trim().is_empty() {
        match values.project.trim().to_uppercase().parse::<ProjectId>() {
            Ok(id) if matches!(state.store.project(id).await, Ok(Some(_))) => {
                scopes.push(Scope::Project(id))
            }
            Ok(_) => errors.push(err(
                "project",
                "There is no project with that id on the register",
            )),
            Err(_) => errors.push(err(
                "project",
                "Enter a project id like LCR-0042, or leave it blank",
            )),
        }
    }
    scopes
}

async fn submit(State(state): State<AppState>, body: Bytes) -> Result<Response, WebError> {
    let keys = state.optout.clone().ok_or_else(unavailable)?;
    let pairs = form_pairs(&body);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let values = FormValues {
        scopes: pairs
            .iter()
            .filter(|(k, _)| k == "scope")
            .map(|(_, v)| v.clone())
            .collect(),
        organisation: get("organisation"),
        project: get("project"),
        for_whom: get("for"),
        email: get("email"),
    };
    let known = known_kinds(state.store.as_ref()).await?;
    let mut errors = Vec::new();
    let scopes = parse_scopes(&state, &values, &mut errors).await;
    if scopes.is_empty() && errors.is_empty() {
        errors.push(err("scope", "Choose at least one thing to opt out of"));
    }
    let version = current_version(state.store.as_ref()).await?;
    let register_keys = keys.version(version);
    // The identifier given: the one box filled in, the NHS number's or that of a kind offered now.
    let mut given = Vec::new();
    let nhs = get("nhs_number");
    if !nhs.is_empty() {
        given.push(("nhs_number".to_owned(), NhsNumber::NAME.to_owned(), nhs));
    }
    for r in known.offered() {
        let field = format!("identifier-{}", r.spec.name);
        let value = get(&field);
        if !value.is_empty() {
            given.push((field, r.spec.name.clone(), value));
        }
    }
    let mut kind = None;
    let mut identifier = String::new();
    match given.as_slice() {
        [] if known.offered().next().is_none() => {
            errors.push(err("nhs_number", "Enter an NHS number"));
        }
        [] => errors.push(err(
            "nhs_number",
            "Enter an NHS number, or one of the other identifiers",
        )),
        [(field, name, value)] => {
            let found = known.kinds.get(name).cloned();
            match (&found, known.record(name)) {
                (Some(k), _) if name == NhsNumber::NAME => {
                    if let Err(e) = k.normalise_str(value) {
                        errors.push(err(field, format!("Enter a valid NHS number: {e}")));
                    }
                }
                (Some(k), Some(record)) => {
                    if let Err(e) = k.normalise_str(value) {
                        errors.push(err(field, identifier_problem(&record.spec, e)));
                    }
                }
                _ => return Err(WebError::Internal(format!("identifier kind {name} vanished"))),
            }
            kind = found;
            identifier = value.clone();
        }
        [_, (field, _, _), ..] => errors.push(err(
            field,
            "Give one identifier at a time. To be matched by another one too, opt out again with it",
        )),
    }
    let basis = FOR_WHOM
        .iter()
        .find(|(v, _)| *v == values.for_whom)
        .map(|(v, _)| *v);
    if basis.is_none() {
        errors.push(err("for", "Say who you are opting out"));
    }
    let email = if values.email.is_empty() {
        None
    } else {
        match values.email.parse::<charter_core::Email>() {
            Ok(e) => Some(e),
            Err(_) => {
                errors.push(err(
                    "email",
                    "Enter an email address like name@example.com, or leave it blank",
                ));
                None
            }
        }
    };
    if !errors.is_empty() {
        let page = StartPage {
            active: "opt-out",
            errors,
            values,
            organisations: organisations(&state).await?,
            for_whom: FOR_WHOM,
            general: general_scopes(),
            kinds: kind_choices(&known),
        };
        return Ok(render(&page, StatusCode::BAD_REQUEST));
    }
    let Some(kind) = kind else {
        return Err(WebError::Internal(
            "no identifier kind after checking".into(),
        ));
    };
    let now = charter_app::clock::now();
    let (channel, proxy) = match basis {
        Some("me") | None => ("online", None),
        Some(b) => ("proxy", Some(b.to_owned())),
    };
    let events: Vec<OptOutEvent> = scopes
        .iter()
        .map(|s| OptOutEvent {
            scope: s.to_string(),
            withdrawn: false,
            channel: channel.into(),
            proxy_basis: proxy.clone(),
            recorded_at: now.to_string(),
        })
        .collect();
    let token = random_hex(24).map_err(|e| WebError::Internal(e.to_string()))?;
    let receipt = format!(
        "OPT-{}",
        random_hex(5)
            .map_err(|e| WebError::Internal(e.to_string()))?
            .to_uppercase()
    );
    let record = new_record(
        &register_keys,
        kind.as_ref(),
        &identifier,
        events,
        Some(receipt.clone()),
        Some(token_hash(&token)),
        &now,
    )
    .map_err(|e| WebError::Internal(e.to_string()))?;
    state.store.optouts_add(&[record]).await?;
    if let (Some(email), Some(mailer)) = (email, &state.mail) {
        // The address is used for this one message and not kept. The choice is already saved,
        // so a mail server that does not answer is logged, not shown as a failure.
        if let Err(e) =
            crate::mail::send_receipt(mailer, &state.public_url, &email, &receipt, &token, &scopes)
                .await
        {
            tracing::error!(error = %e, "the opt-out receipt was not sent");
        }
    }
    Ok(Redirect::to(&format!("/opt-out/manage/{token}?new=1")).into_response())
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

fn label(scope: &str) -> String {
    scope
        .parse::<Scope>()
        .map(|s| s.label())
        .unwrap_or_else(|_| scope.to_owned())
}

fn manage_page(
    token: String,
    entry: &OptOutEntry,
    new: bool,
    errors: Vec<ParamError>,
    known: &KnownKinds,
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
            .map(|s| (label(&s), s))
            .collect(),
        history: entry
            .events
            .iter()
            .rev()
            .map(|e| {
                (
                    crate::pages::when(&e.recorded_at),
                    label(&e.scope),
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
    // Tokens are 48 hex digits; anything else cannot match and is not looked up.
    if token.len() != 48 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(WebError::NotFound);
    }
    state
        .store
        .optout_by_token(&token_hash(token))
        .await?
        .ok_or(WebError::NotFound)
}

async fn manage(
    State(state): State<AppState>,
    Path(token): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, WebError> {
    let entry = find(&state, &token).await?;
    let new = raw.as_deref().is_some_and(|q| q.contains("new=1"));
    let known = known_kinds(state.store.as_ref()).await?;
    Ok(render(
        &manage_page(token, &entry, new, Vec::new(), &known),
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
    let action = pairs
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let chosen: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "scope")
        .map(|(_, v)| v.clone())
        .collect();
    let now = charter_app::clock::now();
    let current = entry.current_scopes();
    let events: Vec<OptOutEvent> = match action {
        "withdraw" => chosen
            .iter()
            .filter(|s| current.contains(s))
            .map(|s| OptOutEvent {
                scope: s.clone(),
                withdrawn: true,
                channel: "online".into(),
                proxy_basis: None,
                recorded_at: now.to_string(),
            })
            .collect(),
        "add" => chosen
            .iter()
            .filter_map(|s| s.parse::<Scope>().ok())
            .filter(|s| Scope::GENERAL.contains(s) && !current.contains(&s.to_string()))
            .map(|s| OptOutEvent {
                scope: s.to_string(),
                withdrawn: false,
                channel: "online".into(),
                proxy_basis: None,
                recorded_at: now.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    };
    if events.is_empty() {
        let message = if action == "withdraw" {
            "Choose at least one opt-out to withdraw"
        } else {
            "Choose at least one thing to opt out of"
        };
        let field = if action == "withdraw" {
            "withdraw"
        } else {
            "add"
        };
        let known = known_kinds(state.store.as_ref()).await?;
        return Ok(render(
            &manage_page(token, &entry, false, vec![err(field, message)], &known),
            StatusCode::BAD_REQUEST,
        ));
    }
    state.store.optout_append(entry.id, &events).await?;
    Ok(Redirect::to(&format!("/opt-out/manage/{token}")).into_response())
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
        by_scope.push((label(scope), public(*n)));
    }
    let checks = f
        .checks
        .iter()
        .map(|c| {
            (
                c.organisation.clone(),
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
