//! The API's refusals are problem documents that say what is wrong and what to do, whatever
//! refuses the request (a path parameter, the size or type of the body); and a record read from
//! the API can be sent back to the write API as it is.

use crate::harness::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};

/// A request with the token, and optionally a content type and an If-Match.
fn request(
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    if_match: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", "Bearer chr_test");
    if let Some(t) = content_type {
        b = b.header("content-type", t);
    }
    if let Some(m) = if_match {
        b = b.header("if-match", m);
    }
    b.body(body.into()).unwrap()
}

/// The app on each backend, with opt-out keys and a token `chr_test` of knowsley-council that may
/// write drafts and check datasets. Nothing here sends email.
async fn apps_with_token() -> Vec<TestApp> {
    let apps = TestApp::init().with_optout().on_each_backend().await;
    for app in &apps {
        app.token("knowsley-council", "chr_test", "drafts optout-check")
            .await;
    }
    apps
}

#[track_caller]
fn is_problem(r: &Reply, status: StatusCode, what: &str) -> serde_json::Value {
    assert_eq!(r.status, status, "{what}: {}", r.body);
    assert_eq!(r.content_type(), "application/problem+json", "{what}");
    let j = r.json();
    assert_eq!(j["status"], status.as_u16(), "{what}");
    assert!(
        j["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{what}: a problem document says what is wrong"
    );
    j
}

#[tokio::test]
async fn a_published_record_goes_back_to_the_write_api_unchanged() {
    for app in apps_with_token().await {
        let record = app.get("/api/v1/projects/LCR-0009").await;
        assert_eq!(record.status, StatusCode::OK);
        let fields = record.json();
        // Every field the record adds to the entry's own is in what is sent back.
        for added in ["url", "organisation_id", "organisation_name"] {
            assert!(fields.get(added).is_some(), "GET gives {added}");
        }

        let r = app
            .send(request(
                "POST",
                "/api/v1/drafts",
                Some("application/json"),
                None,
                record.body.clone(),
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let draft = r.json();
        assert_eq!(draft["entry"]["title"], fields["title"]);
        assert_eq!(draft["entry"]["summary"], fields["summary"]);
        let uri = format!("/api/v1/drafts/{}", draft["id"]);
        let etag = r.headers["etag"].to_str().unwrap().to_owned();

        let r = app
            .send(request(
                "PUT",
                &uri,
                Some("application/json"),
                Some(&etag),
                record.body.clone(),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["entry"]["title"], fields["title"]);
    }
}

#[tokio::test]
async fn path_parameters_that_do_not_fit_are_problem_documents() {
    let too_big = "99999999999999999999999";
    for app in apps_with_token().await {
        for (method, uri, param) in [
            ("GET", format!("/api/v1/drafts/{too_big}"), "id"),
            ("GET", "/api/v1/drafts/abc".to_owned(), "id"),
            ("PUT", format!("/api/v1/drafts/{too_big}"), "id"),
            ("POST", format!("/api/v1/drafts/{too_big}/submit"), "id"),
            (
                "GET",
                "/api/v1/projects/LCR-0001/versions/99999999999".to_owned(),
                "version",
            ),
            (
                "GET",
                "/api/v1/projects/LCR-0001/versions/first".to_owned(),
                "version",
            ),
            ("GET", "/api/v1/projects/%FF".to_owned(), "id"),
            ("GET", "/api/v1/projects/%FF/check".to_owned(), "id"),
            ("GET", "/api/v1/organisations/%C3%28".to_owned(), "slug"),
        ] {
            let r = app
                .send(request(
                    method,
                    &uri,
                    Some("application/json"),
                    Some("\"1\""),
                    "{}",
                ))
                .await;
            let j = is_problem(&r, StatusCode::BAD_REQUEST, &uri);
            assert_eq!(j["errors"][0]["param"], param, "{uri}");
            let message = j["errors"][0]["message"].as_str().unwrap();
            assert!(
                message.contains("in the address"),
                "{uri}: says where the problem is: {message}"
            );
        }
        // A value of the right type that names nothing is still not found.
        for uri in [
            "/api/v1/drafts/424242",
            "/api/v1/projects/LCR-0001/versions/4242",
            "/api/v1/projects/LCR-99999",
        ] {
            let r = app
                .send(request("GET", uri, None, None, Body::empty()))
                .await;
            is_problem(&r, StatusCode::NOT_FOUND, uri);
        }
    }
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_problem_documents() {
    let over = "x".repeat(charter_web::api::MAX_JSON_BYTES + 1);
    for app in apps_with_token().await {
        for (method, uri) in [
            ("POST", "/api/v1/text/check"),
            ("POST", "/api/v1/drafts"),
            ("POST", "/api/v1/optout/checks"),
        ] {
            let r = app
                .send(request(
                    method,
                    uri,
                    Some("application/json"),
                    None,
                    over.clone(),
                ))
                .await;
            let j = is_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, uri);
            assert!(
                j["detail"]
                    .as_str()
                    .unwrap()
                    .contains("the most this endpoint takes"),
                "{uri}: says the limit"
            );
        }
        // The report endpoint takes 64 KiB, and says so.
        let r = app
            .send(request(
                "POST",
                "/api/v1/optout/checks",
                Some("application/json"),
                None,
                "x".repeat(64 * 1024 + 1),
            ))
            .await;
        is_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "report");
        r.has("64 KiB");
        // Refused on what the request declares, before reading it.
        let declared = Request::post("/api/v1/text/check")
            .header("content-type", "application/json")
            .header("content-length", "3000000")
            .body(Body::from(r#"{"text": "short"}"#))
            .unwrap();
        is_problem(
            &app.send(declared).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "declared",
        );
    }
}

#[tokio::test]
async fn json_routes_refuse_other_content_types_with_415() {
    for app in apps_with_token().await {
        for (uri, body) in [
            ("/api/v1/text/check", r#"{"text": "Hello."}"#),
            ("/api/v1/drafts", r#"{"title": "A"}"#),
            ("/api/v1/optout/checks", "{}"),
        ] {
            for content_type in [
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
            ] {
                let r = app
                    .send(request("POST", uri, Some(content_type), None, body))
                    .await;
                let j = is_problem(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, uri);
                assert!(
                    j["detail"]
                        .as_str()
                        .unwrap()
                        .contains("Content-Type: application/json"),
                    "{uri}: says what to send"
                );
            }
        }
        // JSON with a charset, a JSON subtype, or no content type at all, is read.
        for content_type in [
            Some("application/json; charset=utf-8"),
            Some("application/vnd.example+json"),
            None,
        ] {
            let r = app
                .send(request(
                    "POST",
                    "/api/v1/text/check",
                    content_type,
                    None,
                    r#"{"text": "Hello."}"#,
                ))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{content_type:?}: {}", r.body);
        }
    }
}

#[tokio::test]
async fn an_upload_over_the_opt_out_limit_is_413_with_what_to_do() {
    let limit = 64 * 1024 * 1024;
    for app in apps_with_token().await {
        let uri = "/api/v1/optout/check?column=nhs_number&scope=ai-training";
        // Said in advance: refused before anything is read.
        let mut declared = request("POST", uri, Some("text/csv"), None, "nhs_number\n");
        declared.headers_mut().insert(
            "content-length",
            (limit as u64 + 1).to_string().parse().unwrap(),
        );
        let r = app.send(declared).await;
        let j = is_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "declared upload");
        let detail = j["detail"].as_str().unwrap();
        assert!(detail.contains("64 MiB"), "{detail}");
        assert!(detail.contains("charter optout filter"), "{detail}");
        assert!(detail.contains("Split the file"), "{detail}");

        // Streamed without a length: refused once it passes the limit.
        // Long rows, so that the filter gets through 64 MiB quickly.
        let mut row = vec![b'1'; 4095];
        row.push(b'\n');
        let chunk = bytes::Bytes::from(row.repeat(256));
        let chunks = std::iter::once(Ok::<_, std::io::Error>(bytes::Bytes::from_static(
            b"nhs_number\n",
        )))
        .chain(std::iter::repeat_n(chunk, 65).map(Ok));
        let streamed = request(
            "POST",
            uri,
            Some("text/csv"),
            None,
            Body::from_stream(futures_util::stream::iter(chunks)),
        );
        let r = app.send(streamed).await;
        is_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "streamed upload");
        r.has("charter optout filter");
    }
}

#[tokio::test]
async fn a_method_an_address_does_not_take_is_a_405_problem_document_with_allow() {
    for app in apps_with_token().await {
        for (method, uri, allow) in [
            ("DELETE", "/api/v1/drafts/1", "GET"),
            ("PATCH", "/api/v1/projects", "GET"),
            ("GET", "/api/v1/text/check", "POST"),
        ] {
            let r = app
                .send(request(method, uri, None, None, Body::empty()))
                .await;
            is_problem(&r, StatusCode::METHOD_NOT_ALLOWED, uri);
            let allowed = r.headers["allow"].to_str().unwrap();
            assert!(allowed.contains(allow), "{uri}: Allow: {allowed}");
        }
        // An address that is not in the API at all is not found, whatever the method.
        let r = app
            .send(request("POST", "/api/v1/nothing", None, None, ""))
            .await;
        is_problem(&r, StatusCode::NOT_FOUND, "/api/v1/nothing");
    }
}

#[tokio::test]
async fn query_limits_are_the_documented_ones() {
    for app in apps_with_token().await {
        // limit is from 1 to 1000, as the document says; 0 was read as 1.
        for uri in ["/api/v1/log?limit=0", "/api/v1/log?limit=1001"] {
            let j = is_problem(&app.get(uri).await, StatusCode::BAD_REQUEST, uri);
            assert_eq!(j["errors"][0]["param"], "limit");
        }
        assert_eq!(app.get("/api/v1/log?limit=1").await.status, StatusCode::OK);
        // The document's limits on the search parameters.
        let doc = app.get("/api/openapi.json").await.json();
        let params = doc["paths"]["/api/v1/projects"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .clone();
        let schema = |name: &str| {
            params
                .iter()
                .find(|p| p["name"] == name)
                .map(|p| p["schema"].clone())
                .unwrap()
        };
        assert_eq!(schema("q")["maxLength"], 500);
        assert_eq!(schema("page")["minimum"], 1);
        assert_eq!(schema("page")["maximum"], charter_core::search::MAX_PAGE);
        assert_eq!(schema("per_page")["minimum"], 1);
        assert_eq!(
            schema("per_page")["maximum"],
            charter_core::search::MAX_PER_PAGE
        );
        let beyond = format!(
            "/api/v1/projects?page={}",
            charter_core::search::MAX_PAGE + 1
        );
        is_problem(&app.get(&beyond).await, StatusCode::BAD_REQUEST, &beyond);
    }
}
