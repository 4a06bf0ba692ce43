//! Made-up organisations and entries, built in code: the register `charter generate` fills for
//! benchmarks, and the tests' registers, start from these.
//!
//! They take known-good literals: a slug, title, address or date that does not parse is a
//! mistake in the caller's code, and panics.

use crate::organisation::{DataProtectionOfficer, Organisation};
use crate::picklists::{Area, DecisionRole, OrgKind, Status, Topic};
use crate::{Date, OrgId, Project, ProjectId};

fn date(s: &str) -> Date {
    s.parse().expect("sample dates are valid")
}

/// An organisation with every field filled from its slug and name.
pub fn organisation(
    number: u32,
    slug: &str,
    name: &str,
    kind: OrgKind,
    boroughs: &[Area],
) -> Organisation {
    Organisation {
        id: OrgId::new(number),
        slug: slug.parse().expect("sample slugs are valid"),
        name: name.to_owned(),
        kind,
        description: Some(format!("{name} serves people in the city region.")),
        boroughs: boroughs.to_vec(),
        signed_on: date("2024-06-01"),
        website: Some(
            format!("https://{slug}.example/")
                .parse()
                .expect("valid url"),
        ),
        contact_email: format!("register@{slug}.example")
            .parse()
            .expect("valid email"),
        data_protection_officer: DataProtectionOfficer {
            name: Some("Sam Jones".to_owned()),
            email: format!("dpo@{slug}.example").parse().expect("valid email"),
        },
    }
}

/// A project with only the required fields filled.
pub fn minimal_project(number: u32, organisation: &str, title: &str, summary: &str) -> Project {
    let title: crate::Title = title.parse().expect("sample titles are valid");
    let mut p = Project::new_draft(
        title,
        organisation.parse().expect("sample slugs are valid"),
        false,
        DecisionRole::InformationOnly,
        date("2025-01-10"),
    );
    p.id = ProjectId::new(number);
    p.status = Status::InUse;
    p.areas = vec![Area::Liverpool];
    p.topics = vec![Topic::Other];
    p.summary = summary.to_owned();
    p
}
