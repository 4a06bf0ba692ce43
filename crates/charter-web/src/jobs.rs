//! Background jobs. Every instance runs the scheduler, but each run happens once: an instance
//! runs a job only after claiming it in the database (`Store::job_claim`).

use std::sync::Arc;
use std::time::Duration;

use charter_store::Store;

/// Clears expired sessions and links, and old sign-in failures, every `period`.
pub fn spawn_housekeeping(store: Arc<dyn Store>, period: Duration) -> tokio::task::JoinHandle<()> {
    let tick = (period / 4).max(Duration::from_millis(250));
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(tick);
        loop {
            interval.tick().await;
            let now = charter_app::clock::now();
            let next = charter_app::clock::from_now(period.as_secs() as i64);
            match store.job_claim("housekeeping", &now, &next).await {
                Ok(true) => match store
                    .expired_delete(&now, &charter_app::clock::from_now(-24 * 3600))
                    .await
                {
                    Ok(n) => tracing::info!(removed = n, "housekeeping"),
                    Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
                },
                Ok(false) => {}
                // The database may be restarting: try again next tick.
                Err(e) => tracing::debug!(error = %e, "could not claim housekeeping"),
            }
        }
    })
}
