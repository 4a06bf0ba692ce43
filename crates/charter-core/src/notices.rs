//! The emails the register sends when something happens that a person should act on, and who
//! each kind is for. People may turn each kind off; every kind is on until they do.

use crate::accounts::Role;

/// A kind of email about something that happened on the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notice {
    /// A draft someone wrote was sent back with what must change. For its editors.
    DraftReturned,
    /// A draft someone wrote was approved and is now public. For its editors.
    DraftPublished,
    /// A draft is waiting for review. For the people who may approve it.
    DraftSubmitted,
    /// Someone was added to an organisation, or set their password and can now sign in. For
    /// the organisation's administrators.
    PersonJoined,
    /// A resident's challenge or question missed a deadline. For the organisation's people,
    /// when nobody is named to deal with it (the named person is always told).
    ChallengeOverdue,
    /// A resident heard nothing by a deadline and asked the charter body to step in. For the
    /// charter body.
    ChallengeEscalated,
}

impl Notice {
    pub const ALL: [Notice; 6] = [
        Notice::DraftReturned,
        Notice::DraftPublished,
        Notice::DraftSubmitted,
        Notice::PersonJoined,
        Notice::ChallengeOverdue,
        Notice::ChallengeEscalated,
    ];

    /// The stable name the store keeps and forms send.
    pub fn slug(self) -> &'static str {
        match self {
            Notice::DraftReturned => "draft-returned",
            Notice::DraftPublished => "draft-published",
            Notice::DraftSubmitted => "draft-submitted",
            Notice::PersonJoined => "person-joined",
            Notice::ChallengeOverdue => "challenge-overdue",
            Notice::ChallengeEscalated => "challenge-escalated",
        }
    }

    /// What the email is about, as the settings page lists it.
    pub fn label(self) -> &'static str {
        match self {
            Notice::DraftReturned => "A draft you worked on is sent back",
            Notice::DraftPublished => "A draft you worked on is published",
            Notice::DraftSubmitted => "A draft is waiting for review",
            Notice::PersonJoined => "Someone joins your organisation",
            Notice::ChallengeOverdue => "A challenge or question is late",
            Notice::ChallengeEscalated => "A resident asks you to step in",
        }
    }

    /// Whether a person with `role` can get this kind at all: the settings page offers only
    /// these.
    pub fn for_role(self, role: Role) -> bool {
        match self {
            // Anyone who may write entries.
            Notice::DraftReturned | Notice::DraftPublished => {
                matches!(role, Role::SiteAdmin | Role::OrgAdmin | Role::OrgEditor)
            }
            // The charter body, and the people of an organisation that approves its own.
            Notice::DraftSubmitted => {
                matches!(role, Role::Moderator | Role::OrgAdmin | Role::OrgEditor)
            }
            Notice::PersonJoined => role == Role::OrgAdmin,
            Notice::ChallengeOverdue => matches!(role, Role::OrgAdmin | Role::OrgEditor),
            Notice::ChallengeEscalated => role == Role::Moderator,
        }
    }
}

impl std::str::FromStr for Notice {
    type Err = String;
    fn from_str(s: &str) -> Result<Notice, String> {
        Notice::ALL
            .into_iter()
            .find(|n| n.slug() == s)
            .ok_or_else(|| format!("“{s}” is not a kind of email"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_reads_back_from_its_name() {
        for n in Notice::ALL {
            assert_eq!(n.slug().parse::<Notice>(), Ok(n));
        }
        assert!("weekly-digest".parse::<Notice>().is_err());
    }

    #[test]
    fn each_role_is_offered_only_what_it_can_get() {
        let offered = |r: Role| {
            Notice::ALL
                .into_iter()
                .filter(|n| n.for_role(r))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            offered(Role::Moderator),
            [Notice::DraftSubmitted, Notice::ChallengeEscalated]
        );
        assert_eq!(
            offered(Role::OrgAdmin),
            [
                Notice::DraftReturned,
                Notice::DraftPublished,
                Notice::DraftSubmitted,
                Notice::PersonJoined,
                Notice::ChallengeOverdue
            ]
        );
        assert_eq!(
            offered(Role::OrgEditor),
            [
                Notice::DraftReturned,
                Notice::DraftPublished,
                Notice::DraftSubmitted,
                Notice::ChallengeOverdue
            ]
        );
        assert!(!offered(Role::SiteAdmin).contains(&Notice::PersonJoined));
    }
}
