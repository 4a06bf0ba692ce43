//! Accounts for the people who run the register and for signatory organisations: signing in and
//! out, setting a password by a one-time link, resetting it, and the organisation tools.
//! Permissions come from `charter_core::accounts::allowed`; handlers only ask.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use charter_core::Slug;
use charter_core::accounts::{Action, Role, TOKEN_SCOPES, allowed, check_password};
use charter_core::search::ParamError;
use charter_core::workflow::DraftState;
use charter_store::ApiToken;
use charter_store::accounts::{AuditEntry, LinkProblem};

use crate::error::render;
use crate::{AppState, WebError};
use charter_app::secrets::{random_hex, token_hash};

mod kinds;
pub mod passwords;
pub mod session;

pub use session::SignedIn;

/// Failed sign-ins allowed per email address in `FAILURE_WINDOW_MINUTES`.
const MAX_FAILURES: u64 = 5;
const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Failed sign-ins are counted under a hash of the address tried, never the address itself.
fn failures_key(email: &str) -> String {
    blake3::hash(email.as_bytes()).to_hex().to_string()
}

/// How long a set-password or reset link works.
pub const LINK_DAYS: i64 = 7;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route(
            "/account/set-password/{token}",
            get(set_password_page).post(set_password),
        )
        .route("/account/reset-password", get(reset_page).post(reset))
        .route("/manage", get(manage))
        .route("/manage/organisations/{slug}", get(organisation))
        .route("/manage/organisations/{slug}/tokens", post(create_token))
        .route(
            "/manage/organisations/{slug}/tokens/{id}/revoke",
            post(revoke_token),
        )
        .route("/manage/audit", get(audit_log))
        .route(
            "/manage/organisations/{slug}/self-publish",
            post(set_self_publish),
        )
        .route("/manage/organisations/{slug}/people", post(invite))
        .merge(kinds::routes())
}

pub(crate) fn form(body: &Bytes) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

pub(crate) fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub(crate) fn err(param: &str, message: impl Into<String>) -> ParamError {
    ParamError {
        param: param.to_owned(),
        message: message.into(),
    }
}

/// Where a request came from, for the audit log ("unknown" when not served over a socket).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

pub(crate) async fn audit(
    state: &AppState,
    actor: &str,
    action: &str,
    subject: &str,
    from: &str,
) -> Result<(), WebError> {
    state
        .store
        .audit_append(&AuditEntry {
            at: charter_app::clock::now().into(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            from_address: from.to_owned(),
        })
        .await?;
    Ok(())
}

/// A signed-in person, for pages that need one; anyone else is sent to sign in.
pub(crate) struct Person(pub SignedIn);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Person {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Response> {
        match parts
            .extensions
            .get::<Option<SignedIn>>()
            .cloned()
            .flatten()
        {
            Some(who) => Ok(Person(who)),
            None => Err(to_sign_in()),
        }
    }
}

/// A form sent by a signed-in person, its form token already checked.
pub(crate) struct SignedForm {
    pub who: SignedIn,
    pub pairs: Vec<(String, String)>,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for SignedForm {
    type Rejection = Response;
    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Person(who) =
            <Person as axum::extract::FromRequestParts<S>>::from_request_parts(&mut parts, state)
                .await?;
        let request = axum::extract::Request::from_parts(parts, body);
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let pairs = form(&body);
        check_form_token(&who, &pairs).map_err(IntoResponse::into_response)?;
        Ok(SignedForm { who, pairs })
    }
}

/// Where people who are not signed in are sent.
pub(crate) fn to_sign_in() -> Response {
    Redirect::to("/sign-in").into_response()
}

/// The form token must come back with every form a signed-in person sends.
pub(crate) fn check_form_token(who: &SignedIn, pairs: &[(String, String)]) -> Result<(), WebError> {
    if field(pairs, "csrf") == who.form_token {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "This form has expired. Go back, reload the page and try again.".into(),
        ))
    }
}

#[derive(Template)]
#[template(path = "sign-in.html")]
struct SignInPage {
    active: &'static str,
    email: String,
    errors: Vec<ParamError>,
    notice: Option<&'static str>,
}

impl SignInPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

async fn sign_in_page(axum::extract::RawQuery(raw): axum::extract::RawQuery) -> Response {
    let notice = match raw.as_deref() {
        Some("password-set") => Some("Your password is set. Sign in with it now."),
        Some("signed-out") => Some("You have signed out."),
        _ => None,
    };
    render(
        &SignInPage {
            active: "sign-in",
            email: String::new(),
            errors: Vec::new(),
            notice,
        },
        StatusCode::OK,
    )
}

async fn sign_in(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    signed_in: axum::Extension<Option<SignedIn>>,
    body: Bytes,
) -> Result<Response, WebError> {
    let pairs = form(&body);
    let email = field(&pairs, "email").trim().to_lowercase();
    let password = field(&pairs, "password");
    let page = |errors: Vec<ParamError>, status| {
        render(
            &SignInPage {
                active: "sign-in",
                email: email.clone(),
                errors,
                notice: None,
            },
            status,
        )
    };
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push(err("email", "Enter your email address"));
    }
    if password.is_empty() {
        errors.push(err("password", "Enter your password"));
    }
    if !errors.is_empty() {
        return Ok(page(errors, StatusCode::BAD_REQUEST));
    }
    let key = failures_key(&email);
    let since = charter_app::clock::from_now(-FAILURE_WINDOW_MINUTES * 60);
    // The attempt counts as a failure before the password is checked, in one step with the
    // count, so attempts sent at once cannot all slip under the limit.
    let attempt = state
        .store
        .sign_in_attempt(&key, &charter_app::clock::now(), &since)
        .await?;
    if attempt.failures > MAX_FAILURES {
        state.store.sign_in_forgive(attempt.id).await?;
        let mut paused = page(
            vec![err(
                "email",
                format!(
                    "Too many tries for this account. Wait {FAILURE_WINDOW_MINUTES} minutes, or reset your password."
                ),
            )],
            StatusCode::TOO_MANY_REQUESTS,
        );
        paused.headers_mut().insert(
            header::RETRY_AFTER,
            axum::http::HeaderValue::from(FAILURE_WINDOW_MINUTES * 60),
        );
        return Ok(paused);
    }
    let user = state.store.user_by_email(&email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    if !passwords::verify(password, stored).await {
        return Ok(page(
            vec![err("email", "The email address or password is wrong")],
            StatusCode::UNAUTHORIZED,
        ));
    }
    state.store.sign_in_forgive(attempt.id).await?;
    let Some(user) = user else {
        return Err(WebError::Internal("verified without a user".into()));
    };
    // A fresh session id at every sign-in; any session this browser had ends.
    if let Some(old) = signed_in.0.as_ref() {
        state.store.session_delete(&old.id_hash).await?;
    }
    let id = random_hex(32).map_err(|e| WebError::Internal(e.to_string()))?;
    let form_token = random_hex(16).map_err(|e| WebError::Internal(e.to_string()))?;
    state
        .store
        .session_create(
            &session::id_hash(&id),
            user.id,
            &form_token,
            &charter_app::clock::now(),
            &charter_app::clock::from_now(session::HOURS * 3600),
        )
        .await?;
    audit(&state, &user.email, "sign-in", &user.email, &addr.0).await?;
    let mut response = Redirect::to("/manage").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(&id, session::secure(&headers)),
    );
    Ok(response)
}

async fn sign_out(
    State(state): State<AppState>,
    SignedForm { who, .. }: SignedForm,
) -> Result<Response, WebError> {
    state.store.session_delete(&who.id_hash).await?;
    let mut response = Redirect::to("/sign-in?signed-out").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session::clear_cookie());
    Ok(response)
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    active: &'static str,
    title: &'static str,
    lines: Vec<String>,
}

fn link_problem(p: LinkProblem) -> Response {
    let (title, line) = match p {
        LinkProblem::Used => (
            "This link has already been used",
            "Each link works once. If you need to set your password again, ask for a new link.",
        ),
        LinkProblem::Expired => (
            "This link has expired",
            "Links work for 7 days, and stop working once a new password is set. Ask for a new one.",
        ),
        LinkProblem::Unknown => (
            "This link does not work",
            "Check you copied the whole link. If it still does not work, ask for a new one.",
        ),
    };
    render(
        &MessagePage {
            active: "",
            title,
            lines: vec![
                line.to_owned(),
                "You can ask for a new link on the reset password page.".to_owned(),
            ],
        },
        StatusCode::GONE,
    )
}

#[derive(Template)]
#[template(path = "set-password.html")]
struct SetPasswordPage {
    active: &'static str,
    token: String,
    errors: Vec<ParamError>,
}

impl SetPasswordPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

fn valid_token(token: &str) -> bool {
    token.len() == 48 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn set_password_page(Path(token): Path<String>) -> Response {
    if !valid_token(&token) {
        return link_problem(LinkProblem::Unknown);
    }
    render(
        &SetPasswordPage {
            active: "",
            token,
            errors: Vec::new(),
        },
        StatusCode::OK,
    )
}

async fn set_password(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    if !valid_token(&token) {
        return Ok(link_problem(LinkProblem::Unknown));
    }
    let pairs = form(&body);
    let password = field(&pairs, "password");
    let confirm = field(&pairs, "confirm");
    let mut errors = Vec::new();
    if let Err(p) = check_password(&password, "") {
        errors.push(err("password", p.to_string()));
    } else if password != confirm {
        errors.push(err("confirm", "The passwords do not match"));
    }
    if !errors.is_empty() {
        return Ok(render(
            &SetPasswordPage {
                active: "",
                token,
                errors,
            },
            StatusCode::BAD_REQUEST,
        ));
    }
    let hash_of_token = token_hash(&token);
    // The password is checked first, so a weak one does not use up the link.
    let user_id = match state
        .store
        .link_use(&hash_of_token, "password", &charter_app::clock::now())
        .await?
    {
        Ok(id) => id,
        Err(p) => return Ok(link_problem(p)),
    };
    let hash = passwords::hash(password)
        .await
        .map_err(WebError::Internal)?;
    // Every session and every other link of this person ends with the new password, and a pause
    // after failed sign-ins ends too: the pause page offers a reset as the way out.
    state
        .store
        .user_password_set(user_id, &hash, &charter_app::clock::now())
        .await?;
    if let Some(user) = state.store.user(user_id).await? {
        state
            .store
            .sign_in_clear(&failures_key(&user.email))
            .await?;
    }
    audit(
        &state,
        &format!("user {user_id}"),
        "password-set",
        &format!("user {user_id}"),
        &addr.0,
    )
    .await?;
    Ok(Redirect::to("/sign-in?password-set").into_response())
}

#[derive(Template)]
#[template(path = "reset-password.html")]
struct ResetPage {
    active: &'static str,
    errors: Vec<ParamError>,
    sent: bool,
}

async fn reset_page() -> Response {
    render(
        &ResetPage {
            active: "",
            errors: Vec::new(),
            sent: false,
        },
        StatusCode::OK,
    )
}

/// Sends a reset link when the address has an account; says the same either way, so the page
/// does not reveal who has one.
async fn reset(State(state): State<AppState>, body: Bytes) -> Result<Response, WebError> {
    let email = field(&form(&body), "email").trim().to_lowercase();
    if email.parse::<charter_core::Email>().is_err() {
        return Ok(render(
            &ResetPage {
                active: "",
                errors: vec![err("email", "Enter an email address like name@example.org")],
                sent: false,
            },
            StatusCode::BAD_REQUEST,
        ));
    }
    if let (Some(user), Some(mailer)) = (state.store.user_by_email(&email).await?, &state.mail) {
        let token = random_hex(24).map_err(|e| WebError::Internal(e.to_string()))?;
        state
            .store
            .link_create(
                &token_hash(&token),
                user.id,
                "password",
                &charter_app::clock::now(),
                &charter_app::clock::from_now(LINK_DAYS * 24 * 3600),
            )
            .await?;
        // The page says the same whether or not the address has an account, so a failure to
        // send is logged rather than shown.
        if let Err(e) = crate::mail::send_link(
            mailer,
            &state.public_url,
            &user.email,
            "Reset your password",
            &format!("/account/set-password/{token}"),
        )
        .await
        {
            tracing::error!(error = %e, "a password reset link was not sent");
        }
    }
    Ok(render(
        &ResetPage {
            active: "",
            errors: Vec::new(),
            sent: true,
        },
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "manage.html")]
struct ManagePage {
    active: &'static str,
    who: SignedIn,
    organisations: Vec<(String, String)>,
    audit: bool,
    identifier_kinds: bool,
}

async fn manage(State(state): State<AppState>, Person(who): Person) -> Result<Response, WebError> {
    let p = who.principal();
    let organisations = state
        .store
        .organisations()
        .await?
        .into_iter()
        .filter(|o| allowed(&p, Action::ViewOrganisation(&o.organisation.slug)))
        .map(|o| (o.organisation.slug.to_string(), o.organisation.name))
        .collect();
    let audit = allowed(&p, Action::ViewAuditLog);
    let identifier_kinds = allowed(&p, Action::ManageIdentifierKinds);
    Ok(render(
        &ManagePage {
            active: "manage",
            who,
            organisations,
            audit,
            identifier_kinds,
        },
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "manage-organisation.html")]
struct OrganisationTools {
    active: &'static str,
    who: SignedIn,
    slug: String,
    name: String,
    entries: Vec<(String, String, bool, usize)>,
    tokens: Vec<ApiToken>,
    can_manage_tokens: bool,
    new_token: Option<String>,
    errors: Vec<ParamError>,
    /// Drafts not yet published: (draft id, title, entry id, state).
    drafts: Vec<(i64, String, String, &'static str)>,
    scopes: &'static [(&'static str, &'static str)],
    can_edit: bool,
    self_publish: bool,
    can_set_self_publish: bool,
    can_invite: bool,
    /// Said once after an action, such as an invitation sent.
    notice: Option<String>,
}

impl OrganisationTools {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::error::error_for(&self.errors, field)
    }
}

/// What changed on the organisation tools page, to say once.
#[derive(Default)]
struct Said {
    new_token: Option<String>,
    notice: Option<String>,
}

async fn tools(
    state: &AppState,
    who: SignedIn,
    slug: &Slug,
    said: Said,
    errors: Vec<ParamError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let p = who.principal();
    if !allowed(&p, Action::ViewOrganisation(slug)) {
        return Err(WebError::Forbidden(
            "You cannot see this organisation's tools.".into(),
        ));
    }
    let org = state
        .store
        .organisation(slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let today = charter_app::clock::today();
    // Every entry of the organisation, read in pages, checked once each, listed by title.
    let mut entries = Vec::new();
    let mut after = None;
    loop {
        let batch = state
            .store
            .organisation_projects_after(slug, after, 500)
            .await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for project in batch {
            let card = charter_core::check::check(&project, &state.charter, today);
            let blocking = card.blocking().count();
            entries.push((
                project.id.to_string(),
                project.title.to_string(),
                card.blocks_publishing,
                blocking,
            ));
        }
    }
    entries.sort_by_key(|e| e.1.to_lowercase());
    let can_manage_tokens = allowed(&p, Action::ManageTokens(slug));
    let tokens = if can_manage_tokens {
        state.store.tokens(slug).await?
    } else {
        Vec::new()
    };
    let can_edit = allowed(&p, Action::EditEntries(slug));
    let self_publish = state.store.self_publish(slug).await?;
    let drafts = state
        .store
        .drafts(&charter_store::drafts::DraftFilter {
            organisation: Some(slug.clone()),
            states: vec![
                DraftState::Editing,
                DraftState::Submitted,
                DraftState::Returned,
            ],
        })
        .await?
        .into_iter()
        .map(|d| {
            (
                d.id,
                d.entry.title.to_string(),
                d.entry.id.to_string(),
                d.state.label(),
            )
        })
        .collect();
    let page = OrganisationTools {
        active: "manage",
        slug: slug.to_string(),
        name: org.organisation.name,
        entries,
        tokens,
        can_manage_tokens,
        new_token: said.new_token,
        errors,
        drafts,
        can_edit,
        self_publish,
        can_set_self_publish: allowed(&p, Action::SetSelfPublish),
        can_invite: allowed(
            &p,
            Action::AddUser {
                role: Role::OrgEditor,
                organisation: Some(slug),
            },
        ),
        notice: said.notice,
        scopes: TOKEN_SCOPES,
        who,
    };
    Ok(render(&page, status))
}

async fn organisation(
    State(state): State<AppState>,
    Person(who): Person,
    Path(slug): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, WebError> {
    let slug: Slug = slug.parse().map_err(|_| WebError::NotFound)?;
    // Said once after an import, which redirects here.
    let imported = query
        .as_deref()
        .and_then(|q| q.strip_prefix("imported="))
        .and_then(|n| n.parse::<u32>().ok());
    let said = Said {
        new_token: None,
        notice: imported.map(|n| {
            format!("Imported {n} entries as drafts. They are listed under Drafts: finish each one and submit it for review.")
        }),
    };
    tools(&state, who, &slug, said, Vec::new(), StatusCode::OK).await
}

async fn create_token(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(slug): Path<String>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let slug: Slug = slug.parse().map_err(|_| WebError::NotFound)?;
    if !allowed(&who.principal(), Action::ManageTokens(&slug)) {
        return Err(WebError::Forbidden(
            "You cannot manage this organisation's tokens.".into(),
        ));
    }
    let label = field(&pairs, "label").trim().to_owned();
    let scopes: Vec<&str> = TOKEN_SCOPES
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| pairs.iter().any(|(k, v)| k == "scope" && v == s))
        .collect();
    let mut errors = Vec::new();
    if label.is_empty() || label.chars().count() > 100 {
        errors.push(err(
            "label",
            "Say what the token is for, in 100 characters or fewer",
        ));
    }
    if scopes.is_empty() {
        errors.push(err("scope", "Choose what the token may be used for"));
    }
    if !errors.is_empty() {
        return tools(
            &state,
            who,
            &slug,
            Said::default(),
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let token = format!(
        "chr_{}",
        random_hex(24).map_err(|e| WebError::Internal(e.to_string()))?
    );
    let id = state
        .store
        .token_create(&charter_store::NewToken {
            organisation: &slug,
            owner_id: who.user.id,
            token_hash: &token_hash(&token),
            label: &label,
            scopes: &scopes.join(" "),
            at: &charter_app::clock::now(),
        })
        .await?;
    audit(
        &state,
        &who.user.email,
        "token-create",
        &format!("token {id} for {slug}"),
        &addr.0,
    )
    .await?;
    let said = Said {
        new_token: Some(token),
        notice: None,
    };
    tools(&state, who, &slug, said, Vec::new(), StatusCode::OK).await
}

async fn revoke_token(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path((slug, id)): Path<(String, i64)>,
    SignedForm { who, .. }: SignedForm,
) -> Result<Response, WebError> {
    let slug: Slug = slug.parse().map_err(|_| WebError::NotFound)?;
    if !allowed(&who.principal(), Action::ManageTokens(&slug)) {
        return Err(WebError::Forbidden(
            "You cannot manage this organisation's tokens.".into(),
        ));
    }
    // Only this organisation's tokens can be revoked from its page.
    if !state.store.tokens(&slug).await?.iter().any(|t| t.id == id) {
        return Err(WebError::NotFound);
    }
    state
        .store
        .token_revoke(id, &charter_app::clock::now())
        .await?;
    audit(
        &state,
        &who.user.email,
        "token-revoke",
        &format!("token {id} for {slug}"),
        &addr.0,
    )
    .await?;
    Ok(Redirect::to(&format!("/manage/organisations/{slug}")).into_response())
}

/// The charter body lets an organisation approve its own entries (by a second person), or stops it.
async fn set_self_publish(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(slug): Path<String>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let slug: Slug = slug.parse().map_err(|_| WebError::NotFound)?;
    if !allowed(&who.principal(), Action::SetSelfPublish) {
        return Err(WebError::Forbidden(
            "Only the charter body decides who approves their own entries.".into(),
        ));
    }
    let on = field(&pairs, "self_publish") == "yes";
    state.store.self_publish_set(&slug, on).await?;
    audit(
        &state,
        &who.user.email,
        if on {
            "self-publish-on"
        } else {
            "self-publish-off"
        },
        &slug.to_string(),
        &addr.0,
    )
    .await?;
    Ok(Redirect::to(&format!("/manage/organisations/{slug}")).into_response())
}

/// An organisation's administrator invites a person: the account is made and a one-time link to
/// set a password goes to them (to the outbox), or is shown when no outbox is set up.
async fn invite(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(slug): Path<String>,
    SignedForm { who, pairs }: SignedForm,
) -> Result<Response, WebError> {
    let slug: Slug = slug.parse().map_err(|_| WebError::NotFound)?;
    let role = match field(&pairs, "role").as_str() {
        "organisation-admin" => Role::OrgAdmin,
        _ => Role::OrgEditor,
    };
    if !allowed(
        &who.principal(),
        Action::AddUser {
            role,
            organisation: Some(&slug),
        },
    ) {
        return Err(WebError::Forbidden(
            "You cannot invite people to this organisation.".into(),
        ));
    }
    let email = field(&pairs, "email").trim().to_lowercase();
    let name = field(&pairs, "name").trim().to_owned();
    let mut errors = Vec::new();
    if email.parse::<charter_core::Email>().is_err() {
        errors.push(err("email", "Enter an email address like name@example.org"));
    }
    if name.chars().count() > 100 {
        errors.push(err("name", "Enter a name of 100 characters or fewer"));
    }
    let id = if errors.is_empty() {
        let name = (!name.is_empty()).then_some(name.as_str());
        match state
            .store
            .user_add(&email, name, role, Some(&slug), &charter_app::clock::now())
            .await
        {
            Ok(id) => Some(id),
            Err(charter_store::StoreError::Conflict(_)) => {
                errors.push(err("email", format!("{email} already has an account")));
                None
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let Some(id) = id else {
        return tools(
            &state,
            who,
            &slug,
            Said::default(),
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let token = random_hex(24).map_err(|e| WebError::Internal(e.to_string()))?;
    state
        .store
        .link_create(
            &token_hash(&token),
            id,
            "password",
            &charter_app::clock::now(),
            &charter_app::clock::from_now(LINK_DAYS * 24 * 3600),
        )
        .await?;
    let path = format!("/account/set-password/{token}");
    let link = format!("{}{path}", state.public_url);
    let sent = match &state.mail {
        Some(mailer) => crate::mail::send_link(
            mailer,
            &state.public_url,
            &email,
            "You are invited to the charter register",
            &path,
        )
        .await
        .map_err(|e| tracing::error!(error = %e, "an invitation was not sent"))
        .is_ok(),
        None => false,
    };
    // Without email (or when it fails), the administrator passes the link on themselves.
    let notice = if sent {
        format!(
            "We have emailed {email} a link to set their password. It works once, within {LINK_DAYS} days."
        )
    } else {
        format!(
            "Send {email} this link to set their password. It works once, within {LINK_DAYS} days: {link}"
        )
    };
    audit(
        &state,
        &who.user.email,
        "user-invite",
        &format!("{} for {slug}", role.slug()),
        &addr.0,
    )
    .await?;
    let said = Said {
        new_token: None,
        notice: Some(notice),
    };
    tools(&state, who, &slug, said, Vec::new(), StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    active: &'static str,
    entries: Vec<AuditEntry>,
}

async fn audit_log(
    State(state): State<AppState>,
    Person(who): Person,
) -> Result<Response, WebError> {
    if !allowed(&who.principal(), Action::ViewAuditLog) {
        return Err(WebError::Forbidden(
            "Only the charter body and site administrators can see the audit log.".into(),
        ));
    }
    let entries = state.store.audit_log(500).await?;
    Ok(render(
        &AuditPage {
            active: "manage",
            entries,
        },
        StatusCode::OK,
    ))
}
