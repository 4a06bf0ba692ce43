//! A signatory organisation: a body that signed the charter and publishes its projects.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::editor::parse_date;
use crate::picklists::{Area, OrgKind};
use crate::{Date, Email, OrgId, Slug, WebUrl};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Organisation {
    /// Stable id; never changes, even if the name or slug does.
    pub id: OrgId,
    /// Short name used in web addresses.
    pub slug: Slug,
    pub name: String,
    pub kind: OrgKind,
    /// What the organisation does, in a sentence or two.
    #[serde(default)]
    pub description: Option<String>,
    /// The boroughs it works in.
    pub boroughs: Vec<Area>,
    /// The date it signed the charter.
    pub signed_on: Date,
    #[serde(default)]
    pub website: Option<WebUrl>,
    /// Where residents write about the register entries.
    pub contact_email: Email,
    /// The data protection officer.
    pub data_protection_officer: DataProtectionOfficer,
    /// The day it stopped being a signatory. Its entries and their history stay public, marked
    /// as from a former signatory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DataProtectionOfficer {
    #[serde(default)]
    pub name: Option<String>,
    pub email: Email,
}

impl Organisation {
    /// Whether it has stopped being a signatory.
    pub fn is_retired(&self) -> bool {
        self.retired_on.is_some()
    }

    /// Why it may not start new entries, if it may not: a former signatory keeps its entries and
    /// may still change them, but adds no new ones.
    pub fn why_no_new_entries(&self) -> Option<String> {
        self.retired_on.map(|left| {
            format!(
                "{} left the charter on {}, so it cannot add new entries. It can still change the entries it has. \
                 A site administrator can reinstate it.",
                self.name,
                left.long()
            )
        })
    }

    /// Problems that types alone cannot rule out.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(format!("{}: the name is blank", self.id));
        }
        if self.boroughs.is_empty() {
            out.push(format!("{}: name at least one borough", self.id));
        }
        out
    }
}

/// Short names that would hide a page under `/manage/organisations/`.
const RESERVED: &[&str] = &["new"];

/// The longest name, in characters.
pub const MAX_NAME: usize = 150;
/// The longest description, in characters.
pub const MAX_DESCRIPTION: usize = 1000;

/// An organisation's details as a person typed them, on a form, a command line or in JSON.
/// Every field is text so that what was typed can be shown again beside what is wrong with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct OrganisationInput {
    /// Its full name, as people know it.
    pub name: String,
    /// The short name for web addresses: small letters, digits and hyphens.
    pub slug: String,
    /// One of the kinds of organisation (`OrgKind`), by short name or label.
    pub kind: String,
    /// The boroughs it works in, by short name or label.
    pub boroughs: Vec<String>,
    /// The day it signed the charter: 2026-03-31 or 31/3/2026.
    pub signed_on: String,
    pub contact_email: String,
    pub website: String,
    pub description: String,
    pub dpo_name: String,
    pub dpo_email: String,
}

impl OrganisationInput {
    /// The organisation's details as typed, for a form that changes them.
    pub fn of(org: &Organisation) -> Self {
        OrganisationInput {
            name: org.name.clone(),
            slug: org.slug.to_string(),
            kind: org.kind.slug().to_owned(),
            boroughs: org.boroughs.iter().map(|b| b.slug().to_owned()).collect(),
            signed_on: org.signed_on.to_string(),
            contact_email: org.contact_email.to_string(),
            website: org
                .website
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            description: org.description.clone().unwrap_or_default(),
            dpo_name: org.data_protection_officer.name.clone().unwrap_or_default(),
            dpo_email: org.data_protection_officer.email.to_string(),
        }
    }

    /// Whether a borough was ticked, for a form's checkboxes.
    pub fn has_borough(&self, slug: &str) -> bool {
        self.boroughs.iter().any(|b| b == slug)
    }
}

/// What is wrong with one field of an [`OrganisationInput`]: the field's name and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    pub field: &'static str,
    pub message: String,
}

/// The name or short name typed that another organisation already has, said on its field with
/// the other organisation's name, so that it is said with every other problem at once.
pub fn taken<'a>(
    input: &OrganisationInput,
    others: impl IntoIterator<Item = &'a Organisation>,
) -> Vec<InputProblem> {
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (name, slug) = (words(&input.name), input.slug.trim());
    let mut found = Vec::new();
    for other in others {
        if !name.is_empty() && words(&other.name).eq_ignore_ascii_case(&name) {
            found.push(problem(
                "name",
                format!(
                    "{} is already on the register with this name: give this one a different name",
                    other.name
                ),
            ));
        }
        if !slug.is_empty() && other.slug.as_str().eq_ignore_ascii_case(slug) {
            found.push(problem(
                "slug",
                format!(
                    "The short name “{slug}” is taken by {}: choose another",
                    other.name
                ),
            ));
        }
    }
    found
}

fn problem(field: &'static str, message: impl Into<String>) -> InputProblem {
    InputProblem {
        field,
        message: message.into(),
    }
}

/// A choice from a list, matched by short name or by label, in any case.
fn choose<T: Copy>(
    value: &str,
    all: &[T],
    slug: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Option<T> {
    let v = value.trim();
    all.iter()
        .copied()
        .find(|c| slug(*c).eq_ignore_ascii_case(v) || label(*c).eq_ignore_ascii_case(v))
}

/// Text, trimmed, or `None` when blank.
fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Reads what a person typed into an organisation with id `id`, checking every field at once:
/// a blank name, a short name that is not one, an unknown kind or borough, no borough, a signing
/// date that is not a date or is after `today`, an email or web address that is not one. The
/// retirement date is kept from `retired_on`: retiring is its own step.
pub fn parse_input(
    input: &OrganisationInput,
    id: OrgId,
    retired_on: Option<Date>,
    today: Date,
) -> Result<Organisation, Vec<InputProblem>> {
    let mut problems = Vec::new();
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        problems.push(problem("name", "Enter the organisation's name"));
    } else if name.chars().count() > MAX_NAME {
        problems.push(problem(
            "name",
            format!("Shorten the name to {MAX_NAME} characters or fewer"),
        ));
    }
    let slug_text = input.slug.trim();
    let slug = if slug_text.is_empty() {
        problems.push(problem(
            "slug",
            "Enter a short name for web addresses, like knowsley-council",
        ));
        None
    } else if RESERVED.contains(&slug_text) {
        problems.push(problem(
            "slug",
            format!("“{slug_text}” cannot be a short name: choose another, like {slug_text}-org"),
        ));
        None
    } else {
        match slug_text.parse::<Slug>() {
            Ok(s) => Some(s),
            Err(_) => {
                problems.push(problem(
                    "slug",
                    format!(
                        "“{slug_text}” is not a short name: use small letters, digits and single hyphens, like knowsley-council"
                    ),
                ));
                None
            }
        }
    };
    let kind = if input.kind.trim().is_empty() {
        problems.push(problem("kind", "Choose what kind of organisation it is"));
        None
    } else {
        let found = choose(&input.kind, OrgKind::ALL, OrgKind::slug, OrgKind::label);
        if found.is_none() {
            let allowed: Vec<&str> = OrgKind::ALL.iter().map(|k| k.slug()).collect();
            problems.push(problem(
                "kind",
                format!(
                    "“{}” is not a kind of organisation: choose {}",
                    input.kind.trim(),
                    allowed.join(", ")
                ),
            ));
        }
        found
    };
    let mut boroughs = Vec::new();
    for b in input.boroughs.iter().filter(|b| !b.trim().is_empty()) {
        match choose(b, Area::BOROUGHS, Area::slug, Area::label) {
            Some(area) if !boroughs.contains(&area) => boroughs.push(area),
            Some(_) => {}
            None => {
                let allowed: Vec<&str> = Area::BOROUGHS.iter().map(|a| a.slug()).collect();
                problems.push(problem(
                    "boroughs",
                    format!(
                        "“{}” is not one of the boroughs: choose from {}",
                        b.trim(),
                        allowed.join(", ")
                    ),
                ));
            }
        }
    }
    if boroughs.is_empty() && !problems.iter().any(|p| p.field == "boroughs") {
        problems.push(problem(
            "boroughs",
            "Choose at least one borough it works in",
        ));
    }
    boroughs.sort();
    let signed_on = match input.signed_on.trim() {
        "" => {
            problems.push(problem(
                "signed_on",
                "Enter the date it signed the charter, like 2026-03-31",
            ));
            None
        }
        typed => match parse_date(typed) {
            Some(d) if d > today => {
                problems.push(problem(
                    "signed_on",
                    format!(
                        "The date it signed must be today or earlier, not {}",
                        d.long()
                    ),
                ));
                None
            }
            Some(d) => Some(d),
            None => {
                problems.push(problem(
                    "signed_on",
                    format!("“{typed}” is not a date: write it like 2026-03-31 or 31/3/2026"),
                ));
                None
            }
        },
    };
    let contact_email = email(
        &input.contact_email,
        "contact_email",
        "the email address residents write to",
        &mut problems,
    );
    let dpo_email = email(
        &input.dpo_email,
        "dpo_email",
        "the data protection officer's email address",
        &mut problems,
    );
    let website = match input.website.trim() {
        "" => None,
        typed => match typed.parse::<WebUrl>() {
            Ok(u) => Some(u),
            Err(_) => {
                problems.push(problem(
                    "website",
                    format!("“{typed}” is not a web address: write it in full, like https://www.example.gov.uk"),
                ));
                None
            }
        },
    };
    let description = optional(&input.description);
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
    {
        problems.push(problem(
            "description",
            format!("Shorten the description to {MAX_DESCRIPTION} characters or fewer"),
        ));
    }
    match (slug, kind, signed_on, contact_email, dpo_email) {
        (Some(slug), Some(kind), Some(signed_on), Some(contact_email), Some(dpo_email))
            if problems.is_empty() =>
        {
            Ok(Organisation {
                id,
                slug,
                name,
                kind,
                description,
                boroughs,
                signed_on,
                website,
                contact_email,
                data_protection_officer: DataProtectionOfficer {
                    name: optional(&input.dpo_name),
                    email: dpo_email,
                },
                retired_on,
            })
        }
        _ => Err(problems),
    }
}

fn email(
    typed: &str,
    field: &'static str,
    what: &str,
    problems: &mut Vec<InputProblem>,
) -> Option<Email> {
    let t = typed.trim();
    if t.is_empty() {
        problems.push(problem(field, format!("Enter {what}")));
        return None;
    }
    match t.parse::<Email>() {
        Ok(e) => Some(e),
        Err(_) => {
            problems.push(problem(
                field,
                format!("“{t}” is not an email address: write it like name@example.gov.uk"),
            ));
            None
        }
    }
}

/// Up to three of `known` short names closest to `wanted`: those it starts, ends or is part
/// of, then those a few typing slips away, nearest first.
pub fn closest<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = wanted.trim().to_lowercase();
    if wanted.is_empty() {
        return Vec::new();
    }
    let limit = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = known
        .into_iter()
        .filter_map(|k| {
            let part = k.contains(wanted.as_str()) || wanted.contains(k);
            let first_word = wanted
                .split('-')
                .next()
                .is_some_and(|w| w.len() >= 3 && k.split('-').any(|p| p == w));
            let d = distance(&wanted, k);
            if part || first_word {
                Some((0, k))
            } else {
                (d <= limit).then_some((d, k))
            }
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

/// Levenshtein distance between two short names, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(here).min(row[j])
            };
            previous = here;
        }
    }
    row[b.len()]
}

/// What to say when no organisation has the short name `wanted`: the closest ones there are,
/// and how to add it. It starts in small letters, as command-line errors do; pages and the API
/// capitalise it.
pub fn unknown_short_name<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let near = closest(wanted, known);
    let hint = match near.as_slice() {
        [] => String::new(),
        [one] => format!(" Did you mean {one}?"),
        many => format!(" Did you mean one of {}?", many.join(", ")),
    };
    format!(
        "no organisation on the register has the short name “{}”.{hint} To add it, a site administrator runs `charter org add` or uses /manage/organisations/new.",
        wanted.trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        "2026-06-01".parse().unwrap()
    }

    fn good() -> OrganisationInput {
        OrganisationInput {
            name: "  Halton   Housing ".into(),
            slug: "halton-housing".into(),
            kind: "Housing association".into(),
            boroughs: vec!["halton".into(), "St Helens".into(), "halton".into()],
            signed_on: "31/3/2026".into(),
            contact_email: "register@halton-housing.example".into(),
            website: "https://halton-housing.example".into(),
            description: String::new(),
            dpo_name: "Sam Jones".into(),
            dpo_email: "dpo@halton-housing.example".into(),
        }
    }

    #[test]
    fn good_input_reads_with_labels_and_tidy_values() {
        let org = parse_input(&good(), OrgId::new(9), None, today()).unwrap();
        assert_eq!(org.name, "Halton Housing");
        assert_eq!(org.kind, OrgKind::HousingAssociation);
        assert_eq!(org.boroughs, [Area::Halton, Area::StHelens]);
        assert_eq!(org.signed_on.to_string(), "2026-03-31");
        assert_eq!(org.description, None);
        assert_eq!(
            OrganisationInput::of(&org).boroughs,
            ["halton", "st-helens"]
        );
    }

    #[test]
    fn a_taken_name_or_short_name_names_who_has_it() {
        let mut other = parse_input(&good(), OrgId::new(2), None, today()).unwrap();
        other.name = "HALTON housing".into();
        let found = taken(&good(), [&other]);
        let said: Vec<(&str, &str)> = found
            .iter()
            .map(|p| (p.field, p.message.as_str()))
            .collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert_eq!(said[0].0, "name");
        assert!(
            said[0]
                .1
                .contains("HALTON housing is already on the register"),
            "{said:?}"
        );
        assert_eq!(said[1].0, "slug");
        assert!(said[1].1.contains("is taken by HALTON housing"), "{said:?}");
        other.slug = "elsewhere".parse().unwrap();
        other.name = "Elsewhere".into();
        assert!(taken(&good(), [&other]).is_empty());
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let bad = OrganisationInput {
            name: " ".into(),
            slug: "Halton Housing".into(),
            kind: "charity".into(),
            boroughs: vec![],
            signed_on: "2026-06-02".into(),
            contact_email: "register at halton".into(),
            website: "halton-housing.example".into(),
            description: String::new(),
            dpo_name: String::new(),
            dpo_email: String::new(),
        };
        let problems = parse_input(&bad, OrgId::new(9), None, today()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "slug",
                "kind",
                "boroughs",
                "signed_on",
                "contact_email",
                "dpo_email",
                "website"
            ]
        );
        let said = |f: &str| &problems.iter().find(|p| p.field == f).unwrap().message;
        assert!(
            said("signed_on").contains("today or earlier"),
            "{}",
            said("signed_on")
        );
        assert!(
            said("kind").contains("housing-association"),
            "{}",
            said("kind")
        );
        assert!(said("website").contains("https://"), "{}", said("website"));
        assert!(said("contact_email").contains("“register at halton”"));
    }

    #[test]
    fn a_reserved_short_name_and_an_unknown_borough_are_refused() {
        let mut input = good();
        input.slug = "new".into();
        input.boroughs = vec!["chester".into()];
        let problems = parse_input(&input, OrgId::new(9), None, today()).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[1]
                .message
                .contains("“chester” is not one of the boroughs")
        );
    }

    #[test]
    fn stored_kinds_still_read_and_retirement_is_optional() {
        for old in [
            "council",
            "nhs",
            "university",
            "police-or-fire",
            "transport",
            "voluntary",
            "company",
        ] {
            assert_eq!(old.parse::<OrgKind>().unwrap().slug(), old);
        }
        let org = parse_input(&good(), OrgId::new(9), None, today()).unwrap();
        let json = serde_json::to_value(&org).unwrap();
        assert!(json.get("retired_on").is_none());
        let read: Organisation = serde_json::from_value(json).unwrap();
        assert!(!read.is_retired());
    }

    #[test]
    fn closest_short_names_come_first() {
        let known = [
            "hm-revenue-customs",
            "halton-council",
            "knowsley-council",
            "wirral-transport",
        ];
        assert_eq!(closest("knowsly-council", known), ["knowsley-council"]);
        assert_eq!(closest("knowsley", known), ["knowsley-council"]);
        assert_eq!(closest("hm-revenue", known), ["hm-revenue-customs"]);
        assert!(closest("zzz", known).is_empty());
        let said = unknown_short_name("halton", known);
        assert!(said.contains("Did you mean halton-council?"), "{said}");
        assert!(said.contains("charter org add"), "{said}");
        assert!(!unknown_short_name("nhs", []).contains("Did you mean"));
    }
}
