//! The bulk download's columns, defined once: the CSV writer, the JSON download's documentation
//! and the public data dictionary page all read this list, so they cannot drift apart.

use crate::project::{DutyHolder, OptOut, Project};
use crate::{Date, Organisation};

pub struct Column {
    pub name: &'static str,
    pub meaning: &'static str,
    pub value: fn(&Project, Option<&Organisation>) -> String,
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn list<T: Copy>(v: &[T], slug: fn(T) -> &'static str) -> String {
    v.iter().map(|x| slug(*x)).collect::<Vec<_>>().join(";")
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

fn holder(h: &Option<DutyHolder>) -> String {
    match h {
        None => String::new(),
        Some(h) => {
            let mut s = h.role.clone();
            if let Some(n) = &h.name {
                s = format!("{n}, {s}");
            }
            if let Some(e) = &h.email {
                s = format!("{s} <{e}>");
            }
            s
        }
    }
}

fn latest(dates: impl Iterator<Item = Date>) -> String {
    dates.max().map(|d| d.to_string()).unwrap_or_default()
}

macro_rules! col {
    ($name:literal, $meaning:literal, |$p:ident, $o:ident| $body:expr) => {
        Column {
            name: $name,
            meaning: $meaning,
            value: |$p: &Project, $o: Option<&Organisation>| {
                let _ = &$o;
                $body
            },
        }
    };
}

/// Every column of `register.csv`, in order. Lists inside a cell are separated by `;`.
pub const COLUMNS: &[Column] = &[
    col!(
        "id",
        "The project's id, such as LCR-0042. It never changes and is never used again.",
        |p, _o| p.id.to_string()
    ),
    col!("title", "The project's name.", |p, _o| p.title.to_string()),
    col!(
        "url_slug",
        "The short name in the project's web address.",
        |p, _o| p.slug.to_string()
    ),
    col!(
        "organisation_id",
        "The id of the group in charge, such as ORG-0007.",
        |_p, o| o.map(|o| o.id.to_string()).unwrap_or_default()
    ),
    col!(
        "organisation",
        "The short name of the group in charge.",
        |p, _o| p.organisation.to_string()
    ),
    col!(
        "organisation_name",
        "The full name of the group in charge.",
        |_p, o| o.map(|o| o.name.clone()).unwrap_or_default()
    ),
    col!("team", "The team that runs the project.", |p, _o| opt(
        &p.team
    )),
    col!(
        "status",
        "How far along the project is. One of: planned, in-development, pilot, in-use, paused or retired.",
        |p, _o| p.status.slug().to_owned()
    ),
    col!(
        "status_reason",
        "Why a paused or retired project stopped.",
        |p, _o| opt(&p.status_reason)
    ),
    col!(
        "start_date",
        "When the project started (YYYY-MM-DD).",
        |p, _o| opt(&p.start_date)
    ),
    col!(
        "end_date",
        "When the project ended or will end (YYYY-MM-DD).",
        |p, _o| opt(&p.end_date)
    ),
    col!(
        "next_review_date",
        "When the group will next look again at the project (YYYY-MM-DD).",
        |p, _o| opt(&p.next_review_date)
    ),
    col!(
        "areas",
        "Areas it covers. Any of: halton, knowsley, liverpool, sefton, st-helens, wirral, whole-city-region, wider-than-region.",
        |p, _o| list(&p.areas, |a| a.slug())
    ),
    col!(
        "topics",
        "What the project is about, from our list of topics.",
        |p, _o| list(&p.topics, |t| t.slug())
    ),
    col!(
        "first_published",
        "When the entry first went on the register (YYYY-MM-DD).",
        |p, _o| p.first_published.to_string()
    ),
    col!(
        "last_updated",
        "When the entry last changed (YYYY-MM-DD).",
        |p, _o| p.last_updated.to_string()
    ),
    col!(
        "summary",
        "What the project does and why, in plain English.",
        |p, _o| p.summary.clone()
    ),
    col!("how_it_works", "More about how it works.", |p, _o| opt(
        &p.how_it_works
    )),
    col!(
        "data_used",
        "Which data it uses, where the data comes from and who it is about.",
        |p, _o| p
            .data_used
            .as_ref()
            .map(|d| d.description.clone())
            .unwrap_or_default()
    ),
    col!(
        "personal_data",
        "Whether it uses personal data. Yes or no (blank if not said).",
        |p, _o| p
            .data_used
            .as_ref()
            .map(|d| yes_no(d.personal_data))
            .unwrap_or_default()
    ),
    col!(
        "special_category_data",
        "Whether it uses special category data, such as health, ethnic group or religion. Yes or no (blank if not said).",
        |p, _o| p
            .data_used
            .as_ref()
            .map(|d| yes_no(d.special_category_data))
            .unwrap_or_default()
    ),
    col!("website", "A web page about the project.", |p, _o| opt(
        &p.website
    )),
    col!(
        "contact_email",
        "Where to write about the project.",
        |p, _o| opt(&p.contact_email)
    ),
    col!(
        "uses_ai",
        "Whether the project uses AI. Yes or no.",
        |p, _o| yes_no(p.uses_ai)
    ),
    col!(
        "ai_kind",
        "The kind of AI. One of: rules-based, machine-learning, generative or other.",
        |p, _o| p.ai_kind.map(|k| k.slug().to_owned()).unwrap_or_default()
    ),
    col!(
        "decision_role",
        "How much results decide what happens to people. One of: information-only, supports-person, decides-person-reviews or decides-alone.",
        |p, _o| p.decision_role.slug().to_owned()
    ),
    col!(
        "human_oversight",
        "Who can check or overturn results, and how.",
        |p, _o| opt(&p.human_oversight)
    ),
    col!(
        "supplier",
        "The supplier's name, Companies House number and role, if there is a supplier.",
        |p, _o| p
            .supplier
            .as_ref()
            .map(|s| {
                let mut v = s.name.clone();
                if let Some(n) = &s.companies_house_number {
                    v = format!("{v} ({n})");
                }
                format!("{v}; {}", s.role.slug())
            })
            .unwrap_or_default()
    ),
    col!(
        "outcome_reports",
        "How many outcome reports have been published.",
        |p, _o| p.outcome_reports.len().to_string()
    ),
    col!(
        "latest_outcome_report",
        "When the last outcome report came out (YYYY-MM-DD).",
        |p, _o| latest(p.outcome_reports.iter().map(|r| r.published_on))
    ),
    col!(
        "public_benefit",
        "What good the project does and for whom.",
        |p, _o| opt(&p.public_benefit)
    ),
    col!(
        "benefit_kinds",
        "Kinds of benefit, from our list.",
        |p, _o| list(&p.benefit_kinds, |b| b.slug())
    ),
    col!(
        "wider_benefit",
        "Good it does outside the city region.",
        |p, _o| opt(&p.wider_benefit)
    ),
    col!(
        "intended_beneficiaries",
        "Who the project is meant to benefit.",
        |p, _o| opt(&p.intended_beneficiaries)
    ),
    col!(
        "affected_communities",
        "Who could be affected, and who could lose out.",
        |p, _o| opt(&p.affected_communities)
    ),
    col!(
        "consultations",
        "How many times residents or groups were asked for their views.",
        |p, _o| p.consultations.len().to_string()
    ),
    col!(
        "latest_consultation",
        "When people were last asked for their views (YYYY-MM-DD).",
        |p, _o| latest(p.consultations.iter().map(|c| c.held_on))
    ),
    col!(
        "no_consultation_reason",
        "Why nobody was asked, if no one was.",
        |p, _o| opt(&p.no_consultation_reason)
    ),
    col!(
        "equality_impact_done",
        "Whether an equality impact assessment was done. Yes or no (blank if not said).",
        |p, _o| p
            .equality_impact
            .as_ref()
            .map(|e| yes_no(e.done))
            .unwrap_or_default()
    ),
    col!(
        "bias_assessment",
        "How bias in data and results is checked, and what was found.",
        |p, _o| opt(&p.bias_assessment)
    ),
    col!(
        "accountable_owner",
        "The senior person in charge: name, role and email as given.",
        |p, _o| holder(&p.accountable_owner)
    ),
    col!(
        "bias_owner",
        "Who deals with bias in data and algorithms.",
        |p, _o| holder(&p.bias_owner)
    ),
    col!(
        "updates_owner",
        "Who fixes and updates the algorithms.",
        |p, _o| holder(&p.updates_owner)
    ),
    col!(
        "monitoring_owner",
        "Who keeps watch on the algorithms in use.",
        |p, _o| holder(&p.monitoring_owner)
    ),
    col!(
        "training_owner",
        "Who trains front-line staff on use, benefits and limits.",
        |p, _o| holder(&p.training_owner)
    ),
    col!(
        "challenge_route",
        "How a person can challenge a decision the system made or helped to make.",
        |p, _o| p
            .challenge_route
            .as_ref()
            .map(|c| c.how.clone())
            .unwrap_or_default()
    ),
    col!("challenge_email", "Where to send a challenge.", |p, _o| p
        .challenge_route
        .as_ref()
        .map(|c| opt(&c.email))
        .unwrap_or_default()),
    col!(
        "challenge_reply_days",
        "Working days the group takes to reply to a challenge.",
        |p, _o| p
            .challenge_route
            .as_ref()
            .map(|c| opt(&c.reply_within_days))
            .unwrap_or_default()
    ),
    col!(
        "declaration_signed_by",
        "Who signed the declaration of responsibility, and their role.",
        |p, _o| p
            .declaration
            .as_ref()
            .map(|d| format!("{}, {}", d.signed_by, d.role))
            .unwrap_or_default()
    ),
    col!(
        "declaration_signed_on",
        "When the declaration was signed (YYYY-MM-DD).",
        |p, _o| p
            .declaration
            .as_ref()
            .map(|d| d.signed_on.to_string())
            .unwrap_or_default()
    ),
    col!(
        "safe_people",
        "Five Safes: how only trusted, trained people use the data.",
        |p, _o| p
            .five_safes
            .safe_people
            .as_ref()
            .map(|s| s.statement.clone())
            .unwrap_or_default()
    ),
    col!(
        "safe_projects",
        "Five Safes: why the use is lawful, ethical and in the public interest.",
        |p, _o| p
            .five_safes
            .safe_projects
            .as_ref()
            .map(|s| s.statement.clone())
            .unwrap_or_default()
    ),
    col!(
        "safe_settings",
        "Five Safes: where and how the data is kept safe.",
        |p, _o| p
            .five_safes
            .safe_settings
            .as_ref()
            .map(|s| s.statement.clone())
            .unwrap_or_default()
    ),
    col!(
        "safe_data",
        "Five Safes: how the data is cut down, with details that name people taken out.",
        |p, _o| p
            .five_safes
            .safe_data
            .as_ref()
            .map(|s| s.statement.clone())
            .unwrap_or_default()
    ),
    col!(
        "safe_outputs",
        "Five Safes: how results are checked so no one can be picked out.",
        |p, _o| p
            .five_safes
            .safe_outputs
            .as_ref()
            .map(|s| s.statement.clone())
            .unwrap_or_default()
    ),
    col!("controllers", "The data controllers.", |p, _o| opt(
        &p.controllers
    )),
    col!("processors", "The data processors.", |p, _o| opt(
        &p.processors
    )),
    col!(
        "data_sharing_agreements",
        "Data sharing agreements in place.",
        |p, _o| opt(&p.data_sharing_agreements)
    ),
    col!("retention", "How long the data is kept.", |p, _o| opt(
        &p.retention
    )),
    col!(
        "storage_location",
        "Where the data is stored.",
        |p, _o| opt(&p.storage_location)
    ),
    col!(
        "opt_out_offered",
        "Whether residents can opt out. Yes or no (blank if not said).",
        |p, _o| match &p.opt_out {
            None => String::new(),
            Some(OptOut::Yes { .. }) => "yes".into(),
            Some(OptOut::No { .. }) => "no".into(),
        }
    ),
    col!(
        "opt_out",
        "How to opt out, or the legal reason people cannot.",
        |p, _o| match &p.opt_out {
            None => String::new(),
            Some(OptOut::Yes { how, .. }) => how.clone(),
            Some(OptOut::No { legal_reason }) => legal_reason.clone(),
        }
    ),
    col!(
        "deidentification",
        "How far the data is de-identified. One of: none, pseudonymised, de-identified or anonymous-aggregates.",
        |p, _o| p
            .reidentification
            .as_ref()
            .map(|r| r.deidentification.slug().to_owned())
            .unwrap_or_default()
    ),
    col!(
        "reidentification_risk",
        "How they stop anyone working out who people are.",
        |p, _o| p
            .reidentification
            .as_ref()
            .map(|r| r.risk_management.clone())
            .unwrap_or_default()
    ),
    col!(
        "lawful_basis",
        "The UK GDPR Article 6 lawful basis.",
        |p, _o| p
            .lawful_basis
            .map(|b| b.slug().to_owned())
            .unwrap_or_default()
    ),
    col!(
        "special_category_condition",
        "The UK GDPR Article 9 condition, if it uses special category data.",
        |p, _o| p
            .special_category_condition
            .map(|b| b.slug().to_owned())
            .unwrap_or_default()
    ),
    col!(
        "confidentiality_basis",
        "For health and care data, the basis under the common law duty of confidentiality.",
        |p, _o| p
            .confidentiality_basis
            .map(|b| b.slug().to_owned())
            .unwrap_or_default()
    ),
    col!(
        "dpia_done",
        "Whether a data protection impact assessment was done. Yes or no (blank if not said).",
        |p, _o| p.dpia.as_ref().map(|d| yes_no(d.done)).unwrap_or_default()
    ),
    col!(
        "dpia_date",
        "When the data protection impact assessment was done (YYYY-MM-DD).",
        |p, _o| p.dpia.as_ref().map(|d| opt(&d.done_on)).unwrap_or_default()
    ),
    col!(
        "breach_contact",
        "Who to tell about a data breach.",
        |p, _o| holder(&p.breach_contact)
    ),
    col!(
        "law_reviews",
        "Changes in the law the project was checked against. Each is given by its number, such as LAW-0001. A semicolon goes between them.",
        |p, _o| p
            .law_reviews
            .iter()
            .map(|r| r.change.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    ),
];

/// Makes a cell safe to open in a spreadsheet: text that starts with `=`, `+`, `-` or `@` (or a
/// tab or carriage return) could run as a formula, so it gets a leading apostrophe.
pub fn spreadsheet_safe(cell: String) -> String {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}"),
        _ => cell,
    }
}

/// One CSV row for a project, in `COLUMNS` order, each cell spreadsheet-safe.
pub fn csv_row(project: &Project, organisation: Option<&Organisation>) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|c| spreadsheet_safe((c.value)(project, organisation)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped() {
        for (input, out) in [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@x", "'@x"),
            ("plain", "plain"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(input.to_owned()), out);
        }
    }

    #[test]
    fn column_names_are_unique_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for c in COLUMNS {
            assert!(seen.insert(c.name), "duplicate column {}", c.name);
            assert!(
                c.meaning.ends_with('.') || c.meaning.ends_with(')'),
                "{}",
                c.name
            );
        }
    }
}
