//! Bulk import: an organisation's existing list, from CSV, becomes drafts, all rows or none. The
//! import page and `charter import` both call [`import`]: the file is read by the editor's rules
//! on a blocking thread (thousands of rows take a while), and only a clean file is written, in
//! one call that prepares every row before the store's short write transaction.

use charter_core::Slug;
use charter_core::import::{Columns, ImportReport, read};
use charter_store::Store;
use charter_store::drafts::{Draft, NewDraft};

use crate::actor::Actor;
use crate::drafts::may_write;
use crate::{AppError, AppResult, clock};

/// Read only, or write when the file is clean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// Read and report; write nothing.
    DryRun,
    /// Write every row as a draft if no row has a problem.
    Write,
}

/// What an import did.
#[derive(Debug)]
pub struct Imported {
    /// The file's text, given back so a page can carry it to the next check.
    pub csv: String,
    /// How each column was read and every problem. When the rows were written, their entries
    /// have moved into `drafts`.
    pub report: ImportReport,
    /// The drafts written: none in a dry run, or when the file has problems or no rows.
    pub drafts: Vec<Draft>,
}

impl Imported {
    pub fn written(&self) -> bool {
        !self.drafts.is_empty()
    }
}

/// Reads `csv` as `organisation`'s entries, with `columns` saying where columns the reader cannot
/// place go and what every row holds for fields no column has, and, for [`Run::Write`] and a
/// clean file, starts a draft for every row.
pub async fn import(
    store: &dyn Store,
    actor: &Actor,
    organisation: &Slug,
    csv: String,
    columns: Columns,
    run: Run,
) -> AppResult<Imported> {
    let org = may_write(store, actor, organisation).await?;
    if let Some(why) = org.why_no_new_entries() {
        return Err(AppError::Conflict(why));
    }
    let slug = organisation.clone();
    let (csv, mut report) = tokio::task::spawn_blocking(move || {
        let report = read(&csv, &slug, &columns, clock::today());
        (csv, report)
    })
    .await
    .map_err(|e| AppError::Internal(format!("reading an import file stopped: {e}")))?;
    if run == Run::DryRun || !report.problems.is_empty() || report.entries.is_empty() {
        return Ok(Imported {
            csv,
            report,
            drafts: Vec::new(),
        });
    }
    let at = clock::now();
    let drafts: Vec<NewDraft> = std::mem::take(&mut report.entries)
        .into_iter()
        .map(|(_, entry)| NewDraft {
            entry,
            existing: None,
            base_version: None,
            actor: actor.name.clone(),
            at: at.clone(),
        })
        .collect();
    let made = store.drafts_create(&drafts).await?;
    let subject = format!("{} drafts for {organisation}", made.len());
    actor.audit(store, "draft-import", &subject).await?;
    Ok(Imported {
        csv,
        report,
        drafts: made,
    })
}

#[cfg(test)]
mod tests {
    use charter_core::accounts::{Principal, Role};
    use charter_store::fixtures::small_register;
    use charter_store::prelude::*;
    use charter_store_sqlite::SqliteStore;

    use std::collections::HashMap;

    use charter_core::import::Target;

    use super::*;

    const CLEAN: &str = "Project name,status,uses_ai,decision_role,areas,topics,Ref\n\
        Street lights,in-use,no,information-only,knowsley,environment,A1\n\
        Bus times,pilot,yes,supports-person,knowsley; halton,transport,A2\n";

    async fn store() -> SqliteStore {
        let store = SqliteStore::memory().await.unwrap();
        for o in &small_register().0 {
            store.organisation_put(o).await.unwrap();
        }
        store
    }

    fn knowsley() -> Slug {
        "knowsley-council".parse().unwrap()
    }

    fn ignore_ref() -> Columns {
        Columns {
            mapping: HashMap::from([("Ref".to_owned(), Target::Ignore)]),
            set: Vec::new(),
        }
    }

    async fn imports(store: &dyn Store) -> usize {
        let log = store.audit_log(10).await.unwrap();
        log.iter().filter(|e| e.action == "draft-import").count()
    }

    #[tokio::test]
    async fn only_the_organisations_editors_import_and_only_onto_the_register() {
        let store = store().await;
        let other = Actor::person(
            Principal {
                user_id: 1,
                role: Role::OrgEditor,
                organisation: Some("wirral-transport".parse().unwrap()),
            },
            "e@x.example",
            "192.0.2.1",
        );
        let e = import(
            &store,
            &other,
            &knowsley(),
            CLEAN.into(),
            ignore_ref(),
            Run::Write,
        )
        .await;
        assert!(matches!(e, Err(AppError::Forbidden(_))), "{e:?}");
        let nobody: Slug = "no-such-org".parse().unwrap();
        let e = import(
            &store,
            &Actor::command_line(),
            &nobody,
            CLEAN.into(),
            ignore_ref(),
            Run::Write,
        )
        .await;
        assert!(matches!(e, Err(AppError::NotFound(_))), "{e:?}");
        assert_eq!(imports(&store).await, 0);
    }

    #[tokio::test]
    async fn a_dry_run_or_a_file_with_problems_writes_nothing() {
        let store = store().await;
        let cli = Actor::command_line();
        // "Ref" is not a field: a problem until it is mapped.
        let read = import(
            &store,
            &cli,
            &knowsley(),
            CLEAN.into(),
            Columns::default(),
            Run::Write,
        )
        .await
        .unwrap();
        assert!(!read.written());
        assert!(
            read.report
                .problems
                .iter()
                .any(|p| p.column.as_deref() == Some("Ref"))
        );
        assert_eq!(read.csv, CLEAN, "the file comes back to be checked again");
        let dry = import(
            &store,
            &cli,
            &knowsley(),
            CLEAN.into(),
            ignore_ref(),
            Run::DryRun,
        )
        .await
        .unwrap();
        assert!(!dry.written());
        assert!(dry.report.problems.is_empty());
        assert_eq!(dry.report.entries.len(), 2);
        assert_eq!(imports(&store).await, 0);
        assert!(store.drafts(&Default::default()).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_clean_file_becomes_drafts_all_at_once_with_an_audit_entry() {
        let store = store().await;
        let cli = Actor::command_line();
        let done = import(
            &store,
            &cli,
            &knowsley(),
            CLEAN.into(),
            ignore_ref(),
            Run::Write,
        )
        .await
        .unwrap();
        assert_eq!(done.drafts.len(), 2);
        assert_eq!(done.drafts[0].entry.title.as_str(), "Street lights");
        assert!(done.drafts.iter().all(|d| d.updated_by == "command line"));
        let log = store.audit_log(10).await.unwrap();
        let entry = log.iter().find(|e| e.action == "draft-import").unwrap();
        assert_eq!(entry.actor, "command line");
        assert_eq!(entry.subject, "2 drafts for knowsley-council");
        assert_eq!(entry.from_address, "local");
    }
}
