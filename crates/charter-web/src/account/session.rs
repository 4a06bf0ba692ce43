//! Sessions: a random id in an `HttpOnly`, `SameSite=Lax` cookie (and `Secure` behind HTTPS),
//! stored only as a hash. The session middleware reads it once per request and makes the
//! signed-in person available to handlers and templates.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use charter_core::accounts::Principal;
use charter_store::accounts::User;

use crate::AppState;

pub const COOKIE: &str = "charter_session";
/// How long a session lasts without signing in again.
pub const HOURS: i64 = charter_core::accounts::SESSION_HOURS;

/// The signed-in person for this request.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: User,
    /// Must come back with every form this person sends.
    pub form_token: String,
    pub id_hash: String,
}

impl SignedIn {
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.user.id,
            role: self.user.role,
            organisation: self.user.organisation.clone(),
        }
    }
}

tokio::task_local! {
    static CURRENT: Option<SignedIn>;
}

/// For templates: who is signed in, if anyone.
pub fn current() -> Option<SignedIn> {
    CURRENT.try_with(Clone::clone).ok().flatten()
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub fn id_hash(id: &str) -> String {
    charter_app::sign_in::session_hash(id)
}

/// Loads the session named by the cookie, if any, for the rest of the request.
pub async fn load(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let signed_in = match cookie_value(request.headers()) {
        None => None,
        Some(id) => {
            let hash = id_hash(&id);
            match state.store.session(&hash, &charter_app::clock::now()).await {
                Ok(Some(s)) => Some(SignedIn {
                    user: s.user,
                    form_token: s.form_token,
                    id_hash: hash,
                }),
                _ => None,
            }
        }
    };
    request.extensions_mut().insert(signed_in.clone());
    CURRENT.scope(signed_in, next.run(request)).await
}

/// Whether the request came over HTTPS (directly or through a proxy that says so).
pub fn secure(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        == Some("https")
}

pub fn set_cookie(id: &str, secure: bool) -> HeaderValue {
    let flags = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{flags}",
        HOURS * 3600
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("charter_session=; Path=/"))
}

pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("charter_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}
