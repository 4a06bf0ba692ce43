//! What the store says when an organisation cannot be added or changed as asked.

use charter_core::{OrgId, Slug};

/// Why an organisation was not added or changed. Nothing is written then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgClash {
    /// Another organisation has this name (compared without regard to capitals): its short name.
    Name(Slug),
    /// Another organisation has this short name: its id.
    Slug(OrgId),
    /// No organisation has this id and short name (a short name never changes).
    Missing,
}

/// A site administrator's API token: it belongs to no organisation (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteToken {
    pub id: i64,
    /// The person who made it: what is done with the token is theirs.
    pub owner: crate::TokenOwner,
    pub label: String,
    pub scopes: Vec<String>,
    pub created_at: charter_core::Timestamp,
    pub revoked_at: Option<charter_core::Timestamp>,
}
