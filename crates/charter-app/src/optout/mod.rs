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

use charter_optout::{
    Charset, IdentifierError, IdentifierKind, IdentifierKinds, KeyVersion, KindError,
    LocalReference, MasterSecret, RegisterKeys,
};
use charter_store::accounts::AuditEntry;
use charter_store::optout::{IdentifierKindRecord, IdentifierKindSpec, NewOptOut, OptOutEvent};
use charter_store::{Store, StoreError};

use crate::AppResult;

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

/// The identifier kind a stored record describes, with the crate's checks on its rules.
pub fn local_reference(spec: &IdentifierKindSpec) -> Result<LocalReference, KindError> {
    let charset = Charset::from_name(&spec.charset)
        .ok_or_else(|| KindError::BadCharset(spec.name.clone()))?;
    LocalReference::new(
        &spec.name,
        &spec.label,
        &spec.tag_prefix,
        charset,
        spec.min_len as usize,
        spec.max_len as usize,
    )
}

/// Every identifier kind the register knows: the NHS number, and each kind the site
/// administrator set up, retired ones too (their opt-outs still apply).
pub struct KnownKinds {
    /// The NHS number first, then the local kinds: to normalise and tag with.
    pub kinds: IdentifierKinds,
    /// The local kinds as stored, in the same order.
    pub records: Vec<IdentifierKindRecord>,
    pub local: Vec<LocalReference>,
}

impl KnownKinds {
    /// The kinds residents may choose now: the NHS number and every local kind not retired.
    pub fn offered(&self) -> impl Iterator<Item = &IdentifierKindRecord> {
        self.records.iter().filter(|r| r.retired_at.is_none())
    }

    /// The stored record of a local kind.
    pub fn record(&self, name: &str) -> Option<&IdentifierKindRecord> {
        self.records.iter().find(|r| r.spec.name == name)
    }

    /// The short names of every kind, for messages that list them.
    fn names(&self) -> String {
        self.kinds
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Reads every identifier kind from the store.
pub async fn known_kinds(store: &dyn Store) -> Result<KnownKinds, StoreError> {
    let records = store.identifier_kinds().await?;
    let mut kinds = IdentifierKinds::default();
    let mut local = Vec::with_capacity(records.len());
    for r in &records {
        let kind = local_reference(&r.spec)
            .map_err(|e| StoreError::Data(format!("identifier kind {}: {e}", r.spec.name)))?;
        kinds
            .add(Arc::new(kind.clone()))
            .map_err(|e| StoreError::Data(format!("identifier kind {}: {e}", r.spec.name)))?;
        local.push(kind);
    }
    Ok(KnownKinds {
        kinds,
        records,
        local,
    })
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
    now: &str,
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
        created_at: now.to_owned(),
        events,
    })
}

/// Who did something to opt-outs, for the audit log: an organisation's person through an API
/// token, or the command line on the register's own machine. (Residents have no account and are
/// not in the audit log.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// A person's email address, or "command line".
    pub name: String,
    /// What it came through, such as "API token 4 (Case system)", said in the entry.
    pub through: Option<String>,
    /// Where the request came from.
    pub address: String,
}

impl Who {
    pub fn command_line() -> Who {
        Who {
            name: "command line".into(),
            through: None,
            address: "local".into(),
        }
    }
}

/// Writes the audit entry for `action` on `subject` in `who`'s name.
async fn audit(store: &dyn Store, who: &Who, action: &str, subject: &str) -> AppResult<()> {
    let subject = match &who.through {
        Some(through) => format!("{subject}, through {through}"),
        None => subject.to_owned(),
    };
    store
        .audit(&AuditEntry {
            at: crate::clock::now().into(),
            actor: who.name.clone(),
            action: action.to_owned(),
            subject,
            from_address: who.address.clone(),
        })
        .await?;
    Ok(())
}

/// One event of a choice: `scope` chosen (or withdrawn) now, through `channel`.
fn event(
    scope: String,
    withdrawn: bool,
    channel: &str,
    proxy: Option<String>,
    now: &str,
) -> OptOutEvent {
    OptOutEvent {
        scope,
        withdrawn,
        channel: channel.into(),
        proxy_basis: proxy,
        recorded_at: now.to_owned(),
    }
}

#[cfg(test)]
mod tests;
