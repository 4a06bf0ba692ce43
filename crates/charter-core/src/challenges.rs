//! Residents' challenges to decisions and their questions about projects (charter principles 3
//! and 4): what a resident sends, how an organisation moves it on, and who may see it. No
//! account is needed to send one; the resident follows it through a private link.
//!
//! The rules live here: the kinds and their fields with their limits (`input`), the states and
//! the steps between them (`flow`), the reference people quote. Deadlines come from the
//! charter's settings and the working-day calendar; this module only compares dates.

mod flow;
mod input;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use flow::{Outcome, State, Step, StepRefused};
pub use input::{
    AnswerInput, ChallengeInput, Contact, ContactBy, FieldProblem, MAX_ABOUT, MAX_ADDRESS,
    MAX_ANSWER, MAX_CHANGES, MAX_DETAILS, MAX_NAME, MAX_PHONE, MAX_SUPPORT_OTHER, MAX_WANTED,
    MAX_WHEN, ReadAnswer, Submission, Support, read_answer, read_input,
};

/// Which form a resident used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Challenge a decision made with a project (only where it does more than inform).
    Challenge,
    /// Report a problem with a project's entry, or ask a question about it.
    Question,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Challenge, Kind::Question];

    pub fn slug(self) -> &'static str {
        match self {
            Kind::Challenge => "challenge",
            Kind::Question => "question",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Challenge => "Challenge to a decision",
            Kind::Question => "Problem or question",
        }
    }
}

impl Kind {
    /// Whether residents can send this kind about a project whose decision role is `role`:
    /// a decision can be challenged only where the project does more than inform.
    pub fn open_for(self, role: crate::picklists::DecisionRole) -> bool {
        match self {
            Kind::Challenge => role.needs_challenge_route(),
            Kind::Question => true,
        }
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Kind, String> {
        Kind::ALL
            .into_iter()
            .find(|k| k.slug() == s)
            .ok_or_else(|| format!("“{s}” is not a kind: choose challenge or question"))
    }
}

/// The number a resident and the organisation quote: `CH-2026-000123`, the year it came in and
/// its number on the register (numbers never repeat, so neither do references).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reference {
    pub year: i32,
    pub number: i64,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CH-{}-{:06}", self.year, self.number)
    }
}

impl FromStr for Reference {
    type Err = String;
    fn from_str(s: &str) -> Result<Reference, String> {
        let refuse = || format!("“{s}” is not a reference: they look like CH-2026-000123");
        let t = s.trim().to_ascii_uppercase();
        let rest = t.strip_prefix("CH-").ok_or_else(refuse)?;
        let (year, number) = rest.split_once('-').ok_or_else(refuse)?;
        let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !digits(year) || number.len() < 6 || !digits(number) {
            return Err(refuse());
        }
        Ok(Reference {
            year: year.parse().map_err(|_| refuse())?,
            number: number.parse().map_err(|_| refuse())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_read_back_and_refuse_other_shapes() {
        let r = Reference {
            year: 2026,
            number: 123,
        };
        assert_eq!(r.to_string(), "CH-2026-000123");
        assert_eq!("ch-2026-000123".parse::<Reference>(), Ok(r));
        let big = Reference {
            year: 2027,
            number: 1_234_567,
        };
        assert_eq!(big.to_string().parse::<Reference>(), Ok(big));
        for bad in [
            "",
            "CH-26-000123",
            "CH-2026-12",
            "XX-2026-000123",
            "CH-2026-00012a",
        ] {
            assert!(bad.parse::<Reference>().is_err(), "{bad}");
        }
    }

    #[test]
    fn only_the_organisations_people_and_site_admins_handle_its_items() {
        use crate::accounts::{Action, Principal, Role, allowed};
        let mine: crate::Slug = "knowsley-council".parse().unwrap();
        let theirs: crate::Slug = "wirral-council".parse().unwrap();
        let who = |role, org: Option<&crate::Slug>| Principal {
            user_id: 1,
            role,
            organisation: org.cloned(),
        };
        for role in [Role::OrgAdmin, Role::OrgEditor] {
            assert!(allowed(
                &who(role, Some(&mine)),
                Action::HandleChallenges(&mine)
            ));
            assert!(!allowed(
                &who(role, Some(&mine)),
                Action::HandleChallenges(&theirs)
            ));
        }
        assert!(allowed(
            &who(Role::SiteAdmin, None),
            Action::HandleChallenges(&theirs)
        ));
        // The charter body sees counts and deadlines, never a resident's details.
        assert!(!allowed(
            &who(Role::Moderator, None),
            Action::HandleChallenges(&mine)
        ));
    }

    #[test]
    fn kinds_read_back_from_their_names() {
        for k in Kind::ALL {
            assert_eq!(k.slug().parse::<Kind>(), Ok(k));
        }
        assert!("complaint".parse::<Kind>().is_err());
    }
}
