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

/// A caller with a live site administrator's token (scope `organisations`), whose owner is still
/// a site administrator: adds and changes signatory organisations, nothing else.
pub struct SiteCaller {
    pub token: charter_store::organisations::SiteToken,
}

impl SiteCaller {
    /// The caller as the use cases see it: the token's owner, acting through the token.
    pub fn acting(&self, address: &ClientAddr) -> Actor {
        Actor::site_token(
            self.token.id,
            &self.token.label,
            &self.token.owner.email,
            &address.0,
        )
    }
}

impl FromRequestParts<AppState> for SiteCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        use charter_core::accounts::{Action, Principal, allowed};
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(crate::WebError::Unauthorised)?;
        let hash = charter_app::secrets::token_hash(token);
        let Some(found) = state.store.site_token_by_hash(&hash).await? else {
            // An organisation's token is known, but may not do this.
            return Err(ApiError(match state.store.token_by_hash(&hash).await? {
                Some(_) => crate::WebError::Forbidden(
                    "An organisation's token cannot change organisations. A site administrator makes a token for this with `charter org token create --owner EMAIL --label TEXT --scope organisations`."
                        .into(),
                ),
                None => crate::WebError::Unauthorised,
            }));
        };
        // The owner's role now, not when the token was made.
        let owner = state.store.user(found.owner.user_id).await?;
        let may = owner.is_some_and(|u| {
            let principal = Principal {
                user_id: u.id,
                role: u.role,
                organisation: u.organisation,
            };
            allowed(&principal, Action::ManageOrganisations)
        });
        if !may {
            return Err(ApiError(crate::WebError::Forbidden(
                "This token belongs to someone who is no longer a site administrator. Revoke it and make a new one."
                    .into(),
            )));
        }
        Ok(SiteCaller { token: found })
    }
}
