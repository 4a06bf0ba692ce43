//! The charter check: for each principle, does an entry keep its promises? Each rule looks at an
//! entry and answers met, not met or not applicable, with advice in plain English. A principle is
//! met when all its applicable rules are met, partly met when some are, not met when none are.
//! Which rules run and which stop an entry being published are set in the charter file's
//! `[check]` table.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::challenge_stats::Tally;
use crate::charter::Charter;
use crate::law::{LawChange, ReviewState};
use crate::picklists::{DecisionRole, Status};
use crate::plain_english::{self, Rule as TextRule};
use crate::project::OptOut;
use crate::small_numbers::SMALLEST_SHOWN;
use crate::{Date, Project};

/// The charter file's `[check]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// Rules that stop an entry being published when not met. Every other rule only warns.
    pub blocking: Vec<String>,
    /// Rules left out of the check.
    pub disabled: Vec<String>,
    /// A summary with this reading age or more blocks publishing (when `summary-reading-age` is
    /// blocking); above 12 it warns.
    pub blocking_reading_age: u32,
    /// Highest reading age for a summary to meet the plain-English rule.
    pub reading_age_limit: u32,
    /// Months between outcome reports, and from going into use to the first one.
    pub outcome_report_months: u32,
    /// Months a declaration of responsibility stays current.
    pub declaration_months: u32,
    /// The share of answers to residents' challenges and questions, in whole percent, that must
    /// come on time for the `answers-on-time` rule.
    pub on_time_percent: u32,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            blocking: vec![
                "summary-reading-age".into(),
                "challenge-route".into(),
                "duty-holders".into(),
            ],
            disabled: Vec::new(),
            blocking_reading_age: 16,
            reading_age_limit: 12,
            outcome_report_months: 12,
            declaration_months: 12,
            on_time_percent: 90,
        }
    }
}

impl CheckConfig {
    /// Names of rules in the config that do not exist.
    pub fn unknown_rules(&self) -> Vec<String> {
        self.blocking
            .iter()
            .chain(&self.disabled)
            .filter(|id| !RULES.iter().any(|r| r.id == id.as_str()))
            .cloned()
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Met,
    NotMet,
    NotApplicable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipleStatus {
    Met,
    PartlyMet,
    NotMet,
    /// No rule applies (or the principle has no rules yet).
    NotApplicable,
}

impl PrincipleStatus {
    pub const ALL: [PrincipleStatus; 4] = [
        PrincipleStatus::Met,
        PrincipleStatus::PartlyMet,
        PrincipleStatus::NotMet,
        PrincipleStatus::NotApplicable,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            PrincipleStatus::Met => "met",
            PrincipleStatus::PartlyMet => "partly-met",
            PrincipleStatus::NotMet => "not-met",
            PrincipleStatus::NotApplicable => "not-applicable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PrincipleStatus::Met => "Met",
            PrincipleStatus::PartlyMet => "Partly met",
            PrincipleStatus::NotMet => "Not met",
            PrincipleStatus::NotApplicable => "Not applicable",
        }
    }

    fn from_outcomes(outcomes: impl Iterator<Item = Outcome>) -> PrincipleStatus {
        let (mut met, mut not) = (0, 0);
        for o in outcomes {
            match o {
                Outcome::Met => met += 1,
                Outcome::NotMet => not += 1,
                Outcome::NotApplicable => {}
            }
        }
        match (met, not) {
            (0, 0) => PrincipleStatus::NotApplicable,
            (_, 0) => PrincipleStatus::Met,
            (0, _) => PrincipleStatus::NotMet,
            _ => PrincipleStatus::PartlyMet,
        }
    }
}

/// What one rule found.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RuleResult {
    pub rule: &'static str,
    /// What the rule checks, as a short heading.
    pub title: &'static str,
    pub outcome: Outcome,
    /// What to do, when not met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
    /// Not met, and set to stop the entry being published.
    pub blocks_publishing: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PrincipleResult {
    pub number: u32,
    pub key: String,
    pub name: String,
    pub status: PrincipleStatus,
    pub rules: Vec<RuleResult>,
}

/// The whole check of one entry.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Scorecard {
    pub principles: Vec<PrincipleResult>,
    /// True when any blocking rule is not met.
    pub blocks_publishing: bool,
    /// The summary's reading age in whole years, when it has enough words to score (20 or more).
    pub summary_reading_age: Option<u32>,
}

impl Scorecard {
    pub fn status(&self, key: &str) -> Option<PrincipleStatus> {
        self.principles
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.status)
    }

    pub fn blocking(&self) -> impl Iterator<Item = &RuleResult> {
        self.principles
            .iter()
            .flat_map(|p| &p.rules)
            .filter(|r| r.blocks_publishing)
    }

    /// How many principles are met, out of those that apply.
    pub fn met_count(&self) -> (usize, usize) {
        let applicable = self
            .principles
            .iter()
            .filter(|p| p.status != PrincipleStatus::NotApplicable);
        let total = applicable.clone().count();
        (
            applicable
                .filter(|p| p.status == PrincipleStatus::Met)
                .count(),
            total,
        )
    }
}

/// What rules look at beyond the entry: the date, and text analysis done once.
struct Context<'a> {
    p: &'a Project,
    today: Date,
    config: &'a CheckConfig,
    reading_age: Option<u32>,
    /// Words in the summary (a summary with words but no reading age is too short to score).
    summary_words: u32,
    /// What to change to bring the summary's reading age down.
    suggestions: Vec<String>,
    unexplained_acronyms: Vec<String>,
    /// The project's challenges and questions, when the caller has them.
    answers: Option<&'a Tally>,
    /// The register's list of changes in the law, for the rule that asks entries to keep up.
    law: &'a [LawChange],
}

type Check = fn(&Context) -> (Outcome, Option<String>);

struct RuleDef {
    id: &'static str,
    principle: &'static str,
    title: &'static str,
    check: Check,
}

use Outcome::{Met, NotApplicable, NotMet};

fn given(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.trim().is_empty())
}

fn result(ok: bool, advice: impl FnOnce() -> String) -> (Outcome, Option<String>) {
    if ok {
        (Met, None)
    } else {
        (NotMet, Some(advice()))
    }
}

fn list_in_words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Every rule, grouped by principle, in the order they are shown.
const RULES: &[RuleDef] = &[
    RuleDef {
        id: "public-benefit",
        principle: "beneficial",
        title: "Public benefit stated",
        check: |c| {
            result(given(&c.p.public_benefit), || {
                "Say what good the project does, and for whom.".into()
            })
        },
    },
    RuleDef {
        id: "intended-beneficiaries",
        principle: "beneficial",
        title: "Who it is meant to benefit",
        check: |c| {
            result(given(&c.p.intended_beneficiaries), || {
                "Name the people the project is meant to benefit.".into()
            })
        },
    },
    RuleDef {
        id: "five-safes",
        principle: "security",
        title: "All Five Safes answered",
        check: |c| {
            let missing: Vec<&str> =
                c.p.five_safes
                    .entries()
                    .iter()
                    .filter(|(_, s)| s.is_none())
                    .map(|(n, _)| *n)
                    .collect();
            result(missing.is_empty(), || {
                format!(
                    "Answer the Five Safes: {} {} missing.",
                    list_in_words(&missing).to_lowercase(),
                    if missing.len() == 1 { "is" } else { "are" }
                )
            })
        },
    },
    RuleDef {
        id: "controller",
        principle: "security",
        title: "Data controller named",
        check: |c| {
            result(given(&c.p.controllers), || {
                "Name the data controller.".into()
            })
        },
    },
    RuleDef {
        id: "retention",
        principle: "security",
        title: "How long personal data is kept",
        check: |c| {
            if !c.p.uses_personal_data() {
                return (NotApplicable, None);
            }
            result(given(&c.p.retention), || {
                "Say how long personal data is kept.".into()
            })
        },
    },
    RuleDef {
        id: "duty-holders",
        principle: "accountability",
        title: "Owner and the four duty holders named",
        check: |c| {
            let p = c.p;
            let mut missing = Vec::new();
            if p.accountable_owner.is_none() {
                missing.push("the senior person accountable");
            }
            if p.bias_owner.is_none() {
                missing.push("who addresses bias");
            }
            if p.updates_owner.is_none() {
                missing.push("who corrects and updates the algorithms");
            }
            if p.monitoring_owner.is_none() {
                missing.push("who monitors the algorithms in use");
            }
            if p.training_owner.is_none() {
                missing.push("who trains front-line staff on this tool");
            }
            result(missing.is_empty(), || {
                format!("Name {}.", list_in_words(&missing))
            })
        },
    },
    RuleDef {
        id: "challenge-route",
        principle: "accountability",
        title: "A way to challenge decisions",
        check: |c| {
            if !c.p.decision_role.needs_challenge_route() {
                return (NotApplicable, None);
            }
            result(
                c.p.challenge_route
                    .as_ref()
                    .is_some_and(|r| !r.how.trim().is_empty()),
                || {
                    "This project helps make decisions about people: tell residents how to challenge one, whom to contact and how long a reply takes.".into()
                },
            )
        },
    },
    RuleDef {
        id: "answers-on-time",
        principle: "accountability",
        title: "Challenges and questions answered on time",
        check: |c| {
            // Judged only once enough answers were due that the result points to nobody.
            let Some(t) = c.answers.filter(|t| t.due() >= SMALLEST_SHOWN) else {
                return (NotApplicable, None);
            };
            let on_time = t.answered_on_time.min(t.answered);
            result(
                on_time * 100 >= u64::from(c.config.on_time_percent) * t.due(),
                || {
                    format!(
                        "Fewer than {} in 100 answers to residents came on time. Say you have seen each one within the time the charter gives, and answer within a month.",
                        c.config.on_time_percent
                    )
                },
            )
        },
    },
    RuleDef {
        id: "declaration",
        principle: "accountability",
        title: "Declaration of responsibility signed in the last 12 months",
        check: |c| match &c.p.declaration {
            None => (
                NotMet,
                Some("Have a senior person sign the declaration of responsibility.".into()),
            ),
            Some(d) => result(
                declaration_due(c.p, c.config.declaration_months) >= Some(c.today),
                || {
                    format!(
                        "The declaration was signed on {}: renew it (at least every {} months).",
                        d.signed_on.long(),
                        c.config.declaration_months
                    )
                },
            ),
        },
    },
    RuleDef {
        id: "summary-reading-age",
        principle: "transparency",
        title: "Summary in plain English",
        check: |c| match c.reading_age {
            None if c.summary_words == 0 => (
                NotMet,
                Some("Write a summary of what the project does and why.".into()),
            ),
            // Too short to score: ask for more words rather than judge it on a number.
            None => (
                NotMet,
                Some(format!(
                    "The summary has only {}, too few to give a reading age. Say more: what the project does, who it is for and why, in {} words or more.",
                    plain_english::count_of(c.summary_words.into(), "word", "words"),
                    plain_english::MIN_WORDS_TO_SCORE
                )),
            ),
            Some(age) => result(age <= c.config.reading_age_limit, || {
                // Always at least one concrete change: the longest sentence, the hardest words.
                format!(
                    "The summary has a reading age of {}. Aim for 9 and no more than {}. {}",
                    plain_english::age_in_words(age),
                    c.config.reading_age_limit,
                    c.suggestions.join(" ")
                )
            }),
        },
    },
    RuleDef {
        id: "acronyms-explained",
        principle: "transparency",
        title: "Acronyms spelled out",
        check: |c| {
            result(c.unexplained_acronyms.is_empty(), || {
                let names: Vec<&str> = c.unexplained_acronyms.iter().map(String::as_str).collect();
                format!(
                    "Spell out {} the first time {} used.",
                    list_in_words(&names),
                    if names.len() == 1 { "it is" } else { "each is" }
                )
            })
        },
    },
    RuleDef {
        id: "data-used",
        principle: "transparency",
        title: "Data used described",
        check: |c| {
            result(
                c.p.data_used
                    .as_ref()
                    .is_some_and(|d| !d.description.trim().is_empty()),
                || {
                    "Say which data the project uses, where it comes from and whom it is about."
                        .into()
                },
            )
        },
    },
    RuleDef {
        id: "communities-named",
        principle: "inclusivity",
        title: "Beneficiaries and affected communities named",
        check: |c| {
            let mut missing = Vec::new();
            if !given(&c.p.intended_beneficiaries) {
                missing.push("who is meant to benefit");
            }
            if !given(&c.p.affected_communities) {
                missing.push("who could be affected, including who could be disadvantaged");
            }
            result(missing.is_empty(), || {
                format!("Say {}.", list_in_words(&missing))
            })
        },
    },
    RuleDef {
        id: "consultation",
        principle: "inclusivity",
        title: "Communities consulted, or a reason given",
        check: |c| {
            result(
                !c.p.consultations.is_empty() || given(&c.p.no_consultation_reason),
                || "Record who was consulted and what changed, or say why nobody was.".into(),
            )
        },
    },
    RuleDef {
        id: "equality-impact",
        principle: "inclusivity",
        title: "Equality impact considered",
        check: |c| {
            result(c.p.equality_impact.as_ref().is_some_and(|e| e.done), || {
                "Assess the project's impact on equality, and publish a summary.".into()
            })
        },
    },
    RuleDef {
        id: "opt-out",
        principle: "privacy",
        title: "A way to opt out, or the legal reason there is none",
        check: |c| {
            let ok = match &c.p.opt_out {
                Some(OptOut::Yes { how, .. }) => !how.trim().is_empty(),
                Some(OptOut::No { legal_reason }) => !legal_reason.trim().is_empty(),
                None => false,
            };
            result(ok, || {
                "Tell residents how to opt out, or give the legal reason they cannot.".into()
            })
        },
    },
    RuleDef {
        id: "reidentification",
        principle: "privacy",
        title: "Re-identification risk managed",
        check: |c| {
            if !c.p.uses_personal_data() {
                return (NotApplicable, None);
            }
            result(
                c.p.reidentification
                    .as_ref()
                    .is_some_and(|r| !r.risk_management.trim().is_empty()),
                || {
                    "Say how data is de-identified and how you stop people being identified again."
                        .into()
                },
            )
        },
    },
    RuleDef {
        id: "lawful-basis",
        principle: "legality",
        title: "Lawful basis given",
        check: |c| {
            let mut missing = Vec::new();
            if c.p.lawful_basis.is_none() {
                missing.push("the lawful basis (UK GDPR Article 6)");
            }
            if c.p.uses_special_category_data() && c.p.special_category_condition.is_none() {
                missing.push("the condition for special category data (Article 9)");
            }
            result(missing.is_empty(), || {
                format!("Give {}.", list_in_words(&missing))
            })
        },
    },
    RuleDef {
        id: "dpia",
        principle: "legality",
        title: "Data protection impact assessment when required",
        check: |c| {
            let p = c.p;
            let required = (p.uses_ai && p.uses_personal_data())
                || p.uses_special_category_data()
                || matches!(
                    p.decision_role,
                    DecisionRole::DecidesPersonReviews | DecisionRole::DecidesAlone
                );
            if !required {
                return (NotApplicable, None);
            }
            result(p.dpia.as_ref().is_some_and(|d| d.done), || {
                "This project needs a data protection impact assessment: do one and say when."
                    .into()
            })
        },
    },
    RuleDef {
        id: "law-changes",
        principle: "legality",
        title: "Reviewed against changes in the law",
        check: |c| {
            let touching: Vec<&LawChange> = c.law.iter().filter(|l| l.touches(c.p)).collect();
            if touching.is_empty() {
                return (NotApplicable, None);
            }
            let overdue: Vec<&LawChange> = touching
                .into_iter()
                .filter(|l| l.state(c.p, c.today) == ReviewState::Overdue)
                .collect();
            result(overdue.is_empty(), || {
                let names: Vec<String> = overdue
                    .iter()
                    .map(|l| format!("{} ({}, due {})", l.title, l.id, l.due_on.long()))
                    .collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                format!(
                    "Review the project against {} and say so in the entry.",
                    list_in_words(&names)
                )
            })
        },
    },
    RuleDef {
        id: "ai-flag",
        principle: "trustworthy",
        title: "AI use flagged",
        check: |c| {
            result(!c.p.uses_ai || c.p.ai_kind.is_some(), || {
                "Say what kind of AI the project uses.".into()
            })
        },
    },
    RuleDef {
        id: "outcome-report",
        principle: "trustworthy",
        title: "Outcome report up to date",
        check: |c| {
            let p = c.p;
            if !reports_outcomes(p) {
                return (NotApplicable, None);
            }
            let latest = p.outcome_reports.iter().map(|r| r.published_on).max();
            let due = outcome_report_due(p, c.config.outcome_report_months);
            result(due >= c.today, || match latest {
                Some(d) => format!(
                    "The last outcome report was published on {}: the next was due on {}.",
                    d.long(),
                    due.long()
                ),
                None => format!(
                    "The first outcome report was due on {}: report what the project has achieved.",
                    due.long()
                ),
            })
        },
    },
    RuleDef {
        id: "review-date",
        principle: "trustworthy",
        title: "Review not overdue",
        check: |c| {
            if c.p.status == Status::Retired {
                return (NotApplicable, None);
            }
            match c.p.next_review_date {
                None => (NotMet, Some("Set a date for the next review.".into())),
                Some(d) => result(d >= c.today, || {
                    format!(
                        "The review was due on {}: review the project and set the next date.",
                        d.long()
                    )
                }),
            }
        },
    },
];

/// When the next outcome report is due: `months` after the last one, or after the project went
/// into use (or was first published) when there is none yet. The charter check and the reminders
/// both use this, so they agree on the date.
pub fn outcome_report_due(p: &Project, months: u32) -> Date {
    match p.outcome_reports.iter().map(|r| r.published_on).max() {
        Some(d) => d.add_months(months),
        None => p.start_date.unwrap_or(p.first_published).add_months(months),
    }
}

/// Whether an entry's status means outcome reports are expected (in use or paused).
pub fn reports_outcomes(p: &Project) -> bool {
    matches!(p.status, Status::InUse | Status::Paused)
}

/// When the declaration of responsibility needs renewing, if one was signed.
pub fn declaration_due(p: &Project, months: u32) -> Option<Date> {
    p.declaration
        .as_ref()
        .map(|d| d.signed_on.add_months(months))
}

/// Every rule id, for documentation and config validation.
pub fn rule_ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.id)
}

/// Every rule as (id, principle key, what it checks), in the order they are shown.
pub fn rules() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    RULES.iter().map(|r| (r.id, r.principle, r.title))
}

/// The days on which the check of an unchanged entry can turn out differently: the day after
/// each date a time rule compares with today. A rule that reads the date adds its day here.
pub fn turning_points(p: &Project, charter: &Charter) -> Vec<Date> {
    let config = &charter.check;
    let mut days = vec![outcome_report_due(p, config.outcome_report_months).add_days(1)];
    if let Some(d) = &p.declaration {
        days.push(
            d.signed_on
                .add_months(config.declaration_months)
                .add_days(1),
        );
    }
    if let Some(d) = p.next_review_date {
        days.push(d.add_days(1));
    }
    days.sort();
    days.dedup();
    days
}

/// What the check can use besides the entry itself, when the caller has it: the project's
/// answers to residents (principle 3's `answers-on-time`) and the register's list of changes in
/// the law (principle 7's `law-changes`). Without them those rules do not apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    pub answers: Option<&'a Tally>,
    pub law: &'a [LawChange],
}

/// Checks one entry against the charter on `today`, on its own (a draft's check).
pub fn check(project: &Project, charter: &Charter, today: Date) -> Scorecard {
    check_full(project, charter, today, Extras::default())
}

/// Checks one entry, with the counts of its challenges and questions for `answers-on-time`.
pub fn check_with_answers(
    project: &Project,
    charter: &Charter,
    today: Date,
    answers: Option<&Tally>,
) -> Scorecard {
    check_full(project, charter, today, Extras { answers, law: &[] })
}

/// Checks one entry with the register's list of changes in the law: an entry touched by one
/// and not reviewed against it by its due date does not meet principle 7.
pub fn check_with(
    project: &Project,
    charter: &Charter,
    today: Date,
    law: &[LawChange],
) -> Scorecard {
    check_full(project, charter, today, Extras { answers: None, law })
}

/// Checks one entry against the charter on `today` with everything the caller has.
pub fn check_full(
    project: &Project,
    charter: &Charter,
    today: Date,
    extras: Extras<'_>,
) -> Scorecard {
    let analysis = plain_english::analyse(&project.summary);
    check_analysed(project, charter, today, &analysis, extras)
}

/// Checks one entry on each of `days`, reading its summary once (the dashboard's history).
pub fn check_on_days(project: &Project, charter: &Charter, days: &[Date]) -> Vec<Scorecard> {
    let analysis = plain_english::analyse(&project.summary);
    days.iter()
        .map(|today| check_analysed(project, charter, *today, &analysis, Extras::default()))
        .collect()
}

fn check_analysed(
    project: &Project,
    charter: &Charter,
    today: Date,
    analysis: &plain_english::Analysis,
    extras: Extras<'_>,
) -> Scorecard {
    let config = &charter.check;
    let reading_age = analysis.reading_age.map(|r| r.years);
    let mut unexplained_acronyms: Vec<String> = analysis
        .findings
        .iter()
        .filter(|f| f.rule == TextRule::Acronym)
        .map(|f| f.text.clone())
        .collect();
    unexplained_acronyms.dedup();
    let ctx = Context {
        p: project,
        today,
        config,
        reading_age,
        summary_words: analysis.counts.words,
        suggestions: analysis.suggestions.clone(),
        unexplained_acronyms,
        answers: extras.answers,
        law: extras.law,
    };

    let mut blocks = false;
    let principles = charter
        .principles
        .iter()
        .map(|pr| {
            let rules: Vec<RuleResult> = RULES
                .iter()
                .filter(|r| r.principle == pr.key && !config.disabled.iter().any(|d| d == r.id))
                .map(|r| {
                    let (outcome, advice) = (r.check)(&ctx);
                    let mut blocking =
                        outcome == NotMet && config.blocking.iter().any(|b| b == r.id);
                    // The plain-English rule warns above the limit and blocks only when very hard
                    // (or empty): a summary too short to score is asked for more words, not blocked.
                    if r.id == "summary-reading-age"
                        && ctx.summary_words > 0
                        && ctx
                            .reading_age
                            .is_none_or(|a| a < config.blocking_reading_age)
                    {
                        blocking = false;
                    }
                    blocks |= blocking;
                    RuleResult {
                        rule: r.id,
                        title: r.title,
                        outcome,
                        advice,
                        blocks_publishing: blocking,
                    }
                })
                .collect();
            PrincipleResult {
                number: pr.number,
                key: pr.key.clone(),
                name: pr.name.clone(),
                status: PrincipleStatus::from_outcomes(rules.iter().map(|r| r.outcome)),
                rules,
            }
        })
        .collect();
    Scorecard {
        principles,
        blocks_publishing: blocks,
        summary_reading_age: reading_age,
    }
}

/// How many entries are in each state, for one principle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PrincipleTally {
    pub number: u32,
    pub key: String,
    pub name: String,
    pub met: u64,
    pub partly_met: u64,
    pub not_met: u64,
    pub not_applicable: u64,
}

impl PrincipleTally {
    pub fn total(&self) -> u64 {
        self.met + self.partly_met + self.not_met + self.not_applicable
    }

    /// Share of entries meeting the principle, among those it applies to, in whole percent.
    pub fn percent_met(&self) -> u64 {
        let applicable = self.met + self.partly_met + self.not_met;
        (self.met * 100 + applicable / 2)
            .checked_div(applicable)
            .unwrap_or(0)
    }

    pub fn count(&self, status: PrincipleStatus) -> u64 {
        match status {
            PrincipleStatus::Met => self.met,
            PrincipleStatus::PartlyMet => self.partly_met,
            PrincipleStatus::NotMet => self.not_met,
            PrincipleStatus::NotApplicable => self.not_applicable,
        }
    }
}

/// Adds up scorecards principle by principle, in the charter's order.
pub fn tally<'a>(
    charter: &Charter,
    cards: impl IntoIterator<Item = &'a Scorecard>,
) -> Vec<PrincipleTally> {
    let mut out: Vec<PrincipleTally> = charter
        .principles
        .iter()
        .map(|p| PrincipleTally {
            number: p.number,
            key: p.key.clone(),
            name: p.name.clone(),
            met: 0,
            partly_met: 0,
            not_met: 0,
            not_applicable: 0,
        })
        .collect();
    for card in cards {
        for (t, p) in out.iter_mut().zip(&card.principles) {
            match p.status {
                PrincipleStatus::Met => t.met += 1,
                PrincipleStatus::PartlyMet => t.partly_met += 1,
                PrincipleStatus::NotMet => t.not_met += 1,
                PrincipleStatus::NotApplicable => t.not_applicable += 1,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charter() -> Charter {
        Charter::from_toml(include_str!("../../../charter/charter.toml")).unwrap()
    }

    fn today() -> Date {
        "2026-11-30".parse().unwrap()
    }

    /// A complete entry, as a test fixture would make it (charter-core cannot use the store's).
    fn complete() -> Project {
        let json = include_str!("../tests/fixtures/check-complete.json");
        serde_json::from_str(json).unwrap()
    }

    fn rule<'a>(card: &'a Scorecard, id: &str) -> &'a RuleResult {
        card.principles
            .iter()
            .flat_map(|p| &p.rules)
            .find(|r| r.rule == id)
            .unwrap()
    }

    #[test]
    fn a_complete_entry_meets_every_principle() {
        let card = check(&complete(), &charter(), today());
        for p in &card.principles {
            assert_eq!(p.status, PrincipleStatus::Met, "{}: {:?}", p.key, p.rules);
        }
        assert!(!card.blocks_publishing);
        assert_eq!(card.met_count(), (8, 8));
    }

    #[test]
    fn missing_duty_holders_block_and_name_who_is_missing() {
        let mut p = complete();
        p.training_owner = None;
        let card = check(&p, &charter(), today());
        let r = rule(&card, "duty-holders");
        assert_eq!(r.outcome, Outcome::NotMet);
        assert_eq!(
            r.advice.as_deref(),
            Some("Name who trains front-line staff on this tool.")
        );
        assert!(r.blocks_publishing && card.blocks_publishing);
        assert_eq!(
            card.status("accountability"),
            Some(PrincipleStatus::PartlyMet)
        );
    }

    #[test]
    fn challenge_route_is_needed_only_when_decisions_are_made_or_supported() {
        let mut p = complete();
        p.challenge_route = None;
        assert!(rule(&check(&p, &charter(), today()), "challenge-route").blocks_publishing);
        p.decision_role = DecisionRole::InformationOnly;
        assert_eq!(
            rule(&check(&p, &charter(), today()), "challenge-route").outcome,
            Outcome::NotApplicable
        );
    }

    #[test]
    fn answers_on_time_are_judged_once_ten_were_due() {
        let p = complete();
        let answers = |answered, on_time, overdue| Tally {
            answered,
            answered_on_time: on_time,
            overdue,
            ..Tally::default()
        };
        let outcome = |t: Option<&Tally>| {
            let card = check_with_answers(&p, &charter(), today(), t);
            let r = rule(&card, "answers-on-time").clone();
            (
                r.outcome,
                r.blocks_publishing,
                card.status("accountability"),
            )
        };
        assert_eq!(outcome(None).0, Outcome::NotApplicable);
        // Nine due: too few to judge, whatever happened.
        assert_eq!(outcome(Some(&answers(5, 0, 4))).0, Outcome::NotApplicable);
        assert_eq!(outcome(Some(&answers(10, 9, 0))).0, Outcome::Met);
        // An item still open past its day counts against, like a late answer.
        let (late, blocks, status) = outcome(Some(&answers(10, 9, 1)));
        assert_eq!(late, Outcome::NotMet);
        assert!(!blocks, "warns, never stops publishing");
        assert_eq!(status, Some(PrincipleStatus::PartlyMet));
        assert_eq!(outcome(Some(&answers(20, 17, 0))).0, Outcome::NotMet);
        let advice = rule(
            &check_with_answers(&p, &charter(), today(), Some(&answers(20, 2, 0))),
            "answers-on-time",
        )
        .advice
        .clone()
        .unwrap();
        assert!(
            advice.starts_with("Fewer than 90 in 100 answers"),
            "{advice}"
        );
    }

    #[test]
    fn hard_summaries_warn_and_very_hard_ones_block() {
        let mut p = complete();
        p.summary = "The organisation's multidisciplinary transformation programme operationalises predictive \
            analytics capabilities, facilitating evidence-based prioritisation of interventions across \
            heterogeneous administrative datasets, notwithstanding considerable implementation complexity."
            .into();
        let card = check(&p, &charter(), today());
        let r = rule(&card, "summary-reading-age");
        assert_eq!(r.outcome, Outcome::NotMet);
        assert!(
            r.blocks_publishing,
            "reading age {:?}",
            card.summary_reading_age
        );
        assert!(card.summary_reading_age.unwrap() >= 16);
        // Blocking always comes with something concrete to change.
        let advice = r.advice.as_deref().unwrap_or_default();
        assert!(advice.contains("over 25"), "{advice}");
        assert!(
            advice.contains("Split the longest sentence (22 words)"),
            "{advice}"
        );
        assert!(advice.contains("‘multidisciplinary’"), "{advice}");
        p.summary = "We use records of past repairs to find homes that may have damp. Staff then visit those homes first. We fix the worst.".into();
        let card = check(&p, &charter(), today());
        assert_eq!(
            rule(&card, "summary-reading-age").outcome,
            Outcome::Met,
            "{:?}",
            card.summary_reading_age
        );
    }

    #[test]
    fn summaries_too_short_to_score_are_asked_for_more_not_blocked() {
        let mut p = complete();
        p.summary = "Algorithmic prioritisation of safeguarding referrals.".into();
        let card = check(&p, &charter(), today());
        let r = rule(&card, "summary-reading-age");
        assert_eq!(r.outcome, Outcome::NotMet);
        assert!(!r.blocks_publishing);
        assert_eq!(card.summary_reading_age, None);
        let advice = r.advice.as_deref().unwrap_or_default();
        assert!(advice.contains("only 5 words"), "{advice}");
        assert!(advice.contains("Say more"), "{advice}");
        p.summary = "Bins.".into();
        let advice = rule(&check(&p, &charter(), today()), "summary-reading-age")
            .advice
            .clone()
            .unwrap_or_default();
        assert!(advice.contains("only 1 word,"), "{advice}");
    }

    #[test]
    fn time_rules_use_today() {
        let mut p = complete();
        p.next_review_date = Some("2026-11-29".parse().unwrap());
        let r = rule(&check(&p, &charter(), today()), "review-date").clone();
        assert_eq!(r.outcome, Outcome::NotMet);
        assert!(!r.blocks_publishing);
        p.declaration.as_mut().unwrap().signed_on = "2025-11-29".parse().unwrap();
        assert_eq!(
            rule(&check(&p, &charter(), today()), "declaration").outcome,
            Outcome::NotMet
        );
        p.outcome_reports.clear();
        p.start_date = Some("2025-12-01".parse().unwrap());
        assert_eq!(
            rule(&check(&p, &charter(), today()), "outcome-report").outcome,
            Outcome::Met,
            "first report due 2026-12-01"
        );
        p.start_date = Some("2025-11-01".parse().unwrap());
        assert_eq!(
            rule(&check(&p, &charter(), today()), "outcome-report").outcome,
            Outcome::NotMet
        );
    }

    #[test]
    fn rules_without_personal_data_do_not_apply() {
        let mut p = complete();
        p.data_used.as_mut().unwrap().personal_data = false;
        p.data_used.as_mut().unwrap().special_category_data = false;
        p.uses_ai = false;
        p.ai_kind = None;
        p.decision_role = DecisionRole::InformationOnly;
        let card = check(&p, &charter(), today());
        for id in ["retention", "reidentification", "dpia", "challenge-route"] {
            assert_eq!(rule(&card, id).outcome, Outcome::NotApplicable, "{id}");
        }
    }

    #[test]
    fn the_charter_file_chooses_blocking_and_disabled_rules() {
        let mut c = charter();
        c.check.blocking = vec!["five-safes".into()];
        c.check.disabled = vec!["declaration".into()];
        let mut p = complete();
        p.training_owner = None;
        p.five_safes.safe_data = None;
        p.declaration = None;
        let card = check(&p, &c, today());
        assert!(!rule(&card, "duty-holders").blocks_publishing);
        assert!(rule(&card, "five-safes").blocks_publishing);
        assert!(
            card.principles
                .iter()
                .flat_map(|p| &p.rules)
                .all(|r| r.rule != "declaration")
        );
        let bad = include_str!("../../../charter/charter.toml")
            .replace("disabled = []", "disabled = [\"no-such-rule\"]");
        let err = Charter::from_toml(&bad).unwrap_err().to_string();
        assert!(err.contains("“no-such-rule”"), "{err}");
    }

    #[test]
    fn an_empty_draft_meets_nothing_but_never_panics() {
        let mut p = complete();
        p.summary = String::new();
        p.public_benefit = None;
        p.intended_beneficiaries = None;
        p.five_safes = Default::default();
        p.controllers = None;
        let card = check(&p, &charter(), today());
        assert_eq!(card.status("beneficial"), Some(PrincipleStatus::NotMet));
        assert!(card.summary_reading_age.is_none());
        assert!(rule(&card, "summary-reading-age").blocks_publishing);
    }

    #[test]
    fn tallies_add_up() {
        let c = charter();
        let good = check(&complete(), &c, today());
        let mut p = complete();
        p.public_benefit = None;
        let partly = check(&p, &c, today());
        let t = tally(&c, [&good, &partly, &good]);
        assert_eq!(t[0].key, "beneficial");
        assert_eq!((t[0].met, t[0].partly_met, t[0].total()), (2, 1, 3));
        assert_eq!(t[0].percent_met(), 67);
        assert_eq!(t[1].met, 3);
    }
}
