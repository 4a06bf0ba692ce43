//! The import page: a real list in another register's shape imports after choosing columns and
//! giving values for every row; files that cannot be read get one message and write nothing.

use axum::http::StatusCode;
use charter_core::accounts::Role;

use crate::harness::{Person, Reply, TestApp};

/// The UK Algorithmic Transparency Recording Standard's shape: publishing body, tool name,
/// description, web address, date published (made-up rows).
const ATRS: &str = include_str!("../../../../tests/fixtures/atrs-shaped.csv");

const PAGE: &str = "/manage/organisations/knowsley-council/import";

async fn upload(app: &TestApp, who: &Person, name: &str, bytes: &[u8]) -> Reply {
    let boundary = "XyZ";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n",
        who.csrf
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = axum::http::Request::post(PAGE)
        .header("cookie", format!("charter_session={}", who.cookie))
        .header("sec-fetch-site", "same-origin")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(request).await
}

fn position(r: &Reply, text: &str) -> usize {
    r.body
        .find(text)
        .unwrap_or_else(|| panic!("expected {text:?} in:\n{}", r.body))
}

#[tokio::test]
async fn an_atrs_list_imports_after_choosing_columns_and_values_for_every_row() {
    for app in TestApp::init().on_each_backend().await {
        let editor = app
            .signed_in("importer", Role::OrgEditor, Some("knowsley-council"))
            .await;
        let r = upload(&app, &editor, "atrs.csv", ATRS.as_bytes()).await;
        assert_eq!(r.status, StatusCode::OK);
        // The column choices come first, then the problems; each missing field is said once.
        assert!(position(&r, "What each column holds") < position(&r, "The file has 9 problems"));
        r.has("Column “Tool name”: Choose the field this column holds")
            .has("No row has “Project name”")
            .has("No row has “Status”: choose the column that holds it, or give one value for all rows")
            .has(r#"id="set.status""#)
            .has(r#"id="set.uses_ai""#)
            .has(r#"id="set.decision_role""#)
            .lacks("as drafts</button>");
        assert_eq!(r.body.matches("No row has “Status”").count(), 1);
        // A column with no field chosen or guessed reads "Choose a field", not "Ignore this column".
        assert_eq!(
            r.body
                .matches(r#"<option value="" selected>Choose a field</option>"#)
                .count(),
            5
        );
        // The five duty holders' fields can be told apart.
        for holder in [
            "Senior person accountable: Job title or role",
            "Who addresses bias in data and algorithms: Job title or role",
            "Who corrects and updates the algorithms: Job title or role",
            "Who monitors the algorithms in use: Job title or role",
            "Who trains front-line staff: Job title or role",
        ] {
            r.has(holder);
        }
        let check = format!("{PAGE}/check");
        let columns = [
            ("csv", ATRS),
            ("map.0", "ignore"),
            ("map.1", "title"),
            ("map.2", "summary"),
            ("map.3", "website"),
            ("map.4", "ignore"),
        ];
        // A value that is not a choice is refused with the choices, and nothing is written.
        let mut tried = columns.to_vec();
        tried.extend([
            ("set.status", "finished"),
            ("set.uses_ai", "yes"),
            ("set.decision_role", "supports-person"),
            ("action", "import"),
        ]);
        let r = app.post_as(&editor, &check, &tried).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        r.has("The file has 1 problem")
            .has("Status: “finished” is not one of the choices. Use one of “Planned”");
        assert!(
            app.store
                .drafts(&Default::default())
                .await
                .unwrap()
                .is_empty()
        );
        // Choices by label, and another field given for every row through "more".
        let mut chosen = columns.to_vec();
        chosen.extend([
            ("set.status", "Live"),
            ("set.uses_ai", "Yes"),
            ("set.decision_role", "Supports a person who decides"),
            ("more.field", "areas"),
            ("more.value", "Knowsley"),
            ("action", "check"),
        ]);
        let r = app.post_as(&editor, &check, &chosen).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.has("10 entries are ready").has(r#"id="set.areas""#);
        let mut import = columns.to_vec();
        import.extend([
            ("set.status", "in-use"),
            ("set.uses_ai", "yes"),
            ("set.decision_role", "supports-person"),
            ("set.areas", "knowsley"),
            ("action", "import"),
        ]);
        let r = app.post_as(&editor, &check, &import).await;
        assert_eq!(
            r.location(),
            "/manage/organisations/knowsley-council?imported=10"
        );
        let drafts = app.store.drafts(&Default::default()).await.unwrap();
        assert_eq!(drafts.len(), 10);
        let letters = drafts
            .iter()
            .find(|d| d.entry.title.as_str() == "Clinic Letter Summariser")
            .expect("every row is a draft");
        assert!(letters.entry.summary.contains("GP.\nA doctor"));
        assert_eq!(letters.entry.status.slug(), "in-use");
        assert!(letters.entry.uses_ai);
        assert_eq!(
            letters
                .entry
                .website
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("https://records.example.org/clinic-letter-summariser")
        );
        assert!(drafts.iter().all(|d| d.entry.areas.len() == 1));
    }
}

#[tokio::test]
async fn a_file_that_cannot_be_read_gets_one_message_and_nothing_is_written() {
    for app in TestApp::init().on_each_backend().await {
        let editor = app
            .signed_in("importer", Role::OrgEditor, Some("knowsley-council"))
            .await;
        let too_many = format!(
            "title,status,uses_ai,decision_role\n{}",
            "Lights,in-use,no,information-only\n".repeat(5_001)
        );
        let cases: [(&str, &[u8], &str); 6] = [
            (
                "list.xlsx",
                b"PK\x03\x04\x14\x00\x06\x00workbook",
                "This file is a spreadsheet workbook (such as .xlsx), not a CSV file",
            ),
            (
                "list.csv",
                b"Street lights,in-use,2024-03-01\nBuses,pilot,2024-04-01\n",
                "Row 1 must name the columns",
            ),
            (
                "list.csv",
                b"title,Status,status\nLights,planned,pilot\n",
                "Columns 2 and 3 are both called “status”",
            ),
            (
                "list.csv",
                too_many.as_bytes(),
                "The file has more than 5000 rows",
            ),
            (
                "list.csv",
                b"",
                "“list.csv” is empty. Choose a CSV file with a header row",
            ),
            // No file chosen: browsers send a part with no name and nothing in it.
            ("", b"", "Choose a CSV file"),
        ];
        for (name, bytes, said) in cases {
            let r = upload(&app, &editor, name, bytes).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{said}");
            r.has("govuk-error-summary")
                .has(said)
                .has("Check the file</button>");
            let summary = &r.body[position(&r, "govuk-error-summary__list")..];
            let summary = &summary[..summary.find("</ul>").unwrap()];
            assert_eq!(summary.matches("<li>").count(), 1, "{said}: {summary}");
        }
        assert!(
            app.store
                .drafts(&Default::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            !app.store
                .audit_log(50)
                .await
                .unwrap()
                .iter()
                .any(|e| e.action == "draft-import")
        );
    }
}
