//! What the store keeps for residents' opt-outs. Identifiers are never here in clear: only a
//! keyed tag to match on and the identifier sealed under a separate key, so keys can be rotated.

use charter_core::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

/// One change to a resident's choices. The log of these is append-only; the current choices are
/// derived from it (the latest event for each scope wins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptOutEvent {
    /// `research-planning`, `ai-training`, `ai-decisions`, `organisation:SLUG` or `project:ID`.
    pub scope: String,
    /// True when this event withdraws an earlier opt-out.
    pub withdrawn: bool,
    /// online, phone, post, in-person, proxy or import.
    pub channel: String,
    /// For proxy choices: parental-responsibility, lasting-power-of-attorney or deputy.
    pub proxy_basis: Option<String>,
    pub recorded_at: Timestamp,
}

/// A new resident record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOptOut {
    pub kind: String,
    pub tag: Vec<u8>,
    pub sealed: Vec<u8>,
    pub key_version: u32,
    /// Shown to the resident; none for lists loaded in bulk.
    pub receipt: Option<String>,
    /// BLAKE3 (hex) of the private link's token; the token itself is never stored.
    pub manage_token_hash: Option<String>,
    pub created_at: Timestamp,
    pub events: Vec<OptOutEvent>,
}

/// A stored resident record with its whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptOutEntry {
    pub id: i64,
    pub kind: String,
    pub tag: Vec<u8>,
    pub sealed: Vec<u8>,
    pub key_version: u32,
    pub receipt: Option<String>,
    pub events: Vec<OptOutEvent>,
}

/// A record's identifier tag and sealed value under a new key, after a key rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rekeyed {
    pub id: i64,
    pub tag: Vec<u8>,
    pub sealed: Vec<u8>,
    pub key_version: u32,
}

impl OptOutEntry {
    /// The scopes opted out of now: for each scope, its latest event decides.
    pub fn current_scopes(&self) -> Vec<String> {
        let mut latest: Vec<(&str, bool)> = Vec::new();
        for e in &self.events {
            match latest.iter_mut().find(|(s, _)| *s == e.scope) {
                Some(entry) => entry.1 = e.withdrawn,
                None => latest.push((&e.scope, e.withdrawn)),
            }
        }
        latest
            .into_iter()
            .filter(|(_, withdrawn)| !withdrawn)
            .map(|(s, _)| s.to_owned())
            .collect()
    }
}

/// An identifier kind a site administrator set up besides the NHS number (which is built in):
/// the words residents see and the rules of `charter_optout::LocalReference`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierKindSpec {
    /// The machine name used in files, forms and opt-out records, such as `knowsley-tenancy-ref`.
    /// Never changes.
    pub name: String,
    /// The bytes hashed before each value of this kind. Never changes once set.
    pub tag_prefix: String,
    /// What residents see, such as "Knowsley Council tenancy reference".
    pub label: String,
    /// Where residents find it; may be empty.
    pub hint: String,
    /// `digits` or `alphanumeric`.
    pub charset: String,
    pub min_len: u32,
    pub max_len: u32,
}

/// A stored identifier kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierKindRecord {
    pub spec: IdentifierKindSpec,
    pub created_at: Timestamp,
    /// When it stopped being offered to residents; its opt-outs still apply.
    pub retired_at: Option<Timestamp>,
    /// Whether any opt-out uses it: then nothing about it can change but retiring it.
    pub in_use: bool,
}

/// What became of a change to an identifier kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindChange {
    Changed,
    /// Opt-outs use it: it can only be retired or brought back.
    InUse,
    Missing,
}

/// A dataset check, recorded for the public figures. Counts only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRecord {
    pub organisation: String,
    pub checked_at: Timestamp,
    /// How: `upload` (the API) or `snapshot` (on the organisation's own machine with a snapshot,
    /// reported afterwards).
    pub method: String,
    pub scopes: String,
    pub rows_in: u64,
    pub rows_kept: u64,
    pub rows_removed: u64,
    pub rows_invalid: u64,
    /// The kind of identifier checked, such as `nhs-number`.
    pub identifier_kind: String,
    /// For checks made with a snapshot: when the snapshot was made and its key version.
    pub snapshot_created: Option<Timestamp>,
    pub key_version: Option<u32>,
    /// For reported checks: a hash of the report, so that the same report sent twice (a retry)
    /// counts once.
    pub report_hash: Option<String>,
}

/// Raw public figures; the web layer rounds small counts before showing them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct OptOutFigures {
    /// Current opt-outs per scope.
    pub by_scope: Vec<(String, u64)>,
    /// Per organisation and month (`YYYY-MM`): checks run and rows removed.
    pub checks: Vec<CheckFigure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CheckFigure {
    pub organisation: String,
    pub month: String,
    pub checks: u64,
    pub rows_removed: u64,
}
