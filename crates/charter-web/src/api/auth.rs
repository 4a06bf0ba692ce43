//! Who is calling the organisations' endpoints: an API token, checked from the headers alone, so
//! a request without a good token is refused before a byte of its body is read.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use charter_app::Actor;
use charter_store::{ApiToken, TokenOwner};

use super::ApiError;
use super::optout::token_for;
use crate::AppState;
use crate::account::ClientAddr;

/// What a token must be allowed to do for an endpoint.
pub trait Scope {
    const NAME: &'static str;
}

/// Writing drafts (`/api/v1/drafts`).
pub struct Drafts;
impl Scope for Drafts {
    const NAME: &'static str = "drafts";
}

/// Checking datasets against opt-outs and reporting checks made offline.
pub struct OptOutCheck;
impl Scope for OptOutCheck {
    const NAME: &'static str = "optout-check";
}

/// A caller with a live token that has scope `S`, and the person the token belongs to.
pub struct Caller<S> {
    pub token: ApiToken,
    pub owner: TokenOwner,
    scope: PhantomData<S>,
}

impl<S> Caller<S> {
    /// The caller as the use cases see it: the token's owner, acting through the token, from
    /// `address`.
    pub fn acting(&self, address: &ClientAddr) -> Actor {
        Actor::token(
            self.token.organisation.clone(),
            self.token.id,
            &self.token.label,
            &self.owner.email,
            &address.0,
        )
    }

    /// The caller, for use cases that only read (and so write no audit entry).
    pub fn reading(&self) -> Actor {
        self.acting(&ClientAddr(String::new()))
    }
}

impl<S: Scope + Send + Sync> FromRequestParts<AppState> for Caller<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token_for(state, &parts.headers, S::NAME).await?;
        let owner = token.owner.clone().ok_or_else(|| {
            ApiError(crate::WebError::Forbidden(
                "This token was made before tokens belonged to a person, so nobody answers for what it does. \
                 Ask your organisation's administrator to make a new token on the organisation's page, and revoke this one."
                    .into(),
            ))
        })?;
        Ok(Caller {
            token,
            owner,
            scope: PhantomData,
        })
    }
}
