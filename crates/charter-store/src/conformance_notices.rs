//! Conformance checks for email about what happened: who is told, and the queue of messages.

use charter_core::Slug;
use charter_core::accounts::Role;

use super::{load_small, ts};
use crate::Store;
use crate::notices::NewMail;

async fn person<S: Store>(store: &S, email: &str, role: Role, org: Option<&Slug>) -> i64 {
    let id = store
        .user_add(email, None, role, org, &ts("2026-11-01T09:00:00Z"))
        .await
        .expect("person added");
    store
        .user_password_set(id, "$argon2id$test", &ts("2026-11-01T09:05:00Z"))
        .await
        .expect("password set");
    id
}

fn emails(people: &[crate::accounts::User]) -> Vec<&str> {
    people.iter().map(|u| u.email.as_str()).collect()
}

pub async fn people_are_told_unless_they_turned_it_off<S: Store>(store: S) {
    load_small(&store).await;
    let knowsley: Slug = "knowsley-council".parse().unwrap();
    let wirral: Slug = "wirral-transport".parse().unwrap();
    let a = person(&store, "a@k.example", Role::OrgAdmin, Some(&knowsley)).await;
    person(&store, "b@k.example", Role::OrgAdmin, Some(&knowsley)).await;
    person(&store, "c@w.example", Role::OrgAdmin, Some(&wirral)).await;
    person(&store, "e@k.example", Role::OrgEditor, Some(&knowsley)).await;
    person(&store, "mo@charter.example", Role::Moderator, None).await;
    // Invited, never signed in: nobody to tell yet.
    store
        .user_add(
            "new@k.example",
            None,
            Role::OrgAdmin,
            Some(&knowsley),
            &ts("2026-11-01T09:00:00Z"),
        )
        .await
        .unwrap();

    let joined = "person-joined";
    let admins = store
        .people_to_tell(joined, Role::OrgAdmin, Some(&knowsley))
        .await
        .unwrap();
    assert_eq!(emails(&admins), ["a@k.example", "b@k.example"]);
    assert_eq!(admins[0].organisation.as_ref(), Some(&knowsley));
    let moderators = store
        .people_to_tell("draft-submitted", Role::Moderator, None)
        .await
        .unwrap();
    assert_eq!(emails(&moderators), ["mo@charter.example"]);

    assert!(store.notices_off(a).await.unwrap().is_empty());
    let off = vec![joined.to_owned(), "draft-returned".to_owned()];
    store.notices_off_set(a, &off).await.unwrap();
    assert_eq!(
        store.notices_off(a).await.unwrap(),
        ["draft-returned", "person-joined"]
    );
    let admins = store
        .people_to_tell(joined, Role::OrgAdmin, Some(&knowsley))
        .await
        .unwrap();
    assert_eq!(emails(&admins), ["b@k.example"]);
    // Turning a kind back on is saving the list without it.
    store
        .notices_off_set(a, &["draft-returned".to_owned()])
        .await
        .unwrap();
    assert_eq!(store.notices_off(a).await.unwrap(), ["draft-returned"]);
    let admins = store
        .people_to_tell(joined, Role::OrgAdmin, Some(&knowsley))
        .await
        .unwrap();
    assert_eq!(emails(&admins), ["a@k.example", "b@k.example"]);
}

pub async fn queued_mail_is_taken_once_until_sent_or_tried_out<S: Store>(store: S) {
    let mail = |to: &str| NewMail {
        to: to.into(),
        subject: "A draft is waiting".into(),
        body: "Line one, naïve.\r\nLine two.".into(),
        path: "/manage/drafts/7/review".into(),
        at: ts("2026-11-01T10:00:00Z"),
    };
    store
        .mail_queue(&[mail("one@x.example"), mail("two@x.example")])
        .await
        .unwrap();
    let (now, later) = (ts("2026-11-01T10:00:01Z"), ts("2026-11-01T10:05:00Z"));
    let taken = store.mail_take(&now, &later, 3, 10).await.unwrap();
    assert_eq!(
        taken.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(),
        ["one@x.example", "two@x.example"]
    );
    assert_eq!(
        (
            taken[0].body.as_str(),
            taken[0].path.as_str(),
            taken[0].tries
        ),
        (
            "Line one, naïve.\r\nLine two.",
            "/manage/drafts/7/review",
            1
        )
    );
    // Taken: not due again before `later`, for this caller or any other.
    assert!(
        store
            .mail_take(&now, &later, 3, 10)
            .await
            .unwrap()
            .is_empty()
    );
    store.mail_sent(taken[0].id).await.unwrap();
    store
        .mail_failed(taken[1].id, "the mail server did not answer")
        .await
        .unwrap();
    let again = store
        .mail_take(&later, &ts("2026-11-01T10:10:00Z"), 3, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "the sent one left the queue");
    assert_eq!((again[0].id, again[0].tries), (taken[1].id, 2));
    // The limit holds, and so does the most tries.
    let third = store
        .mail_take(
            &ts("2026-11-01T10:10:00Z"),
            &ts("2026-11-01T10:20:00Z"),
            2,
            10,
        )
        .await
        .unwrap();
    assert!(third.is_empty(), "tried twice of at most two: {third:?}");
    store
        .mail_queue(&[
            mail("a@x.example"),
            mail("b@x.example"),
            mail("c@x.example"),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.mail_take(&later, &later, 3, 2).await.unwrap().len(),
        2
    );
}
