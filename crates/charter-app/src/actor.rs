//! Who does something, and through what: a person signed in to the site, an organisation's API
//! token (which acts as the person who made it), or the command line on the server's own machine.
//! Use cases ask the actor what it may do, name it in a draft's log and in the audit entry.

use charter_core::Slug;
use charter_core::accounts::{Action, Principal, allowed};
use charter_store::Store;
use charter_store::accounts::{AuditEntry, User};

use crate::{AppError, AppResult};

/// How the actor reached the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// Signed in on the site: may do what their role allows.
    Site(Principal),
    /// An API token with the `drafts` scope: writes its organisation's drafts, nothing else. Other
    /// organisations' drafts do not exist as far as the token knows.
    Token {
        organisation: Slug,
        id: i64,
        label: String,
    },
    /// A site administrator's API token (scope `organisations`, no organisation): adds and
    /// changes signatories, nothing else.
    SiteToken { id: i64, label: String },
    /// `charter` on the server's machine: whoever can run it can open the database anyway.
    CommandLine,
}

/// Someone acting, as the rules and the audit log see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The name in a draft's log, the four-eyes rule and the audit log: a person's email address
    /// (a token's owner's, for a token), or "command line".
    pub name: String,
    pub via: Via,
    /// Where the request came from, for the audit log.
    pub address: String,
}

impl Actor {
    /// A person signed in on the site.
    pub fn person(principal: Principal, email: &str, address: &str) -> Self {
        Actor {
            name: email.to_owned(),
            via: Via::Site(principal),
            address: address.to_owned(),
        }
    }

    /// A signed-in account, acting from `address`.
    pub fn user(user: &User, address: &str) -> Self {
        let principal = Principal {
            user_id: user.id,
            role: user.role,
            organisation: user.organisation.clone(),
        };
        Self::person(principal, &user.email, address)
    }

    /// An API token with the `drafts` scope, acting as `owner_email`, the person who made it.
    pub fn token(
        organisation: Slug,
        id: i64,
        label: &str,
        owner_email: &str,
        address: &str,
    ) -> Self {
        Actor {
            name: owner_email.to_owned(),
            via: Via::Token {
                organisation,
                id,
                label: label.to_owned(),
            },
            address: address.to_owned(),
        }
    }

    /// A site administrator's API token, acting as `owner_email`, the site administrator who
    /// made it (the caller checks they still are one).
    pub fn site_token(id: i64, label: &str, owner_email: &str, address: &str) -> Self {
        Actor {
            name: owner_email.to_owned(),
            via: Via::SiteToken {
                id,
                label: label.to_owned(),
            },
            address: address.to_owned(),
        }
    }

    /// The command line.
    pub fn command_line() -> Self {
        Actor {
            name: "command line".into(),
            via: Via::CommandLine,
            address: "local".into(),
        }
    }

    /// Whether the actor may do `action` (the rules are `charter_core::accounts::allowed`).
    pub fn may(&self, action: Action) -> bool {
        match &self.via {
            Via::Site(principal) => allowed(principal, action),
            Via::Token { organisation, .. } => {
                matches!(action, Action::EditEntries(o) if o == organisation)
            }
            Via::SiteToken { .. } => matches!(action, Action::ManageOrganisations),
            Via::CommandLine => true,
        }
    }

    /// `Forbidden`, with what to tell the person, unless this actor may do `action`.
    pub fn require(&self, action: Action) -> AppResult<()> {
        if self.may(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden(action.refusal().to_owned()))
        }
    }

    /// The signed-in person's permissions; none for a token or the command line.
    pub fn principal(&self) -> Option<&Principal> {
        match &self.via {
            Via::Site(principal) => Some(principal),
            Via::Token { .. } | Via::SiteToken { .. } | Via::CommandLine => None,
        }
    }

    /// The account behind this actor, for a person signed in on the site.
    pub fn user_id(&self) -> Option<i64> {
        self.principal().map(|p| p.user_id)
    }

    /// True for a token: what it may not see is answered as not found, not as forbidden.
    pub fn is_token(&self) -> bool {
        matches!(self.via, Via::Token { .. } | Via::SiteToken { .. })
    }

    /// Writes the audit entry for `action` on `subject`, in the actor's name, saying which token
    /// it came through if it came through one.
    pub async fn audit(&self, store: &dyn Store, action: &str, subject: &str) -> AppResult<()> {
        let subject = match &self.via {
            Via::Token { id, label, .. } | Via::SiteToken { id, label } => {
                format!("{subject}, through API token {id} ({label})")
            }
            Via::Site(_) | Via::CommandLine => subject.to_owned(),
        };
        store
            .audit_append(&AuditEntry {
                at: crate::clock::now(),
                actor: self.name.clone(),
                action: action.to_owned(),
                subject,
                from_address: self.address.clone(),
            })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use charter_core::accounts::Role;

    fn slug(s: &str) -> Slug {
        s.parse().unwrap()
    }

    #[test]
    fn a_token_writes_only_its_own_organisations_drafts() {
        let t = Actor::token(
            slug("knowsley-council"),
            3,
            "Case system",
            "a@x.org",
            "1.2.3.4",
        );
        assert!(t.may(Action::EditEntries(&slug("knowsley-council"))));
        assert!(!t.may(Action::EditEntries(&slug("wirral-transport"))));
        assert!(!t.may(Action::ReviewEntries {
            organisation: &slug("knowsley-council"),
            self_publish: true
        }));
        assert!(!t.may(Action::ManageTokens(&slug("knowsley-council"))));
    }

    #[test]
    fn a_person_may_what_their_role_allows_and_the_command_line_anything() {
        let editor = Actor::person(
            Principal {
                user_id: 1,
                role: Role::OrgEditor,
                organisation: Some(slug("knowsley-council")),
            },
            "e@x.org",
            "1.2.3.4",
        );
        assert!(editor.may(Action::EditEntries(&slug("knowsley-council"))));
        assert!(!editor.may(Action::EditEntries(&slug("wirral-transport"))));
        assert!(!editor.may(Action::ViewAuditLog));
        assert!(Actor::command_line().may(Action::EditEntries(&slug("wirral-transport"))));
    }
}
