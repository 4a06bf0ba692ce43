//! Email about what happened: who is told when a draft is submitted, sent back or published and
//! when someone joins an organisation, with the right link on the register's public address; not
//! the person who acted, nor anyone who turned that kind off on `/account/notifications`.

use crate::harness::*;
use axum::http::StatusCode;
use charter_app::Actor;
use charter_app::drafts::{Changes, NewEntry};
use charter_core::accounts::Role;
use charter_store::fixtures::complete_project;

const BASE: &str = "https://register.example";

/// An account that has set its password (so it can be emailed), signed in.
async fn member(app: &TestApp, email: &str, role: Role, org: Option<&str>) -> Person {
    let id = app.user(email, role, org).await;
    app.store
        .user_password_set(id, "$argon2id$v=19$test", &ts("2026-01-01T00:00:00Z"))
        .await
        .unwrap();
    let (cookie, csrf) = app.session(id).await;
    Person { cookie, csrf }
}

/// Sends what is queued to the outbox, as `charter serve` does in the background; returns the
/// messages sent in this round, each as its file's text.
async fn deliver(app: &TestApp) -> Vec<String> {
    let before = outbox(app).len();
    let mailer = charter_web::mail::Mailer::outbox(app.outbox());
    charter_app::notices::delivery::deliver(app.store.as_ref(), &mailer, BASE)
        .await
        .unwrap();
    outbox(app).split_off(before)
}

fn outbox(app: &TestApp) -> Vec<String> {
    if app.outbox().exists() {
        app.mails()
    } else {
        Vec::new()
    }
}

fn to(mails: &[String]) -> Vec<String> {
    let mut out: Vec<String> = mails
        .iter()
        .filter_map(|m| m.lines().find(|l| l.starts_with("To: ")))
        .map(|l| l.trim_start_matches("To: ").to_owned())
        .collect();
    out.sort();
    out
}

/// A message as a mail program shows it: header lines unfolded, a quoted-printable body decoded.
fn decoded(mail: &str) -> String {
    let text = mail.replace("\r\n ", " ").replace("=\r\n", "");
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

#[track_caller]
fn has(mail: &str, texts: &[&str]) {
    let text = decoded(mail);
    for t in texts {
        assert!(text.contains(t), "expected {t:?} in:\n{mail}");
    }
}

fn lock_in(body: &str) -> String {
    let at = body.find("name=\"lock\" value=\"").expect("a lock field") + 19;
    body[at..].split('"').next().unwrap().to_owned()
}

/// A complete new entry for Knowsley, written by `authors` in turn (each saves it once), ready
/// to submit. The draft's page.
async fn ready_draft(app: &TestApp, authors: &[&str]) -> String {
    let store = app.store.as_ref();
    let actor = |email: &str| {
        let email = email.to_owned();
        async move {
            let user = store.user_by_email(&email).await.unwrap().unwrap();
            Actor::user(&user, "192.0.2.1")
        }
    };
    let knowsley = "knowsley-council".parse().unwrap();
    let first = actor(authors[0]).await;
    let new = NewEntry::Answers {
        title: "Library book recommendations",
        uses_ai: "yes",
        decision_role: "information-only",
    };
    let mut draft = charter_app::drafts::create(store, &first, &knowsley, new)
        .await
        .unwrap();
    let mut doc = serde_json::to_value(complete_project(1, "knowsley-council")).unwrap();
    for kept in [
        "id",
        "slug",
        "organisation",
        "first_published",
        "last_updated",
    ] {
        doc.as_object_mut().unwrap().remove(kept);
    }
    doc["title"] = "Library book recommendations".into();
    let whole = charter_core::editor::input_from_json(&doc);
    for email in authors {
        let who = actor(email).await;
        draft =
            charter_app::drafts::save(store, &who, draft.id, draft.lock, Changes::Whole(&whole))
                .await
                .unwrap()
                .unwrap();
    }
    format!("/manage/drafts/{}", draft.id)
}

#[tokio::test]
async fn reviewers_and_editors_are_emailed_as_a_draft_moves_through_review() {
    for app in TestApp::init().with_outbox().on_each_backend().await {
        let editor = member(
            &app,
            "ed@k.example",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        let co = member(
            &app,
            "co@k.example",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        let mo = member(&app, "mo@charter.example", Role::Moderator, None).await;
        let quiet = member(&app, "quiet@charter.example", Role::Moderator, None).await;
        member(
            &app,
            "admin@k.example",
            Role::OrgAdmin,
            Some("knowsley-council"),
        )
        .await;
        // Invited but never signed in: not emailed.
        app.user("later@charter.example", Role::Moderator, None)
            .await;
        // One moderator does not want drafts to review.
        let r = app.post_as(&quiet, "/account/notifications", &[]).await;
        assert_eq!(r.location(), "/account/notifications?saved");

        let draft = ready_draft(&app, &["ed@k.example", "co@k.example"]).await;
        let id = draft.rsplit('/').next().unwrap();
        let lock = lock_in(&app.get_as(&editor, &draft).await.body);
        let r = app
            .post_as(&editor, &format!("{draft}/submit"), &[("lock", &lock)])
            .await;
        assert_eq!(r.location(), draft);
        // Nothing is sent while the action runs: it is queued, and the sender sends it.
        assert!(outbox(&app).is_empty());
        let sent = deliver(&app).await;
        // The charter body, not the submitter, nor the organisation (it does not approve its own).
        assert_eq!(to(&sent), ["mo@charter.example"]);
        has(
            &sent[0],
            &[
                "Subject: Draft to review: Library book recommendations",
                "ed@k.example sent a draft for review.",
                "Organisation: Knowsley Council",
                "What to do next: read the draft.",
                &format!("{BASE}/manage/drafts/{id}/review"),
                &format!("{BASE}/account/notifications"),
            ],
        );
        assert!(deliver(&app).await.is_empty(), "each message goes once");

        let review = app.get_as(&mo, &format!("{draft}/review")).await;
        let lock = lock_in(&review.body);
        app.post_as(
            &mo,
            &format!("{draft}/return"),
            &[("lock", &lock), ("comment", "Say how people opt out.")],
        )
        .await;
        let sent = deliver(&app).await;
        assert_eq!(to(&sent), ["co@k.example", "ed@k.example"]);
        for mail in &sent {
            has(
                mail,
                &[
                    "Subject: Your draft was sent back: Library book recommendations",
                    "mo@charter.example sent back your draft",
                    "Say how people opt out.",
                    "What to do next: make the changes.",
                    &format!("{BASE}/manage/drafts/{id}\r\n"),
                ],
            );
        }

        // The second author resubmits; the first does not want to hear of publication.
        let r = app
            .post_as(
                &editor,
                "/account/notifications",
                &[
                    ("notices", "draft-returned"),
                    ("notices", "draft-submitted"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let lock = lock_in(&app.get_as(&co, &draft).await.body);
        app.post_as(&co, &format!("{draft}/submit"), &[("lock", &lock)])
            .await;
        assert_eq!(to(&deliver(&app).await), ["mo@charter.example"]);
        let lock = lock_in(&app.get_as(&mo, &format!("{draft}/review")).await.body);
        let r = app
            .post_as(&mo, &format!("{draft}/approve"), &[("lock", &lock)])
            .await;
        let entry = r.location();
        assert!(entry.starts_with("/projects/"), "{entry}");
        let sent = deliver(&app).await;
        assert_eq!(to(&sent), ["co@k.example"]);
        has(
            &sent[0],
            &[
                "Subject: Your entry is published: Library book recommendations",
                "mo@charter.example approved your draft",
                "It is now on the public register.",
                &format!("{BASE}{entry}\r\n"),
            ],
        );
    }
}

#[tokio::test]
async fn in_an_organisation_that_approves_its_own_its_people_who_did_not_write_it_are_asked() {
    for app in TestApp::init().with_outbox().on_each_backend().await {
        let editor = member(
            &app,
            "ed@k.example",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        member(
            &app,
            "second@k.example",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        member(
            &app,
            "admin@w.example",
            Role::OrgAdmin,
            Some("wirral-transport"),
        )
        .await;
        let knowsley = "knowsley-council".parse().unwrap();
        app.store.self_publish_set(&knowsley, true).await.unwrap();
        let draft = ready_draft(&app, &["ed@k.example"]).await;
        let lock = lock_in(&app.get_as(&editor, &draft).await.body);
        app.post_as(&editor, &format!("{draft}/submit"), &[("lock", &lock)])
            .await;
        assert_eq!(to(&deliver(&app).await), ["second@k.example"]);
    }
}

#[tokio::test]
async fn organisation_administrators_are_emailed_when_someone_joins() {
    for app in TestApp::init().with_outbox().on_each_backend().await {
        let admin = member(
            &app,
            "admin@k.example",
            Role::OrgAdmin,
            Some("knowsley-council"),
        )
        .await;
        let other = member(
            &app,
            "other@k.example",
            Role::OrgAdmin,
            Some("knowsley-council"),
        )
        .await;
        member(
            &app,
            "admin@w.example",
            Role::OrgAdmin,
            Some("wirral-transport"),
        )
        .await;
        member(
            &app,
            "ed@k.example",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        let tools = "/manage/organisations/knowsley-council";
        app.post_as(
            &admin,
            &format!("{tools}/people"),
            &[
                ("email", "new@k.example"),
                ("name", "Nia Jones"),
                ("role", "organisation-editor"),
            ],
        )
        .await
        .has("We have emailed new@k.example");
        let invitation = outbox(&app)
            .into_iter()
            .find(|m| m.contains("To: new@k.example"))
            .expect("the invitation");
        let sent = deliver(&app).await;
        // The other administrator: not the one who invited, not another organisation's.
        assert_eq!(to(&sent), ["other@k.example"]);
        has(
            &sent[0],
            &[
                "Subject: new@k.example was added to Knowsley Council",
                "admin@k.example added Nia Jones (new@k.example) to Knowsley Council as an organisation editor.",
                "What to do next: nothing, if you expected this.",
                &format!("{BASE}{tools}\r\n"),
            ],
        );

        // Accepting: setting a first password. One administrator no longer wants these.
        app.post_as(&other, "/account/notifications", &[]).await;
        let link = invitation
            .lines()
            .find(|l| l.starts_with("/account/set-password/"))
            .unwrap();
        let good = "ferry cross the mersey";
        let r = app
            .post_form(
                link,
                &format!("password={good}&confirm={good}").replace(' ', "+"),
            )
            .await;
        assert_eq!(r.location(), "/sign-in?password-set");
        let sent = deliver(&app).await;
        assert_eq!(to(&sent), ["admin@k.example"]);
        has(
            &sent[0],
            &[
                "Subject: new@k.example joined Knowsley Council",
                "Nia Jones (new@k.example) set a password. They can now sign in",
                &format!("{BASE}{tools}\r\n"),
            ],
        );

        // A later reset is not joining again.
        let reset = charter_app::accounts::request_reset(app.store.as_ref(), "new@k.example", true)
            .await
            .unwrap()
            .unwrap();
        let r = app
            .post_form(
                &reset.path(),
                &format!("password={good}!&confirm={good}!").replace(' ', "+"),
            )
            .await;
        assert_eq!(r.location(), "/sign-in?password-set");
        assert!(deliver(&app).await.is_empty());
    }
}

#[tokio::test]
async fn people_choose_their_emails_signed_in_with_the_form_token() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/account/notifications").await;
        assert_eq!(r.location(), "/sign-in");
        let r = app
            .post_form("/account/notifications", "notices=draft-returned")
            .await;
        assert_eq!(r.location(), "/sign-in");

        let editor = member(
            &app,
            "ed@k.example",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        app.get_as(&editor, "/manage")
            .await
            .has("href=\"/account/notifications\"");
        let page = app.get_as(&editor, "/account/notifications").await;
        assert_eq!(page.status, StatusCode::OK);
        // Every kind the role can get, on until turned off; not the administrators' one.
        page.has("Emails you get")
            .has("value=\"draft-returned\" checked")
            .has("value=\"draft-published\" checked")
            .has("value=\"draft-submitted\" checked")
            .has("value=\"challenge-overdue\" checked")
            .lacks("person-joined");

        // Without the form token: refused, nothing changed.
        let r = app
            .post_signed(
                "/account/notifications",
                &editor.cookie,
                "notices=draft-returned",
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A kind the role cannot get: the error summary, choices unchanged.
        let r = app
            .post_as(
                &editor,
                "/account/notifications",
                &[("notices", "person-joined")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("There is a problem")
            .has("href=\"#notices\"")
            .has("is not an email you can get");
        app.get_as(&editor, "/account/notifications")
            .await
            .has("value=\"draft-published\" checked");

        let r = app
            .post_as(
                &editor,
                "/account/notifications",
                &[("notices", "draft-returned")],
            )
            .await;
        assert_eq!(r.location(), "/account/notifications?saved");
        app.get_as(&editor, "/account/notifications?saved")
            .await
            .has("We saved your choices.")
            .has("value=\"draft-returned\" checked")
            .has("value=\"draft-published\">")
            .has("value=\"draft-submitted\">");
        let log = app.store.audit_log(5).await.unwrap();
        assert_eq!(
            (log[0].actor.as_str(), log[0].action.as_str()),
            ("ed@k.example", "notices-choose")
        );
        assert!(
            log[0].subject.contains(
                "off: draft-published, draft-submitted, challenge-overdue, outcome-report-due"
            ),
            "{:?}",
            log[0]
        );

        // A moderator is offered the one kind they can get.
        let mo = member(&app, "mo@charter.example", Role::Moderator, None).await;
        app.get_as(&mo, "/account/notifications")
            .await
            .has("value=\"draft-submitted\" checked")
            .lacks("draft-returned");
    }
}
