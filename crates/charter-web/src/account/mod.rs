//! Accounts for the people who run the register and for signatory organisations: signing in and
//! out, setting a password by a one-time link, resetting it, and the organisation tools (tokens,
//! invitations, the self-publish switch) and the audit log. Each action is a use case in
//! `charter_app`; permissions come from `charter_core::accounts::allowed`.

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

mod audit;
mod extractors;
mod invitations;
mod notifications;
mod overdue;
pub mod passwords;
pub mod session;
mod sign_in;
mod tokens;
mod tools;

pub(crate) use extractors::{
    ClientAddr, Person, Signed, SignedForm, TokenOnly, check_form_token, err, field,
};
pub use session::SignedIn;

/// Signing in and setting or resetting a password: forms anyone can send.
pub fn public_forms() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in::page).post(sign_in::sign_in))
        .route(
            "/account/set-password/{token}",
            get(passwords::set_password_page).post(passwords::set_password),
        )
        .route(
            "/account/reset-password",
            get(passwords::reset_page).post(passwords::reset),
        )
}

/// The signed-in people's pages: the organisation tools and the audit log.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-out", post(sign_in::sign_out))
        .route("/manage", get(tools::manage))
        .route("/manage/organisations/{slug}", get(tools::organisation))
        .route("/manage/organisations/{slug}/tokens", post(tokens::create))
        .route(
            "/manage/organisations/{slug}/tokens/{id}/revoke",
            post(tokens::revoke),
        )
        .route("/manage/audit", get(audit::log))
        .route("/manage/overdue", get(overdue::list))
        .route(
            "/manage/organisations/{slug}/self-publish",
            post(tools::set_self_publish),
        )
        .route(
            "/manage/organisations/{slug}/people",
            post(invitations::invite),
        )
        .route(
            "/account/notifications",
            get(notifications::show).post(notifications::save),
        )
}
