//! The application layer's one error type. Interfaces turn it into a form error summary, a
//! problem document or a command-line message; none of them needs to know which rule refused.

use charter_store::StoreError;

pub type AppResult<T> = Result<T, AppError>;

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The person may not do this: their role, their organisation, or the four-eyes rule.
    #[error("{0}")]
    Forbidden(String),
    /// What the action is about does not exist (or is not visible to this person).
    #[error("{0} was not found")]
    NotFound(String),
    /// The input breaks a rule. Each problem names the field it is about, so forms can link to it.
    #[error("{}", .0.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Problem>),
    /// Someone else changed the thing first; the caller should reload and try again.
    #[error("{0}")]
    Conflict(String),
    /// No randomness was available for a secret.
    #[error("no randomness available: {0}")]
    Randomness(#[from] getrandom::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Not the caller's doing: something the register holds is wrong (its keys, records they
    /// cannot open) or something that should not fail did (a worker thread). Logged, never shown.
    #[error("{0}")]
    Internal(String),
}

/// One thing wrong with the input: the field (a form field name or a JSON path) and what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl AppError {
    /// One problem with one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![Problem::new(field, message)])
    }
}
