//! Reminders before and when something falls due, and each organisation administrator's weekly
//! summary. Every instance runs the schedule; a turn runs on the instance that claims it
//! (`Store::job_claim`), and each reminder is recorded with its emails in one transaction, so it
//! goes once even if two instances look at the same moment, and a turn cut short leaves the rest
//! for the next turn rather than losing them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use charter_core::accounts::Role;
use charter_core::charter::Charter;
use charter_core::notices::Notice;
use charter_core::reminders::{Due, Duty, Stage, When, project_dues, weekly_summary};
use charter_core::{Slug, Timestamp};
use charter_store::Store;
use charter_store::accounts::User;
use charter_store::notices::{NewMail, Reminder, UndeliveredMail};

use crate::notices::delivery::{self, MAX_TRIES};
use crate::{Actor, AppResult, clock};

/// Projects read per batch.
const BATCH: u32 = 500;
/// Reminders queued per transaction.
const QUEUE_BATCH: usize = 200;
/// How often the weekly summary goes.
const WEEK: i64 = 7 * 86_400;

/// Everything an organisation (or every organisation) must do: its entries' duties, its
/// undecided breaches and its entries' checks against changes in the law.
pub async fn dues(
    store: &dyn Store,
    charter: &Charter,
    only: Option<&Slug>,
) -> AppResult<Vec<Due>> {
    let mut dues = entry_and_breach_dues(store, charter, only, &clock::from_now(86_400)).await?;
    let mine = |org: &Slug| only.is_none_or(|o| o == org);
    // Entries to check against a change in the law, from 14 days before their date.
    let horizon = clock::today().add_days(14);
    for t in crate::law::tasks_due(store, horizon).await? {
        if mine(&t.organisation) {
            dues.push(Due {
                duty: Duty::LawChange,
                subject: format!("{} {}", t.project, t.change),
                title: format!("{}: {}", t.project_title, t.change_title),
                when: When::Day(t.due_on),
                path: format!("/manage/organisations/{}#law-tasks", t.organisation),
                organisation: t.organisation,
            });
        }
    }
    Ok(dues)
}

/// The duties of the published entries (one pass over them) and the undecided breaches. Law
/// checks are left to [`dues`]: finding them reads every entry again, and the tools page lists
/// them on their own.
async fn entry_and_breach_dues(
    store: &dyn Store,
    charter: &Charter,
    only: Option<&Slug>,
    breaches_by: &Timestamp,
) -> AppResult<Vec<Due>> {
    let mut dues = Vec::new();
    let mut after = None;
    loop {
        let batch = match only {
            Some(org) => store.organisation_projects_after(org, after, BATCH).await?,
            None => store.projects_after(after, BATCH).await?,
        };
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for p in &batch {
            dues.extend(project_dues(p, &charter.check));
        }
    }
    let mine = |org: &Slug| only.is_none_or(|o| o == org);
    // Breaches not yet decided on or reported, with a deadline by `breaches_by` (for
    // reminders, from a day before their 72 hours are up).
    for b in crate::breaches::due_by(store, breaches_by).await? {
        if mine(&b.breach.organisation) {
            dues.push(Due {
                duty: Duty::Breach,
                subject: format!("breach {}", b.id),
                title: b.breach.details.title.clone(),
                when: When::Moment(b.breach.deadline()),
                path: format!("/manage/breaches/{}", b.id),
                organisation: b.breach.organisation.clone(),
            });
        }
    }
    Ok(dues)
}

/// What an organisation must do in the next 30 days or is late with, soonest first: for its
/// people's tools page.
pub async fn coming_up(
    store: &dyn Store,
    charter: &Charter,
    actor: &Actor,
    organisation: &Slug,
) -> AppResult<Vec<Due>> {
    actor.require(charter_core::accounts::Action::ViewOrganisation(
        organisation,
    ))?;
    let horizon = clock::today().add_days(charter_core::reminders::SUMMARY_DAYS);
    // Law checks have their own list on the page (so are not read here); breaches are only for
    // those who see the log.
    let sees_breaches = actor
        .require(charter_core::accounts::Action::ViewBreaches(organisation))
        .is_ok();
    let mut dues: Vec<Due> =
        entry_and_breach_dues(store, charter, Some(organisation), &clock::from_now(86_400))
            .await?
            .into_iter()
            .filter(|d| d.when.day() <= horizon)
            .filter(|d| d.duty != Duty::Breach || sees_breaches)
            .collect();
    dues.sort_by(|a, b| (a.when.day(), &a.subject).cmp(&(b.when.day(), &b.subject)));
    Ok(dues)
}

/// Every deadline across the region from today to 30 days on, soonest first: entries' duties,
/// checks against changes in the law, breaches waiting for a decision or a report, and
/// challenges waiting for a reply or an answer. For the charter body's view of the dashboard.
pub async fn region_coming_up(
    store: &dyn Store,
    charter: &Charter,
    actor: &Actor,
) -> AppResult<Vec<Due>> {
    actor.require(charter_core::accounts::Action::ViewRegionBreaches)?;
    let today = clock::today();
    let horizon = today.add_days(charter_core::reminders::SUMMARY_DAYS);
    let breaches_by = clock::from_now(charter_core::reminders::SUMMARY_DAYS * 86_400);
    let mut dues = entry_and_breach_dues(store, charter, None, &breaches_by).await?;
    for t in crate::law::tasks_due(store, horizon).await? {
        dues.push(Due {
            duty: Duty::LawChange,
            subject: format!("{} {}", t.project, t.change),
            title: format!("{}: {}", t.project_title, t.change_title),
            when: When::Day(t.due_on),
            path: format!("/manage/organisations/{}#law-tasks", t.organisation),
            organisation: t.organisation,
        });
    }
    dues.extend(challenge_dues(store, horizon).await?);
    let now = clock::now();
    dues.retain(|d| d.when.day() >= today && d.when.day() <= horizon && !d.late(&now));
    dues.sort_by(|a, b| {
        (a.when.day(), &a.subject, a.duty.slug()).cmp(&(b.when.day(), &b.subject, b.duty.slug()))
    });
    Ok(dues)
}

/// The open challenges' and questions' deadlines on or before `by`: a reply for those not yet
/// seen, an answer for those still open. Only the reference and the dates leave here, never what
/// a resident wrote.
async fn challenge_dues(store: &dyn Store, by: charter_core::Date) -> AppResult<Vec<Due>> {
    use charter_core::challenges::State;
    use charter_store::challenges::ChallengeFilter;
    let mut dues = Vec::new();
    for state in [State::Received, State::Acknowledged] {
        let mut offset = 0;
        loop {
            let page = store
                .challenges(&ChallengeFilter {
                    organisation: None,
                    project: None,
                    state: Some(state),
                    assigned: None,
                    overdue_on: None,
                    offset,
                    limit: BATCH,
                })
                .await?;
            for c in &page.items {
                let mut add = |duty, day: charter_core::Date| {
                    if day <= by {
                        dues.push(Due {
                            duty,
                            organisation: c.organisation.clone(),
                            subject: c.reference().to_string(),
                            title: c.project.to_string(),
                            when: When::Day(day),
                            path: format!("/projects/{}", c.project),
                        });
                    }
                };
                if state == State::Received {
                    add(Duty::ChallengeAcknowledge, c.acknowledge_by);
                }
                add(Duty::ChallengeAnswer, c.answer_by);
            }
            offset += page.items.len() as u64;
            if page.items.len() < BATCH as usize {
                break;
            }
        }
    }
    Ok(dues)
}

/// Emails to the organisation's people that could not be sent and will not be tried again:
/// for its administrators, to put the address right.
pub async fn undelivered(
    store: &dyn Store,
    actor: &Actor,
    organisation: &Slug,
) -> AppResult<Vec<UndeliveredMail>> {
    // Whoever may add the organisation's people may see what did not reach them.
    actor.require(charter_core::accounts::Action::AddUser {
        role: Role::OrgEditor,
        organisation: Some(organisation),
    })?;
    Ok(store.mail_undelivered(organisation, MAX_TRIES, 20).await?)
}

/// The people of `organisation` who get `notice`: its administrators and, for what its writers
/// do, its editors.
async fn people_for(
    store: &dyn Store,
    notice: Notice,
    organisation: &Slug,
) -> AppResult<Vec<User>> {
    let mut people = Vec::new();
    for role in [Role::OrgAdmin, Role::OrgEditor] {
        if notice.for_role(role) {
            people.extend(
                store
                    .people_to_tell(notice.slug(), role, Some(organisation))
                    .await?,
            );
        }
    }
    Ok(people)
}

/// Queues every reminder due at `now` that has not gone yet. Returns how many were queued.
pub async fn send_due(store: &dyn Store, dues: &[Due], now: &Timestamp) -> AppResult<u32> {
    let staged: Vec<(&Due, Stage)> = dues
        .iter()
        .filter_map(|d| d.stage(now).map(|s| (d, s)))
        .collect();
    let keys: Vec<String> = staged.iter().map(|(d, s)| d.key(*s)).collect();
    let unsent = store.reminders_unsent(&keys).await?;
    let mut people: HashMap<(Slug, Notice), Vec<User>> = HashMap::new();
    let mut reminders = Vec::new();
    for ((due, stage), key) in staged.into_iter().zip(keys) {
        if !unsent.contains(&key) {
            continue;
        }
        let notice = due.duty.notice();
        let wanted = (due.organisation.clone(), notice);
        if !people.contains_key(&wanted) {
            let found = people_for(store, notice, &due.organisation).await?;
            people.insert(wanted.clone(), found);
        }
        let to = &people[&wanted];
        // Nobody to tell yet: not recorded, so whoever joins or turns it back on gets it.
        if to.is_empty() {
            continue;
        }
        let mails = to
            .iter()
            .map(|p| NewMail {
                to: p.email.clone(),
                subject: due.mail_subject(stage),
                body: due.mail_body(stage),
                path: due.path.clone(),
                at: now.clone(),
            })
            .collect();
        reminders.push(Reminder {
            key,
            organisation: due.organisation.clone(),
            mails,
        });
    }
    let mut queued = 0;
    for chunk in reminders.chunks(QUEUE_BATCH) {
        queued += store.reminders_queue(chunk).await?;
    }
    if queued > 0 {
        delivery::wake();
    }
    Ok(queued)
}

/// Queues this week's summary for each organisation's administrators, once per organisation
/// and week (keyed by the week's Monday).
pub async fn send_weekly(store: &dyn Store, dues: &[Due], now: &Timestamp) -> AppResult<u32> {
    let today = now.date();
    let monday = today.add_days(-i64::from(
        today.inner().weekday().number_days_from_monday(),
    ));
    let mut by_org: HashMap<&Slug, Vec<Due>> = HashMap::new();
    for d in dues {
        by_org.entry(&d.organisation).or_default().push(d.clone());
    }
    let mut reminders = Vec::new();
    for org in store.organisations().await? {
        let slug = &org.organisation.slug;
        let list = by_org.get(slug).map(Vec::as_slice).unwrap_or_default();
        let Some(body) = weekly_summary(list, now) else {
            continue;
        };
        let admins = people_for(store, Notice::WeeklySummary, slug).await?;
        if admins.is_empty() {
            continue;
        }
        reminders.push(Reminder {
            key: format!("weekly:{slug}:{monday}"),
            organisation: slug.clone(),
            mails: admins
                .iter()
                .map(|p| NewMail {
                    to: p.email.clone(),
                    subject: format!("This week: what {} must do soon", org.organisation.name),
                    body: body.clone(),
                    path: format!("/manage/organisations/{slug}"),
                    at: now.clone(),
                })
                .collect(),
        });
    }
    let mut queued = 0;
    for chunk in reminders.chunks(QUEUE_BATCH) {
        queued += store.reminders_queue(chunk).await?;
    }
    if queued > 0 {
        delivery::wake();
    }
    Ok(queued)
}

/// What one turn did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    /// Reminders queued (each may be several emails).
    pub reminders: u32,
    /// Weekly summaries queued.
    pub summaries: u32,
}

/// Runs the reminders (and the weekly summary when its week has come) if this instance claims
/// the turn.
pub async fn run_once(store: &dyn Store, charter: &Charter, every: Duration) -> AppResult<Turn> {
    let now = clock::now();
    let mut turn = Turn::default();
    let next = clock::from_now(every.as_secs() as i64);
    let reminders = store.job_claim("reminders", &now, &next).await?;
    let weekly = store
        .job_claim("weekly-summary", &now, &clock::from_now(WEEK))
        .await?;
    if !reminders && !weekly {
        return Ok(turn);
    }
    let dues = dues(store, charter, None).await?;
    if reminders {
        turn.reminders = send_due(store, &dues, &now).await?;
    }
    if weekly {
        turn.summaries = send_weekly(store, &dues, &now).await?;
    }
    Ok(turn)
}

/// Looks for reminders in the background for as long as the server runs.
pub fn spawn(
    store: Arc<dyn Store>,
    charter: Arc<Charter>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    let tick = (every / 4).max(Duration::from_millis(250));
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(tick);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match run_once(store.as_ref(), &charter, every).await {
                Ok(t) if t.reminders + t.summaries > 0 => {
                    tracing::info!(
                        reminders = t.reminders,
                        summaries = t.summaries,
                        "reminders queued"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminders could not be sent this turn"),
            }
        }
    })
}

#[cfg(test)]
mod tests;
