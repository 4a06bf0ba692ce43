//! Charter's use cases. Each public function is one thing a person or the system does (submit a
//! draft, create a token, record an opt-out…): it checks the rules in `charter-core`, writes
//! through the store, writes the audit entry and returns a typed result. The web pages, the JSON
//! API and the command line call the same function, so a rule lives in one place.
//!
//! Nothing here knows about HTTP, HTML or the command line, and nothing here writes SQL.

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod breaches;
pub mod challenge_reminders;
pub mod challenge_stats;
pub mod challenges;
pub mod clock;
pub mod compliance;
pub mod dashboard;
pub mod drafts;
pub mod entry_page;
pub mod error;
pub mod export;
pub mod history;
pub mod housekeeping;
pub mod identifier_kinds;
pub mod import;
pub mod law;
pub mod notices;
pub mod optout;
pub mod organisations;
pub mod passwords;
pub mod register_version;
pub mod reminders;
pub mod search;
pub mod secrets;
pub mod sign_in;
pub mod tokens;
pub mod verify;

#[cfg(test)]
mod testing;

pub use actor::Actor;
pub use error::{AppError, AppResult, Problem};
