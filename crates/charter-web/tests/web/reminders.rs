//! Reminders: what an organisation must do soon is listed on its tools page and emailed once,
//! with a link to that list; breach deadline emails cannot be turned off; emails given up on are
//! shown to the organisation's administrators.

use crate::harness::*;
use axum::http::StatusCode;
use charter_core::accounts::Role;
use charter_core::picklists::Status;
use charter_store::fixtures::minimal_project;

const BASE: &str = "https://register.example";

/// An account that has set its password (so it can be emailed), signed in.
async fn member(app: &TestApp, email: &str, role: Role) -> Person {
    let id = app.user(email, role, Some("knowsley-council")).await;
    app.store
        .user_password_set(id, "$argon2id$v=19$test", &ts("2026-01-01T00:00:00Z"))
        .await
        .unwrap();
    let (cookie, csrf) = app.session(id).await;
    Person { cookie, csrf }
}

/// A Knowsley entry in use whose review is due in ten days.
async fn review_soon(app: &TestApp) -> charter_core::Date {
    let today = charter_app::clock::today();
    let mut p = minimal_project(
        31,
        "knowsley-council",
        "Pothole reports",
        "Finds the roads to mend first.",
    );
    p.status = Status::InUse;
    p.start_date = Some(today.add_days(-30));
    p.next_review_date = Some(today.add_days(10));
    p.slug = "potholes".parse().unwrap();
    app.store
        .projects_publish(&[p], "Published", &charter_app::clock::now())
        .await
        .unwrap();
    today.add_days(10)
}

#[tokio::test]
async fn what_is_due_is_listed_for_the_organisation_and_emailed_once_with_a_link_to_the_list() {
    for app in TestApp::init()
        .empty()
        .with_outbox()
        .on_each_backend()
        .await
    {
        let (orgs, _) = charter_store::fixtures::small_register();
        for o in &orgs {
            app.store.organisation_put(o).await.unwrap();
        }
        let admin = member(&app, "admin@k.example", Role::OrgAdmin).await;
        let due = review_soon(&app).await;
        let page = app
            .get_as(&admin, "/manage/organisations/knowsley-council")
            .await;
        assert_eq!(page.status, StatusCode::OK);
        page.has("What is due")
            .has("Pothole reports")
            .has(&due.long())
            .has("A review");

        let charter = charter();
        let dues = charter_app::reminders::dues(app.store.as_ref(), &charter, None)
            .await
            .unwrap();
        let now = charter_app::clock::now();
        let first = charter_app::reminders::send_due(app.store.as_ref(), &dues, &now)
            .await
            .unwrap();
        assert_eq!(first, 1);
        // A second instance at the same moment sends nothing more.
        assert_eq!(
            charter_app::reminders::send_due(app.store.as_ref(), &dues, &now)
                .await
                .unwrap(),
            0
        );
        let mailer = charter_web::mail::Mailer::outbox(app.outbox());
        charter_app::notices::delivery::deliver(app.store.as_ref(), &mailer, BASE)
            .await
            .unwrap();
        let mails = app.mails();
        assert_eq!(mails.len(), 1, "{mails:?}");
        let text = mails[0].replace("=\r\n", "");
        for expected in [
            "To: admin@k.example",
            "Due soon: review for Pothole reports (LCR-0031)",
            "What to do: Review the project",
            "https://register.example/manage/organisations/knowsley-council#due",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
    }
}

#[tokio::test]
async fn breach_deadline_emails_stay_on_whatever_the_form_sends() {
    for app in TestApp::init().on_each_backend().await {
        let admin = member(&app, "admin@k.example", Role::OrgAdmin).await;
        let page = app.get_as(&admin, "/account/notifications").await;
        page.has("We always email you when a data breach must be reported to the ICO soon")
            .lacks("value=\"breach-due\"")
            .has("value=\"weekly-summary\" checked");
        // Everything unticked: the breach deadline stays on.
        let saved = app.post_as(&admin, "/account/notifications", &[]).await;
        assert!(
            saved.status.is_success() || saved.status.is_redirection(),
            "{}",
            saved.status
        );
        let id = app
            .store
            .user_by_email("admin@k.example")
            .await
            .unwrap()
            .unwrap()
            .id;
        let off = app.store.notices_off(id).await.unwrap();
        assert!(off.contains(&"weekly-summary".to_owned()), "{off:?}");
        assert!(!off.contains(&"breach-due".to_owned()), "{off:?}");
    }
}

#[tokio::test]
async fn emails_given_up_on_are_shown_to_the_organisation_s_administrators_only() {
    for app in TestApp::init().on_each_backend().await {
        let admin = member(&app, "admin@k.example", Role::OrgAdmin).await;
        let editor = member(&app, "editor@k.example", Role::OrgEditor).await;
        app.store
            .mail_queue(&[charter_store::notices::NewMail {
                to: "editor@k.example".into(),
                subject: "Due now: Pothole reports (LCR-0031)".into(),
                body: "A review was due.".into(),
                path: "/manage/organisations/knowsley-council#due".into(),
                at: ts("2026-11-01T10:00:00Z"),
            }])
            .await
            .unwrap();
        let max = charter_app::notices::delivery::MAX_TRIES;
        for i in 0..max {
            let now = ts(&format!("2030-01-01T00:0{i}:00Z"));
            for m in app.store.mail_take(&now, &now, max, 10).await.unwrap() {
                app.store
                    .mail_failed(m.id, "550 mailbox <unavailable>")
                    .await
                    .unwrap();
            }
        }
        let page = app
            .get_as(&admin, "/manage/organisations/knowsley-council")
            .await;
        page.has("Emails we could not send")
            .has("editor@k.example")
            .has("550 mailbox &#60;unavailable&#62;");
        app.get_as(&editor, "/manage/organisations/knowsley-council")
            .await
            .lacks("Emails we could not send");
    }
}
