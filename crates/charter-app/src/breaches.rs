//! The breach log's use cases: log a breach, take each step (assess, decide, report, people
//! told, close), read one or a list, the charter body's view of the region, and the public
//! summaries. Each change is checked by `charter_core::breaches`, written with its new version
//! in one transaction, then audited. Another organisation's breach is not found, not forbidden.

use std::collections::HashMap;

use charter_core::accounts::Action;
use charter_core::breaches::london::read_uk;
use charter_core::breaches::{
    Breach, Cyber, DeadlineTally, Details, Exemption, Problem as RuleProblem, PublicBreach, Risk,
    State, Step, clock,
};
use charter_core::{Slug, Timestamp};
use charter_store::Store;
use charter_store::breaches::{BreachChange, BreachFilter, BreachVersion, StoredBreach};

use crate::{Actor, AppError, AppResult, Problem, clock as wall};

/// A breach as typed into the form that logs it.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct LogInput {
    pub title: String,
    pub aware_day: String,
    pub aware_month: String,
    pub aware_year: String,
    pub aware_time: String,
    pub what_happened: String,
    /// `yes`, `no` or `unknown`.
    pub cyber: String,
    pub data_kinds: String,
    pub people_kinds: String,
    pub people_count: String,
    pub records_count: String,
    pub consequences: String,
    pub measures: String,
}

/// A step as typed into a breach's forms; which fields count depends on the step.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct StepInput {
    /// The version the form was made from.
    pub version: String,
    /// Decide: `no-risk`, `risk` or `high-risk`.
    pub risk: String,
    pub reason: String,
    /// Report: when (UK time), the ICO's reference, what it adds, why late.
    pub reported_day: String,
    pub reported_month: String,
    pub reported_year: String,
    pub reported_time: String,
    pub reference: String,
    pub note: String,
    pub delay_reason: String,
    /// People: `told` (with when) or an exemption's slug.
    pub people: String,
    pub told_day: String,
    pub told_month: String,
    pub told_year: String,
    pub told_time: String,
    /// Close: the public summary.
    pub summary: String,
}

fn problems(list: Vec<RuleProblem>) -> AppError {
    AppError::Invalid(
        list.into_iter()
            .map(|p| Problem::new(p.field, p.message))
            .collect(),
    )
}

fn count(field: &str, text: &str, out: &mut Vec<Problem>) -> Option<u64> {
    let t = text.trim().replace(',', "");
    if t.is_empty() {
        return None;
    }
    t.parse().ok().or_else(|| {
        out.push(Problem::new(
            field,
            "Enter a whole number, like 250, or leave it empty if you do not know",
        ));
        None
    })
}

/// Logs a breach for `organisation`; returns its id.
pub async fn log(
    store: &dyn Store,
    actor: &Actor,
    organisation: &Slug,
    input: &LogInput,
) -> AppResult<i64> {
    actor.require(Action::RecordBreaches(organisation))?;
    let now = wall::now();
    let mut out = Vec::new();
    let aware = read_uk(
        &input.aware_day,
        &input.aware_month,
        &input.aware_year,
        &input.aware_time,
    )
    .map_err(|m| out.push(Problem::new("aware", m)))
    .ok();
    let cyber = Cyber::ALL
        .into_iter()
        .find(|c| c.slug() == input.cyber)
        .unwrap_or_else(|| {
            out.push(Problem::new(
                "cyber",
                "Say if it was a cyber attack: yes, no or not known yet",
            ));
            Cyber::Unknown
        });
    let people_count = count("people_count", &input.people_count, &mut out);
    let records_count = count("records_count", &input.records_count, &mut out);
    let details = Details {
        title: input.title.trim().to_owned(),
        what_happened: input.what_happened.trim().to_owned(),
        cyber,
        data_kinds: input.data_kinds.trim().to_owned(),
        people_kinds: input.people_kinds.trim().to_owned(),
        people_count,
        records_count,
        consequences: input.consequences.trim().to_owned(),
        measures: input.measures.trim().to_owned(),
    };
    // The rules' own problems, checked even when the time was not readable, so every field
    // is named at once.
    let checked = Breach::new(
        organisation.clone(),
        aware.clone().unwrap_or_else(|| now.clone()),
        details,
        &now,
    );
    match checked {
        Err(list) => {
            out.extend(
                list.into_iter()
                    .filter(|p| aware.is_some() || p.field != "aware")
                    .map(|p| Problem::new(p.field, p.message)),
            );
            Err(AppError::Invalid(ordered(out)))
        }
        Ok(_) if !out.is_empty() => Err(AppError::Invalid(ordered(out))),
        Ok(breach) => {
            let change = BreachChange {
                step: "log",
                actor: &actor.name,
                at: &now,
            };
            let id = store.breach_add(&breach, &change).await?;
            actor
                .audit(
                    store,
                    "breach-log",
                    &format!("breach {id} for {organisation}"),
                )
                .await?;
            Ok(id)
        }
    }
}

/// Problems in the order of the log form's fields.
fn ordered(mut out: Vec<Problem>) -> Vec<Problem> {
    const ORDER: [&str; 11] = [
        "title",
        "aware",
        "what_happened",
        "cyber",
        "data_kinds",
        "people_kinds",
        "people_count",
        "records_count",
        "consequences",
        "measures",
        "",
    ];
    out.sort_by_key(|p| {
        ORDER
            .iter()
            .position(|f| *f == p.field)
            .unwrap_or(ORDER.len())
    });
    out
}

/// A breach with its versions, for whoever may see it.
#[derive(Debug, Clone)]
pub struct BreachRecord {
    pub stored: StoredBreach,
    pub versions: Vec<BreachVersion>,
    /// Whether this person may take its next steps.
    pub may_record: bool,
}

/// The breach, if `actor` may see its organisation's log: anyone else is told it is not found.
async fn visible(store: &dyn Store, actor: &Actor, id: i64) -> AppResult<StoredBreach> {
    let not_found = || AppError::NotFound(format!("Breach {id}"));
    let stored = store.breach(id).await?.ok_or_else(not_found)?;
    if !actor.may(Action::ViewBreaches(&stored.breach.organisation)) {
        return Err(not_found());
    }
    Ok(stored)
}

/// One breach with every version, oldest first.
pub async fn find(store: &dyn Store, actor: &Actor, id: i64) -> AppResult<BreachRecord> {
    let stored = visible(store, actor, id).await?;
    let versions = store.breach_versions(id).await?;
    let may_record = actor.may(Action::RecordBreaches(&stored.breach.organisation));
    Ok(BreachRecord {
        stored,
        versions,
        may_record,
    })
}

fn moment(field: &str, d: &str, m: &str, y: &str, t: &str) -> AppResult<Timestamp> {
    read_uk(d, m, y, t).map_err(|message| AppError::invalid(field, message))
}

/// The step `name` as typed.
fn read_step(name: &str, input: &StepInput) -> AppResult<Step> {
    Ok(match name {
        "assess" => Step::Assess,
        "decide" => Step::Decide {
            risk: Risk::ALL
                .into_iter()
                .find(|r| r.slug() == input.risk)
                .ok_or_else(|| AppError::invalid("risk", "Choose how big the risk to people is"))?,
            reason: input.reason.clone(),
        },
        "report" => Step::Report {
            at: moment(
                "reported",
                &input.reported_day,
                &input.reported_month,
                &input.reported_year,
                &input.reported_time,
            )?,
            reference: input.reference.clone(),
            note: input.note.clone(),
            delay_reason: input.delay_reason.clone(),
        },
        "people" => match input.people.as_str() {
            "told" => Step::People {
                told_at: Some(moment(
                    "told",
                    &input.told_day,
                    &input.told_month,
                    &input.told_year,
                    &input.told_time,
                )?),
                exemption: None,
            },
            other => Step::People {
                told_at: None,
                exemption: Some(
                    Exemption::ALL
                        .into_iter()
                        .find(|e| e.slug() == other)
                        .ok_or_else(|| {
                            AppError::invalid(
                                "people",
                                "Say when you told the people, or which reason meant you did not",
                            )
                        })?,
                ),
            },
        },
        "close" => Step::Close {
            summary: input.summary.clone(),
        },
        _ => return Err(AppError::NotFound(format!("The step “{name}”"))),
    })
}

/// Takes step `name` on breach `id`, from the version the form was made from; returns the new
/// version. `Conflict` when someone changed the breach since.
pub async fn take_step(
    store: &dyn Store,
    actor: &Actor,
    id: i64,
    name: &str,
    input: &StepInput,
) -> AppResult<u32> {
    let stored = visible(store, actor, id).await?;
    let org = stored.breach.organisation.clone();
    actor.require(Action::RecordBreaches(&org))?;
    let stale = || {
        AppError::Conflict(
            "Someone changed this breach after you opened it. Go back, reload the page and try again."
                .into(),
        )
    };
    let version: u32 = input.version.trim().parse().map_err(|_| stale())?;
    if version != stored.version {
        return Err(stale());
    }
    let step = read_step(name, input)?;
    let now = wall::now();
    let next = stored.breach.apply(&step, &now).map_err(problems)?;
    let change = BreachChange {
        step: step.name(),
        actor: &actor.name,
        at: &now,
    };
    let new_version = store
        .breach_change(id, version, &next, &change)
        .await?
        .ok_or_else(stale)?;
    actor
        .audit(
            store,
            &format!("breach-{}", step.name()),
            &format!("breach {id} for {org}"),
        )
        .await?;
    Ok(new_version)
}

/// An organisation's breaches, the most recently found first.
pub async fn list(
    store: &dyn Store,
    actor: &Actor,
    organisation: &Slug,
) -> AppResult<Vec<StoredBreach>> {
    actor.require(Action::ViewBreaches(organisation))?;
    Ok(store
        .breaches(&BreachFilter {
            organisation: Some(organisation.clone()),
            ..BreachFilter::default()
        })
        .await?)
}

/// The charter body's view: every breach not closed, and every breach whose deadline was
/// missed (closed or not), across the region.
#[derive(Debug, Clone, Default)]
pub struct Region {
    pub open: Vec<StoredBreach>,
    pub missed: Vec<StoredBreach>,
}

pub async fn region(store: &dyn Store, actor: &Actor) -> AppResult<Region> {
    actor.require(Action::ViewRegionBreaches)?;
    let now = wall::now();
    let all = store.breaches(&BreachFilter::default()).await?;
    let missed = all
        .iter()
        .filter(|b| clock::due(&b.breach, &now).missed())
        .cloned()
        .collect();
    let open = all
        .into_iter()
        .filter(|b| b.breach.state != State::Closed)
        .collect();
    Ok(Region { open, missed })
}

/// Breaches still waiting for a decision or a report whose deadline is at or before `by`:
/// what reminders about breach deadlines ask for.
pub async fn due_by(store: &dyn Store, by: &Timestamp) -> AppResult<Vec<StoredBreach>> {
    Ok(store
        .breaches(&BreachFilter {
            organisation: None,
            states: vec![State::Detected, State::Assessing],
            deadline_by: Some(by.clone()),
        })
        .await?)
}

/// The public summaries of an organisation's closed breaches. Open to anyone.
pub async fn public(store: &dyn Store, organisation: &Slug) -> AppResult<Vec<PublicBreach>> {
    let now = wall::now();
    Ok(store
        .breaches(&BreachFilter {
            organisation: Some(organisation.clone()),
            states: vec![State::Closed],
            deadline_by: None,
        })
        .await?
        .iter()
        .filter_map(|b| b.breach.public(b.id, &now))
        .collect())
}

/// Deadlines met and missed per organisation, for the charter check (principle 7).
pub async fn deadlines(store: &dyn Store) -> AppResult<HashMap<Slug, DeadlineTally>> {
    let now = wall::now();
    let mut by_org: HashMap<Slug, Vec<Breach>> = HashMap::new();
    for b in store.breaches(&BreachFilter::default()).await? {
        by_org
            .entry(b.breach.organisation.clone())
            .or_default()
            .push(b.breach);
    }
    Ok(by_org
        .into_iter()
        .map(|(org, list)| (org, DeadlineTally::of(&list, &now)))
        .collect())
}

#[cfg(test)]
mod tests;
