//! Small registers built in code, for the conformance suite and the web tests.

use charter_core::sample;

/// [`sample::organisation`] from literals written in a test.
pub fn organisation(
    number: u32,
    slug: &str,
    name: &str,
    kind: OrgKind,
    boroughs: &[Area],
) -> Organisation {
    let slug = slug.parse().expect("a test's slug is valid");
    sample::organisation(number, &slug, name, kind, boroughs)
}

/// [`sample::minimal_project`] from literals written in a test.
pub fn minimal_project(number: u32, organisation: &str, title: &str, summary: &str) -> Project {
    sample::minimal_project(
        number,
        organisation.parse().expect("a test's slug is valid"),
        title.parse().expect("a test's title is valid"),
        summary,
    )
}

use charter_core::Date;
use charter_core::Project;
use charter_core::organisation::Organisation;
use charter_core::picklists::*;
use charter_core::project::*;

fn date(s: &str) -> Date {
    s.parse().expect("fixture dates are valid")
}

fn holder(role: &str, name: &str, email: &str) -> Option<DutyHolder> {
    Some(DutyHolder {
        role: role.to_owned(),
        name: Some(name.to_owned()),
        email: Some(email.parse().expect("valid")),
    })
}

fn safe(s: &str) -> Option<SafeStatement> {
    Some(SafeStatement {
        statement: s.to_owned(),
        evidence_url: Some("https://evidence.example/doc".parse().expect("valid")),
    })
}

/// A project with every field filled, so a round trip through a store proves nothing is lost.
pub fn complete_project(number: u32, organisation: &str) -> Project {
    let mut p = minimal_project(
        number,
        organisation,
        "Finding homes at risk of damp and mould",
        "We use repair records to find homes that may have damp, so we can visit them before families get ill.",
    );
    p.team = Some("Housing repairs".into());
    p.status = Status::InUse;
    p.start_date = Some(date("2024-04-01"));
    p.end_date = Some(date("2027-03-31"));
    p.next_review_date = Some(date("2026-04-01"));
    p.areas = vec![Area::Knowsley, Area::Liverpool];
    p.topics = vec![Topic::Housing, Topic::Health];
    p.how_it_works =
        Some("A model looks at past repairs, the age of the home and the weather.".into());
    p.data_used = Some(DataUsed {
        description: "Repair requests and property records about council tenants.".into(),
        personal_data: true,
        special_category_data: true,
    });
    p.website = Some("https://homes.example/damp".parse().expect("valid"));
    p.contact_email = Some("damp@homes.example".parse().expect("valid"));
    p.uses_ai = true;
    p.ai_kind = Some(AiKind::MachineLearning);
    p.decision_role = DecisionRole::SupportsPerson;
    p.human_oversight = Some("A surveyor checks every home the model picks.".into());
    p.supplier = Some(Supplier {
        name: "Data Homes Ltd".into(),
        companies_house_number: Some("01234567".into()),
        role: SupplierRole::BuildsSystem,
    });
    p.outcome_reports = vec![OutcomeReport {
        period_start: date("2024-04-01"),
        period_end: date("2025-03-31"),
        published_on: date("2025-05-01"),
        benefits_seen: "We found 300 homes with damp before tenants reported it.".into(),
        measures: Some("Homes visited, damp found, repeat reports.".into()),
        problems_found: Some("Fewer flats were picked than houses; we fixed the data.".into()),
        changes_made: Some("We added flats' repair history.".into()),
        url: Some("https://homes.example/report".parse().expect("valid")),
    }];
    p.public_benefit = Some("Fewer people live in damp homes.".into());
    p.benefit_kinds = vec![BenefitKind::Health, BenefitKind::BetterServices];
    p.wider_benefit = Some("Other landlords can use our method.".into());
    p.intended_beneficiaries = Some("Council tenants".into());
    p.affected_communities =
        Some("Tenants in older homes, and families with young children.".into());
    p.consultations = vec![Consultation {
        held_on: date("2024-02-10"),
        who: "Tenants' panel".into(),
        method: ConsultationMethod::Panel,
        people: Some(14),
        what_changed: Some("We now write to tenants before a visit.".into()),
        write_up_url: Some("https://homes.example/panel".parse().expect("valid")),
    }];
    p.no_consultation_reason = None;
    p.equality_impact = Some(EqualityImpact {
        done: true,
        done_on: Some(date("2024-03-01")),
        summary: Some("Older people and disabled people benefit most.".into()),
        url: None,
        characteristics_considered: vec![
            Characteristic::Age,
            Characteristic::Disability,
            Characteristic::SocioEconomic,
        ],
    });
    p.bias_assessment = Some("We compare picks across areas every quarter.".into());
    p.accountable_owner = holder("Director of Housing", "Ada Quinn", "ada@homes.example");
    p.bias_owner = holder("Data Ethics Lead", "Ben Ross", "ben@homes.example");
    p.updates_owner = holder("Lead Data Scientist", "Cat Lee", "cat@homes.example");
    p.monitoring_owner = holder("Repairs Manager", "Dev Patel", "dev@homes.example");
    p.training_owner = holder("Training Manager", "Eve Shaw", "eve@homes.example");
    p.challenge_route = Some(ChallengeRoute {
        how: "Write to the repairs team or call us.".into(),
        email: Some("challenge@homes.example".parse().expect("valid")),
        phone: Some("0151 496 0000".into()),
        url: Some("https://homes.example/challenge".parse().expect("valid")),
        what_to_include: Some("Your address and what you disagree with.".into()),
        reply_within_days: Some(10),
    });
    p.declaration = Some(Declaration {
        signed_by: "Ada Quinn".into(),
        role: "Director of Housing".into(),
        signed_on: date("2025-04-01"),
    });
    p.five_safes = FiveSafes {
        safe_people: safe("Only trained staff see the data."),
        safe_projects: safe("The board approved the project."),
        safe_settings: safe("Data stays on council servers."),
        safe_data: safe("Names are removed before analysis."),
        safe_outputs: safe("Results are checked before they are shared."),
    };
    p.controllers = Some("Homes Council".into());
    p.processors = Some("Data Homes Ltd".into());
    p.data_sharing_agreements = Some("Agreement with the repairs contractor, 2024.".into());
    p.retention = Some("Six years after the tenancy ends.".into());
    p.storage_location = Some("UK data centre".into());
    p.opt_out = Some(OptOut::Yes {
        how: "Tell the repairs team.".into(),
        url: Some("https://homes.example/opt-out".parse().expect("valid")),
        covers: Some("Your home is left out of the model.".into()),
        uses_register_opt_out: true,
    });
    p.reidentification = Some(Reidentification {
        deidentification: Deidentification::Pseudonymised,
        risk_management: "Keys are held apart from the data.".into(),
    });
    p.lawful_basis = Some(LawfulBasis::PublicTask);
    p.special_category_condition = Some(SpecialCategoryCondition::SubstantialPublicInterest);
    p.confidentiality_basis = Some(ConfidentialityBasis::NotConfidential);
    p.dpia = Some(Dpia {
        done: true,
        done_on: Some(date("2024-03-15")),
        url: None,
        summary: Some("Risks are low with the safeguards.".into()),
    });
    p.breach_contact = holder("Data Protection Officer", "Fay Wood", "dpo@homes.example");
    p.first_published = date("2024-05-01");
    p.last_updated = date("2025-06-01");
    p
}

/// A small register with known answers: three organisations and eight projects.
pub fn small_register() -> (Vec<Organisation>, Vec<Project>) {
    let orgs = vec![
        organisation(
            1,
            "knowsley-council",
            "Knowsley Council",
            OrgKind::Council,
            &[Area::Knowsley],
        ),
        organisation(
            2,
            "mersey-nhs-trust",
            "Mersey NHS Trust",
            OrgKind::Nhs,
            &[Area::Liverpool, Area::Sefton],
        ),
        organisation(
            3,
            "wirral-transport",
            "Wirral Transport",
            OrgKind::Transport,
            &[Area::Wirral],
        ),
    ];
    let mut projects = Vec::new();
    let mut add = |n: u32, org: &str, title: &str, summary: &str, f: &dyn Fn(&mut Project)| {
        let mut p = minimal_project(n, org, title, summary);
        f(&mut p);
        projects.push(p);
    };
    add(
        1,
        "knowsley-council",
        "Damp repairs planner",
        "Finds council homes that need damp repairs first.",
        &|p| {
            p.topics = vec![Topic::Housing];
            p.areas = vec![Area::Knowsley];
            p.uses_ai = true;
            p.ai_kind = Some(AiKind::MachineLearning);
            p.decision_role = DecisionRole::SupportsPerson;
            p.last_updated = date("2025-06-01");
        },
    );
    add(
        2,
        "knowsley-council",
        "School places forecast",
        "Forecasts how many school places each area needs. Housing growth is one input.",
        &|p| {
            p.topics = vec![Topic::Education, Topic::Planning];
            p.areas = vec![Area::Knowsley];
            p.last_updated = date("2025-02-01");
        },
    );
    add(
        3,
        "mersey-nhs-trust",
        "A&E demand forecast",
        "Predicts how busy the emergency department will be, so we can plan staff.",
        &|p| {
            p.topics = vec![Topic::Health];
            p.areas = vec![Area::Liverpool, Area::Sefton];
            p.uses_ai = true;
            p.ai_kind = Some(AiKind::MachineLearning);
            p.status = Status::Pilot;
            p.last_updated = date("2025-03-01");
        },
    );
    add(
        4,
        "mersey-nhs-trust",
        "Falls risk checker",
        "Helps nurses spot older patients at risk of falling. Nurses decide what to do.",
        &|p| {
            p.topics = vec![Topic::Health, Topic::SocialCare];
            p.areas = vec![Area::Sefton];
            p.uses_ai = true;
            p.ai_kind = Some(AiKind::RulesBased);
            p.decision_role = DecisionRole::DecidesPersonReviews;
            p.last_updated = date("2025-04-01");
        },
    );
    add(
        5,
        "wirral-transport",
        "Bus punctuality dashboard",
        "Shows which bus routes run late, and when.",
        &|p| {
            p.topics = vec![Topic::Transport];
            p.areas = vec![Area::Wirral];
            p.last_updated = date("2025-05-01");
        },
    );
    add(
        6,
        "wirral-transport",
        "Ticket fraud alerts",
        "Flags ticket machines with unusual sales. A person checks each alert.",
        &|p| {
            p.topics = vec![Topic::Transport, Topic::CommunitySafety];
            p.areas = vec![Area::Wirral, Area::WholeRegion];
            p.uses_ai = true;
            p.ai_kind = Some(AiKind::Other);
            p.decision_role = DecisionRole::DecidesAlone;
            p.status = Status::Paused;
            p.status_reason = Some("Waiting for a new supplier.".into());
            p.last_updated = date("2025-01-20");
        },
    );
    add(
        7,
        "knowsley-council",
        "Council tax chatbot",
        "Answers questions about council tax and repairs using generative AI.",
        &|p| {
            p.topics = vec![Topic::BenefitsMoney];
            p.areas = vec![Area::Knowsley];
            p.uses_ai = true;
            p.ai_kind = Some(AiKind::Generative);
            p.status = Status::Retired;
            p.status_reason = Some("Replaced by a better web page.".into());
            p.last_updated = date("2024-12-01");
        },
    );
    add(
        8,
        "mersey-nhs-trust",
        "Air quality alerts",
        "Texts people with asthma when the air is poor. Zebra is a rare word here.",
        &|p| {
            p.topics = vec![Topic::Environment, Topic::Health];
            p.areas = vec![Area::WiderThanRegion];
            p.status = Status::Planned;
            p.last_updated = date("2025-07-01");
        },
    );
    (orgs, projects)
}
