//! A register entry: one data or AI project, with every field the charter asks for, grouped by
//! principle (see docs/fields.md). Drafts may be incomplete, so most fields are optional; the
//! charter check says what is missing. What the types cannot hold is wrong, not just incomplete.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::law::LawReview;
use crate::picklists::*;
use crate::{Date, Email, ProjectId, Slug, Title, WebUrl};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Project {
    // --- Identity and lifecycle
    /// Stable public id; never changes and is never reused.
    pub id: ProjectId,
    pub slug: Slug,
    pub title: Title,
    /// The slug of the signatory organisation responsible.
    pub organisation: Slug,
    #[serde(default)]
    pub team: Option<String>,
    pub status: Status,
    /// Why the project is paused or retired.
    #[serde(default)]
    pub status_reason: Option<String>,
    #[serde(default)]
    pub start_date: Option<Date>,
    #[serde(default)]
    pub end_date: Option<Date>,
    /// When the organisation will next review the project.
    #[serde(default)]
    pub next_review_date: Option<Date>,
    pub areas: Vec<Area>,
    pub topics: Vec<Topic>,
    /// First published on the register.
    pub first_published: Date,
    /// Last changed on the register.
    pub last_updated: Date,

    // --- P4 Transparency
    /// What it does and why, for residents (150 words or fewer). Always present once published;
    /// a draft may not have one yet.
    #[serde(default)]
    #[schema(required = true)]
    pub summary: String,
    #[serde(default)]
    pub how_it_works: Option<String>,
    #[serde(default)]
    pub data_used: Option<DataUsed>,
    #[serde(default)]
    pub website: Option<WebUrl>,
    #[serde(default)]
    pub contact_email: Option<Email>,

    // --- P8 Trustworthy
    pub uses_ai: bool,
    /// Set only when `uses_ai` is true.
    #[serde(default)]
    pub ai_kind: Option<AiKind>,
    pub decision_role: DecisionRole,
    #[serde(default)]
    pub human_oversight: Option<String>,
    #[serde(default)]
    pub supplier: Option<Supplier>,
    #[serde(default)]
    pub outcome_reports: Vec<OutcomeReport>,

    // --- P1 Beneficial, P5 Inclusivity
    #[serde(default)]
    pub public_benefit: Option<String>,
    #[serde(default)]
    pub benefit_kinds: Vec<BenefitKind>,
    #[serde(default)]
    pub wider_benefit: Option<String>,
    #[serde(default)]
    pub intended_beneficiaries: Option<String>,
    #[serde(default)]
    pub affected_communities: Option<String>,
    #[serde(default)]
    pub consultations: Vec<Consultation>,
    /// When nobody was consulted, why not.
    #[serde(default)]
    pub no_consultation_reason: Option<String>,
    #[serde(default)]
    pub equality_impact: Option<EqualityImpact>,
    #[serde(default)]
    pub bias_assessment: Option<String>,

    // --- P3 Accountability
    #[serde(default)]
    pub accountable_owner: Option<DutyHolder>,
    /// Addresses bias in data and algorithms.
    #[serde(default)]
    pub bias_owner: Option<DutyHolder>,
    /// Corrects and updates algorithms.
    #[serde(default)]
    pub updates_owner: Option<DutyHolder>,
    /// Monitors algorithms in use.
    #[serde(default)]
    pub monitoring_owner: Option<DutyHolder>,
    /// Trains front-line staff on use, benefits and limits.
    #[serde(default)]
    pub training_owner: Option<DutyHolder>,
    #[serde(default)]
    pub challenge_route: Option<ChallengeRoute>,
    #[serde(default)]
    pub declaration: Option<Declaration>,

    // --- P2 Security
    #[serde(default)]
    pub five_safes: FiveSafes,
    #[serde(default)]
    pub controllers: Option<String>,
    #[serde(default)]
    pub processors: Option<String>,
    #[serde(default)]
    pub data_sharing_agreements: Option<String>,
    #[serde(default)]
    pub retention: Option<String>,
    #[serde(default)]
    pub storage_location: Option<String>,

    // --- P6 Privacy
    #[serde(default)]
    pub opt_out: Option<OptOut>,
    #[serde(default)]
    pub reidentification: Option<Reidentification>,

    // --- P7 Legality
    #[serde(default)]
    pub lawful_basis: Option<LawfulBasis>,
    #[serde(default)]
    pub special_category_condition: Option<SpecialCategoryCondition>,
    #[serde(default)]
    pub confidentiality_basis: Option<ConfidentialityBasis>,
    #[serde(default)]
    pub dpia: Option<Dpia>,
    #[serde(default)]
    pub breach_contact: Option<DutyHolder>,
    /// Changes in the law or policy (on the register's list) this entry has been reviewed against.
    /// Left out when empty, so entries published before it existed keep their exact documents
    /// (and hashes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub law_reviews: Vec<LawReview>,
}

/// Which data a project uses, from where and about whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DataUsed {
    pub description: String,
    pub personal_data: bool,
    pub special_category_data: bool,
}

/// A named person in a role, with a way to reach them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DutyHolder {
    pub role: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<Email>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Supplier {
    pub name: String,
    /// Companies House number, when the supplier is a UK company.
    #[serde(default)]
    pub companies_house_number: Option<String>,
    pub role: SupplierRole,
}

/// How a resident challenges a decision made or supported by the system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChallengeRoute {
    /// Who to contact and how, in words.
    pub how: String,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub url: Option<WebUrl>,
    /// What to include in a challenge.
    #[serde(default)]
    pub what_to_include: Option<String>,
    /// Working days to reply.
    #[serde(default)]
    pub reply_within_days: Option<u16>,
}

/// The signed declaration of responsibility (P3), renewed at least every 12 months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Declaration {
    pub signed_by: String,
    pub role: String,
    pub signed_on: Date,
}

/// One of the Five Safes: a plain statement and, if there is one, a link to evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SafeStatement {
    pub statement: String,
    #[serde(default)]
    pub evidence_url: Option<WebUrl>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FiveSafes {
    /// Only trusted, trained people can use the data.
    #[serde(default)]
    pub safe_people: Option<SafeStatement>,
    /// The use is lawful, ethical and in the public interest.
    #[serde(default)]
    pub safe_projects: Option<SafeStatement>,
    /// The data is held and used somewhere secure.
    #[serde(default)]
    pub safe_settings: Option<SafeStatement>,
    /// The data is reduced to what is needed and de-identified where possible.
    #[serde(default)]
    pub safe_data: Option<SafeStatement>,
    /// What leaves the secure setting cannot identify anyone.
    #[serde(default)]
    pub safe_outputs: Option<SafeStatement>,
}

impl FiveSafes {
    /// The five answers in the order people know them, with their names.
    pub fn entries(&self) -> [(&'static str, Option<&SafeStatement>); 5] {
        [
            ("Safe people", self.safe_people.as_ref()),
            ("Safe projects", self.safe_projects.as_ref()),
            ("Safe settings", self.safe_settings.as_ref()),
            ("Safe data", self.safe_data.as_ref()),
            ("Safe outputs", self.safe_outputs.as_ref()),
        ]
    }

    pub fn answered(&self) -> usize {
        self.entries().iter().filter(|(_, s)| s.is_some()).count()
    }
}

/// A report back on what a project achieved (P8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OutcomeReport {
    pub period_start: Date,
    pub period_end: Date,
    pub published_on: Date,
    /// Benefits seen, against those intended.
    pub benefits_seen: String,
    #[serde(default)]
    pub measures: Option<String>,
    /// Problems found, including any bias.
    #[serde(default)]
    pub problems_found: Option<String>,
    #[serde(default)]
    pub changes_made: Option<String>,
    #[serde(default)]
    pub url: Option<WebUrl>,
}

/// A consultation with residents or communities (P5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Consultation {
    pub held_on: Date,
    /// Who took part.
    pub who: String,
    pub method: ConsultationMethod,
    #[serde(default)]
    pub people: Option<u32>,
    /// What changed as a result.
    #[serde(default)]
    pub what_changed: Option<String>,
    #[serde(default)]
    pub write_up_url: Option<WebUrl>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EqualityImpact {
    pub done: bool,
    #[serde(default)]
    pub done_on: Option<Date>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub url: Option<WebUrl>,
    #[serde(default)]
    pub characteristics_considered: Vec<Characteristic>,
}

/// Whether residents can opt out, and how; or the legal reason they cannot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "offered", rename_all = "kebab-case")]
pub enum OptOut {
    /// Residents can opt out.
    Yes {
        how: String,
        #[serde(default)]
        url: Option<WebUrl>,
        /// What opting out covers.
        #[serde(default)]
        covers: Option<String>,
        /// The register's own opt-out service is honoured.
        #[serde(default)]
        uses_register_opt_out: bool,
    },
    /// Opting out is not possible, with the legal reason.
    No { legal_reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reidentification {
    pub deidentification: Deidentification,
    /// How the risk of identifying people again is managed.
    pub risk_management: String,
}

/// Data protection impact assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Dpia {
    pub done: bool,
    #[serde(default)]
    pub done_on: Option<Date>,
    #[serde(default)]
    pub url: Option<WebUrl>,
    #[serde(default)]
    pub summary: Option<String>,
}

impl Project {
    /// A new entry with only what every entry has from the start; the editor fills in the rest.
    /// The id is a placeholder (LCR-0001, a valid id, so the draft reads back through JSON) until
    /// the store gives the entry its own.
    pub fn new_draft(
        title: Title,
        organisation: Slug,
        uses_ai: bool,
        decision_role: DecisionRole,
        today: Date,
    ) -> Project {
        Project {
            id: ProjectId::new(1),
            slug: Slug::from_title(title.as_str()).unwrap_or_else(Slug::untitled),
            title,
            organisation,
            team: None,
            status: Status::Planned,
            status_reason: None,
            start_date: None,
            end_date: None,
            next_review_date: None,
            areas: Vec::new(),
            topics: Vec::new(),
            first_published: today,
            last_updated: today,
            summary: String::new(),
            how_it_works: None,
            data_used: None,
            website: None,
            contact_email: None,
            uses_ai,
            ai_kind: None,
            decision_role,
            human_oversight: None,
            supplier: None,
            outcome_reports: Vec::new(),
            public_benefit: None,
            benefit_kinds: Vec::new(),
            wider_benefit: None,
            intended_beneficiaries: None,
            affected_communities: None,
            consultations: Vec::new(),
            no_consultation_reason: None,
            equality_impact: None,
            bias_assessment: None,
            accountable_owner: None,
            bias_owner: None,
            updates_owner: None,
            monitoring_owner: None,
            training_owner: None,
            challenge_route: None,
            declaration: None,
            five_safes: FiveSafes::default(),
            controllers: None,
            processors: None,
            data_sharing_agreements: None,
            retention: None,
            storage_location: None,
            opt_out: None,
            reidentification: None,
            lawful_basis: None,
            special_category_condition: None,
            confidentiality_basis: None,
            dpia: None,
            breach_contact: None,
            law_reviews: Vec::new(),
        }
    }

    /// Personal data is used, as far as the entry says.
    pub fn uses_personal_data(&self) -> bool {
        self.data_used
            .as_ref()
            .is_some_and(|d| d.personal_data || d.special_category_data)
    }

    pub fn uses_special_category_data(&self) -> bool {
        self.data_used
            .as_ref()
            .is_some_and(|d| d.special_category_data)
    }

    /// The four duty holders in the charter's order (P3), with what each is responsible for.
    pub fn duty_holders(&self) -> [(&'static str, Option<&DutyHolder>); 4] {
        [
            (
                "Addressing bias in data and algorithms",
                self.bias_owner.as_ref(),
            ),
            (
                "Correcting and updating algorithms",
                self.updates_owner.as_ref(),
            ),
            (
                "Monitoring algorithms in use",
                self.monitoring_owner.as_ref(),
            ),
            ("Training front-line staff", self.training_owner.as_ref()),
        ]
    }

    /// Words in the summary, counted as people count them.
    pub fn summary_words(&self) -> usize {
        self.summary.split_whitespace().count()
    }

    /// Problems that make an entry impossible to hold, as opposed to incomplete: the charter check
    /// deals with incompleteness. Each message names the entry and the field.
    pub fn problems(&self) -> Vec<String> {
        self.field_problems()
            .into_iter()
            .map(|(field, msg)| format!("{} {field}: {msg}", self.id))
            .collect()
    }

    /// As [`Project::problems`], each with the field it concerns, for forms.
    pub fn field_problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut say = |field: &'static str, msg: &str| out.push((field, crate::capitalise(msg)));
        if self.summary.trim().is_empty() {
            say("summary", "enter a summary");
        }
        if self.status.needs_reason()
            && self
                .status_reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        {
            say("status_reason", "say why the project is paused or retired");
        }
        if !self.status.needs_reason() && self.status_reason.is_some() {
            say(
                "status_reason",
                "only paused or retired projects have a reason",
            );
        }
        if !self.uses_ai && self.ai_kind.is_some() {
            say(
                "ai_kind",
                "a project that does not use AI has no kind of AI",
            );
        }
        if let (Some(start), Some(end)) = (self.start_date, self.end_date)
            && end < start
        {
            say("end_date", "the end date is before the start date");
        }
        if self.last_updated < self.first_published {
            say(
                "last_updated",
                "the last update is before the first publication",
            );
        }
        if self.areas.is_empty() {
            say("areas", "choose at least one area");
        }
        if self.topics.is_empty() {
            say("topics", "choose at least one topic");
        }
        for r in &self.outcome_reports {
            if r.period_end < r.period_start {
                say("outcome_reports", "a report's period ends before it starts");
            }
        }
        out
    }
}
