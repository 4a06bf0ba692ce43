//! Changes in the law or policy (principle 7): the charter body records one and the entries it
//! touches; each organisation sees what it still has to review. The review itself is an edit of
//! the entry (its "Changes in the law" section), so it goes through drafts and review as any
//! edit does; a task is done once the published entry records it.

use charter_core::accounts::Action;
use charter_core::law::{
    self, LawChange, LawChangeInput, NOTHING_TOUCHED, NewLawChange, ReviewState, Touches,
};
use charter_core::{Date, LawChangeId, Project, ProjectId, Slug, Title};
use charter_store::Store;

use crate::{Actor, AppError, AppResult, Problem, clock};

mod remembered;

pub use remembered::RememberedLaw;

/// Projects read per batch when looking for the entries a change touches.
const BATCH: u32 = 500;

/// How many entries to name when showing what a change touches.
pub const SHOWN: usize = 20;

/// The register's list of changes, the latest in force first. Public: anyone may read it.
pub async fn list(store: &dyn Store) -> AppResult<Vec<LawChange>> {
    Ok(store.law_changes().await?)
}

/// One change by its number.
pub async fn find(store: &dyn Store, id: LawChangeId) -> AppResult<LawChange> {
    list(store)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| AppError::NotFound(format!("The change {id}")))
}

/// An entry a change touches, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchedEntry {
    pub id: ProjectId,
    pub title: Title,
    pub organisation: Slug,
}

/// The entries a change would touch if recorded today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touched {
    pub count: usize,
    /// The first [`SHOWN`] of them, by number.
    pub first: Vec<TouchedEntry>,
    /// Entry numbers chosen by hand that are not on the register.
    pub missing: Vec<ProjectId>,
}

/// Every published entry, batch by batch, to `each`.
async fn each_entry(store: &dyn Store, mut each: impl FnMut(&Project)) -> AppResult<()> {
    let mut after = None;
    loop {
        let batch = store.projects_after(after, BATCH).await?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        after = Some(last.id);
        batch.iter().for_each(&mut each);
    }
}

/// Which entries `touches` picks on the register as it is today.
async fn touched(store: &dyn Store, touches: &Touches, today: Date) -> AppResult<Touched> {
    let mut out = Touched {
        count: 0,
        first: Vec::new(),
        missing: Vec::new(),
    };
    let mut seen = Vec::new();
    each_entry(store, |p| {
        if touches.touches(p, today) {
            out.count += 1;
            seen.push(p.id);
            if out.first.len() < SHOWN {
                out.first.push(TouchedEntry {
                    id: p.id,
                    title: p.title.clone(),
                    organisation: p.organisation.clone(),
                });
            }
        }
    })
    .await?;
    if let Touches::Entries(ids) = touches {
        out.missing = ids
            .iter()
            .filter(|id| !seen.contains(id))
            .copied()
            .collect();
    }
    Ok(out)
}

/// Reads a change as typed and finds the entries it would touch: for showing them before it is
/// saved. Refused, with a problem per field, when it is incomplete or touches nothing.
pub async fn preview(
    store: &dyn Store,
    actor: &Actor,
    input: &LawChangeInput,
) -> AppResult<(NewLawChange, Touched)> {
    actor.require(Action::ManageLawChanges)?;
    let today = clock::today();
    let change = law::read(input, today).map_err(invalid)?;
    let found = touched(store, &change.touches, today).await?;
    if let Some(e) = law::unknown_entries(&found.missing) {
        return Err(AppError::Invalid(vec![Problem::new(e.field, e.message)]));
    }
    if found.count == 0 {
        let field = match change.touches {
            Touches::Topic(_) => "topic",
            Touches::PersonalData | Touches::SpecialCategoryData => "data",
            Touches::LawfulBasis(_) => "lawful_basis",
            Touches::Ai(_) => "ai",
            Touches::Entries(_) => "entries",
        };
        return Err(AppError::invalid(field, NOTHING_TOUCHED));
    }
    Ok((change, found))
}

/// Records a change on the register's list: from then on, each entry it touches has a task to
/// review it by the due date. Nothing is saved unless it touches at least one entry.
pub async fn record(
    store: &dyn Store,
    actor: &Actor,
    input: &LawChangeInput,
) -> AppResult<(LawChange, usize)> {
    let (change, found) = preview(store, actor, input).await?;
    let saved = store
        .law_change_add(&change, clock::today(), &actor.name)
        .await?;
    actor
        .audit(
            store,
            "law-change-record",
            &format!(
                "{} {} (touches {} {})",
                saved.id,
                saved.title,
                found.count,
                if found.count == 1 { "entry" } else { "entries" }
            ),
        )
        .await?;
    Ok((saved, found.count))
}

fn invalid(errors: Vec<charter_core::editor::FieldError>) -> AppError {
    AppError::Invalid(
        errors
            .into_iter()
            .map(|e| Problem::new(e.field, e.message))
            .collect(),
    )
}

/// An entry's task to review it against a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub change: LawChangeId,
    pub change_title: String,
    pub due_on: Date,
    pub project: ProjectId,
    pub project_title: Title,
    pub organisation: Slug,
    /// Past its due date and not done.
    pub overdue: bool,
}

fn open_tasks(p: &Project, changes: &[LawChange], today: Date, out: &mut Vec<Task>) {
    for c in changes.iter().filter(|c| c.touches(p)) {
        let overdue = match c.state(p, today) {
            ReviewState::Reviewed(_) => continue,
            ReviewState::Open => false,
            ReviewState::Overdue => true,
        };
        out.push(Task {
            change: c.id,
            change_title: c.title.clone(),
            due_on: c.due_on,
            project: p.id,
            project_title: p.title.clone(),
            organisation: p.organisation.clone(),
            overdue,
        });
    }
}

fn by_due_date(mut tasks: Vec<Task>) -> Vec<Task> {
    tasks.sort_by_key(|t| (t.due_on, t.project, t.change));
    tasks
}

/// An organisation's open tasks (not yet reviewed as its published entries say), soonest due
/// first: for its tools page.
pub async fn organisation_tasks(
    store: &dyn Store,
    actor: &Actor,
    organisation: &Slug,
) -> AppResult<Vec<Task>> {
    actor.require(Action::ViewOrganisation(organisation))?;
    let changes = list(store).await?;
    let today = clock::today();
    let mut tasks = Vec::new();
    if changes.is_empty() {
        return Ok(tasks);
    }
    let mut after = None;
    loop {
        let batch = store
            .organisation_projects_after(organisation, after, BATCH)
            .await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for p in &batch {
            open_tasks(p, &changes, today, &mut tasks);
        }
    }
    Ok(by_due_date(tasks))
}

/// Every open task across the register due on or before `by`, soonest first: what reminders and
/// the charter body's lists read. The system's own query: it names no person.
pub async fn tasks_due(store: &dyn Store, by: Date) -> AppResult<Vec<Task>> {
    let changes: Vec<LawChange> = list(store)
        .await?
        .into_iter()
        .filter(|c| c.due_on <= by)
        .collect();
    let today = clock::today();
    let mut tasks = Vec::new();
    if changes.is_empty() {
        return Ok(tasks);
    }
    each_entry(store, |p| open_tasks(p, &changes, today, &mut tasks)).await?;
    Ok(by_due_date(tasks))
}

#[cfg(test)]
mod tests;
