//! Signing in and out. Failed attempts are counted per address and, past
//! [`MAX_FAILURES`] within [`FAILURE_WINDOW_MINUTES`], sign-in pauses for that address.

use charter_core::accounts::{FAILURE_WINDOW_MINUTES, MAX_FAILURES, SESSION_HOURS};
use charter_store::Store;
use charter_store::accounts::User;

use crate::audit::record;
use crate::secrets::{random_hex, token_hash};
use crate::{AppError, AppResult, Problem, clock, passwords};

/// Failed sign-ins are counted under a hash of the address tried, never the address itself.
pub(crate) fn failures_key(email: &str) -> String {
    blake3::hash(email.as_bytes()).to_hex().to_string()
}

/// The stored form of a session id: the id itself lives only in the person's cookie.
pub fn session_hash(id: &str) -> String {
    token_hash(id)
}

/// What came of a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// Signed in: the new session's id (for the cookie) and form token.
    Started {
        user: User,
        session_id: String,
        form_token: String,
    },
    /// The address or the password is wrong (the answer does not say which).
    Refused,
    /// Too many failures for this address: try again after this many minutes.
    Paused { minutes: i64 },
}

/// Signs a person in with their email address and password. `replacing`: the hash of a session
/// this browser already has, which ends, so every sign-in starts a fresh session.
pub async fn sign_in(
    store: &dyn Store,
    email: &str,
    password: &str,
    replacing: Option<&str>,
    from: &str,
) -> AppResult<SignIn> {
    let email = email.trim().to_lowercase();
    let mut problems = Vec::new();
    if email.is_empty() {
        problems.push(Problem::new("email", "Enter your email address"));
    }
    if password.is_empty() {
        problems.push(Problem::new("password", "Enter your password"));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let since = clock::from_now(-FAILURE_WINDOW_MINUTES * 60);
    // The attempt counts as a failure before the password is checked, in one step with the
    // count, so attempts sent at once cannot all slip under the limit.
    let attempt = store
        .sign_in_attempt(&failures_key(&email), &clock::now(), &since)
        .await?;
    if attempt.failures > MAX_FAILURES {
        // Refused unchecked: it must not lengthen the pause.
        store.sign_in_forgive(attempt.id).await?;
        return Ok(SignIn::Paused {
            minutes: FAILURE_WINDOW_MINUTES,
        });
    }
    let user = store.user_by_email(&email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    if !passwords::verify(password.to_owned(), stored).await {
        return Ok(SignIn::Refused);
    }
    store.sign_in_forgive(attempt.id).await?;
    let Some(user) = user else {
        return Err(AppError::Internal("verified without a user".into()));
    };
    if let Some(old) = replacing {
        store.session_delete(old).await?;
    }
    let session_id = random_hex(32)?;
    let form_token = random_hex(16)?;
    store
        .session_create(
            &session_hash(&session_id),
            user.id,
            &form_token,
            &clock::now(),
            &clock::from_now(SESSION_HOURS * 3600),
        )
        .await?;
    record(store, &user.email, from, "sign-in", &user.email).await?;
    Ok(SignIn::Started {
        user,
        session_id,
        form_token,
    })
}

/// Ends a session, named by its hash.
pub async fn sign_out(store: &dyn Store, session_hash: &str) -> AppResult<()> {
    store.session_delete(session_hash).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{request_reset, set_password};
    use crate::testing::{audit, person, store};
    use charter_core::accounts::Role;
    use charter_store::prelude::*;

    const GOOD: &str = "ferry cross the mersey";

    async fn with_password(store: &dyn Store, email: &str) -> User {
        let user = person(store, email, Role::Moderator, None).await;
        let hash = passwords::hash(GOOD.into()).await.unwrap();
        store
            .user_password_set(user.id, &hash, &"2026-01-01T00:00:00Z".parse().unwrap())
            .await
            .unwrap();
        user
    }

    #[tokio::test]
    async fn the_right_password_starts_a_session_and_is_audited() {
        let store = store().await;
        let user = with_password(&store, "s@k.example").await;
        assert!(matches!(
            sign_in(&store, "", "", None, "-").await,
            Err(AppError::Invalid(p)) if p.len() == 2
        ));
        assert_eq!(
            sign_in(&store, "s@k.example", "wrong password!", None, "-")
                .await
                .unwrap(),
            SignIn::Refused
        );
        assert_eq!(
            sign_in(&store, "nobody@k.example", GOOD, None, "-")
                .await
                .unwrap(),
            SignIn::Refused
        );
        let SignIn::Started { session_id, .. } =
            sign_in(&store, " S@K.example", GOOD, None, "192.0.2.5")
                .await
                .unwrap()
        else {
            panic!("not signed in")
        };
        let first = session_hash(&session_id);
        let session = store.session(&first, &clock::now()).await.unwrap();
        assert_eq!(session.unwrap().user.id, user.id);
        // Signing in again ends the session this browser had.
        let again = sign_in(&store, "s@k.example", GOOD, Some(&first), "-")
            .await
            .unwrap();
        assert!(matches!(again, SignIn::Started { .. }));
        assert!(
            store
                .session(&first, &clock::now())
                .await
                .unwrap()
                .is_none()
        );
        sign_out(&store, &first).await.unwrap();
        let log = audit(&store).await;
        assert_eq!(
            log[0],
            (
                "s@k.example".into(),
                "sign-in".into(),
                "s@k.example".into(),
                "192.0.2.5".into()
            )
        );
        assert_eq!(log.len(), 2, "failures are not audited: {log:?}");
    }

    #[tokio::test]
    async fn too_many_failures_pause_until_a_new_password_is_set() {
        let store = store().await;
        with_password(&store, "p@k.example").await;
        for _ in 0..MAX_FAILURES {
            assert_eq!(
                sign_in(&store, "p@k.example", "wrong password!", None, "-")
                    .await
                    .unwrap(),
                SignIn::Refused
            );
        }
        // Paused even with the right password; refused attempts do not lengthen the pause.
        for _ in 0..3 {
            assert_eq!(
                sign_in(&store, "p@k.example", GOOD, None, "-")
                    .await
                    .unwrap(),
                SignIn::Paused {
                    minutes: FAILURE_WINDOW_MINUTES
                }
            );
        }
        let link = request_reset(&store, "p@k.example", true)
            .await
            .unwrap()
            .unwrap();
        let newer = "mersey ferries at dawn";
        set_password(&store, &link.token, newer, newer, "-")
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(
            sign_in(&store, "p@k.example", newer, None, "-")
                .await
                .unwrap(),
            SignIn::Started { .. }
        ));
    }

    #[tokio::test]
    async fn a_success_forgives_its_attempt() {
        let store = store().await;
        with_password(&store, "f@k.example").await;
        // Four failures and many successes never reach the limit.
        for _ in 0..MAX_FAILURES - 1 {
            sign_in(&store, "f@k.example", "wrong password!", None, "-")
                .await
                .unwrap();
        }
        for _ in 0..3 {
            assert!(matches!(
                sign_in(&store, "f@k.example", GOOD, None, "-")
                    .await
                    .unwrap(),
                SignIn::Started { .. }
            ));
        }
    }
}
