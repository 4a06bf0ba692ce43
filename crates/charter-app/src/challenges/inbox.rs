//! The organisation's inbox: its new challenges and questions, each given to a colleague, with
//! its clock; and the steps that move an item on. Only the organisation's own people see them
//! (and site administrators, whose looking is logged); to anyone else an item does not exist.

use charter_core::accounts::Action;
use charter_core::challenges::{AnswerInput, State, Step, read_answer};
use charter_core::{Date, ProjectId, Slug};
use charter_store::Store;
use charter_store::accounts::User;
use charter_store::challenges::{
    Assigned, Challenge, ChallengeChange, ChallengeFilter, ChallengePage,
};

use super::{by_reference, email, invalid, not_found, subject};
use crate::{Actor, AppError, AppResult, Problem, clock};

/// Items on one page of the inbox.
pub const PAGE_SIZE: u32 = 25;

/// The inbox's filters as typed in the address: each may be blank.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxQuery {
    /// For people of no organisation (site administrators): whose inbox.
    pub organisation: String,
    /// A project id such as LCR-0042.
    pub project: String,
    /// A status slug.
    pub status: String,
    /// `nobody`, `me`, or a colleague's account number.
    pub assignee: String,
    /// Only items past a deadline.
    pub overdue: bool,
    /// From 1.
    pub page: u32,
}

/// A page of the inbox, with what its filters can offer.
#[derive(Debug)]
pub struct Inbox {
    pub organisation: Slug,
    pub page: ChallengePage,
    /// The page shown (from 1) and how many there are.
    pub page_number: u32,
    pub pages: u32,
    /// Who items can be given to.
    pub people: Vec<User>,
    pub today: Date,
}

/// The organisation whose items `actor` is working on: their own, or, for someone of none
/// (a site administrator), the one they named. Checked before anything is read.
async fn organisation_for(store: &dyn Store, actor: &Actor, named: &str) -> AppResult<Slug> {
    let org = match actor.principal().and_then(|p| p.organisation.clone()) {
        Some(own) => own,
        None => {
            let named = named.trim();
            if named.is_empty() {
                // Whoever they are, nothing is read before `require` below.
                return Err(AppError::invalid(
                    "organisation",
                    "Choose the organisation whose inbox you want to see",
                ));
            }
            named.parse::<Slug>().map_err(|_| {
                AppError::invalid("organisation", "Choose an organisation from the list")
            })?
        }
    };
    actor.require(Action::HandleChallenges(&org))?;
    if store.organisation_record(&org).await?.is_none() {
        return Err(AppError::invalid(
            "organisation",
            "Choose an organisation from the list",
        ));
    }
    Ok(org)
}

/// Whether `actor` is looking at another organisation's residents (a site administrator).
fn from_outside(actor: &Actor, org: &Slug) -> bool {
    actor.principal().and_then(|p| p.organisation.as_ref()) != Some(org)
}

/// A page of the organisation's inbox, newest first, with the filters applied.
pub async fn list(store: &dyn Store, actor: &Actor, query: &InboxQuery) -> AppResult<Inbox> {
    let organisation = organisation_for(store, actor, &query.organisation).await?;
    let mut problems = Vec::new();
    let project = match query.project.trim() {
        "" => None,
        p => match p.to_ascii_uppercase().parse::<ProjectId>() {
            Ok(id) => Some(id),
            Err(_) => {
                problems.push(Problem::new(
                    "project",
                    "Enter a project id like LCR-0042, or leave it blank",
                ));
                None
            }
        },
    };
    let state = match query.status.trim() {
        "" => None,
        s => match s.parse::<State>() {
            Ok(s) => Some(s),
            Err(e) => {
                problems.push(Problem::new("status", e));
                None
            }
        },
    };
    let people = store.challenge_assignees(&organisation).await?;
    let assigned = match query.assignee.trim() {
        "" => None,
        "nobody" => Some(Assigned::Nobody),
        "me" => actor.user_id().map(Assigned::Person),
        id => match id.parse::<i64>() {
            Ok(id) if people.iter().any(|p| p.id == id) => Some(Assigned::Person(id)),
            _ => {
                problems.push(Problem::new(
                    "assignee",
                    "Choose someone from your organisation",
                ));
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let today = clock::today();
    let page_number = query.page.max(1);
    let page = store
        .challenges(&ChallengeFilter {
            organisation: Some(organisation.clone()),
            project,
            state,
            assigned,
            overdue_on: query.overdue.then_some(today),
            offset: u64::from(page_number - 1) * u64::from(PAGE_SIZE),
            limit: PAGE_SIZE,
        })
        .await?;
    if from_outside(actor, &organisation) {
        actor
            .audit(
                store,
                "challenges inbox seen",
                &format!("inbox of {organisation}"),
            )
            .await?;
    }
    let pages = page.total.div_ceil(u64::from(PAGE_SIZE)).max(1) as u32;
    Ok(Inbox {
        organisation,
        page,
        page_number,
        pages,
        people,
        today,
    })
}

/// One item with who it can be given to. To anyone outside its organisation (but site
/// administrators, whose looking is logged) it does not exist.
pub async fn item(
    store: &dyn Store,
    actor: &Actor,
    reference: &str,
) -> AppResult<(Challenge, Vec<User>)> {
    let c = visible(store, actor, reference).await?;
    if from_outside(actor, &c.organisation) {
        actor
            .audit(store, "resident's details seen", &subject(&c))
            .await?;
    }
    let people = store.challenge_assignees(&c.organisation).await?;
    Ok((c, people))
}

/// The item, if `actor` may handle it; not found otherwise, before anything else is done.
async fn visible(store: &dyn Store, actor: &Actor, reference: &str) -> AppResult<Challenge> {
    let c = by_reference(store, reference).await?;
    if !actor.may(Action::HandleChallenges(&c.organisation)) {
        return Err(not_found());
    }
    Ok(c)
}

/// Makes one change from the state the item was read in, and writes its audit entry.
async fn change(
    store: &dyn Store,
    actor: &Actor,
    c: &Challenge,
    step: Step,
    change: ChallengeChange,
    audit: &str,
) -> AppResult<Challenge> {
    c.state
        .after(step)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    if !store.challenge_change(c.id, c.state, &change).await? {
        return Err(AppError::Conflict(
            "Someone else changed it first. Open it again to see what they did.".into(),
        ));
    }
    actor.audit(store, audit, &subject(c)).await?;
    store.challenge(c.id).await?.ok_or_else(not_found)
}

/// Gives the item to a colleague (an account number), or to nobody (blank).
pub async fn assign(
    store: &dyn Store,
    actor: &Actor,
    reference: &str,
    who: &str,
) -> AppResult<Challenge> {
    let c = visible(store, actor, reference).await?;
    let assignee = match who.trim() {
        "" => None,
        id => {
            let people = store.challenge_assignees(&c.organisation).await?;
            match id.parse::<i64>() {
                Ok(id) if people.iter().any(|p| p.id == id) => Some(id),
                _ => {
                    return Err(AppError::invalid(
                        "assignee",
                        "Choose someone from your organisation",
                    ));
                }
            }
        }
    };
    change(
        store,
        actor,
        &c,
        Step::Assign,
        ChallengeChange::Assign(assignee),
        "challenge assigned",
    )
    .await
}

/// Tells the resident the item has been seen.
pub async fn acknowledge(
    store: &dyn Store,
    actor: &Actor,
    reference: &str,
) -> AppResult<Challenge> {
    let c = visible(store, actor, reference).await?;
    let done = change(
        store,
        actor,
        &c,
        Step::Acknowledge,
        ChallengeChange::Acknowledge { at: clock::now() },
        "challenge acknowledged",
    )
    .await?;
    email::acknowledged(store, &done).await;
    Ok(done)
}

/// Answers the item (acknowledging it too if need be); the resident gets the answer by email
/// and on their private page.
pub async fn answer(
    store: &dyn Store,
    actor: &Actor,
    reference: &str,
    input: &AnswerInput,
) -> AppResult<Challenge> {
    let c = visible(store, actor, reference).await?;
    c.state
        .after(Step::Answer)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let read = read_answer(c.kind, c.public_requested, input).map_err(invalid)?;
    let done = change(
        store,
        actor,
        &c,
        Step::Answer,
        ChallengeChange::Answer {
            at: clock::now(),
            outcome: read.outcome,
            answer: read.answer,
            changes: read.changes,
            public: read.public,
        },
        "challenge answered",
    )
    .await?;
    email::answered(store, &done).await;
    Ok(done)
}

/// Closes an answered item.
pub async fn close(store: &dyn Store, actor: &Actor, reference: &str) -> AppResult<Challenge> {
    let c = visible(store, actor, reference).await?;
    change(
        store,
        actor,
        &c,
        Step::Close,
        ChallengeChange::Close { at: clock::now() },
        "challenge closed",
    )
    .await
}
