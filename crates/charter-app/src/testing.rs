//! What the use cases' tests share: a register in memory with the small fixture's
//! organisations, people by role, and the audit log as (actor, action, subject).

use charter_core::accounts::Role;
use charter_store::Store;
use charter_store::accounts::User;
use charter_store::prelude::*;
use charter_store_sqlite::SqliteStore;

use crate::Actor;

pub const KNOWSLEY: &str = "knowsley-council";
pub const WIRRAL: &str = "wirral-transport";

/// A fresh register in memory with the fixture's organisations.
pub async fn store() -> SqliteStore {
    let store = SqliteStore::memory().await.unwrap();
    let (orgs, _) = charter_store::fixtures::small_register();
    for org in &orgs {
        store.organisation_put(org).await.unwrap();
    }
    store
}

/// Adds a person with `role` (in `org`, for organisation roles).
pub async fn person(store: &dyn Store, email: &str, role: Role, org: Option<&str>) -> User {
    let org = org.map(|o| o.parse().unwrap());
    let id = store
        .user_add(
            email,
            None,
            role,
            org.as_ref(),
            &"2026-01-01T00:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    store.user(id).await.unwrap().unwrap()
}

/// A person acting from a test address.
pub fn acting(user: &User) -> Actor {
    Actor::user(user, "192.0.2.1")
}

/// The audit log, oldest first: (actor, action, subject, from).
pub async fn audit(store: &dyn Store) -> Vec<(String, String, String, String)> {
    let mut log: Vec<_> = store
        .audit_log(1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.action, e.subject, e.from_address))
        .collect();
    log.reverse();
    log
}
