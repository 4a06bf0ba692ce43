//! Accounts: passwords, signing in and out, tokens, what each role may open, invitations.

use axum::http::StatusCode;
use charter_core::accounts::Role;
use charter_store::fixtures::complete_project;

use crate::harness::*;

#[tokio::test]
async fn set_a_password_sign_in_make_a_token_and_sign_out() {
    for app in TestApp::init().with_optout().on_each_backend().await {
        let store = &app.store;
        let org: charter_core::Slug = "knowsley-council".parse().unwrap();
        let uid = store
            .user_add(
                "sam@knowsley.example",
                None,
                Role::OrgAdmin,
                Some(&org),
                &ts("2026-01-01T00:00:00Z"),
            )
            .await
            .unwrap();
        let token = "ab".repeat(24);
        store
            .link_create(
                &charter_app::secrets::token_hash(&token),
                uid,
                "password",
                &ts("2026-01-01T00:00:00Z"),
                &ts("2999-01-01T00:00:00Z"),
            )
            .await
            .unwrap();
        let link = format!("/account/set-password/{token}");

        app.get(&link).await.has("Set your password");
        let weak = app.post_form(&link, "password=short&confirm=short").await;
        assert_eq!(weak.status, StatusCode::BAD_REQUEST);
        weak.has("at least 12 characters")
            .has("govuk-error-summary");
        app.post_form(&link, "password=password12345&confirm=password12345")
            .await
            .has("too common");
        app.post_form(
            &link,
            "password=ferry+cross+the+mersey&confirm=ferry+cross+the+river",
        )
        .await
        .has("do not match");
        let set = app
            .post_form(
                &link,
                "password=ferry+cross+the+mersey&confirm=ferry+cross+the+mersey",
            )
            .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER);
        assert_eq!(
            set.headers.get("location").unwrap(),
            "/sign-in?password-set"
        );
        let again = app
            .post_form(
                &link,
                "password=ferry+cross+the+mersey&confirm=ferry+cross+the+mersey",
            )
            .await;
        assert_eq!(again.status, StatusCode::GONE);
        again.has("This link has already been used");
        app.get("/account/set-password/nonsense")
            .await
            .has("This link does not work");

        // Signing in.
        let wrong = app
            .post_form(
                "/sign-in",
                "email=sam%40knowsley.example&password=not+the+password",
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        wrong
            .has("The email address or password is wrong")
            .has("value=\"sam@knowsley.example\"");
        app.post_form("/sign-in", "email=&password=")
            .await
            .has("Enter your email address")
            .has("Enter your password");
        let ok = app
            .post_form(
                "/sign-in",
                "email=Sam%40Knowsley.example&password=ferry+cross+the+mersey",
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let cookie = ok
            .headers
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "not over HTTPS here");
        let session = cookie
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("charter_session=")
            .to_owned();

        let manage = app
            .send(with_cookie("GET", "/manage", Some(&session), None))
            .await;
        assert_eq!(manage.status, StatusCode::OK);
        manage
            .has("sam@knowsley.example")
            .has("Organisation administrator")
            .has("/manage/organisations/knowsley-council");
        let form_token = manage
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();

        // Tokens need the form token; the new token is shown once.
        let forged = app
            .send(with_cookie(
                "POST",
                "/manage/organisations/knowsley-council/tokens",
                Some(&session),
                Some("label=x"),
            ))
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let made = app
            .send(with_cookie(
                "POST",
                "/manage/organisations/knowsley-council/tokens",
                Some(&session),
                Some(&format!(
                    "csrf={form_token}&label=Nightly+cleaning&scope=optout-check"
                )),
            ))
            .await;
        assert_eq!(made.status, StatusCode::OK);
        let api_token = made
            .body
            .split("charter-hash\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned();
        assert!(api_token.starts_with("chr_"));
        let tools = app
            .send(with_cookie(
                "GET",
                "/manage/organisations/knowsley-council",
                Some(&session),
                None,
            ))
            .await;
        tools
            .has("Nightly cleaning")
            .lacks(&api_token)
            .has("Essential checks");
        let blank = app
            .send(with_cookie(
                "POST",
                "/manage/organisations/knowsley-council/tokens",
                Some(&session),
                Some(&format!("csrf={form_token}&label=")),
            ))
            .await;
        assert_eq!(blank.status, StatusCode::BAD_REQUEST);
        let t = store.tokens(&org).await.unwrap()[0].clone();
        let revoked = app
            .send(with_cookie(
                "POST",
                &format!(
                    "/manage/organisations/knowsley-council/tokens/{}/revoke",
                    t.id
                ),
                Some(&session),
                Some(&format!("csrf={form_token}")),
            ))
            .await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER);
        assert!(
            store
                .token_by_hash(&charter_app::secrets::token_hash(&api_token))
                .await
                .unwrap()
                .is_none()
        );

        // The audit log has it all, and never a password.
        let log = store.audit_log(10).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["token-revoke", "token-create", "sign-in", "password-set"]
        );

        // Signing in again gives a new session and ends the old one.
        let again = app
            .send(with_cookie(
                "POST",
                "/sign-in",
                Some(&session),
                Some("email=sam%40knowsley.example&password=ferry+cross+the+mersey"),
            ))
            .await;
        let fresh = again
            .headers
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("charter_session=")
            .to_owned();
        assert_ne!(fresh, session);
        assert_eq!(
            app.send(with_cookie("GET", "/manage", Some(&session), None))
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let manage = app
            .send(with_cookie("GET", "/manage", Some(&fresh), None))
            .await;
        let form_token = manage
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let out = app
            .send(with_cookie(
                "POST",
                "/sign-out",
                Some(&fresh),
                Some(&format!("csrf={form_token}")),
            ))
            .await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert!(
            out.headers
                .get("set-cookie")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        assert_eq!(
            app.send(with_cookie("GET", "/manage", Some(&fresh), None))
                .await
                .status,
            StatusCode::SEE_OTHER
        );

        // Password reset: the same answer whether or not the address has an account.
        app.post_form("/account/reset-password", "email=nobody%40example.org")
            .await
            .has("If that address has an account");
        app.post_form("/account/reset-password", "email=sam%40knowsley.example")
            .await
            .has("If that address has an account");
        let mails = app.mails();
        assert_eq!(mails.len(), 1);
        assert!(
            mails[0].contains("To: sam@knowsley.example")
                && mails[0].contains("/account/set-password/")
        );
        assert_eq!(
            app.post_form("/account/reset-password", "email=not-an-address")
                .await
                .status,
            StatusCode::BAD_REQUEST
        );

        // Five wrong passwords, then a pause.
        for _ in 0..5 {
            app.post_form(
                "/sign-in",
                "email=sam%40knowsley.example&password=wrong+wrong+wrong",
            )
            .await;
        }
        let limited = app
            .post_form(
                "/sign-in",
                "email=sam%40knowsley.example&password=ferry+cross+the+mersey",
            )
            .await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        limited.has("Too many tries");
    }
}

#[tokio::test]
async fn every_account_route_for_every_role() {
    for app in TestApp::init().on_each_backend().await {
        let store = &app.store;
        let mut people: Vec<(&str, Option<Person>)> = vec![("no session", None)];
        for (name, role, org) in [
            ("editor", Role::OrgEditor, Some("knowsley-council")),
            ("admin", Role::OrgAdmin, Some("knowsley-council")),
            ("moderator", Role::Moderator, None),
            ("site admin", Role::SiteAdmin, None),
        ] {
            let person = app.signed_in(&name.replace(' ', ""), role, org).await;
            people.push((name, Some(person)));
        }
        let draft = store
            .draft_create(&charter_store::drafts::NewDraft {
                entry: complete_project(9, "knowsley-council"),
                existing: Some("LCR-0009".parse().unwrap()),
                base_version: Some(1),
                actor: "editor@x.example".into(),
                at: ts("2026-01-01T00:00:00Z"),
            })
            .await
            .unwrap()
            .id;
        store
            .identifier_kind_add(
                &charter_store::optout::IdentifierKindSpec {
                    name: "test-ref".into(),
                    tag_prefix: "test-ref".into(),
                    label: "Test reference".into(),
                    hint: String::new(),
                    charset: "digits".into(),
                    min_len: 4,
                    max_len: 8,
                },
                &ts("2026-01-01T00:00:00Z"),
            )
            .await
            .unwrap();
        let draft_page = format!("/manage/drafts/{draft}");
        let draft_section = format!("/manage/drafts/{draft}/sections/about");
        let draft_review = format!("/manage/drafts/{draft}/review");
        let draft_preview = format!("/manage/drafts/{draft}/preview");
        // Expected status for: none, editor, admin (Knowsley), moderator, site admin.
        let routes: [(&str, &str, [u16; 5]); 22] = [
            // Only site administrators set up identifier kinds. The test's form is incomplete,
            // so those allowed get it back with its problems.
            ("GET", "/manage/identifier-kinds", [303, 403, 403, 403, 200]),
            (
                "POST",
                "/manage/identifier-kinds",
                [303, 403, 403, 403, 400],
            ),
            (
                "GET",
                "/manage/identifier-kinds/test-ref",
                [303, 403, 403, 403, 200],
            ),
            (
                "POST",
                "/manage/identifier-kinds/test-ref",
                [303, 403, 403, 403, 400],
            ),
            (
                "POST",
                "/manage/identifier-kinds/test-ref/retire",
                [303, 403, 403, 403, 303],
            ),
            (
                "POST",
                "/manage/identifier-kinds/test-ref/reinstate",
                [303, 403, 403, 403, 303],
            ),
            (
                "GET",
                "/manage/organisations/knowsley-council/import",
                [303, 200, 200, 403, 200],
            ),
            ("GET", "/manage/review", [303, 200, 200, 200, 200]),
            (
                "GET",
                "/manage/organisations/knowsley-council/drafts/new",
                [303, 200, 200, 403, 200],
            ),
            (
                "GET",
                "/manage/organisations/wirral-transport/drafts/new",
                [303, 403, 403, 403, 200],
            ),
            ("GET", &draft_page, [303, 200, 200, 200, 200]),
            // The charter body reviews but does not write: it is sent back to the task list.
            ("GET", &draft_section, [303, 200, 200, 303, 200]),
            ("GET", &draft_review, [303, 403, 403, 200, 200]),
            ("GET", &draft_preview, [303, 200, 200, 200, 200]),
            (
                "POST",
                "/manage/organisations/knowsley-council/self-publish",
                [303, 403, 403, 303, 303],
            ),
            // Signed-in people allowed to invite get the form back: the test sends no email.
            (
                "POST",
                "/manage/organisations/knowsley-council/people",
                [303, 403, 400, 403, 400],
            ),
            ("GET", "/manage", [303, 200, 200, 200, 200]),
            (
                "GET",
                "/manage/organisations/knowsley-council",
                [303, 200, 200, 200, 200],
            ),
            (
                "GET",
                "/manage/organisations/wirral-transport",
                [303, 403, 403, 200, 200],
            ),
            ("GET", "/manage/audit", [303, 403, 403, 200, 200]),
            (
                "POST",
                "/manage/organisations/knowsley-council/tokens",
                [303, 403, 200, 403, 200],
            ),
            (
                "POST",
                "/manage/organisations/wirral-transport/tokens",
                [303, 403, 403, 403, 200],
            ),
        ];
        for (method, uri, expected) in routes {
            for (i, (who, session)) in people.iter().enumerate() {
                let (cookie, form) = match session {
                    Some(p) => (
                        Some(p.cookie.as_str()),
                        format!("csrf={}&label=test&scope=optout-check", p.csrf),
                    ),
                    None => (None, "label=test".to_owned()),
                };
                let r = app
                    .send(with_cookie(
                        method,
                        uri,
                        cookie,
                        (method == "POST").then_some(form.as_str()),
                    ))
                    .await;
                assert_eq!(r.status.as_u16(), expected[i], "{method} {uri} as {who}");
            }
        }
        // Public pages stay public for everyone.
        for (_, session) in &people {
            let cookie = session.as_ref().map(|p| p.cookie.as_str());
            assert_eq!(
                app.send(with_cookie("GET", "/projects", cookie, None))
                    .await
                    .status,
                StatusCode::OK
            );
        }
    }
}

#[tokio::test]
async fn organisation_admins_invite_people_who_then_set_a_password() {
    for app in TestApp::init().with_outbox().on_each_backend().await {
        let store = &app.store;
        let admin = app
            .signed_in("orgadmin", Role::OrgAdmin, Some("knowsley-council"))
            .await;
        let editor = app
            .signed_in("plain", Role::OrgEditor, Some("knowsley-council"))
            .await;
        let tools = "/manage/organisations/knowsley-council";
        let r = app
            .post_as(
                &admin,
                &format!("{tools}/people"),
                &[("email", "not-an-email")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("href=\"#email\"");
        let r = app
            .post_as(
                &editor,
                &format!("{tools}/people"),
                &[("email", "new@x.example")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post_as(
                &admin,
                &format!("{tools}/people"),
                &[("email", "New@X.example"), ("role", "organisation-editor")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("We have emailed new@x.example");
        let r = app
            .post_as(
                &admin,
                &format!("{tools}/people"),
                &[("email", "new@x.example")],
            )
            .await;
        r.has("already has an account");
        let mail = app
            .mails()
            .into_iter()
            .find(|m| m.contains("To: new@x.example"))
            .expect("an invitation in the outbox");
        let link = mail
            .lines()
            .find(|l| l.starts_with("/account/set-password/"))
            .unwrap();
        app.get(link).await.has("password");
        let user = store.user_by_email("new@x.example").await.unwrap().unwrap();
        assert_eq!(user.role, Role::OrgEditor);
    }
}

/// A mail server that accepts every message and hands each one's text to the test.
async fn fake_smtp() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(d) = data.as_mut() {
                        if line == "." {
                            let _ = tx.send(data.take().unwrap());
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            d.push_str(&line);
                            d.push('\n');
                        }
                        continue;
                    }
                    let reply: &[u8] = match line.get(..4).unwrap_or("").to_uppercase().as_str() {
                        "EHLO" | "HELO" => b"250 test\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => b"221 bye\r\n",
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test]
async fn invitations_go_through_a_mail_server_when_one_is_set_up() {
    let (port, mut received) = fake_smtp().await;
    let mut app = TestApp::init()
        .with_state(move |state| {
            let mailer = charter_web::mail::Mailer::smtp(
                &format!("smtp://127.0.0.1:{port}"),
                "Register <register@charter.example>",
            )
            .unwrap();
            state
                .with_mailer(mailer)
                .with_public_url("https://register.example.org/")
        })
        .on_sqlite()
        .await;
    let admin = app
        .signed_in("mailadmin", Role::OrgAdmin, Some("knowsley-council"))
        .await;
    let tools = "/manage/organisations/knowsley-council";
    let r = app
        .post_as(
            &admin,
            &format!("{tools}/people"),
            &[("email", "guest@x.example")],
        )
        .await;
    r.has("We have emailed guest@x.example");
    let mail = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(mail.contains("To: guest@x.example"), "{mail}");
    assert!(
        mail.contains("From: Register <register@charter.example>"),
        "{mail}"
    );
    assert!(
        mail.contains("https://register.example.org/account/set-password/"),
        "{mail}"
    );

    // A mail server that does not answer: the administrator is given the link instead.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // The same store and the same signed-in administrator, on a register with that server.
    app.router = app.router_with(|state| {
        state.with_mailer(
            charter_web::mail::Mailer::smtp(
                &format!("smtp://127.0.0.1:{closed}"),
                "r@charter.example",
            )
            .unwrap(),
        )
    });
    let r = app
        .post_as(
            &admin,
            &format!("{tools}/people"),
            &[("email", "second@x.example")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    r.has("Send second@x.example this link")
        .has("/account/set-password/");
    assert!(charter_web::mail::Mailer::smtp("not a url", "r@charter.example").is_err());
    assert!(charter_web::mail::Mailer::smtp("smtp://127.0.0.1:25", "not an address").is_err());
}
