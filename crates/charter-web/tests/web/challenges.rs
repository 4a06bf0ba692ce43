//! Residents' challenges and questions: the forms and every error they give, the private page
//! (follow, download, delete, escalate), the organisation's inbox, and who may see what: to
//! another organisation's people an item does not exist.

use axum::http::StatusCode;
use charter_core::ProjectId;
use charter_core::accounts::Role;
use charter_core::challenges::{Contact, ContactBy, Kind, Submission};
use charter_store::challenges::{ChallengeFilter, NewChallenge};

use crate::harness::*;

const GOOD: &str = "about=My+parking+permit+was+refused&when=March&details=The+system+says+I+do+not+live+here.\
    &wanted=Look+again&name=Sam+Resident&contact_by=email&email=sam%40example.com&support=large-print";

/// Sends the good challenge about LCR-0001 (Knowsley's); the private page's address.
async fn challenge(app: &TestApp) -> String {
    let r = app.post_form("/projects/LCR-0001/challenge", GOOD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
}

async fn newest_reference(app: &TestApp) -> String {
    app.store
        .challenges(&ChallengeFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .items[0]
        .reference()
        .to_string()
}

async fn count(app: &TestApp) -> u64 {
    app.store
        .challenges(&ChallengeFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .total
}

/// Sends what is queued, as `charter serve` does; the messages sent, each as its file's text.
async fn deliver(app: &TestApp) -> Vec<String> {
    let before = if app.outbox().exists() {
        app.mails().len()
    } else {
        0
    };
    let mailer = charter_web::mail::Mailer::outbox(app.outbox());
    charter_app::notices::delivery::deliver(
        app.store.as_ref(),
        &mailer,
        "https://register.example",
    )
    .await
    .unwrap();
    if app.outbox().exists() {
        // Quoted-printable's soft line breaks taken out, so long links read whole.
        app.mails()
            .split_off(before)
            .into_iter()
            .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
            .collect()
    } else {
        Vec::new()
    }
}

#[tokio::test]
async fn a_resident_challenges_and_the_organisation_acknowledges_and_answers() {
    for app in TestApp::init().with_outbox().on_each_backend().await {
        app.get("/projects/LCR-0001")
            .await
            .has("/projects/LCR-0001/challenge")
            .has("/projects/LCR-0001/question");
        let form = app.get("/projects/LCR-0001/challenge").await;
        assert_eq!(form.status, StatusCode::OK);
        form.has("Challenge a decision");

        let private = challenge(&app).await;
        let token = private
            .strip_prefix("/challenges/")
            .and_then(|t| t.strip_suffix("?new=1"))
            .unwrap()
            .to_owned();
        assert_eq!(token.len(), 64, "256 random bits");
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
        let reference = newest_reference(&app).await;
        assert!(reference.starts_with("CH-20"), "{reference}");
        app.get(&private)
            .await
            .has(&reference)
            .has("We got your challenge")
            .has("My parking permit was refused");

        // The resident gets the reference and the private link by email.
        let mails = deliver(&app).await;
        assert_eq!(mails.len(), 1);
        assert!(mails[0].contains("sam@example.com"));
        assert!(mails[0].contains(&reference));
        assert!(
            mails[0].contains(&format!("https://register.example/challenges/{token}")),
            "{}",
            mails[0]
        );
        assert!(!mails[0].contains("account on the register"));

        let editor = app
            .signed_in("duty", Role::OrgEditor, Some("knowsley-council"))
            .await;
        app.get_as(&editor, "/manage/challenges")
            .await
            .has(&reference)
            .has("Nobody yet");
        let item = format!("/manage/challenges/{reference}");
        app.get_as(&editor, &item)
            .await
            .has("Sam Resident")
            .has("sam@example.com")
            .has("Large print");

        let me = app.store.user_by_email("duty@x.example").await;
        let id = me.unwrap().map(|u| u.id.to_string()).unwrap_or_default();
        let r = app
            .post_as(&editor, &format!("{item}/assign"), &[("assignee", &id)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = app
            .post_as(&editor, &format!("{item}/acknowledge"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Twice is refused in words, not done twice.
        let r = app
            .post_as(&editor, &format!("{item}/acknowledge"), &[])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        r.has("You cannot say it has been seen now: it is seen.");

        // An answer that agrees must say what changes; what was typed stays.
        let r = app
            .post_as(
                &editor,
                &format!("{item}/answer"),
                &[("outcome", "upheld"), ("answer", "You are right & sorry.")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("There is a problem")
            .has("Say what will change as a result")
            .has("You are right &#38; sorry.");
        let r = app
            .post_as(
                &editor,
                &format!("{item}/answer"),
                &[
                    ("outcome", "upheld"),
                    ("answer", "You are right."),
                    ("changes", "We fixed your address."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        app.get(&private)
            .await
            .has("Our answer")
            .has("We agree")
            .has("You are right.")
            .has("We fixed your address.");
        let mails = deliver(&app).await;
        assert_eq!(mails.len(), 2, "seen, then the answer");
        assert!(mails[1].contains("You are right."));

        let r = app.post_as(&editor, &format!("{item}/close"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.get_as(&editor, "/manage/challenges?status=closed")
            .await
            .has(&reference);
        app.get_as(&editor, "/manage/challenges?status=received")
            .await
            .lacks(&reference);
    }
}

#[tokio::test]
async fn every_form_error_is_named_and_what_was_typed_is_kept() {
    let app = TestApp::init().on_sqlite().await;
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "/projects/LCR-0001/challenge",
            "",
            &[
                "Say which decision you want to challenge",
                "Say what you think is wrong",
                "Say what you would like to happen",
                "Choose how we should reach you",
            ],
        ),
        (
            "/projects/LCR-0001/question",
            "contact_by=post",
            &[
                "Say what your question or problem is about",
                "Write your question or the problem",
                "Enter your postal address",
                "Enter your name so a letter can reach you",
            ],
        ),
        (
            "/projects/LCR-0001/challenge",
            "about=Permit&details=%3Cscript%3Ealert(1)%3C%2Fscript%3E&wanted=x&contact_by=email",
            &[
                "Enter your email address",
                "&#60;script&#62;alert(1)&#60;/script&#62;",
            ],
        ),
        (
            "/projects/LCR-0001/challenge",
            "about=Permit&details=d&wanted=x&contact_by=email&email=not+an+address",
            &[
                "Enter an email address like name@example.com",
                "not an address",
            ],
        ),
        (
            "/projects/LCR-0001/challenge",
            "about=Permit&details=d&wanted=x&contact_by=phone&phone=call+me",
            &["Enter a phone number using numbers", "call me"],
        ),
        (
            "/projects/LCR-0001/challenge",
            "about=Permit&details=d&wanted=x&contact_by=pigeon",
            &["Choose email, phone or post for how we should reach you"],
        ),
        (
            "/projects/LCR-0001/challenge",
            "about=Permit&details=d&wanted=x&contact_by=phone&phone=0151+123+4567&support=sign-language",
            &["Choose an interpreter, large print or a call back"],
        ),
        (
            "/projects/LCR-0001/question",
            "about=Data&details=d&contact_by=phone&phone=0151+123+4567&support_other=",
            &[],
        ),
    ];
    for (address, form, expected) in cases {
        let r = app.post_form(address, form).await;
        if expected.is_empty() {
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{form}: {}", r.body);
            continue;
        }
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{form}");
        r.has("govuk-error-summary").has("There is a problem");
        for text in *expected {
            r.has(text);
        }
        r.lacks("<script>alert(1)</script>");
    }
    // Too long: said with the limit and how many were used, the text kept.
    let long = "x".repeat(201);
    let r = app
        .post_form(
            "/projects/LCR-0001/challenge",
            &format!("about={long}&details=d&wanted=w&contact_by=phone&phone=0151+123+4567"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.has("Use 200 characters or fewer. You used 201.")
        .has(&long);
    let long = "y".repeat(5001);
    let r = app
        .post_form(
            "/projects/LCR-0001/question",
            &format!("about=a&details={long}&contact_by=phone&phone=0151+123+4567"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.has("Use 5000 characters or fewer. You used 5001.");
    // Only the one good question was kept.
    assert_eq!(count(&app).await, 1);
}

#[tokio::test]
async fn forms_exist_only_where_they_apply_and_robots_are_turned_away() {
    let app = TestApp::init().on_sqlite().await;
    // LCR-0002 gives information only: no decision to challenge, but questions are welcome.
    assert_eq!(
        app.get("/projects/LCR-0002/challenge").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post_form("/projects/LCR-0002/challenge", GOOD)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.get("/projects/LCR-0002")
        .await
        .lacks("/projects/LCR-0002/challenge")
        .has("/projects/LCR-0002/question");
    assert_eq!(
        app.get("/projects/LCR-0002/question").await.status,
        StatusCode::OK
    );
    for missing in [
        "/projects/LCR-9999/question",
        "/projects/nonsense/challenge",
    ] {
        assert_eq!(app.get(missing).await.status, StatusCode::NOT_FOUND);
    }
    // The hidden box filled in: nothing kept.
    let r = app
        .post_form(
            "/projects/LCR-0001/challenge",
            &format!("{GOOD}&website=http%3A%2F%2Fspam.example"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.has("We could not take this form");
    assert_eq!(count(&app).await, 0);
}

#[tokio::test]
async fn unknown_private_links_are_plainly_not_found() {
    let app = TestApp::init().on_sqlite().await;
    challenge(&app).await;
    for link in [
        format!("/challenges/{}", "0".repeat(64)),
        "/challenges/abc".to_owned(),
        format!("/challenges/{}/download", "f".repeat(64)),
        "/challenges/".to_owned(),
    ] {
        let r = app.get(&link).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{link}");
        r.lacks("Sam Resident").lacks("parking");
    }
    for action in ["escalate", "delete"] {
        let r = app
            .post_form(&format!("/challenges/{}/{action}", "0".repeat(64)), "")
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{action}");
    }
}

#[tokio::test]
async fn another_organisations_people_get_not_found_and_site_admins_are_logged() {
    for app in TestApp::init().on_each_backend().await {
        challenge(&app).await;
        let reference = newest_reference(&app).await;
        let item = format!("/manage/challenges/{reference}");
        let wirral = app
            .signed_in("other", Role::OrgAdmin, Some("wirral-transport"))
            .await;
        let r = app.get_as(&wirral, &item).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        r.lacks("Sam Resident").lacks("sam@example.com");
        for step in ["acknowledge", "close"] {
            let r = app.post_as(&wirral, &format!("{item}/{step}"), &[]).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{step}");
        }
        let r = app
            .post_as(
                &wirral,
                &format!("{item}/answer"),
                &[("outcome", "not-upheld"), ("answer", "No")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Their own inbox does not list it, whatever organisation they name.
        app.get_as(&wirral, "/manage/challenges?organisation=knowsley-council")
            .await
            .lacks(&reference);
        // The charter body sees deadlines, never a resident's details.
        let moderator = app.signed_in("mod", Role::Moderator, None).await;
        let r = app.get_as(&moderator, &item).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .get_as(
                &moderator,
                "/manage/challenges?organisation=knowsley-council",
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        r.lacks(&reference);
        // Not signed in: sent to sign in.
        assert_eq!(app.get(&item).await.status, StatusCode::SEE_OTHER);
        // A site administrator may look, and it is logged with the reference only.
        let admin = app.signed_in("admin", Role::SiteAdmin, None).await;
        app.get_as(&admin, &item).await.has("Sam Resident");
        let r = app.get_as(&admin, "/manage/challenges").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("Choose the organisation whose inbox you want to see");
        app.get_as(&admin, "/manage/challenges?organisation=knowsley-council")
            .await
            .has(&reference);
        let log = app.store.audit_log(20).await.unwrap();
        let seen: Vec<_> = log
            .iter()
            .filter(|e| e.action == "resident's details seen")
            .collect();
        assert_eq!(seen.len(), 1);
        assert!(seen[0].subject.contains(&reference));
        assert!(seen[0].actor.starts_with("admin@"));
        assert!(log.iter().any(|e| e.action == "challenges inbox seen"));
        for e in &log {
            assert!(!e.subject.contains("Sam"), "{e:?}");
            assert!(!e.subject.contains("parking"), "{e:?}");
        }
    }
}

#[tokio::test]
async fn residents_download_and_delete_what_they_sent() {
    for app in TestApp::init().on_each_backend().await {
        let private = challenge(&app).await;
        let page = private.trim_end_matches("?new=1").to_owned();
        let reference = newest_reference(&app).await;
        let r = app.get(&format!("{page}/download")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains(&format!("{reference}.json"))
        );
        let copy = r.json();
        assert_eq!(copy["reference"], reference.as_str());
        assert_eq!(
            copy["what_you_sent"]["about"],
            "My parking permit was refused"
        );
        assert_eq!(copy["how_to_reach_you"]["email"], "sam@example.com");

        let r = app.post_form(&format!("{page}/delete"), "").await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("What you sent is deleted").has(&reference);
        assert_eq!(app.get(&page).await.status, StatusCode::NOT_FOUND);
        // The organisation keeps only the count: closed, withdrawn, no details.
        let editor = app
            .signed_in("duty", Role::OrgEditor, Some("knowsley-council"))
            .await;
        app.get_as(&editor, &format!("/manage/challenges/{reference}"))
            .await
            .has("were deleted on")
            .lacks("Sam Resident")
            .lacks("parking");
    }
}

#[tokio::test]
async fn residents_escalate_only_once_a_deadline_has_passed() {
    let app = TestApp::init().with_outbox().on_sqlite().await;
    let private = challenge(&app).await;
    let page = private.trim_end_matches("?new=1").to_owned();
    let r = app.post_form(&format!("{page}/escalate"), "").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    r.has("You can ask the charter body to step in if you hear nothing by");

    // One that arrived long ago and was never answered.
    let token = "ab".repeat(32);
    app.store
        .challenge_add(&NewChallenge {
            kind: Kind::Question,
            project: ProjectId::new(1),
            organisation: "knowsley-council".parse().unwrap(),
            submission: Submission {
                about: "Data".into(),
                when: None,
                details: "What data do you use?".into(),
                wanted: None,
            },
            contact: Contact {
                name: None,
                by: ContactBy::Phone,
                email: None,
                phone: Some("0151 123 4567".into()),
                address: None,
                support: Vec::new(),
                support_other: None,
            },
            public_requested: false,
            token_hash: charter_app::secrets::token_hash(&token),
            received_at: ts("2026-01-05T10:00:00Z"),
            acknowledge_by: "2026-01-12".parse().unwrap(),
            answer_by: "2026-02-05".parse().unwrap(),
        })
        .await
        .unwrap();
    // The charter body: someone who can sign in, so they are told.
    let mo = app.user("mo@charter.example", Role::Moderator, None).await;
    app.store
        .user_password_set(mo, "$argon2id$test", &ts("2026-01-02T00:00:00Z"))
        .await
        .unwrap();
    let late = format!("/challenges/{token}");
    app.get(&late)
        .await
        .has("This is late")
        .has("Ask the charter body to step in");
    let r = app.post_form(&format!("{late}/escalate"), "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.get(&late)
        .await
        .has("You asked the charter body to step in");
    let r = app.post_form(&format!("{late}/escalate"), "").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    r.has("You have already asked the charter body to step in.");
    let mails = deliver(&app).await;
    let to_body: Vec<_> = mails
        .iter()
        .filter(|m| m.contains("mo@charter.example"))
        .collect();
    assert_eq!(to_body.len(), 1);
    assert!(to_body[0].contains("A resident asks you to step in"));
    assert!(!to_body[0].contains("0151 123 4567"));
    let editor = app
        .signed_in("duty", Role::OrgEditor, Some("knowsley-council"))
        .await;
    app.get_as(&editor, "/manage/challenges?overdue=yes")
        .await
        .has("Late");
}

#[tokio::test]
async fn public_questions_and_answers_show_on_the_project_page() {
    for app in TestApp::init().on_each_backend().await {
        let r = app
            .post_form(
                "/projects/LCR-0001/question",
                "about=Which+data&details=What+data+do+you+use%3F&name=Ann+Asker&contact_by=email&email=ann%40example.com&public=yes",
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let reference = newest_reference(&app).await;
        app.get("/projects/LCR-0001")
            .await
            .lacks("What data do you use?");
        let editor = app
            .signed_in("duty", Role::OrgEditor, Some("knowsley-council"))
            .await;
        let r = app
            .post_as(
                &editor,
                &format!("/manage/challenges/{reference}/answer"),
                &[
                    ("answer", "We use the council tax list."),
                    ("public", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.get("/projects/LCR-0001")
            .await
            .has("Questions and answers")
            .has("What data do you use?")
            .has("We use the council tax list.")
            .lacks("Ann Asker")
            .lacks("ann@example.com");
    }
}

#[tokio::test]
async fn the_inbox_filters_and_pages() {
    let app = TestApp::init().on_sqlite().await;
    for _ in 0..27 {
        challenge(&app).await;
    }
    let r = app
        .post_form(
            "/projects/LCR-0009/question",
            "about=A&details=B&contact_by=phone&phone=0151+123+4567",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let editor = app
        .signed_in("duty", Role::OrgEditor, Some("knowsley-council"))
        .await;
    app.get_as(&editor, "/manage/challenges")
        .await
        .has("28 found, page 1 of 2")
        .has("page=2");
    app.get_as(&editor, "/manage/challenges?page=2")
        .await
        .has("page 2 of 2")
        .has("page=1");
    app.get_as(&editor, "/manage/challenges?project=LCR-0009")
        .await
        .has("1 found");
    app.get_as(
        &editor,
        "/manage/challenges?assignee=nobody&status=received",
    )
    .await
    .has("28 found");
    app.get_as(&editor, "/manage/challenges?assignee=me")
        .await
        .has("0 found");
    app.get_as(&editor, "/manage/challenges?overdue=yes")
        .await
        .has("0 found");
    for (query, message) in [
        ("status=lost", "is not a status"),
        ("project=42x", "Enter a project id like LCR-0042"),
        ("assignee=99999", "Choose someone from your organisation"),
    ] {
        let r = app
            .get_as(&editor, &format!("/manage/challenges?{query}"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        r.has("There is a problem").has(message);
    }
}
