//! Erasing residents' personal details a set time after their item closed (the charter's
//! `[deadlines] erase_after_months`), keeping the anonymous rows the counts are made from. Every
//! instance runs the schedule; each run happens once, claimed in the jobs table.

use std::sync::Arc;
use std::time::Duration;

use charter_core::charter::Charter;
use charter_core::{Date, Timestamp};
use charter_store::Store;
use charter_store::accounts::AuditEntry;

use crate::housekeeping::Turn;
use crate::{AppResult, clock};

/// The job's name in the jobs table.
pub const JOB: &str = "erase-challenge-details";

/// The last day an item may have closed on to be erased on `today`: erasure is due once
/// `erase_on(closed)` has come.
pub fn last_closing_day(charter: &Charter, today: Date) -> Date {
    let months = charter.deadlines.erase_after_months;
    // A first guess a little early, then walked to the exact day: month ends make the rule
    // uneven (31 March and 30 April both reach 30 April + N months sometimes).
    let mut day = today.add_days(-(i64::from(months) * 31 + 2));
    while charter.deadlines.erase_on(day.add_days(1)) <= today {
        day = day.add_days(1);
    }
    day
}

/// Erases what is due today, once, and writes one audit entry with how many.
pub async fn erase_due(store: &dyn Store, charter: &Charter) -> AppResult<u64> {
    let now = clock::now();
    let last = last_closing_day(charter, now.date());
    let before: Timestamp = format!("{last}T23:59:59Z")
        .parse()
        .map_err(|e| crate::AppError::Internal(format!("the erasure cut-off: {e}")))?;
    let erased = store.challenges_erase_closed(&before, &now).await?;
    if erased > 0 {
        store
            .audit_append(&AuditEntry {
                at: now,
                actor: "scheduled job".into(),
                action: "residents' details erased".into(),
                subject: format!("{erased} closed challenges and questions"),
                from_address: "local".into(),
            })
            .await?;
    }
    Ok(erased)
}

/// Runs the erasure unless some instance has run it in the last `period`.
pub async fn run_once(store: &dyn Store, charter: &Charter, period: Duration) -> Turn {
    let now = clock::now();
    let next = clock::from_now(period.as_secs() as i64);
    match store.job_claim(JOB, &now, &next).await {
        Ok(true) => Turn::Ran(erase_due(store, charter).await),
        Ok(false) => Turn::NotDue,
        Err(e) => Turn::Unclaimed(e.into()),
    }
}

/// Runs the erasure every `period` in the background, for as long as the server runs.
pub fn spawn(
    store: Arc<dyn Store>,
    charter: Arc<Charter>,
    period: Duration,
) -> tokio::task::JoinHandle<()> {
    let tick = (period / 4).max(Duration::from_millis(250));
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(tick);
        loop {
            interval.tick().await;
            match run_once(store.as_ref(), &charter, period).await {
                Turn::Ran(Ok(n)) => tracing::info!(erased = n, "residents' details erased"),
                Turn::Ran(Err(e)) => {
                    tracing::warn!(error = %e, "erasing residents' details failed")
                }
                Turn::NotDue => {}
                Turn::Unclaimed(e) => tracing::debug!(error = %e, "could not claim the erasure"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charter() -> Charter {
        Charter::from_toml(include_str!("../../../../charter/charter.toml")).unwrap()
    }

    #[test]
    fn erasure_is_due_a_whole_number_of_months_after_closing() {
        let c = charter();
        let d = |s: &str| s.parse::<Date>().unwrap();
        // Default: 12 months.
        assert_eq!(last_closing_day(&c, d("2027-03-15")), d("2026-03-15"));
        // 28 February 2027 is 12 months after 28 February 2026 only; 1 March 2026 waits.
        assert_eq!(last_closing_day(&c, d("2027-02-28")), d("2026-02-28"));
        for today in ["2027-01-31", "2027-03-01", "2028-02-29", "2027-12-31"] {
            let last = last_closing_day(&c, d(today));
            assert!(c.deadlines.erase_on(last) <= d(today));
            assert!(c.deadlines.erase_on(last.add_days(1)) > d(today));
        }
    }
}
