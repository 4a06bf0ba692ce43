//! Which emails a person gets: every kind their role can get is on until they turn it off,
//! except the breach deadline's, which stays on.

use charter_core::notices::Notice;
use charter_store::Store;

use crate::{Actor, AppError, AppResult};

/// A kind of email the person can get, and whether it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub notice: Notice,
    pub on: bool,
}

/// The signed-in person behind `actor`: only a person has emails to choose.
fn own(actor: &Actor) -> AppResult<(i64, charter_core::accounts::Role)> {
    actor
        .principal()
        .map(|p| (p.user_id, p.role))
        .ok_or_else(|| AppError::Forbidden("Sign in to choose which emails you get.".into()))
}

/// The kinds of email the person can get, each on or off.
pub async fn choices(store: &dyn Store, actor: &Actor) -> AppResult<Vec<Choice>> {
    let (user, role) = own(actor)?;
    let off = store.notices_off(user).await?;
    Ok(Notice::ALL
        .into_iter()
        .filter(|n| n.for_role(role))
        .map(|notice| Choice {
            notice,
            on: !notice.can_turn_off() || !off.iter().any(|o| o == notice.slug()),
        })
        .collect())
}

/// Keeps on the kinds named in `on` (as the form sends them, each kind's slug) and turns the
/// others off. Returns the choices as now saved.
pub async fn choose(store: &dyn Store, actor: &Actor, on: &[String]) -> AppResult<Vec<Choice>> {
    let (user, role) = own(actor)?;
    let mut wanted = Vec::new();
    for slug in on {
        match slug.parse::<Notice>() {
            Ok(n) if n.for_role(role) => wanted.push(n),
            _ => {
                return Err(AppError::invalid(
                    "notices",
                    format!("“{slug}” is not an email you can get: choose from the list"),
                ));
            }
        }
    }
    let off: Vec<String> = Notice::ALL
        .into_iter()
        // What may not be turned off stays on, whatever the form sent.
        .filter(|n| n.for_role(role) && n.can_turn_off() && !wanted.contains(n))
        .map(|n| n.slug().to_owned())
        .collect();
    store.notices_off_set(user, &off).await?;
    let said = if off.is_empty() {
        "every email on".to_owned()
    } else {
        format!("off: {}", off.join(", "))
    };
    actor
        .audit(store, "notices-choose", &format!("user {user}, {said}"))
        .await?;
    choices(store, actor).await
}
