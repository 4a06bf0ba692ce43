//! An organisation's API tokens. A token is shown once, when made; the register keeps only its
//! hash. Each belongs to a person, who answers for what is done with it.

use charter_core::Slug;
use charter_core::accounts::{Action, Principal, SITE_TOKEN_SCOPES, TOKEN_SCOPES, allowed};
use charter_store::accounts::User;
use charter_store::{ApiToken, NewToken, Store};

use crate::Actor;
use crate::audit::record;
use crate::secrets::{random_hex, token_hash};
use crate::{AppError, AppResult, Problem, clock};

/// The longest label, in characters.
const MAX_LABEL: usize = 100;

/// A token just made: the secret is only ever here, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenMade {
    pub id: i64,
    pub token: String,
    /// Known scopes, in the order of [`TOKEN_SCOPES`], each once.
    pub scopes: Vec<&'static str>,
}

/// Makes a token for `organisation`, owned by `owner`. Both the actor and the owner must be
/// allowed to manage the organisation's tokens (on the web they are the same person; at the
/// command line the operator makes one for an administrator).
pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    owner: &User,
    organisation: &Slug,
    label: &str,
    scopes: &[impl AsRef<str>],
) -> AppResult<TokenMade> {
    actor.require(Action::ManageTokens(organisation))?;
    let principal = Principal {
        user_id: owner.id,
        role: owner.role,
        organisation: owner.organisation.clone(),
    };
    if !allowed(&principal, Action::ManageTokens(organisation)) {
        return Err(AppError::Forbidden(format!(
            "{} may not make tokens for {organisation}: a token's owner must be an administrator of the organisation or a site administrator",
            owner.email
        )));
    }
    let label = label.trim();
    let mut problems = Vec::new();
    if label.is_empty() || label.chars().count() > MAX_LABEL {
        problems.push(Problem::new(
            "label",
            format!("Say what the token is for, in {MAX_LABEL} characters or fewer"),
        ));
    }
    let known = |s: &str| TOKEN_SCOPES.iter().any(|(k, _)| *k == s);
    if let Some(bad) = scopes.iter().map(AsRef::as_ref).find(|s| !known(s)) {
        let names: Vec<&str> = TOKEN_SCOPES.iter().map(|(k, _)| *k).collect();
        problems.push(Problem::new(
            "scope",
            format!("“{bad}” is not a token scope: use {}", names.join(", ")),
        ));
    } else if scopes.is_empty() {
        problems.push(Problem::new(
            "scope",
            "Choose what the token may be used for",
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let scopes: Vec<&'static str> = TOKEN_SCOPES
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| scopes.iter().any(|given| given.as_ref() == *s))
        .collect();
    let token = format!("chr_{}", random_hex(24)?);
    let id = store
        .token_create(&NewToken {
            organisation,
            owner_id: owner.id,
            token_hash: &token_hash(&token),
            label,
            scopes: &scopes.join(" "),
            at: &clock::now(),
        })
        .await?;
    // Made for someone else: the log names both.
    let name = if actor.user_id() == Some(owner.id) {
        actor.name.clone()
    } else {
        format!("{}, for {}", actor.name, owner.email)
    };
    let subject = format!("token {id} for {organisation}");
    record(store, &name, &actor.address, "token-create", &subject).await?;
    Ok(TokenMade { id, token, scopes })
}

/// Makes a site administrator's token, belonging to no organisation, owned by `owner` (who must
/// be a site administrator): it adds and changes signatory organisations through the API.
pub async fn create_site(
    store: &dyn Store,
    actor: &Actor,
    owner: &User,
    label: &str,
) -> AppResult<TokenMade> {
    actor.require(Action::ManageOrganisations)?;
    let principal = Principal {
        user_id: owner.id,
        role: owner.role,
        organisation: owner.organisation.clone(),
    };
    if !allowed(&principal, Action::ManageOrganisations) {
        return Err(AppError::Forbidden(format!(
            "{} may not own a token for organisations: only site administrators may",
            owner.email
        )));
    }
    let label = label.trim();
    if label.is_empty() || label.chars().count() > MAX_LABEL {
        return Err(AppError::invalid(
            "label",
            format!("Say what the token is for, in {MAX_LABEL} characters or fewer"),
        ));
    }
    let scopes: Vec<&'static str> = SITE_TOKEN_SCOPES.iter().map(|(s, _)| *s).collect();
    let token = format!("chr_{}", random_hex(24)?);
    let id = store
        .site_token_create(
            owner.id,
            &token_hash(&token),
            label,
            &scopes.join(" "),
            &clock::now(),
        )
        .await?;
    let name = if actor.user_id() == Some(owner.id) {
        actor.name.clone()
    } else {
        format!("{}, for {}", actor.name, owner.email)
    };
    let subject = format!("token {id} for organisations");
    record(store, &name, &actor.address, "token-create", &subject).await?;
    Ok(TokenMade { id, token, scopes })
}

/// Revokes a token; it never works again. With `organisation` (an organisation's page), only
/// that organisation's tokens can be revoked, and `Ok(false)` says it was revoked already. Without
/// (the command line, whose operator holds the database), any live token; `NotFound` when there
/// is no live token with this id. The audit entry is written when a token is revoked now.
pub async fn revoke(
    store: &dyn Store,
    actor: &Actor,
    id: i64,
    organisation: Option<&Slug>,
) -> AppResult<bool> {
    let not_found = || AppError::NotFound(format!("A live token with id {id}"));
    match organisation {
        Some(org) => {
            actor.require(Action::ManageTokens(org))?;
            if !store.tokens(org).await?.iter().any(|t| t.id == id) {
                return Err(not_found());
            }
        }
        None if actor.principal().is_some() => {
            return Err(AppError::Forbidden(
                "Revoke a token from its organisation's page.".into(),
            ));
        }
        None => {}
    }
    if !store.token_revoke(id, &clock::now()).await? {
        return match organisation {
            Some(_) => Ok(false),
            None => Err(not_found()),
        };
    }
    let subject = match organisation {
        Some(org) => format!("token {id} for {org}"),
        None => format!("token {id}"),
    };
    record(store, &actor.name, &actor.address, "token-revoke", &subject).await?;
    Ok(true)
}

/// Every token an organisation has had, newest first, for who may manage them.
pub async fn list(
    store: &dyn Store,
    actor: &Actor,
    organisation: &Slug,
) -> AppResult<Vec<ApiToken>> {
    actor.require(Action::ManageTokens(organisation))?;
    Ok(store.tokens(organisation).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{KNOWSLEY, WIRRAL, acting, audit, person, store};
    use charter_core::accounts::Role;
    use charter_store::prelude::*;

    #[tokio::test]
    async fn an_administrator_makes_a_token_shown_once_and_audited() {
        let store = store().await;
        let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
        let org: Slug = KNOWSLEY.parse().unwrap();
        let made = create(
            &store,
            &acting(&admin),
            &admin,
            &org,
            " nightly ",
            &["drafts", "optout-check", "drafts"],
        )
        .await
        .unwrap();
        assert!(made.token.starts_with("chr_") && made.token.len() == 52);
        assert_eq!(made.scopes, ["optout-check", "drafts"]);
        let found = store
            .token_by_hash(&token_hash(&made.token))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found.id, found.label.as_str()), (made.id, "nightly"));
        assert_eq!(found.owner.unwrap().user_id, admin.id);
        assert_eq!(
            audit(&store).await,
            [(
                "a@k.example".into(),
                "token-create".into(),
                format!("token {} for knowsley-council", made.id),
                "192.0.2.1".into()
            )]
        );
    }

    #[tokio::test]
    async fn tokens_are_refused_to_the_wrong_role_organisation_or_input() {
        let store = store().await;
        let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
        let editor = person(&store, "e@k.example", Role::OrgEditor, Some(KNOWSLEY)).await;
        let moderator = person(&store, "m@x.example", Role::Moderator, None).await;
        let (own, other): (Slug, Slug) = (KNOWSLEY.parse().unwrap(), WIRRAL.parse().unwrap());
        let scopes = ["drafts"];
        for (who, org) in [(&editor, &own), (&admin, &other), (&moderator, &own)] {
            let refused = create(&store, &acting(who), who, org, "x", &scopes).await;
            assert!(
                matches!(&refused, Err(AppError::Forbidden(m)) if m == "You cannot manage this organisation's tokens."),
                "{refused:?}"
            );
        }
        // The command line may act, but the owner must still be allowed.
        let cli = Actor::command_line();
        match create(&store, &cli, &moderator, &own, "x", &scopes).await {
            Err(AppError::Forbidden(m)) => assert!(m.contains("m@x.example may not make tokens")),
            other => panic!("{other:?}"),
        }
        let fields = |r: AppResult<TokenMade>| match r {
            Err(AppError::Invalid(p)) => p
                .into_iter()
                .map(|p| (p.field, p.message))
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let none: [&str; 0] = [];
        let said = fields(create(&store, &cli, &admin, &own, " ", &none).await);
        assert_eq!(
            said.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
            ["label", "scope"]
        );
        let said = fields(
            create(
                &store,
                &cli,
                &admin,
                &own,
                &"l".repeat(101),
                &["everything"],
            )
            .await,
        );
        assert!(
            said[1].1.contains("“everything” is not a token scope"),
            "{said:?}"
        );
        assert!(store.tokens(&own).await.unwrap().is_empty());
        assert!(audit(&store).await.is_empty());
        // Made at the command line for someone: the log names both.
        create(&store, &cli, &admin, &own, "nightly", &scopes)
            .await
            .unwrap();
        let log = audit(&store).await;
        assert_eq!(
            (log[0].0.as_str(), log[0].3.as_str()),
            ("command line, for a@k.example", "local")
        );
    }

    #[tokio::test]
    async fn revoking_checks_the_organisation_and_is_audited_once() {
        let store = store().await;
        let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
        let wirral = person(&store, "a@w.example", Role::OrgAdmin, Some(WIRRAL)).await;
        let (own, other): (Slug, Slug) = (KNOWSLEY.parse().unwrap(), WIRRAL.parse().unwrap());
        let made = create(&store, &acting(&admin), &admin, &own, "x", &["drafts"])
            .await
            .unwrap();
        // Another organisation's administrator, from their own page or this one.
        let from_theirs = revoke(&store, &acting(&wirral), made.id, Some(&other)).await;
        assert!(
            matches!(from_theirs, Err(AppError::NotFound(_))),
            "{from_theirs:?}"
        );
        let from_ours = revoke(&store, &acting(&wirral), made.id, Some(&own)).await;
        assert!(
            matches!(from_ours, Err(AppError::Forbidden(_))),
            "{from_ours:?}"
        );
        // A person cannot revoke without saying the organisation.
        let anywhere = revoke(&store, &acting(&admin), made.id, None).await;
        assert!(
            matches!(anywhere, Err(AppError::Forbidden(_))),
            "{anywhere:?}"
        );

        assert!(
            revoke(&store, &acting(&admin), made.id, Some(&own))
                .await
                .unwrap()
        );
        assert!(
            store
                .token_by_hash(&token_hash(&made.token))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            !revoke(&store, &acting(&admin), made.id, Some(&own))
                .await
                .unwrap()
        );
        let again = revoke(&store, &Actor::command_line(), made.id, None).await;
        assert!(matches!(again, Err(AppError::NotFound(_))), "{again:?}");
        let revokes: Vec<_> = audit(&store)
            .await
            .into_iter()
            .filter(|e| e.1 == "token-revoke")
            .collect();
        assert_eq!(
            revokes,
            [(
                "a@k.example".into(),
                "token-revoke".into(),
                format!("token {} for knowsley-council", made.id),
                "192.0.2.1".into()
            )]
        );
    }

    #[tokio::test]
    async fn the_command_line_revokes_any_live_token() {
        let store = store().await;
        let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
        let own: Slug = KNOWSLEY.parse().unwrap();
        let made = create(&store, &acting(&admin), &admin, &own, "x", &["drafts"])
            .await
            .unwrap();
        assert!(
            revoke(&store, &Actor::command_line(), made.id, None)
                .await
                .unwrap()
        );
        let log = audit(&store).await;
        assert_eq!(
            log.last().unwrap(),
            &(
                "command line".into(),
                "token-revoke".into(),
                format!("token {}", made.id),
                "local".into()
            )
        );
    }
}
