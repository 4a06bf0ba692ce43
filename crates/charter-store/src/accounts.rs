//! What the store keeps for accounts, sessions, one-time links and the audit log.

pub use charter_core::accounts::Role;
use charter_core::{Slug, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub organisation: Option<Slug>,
    /// Argon2id PHC string; none until the person sets a password.
    pub password_hash: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub form_token: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub from_address: String,
}

/// Why a one-time link did not work, for a clear page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Unknown,
    Used,
    Expired,
}

/// A sign-in attempt recorded before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInAttempt {
    pub id: i64,
    /// Failures counted in the window, this attempt included.
    pub failures: u64,
}
