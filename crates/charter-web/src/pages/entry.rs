//! What the entry's page and each version's page both show of an entry (`project-entry.html`):
//! the entry, its organisation and its charter check. The pages hold an `Entry` and dereference
//! to it, so the shared template reads `p`, `org` and the rest as its own fields.

use std::sync::Arc;

use charter_core::challenge_stats::Tally;
use charter_core::charter::Charter;
use charter_core::check::{Extras, PrincipleStatus, Scorecard, check_full};
use charter_core::law::{EntryRow, LawChange, RowState};
use charter_core::plain_english::{Band, age_in_words};
use charter_core::{Date, Organisation, Project};

pub struct Entry {
    pub p: Project,
    pub org: Organisation,
    pub charter: Arc<Charter>,
    /// The day the entry is checked on: today for the entry, the day it was published for a
    /// version, so a version shows what its readers saw then.
    pub today: Date,
    pub card: Scorecard,
    /// The summary's reading age as shown ("9", "over 25") and its band; the charter check has
    /// already worked it out.
    pub reading: Option<(String, Band)>,
    /// Changes in the law it was reviewed against, then those still to review.
    pub law: Vec<EntryRow>,
}

impl Entry {
    /// `law` is the register's list of changes in the law: principle 7 asks the entry to keep
    /// up with those that touch it. `answers`: the project's challenges and questions, for
    /// principle 3's `answers-on-time` (none on a version's page).
    pub fn new(
        p: Project,
        org: Organisation,
        charter: Arc<Charter>,
        today: Date,
        law: &[LawChange],
        answers: Option<&Tally>,
    ) -> Entry {
        // Only the changes on the list by that day: a version's page shows what was asked then.
        let law: Vec<LawChange> = law
            .iter()
            .filter(|c| c.recorded_on <= today)
            .cloned()
            .collect();
        let card = check_full(&p, &charter, today, Extras { answers, law: &law });
        let law = charter_core::law::entry_rows(&p, &law, today);
        let reading = card
            .summary_reading_age
            .map(|years| (age_in_words(years), Band::for_years(years)));
        Entry {
            p,
            org,
            charter,
            today,
            card,
            reading,
            law,
        }
    }

    /// The law rows still to review, for the sentence above them.
    pub fn law_open(&self) -> usize {
        self.law
            .iter()
            .filter(|r| !matches!(r.state, RowState::Reviewed { .. }))
            .count()
    }

    /// The register opt-outs that cover this project, in words.
    pub fn optout_scopes(&self) -> Vec<String> {
        use charter_core::picklists::{AiKind, BenefitKind, DecisionRole, Topic};
        use charter_optout::Scope;
        let mut scopes = Vec::new();
        if self.p.benefit_kinds.contains(&BenefitKind::Research)
            || self.p.topics.contains(&Topic::Planning)
        {
            scopes.push(Scope::ResearchPlanning);
        }
        if self.p.uses_ai
            && matches!(
                self.p.ai_kind,
                Some(AiKind::MachineLearning | AiKind::Generative)
            )
        {
            scopes.push(Scope::AiTraining);
        }
        if self.p.uses_ai && self.p.decision_role != DecisionRole::InformationOnly {
            scopes.push(Scope::AiDecisions);
        }
        let mut words: Vec<String> = scopes.iter().map(Scope::label).collect();
        words.push(Scope::Organisation(self.org.slug.clone()).label_naming(Some(&self.org.name)));
        // On its own page the project needs no title to be known.
        words.push(format!("Any use by this project ({})", self.p.id));
        words
    }

    pub fn status_of(&self, key: &str) -> Option<PrincipleStatus> {
        self.card.status(key)
    }

    pub fn needs_challenge_route(&self) -> bool {
        self.p.decision_role.needs_challenge_route()
    }
}
