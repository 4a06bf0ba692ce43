//! The audit log: the entry each privileged action leaves, and reading it back.

use charter_core::accounts::Action;
use charter_store::Store;
use charter_store::accounts::AuditEntry;

use crate::{Actor, AppResult, clock};

/// Writes one audit log entry, stamped now.
pub async fn record(
    store: &dyn Store,
    actor: &str,
    from: &str,
    action: &str,
    subject: &str,
) -> AppResult<()> {
    store
        .audit_append(&AuditEntry {
            at: clock::now(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            from_address: from.to_owned(),
        })
        .await?;
    Ok(())
}

/// Writes one audit log entry for what `actor` did.
pub async fn record_for(
    store: &dyn Store,
    actor: &Actor,
    action: &str,
    subject: &str,
) -> AppResult<()> {
    actor.audit(store, action, subject).await
}

/// The newest `limit` entries, for those who may read the log.
pub async fn log(store: &dyn Store, actor: &Actor, limit: u32) -> AppResult<Vec<AuditEntry>> {
    actor.require(Action::ViewAuditLog)?;
    Ok(store.audit_log(limit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AppError;
    use crate::testing::{KNOWSLEY, acting, person, store};
    use charter_core::accounts::Role;

    #[tokio::test]
    async fn the_log_is_for_the_charter_body_and_site_administrators() {
        let store = store().await;
        let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
        let moderator = person(&store, "m@x.example", Role::Moderator, None).await;
        record_for(&store, &acting(&admin), "something", "it")
            .await
            .unwrap();
        assert!(matches!(
            log(&store, &acting(&admin), 10).await,
            Err(AppError::Forbidden(_))
        ));
        let entries = log(&store, &acting(&moderator), 10).await.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].actor.as_str(), entries[0].from_address.as_str()),
            ("a@k.example", "192.0.2.1")
        );
    }
}
