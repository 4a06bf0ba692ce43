//! What a resident types, read into what is kept, with a problem per field; and the
//! organisation's answer. Every field is text as typed so a form can show it again beside
//! what is wrong with it.

use serde::{Deserialize, Serialize};

use super::Kind;
use super::flow::Outcome;
use crate::Email;

/// The longest text each field takes, in characters.
pub const MAX_ABOUT: usize = 200;
pub const MAX_WHEN: usize = 100;
pub const MAX_DETAILS: usize = 5000;
pub const MAX_WANTED: usize = 2000;
pub const MAX_NAME: usize = 200;
pub const MAX_PHONE: usize = 30;
pub const MAX_ADDRESS: usize = 500;
pub const MAX_SUPPORT_OTHER: usize = 500;
pub const MAX_ANSWER: usize = 5000;
pub const MAX_CHANGES: usize = 2000;

/// How the resident wants to hear back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContactBy {
    Email,
    Phone,
    Post,
}

impl ContactBy {
    pub const ALL: [ContactBy; 3] = [ContactBy::Email, ContactBy::Phone, ContactBy::Post];

    pub fn slug(self) -> &'static str {
        match self {
            ContactBy::Email => "email",
            ContactBy::Phone => "phone",
            ContactBy::Post => "post",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ContactBy::Email => "Email",
            ContactBy::Phone => "Phone",
            ContactBy::Post => "Post",
        }
    }
}

/// Help a resident asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Support {
    Interpreter,
    LargePrint,
    CallBack,
}

impl Support {
    pub const ALL: [Support; 3] = [Support::Interpreter, Support::LargePrint, Support::CallBack];

    pub fn slug(self) -> &'static str {
        match self {
            Support::Interpreter => "interpreter",
            Support::LargePrint => "large-print",
            Support::CallBack => "call-back",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Support::Interpreter => "An interpreter",
            Support::LargePrint => "Large print",
            Support::CallBack => "A call back",
        }
    }
}

/// A challenge or question as typed on the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ChallengeInput {
    /// Which decision (a challenge), or what it is about (a question).
    pub about: String,
    /// Roughly when the decision was made (challenges only; may be blank).
    pub when: String,
    /// What is wrong, or the question.
    pub details: String,
    /// What they would like to happen (challenges only).
    pub wanted: String,
    pub name: String,
    /// `email`, `phone` or `post`.
    pub contact_by: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    /// Slugs of [`Support`].
    pub support: Vec<String>,
    pub support_other: String,
    /// Questions only: the resident would like the answer shown on the project's page.
    pub public: bool,
}

impl ChallengeInput {
    /// Whether a kind of support was ticked, for the form's checkboxes.
    pub fn wants(&self, support: &str) -> bool {
        self.support.iter().any(|s| s == support)
    }
}

/// The resident's own words about the project: kept until personal details are erased (and,
/// for a question answered in public, after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub about: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    pub details: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wanted: Option<String>,
}

/// How to reach the resident and the help they need: personal details, seen only by the
/// organisation, erased after closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub by: ContactBy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default)]
    pub support: Vec<Support>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_other: Option<String>,
}

/// What is wrong with one field: its form name and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field,
        message: message.into(),
    }
}

/// Text without control characters other than line breaks and tabs, trimmed. Markup is kept
/// as typed: pages show it as text.
fn clean(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Reads a field: `None` when blank; a problem when longer than `max` (or blank and required).
fn field(
    problems: &mut Vec<FieldProblem>,
    name: &'static str,
    value: &str,
    max: usize,
    required: Option<&str>,
) -> Option<String> {
    let text = clean(value);
    if text.is_empty() {
        if let Some(ask) = required {
            problems.push(problem(name, ask));
        }
        return None;
    }
    let n = text.chars().count();
    if n > max {
        problems.push(problem(
            name,
            format!("Use {max} characters or fewer. You used {n}."),
        ));
        return None;
    }
    Some(text)
}

/// Reads what a resident sent with the form for `kind`, checking every field at once.
pub fn read_input(
    kind: Kind,
    input: &ChallengeInput,
) -> Result<(Submission, Contact, bool), Vec<FieldProblem>> {
    let mut p = Vec::new();
    let challenge = kind == Kind::Challenge;
    let about = field(
        &mut p,
        "about",
        &input.about,
        MAX_ABOUT,
        Some(if challenge {
            "Say which decision you want to challenge"
        } else {
            "Say what your question or problem is about"
        }),
    );
    let when = if challenge {
        field(&mut p, "when", &input.when, MAX_WHEN, None)
    } else {
        None
    };
    let details = field(
        &mut p,
        "details",
        &input.details,
        MAX_DETAILS,
        Some(if challenge {
            "Say what you think is wrong"
        } else {
            "Write your question or the problem"
        }),
    );
    let wanted = if challenge {
        field(
            &mut p,
            "wanted",
            &input.wanted,
            MAX_WANTED,
            Some("Say what you would like to happen"),
        )
    } else {
        None
    };
    let name = field(&mut p, "name", &input.name, MAX_NAME, None);
    let by = match input.contact_by.trim() {
        "" => {
            p.push(problem("contact_by", "Choose how we should reach you"));
            None
        }
        s => {
            let found = ContactBy::ALL.into_iter().find(|c| c.slug() == s);
            if found.is_none() {
                p.push(problem(
                    "contact_by",
                    "Choose email, phone or post for how we should reach you",
                ));
            }
            found
        }
    };
    let email = match field(&mut p, "email", &input.email, 254, None) {
        Some(text) => match text.parse::<Email>() {
            Ok(e) => Some(e),
            Err(_) => {
                p.push(problem(
                    "email",
                    "Enter an email address like name@example.com",
                ));
                None
            }
        },
        None if by == Some(ContactBy::Email) && clean(&input.email).is_empty() => {
            p.push(problem("email", "Enter your email address"));
            None
        }
        None => None,
    };
    let phone = match field(&mut p, "phone", &input.phone, MAX_PHONE, None) {
        Some(text) => {
            let digits = text.chars().filter(char::is_ascii_digit).count();
            let shape = text
                .chars()
                .all(|c| c.is_ascii_digit() || " +()-".contains(c));
            if shape && digits >= 7 {
                Some(text)
            } else {
                p.push(problem(
                    "phone",
                    "Enter a phone number using numbers, like 0151 123 4567",
                ));
                None
            }
        }
        None if by == Some(ContactBy::Phone) && clean(&input.phone).is_empty() => {
            p.push(problem("phone", "Enter your phone number"));
            None
        }
        None => None,
    };
    let address = field(
        &mut p,
        "address",
        &input.address,
        MAX_ADDRESS,
        (by == Some(ContactBy::Post)).then_some("Enter your postal address"),
    );
    if by == Some(ContactBy::Post) && name.is_none() && clean(&input.name).is_empty() {
        p.push(problem("name", "Enter your name so a letter can reach you"));
    }
    let mut support = Vec::new();
    for s in &input.support {
        match Support::ALL.into_iter().find(|v| v.slug() == s.trim()) {
            Some(v) if !support.contains(&v) => support.push(v),
            Some(_) => {}
            None => p.push(problem(
                "support",
                "Choose an interpreter, large print or a call back, or write what you need",
            )),
        }
    }
    let support_other = field(
        &mut p,
        "support_other",
        &input.support_other,
        MAX_SUPPORT_OTHER,
        None,
    );
    match (about, details, by) {
        (Some(about), Some(details), Some(by)) if p.is_empty() => Ok((
            Submission {
                about,
                when,
                details,
                wanted,
            },
            Contact {
                name,
                by,
                email,
                phone,
                address,
                support,
                support_other,
            },
            !challenge && input.public,
        )),
        _ => Err(p),
    }
}

/// The organisation's answer as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct AnswerInput {
    /// An [`Outcome`] slug; challenges only.
    pub outcome: String,
    pub answer: String,
    /// What changes as a result.
    pub changes: String,
    /// Show the question and answer on the project's page (only if the resident asked).
    pub public: bool,
}

/// An answer read from [`AnswerInput`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadAnswer {
    pub outcome: Option<Outcome>,
    pub answer: String,
    pub changes: Option<String>,
    pub public: bool,
}

/// Reads an answer to an item of `kind`; `public_requested` is whether the resident asked for
/// a public answer (nothing is shown in public otherwise).
pub fn read_answer(
    kind: Kind,
    public_requested: bool,
    input: &AnswerInput,
) -> Result<ReadAnswer, Vec<FieldProblem>> {
    let mut p = Vec::new();
    let outcome = if kind == Kind::Challenge {
        match input.outcome.trim() {
            "" => {
                p.push(problem("outcome", "Choose the outcome"));
                None
            }
            s => match s.parse::<Outcome>() {
                Ok(o) => Some(o),
                Err(e) => {
                    p.push(problem("outcome", e));
                    None
                }
            },
        }
    } else {
        None
    };
    let answer = field(
        &mut p,
        "answer",
        &input.answer,
        MAX_ANSWER,
        Some("Write your answer"),
    );
    let changes = field(
        &mut p,
        "changes",
        &input.changes,
        MAX_CHANGES,
        outcome
            .filter(|o| o.needs_changes())
            .map(|_| "Say what will change as a result"),
    );
    match answer {
        Some(answer) if p.is_empty() => Ok(ReadAnswer {
            outcome,
            answer,
            changes,
            public: public_requested && input.public,
        }),
        _ => Err(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ChallengeInput {
        ChallengeInput {
            about: "My parking permit was refused".into(),
            when: "March".into(),
            details: "The system says I do not live here.".into(),
            wanted: "Look again".into(),
            contact_by: "email".into(),
            email: "sam@example.com".into(),
            support: vec!["large-print".into()],
            ..Default::default()
        }
    }

    fn fields(r: Result<(Submission, Contact, bool), Vec<FieldProblem>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.field)
            .collect()
    }

    #[test]
    fn a_good_challenge_reads() {
        let (s, c, public) = read_input(Kind::Challenge, &good()).unwrap();
        assert_eq!(s.about, "My parking permit was refused");
        assert_eq!(s.wanted.as_deref(), Some("Look again"));
        assert_eq!(c.by, ContactBy::Email);
        assert_eq!(c.support, [Support::LargePrint]);
        assert!(!public, "only questions can be public");
    }

    #[test]
    fn every_missing_field_is_named_at_once() {
        let r = read_input(Kind::Challenge, &ChallengeInput::default());
        assert_eq!(fields(r), ["about", "details", "wanted", "contact_by"]);
        let r = read_input(
            Kind::Question,
            &ChallengeInput {
                contact_by: "post".into(),
                ..Default::default()
            },
        );
        assert_eq!(fields(r), ["about", "details", "address", "name"]);
    }

    #[test]
    fn the_chosen_way_to_reach_them_must_be_given_and_valid() {
        let mut i = good();
        i.email = " ".into();
        assert_eq!(fields(read_input(Kind::Challenge, &i)), ["email"]);
        i.email = "not an address".into();
        assert_eq!(fields(read_input(Kind::Challenge, &i)), ["email"]);
        i.contact_by = "phone".into();
        i.email.clear();
        assert_eq!(fields(read_input(Kind::Challenge, &i)), ["phone"]);
        i.phone = "call me".into();
        assert_eq!(fields(read_input(Kind::Challenge, &i)), ["phone"]);
        i.phone = "0151 123 4567".into();
        assert!(read_input(Kind::Challenge, &i).is_ok());
        i.contact_by = "pigeon".into();
        assert_eq!(fields(read_input(Kind::Challenge, &i)), ["contact_by"]);
    }

    #[test]
    fn too_long_says_by_how_much_and_markup_is_kept_as_text() {
        let mut i = good();
        i.about = "x".repeat(MAX_ABOUT + 1);
        let r = read_input(Kind::Challenge, &i).unwrap_err();
        assert_eq!(r[0].message, "Use 200 characters or fewer. You used 201.");
        let mut i = good();
        i.details = "<script>alert(1)</script>\u{0}".into();
        let (s, _, _) = read_input(Kind::Challenge, &i).unwrap();
        assert_eq!(s.details, "<script>alert(1)</script>");
    }

    #[test]
    fn a_question_may_ask_for_a_public_answer() {
        let i = ChallengeInput {
            about: "Data".into(),
            details: "What data do you use?".into(),
            contact_by: "email".into(),
            email: "a@b.example".into(),
            public: true,
            ..Default::default()
        };
        let (s, _, public) = read_input(Kind::Question, &i).unwrap();
        assert!(public);
        assert_eq!(s.wanted, None);
    }

    #[test]
    fn answers_need_an_outcome_for_challenges_and_changes_when_upheld() {
        let a = AnswerInput {
            outcome: "upheld".into(),
            answer: "You are right.".into(),
            ..Default::default()
        };
        let e = read_answer(Kind::Challenge, false, &a).unwrap_err();
        assert_eq!(e[0].field, "changes");
        let a = AnswerInput {
            outcome: "not-upheld".into(),
            answer: "The decision stands.".into(),
            public: true,
            ..Default::default()
        };
        let r = read_answer(Kind::Challenge, false, &a).unwrap();
        assert_eq!(r.outcome, Some(Outcome::NotUpheld));
        assert!(!r.public, "public only when the resident asked");
        let e = read_answer(Kind::Challenge, false, &AnswerInput::default()).unwrap_err();
        assert_eq!(
            e.iter().map(|p| p.field).collect::<Vec<_>>(),
            ["outcome", "answer"]
        );
        let q = AnswerInput {
            answer: "We use council tax data.".into(),
            public: true,
            ..Default::default()
        };
        let r = read_answer(Kind::Question, true, &q).unwrap();
        assert_eq!((r.outcome, r.public), (None, true));
    }
}
