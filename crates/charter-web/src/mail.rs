//! Email, written as `.eml` files to an outbox folder: the register has no mail server of its own,
//! and an operator's mail system (or a test) picks the files up from there.

use std::io::Write;
use std::path::Path;

use charter_core::Email;
use charter_optout::Scope;

/// A one-time account link (set or reset a password).
pub fn write_link(outbox: &Path, to: &str, subject: &str, path: &str) -> std::io::Result<()> {
    let body = format!(
        "To: {to}\r\nFrom: Charter register <no-reply@charter-register.example>\r\nSubject: {subject}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Use this link within 7 days to set your password. It works once:\r\n{path}\r\n\r\n\
         If you did not ask for this, you can ignore this email.\r\n"
    );
    write(
        outbox,
        &format!("{}-account.eml", crate::now().replace(':', "")),
        &body,
    )
}

fn write(outbox: &Path, name: &str, body: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(outbox)?;
    let tmp = outbox.join(format!(".{name}.partial"));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(body.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(tmp, outbox.join(name))
}

/// The opt-out receipt: the code and the private link. The NHS number is never in it.
pub fn write_receipt(
    outbox: &Path,
    to: &Email,
    receipt: &str,
    token: &str,
    scopes: &[Scope],
) -> std::io::Result<()> {
    let list: Vec<String> = scopes
        .iter()
        .map(|s| format!("  - {}", s.label()))
        .collect();
    let body = format!(
        "To: {to}\r\nFrom: Charter register <no-reply@charter-register.example>\r\nSubject: Your opt-out receipt {receipt}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         You opted out of:\r\n{}\r\n\r\nYour receipt code is {receipt}.\r\n\r\n\
         To see or change your choices at any time, use your private link (keep it safe: anyone with it can change your choices):\r\n\
         /opt-out/manage/{token}\r\n\r\nWe do not keep this email address.\r\n",
        list.join("\r\n")
    );
    write(
        outbox,
        &format!("{}-{receipt}.eml", crate::now().replace(':', "")),
        &body,
    )
}
