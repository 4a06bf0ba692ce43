//! Residents' challenges to decisions and their questions about projects. A resident sends one
//! with no account ([`resident`]): they get a reference and a private link, and follow it, read
//! the answer, download or delete what they sent, or ask the charter body to step in. The
//! organisation works from its inbox ([`inbox`]): give an item to a colleague, say it has been
//! seen, answer, close. Personal details are erased a set time after closure ([`erasure`]).
//!
//! Nothing a resident typed goes into the log or the audit log: entries name the reference.

mod email;
pub mod erasure;
pub mod inbox;
pub mod resident;

use charter_core::challenges::{FieldProblem, Reference};
use charter_store::Store;
use charter_store::accounts::AuditEntry;
use charter_store::challenges::Challenge;

use crate::{AppError, AppResult, Problem, clock};

pub use email::RESIDENT_PATH;
pub use inbox::{Inbox, InboxQuery};
pub use resident::{ResidentCopy, Sent};

fn invalid(problems: Vec<FieldProblem>) -> AppError {
    AppError::Invalid(
        problems
            .into_iter()
            .map(|p| Problem::new(p.field, p.message))
            .collect(),
    )
}

fn not_found() -> AppError {
    AppError::NotFound("the challenge or question".into())
}

/// The item with this reference, whatever its organisation (callers check who may see it).
async fn by_reference(store: &dyn Store, reference: &str) -> AppResult<Challenge> {
    let r: Reference = reference.parse().map_err(|_| not_found())?;
    match store.challenge(r.number).await? {
        Some(c) if c.reference() == r => Ok(c),
        _ => Err(not_found()),
    }
}

/// An audit entry for something a resident did through their private link: no account, and
/// their address is not kept beside it.
async fn audit_resident(store: &dyn Store, action: &str, item: &Challenge) -> AppResult<()> {
    store
        .audit_append(&AuditEntry {
            at: clock::now(),
            actor: "resident (private link)".into(),
            action: action.to_owned(),
            subject: subject(item),
            from_address: "not kept".into(),
        })
        .await?;
    Ok(())
}

/// What an audit entry names: the reference and the project, never the resident's words.
fn subject(item: &Challenge) -> String {
    format!("{} about {}", item.reference(), item.project)
}
