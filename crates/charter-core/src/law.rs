//! Changes in the law or policy that the charter body records (principle 7: "keep up to date on
//! legislation and policy changes"). A change touches entries, chosen by what they are about or by
//! hand; each entry it touches must be reviewed against it by a due date. The review is a field of
//! the entry ([`LawReview`]), so it goes through the same drafts and review as any other edit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::editor::{FieldError, LONG_LIMIT, parse_date};
use crate::picklists::{AiKind, LawfulBasis, Status, Topic};
use crate::{Date, LawChangeId, Project, ProjectId, WebUrl};

/// The longest title of a change, in characters.
pub const TITLE_LIMIT: usize = 200;

/// Which entries a change touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touches {
    /// Entries about a topic.
    Topic(Topic),
    /// Entries that use personal data (special category data counts too).
    PersonalData,
    /// Entries that use special category data.
    SpecialCategoryData,
    /// Entries with this lawful basis.
    LawfulBasis(LawfulBasis),
    /// Entries that use AI of any kind (`None`) or of one kind.
    Ai(Option<AiKind>),
    /// Entries chosen by hand.
    Entries(Vec<ProjectId>),
}

/// The ways of choosing entries, as (form value, label).
pub const WAYS: &[(&str, &str)] = &[
    ("topic", "By topic"),
    ("data", "By the data they use"),
    ("lawful-basis", "By lawful basis"),
    ("ai", "By their use of AI"),
    ("entries", "Chosen by hand"),
];

/// The choices for "the data they use", as (form value, label).
pub const DATA_CHOICES: &[(&str, &str)] = &[
    ("personal", "Personal data"),
    ("special-category", "Special category data, such as health"),
];

impl Touches {
    /// Whether the rule picks this entry (before the date it was recorded is taken into account).
    fn picks(&self, p: &Project) -> bool {
        match self {
            Touches::Topic(t) => p.topics.contains(t),
            Touches::PersonalData => p.uses_personal_data(),
            Touches::SpecialCategoryData => p.uses_special_category_data(),
            Touches::LawfulBasis(b) => p.lawful_basis == Some(*b),
            Touches::Ai(None) => p.uses_ai,
            Touches::Ai(Some(kind)) => p.uses_ai && p.ai_kind == Some(*kind),
            Touches::Entries(ids) => ids.contains(&p.id),
        }
    }

    /// Whether a change recorded on `recorded_on` touches the entry. A rule picks only entries
    /// that were on the register by then and are not retired: an entry written later was written
    /// under the new law. Entries chosen by hand are always touched.
    pub fn touches(&self, p: &Project, recorded_on: Date) -> bool {
        match self {
            Touches::Entries(_) => self.picks(p),
            rule => {
                rule.picks(p) && p.first_published <= recorded_on && p.status != Status::Retired
            }
        }
    }

    /// In words, for pages: "entries about health".
    pub fn describe(&self) -> String {
        match self {
            Touches::Topic(t) => format!("Entries about {}", t.label().to_lowercase()),
            Touches::PersonalData => "Entries that use personal data".into(),
            Touches::SpecialCategoryData => "Entries that use special category data".into(),
            Touches::LawfulBasis(b) => {
                format!("Entries with the lawful basis {}", b.label().to_lowercase())
            }
            Touches::Ai(None) => "Entries that use AI".into(),
            Touches::Ai(Some(k)) => format!("Entries that use {}", k.label().to_lowercase()),
            Touches::Entries(ids) => format!(
                "Entries chosen by hand: {}",
                ids.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// As stored and in the API: `topic:health`, `data:personal`, `data:special-category`,
/// `lawful-basis:public-task`, `ai:any`, `ai:machine-learning`, `entries:LCR-0001 LCR-0002`.
impl fmt::Display for Touches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Touches::Topic(t) => write!(f, "topic:{}", t.slug()),
            Touches::PersonalData => f.write_str("data:personal"),
            Touches::SpecialCategoryData => f.write_str("data:special-category"),
            Touches::LawfulBasis(b) => write!(f, "lawful-basis:{}", b.slug()),
            Touches::Ai(None) => f.write_str("ai:any"),
            Touches::Ai(Some(k)) => write!(f, "ai:{}", k.slug()),
            Touches::Entries(ids) => write!(
                f,
                "entries:{}",
                ids.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        }
    }
}

impl FromStr for Touches {
    type Err = String;
    fn from_str(s: &str) -> Result<Touches, String> {
        let bad = || format!("“{s}” does not say which entries a change touches");
        let (way, what) = s.split_once(':').ok_or_else(bad)?;
        Ok(match (way, what) {
            ("topic", t) => Touches::Topic(t.parse().map_err(|_| bad())?),
            ("data", "personal") => Touches::PersonalData,
            ("data", "special-category") => Touches::SpecialCategoryData,
            ("lawful-basis", b) => Touches::LawfulBasis(b.parse().map_err(|_| bad())?),
            ("ai", "any") => Touches::Ai(None),
            ("ai", k) => Touches::Ai(Some(k.parse().map_err(|_| bad())?)),
            ("entries", ids) => Touches::Entries(
                ids.split_whitespace()
                    .map(|id| id.parse().map_err(|_| bad()))
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err(bad()),
        })
    }
}

/// A change in the law or policy, as the register lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawChange {
    pub id: LawChangeId,
    pub title: String,
    /// What changed, in plain words.
    pub what_changed: String,
    /// When it starts to apply.
    pub in_force: Date,
    pub url: WebUrl,
    pub touches: Touches,
    /// When the entries it touches must be reviewed against it.
    pub due_on: Date,
    /// When the charter body put it on the list.
    pub recorded_on: Date,
}

impl LawChange {
    /// Whether this change touches the entry (see [`Touches::touches`]).
    pub fn touches(&self, p: &Project) -> bool {
        self.touches.touches(p, self.recorded_on)
    }

    /// Where the entry stands with this change, on `today`.
    pub fn state<'p>(&self, p: &'p Project, today: Date) -> ReviewState<'p> {
        match p.law_reviews.iter().find(|r| r.change == self.id) {
            Some(r) => ReviewState::Reviewed(r),
            None if self.due_on < today => ReviewState::Overdue,
            None => ReviewState::Open,
        }
    }
}

/// Where an entry stands with a change that touches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewState<'p> {
    /// Reviewed against it, as the published entry says.
    Reviewed(&'p LawReview),
    /// Not yet reviewed; not yet due.
    Open,
    /// Not reviewed, and the due date has passed.
    Overdue,
}

/// One line of an entry's page about the law: a change it was reviewed against, or one that
/// touches it and is still to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub change: LawChangeId,
    /// The change's title, when it is on the list (a review may name a number that is not).
    pub title: Option<String>,
    pub url: Option<WebUrl>,
    pub state: RowState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    Reviewed { on: Date, note: String },
    Open { due: Date },
    Overdue { due: Date },
}

/// What the entry's page shows about the law on `today`: every review the entry records, then
/// every change recorded by `today` that touches it and is still to review (the most pressing
/// first).
pub fn entry_rows(p: &Project, changes: &[LawChange], today: Date) -> Vec<EntryRow> {
    let known = |id: LawChangeId| changes.iter().find(|c| c.id == id);
    let mut rows: Vec<EntryRow> = p
        .law_reviews
        .iter()
        .map(|r| EntryRow {
            change: r.change,
            title: known(r.change).map(|c| c.title.clone()),
            url: known(r.change).map(|c| c.url.clone()),
            state: RowState::Reviewed {
                on: r.reviewed_on,
                note: r.note.clone(),
            },
        })
        .collect();
    let mut open: Vec<EntryRow> = changes
        .iter()
        .filter(|c| c.recorded_on <= today && c.touches(p))
        .filter_map(|c| {
            let state = match c.state(p, today) {
                ReviewState::Reviewed(_) => return None,
                ReviewState::Open => RowState::Open { due: c.due_on },
                ReviewState::Overdue => RowState::Overdue { due: c.due_on },
            };
            Some(EntryRow {
                change: c.id,
                title: Some(c.title.clone()),
                url: Some(c.url.clone()),
                state,
            })
        })
        .collect();
    open.sort_by_key(|r| match r.state {
        RowState::Overdue { due } | RowState::Open { due } => due,
        RowState::Reviewed { on, .. } => on,
    });
    rows.extend(open);
    rows
}

/// An entry's record that it was reviewed against a change in the law (part of the entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LawReview {
    /// The change, by its number on the register's list.
    pub change: LawChangeId,
    pub reviewed_on: Date,
    /// What the review found and what, if anything, changed.
    pub note: String,
}

/// A change as the charter body types it, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LawChangeInput {
    pub title: String,
    pub what_changed: String,
    pub in_force: String,
    pub url: String,
    pub due_on: String,
    /// One of [`WAYS`].
    pub way: String,
    pub topic: String,
    pub data: String,
    pub lawful_basis: String,
    /// `any` or an AI kind's slug.
    pub ai: String,
    /// Entry numbers, separated by spaces, commas or new lines.
    pub entries: String,
}

/// A checked change, not yet numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLawChange {
    pub title: String,
    pub what_changed: String,
    pub in_force: Date,
    pub url: WebUrl,
    pub touches: Touches,
    pub due_on: Date,
}

impl NewLawChange {
    /// The change as it will be listed once recorded on `today` under `id`.
    pub fn numbered(self, id: LawChangeId, today: Date) -> LawChange {
        LawChange {
            id,
            title: self.title,
            what_changed: self.what_changed,
            in_force: self.in_force,
            url: self.url,
            touches: self.touches,
            due_on: self.due_on,
            recorded_on: today,
        }
    }
}

/// Reads what was typed: every problem, each named by its form field. `today` is the day it is
/// recorded; the due date may not be before it.
pub fn read(input: &LawChangeInput, today: Date) -> Result<NewLawChange, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            message,
        })
    };
    let title = input.title.trim();
    let n = title.chars().count();
    if title.is_empty() {
        fail("title", "Enter a title for the change".into());
    } else if n > TITLE_LIMIT {
        fail(
            "title",
            format!("The title must be {TITLE_LIMIT} characters or fewer (it has {n})"),
        );
    }
    let what = input.what_changed.trim().replace("\r\n", "\n");
    let n = what.chars().count();
    if what.is_empty() {
        fail("what_changed", "Say what changed, in plain words".into());
    } else if n > LONG_LIMIT {
        fail(
            "what_changed",
            format!("What changed must be {LONG_LIMIT} characters or fewer (it has {n})"),
        );
    }
    let mut date = |field: &str, value: &str, what: &str| match parse_date(value) {
        Some(d) => Some(d),
        None if value.trim().is_empty() => {
            fail(field, format!("Enter {what}, such as 2026-03-31"));
            None
        }
        None => {
            fail(
                field,
                format!(
                    "{} must be a real date, such as 2026-03-31",
                    crate::capitalise(what)
                ),
            );
            None
        }
    };
    let in_force = date("in_force", &input.in_force, "the date it starts to apply");
    let due_on = date("due_on", &input.due_on, "the date reviews are due");
    let url = match input.url.trim() {
        "" => {
            fail(
                "url",
                "Enter a link to the law or policy, starting with https://".into(),
            );
            None
        }
        u => match u.parse::<WebUrl>() {
            Ok(u) => Some(u),
            Err(_) => {
                fail(
                    "url",
                    "Enter a web address starting with https:// or http://".into(),
                );
                None
            }
        },
    };
    if let Some(due) = due_on
        && due < today
    {
        fail(
            "due_on",
            format!(
                "The date reviews are due must be today or later ({} or later)",
                today
            ),
        );
    }
    let touches = read_touches(input, &mut fail);
    match (in_force, due_on, url, touches) {
        (Some(in_force), Some(due_on), Some(url), Some(touches)) if errors.is_empty() => {
            Ok(NewLawChange {
                title: title.to_owned(),
                what_changed: what,
                in_force,
                url,
                touches,
                due_on,
            })
        }
        _ => Err(errors),
    }
}

fn read_touches(input: &LawChangeInput, fail: &mut impl FnMut(&str, String)) -> Option<Touches> {
    let pick = |field: &str, value: &str, what: &str, fail: &mut dyn FnMut(&str, String)| {
        if value.trim().is_empty() {
            fail(field, format!("Choose {what}"));
        }
        value.trim().to_owned()
    };
    match input.way.trim() {
        "" => {
            fail(
                "way",
                "Choose how to pick the entries this change touches".into(),
            );
            None
        }
        "topic" => {
            let v = pick("topic", &input.topic, "a topic", fail);
            match v.parse() {
                Ok(t) => Some(Touches::Topic(t)),
                Err(_) if v.is_empty() => None,
                Err(_) => {
                    fail("topic", format!("“{v}” is not one of the topics"));
                    None
                }
            }
        }
        "data" => match pick("data", &input.data, "which data", fail).as_str() {
            "personal" => Some(Touches::PersonalData),
            "special-category" => Some(Touches::SpecialCategoryData),
            "" => None,
            other => {
                fail(
                    "data",
                    format!("“{other}” is not one of the choices for data"),
                );
                None
            }
        },
        "lawful-basis" => {
            let v = pick("lawful_basis", &input.lawful_basis, "a lawful basis", fail);
            match v.parse() {
                Ok(b) => Some(Touches::LawfulBasis(b)),
                Err(_) if v.is_empty() => None,
                Err(_) => {
                    fail(
                        "lawful_basis",
                        format!("“{v}” is not one of the lawful bases"),
                    );
                    None
                }
            }
        }
        "ai" => match input.ai.trim() {
            "" | "any" => Some(Touches::Ai(None)),
            k => match k.parse() {
                Ok(kind) => Some(Touches::Ai(Some(kind))),
                Err(_) => {
                    fail("ai", format!("“{k}” is not one of the kinds of AI"));
                    None
                }
            },
        },
        "entries" => {
            let words: Vec<&str> = input
                .entries
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter(|w| !w.is_empty())
                .collect();
            if words.is_empty() {
                fail(
                    "entries",
                    "Enter the numbers of the entries this change touches, such as LCR-0042".into(),
                );
                return None;
            }
            let mut ids = Vec::new();
            let mut bad = Vec::new();
            for w in words {
                match w.to_uppercase().parse::<ProjectId>() {
                    Ok(id) if !ids.contains(&id) => ids.push(id),
                    Ok(_) => {}
                    Err(_) => bad.push(w),
                }
            }
            if !bad.is_empty() {
                fail(
                    "entries",
                    format!(
                        "{} {} not an entry number: entry numbers look like LCR-0042",
                        bad.join(", "),
                        if bad.len() == 1 { "is" } else { "are" }
                    ),
                );
                return None;
            }
            Some(Touches::Entries(ids))
        }
        other => {
            fail("way", format!("“{other}” is not a way to pick entries"));
            None
        }
    }
}

/// The message when a change would touch no entries: a change must touch at least one.
pub const NOTHING_TOUCHED: &str =
    "This choice touches no entries on the register: choose a wider one, or pick entries by hand";

/// Entry numbers chosen by hand that are not on the register, as a form error.
pub fn unknown_entries(missing: &[ProjectId]) -> Option<FieldError> {
    if missing.is_empty() {
        return None;
    }
    let list = missing
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Some(FieldError {
        field: "entries".into(),
        message: format!(
            "{list}: no entry on the register has this number. Check it and try again"
        ),
    })
}

#[cfg(test)]
mod tests;
