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
    /// An outcome report is due soon, or late. For the organisation's writers.
    OutcomeReportDue,
    /// A project's review is due soon, or late.
    ReviewDue,
    /// A declaration of responsibility needs signing again.
    DeclarationDue,
    /// An entry must be checked against a change in the law.
    LawChangeDue,
    /// A data breach must be decided on and, if it must be, reported to the ICO within 72
    /// hours. Cannot be turned off: the deadline is the law's.
    BreachDue,
    /// Each week, what falls due for the organisation in the next 30 days. For its
    /// administrators.
    WeeklySummary,
}

impl Notice {
    pub const ALL: [Notice; 12] = [
        Notice::DraftReturned,
        Notice::DraftPublished,
        Notice::DraftSubmitted,
        Notice::PersonJoined,
        Notice::ChallengeOverdue,
        Notice::ChallengeEscalated,
        Notice::OutcomeReportDue,
        Notice::ReviewDue,
        Notice::DeclarationDue,
        Notice::LawChangeDue,
        Notice::BreachDue,
        Notice::WeeklySummary,
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
            Notice::OutcomeReportDue => "outcome-report-due",
            Notice::ReviewDue => "review-due",
            Notice::DeclarationDue => "declaration-due",
            Notice::LawChangeDue => "law-change-due",
            Notice::BreachDue => "breach-due",
            Notice::WeeklySummary => "weekly-summary",
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
            Notice::OutcomeReportDue => "An outcome report is due soon, or is late",
            Notice::ReviewDue => "A project review is due soon, or is late",
            Notice::DeclarationDue => "A declaration must be signed again",
            Notice::LawChangeDue => "An entry must be checked against a change in the law",
            Notice::BreachDue => "A data breach must be reported within 72 hours",
            Notice::WeeklySummary => "Each week, what is due in the next 30 days",
        }
    }

    /// For a kind that cannot be turned off, what it is about, to end "We always email you
    /// when …". The 72-hour breach deadline is set by law, so those emails always go.
    pub fn always(self) -> Option<&'static str> {
        match self {
            Notice::BreachDue => Some("a data breach must be reported to the ICO soon"),
            _ => None,
        }
    }

    /// Whether a person may turn this kind off: every kind but those that always go.
    pub fn can_turn_off(self) -> bool {
        self.always().is_none()
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
            Notice::ChallengeOverdue => matches!(role, Role::OrgAdmin | Role::OrgEditor),
            Notice::ChallengeEscalated => role == Role::Moderator,
            Notice::PersonJoined | Notice::WeeklySummary | Notice::BreachDue => {
                role == Role::OrgAdmin
            }
            // What an organisation must do on time: for the people who write its entries.
            Notice::OutcomeReportDue
            | Notice::ReviewDue
            | Notice::DeclarationDue
            | Notice::LawChangeDue => matches!(role, Role::OrgAdmin | Role::OrgEditor),
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
    fn only_breach_deadlines_cannot_be_turned_off() {
        let fixed: Vec<_> = Notice::ALL
            .into_iter()
            .filter(|n| !n.can_turn_off())
            .collect();
        assert_eq!(fixed, [Notice::BreachDue]);
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
                Notice::ChallengeOverdue,
                Notice::OutcomeReportDue,
                Notice::ReviewDue,
                Notice::DeclarationDue,
                Notice::LawChangeDue,
                Notice::BreachDue,
                Notice::WeeklySummary,
            ]
        );
        assert_eq!(
            offered(Role::OrgEditor),
            [
                Notice::DraftReturned,
                Notice::DraftPublished,
                Notice::DraftSubmitted,
                Notice::ChallengeOverdue,
                Notice::OutcomeReportDue,
                Notice::ReviewDue,
                Notice::DeclarationDue,
                Notice::LawChangeDue,
            ]
        );
        assert!(!offered(Role::OrgEditor).contains(&Notice::BreachDue));
        assert!(!offered(Role::SiteAdmin).contains(&Notice::PersonJoined));
    }
}
