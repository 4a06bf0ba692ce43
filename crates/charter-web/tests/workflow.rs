//! The publishing workflow through the real router: an editor drafts and submits, the charter body
//! returns and then approves, a change to a published entry is reviewed the same way, and the
//! history shows both versions. Runs on every backend.

mod support;

use axum::http::StatusCode;
use charter_core::accounts::Role;
use charter_store::Store;
use support::*;

struct Person {
    cookie: String,
    csrf: String,
}

async fn person(store: &dyn Store, n: u32, name: &str, role: Role, org: Option<&str>) -> Person {
    let email = format!("{name}@x.example");
    let org: Option<charter_core::Slug> = org.map(|o| o.parse().unwrap());
    let id = store
        .user_add(
            &email,
            None,
            role,
            org.as_ref(),
            &"2026-01-01T00:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    let (cookie, csrf) = session_for(store, id, n).await;
    Person { cookie, csrf }
}

fn encode(csrf: &str, pairs: &[(&str, &str)]) -> String {
    let mut all = vec![("csrf", csrf)];
    all.extend_from_slice(pairs);
    serde_urlencoded::to_string(all).unwrap()
}

async fn as_person(app: &axum::Router, who: &Person, uri: &str) -> Reply {
    send(app, with_cookie("GET", uri, Some(&who.cookie), None)).await
}

async fn post_as(app: &axum::Router, who: &Person, uri: &str, pairs: &[(&str, &str)]) -> Reply {
    let body = encode(&who.csrf, pairs);
    send(
        app,
        with_cookie("POST", uri, Some(&who.cookie), Some(&body)),
    )
    .await
}

fn location(r: &Reply) -> String {
    r.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no redirect ({}): {}", r.status, r.body))
        .to_owned()
}

/// The lock value the page's forms carry.
fn lock_in(body: &str) -> String {
    let at = body.find("name=\"lock\" value=\"").expect("a lock field") + 19;
    body[at..].split('"').next().unwrap().to_owned()
}

const DUTY_HOLDERS: [(&str, &str); 5] = [
    ("accountable_owner.role", "Director of Housing"),
    ("bias_owner.role", "Data Ethics Lead"),
    ("updates_owner.role", "Lead Data Scientist"),
    ("monitoring_owner.role", "Service Manager"),
    ("training_owner.role", "Training Manager"),
];

#[tokio::test]
async fn an_entry_is_drafted_returned_fixed_approved_changed_and_shows_its_history() {
    for store in stores().await {
        fill(store.as_ref()).await;
        let app = app_with(store.clone());
        let editor = person(
            store.as_ref(),
            1,
            "editor",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        let moderator = person(store.as_ref(), 2, "moderator", Role::Moderator, None).await;

        // Starting needs a name, the AI answer and the decision role.
        let r = post_as(
            &app,
            &editor,
            "/manage/organisations/knowsley-council/drafts/new",
            &[("title", "")],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("There is a problem")
            .has("href=\"#title\"")
            .has("Choose whether the project uses AI");
        let r = post_as(
            &app,
            &editor,
            "/manage/organisations/knowsley-council/drafts/new",
            &[
                ("title", "Library book recommendations"),
                ("uses_ai", "yes"),
                ("decision_role", "information-only"),
            ],
        )
        .await;
        let draft = location(&r);
        assert!(draft.starts_with("/manage/drafts/"), "{draft}");
        let page = as_person(&app, &editor, &draft).await;
        page.has("Library book recommendations")
            .has("Not started")
            .has("Draft");
        // Not yet complete: nothing can be submitted.
        page.lacks("Submit for review")
            .has("Choose at least one area");

        // A bad answer is refused with the answers kept; a good one is saved.
        let about = format!("{draft}/sections/about");
        let form = as_person(&app, &editor, &about).await;
        let lock = lock_in(&form.body);
        let r = post_as(
            &app,
            &editor,
            &about,
            &[
                ("lock", &lock),
                ("title", "Library book recommendations"),
                ("status", "pilot"),
                ("start_date", "31/02/2026"),
                ("areas", "knowsley"),
                ("topics", "education"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("href=\"#start_date\"")
            .has("Start date must be a real date")
            .has("value=\"31/02/2026\"");
        let r = post_as(
            &app,
            &editor,
            &about,
            &[
                ("lock", &lock),
                ("title", "Library book recommendations"),
                ("status", "pilot"),
                ("start_date", "1/3/2026"),
                ("next_review_date", "2027-03-01"),
                ("areas", "knowsley"),
                ("topics", "education"),
            ],
        )
        .await;
        assert_eq!(location(&r), draft);
        // The same form sent again, from the page as it was first read, is refused: no lost update.
        let r = post_as(
            &app,
            &editor,
            &about,
            &[("lock", &lock), ("title", "Overwritten")],
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        r.has("Someone else saved this draft")
            .has("value=\"Overwritten\"");
        // Nothing of the refused save reached the draft: the first save's answers stand.
        as_person(&app, &editor, &draft)
            .await
            .has("Library book recommendations")
            .lacks("Overwritten");
        let id: i64 = draft.rsplit('/').next().unwrap().parse().unwrap();
        let saved = store.draft(id).await.unwrap().unwrap();
        assert_eq!(saved.entry.title.as_str(), "Library book recommendations");
        assert_eq!(saved.entry.status, charter_core::picklists::Status::Pilot);

        let summary = format!("{draft}/sections/summary");
        let lock = lock_in(&as_person(&app, &editor, &summary).await.body);
        let r = post_as(
            &app,
            &editor,
            &summary,
            &[("lock", &lock), ("then", "check"), ("summary", "We suggest books you might like. We use the books you borrowed before. Staff check the lists."), ("contact_email", "libraries@knowsley.example")],
        )
        .await;
        let back = location(&r);
        assert_eq!(back, format!("{summary}?saved"));
        as_person(&app, &editor, &back)
            .await
            .has("Reading age")
            .has("Your answers are saved");

        let resp = format!("{draft}/sections/responsibility");
        let lock = lock_in(&as_person(&app, &editor, &resp).await.body);
        let mut answers = vec![("lock", lock.as_str())];
        answers.extend_from_slice(&DUTY_HOLDERS[..4]);
        post_as(&app, &editor, &resp, &answers).await;
        let page = as_person(&app, &editor, &draft).await;
        page.has("who trains front-line staff")
            .lacks("Submit for review");
        let lock = lock_in(&as_person(&app, &editor, &resp).await.body);
        let mut answers = vec![("lock", lock.as_str())];
        answers.extend_from_slice(&DUTY_HOLDERS);
        post_as(&app, &editor, &resp, &answers).await;

        // Preview shows the public page, marked as a draft, and the entry is not public yet.
        let page = as_person(&app, &editor, &draft).await;
        page.has("Submit for review");
        let id = page.body.split("new entry ").nth(1).unwrap()[..8].to_owned();
        as_person(&app, &editor, &format!("{draft}/preview"))
            .await
            .has("This is a draft")
            .has("We suggest books");
        assert_eq!(
            get(&app, &format!("/projects/{id}")).await.status,
            StatusCode::NOT_FOUND
        );

        let lock = lock_in(&page.body);
        let r = post_as(
            &app,
            &editor,
            &format!("{draft}/submit"),
            &[("lock", &lock)],
        )
        .await;
        assert_eq!(location(&r), draft);
        as_person(&app, &editor, &draft)
            .await
            .has("Waiting for review")
            .lacks("Submit for review");

        // The editor cannot review; the moderator sees it in the queue, side by side.
        assert_eq!(
            as_person(&app, &editor, &format!("{draft}/review"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        as_person(&app, &moderator, "/manage/review")
            .await
            .has("Library book recommendations");
        let review = as_person(&app, &moderator, &format!("{draft}/review")).await;
        review
            .has("Approve and publish")
            .has("We suggest books")
            .has("Data Ethics Lead");
        let lock = lock_in(&review.body);
        let r = post_as(
            &app,
            &moderator,
            &format!("{draft}/return"),
            &[("lock", &lock), ("comment", "")],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("href=\"#comment\"");
        let r = post_as(
            &app,
            &moderator,
            &format!("{draft}/return"),
            &[
                ("lock", &lock),
                ("comment", "Say how people opt out of suggestions."),
            ],
        )
        .await;
        assert_eq!(location(&r), "/manage/review");
        as_person(&app, &editor, &draft)
            .await
            .has("Returned with comments")
            .has("Say how people opt out of suggestions.");

        let summary_lock = lock_in(&as_person(&app, &editor, &summary).await.body);
        post_as(
            &app,
            &editor,
            &summary,
            &[("lock", &summary_lock), ("summary", "We suggest books you might like. We use the books you borrowed before. Staff check the lists. Tell any library to stop the suggestions."), ("contact_email", "libraries@knowsley.example")],
        )
        .await;
        let lock = lock_in(&as_person(&app, &editor, &draft).await.body);
        post_as(
            &app,
            &editor,
            &format!("{draft}/submit"),
            &[("lock", &lock)],
        )
        .await;

        let review = as_person(&app, &moderator, &format!("{draft}/review")).await;
        let lock = lock_in(&review.body);
        let r = post_as(
            &app,
            &moderator,
            &format!("{draft}/approve"),
            &[("lock", &lock)],
        )
        .await;
        assert_eq!(location(&r), format!("/projects/{id}"));
        get(&app, &format!("/projects/{id}"))
            .await
            .has("Tell any library to stop");

        // A change to the published entry: a new draft from version 1, with a note for history.
        let r = post_as(&app, &editor, &format!("/manage/projects/{id}/edit"), &[]).await;
        let change = location(&r);
        let summary = format!("{change}/sections/summary");
        let lock = lock_in(&as_person(&app, &editor, &summary).await.body);
        post_as(
            &app,
            &editor,
            &summary,
            &[("lock", &lock), ("summary", "We suggest books you might like, from what you borrowed before. Staff check the lists. Tell any library to stop."), ("contact_email", "libraries@knowsley.example")],
        )
        .await;
        let lock = lock_in(&as_person(&app, &editor, &change).await.body);
        let r = post_as(
            &app,
            &editor,
            &format!("{change}/submit"),
            &[("lock", &lock)],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("Say in a few words what changed");
        post_as(
            &app,
            &editor,
            &format!("{change}/submit"),
            &[("lock", &lock), ("note", "Shorter summary")],
        )
        .await;
        let review = as_person(&app, &moderator, &format!("{change}/review")).await;
        review
            .has("Published (version 1)")
            .has("<del>We suggest books you might like. We use");
        let lock = lock_in(&review.body);
        post_as(
            &app,
            &moderator,
            &format!("{change}/approve"),
            &[("lock", &lock)],
        )
        .await;

        let history = get(&app, &format!("/projects/{id}/history")).await;
        history.has("Shorter summary");
        let log = get(&app, "/api/v1/log").await.json();
        let links = log["links"].as_array().unwrap();
        let last = &links[links.len() - 1];
        assert_eq!(last["project"], serde_json::json!(id));
        assert_eq!(last["version"], 2);
        assert_eq!(log["head"], last["hash"]);
    }
}

#[tokio::test]
async fn nobody_approves_their_own_change_even_in_a_self_publishing_organisation() {
    for store in stores().await {
        fill(store.as_ref()).await;
        let app = app_with(store.clone());
        let editor = person(
            store.as_ref(),
            11,
            "writer",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        let admin = person(
            store.as_ref(),
            12,
            "boss",
            Role::OrgAdmin,
            Some("knowsley-council"),
        )
        .await;
        let moderator = person(store.as_ref(), 13, "mod", Role::Moderator, None).await;
        let r = post_as(&app, &editor, "/manage/projects/LCR-0009/edit", &[]).await;
        let draft = location(&r);
        let lock = lock_in(&as_person(&app, &editor, &draft).await.body);
        post_as(
            &app,
            &editor,
            &format!("{draft}/submit"),
            &[("lock", &lock), ("note", "Checked, no change")],
        )
        .await;

        // Before the charter body allows it, the organisation's admin cannot review.
        assert_eq!(
            as_person(&app, &admin, &format!("{draft}/review"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = post_as(
            &app,
            &editor,
            "/manage/organisations/knowsley-council/self-publish",
            &[("self_publish", "yes")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        post_as(
            &app,
            &moderator,
            "/manage/organisations/knowsley-council/self-publish",
            &[("self_publish", "yes")],
        )
        .await;

        // The author may not approve; a second person in the organisation may.
        let own = as_person(&app, &editor, &format!("{draft}/review")).await;
        own.has("someone else must approve it")
            .lacks("Approve and publish");
        let lock = lock_in(&own.body);
        let r = post_as(
            &app,
            &editor,
            &format!("{draft}/approve"),
            &[("lock", &lock)],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post_as(
            &app,
            &admin,
            &format!("{draft}/approve"),
            &[("lock", &lock)],
        )
        .await;
        assert_eq!(location(&r), "/projects/LCR-0009");
        // Approval confirms the entry as of today: a new version with the editor's note.
        let versions = store.versions("LCR-0009".parse().unwrap()).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[1].note, "Checked, no change");
        // The draft is closed; a stale approval is refused.
        let r = post_as(
            &app,
            &admin,
            &format!("{draft}/approve"),
            &[("lock", &lock)],
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn organisation_admins_invite_people_who_then_set_a_password() {
    for store in stores().await {
        fill(store.as_ref()).await;
        let outbox = std::env::temp_dir().join(format!("charter-invite-{}", fastrand_id()));
        let state = charter_web::AppState::new(
            store.clone(),
            charter_core::charter::Charter::from_toml(CHARTER).unwrap(),
        )
        .with_outbox(outbox.clone());
        let app = charter_web::router(state);
        let admin = person(
            store.as_ref(),
            21,
            "orgadmin",
            Role::OrgAdmin,
            Some("knowsley-council"),
        )
        .await;
        let editor = person(
            store.as_ref(),
            22,
            "plain",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        let tools = "/manage/organisations/knowsley-council";
        let r = post_as(
            &app,
            &admin,
            &format!("{tools}/people"),
            &[("email", "not-an-email")],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("href=\"#email\"");
        let r = post_as(
            &app,
            &editor,
            &format!("{tools}/people"),
            &[("email", "new@x.example")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post_as(
            &app,
            &admin,
            &format!("{tools}/people"),
            &[("email", "New@X.example"), ("role", "organisation-editor")],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("We have emailed new@x.example");
        let r = post_as(
            &app,
            &admin,
            &format!("{tools}/people"),
            &[("email", "new@x.example")],
        )
        .await;
        r.has("already has an account");
        let mail = std::fs::read_dir(&outbox)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .find(|m| m.contains("To: new@x.example"))
            .expect("an invitation in the outbox");
        let link = mail
            .lines()
            .find(|l| l.starts_with("/account/set-password/"))
            .unwrap();
        get(&app, link).await.has("password");
        let user = store.user_by_email("new@x.example").await.unwrap().unwrap();
        assert_eq!(user.role, Role::OrgEditor);
        let _ = std::fs::remove_dir_all(outbox);
    }
}

async fn api(
    app: &axum::Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    if_match: Option<&str>,
    body: &str,
) -> Reply {
    let mut b = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    if let Some(m) = if_match {
        b = b.header("if-match", m);
    }
    send(
        app,
        b.body(axum::body::Body::from(body.to_owned())).unwrap(),
    )
    .await
}

async fn token(store: &dyn Store, org: &str, value: &str, scopes: &str) -> i64 {
    token_for_org(store, org, value, scopes).await
}

#[tokio::test]
async fn organisations_write_and_submit_drafts_through_the_api() {
    for store in stores().await {
        fill(store.as_ref()).await;
        let app = app_with(store.clone());
        token(store.as_ref(), "knowsley-council", "chr_drafts", "drafts").await;
        token(
            store.as_ref(),
            "knowsley-council",
            "chr_optout",
            "optout-check",
        )
        .await;
        token(
            store.as_ref(),
            "wirral-transport",
            "chr_wirral",
            "drafts optout-check",
        )
        .await;
        let start = r#"{"title": "Bin collection routes", "status": "planned", "uses_ai": true,
            "ai_kind": "machine-learning", "decision_role": "information-only",
            "areas": ["knowsley"], "topics": ["environment"]}"#;

        let r = api(&app, "POST", "/api/v1/drafts", None, None, start).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = api(
            &app,
            "POST",
            "/api/v1/drafts",
            Some("chr_optout"),
            None,
            start,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = api(
            &app,
            "POST",
            "/api/v1/drafts",
            Some("chr_drafts"),
            None,
            "[1, 2]",
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = api(
            &app,
            "POST",
            "/api/v1/drafts",
            Some("chr_drafts"),
            None,
            r#"{"title": "", "status": "finished", "uses_ai": "maybe", "sumary": "typo"}"#,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.content_type(), "application/problem+json");
        let errors: Vec<String> = r.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["param"].as_str().unwrap().to_owned())
            .collect();
        for field in ["title", "status", "uses_ai", "sumary", "decision_role"] {
            assert!(
                errors.iter().any(|e| e == field),
                "{field} not in {errors:?}"
            );
        }

        let r = api(
            &app,
            "POST",
            "/api/v1/drafts",
            Some("chr_drafts"),
            None,
            start,
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let draft = r.json();
        let id = draft["id"].as_i64().unwrap();
        let etag = r.headers["etag"].to_str().unwrap().to_owned();
        assert_eq!(draft["state"], "editing");
        assert_eq!(draft["entry"]["ai_kind"], "machine-learning");
        assert_eq!(
            r.headers["location"],
            format!("/api/v1/drafts/{id}").as_str()
        );
        let uri = format!("/api/v1/drafts/{id}");
        // Another organisation's token cannot see it.
        let r = api(&app, "GET", &uri, Some("chr_wirral"), None, "").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Submitting an incomplete entry lists what blocks it.
        let submit = format!("{uri}/submit");
        let r = api(&app, "POST", &submit, Some("chr_drafts"), Some(&etag), "").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("Enter a summary");

        // The whole entry, as another system holds it; changes need the ETag.
        let mut whole = serde_json::to_value(charter_store::fixtures::complete_project(
            1,
            "knowsley-council",
        ))
        .unwrap();
        whole["title"] = "Bin collection routes".into();
        let body = whole.to_string();
        let r = api(&app, "PUT", &uri, Some("chr_drafts"), None, &body).await;
        assert_eq!(r.status.as_u16(), 428);
        let r = api(
            &app,
            "PUT",
            &uri,
            Some("chr_drafts"),
            Some("\"999\""),
            &body,
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = api(&app, "PUT", &uri, Some("chr_drafts"), Some(&etag), &body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let new_etag = r.headers["etag"].to_str().unwrap().to_owned();
        assert_ne!(new_etag, etag);
        assert_eq!(r.json()["entry"]["summary"], whole["summary"]);
        // The old ETag no longer works: nobody's change is silently overwritten.
        let r = api(&app, "PUT", &uri, Some("chr_drafts"), Some(&etag), &body).await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        let r = api(
            &app,
            "POST",
            &submit,
            Some("chr_drafts"),
            Some(&new_etag),
            "",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["state"], "submitted");
        let r = api(&app, "GET", "/api/v1/drafts", Some("chr_drafts"), None, "").await;
        assert_eq!(r.json().as_array().unwrap().len(), 1);
        // Submitted drafts wait for review: the API cannot change them.
        let etag = r.json()[0]["lock"].to_string();
        let r = api(&app, "PUT", &uri, Some("chr_drafts"), Some(&etag), &body).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // And the history of the draft says who acted: the person the token belongs to.
        let events = store.draft_events(id).await.unwrap();
        assert!(
            events
                .iter()
                .all(|e| e.actor.starts_with("token-")
                    && e.actor.ends_with("@knowsley-council.example")),
            "{events:?}"
        );
        // Every write through the API is in the audit log, in the owner's name.
        let log = store.audit_log(50).await.unwrap();
        for action in ["draft-create", "draft-save", "draft-submit"] {
            assert!(
                log.iter().any(|e| e.action == action
                    && e.actor.ends_with("@knowsley-council.example")
                    && e.subject.contains("through API token")),
                "no {action} in {log:?}"
            );
        }
    }
}

/// Four eyes mean two people on every path: an administrator who writes and submits a draft
/// with a token of their own cannot then approve it on the web.
#[tokio::test]
async fn a_token_acts_as_its_owner_so_nobody_approves_what_they_wrote_through_the_api() {
    for store in stores().await {
        fill(store.as_ref()).await;
        let app = app_with(store.clone());
        let admin = person(
            store.as_ref(),
            41,
            "admin-with-token",
            Role::OrgAdmin,
            Some("knowsley-council"),
        )
        .await;
        let colleague = person(
            store.as_ref(),
            42,
            "colleague",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        let moderator = person(store.as_ref(), 43, "mod", Role::Moderator, None).await;
        post_as(
            &app,
            &moderator,
            "/manage/organisations/knowsley-council/self-publish",
            &[("self_publish", "yes")],
        )
        .await;
        // The admin makes a token on the web; it is shown once.
        let r = post_as(
            &app,
            &admin,
            "/manage/organisations/knowsley-council/tokens",
            &[("label", "Our case system"), ("scope", "drafts")],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.has("made by admin-with-token@x.example");
        let at = r.body.find("chr_").expect("the new token is shown");
        let token: String = r.body[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();

        // With it, the admin writes and submits a whole entry.
        let mut whole = serde_json::to_value(charter_store::fixtures::complete_project(
            1,
            "knowsley-council",
        ))
        .unwrap();
        whole["title"] = "Street lighting faults".into();
        let r = api(
            &app,
            "POST",
            "/api/v1/drafts",
            Some(&token),
            None,
            &whole.to_string(),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let etag = r.headers["etag"].to_str().unwrap().to_owned();
        let r = api(
            &app,
            "POST",
            &format!("/api/v1/drafts/{id}/submit"),
            Some(&token),
            Some(&etag),
            "",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["updated_by"], "admin-with-token@x.example");

        // The same person cannot approve it on the web; a second person can.
        let draft = format!("/manage/drafts/{id}");
        let own = as_person(&app, &admin, &format!("{draft}/review")).await;
        own.has("someone else must approve it")
            .lacks("Approve and publish");
        let lock = lock_in(&own.body);
        let r = post_as(
            &app,
            &admin,
            &format!("{draft}/approve"),
            &[("lock", &lock)],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post_as(
            &app,
            &colleague,
            &format!("{draft}/approve"),
            &[("lock", &lock)],
        )
        .await;
        assert!(location(&r).starts_with("/projects/"), "{}", r.body);
        let log = store.audit_log(50).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "token-create" && e.actor == "admin-with-token@x.example")
        );
        assert!(log.iter().any(|e| e.action == "draft-submit"
            && e.actor == "admin-with-token@x.example"
            && e.subject.contains("through API token")));
    }
}

#[tokio::test]
async fn organisations_upload_a_list_check_it_and_import_every_row_or_none() {
    for store in stores().await {
        fill(store.as_ref()).await;
        let app = app_with(store.clone());
        let editor = person(
            store.as_ref(),
            31,
            "importer",
            Role::OrgEditor,
            Some("knowsley-council"),
        )
        .await;
        let page = "/manage/organisations/knowsley-council/import";
        as_person(&app, &editor, page)
            .await
            .has("Import entries from a spreadsheet")
            .has("challenge_route.how");
        let upload = |csv: &str, csrf: &str| {
            let boundary = "XyZ";
            let body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
            );
            axum::http::Request::post(page)
                .header("cookie", format!("charter_session={}", editor.cookie))
                .header("sec-fetch-site", "same-origin")
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(axum::body::Body::from(body))
                .unwrap()
        };
        let csv = "Project name,status,uses_ai,decision_role,areas,Ref\n\
                   Street lights,in-use,no,information-only,knowsley,A1\n\
                   Bus times,finished,no,information-only,knowsley,A2\n";
        let r = send(&app, upload(csv, "wrong")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = send(&app, upload(csv, &editor.csrf)).await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("The file has 2 problems")
            .has("line 1, column “Ref”: Choose the field")
            .has("line 3, column “status”")
            .lacks("as drafts</button>");
        // Ignore the reference column and fix the status: still refused until the file is right.
        let check = format!("{page}/check");
        let r = post_as(
            &app,
            &editor,
            &check,
            &[("csv", csv), ("map.5", "ignore"), ("action", "import")],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("The file has 1 problem");
        assert!(
            store.drafts(&Default::default()).await.unwrap().is_empty(),
            "nothing imported"
        );
        let fixed = csv.replace("finished", "pilot");
        let r = post_as(
            &app,
            &editor,
            &check,
            &[("csv", &fixed), ("map.5", "ignore"), ("action", "check")],
        )
        .await;
        r.has("2 entries are ready")
            .has("Import 2 entries as drafts");
        let r = post_as(
            &app,
            &editor,
            &check,
            &[("csv", &fixed), ("map.5", "ignore"), ("action", "import")],
        )
        .await;
        let to = location(&r);
        assert_eq!(to, "/manage/organisations/knowsley-council?imported=2");
        as_person(&app, &editor, &to)
            .await
            .has("Imported 2 entries as drafts")
            .has("Street lights")
            .has("Bus times");
        // Nobody outside the organisation may import for it.
        let other = person(
            store.as_ref(),
            32,
            "outsider",
            Role::OrgEditor,
            Some("wirral-transport"),
        )
        .await;
        assert_eq!(
            as_person(&app, &other, page).await.status,
            StatusCode::FORBIDDEN
        );
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
    let store = stores().await.remove(0);
    fill(store.as_ref()).await;
    let (port, mut received) = fake_smtp().await;
    let mailer = charter_web::mail::Mailer::smtp(
        &format!("smtp://127.0.0.1:{port}"),
        "Register <register@charter.example>",
    )
    .unwrap();
    let state = charter_web::AppState::new(
        store.clone(),
        charter_core::charter::Charter::from_toml(CHARTER).unwrap(),
    )
    .with_mailer(mailer)
    .with_public_url("https://register.example.org/");
    let app = charter_web::router(state);
    let admin = person(
        store.as_ref(),
        41,
        "mailadmin",
        Role::OrgAdmin,
        Some("knowsley-council"),
    )
    .await;
    let tools = "/manage/organisations/knowsley-council";
    let r = post_as(
        &app,
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
    let state = charter_web::AppState::new(
        store.clone(),
        charter_core::charter::Charter::from_toml(CHARTER).unwrap(),
    )
    .with_mailer(
        charter_web::mail::Mailer::smtp(&format!("smtp://127.0.0.1:{closed}"), "r@charter.example")
            .unwrap(),
    );
    let app = charter_web::router(state);
    let r = post_as(
        &app,
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
