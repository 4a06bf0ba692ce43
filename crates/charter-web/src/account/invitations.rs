//! An organisation's administrator invites a person: the account is made and a one-time link to
//! set a password goes to them (to the outbox), or is shown when no outbox is set up.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use charter_app::AppError;
use charter_app::accounts::NewPerson;
use charter_core::accounts::{LINK_DAYS, Role};

use super::extractors::{ClientAddr, Signed};
use super::tools::{Said, slug, tools};
use crate::error::params;
use crate::{AppState, WebError};

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct InviteForm {
    email: String,
    name: String,
    role: String,
}

pub(super) async fn invite(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(text): Path<String>,
    Signed { who, form }: Signed<InviteForm>,
) -> Result<Response, WebError> {
    let slug = slug(&text)?;
    let role = match form.role.as_str() {
        "organisation-admin" => Role::OrgAdmin,
        _ => Role::OrgEditor,
    };
    let person = NewPerson {
        email: &form.email,
        name: &form.name,
        role,
        organisation: Some(&slug),
    };
    let added =
        match charter_app::accounts::add_user(state.store.as_ref(), &who.actor(&addr), &person)
            .await
        {
            Ok(added) => added,
            Err(AppError::Invalid(problems)) => {
                let errors = params(problems, "main-content");
                let status = StatusCode::BAD_REQUEST;
                return tools(&state, who, &slug, Said::default(), errors, status).await;
            }
            Err(e) => return Err(e.into()),
        };
    let path = added.path();
    let email = &added.email;
    let sent = match &state.mail {
        Some(mailer) => crate::mail::send_link(
            mailer,
            &state.public_url,
            email,
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
        let link = format!("{}{path}", state.public_url);
        format!(
            "Send {email} this link to set their password. It works once, within {LINK_DAYS} days: {link}"
        )
    };
    let said = Said {
        new_token: None,
        notice: Some(notice),
    };
    tools(&state, who, &slug, said, Vec::new(), StatusCode::OK).await
}
