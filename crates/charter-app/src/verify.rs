//! Checking the register against its published history, for `charter verify` and for `charter
//! serve` as it starts. The comparison itself is `charter_store::verify`: it reads
//! only the store's own tables (and the store's conformance suite checks it on both databases),
//! so it stays beside them; this is the entry point the interfaces call.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use charter_core::Timestamp;
use charter_core::chain::Hash;
use charter_store::Store;

pub use charter_store::verify::Report;

use crate::{AppError, AppResult, clock};

/// Recomputes the hash chain and checks that everything shown or searched is the latest
/// published version; the report names every difference.
pub async fn history(store: &dyn Store) -> AppResult<Report> {
    Ok(charter_store::verify::verify(store).await?)
}

/// What a page can show: the newest finished check, and whether a newer one is still running.
#[derive(Debug, Clone)]
pub struct Freshness {
    pub checked: Option<Arc<Checked>>,
    pub running: bool,
}

/// A finished check: when it ran, the head it started from, and what it found.
#[derive(Debug, Clone)]
pub struct Checked {
    pub at: Timestamp,
    /// The stored head when the check began: a later one means something was published since.
    pub head: Option<Hash>,
    pub report: Report,
}

impl Checked {
    /// Whole seconds since the check ran.
    pub fn age_seconds(&self) -> i64 {
        (clock::now().datetime() - self.at.datetime()).whole_seconds()
    }
}

/// The last check of the register's history, kept so that every page can show its result.
///
/// A full check reads every published version (about 10 seconds for 100,000 entries), far too
/// much for each page: pages show the last result, and a new check runs only when that is too
/// old. Callers asking at the same moment share one run.
#[derive(Default)]
pub struct Checks {
    last: Mutex<Option<Arc<Checked>>>,
    /// Held while a check runs, so only one runs at a time.
    running: tokio::sync::Mutex<()>,
    /// A background check has been started and has not finished.
    refreshing: AtomicBool,
}

impl Checks {
    /// The result of the last check, if there has been one. Reads no database.
    pub fn last(&self) -> Option<Arc<Checked>> {
        self.last.lock().ok().and_then(|last| last.clone())
    }

    /// Keeps the result of a check made elsewhere (`charter serve` checks before it starts).
    pub fn record(&self, head: Option<Hash>, report: Report) -> Arc<Checked> {
        let checked = Arc::new(Checked {
            at: clock::now(),
            head,
            report,
        });
        if let Ok(mut last) = self.last.lock() {
            *last = Some(checked.clone());
        }
        checked
    }

    /// A check no older than `max_age_seconds` and made since the last publication: the last
    /// one if it is, else a new one.
    pub async fn fresh(&self, store: &dyn Store, max_age_seconds: i64) -> AppResult<Arc<Checked>> {
        let head = store.chain_head().await?.map(|l| l.hash);
        let usable = |c: &Arc<Checked>| c.head == head && c.age_seconds() < max_age_seconds;
        if let Some(last) = self.last().filter(usable) {
            return Ok(last);
        }
        let _turn = self.running.lock().await;
        // Someone else may have checked while this caller waited for its turn.
        if let Some(last) = self.last().filter(usable) {
            return Ok(last);
        }
        let head = store.chain_head().await?.map(|l| l.hash);
        let report = history(store).await?;
        Ok(self.record(head, report))
    }

    /// As `fresh`, but a page should not keep its reader waiting on a large register: waits
    /// at most `wait` for a new check, after which the check goes on in the background and this
    /// answers with the last result and `running`. With no result at all yet, waits for it.
    pub async fn fresh_within(
        self: &Arc<Self>,
        store: &Arc<dyn Store>,
        max_age_seconds: i64,
        wait: std::time::Duration,
    ) -> AppResult<Freshness> {
        let (checks, shared) = (self.clone(), store.clone());
        let mut run =
            tokio::spawn(async move { checks.fresh(shared.as_ref(), max_age_seconds).await });
        let finished = match self.last() {
            Some(_) => tokio::time::timeout(wait, &mut run).await.ok(),
            None => Some(run.await),
        };
        match finished {
            Some(Ok(checked)) => Ok(Freshness {
                checked: Some(checked?),
                running: false,
            }),
            Some(Err(e)) => Err(AppError::Internal(format!(
                "the history check stopped: {e}"
            ))),
            None => Ok(Freshness {
                checked: self.last(),
                running: true,
            }),
        }
    }

    /// Starts a check in the background when the last one is missing or older than
    /// `max_age_seconds`, unless one is already running; returns at once.
    pub fn refresh_if_old(self: &Arc<Self>, store: &Arc<dyn Store>, max_age_seconds: i64) {
        let old = self
            .last()
            .is_none_or(|c| c.age_seconds() >= max_age_seconds);
        if !old || self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let (checks, store) = (self.clone(), store.clone());
        tokio::spawn(async move {
            if let Err(e) = checks.fresh(store.as_ref(), max_age_seconds).await {
                tracing::warn!(error = %e, "could not check the register's history");
            }
            checks.refreshing.store(false, Ordering::Release);
        });
    }
}

#[cfg(test)]
mod tests {
    use charter_store::prelude::*;

    use super::*;
    use crate::testing;

    async fn publish(store: &dyn Store, number: u32, summary: &str) {
        let mut p = charter_core::sample::minimal_project(
            number,
            testing::KNOWSLEY.parse().unwrap(),
            "Street lights".parse().unwrap(),
            summary,
        );
        p.slug = format!("lights-{number}").parse().unwrap();
        store
            .projects_publish(&[p], "First published", &clock::now())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_check_is_kept_and_made_again_after_a_publication() {
        let store = testing::store().await;
        let checks = Checks::default();
        assert!(checks.last().is_none());
        publish(&store, 1, "Turns lights down.").await;
        let first = checks.fresh(&store, 3600).await.unwrap();
        assert!(first.report.is_intact());
        assert_eq!(first.report.versions, 1);
        // Nothing new: the same check is shown again.
        let again = checks.fresh(&store, 3600).await.unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert!(Arc::ptr_eq(&first, &checks.last().unwrap()));
        // A publication since: checked afresh.
        publish(&store, 2, "Counts bins.").await;
        let after = checks.fresh(&store, 3600).await.unwrap();
        assert_eq!(after.report.versions, 2);
        assert_eq!(
            after.head,
            store.chain_head().await.unwrap().map(|l| l.hash)
        );
        // Too old: checked afresh though nothing changed.
        let expired = checks.fresh(&store, 0).await.unwrap();
        assert!(!Arc::ptr_eq(&after, &expired));
    }

    #[tokio::test]
    async fn a_page_waits_for_a_first_check_but_not_long_for_a_later_one() {
        let store: Arc<dyn Store> = Arc::new(testing::store().await);
        publish(store.as_ref(), 1, "Turns lights down.").await;
        let checks = Arc::new(Checks::default());
        let no_wait = std::time::Duration::ZERO;
        // Nothing to show yet: it waits, however short the wait asked for.
        let first = checks.fresh_within(&store, 3600, no_wait).await.unwrap();
        assert!(!first.running);
        assert_eq!(first.checked.unwrap().report.versions, 1);
        // Something new, and a check that cannot finish in time (another holds the turn): it
        // goes on in the background, and the page shows the last one meanwhile.
        publish(store.as_ref(), 2, "Counts bins.").await;
        let busy = checks.running.lock().await;
        let later = checks
            .fresh_within(&store, 3600, std::time::Duration::from_millis(50))
            .await
            .unwrap();
        assert!(later.running);
        assert_eq!(later.checked.unwrap().report.versions, 1);
        drop(busy);
        // Given time, the new check is the one shown.
        let waited = checks
            .fresh_within(&store, 3600, std::time::Duration::from_secs(30))
            .await
            .unwrap();
        assert!(!waited.running);
        assert_eq!(waited.checked.unwrap().report.versions, 2);
    }

    #[tokio::test]
    async fn a_background_check_fills_in_the_last_result() {
        let store: Arc<dyn Store> = Arc::new(testing::store().await);
        publish(store.as_ref(), 1, "Turns lights down.").await;
        let checks = Arc::new(Checks::default());
        checks.refresh_if_old(&store, 3600);
        for _ in 0..200 {
            if checks.last().is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let last = checks.last().expect("the background check finished");
        assert_eq!(last.report.versions, 1);
    }
}
