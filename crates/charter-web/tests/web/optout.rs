//! Residents' opt-out: the form, managing choices, identifier kinds, and organisations' checks.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::harness::*;

#[tokio::test]
async fn residents_opt_out_see_their_choices_and_withdraw_one() {
    for app in TestApp::init().with_optout().on_each_backend().await {
        app.get("/opt-out")
            .await
            .has("What do you want to opt out of?")
            .has("name=\"nhs_number\"");
        // Nothing chosen, no number: both problems, and the page keeps what was typed.
        let empty = app
            .post_form("/opt-out", "for=me&email=someone%40example.org")
            .await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);
        empty
            .has("govuk-error-summary")
            .has("Choose at least one thing to opt out of")
            .has("Enter an NHS number")
            .has("value=\"someone@example.org\"");
        let wrong = app
            .post_form("/opt-out", "scope=ai-training&for=me&nhs_number=9434765918")
            .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        wrong.has("Enter a valid NHS number").lacks("9434765918");
        let bad_project = app
            .post_form(
                "/opt-out",
                "scope=ai-training&for=me&nhs_number=9434765919&project=LCR-9999",
            )
            .await;
        bad_project.has("There is no project with that id");

        let ok = app.post_form("/opt-out",
            "scope=ai-training&scope=research-planning&organisation=knowsley-council&for=parental-responsibility&nhs_number=943+476+5919&email=parent%40example.org",
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let location = ok
            .headers
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            location.starts_with("/opt-out/manage/") && location.ends_with("?new=1"),
            "{location}"
        );
        let page = app.get(&location).await;
        page.has("You have opted out")
            .has("OPT-")
            .has("AI being trained on the data")
            // The organisation by its name, not its short name.
            .has("Any use by Knowsley Council")
            .lacks("knowsley-council</");
        // The receipt went to the outbox, without the NHS number.
        let mail = app.mails();
        assert_eq!(mail.len(), 1);
        assert!(
            mail[0].contains("To: parent@example.org")
                && mail[0].contains("OPT-")
                && mail[0].contains("Any use by Knowsley Council"),
            "{}",
            mail[0]
        );
        assert!(!mail[0].contains("9434765919") && !mail[0].contains("943 476 5919"));

        let manage = location.trim_end_matches("?new=1").to_owned();
        let withdrawn = app
            .post_form(&manage, "action=withdraw&scope=ai-training")
            .await;
        assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
        let after = app.get(&manage).await;
        after
            .has("withdrew “AI being trained on the data”")
            .has("Your opt-out choices");
        // The withdraw form lists what is opted out of now: research and planning, the
        // organisation, and no longer AI training.
        let current = after
            .body
            .split("Opt out of more")
            .next()
            .unwrap()
            .to_owned();
        let withdrawable = |scope: &str| {
            current.contains(&format!(
                "name=\"scope\" type=\"checkbox\" value=\"{scope}\""
            ))
        };
        assert!(
            !withdrawable("ai-training"),
            "a withdrawn scope is no longer current"
        );
        assert!(withdrawable("research-planning"));
        assert!(withdrawable("organisation:knowsley-council"));
        let nothing = app.post_form(&manage, "action=withdraw").await;
        assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
        nothing.has("Choose at least one opt-out to withdraw");
        assert_eq!(
            app.get("/opt-out/manage/not-a-token").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("/opt-out/manage/{}", "0".repeat(48)))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Another site cannot post the form on a resident's behalf.
        let forged = Request::post("/opt-out")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from("scope=ai-training&for=me&nhs_number=9434765919"))
            .unwrap();
        assert_eq!(app.send(forged).await.status, StatusCode::FORBIDDEN);
        let forged = Request::post("/opt-out")
            .header("origin", "https://evil.example")
            .header("host", "register.example")
            .body(Body::from("scope=ai-training&for=me&nhs_number=9434765919"))
            .unwrap();
        assert_eq!(app.send(forged).await.status, StatusCode::FORBIDDEN);

        // Public figures hide small numbers.
        app.get("/opt-out/figures")
            .await
            .has("fewer than 10")
            .has("Sharing data for research and planning");
        app.get("/projects/LCR-0009")
            .await
            .has("href=\"/opt-out\"")
            .has("AI making or supporting decisions");
    }
}

#[tokio::test]
async fn site_admin_sets_up_an_identifier_kind_and_residents_opt_out_with_it() {
    use charter_core::accounts::Role;
    use charter_optout::{IdentifierKind, NhsNumber, Scope, Snapshot};
    for app in TestApp::init().with_optout().on_each_backend().await {
        let store = &app.store;
        let keys = app.keys.clone().unwrap();
        let admin = store
            .user_add(
                "admin@x.example",
                None,
                Role::SiteAdmin,
                None,
                &ts("2026-01-01T00:00:00Z"),
            )
            .await
            .unwrap();
        let (session, csrf) = app.session(admin).await;
        let page = "/manage/identifier-kinds";

        let list = app
            .send(with_cookie("GET", page, Some(&session), None))
            .await;
        assert_eq!(list.status, StatusCode::OK);
        list.has("Identifiers residents can opt out with")
            .has("nhs-number")
            .has("Built in");
        app.send(with_cookie("GET", "/manage", Some(&session), None))
            .await
            .has("href=\"/manage/identifier-kinds\"");

        // Nothing filled in: every problem, in the error summary.
        let empty = app
            .post_signed(page, &session, &format!("csrf={csrf}"))
            .await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);
        empty
            .has("<title>Error:")
            .has("govuk-error-summary")
            .has("href=\"#label\"")
            .has("Enter the name residents will see")
            .has("Enter a short name for files")
            .has("Choose which characters it can contain")
            .has("Enter the fewest characters it can have");
        // Wrong values: the page keeps what was typed.
        let wrong = app.post_signed(page,
            &session,
            &format!("csrf={csrf}&label=Knowsley+Council+tenancy+reference&name=Knowsley+Ref&charset=digits&min_len=10&max_len=6"),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        wrong
            .has("Use small letters, digits and hyphens")
            .has("The most characters must be at least the fewest")
            .has("value=\"Knowsley Council tenancy reference\"")
            .has("value=\"Knowsley Ref\"")
            .has("value=\"10\"");
        for (name, says) in [
            (
                "nhs-number",
                "There is already an identifier kind with the short name nhs-number",
            ),
            ("nhs", "too close to another kind"),
        ] {
            app.post_signed(
                page,
                &session,
                &format!("csrf={csrf}&label=x&name={name}&charset=digits&min_len=1&max_len=5"),
            )
            .await
            .has(says);
        }
        // Without the form token nothing happens.
        let forged = app
            .post_signed(
                page,
                &session,
                "label=x&name=forged&charset=digits&min_len=1&max_len=5",
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);

        let good = format!(
            "csrf={csrf}&label=Knowsley+Council+tenancy+reference&name=knowsley-tenancy-ref&hint=It+is+on+your+tenancy+agreement.&charset=digits&min_len=8&max_len=10"
        );
        let added = app.post_signed(page, &session, &good).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let location = added.headers.get("location").unwrap().to_str().unwrap();
        assert_eq!(
            location,
            "/manage/identifier-kinds?added=knowsley-tenancy-ref"
        );
        app.send(with_cookie("GET", location, Some(&session), None))
            .await
            .has("Knowsley Council tenancy reference is set up")
            .has("Offered");
        app.post_signed(page, &session, &good)
            .await
            .has("There is already an identifier kind with the short name knowsley-tenancy-ref");

        // Until someone uses it, it can change (never its short name).
        let edit = format!("{page}/knowsley-tenancy-ref");
        app.send(with_cookie("GET", &edit, Some(&session), None))
            .await
            .has("Change it")
            .has("value=\"8\"");
        let changed = app.post_signed(&edit,
            &session,
            &format!("csrf={csrf}&label=Knowsley+Council+tenancy+reference&hint=It+is+on+your+tenancy+agreement.&charset=digits&min_len=8&max_len=12&name=sneaky"),
        )
        .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
        let kinds = store.identifier_kinds().await.unwrap();
        assert_eq!(kinds.len(), 1);
        assert_eq!(
            (
                kinds[0].spec.name.as_str(),
                kinds[0].spec.tag_prefix.as_str(),
                kinds[0].spec.max_len
            ),
            ("knowsley-tenancy-ref", "knowsley-tenancy-ref", 12)
        );
        let bad_change = app
            .post_signed(
                &edit,
                &session,
                &format!("csrf={csrf}&label=&charset=digits&min_len=8&max_len=12"),
            )
            .await;
        assert_eq!(bad_change.status, StatusCode::BAD_REQUEST);
        bad_change.has("Enter the name residents will see");
        assert_eq!(
            app.send(with_cookie(
                "GET",
                &format!("{page}/no-such-kind"),
                Some(&session),
                None
            ))
            .await
            .status,
            StatusCode::NOT_FOUND
        );

        // Residents now give an NHS number or a tenancy reference: the box they fill in says which.
        app.get("/opt-out")
            .await
            .has("Identifier of the person opting out")
            .has("name=\"nhs_number\"")
            .has("Or: Knowsley Council tenancy reference")
            .has("name=\"identifier-knowsley-tenancy-ref\"")
            .has("It is on your tenancy agreement.");
        let field = "identifier-knowsley-tenancy-ref";
        for (value, says) in [
            (
                "12AB5678",
                "can only contain digits (spaces and hyphens are fine)",
            ),
            (
                "1234",
                "must be 8 to 12 characters long, not counting spaces and hyphens",
            ),
        ] {
            let r = app
                .post_form(
                    "/opt-out",
                    &format!("scope=ai-training&for=me&{field}={value}"),
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST);
            r.has(says).has(&format!("href=\"#{field}\"")).lacks(value);
        }
        app.post_form(
            "/opt-out",
            "scope=ai-training&for=me&nhs_number=&identifier-council-tax=123",
        )
        .await
        .has("Enter an NHS number, or one of the other identifiers");
        app.post_form(
            "/opt-out",
            &format!("scope=ai-training&for=me&nhs_number=401+023+2137&{field}=12345678"),
        )
        .await
        .has("Give one identifier at a time")
        .has(&format!("href=\"#{field}\""));
        // The NHS number is checked as before.
        app.post_form("/opt-out", "scope=ai-training&for=me&nhs_number=9434765918")
            .await
            .has("Enter a valid NHS number");
        let ok = app
            .post_form(
                "/opt-out",
                &format!("scope=ai-training&for=me&nhs_number=&{field}=943+476-5919"),
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let manage = ok
            .headers
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        app.get(&manage)
            .await
            .has("You opted out with: Knowsley Council tenancy reference")
            .lacks("9434765919");
        // Stored with its kind, tagged with that kind's prefix: the same digits as an NHS
        // number would give another tag.
        let records = store.optouts_after(0, 10).await.unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].kind, "knowsley-tenancy-ref");
        let register = keys.version(charter_optout::KeyVersion::FIRST);
        let known = charter_app::optout::known_kinds(store.as_ref())
            .await
            .unwrap();
        let local = known.kinds.get("knowsley-tenancy-ref").unwrap().clone();
        let as_local = local.normalise_str("9434765919").unwrap();
        let as_nhs = NhsNumber.normalise_str("9434765919").unwrap();
        assert_eq!(
            records[0].tag,
            register.tag_key().tag(local.as_ref(), &as_local).as_bytes()
        );
        assert_ne!(
            records[0].tag,
            register.tag_key().tag(&NhsNumber, &as_nhs).as_bytes()
        );

        // Now in use: it can no longer change.
        app.send(with_cookie("GET", &edit, Some(&session), None))
            .await
            .has("People have opted out with this identifier kind")
            .lacks("Save changes");
        let refused = app
            .post_signed(
                &edit,
                &session,
                &format!("csrf={csrf}&label=Other&charset=alphanumeric&min_len=1&max_len=20"),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        refused.has("can no longer change");
        assert_eq!(
            store.identifier_kinds().await.unwrap()[0].spec.label,
            "Knowsley Council tenancy reference"
        );

        // An organisation's snapshot carries the kind: a column of tenancy references matches,
        // the same digits in a column of NHS numbers do not.
        let org: charter_core::Slug = "knowsley-council".parse().unwrap();
        let check = |bytes: &[u8], kind: &str| {
            let snapshot = Snapshot::open(
                bytes,
                &register.public_key(),
                &org,
                time::OffsetDateTime::now_utc(),
            )
            .unwrap();
            let options = charter_optout::FilterOptions {
                threads: 1,
                kind: snapshot.kind(kind).unwrap(),
                ..Default::default()
            };
            let mut kept = Vec::new();
            let m = charter_optout::filter_with_options(
                &snapshot,
                &[Scope::AiTraining],
                "id",
                "id\n943 476 5919\n12345678\n".as_bytes(),
                &mut kept,
                std::io::sink(),
                &options,
                |_| {},
            )
            .unwrap();
            (m.rows_removed, m.rows_kept, m.rows_invalid)
        };
        let (snapshot, people) =
            charter_app::optout::build_snapshot(store.as_ref(), &keys, &org, 1)
                .await
                .unwrap();
        assert_eq!(people, 1);
        assert_eq!(check(&snapshot, "knowsley-tenancy-ref"), (1, 1, 0));
        assert_eq!(check(&snapshot, "nhs-number"), (0, 1, 1));

        // Retired: no longer offered, and its opt-outs still apply.
        let retired = app
            .post_signed(&format!("{edit}/retire"), &session, &format!("csrf={csrf}"))
            .await;
        assert_eq!(retired.status, StatusCode::SEE_OTHER);
        app.get("/opt-out")
            .await
            .lacks("identifier-knowsley-tenancy-ref");
        app.post_form(
            "/opt-out",
            &format!("scope=ai-training&for=me&{field}=12345678"),
        )
        .await
        .has("Enter an NHS number");
        let (snapshot, _) = charter_app::optout::build_snapshot(store.as_ref(), &keys, &org, 1)
            .await
            .unwrap();
        assert_eq!(check(&snapshot, "knowsley-tenancy-ref"), (1, 1, 0));
        app.send(with_cookie("GET", page, Some(&session), None))
            .await
            .has("Retired")
            .has("Offer again");
        let back = app
            .post_signed(
                &format!("{edit}/reinstate"),
                &session,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(back.status, StatusCode::SEE_OTHER);
        app.get("/opt-out")
            .await
            .has("identifier-knowsley-tenancy-ref");
        assert_eq!(
            app.post_signed(
                &format!("{page}/no-such-kind/retire"),
                &session,
                &format!("csrf={csrf}")
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );

        // The API check takes the column's kind too.
        let token = "chr_kinds_test_token";
        app.token(org.as_str(), token, "optout-check").await;
        let api = |query: &str| {
            Request::post(format!("/api/v1/optout/check?{query}"))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "text/csv")
                .body(Body::from("ref,name\n9434765919,Ada\n87654321,Bo\n"))
                .unwrap()
        };
        let r = app
            .send(api(
                "column=ref&kind=knowsley-tenancy-ref&scope=ai-training",
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["manifest"]["rows_removed"], 1);
        assert_eq!(
            r.json()["manifest"]["identifier_kind"],
            "knowsley-tenancy-ref"
        );
        assert_eq!(r.json()["kept_csv"], "ref,name\n87654321,Bo\n");
        let r = app.send(api("column=ref&scope=ai-training")).await;
        assert_eq!(
            r.json()["manifest"]["rows_removed"],
            0,
            "NHS numbers by default"
        );
        let r = app
            .send(api("column=ref&kind=council-tax&scope=ai-training"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("does not know the identifier kind");

        // Every change is in the audit log.
        let actions: Vec<String> = store
            .audit_log(10)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action.starts_with("identifier-kind"))
            .map(|e| format!("{} {}", e.action, e.subject))
            .collect();
        assert_eq!(
            actions,
            [
                "identifier-kind-reinstate knowsley-tenancy-ref",
                "identifier-kind-retire knowsley-tenancy-ref",
                "identifier-kind-change knowsley-tenancy-ref",
                "identifier-kind-add knowsley-tenancy-ref"
            ]
        );
    }
}

#[tokio::test]
async fn organisations_report_checks_made_on_their_own_machines() {
    use charter_optout::{Scope, Snapshot};
    for app in TestApp::init().with_optout().on_each_backend().await {
        let store = &app.store;
        let keys = app.keys.clone().unwrap();
        let org: charter_core::Slug = "knowsley-council".parse().unwrap();
        app.token(org.as_str(), "chr_checks", "optout-check").await;
        app.token(org.as_str(), "chr_drafts", "drafts").await;
        app.token("wirral-transport", "chr_wirral", "optout-check")
            .await;

        // A real manifest: the organisation's snapshot, filtered here as on its own machine.
        let (bytes, _) = charter_app::optout::build_snapshot(store.as_ref(), &keys, &org, 7)
            .await
            .unwrap();
        let snapshot = Snapshot::open(
            &bytes,
            &keys.version(charter_optout::KeyVersion::FIRST).public_key(),
            &org,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
        let manifest = charter_optout::filter(
            &snapshot,
            &[Scope::AiTraining],
            "nhs_number",
            "nhs_number\n9434765919\n12\n".as_bytes(),
            std::io::sink(),
            std::io::sink(),
            1,
            |_| {},
        )
        .unwrap();
        let json = serde_json::to_value(&manifest).unwrap();
        let report = |token: Option<&str>, body: String| {
            let mut r =
                Request::post("/api/v1/optout/checks").header("content-type", "application/json");
            if let Some(t) = token {
                r = r.header("authorization", format!("Bearer {t}"));
            }
            r.body(Body::from(body)).unwrap()
        };
        let changed = |field: &str, value: serde_json::Value| {
            let mut j = json.clone();
            j[field] = value;
            j.to_string()
        };

        let none = app.send(report(None, json.to_string())).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED);
        assert_eq!(none.content_type(), "application/problem+json");
        assert_eq!(
            app.send(report(Some("chr_nope"), json.to_string()))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let drafts_only = app.send(report(Some("chr_drafts"), json.to_string())).await;
        assert_eq!(drafts_only.status, StatusCode::FORBIDDEN);
        let theirs = app.send(report(Some("chr_wirral"), json.to_string())).await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN);
        theirs.has("This token belongs to wirral-transport");

        let not_json = app
            .send(report(
                Some("chr_checks"),
                "nhs_number\n9434765919\n".into(),
            ))
            .await;
        assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
        not_json
            .has("the manifest JSON that charter optout filter writes")
            .lacks("9434765919");
        let mut missing = json.clone();
        missing.as_object_mut().unwrap().remove("rows_removed");
        app.send(report(Some("chr_checks"), missing.to_string()))
            .await
            .has("missing field `rows_removed`");
        for (body, field) in [
            (changed("rows_in", 5.into()), "rows_in"),
            (
                changed("identifier_kind", "council-tax".into()),
                "identifier_kind",
            ),
            (
                changed("scopes", serde_json::json!(["everything"])),
                "scopes",
            ),
            (changed("scopes", serde_json::json!([])), "scopes"),
            (changed("key_version", 9.into()), "key_version"),
            (
                changed("snapshot_created", "2999-01-01T00:00:00Z".into()),
                "snapshot_created",
            ),
            (
                changed("snapshot_expires", "2000-01-01T00:00:00Z".into()),
                "snapshot_expires",
            ),
            (changed("input_blake3", "abc".into()), "input_blake3"),
        ] {
            let r = app.send(report(Some("chr_checks"), body)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
            assert_eq!(r.json()["errors"][0]["param"], field, "{}", r.body);
        }
        assert!(
            store.optout_figures().await.unwrap().checks.is_empty(),
            "nothing recorded yet"
        );

        let ok = app.send(report(Some("chr_checks"), json.to_string())).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert_eq!(ok.json()["recorded"], true);
        // A retry counts once.
        let again = app.send(report(Some("chr_checks"), json.to_string())).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["recorded"], false);
        again.has("already reported");
        // The public figures count it with the API's checks.
        let month = &charter_app::clock::now()[..7];
        let figures = store.optout_figures().await.unwrap();
        assert_eq!(figures.checks.len(), 1);
        assert_eq!(
            (
                figures.checks[0].organisation.as_str(),
                figures.checks[0].month.as_str(),
                figures.checks[0].checks
            ),
            ("knowsley-council", month, 1)
        );
        let api_check = Request::post("/api/v1/optout/check?column=nhs_number&scope=ai-training")
            .header("authorization", "Bearer chr_checks")
            .body(Body::from("nhs_number\n9434765919\n"))
            .unwrap();
        assert_eq!(app.send(api_check).await.status, StatusCode::OK);
        assert_eq!(store.optout_figures().await.unwrap().checks[0].checks, 2);
        // People read the organisation's name, not its short name.
        app.get("/opt-out/figures")
            .await
            .has(r#"<td class="govuk-table__cell">Knowsley Council</td>"#)
            .lacks(">knowsley-council<");
    }
}
