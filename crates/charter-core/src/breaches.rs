//! The breach log (principle 7): what an organisation records when personal data it holds is
//! lost, seen or changed by someone who should not, and the steps UK GDPR asks of it. A breach
//! moves detected → assessing → not reportable | reported → closed; each step is [`Step`],
//! checked by [`Breach::apply`], so no path closes a breach without a risk decision. The
//! 72-hour clock (Article 33) is in [`clock`]; UK time for showing it in [`london`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Slug, Timestamp};

pub mod clock;
pub mod london;

pub use clock::{DeadlineCheck, DeadlineTally, Due, deadline};

/// Where a breach is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Logged; nobody has started to weigh the risk.
    Detected,
    /// The risk is being weighed, or was found and the ICO is still to be told.
    Assessing,
    /// No risk to people: the ICO need not be told. The reason is kept.
    NotReportable,
    /// The ICO has been told.
    Reported,
    /// Nothing more to do; a short public summary is shown.
    Closed,
}

impl State {
    pub const ALL: [State; 5] = [
        State::Detected,
        State::Assessing,
        State::NotReportable,
        State::Reported,
        State::Closed,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            State::Detected => "detected",
            State::Assessing => "assessing",
            State::NotReportable => "not-reportable",
            State::Reported => "reported",
            State::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Detected => "Found",
            State::Assessing => "Checking the risk",
            State::NotReportable => "No need to tell the ICO",
            State::Reported => "ICO told",
            State::Closed => "Closed",
        }
    }

    /// Still waiting for the risk decision or the report to the ICO: the clock runs.
    pub fn awaits_report(self) -> bool {
        matches!(self, State::Detected | State::Assessing)
    }
}

impl std::str::FromStr for State {
    type Err = String;
    fn from_str(s: &str) -> Result<State, String> {
        State::ALL
            .into_iter()
            .find(|x| x.slug() == s)
            .ok_or_else(|| format!("“{s}” is not a breach state"))
    }
}

/// Whether the breach came from a cyber incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Cyber {
    Yes,
    No,
    Unknown,
}

impl Cyber {
    pub const ALL: [Cyber; 3] = [Cyber::Yes, Cyber::No, Cyber::Unknown];
    pub fn slug(self) -> &'static str {
        match self {
            Cyber::Yes => "yes",
            Cyber::No => "no",
            Cyber::Unknown => "unknown",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Cyber::Yes => "Yes",
            Cyber::No => "No",
            Cyber::Unknown => "Not known yet",
        }
    }
}

/// The risk to people's rights and freedoms, as the organisation judged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Unlikely to be a risk: not reported, the reason kept (Article 33(5)).
    NoRisk,
    /// A risk: the ICO must be told (Article 33).
    Risk,
    /// A high risk: the people affected must be told too (Article 34), unless an exemption applies.
    HighRisk,
}

impl Risk {
    pub const ALL: [Risk; 3] = [Risk::NoRisk, Risk::Risk, Risk::HighRisk];
    pub fn slug(self) -> &'static str {
        match self {
            Risk::NoRisk => "no-risk",
            Risk::Risk => "risk",
            Risk::HighRisk => "high-risk",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Risk::NoRisk => "No risk to people",
            Risk::Risk => "A risk to people",
            Risk::HighRisk => "A high risk to people",
        }
    }
}

/// Why the people affected by a high-risk breach were not told one by one (Article 34(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Exemption {
    /// The data could not be read by whoever got it (encrypted).
    Encrypted,
    /// Steps taken since mean the high risk is no longer likely.
    Mitigated,
    /// Telling each person would take too much: a public notice was given instead.
    PublicNotice,
}

impl Exemption {
    pub const ALL: [Exemption; 3] = [
        Exemption::Encrypted,
        Exemption::Mitigated,
        Exemption::PublicNotice,
    ];
    pub fn slug(self) -> &'static str {
        match self {
            Exemption::Encrypted => "encrypted",
            Exemption::Mitigated => "mitigated",
            Exemption::PublicNotice => "public-notice",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Exemption::Encrypted => "The data was locked so nobody else could read it",
            Exemption::Mitigated => "We took steps so the high risk is no longer likely",
            Exemption::PublicNotice => "Telling each person was too much, so we told the public",
        }
    }
}

/// What happened, as first logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    /// A short name for the breach, for lists.
    pub title: String,
    pub what_happened: String,
    pub cyber: Cyber,
    /// Kinds of personal data (contact details, health records…).
    pub data_kinds: String,
    /// Kinds of people (tenants, pupils, staff…).
    pub people_kinds: String,
    /// About how many people, and how many records; None when not known yet.
    pub people_count: Option<u64>,
    pub records_count: Option<u64>,
    pub consequences: String,
    /// What was done, or will be, to deal with it.
    pub measures: String,
}

/// The risk decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub risk: Risk,
    /// Why; required for no risk (Article 33(5)).
    pub reason: String,
    pub at: Timestamp,
}

/// A report to the Information Commissioner's Office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcoReport {
    /// The first report, or one that adds to it.
    pub follow_up: bool,
    pub at: Timestamp,
    /// The ICO's case reference.
    pub reference: String,
    pub note: String,
}

/// One breach, as it stands. Kept whole in every version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breach {
    pub organisation: Slug,
    /// When the organisation became reasonably sure a breach happened: the clock starts here.
    pub aware_at: Timestamp,
    pub recorded_at: Timestamp,
    pub state: State,
    pub details: Details,
    pub decision: Option<Decision>,
    pub reports: Vec<IcoReport>,
    /// Why the first report came after the deadline (Article 33(1)).
    pub delay_reason: Option<String>,
    pub people_told_at: Option<Timestamp>,
    pub exemption: Option<Exemption>,
    /// The public summary, written when closing: no personal data.
    pub summary: Option<String>,
    pub closed_at: Option<Timestamp>,
}

/// One thing wrong with what was typed: the form field, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field,
        message: message.into(),
    }
}

/// The longest text field, in characters.
pub const MAX_TEXT: usize = 5000;
/// The longest title or reference.
pub const MAX_SHORT: usize = 200;

/// A step someone takes on a breach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Start weighing the risk.
    Assess,
    Decide {
        risk: Risk,
        reason: String,
    },
    /// Tell the ICO: the first report or a follow-up.
    Report {
        at: Timestamp,
        reference: String,
        note: String,
        delay_reason: String,
    },
    /// For a high risk: when people were told, or the exemption used instead.
    People {
        told_at: Option<Timestamp>,
        exemption: Option<Exemption>,
    },
    Close {
        summary: String,
    },
}

impl Step {
    /// The name the step has in the audit log and the breach's history.
    pub fn name(&self) -> &'static str {
        match self {
            Step::Assess => "assess",
            Step::Decide { .. } => "decide",
            Step::Report { .. } => "report",
            Step::People { .. } => "people",
            Step::Close { .. } => "close",
        }
    }
}

fn check_text(out: &mut Vec<Problem>, field: &'static str, value: &str, max: usize, empty: &str) {
    if value.trim().is_empty() {
        out.push(problem(field, empty));
    } else if value.chars().count() > max {
        out.push(problem(field, format!("Use {max} characters or fewer")));
    }
}

/// Problems with a moment someone typed: before the breach was known, or still to come.
fn check_moment(
    out: &mut Vec<Problem>,
    field: &'static str,
    at: &Timestamp,
    not_before: Option<(&Timestamp, &str)>,
    now: &Timestamp,
) {
    if at > now {
        out.push(problem(
            field,
            "This time is in the future: enter when it happened",
        ));
    } else if let Some((start, what)) = not_before
        && at < start
    {
        out.push(problem(
            field,
            format!("This time is before {what}: check the date and time"),
        ));
    }
}

/// Text that looks like it names or reaches a person: an email address or a long number.
fn looks_personal(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c == '@' {
            return true;
        }
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 6 {
            return true;
        }
    }
    false
}

impl Breach {
    /// A breach just logged at `now`, or what is wrong with the details.
    pub fn new(
        organisation: Slug,
        aware_at: Timestamp,
        details: Details,
        now: &Timestamp,
    ) -> Result<Breach, Vec<Problem>> {
        let mut out = Vec::new();
        check_text(
            &mut out,
            "title",
            &details.title,
            MAX_SHORT,
            "Give the breach a short name",
        );
        check_moment(&mut out, "aware", &aware_at, None, now);
        check_text(
            &mut out,
            "what_happened",
            &details.what_happened,
            MAX_TEXT,
            "Say what happened",
        );
        for (field, value, empty) in [
            (
                "data_kinds",
                &details.data_kinds,
                "Say what kinds of data it was, such as addresses",
            ),
            (
                "people_kinds",
                &details.people_kinds,
                "Say whose data it was, such as tenants",
            ),
            (
                "consequences",
                &details.consequences,
                "Say what could happen to the people, or write not known yet",
            ),
            (
                "measures",
                &details.measures,
                "Say what you did or will do about it",
            ),
        ] {
            check_text(&mut out, field, value, MAX_TEXT, empty);
        }
        if !out.is_empty() {
            return Err(out);
        }
        Ok(Breach {
            organisation,
            aware_at,
            recorded_at: now.clone(),
            state: State::Detected,
            details,
            decision: None,
            reports: Vec::new(),
            delay_reason: None,
            people_told_at: None,
            exemption: None,
            summary: None,
            closed_at: None,
        })
    }

    /// When the ICO must be told by: 72 hours after the organisation became aware.
    pub fn deadline(&self) -> Timestamp {
        deadline(&self.aware_at)
    }

    /// The first report to the ICO, if there is one.
    pub fn first_report(&self) -> Option<&IcoReport> {
        self.reports.iter().find(|r| !r.follow_up)
    }

    pub fn risk(&self) -> Option<Risk> {
        self.decision.as_ref().map(|d| d.risk)
    }

    /// The steps that can be taken next, in the order a page offers them.
    pub fn next_steps(&self) -> Vec<&'static str> {
        let high = self.risk() == Some(Risk::HighRisk);
        let people_open = high && self.people_told_at.is_none() && self.exemption.is_none();
        match self.state {
            State::Detected => vec!["assess"],
            State::Assessing if self.decision.is_none() => vec!["decide"],
            State::Assessing => {
                let mut s = vec!["report"];
                if people_open {
                    s.push("people");
                }
                s
            }
            State::Reported => {
                let mut s = vec!["report"];
                if people_open {
                    s.push("people");
                }
                s.push("close");
                s
            }
            State::NotReportable => vec!["close"],
            State::Closed => vec![],
        }
    }

    /// The breach after `step` taken at `now`, or why it cannot be taken.
    pub fn apply(&self, step: &Step, now: &Timestamp) -> Result<Breach, Vec<Problem>> {
        let mut next = self.clone();
        let mut out = Vec::new();
        let state = |message: &str| Err(vec![problem("", message)]);
        match step {
            Step::Assess => {
                if self.state != State::Detected {
                    return state("The risk is already being checked.");
                }
                next.state = State::Assessing;
            }
            Step::Decide { risk, reason } => {
                if self.state != State::Assessing || self.decision.is_some() {
                    return state(match self.state {
                        State::Detected => "Start checking the risk before you decide it.",
                        _ => "The risk has already been decided.",
                    });
                }
                if *risk == Risk::NoRisk {
                    check_text(
                        &mut out,
                        "reason",
                        reason,
                        MAX_TEXT,
                        "Say why there is no risk to people. The law asks you to keep this.",
                    );
                } else if reason.chars().count() > MAX_TEXT {
                    out.push(problem(
                        "reason",
                        format!("Use {MAX_TEXT} characters or fewer"),
                    ));
                }
                next.decision = Some(Decision {
                    risk: *risk,
                    reason: reason.trim().to_owned(),
                    at: now.clone(),
                });
                if *risk == Risk::NoRisk {
                    next.state = State::NotReportable;
                }
            }
            Step::Report {
                at,
                reference,
                note,
                delay_reason,
            } => {
                let follow_up = self.state == State::Reported;
                let can = follow_up
                    || (self.state == State::Assessing
                        && self.risk().is_some_and(|r| r != Risk::NoRisk));
                if !can {
                    return state(match self.state {
                        State::Detected | State::Assessing => {
                            "Decide the risk before you tell the ICO."
                        }
                        State::NotReportable => {
                            "You decided there was no risk, so there is nothing to tell the ICO."
                        }
                        _ => "This breach is closed.",
                    });
                }
                let start = match self.first_report() {
                    Some(first) if follow_up => (&first.at, "the first report"),
                    _ => (&self.aware_at, "you knew about the breach"),
                };
                check_moment(&mut out, "reported", at, Some(start), now);
                check_text(
                    &mut out,
                    "reference",
                    reference,
                    MAX_SHORT,
                    "Enter the ICO's case reference",
                );
                if follow_up {
                    check_text(
                        &mut out,
                        "note",
                        note,
                        MAX_TEXT,
                        "Say what this report adds",
                    );
                } else if note.chars().count() > MAX_TEXT {
                    out.push(problem(
                        "note",
                        format!("Use {MAX_TEXT} characters or fewer"),
                    ));
                }
                let late = !follow_up && *at > self.deadline();
                if late {
                    check_text(
                        &mut out,
                        "delay_reason",
                        delay_reason,
                        MAX_TEXT,
                        "You told the ICO after the 72 hours: say why it took longer",
                    );
                    next.delay_reason = Some(delay_reason.trim().to_owned());
                }
                next.reports.push(IcoReport {
                    follow_up,
                    at: at.clone(),
                    reference: reference.trim().to_owned(),
                    note: note.trim().to_owned(),
                });
                next.state = State::Reported;
            }
            Step::People { told_at, exemption } => {
                if self.risk() != Some(Risk::HighRisk) || self.state == State::Closed {
                    return state("Only a high risk breach that is still open needs this.");
                }
                match (told_at, exemption) {
                    (Some(at), None) => {
                        check_moment(
                            &mut out,
                            "told",
                            at,
                            Some((&self.aware_at, "you knew about the breach")),
                            now,
                        );
                    }
                    (None, Some(_)) => {}
                    _ => out.push(problem(
                        "people",
                        "Say when you told the people, or which reason meant you did not",
                    )),
                }
                next.people_told_at = told_at.clone();
                next.exemption = *exemption;
            }
            Step::Close { summary } => {
                if !matches!(self.state, State::NotReportable | State::Reported) {
                    return state(match self.state {
                        State::Closed => "This breach is already closed.",
                        _ => {
                            "Decide the risk, and tell the ICO if you need to, before you close the breach."
                        }
                    });
                }
                if self.risk() == Some(Risk::HighRisk)
                    && self.people_told_at.is_none()
                    && self.exemption.is_none()
                {
                    out.push(problem(
                        "summary",
                        "Say when you told the people affected, or why you did not, before you close it",
                    ));
                }
                check_text(
                    &mut out,
                    "summary",
                    summary,
                    1000,
                    "Write a short summary for the public",
                );
                if looks_personal(summary) {
                    out.push(problem(
                        "summary",
                        "Take out email addresses and long numbers: the summary is public",
                    ));
                }
                next.summary = Some(summary.trim().to_owned());
                next.closed_at = Some(now.clone());
                next.state = State::Closed;
            }
        }
        if out.is_empty() { Ok(next) } else { Err(out) }
    }

    /// What the public sees of a closed breach: no personal data, no exact times.
    pub fn public(&self, id: i64, now: &Timestamp) -> Option<PublicBreach> {
        let closed = self.closed_at.as_ref()?;
        let month = |t: &Timestamp| {
            let d = london::uk_time(t).date();
            format!("{} {}", d.month(), d.year())
        };
        Some(PublicBreach {
            id,
            found: month(&self.aware_at),
            closed: month(closed),
            risk: self.risk()?,
            ico_told: self.first_report().is_some(),
            on_time: match clock::due(self, now) {
                Due::Met => Some(true),
                Due::Missed | Due::Overdue { .. } => Some(false),
                Due::NotNeeded | Due::Open { .. } => None,
            },
            people_told: self.people_told_at.is_some(),
            exemption: self.exemption,
            summary: self.summary.clone().unwrap_or_default(),
        })
    }
}

/// A closed breach as the public sees it, on the organisation's page and in the open data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PublicBreach {
    pub id: i64,
    /// The month the organisation found out, in UK time ("March 2026").
    pub found: String,
    /// The month it was closed.
    pub closed: String,
    pub risk: Risk,
    /// Whether the Information Commissioner's Office was told.
    pub ico_told: bool,
    /// Whether the ICO was told within 72 hours; null when it did not need to be told.
    pub on_time: Option<bool>,
    /// Whether the people affected were told.
    pub people_told: bool,
    /// For a high risk, why people were not told one by one, if they were not.
    pub exemption: Option<Exemption>,
    /// What happened and what was done, in the organisation's words.
    pub summary: String,
}

#[cfg(test)]
mod tests;
