//! What the store keeps for email about what happened on the register: the kinds each person
//! turned off, and the queue of messages waiting to be sent.

use charter_core::{Slug, Timestamp};

/// A message to send. `path` is the page it points to on the register (such as
/// `/manage/drafts/7`): the sender puts the register's public address before it, so the queue
/// holds no address that could go out of date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub path: String,
    pub at: Timestamp,
}

/// A message taken from the queue to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub path: String,
    /// How many times it has been taken to send, this time included.
    pub tries: u32,
}

/// A reminder to queue: its key (the same on every instance, so it goes once) and its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub key: String,
    pub organisation: Slug,
    pub mails: Vec<NewMail>,
}

/// A message that could not be sent and will not be tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndeliveredMail {
    pub to: String,
    pub subject: String,
    pub created_at: Timestamp,
    pub tries: u32,
    pub last_error: Option<String>,
}
