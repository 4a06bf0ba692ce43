//! People's accounts: adding a person (an invitation from their organisation's administrator, or
//! `charter user add`), setting a password with a one-time link, and asking for a new link.

use charter_core::accounts::{Action, LINK_DAYS, Role, check_password};
use charter_core::{Email, Slug};
use charter_store::accounts::LinkProblem;
use charter_store::{Store, StoreError};

use crate::Actor;
use crate::audit::{record, record_for};
use crate::notices::{self, Joined};
use crate::secrets::{random_hex, token_hash};
use crate::sign_in::failures_key;
use crate::{AppError, AppResult, Problem, clock, passwords};

/// What a one-time link is for, as the store keeps it.
const PASSWORD_LINK: &str = "password";

/// The longest name a person may give, in characters.
const MAX_NAME: usize = 100;

/// A person to add.
#[derive(Debug, Clone)]
pub struct NewPerson<'a> {
    pub email: &'a str,
    /// Empty for none.
    pub name: &'a str,
    pub role: Role,
    /// Set exactly for organisation roles.
    pub organisation: Option<&'a Slug>,
}

/// A person just added, or a link just made: the link's secret is only ever here, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSent {
    pub user_id: i64,
    /// The address, as stored (trimmed, lower case).
    pub email: String,
    /// The one-time token; the link is `/account/set-password/{token}`.
    pub token: String,
}

impl LinkSent {
    /// The link's path on the register.
    pub fn path(&self) -> String {
        format!("/account/set-password/{}", self.token)
    }
}

/// Adds a person with a role and makes them a one-time link to set their password (valid
/// [`LINK_DAYS`] days). The actor must be allowed to add that role to that organisation.
pub async fn add_user(
    store: &dyn Store,
    actor: &Actor,
    person: &NewPerson<'_>,
) -> AppResult<LinkSent> {
    actor.require(Action::AddUser {
        role: person.role,
        organisation: person.organisation,
    })?;
    let email = person.email.trim().to_lowercase();
    let name = person.name.trim();
    let mut problems = Vec::new();
    if email.parse::<Email>().is_err() {
        problems.push(Problem::new(
            "email",
            "Enter an email address like name@example.org",
        ));
    }
    if name.chars().count() > MAX_NAME {
        problems.push(Problem::new(
            "name",
            format!("Enter a name of {MAX_NAME} characters or fewer"),
        ));
    }
    let role_name = person.role.label().to_lowercase();
    match (person.role.needs_organisation(), person.organisation) {
        (true, None) => problems.push(Problem::new(
            "organisation",
            format!("Say which organisation the {role_name} belongs to"),
        )),
        (false, Some(_)) => problems.push(Problem::new(
            "organisation",
            format!("The role {role_name} does not belong to an organisation"),
        )),
        _ => {}
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let now = clock::now();
    let name = (!name.is_empty()).then_some(name);
    let user_id = match store
        .user_add(&email, name, person.role, person.organisation, &now)
        .await
    {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::invalid(
                "email",
                format!("{email} already has an account"),
            ));
        }
        Err(StoreError::UnknownOrganisation(slug)) => {
            return Err(AppError::invalid(
                "organisation",
                format!("The organisation “{slug}” is not on the register"),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let token = new_link(store, user_id).await?;
    let mut subject = format!("{email} as {}", person.role.slug());
    if let Some(org) = person.organisation {
        subject.push_str(&format!(" for {org}"));
    }
    record_for(store, actor, "user-add", &subject).await?;
    if let Some(user) = store.user(user_id).await? {
        notices::person_joined(store, actor, &user, Joined::Added).await;
    }
    Ok(LinkSent {
        user_id,
        email,
        token,
    })
}

/// Stores a new one-time password link for a person; returns its secret.
async fn new_link(store: &dyn Store, user_id: i64) -> AppResult<String> {
    let token = random_hex(24)?;
    store
        .link_create(
            &token_hash(&token),
            user_id,
            PASSWORD_LINK,
            &clock::now(),
            &clock::from_now(LINK_DAYS * 24 * 3600),
        )
        .await?;
    Ok(token)
}

/// Asks for a link to reset a password. The address must look like one; a link is made only
/// when it has an account and `can_send` (there is a way to get the link to them), so the
/// answer the person sees can be the same whether or not the address has an account.
pub async fn request_reset(
    store: &dyn Store,
    email: &str,
    can_send: bool,
) -> AppResult<Option<LinkSent>> {
    let email = email.trim().to_lowercase();
    if email.parse::<Email>().is_err() {
        return Err(AppError::invalid(
            "email",
            "Enter an email address like name@example.org",
        ));
    }
    if !can_send {
        return Ok(None);
    }
    let Some(user) = store.user_by_email(&email).await? else {
        return Ok(None);
    };
    let token = new_link(store, user.id).await?;
    Ok(Some(LinkSent {
        user_id: user.id,
        email: user.email,
        token,
    }))
}

/// Whether `token` has the shape of a one-time link's secret (48 hex digits); anything else is
/// refused before the store is asked.
pub fn is_link_token(token: &str) -> bool {
    token.len() == 48 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Sets a password with a one-time link. The password is checked first, so a weak one does not
/// use up the link. Every session and every other link of the person ends, and so does any pause
/// after failed sign-ins (the pause page offers a reset as the way out). `Ok(Err(_))`: the link
/// does not work, and why.
pub async fn set_password(
    store: &dyn Store,
    token: &str,
    password: &str,
    confirm: &str,
    from: &str,
) -> AppResult<Result<i64, LinkProblem>> {
    if !is_link_token(token) {
        return Ok(Err(LinkProblem::Unknown));
    }
    if let Err(p) = check_password(password, "") {
        return Err(AppError::invalid("password", p.to_string()));
    }
    if password != confirm {
        return Err(AppError::invalid("confirm", "The passwords do not match"));
    }
    let user_id = match store
        .link_use(&token_hash(token), PASSWORD_LINK, &clock::now())
        .await?
    {
        Ok(id) => id,
        Err(p) => return Ok(Err(p)),
    };
    // A first password is the person joining: their organisation's administrators are told.
    let first = store
        .user(user_id)
        .await?
        .is_some_and(|u| u.password_hash.is_none());
    let hash = passwords::hash(password.to_owned())
        .await
        .map_err(AppError::Internal)?;
    store
        .user_password_set(user_id, &hash, &clock::now())
        .await?;
    let user = store.user(user_id).await?;
    if let Some(user) = &user {
        store.sign_in_clear(&failures_key(&user.email)).await?;
    }
    let who = format!("user {user_id}");
    record(store, &who, from, "password-set", &who).await?;
    if let (Some(user), true) = (&user, first) {
        let them = Actor::user(user, from);
        notices::person_joined(store, &them, user, Joined::SetPassword).await;
    }
    Ok(Ok(user_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{KNOWSLEY, WIRRAL, acting, audit, person, store};
    use charter_store::prelude::*;

    fn invite<'a>(email: &'a str, org: &'a Slug) -> NewPerson<'a> {
        NewPerson {
            email,
            name: "",
            role: Role::OrgEditor,
            organisation: Some(org),
        }
    }

    #[tokio::test]
    async fn an_administrator_invites_an_editor_to_their_own_organisation_only() {
        let store = store().await;
        let admin = person(&store, "admin@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
        let editor = person(&store, "ed@k.example", Role::OrgEditor, Some(KNOWSLEY)).await;
        let (own, other) = (KNOWSLEY.parse().unwrap(), WIRRAL.parse().unwrap());

        let added = add_user(&store, &acting(&admin), &invite(" New@K.example ", &own))
            .await
            .unwrap();
        assert_eq!(added.email, "new@k.example");
        assert!(is_link_token(&added.token));
        assert_eq!(
            added.path(),
            format!("/account/set-password/{}", added.token)
        );
        let stored = store.user(added.user_id).await.unwrap().unwrap();
        assert_eq!(
            (stored.role, stored.organisation),
            (Role::OrgEditor, Some(own.clone()))
        );

        for (who, org) in [(&admin, &other), (&editor, &own)] {
            let refused = add_user(&store, &acting(who), &invite("x@k.example", org)).await;
            assert!(
                matches!(&refused, Err(AppError::Forbidden(m)) if m.contains("invite people")),
                "{refused:?}"
            );
        }
        assert!(store.user_by_email("x@k.example").await.unwrap().is_none());
        assert_eq!(
            audit(&store).await,
            [(
                "admin@k.example".into(),
                "user-add".into(),
                "new@k.example as organisation-editor for knowsley-council".into(),
                "192.0.2.1".into()
            )]
        );
    }

    #[tokio::test]
    async fn adding_a_person_refuses_bad_input_with_the_field_to_fix() {
        let store = store().await;
        let cli = Actor::command_line();
        let own: Slug = KNOWSLEY.parse().unwrap();
        let nowhere: Slug = "nowhere".parse().unwrap();
        let fields = |r: AppResult<LinkSent>| match r {
            Err(AppError::Invalid(p)) => p.into_iter().map(|p| p.field).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let long = "n".repeat(101);
        let bad = NewPerson {
            email: "not an address",
            name: &long,
            ..invite("", &own)
        };
        assert_eq!(
            fields(add_user(&store, &cli, &bad).await),
            ["email", "name"]
        );
        let moderator_in_org = NewPerson {
            role: Role::Moderator,
            ..invite("m@x.example", &own)
        };
        // The command line may add any role; the rule about organisations still holds.
        assert_eq!(
            fields(add_user(&store, &cli, &moderator_in_org).await),
            ["organisation"]
        );
        let editor_nowhere = NewPerson {
            organisation: None,
            ..invite("e@x.example", &own)
        };
        assert_eq!(
            fields(add_user(&store, &cli, &editor_nowhere).await),
            ["organisation"]
        );
        match add_user(&store, &cli, &invite("e@x.example", &nowhere)).await {
            Err(e) => assert!(e.to_string().contains("“nowhere” is not on the register")),
            other => panic!("{other:?}"),
        }
        add_user(&store, &cli, &invite("e@x.example", &own))
            .await
            .unwrap();
        match add_user(&store, &cli, &invite("E@X.example", &own)).await {
            Err(e) => assert_eq!(e.to_string(), "e@x.example already has an account"),
            other => panic!("{other:?}"),
        }
        // Only the one that happened is in the log, as the command line's.
        let log = audit(&store).await;
        assert_eq!(log.len(), 1);
        assert_eq!(
            (log[0].0.as_str(), log[0].3.as_str()),
            ("command line", "local")
        );
    }

    #[tokio::test]
    async fn a_link_sets_a_password_once_and_refuses_weak_ones_without_using_up() {
        let store = store().await;
        let own: Slug = KNOWSLEY.parse().unwrap();
        let added = add_user(&store, &Actor::command_line(), &invite("p@k.example", &own))
            .await
            .unwrap();
        let set = |password: &'static str, confirm: &'static str| {
            let (store, token) = (&store, added.token.clone());
            async move { set_password(store, &token, password, confirm, "192.0.2.9").await }
        };
        match set("short", "short").await {
            Err(AppError::Invalid(p)) => assert_eq!(p[0].field, "password"),
            other => panic!("{other:?}"),
        }
        match set("ferry cross the mersey", "ferry cross the irwell").await {
            Err(AppError::Invalid(p)) => assert_eq!(p[0].field, "confirm"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            set("ferry cross the mersey", "ferry cross the mersey")
                .await
                .unwrap(),
            Ok(added.user_id)
        );
        let user = store.user(added.user_id).await.unwrap().unwrap();
        assert!(
            passwords::verify("ferry cross the mersey".into(), user.password_hash).await,
            "the new password works"
        );
        assert_eq!(
            set("ferry cross the mersey", "ferry cross the mersey")
                .await
                .unwrap(),
            Err(LinkProblem::Used)
        );
        let who = format!("user {}", added.user_id);
        assert_eq!(
            audit(&store).await.last().unwrap(),
            &(who.clone(), "password-set".into(), who, "192.0.2.9".into())
        );
        let not_a_token = "zz".repeat(24);
        assert_eq!(
            set_password(&store, &not_a_token, "x", "y", "-")
                .await
                .unwrap(),
            Err(LinkProblem::Unknown)
        );
        assert_eq!(
            set_password(
                &store,
                &"ab".repeat(24),
                "ferry cross the mersey",
                "ferry cross the mersey",
                "-"
            )
            .await
            .unwrap(),
            Err(LinkProblem::Unknown)
        );
    }

    #[tokio::test]
    async fn an_expired_link_does_not_work() {
        let store = store().await;
        let user = person(&store, "old@k.example", Role::Moderator, None).await;
        let token = "cd".repeat(24);
        store
            .link_create(
                &token_hash(&token),
                user.id,
                PASSWORD_LINK,
                &"2026-01-01T00:00:00Z".parse().unwrap(),
                &"2026-01-08T00:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        let good = "ferry cross the mersey";
        assert_eq!(
            set_password(&store, &token, good, good, "-").await.unwrap(),
            Err(LinkProblem::Expired)
        );
        assert!(audit(&store).await.is_empty());
    }

    #[tokio::test]
    async fn a_reset_link_is_made_only_for_an_account_that_can_be_sent_one() {
        let store = store().await;
        let user = person(&store, "r@k.example", Role::Moderator, None).await;
        assert!(matches!(
            request_reset(&store, "nobody", true).await,
            Err(AppError::Invalid(p)) if p[0].field == "email"
        ));
        assert_eq!(
            request_reset(&store, "x@k.example", true).await.unwrap(),
            None
        );
        assert_eq!(
            request_reset(&store, "r@k.example", false).await.unwrap(),
            None
        );
        let link = request_reset(&store, " R@K.example", true)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (link.user_id, link.email.as_str()),
            (user.id, "r@k.example")
        );
        let good = "ferry cross the mersey";
        assert_eq!(
            set_password(&store, &link.token, good, good, "-")
                .await
                .unwrap(),
            Ok(user.id)
        );
    }
}
