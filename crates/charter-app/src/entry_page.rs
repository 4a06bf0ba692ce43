//! What a published entry's page and its charter check read beside the entry itself. The
//! caller has already read the published entry, so nothing here checks that it exists. The
//! law's changes come from the instance's remembered list (no read while the register's
//! version holds), an entry nobody has challenged reads no challenge figures, and a challenged
//! one's reads run at once rather than one after another.

use std::sync::Arc;

use charter_core::challenge_counts;
use charter_core::challenge_stats::Tally;
use charter_core::law::LawChange;
use charter_store::challenge_stats::StatsScope;
use charter_store::challenges::PublicAnswer;
use charter_store::{ProjectWithOrganisation, Store};

use crate::law::RememberedLaw;
use crate::{AppResult, clock};

/// What the charter check weighs besides the entry: its answers to residents and the
/// register's changes in the law.
pub struct CheckFacts {
    pub tally: Tally,
    pub law: Arc<[LawChange]>,
}

/// What the entry's public page shows besides the entry: the check's facts and the questions
/// answered in public.
pub struct PageFacts {
    pub check: CheckFacts,
    pub answers: Vec<PublicAnswer>,
}

/// The charter check's facts for the published entry `id`.
pub async fn check_facts(
    store: &dyn Store,
    law: &RememberedLaw,
    id: charter_core::ProjectId,
) -> AppResult<CheckFacts> {
    let scope = StatsScope::Project(id);
    let (tally, law) = tokio::try_join!(
        async { Ok(store.challenge_tally(&scope, clock::today()).await?) },
        law.changes(store),
    )?;
    Ok(CheckFacts { tally, law })
}

/// The page's facts for a published entry read with its organisation.
pub async fn page_facts(
    store: &dyn Store,
    law: &RememberedLaw,
    page: &ProjectWithOrganisation,
) -> AppResult<PageFacts> {
    if !page.challenged {
        return Ok(PageFacts {
            check: CheckFacts {
                // What the kept sums give when there are none.
                tally: challenge_counts::tally(Vec::new(), clock::today()),
                law: law.changes(store).await?,
            },
            answers: Vec::new(),
        });
    }
    let id = page.project.id;
    let (check, answers) = tokio::try_join!(check_facts(store, law, id), async {
        Ok(store.public_answers(id).await?)
    })?;
    Ok(PageFacts { check, answers })
}
