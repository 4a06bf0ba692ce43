//! What the charter body decides about an organisation.

use charter_core::Slug;
use charter_core::accounts::Action;
use charter_store::Store;

use crate::Actor;
use crate::AppResult;
use crate::audit::record_for;

/// Lets an organisation approve its own entries (by a second person in it), or stops it.
pub async fn set_self_publish(
    store: &dyn Store,
    actor: &Actor,
    organisation: &Slug,
    on: bool,
) -> AppResult<()> {
    actor.require(Action::SetSelfPublish)?;
    store.self_publish_set(organisation, on).await?;
    let action = if on {
        "self-publish-on"
    } else {
        "self-publish-off"
    };
    record_for(store, actor, action, organisation.as_str()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AppError;
    use crate::testing::{KNOWSLEY, acting, audit, person, store};
    use charter_core::accounts::Role;
    use charter_store::prelude::*;

    #[tokio::test]
    async fn only_the_charter_body_switches_self_publishing() {
        let store = store().await;
        let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
        let moderator = person(&store, "m@x.example", Role::Moderator, None).await;
        let org: Slug = KNOWSLEY.parse().unwrap();
        let refused = set_self_publish(&store, &acting(&admin), &org, true).await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "{refused:?}"
        );
        assert!(!store.self_publish(&org).await.unwrap());
        set_self_publish(&store, &acting(&moderator), &org, true)
            .await
            .unwrap();
        assert!(store.self_publish(&org).await.unwrap());
        let log = audit(&store).await;
        assert_eq!(
            (log[0].0.as_str(), log[0].1.as_str(), log[0].2.as_str()),
            ("m@x.example", "self-publish-on", KNOWSLEY)
        );
    }
}
