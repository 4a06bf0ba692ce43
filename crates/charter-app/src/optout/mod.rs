//! Residents' opt-outs, as the register keeps them: turning a resident's identifier into a
//! record that never holds it in clear, recording and changing choices, loading lists, building
//! organisations' signed snapshots, rotating keys and recording dataset checks.
//!
//! The web form, the API and `charter optout` call these; each check lives here once.

mod checks;
mod import;
mod keys;
mod record;

use std::sync::Arc;

use charter_core::Timestamp;
use charter_optout::{IdentifierError, IdentifierKind, KeyVersion, MasterSecret, RegisterKeys};
use charter_store::optout::{NewOptOut, OptOutEvent};
use charter_store::{Store, StoreError};

use crate::{Actor, AppResult};

pub use crate::identifier_kinds::{KnownKinds, known_kinds, local_reference};
pub use checks::{
    CheckReport, PreparedCheck, ReportOutcome, prepare_check, record_upload, report_check,
};
pub use import::{ImportRow, Imported, import};
pub use keys::{build_snapshot, rotate};
pub use record::{
    Change, FOR_WHOM, OptOutRequest, Recorded, change, find, identifier_field, record,
};

/// The register's opt-out keys: the master secret, from which every versioned key is derived.
pub struct OptOutKeys {
    master: MasterSecret,
}

impl OptOutKeys {
    pub fn new(master: MasterSecret) -> Arc<OptOutKeys> {
        Arc::new(OptOutKeys { master })
    }

    pub fn version(&self, version: KeyVersion) -> RegisterKeys {
        RegisterKeys::derive(&self.master, version)
    }
}

/// The key version new records use: the highest any record has (a rotation moves records up one
/// version at a time), or the first.
pub async fn current_version(store: &dyn Store) -> Result<KeyVersion, StoreError> {
    Ok(store
        .optout_key_version()
        .await?
        .and_then(KeyVersion::new)
        .unwrap_or(KeyVersion::FIRST))
}

/// A new record for one resident: the identifier, of `kind`, is normalised, tagged and sealed
/// here and goes no further.
pub fn new_record(
    keys: &RegisterKeys,
    kind: &dyn IdentifierKind,
    raw_identifier: &str,
    events: Vec<OptOutEvent>,
    receipt: Option<String>,
    manage_token_hash: Option<String>,
    now: &Timestamp,
) -> Result<NewOptOut, IdentifierError> {
    let id = kind.normalise_str(raw_identifier)?;
    let tag = keys.tag_key().tag(kind, &id);
    let sealed = keys
        .seal_key()
        .seal(kind, &id)
        .map_err(|_| IdentifierError::Empty)?;
    Ok(NewOptOut {
        kind: kind.name().to_owned(),
        tag: tag.as_bytes().to_vec(),
        sealed: sealed.as_bytes().to_vec(),
        key_version: keys.version().get(),
        receipt,
        manage_token_hash,
        created_at: now.clone(),
        events,
    })
}

/// Writes the audit entry for `action` on `subject` in the actor's name. (Residents have no
/// account and are never in the audit log: an entry beside the time they chose would say who
/// opted out.)
async fn audit(store: &dyn Store, who: &Actor, action: &str, subject: &str) -> AppResult<()> {
    who.audit(store, action, subject).await
}

/// One event of a choice: `scope` chosen (or withdrawn) now, through `channel`.
fn event(
    scope: String,
    withdrawn: bool,
    channel: &str,
    proxy: Option<String>,
    now: &Timestamp,
) -> OptOutEvent {
    OptOutEvent {
        scope,
        withdrawn,
        channel: channel.into(),
        proxy_basis: proxy,
        recorded_at: now.clone(),
    }
}

#[cfg(test)]
mod tests;
