//! Email: sent over SMTP when a mail server is configured (`--smtp-url`), otherwise written as
//! `.eml` files to an outbox folder that an operator's mail system, the demo or a test reads.
//! Either way the message is the same, built once with lettre.
//!
//! Mail is the web interface's to send: the use cases return what a message needs (a receipt
//! code and private link, a one-time account link), and an address a resident gives is used for
//! that one message here, never passed on to the store. The command line sends none. Email about
//! what happened (a draft sent back, a person joined) is queued by the use cases and sent by
//! `charter_app::notices::delivery` through this same `Mailer`.

use std::path::PathBuf;

use charter_core::Email;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// Where email goes.
pub enum Mailer {
    /// `from`: none for [`DEFAULT_FROM`].
    Outbox {
        folder: PathBuf,
        from: Option<Mailbox>,
    },
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

/// Why a message could not be sent, in words for the log.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the address {0} cannot receive email")]
    Address(String),
    #[error("the message cannot be built: {0}")]
    Build(String),
    #[error("the outbox cannot be written: {0}")]
    Outbox(#[from] std::io::Error),
    #[error("the mail server refused or did not answer: {0}")]
    Smtp(String),
}

/// The sender used when none is configured.
pub const DEFAULT_FROM: &str = "Charter register <no-reply@charter-register.example>";

fn mailbox(from: &str) -> Result<Mailbox, String> {
    from.parse::<Mailbox>()
        .map_err(|e| format!("“{from}” is not a sender address like Name <name@example.org>: {e}"))
}

impl Mailer {
    pub fn outbox(folder: PathBuf) -> Mailer {
        Mailer::Outbox { folder, from: None }
    }

    /// An outbox with a chosen sender.
    pub fn outbox_from(folder: PathBuf, from: &str) -> Result<Mailer, String> {
        Ok(Mailer::Outbox {
            folder,
            from: Some(mailbox(from)?),
        })
    }

    /// A mail server, from a URL such as `smtp://user:password@mail.example.org:587?tls=required`
    /// or `smtps://user:password@mail.example.org` (TLS certificates checked against the web's
    /// root certificates).
    pub fn smtp(url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("the mail server address is not usable: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        Ok(Mailer::Smtp {
            transport,
            from: mailbox(from)?,
        })
    }

    fn from(&self) -> Result<Mailbox, MailError> {
        match self {
            Mailer::Outbox {
                from: Some(from), ..
            }
            | Mailer::Smtp { from, .. } => Ok(from.clone()),
            Mailer::Outbox { from: None, .. } => mailbox(DEFAULT_FROM).map_err(MailError::Build),
        }
    }

    /// Sends a plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|_| MailError::Address(to.to_owned()))?;
        let message = Message::builder()
            .from(self.from()?)
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Build(e.to_string()))?;
        match self {
            Mailer::Outbox { folder, .. } => {
                let name = format!(
                    "{}-{}.eml",
                    charter_app::clock::now().replace(':', ""),
                    charter_app::secrets::random_hex(4)
                        .map_err(|e| MailError::Build(e.to_string()))?
                );
                write(folder, &name, &message.formatted())?;
                Ok(())
            }
            Mailer::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Smtp(e.to_string())),
        }
    }
}

/// Writes a file whole or not at all: readers of the outbox never see half a message.
/// Messages hold one-time password links and residents' receipts: the folder and every file in it
/// are their owner's alone.
fn write(folder: &std::path::Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)?;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(folder)?;
    let tmp = folder.join(format!(".{name}.partial"));
    let mut f = options.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(tmp, folder.join(name))
}

/// A one-time account link (set or reset a password). `link` is the whole address.
pub fn link_body(link: &str) -> String {
    format!(
        "Use this link within 7 days to set your password. It works once:\r\n{link}\r\n\r\n\
         If you did not ask for this, you can ignore this email.\r\n"
    )
}

/// The opt-out receipt: the code and the private link. The NHS number is never in it.
/// `scopes` are in words, naming organisations and projects as people know them.
pub fn receipt_body(link: &str, receipt: &str, scopes: &[String]) -> String {
    let list: Vec<String> = scopes.iter().map(|s| format!("  - {s}")).collect();
    format!(
        "You opted out of:\r\n{}\r\n\r\nYour receipt code is {receipt}.\r\n\r\n\
         To see or change your choices at any time, use your private link (keep it safe: anyone with it can change your choices):\r\n\
         {link}\r\n\r\nWe do not keep this email address.\r\n",
        list.join("\r\n")
    )
}

/// Sends the opt-out receipt.
pub async fn send_receipt(
    mailer: &Mailer,
    base: &str,
    to: &Email,
    receipt: &str,
    token: &str,
    scopes: &[String],
) -> Result<(), MailError> {
    let link = format!("{base}/opt-out/manage/{token}");
    mailer
        .send(
            to.as_str(),
            &format!("Your opt-out receipt {receipt}"),
            receipt_body(&link, receipt, scopes),
        )
        .await
}

/// Sends a one-time account link for `path` (such as `/account/set-password/TOKEN`).
pub async fn send_link(
    mailer: &Mailer,
    base: &str,
    to: &str,
    subject: &str,
    path: &str,
) -> Result<(), MailError> {
    mailer
        .send(to, subject, link_body(&format!("{base}{path}")))
        .await
}

/// Queued email about what happened on the register goes out the same way as the rest.
impl charter_app::notices::delivery::Postman for Mailer {
    fn send<'a>(
        &'a self,
        to: &'a str,
        subject: &'a str,
        body: String,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            Mailer::send(self, to, subject, body)
                .await
                .map_err(|e| e.to_string())
        })
    }
}
