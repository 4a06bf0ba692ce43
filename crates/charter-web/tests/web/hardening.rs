//! What an attacker or a careless user tried and must not get: sign-in guesses sent all at once
//! slipping past the limit, and a password reset that leaves old sessions and links working.

use crate::harness::*;
use axum::http::StatusCode;
use charter_core::accounts::Role;

const EMAIL: &str = "sam@knowsley.example";
const PASSWORD: &str = "ferry cross the mersey";

/// A person with a password, on a filled register.
async fn person_with_password(app: &TestApp) -> i64 {
    let id = app
        .user(EMAIL, Role::OrgAdmin, Some("knowsley-council"))
        .await;
    let hash = charter_web::account::passwords::hash(PASSWORD.into())
        .await
        .unwrap();
    app.store
        .user_password_set(id, &hash, &ts("2026-01-01T00:00:00Z"))
        .await
        .unwrap();
    id
}

fn sign_in_form(password: &str) -> String {
    serde_urlencoded::to_string([("email", EMAIL), ("password", password)]).unwrap()
}

#[tokio::test]
async fn every_page_carries_security_headers_and_no_inline_script() {
    for app in TestApp::init().on_each_backend().await {
        for uri in [
            "/",
            "/projects",
            "/projects/LCR-0001",
            "/organisations",
            "/charter",
            "/nope",
            "/api/v1/projects",
        ] {
            let r = app.get(uri).await;
            let csp = r
                .headers
                .get("content-security-policy")
                .expect("CSP on every response")
                .to_str()
                .unwrap();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{uri}: {csp}"
            );
            assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
            assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
            if r.content_type().starts_with("text/html") {
                assert!(!r.body.contains("<script>"), "{uri} has an inline script");
                assert!(!r.body.contains(" style=\""), "{uri} has an inline style");
            }
        }
    }
}

#[tokio::test]
async fn wrong_passwords_sent_at_once_are_counted_before_they_are_checked() {
    for app in TestApp::init().on_each_backend().await {
        person_with_password(&app).await;
        let wrong = sign_in_form("wrong wrong wrong");
        let tries = (0..20).map(|_| app.post_form("/sign-in", &wrong));
        let replies = futures_util::future::join_all(tries).await;
        let checked = replies
            .iter()
            .filter(|r| r.status == StatusCode::UNAUTHORIZED)
            .count();
        let paused = replies
            .iter()
            .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(
            (checked, paused),
            (5, 15),
            "five passwords are checked, the rest refused unchecked"
        );
        // The right password now waits out the pause too.
        let right = app.post_form("/sign-in", &sign_in_form(PASSWORD)).await;
        assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
        right.has("Too many tries");
    }
}

#[tokio::test]
async fn a_right_password_does_not_count_as_a_failure() {
    for app in TestApp::init().on_each_backend().await {
        person_with_password(&app).await;
        for _ in 0..8 {
            let r = app.post_form("/sign-in", &sign_in_form(PASSWORD)).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        for _ in 0..4 {
            app.post_form("/sign-in", &sign_in_form("wrong wrong wrong"))
                .await;
        }
        let r = app.post_form("/sign-in", &sign_in_form(PASSWORD)).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "four failures do not pause"
        );
    }
}

#[tokio::test]
async fn a_password_reset_ends_every_other_session_and_every_earlier_link() {
    for app in TestApp::init().with_outbox().on_each_backend().await {
        let id = person_with_password(&app).await;
        let outbox = app.outbox();
        // Someone tried to guess the password until the account paused.
        for _ in 0..6 {
            app.post_form("/sign-in", &sign_in_form("wrong wrong wrong"))
                .await;
        }
        let paused = app.post_form("/sign-in", &sign_in_form(PASSWORD)).await;
        assert_eq!(paused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(paused.headers["retry-after"], "900");
        // Signed in on a laptop and a phone.
        let (laptop, _) = app.session(id).await;
        let (phone, _) = app.session(id).await;
        for s in [&laptop, &phone] {
            let r = app.send(with_cookie("GET", "/manage", Some(s), None)).await;
            assert_eq!(r.status, StatusCode::OK);
        }
        // Two reset links asked for; the second is used.
        let ask = format!("email={}", EMAIL.replace('@', "%40"));
        for _ in 0..2 {
            app.post_form("/account/reset-password", &ask)
                .await
                .has("If that address has an account");
        }
        let mails = app.mails();
        // The messages hold one-time links: the outbox is its owner's alone.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&outbox), 0o700);
            for e in std::fs::read_dir(&outbox).unwrap() {
                assert_eq!(mode(&e.unwrap().path()), 0o600);
            }
        }
        let links: Vec<String> = mails
            .iter()
            .map(|m| {
                let at = m.find("/account/set-password/").unwrap();
                m[at..].chars().take_while(|c| !c.is_whitespace()).collect()
            })
            .collect();
        assert_eq!(links.len(), 2);
        assert_ne!(links[0], links[1]);
        let new = "password=lime+tugboat+orchestra+42&confirm=lime+tugboat+orchestra+42";
        let set = app.post_form(&links[1], new).await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);

        for s in [&laptop, &phone] {
            let r = app.send(with_cookie("GET", "/manage", Some(s), None)).await;
            assert_eq!(
                r.status,
                StatusCode::SEE_OTHER,
                "an old session is sent to sign in"
            );
        }
        let earlier = app.post_form(&links[0], new).await;
        assert_eq!(earlier.status, StatusCode::GONE);
        earlier.has("stop working once a new password is set");
        // The new password works, even after a pause for failed sign-ins before the reset.
        let r = app
            .post_form(
                "/sign-in",
                &serde_urlencoded::to_string([
                    ("email", EMAIL),
                    ("password", "lime tugboat orchestra 42"),
                ])
                .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
}

/// A body that sends one chunk and then nothing, ever: what a trickling attacker sends.
fn endless_body() -> axum::body::Body {
    use futures_util::StreamExt;
    let first = futures_util::stream::once(async {
        Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"{\"title\": \"a"))
    });
    axum::body::Body::from_stream(first.chain(futures_util::stream::pending()))
}

/// Answers within `seconds`, or fails the test rather than hang.
async fn within(seconds: u64, reply: impl std::future::Future<Output = Reply>) -> Reply {
    tokio::time::timeout(std::time::Duration::from_secs(seconds), reply)
        .await
        .expect("the server answered instead of waiting for the body")
}

#[tokio::test]
async fn the_write_api_refuses_a_request_without_a_token_before_reading_its_body() {
    for app in TestApp::init().on_each_backend().await {
        for (method, uri) in [
            ("POST", "/api/v1/drafts"),
            ("PUT", "/api/v1/drafts/1"),
            ("POST", "/api/v1/drafts/1/submit"),
            (
                "POST",
                "/api/v1/optout/check?scope=ai-decisions&column=nhs_number",
            ),
            ("POST", "/api/v1/optout/checks"),
        ] {
            let request = axum::http::Request::builder()
                .method(method)
                .uri(uri)
                .header("content-type", "application/json")
                .body(endless_body())
                .unwrap();
            let r = within(5, app.send(request)).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
            assert_eq!(r.content_type(), "application/problem+json");
        }
    }
}

#[tokio::test]
async fn a_body_that_never_finishes_is_given_up_on() {
    let slow_bodies = |state: charter_web::AppState| {
        state.with_limits(charter_web::server::Limits {
            body_timeout: std::time::Duration::from_millis(200),
            ..Default::default()
        })
    };
    for app in TestApp::init()
        .with_state(slow_bodies)
        .on_each_backend()
        .await
    {
        let request = axum::http::Request::post("/api/v1/text/check")
            .header("content-type", "application/json")
            .body(endless_body())
            .unwrap();
        let r = within(5, app.send(request)).await;
        assert!(r.status.is_client_error(), "{}", r.status);
    }
}

#[tokio::test]
async fn bodies_are_limited_to_what_each_route_needs() {
    for app in TestApp::init().on_each_backend().await {
        // A sign-in form needs a few hundred bytes, not megabytes.
        let big = format!("email=a%40b.example&password={}", "x".repeat(100 * 1024));
        let r = app.post_form("/sign-in", &big).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        // A person in a browser gets the register's own page, not a line of plain text.
        r.has("What you sent is too large").has("govuk-template");
        // The plain-English checker takes its documented 100,000 characters.
        let text = serde_json::json!({ "text": "The council reads the meter. ".repeat(3_400) });
        let r = app.post_json("/api/v1/text/check", &text.to_string()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

#[tokio::test]
async fn pages_for_one_person_are_never_kept_and_https_registers_say_so() {
    for app in TestApp::init().on_each_backend().await {
        let sam = app
            .signed_in_as(EMAIL, Role::OrgAdmin, Some("knowsley-council"))
            .await;
        for uri in [
            "/manage",
            "/manage/organisations/knowsley-council",
            "/projects",
        ] {
            let r = app.get_as(&sam, uri).await;
            assert_eq!(
                r.headers.get("cache-control").map(|v| v.to_str().unwrap()),
                Some("no-store"),
                "{uri} signed in"
            );
        }
        for uri in ["/sign-in", "/opt-out", "/account/reset-password"] {
            let r = app.get(uri).await;
            assert_eq!(r.headers["cache-control"], "no-store", "{uri}");
        }
        let public = app.get("/projects").await;
        assert!(
            public
                .headers
                .get("cache-control")
                .is_none_or(|v| v != "no-store")
        );
        assert!(public.headers.get("strict-transport-security").is_none());

        let https = app.router_with(|state| state.with_public_url("https://register.example.org/"));
        let r = get(&https, "/").await;
        assert!(
            r.headers["strict-transport-security"]
                .to_str()
                .unwrap()
                .starts_with("max-age=31536000")
        );
    }
}

#[tokio::test]
async fn an_import_too_large_says_so_on_the_import_page() {
    for app in TestApp::init().on_each_backend().await {
        let importer = app
            .signed_in("importer", Role::OrgEditor, Some("knowsley-council"))
            .await;
        let (cookie, csrf) = (&importer.cookie, &importer.csrf);
        let boundary = "XyZ";
        let csv = format!("title,status\n{}", "Street lights,in-use\n".repeat(200_000));
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
        );
        let request = axum::http::Request::post("/manage/organisations/knowsley-council/import")
            .header("cookie", format!("charter_session={cookie}"))
            .header("sec-fetch-site", "same-origin")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(axum::body::Body::from(body))
            .unwrap();
        let r = app.send(request).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("govuk-error-summary")
            .has("MB or smaller: split it, or import it with charter import")
            .has("Import entries from a spreadsheet");
    }
}
