//! Made-up organisations and entries, built in code: the register `charter generate` fills for
//! benchmarks, and the tests' registers, start from these.
//!
//! They take parsed values (a `Slug`, a `Title`), so nothing a caller passes can make them fail;
//! what they derive from those (an address from a slug, fixed dates) is valid by construction.

use crate::organisation::{DataProtectionOfficer, Organisation};
use crate::picklists::{Area, DecisionRole, OrgKind, Status, Topic};
use crate::{Date, Email, OrgId, Project, ProjectId, Slug, Title};

/// When every made-up organisation signed, and when a minimal entry starts: checked at compile time.
const SIGNED_ON: Date = Date::written(time::macros::date!(2024 - 06 - 01));
const STARTED_ON: Date = Date::written(time::macros::date!(2025 - 01 - 10));

/// An organisation with every field filled from its slug and name.
pub fn organisation(
    number: u32,
    slug: &Slug,
    name: &str,
    kind: OrgKind,
    boroughs: &[Area],
) -> Organisation {
    Organisation {
        id: OrgId::new(number),
        slug: slug.clone(),
        name: name.to_owned(),
        kind,
        description: Some(format!("{name} serves people in the city region.")),
        boroughs: boroughs.to_vec(),
        signed_on: SIGNED_ON,
        // A slug is lower-case letters, digits and hyphens: a valid host name label.
        website: format!("https://{slug}.example/").parse().ok(),
        contact_email: Email::at_example("register", slug),
        data_protection_officer: DataProtectionOfficer {
            name: Some("Sam Jones".to_owned()),
            email: Email::at_example("dpo", slug),
        },
        retired_on: None,
    }
}

/// A project with only the required fields filled.
pub fn minimal_project(number: u32, organisation: Slug, title: Title, summary: &str) -> Project {
    let mut p = Project::new_draft(
        title,
        organisation,
        false,
        DecisionRole::InformationOnly,
        STARTED_ON,
    );
    p.id = ProjectId::new(number);
    p.status = Status::InUse;
    p.areas = vec![Area::Liverpool];
    p.topics = vec![Topic::Other];
    p.summary = summary.to_owned();
    p
}
