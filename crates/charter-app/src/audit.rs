//! Who is behind a use case, and the audit log entry each privileged action leaves.

use charter_core::accounts::{Action, Principal, allowed};
use charter_store::Store;
use charter_store::accounts::{AuditEntry, User};

use crate::{AppError, AppResult, clock};

/// The person (or the operator) a use case acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Whose permissions apply. `None` for the operator at the command line, who already holds
    /// the database and may do whatever a command offers.
    pub principal: Option<Principal>,
    /// As the audit log names them: an email address, or "command line".
    pub name: String,
    /// Where the request came from: an IP address, "unknown", or "local" for the command line.
    pub from: String,
}

impl Actor {
    /// A signed-in person, acting from `from`.
    pub fn person(user: &User, from: impl Into<String>) -> Actor {
        Actor {
            principal: Some(Principal {
                user_id: user.id,
                role: user.role,
                organisation: user.organisation.clone(),
            }),
            name: user.email.clone(),
            from: from.into(),
        }
    }

    /// The operator running a `charter` command on the register's machine.
    pub fn command_line() -> Actor {
        Actor {
            principal: None,
            name: "command line".into(),
            from: "local".into(),
        }
    }

    /// Whether this actor may do `action`.
    pub fn may(&self, action: Action) -> bool {
        self.principal.as_ref().is_none_or(|p| allowed(p, action))
    }

    /// `Forbidden`, with what to tell the person, unless this actor may do `action`.
    pub fn require(&self, action: Action) -> AppResult<()> {
        if self.may(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden(action.refusal().to_owned()))
        }
    }

    /// The user id behind this actor, if a person.
    pub fn user_id(&self) -> Option<i64> {
        self.principal.as_ref().map(|p| p.user_id)
    }
}

/// Writes one audit log entry, stamped now.
pub async fn record(
    store: &dyn Store,
    actor: &str,
    from: &str,
    action: &str,
    subject: &str,
) -> AppResult<()> {
    store
        .audit(&AuditEntry {
            at: clock::now().into(),
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
    record(store, &actor.name, &actor.from, action, subject).await
}

/// The newest `limit` entries, for those who may read the log.
pub async fn log(store: &dyn Store, actor: &Actor, limit: u32) -> AppResult<Vec<AuditEntry>> {
    actor.require(Action::ViewAuditLog)?;
    Ok(store.audit_log(limit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
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
