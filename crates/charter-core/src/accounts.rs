//! Who may do what. Accounts belong to the people who run the register and to signatory
//! organisations; residents never need one. Every permission is decided here, by pure functions
//! that the web layer calls and the tests walk role by role.

use std::fmt;

use serde::Serialize;

use crate::Slug;

/// What an organisation's API token may be used for: (scope, what it allows).
pub const TOKEN_SCOPES: &[(&str, &str)] = &[
    ("optout-check", "Check datasets against residents' opt-outs"),
    (
        "drafts",
        "Write drafts of entries and submit them for review",
    ),
];

/// What a site administrator's API token (one belonging to no organisation) may be used for.
pub const SITE_TOKEN_SCOPES: &[(&str, &str)] = &[(
    "organisations",
    "Add and change the signatory organisations",
)];

/// How long a set-password or reset link works, in days.
pub const LINK_DAYS: i64 = 7;

/// How long a session lasts without signing in again, in hours.
pub const SESSION_HOURS: i64 = 8;

/// Failed sign-ins allowed per email address within [`FAILURE_WINDOW_MINUTES`]; past them,
/// sign-in pauses for that address until the window has passed or the password is reset.
pub const MAX_FAILURES: u64 = 5;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;

/// A person's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Runs the service: adds people of any role.
    SiteAdmin,
    /// The charter body: reviews and publishes entries, watches compliance.
    Moderator,
    /// Runs an organisation's entries and tokens, and invites its editors.
    OrgAdmin,
    /// Writes an organisation's entries.
    OrgEditor,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::SiteAdmin,
        Role::Moderator,
        Role::OrgAdmin,
        Role::OrgEditor,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Role::SiteAdmin => "site-admin",
            Role::Moderator => "moderator",
            Role::OrgAdmin => "organisation-admin",
            Role::OrgEditor => "organisation-editor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SiteAdmin => "Site administrator",
            Role::Moderator => "Charter moderator",
            Role::OrgAdmin => "Organisation administrator",
            Role::OrgEditor => "Organisation editor",
        }
    }

    /// Organisation roles belong to one organisation; the others to none.
    pub fn needs_organisation(self) -> bool {
        matches!(self, Role::OrgAdmin | Role::OrgEditor)
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.slug() == s)
            .ok_or_else(|| {
                format!(
                    "“{s}” is not a role: choose {}",
                    Role::ALL
                        .iter()
                        .map(|r| r.slug())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A signed-in person, as far as permissions care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub role: Role,
    /// Set exactly when the role needs an organisation.
    pub organisation: Option<Slug>,
}

/// Something a person may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// See an organisation's tools page.
    ViewOrganisation(&'a Slug),
    /// Make and revoke an organisation's API tokens.
    ManageTokens(&'a Slug),
    /// Add a person with a role (to an organisation, for organisation roles).
    AddUser {
        role: Role,
        organisation: Option<&'a Slug>,
    },
    /// See the audit log of privileged actions.
    ViewAuditLog,
    /// See every organisation's tools.
    ViewAllOrganisations,
    /// Write, change and submit an organisation's draft entries.
    EditEntries(&'a Slug),
    /// Approve or return an organisation's submitted drafts. `self_publish`: the organisation
    /// approves its own entries (a second person in it), instead of only the charter body.
    ReviewEntries {
        organisation: &'a Slug,
        self_publish: bool,
    },
    /// Let an organisation approve its own entries, or stop it.
    SetSelfPublish,
    /// Set up, change and retire the identifier kinds residents can opt out with, besides the
    /// NHS number. Only the people who run the service: a kind's rules decide whose opt-outs
    /// match.
    ManageIdentifierKinds,
    /// Add, change and retire signatory organisations. Only the people who run the service.
    ManageOrganisations,
    /// See residents' challenges and questions about an organisation's projects, with their
    /// personal details, and answer them. Site administrators may too (their looking is logged).
    HandleChallenges(&'a Slug),
    /// See which challenges and questions are past a deadline across the region (never what a
    /// resident wrote or how to reach them). The charter body and site administrators.
    ViewOverdueChallenges,
    /// See an organisation's breach log: its administrators and the charter body.
    ViewBreaches(&'a Slug),
    /// Log an organisation's breaches and record each step: its administrators only.
    RecordBreaches(&'a Slug),
    /// See open breaches and missed deadlines across the region: the charter body.
    ViewRegionBreaches,
    /// Change the words search treats as meaning the same (synonyms). Only the people who run
    /// the service.
    ManageSearchWords,
    /// Record changes in the law or policy that entries must be reviewed against: the charter
    /// body (moderators) and the people who run the service.
    ManageLawChanges,
}

impl Action<'_> {
    /// What a person is told when they may not do this.
    pub fn refusal(&self) -> &'static str {
        match self {
            Action::ViewOrganisation(_) => "You cannot see this organisation's tools.",
            Action::ManageTokens(_) => "You cannot manage this organisation's tokens.",
            Action::AddUser {
                organisation: Some(_),
                ..
            } => "You cannot invite people to this organisation.",
            Action::AddUser {
                organisation: None, ..
            } => "You cannot add people with this role.",
            Action::ViewAuditLog => {
                "Only the charter body and site administrators can see the audit log."
            }
            Action::ViewAllOrganisations => "You cannot see every organisation's tools.",
            Action::EditEntries(_) => "You cannot write this organisation's entries.",
            Action::ReviewEntries { .. } => "You cannot review this organisation's entries.",
            Action::SetSelfPublish => {
                "Only the charter body decides who approves their own entries."
            }
            Action::ManageIdentifierKinds => {
                "Only site administrators can set up identifier kinds."
            }
            Action::ManageOrganisations => {
                "Only site administrators can add, change or retire organisations."
            }
            Action::HandleChallenges(_) => {
                "Only the organisation's own people can see its challenges and questions."
            }
            Action::ViewOverdueChallenges => {
                "Only the charter body can see what is overdue across the region."
            }
            Action::ViewBreaches(_) => "You cannot see this organisation's breach log.",
            Action::RecordBreaches(_) => {
                "Only the organisation's administrators can record its breaches."
            }
            Action::ViewRegionBreaches => "Only the charter body can see every breach log.",
            Action::ManageSearchWords => "Only site administrators can change search words.",
            Action::ManageLawChanges => {
                "Only the charter body and site administrators can record changes in the law."
            }
        }
    }
}

/// Whether `who` may do `action`.
pub fn allowed(who: &Principal, action: Action) -> bool {
    let own = |org: &Slug| who.organisation.as_ref() == Some(org);
    match (who.role, action) {
        (Role::SiteAdmin, _) => true,
        (
            Role::Moderator,
            Action::ViewOrganisation(_)
            | Action::ViewAuditLog
            | Action::ViewAllOrganisations
            | Action::ReviewEntries { .. }
            | Action::SetSelfPublish
            | Action::ViewOverdueChallenges
            | Action::ViewBreaches(_)
            | Action::ViewRegionBreaches
            | Action::ManageLawChanges,
        ) => true,
        (Role::Moderator, _) => false,
        (
            Role::OrgAdmin,
            Action::ViewOrganisation(o) | Action::ManageTokens(o) | Action::EditEntries(o),
        ) => own(o),
        (Role::OrgAdmin, Action::ViewBreaches(o) | Action::RecordBreaches(o)) => own(o),
        (
            Role::OrgAdmin | Role::OrgEditor,
            Action::ReviewEntries {
                organisation: o,
                self_publish: true,
            },
        ) => own(o),
        (
            Role::OrgAdmin,
            Action::AddUser {
                role: Role::OrgEditor | Role::OrgAdmin,
                organisation: Some(o),
            },
        ) => own(o),
        (Role::OrgAdmin | Role::OrgEditor, Action::HandleChallenges(o)) => own(o),
        (Role::OrgAdmin, _) => false,
        (Role::OrgEditor, Action::ViewOrganisation(o) | Action::EditEntries(o)) => own(o),
        (Role::OrgEditor, _) => false,
    }
}

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("Enter a password of at least 12 characters")]
    TooShort,
    #[error("Enter a password of 200 characters or fewer")]
    TooLong,
    #[error(
        "This password is too common: choose one that is harder to guess, such as three random words"
    )]
    Common,
    #[error("Your password must not contain your email address")]
    ContainsEmail,
}

/// Passwords of 12 or more characters that appear on public lists of the most used passwords,
/// or follow their patterns. Written for this project; see NOTICES.md.
const COMMON: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456789abc",
    "1234567890ab",
    "1q2w3e4r5t6y",
    "qwertyuiopas",
    "qwerty123456",
    "qwertyuiop12",
    "qwertyuiop123",
    "asdfghjkl123",
    "zxcvbnm12345",
    "abcdefghijkl",
    "abc123abc123",
    "abcd1234abcd",
    "aaaaaaaaaaaa",
    "111111111111",
    "000000000000",
    "iloveyou1234",
    "letmein12345",
    "welcome12345",
    "welcome123456",
    "monkey123456",
    "football1234",
    "liverpool123",
    "liverpoolfc1",
    "everton12345",
    "sunshine1234",
    "princess1234",
    "dragon123456",
    "trustno11234",
    "changeme1234",
    "administrator",
    "adminadmin12",
    "baseball1234",
    "superman1234",
];

/// Checks a new password against the policy: 12 to 200 characters, not common, not the email.
pub fn check_password(candidate: &str, email: &str) -> Result<(), PasswordProblem> {
    let n = candidate.chars().count();
    if n < 12 {
        return Err(PasswordProblem::TooShort);
    }
    if n > 200 {
        return Err(PasswordProblem::TooLong);
    }
    let lower = candidate.to_lowercase();
    let first = lower.chars().next().unwrap_or(' ');
    let digits_in_order = "01234567890123456789";
    if COMMON.contains(&lower.as_str())
        || lower.contains("password")
        || lower.contains("qwerty")
        || lower.chars().all(|c| c == first)
        || digits_in_order.contains(lower.as_str())
    {
        return Err(PasswordProblem::Common);
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if !email.is_empty()
        && (lower.contains(&email.to_lowercase()) || (local.len() >= 4 && lower.contains(&local)))
    {
        return Err(PasswordProblem::ContainsEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, org: Option<&str>) -> Principal {
        Principal {
            user_id: 1,
            role,
            organisation: org.map(|o| o.parse().unwrap()),
        }
    }

    #[test]
    fn every_role_against_every_action() {
        let mine: Slug = "knowsley-council".parse().unwrap();
        let theirs: Slug = "wirral-council".parse().unwrap();
        let actions = |o: &'static Slug| -> Vec<Action<'static>> {
            vec![
                Action::ViewOrganisation(o),
                Action::ManageTokens(o),
                Action::AddUser {
                    role: Role::OrgEditor,
                    organisation: Some(o),
                },
                Action::AddUser {
                    role: Role::Moderator,
                    organisation: None,
                },
                Action::ViewAuditLog,
                Action::ViewAllOrganisations,
                Action::EditEntries(o),
                Action::ReviewEntries {
                    organisation: o,
                    self_publish: false,
                },
                Action::ReviewEntries {
                    organisation: o,
                    self_publish: true,
                },
                Action::SetSelfPublish,
                Action::ManageIdentifierKinds,
                Action::ManageOrganisations,
            ]
        };
        let mine: &'static Slug = Box::leak(Box::new(mine));
        let theirs: &'static Slug = Box::leak(Box::new(theirs));
        // Expected answers, in the order of `actions`, for the own and another organisation.
        let table = [
            (
                who(Role::SiteAdmin, None),
                [
                    true, true, true, true, true, true, true, true, true, true, true, true,
                ],
                [
                    true, true, true, true, true, true, true, true, true, true, true, true,
                ],
            ),
            (
                who(Role::Moderator, None),
                [
                    true, false, false, false, true, true, false, true, true, true, false, false,
                ],
                [
                    true, false, false, false, true, true, false, true, true, true, false, false,
                ],
            ),
            (
                who(Role::OrgAdmin, Some("knowsley-council")),
                [
                    true, true, true, false, false, false, true, false, true, false, false, false,
                ],
                [
                    false, false, false, false, false, false, false, false, false, false, false,
                    false,
                ],
            ),
            (
                who(Role::OrgEditor, Some("knowsley-council")),
                [
                    true, false, false, false, false, false, true, false, true, false, false, false,
                ],
                [
                    false, false, false, false, false, false, false, false, false, false, false,
                    false,
                ],
            ),
        ];
        for (p, own, other) in table {
            for (i, a) in actions(mine).into_iter().enumerate() {
                assert_eq!(allowed(&p, a), own[i], "{:?} doing {a:?}", p.role);
            }
            for (i, a) in actions(theirs).into_iter().enumerate() {
                assert_eq!(
                    allowed(&p, a),
                    other[i],
                    "{:?} doing {a:?} for another organisation",
                    p.role
                );
            }
        }
    }

    #[test]
    fn breach_logs_are_for_their_administrators_and_the_charter_body() {
        let mine: Slug = "knowsley-council".parse().unwrap();
        let theirs: Slug = "wirral-council".parse().unwrap();
        let k = Some("knowsley-council");
        // (who, view own, record own, view other, record other, region)
        for (p, expected) in [
            (who(Role::SiteAdmin, None), [true, true, true, true, true]),
            (who(Role::Moderator, None), [true, false, true, false, true]),
            (who(Role::OrgAdmin, k), [true, true, false, false, false]),
            (who(Role::OrgEditor, k), [false, false, false, false, false]),
        ] {
            let got = [
                allowed(&p, Action::ViewBreaches(&mine)),
                allowed(&p, Action::RecordBreaches(&mine)),
                allowed(&p, Action::ViewBreaches(&theirs)),
                allowed(&p, Action::RecordBreaches(&theirs)),
                allowed(&p, Action::ViewRegionBreaches),
            ];
            assert_eq!(got, expected, "{:?}", p.role);
        }
    }

    #[test]
    fn only_the_charter_body_and_site_admins_record_changes_in_the_law() {
        let who = |role, org: Option<&str>| Principal {
            user_id: 1,
            role,
            organisation: org.map(|o| o.parse().unwrap()),
        };
        assert!(allowed(
            &who(Role::SiteAdmin, None),
            Action::ManageLawChanges
        ));
        assert!(allowed(
            &who(Role::Moderator, None),
            Action::ManageLawChanges
        ));
        for role in [Role::OrgAdmin, Role::OrgEditor] {
            assert!(!allowed(
                &who(role, Some("knowsley-council")),
                Action::ManageLawChanges
            ));
        }
    }

    #[test]
    fn password_policy() {
        assert_eq!(
            check_password("short", "a@b.org"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_password(&"x".repeat(201), "a@b.org"),
            Err(PasswordProblem::TooLong)
        );
        for common in [
            "Password1234!",
            "123456789012",
            "aaaaaaaaaaaaaaa",
            "qwertyuiop123",
            "Liverpool123",
        ] {
            assert_eq!(
                check_password(common, "a@b.org"),
                Err(PasswordProblem::Common),
                "{common}"
            );
        }
        assert_eq!(
            check_password("sam.jones2026!!", "sam.jones@council.example"),
            Err(PasswordProblem::ContainsEmail)
        );
        assert!(check_password("correct horse battery staple", "sam@council.example").is_ok());
        assert!(check_password("ferry cross the mersey", "sam@council.example").is_ok());
    }

    #[test]
    fn roles_parse() {
        assert_eq!("moderator".parse::<Role>(), Ok(Role::Moderator));
        assert!(
            "boss"
                .parse::<Role>()
                .unwrap_err()
                .contains("organisation-editor")
        );
    }

    #[test]
    fn only_the_charter_body_and_site_admins_see_what_is_overdue() {
        let seen = |role, org| allowed(&who(role, org), Action::ViewOverdueChallenges);
        assert!(seen(Role::SiteAdmin, None));
        assert!(seen(Role::Moderator, None));
        assert!(!seen(Role::OrgAdmin, Some("wirral-council")));
        assert!(!seen(Role::OrgEditor, Some("wirral-council")));
    }
}
