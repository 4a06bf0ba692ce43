//! The editor's sections and fields: what the entry editor asks, in the order it asks it.

use super::{Field, Group, Kind, List, Need, Section};
use crate::picklists::*;
use crate::project::Project;

const fn f(path: &'static str, label: &'static str, kind: Kind) -> Field {
    Field {
        path,
        label,
        hint: "",
        kind,
        required: false,
        only_if: None,
        needed: Need::No,
    }
}

impl Field {
    const fn hint(mut self, hint: &'static str) -> Field {
        self.hint = hint;
        self
    }
    const fn required(mut self) -> Field {
        self.required = true;
        self
    }
    const fn needed(mut self) -> Field {
        self.needed = Need::Yes;
        self
    }
    const fn needed_when(mut self, when: fn(&Project) -> bool) -> Field {
        self.needed = Need::When(when);
        self
    }
    const fn only_if(mut self, path: &'static str, values: &'static [&'static str]) -> Field {
        self.only_if = Some((path, values));
        self
    }

    /// The group this field belongs to: its path up to the last dot.
    pub fn group(&self) -> Option<&'static str> {
        self.path.rsplit_once('.').map(|(g, _)| g)
    }

    pub(super) fn missing_message(&self) -> String {
        let what = self.label.to_lowercase();
        match self.kind {
            Kind::One(_) | Kind::Many(_) | Kind::YesNo => format!("Choose {what}"),
            _ => format!("Enter {what}"),
        }
    }
}

fn personal(p: &Project) -> bool {
    p.uses_personal_data()
}

const OPT_OUT_OFFERED: &[(&str, &str)] = &[
    ("yes", "Yes, residents can opt out"),
    ("no", "No, there is a legal reason they cannot"),
];

/// Fields for named people (each a role, a name and an email) followed by `$rest`.
macro_rules! with_people {
    ([$($root:literal),*], [$($rest:expr),* $(,)?]) => {
        [
            $(
                f(concat!($root, ".role"), "Job title or role", Kind::Text)
                    .required()
                    .needed(),
                f(concat!($root, ".name"), "Name", Kind::Text)
                    .hint("Optional: a named person is easier to reach"),
                f(concat!($root, ".email"), "Email address", Kind::Email),
            )*
            $($rest),*
        ]
    };
}

/// The Five Safes' fields (a statement and a link each) followed by `$rest`.
macro_rules! with_safes {
    ([$(($root:literal, $label:literal)),*], [$($rest:expr),* $(,)?]) => {
        [
            $(
                f(concat!($root, ".statement"), $label, Kind::LongText)
                    .required()
                    .needed(),
                f(concat!($root, ".evidence_url"), "Link to evidence", Kind::Url),
            )*
            $($rest),*
        ]
    };
}

static ABOUT: [Field; 9] = [
    f("title", "Project name", Kind::Text)
        .hint("The name residents will know it by, in 100 characters or fewer")
        .required(),
    f("team", "Team or service", Kind::Text),
    f("status", "Status", Kind::One(Status::OPTIONS)).required(),
    f(
        "status_reason",
        "Why it is paused or retired",
        Kind::LongText,
    )
    .only_if("status", &["paused", "retired"])
    .needed_when(|p| p.status.needs_reason()),
    f("start_date", "Start date", Kind::Date).hint("For example, 2026-03-31"),
    f("end_date", "End date", Kind::Date).hint("If it has one. For example, 2027-03-31"),
    f("next_review_date", "Next review date", Kind::Date)
        .hint(
            "When your organisation will next look at whether the project still keeps the charter",
        )
        .needed(),
    f("areas", "Areas it covers", Kind::Many(Area::OPTIONS)).needed(),
    f("topics", "Topics", Kind::Many(Topic::OPTIONS)).needed(),
];

static SUMMARY: [Field; 7] = [
    f("summary", "Summary", Kind::LongText)
        .hint("What the project does and why, for residents, in 150 words or fewer")
        .needed(),
    f("how_it_works", "How it works", Kind::LongText).needed(),
    f("data_used.description", "What data it uses", Kind::LongText)
        .hint("Which data, from where, and about whom")
        .required()
        .needed(),
    f(
        "data_used.personal_data",
        "Does it use personal data?",
        Kind::YesNo,
    )
    .required(),
    f(
        "data_used.special_category_data",
        "Does it use special category data, such as health, ethnicity or religion?",
        Kind::YesNo,
    )
    .required(),
    f("website", "Web page about the project", Kind::Url),
    f("contact_email", "Email address for questions", Kind::Email).needed(),
];

static AI: [Field; 7] = [
    f("uses_ai", "Does it use AI?", Kind::YesNo)
        .hint("Including rules-based automation that makes or supports decisions")
        .required(),
    f("ai_kind", "Kind of AI", Kind::One(AiKind::OPTIONS))
        .only_if("uses_ai", &["yes"])
        .needed_when(|p| p.uses_ai),
    f(
        "decision_role",
        "What part does it play in decisions about people?",
        Kind::One(DecisionRole::OPTIONS),
    )
    .required(),
    f("human_oversight", "How people oversee it", Kind::LongText)
        .needed_when(|p| p.uses_ai || p.decision_role.needs_challenge_route()),
    f("supplier.name", "Supplier's name", Kind::Text).required(),
    f(
        "supplier.companies_house_number",
        "Companies House number",
        Kind::Text,
    ),
    f(
        "supplier.role",
        "What the supplier does",
        Kind::One(SupplierRole::OPTIONS),
    )
    .required(),
];

static BENEFITS: [Field; 11] = [
    f("public_benefit", "The public benefit", Kind::LongText)
        .hint("What good it does for residents")
        .needed(),
    f(
        "benefit_kinds",
        "Kinds of benefit",
        Kind::Many(BenefitKind::OPTIONS),
    ),
    f(
        "wider_benefit",
        "Benefit beyond the project",
        Kind::LongText,
    ),
    f(
        "intended_beneficiaries",
        "Who is meant to benefit",
        Kind::LongText,
    )
    .needed(),
    f(
        "affected_communities",
        "Communities affected",
        Kind::LongText,
    )
    .needed(),
    f("bias_assessment", "How bias was assessed", Kind::LongText).needed_when(|p| p.uses_ai),
    f(
        "equality_impact.done",
        "Has an equality impact assessment been done?",
        Kind::YesNo,
    )
    .required()
    .needed(),
    f("equality_impact.done_on", "Date it was done", Kind::Date),
    f("equality_impact.summary", "What it found", Kind::LongText),
    f("equality_impact.url", "Link to it", Kind::Url),
    f(
        "equality_impact.characteristics_considered",
        "Characteristics considered",
        Kind::Many(Characteristic::OPTIONS),
    ),
];

static CONSULTATION_FIELDS: [Field; 1] = [f(
    "no_consultation_reason",
    "If nobody was consulted, why not",
    Kind::LongText,
)
.needed_when(|p| p.consultations.is_empty())];

static CONSULTATION: [Field; 6] = [
    f("held_on", "Date", Kind::Date).required(),
    f("who", "Who took part", Kind::Text).required(),
    f("method", "How", Kind::One(ConsultationMethod::OPTIONS)).required(),
    f("people", "Number of people", Kind::Number(10_000_000)),
    f("what_changed", "What changed as a result", Kind::LongText),
    f("write_up_url", "Link to the write-up", Kind::Url),
];

static RESPONSIBILITY: [Field; 24] = with_people!(
    [
        "accountable_owner",
        "bias_owner",
        "updates_owner",
        "monitoring_owner",
        "training_owner"
    ],
    [
        f("declaration.signed_by", "Signed by", Kind::Text)
            .required()
            .needed(),
        f("declaration.role", "Their role", Kind::Text).required(),
        f("declaration.signed_on", "Date signed", Kind::Date).required(),
        f(
            "challenge_route.how",
            "How to challenge a decision",
            Kind::LongText
        )
        .hint("Who to contact and how, in words")
        .required()
        .needed_when(|p| p.decision_role.needs_challenge_route()),
        f("challenge_route.email", "Email address", Kind::Email),
        f("challenge_route.phone", "Phone number", Kind::Text),
        f("challenge_route.url", "Web page", Kind::Url),
        f(
            "challenge_route.what_to_include",
            "What to include in a challenge",
            Kind::LongText,
        ),
        f(
            "challenge_route.reply_within_days",
            "Working days to reply",
            Kind::Number(365),
        ),
    ]
);

static SECURITY: [Field; 15] = with_safes!(
    [
        ("five_safes.safe_people", "Safe people"),
        ("five_safes.safe_projects", "Safe projects"),
        ("five_safes.safe_settings", "Safe settings"),
        ("five_safes.safe_data", "Safe data"),
        ("five_safes.safe_outputs", "Safe outputs")
    ],
    [
        f("controllers", "Data controllers", Kind::Text).needed_when(personal),
        f("processors", "Data processors", Kind::Text),
        f(
            "data_sharing_agreements",
            "Data sharing agreements",
            Kind::LongText,
        ),
        f("retention", "How long data is kept", Kind::LongText).needed_when(personal),
        f("storage_location", "Where data is stored", Kind::Text),
    ]
);

static PRIVACY: [Field; 8] = [
    f(
        "opt_out.offered",
        "Can residents opt out?",
        Kind::One(OPT_OUT_OFFERED),
    )
    .required()
    .needed_when(personal),
    f("opt_out.how", "How to opt out", Kind::LongText)
        .only_if("opt_out.offered", &["yes"])
        .required(),
    f("opt_out.url", "Web page for opting out", Kind::Url).only_if("opt_out.offered", &["yes"]),
    f("opt_out.covers", "What opting out covers", Kind::LongText)
        .only_if("opt_out.offered", &["yes"]),
    f(
        "opt_out.uses_register_opt_out",
        "Are choices made on this register's opt-out service honoured?",
        Kind::YesNo,
    )
    .only_if("opt_out.offered", &["yes"]),
    f("opt_out.legal_reason", "The legal reason", Kind::LongText)
        .only_if("opt_out.offered", &["no"])
        .required(),
    f(
        "reidentification.deidentification",
        "How far the data identifies people",
        Kind::One(Deidentification::OPTIONS),
    )
    .required()
    .needed_when(personal),
    f(
        "reidentification.risk_management",
        "How the risk of identifying people again is managed",
        Kind::LongText,
    )
    .required(),
];

static LEGAL: [Field; 10] = [
    f(
        "lawful_basis",
        "Lawful basis (UK GDPR Article 6)",
        Kind::One(LawfulBasis::OPTIONS),
    )
    .needed_when(personal),
    f(
        "special_category_condition",
        "Condition for special category data (Article 9)",
        Kind::One(SpecialCategoryCondition::OPTIONS),
    )
    .needed_when(|p| p.uses_special_category_data()),
    f(
        "confidentiality_basis",
        "Basis under the common law duty of confidentiality",
        Kind::One(ConfidentialityBasis::OPTIONS),
    )
    .hint("For health and care data"),
    f(
        "dpia.done",
        "Has a data protection impact assessment been done?",
        Kind::YesNo,
    )
    .required()
    .needed_when(personal),
    f("dpia.done_on", "Date it was done", Kind::Date),
    f("dpia.url", "Link to it", Kind::Url),
    f("dpia.summary", "What it found", Kind::LongText),
    f("breach_contact.role", "Job title or role", Kind::Text)
        .required()
        .needed_when(personal),
    f("breach_contact.name", "Name", Kind::Text),
    f("breach_contact.email", "Email address", Kind::Email),
];

static OUTCOME: [Field; 8] = [
    f("period_start", "Period start", Kind::Date).required(),
    f("period_end", "Period end", Kind::Date).required(),
    f("published_on", "Date of this report", Kind::Date).required(),
    f(
        "benefits_seen",
        "Benefits seen, against those intended",
        Kind::LongText,
    )
    .required(),
    f("measures", "How they were measured", Kind::LongText),
    f(
        "problems_found",
        "Problems found, including any bias",
        Kind::LongText,
    ),
    f("changes_made", "Changes made as a result", Kind::LongText),
    f("url", "Link to the full report", Kind::Url),
];

/// The field of a law review naming the change, read as a change's number.
pub(super) const LAW_CHANGE_FIELD: &str = "change";

static LAW_REVIEW: [Field; 3] = [
    f(LAW_CHANGE_FIELD, "Number of the change", Kind::Text)
        .hint("As it is on the register's list of changes, such as LAW-0001")
        .required(),
    f("reviewed_on", "Date you reviewed the project", Kind::Date).required(),
    f("note", "What you found", Kind::LongText)
        .hint("What you checked, and what you changed, if anything")
        .required(),
];

/// The editor's sections, in the order of the task list.
pub static SECTIONS: &[Section] = &[
    Section {
        slug: "about",
        title: "About the project",
        principles: "",
        intro: "The project's name, where it is in its life, and where it works.",
        fields: &ABOUT,
        groups: &[],
        list: None,
    },
    Section {
        slug: "summary",
        title: "What it does",
        principles: "Transparency",
        intro: "Say what the project does and why, so that any resident can understand it.",
        fields: &SUMMARY,
        groups: &[Group {
            path: "data_used",
            legend: "The data it uses",
            hint: "",
        }],
        list: None,
    },
    Section {
        slug: "ai",
        title: "AI and decisions",
        principles: "Trustworthy",
        intro: "Say whether it uses AI and what part it plays in decisions about people.",
        fields: &AI,
        groups: &[Group {
            path: "supplier",
            legend: "Supplier",
            hint: "If another organisation built, runs or supplies the system",
        }],
        list: None,
    },
    Section {
        slug: "benefits",
        title: "Benefits and communities",
        principles: "Beneficial, Inclusivity",
        intro: "Say who it is for, who it affects, and how you checked it is fair.",
        fields: &BENEFITS,
        groups: &[Group {
            path: "equality_impact",
            legend: "Equality impact assessment",
            hint: "",
        }],
        list: None,
    },
    Section {
        slug: "consultations",
        title: "Consultations",
        principles: "Inclusivity",
        intro: "List each time residents or communities were consulted. To remove one, clear its answers.",
        fields: &CONSULTATION_FIELDS,
        groups: &[],
        list: Some(List {
            path: "consultations",
            item: "consultation",
            fields: &CONSULTATION,
        }),
    },
    Section {
        slug: "responsibility",
        title: "Who is responsible",
        principles: "Accountability",
        intro: "Name the people responsible, and how residents challenge a decision.",
        fields: &RESPONSIBILITY,
        groups: &[
            Group {
                path: "accountable_owner",
                legend: "Senior person accountable",
                hint: "",
            },
            Group {
                path: "bias_owner",
                legend: "Who addresses bias in data and algorithms",
                hint: "",
            },
            Group {
                path: "updates_owner",
                legend: "Who corrects and updates the algorithms",
                hint: "",
            },
            Group {
                path: "monitoring_owner",
                legend: "Who monitors the algorithms in use",
                hint: "",
            },
            Group {
                path: "training_owner",
                legend: "Who trains front-line staff",
                hint: "",
            },
            Group {
                path: "declaration",
                legend: "Declaration of responsibility",
                hint: "Renewed at least every 12 months",
            },
            Group {
                path: "challenge_route",
                legend: "Challenging a decision",
                hint: "Needed when the system makes or supports decisions about people",
            },
        ],
        list: None,
    },
    Section {
        slug: "security",
        title: "Keeping data safe",
        principles: "Security",
        intro: "Answer each of the Five Safes in plain words, with a link to evidence where there is one.",
        fields: &SECURITY,
        groups: &[
            Group {
                path: "five_safes.safe_people",
                legend: "Safe people",
                hint: "Only trusted, trained people can use the data",
            },
            Group {
                path: "five_safes.safe_projects",
                legend: "Safe projects",
                hint: "The use is lawful, ethical and in the public interest",
            },
            Group {
                path: "five_safes.safe_settings",
                legend: "Safe settings",
                hint: "The data is held and used somewhere secure",
            },
            Group {
                path: "five_safes.safe_data",
                legend: "Safe data",
                hint: "The data is reduced to what is needed and de-identified where possible",
            },
            Group {
                path: "five_safes.safe_outputs",
                legend: "Safe outputs",
                hint: "What leaves the secure setting cannot identify anyone",
            },
        ],
        list: None,
    },
    Section {
        slug: "privacy",
        title: "Privacy and opting out",
        principles: "Privacy",
        intro: "Say whether residents can opt out, and how far the data identifies people.",
        fields: &PRIVACY,
        groups: &[
            Group {
                path: "opt_out",
                legend: "Opting out",
                hint: "",
            },
            Group {
                path: "reidentification",
                legend: "Identifying people",
                hint: "",
            },
        ],
        list: None,
    },
    Section {
        slug: "legal",
        title: "The law",
        principles: "Legality",
        intro: "Give the legal basis for using personal data, and who to tell about a data breach.",
        fields: &LEGAL,
        groups: &[
            Group {
                path: "dpia",
                legend: "Data protection impact assessment",
                hint: "",
            },
            Group {
                path: "breach_contact",
                legend: "Who handles a data breach",
                hint: "",
            },
        ],
        list: None,
    },
    Section {
        slug: "law-reviews",
        title: "Changes in the law",
        principles: "Legality",
        intro: "When the law or a policy changes, check the project against it and say so here. To remove one, clear its answers.",
        fields: &[],
        groups: &[],
        list: Some(List {
            path: "law_reviews",
            item: "review",
            fields: &LAW_REVIEW,
        }),
    },
    Section {
        slug: "outcomes",
        title: "Outcome reports",
        principles: "Trustworthy",
        intro: "Report back on what the project achieved. To remove a report, clear its answers.",
        fields: &[],
        groups: &[],
        list: Some(List {
            path: "outcome_reports",
            item: "outcome report",
            fields: &OUTCOME,
        }),
    },
];

pub fn section(slug: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.slug == slug)
}
