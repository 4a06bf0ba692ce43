//! Email to a resident who gave an address: queued after the change is saved, sent by the
//! mail queue's sender. A failure to queue is logged and never undoes the change.

use charter_core::Email;
use charter_store::Store;
use charter_store::challenges::Challenge;
use charter_store::notices::NewMail;

use crate::clock;

/// Where residents' private pages are. Every email to a resident has a path starting with it
/// (just this, when the email carries no link), so the sender words it for someone with no
/// account (see `notices::delivery::text`).
pub const RESIDENT_PATH: &str = "/challenges/";

/// The page a resident's emails point to: their private page.
pub(crate) fn private_path(token: &str) -> String {
    format!("{RESIDENT_PATH}{token}")
}

fn what(item: &Challenge) -> &'static str {
    match item.kind {
        charter_core::challenges::Kind::Challenge => "challenge",
        charter_core::challenges::Kind::Question => "question",
    }
}

async fn queue(store: &dyn Store, to: &Email, subject: String, body: String, path: String) {
    let mail = NewMail {
        to: to.to_string(),
        subject,
        body,
        path,
        at: clock::now(),
    };
    match store.mail_queue(&[mail]).await {
        Ok(()) => crate::notices::delivery::wake(),
        // The reference only: never the address.
        Err(e) => tracing::warn!(error = %e, "an email to a resident was not queued"),
    }
}

fn resident_email(item: &Challenge) -> Option<&Email> {
    item.contact.as_ref().and_then(|c| c.email.as_ref())
}

/// The reference and the private link, when it arrives.
pub(crate) async fn received(store: &dyn Store, item: &Challenge, token: &str) {
    let Some(to) = resident_email(item) else {
        return;
    };
    let body = format!(
        "We got your {}. Your reference is {}.\r\n\r\n\
         We will tell you we have seen it by {}. We will answer by {}.\r\n\r\n\
         Keep this email. Use the link below to see where it is, read our answer, \
         or delete what you sent. Do not share the link.",
        what(item),
        item.reference(),
        item.acknowledge_by.long(),
        item.answer_by.long(),
    );
    queue(
        store,
        to,
        format!("We got your {} {}", what(item), item.reference()),
        body,
        private_path(token),
    )
    .await;
}

/// The organisation has seen it. The link is not in this email: only its hash is kept.
pub(crate) async fn acknowledged(store: &dyn Store, item: &Challenge) {
    let Some(to) = resident_email(item) else {
        return;
    };
    let body = format!(
        "We have seen your {} {}. We will answer by {}.\r\n\r\n\
         Use the link in our first email to see where it is.",
        what(item),
        item.reference(),
        item.answer_by.long(),
    );
    queue(
        store,
        to,
        format!("We have seen your {} {}", what(item), item.reference()),
        body,
        RESIDENT_PATH.to_owned(),
    )
    .await;
}

/// The answer, in full.
pub(crate) async fn answered(store: &dyn Store, item: &Challenge) {
    let Some(to) = resident_email(item) else {
        return;
    };
    let mut body = format!(
        "This is our answer to your {} {}.\r\n\r\n",
        what(item),
        item.reference()
    );
    if let Some(o) = item.outcome {
        body.push_str(&format!("Outcome: {}\r\n\r\n", o.label()));
    }
    body.push_str(
        &item
            .answer
            .clone()
            .unwrap_or_default()
            .replace('\n', "\r\n"),
    );
    if let Some(changes) = &item.changes {
        body.push_str(&format!(
            "\r\n\r\nWhat will change:\r\n{}",
            changes.replace('\n', "\r\n")
        ));
    }
    body.push_str("\r\n\r\nYou can also read this answer with the link in our first email.");
    queue(
        store,
        to,
        format!("Our answer to your {} {}", what(item), item.reference()),
        body,
        RESIDENT_PATH.to_owned(),
    )
    .await;
}
