//! Charter's domain, with no IO: the types a register entry is made of (parsed once, so an invalid
//! value cannot be held), the charter's principles loaded from TOML, search requests and the
//! column definitions shared by every export.

pub mod accounts;
pub mod breaches;
pub mod calendar;
pub mod chain;
pub mod challenge_counts;
pub mod challenge_stats;
pub mod challenges;
pub mod charter;
pub mod check;
pub mod dashboard;
pub mod date;
pub mod deadlines;
pub mod editor;
pub mod export;
pub mod history;
pub mod ids;
pub mod import;
pub mod law;
pub mod notices;
pub mod organisation;
pub mod picklists;
pub mod plain_english;
pub mod project;
pub mod reminders;
pub mod sample;
pub mod search;
pub mod small_numbers;
pub mod stats;
pub mod timestamp;
pub mod workflow;

pub use date::Date;
pub use timestamp::Timestamp;

/// The text with its first letter in capitals: "consultation" → "Consultation".
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
pub use ids::{Email, LawChangeId, OrgId, ProjectId, Slug, Title, WebUrl};
pub use organisation::Organisation;
pub use project::Project;
