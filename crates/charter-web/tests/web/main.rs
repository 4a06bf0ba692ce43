//! The web tests: every page and API route through the real router, one module per area, all in
//! one test binary (one link instead of one per file). `harness` builds the app on each backend.
//!
//! Run one area with `cargo test -p charter-web --test web search::`.

mod harness;

mod accounts;
mod api;
mod api_problems;
mod breaches;
mod challenges;
mod dashboard;
mod dashboard_breaches;
mod dashboard_moderators;
mod downloads;
mod errors;
mod finding;
mod hardening;
mod history;
mod import;
mod law;
mod layout;
mod notifications;
mod optout;
mod organisations;
mod own_words;
mod pages;
mod reminders;
mod search;
mod statistics;
mod workflow;
