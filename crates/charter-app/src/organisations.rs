//! The signatory organisations: site administrators add, change and retire them (the web pages,
//! the API and `charter org`), and the charter body decides whether one approves its own entries.
//! A short name never changes once given: entries and their history name it. A retired
//! organisation stays on the register, its entries and history public, marked as from a former
//! signatory.

use charter_core::accounts::Action;
use charter_core::organisation::{OrganisationInput, parse_input, unknown_short_name};
use charter_core::workflow::{DraftState, EventKind};
use charter_core::{OrgId, Organisation, Slug};
use charter_store::drafts::{Draft, DraftChange, DraftEvent, DraftFilter};
use charter_store::organisations::OrgClash;
use charter_store::{OrganisationSummary, Store};

use crate::Actor;
use crate::audit::record_for;
use crate::{AppError, AppResult, Problem, clock};

/// What happens to an organisation's drafts waiting for review when it is retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InReview {
    /// They stay in the review queue: the charter body may still publish them.
    Keep,
    /// They go back to their editors, with a note saying why; nothing more is published
    /// unless someone submits them again.
    Return,
}

impl InReview {
    /// From a form's or a command's value: `keep` or `return`.
    pub fn from_slug(s: &str) -> Option<InReview> {
        match s.trim() {
            "keep" => Some(InReview::Keep),
            "return" => Some(InReview::Return),
            _ => None,
        }
    }
}

/// The comment on each draft returned because its organisation was retired.
const RETURNED_NOTE: &str = "Returned because the organisation is no longer a signatory.";

/// Every organisation, retired ones too, by name, for those who manage them.
pub async fn list(store: &dyn Store, actor: &Actor) -> AppResult<Vec<OrganisationSummary>> {
    actor.require(Action::ManageOrganisations)?;
    Ok(store.organisations().await?)
}

/// An organisation by short name, for those who manage them; `NotFound` names the closest.
pub async fn find(store: &dyn Store, actor: &Actor, slug: &Slug) -> AppResult<Organisation> {
    actor.require(Action::ManageOrganisations)?;
    match store.organisation_record(slug).await? {
        Some(org) => Ok(org),
        None => Err(AppError::NotFound(unknown(store, slug.as_str()).await?)),
    }
}

/// What to say about a short name no organisation has: the closest there are, and how to add
/// one. For every place a short name is typed: the command line, the API, the pages.
pub async fn unknown(store: &dyn Store, wanted: &str) -> AppResult<String> {
    let all = store.organisations().await?;
    Ok(unknown_short_name(
        wanted,
        all.iter().map(|o| o.organisation.slug.as_str()),
    ))
}

fn problems(found: Vec<charter_core::organisation::InputProblem>) -> AppError {
    AppError::Invalid(
        found
            .into_iter()
            .map(|p| Problem::new(p.field, p.message))
            .collect(),
    )
}

fn clash(c: OrgClash, org: &Organisation) -> AppError {
    match c {
        OrgClash::Name(other) => AppError::invalid(
            "name",
            format!(
                "“{}” is already the name of another organisation ({other}): give this one a different name",
                org.name
            ),
        ),
        OrgClash::Slug(other) => AppError::invalid(
            "slug",
            format!(
                "The short name “{}” is taken by another organisation ({other}): choose another",
                org.slug
            ),
        ),
        OrgClash::Missing => AppError::NotFound(format!("The organisation {}", org.slug)),
    }
}

/// Adds a signatory from what was typed. Every field's problem is said at once; a name or
/// short name another organisation has is refused on its field.
pub async fn add(
    store: &dyn Store,
    actor: &Actor,
    input: &OrganisationInput,
) -> AppResult<Organisation> {
    actor.require(Action::ManageOrganisations)?;
    // A taken name or short name is said with every other problem, not only once they are fixed;
    // the store still refuses a clash that slips in between.
    let others = store.organisations().await?;
    let mut found =
        charter_core::organisation::taken(input, others.iter().map(|o| &o.organisation));
    let parsed = parse_input(input, OrgId::new(0), None, clock::today());
    let mut org = match parsed {
        Ok(org) if found.is_empty() => org,
        Ok(_) => return Err(problems(found)),
        Err(more) => {
            // The name and short name come first on the form, so their clashes lead.
            found.retain(|t| !more.iter().any(|m| m.field == t.field));
            found.extend(more);
            return Err(problems(found));
        }
    };
    org.id = match store.organisation_add(&org).await? {
        Ok(id) => id,
        Err(c) => return Err(clash(c, &org)),
    };
    actor
        .audit(
            store,
            "organisation-add",
            &format!("{} ({})", org.slug, org.id),
        )
        .await?;
    Ok(org)
}

/// Changes an organisation's details. The short name stays what it is: a different one typed
/// is refused on its field.
pub async fn change(
    store: &dyn Store,
    actor: &Actor,
    slug: &Slug,
    input: &OrganisationInput,
) -> AppResult<Organisation> {
    let before = find(store, actor, slug).await?;
    let mut input = input.clone();
    let typed = input.slug.trim();
    if !typed.is_empty() && typed != slug.as_str() {
        return Err(AppError::invalid(
            "slug",
            format!(
                "The short name cannot change from “{slug}”: entries and their history use it. Add a new organisation instead"
            ),
        ));
    }
    input.slug = slug.to_string();
    let org =
        parse_input(&input, before.id, before.retired_on, clock::today()).map_err(problems)?;
    save(store, actor, &org, "organisation-change", "").await?;
    Ok(org)
}

/// Writes a changed organisation, refusing a clash on its field, and audits `action` on it;
/// `more` is added to the audit entry's subject.
async fn save(
    store: &dyn Store,
    actor: &Actor,
    org: &Organisation,
    action: &str,
    more: &str,
) -> AppResult<()> {
    if let Err(c) = store.organisation_change(org).await? {
        return Err(clash(c, org));
    }
    let subject = format!("{} ({}){more}", org.slug, org.id);
    actor.audit(store, action, &subject).await
}

/// The organisation's drafts waiting for review, for the question asked before retiring it.
pub async fn in_review(store: &dyn Store, actor: &Actor, slug: &Slug) -> AppResult<Vec<Draft>> {
    actor.require(Action::ManageOrganisations)?;
    Ok(store
        .drafts(&DraftFilter {
            organisation: Some(slug.clone()),
            states: vec![DraftState::Submitted],
        })
        .await?)
}

/// Retires an organisation as of today: it stops being a signatory, while its entries and their
/// history stay public. When drafts of its are waiting for review, `drafts` must say what
/// happens to them. Returns how many drafts went back to their editors.
pub async fn retire(
    store: &dyn Store,
    actor: &Actor,
    slug: &Slug,
    drafts: Option<InReview>,
) -> AppResult<usize> {
    let mut org = find(store, actor, slug).await?;
    if let Some(on) = org.retired_on {
        return Err(AppError::Conflict(format!(
            "{} was already retired on {}",
            org.name,
            on.long()
        )));
    }
    let waiting = in_review(store, actor, slug).await?;
    let mut returned = 0;
    match (waiting.is_empty(), drafts) {
        (true, _) | (false, Some(InReview::Keep)) => {}
        (false, None) => {
            return Err(AppError::invalid(
                "drafts",
                format!(
                    "{} has {} waiting for review: choose whether to keep them for review or return them to their editors",
                    org.name,
                    plural(waiting.len())
                ),
            ));
        }
        (false, Some(InReview::Return)) => {
            for d in &waiting {
                let change = DraftChange {
                    lock: d.lock,
                    from: &[DraftState::Submitted],
                    to: DraftState::Returned,
                    entry: None,
                    event: DraftEvent {
                        at: clock::now(),
                        actor: actor.name.clone(),
                        kind: EventKind::Returned,
                        comment: Some(RETURNED_NOTE.into()),
                    },
                };
                // One approved or returned meanwhile is no longer waiting: nothing to do.
                if store.draft_change(d.id, &change).await?.is_ok() {
                    returned += 1;
                    let subject = format!("draft {} of {}", d.id, d.entry.id);
                    actor.audit(store, "draft-return", &subject).await?;
                }
            }
        }
    }
    org.retired_on = Some(clock::today());
    let kept = if returned > 0 {
        format!(", {} returned", plural(returned))
    } else if waiting.is_empty() {
        String::new()
    } else {
        format!(", {} kept for review", plural(waiting.len()))
    };
    save(store, actor, &org, "organisation-retire", &kept).await?;
    Ok(returned)
}

/// Makes a retired organisation a signatory again, keeping its first signing date.
pub async fn reinstate(store: &dyn Store, actor: &Actor, slug: &Slug) -> AppResult<()> {
    let mut org = find(store, actor, slug).await?;
    if org.retired_on.take().is_none() {
        return Err(AppError::Conflict(format!("{} is not retired", org.name)));
    }
    save(store, actor, &org, "organisation-reinstate", "").await
}

/// "1 draft", "3 drafts".
fn plural(n: usize) -> String {
    charter_core::plain_english::count_of(n as u64, "draft", "drafts")
}

/// Lets an organisation approve its own entries (by a second person in it), or stops it.
pub async fn set_self_publish(
    store: &dyn Store,
    actor: &Actor,
    organisation: &Slug,
    on: bool,
) -> AppResult<()> {
    actor.require(Action::SetSelfPublish)?;
    store.self_publish_set(organisation, on).await?;
    let action = if on {
        "self-publish-on"
    } else {
        "self-publish-off"
    };
    record_for(store, actor, action, organisation.as_str()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AppError;
    use crate::testing::{KNOWSLEY, acting, audit, person, store};
    use charter_core::accounts::Role;
    use charter_store::prelude::*;

    #[tokio::test]
    async fn only_the_charter_body_switches_self_publishing() {
        let store = store().await;
        let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
        let moderator = person(&store, "m@x.example", Role::Moderator, None).await;
        let org: Slug = KNOWSLEY.parse().unwrap();
        let refused = set_self_publish(&store, &acting(&admin), &org, true).await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "{refused:?}"
        );
        assert!(!store.self_publish(&org).await.unwrap());
        set_self_publish(&store, &acting(&moderator), &org, true)
            .await
            .unwrap();
        assert!(store.self_publish(&org).await.unwrap());
        let log = audit(&store).await;
        assert_eq!(
            (log[0].0.as_str(), log[0].1.as_str(), log[0].2.as_str()),
            ("m@x.example", "self-publish-on", KNOWSLEY)
        );
    }

    fn input(name: &str, slug: &str) -> OrganisationInput {
        OrganisationInput {
            name: name.into(),
            slug: slug.into(),
            kind: "central-government".into(),
            boroughs: vec!["liverpool".into()],
            signed_on: "2026-01-05".into(),
            contact_email: "ai@hmrc.example".into(),
            dpo_email: "dpo@hmrc.example".into(),
            ..OrganisationInput::default()
        }
    }

    fn fields(e: AppResult<Organisation>) -> Vec<String> {
        match e {
            Err(AppError::Invalid(p)) => p.into_iter().map(|p| p.field).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn only_site_administrators_add_and_each_change_is_audited() {
        let store = store().await;
        let site = person(&store, "s@x.example", Role::SiteAdmin, None).await;
        let moderator = person(&store, "m@x.example", Role::Moderator, None).await;
        let hmrc = input("HM Revenue and Customs", "hmrc");
        let refused = add(&store, &acting(&moderator), &hmrc).await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "{refused:?}"
        );
        let org = add(&store, &acting(&site), &hmrc).await.unwrap();
        assert_eq!(org.id.number(), 4);
        // Taken name (other capitals) and short name, each on its field, both at once.
        let again = add(
            &store,
            &acting(&site),
            &input("hm revenue AND customs", "hmrc"),
        )
        .await;
        assert_eq!(fields(again), ["name", "slug"]);
        // With other problems too, not only once they are put right.
        let mut bad = input("HM Revenue and Customs", "hmrc");
        bad.contact_email = "write to us".into();
        let said = add(&store, &acting(&site), &bad).await;
        assert_eq!(fields(said), ["name", "slug", "contact_email"]);
        let again = add(
            &store,
            &acting(&site),
            &input("HM REVENUE AND CUSTOMS", "hmrc-2"),
        )
        .await;
        assert_eq!(fields(again), ["name"]);
        // The short name never changes; other details do.
        let slug: Slug = "hmrc".parse().unwrap();
        let moved = change(&store, &acting(&site), &slug, &input("HMRC", "hm-revenue")).await;
        assert_eq!(fields(moved), ["slug"]);
        let renamed = change(&store, &acting(&site), &slug, &input("HMRC", ""))
            .await
            .unwrap();
        assert_eq!((renamed.name.as_str(), renamed.id), ("HMRC", org.id));
        let log = audit(&store).await;
        let actions: Vec<&str> = log.iter().map(|e| e.1.as_str()).collect();
        assert_eq!(actions, ["organisation-add", "organisation-change"]);
        assert_eq!(log[0].2, "hmrc (ORG-0004)");
        // An unknown short name names the closest.
        let missing = find(&store, &acting(&site), &"knowsly-council".parse().unwrap()).await;
        match missing {
            Err(AppError::NotFound(m)) => assert!(m.contains("knowsley-council"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn retiring_asks_about_drafts_in_review_and_can_return_them() {
        let store = store().await;
        let site = person(&store, "s@x.example", Role::SiteAdmin, None).await;
        let org: Slug = KNOWSLEY.parse().unwrap();
        let (_, projects) = charter_store::fixtures::small_register();
        let mut entry = projects[0].clone();
        entry.organisation = org.clone();
        let draft = store
            .draft_create(&charter_store::drafts::NewDraft {
                entry,
                existing: None,
                base_version: None,
                actor: "e@k.example".into(),
                at: clock::now(),
            })
            .await
            .unwrap();
        let submit = DraftChange {
            lock: draft.lock,
            from: &[DraftState::Editing],
            to: DraftState::Submitted,
            entry: None,
            event: DraftEvent {
                at: clock::now(),
                actor: "e@k.example".into(),
                kind: EventKind::Submitted,
                comment: None,
            },
        };
        store
            .draft_change(draft.id, &submit)
            .await
            .unwrap()
            .unwrap();
        let asked = retire(&store, &acting(&site), &org, None).await;
        match asked {
            Err(AppError::Invalid(p)) => {
                assert_eq!(p[0].field, "drafts");
                assert!(p[0].message.contains("1 draft waiting"), "{}", p[0].message);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            store
                .organisation_record(&org)
                .await
                .unwrap()
                .unwrap()
                .retired_on
                .is_none()
        );
        let returned = retire(&store, &acting(&site), &org, Some(InReview::Return))
            .await
            .unwrap();
        assert_eq!(returned, 1);
        assert_eq!(
            store.draft(draft.id).await.unwrap().unwrap().state,
            DraftState::Returned
        );
        let retired = store.organisation_record(&org).await.unwrap().unwrap();
        assert_eq!(retired.retired_on, Some(clock::today()));
        assert!(matches!(
            retire(&store, &acting(&site), &org, None).await,
            Err(AppError::Conflict(_))
        ));
        reinstate(&store, &acting(&site), &org).await.unwrap();
        assert!(
            store
                .organisation_record(&org)
                .await
                .unwrap()
                .unwrap()
                .retired_on
                .is_none()
        );
        let log = audit(&store).await;
        let actions: Vec<&str> = log.iter().map(|e| e.1.as_str()).collect();
        assert_eq!(
            actions,
            [
                "draft-return",
                "organisation-retire",
                "organisation-reinstate"
            ]
        );
        assert_eq!(log[1].2, "knowsley-council (ORG-0001), 1 draft returned");
    }
}
