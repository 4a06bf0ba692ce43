//! The site administrator's organisation pages: list, add, change, retire and reinstate; who
//! may use them; and how a retired organisation shows on the public pages.

use axum::http::StatusCode;
use charter_core::accounts::Role;

use crate::harness::TestApp;

const HMRC: &[(&str, &str)] = &[
    ("name", "HM Revenue and Customs"),
    ("slug", "hmrc"),
    ("kind", "central-government"),
    ("boroughs", "liverpool"),
    ("boroughs", "sefton"),
    ("signed_on", "2026-01-05"),
    ("contact_email", "ai@hmrc.example"),
    ("dpo_email", "dpo@hmrc.example"),
    ("website", "https://www.gov.uk/hmrc"),
];

#[tokio::test]
async fn only_site_administrators_reach_the_organisation_pages() {
    for app in TestApp::init().on_each_backend().await {
        let pages = [
            "/manage/organisations",
            "/manage/organisations/new",
            "/manage/organisations/knowsley-council/details",
            "/manage/organisations/knowsley-council/retire",
        ];
        // Not signed in: sent to sign in.
        for page in pages {
            let r = app.get(page).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{page}");
            assert_eq!(r.location(), "/sign-in");
        }
        let moderator = app.signed_in("m", Role::Moderator, None).await;
        let org_admin = app
            .signed_in("a", Role::OrgAdmin, Some("knowsley-council"))
            .await;
        for who in [&moderator, &org_admin] {
            for page in pages {
                let r = app.get_as(who, page).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{page}");
                r.has("You cannot do this");
            }
            let posted = app.post_as(who, "/manage/organisations/new", HMRC).await;
            assert_eq!(posted.status, StatusCode::FORBIDDEN);
            let retire = app
                .post_as(who, "/manage/organisations/knowsley-council/retire", &[])
                .await;
            assert_eq!(retire.status, StatusCode::FORBIDDEN);
            app.get_as(who, "/manage")
                .await
                .lacks("href=\"/manage/organisations\"");
        }
        assert!(
            app.store
                .organisation_record(&"hmrc".parse().unwrap())
                .await
                .unwrap()
                .is_none()
        );
        // The organisation's own tools page is where it was.
        app.get_as(&org_admin, "/manage/organisations/knowsley-council")
            .await
            .has("Knowsley Council");
        let site = app.signed_in("s", Role::SiteAdmin, None).await;
        app.get_as(&site, "/manage")
            .await
            .has("href=\"/manage/organisations\"");
        app.get_as(&site, "/manage/organisations")
            .await
            .has("Who signed the charter")
            .has("href=\"/manage/organisations/new\"")
            .has("href=\"/manage/organisations/wirral-transport/details\"");
        let unknown = app
            .get_as(&site, "/manage/organisations/knowsly-council/details")
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn adding_keeps_what_was_typed_beside_each_problem() {
    for app in TestApp::init().on_each_backend().await {
        let site = app.signed_in("s", Role::SiteAdmin, None).await;
        app.get_as(&site, "/manage/organisations/new")
            .await
            .has("Add an organisation")
            .has("Central government department or agency")
            .has("Housing association");
        let bad = app
            .post_as(
                &site,
                "/manage/organisations/new",
                &[
                    ("name", "Knowsley council"),
                    ("slug", "wirral-transport"),
                    ("kind", "council"),
                    ("signed_on", "2999-01-01"),
                    ("contact_email", "write to us"),
                    ("dpo_email", "dpo@k.example"),
                    ("website", "knowsley.example"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        bad.has("<title>Error:")
            .has("govuk-error-summary")
            .has("href=\"#boroughs\"")
            .has("Choose at least one borough it works in")
            .has("href=\"#signed_on\"")
            .has("The date it signed must be today or earlier")
            .has("“write to us” is not an email address")
            .has("“knowsley.example” is not a web address")
            // What was typed is kept.
            .has("value=\"write to us\"")
            .has("value=\"2999-01-01\"")
            .has("value=\"council\" checked");
        // Taken names: the short name first, then the name (any capitals).
        let mut same_slug = HMRC.to_vec();
        same_slug[1] = ("slug", "wirral-transport");
        let taken = app
            .post_as(&site, "/manage/organisations/new", &same_slug)
            .await;
        assert_eq!(taken.status, StatusCode::BAD_REQUEST);
        taken
            .has("href=\"#slug\"")
            .has("The short name “wirral-transport” is taken by Wirral");
        let mut same_name = HMRC.to_vec();
        same_name[0] = ("name", "wirral TRANSPORT");
        app.post_as(&site, "/manage/organisations/new", &same_name)
            .await
            .has("href=\"#name\"")
            .has("is already on the register with this name");

        let added = app.post_as(&site, "/manage/organisations/new", HMRC).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        assert_eq!(added.location(), "/manage/organisations?added=hmrc");
        app.get_as(&site, &added.location())
            .await
            .has("HM Revenue and Customs is added");
        app.get("/organisations/hmrc")
            .await
            .has("HM Revenue and Customs")
            .has("Central government department or agency");
        let log = app.store.audit_log(10).await.unwrap();
        assert_eq!(
            (log[0].actor.as_str(), log[0].action.as_str()),
            ("s@x.example", "organisation-add")
        );
    }
}

#[tokio::test]
async fn changing_details_keeps_the_short_name() {
    for app in TestApp::init().on_each_backend().await {
        let site = app.signed_in("s", Role::SiteAdmin, None).await;
        let page = "/manage/organisations/wirral-transport/details";
        app.get_as(&site, page)
            .await
            .has("Change the details of Wirral Transport")
            .has("value=\"Wirral Transport\"")
            .has("value=\"transport\" checked")
            .has("value=\"wirral\" checked");
        let mut form = HMRC.to_vec();
        form.retain(|(k, _)| *k != "slug");
        form[0] = ("name", "Merseyrail Wirral");
        form[1] = ("kind", "transport");
        let saved = app.post_as(&site, page, &form).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(
            saved.location(),
            "/manage/organisations?changed=wirral-transport"
        );
        app.get("/organisations/wirral-transport")
            .await
            .has("Merseyrail Wirral");
        let mut bad = form.clone();
        bad.retain(|(k, _)| *k != "signed_on");
        bad.push(("signed_on", "31/13/2026"));
        app.post_as(&site, page, &bad)
            .await
            .has("“31/13/2026” is not a date")
            .has("value=\"31/13/2026\"");
        let moved = [&form[..], &[("slug", "merseyrail")]].concat();
        let refused = app.post_as(&site, page, &moved).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        refused.has("The short name cannot change");
        // Found by its new name in search.
        app.get("/projects?q=merseyrail")
            .await
            .has("wirral-transport");
    }
}

#[tokio::test]
async fn retiring_asks_about_drafts_in_review_and_marks_the_public_pages() {
    for app in TestApp::init().on_each_backend().await {
        let site = app.signed_in("s", Role::SiteAdmin, None).await;
        // A draft waiting for review.
        let (_, projects) = charter_store::fixtures::small_register();
        let draft = app
            .store
            .draft_create(&charter_store::drafts::NewDraft {
                entry: projects[1].clone(),
                existing: Some(projects[1].id),
                base_version: Some(1),
                actor: "e@x.example".into(),
                at: crate::harness::ts("2026-12-01T10:00:00Z"),
            })
            .await
            .unwrap();
        assert_eq!(draft.organisation.as_str(), "knowsley-council");
        let submitted = charter_store::drafts::DraftChange {
            lock: draft.lock,
            from: &[charter_core::workflow::DraftState::Editing],
            to: charter_core::workflow::DraftState::Submitted,
            entry: None,
            event: charter_store::drafts::DraftEvent {
                at: crate::harness::ts("2026-12-01T10:01:00Z"),
                actor: "e@x.example".into(),
                kind: charter_core::workflow::EventKind::Submitted,
                comment: None,
            },
        };
        app.store
            .draft_change(draft.id, &submitted)
            .await
            .unwrap()
            .unwrap();

        let page = "/manage/organisations/knowsley-council/retire";
        app.get_as(&site, page)
            .await
            .has("Retire Knowsley Council")
            .has("What happens to its drafts waiting for review?")
            .has(projects[1].title.as_str());
        let asked = app.post_as(&site, page, &[]).await;
        assert_eq!(asked.status, StatusCode::BAD_REQUEST);
        asked
            .has("govuk-error-summary")
            .has("href=\"#drafts\"")
            .has("1 draft waiting for review");
        let done = app.post_as(&site, page, &[("drafts", "return")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        app.get_as(&site, &done.location())
            .await
            .has("Knowsley Council is retired")
            .has("Left</strong>");
        let state = app.store.draft(draft.id).await.unwrap().unwrap().state;
        assert_eq!(state, charter_core::workflow::DraftState::Returned);

        // Public: its entries and history stay, marked.
        app.get("/organisations")
            .await
            .has("2 signatory organisations and 1 former signatory")
            .has("Knowsley Council</a> <strong class=\"govuk-tag govuk-tag--grey\">Former signatory</strong>");
        app.get("/organisations/knowsley-council")
            .await
            .has("Knowsley Council is a former signatory");
        let entry = format!("/projects/{}", projects[0].id);
        let shown = app.get(&entry).await;
        assert_eq!(shown.status, StatusCode::OK, "{entry}");
        shown.has("This entry is from a former signatory");
        let history = app.get(&format!("{entry}/history")).await;
        assert_eq!(history.status, StatusCode::OK);
        // Another organisation's entry is not marked.
        app.get("/organisations/wirral-transport")
            .await
            .lacks("former signatory");

        // A former signatory changes the entries it has but starts no new ones.
        app.get_as(&site, "/manage/organisations/knowsley-council")
            .await
            .has("Knowsley Council left the charter on")
            .lacks("Start a new entry");
        let refused = app
            .post_as(
                &site,
                "/manage/organisations/knowsley-council/drafts/new",
                &[
                    ("title", "Bin collection routes"),
                    ("uses_ai", "no"),
                    ("decision_role", "information-only"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        refused.has("so it cannot add new entries");

        // Made a signatory again.
        let back = app
            .post_as(
                &site,
                "/manage/organisations/knowsley-council/reinstate",
                &[],
            )
            .await;
        assert_eq!(
            back.location(),
            "/manage/organisations?reinstated=knowsley-council"
        );
        app.get("/organisations/knowsley-council")
            .await
            .lacks("former signatory");
        let actions: Vec<String> = app
            .store
            .audit_log(10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions[..3],
            [
                "organisation-reinstate",
                "organisation-retire",
                "draft-return"
            ]
        );
    }
}

/// A site administrator's token `value`, owned by a new person with `role`.
async fn site_token(app: &TestApp, value: &str, role: Role) {
    let owner = app.user(&format!("{value}@x.example"), role, None).await;
    app.store
        .site_token_create(
            owner,
            &charter_app::secrets::token_hash(value),
            "Signatories sync",
            "organisations",
            &crate::harness::ts("2026-01-01T00:00:00Z"),
        )
        .await
        .unwrap();
}

const HMRC_JSON: &str = r#"{"name": "HM Revenue and Customs", "slug": "hmrc", "kind": "Central government department or agency",
    "boroughs": ["liverpool"], "signed_on": "2026-01-05", "contact_email": "ai@hmrc.example", "dpo_email": "dpo@hmrc.example"}"#;

#[tokio::test]
async fn site_administrators_tokens_write_organisations_through_the_api() {
    for app in TestApp::init().on_each_backend().await {
        let url = "/api/v1/organisations";
        assert_eq!(
            app.api("POST", url, None, None, HMRC_JSON).await.status,
            StatusCode::UNAUTHORIZED
        );
        app.token("knowsley-council", "chr_org", "drafts optout-check")
            .await;
        let org_token = app.api("POST", url, Some("chr_org"), None, HMRC_JSON).await;
        assert_eq!(org_token.status, StatusCode::FORBIDDEN);
        assert!(
            org_token.json()["detail"]
                .as_str()
                .unwrap()
                .contains("--scope organisations")
        );
        site_token(&app, "chr_moderator", Role::Moderator).await;
        let not_admin = app
            .api("POST", url, Some("chr_moderator"), None, HMRC_JSON)
            .await;
        assert_eq!(not_admin.status, StatusCode::FORBIDDEN);
        site_token(&app, "chr_site", Role::SiteAdmin).await;
        // A site token cannot write drafts.
        let drafts = app
            .api("POST", "/api/v1/drafts", Some("chr_site"), None, "{}")
            .await;
        assert_eq!(drafts.status, StatusCode::UNAUTHORIZED);

        let bad = app
            .api(
                "POST",
                url,
                Some("chr_site"),
                None,
                r#"{"name": "Later", "slug": "Later Trust", "signed_on": "2999-01-01"}"#,
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(bad.content_type(), "application/problem+json");
        let params: Vec<String> = bad.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["param"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            params,
            [
                "slug",
                "kind",
                "boroughs",
                "signed_on",
                "contact_email",
                "dpo_email"
            ]
        );
        let not_json = app.api("POST", url, Some("chr_site"), None, "[1]").await;
        assert_eq!(not_json.status, StatusCode::BAD_REQUEST);

        let made = app
            .api("POST", url, Some("chr_site"), None, HMRC_JSON)
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        assert_eq!(made.headers["location"], "/api/v1/organisations/hmrc");
        assert_eq!(made.json()["kind"], "central-government");
        let again = app
            .api("POST", url, Some("chr_site"), None, HMRC_JSON)
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        // Both the name and the short name are taken, and both are said.
        assert_eq!(again.json()["errors"][0]["param"], "name");
        assert_eq!(again.json()["errors"][1]["param"], "slug");

        let changed = HMRC_JSON.replace("HM Revenue and Customs", "HMRC");
        let put = app
            .api(
                "PUT",
                "/api/v1/organisations/hmrc",
                Some("chr_site"),
                None,
                &changed,
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        assert_eq!(put.json()["name"], "HMRC");
        let typo = app
            .api(
                "PUT",
                "/api/v1/organisations/hmcr",
                Some("chr_site"),
                None,
                &changed,
            )
            .await;
        assert_eq!(typo.status, StatusCode::NOT_FOUND);
        let detail = typo.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.starts_with("No organisation"), "{detail}");
        assert!(detail.contains("Did you mean hmrc?"), "{detail}");

        let log = app.store.audit_log(10).await.unwrap();
        assert_eq!(log[0].action, "organisation-change");
        assert_eq!(log[0].actor, "chr_site@x.example");
        assert!(
            log[0].subject.contains("through API token"),
            "{}",
            log[0].subject
        );
    }
}

#[tokio::test]
async fn an_unknown_short_name_in_the_api_names_the_closest() {
    for app in TestApp::init().on_each_backend().await {
        let r = app.get("/api/v1/organisations/knowsly-council").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.content_type(), "application/problem+json");
        let detail = r.json()["detail"].as_str().unwrap().to_owned();
        assert!(
            detail.contains("Did you mean knowsley-council?"),
            "{detail}"
        );
        assert!(detail.contains("/manage/organisations/new"), "{detail}");
    }
}
