//! The publishing workflow through the real router: an editor drafts and submits, the charter body
//! returns and then approves, a change to a published entry is reviewed the same way, and the
//! history shows both versions. Runs on every backend.

use crate::harness::*;
use axum::http::StatusCode;
use charter_core::accounts::Role;

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
    for app in TestApp::init().on_each_backend().await {
        let store = &app.store;
        let editor = app
            .signed_in("editor", Role::OrgEditor, Some("knowsley-council"))
            .await;
        let moderator = app.signed_in("moderator", Role::Moderator, None).await;

        // Starting needs a name, the AI answer and the decision role.
        let r = app
            .post_as(
                &editor,
                "/manage/organisations/knowsley-council/drafts/new",
                &[("title", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("There is a problem")
            .has("href=\"#title\"")
            .has("Choose whether the project uses AI");
        let r = app
            .post_as(
                &editor,
                "/manage/organisations/knowsley-council/drafts/new",
                &[
                    ("title", "Library book recommendations"),
                    ("uses_ai", "yes"),
                    ("decision_role", "information-only"),
                ],
            )
            .await;
        let draft = r.location();
        assert!(draft.starts_with("/manage/drafts/"), "{draft}");
        let page = app.get_as(&editor, &draft).await;
        page.has("Library book recommendations")
            .has("Not started")
            .has("Draft");
        // Not yet complete: nothing can be submitted.
        page.lacks("Submit for review")
            .has("Choose at least one area");

        // A bad answer is refused with the answers kept; a good one is saved.
        let about = format!("{draft}/sections/about");
        let form = app.get_as(&editor, &about).await;
        let lock = lock_in(&form.body);
        let r = app
            .post_as(
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
        let r = app
            .post_as(
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
        assert_eq!(r.location(), draft);
        // The same form sent again, from the page as it was first read, is refused: no lost update.
        let r = app
            .post_as(
                &editor,
                &about,
                &[("lock", &lock), ("title", "Overwritten")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        r.has("Someone else saved this draft")
            .has("value=\"Overwritten\"");
        // Nothing of the refused save reached the draft: the first save's answers stand.
        app.get_as(&editor, &draft)
            .await
            .has("Library book recommendations")
            .lacks("Overwritten");
        let id: i64 = draft.rsplit('/').next().unwrap().parse().unwrap();
        let saved = store.draft(id).await.unwrap().unwrap();
        assert_eq!(saved.entry.title.as_str(), "Library book recommendations");
        assert_eq!(saved.entry.status, charter_core::picklists::Status::Pilot);

        let summary = format!("{draft}/sections/summary");
        let lock = lock_in(&app.get_as(&editor, &summary).await.body);
        let r = app.post_as(&editor,
            &summary,
            &[("lock", &lock), ("then", "check"), ("summary", "We suggest books you might like. We use the books you borrowed before. Staff check the lists. You can ask any library to stop them."), ("contact_email", "libraries@knowsley.example")],
        )
        .await;
        let back = r.location();
        assert_eq!(back, format!("{summary}?saved"));
        app.get_as(&editor, &back)
            .await
            .has("Reading age")
            .has("Your answers are saved");

        let resp = format!("{draft}/sections/responsibility");
        let lock = lock_in(&app.get_as(&editor, &resp).await.body);
        let mut answers = vec![("lock", lock.as_str())];
        answers.extend_from_slice(&DUTY_HOLDERS[..4]);
        app.post_as(&editor, &resp, &answers).await;
        let page = app.get_as(&editor, &draft).await;
        page.has("who trains front-line staff")
            .lacks("Submit for review");
        let lock = lock_in(&app.get_as(&editor, &resp).await.body);
        let mut answers = vec![("lock", lock.as_str())];
        answers.extend_from_slice(&DUTY_HOLDERS);
        app.post_as(&editor, &resp, &answers).await;

        // Preview shows the public page, marked as a draft, and the entry is not public yet.
        let page = app.get_as(&editor, &draft).await;
        page.has("Submit for review");
        let id = page.body.split("new entry ").nth(1).unwrap()[..8].to_owned();
        app.get_as(&editor, &format!("{draft}/preview"))
            .await
            .has("This is a draft")
            .has("We suggest books");
        assert_eq!(
            app.get(&format!("/projects/{id}")).await.status,
            StatusCode::NOT_FOUND
        );

        let lock = lock_in(&page.body);
        let r = app
            .post_as(&editor, &format!("{draft}/submit"), &[("lock", &lock)])
            .await;
        assert_eq!(r.location(), draft);
        app.get_as(&editor, &draft)
            .await
            .has("Waiting for review")
            .lacks("Submit for review");

        // The editor cannot review; the moderator sees it in the queue, side by side.
        assert_eq!(
            app.get_as(&editor, &format!("{draft}/review")).await.status,
            StatusCode::FORBIDDEN
        );
        app.get_as(&moderator, "/manage/review")
            .await
            .has("Library book recommendations");
        let review = app.get_as(&moderator, &format!("{draft}/review")).await;
        review
            .has("Approve and publish")
            .has("We suggest books")
            .has("Data Ethics Lead");
        let lock = lock_in(&review.body);
        let r = app
            .post_as(
                &moderator,
                &format!("{draft}/return"),
                &[("lock", &lock), ("comment", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("href=\"#comment\"");
        let r = app
            .post_as(
                &moderator,
                &format!("{draft}/return"),
                &[
                    ("lock", &lock),
                    ("comment", "Say how people opt out of suggestions."),
                ],
            )
            .await;
        assert_eq!(r.location(), "/manage/review");
        app.get_as(&editor, &draft)
            .await
            .has("Returned with comments")
            .has("Say how people opt out of suggestions.");

        let summary_lock = lock_in(&app.get_as(&editor, &summary).await.body);
        app.post_as(&editor,
            &summary,
            &[("lock", &summary_lock), ("summary", "We suggest books you might like. We use the books you borrowed before. Staff check the lists. Tell any library to stop the suggestions."), ("contact_email", "libraries@knowsley.example")],
        )
        .await;
        let lock = lock_in(&app.get_as(&editor, &draft).await.body);
        app.post_as(&editor, &format!("{draft}/submit"), &[("lock", &lock)])
            .await;

        let review = app.get_as(&moderator, &format!("{draft}/review")).await;
        let lock = lock_in(&review.body);
        let r = app
            .post_as(&moderator, &format!("{draft}/approve"), &[("lock", &lock)])
            .await;
        assert_eq!(r.location(), format!("/projects/{id}"));
        app.get(&format!("/projects/{id}"))
            .await
            .has("Tell any library to stop");

        // A change to the published entry: a new draft from version 1, with a note for history.
        let r = app
            .post_as(&editor, &format!("/manage/projects/{id}/edit"), &[])
            .await;
        let change = r.location();
        let summary = format!("{change}/sections/summary");
        let lock = lock_in(&app.get_as(&editor, &summary).await.body);
        app.post_as(&editor,
            &summary,
            &[("lock", &lock), ("summary", "We suggest books you might like, from what you borrowed before. Staff check the lists. Tell any library to stop."), ("contact_email", "libraries@knowsley.example")],
        )
        .await;
        let lock = lock_in(&app.get_as(&editor, &change).await.body);
        let r = app
            .post_as(&editor, &format!("{change}/submit"), &[("lock", &lock)])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("Say in a few words what changed");
        app.post_as(
            &editor,
            &format!("{change}/submit"),
            &[("lock", &lock), ("note", "Shorter summary")],
        )
        .await;
        let review = app.get_as(&moderator, &format!("{change}/review")).await;
        review
            .has("Published (version 1)")
            .has("<del>We suggest books you might like. We use");
        let lock = lock_in(&review.body);
        app.post_as(&moderator, &format!("{change}/approve"), &[("lock", &lock)])
            .await;

        let history = app.get(&format!("/projects/{id}/history")).await;
        history.has("Shorter summary");
        let log = app.get("/api/v1/log").await.json();
        let links = log["links"].as_array().unwrap();
        let last = &links[links.len() - 1];
        assert_eq!(last["project"], serde_json::json!(id));
        assert_eq!(last["version"], 2);
        assert_eq!(log["head"], last["hash"]);
    }
}

#[tokio::test]
async fn nobody_approves_their_own_change_even_in_a_self_publishing_organisation() {
    for app in TestApp::init().on_each_backend().await {
        let store = &app.store;
        let editor = app
            .signed_in("writer", Role::OrgEditor, Some("knowsley-council"))
            .await;
        let admin = app
            .signed_in("boss", Role::OrgAdmin, Some("knowsley-council"))
            .await;
        let moderator = app.signed_in("mod", Role::Moderator, None).await;
        let r = app
            .post_as(&editor, "/manage/projects/LCR-0009/edit", &[])
            .await;
        let draft = r.location();
        let lock = lock_in(&app.get_as(&editor, &draft).await.body);
        app.post_as(
            &editor,
            &format!("{draft}/submit"),
            &[("lock", &lock), ("note", "Checked, no change")],
        )
        .await;

        // Before the charter body allows it, the organisation's admin cannot review.
        assert_eq!(
            app.get_as(&admin, &format!("{draft}/review")).await.status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .post_as(
                &editor,
                "/manage/organisations/knowsley-council/self-publish",
                &[("self_publish", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        app.post_as(
            &moderator,
            "/manage/organisations/knowsley-council/self-publish",
            &[("self_publish", "yes")],
        )
        .await;

        // The author may not approve; a second person in the organisation may.
        let own = app.get_as(&editor, &format!("{draft}/review")).await;
        own.has("someone else must approve it")
            .lacks("Approve and publish");
        let lock = lock_in(&own.body);
        let r = app
            .post_as(&editor, &format!("{draft}/approve"), &[("lock", &lock)])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post_as(&admin, &format!("{draft}/approve"), &[("lock", &lock)])
            .await;
        assert_eq!(r.location(), "/projects/LCR-0009");
        // Approval confirms the entry as of today: a new version with the editor's note.
        let versions = store.versions("LCR-0009".parse().unwrap()).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[1].note, "Checked, no change");
        // The draft is closed; a stale approval is refused.
        let r = app
            .post_as(&admin, &format!("{draft}/approve"), &[("lock", &lock)])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn organisations_write_and_submit_drafts_through_the_api() {
    for app in TestApp::init().on_each_backend().await {
        let store = &app.store;
        app.token("knowsley-council", "chr_drafts", "drafts").await;
        app.token("knowsley-council", "chr_optout", "optout-check")
            .await;
        app.token("wirral-transport", "chr_wirral", "drafts optout-check")
            .await;
        let start = r#"{"title": "Bin collection routes", "status": "planned", "uses_ai": true,
            "ai_kind": "machine-learning", "decision_role": "information-only",
            "areas": ["knowsley"], "topics": ["environment"]}"#;

        let r = app.api("POST", "/api/v1/drafts", None, None, start).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = app
            .api("POST", "/api/v1/drafts", Some("chr_optout"), None, start)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .api("POST", "/api/v1/drafts", Some("chr_drafts"), None, "[1, 2]")
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = app
            .api(
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

        let r = app
            .api("POST", "/api/v1/drafts", Some("chr_drafts"), None, start)
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
        let r = app.api("GET", &uri, Some("chr_wirral"), None, "").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Submitting an incomplete entry lists what blocks it.
        let submit = format!("{uri}/submit");
        let r = app
            .api("POST", &submit, Some("chr_drafts"), Some(&etag), "")
            .await;
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
        let r = app.api("PUT", &uri, Some("chr_drafts"), None, &body).await;
        assert_eq!(r.status.as_u16(), 428);
        let r = app
            .api("PUT", &uri, Some("chr_drafts"), Some("\"999\""), &body)
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app
            .api("PUT", &uri, Some("chr_drafts"), Some(&etag), &body)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let new_etag = r.headers["etag"].to_str().unwrap().to_owned();
        assert_ne!(new_etag, etag);
        assert_eq!(r.json()["entry"]["summary"], whole["summary"]);
        // The old ETag no longer works: nobody's change is silently overwritten.
        let r = app
            .api("PUT", &uri, Some("chr_drafts"), Some(&etag), &body)
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        let r = app
            .api("POST", &submit, Some("chr_drafts"), Some(&new_etag), "")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["state"], "submitted");
        let r = app
            .api("GET", "/api/v1/drafts", Some("chr_drafts"), None, "")
            .await;
        assert_eq!(r.json().as_array().unwrap().len(), 1);
        // Submitted drafts wait for review: the API cannot change them.
        let etag = r.json()[0]["lock"].to_string();
        let r = app
            .api("PUT", &uri, Some("chr_drafts"), Some(&etag), &body)
            .await;
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
    for app in TestApp::init().on_each_backend().await {
        let store = &app.store;
        let admin = app
            .signed_in("admin-with-token", Role::OrgAdmin, Some("knowsley-council"))
            .await;
        let colleague = app
            .signed_in("colleague", Role::OrgEditor, Some("knowsley-council"))
            .await;
        let moderator = app.signed_in("mod", Role::Moderator, None).await;
        app.post_as(
            &moderator,
            "/manage/organisations/knowsley-council/self-publish",
            &[("self_publish", "yes")],
        )
        .await;
        // The admin makes a token on the web; it is shown once.
        let r = app
            .post_as(
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
        let r = app
            .api(
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
        let r = app
            .api(
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
        let own = app.get_as(&admin, &format!("{draft}/review")).await;
        own.has("someone else must approve it")
            .lacks("Approve and publish");
        let lock = lock_in(&own.body);
        let r = app
            .post_as(&admin, &format!("{draft}/approve"), &[("lock", &lock)])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post_as(&colleague, &format!("{draft}/approve"), &[("lock", &lock)])
            .await;
        assert!(r.location().starts_with("/projects/"), "{}", r.body);
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
    for app in TestApp::init().on_each_backend().await {
        let store = &app.store;
        let editor = app
            .signed_in("importer", Role::OrgEditor, Some("knowsley-council"))
            .await;
        let page = "/manage/organisations/knowsley-council/import";
        app.get_as(&editor, page)
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
        let r = app.send(upload(csv, "wrong")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.send(upload(csv, &editor.csrf)).await;
        assert_eq!(r.status, StatusCode::OK);
        r.has("The file has 2 problems")
            .has("Column “Ref”: Choose the field")
            .has("Row 3, column “status”")
            .lacks("as drafts</button>");
        // Ignore the reference column and fix the status: still refused until the file is right.
        let check = format!("{page}/check");
        let r = app
            .post_as(
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
        let r = app
            .post_as(
                &editor,
                &check,
                &[("csv", &fixed), ("map.5", "ignore"), ("action", "check")],
            )
            .await;
        r.has("2 entries are ready")
            .has("Import 2 entries as drafts");
        let r = app
            .post_as(
                &editor,
                &check,
                &[("csv", &fixed), ("map.5", "ignore"), ("action", "import")],
            )
            .await;
        let to = r.location();
        assert_eq!(to, "/manage/organisations/knowsley-council?imported=2");
        app.get_as(&editor, &to)
            .await
            .has("Imported 2 entries as drafts")
            .has("Street lights")
            .has("Bus times");
        // Nobody outside the organisation may import for it.
        let other = app
            .signed_in("outsider", Role::OrgEditor, Some("wirral-transport"))
            .await;
        assert_eq!(app.get_as(&other, page).await.status, StatusCode::FORBIDDEN);
    }
}

/// A submission through the API and one on the site go through the same use case, so they leave
/// the same audit entry: the same action, the person's own name, the draft and entry it was
/// about, and for the API, the token it came through.
#[tokio::test]
async fn a_submission_through_the_api_is_audited_as_one_on_the_site_is() {
    for app in TestApp::init().on_each_backend().await {
        let admin = app
            .signed_in("submitter", Role::OrgAdmin, Some("knowsley-council"))
            .await;
        let r = app
            .post_as(
                &admin,
                "/manage/organisations/knowsley-council/tokens",
                &[("label", "Case system"), ("scope", "drafts")],
            )
            .await;
        let at = r.body.find("chr_").expect("the new token is shown");
        let token: String = r.body[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let mut drafts = Vec::new();
        for title in ["Street lighting faults", "Pothole reports"] {
            let mut whole = serde_json::to_value(charter_store::fixtures::complete_project(
                1,
                "knowsley-council",
            ))
            .unwrap();
            whole["title"] = title.into();
            let r = app
                .api(
                    "POST",
                    "/api/v1/drafts",
                    Some(&token),
                    None,
                    &whole.to_string(),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            let draft = r.json();
            let etag = r.headers["etag"].to_str().unwrap().to_owned();
            drafts.push((
                draft["id"].as_i64().unwrap(),
                draft["entry"]["id"].as_str().unwrap().to_owned(),
                etag,
            ));
        }

        // One on the site, one through the API.
        let (web_id, web_entry, _) = &drafts[0];
        let page = app
            .get_as(&admin, &format!("/manage/drafts/{web_id}"))
            .await;
        let lock = lock_in(&page.body);
        let r = app
            .post_as(
                &admin,
                &format!("/manage/drafts/{web_id}/submit"),
                &[("lock", &lock)],
            )
            .await;
        assert_eq!(r.location(), format!("/manage/drafts/{web_id}"));
        let (api_id, api_entry, etag) = &drafts[1];
        let r = app
            .api(
                "POST",
                &format!("/api/v1/drafts/{api_id}/submit"),
                Some(&token),
                Some(etag),
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let log = app.store.audit_log(50).await.unwrap();
        let submitted: Vec<_> = log.iter().filter(|e| e.action == "draft-submit").collect();
        assert_eq!(submitted.len(), 2, "{log:?}");
        let web = submitted
            .iter()
            .find(|e| e.subject.starts_with(&format!("draft {web_id} ")))
            .expect("the site's submission is audited");
        let through_api = submitted
            .iter()
            .find(|e| e.subject.starts_with(&format!("draft {api_id} ")))
            .expect("the API's submission is audited");
        assert_eq!(web.subject, format!("draft {web_id} of {web_entry}"));
        let through = through_api
            .subject
            .strip_prefix(&format!(
                "draft {api_id} of {api_entry}, through API token "
            ))
            .unwrap_or_else(|| panic!("{through_api:?}"));
        assert!(through.ends_with("(Case system)"), "{through}");
        for e in [web, through_api] {
            assert_eq!(e.actor, "submitter@x.example");
            assert_eq!(e.from_address, web.from_address);
        }
    }
}
