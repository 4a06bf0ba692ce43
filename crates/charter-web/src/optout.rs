//! The register's side of residents' opt-outs, shared by the web pages and the command line:
//! turning a resident's identifier into a record that never holds it in clear, building an
//! organisation's signed snapshot, and rotating keys.

use std::sync::Arc;

use charter_core::Slug;
use charter_optout::{
    Charset, IdentifierError, IdentifierKind, IdentifierKinds, KeyVersion, KindError,
    LocalReference, MasterSecret, RegisterKeys, Scope, Sealed,
};
use charter_store::optout::{
    IdentifierKindRecord, IdentifierKindSpec, NewOptOut, OptOutEvent, Rekeyed,
};
use charter_store::{SearchResults, Store, StoreError};
use time::{Duration, OffsetDateTime};

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

/// Why a snapshot could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotFailure {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no organisation on the register has the short name “{0}”")]
    UnknownOrganisation(Slug),
    #[error("{0}")]
    Keys(String),
}

/// Builds `organisation`'s signed snapshot of current opt-outs, valid for `days`. It covers the
/// general scopes, the organisation's own and each of its projects, and carries the rules of
/// every local identifier kind so that the organisation's filter can match values of any kind.
pub async fn build_snapshot(
    store: &dyn Store,
    keys: &OptOutKeys,
    organisation: &Slug,
    days: i64,
) -> Result<(Vec<u8>, u64), SnapshotFailure> {
    if store.organisation(organisation).await?.is_none() {
        return Err(SnapshotFailure::UnknownOrganisation(organisation.clone()));
    }
    let version = current_version(store).await?;
    let current = keys.version(version);
    let now = OffsetDateTime::now_utc();
    let mut builder = current
        .snapshot_builder(organisation.clone(), now, now + Duration::days(days))
        .map_err(|e| SnapshotFailure::Keys(e.to_string()))?;
    let mut q = charter_core::search::SearchQuery::new();
    q.organisations = vec![organisation.clone()];
    q.per_page = charter_core::search::MAX_PER_PAGE;
    let mut projects = Vec::new();
    loop {
        let SearchResults { items, .. } = store.search(&q, false).await?;
        let done = items.len() < q.per_page as usize;
        projects.extend(items.into_iter().map(|p| p.id));
        if done {
            break;
        }
        q.page += 1;
    }
    for scope in Scope::GENERAL
        .iter()
        .cloned()
        .chain(projects.iter().map(|id| Scope::Project(*id)))
    {
        builder
            .cover(scope)
            .map_err(|e| SnapshotFailure::Keys(e.to_string()))?;
    }
    let known = known_kinds(store).await?;
    for kind in &known.local {
        builder
            .define(kind.clone())
            .map_err(|e| SnapshotFailure::Keys(e.to_string()))?;
    }
    let kinds = known.kinds;
    let mut opened_keys = std::collections::HashMap::new();
    let mut people = 0;
    let mut after = 0;
    loop {
        let batch = store.optouts_after(after, 1_000).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for entry in &batch {
            let scopes: Vec<Scope> = entry
                .current_scopes()
                .iter()
                .filter_map(|s| s.parse::<Scope>().ok())
                .filter(|s| match s {
                    Scope::Organisation(o) => o == organisation,
                    Scope::Project(p) => projects.contains(p),
                    _ => true,
                })
                .collect();
            if scopes.is_empty() {
                continue;
            }
            let v = KeyVersion::new(entry.key_version).unwrap_or(KeyVersion::FIRST);
            let record_keys = opened_keys
                .entry(v.get())
                .or_insert_with(|| keys.version(v));
            let opened = record_keys
                .seal_key()
                .open(&Sealed::from_bytes(entry.sealed.clone()))
                .map_err(|e| SnapshotFailure::Keys(format!("record {}: {e}", entry.id)))?;
            let kind = kinds.get(&opened.kind).ok_or_else(|| {
                SnapshotFailure::Keys(format!("unknown identifier kind {}", opened.kind))
            })?;
            for scope in &scopes {
                builder
                    .add(scope, kind.as_ref(), &opened.id)
                    .map_err(|e| SnapshotFailure::Keys(e.to_string()))?;
            }
            people += 1;
        }
    }
    let bytes = builder
        .finish()
        .map_err(|e| SnapshotFailure::Keys(e.to_string()))?;
    Ok((bytes, people))
}

/// Moves every record to the next key version, in batches, each batch one transaction. Safe to
/// interrupt: run it again and it finishes the rotation it started (records below the highest
/// version move up) before starting another.
pub async fn rotate(
    store: &dyn Store,
    keys: &OptOutKeys,
) -> Result<(KeyVersion, u64), SnapshotFailure> {
    let highest = current_version(store).await?;
    let mut behind = false;
    let mut any = false;
    let mut after = 0;
    loop {
        let batch = store.optouts_after(after, 1_000).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        any = true;
        behind |= batch.iter().any(|e| e.key_version < highest.get());
    }
    let target = if behind || !any {
        highest
    } else {
        highest.next()
    };
    let to = keys.version(target);
    let kinds = known_kinds(store).await?.kinds;
    let mut moved = 0;
    let mut after = 0;
    loop {
        let batch = store.optouts_after(after, 1_000).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        let mut updates = Vec::new();
        for entry in batch.iter().filter(|e| e.key_version < target.get()) {
            let from =
                keys.version(KeyVersion::new(entry.key_version).unwrap_or(KeyVersion::FIRST));
            let (tag, sealed) = to
                .rekey(&from, &kinds, &Sealed::from_bytes(entry.sealed.clone()))
                .map_err(|e| SnapshotFailure::Keys(format!("record {}: {e}", entry.id)))?;
            updates.push(Rekeyed {
                id: entry.id,
                tag: tag.as_bytes().to_vec(),
                sealed: sealed.as_bytes().to_vec(),
                key_version: target.get(),
            });
        }
        moved += updates.len() as u64;
        store.optout_rekey(&updates).await?;
    }
    Ok((target, moved))
}
