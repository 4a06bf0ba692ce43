//! Housekeeping: clearing expired sessions and links, and old sign-in failures. Every instance
//! runs the schedule, but each run happens once: an instance runs it only after claiming it in
//! the database (`Store::job_claim`).

use std::sync::Arc;
use std::time::Duration;

use charter_store::Store;

use crate::{AppError, clock};

/// Sign-in failures older than this no longer count.
const FAILURES_KEPT_SECONDS: i64 = 24 * 3600;

/// What one turn of the schedule did.
#[derive(Debug)]
pub enum Turn {
    /// This instance ran housekeeping: the rows removed, or why it failed.
    Ran(Result<u64, AppError>),
    /// Another instance ran it within the period.
    NotDue,
    /// The run could not be claimed (the database may be restarting): try again next tick.
    Unclaimed(AppError),
}

/// Runs housekeeping unless some instance has run it in the last `period`.
pub async fn run_once(store: &dyn Store, period: Duration) -> Turn {
    let now = clock::now();
    let next = clock::from_now(period.as_secs() as i64);
    match store.job_claim("housekeeping", &now, &next).await {
        Ok(true) => Turn::Ran(
            store
                .expired_delete(&now, &clock::from_now(-FAILURES_KEPT_SECONDS))
                .await
                .map_err(AppError::from),
        ),
        Ok(false) => Turn::NotDue,
        Err(e) => Turn::Unclaimed(e.into()),
    }
}

/// Runs housekeeping every `period` in the background, for as long as the server runs.
pub fn spawn(store: Arc<dyn Store>, period: Duration) -> tokio::task::JoinHandle<()> {
    let tick = (period / 4).max(Duration::from_millis(250));
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(tick);
        loop {
            interval.tick().await;
            match run_once(store.as_ref(), period).await {
                Turn::Ran(Ok(n)) => tracing::info!(removed = n, "housekeeping"),
                Turn::Ran(Err(e)) => tracing::warn!(error = %e, "housekeeping failed"),
                Turn::NotDue => {}
                Turn::Unclaimed(e) => tracing::debug!(error = %e, "could not claim housekeeping"),
            }
        }
    })
}
