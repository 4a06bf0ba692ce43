//! Queuing and sending: a failed send stays queued and is tried again, and what goes out.

use std::sync::Mutex;

use charter_core::accounts::Role;
use charter_store::prelude::*;

use super::delivery::{MAX_TRIES, Postman, Round, deliver, text};
use super::*;
use crate::testing::{KNOWSLEY, acting, person, store};

/// Keeps what it is given; refuses everything while `down`.
#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<(String, String, String)>>,
    down: Mutex<bool>,
}

impl Postman for Recorder {
    fn send<'a>(
        &'a self,
        to: &'a str,
        subject: &'a str,
        body: String,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            if *self.down.lock().unwrap() {
                return Err("the mail server did not answer".into());
            }
            self.sent
                .lock()
                .unwrap()
                .push((to.into(), subject.into(), body));
            Ok(())
        })
    }
}

async fn admin(store: &dyn Store, email: &str) -> User {
    let u = person(store, email, Role::OrgAdmin, Some(KNOWSLEY)).await;
    store
        .user_password_set(u.id, "$argon2id$test", &clock::now())
        .await
        .unwrap();
    store.user(u.id).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_failed_send_is_kept_and_tried_again_later() {
    let store = store().await;
    let first = admin(&store, "a@k.example").await;
    admin(&store, "b@k.example").await;
    let newcomer = person(&store, "n@k.example", Role::OrgEditor, Some(KNOWSLEY)).await;
    person_joined(&store, &acting(&first), &newcomer, Joined::Added).await;

    let postman = Recorder::default();
    *postman.down.lock().unwrap() = true;
    let round = deliver(&store, &postman, "https://r.example")
        .await
        .unwrap();
    assert_eq!(round, Round { sent: 0, failed: 1 });
    // Not due again until later: nothing is taken now, and the message is still there.
    *postman.down.lock().unwrap() = false;
    let round = deliver(&store, &postman, "https://r.example")
        .await
        .unwrap();
    assert_eq!(round, Round::default());
    let later = clock::from_now(3600);
    let again = store
        .mail_take(&later, &later, MAX_TRIES, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].to.as_str(), again[0].tries), ("b@k.example", 2));
}

#[tokio::test]
async fn a_message_says_what_happened_links_to_it_and_how_to_stop_them() {
    let store = store().await;
    let first = admin(&store, "a@k.example").await;
    admin(&store, "b@k.example").await;
    let newcomer = person(&store, "n@k.example", Role::OrgEditor, Some(KNOWSLEY)).await;
    person_joined(&store, &acting(&first), &newcomer, Joined::Added).await;
    // Added by the command line: every administrator is told, named plainly.
    let other = person(&store, "o@k.example", Role::OrgEditor, Some(KNOWSLEY)).await;
    person_joined(&store, &Actor::command_line(), &other, Joined::Added).await;

    let postman = Recorder::default();
    let round = deliver(&store, &postman, "https://r.example")
        .await
        .unwrap();
    assert_eq!(round, Round { sent: 3, failed: 0 });
    let sent = postman.sent.lock().unwrap().clone();
    let to: Vec<&str> = sent.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(to, ["b@k.example", "a@k.example", "b@k.example"]);
    let (_, subject, body) = &sent[0];
    assert_eq!(subject, "n@k.example was added to Knowsley Council");
    assert!(
        body.starts_with(
            "a@k.example added n@k.example to Knowsley Council as an organisation editor."
        ),
        "{body}"
    );
    assert!(
        body.contains("\r\n\r\nhttps://r.example/manage/organisations/knowsley-council\r\n"),
        "{body}"
    );
    assert!(
        body.ends_with("go to https://r.example/account/notifications\r\n"),
        "{body}"
    );
    assert!(
        sent[1]
            .2
            .starts_with("The site administrator added o@k.example")
    );
    assert!(
        store
            .mail_take(&clock::from_now(3600), &clock::now(), MAX_TRIES, 10)
            .await
            .unwrap()
            .is_empty(),
        "sent messages leave the queue"
    );
    let taken = charter_store::notices::QueuedMail {
        id: 1,
        to: "x@y.example".into(),
        subject: "s".into(),
        body: "Line.".into(),
        path: "/p".into(),
        tries: 1,
    };
    assert!(text(&taken, "").contains("\r\n\r\n/p\r\n"));
}

#[tokio::test]
async fn only_people_may_choose_and_only_what_their_role_gets() {
    let store = store().await;
    let editor = person(&store, "e@k.example", Role::OrgEditor, Some(KNOWSLEY)).await;
    let all = choices::choices(&store, &acting(&editor)).await.unwrap();
    assert!(all.iter().all(|c| c.on));
    // Reviews, publishing, sent back, late challenges and questions, and four kinds of what falls due.
    assert_eq!(all.len(), 8);
    let refused = choices::choices(&store, &Actor::command_line()).await;
    assert!(
        matches!(refused, Err(crate::AppError::Forbidden(_))),
        "{refused:?}"
    );
    let bad = choices::choose(&store, &acting(&editor), &["person-joined".into()]).await;
    assert!(matches!(bad, Err(crate::AppError::Invalid(p)) if p[0].field == "notices"));
    assert!(store.notices_off(editor.id).await.unwrap().is_empty());
    let now = choices::choose(&store, &acting(&editor), &["draft-published".into()])
        .await
        .unwrap();
    let on: Vec<_> = now.iter().filter(|c| c.on).map(|c| c.notice).collect();
    assert_eq!(on, [Notice::DraftPublished]);
    // An administrator cannot turn the breach deadline off, whatever is sent.
    let admin = person(&store, "a@k.example", Role::OrgAdmin, Some(KNOWSLEY)).await;
    let now = choices::choose(&store, &acting(&admin), &[]).await.unwrap();
    let on: Vec<_> = now.iter().filter(|c| c.on).map(|c| c.notice).collect();
    assert_eq!(on, [Notice::BreachDue]);
}
