//! The synonyms search uses: read for the site administrator's page, and saved from it.

use charter_core::accounts::Action;
use charter_core::search::synonyms::{DEFAULT, Synonyms};
use charter_store::Store;

use crate::{Actor, AppError, AppResult, Problem, clock};

/// The synonyms in force, one group a line: those saved, or else the shipped file's.
pub async fn synonyms_lines(store: &dyn Store, actor: &Actor) -> AppResult<String> {
    actor.require(Action::ManageSearchWords)?;
    match store.search_synonyms().await? {
        Some(lines) => Ok(lines),
        None => Synonyms::from_toml(DEFAULT)
            .map(|s| s.to_lines())
            .map_err(|p| AppError::Internal(format!("charter/synonyms.toml: {}", p.join("; ")))),
    }
}

/// Saves a new list (one group a line, entries split by commas) after checking every line; every
/// instance uses it from its next search.
pub async fn synonyms_save(store: &dyn Store, actor: &Actor, lines: &str) -> AppResult<()> {
    actor.require(Action::ManageSearchWords)?;
    let synonyms = Synonyms::from_lines(lines).map_err(|problems| {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|m| Problem::new("synonyms", m))
                .collect(),
        )
    })?;
    let tidy = synonyms.to_lines();
    store.search_synonyms_put(&tidy, &clock::now()).await?;
    actor
        .audit(
            store,
            "synonyms-save",
            &format!("{} groups", synonyms.groups().len()),
        )
        .await
}
