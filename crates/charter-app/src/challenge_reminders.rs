//! Reminders about residents' challenges and questions past a deadline: one email per item and
//! deadline, to the person it is given to or else to the organisation's people. Every instance
//! runs the schedule, but each turn runs once (`Store::job_claim`), and the store marks a
//! reminder sent in the same transaction that queues its emails, so none goes twice.

use std::sync::Arc;
use std::time::Duration;

use charter_core::accounts::Role;
use charter_core::challenges::{Kind, Reference};
use charter_core::notices::Notice;
use charter_store::Store;
use charter_store::challenge_stats::{Deadline, Overdue};
use charter_store::notices::NewMail;

use crate::{AppError, AppResult, clock};

/// The job's name in the jobs table.
pub const JOB: &str = "challenge-reminders";
/// Items reminded about per turn; the rest wait for the next turn.
const BATCH: u32 = 200;

/// What one turn of the schedule did.
#[derive(Debug)]
pub enum Turn {
    /// This instance ran the reminders: how many went out, or why it stopped.
    Ran(Result<u64, AppError>),
    /// Another instance ran them within the period.
    NotDue,
    /// The run could not be claimed (the database may be restarting): try again next tick.
    Unclaimed(AppError),
}

/// Sends the reminders due unless some instance has in the last `period`.
pub async fn run_once(store: &dyn Store, period: Duration) -> Turn {
    let now = clock::now();
    let next = clock::from_now(period.as_secs() as i64);
    match store.job_claim(JOB, &now, &next).await {
        Ok(true) => Turn::Ran(remind(store).await),
        Ok(false) => Turn::NotDue,
        Err(e) => Turn::Unclaimed(e.into()),
    }
}

/// Queues a reminder for each missed deadline nobody was reminded about; returns how many.
pub async fn remind(store: &dyn Store) -> AppResult<u64> {
    let today = clock::today();
    let due = store.challenges_overdue(today, true, 0, BATCH).await?;
    let mut sent = 0;
    for item in &due.items {
        let people = recipients(store, item).await?;
        let at = clock::now();
        let mail = message(store, item).await?;
        let mails: Vec<NewMail> = people
            .into_iter()
            .map(|to| NewMail {
                to,
                subject: mail.0.clone(),
                body: mail.1.clone(),
                path: mail.2.clone(),
                at: at.clone(),
            })
            .collect();
        // Marked even with nobody to tell: the inbox and the charter body's list still show it.
        if store
            .challenge_reminded(item.id, item.deadline, &at, &mails)
            .await?
        {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The person it is given to; else the organisation's people who want these emails.
async fn recipients(store: &dyn Store, item: &Overdue) -> AppResult<Vec<String>> {
    if let Some(email) = &item.assignee {
        return Ok(vec![email.clone()]);
    }
    let mut out: Vec<String> = Vec::new();
    for role in [Role::OrgAdmin, Role::OrgEditor] {
        for p in store
            .people_to_tell(
                Notice::ChallengeOverdue.slug(),
                role,
                Some(&item.organisation),
            )
            .await?
        {
            if !out.contains(&p.email) {
                out.push(p.email);
            }
        }
    }
    Ok(out)
}

/// Subject, body and the inbox page it points to. Nothing the resident wrote.
async fn message(store: &dyn Store, item: &Overdue) -> AppResult<(String, String, String)> {
    let reference = Reference {
        year: item.received_at.date().year(),
        number: item.id,
    };
    let title = store
        .project(item.project)
        .await?
        .map(|p| p.title.to_string())
        .unwrap_or_else(|| item.project.to_string());
    let what = match item.kind {
        Kind::Challenge => "A challenge to a decision",
        Kind::Question => "A problem or question",
    };
    let (missed, todo) = match item.deadline {
        Deadline::Acknowledge => (
            "to be told it had been seen",
            "open it and say you have seen it",
        ),
        Deadline::Answer => ("an answer", "open it and answer it"),
    };
    let subject = format!("Late: {reference} was due {missed} by {}", item.due.long());
    let body = format!(
        "{what} about {title} ({reference}) was due {missed} by {}. That day has passed.\r\n\r\n\
         What to do next: {todo}. The resident can ask the charter body to step in when an answer is late.",
        item.due.long()
    );
    Ok((subject, body, format!("/manage/challenges/{reference}")))
}

/// Runs the reminders every `period` in the background, for as long as the server runs.
pub fn spawn(store: Arc<dyn Store>, period: Duration) -> tokio::task::JoinHandle<()> {
    let tick = (period / 4).max(Duration::from_millis(250));
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(tick);
        loop {
            interval.tick().await;
            match run_once(store.as_ref(), period).await {
                Turn::Ran(Ok(n)) => {
                    if n > 0 {
                        tracing::info!(reminders = n, "reminders about late challenges queued");
                    }
                }
                Turn::Ran(Err(e)) => {
                    tracing::warn!(error = %e, "reminders about late challenges failed")
                }
                Turn::NotDue => {}
                Turn::Unclaimed(e) => tracing::debug!(error = %e, "could not claim the reminders"),
            }
        }
    })
}
