//! Email about what happened on the register, to the people who should act on it: editors when
//! their draft is sent back or published, reviewers when a draft waits for them, an
//! organisation's administrators when someone joins it.
//!
//! The use case that made the change calls one of these after it is saved. They only add
//! messages to the queue the store keeps (quick, and never a reason for the change to fail: a
//! problem is logged), and [`delivery`] sends them in the background, trying again if the mail
//! server fails. Nobody is told about what they did themselves, and nobody who turned that kind
//! of email off ([`choices`]).

use charter_core::Slug;
use charter_core::accounts::Role;
use charter_core::notices::Notice;
use charter_store::Store;
use charter_store::accounts::User;
use charter_store::drafts::Draft;
use charter_store::notices::NewMail;

use crate::{Actor, AppResult, clock};

pub mod choices;
pub mod delivery;

/// Someone joined an organisation: added to it, or set their password and can now sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    Added,
    SetPassword,
}

/// A draft was sent for review: tells the charter body and, when the organisation approves its
/// own entries, its people who did not write the draft (they may approve it).
pub async fn draft_submitted(store: &dyn Store, actor: &Actor, draft: &Draft, note: &str) {
    let notice = Notice::DraftSubmitted;
    let told = async {
        let mut people = store
            .people_to_tell(notice.slug(), Role::Moderator, None)
            .await?;
        if store.self_publish(&draft.organisation).await? {
            let authors = authors(store, draft.id).await?;
            for role in [Role::OrgAdmin, Role::OrgEditor] {
                let own = store
                    .people_to_tell(notice.slug(), role, Some(&draft.organisation))
                    .await?;
                people.extend(own.into_iter().filter(|p| !authors.contains(&p.email)));
            }
        }
        let org = organisation_name(store, &draft.organisation).await?;
        let mut body = format!(
            "{} sent a draft for review.\r\n\r\nEntry: {}\r\nOrganisation: {org}\r\n",
            who(actor),
            draft.entry.title
        );
        if !note.is_empty() {
            body.push_str(&format!("What changed: {note}\r\n"));
        }
        body.push_str(
            "\r\nWhat to do next: read the draft. Then publish it, or send it back with a comment.",
        );
        let mail = Mail {
            subject: format!("Draft to review: {}", draft.entry.title),
            body,
            path: format!("/manage/drafts/{}/review", draft.id),
        };
        queue(store, actor, &people, &mail).await
    };
    logged(notice, told.await);
}

/// A draft was sent back: tells the people who wrote it what the reviewer said.
pub async fn draft_returned(store: &dyn Store, actor: &Actor, draft: &Draft, comment: &str) {
    let notice = Notice::DraftReturned;
    let told = async {
        let people = authors_to_tell(store, draft.id, notice).await?;
        let org = organisation_name(store, &draft.organisation).await?;
        let mail = Mail {
            subject: format!("Your draft was sent back: {}", draft.entry.title),
            body: format!(
                "{} sent back your draft of {} ({org}).\r\n\r\nThey said:\r\n{}\r\n\r\n\
                 What to do next: make the changes. Then send the draft for review again.",
                who(actor),
                draft.entry.title,
                comment.replace('\n', "\r\n")
            ),
            path: format!("/manage/drafts/{}", draft.id),
        };
        queue(store, actor, &people, &mail).await
    };
    logged(notice, told.await);
}

/// A draft was approved, so its entry is now public: tells the people who wrote it.
pub async fn draft_published(store: &dyn Store, actor: &Actor, draft: &Draft) {
    let notice = Notice::DraftPublished;
    let told = async {
        let people = authors_to_tell(store, draft.id, notice).await?;
        let org = organisation_name(store, &draft.organisation).await?;
        let mail = Mail {
            subject: format!("Your entry is published: {}", draft.entry.title),
            body: format!(
                "{} approved your draft of {} ({org}). It is now on the public register.\r\n\r\n\
                 What to do next: nothing. You can read the entry at this link.",
                who(actor),
                draft.entry.title
            ),
            path: format!("/projects/{}", draft.entry.id),
        };
        queue(store, actor, &people, &mail).await
    };
    logged(notice, told.await);
}

/// Someone joined an organisation: tells its administrators (not the person, nor whoever added
/// them).
pub async fn person_joined(store: &dyn Store, actor: &Actor, person: &User, how: Joined) {
    let notice = Notice::PersonJoined;
    let Some(slug) = &person.organisation else {
        return;
    };
    let told = async {
        let admins: Vec<User> = store
            .people_to_tell(notice.slug(), Role::OrgAdmin, Some(slug))
            .await?
            .into_iter()
            .filter(|a| a.id != person.id)
            .collect();
        let org = organisation_name(store, slug).await?;
        let role = person.role.label().to_lowercase();
        let name = match &person.name {
            Some(n) => format!("{n} ({})", person.email),
            None => person.email.clone(),
        };
        let (subject, what) = match how {
            Joined::Added => (
                format!("{} was added to {org}", person.email),
                format!(
                    "{} added {name} to {org} as an {role}. They get a link to set a password.",
                    who(actor)
                ),
            ),
            Joined::SetPassword => (
                format!("{} joined {org}", person.email),
                format!("{name} set a password. They can now sign in as an {role} for {org}."),
            ),
        };
        let mail = Mail {
            subject,
            body: format!(
                "{what}\r\n\r\nWhat to do next: nothing, if you expected this. \
                 If you did not, tell the site administrator. You can see your organisation's people and tools at this link."
            ),
            path: format!("/manage/organisations/{slug}"),
        };
        queue(store, actor, &admins, &mail).await
    };
    logged(notice, told.await);
}

/// One message, for each person it goes to.
struct Mail {
    subject: String,
    body: String,
    path: String,
}

/// How the actor is named in a message: a person by their address.
fn who(actor: &Actor) -> String {
    match &actor.via {
        crate::actor::Via::CommandLine => "The site administrator".to_owned(),
        crate::actor::Via::Site(_)
        | crate::actor::Via::Token { .. }
        | crate::actor::Via::SiteToken { .. } => actor.name.clone(),
    }
}

/// Queues the message for each person, except the one who acted.
async fn queue(store: &dyn Store, actor: &Actor, people: &[User], mail: &Mail) -> AppResult<()> {
    let at = clock::now();
    let mut mails: Vec<NewMail> = Vec::new();
    for p in people {
        if p.email.eq_ignore_ascii_case(&actor.name) || mails.iter().any(|m| m.to == p.email) {
            continue;
        }
        mails.push(NewMail {
            to: p.email.clone(),
            subject: mail.subject.clone(),
            body: mail.body.clone(),
            path: mail.path.clone(),
            at: at.clone(),
        });
    }
    if !mails.is_empty() {
        store.mail_queue(&mails).await?;
        delivery::wake();
    }
    Ok(())
}

/// The change is saved whatever happens here: a message that could not be queued is logged.
fn logged(notice: Notice, told: AppResult<()>) {
    if let Err(e) = told {
        tracing::error!(error = %e, notice = notice.slug(), "email about a change was not queued");
    }
}

/// The addresses of everyone who wrote a draft (started, saved or submitted it).
async fn authors(store: &dyn Store, draft: i64) -> AppResult<Vec<String>> {
    let events = store.draft_events(draft).await?;
    let mut out: Vec<String> = Vec::new();
    for a in crate::drafts::authors(&events) {
        if !out.iter().any(|o| o == a) {
            out.push(a.to_owned());
        }
    }
    Ok(out)
}

/// The people who wrote a draft and still want `notice`: accounts that can get it, with a
/// password set.
async fn authors_to_tell(store: &dyn Store, draft: i64, notice: Notice) -> AppResult<Vec<User>> {
    let mut people = Vec::new();
    for email in authors(store, draft).await? {
        let Some(user) = store.user_by_email(&email).await? else {
            continue;
        };
        if user.password_hash.is_none() || !notice.for_role(user.role) {
            continue;
        }
        let off = store.notices_off(user.id).await?;
        if !off.iter().any(|o| o == notice.slug()) {
            people.push(user);
        }
    }
    Ok(people)
}

async fn organisation_name(store: &dyn Store, slug: &Slug) -> AppResult<String> {
    Ok(store
        .organisation_record(slug)
        .await?
        .map(|o| o.name)
        .unwrap_or_else(|| slug.to_string()))
}

#[cfg(test)]
mod tests;
