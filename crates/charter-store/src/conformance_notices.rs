//! Conformance checks for email about what happened: who is told, and the queue of messages.

use charter_core::Slug;
use charter_core::accounts::Role;

use super::{load_small, ts};
use crate::Store;
use crate::notices::{NewMail, Reminder};

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

pub async fn each_reminder_is_queued_once_and_given_up_mail_is_shown_to_its_organisation<
    S: Store,
>(
    store: S,
) {
    load_small(&store).await;
    let knowsley: Slug = "knowsley-council".parse().unwrap();
    person(&store, "a@k.example", Role::OrgAdmin, Some(&knowsley)).await;
    let reminder = |key: &str, to: &[&str]| Reminder {
        key: key.into(),
        organisation: knowsley.clone(),
        mails: to
            .iter()
            .map(|t| NewMail {
                to: (*t).into(),
                subject: "Due soon: Bin rounds (LCR-0001)".into(),
                body: "A review is due.".into(),
                path: "/projects/LCR-0001".into(),
                at: ts("2026-11-01T10:00:00Z"),
            })
            .collect(),
    };
    let keys = vec![
        "review:LCR-0001:2026-12-01:soon".to_owned(),
        "review:LCR-0001:2026-12-01:now".to_owned(),
    ];
    assert_eq!(store.reminders_unsent(&keys).await.unwrap(), keys);
    let first = reminder(&keys[0], &["a@k.example", "gone@k.example"]);
    assert_eq!(
        store
            .reminders_queue(std::slice::from_ref(&first))
            .await
            .unwrap(),
        1
    );
    // Another instance queuing the same reminder adds nothing.
    assert_eq!(store.reminders_queue(&[first]).await.unwrap(), 0);
    assert_eq!(
        store.reminders_unsent(&keys).await.unwrap(),
        [keys[1].clone()]
    );
    let (now, later) = (ts("2026-11-01T10:00:01Z"), ts("2026-11-01T10:00:02Z"));
    let taken = store.mail_take(&now, &later, 1, 10).await.unwrap();
    assert_eq!(taken.len(), 2, "both messages queued with the reminder");
    for m in &taken {
        store
            .mail_failed(m.id, "550 no such mailbox")
            .await
            .unwrap();
    }
    // Given up after one try: shown for the organisation whose person the address is.
    let undelivered = store.mail_undelivered(&knowsley, 1, 10).await.unwrap();
    assert_eq!(undelivered.len(), 1, "{undelivered:?}");
    assert_eq!(undelivered[0].to, "a@k.example");
    assert_eq!(
        undelivered[0].last_error.as_deref(),
        Some("550 no such mailbox")
    );
    let wirral: Slug = "wirral-transport".parse().unwrap();
    assert!(
        store
            .mail_undelivered(&wirral, 1, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .mail_undelivered(&knowsley, 2, 10)
            .await
            .unwrap()
            .is_empty(),
        "may still be tried"
    );
    // Two instances queuing the same new reminder at the same moment: one of them does.
    let race = reminder("review:LCR-0002:2026-12-01:now", &["a@k.example"]);
    let (x, y) = futures_util::future::join(
        store.reminders_queue(std::slice::from_ref(&race)),
        store.reminders_queue(std::slice::from_ref(&race)),
    )
    .await;
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    let queued = store
        .mail_take(
            &ts("2026-11-01T11:00:00Z"),
            &ts("2026-11-01T11:00:00Z"),
            // Only messages never tried: the two above were given up on.
            1,
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        queued.len(),
        1,
        "one message for the one reminder: {queued:?}"
    );
    // Many keys at once (more than one chunk of placeholders).
    let many: Vec<String> = (0..1200)
        .map(|i| format!("review:LCR-{i:04}:2027-06-01:now"))
        .collect();
    assert_eq!(store.reminders_unsent(&many).await.unwrap().len(), 1200);
}
