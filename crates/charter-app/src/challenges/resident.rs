//! What a resident does, with no account: send a challenge or question, then, through the
//! private link, follow it, download or delete what they sent, or ask the charter body to step
//! in when a deadline has passed unanswered. The link is the only key: 256 random bits, of
//! which only the hash is stored; an unknown link is simply not found.

use charter_core::challenges::{
    ChallengeInput, Contact, Kind, Outcome, Reference, State, Step, Submission, read_input,
};
use charter_core::charter::Charter;
use charter_core::notices::Notice;
use charter_core::{Date, ProjectId, Timestamp};
use charter_store::Store;
use charter_store::accounts::Role;
use charter_store::challenges::{Challenge, ChallengeChange, NewChallenge};
use charter_store::notices::NewMail;
use serde::Serialize;

use super::{audit_resident, email, invalid, not_found};
use crate::secrets::{random_hex, token_hash};
use crate::{AppError, AppResult, clock};

/// Random bytes in a private link: 256 bits, far past guessing.
const LINK_BYTES: usize = 32;

/// What the resident is told once, when it arrives.
#[derive(Debug)]
pub struct Sent {
    pub reference: Reference,
    /// The private link's secret; only its hash is stored.
    pub token: String,
}

/// Sends a challenge (`Kind::Challenge`) or a question about a published project. Every
/// problem with the form is said at once; nothing is stored unless there are none.
pub async fn submit(
    store: &dyn Store,
    charter: &Charter,
    project: ProjectId,
    kind: Kind,
    input: &ChallengeInput,
) -> AppResult<Sent> {
    let entry = store
        .project(project)
        .await?
        .filter(|p| kind.open_for(p.decision_role))
        .ok_or_else(|| AppError::NotFound("the form".into()))?;
    let (submission, contact, public_requested) = read_input(kind, input).map_err(invalid)?;
    let token = random_hex(LINK_BYTES)?;
    let received_at = clock::now();
    let due = charter.due_dates(received_at.date());
    let item = store
        .challenge_add(&NewChallenge {
            kind,
            project,
            organisation: entry.organisation.clone(),
            submission,
            contact,
            public_requested,
            token_hash: token_hash(&token),
            received_at,
            acknowledge_by: due.acknowledge_by,
            answer_by: due.answer_by,
        })
        .await?;
    audit_resident(store, &format!("{} received", kind.slug()), &item).await?;
    email::received(store, &item, &token).await;
    Ok(Sent {
        reference: item.reference(),
        token,
    })
}

/// The item behind a private link.
pub async fn find(store: &dyn Store, token: &str) -> AppResult<Challenge> {
    if token.len() != LINK_BYTES * 2 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    store
        .challenge_by_token(&token_hash(token))
        .await?
        .ok_or_else(not_found)
}

/// Everything kept about what a resident sent, for them to download.
#[derive(Debug, Clone, Serialize)]
pub struct ResidentCopy {
    pub reference: String,
    pub kind: Kind,
    pub project: ProjectId,
    pub status: State,
    pub received_at: Timestamp,
    pub acknowledge_by: Date,
    pub answer_by: Date,
    pub what_you_sent: Option<Submission>,
    pub how_to_reach_you: Option<Contact>,
    pub public_answer_asked: bool,
    pub outcome: Option<Outcome>,
    pub answer: Option<String>,
    pub what_will_change: Option<String>,
    pub escalated_at: Option<Timestamp>,
}

/// A copy of what is kept, through the private link.
pub async fn download(store: &dyn Store, token: &str) -> AppResult<ResidentCopy> {
    let c = find(store, token).await?;
    Ok(ResidentCopy {
        reference: c.reference().to_string(),
        kind: c.kind,
        project: c.project,
        status: c.state,
        received_at: c.received_at,
        acknowledge_by: c.acknowledge_by,
        answer_by: c.answer_by,
        what_you_sent: c.submission,
        how_to_reach_you: c.contact,
        public_answer_asked: c.public_requested,
        outcome: c.outcome,
        answer: c.answer,
        what_will_change: c.changes,
        escalated_at: c.escalated_at,
    })
}

/// Deletes what the resident sent and how to reach them; the private link stops working. An
/// item still waiting closes as withdrawn.
pub async fn delete(store: &dyn Store, token: &str) -> AppResult<Reference> {
    let item = find(store, token).await?;
    if !store.challenge_erase(item.id, &clock::now()).await? {
        return Err(not_found());
    }
    audit_resident(store, "challenge deleted by the resident", &item).await?;
    Ok(item.reference())
}

/// Whether the resident may ask the charter body to step in today: a deadline has passed with
/// no word, and they have not asked already.
pub fn may_escalate(item: &Challenge, today: Date) -> bool {
    item.state.allows(Step::Escalate) && item.escalated_at.is_none() && item.overdue(today)
}

/// The resident heard nothing by a deadline: the charter body is told.
pub async fn escalate(store: &dyn Store, token: &str) -> AppResult<Challenge> {
    let item = find(store, token).await?;
    let now = clock::now();
    if item.escalated_at.is_some() {
        return Err(AppError::Conflict(
            "You have already asked the charter body to step in.".into(),
        ));
    }
    item.state
        .after(Step::Escalate)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    if !item.overdue(now.date()) {
        return Err(AppError::Conflict(format!(
            "You can ask the charter body to step in if you hear nothing by {}.",
            if item.state == State::Received {
                item.acknowledge_by.long()
            } else {
                item.answer_by.long()
            }
        )));
    }
    if !store
        .challenge_change(item.id, item.state, &ChallengeChange::Escalate { at: now })
        .await?
    {
        return Err(AppError::Conflict(
            "It changed while you were reading it. Open the page again.".into(),
        ));
    }
    audit_resident(store, "challenge escalated by the resident", &item).await?;
    tell_charter_body(store, &item).await;
    store.challenge(item.id).await?.ok_or_else(not_found)
}

/// Emails the charter body: the reference, the project and the deadline missed; nothing the
/// resident wrote.
async fn tell_charter_body(store: &dyn Store, item: &Challenge) {
    let notice = Notice::ChallengeEscalated;
    let told = async {
        let people = store
            .people_to_tell(notice.slug(), Role::Moderator, None)
            .await?;
        let now = clock::now();
        let mails: Vec<NewMail> = people
            .iter()
            .map(|p| NewMail {
                to: p.email.clone(),
                subject: format!("A resident asks you to step in: {}", item.reference()),
                body: format!(
                    "A resident heard nothing about {} by its deadline. They ask the charter body \
                     to step in.\r\n\r\nProject: {}\r\nOrganisation: {}\r\nAnswer due by: {}",
                    item.reference(),
                    item.project,
                    item.organisation,
                    item.answer_by.long()
                ),
                path: format!("/projects/{}", item.project),
                at: now.clone(),
            })
            .collect();
        store.mail_queue(&mails).await
    };
    match told.await {
        Ok(()) => crate::notices::delivery::wake(),
        Err(e) => tracing::warn!(error = %e, "the charter body was not told of an escalation"),
    }
}
