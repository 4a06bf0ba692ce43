//! Reminders: what an organisation must do by a date, when the people responsible are told
//! (once before, once when it falls due), and the words of each email. Each reminder has a key
//! naming the duty, the thing, the due time and the stage, so the store can send it once however
//! many instances look.

use std::fmt::Write as _;

use crate::check::{CheckConfig, declaration_due, outcome_report_due, reports_outcomes};
use crate::notices::Notice;
use crate::picklists::Status;
use crate::{Date, Project, Slug, Timestamp};

/// Something an organisation must do by a date or a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duty {
    OutcomeReport,
    Review,
    Declaration,
    LawChange,
    ChallengeAcknowledge,
    ChallengeAnswer,
    Breach,
}

/// How long before the due time the first reminder goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lead {
    Days(i64),
    Hours(i64),
}

impl Duty {
    /// The stable name used in reminder keys.
    pub fn slug(self) -> &'static str {
        match self {
            Duty::OutcomeReport => "outcome-report",
            Duty::Review => "review",
            Duty::Declaration => "declaration",
            Duty::LawChange => "law-change",
            Duty::ChallengeAcknowledge => "challenge-acknowledge",
            Duty::ChallengeAnswer => "challenge-answer",
            Duty::Breach => "breach",
        }
    }

    /// The kind of email, which people may choose to get.
    pub fn notice(self) -> Notice {
        match self {
            Duty::OutcomeReport => Notice::OutcomeReportDue,
            Duty::Review => Notice::ReviewDue,
            Duty::Declaration => Notice::DeclarationDue,
            Duty::LawChange => Notice::LawChangeDue,
            Duty::ChallengeAcknowledge | Duty::ChallengeAnswer => Notice::ChallengeOverdue,
            Duty::Breach => Notice::BreachDue,
        }
    }

    /// What is due, as it reads in a sentence ("the outcome report for …").
    pub fn name(self) -> &'static str {
        match self {
            Duty::OutcomeReport => "An outcome report",
            Duty::Review => "A review",
            Duty::Declaration => "A new declaration of responsibility",
            Duty::LawChange => "A check against a change in the law",
            Duty::ChallengeAcknowledge => "A reply to say you got this",
            Duty::ChallengeAnswer => "An answer",
            Duty::Breach => "A decision on reporting this breach to the ICO",
        }
    }

    /// What is due in a subject line: "review", "outcome report".
    pub fn short(self) -> &'static str {
        match self {
            Duty::OutcomeReport => "outcome report",
            Duty::Review => "review",
            Duty::Declaration => "declaration",
            Duty::LawChange => "check against a change in the law",
            Duty::ChallengeAcknowledge => "reply to a resident",
            Duty::ChallengeAnswer => "answer to a resident",
            Duty::Breach => "breach decision",
        }
    }

    /// What to do, in one or two short sentences.
    pub fn what_to_do(self) -> &'static str {
        match self {
            Duty::OutcomeReport => {
                "Edit the entry and add an outcome report: say what the project has achieved. Then send it for review."
            }
            Duty::Review => {
                "Review the project. Then edit the entry, say what the review found and set the next review date."
            }
            Duty::Declaration => {
                "Ask a senior person to sign the declaration again. Then edit the entry and add the new date."
            }
            Duty::LawChange => {
                "Check the entry against the change. Then say what you found in the entry and send it for review."
            }
            Duty::ChallengeAcknowledge => {
                "Tell the resident you have it and when they will hear from you."
            }
            Duty::ChallengeAnswer => "Answer the resident and say what happens next.",
            Duty::Breach => {
                "Decide if the breach must be reported to the ICO, and report it if so. If you are late, record why."
            }
        }
    }

    /// How long before the due time people are first told.
    pub fn lead(self) -> Lead {
        match self {
            Duty::OutcomeReport | Duty::Review | Duty::Declaration => Lead::Days(30),
            Duty::LawChange => Lead::Days(14),
            Duty::ChallengeAcknowledge => Lead::Days(2),
            Duty::ChallengeAnswer => Lead::Days(7),
            Duty::Breach => Lead::Hours(24),
        }
    }
}

/// When a duty falls due: a day for most, a moment for the 72-hour breach clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    Day(Date),
    Moment(Timestamp),
}

impl When {
    /// The stable form used in keys.
    fn key(&self) -> String {
        match self {
            When::Day(d) => d.to_string(),
            When::Moment(t) => t.as_str().to_owned(),
        }
    }

    /// The day it falls on (UTC), for sorting and for summaries.
    pub fn day(&self) -> Date {
        match self {
            When::Day(d) => *d,
            When::Moment(t) => t.date(),
        }
    }

    fn words(&self) -> String {
        match self {
            When::Day(d) => d.long(),
            When::Moment(t) => {
                format!("{} (UTC)", t.as_str().replace('T', " at ").replace('Z', ""))
            }
        }
    }
}

/// One thing an organisation must do, with where to do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub duty: Duty,
    pub organisation: Slug,
    /// What it is about, as the register names it: "LCR-0042", "CH-2026-000123", "breach 7".
    pub subject: String,
    /// The entry's or item's title, for the email.
    pub title: String,
    pub when: When,
    /// The page to act on, such as `/projects/LCR-0042`.
    pub path: String,
}

/// Which of the two reminders is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The first, before the due time.
    Soon,
    /// The second, once it is due (or late).
    Now,
}

impl Stage {
    fn slug(self) -> &'static str {
        match self {
            Stage::Soon => "soon",
            Stage::Now => "now",
        }
    }
}

impl Due {
    /// Which reminder should have gone by `now`: none before the lead time, `Soon` within it,
    /// `Now` from the due time on. Once it is due, only `Now` is sent: a reminder that it will
    /// be due would arrive late.
    pub fn stage(&self, now: &Timestamp) -> Option<Stage> {
        let (due, soon) = match (&self.when, self.duty.lead()) {
            (When::Day(d), Lead::Days(n)) => {
                let today = now.date();
                (today >= *d, today >= d.add_days(-n))
            }
            (When::Day(d), Lead::Hours(h)) => {
                let today = now.date();
                (today >= *d, today >= d.add_days(-(h / 24).max(1)))
            }
            (When::Moment(t), lead) => {
                let secs = match lead {
                    Lead::Days(n) => n * 86_400,
                    Lead::Hours(h) => h * 3_600,
                };
                (now >= t, *now >= t.plus_seconds(-secs))
            }
        };
        if due {
            Some(Stage::Now)
        } else if soon {
            Some(Stage::Soon)
        } else {
            None
        }
    }

    /// The name of one reminder, the same on every instance: the store sends each key once.
    /// A new due date (a report published, a review moved) makes new keys.
    pub fn key(&self, stage: Stage) -> String {
        format!(
            "{}:{}:{}:{}",
            self.duty.slug(),
            self.subject,
            self.when.key(),
            stage.slug()
        )
    }

    /// Whether it is late on `now`.
    pub fn late(&self, now: &Timestamp) -> bool {
        match &self.when {
            When::Day(d) => now.date() > *d,
            When::Moment(t) => now > t,
        }
    }

    /// The email's subject line.
    pub fn mail_subject(&self, stage: Stage) -> String {
        let lead = match stage {
            Stage::Soon => "Due soon",
            Stage::Now => "Due now",
        };
        format!(
            "{lead}: {} for {} ({})",
            self.duty.short(),
            self.title,
            self.subject
        )
    }

    /// The email's words (the link is added when it is sent).
    pub fn mail_body(&self, stage: Stage) -> String {
        let when = self.when.words();
        let first = match stage {
            Stage::Soon => format!(
                "{} is due on {when} for “{}” ({}).",
                self.duty.name(),
                self.title,
                self.subject
            ),
            Stage::Now => format!(
                "{} was due on {when} for “{}” ({}). It is now due.",
                self.duty.name(),
                self.title,
                self.subject
            ),
        };
        format!("{first}\r\n\r\nWhat to do: {}", self.duty.what_to_do())
    }
}

/// The duties a published entry brings: outcome reports while it is in use, its review date,
/// and its declaration. Dates as the charter check computes them, so the two agree.
pub fn project_dues(p: &Project, config: &CheckConfig) -> Vec<Due> {
    let due = |duty, date| Due {
        duty,
        organisation: p.organisation.clone(),
        subject: p.id.to_string(),
        title: p.title.to_string(),
        when: When::Day(date),
        // The organisation's tools page lists what is due, each with its Change button.
        path: format!("/manage/organisations/{}#due", p.organisation),
    };
    let mut dues = Vec::new();
    let disabled = |rule: &str| config.disabled.iter().any(|r| r == rule);
    if reports_outcomes(p) && !disabled("outcome-report") {
        dues.push(due(
            Duty::OutcomeReport,
            outcome_report_due(p, config.outcome_report_months),
        ));
    }
    if p.status != Status::Retired && !disabled("review-date") {
        dues.extend(p.next_review_date.map(|d| due(Duty::Review, d)));
    }
    if p.status != Status::Retired && !disabled("declaration") {
        dues.extend(
            declaration_due(p, config.declaration_months).map(|d| due(Duty::Declaration, d)),
        );
    }
    dues
}

/// How far ahead the weekly summary looks.
pub const SUMMARY_DAYS: i64 = 30;

/// The weekly summary for one organisation: what is late and what falls due in the next 30
/// days, soonest first. `None` when there is nothing to say, so no empty email goes.
pub fn weekly_summary(dues: &[Due], now: &Timestamp) -> Option<String> {
    let horizon = now.date().add_days(SUMMARY_DAYS);
    let mut listed: Vec<&Due> = dues.iter().filter(|d| d.when.day() <= horizon).collect();
    if listed.is_empty() {
        return None;
    }
    listed.sort_by(|a, b| {
        (a.when.day(), &a.subject, a.duty.slug()).cmp(&(b.when.day(), &b.subject, b.duty.slug()))
    });
    let (late, soon): (Vec<&Due>, Vec<&Due>) = listed.into_iter().partition(|d| d.late(now));
    let mut text = String::new();
    for (heading, items) in [("Late", late), ("Due in the next 30 days", soon)] {
        if items.is_empty() {
            continue;
        }
        let _ = write!(text, "{heading}:\r\n");
        for d in items {
            let _ = write!(
                text,
                "- {}: {} for “{}” ({}), due {}\r\n",
                d.when.day().long(),
                d.duty.name().to_lowercase(),
                d.title,
                d.subject,
                d.when.words()
            );
        }
        text.push_str("\r\n");
    }
    text.push_str("The list of what is due is on your organisation's page for its people.");
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample;

    fn project() -> Project {
        sample::minimal_project(
            7,
            "wirral".parse().unwrap(),
            "Bin collection routes".parse().unwrap(),
            "We plan bin rounds.",
        )
    }

    fn now(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn due(duty: Duty, when: When) -> Due {
        Due {
            duty,
            organisation: "wirral".parse().unwrap(),
            subject: "LCR-0042".into(),
            title: "Bin collection routes".into(),
            when,
            path: "/projects/LCR-0042".into(),
        }
    }

    #[test]
    fn a_dated_duty_is_silent_then_soon_then_now() {
        let d = due(Duty::Review, When::Day("2027-03-31".parse().unwrap()));
        assert_eq!(d.stage(&now("2027-02-28T12:00:00Z")), None);
        assert_eq!(d.stage(&now("2027-03-01T00:00:00Z")), Some(Stage::Soon));
        assert_eq!(d.stage(&now("2027-03-30T23:59:59Z")), Some(Stage::Soon));
        assert_eq!(d.stage(&now("2027-03-31T00:00:00Z")), Some(Stage::Now));
        assert_eq!(d.stage(&now("2028-01-01T00:00:00Z")), Some(Stage::Now));
        assert!(!d.late(&now("2027-03-31T23:00:00Z")));
        assert!(d.late(&now("2027-04-01T00:00:00Z")));
    }

    #[test]
    fn a_breach_is_reminded_a_day_before_its_deadline_to_the_second() {
        let d = due(
            Duty::Breach,
            When::Moment(Timestamp::parse("2027-03-28T09:30:00Z").unwrap()),
        );
        assert_eq!(d.stage(&now("2027-03-27T09:29:59Z")), None);
        assert_eq!(d.stage(&now("2027-03-27T09:30:00Z")), Some(Stage::Soon));
        assert_eq!(d.stage(&now("2027-03-28T09:30:00Z")), Some(Stage::Now));
    }

    #[test]
    fn keys_differ_by_stage_and_due_date_and_nothing_else() {
        let a = due(Duty::Review, When::Day("2027-03-31".parse().unwrap()));
        let mut b = a.clone();
        b.title = "A new title".into();
        assert_eq!(a.key(Stage::Soon), b.key(Stage::Soon));
        assert_ne!(a.key(Stage::Soon), a.key(Stage::Now));
        b.when = When::Day("2027-09-30".parse().unwrap());
        assert_ne!(a.key(Stage::Now), b.key(Stage::Now));
        assert_eq!(a.key(Stage::Now), "review:LCR-0042:2027-03-31:now");
    }

    #[test]
    fn the_email_says_what_is_due_when_and_what_to_do() {
        let d = due(
            Duty::OutcomeReport,
            When::Day("2027-03-31".parse().unwrap()),
        );
        assert_eq!(
            d.mail_subject(Stage::Soon),
            "Due soon: outcome report for Bin collection routes (LCR-0042)"
        );
        let body = d.mail_body(Stage::Now);
        assert!(
            body.contains("An outcome report was due on 31 March 2027"),
            "{body}"
        );
        assert!(body.contains("What to do: Edit the entry"), "{body}");
    }

    #[test]
    fn an_entry_in_use_owes_reports_reviews_and_declarations_on_the_check_s_dates() {
        let mut p = project();
        p.status = Status::InUse;
        p.start_date = Some("2026-01-15".parse().unwrap());
        p.next_review_date = Some("2027-01-10".parse().unwrap());
        let config = CheckConfig::default();
        let dues = project_dues(&p, &config);
        let report = dues.iter().find(|d| d.duty == Duty::OutcomeReport).unwrap();
        assert_eq!(report.when, When::Day("2027-01-15".parse().unwrap()));
        assert!(dues.iter().any(|d| d.duty == Duty::Review));
        p.status = Status::Retired;
        assert!(project_dues(&p, &config).is_empty());
    }

    #[test]
    fn a_disabled_rule_brings_no_reminder() {
        let mut p = project();
        p.status = Status::InUse;
        let config = CheckConfig {
            disabled: vec!["outcome-report".into()],
            ..CheckConfig::default()
        };
        assert!(
            !project_dues(&p, &config)
                .iter()
                .any(|d| d.duty == Duty::OutcomeReport)
        );
    }

    #[test]
    fn the_weekly_summary_lists_late_first_and_stops_at_thirty_days() {
        let today = now("2027-03-01T08:00:00Z");
        let mut late = due(Duty::Review, When::Day("2027-02-01".parse().unwrap()));
        late.subject = "LCR-0001".into();
        let soon = due(Duty::Declaration, When::Day("2027-03-20".parse().unwrap()));
        let far = due(
            Duty::OutcomeReport,
            When::Day("2027-06-01".parse().unwrap()),
        );
        let text = weekly_summary(&[soon, far.clone(), late], &today).unwrap();
        let (l, s) = (text.find("Late:").unwrap(), text.find("Due in").unwrap());
        assert!(l < s, "{text}");
        assert!(text.contains("LCR-0001"), "{text}");
        assert!(!text.contains("1 June 2027"), "{text}");
        assert_eq!(weekly_summary(&[far], &today), None);
    }
}
