//! Sending the queued messages: in the background while the server runs, woken as soon as a
//! message is queued and every few seconds anyway, so messages queued by another instance or by
//! a `charter` command go too. Each message is taken by one instance; a failure is logged and
//! tried again later, up to [`MAX_TRIES`] times.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use charter_store::Store;
use charter_store::notices::QueuedMail;
use tokio::sync::Notify;

use crate::{AppResult, clock};

/// How many times a message is tried before it is left in the queue, with its last error.
pub const MAX_TRIES: u32 = 5;
/// How long after a try a message may be tried again.
const RETRY_SECONDS: i64 = 10 * 60;
/// Messages taken at a time.
const BATCH: u32 = 50;
/// How often the queue is looked at without being woken.
pub const EVERY: Duration = Duration::from_secs(5);

/// What sends one message: the mail server or the outbox folder (the web crate's `Mailer`), or a
/// test's stand-in. `Err` says why, for the log.
pub trait Postman: Send + Sync {
    fn send<'a>(
        &'a self,
        to: &'a str,
        subject: &'a str,
        body: String,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: u32,
    pub failed: u32,
}

static WAKE: Notify = Notify::const_new();

/// Tells this process's sender there is something to send now.
pub(crate) fn wake() {
    WAKE.notify_one();
}

/// The message as sent: what happened, the link (on the register's public address `base`), and
/// how to choose which emails come.
pub fn text(mail: &QueuedMail, base: &str) -> String {
    // A resident who challenged a decision or asked a question has no account to choose in.
    if let Some(token) = mail.path.strip_prefix(crate::challenges::RESIDENT_PATH) {
        let link = if token.is_empty() {
            String::new()
        } else {
            format!("{base}{}\r\n\r\n", mail.path)
        };
        return format!(
            "{}\r\n\r\n{link}\
             You get this email because you contacted the register about a project.\r\n",
            mail.body
        );
    }
    format!(
        "{}\r\n\r\n{base}{}\r\n\r\n\
         You get this email because you have an account on the register. \
         To choose which emails you get, go to {base}/account/notifications\r\n",
        mail.body, mail.path
    )
}

/// Sends every message due now, until the queue has none left to take.
pub async fn deliver(store: &dyn Store, postman: &dyn Postman, base: &str) -> AppResult<Round> {
    let mut round = Round::default();
    loop {
        let taken = store
            .mail_take(
                &clock::now(),
                &clock::from_now(RETRY_SECONDS),
                MAX_TRIES,
                BATCH,
            )
            .await?;
        if taken.is_empty() {
            return Ok(round);
        }
        for mail in taken {
            match postman
                .send(&mail.to, &mail.subject, text(&mail, base))
                .await
            {
                Ok(()) => {
                    store.mail_sent(mail.id).await?;
                    round.sent += 1;
                }
                Err(e) => {
                    store.mail_failed(mail.id, &e).await?;
                    round.failed += 1;
                    if mail.tries >= MAX_TRIES {
                        tracing::error!(error = %e, id = mail.id, "an email was not sent and will not be tried again");
                    } else {
                        tracing::warn!(error = %e, id = mail.id, tries = mail.tries, "an email was not sent: it will be tried again");
                    }
                }
            }
        }
    }
}

/// Sends queued messages for as long as the server runs.
pub fn spawn(
    store: Arc<dyn Store>,
    postman: Arc<dyn Postman>,
    base: String,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(EVERY);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                _ = WAKE.notified() => {}
            }
            match deliver(store.as_ref(), postman.as_ref(), &base).await {
                Ok(r) if r.sent > 0 => tracing::info!(sent = r.sent, "email sent"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the email queue"),
            }
        }
    })
}
