//! The register's side of the keys: organisations' signed snapshots, and key rotation.

use std::collections::HashMap;

use charter_core::Slug;
use charter_core::search::{MAX_PER_PAGE, SearchQuery};
use charter_optout::{KeyVersion, Scope, Sealed};
use charter_store::optout::Rekeyed;
use charter_store::{SearchResults, Store};
use time::{Duration, OffsetDateTime};

use super::{OptOutKeys, audit, current_version, known_kinds};
use crate::Actor;
use crate::error::{AppError, AppResult};

fn keys_error(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// Every project of `organisation` on the register.
async fn projects_of(
    store: &dyn Store,
    organisation: &Slug,
) -> AppResult<Vec<charter_core::ProjectId>> {
    let mut q = SearchQuery::new();
    q.organisations = vec![organisation.clone()];
    q.per_page = MAX_PER_PAGE;
    let mut projects = Vec::new();
    loop {
        let SearchResults { items, .. } = store.search(&q, false).await?;
        let done = items.len() < q.per_page as usize;
        projects.extend(items.into_iter().map(|p| p.id));
        if done {
            return Ok(projects);
        }
        q.page += 1;
    }
}

/// Builds `organisation`'s signed snapshot of current opt-outs, valid for `days`, and says how
/// many people it holds. It covers the general scopes, the organisation's own and each of its
/// projects, and carries the rules of every local identifier kind so that the organisation's
/// filter can match values of any kind.
pub async fn build_snapshot(
    store: &dyn Store,
    keys: &OptOutKeys,
    organisation: &Slug,
    days: i64,
) -> AppResult<(Vec<u8>, u64)> {
    if store.organisation(organisation).await?.is_none() {
        return Err(AppError::invalid(
            "organisation",
            format!("no organisation on the register has the short name “{organisation}”"),
        ));
    }
    let version = current_version(store).await?;
    let current = keys.version(version);
    let now = OffsetDateTime::now_utc();
    let mut builder = current
        .snapshot_builder(organisation.clone(), now, now + Duration::days(days))
        .map_err(keys_error)?;
    let projects = projects_of(store, organisation).await?;
    for scope in Scope::GENERAL
        .iter()
        .cloned()
        .chain(projects.iter().map(|id| Scope::Project(*id)))
    {
        builder.cover(scope).map_err(keys_error)?;
    }
    let known = known_kinds(store).await?;
    for kind in &known.local {
        builder.define(kind.clone()).map_err(keys_error)?;
    }
    let kinds = known.kinds;
    let mut opened_keys = HashMap::new();
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
                .map_err(|e| keys_error(format!("record {}: {e}", entry.id)))?;
            let kind = kinds
                .get(&opened.kind)
                .ok_or_else(|| keys_error(format!("unknown identifier kind {}", opened.kind)))?;
            for scope in &scopes {
                builder
                    .add(scope, kind.as_ref(), &opened.id)
                    .map_err(keys_error)?;
            }
            people += 1;
        }
    }
    let bytes = builder.finish().map_err(keys_error)?;
    Ok((bytes, people))
}

/// Moves every record to the next key version, in batches, each batch one transaction, and
/// says the version and how many records moved. Safe to interrupt: run it again and it
/// finishes the rotation it started (records below the highest version move up) before
/// starting another. Audited in `who`'s name.
pub async fn rotate(
    store: &dyn Store,
    keys: &OptOutKeys,
    who: &Actor,
) -> AppResult<(KeyVersion, u64)> {
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
                .map_err(|e| keys_error(format!("record {}: {e}", entry.id)))?;
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
    audit(
        store,
        who,
        "optout-rotate-keys",
        &format!(
            "{moved} opt-out records moved to key version {}",
            target.get()
        ),
    )
    .await?;
    Ok((target, moved))
}
