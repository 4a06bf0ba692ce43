//! Loading an existing opt-out list (`charter optout import`): all or nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use charter_optout::{IdentifierKind, NhsNumber, Scope};
use charter_store::Store;
use charter_store::optout::OptOutEvent;

use super::{OptOutKeys, audit, current_version, event, known_kinds, new_record};
use crate::Actor;
use crate::clock;
use crate::error::{AppError, AppResult, Problem};

/// One row of a list: an identifier, its kind (the NHS number when none) and one scope.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// Its line in the file, for problems.
    pub line: usize,
    pub identifier: String,
    pub kind: Option<String>,
    pub scope: String,
}

/// What a list added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// Opt-outs: one per row.
    pub opt_outs: usize,
    /// People: one record per person and identifier kind, with every scope they opted out of.
    pub people: usize,
}

fn at(line: usize, message: String) -> Problem {
    Problem::new(format!("line {line}"), format!("line {line}: {message}"))
}

/// Loads a list. Rows the reader could not read come in as problems and are reported with the
/// rest; nothing is stored unless every row is right. Tags include the kind, so equal strings of
/// two kinds stay apart. Audited in `who`'s name.
pub async fn import(
    store: &dyn Store,
    keys: &OptOutKeys,
    rows: impl IntoIterator<Item = Result<ImportRow, Problem>>,
    who: &Actor,
) -> AppResult<Imported> {
    let register_keys = keys.version(current_version(store).await?);
    let now = clock::now();
    let known = known_kinds(store).await?;
    type Person = (Arc<dyn IdentifierKind>, String, Vec<OptOutEvent>);
    let mut people: BTreeMap<Vec<u8>, Person> = BTreeMap::new();
    let mut problems = Vec::new();
    for row in rows {
        let row = match row {
            Ok(r) => r,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let scope = row.scope.trim();
        if let Err(e) = scope.parse::<Scope>() {
            problems.push(at(row.line, e.to_string()));
            continue;
        }
        let kind_name = match row.kind.as_deref().map(str::trim) {
            None | Some("") => NhsNumber::NAME,
            Some(k) => k,
        };
        let kind = match known.kinds.get(kind_name) {
            Some(kind)
                if known
                    .record(kind_name)
                    .is_some_and(|r| r.retired_at.is_some()) =>
            {
                problems.push(at(
                    row.line,
                    format!(
                        "the identifier kind “{}” is retired: no new opt-outs can use it",
                        kind.name()
                    ),
                ));
                continue;
            }
            Some(kind) => kind.clone(),
            None => {
                problems.push(at(
                    row.line,
                    format!(
                        "there is no identifier kind “{kind_name}”; the kinds are: {}",
                        known.names()
                    ),
                ));
                continue;
            }
        };
        let tag = match kind.normalise_str(&row.identifier) {
            Ok(id) => register_keys.tag_key().tag(kind.as_ref(), &id),
            Err(e) => {
                problems.push(at(row.line, e.to_string()));
                continue;
            }
        };
        people
            .entry(tag.as_bytes().to_vec())
            .or_insert_with(|| (kind, row.identifier.clone(), Vec::new()))
            .2
            .push(event(scope.to_owned(), false, "import", None, &now));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let mut records = Vec::with_capacity(people.len());
    for (kind, raw, events) in people.into_values() {
        records.push(
            new_record(
                &register_keys,
                kind.as_ref(),
                &raw,
                events,
                None,
                None,
                &now,
            )
            .map_err(|e| AppError::Internal(e.to_string()))?,
        );
    }
    let imported = Imported {
        opt_outs: records.iter().map(|r| r.events.len()).sum(),
        people: records.len(),
    };
    for chunk in records.chunks(10_000) {
        // Each chunk is one transaction; the whole list was checked before the first.
        store.optouts_add(chunk).await?;
    }
    audit(
        store,
        who,
        "optout-import",
        &format!(
            "{} opt-outs for {} people",
            imported.opt_outs, imported.people
        ),
    )
    .await?;
    Ok(imported)
}
